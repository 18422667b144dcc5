#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Inside a test VM booted without something bulwark requires: the agent must
# refuse to start with exit status 2 and exactly one stderr line naming it.
# Usage: refusal.sh PATH/TO/bulwark NEEDLE
set -u
bulwark=$1 needle=$2
passed=0 failed=0
err=$(mktemp)
trap 'rm -f "$err"' EXIT

# bounded: an agent that wrongly starts is stopped (and fails the test)
timeout -s INT 30 "$bulwark" trace >/dev/null 2>"$err"
rc=$?
lines=$(wc -l <"$err")
echo "stderr of bulwark trace (exit status $rc):"
sed 's/^/    /' "$err" | head -n 20
if [ "$rc" -ne 2 ]; then
	echo "FAIL refused with one line naming '$needle': exit status $rc, want 2"; failed=1
elif [ "$lines" -ne 1 ]; then
	echo "FAIL refused with one line naming '$needle': $lines lines on stderr, want exactly 1"; failed=1
elif ! grep -q "$needle" "$err"; then
	echo "FAIL refused with one line naming '$needle': stderr does not name it"; failed=1
else
	echo "ok   refused with one line naming '$needle'"; passed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
