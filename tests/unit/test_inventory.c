// SPDX-License-Identifier: Apache-2.0
/* Package inventory: each parser on real-shaped and hostile input, PURLs, file ownership, the rootfs scan. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "inventory.h"
#include "jsonw.h"
#include "sbom.h"
#include "util.h"

static const char dpkg_status[] =
	"Package: bsdutils\n"
	"Essential: yes\n"
	"Status: install ok installed\n"
	"Priority: required\n"
	"Architecture: amd64\n"
	"Source: util-linux (2.38.1-5)\n"
	"Version: 1:2.38.1-5+deb12u3\n"
	"Description: basic utilities from 4.4BSD-Lite\n"
	" This package contains the bare minimum.\n"
	" .\n"
	"\n"
	"Package: libstdc++6\n"
	"Status: install ok installed\n"
	"Architecture: amd64\n"
	"Multi-Arch: same\n"
	"Version: 12.2.0-14+deb12u1\n"
	"\n"
	"Package: removed-thing\n"
	"Status: deinstall ok config-files\n"
	"Architecture: amd64\n"
	"Version: 1.0\n"
	"\n"
	"Package: adduser\n"
	"Status: install ok installed\n"
	"Architecture: all\n"
	"Version: 3.134\n";

static struct inventory *with_os(void)
{
	struct inventory *inv = inventory__new(NULL);
	static const char osr[] = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n";

	inventory__parse_os_release(inv, osr, sizeof(osr) - 1);
	return inv;
}

static void test_dpkg_status_and_purls(void)
{
	struct inventory *inv = with_os();
	struct inventory_info info;
	char ep[8];
	long i;

	CHECK_INT(inventory__parse_dpkg_status(inv, dpkg_status, sizeof(dpkg_status) - 1, "/var/lib/dpkg/status"), 0);
	CHECK_INT(inventory__count(inv), 3); /* the deinstalled one is not on disk */
	CHECK_INT(inventory__finish(inv), 0);
	i = inventory__find(inv, INV_DEB, "bsdutils");
	CHECK(i >= 0, "bsdutils");
	/* as Trivy writes them (checked on its output for a Debian 12 rootfs): epoch as a qualifier */
	CHECK_STR(inventory__pkg(inv, i)->purl, "pkg:deb/debian/bsdutils@2.38.1-5+deb12u3?arch=amd64&epoch=1&distro=debian-12");
	CHECK_STR(inventory_version_no_epoch(inventory__pkg(inv, i), ep, sizeof(ep)), "2.38.1-5+deb12u3");
	CHECK_STR(ep, "1");
	i = inventory__find(inv, INV_DEB, "libstdc++6");
	CHECK_STR(inventory__pkg(inv, i)->purl, "pkg:deb/debian/libstdc%2B%2B6@12.2.0-14+deb12u1?arch=amd64&distro=debian-12");
	i = inventory__find(inv, INV_DEB, "adduser");
	CHECK_STR(inventory__pkg(inv, i)->purl, "pkg:deb/debian/adduser@3.134?arch=all&distro=debian-12");
	CHECK_INT(inventory__find(inv, INV_DEB, "removed-thing"), -1);
	inventory__info(inv, &info);
	CHECK_INT(info.failures, 0);
	inventory__free(inv);
}

static void test_dpkg_malformed_is_refused_whole(void)
{
	static const char bad[] = "Package: a\nStatus: install ok installed\nVersion: 1\n\nthis line has no colon\n";
	static const char bin[] = "Package: a\nStatus: install ok installed\nVersion: 1\0\n";
	static const char spaced[] = "Package: a b\nStatus: install ok installed\nVersion: 1\n";
	struct inventory *inv = with_os();
	struct inventory_info info;

	CHECK_INT(inventory__parse_dpkg_status(inv, bad, sizeof(bad) - 1, "s"), -EINVAL);
	CHECK_INT(inventory__count(inv), 0); /* what was parsed before the fault is dropped too */
	CHECK_INT(inventory__parse_dpkg_status(inv, bin, sizeof(bin) - 1, "s"), -EINVAL);
	CHECK_INT(inventory__parse_dpkg_status(inv, spaced, sizeof(spaced) - 1, "s"), -EINVAL);
	inventory__info(inv, &info);
	CHECK_INT(info.failures, 1); /* one database, refused (counted once) */
	CHECK(info.failed_dbs & (1u << INV_DB_DPKG), "dpkg failed");
	CHECK(strstr(info.why, "dpkg: s: malformed at byte") == info.why, "why: %s", info.why);
	inventory__free(inv);
}

static void test_limits(void)
{
	struct inv_limits lim = INV_LIMITS_DEFAULT;
	struct inventory *inv;
	struct strbuf sb = STRBUF_INIT;
	struct inventory_info info;
	int i;

	lim.db_bytes = 100;
	inv = inventory__new(&lim);
	CHECK_INT(inventory__parse_dpkg_status(inv, dpkg_status, sizeof(dpkg_status) - 1, "s"), -E2BIG);
	inventory__info(inv, &info);
	CHECK(strstr(info.why, "larger than 100 bytes") != NULL, "why: %s", info.why);
	inventory__free(inv);

	lim = (struct inv_limits)INV_LIMITS_DEFAULT;
	lim.packages = 2;
	inv = inventory__new(&lim);
	for (i = 0; i < 5; i++)
		strbuf_addf(&sb, "Package: p%d\nStatus: install ok installed\nVersion: 1\n\n", i);
	CHECK_INT(inventory__parse_dpkg_status(inv, sb.buf, sb.len, "s"), -E2BIG);
	CHECK_INT(inventory__count(inv), 0);
	inventory__free(inv);
	strbuf_free(&sb);
}

static void test_dpkg_list_owner(void)
{
	static const char list[] = "/.\n/usr\n/usr/bin\n/usr/bin/logger\n/usr/share/doc/bsdutils/copyright\n";
	struct inventory *inv = with_os();
	long i;

	inventory__parse_dpkg_status(inv, dpkg_status, sizeof(dpkg_status) - 1, "s");
	i = inventory__find(inv, INV_DEB, "bsdutils");
	CHECK_INT(inventory__add_dpkg_list(inv, i, list, sizeof(list) - 1), 0);
	CHECK_INT(inventory__add_dpkg_list(inv, i, "relative/path\n", 14), -EINVAL);
	CHECK_INT(inventory__finish(inv), 0);
	CHECK_INT(inventory__owner(inv, "/usr/bin/logger"), i);
	CHECK_INT(inventory__owner(inv, "/usr/bin/other"), -1);
	CHECK_INT(inventory__pkg(inv, i)->n_files, 4);
	inventory__free(inv);
}

static void test_apk(void)
{
	static const char db[] = "C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nS:383152\nT:the musl c library\n"
				 "o:musl\nF:lib\nR:ld-musl-x86_64.so.1\nR:libc.musl-x86_64.so.1\n\n"
				 "P:busybox\nV:1.36.1-r5\nA:x86_64\nF:bin\nR:busybox\nF:etc\nR:securetty\n";
	static const char bad[] = "P:x\nV:1\nF:bin\nR:../../etc/shadow\n";
	struct inventory *inv = inventory__new(NULL);
	static const char rel[] = "3.18.4\n";
	long m, b;

	/* Trivy names Alpine by etc/alpine-release; the test writes it the same way */
	(void)rel;
	inventory__parse_os_release(inv, "ID=alpine\nVERSION_ID=3.18.4\n", 28);
	CHECK_INT(inventory__parse_apk_installed(inv, db, sizeof(db) - 1, "/lib/apk/db/installed"), 0);
	CHECK_INT(inventory__parse_apk_installed(inv, bad, sizeof(bad) - 1, "x"), -EINVAL);
	CHECK_INT(inventory__finish(inv), 0);
	m = inventory__find(inv, INV_APK, "musl");
	b = inventory__find(inv, INV_APK, "busybox");
	CHECK_STR(inventory__pkg(inv, m)->purl, "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=3.18.4");
	CHECK_INT(inventory__owner(inv, "/lib/ld-musl-x86_64.so.1"), m);
	CHECK_INT(inventory__owner(inv, "/bin/busybox"), b);
	CHECK_INT(inventory__owner(inv, "/etc/securetty"), b);
	CHECK_INT(inventory__count(inv), 2);
	inventory__free(inv);
}

static void test_python_and_node(void)
{
	static const char meta[] = "Metadata-Version: 2.1\nName: Flask_Login\nVersion: 0.6.3\n\nName: not-a-header\n";
	static const char record[] = "flask_login/__init__.py,sha256=x,100\n\"odd,name.py\",,\n../../../bin/flask,,\n"
				     "flask_login-0.6.3.dist-info/RECORD,,\n";
	static const char pj[] = "{\"name\":\"@babel/core\",\"version\":\"7.23.0\",\"main\":\"lib/index.js\"}";
	static const char proj[] = "{\"private\":true}";
	struct inventory *inv = inventory__new(NULL);
	long py, nd;

	CHECK_INT(inventory__parse_python(inv, meta, sizeof(meta) - 1, record, sizeof(record) - 1,
					  "/usr/lib/python3/dist-packages/flask_login-0.6.3.dist-info"),
		  0);
	CHECK_INT(inventory__parse_package_json(inv, pj, sizeof(pj) - 1, "/app/node_modules/@babel/core"), 0);
	CHECK_INT(inventory__parse_package_json(inv, proj, sizeof(proj) - 1, "/app"), 0);
	CHECK_INT(inventory__parse_package_json(inv, "{\"name\":", 8, "/x"), -EINVAL);
	CHECK_INT(inventory__parse_python(inv, "Name: x\n", 8, NULL, 0, "/d/x.dist-info"), -EINVAL); /* no Version */
	CHECK_INT(inventory__finish(inv), 0);
	CHECK_INT(inventory__count(inv), 2);
	py = inventory__find(inv, INV_PYPI, "Flask_Login");
	nd = inventory__find(inv, INV_NPM, "@babel/core");
	CHECK_STR(inventory__pkg(inv, py)->purl, "pkg:pypi/flask-login@0.6.3");
	CHECK_STR(inventory__pkg(inv, nd)->purl, "pkg:npm/%40babel/core@7.23.0");
	CHECK_INT(inventory__owner(inv, "/usr/lib/python3/dist-packages/flask_login/__init__.py"), py);
	CHECK_INT(inventory__owner(inv, "/usr/lib/python3/dist-packages/odd,name.py"), py);
	CHECK_INT(inventory__owner(inv, "/usr/bin/flask"), py);
	CHECK_INT(inventory__owner(inv, "/app/node_modules/@babel/core/lib/index.js"), nd);
	CHECK_INT(inventory__owner(inv, "/app/node_modules/@babel/other/x.js"), -1);
	inventory__free(inv);
}

/* A root filesystem on disk: merged /usr (lib -> usr/lib), a dpkg database, a Python package, a FIFO. */
static char root[64];

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void mk(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	mkdir(path, 0755);
}

static void make_root(void)
{
	static const char *dirs[] = { "etc", "usr", "usr/lib", "usr/lib/x86_64-linux-gnu", "usr/bin", "var", "var/lib",
				      "var/lib/dpkg", "var/lib/dpkg/info", "usr/lib/python3", "usr/lib/python3/dist-packages",
				      "usr/lib/python3/dist-packages/six-1.16.0.dist-info", "tmp" };
	char path[512];
	size_t i;

	snprintf(root, sizeof(root), "/tmp/bw-inv-XXXXXX");
	CHECK(mkdtemp(root) != NULL, "mkdtemp");
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		mk(dirs[i]);
	snprintf(path, sizeof(path), "%s/lib", root);
	CHECK_INT(symlink("usr/lib", path), 0);
	snprintf(path, sizeof(path), "%s/bin", root);
	CHECK_INT(symlink("usr/bin", path), 0);
	put("etc/debian_version", "12.15\n");
	put("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
	put("var/lib/dpkg/status", "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\n"
				   "Multi-Arch: same\nVersion: 2.36-9+deb12u13\n\n"
				   "Package: sudo\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.9.13p3-1+deb12u1\n");
	/* Multi-Arch: same -> the list is named with the architecture */
	put("var/lib/dpkg/info/libc6:amd64.list", "/.\n/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu/libc.so.6\n");
	put("var/lib/dpkg/info/sudo.list", "/usr/bin/sudo\n");
	put("usr/bin/sudo", "");
	snprintf(path, sizeof(path), "%s/usr/bin/sudo", root);
	chmod(path, 04755);
	put("usr/bin/apt-get", "");
	put("usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA", "Name: six\nVersion: 1.16.0\n");
	put("usr/lib/python3/dist-packages/six-1.16.0.dist-info/RECORD", "six.py,,\n");
	/* a FIFO where a database is expected must neither block nor count */
	snprintf(path, sizeof(path), "%s/var/lib/dpkg/info/nothing.list", root);
	mkfifo(path, 0644);
}

static void rm_root(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	CHECK_INT(system(cmd), 0);
}

static void test_scan_rootfs(void)
{
	struct inventory *inv = inventory__new(NULL);
	struct image_hygiene h;
	struct inventory_info info;
	long libc, six;
	int fd;

	make_root();
	fd = open(root, O_PATH | O_DIRECTORY);
	CHECK_INT(inventory__scan(inv, fd), 0);
	inventory__info(inv, &info);
	CHECK_STR(info.os_id, "debian");
	CHECK_STR(info.os_version, "12.15"); /* Trivy's choice: etc/debian_version, not VERSION_ID */
	CHECK_INT(info.n_pkgs, 3);
	CHECK_INT(info.failures, 0);
	libc = inventory__find(inv, INV_DEB, "libc6");
	six = inventory__find(inv, INV_PYPI, "six");
	CHECK_STR(inventory__pkg(inv, libc)->purl, "pkg:deb/debian/libc6@2.36-9+deb12u13?arch=amd64&distro=debian-12.15");
	/* the kernel reports the resolved path; the list names it through the /lib symlink */
	CHECK_INT(inventory__owner(inv, "/usr/lib/x86_64-linux-gnu/libc.so.6"), libc);
	CHECK_INT(inventory__owner(inv, "/lib/x86_64-linux-gnu/libc.so.6"), libc);
	CHECK_INT(inventory__owner(inv, "/usr/lib/python3/dist-packages/six.py"), six);
	CHECK_INT(inventory_hygiene(fd, &h), 0);
	CHECK_STR(h.setuid_root, getuid() == 0 ? "sudo" : "");
	CHECK_STR(h.package_managers, "apt-get");
	CHECK_STR(h.compilers, "");
	close(fd);
	inventory__free(inv);
	rm_root();
}

/* The agent's side: a container of an image is seen, files are used, the document follows. */
static void test_tracker(void)
{
	struct container_info ci = { .ident = { .runtime = RUNTIME_DOCKER, .id = "c0ffee" }, .metadata_known = true,
				     .name = "web", .image = "localhost/t:1", .image_id = "sha256:0123456789abcdef" };
	char dir[80], path[160], *doc;
	struct sbom_opts o = { .dir = dir, .write_ms = 10 };
	struct strbuf sb = STRBUF_INIT;
	struct sbom_stats st;
	struct sbom *s;
	int i;

	make_root();
	snprintf(ci.rootfs, sizeof(ci.rootfs), "%s", root);
	snprintf(dir, sizeof(dir), "%s/state/sbom", root);
	s = sbom__new(&o);
	CHECK(s != NULL, "sbom__new");
	if (!s)
		return;
	sbom__container(s, &ci);
	for (i = 0; i < 3; i++) /* the same pair again: posted once */
		sbom__used(s, &ci, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	sbom__used(s, &ci, "/tmp/dropped-binary");
	sbom__sync(s);
	sbom__free(s); /* writes what changed */
	snprintf(path, sizeof(path), "%s/sha256_0123456789abcdef.cdx.json", dir);
	doc = util_read_file(path, 1 << 20, NULL);
	CHECK(doc != NULL, "no document at %s", path);
	if (doc) {
		CHECK(strstr(doc, "\"name\":\"libc6\",\"version\":\"2.36-9+deb12u13\",\"purl\":\"pkg:deb/debian/libc6@2.36-9+deb12u13?arch=amd64&distro=debian-12.15\",\"properties\":[{\"name\":\"bulwark:in-use\",\"value\":\"true\"}") != NULL, "libc6 in use: %.600s", strstr(doc, "libc6"));
		CHECK(strstr(doc, "\"name\":\"sudo\",\"version\":\"1.9.13p3-1+deb12u1\",\"purl\":\"pkg:deb/debian/sudo@1.9.13p3-1+deb12u1?arch=amd64&distro=debian-12.15\",\"properties\":[{\"name\":\"bulwark:in-use\",\"value\":\"false\"}") != NULL, "sudo not in use");
		CHECK(strstr(doc, "{\"location\":\"/usr/lib/x86_64-linux-gnu/libc.so.6\"}") != NULL, "evidence");
		CHECK(strstr(doc, "{\"name\":\"bulwark:container\",\"value\":\"c0ffee web\"}") != NULL, "container");
		CHECK(strstr(doc, "dropped-binary") == NULL, "a file no package owns is no evidence");
	}
	free(doc);
	/* stats and gauges are read from another thread: a tracker of its own for them */
	s = sbom__new(&o);
	sbom__container(s, &ci);
	sbom__used(s, &ci, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	sbom__used(s, &ci, "/tmp/dropped-binary");
	sbom__sync(s);
	sbom__stats(s, &st);
	CHECK_INT(st.scans, 1);
	CHECK_INT(st.used_events, 2);
	CHECK_INT(st.used_unowned, 1);
	sbom__render_metrics(s, &sb);
	CHECK(strstr(sb.buf, "bulwark_sbom_packages{image=\"localhost/t:1\"} 3\n") != NULL, "%s", sb.buf);
	CHECK(strstr(sb.buf, "bulwark_sbom_packages_in_use{image=\"localhost/t:1\"} 1\n") != NULL, "%s", sb.buf);
	strbuf_free(&sb);
	sbom__free(s);
	rm_root();
}

static void test_cdx_document(void)
{
	struct inventory *inv = with_os();
	struct strbuf sb = STRBUF_INIT;
	struct sbom_container_ref c = { .id = "0123456789ab", .name = "web" };
	uint64_t used_by[3] = { 0, 1, 0 };
	const char *files[] = { "/usr/bin/x" };
	long fp[] = { 1 };
	struct sbom_doc doc = { .image = "localhost/debian:test", .image_id = "sha256:abcd", .containers = &c,
				.n_containers = 1, .used_by = used_by, .files = files, .file_pkg = fp, .n_files = 1,
				.serial = "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79" };

	inventory__parse_dpkg_status(inv, dpkg_status, sizeof(dpkg_status) - 1, "s");
	inventory__finish(inv);
	sbom_write_cdx(&sb, inv, &doc);
	CHECK(strstr(sb.buf, "\"specVersion\":\"1.5\"") != NULL, "spec");
	CHECK(strstr(sb.buf, "{\"name\":\"bulwark:packages_in_use\",\"value\":\"1\"}") != NULL, "in use count");
	CHECK(strstr(sb.buf, "\"name\":\"libstdc++6\",\"version\":\"12.2.0-14+deb12u1\",\"purl\":\"pkg:deb/debian/libstdc%2B%2B6@12.2.0-14+deb12u1?arch=amd64&distro=debian-12\","
			     "\"properties\":[{\"name\":\"bulwark:in-use\",\"value\":\"true\"}") != NULL, "%s", sb.buf);
	CHECK(strstr(sb.buf, "\"evidence\":{\"occurrences\":[{\"location\":\"/usr/bin/x\"}]}") != NULL, "evidence");
	CHECK(strstr(sb.buf, "{\"name\":\"bulwark:container\",\"value\":\"0123456789ab web\"}") != NULL, "metadata container");
	strbuf_reset(&sb);
	doc.in_use_only = true;
	sbom_write_cdx(&sb, inv, &doc);
	CHECK(strstr(sb.buf, "bsdutils") == NULL, "filtered");
	CHECK(strstr(sb.buf, "libstdc++6") != NULL, "kept");
	strbuf_free(&sb);
	inventory__free(inv);
}

/* More images than the tracker keeps: the least recently seen one goes, its document too. */
static void test_tracker_evicts(void)
{
	struct container_info ci = { .ident = { .runtime = RUNTIME_DOCKER }, .metadata_known = true };
	char dir[80], path[200], cmd[160];
	struct sbom_opts o = { .dir = dir, .write_ms = 1 };
	struct sbom *s;
	FILE *ls;
	int i, n = 0;

	snprintf(root, sizeof(root), "/tmp/bw-inv-XXXXXX");
	CHECK(mkdtemp(root) != NULL, "mkdtemp");
	snprintf(dir, sizeof(dir), "%s/sbom", root);
	snprintf(ci.rootfs, sizeof(ci.rootfs), "%s", root);
	s = sbom__new(&o);
	for (i = 0; s && i <= SBOM_MAX_IMAGES; i++) {
		snprintf(ci.ident.id, sizeof(ci.ident.id), "c%d", i);
		snprintf(ci.image_id, sizeof(ci.image_id), "sha256:%08d", i);
		sbom__container(s, &ci);
		sbom__sync(s); /* one at a time: image 0 is the least recently seen */
	}
	sbom__free(s);
	snprintf(cmd, sizeof(cmd), "ls %s | grep -c cdx.json", dir);
	ls = popen(cmd, "r");
	CHECK(ls && fscanf(ls, "%d", &n) == 1, "ls");
	if (ls)
		pclose(ls);
	CHECK_INT(n, SBOM_MAX_IMAGES);
	snprintf(path, sizeof(path), "%s/sha256_%08d.cdx.json", dir, 0);
	CHECK(access(path, F_OK) != 0, "the evicted image's document is still there");
	snprintf(path, sizeof(path), "%s/sha256_%08d.cdx.json", dir, SBOM_MAX_IMAGES);
	CHECK(access(path, F_OK) == 0, "the newest image's document is missing");
	rm_root();
}

int main(void)
{
	RUN(test_dpkg_status_and_purls);
	RUN(test_dpkg_malformed_is_refused_whole);
	RUN(test_limits);
	RUN(test_dpkg_list_owner);
	RUN(test_apk);
	RUN(test_python_and_node);
	RUN(test_scan_rootfs);
	RUN(test_cdx_document);
	RUN(test_tracker);
	RUN(test_tracker_evicts);
	return check_summary();
}
