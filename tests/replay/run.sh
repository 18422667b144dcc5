#!/bin/sh
# The replay suite through the command line: every recorded case in this
# directory goes through `bulwark replay`, and the rule names of the alerts,
# in order, must be the file's "# expect:" lines (none for benign twins).
# Also checks `bulwark rules check` on the shipped rules and on a broken file,
# and that `replay --bench` reports rule evaluations per second.
# Usage: tests/replay/run.sh [path/to/bulwark]; last line "N passed, N failed".
set -u
bin=${1:-build/bulwark}
dir=$(dirname "$0")
passed=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; shift; for l in "$@"; do echo "    $l"; done; failed=$((failed + 1)); }

for f in "$dir"/*.jsonl; do
	name=${f##*/}
	sed -n 's/^# expect: //p' "$f" > "$tmp/want"
	"$bin" replay --hostname test-host "$f" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	sed -n 's/^{"time":"[^"]*","rule":"\([^"]*\)".*/\1/p' "$tmp/out" > "$tmp/got"
	if [ "$rc" -ne 0 ]; then
		bad "$name" "exit status $rc" "$(cat "$tmp/err")"
	elif ! cmp -s "$tmp/want" "$tmp/got"; then
		bad "$name" "want: $(tr '\n' '|' < "$tmp/want")" "got:  $(tr '\n' '|' < "$tmp/got")"
	else
		ok "$name"
	fi
done

# the shipped rules, as files and as the built-in copy
if "$bin" rules check rules/ > "$tmp/out" 2>&1 && "$bin" rules check > "$tmp/out2" 2>&1 &&
	grep -q '^ok: 24 rules' "$tmp/out" && ! grep -v "needs hooks this kernel lacks" "$tmp/out" | grep -q warning; then
	ok "rules check rules/"
else
	bad "rules check rules/" "$(cat "$tmp/out" "$tmp/out2")"
fi

# a broken file: exit status 1 and file:line:col: message
printf -- '- rule: x\n  desc: d\n  condition: proc.name = a and bogus.field = 1\n  output: o\n  priority: warning\n' > "$tmp/bad.yaml"
"$bin" rules check "$tmp/bad.yaml" > "$tmp/out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q "^$tmp/bad.yaml:3:32: rule 'x': unknown field 'bogus.field'" "$tmp/out"; then
	ok "rules check reports file:line:col"
else
	bad "rules check reports file:line:col" "exit $rc" "$(cat "$tmp/out")"
fi

# the benchmark mode
cat "$dir"/*.jsonl > "$tmp/all.jsonl"
if "$bin" replay --bench 20 "$tmp/all.jsonl" > "$tmp/out" 2>&1 && grep -q '"rule_evaluations_per_sec":[1-9]' "$tmp/out"; then
	ok "replay --bench: $(cat "$tmp/out")"
else
	bad "replay --bench" "$(cat "$tmp/out")"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
