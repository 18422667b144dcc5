/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Filters, counters, record construction in the per-CPU scratch, and submission. */
#ifndef BULWARK_EMIT_BPF_H
#define BULWARK_EMIT_BPF_H

#include "../maps.bpf.h"

#define BW_REC_MASK (BW_RECORD_MAX - 1)

static __always_inline void bw_count(__u32 counter)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &counter);

	if (v)
		(*v)++;
}

static __always_inline struct bw_config *bw_config(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&bw_config_map, &zero);
}

/* Should an event of this type, caused by the current task, be traced at all? */
static __always_inline bool bw_wanted(__u32 type)
{
	__u32 *on = bpf_map_lookup_elem(&enabled_types, &type);
	struct bw_config *cfg;

	if (!on || !*on) {
		bw_count(BW_CNT_FILTER_TYPE);
		return false;
	}
	cfg = bw_config();
	if (cfg && cfg->agent_tgid && cfg->agent_tgid == (__u32)(bpf_get_current_pid_tgid() >> 32)) {
		bw_count(BW_CNT_FILTER_SELF);
		return false;
	}
	return true;
}

/*
 * The per-CPU scratch buffer where a record is built. Syscall and raw
 * tracepoint programs do not nest on one CPU for the same program, and the
 * record is submitted before the program returns.
 */
static __always_inline void *bw_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch, &zero);
}

/*
 * Appends a kernel string to the record's string area and fills its
 * descriptor. @max includes the NUL. Offsets are masked so the verifier can
 * prove the write stays in the (2 * BW_RECORD_MAX) buffer.
 */
static __always_inline void bw_put_kstr(void *rec, __u32 *cursor, struct bw_str *d,
					const void *src, __u32 max, __u32 *flags, __u32 trunc_flag)
{
	__u32 off = *cursor;
	long n;

	if (!src)
		return;
	if (off > BW_RECORD_MAX - max) {
		*flags |= trunc_flag;
		return;
	}
	n = bpf_probe_read_kernel_str(rec + (off & BW_REC_MASK), max, src);
	if (n <= 0)
		return;
	if (n == max)
		*flags |= trunc_flag;
	d->off = off;
	d->len = n - 1;
	*cursor = off + n;
}

/* Same, for a string in user memory. */
static __always_inline void bw_put_ustr(void *rec, __u32 *cursor, struct bw_str *d,
					const void *src, __u32 max, __u32 *flags)
{
	__u32 off = *cursor;
	long n;

	if (!src)
		return;
	if (off > BW_RECORD_MAX - max) {
		*flags |= BW_F_TRUNC_STR;
		return;
	}
	n = bpf_probe_read_user_str(rec + (off & BW_REC_MASK), max, src);
	if (n <= 0)
		return;
	if (n == max)
		*flags |= BW_F_TRUNC_STR;
	d->off = off;
	d->len = n - 1;
	*cursor = off + n;
}

/* The ring a type rides, from the catalogue (BW_EVENT_TYPES in abi.h). */
static __always_inline __u32 bw_type_ring(__u32 type)
{
	return type < BW_EV_MAX && ((BW_CRITICAL_TYPES >> type) & 1) ? BW_RING_CRITICAL : BW_RING_COMMON;
}

/*
 * Fills the header and sends the record on @ring; a full ring buffer is
 * counted, per type and per ring. Only a program that decides per record
 * (the open exit) calls this directly; the others use bw_submit.
 */
static __always_inline void bw_submit_ring(void *rec, __u32 size, __u32 ring)
{
	struct bw_event *ev = rec;
	__u32 type = ev->hdr.type;
	long err;

	if (size > BW_RECORD_MAX)
		size = BW_RECORD_MAX;
	ev->hdr.version = BW_ABI_VERSION;
	ev->hdr.size = size;
	ev->hdr.ktime = bpf_ktime_get_boot_ns();
	if (ring == BW_RING_CRITICAL)
		err = bpf_ringbuf_output(&rb_critical, rec, size, 0);
	else
		err = bpf_ringbuf_output(&rb_common, rec, size, 0);
	if (err) {
		__u64 *v = bpf_map_lookup_elem(&drops, &type);

		if (v)
			(*v)++;
		bw_count(ring == BW_RING_CRITICAL ? BW_CNT_DROP_CRITICAL : BW_CNT_DROP_COMMON);
		return;
	}
	bw_count(BW_CNT_EMITTED);
}

/* Sends the record on the ring its type rides. */
static __always_inline void bw_submit(void *rec, __u32 size)
{
	bw_submit_ring(rec, size, bw_type_ring(((struct bw_event *)rec)->hdr.type));
}

#endif
