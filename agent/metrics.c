// SPDX-License-Identifier: Apache-2.0
/*
 * Metrics (Prometheus text format 0.0.4) and health, served by libmicrohttpd
 * on its internal thread from a snapshot that the event loop publishes once a
 * second. Two owners, no sharing beyond the snapshot:
 *   - the event loop owns `loop` (rule-match table, drop history, per-output
 *     stuck timers) and writes `snap` under `lock` with a try-lock only;
 *   - the HTTP thread reads `snap` under `lock`.
 */
#include "metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "event.h"
#include "log.h"
#include "stats.h"
#include "table.h"
#include "util.h"

#ifndef BULWARK_VERSION
#define BULWARK_VERSION "0.1.0-dev"
#endif

#define RULE_SLOTS 2048        /* open addressing, at most half full (METRICS_MAX_RULES) */
#define DROP_HISTORY 3601      /* one sample a second: the longest drop window + 1 */
#define MAX_REASONS 8
#define HTTP_CONN_LIMIT 16
#define HTTP_CONN_TIMEOUT_S 10

struct rule_count {
	char name[128];
	uint64_t n;
};

struct drop_sample {
	uint64_t ms, records, drops;
};

/* Everything the HTTP thread may read. */
struct snapshot {
	bool valid;                  /* published at least once */
	uint64_t published_ms;       /* CLOCK_MONOTONIC */
	int64_t published_wall_ns;   /* CLOCK_REALTIME of the same publish: the heartbeat */
	struct pipeline_stats p;
	struct metrics_run run;      /* outputs pointer not used by the HTTP thread */
	uint64_t suppressed;         /* alerts folded by noise control */
	struct output_stats out[METRICS_MAX_OUTPUTS];
	size_t n_out;
	struct rule_count rules[METRICS_MAX_RULES + 1]; /* + "_other" */
	size_t n_rules;
	double drop_ratio;           /* over the window */
	unsigned stall_s;            /* the loop's threshold, for the HTTP thread's check */
	char reasons[MAX_REASONS][256];
	size_t n_reasons;
};

struct metrics {
	/* event loop only */
	struct health_config health;
	struct rule_count *table;    /* RULE_SLOTS */
	size_t n_table;
	uint64_t other_rules;
	struct drop_sample hist[DROP_HISTORY];
	size_t hist_head, hist_len;
	uint64_t stuck_since_ms[METRICS_MAX_OUTPUTS];
	bool healthy;
	struct snapshot *staging;
	uint64_t skipped_publish;

	/* shared */
	pthread_mutex_t lock;
	struct snapshot *snap;

	/* render hook for other modules' families (under lock) */
	void (*extra)(void *ctx, struct strbuf *sb);
	void *extra_ctx;

	/* HTTP thread (and setup) */
	struct MHD_Daemon *daemon;
	time_t start_time;
};

/* ---- rule matches (event loop) -------------------------------------------- */

void metrics__rule_match(struct metrics *m, const char *rule)
{
	uint32_t i;

	if (!m)
		return;
	for (i = table_hash_str(rule) % RULE_SLOTS;; i = (i + 1) % RULE_SLOTS) {
		struct rule_count *rc = &m->table[i];

		if (!rc->name[0]) {
			if (m->n_table == METRICS_MAX_RULES) {
				m->other_rules++;
				return;
			}
			snprintf(rc->name, sizeof(rc->name), "%s", rule);
			m->n_table++;
		}
		if (!strncmp(rc->name, rule, sizeof(rc->name) - 1)) {
			rc->n++;
			return;
		}
	}
}

/* ---- health (event loop) ---------------------------------------------------- */

static void add_reason(struct snapshot *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_reason(struct snapshot *s, const char *fmt, ...)
{
	va_list ap;

	if (s->n_reasons == MAX_REASONS)
		return;
	va_start(ap, fmt);
	vsnprintf(s->reasons[s->n_reasons++], sizeof(s->reasons[0]), fmt, ap);
	va_end(ap);
}

static uint64_t kernel_drops(const struct sensor_counters *c)
{
	return c->kernel[BW_CNT_DROP_COMMON] + c->kernel[BW_CNT_DROP_CRITICAL] + c->kernel[BW_CNT_DROP_PENDING];
}

/* Drop ratio over the window: kernel losses / (records submitted + losses). */
static double drop_ratio(struct metrics *m, uint64_t now, const struct sensor_counters *c)
{
	struct drop_sample cur = { now, c->kernel[BW_CNT_EMITTED], kernel_drops(c) }, *old = NULL;
	uint64_t window = (uint64_t)m->health.drop_window_s * 1000, dr, dd;
	size_t i;

	m->hist[(m->hist_head + m->hist_len) % DROP_HISTORY] = cur;
	if (m->hist_len < DROP_HISTORY)
		m->hist_len++;
	else
		m->hist_head = (m->hist_head + 1) % DROP_HISTORY;
	/* the oldest sample still inside the window */
	for (i = 0; i < m->hist_len; i++) {
		struct drop_sample *s = &m->hist[(m->hist_head + i) % DROP_HISTORY];

		if (now - s->ms <= window) {
			old = s;
			break;
		}
	}
	if (!old)
		return 0;
	dr = cur.records - old->records;
	dd = cur.drops - old->drops;
	return dr + dd ? (double)dd / (double)(dr + dd) : 0;
}

static void judge(struct metrics *m, struct snapshot *s, uint64_t now)
{
	size_t i;

	s->n_reasons = 0;
	s->drop_ratio = drop_ratio(m, now, &s->p.sensor);
	if (s->drop_ratio > m->health.max_drop_ratio)
		add_reason(s, "kernel drop ratio %.4f over the last %u s exceeds %.4f", s->drop_ratio,
			   m->health.drop_window_s, m->health.max_drop_ratio);
	for (i = 0; i < s->n_out; i++) {
		const struct output_stats *o = &s->out[i];
		bool waiting = o->queue_len > 0 || o->spool_bytes > 0;

		if (o->receiver_up || !waiting) {
			m->stuck_since_ms[i] = 0;
			continue;
		}
		if (!m->stuck_since_ms[i])
			m->stuck_since_ms[i] = now;
		if (now - m->stuck_since_ms[i] >= (uint64_t)m->health.output_stuck_s * 1000)
			add_reason(s, "output %s stuck: receiver down for %llu s, %llu alerts queued, %llu spool bytes",
				   o->name, (unsigned long long)(now - m->stuck_since_ms[i]) / 1000,
				   (unsigned long long)o->queue_len, (unsigned long long)o->spool_bytes);
	}
	s->stall_s = m->health.stall_s;
	if (s->n_reasons && m->healthy)
		log_warn("health: unhealthy: %s%s", s->reasons[0], s->n_reasons > 1 ? " (and more, see /healthz)" : "");
	else if (!s->n_reasons && !m->healthy)
		log_info("health: healthy again");
	m->healthy = s->n_reasons == 0;
}

bool metrics__healthy(const struct metrics *m)
{
	return m->healthy;
}

void metrics__set_health(struct metrics *m, const struct health_config *health)
{
	if (m)
		m->health = *health;
}

void metrics__publish(struct metrics *m, const struct pipeline_stats *ps, const struct metrics_run *run)
{
	struct snapshot *s;
	uint64_t now = util_mono_ms();
	size_t i, n;

	if (!m)
		return;
	s = m->staging;
	s->p = *ps;
	s->run = *run;
	s->run.outputs = NULL;
	s->n_out = 0;
	s->suppressed = 0;
	if (run->outputs) {
		s->n_out = outputs__stats(run->outputs, s->out, METRICS_MAX_OUTPUTS);
		if (s->n_out > METRICS_MAX_OUTPUTS)
			s->n_out = METRICS_MAX_OUTPUTS;
		s->suppressed = outputs__suppressed(run->outputs);
	}
	for (i = n = 0; i < RULE_SLOTS; i++)
		if (m->table[i].name[0])
			s->rules[n++] = m->table[i];
	if (m->other_rules) {
		snprintf(s->rules[n].name, sizeof(s->rules[n].name), "_other");
		s->rules[n++].n = m->other_rules;
	}
	s->n_rules = n;
	judge(m, s, now);
	s->published_ms = now;
	s->published_wall_ns = util_clock_ns(CLOCK_REALTIME);
	s->valid = true;
	/* never wait for a scrape: if one holds the snapshot now, publish next second */
	if (pthread_mutex_trylock(&m->lock) == 0) {
		m->staging = m->snap; /* refilled whole at the next publish */
		m->snap = s;
		pthread_mutex_unlock(&m->lock);
	} else {
		m->skipped_publish++;
	}
}

/* ---- rendering (HTTP thread, under lock) ------------------------------------ */

static void one(struct strbuf *sb, const char *name, const char *type, const char *help, uint64_t v)
{
	stats_prom_head(sb, name, type, help);
	stats_prom_sample(sb, name, NULL, NULL, v);
}

/* A family with one sample per output: the uint64_t at offset in struct output_stats. */
static void per_output(struct strbuf *sb, const struct snapshot *s, const char *name, const char *type,
		       const char *help, size_t offset)
{
	size_t i;
	uint64_t v;

	stats_prom_head(sb, name, type, help);
	for (i = 0; i < s->n_out; i++) {
		memcpy(&v, (const char *)&s->out[i] + offset, sizeof(v));
		stats_prom_sample(sb, name, "output", s->out[i].name, v);
	}
}

static void process_metrics(struct metrics *m, struct strbuf *sb)
{
	struct rusage ru;
	long pages = 0, rss = 0, page = sysconf(_SC_PAGESIZE);
	FILE *f;

	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		stats_prom_head(sb, "process_cpu_seconds_total", "counter",
				"User and system CPU time of the agent, in seconds.");
		strbuf_addf(sb, "process_cpu_seconds_total %.6f\n",
			    ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	}
	f = fopen("/proc/self/statm", "re");
	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) == 2) {
			one(sb, "process_resident_memory_bytes", "gauge", "Resident memory of the agent, in bytes.",
			    (uint64_t)rss * page);
			one(sb, "process_virtual_memory_bytes", "gauge", "Virtual memory of the agent, in bytes.",
			    (uint64_t)pages * page);
		}
		fclose(f);
	}
	one(sb, "process_start_time_seconds", "gauge", "When the agent started, in seconds since the epoch.",
	    (uint64_t)m->start_time);
}

/*
 * The counters of the pipeline and of run come from the counter table
 * (stats.c); what is written here has no place there: the build, the health
 * verdict, the hooks, a ratio, and the series whose labels are only known at
 * run time (rules matched, outputs).
 */
void metrics__render(struct metrics *m, struct strbuf *sb)
{
	static const char *const states[] = { "accepted", "queued", "sent", "retried", "spooled", "replayed", "dead_lettered",
					      "dropped" };
	struct snapshot *s;
	size_t i, j;

	pthread_mutex_lock(&m->lock);
	s = m->snap;
	stats_prom_head(sb, "bulwark_build_info", "gauge", "The agent's version.");
	strbuf_addf(sb, "bulwark_build_info{version=\"");
	stats_prom_label(sb, BULWARK_VERSION);
	strbuf_addf(sb, "\"} 1\n");
	one(sb, "bulwark_up", "gauge", "1 once the sensor runs and the event loop has published counters.", s->valid);
	if (s->valid) {
		one(sb, "bulwark_healthy", "gauge", "1 when /healthz answers 200.",
		    s->n_reasons == 0 && util_mono_ms() - s->p.last_consume_ms <= (uint64_t)s->stall_s * 1000);
		/*
		 * The heartbeat: when the event loop last published. A Prometheus rule alerts when it
		 * stops advancing (the loop is stuck while the HTTP thread still answers) or when the
		 * scrape fails (the agent was killed or stopped): docs/alerting.md.
		 */
		stats_prom_head(sb, "bulwark_last_seen_timestamp_seconds", "gauge",
				"When the agent's event loop last published its counters, in seconds since the epoch.");
		strbuf_addf(sb, "bulwark_last_seen_timestamp_seconds %.3f\n", s->published_wall_ns / 1e9);
		stats_prom_head(sb, "bulwark_last_consume_age_seconds", "gauge",
		     "Seconds since the event loop last consumed the ring buffers.");
		strbuf_addf(sb, "bulwark_last_consume_age_seconds %.3f\n", (util_mono_ms() - s->p.last_consume_ms) / 1e3);
		stats_prom_head(sb, "bulwark_hooks", "gauge", "Kernel hooks by state.");
		stats_prom_sample(sb, "bulwark_hooks", "state", "attached", s->p.hooks_attached);
		stats_prom_sample(sb, "bulwark_hooks", "state", "skipped", s->p.hooks_skipped);
		stats_prom_head(sb, "bulwark_kernel_drop_ratio", "gauge",
				"Kernel losses / (records + losses) over the health window.");
		strbuf_addf(sb, "bulwark_kernel_drop_ratio %.6f\n", s->drop_ratio);

		stats_write_prometheus(sb, &s->p, &s->run);

		stats_prom_head(sb, "bulwark_rule_matches_total", "counter", "Alerts raised, by rule.");
		for (i = 0; i < s->n_rules; i++)
			stats_prom_sample(sb, "bulwark_rule_matches_total", "rule", s->rules[i].name, s->rules[i].n);
		one(sb, "bulwark_alerts_suppressed_total", "counter", "Repeated alerts folded into summaries.",
		    s->suppressed);

		stats_prom_head(sb, "bulwark_output_alerts_total", "counter", "Alerts by output and delivery state.");
		for (i = 0; i < s->n_out; i++) {
			const struct output_stats *o = &s->out[i];
			const uint64_t v[] = { o->accepted, o->queued, o->sent, o->retried, o->spooled, o->replayed, o->dead_lettered,
					       o->dropped };

			for (j = 0; j < sizeof(states) / sizeof(states[0]); j++) {
				strbuf_addf(sb, "bulwark_output_alerts_total{output=\"");
				stats_prom_label(sb, o->name);
				strbuf_addf(sb, "\",state=\"%s\"} %llu\n", states[j], (unsigned long long)v[j]);
			}
		}
		per_output(sb, s, "bulwark_output_queue_length", "gauge", "Alerts in an output's in-memory queue.",
			   offsetof(struct output_stats, queue_len));
		per_output(sb, s, "bulwark_output_spool_bytes", "gauge", "Bytes in an output's disk spool.",
			   offsetof(struct output_stats, spool_bytes));
		per_output(sb, s, "bulwark_output_spool_corrupt_total", "counter", "Spool records skipped as torn or corrupt.",
			   offsetof(struct output_stats, spool_corrupt));
		stats_prom_head(sb, "bulwark_output_receiver_up", "gauge",
				"1 when the output's last delivery attempt succeeded.");
		for (i = 0; i < s->n_out; i++)
			stats_prom_sample(sb, "bulwark_output_receiver_up", "output", s->out[i].name, s->out[i].receiver_up);
	}
	if (m->extra)
		m->extra(m->extra_ctx, sb);
	pthread_mutex_unlock(&m->lock);
	process_metrics(m, sb);
}

void metrics__set_extra(struct metrics *m, void (*fn)(void *ctx, struct strbuf *sb), void *ctx)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->extra = fn;
	m->extra_ctx = ctx;
	pthread_mutex_unlock(&m->lock);
}

/* A JSON verdict; returns 200 or 503. */
int metrics__health(struct metrics *m, struct strbuf *sb)
{
	struct snapshot *s;
	uint64_t age;
	size_t i;
	bool ok;

	pthread_mutex_lock(&m->lock);
	s = m->snap;
	jw_begin(sb);
	if (!s->valid) {
		jw_kstr(sb, "status", "starting");
		jw_karr(sb, "reasons");
		jw_str(sb, "the sensor is not running yet");
		jw_end_arr(sb);
		ok = false;
	} else {
		age = util_mono_ms() - s->p.last_consume_ms;
		ok = s->n_reasons == 0 && age <= (uint64_t)s->stall_s * 1000;
		jw_kstr(sb, "status", ok ? "ok" : "unhealthy");
		jw_karr(sb, "reasons");
		/* a stalled loop publishes nothing: this thread is the one to notice */
		if (age > (uint64_t)s->stall_s * 1000) {
			char r[160];

			snprintf(r, sizeof(r), "the ring buffers have not been consumed for %.1f s (limit %u s)", age / 1e3,
				 s->stall_s);
			jw_str(sb, r);
		}
		for (i = 0; i < s->n_reasons; i++)
			jw_str(sb, s->reasons[i]);
		jw_end_arr(sb);
		jw_kuint(sb, "last_consume_age_ms", age);
		jw_kuint(sb, "events", s->p.sensor.kernel[BW_CNT_EMITTED]);
	}
	jw_end(sb);
	strbuf_addc(sb, '\n');
	pthread_mutex_unlock(&m->lock);
	return ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE;
}

/* ---- the HTTP server ------------------------------------------------------------ */

static enum MHD_Result answer(struct MHD_Connection *conn, unsigned status, const char *type, struct strbuf *sb)
{
	struct MHD_Response *resp;
	enum MHD_Result rc;

	/* the response takes the buffer */
	resp = MHD_create_response_from_buffer(sb->len, sb->buf, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		strbuf_free(sb);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	rc = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			      const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct metrics *m = cls;
	struct strbuf sb = STRBUF_INIT;
	int status;

	(void)version;
	(void)upload_data;
	if (!*con_cls) {
		/* first call for this request: headers only; answer on the next */
		*con_cls = (void *)1;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0; /* bodies are ignored */
		return MHD_YES;
	}
	strbuf_grow(&sb, 64);
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		strbuf_addf(&sb, "method not allowed\n");
		return answer(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", &sb);
	}
	if (!strcmp(url, "/metrics")) {
		metrics__render(m, &sb);
		return answer(conn, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", &sb);
	}
	if (!strcmp(url, "/healthz")) {
		status = metrics__health(m, &sb);
		return answer(conn, status, "application/json", &sb);
	}
	strbuf_addf(&sb, "not found: try /metrics or /healthz\n");
	return answer(conn, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8", &sb);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_warn("metrics http: %s", msg);
}

static int start_http(struct metrics *m, const char *listen, char *err, size_t errlen)
{
	struct sockaddr_storage ss = { 0 };
	char host[64];
	unsigned port;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG;

	if (config_parse_listen(listen, host, sizeof(host), &port)) {
		snprintf(err, errlen, "metrics listen address '%s': expected IP:PORT", listen);
		return -EINVAL;
	}
	if (strchr(host, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		inet_pton(AF_INET6, host, &a->sin6_addr);
		flags |= MHD_USE_IPv6;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		inet_pton(AF_INET, host, &a->sin_addr);
	}
	m->daemon = MHD_start_daemon(flags, port, NULL, NULL, handle, m, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT,
				     (unsigned)HTTP_CONN_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_CONN_TIMEOUT_S,
				     MHD_OPTION_END);
	if (!m->daemon) {
		int e = errno ? errno : EADDRINUSE;

		snprintf(err, errlen, "metrics: cannot listen on %s: %s", listen, strerror(e));
		return -e;
	}
	return 0;
}

struct metrics *metrics__new(const char *listen, const struct health_config *health, char *err, size_t errlen)
{
	struct metrics *m = calloc(1, sizeof(*m));
	int rc;

	if (!m)
		goto nomem;
	m->table = calloc(RULE_SLOTS, sizeof(*m->table));
	m->snap = calloc(1, sizeof(*m->snap));
	m->staging = calloc(1, sizeof(*m->staging));
	if (!m->table || !m->snap || !m->staging)
		goto nomem;
	pthread_mutex_init(&m->lock, NULL);
	m->health = *health;
	m->healthy = true;
	m->start_time = time(NULL);
	if (listen && listen[0]) {
		rc = start_http(m, listen, err, errlen);
		if (rc) {
			metrics__free(m);
			errno = -rc;
			return NULL;
		}
	}
	return m;
nomem:
	snprintf(err, errlen, "metrics: out of memory");
	if (m) {
		free(m->table);
		free(m->snap);
		free(m->staging);
		free(m);
	}
	errno = ENOMEM;
	return NULL;
}

void metrics__free(struct metrics *m)
{
	if (!m)
		return;
	if (m->daemon)
		MHD_stop_daemon(m->daemon);
	pthread_mutex_destroy(&m->lock);
	free(m->table);
	free(m->snap);
	free(m->staging);
	free(m);
}
