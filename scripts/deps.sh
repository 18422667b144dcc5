#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs every Debian 12 package that building and testing bulwark needs. Safe to run twice.
set -eu
PKGS="make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libjansson-dev libcurl4-openssl-dev
      libyaml-dev pkg-config runc busybox-static docker.io iproute2 cpio kmod util-linux procps
      qemu-system-x86"
# the BPF tests' io_uring requests (tests/bpf: IORING_OP_OPENAT, OPENAT2, CONNECT)
PKGS="$PKGS liburing-dev"
# a second container engine for the e2e attribution tests (rootful podman: libpod cgroups, containers/storage)
PKGS="$PKGS podman"
# fuzzing (tests/fuzz, make fuzz): libFuzzer and the sanitizer runtimes of Debian's clang
PKGS="$PKGS libclang-rt-14-dev"
# alert delivery: TLS (libssl-dev), real syslog receivers, TLS front ends and the protocol mocks (python3)
PKGS="$PKGS libssl-dev openssl rsyslog rsyslog-openssl nginx stunnel4 python3
      libivykis0 libnet1 libjson-c5 libpcre3 libwrap0 libglib2.0-0 libcap2"
# operations: libmicrohttpd (the /metrics and /healthz server), curl (the tests' HTTP client);
# packaging: dpkg-dev and lintian (make deb), systemd (systemd-analyze verify/security on the unit), logrotate
PKGS="$PKGS libmicrohttpd-dev curl dpkg-dev lintian systemd logrotate"
# benchmarks (make bench, and its smoke run in make test): the peers bpftrace and libbpf-tools,
# wrk against nginx, gnuplot for the plot
PKGS="$PKGS bpftrace libbpf-tools wrk gnuplot-nox"
# image inventories (tests/e2e/sbom.sh): a real Debian root filesystem to inventory, /usr/bin/time and bc for its figures
PKGS="$PKGS debootstrap time bc"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	[ "$(id -u)" = 0 ] || { echo "deps: need root to install:$missing" >&2; exit 1; }
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends $missing
fi
# syslog-ng-core conflicts with rsyslog (both are "the system log daemon"); the tests need both
# as receivers only, so syslog-ng's package (its libraries above) is unpacked beside, not installed.
SNG=/opt/bulwark-test/syslog-ng
if [ ! -x "$SNG/usr/sbin/syslog-ng" ]; then
	[ "$(id -u)" = 0 ] || { echo "deps: need root to unpack syslog-ng-core into $SNG" >&2; exit 1; }
	dl=$(mktemp -d) && chmod 755 "$dl"
	(cd "$dl" && apt-get download -q syslog-ng-core) && mkdir -p "$SNG" && dpkg-deb -x "$dl"/syslog-ng-core_*.deb "$SNG"
	rm -rf "$dl"
fi
# the Kubernetes manifests are checked against the Kubernetes schemas from npm (tests/kubernetes):
# node and npm from Debian unless a node with npm is already there
if ! command -v npm >/dev/null 2>&1; then
	[ "$(id -u)" = 0 ] || { echo "deps: need root to install nodejs npm" >&2; exit 1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm
fi
echo "deps: all packages present"
