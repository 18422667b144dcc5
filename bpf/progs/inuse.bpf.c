// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * In-use evidence: files mapped executable (file_map). The dynamic loader
 * maps a library's text with mmap(PROT_READ|PROT_EXEC, MAP_FIXED|MAP_PRIVATE,
 * fd): the fd names the file, so the syscall's entry sees it (the exit sees
 * only an address). The tracepoint tier is the one this needs: no LSM or
 * fentry hook is asked for. An executable itself and its interpreter are
 * mapped by the kernel during exec, not through mmap: the exec event covers
 * the executable, and the interpreter (ld.so) belongs to the C library's
 * package, whose libc.so is mapped through mmap.
 *
 * Cost: every mmap pays the argument test; a file-backed PROT_EXEC mapping
 * pays one fd lookup and one LRU hash insert attempt (BPF_NOEXIST), and only
 * the first sight of a file in a mount namespace builds a record.
 */
#include "../lib/syscall.bpf.h"

#define PROT_EXEC     0x4
#define MAP_ANONYMOUS 0x20

/* before 6.18 ("ns: add ns_common.ns_id" and friends) a mount namespace's unique id was its seq */
struct mnt_namespace___seq {
	u64 seq;
} __attribute__((preserve_access_index));

/* A mount namespace's 64-bit id, never reused; its inode number where neither exists. */
static __always_inline __u64 bw_mnt_ns_id(struct task_struct *t)
{
	struct mnt_namespace *ns = BPF_CORE_READ(t, nsproxy, mnt_ns);

	if (bpf_core_field_exists(ns->ns.ns_id))
		return BPF_CORE_READ(ns, ns.ns_id);
	if (bpf_core_field_exists(((struct mnt_namespace___seq *)ns)->seq))
		return BPF_CORE_READ((struct mnt_namespace___seq *)ns, seq);
	return BPF_CORE_READ(ns, ns.inum);
}

SEC("tracepoint/syscalls/sys_enter_mmap")
int file_map_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u64 prot = ctx->args[2], flags = ctx->args[3];
	int fd = (int)ctx->args[4];
	struct bw_file_map_key key = {};
	struct task_struct *t;
	struct bw_file_map *m;
	struct inode *inode;
	struct file *file;
	__u32 cursor;
	__u8 one = 1;
	void *rec;

	if (!(prot & PROT_EXEC) || (flags & MAP_ANONYMOUS) || fd < 0)
		return 0;
	if (!bw_wanted(BW_EV_FILE_MAP))
		return 0;
	file = bw_fd_file(fd);
	if (!file)
		return 0;
	t = bw_current();
	inode = BPF_CORE_READ(file, f_inode);
	key.ino = BPF_CORE_READ(inode, i_ino);
	key.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	key.mnt_ns_id = bw_mnt_ns_id(t);
	/* seen in this namespace already: the common case, one failed insert */
	if (bpf_map_update_elem(&file_map_seen, &key, &one, BPF_NOEXIST))
		return 0;
	rec = bw_scratch();
	if (!rec)
		return 0;
	m = (struct bw_file_map *)bw_begin(rec, BW_EV_FILE_MAP, sizeof(*m));
	m->prot = prot;
	m->flags = flags;
	cursor = sizeof(*m);
	bw_put_file(rec, &cursor, &m->file, file, &m->ev.flags);
	bw_submit(rec, cursor);
	return 0;
}
