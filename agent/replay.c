// SPDX-License-Identifier: Apache-2.0
#include "replay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "catalog.h"
#include "event.h"
#include "log.h"

#define RP_ANC 16           /* ancestors kept per event */
#define RP_PROCS_MAX 65536  /* processes remembered (for ancestry when lines carry none) */
#define RP_CONTAINERS_MAX 4096
#define RP_BUCKETS 4096

/* A process seen in the stream. */
struct rp_proc {
	struct rp_proc *next;
	uint32_t pid, ppid;
	uint64_t start_time, parent_start_time;
	char comm[16];
	char *exe, *args, *cgroup;
	size_t args_len;
};

struct rp_anc {
	struct proc_info info;
	char *exe, *args; /* owned */
};

/* One prepared event: everything a rule_input points to. */
struct rp_event {
	unsigned char *rec;
	struct event_view view;
	bool has_view;
	struct proc_info proc;
	bool has_proc;
	char *exe, *args, *cgroup; /* owned by the event */
	struct rp_anc anc[RP_ANC];
	size_t nanc;
	const struct container_info *container;
	int64_t time_ns;
	struct rules_proc_access acc;
	struct rule_input in;
};

struct rp_container {
	struct rp_container *next;
	struct container_info info;
};

struct replay {
	struct rules *rs;
	char *hostname;
	bool keep;
	struct rp_event **events; /* kept for the benchmark */
	size_t nevents, capevents;
	struct rp_proc *buckets[RP_BUCKETS];
	size_t nprocs;
	struct rp_container *containers;
	size_t ncontainers;
	int64_t boot_to_real; /* learnt from fork events: their time minus the child's start */
	bool boot_known;
	struct rules_host host;
	struct replay_stats st;
	struct strbuf *alerts; /* during one line */
};

/* ---- small JSON helpers (absent keys are zero / empty) --------------------------------- */

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

static int64_t jint(json_t *o, const char *key, int64_t def)
{
	json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v) && *json_string_value(v)) {
		char *end;
		long long x = strtoll(json_string_value(v), &end, 0);

		if (!*end)
			return x;
	}
	return def;
}

static bool jbool(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* ---- record encoding -------------------------------------------------------------------------- */

static int sys_of(const char *name)
{
	unsigned int s;

	for (s = 1; s < BW_SYS_MAX; s++)
		if (event_syscall_name(s) && strcmp(event_syscall_name(s), name) == 0)
			return s;
	return BW_SYS_NONE;
}

/* argv from a JSON array as NUL-separated bytes (malloc'd, NUL-terminated after the last). */
static char *args_of(json_t *arr, size_t *len)
{
	size_t i, n = 0;
	char *buf;

	*len = 0;
	if (!json_is_array(arr) || !json_array_size(arr))
		return NULL;
	for (i = 0; i < json_array_size(arr); i++)
		n += strlen(json_is_string(json_array_get(arr, i)) ? json_string_value(json_array_get(arr, i)) : "") + 1;
	buf = malloc(n + 1);
	if (!buf)
		return NULL;
	n = 0;
	for (i = 0; i < json_array_size(arr); i++) {
		json_t *a = json_array_get(arr, i);
		const char *s = json_is_string(a) ? json_string_value(a) : "";
		size_t l = strlen(s);

		memcpy(buf + n, s, l + 1);
		n += l + 1;
	}
	buf[n] = '\0';
	*len = n - 1; /* the descriptor excludes the last NUL, as in the record */
	return buf;
}

/* "2026-11-22T01:45:02.123456789Z" → ns since the epoch; 0 if absent or malformed. */
static int64_t parse_time(const char *s)
{
	struct tm tm = { 0 };
	int64_t frac = 0;
	int digits = 0;
	const char *p;

	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return 0;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (digits < 9) {
				frac = frac * 10 + (*p - '0');
				digits++;
			}
	while (digits++ < 9)
		frac *= 10;
	return (int64_t)timegm(&tm) * 1000000000 + frac;
}

/* ---- processes ------------------------------------------------------------------------------------ */

static struct rp_proc **proc_slot(struct replay *rp, uint32_t pid, uint64_t start)
{
	struct rp_proc **p = &rp->buckets[(pid * 2654435761u) % RP_BUCKETS];

	for (; *p; p = &(*p)->next)
		if ((*p)->pid == pid && (!start || !(*p)->start_time || (*p)->start_time == start))
			return p;
	return p;
}

static void proc_free(struct rp_proc *p)
{
	free(p->exe);
	free(p->args);
	free(p->cgroup);
	free(p);
}

static void procs_clear(struct replay *rp)
{
	size_t i;

	for (i = 0; i < RP_BUCKETS; i++) {
		while (rp->buckets[i]) {
			struct rp_proc *p = rp->buckets[i];

			rp->buckets[i] = p->next;
			proc_free(p);
		}
	}
	rp->nprocs = 0;
}

static void set_str(char **dst, const char *s, size_t n)
{
	char *d;

	if (!n)
		return;
	d = malloc(n + 1);
	if (!d)
		return;
	memcpy(d, s, n);
	d[n] = '\0';
	free(*dst);
	*dst = d;
}

/* Remembers what this line says about its process. */
static void proc_update(struct replay *rp, const struct rp_event *ev)
{
	const struct proc_info *pi = &ev->proc;
	struct rp_proc **slot, *p;

	if (!ev->has_proc)
		return;
	slot = proc_slot(rp, pi->pid, pi->start_time);
	if (!*slot) {
		if (rp->nprocs >= RP_PROCS_MAX)
			procs_clear(rp); /* bounded: forget everything rather than grow */
		slot = proc_slot(rp, pi->pid, pi->start_time);
		p = calloc(1, sizeof(*p));
		if (!p)
			return;
		*slot = p;
		rp->nprocs++;
	}
	p = *slot;
	p->pid = pi->pid;
	p->ppid = pi->ppid;
	p->start_time = pi->start_time;
	p->parent_start_time = pi->parent_start_time;
	if (pi->comm[0])
		memcpy(p->comm, pi->comm, sizeof(p->comm));
	if (pi->exe && *pi->exe)
		set_str(&p->exe, pi->exe, strlen(pi->exe));
	if (pi->args_len) {
		set_str(&p->args, pi->args, pi->args_len);
		p->args_len = pi->args_len;
	}
	if (pi->cgroup && *pi->cgroup)
		set_str(&p->cgroup, pi->cgroup, strlen(pi->cgroup));
}

static void proc_remove(struct replay *rp, uint32_t pid, uint64_t start)
{
	struct rp_proc **slot = proc_slot(rp, pid, start), *p = *slot;

	if (p) {
		*slot = p->next;
		proc_free(p);
		rp->nprocs--;
	}
}

static char *dup_or_null(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* Ancestry: the line's own "ancestors" (parent first), else the processes seen so far. */
static void resolve_ancestors(struct replay *rp, struct rp_event *ev, json_t *proc)
{
	json_t *arr = json_object_get(proc, "ancestors");
	size_t i;

	if (json_is_array(arr) && json_array_size(arr)) {
		for (i = 0; i < json_array_size(arr) && ev->nanc < RP_ANC; i++) {
			json_t *a = json_array_get(arr, i);
			struct rp_anc *an = &ev->anc[ev->nanc++];
			struct rp_proc *known;
			const char *exe = jstr(a, "exe");

			an->info.pid = jint(a, "pid", 0);
			snprintf(an->info.comm, sizeof(an->info.comm), "%s", jstr(a, "comm"));
			an->exe = dup_or_null(exe, strlen(exe));
			an->info.exe = an->exe ? an->exe : "";
			an->info.args = "";
			an->info.cgroup = "";
			/* arguments are not in the line: from the process if the stream showed it */
			known = *proc_slot(rp, an->info.pid, 0);
			if (known && known->args && (!*exe || !known->exe || strcmp(known->exe, exe) == 0)) {
				an->args = dup_or_null(known->args, known->args_len);
				if (an->args) {
					an->info.args = an->args;
					an->info.args_len = known->args_len;
				}
				an->info.start_time = known->start_time;
				an->info.ppid = known->ppid;
			}
		}
		return;
	}
	{
		uint32_t pid = ev->proc.ppid;
		uint64_t start = ev->proc.parent_start_time;

		while (pid && ev->nanc < RP_ANC) {
			struct rp_proc *p = *proc_slot(rp, pid, start);
			struct rp_anc *an;

			if (!p)
				break;
			an = &ev->anc[ev->nanc++];
			an->info = (struct proc_info){ .pid = p->pid, .ppid = p->ppid, .start_time = p->start_time,
						       .parent_start_time = p->parent_start_time, .exe = "", .args = "",
						       .cgroup = "" };
			memcpy(an->info.comm, p->comm, sizeof(an->info.comm));
			if (p->exe && (an->exe = dup_or_null(p->exe, strlen(p->exe))))
				an->info.exe = an->exe;
			if (p->args && (an->args = dup_or_null(p->args, p->args_len))) {
				an->info.args = an->args;
				an->info.args_len = p->args_len;
			}
			if (p->ppid == pid)
				break;
			pid = p->ppid;
			start = p->parent_start_time;
		}
	}
}

static const struct proc_info *rp_parent_of(void *ctx, const struct proc_info *p)
{
	struct rp_event *ev = ctx;
	size_t i;

	if (p == &ev->proc)
		return ev->nanc ? &ev->anc[0].info : NULL;
	for (i = 0; i + 1 < ev->nanc; i++)
		if (p == &ev->anc[i].info)
			return &ev->anc[i + 1].info;
	return NULL;
}

/* ---- containers ------------------------------------------------------------------------------------ */

static enum container_runtime runtime_of(const char *s)
{
	static const struct {
		const char *name;
		enum container_runtime rt;
	} names[] = {
		{ "docker", RUNTIME_DOCKER },	 { "containerd", RUNTIME_CONTAINERD }, { "cri-o", RUNTIME_CRIO },
		{ "crio", RUNTIME_CRIO },	 { "podman", RUNTIME_PODMAN },	       { "kubernetes", RUNTIME_UNKNOWN_K8S },
		{ "host", RUNTIME_NONE },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].name, s) == 0)
			return names[i].rt;
	return RUNTIME_UNKNOWN;
}

/* A JSON array of strings, or a string, as "a,b,c". */
static void comma_join(json_t *v, char *out, size_t size)
{
	size_t i, n = 0;

	out[0] = '\0';
	if (json_is_string(v)) {
		snprintf(out, size, "%s", json_string_value(v));
		return;
	}
	for (i = 0; json_is_array(v) && i < json_array_size(v); i++) {
		json_t *s = json_array_get(v, i);

		if (json_is_string(s) && n < size)
			n += snprintf(out + n, size - n, "%s%s", n ? "," : "", json_string_value(s));
	}
}

static void copy_field(char *dst, size_t size, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_string(v))
		snprintf(dst, size, "%s", json_string_value(v));
}

static const struct container_info *container_of(struct replay *rp, json_t *j, bool start)
{
	static const char *const risk_names[] = {
		"root_user", "privileged", "dangerous_caps", "no_seccomp", "priv_escalation",
		"writable_rootfs", "host_pid", "host_network", "host_ipc", "sensitive_mount",
	};
	json_t *c = json_object_get(j, "container"), *k8s = json_object_get(j, "k8s"), *risks;
	const char *id = jstr(c, "id"), *runtime = jstr(c, "runtime");
	struct rp_container *e;
	struct container_info *ci;
	size_t i;

	if (!json_is_object(c) || !*id || strcmp(id, "host") == 0 || strcmp(runtime, "host") == 0)
		return NULL;
	for (e = rp->containers; e; e = e->next)
		if (strcmp(e->info.ident.id, id) == 0)
			break;
	if (!e) {
		if (rp->ncontainers >= RP_CONTAINERS_MAX && !rp->keep) {
			/* bounded: the oldest is reused (events holding it are already evaluated) */
			struct rp_container **pp = &rp->containers;

			while ((*pp)->next)
				pp = &(*pp)->next;
			e = *pp;
			*pp = NULL;
			rp->ncontainers--;
		} else if (!(e = malloc(sizeof(*e)))) {
			return NULL;
		}
		memset(e, 0, sizeof(*e));
		snprintf(e->info.ident.id, sizeof(e->info.ident.id), "%s", id);
		e->next = rp->containers;
		rp->containers = e;
		rp->ncontainers++;
	}
	ci = &e->info;
	ci->ident.runtime = *runtime ? runtime_of(runtime) : ci->ident.runtime ? ci->ident.runtime : RUNTIME_UNKNOWN;
	copy_field(ci->name, sizeof(ci->name), c, "name");
	copy_field(ci->image, sizeof(ci->image), c, "image");
	copy_field(ci->image_repo, sizeof(ci->image_repo), c, "image_repository");
	copy_field(ci->image_repo, sizeof(ci->image_repo), c, "image_repo");
	copy_field(ci->image_tag, sizeof(ci->image_tag), c, "image_tag");
	copy_field(ci->image_id, sizeof(ci->image_id), c, "image_id");
	if (json_is_object(k8s)) {
		copy_field(ci->k8s_pod, sizeof(ci->k8s_pod), k8s, "pod");
		copy_field(ci->k8s_namespace, sizeof(ci->k8s_namespace), k8s, "namespace");
		copy_field(ci->ident.pod_uid, sizeof(ci->ident.pod_uid), k8s, "pod_uid");
		copy_field(ci->k8s_container, sizeof(ci->k8s_container), k8s, "container");
	}
	risks = json_object_get(c, "risks");
	if (start || json_object_get(c, "metadata") || json_is_array(risks)) {
		/* posture: what container_start carries */
		ci->metadata_known = json_object_get(c, "metadata") ? jbool(c, "metadata") : true;
		copy_field(ci->user, sizeof(ci->user), c, "user");
		ci->risks = 0;
		for (i = 0; json_is_array(risks) && i < json_array_size(risks); i++) {
			json_t *r = json_array_get(risks, i);
			size_t b;

			for (b = 0; json_is_string(r) && b < sizeof(risk_names) / sizeof(risk_names[0]); b++)
				if (strcmp(json_string_value(r), risk_names[b]) == 0)
					ci->risks |= 1u << b;
		}
		if (jbool(c, "privileged"))
			ci->risks |= RISK_PRIVILEGED;
		comma_join(json_object_get(c, json_object_get(c, "dangerous_caps") ? "dangerous_caps" : "privileged_caps"),
			   ci->privileged_caps, sizeof(ci->privileged_caps));
		comma_join(json_object_get(c, "sensitive_mounts"), ci->sensitive_mounts, sizeof(ci->sensitive_mounts));
		ci->cap_add = jint(c, "cap_add", 0);
	}
	return ci;
}

/* ---- lines -------------------------------------------------------------------------------------------- */

static void event_free(struct rp_event *ev)
{
	size_t i;

	if (!ev)
		return;
	free(ev->rec);
	free(ev->exe);
	free(ev->args);
	free(ev->cgroup);
	for (i = 0; i < ev->nanc; i++) {
		free(ev->anc[i].exe);
		free(ev->anc[i].args);
	}
	free(ev);
}

/*
 * The kernel record a line describes, in @buf (BW_RECORD_MAX zeroed bytes):
 * header and process from the common keys, the type's part from the
 * catalogue; then validated like a kernel record. @ktime is used when the
 * line has no "ktime".
 */
static int record_of(json_t *j, unsigned int type, int64_t ktime, unsigned char *buf, struct event_view *view,
		     char *err, size_t err_size)
{
	json_t *proc = json_object_get(j, "proc"), *ns = json_object_get(proc, "ns"), *tr = json_object_get(j, "truncated");
	struct bw_event *rec = (void *)buf;
	size_t len = event_fixed_size(type), i;
	enum event_malformed why;
	__u32 flags = 0;
	char comm[sizeof(rec->proc.comm)] = "";

	rec->hdr.type = type;
	rec->hdr.version = BW_ABI_VERSION;
	rec->hdr.ktime = json_is_integer(json_object_get(j, "ktime")) ? json_integer_value(json_object_get(j, "ktime")) : ktime;
	rec->res = jint(j, "res", 0);
	rec->syscall = sys_of(jstr(j, "syscall"));
	rec->proc.pid = jint(proc, "pid", 0);
	rec->proc.tid = jint(proc, "tid", rec->proc.pid);
	rec->proc.ppid = jint(proc, "ppid", 0);
	rec->proc.uid = jint(proc, "uid", 0);
	rec->proc.euid = jint(proc, "euid", rec->proc.uid);
	rec->proc.gid = jint(proc, "gid", 0);
	rec->proc.egid = jint(proc, "egid", rec->proc.gid);
	rec->proc.start_time = jint(proc, "start_time", 0);
	rec->proc.parent_start_time = jint(proc, "parent_start_time", 0);
	rec->proc.cgroup_id = jint(proc, "cgroup_id", 0);
	rec->proc.mnt_ns = jint(ns, "mnt", 0);
	rec->proc.pid_ns = jint(ns, "pid", 0);
	rec->proc.net_ns = jint(ns, "net", 0);
	rec->proc.user_ns = jint(ns, "user", 0);
	snprintf(comm, sizeof(comm), "%s", jstr(proc, "comm"));
	memcpy(rec->proc.comm, comm, sizeof(comm));
	for (i = 0; json_is_array(tr) && i < json_array_size(tr); i++) {
		const char *t = json_string_value(json_array_get(tr, i));

		flags |= !t ? 0 : strcmp(t, "string") == 0 ? BW_F_TRUNC_STR : strcmp(t, "path") == 0 ? BW_F_TRUNC_PATH :
			strcmp(t, "args") == 0 ? BW_F_TRUNC_ARGS : 0;
	}
	catalog_decode(type, j, buf, &len, &flags);
	rec->flags = flags;
	rec->hdr.size = len;
	if (event_decode(buf, len, view, &why, NULL)) {
		snprintf(err, err_size, "the encoded record is invalid (%s)", event_malformed_name(why));
		return -EINVAL;
	}
	return len;
}

int replay_record(const char *line, size_t len, int64_t boot_to_real_ns, void *buf, char *err, size_t err_size)
{
	json_error_t jerr;
	json_t *j = json_loadb(line, len, 0, &jerr);
	struct event_view view;
	int type, rc = -EINVAL;

	if (!json_is_object(j)) {
		snprintf(err, err_size, "not a JSON object: %s", j ? "" : jerr.text);
		goto out;
	}
	type = event_type_from_name(jstr(j, "type"));
	if (type < 0) {
		snprintf(err, err_size, "unknown event type '%s'", jstr(j, "type"));
		goto out;
	}
	memset(buf, 0, BW_RECORD_MAX);
	rc = record_of(j, type, parse_time(jstr(j, "time")) - boot_to_real_ns, buf, &view, err, err_size);
out:
	json_decref(j);
	return rc;
}

static int prepare(struct replay *rp, json_t *j, struct rp_event **out, char *err, size_t err_size)
{
	const char *type_name = jstr(j, "type");
	json_t *proc = json_object_get(j, "proc");
	bool start = strcmp(type_name, "container_start") == 0;
	int type = start ? RULES_EV_CONTAINER : event_type_from_name(type_name);
	struct rp_event *ev;
	int rc;

	if (type < 0) {
		snprintf(err, err_size, "unknown event type '%s'", type_name);
		return -EINVAL;
	}
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	ev->time_ns = parse_time(jstr(j, "time"));
	if (json_is_object(proc)) {
		const char *exe = jstr(proc, "exe"), *cg = jstr(proc, "cgroup");

		ev->has_proc = true;
		ev->proc.pid = jint(proc, "pid", 0);
		ev->proc.ppid = jint(proc, "ppid", 0);
		ev->proc.uid = jint(proc, "uid", 0);
		snprintf(ev->proc.comm, sizeof(ev->proc.comm), "%s", jstr(proc, "comm"));
		ev->proc.start_time = jint(proc, "start_time", 0);
		ev->proc.parent_start_time = jint(proc, "parent_start_time", 0);
		ev->exe = dup_or_null(exe, strlen(exe));
		ev->cgroup = dup_or_null(cg, strlen(cg));
		ev->args = args_of(json_object_get(proc, "args"), &ev->proc.args_len);
		ev->proc.exe = ev->exe ? ev->exe : "";
		ev->proc.cgroup = ev->cgroup ? ev->cgroup : "";
		ev->proc.args = ev->args ? ev->args : "";
	}
	if (type == BW_EV_FORK && ev->proc.start_time && ev->time_ns && !rp->boot_known) {
		/* a fork is reported as the child starts: wall clock minus boot clock */
		rp->boot_to_real = ev->time_ns - (int64_t)ev->proc.start_time;
		rp->boot_known = true;
	}
	if (!start) {
		int64_t ktime = 0;

		ev->rec = calloc(1, BW_RECORD_MAX);
		if (!ev->rec) {
			event_free(ev);
			return -ENOMEM;
		}
		if (rp->boot_known && ev->time_ns > rp->boot_to_real)
			ktime = ev->time_ns - rp->boot_to_real;
		rc = record_of(j, type, ktime, ev->rec, &ev->view, err, err_size);
		if (rc < 0) {
			event_free(ev);
			return rc;
		}
		ev->has_view = true;
	}
	ev->container = container_of(rp, j, start);
	if (start && !ev->container) {
		snprintf(err, err_size, "container_start without a container id");
		event_free(ev);
		return -EINVAL;
	}
	/* the host's namespaces, from pid 1 on the host */
	if (ev->has_view && ev->proc.pid == 1 && !ev->container) {
		rp->host.mnt = ev->view.ev->proc.mnt_ns;
		rp->host.net = ev->view.ev->proc.net_ns;
		rp->host.pid = ev->view.ev->proc.pid_ns;
		rp->host.user = ev->view.ev->proc.user_ns;
	}
	resolve_ancestors(rp, ev, proc);
	ev->acc = (struct rules_proc_access){ .parent_of = rp_parent_of, .ctx = ev };
	ev->in = (struct rule_input){
		.ev = ev->has_view ? &ev->view : NULL,
		.proc = ev->has_proc ? &ev->proc : NULL,
		.container = ev->container,
		.time_ns = ev->time_ns,
		.procs = &ev->acc,
		.host = &rp->host,
	};
	proc_update(rp, ev);
	*out = ev;
	return 0;
}

static int on_match(void *ctx, const struct rule *r, const struct rule_input *in)
{
	struct replay *rp = ctx;

	if (rp->alerts)
		rules__alert_json(rp->rs, rp->alerts, r, in, rp->hostname);
	return 0;
}

int replay__line(struct replay *rp, const char *line, size_t len, struct strbuf *alerts, char *err, size_t err_size)
{
	json_error_t jerr;
	struct rp_event *ev = NULL;
	json_t *j;
	size_t i = 0;
	int rc;

	rp->st.lines++;
	while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' || line[i] == '\n'))
		i++;
	if (i == len || line[i] == '#') {
		rp->st.skipped++;
		return 0;
	}
	j = json_loadb(line, len, 0, &jerr);
	if (!j || !json_is_object(j)) {
		snprintf(err, err_size, "not a JSON object: %s", j ? "" : jerr.text);
		json_decref(j);
		rp->st.malformed++;
		return -EINVAL;
	}
	rc = prepare(rp, j, &ev, err, err_size);
	json_decref(j);
	if (rc < 0) {
		rp->st.malformed++;
		return rc;
	}
	rp->st.events++;
	if (rp->keep) {
		if (rp->nevents == rp->capevents) {
			size_t nc = rp->capevents ? rp->capevents * 2 : 1024;
			struct rp_event **nv = realloc(rp->events, nc * sizeof(*nv));

			if (!nv) {
				event_free(ev);
				return -ENOMEM;
			}
			rp->events = nv;
			rp->capevents = nc;
		}
		rp->events[rp->nevents++] = ev;
		return 0;
	}
	rp->alerts = alerts;
	rc = rules__eval(rp->rs, &ev->in, on_match, rp);
	rp->alerts = NULL;
	rp->st.alerts += rc;
	if (ev->has_view && ev->view.ev->hdr.type == BW_EV_EXIT)
		proc_remove(rp, ev->proc.pid, ev->proc.start_time);
	event_free(ev);
	return rc;
}

int replay__bench(struct replay *rp, unsigned int passes, struct replay_bench *out)
{
	struct rules_stats before, after;
	struct timespec t0, t1;
	unsigned int p;
	size_t i;

	memset(out, 0, sizeof(*out));
	rules__stats(rp->rs, &before);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (p = 0; p < passes; p++)
		for (i = 0; i < rp->nevents; i++)
			out->matches += rules__eval(rp->rs, &rp->events[i]->in, NULL, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rules__stats(rp->rs, &after);
	out->events = (uint64_t)passes * rp->nevents;
	out->evaluations = after.evaluations - before.evaluations;
	out->seconds = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	return 0;
}

struct replay *replay__new(struct rules *rs, const char *hostname, bool keep)
{
	struct replay *rp = calloc(1, sizeof(*rp));

	if (!rp)
		return NULL;
	rp->rs = rs;
	rp->keep = keep;
	rp->hostname = strdup(hostname ? hostname : "");
	if (!rp->hostname) {
		free(rp);
		errno = ENOMEM;
		return NULL;
	}
	return rp;
}

void replay__free(struct replay *rp)
{
	size_t i;

	if (!rp)
		return;
	for (i = 0; i < rp->nevents; i++)
		event_free(rp->events[i]);
	free(rp->events);
	procs_clear(rp);
	while (rp->containers) {
		struct rp_container *c = rp->containers;

		rp->containers = c->next;
		free(c);
	}
	free(rp->hostname);
	free(rp);
}

void replay__stats(const struct replay *rp, struct replay_stats *st)
{
	*st = rp->st;
}
