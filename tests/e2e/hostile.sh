#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A hostile container (issue 16): a binary dropped under a name carrying a newline, quotes, an
# ANSI escape, invalid UTF-8, NUL-free CEF/LEEF/syslog delimiters (| = \ tab), run with such argv
# and a 64 KiB argument, in a container whose labels and environment carry them too. The agent
# keeps running; "Drop and Execute New Binary in Container" fires; in every format each alert is
# exactly one record (no line forged or broken); the hostile name reaches the JSON alert intact
# (valid parts byte for byte, the invalid byte replaced, never dropped).
# Usage (root): tests/e2e/hostile.sh PATH/TO/bulwark      Last line: "N passed, N failed".
set -u
B=$(realpath "$1")
cd "$(dirname "$0")/../.."
IMAGE=localhost/bulwark-busybox:test # made by tests/e2e/docker-env.sh
W=$(mktemp -d /tmp/bulwark-hostile.XXXXXX)
passed=0 failed=0 AGENT="" CTR=""
ok() { echo "ok   $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
cleanup() {
	[ -n "$CTR" ] && docker rm -f "$CTR" >/dev/null 2>&1
	[ -n "$AGENT" ] && kill "$AGENT" 2>/dev/null && wait "$AGENT" 2>/dev/null
	tests/e2e/docker-env.sh stop
	rm -rf "$W"
}
trap cleanup EXIT

tests/e2e/docker-env.sh start || { fail "no Docker engine"; echo "$passed passed, $failed failed"; exit 1; }
"$B" run -o "file:$W/a.json" -o "file:$W/a.cef?format=cef" -o "file:$W/a.leef?format=leef" \
	-o "file:$W/a.ecs?format=ecs" >/dev/null 2>"$W/agent.log" &
AGENT=$!
for _ in $(seq 60); do grep -q '"bulwark running:' "$W/agent.log" && break; sleep 0.5; done

# the name: a newline, a double and a single quote, ESC[31m, an invalid byte (0xff), | = \ and a tab
evil=$(printf 'ev\nil"q'"'"'\033[31m\xff|a=b\\c\td')
big=$(head -c 65536 /dev/zero | tr '\0' A)
CTR=$(docker run -d --network none --label "hostile=$evil" --label "$(printf 'k\033]0;x\a')=v" -e "EVIL=$evil" \
	"$IMAGE" sleep 60)
# docker exec keeps the bytes of argv as they are; the file is made inside the container
docker exec "$CTR" sh -c 'cp /bin/busybox "/tmp/$1" && "/tmp/$1" true "$1" "$2"' sh "$evil" "$big" 2>"$W/exec.err"
for _ in $(seq 40); do grep -q 'Drop and Execute New Binary in Container' "$W/a.json" 2>/dev/null && break; sleep 0.25; done
sleep 1.5 # the other outputs' batches

kill -0 "$AGENT" 2>/dev/null && ok "the agent keeps running" || fail "the agent died: $(tail -3 "$W/agent.log")"
n=$(grep -c 'Drop and Execute New Binary in Container' "$W/a.json" 2>/dev/null || echo 0)
[ "$n" -ge 1 ] && ok "Drop and Execute fired ($n)" || fail "no Drop and Execute alert: $(tail -3 "$W/agent.log")"

# json: every line one JSON object; the dropped file's name intact in the alert
if python3 - "$W/a.json" "$evil" <<'PY'; then
import json, sys
lines = open(sys.argv[1], 'rb').read().split(b'\n')[:-1]
want = sys.argv[2].encode('utf-8', 'surrogateescape').decode('utf-8', 'replace')
hit = None
for l in lines:
    a = json.loads(l)  # raises on a broken or forged line
    if a["rule"] == "Drop and Execute New Binary in Container":
        hit = a
assert hit, "no alert"
exe = hit["output_fields"]["proc.exepath"]
assert exe == "/tmp/" + want, "exepath %r, want %r" % (exe, "/tmp/" + want)
assert want in hit["output"], "output lacks the name"
PY
	ok "json: each alert one line; proc.exepath carries the hostile name (invalid byte replaced)"
else
	fail "json alerts: $(head -c 600 "$W/a.json")"
fi
# the line-oriented formats: as many records as JSON alerts, each starting with its header, no raw ESC
total=$(wc -l <"$W/a.json")
for f in cef:CEF:0 leef:LEEF:2.0 ecs:'{'; do
	ext=${f%%:*} head=${f#*:}
	lines=$(wc -l <"$W/a.$ext") good=$(grep -c "^$head" "$W/a.$ext")
	if [ "$lines" = "$total" ] && [ "$good" = "$total" ] && ! grep -q $'\033' "$W/a.$ext"; then
		ok "$ext: $total records, one per line, no raw escape byte"
	else
		fail "$ext: $lines lines, $good headers, $total alerts: $(grep -n -v "^$head" "$W/a.$ext" | head -c 300)"
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
