#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A quick A/B of two builds of the agent (a change against its base), alternating runs: a
# write-open storm and an exec storm at a fixed rate under `bulwark run` (default rules), the
# agent's CPU time per 1,000 events (us_per_kop, from /proc/PID/stat) and the BPF run time per
# invocation of its costliest programs (kernel.bpf_stats_enabled, restored after). Not a
# substitute for `make bench`: no peers, no floor, but minutes instead of half an hour, and
# CPU time rather than wall time, so it tolerates a busy machine better.
# Usage (root): bench/ab.sh OLD/bulwark NEW/bulwark build/loadgen build/bench/tiny [REPS]
OLD=$1 NEW=$2 LG=$3 TINY=$4 REPS=${5:-3}
W=$(mktemp -d); mkdir -p $W/d
prev=$(sysctl -n kernel.bpf_stats_enabled); sysctl -qw kernel.bpf_stats_enabled=1
one() { # BIN MODE ARG
  local bin=$1 mode=$2 arg=$3
  local id0=$(bpftool prog show -j | python3 -c 'import json,sys; print(max([p["id"] for p in json.load(sys.stdin)] or [0]))')
  $bin run -o file:$W/alerts.json --metrics-listen "" >/dev/null 2>$W/log &
  local a=$!
  for _ in $(seq 60); do grep -q '"bulwark running:' $W/log && break; sleep 0.25; done
  local c0=$(awk '{print $14+$15}' /proc/$a/stat)
  local out=$($LG $mode -r 40000 -d 3 -a $arg)
  sleep 0.5
  local c1=$(awk '{print $14+$15}' /proc/$a/stat)
  # the agent's programs: run time / count, summed per name
  local bpf=$(bpftool prog show -j 2>/dev/null | python3 -c '
import json,sys
a=int(sys.argv[1]); tot=[]
for p in json.load(sys.stdin):
    if p.get("run_cnt") and p["id"] > a:
        tot.append((p["run_time_ns"], p["name"], p["run_cnt"]))
tot.sort(reverse=True)
print(" ".join("%s=%.0fns/%d" % (n, t/c, c) for t,n,c in tot[:4]))' $id0)
  kill $a; wait $a 2>/dev/null
  local ops=$(sed 's/.*ops=\([0-9]*\).*/\1/' <<<"$out")
  echo "$(basename $(dirname $(dirname $bin))) $mode ops=$ops cpu_ticks=$((c1-c0)) us_per_kop=$(( (c1-c0)*10000*1000/ (ops>0?ops:1) )) $bpf"
}
for r in $(seq $REPS); do
  for bin in $OLD $NEW; do one $bin openw $W/d; one $bin exec $TINY; done
done
sysctl -qw kernel.bpf_stats_enabled=$prev
rm -rf $W
