// SPDX-License-Identifier: Apache-2.0
/*
 * Per-image inventory with in-use evidence, kept as CycloneDX 1.5 documents
 * (see sbom.h). The document follows the CycloneDX 1.5 JSON schema: the
 * image is metadata.component (type "container"), each package a "library"
 * component with its PURL, a "bulwark:in-use" property, the containers it was
 * seen in ("bulwark:container") and the files that put it in use as
 * evidence.occurrences; the OS is an "operating-system" component whose
 * dependencies are the OS packages, which is how Trivy tells OS packages
 * from others when it reads an SBOM it did not write.
 */
#include "sbom.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "output/alert.h"
#include "stats.h"
#include "util.h"

#ifndef BULWARK_VERSION
#define BULWARK_VERSION "0.1.0-dev"
#endif

#define RECENT_SLOTS 8192 /* the loop's memory of (container, file) pairs already posted */

/* ---- the document ------------------------------------------------------------------------------ */

static void prop(struct strbuf *sb, const char *name, const char *value)
{
	jw_begin(sb);
	jw_kstr(sb, "name", name);
	jw_kstr(sb, "value", value);
	jw_end(sb);
}

static void prop_uint(struct strbuf *sb, const char *name, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	prop(sb, name, buf);
}

static bool is_os_eco(enum inv_ecosystem e)
{
	return e == INV_DEB || e == INV_APK;
}

static void ref_of(char *out, size_t size, size_t i)
{
	snprintf(out, size, "bulwark:pkg:%zu", i);
}

void sbom_write_cdx(struct strbuf *sb, const struct inventory *inv, const struct sbom_doc *doc)
{
	struct inventory_info info;
	char ts[64], uuid[37], ref[48], ep[32];
	size_t i, j, in_use = 0, n = inventory__count(inv);
	bool have_os;

	inventory__info(inv, &info);
	have_os = info.os_id[0] != '\0';
	for (i = 0; i < n; i++)
		if (doc->used_by && doc->used_by[i])
			in_use++;
	fmt_rfc3339_now(ts, sizeof(ts));
	jw_begin(sb);
	jw_kstr(sb, "$schema", "http://cyclonedx.org/schema/bom-1.5.schema.json");
	jw_kstr(sb, "bomFormat", "CycloneDX");
	jw_kstr(sb, "specVersion", "1.5");
	if (doc->serial) {
		jw_kstr(sb, "serialNumber", doc->serial);
	} else {
		char serial[48];

		uuid_v4(uuid);
		snprintf(serial, sizeof(serial), "urn:uuid:%s", uuid);
		jw_kstr(sb, "serialNumber", serial);
	}
	jw_kint(sb, "version", 1);

	jw_kobj(sb, "metadata");
	jw_kstr(sb, "timestamp", ts);
	/*
	 * The array form of tools (valid in 1.5, where the object form was added): Trivy's reader
	 * refuses the object form, silently (exit status 1).
	 */
	jw_karr(sb, "tools");
	jw_begin(sb);
	jw_kstr(sb, "vendor", "bulwark");
	jw_kstr(sb, "name", "bulwark");
	jw_kstr(sb, "version", BULWARK_VERSION);
	jw_end(sb);
	jw_end_arr(sb);
	jw_kobj(sb, "component");
	jw_kstr(sb, "bom-ref", "bulwark:image");
	jw_kstr(sb, "type", "container");
	jw_kstr(sb, "name", doc->image && doc->image[0] ? doc->image : "unknown");
	if (doc->image_id && doc->image_id[0])
		jw_kstr(sb, "version", doc->image_id);
	jw_end(sb);
	jw_karr(sb, "properties");
	if (doc->image_id && doc->image_id[0])
		prop(sb, "bulwark:image_id", doc->image_id);
	prop_uint(sb, "bulwark:packages", n);
	prop_uint(sb, "bulwark:packages_in_use", in_use);
	prop(sb, "bulwark:filter", doc->in_use_only ? "in-use" : "all");
	if (info.failures)
		prop(sb, "bulwark:inventory_failure", info.why);
	for (i = 0; i < doc->n_containers; i++) {
		char v[CONTAINER_ID_MAX + 2 + sizeof(doc->containers[i].name)];

		snprintf(v, sizeof(v), "%s %s", doc->containers[i].id, doc->containers[i].name);
		prop(sb, "bulwark:container", v);
	}
	jw_end_arr(sb);
	jw_end(sb);

	jw_karr(sb, "components");
	if (have_os) {
		jw_begin(sb);
		jw_kstr(sb, "bom-ref", "bulwark:os");
		jw_kstr(sb, "type", "operating-system");
		jw_kstr(sb, "name", info.os_id);
		if (info.os_version[0])
			jw_kstr(sb, "version", info.os_version);
		jw_end(sb);
	}
	for (i = 0; i < n; i++) {
		const struct inv_pkg *p = inventory__pkg(inv, i);
		uint64_t used = doc->used_by ? doc->used_by[i] : 0;
		size_t shown = 0;

		if (doc->in_use_only && !used)
			continue;
		ref_of(ref, sizeof(ref), i);
		jw_begin(sb);
		jw_kstr(sb, "bom-ref", ref);
		jw_kstr(sb, "type", "library");
		jw_kstr(sb, "name", p->name);
		jw_kstr(sb, "version", inventory_version_no_epoch(p, ep, sizeof(ep)));
		if (p->purl)
			jw_kstr(sb, "purl", p->purl);
		jw_karr(sb, "properties");
		prop(sb, "bulwark:in-use", used ? "true" : "false");
		prop(sb, "bulwark:ecosystem", inventory_ecosystem_name(p->eco));
		if (p->arch[0])
			prop(sb, "bulwark:arch", p->arch);
		if (p->location)
			prop(sb, "bulwark:location", p->location);
		for (j = 0; j < doc->n_containers && j < 64; j++)
			if (used & (1ull << j))
				prop(sb, "bulwark:container", doc->containers[j].id);
		jw_end_arr(sb);
		if (used) {
			jw_kobj(sb, "evidence");
			jw_karr(sb, "occurrences");
			for (j = 0; j < doc->n_files && shown < SBOM_EVIDENCE_PER_PKG; j++) {
				if (doc->file_pkg[j] != (long)i)
					continue;
				jw_begin(sb);
				jw_kstr(sb, "location", doc->files[j]);
				jw_end(sb);
				shown++;
			}
			jw_end_arr(sb);
			jw_end(sb);
		}
		jw_end(sb);
	}
	jw_end_arr(sb);

	/* the OS owns its packages; the image holds the OS and the language packages */
	jw_karr(sb, "dependencies");
	jw_begin(sb);
	jw_kstr(sb, "ref", "bulwark:image");
	jw_karr(sb, "dependsOn");
	if (have_os)
		jw_str(sb, "bulwark:os");
	for (i = 0; i < n; i++) {
		const struct inv_pkg *p = inventory__pkg(inv, i);

		if ((have_os && is_os_eco(p->eco)) || (doc->in_use_only && !(doc->used_by && doc->used_by[i])))
			continue;
		ref_of(ref, sizeof(ref), i);
		jw_str(sb, ref);
	}
	jw_end_arr(sb);
	jw_end(sb);
	if (have_os) {
		jw_begin(sb);
		jw_kstr(sb, "ref", "bulwark:os");
		jw_karr(sb, "dependsOn");
		for (i = 0; i < n; i++) {
			const struct inv_pkg *p = inventory__pkg(inv, i);

			if (!is_os_eco(p->eco) || (doc->in_use_only && !(doc->used_by && doc->used_by[i])))
				continue;
			ref_of(ref, sizeof(ref), i);
			jw_str(sb, ref);
		}
		jw_end_arr(sb);
		jw_end(sb);
	}
	jw_end_arr(sb);
	jw_end(sb);
	strbuf_addc(sb, '\n');
}

/* ---- the tracker ------------------------------------------------------------------------------- */

enum msg_kind { MSG_CONTAINER, MSG_USED };

struct msg {
	enum msg_kind kind;
	char ctr_id[CONTAINER_ID_MAX + 1];
	char ctr_name[128];
	char image[512];
	char image_id[128];
	char rootfs[512];
	char path[]; /* MSG_USED */
};

struct used_ent {
	char *path;
	long pkg;      /* -1: no package owns it; -2: not known yet (the inventory is not there) */
	uint64_t mask; /* containers (slots of the image) */
};

struct image_ent {
	char key[512];
	char image[512];
	char image_id[128];
	char rootfs[512];
	struct inventory *inv;
	bool scanned;
	struct sbom_container_ref ctrs[SBOM_MAX_CONTAINERS];
	size_t n_ctrs;
	uint64_t more_ctrs;
	struct used_ent *used; /* open addressing by path */
	size_t used_size, n_used;
	uint64_t *used_by;     /* per package */
	size_t in_use;
	bool dirty;
	uint64_t last_write_ms, last_seen_ms;
};

struct image_gauge {
	char image[512];
	uint64_t packages, in_use;
};

struct sbom {
	char *dir;
	char *host_root;
	unsigned write_ms;

	pthread_t worker;
	bool started;
	pthread_mutex_t lock; /* queue, stop, posted/handled */
	pthread_cond_t cond, done;
	struct msg **q;
	size_t q_head, q_len;
	bool stop;
	uint64_t posted, handled;

	/* loop only */
	uint64_t recent[RECENT_SLOTS];

	/* worker only */
	struct image_ent *images[SBOM_MAX_IMAGES];
	size_t n_images;

	/* the counters and gauges, for sbom__stats and /metrics */
	pthread_mutex_t stats_lock;
	struct sbom_stats st;
	struct image_gauge gauges[SBOM_MAX_IMAGES];
	size_t n_gauges;
};

static void post(struct sbom *s, struct msg *m)
{
	bool dropped = false;

	pthread_mutex_lock(&s->lock);
	if (s->q_len == SBOM_QUEUE) {
		dropped = true;
	} else {
		s->q[(s->q_head + s->q_len) % SBOM_QUEUE] = m;
		s->q_len++;
		s->posted++;
		pthread_cond_signal(&s->cond);
	}
	pthread_mutex_unlock(&s->lock);
	if (dropped) {
		free(m);
		pthread_mutex_lock(&s->stats_lock);
		s->st.queue_drops++;
		pthread_mutex_unlock(&s->stats_lock);
	}
}

static struct msg *msg_new(enum msg_kind kind, const struct container_info *ci, const char *path)
{
	size_t pl = path ? strlen(path) : 0;
	struct msg *m = malloc(sizeof(*m) + pl + 1);

	if (!m)
		return NULL;
	m->kind = kind;
	snprintf(m->ctr_id, sizeof(m->ctr_id), "%s", ci->ident.id);
	snprintf(m->ctr_name, sizeof(m->ctr_name), "%.127s", ci->name);
	snprintf(m->image, sizeof(m->image), "%s", ci->image);
	snprintf(m->image_id, sizeof(m->image_id), "%s", ci->image_id);
	snprintf(m->rootfs, sizeof(m->rootfs), "%s", ci->rootfs);
	memcpy(m->path, path ? path : "", pl + 1);
	return m;
}

static bool trackable(const struct sbom *s, const struct container_info *ci)
{
	return s && ci && ci->ident.runtime != RUNTIME_NONE && ci->metadata_known && (ci->image_id[0] || ci->rootfs[0]);
}

void sbom__container(struct sbom *s, const struct container_info *ci)
{
	struct msg *m;

	if (!trackable(s, ci))
		return;
	m = msg_new(MSG_CONTAINER, ci, NULL);
	if (m)
		post(s, m);
}

static uint64_t fnv(uint64_t h, const char *p)
{
	for (; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return h;
}

void sbom__used(struct sbom *s, const struct container_info *ci, const char *path)
{
	uint64_t h;
	size_t slot;
	struct msg *m;

	if (!trackable(s, ci) || !path || path[0] != '/')
		return;
	/* a shell loop execs the same file again and again: post a pair once (a collision posts it again) */
	h = fnv(fnv(1469598103934665603ull, ci->ident.id), path) | 1;
	slot = h % RECENT_SLOTS;
	if (s->recent[slot] == h)
		return;
	s->recent[slot] = h;
	m = msg_new(MSG_USED, ci, path);
	if (m)
		post(s, m);
}

static void image_free(struct image_ent *img)
{
	size_t i;

	if (!img)
		return;
	for (i = 0; i < img->used_size; i++)
		free(img->used[i].path);
	free(img->used);
	free(img->used_by);
	inventory__free(img->inv);
	free(img);
}

static void image_key(const struct msg *m, char *out, size_t size)
{
	/* one inventory per image: its id; without one (plain OCI bundles), per root filesystem */
	snprintf(out, size, "%s", m->image_id[0] ? m->image_id : m->rootfs);
}

/* A file name from the image key: "sha256:abc..." -> "sha256_abc...". */
static void doc_name(const char *key, char *out, size_t size)
{
	size_t i, o = 0;

	for (i = 0; key[i] && o + 1 < size && o < 150; i++)
		out[o++] = (key[i] >= 'a' && key[i] <= 'z') || (key[i] >= 'A' && key[i] <= 'Z') ||
					   (key[i] >= '0' && key[i] <= '9') || key[i] == '.' || key[i] == '-'
				   ? key[i]
				   : '_';
	out[o] = '\0';
}

static void doc_unlink(const struct sbom *s, const struct image_ent *img)
{
	char name[160], path[PATH_MAX];

	doc_name(img->key, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s.cdx.json", s->dir, name);
	if (unlink(path) && errno != ENOENT)
		log_errno(LOG_WARN, errno, "cannot remove %s", path);
}

static struct image_ent *image_get(struct sbom *s, const struct msg *m)
{
	char key[512];
	struct image_ent *img;
	size_t i, oldest = 0;

	image_key(m, key, sizeof(key));
	for (i = 0; i < s->n_images; i++)
		if (!strcmp(s->images[i]->key, key)) {
			s->images[i]->last_seen_ms = util_mono_ms();
			return s->images[i];
		}
	img = calloc(1, sizeof(*img));
	if (!img)
		return NULL;
	snprintf(img->key, sizeof(img->key), "%s", key);
	snprintf(img->image, sizeof(img->image), "%s", m->image);
	snprintf(img->image_id, sizeof(img->image_id), "%s", m->image_id);
	snprintf(img->rootfs, sizeof(img->rootfs), "%s", m->rootfs);
	img->last_seen_ms = util_mono_ms();
	if (s->n_images == SBOM_MAX_IMAGES) {
		/* the least recently seen image goes, and its document with it: the directory stays bounded */
		for (i = 1; i < s->n_images; i++)
			if (s->images[i]->last_seen_ms < s->images[oldest]->last_seen_ms)
				oldest = i;
		doc_unlink(s, s->images[oldest]);
		image_free(s->images[oldest]);
		s->images[oldest] = img;
	} else {
		s->images[s->n_images++] = img;
	}
	return img;
}

static size_t ctr_slot(struct image_ent *img, const struct msg *m)
{
	size_t i;

	for (i = 0; i < img->n_ctrs; i++)
		if (!strcmp(img->ctrs[i].id, m->ctr_id))
			return i;
	if (img->n_ctrs == SBOM_MAX_CONTAINERS) {
		img->more_ctrs++;
		return SBOM_MAX_CONTAINERS; /* counted, not listed */
	}
	snprintf(img->ctrs[i].id, sizeof(img->ctrs[i].id), "%s", m->ctr_id);
	snprintf(img->ctrs[i].name, sizeof(img->ctrs[i].name), "%.127s", m->ctr_name);
	img->n_ctrs++;
	img->dirty = true;
	return i;
}

static void mark_used(struct image_ent *img, struct used_ent *u)
{
	if (u->pkg < 0 || !img->used_by || !u->mask)
		return;
	if (!img->used_by[u->pkg])
		img->in_use++;
	img->used_by[u->pkg] |= u->mask;
}

static void scan_image(struct sbom *s, struct image_ent *img)
{
	char path[PATH_MAX];
	uint64_t t0 = util_clock_ns(CLOCK_MONOTONIC), us;
	struct inventory_info info;
	size_t i;
	int fd, e = -ENOENT;

	img->scanned = true;
	img->inv = inventory__new(NULL);
	if (img->inv && img->rootfs[0]) {
		snprintf(path, sizeof(path), "%s%s", s->host_root, img->rootfs);
		fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		e = fd < 0 ? -errno : inventory__scan(img->inv, fd);
		if (fd >= 0)
			close(fd);
	}
	us = (util_clock_ns(CLOCK_MONOTONIC) - t0) / 1000;
	if (img->inv)
		inventory__info(img->inv, &info);
	pthread_mutex_lock(&s->stats_lock);
	s->st.scans++;
	s->st.scan_us_last = us;
	if (us > s->st.scan_us_max)
		s->st.scan_us_max = us;
	if (e || !img->inv)
		s->st.scan_failures++;
	else
		s->st.db_failures += info.failures;
	pthread_mutex_unlock(&s->stats_lock);
	if (e || !img->inv) {
		log_errno(LOG_WARN, e ? e : ENOMEM, "inventory of image %s (root %s) failed", img->image, img->rootfs);
		if (img->inv && e) {
			inventory__free(img->inv);
			img->inv = inventory__new(NULL);
			if (img->inv)
				inventory__finish(img->inv);
		}
	} else {
		if (info.failures)
			log_warn("inventory of image %s: %u package database(s) refused: %s", img->image, info.failures,
				 info.why);
		log_info("inventory of image %s: %zu packages, %zu files, %zu KiB, %llu ms", img->image, info.n_pkgs,
			 info.n_files, info.bytes >> 10, (unsigned long long)us / 1000);
	}
	if (img->inv)
		img->used_by = calloc(inventory__count(img->inv) + 1, sizeof(*img->used_by));
	/* files seen in use before the inventory was there */
	for (i = 0; i < img->used_size; i++) {
		struct used_ent *u = &img->used[i];

		if (!u->path || u->pkg != -2)
			continue;
		u->pkg = img->inv ? inventory__owner(img->inv, u->path) : -1;
		mark_used(img, u);
	}
	img->dirty = true;
}

static int used_grow(struct image_ent *img)
{
	size_t size = img->used_size ? img->used_size * 2 : 256, i, j;
	struct used_ent *v = calloc(size, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (i = 0; i < img->used_size; i++) {
		if (!img->used[i].path)
			continue;
		for (j = fnv(1469598103934665603ull, img->used[i].path) & (size - 1); v[j].path; j = (j + 1) & (size - 1))
			;
		v[j] = img->used[i];
	}
	free(img->used);
	img->used = v;
	img->used_size = size;
	return 0;
}

static void note_used(struct sbom *s, struct image_ent *img, const struct msg *m)
{
	size_t slot = ctr_slot(img, m), i;
	uint64_t bit = slot < 64 ? 1ull << slot : 0;
	struct used_ent *u;
	long pkg;

	pthread_mutex_lock(&s->stats_lock);
	s->st.used_events++;
	pthread_mutex_unlock(&s->stats_lock);
	if (img->n_used >= SBOM_MAX_USED)
		return;
	if ((img->n_used + 1) * 2 > img->used_size && used_grow(img))
		return;
	for (i = fnv(1469598103934665603ull, m->path) & (img->used_size - 1); img->used[i].path;
	     i = (i + 1) & (img->used_size - 1))
		if (!strcmp(img->used[i].path, m->path))
			break;
	u = &img->used[i];
	if (!u->path) {
		u->path = strdup(m->path);
		if (!u->path)
			return;
		img->n_used++;
		pkg = img->scanned ? (img->inv ? inventory__owner(img->inv, m->path) : -1) : -2;
		u->pkg = pkg;
		if (pkg == -1) {
			pthread_mutex_lock(&s->stats_lock);
			s->st.used_unowned++;
			pthread_mutex_unlock(&s->stats_lock);
		}
		img->dirty = true;
	}
	if ((u->mask & bit) != bit || (u->pkg >= 0 && img->used_by && (img->used_by[u->pkg] & bit) != bit)) {
		u->mask |= bit;
		mark_used(img, u);
		img->dirty = true;
	}
}

static void write_doc(struct sbom *s, struct image_ent *img)
{
	struct strbuf sb = STRBUF_INIT;
	const char **files = NULL;
	long *pkgs = NULL;
	char name[160], path[PATH_MAX], tmp[PATH_MAX + 8];
	struct sbom_doc doc = { .image = img->image, .image_id = img->image_id, .containers = img->ctrs,
				.n_containers = img->n_ctrs, .used_by = img->used_by };
	size_t i, n = 0;
	bool ok = false;
	FILE *f;

	if (!img->inv)
		return;
	files = calloc(img->n_used + 1, sizeof(*files));
	pkgs = calloc(img->n_used + 1, sizeof(*pkgs));
	if (!files || !pkgs)
		goto out;
	for (i = 0; i < img->used_size; i++)
		if (img->used[i].path && img->used[i].pkg >= 0) {
			files[n] = img->used[i].path;
			pkgs[n++] = img->used[i].pkg;
		}
	doc.files = files;
	doc.file_pkg = pkgs;
	doc.n_files = n;
	sbom_write_cdx(&sb, img->inv, &doc);
	doc_name(img->key, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s.cdx.json", s->dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	/* readers see the old document or the new one, never half of one */
	f = fopen(tmp, "we");
	if (f) {
		ok = fwrite(sb.buf, 1, sb.len, f) == sb.len;
		ok = !fclose(f) && ok;
		ok = ok && !rename(tmp, path);
		if (!ok)
			unlink(tmp);
	}
	if (!ok)
		log_errno(LOG_WARN, errno, "cannot write %s", path);
out:
	pthread_mutex_lock(&s->stats_lock);
	if (ok)
		s->st.writes++;
	else
		s->st.write_failures++;
	pthread_mutex_unlock(&s->stats_lock);
	img->dirty = false;
	img->last_write_ms = util_mono_ms();
	free(files);
	free(pkgs);
	strbuf_free(&sb);
}

static void handle(struct sbom *s, struct msg *m)
{
	struct image_ent *img = image_get(s, m);

	if (!img)
		return;
	if (!img->rootfs[0] && m->rootfs[0])
		snprintf(img->rootfs, sizeof(img->rootfs), "%s", m->rootfs);
	if (!img->image[0] && m->image[0])
		snprintf(img->image, sizeof(img->image), "%s", m->image);
	if (m->kind == MSG_CONTAINER)
		ctr_slot(img, m);
	if (!img->scanned && img->rootfs[0])
		scan_image(s, img);
	if (m->kind == MSG_USED)
		note_used(s, img, m);
}

static void publish_gauges(struct sbom *s)
{
	size_t i;

	pthread_mutex_lock(&s->stats_lock);
	s->st.images = s->n_images;
	s->n_gauges = 0;
	for (i = 0; i < s->n_images; i++) {
		const struct image_ent *img = s->images[i];
		struct image_gauge *g = &s->gauges[s->n_gauges];

		if (!img->inv)
			continue;
		snprintf(g->image, sizeof(g->image), "%s", img->image[0] ? img->image : img->key);
		g->packages = inventory__count(img->inv);
		g->in_use = img->in_use;
		s->n_gauges++;
	}
	pthread_mutex_unlock(&s->stats_lock);
}

static void write_due(struct sbom *s, bool all)
{
	uint64_t now = util_mono_ms();
	size_t i;

	for (i = 0; i < s->n_images; i++) {
		struct image_ent *img = s->images[i];

		if (img->dirty && (all || now - img->last_write_ms >= s->write_ms))
			write_doc(s, img);
	}
}

static void *worker_main(void *arg)
{
	struct sbom *s = arg;
	struct msg *batch[256];

	for (;;) {
		size_t n = 0, i;
		bool stop;
		struct timespec ts;

		pthread_mutex_lock(&s->lock);
		if (!s->q_len && !s->stop) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += (long)(s->write_ms % 1000) * 1000000L;
			ts.tv_sec += s->write_ms / 1000 + ts.tv_nsec / 1000000000L;
			ts.tv_nsec %= 1000000000L;
			pthread_cond_timedwait(&s->cond, &s->lock, &ts);
		}
		while (s->q_len && n < sizeof(batch) / sizeof(batch[0])) {
			batch[n++] = s->q[s->q_head];
			s->q_head = (s->q_head + 1) % SBOM_QUEUE;
			s->q_len--;
		}
		stop = s->stop && !s->q_len;
		pthread_mutex_unlock(&s->lock);
		for (i = 0; i < n; i++) {
			handle(s, batch[i]);
			free(batch[i]);
		}
		write_due(s, stop);
		publish_gauges(s);
		pthread_mutex_lock(&s->lock);
		s->handled += n;
		pthread_cond_broadcast(&s->done);
		pthread_mutex_unlock(&s->lock);
		if (stop)
			break;
	}
	return NULL;
}

static int mkdir_p(const char *dir)
{
	char p[PATH_MAX];
	size_t i;

	snprintf(p, sizeof(p), "%s", dir);
	for (i = 1; p[i]; i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			return -errno;
		p[i] = '/';
	}
	if (mkdir(p, 0750) && errno != EEXIST)
		return -errno;
	return 0;
}

struct sbom *sbom__new(const struct sbom_opts *opts)
{
	struct sbom *s = calloc(1, sizeof(*s));
	sigset_t all, old;
	int e;

	if (!s)
		return NULL;
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->stats_lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	pthread_cond_init(&s->done, NULL);
	s->dir = strdup(opts->dir ? opts->dir : SBOM_DEFAULT_DIR);
	s->host_root = strdup(opts->host_root ? opts->host_root : "");
	s->write_ms = opts->write_ms ? opts->write_ms : 1000;
	s->q = calloc(SBOM_QUEUE, sizeof(*s->q));
	if (!s->dir || !s->host_root || !s->q) {
		e = ENOMEM;
		goto fail;
	}
	e = -mkdir_p(s->dir);
	if (e)
		goto fail;
	/* the worker takes no signal: the loop reads them from its signalfd */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&s->worker, NULL, worker_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e)
		goto fail;
	s->started = true;
	return s;
fail:
	sbom__free(s);
	errno = e;
	return NULL;
}

void sbom__sync(struct sbom *s)
{
	uint64_t target;

	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	target = s->posted;
	pthread_cond_signal(&s->cond);
	while (s->handled < target)
		pthread_cond_wait(&s->done, &s->lock);
	pthread_mutex_unlock(&s->lock);
}

void sbom__free(struct sbom *s)
{
	size_t i;

	if (!s)
		return;
	if (s->started) {
		pthread_mutex_lock(&s->lock);
		s->stop = true;
		pthread_cond_signal(&s->cond);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->worker, NULL);
	}
	for (i = 0; s->q && i < s->q_len; i++)
		free(s->q[(s->q_head + i) % SBOM_QUEUE]);
	for (i = 0; i < s->n_images; i++)
		image_free(s->images[i]);
	free(s->q);
	free(s->dir);
	free(s->host_root);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->stats_lock);
	pthread_cond_destroy(&s->cond);
	pthread_cond_destroy(&s->done);
	free(s);
}

void sbom__stats(struct sbom *s, struct sbom_stats *out)
{
	pthread_mutex_lock(&s->stats_lock);
	*out = s->st;
	pthread_mutex_unlock(&s->stats_lock);
}

void sbom__render_metrics(void *ctx, struct strbuf *sb)
{
	struct sbom *s = ctx;
	size_t i;

	if (!s)
		return;
	pthread_mutex_lock(&s->stats_lock);
	stats_prom_head(sb, "bulwark_sbom_packages", "gauge", "Packages in an image's inventory.");
	for (i = 0; i < s->n_gauges; i++)
		stats_prom_sample(sb, "bulwark_sbom_packages", "image", s->gauges[i].image, s->gauges[i].packages);
	stats_prom_head(sb, "bulwark_sbom_packages_in_use", "gauge",
			"Packages of an image whose files its containers executed or mapped executable.");
	for (i = 0; i < s->n_gauges; i++)
		stats_prom_sample(sb, "bulwark_sbom_packages_in_use", "image", s->gauges[i].image, s->gauges[i].in_use);
	stats_prom_head(sb, "bulwark_sbom_scans_total", "counter", "Image root filesystems inventoried.");
	stats_prom_sample(sb, "bulwark_sbom_scans_total", NULL, NULL, s->st.scans);
	stats_prom_head(sb, "bulwark_sbom_scan_failures_total", "counter",
			"Image inventories that failed (root filesystem unreadable).");
	stats_prom_sample(sb, "bulwark_sbom_scan_failures_total", NULL, NULL, s->st.scan_failures);
	stats_prom_head(sb, "bulwark_sbom_database_failures_total", "counter",
			"Package databases refused as malformed or beyond a size limit.");
	stats_prom_sample(sb, "bulwark_sbom_database_failures_total", NULL, NULL, s->st.db_failures);
	stats_prom_head(sb, "bulwark_sbom_queue_drops_total", "counter",
			"In-use or container notes lost: the inventory worker's queue was full.");
	stats_prom_sample(sb, "bulwark_sbom_queue_drops_total", NULL, NULL, s->st.queue_drops);
	pthread_mutex_unlock(&s->stats_lock);
}

/* ---- bulwark sbom ------------------------------------------------------------------------------ */

static void sbom_usage(FILE *out)
{
	fprintf(out, "usage: bulwark sbom [--dir DIR] [--in-use] [IMAGE]   the document the agent keeps for IMAGE\n"
		     "       bulwark sbom [--dir DIR] --list                  the images with a document\n"
		     "       bulwark sbom --rootfs DIR [--stats]              inventory of a root filesystem now\n"
		     "  --dir DIR    where the agent writes them (default %s; bulwark run --sbom-dir)\n"
		     "  --in-use     only the packages a container of the image executed or mapped executable\n"
		     "  IMAGE        image name, image id (or a prefix of its hex), as in --list; optional with one image\n"
		     "CycloneDX 1.5 JSON on stdout.\n",
		SBOM_DEFAULT_DIR);
}

static const char *prop_value(json_t *props, const char *name)
{
	size_t i;
	json_t *p;

	json_array_foreach(props, i, p)
		if (json_is_string(json_object_get(p, "name")) &&
		    !strcmp(json_string_value(json_object_get(p, "name")), name))
			return json_string_value(json_object_get(p, "value"));
	return NULL;
}

/* Keeps the components in use, and the dependency references to them. */
static void filter_in_use(json_t *root)
{
	json_t *comps = json_object_get(root, "components"), *keep = json_array(), *deps, *c, *d, *props;
	json_t *refs = json_object();
	size_t i, j;

	json_array_foreach(comps, i, c) {
		const char *type = json_string_value(json_object_get(c, "type"));
		const char *used = prop_value(json_object_get(c, "properties"), "bulwark:in-use");
		const char *ref = json_string_value(json_object_get(c, "bom-ref"));

		if ((type && !strcmp(type, "operating-system")) || (used && !strcmp(used, "true"))) {
			json_array_append(keep, c);
			if (ref)
				json_object_set_new(refs, ref, json_true());
		}
	}
	json_object_set_new(root, "components", keep);
	json_object_set_new(refs, "bulwark:image", json_true());
	deps = json_object_get(root, "dependencies");
	json_array_foreach(deps, i, d) {
		json_t *on = json_object_get(d, "dependsOn"), *kept = json_array(), *r;

		json_array_foreach(on, j, r)
			if (json_is_string(r) && json_object_get(refs, json_string_value(r)))
				json_array_append(kept, r);
		json_object_set_new(d, "dependsOn", kept);
	}
	props = json_object_get(json_object_get(root, "metadata"), "properties");
	json_array_foreach(props, i, c)
		if (!strcmp(json_string_value(json_object_get(c, "name")) ?: "", "bulwark:filter"))
			json_object_set_new(c, "value", json_string("in-use"));
	json_decref(refs);
}

static bool doc_matches(json_t *root, const char *want, const char *file)
{
	json_t *meta = json_object_get(root, "metadata");
	const char *name = json_string_value(json_object_get(json_object_get(meta, "component"), "name"));
	const char *id = prop_value(json_object_get(meta, "properties"), "bulwark:image_id");
	size_t wl = strlen(want);

	if (name && !strcmp(name, want))
		return true;
	if (id && (!strncmp(id, want, wl) || (!strncmp(id, "sha256:", 7) && !strncmp(id + 7, want, wl))))
		return wl >= 4;
	return !strncmp(file, want, wl) && wl >= 4;
}

static int sbom_rootfs(const char *dir, bool in_use, bool stats)
{
	struct strbuf sb = STRBUF_INIT;
	struct inventory *inv = inventory__new(NULL);
	struct sbom_doc doc = { .image = dir, .in_use_only = in_use };
	struct inventory_info info;
	struct rusage ru;
	uint64_t t0;
	int fd, e;

	if (!inv)
		return 1;
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "bulwark sbom: %s: %s\n", dir, strerror(errno));
		inventory__free(inv);
		return 1;
	}
	t0 = util_clock_ns(CLOCK_MONOTONIC);
	e = inventory__scan(inv, fd);
	close(fd);
	if (e) {
		fprintf(stderr, "bulwark sbom: %s: %s\n", dir, strerror(-e));
		inventory__free(inv);
		return 1;
	}
	inventory__info(inv, &info);
	if (stats) {
		getrusage(RUSAGE_SELF, &ru);
		fprintf(stderr,
			"{\"packages\":%zu,\"files\":%zu,\"scan_ms\":%.1f,\"inventory_bytes\":%zu,\"max_rss_kib\":%ld,"
			"\"failures\":%u,\"why\":\"%s\"}\n",
			info.n_pkgs, info.n_files, (util_clock_ns(CLOCK_MONOTONIC) - t0) / 1e6, info.bytes, ru.ru_maxrss,
			info.failures, info.why);
	}
	if (info.failures)
		fprintf(stderr, "bulwark sbom: %u package database(s) refused: %s\n", info.failures, info.why);
	sbom_write_cdx(&sb, inv, &doc);
	fwrite(sb.buf, 1, sb.len, stdout);
	strbuf_free(&sb);
	inventory__free(inv);
	return 0;
}

int cmd_sbom(int argc, char **argv)
{
	static const struct option opts[] = { { "dir", required_argument, NULL, 'd' },
					      { "in-use", no_argument, NULL, 'u' },
					      { "list", no_argument, NULL, 'l' },
					      { "rootfs", required_argument, NULL, 'R' },
					      { "stats", no_argument, NULL, 's' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *dir = SBOM_DEFAULT_DIR, *rootfs = NULL, *want = NULL;
	bool in_use = false, list = false, stats = false;
	json_t *found = NULL;
	size_t n_found = 0;
	struct dirent *de;
	DIR *d;
	int opt, status = 1;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			dir = optarg;
			break;
		case 'u':
			in_use = true;
			break;
		case 'l':
			list = true;
			break;
		case 'R':
			rootfs = optarg;
			break;
		case 's':
			stats = true;
			break;
		case 'h':
			sbom_usage(stdout);
			return 0;
		default:
			sbom_usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		want = argv[optind++];
	if (optind < argc) {
		sbom_usage(stderr);
		return 2;
	}
	if (rootfs)
		return sbom_rootfs(rootfs, in_use, stats);
	d = opendir(dir);
	if (!d) {
		fprintf(stderr, "bulwark sbom: %s: %s (is the agent running with --sbom-dir there?)\n", dir,
			strerror(errno));
		return 1;
	}
	while ((de = readdir(d))) {
		char path[PATH_MAX];
		json_error_t jerr;
		json_t *root;
		size_t n = strlen(de->d_name);

		if (n < 9 || strcmp(de->d_name + n - 9, ".cdx.json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		root = json_load_file(path, 0, &jerr);
		if (!root) {
			fprintf(stderr, "bulwark sbom: %s: %s\n", path, jerr.text);
			continue;
		}
		if (list) {
			json_t *meta = json_object_get(root, "metadata"), *props = json_object_get(meta, "properties");

			printf("%s\t%s\tpackages=%s\tin_use=%s\n",
			       json_string_value(json_object_get(json_object_get(meta, "component"), "name")) ?: "?",
			       prop_value(props, "bulwark:image_id") ?: "-", prop_value(props, "bulwark:packages") ?: "?",
			       prop_value(props, "bulwark:packages_in_use") ?: "?");
			json_decref(root);
			continue;
		}
		if (want && !doc_matches(root, want, de->d_name)) {
			json_decref(root);
			continue;
		}
		n_found++;
		json_decref(found);
		found = root;
	}
	closedir(d);
	if (list)
		return 0;
	if (n_found != 1) {
		fprintf(stderr, "bulwark sbom: %s image document%s %s in %s (bulwark sbom --list)\n",
			n_found ? "more than one" : "no", n_found ? "s match" : " matches", want ? want : "(any)", dir);
		json_decref(found);
		return n_found ? 2 : 1;
	}
	if (in_use)
		filter_in_use(found);
	if (json_dumpf(found, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER) == 0) {
		putchar('\n');
		status = 0;
	}
	json_decref(found);
	return status;
}
