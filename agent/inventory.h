/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inventory: the packages an image carries, read on the host side from a
 * container's root filesystem (never by running anything in it): Debian's
 * dpkg database (var/lib/dpkg/status and info/<pkg>.list), Alpine's apk
 * database (lib/apk/db/installed), Python distributions (*.dist-info with
 * METADATA and RECORD) and Node packages (node_modules/<name>/package.json).
 * Each package gets a name, version, ecosystem, a PURL written the way Trivy
 * writes it, and the files it owns, so that a file the kernel saw executed or
 * mapped can be traced to its package (inventory__owner).
 *
 * Everything read here was written by whoever built the image, or by the
 * container itself (the merged view includes its upper layer): paths are
 * resolved inside the root (openat2 RESOLVE_IN_ROOT, never a host symlink),
 * only regular files are opened (O_NONBLOCK: a FIFO cannot stall the reader),
 * and every input has a size bound (struct inv_limits). A database beyond a
 * bound or malformed is a failure of that database, counted and named in
 * inventory.why; the other databases still count. The scan is meant for a
 * worker thread: it may take tens of milliseconds on a large image.
 */
#ifndef BULWARK_INVENTORY_H
#define BULWARK_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum inv_ecosystem {
	INV_DEB = 0,
	INV_APK,
	INV_PYPI,
	INV_NPM,
	INV_ECO_MAX,
};

/* "deb", "apk", "pypi", "npm": the PURL type */
const char *inventory_ecosystem_name(enum inv_ecosystem e);

struct inv_limits {
	size_t db_bytes;     /* one package database file (dpkg status, apk installed) */
	size_t list_bytes;   /* one file list (dpkg .list, RECORD) or metadata file */
	size_t packages;     /* packages per image */
	size_t files;        /* owned files per image */
	size_t arena_bytes;  /* strings kept per image */
	size_t walk_entries; /* directory entries visited looking for Python and Node packages */
	unsigned walk_depth; /* directory depth of that walk */
};

/* Bounds for a real node: a large image (50,000 files in 2,000 packages) fits 10 times over. */
#define INV_LIMITS_DEFAULT                                                                                 \
	{ .db_bytes = 64u << 20, .list_bytes = 16u << 20, .packages = 65536, .files = 2000000,             \
	  .arena_bytes = 256u << 20, .walk_entries = 500000, .walk_depth = 32 }

struct inv_pkg {
	const char *name;
	const char *version;
	const char *arch;     /* "" when the database names none */
	const char *purl;     /* set by inventory__finish */
	const char *location; /* where it was found: the database file or the package's directory */
	enum inv_ecosystem eco;
	uint32_t n_files;     /* files it owns (directories of a file list included) */
};

/* Databases, for inventory.failed_dbs (bit 1 << enum value) */
enum inv_db {
	INV_DB_OS_RELEASE = 0,
	INV_DB_DPKG,
	INV_DB_APK,
	INV_DB_PYTHON,
	INV_DB_NODE,
	INV_DB_WALK,
	INV_DB_MAX,
};

struct inventory;

struct inventory_info {
	char os_id[32];       /* os-release ID, or "debian" / "alpine" from their version files */
	char os_version[64];  /* as Trivy names it: etc/debian_version, etc/alpine-release, else VERSION_ID */
	size_t n_pkgs, n_files;
	size_t bytes;         /* memory held by the inventory */
	uint32_t failed_dbs;  /* 1 << enum inv_db of each database refused */
	unsigned failures;    /* refusals (a database can fail once) */
	char why[256];        /* the first refusal: "var/lib/dpkg/status: larger than 67108864 bytes" */
};

/* NULL with errno set (ENOMEM). lim NULL: INV_LIMITS_DEFAULT. */
struct inventory *inventory__new(const struct inv_limits *lim);
void inventory__free(struct inventory *inv);

/*
 * Everything found under the root directory @rootfd (opened by the caller,
 * O_PATH or O_DIRECTORY): OS release, dpkg, apk, then a bounded walk for
 * Python and Node packages; then inventory__finish. 0, or -errno when
 * nothing could be read at all (the root itself is gone); a refused database
 * is not an error of the scan (inventory_info.failed_dbs).
 */
int inventory__scan(struct inventory *inv, int rootfd);

/*
 * The parsers, on a buffer (exposed for the fuzzers and the tests). Each
 * returns 0 or -errno (-EINVAL malformed, -E2BIG past a limit); a refused
 * buffer adds nothing.
 */
int inventory__parse_os_release(struct inventory *inv, const char *buf, size_t len);
int inventory__parse_dpkg_status(struct inventory *inv, const char *buf, size_t len, const char *location);
/* A dpkg .list of package @pkg (an index as returned by inventory__find): one absolute path per line. */
int inventory__add_dpkg_list(struct inventory *inv, size_t pkg, const char *buf, size_t len);
int inventory__parse_apk_installed(struct inventory *inv, const char *buf, size_t len, const char *location);
/*
 * A Python distribution: METADATA text and RECORD text (may be NULL) of a
 * *.dist-info directory at @dist_dir (absolute, in the image), whose RECORD
 * paths are relative to its parent (the site-packages directory).
 */
int inventory__parse_python(struct inventory *inv, const char *metadata, size_t mlen, const char *record,
			    size_t rlen, const char *dist_dir);
/* A Node package.json of the package directory @pkg_dir (absolute): owns every file under it. */
int inventory__parse_package_json(struct inventory *inv, const char *buf, size_t len, const char *pkg_dir);

/* PURLs (from the OS facts) and the owned-file index; call once, after the parsers. */
int inventory__finish(struct inventory *inv);

void inventory__info(const struct inventory *inv, struct inventory_info *out);
size_t inventory__count(const struct inventory *inv);
const struct inv_pkg *inventory__pkg(const struct inventory *inv, size_t i);
/* Index of the package named @name of ecosystem @eco, or -1. */
long inventory__find(const struct inventory *inv, enum inv_ecosystem eco, const char *name);
/*
 * The package that owns @path (absolute, as the kernel resolved it inside
 * the container: symlinked directories of the file lists, e.g. /lib → usr/lib
 * on a merged-/usr system, are resolved at scan time), or -1.
 */
long inventory__owner(const struct inventory *inv, const char *path);

/*
 * Writes a PURL: pkg:TYPE/[NAMESPACE/]NAME@VERSION[?QUALIFIERS], each part
 * percent-encoded the way Trivy (packageurl-go) does; qualifiers are
 * "key=value" pairs joined with '&', NULL or "" for none. Returns the length
 * it needs (snprintf-like).
 */
size_t inventory_purl(char *out, size_t size, const char *type, const char *ns, const char *name,
		      const char *version, const char *qualifiers);

/* The version as Trivy reports it (a Debian epoch "1:" is cut off, into @epoch; "" when none). */
const char *inventory_version_no_epoch(const struct inv_pkg *p, char *epoch, size_t size);

/* ---- image hygiene: what an image carries that helps an intruder --------------------------- */

struct image_hygiene {
	char setuid_root[512];      /* names of setuid-root executables in the bin directories, comma-separated */
	char package_managers[256]; /* apt, apt-get, dpkg, apk, yum, dnf, rpm, pip, npm, ... found */
	char compilers[256];        /* cc, gcc, clang, tcc, go, rustc, ... found */
	uint32_t entries;           /* directory entries looked at */
};

/*
 * Looks at the standard bin directories of the root @rootfd (bounded: at
 * most 8192 entries each): setuid-root regular files, package managers and
 * compilers by name. 0 or -errno (the root cannot be read).
 */
int inventory_hygiene(int rootfd, struct image_hygiene *out);

/* openat2(RESOLVE_IN_ROOT) of a regular file under @rootfd, read whole (at most @max bytes); NULL with errno. */
char *inventory_read_in_root(int rootfd, const char *path, size_t max, size_t *len);

#endif
