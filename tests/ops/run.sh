#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Operations: `bulwark config check`, `bulwark run --config` with /metrics (strict
# Prometheus text parser) and /healthz (unhealthy while a webhook receiver is down with
# alerts waiting, healthy again once it is back), SIGHUP with a broken config and a broken
# rules file (old rules keep detecting, the log names file:line:col), SIGHUP reaching the
# kernel filters (a new event type and read-only path fire after a reload), SIGTERM within its
# bound. Servers on 127.0.0.1 only; everything started is stopped.
# Usage (root): tests/ops/run.sh PATH/TO/bulwark      Last line: "N passed, N failed".
set -u
B=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
PROM="python3 $HERE/promcheck.py"
W=$(mktemp -d /tmp/bulwark-ops.XXXXXX)
chmod 755 "$W"
# a port nobody listens on now (the kernel's choice)
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
P_METRICS=$(free_port) P_HOOK=$(free_port)
while [ "$P_HOOK" = "$P_METRICS" ]; do P_HOOK=$(free_port); done
passed=0 failed=0
AGENT= RECV=

ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
check() { # check NAME CMD...: ok if CMD succeeds
	local name=$1
	shift
	if "$@"; then ok "$name"; else fail "$name"; fi
}
cleanup() {
	[ -n "$AGENT" ] && kill -9 "$AGENT" 2>/dev/null
	[ -n "$RECV" ] && kill "$RECV" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
wait_for() { # wait_for SECONDS CMD...: polls every 0.2 s
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.2
	done
}
metric() { curl -s "127.0.0.1:$P_METRICS/metrics" >"$W/m.txt" && $PROM "$W/m.txt" "$@"; }
health() { curl -s -o "$W/h.json" -w '%{http_code}' "127.0.0.1:$P_METRICS/healthz"; }
healthy() { [ "$(health)" = 200 ]; }
unhealthy() { [ "$(health)" = 503 ]; }
log_has() { grep -qF -- "$1" "$W/agent.log"; }
alerts() { grep -c "\"rule\":\"$1\"" "$W/alerts.json" 2>/dev/null || true; }
# at_least N CMD...: CMD's output is a number >= N. For wait_for, which re-runs its command: a
# `test "$(alerts X)" -ge N` would be expanded once, before the wait, and never see a later alert.
at_least() {
	local n=$1
	shift
	[ "$("$@")" -ge "$n" ]
}
marker() { "$W/bwops-marker"; }
# What the agent is doing now: each thread's state and kernel wait, and the counters the alert passes.
agent_state() {
	local t
	for t in /proc/"$AGENT"/task/*; do
		printf '%s:%s:%s:%s ' "$(cat "$t/comm" 2>/dev/null)" "$(awk '{print $3}' "$t/stat" 2>/dev/null)" \
			"$(cat "$t/wchan" 2>/dev/null)" "$(cut -d' ' -f1 "$t/syscall" 2>/dev/null)"
	done
	sleep 1.2 # the next metrics snapshot
	metric 'bulwark_events_total{type="exec"}' 'bulwark_rule_matches_total{rule="'"$1"'"}' \
		'bulwark_output_alerts_total{output="'"$FILE_OUT"'",state="queued"}' \
		'bulwark_output_alerts_total{output="'"$FILE_OUT"'",state="sent"}' | tr '\n' ' '
	echo "| log: $(tail -4 "$W/agent.log" | tr '\n' ' ')"
}
# marker_alert RULE N: runs the marker; the rule's Nth alert comes within 10 s, or the failure
# says what each agent thread and the counters on the alert's way were doing.
marker_alert() {
	marker
	wait_for 10 at_least "$2" alerts "$1" && return 0
	echo "info: no alert of $1 in 10 s: $(agent_state "$1")"
	return 1
}

# ---- 1. config check: every error with file:line:col ---------------------------------------
cat >"$W/bad.yaml" <<'EOF'
rules: [/etc/bulwark/rules.d]
bogus: 1
log: {level: loud}
proc_cache: many
outputs:
  - spec: syslog+tcp://127.0.0.1:514
    rotat_mb: 1
metrics:
  listen: "localhost:9376"
EOF
"$B" config check "$W/bad.yaml" >"$W/check.out" 2>&1
rc=$?
want=("$W/bad.yaml:2:1: unknown key 'bogus'" "$W/bad.yaml:3:14: log.level: unknown level 'loud'"
	"$W/bad.yaml:4:13: proc_cache: expected a number, got 'many'" "$W/bad.yaml:7:5: unknown option 'rotat_mb'"
	"$W/bad.yaml:9:11: metrics.listen: expected ADDRESS:PORT")
missing=""
for w in "${want[@]}"; do grep -qF -- "$w" "$W/check.out" || missing="$missing [$w]"; done
if [ "$rc" = 1 ] && [ -z "$missing" ]; then
	ok "config check: unknown keys and bad values named by file:line:col"
else
	fail "config check (exit $rc), missing:$missing; got: $(cat "$W/check.out")"
fi
timeout 10 "$B" run --config "$W/bad.yaml" >/dev/null 2>"$W/badrun.log"
rc=$?
if [ "$rc" = 2 ] && grep -qF "$W/bad.yaml:2:1: unknown key 'bogus'" "$W/badrun.log"; then
	ok "run --config with a bad file refuses to start (exit 2) and says where"
else
	fail "run with a bad config: exit $rc: $(tail -3 "$W/badrun.log")"
fi

# ---- 2. the agent on a config file ---------------------------------------------------------
rules_ok() { # rules_ok NAME: one rule on the marker binary
	cat >"$W/rules.yaml" <<-EOF
	- rule: $1
	  desc: the operations test's marker binary ran
	  condition: evt.type in (execve, execveat) and proc.name = "bwops-marker"
	  output: marker ran (proc.exe=%proc.exe)
	  priority: WARNING
	EOF
}
config_ok() {
	cat >"$W/bulwark.yaml" <<-EOF
	rules: [$W/rules.yaml]
	spool_dir: $W/spool
	outputs:
	  - spec: file:$W/alerts.json
	    spool: false
	  - spec: webhook+http://127.0.0.1:$P_HOOK/hook
	    name: hook
	    retry_ms: 200
	    retry_max_ms: 500
	    timeout_ms: 1000
	metrics:
	  listen: 127.0.0.1:$P_METRICS
	health:
	  output_stuck_seconds: 2
	  stall_seconds: 5
	EOF
}
rules_ok "Ops Marker A"
config_ok
cp /bin/true "$W/bwops-marker"
check "config check: the test's config is valid" "$B" config check "$W/bulwark.yaml"

"$B" run --config "$W/bulwark.yaml" >/dev/null 2>"$W/agent.log" &
AGENT=$!
if ! wait_for 30 log_has '"bulwark running:'; then
	fail "the agent did not start: $(tail -5 "$W/agent.log")"
	echo "$passed passed, $((failed + 1)) failed"
	exit 1
fi
summary=$(grep -F '"bulwark running:' "$W/agent.log")
FILE_OUT=$(sed -n 's/.*outputs \(file-[0-9a-f]*\).*/\1/p' <<<"$summary") # the file output's name
if [[ $summary == *"hooks "*" attached"* && $summary == *"rules 1 (from files)"* && $summary == *"outputs file-"*", hook"* &&
	$summary == *"metrics 127.0.0.1:$P_METRICS"* && $summary == *"config $W/bulwark.yaml"* && $summary == *"kernel $(uname -r)"* ]]; then
	ok "startup summary: one line with kernel, hooks, rules, outputs, metrics, config"
else
	fail "startup summary: $summary"
fi
if bad=$(grep -v '^{"time":"[^"]*","level":"\(debug\|info\|warn\|error\)","msg":' "$W/agent.log"); [ -z "$bad" ]; then
	ok "every log line is a JSON object with time, level and msg"
else
	fail "log lines not in the JSON form: $bad"
fi

wait_for 5 metric >/dev/null
if out=$($PROM "$W/m.txt"); then ok "/metrics parses as Prometheus text ($out)"; else fail "/metrics: $out"; fi
families="bulwark_events_total bulwark_kernel_drops_total bulwark_malformed_records_total bulwark_rule_matches_total
	bulwark_output_alerts_total bulwark_output_queue_length bulwark_output_spool_bytes bulwark_proctree_entries
	bulwark_container_cache_entries process_cpu_seconds_total process_resident_memory_bytes"
missing=""
for f in $families; do grep -q "^# TYPE $f " "$W/m.txt" || missing="$missing $f"; done
if [ -z "$missing" ]; then ok "/metrics has every family"; else fail "/metrics lacks:$missing"; fi
if wait_for 5 healthy; then ok "/healthz 200 while nothing waits"; else fail "/healthz at start: $(health) $(cat "$W/h.json")"; fi
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "127.0.0.1:$P_METRICS/metrics")
[ "$code" = 405 ] && ok "POST is refused (405)" || fail "POST /metrics answered $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "127.0.0.1:$P_METRICS/nope")
[ "$code" = 404 ] && ok "unknown path: 404" || fail "GET /nope answered $code"

# counters move: an exec of the marker is an event, a rule match and an alert on each output
read -r exec0 match0 < <(metric 'bulwark_events_total{type="exec"}' 'bulwark_rule_matches_total{rule="Ops Marker A"}' | tr '\n' ' ')
marker_alert "Ops Marker A" 1
sleep 1.2 # the next snapshot
read -r exec1 match1 sent hookretry < <(metric 'bulwark_events_total{type="exec"}' \
	'bulwark_rule_matches_total{rule="Ops Marker A"}' 'bulwark_output_alerts_total{output="'"$FILE_OUT"'",state="sent"}' \
	'bulwark_output_alerts_total{output="hook",state="retried"}' | tr '\n' ' ')
if [ "$exec1" -gt "$exec0" ] && [ "$match0" = absent ] && [ "$match1" = 1 ] && [ "$sent" = 1 ] && [ "$hookretry" -ge 1 ]; then
	ok "counters move: exec events $exec0 -> $exec1, rule matches 0 -> 1, file sent 1, webhook retried $hookretry"
else
	fail "counters: exec $exec0 -> $exec1, matches $match0 -> $match1, file sent $sent, hook retried $hookretry"
fi

# /healthz: the webhook's receiver is down with an alert waiting, beyond output_stuck_seconds
if wait_for 10 unhealthy && grep -q 'output hook stuck' "$W/h.json"; then
	ok "/healthz 503 while the webhook receiver is down: $(cat "$W/h.json")"
else
	fail "/healthz did not turn unhealthy: $(health) $(cat "$W/h.json")"
fi
python3 "$HERE/receiver.py" --port "$P_HOOK" --store "$W/hook.store" &
RECV=$!
if wait_for 20 healthy && grep -q 'Ops Marker A' "$W/hook.store"; then
	ok "/healthz 200 again once the receiver is back and the spool delivered"
else
	fail "/healthz did not recover: $(health) $(cat "$W/h.json")"
fi
check "the log says the output is unhealthy, then healthy again" \
	grep -q '"health: healthy again"' "$W/agent.log"

# ---- 3. SIGHUP: a broken config, then a broken rules file: the old ones stay -----------------
echo "bogus_key: 1" >>"$W/bulwark.yaml"
kill -HUP "$AGENT"
if wait_for 10 log_has "config reload failed" && log_has "$W/bulwark.yaml:16:1: unknown key 'bogus_key'"; then
	ok "SIGHUP with a broken config: kept, the log names file:line:col"
else
	fail "SIGHUP broken config: $(tail -3 "$W/agent.log")"
fi
config_ok
cat >"$W/rules.yaml" <<'EOF'
- rule: Ops Marker Broken
  desc: broken
  condition: evt.type in (execve, execveat) and proc.name = = "bwops-marker"
  output: x
  priority: WARNING
EOF
kill -HUP "$AGENT"
if wait_for 10 log_has "rules reload failed" && grep -q "$W/rules.yaml:3:[0-9]*: " "$W/agent.log"; then
	ok "SIGHUP with a broken rules file: the log says why at file:line:col"
else
	fail "SIGHUP broken rules: $(tail -3 "$W/agent.log")"
fi
if marker_alert "Ops Marker A" 2; then
	ok "the old rules keep detecting after the failed reload"
else
	fail "no alert from the old rules after the failed reload"
fi
rules_ok "Ops Marker B"
kill -HUP "$AGENT"
wait_for 10 log_has '"rules reloaded: 1 rules"'
if marker_alert "Ops Marker B" 1; then
	ok "SIGHUP with a fixed rules file: the new rule detects"
else
	fail "no alert from the reloaded rules"
fi
sleep 1.2
read -r okr failr < <(metric 'bulwark_rules_reloads_total{result="ok"}' 'bulwark_rules_reloads_total{result="failed"}' | tr '\n' ' ')
[ "$okr" = 1 ] && [ "$failr" = 2 ] && ok "reload counters: ok $okr, failed $failr" || fail "reload counters: ok $okr failed $failr"
read -r cpu rss < <(metric process_cpu_seconds_total process_resident_memory_bytes | tr '\n' ' ')
echo "info: agent CPU ${cpu} s since start, RSS $((rss / 1024)) KiB"

# ---- 3b. SIGHUP reaches the kernel: a reloaded rule on a new event type or read-only path fires --
# The rules so far need exec only: the kernel sends no chmod and no open at all. A reload that adds
# a rule on setuid chmods and one on reads under $W/secret/ must switch both on in the kernel; a
# broken file afterwards keeps them; going back switches them off.
mkdir -p "$W/secret"
echo key >"$W/secret/key"
touch "$W/suid"
poke() { chmod u+s "$W/suid"; chmod u-s "$W/suid"; cat "$W/secret/key" >/dev/null; }
zero() { [ "$1" = absent ] || [ "$1" = 0 ]; }
tp_missing() { [ -d /sys/kernel/tracing/events/syscalls ] && [ ! -e "/sys/kernel/tracing/events/syscalls/sys_enter_$1" ]; }
poke
sleep 1.2
read -r nchmod nopen < <(metric 'bulwark_events_total{type="chmod"}' 'bulwark_events_total{type="open"}' | tr '\n' ' ')
if zero "$nchmod" && zero "$nopen"; then
	ok "before the reload the kernel sends no chmod and no open (no rule needs them)"
else
	fail "chmod/open events before any rule needs them: chmod $nchmod, open $nopen"
fi
rules_kernel() {
	rules_ok "Ops Marker B"
	cat >>"$W/rules.yaml" <<-EOF
	- rule: Ops Setuid Chmod
	  desc: a setuid bit set on the test's file
	  condition: evt.type in (chmod, fchmod, fchmodat) and fd.name = "$W/suid"
	  output: setuid chmod (file=%fd.name)
	  priority: WARNING
	- rule: Ops Secret Read
	  desc: a read of the test's secret
	  condition: evt.type in (open, openat) and fd.name startswith "$W/secret/"
	  output: secret read (file=%fd.name)
	  priority: WARNING
	- rule: Ops Needs Module Hook
	  desc: only kernels with module support can see it
	  condition: evt.type in (init_module, finit_module)
	  output: module (proc=%proc.name)
	  priority: WARNING
	EOF
}
rules_kernel
kill -HUP "$AGENT"
# (module_load is switched on too: the agent asks whether the kernel has the hook, not the rule)
filters_line() { grep -F 'kernel filters' "$W/agent.log" | tail -1; }
if wait_for 10 log_has '"rules reloaded: 4 rules"' && [[ $(filters_line) == *"event types enabled: open, chmod"* &&
	$(filters_line) == *"read-only open prefixes added: $W/secret/ (now "* ]]; then
	ok "SIGHUP: the kernel filters follow the rules, one log line says what changed"
else
	fail "kernel filters after the reload: $(filters_line)"
fi
if tp_missing init_module; then
	want="$W/rules.yaml:16:3: warning: rule 'Ops Needs Module Hook' needs hooks this kernel lacks: init_module, finit_module"
	check "the reload names the rule whose hook this kernel lacks (file:line, syscalls, why)" log_has "$want"
else
	check "no missing-hook warning where the kernel has the module hooks" \
		test "$(grep -c "needs hooks this kernel lacks" "$W/agent.log")" = 0
fi
poke
if wait_for 10 at_least 1 alerts "Ops Setuid Chmod" && wait_for 5 at_least 1 alerts "Ops Secret Read"; then
	ok "after the reload a rule on a new event type and one on a new read-only path fire"
else
	fail "reloaded rules silent: chmod $(alerts "Ops Setuid Chmod"), read $(alerts "Ops Secret Read"); $(tail -3 "$W/agent.log")"
fi
fails0=$(grep -c "rules reload failed" "$W/agent.log")
echo "- rule: [" >"$W/rules.yaml"
kill -HUP "$AGENT"
wait_for 10 at_least $((fails0 + 1)) grep -c "rules reload failed" "$W/agent.log"
poke
if wait_for 10 at_least 2 alerts "Ops Setuid Chmod" && wait_for 5 at_least 2 alerts "Ops Secret Read"; then
	ok "a failed reload keeps the rules and the kernel filters that serve them"
else
	fail "after a failed reload: chmod $(alerts "Ops Setuid Chmod"), read $(alerts "Ops Secret Read"); $(tail -3 "$W/agent.log")"
fi
rules_ok "Ops Marker B"
kill -HUP "$AGENT"
switched_off() { [[ $(filters_line) == *"event types disabled: open, chmod"*"read-only open prefixes removed: $W/secret/ (now "* ]]; }
if wait_for 10 switched_off; then
	ok "a reload that drops the rules switches their events off in the kernel"
else
	fail "kernel filters after going back: $(filters_line)"
fi
# `rules check` names the same rules without privileges (tracefs is root's: /proc/kallsyms answers)
rules_kernel
for who in root nobody; do
	if [ $who = root ]; then run=("$B"); else run=(setpriv --reuid=65534 --regid=65534 --clear-groups "$B"); fi
	"${run[@]}" rules check "$W/rules.yaml" >"$W/rcheck.out" 2>&1
	rc=$?
	if tp_missing init_module; then
		grep -qF "$want" "$W/rcheck.out"
	else
		! grep -q "needs hooks" "$W/rcheck.out"
	fi
	named=$?
	if [ $rc = 0 ] && [ $named = 0 ]; then
		ok "rules check as $who: exit 0, missing hooks named as the agent names them"
	else
		fail "rules check as $who: exit $rc: $(cat "$W/rcheck.out")"
	fi
done
rules_ok "Ops Marker B"

# ---- 4. SIGTERM with a receiver down: the queue goes to the spool, the exit is bounded --------
kill "$RECV"
wait "$RECV" 2>/dev/null
RECV=
marker_alert "Ops Marker B" 2
t0=$(date +%s%N)
kill -TERM "$AGENT"
wait "$AGENT"
rc=$?
AGENT=
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$rc" = 0 ] && [ "$ms" -lt 7000 ] && [ -n "$(find "$W/spool/hook" -type f -size +0 2>/dev/null)" ]; then
	ok "SIGTERM: exit 0 in $ms ms, the undelivered alert left in the spool"
else
	fail "SIGTERM: exit $rc after $ms ms; spool: $(ls -lR "$W/spool" 2>&1 | head -5)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
