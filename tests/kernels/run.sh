#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# CO-RE across kernels: boots Debian 12's stock 6.1 kernel under qemu with an
# initramfs holding the agent and the BPF test driver exactly as built and
# tested on the host (with their shared libraries), runs the BPF suite and the
# enforcement tests (enforce.sh) inside and repeats their output here. It
# boots twice: with bpf in the active LSM list (the LSM tier) and without it
# (lsm=...: the fentry tier; an lsm program would attach there and never run). The closing line "N passed, N failed" is the
# VM's counts plus one failure for each boot that did not finish (no marker
# line: crash, panic or timeout).
# Usage: tests/kernels/run.sh   (needs build/bulwark and build/tests/bpf_events: make test-kernels)
set -eu
cd "$(dirname "$0")/../.."
export PATH="$PATH:/usr/sbin:/sbin" # depmod, for callers whose PATH has no sbin
BUILD=${BUILD:-build}
CACHE=$BUILD/kernels
# a generous bound: a boot with the whole suite took about half a minute under TCG on an idle machine
# (the lsm boot starts the agent five times, about a minute each under TCG on a busy machine)
VM_TIMEOUT=${VM_TIMEOUT:-1200}

# Nothing could be booted: say why and count it as one failure.
die() {
	echo "$*"
	echo "0 passed, 1 failed"
	exit 1
}

for f in "$BUILD/bulwark" "$BUILD/tests/bpf_events" "$BUILD/tests/opener"; do
	[ -x "$f" ] || die "missing $f (make test-kernels builds it)"
done
mkdir -p "$CACHE"
work=$(mktemp -d "$CACHE/run.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP # through the EXIT trap: the work directory goes too

# ---- the kernel: Debian 12's 6.1 cloud flavour (smallest; virtio and the 8250 console built in) ----

newest_kernel_pkg() {
	apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$' 2>/dev/null |
		cut -d' ' -f1 | sort -V | tail -n 1
}

pkg=$(newest_kernel_pkg)
if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
	# a fresh machine whose package lists were never fetched knows no kernel package yet
	apt-get update -q >/dev/null 2>&1 || true
	pkg=$(newest_kernel_pkg)
fi
if [ -z "$pkg" ]; then
	# no archive reachable: use the newest kernel a previous run left in the cache
	pkg=$(find "$CACHE" -mindepth 1 -maxdepth 1 -type d -name 'linux-image-*' | sed 's|.*/||' | sort -V | tail -n 1)
fi
[ -n "$pkg" ] || die "no Debian 6.1 cloud kernel package known to apt-cache and none cached in $CACHE"
tree=$CACHE/$pkg
if [ ! -d "$tree" ]; then
	deb=$(find "$CACHE" -maxdepth 1 -name "${pkg}_*.deb" | head -n 1)
	if [ -z "$deb" ]; then
		echo "downloading $pkg"
		# root's apt drops to the _apt user to download, which cannot write to build/: stay root
		(cd "$CACHE" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >/dev/null 2>&1) ||
			die "apt-get download $pkg failed"
		deb=$(find "$CACHE" -maxdepth 1 -name "${pkg}_*.deb" | head -n 1)
	fi
	# extract aside and rename, so that an interrupted run leaves no half tree
	dpkg -x "$deb" "$work/tree" || die "dpkg -x $deb failed"
	mv -T "$work/tree" "$tree"
	# a newer kernel replaces the older ones: the cache holds one
	find "$CACHE" -mindepth 1 -maxdepth 1 -name 'linux-image-*' ! -name "$pkg" ! -name "${pkg}_*" \
		-exec rm -rf {} +
fi
kernel=$(find "$tree/boot" -name 'vmlinuz-*' | head -n 1)
[ -n "$kernel" ] || die "no vmlinuz in $tree"
release=${kernel##*/vmlinuz-}

# overlayfs is a module there, as on a Debian host
ovl=$(find "$tree/lib/modules" -path '*/fs/overlayfs/overlay.ko*' | head -n 1)
[ -n "$ovl" ] || die "no overlay module in $pkg"

# ---- the initramfs -------------------------------------------------------------------------

root=$work/root
mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" \
	"$root/bulwark/build/tests" "$root/bulwark/tests/bpf" "$root/bulwark/tests/kernels"
cp /bin/busybox "$root/bin/busybox" # busybox-static
for applet in $(busybox --list); do
	[ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done

# A host binary and the shared libraries it needs, at the same paths.
add_host_binary() {
	rm -f "$root$2"
	cp "$1" "$root$2"
	ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | while read -r lib; do
		mkdir -p "$root${lib%/*}"
		cp -L "$lib" "$root$lib"
	done
}
# Not statically linked: the agent uses libcurl, and Debian ships no static
# archives for several of libcurl's own dependencies (krb5, ldap, nghttp2, ...).
add_host_binary "$BUILD/bulwark" /bulwark/build/bulwark
add_host_binary "$BUILD/tests/bpf_events" /bulwark/build/tests/bpf_events
# The tests exec /bin/true under other names (overlay, memfd), which busybox
# refuses ("applet not found"); startup.sh uses options busybox's timeout and
# setpriv lack (--preserve-status, --reuid). The real programs run unchanged.
# /bin/sh is dash, as on Debian: Debian's busybox sh runs its own applets ahead
# of PATH, which would hide the real timeout and setpriv.
add_host_binary /usr/bin/dash /bin/sh
add_host_binary /usr/bin/true /bin/true
add_host_binary /usr/bin/timeout /usr/bin/timeout
add_host_binary /usr/bin/setpriv /usr/bin/setpriv
# enforce.sh: a container-like writer in new mount and pid namespaces
add_host_binary /usr/bin/unshare /usr/bin/unshare
cp "$BUILD/tests/opener" "$root/bulwark/build/tests/opener"
# The overlay module is loaded on demand, as on a host: the kernel runs
# /sbin/modprobe (Debian's kmod) for "fs-overlay", found in the modules.alias
# that depmod writes for it.
add_host_binary /usr/bin/kmod /sbin/modprobe
moddir=/lib/modules/$release/kernel/fs/overlayfs
mkdir -p "$root$moddir"
cp "$ovl" "$root$moddir/"
# the lists of built-in and ordered modules, which depmod and modprobe consult
cp "$tree/lib/modules/$release"/modules.order "$tree/lib/modules/$release"/modules.builtin* "$root/lib/modules/$release/"
depmod -b "$root" "$release"
cp tests/kernels/init.sh "$root/init"
cp tests/run.sh "$root/bulwark/tests/run.sh"
cp tests/bpf/startup.sh "$root/bulwark/tests/bpf/startup.sh"
cp tests/kernels/refusal.sh "$root/bulwark/tests/kernels/refusal.sh"
cp tests/kernels/enforce.sh "$root/bulwark/tests/kernels/enforce.sh"
chmod 0755 "$root/init" "$root"/bulwark/tests/*.sh "$root"/bulwark/tests/*/*.sh
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$work/initramfs.gz"

# ---- boot ---------------------------------------------------------------------------------

passed=0 failed=0

# Boots the kernel with extra command-line words $2..., prints the console and adds
# the last "N passed, N failed" line before the marker to the totals.
boot() {
	name=$1; shift
	echo "== vm: $name ($release)"
	start=$(date +%s)
	# KVM fails on this nested setup: software emulation (TCG). -no-reboot turns
	# poweroff, panic and triple fault alike into a qemu exit. No NIC: the tests
	# use loopback only (and the NIC's boot ROM would cost time).
	rc=0
	timeout -s KILL "$VM_TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -smp 1 -m 1024 \
		-nographic -no-reboot -nic none -kernel "$kernel" -initrd "$work/initramfs.gz" \
		-append "console=ttyS0 panic=-1 quiet $*" </dev/null >"$work/console" 2>&1 || rc=$?
	# the serial console's CRs and the firmware's terminal escapes are noise in a log
	tr -d '\r' <"$work/console" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g' >"$work/console.txt"
	cat "$work/console.txt"
	echo "== vm: $name: qemu exit status $rc after $(($(date +%s) - start)) s"
	# (not anchored at line start: a kernel message may share the line)
	if ! grep -q '@@ bulwark-vm done$' "$work/console.txt"; then
		echo "!! vm: $name: did not finish (no marker line; crash, panic or timeout after ${VM_TIMEOUT}s)"
		failed=$((failed + 1))
		return
	fi
	summary=$(sed -n '/@@ bulwark-vm done$/q; p' "$work/console.txt" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
	if [ -z "$summary" ]; then
		echo "!! vm: $name: no summary line"
		failed=$((failed + 1))
		return
	fi
	p=${summary%% passed*}
	f=${summary#*passed, }; f=${f%% failed*}
	passed=$((passed + p)); failed=$((failed + f))
}

# Debian's 6.1 boots with bpf at the end of its LSM list: the LSM tier
boot "bpf suite, lsm tier"
# without bpf in lsm=, an lsm program attaches and never runs: the agent must choose fentry
boot "bpf suite, no bpf in lsm=: fentry tier" lsm=landlock,lockdown,yama,apparmor bulwark.tier=fentry
boot "lockdown=confidentiality" lockdown=confidentiality bulwark.mode=lockdown

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
