/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A latency summary over the last LATENCY_SAMPLES samples (median) and all of
 * them (max): fixed size, no allocation, for counters read once a second.
 */
#ifndef BULWARK_LATENCY_H
#define BULWARK_LATENCY_H

#include <stddef.h>
#include <stdint.h>

#define LATENCY_SAMPLES 1024

struct latency {
	uint32_t samples[LATENCY_SAMPLES]; /* a ring of the last ones, in µs */
	size_t n;                          /* samples ever added */
	uint64_t max_us;
};

void latency_add(struct latency *l, uint64_t us);
/* Median of the last LATENCY_SAMPLES samples; 0 without any. */
uint64_t latency_median(const struct latency *l);

#endif
