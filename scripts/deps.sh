#!/bin/sh
# Installs every Debian 12 package that building and testing bulwark needs. Safe to run twice.
set -eu
PKGS="make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libjansson-dev libcurl4-openssl-dev
      libyaml-dev pkg-config runc busybox-static docker.io iproute2 cpio kmod util-linux procps
      qemu-system-x86"
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
echo "deps: all packages present"
