// SPDX-License-Identifier: Apache-2.0
#include "event_json.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void kstr(struct strbuf *sb, const struct event_view *v, const char *key, struct bw_str s)
{
	struct str_view sv = event_str(v, s);

	jw_kstrn(sb, key, sv.p, sv.len);
}

/* NUL-separated bytes as a JSON array of strings. */
static void args_array(struct strbuf *sb, const char *key, const char *args, size_t len)
{
	size_t i = 0;

	jw_karr(sb, key);
	while (i < len) {
		size_t n = strnlen(args + i, len - i);

		jw_strn(sb, args + i, n);
		i += n + 1;
	}
	jw_end_arr(sb);
}

struct flag_name {
	unsigned long bit;
	const char *name;
};

static void flags_str(struct strbuf *sb, const char *key, unsigned long flags, const struct flag_name *names,
		      const char *zero)
{
	char buf[512];
	size_t n = 0;
	int i;

	buf[0] = '\0';
	if (zero)
		n += snprintf(buf, sizeof(buf), "%s", zero);
	for (i = 0; names[i].name; i++) {
		if ((flags & names[i].bit) != names[i].bit)
			continue;
		flags &= ~names[i].bit;
		n += snprintf(buf + n, n < sizeof(buf) ? sizeof(buf) - n : 0, "%s%s", n ? "|" : "", names[i].name);
	}
	if (flags && n < sizeof(buf))
		n += snprintf(buf + n, sizeof(buf) - n, "%s0x%lx", n ? "|" : "", flags);
	jw_kstr(sb, key, buf);
}

/* x86_64 userspace defines O_LARGEFILE as 0; the kernel's flag is this one */
#define KERNEL_O_LARGEFILE 00100000

static const struct flag_name open_flags[] = {
	{ O_WRONLY, "O_WRONLY" }, { O_RDWR, "O_RDWR" }, { O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" },
	{ O_NOCTTY, "O_NOCTTY" }, { O_TRUNC, "O_TRUNC" }, { O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" },
	{ __O_TMPFILE, "O_TMPFILE" }, { O_SYNC, "O_SYNC" }, { O_DSYNC, "O_DSYNC" }, { O_DIRECT, "O_DIRECT" },
	{ KERNEL_O_LARGEFILE, "O_LARGEFILE" }, { O_DIRECTORY, "O_DIRECTORY" }, { O_NOFOLLOW, "O_NOFOLLOW" },
	{ O_NOATIME, "O_NOATIME" }, { O_CLOEXEC, "O_CLOEXEC" }, { O_PATH, "O_PATH" }, { 0, NULL },
};

static const struct flag_name clone_ns_flags[] = {
	{ CLONE_NEWNS, "CLONE_NEWNS" }, { CLONE_NEWCGROUP, "CLONE_NEWCGROUP" }, { CLONE_NEWUTS, "CLONE_NEWUTS" },
	{ CLONE_NEWIPC, "CLONE_NEWIPC" }, { CLONE_NEWUSER, "CLONE_NEWUSER" }, { CLONE_NEWPID, "CLONE_NEWPID" },
	{ CLONE_NEWNET, "CLONE_NEWNET" }, { 0x00000080 /* CLONE_NEWTIME */, "CLONE_NEWTIME" },
	{ CLONE_FILES, "CLONE_FILES" }, { CLONE_FS, "CLONE_FS" }, { CLONE_SYSVSEM, "CLONE_SYSVSEM" }, { 0, NULL },
};

static const char *layer_name(__u32 layer)
{
	return layer == BW_LAYER_UPPER ? "upper" : layer == BW_LAYER_LOWER ? "lower" : NULL;
}

static void file_obj(struct strbuf *sb, const struct event_view *v, const struct bw_file *f)
{
	const char *layer = layer_name(f->layer);

	kstr(sb, v, "path", f->path);
	kstr(sb, v, "name", f->name);
	kstr(sb, v, "fs", f->fs);
	jw_kuint(sb, "fs_magic", f->fs_magic);
	jw_kuint(sb, "ino", f->ino);
	jw_kuint(sb, "dev", f->dev);
	jw_kuint(sb, "inode_mode", f->mode);
	jw_key(sb, "layer");
	if (layer)
		jw_str(sb, layer);
	else
		jw_null(sb);
}

static void ancestors_arr(struct strbuf *sb, const struct event_context *ctx)
{
	size_t i;

	jw_karr(sb, "ancestors");
	for (i = 0; i < ctx->n_ancestors; i++) {
		const struct proc_info *a = ctx->ancestors[i];

		jw_begin(sb);
		jw_kuint(sb, "pid", a->pid);
		jw_kstrn(sb, "comm", a->comm, strnlen(a->comm, sizeof(a->comm)));
		jw_kstr(sb, "exe", a->exe);
		jw_end(sb);
	}
	jw_end_arr(sb);
}

static void container_obj(struct strbuf *sb, const struct container_info *ci, bool posture)
{
	unsigned int bit;

	jw_kobj(sb, "container");
	jw_kstr(sb, "id", ci->ident.id);
	jw_kstr(sb, "runtime", container_runtime_name(ci->ident.runtime));
	jw_kstr(sb, "name", ci->name);
	jw_kstr(sb, "image", ci->image);
	if (posture) {
		jw_kbool(sb, "metadata", ci->metadata_known);
		jw_kstr(sb, "image_id", ci->image_id);
		jw_kstr(sb, "user", ci->user);
		jw_kbool(sb, "privileged", ci->risks & RISK_PRIVILEGED);
		jw_karr(sb, "risks");
		for (bit = 0; container_risk_name(bit); bit++)
			if (ci->risks & (1u << bit))
				jw_str(sb, container_risk_name(bit));
		jw_end_arr(sb);
		jw_kstr(sb, "dangerous_caps", ci->privileged_caps);
		jw_kstr(sb, "sensitive_mounts", ci->sensitive_mounts);
	}
	jw_end(sb);
	if (ci->ident.pod_uid[0] || ci->k8s_pod[0]) {
		jw_kobj(sb, "k8s");
		jw_kstr(sb, "pod", ci->k8s_pod);
		jw_kstr(sb, "namespace", ci->k8s_namespace);
		jw_kstr(sb, "pod_uid", ci->ident.pod_uid);
		jw_end(sb);
	}
}

static void proc_obj(struct strbuf *sb, const struct bw_proc *p, const struct event_context *ctx)
{
	const struct proc_info *pi = ctx->proc;

	jw_kobj(sb, "proc");
	jw_kuint(sb, "pid", p->pid);
	jw_kuint(sb, "tid", p->tid);
	jw_kuint(sb, "ppid", p->ppid);
	jw_kuint(sb, "uid", p->uid);
	jw_kuint(sb, "euid", p->euid);
	jw_kuint(sb, "gid", p->gid);
	jw_kuint(sb, "egid", p->egid);
	jw_kstrn(sb, "comm", p->comm, strnlen(p->comm, sizeof(p->comm)));
	jw_kstr(sb, "exe", pi ? pi->exe : "");
	args_array(sb, "args", pi ? pi->args : "", pi ? pi->args_len : 0);
	jw_kuint(sb, "start_time", p->start_time);
	jw_kuint(sb, "parent_start_time", p->parent_start_time);
	jw_kstr(sb, "cgroup", pi ? pi->cgroup : "");
	jw_kuint(sb, "cgroup_id", p->cgroup_id);
	jw_kobj(sb, "ns");
	jw_kuint(sb, "mnt", p->mnt_ns);
	jw_kuint(sb, "pid", p->pid_ns);
	jw_kuint(sb, "net", p->net_ns);
	jw_kuint(sb, "user", p->user_ns);
	jw_end(sb);
	ancestors_arr(sb, ctx);
	jw_end(sb);
}

static void exec_obj(struct strbuf *sb, const struct event_view *v, const struct container_info *layer_ctr)
{
	const struct bw_exec *e = (const void *)v->ev;
	char caps[24];

	jw_kobj(sb, "exec");
	kstr(sb, v, "filename", e->filename);
	kstr(sb, v, "exe", e->exe);
	kstr(sb, v, "exe_fs", e->exe_fs);
	jw_kuint(sb, "exe_fs_magic", e->exe_fs_magic);
	jw_kuint(sb, "exe_ino", e->exe_ino);
	jw_kuint(sb, "exe_dev", e->exe_dev);
	jw_key(sb, "layer");
	if (e->exec_flags & BW_EXEC_UPPER)
		jw_str(sb, "upper");
	else if (e->exec_flags & BW_EXEC_LOWER)
		jw_str(sb, "lower");
	else
		jw_null(sb);
	jw_kbool(sb, "memfd", e->exec_flags & BW_EXEC_MEMFD);
	jw_kbool(sb, "umh", e->exec_flags & BW_EXEC_UMH);
	jw_kuint(sb, "argc", e->argc);
	snprintf(caps, sizeof(caps), "0x%llx", (unsigned long long)e->cap_effective);
	jw_kstr(sb, "cap_effective", caps);
	kstr(sb, v, "tty", e->tty);
	jw_kint(sb, "loginuid", e->loginuid == 0xffffffffu ? -1 : (int64_t)e->loginuid);
	if (layer_ctr) {
		jw_kobj(sb, "layer_container");
		jw_kstr(sb, "id", layer_ctr->ident.id);
		jw_kstr(sb, "name", layer_ctr->name);
		jw_kstr(sb, "image", layer_ctr->image);
		jw_end(sb);
	}
	jw_end(sb);
}

static void net_obj(struct strbuf *sb, const struct event_view *v)
{
	const struct bw_net *n = (const void *)v->ev;
	char addr[INET6_ADDRSTRLEN] = "";

	jw_kobj(sb, "net");
	jw_kint(sb, "fd", n->fd);
	switch (n->family) {
	case AF_INET:
		jw_kstr(sb, "family", "inet");
		inet_ntop(AF_INET, n->addr, addr, sizeof(addr));
		jw_kstr(sb, "addr", addr);
		jw_kuint(sb, "port", n->port);
		break;
	case AF_INET6:
		jw_kstr(sb, "family", "inet6");
		inet_ntop(AF_INET6, n->addr, addr, sizeof(addr));
		jw_kstr(sb, "addr", addr);
		jw_kuint(sb, "port", n->port);
		break;
	case AF_UNIX:
		jw_kstr(sb, "family", "unix");
		kstr(sb, v, "path", n->path);
		break;
	default:
		jw_kuint(sb, "family", n->family);
	}
	if (v->ev->hdr.type == BW_EV_LISTEN)
		jw_kuint(sb, "backlog", n->backlog);
	jw_end(sb);
}

static void type_fields(struct strbuf *sb, const struct event_view *v, const struct event_context *ctx)
{
	const struct bw_event *ev = v->ev;

	switch (ev->hdr.type) {
	case BW_EV_EXEC:
		exec_obj(sb, v, ctx->layer_container);
		break;
	case BW_EV_FORK:
		jw_kobj(sb, "fork");
		jw_kuint(sb, "parent_tid", ((const struct bw_fork *)ev)->parent_tid);
		jw_end(sb);
		break;
	case BW_EV_EXIT: {
		__u32 code = ((const struct bw_exit *)ev)->exit_code;

		jw_kobj(sb, "exit");
		jw_kuint(sb, "code", code);
		jw_kuint(sb, "status", (code >> 8) & 0xff);
		jw_kuint(sb, "signal", code & 0x7f);
		jw_end(sb);
		break;
	}
	case BW_EV_OPEN: {
		const struct bw_open *o = (const void *)ev;

		jw_kobj(sb, "file");
		kstr(sb, v, "upath", o->upath);
		jw_kint(sb, "dirfd", o->dirfd);
		flags_str(sb, "flags", o->open_flags, open_flags, (o->open_flags & O_ACCMODE) == O_RDONLY ? "O_RDONLY" : NULL);
		jw_kuint(sb, "flags_raw", o->open_flags);
		jw_kuint(sb, "mode", o->open_mode);
		file_obj(sb, v, &o->file);
		jw_end(sb);
		break;
	}
	case BW_EV_CHMOD: {
		const struct bw_chmod *c = (const void *)ev;

		jw_kobj(sb, "file");
		kstr(sb, v, "upath", c->upath);
		jw_kint(sb, "dirfd", c->dirfd);
		jw_kuint(sb, "mode", c->mode);
		file_obj(sb, v, &c->file);
		jw_end(sb);
		break;
	}
	case BW_EV_CGROUP_MKDIR:
	case BW_EV_CGROUP_ATTACH: {
		const struct bw_cgroup *c = (const void *)ev;

		jw_kobj(sb, "cgroup");
		kstr(sb, v, "path", c->path);
		kstr(sb, v, "hierarchy", c->hierarchy);
		jw_kuint(sb, "hierarchy_id", c->hierarchy_id);
		jw_kuint(sb, "id", c->cgroup_id);
		jw_kuint(sb, "subsys_mask", c->subsys_mask);
		if (ev->hdr.type == BW_EV_CGROUP_ATTACH) {
			jw_kuint(sb, "target_pid", c->target_pid);
			jw_kbool(sb, "threadgroup", c->threadgroup);
		}
		jw_end(sb);
		break;
	}
	case BW_EV_MOUNT:
	case BW_EV_UMOUNT:
	case BW_EV_PIVOT_ROOT:
	case BW_EV_CHROOT: {
		const struct bw_mount *m = (const void *)ev;

		jw_kobj(sb, "mount");
		kstr(sb, v, "source", m->source);
		kstr(sb, v, "target", m->target);
		kstr(sb, v, "fs", m->fs);
		jw_kuint(sb, "flags", m->flags);
		if (ev->syscall == BW_SYS_FSCONFIG || ev->syscall == BW_SYS_FSMOUNT || ev->syscall == BW_SYS_MOVE_MOUNT ||
		    ev->syscall == BW_SYS_OPEN_TREE)
			jw_kint(sb, "fd", m->fd);
		if (ev->syscall == BW_SYS_FSCONFIG)
			jw_kuint(sb, "cmd", m->cmd);
		jw_end(sb);
		break;
	}
	case BW_EV_UNSHARE:
	case BW_EV_SETNS: {
		const struct bw_ns *n = (const void *)ev;

		jw_kobj(sb, "ns");
		flags_str(sb, "flags", n->flags, clone_ns_flags, NULL);
		jw_kuint(sb, "flags_raw", n->flags);
		if (ev->hdr.type == BW_EV_SETNS) {
			jw_kint(sb, "fd", n->fd);
			kstr(sb, v, "type", n->ns_type);
			jw_kuint(sb, "inum", n->ns_inum);
			kstr(sb, v, "fd_fs", n->fd_fs);
		}
		jw_end(sb);
		break;
	}
	case BW_EV_CONNECT:
	case BW_EV_BIND:
	case BW_EV_LISTEN:
		net_obj(sb, v);
		break;
	case BW_EV_PTRACE: {
		const struct bw_ptrace *p = (const void *)ev;

		jw_kobj(sb, "ptrace");
		jw_kstr(sb, "request", p->request == 16 ? "PTRACE_ATTACH" : "PTRACE_SEIZE");
		jw_kuint(sb, "target_pid", p->target_pid);
		jw_end(sb);
		break;
	}
	case BW_EV_MODULE_LOAD: {
		const struct bw_module *m = (const void *)ev;

		jw_kobj(sb, "module");
		kstr(sb, v, "args", m->uargs);
		jw_kuint(sb, "flags", m->mod_flags);
		jw_kint(sb, "fd", m->fd);
		jw_kobj(sb, "file");
		file_obj(sb, v, &m->file);
		jw_end(sb);
		jw_end(sb);
		break;
	}
	case BW_EV_BPF_LOAD: {
		const struct bw_bpf *b = (const void *)ev;

		jw_kobj(sb, "bpf");
		jw_kuint(sb, "cmd", b->cmd);
		jw_kuint(sb, "prog_type", b->prog_type);
		jw_kuint(sb, "insn_cnt", b->insn_cnt);
		kstr(sb, v, "prog_name", b->prog_name);
		jw_end(sb);
		break;
	}
	case BW_EV_MEMFD_CREATE: {
		const struct bw_memfd *m = (const void *)ev;

		jw_kobj(sb, "memfd");
		kstr(sb, v, "name", m->name);
		jw_kuint(sb, "flags", m->mfd_flags);
		jw_end(sb);
		break;
	}
	case BW_EV_SETUID: {
		const struct bw_setid *s = (const void *)ev;
		int i;

		jw_kobj(sb, "setid");
		jw_karr(sb, "ids");
		for (i = 0; i < 3; i++)
			jw_int(sb, s->id[i] == 0xffffffffu ? -1 : (int64_t)s->id[i]);
		jw_end_arr(sb);
		jw_end(sb);
		break;
	}
	}
}

static void time_key(struct strbuf *sb, const struct bw_event *ev, int64_t boot_to_real_ns)
{
	int64_t t = (int64_t)ev->hdr.ktime + boot_to_real_ns;
	char stamp[48];

	fmt_rfc3339(stamp, sizeof(stamp), t / 1000000000, t % 1000000000);
	jw_kstr(sb, "time", stamp);
}

void event_json_container_start(struct strbuf *sb, const struct event_view *trigger,
				const struct event_context *ctx, int64_t boot_to_real_ns)
{
	jw_begin(sb);
	time_key(sb, trigger->ev, boot_to_real_ns);
	jw_kstr(sb, "type", "container_start");
	container_obj(sb, ctx->container, true);
	proc_obj(sb, &trigger->ev->proc, ctx);
	jw_end(sb);
}

void event_json(struct strbuf *sb, const struct event_view *v, const struct event_context *ctx,
		int64_t boot_to_real_ns)
{
	const struct bw_event *ev = v->ev;
	const char *sys = event_syscall_name(ev->syscall);

	jw_begin(sb);
	time_key(sb, ev, boot_to_real_ns);
	jw_kstr(sb, "type", event_type_name(ev->hdr.type));
	if (sys)
		jw_kstr(sb, "syscall", sys);
	jw_kint(sb, "res", ev->res);
	proc_obj(sb, &ev->proc, ctx);
	if (ctx->container)
		container_obj(sb, ctx->container, false);
	type_fields(sb, v, ctx);
	if (ev->flags & (BW_F_TRUNC_STR | BW_F_TRUNC_PATH | BW_F_TRUNC_ARGS)) {
		jw_karr(sb, "truncated");
		if (ev->flags & BW_F_TRUNC_STR)
			jw_str(sb, "string");
		if (ev->flags & BW_F_TRUNC_PATH)
			jw_str(sb, "path");
		if (ev->flags & BW_F_TRUNC_ARGS)
			jw_str(sb, "args");
		jw_end_arr(sb);
	}
	jw_end(sb);
}

int64_t event_boot_to_real_ns(void)
{
	struct timespec real, boot;

	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	return ((int64_t)real.tv_sec - boot.tv_sec) * 1000000000 + (real.tv_nsec - boot.tv_nsec);
}
