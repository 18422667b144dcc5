// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Mounts and namespaces: mount, umount2, the new mount API (fsopen, fsconfig,
 * fsmount, move_mount, open_tree), pivot_root, chroot, unshare, setns.
 * All of them ride the critical ring buffer (their ring in abi.h's catalogue).
 *
 * Pending strings: s0 = source (or the single path), s1 = target, s2 = fs type / key.
 */
#include "../lib/syscall.bpf.h"

static __always_inline struct bw_pending *bw_mount_begin(void *ctx, const int nargs, __u32 type, __u32 syscall)
{
	if (!bw_wanted(type))
		return NULL;
	return bw_pending_begin(type, syscall, ctx, nargs);
}

BW_SYSCALL_ENTER(mount)
{
	struct bw_pending *p = bw_mount_begin(ctx, 5, BW_EV_MOUNT, BW_SYS_MOUNT);

	if (!p)
		return 0;
	bw_pending_ustr(p, BW_SLOT_S0, (void *)BW_ARGS(ctx)[0]);
	bw_pending_ustr(p, BW_SLOT_S1, (void *)BW_ARGS(ctx)[1]);
	bw_pending_ustr(p, BW_SLOT_S2, (void *)BW_ARGS(ctx)[2]);
	p->extra[0] = BW_ARGS(ctx)[3];
	bw_pending_commit(p);
	return 0;
}

/* umount2(target, flags); on x86_64 its tracepoint is named sys_enter_umount. */
BW_SYSCALL_ENTER(umount)
{
	struct bw_pending *p = bw_mount_begin(ctx, 2, BW_EV_UMOUNT, BW_SYS_UMOUNT2);

	if (!p)
		return 0;
	bw_pending_ustr(p, BW_SLOT_S1, (void *)BW_ARGS(ctx)[0]);
	p->extra[0] = BW_ARGS(ctx)[1];
	bw_pending_commit(p);
	return 0;
}

BW_SYSCALL_ENTER(fsopen)
{
	struct bw_pending *p = bw_mount_begin(ctx, 2, BW_EV_MOUNT, BW_SYS_FSOPEN);

	if (!p)
		return 0;
	bw_pending_ustr(p, BW_SLOT_S2, (void *)BW_ARGS(ctx)[0]);
	p->extra[0] = BW_ARGS(ctx)[1];
	bw_pending_commit(p);
	return 0;
}

BW_SYSCALL_ENTER(fsconfig)
{
	struct bw_pending *p = bw_mount_begin(ctx, 5, BW_EV_MOUNT, BW_SYS_FSCONFIG);
	__u32 cmd = BW_ARGS(ctx)[1];

	if (!p)
		return 0;
	p->extra[1] = BW_ARGS(ctx)[0];
	p->extra[2] = cmd;
	bw_pending_ustr(p, BW_SLOT_S2, (void *)BW_ARGS(ctx)[2]);
	/* value is a string only for these commands; otherwise a binary blob or an fd */
	if (cmd == FSCONFIG_SET_STRING || cmd == FSCONFIG_SET_PATH || cmd == FSCONFIG_SET_PATH_EMPTY)
		bw_pending_ustr(p, BW_SLOT_S0, (void *)BW_ARGS(ctx)[3]);
	bw_pending_commit(p);
	return 0;
}

BW_SYSCALL_ENTER(fsmount)
{
	struct bw_pending *p = bw_mount_begin(ctx, 3, BW_EV_MOUNT, BW_SYS_FSMOUNT);

	if (!p)
		return 0;
	p->extra[1] = BW_ARGS(ctx)[0];
	/* flags in the low half, mount attributes (MOUNT_ATTR_*) in the high half */
	p->extra[0] = (BW_ARGS(ctx)[1] & 0xffffffff) | (BW_ARGS(ctx)[2] << 32);
	bw_pending_commit(p);
	return 0;
}

BW_SYSCALL_ENTER(move_mount)
{
	struct bw_pending *p = bw_mount_begin(ctx, 5, BW_EV_MOUNT, BW_SYS_MOVE_MOUNT);

	if (!p)
		return 0;
	p->extra[1] = BW_ARGS(ctx)[0];
	bw_pending_ustr(p, BW_SLOT_S0, (void *)BW_ARGS(ctx)[1]);
	bw_pending_ustr(p, BW_SLOT_S1, (void *)BW_ARGS(ctx)[3]);
	p->extra[0] = BW_ARGS(ctx)[4];
	bw_pending_commit(p);
	return 0;
}

BW_SYSCALL_ENTER(open_tree)
{
	struct bw_pending *p = bw_mount_begin(ctx, 3, BW_EV_MOUNT, BW_SYS_OPEN_TREE);

	if (!p)
		return 0;
	p->extra[1] = BW_ARGS(ctx)[0];
	bw_pending_ustr(p, BW_SLOT_S0, (void *)BW_ARGS(ctx)[1]);
	p->extra[0] = BW_ARGS(ctx)[2];
	bw_pending_commit(p);
	return 0;
}

BW_SYSCALL_ENTER(pivot_root)
{
	struct bw_pending *p = bw_mount_begin(ctx, 2, BW_EV_PIVOT_ROOT, BW_SYS_PIVOT_ROOT);

	if (!p)
		return 0;
	bw_pending_ustr(p, BW_SLOT_S0, (void *)BW_ARGS(ctx)[0]);
	bw_pending_ustr(p, BW_SLOT_S1, (void *)BW_ARGS(ctx)[1]);
	bw_pending_commit(p);
	return 0;
}

BW_SYSCALL_ENTER(chroot)
{
	struct bw_pending *p = bw_mount_begin(ctx, 1, BW_EV_CHROOT, BW_SYS_CHROOT);

	if (!p)
		return 0;
	bw_pending_ustr(p, BW_SLOT_S1, (void *)BW_ARGS(ctx)[0]);
	bw_pending_commit(p);
	return 0;
}

static __always_inline int bw_mount_exit(void *ctx, __u32 type)
{
	struct bw_pending *p = bw_pending_take(type);
	__u32 cursor = sizeof(struct bw_mount);
	struct bw_mount *m;
	void *rec;

	if (!p)
		return 0;
	rec = bw_scratch();
	if (!rec)
		goto end;
	m = (struct bw_mount *)bw_begin_syscall(rec, p, sizeof(struct bw_mount), BW_RET(ctx));
	m->flags = p->extra[0];
	m->fd = (__s32)p->extra[1];
	m->cmd = p->extra[2];
	bw_put_saved(rec, &cursor, &m->source, p->s0, BW_UPATH_MAX, &m->ev.flags);
	bw_put_saved(rec, &cursor, &m->target, p->s1, BW_UPATH_MAX, &m->ev.flags);
	bw_put_saved(rec, &cursor, &m->fs, p->s2, BW_USHORT_MAX, &m->ev.flags);
	bw_submit(rec, cursor);
end:
	bw_pending_end();
	return 0;
}

BW_SYSCALL_EXIT(mount) { return bw_mount_exit(ctx, BW_EV_MOUNT); }
BW_SYSCALL_EXIT(umount) { return bw_mount_exit(ctx, BW_EV_UMOUNT); }
BW_SYSCALL_EXIT(fsopen) { return bw_mount_exit(ctx, BW_EV_MOUNT); }
BW_SYSCALL_EXIT(fsconfig) { return bw_mount_exit(ctx, BW_EV_MOUNT); }
BW_SYSCALL_EXIT(fsmount) { return bw_mount_exit(ctx, BW_EV_MOUNT); }
BW_SYSCALL_EXIT(move_mount) { return bw_mount_exit(ctx, BW_EV_MOUNT); }
BW_SYSCALL_EXIT(open_tree) { return bw_mount_exit(ctx, BW_EV_MOUNT); }
BW_SYSCALL_EXIT(pivot_root) { return bw_mount_exit(ctx, BW_EV_PIVOT_ROOT); }
BW_SYSCALL_EXIT(chroot) { return bw_mount_exit(ctx, BW_EV_CHROOT); }

BW_SYSCALL_ENTER(unshare)
{
	struct bw_pending *p = bw_mount_begin(ctx, 1, BW_EV_UNSHARE, BW_SYS_UNSHARE);

	if (!p)
		return 0;
	p->extra[0] = BW_ARGS(ctx)[0];
	bw_pending_commit(p);
	return 0;
}

/*
 * Is @inum one of the kernel's initial namespaces? init_task (pid 0, the idle
 * task) is reached from the current task through real_parent: PID 1 and
 * kthreadd are its children and its real_parent is itself. Its nsproxy and
 * cred hold the initial namespaces (init_nsproxy, init_user_ns), which no
 * container runtime or sandboxed init can hide; namespace inode numbers are
 * unique across types, so one comparison per type decides.
 */
static __always_inline bool bw_ns_is_initial(__u32 inum)
{
	struct task_struct *t = bw_current(), *p;
	struct nsproxy *nsp;
	int i;

	for (i = 0; i < 64; i++) {
		p = BPF_CORE_READ(t, real_parent);
		if (!p || p == t)
			break;
		t = p;
	}
	if (BPF_CORE_READ(t, pid) != 0)
		return false;
	nsp = BPF_CORE_READ(t, nsproxy);
	if (inum == BPF_CORE_READ(nsp, mnt_ns, ns.inum) || inum == BPF_CORE_READ(nsp, net_ns, ns.inum) ||
	    inum == BPF_CORE_READ(nsp, uts_ns, ns.inum) || inum == BPF_CORE_READ(nsp, ipc_ns, ns.inum) ||
	    inum == BPF_CORE_READ(nsp, pid_ns_for_children, ns.inum) || inum == BPF_CORE_READ(nsp, cgroup_ns, ns.inum))
		return true;
	/* time namespaces exist with CONFIG_TIME_NS (5.6+) */
	if (bpf_core_field_exists(nsp->time_ns) && inum == BPF_CORE_READ(nsp, time_ns, ns.inum))
		return true;
	return inum == BPF_CORE_READ(t, cred, user_ns, ns.inum);
}

/*
 * setns(fd, nstype): the namespace is resolved from the fd at entry: an nsfs
 * inode's i_private is its struct ns_common (type name and inode number).
 */
BW_SYSCALL_ENTER(setns)
{
	struct bw_pending *p = bw_mount_begin(ctx, 2, BW_EV_SETNS, BW_SYS_SETNS);
	struct file *file;

	if (!p)
		return 0;
	p->extra[0] = BW_ARGS(ctx)[1];
	p->extra[1] = BW_ARGS(ctx)[0];
	file = bw_fd_file(BW_ARGS(ctx)[0]);
	if (file) {
		struct inode *inode = BPF_CORE_READ(file, f_inode);
		struct super_block *sb = BPF_CORE_READ(inode, i_sb);

		bpf_probe_read_kernel_str(p->s2, sizeof(p->s2), BPF_CORE_READ(sb, s_type, name));
		if (BPF_CORE_READ(sb, s_magic) == NSFS_MAGIC) {
			struct ns_common *ns = BPF_CORE_READ(inode, i_private);

			p->extra[2] = BPF_CORE_READ(ns, inum);
			bpf_probe_read_kernel_str(p->s0, BW_USHORT_MAX, BPF_CORE_READ(ns, ops, name));
			if (p->extra[2] && bw_ns_is_initial(p->extra[2]))
				p->flags |= BW_F_NS_INITIAL;
		}
	}
	bw_pending_commit(p);
	return 0;
}

static __always_inline int bw_ns_exit(void *ctx, __u32 type)
{
	struct bw_pending *p = bw_pending_take(type);
	__u32 cursor = sizeof(struct bw_ns);
	struct bw_ns *n;
	void *rec;

	if (!p)
		return 0;
	rec = bw_scratch();
	if (!rec)
		goto end;
	n = (struct bw_ns *)bw_begin_syscall(rec, p, sizeof(struct bw_ns), BW_RET(ctx));
	n->flags = p->extra[0];
	n->fd = type == BW_EV_SETNS ? (__s32)p->extra[1] : -1;
	n->ns_inum = p->extra[2];
	bw_put_saved(rec, &cursor, &n->ns_type, p->s0, BW_USHORT_MAX, &n->ev.flags);
	bw_put_saved(rec, &cursor, &n->fd_fs, p->s2, BW_USHORT_MAX, &n->ev.flags);
	bw_submit(rec, cursor);
end:
	bw_pending_end();
	return 0;
}

BW_SYSCALL_EXIT(unshare) { return bw_ns_exit(ctx, BW_EV_UNSHARE); }
BW_SYSCALL_EXIT(setns) { return bw_ns_exit(ctx, BW_EV_SETNS); }
