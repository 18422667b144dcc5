/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The event pipeline shared by `trace` and `run`: sensor → validate →
 * process cache, ancestry and container → a sink. One event loop (epoll over
 * the ring buffers, signalfd, timerfd); the sink must not block it.
 */
#ifndef BULWARK_PIPELINE_H
#define BULWARK_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "container.h"
#include "event_json.h"
#include "jsonw.h"
#include "proctree.h"
#include "sensor.h"

struct pipeline_opts {
	bool events[BW_EV_MAX];
	const char *const *ro_prefixes;
	size_t n_ro_prefixes;
	size_t proc_cache_size; /* process cache entries */
	const char *procfs;     /* /proc of the host */
	size_t ancestry_depth;  /* ancestors resolved per event (at most EVENT_MAX_ANCESTORS) */
	struct container_opts containers;
};

/* One enriched event, valid during the sink's call. */
struct pipeline_event {
	const struct event_view *v;
	const struct event_context *ec;
	int64_t boot_to_real_ns;  /* add to a record's ktime for wall-clock time */
	bool container_announce;  /* first sight (or first posture) of ec->container: emit container_start first */
	struct proctree *procs;   /* for deeper ancestry walks */
};

/* The pipeline's own counters, for metrics and health (pipeline_sink.on_pipeline_stats). */
struct pipeline_stats {
	uint64_t by_type[BW_EV_MAX];       /* records delivered, by event type */
	uint64_t malformed[EVENT_BAD_MAX]; /* records refused by the decoder, by reason */
	struct sensor_counters sensor;     /* kernel counters and ring-buffer drops */
	struct proctree_stats procs;
	struct container_stats containers;
	uint64_t last_consume_ms;          /* CLOCK_MONOTONIC ms when the ring buffers were last consumed */
	int hooks_attached, hooks_skipped;
	char skipped_why[512];             /* the skipped hooks and why (on_ready only) */
};

struct pipeline_sink {
	void (*on_event)(void *ctx, const struct pipeline_event *pe);
	void (*on_tick)(void *ctx);                         /* every 100 ms (flush buffers) */
	void (*on_hangup)(void *ctx);                       /* SIGHUP (reload); NULL: ignored */
	void (*on_stats)(void *ctx, struct strbuf *sb);     /* extra keys for the final stats object */
	bool (*stopped)(void *ctx);                         /* the sink cannot go on (e.g. stdout closed) */
	/* once the sensor is attached, then every second; NULL: not wanted */
	void (*on_ready)(void *ctx, const struct pipeline_stats *st);
	void (*on_pipeline_stats)(void *ctx, const struct pipeline_stats *st);
	/* the sensor once loaded, before any event; valid until pipeline_run returns (run: filters on reload) */
	void (*on_sensor)(void *ctx, struct sensor *s);
	void *ctx;
};

/*
 * Blocks SIGINT, SIGTERM and SIGHUP (the loop reads them from a signalfd) and
 * ignores SIGPIPE. Call it before starting any thread, so that no thread
 * takes a signal with its default action.
 */
int pipeline_block_signals(void);

/* Runs until SIGINT/SIGTERM. Returns the exit status: 0 clean stop, 1 runtime error, 2 cannot start. */
int pipeline_run(const struct pipeline_opts *opts, const struct pipeline_sink *sink);

#endif
