/* SPDX-License-Identifier: Apache-2.0 */
/* One validated event as one JSON object (the `bulwark trace` format, docs/events.md). */
#ifndef BULWARK_EVENT_JSON_H
#define BULWARK_EVENT_JSON_H

#include <stdint.h>

#include "event.h"
#include "jsonw.h"
#include "proctree.h"

/*
 * Appends the object (no newline). pi gives exe, args and cgroup of the
 * process (NULL when unknown: the keys are then empty). boot_to_real_ns turns
 * the kernel's CLOCK_BOOTTIME stamps into wall-clock time.
 */
void event_json(struct strbuf *sb, const struct event_view *v, const struct proc_info *pi,
		int64_t boot_to_real_ns);

/* CLOCK_REALTIME - CLOCK_BOOTTIME, in ns, now. */
int64_t event_boot_to_real_ns(void);

#endif
