// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Process injection: another process's memory read or written
 * (process_vm_readv/writev, an open of its /proc/<pid>/mem), and anonymous
 * memory made executable (mprotect adding PROT_EXEC, mmap PROT_WRITE|PROT_EXEC).
 */
#include "../lib/syscall.bpf.h"

#define PROT_WRITE    0x2
#define PROT_EXEC     0x4
#define MAP_ANONYMOUS 0x20
#define VM_EXEC       0x4 /* include/linux/mm.h: VM_READ 1, VM_WRITE 2, VM_EXEC 4, as PROT_* */
#define FMODE_RW      0x3 /* FMODE_READ 1, FMODE_WRITE 2 */

/* process_vm_readv/writev(pid, lvec, liovcnt, rvec, riovcnt, flags) */
static __always_inline int bw_process_vm_enter(void *ctx, __u32 syscall)
{
	struct bw_pending *p;

	if (!bw_wanted(BW_EV_PROCESS_VM))
		return 0;
	p = bw_pending_begin(BW_EV_PROCESS_VM, syscall, ctx, 6);
	if (p)
		bw_pending_commit(p);
	return 0;
}

static __always_inline int bw_process_vm_exit(void *ctx)
{
	struct bw_pending *p = bw_pending_take(BW_EV_PROCESS_VM);
	struct bw_process_vm *m;
	void *rec;

	if (!p)
		return 0;
	rec = bw_scratch();
	if (rec) {
		m = (struct bw_process_vm *)bw_begin_syscall(rec, p, sizeof(*m), BW_RET(ctx));
		m->target_pid = p->args[0];
		m->liovcnt = p->args[2];
		m->riovcnt = p->args[4];
		bw_submit(rec, sizeof(*m));
	}
	bw_pending_end();
	return 0;
}

BW_SYSCALL_ENTER(process_vm_readv) { return bw_process_vm_enter(ctx, BW_SYS_PROCESS_VM_READV); }
BW_SYSCALL_EXIT(process_vm_readv) { return bw_process_vm_exit(ctx); }
BW_SYSCALL_ENTER(process_vm_writev) { return bw_process_vm_enter(ctx, BW_SYS_PROCESS_VM_WRITEV); }
BW_SYSCALL_EXIT(process_vm_writev) { return bw_process_vm_exit(ctx); }

/*
 * An open that returned an fd of another process's procfs "mem" file. Decided
 * from kernel objects, not the caller's path (/proc/self/../1/mem, a dirfd, a
 * bind mount of /proc): the superblock is procfs, the dentry is named "mem",
 * and the proc_inode's struct pid names a task of another thread group. These
 * programs share the open tracepoints with file.bpf.c's and keep no state: the
 * open event (write opens only) and this one describe the same open, this one
 * with what it means; read-only opens are seen only here.
 */
static __always_inline int bw_proc_mem_exit(void *ctx)
{
	long fd = BW_RET(ctx);
	struct hlist_node *first;
	struct task_struct *t;
	struct bw_proc_mem *m;
	struct proc_inode *pi;
	struct inode *inode;
	struct file *file;
	struct qstr name;
	struct pid *pid;
	char s[4] = {};
	__u32 tgid;
	void *rec;

	if (fd < 0)
		return 0;
	file = bw_fd_file(fd);
	if (!file)
		return 0;
	inode = BPF_CORE_READ(file, f_inode);
	if (BPF_CORE_READ(inode, i_sb, s_magic) != PROC_SUPER_MAGIC)
		return 0;
	name = BPF_CORE_READ(file, f_path.dentry, d_name);
	if (name.len != 3)
		return 0;
	bpf_probe_read_kernel(s, 3, name.name);
	if (s[0] != 'm' || s[1] != 'e' || s[2] != 'm')
		return 0;
	/* a procfs inode of a pid directory's file is embedded in a struct proc_inode */
	pi = (void *)((char *)inode - bpf_core_field_offset(struct proc_inode, vfs_inode));
	pid = BPF_CORE_READ(pi, pid);
	if (!pid)
		return 0;
	first = BPF_CORE_READ(pid, tasks[PIDTYPE_PID].first);
	if (!first)
		return 0; /* the task is gone: nothing left to read or write */
	t = (void *)((char *)first - bpf_core_field_offset(struct task_struct, pid_links));
	tgid = BPF_CORE_READ(t, tgid);
	if (tgid == (__u32)(bpf_get_current_pid_tgid() >> 32))
		return 0; /* its own memory (/proc/self/mem): what some runtimes do */
	if (!bw_wanted(BW_EV_PROC_MEM))
		return 0;
	rec = bw_scratch();
	if (!rec)
		return 0;
	m = (struct bw_proc_mem *)bw_begin(rec, BW_EV_PROC_MEM, sizeof(*m));
	m->ev.res = fd;
	m->target_pid = tgid;
	m->target_start_time = BPF_CORE_READ(t, group_leader, start_boottime);
	m->access = BPF_CORE_READ(file, f_mode) & FMODE_RW;
	bw_submit(rec, sizeof(*m));
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_open") int proc_mem_open(void *ctx) { return bw_proc_mem_exit(ctx); }
SEC("tracepoint/syscalls/sys_exit_openat") int proc_mem_openat(void *ctx) { return bw_proc_mem_exit(ctx); }
SEC("tracepoint/syscalls/sys_exit_openat2") int proc_mem_openat2(void *ctx) { return bw_proc_mem_exit(ctx); }
SEC("tracepoint/syscalls/sys_exit_creat") int proc_mem_creat(void *ctx) { return bw_proc_mem_exit(ctx); }

/*
 * mem_exec: only a process's first successful W->X is reported (mem_exec_seen),
 * and only for anonymous memory. The cost on a JIT is one hash lookup per
 * mprotect(PROT_EXEC) or mmap(W|X) after the first; every other mprotect/mmap
 * costs the argument test alone.
 */
static __always_inline bool bw_mem_exec_seen(void)
{
	struct task_struct *t = bw_current();
	__u32 tgid = t->tgid;
	__u64 *st = bpf_map_lookup_elem(&mem_exec_seen, &tgid);

	return st && *st == t->group_leader->start_boottime;
}

static __always_inline void bw_mem_exec_mark(void)
{
	struct task_struct *t = bw_current();
	__u32 tgid = t->tgid;
	__u64 st = t->group_leader->start_boottime;

	bpf_map_update_elem(&mem_exec_seen, &tgid, &st, BPF_ANY);
}

struct bw_vma_facts {
	__u64 flags;
	bool anon;
};

static long bw_vma_cb(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct bw_vma_facts *f = data;

	f->flags = BPF_CORE_READ(vma, vm_flags);
	f->anon = !BPF_CORE_READ(vma, vm_file);
	return 0;
}

/*
 * mprotect(start, len, prot) adding PROT_EXEC to an anonymous mapping that is
 * not executable yet. Anonymous memory starts zero-filled, so code in it was
 * written there: "is or was writable" holds for every such mapping.
 */
BW_SYSCALL_ENTER(mprotect)
{
	struct bw_vma_facts f = {};
	struct bw_pending *p;

	if (!(BW_ARGS(ctx)[2] & PROT_EXEC) || !bw_wanted(BW_EV_MEM_EXEC) || bw_mem_exec_seen())
		return 0;
	/* bpf_find_vma exists since 5.17; before it the check cannot be made and nothing is reported */
	if (!bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_find_vma))
		return 0;
	if (bpf_find_vma(bw_current(), BW_ARGS(ctx)[0], bw_vma_cb, &f, 0) || !f.anon || (f.flags & VM_EXEC))
		return 0;
	p = bw_pending_begin(BW_EV_MEM_EXEC, BW_SYS_MPROTECT, ctx, 3);
	if (!p)
		return 0;
	p->extra[0] = f.flags & 0x7;
	bw_pending_commit(p);
	return 0;
}

/* mmap(addr, len, prot, flags, fd, off) of anonymous memory both writable and executable */
BW_SYSCALL_ENTER(mmap)
{
	__u64 prot = BW_ARGS(ctx)[2];
	struct bw_pending *p;

	if ((prot & (PROT_WRITE | PROT_EXEC)) != (PROT_WRITE | PROT_EXEC) || !(BW_ARGS(ctx)[3] & MAP_ANONYMOUS))
		return 0;
	if (!bw_wanted(BW_EV_MEM_EXEC) || bw_mem_exec_seen())
		return 0;
	p = bw_pending_begin(BW_EV_MEM_EXEC, BW_SYS_MMAP, ctx, 6);
	if (p)
		bw_pending_commit(p);
	return 0;
}

static __always_inline int bw_mem_exec_exit(void *ctx)
{
	struct bw_pending *p = bw_pending_take(BW_EV_MEM_EXEC);
	long ret = BW_RET(ctx);
	struct bw_mem_exec *m;
	void *rec;

	if (!p)
		return 0;
	rec = bw_scratch();
	if (rec) {
		m = (struct bw_mem_exec *)bw_begin_syscall(rec, p, sizeof(*m), ret);
		m->addr = p->args[0];
		m->len = p->args[1];
		m->prot = p->args[2];
		if (p->syscall == BW_SYS_MMAP)
			m->flags = p->args[3];
		else
			m->prev_prot = p->extra[0];
		bw_submit(rec, sizeof(*m));
	}
	/* failures (EACCES under an execmem policy) are reported every time: they are rare */
	if (ret >= 0) /* mmap returns a user address: positive */
		bw_mem_exec_mark();
	bw_pending_end();
	return 0;
}

BW_SYSCALL_EXIT(mprotect) { return bw_mem_exec_exit(ctx); }
BW_SYSCALL_EXIT(mmap) { return bw_mem_exec_exit(ctx); }
