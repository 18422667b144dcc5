/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Process identity of a task. */
#ifndef BULWARK_TASK_BPF_H
#define BULWARK_TASK_BPF_H

#include "common.bpf.h"

static __always_inline __u32 bw_task_pid_ns(struct task_struct *t)
{
	struct pid *p = t->thread_pid;
	unsigned int level = p->level;
	struct upid up = {};

	/* numbers[level] is the task's own (innermost) pid namespace. */
	bpf_core_read(&up, sizeof(up), &p->numbers[level & 31]);
	return BPF_CORE_READ(up.ns, ns.inum);
}

/* Fills everything but cgroup_id, which only the current task's helper gives cheaply. */
static __always_inline void bw_fill_proc(struct bw_proc *p, struct task_struct *t)
{
	struct task_struct *parent = t->real_parent;
	const struct cred *cred = t->cred;

	p->pid = t->tgid;
	p->tid = t->pid;
	p->ppid = parent->tgid;
	p->uid = cred->uid.val;
	p->euid = cred->euid.val;
	p->gid = cred->gid.val;
	p->egid = cred->egid.val;
	p->start_time = t->group_leader->start_boottime;
	p->parent_start_time = parent->group_leader->start_boottime;
	p->mnt_ns = t->nsproxy->mnt_ns->ns.inum;
	p->net_ns = t->nsproxy->net_ns->ns.inum;
	p->user_ns = cred->user_ns->ns.inum;
	p->pid_ns = bw_task_pid_ns(t);
	/* two loads; the kernel keeps comm NUL-terminated */
	__builtin_memcpy(p->comm, t->comm, sizeof(p->comm));
}

static __always_inline struct task_struct *bw_current(void)
{
	return bpf_get_current_task_btf();
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
