// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Opens with write intent (and read-only opens of watched files), setuid/setgid chmods. */
#include "../lib/open.bpf.h"

/*
 * Opens with write intent are kept from their syscall entry (the caller's
 * string is read there). Read-only opens are the most frequent syscall on a
 * host and no default rule needs them: they store nothing at entry and are
 * decided at exit on the file really opened (bw_open_readonly), so that a
 * relative path, a symlink, `..` or a handle reaching a watched file is
 * seen, whatever string the caller passed.
 */
static __always_inline int bw_open_enter(void *ctx, const int nargs, __u32 syscall, int dirfd, const char *upath,
					 __u32 flags, __u32 mode)
{
	struct bw_pending *p;

	struct bw_config *cfg;

	if (!bw_write_intent(flags))
		return 0;
	if (!bw_wanted(BW_EV_OPEN))
		return 0;
	cfg = bw_config();
	if (cfg && cfg->enforce && cfg->tier != BW_TIER_TRACEPOINTS)
		bw_block_clear();
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

/* open_by_handle_at(mount_fd, handle, flags): the "shocker" door, a file reached with no path at all */
BW_SYSCALL_ENTER(open_by_handle_at)
{
	return bw_open_enter(ctx, 3, BW_SYS_OPEN_BY_HANDLE_AT, BW_ARGS(ctx)[0], NULL, BW_ARGS(ctx)[2], 0);
}

/*
 * The hard-link check of a read-only open (bpf/lib/open.bpf.h), tail-called by
 * the open exits with the file in winbuf: another name of the inode under a
 * watched prefix, or the inode watched by itself. Never attached.
 */
SEC("tracepoint")
int open_alias_tail(void *ctx)
{
	struct bw_alias alias = {};
	struct bw_winbuf *wb;
	struct file *file;
	__u32 zero = 0;

	wb = bpf_map_lookup_elem(&winbuf, &zero);
	if (!wb)
		return 0;
	file = (struct file *)wb->alias_file;
	if (!bw_ro_watched_alias(file, &wb->key, &alias)) {
		bw_count(BW_CNT_FILTER_READONLY);
		return 0;
	}
	return bw_open_readonly_send(ctx, wb->alias_syscall, wb->alias_ret, file, &alias, &wb->key);
}

BW_SYSCALL_EXIT(open) { return bw_open_exit(ctx, BW_SYS_OPEN); }
BW_SYSCALL_EXIT(openat) { return bw_open_exit(ctx, BW_SYS_OPENAT); }
BW_SYSCALL_EXIT(openat2) { return bw_open_exit(ctx, BW_SYS_OPENAT2); }
BW_SYSCALL_EXIT(creat) { return bw_open_exit(ctx, BW_SYS_CREAT); }
BW_SYSCALL_EXIT(open_by_handle_at) { return bw_open_exit(ctx, BW_SYS_OPEN_BY_HANDLE_AT); }

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
