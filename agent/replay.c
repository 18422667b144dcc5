// SPDX-License-Identifier: Apache-2.0
#include "replay.h"
#include "pipeline.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "event.h"
#include "log.h"
#include "netwatch.h"
#include "proctree.h"

#define RP_ANC 16           /* ancestors kept per event */
#define RP_PROCS_MAX 65536  /* processes remembered (for ancestry when lines carry none) */
#define RP_CONTAINERS_MAX 4096
/* the process tree never reads the host's /proc for a replayed stream: every miss stays a miss */
#define RP_NO_PROCFS "/dev/null"

struct rp_anc {
	struct proc_info info;
	char *exe, *args; /* owned */
};

/* One prepared event: everything a rule_input points to. */
#define RP_AGENT_MAX 16 /* tids and paths of an "agent" line */

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
	struct proctree *procs; /* the live agent's process model, fed by the stream */
	struct rp_container *containers;
	size_t ncontainers;
	int64_t boot_to_real; /* learnt from fork events: their time minus the child's start */
	bool boot_known;
	struct rules_host host;
	struct replay_stats st;
	struct strbuf *alerts; /* during one line */
	struct netwatch *net;  /* connect sweep windows, as the live agent keeps them */
	/* the agent the recorded host ran (an "agent" line): what bulwark.agent.* compare with */
	struct rules_agent agent;
	bool has_agent;
	uint32_t agent_tids[RP_AGENT_MAX];
	size_t n_agent_tids;
	char *agent_paths[RP_AGENT_MAX];
};

static bool rp_is_agent(const struct rules_agent *a, uint32_t pid)
{
	const struct replay *rp = (const void *)((const char *)a - offsetof(struct replay, agent));
	size_t i;

	if (pid == a->tgid)
		return true;
	for (i = 0; i < rp->n_agent_tids; i++)
		if (rp->agent_tids[i] == pid)
			return true;
	return false;
}

static void agent_clear(struct replay *rp)
{
	size_t i;

	for (i = 0; i < rp->agent.n_paths; i++)
		free(rp->agent_paths[i]);
	memset(&rp->agent, 0, sizeof(rp->agent));
	rp->n_agent_tids = 0;
	rp->has_agent = false;
}

/*
 * {"type":"agent","pid":N,"tids":[...],"paths":["/usr/bin/bulwark","/var/lib/bulwark/spool/",...]}:
 * the running agent of the recorded host, as the live agent knows itself (a path ending in '/'
 * is a directory). Replaces an earlier one; at most RP_AGENT_MAX tids and paths.
 */
static int agent_line(struct replay *rp, json_t *j, char *err, size_t err_size)
{
	json_t *tids = json_object_get(j, "tids"), *paths = json_object_get(j, "paths"), *v;
	int64_t pid = catalog_jint(j, "pid", 0);
	size_t i;

	agent_clear(rp);
	if (pid <= 0 || pid > UINT32_MAX) {
		snprintf(err, err_size, "agent line: pid must be 1..%u", UINT32_MAX);
		return -EINVAL;
	}
	json_array_foreach(tids, i, v)
		if (json_is_integer(v) && json_integer_value(v) > 0 && json_integer_value(v) <= UINT32_MAX &&
		    rp->n_agent_tids < RP_AGENT_MAX)
			rp->agent_tids[rp->n_agent_tids++] = json_integer_value(v);
	json_array_foreach(paths, i, v) {
		if (!json_is_string(v) || rp->agent.n_paths == RP_AGENT_MAX)
			continue;
		rp->agent_paths[rp->agent.n_paths] = strdup(json_string_value(v));
		if (!rp->agent_paths[rp->agent.n_paths]) {
			agent_clear(rp);
			return -ENOMEM;
		}
		rp->agent.n_paths++;
	}
	rp->agent.tgid = pid;
	rp->agent.is_agent = rp_is_agent;
	rp->agent.paths = (const char *const *)rp->agent_paths;
	rp->has_agent = true;
	return 0;
}

/* ---- small JSON helpers (absent keys are zero / empty) --------------------------------- */

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
/* The boot-clock stamp of a wall-clock time; 0 where it would be negative or overflow. */
static int64_t boot_clock(int64_t wall_ns, int64_t boot_to_real_ns)
{
	int64_t k;

	return __builtin_sub_overflow(wall_ns, boot_to_real_ns, &k) || k < 0 ? 0 : k;
}

static int64_t parse_time(const char *s)
{
	struct tm tm = { 0 };
	int64_t frac = 0, ns;
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
	/* int64 ns cover 1677..2262: a time outside is no time (0), never a wrapped one */
	if (__builtin_mul_overflow((int64_t)timegm(&tm), (int64_t)1000000000, &ns) || __builtin_add_overflow(ns, frac, &ns))
		return 0;
	return ns;
}

/* ---- processes ------------------------------------------------------------------------------------ */

static char *dup_or_null(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* @s as owned by the event (replacing *owned); "" if it cannot be copied. */
static const char *own(char **owned, const char *s, size_t n)
{
	char *d = dup_or_null(s, n); /* first: @s may be *owned itself */

	free(*owned);
	*owned = d;
	return d ? d : "";
}

/* The line tells something about its process that the tree does not know (or knows otherwise). */
static bool line_knows_more(const struct proc_info *known, const struct proc_info *line)
{
	return (*line->exe && strcmp(line->exe, known->exe) != 0) ||
	       (line->args_len && (line->args_len != known->args_len || memcmp(line->args, known->args, line->args_len))) ||
	       (*line->cgroup && strcmp(line->cgroup, known->cgroup) != 0);
}

/*
 * The stream drives the live agent's process tree (agent/proctree) as the
 * pipeline does: exec and fork records create processes, cgroup_attach marks
 * a cgroup stale, exit starts the grace period. A line's own process is then
 * learnt from the line (what the live agent knew when it printed it) wherever
 * the tree knows less, as the live agent learns a process older than itself
 * from /proc. ev->proc becomes the tree's view, copied into the event: kept
 * events (replay__bench) are evaluated after the tree has moved on.
 */
static void track_process(struct replay *rp, struct rp_event *ev)
{
	const struct bw_event *rec = ev->has_view ? ev->view.ev : NULL;
	struct proc_info pi = ev->proc;
	const struct proc_info *known;
	bool learn;

	if (rec && rec->hdr.type == BW_EV_EXEC) {
		const struct bw_exec *e = (const void *)rec;
		struct str_view exe = event_str(&ev->view, e->exe), args = event_str(&ev->view, e->args),
				cg = event_str(&ev->view, e->cgroup);
		struct proc_info x = pi;

		x.exe = exe.p;
		x.args = args.p;
		x.args_len = args.len;
		x.cgroup = cg.p;
		proc_info_exec_facts(&x, &ev->view);
		proctree__exec(rp->procs, &x);
	} else if (rec && rec->hdr.type == BW_EV_FORK) {
		struct proc_info child = pi;

		child.exe = child.args = child.cgroup = NULL;
		child.args_len = 0;
		proctree__fork(rp->procs, &child);
	} else if (rec && rec->hdr.type == BW_EV_CGROUP_ATTACH) {
		proctree__cgroup_changed(rp->procs, ((const struct bw_cgroup *)rec)->target_pid);
	}
	known = proctree__get(rp->procs, pi.pid, pi.start_time);
	/* decided before the merge below, which frees strings ev->proc still points at */
	learn = !known || line_knows_more(known, &pi);
	if (!learn) {
		pi = *known;
	} else if (known) {
		/* what the line leaves out, the tree keeps (copied: learning replaces the tree's entry) */
		if (!*pi.exe)
			pi.exe = own(&ev->exe, known->exe, strlen(known->exe));
		if (!pi.args_len) {
			pi.args = own(&ev->args, known->args, known->args_len);
			pi.args_len = ev->args ? known->args_len : 0;
		}
		if (!*pi.cgroup)
			pi.cgroup = own(&ev->cgroup, known->cgroup, strlen(known->cgroup));
		if (!pi.comm[0])
			memcpy(pi.comm, known->comm, sizeof(pi.comm));
		if (!pi.exec_facts)
			proc_info_copy_exec_facts(&pi, known);
	}
	if (learn)
		proctree__exec(rp->procs, &pi);
	/* the event's own copy: strings the event owns, or copied out of the tree */
	ev->proc = pi;
	ev->proc.exe = own(&ev->exe, pi.exe, strlen(pi.exe));
	ev->proc.args = own(&ev->args, pi.args, pi.args_len);
	ev->proc.args_len = ev->args ? pi.args_len : 0;
	ev->proc.cgroup = own(&ev->cgroup, pi.cgroup, strlen(pi.cgroup));
}

/* One ancestor, copied out of the tree (its pointers change as the stream goes on). */
static void anc_copy(struct rp_anc *an, const struct proc_info *p)
{
	an->info = *p;
	an->info.cgroup = "";
	an->info.exe = (an->exe = dup_or_null(p->exe, strlen(p->exe))) ? an->exe : "";
	an->info.args = (an->args = dup_or_null(p->args, p->args_len)) ? an->args : "";
	an->info.args_len = an->args ? p->args_len : 0;
}

/*
 * Ancestry: the line's own "ancestors" (parent first: what the live agent
 * walked), completed from the tree where it has the same process at the same
 * depth; else the tree's walk.
 */
static void resolve_ancestors(struct replay *rp, struct rp_event *ev, json_t *proc)
{
	json_t *arr = json_object_get(proc, "ancestors");
	const struct proc_info *t = ev->has_proc ? proctree__parent(rp->procs, &ev->proc) : NULL;
	size_t i;

	for (i = 0; json_is_array(arr) && i < json_array_size(arr) && ev->nanc < RP_ANC; i++) {
		json_t *a = json_array_get(arr, i);
		struct rp_anc *an = &ev->anc[ev->nanc++];
		const char *exe = catalog_jstr(a, "exe");
		uint32_t pid = catalog_jint(a, "pid", 0);

		if (t && t->pid == pid && (!*exe || strcmp(t->exe, exe) == 0)) {
			anc_copy(an, t); /* arguments and start time are not in the line */
		} else {
			an->info = (struct proc_info){ .pid = pid, .exe = "", .args = "", .cgroup = "" };
			t = NULL;
		}
		snprintf(an->info.comm, sizeof(an->info.comm), "%s", catalog_jstr(a, "comm"));
		free(an->exe);
		an->info.exe = (an->exe = dup_or_null(exe, strlen(exe))) ? an->exe : "";
		t = t ? proctree__parent(rp->procs, t) : NULL;
	}
	if (json_is_array(arr) && json_array_size(arr))
		return;
	for (; t && ev->nanc < RP_ANC; t = proctree__parent(rp->procs, t))
		anc_copy(&ev->anc[ev->nanc++], t);
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
	const char *id = catalog_jstr(c, "id"), *runtime = catalog_jstr(c, "runtime");
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
		comma_join(json_object_get(c, "image_setuid_root"), ci->image_setuid_root, sizeof(ci->image_setuid_root));
		comma_join(json_object_get(c, "image_package_managers"), ci->image_package_managers,
			   sizeof(ci->image_package_managers));
		comma_join(json_object_get(c, "image_compilers"), ci->image_compilers, sizeof(ci->image_compilers));
		ci->cap_add = catalog_jint(c, "cap_add", 0);
		ci->n_ports = 0;
		for (i = 0; i < json_array_size(json_object_get(c, "ports")) && ci->n_ports < CONTAINER_MAX_PORTS; i++) {
			json_int_t port = json_integer_value(json_array_get(json_object_get(c, "ports"), i));

			if (port > 0 && port <= 65535)
				ci->ports[ci->n_ports++] = (uint16_t)port;
		}
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
	rec->res = catalog_jint(j, "res", 0);
	rec->syscall = sys_of(catalog_jstr(j, "syscall"));
	rec->proc.pid = catalog_jint(proc, "pid", 0);
	rec->proc.tid = catalog_jint(proc, "tid", rec->proc.pid);
	rec->proc.ppid = catalog_jint(proc, "ppid", 0);
	rec->proc.uid = catalog_jint(proc, "uid", 0);
	rec->proc.euid = catalog_jint(proc, "euid", rec->proc.uid);
	rec->proc.gid = catalog_jint(proc, "gid", 0);
	rec->proc.egid = catalog_jint(proc, "egid", rec->proc.gid);
	rec->proc.start_time = catalog_jint(proc, "start_time", 0);
	rec->proc.parent_start_time = catalog_jint(proc, "parent_start_time", 0);
	rec->proc.cgroup_id = catalog_jint(proc, "cgroup_id", 0);
	rec->proc.mnt_ns = catalog_jint(ns, "mnt", 0);
	rec->proc.pid_ns = catalog_jint(ns, "pid", 0);
	rec->proc.net_ns = catalog_jint(ns, "net", 0);
	rec->proc.user_ns = catalog_jint(ns, "user", 0);
	snprintf(comm, sizeof(comm), "%s", catalog_jstr(proc, "comm"));
	memcpy(rec->proc.comm, comm, sizeof(comm));
	for (i = 0; json_is_array(tr) && i < json_array_size(tr); i++) {
		const char *t = json_string_value(json_array_get(tr, i));

		flags |= !t ? 0 : strcmp(t, "string") == 0 ? BW_F_TRUNC_STR : strcmp(t, "path") == 0 ? BW_F_TRUNC_PATH :
			strcmp(t, "args") == 0 ? BW_F_TRUNC_ARGS : 0;
	}
	if (json_is_true(json_object_get(j, "blocked")))
		flags |= BW_F_BLOCKED;
	catalog_decode(type, j, buf, &len, &flags);
	rec->flags |= flags; /* a flag bit the catalogue decoded (open.alias) stays */
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
	type = event_type_from_name(catalog_jstr(j, "type"));
	if (type < 0) {
		snprintf(err, err_size, "unknown event type '%s'", catalog_jstr(j, "type"));
		goto out;
	}
	memset(buf, 0, BW_RECORD_MAX);
	rc = record_of(j, type, boot_clock(parse_time(catalog_jstr(j, "time")), boot_to_real_ns), buf, &view, err, err_size);
out:
	json_decref(j);
	return rc;
}

static int prepare(struct replay *rp, json_t *j, struct rp_event **out, char *err, size_t err_size)
{
	const char *type_name = catalog_jstr(j, "type");
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
	ev->time_ns = parse_time(catalog_jstr(j, "time"));
	if (json_is_object(proc)) {
		const char *exe = catalog_jstr(proc, "exe"), *cg = catalog_jstr(proc, "cgroup");

		ev->has_proc = true;
		ev->proc.pid = catalog_jint(proc, "pid", 0);
		ev->proc.ppid = catalog_jint(proc, "ppid", 0);
		ev->proc.uid = catalog_jint(proc, "uid", 0);
		snprintf(ev->proc.comm, sizeof(ev->proc.comm), "%s", catalog_jstr(proc, "comm"));
		ev->proc.start_time = catalog_jint(proc, "start_time", 0);
		ev->proc.parent_start_time = catalog_jint(proc, "parent_start_time", 0);
		ev->exe = dup_or_null(exe, strlen(exe));
		ev->cgroup = dup_or_null(cg, strlen(cg));
		ev->args = args_of(json_object_get(proc, "args"), &ev->proc.args_len);
		ev->proc.exe = ev->exe ? ev->exe : "";
		ev->proc.cgroup = ev->cgroup ? ev->cgroup : "";
		ev->proc.args = ev->args ? ev->args : "";
	}
	if (type == BW_EV_FORK && ev->proc.start_time && ev->time_ns && !rp->boot_known &&
	    ev->proc.start_time <= INT64_MAX && ev->time_ns > (int64_t)ev->proc.start_time) {
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
		if (rp->boot_known)
			ktime = boot_clock(ev->time_ns, rp->boot_to_real);
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
	if (ev->time_ns > 0)
		proctree__reap(rp->procs, ev->time_ns / 1000000);
	if (ev->has_proc)
		track_process(rp, ev);
	resolve_ancestors(rp, ev, proc);
	if (ev->has_view && ev->view.ev->hdr.type == BW_EV_EXIT)
		proctree__exit(rp->procs, ev->proc.pid, ev->proc.start_time, ev->time_ns > 0 ? ev->time_ns / 1000000 : 0);
	ev->acc = (struct rules_proc_access){ .parent_of = rp_parent_of, .ctx = ev };
	ev->in = (struct rule_input){
		.ev = ev->has_view ? &ev->view : NULL,
		.proc = ev->has_proc ? &ev->proc : NULL,
		.container = ev->container,
		.time_ns = ev->time_ns,
		.procs = &ev->acc,
		.host = &rp->host,
		.agent = rp->has_agent ? &rp->agent : NULL,
	};
	if (ev->has_view) {
		struct netwatch_counts sweep;

		netwatch__observe(rp->net, &ev->view, ev->time_ns > 0 ? (uint64_t)ev->time_ns : 0, &sweep);
		ev->in.sweep_ports = sweep.ports;
		ev->in.sweep_hosts = sweep.hosts;
	}
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
	if (!strcmp(catalog_jstr(j, "type"), "agent")) {
		rc = agent_line(rp, j, err, err_size);
		json_decref(j);
		if (rc < 0)
			rp->st.malformed++;
		else
			rp->st.skipped++; /* not an event */
		return rc;
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
	rp->procs = proctree__new(RP_PROCS_MAX, RP_NO_PROCFS);
	rp->net = netwatch__new(NETWATCH_PROCS, NETWATCH_WINDOW_NS);
	if (!rp->hostname || !rp->procs || !rp->net) {
		replay__free(rp);
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
	proctree__free(rp->procs);
	netwatch__free(rp->net);
	while (rp->containers) {
		struct rp_container *c = rp->containers;

		rp->containers = c->next;
		free(c);
	}
	agent_clear(rp);
	free(rp->hostname);
	free(rp);
}

void replay__stats(const struct replay *rp, struct replay_stats *st)
{
	*st = rp->st;
}
