/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Connect sweeps: how many distinct destinations one process (or one container:
 * all processes of a pid namespace other than the host's) connected to in the
 * last few seconds. A bounded table of windows, allocated once;
 * each connect updates its process's window and reads the counts the rule
 * fields bulwark.net.sweep_ports and bulwark.net.sweep_hosts show.
 */
#ifndef BULWARK_NETWATCH_H
#define BULWARK_NETWATCH_H

#include <stdint.h>

#include "event.h"

#define NETWATCH_PROCS     1024                  /* processes tracked at once (default) */
#define NETWATCH_SLOTS     64                    /* connects remembered per process: counts saturate here */
#define NETWATCH_WINDOW_NS (10 * 1000000000ULL)  /* the window */

struct netwatch;

struct netwatch_counts {
	uint32_t ports; /* distinct destination ports in the window, this connect included */
	uint32_t hosts; /* distinct destination addresses in the window, this connect included */
};

struct netwatch_stats {
	uint64_t observed;  /* inet/inet6 connects recorded */
	uint64_t evictions; /* a process's window dropped to make room for another's */
	uint32_t tracked;   /* processes with a window now */
};

/* @procs: table size (rounded up to a multiple of 4); @window_ns: the window. NULL with errno on failure. */
struct netwatch *netwatch__new(unsigned int procs, uint64_t window_ns);
void netwatch__free(struct netwatch *nw);

/*
 * Records @v if it is an inet or inet6 connect (any result: a sweep is mostly
 * refused or in progress) at @now_ns, and sets @out to its window's counts;
 * @out is zero for every other event. @now_ns is any clock that does not go
 * back within a stream: the record's boot-clock ktime live, the line's time
 * in a replay (whose ktime may be unknown).
 */
void netwatch__observe(struct netwatch *nw, const struct event_view *v, uint64_t now_ns,
		       struct netwatch_counts *out);

void netwatch__stats(const struct netwatch *nw, struct netwatch_stats *st);

#endif
