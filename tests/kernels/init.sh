#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# PID 1 of the test VM that tests/kernels/run.sh boots: mounts what the agent and
# its tests use, runs the BPF suite, prints a marker
# line for the host and powers off.
# No `set -e`: PID 1 must always reach poweroff (the kernel panics when init exits).
set -u
export PATH=/usr/bin:/bin
export HOME=/ TMPDIR=/tmp

if [ "${1-}" != stage2 ]; then
	# pivot_root(2) refuses to move the initial rootfs (EINVAL) and the tests
	# pivot as a container runtime does: run from a tmpfs root instead, as a
	# booted system runs from its disk.
	mkdir /newroot
	mount -t tmpfs -o mode=0755 tmpfs /newroot
	for d in /*; do
		[ "$d" = /newroot ] || cp -a "$d" /newroot/
	done
	# shellcheck disable=SC2093 # the lines after it run only if exec fails
	exec switch_root /newroot /init stage2
	echo "vm: switch_root failed"
	poweroff -f
fi

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev # /dev/null for the tests and the shell
mount -t tmpfs tmpfs /tmp       # the tests' work directories, as on a host
# tracefs is mounted here as on a host; startup.sh checks the agent mounts it itself when it is not
mount -t tracefs tracefs /sys/kernel/tracing
mount -t securityfs securityfs /sys/kernel/security # where the kernel tells its lockdown mode
# the connect/bind/listen tests use 127.0.0.1 and ::1
ip link set lo up

# Debian builds overlayfs as a module, and the test agent starts before the
# first overlay mount: the agent itself has the module loaded, or its probes
# would find no BTF for struct ovl_inode (test_overlay_layers checks the layer).
echo "vm: kernel $(uname -r), overlay module loaded: $(test -e /sys/module/overlay && echo yes || echo no)"

# Adds a script's closing "N passed, N failed" to the boot's total (a script without one failed).
total_p=0 total_f=0
tally() {
	s=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	[ -n "$s" ] || s="0 passed, 1 failed"
	p=${s%% passed*}
	f=${s#*passed, }
	f=${f%% failed*}
	total_p=$((total_p + p))
	total_f=$((total_f + f))
}

mode=suite
case " $(cat /proc/cmdline) " in
*" bulwark.mode=lockdown "*) mode=lockdown ;;
esac
# the hook tier the agent must choose on this boot (the BPF suite's startup test and enforce.sh check it)
export BULWARK_EXPECT_TIER=lsm
case " $(cat /proc/cmdline) " in
*" bulwark.tier=fentry "*) BULWARK_EXPECT_TIER=fentry ;;
esac
echo "vm: active LSMs: $(cat /sys/kernel/security/lsm); expected tier: $BULWARK_EXPECT_TIER"

cd /bulwark || { echo "vm: no /bulwark"; poweroff -f; }
case $mode in
suite)
	# the host's suite runner and BPF tests, unchanged
	tests/run.sh bpf 2>&1 | tee /tmp/out.bpf
	tally /tmp/out.bpf
	# an agent that did not start says why (the verifier's last lines) only in its stderr file
	for f in /tmp/bulwark-bpftest.*/trace.stderr; do
		[ -f "$f" ] && grep -q '"level":"error"' "$f" && grep -o '"msg":"[^"]*' "$f" | tail -n 12 | sed 's/^/vm: trace.stderr: /'
	done
	# enforcement on this boot's tier, in both modes, and on the tracepoint tier (SIGKILL) too
	export BULWARK_VM=1
	sh tests/kernels/enforce.sh build/bulwark build/tests/opener "$BULWARK_EXPECT_TIER" enforce 2>&1 | tee /tmp/out.enf
	tally /tmp/out.enf
	# each agent start is about a minute under emulation: monitor mode and the SIGKILL tier on the lsm boot only
	if [ "$BULWARK_EXPECT_TIER" = lsm ]; then
		sh tests/kernels/enforce.sh build/bulwark build/tests/opener lsm monitor 2>&1 | tee /tmp/out.mon
		tally /tmp/out.mon
		BULWARK_SENSOR_TIER_MAX=tracepoints sh tests/kernels/enforce.sh build/bulwark build/tests/opener tracepoints enforce 2>&1 |
			tee /tmp/out.kill
		tally /tmp/out.kill
	fi
	# the boot's total, the line tests/kernels/run.sh counts
	echo "$total_p passed, $total_f failed"
	# What this kernel gave the agent: hooks attached and skipped (with the
	# reason), and libbpf's CO-RE relocations of struct ovl_inode against the
	# overlay module's BTF. Informative; the assertions are in the suite.
	# Once (the same kernel boots twice): each agent start is minutes under
	# emulation on a busy machine.
	if [ "$BULWARK_EXPECT_TIER" = fentry ]; then
		echo "vm: module BTF: $(ls /sys/kernel/btf | tr '\n' ' ')"
		: >/tmp/inventory # before the agent's shell opens it: the loop below reads it at once
		build/bulwark trace -v --events exec >/dev/null 2>/tmp/inventory &
		agent=$!
		i=0
		while [ $i -lt 300 ] && ! grep -q 'sensor ready' /tmp/inventory && kill -0 $agent 2>/dev/null; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -INT $agent 2>/dev/null
		wait $agent
		grep -E 'optional hook skipped|sensor ready|struct ovl_inode: found target candidate' /tmp/inventory |
			sed 's/^/vm: agent: /'
		rm -f /tmp/inventory
	fi
	;;
lockdown)
	# booted with lockdown=confidentiality: BPF may not read kernel memory, so
	# the agent must refuse to start with one line naming the lockdown
	sh tests/kernels/refusal.sh build/bulwark 'kernel lockdown'
	;;
esac
echo "@@ bulwark-vm done"
poweroff -f
