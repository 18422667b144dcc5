#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Builds the Debian package from `make install` into a staging root, with dpkg-deb.
# Usage: packaging/deb/build.sh BUILD_DIR VERSION    (make deb)  ->  BUILD_DIR/bulwark_VERSION_ARCH.deb
set -eu
BUILD=$1 VERSION=$2
ARCH=$(dpkg --print-architecture)
STAGE=$BUILD/deb/root
rm -rf "$BUILD/deb"
mkdir -p "$STAGE/DEBIAN"
make --no-print-directory install BUILD="$BUILD" DESTDIR="$STAGE" PREFIX=/usr >/dev/null
# Debian ships binaries stripped (the debug symbols stay in $BUILD/bulwark)
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$STAGE/usr/bin/bulwark"
doc=$STAGE/usr/share/doc/bulwark
install -d -m 0755 "$doc" "$STAGE/usr/share/man/man1"
install -m 0644 packaging/deb/copyright "$doc/copyright"
install -d -m 0755 "$STAGE/usr/share/lintian/overrides"
install -m 0644 packaging/deb/lintian-overrides "$STAGE/usr/share/lintian/overrides/bulwark"
gzip -9n <packaging/deb/changelog >"$doc/changelog.gz"
gzip -9n <packaging/deb/bulwark.1 >"$STAGE/usr/share/man/man1/bulwark.1.gz"
chmod 0644 "$doc/changelog.gz" "$STAGE/usr/share/man/man1/bulwark.1.gz"
# shared-library dependencies, as dpkg-shlibdeps computes them (it wants a debian/control)
tmp=$(mktemp -d)
mkdir "$tmp/debian"
printf 'Source: bulwark\n\nPackage: bulwark\nArchitecture: any\n' >"$tmp/debian/control"
bin=$(realpath "$STAGE/usr/bin/bulwark")
depends=$(cd "$tmp" && dpkg-shlibdeps -O "$bin" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
rm -rf "$tmp"
[ -n "$depends" ] || { echo "deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
size=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$size/" -e "s/@DEPENDS@/$depends/" \
	packaging/deb/control.in >"$STAGE/DEBIAN/control"
(cd "$STAGE" && find etc -type f | sed 's|^|/|' | sort) >"$STAGE/DEBIAN/conffiles"
(cd "$STAGE" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) >"$STAGE/DEBIAN/md5sums"
chmod 0644 "$STAGE/DEBIAN/control" "$STAGE/DEBIAN/conffiles" "$STAGE/DEBIAN/md5sums"
out=$BUILD/bulwark_${VERSION}_$ARCH.deb
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$out" >/dev/null
echo "$out"
