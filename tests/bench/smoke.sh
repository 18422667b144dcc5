#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Smoke run of the benchmark harness (bench/run.sh with BENCH_SMOKE=1: one short
# repetition of every configuration and workload, a few seconds of everything
# else), then checks that its results are produced and well-formed. Speed is not
# judged here. Ends with "N passed, N failed".
# Usage: tests/bench/smoke.sh [BUILD_DIR]
set -u
cd "$(dirname "$0")/../.."
B=${1:-build}
out=$(mktemp -d /tmp/bulwark-bench-smoke.XXXXXX)
trap 'rm -rf "$out"' EXIT
if ! BENCH_SMOKE=1 BENCH_OUT="$out" BENCH_PLOT="$out"/slowdown.png bench/run.sh "$B" >"$out"/table.md 2>"$out"/log; then
	tail -n 20 "$out"/log
	echo "FAIL bench/run.sh exited with an error"
	echo "0 passed, 1 failed"
	exit 1
fi
cat "$out"/table.md
python3 bench/results.py check "$(ls "$out"/*.json | grep -v /raw- | head -n 1)" "$out"/slowdown.png
