/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The event pipeline shared by `trace` and `run`: sensor → validate →
 * process cache, ancestry and container → a sink. One event loop (epoll over
 * the ring buffers, signalfd, timerfd, the container worker's eventfd); the
 * sink must not block it.
 *
 * Container metadata is looked up by the container cache's worker. An event
 * of a container whose first lookup is not answered yet waits for it, so that
 * the container's first alert carries its name, image and posture; every
 * later record waits behind it in a bounded queue, in the order read, so that
 * the process tree sees events in that order while the rings keep being
 * drained. A deadline or a full queue lets the waiting event go on with what
 * is known (counted).
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
	/* waiting for a container's first lookup (0: the defaults, PIPELINE_WAIT_*) */
	unsigned int container_wait_ms;
	size_t container_wait_records, container_wait_bytes;
	bool exec_env, exec_cwd; /* exec records carry the environment, the cwd (a rule uses proc.env, proc.cwd; trace) */
	bool enforce;                   /* enforce mode: blocking rules stop what they match in the kernel */
	bool tier_capped;               /* --sensor-tier: no hook tier above tier_max */
	enum bw_tier tier_max;
};

/*
 * The defaults. The deadline is twice the slowest lookup measured that
 * succeeds (the Docker API, 50-90 ms while the daemon starts the container)
 * and over a hundred times Docker's files (0.6 ms median, 1.5 ms max): a
 * container's first events wait for the API where only it can answer, and no
 * event waits longer than that. The queue holds a 90 ms wait at 90,000
 * records/s, or a files lookup (1.5 ms) at any rate the loop has reached
 * (450,000/s: 675 records); 4 MiB is 12,000 records of 350 bytes (a write-open).
 */
#define PIPELINE_WAIT_MS 200
#define PIPELINE_WAIT_RECORDS 8192
#define PIPELINE_WAIT_BYTES (4u << 20)

/* One enriched event, valid during the sink's call. */
struct pipeline_event {
	const struct event_view *v;
	const struct event_context *ec;
	int64_t boot_to_real_ns;  /* add to a record's ktime for wall-clock time */
	bool container_announce;  /* first sight (or first posture) of ec->container: emit container_start first */
	struct proctree *procs;   /* for deeper ancestry walks */
};

/* Events that waited for their container's metadata. */
struct pipeline_wait_stats {
	uint64_t waits;      /* events that waited for their container's first lookup */
	uint64_t timeouts;   /* ... and went on without it: the deadline passed */
	uint64_t queue_full; /* ... and went on without it: the queue was full */
	uint64_t held, held_max;             /* records in the queue (the waiting ones and those behind), most at once */
	uint64_t wait_us_median, wait_us_max; /* the waiting events, from read to delivery */
};

/* The pipeline's own counters, for metrics and health (pipeline_sink.on_pipeline_stats). */
struct pipeline_stats {
	uint64_t by_type[BW_EV_MAX];       /* records delivered, by event type */
	uint64_t malformed[EVENT_BAD_MAX]; /* records refused by the decoder, by reason */
	struct sensor_counters sensor;     /* kernel counters and ring-buffer drops */
	struct proctree_stats procs;
	struct container_stats containers;
	struct pipeline_wait_stats wait;
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

/*
 * The pipeline without the sensor and the loop, which pipeline_run drives
 * (and tests, with records they make). Not thread-safe: one thread calls all.
 */
struct pipeline;
/* The caches and the container worker; NULL with errno set. */
struct pipeline *pipeline__new(const struct pipeline_opts *opts, const struct pipeline_sink *sink);
/* Held records still waiting are dropped, undelivered. */
void pipeline__free(struct pipeline *p);
/* One kernel record, in the order read; never waits (a copy is held when an earlier one waits). */
void pipeline__record(struct pipeline *p, const void *data, size_t size);
/* Readable when container lookups were answered: then call pipeline__poll. */
int pipeline__fd(const struct pipeline *p);
/* Applies the answers and delivers what may go; returns ms until the waiting event's deadline, -1 when none waits. */
int pipeline__poll(struct pipeline *p);
void pipeline__wait_stats(const struct pipeline *p, struct pipeline_wait_stats *st);

/* An exec record's facts beyond the image (capabilities, login uid, tty) into the process's info. */
void proc_info_exec_facts(struct proc_info *pi, const struct event_view *v);

#endif
