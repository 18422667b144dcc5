// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * cgroup directory creation and task attach (cgroup tracepoints). Writes to
 * cgroup control files (release_agent, notify_on_release, cgroup.procs,
 * tasks) are open events recognised by filesystem magic in file.bpf.c.
 */
#include "../lib/syscall.bpf.h"

static __always_inline int bw_cgroup_event(__u32 type, struct cgroup *cgrp, const char *path,
					   struct task_struct *task, bool threadgroup)
{
	struct cgroup_root *root = BPF_CORE_READ(cgrp, root);
	__u32 cursor = sizeof(struct bw_cgroup);
	struct bw_cgroup *c;
	void *rec;

	if (!bw_wanted(type))
		return 0;
	rec = bw_scratch();
	if (!rec)
		return 0;
	c = (struct bw_cgroup *)bw_begin(rec, type, sizeof(struct bw_cgroup));
	c->cgroup_id = BPF_CORE_READ(cgrp, kn, id);
	c->hierarchy_id = BPF_CORE_READ(root, hierarchy_id);
	c->subsys_mask = BPF_CORE_READ(root, subsys_mask);
	if (task) {
		c->target_pid = BPF_CORE_READ(task, pid);
		c->threadgroup = threadgroup;
	}
	bw_put_kstr(rec, &cursor, &c->path, path, BW_UPATH_MAX, &c->ev.flags, BW_F_TRUNC_PATH);
	bw_put_kstr(rec, &cursor, &c->hierarchy, root->name, sizeof(root->name), &c->ev.flags, BW_F_TRUNC_STR);
	bw_submit(rec, cursor);
	return 0;
}

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(on_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	return bw_cgroup_event(BW_EV_CGROUP_MKDIR, cgrp, path, NULL, false);
}

SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(on_cgroup_attach, struct cgroup *dst_cgrp, const char *path, struct task_struct *task,
	     bool threadgroup)
{
	return bw_cgroup_event(BW_EV_CGROUP_ATTACH, dst_cgrp, path, task, threadgroup);
}
