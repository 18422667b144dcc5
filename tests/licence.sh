#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Licence headers: every source file names its licence (SPDX); the kernel programs (bpf/ and
# *.bpf.c) are GPL-2.0-only OR BSD-2-Clause, everything else Apache-2.0; the BPF object declares
# the licence its files carry ("Dual BSD/GPL").
# Usage: tests/licence.sh BUILD_DIR      Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-build}
passed=0 failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }

bad=""
for f in $(git ls-files Makefile '*.c' '*.h' '*.sh' '*.py' '*.cjs' | grep -v '^vmlinux/'); do
	case $f in
	bpf/*|*.bpf.c) want="GPL-2.0-only OR BSD-2-Clause" ;;
	*) want="Apache-2.0" ;;
	esac
	got=$(head -3 "$f" | sed -n 's#.*SPDX-License-Identifier: \(.*[^ */]\)[ */]*$#\1#p')
	[ "$got" = "$want" ] || bad="$bad $f(${got:-none})"
done
if [ -z "$bad" ]; then ok "every source file names its licence, the kernel programs GPL-2.0-only OR BSD-2-Clause"; else fail "licence headers:$bad"; fi

decl=$(llvm-readelf -p license "$BUILD/bulwark.bpf.o" 2>/dev/null | sed -n 's/^ *\[ *0\] //p')
if [ "$decl" = "Dual BSD/GPL" ]; then ok "the BPF object declares \"$decl\""; else fail "the BPF object declares \"$decl\""; fi
[ -f LICENSE ] && [ -f LICENSES/GPL-2.0-only.txt ] && [ -f LICENSES/BSD-2-Clause.txt ] && ok "LICENSE and LICENSES/ are there" ||
	fail "LICENSE or LICENSES/ missing"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
