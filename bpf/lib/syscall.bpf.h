/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Syscall entry/exit pairing. Entry programs capture the arguments and the
 * caller's strings (user memory can change before exit: TOCTOU); exit programs
 * add the result and the facts resolved from kernel objects.
 */
#ifndef BULWARK_SYSCALL_BPF_H
#define BULWARK_SYSCALL_BPF_H

#include "path.bpf.h"
#include "task.bpf.h"

#define BW_ARGS(ctx) ((struct trace_event_raw_sys_enter *)(ctx))->args
#define BW_RET(ctx) ((struct trace_event_raw_sys_exit *)(ctx))->ret

static __always_inline __u32 bw_tid(void)
{
	return (__u32)bpf_get_current_pid_tgid();
}

/*
 * A zeroed per-CPU staging entry, filled by the entry program then stored by
 * bw_pending_commit. @nargs is the syscall's argument count: a syscall
 * tracepoint's record holds only that many, and the kernel refuses to attach
 * a program that reads past it (EACCES), so each read is guarded by a
 * constant the compiler folds away.
 */
static __always_inline struct bw_pending *bw_pending_begin(__u32 type, __u32 syscall,
							   struct trace_event_raw_sys_enter *ctx, const int nargs)
{
	__u32 zero = 0;
	struct bw_pending *p = bpf_map_lookup_elem(&pending_stage, &zero);
	int i;

	if (!p)
		return NULL;
	p->type = type;
	p->syscall = syscall;
	p->flags = 0;
	p->deferred = 0;
	/* constant offsets: the verifier refuses ctx accesses through a moving pointer */
	p->args[0] = nargs > 0 ? ctx->args[0] : 0;
	p->args[1] = nargs > 1 ? ctx->args[1] : 0;
	p->args[2] = nargs > 2 ? ctx->args[2] : 0;
	p->args[3] = nargs > 3 ? ctx->args[3] : 0;
	p->args[4] = nargs > 4 ? ctx->args[4] : 0;
	p->args[5] = nargs > 5 ? ctx->args[5] : 0;
	for (i = 0; i < 4; i++)
		p->extra[i] = 0;
	p->s0[0] = p->s1[0] = p->s2[0] = '\0';
	return p;
}

static __always_inline void bw_pending_commit(struct bw_pending *p)
{
	__u32 tid = bw_tid();

	if (bpf_map_update_elem(&pending, &tid, p, BPF_ANY))
		bw_count(BW_CNT_DROP_PENDING);
}

/* Pending string slots. */
#define BW_SLOT_S0 0
#define BW_SLOT_S1 1
#define BW_SLOT_S2 2

/*
 * Copies a caller string into a pending slot; notes truncation. A string in a
 * page the task has not touched yet (typically .rodata right after fork)
 * cannot be read from a tracepoint, which may not fault: the read is then
 * retried at exit, after the syscall itself has faulted the page in.
 */
static __always_inline void bw_pending_ustr(struct bw_pending *p, int slot, const void *src)
{
	char *dst = slot == BW_SLOT_S0 ? p->s0 : slot == BW_SLOT_S1 ? p->s1 : p->s2;
	__u32 max = slot == BW_SLOT_S2 ? BW_USHORT_MAX : BW_UPATH_MAX;
	long n;

	if (!src)
		return;
	n = bpf_probe_read_user_str(dst, max, src);
	if (n == max)
		p->flags |= BW_F_TRUNC_STR;
	if (n < 0) {
		dst[0] = '\0';
		p->deferred |= 1u << slot;
		p->uptr[slot & 3] = (__u64)src;
	}
}

static __always_inline void bw_pending_retry(struct bw_pending *p)
{
	long n;

	if (p->deferred & (1u << BW_SLOT_S0)) {
		n = bpf_probe_read_user_str(p->s0, BW_UPATH_MAX, (void *)p->uptr[0]);
		if (n == BW_UPATH_MAX)
			p->flags |= BW_F_TRUNC_STR;
	}
	if (p->deferred & (1u << BW_SLOT_S1)) {
		n = bpf_probe_read_user_str(p->s1, BW_UPATH_MAX, (void *)p->uptr[1]);
		if (n == BW_UPATH_MAX)
			p->flags |= BW_F_TRUNC_STR;
	}
	if (p->deferred & (1u << BW_SLOT_S2)) {
		n = bpf_probe_read_user_str(p->s2, BW_USHORT_MAX, (void *)p->uptr[2]);
		if (n == BW_USHORT_MAX)
			p->flags |= BW_F_TRUNC_STR;
	}
}

/*
 * The entry of the current thread's syscall, if it was one of @type (an exit
 * whose entry was filtered out finds nothing); removed by bw_pending_end.
 */
static __always_inline struct bw_pending *bw_pending_take(__u32 type)
{
	__u32 tid = bw_tid();
	struct bw_pending *p = bpf_map_lookup_elem(&pending, &tid);

	if (!p || p->type != type)
		return NULL;
	if (p->deferred)
		bw_pending_retry(p);
	return p;
}

static __always_inline void bw_pending_end(void)
{
	__u32 tid = bw_tid();

	bpf_map_delete_elem(&pending, &tid);
}

/* Starts the record of a syscall event from its pending entry and return value. */
static __always_inline struct bw_event *bw_begin_syscall(void *rec, struct bw_pending *p, __u32 fixed_size,
							  long ret)
{
	struct bw_event *ev = bw_begin(rec, p->type, fixed_size);

	ev->res = ret;
	ev->syscall = p->syscall;
	ev->flags = p->flags;
	return ev;
}

/* Appends a string captured at entry (kept in the pending entry) to the record. */
static __always_inline void bw_put_saved(void *rec, __u32 *cursor, struct bw_str *d, const char *s, __u32 max,
					 __u32 *flags)
{
	if (s[0])
		bw_put_kstr(rec, cursor, d, s, max, flags, BW_F_TRUNC_STR);
}

/* Declares the entry and exit programs of a syscall tracepoint pair. */
#define BW_SYSCALL_ENTER(name) SEC("tracepoint/syscalls/sys_enter_" #name) int enter_##name(void *ctx)
#define BW_SYSCALL_EXIT(name) SEC("tracepoint/syscalls/sys_exit_" #name) int exit_##name(void *ctx)

#endif
