#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Alert delivery end to end with `bulwark alert-send` (no sensor needed): real rsyslog and
# syslog-ng over TCP and TLS (with and without client certificates), nginx and stunnel in front
# of protocol-faithful HEC/_bulk/Loki/webhook receivers (tests/output/mock.py), an outage of 30 s
# during 10,000 alerts, SIGKILL with a full spool, injection in every format, and throughput.
# Every server listens on 127.0.0.1 only and is stopped here. Prints "N passed, N failed".
# Usage: tests/output/run.sh [path/to/bulwark]     (root not needed; OUTAGE_S=30 by default)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
B=$(realpath "${1:-build/bulwark}")
W=$(mktemp -d /tmp/bulwark-outputs.XXXXXX)
OUTAGE_S=${OUTAGE_S:-30}
SNG=/opt/bulwark-test/syslog-ng
CHECK="python3 $HERE/check.py"
MOCK="$HERE/mock.py"
# ports the kernel says are free (other suites may run at the same time on this machine)
read -r P_RS_TCP P_RS_TLS P_RS_MTLS P_NG_TCP P_NG_TLS P_NG_MTLS P_MOCK P_NGINX P_NGINX_MTLS P_STUNNEL P_MOCK2 \
	P_NG_UDP < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(12)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))')
export HEC_TOKEN=hec-token ES_PASSWORD=changeme
passed=0 failed=0
declare -A PIDS
RATES=()

ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
# check NAME CMD...: runs CMD, shows its last line, counts it
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$name: ${out##*$'\n'}"; else fail "$name: $out"; fi
}

start() { # start NAME CMD... (background, remembered for cleanup)
	local name=$1
	shift
	"$@" >"$W/$name.log" 2>&1 &
	PIDS[$name]=$!
}
stop() {
	local pid=${PIDS[$1]:-}
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	unset "PIDS[$1]"
}
cleanup() {
	for n in "${!PIDS[@]}"; do kill "${PIDS[$n]}" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT

wait_port() { # port [seconds]
	local i
	for ((i = 0; i < ${2:-10} * 10; i++)); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.1
	done
	echo "port $1 never opened" >&2
	return 1
}
wait_lines() { # file count [seconds]: a syslog server writes asynchronously
	local i
	for ((i = 0; i < ${3:-15} * 10; i++)); do
		[ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 0
}
now_ms() { date +%s%3N; }
rate() { # label count ms
	RATES+=("$(printf '%-34s %7d alerts in %6.2f s = %8.0f alerts/s' "$1" "$2" "$(echo "$3/1000" | bc -l)" \
		"$(echo "$2*1000/$3" | bc -l)")")
}
send() { # alert-send with timing into $ELAPSED; args: alert-send args
	local t0 t1 rc
	t0=$(now_ms)
	"$B" alert-send "$@" 2>>"$W/alert-send.log"
	rc=$?
	t1=$(now_ms)
	ELAPSED=$((t1 - t0))
	[ "$ELAPSED" -gt 0 ] || ELAPSED=1
	return $rc
}

# ---- certificates ------------------------------------------------------------------
mkcerts() {
	cd "$W" || return 1
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=bulwark-test-ca
	openssl req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.pem -days 2 -subj /CN=other-ca
	for who in server client; do
		openssl req -newkey rsa:2048 -nodes -keyout $who.key -out $who.csr -subj /CN=$who.bulwark.test
		if [ $who = server ]; then
			printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >$who.ext
		else
			printf 'extendedKeyUsage=clientAuth\n' >$who.ext
		fi
		openssl x509 -req -in $who.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out $who.pem -days 2 \
			-extfile $who.ext
	done
	cat server.pem server.key >server-bundle.pem
	chmod 600 ./*.key
	cd - >/dev/null
}
mkcerts >"$W/certs.log" 2>&1 || { fail "certificates: $(tail -3 "$W/certs.log")"; echo "$passed passed, $failed failed"; exit 1; }

# ---- receivers -----------------------------------------------------------------------
rsyslog_conf() { # name port driver(ptcp|anon|certvalid)
	local d=$W/$1
	mkdir -p "$d"
	{
		# LEEF's delimiter is TAB: rsyslog would turn it into "#011" unless told not to (docs/outputs.md)
		echo "global(workDirectory=\"$d\" maxMessageSize=\"256k\" parser.escapeControlCharacterTab=\"off\""
		[ "$3" != ptcp ] && echo "  DefaultNetstreamDriverCAFile=\"$W/ca.pem\" DefaultNetstreamDriverCertFile=\"$W/server.pem\"" \
			"DefaultNetstreamDriverKeyFile=\"$W/server.key\""
		echo ")"
		if [ "$3" = ptcp ]; then
			echo 'module(load="imtcp")'
		else
			echo "module(load=\"imtcp\" StreamDriver.Name=\"ossl\" StreamDriver.Mode=\"1\" StreamDriver.AuthMode=\"$( [ "$3" = anon ] && echo anon || echo x509/certvalid)\")"
		fi
		echo "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"$2\")"
		cat <<-'EOF'
		template(name="j" type="list" option.jsonf="on") {
		  property(outname="sd" name="structured-data" format="jsonf")
		  property(outname="msg" name="msg" format="jsonf")
		  property(outname="host" name="hostname" format="jsonf")
		  property(outname="app" name="app-name" format="jsonf")
		  property(outname="pri" name="pri" format="jsonf")
		}
		EOF
		echo "action(type=\"omfile\" file=\"$d/out.jsonl\" template=\"j\")"
	} >"$d/rsyslog.conf"
}
start_rsyslog() { # name port driver
	rsyslog_conf "$1" "$2" "$3"
	start "$1" rsyslogd -n -f "$W/$1/rsyslog.conf" -i "$W/$1/pid"
	wait_port "$2"
}

start_syslogng() {
	local d=$W/sng
	mkdir -p "$d"
	cat >"$d/syslog-ng.conf" <<-EOF
	@version: 3.38
	options { keep-hostname(yes); log-msg-size(262144); stats_freq(0); };
	source s_tcp { syslog(ip("127.0.0.1") port($P_NG_TCP) transport("tcp") max-connections(50)); };
	source s_udp { syslog(ip("127.0.0.1") port($P_NG_UDP) transport("udp") so-rcvbuf(8388608)); };
	source s_tls { syslog(ip("127.0.0.1") port($P_NG_TLS) transport("tls") max-connections(50)
	    tls(key-file("$W/server.key") cert-file("$W/server.pem") ca-file("$W/ca.pem") peer-verify(optional-untrusted))); };
	source s_mtls { syslog(ip("127.0.0.1") port($P_NG_MTLS) transport("tls") max-connections(50)
	    tls(key-file("$W/server.key") cert-file("$W/server.pem") ca-file("$W/ca.pem") peer-verify(required-trusted))); };
	destination d_tcp { file("$d/tcp.jsonl" template("\$(format-json --scope rfc5424 --scope sdata --key MESSAGE)\n")); };
	destination d_tls { file("$d/tls.jsonl" template("\$(format-json --scope rfc5424 --scope sdata --key MESSAGE)\n")); };
	destination d_udp { file("$d/udp.jsonl" template("\$(format-json --scope rfc5424 --scope sdata --key MESSAGE)\n")); };
	destination d_mtls { file("$d/mtls.jsonl" template("\$(format-json --scope rfc5424 --scope sdata --key MESSAGE)\n")); };
	log { source(s_tcp); destination(d_tcp); };
	log { source(s_tls); destination(d_tls); };
	log { source(s_udp); destination(d_udp); };
	log { source(s_mtls); destination(d_mtls); };
	EOF
	start sng env LD_LIBRARY_PATH="$SNG/usr/lib/syslog-ng:$SNG/usr/lib/x86_64-linux-gnu" \
		"$SNG/usr/sbin/syslog-ng" -F -f "$d/syslog-ng.conf" -R "$d/persist" -p "$d/pid" -c "$d/ctl" \
		--module-path="$SNG/usr/lib/syslog-ng/3.38" --no-caps
	wait_port "$P_NG_MTLS"
}

start_mock() { # name port [args]
	local name=$1 port=$2
	shift 2
	start "$name" python3 "$MOCK" --port "$port" --store "$W/$name.store" --hmac-key hook-key --tenant t1 "$@"
	wait_port "$port"
}
mock_mode() { curl -s -XPOST "127.0.0.1:$1/_control" -d "$2" >/dev/null; }

start_nginx() {
	local d=$W/nginx
	mkdir -p "$d/tmp"
	cat >"$d/nginx.conf" <<-EOF
	daemon off; master_process off; worker_processes 1; pid $d/pid; error_log $d/error.log;
	events { worker_connections 256; }
	http {
	  access_log off; client_body_temp_path $d/tmp; proxy_temp_path $d/tmp; fastcgi_temp_path $d/tmp;
	  uwsgi_temp_path $d/tmp; scgi_temp_path $d/tmp; client_max_body_size 64m;
	  upstream mock { server 127.0.0.1:$P_MOCK; keepalive 8; }
	  server {
	    listen 127.0.0.1:$P_NGINX ssl; ssl_certificate $W/server.pem; ssl_certificate_key $W/server.key;
	    location / { proxy_pass http://mock; proxy_http_version 1.1; proxy_set_header Connection ""; }
	  }
	  server {
	    listen 127.0.0.1:$P_NGINX_MTLS ssl; ssl_certificate $W/server.pem; ssl_certificate_key $W/server.key;
	    ssl_client_certificate $W/ca.pem; ssl_verify_client on;
	    location / { proxy_pass http://mock; proxy_http_version 1.1; proxy_set_header Connection ""; }
	  }
	}
	EOF
	start nginx nginx -c "$d/nginx.conf" -p "$d"
	wait_port "$P_NGINX_MTLS"
}

start_stunnel() {
	local d=$W/stunnel
	mkdir -p "$d"
	cat >"$d/stunnel.conf" <<-EOF
	foreground = yes
	pid =
	[es]
	accept = 127.0.0.1:$P_STUNNEL
	connect = 127.0.0.1:$P_MOCK
	cert = $W/server.pem
	key = $W/server.key
	EOF
	start stunnel stunnel4 "$d/stunnel.conf"
	wait_port "$P_STUNNEL"
}

$CHECK gen 2000 "$W/a2k.jsonl"
$CHECK gen 700 "$W/inject.jsonl" --inject
$CHECK gen 20000 "$W/a20k.jsonl"

# ---- 1. rsyslog: TCP, TLS, TLS with a client certificate --------------------------------
if start_rsyslog rs_tcp $P_RS_TCP ptcp && start_rsyslog rs_tls $P_RS_TLS anon && start_rsyslog rs_mtls $P_RS_MTLS certvalid; then
	COMMON="spool_dir=$W/spool&retry_ms=100&retry_max_ms=1000"
	for f in a20k inject; do
		send -o "syslog+tcp://127.0.0.1:$P_RS_TCP?$COMMON" "$W/$f.jsonl"
		[ $f = a20k ] && rate "rsyslog tcp (octet counting)" 20000 "$ELAPSED"
	done
	wait_lines "$W/rs_tcp/out.jsonl" 20700
	cat "$W/a20k.jsonl" "$W/inject.jsonl" >"$W/rs_all.jsonl"
	check "rsyslog tcp" $CHECK rsyslog "$W/rs_tcp/out.jsonl" "$W/rs_all.jsonl"

	send -o "syslog+tls://127.0.0.1:$P_RS_TLS?ca=$W/ca.pem&$COMMON" "$W/a20k.jsonl"
	rate "rsyslog tls" 20000 "$ELAPSED"
	wait_lines "$W/rs_tls/out.jsonl" 20000
	check "rsyslog tls (server verified)" $CHECK rsyslog "$W/rs_tls/out.jsonl" "$W/a20k.jsonl"

	send -o "syslog+tls://127.0.0.1:$P_RS_MTLS?ca=$W/ca.pem&cert=$W/client.pem&key=$W/client.key&$COMMON" "$W/inject.jsonl"
	wait_lines "$W/rs_mtls/out.jsonl" 700
	check "rsyslog tls with client certificate (injection)" $CHECK rsyslog "$W/rs_mtls/out.jsonl" "$W/inject.jsonl"

	# CEF and LEEF as the syslog MSG, through a real parser
	: >"$W/rs_tcp/out.jsonl"
	for fmt in cef leef; do
		: >"$W/rs_tcp/out.jsonl"
		send -o "syslog+tcp://127.0.0.1:$P_RS_TCP?format=$fmt&name=rs-$fmt&$COMMON" "$W/inject.jsonl"
		wait_lines "$W/rs_tcp/out.jsonl" 700
		check "rsyslog tcp $fmt (injection)" $CHECK rsyslog "$W/rs_tcp/out.jsonl" "$W/inject.jsonl" $fmt
	done

	# verification is on by default: a server whose CA we were not given gets nothing
	send -o "syslog+tls://127.0.0.1:$P_RS_TLS?ca=$W/other-ca.pem&name=wrong-ca&$COMMON" --flush-timeout 1500 \
		--stats "$W/wrongca.json" "$W/inject.jsonl"
	if grep -q 'certificate verification failed' "$W/alert-send.log" && grep -q '"sent":0,' "$W/wrongca.json"; then
		ok "syslog tls refuses a server certificate from an unknown CA (alerts kept in the spool)"
	else
		fail "syslog tls with the wrong CA: $(cat "$W/wrongca.json")"
	fi
	# the client certificate is required by that listener
	send -o "syslog+tls://127.0.0.1:$P_RS_MTLS?ca=$W/ca.pem&name=no-client-cert&$COMMON" --flush-timeout 2000 \
		--stats "$W/nocert.json" "$W/inject.jsonl"
	sleep 1
	n=$(wc -l <"$W/rs_mtls/out.jsonl")
	if [ "$n" -eq 700 ] && grep -q '"sent":0,' "$W/nocert.json"; then
		ok "rsyslog x509/certvalid refuses a client without a certificate, and bulwark keeps the alerts"
	else
		fail "client without a certificate: $n lines at rsyslog, $(cat "$W/nocert.json")"
	fi
else
	fail "rsyslog did not start: $(tail -3 "$W"/rs_*.log)"
fi
stop rs_tcp; stop rs_tls; stop rs_mtls

# ---- 2. syslog-ng: TCP, TLS, TLS with a client certificate ------------------------------
if start_syslogng; then
	COMMON="spool_dir=$W/spool&retry_ms=100&retry_max_ms=1000"
	send -o "syslog+tcp://127.0.0.1:$P_NG_TCP?$COMMON" "$W/a20k.jsonl"
	rate "syslog-ng tcp (octet counting)" 20000 "$ELAPSED"
	send -o "syslog+tcp://127.0.0.1:$P_NG_TCP?$COMMON" "$W/inject.jsonl"
	cat "$W/a20k.jsonl" "$W/inject.jsonl" >"$W/ng_all.jsonl"
	wait_lines "$W/sng/tcp.jsonl" 20700
	check "syslog-ng tcp" $CHECK syslogng "$W/sng/tcp.jsonl" "$W/ng_all.jsonl"
	send -o "syslog+tls://127.0.0.1:$P_NG_TLS?ca=$W/ca.pem&$COMMON" "$W/a20k.jsonl"
	rate "syslog-ng tls" 20000 "$ELAPSED"
	wait_lines "$W/sng/tls.jsonl" 20000
	check "syslog-ng tls (server verified)" $CHECK syslogng "$W/sng/tls.jsonl" "$W/a20k.jsonl"
	send -o "syslog+tls://127.0.0.1:$P_NG_MTLS?ca=$W/ca.pem&cert=$W/client.pem&key=$W/client.key&$COMMON" "$W/inject.jsonl"
	wait_lines "$W/sng/mtls.jsonl" 700
	check "syslog-ng tls with client certificate (injection)" $CHECK syslogng "$W/sng/mtls.jsonl" "$W/inject.jsonl"
	# UDP: one datagram per alert, no acknowledgement (paced: loopback drops nothing at this rate)
	send -o "syslog+udp://127.0.0.1:$P_NG_UDP?spool=0" --pace 5000 "$W/inject.jsonl"
	wait_lines "$W/sng/udp.jsonl" 700
	check "syslog-ng udp (injection)" $CHECK syslogng "$W/sng/udp.jsonl" "$W/inject.jsonl"
else
	fail "syslog-ng did not start: $(tail -3 "$W/sng.log")"
fi
stop sng

# ---- 3. HTTP receivers: HEC, _bulk, Loki, webhook; nginx and stunnel for TLS ---------------
start_mock mock $P_MOCK && start_nginx && start_stunnel
ST=$W/mock.store
HEC="splunk+https://127.0.0.1:$P_NGINX?token_env=HEC_TOKEN&ca=$W/ca.pem&spool_dir=$W/spool&retry_ms=100&retry_max_ms=1000"
send -o "$HEC&gzip=1" "$W/a20k.jsonl"
rate "splunk HEC via nginx TLS, gzip" 20000 "$ELAPSED"
head -n 500 "$W/a2k.jsonl" >"$W/a500.jsonl"
send -o "$HEC&batch=1&name=hec-one" --flush-timeout 60000 "$W/a500.jsonl"
rate "splunk HEC via nginx TLS, batch=1" 500 "$ELAPSED"
send -o "$HEC&gzip=1" "$W/inject.jsonl"
cat "$W/a20k.jsonl" "$W/a500.jsonl" "$W/inject.jsonl" >"$W/hec_all.jsonl"
check "splunk HEC (https via nginx, gzip, injection)" $CHECK store hec "$ST" "$W/hec_all.jsonl"
grep -q '"gzip_requests": [1-9]' <(curl -s "127.0.0.1:$P_MOCK/_stats") && ok "HEC requests arrived gzip-compressed" \
	|| fail "no gzip request seen"

ES="elastic+https://127.0.0.1:$P_STUNNEL?index=bulwark&user=elastic&password_env=ES_PASSWORD&ca=$W/ca.pem&gzip=1&spool_dir=$W/spool&retry_ms=100&retry_max_ms=1000"
send -o "$ES" "$W/a20k.jsonl"
rate "elastic _bulk via stunnel TLS, gzip" 20000 "$ELAPSED"
send -o "$ES" "$W/inject.jsonl"
cat "$W/a20k.jsonl" "$W/inject.jsonl" >"$W/es_all.jsonl"
check "elastic _bulk (https via stunnel, ecs, injection)" $CHECK store bulk "$ST" "$W/es_all.jsonl"

LOKI="loki+http://127.0.0.1:$P_MOCK?tenant=t1&gzip=1&spool_dir=$W/spool&retry_ms=100&retry_max_ms=1000"
send -o "$LOKI" "$W/a20k.jsonl"
rate "loki push, gzip" 20000 "$ELAPSED"
send -o "$LOKI" "$W/inject.jsonl"
cat "$W/a20k.jsonl" "$W/inject.jsonl" >"$W/loki_all.jsonl"
check "loki push (injection)" $CHECK store loki "$ST" "$W/loki_all.jsonl"

echo hook-key >"$W/hook.key"
HOOK="webhook+https://127.0.0.1:$P_NGINX_MTLS/hook?hmac_key_file=$W/hook.key&ca=$W/ca.pem&cert=$W/client.pem&key=$W/client.key&spool_dir=$W/spool&retry_ms=100&retry_max_ms=1000"
send -o "$HOOK" --flush-timeout 60000 "$W/a500.jsonl"
rate "webhook via nginx mTLS, batch=1" 500 "$ELAPSED"
send -o "$HOOK&batch=100&name=hook-batched" "$W/inject.jsonl"
cat "$W/a500.jsonl" "$W/inject.jsonl" >"$W/hook_all.jsonl"
check "webhook (mTLS via nginx, HMAC, injection)" $CHECK store hook "$ST" "$W/hook_all.jsonl"
echo wrong-key >"$W/bad.key"
send -o "webhook+https://127.0.0.1:$P_NGINX_MTLS/hook?hmac_key_file=$W/bad.key&ca=$W/ca.pem&cert=$W/client.pem&key=$W/client.key&name=badsig&spool_dir=$W/spool" \
	--flush-timeout 1500 --stats "$W/badsig.json" "$W/inject.jsonl"
grep -q '"sent":0,' "$W/badsig.json" && ok "webhook: a wrong HMAC key is refused by the receiver (alerts kept)" \
	|| fail "webhook bad signature: $(cat "$W/badsig.json")"

# every format on the file output (byte-exact, no receiver in between)
for fmt in json ecs ocsf cef leef; do
	send -o "file:$W/out.$fmt?format=$fmt&spool=0" "$W/inject.jsonl"
	check "file $fmt (injection)" $CHECK file $fmt "$W/out.$fmt" "$W/inject.jsonl"
done
send -o "file:$W/speed.json?spool=0" "$W/a20k.jsonl"
rate "file (json lines)" 20000 "$ELAPSED"
# size rotation: path.1 .. path.N
send -o "file:$W/rot.json?spool=0&rotate_mb=1&rotate_keep=3" "$W/a20k.jsonl"
if [ -f "$W/rot.json.3" ] && [ ! -f "$W/rot.json.4" ] && [ "$(stat -c %s "$W/rot.json.1")" -ge 1048576 ] &&
	[ "$(stat -c %s "$W/rot.json.1")" -lt 1500000 ]; then
	ok "file rotation at rotate_mb=1 keeps rotate_keep=3 files of ~1 MiB"
else
	fail "file rotation: $(ls -l "$W"/rot.json*)"
fi
# SIGHUP: logrotate moved the file away; the output reopens its path
"$B" alert-send -o "file:$W/hup.json?spool=0" --pace 2000 "$W/a2k.jsonl" 2>>"$W/alert-send.log" &
HPID=$!
sleep 0.5
mv "$W/hup.json" "$W/hup.json.old"
kill -HUP $HPID
wait $HPID
a=$(wc -l <"$W/hup.json.old") b=$(wc -l <"$W/hup.json" 2>/dev/null || echo 0)
if [ "$a" -gt 0 ] && [ "$b" -gt 0 ] && [ $((a + b)) -eq 2000 ]; then
	ok "SIGHUP reopens the file after logrotate moved it ($a + $b lines)"
else
	fail "SIGHUP reopen: $a + $b lines"
fi

# ---- 4. faults: 429/503 with Retry-After, partial batches, slow receiver ------------------
start_mock mock2 $P_MOCK2
ST2=$W/mock2.store
$CHECK gen 2000 "$W/bad.jsonl" --bad 100
mock_mode $P_MOCK2 '{"mode":"503","count":3}'
send -o "splunk+http://127.0.0.1:$P_MOCK2?token_env=HEC_TOKEN&spool_dir=$W/spool&name=hec503&retry_ms=50" \
	--stats "$W/503.json" "$W/a2k.jsonl"
check "HEC 503 (code 9) with Retry-After: retried, all delivered" $CHECK store hec "$ST2" "$W/a2k.jsonl"
: >"$ST2"
mock_mode $P_MOCK2 '{"mode":"partial","count":0}'
send -o "splunk+http://127.0.0.1:$P_MOCK2?token_env=HEC_TOKEN&spool_dir=$W/spool&name=hecpartial&retry_ms=50" \
	--stats "$W/partial.json" "$W/bad.jsonl"
check "HEC partial batch (invalid-event-number): 1980 indexed" $CHECK store hec "$ST2" "$W/bad.jsonl" --dead 20
n=$(grep -c 'HEC HTTP 400 code 6' "$W/spool/hecpartial.dead.jsonl" 2>/dev/null)
[ "${n:-0}" -eq 20 ] && ok "HEC: the 20 refused events are in the dead-letter file with the reason" \
	|| fail "HEC dead letters: ${n:-0}"
: >"$ST2"
mock_mode $P_MOCK2 '{"mode":"partial","count":150}'
send -o "elastic+http://127.0.0.1:$P_MOCK2?user=elastic&password_env=ES_PASSWORD&spool_dir=$W/spool&name=espartial&retry_ms=50" \
	--stats "$W/espartial.json" "$W/bad.jsonl"
check "_bulk per-item 400 and 429: 1980 indexed" $CHECK store bulk "$ST2" "$W/bad.jsonl" --dead 20
n=$(grep -c 'mapper_parsing_exception' "$W/spool/espartial.dead.jsonl" 2>/dev/null)
[ "${n:-0}" -eq 20 ] && ok "_bulk: the 20 refused items are dead-lettered, the 150 rejected (429) were retried" \
	|| fail "_bulk dead letters: ${n:-0}"
# 413: batches are halved until the receiver takes them, with and without a spool
for sp in "spool_dir=$W/spool&name=hec413" "spool=0"; do
	: >"$ST2"
	mock_mode $P_MOCK2 '{"mode":"ok","max_events":60}'
	send -o "splunk+http://127.0.0.1:$P_MOCK2?token_env=HEC_TOKEN&$sp&batch=500&retry_ms=50" "$W/a2k.jsonl"
	check "HEC 413 with batch=500, at most 60 accepted per request (${sp%%&*})" $CHECK store hec "$ST2" "$W/a2k.jsonl"
done
mock_mode $P_MOCK2 '{"mode":"ok","max_events":0}'
: >"$ST2"
# a replay of alerts the index already holds: 409 counts as delivered
send -o "elastic+http://127.0.0.1:$P_MOCK2?user=elastic&password_env=ES_PASSWORD&spool_dir=$W/spool&name=esdup" \
	--stats "$W/esdup.json" "$W/a2k.jsonl"
send -o "elastic+http://127.0.0.1:$P_MOCK2?user=elastic&password_env=ES_PASSWORD&spool_dir=$W/spool&name=esdup" \
	--stats "$W/esdup.json" "$W/a2k.jsonl"
grep -q '"sent":2000,.*"dead_lettered":0' "$W/esdup.json" && ok "_bulk: a second delivery of the same uuids is 409, counted as delivered" \
	|| fail "_bulk 409: $(cat "$W/esdup.json")"

# one slow output never delays another
mock_mode $P_MOCK2 '{"mode":"slow","delay_ms":3000}'
t0=$(now_ms)
send -o "splunk+http://127.0.0.1:$P_MOCK2?token_env=HEC_TOKEN&spool_dir=$W/spool&name=slowhec&batch=50&timeout_ms=60000" \
	-o "file:$W/fast.json?spool=0" --no-drain --flush-timeout 1000 --stats "$W/slow.json" "$W/a2k.jsonl" &
SLOWPID=$!
for ((i = 0; i < 50; i++)); do [ -f "$W/fast.json" ] && [ "$(wc -l <"$W/fast.json")" -ge 2000 ] && break; sleep 0.1; done
t_fast=$(($(now_ms) - t0))
wait $SLOWPID
t_all=$(($(now_ms) - t0))
if [ "$(wc -l <"$W/fast.json")" -eq 2000 ] && [ "$t_fast" -lt 4000 ] && [ "$t_all" -lt 8000 ] && grep -q '"dropped":0' "$W/slow.json"; then
	ok "a slow receiver (3 s per request) delays neither the file output (${t_fast} ms) nor the stop (${t_all} ms, rest spooled)"
else
	fail "slow receiver: fast output took ${t_fast} ms, stop ${t_all} ms, $(cat "$W/slow.json")"
fi
mock_mode $P_MOCK2 '{"mode":"ok"}'
# what the slow run left in its spool is delivered by the next run
: >"$ST2"
send -o "splunk+http://127.0.0.1:$P_MOCK2?token_env=HEC_TOKEN&spool_dir=$W/spool&name=slowhec&batch=50" /dev/null
n=$(python3 -c "import json,sys; print(len({json.loads(l)['uuid'] for l in open('$ST2')}))")
sent_before=$(python3 -c "import json; print(json.load(open('$W/slow.json'))['outputs'][0]['sent'])")
[ $((n + sent_before)) -ge 2000 ] && ok "the slow output's spool is replayed by the next run ($sent_before + $n)" \
	|| fail "slow spool replay: $sent_before + $n < 2000"
stop mock2

# ---- 5. outage: receiver down for OUTAGE_S seconds while 10,000 alerts are produced --------
: >"$W/mock3.store"
$CHECK gen 10000 "$W/a10k.jsonl"
OUT="splunk+http://127.0.0.1:$P_MOCK2?token_env=HEC_TOKEN&spool_dir=$W/spool&name=outage&retry_ms=200&retry_max_ms=2000&gzip=1"
pace=$((10000 / (OUTAGE_S > 5 ? OUTAGE_S - 5 : 1) + 1))
t0=$(now_ms)
"$B" alert-send -o "$OUT" --pace $pace --flush-timeout 60000 --stats "$W/outage.json" "$W/a10k.jsonl" 2>"$W/outage.log" &
APID=$!
maxrss=0 maxspool=0
while [ $(($(now_ms) - t0)) -lt $((OUTAGE_S * 1000)) ]; do
	r=$(awk '/VmRSS/ {print $2}' /proc/$APID/status 2>/dev/null)
	s=$(du -sk "$W/spool/outage" 2>/dev/null | cut -f1)
	[ "${r:-0}" -gt $maxrss ] && maxrss=$r
	[ "${s:-0}" -gt $maxspool ] && maxspool=$s
	sleep 0.5
done
start mock3 python3 "$MOCK" --port $P_MOCK2 --store "$W/mock3.store"
wait_port $P_MOCK2
t_up=$(now_ms)
wait $APID
rc=$?
t_done=$(now_ms)
if $CHECK store hec "$W/mock3.store" "$W/a10k.jsonl" >"$W/outage.check" 2>&1 && [ $rc -eq 0 ]; then
	ok "outage ${OUTAGE_S} s, 10000 alerts: $(cat "$W/outage.check") (drained $((t_done - t_up)) ms after the receiver came back)"
else
	fail "outage: rc $rc $(cat "$W/outage.check") $(tail -3 "$W/outage.log")"
fi
OUTAGE_NOTE="outage: peak RSS $((maxrss / 1024)) MiB, peak spool $((maxspool)) KiB for 10000 alerts; replay $((t_done - t_up)) ms"
stop mock3

# ---- 6. SIGKILL with alerts in the spool; the next start delivers them ----------------------
: >"$W/mock4.store"
OUT="splunk+http://127.0.0.1:$P_MOCK2?token_env=HEC_TOKEN&spool_dir=$W/spool&name=killed&retry_ms=200&retry_max_ms=1000"
"$B" alert-send -o "$OUT" --flush-timeout 60000 "$W/a2k.jsonl" 2>"$W/killed.log" &
KPID=$!
# all 2000 are read at once; the first failed send moves them to the spool
for ((i = 0; i < 100; i++)); do
	s=$(du -sb "$W/spool/killed" 2>/dev/null | cut -f1)
	[ "${s:-0}" -gt 100000 ] && break
	sleep 0.1
done
sleep 1.5
kill -9 $KPID
wait $KPID 2>/dev/null
spooled=$(du -sk "$W/spool/killed" | cut -f1)
start mock4 python3 "$MOCK" --port $P_MOCK2 --store "$W/mock4.store"
wait_port $P_MOCK2
send -o "$OUT" --stats "$W/killed.json" /dev/null
if $CHECK store hec "$W/mock4.store" "$W/a2k.jsonl" >"$W/killed.check" 2>&1; then
	ok "SIGKILL with ${spooled} KiB spooled: the next start delivers every alert: $(cat "$W/killed.check")"
else
	fail "after SIGKILL: $(cat "$W/killed.check")"
fi
stop mock4

# ---- noise control through the CLI ------------------------------------------------------
$CHECK gen 500 "$W/same.jsonl" --rule Flood
python3 - "$W/same.jsonl" <<-'EOF'
	import json, sys
	rows = [json.loads(l) for l in open(sys.argv[1])]
	for r in rows:
	    r["output_fields"]["container.id"] = "same"
	open(sys.argv[1], "w").write("".join(json.dumps(r) + "\n" for r in rows))
	EOF
send -o "file:$W/folded.json?spool=0" --rate-limit 0.001/20 --stats "$W/folded.stats" "$W/same.jsonl"
n=$(wc -l <"$W/folded.json")
if [ "$n" -eq 21 ] && grep -q '480 similar alerts suppressed' "$W/folded.json" && grep -q '"suppressed":480' "$W/folded.stats"; then
	ok "noise control: 500 repeats -> 20 alerts + one \"480 similar alerts suppressed\" alert"
else
	fail "noise control: $n lines; $(grep -o '[0-9]* similar alerts suppressed' "$W/folded.json")"
fi

# a person at a terminal reads lines (a real pseudo-terminal from util-linux's script): alerts
# on stdout in Falco's text form, the log as plain text; piped, both stay JSON lines
python3 - "$W/tty.jsonl" <<-'EOF'
	import json, sys
	rows = [{"hostname": "h", "output": "01:45:0%d.000000000: Critical shell in %s" % (i, n), "output_fields": {"proc.name": "sh"},
	         "priority": "Critical", "rule": "Term", "source": "syscall", "tags": [], "time": "2026-11-22T01:45:0%d.000000000Z" % i}
	        for i, n in enumerate(['"web"', "a\x1b[2Jb", "c\nd"])]
	open(sys.argv[1], "w").write("".join(json.dumps(r) + "\n" for r in rows))
	EOF
script -qec "'$B' alert-send -o stdout '$W/tty.jsonl'" /dev/null </dev/null | tr -d '\r' >"$W/tty.out"
"$B" alert-send -o stdout "$W/tty.jsonl" >"$W/pipe.out" 2>"$W/pipe.err"
script -qec "'$B' alert-send -o 'stdout?format=json' '$W/tty.jsonl' 2>/dev/null" /dev/null </dev/null | tr -d '\r' >"$W/ttyjson.out"
if grep -qxF '01:45:00.000000000: Critical shell in \"web\"' "$W/tty.out" &&
	grep -qxF '01:45:01.000000000: Critical shell in a\u001b[2Jb' "$W/tty.out" && grep -qxF '01:45:02.000000000: Critical shell in c\nd' "$W/tty.out" &&
	grep -qE '^[0-9-]{10}T[0-9:.]+Z info  output stdout: stdout, format text' "$W/tty.out" && ! grep -q '^{' "$W/tty.out" &&
	[ "$(grep -c '^{"hostname":' "$W/pipe.out")" -eq 3 ] && [ "$(grep -c '^{"time":' "$W/pipe.err")" -eq "$(wc -l <"$W/pipe.err")" ] &&
	[ "$(grep -c '^{' "$W/ttyjson.out")" -eq 3 ]; then
	ok "stdout on a terminal: Falco's text lines and a plain-text log; piped: JSON lines; format=json chooses"
else
	fail "terminal output: $(head -c 600 "$W/tty.out") | $(head -c 300 "$W/pipe.out") | $(head -c 300 "$W/ttyjson.out")"
fi

# secrets (HEC token, Elasticsearch password, HMAC key) never reach bulwark's logs
"$B" alert-send -o 'splunk+https://127.0.0.1:1?token=hec-token' /dev/null 2>>"$W/alert-send.log"
if cat "$W/alert-send.log" "$W/outage.log" "$W/killed.log" | grep -q -e hec-token -e changeme -e hook-key; then
	fail "a secret appears in bulwark's logs"
else
	ok "no token, password or HMAC key in bulwark's logs (also when a spec is refused)"
fi

echo "== delivery rates on this machine (alert-send start to drained exit)"
for r in "${RATES[@]}"; do echo "   $r"; done
echo "   ${OUTAGE_NOTE:-}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
