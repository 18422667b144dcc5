// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Opens with write intent (and read-only opens of asked-for prefixes), setuid/setgid chmods. */
#include "../lib/syscall.bpf.h"

/*
 * Read-only opens are the most frequent syscall on a host and no default rule
 * needs them: drop them here unless the caller's path starts with a prefix the
 * agent loaded. Returns true when the open should be traced.
 */
static __always_inline bool bw_open_interesting(__u32 flags, const char *upath)
{
	struct bw_prefix_key key = {};
	struct bw_config *cfg;

	if ((flags & BW_WRITE_INTENT) && !(flags & O_PATH))
		return true;
	cfg = bw_config();
	if (!cfg || cfg->ro_prefixes == 0) {
		bw_count(BW_CNT_FILTER_READONLY);
		return false;
	}
	key.prefixlen = BW_PREFIX_MAX * 8;
	bpf_probe_read_user_str(key.data, sizeof(key.data), upath);
	if (!bpf_map_lookup_elem(&ro_prefixes, &key)) {
		bw_count(BW_CNT_FILTER_READONLY);
		return false;
	}
	return true;
}

static __always_inline int bw_open_enter(void *ctx, const int nargs, __u32 syscall, int dirfd, const char *upath,
					 __u32 flags, __u32 mode)
{
	struct bw_pending *p;

	if (!bw_open_interesting(flags, upath))
		return 0;
	if (!bw_wanted(BW_EV_OPEN))
		return 0;
	p = bw_pending_begin(BW_EV_OPEN, syscall, ctx, nargs);
	if (!p)
		return 0;
	p->extra[0] = flags;
	p->extra[1] = mode;
	p->extra[2] = (__u64)(__s64)dirfd;
	bw_pending_ustr(p, BW_SLOT_S0, upath);
	bw_pending_commit(p);
	return 0;
}

#define AT_FDCWD -100

BW_SYSCALL_ENTER(open)
{
	return bw_open_enter(ctx, 3, BW_SYS_OPEN, AT_FDCWD, (const char *)BW_ARGS(ctx)[0], BW_ARGS(ctx)[1],
			     BW_ARGS(ctx)[2]);
}

BW_SYSCALL_ENTER(openat)
{
	return bw_open_enter(ctx, 4, BW_SYS_OPENAT, BW_ARGS(ctx)[0], (const char *)BW_ARGS(ctx)[1], BW_ARGS(ctx)[2],
			     BW_ARGS(ctx)[3]);
}

BW_SYSCALL_ENTER(openat2)
{
	struct open_how how = {};

	bpf_probe_read_user(&how, sizeof(how), (void *)BW_ARGS(ctx)[2]);
	return bw_open_enter(ctx, 4, BW_SYS_OPENAT2, BW_ARGS(ctx)[0], (const char *)BW_ARGS(ctx)[1], how.flags,
			     how.mode);
}

BW_SYSCALL_ENTER(creat)
{
	/* creat(path, mode) is open(path, O_CREAT|O_WRONLY|O_TRUNC, mode) */
	return bw_open_enter(ctx, 2, BW_SYS_CREAT, AT_FDCWD, (const char *)BW_ARGS(ctx)[0],
			     O_CREAT | O_WRONLY | O_TRUNC, BW_ARGS(ctx)[1]);
}

static __always_inline int bw_open_exit(void *ctx)
{
	struct bw_pending *p = bw_pending_take(BW_EV_OPEN);
	__u32 cursor = sizeof(struct bw_open);
	long ret = BW_RET(ctx);
	__u32 ring = bw_type_ring(BW_EV_OPEN);
	struct bw_open *o;
	void *rec;

	if (!p)
		return 0;
	rec = bw_scratch();
	if (!rec)
		goto end;
	o = (struct bw_open *)bw_begin_syscall(rec, p, sizeof(struct bw_open), ret);
	o->open_flags = p->extra[0];
	o->open_mode = p->extra[1];
	o->dirfd = (__s32)p->extra[2];
	bw_put_saved(rec, &cursor, &o->upath, p->s0, BW_UPATH_MAX, &o->ev.flags);
	if (ret >= 0) {
		/* the facts of the file really opened, whatever path string led to it */
		struct file *file = bw_fd_file(ret);

		if (file) {
			bw_put_file(rec, &cursor, &o->file, file, &o->ev.flags);
			/*
			 * Opens of procfs, sysfs and cgroup files ride the critical ring,
			 * yet any process may write-open its own /proc/self files in a
			 * loop. Once half of that ring is waiting, such opens take the
			 * common ring (still delivered, no longer ahead of the flood), so
			 * that a storm of them can never take the room of exec, fork,
			 * cgroup, mount or setns records (docs/BENCHMARKS.md).
			 */
			if (bw_fs_critical(o->file.fs_magic) &&
			    bpf_ringbuf_query(&rb_critical, BPF_RB_AVAIL_DATA) <= BW_RB_CRITICAL_SIZE / 2)
				ring = BW_RING_CRITICAL;
		}
	}
	bw_submit_ring(rec, cursor, ring);
end:
	bw_pending_end();
	return 0;
}

BW_SYSCALL_EXIT(open) { return bw_open_exit(ctx); }
BW_SYSCALL_EXIT(openat) { return bw_open_exit(ctx); }
BW_SYSCALL_EXIT(openat2) { return bw_open_exit(ctx); }
BW_SYSCALL_EXIT(creat) { return bw_open_exit(ctx); }

/* chmod family: only modes that set setuid or setgid are reported. */
static __always_inline int bw_chmod_enter(void *ctx, const int nargs, __u32 syscall, int dirfd, const char *upath, __u32 mode)
{
	struct bw_pending *p;

	if (!(mode & (S_ISUID | S_ISGID)))
		return 0;
	if (!bw_wanted(BW_EV_CHMOD))
		return 0;
	p = bw_pending_begin(BW_EV_CHMOD, syscall, ctx, nargs);
	if (!p)
		return 0;
	p->extra[0] = mode;
	p->extra[1] = (__u64)(__s64)dirfd;
	bw_pending_ustr(p, BW_SLOT_S0, upath);
	bw_pending_commit(p);
	return 0;
}

BW_SYSCALL_ENTER(chmod)
{
	return bw_chmod_enter(ctx, 2, BW_SYS_CHMOD, AT_FDCWD, (const char *)BW_ARGS(ctx)[0], BW_ARGS(ctx)[1]);
}

BW_SYSCALL_ENTER(fchmod)
{
	return bw_chmod_enter(ctx, 2, BW_SYS_FCHMOD, BW_ARGS(ctx)[0], NULL, BW_ARGS(ctx)[1]);
}

BW_SYSCALL_ENTER(fchmodat)
{
	return bw_chmod_enter(ctx, 3, BW_SYS_FCHMODAT, BW_ARGS(ctx)[0], (const char *)BW_ARGS(ctx)[1],
			      BW_ARGS(ctx)[2]);
}

/* fchmodat2 exists since Linux 6.6; the agent skips this hook where it is missing. */
BW_SYSCALL_ENTER(fchmodat2)
{
	return bw_chmod_enter(ctx, 4, BW_SYS_FCHMODAT2, BW_ARGS(ctx)[0], (const char *)BW_ARGS(ctx)[1],
			      BW_ARGS(ctx)[2]);
}

static __always_inline int bw_chmod_exit(void *ctx)
{
	struct bw_pending *p = bw_pending_take(BW_EV_CHMOD);
	__u32 cursor = sizeof(struct bw_chmod);
	struct bw_chmod *c;
	void *rec;

	if (!p)
		return 0;
	rec = bw_scratch();
	if (!rec)
		goto end;
	c = (struct bw_chmod *)bw_begin_syscall(rec, p, sizeof(struct bw_chmod), BW_RET(ctx));
	c->mode = p->extra[0];
	c->dirfd = (__s32)p->extra[1];
	bw_put_saved(rec, &cursor, &c->upath, p->s0, BW_UPATH_MAX, &c->ev.flags);
	if (p->syscall == BW_SYS_FCHMOD) {
		struct file *file = bw_fd_file(c->dirfd);

		if (file)
			bw_put_file(rec, &cursor, &c->file, file, &c->ev.flags);
	}
	bw_submit(rec, cursor);
end:
	bw_pending_end();
	return 0;
}

BW_SYSCALL_EXIT(chmod) { return bw_chmod_exit(ctx); }
BW_SYSCALL_EXIT(fchmod) { return bw_chmod_exit(ctx); }
BW_SYSCALL_EXIT(fchmodat) { return bw_chmod_exit(ctx); }
BW_SYSCALL_EXIT(fchmodat2) { return bw_chmod_exit(ctx); }
