#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs every libFuzzer harness (build/fuzz/tests/fuzz_*): first each regression input once
# (tests/fuzz/regress/NAME/: inputs that once crashed or hung, kept so they never do again),
# then SECONDS of coverage-guided fuzzing from the committed seeds (tests/fuzz/seeds/NAME/).
# A crash, a leak, a UBSan report or a hang fails the harness; its input is kept in
# $FUZZ_OUT (default build/fuzz/findings) to be added to regress/ with the fix.
# Usage: tests/fuzz/run.sh BUILD_DIR SECONDS      (make fuzz; make test runs it briefly)
set -u
BUILD=$1 SECONDS_EACH=$2
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${FUZZ_OUT:-$BUILD/findings}
passed=0 failed=0
mkdir -p "$OUT"
for h in "$BUILD"/tests/fuzz_*; do
	[ -x "$h" ] || continue
	name=${h##*/fuzz_}
	log=$OUT/$name.log
	corpus=$(mktemp -d)
	# regression inputs: executed once each, every one must pass
	if [ -d "$HERE/regress/$name" ] && [ -n "$(ls -A "$HERE/regress/$name")" ]; then
		if "$h" -runs=1 "$HERE"/regress/"$name"/* >"$log" 2>&1; then
			echo "ok   fuzz_$name: $(ls "$HERE/regress/$name" | wc -l) regression input(s)"
			passed=$((passed + 1))
		else
			echo "FAIL fuzz_$name: a regression input fails again:"; tail -30 "$log"
			failed=$((failed + 1))
		fi
	fi
	# seeds: the harness's own, and the project's real files of that kind
	seeds=""
	[ -d "$HERE/seeds/$name" ] && seeds="$HERE/seeds/$name"
	case $name in
	config) seeds="$seeds $HERE/../../packaging" ;;
	rules) seeds="$seeds $HERE/../../rules" ;;
	replay) seeds="$seeds $HERE/../replay" ;;
	esac
	# new inputs go to a scratch corpus; the seeds are read, never written
	# shellcheck disable=SC2086 # $seeds is a list of directories
	if "$h" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$OUT/$name-" "$corpus" $seeds >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
		echo "ok   fuzz_$name: ${runs:-?} executions in ${SECONDS_EACH} s, $cov, no crash"
		passed=$((passed + 1))
	else
		echo "FAIL fuzz_$name: finding kept in $OUT/:"; grep -A25 -m1 'ERROR\|runtime error\|SUMMARY' "$log" | head -40
		failed=$((failed + 1))
	fi
	rm -rf "$corpus"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
