/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What is really running: per image, the package inventory (inventory.h),
 * which of its packages containers of that image executed or mapped
 * executable (in-use evidence from exec and file_map events), written as a
 * CycloneDX 1.5 document under the agent's state directory, one per image,
 * for `bulwark sbom` and for scanners (`--in-use`: the packages in use only).
 *
 * Threads: the event loop only posts (sbom__container, sbom__used: a copy
 * into a bounded queue under a mutex, never a file access); a worker thread
 * scans root filesystems, maps files to packages and rewrites the documents
 * (at most once a second per image). A full queue drops the message,
 * counted. The worker's counters are read under their own lock
 * (sbom__stats, sbom__render_metrics: the metrics thread).
 */
#ifndef BULWARK_SBOM_H
#define BULWARK_SBOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "container.h"
#include "inventory.h"
#include "jsonw.h"

#define SBOM_DEFAULT_DIR "/var/lib/bulwark/sbom"
#define SBOM_MAX_IMAGES 256          /* images tracked; the least recently seen goes first */
#define SBOM_MAX_CONTAINERS 64       /* containers listed per image (more are counted) */
#define SBOM_MAX_USED 65536          /* distinct files in use per image */
#define SBOM_QUEUE 8192              /* messages waiting for the worker */
#define SBOM_EVIDENCE_PER_PKG 32     /* evidence files written per component */

struct sbom_opts {
	const char *dir;       /* where the documents go (created) */
	const char *host_root; /* prefix of host paths (a container's rootfs), "" on the host */
	unsigned write_ms;     /* an image's document is rewritten at most this often (0: 1000) */
};

struct sbom_stats {
	uint64_t images, scans, scan_failures, db_failures, queue_drops, used_events, used_unowned, writes,
		write_failures;
	uint64_t scan_us_max, scan_us_last;
};

struct sbom;

/* Starts the worker; NULL with errno set (the directory cannot be made, ENOMEM). */
struct sbom *sbom__new(const struct sbom_opts *opts);
/* Stops the worker (it writes every changed document first) and frees. */
void sbom__free(struct sbom *s);

/* Event loop: a container of a known image was seen (its rootfs is scanned once per image). */
void sbom__container(struct sbom *s, const struct container_info *ci);
/* Event loop: a container executed (exec) or mapped executable (file_map) the file at @path. */
void sbom__used(struct sbom *s, const struct container_info *ci, const char *path);
/* Waits until the worker has handled every message posted so far (tests, shutdown). */
void sbom__sync(struct sbom *s);

void sbom__stats(struct sbom *s, struct sbom_stats *out);
/* Prometheus families: packages and packages in use per image, the worker's counters. */
void sbom__render_metrics(void *s, struct strbuf *sb);

/* ---- the document ------------------------------------------------------------------------------ */

struct sbom_container_ref {
	char id[CONTAINER_ID_MAX + 1];
	char name[128];
};

/* What the document says about the image and how its packages are used. */
struct sbom_doc {
	const char *image;      /* as the runtime names it ("" unknown) */
	const char *image_id;   /* "" unknown */
	const struct sbom_container_ref *containers;
	size_t n_containers;
	/* per package (inventory index): containers it was seen in (bit i: containers[i]), 0 = not in use */
	const uint64_t *used_by;
	/* evidence: files in use and their package, any order */
	const char *const *files;
	const long *file_pkg;
	size_t n_files;
	bool in_use_only;       /* only the components in use */
	const char *serial;     /* "urn:uuid:..."; NULL: a new random one */
};

/* A CycloneDX 1.5 JSON document of @inv (finished) with @doc's usage. */
void sbom_write_cdx(struct strbuf *sb, const struct inventory *inv, const struct sbom_doc *doc);

/* `bulwark sbom [--dir DIR] [--in-use] [--list] [IMAGE] | --rootfs DIR` (argv[0] is "sbom") */
int cmd_sbom(int argc, char **argv);

#endif
