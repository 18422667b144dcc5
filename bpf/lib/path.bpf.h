/* SPDX-License-Identifier: Apache-2.0 */
/* Facts about files from kernel objects: full path, name, filesystem, overlay layer. */
#ifndef BULWARK_PATH_BPF_H
#define BULWARK_PATH_BPF_H

#include "emit.bpf.h"

#define BW_PATH_MASK (BW_PATH_MAX - 1)
#define BW_NAME_MAX 255

/* Writes "/<name of dentry>" in front of the path built so far; false when there is no room. */
static __always_inline bool bw_path_prepend_name(struct bw_pathbuf *pb, struct dentry *dentry, __u32 *flags)
{
	struct qstr name = BPF_CORE_READ(dentry, d_name);
	__u32 len = name.len & BW_NAME_MAX, pos = pb->pos;

	if (len + 1 >= pos) {
		*flags |= BW_F_TRUNC_PATH;
		return false;
	}
	pos -= len;
	bpf_probe_read_kernel(pb->buf + (pos & BW_PATH_MASK), len, name.name);
	pos -= 1;
	pb->buf[pos & BW_PATH_MASK] = '/';
	pb->pos = pos;
	return true;
}

/*
 * Assembles the path of (dentry, vfsmount) backwards into the per-CPU path
 * buffer, crossing mount points up to the root of the caller's mount
 * namespace. bpf_d_path() would do this but is not allowed in tracepoint
 * programs. Returns the start of the NUL-terminated path, or NULL.
 */
static __always_inline const char *bw_build_path(struct dentry *dentry, struct vfsmount *vfsmnt, __u32 *flags)
{
	struct mount *mnt = container_of(vfsmnt, struct mount, mnt);
	struct mount *mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
	__u32 zero = 0;
	struct bw_pathbuf *pb = bpf_map_lookup_elem(&pathbuf, &zero);
	int i;

	if (!pb)
		return NULL;
	pb->buf[BW_PATH_MAX] = '\0';
	pb->pos = BW_PATH_MAX;
	for (i = 0; i < BW_PATH_DEPTH; i++) {
		struct dentry *mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
		struct dentry *d_parent = BPF_CORE_READ(dentry, d_parent);
		if (dentry == mnt_root || dentry == d_parent) {
			if (dentry != mnt_root) {
				/*
				 * Its own root, not under any mount: an anonymous file
				 * (memfd, anon inode). Its name is all there is, as in
				 * /proc/<pid>/fd (e.g. "/memfd:x").
				 */
				bw_path_prepend_name(pb, dentry, flags);
				break;
			}
			if (mnt == mnt_parent)
				break; /* the namespace root */
			/* continue from the mount point in the parent mount */
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = mnt_parent;
			mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
			vfsmnt = &mnt->mnt;
			continue;
		}
		if (!bw_path_prepend_name(pb, dentry, flags))
			break;
		dentry = d_parent;
	}
	if (i == BW_PATH_DEPTH)
		*flags |= BW_F_TRUNC_PATH;
	if (pb->pos >= BW_PATH_MAX) {
		pb->pos = BW_PATH_MAX - 1;
		pb->buf[BW_PATH_MAX - 1] = '/';
	}
	return pb->buf + (pb->pos & BW_PATH_MASK);
}

/* Appends the full path of a struct path to the record. */
static __always_inline void bw_put_path(void *rec, __u32 *cursor, struct bw_str *d,
					struct dentry *dentry, struct vfsmount *mnt, __u32 *flags)
{
	const char *path;

	if (!dentry)
		return;
	path = bw_build_path(dentry, mnt, flags);
	if (path)
		bw_put_kstr(rec, cursor, d, path, BW_PATH_MAX + 1, flags, BW_F_TRUNC_PATH);
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

/* Fills a bw_file from a struct file: path, name, filesystem, inode, layer. */
static __always_inline void bw_put_file(void *rec, __u32 *cursor, struct bw_file *f, struct file *file,
					__u32 *flags)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	struct super_block *sb = BPF_CORE_READ(inode, i_sb);
	struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);

	if (!file)
		return;
	f->ino = BPF_CORE_READ(inode, i_ino);
	f->dev = BPF_CORE_READ(sb, s_dev);
	f->fs_magic = BPF_CORE_READ(sb, s_magic);
	f->mode = BPF_CORE_READ(inode, i_mode);
	if (f->fs_magic == OVERLAYFS_SUPER_MAGIC)
		f->layer = bw_overlay_layer(inode);
	bw_put_path(rec, cursor, &f->path, dentry, BPF_CORE_READ(file, f_path.mnt), flags);
	bw_put_kstr(rec, cursor, &f->name, BPF_CORE_READ(dentry, d_name.name), BW_NAME_MAX + 1, flags,
		    BW_F_TRUNC_PATH);
	bw_put_kstr(rec, cursor, &f->fs, BPF_CORE_READ(sb, s_type, name), 32, flags, BW_F_TRUNC_STR);
}

/* The struct file behind a descriptor of the current task, or NULL. */
static __always_inline struct file *bw_fd_file(int fd)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	unsigned int max = BPF_CORE_READ(fdt, max_fds);
	struct file *file = NULL;

	if (fd < 0 || (unsigned int)fd >= max)
		return NULL;
	bpf_core_read(&file, sizeof(file), &fds[fd]);
	return file;
}

/* Is the file one whose writes are security-critical (cgroup, procfs, sysfs control files)? */
static __always_inline bool bw_fs_critical(__u32 magic)
{
	return magic == CGROUP_SUPER_MAGIC || magic == CGROUP2_SUPER_MAGIC || magic == PROC_SUPER_MAGIC ||
	       magic == SYSFS_MAGIC;
}

#endif
