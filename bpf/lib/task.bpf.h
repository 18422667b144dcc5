/* SPDX-License-Identifier: Apache-2.0 */
/* Process identity of a task. */
#ifndef BULWARK_TASK_BPF_H
#define BULWARK_TASK_BPF_H

#include "common.bpf.h"

static __always_inline __u32 bw_task_pid_ns(struct task_struct *t)
{
	struct pid *p = BPF_CORE_READ(t, thread_pid);
	unsigned int level = BPF_CORE_READ(p, level);
	struct upid up = {};

	/* numbers[level] is the task's own (innermost) pid namespace. */
	bpf_core_read(&up, sizeof(up), &p->numbers[level & 31]);
	return BPF_CORE_READ(up.ns, ns.inum);
}

/* Fills everything but cgroup_id, which only the current task's helper gives cheaply. */
static __always_inline void bw_fill_proc(struct bw_proc *p, struct task_struct *t)
{
	struct task_struct *parent = BPF_CORE_READ(t, real_parent);
	const struct cred *cred = BPF_CORE_READ(t, cred);

	p->pid = BPF_CORE_READ(t, tgid);
	p->tid = BPF_CORE_READ(t, pid);
	p->ppid = BPF_CORE_READ(parent, tgid);
	p->uid = BPF_CORE_READ(cred, uid.val);
	p->euid = BPF_CORE_READ(cred, euid.val);
	p->gid = BPF_CORE_READ(cred, gid.val);
	p->egid = BPF_CORE_READ(cred, egid.val);
	/*
	 * A process is named by its thread group leader's start (what
	 * /proc/<pid>/stat shows), whichever of its threads acts; the real
	 * parent may be a thread of its process too.
	 */
	p->start_time = BPF_CORE_READ(t, group_leader, start_boottime);
	p->parent_start_time = BPF_CORE_READ(parent, group_leader, start_boottime);
	p->mnt_ns = BPF_CORE_READ(t, nsproxy, mnt_ns, ns.inum);
	p->net_ns = BPF_CORE_READ(t, nsproxy, net_ns, ns.inum);
	p->user_ns = BPF_CORE_READ(cred, user_ns, ns.inum);
	p->pid_ns = bw_task_pid_ns(t);
	BPF_CORE_READ_STR_INTO(&p->comm, t, comm);
}

static __always_inline struct task_struct *bw_current(void)
{
	return (struct task_struct *)bpf_get_current_task();
}

/* Starts a record in the scratch buffer for the current task. */
static __always_inline struct bw_event *bw_begin(void *rec, __u32 type, __u32 fixed_size)
{
	struct bw_event *ev = rec;

	/* The fixed part is rebuilt from zero: no byte of an earlier record leaks into this one. */
	__builtin_memset(rec, 0, fixed_size);
	ev->hdr.type = type;
	bw_fill_proc(&ev->proc, bw_current());
	ev->proc.cgroup_id = bpf_get_current_cgroup_id();
	return ev;
}

#endif
