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

struct sensor_opts {
	bool events[BW_EV_MAX];         /* event types to emit (index enum bw_event_type) */
	const char *const *ro_prefixes; /* path prefixes whose read-only opens are reported */
	size_t n_ro_prefixes;
	sensor_record_fn on_record;
	void *ctx;
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
/* Delivers every ready record, critical ring first; returns records delivered or -errno. */
int sensor__consume(struct sensor *s);
void sensor__counters(const struct sensor *s, struct sensor_counters *c);
/* Hooks attached and skipped, for the startup summary. */
void sensor__hooks(const struct sensor *s, int *attached, int *skipped);
/* The skipped optional hooks and why, "tracepoint/... (reason); ...", for the startup summary. */
void sensor__skipped_hooks(const struct sensor *s, char *buf, size_t len);

const char *sensor_counter_name(unsigned int counter);

#endif
