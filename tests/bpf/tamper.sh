#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The agent guards itself (issue 16, rules/tamper.yaml, sensor__verify): a running agent (a copy of
# the binary, its own config, rules directory and spool) is attacked for real, and each act must
# raise a Critical alert from it with the exact fields, while a benign twin of each (reading the
# config and rules, listing the spool, `bpftool prog show` and `map show`, /proc/PID/status) raises
# none:
#   - write-opens of its config, of a file in its rules directory and in its spool, a write-open
#     of its running binary (refused with ETXTBSY: the attempt counts), a setuid chmod of its config;
#   - PTRACE_SEIZE of its main thread and of another of its threads, an open of /proc/PID/mem;
#   - its BPF maps rewritten by id with bpftool (agent_tgid pointed away, exec disabled):
#     "Bulwark Sensor Tampered", and the maps are restored;
# and the heartbeat: READY=1 and a WATCHDOG=1 a second to $NOTIFY_SOCKET (systemd's protocol),
# bulwark_last_seen_timestamp_seconds advancing; under SIGSTOP both stop; after SIGKILL /metrics
# is gone. The unit and the DaemonSet restart it (Restart=always, WatchdogSec, livenessProbe).
# Usage (root): tests/bpf/tamper.sh PATH/TO/bulwark      Last line: "N passed, N failed".
set -u
SRC=$(realpath "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d /tmp/bulwark-tamper.XXXXXX)
passed=0 failed=0 AGENT="" NOTIFY=""
ok() { echo "ok   $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
cleanup() {
	if [ -n "$AGENT" ]; then kill -CONT "$AGENT" 2>/dev/null; kill -9 "$AGENT" 2>/dev/null; wait "$AGENT" 2>/dev/null; fi
	[ -n "$NOTIFY" ] && kill "$NOTIFY" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

cp "$SRC" "$W/bulwark"
mkdir -p "$W/rules" "$W/spool"
cp "$ROOT"/rules/*.yaml "$W/rules/"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$W/bulwark.yaml" <<EOF
rules:
  - $W/rules
outputs:
  - spec: file:$W/a.json
spool_dir: $W/spool
metrics:
  listen: 127.0.0.1:$PORT
EOF
# systemd's notify socket, played by a datagram listener that timestamps what it receives
python3 - "$W/notify" "$W/notify.log" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as f:
    while True:
        f.write("%.3f %s\n" % (time.time(), s.recv(4096).decode()))
PY
NOTIFY=$!
for _ in $(seq 20); do [ -S "$W/notify" ] && break; sleep 0.1; done
NOTIFY_SOCKET=$W/notify "$W/bulwark" run -c "$W/bulwark.yaml" >/dev/null 2>"$W/agent.log" &
AGENT=$!
for _ in $(seq 60); do grep -q '"bulwark running:' "$W/agent.log" && break; sleep 0.5; done
grep -q '"bulwark running:' "$W/agent.log" || { fail "the agent did not start: $(tail -3 "$W/agent.log")"; echo "$passed passed, $failed failed"; exit 1; }
sleep 1

# alerts of the two tamper rules in the output since line $1
tampers() { tail -n +"$(($1 + 1))" "$W/a.json" 2>/dev/null | grep -E '"rule":"Bulwark (Agent|Sensor) Tampered"'; }
lines() { wc -l <"$W/a.json" 2>/dev/null || echo 0; }
# waits up to 5 s for an alert since line $1 matching the python predicate $2 (on the alert a, fields f)
expect() {
	local from=$1 pred=$2 what=$3 _
	for _ in $(seq 20); do
		if tampers "$from" | python3 -c '
import json, sys
pred = sys.argv[1]
for line in sys.stdin:
    a = json.loads(line); f = a["output_fields"]
    if a["priority"] == "Critical" and eval(pred):
        sys.exit(0)
sys.exit(1)' "$pred"; then
			ok "$what"
			return
		fi
		sleep 0.25
	done
	fail "$what: no Critical alert with $pred; got: $(tampers "$from" | cut -c1-300)"
}

# ---- benign twins: none may alert ----
n0=$(lines)
cat "$W/bulwark.yaml" "$W"/rules/*.yaml >/dev/null
ls -laR "$W/spool" >/dev/null
stat "$W/bulwark" >/dev/null
cat "/proc/$AGENT/status" "/proc/$AGENT/cmdline" >/dev/null
bpftool prog show >/dev/null 2>&1
bpftool map show >/dev/null 2>&1
bpftool link show >/dev/null 2>&1
cp "$W/bulwark.yaml" "$W/copy.yaml" # a copy elsewhere is not the agent's file
echo x >>"$W/copy.yaml"
mkdir -p "$W/spool/another-agent" # the spool root is shared; another output's directory is not ours
: >"$W/spool/another-agent/x"
sleep 3
if [ -z "$(tampers "$n0")" ]; then
	ok "benign twins (reading the config and rules, listing the spool, bpftool prog/map/link show, /proc/PID/status, writing a copy of the config and into another output's spool): no tamper alert"
else
	fail "a benign action raised: $(tampers "$n0" | cut -c1-300)"
fi

# ---- its files ----
n=$(lines); echo "# edited" >>"$W/bulwark.yaml"
expect "$n" "f['fd.name'] == '$W/bulwark.yaml' and a['rule'] == 'Bulwark Agent Tampered' and f['evt.type'] == 'openat' and f['proc.name'] == 'tamper.sh'" \
	"config write-open: Bulwark Agent Tampered, fd.name the config"
n=$(lines); : >"$W/rules/zz-evil.yaml"
expect "$n" "f['fd.name'] == '$W/rules/zz-evil.yaml' and a['rule'] == 'Bulwark Agent Tampered'" "a new file in its rules directory"
SPOOL=$(find "$W/spool" -mindepth 1 -maxdepth 1 -type d | head -1)
n=$(lines); : >"$SPOOL/planted"
expect "$n" "f['fd.name'] == '$SPOOL/planted' and a['rule'] == 'Bulwark Agent Tampered'" "a file written into its output's spool directory"
n=$(lines); (exec 3>>"$W/bulwark") 2>/dev/null
expect "$n" "f['fd.name'] == '$W/bulwark' and f['evt.res'] == -26" "a write-open of its running binary (refused, ETXTBSY: the attempt alerts)"
# the kernel reports only chmods that set setuid or setgid (bpf/progs/file.bpf.c)
n=$(lines); chmod 4755 "$W/bulwark.yaml"
expect "$n" "f['fd.name'] == '$W/bulwark.yaml' and f['evt.type'] == 'fchmodat'" "a setuid chmod of its config"

# ---- its process ----
ptrace_seize() {
	python3 - "$1" <<'PY'
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
PTRACE_SEIZE = 0x4206
r = libc.ptrace(PTRACE_SEIZE, int(sys.argv[1]), None, None)
print(r, ctypes.get_errno())
PY
}
n=$(lines); r=$(ptrace_seize "$AGENT")
expect "$n" "f['bulwark.ptrace.request'] == 'PTRACE_SEIZE' and f['bulwark.ptrace.target_pid'] == $AGENT and f['evt.res'] == 0" \
	"PTRACE_SEIZE of the agent (ptrace returned $r)"
TID=$(ls "/proc/$AGENT/task" | grep -vx "$AGENT" | head -1)
n=$(lines); r=$(ptrace_seize "$TID")
expect "$n" "f['bulwark.ptrace.target_pid'] == $TID" "PTRACE_SEIZE of another of its threads (tid $TID)"
n=$(lines); python3 -c "open('/proc/$AGENT/mem','rb').close()"
expect "$n" "f['evt.type'] == 'proc_mem'" "an open of its /proc/PID/mem"
kill -0 "$AGENT" 2>/dev/null && ok "the agent keeps running after the attempts" || fail "the agent died"

# ---- its BPF maps, by id ----
map_id() {
	local id
	for id in $(grep -h '^map_id' /proc/"$AGENT"/fdinfo/* 2>/dev/null | awk '{print $2}'); do
		bpftool map show id "$id" 2>/dev/null | grep -q "name $1 " && { echo "$id"; return; }
	done
}
CFG=$(map_id bw_config_map) TYPES=$(map_id enabled_types)
n=$(lines)
# agent_tgid (the first 4 bytes) 1, the rest 0, whatever the struct's size now
vsize=$(bpftool map show id "$CFG" -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["bytes_value"])')
bpftool map update id "$CFG" key 0 0 0 0 value 1 $(yes 0 | head -n $((vsize - 1)) | tr '\n' ' ')
expect "$n" "a['rule'] == 'Bulwark Sensor Tampered' and a['source'] == 'internal' and 'agent_tgid 1, want $AGENT' in f['bulwark.tamper.what']" \
	"bw_config_map rewritten by id (agent_tgid 1): Bulwark Sensor Tampered"
tgid=$(bpftool map dump id "$CFG" -j | python3 -c 'import json,sys; e=json.load(sys.stdin)[0]; print(e.get("formatted", e)["value"]["agent_tgid"])')
[ "$tgid" = "$AGENT" ] && ok "the config map is restored (agent_tgid $tgid)" || fail "the config map holds agent_tgid $tgid"
n=$(lines)
bpftool map update id "$TYPES" key 1 0 0 0 value 0 0 0 0
expect "$n" "a['rule'] == 'Bulwark Sensor Tampered' and 'event type exec disabled' in f['bulwark.tamper.what']" \
	"exec disabled in enabled_types by id: Bulwark Sensor Tampered"
v=$(bpftool map lookup id "$TYPES" key 1 0 0 0 -j | python3 -c 'import json,sys; e=json.load(sys.stdin); print(int.from_bytes(bytes(int(b, 16) for b in e["value"]), "little"))')
[ "$v" = 1 ] && ok "exec is enabled again" || fail "enabled_types[exec] = $v"

# ---- heartbeat ----
grep -q ' READY=1$' "$W/notify.log" && ok "READY=1 sent to NOTIFY_SOCKET" || fail "no READY=1: $(head -3 "$W/notify.log")"
metric() { curl -s -m 2 "http://127.0.0.1:$PORT/metrics" | sed -n "s/^$1 //p"; }
s1=$(metric bulwark_last_seen_timestamp_seconds); sleep 2; s2=$(metric bulwark_last_seen_timestamp_seconds)
if python3 -c "import sys,time; a,b=float('$s1' or 0),float('$s2' or 0); sys.exit(not (b > a and abs(time.time()-b) < 10))"; then
	ok "bulwark_last_seen_timestamp_seconds advances ($s1 -> $s2) and bulwark_up $(metric bulwark_up)"
else
	fail "bulwark_last_seen_timestamp_seconds: '$s1' then '$s2'"
fi
kill -STOP "$AGENT"
t0=$(date +%s.%N); sleep 4
late=$(awk -v t="$t0" '$1 > t + 0.5 && $2 == "WATCHDOG=1"' "$W/notify.log" | wc -l)
scrape=$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/metrics")
[ "$late" = 0 ] && ok "stopped (SIGSTOP): no WATCHDOG=1 for 4 s (systemd kills and restarts it after WatchdogSec)" ||
	fail "$late WATCHDOG=1 while stopped"
[ "$scrape" = 000 ] && ok "stopped: the /metrics scrape times out (Prometheus: up == 0)" || fail "stopped: /metrics answered $scrape"
kill -CONT "$AGENT"; sleep 2
pings=$(awk -v t="$t0" '$1 > t + 4 && $2 == "WATCHDOG=1"' "$W/notify.log" | wc -l)
[ "$pings" -ge 1 ] && ok "continued: WATCHDOG=1 again ($pings)" || fail "no WATCHDOG=1 after SIGCONT"
kill -9 "$AGENT"; wait "$AGENT" 2>/dev/null; AGENT=""
code=$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/metrics")
[ "$code" = 000 ] && ok "killed (SIGKILL): /metrics is gone (Prometheus: up == 0, absent(bulwark_up))" || fail "killed: /metrics answered $code"

# ---- who restarts it ----
U=$ROOT/packaging/systemd/bulwark.service
if grep -qx 'Restart=always' "$U" && grep -qx 'Type=notify' "$U" && grep -q '^WatchdogSec=' "$U"; then
	ok "systemd unit: Restart=always, Type=notify, WatchdogSec=$(sed -n 's/^WatchdogSec=//p' "$U")"
else
	fail "systemd unit: Restart/Type/WatchdogSec not set for a restart"
fi
D=$ROOT/packaging/kubernetes/daemonset.yaml
if grep -A3 'livenessProbe:' "$D" | grep -q 'path: /healthz' && ! grep -q 'restartPolicy: *\(Never\|OnFailure\)' "$D"; then
	ok "DaemonSet: restartPolicy Always (the default) and a /healthz livenessProbe"
else
	fail "DaemonSet: no /healthz livenessProbe or a restartPolicy other than Always"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
