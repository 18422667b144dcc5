#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
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
	# Falco's key order: ...},"priority":"P","rule":"R","source":...
	sed -n 's/.*},"priority":"[^"]*","rule":"\([^"]*\)","source".*/\1/p' "$tmp/out" > "$tmp/got"
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
	grep -q '^ok: 37 rules' "$tmp/out" && ! grep -v "needs hooks this kernel lacks" "$tmp/out" | grep -q warning; then
	ok "rules check rules/"
else
	bad "rules check rules/" "$(cat "$tmp/out" "$tmp/out2")"
fi

# Falco's alert JSON for Falco's own rule outputs: member order, output suffix, output_fields (issue 14)
grep -v '^#' "$dir/terminal_shell.fires.jsonl" | grep -m1 '"type":"exec"' > "$tmp/exec.jsonl"
if [ ! -d ../shared/falco-rules ]; then
	echo "skip Falco's alert JSON: no ../shared/falco-rules beside the project"
elif out=$(python3 "$dir/falco_alert.py" "$bin" "$tmp/exec.jsonl" ../shared/falco-rules 2>&1); then
	ok "Falco's alert JSON for the stable rules' templates: $(echo "$out" | tail -1), $(echo "$out" | grep -c '^skip') skipped"
else
	bad "Falco's alert JSON" "$out"
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

# Falco's published rule files (test data outside the repository), unmodified: each loads alone and
# all three together as Falco loads them (--strict refuses their repeated definitions), rules check
# says per file what loads and why a rule cannot fire, and Falco's own rules fire on recorded cases.
falco=../shared/falco-rules
if [ ! -d "$falco" ]; then
	echo "skip Falco's rule files: $falco is absent"
else
	set -- "$falco/falco_rules.yaml" "$falco/falco-incubating_rules.yaml" "$falco/falco-sandbox_rules.yaml"
	if "$bin" rules check "$@" > "$tmp/out" 2>&1 &&
		grep -q "^$falco/falco_rules.yaml: 25 rules load (24 can fire, 1 cannot fire here)" "$tmp/out" &&
		grep -q "^$falco/falco-incubating_rules.yaml: 31 rules load (31 can fire, 0 cannot fire here)" "$tmp/out" &&
		grep -q "^$falco/falco-sandbox_rules.yaml: 37 rules load (35 can fire, 2 cannot fire here)" "$tmp/out" &&
		! grep -q "rule 'Create Symlink Over Sensitive Files' loads, cannot fire" "$tmp/out" &&
		! grep -q "rule 'Redirect STDOUT/STDIN to Network Connection in Container' loads, cannot fire" "$tmp/out" &&
		grep -q "warning: macro 'open_write' is already defined at $falco/falco_rules.yaml:" "$tmp/out" &&
		grep -q '^ok: 93 rules' "$tmp/out"; then
		ok "rules check: Falco's three rule files together"
	else
		bad "rules check: Falco's three rule files together" "$(grep -v warning: "$tmp/out")"
	fi
	if ! "$bin" rules check --strict "$@" > "$tmp/out" 2>&1 && grep -q "macro 'open_write' is already defined" "$tmp/out" &&
		! grep -q "warning: macro 'open_write'" "$tmp/out"; then
		ok "rules check --strict refuses their repeated definitions"
	else
		bad "rules check --strict refuses their repeated definitions" "$(tail -3 "$tmp/out")"
	fi
	for c in "drop_execute:Drop and execute new binary in container" "memfd:Fileless execution via memfd_create" \
		"ptrace:PTRACE attached to process" "sensitive_read:Read sensitive file untrusted" \
		"terminal_shell:Terminal shell in container" "webshell:Run shell untrusted"; do
		case_=${c%%:*} rule=${c#*:}
		got=$("$bin" replay -r "$falco/falco_rules.yaml" "$dir/$case_.fires.jsonl" 2>&1 | grep -o '"rule":"[^"]*"')
		if [ "$got" = "\"rule\":\"$rule\"" ]; then
			ok "Falco's falco_rules.yaml fires '$rule' on $case_.fires.jsonl"
		else
			bad "Falco's falco_rules.yaml fires '$rule' on $case_.fires.jsonl" "got: $got"
		fi
	done
	# cases written for Falco's own rules (tests/replay/falco/): each fires its rule, its twin nothing;
	# the header names the file: "# expect (Falco's falco_rules.yaml): RULE"
	for f in "$dir"/falco/*.fires.jsonl; do
		rule=$(sed -n "s/^# expect (Falco's [^)]*): //p" "$f")
		rf=$(sed -n "s/^# expect (Falco's \([^)]*\)): .*/\1/p" "$f")
		got=$("$bin" replay -r "$falco/${rf:-none}" "$f" 2>&1 | grep -o '"rule":"[^"]*"')
		twin=$("$bin" replay -r "$falco/${rf:-none}" "${f%.fires.jsonl}.benign.jsonl" 2>&1 | grep -o '"rule":"[^"]*"')
		if [ -n "$rule" ] && [ "$got" = "\"rule\":\"$rule\"" ] && [ -z "$twin" ]; then
			ok "Falco's $rf fires '$rule' on falco/${f##*/}, nothing on its twin"
		else
			bad "Falco's $rf on falco/${f##*/}" "want '$rule', got: $got; twin: $twin"
		fi
	done
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
