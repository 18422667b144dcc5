// SPDX-License-Identifier: Apache-2.0
#include "stats.h"

#include <string.h>
#include <sys/resource.h>

#include "event.h"
#include "metrics.h"
#include "pipeline.h"

/* Everything a row can read: the pipeline's counters, run's, and the agent's own resource use. */
struct stats_source {
	struct pipeline_stats p;
	struct metrics_run run;
	struct {
		uint64_t cpu_user_us, cpu_sys_us, max_rss_kb;
	} agent;
};

/* The uint64_t at path in struct stats_source (a compile error if it is not one). */
#define U64_AT(path)                                                                                      \
	(offsetof(struct stats_source, path) +                                                            \
	 0 * sizeof(char[__builtin_types_compatible_p(__typeof__(((struct stats_source *)0)->path), uint64_t) ? 1 : -1]))
/* An array of uint64_t at path. */
#define U64_ARRAY(path) U64_AT(path[0])

/* One row: a stats-line key and, when metric is not NULL, a Prometheus series. */
#define ROW(from_, group_, key_, path, metric_, label_, value_, type_, help_)                             \
	{ .from = STATS_FROM_##from_, .group = group_, .key = key_, .metric = metric_, .label = label_,       \
	  .label_value = value_, .type = STATS_##type_, .help = help_, .offset = U64_AT(path) }
/* A series that is the difference of two values (not on the stats line). */
#define DIFF(from_, path, minus_path, metric_, label_, value_, type_, help_)                              \
	{ .from = STATS_FROM_##from_, .metric = metric_, .label = label_, .label_value = value_,             \
	  .type = STATS_##type_, .help = help_, .offset = U64_AT(path), .minus = U64_AT(minus_path) }
/* One row per array index: the key and the label value are name(i). */
#define EACH(from_, group_, path, first_, n_, name_, metric_, label_, type_, help_)                       \
	{ .from = STATS_FROM_##from_, .group = group_, .metric = metric_, .label = label_,                  \
	  .type = STATS_##type_, .help = help_, .offset = U64_ARRAY(path), .first = first_, .n = n_,         \
	  .name = name_ }

static const char *type_name(unsigned i)
{
	return event_type_name(i);
}

static const char *malformed_name(unsigned i)
{
	return event_malformed_name((enum event_malformed)i);
}

#define PROC "proc_cache"
#define CONT "containers"

const struct stats_row stats_rows[] = {
	EACH(PIPELINE, "events", p.by_type, 1, BW_EV_MAX - 1, type_name, "bulwark_events_total", "type", COUNTER,
	     "Kernel records delivered to the rules, by event type."),
	ROW(PIPELINE, "kernel", "drop_ringbuf_common", p.sensor.kernel[BW_CNT_DROP_COMMON], "bulwark_kernel_drops_total",
	    "category", "ringbuf_common", COUNTER, "Records lost in the kernel, by category."),
	ROW(PIPELINE, "kernel", "drop_ringbuf_critical", p.sensor.kernel[BW_CNT_DROP_CRITICAL],
	    "bulwark_kernel_drops_total", "category", "ringbuf_critical", COUNTER, NULL),
	ROW(PIPELINE, "kernel", "drop_pending_full", p.sensor.kernel[BW_CNT_DROP_PENDING], "bulwark_kernel_drops_total",
	    "category", "pending_full", COUNTER, NULL),
	ROW(PIPELINE, "kernel", "filtered_type", p.sensor.kernel[BW_CNT_FILTER_TYPE], "bulwark_kernel_filtered_total",
	    "filter", "type", COUNTER, "Events the in-kernel filters skipped on purpose, by filter."),
	ROW(PIPELINE, "kernel", "filtered_self", p.sensor.kernel[BW_CNT_FILTER_SELF], "bulwark_kernel_filtered_total",
	    "filter", "self", COUNTER, NULL),
	ROW(PIPELINE, "kernel", "filtered_readonly_open", p.sensor.kernel[BW_CNT_FILTER_READONLY],
	    "bulwark_kernel_filtered_total", "filter", "readonly_open", COUNTER, NULL),
	ROW(PIPELINE, "kernel", "emitted", p.sensor.kernel[BW_CNT_EMITTED], "bulwark_kernel_records_total", NULL, NULL,
	    COUNTER, "Records the kernel submitted to the ring buffers."),
	EACH(PIPELINE, "drops_by_type", p.sensor.drops, 1, BW_EV_MAX - 1, type_name, "bulwark_kernel_ringbuf_drops_total",
	     "type", COUNTER, "Records lost because a ring buffer was full, by event type."),
	EACH(PIPELINE, "malformed", p.malformed, 0, EVENT_BAD_MAX, malformed_name, "bulwark_malformed_records_total",
	     "reason", COUNTER, "Kernel records refused by the decoder, by reason."),

	ROW(PIPELINE, PROC, "entries", p.procs.entries, "bulwark_proctree_entries", NULL, NULL, GAUGE,
	    "Processes in the process cache."),
	ROW(PIPELINE, PROC, "capacity", p.procs.capacity, "bulwark_proctree_capacity", NULL, NULL, GAUGE,
	    "Process cache capacity."),
	ROW(PIPELINE, PROC, "hits", p.procs.hits, "bulwark_proctree_lookups_total", "result", "hit", COUNTER,
	    "Process cache lookups, by result."),
	ROW(PIPELINE, PROC, "misses", p.procs.misses, "bulwark_proctree_lookups_total", "result", "miss", COUNTER, NULL),
	ROW(PIPELINE, PROC, "procfs_reads", p.procs.procfs_reads, NULL, NULL, NULL, COUNTER, NULL),
	DIFF(PIPELINE, p.procs.procfs_reads, p.procs.procfs_failures, "bulwark_proctree_procfs_reads_total", "result",
	     "ok", COUNTER, "Reads of /proc for unknown processes."),
	ROW(PIPELINE, PROC, "procfs_failures", p.procs.procfs_failures, "bulwark_proctree_procfs_reads_total", "result",
	    "failed", COUNTER, NULL),
	ROW(PIPELINE, PROC, "evictions", p.procs.evictions, "bulwark_proctree_evictions_total", NULL, NULL, COUNTER,
	    "Processes evicted from a full cache."),
	ROW(PIPELINE, PROC, "exited_pending", p.procs.exited_pending, NULL, NULL, NULL, GAUGE, NULL),

	ROW(PIPELINE, CONT, "entries", p.containers.entries, "bulwark_container_cache_entries", NULL, NULL, GAUGE,
	    "Containers in the container cache."),
	ROW(PIPELINE, CONT, NULL, p.containers.capacity, "bulwark_container_cache_capacity", NULL, NULL, GAUGE,
	    "Container cache capacity."),
	ROW(PIPELINE, CONT, "lookups", p.containers.lookups, NULL, NULL, NULL, COUNTER, NULL),
	ROW(PIPELINE, CONT, "docker_ok", p.containers.docker_ok, "bulwark_container_lookups_total", "result", "docker",
	    COUNTER, "Container metadata lookups, by source or failure."),
	ROW(PIPELINE, CONT, "oci_ok", p.containers.oci_ok, "bulwark_container_lookups_total", "result", "oci", COUNTER,
	    NULL),
	ROW(PIPELINE, CONT, "failures", p.containers.failures, "bulwark_container_lookups_total", "result", "failed",
	    COUNTER, NULL),
	ROW(PIPELINE, CONT, "retries", p.containers.retries, NULL, NULL, NULL, COUNTER, NULL),
	ROW(PIPELINE, CONT, "evictions", p.containers.evictions, "bulwark_container_cache_evictions_total", NULL, NULL,
	    COUNTER, "Containers evicted from a full cache."),
	ROW(PIPELINE, CONT, "expired", p.containers.expired, "bulwark_container_cache_expired_total", NULL, NULL,
	    COUNTER, "Container cache entries dropped: idle and gone from their runtime."),
	ROW(PIPELINE, CONT, "lookup_us_median", p.containers.latency_us_median, NULL, NULL, NULL, GAUGE, NULL),
	ROW(PIPELINE, CONT, "lookup_us_max", p.containers.latency_us_max, "bulwark_container_lookup_max_microseconds", NULL,
	    NULL, GAUGE, "Slowest metadata lookup that succeeded."),
	ROW(PIPELINE, CONT, "worker_lookups", p.containers.worker_lookups, "bulwark_container_worker_lookups_total", NULL,
	    NULL, COUNTER, "Metadata lookups made by the container worker."),
	ROW(PIPELINE, CONT, "requests_full", p.containers.requests_full, NULL, NULL, NULL, COUNTER, NULL),

	ROW(PIPELINE, "container_wait", "waits", p.wait.waits, "bulwark_container_waits_total", NULL, NULL, COUNTER,
	    "Events held for their container's first lookup."),
	ROW(PIPELINE, "container_wait", "timeouts", p.wait.timeouts, "bulwark_container_wait_gave_up_total", "reason",
	    "timeout", COUNTER, "Held events that went on without the metadata."),
	ROW(PIPELINE, "container_wait", "queue_full", p.wait.queue_full, "bulwark_container_wait_gave_up_total", "reason",
	    "queue_full", COUNTER, NULL),
	ROW(PIPELINE, "container_wait", "held_max", p.wait.held_max, NULL, NULL, NULL, GAUGE, NULL),
	ROW(PIPELINE, "container_wait", "wait_us_median", p.wait.wait_us_median, NULL, NULL, NULL, GAUGE, NULL),
	ROW(PIPELINE, "container_wait", "wait_us_max", p.wait.wait_us_max, NULL, NULL, NULL, GAUGE, NULL),

	ROW(AGENT, "agent", "cpu_user_us", agent.cpu_user_us, NULL, NULL, NULL, COUNTER, NULL),
	ROW(AGENT, "agent", "cpu_sys_us", agent.cpu_sys_us, NULL, NULL, NULL, COUNTER, NULL),
	ROW(AGENT, "agent", "max_rss_kb", agent.max_rss_kb, NULL, NULL, NULL, GAUGE, NULL),

	ROW(RUN, "rules", "loaded", run.rules_loaded, "bulwark_rules_loaded", NULL, NULL, GAUGE,
	    "Rules in the active ruleset."),
	ROW(RUN, "rules", "events", run.rules.events, NULL, NULL, NULL, COUNTER, NULL),
	ROW(RUN, "rules", "evaluations", run.rules.evaluations, "bulwark_rules_evaluations_total", NULL, NULL, COUNTER,
	    "Rule conditions evaluated."),
	ROW(RUN, "rules", "matches", run.rules.matches, NULL, NULL, NULL, COUNTER, NULL),
	ROW(RUN, "rules", "suppressed", run.rules.suppressed, "bulwark_rules_suppressed_total", NULL, NULL, COUNTER,
	    "Matches suppressed by a rule exception."),
	ROW(RUN, "rules", "reloads", run.reloads, NULL, NULL, NULL, COUNTER, NULL),
	DIFF(RUN, run.reloads, run.reload_failures, "bulwark_rules_reloads_total", "result", "ok", COUNTER,
	     "SIGHUP reloads of the config and rules, by result."),
	ROW(RUN, "rules", "reload_failures", run.reload_failures, "bulwark_rules_reloads_total", "result", "failed",
	    COUNTER, NULL),
	ROW(RUN, NULL, "alerts", run.alerts, "bulwark_alerts_total", NULL, NULL, COUNTER,
	    "Alerts raised by the rules (before noise control)."),
};
const size_t stats_n_rows = sizeof(stats_rows) / sizeof(stats_rows[0]);

static uint64_t value_at(const struct stats_source *src, size_t offset)
{
	uint64_t v;

	memcpy(&v, (const char *)src + offset, sizeof(v));
	return v;
}

static uint64_t row_value(const struct stats_source *src, const struct stats_row *r, unsigned i)
{
	uint64_t v = value_at(src, r->offset + (size_t)i * sizeof(uint64_t));

	return r->minus ? v - value_at(src, r->minus) : v;
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* ---- the stats line ---------------------------------------------------------------------- */

static void write_json_rows(struct strbuf *sb, const struct stats_source *src, enum stats_from from)
{
	const char *open = NULL; /* the group object being written */
	size_t k;
	unsigned i;

	for (k = 0; k < stats_n_rows; k++) {
		const struct stats_row *r = &stats_rows[k];

		if (r->from != from || (!r->key && !r->n))
			continue;
		if (!same_str(open, r->group)) {
			if (open)
				jw_end(sb);
			if (r->group)
				jw_kobj(sb, r->group);
			open = r->group;
		}
		if (!r->n) {
			jw_kuint(sb, r->key, row_value(src, r, 0));
			continue;
		}
		for (i = r->first; i < r->first + r->n; i++)
			if (r->name(i))
				jw_kuint(sb, r->name(i), row_value(src, r, i));
	}
	if (open)
		jw_end(sb);
}

void stats_write_json(struct strbuf *sb, const struct pipeline_stats *p, const struct metrics_run *run)
{
	struct stats_source src = { 0 };
	struct rusage ru;

	if (p) {
		src.p = *p;
		write_json_rows(sb, &src, STATS_FROM_PIPELINE);
		if (getrusage(RUSAGE_SELF, &ru) == 0) {
			src.agent.cpu_user_us = (uint64_t)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec;
			src.agent.cpu_sys_us = (uint64_t)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec;
			src.agent.max_rss_kb = ru.ru_maxrss;
			write_json_rows(sb, &src, STATS_FROM_AGENT);
		}
	}
	if (run) {
		src.run = *run;
		write_json_rows(sb, &src, STATS_FROM_RUN);
	}
}

/* ---- Prometheus ---------------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if it is not one (a stray byte, an overlong
 * form, a surrogate, beyond U+10FFFF, or cut short). */
static size_t utf8_seq(const unsigned char *s)
{
	size_t k, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		k = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		k = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		k = 4;
	else
		return 0;
	for (i = 1; i < k; i++)
		if ((s[i] & 0xc0) != 0x80) /* a NUL ends here too */
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) || (s[0] == 0xf0 && s[1] < 0x90) ||
	    (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return k;
}

/*
 * A label value as the text format wants it: \\, \" and \n escaped, and valid UTF-8 — one
 * invalid byte (a rule name from a Latin-1 file, a name cut at a fixed size mid-character) would
 * make Prometheus reject the whole scrape, bulwark_up with it; each becomes U+FFFD.
 */
void stats_prom_label(struct strbuf *sb, const char *v)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t k;

	while (*p) {
		if (*p == '\\' || *p == '"') {
			strbuf_addc(sb, '\\');
			strbuf_addc(sb, (char)*p++);
		} else if (*p == '\n') {
			strbuf_add(sb, "\\n", 2);
			p++;
		} else if ((k = utf8_seq(p)) == 0) {
			strbuf_add(sb, "\xef\xbf\xbd", 3);
			p++;
		} else {
			strbuf_add(sb, (const char *)p, k);
			p += k;
		}
	}
}

void stats_prom_head(struct strbuf *sb, const char *name, const char *type, const char *help)
{
	strbuf_addf(sb, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void stats_prom_sample(struct strbuf *sb, const char *name, const char *lname, const char *lvalue, uint64_t v)
{
	strbuf_addf(sb, "%s", name);
	if (lname) {
		strbuf_addf(sb, "{%s=\"", lname);
		stats_prom_label(sb, lvalue);
		strbuf_addf(sb, "\"}");
	}
	strbuf_addf(sb, " %llu\n", (unsigned long long)v);
}

void stats_write_prometheus(struct strbuf *sb, const struct pipeline_stats *p, const struct metrics_run *run)
{
	struct stats_source src_ = { .p = *p, .run = *run }, *src = &src_;
	const char *family = NULL;
	size_t k;
	unsigned i;

	for (k = 0; k < stats_n_rows; k++) {
		const struct stats_row *r = &stats_rows[k];

		if (!r->metric)
			continue;
		if (!same_str(family, r->metric)) {
			stats_prom_head(sb, r->metric, r->type == STATS_GAUGE ? "gauge" : "counter", r->help);
			family = r->metric;
		}
		if (!r->n) {
			stats_prom_sample(sb, r->metric, r->label, r->label_value, row_value(src, r, 0));
			continue;
		}
		for (i = r->first; i < r->first + r->n; i++)
			if (r->name(i))
				stats_prom_sample(sb, r->metric, r->label, r->name(i), row_value(src, r, i));
	}
}
