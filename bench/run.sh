#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The benchmark harness (docs/BENCHMARKS.md): every workload under every
# configuration, on this machine, in one run. Configurations are interleaved
# (for each repetition and workload: A B C ..., the starting one rotating) and
# the figures are medians over the repetitions. Then, for bulwark alone: the
# highest event rate sustained with zero drops (trace and run), the latency
# from a syscall to its alert in a file, and memory with 10,000 processes in
# 500 containers.
#
# Usage: bench/run.sh [BUILD_DIR]     (as root; `make bench` builds and runs it)
# Environment:
#   BENCH_REPS=5 BENCH_SECS=3   repetitions, seconds per workload run
#   BENCH_SMOKE=1               one short repetition of everything, results in a temporary
#                               directory (the test suite's smoke run: form, not speed)
#   BENCH_OUT=DIR               results directory (default bench/results)
#   BENCH_PLOT=FILE             the plot (default docs/benchmarks-slowdown.png; none when smoke)
#   BENCH_WORKLOADS, BENCH_CONFIGS  subsets, space-separated
# Prints the table; writes DIR/<UTC date>.json (and DIR/raw-<date>.jsonl, every run).
set -eu
cd "$(dirname "$0")/.."
B=${1:-build}
SMOKE=${BENCH_SMOKE:-0}
if [ "$SMOKE" = 1 ]; then
	# the smoke run checks form, not speed: paced storms, so that it does not flood the tracers of
	# tests that run beside it on a shared machine
	REPS=1 SECS=1 PACE="-r 2000"
else
	REPS=${BENCH_REPS:-5} SECS=${BENCH_SECS:-3} PACE=""
fi
WORKLOADS=${BENCH_WORKLOADS:-exec openw openr connect build nginx}
CONFIGS=${BENCH_CONFIGS:-base floor floor-raw bulwark libbpf-tools bpftrace}
STAMP=$(date -u +%Y-%m-%dT%H%M%SZ)
work=$(mktemp -d /tmp/bulwark-bench.XXXXXX)
chmod 755 "$work"
if [ "$SMOKE" = 1 ]; then
	OUT=${BENCH_OUT:-$work/results} PLOT=${BENCH_PLOT:-$work/slowdown.png}
else
	OUT=${BENCH_OUT:-bench/results} PLOT=${BENCH_PLOT:-docs/benchmarks-slowdown.png}
fi
mkdir -p "$OUT"
RAW=$OUT/raw-$STAMP.jsonl
TPIDS="" NGINX_PID="" FARM_PID="" STATS_WAS=""
HZ=$(getconf CLK_TCK)

cleanup() {
	for p in $TPIDS $FARM_PID; do kill -TERM "$p" 2>/dev/null || true; done
	for p in $TPIDS $FARM_PID; do wait "$p" 2>/dev/null || true; done
	[ -n "$NGINX_PID" ] && kill -QUIT "$NGINX_PID" 2>/dev/null
	[ -n "$STATS_WAS" ] && sysctl -qw kernel.bpf_stats_enabled="$STATS_WAS"
	rm -rf "$work" 2>/dev/null || true
}
trap 'st=$?; cleanup; exit $st' EXIT
trap 'exit 130' INT TERM

say() { echo "bench: $*" >&2; }
die() { say "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (BPF)"
for t in "$B"/bulwark "$B"/loadgen "$B"/bench/tiny "$B"/bench/latency "$B"/bench/floor "$B"/bench/procfarm; do
	[ -x "$t" ] || die "$t missing: make bench-progs"
done
for t in bpftrace opensnoop execsnoop wrk nginx gnuplot python3 bpftool; do
	command -v "$t" >/dev/null || die "$t missing: bench/deps.sh"
done

# ---- helpers -------------------------------------------------------------------------

# wait_for PATTERN FILE PID: until FILE has PATTERN (30 s), or PID died
wait_for() {
	i=0
	until grep -q "$1" "$2" 2>/dev/null; do
		kill -0 "$3" 2>/dev/null || { cat "$2" "$work"/run/err 2>/dev/null | tail -5 >&2; die "tracer $3 died before '$1'"; }
		i=$((i + 1)); [ $i -lt 600 ] || die "no '$1' in $2 after 30 s"
		sleep 0.05
	done
}

# wait_links PID: until the process's BPF links / perf events stop growing (libbpf-tools print no ready line)
wait_links() {
	last=-1 same=0 i=0
	while [ $same -lt 4 ]; do
		n=$(ls -l /proc/"$1"/fd 2>/dev/null | grep -cE 'perf_event|bpf_link' || true)
		if [ "$n" -gt 0 ] && [ "$n" = "$last" ]; then same=$((same + 1)); else same=0; fi
		last=$n
		i=$((i + 1)); [ $i -lt 600 ] || die "tracer $1 attached nothing in 30 s"
		sleep 0.05
	done
}

# cpu_ticks PID...: user + system clock ticks of the processes (all threads)
cpu_ticks() {
	t=0
	for p in "$@"; do
		v=$(sed 's/.*) //' /proc/"$p"/stat 2>/dev/null | awk '{print $12 + $13}')
		t=$((t + ${v:-0}))
	done
	echo $t
}

# hwm_kb PID...: the largest peak RSS among the processes
hwm_kb() {
	m=0
	for p in "$@"; do
		v=$(awk '/^VmHWM/{print $2}' /proc/"$p"/status 2>/dev/null)
		[ "${v:-0}" -gt $m ] && m=$v
	done
	echo $m
}

# start_tracer CONFIG: starts it with its files in $work/run, sets TPIDS once it is attached
start_tracer() {
	r=$work/run
	rm -rf "$r"; mkdir -p "$r"
	TPIDS=""
	case $1 in
	base) ;;
	floor|floor-raw)
		raw=""; [ "$1" = floor-raw ] && raw=--raw-syscalls
		"$B"/bench/floor $raw "$B"/bulwark.bpf.o "$B"/bench/floor.bpf.o 2>"$r"/err &
		TPIDS=$!; wait_for "floor ready" "$r"/err "$TPIDS" ;;
	bulwark)
		"$B"/bulwark run -o file:"$r"/alerts.json >/dev/null 2>"$r"/err &
		TPIDS=$!; wait_for "sensor ready" "$r"/err "$TPIDS" ;;
	libbpf-tools)
		# as shipped, output to a file (block-buffered); tcpconnect needs kprobes, which this kernel lacks
		opensnoop >"$r"/os.out 2>"$r"/os.err &
		p1=$!
		execsnoop >"$r"/es.out 2>"$r"/es.err &
		TPIDS="$p1 $!"
		wait_links "$p1"; wait_links "$!" ;;
	bpftrace)
		bpftrace -o "$r"/bt.out bench/peers/bulwark-events.bt >/dev/null 2>"$r"/err &
		TPIDS=$!; wait_for "^ready" "$r"/bt.out "$TPIDS" ;;
	*) die "unknown configuration $1" ;;
	esac
}

stop_tracer() {
	for p in $TPIDS; do kill -INT "$p" 2>/dev/null || true; done
	for p in $TPIDS; do wait "$p" 2>/dev/null || true; done
	TPIDS=""
}

# ---- workloads: each prints its rate (operations per second; builds per second) ----------
mkdir -p "$work"/files "$work"/objs "$work"/tp "$work"/www
echo "not watched by any rule" >"$work"/readonly.txt
BUILD_SRCS=$(ls agent/*.c agent/rules/*.c agent/output/*.c)
[ "$SMOKE" = 1 ] && BUILD_SRCS=$(echo "$BUILD_SRCS" | head -n 4)
head -c 1024 /dev/zero | tr '\0' 'x' >"$work"/www/index.html
start_nginx() {
	mkdir -p "$work"/nginx/logs
	# below the ephemeral range (32768-), where the connect storm leaves its TIME_WAIT ports;
	# another port if this one is taken (another harness, a test's server)
	NGINX_PORT=$((10000 + ($$ + ${1:-0} * 7919) % 20000))
	cat >"$work"/nginx/nginx.conf <<EOF
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 256; }
http {
	access_log off;
	client_body_temp_path $work/nginx/tmp;
	proxy_temp_path $work/nginx/tmp;
	fastcgi_temp_path $work/nginx/tmp;
	uwsgi_temp_path $work/nginx/tmp;
	scgi_temp_path $work/nginx/tmp;
	server { listen 127.0.0.1:$NGINX_PORT; root $work/www; }
}
EOF
	if ! nginx -c "$work"/nginx/nginx.conf -p "$work"/nginx 2>"$work"/nginx/start.err; then
		[ "${1:-0}" -lt 5 ] || { cat "$work"/nginx/start.err >&2; die "nginx did not start"; }
		start_nginx $((${1:-0} + 1))
		return
	fi
	i=0
	until [ -s "$work"/nginx/nginx.pid ]; do i=$((i + 1)); [ $i -lt 100 ] || die "nginx did not start"; sleep 0.05; done
	NGINX_PID=$(cat "$work"/nginx/nginx.pid)
}

rate_of() { sed -n 's/.* rate=\([0-9]*\).*/\1/p'; }

workload() {
	case $1 in
	exec) "$B"/loadgen exec -d "$SECS" -p 2 $PACE -a "$B"/bench/tiny | rate_of ;;
	openw) "$B"/loadgen openw -d "$SECS" -p 2 $PACE -a "$work"/files | rate_of ;;
	openr) "$B"/loadgen openr -d "$SECS" -p 2 $PACE -a "$work"/readonly.txt | rate_of ;;
	connect) "$B"/loadgen connect -d "$SECS" -p 2 $PACE | rate_of ;;
	nginx)
		if [ "$SMOKE" = 1 ]; then c="-t1 -c1"; else c="-t2 -c16"; fi
		wrk $c -d"${SECS}s" http://127.0.0.1:"$NGINX_PORT"/index.html | awk '/^Requests\/sec/{print $2}' ;;
	build)
		t0=$(date +%s.%N)
		echo "$BUILD_SRCS" | xargs -P2 -I{} sh -c \
			'cc -O1 -D_GNU_SOURCE -Iagent -Ibpf/include -I"$1" -c "$2" -o "$3/$(echo "$2" | tr / _).o"' \
			sh "$B" {} "$work"/objs || die "build workload failed"
		t1=$(date +%s.%N)
		echo "$t0 $t1" | awk '{printf "%.4f\n", 1 / ($2 - $1)}' ;;
	*) die "unknown workload $1" ;;
	esac
}

# BPF tracing programs loaded by others (another agent or test running on this machine skews every figure)
foreign_bpf() {
	bpftool -j prog show 2>/dev/null | python3 -c '
import json, sys
ps = json.load(sys.stdin)
print(sum(1 for p in ps if p.get("type") in ("tracepoint", "tracing", "raw_tracepoint", "kprobe", "perf_event")))' \
		2>/dev/null || echo -1
}

# ---- the machine ----------------------------------------------------------------------------
cores=$(nproc)
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem_gb=$(awk '/MemTotal/{printf "%.0f", $2 / 1048576}' /proc/meminfo)
printf '{"kind":"machine","date":"%s","kernel":"%s","cores":%s,"cpu":"%s","mem_gib":%s,"load_at_start":"%s","reps":%s,"secs":%s,"command":"%s"}\n' \
	"$STAMP" "$(uname -r)" "$cores" "$cpu_model" "$mem_gb" "$(cut -d' ' -f1-3 /proc/loadavg)" "$REPS" "$SECS" \
	"$( [ "$SMOKE" = 1 ] && echo 'BENCH_SMOKE=1 ' )make bench" >"$RAW"
printf '{"kind":"settings","workloads":"%s","configs":"%s","bpftrace":"%s","libbpf_tools":"%s","nginx":"%s","wrk":"%s"}\n' \
	"$WORKLOADS" "$CONFIGS" "$(bpftrace --version 2>&1 | head -n 1)" \
	"$(dpkg-query -W -f='${Version}' libbpf-tools 2>/dev/null)" "$(nginx -v 2>&1 | sed 's/.*\///')" \
	"$(dpkg-query -W -f='${Version}' wrk 2>/dev/null)" >>"$RAW"
say "$cores cores, $cpu_model, Linux $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg); $REPS reps x ${SECS}s"

case " $WORKLOADS " in *" nginx "*) start_nginx ;; esac

# ---- 1. the matrix: repetitions x workloads x configurations, interleaved -------------------------
set -- $CONFIGS
nconf=$#
rep=1
while [ $rep -le "$REPS" ]; do
	foreign=$(foreign_bpf)
	[ "$foreign" -gt 0 ] && say "repetition $rep: $foreign BPF tracing programs of others are loaded: figures are skewed"
	for w in $WORKLOADS; do
		# rotate the order so that no configuration always runs first (or right after the same one)
		k=0 order=""
		for c in $CONFIGS; do
			[ $k -ge $(((rep - 1) % nconf)) ] && order="$order $c"
			k=$((k + 1))
		done
		k=0
		for c in $CONFIGS; do
			[ $k -lt $(((rep - 1) % nconf)) ] && order="$order $c"
			k=$((k + 1))
		done
		# the smoke run: every configuration once (on the write-open storm), every workload under base and bulwark
		if [ "$SMOKE" = 1 ] && [ "$w" != openw ]; then
			order=""
			for c in $CONFIGS; do case $c in base|bulwark) order="$order $c" ;; esac; done
		fi
		for c in $order; do
			start_tracer "$c"
			load=$(cut -d' ' -f1 /proc/loadavg)
			c0=$(cpu_ticks $TPIDS)
			rate=$(workload "$w")
			sleep 0.3 # the agent drains what the workload left in the rings
			c1=$(cpu_ticks $TPIDS)
			hwm=$(hwm_kb $TPIDS)
			stop_tracer
			fig=$(python3 bench/results.py collect "$c" "$work"/run)
			[ -n "$rate" ] || die "$w under $c: the workload reported no rate"
			printf '{"kind":"run","rep":%d,"workload":"%s","config":"%s","rate":%s,"cpu_s":%s,"hwm_kb":%s,"load1":%s,"foreign_bpf":%s,"tracer":%s}\n' \
				"$rep" "$w" "$c" "$rate" "$(echo "$c0 $c1 $HZ" | awk '{printf "%.3f", ($2 - $1) / $3}')" \
				"$hwm" "$load" "$foreign" "$fig" >>"$RAW"
			say "rep $rep $w $c: rate $rate $fig"
		done
	done
	rep=$((rep + 1))
done

# ---- 1b. the hook choice: a syscall no hook wants, under per-syscall tracepoints and under raw sys_enter/exit --
hc_json=""
rep=1
while [ $rep -le "$REPS" ]; do
	for c in base floor floor-raw; do
		start_tracer "$c"
		rate=$("$B"/loadgen getppid -d 1 -p 2 $PACE | rate_of)
		stop_tracer
		hc_json="$hc_json${hc_json:+,}{\"rep\":$rep,\"config\":\"$c\",\"rate\":$rate}"
		say "hook choice rep $rep $c: getppid $rate/s"
	done
	rep=$((rep + 1))
done
echo "{\"kind\":\"hook_choice\",\"workload\":\"getppid, 2 procs, 1 s\",\"runs\":[$hc_json]}" >>"$RAW"

# ---- 2. the hooks: the floor attaches what bulwark attaches -----------------------------------------
# links_of PID: "<perf links> <raw_tracepoint links>" held by the process (its attached tracepoints and tp_btf hooks)
links_of() {
	cat /proc/"$1"/fdinfo/* 2>/dev/null | awk '/^link_type:/{n[$2]++} END{printf "%d %d\n", n["perf"], n["raw_tracepoint"]}'
}
start_tracer bulwark
bw_hooks=$(sed -n 's/.*sensor ready: \([0-9]*\) hooks attached.*/\1/p' "$work"/run/err)
bw_links=$(links_of "$TPIDS")
stop_tracer
start_tracer floor
fl_links=$(links_of "$TPIDS")
fl_listed=$(grep -c '^hook ' "$work"/run/err || true)
stop_tracer
set -- $bw_links $fl_links
printf '{"kind":"hooks","bulwark_attached":%s,"bulwark_tracepoint_links":%s,"bulwark_tp_btf_links":%s,"floor_tracepoint_links":%s,"floor_tp_btf_links":%s,"same":%s}\n' \
	"$bw_hooks" "$1" "$2" "$3" "$4" \
	"$([ "$1" = "$3" ] && [ "$2" = "$4" ] && [ "$bw_hooks" = $(($3 + $4)) ] && [ "$fl_listed" = "$bw_hooks" ] && echo true || echo false)" >>"$RAW"
say "hooks: bulwark $bw_hooks ($1 tracepoints, $2 tp_btf), floor $3 + $4"

# ---- 3. the highest rate sustained with zero drops: opens with write intent, rising rates -----------
# trace and run: write-opens of existing files (openwk: a file resolved, a full record); run_refused:
# write-opens refused with ENOENT (openwx: the cheapest event the kernel makes, so that the
# generator, not the kernel's open path, sets the ceiling of what the agent is offered).
if [ "$SMOKE" = 1 ]; then RATES="2000"; else RATES="50000 100000 150000 200000 250000 300000 350000 400000 450000 500000"; fi
tp_json=""
for spec in trace:openwk run:openwk run_refused:openwx; do
	name=${spec%%:*} gen=${spec#*:} mode=${name%%_*}
	best=0 steps=""
	for rate in $RATES; do
		r=$work/run; rm -rf "$r"; mkdir -p "$r"
		if [ $mode = trace ]; then
			# trace's JSON goes to /dev/null: the pipeline is measured, not the disk
			"$B"/bulwark trace --events open >/dev/null 2>"$r"/err &
		else
			"$B"/bulwark run -o file:"$r"/alerts.json >/dev/null 2>"$r"/err &
		fi
		TPIDS=$!; wait_for "sensor ready" "$r"/err "$TPIDS"
		c0=$(cpu_ticks $TPIDS)
		got=$("$B"/loadgen "$gen" -r "$rate" -d "$SECS" -p 2 -a "$work"/tp | rate_of)
		sleep 0.3
		c1=$(cpu_ticks $TPIDS)
		stop_tracer
		st=$(python3 bench/results.py stats "$r"/err)
		step=$(echo "$st" | python3 -c '
import json, sys
s = json.load(sys.stdin); k = s["kernel"]
rate, got, cpu, secs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
print(json.dumps({"offered": rate, "achieved": got, "events": s["events"]["open"],
  "rules_events": s.get("rules", {}).get("events"),
  "drops": k["drop_ringbuf_common"] + k["drop_ringbuf_critical"], "agent_cores": round(cpu / secs, 3)}))' \
			"$rate" "$got" "$(echo "$c0 $c1 $HZ" | awk '{print ($2 - $1) / $3}')" "$SECS")
		say "throughput $name: $step"
		steps="$steps${steps:+,}$step"
		drops=$(echo "$step" | python3 -c 'import json,sys; print(json.load(sys.stdin)["drops"])')
		[ "$drops" -eq 0 ] || break
		best=$got
		# the generator could not reach this rate: the machine, not the agent, is the limit
		[ "$got" -ge $((rate * 95 / 100)) ] || break
	done
	tp_json="$tp_json${tp_json:+,}\"$name\":{\"generator\":\"$gen\",\"max_zero_drop_events_per_s\":$best,\"steps\":[$steps]}"
done
echo "{\"kind\":\"throughput\",\"seconds_per_step\":$SECS,$tp_json}" >>"$RAW"

# ---- 3b. critical events under storms: an exec storm beside storms of opens and connects ----------
# The storms: write-opens of /proc/self/comm (opens that ride the critical ring themselves), write-opens
# of regular files, connects. The criterion: no exec, fork, exit, cgroup, mount or setns record lost.
crit_json=""
for storm in procfs-open openw connect; do
	r=$work/run; rm -rf "$r"; mkdir -p "$r"
	"$B"/bulwark run -o file:"$r"/alerts.json >/dev/null 2>"$r"/err &
	TPIDS=$!; wait_for "sensor ready" "$r"/err "$TPIDS"
	case $storm in
	procfs-open) "$B"/loadgen openw1 -d $((SECS + 1)) -p 2 $PACE -a /proc/self/comm >"$r"/storm.out & ;;
	openw) "$B"/loadgen openw -d $((SECS + 1)) -p 2 $PACE -a "$work"/files >"$r"/storm.out & ;;
	connect) "$B"/loadgen connect -d $((SECS + 1)) -p 2 $PACE >"$r"/storm.out & ;;
	esac
	sp=$!
	sleep 0.5
	execs=$("$B"/loadgen exec -d "$SECS" -p 1 $PACE -a "$B"/bench/tiny | sed -n 's/.* ops=\([0-9]*\).*/\1/p')
	wait "$sp" || true
	sleep 0.3
	stop_tracer
	one=$(python3 bench/results.py stats "$r"/err | python3 -c '
import json, sys
sys.path.insert(0, "bench")
from results import CRITICAL_TYPES
s = json.load(sys.stdin); k = s["kernel"]
storm_ops = int(open(sys.argv[3]).read().split("ops=")[1].split()[0])
print(json.dumps({"storm": sys.argv[1], "storm_ops": storm_ops, "execs": int(sys.argv[2]),
  "exec_events": s["events"]["exec"], "events": sum(s["events"].values()),
  "drops": k["drop_ringbuf_common"] + k["drop_ringbuf_critical"],
  "drops_critical_ring": k["drop_ringbuf_critical"],
  "drops_critical_types": {t: s["drops_by_type"][t] for t in CRITICAL_TYPES if s["drops_by_type"].get(t)}}))' \
		"$storm" "${execs:-0}" "$r"/storm.out)
	say "critical under $storm storm: $one"
	crit_json="$crit_json${crit_json:+,}$one"
done
# The agent stalled (SIGSTOP: a slow lookup, a reload, no CPU) while opens of /proc/self/comm fill the
# critical ring, then 200 execs: the room kept for lifecycle records must hold them all.
r=$work/run; rm -rf "$r"; mkdir -p "$r"
"$B"/bulwark run -o file:"$r"/alerts.json >/dev/null 2>"$r"/err &
TPIDS=$!; wait_for "sensor ready" "$r"/err "$TPIDS"
kill -STOP "$TPIDS"
"$B"/loadgen openw1 -d 2 -p 2 $PACE -a /proc/self/comm >"$r"/storm.out
"$B"/loadgen exec -d 0.5 -r 400 -p 1 -a "$B"/bench/tiny >"$r"/exec.out
kill -CONT "$TPIDS"
sleep 1
stop_tracer
stall=$(python3 bench/results.py stats "$r"/err | python3 -c '
import json, sys
sys.path.insert(0, "bench")
from results import CRITICAL_TYPES
s = json.load(sys.stdin); k = s["kernel"]
ops = lambda f: int(open(f).read().split("ops=")[1].split()[0])
print(json.dumps({"storm": "procfs-open, agent stopped for the storm", "storm_ops": ops(sys.argv[1]), "execs": ops(sys.argv[2]),
  "exec_events": s["events"]["exec"], "events": sum(s["events"].values()),
  "drops": k["drop_ringbuf_common"] + k["drop_ringbuf_critical"], "drops_critical_ring": k["drop_ringbuf_critical"],
  "drops_critical_types": {t: s["drops_by_type"][t] for t in CRITICAL_TYPES if s["drops_by_type"].get(t)}}))' \
	"$r"/storm.out "$r"/exec.out)
say "critical with the agent stalled: $stall"
echo "{\"kind\":\"critical\",\"storms\":[$crit_json,$stall]}" >>"$RAW"

# ---- 4. latency from a write-open to its alert in the output file -------------------------------
lat_dir=$(mktemp -d /tmp/bulwark-bench-latency.XXXXXX)
lat_json=""
for load in idle openw-storm; do
	r=$work/run; rm -rf "$r"; mkdir -p "$r"
	"$B"/bulwark run -r rules -r bench/latency-rule.yaml -o file:"$r"/alerts.json >/dev/null 2>"$r"/err &
	TPIDS=$!; wait_for "sensor ready" "$r"/err "$TPIDS"
	lp=""
	n=150; [ "$SMOKE" = 1 ] && n=20
	if [ $load = openw-storm ]; then
		# lasts as long as the probes (n at 50/s) and the watcher's start
		"$B"/loadgen openw -d $((n / 50 + 1)) -p 1 $PACE -a "$work"/files >/dev/null &
		lp=$!
	fi
	# 50 per second stays within the outputs' default rate limit (burst 100, then 20/s per rule)
	l=$("$B"/bench/latency "$r"/alerts.json "$lat_dir" -n $n -r 50 -t 10) || say "latency ($load): $l"
	[ -n "$lp" ] && { wait "$lp" 2>/dev/null || true; }
	stop_tracer
	say "latency $load: $l"
	lat_json="$lat_json${lat_json:+,}\"$load\":${l:-null}"
done
rm -rf "$lat_dir"
echo "{\"kind\":\"latency\",$lat_json}" >>"$RAW"

# ---- 4b. what each event costs in BPF: the kernel's own per-program run time ----------------------
# kernel.bpf_stats_enabled (a global setting, restored) makes the kernel count each program's runs
# and the nanoseconds spent in it; a write-open storm against `bulwark run`, as in the ladder.
r=$work/run; rm -rf "$r"; mkdir -p "$r"
STATS_WAS=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
"$B"/bulwark run -o file:"$r"/alerts.json >/dev/null 2>"$r"/err &
TPIDS=$!; wait_for "sensor ready" "$r"/err "$TPIDS"
"$B"/loadgen openwk -d "$SECS" -p 2 $PACE -a "$work"/tp >/dev/null
bpftool -j prog show >"$r"/progs.json
stop_tracer
sysctl -qw kernel.bpf_stats_enabled="$STATS_WAS"; STATS_WAS=
python3 -c '
import json, sys
progs = {p["name"]: p for p in json.load(open(sys.argv[1])) if p.get("run_cnt")}
out = {"kind": "prog_cost", "workload": "openwk", "programs": {
    n: {"runs": p["run_cnt"], "ns_per_run": round(p["run_time_ns"] / p["run_cnt"])}
    for n, p in sorted(progs.items()) if n in ("enter_openat", "exit_openat", "on_exec", "on_fork", "on_exit")}}
print(json.dumps(out))' "$r"/progs.json >>"$RAW"
say "program cost: $(tail -n 1 "$RAW")"

# ---- 5. memory: the process cache alone, and the agent with 10,000 processes in 500 containers ----------
nproc_farm=10000 ncg=500
[ "$SMOKE" = 1 ] && nproc_farm=200 ncg=10
pm=$("$B"/proctree_mem $nproc_farm)
say "$pm"
r=$work/run; rm -rf "$r"; mkdir -p "$r"
"$B"/bulwark run -o file:"$r"/alerts.json >/dev/null 2>"$r"/err &
TPIDS=$!; wait_for "sensor ready" "$r"/err "$TPIDS"
rss0=$(awk '/^VmRSS/{print $2}' /proc/"$TPIDS"/status)
# cgroup v2 if mounted (alone or beside v1): the sensor names the cgroup2 path first
cgroot=/sys/fs/cgroup/unified
[ -f /sys/fs/cgroup/cgroup.controllers ] && cgroot=/sys/fs/cgroup
"$B"/bench/procfarm "$cgroot"/bulwark-bench-$$ $nproc_farm $ncg "$(pwd)/$B/bench/sleeper" 2000 >"$r"/farm.out &
FARM_PID=$!
wait_for "farm ready" "$r"/farm.out "$FARM_PID"
sleep 2 # lookups and retries of the containers settle
rss=$(awk '/^VmRSS/{print $2}' /proc/"$TPIDS"/status)
ring_kb=$(awk '/^[0-9a-f]+-[0-9a-f]+ /{bpf = ($6 == "anon_inode:bpf-map")} /^Rss:/{if (bpf) s += $2} END{print s + 0}' /proc/"$TPIDS"/smaps)
stop_tracer
kill -TERM "$FARM_PID"; wait "$FARM_PID" || true; FARM_PID=""
python3 bench/results.py stats "$r"/err | python3 -c '
import json, sys
s = json.load(sys.stdin)
pm = sys.argv[1]
out = {"kind": "memory", "proctree_mem": pm, "procs": int(sys.argv[2]), "containers": int(sys.argv[3]),
       "agent_rss_kb_start": int(sys.argv[4]), "agent_rss_kb": int(sys.argv[5]), "agent_peak_rss_kb": s["agent"]["max_rss_kb"],
       "ring_buffer_rss_kb": int(sys.argv[6]), "proc_cache_entries": s["proc_cache"]["entries"],
       "container_cache_entries": s["containers"]["entries"],
       "drops": s["kernel"]["drop_ringbuf_common"] + s["kernel"]["drop_ringbuf_critical"],
       "container_lookups": s["containers"]["lookups"], "container_lookup_failures": s["containers"]["failures"]}
print(json.dumps(out))' "$pm" $nproc_farm $ncg "$rss0" "$rss" "$ring_kb" >>"$RAW"
say "memory: $(tail -n 1 "$RAW")"

# ---- the summary -------------------------------------------------------------------------------
python3 bench/results.py summarize "$RAW" "$OUT/$STAMP.json" "$PLOT"
say "results: $OUT/$STAMP.json (every run: $RAW), plot: $PLOT"
