/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Prevention: is a write-open one that a blocking rule (action: block)
 * stops? Decided in the kernel from kernel facts alone (the task's
 * namespaces, the file's superblock magic and dentry names), never from a
 * path string the caller chose and never by waiting for the agent.
 */
#ifndef BULWARK_BLOCK_BPF_H
#define BULWARK_BLOCK_BPF_H

#include "emit.bpf.h"

#define FMODE_WRITE 0x2 /* include/linux/fs.h */
#define BW_EPERM 1
#define BW_SIGKILL 9

/*
 * A task is in a container when its mount namespace is not the host's and
 * its pid or cgroup namespace is not either (a host service with private
 * mounts, systemd's PrivateTmp, keeps the host's pid and cgroup namespaces).
 * The agent, kernel threads and the host are never blocked.
 */
static __always_inline bool bw_block_subject(struct task_struct *t, const struct bw_config *cfg)
{
	if (BPF_CORE_READ(t, flags) & PF_KTHREAD)
		return false;
	/* the host's namespaces unknown: no task is known to be in a container */
	if (!cfg->host_mnt_ns || !cfg->host_cgroup_ns)
		return false;
	if (cfg->agent_tgid == (__u32)BPF_CORE_READ(t, tgid))
		return false;
	if (BPF_CORE_READ(t, nsproxy, mnt_ns, ns.inum) == cfg->host_mnt_ns)
		return false;
	if (BPF_CORE_READ(t, thread_pid, level) > 0)
		return true;
	return BPF_CORE_READ(t, nsproxy, cgroup_ns, ns.inum) != cfg->host_cgroup_ns;
}

/* Does @file, opened for writing by a container task, match a blocking rule's facts? */
static __always_inline bool bw_block_match(struct file *file, const struct bw_config *cfg)
{
	__u32 zero = 0;
	struct bw_block_key *k;
	struct dentry *d;

	if (!cfg->block_facts || !(BPF_CORE_READ(file, f_mode) & FMODE_WRITE))
		return false;
	if (!bw_block_subject(bpf_get_current_task_btf(), cfg))
		return false;
	/* the key is built per CPU: the open exit's stack has no room left for its 104 bytes */
	k = bpf_map_lookup_elem(&block_key_scratch, &zero);
	if (!k)
		return false;
	__builtin_memset(k, 0, sizeof(*k));
	d = BPF_CORE_READ(file, f_path.dentry);
	k->fs_magic = BPF_CORE_READ(d, d_sb, s_magic);
	bpf_probe_read_kernel_str(k->name, sizeof(k->name), BPF_CORE_READ(d, d_name.name));
	k->depth = 1;
	if (bpf_map_lookup_elem(&block_facts, k))
		return true;
	d = BPF_CORE_READ(d, d_parent);
	bpf_probe_read_kernel_str(k->parent, sizeof(k->parent), BPF_CORE_READ(d, d_name.name));
	k->depth = 2;
	if (bpf_map_lookup_elem(&block_facts, k))
		return true;
	d = BPF_CORE_READ(d, d_parent);
	bpf_probe_read_kernel_str(k->gparent, sizeof(k->gparent), BPF_CORE_READ(d, d_name.name));
	k->depth = 3;
	return bpf_map_lookup_elem(&block_facts, k) != NULL;
}

/* At a write-open's entry: a mark left by an earlier open of this thread is not this one's. */
static __always_inline void bw_block_clear(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_delete_elem(&block_marks, &tid);
}

/* bw_block_exit: the LSM/fmod_ret hook reported this open already (with its file): send nothing */
#define BW_BLOCK_REPORTED (1u << 31)

/*
 * At an open's syscall exit or io_uring completion, in the thread that
 * opened: BW_BLOCK_REPORTED when the LSM/fmod_ret hook refused this open
 * (it sent the record itself, while it still had the file); on the
 * tracepoint tier in enforce mode, BW_F_BLOCKED when the file it opened
 * (@file, NULL if it failed) matches a blocking rule: the process is sent
 * SIGKILL, which it takes before it returns to user space, so before its
 * first write. Else 0.
 */
static __always_inline __u32 bw_block_exit(long ret, struct file *file)
{
	struct bw_config *cfg = bw_config();
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (!cfg || !cfg->enforce)
		return 0;
	if (cfg->tier != BW_TIER_TRACEPOINTS) {
		if (ret != -BW_EPERM || !bpf_map_lookup_elem(&block_marks, &tid))
			return 0;
		bpf_map_delete_elem(&block_marks, &tid);
		return BW_BLOCK_REPORTED;
	}
	if (ret < 0 || !file || !bw_block_match(file, cfg))
		return 0;
	bpf_send_signal(BW_SIGKILL);
	bw_count(BW_CNT_BLOCKED);
	return BW_F_BLOCKED;
}

#endif
