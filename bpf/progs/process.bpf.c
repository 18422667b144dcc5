// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Process lifecycle: exec, fork, exit (BTF raw tracepoints: no tracefs needed). */
#include "../lib/syscall.bpf.h"
#include "../lib/fd.bpf.h"

#define BW_KN_DEPTH 24

/* Path of a cgroup's kernfs node within its hierarchy, e.g. /docker/<id>. */
static __always_inline void bw_put_cgroup_path(void *rec, __u32 *cursor, struct bw_str *d, struct cgroup *cgrp,
					       __u32 *flags)
{
	struct kernfs_node *kn = BPF_CORE_READ(cgrp, kn);
	__u32 zero = 0;
	struct bw_pathbuf *pb = bpf_map_lookup_elem(&pathbuf, &zero);
	/* names are read past the path area first, then moved in front of the path */
	char *tmp;
	int i;

	if (!pb || !kn)
		return;
	tmp = pb->buf + BW_PATH_MAX + 1;
	pb->buf[BW_PATH_MAX] = '\0';
	pb->pos = BW_PATH_MAX;
	for (i = 0; i < BW_KN_DEPTH; i++) {
		struct kernfs_node *parent = bw_kernfs_parent(kn);
		__u32 pos = pb->pos;
		long n;

		if (!parent)
			break; /* the hierarchy root has no name of its own */
		n = bpf_probe_read_kernel_str(tmp, BW_NAME_MAX + 1, BPF_CORE_READ(kn, name));
		if (n <= 1 || (__u32)n >= pos) {
			*flags |= BW_F_TRUNC_PATH;
			break;
		}
		pos -= n - 1;
		bpf_probe_read_kernel(pb->buf + (pos & BW_PATH_MASK), (n - 1) & BW_NAME_MAX, tmp);
		pos -= 1;
		pb->buf[pos & BW_PATH_MASK] = '/';
		pb->pos = pos;
		kn = parent;
	}
	if (i == BW_KN_DEPTH)
		*flags |= BW_F_TRUNC_PATH;
	if (pb->pos >= BW_PATH_MAX) {
		pb->pos = BW_PATH_MAX - 1;
		pb->buf[BW_PATH_MAX - 1] = '/';
	}
	bw_put_kstr(rec, cursor, d, pb->buf + (pb->pos & BW_PATH_MASK), BW_PATH_MAX + 1, flags, BW_F_TRUNC_PATH);
}

/*
 * The task's cgroup: the cgroup2 one, unless that is the root (hybrid hosts
 * where the runtime only uses v1 controllers); then the first v1 controller
 * hierarchy where the task is not at the root.
 */
static __always_inline struct cgroup *bw_task_cgroup(struct task_struct *t)
{
	struct css_set *cs = BPF_CORE_READ(t, cgroups);
	struct cgroup *cg = BPF_CORE_READ(cs, dfl_cgrp);
	int i;

	if (BPF_CORE_READ(cg, level) > 0)
		return cg;
	for (i = 0; i < 8; i++) {
		struct cgroup_subsys_state *css = NULL;
		struct cgroup *c;

		bpf_core_read(&css, sizeof(css), &cs->subsys[i]);
		if (!css)
			continue;
		c = BPF_CORE_READ(css, cgroup);
		if (BPF_CORE_READ(c, level) > 0)
			return c;
	}
	return cg;
}

/* A memfd's dentry is named "memfd:<name>" and has no link on any filesystem. */
static __always_inline bool bw_is_memfd(struct file *file)
{
	char prefix[6] = {};
	const unsigned char *name = BPF_CORE_READ(file, f_path.dentry, d_name.name);

	if (BPF_CORE_READ(file, f_inode, i_nlink) != 0)
		return false;
	bpf_probe_read_kernel(prefix, sizeof(prefix), name);
	return prefix[0] == 'm' && prefix[1] == 'e' && prefix[2] == 'm' && prefix[3] == 'f' && prefix[4] == 'd' &&
	       prefix[5] == ':';
}

/*
 * Falco's EXE_WRITABLE: the new image could write its own executable. The
 * mode bits against the fs uid and gid, or CAP_DAC_OVERRIDE; supplementary
 * groups, ACLs and read-only mounts are not looked at.
 */
static __always_inline bool bw_exe_writable(struct inode *inode, const struct cred *cred)
{
	__u32 mode = BPF_CORE_READ(inode, i_mode);
	__u64 caps = 0;

	bpf_core_read(&caps, sizeof(caps), &cred->cap_effective);
	if (caps & (1ull << 1)) /* CAP_DAC_OVERRIDE */
		return true;
	if (BPF_CORE_READ(cred, fsuid.val) == BPF_CORE_READ(inode, i_uid.val))
		return mode & 0200;
	if (BPF_CORE_READ(cred, fsgid.val) == BPF_CORE_READ(inode, i_gid.val))
		return mode & 0020;
	return mode & 0002;
}

/* The #! script's own file facts. */
static __always_inline void bw_put_script(void *rec, __u32 *cursor, struct bw_exec *e, struct file *script)
{
	struct inode *inode;

	if (!script)
		return;
	inode = BPF_CORE_READ(script, f_inode);
	e->exec_flags |= BW_EXEC_SCRIPT;
	e->script_ino = BPF_CORE_READ(inode, i_ino);
	e->script_dev = BPF_CORE_READ(inode, i_sb, s_dev);
	if (BPF_CORE_READ(inode, i_sb, s_magic) == OVERLAYFS_SUPER_MAGIC)
		e->script_layer = bw_overlay_layer(inode);
	/*
	 * Its name only: a second dentry walk (after the exe's) takes the
	 * program past the verifier's budget; exec.filename is its path as given.
	 */
	bw_put_kstr(rec, cursor, &e->script, BPF_CORE_READ(script, f_path.dentry, d_name.name), BW_NAME_MAX + 1,
		    &e->ev.flags, BW_F_TRUNC_STR);
}

/* The pid as the task's own pid namespace numbers it: thread_pid->numbers[level]. */
static __always_inline __u32 bw_task_vpid(struct task_struct *task)
{
	struct pid *tp = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(tp, level);
	struct upid up = {};

	/* MAX_PID_NS_LEVEL is 32 */
	bpf_core_read(&up, sizeof(up), &tp->numbers[level & 31]);
	return up.nr;
}

/*
 * The path of the working directory, assembled in the path buffer by a global
 * function: the verifier checks a global function once, on its own, instead of
 * again inside on_exec, whose exe path walk and script search leave no room for
 * a second walk. Pointers cross as scalars (a global function's arguments must
 * be). Returns the path's BW_F_* truncation flags, or -1 without a path.
 */
__noinline int bw_cwd_walk(__u64 dentry, __u64 vfsmnt)
{
	__u32 flags = 0, name_len;

	if (!bw_build_path((struct dentry *)dentry, (struct vfsmount *)vfsmnt, &flags, &name_len))
		return -1;
	return flags & BW_F_TRUNC_PATH;
}

/* Falco's proc.cwd: the working directory the new image starts in (exec does not change it). */
static __always_inline void bw_put_cwd(void *rec, __u32 *cursor, struct bw_exec *e, struct task_struct *task)
{
	struct bw_config *cfg = bw_config();
	struct bw_pathbuf *pb;
	struct path pwd;
	__u32 zero = 0, off, end;
	long n;
	int r;

	/* only when asked: a loaded rule uses proc.cwd (about 1 us an exec, measured) */
	if (!cfg || !(cfg->exec_opts & BW_EXEC_OPT_CWD))
		return;
	pwd = BPF_CORE_READ(task, fs, pwd);
	if (!pwd.dentry)
		return;
	r = bw_cwd_walk((__u64)pwd.dentry, (__u64)pwd.mnt);
	pb = bpf_map_lookup_elem(&pathbuf, &zero);
	if (r < 0 || !pb)
		return;
	e->ev.flags |= r;
	/*
	 * bw_put_kstr's check, written on the end offset: after the earlier strings the
	 * verifier's range for the cursor starts above the bound, and 6.1's verifier, refining
	 * the cursor itself on the impossible branch, left it a range with min > max and
	 * refused the program; the end is refined instead, the cursor keeps a valid range.
	 */
	off = *cursor;
	end = off + BW_PATH_MAX + 1;
	bw_barrier_var(end);
	if (end > BW_RECORD_MAX) {
		e->ev.flags |= BW_F_TRUNC_PATH;
		return;
	}
	n = bpf_probe_read_kernel_str(rec + (off & BW_REC_MASK), BW_PATH_MAX + 1, pb->buf + (pb->pos & BW_PATH_MASK));
	if (n <= 0)
		return;
	if (n == BW_PATH_MAX + 1)
		e->ev.flags |= BW_F_TRUNC_PATH;
	e->cwd.off = off;
	e->cwd.len = n - 1;
	*cursor = off + n;
}

/*
 * Falco's proc.env: the new image's environment area (mm->env_start to
 * env_end, set up by the binary loader before this tracepoint), NUL-separated,
 * at most BW_ENV_MAX bytes and never more than the record has left: a long
 * environment is cut (BW_F_TRUNC_STR), never the record. Read only while
 * bw_config.exec_opts says a loaded rule uses it (or bulwark trace runs).
 */
static __always_inline void bw_put_env(void *rec, __u32 *cursor, struct bw_exec *e, struct mm_struct *mm)
{
	unsigned long start = BPF_CORE_READ(mm, env_start), end = BPF_CORE_READ(mm, env_end);
	struct bw_config *cfg = bw_config();
	__u32 off = *cursor, room, len;

	/* only when asked: a rule reads proc.env (environments hold secrets, and cost ring space) */
	if (!cfg || !(cfg->exec_opts & BW_EXEC_OPT_ENV))
		return;
	if (end <= start || off >= BW_RECORD_MAX - 1)
		return;
	room = BW_RECORD_MAX - off;
	len = end - start > BW_ENV_MAX ? BW_ENV_MAX : end - start;
	if (end - start > BW_ENV_MAX)
		e->ev.flags |= BW_F_TRUNC_STR;
	if (len > room) {
		len = room;
		e->ev.flags |= BW_F_TRUNC_STR;
	}
	if (len < 2)
		return;
	/* masked after a barrier: the verifier then knows both bounds, and so the new cursor's */
	bw_barrier_var(off);
	bw_barrier_var(len);
	off &= BW_REC_MASK;
	len &= BW_ENV_MAX * 2 - 1;
	if (bpf_probe_read_user(rec + off, len, (void *)start))
		return;
	/* the last byte is the final variable's NUL (or where a cut one ends); the descriptor excludes it */
	((char *)rec)[(off + len - 1) & BW_REC_MASK] = '\0';
	e->env.off = off;
	e->env.len = len - 1;
	*cursor = off + len;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	struct file *file = BPF_CORE_READ(bprm, file);
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	struct super_block *sb = BPF_CORE_READ(inode, i_sb);
	struct task_struct *parent = BPF_CORE_READ(task, real_parent);
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	unsigned long arg_start, arg_end, arg_len;
	__u32 cursor = sizeof(struct bw_exec);
	struct bw_exec *e;
	const struct cred *cred;
	void *rec;

	if (!bw_wanted(BW_EV_EXEC))
		return 0;
	rec = bw_scratch();
	if (!rec)
		return 0;
	e = (struct bw_exec *)bw_begin(rec, BW_EV_EXEC, sizeof(struct bw_exec));
	e->ev.syscall = BW_SYS_EXECVE;

	cred = BPF_CORE_READ(task, cred);
	bpf_core_read(&e->cap_effective, sizeof(e->cap_effective), &cred->cap_effective);
	bpf_core_read(&e->cap_permitted, sizeof(e->cap_permitted), &cred->cap_permitted);
	/* numbers[0]: the pid as the host's (initial) pid namespace numbers it, as bw_proc's pids */
	e->sid = BPF_CORE_READ(task, signal, pids[PIDTYPE_SID], numbers[0].nr);
	e->pgid = BPF_CORE_READ(task, signal, pids[PIDTYPE_PGID], numbers[0].nr);
	e->vpid = bw_task_vpid(task);
	e->exe_ino = BPF_CORE_READ(inode, i_ino);
	e->exe_dev = BPF_CORE_READ(sb, s_dev);
	e->exe_fs_magic = BPF_CORE_READ(sb, s_magic);
	e->argc = BPF_CORE_READ(bprm, argc);
	e->loginuid = BPF_CORE_READ(task, loginuid.val);
	if (e->exe_fs_magic == OVERLAYFS_SUPER_MAGIC) {
		/* NONE when struct ovl_inode had no BTF at load: unknown, which is not "lower" */
		__u32 layer = bw_overlay_layer(inode);

		if (layer == BW_LAYER_UPPER)
			e->exec_flags |= BW_EXEC_UPPER;
		else if (layer == BW_LAYER_LOWER)
			e->exec_flags |= BW_EXEC_LOWER;
	}
	if (bw_is_memfd(file))
		e->exec_flags |= BW_EXEC_MEMFD;
	if (bw_exe_writable(inode, cred))
		e->exec_flags |= BW_EXEC_WRITABLE;
	/*
	 * call_usermodehelper() (cgroup release_agent, core_pattern pipes,
	 * modprobe) execs from a kernel thread's child: the parent is kthreadd or
	 * a kworker. No user-space process has a kernel thread as parent.
	 */
	if (BPF_CORE_READ(parent, flags) & PF_KTHREAD)
		e->exec_flags |= BW_EXEC_UMH;

	bw_put_kstr(rec, &cursor, &e->filename, BPF_CORE_READ(bprm, filename), BW_UPATH_MAX, &e->ev.flags,
		    BW_F_TRUNC_STR);
	bw_put_path(rec, &cursor, &e->exe, NULL, BPF_CORE_READ(file, f_path.dentry), BPF_CORE_READ(file, f_path.mnt),
		    &e->ev.flags);

	/* argv: the new image's argument area, NUL-separated */
	arg_start = BPF_CORE_READ(mm, arg_start);
	arg_end = BPF_CORE_READ(mm, arg_end);
	arg_len = arg_end - arg_start;
	if (arg_len > BW_ARGS_MAX) {
		arg_len = BW_ARGS_MAX;
		e->ev.flags |= BW_F_TRUNC_ARGS;
	}
	if (arg_len > 0 && cursor <= BW_RECORD_MAX - BW_ARGS_MAX) {
		if (bpf_probe_read_user(rec + (cursor & BW_REC_MASK), arg_len & (BW_ARGS_MAX * 2 - 1),
					(void *)arg_start) == 0) {
			/* the last byte is the final argument's NUL; the descriptor excludes it */
			e->args.off = cursor;
			e->args.len = arg_len - 1;
			((char *)rec)[(cursor + arg_len - 1) & BW_REC_MASK] = '\0';
			cursor += arg_len;
		}
	}

	bw_put_cgroup_path(rec, &cursor, &e->cgroup, bw_task_cgroup(task), &e->ev.flags);
	bw_put_kstr(rec, &cursor, &e->tty, BPF_CORE_READ(task, signal, tty, name), BW_TTY_MAX, &e->ev.flags,
		    BW_F_TRUNC_STR);
	bw_put_kstr(rec, &cursor, &e->exe_fs, BPF_CORE_READ(sb, s_type, name), 32, &e->ev.flags, BW_F_TRUNC_STR);
	bw_stdfds(e->std, task);
	bw_put_script(rec, &cursor, e, bw_exec_script(task, bprm, inode));
	bw_put_cwd(rec, &cursor, e, task);
	bw_put_env(rec, &cursor, e, mm);
	bw_submit(rec, cursor);
	return 0;
}

/*
 * Failed execs: the exec tracepoint sees only images that started, so the
 * syscall pair reports the others (an attempt to run a file from a noexec
 * mount, /dev/shm, a file without the x bit). ENOENT and ENOTDIR are not
 * reported: execvp() and shells try every $PATH directory in turn.
 */
#define BW_ENOENT  2
#define BW_ENOTDIR 20
#define BW_AT_FDCWD -100

static __always_inline void bw_exec_enter(void *ctx, __u32 syscall, int nargs, const void *path)
{
	struct bw_pending *p;

	if (!bw_wanted(BW_EV_EXEC_FAILED))
		return;
	p = bw_pending_begin(BW_EV_EXEC_FAILED, syscall, ctx, nargs);
	if (!p)
		return;
	bw_pending_ustr(p, BW_SLOT_S0, path);
	bw_pending_commit(p);
}

static __always_inline void bw_exec_exit(void *ctx, bool at)
{
	struct bw_pending *p = bw_pending_take(BW_EV_EXEC_FAILED);
	long ret = BW_RET(ctx);
	struct bw_exec_failed *x;
	__u32 cursor = sizeof(struct bw_exec_failed);
	struct path pwd;
	void *rec;

	if (!p)
		return;
	if (ret < 0 && ret != -BW_ENOENT && ret != -BW_ENOTDIR) {
		rec = bw_scratch();
		if (rec) {
			x = (struct bw_exec_failed *)bw_begin_syscall(rec, p, sizeof(*x), ret);
			x->ev.syscall = BW_SYS_NONE;
			x->call = p->syscall;
			x->dirfd = at ? (__s32)p->args[0] : BW_AT_FDCWD;
			x->at_flags = at ? (__u32)p->args[4] : 0;
			bw_put_saved(rec, &cursor, &x->filename, p->s0, BW_UPATH_MAX, &x->ev.flags);
			pwd = BPF_CORE_READ(bw_current(), fs, pwd);
			bw_put_path(rec, &cursor, &x->cwd, NULL, pwd.dentry, pwd.mnt, &x->ev.flags);
			bw_submit(rec, cursor);
		}
	}
	bw_pending_end();
}

/* execve(filename, argv, envp) / execveat(dirfd, filename, argv, envp, flags) */
BW_SYSCALL_ENTER(execve)
{
	bw_exec_enter(ctx, BW_SYS_EXECVE, 1, (const void *)BW_ARGS(ctx)[0]);
	return 0;
}

BW_SYSCALL_EXIT(execve)
{
	bw_exec_exit(ctx, false);
	return 0;
}

BW_SYSCALL_ENTER(execveat)
{
	bw_exec_enter(ctx, BW_SYS_EXECVEAT, 5, (const void *)BW_ARGS(ctx)[1]);
	return 0;
}

BW_SYSCALL_EXIT(execveat)
{
	bw_exec_exit(ctx, true);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	struct bw_fork *f;
	void *rec;

	/* threads are not processes: only a new thread group is reported */
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0;
	if (!bw_wanted(BW_EV_FORK))
		return 0;
	rec = bw_scratch();
	if (!rec)
		return 0;
	f = (struct bw_fork *)bw_begin(rec, BW_EV_FORK, sizeof(struct bw_fork));
	/* the record describes the child, whose cgroup may differ (clone3 CLONE_INTO_CGROUP) */
	bw_fill_proc(&f->ev.proc, child);
	f->ev.proc.cgroup_id = BPF_CORE_READ(child, cgroups, dfl_cgrp, kn, id);
	f->parent_tid = BPF_CORE_READ(parent, pid);
	/*
	 * Lifecycle records share the critical ring with exec, setuid, mount...:
	 * one ring keeps a child's fork before its other critical events.
	 */
	bw_submit(rec, sizeof(struct bw_fork));
	return 0;
}

/*
 * Before 6.16 the tracepoint has no group_dead: do_exit has already run
 * atomic_dec_and_test(&signal->live), so live == 0 holds in the last thread,
 * and also in every other thread that decremented earlier but reaches the
 * tracepoint later. Of those, the first to insert the process into
 * exit_claims (atomic under the map's bucket lock) reports it.
 */
static __always_inline bool bw_exit_claim(struct task_struct *task)
{
	struct bw_exit_key key = { .tgid = BPF_CORE_READ(task, tgid),
				   .start_time = BPF_CORE_READ(task, group_leader, start_boottime) };
	__u8 one = 1;

	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return false;
	/*
	 * Any other failure (no memory) reports: a duplicate is better than a
	 * lost exit. Compared as an int: before Linux 6.4 ("bpf: return long from
	 * bpf_map_ops funcs") the verifier's direct call to the map's int update
	 * left the error zero-extended in the 64-bit return register.
	 */
	return (int)bpf_map_update_elem(&exit_claims, &key, &one, BPF_NOEXIST) != -EEXIST;
}

/*
 * The process's wait status as its parent gets it (wait_task_zombie): the
 * group's code after exit_group or a fatal signal, else the leader's own,
 * whichever thread happens to be the last.
 */
static __always_inline __u32 bw_exit_status(struct task_struct *task)
{
	struct signal_struct *sig = BPF_CORE_READ(task, signal);

	if (BPF_CORE_READ(sig, flags) & SIGNAL_GROUP_EXIT)
		return BPF_CORE_READ(sig, group_exit_code);
	return BPF_CORE_READ(task, group_leader, exit_code);
}

/*
 * One record per process, from the thread that ended the group. Linux 6.16
 * ("exit: move and extend sched_process_exit() tracepoint") passes
 * group_dead, do_exit's atomic_dec_and_test(&signal->live): true in exactly
 * one thread. Its presence is probed by the tracepoint's record layout,
 * which gained the field in the same change.
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *task)
{
	struct bw_exit *x;
	void *rec;

	if (bpf_core_field_exists(struct trace_event_raw_sched_process_exit, group_dead)) {
		/* volatile: the load stays inside the branch the verifier drops on kernels without the argument */
		if (!((volatile __u64 *)ctx)[1])
			return 0;
	} else if (!bw_exit_claim(task)) {
		return 0;
	}
	if (!bw_wanted(BW_EV_EXIT))
		return 0;
	rec = bw_scratch();
	if (!rec)
		return 0;
	x = (struct bw_exit *)bw_begin(rec, BW_EV_EXIT, sizeof(struct bw_exit));
	x->exit_code = bw_exit_status(task);
	bw_submit(rec, sizeof(struct bw_exit));
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
