#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Startup that explains itself: each case makes one thing missing for real (in
# a private mount namespace or as an unprivileged user) and asserts the exit
# status and the single line that names it.
# Usage: tests/bpf/startup.sh PATH/TO/bulwark
set -u
BULWARK=$(realpath "$1")
passed=0 failed=0
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1: $2"; sed 's/^/    /' "$out/err" | head -20; failed=$((failed + 1)); }

# Runs "$@" for a moment, then SIGINT; leaves stderr in $out/err and the status in $rc.
run_briefly() {
	timeout --preserve-status -s INT 4 "$@" >"$out/stdout" 2>"$out/err"
	rc=$?
}

expect_refusal() {
	name=$1 needle=$2; shift 2
	run_briefly "$@"
	lines=$(wc -l <"$out/err")
	if [ "$rc" -ne 2 ]; then bad "$name" "exit status $rc, want 2"
	elif [ "$lines" -ne 1 ]; then bad "$name" "$lines lines on stderr, want exactly 1"
	elif ! grep -q "$needle" "$out/err"; then bad "$name" "stderr does not name '$needle'"
	else ok "$name"; fi
}

# not root, no capabilities
expect_refusal "unprivileged user is refused with one line" "missing privileges" \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$BULWARK" trace

# no kernel BTF: hide /sys/kernel/btf in a private mount namespace
expect_refusal "missing BTF is refused with one line" "missing kernel BTF" \
	unshare -m sh -c 'mount -t tmpfs none /sys/kernel/btf && exec "$0" trace' "$BULWARK"

# tracefs not mounted: the agent mounts it itself and starts
run_briefly unshare -m sh -c 'umount -l /sys/kernel/tracing 2>/dev/null; umount -l /sys/kernel/debug 2>/dev/null;
	! test -e /sys/kernel/tracing/events/syscalls && exec "$0" trace --events exec' "$BULWARK"
if [ "$rc" -eq 0 ] && grep -q "mounted tracefs" "$out/err" && grep -q "sensor ready" "$out/err"; then
	ok "unmounted tracefs is mounted by the agent"
else
	bad "unmounted tracefs is mounted by the agent" "exit status $rc"
fi

# a bad command line is a usage error, not a crash
expect_refusal "unknown event type is a usage error" "unknown event type 'nosuch'" "$BULWARK" trace --events exec,nosuch

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
