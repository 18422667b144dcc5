/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alert delivery. An alert enters as a struct alert (alert.h: Falco's alert
 * schema, time, rule, priority, output, output_fields, hostname, source, tags,
 * uuid) and leaves through every configured output whose minimum priority it
 * meets, formatted once per output.
 *
 * Each output has its own thread, a bounded in-memory queue and (unless
 * disabled) a disk spool; publishing never waits for a receiver: it
 * enqueues, or appends to the spool when the queue is full or the receiver is
 * failing, or (spool full or disabled) drops and counts. Delivery is
 * at-least-once, keyed by the alert uuid. See docs/outputs.md.
 */
#ifndef BULWARK_OUTPUT_H
#define BULWARK_OUTPUT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Falco's priorities; the values are the syslog severities they map to. */
enum alert_priority {
	PRIO_EMERGENCY = 0,
	PRIO_ALERT,
	PRIO_CRITICAL,
	PRIO_ERROR,
	PRIO_WARNING,
	PRIO_NOTICE,
	PRIO_INFORMATIONAL,
	PRIO_DEBUG,
	ALERT_PRIO_MAX, /* the count (not PRIO_MAX: <sys/resource.h> defines that) */
};

enum output_kind {
	OUTPUT_STDOUT = 0,
	OUTPUT_FILE,
	OUTPUT_SYSLOG,
	OUTPUT_WEBHOOK,
	OUTPUT_SPLUNK,  /* Splunk HTTP Event Collector */
	OUTPUT_ELASTIC, /* Elasticsearch / OpenSearch _bulk */
	OUTPUT_LOKI,    /* Grafana Loki push API */
	OUTPUT_KIND_MAX,
};

enum output_transport {
	TRANSPORT_NONE = 0, /* stdout, file */
	TRANSPORT_UDP,
	TRANSPORT_TCP,
	TRANSPORT_TLS,
	TRANSPORT_HTTP,
	TRANSPORT_HTTPS,
};

enum alert_format {
	FORMAT_JSON = 0, /* Falco's alert schema, one object per line */
	FORMAT_ECS,      /* Elastic Common Schema */
	FORMAT_OCSF,     /* OCSF 1.1 Detection Finding (class 2004) */
	FORMAT_CEF,      /* ArcSight Common Event Format */
	FORMAT_LEEF,     /* IBM QRadar LEEF 2.0, tab-delimited */
	FORMAT_TEXT,     /* Falco's text line: "HH:MM:SS.nnnnnnnnn: Priority output" */
	FORMAT_MAX,
};

/* A secret is named, never held: read from a file or an environment variable when the output starts. */
struct secret_ref {
	char file[PATH_MAX];
	char env[128];
};

/*
 * One output, independent of how it was written (CLI spec or config file).
 * output_config_init fills the defaults; every string is NUL-terminated.
 */
struct output_config {
	char name[64];               /* stable id: spool sub-directory, logs, stats */
	enum output_kind kind;
	enum output_transport transport;
	enum alert_format format;
	enum alert_priority min_priority; /* deliver alerts of this priority or more severe */

	char host[256];              /* network outputs */
	unsigned port;
	char path[PATH_MAX];         /* file: the file; http: the URL path (with query) */

	unsigned rotate_mb;          /* file: rotate at this size (0: never) */
	unsigned rotate_keep;        /* file: rotated files kept (path.1 .. path.N) */

	char ca[PATH_MAX];           /* TLS: CA bundle ("" = system store) */
	char cert[PATH_MAX];         /* TLS: client certificate (PEM) */
	char key[PATH_MAX];          /* TLS: client key (PEM) */
	bool tls_verify;             /* TLS: verify the peer chain and name (default on) */

	char user[128];              /* HTTP basic auth user (elastic, loki) */
	struct secret_ref password;  /* HTTP basic auth password */
	struct secret_ref token;     /* splunk HEC token, elastic ApiKey, loki/webhook bearer */
	struct secret_ref hmac_key;  /* webhook: HMAC-SHA256 signature key */
	char index[256];             /* elastic index, splunk index */
	char sourcetype[128];        /* splunk sourcetype */
	char tenant[128];            /* loki X-Scope-OrgID */
	int facility;                /* syslog facility number (default 16, local0) */
	char app_name[49];           /* syslog APP-NAME */

	char spool_dir[PATH_MAX];    /* "" = no spool; the spool lives in spool_dir/name */
	unsigned spool_mb;           /* spool size cap */
	char dead_letter[PATH_MAX];  /* "" = spool_dir/name.dead.jsonl, or the log if no spool */
	unsigned queue;              /* in-memory queue capacity (alerts) */
	unsigned batch;              /* alerts per batch */
	unsigned batch_bytes;        /* bytes per batch (alerts in memory; spool replay: their JSON lines) */
	unsigned batch_ms;           /* wait at most this long to fill a batch */
	bool gzip;                   /* compress HTTP bodies (Content-Encoding: gzip) */
	unsigned timeout_ms;         /* one network operation */
	unsigned retry_ms;           /* first retry delay */
	unsigned retry_max_ms;       /* retry delay cap */
	bool spool_set;              /* spool= or spool_dir= given: a config file's spool_dir does not apply */
};

/* Delivery counters of one output. */
struct output_stats {
	char name[64];
	/*
	 * alerts handed to this output (after noise control): once the queue and the spool are
	 * empty, accepted = sent + dead_lettered + dropped (the soak checks it)
	 */
	uint64_t accepted;
	uint64_t queued;        /* accepted into the in-memory queue */
	uint64_t sent;          /* confirmed delivered (or duplicate at the receiver) */
	uint64_t retried;       /* send attempts that failed transiently */
	uint64_t spooled;       /* written to the disk spool */
	uint64_t replayed;      /* read back from the spool for delivery */
	uint64_t dead_lettered; /* refused permanently by the receiver */
	uint64_t dropped;       /* lost: queue full with the spool full or disabled */
	uint64_t spool_corrupt; /* spool records skipped as torn or corrupt */
	uint64_t spool_bytes;   /* current spool size */
	uint64_t queue_len;     /* current queue length */
	bool receiver_up;       /* the last attempt succeeded */
};

/* Noise control: per (rule, container.id), a token bucket; repeats beyond it are folded. */
struct ratelimit_config {
	double rate;            /* alerts per second per key (0: no limit) */
	double burst;           /* bucket size */
	unsigned table_size;    /* keys tracked (least recently seen evicted, its summary sent) */
	unsigned summary_ms;    /* send the "N similar alerts suppressed" summary at most this often */
};

struct outputs;

void output_config_init(struct output_config *cfg);
/*
 * Parses a CLI spec (see docs/outputs.md), e.g. "syslog+tls://host:6514?ca=/x.pem",
 * into *out (initialised here). Returns 0 or -EINVAL with a message in err.
 */
int output_config_parse(const char *spec, struct output_config *out, char *err, size_t errlen);
/*
 * The same without output_config_finish (options may follow); on error *pos
 * is the byte offset in spec of the part at fault.
 */
int output_config_parse_spec(const char *spec, struct output_config *out, size_t *pos, char *err, size_t errlen);
/*
 * Sets one option by its spec name (docs/outputs.md: format, min_priority,
 * spool_dir, ...). 0, -ENOENT for an unknown option, -EINVAL for a bad value;
 * a message in err either way.
 */
int output_config_set(struct output_config *cfg, const char *key, const char *value, char *err, size_t errlen);
/* Fills derived defaults (name, format, port) and checks the combination. */
int output_config_finish(struct output_config *cfg, char *err, size_t errlen);

const char *alert_priority_name(enum alert_priority p);
int alert_priority_from_name(const char *name); /* case-insensitive, Falco's names and aliases; -1 */
const char *alert_format_name(enum alert_format f);
const char *output_kind_name(enum output_kind k);

/* Starts one thread per output; replays what their spools hold. NULL with errno and err set. */
struct outputs *outputs__new(const struct output_config *cfgs, size_t n, char *err, size_t errlen);
/* Replaces the noise-control settings (the default: 20 per second, burst 100). Not thread-safe w.r.t. publish. */
void outputs__set_ratelimit(struct outputs *o, const struct ratelimit_config *rl);
struct alert; /* alert.h */
/*
 * Never blocks on a receiver. The alert is copied once, shared by the
 * outputs that take it (queued, spooled, suppressed or filtered by priority).
 */
void outputs__publish_alert(struct outputs *o, const struct alert *a);
/*
 * The same for one alert line (Falco-schema JSON, `bulwark alert-send`), parsed
 * here. 0, or -EINVAL for a malformed alert (logged).
 */
int outputs__publish(struct outputs *o, const char *alert_json, size_t len);
/* File outputs reopen their file at the next write (SIGHUP, logrotate). Async-signal-safe. */
void outputs__reopen(struct outputs *o);
/* Waits until every queue and spool is empty; 0, or -ETIMEDOUT. */
int outputs__drain(struct outputs *o, int timeout_ms);
/* Flushes queues to the receivers, or to the spool, within timeout_ms; then the threads end. */
void outputs__stop(struct outputs *o, int timeout_ms);
/* Copies up to n outputs' counters into st; returns the number of outputs. */
size_t outputs__stats(const struct outputs *o, struct output_stats *st, size_t n);
uint64_t outputs__suppressed(const struct outputs *o); /* alerts folded by noise control */
/* One JSON line per output on stderr (via the log module). */
void outputs__log_stats(const struct outputs *o);
void outputs__free(struct outputs *o); /* stops (5 s bound) if not stopped */

#endif
