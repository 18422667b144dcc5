/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The eBPF sensor: preflight checks that explain what is missing, loading the
 * CO-RE object, attaching every hook (optional ones skipped with a reason),
 * the in-kernel filters, the two ring buffers and the kernel counters.
 */
#ifndef BULWARK_SENSOR_H
#define BULWARK_SENSOR_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi.h"

struct sensor;

/* Called for each raw record; the data is only valid during the call. */
typedef void (*sensor_record_fn)(void *ctx, const void *data, size_t size);

/* A tier's name as the startup line and --sensor-tier say it: "lsm", "fentry", "tracepoints". */
const char *sensor_tier_name(enum bw_tier t);
/* The tier named @s, or -EINVAL. */
int sensor_tier_from_name(const char *s);

struct sensor_opts {
	bool events[BW_EV_MAX];         /* event types to emit (index enum bw_event_type) */
	bool enforce;                   /* enforce mode: blocking rules stop what they match */
	bool tier_capped;               /* use no tier above tier_max (tests: --sensor-tier); else the probe decides */
	enum bw_tier tier_max;
	const char *const *ro_prefixes; /* path prefixes whose read-only opens are reported */
	size_t n_ro_prefixes;
	bool exec_env, exec_cwd;        /* exec records carry the environment, the cwd (bw_config.exec_opts) */
	sensor_record_fn on_record;
	void *ctx;
};

/*
 * The in-kernel filters the rules decide: which event types are emitted and
 * under which path prefixes read-only opens are kept (1..BW_PREFIX_MAX-1
 * bytes each, at most SENSOR_MAX_RO_PREFIXES distinct ones).
 */
#define SENSOR_MAX_RO_PREFIXES 128 /* twice this fits the LPM trie while a change adds before it removes */
struct sensor_filters {
	bool events[BW_EV_MAX];
	const char *const *ro_prefixes;
	size_t n_ro_prefixes;
	bool exec_env, exec_cwd; /* exec records carry the environment, the cwd: a rule uses proc.env, proc.cwd */
};

/* What a change of filters does: types switched on and off, prefixes added and removed. */
struct sensor_filters_diff {
	bool enabled[BW_EV_MAX], disabled[BW_EV_MAX];
	const char *added[SENSOR_MAX_RO_PREFIXES];   /* point into the new set */
	const char *removed[SENSOR_MAX_RO_PREFIXES]; /* point into the old set */
	size_t n_added, n_removed;
	size_t n_events, n_prefixes;                 /* the new set's sizes (distinct prefixes) */
};

struct sensor_counters {
	uint64_t kernel[BW_CNT_MAX]; /* enum bw_counter, summed over CPUs */
	uint64_t drops[BW_EV_MAX];   /* ring-buffer-full losses by event type */
};

/*
 * Checks the host, loads and attaches. On failure returns NULL with errno set
 * and a one-line reason in err (what is missing and what to do).
 */
struct sensor *sensor__new(const struct sensor_opts *opts, char *err, size_t errlen);
void sensor__free(struct sensor *s);

/* The fds to wait on (readable when records are ready); returns how many (2). */
int sensor__fds(const struct sensor *s, int fds[2]);
/* Reads both rings and delivers their records in kernel-time order (ringmerge.h); returns records read or -errno. */
int sensor__consume(struct sensor *s);
/* Records read but waiting for the rest of their time (ringmerge.h): come back within 1 ms. */
bool sensor__pending(const struct sensor *s);
/* The waiting records go on now (the agent stops). */
void sensor__drain(struct sensor *s);
void sensor__counters(const struct sensor *s, struct sensor_counters *c);
/* Hooks attached and skipped, for the startup summary. */
void sensor__hooks(const struct sensor *s, int *attached, int *skipped);
/* The skipped optional hooks and why, "tracepoint/... (reason); ...", for the startup summary. */
void sensor__skipped_hooks(const struct sensor *s, char *buf, size_t len);

const char *sensor_counter_name(unsigned int counter);

/*
 * Replaces the kernel filters while the programs run: new prefixes are added
 * before stale ones are removed, so no watched open is dropped in between.
 * Logs one line with what changed. On failure the previous filters stay and
 * err says why. Keeps no pointer into @f.
 */
int sensor__set_filters(struct sensor *s, const struct sensor_filters *f, char *err, size_t errlen);

/*
 * Compares the kernel side with what the agent set up (the config and enabled-type maps, the
 * watched prefixes, each link's program) and repairs what it can. Returns how many things
 * differed (0: intact; why then describes them), or -errno if the maps cannot be read.
 */
int sensor__verify(struct sensor *s, char *why, size_t len);
/*
 * Replaces the blocking rules' kernel facts (action: block, compiled by the
 * rules loader). An empty set (n 0) lets the hooks return at once.
 */
int sensor__set_block_facts(struct sensor *s, const struct bw_block_key *facts, size_t n, char *err, size_t errlen);
/* The tier the probe chose and whether enforce mode is on. */
enum bw_tier sensor__tier(const struct sensor *s);

/* The difference of two filter sets (either may be NULL: empty); duplicates in a set count once. */
void sensor_filters_diff(const struct sensor_filters *old, const struct sensor_filters *cur,
			 struct sensor_filters_diff *d);
/* "event types enabled chmod, open; read-only open prefixes added /etc/shadow", or "unchanged (...)". */
void sensor_filters_describe(const struct sensor_filters_diff *d, char *buf, size_t len);

/* An optional hook this kernel lacks: the syscall (evt.type) it would have seen, and why. */
typedef void (*sensor_hook_fn)(void *ctx, const char *syscall, const char *why);
/* The optional hooks the loaded sensor skipped, one call per syscall. */
void sensor__missing_hooks(const struct sensor *s, sensor_hook_fn cb, void *ctx);
/*
 * The same without loading anything, for unprivileged callers (`rules check`):
 * the syscall tracepoints in tracefs where it is readable (what the sensor
 * checks), otherwise the syscall functions in /proc/kallsyms (a weak symbol is
 * the kernel's "not implemented" stub). @how receives which probe answered.
 * Returns 0, or -errno if neither can be read (nothing reported).
 */
int sensor_probe_missing_hooks(sensor_hook_fn cb, void *ctx, const char **how);

#endif
