#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Builds the container image offline (make image): a root filesystem holding the stripped
# binary, the shared libraries ldd names, the default rules, the container config and the
# /etc files name resolution and TLS need; then `docker build` FROM scratch on it.
# Usage: packaging/container/build.sh BUILD_DIR IMAGE_TAG [VERSION]
set -eu
BUILD=$1 IMAGE=$2 VERSION=${3:-$("$1/bulwark" version | cut -d" " -f2)}
ctx=$BUILD/image
root=$ctx/rootfs
rm -rf "$ctx"
mkdir -p "$root/usr/bin" "$root/usr/share/bulwark/rules" "$root/etc/bulwark" "$root/etc/ssl/certs" \
	"$root/var/lib/bulwark" "$root/host" "$root/tmp"
chmod 1777 "$root/tmp"
chmod 0700 "$root/var/lib/bulwark"
install -m 0755 "$BUILD/bulwark" "$root/usr/bin/bulwark"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/bulwark"
# the loader and every shared library, at the paths the binary asks for
for lib in $(ldd "$BUILD/bulwark" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
	cp -L --parents "$lib" "$root/"
done
install -m 0644 rules/*.yaml "$root/usr/share/bulwark/rules/"
install -m 0644 packaging/container/bulwark.yaml "$root/etc/bulwark/bulwark.yaml"
[ -f /etc/ssl/certs/ca-certificates.crt ] && install -m 0644 /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
printf 'root:x:0:0:root:/:/usr/bin/bulwark\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"
cp packaging/container/Containerfile "$ctx/Containerfile"
DOCKER_BUILDKIT=0 docker build -q --build-arg VERSION="$VERSION" -f "$ctx/Containerfile" -t "$IMAGE" "$ctx" >/dev/null
echo "$IMAGE"
