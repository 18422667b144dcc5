#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Soak (issue 16): SECONDS of mixed load on a running agent — the benchmark's workloads in
# rotation (loadgen openw, exec, connect, openr; 10 s each), short-lived containers started
# every 3 s, and a marker process executed twice a second that a rule of the test turns into
# an alert — delivered to a file and to an HTTP receiver that flaps (up, refusing connections,
# answering 503 with Retry-After, up...), then a drain with the receiver up. Asserts:
#   - RSS and open fds flat: after the warm-up (the first 10 % of the run, at least 45 s: one
#     rotation of the workloads, which fills the preallocated caches' pages) no
#     sample exceeds the warm-up's last 10 s median by 5 % or more;
#   - zero alerts lost: every marker is an alert in the file and at the receiver (by uuid);
#   - counters consistent: per output, accepted = sent + dead_lettered + dropped once drained
#     (queue and spool empty), dropped = 0; records from the kernel = events given to the
#     rules + malformed (within the records of one second in flight);
# and writes the RSS and fd curves (samples.csv, and a PNG with gnuplot when PLOT is set).
# Usage (root): tests/e2e/soak.sh BUILD_DIR SECONDS       make soak: 1800 s; make test: 90 s.
# Last line: "N passed, N failed".
set -u
BUILD=$(realpath "$1") SECS=${2:-90}
B=$BUILD/bulwark LG=$BUILD/loadgen
cd "$(dirname "$0")/../.."
W=$(mktemp -d /tmp/bulwark-soak.XXXXXX)
OUT=${SOAK_OUT:-$BUILD/soak}
P=bw-hostile-soak-$$
passed=0 failed=0 AGENT="" RECV="" SAMPLER="" LOAD=""
ok() { echo "ok   $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
# shellcheck source=tests/lib/private_docker.sh
. tests/lib/private_docker.sh
cleanup() {
	[ -n "$LOAD" ] && kill "$LOAD" 2>/dev/null
	docker rm -f $(docker ps -aq --filter "name=$P-") >/dev/null 2>&1
	for p in $SAMPLER $RECV; do kill "$p" 2>/dev/null; done
	[ -n "$AGENT" ] && kill -9 "$AGENT" 2>/dev/null && wait "$AGENT" 2>/dev/null
	private_docker_stop
	rm -rf "$W"
}
trap cleanup EXIT
mkdir -p "$OUT"
private_docker_start || { fail "no Docker engine: $(tail -3 "$W/dockerd.log" 2>/dev/null)"; echo "$passed passed, $failed failed"; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
MPORT=$(free_port) RPORT=$(free_port)

# ---- the flapping receiver: a webhook that records every alert's uuid and rule ----
python3 - "$RPORT" "$W/received" "$W/receiver.log" "$W/stable" <<'PY' &
import http.server, json, os, socket, sys, threading, time
port, rec, logp, stable = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
out = open(rec, "a", buffering=1)
log = open(logp, "a", buffering=1)
class H(http.server.BaseHTTPRequestHandler):
    mode = "up"
    def log_message(self, *a): pass
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if H.mode == "503":
            self.send_response(503); self.send_header("Retry-After", "1"); self.send_header("Content-Length", "0")
            self.end_headers(); return
        for line in body.decode(errors="replace").splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                items = json.loads(line)
            except ValueError:
                continue
            for a in items if isinstance(items, list) else [items]:
                out.write("%s %s\n" % (a.get("uuid"), a.get("rule", "").replace(" ", "_")))
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
http.server.ThreadingHTTPServer.allow_reuse_address = True
srv = None
def serve():
    global srv
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
serve()
# flap: 20 s up, 8 s down (connection refused), 6 s answering 503 + Retry-After: 1, ... until told to stay up
phase = 0
while not os.path.exists(stable):
    if phase % 3 == 0:
        time.sleep(20)
    elif phase % 3 == 1:
        srv.shutdown(); srv.server_close(); log.write("%.0f down\n" % time.time())
        for _ in range(16):
            if os.path.exists(stable): break
            time.sleep(0.5)
        serve(); log.write("%.0f up\n" % time.time())
    else:
        H.mode = "503"; log.write("%.0f 503\n" % time.time())
        for _ in range(12):
            if os.path.exists(stable): break
            time.sleep(0.5)
        H.mode = "up"
    phase += 1
log.write("%.0f stable\n" % time.time())
while True:
    time.sleep(3600)
PY
RECV=$!

# ---- the agent: default rules + the marker rule + the private engine's layers ----
cp /bin/true "$W/bw-soak-marker"
private_docker_rules "$W/local.yaml"
cat >>"$W/local.yaml" <<'EOF'
- rule: Soak Marker
  desc: the soak's marker process (tests/e2e/soak.sh)
  condition: evt.type in (execve, execveat) and proc.name = bw-soak-marker
  output: soak marker (pid=%proc.pid)
  priority: WARNING
EOF
cat >"$W/bulwark.yaml" <<EOF
outputs:
  - spec: file:$W/a.json
    spool: false
  - spec: http://127.0.0.1:$RPORT/alerts?batch=50
spool_dir: $W/spool
metrics:
  listen: 127.0.0.1:$MPORT
EOF
"$B" run -c "$W/bulwark.yaml" -r rules/ -r "$W/local.yaml" --docker-socket "$PRIVATE_DOCKER_EXEC.sock" \
	--docker-root "$PRIVATE_DOCKER_ROOT" >/dev/null 2>"$W/agent.log" &
AGENT=$!
for _ in $(seq 60); do grep -q '"bulwark running:' "$W/agent.log" && break; sleep 0.5; done
grep -q '"bulwark running:' "$W/agent.log" || { fail "the agent did not start: $(tail -3 "$W/agent.log")"; echo "$passed passed, $failed failed"; exit 1; }
T0=$(date +%s)
# t, RSS kB, open fds, and what the caches hold (to tell a leak from a cache filling up)
(while kill -0 "$AGENT" 2>/dev/null; do
	m=$(curl -s -m 1 "http://127.0.0.1:$MPORT/metrics")
	echo "$(($(date +%s) - T0)),$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/"$AGENT"/status),$(ls /proc/"$AGENT"/fd | wc -l),$(awk '/^bulwark_proctree_entries / { p = $2 } /^bulwark_container_cache_entries / { c = $2 } END { print p + 0 "," c + 0 }' <<<"$m")"
	sleep 1
done) >"$W/samples.csv" 2>/dev/null &
SAMPLER=$!

# ---- the load ----
(
	modes=("openw -r 3000 -p 2 -a $W/files" "exec -r 300 -p 2 -a /bin/true" "connect -r 2000 -p 2" "openr -r 3000 -p 2 -a /etc/hostname")
	mkdir -p "$W/files"
	i=0
	while :; do
		# shellcheck disable=SC2086 # a mode and its options
		"$LG" ${modes[$((i % 4))]} -d 10 >>"$W/load.log" 2>&1 &
		echo $! >"$W/lg.pid"
		wait $!
		i=$((i + 1))
	done
) &
LOAD=$!
end=$((T0 + SECS)) markers=0 n=0 CHURN_PIDS=""
while [ "$(date +%s)" -lt "$end" ]; do
	"$W/bw-soak-marker" && markers=$((markers + 1))
	n=$((n + 1))
	if [ $((n % 6)) = 0 ]; then
		(docker run --rm --name "$P-$n" --network none "$IMAGE" true >/dev/null 2>&1 && echo ran >>"$W/churned") &
		CHURN_PIDS="$CHURN_PIDS $!"
	fi
	sleep 0.5
done
kill "$LOAD" 2>/dev/null; wait "$LOAD" 2>/dev/null; LOAD=""
kill "$(cat "$W/lg.pid")" 2>/dev/null # its workers follow (PR_SET_PDEATHSIG)
# shellcheck disable=SC2086 # a list of pids
wait $CHURN_PIDS 2>/dev/null
churned=$(grep -c . "$W/churned" 2>/dev/null || echo 0)
: >"$W/stable"
echo "info: $markers markers, $churned containers churned, receiver: $(tr '\n' ' ' <"$W/receiver.log")"

# ---- drain: the receiver stays up; the webhook's queue and spool empty ----
metrics() { curl -s -m 3 "http://127.0.0.1:$MPORT/metrics"; }
val() { awk -v k="$1" 'index($0, k " ") == 1 { print $NF }' "$W/m"; }
WEBHOOK=""
for _ in $(seq 120); do
	metrics >"$W/m"
	WEBHOOK=$(sed -n 's/^bulwark_output_queue_length{output="\([^"]*\)"}.*/\1/p' "$W/m" | grep -v '^file-' | head -1)
	q=$(val "bulwark_output_queue_length{output=\"$WEBHOOK\"}")
	sb=$(val "bulwark_output_spool_bytes{output=\"$WEBHOOK\"}")
	[ "${q:-1}" = 0 ] && [ "${sb:-1}" = 0 ] && [ "$(grep -c Soak_Marker "$W/received" 2>/dev/null)" -ge "$markers" ] && break
	sleep 1
done
sleep 2
metrics >"$W/m"
kill -0 "$AGENT" 2>/dev/null && ok "the agent ran $SECS s of mixed load ($(grep -c . "$W/load.log") workload runs, $churned containers, receiver flapping)" ||
	fail "the agent died: $(tail -5 "$W/agent.log")"

# ---- RSS and fds ----
cp "$W/samples.csv" "$OUT/samples.csv"
python3 - "$W/samples.csv" "$SECS" >"$W/flat" <<'PY'
import sys, statistics
rows = [tuple(int(x) for x in l.strip().split(",")) for l in open(sys.argv[1]) if l.count(",") == 4 and "" not in l.strip().split(",")]
secs = int(sys.argv[2])
warm = max(45, secs // 10)  # one rotation of the four workloads at least
base = [r for r in rows if warm - 10 <= r[0] < warm]
after = [r for r in rows if r[0] >= warm]
if not base or not after:
    print("rss insufficient samples"); sys.exit(1)
bad = 0
for i, name in ((1, "rss_kb"), (2, "fds")):
    b = statistics.median(r[i] for r in base)
    m = max(r[i] for r in after)
    end = statistics.median(r[i] for r in after[-10:])
    g = (m - b) / b * 100
    print("%s warm-up median %d, max after %d (%+.1f %%), last 10 s median %d" % (name, b, m, g, end))
    bad += g >= 5
print("proctree entries %d -> %d, container cache %d -> %d" % (after[0][3], after[-1][3], after[0][4], after[-1][4]))
sys.exit(1 if bad else 0)
PY
flat=$?
if [ "$flat" = 0 ]; then
	ok "RSS and fds flat after the warm-up (growth < 5 %): $(tr '\n' ';' <"$W/flat")"
else
	fail "RSS or fds grew 5 % or more after the warm-up: $(tr '\n' ';' <"$W/flat")"
fi

# ---- zero alerts lost ----
in_file=$(grep -c '"rule":"Soak Marker"' "$W/a.json")
at_recv=$(awk '$2 == "Soak_Marker" { u[$1] = 1 } END { print length(u) }' "$W/received")
[ "$in_file" = "$markers" ] && ok "file output: $in_file of $markers marker alerts" || fail "file output: $in_file of $markers marker alerts"
[ "$at_recv" = "$markers" ] && ok "flapping receiver: $at_recv of $markers marker alerts (unique uuids; $(grep -c . "$W/received") deliveries in all)" ||
	fail "flapping receiver: $at_recv of $markers marker alerts"

# ---- counters ----
for o in $(sed -n 's/^bulwark_output_alerts_total{output="\([^"]*\)",state="accepted"}.*/\1/p' "$W/m"); do
	st() { val "bulwark_output_alerts_total{output=\"$o\",state=\"$1\"}"; }
	a=$(st accepted) s=$(st sent) d=$(st dead_lettered) x=$(st dropped) sp=$(st spooled) r=$(st retried)
	q=$(val "bulwark_output_queue_length{output=\"$o\"}") sb=$(val "bulwark_output_spool_bytes{output=\"$o\"}")
	if [ "$q" = 0 ] && [ "$sb" = 0 ] && [ "$a" = $((s + d + x)) ] && [ "$x" = 0 ]; then
		ok "output $o: accepted $a = sent $s + dead_lettered $d + dropped $x (spooled $sp, retried $r on the way; queue and spool empty)"
	else
		fail "output $o: accepted $a, sent $s, dead_lettered $d, dropped $x, queue $q, spool bytes $sb"
	fi
done
alerts=$(val bulwark_alerts_total) supp=$(val bulwark_alerts_suppressed_total)
acc_file=$(awk '/^bulwark_output_alerts_total\{output="file-[^"]*",state="accepted"\}/ { print $NF }' "$W/m")
echo "info: alerts raised $alerts, folded by noise control $supp, accepted by the file output $acc_file"
records=$(val bulwark_kernel_records_total)
events=$(awk '/^bulwark_events_total\{/ { s += $NF } END { print s + 0 }' "$W/m")
malformed=$(awk '/^bulwark_malformed_records_total\{/ { s += $NF } END { print s + 0 }' "$W/m")
if python3 -c "import sys; r,e,m=$records,$events,$malformed; sys.exit(not (0 <= r - e - m <= max(2000, r // 1000)))"; then
	ok "records from the kernel $records = events to the rules $events + malformed $malformed (in flight: $((records - events - malformed)))"
else
	fail "records from the kernel $records, events to the rules $events, malformed $malformed"
fi
if [ -n "${PLOT:-}" ]; then
	gnuplot <<EOF && ok "plot: $PLOT"
set terminal pngcairo size 1000,480 font ",10"
set output '$PLOT'
set datafile separator ","
set title "bulwark under $((SECS / 60)) min of mixed load: resident memory and open fds\\n(workloads in rotation, container churn, a flapping receiver; $(date -u +%F), $(nproc) cores, Linux $(uname -r))"
set xlabel "seconds"
set ylabel "RSS (MiB)"
set y2label "open fds, containers cached"
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set grid
set xrange [0:$SECS]
set key bottom right
plot '$OUT/samples.csv' using 1:(\$2/1024) with lines lw 2 title "RSS (MiB)", '' using 1:3 axes x1y2 with lines lw 2 title "open fds", '' using 1:5 axes x1y2 with lines lw 2 title "containers cached (right axis)"
EOF
fi
kill "$AGENT"; wait "$AGENT" 2>/dev/null; AGENT=""
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
