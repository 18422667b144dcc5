/* SPDX-License-Identifier: Apache-2.0 */
/* `bulwark trace`: every event as one JSON line on stdout until SIGINT/SIGTERM. */
#ifndef BULWARK_TRACE_H
#define BULWARK_TRACE_H

#include <stdbool.h>
#include <stddef.h>

#include "container.h"
#include "sensor.h"

struct trace_opts {
	bool events[BW_EV_MAX];
	const char *const *ro_prefixes;
	size_t n_ro_prefixes;
	size_t proc_cache_size; /* process cache entries */
	const char *procfs;     /* /proc of the host */
	size_t ancestry_depth;  /* ancestors printed per event (at most EVENT_MAX_ANCESTORS) */
	struct container_opts containers;
};

/* Returns the process exit status: 0 after a clean stop, 1 on a runtime error, 2 if it cannot start. */
int trace_run(const struct trace_opts *opts);

#endif
