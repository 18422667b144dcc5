/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Replay: events recorded by `bulwark trace` (one JSON object per line) fed
 * through the rule engine. Each line is encoded back into a kernel record
 * (so the same extractors run as on live events, after the same validation),
 * with the process (exe, args, cgroup, ancestry) and the container the line
 * carries. Absent keys mean unknown. Needs no privileges.
 */
#ifndef BULWARK_REPLAY_H
#define BULWARK_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jsonw.h"
#include "rules/rules.h"

struct replay;

struct replay_stats {
	uint64_t lines;     /* lines read */
	uint64_t events;    /* evaluated (or kept) */
	uint64_t skipped;   /* blank lines and # comments */
	uint64_t malformed; /* not JSON, or not an event */
	uint64_t alerts;
};

/*
 * @rs is borrowed. @hostname goes into alerts. With @keep, lines are only
 * prepared and kept for replay__bench (nothing is evaluated by replay__line).
 */
struct replay *replay__new(struct rules *rs, const char *hostname, bool keep);
void replay__free(struct replay *rp);

/*
 * One line (no newline needed). Appends one alert JSON line per match to
 * @alerts (may be NULL). Returns the number of alerts, 0 for a line with
 * nothing to evaluate, -EINVAL for a malformed line (reason in @err).
 */
int replay__line(struct replay *rp, const char *line, size_t len, struct strbuf *alerts, char *err, size_t err_size);

struct replay_bench {
	uint64_t events;      /* events evaluated (all passes) */
	uint64_t evaluations; /* rule conditions evaluated */
	uint64_t matches;
	double seconds;
};

/* Evaluates the kept events @passes times (matches counted, not rendered). */
int replay__bench(struct replay *rp, unsigned int passes, struct replay_bench *out);

/*
 * The kernel record a `bulwark trace` line describes, as replay evaluates it,
 * into @buf (BW_RECORD_MAX bytes); "time" minus @boot_to_real_ns gives its
 * ktime unless the line has one. Returns the record's size, or -EINVAL
 * (reason in @err).
 */
int replay_record(const char *line, size_t len, int64_t boot_to_real_ns, void *buf, char *err, size_t err_size);

void replay__stats(const struct replay *rp, struct replay_stats *st);

#endif
