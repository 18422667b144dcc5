#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The standalone host install: `make deb` is lintian clean, installs into a clean root
# (dpkg --root) with the expected files, permissions and conffiles, and is removed and
# purged cleanly; the unit passes `systemd-analyze verify` and its exposure score is
# reported (`systemd-analyze security --offline=yes`); the logrotate file parses; the
# installed config checks; `make install DESTDIR= PREFIX=` puts paths where they belong;
# the agent runs with only the unit's capabilities.
# Usage (root): tests/packaging/run.sh BUILD_DIR      Last line: "N passed, N failed".
set -u
BUILD=$1
W=$(mktemp -d /tmp/bulwark-pkg.XXXXXX)
chmod 755 "$W"
passed=0 failed=0
AGENT=
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
cleanup() {
	[ -n "$AGENT" ] && kill -9 "$AGENT" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
# a port nobody listens on now (the kernel's choice)
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# ---- the package -----------------------------------------------------------------------------
if ! deb=$(make --no-print-directory deb BUILD="$BUILD" 2>"$W/make.log" | tail -1) || [ ! -f "$deb" ]; then
	fail "make deb: $(tail -5 "$W/make.log")"
	echo "$passed passed, $failed failed"
	exit 1
fi
ok "make deb: $deb"
echo "info: .deb size $(stat -c %s "$deb") bytes, installed size $(dpkg-deb -f "$deb" Installed-Size) KiB"
if lintian --pedantic --fail-on error,warning,info,pedantic "$deb" >"$W/lintian.log" 2>&1 &&
	! grep -q '^[EWIP]:' "$W/lintian.log"; then
	ok "lintian --pedantic: clean"
else
	fail "lintian: $(grep '^[EWIP]:' "$W/lintian.log" | head -10)"
fi

# ---- dpkg --root: a clean root holding nothing but dpkg's database ------------------------
R=$W/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates"
: >"$R/var/lib/dpkg/status"
# the root has none of the libraries: dependencies are checked below against this host instead
if dpkg --root="$R" --force-depends --log=/dev/null -i "$deb" >"$W/dpkg.log" 2>&1 &&
	dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${Status}' bulwark | grep -q "install ok installed"; then
	ok "dpkg --root installs the package into a clean root"
else
	fail "dpkg --root: $(tail -5 "$W/dpkg.log")"
fi
missing=""
for dep in $(dpkg-deb -f "$deb" Depends | sed 's/([^)]*)//g; s/,/ /g'); do
	dpkg-query -W -f='${Status}' "$dep" 2>/dev/null | grep -q "install ok installed" || missing="$missing $dep"
done
if [ -z "$missing" ] && ! ldd "$R/usr/bin/bulwark" | grep -q 'not found'; then
	ok "Depends ($(dpkg-deb -f "$deb" Depends | tr -d '\n')) names every library the binary links"
else
	fail "dependencies: missing$missing; $(ldd "$R/usr/bin/bulwark" | grep 'not found')"
fi
expect=(
	"755 root root /usr/bin/bulwark"
	"644 root root /etc/bulwark/bulwark.yaml"
	"755 root root /etc/bulwark/rules.d"
	"644 root root /etc/bulwark/rules.d/local.yaml"
	"644 root root /usr/share/bulwark/rules/breakout.yaml"
	"644 root root /lib/systemd/system/bulwark.service"
	"644 root root /etc/logrotate.d/bulwark"
	"700 root root /var/lib/bulwark"
	"750 root root /var/log/bulwark"
	"644 root root /usr/share/doc/bulwark/copyright"
	"644 root root /usr/share/man/man1/bulwark.1.gz"
)
bad=""
for e in "${expect[@]}"; do
	f=${e##* }
	got=$(stat -c '%a %U %G' "$R$f" 2>/dev/null)
	[ "$got $f" = "$e" ] || bad="$bad [$f: ${got:-absent}, want ${e% *}]"
done
if [ -z "$bad" ] && [ "$(ls "$R/usr/share/bulwark/rules" | wc -l)" = "$(ls rules/*.yaml | wc -l)" ]; then
	ok "installed files, owners and modes (spool 0700, alert logs 0750, default rules)"
else
	fail "installed files:$bad"
fi
conffiles=$(dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${Conffiles}' bulwark | awk '{print $1}' | sort | tr '\n' ' ')
if [ "$conffiles" = "/etc/bulwark/bulwark.yaml /etc/bulwark/rules.d/local.yaml /etc/logrotate.d/bulwark " ]; then
	ok "conffiles: $conffiles"
else
	fail "conffiles: $conffiles"
fi
# the installed config names the installed rules: check it with the root's paths
sed "s|/usr/share/bulwark|$R/usr/share/bulwark|; s|/etc/bulwark|$R/etc/bulwark|" "$R/etc/bulwark/bulwark.yaml" >"$W/installed.yaml"
if "$R/usr/bin/bulwark" config check "$W/installed.yaml" >"$W/check.log" 2>&1; then
	ok "the installed config and rules check: $(cat "$W/check.log")"
else
	fail "installed config: $(cat "$W/check.log")"
fi
if logrotate -d "$R/etc/logrotate.d/bulwark" >"$W/logrotate.log" 2>&1 && ! grep -qi 'error' "$W/logrotate.log"; then
	ok "logrotate parses /etc/logrotate.d/bulwark"
else
	fail "logrotate: $(grep -i error "$W/logrotate.log" | head -3)"
fi

# ---- the unit -------------------------------------------------------------------------------
# systemd's own targets and kill(1) stand for the base system the unit is started on
mkdir -p "$R/usr/bin"
ln -sfn usr/bin "$R/bin"
cp /usr/bin/kill "$R/usr/bin/kill"
for t in /lib/systemd/system/*.target; do cp -a "$t" "$R/lib/systemd/system/" 2>/dev/null; done
if systemd-analyze verify --man=no --root="$R" bulwark.service >"$W/verify.log" 2>&1 && [ ! -s "$W/verify.log" ]; then
	ok "systemd-analyze verify: no warnings"
else
	fail "systemd-analyze verify: $(cat "$W/verify.log")"
fi
systemd-analyze security --offline=yes --root="$R" bulwark.service >"$W/security.log" 2>&1
score=$(sed -n 's/.*Overall exposure level for bulwark.service: \([0-9.]*\) \([A-Z]*\).*/\1 \2/p' "$W/security.log")
echo "info: systemd exposure score $score"
if [ -n "$score" ] && awk -v s="${score% *}" 'BEGIN { exit !(s < 4.0) }'; then
	ok "systemd-analyze security --offline: exposure $score"
else
	fail "systemd-analyze security: '$score' $(tail -3 "$W/security.log")"
fi
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$R/lib/systemd/system/bulwark.service")
[ "$caps" = "CAP_BPF CAP_PERFMON CAP_SYS_PTRACE CAP_DAC_READ_SEARCH" ] && ok "unit capabilities: $caps" ||
	fail "unit capabilities: $caps"

# the agent with exactly the unit's capabilities: it starts, and /healthz says ok
port=$(free_port)
bset=$(echo "$caps" | tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
setpriv --bounding-set "-all,$bset" --inh-caps -all "$R/usr/bin/bulwark" run --metrics-listen "127.0.0.1:$port" \
	>/dev/null 2>"$W/agent.log" &
AGENT=$!
for _ in $(seq 100); do grep -q '"bulwark running' "$W/agent.log" && break; sleep 0.2; done
sleep 1.2
code=$(curl -s -o "$W/h.json" -w '%{http_code}' "127.0.0.1:$port/healthz")
if [ "$code" = 200 ] && grep -q '"bulwark running' "$W/agent.log"; then
	ok "the installed binary runs with only $caps"
else
	fail "the agent with the unit's capabilities: $code $(grep -E 'error|cannot' "$W/agent.log" | head -3)"
fi
kill -TERM "$AGENT"
wait "$AGENT"
AGENT=

# ---- remove, purge ----------------------------------------------------------------------------
dpkg --root="$R" --log=/dev/null -r bulwark >/dev/null 2>&1
kept=$( [ -f "$R/etc/bulwark/bulwark.yaml" ] && [ ! -e "$R/usr/bin/bulwark" ] && echo yes)
dpkg --root="$R" --log=/dev/null -P bulwark >/dev/null 2>&1
if [ "$kept" = yes ] && [ ! -e "$R/etc/bulwark" ] && [ ! -e "$R/lib/systemd/system/bulwark.service" ]; then
	ok "remove keeps the config, purge removes it"
else
	fail "remove/purge left: $(find "$R/etc" "$R/usr/bin" -name '*bulwark*' 2>/dev/null | tr '\n' ' ')"
fi

# ---- make install with DESTDIR and PREFIX -----------------------------------------------------
I=$W/inst
if make --no-print-directory install BUILD="$BUILD" DESTDIR="$I" PREFIX=/usr/local >"$W/install.log" 2>&1 &&
	grep -q '^ExecStart=/usr/local/bin/bulwark run --config /etc/bulwark/bulwark.yaml$' "$I/lib/systemd/system/bulwark.service" &&
	grep -q -- '- /usr/local/share/bulwark/rules' "$I/etc/bulwark/bulwark.yaml" && [ -x "$I/usr/local/bin/bulwark" ]; then
	ok "make install DESTDIR=... PREFIX=/usr/local: binary, rules and unit paths follow PREFIX"
else
	fail "make install: $(tail -3 "$W/install.log")"
fi
echo edited >>"$I/etc/bulwark/bulwark.yaml"
make --no-print-directory install BUILD="$BUILD" DESTDIR="$I" PREFIX=/usr/local >/dev/null 2>&1
tail -1 "$I/etc/bulwark/bulwark.yaml" | grep -q edited && ok "make install keeps an edited config" ||
	fail "make install overwrote the config"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
