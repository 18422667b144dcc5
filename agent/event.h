/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decoding of kernel records. A record is untrusted until event_decode has
 * checked its header, the fixed size of its type and every string descriptor;
 * a record that fails is counted by reason and never read further.
 */
#ifndef BULWARK_EVENT_H
#define BULWARK_EVENT_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi.h"

enum event_malformed {
	EVENT_BAD_SHORT = 0,    /* smaller than the common header */
	EVENT_BAD_SIZE,         /* header size differs from the record size, or over BW_RECORD_MAX */
	EVENT_BAD_VERSION,      /* ABI version the agent does not speak */
	EVENT_BAD_TYPE,         /* unknown event type */
	EVENT_BAD_FIXED,        /* smaller than the fixed part of its type */
	EVENT_BAD_STRING,       /* a string descriptor points outside the string area or lacks its NUL */
	EVENT_BAD_MAX,
};

/* A validated record; pointers are into the caller's buffer. */
struct event_view {
	const struct bw_event *ev;
	size_t size;
};

struct str_view {
	const char *p;
	size_t len;
};

/* Returns 0, or -EINVAL with *why set (and the reason counted in @counts if not NULL). */
int event_decode(const void *data, size_t size, struct event_view *out, enum event_malformed *why,
		 uint64_t counts[EVENT_BAD_MAX]);

/* A string of a validated record ({NULL,0}-safe: absent strings give {"",0}). */
struct str_view event_str(const struct event_view *v, struct bw_str s);

const char *event_type_name(unsigned int type);  /* "exec", ...; NULL if unknown */
int event_type_from_name(const char *name);      /* enum bw_event_type, or -1 */
const char *event_syscall_name(unsigned int sys);/* "openat", ...; NULL if unknown */
const char *event_malformed_name(enum event_malformed why);
size_t event_fixed_size(unsigned int type);      /* 0 if unknown */

/*
 * Wall-clock ns of a record's boot-clock stamp. A record's ktime is untrusted: one
 * beyond what int64 holds, or whose sum overflows, saturates at INT64_MAX instead of
 * wrapping (the event still goes through; its time says it is bogus).
 */
int64_t event_wall_ns(uint64_t ktime, int64_t boot_to_real_ns);

#endif
