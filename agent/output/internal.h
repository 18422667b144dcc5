/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the output modules only: formats, spool, noise control, backoff, sinks. */
#ifndef BULWARK_OUTPUT_INTERNAL_H
#define BULWARK_OUTPUT_INTERNAL_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "alert.h"
#include "jsonw.h"
#include "output.h"

#define BULWARK_PRODUCT "bulwark"
#ifndef BULWARK_VERSION
#define BULWARK_VERSION "0.1.0-dev"
#endif
/* RFC 5424 SD-ID enterprise number: 32473 is IANA's number reserved for documentation (RFC 5612). */
#define SYSLOG_SD_ID "bulwark@32473"
#define SYSLOG_SD_FIELDS_ID "fields@32473"

/* ---- alert lines (alert.c) ----------------------------------------------------- */

/* An alert from a JSON object (no checks: spool records); 0, -EINVAL (not an object) or -ENOMEM. */
int alert_from_json(json_t *root, struct alert *a);
const char *alert_member_name(enum alert_member m);
int parse_rfc3339(const char *s, int64_t *sec, long *nsec);

/* ---- formats (format.c) ------------------------------------------------------- */

/* JSON text of any jansson value; strings escaped as jw_strn plus C1 and U+2028/9. */
void json_dump_value(struct strbuf *sb, const json_t *v);
void json_dump_str(struct strbuf *sb, const char *s, size_t n);
/* Appends the alert in fmt, one line without the newline. */
void format_alert(struct strbuf *sb, enum alert_format fmt, const struct alert *a);
/* Format-specific escapers (exported for tests). */
void esc_cef_header(struct strbuf *sb, const char *s, size_t n);
void esc_cef_value(struct strbuf *sb, const char *s, size_t n);
void esc_leef_value(struct strbuf *sb, const char *s, size_t n);
void esc_sd_value(struct strbuf *sb, const char *s, size_t n);
/* One RFC 5424 message (no framing): <PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG */
void format_syslog5424(struct strbuf *sb, const struct output_config *cfg, const struct alert *a, int pid);
int priority_cef_severity(enum alert_priority p);   /* 0..10 */
int priority_ocsf_severity(enum alert_priority p);  /* severity_id */

/* ---- spool (spool.c) ---------------------------------------------------------- */

/* Record: magic, payload length, crc32(length || payload), payload. All little-endian. */
#define SPOOL_MAGIC 0x50535742u /* "BWSP" */
#define SPOOL_HDR 12
#define SPOOL_MAX_RECORD (16u << 20)

struct spool_pos {
	uint64_t seg;
	uint64_t off;
};

struct spool_rec {
	char *data; /* malloc'd, NUL-terminated */
	uint32_t len;
	struct spool_pos end; /* position after this record */
};

struct spool;
/* Opens (creating) dir; finds segments, recovers a torn tail. NULL with errno and err. */
struct spool *spool__open(const char *dir, uint64_t cap_bytes, char *err, size_t errlen);
/* 0, -ENOSPC when the cap would be exceeded, or -errno. Thread-safe. */
int spool__append(struct spool *s, const void *data, uint32_t len);
/* Reads up to max records (max_bytes payload) from the read cursor without consuming them. */
int spool__peek(struct spool *s, struct spool_rec *recs, size_t max, size_t max_bytes);
/* Consumes everything up to and including the record that ends at end. */
int spool__commit(struct spool *s, struct spool_pos end);
bool spool__empty(struct spool *s);
uint64_t spool__bytes(struct spool *s);
uint64_t spool__corrupt(struct spool *s); /* records skipped as torn or corrupt */
void spool__sync(struct spool *s); /* fdatasync of the newest segment */
void spool__free(struct spool *s);
/* The on-disk frame of one record into buf (SPOOL_HDR + len bytes), for tests. */
void spool_frame_header(uint8_t hdr[SPOOL_HDR], const void *data, uint32_t len);

/* ---- noise control (ratelimit.c) ---------------------------------------------- */

struct rl_summary {
	const char *rule, *container;
	uint64_t count;           /* alerts folded */
	int64_t first_sec, last_sec; /* realtime of the first and last folded alert */
	long first_nsec, last_nsec;
	const struct alert *last; /* the last folded alert (borrowed) */
};
typedef void (*rl_emit_fn)(void *ctx, const struct rl_summary *s);

struct ratelimit;
struct ratelimit *ratelimit__new(const struct ratelimit_config *cfg);
/* true: deliver; false: folded (the alert is remembered for the summary). */
bool ratelimit__check(struct ratelimit *rl, const struct alert *a, const char *container, uint64_t now_ns,
		      rl_emit_fn emit, void *ctx);
/* Emits the summaries that are due (all when force). */
void ratelimit__flush(struct ratelimit *rl, uint64_t now_ns, bool force, rl_emit_fn emit, void *ctx);
/* The Falco-schema alert that reports s, owned (alert_free); 0 or -ENOMEM. */
int ratelimit_summary(const struct rl_summary *s, struct alert *out);
/* The same as JSON (caller frees), for tests. */
json_t *ratelimit_summary_alert(const struct rl_summary *s);
void ratelimit__free(struct ratelimit *rl);

/* ---- backoff (util.c) --------------------------------------------------------- */

struct backoff {
	unsigned base_ms, max_ms, cur_ms;
	uint64_t rng;
};
void backoff_init(struct backoff *b, unsigned base_ms, unsigned max_ms, uint64_t seed);
/* Next delay: exponential with equal jitter, at least retry_after_ms (capped at 10 min). */
unsigned backoff_next(struct backoff *b, unsigned retry_after_ms);
void backoff_reset(struct backoff *b);
/* Retry-After: delta-seconds or an HTTP-date; milliseconds from now, or 0 if absent/invalid. */
unsigned parse_retry_after(const char *v, time_t now);
int mkdir_p(const char *path, mode_t mode);
/* Reads a secret from its file (first line, trailing whitespace cut) or env var; NULL if unset. */
char *secret_load(const struct secret_ref *ref, const char *what, char *err, size_t errlen);

/* ---- alerts shared by the outputs' queues (outputs.c) ------------------------------- */

/* One owned copy of an alert, referenced by every queue and batch that holds it. */
struct qalert {
	atomic_uint refs;
	size_t size;
	struct alert a;
};

/* ---- sinks: one transport each (sink_*.c) --------------------------------------- */

enum item_status { ITEM_PENDING = 0, ITEM_OK, ITEM_RETRY, ITEM_DEAD };

struct batch_item {
	const struct alert *a;
	struct qalert *q; /* the reference that keeps a (owned) */
	size_t size;      /* alert_size: what the batch byte limit counts (about the JSON line's length) */
	enum item_status status;
	bool spooled; /* came from the spool: end is its position */
	struct spool_pos end;
	char reason[200];
};

struct batch {
	struct batch_item *items;
	size_t n, cap;
	size_t bytes;
};

/*
 * A receiver's answer to a batch (sink_http.c; exported for the fuzz harness): Splunk HEC's
 * {"text","code","invalid-event-number"} and Elasticsearch _bulk's per-item statuses give each
 * item its status. 0, or -errno when nothing is known delivered.
 */
int http_splunk_result(const char *resp, size_t len, struct batch *b, long status, char *why, size_t whylen);
int http_elastic_result(const char *resp, size_t len, struct batch *b, char *why, size_t whylen);
/*
 * The whole answer (status, body) to a batch sent to output c; 0 once every item has a status,
 * -EMSGSIZE (halve the batch) or -EAGAIN (retry all). Pure: the fuzz harness drives it.
 */
int http_answer_result(const struct output_config *c, long status, const char *resp, size_t len, struct batch *b,
		       char *why, size_t whylen);
/* One raw header line as curl hands it over (n bytes, no NUL): 1 and *retry_after_ms set if it is
 * Retry-After, else 0. */
int http_header_retry_after(const char *line, size_t n, time_t now, unsigned *retry_after_ms);

struct sink;
struct sink_ops {
	/*
	 * Delivers the batch. Returns 0 once every item has a status (OK, RETRY
	 * or DEAD), or -errno when nothing is known to be delivered (all retried),
	 * with *retry_after_ms set when the receiver asked for it and why filled.
	 */
	int (*send)(struct sink *s, struct batch *b, unsigned *retry_after_ms, char *why, size_t whylen);
	void (*reopen)(struct sink *s);     /* optional: file outputs */
	void (*interrupt)(struct sink *s);  /* optional: called from another thread to cut a blocked send */
	void (*close)(struct sink *s);      /* optional: orderly end of delivery (output thread, at stop) */
	void (*free)(struct sink *s);
};

struct sink {
	const struct sink_ops *ops;
	const struct output_config *cfg;
	atomic_bool *abort; /* set when stop's deadline has passed */
	void *priv;
};

int sink_file_new(struct sink *s, char *err, size_t errlen);   /* stdout and file */
int sink_syslog_new(struct sink *s, char *err, size_t errlen);
int sink_http_new(struct sink *s, char *err, size_t errlen);   /* webhook, splunk, elastic, loki */

/* Helpers for HTTP sinks (sink_http.c, exported for tests). */
int gzip_buf(const void *in, size_t n, struct strbuf *out);
void hmac_sha256_hex(const void *key, size_t keylen, const void *data, size_t n, char out[65]);

#endif
