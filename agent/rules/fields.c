// SPDX-License-Identifier: Apache-2.0
/*
 * The field table: every field a condition or output template can use, with
 * its type, the event kinds that provide it, a one-line description and its
 * extractor. Falco's names wherever Falco has the field; bulwark.* for what
 * Falco lacks. docs/fields.md is generated from this table
 * (`bulwark rules fields --markdown`) and a unit test keeps it in step.
 *
 * Extractors read the validated record, the process (and its ancestors
 * through the input's accessor) and the container. They never allocate:
 * derived strings (command lines, flag names, addresses) go to the per-event
 * scratch of the evaluation context, and a field that does not fit is absent.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "catalog.h"
#include "internal.h"
#include "log.h"

/* ---- event kinds and their evt.type values -------------------------------- */

static const char *const types_container[] = { "container", NULL };

/* Syscall names from abi.h's catalogue; the first is the one a record without a syscall gets. */
const char *const *kind_evt_types(unsigned int kind)
{
	return kind == RULES_EV_CONTAINER ? types_container : catalog_evt_types(kind);
}

const char *rules_kind_name(unsigned int kind)
{
	if (kind == RULES_EV_CONTAINER)
		return "container";
	return event_type_name(kind);
}

const char *rules_evt_type(const struct event_view *ev)
{
	const char *sys;

	if (!ev)
		return "container";
	sys = event_syscall_name(ev->ev->syscall);
	if (sys)
		return sys;
	return kind_evt_types(ev->ev->hdr.type)[0] ? kind_evt_types(ev->ev->hdr.type)[0] : "unknown";
}

/* ---- types ------------------------------------------------------------------ */

static const char *const ftype_names[FT_MAX] = {
	[FT_STR] = "string", [FT_INT] = "int64", [FT_UINT] = "uint64", [FT_BOOL] = "bool", [FT_IP] = "ipaddr",
	[FT_PORT] = "port", [FT_ABSTIME] = "abstime", [FT_RELTIME] = "reltime", [FT_STRLIST] = "list",
};

const char *ftype_name(unsigned int t)
{
	return t < FT_MAX ? ftype_names[t] : "?";
}

bool ftype_numeric(unsigned int t)
{
	return t == FT_INT || t == FT_UINT || t == FT_PORT || t == FT_ABSTIME || t == FT_RELTIME;
}

/* ---- evaluation context ------------------------------------------------------- */

void xctx_begin(struct xctx *x, const struct rule_input *in, uint32_t epoch)
{
	const struct bw_event *ev = in->ev ? in->ev->ev : NULL;

	x->in = in;
	x->kind = ev ? ev->hdr.type : RULES_EV_CONTAINER;
	x->epoch = epoch;
	x->used = 0;
	x->nanc = 1;
	x->anc_end = false;
	x->anc[0] = in->proc;
	if (!in->proc && ev) {
		/* no process info: what the record itself says */
		x->self = (struct proc_info){ .pid = ev->proc.pid, .ppid = ev->proc.ppid, .uid = ev->proc.uid,
					      .start_time = ev->proc.start_time,
					      .parent_start_time = ev->proc.parent_start_time, .exe = "", .args = "",
					      .cgroup = "" };
		memcpy(x->self.comm, ev->proc.comm, sizeof(x->self.comm));
		if (ev->hdr.type == BW_EV_EXEC) {
			const struct bw_exec *e = (const void *)ev;
			struct str_view s = event_str(in->ev, e->exe), a = event_str(in->ev, e->args),
					cg = event_str(in->ev, e->cgroup);

			x->self.exe = s.p;
			x->self.args = a.p;
			x->self.args_len = a.len;
			x->self.cgroup = cg.p;
		}
		x->anc[0] = &x->self;
	}
	if (!x->anc[0])
		x->anc_end = true;
}

char *xctx_alloc(struct xctx *x, size_t n)
{
	char *p;

	if (n > sizeof(x->scratch) - x->used) {
		x->overflow++;
		return NULL;
	}
	p = x->scratch + x->used;
	x->used += n;
	return p;
}

const struct proc_info *xctx_ancestor(struct xctx *x, int depth)
{
	if (depth < 0 || depth > RULES_ANC_MAX)
		return NULL;
	while (x->nanc <= depth && !x->anc_end) {
		const struct rules_proc_access *pa = x->in->procs;
		const struct proc_info *parent = NULL;

		if (pa && pa->parent_of)
			parent = pa->parent_of(pa->ctx, x->anc[x->nanc - 1]);
		if (!parent) {
			x->anc_end = true;
			break;
		}
		x->anc[x->nanc++] = parent;
	}
	return depth < x->nanc ? x->anc[depth] : NULL;
}

/* ---- value helpers -------------------------------------------------------------- */

static const struct bw_event *rec(const struct xctx *x)
{
	return x->in->ev ? x->in->ev->ev : NULL;
}

/* A string already NUL-terminated at p[len]. */
static bool put_str(struct fval *v, const char *p, size_t len)
{
	v->type = FT_STR;
	v->s.p = p;
	v->s.len = len;
	v->s.n = 1;
	return true;
}

static bool put_cstr(struct fval *v, const char *s)
{
	return put_str(v, s, strlen(s));
}

/* A string that may lack its NUL: copied into the scratch. */
static bool put_copy(struct xctx *x, struct fval *v, const char *p, size_t len)
{
	char *d = xctx_alloc(x, len + 1);

	if (!d)
		return false;
	memcpy(d, p, len);
	d[len] = '\0';
	return put_str(v, d, len);
}

/* A fixed char array (container_info, comm): NUL-terminated unless full. */
static bool put_arr(struct xctx *x, struct fval *v, const char *arr, size_t size, bool empty_ok)
{
	size_t n = strnlen(arr, size);

	if (!n && !empty_ok)
		return false;
	if (n < size)
		return put_str(v, arr, n);
	return put_copy(x, v, arr, n);
}

static bool put_rec_str(const struct xctx *x, struct fval *v, struct bw_str s, bool empty_ok)
{
	struct str_view sv = event_str(x->in->ev, s); /* record strings end with a NUL (checked by event_decode) */

	if (!sv.len && !empty_ok)
		return false;
	return put_str(v, sv.p, sv.len);
}

static bool put_int(struct fval *v, int64_t i)
{
	v->type = FT_INT;
	v->i = i;
	return true;
}

static bool put_uint(struct fval *v, uint64_t u)
{
	v->type = FT_UINT;
	v->u = u;
	return true;
}

static bool put_bool(struct fval *v, bool b)
{
	v->type = FT_BOOL;
	v->b = b;
	return true;
}

/* A growing string in the scratch; commit makes it the value. */
struct sbuild {
	struct xctx *x;
	char *p;
	size_t len, cap;
	bool bad;
};

static void sb_begin(struct sbuild *b, struct xctx *x)
{
	b->x = x;
	b->p = x->scratch + x->used;
	b->len = 0;
	b->cap = sizeof(x->scratch) - x->used;
	b->bad = b->cap == 0;
}

static void sb_addn(struct sbuild *b, const char *s, size_t n)
{
	if (b->bad || n + 1 > b->cap - b->len) {
		b->bad = true;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void sb_adds(struct sbuild *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

static void sb_addc(struct sbuild *b, char c)
{
	sb_addn(b, &c, 1);
}

static bool sb_commit(struct sbuild *b, struct fval *v)
{
	if (b->bad) {
		b->x->overflow++;
		return false;
	}
	b->p[b->len] = '\0';
	b->x->used += b->len + 1;
	return put_str(v, b->p, b->len);
}

/* A list: items appended with sb_item, each NUL-terminated. */
static void sb_item(struct sbuild *b, const char *s, size_t n, uint32_t *count)
{
	sb_addn(b, s, n);
	sb_addc(b, '\0');
	(*count)++;
}

static bool sb_commit_list(struct sbuild *b, struct fval *v, uint32_t count)
{
	if (b->bad) {
		b->x->overflow++;
		return false;
	}
	b->x->used += b->len;
	v->type = FT_STRLIST;
	v->s.p = b->p;
	v->s.len = b->len;
	v->s.n = count;
	return true;
}

static const char *base_name(const char *p, size_t len, size_t *out_len)
{
	size_t i = len;

	while (i > 0 && p[i - 1] != '/')
		i--;
	*out_len = len - i;
	return p + i;
}

/* ---- processes ----------------------------------------------------------------------- */

/* argv[0] of a process, and its length. */
static const char *argv0(const struct proc_info *p, size_t *len)
{
	if (!p || !p->args || !p->args_len) {
		*len = 0;
		return "";
	}
	*len = strnlen(p->args, p->args_len);
	return p->args;
}

/* The record's exec data replaces the process cache's for the process itself on an exec. */
static const struct bw_exec *own_exec(const struct xctx *x, int depth)
{
	const struct bw_event *ev = rec(x);

	return depth == 0 && ev && ev->hdr.type == BW_EV_EXEC ? (const void *)ev : NULL;
}

/* What the process tree kept of the process's exec (caps, login uid, tty): for events other than the exec. */
static const struct proc_info *exec_facts(struct xctx *x)
{
	const struct proc_info *p = xctx_ancestor(x, 0);

	return p && p->exec_facts ? p : NULL;
}

static bool proc_exepath(struct xctx *x, int depth, struct fval *v)
{
	const struct bw_exec *e = own_exec(x, depth);
	const struct proc_info *p;

	if (e)
		return put_rec_str(x, v, e->exe, false);
	p = xctx_ancestor(x, depth);
	if (!p || !p->exe || !*p->exe)
		return false;
	return put_cstr(v, p->exe);
}

/* argv as (pointer, length) of the process at @depth. */
static void proc_argv(struct xctx *x, int depth, const char **args, size_t *len)
{
	const struct bw_exec *e = own_exec(x, depth);
	const struct proc_info *p;

	if (e) {
		struct str_view a = event_str(x->in->ev, e->args);

		*args = a.p;
		*len = a.len;
		return;
	}
	p = xctx_ancestor(x, depth);
	*args = p && p->args ? p->args : "";
	*len = p && p->args ? p->args_len : 0;
}

static bool proc_exe(struct xctx *x, int depth, struct fval *v)
{
	const char *a;
	size_t len, n;

	proc_argv(x, depth, &a, &len);
	if (!len)
		return false;
	n = strnlen(a, len);
	return n < len ? put_str(v, a, n) : put_copy(x, v, a, n);
}

/* Multi-call binaries: what runs is one of their applets. */
static bool is_multicall(const char *b, size_t n)
{
	return (n == 7 && memcmp(b, "busybox", 7) == 0) || (n == 6 && memcmp(b, "toybox", 6) == 0);
}

static bool proc_name(struct xctx *x, int depth, struct fval *v);

/*
 * What runs in the process, whatever its task name. A multi-call binary runs
 * an applet: for a #! script (argv[1] is the script, whose name the kernel
 * gave the task) the interpreter argv[0] names; after "busybox" argv[1]; else
 * the task name (busybox names the task after an applet it runs in-process,
 * and the kernel after the link executed, whatever argv[0] claims). Any other
 * executable runs itself, spelt as argv[0] spells it when that is the same
 * program without its version (python3 for python3.11).
 */
static bool proc_runs(struct xctx *x, int depth, struct fval *v)
{
	const char *a, *b, *e, *a1 = NULL, *b1 = NULL;
	size_t len, n, blen, elen, b1len = 0, i;
	struct fval exe, comm;

	if (!proc_exepath(x, depth, &exe))
		return false;
	e = base_name(exe.s.p, exe.s.len, &elen);
	proc_argv(x, depth, &a, &len);
	n = len ? strnlen(a, len) : 0;
	b = base_name(a, n, &blen);
	if (n + 1 < len) {
		a1 = a + n + 1;
		b1 = base_name(a1, strnlen(a1, len - n - 1), &b1len);
	}
	if (is_multicall(e, elen)) {
		if (!proc_name(x, depth, &comm))
			return false;
		if (b1len && comm.s.len && comm.s.len <= b1len && memcmp(b1, comm.s.p, comm.s.len) == 0 && blen)
			return put_copy(x, v, b, blen); /* a script: its interpreter */
		if (is_multicall(b, blen) && b1len)
			return put_copy(x, v, b1, b1len);
		*v = comm;
		return true;
	}
	if (blen && *b == '-') { /* login shells: "-bash" */
		b++;
		blen--;
	}
	if (blen && blen < elen && memcmp(b, e, blen) == 0) {
		for (i = blen; i < elen && (e[i] == '.' || (e[i] >= '0' && e[i] <= '9')); i++)
			;
		if (i == elen)
			return put_copy(x, v, b, blen);
	}
	return put_copy(x, v, e, elen);
}

static bool g_proc_runs(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return proc_runs(x, 0, v);
}

static bool g_proc_aruns(struct xctx *x, int idx, struct fval *v)
{
	return proc_runs(x, idx, v);
}

/*
 * The task name (comm) of the process at @depth. The record carries the
 * event's own; for ancestors the accessor or the process cache may know it,
 * else it is derived the way the kernel sets it at exec: the base name of the
 * file run, truncated to 15 bytes (argv[0] is that name unless the program
 * rewrote it).
 */
static bool proc_name(struct xctx *x, int depth, struct fval *v)
{
	const struct bw_event *ev = rec(x);
	const struct rules_proc_access *pa = x->in->procs;
	const struct proc_info *p;
	const char *a, *b;
	size_t alen, blen;

	if (depth == 0 && ev)
		return put_arr(x, v, ev->proc.comm, sizeof(ev->proc.comm), false);
	p = xctx_ancestor(x, depth);
	if (!p)
		return false;
	if (pa && pa->comm_of) {
		const char *c = pa->comm_of(pa->ctx, p);

		if (c && *c)
			return put_cstr(v, c);
	}
	if (p->comm[0])
		return put_arr(x, v, p->comm, sizeof(p->comm), false);
	a = argv0(p, &alen);
	if (alen && !memchr(a, ' ', alen) && !memchr(a, ':', alen)) {
		b = base_name(a, alen, &blen);
		if (blen && *b == '-') { /* login shells: "-bash" */
			b++;
			blen--;
		}
	} else if (p->exe && *p->exe) {
		b = base_name(p->exe, strlen(p->exe), &blen);
	} else {
		return false;
	}
	if (!blen)
		return false;
	return put_copy(x, v, b, blen > 15 ? 15 : blen);
}

/* Arguments after argv[0] joined by spaces; with_name puts the name first (proc.cmdline). */
static bool proc_cmdline(struct xctx *x, int depth, struct fval *v, bool with_name)
{
	struct sbuild b;
	struct fval name;
	const char *a;
	size_t len, i, n;
	bool first = true;

	proc_argv(x, depth, &a, &len);
	if (!len)
		return false; /* argv unknown (every process has an argv[0]) */
	if (with_name) {
		if (!proc_name(x, depth, &name))
			return false;
	} else if (!xctx_ancestor(x, depth) && !own_exec(x, depth)) {
		return false;
	}
	sb_begin(&b, x);
	if (with_name) {
		sb_addn(&b, name.s.p, name.s.len);
		first = false;
	}
	i = strnlen(a, len) + 1; /* skip argv[0] */
	while (i < len) {
		n = strnlen(a + i, len - i);
		if (!first)
			sb_addc(&b, ' ');
		sb_addn(&b, a + i, n);
		first = false;
		i += n + 1;
	}
	return sb_commit(&b, v);
}

static bool g_proc_pid(struct xctx *x, int idx, struct fval *v)
{
	const struct proc_info *p;

	(void)idx;
	if (rec(x))
		return put_int(v, rec(x)->proc.pid);
	p = xctx_ancestor(x, 0);
	return p ? put_int(v, p->pid) : false;
}

static bool g_proc_tid(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_int(v, rec(x)->proc.tid);
}

static bool g_proc_ppid(struct xctx *x, int idx, struct fval *v)
{
	const struct proc_info *p;

	(void)idx;
	if (rec(x))
		return put_int(v, rec(x)->proc.ppid);
	p = xctx_ancestor(x, 0);
	return p ? put_int(v, p->ppid) : false;
}

static bool g_proc_name(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return proc_name(x, 0, v);
}

static bool g_proc_exe(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return proc_exe(x, 0, v);
}

static bool g_proc_exepath(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return proc_exepath(x, 0, v);
}

static bool g_proc_cmdline(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return proc_cmdline(x, 0, v, true);
}

static bool g_proc_args(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return proc_cmdline(x, 0, v, false);
}

static bool g_proc_pname(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return proc_name(x, 1, v);
}

static bool g_proc_pexe(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return proc_exe(x, 1, v);
}

static bool g_proc_pexepath(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return proc_exepath(x, 1, v);
}

static bool g_proc_pcmdline(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return proc_cmdline(x, 1, v, true);
}

static bool g_proc_aname(struct xctx *x, int idx, struct fval *v)
{
	return proc_name(x, idx, v);
}

static bool g_proc_apid(struct xctx *x, int idx, struct fval *v)
{
	const struct proc_info *p;

	if (idx == 0 && rec(x))
		return put_int(v, rec(x)->proc.pid);
	p = xctx_ancestor(x, idx);
	return p ? put_int(v, p->pid) : false;
}

static bool g_proc_aexe(struct xctx *x, int idx, struct fval *v)
{
	return proc_exe(x, idx, v);
}

static bool g_proc_aexepath(struct xctx *x, int idx, struct fval *v)
{
	return proc_exepath(x, idx, v);
}

static bool g_proc_duration(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_event *ev = rec(x);

	(void)idx;
	if (!ev->proc.start_time || ev->hdr.ktime < ev->proc.start_time)
		return false;
	v->type = FT_RELTIME;
	v->u = ev->hdr.ktime - ev->proc.start_time;
	return true;
}

static bool g_proc_tty(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_exec *e = own_exec(x, 0);
	const struct proc_info *f = e ? NULL : exec_facts(x);
	struct str_view t = e ? event_str(x->in->ev, e->tty) : (struct str_view){ f ? f->tty : "", f ? strlen(f->tty) : 0 };
	uint64_t major = 0, minor = 0;

	(void)idx;
	if (!e && !f)
		return false;
	/*
	 * Falco's proc.tty is the terminal's device number, 0 without one. The
	 * record has the tty's name: ptsN is major 136, ttyN major 4; other names
	 * get a non-zero value so that "proc.tty != 0" holds.
	 */
	if (!t.len)
		return put_uint(v, 0);
	if (t.len > 3 && memcmp(t.p, "pts", 3) == 0) {
		major = 136;
		minor = strtoull(t.p + 3, NULL, 10);
	} else if (t.len > 3 && memcmp(t.p, "tty", 3) == 0 && isdigit((unsigned char)t.p[3])) {
		major = 4;
		minor = strtoull(t.p + 3, NULL, 10);
	} else {
		major = 5;
	}
	return put_uint(v, (major << 20) | (minor & 0xfffff));
}

static bool g_proc_tty_name(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_exec *e = own_exec(x, 0);
	const struct proc_info *f = e ? NULL : exec_facts(x);

	(void)idx;
	if (e)
		return put_rec_str(x, v, e->tty, true);
	return f && put_cstr(v, f->tty);
}

static bool g_exe_upper(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_bool(v, own_exec(x, 0)->exec_flags & BW_EXEC_UPPER);
}

static bool g_exe_memfd(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_bool(v, own_exec(x, 0)->exec_flags & BW_EXEC_MEMFD);
}

static bool g_proc_cgroup(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_exec *e = own_exec(x, 0);
	const struct proc_info *p;

	(void)idx;
	if (e)
		return put_rec_str(x, v, e->cgroup, false);
	p = xctx_ancestor(x, 0);
	if (!p || !p->cgroup || !*p->cgroup)
		return false;
	return put_cstr(v, p->cgroup);
}

static bool g_proc_start_time(struct xctx *x, int idx, struct fval *v)
{
	const struct proc_info *p;

	(void)idx;
	if (rec(x))
		return put_uint(v, rec(x)->proc.start_time);
	p = xctx_ancestor(x, 0);
	return p ? put_uint(v, p->start_time) : false;
}

static bool g_ns_mnt(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_uint(v, rec(x)->proc.mnt_ns);
}

static bool g_ns_pid(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_uint(v, rec(x)->proc.pid_ns);
}

static bool g_ns_net(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_uint(v, rec(x)->proc.net_ns);
}

static bool g_ns_user(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_uint(v, rec(x)->proc.user_ns);
}

static bool g_cgroup_id(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_uint(v, rec(x)->proc.cgroup_id);
}

/* ---- users ------------------------------------------------------------------------------ */

#define USERDB_MAX 65536

struct user_ent {
	uint32_t uid;
	char name[33];
};

/* name:x:id:... files: /etc/passwd (user.name) and /etc/group beside it (group.name). */
struct iddb {
	char path[PATH_MAX];
	const char *what; /* for the log */
	bool loaded;
	struct user_ent *v;
	size_t n;
};

static struct iddb userdb = { .path = "/etc/passwd", .what = "user.name" };
static struct iddb groupdb = { .path = "/etc/group", .what = "group.name" };

static void iddb_set(struct iddb *db, const char *path)
{
	snprintf(db->path, sizeof(db->path), "%s", path);
	free(db->v);
	db->v = NULL;
	db->n = 0;
	db->loaded = false;
}

void rules_set_passwd_path(const char *path)
{
	const char *slash = strrchr(path, '/');
	char group[PATH_MAX];

	iddb_set(&userdb, path);
	/* the group file is the passwd file's neighbour: /etc/group, or /host/etc/group in a pod */
	snprintf(group, sizeof(group), "%.*sgroup", slash ? (int)(slash - path + 1) : 0, path);
	iddb_set(&groupdb, group);
}

static int user_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct user_ent *)a)->uid, y = ((const struct user_ent *)b)->uid;

	return x < y ? -1 : x > y;
}

/* Read once, on the first lookup (not per event); bounded. */
static void iddb_load(struct iddb *db)
{
	FILE *f;
	char line[1024];
	size_t cap = 0;

	db->loaded = true;
	f = fopen(db->path, "re");
	if (!f) {
		log_debug("%s: cannot open %s", db->what, db->path);
		return;
	}
	while (fgets(line, sizeof(line), f) && db->n < USERDB_MAX) {
		char *name = line, *c1 = strchr(line, ':'), *c2, *c3, *end;
		unsigned long uid;

		if (!c1 || !(c2 = strchr(c1 + 1, ':')) || !(c3 = strchr(c2 + 1, ':')))
			continue;
		*c1 = *c3 = '\0';
		uid = strtoul(c2 + 1, &end, 10);
		if (end == c2 + 1 || *end || uid > UINT32_MAX || c1 - name > 32 || c1 == name)
			continue;
		if (db->n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct user_ent *nv = realloc(db->v, nc * sizeof(*nv));

			if (!nv)
				break;
			db->v = nv;
			cap = nc;
		}
		db->v[db->n].uid = uid;
		memcpy(db->v[db->n].name, name, c1 - name); /* at most 32 bytes, checked above */
		db->v[db->n].name[c1 - name] = '\0';
		db->n++;
	}
	fclose(f);
	if (db->n)
		qsort(db->v, db->n, sizeof(*db->v), user_cmp);
}

static const char *iddb_name(struct iddb *db, uint32_t id)
{
	struct user_ent key = { .uid = id }, *e;

	if (!db->loaded)
		iddb_load(db);
	if (!db->n)
		return NULL;
	e = bsearch(&key, db->v, db->n, sizeof(*db->v), user_cmp);
	return e ? e->name : NULL;
}

static const char *user_name(uint32_t uid)
{
	return iddb_name(&userdb, uid);
}

static bool g_group_name(struct xctx *x, int idx, struct fval *v)
{
	const char *n = iddb_name(&groupdb, rec(x)->proc.egid);

	(void)idx;
	return put_cstr(v, n ? n : "");
}

static bool g_user_uid(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_uint(v, rec(x)->proc.euid);
}

static bool g_user_ruid(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_uint(v, rec(x)->proc.uid);
}

static bool g_group_gid(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_uint(v, rec(x)->proc.egid);
}

static bool g_user_name(struct xctx *x, int idx, struct fval *v)
{
	const char *n = user_name(rec(x)->proc.euid);

	(void)idx;
	return put_cstr(v, n ? n : "");
}

static bool g_user_loginuid(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_exec *e = own_exec(x, 0);
	const struct proc_info *f = e ? NULL : exec_facts(x);
	uint32_t l;

	(void)idx;
	if (!e && !f)
		return false;
	l = e ? e->loginuid : f->loginuid;
	return put_int(v, l == 0xffffffffu ? -1 : (int64_t)l);
}

/* ---- evt.* -------------------------------------------------------------------------------- */

static bool g_evt_type(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_cstr(v, rules_evt_type(x->in->ev));
}

static bool g_bw_event(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_cstr(v, rules_kind_name(x->kind));
}

static bool g_bw_via(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_cstr(v, x->in->ev->ev->via == BW_VIA_IO_URING ? "io_uring" :
			   x->in->ev->ev->via == BW_VIA_KERNEL	 ? "kernel" :
								   "syscall");
}

static bool g_bw_blocked(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_bool(v, x->in->ev->ev->flags & BW_F_BLOCKED);
}

static bool g_evt_time(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	v->type = FT_ABSTIME;
	v->u = x->in->time_ns;
	return true;
}

static bool g_evt_rawtime(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_uint(v, x->in->time_ns);
}

static bool g_evt_iso8601(struct xctx *x, int idx, struct fval *v)
{
	char *d = xctx_alloc(x, 40);

	(void)idx;
	if (!d)
		return false;
	fmt_rfc3339(d, 40, x->in->time_ns / 1000000000, x->in->time_ns % 1000000000);
	return put_cstr(v, d);
}

static bool g_evt_res(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_int(v, rec(x)->res);
}

static bool g_evt_failed(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_bool(v, rec(x)->res < 0);
}

static bool g_evt_dir(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	(void)x;
	return put_cstr(v, "<"); /* every record is a syscall exit (with its result) */
}

/* "A|B|0x40" as event_json renders flags (the catalogue's tables). */
static bool flags_value(struct xctx *x, struct fval *v, uint64_t flags, const struct cat_flags *names)
{
	char buf[512];
	size_t n = catalog_flags_str(buf, sizeof(buf), flags, names);

	return put_copy(x, v, buf, n);
}

static bool g_evt_arg_flags(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_event *ev = rec(x);

	(void)idx;
	switch (ev->hdr.type) {
	case BW_EV_OPEN: {
		uint32_t f = ((const struct bw_open *)ev)->open_flags;

		return flags_value(x, v, f, &cat_open_flags);
	}
	case BW_EV_UNSHARE:
	case BW_EV_SETNS:
		return flags_value(x, v, ((const struct bw_ns *)ev)->flags, &cat_clone_flags);
	case BW_EV_MOUNT:
		if (ev->syscall != BW_SYS_MOUNT)
			return flags_value(x, v, ((const struct bw_mount *)ev)->flags, &cat_no_flags);
		return flags_value(x, v, ((const struct bw_mount *)ev)->flags, &cat_mount_flags);
	case BW_EV_UMOUNT:
		return flags_value(x, v, ((const struct bw_mount *)ev)->flags, &cat_umount_flags);
	case BW_EV_MEMFD_CREATE:
		return flags_value(x, v, ((const struct bw_memfd *)ev)->mfd_flags, &cat_memfd_flags);
	case BW_EV_MODULE_LOAD:
		return flags_value(x, v, ((const struct bw_module *)ev)->mod_flags, &cat_module_flags);
	case BW_EV_EXEC: {
		/* Falco's execve flags, in its bit order (EXE_WRITABLE|EXE_FROM_MEMFD) */
		static const struct cat_flag exe_names[] = {
			{ BW_EXEC_WRITABLE, "EXE_WRITABLE" }, { BW_EXEC_UPPER, "EXE_UPPER_LAYER" },
			{ BW_EXEC_MEMFD, "EXE_FROM_MEMFD" }, { BW_EXEC_LOWER, "EXE_LOWER_LAYER" }, { 0, NULL },
		};
		static const struct cat_flags exe_flags = { exe_names, BW_EXEC_WRITABLE | BW_EXEC_UPPER | BW_EXEC_MEMFD |
								       BW_EXEC_LOWER, "0" };
		uint32_t f = ((const struct bw_exec *)ev)->exec_flags;

		return flags_value(x, v, f & (BW_EXEC_WRITABLE | BW_EXEC_UPPER | BW_EXEC_MEMFD | BW_EXEC_LOWER),
				   &exe_flags);
	}
	}
	return false;
}

static bool g_evt_arg_mode(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_event *ev = rec(x);

	(void)idx;
	if (ev->hdr.type == BW_EV_OPEN)
		return put_uint(v, ((const struct bw_open *)ev)->open_mode);
	return put_uint(v, ((const struct bw_chmod *)ev)->mode);
}

static bool g_open_read(struct xctx *x, int idx, struct fval *v)
{
	uint32_t acc = ((const struct bw_open *)rec(x))->open_flags & O_ACCMODE;

	(void)idx;
	return put_bool(v, acc == O_RDONLY || acc == O_RDWR);
}

static bool g_open_write(struct xctx *x, int idx, struct fval *v)
{
	uint32_t acc = ((const struct bw_open *)rec(x))->open_flags & O_ACCMODE;

	(void)idx;
	return put_bool(v, acc == O_WRONLY || acc == O_RDWR);
}

/* ---- files (fd.*) --------------------------------------------------------------------------- */

static const struct bw_file *rec_file(const struct bw_event *ev)
{
	switch (ev->hdr.type) {
	case BW_EV_OPEN:
		return &((const struct bw_open *)ev)->file;
	case BW_EV_CHMOD:
		return &((const struct bw_chmod *)ev)->file;
	case BW_EV_MODULE_LOAD:
		return &((const struct bw_module *)ev)->file;
	}
	return NULL;
}

static const struct bw_str *rec_upath(const struct bw_event *ev)
{
	if (ev->hdr.type == BW_EV_OPEN)
		return &((const struct bw_open *)ev)->upath;
	if (ev->hdr.type == BW_EV_CHMOD)
		return &((const struct bw_chmod *)ev)->upath;
	return NULL;
}

static bool is_net(const struct bw_event *ev)
{
	/* a dup record starts with the socket's as a connect record describes it (struct bw_dup) */
	return ev->hdr.type == BW_EV_CONNECT || ev->hdr.type == BW_EV_BIND || ev->hdr.type == BW_EV_LISTEN ||
	       ev->hdr.type == BW_EV_DUP;
}

static bool net_ip(const struct bw_net *n, struct fval *v)
{
	if (n->family != AF_INET && n->family != AF_INET6)
		return false;
	v->type = FT_IP;
	memset(&v->ip, 0, sizeof(v->ip));
	v->ip.family = n->family == AF_INET ? 4 : 6;
	v->ip.bits = n->family == AF_INET ? 32 : 128;
	memcpy(v->ip.a, n->addr, n->family == AF_INET ? 4 : 16);
	return true;
}

/* The file path: resolved from the kernel objects, else the caller's path when absolute. */
static bool file_path(struct xctx *x, struct fval *v)
{
	const struct bw_event *ev = rec(x);
	const struct bw_file *f = rec_file(ev);
	const struct bw_str *u = rec_upath(ev);

	if (f && f->path.len)
		return put_rec_str(x, v, f->path, false);
	if (u) {
		struct str_view sv = event_str(x->in->ev, *u);

		if (sv.len && sv.p[0] == '/')
			return put_str(v, sv.p, sv.len);
	}
	return false;
}

static bool g_fd_name(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_event *ev = rec(x);

	(void)idx;
	if (is_net(ev)) {
		const struct bw_net *n = (const void *)ev;
		char addr[INET6_ADDRSTRLEN], *d;

		if (n->family == AF_UNIX)
			return put_rec_str(x, v, n->path, false);
		if (n->family != AF_INET && n->family != AF_INET6)
			return false;
		inet_ntop(n->family, n->addr, addr, sizeof(addr));
		d = xctx_alloc(x, sizeof(addr) + 8);
		if (!d)
			return false;
		snprintf(d, sizeof(addr) + 8, "%s:%u", addr, n->port);
		return put_cstr(v, d);
	}
	return file_path(x, v);
}

static bool g_unix_peer(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_net *n = (const void *)rec(x);

	(void)idx;
	return n->family == AF_UNIX && put_rec_str(x, v, n->peer, false);
}

static bool g_fd_directory(struct xctx *x, int idx, struct fval *v)
{
	struct fval p;
	size_t n;

	(void)idx;
	if (!file_path(x, &p))
		return false;
	base_name(p.s.p, p.s.len, &n);
	n = p.s.len - n; /* up to and with the last '/' */
	if (n > 1)
		n--;
	return put_copy(x, v, p.s.p, n);
}

static bool g_fd_filename(struct xctx *x, int idx, struct fval *v)
{
	struct fval p;
	const char *b;
	size_t n;

	(void)idx;
	if (!file_path(x, &p))
		return false;
	b = base_name(p.s.p, p.s.len, &n);
	return put_str(v, b, n); /* the tail of a NUL-terminated string */
}

static char file_typechar(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return 'd';
	case S_IFIFO:
		return 'p';
	case S_IFSOCK:
		return 'u';
	case 0:
		return 0;
	default:
		return 'f'; /* regular files, devices and links count as files in Falco */
	}
}

static bool g_fd_typechar(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_event *ev = rec(x);
	const struct bw_file *f;
	char c;

	(void)idx;
	if (is_net(ev)) {
		uint16_t fam = ((const struct bw_net *)ev)->family;

		c = fam == AF_INET ? '4' : fam == AF_INET6 ? '6' : fam == AF_UNIX ? 'u' : 0;
	} else {
		f = rec_file(ev);
		c = f ? file_typechar(f->mode) : 0;
	}
	switch (c) {
	case 'f': return put_cstr(v, "f");
	case 'd': return put_cstr(v, "d");
	case 'p': return put_cstr(v, "p");
	case 'u': return put_cstr(v, "u");
	case '4': return put_cstr(v, "4");
	case '6': return put_cstr(v, "6");
	}
	return false;
}

static bool g_fd_type(struct xctx *x, int idx, struct fval *v)
{
	struct fval c;

	if (!g_fd_typechar(x, idx, &c))
		return false;
	switch (c.s.p[0]) {
	case 'f': return put_cstr(v, "file");
	case 'd': return put_cstr(v, "directory");
	case 'p': return put_cstr(v, "pipe");
	case 'u': return put_cstr(v, "unix");
	case '4': return put_cstr(v, "ipv4");
	case '6': return put_cstr(v, "ipv6");
	}
	return false;
}

static bool g_fd_num(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_event *ev = rec(x);
	int64_t fd = -1;

	(void)idx;
	switch (ev->hdr.type) {
	case BW_EV_OPEN:
	case BW_EV_DUP: /* the new fd */
		fd = ev->res;
		break;
	case BW_EV_CONNECT:
	case BW_EV_BIND:
	case BW_EV_LISTEN:
		fd = ((const struct bw_net *)ev)->fd;
		break;
	case BW_EV_SETNS:
		fd = ((const struct bw_ns *)ev)->fd;
		break;
	case BW_EV_MODULE_LOAD:
		fd = ((const struct bw_module *)ev)->fd;
		break;
	}
	return fd >= 0 ? put_int(v, fd) : false;
}

static bool g_fd_ino(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_file *f = rec_file(rec(x));

	(void)idx;
	return f && f->ino ? put_uint(v, f->ino) : false;
}

/* connect: the remote (server) end; bind/listen: the local (server) end. */
static bool g_fd_sip(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return net_ip((const void *)rec(x), v);
}

static bool g_fd_sport(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_net *n = (const void *)rec(x);

	(void)idx;
	if (n->family != AF_INET && n->family != AF_INET6)
		return false;
	v->type = FT_PORT;
	v->u = n->port;
	return true;
}

static bool g_fd_rip(struct xctx *x, int idx, struct fval *v)
{
	return (rec(x)->hdr.type == BW_EV_CONNECT || rec(x)->hdr.type == BW_EV_DUP) && g_fd_sip(x, idx, v);
}

static bool g_fd_rport(struct xctx *x, int idx, struct fval *v)
{
	return (rec(x)->hdr.type == BW_EV_CONNECT || rec(x)->hdr.type == BW_EV_DUP) && g_fd_sport(x, idx, v);
}

static bool g_fd_lip(struct xctx *x, int idx, struct fval *v)
{
	return rec(x)->hdr.type != BW_EV_CONNECT && g_fd_sip(x, idx, v);
}

static bool g_fd_lport(struct xctx *x, int idx, struct fval *v)
{
	return rec(x)->hdr.type != BW_EV_CONNECT && g_fd_sport(x, idx, v);
}

static bool g_fd_l4proto(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_net *n = (const void *)rec(x);

	(void)idx;
	if (n->family != AF_INET && n->family != AF_INET6)
		return false;
	/* the socket's protocol, read at the syscall's exit; a record without it (replays of old traces) */
	switch (n->protocol) {
	case IPPROTO_TCP:
		return put_cstr(v, "tcp");
	case IPPROTO_UDP:
		return put_cstr(v, "udp");
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return put_cstr(v, "icmp");
	}
	if (n->sotype == SOCK_RAW)
		return put_cstr(v, "raw");
	/* only listen() implies a stream socket */
	if (n->ev.hdr.type == BW_EV_LISTEN)
		return put_cstr(v, "tcp");
	return false;
}

static bool g_fd_sockfamily(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_net *n = (const void *)rec(x);

	(void)idx;
	if (n->family == AF_INET || n->family == AF_INET6)
		return put_cstr(v, "ip");
	if (n->family == AF_UNIX)
		return put_cstr(v, "unix");
	return false;
}

static bool g_fd_is_server(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_bool(v, rec(x)->hdr.type == BW_EV_BIND || rec(x)->hdr.type == BW_EV_LISTEN);
}

/* ---- bulwark.* of records -------------------------------------------------------------------- */

static bool g_fs_type(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_event *ev = rec(x);
	const struct bw_file *f;

	(void)idx;
	if (ev->hdr.type == BW_EV_EXEC)
		return put_rec_str(x, v, ((const struct bw_exec *)ev)->exe_fs, false);
	f = rec_file(ev);
	return put_rec_str(x, v, f->fs, false);
}

static bool g_fs_magic(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_event *ev = rec(x);
	uint32_t m;

	(void)idx;
	m = ev->hdr.type == BW_EV_EXEC ? ((const struct bw_exec *)ev)->exe_fs_magic : rec_file(ev)->fs_magic;
	return m ? put_uint(v, m) : false;
}

static bool layer_value(struct fval *v, uint32_t layer)
{
	return put_cstr(v, layer == BW_LAYER_UPPER ? "upper" : layer == BW_LAYER_LOWER ? "lower" : "");
}

static bool g_file_layer(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return layer_value(v, rec_file(rec(x))->layer);
}

static bool g_file_upath(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_rec_str(x, v, *rec_upath(rec(x)), false);
}

static bool g_exec_layer(struct xctx *x, int idx, struct fval *v)
{
	uint32_t f = own_exec(x, 0)->exec_flags;

	(void)idx;
	return layer_value(v, f & BW_EXEC_UPPER ? BW_LAYER_UPPER : f & BW_EXEC_LOWER ? BW_LAYER_LOWER : BW_LAYER_NONE);
}

static const struct bw_ns *rec_ns(struct xctx *x)
{
	return (const void *)rec(x);
}

/*
 * Whether setns joined one of the host's namespaces. The initial ipc, uts,
 * user, pid, cgroup and time namespaces have fixed inode numbers
 * (include/linux/proc_ns.h: PROC_*_INIT_INO); mnt and net are allocated at
 * boot, so they need the host's values from the input.
 */
static bool g_ns_host(struct xctx *x, int idx, struct fval *v)
{
	static const struct {
		const char *type;
		uint32_t init_ino;
		size_t host_off;
	} types[] = {
		{ "ipc", 0xEFFFFFFFu, offsetof(struct rules_host, ipc) },
		{ "uts", 0xEFFFFFFEu, offsetof(struct rules_host, uts) },
		{ "user", 0xEFFFFFFDu, offsetof(struct rules_host, user) },
		{ "pid", 0xEFFFFFFCu, offsetof(struct rules_host, pid) },
		{ "cgroup", 0xEFFFFFFBu, offsetof(struct rules_host, cgroup) },
		{ "time", 0xEFFFFFFAu, offsetof(struct rules_host, time) },
		{ "mnt", 0, offsetof(struct rules_host, mnt) },
		{ "net", 0, offsetof(struct rules_host, net) },
	};
	const struct bw_ns *n = rec_ns(x);
	struct str_view t = event_str(x->in->ev, n->ns_type);
	size_t i;

	(void)idx;
	if (!n->ns_inum)
		return false;
	/* the kernel's own verdict (init_task's namespaces), whatever /proc/1/ns shows */
	if (n->ev.flags & BW_F_NS_INITIAL)
		return put_bool(v, true);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		uint32_t host = 0;

		if (strlen(types[i].type) != t.len || memcmp(types[i].type, t.p, t.len) != 0)
			continue;
		if (x->in->host)
			memcpy(&host, (const char *)x->in->host + types[i].host_off, sizeof(host));
		if (types[i].init_ino && n->ns_inum == types[i].init_ino)
			return put_bool(v, true);
		if (!host)
			return types[i].init_ino ? put_bool(v, false) : false;
		return put_bool(v, n->ns_inum == host);
	}
	return false;
}

static bool g_net_family(struct xctx *x, int idx, struct fval *v)
{
	uint16_t f = ((const struct bw_net *)rec(x))->family;

	(void)idx;
	if (f == AF_INET)
		return put_cstr(v, "inet");
	if (f == AF_INET6)
		return put_cstr(v, "inet6");
	if (f == AF_UNIX)
		return put_cstr(v, "unix");
	return false;
}

static bool g_setid_ids(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_setid *s = (const void *)rec(x);
	struct sbuild b;
	uint32_t n = 0;
	int i;

	(void)idx;
	sb_begin(&b, x);
	for (i = 0; i < 3; i++) {
		char num[16];

		if (s->id[i] == 0xffffffffu)
			continue;
		snprintf(num, sizeof(num), "%u", s->id[i]);
		sb_item(&b, num, strlen(num), &n);
	}
	return sb_commit_list(&b, v, n);
}

/* ---- containers -------------------------------------------------------------------------------------- */

static const struct container_info *ctr(const struct xctx *x)
{
	const struct container_info *c = x->in->container;

	return c && c->ident.runtime != RUNTIME_NONE ? c : NULL;
}

/* The container whose writable layer held the file the host executed (from the agent's mount table). */
static bool g_layer_ctr_id(struct xctx *x, int idx, struct fval *v)
{
	const struct container_info *c = x->in->layer_container;

	(void)idx;
	return c && put_copy(x, v, c->ident.id, strnlen(c->ident.id, 12));
}

static bool g_layer_ctr_name(struct xctx *x, int idx, struct fval *v)
{
	const struct container_info *c = x->in->layer_container;

	(void)idx;
	return c && put_arr(x, v, c->name, sizeof(c->name), false);
}

static bool g_layer_ctr_image(struct xctx *x, int idx, struct fval *v)
{
	const struct container_info *c = x->in->layer_container;

	(void)idx;
	return c && put_arr(x, v, c->image, sizeof(c->image), false);
}

static bool g_ctr_id(struct xctx *x, int idx, struct fval *v)
{
	const struct container_info *c = ctr(x);
	size_t n;

	(void)idx;
	if (!c)
		return put_cstr(v, "host");
	/* Falco's short id: the first 12 characters */
	n = strnlen(c->ident.id, sizeof(c->ident.id));
	return put_copy(x, v, c->ident.id, n > 12 ? 12 : n);
}

static bool g_ctr_full_id(struct xctx *x, int idx, struct fval *v)
{
	const struct container_info *c = ctr(x);

	(void)idx;
	return c ? put_arr(x, v, c->ident.id, sizeof(c->ident.id), false) : put_cstr(v, "host");
}

static bool g_ctr_name(struct xctx *x, int idx, struct fval *v)
{
	const struct container_info *c = ctr(x);

	(void)idx;
	return c ? put_arr(x, v, c->name, sizeof(c->name), false) : put_cstr(v, "host");
}

static bool g_ctr_image(struct xctx *x, int idx, struct fval *v)
{
	const struct container_info *c = ctr(x);

	(void)idx;
	return c && put_arr(x, v, c->image, sizeof(c->image), false);
}

/* "repo[:tag][@digest]": the tag is after the last ':' that follows the last '/'. */
static void split_image(const char *img, size_t len, size_t *repo_len, const char **tag, size_t *tag_len)
{
	const char *at = memchr(img, '@', len), *slash, *colon = NULL;
	size_t i, end = at ? (size_t)(at - img) : len;

	slash = NULL;
	for (i = 0; i < end; i++) {
		if (img[i] == '/')
			slash = img + i;
		else if (img[i] == ':')
			colon = img + i;
	}
	if (colon && (!slash || colon > slash)) {
		*repo_len = colon - img;
		*tag = colon + 1;
		*tag_len = end - *repo_len - 1;
	} else {
		*repo_len = end;
		*tag = NULL;
		*tag_len = 0;
	}
}

static bool g_ctr_repo(struct xctx *x, int idx, struct fval *v)
{
	const struct container_info *c = ctr(x);
	const char *tag;
	size_t rl, tl, n;

	(void)idx;
	if (!c)
		return false;
	if (c->image_repo[0])
		return put_arr(x, v, c->image_repo, sizeof(c->image_repo), false);
	n = strnlen(c->image, sizeof(c->image));
	if (!n)
		return false;
	split_image(c->image, n, &rl, &tag, &tl);
	return put_copy(x, v, c->image, rl);
}

static bool g_ctr_tag(struct xctx *x, int idx, struct fval *v)
{
	const struct container_info *c = ctr(x);
	const char *tag;
	size_t rl, tl, n;

	(void)idx;
	if (!c)
		return false;
	if (c->image_tag[0])
		return put_arr(x, v, c->image_tag, sizeof(c->image_tag), false);
	n = strnlen(c->image, sizeof(c->image));
	if (!n)
		return false;
	split_image(c->image, n, &rl, &tag, &tl);
	return tag && tl ? put_copy(x, v, tag, tl) : false;
}

static bool g_ctr_image_id(struct xctx *x, int idx, struct fval *v)
{
	const struct container_info *c = ctr(x);

	(void)idx;
	return c && put_arr(x, v, c->image_id, sizeof(c->image_id), false);
}

static bool g_ctr_type(struct xctx *x, int idx, struct fval *v)
{
	static const char *const names[] = {
		[RUNTIME_NONE] = "host", [RUNTIME_DOCKER] = "docker", [RUNTIME_CONTAINERD] = "containerd",
		[RUNTIME_CRIO] = "cri-o", [RUNTIME_PODMAN] = "podman", [RUNTIME_UNKNOWN_K8S] = "kubernetes",
		[RUNTIME_UNKNOWN] = "unknown",
	};
	const struct container_info *c = x->in->container;
	unsigned int rt = c ? c->ident.runtime : RUNTIME_NONE;

	(void)idx;
	return rt < sizeof(names) / sizeof(names[0]) && names[rt] ? put_cstr(v, names[rt]) : false;
}

/* a listener on a port its container declares is expected (Listener Opened in Container) */
static bool g_fd_lport_declared(struct xctx *x, int idx, struct fval *v)
{
	const struct container_info *c = ctr(x);
	struct fval port;

	if (!c || !c->metadata_known || !g_fd_lport(x, idx, &port))
		return false;
	return put_bool(v, container_declares_port(c, (unsigned int)port.u));
}

static bool g_ctr_privileged(struct xctx *x, int idx, struct fval *v)
{
	const struct container_info *c = ctr(x);

	(void)idx;
	if (!c || !c->metadata_known)
		return false;
	return put_bool(v, c->risks & RISK_PRIVILEGED);
}

static bool g_ctr_user(struct xctx *x, int idx, struct fval *v)
{
	const struct container_info *c = ctr(x);

	(void)idx;
	if (!c || !c->metadata_known)
		return false;
	return put_arr(x, v, c->user, sizeof(c->user), true);
}

static bool g_ctr_known(struct xctx *x, int idx, struct fval *v)
{
	const struct container_info *c = ctr(x);

	(void)idx;
	return c ? put_bool(v, c->metadata_known) : false;
}

static const char *const risk_names[] = {
	"root_user", "privileged", "dangerous_caps", "no_seccomp", "priv_escalation",
	"writable_rootfs", "host_pid", "host_network", "host_ipc", "sensitive_mount",
};

static bool g_ctr_risks(struct xctx *x, int idx, struct fval *v)
{
	const struct container_info *c = ctr(x);
	struct sbuild b;
	uint32_t n = 0;
	size_t i;

	(void)idx;
	if (!c || !c->metadata_known)
		return false;
	sb_begin(&b, x);
	for (i = 0; i < sizeof(risk_names) / sizeof(risk_names[0]); i++)
		if (c->risks & (1u << i))
			sb_item(&b, risk_names[i], strlen(risk_names[i]), &n);
	return sb_commit_list(&b, v, n);
}

/* A comma-separated field of container_info as a list. */
static bool comma_list(struct xctx *x, struct fval *v, const char *s, size_t size)
{
	struct sbuild b;
	uint32_t n = 0;
	size_t len = strnlen(s, size), i = 0;

	sb_begin(&b, x);
	while (i < len) {
		size_t j = i, a, e;

		while (j < len && s[j] != ',')
			j++;
		for (a = i; a < j && isspace((unsigned char)s[a]); a++)
			;
		for (e = j; e > a && isspace((unsigned char)s[e - 1]); e--)
			;
		if (e > a)
			sb_item(&b, s + a, e - a, &n);
		i = j + 1;
	}
	return sb_commit_list(&b, v, n);
}

static bool g_ctr_cap_add(struct xctx *x, int idx, struct fval *v)
{
	const struct container_info *c = ctr(x);

	(void)idx;
	if (!c || !c->metadata_known)
		return false;
	return comma_list(x, v, c->privileged_caps, sizeof(c->privileged_caps));
}

static bool g_ctr_cap_add_mask(struct xctx *x, int idx, struct fval *v)
{
	const struct container_info *c = ctr(x);

	(void)idx;
	if (!c || !c->metadata_known)
		return false;
	return put_uint(v, c->cap_add);
}

static bool g_ctr_mounts(struct xctx *x, int idx, struct fval *v)
{
	const struct container_info *c = ctr(x);

	(void)idx;
	if (!c || !c->metadata_known)
		return false;
	return comma_list(x, v, c->sensitive_mounts, sizeof(c->sensitive_mounts));
}

static bool g_img_setuid(struct xctx *x, int idx, struct fval *v)
{
	const struct container_info *c = ctr(x);

	(void)idx;
	if (!c || !c->metadata_known)
		return false;
	return comma_list(x, v, c->image_setuid_root, sizeof(c->image_setuid_root));
}

static bool g_img_pkg_managers(struct xctx *x, int idx, struct fval *v)
{
	const struct container_info *c = ctr(x);

	(void)idx;
	if (!c || !c->metadata_known)
		return false;
	return comma_list(x, v, c->image_package_managers, sizeof(c->image_package_managers));
}

static bool g_img_compilers(struct xctx *x, int idx, struct fval *v)
{
	const struct container_info *c = ctr(x);

	(void)idx;
	if (!c || !c->metadata_known)
		return false;
	return comma_list(x, v, c->image_compilers, sizeof(c->image_compilers));
}

static bool g_k8s_pod(struct xctx *x, int idx, struct fval *v)
{
	const struct container_info *c = ctr(x);

	(void)idx;
	return c && put_arr(x, v, c->k8s_pod, sizeof(c->k8s_pod), false);
}

static bool g_k8s_ns(struct xctx *x, int idx, struct fval *v)
{
	const struct container_info *c = ctr(x);

	(void)idx;
	return c && put_arr(x, v, c->k8s_namespace, sizeof(c->k8s_namespace), false);
}

static bool g_k8s_uid(struct xctx *x, int idx, struct fval *v)
{
	const struct container_info *c = ctr(x);

	(void)idx;
	return c && put_arr(x, v, c->ident.pod_uid, sizeof(c->ident.pod_uid), false);
}

static bool g_k8s_container(struct xctx *x, int idx, struct fval *v)
{
	const struct container_info *c = ctr(x);

	(void)idx;
	return c && put_arr(x, v, c->k8s_container, sizeof(c->k8s_container), false);
}

static bool g_ctr_info(struct xctx *x, int idx, struct fval *v)
{
	struct fval id, name;
	struct sbuild b;

	bool has_name;

	(void)idx;
	/* both before the builder starts: they may take scratch space themselves */
	if (!g_ctr_id(x, -1, &id))
		return false;
	has_name = g_ctr_name(x, -1, &name);
	sb_begin(&b, x);
	sb_adds(&b, "container_id=");
	sb_addn(&b, id.s.p, id.s.len);
	sb_adds(&b, " container_name=");
	if (has_name)
		sb_addn(&b, name.s.p, name.s.len);
	else
		sb_adds(&b, "<NA>");
	return sb_commit(&b, v);
}

/* ---- Falco's fields that bulwark derives from what it records ------------------------------------------ */

/* Falco's evt.num: the event's number, here as this ruleset counts the events it evaluates (from 1). */
static bool g_evt_num(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_uint(v, x->epoch);
}

/* evt.res as Falco's text: SUCCESS, or the errno name (ENOENT), or the number for an errno without a name. */
static bool g_evt_res_text(struct xctx *x, int idx, struct fval *v)
{
	int64_t res = rec(x)->res;
	const char *name;
	char buf[32];

	(void)idx;
	if (res >= 0)
		return put_cstr(v, "SUCCESS");
	name = res >= -4095 ? strerrorname_np((int)-res) : NULL;
	if (name)
		return put_cstr(v, name);
	snprintf(buf, sizeof(buf), "%lld", (long long)res);
	return put_copy(x, v, buf, strlen(buf));
}

static const struct cat_flag mode_flag_names[] = {
	{ S_IXOTH, "S_IXOTH" }, { S_IWOTH, "S_IWOTH" }, { S_IROTH, "S_IROTH" }, { S_IXGRP, "S_IXGRP" },
	{ S_IWGRP, "S_IWGRP" }, { S_IRGRP, "S_IRGRP" }, { S_IXUSR, "S_IXUSR" }, { S_IWUSR, "S_IWUSR" },
	{ S_IRUSR, "S_IRUSR" }, { S_ISVTX, "S_ISVTX" }, { S_ISGID, "S_ISGID" }, { S_ISUID, "S_ISUID" }, { 0, NULL },
};
static const struct cat_flags mode_flags = { mode_flag_names, 0, NULL };

/* evt.arg.mode as Falco's flag names (S_IRUSR|S_ISUID), for "evt.arg.mode contains S_ISUID". */
static bool g_evt_arg_mode_text(struct xctx *x, int idx, struct fval *v)
{
	struct fval m;

	if (!g_evt_arg_mode(x, idx, &m))
		return false;
	return flags_value(x, v, m.u & 07777, &mode_flags);
}

/* Falco's evt.arg.uid of setuid: the user name when the host knows it, else the number. */
static bool g_evt_arg_uid(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_event *ev = rec(x);
	uint32_t id = ((const struct bw_setid *)ev)->id[0];
	const char *n;
	char buf[16];

	(void)idx;
	if (ev->syscall != BW_SYS_SETUID)
		return false;
	n = user_name(id);
	if (n && *n)
		return put_cstr(v, n);
	snprintf(buf, sizeof(buf), "%u", id);
	return put_copy(x, v, buf, strlen(buf));
}

/* Falco's evt.arg.cmd of bpf(): the command's name (the sensor reports BPF_PROG_LOAD only). */
static bool g_evt_arg_cmd(struct xctx *x, int idx, struct fval *v)
{
	uint64_t cmd = ((const struct bw_bpf *)rec(x))->cmd;
	char buf[24];

	(void)idx;
	if (cmd == 5)
		return put_cstr(v, "BPF_PROG_LOAD");
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)cmd);
	return put_copy(x, v, buf, strlen(buf));
}

/* Falco's evt.arg.filename: the path given to chmod (as passed) or to execve. */
static bool g_evt_arg_filename(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_event *ev = rec(x);

	if (ev->hdr.type == BW_EV_EXEC)
		return put_rec_str(x, v, ((const struct bw_exec *)ev)->filename, false);
	return g_file_upath(x, idx, v);
}

/* Falco's fd.connected on connect: the connection succeeded or is under way. */
static bool g_fd_connected(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_event *ev = rec(x);

	(void)idx;
	if (ev->hdr.type == BW_EV_DUP) /* a socket with a peer */
		return put_bool(v, ((const struct bw_net *)ev)->port != 0);
	return put_bool(v, ev->hdr.type == BW_EV_CONNECT && (ev->res >= 0 || ev->res == -EINPROGRESS));
}

/* Falco's fd.name_changed: the event gave the fd its name (open, connect). */
static bool g_fd_name_changed(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_bool(v, rec(x)->res >= 0);
}

/* Falco's evt.is_open_exec: open created a file with an execute bit set. */
static bool g_open_exec(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_open *o = (const void *)rec(x);

	(void)idx;
	return put_bool(v, (o->open_flags & O_CREAT) && (o->open_mode & 0111));
}

static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
	"CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
	"CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
	"CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
	"CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

/* A capability mask as Falco prints it: the names, space-separated. */
static bool put_caps(struct xctx *x, struct fval *v, uint64_t caps)
{
	struct sbuild b;
	unsigned int i;

	sb_begin(&b, x);
	for (i = 0; i < 64; i++) {
		if (!(caps & (1ull << i)))
			continue;
		if (b.len)
			sb_addc(&b, ' ');
		if (i < sizeof(cap_names) / sizeof(cap_names[0])) {
			sb_adds(&b, cap_names[i]);
		} else {
			char buf[16];

			snprintf(buf, sizeof(buf), "CAP_%u", i);
			sb_adds(&b, buf);
		}
	}
	return sb_commit(&b, v);
}

/* Falco's thread.cap_effective (exec events carry the mask; the process tree keeps it for the others). */
static bool g_thread_cap_effective(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_exec *e = own_exec(x, 0);
	const struct proc_info *f = e ? NULL : exec_facts(x);

	(void)idx;
	if (!e && !f)
		return false;
	return put_caps(x, v, e ? e->cap_effective : f->cap_effective);
}

/* Falco's thread.cap_permitted: the permitted set of the new image (exec events). */
static bool g_thread_cap_permitted(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_caps(x, v, own_exec(x, 0)->cap_permitted);
}

/* Falco's proc.cwd: the working directory at exec (exec events). */
static bool g_proc_cwd(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_rec_str(x, v, own_exec(x, 0)->cwd, false);
}

/* Falco's proc.env: the variables space-separated, as proc.args joins the arguments (exec events). */
static bool g_proc_env(struct xctx *x, int idx, struct fval *v)
{
	struct str_view env = event_str(x->in->ev, own_exec(x, 0)->env);
	struct sbuild b;
	size_t i = 0, n;

	(void)idx;
	sb_begin(&b, x);
	while (i < env.len) {
		n = strnlen(env.p + i, env.len - i);
		if (b.len)
			sb_addc(&b, ' ');
		sb_addn(&b, env.p + i, n);
		i += n + 1;
	}
	return sb_commit(&b, v);
}

/*
 * The ancestor (the process itself included) whose pid is @leader: the
 * leader of its session or process group, as far as the ancestry reaches.
 */
static const struct proc_info *leader_of(struct xctx *x, uint32_t leader, int *depth)
{
	const struct proc_info *p;
	int d;

	for (d = 0; d <= RULES_ANC_MAX && (p = xctx_ancestor(x, d)); d++)
		if (p->pid == leader) {
			*depth = d;
			return p;
		}
	return NULL;
}

/* Falco's proc.is_vpgid_leader: the process leads its process group (exec events). */
static bool g_proc_is_vpgid_leader(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_exec *e = own_exec(x, 0);

	(void)idx;
	return put_bool(v, e->pgid == e->ev.proc.pid);
}

/* Falco's proc.sname, proc.vpgid.name: the name of the session's or the group's leader among the ancestors. */
static bool g_proc_sname(struct xctx *x, int idx, struct fval *v)
{
	int d;

	(void)idx;
	return leader_of(x, own_exec(x, 0)->sid, &d) && proc_name(x, d, v);
}

static bool g_proc_vpgid_name(struct xctx *x, int idx, struct fval *v)
{
	int d;

	(void)idx;
	return leader_of(x, own_exec(x, 0)->pgid, &d) && proc_name(x, d, v);
}

/* Falco's proc.vpgid.exe: argv[0] of the group's leader. */
static bool g_proc_vpgid_exe(struct xctx *x, int idx, struct fval *v)
{
	int d;

	(void)idx;
	return leader_of(x, own_exec(x, 0)->pgid, &d) && proc_exe(x, d, v);
}

/* Falco's user.loginname: the name of the audit login uid (exec events). */
static bool g_user_loginname(struct xctx *x, int idx, struct fval *v)
{
	uint32_t l = own_exec(x, 0)->loginuid;
	const char *n = l == 0xffffffffu ? NULL : user_name(l);

	(void)idx;
	return put_cstr(v, n ? n : "");
}

/* Falco's proc.vpid: the pid in the process's own pid namespace; known here only in the host's. */
static bool g_proc_vpid(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_event *ev = rec(x);

	(void)idx;
	if (ev->hdr.type == BW_EV_EXEC)
		return put_int(v, ((const struct bw_exec *)ev)->vpid);
	if (!x->in->host || !x->in->host->pid || ev->proc.pid_ns != x->in->host->pid)
		return false;
	return put_int(v, ev->proc.pid);
}

/* A Falco field bulwark has no data for yet: never called (its kinds are empty). */
static bool g_nodata(struct xctx *x, int idx, struct fval *v)
{
	(void)x, (void)idx, (void)v;
	return false;
}

/* ---- exec: the new image's standard descriptors ------------------------------------------------------- */

static const struct bw_stdfd *std_fd(const struct xctx *x, int fd)
{
	const struct bw_exec *e = own_exec(x, 0);

	return e ? &e->std[fd] : NULL;
}

static bool stdfd_type(struct xctx *x, int fd, struct fval *v)
{
	const struct bw_stdfd *s = std_fd(x, fd);

	return s && put_cstr(v, catalog_fd_kind_name(s->type));
}

/* inet, inet6, unix, or the family number; absent unless the fd is a socket */
static bool stdfd_family(struct xctx *x, int fd, struct fval *v)
{
	const struct bw_stdfd *s = std_fd(x, fd);
	char *d;

	if (!s || s->type != BW_FD_SOCKET)
		return false;
	if (s->family == AF_INET || s->family == AF_INET6 || s->family == AF_UNIX)
		return put_cstr(v, s->family == AF_INET ? "inet" : s->family == AF_INET6 ? "inet6" : "unix");
	d = xctx_alloc(x, 8);
	if (!d)
		return false;
	snprintf(d, 8, "%u", s->family);
	return put_cstr(v, d);
}

/* "addr:port" ("[addr]:port" for inet6) of an inet/inet6 socket's peer */
static bool stdfd_peer(struct xctx *x, int fd, struct fval *v)
{
	const struct bw_stdfd *s = std_fd(x, fd);
	char a[INET6_ADDRSTRLEN], *d;
	size_t n = INET6_ADDRSTRLEN + 8;

	if (!s || s->type != BW_FD_SOCKET || (s->family != AF_INET && s->family != AF_INET6))
		return false;
	if (!inet_ntop(s->family, s->addr, a, sizeof(a)) || !(d = xctx_alloc(x, n)))
		return false;
	snprintf(d, n, s->family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, s->port);
	return put_cstr(v, d);
}

/*
 * Falco's proc.std{in,out,err}.type: its fd.type vocabulary (ipv4, ipv6, unix, pipe, file;
 * a tty or another device is a "file" there too), from the exec record only.
 */
static bool stdfd_falco_type(struct xctx *x, int fd, struct fval *v)
{
	const struct bw_stdfd *s = std_fd(x, fd);

	if (!s || s->type == BW_FD_NONE)
		return false;
	if (s->type == BW_FD_SOCKET)
		return put_cstr(v, s->family == AF_INET ? "ipv4" : s->family == AF_INET6 ? "ipv6" :
				   s->family == AF_UNIX ? "unix" : s->family == AF_NETLINK ? "netlink" : "unknown");
	if (s->type == BW_FD_PIPE)
		return put_cstr(v, "pipe");
	return put_cstr(v, s->type == BW_FD_OTHER ? "unknown" : "file");
}

#define STDFD_GETTERS(fd, name)                                                       \
	static bool g_##name##_type(struct xctx *x, int idx, struct fval *v)         \
	{                                                                             \
		(void)idx;                                                            \
		return stdfd_type(x, fd, v);                                          \
	}                                                                             \
	static bool g_##name##_family(struct xctx *x, int idx, struct fval *v)       \
	{                                                                             \
		(void)idx;                                                            \
		return stdfd_family(x, fd, v);                                        \
	}                                                                             \
	static bool g_##name##_peer(struct xctx *x, int idx, struct fval *v)         \
	{                                                                             \
		(void)idx;                                                            \
		return stdfd_peer(x, fd, v);                                          \
	}                                                                             \
	static bool g_proc_##name##_type(struct xctx *x, int idx, struct fval *v)    \
	{                                                                             \
		(void)idx;                                                            \
		return stdfd_falco_type(x, fd, v);                                    \
	}
STDFD_GETTERS(0, stdin)
STDFD_GETTERS(1, stdout)
STDFD_GETTERS(2, stderr)

/* exec_failed: the path tried, made absolute with the caller's cwd when relative to it */
static bool g_exec_failed_path(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_exec_failed *f = (const void *)rec(x);
	struct str_view name = event_str(x->in->ev, f->filename), cwd = event_str(x->in->ev, f->cwd);
	char *d;

	(void)idx;
	if (!name.len)
		return false;
	if (name.p[0] == '/' || f->dirfd != -100 || !cwd.len)
		return put_str(v, name.p, name.len);
	while (name.len > 2 && name.p[0] == '.' && name.p[1] == '/') {
		name.p += 2;
		name.len -= 2;
	}
	d = xctx_alloc(x, cwd.len + name.len + 2);
	if (!d)
		return false;
	snprintf(d, cwd.len + name.len + 2, "%.*s%s%.*s", (int)cwd.len, cwd.p, cwd.p[cwd.len - 1] == '/' ? "" : "/",
		 (int)name.len, name.p);
	return put_cstr(v, d);
}

/* ---- path operations: link, symlink, rename, unlink, mkdir (issue 13, class 6) ---- */

/*
 * @dir joined with @path (when @path is relative and @dir known), then
 * normalised: "//", "." and ".." are resolved lexically ("/.." is "/"). The
 * start directory comes from kernel objects (the dirfd's file or the cwd),
 * so `cd /etc; ln ../etc/./shadow /tmp/x` names /etc/shadow. Symlinks inside
 * the string are not followed (the kernel did, but left no trace of it).
 */
size_t rules_path_join(char *out, size_t size, const char *dir, size_t dlen, const char *path, size_t plen)
{
	size_t n = 0, i = 0, total;
	char *buf;

	if (!size)
		return 0;
	if (plen && path[0] == '/')
		dlen = 0;
	total = dlen + 1 + plen;
	buf = malloc(total + 1);
	if (!buf) {
		out[0] = '\0';
		return 0;
	}
	memcpy(buf, dir, dlen);
	buf[dlen] = '/';
	memcpy(buf + dlen + 1, path, plen);
	buf[total] = '\0';
	out[n++] = '/';
	while (i < total) {
		size_t j = i, len;

		while (j < total && buf[j] != '/')
			j++;
		len = j - i;
		if (len == 0 || (len == 1 && buf[i] == '.')) {
			/* empty or "." */
		} else if (len == 2 && buf[i] == '.' && buf[i + 1] == '.') {
			while (n > 1 && out[n - 1] != '/')
				n--;
			if (n > 1)
				n--; /* the '/' before the dropped component */
		} else if (n + (n > 1) + len < size) {
			if (n > 1)
				out[n++] = '/';
			memcpy(out + n, buf + i, len);
			n += len;
		}
		i = j + 1;
	}
	out[n] = '\0';
	free(buf);
	return n;
}

static bool put_joined(struct xctx *x, struct fval *v, struct str_view dir, struct str_view path)
{
	size_t size = dir.len + path.len + 3;
	char *d;

	if (!path.len && !dir.len)
		return false;
	/* a relative path whose start is unknown stays as given */
	if ((!path.len || path.p[0] != '/') && !dir.len)
		return put_str(v, path.p, path.len);
	d = xctx_alloc(x, size);
	if (!d)
		return false;
	return put_str(v, d, rules_path_join(d, size, dir.p, dir.len, path.p, path.len));
}

static const struct bw_pathop *rec_pathop(struct xctx *x)
{
	return (const void *)rec(x);
}

/* link, rename: oldpath; unlink, mkdir: the path; from olddir when relative */
static bool g_pathop_old(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_pathop *o = rec_pathop(x);

	(void)idx;
	return put_joined(x, v, event_str(x->in->ev, o->olddir), event_str(x->in->ev, o->oldpath));
}

/* link, rename: newpath; symlink: linkpath; from newdir when relative */
static bool g_pathop_new(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_pathop *o = rec_pathop(x);

	(void)idx;
	return put_joined(x, v, event_str(x->in->ev, o->newdir), event_str(x->in->ev, o->newpath));
}

/* fs.path.source: link, rename: oldpath resolved; symlink: the target, resolved from the link's own directory */
static bool g_fspath_source(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_pathop *o = rec_pathop(x);
	struct str_view target = event_str(x->in->ev, o->oldpath);
	struct fval link;
	size_t n;

	if (o->ev.hdr.type != BW_EV_SYMLINK)
		return g_pathop_old(x, idx, v);
	if (!target.len)
		return false;
	if (target.p[0] == '/' || !g_pathop_new(x, idx, &link) || !link.s.len || link.s.p[0] != '/')
		return put_joined(x, v, (struct str_view){ "", 0 }, target);
	base_name(link.s.p, link.s.len, &n);
	return put_joined(x, v, (struct str_view){ link.s.p, link.s.len - n }, target);
}

static bool g_pathop_old_raw(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_rec_str(x, v, rec_pathop(x)->oldpath, false);
}

static bool g_pathop_new_raw(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_rec_str(x, v, rec_pathop(x)->newpath, false);
}

/* a regular file with an execute bit, as the inode is after the call */
static bool g_file_executable(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_file *f = rec_file(rec(x));

	(void)idx;
	if (!f || !f->mode)
		return false;
	return put_bool(v, S_ISREG(f->mode) && (f->mode & 0111));
}

static bool g_file_alias(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_bool(v, (rec(x)->flags & BW_F_FILE_ALIAS) != 0);
}

/* ---- process injection, raw sockets, connect sweeps (issue 13, classes 7 and 10) ---- */

static bool g_mem_target_pid(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_event *ev = rec(x);

	(void)idx;
	if (ev->hdr.type == BW_EV_PROC_MEM)
		return put_uint(v, ((const struct bw_proc_mem *)ev)->target_pid);
	return put_uint(v, ((const struct bw_process_vm *)ev)->target_pid);
}

static bool g_mem_access(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_event *ev = rec(x);

	(void)idx;
	if (ev->hdr.type == BW_EV_PROC_MEM)
		return flags_value(x, v, ((const struct bw_proc_mem *)ev)->access, &cat_mem_access);
	return put_cstr(v, ev->syscall == BW_SYS_PROCESS_VM_WRITEV ? "write" : "read");
}

static bool g_mem_prot(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return flags_value(x, v, ((const struct bw_mem_exec *)rec(x))->prot, &cat_prot_flags);
}

static bool g_mem_prev_prot(struct xctx *x, int idx, struct fval *v)
{
	const struct bw_event *ev = rec(x);

	(void)idx;
	if (ev->syscall != BW_SYS_MPROTECT)
		return false;
	return flags_value(x, v, ((const struct bw_mem_exec *)ev)->prev_prot, &cat_prot_flags);
}

static const struct cat_name socket_domains[] = {
	{ AF_UNIX, "AF_UNIX" }, { AF_INET, "AF_INET" }, { AF_INET6, "AF_INET6" }, { AF_NETLINK, "AF_NETLINK" },
	{ AF_PACKET, "AF_PACKET" }, { 0, NULL },
};

static const struct cat_name socket_types[] = {
	{ SOCK_STREAM, "SOCK_STREAM" }, { SOCK_DGRAM, "SOCK_DGRAM" }, { SOCK_RAW, "SOCK_RAW" },
	{ SOCK_RDM, "SOCK_RDM" }, { SOCK_SEQPACKET, "SOCK_SEQPACKET" }, { SOCK_PACKET, "SOCK_PACKET" }, { 0, NULL },
};

/* A value by name from @t, else its number in decimal (Falco prints unknown families so). */
static bool named_value(struct xctx *x, struct fval *v, uint32_t value, const struct cat_name *t)
{
	char buf[16];
	int n;

	for (; t->name; t++)
		if (t->value == value)
			return put_cstr(v, t->name);
	n = snprintf(buf, sizeof(buf), "%u", value);
	return put_copy(x, v, buf, (size_t)n);
}

static bool g_socket_domain(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return named_value(x, v, ((const struct bw_socket *)rec(x))->domain, socket_domains);
}

static bool g_socket_type(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_uint(v, ((const struct bw_socket *)rec(x))->type);
}

static bool g_socket_type_name(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return named_value(x, v, ((const struct bw_socket *)rec(x))->type & 0xf, socket_types);
}

static bool g_socket_proto(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_uint(v, ((const struct bw_socket *)rec(x))->protocol);
}

static bool g_sweep_ports(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_uint(v, x->in->sweep_ports);
}

static bool g_sweep_hosts(struct xctx *x, int idx, struct fval *v)
{
	(void)idx;
	return put_uint(v, x->in->sweep_hosts);
}

/* ---- the agent itself (rules/tamper.yaml) ---- */

/* The process a ptrace, process_vm_* or /proc/<pid>/mem open acts on is the agent (any of its threads). */
static bool g_agent_target(struct xctx *x, int idx, struct fval *v)
{
	const struct rules_agent *a = x->in->agent;
	const struct bw_event *ev = rec(x);
	uint32_t pid;

	(void)idx;
	if (!a || !a->is_agent)
		return false;
	if (ev->hdr.type == BW_EV_PTRACE)
		pid = ((const struct bw_ptrace *)ev)->target_pid;
	else if (ev->hdr.type == BW_EV_PROC_MEM)
		pid = ((const struct bw_proc_mem *)ev)->target_pid;
	else
		pid = ((const struct bw_process_vm *)ev)->target_pid;
	return put_bool(v, pid && a->is_agent(a, pid));
}

/* The file opened or changed is one of the agent's own (its binary, config, rules, spool). */
static bool g_agent_file(struct xctx *x, int idx, struct fval *v)
{
	const struct rules_agent *a = x->in->agent;
	struct fval p;
	size_t i, n;

	(void)idx;
	if (!a || !file_path(x, &p))
		return false;
	for (i = 0; i < a->n_paths; i++) {
		n = strlen(a->paths[i]);
		if (n && a->paths[i][n - 1] == '/') {
			/* a directory: itself (without the slash) or anything under it */
			if ((p.s.len == n - 1 || (p.s.len >= n && p.s.p[n - 1] == '/')) && !memcmp(p.s.p, a->paths[i], n - 1))
				return put_bool(v, true);
		} else if (p.s.len == n && !memcmp(p.s.p, a->paths[i], n)) {
			return put_bool(v, true);
		}
	}
	return put_bool(v, false);
}

/* A plain field of the record: field_get reads it through the catalogue (g_cat is never called). */
static bool g_cat(struct xctx *x, int idx, struct fval *v)
{
	(void)x, (void)idx, (void)v;
	return false;
}
#define CAT(path) g_cat, path

/* ---- the table ------------------------------------------------------------------------------------------ */

#define K(t) KIND_BIT(BW_EV_##t)
#define KC KIND_BIT(RULES_EV_CONTAINER)
#define KR KINDS_RECORDS
#define KA KINDS_ALL
#define K_FILE (K(OPEN) | K(CHMOD) | K(MODULE_LOAD))
#define K_NET (K(CONNECT) | K(BIND) | K(LISTEN) | K(DUP))
#define K_MOUNT (K(MOUNT) | K(UMOUNT) | K(PIVOT_ROOT) | K(CHROOT))
#define K_NS (K(UNSHARE) | K(SETNS))
#define K_CG (K(CGROUP_MKDIR) | K(CGROUP_ATTACH))

const struct field fields_table[] = {
	/* events */
	{ "evt.type", FT_STR, FF_KINDVAL, KA, "Syscall name (execve, openat, connect, ...), clone, procexit, cgroup_mkdir, cgroup_attach, or container", g_evt_type },
	{ "evt.time", FT_ABSTIME, 0, KA, "Event time; rendered as HH:MM:SS.nnnnnnnnn (UTC), compared as ns since the epoch", g_evt_time },
	{ "evt.rawtime", FT_UINT, 0, KA, "Event time in ns since the epoch", g_evt_rawtime },
	{ "evt.time.iso8601", FT_STR, 0, KA, "Event time as RFC 3339 (UTC, ns)", g_evt_iso8601 },
	{ "evt.res", FT_INT, FF_ERRNO | FF_STRTWIN, KR, "Syscall result: >= 0 success, -errno failure (values may be errno names, e.g. -ENOENT or ENOENT, or SUCCESS); text operators (startswith, contains, ...) compare Falco's text form: SUCCESS or the errno name (ENOENT)", g_evt_res },
	{ "evt.res", FT_STR, FF_HIDDEN, KR, "evt.res as text: SUCCESS or the errno name", g_evt_res_text },
	{ "evt.rawres", FT_INT, FF_ERRNO, KR, "Same as evt.res", g_evt_res },
	{ "evt.failed", FT_BOOL, 0, KR, "The syscall failed (evt.res < 0)", g_evt_failed },
	{ "evt.dir", FT_STR, 0, KR, "Always '<': every record is taken at syscall exit", g_evt_dir },
	{ "evt.arg.flags", FT_STR, 0, K(OPEN) | K_NS | K(MOUNT) | K(UMOUNT) | K(MEMFD_CREATE) | K(MODULE_LOAD) | K(EXEC), "Flags by name: O_* (open), CLONE_* (unshare, setns), MS_* (mount), MNT_* (umount2), MFD_* (memfd_create), MODULE_INIT_* (finit_module), Falco's EXE_WRITABLE, EXE_UPPER_LAYER, EXE_FROM_MEMFD, EXE_LOWER_LAYER (execve; 0 without any)", g_evt_arg_flags },
	{ "evt.arg.mode", FT_UINT, FF_STRTWIN, K(OPEN) | K(CHMOD), "Mode argument: the creation mode of open, the new mode of chmod; text operators compare Falco's flag names (evt.arg.mode contains S_ISUID)", g_evt_arg_mode },
	{ "evt.arg.mode", FT_STR, FF_HIDDEN, K(OPEN) | K(CHMOD), "evt.arg.mode as flag names", g_evt_arg_mode_text },
	{ "evt.is_open_read", FT_BOOL, 0, K(OPEN), "Opened for reading (O_RDONLY or O_RDWR)", g_open_read },
	{ "evt.is_open_write", FT_BOOL, 0, K(OPEN), "Opened for writing (O_WRONLY or O_RDWR)", g_open_write },
	{ "evt.num", FT_UINT, 0, KA, "Event number: the events this ruleset has evaluated, from 1 (Falco's never_true macro is evt.num=0)", g_evt_num },
	{ "evt.is_open_exec", FT_BOOL, 0, K(OPEN), "open created a file with an execute bit (O_CREAT and a mode with x)", g_open_exec },
	{ "evt.arg.name", FT_STR, 0, K(OPEN), "Falco's name argument of open: the path as the caller passed it", g_file_upath },
	{ "evt.arg.filename", FT_STR, 0, K(CHMOD) | K(EXEC), "Falco's filename argument: the path given to chmod or execve", g_evt_arg_filename },
	{ "evt.arg.fd", FT_INT, 0, K(OPEN) | K_NET | K(SETNS) | K(MODULE_LOAD), "Falco's fd argument or result (as fd.num)", g_fd_num },
	{ "evt.arg.uid", FT_STR, 0, K(SETUID), "uid argument of setuid: the user's name in the host's /etc/passwd, else the number", g_evt_arg_uid },
	{ "evt.arg.cmd", FT_STR, 0, K(BPF_LOAD), "bpf() command: BPF_PROG_LOAD", g_evt_arg_cmd },
	{ "evt.arg", FT_STR, FF_INDEX, 0, "No data on bulwark yet (Falco: argument N by position, evt.arg[0])", g_nodata },
	{ "evt.arg.path", FT_STR, 0, K(UNLINK) | K(MKDIR), "unlink, unlinkat, mkdir, mkdirat: the path, absolute (joined to the dirfd's directory or the cwd, resolved by the kernel, and normalised: ., .., //)", g_pathop_old },
	{ "evt.arg.newpath", FT_STR, 0, K(LINK) | K(RENAME), "link, linkat, rename, renameat, renameat2: the new name, absolute (as evt.arg.path)", g_pathop_new },
	{ "evt.arg.oldpath", FT_STR, 0, K(LINK) | K(RENAME), "link, linkat, rename, renameat, renameat2: the existing name, absolute (as evt.arg.path); for linkat with AT_EMPTY_PATH, the path of the fd's file", g_pathop_old },
	{ "evt.arg.target", FT_STR, 0, K(SYMLINK), "symlink, symlinkat: the target as given (the link's content; fs.path.source is it resolved)", g_pathop_old_raw },
	{ "evt.arg.linkpath", FT_STR, 0, K(SYMLINK), "symlink, symlinkat: the new link, absolute (as evt.arg.path)", g_pathop_new },
	{ "fs.path.name", FT_STR, 0, K(UNLINK) | K(MKDIR), "unlink*, mkdir*: the path operated on, absolute and normalised (as evt.arg.path)", g_pathop_old },
	{ "fs.path.nameraw", FT_STR, 0, K(UNLINK) | K(MKDIR), "unlink*, mkdir*: the path as passed", g_pathop_old_raw },
	{ "fs.path.source", FT_STR, 0, K(LINK) | K(SYMLINK) | K(RENAME), "link*, rename*: the existing name; symlink*: the target, resolved from the link's directory when relative; absolute and normalised", g_fspath_source },
	{ "fs.path.sourceraw", FT_STR, 0, K(LINK) | K(SYMLINK) | K(RENAME), "link*, rename*: oldpath as passed; symlink*: the target as passed", g_pathop_old_raw },
	{ "fs.path.target", FT_STR, 0, K(LINK) | K(SYMLINK) | K(RENAME), "link*, rename*: the new name; symlink*: the link; absolute and normalised", g_pathop_new },
	{ "fs.path.targetraw", FT_STR, 0, K(LINK) | K(SYMLINK) | K(RENAME), "link*, rename*: newpath as passed; symlink*: linkpath as passed", g_pathop_new_raw },
	{ "bulwark.pathop.olddir", FT_STR, FF_ZERO_NA, K(LINK) | K(RENAME) | K(UNLINK) | K(MKDIR), "The directory a relative first path starts from (cwd or dirfd), resolved by the kernel", CAT("pathop.olddir") },
	{ "bulwark.pathop.newdir", FT_STR, FF_ZERO_NA, K(LINK) | K(SYMLINK) | K(RENAME), "The directory a relative new path starts from (cwd or dirfd), resolved by the kernel", CAT("pathop.newdir") },
	{ "bulwark.pathop.flags", FT_UINT, 0, K(LINK) | K(RENAME) | K(UNLINK), "linkat, renameat2, unlinkat flags (AT_EMPTY_PATH 0x1000, RENAME_EXCHANGE 2, AT_REMOVEDIR 0x200, ...)", CAT("pathop.flags") },
	{ "bulwark.file.executable", FT_BOOL, 0, K_FILE, "A regular file with an execute bit (0100, 0010 or 0001) in its inode mode after the call; absent when no file was resolved", g_file_executable },
	{ "bulwark.file.alias", FT_BOOL, 0, K(OPEN), "The file has several hard links and was opened by a name no rule watches: fd.name is its watched name (a hard link to /etc/shadow read as /tmp/x: fd.name /etc/shadow, bulwark.file.upath /tmp/x)", g_file_alias },
	{ "evt.arg.res_or_fd", FT_STR, 0, 0, "No data on bulwark yet", g_nodata },
	{ "evt.args", FT_STR, 0, 0, "No data on bulwark yet (Falco: every argument as text)", g_nodata },
	{ "evt.buffer", FT_STR, 0, 0, "No data on bulwark yet (I/O buffers are not captured)", g_nodata },
	/* processes */
	{ "proc.pid", FT_INT, 0, KA, "Process id (thread-group id)", g_proc_pid },
	{ "thread.tid", FT_INT, 0, KR, "Thread id", g_proc_tid },
	{ "proc.ppid", FT_INT, 0, KA, "Parent process id", g_proc_ppid },
	{ "proc.name", FT_STR, 0, KA, "Process name: the kernel task name (comm, up to 15 bytes)", g_proc_name },
	{ "proc.exe", FT_STR, 0, KA, "First command line argument (argv[0])", g_proc_exe },
	{ "proc.exepath", FT_STR, 0, KA, "Full path of the executable", g_proc_exepath },
	{ "proc.cmdline", FT_STR, 0, KA, "proc.name followed by the arguments, space-separated", g_proc_cmdline },
	{ "proc.args", FT_STR, 0, KA, "Arguments after argv[0], space-separated", g_proc_args },
	{ "proc.pname", FT_STR, 0, KA, "Name of the parent", g_proc_pname },
	{ "proc.pexe", FT_STR, 0, KA, "argv[0] of the parent", g_proc_pexe },
	{ "proc.pexepath", FT_STR, 0, KA, "Executable path of the parent", g_proc_pexepath },
	{ "proc.pcmdline", FT_STR, 0, KA, "Command line of the parent", g_proc_pcmdline },
	{ "proc.aname", FT_STR, FF_INDEX | FF_INDEX_ANY, KA, "Name of the ancestor N levels up ([0] the process, [1] its parent); without an index: any ancestor (conditions only)", g_proc_aname },
	{ "proc.apid", FT_INT, FF_INDEX | FF_INDEX_ANY, KA, "Pid of the ancestor N levels up; without an index: any ancestor", g_proc_apid },
	{ "proc.aexe", FT_STR, FF_INDEX | FF_INDEX_ANY, KA, "argv[0] of the ancestor N levels up; without an index: any ancestor", g_proc_aexe },
	{ "proc.aexepath", FT_STR, FF_INDEX | FF_INDEX_ANY, KA, "Executable path of the ancestor N levels up; without an index: any ancestor", g_proc_aexepath },
	{ "proc.duration", FT_RELTIME, 0, KR, "ns since the process started", g_proc_duration },
	{ "proc.tty", FT_UINT, 0, KA, "Controlling terminal as a device number, 0 without one (from the exec record, else kept by the process tree)", g_proc_tty },
	{ "proc.is_exe_upper_layer", FT_BOOL, 0, K(EXEC), "The executable is on an overlayfs upper layer (written in the container)", g_exe_upper },
	{ "proc.is_exe_from_memfd", FT_BOOL, 0, K(EXEC), "The executable is a memfd (fileless execution)", g_exe_memfd },
	{ "proc.vpid", FT_INT, 0, KR, "Pid in the process's own pid namespace: read by the kernel at exec (1 for a container's first process); on other events known for processes in the host's pid namespace only", g_proc_vpid },
	{ "proc.cwd", FT_STR, 0, K(EXEC), "Working directory the process started in, resolved by the kernel at exec (a later chdir is not followed; exec events; read only while a loaded rule uses proc.cwd)", g_proc_cwd },
	{ "proc.env", FT_STR, 0, K(EXEC), "Environment of the new image, NAME=value space-separated, read by the kernel at exec (at most 4096 bytes; exec events; read only while a loaded rule uses proc.env)", g_proc_env },
	{ "proc.sname", FT_STR, 0, K(EXEC), "Name of the session leader (the process whose pid is the session id at exec), where it is among the ancestors (exec events)", g_proc_sname },
	{ "proc.is_vpgid_leader", FT_BOOL, 0, K(EXEC), "The process leads its process group (its pid is the group id at exec; exec events)", g_proc_is_vpgid_leader },
	{ "proc.vpgid.name", FT_STR, 0, K(EXEC), "Name of the process group's leader, where it is among the ancestors (exec events)", g_proc_vpgid_name },
	{ "proc.vpgid.exe", FT_STR, 0, K(EXEC), "argv[0] of the process group's leader, where it is among the ancestors (exec events)", g_proc_vpgid_exe },
	{ "proc.ppid.duration", FT_RELTIME, 0, 0, "No data on bulwark yet", g_nodata },
	{ "proc.exe_ino.ctime", FT_ABSTIME, 0, 0, "No data on bulwark yet (inode times)", g_nodata },
	{ "proc.exe_ino.mtime", FT_ABSTIME, 0, 0, "No data on bulwark yet (inode times)", g_nodata },
	{ "proc.exe_ino.ctime_duration_proc_start", FT_RELTIME, 0, 0, "No data on bulwark yet (inode times)", g_nodata },
	{ "thread.cap_effective", FT_STR, 0, KA, "Effective capabilities by name, space-separated (CAP_SYS_ADMIN ...): the exec record's, else those the process had at its exec (kept by the process tree)", g_thread_cap_effective },
	{ "thread.cap_permitted", FT_STR, 0, K(EXEC), "Permitted capabilities by name, space-separated, of the new image (exec events)", g_thread_cap_permitted },
	{ "user.loginname", FT_STR, 0, K(EXEC), "Name of the audit login uid ('' when unset or unknown; exec events)", g_user_loginname },
	{ "group.name", FT_STR, 0, KR, "Name of the effective group in the host's /etc/group ('' if unknown)", g_group_name },
	{ "user.uid", FT_UINT, 0, KR, "Effective user id", g_user_uid },
	{ "user.name", FT_STR, 0, KR, "Name of the effective user in the host's /etc/passwd ('' if unknown)", g_user_name },
	{ "user.loginuid", FT_INT, 0, KA, "Audit login uid, -1 when unset (from the exec record, else kept by the process tree)", g_user_loginuid },
	{ "group.gid", FT_UINT, 0, KR, "Effective group id", g_group_gid },
	/* files and sockets */
	{ "fd.name", FT_STR, 0, K_FILE | K_NET, "Full path of the file (resolved by the kernel; the caller's path if the open failed and it was absolute), the unix socket path, or ip:port", g_fd_name },
	{ "fd.directory", FT_STR, 0, K_FILE, "Directory of fd.name", g_fd_directory },
	{ "fd.filename", FT_STR, 0, K_FILE, "Base name of fd.name", g_fd_filename },
	{ "fd.typechar", FT_STR, 0, K_FILE | K_NET, "f file, d directory, p pipe, u unix socket, 4 IPv4, 6 IPv6", g_fd_typechar },
	{ "fd.type", FT_STR, 0, K_FILE | K_NET, "file, directory, pipe, unix, ipv4, ipv6", g_fd_type },
	{ "fd.num", FT_INT, 0, K(OPEN) | K_NET | K(SETNS) | K(MODULE_LOAD), "File descriptor number", g_fd_num },
	{ "fd.ino", FT_UINT, 0, K_FILE, "Inode number", g_fd_ino },
	{ "fd.sip", FT_IP, 0, K_NET, "Server address: the destination of connect, the local address of bind/listen, the peer of a socket dup'd", g_fd_sip },
	{ "fd.sport", FT_PORT, 0, K_NET, "Server port (see fd.sip)", g_fd_sport },
	{ "fd.dip", FT_IP, 0, K(CONNECT), "Destination address of connect (bulwark; Falco spells it fd.sip/fd.rip)", g_fd_rip },
	{ "fd.dport", FT_PORT, 0, K(CONNECT), "Destination port of connect", g_fd_rport },
	{ "fd.rip", FT_IP, 0, K(CONNECT) | K(DUP), "Remote address (connect; the peer of a socket dup'd)", g_fd_rip },
	{ "fd.rport", FT_PORT, 0, K(CONNECT) | K(DUP), "Remote port (connect; the peer of a socket dup'd)", g_fd_rport },
	{ "fd.lip", FT_IP, 0, K(BIND) | K(LISTEN), "Local address (bind, listen)", g_fd_lip },
	{ "fd.lport", FT_PORT, 0, K(BIND) | K(LISTEN), "Local port (bind, listen)", g_fd_lport },
	{ "fd.l4proto", FT_STR, 0, K_NET, "IP sockets: tcp, udp, icmp or raw, from the socket's protocol read at the syscall's exit", g_fd_l4proto },
	{ "fd.sockfamily", FT_STR, 0, K_NET, "ip or unix", g_fd_sockfamily },
	{ "fd.is_server", FT_BOOL, 0, K_NET, "bind/listen (true) or connect, dup (false)", g_fd_is_server },
	{ "fd.nameraw", FT_STR, 0, K(OPEN) | K(CHMOD), "The path as the caller passed it (Falco's name before normalisation)", g_file_upath },
	{ "fd.ip", FT_IP, 0, K_NET, "The address of the event (fd.sip): Falco's client-or-server address", g_fd_sip },
	{ "fd.net", FT_IP, 0, K_NET, "As fd.ip, compared with CIDR values (fd.net = 10.0.0.0/8)", g_fd_sip },
	{ "fd.snet", FT_IP, 0, K_NET, "As fd.sip, compared with CIDR values", g_fd_sip },
	{ "fd.rnet", FT_IP, 0, K(CONNECT) | K(DUP), "As fd.rip, compared with CIDR values", g_fd_rip },
	{ "fd.port", FT_PORT, 0, K_NET, "The port of the event (fd.sport): Falco's client-or-server port", g_fd_sport },
	{ "fd.connected", FT_BOOL, 0, K_NET, "connect succeeded or is in progress (EINPROGRESS), a socket dup'd has a peer; false for bind and listen", g_fd_connected },
	{ "fd.name_changed", FT_BOOL, 0, K(OPEN) | K(CONNECT), "The event gave the fd its name (a successful open or connect)", g_fd_name_changed },
	{ "fd.cport", FT_PORT, 0, 0, "No data on bulwark yet (see fd.cip)", g_nodata },
	{ "fd.cip", FT_IP, 0, 0, "No data on bulwark yet (accept is not captured; connect records the server side)", g_nodata },
	{ "fd.cnet", FT_IP, 0, 0, "No data on bulwark yet (see fd.cip)", g_nodata },
	{ "fd.cip.name", FT_STR, 0, 0, "No data on bulwark yet (DNS names)", g_nodata },
	{ "fd.sip.name", FT_STR, 0, 0, "No data on bulwark yet (DNS names)", g_nodata },
	{ "fd.rip.name", FT_STR, 0, 0, "No data on bulwark yet (DNS names)", g_nodata },
	{ "fd.lip.name", FT_STR, 0, 0, "No data on bulwark yet (DNS names)", g_nodata },
	/* containers */
	{ "container.id", FT_STR, 0, KA, "Short container id (12 characters), 'host' outside containers", g_ctr_id },
	{ "container.full_id", FT_STR, 0, KA, "Full container id, 'host' outside containers", g_ctr_full_id },
	{ "container.name", FT_STR, 0, KA, "Container name, 'host' outside containers", g_ctr_name },
	{ "container.image", FT_STR, 0, KA, "Image as given to the runtime (nginx:1.25)", g_ctr_image },
	{ "container.image.repository", FT_STR, 0, KA, "Image without tag or digest", g_ctr_repo },
	{ "container.image.tag", FT_STR, 0, KA, "Image tag", g_ctr_tag },
	{ "container.image.id", FT_STR, 0, KA, "Image id", g_ctr_image_id },
	{ "container.type", FT_STR, 0, KA, "Runtime: docker, containerd, cri-o, podman, kubernetes, unknown, or host", g_ctr_type },
	{ "container.privileged", FT_BOOL, 0, KA, "Started privileged (when the runtime described it)", g_ctr_privileged },
	{ "container.start_ts", FT_ABSTIME, 0, 0, "No data on bulwark yet (container start time)", g_nodata },
	{ "container.mounts", FT_STR, 0, 0, "No data on bulwark yet (bulwark.container.sensitive_mounts has the sensitive ones)", g_nodata },
	{ "container.mount.dest", FT_STR, FF_INDEX, 0, "No data on bulwark yet (Falco: [source path])", g_nodata },
	{ "container.info", FT_STR, FF_OUTPUT_ONLY, KA, "Output only: container_id=<id> container_name=<name>", g_ctr_info },
	{ "k8s.pod.name", FT_STR, 0, KA, "Kubernetes pod name", g_k8s_pod },
	{ "k8s.ns.name", FT_STR, 0, KA, "Kubernetes namespace", g_k8s_ns },
	{ "k8s.pod.uid", FT_STR, 0, KA, "Kubernetes pod UID", g_k8s_uid },
	{ "k8s.container.name", FT_STR, 0, KA, "Container name in the pod spec", g_k8s_container },
	/* bulwark: what Falco lacks */
	{ "bulwark.event", FT_STR, FF_KINDVAL, KA, "bulwark's event kind: exec, fork, exit, open, chmod, mount, setns, ... container", g_bw_event },
	{ "bulwark.via", FT_STR, 0, KR, "The door the operation came through: syscall, or io_uring (an IORING_OP_OPENAT is an openat, IORING_OP_CONNECT a connect)", g_bw_via },
	{ "bulwark.blocked", FT_BOOL, 0, KIND_BIT(BW_EV_OPEN), "true when a rule with action: block stopped the operation in enforce mode: the kernel refused the open (evt.res is -EPERM) or, on the tracepoint tier, killed the process as its open returned", g_bw_blocked },
	{ "bulwark.fs.type", FT_STR, 0, K_FILE | K(EXEC), "Filesystem type of the file (cgroup, cgroup2, proc, sysfs, overlay, ...); of the executable for exec", g_fs_type },
	{ "bulwark.fs.magic", FT_UINT, 0, K_FILE | K(EXEC), "Superblock magic of that filesystem", g_fs_magic },
	{ "bulwark.file.layer", FT_STR, 0, K_FILE, "Overlay layer of the file: upper (written in the container), lower (image), or ''", g_file_layer },
	{ "bulwark.file.upath", FT_STR, 0, K(OPEN) | K(CHMOD), "The path as the caller passed it (may be relative)", g_file_upath },
	{ "bulwark.exec.umh", FT_BOOL, 0, K(EXEC), "Started by the kernel's usermode helper (release_agent, core_pattern pipe, modprobe)", CAT("exec.umh") },
	{ "bulwark.exec.filename", FT_STR, FF_ZERO_NA, K(EXEC), "The path given to execve (for usermode helpers: the host path)", CAT("exec.filename") },
	{ "bulwark.exec.layer_container.id", FT_STR, 0, K(EXEC), "Exec on the host of a file in a container's upper layer: that container's short id", g_layer_ctr_id },
	{ "bulwark.exec.layer_container.name", FT_STR, 0, K(EXEC), "Exec on the host of a file in a container's upper layer: that container's name", g_layer_ctr_name },
	{ "bulwark.exec.layer_container.image", FT_STR, 0, K(EXEC), "Exec on the host of a file in a container's upper layer: that container's image", g_layer_ctr_image },
	{ "bulwark.exec.layer", FT_STR, 0, K(EXEC), "Overlay layer of the executable: upper, lower or ''", g_exec_layer },
	{ "bulwark.exec.cap_effective", FT_UINT, 0, K(EXEC), "Effective capability mask after exec", CAT("exec.cap_effective") },
	{ "proc.stdin.type", FT_STR, 0, K(EXEC), "Falco's fd.type of fd 0 (ipv4, ipv6, unix, netlink, pipe, file; a tty or device is file); exec events only: read from the new image's fd table", g_proc_stdin_type },
	{ "proc.stdout.type", FT_STR, 0, K(EXEC), "Falco's fd.type of fd 1 (as proc.stdin.type); exec events only", g_proc_stdout_type },
	{ "proc.stderr.type", FT_STR, 0, K(EXEC), "Falco's fd.type of fd 2 (as proc.stdin.type); exec events only", g_proc_stderr_type },
	{ "bulwark.stdin.type", FT_STR, 0, K(EXEC), "What fd 0 of the new image is: none, file, pipe, socket, tty, char (another character device), other", g_stdin_type },
	{ "bulwark.stdout.type", FT_STR, 0, K(EXEC), "What fd 1 of the new image is (as bulwark.stdin.type)", g_stdout_type },
	{ "bulwark.stderr.type", FT_STR, 0, K(EXEC), "What fd 2 of the new image is (as bulwark.stdin.type)", g_stderr_type },
	{ "bulwark.stdin.family", FT_STR, 0, K(EXEC), "Socket family of fd 0 (inet, inet6, unix, or its number); absent unless a socket", g_stdin_family },
	{ "bulwark.stdout.family", FT_STR, 0, K(EXEC), "Socket family of fd 1 (as bulwark.stdin.family)", g_stdout_family },
	{ "bulwark.stderr.family", FT_STR, 0, K(EXEC), "Socket family of fd 2 (as bulwark.stdin.family)", g_stderr_family },
	{ "bulwark.stdin.peer", FT_STR, 0, K(EXEC), "Peer of an inet/inet6 socket on fd 0 as addr:port ([addr]:port for inet6)", g_stdin_peer },
	{ "bulwark.stdout.peer", FT_STR, 0, K(EXEC), "Peer of an inet/inet6 socket on fd 1 (as bulwark.stdin.peer)", g_stdout_peer },
	{ "bulwark.stderr.peer", FT_STR, 0, K(EXEC), "Peer of an inet/inet6 socket on fd 2 (as bulwark.stdin.peer)", g_stderr_peer },
	{ "bulwark.exec.script", FT_BOOL, 0, K(EXEC), "The file exec'd was a #! script whose own file was found (bulwark.exec.script_*)", CAT("exec.script") },
	{ "bulwark.exec.script_name", FT_STR, FF_ZERO_NA, K(EXEC), "File name of the #! script (bulwark.exec.filename is its path as given)", CAT("exec.script_name") },
	{ "bulwark.exec.script_ino", FT_UINT, FF_ZERO_NA, K(EXEC), "Inode number of the #! script", CAT("exec.script_ino") },
	{ "bulwark.exec.script_layer", FT_STR, 0, K(EXEC), "Overlay layer of the #! script: upper (written in the container), lower (image); absent elsewhere", CAT("exec.script_layer") },
	{ "bulwark.exec_failed.filename", FT_STR, FF_ZERO_NA, K(EXEC_FAILED), "Failed exec: the path as passed", CAT("exec_failed.filename") },
	{ "bulwark.exec_failed.cwd", FT_STR, FF_ZERO_NA, K(EXEC_FAILED), "Failed exec: the caller's working directory", CAT("exec_failed.cwd") },
	{ "bulwark.exec_failed.path", FT_STR, 0, K(EXEC_FAILED), "Failed exec: the path tried, joined to the cwd when relative (dirfd AT_FDCWD)", g_exec_failed_path },
	{ "bulwark.mount.source", FT_STR, FF_ZERO_NA, K_MOUNT, "Mount source (move_mount: from; open_tree: path; fsconfig: value; pivot_root: new_root)", CAT("mount.source") },
	{ "bulwark.mount.target", FT_STR, FF_ZERO_NA, K_MOUNT, "Mount target (umount, move_mount: to; pivot_root: put_old; chroot: path)", CAT("mount.target") },
	{ "bulwark.mount.fs", FT_STR, FF_ZERO_NA, K_MOUNT, "Filesystem type (mount, fsopen) or fsconfig key", CAT("mount.fs") },
	{ "bulwark.mount.flags", FT_UINT, 0, K_MOUNT, "Mount, umount or new-API flags as a number", CAT("mount.flags") },
	{ "bulwark.ns.type", FT_STR, FF_ZERO_NA, K(SETNS), "Namespace joined: mnt, net, pid, user, uts, ipc, cgroup, time", CAT("ns.type") },
	{ "bulwark.ns.flags", FT_STR, 0, K_NS, "CLONE_* flags of unshare, nstype of setns", CAT("ns.flags") },
	{ "bulwark.ns.inum", FT_UINT, FF_ZERO_NA, K(SETNS), "Inode number of the namespace joined", CAT("ns.inum") },
	{ "bulwark.ns.fd_fs", FT_STR, FF_ZERO_NA, K(SETNS), "Filesystem of the setns fd (nsfs, pidfs, ...)", CAT("ns.fd_fs") },
	{ "bulwark.ns.host", FT_BOOL, 0, K(SETNS), "The namespace joined is the host's: the kernel's initial namespaces, decided in the kernel (setns.initial); else the fixed initial inode numbers, and for mnt and net the host's ids from /proc/1/ns where they can be read", g_ns_host },
	{ "bulwark.net.family", FT_STR, 0, K_NET, "inet, inet6 or unix", g_net_family },
	{ "bulwark.net.path", FT_STR, FF_ZERO_NA, K_NET, "Unix socket path ('@' first for abstract names)", CAT("net.path") },
	{ "bulwark.net.backlog", FT_UINT, 0, K(LISTEN), "listen backlog", CAT("net.backlog") },
	{ "bulwark.cgroup.path", FT_STR, FF_ZERO_NA, K_CG, "Path of the cgroup within its hierarchy", CAT("cgroup.path") },
	{ "bulwark.cgroup.hierarchy", FT_STR, 0, K_CG, "Named cgroup v1 hierarchy, or ''", CAT("cgroup.hierarchy") },
	{ "bulwark.cgroup.hierarchy_id", FT_UINT, 0, K_CG, "Hierarchy id (0 is cgroup2)", CAT("cgroup.hierarchy_id") },
	{ "bulwark.cgroup.target_pid", FT_UINT, 0, K(CGROUP_ATTACH), "The task moved into the cgroup", CAT("cgroup.target_pid") },
	{ "bulwark.ptrace.request", FT_STR, 0, K(PTRACE), "PTRACE_ATTACH, PTRACE_SEIZE, PTRACE_TRACEME, PTRACE_POKETEXT, PTRACE_POKEDATA, PTRACE_POKEUSER, PTRACE_SETREGS, PTRACE_SETFPREGS or PTRACE_SETREGSET", CAT("ptrace.request") },
	{ "bulwark.ptrace.target_pid", FT_UINT, 0, K(PTRACE), "The traced process", CAT("ptrace.target_pid") },
	{ "bulwark.mem.target_pid", FT_UINT, 0, K(PROCESS_VM) | K(PROC_MEM), "The process whose memory is read or written (process_vm_*: the caller's pid namespace; proc_mem: the host's)", g_mem_target_pid },
	{ "bulwark.mem.access", FT_STR, 0, K(PROCESS_VM) | K(PROC_MEM), "read, write (or read|write for a /proc/<pid>/mem opened O_RDWR)", g_mem_access },
	{ "bulwark.mem.prot", FT_STR, 0, K(MEM_EXEC), "Protection asked for by mprotect/mmap (PROT_READ|PROT_EXEC, ...)", g_mem_prot },
	{ "bulwark.mem.prev_prot", FT_STR, 0, K(MEM_EXEC), "mprotect: the mapping's protection before the call", g_mem_prev_prot },
	{ "evt.arg.request", FT_STR, 0, K(PTRACE), "ptrace request by name, as Falco's (PTRACE_ATTACH, PTRACE_POKEDATA, ...): the same as bulwark.ptrace.request", CAT("ptrace.request") },
	{ "evt.arg.prot", FT_STR, 0, K(MEM_EXEC), "mprotect/mmap protection by name, as Falco's (PROT_READ|PROT_EXEC): the same as bulwark.mem.prot", g_mem_prot },
	{ "evt.arg.domain", FT_STR, 0, K(SOCKET), "socket domain by name (AF_PACKET, AF_INET, AF_INET6, ...; others as a number)", g_socket_domain },
	{ "evt.arg.type", FT_UINT, 0, K(SOCKET), "socket type argument as a number, SOCK_NONBLOCK/SOCK_CLOEXEC bits included (3 is SOCK_RAW)", g_socket_type },
	{ "evt.arg.proto", FT_UINT, 0, K(SOCKET), "socket protocol argument", g_socket_proto },
	{ "bulwark.socket.type", FT_STR, 0, K(SOCKET), "socket type by name without the flag bits (SOCK_RAW, SOCK_DGRAM, SOCK_PACKET, ...)", g_socket_type_name },
	{ "bulwark.net.sweep_ports", FT_UINT, 0, K(CONNECT), "Distinct destination ports the process (in a container: the container, i.e. its pid namespace) connected to (inet/inet6, any result) in the last 10 s, this connect included; saturates at 64", g_sweep_ports },
	{ "bulwark.net.sweep_hosts", FT_UINT, 0, K(CONNECT), "Distinct destination addresses the process (in a container: the container) connected to in the last 10 s, this connect included; saturates at 64", g_sweep_hosts },
	{ "bulwark.bpf.prog_name", FT_STR, 0, K(BPF_LOAD), "Name of the BPF program loaded", CAT("bpf.prog_name") },
	{ "bulwark.bpf.prog_type", FT_UINT, 0, K(BPF_LOAD), "BPF program type", CAT("bpf.prog_type") },
	{ "bulwark.bpf.cmd", FT_UINT, 0, K(BPF_LOAD), "bpf() command", CAT("bpf.cmd") },
	{ "bulwark.module.args", FT_STR, 0, K(MODULE_LOAD), "Module parameters", CAT("module.args") },
	{ "bulwark.memfd.name", FT_STR, 0, K(MEMFD_CREATE), "Name given to memfd_create", CAT("memfd.name") },
	{ "bulwark.setid.ids", FT_STRLIST, 0, K(SETUID), "Ids passed to set*id (unused slots left out)", g_setid_ids },
	{ "bulwark.user.ruid", FT_UINT, 0, KR, "Real user id (differs from user.uid after a setuid exec)", g_user_ruid },
	{ "bulwark.proc.tty", FT_STR, 0, KA, "Controlling terminal name (pts0), '' without one (from the exec record, else kept by the process tree)", g_proc_tty_name },
	{ "bulwark.proc.cgroup", FT_STR, 0, KA, "cgroup path of the process", g_proc_cgroup },
	{ "bulwark.proc.cgroup_id", FT_UINT, 0, KR, "cgroup v2 id of the process", g_cgroup_id },
	{ "bulwark.proc.start_time", FT_UINT, 0, KA, "Process start, ns since boot", g_proc_start_time },
	{ "bulwark.proc.ns.mnt", FT_UINT, 0, KR, "Mount namespace inode number", g_ns_mnt },
	{ "bulwark.proc.ns.pid", FT_UINT, 0, KR, "PID namespace inode number", g_ns_pid },
	{ "bulwark.proc.ns.net", FT_UINT, 0, KR, "Network namespace inode number", g_ns_net },
	{ "bulwark.proc.ns.user", FT_UINT, 0, KR, "User namespace inode number", g_ns_user },
	{ "bulwark.container.known", FT_BOOL, 0, KA, "A runtime described the container (metadata and posture are meaningful)", g_ctr_known },
	{ "bulwark.container.risks", FT_STRLIST, 0, KA, "Posture: root_user, privileged, dangerous_caps, no_seccomp, priv_escalation, writable_rootfs, host_pid, host_network, host_ipc, sensitive_mount", g_ctr_risks },
	{ "bulwark.container.cap_add", FT_STRLIST, 0, KA, "Dangerous capabilities added (SYS_ADMIN, SYS_PTRACE, ...)", g_ctr_cap_add },
	{ "bulwark.container.cap_add_mask", FT_UINT, 0, KA, "Capability bits added beyond the runtime default", g_ctr_cap_add_mask },
	{ "bulwark.container.sensitive_mounts", FT_STRLIST, 0, KA, "Host paths of sensitive mounts (/, /proc, /var/run/docker.sock, ...)", g_ctr_mounts },
	{ "bulwark.container.user", FT_STR, 0, KA, "Configured user ('' = the image default)", g_ctr_user },
	{ "bulwark.proc.runs", FT_STR, 0, KA, "What runs, whatever the task name: the applet of a multi-call binary (busybox sh), the interpreter of a #! script (its executable), the executable's base name as argv[0] spells it (python3 for python3.11)", g_proc_runs },
	{ "bulwark.proc.aruns", FT_STR, FF_INDEX | FF_INDEX_ANY, KA, "bulwark.proc.runs of the ancestor N levels up (busybox httpd runs httpd); without an index: any ancestor", g_proc_aruns },
	{ "bulwark.fd.unix_peer", FT_STR, 0, K(CONNECT), "Unix connect: the path the listening socket bound (the socket really reached, whatever name the client used)", g_unix_peer },
	{ "bulwark.fd.lport_declared", FT_BOOL, 0, K(BIND) | K(LISTEN), "The container declares the local port (image EXPOSE, --expose, -p, Kubernetes containerPorts)", g_fd_lport_declared },
	{ "bulwark.agent.target", FT_BOOL, 0, K(PTRACE) | K(PROCESS_VM) | K(PROC_MEM), "The process traced, or whose memory is read or written, is the running agent (any of its threads); absent without an agent (replay)", g_agent_target },
	{ "bulwark.agent.file", FT_BOOL, 0, K(OPEN) | K(CHMOD), "fd.name is one of the running agent's own files: its binary, its config, a rules file or directory, an output's spool directory; absent without an agent (replay)", g_agent_file },
	{ "bulwark.container.image.setuid_root", FT_STRLIST, 0, KA, "Image hygiene: setuid-root executables in the image's bin directories (sudo, su, mount, ...)", g_img_setuid },
	{ "bulwark.container.image.package_managers", FT_STRLIST, 0, KA, "Image hygiene: package managers in the image (apt, apt-get, dpkg, apk, yum, dnf, rpm, pip, npm, ...)", g_img_pkg_managers },
	{ "bulwark.container.image.compilers", FT_STRLIST, 0, KA, "Image hygiene: compilers in the image (cc, gcc, clang, tcc, go, rustc, javac, ...)", g_img_compilers },
};

const size_t fields_count = sizeof(fields_table) / sizeof(fields_table[0]);

/*
 * A plain field of the record, read as the event catalogue describes it
 * (agent/catalog.c): the catalogue field for each (rule field, event kind) is
 * resolved once.
 */
static const struct cat_field *cat_resolved[sizeof(fields_table) / sizeof(fields_table[0])][BW_EV_MAX];
static pthread_once_t cat_once = PTHREAD_ONCE_INIT;

static const struct cat_field *cat_find(const struct cat_type *t, const char *path)
{
	size_t olen = strlen(t->obj), i;

	if (strncmp(path, t->obj, olen) != 0 || path[olen] != '.')
		return NULL;
	for (i = 0; i < t->nfields; i++)
		if (t->fields[i].key && strcmp(t->fields[i].key, path + olen + 1) == 0)
			return &t->fields[i];
	return NULL;
}

static void cat_resolve(void)
{
	size_t f;
	unsigned int k;

	for (f = 0; f < fields_count; f++)
		for (k = 1; fields_table[f].cat && k < BW_EV_MAX; k++)
			if (catalog_type(k) && (fields_table[f].kinds & KIND_BIT(k)))
				cat_resolved[f][k] = cat_find(catalog_type(k), fields_table[f].cat);
}

static bool cat_value(struct xctx *x, unsigned int field, struct fval *v)
{
	const struct bw_event *ev = rec(x);
	const struct cat_field *f;
	bool zero_na = fields_table[field].flags & FF_ZERO_NA;
	const struct cat_name *t;
	struct bw_str s;
	uint64_t u;

	pthread_once(&cat_once, cat_resolve);
	if (!ev || ev->hdr.type >= BW_EV_MAX)
		return false;
	f = cat_resolved[field][ev->hdr.type];
	if (!f || (f->when && !f->when(ev)))
		return false;
	switch (f->kind) {
	case CAT_STR:
		memcpy(&s, (const char *)ev + f->off, sizeof(s));
		return put_rec_str(x, v, s, !zero_na);
	case CAT_UINT:
	case CAT_HEX:
		u = cat_get_uint(ev, f);
		return zero_na && !u ? false : put_uint(v, u);
	case CAT_INT:
		return put_int(v, cat_get_int(ev, f));
	case CAT_BOOL:
		return put_bool(v, cat_get_uint(ev, f) != 0);
	case CAT_BIT:
		return put_bool(v, (cat_get_uint(ev, f) & f->aux) != 0);
	case CAT_FLAGS:
		return flags_value(x, v, cat_get_uint(ev, f), f->table);
	case CAT_ENUM:
		u = cat_get_uint(ev, f) & f->aux;
		for (t = f->table; t->name; t++)
			if (t->value == u)
				return put_cstr(v, t->name);
		return false;
	default:
		return false;
	}
}


int fields_lookup(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < fields_count; i++)
		if (!(fields_table[i].flags & FF_HIDDEN) && strlen(fields_table[i].name) == len &&
		    memcmp(fields_table[i].name, name, len) == 0)
			return i;
	return -1;
}

bool field_nodata(unsigned int field)
{
	return field < fields_count && !fields_table[field].kinds;
}

bool cop_is_text(unsigned int op)
{
	return op == OP_CONTAINS || op == OP_ICONTAINS || op == OP_STARTSWITH || op == OP_ENDSWITH ||
	       op == OP_GLOB || op == OP_IGLOB || op == OP_REGEX || op == OP_BCONTAINS || op == OP_BSTARTSWITH;
}

bool field_get(struct xctx *x, unsigned int f, int idx, struct fval *out)
{
	const struct field *fd = &fields_table[f];
	bool ok;

	if (idx < 0 && x->cache_epoch[f] == x->epoch) {
		if (x->cache_ok[f])
			*out = x->cache[f];
		return x->cache_ok[f];
	}
	ok = (fd->kinds & KIND_BIT(x->kind)) && (fd->cat ? cat_value(x, f, out) : fd->get(x, idx, out));
	if (ok && out->type == FT_UINT && fd->type != FT_UINT)
		out->type = fd->type; /* ports, times: numeric representation, typed by the table */
	if (idx < 0) {
		x->cache_epoch[f] = x->epoch;
		x->cache_ok[f] = ok;
		if (ok)
			x->cache[f] = *out;
	}
	return ok;
}

/* ---- rendering ---------------------------------------------------------------------------------------------- */

void fmt_evt_time(char *out, size_t size, int64_t ns)
{
	time_t sec = ns / 1000000000;
	struct tm tm;

	gmtime_r(&sec, &tm);
	snprintf(out, size, "%02d:%02d:%02d.%09lld", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (long long)(ns % 1000000000));
}

static void ip_text(const struct ipval *ip, char *buf, size_t size)
{
	inet_ntop(ip->family == 4 ? AF_INET : AF_INET6, ip->a, buf, size);
}

void fval_render(struct strbuf *sb, const struct fval *v, unsigned int field)
{
	char buf[64];
	uint32_t i;
	size_t off;

	(void)field;
	switch (v->type) {
	case FT_STR:
		strbuf_add(sb, v->s.p, v->s.len);
		break;
	case FT_INT:
		strbuf_addf(sb, "%lld", (long long)v->i);
		break;
	case FT_UINT:
	case FT_PORT:
	case FT_RELTIME:
		strbuf_addf(sb, "%llu", (unsigned long long)v->u);
		break;
	case FT_ABSTIME:
		fmt_evt_time(buf, sizeof(buf), v->u);
		strbuf_add(sb, buf, strlen(buf));
		break;
	case FT_BOOL:
		strbuf_add(sb, v->b ? "true" : "false", v->b ? 4 : 5);
		break;
	case FT_IP:
		ip_text(&v->ip, buf, sizeof(buf));
		strbuf_add(sb, buf, strlen(buf));
		break;
	case FT_STRLIST:
		strbuf_addc(sb, '(');
		for (i = 0, off = 0; i < v->s.n; i++) {
			size_t n = strlen(v->s.p + off);

			if (i)
				strbuf_addc(sb, ',');
			strbuf_add(sb, v->s.p + off, n);
			off += n + 1;
		}
		strbuf_addc(sb, ')');
		break;
	}
}

void fval_json(struct strbuf *sb, const struct fval *v)
{
	char buf[64];
	uint32_t i;
	size_t off;

	switch (v->type) {
	case FT_STR:
		jw_strn(sb, v->s.p, v->s.len);
		break;
	case FT_INT:
		jw_int(sb, v->i);
		break;
	case FT_UINT:
	case FT_PORT:
	case FT_RELTIME:
	case FT_ABSTIME:
		jw_uint(sb, v->u);
		break;
	case FT_BOOL:
		jw_bool(sb, v->b);
		break;
	case FT_IP:
		ip_text(&v->ip, buf, sizeof(buf));
		jw_str(sb, buf);
		break;
	case FT_STRLIST:
		jw_begin_arr(sb);
		for (i = 0, off = 0; i < v->s.n; i++) {
			size_t n = strlen(v->s.p + off);

			jw_strn(sb, v->s.p + off, n);
			off += n + 1;
		}
		jw_end_arr(sb);
		break;
	}
}

/* ---- documentation ------------------------------------------------------------------------------------------ */

static void kinds_text(struct strbuf *sb, kindmask_t k)
{
	unsigned int i;
	bool first = true;

	if (!k) {
		strbuf_addf(sb, "none (no data yet)");
		return;
	}
	if (k == KINDS_ALL) {
		strbuf_addf(sb, "all (and container)");
		return;
	}
	if (k == KINDS_RECORDS) {
		strbuf_addf(sb, "all kernel events");
		return;
	}
	for (i = 1; i < RULES_KIND_MAX; i++) {
		if (!(k & KIND_BIT(i)))
			continue;
		strbuf_addf(sb, "%s%s", first ? "" : ", ", rules_kind_name(i));
		first = false;
	}
}

void rules_fields_markdown(struct strbuf *sb)
{
	unsigned int k;
	size_t i;

	strbuf_addf(sb, "# Rule fields\n\n"
			"<!-- Generated by `bulwark rules fields --markdown` from agent/rules/fields.c; "
			"tests/unit/test_rules_fields.c checks it is current. Do not edit by hand. -->\n\n"
			"Fields usable in rule conditions and output templates (`%%field`). A field an event does not "
			"provide is absent: every comparison on it is false (so `not` of it is true), `exists` is "
			"false, and outputs show `<NA>`. Events are bulwark's event kinds (see docs/events.md); "
			"`container` is the synthetic event raised once per container when its posture is known.\n\n"
			"## evt.type values\n\n| Event kind | evt.type |\n|---|---|\n");
	for (k = 1; k < RULES_KIND_MAX; k++) {
		const char *const *t = kind_evt_types(k);

		strbuf_addf(sb, "| %s |", rules_kind_name(k));
		for (i = 0; t[i]; i++)
			strbuf_addf(sb, "%s `%s`", i ? "," : "", t[i]);
		strbuf_addf(sb, " |\n");
	}
	strbuf_addf(sb, "\n## Fields\n\n| Field | Type | Events | Description |\n|---|---|---|---|\n");
	for (i = 0; i < fields_count; i++) {
		const struct field *f = &fields_table[i];

		if (f->flags & FF_HIDDEN)
			continue;
		strbuf_addf(sb, "| `%s%s` | %s | ", f->name, f->flags & FF_INDEX ? "[N]" : "", ftype_name(f->type));
		kinds_text(sb, f->kinds);
		strbuf_addf(sb, " | %s |\n", f->desc);
	}
}

void rules_fields_text(struct strbuf *sb)
{
	char name[64];
	size_t i;

	for (i = 0; i < fields_count; i++) {
		const struct field *f = &fields_table[i];

		if (f->flags & FF_HIDDEN)
			continue;
		snprintf(name, sizeof(name), "%s%s", f->name, f->flags & FF_INDEX ? "[N]" : "");
		strbuf_addf(sb, "%-36s %-8s ", name, ftype_name(f->type));
		kinds_text(sb, f->kinds);
		strbuf_addc(sb, '\n');
	}
}
