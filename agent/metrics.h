/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Metrics and health over HTTP (libmicrohttpd): Prometheus text on /metrics,
 * a verdict on /healthz. The HTTP server runs on libmicrohttpd's own thread;
 * the event loop never waits for it. Once a second the loop publishes a
 * snapshot of every counter (metrics__publish: a try-lock, skipped if a
 * scrape holds the snapshot at that instant) and the HTTP thread renders
 * only from that snapshot. A loop that stops publishing is itself a health
 * failure, seen by the HTTP thread from the snapshot's age.
 */
#ifndef BULWARK_METRICS_H
#define BULWARK_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "output/output.h"
#include "pipeline.h"
#include "rules/rules.h"

#define METRICS_MAX_RULES 1024   /* distinct rule names counted; more share rule="_other" */
#define METRICS_MAX_OUTPUTS 16

struct metrics;

/* What `run` adds to the pipeline's counters; read on the event loop during metrics__publish. */
struct metrics_run {
	struct rules_stats rules;
	size_t rules_loaded;
	uint64_t reloads, reload_failures;
	uint64_t alerts;               /* alerts raised by the rules */
	const struct outputs *outputs; /* NULL: none */
};

/*
 * Starts the HTTP server on @listen ("127.0.0.1:9376"; "" or NULL: no server,
 * the health logic still runs for the log). Call after pipeline_block_signals.
 * NULL with errno set and a reason in err.
 */
struct metrics *metrics__new(const char *listen, const struct health_config *health, char *err, size_t errlen);
/* Stops the server (waits for a scrape in flight) and frees. */
void metrics__free(struct metrics *m);

/*
 * More families appended to /metrics, rendered on the HTTP thread by @fn
 * (which must be thread-safe); NULL removes it. Set before serving or from the
 * thread that frees @ctx, before freeing it.
 */
void metrics__set_extra(struct metrics *m, void (*fn)(void *ctx, struct strbuf *sb), void *ctx);

/* Event loop only: */
void metrics__set_health(struct metrics *m, const struct health_config *health);
void metrics__rule_match(struct metrics *m, const char *rule);
void metrics__publish(struct metrics *m, const struct pipeline_stats *ps, const struct metrics_run *run);
/* Whether the last published verdict was healthy (for tests and the log). */
bool metrics__healthy(const struct metrics *m);

/*
 * The body of /metrics and /healthz from the current snapshot (what the HTTP
 * thread serves; exposed for unit tests). health returns the HTTP status.
 */
void metrics__render(struct metrics *m, struct strbuf *sb);
int metrics__health(struct metrics *m, struct strbuf *sb);

#endif
