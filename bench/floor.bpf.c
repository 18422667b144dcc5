// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The kernel's floor: do-nothing programs that bench/floor.c attaches to
 * exactly the hooks bulwark attaches (read from bulwark's own BPF object), so
 * that the cost of merely being attached is measured apart from the cost of
 * what bulwark's programs do.
 *
 * Also the alternative hook design, for the decision in docs/BENCHMARKS.md:
 * one raw tp_btf sys_enter/sys_exit pair that every syscall runs, filtering
 * the syscall numbers bulwark hooks with an array lookup.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* one program, attached to every syscalls/sys_{enter,exit}_* tracepoint */
SEC("tracepoint")
int floor_tp(void *ctx)
{
	return 0;
}

/* the same, for a tracepoint bulwark hooks with two programs */
SEC("tracepoint")
int floor_tp2(void *ctx)
{
	return 0;
}

/* a tp_btf program is bound to its target at load: one per hook (the loader sets the targets) */
#define FLOOR_BTF(n)                      \
	SEC("tp_btf")                     \
	int floor_btf##n(void *ctx)       \
	{                                 \
		return 0;                 \
	}
FLOOR_BTF(0)
FLOOR_BTF(1)
FLOOR_BTF(2)
FLOOR_BTF(3)
FLOOR_BTF(4)
FLOOR_BTF(5)
FLOOR_BTF(6)
FLOOR_BTF(7)
FLOOR_BTF(8)
FLOOR_BTF(9)
FLOOR_BTF(10)
FLOOR_BTF(11)

/* syscall numbers bulwark hooks (1 = hooked), filled by the loader in --raw-syscalls mode */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 512);
	__type(key, __u32);
	__type(value, __u32);
} floor_sysnrs SEC(".maps");

/* counts the calls that pass the filter, so that the lookup is not optimised away */
__u64 floor_hits;

static __always_inline int floor_filter(long id)
{
	__u32 key = id;
	__u32 *on = bpf_map_lookup_elem(&floor_sysnrs, &key);

	if (on && *on)
		__sync_fetch_and_add(&floor_hits, 1);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(floor_sys_enter, struct pt_regs *regs, long id)
{
	return floor_filter(id);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(floor_sys_exit, struct pt_regs *regs, long ret)
{
	return floor_filter(regs->orig_ax);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
