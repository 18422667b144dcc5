#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Kernel losses are an alert of their own: the agent is stopped (SIGSTOP) while a storm of
# procfs write-opens overflows its ring buffers; once it runs again it raises "Kernel Events
# Dropped" (with the counts; Critical when the critical ring lost records) on its output and
# keeps running.
# Usage (root): tests/bpf/drops.sh PATH/TO/bulwark PATH/TO/loadgen    Last line: "N passed, N failed".
set -u
B=$(realpath "$1") LOADGEN=$(realpath "$2")
W=$(mktemp -d /tmp/bulwark-drops.XXXXXX)
passed=0 failed=0 AGENT=""
ok() { echo "ok   $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
cleanup() {
	if [ -n "$AGENT" ]; then kill -CONT "$AGENT" 2>/dev/null; kill "$AGENT" 2>/dev/null; wait "$AGENT" 2>/dev/null; fi
	rm -rf "$W"
}
trap cleanup EXIT

"$B" run -o "file:$W/a.json" >/dev/null 2>"$W/agent.log" &
AGENT=$!
for _ in $(seq 60); do grep -q '"bulwark running:' "$W/agent.log" && break; sleep 0.5; done
kill -STOP "$AGENT"
"$LOADGEN" openw1 -d 2 -p 2 -a /proc/self/comm >"$W/storm" 2>&1
kill -CONT "$AGENT"
for _ in $(seq 60); do grep -q '"rule":"Kernel Events Dropped"' "$W/a.json" 2>/dev/null && break; sleep 0.25; done
if line=$(grep -m1 '"rule":"Kernel Events Dropped"' "$W/a.json") &&
	python3 - "$line" <<'PY'; then
import json, sys
a = json.loads(sys.argv[1])
f = a["output_fields"]
# Critical when the critical ring lost records (exec, mounts... may be gone), else Warning
want = "Critical" if f["bulwark.drops.critical"] else "Warning"
assert a["priority"] == want and a["source"] == "internal", a
assert f["bulwark.drops.critical"] + f["bulwark.drops.common"] > 1000, f
assert "open=" in f["bulwark.drops.by_type"], f
PY
	ok "Kernel Events Dropped: $(sed 's/.*"output":"\([^"]*\)".*/\1/' <<<"$line" | cut -c1-160) ($(cat "$W/storm"))"
else
	fail "no Kernel Events Dropped alert after the storm ($(cat "$W/storm")): $(tail -3 "$W/agent.log")"
fi
kill -0 "$AGENT" 2>/dev/null && ok "the agent keeps running" || fail "the agent died"
# one report per interval: a second storm within 10 s adds to the next, never floods the output
n=$(grep -c '"rule":"Kernel Events Dropped"' "$W/a.json")
[ "$n" = 1 ] && ok "one drop alert for the storm" || fail "$n drop alerts for one storm"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
