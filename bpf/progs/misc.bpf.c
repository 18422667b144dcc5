// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* ptrace (attach, seize, traceme, memory and register writes), kernel module loads, BPF program loads, memfd_create, the setuid family, userfaultfd. */
#include "../lib/syscall.bpf.h"

/* Entry helper for events whose arguments are all kept in p->args. */
static __always_inline struct bw_pending *bw_simple_enter(void *ctx, const int nargs, __u32 type, __u32 syscall)
{
	if (!bw_wanted(type))
		return NULL;
	return bw_pending_begin(type, syscall, ctx, nargs);
}

/*
 * The requests that take control of a process or change it: attach/seize,
 * TRACEME (a child offering itself to its parent; also the classic
 * anti-debugging check), and writes of the tracee's memory or registers
 * (injection). Reads (PEEK*, GETREGS) and resumes are a debugger's steady
 * traffic and tell a rule nothing more: dropped here.
 */
static __always_inline bool bw_ptrace_wanted(__u64 request)
{
	switch (request) {
	case PTRACE_ATTACH:
	case PTRACE_SEIZE:
	case PTRACE_TRACEME:
	case PTRACE_POKETEXT:
	case PTRACE_POKEDATA:
	case PTRACE_POKEUSER:
	case PTRACE_SETREGS:
	case PTRACE_SETFPREGS:
	case PTRACE_SETREGSET:
		return true;
	}
	return false;
}

BW_SYSCALL_ENTER(ptrace)
{
	__u64 request = BW_ARGS(ctx)[0];
	struct bw_pending *p;

	if (!bw_ptrace_wanted(request))
		return 0;
	p = bw_simple_enter(ctx, 4, BW_EV_PTRACE, BW_SYS_PTRACE);
	if (p)
		bw_pending_commit(p);
	return 0;
}

BW_SYSCALL_EXIT(ptrace)
{
	struct bw_pending *p = bw_pending_take(BW_EV_PTRACE);
	struct bw_ptrace *t;
	void *rec;

	if (!p)
		return 0;
	rec = bw_scratch();
	if (rec) {
		t = (struct bw_ptrace *)bw_begin_syscall(rec, p, sizeof(*t), BW_RET(ctx));
		t->request = p->args[0];
		t->target_pid = p->args[1];
		bw_submit(rec, sizeof(*t));
	}
	bw_pending_end();
	return 0;
}

/* init_module(image, len, uargs) / finit_module(fd, uargs, flags) */
BW_SYSCALL_ENTER(init_module)
{
	struct bw_pending *p = bw_simple_enter(ctx, 3, BW_EV_MODULE_LOAD, BW_SYS_INIT_MODULE);

	if (!p)
		return 0;
	p->extra[1] = (__u64)-1;
	bw_pending_ustr(p, BW_SLOT_S0, (void *)BW_ARGS(ctx)[2]);
	bw_pending_commit(p);
	return 0;
}

BW_SYSCALL_ENTER(finit_module)
{
	struct bw_pending *p = bw_simple_enter(ctx, 3, BW_EV_MODULE_LOAD, BW_SYS_FINIT_MODULE);

	if (!p)
		return 0;
	p->extra[0] = BW_ARGS(ctx)[2];
	p->extra[1] = BW_ARGS(ctx)[0];
	bw_pending_ustr(p, BW_SLOT_S0, (void *)BW_ARGS(ctx)[1]);
	bw_pending_commit(p);
	return 0;
}

static __always_inline int bw_module_exit(void *ctx)
{
	struct bw_pending *p = bw_pending_take(BW_EV_MODULE_LOAD);
	__u32 cursor = sizeof(struct bw_module);
	struct bw_module *m;
	void *rec;

	if (!p)
		return 0;
	rec = bw_scratch();
	if (!rec)
		goto end;
	m = (struct bw_module *)bw_begin_syscall(rec, p, sizeof(*m), BW_RET(ctx));
	m->mod_flags = p->extra[0];
	m->fd = (__s32)p->extra[1];
	bw_put_saved(rec, &cursor, &m->uargs, p->s0, BW_UPATH_MAX, &m->ev.flags);
	if (p->syscall == BW_SYS_FINIT_MODULE) {
		struct file *file = bw_fd_file(m->fd);

		if (file)
			bw_put_file(rec, &cursor, &m->file, file, &m->ev.flags);
	}
	bw_submit(rec, cursor);
end:
	bw_pending_end();
	return 0;
}

BW_SYSCALL_EXIT(init_module) { return bw_module_exit(ctx); }
BW_SYSCALL_EXIT(finit_module) { return bw_module_exit(ctx); }

/* bpf(BPF_PROG_LOAD, attr, size): program type, size and name from the caller's attr. */
BW_SYSCALL_ENTER(bpf)
{
	struct bw_pending *p;
	union bpf_attr *attr = (void *)BW_ARGS(ctx)[1];

	if (BW_ARGS(ctx)[0] != BPF_PROG_LOAD_CMD)
		return 0;
	p = bw_simple_enter(ctx, 3, BW_EV_BPF_LOAD, BW_SYS_BPF);
	if (!p)
		return 0;
	bpf_probe_read_user(&p->extra[0], sizeof(__u32), &attr->prog_type);
	bpf_probe_read_user(&p->extra[1], sizeof(__u32), &attr->insn_cnt);
	/* prog_name is a fixed 16-byte array that need not be NUL-terminated */
	bpf_probe_read_user(p->s2, 16, &attr->prog_name);
	p->s2[16] = '\0';
	bw_pending_commit(p);
	return 0;
}

BW_SYSCALL_EXIT(bpf)
{
	struct bw_pending *p = bw_pending_take(BW_EV_BPF_LOAD);
	__u32 cursor = sizeof(struct bw_bpf);
	struct bw_bpf *b;
	void *rec;

	if (!p)
		return 0;
	rec = bw_scratch();
	if (rec) {
		b = (struct bw_bpf *)bw_begin_syscall(rec, p, sizeof(*b), BW_RET(ctx));
		b->cmd = p->args[0];
		b->prog_type = p->extra[0];
		b->insn_cnt = p->extra[1];
		bw_put_saved(rec, &cursor, &b->prog_name, p->s2, 17, &b->ev.flags);
		bw_submit(rec, cursor);
	}
	bw_pending_end();
	return 0;
}

BW_SYSCALL_ENTER(memfd_create)
{
	struct bw_pending *p = bw_simple_enter(ctx, 2, BW_EV_MEMFD_CREATE, BW_SYS_MEMFD_CREATE);

	if (!p)
		return 0;
	bw_pending_ustr(p, BW_SLOT_S2, (void *)BW_ARGS(ctx)[0]);
	bw_pending_commit(p);
	return 0;
}

BW_SYSCALL_EXIT(memfd_create)
{
	struct bw_pending *p = bw_pending_take(BW_EV_MEMFD_CREATE);
	__u32 cursor = sizeof(struct bw_memfd);
	struct bw_memfd *m;
	void *rec;

	if (!p)
		return 0;
	rec = bw_scratch();
	if (rec) {
		m = (struct bw_memfd *)bw_begin_syscall(rec, p, sizeof(*m), BW_RET(ctx));
		m->mfd_flags = p->args[1];
		bw_put_saved(rec, &cursor, &m->name, p->s2, BW_USHORT_MAX, &m->ev.flags);
		bw_submit(rec, cursor);
	}
	bw_pending_end();
	return 0;
}

/* setuid family: ids as passed; unused slots are -1 (unchanged). */
static __always_inline int bw_setid_enter(void *ctx, const int nargs, __u32 syscall)
{
	struct bw_pending *p = bw_simple_enter(ctx, nargs, BW_EV_SETUID, syscall);

	if (p)
		bw_pending_commit(p);
	return 0;
}

static __always_inline int bw_setid_exit(void *ctx, int nargs)
{
	struct bw_pending *p = bw_pending_take(BW_EV_SETUID);
	struct bw_setid *s;
	void *rec;
	int i;

	if (!p)
		return 0;
	rec = bw_scratch();
	if (rec) {
		s = (struct bw_setid *)bw_begin_syscall(rec, p, sizeof(*s), BW_RET(ctx));
		for (i = 0; i < 3; i++)
			s->id[i] = i < nargs ? (__u32)p->args[i] : 0xffffffff;
		bw_submit(rec, sizeof(*s));
	}
	bw_pending_end();
	return 0;
}

#define BW_SETID(name, SYS, nargs)                                   \
	BW_SYSCALL_ENTER(name) { return bw_setid_enter(ctx, nargs, SYS); }  \
	BW_SYSCALL_EXIT(name) { return bw_setid_exit(ctx, nargs); }

BW_SETID(setuid, BW_SYS_SETUID, 1)
BW_SETID(setgid, BW_SYS_SETGID, 1)
BW_SETID(setreuid, BW_SYS_SETREUID, 2)
BW_SETID(setregid, BW_SYS_SETREGID, 2)
BW_SETID(setresuid, BW_SYS_SETRESUID, 3)
BW_SETID(setresgid, BW_SYS_SETRESGID, 3)
BW_SETID(setfsuid, BW_SYS_SETFSUID, 1)
BW_SETID(setfsgid, BW_SYS_SETFSGID, 1)

/* userfaultfd(flags): every call, successful or not (Falco's rule looks at unprivileged successes). */
BW_SYSCALL_ENTER(userfaultfd)
{
	struct bw_pending *p;

	if (!bw_wanted(BW_EV_USERFAULTFD))
		return 0;
	p = bw_pending_begin(BW_EV_USERFAULTFD, BW_SYS_USERFAULTFD, ctx, 1);
	if (p)
		bw_pending_commit(p);
	return 0;
}

BW_SYSCALL_EXIT(userfaultfd)
{
	struct bw_pending *p = bw_pending_take(BW_EV_USERFAULTFD);
	struct bw_userfaultfd *u;
	void *rec;

	if (!p)
		return 0;
	rec = bw_scratch();
	if (rec) {
		u = (struct bw_userfaultfd *)bw_begin_syscall(rec, p, sizeof(*u), BW_RET(ctx));
		u->uffd_flags = p->args[0];
		bw_submit(rec, sizeof(*u));
	}
	bw_pending_end();
	return 0;
}
