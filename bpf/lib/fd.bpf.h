/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * What a new image inherits, read at exec: its standard descriptors (a
 * reverse shell's stdin/stdout is the socket: nc -e, socat exec:, bash
 * >& /dev/tcp) and, for a #! script, the script's own file.
 */
#ifndef BULWARK_FD_BPF_H
#define BULWARK_FD_BPF_H

#include <bpf/bpf_endian.h>
#include "path.bpf.h"

/* include/uapi/linux/stat.h */
#define BW_S_IFMT   00170000
#define BW_S_IFSOCK 0140000
#define BW_S_IFREG  0100000
#define BW_S_IFDIR  0040000
#define BW_S_IFCHR  0020000
#define BW_S_IFIFO  0010000

/* include/uapi/linux/major.h: TTY_MAJOR 4, TTYAUX_MAJOR 5 (tty, console, ptmx), PTY masters 128-135, UNIX98 pty slaves 136-143 */
static __always_inline bool bw_tty_major(__u32 major)
{
	return major == 4 || major == 5 || (major >= 128 && major <= 143);
}

/* The peer of an inet/inet6 socket, from struct sock_common (zero while unconnected). */
static __always_inline void bw_sock_peer(struct bw_stdfd *s, struct file *file)
{
	struct socket *sock = BPF_CORE_READ(file, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);

	if (!sk)
		return;
	s->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (s->family == AF_INET) {
		__u32 a = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		__builtin_memcpy(s->addr, &a, 4);
	} else if (s->family == AF_INET6) {
		bpf_core_read(s->addr, 16, &sk->__sk_common.skc_v6_daddr);
	} else {
		return;
	}
	s->port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
}

/* Fills s from descriptor fd of the task's table (the new image's, at exec). */
static __always_inline void bw_stdfd_fill(struct bw_stdfd *s, struct fdtable *fdt, int fd)
{
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;
	struct inode *inode;
	__u32 mode, rdev;

	if ((unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	if (!file)
		return;
	inode = BPF_CORE_READ(file, f_inode);
	mode = BPF_CORE_READ(inode, i_mode) & BW_S_IFMT;
	switch (mode) {
	case BW_S_IFSOCK:
		s->type = BW_FD_SOCKET;
		bw_sock_peer(s, file);
		break;
	case BW_S_IFIFO:
		s->type = BW_FD_PIPE;
		break;
	case BW_S_IFREG:
	case BW_S_IFDIR:
		s->type = BW_FD_FILE;
		break;
	case BW_S_IFCHR:
		rdev = BPF_CORE_READ(inode, i_rdev);
		s->type = bw_tty_major(rdev >> 20) ? BW_FD_TTY : BW_FD_CHAR;
		break;
	default:
		s->type = BW_FD_OTHER;
	}
}

static __always_inline void bw_stdfds(struct bw_stdfd std[3], struct task_struct *task)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);

	if (!fdt)
		return;
	bw_stdfd_fill(&std[0], fdt, 0);
	bw_stdfd_fill(&std[1], fdt, 1);
	bw_stdfd_fill(&std[2], fdt, 2);
}

/*
 * The #! script of an exec. fs/exec.c (exec_binprm, 6.1 and 6.18 alike):
 * after binfmt_script opened the interpreter, bprm->file becomes the
 * interpreter and the script's file is fput() before the exec tracepoint
 * runs. fput of a user task's last reference queues ____fput on the task's
 * task_works (run on the return to user space, after the tracepoint), so
 * the script's struct file is still alive and reachable there: it is the
 * deepest (earliest queued in this syscall: the list is LIFO and empty at
 * syscall entry) queued file opened by open_exec (__FMODE_EXEC) that is not
 * the interpreter. Not found (NULL) when kallsyms lacks ____fput, when the
 * script was exec'd through an fd that keeps it open (fexecve), or when
 * the list holds more than BW_TW_DEPTH works.
 */
#define BW_TW_DEPTH 32
#define BW_FMODE_EXEC 0x20 /* __FMODE_EXEC in f_flags: opened by open_exec */

extern const void ____fput __ksym __weak;

/* struct file before 6.8 ("fs: use f_task_work ..."): the work lived in f_u.fu_rcuhead */
struct file___fu {
	union {
		struct llist_node fu_llist;
		struct callback_head fu_rcuhead;
	} f_u;
} __attribute__((preserve_access_index));

static __always_inline struct file *bw_exec_script(struct task_struct *task, struct linux_binprm *bprm,
						   struct inode *interp)
{
	unsigned long fput_fn = (unsigned long)&____fput, off;
	struct callback_head *w;
	struct file *found = NULL;
	int i;

	/* a binfmt that replaced the interpreter changed bprm->interp (bprm_change_interp) */
	if (!fput_fn || BPF_CORE_READ(bprm, interp) == BPF_CORE_READ(bprm, filename))
		return NULL;
	if (bpf_core_field_exists(struct file, f_task_work))
		off = bpf_core_field_offset(struct file, f_task_work);
	else if (bpf_core_field_exists(struct file___fu, f_u))
		off = bpf_core_field_offset(struct file___fu, f_u);
	else
		return NULL;
	w = BPF_CORE_READ(task, task_works);
	for (i = 0; i < BW_TW_DEPTH && w; i++) {
		struct callback_head h = {};
		struct file *f;

		if (bpf_probe_read_kernel(&h, sizeof(h), w))
			break;
		if ((unsigned long)h.func == fput_fn) {
			f = (struct file *)((void *)w - off);
			if ((BPF_CORE_READ(f, f_flags) & BW_FMODE_EXEC) && BPF_CORE_READ(f, f_inode) != interp)
				found = f;
		}
		w = h.next;
	}
	return found;
}

#endif
