/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The counter table: every counter of the pipeline and of `run` described
 * once (where its value lives, its key on the stats line, its Prometheus
 * family, label, type and help text), walked by both the stats line written
 * at exit and /metrics. A new counter is one row in stats.c.
 */
#ifndef BULWARK_STATS_H
#define BULWARK_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jsonw.h"

struct pipeline_stats; /* pipeline.h */
struct metrics_run;    /* metrics.h */

enum stats_from {
	STATS_FROM_PIPELINE, /* written by the pipeline (trace and run) */
	STATS_FROM_AGENT,    /* the agent's rusage, written by the pipeline when getrusage answers */
	STATS_FROM_RUN,      /* written by run (rules and alerts) */
};

enum stats_type { STATS_COUNTER, STATS_GAUGE };

struct stats_row {
	enum stats_from from;
	/* stats line: "group":{"key":v} (group NULL: a top-level key); key NULL: not on the stats line */
	const char *group, *key;
	/* /metrics: family{label="value"}; metric NULL: not exported. help/type: of the family's first row */
	const char *metric, *label, *label_value, *help;
	enum stats_type type;
	size_t offset; /* of the uint64_t value in struct stats_source (stats.c: pipeline_stats, metrics_run, rusage) */
	size_t minus;  /* non-zero: the value is offset's minus this one's (ok = all - failed) */
	/* n > 0: offset is an array of n uint64_t from index first; name(i) is the JSON key and label value */
	unsigned first, n;
	const char *(*name)(unsigned i);
};

/* The table, in stats-line order; rows of one Prometheus family are adjacent. */
extern const struct stats_row stats_rows[];
extern const size_t stats_n_rows;

/*
 * Appends the stats line's keys to an open JSON object: the pipeline's groups
 * (and the agent's rusage) from @p, then run's from @run; either may be NULL.
 */
void stats_write_json(struct strbuf *sb, const struct pipeline_stats *p, const struct metrics_run *run);

/* Appends every exported row in the Prometheus text format (HELP and TYPE once per family). */
void stats_write_prometheus(struct strbuf *sb, const struct pipeline_stats *p, const struct metrics_run *run);

/* Prometheus text pieces: a label value escaped (backslash, double quote, line feed; invalid UTF-8
 * bytes become U+FFFD), a family's HELP and TYPE lines, one sample (lname NULL: no label). */
void stats_prom_label(struct strbuf *sb, const char *v);
void stats_prom_head(struct strbuf *sb, const char *name, const char *type, const char *help);
void stats_prom_sample(struct strbuf *sb, const char *name, const char *lname, const char *lvalue, uint64_t v);

#endif
