// SPDX-License-Identifier: Apache-2.0
/*
 * Package inventory of an image's root filesystem (see inventory.h). Facts
 * about the formats come from their own documentation: deb-status(5) and
 * dpkg's info/<package>.list files, apk's "installed" database (apk-tools
 * doc/apk-package.5: P: name, V: version, A: arch, F: directory, R: file in
 * it), the Python packaging specifications (core metadata, RECORD as CSV
 * with paths relative to the site directory), npm's package.json, and the
 * package-url specification with Trivy's choices of namespaces and
 * qualifiers (checked against Trivy's own output by tests/e2e/sbom.sh).
 */
#include "inventory.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FIELD_MAX 256 /* a name, version or architecture longer than this is not a real one */

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	char data[];
};

struct file_ent {
	const char *path; /* absolute; a directory owned as a whole ends with '/' */
	uint32_t pkg;
};

struct inventory {
	struct inv_limits lim;
	struct arena_chunk *chunks;
	size_t arena_bytes;
	struct inv_pkg *pkgs;
	size_t n_pkgs, cap_pkgs;
	struct file_ent *files; /* in the order added */
	size_t n_files, cap_files;
	struct file_ent *index; /* open addressing over files, by path (inventory__finish) */
	size_t index_size;      /* a power of two */
	struct inventory_info info;
	bool finished;
	bool have_debian_version, have_alpine_release;
};

static const char *const eco_names[INV_ECO_MAX] = { "deb", "apk", "pypi", "npm" };
static const char *const db_names[INV_DB_MAX] = { "os-release", "dpkg", "apk", "python", "node", "walk" };

const char *inventory_ecosystem_name(enum inv_ecosystem e)
{
	return (unsigned)e < INV_ECO_MAX ? eco_names[e] : "unknown";
}

static int refuse(struct inventory *inv, enum inv_db db, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int refuse(struct inventory *inv, enum inv_db db, int err, const char *fmt, ...)
{
	va_list ap;

	if (!(inv->info.failed_dbs & (1u << db))) {
		inv->info.failed_dbs |= 1u << db;
		inv->info.failures++;
	}
	if (!inv->info.why[0]) {
		int n = snprintf(inv->info.why, sizeof(inv->info.why), "%s: ", db_names[db]);

		va_start(ap, fmt);
		if (n > 0 && (size_t)n < sizeof(inv->info.why))
			vsnprintf(inv->info.why + n, sizeof(inv->info.why) - n, fmt, ap);
		va_end(ap);
	}
	return err;
}

/* ---- storage ------------------------------------------------------------------------------- */

struct inventory *inventory__new(const struct inv_limits *lim)
{
	static const struct inv_limits dflt = INV_LIMITS_DEFAULT;
	struct inventory *inv = calloc(1, sizeof(*inv));

	if (!inv)
		return NULL;
	inv->lim = lim ? *lim : dflt;
	return inv;
}

void inventory__free(struct inventory *inv)
{
	struct arena_chunk *c, *next;

	if (!inv)
		return;
	for (c = inv->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	free(inv->pkgs);
	free(inv->files);
	free(inv->index);
	free(inv);
}

static char *arena_alloc(struct inventory *inv, size_t n)
{
	struct arena_chunk *c = inv->chunks;
	size_t size;

	if (!c || c->size - c->used < n) {
		size = n > 65536 ? n : 65536;
		if (inv->arena_bytes + size > inv->lim.arena_bytes) {
			errno = E2BIG;
			return NULL;
		}
		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->used = 0;
		c->size = size;
		c->next = inv->chunks;
		inv->chunks = c;
		inv->arena_bytes += size;
	}
	c->used += n;
	return c->data + c->used - n;
}

static const char *arena_strn(struct inventory *inv, const char *s, size_t n)
{
	char *p = arena_alloc(inv, n + 1);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Doubles an array's room (from @first) when it is full: 0, or -ENOMEM with the array as it was. */
static int grow(void **v, size_t *cap, size_t n, size_t elem, size_t first)
{
	size_t c = *cap ? *cap * 2 : first;
	void *p;

	if (n < *cap)
		return 0;
	if (!(p = realloc(*v, c * elem)))
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

static int add_pkg(struct inventory *inv, enum inv_ecosystem eco, const char *name, size_t nl, const char *ver,
		   size_t vl, const char *arch, size_t al, const char *location)
{
	struct inv_pkg *p;

	if (inv->n_pkgs >= inv->lim.packages)
		return -E2BIG;
	if (grow((void **)&inv->pkgs, &inv->cap_pkgs, inv->n_pkgs, sizeof(*inv->pkgs), 256))
		return -ENOMEM;
	p = &inv->pkgs[inv->n_pkgs];
	memset(p, 0, sizeof(*p));
	p->eco = eco;
	p->name = arena_strn(inv, name, nl);
	p->version = arena_strn(inv, ver, vl);
	p->arch = arena_strn(inv, arch ? arch : "", arch ? al : 0);
	p->location = location;
	if (!p->name || !p->version || !p->arch)
		return errno == E2BIG ? -E2BIG : -ENOMEM;
	inv->n_pkgs++;
	return 0;
}

/* Keeps @path (already in the arena, or copied when @copy). */
static int add_file(struct inventory *inv, uint32_t pkg, const char *path, size_t n, bool copy)
{
	struct file_ent *f;

	if (inv->n_files >= inv->lim.files)
		return -E2BIG;
	if (grow((void **)&inv->files, &inv->cap_files, inv->n_files, sizeof(*inv->files), 4096))
		return -ENOMEM;
	f = &inv->files[inv->n_files];
	f->path = copy ? arena_strn(inv, path, n) : path;
	if (!f->path)
		return errno == E2BIG ? -E2BIG : -ENOMEM;
	f->pkg = pkg;
	inv->n_files++;
	inv->pkgs[pkg].n_files++;
	return 0;
}

/* Drops what a refused database added. */
static void roll_back(struct inventory *inv, size_t n_pkgs, size_t n_files)
{
	inv->n_pkgs = n_pkgs;
	inv->n_files = n_files;
}

/* ---- text helpers ---------------------------------------------------------------------------- */

/* Next line of [*pos, len): its start and length without the newline; false at the end. */
static bool next_line(const char *buf, size_t len, size_t *pos, const char **line, size_t *n)
{
	const char *nl;

	if (*pos >= len)
		return false;
	*line = buf + *pos;
	nl = memchr(*line, '\n', len - *pos);
	*n = nl ? (size_t)(nl - *line) : len - *pos;
	*pos += *n + (nl ? 1 : 0);
	if (*n && (*line)[*n - 1] == '\r')
		(*n)--;
	return true;
}

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

/* A name, version or architecture: printable ASCII without spaces, bounded. */
static bool token_ok(const char *s, size_t n)
{
	size_t i;

	if (!n || n > FIELD_MAX)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* Safe as one path component (a .list file name is built from a package name). */
static bool component_ok(const char *s, size_t n)
{
	return token_ok(s, n) && !memchr(s, '/', n) && !(n <= 2 && s[0] == '.' && (n == 1 || s[1] == '.'));
}

/* ---- OS release ------------------------------------------------------------------------------ */

static void copy_field(char *dst, size_t size, const char *s, size_t n)
{
	if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
		s++;
		n -= 2;
	}
	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

int inventory__parse_os_release(struct inventory *inv, const char *buf, size_t len)
{
	const char *line;
	size_t n, pos = 0;

	while (next_line(buf, len, &pos, &line, &n)) {
		const char *eq = memchr(line, '=', n);
		size_t kl, vl;

		if (!eq)
			continue;
		kl = eq - line;
		vl = n - kl - 1;
		if (!token_ok(eq + 1, vl) && vl)
			continue;
		if (kl == 2 && !memcmp(line, "ID", 2))
			copy_field(inv->info.os_id, sizeof(inv->info.os_id), eq + 1, vl);
		else if (kl == 10 && !memcmp(line, "VERSION_ID", 10) && !inv->have_debian_version &&
			 !inv->have_alpine_release)
			copy_field(inv->info.os_version, sizeof(inv->info.os_version), eq + 1, vl);
	}
	return 0;
}

/* etc/debian_version or etc/alpine-release: the first line, the version Trivy names the OS with */
static void parse_version_file(struct inventory *inv, const char *buf, size_t len, const char *id)
{
	const char *line;
	size_t n, pos = 0;

	if (!next_line(buf, len, &pos, &line, &n))
		return;
	trim(&line, &n);
	if (!token_ok(line, n))
		return;
	copy_field(inv->info.os_version, sizeof(inv->info.os_version), line, n);
	if (!inv->info.os_id[0])
		snprintf(inv->info.os_id, sizeof(inv->info.os_id), "%s", id);
}

/* ---- dpkg ------------------------------------------------------------------------------------ */

struct stanza {
	const char *name, *ver, *arch, *status;
	size_t nl, vl, al, sl;
};

static int dpkg_stanza_end(struct inventory *inv, struct stanza *s, const char *location)
{
	int e = 0;

	/* deb-status(5): Status is "want flag state"; only state "installed" is on disk (Trivy alike) */
	if (s->name && s->ver && s->status && s->sl >= 9 && !memcmp(s->status + s->sl - 9, "installed", 9) &&
	    (s->sl == 9 || s->status[s->sl - 10] == ' ')) {
		if (!token_ok(s->name, s->nl) || !token_ok(s->ver, s->vl) || (s->arch && !token_ok(s->arch, s->al)))
			return -EINVAL;
		e = add_pkg(inv, INV_DEB, s->name, s->nl, s->ver, s->vl, s->arch, s->al, location);
	}
	memset(s, 0, sizeof(*s));
	return e;
}

int inventory__parse_dpkg_status(struct inventory *inv, const char *buf, size_t len, const char *location)
{
	size_t n0 = inv->n_pkgs, f0 = inv->n_files, pos = 0, n;
	struct stanza s = { 0 };
	const char *line;
	int e = 0;

	if (len > inv->lim.db_bytes)
		return refuse(inv, INV_DB_DPKG, -E2BIG, "%s: larger than %zu bytes", location, inv->lim.db_bytes);
	if (memchr(buf, '\0', len))
		return refuse(inv, INV_DB_DPKG, -EINVAL, "%s: binary data", location);
	while (!e && next_line(buf, len, &pos, &line, &n)) {
		const char *colon, *v;
		size_t kl, vl;

		if (n == 0) {
			e = dpkg_stanza_end(inv, &s, location);
			continue;
		}
		if (line[0] == ' ' || line[0] == '\t')
			continue; /* a continuation line (Description, Conffiles) */
		colon = memchr(line, ':', n);
		if (!colon) {
			e = -EINVAL;
			break;
		}
		kl = colon - line;
		v = colon + 1;
		vl = n - kl - 1;
		trim(&v, &vl);
		if (kl == 7 && !strncasecmp(line, "Package", 7)) {
			if (s.name) /* a second Package: without the blank line between stanzas */
				e = dpkg_stanza_end(inv, &s, location);
			s.name = v, s.nl = vl;
		} else if (kl == 7 && !strncasecmp(line, "Version", 7)) {
			s.ver = v, s.vl = vl;
		} else if (kl == 12 && !strncasecmp(line, "Architecture", 12)) {
			s.arch = v, s.al = vl;
		} else if (kl == 6 && !strncasecmp(line, "Status", 6)) {
			s.status = v, s.sl = vl;
		}
	}
	if (!e)
		e = dpkg_stanza_end(inv, &s, location);
	if (e) {
		roll_back(inv, n0, f0);
		return refuse(inv, INV_DB_DPKG, e, "%s: %s at byte %zu", location,
			      e == -E2BIG ? "past a limit" : e == -ENOMEM ? "out of memory" : "malformed", pos);
	}
	return 0;
}

int inventory__add_dpkg_list(struct inventory *inv, size_t pkg, const char *buf, size_t len)
{
	size_t f0 = inv->n_files, pos = 0, n;
	const char *line;
	int e = 0;

	if (pkg >= inv->n_pkgs)
		return -EINVAL;
	if (len > inv->lim.list_bytes)
		e = -E2BIG;
	else if (memchr(buf, '\0', len))
		e = -EINVAL;
	while (!e && next_line(buf, len, &pos, &line, &n)) {
		if (n == 0)
			continue;
		if (line[0] != '/' || n >= PATH_MAX) {
			e = -EINVAL;
			break;
		}
		if (n == 2 && line[1] == '.')
			continue; /* "/." : every package lists the root */
		e = add_file(inv, pkg, line, n, true);
	}
	if (e) {
		inv->pkgs[pkg].n_files -= inv->n_files - f0;
		inv->n_files = f0;
		return refuse(inv, INV_DB_DPKG, e, "info/%s.list: %s", inv->pkgs[pkg].name,
			      e == -E2BIG ? "past a limit" : "malformed");
	}
	return 0;
}

/* ---- apk ------------------------------------------------------------------------------------- */

int inventory__parse_apk_installed(struct inventory *inv, const char *buf, size_t len, const char *location)
{
	size_t n0 = inv->n_pkgs, f0 = inv->n_files, pos = 0, n, dl = 0;
	const char *line, *name = NULL, *ver = NULL, *arch = NULL, *dir = NULL;
	size_t nl = 0, vl = 0, al = 0;
	bool added = false;
	char path[PATH_MAX];
	int e = 0;

	if (len > inv->lim.db_bytes)
		return refuse(inv, INV_DB_APK, -E2BIG, "%s: larger than %zu bytes", location, inv->lim.db_bytes);
	if (memchr(buf, '\0', len))
		return refuse(inv, INV_DB_APK, -EINVAL, "%s: binary data", location);
	for (;;) {
		bool more = next_line(buf, len, &pos, &line, &n);

		if (!more || n == 0) {
			/* end of a package: added at its first F: (files need its index) or here */
			if (name && !added) {
				if (!ver || !token_ok(name, nl) || !token_ok(ver, vl) || (arch && !token_ok(arch, al)))
					e = -EINVAL;
				else
					e = add_pkg(inv, INV_APK, name, nl, ver, vl, arch, al, location);
			}
			name = ver = arch = dir = NULL;
			added = false;
			if (e || !more)
				break;
			continue;
		}
		if (n < 2 || line[1] != ':') {
			e = -EINVAL;
			break;
		}
		switch (line[0]) {
		case 'P':
			name = line + 2, nl = n - 2;
			break;
		case 'V':
			ver = line + 2, vl = n - 2;
			break;
		case 'A':
			arch = line + 2, al = n - 2;
			break;
		case 'F':
		case 'R':
			if (!added) {
				/* apk writes P, V, A before the file entries */
				if (!name || !ver || !token_ok(name, nl) || !token_ok(ver, vl) ||
				    (arch && !token_ok(arch, al))) {
					e = -EINVAL;
					break;
				}
				e = add_pkg(inv, INV_APK, name, nl, ver, vl, arch, al, location);
				if (e)
					break;
				added = true;
			}
			if (line[0] == 'F') {
				dir = line + 2, dl = n - 2;
				if (dl + 2 >= sizeof(path)) {
					e = -EINVAL;
					break;
				}
				snprintf(path, sizeof(path), "/%.*s", (int)dl, dir);
				e = add_file(inv, inv->n_pkgs - 1, path, dl + 1, true);
			} else {
				int k = snprintf(path, sizeof(path), "/%.*s%s%.*s", dir ? (int)dl : 0, dir ? dir : "",
						 dir && dl ? "/" : "", (int)(n - 2), line + 2);

				if (k <= 0 || (size_t)k >= sizeof(path) || n == 2 || memchr(line + 2, '/', n - 2)) {
					e = -EINVAL;
					break;
				}
				e = add_file(inv, inv->n_pkgs - 1, path, k, true);
			}
			break;
		default:
			break; /* T, U, L, o, m, t, c, D, p, i, Z, a, M, r, q, s, f: nothing we need */
		}
		if (e)
			break;
	}
	if (e) {
		roll_back(inv, n0, f0);
		return refuse(inv, INV_DB_APK, e, "%s: %s at byte %zu", location,
			      e == -E2BIG ? "past a limit" : e == -ENOMEM ? "out of memory" : "malformed", pos);
	}
	return 0;
}

/* ---- Python ---------------------------------------------------------------------------------- */

/* Joins @dir and relative @rel, resolving "." and ".." lexically (never above "/"); length or -1. */
static int join_path(char *out, size_t size, const char *dir, const char *rel, size_t rl)
{
	size_t o = 0, i = 0;

	if (rl && rel[0] == '/') {
		dir = "";
	}
	/* copy dir, then each component of rel */
	o = strlen(dir);
	if (o + 1 >= size)
		return -1;
	memcpy(out, dir, o);
	while (o > 1 && out[o - 1] == '/')
		o--;
	if (o == 1 && out[0] == '/')
		o = 0;
	while (i < rl) {
		const char *c = rel + i;
		const char *sl = memchr(c, '/', rl - i);
		size_t cl = sl ? (size_t)(sl - c) : rl - i;

		i += cl + (sl ? 1 : 0);
		if (cl == 0 || (cl == 1 && c[0] == '.'))
			continue;
		if (cl == 2 && c[0] == '.' && c[1] == '.') {
			while (o && out[o - 1] != '/')
				o--;
			if (o)
				o--;
			continue;
		}
		if (o + 1 + cl + 1 >= size)
			return -1;
		out[o++] = '/';
		memcpy(out + o, c, cl);
		o += cl;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return (int)o;
}

static void header_value(const char *buf, size_t len, const char *key, const char **v, size_t *vl)
{
	size_t pos = 0, n, kl = strlen(key);
	const char *line;

	*v = NULL;
	*vl = 0;
	while (next_line(buf, len, &pos, &line, &n)) {
		if (n == 0)
			return; /* the body starts: headers only */
		if (n > kl && line[kl] == ':' && !strncasecmp(line, key, kl)) {
			*v = line + kl + 1;
			*vl = n - kl - 1;
			trim(v, vl);
			return;
		}
	}
}

int inventory__parse_python(struct inventory *inv, const char *metadata, size_t mlen, const char *record,
			    size_t rlen, const char *dist_dir)
{
	size_t n0 = inv->n_pkgs, f0 = inv->n_files, pos = 0, n, dl;
	const char *name, *ver, *line, *loc;
	size_t nl, vl;
	char site[PATH_MAX], path[PATH_MAX];
	int e = 0;

	if (mlen > inv->lim.list_bytes || (record && rlen > inv->lim.list_bytes))
		return refuse(inv, INV_DB_PYTHON, -E2BIG, "%s: larger than %zu bytes", dist_dir, inv->lim.list_bytes);
	if (memchr(metadata, '\0', mlen) || (record && memchr(record, '\0', rlen)))
		return refuse(inv, INV_DB_PYTHON, -EINVAL, "%s: binary data", dist_dir);
	header_value(metadata, mlen, "Name", &name, &nl);
	header_value(metadata, mlen, "Version", &ver, &vl);
	if (!name || !ver || !token_ok(name, nl) || !token_ok(ver, vl))
		return refuse(inv, INV_DB_PYTHON, -EINVAL, "%s/METADATA: no valid Name and Version", dist_dir);
	dl = strlen(dist_dir);
	if (dl >= sizeof(site) || dist_dir[0] != '/')
		return -EINVAL;
	memcpy(site, dist_dir, dl + 1);
	if (strrchr(site, '/') == site)
		site[1] = '\0';
	else
		*strrchr(site, '/') = '\0';
	loc = arena_strn(inv, dist_dir, dl);
	if (!loc)
		return refuse(inv, INV_DB_PYTHON, -E2BIG, "%s: past a limit", dist_dir);
	e = add_pkg(inv, INV_PYPI, name, nl, ver, vl, NULL, 0, loc);
	while (!e && record && next_line(record, rlen, &pos, &line, &n)) {
		char field[PATH_MAX];
		size_t fl = 0, i = 0;
		int k;

		if (n == 0)
			continue;
		if (line[0] == '"') {
			/* CSV quoting: "" inside is one quote */
			for (i = 1; i < n; i++) {
				if (line[i] == '"') {
					if (i + 1 < n && line[i + 1] == '"') {
						i++;
					} else {
						break;
					}
				}
				if (fl + 1 >= sizeof(field)) {
					e = -EINVAL;
					break;
				}
				field[fl++] = line[i];
			}
			if (!e && i >= n)
				e = -EINVAL;
		} else {
			const char *comma = memchr(line, ',', n);

			fl = comma ? (size_t)(comma - line) : n;
			if (fl >= sizeof(field))
				e = -EINVAL;
			else
				memcpy(field, line, fl);
		}
		if (e || fl == 0)
			break;
		k = join_path(path, sizeof(path), site, field, fl);
		if (k < 0) {
			e = -EINVAL;
			break;
		}
		e = add_file(inv, inv->n_pkgs - 1, path, k, true);
	}
	if (e) {
		roll_back(inv, n0, f0);
		return refuse(inv, INV_DB_PYTHON, e, "%s: %s", dist_dir, e == -E2BIG ? "past a limit" : "malformed RECORD");
	}
	return 0;
}

/* ---- Node ------------------------------------------------------------------------------------ */

int inventory__parse_package_json(struct inventory *inv, const char *buf, size_t len, const char *pkg_dir)
{
	size_t n0 = inv->n_pkgs, f0 = inv->n_files, dl = strlen(pkg_dir);
	const char *name, *ver, *loc;
	json_error_t jerr;
	char dir[PATH_MAX];
	json_t *root;
	int e = 0;

	if (len > inv->lim.list_bytes)
		return refuse(inv, INV_DB_NODE, -E2BIG, "%s/package.json: larger than %zu bytes", pkg_dir,
			      inv->lim.list_bytes);
	if (pkg_dir[0] != '/' || dl + 2 >= sizeof(dir))
		return -EINVAL;
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return refuse(inv, INV_DB_NODE, -EINVAL, "%s/package.json: %s", pkg_dir, jerr.text);
	name = json_string_value(json_object_get(root, "name"));
	ver = json_string_value(json_object_get(root, "version"));
	/* a package.json without both is a project file, not an installed package (Trivy skips it too) */
	if (!name || !ver) {
		json_decref(root);
		return 0;
	}
	if (!token_ok(name, strlen(name)) || !token_ok(ver, strlen(ver))) {
		json_decref(root);
		return refuse(inv, INV_DB_NODE, -EINVAL, "%s/package.json: invalid name or version", pkg_dir);
	}
	loc = arena_strn(inv, pkg_dir, dl);
	e = loc ? add_pkg(inv, INV_NPM, name, strlen(name), ver, strlen(ver), NULL, 0, loc) : -E2BIG;
	json_decref(root);
	if (!e) {
		/* everything under the directory: a module the interpreter loads is a file there */
		snprintf(dir, sizeof(dir), "%s/", pkg_dir);
		e = add_file(inv, inv->n_pkgs - 1, dir, dl + 1, true);
	}
	if (e) {
		roll_back(inv, n0, f0);
		return refuse(inv, INV_DB_NODE, e, "%s: past a limit", pkg_dir);
	}
	return 0;
}

/* ---- PURL ------------------------------------------------------------------------------------ */

/*
 * packageurl-go (Trivy's) escapes each segment with Go's url.PathEscape and
 * each qualifier value with url.QueryEscape-like rules; what stays as is:
 * letters, digits and "-._~", plus in the name/version segment the
 * characters that need no escaping in a path segment.
 */
static void purl_escape(char **o, char *end, const char *s, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || strchr("-._~", c) || (c && strchr(keep, c))) {
			if (*o < end)
				**o = c;
			(*o)++;
		} else {
			if (*o + 2 < end) {
				(*o)[0] = '%';
				(*o)[1] = hex[c >> 4];
				(*o)[2] = hex[c & 15];
			}
			*o += 3;
		}
	}
}

static void purl_raw(char **o, char *end, const char *s)
{
	for (; *s; s++) {
		if (*o < end)
			**o = *s;
		(*o)++;
	}
}

size_t inventory_purl(char *out, size_t size, const char *type, const char *ns, const char *name,
		      const char *version, const char *qualifiers)
{
	char *o = out, *end = size ? out + size - 1 : out;
	/*
	 * As Trivy's packageurl-go writes them (checked on its output): a name or
	 * namespace escapes all but unreserved characters ("libstdc%2B%2B6"), a
	 * version is path-escaped, which keeps "$&+:=@" ("12.2.0-14+deb12u1").
	 */
	const char *seg = "";
	const char *ver_keep = "$&+:=@";

	purl_raw(&o, end, "pkg:");
	purl_raw(&o, end, type);
	purl_raw(&o, end, "/");
	if (ns && ns[0]) {
		purl_escape(&o, end, ns, seg);
		purl_raw(&o, end, "/");
	}
	purl_escape(&o, end, name, seg);
	if (version && version[0]) {
		purl_raw(&o, end, "@");
		purl_escape(&o, end, version, ver_keep);
	}
	if (qualifiers && qualifiers[0]) {
		purl_raw(&o, end, "?");
		purl_raw(&o, end, qualifiers);
	}
	if (size)
		*(o < end ? o : end) = '\0';
	return (size_t)(o - out);
}

/* A qualifier value escaped as in a query string ("debian-12.5" stays as is). */
static void qual_value(char *out, size_t size, const char *v)
{
	char *o = out, *end = out + size - 1;

	purl_escape(&o, end, v, "");
	*(o < end ? o : end) = '\0';
}

const char *inventory_version_no_epoch(const struct inv_pkg *p, char *epoch, size_t size)
{
	const char *colon = p->eco == INV_DEB ? strchr(p->version, ':') : NULL;
	const char *c;

	if (size)
		epoch[0] = '\0';
	if (!colon)
		return p->version;
	for (c = p->version; c < colon; c++)
		if (!isdigit((unsigned char)*c))
			return p->version;
	snprintf(epoch, size, "%.*s", (int)(colon - p->version), p->version);
	return colon + 1;
}

static int make_purl(struct inventory *inv, struct inv_pkg *p)
{
	char buf[1024], quals[512], a[160], d[160], ep[32], name[FIELD_MAX + 1], *q;
	const char *ns = NULL, *nm = p->name, *ver = p->version;
	size_t n;

	quals[0] = '\0';
	switch (p->eco) {
	case INV_DEB:
	case INV_APK:
		ns = inv->info.os_id[0] ? inv->info.os_id : p->eco == INV_DEB ? "debian" : "alpine";
		qual_value(a, sizeof(a), p->arch);
		if (p->eco == INV_DEB) {
			char dv[128];

			snprintf(dv, sizeof(dv), "%s-%s", ns, inv->info.os_version);
			qual_value(d, sizeof(d), dv);
			/* Trivy: the epoch is a qualifier, the version goes without it ("1:2.38" -> 2.38 ... epoch=1) */
			ver = inventory_version_no_epoch(p, ep, sizeof(ep));
			if (!strcmp(ep, "0"))
				ep[0] = '\0';
		} else {
			qual_value(d, sizeof(d), inv->info.os_version);
			ep[0] = '\0';
		}
		/* in Trivy's order: arch, epoch, distro; empty ones left out */
		snprintf(quals, sizeof(quals), "%s%s%s%s%s%s%s%s", p->arch[0] ? "arch=" : "", p->arch[0] ? a : "",
			 p->arch[0] && ep[0] ? "&" : "", ep[0] ? "epoch=" : "", ep,
			 (p->arch[0] || ep[0]) && inv->info.os_version[0] ? "&" : "", inv->info.os_version[0] ? "distro=" : "",
			 inv->info.os_version[0] ? d : "");
		break;
	case INV_PYPI:
		/* the purl spec's pypi rule: lower case, '_' becomes '-' */
		snprintf(name, sizeof(name), "%s", p->name);
		for (q = name; *q; q++)
			*q = *q == '_' ? '-' : (char)tolower((unsigned char)*q);
		nm = name;
		break;
	case INV_NPM:
		if (p->name[0] == '@' && strchr(p->name, '/')) {
			size_t sl = strchr(p->name, '/') - p->name;

			snprintf(name, sizeof(name), "%.*s", (int)sl, p->name);
			ns = name;
			nm = p->name + sl + 1;
		}
		break;
	default:
		break;
	}
	n = inventory_purl(buf, sizeof(buf), eco_names[p->eco], ns, nm, ver, quals);
	if (n >= sizeof(buf))
		return -E2BIG;
	p->purl = arena_strn(inv, buf, n);
	return p->purl ? 0 : -E2BIG;
}

/* ---- index of owned files -------------------------------------------------------------------- */

static uint64_t hash_str(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static long index_get(const struct inventory *inv, const char *path, size_t n)
{
	size_t mask, i;

	if (!inv->index_size)
		return -1;
	mask = inv->index_size - 1;
	for (i = hash_str(path, n) & mask;; i = (i + 1) & mask) {
		const struct file_ent *f = &inv->index[i];

		if (!f->path)
			return -1;
		if (!strncmp(f->path, path, n) && f->path[n] == '\0')
			return f->pkg;
	}
}

int inventory__finish(struct inventory *inv)
{
	size_t i, size = 16, mask;
	int e;

	if (inv->finished)
		return 0;
	inv->finished = true;
	for (i = 0; i < inv->n_pkgs; i++)
		if ((e = make_purl(inv, &inv->pkgs[i])))
			return e;
	while (size < inv->n_files * 2)
		size <<= 1;
	inv->index = calloc(size, sizeof(*inv->index));
	if (!inv->index)
		return -ENOMEM;
	inv->index_size = size;
	mask = size - 1;
	for (i = 0; i < inv->n_files; i++) {
		const struct file_ent *f = &inv->files[i];
		size_t j;

		for (j = hash_str(f->path, strlen(f->path)) & mask; inv->index[j].path; j = (j + 1) & mask)
			if (!strcmp(inv->index[j].path, f->path))
				break;
		if (!inv->index[j].path) /* a directory many packages list: the first keeps it */
			inv->index[j] = *f;
	}
	/* the ordered list served its purpose: the index holds the same entries */
	free(inv->files);
	inv->files = NULL;
	inv->cap_files = 0;
	return 0;
}

long inventory__owner(const struct inventory *inv, const char *path)
{
	size_t n = strlen(path);
	long pkg = index_get(inv, path, n);

	/* else a directory owned as a whole (a Node package): its parents, with their '/' */
	while (pkg < 0 && n > 1) {
		while (n > 1 && path[n - 1] != '/')
			n--;
		if (n <= 1)
			break;
		pkg = index_get(inv, path, n);
		n--;
	}
	return pkg;
}

void inventory__info(const struct inventory *inv, struct inventory_info *out)
{
	*out = inv->info;
	out->n_pkgs = inv->n_pkgs;
	out->n_files = inv->finished ? inv->n_files : inv->n_files;
	out->bytes = sizeof(*inv) + inv->arena_bytes + inv->cap_pkgs * sizeof(struct inv_pkg) +
		     (inv->cap_files + inv->index_size) * sizeof(struct file_ent);
}

size_t inventory__count(const struct inventory *inv)
{
	return inv->n_pkgs;
}

const struct inv_pkg *inventory__pkg(const struct inventory *inv, size_t i)
{
	return i < inv->n_pkgs ? &inv->pkgs[i] : NULL;
}

long inventory__find(const struct inventory *inv, enum inv_ecosystem eco, const char *name)
{
	size_t i;

	for (i = 0; i < inv->n_pkgs; i++)
		if (inv->pkgs[i].eco == eco && !strcmp(inv->pkgs[i].name, name))
			return (long)i;
	return -1;
}

/* ---- reading the root filesystem ------------------------------------------------------------- */

static int open_in_root(int rootfd, const char *path, int flags)
{
	/* openat2 refuses O_PATH with any flag beyond O_DIRECTORY, O_NOFOLLOW, O_CLOEXEC */
	struct open_how how = { .flags = (uint64_t)flags | O_CLOEXEC | ((flags & O_PATH) ? 0 : O_NOCTTY),
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV };

	while (*path == '/')
		path++;
	return (int)syscall(SYS_openat2, rootfd, *path ? path : ".", &how, sizeof(how));
}

static char *read_fd(int fd, size_t max, size_t *len)
{
	struct stat st;
	size_t got = 0;
	char *buf;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return NULL;
	}
	if ((uint64_t)st.st_size > max) {
		errno = EFBIG;
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return NULL;
	/* the file may change under us: read no more than stat said */
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	if (len)
		*len = got;
	return buf;
}

char *inventory_read_in_root(int rootfd, const char *path, size_t max, size_t *len)
{
	/* O_NONBLOCK: a FIFO planted at the path must not block the open */
	int fd = open_in_root(rootfd, path, O_RDONLY | O_NONBLOCK);
	char *buf;
	int e;

	if (fd < 0)
		return NULL;
	buf = read_fd(fd, max, len);
	e = errno;
	close(fd);
	errno = e;
	return buf;
}

/* Reads a file relative to a directory fd of the walk, without following any symlink. */
static char *read_beneath(int dirfd, const char *path, size_t max, size_t *len)
{
	struct open_how how = { .flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY,
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV };
	int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	char *buf;
	int e;

	if (fd < 0)
		return NULL;
	buf = read_fd(fd, max, len);
	e = errno;
	close(fd);
	errno = e;
	return buf;
}

static void read_os(struct inventory *inv, int rootfd)
{
	size_t len;
	char *buf;

	if ((buf = inventory_read_in_root(rootfd, "etc/debian_version", 4096, &len))) {
		inv->have_debian_version = true;
		snprintf(inv->info.os_id, sizeof(inv->info.os_id), "debian");
		parse_version_file(inv, buf, len, "debian");
		free(buf);
	} else if ((buf = inventory_read_in_root(rootfd, "etc/alpine-release", 4096, &len))) {
		inv->have_alpine_release = true;
		snprintf(inv->info.os_id, sizeof(inv->info.os_id), "alpine");
		parse_version_file(inv, buf, len, "alpine");
		free(buf);
	}
	buf = inventory_read_in_root(rootfd, "etc/os-release", 65536, &len);
	if (!buf)
		buf = inventory_read_in_root(rootfd, "usr/lib/os-release", 65536, &len);
	if (buf) {
		char id[sizeof(inv->info.os_id)];

		/* Ubuntu also has etc/debian_version: os-release's ID names it, its VERSION_ID the release */
		snprintf(id, sizeof(id), "%s", inv->info.os_id);
		inv->info.os_id[0] = '\0';
		inventory__parse_os_release(inv, buf, len);
		if (!inv->info.os_id[0])
			snprintf(inv->info.os_id, sizeof(inv->info.os_id), "%s", id);
		if (inv->have_debian_version && strcmp(inv->info.os_id, "debian")) {
			inv->have_debian_version = false;
			inventory__parse_os_release(inv, buf, len);
		}
		free(buf);
	}
}

static void read_dpkg(struct inventory *inv, int rootfd)
{
	static const char status_path[] = "var/lib/dpkg/status";
	size_t len, i, n;
	char *buf;

	buf = inventory_read_in_root(rootfd, status_path, inv->lim.db_bytes, &len);
	if (!buf) {
		if (errno == EFBIG)
			refuse(inv, INV_DB_DPKG, -E2BIG, "%s: larger than %zu bytes", status_path, inv->lim.db_bytes);
		else if (errno != ENOENT && errno != ENOTDIR)
			refuse(inv, INV_DB_DPKG, -errno, "%s: %s", status_path, strerror(errno));
		return;
	}
	i = inv->n_pkgs;
	inventory__parse_dpkg_status(inv, buf, len, "/var/lib/dpkg/status");
	free(buf);
	n = inv->n_pkgs;
	for (; i < n; i++) {
		const struct inv_pkg *p = &inv->pkgs[i];
		char path[PATH_MAX];

		if (!component_ok(p->name, strlen(p->name)) || (p->arch[0] && !component_ok(p->arch, strlen(p->arch))))
			continue;
		snprintf(path, sizeof(path), "var/lib/dpkg/info/%s.list", p->name);
		buf = inventory_read_in_root(rootfd, path, inv->lim.list_bytes, &len);
		if (!buf && errno == ENOENT && p->arch[0]) {
			/* Multi-Arch: same packages name their list with the architecture */
			snprintf(path, sizeof(path), "var/lib/dpkg/info/%s:%s.list", p->name, p->arch);
			buf = inventory_read_in_root(rootfd, path, inv->lim.list_bytes, &len);
		}
		if (!buf) {
			if (errno == EFBIG)
				refuse(inv, INV_DB_DPKG, -E2BIG, "%s: larger than %zu bytes", path, inv->lim.list_bytes);
			continue;
		}
		inventory__add_dpkg_list(inv, i, buf, len);
		free(buf);
	}
}

static void read_apk(struct inventory *inv, int rootfd)
{
	static const char path[] = "lib/apk/db/installed";
	size_t len;
	char *buf = inventory_read_in_root(rootfd, path, inv->lim.db_bytes, &len);

	if (!buf) {
		if (errno == EFBIG)
			refuse(inv, INV_DB_APK, -E2BIG, "%s: larger than %zu bytes", path, inv->lim.db_bytes);
		return;
	}
	inventory__parse_apk_installed(inv, buf, len, "/lib/apk/db/installed");
	free(buf);
}

/*
 * The kernel reports a file by the path it resolved (/usr/lib/x86_64-linux-gnu/libc.so.6)
 * while a file list may name it through a symlinked directory (/lib/x86_64-linux-gnu/...
 * on a merged-/usr Debian). Each distinct directory of the lists is resolved once inside
 * the root, and a file whose directory resolves elsewhere is indexed under both paths.
 */
struct dir_cache {
	struct {
		const char *dir; /* as listed, without the trailing '/' */
		const char *canon; /* NULL: resolves to itself or not at all */
	} *v;
	size_t size, n;
};

static const char *canon_dir(struct inventory *inv, struct dir_cache *dc, int rootfd, const char *root_prefix,
			     const char *dir, size_t dl)
{
	size_t mask = dc->size - 1, i, rl = strlen(root_prefix);
	char link[PATH_MAX], fdpath[64], d[PATH_MAX];
	const char *canon = NULL;
	ssize_t n;
	int fd;

	for (i = hash_str(dir, dl) & mask; dc->v[i].dir; i = (i + 1) & mask)
		if (!strncmp(dc->v[i].dir, dir, dl) && dc->v[i].dir[dl] == '\0')
			return dc->v[i].canon;
	if (dc->n * 2 >= dc->size)
		return NULL; /* full: no more resolving (bounded by the caller's size) */
	snprintf(d, sizeof(d), "%.*s", (int)dl, dir);
	fd = open_in_root(rootfd, d, O_PATH | O_DIRECTORY);
	if (fd >= 0) {
		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
		n = readlink(fdpath, link, sizeof(link) - 1);
		close(fd);
		if (n > 0) {
			link[n] = '\0';
			if (!strncmp(link, root_prefix, rl) && (link[rl] == '/' || link[rl] == '\0')) {
				const char *c = rl == 1 ? link : link + rl;

				if (!c[0])
					c = "/";
				if (strcmp(c, d))
					canon = arena_strn(inv, c, strlen(c));
			}
		}
	}
	dc->v[i].dir = arena_strn(inv, d, dl);
	dc->v[i].canon = canon;
	if (dc->v[i].dir)
		dc->n++;
	return canon;
}

static void resolve_dirs(struct inventory *inv, int rootfd)
{
	struct dir_cache dc = { .size = 16384 };
	char root_prefix[PATH_MAX], fdpath[64], path[PATH_MAX];
	size_t i, n = inv->n_files;
	ssize_t r;

	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", rootfd);
	r = readlink(fdpath, root_prefix, sizeof(root_prefix) - 1);
	if (r <= 0)
		return;
	root_prefix[r] = '\0';
	dc.v = calloc(dc.size, sizeof(*dc.v));
	if (!dc.v)
		return;
	for (i = 0; i < n; i++) {
		const char *p = inv->files[i].path, *slash = strrchr(p, '/'), *canon;
		size_t dl = slash ? (size_t)(slash - p) : 0;

		if (!slash || dl == 0 || !slash[1])
			continue;
		canon = canon_dir(inv, &dc, rootfd, root_prefix, p, dl);
		if (!canon)
			continue;
		r = snprintf(path, sizeof(path), "%s%s", strcmp(canon, "/") ? canon : "", slash);
		if (r > 0 && (size_t)r < sizeof(path) && add_file(inv, inv->files[i].pkg, path, r, true))
			break;
	}
	free(dc.v);
}

/* ---- the walk for language packages ---------------------------------------------------------- */

struct walk {
	struct inventory *inv;
	size_t entries;
	bool stopped;
	char path[PATH_MAX]; /* of the directory being read, "" for the root */
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/* Is the directory @path a package directory of node_modules (.../node_modules/[@scope/]name)? */
static bool node_pkg_dir(const char *path)
{
	const char *last = strrchr(path, '/'), *p;
	size_t n;

	if (!last || last == path)
		return false;
	for (p = last - 1; p > path && *p != '/'; p--)
		;
	n = last - p - 1;
	if (n == 12 && !strncmp(p + 1, "node_modules", 12))
		return last[1] != '@' && last[1] != '.';
	if (p[1] == '@' && p > path) {
		const char *q;

		for (q = p - 1; q > path && *q != '/'; q--)
			;
		return p - q - 1 == 12 && !strncmp(q + 1, "node_modules", 12);
	}
	return false;
}

static void walk_dir(struct walk *w, int dfd, unsigned depth)
{
	struct inventory *inv = w->inv;
	size_t plen = strlen(w->path);
	struct dirent *de;
	DIR *d;
	int fd2;

	fd2 = dup(dfd);
	if (fd2 < 0)
		return;
	d = fdopendir(fd2);
	if (!d) {
		close(fd2);
		return;
	}
	if (node_pkg_dir(w->path)) {
		size_t len;
		char *buf = read_beneath(dfd, "package.json", inv->lim.list_bytes, &len);

		if (buf) {
			inventory__parse_package_json(inv, buf, len, w->path);
			free(buf);
		} else if (errno == EFBIG) {
			refuse(inv, INV_DB_NODE, -E2BIG, "%s/package.json: larger than %zu bytes", w->path,
			       inv->lim.list_bytes);
		}
	}
	while (!w->stopped && (de = readdir(d))) {
		unsigned char type = de->d_type;
		int sub;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (++w->entries > inv->lim.walk_entries) {
			refuse(inv, INV_DB_WALK, -E2BIG, "more than %zu directory entries", inv->lim.walk_entries);
			w->stopped = true;
			break;
		}
		if (type == DT_UNKNOWN) {
			struct stat st;

			if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW))
				continue;
			type = S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
		}
		if (type != DT_DIR)
			continue;
		/* the kernel's own filesystems are not the image's */
		if (depth == 0 && (!strcmp(de->d_name, "proc") || !strcmp(de->d_name, "sys") ||
				   !strcmp(de->d_name, "dev")))
			continue;
		if (plen + 1 + strlen(de->d_name) + 1 >= sizeof(w->path))
			continue;
		snprintf(w->path + plen, sizeof(w->path) - plen, "/%s", de->d_name);
		if (ends_with(de->d_name, ".dist-info")) {
			size_t ml = 0, rl = 0;

			sub = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
			if (sub >= 0) {
				char *m = read_beneath(sub, "METADATA", inv->lim.list_bytes, &ml);
				char *r = m ? read_beneath(sub, "RECORD", inv->lim.list_bytes, &rl) : NULL;

				if (m)
					inventory__parse_python(inv, m, ml, r, rl, w->path);
				else if (errno == EFBIG)
					refuse(inv, INV_DB_PYTHON, -E2BIG, "%s/METADATA: larger than %zu bytes", w->path,
					       inv->lim.list_bytes);
				free(m);
				free(r);
				close(sub);
			}
		} else if (depth + 1 < inv->lim.walk_depth) {
			sub = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
			if (sub >= 0) {
				struct stat st, pst;

				/* a mount point inside the root (a volume) is not the image's */
				if (!fstat(sub, &st) && !fstat(dfd, &pst) && st.st_dev == pst.st_dev)
					walk_dir(w, sub, depth + 1);
				close(sub);
			}
		}
		w->path[plen] = '\0';
	}
	closedir(d);
}

int inventory__scan(struct inventory *inv, int rootfd)
{
	struct walk *w;
	int fd = open_in_root(rootfd, "/", O_RDONLY | O_DIRECTORY);

	if (fd < 0)
		return -errno;
	read_os(inv, rootfd);
	read_dpkg(inv, rootfd);
	read_apk(inv, rootfd);
	resolve_dirs(inv, rootfd);
	w = calloc(1, sizeof(*w));
	if (w) {
		w->inv = inv;
		walk_dir(w, fd, 0);
		free(w);
	}
	close(fd);
	return inventory__finish(inv);
}

/* ---- image hygiene --------------------------------------------------------------------------- */

static void list_add(char *list, size_t size, const char *name)
{
	size_t n = strlen(list), k = strlen(name);
	const char *p = list;

	/* already there? */
	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t l = comma ? (size_t)(comma - p) : strlen(p);

		if (l == k && !strncmp(p, name, k))
			return;
		p = comma ? comma + 1 : NULL;
	}
	if (n + (n ? 1 : 0) + k + 1 > size)
		return;
	snprintf(list + n, size - n, "%s%s", n ? "," : "", name);
}

static bool in_set(const char *name, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(name, *set))
			return true;
	return false;
}

int inventory_hygiene(int rootfd, struct image_hygiene *out)
{
	static const char *const dirs[] = { "bin", "sbin", "usr/bin", "usr/sbin", "usr/local/bin", "usr/local/sbin" };
	static const char *const managers[] = { "apt", "apt-get", "aptitude", "dpkg", "apk", "yum", "dnf", "microdnf",
						"rpm", "zypper", "pacman", "pip", "pip3", "npm", "yarn", "gem", NULL };
	static const char *const compilers[] = { "cc", "c++", "gcc", "g++", "clang", "clang++", "tcc", "go", "rustc",
						 "javac", NULL };
	struct { dev_t dev; ino_t ino; } seen[sizeof(dirs) / sizeof(dirs[0])];
	size_t i, n_seen = 0, k;
	int root_ok = -ENOENT;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		int fd = open_in_root(rootfd, dirs[i], O_RDONLY | O_DIRECTORY | O_NONBLOCK);
		struct dirent *de;
		struct stat st;
		unsigned entries = 0;
		DIR *d;

		if (fd < 0)
			continue;
		root_ok = 0;
		/* bin -> usr/bin on a merged-/usr system: one directory, read once */
		if (fstat(fd, &st)) {
			close(fd);
			continue;
		}
		for (k = 0; k < n_seen; k++)
			if (seen[k].dev == st.st_dev && seen[k].ino == st.st_ino)
				break;
		if (k < n_seen) {
			close(fd);
			continue;
		}
		seen[n_seen].dev = st.st_dev;
		seen[n_seen++].ino = st.st_ino;
		d = fdopendir(fd);
		if (!d) {
			close(fd);
			continue;
		}
		while ((de = readdir(d)) && entries++ < 8192) {
			const char *name = de->d_name;

			if (name[0] == '.')
				continue;
			out->entries++;
			if (in_set(name, managers))
				list_add(out->package_managers, sizeof(out->package_managers), name);
			if (in_set(name, compilers) || (!strncmp(name, "gcc-", 4) && isdigit((unsigned char)name[4])) ||
			    (!strncmp(name, "clang-", 6) && isdigit((unsigned char)name[6])))
				list_add(out->compilers, sizeof(out->compilers), name);
			if ((de->d_type == DT_REG || de->d_type == DT_UNKNOWN) &&
			    !fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) && S_ISREG(st.st_mode) &&
			    (st.st_mode & S_ISUID) && st.st_uid == 0)
				list_add(out->setuid_root, sizeof(out->setuid_root), name);
		}
		closedir(d);
	}
	return root_ok;
}
