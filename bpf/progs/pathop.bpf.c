// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Path operations: link, symlink, rename, unlink, mkdir (and their *at forms).
 * A hard link or symlink made to /etc/shadow, a file renamed over
 * /etc/ld.so.preload: the caller's strings are read at entry, and at exit the
 * directory each relative string starts from is resolved from kernel objects
 * (the dirfd's file or the working directory), so that the agent names the
 * file the kernel reached rather than the string (`cd /etc; ln shadow /tmp/x`).
 * Only the types a loaded rule can match are captured (enabled_types).
 */
#include "../lib/syscall.bpf.h"

#define BW_AT_FDCWD -100

static __always_inline int bw_pathop_enter(void *ctx, const int nargs, __u32 type, __u32 syscall, int olddirfd,
					   const char *oldpath, int newdirfd, const char *newpath, __u32 flags,
					   __u32 mode)
{
	struct bw_pending *p;

	if (!bw_wanted(type))
		return 0;
	p = bw_pending_begin(type, syscall, ctx, nargs);
	if (!p)
		return 0;
	p->extra[0] = (__u64)(__s64)olddirfd;
	p->extra[1] = (__u64)(__s64)newdirfd;
	p->extra[2] = flags;
	p->extra[3] = mode;
	bw_pending_ustr(p, BW_SLOT_S0, oldpath);
	bw_pending_ustr(p, BW_SLOT_S1, newpath);
	bw_pending_commit(p);
	return 0;
}

/* The directory a relative path given with @dirfd starts from: the working directory, or the fd's file. */
static __always_inline void bw_put_startdir(void *rec, __u32 *cursor, struct bw_str *d, int dirfd, __u32 *flags)
{
	struct path dir = {};

	if (dirfd == BW_AT_FDCWD) {
		dir = BPF_CORE_READ(bw_current(), fs, pwd);
	} else {
		struct file *f = bw_fd_file(dirfd);

		if (!f)
			return;
		bpf_core_read(&dir, sizeof(dir), &f->f_path);
	}
	bw_put_path(rec, cursor, d, NULL, dir.dentry, dir.mnt, flags);
}

/*
 * The body of every path operation's exit, verified once: the sensor's load
 * time is mostly the verifier's, and each path walk inlined into a program is
 * verified again (measured with the hard-link check's walk: the agent's CPU
 * time to "sensor ready" went from about 1.9 s to 2.2-2.7 s on the development
 * host, and past the BPF suite's 60 s under qemu's emulation). Each exit
 * program tail-calls it; the pending entry says which type it is.
 */
SEC("tracepoint")
int pathop_exit_tail(void *ctx)
{
	__u32 tid = bw_tid();
	struct bw_pending *p = bpf_map_lookup_elem(&pending, &tid);
	__u32 cursor = sizeof(struct bw_pathop);
	struct bw_pathop *o;
	__u32 type;
	void *rec;

	if (!p)
		return 0;
	type = p->type;
	if (type != BW_EV_LINK && type != BW_EV_SYMLINK && type != BW_EV_RENAME && type != BW_EV_UNLINK &&
	    type != BW_EV_MKDIR)
		return 0;
	if (p->deferred)
		bw_pending_retry(p);
	rec = bw_scratch();
	if (!rec)
		goto end;
	o = (struct bw_pathop *)bw_begin_syscall(rec, p, sizeof(*o), BW_RET(ctx));
	o->olddirfd = (__s32)p->extra[0];
	o->newdirfd = (__s32)p->extra[1];
	o->at_flags = (__u32)p->extra[2];
	o->mode = (__u32)p->extra[3];
	bw_put_saved(rec, &cursor, &o->oldpath, p->s0, BW_UPATH_MAX, &o->ev.flags);
	bw_put_saved(rec, &cursor, &o->newpath, p->s1, BW_UPATH_MAX, &o->ev.flags);
	/*
	 * A symlink's target is its content, resolved later from the link's own
	 * directory: only linkpath starts from a directory. An empty oldpath
	 * (linkat with AT_EMPTY_PATH) is the dirfd's file itself.
	 */
	if (type != BW_EV_SYMLINK && p->s0[0] != '/')
		bw_put_startdir(rec, &cursor, &o->olddir, o->olddirfd, &o->ev.flags);
	if (p->s1[0] && p->s1[0] != '/')
		bw_put_startdir(rec, &cursor, &o->newdir, o->newdirfd, &o->ev.flags);
	bw_submit(rec, cursor);
end:
	bpf_map_delete_elem(&pending, &tid);
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__array(values, int(void *));
} pathop_tail SEC(".maps") = {
	.values = { [0] = (void *)&pathop_exit_tail },
};

static __always_inline int bw_pathop_exit(void *ctx, __u32 type)
{
	__u32 tid = bw_tid();
	struct bw_pending *p = bpf_map_lookup_elem(&pending, &tid);

	if (!p || p->type != type)
		return 0;
	bpf_tail_call(ctx, &pathop_tail, 0);
	/* no tail call (the array is filled at load): the entry goes, unreported */
	bpf_map_delete_elem(&pending, &tid);
	return 0;
}

BW_SYSCALL_ENTER(link)
{
	return bw_pathop_enter(ctx, 2, BW_EV_LINK, BW_SYS_LINK, BW_AT_FDCWD, (const char *)BW_ARGS(ctx)[0],
			       BW_AT_FDCWD, (const char *)BW_ARGS(ctx)[1], 0, 0);
}

BW_SYSCALL_ENTER(linkat)
{
	return bw_pathop_enter(ctx, 5, BW_EV_LINK, BW_SYS_LINKAT, BW_ARGS(ctx)[0], (const char *)BW_ARGS(ctx)[1],
			       BW_ARGS(ctx)[2], (const char *)BW_ARGS(ctx)[3], BW_ARGS(ctx)[4], 0);
}

BW_SYSCALL_ENTER(symlink)
{
	return bw_pathop_enter(ctx, 2, BW_EV_SYMLINK, BW_SYS_SYMLINK, BW_AT_FDCWD, (const char *)BW_ARGS(ctx)[0],
			       BW_AT_FDCWD, (const char *)BW_ARGS(ctx)[1], 0, 0);
}

BW_SYSCALL_ENTER(symlinkat)
{
	return bw_pathop_enter(ctx, 3, BW_EV_SYMLINK, BW_SYS_SYMLINKAT, BW_AT_FDCWD, (const char *)BW_ARGS(ctx)[0],
			       BW_ARGS(ctx)[1], (const char *)BW_ARGS(ctx)[2], 0, 0);
}

BW_SYSCALL_ENTER(rename)
{
	return bw_pathop_enter(ctx, 2, BW_EV_RENAME, BW_SYS_RENAME, BW_AT_FDCWD, (const char *)BW_ARGS(ctx)[0],
			       BW_AT_FDCWD, (const char *)BW_ARGS(ctx)[1], 0, 0);
}

BW_SYSCALL_ENTER(renameat)
{
	return bw_pathop_enter(ctx, 4, BW_EV_RENAME, BW_SYS_RENAMEAT, BW_ARGS(ctx)[0], (const char *)BW_ARGS(ctx)[1],
			       BW_ARGS(ctx)[2], (const char *)BW_ARGS(ctx)[3], 0, 0);
}

BW_SYSCALL_ENTER(renameat2)
{
	return bw_pathop_enter(ctx, 5, BW_EV_RENAME, BW_SYS_RENAMEAT2, BW_ARGS(ctx)[0], (const char *)BW_ARGS(ctx)[1],
			       BW_ARGS(ctx)[2], (const char *)BW_ARGS(ctx)[3], BW_ARGS(ctx)[4], 0);
}

BW_SYSCALL_ENTER(unlink)
{
	return bw_pathop_enter(ctx, 1, BW_EV_UNLINK, BW_SYS_UNLINK, BW_AT_FDCWD, (const char *)BW_ARGS(ctx)[0],
			       BW_AT_FDCWD, NULL, 0, 0);
}

BW_SYSCALL_ENTER(unlinkat)
{
	return bw_pathop_enter(ctx, 3, BW_EV_UNLINK, BW_SYS_UNLINKAT, BW_ARGS(ctx)[0], (const char *)BW_ARGS(ctx)[1],
			       BW_AT_FDCWD, NULL, BW_ARGS(ctx)[2], 0);
}

BW_SYSCALL_ENTER(mkdir)
{
	return bw_pathop_enter(ctx, 2, BW_EV_MKDIR, BW_SYS_MKDIR, BW_AT_FDCWD, (const char *)BW_ARGS(ctx)[0],
			       BW_AT_FDCWD, NULL, 0, BW_ARGS(ctx)[1]);
}

BW_SYSCALL_ENTER(mkdirat)
{
	return bw_pathop_enter(ctx, 3, BW_EV_MKDIR, BW_SYS_MKDIRAT, BW_ARGS(ctx)[0], (const char *)BW_ARGS(ctx)[1],
			       BW_AT_FDCWD, NULL, 0, BW_ARGS(ctx)[2]);
}

BW_SYSCALL_EXIT(link) { return bw_pathop_exit(ctx, BW_EV_LINK); }
BW_SYSCALL_EXIT(linkat) { return bw_pathop_exit(ctx, BW_EV_LINK); }
BW_SYSCALL_EXIT(symlink) { return bw_pathop_exit(ctx, BW_EV_SYMLINK); }
BW_SYSCALL_EXIT(symlinkat) { return bw_pathop_exit(ctx, BW_EV_SYMLINK); }
BW_SYSCALL_EXIT(rename) { return bw_pathop_exit(ctx, BW_EV_RENAME); }
BW_SYSCALL_EXIT(renameat) { return bw_pathop_exit(ctx, BW_EV_RENAME); }
BW_SYSCALL_EXIT(renameat2) { return bw_pathop_exit(ctx, BW_EV_RENAME); }
BW_SYSCALL_EXIT(unlink) { return bw_pathop_exit(ctx, BW_EV_UNLINK); }
BW_SYSCALL_EXIT(unlinkat) { return bw_pathop_exit(ctx, BW_EV_UNLINK); }
BW_SYSCALL_EXIT(mkdir) { return bw_pathop_exit(ctx, BW_EV_MKDIR); }
BW_SYSCALL_EXIT(mkdirat) { return bw_pathop_exit(ctx, BW_EV_MKDIR); }
