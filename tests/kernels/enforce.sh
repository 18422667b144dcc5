#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Enforcement inside the test VM (tests/kernels/init.sh): `bulwark run` with a
# blocking rule on a cgroup v1 release_agent, and a container-like writer (a
# cgroup v2 directory named as a Docker container's, a new mount and pid
# namespace) that write-opens release_agent through every door: the plain
# syscall, a relative path, a symlink, open_by_handle_at and io_uring.
# Enforce mode: on the lsm and fentry tiers the open fails with EPERM, on the
# tracepoint tier the writer is killed; either way nothing lands and the
# alert says blocked, with the door's evt.type and bulwark.via. The same for
# core_pattern, through the VM's /proc and through a procfs the writer
# mounts itself (restored at once in monitor mode). Monitor mode:
# the write lands and alerts. Twins: the host's own write and the
# container's write of another cgroup file are never refused and never alert.
# Usage: enforce.sh PATH/TO/bulwark PATH/TO/opener TIER MODE
#   TIER: the tier the agent must choose (lsm, fentry, tracepoints); MODE: enforce or monitor
set -u
bw=$1 opener=$2 tier=$3 mode=$4
# it mounts cgroup2 on /sys/fs/cgroup where nothing is: a test VM's job, never a host's
[ "${BULWARK_VM-}" = 1 ] || { echo "enforce.sh runs in the test VM only (BULWARK_VM=1)"; echo "0 passed, 1 failed"; exit 1; }
passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }

work=$(mktemp -d)
cg=$work/cg
id=b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0
ctr=/sys/fs/cgroup/docker-$id.scope
agent=
cleanup() {
	[ -n "$agent" ] && kill -INT "$agent" 2>/dev/null && wait "$agent"
	rmdir "$ctr" 2>/dev/null
	umount "$cg" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

mkdir "$cg"
# a named hierarchy of its own: the test's release_agent touches nothing else
mount -t cgroup -o none,name=bwenf$$ cgroup "$cg" || { bad "mount a named cgroup v1 hierarchy"; echo "$passed passed, $failed failed"; exit 1; }
grep -q " /sys/fs/cgroup cgroup2 " /proc/mounts || mount -t cgroup2 none /sys/fs/cgroup
mkdir -p "$ctr"
cat >"$work/rules.yaml" <<RULES
- macro: open_write
  condition: >
    evt.type in (open, openat, openat2, creat, open_by_handle_at) and evt.is_open_write = true
    and (evt.res >= 0 or bulwark.blocked = true)
- rule: Release Agent Write
  desc: a release_agent write-open from a container
  condition: open_write and container.id != host and fd.filename = release_agent and bulwark.fs.type = cgroup
  output: "door evt=%evt.type via=%bulwark.via file=%fd.name blocked=%bulwark.blocked res=%evt.res"
  priority: CRITICAL
  action: block
- rule: Core Pattern Write
  desc: a core_pattern write-open from a container, on any procfs mount
  condition: open_write and container.id != host and bulwark.fs.type = proc and fd.name endswith /sys/kernel/core_pattern
  output: "core evt=%evt.type file=%fd.name blocked=%bulwark.blocked res=%evt.res"
  priority: CRITICAL
  action: block
RULES
flag=
[ "$mode" = enforce ] && flag=--enforce
: >"$work/alerts"
: >"$work/err" # before the agent's shell opens it: the loop below reads it at once
"$bw" run $flag -r "$work/rules.yaml" --metrics-listen "" --docker-socket "" >>"$work/alerts" 2>"$work/err" &
agent=$!
i=0
# about a minute to load under emulation on a busy machine
while [ $i -lt 1800 ] && ! grep -q 'sensor ready' "$work/err" && kill -0 $agent 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
line=$(grep -o '"msg":"sensor: [^"]*"' "$work/err")
echo "agent: $line"
[ -n "$line" ] || sed 's/^/  agent stderr: /' "$work/err" | tail -n 20
case $line in
*"sensor: $tier ("*) ok "the agent chose the $tier tier" ;;
*) bad "the agent chose the $tier tier: $line" ;;
esac

alerts() { grep -c '"rule":"Release Agent Write"' "$work/alerts"; }

# The writer in the container: its cgroup, then new mount and pid namespaces.
in_container() {
	sh -c "echo \$\$ > $ctr/cgroup.procs && exec unshare -m -p -f sh -c '$opener $1 $2 \"$3\"; echo status=\$?'"
}

for door in syscall relative symlink handle uring; do
	before=$(alerts)
	out=$(in_container $door "$cg/release_agent" /payload-$door 2>&1)
	landed=$(cat "$cg/release_agent")
	echo "  $door: $out; release_agent: '$landed'"
	case $mode/$tier in
	monitor/*) want_status=0 want_landed=/payload-$door want_blocked=false ;;
	enforce/tracepoints) want_status=137 want_landed= want_blocked=true ;;
	*) want_status=1 want_landed= want_blocked=true ;;
	esac
	case $out in
	*status=$want_status) ok "$mode $door: writer exit status $want_status" ;;
	*) bad "$mode $door: writer exit status $want_status, got: $out" ;;
	esac
	if [ "$want_status" = 1 ]; then
		case $out in *open=EPERM*) ok "$mode $door: the open failed with EPERM" ;; *) bad "$mode $door: the open failed with EPERM: $out" ;; esac
	fi
	[ "$landed" = "$want_landed" ] && ok "$mode $door: release_agent is '$want_landed'" ||
		bad "$mode $door: release_agent is '$want_landed', got '$landed'"
	echo >"$cg/release_agent"
	# its alert: exactly one, with the door's evt.type and bulwark.via
	i=0
	while [ $i -lt 50 ] && [ "$(alerts)" -le "$before" ]; do sleep 0.1; i=$((i + 1)); done
	evt=openat via=syscall
	[ $door = handle ] && evt=open_by_handle_at
	[ $door = uring ] && via=io_uring
	want="door evt=$evt via=$via file=$cg/release_agent blocked=$want_blocked"
	got=$(grep '"rule":"Release Agent Write"' "$work/alerts" | tail -n 1 | sed -n 's/.*Critical \(door [^"]*\) res=.*/\1/p')
	if [ "$(alerts)" -ne $((before + 1)) ]; then
		bad "$mode $door: one alert, got $(($(alerts) - before))"
	elif [ "$got" = "$want" ]; then
		ok "$mode $door: alert '$want'"
	else
		bad "$mode $door: alert '$want', got '$got'"
	fi
done

# core_pattern, through the VM's /proc and through a procfs the writer mounts itself
pattern=$(cat /proc/sys/kernel/core_pattern)
for how in proc fresh; do
	before=$(grep -c '"rule":"Core Pattern Write"' "$work/alerts")
	if [ $how = proc ]; then
		file=/proc/sys/kernel/core_pattern
		out=$(in_container syscall $file "|/payload-core" 2>&1)
	else
		file=$work/p/sys/kernel/core_pattern
		mkdir -p "$work/p"
		out=$(sh -c "echo \$\$ > $ctr/cgroup.procs && exec unshare -m -p -f sh -c 'mount -t proc proc $work/p && $opener syscall $file \"|/payload-core\"; echo status=\$?'" 2>&1)
	fi
	landed=$(cat /proc/sys/kernel/core_pattern)
	echo "  core_pattern ($how): $out; core_pattern: '$landed'"
	echo "$pattern" >/proc/sys/kernel/core_pattern # restored at once, whatever happened
	case $mode/$tier in
	monitor/*) want_status=0 want_landed="|/payload-core" want_blocked=false ;;
	enforce/tracepoints) want_status=137 want_landed=$pattern want_blocked=true ;;
	*) want_status=1 want_landed=$pattern want_blocked=true ;;
	esac
	case $out in
	*status=$want_status) ok "$mode core_pattern ($how): writer exit status $want_status" ;;
	*) bad "$mode core_pattern ($how): writer exit status $want_status, got: $out" ;;
	esac
	[ "$landed" = "$want_landed" ] && ok "$mode core_pattern ($how): core_pattern is '$want_landed'" ||
		bad "$mode core_pattern ($how): core_pattern is '$want_landed', got '$landed'"
	i=0
	while [ $i -lt 50 ] && [ "$(grep -c '"rule":"Core Pattern Write"' "$work/alerts")" -le "$before" ]; do sleep 0.1; i=$((i + 1)); done
	want="core evt=openat file=$file blocked=$want_blocked"
	got=$(grep '"rule":"Core Pattern Write"' "$work/alerts" | tail -n 1 | sed -n 's/.*Critical \(core [^"]*\) res=.*/\1/p')
	[ "$got" = "$want" ] && ok "$mode core_pattern ($how): alert '$want'" || bad "$mode core_pattern ($how): alert '$want', got '$got'"
done

# benign twins: the host's own write, and the container's write of another cgroup file
before=$(alerts)
out=$("$opener" syscall "$cg/release_agent" /host-payload)
[ "$(cat "$cg/release_agent")" = /host-payload ] && ok "$mode: the host's own write lands ($out)" ||
	bad "$mode: the host's own write lands: $out"
echo >"$cg/release_agent"
out=$(in_container syscall "$cg/cgroup.clone_children" 1 2>&1)
case $out in *status=0) ok "$mode: the container's write of cgroup.clone_children lands" ;; *) bad "$mode: the container's write of cgroup.clone_children lands: $out" ;; esac
echo 0 >"$cg/cgroup.clone_children"
sleep 1
[ "$(alerts)" -eq "$before" ] && ok "$mode: the twins raise no alert" || bad "$mode: the twins raise no alert ($(($(alerts) - before)))"
kill -INT $agent
wait $agent
agent=
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
