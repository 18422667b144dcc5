/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The open record, shared by the syscall exits (bpf/progs/file.bpf.c) and the
 * io_uring completion (bpf/progs/iouring.bpf.c), and the read-only filter,
 * decided on the file really opened.
 */
#ifndef BULWARK_OPEN_BPF_H
#define BULWARK_OPEN_BPF_H

#include "syscall.bpf.h"
#include "block.bpf.h"

#define AT_FDCWD -100

static __always_inline bool bw_write_intent(__u32 flags)
{
	return (flags & BW_WRITE_INTENT) && !(flags & O_PATH);
}

/* Does a path start with a watched prefix (--ro-prefix; the LPM trie ro_prefixes)? */
static __always_inline bool bw_ro_prefix_match(struct bw_prefix_key *key)
{
	key->prefixlen = BW_PREFIX_MAX * 8;
	return bpf_map_lookup_elem(&ro_prefixes, key) != NULL;
}

/* The path of (@dentry, @mnt) as a trie key, NULL-padded; its length in bytes. */
static __always_inline long bw_path_key(struct bw_prefix_key *key, struct dentry *dentry, struct vfsmount *mnt)
{
	__u32 flags = 0, name_len;
	const char *path = bw_build_path(dentry, mnt, &flags, &name_len);

	if (!path)
		return -1;
	return bpf_probe_read_kernel_str(key->data, sizeof(key->data), path) - 1;
}

/* Are all, none or some of the files in directory (@dir, @mnt) under a watched prefix? */
static __always_inline __u32 bw_ro_dir_verdict(struct bw_prefix_key *key, struct dentry *dir, struct vfsmount *mnt)
{
	long len;

	__builtin_memset(key, 0, sizeof(*key));
	len = bw_path_key(key, dir, mnt);
	if (len < 0)
		return BW_RO_SOME;
	/* "D/" (the root is "/" already); a path of 63 bytes or more is compared on those */
	if (len > 1 && len < BW_PREFIX_MAX - 1)
		key->data[len & (BW_PREFIX_MAX - 1)] = '/';
	if (bw_ro_prefix_match(key))
		return BW_RO_ALL;
	if (bpf_map_lookup_elem(&ro_dirs, key->data))
		return BW_RO_SOME;
	return BW_RO_NONE;
}

/*
 * Another name of the file opened: a file with several hard links is the same
 * inode under each name, and a rule about /etc/shadow is about that inode.
 * Either the name the rules watch by inode (ro_inodes, filled by the agent
 * from the rules' paths), or a watched alias dentry of the inode.
 */
struct bw_alias {
	struct dentry *dentry;    /* an alias dentry under a watched prefix (same mount as the file) */
	const struct bw_ro_dir *named; /* the watched path of the inode (ro_inodes) */
};

#define BW_S_IFMT_ 00170000
#define BW_S_IFREG_ 0100000
#define BW_ALIASES 4 /* alias dentries looked at for one that is not the name opened */

/*
 * Is a regular file with several links watched under another name? Called
 * after bw_ro_watched_path, whose window of the struct file it reuses. Its own
 * inode in ro_inodes first (the host's files of the rules' paths, whether
 * or not their dentries are cached), then the inode's other dentries in the
 * dentry cache (i_dentry; a hard link just made to a container's own
 * /etc/shadow has both names cached: `ln` looked the old one up).
 */
static __noinline bool bw_ro_watched_alias(struct file *file, struct bw_prefix_key *key, struct bw_alias *a)
{
	struct bw_ro_inode ik = {};
	struct super_block *sb = NULL;
	struct hlist_node *n = NULL;
	struct inode *inode = NULL;
	struct dentry *d = NULL;
	struct bw_winbuf *wb;
	unsigned long ino = 0;
	unsigned int nlink = 0;
	umode_t mode = 0;
	struct path fp;
	__u32 zero = 0;
	char *win;
	int i;

	wb = bpf_map_lookup_elem(&winbuf, &zero);
	if (!wb)
		return false;
	/* the file's window, as bw_ro_watched_path read it */
	bw_win_get(wb->file, file, f_path, fp);
	bw_win_get(wb->file, file, f_inode, inode);
	if (!inode)
		return false;
	win = wb->inode;
	bpf_probe_read_kernel(win, BW_WIN, inode);
	bw_win_get(win, inode, i_mode, mode);
	bw_win_get(win, inode, __i_nlink, nlink);
	if ((mode & BW_S_IFMT_) != BW_S_IFREG_ || nlink < 2)
		return false;
	bw_win_get(win, inode, i_ino, ino);
	bw_win_get(win, inode, i_sb, sb);
	ik.ino = ino;
	ik.dev = BPF_CORE_READ(sb, s_dev);
	a->named = bpf_map_lookup_elem(&ro_inodes, &ik);
	if (a->named)
		return true;
	/*
	 * Another name of the inode: the first alias that is not the dentry opened
	 * (a hard link has two names; with more, the first other one cached). One
	 * path walk, after the loop: a walk inside it is verified once per
	 * iteration, and the sensor's load time is mostly the verifier's.
	 */
	n = BPF_CORE_READ(inode, i_dentry.first);
#pragma clang loop unroll(disable)
	for (i = 0; i < BW_ALIASES && n; i++) {
		d = container_of(n, struct dentry, d_u.d_alias);
		if (d != fp.dentry)
			break;
		d = NULL;
		n = BPF_CORE_READ(n, next);
	}
	if (!d)
		return false;
	__builtin_memset(key, 0, sizeof(*key));
	if (bw_path_key(key, d, fp.mnt) >= 0 && bw_ro_prefix_match(key)) {
		a->dentry = d;
		return true;
	}
	return false;
}

/*
 * Is an opened file under a watched prefix? Decided on its path rebuilt from
 * the dentry and mount chain (as file.path is, in the opener's mount
 * namespace), never on the caller's string: `cd /etc && cat shadow`,
 * `/etc/../etc/shadow`, a symlink, a handle and io_uring all resolve to the
 * same file; a hard link by its other, watched name (bw_ro_watched_alias, in
 * @a). The directory's verdict is cached (ro_dircache): an open in a
 * known directory costs four small reads and one hash lookup, no walk and no
 * trie (measured: about 50 ns more per read-only open than the caller's
 * string and the trie at entry; the check of the directory's parent and name
 * is some 40 ns of it, and what keeps a renamed or reused dentry from
 * carrying a stale verdict). A file in an unwatched directory costs one
 * more read (its inode: mode and link count) for the hard-link check.
 */
static __noinline bool bw_ro_watched_path(struct file *file, struct bw_prefix_key *key, __u32 gen)
{
	struct bw_ro_dir_key k = {};
	struct bw_dentry_link fl, dl;
	struct bw_ro_dir_val *v, nv = {};
	struct bw_mount_link ml;
	struct bw_winbuf *wb;
	struct path fp;
	__u32 zero = 0, verdict = 0;

	wb = bpf_map_lookup_elem(&winbuf, &zero);
	if (!wb)
		return false;
	bpf_probe_read_kernel(wb->file, BW_WIN, file);
	bw_win_get(wb->file, file, f_path, fp);
	if (!fp.dentry)
		return false;
	bw_read_dentry_link(fp.dentry, &fl);
	bw_read_dentry_link(fl.parent, &dl);
	bw_read_mount_link(container_of(fp.mnt, struct mount, mnt), &ml);
	k.mnt = (__u64)fp.mnt;
	k.dentry = (__u64)fl.parent;
	v = bpf_map_lookup_elem(&ro_dircache, &k);
	if (v && v->gen == gen && v->parent == (__u64)dl.parent && v->hash_len == dl.name.hash_len &&
	    v->mnt_parent == (__u64)ml.parent && v->mnt_point == (__u64)ml.mountpoint)
		verdict = v->verdict;
	if (!verdict) {
		verdict = bw_ro_dir_verdict(key, fl.parent, fp.mnt);
		nv.parent = (__u64)dl.parent;
		nv.hash_len = dl.name.hash_len;
		nv.mnt_parent = (__u64)ml.parent;
		nv.mnt_point = (__u64)ml.mountpoint;
		nv.verdict = verdict;
		nv.gen = gen;
		bpf_map_update_elem(&ro_dircache, &k, &nv, BPF_ANY);
	}
	if (verdict != BW_RO_SOME)
		return verdict == BW_RO_ALL;
	__builtin_memset(key, 0, sizeof(*key));
	return bw_path_key(key, fp.dentry, fp.mnt) >= 0 && bw_ro_prefix_match(key);
}

/*
 * Two functions of their own, called one after the other: inlined, or one
 * calling the other, their path walks overflow the 512-byte stack.
 */
static __always_inline bool bw_ro_watched_file(struct file *file, struct bw_prefix_key *key, __u32 gen,
					       struct bw_alias *a)
{
	return bw_ro_watched_path(file, key, gen) || bw_ro_watched_alias(file, key, a);
}

/*
 * Builds and sends an open record: the arguments, the caller's string (@kstr
 * in kernel memory, else @ustr in the caller's), and the facts of @file, the
 * file really opened (NULL when the open failed).
 */
static __always_inline void bw_open_send(void *rec, __u32 syscall, __u32 via, long ret, __u32 ev_flags, __u32 flags,
					 __u32 mode, int dirfd, const char *kstr, const char *ustr, struct file *file,
					 const struct bw_alias *alias)
{
	__u32 cursor = sizeof(struct bw_open);
	__u32 ring = bw_type_ring(BW_EV_OPEN);
	struct bw_open *o = (struct bw_open *)bw_begin(rec, BW_EV_OPEN, sizeof(struct bw_open));

	o->ev.res = ret;
	o->ev.syscall = syscall;
	o->ev.via = via;
	o->ev.flags = ev_flags;
	o->open_flags = flags;
	o->open_mode = mode;
	o->dirfd = dirfd;
	if (kstr)
		bw_put_saved(rec, &cursor, &o->upath, kstr, BW_UPATH_MAX, &o->ev.flags);
	else if (ustr)
		bw_put_ustr(rec, &cursor, &o->upath, ustr, BW_UPATH_MAX, &o->ev.flags);
	if (file) {
		/* the facts of the file really opened, whatever path string led to it */
		struct dentry *ad = alias ? alias->dentry : NULL;
		const char *an = alias && alias->named ? (const char *)alias->named->data : NULL;

		if (ad || an)
			o->ev.flags |= BW_F_FILE_ALIAS;
		bw_put_file_as(rec, &cursor, &o->file, file, ad, an, &o->ev.flags);
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
	bw_submit_ring(rec, cursor, ring);
}

/*
 * A read-only open at syscall exit (its entry stored nothing). Its arguments
 * are read back from the caller's saved registers, which a syscall leaves as
 * they were. Kept when the file opened is under a watched prefix; a failed
 * open has no file, so the caller's string decides, as it always did.
 */
/* A regular file with several links (its inode's window, read into winbuf): worth the hard-link check? */
static __always_inline bool bw_ro_multilink(struct file *file, struct bw_winbuf *wb)
{
	struct inode *inode = NULL;
	unsigned int nlink = 0;
	umode_t mode = 0;

	bw_win_get(wb->file, file, f_inode, inode);
	if (!inode)
		return false;
	bpf_probe_read_kernel(wb->inode, BW_WIN, inode);
	bw_win_get(wb->inode, inode, i_mode, mode);
	bw_win_get(wb->inode, inode, __i_nlink, nlink);
	return (mode & BW_S_IFMT_) == BW_S_IFREG_ && nlink >= 2;
}

/*
 * Sends a read-only open that is kept: its arguments are read back from the
 * caller's saved registers, which a syscall leaves as they were. A failed
 * open (@file NULL) has no file, so the caller's string decides, as it always did.
 */
static __always_inline int bw_open_readonly_send(void *ctx, __u32 syscall, long ret, struct file *file,
						 const struct bw_alias *alias, struct bw_prefix_key *key)
{
	struct pt_regs *regs;
	const char *upath = NULL;
	__u32 flags, mode = 0;
	int dirfd = AT_FDCWD;
	void *rec;

	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	if (syscall == BW_SYS_OPEN) {
		upath = (const char *)PT_REGS_PARM1_SYSCALL(regs);
		flags = PT_REGS_PARM2_SYSCALL(regs);
		mode = PT_REGS_PARM3_SYSCALL(regs);
	} else if (syscall == BW_SYS_OPEN_BY_HANDLE_AT) {
		dirfd = PT_REGS_PARM1_SYSCALL(regs);
		flags = PT_REGS_PARM3_SYSCALL(regs);
	} else {
		dirfd = PT_REGS_PARM1_SYSCALL(regs);
		upath = (const char *)PT_REGS_PARM2_SYSCALL(regs);
		flags = PT_REGS_PARM3_SYSCALL(regs);
		mode = PT_REGS_PARM4_SYSCALL(regs);
		if (syscall == BW_SYS_OPENAT2) {
			struct open_how how = {};

			bpf_probe_read_user(&how, sizeof(how), (void *)PT_REGS_PARM3_SYSCALL(regs));
			flags = how.flags;
			mode = how.mode;
		}
	}
	/* a failed open has no file: the caller's string decides, as it always did */
	__builtin_memset(key, 0, sizeof(*key));
	if (ret < 0 && !(upath && bpf_probe_read_user_str(key->data, sizeof(key->data), upath) > 0 &&
			 bw_ro_prefix_match(key))) {
		bw_count(BW_CNT_FILTER_READONLY);
		return 0;
	}
	if (!bw_wanted(BW_EV_OPEN))
		return 0;
	rec = bw_scratch();
	if (rec)
		bw_open_send(rec, syscall, BW_VIA_SYSCALL, ret, 0, flags, mode, dirfd, NULL, upath, file, alias);
	return 0;
}

/*
 * A read-only open at syscall exit (its entry stored nothing), kept when the
 * file opened is under a watched prefix. A file with several links that is
 * not is handed to open_alias_tail for the hard-link check (the tail call
 * does not return; when it cannot be made, the open is dropped).
 */
static __always_inline int bw_open_readonly(void *ctx, __u32 syscall, long ret)
{
	struct bw_config *cfg = bw_config();
	struct bw_prefix_key *key;
	struct bw_winbuf *wb;
	struct file *file = NULL;
	__u32 zero = 0;

	wb = bpf_map_lookup_elem(&winbuf, &zero);
	if (!cfg || cfg->ro_prefixes == 0 || !wb)
		goto drop;
	key = &wb->key;
	/* the common case first: a file opened, decided by its path alone */
	if (ret >= 0) {
		file = bw_fd_file(ret);
		if (!file)
			goto drop;
		if (!bw_ro_watched_path(file, key, cfg->ro_gen)) {
			if (bw_ro_multilink(file, wb)) {
				wb->alias_file = (__u64)file;
				wb->alias_ret = ret;
				wb->alias_syscall = syscall;
				bpf_tail_call(ctx, &open_alias_prog, 0);
			}
			goto drop;
		}
	}
	return bw_open_readonly_send(ctx, syscall, ret, file, NULL, key);
drop:
	bw_count(BW_CNT_FILTER_READONLY);
	return 0;
}

static __always_inline int bw_open_exit(void *ctx, __u32 syscall)
{
	struct bw_pending *p = bw_pending_take(BW_EV_OPEN);
	long ret = BW_RET(ctx);
	void *rec;

	if (!p)
		return bw_open_readonly(ctx, syscall, ret);
	{
	struct file *file = ret >= 0 ? bw_fd_file(ret) : NULL;
	__u32 blocked = bw_block_exit(ret, file);

	rec = blocked & BW_BLOCK_REPORTED ? NULL : bw_scratch();
	if (rec)
		bw_open_send(rec, p->syscall, BW_VIA_SYSCALL, ret, p->flags | blocked, p->extra[0], p->extra[1],
			     (__s32)p->extra[2], p->s0, NULL, file, NULL);
	}
	bw_pending_end();
	return 0;
}

#endif
