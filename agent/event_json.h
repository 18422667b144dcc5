/* SPDX-License-Identifier: Apache-2.0 */
/* One validated event as one JSON object (the `bulwark trace` format, docs/events.md). */
#ifndef BULWARK_EVENT_JSON_H
#define BULWARK_EVENT_JSON_H

#include <stdint.h>

#include "container.h"
#include "event.h"
#include "jsonw.h"
#include "proctree.h"

#define EVENT_MAX_ANCESTORS 16

/* What the agent knows about an event's process beyond the record. */
struct event_context {
	const struct proc_info *proc;           /* exe, args, cgroup (NULL: unknown, keys empty) */
	const struct container_info *container; /* NULL: not resolved, the keys are left out */
	/* exec on the host of a file in a container's overlay upper directory: that container */
	const struct container_info *layer_container;
	const struct proc_info *ancestors[EVENT_MAX_ANCESTORS]; /* parent first */
	size_t n_ancestors;
};

/*
 * Appends the object (no newline). boot_to_real_ns turns the kernel's
 * CLOCK_BOOTTIME stamps into wall-clock time.
 */
void event_json(struct strbuf *sb, const struct event_view *v, const struct event_context *ctx,
		int64_t boot_to_real_ns);

/*
 * A container_start object: the container's identity and posture, and the
 * event (and process) that revealed it.
 */
void event_json_container_start(struct strbuf *sb, const struct event_view *trigger,
				const struct event_context *ctx, int64_t boot_to_real_ns);

/* CLOCK_REALTIME - CLOCK_BOOTTIME, in ns, now. */
int64_t event_boot_to_real_ns(void);

#endif
