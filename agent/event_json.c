// SPDX-License-Identifier: Apache-2.0
#include "event_json.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "catalog.h"

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
	unsigned int bit, i;

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
		jw_karr(sb, "ports");
		for (i = 0; i < ci->n_ports; i++)
			jw_uint(sb, ci->ports[i]);
		jw_end_arr(sb);
		jw_kstr(sb, "image_setuid_root", ci->image_setuid_root);
		jw_kstr(sb, "image_package_managers", ci->image_package_managers);
		jw_kstr(sb, "image_compilers", ci->image_compilers);
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

static void time_key(struct strbuf *sb, const struct bw_event *ev, int64_t boot_to_real_ns)
{
	int64_t t = event_wall_ns(ev->hdr.ktime, boot_to_real_ns);
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
	catalog_encode(sb, v, ctx);
	if (ev->flags & BW_F_BLOCKED)
		jw_kbool(sb, "blocked", true);
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
