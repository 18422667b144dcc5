// SPDX-License-Identifier: Apache-2.0
#include "latency.h"

#include <stdlib.h>
#include <string.h>

void latency_add(struct latency *l, uint64_t us)
{
	l->samples[l->n++ % LATENCY_SAMPLES] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
	if (us > l->max_us)
		l->max_us = us;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t latency_median(const struct latency *l)
{
	uint32_t tmp[LATENCY_SAMPLES];
	size_t n = l->n < LATENCY_SAMPLES ? l->n : LATENCY_SAMPLES;

	if (!n)
		return 0;
	memcpy(tmp, l->samples, n * sizeof(tmp[0]));
	qsort(tmp, n, sizeof(tmp[0]), cmp_u32);
	return tmp[n / 2];
}
