#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs the test suites and prints one closing line "N passed, N failed".
# Usage: tests/run.sh [unit|replay|bpf|e2e|soak|asan|fuzz|kernels|outputs|ops|packaging|kubernetes|bench]...   (default: all)
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
suites=${*:-unit replay bpf e2e soak asan fuzz kernels outputs ops packaging kubernetes bench}
passed=0 failed=0
log=$(mktemp)

# Each test binary ends with "N passed, N failed[, N skipped]"; a binary that
# crashes or prints no summary counts as one failure.
run() {
	name=$1; shift
	echo "== $name"
	"$@" >"$log" 2>&1
	rc=$?
	cat "$log"
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$summary" ]; then
		echo "!! $name: no summary (exit status $rc)"
		failed=$((failed + 1))
		return
	fi
	p=${summary%% passed*}
	f=${summary#*passed, }; f=${f%% failed*}
	passed=$((passed + p)); failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "!! $name: exit status $rc"
		failed=$((failed + 1))
	fi
}

for suite in $suites; do
	case $suite in
	unit)
		# the test programs, not the compiler's dependency files beside them
		for t in "$BUILD"/tests/test_*; do
			case $t in *.d) continue ;; esac
			run "unit: ${t##*/}" "$t"
		done ;;
	replay)
		# the default rules on recorded event sequences, through `bulwark replay` (tests/replay)
		run "replay: cli" tests/replay/run.sh "$BUILD"/bulwark ;;
	fuzz)
		# every parser of untrusted input under libFuzzer with ASan+UBSan: the regression inputs,
		# then 15 s each from the seeds (make fuzz runs longer; tests/fuzz/run.sh)
		run "fuzz: parsers" tests/fuzz/run.sh build/fuzz "${FUZZ_SECONDS:-15}" ;;
	asan)
		for t in build/asan/tests/test_*; do
			case $t in *.d) continue ;; esac
			[ -x "$t" ] && run "asan: ${t##*/}" env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
				UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 "$t"
		done ;;
	bpf)
		run "bpf: events" "$BUILD"/tests/bpf_events "$BUILD"/bulwark
		run "bpf: startup" tests/bpf/startup.sh "$BUILD"/bulwark
		# kernel losses raise an alert of their own (tests/bpf/drops.sh; not in the qemu guest,
		# which has no loadgen or python)
		[ -x "$BUILD"/loadgen ] && [ -f tests/bpf/drops.sh ] &&
			run "bpf: drops alert" tests/bpf/drops.sh "$BUILD"/bulwark "$BUILD"/loadgen
		# the agent guards itself: its files, its process and its BPF maps attacked for real;
		# its heartbeat (tests/bpf/tamper.sh; not in the qemu guest, which has no bpftool or python)
		[ -x "$BUILD"/loadgen ] && [ -f tests/bpf/tamper.sh ] &&
			run "bpf: tamper" tests/bpf/tamper.sh "$BUILD"/bulwark
		# the agent itself under ASan/UBSan, on the same real-kernel tests
		[ -x build/asan/bulwark ] && run "bpf (asan): events" env ASAN_OPTIONS=detect_leaks=1 \
			UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 "$BUILD"/tests/bpf_events build/asan/bulwark ;;
	e2e)
		run "e2e: containers" "$BUILD"/tests/e2e_containers "$BUILD"/bulwark
		run "e2e: attacks" "$BUILD"/tests/e2e_attacks "$BUILD"/bulwark
		# prevention on the host's tier (enforce mode): the breakout's writes stopped, twins untouched
		run "e2e: enforce" "$BUILD"/tests/e2e_enforce "$BUILD"/bulwark "$BUILD"/tests/opener
		# hostile strings from a container through every alert format (tests/e2e/hostile.sh)
		run "e2e: hostile container" tests/e2e/hostile.sh "$BUILD"/bulwark
		# Falco's stable rules, unmodified, on their event-generator actions (tests/e2e/falco_evtgen.sh)
		run "e2e: Falco's event-generator actions" tests/e2e/falco_evtgen.sh "$BUILD"/bulwark "$BUILD"/tests/evtgen
		# per-image inventory against Trivy, in-use evidence, CycloneDX, image hygiene (tests/e2e/sbom.sh)
		run "e2e: sbom" tests/e2e/sbom.sh "$BUILD"/bulwark
		# forks, file writes, connects and container churn with a breakout in the middle: the
		# short form (20 s, 25 containers; make soak runs 60 s and 100; tests/e2e/exhaust.sh)
		run "e2e: exhaustion" tests/e2e/exhaust.sh "$BUILD" "${EXHAUST_SECONDS:-20}" "${EXHAUST_CHURN:-25}" ;;
	soak)
		# mixed load, container churn and a flapping receiver: RSS and fds flat, no alert lost,
		# counters consistent; 90 s here, 30 min under make soak (tests/e2e/soak.sh)
		run "soak: mixed load (short)" tests/e2e/soak.sh "$BUILD" "${SOAK_SECONDS:-90}" ;;
	kernels)
		# the BPF suite again on Debian 12's 6.1 kernel under qemu: one CO-RE object on two kernels
		run "kernels: debian 12 linux 6.1 (qemu)" tests/kernels/run.sh ;;
	outputs)
		# alert delivery: real rsyslog, syslog-ng, nginx, stunnel; protocol mocks for HEC, _bulk, Loki
		run "outputs: delivery" tests/output/run.sh "$BUILD"/bulwark ;;
	ops)
		# operations: config check, /metrics and /healthz, SIGHUP and SIGTERM (tests/ops)
		run "ops: config, metrics, health, signals" tests/ops/run.sh "$BUILD"/bulwark ;;
	packaging)
		# the host install: make deb (lintian), dpkg --root, the systemd unit, make install
		run "packaging: deb, systemd unit, install" tests/packaging/run.sh "$BUILD"
		run "packaging: licence headers" tests/licence.sh "$BUILD" ;;
	kubernetes)
		# the manifests against the Kubernetes schemas; the image run as the DaemonSet declares
		run "kubernetes: manifests, image, breakout" tests/kubernetes/run.sh "$BUILD" ;;
	bench)
		# a smoke run of the benchmark harness: every configuration and workload once, briefly;
		# checks the results' form, not speed (tests/bench/smoke.sh, about 80 s)
		run "bench: smoke" tests/bench/smoke.sh "$BUILD" ;;
	*) echo "unknown suite $suite"; failed=$((failed + 1)) ;;
	esac
done
rm -f "$log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
