/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Facts about files from kernel objects: full path, name, filesystem, overlay layer. */
#ifndef BULWARK_PATH_BPF_H
#define BULWARK_PATH_BPF_H

#include "emit.bpf.h"

#define BW_PATH_MASK (BW_PATH_MAX - 1)
#define BW_NAME_MAX 255

/*
 * Every bpf_probe_read_kernel costs about 90 ns here (docs/BENCHMARKS.md), and
 * a write-open record needed some 40 of them. Fields that are neighbours in
 * the running kernel's layout (checked at load time through CO-RE offsets;
 * otherwise they are read one by one) are fetched with one read.
 */
#define bw_adjacent(type, a, b) \
	(bpf_core_field_offset(type, b) == bpf_core_field_offset(type, a) + bpf_core_field_size(type, a))

/*
 * The first BW_WIN bytes of a kernel object, fetched with one read; a field
 * is taken from there when the running kernel's layout puts it inside, and
 * read alone otherwise. @dst must have the field's size.
 */
#define BW_WIN 128
#define bw_win_get(win, obj, field, dst)                                                                    \
	do {                                                                                                \
		_Static_assert(sizeof(dst) == sizeof((obj)->field), "bw_win_get: size of " #field);        \
		if (bpf_core_field_offset(__typeof__(*(obj)), field) + sizeof(dst) <= BW_WIN)               \
			__builtin_memcpy(&(dst), (win) + bpf_core_field_offset(__typeof__(*(obj)), field),   \
					 sizeof(dst));                                                       \
		else                                                                                        \
			bpf_core_read(&(dst), sizeof(dst), &(obj)->field);                                   \
	} while (0)


static __always_inline void bw_read_dentry_link(struct dentry *d, struct bw_dentry_link *l)
{
	if (bw_adjacent(struct dentry, d_parent, d_name) && bpf_core_field_size(struct dentry, d_name) == 16) {
		bpf_core_read(l, sizeof(*l), &d->d_parent);
	} else {
		l->parent = BPF_CORE_READ(d, d_parent);
		l->name = BPF_CORE_READ(d, d_name);
	}
}


static __always_inline void bw_read_mount_link(struct mount *m, struct bw_mount_link *l)
{
	if (bw_adjacent(struct mount, mnt_parent, mnt_mountpoint) && bw_adjacent(struct mount, mnt_mountpoint, mnt) &&
	    bpf_core_field_offset(struct vfsmount, mnt_root) == 0) {
		bpf_core_read(l, sizeof(*l), &m->mnt_parent);
	} else {
		l->parent = BPF_CORE_READ(m, mnt_parent);
		l->mountpoint = BPF_CORE_READ(m, mnt_mountpoint);
		l->root = BPF_CORE_READ(m, mnt.mnt_root);
	}
}

/* Writes "/<name>" in front of the path built so far; false when there is no room. */
static __always_inline bool bw_path_prepend_name(struct bw_pathbuf *pb, const struct qstr *name, __u32 *flags)
{
	__u32 len = name->len & BW_NAME_MAX, pos = pb->pos;

	if (len + 1 >= pos) {
		*flags |= BW_F_TRUNC_PATH;
		return false;
	}
	pos -= len;
	bpf_probe_read_kernel(pb->buf + (pos & BW_PATH_MASK), len, name->name);
	pos -= 1;
	pb->buf[pos & BW_PATH_MASK] = '/';
	pb->pos = pos;
	return true;
}

/*
 * Assembles the path of (dentry, vfsmount) backwards into the per-CPU path
 * buffer, crossing mount points up to the root of the caller's mount
 * namespace. bpf_d_path() would do this but is not allowed in tracepoint
 * programs. Returns the start of the NUL-terminated path, or NULL; *name_len
 * is the length of its last component (0: none).
 */
static __always_inline const char *bw_build_path(struct dentry *dentry, struct vfsmount *vfsmnt, __u32 *flags,
						 __u32 *name_len)
{
	struct mount *mnt = container_of(vfsmnt, struct mount, mnt);
	__u32 zero = 0;
	struct bw_pathbuf *pb = bpf_map_lookup_elem(&pathbuf, &zero);
	int i;

	*name_len = 0;
	if (!pb)
		return NULL;
	pb->buf[BW_PATH_MAX] = '\0';
	pb->pos = BW_PATH_MAX;
	/* the links read on the way live in the map too: a walk inlined thrice must fit the stack */
#define ml pb->ml
#define dl pb->dl
	bw_read_mount_link(mnt, &ml);
	for (i = 0; i < BW_PATH_DEPTH; i++) {
		/* nothing written after it yet: the component is the file's own name */
		bool last = pb->pos == BW_PATH_MAX;

		bw_read_dentry_link(dentry, &dl);
		if (dentry == ml.root || dentry == dl.parent) {
			if (dentry != ml.root) {
				/*
				 * Its own root, not under any mount: an anonymous file
				 * (memfd, anon inode). Its name is all there is, as in
				 * /proc/<pid>/fd (e.g. "/memfd:x").
				 */
				if (bw_path_prepend_name(pb, &dl.name, flags) && last)
					*name_len = dl.name.len & BW_NAME_MAX;
				break;
			}
			if (mnt == ml.parent)
				break; /* the namespace root */
			/* continue from the mount point in the parent mount */
			dentry = ml.mountpoint;
			mnt = ml.parent;
			bw_read_mount_link(mnt, &ml);
			continue;
		}
		if (!bw_path_prepend_name(pb, &dl.name, flags))
			break;
		if (last)
			*name_len = dl.name.len & BW_NAME_MAX;
		dentry = dl.parent;
	}
#undef ml
#undef dl
	if (i == BW_PATH_DEPTH)
		*flags |= BW_F_TRUNC_PATH;
	if (pb->pos >= BW_PATH_MAX) {
		pb->pos = BW_PATH_MAX - 1;
		pb->buf[BW_PATH_MAX - 1] = '/';
	}
	return pb->buf + (pb->pos & BW_PATH_MASK);
}

/*
 * Appends the full path of a struct path to the record; @name, if given,
 * becomes the path's last component (a view into the same bytes).
 */
static __always_inline void bw_put_path(void *rec, __u32 *cursor, struct bw_str *d, struct bw_str *name,
					struct dentry *dentry, struct vfsmount *mnt, __u32 *flags)
{
	const char *path;
	__u32 name_len;

	if (!dentry)
		return;
	path = bw_build_path(dentry, mnt, flags, &name_len);
	if (!path)
		return;
	bw_put_kstr(rec, cursor, d, path, BW_PATH_MAX + 1, flags, BW_F_TRUNC_PATH);
	if (name && name_len && d->len >= name_len) {
		name->off = d->off + d->len - name_len;
		name->len = name_len;
	}
}

/* Which overlayfs layer an overlay inode's content comes from. */
static __always_inline __u32 bw_overlay_layer(struct inode *inode)
{
	struct ovl_inode *oi;

	/*
	 * struct ovl_inode lives in the overlay module's BTF where overlayfs is a
	 * module (Debian's 6.1); without it this branch is dead code.
	 */
	if (!bpf_core_type_exists(struct ovl_inode))
		return BW_LAYER_NONE;
	oi = container_of(inode, struct ovl_inode, vfs_inode);
	return BPF_CORE_READ(oi, __upperdentry) ? BW_LAYER_UPPER : BW_LAYER_LOWER;
}

/*
 * Fills a bw_file from a struct file: path, name, filesystem, inode, layer.
 * The path is another name of the same inode when one is given: an alias
 * dentry (reached through the file's mount), or a path string in kernel memory.
 */
static __always_inline void bw_put_file_as(void *rec, __u32 *cursor, struct bw_file *f, struct file *file,
					   struct dentry *alias, const char *alias_path, __u32 *flags)
{
	struct inode *inode = NULL;
	struct super_block *sb = NULL;
	struct file_system_type *fs_type = NULL;
	unsigned long ino, magic;
	struct bw_winbuf *wb;
	struct path fp;
	umode_t mode;
	__u32 zero = 0;
	char *win;
	dev_t dev;

	/* the window lives in a per-CPU map: 128 bytes less on the callers' stacks */
	wb = bpf_map_lookup_elem(&winbuf, &zero);
	if (!file || !wb)
		return;
	win = wb->file;
	bpf_probe_read_kernel(win, BW_WIN, file);
	bw_win_get(win, file, f_inode, inode);
	bw_win_get(win, file, f_path, fp);
	bpf_probe_read_kernel(win, BW_WIN, inode);
	bw_win_get(win, inode, i_sb, sb);
	bw_win_get(win, inode, i_ino, ino);
	bw_win_get(win, inode, i_mode, mode);
	bpf_probe_read_kernel(win, BW_WIN, sb);
	bw_win_get(win, sb, s_dev, dev);
	bw_win_get(win, sb, s_magic, magic);
	bw_win_get(win, sb, s_type, fs_type);
	f->ino = ino;
	f->mode = mode;
	f->dev = dev;
	f->fs_magic = magic;
	if (f->fs_magic == OVERLAYFS_SUPER_MAGIC)
		f->layer = bw_overlay_layer(inode);
	if (alias_path) {
		__u32 k, last = 0;

		bw_put_kstr(rec, cursor, &f->path, alias_path, BW_PREFIX_MAX, flags, BW_F_TRUNC_PATH);
		/* its last component, a view into the same bytes (a counted loop: the verifier's bound) */
#pragma clang loop unroll(disable)
		for (k = 0; k < BW_PREFIX_MAX; k++) {
			if (k >= f->path.len)
				break;
			if (((char *)rec)[(f->path.off + k) & BW_REC_MASK] == '/')
				last = k + 1;
		}
		if (f->path.len > last) {
			f->name.off = f->path.off + last;
			f->name.len = f->path.len - last;
		}
	} else {
		bw_put_path(rec, cursor, &f->path, &f->name, alias ? alias : fp.dentry, fp.mnt, flags);
	}
	bw_put_kstr(rec, cursor, &f->fs, BPF_CORE_READ(fs_type, name), 32, flags, BW_F_TRUNC_STR);
}

static __always_inline void bw_put_file(void *rec, __u32 *cursor, struct bw_file *f, struct file *file,
					__u32 *flags)
{
	bw_put_file_as(rec, cursor, f, file, NULL, NULL, flags);
}

/* The struct file behind a descriptor of the current task, or NULL. */
static __always_inline struct file *bw_fd_file(int fd)
{
	struct fdtable *fdt = bpf_get_current_task_btf()->files->fdt;
	struct file *file = NULL;

	if (fd < 0 || (unsigned int)fd >= fdt->max_fds)
		return NULL;
	/* an indexed load from a BTF pointer is refused: one probe read */
	bpf_core_read(&file, sizeof(file), &fdt->fd[fd]);
	return file;
}

/* Is the file one whose writes are security-critical (cgroup, procfs, sysfs control files)? */
static __always_inline bool bw_fs_critical(__u32 magic)
{
	return magic == CGROUP_SUPER_MAGIC || magic == CGROUP2_SUPER_MAGIC || magic == PROC_SUPER_MAGIC ||
	       magic == SYSFS_MAGIC;
}

#endif
