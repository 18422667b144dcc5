#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Exhaustion (issue 16): real containers attack the agent with load for SECONDS while a
# release_agent breakout is performed in the middle of it:
#   - a container forking (and executing) as fast as its pids limit allows (--pids-limit 32,
#     40 children at a time: forks fail at the limit and are retried at once);
#   - a container writing thousands of files a second (loadgen openw, 5000/s);
#   - a container flooding connects on its loopback (loadgen connect, 5000/s);
#   - short-lived containers started and removed (CHURN of them, 3 at a time);
# and asserts: the agent keeps running with its peak RSS (VmHWM) under RSS_BOUND_MB (the
# DaemonSet's memory request, 128 MiB); kernel losses are counted on /metrics and, if any,
# reported by a "Kernel Events Dropped" alert; the breakout's critical events still arrive —
# its cgroup mount, the notify_on_release and release_agent writes (Critical alerts naming
# the container) and the host's exec of the container's file — and the release_agent alert's
# latency (its event time to its arrival in the output file) is reported and bounded
# (LATENCY_BOUND_S, 5 s). Its benign twin is the same flood without the breakout: no breakout
# alert for the flood containers (checked on the same run: the flood containers never raise
# one).
# Usage (root): tests/e2e/exhaust.sh BUILD_DIR [SECONDS [CHURN]]
#   make test: 20 s and 25 containers (under 60 s in all); make soak: 60 s and 100 containers.
# Last line: "N passed, N failed".
set -u
BUILD=$(realpath "$1") SECS=${2:-20} CHURN=${3:-25}
B=$BUILD/bulwark LG=$BUILD/loadgen-static
RSS_BOUND_MB=${RSS_BOUND_MB:-128} LATENCY_BOUND_S=${LATENCY_BOUND_S:-5}
cd "$(dirname "$0")/../.."
P=bw-hostile-exh-$$
W=$(mktemp -d /tmp/bulwark-exhaust.XXXXXX)
passed=0 failed=0 AGENT="" WATCH="" SAMPLER=""
ok() { echo "ok   $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
# shellcheck source=tests/lib/private_docker.sh
. tests/lib/private_docker.sh
cleanup() {
	docker exec "$P-brk" sh -c 'rmdir /tmp/cgrp/x 2>/dev/null; umount /tmp/cgrp 2>/dev/null' >/dev/null 2>&1
	docker rm -f $(docker ps -aq --filter "name=$P-") >/dev/null 2>&1
	[ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null
	[ -n "$WATCH" ] && kill "$WATCH" 2>/dev/null
	[ -n "$AGENT" ] && kill "$AGENT" 2>/dev/null && wait "$AGENT" 2>/dev/null
	private_docker_stop
	[ -n "${KEEP:-}" ] && cp "$W/a.json" "$W/agent.log" "$KEEP"/ 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

[ -x "$LG" ] || { fail "no $LG (make bench-progs)"; echo "$passed passed, $failed failed"; exit 1; }
private_docker_start || { fail "no Docker engine: $(tail -3 "$W/dockerd.log" 2>/dev/null)"; echo "$passed passed, $failed failed"; exit 1; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
: >"$W/a.json"
# every alert line with the wall-clock time it reached the output file
python3 - "$W/a.json" "$W/arrivals" <<'PY' &
import sys, time
src, dst = sys.argv[1], sys.argv[2]
with open(src) as f, open(dst, "a", buffering=1) as out:
    buf = ""
    while True:
        chunk = f.read()
        if not chunk:
            time.sleep(0.02)
            continue
        buf += chunk
        now = time.time_ns()
        while "\n" in buf:
            line, buf = buf.split("\n", 1)
            out.write("%d\t%s\n" % (now, line))
PY
WATCH=$!
# the private engine's data root is one more place container layers live (the documented tuning)
private_docker_rules "$W/local.yaml"
"$B" run -r rules/ -r "$W/local.yaml" -o "file:$W/a.json" --metrics-listen "127.0.0.1:$PORT" \
	--docker-socket "$PRIVATE_DOCKER_EXEC.sock" --docker-root "$PRIVATE_DOCKER_ROOT" >/dev/null 2>"$W/agent.log" &
AGENT=$!
for _ in $(seq 60); do grep -q '"bulwark running:' "$W/agent.log" && break; sleep 0.5; done
grep -q '"bulwark running:' "$W/agent.log" || { fail "the agent did not start: $(tail -3 "$W/agent.log")"; echo "$passed passed, $failed failed"; exit 1; }
# the agent's RSS twice a second
(while kill -0 "$AGENT" 2>/dev/null; do
	echo "$(date +%s.%N) $(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/"$AGENT"/status 2>/dev/null)"
	sleep 0.5
done) >"$W/rss" &
SAMPLER=$!

# the breakout's container first (ready before the flood), then the floods
BREAKOUT_FLAGS="--cap-add SYS_ADMIN --security-opt apparmor=unconfined --security-opt seccomp=unconfined"
# shellcheck disable=SC2086
docker run -d --name "$P-brk" --network none $BREAKOUT_FLAGS "$IMAGE" sleep 600 >/dev/null ||
	fail "docker run (breakout container)"
T0=$(date +%s.%N)
# (no date(1) in the image: it forks until it is killed at the end of the flood)
docker run -d --name "$P-fork" --network none --pids-limit 32 --cpus 0.5 "$IMAGE" sh -c \
	'while :; do i=0; while [ $i -lt 40 ]; do /bin/true 2>/dev/null & i=$((i+1)); done; wait; done' >/dev/null
docker run -d --name "$P-files" --network none --cpus 0.5 -v "$LG:/loadgen:ro" "$IMAGE" \
	sh -c "/loadgen openw -r 5000 -p 2 -d $SECS -a /tmp; true" >/dev/null
docker run -d --name "$P-conn" --network none --cpus 0.5 -v "$LG:/loadgen:ro" "$IMAGE" \
	sh -c "/loadgen connect -r 5000 -p 2 -d $SECS; true" >/dev/null
# churn: CHURN short-lived containers, 3 at a time; each one that ran is counted
(for i in $(seq "$CHURN"); do
	(docker run --rm --cidfile "$W/cid-churn-$i" --name "$P-churn-$i" --network none "$IMAGE" true >/dev/null 2>&1 &&
		echo ran >>"$W/churned") &
	[ $((i % 3)) = 0 ] && wait
done
wait) &
CHURNER=$!
# the breakout, in the middle of the flood (tests/e2e/attacks.c's, on a new named hierarchy)
sleep "$(python3 -c "print($SECS / 2)")"
docker exec "$P-brk" sh -c '
	mkdir -p /tmp/cgrp && mount -t cgroup -o none,name=bwhostile'"$$"' cgroup /tmp/cgrp && mkdir -p /tmp/cgrp/x
	echo 1 > /tmp/cgrp/x/notify_on_release
	host_path=$(sed -n "s/.*\perdir=\([^,]*\).*/\1/p" /proc/mounts)
	printf "#!/bin/sh\necho ran > %s/output\n" "$host_path" > /cmd; chmod a+x /cmd
	echo "$host_path/cmd" > /tmp/cgrp/release_agent
	sh -c "echo \$\$ > /tmp/cgrp/x/cgroup.procs"' 2>"$W/breakout.err" ||
	fail "the breakout script failed: $(cat "$W/breakout.err")"
BRK_ID=$(docker inspect -f '{{.Id}}' "$P-brk")
docker inspect -f '{{.Id}}' "$P-fork" "$P-files" "$P-conn" >"$W/flood-ids" 2>/dev/null
# the rest of the flood, then the churn
while [ "$(python3 -c "import time; print(int(time.time() < $T0 + $SECS))")" = 1 ]; do sleep 0.5; done
docker kill "$P-fork" >/dev/null 2>&1
wait "$CHURNER" 2>/dev/null
CHURNED=$(grep -c . "$W/churned" 2>/dev/null || echo 0)
docker exec "$P-brk" sh -c 'rmdir /tmp/cgrp/x; umount /tmp/cgrp' >/dev/null 2>&1
sleep 3 # the drop report and the last batches
cat "$W"/cid-churn-* >>"$W/flood-ids" 2>/dev/null; echo >>"$W/flood-ids"
FLOOD=$(docker logs "$P-files" 2>&1 | tail -1)
CONN=$(docker logs "$P-conn" 2>&1 | tail -1)
metrics=$(curl -s -m 3 "http://127.0.0.1:$PORT/metrics")
kill -0 "$AGENT" 2>/dev/null && ok "the agent kept running through $SECS s of flood ($FLOOD; $CONN; $CHURNED of $CHURN short-lived containers ran)" ||
	fail "the agent died: $(tail -5 "$W/agent.log")"

# ---- memory ----
hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/"$AGENT"/status)
rss_max=$(awk '$2 > m { m = $2 } END { print m + 0 }' "$W/rss")
if [ -n "$hwm" ] && [ "$hwm" -lt $((RSS_BOUND_MB * 1024)) ]; then
	ok "peak RSS (VmHWM) $((hwm / 1024)) MiB (sampled max $((rss_max / 1024)) MiB) under the $RSS_BOUND_MB MiB bound"
else
	fail "peak RSS (VmHWM) ${hwm:-?} kB over the $RSS_BOUND_MB MiB bound"
fi

# ---- drops: counted, and alerted when there are any ----
drops=$(awk '/^bulwark_kernel_drops_total\{/ { s += $2 } END { print s + 0 }' <<<"$metrics")
records=$(awk '/^bulwark_kernel_records_total / { print $2 }' <<<"$metrics")
drop_alerts=$(grep -c '"rule":"Kernel Events Dropped"' "$W/a.json")
if [ -z "$records" ]; then
	fail "no bulwark_kernel_records_total on /metrics"
elif [ "$drops" -gt 0 ] && [ "$drop_alerts" -ge 1 ]; then
	ok "kernel losses counted ($drops of $records records) and alerted ($drop_alerts Kernel Events Dropped)"
elif [ "$drops" = 0 ] && [ "$drop_alerts" = 0 ]; then
	ok "no kernel losses ($records records, bulwark_kernel_drops_total 0) and no drop alert"
else
	fail "drops $drops but $drop_alerts Kernel Events Dropped alerts"
fi

# ---- the breakout under flood ----
python3 - "$W/arrivals" "$BRK_ID" "$W/flood-ids" "$LATENCY_BOUND_S" >"$W/breakout" <<'PY'
import json, sys, datetime
arrivals, cid, ids, bound = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
flood = [l.strip() for l in open(ids) if l.strip()]
want = {"Container Escape via cgroup release_agent": None, "cgroup notify_on_release Enabled in Container": None,
        "Mount in Container": None}
host_exec = None
flood_breakouts = []
def ns(t):  # RFC 3339 with nanoseconds, Z
    d = datetime.datetime.strptime(t[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    frac = t[20:-1] if len(t) > 20 else "0"
    return int(d.timestamp()) * 10**9 + int(frac.ljust(9, "0")[:9])
for line in open(arrivals):
    at, _, text = line.rstrip("\n").partition("\t")
    try:
        a = json.loads(text)
    except ValueError:
        continue
    f = a.get("output_fields", {})
    r = a.get("rule")
    ctr = f.get("container.id", "")
    if r in want and ctr and cid.startswith(ctr) and a.get("priority") == "Critical" and want[r] is None:
        want[r] = (int(at) - ns(a["time"])) / 1e9
    elif r in want and ctr and any(i.startswith(ctr) for i in flood):
        flood_breakouts.append("%s:%s" % (r.replace(" ", "_"), a.get("output", "")[:160].replace(" ", "_")))
    if r == "Host Executed File From Container Layer" and ("/cmd" in str(f.get("proc.exe", "")) or "/cmd" in a.get("output", "")):
        host_exec = (int(at) - ns(a["time"])) / 1e9
bad = [r for r, v in want.items() if v is None]
for r, v in want.items():
    print("latency %s %s" % (r.replace(" ", "_"), "missing" if v is None else "%.3f" % v))
print("latency host_exec %s" % ("missing" if host_exec is None else "%.3f" % host_exec))
print("flood_breakouts %d" % len(flood_breakouts))
for r in flood_breakouts: print("flood_rule", r)
sys.exit(1 if bad or host_exec is None else 0)
PY
brk_rc=$?
lat=$(sed -n 's/^latency Container_Escape_via_cgroup_release_agent //p' "$W/breakout")
if [ "$brk_rc" = 0 ]; then
	ok "mid-flood breakout: mount, notify_on_release, release_agent (Critical, its container) and the host's exec of its /cmd all arrived: $(tr '\n' ' ' <"$W/breakout")"
else
	fail "mid-flood breakout: an event missing: $(tr '\n' ' ' <"$W/breakout"); alerts by rule: $(sed -n 's/.*"rule":"\([^"]*\)".*/\1/p' "$W/a.json" | sort | uniq -c | tr '\n' ' ')"
fi
if [ -n "$lat" ] && [ "$lat" != missing ] && python3 -c "import sys; sys.exit(not ($lat < $LATENCY_BOUND_S))"; then
	ok "release_agent alert latency under flood ${lat} s (event time to the output file; bound $LATENCY_BOUND_S s)"
else
	fail "release_agent alert latency '${lat:-?}' s (bound $LATENCY_BOUND_S s)"
fi
fb=$(sed -n 's/^flood_breakouts //p' "$W/breakout")
[ "${fb:-1}" = 0 ] && ok "benign twin: the flood containers (fork, files, connects, churn) raised no breakout alert" ||
	fail "the flood containers raised $fb breakout alerts"
echo "info: peak_rss_kb=$hwm drops=$drops records=$records breakout_latency_s=$lat seconds=$SECS churn=$CHURN"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
