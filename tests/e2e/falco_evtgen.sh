#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Falco's stable rules end to end (issue 14): bulwark runs Falco's falco_rules.yaml unmodified
# (../shared/falco-rules, test data outside the repository), and for each stable rule that can fire
# here the actions of its event-generator spec (e2e-evtgen/*.yaml) are performed for real: the
# syscalls by build/tests/evtgen, under the process names, users and arguments the spec gives, on
# the host or in a real Docker container where the spec's context has one. Each case must raise
# exactly that rule with the spec's outputFields (and our process: proc.exepath, container.id);
# each benign twin (the same action with the one condition the rule needs left out) must not.
# Rules that cannot run here are listed with the reason (skip lines, not counted).
# Usage (root): tests/e2e/falco_evtgen.sh PATH/TO/bulwark PATH/TO/evtgen    Last line: "N passed, N failed".
set -u
B=$(realpath "$1")
EG=$(realpath "${2:-build/tests/evtgen}")
cd "$(dirname "$0")/../.."
F=../shared/falco-rules
if [ ! -f "$F/falco_rules.yaml" ] || [ ! -d "$F/e2e-evtgen" ]; then
	echo "skip Falco's event-generator actions: $F is absent (Falco's rule files are test data outside the repository)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
IMAGE=localhost/bulwark-busybox:test # made by tests/e2e/docker-env.sh
W=$(mktemp -d /tmp/bw-falco-evtgen.XXXXXX)
chmod 755 "$W"
passed=0 failed=0 AGENT="" AGENT2="" CTR="" PLAIN="" MADE=""
ok() { echo "ok   $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
skip() { echo "skip $*"; }
cleanup() {
	[ -n "$CTR" ] && docker rm -f "$CTR" >/dev/null 2>&1
	[ -n "$PLAIN" ] && docker rm -f "$PLAIN" >/dev/null 2>&1
	[ -n "$AGENT" ] && kill "$AGENT" 2>/dev/null && wait "$AGENT" 2>/dev/null
	[ -n "$AGENT2" ] && kill "$AGENT2" 2>/dev/null && wait "$AGENT2" 2>/dev/null
	# the files and directories this test made outside $W, newest first
	for p in $MADE; do rm -f "$p" 2>/dev/null || rmdir "$p" 2>/dev/null; done
	rm -f /dev/shm/eg_devshm
	tests/e2e/docker-env.sh stop
	[ -n "${EG_KEEP:-}" ] && echo "kept $W" || rm -rf "$W"
}
trap cleanup EXIT

# make PATH [dir]: creates a file (or directory) the spec's resources name, removed at the end if it was absent
make_file() {
	local d
	d=$(dirname "$1")
	[ -d "$d" ] || { make_file "$d" dir; }
	[ -e "$1" ] && return
	if [ "${2:-}" = dir ]; then mkdir "$1"; else : >"$1"; fi
	MADE="$1 $MADE"
}

# the process names the specs ask for: symlinks to the one program (the kernel names a task after
# the path it executed, and proc.exepath is the file behind it: $W/evtgen, ours alone)
cp "$EG" "$W/evtgen"
mkdir "$W/bin"
name() { for n in "$@"; do ln -sf "$W/evtgen" "$W/bin/$n"; done; }
# expect fire|silent RULE JSON: the alerts of RULE whose output_fields hold every key of JSON
: >"$W/expect"
: >"$W/expect2"
expect() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$W/expect"; }
expect2() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$W/expect2"; } # the incubating agent's
HX="\"proc.exepath\":\"$W/evtgen\"" # a host case's process

tests/e2e/docker-env.sh start || { fail "no Docker engine"; echo "$passed passed, $failed failed"; exit 1; }
# containers an earlier run left behind when the engine stopped under it (exited ones only: not a running test's)
docker ps -aq --filter name=bw-falco-evtgen- --filter status=exited | xargs -r docker rm -f >/dev/null
# every alert delivered (noise control off: the cases repeat rules on purpose); no metrics port
"$B" run -r "$F/falco_rules.yaml" -o "file:$W/alerts.json" --rate-limit 0 --metrics-listen "" >/dev/null 2>"$W/agent.log" &
AGENT=$!
# beside it, the incubating file alone: its rule on proc.env, which the kernel reads only while a
# loaded rule uses it (the stable file has none)
"$B" run -r "$F/falco-incubating_rules.yaml" -o "file:$W/alerts2.json" --rate-limit 0 --metrics-listen "" \
	>/dev/null 2>"$W/agent2.log" &
AGENT2=$!
for _ in $(seq 120); do grep -q '"bulwark running:' "$W/agent.log" && grep -q '"bulwark running:' "$W/agent2.log" && break; sleep 0.5; done
grep -q '"bulwark running:' "$W/agent.log" || { fail "the agent did not start: $(tail -3 "$W/agent.log")"; echo "$passed passed, $failed failed"; exit 1; }
grep -q '"bulwark running:' "$W/agent2.log" || { fail "the second agent did not start: $(tail -3 "$W/agent2.log")"; echo "$passed passed, $failed failed"; exit 1; }

# two containers: one with CAP_SYS_ADMIN (release_agent), one with Docker's defaults (the twins)
# (an IPv6 loopback too: Docker turns IPv6 off in a container without a network)
V6="--sysctl net.ipv6.conf.all.disable_ipv6=0 --sysctl net.ipv6.conf.lo.disable_ipv6=0"
CTR=$(docker run -d --name "bw-falco-evtgen-$$" --network none $V6 --cap-add SYS_ADMIN \
	--security-opt apparmor=unconfined -v "$W/evtgen:/evtgen:ro" "$IMAGE" sleep 600)
PLAIN=$(docker run -d --name "bw-falco-evtgen-plain-$$" --network none $V6 -v "$W/evtgen:/evtgen:ro" "$IMAGE" sleep 600)
CID=${CTR:0:12} PID_=${PLAIN:0:12}
CX="\"proc.exepath\":\"/evtgen\",\"container.id\":\"$CID\""
PX="\"proc.exepath\":\"/evtgen\",\"container.id\":\"$PID_\""
# cexec CONTAINER EG_OPS [EG_OPS1]: the program as /eg/eg_runner in the container (a parent that is no shell)
cexec() { docker exec -e "EG_OPS=$2" -e "EG_OPS1=${3:-}" "$1" /eg/eg_runner || fail "docker exec in $1: $2"; }
cname() { docker exec "$1" sh -c 'mkdir -p /eg && for n; do /bin/busybox ln -sf /evtgen "/eg/$n"; done' sh "$@" >/dev/null; }
shells="ash bash csh ksh sh tcsh zsh dash"
for c in "$CTR" "$PLAIN"; do cname "$c" eg_runner $shells nc ncat eg_packet eg_release eg_redirect; done

# ---- Read sensitive file trusted after startup: a server process, more than 5 s old, reads /etc/shadow.
# Started first, in the background (they wait 6 s while the other cases run).
servers="nginx httpd httpd-foregroun lighttpd apache apache2 mysqld postgres sqlplus docker dockerd containerd-shim
	pause exe docker-compose docker-entrypoi docker-runc-cur docker-current dockerd-current"
name $servers
bg=""
for s in $servers; do
	EG_OPS="sleep=6;openat=/etc/shadow,r" "$W/bin/$s" &
	bg="$bg $!"
	expect fire "Read sensitive file trusted after startup" "{$HX,\"fd.name\":\"/etc/shadow\",\"proc.name\":\"$s\"}"
done
# twin: a server that reads it at once (proc_is_new)
name eg_young
EG_OPS="exec=$W/bin/nginx|nginx" EG_OPS1="openat=/etc/shadow,r" "$W/bin/eg_young"
expect silent "Read sensitive file trusted after startup" "{$HX,\"proc.name\":\"nginx\",\"proc.pname\":\"eg_young\"}"

# ---- Clear Log Activities: open/openat/openat2 with O_TRUNC of log files (host)
logs="/var/log/eg_clear_test /tmp/eg_clearlog/syslog /tmp/eg_clearlog/auth.log /tmp/eg_clearlog/secure
	/tmp/eg_clearlog/kern.log /tmp/eg_clearlog/cron /tmp/eg_clearlog/user.log /tmp/eg_clearlog/dpkg.log
	/tmp/eg_clearlog/last.log /tmp/eg_clearlog/yum.log /tmp/eg_clearlog/access_log /tmp/eg_clearlog/mysql.log
	/tmp/eg_clearlog/mysqld.log"
name eg_clearlog eg_appendlog
for t in $logs; do make_file "$t"; done
for call in open openat openat2; do
	ops=""
	for t in $logs; do ops="$ops$call=$t,wt;"; done
	EG_OPS="$ops" "$W/bin/eg_clearlog"
	for t in $logs; do
		expect fire "Clear Log Activities" "{$HX,\"fd.name\":\"$t\",\"proc.name\":\"eg_clearlog\",\"evt.type\":\"$call\"}"
	done
done
# twin: the same files opened for appending
ops=""
for t in $logs; do ops="${ops}openat=$t,wa;"; done
EG_OPS="$ops" "$W/bin/eg_appendlog"
expect silent "Clear Log Activities" "{$HX,\"proc.name\":\"eg_appendlog\"}"

# ---- Read sensitive file untrusted: open/openat/openat2 for reading (host)
sens="/etc/shadow /etc/sudoers /etc/pam.conf /etc/security/pwquality.conf /etc/sudoers.d/eg_read_sensitive
	/etc/pam.d/eg_read_sensitive"
for t in $sens; do make_file "$t"; done
name eg_sensread passwd
for call in open openat openat2; do
	ops=""
	for t in $sens; do ops="$ops$call=$t,r;"; done
	EG_OPS="$ops" "$W/bin/eg_sensread"
	for t in $sens; do
		expect fire "Read sensitive file untrusted" "{$HX,\"fd.name\":\"$t\",\"proc.name\":\"eg_sensread\",\"evt.type\":\"$call\"}"
	done
done
# twin: the same reads by passwd (user_mgmt_binaries)
ops=""
for t in $sens; do ops="${ops}openat=$t,r;"; done
EG_OPS="$ops" "$W/bin/passwd"
expect silent "Read sensitive file untrusted" "{$HX,\"proc.name\":\"passwd\"}"

# ---- Directory traversal monitored file read: a path through '../' twice (host; the parent is no shell)
skip "Directory traversal monitored file read of /tmp/eg_id_rsa: read-only opens are filtered in the kernel to the path prefixes the rules name, and 'fd.name contains id_rsa' names none"
make_file /root/.ssh/eg_traversal_key
make_file /home/eg_dirtraversal/.ssh/eg_traversal_key
name eg_trav_parent eg_trav eg_notrav
trav="/etc/../etc/../etc/shadow:/etc/shadow
	/root/../root/../root/.ssh/eg_traversal_key:/root/.ssh/eg_traversal_key
	/home/eg_dirtraversal/../eg_dirtraversal/../eg_dirtraversal/.ssh/eg_traversal_key:/home/eg_dirtraversal/.ssh/eg_traversal_key"
for call in open openat openat2; do
	ops=""
	for t in $trav; do ops="$ops$call=${t%%:*},r;"; done
	EG_OPS="exec=$W/bin/eg_trav|eg_trav" EG_OPS1="$ops" "$W/bin/eg_trav_parent"
	for t in $trav; do
		expect fire "Directory traversal monitored file read" \
			"{$HX,\"fd.name\":\"${t#*:}\",\"fd.nameraw\":\"${t%%:*}\",\"evt.type\":\"$call\"}"
	done
done
# twin: the same files by their plain names
ops=""
for t in $trav; do ops="${ops}openat=${t#*:},r;"; done
EG_OPS="exec=$W/bin/eg_notrav|eg_notrav" EG_OPS1="$ops" "$W/bin/eg_trav_parent"
expect silent "Directory traversal monitored file read" "{$HX,\"proc.name\":\"eg_notrav\"}"

# ---- Disallowed SSH Connection Non Standard Port: ssh connects to 203.0.113.10 on 7 ports. The
# address is made reachable in a new network namespace (its loopback), the server on it too.
name ssh
ports="80 8080 88 443 8443 53 4444"
ops=""
for p in $ports 22; do ops="${ops}listen=203.0.113.10:$p;"; done
for p in $ports; do ops="${ops}connect=203.0.113.10:$p;"; done
if unshare -n sh -c 'ip link set lo up && ip addr add 203.0.113.10/32 dev lo && EG_OPS="$1" "$2"' sh \
	"${ops}" "$W/bin/ssh"; then
	for p in $ports; do
		expect fire "Disallowed SSH Connection Non Standard Port" \
			"{$HX,\"proc.name\":\"ssh\",\"fd.l4proto\":\"tcp\",\"fd.rport\":$p}"
	done
	# twin: port 22
	unshare -n sh -c 'ip link set lo up && ip addr add 203.0.113.10/32 dev lo && EG_OPS="$1" "$2"' sh \
		"listen=203.0.113.10:22;connect=203.0.113.10:22" "$W/bin/ssh"
	expect silent "Disallowed SSH Connection Non Standard Port" "{$HX,\"fd.rport\":22}"
else
	fail "Disallowed SSH: the connects in a new network namespace failed"
fi

# ---- Execution from /dev/shm: argv[0] under /dev/shm; shells with /dev/shm arguments (host and container)
ln -sf "$W/evtgen" /dev/shm/eg_devshm
name $shells
/dev/shm/eg_devshm
expect fire "Execution from /dev/shm" "{$HX,\"proc.name\":\"eg_devshm\",\"container.id\":\"host\"}"
docker exec "$CTR" /bin/busybox ln -sf /evtgen /dev/shm/eg_devshm
cops=""
for sh in $shells; do
	for a in "-c|/dev/shm/evil" "-i|/dev/shm/evil" "/dev/shm/evil"; do
		"$W/bin/$sh" ${a//|/ }
		cops="${cops}exec=/eg/$sh|$sh|$a;"
	done
	for a in "-c /dev/shm/evil" "-i /dev/shm/evil" "/dev/shm/evil"; do
		expect fire "Execution from /dev/shm" "{$HX,\"proc.name\":\"$sh\",\"proc.cmdline\":\"$sh $a\"}"
		expect fire "Execution from /dev/shm" "{$CX,\"proc.name\":\"$sh\",\"proc.cmdline\":\"$sh $a\"}"
	done
done
cexec "$CTR" "exec=/dev/shm/eg_devshm|/dev/shm/eg_devshm;$cops"
expect fire "Execution from /dev/shm" "{$CX,\"proc.name\":\"eg_devshm\"}"
# the rule's proc.cwd branches (no spec case): ./eg_cwdrun run from a directory under /dev/shm; twin: from /tmp
make_file /dev/shm/eg_cwd dir
make_file /tmp/eg_cwd dir
ln -sf "$W/evtgen" /dev/shm/eg_cwd/eg_cwdrun
ln -sf "$W/evtgen" /tmp/eg_cwd/eg_cwdtwin
MADE="/dev/shm/eg_cwd/eg_cwdrun /tmp/eg_cwd/eg_cwdtwin $MADE"
(cd /dev/shm/eg_cwd && ./eg_cwdrun)
(cd /tmp/eg_cwd && ./eg_cwdtwin)
expect fire "Execution from /dev/shm" "{$HX,\"proc.name\":\"eg_cwdrun\",\"proc.cwd\":\"/dev/shm/eg_cwd\"}"
expect silent "Execution from /dev/shm" "{$HX,\"proc.name\":\"eg_cwdtwin\"}"
# twin: a shell running a script from /tmp
"$W/bin/dash" -c /tmp/evil
expect silent "Execution from /dev/shm" "{$HX,\"proc.cmdline\":\"dash -c /tmp/evil\"}"

# ---- Fileless execution via memfd_create (host)
name eg_memfd_parent eg_memfd_twin eg_filed
EG_OPS=memfd "$W/bin/eg_memfd_parent"
expect fire "Fileless execution via memfd_create" "{\"proc.pname\":\"eg_memfd_parent\",\"evt.arg.flags\":\"EXE_WRITABLE|EXE_FROM_MEMFD\"}"
# twin: the same program run from its file
EG_OPS="exec=$W/bin/eg_filed|eg_filed" "$W/bin/eg_memfd_twin"
expect silent "Fileless execution via memfd_create" "{\"proc.pname\":\"eg_memfd_twin\"}"

# ---- processes named as the specs say, with their arguments (host)
name grep egrep fgrep find shred mkfs mke2fs eg_benign
for g in grep egrep fgrep; do
	for s in aws_access_key_id aws_secret_access_key aws_session_token accesskeyid secretaccesskey; do
		"$W/bin/$g" "$s"
		expect fire "Find AWS Credentials" "{$HX,\"proc.name\":\"$g\",\"proc.cmdline\":\"$g $s\"}"
	done
	for p in "BEGIN PRIVATE" "BEGIN OPENSSH PRIVATE" "BEGIN RSA PRIVATE" "BEGIN DSA PRIVATE" "BEGIN EC PRIVATE"; do
		"$W/bin/$g" $p
		expect fire "Search Private Keys or Passwords" "{$HX,\"proc.name\":\"$g\",\"proc.cmdline\":\"$g $p\"}"
	done
done
"$W/bin/find" /root/.aws/credentials
expect fire "Find AWS Credentials" "{$HX,\"proc.name\":\"find\",\"proc.cmdline\":\"find /root/.aws/credentials\"}"
for f in id_rsa id_dsa id_ed25519 id_ecdsa; do
	"$W/bin/find" "$f"
	expect fire "Search Private Keys or Passwords" "{$HX,\"proc.name\":\"find\",\"proc.cmdline\":\"find $f\"}"
done
"$W/bin/grep" eg_nothing_secret
expect silent "Find AWS Credentials" "{$HX,\"proc.cmdline\":\"grep eg_nothing_secret\"}"
expect silent "Search Private Keys or Passwords" "{$HX,\"proc.cmdline\":\"grep eg_nothing_secret\"}"
for p in shred mkfs mke2fs; do
	"$W/bin/$p"
	expect fire "Remove Bulk Data from Disk" "{$HX,\"proc.name\":\"$p\"}"
done
"$W/bin/eg_benign"
expect silent "Remove Bulk Data from Disk" "{$HX,\"proc.name\":\"eg_benign\"}"

# ---- Run shell untrusted: a shell spawned by a protected server, directly, through an excluded
# parent (PM2, runsv), or by java running a monitored framework (host)
spawners="fluentd flanneld splunkd consul smbd nginx httpd httpd-foregroun lighttpd apache apache2 mysqld postgres
	sqlplus couchdb memcached redis-server rabbitmq-server mongod sendmail sendmail-msp postfix procmail exim4 pickup
	showq mailq dovecot imap-login imap mailmng-core pop3-login dovecot-lda pop3"
name $spawners PM2 runsv eg_middle java eg_plainparent
ops=""
for sh in $shells; do ops="${ops}exec=$W/bin/$sh|$sh;"; done
for s in $spawners; do
	EG_OPS="$ops" "$W/bin/$s"
	for sh in $shells; do
		expect fire "Run shell untrusted" "{$HX,\"proc.name\":\"$sh\",\"proc.pname\":\"$s\"}"
	done
done
for s in PM2 runsv; do
	EG_OPS="exec=$W/bin/eg_middle|eg_middle" EG_OPS1="$ops" "$W/bin/$s"
done
for sh in $shells; do
	expect fire "Run shell untrusted" "{$HX,\"proc.name\":\"$sh\",\"proc.pname\":\"eg_middle\",\"proc.aname[2]\":\"PM2\"}"
	expect fire "Run shell untrusted" "{$HX,\"proc.name\":\"$sh\",\"proc.pname\":\"eg_middle\",\"proc.aname[2]\":\"runsv\"}"
done
for m in org.apache.zookeeper.server kafka.Kafka org.elasticsearch.bootstrap.Elasticsearch activemq.jar \
	org.apache.cassandra.service.CassandraDaemon org.jboss com.sun.enterprise.glassfish org.apache.hadoop com.datastax; do
	EG_OPS="$ops" "$W/bin/java" "$m"
	for sh in $shells; do
		expect fire "Run shell untrusted" "{$HX,\"proc.name\":\"$sh\",\"proc.pname\":\"java\",\"proc.pcmdline\":\"java $m\"}"
	done
done
# twin: the shells spawned by a parent that protects nothing
EG_OPS="$ops" "$W/bin/eg_plainparent"
expect silent "Run shell untrusted" "{$HX,\"proc.pname\":\"eg_plainparent\"}"

# ---- System user interactive: a system user's command under sshd; login/systemd-logind as one (host)
name sshd id login systemd-logind eg_su
susers=""
for u in bin daemon games lp mail nobody sshd sync uucp www-data; do
	if grep -q "^$u:" /etc/passwd; then susers="$susers $u"; else skip "System user interactive as $u: no such user on this host"; fi
done
for u in $susers; do
	EG_OPS="user=$u;exec=$W/bin/id|id" "$W/bin/sshd"
	expect fire "System user interactive" "{$HX,\"user.name\":\"$u\",\"proc.name\":\"id\",\"proc.pname\":\"sshd\"}"
	for i in login systemd-logind; do
		EG_OPS="user=$u;exec=$W/bin/$i|$i" "$W/bin/eg_su"
		expect fire "System user interactive" "{$HX,\"user.name\":\"$u\",\"proc.name\":\"$i\"}"
	done
done
# twin: the same command as root under sshd
EG_OPS="exec=$W/bin/id|id" "$W/bin/sshd"
expect silent "System user interactive" "{$HX,\"proc.name\":\"id\",\"user.name\":\"root\"}"

# ---- in the containers
# Netcat Remote Code Execution in Container
ops=""
for a in "-e|/bin/sh" "-c|/bin/sh"; do ops="${ops}exec=/eg/nc|nc|$a;"; done
for a in "--sh-exec|/bin/sh" "--exec|/bin/sh" "-e|/bin/sh" "-c|/bin/sh" "--lua-exec|/bin/sh"; do ops="${ops}exec=/eg/ncat|ncat|$a;"; done
cexec "$CTR" "$ops"
for a in "-e /bin/sh" "-c /bin/sh"; do
	expect fire "Netcat Remote Code Execution in Container" "{$CX,\"proc.name\":\"nc\",\"proc.cmdline\":\"nc $a\"}"
done
for a in "--sh-exec /bin/sh" "--exec /bin/sh" "-e /bin/sh" "-c /bin/sh" "--lua-exec /bin/sh"; do
	expect fire "Netcat Remote Code Execution in Container" "{$CX,\"proc.name\":\"ncat\",\"proc.cmdline\":\"ncat $a\"}"
done
# twin: nc without an exec flag
cexec "$PLAIN" "exec=/eg/nc|nc|-l|-p|8080"
expect silent "Netcat Remote Code Execution in Container" "{$PX}"

# Packet socket created in container; twin: an inet socket
cexec "$CTR" "exec=/eg/eg_packet|eg_packet" "socket=packet"
expect fire "Packet socket created in container" "{$CX,\"proc.name\":\"eg_packet\"}"
cexec "$PLAIN" "exec=/eg/eg_packet|eg_packet" "socket=inet"
expect silent "Packet socket created in container" "{$PX}"

# Detect release_agent File Container Escapes: root with CAP_SYS_ADMIN writes a file named release_agent
docker exec "$CTR" mkdir -p /root
docker exec "$PLAIN" mkdir -p /root
# The rule reads the capabilities the process tree keeps from the exec, which rides the other ring
# buffer: the open right after the exec meets them because the agent merges the rings by kernel
# time (agent/ringmerge.c), with no pause.
for call in open openat openat2; do
	cexec "$CTR" "exec=/eg/eg_release|eg_release" "$call=/tmp/release_agent,w;$call=/root/release_agent,w"
	cexec "$PLAIN" "exec=/eg/eg_release|eg_release" "$call=/tmp/release_agent,w;$call=/root/release_agent,w"
	for t in /tmp/release_agent /root/release_agent; do
		expect fire "Detect release_agent File Container Escapes" \
			"{$CX,\"fd.name\":\"$t\",\"proc.name\":\"eg_release\",\"user.name\":\"root\",\"evt.type\":\"$call\"}"
	done
done
# twin: Docker's default capabilities (no CAP_SYS_ADMIN)
expect silent "Detect release_agent File Container Escapes" "{$PX}"
skip "Detect release_agent File Container Escapes as daemon: Docker gives a non-root user no effective capabilities (the rule needs CAP_SYS_ADMIN)"

# Drop and execute new binary in container: a copy in the container's upper layer, run as daemon (uid 1)
for p in /tmp/eg_dropped /usr/local/bin/eg_dropped /root/eg_dropped; do
	docker exec "$CTR" sh -c 'mkdir -p "$(dirname "$1")" && cp /evtgen "$1"' sh "$p"
	docker exec -u 1:1 -e EG_OPS= "$CTR" "$p" || fail "docker exec $p"
	expect fire "Drop and execute new binary in container" \
		"{\"container.id\":\"$CID\",\"proc.exe\":\"$p\",\"proc.name\":\"eg_dropped\",\"user.name\":\"daemon\"}"
done
# twin: the image's own file (a lower layer) and the bind-mounted one
docker exec -u 1:1 "$PLAIN" /bin/true
cexec "$PLAIN" ""
expect silent "Drop and execute new binary in container" "{\"container.id\":\"$PID_\"}"

# Redirect STDOUT/STDIN to Network Connection in Container: a connected TCP socket dup2'd/dup3'd onto 0, 1, 2
# (the server in the same process, on the container's loopback); twin: onto fd 5
for call in dup2 dup3; do
	for a in "tcp4:127.0.0.1:9999:ipv4" "tcp6:[::1]:9998:ipv6"; do
		l4=${a%%:*} rest=${a#*:} fdtype=${a##*:}
		addr=${rest%:*}
		if [ "$l4" = tcp6 ] && ! docker exec "$CTR" sh -c 'grep -q . /proc/net/if_inet6' 2>/dev/null; then
			skip "Redirect STDOUT/STDIN over tcp6 ($call): the container has no IPv6 loopback"
			continue
		fi
		cexec "$CTR" "exec=/eg/eg_redirect|eg_redirect" "listen=$addr;connect=$addr;$call=0;$call=1;$call=2"
		expect fire "Redirect STDOUT/STDIN to Network Connection in Container" \
			"{$CX,\"proc.name\":\"eg_redirect\",\"fd.type\":\"$fdtype\",\"fd.l4proto\":\"tcp\",\"evt.type\":\"$call\"}"
	done
done
cexec "$PLAIN" "exec=/eg/eg_redirect|eg_redirect" "listen=127.0.0.1:9999;connect=127.0.0.1:9999;dup2=5;dup3=6"
expect silent "Redirect STDOUT/STDIN to Network Connection in Container" "{$PX}"

skip "Debugfs Launched in Privileged Container: container.privileged needs docker run --privileged (or --cap-add ALL), which this host refuses (CAP_SYS_RESOURCE is not in its bounding set)"
for r in "Create Symlink Over Sensitive Files" "Create Hardlink Over Sensitive Files"; do
	why=$("$B" rules check "$F/falco_rules.yaml" 2>&1 | grep -F "rule '$r' loads, cannot fire" | sed 's/.*cannot fire: //')
	[ -n "$why" ] && skip "$r: cannot fire here ($why)"
done

# ---- the incubating agent: GLIBC_TUNABLES in a new image's environment (CVE-2023-4911); twin: without it
name eg_tunables
env GLIBC_TUNABLES=glibc.malloc.mxfast=0 "$W/bin/eg_tunables" tunables
env "$W/bin/eg_tunables" plain
expect2 fire "Potential Local Privilege Escalation via Environment Variables Misuse" "{$HX,\"proc.cmdline\":\"eg_tunables tunables\"}"
expect2 silent "Potential Local Privilege Escalation via Environment Variables Misuse" "{$HX,\"proc.cmdline\":\"eg_tunables plain\"}"

# ---- the alerts
for p in $bg; do wait "$p" || fail "a server process of 'Read sensitive file trusted after startup' failed"; done
cat >"$W/check.py" <<'PY'
import json, sys, time
exp = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
want = [(k, r, json.loads(f)) for k, r, f in exp]
def load():
    out = []
    for l in open(sys.argv[2]):
        try:
            out.append(json.loads(l))
        except ValueError:
            pass
    return out
def match(a, rule, f):
    o = a.get("output_fields", {})
    # numbers (ports) as Falco prints them or as text
    return a.get("rule") == rule and all(k in o and str(o[k]) == str(v) for k, v in f.items())
deadline = time.time() + 30
while True:
    alerts = load()
    missing = [(r, f) for k, r, f in want if k == "fire" and not any(match(a, r, f) for a in alerts)]
    if not missing or time.time() > deadline:
        break
    time.sleep(0.5)
time.sleep(1.0)  # late alerts of the twins
alerts = load()
rc = 0
rules = {}
for k, r, f in want:
    rules.setdefault(r, [0, 0, 0, 0])
    hit = [a for a in alerts if match(a, r, f)]
    if k == "fire":
        rules[r][0] += 1
        if hit:
            rules[r][1] += 1
        elif rules[r][0] - rules[r][1] <= 3:  # the first few misses of a rule
            near = [a["output_fields"] for a in alerts if a.get("rule") == r][:2]
            print("    %s: no alert with %s (%d alerts of the rule, e.g. %s)" % (r, json.dumps(f), len([a for a in alerts if a.get("rule") == r]), json.dumps(near)[:400]))
    else:
        rules[r][2] += 1
        if not hit:
            rules[r][3] += 1
        else:
            print("    %s: benign twin alerted: %s" % (r, hit[0]["output"][:300]))
for r, (n, got, t, quiet) in sorted(rules.items()):
    state = "ok  " if got == n and quiet == t else "FAIL"
    if state == "FAIL":
        rc = 1
    print("%s %s: %d/%d cases fired, %d/%d twins silent" % (state, r, got, n, quiet, t))
sys.exit(rc)
PY
python3 "$W/check.py" "$W/expect" "$W/alerts.json" >"$W/result" 2>&1
python3 "$W/check.py" "$W/expect2" "$W/alerts2.json" >>"$W/result" 2>&1
cat "$W/result"
passed=$((passed + $(grep -c '^ok  ' "$W/result")))
failed=$((failed + $(grep -c '^FAIL' "$W/result")))
grep -q '^ok  \|^FAIL' "$W/result" || fail "the alert check did not run: $(head -5 "$W/result")"
kill -0 "$AGENT" 2>/dev/null && kill -0 "$AGENT2" 2>/dev/null && ok "the agents keep running" ||
	fail "an agent died: $(tail -3 "$W/agent.log" "$W/agent2.log")"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
