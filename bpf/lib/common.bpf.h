/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Includes, kernel constants that BTF does not carry, and CO-RE flavors. */
#ifndef BULWARK_COMMON_BPF_H
#define BULWARK_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "../include/abi.h"

/* #defines are not in BTF; these are stable kernel ABI values. */
#define PF_KTHREAD 0x00200000 /* include/linux/sched.h */
#define SIGNAL_GROUP_EXIT 0x00000004 /* include/linux/sched/signal.h: exit_group or a fatal signal */
#define EEXIST 17 /* include/uapi/asm-generic/errno-base.h */

#define O_WRONLY 00000001
#define O_RDWR   00000002
#define O_CREAT  00000100
#define O_TRUNC  00001000
#define O_PATH   010000000
#define BW_WRITE_INTENT (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)

#define S_ISUID 04000
#define S_ISGID 02000

#define AF_UNIX  1
#define AF_INET  2
#define AF_INET6 10

#define PTRACE_ATTACH 16
#define PTRACE_SEIZE  0x4206
#define PTRACE_TRACEME   0
#define PTRACE_POKETEXT  4
#define PTRACE_POKEDATA  5
#define PTRACE_POKEUSER  6
#define PTRACE_SETREGS   13
#define PTRACE_SETFPREGS 15
#define PTRACE_SETREGSET 0x4205
#define BPF_PROG_LOAD_CMD 5

#define FSCONFIG_SET_STRING     1
#define FSCONFIG_SET_PATH       3
#define FSCONFIG_SET_PATH_EMPTY 4

/* include/uapi/linux/magic.h */
#define CGROUP_SUPER_MAGIC    0x27e0eb
#define CGROUP2_SUPER_MAGIC   0x63677270
#define PROC_SUPER_MAGIC      0x9fa0
#define SYSFS_MAGIC           0x62656572
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#define NSFS_MAGIC            0x6e736673

/*
 * Linux 6.15 ("kernfs: Use RCU to access kernfs_node::parent") renamed
 * kernfs_node.parent to __parent; older kernels only have the flavor below.
 */
struct kernfs_node___pre615 {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

/*
 * Linux 6.3 ("capability: use u64 for kernel_cap_t") turned kernel_cap_t from
 * u32 cap[2] into u64 val. Both are 8 bytes, little-endian, same bit order, so
 * the agent reads the 8 bytes raw and needs no flavor.
 */

/*
 * Hides a value from the compiler so that a later mask or bound check is kept:
 * clang drops checks it can prove redundant, the verifier still needs them.
 */
#define bw_barrier_var(var) asm volatile("" : "+r"(var))

static __always_inline struct kernfs_node *bw_kernfs_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(struct kernfs_node, __parent))
		return BPF_CORE_READ(kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___pre615 *)kn, parent);
}

#endif
