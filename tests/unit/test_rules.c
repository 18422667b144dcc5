// SPDX-License-Identifier: Apache-2.0
/*
 * The rule engine on synthetic records: every operator (true and false), the
 * precedence of and/or/not, macros, lists, overrides (append, replace, the
 * older append: true, enabled-only items), exceptions with and without
 * expiry, output rendering and the alert object, the kind index, ancestry,
 * priority_when and the read-prefix export. Records go through the real
 * decoder first, as the sensor's do.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "event.h"
#include "rules/internal.h"
#include "rules/rules.h"

/* ---- records ---------------------------------------------------------------------- */

struct rec {
	_Alignas(8) unsigned char buf[4096];
	size_t len;
	struct event_view v;
};

static struct bw_event *rec_init(struct rec *r, unsigned int type, unsigned int sys)
{
	struct bw_event *ev = (void *)r->buf;

	memset(r->buf, 0, sizeof(r->buf));
	r->len = event_fixed_size(type);
	ev->hdr.type = type;
	ev->hdr.version = BW_ABI_VERSION;
	ev->hdr.ktime = 5000000000ull;
	ev->syscall = sys;
	ev->proc.pid = 100;
	ev->proc.tid = 100;
	ev->proc.ppid = 50;
	ev->proc.uid = 1000;
	ev->proc.euid = 0;
	ev->proc.start_time = 4000000000ull;
	ev->proc.parent_start_time = 1000;
	memcpy(ev->proc.comm, "cat", 4);
	return ev;
}

static void rec_strn(struct rec *r, struct bw_str *d, const char *s, size_t n)
{
	memcpy(r->buf + r->len, s, n);
	r->buf[r->len + n] = '\0';
	d->off = r->len;
	d->len = n;
	r->len += n + 1;
}

static void rec_str(struct rec *r, struct bw_str *d, const char *s)
{
	rec_strn(r, d, s, strlen(s));
}

static const struct event_view *rec_done(struct rec *r)
{
	enum event_malformed why;

	((struct bw_event *)r->buf)->hdr.size = r->len;
	if (event_decode(r->buf, r->len, &r->v, &why, NULL)) {
		CHECK(0, "test record rejected: %s", event_malformed_name(why));
		return NULL;
	}
	return &r->v;
}

/* cat (euid 0, uid 1000) opened /etc/shadow read-only on ext4: fd 3 */
static struct rec r_open;
static struct rule_input in_open;

static void make_open(int64_t res)
{
	struct bw_open *o = (void *)rec_init(&r_open, BW_EV_OPEN, BW_SYS_OPENAT);

	o->ev.res = res;
	o->open_flags = O_RDONLY | O_CLOEXEC;
	o->file.mode = 0100640;
	o->file.fs_magic = 0xef53;
	o->file.layer = BW_LAYER_NONE;
	rec_str(&r_open, &o->upath, "/etc/shadow");
	if (res >= 0) {
		rec_str(&r_open, &o->file.path, "/etc/shadow");
		rec_str(&r_open, &o->file.name, "shadow");
		rec_str(&r_open, &o->file.fs, "ext4");
	}
	in_open = (struct rule_input){ .ev = rec_done(&r_open), .time_ns = 1700000000123456789ll };
}

/* sh connects to 10.1.2.3:4444 */
static struct rec r_conn;
static struct rule_input in_conn;

static void make_connect(void)
{
	struct bw_net *n = (void *)rec_init(&r_conn, BW_EV_CONNECT, BW_SYS_CONNECT);

	memcpy(n->ev.proc.comm, "sh", 3);
	n->family = AF_INET;
	n->port = 4444;
	n->fd = 3;
	inet_pton(AF_INET, "10.1.2.3", n->addr);
	in_conn = (struct rule_input){ .ev = rec_done(&r_conn), .time_ns = 1700000000000000000ll };
}

/* exec of "bash -i" with a tty, in a privileged container, under nginx and init */
static struct rec r_exec;
static struct rule_input in_exec;
static struct container_info ctr;
static struct proc_info p_self, p_parent, p_grand, p_init;
static const char self_args[] = "bash\0-i";
static const char parent_args[] = "nginx: worker process";
static const char grand_args[] = "-bash";

static const struct proc_info *parent_of(void *ctx, const struct proc_info *p)
{
	(void)ctx;
	if (p == &p_self)
		return &p_parent;
	if (p == &p_parent)
		return &p_grand;
	if (p == &p_grand)
		return &p_init;
	return NULL;
}

static const char *comm_of(void *ctx, const struct proc_info *p)
{
	(void)ctx;
	return p == &p_init ? "init" : NULL; /* the others are derived from argv/exe */
}

static const struct rules_proc_access access = { parent_of, comm_of, NULL };

static void make_exec(void)
{
	struct bw_exec *e = (void *)rec_init(&r_exec, BW_EV_EXEC, BW_SYS_EXECVE);

	memcpy(e->ev.proc.comm, "bash", 5);
	e->exec_flags = BW_EXEC_UPPER;
	e->loginuid = 0xffffffffu;
	rec_str(&r_exec, &e->filename, "/bin/bash");
	rec_str(&r_exec, &e->exe, "/usr/bin/bash");
	rec_strn(&r_exec, &e->args, self_args, sizeof(self_args) - 1);
	rec_str(&r_exec, &e->tty, "pts3");
	rec_str(&r_exec, &e->exe_fs, "overlay");
	memset(&ctr, 0, sizeof(ctr));
	ctr.ident.runtime = RUNTIME_DOCKER;
	strcpy(ctr.ident.id, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	ctr.metadata_known = true;
	strcpy(ctr.name, "web");
	strcpy(ctr.image, "registry.local:5000/team/nginx:1.25");
	ctr.risks = RISK_PRIVILEGED | RISK_ROOT_USER;
	strcpy(ctr.privileged_caps, "CAP_SYS_ADMIN, CAP_NET_ADMIN");
	p_self = (struct proc_info){ .pid = 100, .ppid = 50, .exe = "/usr/bin/bash", .args = self_args,
				     .args_len = sizeof(self_args) - 1, .cgroup = "/docker/0123" };
	p_parent = (struct proc_info){ .pid = 50, .ppid = 10, .exe = "/usr/sbin/nginx", .args = parent_args,
				       .args_len = sizeof(parent_args) - 1, .cgroup = "" };
	p_grand = (struct proc_info){ .pid = 10, .ppid = 1, .exe = "/usr/bin/bash", .args = grand_args,
				      .args_len = sizeof(grand_args) - 1, .cgroup = "" };
	p_init = (struct proc_info){ .pid = 1, .ppid = 0, .exe = "/sbin/init", .args = "", .cgroup = "" };
	in_exec = (struct rule_input){ .ev = rec_done(&r_exec), .proc = &p_self, .container = &ctr,
				       .time_ns = 1700000000000000000ll, .procs = &access };
}

/* ---- rules ------------------------------------------------------------------------------ */

static struct rules *load_n(const struct rules_source *src, size_t n, struct rules_diags *d)
{
	struct rules_diags local = { 0 };
	struct rules *rs = rules__load_sources(src, n, d ? d : &local);

	if (!rs) {
		fprintf(stderr, "    rules did not load:\n");
		rules_diags_print(d ? d : &local, stderr);
	}
	rules_diags_free(&local);
	return rs;
}

static struct rules *load(const char *yaml)
{
	struct rules_source s = { "t.yaml", yaml, strlen(yaml) };

	return load_n(&s, 1, NULL);
}

static struct rules *load2(const char *a, const char *b)
{
	struct rules_source s[2] = { { "a.yaml", a, strlen(a) }, { "b.yaml", b, strlen(b) } };

	return load_n(s, 2, NULL);
}

struct names {
	char buf[512];
};

static int collect(void *ctx, const struct rule *r, const struct rule_input *in)
{
	struct names *n = ctx;
	size_t l = strlen(n->buf);

	(void)in;
	snprintf(n->buf + l, sizeof(n->buf) - l, "%s%s", l ? "," : "", rule_name(r));
	return 0;
}

/* The rules that fire, comma-separated ("" for none, "LOAD ERROR" when the rules fail). */
static const char *fired(struct rules *rs, const struct rule_input *in)
{
	static struct names n;

	n.buf[0] = '\0';
	if (!rs)
		return "LOAD ERROR";
	rules__eval(rs, in, collect, &n);
	return n.buf;
}

/* 1 if a one-rule file with @cond fires on @in, 0 if not, -1 if it does not load. */
static int cond(const char *c, const struct rule_input *in)
{
	char yaml[2048];
	struct rules *rs;
	int r;

	snprintf(yaml, sizeof(yaml), "- rule: R\n  desc: d\n  condition: '%s'\n  output: o\n  priority: info\n"
				     "  warn_evttypes: false\n", c);
	rs = load(yaml);
	if (!rs)
		return -1;
	r = rules__eval(rs, in, NULL, NULL);
	rules__free(rs);
	return r;
}

#define T(c, in, want) CHECK_INT(cond((c), (in)), (want))

/* ---- operators --------------------------------------------------------------------------- */

static void test_equality(void)
{
	make_open(3);
	T("fd.name = /etc/shadow", &in_open, 1);
	T("fd.name == /etc/shadow", &in_open, 1);
	T("fd.name = /etc/passwd", &in_open, 0);
	T("fd.name != /etc/passwd", &in_open, 1);
	T("fd.name != /etc/shadow", &in_open, 0);
	T("fd.name=\"/etc/shadow\"", &in_open, 1);
	T("proc.name = cat", &in_open, 1);
	T("proc.name = Cat", &in_open, 0);
	T("evt.type = openat", &in_open, 1);
	T("evt.type = open", &in_open, 0);
	T("bulwark.event = open", &in_open, 1);
	T("fd.typechar = f", &in_open, 1);
	T("fd.directory = /etc and fd.filename = shadow", &in_open, 1);
	T("evt.is_open_read = true and evt.is_open_write = false", &in_open, 1);
	T("evt.failed = false", &in_open, 1);
	T("evt.arg.flags = \"O_RDONLY|O_CLOEXEC\"", &in_open, 1);
	T("evt.dir = <", &in_open, 1);
}

static void test_numeric(void)
{
	make_open(3);
	T("evt.res = 3", &in_open, 1);
	T("evt.res = 4", &in_open, 0);
	T("evt.res < 4", &in_open, 1);
	T("evt.res < 3", &in_open, 0);
	T("evt.res <= 3", &in_open, 1);
	T("evt.res <= 2", &in_open, 0);
	T("evt.res > 2", &in_open, 1);
	T("evt.res > 3", &in_open, 0);
	T("evt.res >= 3", &in_open, 1);
	T("evt.res >= 4", &in_open, 0);
	T("evt.res >= 0x3", &in_open, 1);
	T("evt.res = SUCCESS", &in_open, 1);
	T("evt.res != SUCCESS", &in_open, 0);
	T("fd.num = 3", &in_open, 1);
	T("user.uid = 0 and bulwark.user.ruid = 1000", &in_open, 1);
	T("user.uid in (5, 0, 7)", &in_open, 1);
	T("user.uid in (5, 7)", &in_open, 0);
	T("proc.pid in (99, 100)", &in_open, 1);
	T("bulwark.fs.magic = 61267", &in_open, 1);
	make_open(-2);
	T("evt.res = -2", &in_open, 1);
	T("evt.res = ENOENT", &in_open, 1);
	T("evt.res = -ENOENT", &in_open, 1);
	T("evt.res = EACCES", &in_open, 0);
	T("evt.res in (-13, -2)", &in_open, 1);
	T("evt.res = SUCCESS", &in_open, 0);
	T("evt.res != SUCCESS and evt.failed = true", &in_open, 1);
	T("evt.res < 0", &in_open, 1);
	/* a failed open has no resolved path: the caller's absolute path stands in */
	T("fd.name = /etc/shadow", &in_open, 1);
	T("bulwark.fs.type exists", &in_open, 0);
}

static void test_strings(void)
{
	make_open(3);
	T("fd.name contains shad", &in_open, 1);
	T("fd.name contains SHAD", &in_open, 0);
	T("fd.name icontains SHAD", &in_open, 1);
	T("fd.name icontains passwd", &in_open, 0);
	T("fd.name bcontains 736861", &in_open, 1); /* "sha" */
	T("fd.name bcontains 736869", &in_open, 0);
	T("fd.name startswith /etc/", &in_open, 1);
	T("fd.name startswith /usr/", &in_open, 0);
	T("fd.name bstartswith 2f657463", &in_open, 1); /* "/etc" */
	T("fd.name bstartswith 2f757372", &in_open, 0);
	T("fd.name endswith dow", &in_open, 1);
	T("fd.name endswith /etc", &in_open, 0);
	T("fd.name glob /etc/*", &in_open, 1);
	T("fd.name glob \"/e?c/s[gh]*\"", &in_open, 1);
	T("fd.name glob /usr/*", &in_open, 0);
	T("fd.name glob /ETC/*", &in_open, 0);
	T("fd.name iglob /ETC/*", &in_open, 1);
	T("fd.name glob \"*\"", &in_open, 1); /* * crosses '/' (fnmatch without FNM_PATHNAME, as Falco) */
	T("fd.name regex \"/etc/s.*w\"", &in_open, 1);
	T("fd.name regex etc", &in_open, 0); /* anchored at both ends, as RE2 FullMatch in Falco */
	T("fd.name regex \".*etc.*\"", &in_open, 1);
	T("fd.name regex \"(/etc|/usr)/(shadow|passwd)\"", &in_open, 1);
}

static void test_sets(void)
{
	make_open(3);
	T("fd.name in (/etc/passwd, /etc/shadow)", &in_open, 1);
	T("fd.name in (/etc/passwd, /etc/group)", &in_open, 0);
	T("fd.name in ()", &in_open, 0);
	T("fd.name intersects (/etc/shadow)", &in_open, 1);
	T("fd.name pmatch (/usr, /etc)", &in_open, 1);
	T("fd.name pmatch (/et)", &in_open, 0);       /* whole components only */
	T("fd.name pmatch (/etc/shadow/)", &in_open, 1);
	T("fd.name pmatch (//etc)", &in_open, 1);
	T("fd.name pmatch (/etc/shadow/x)", &in_open, 0);
	T("proc.name in (\"c a t\", cat)", &in_open, 1);
	/* modifiers */
	T("fd.name startswith anyof (/usr, /etc)", &in_open, 1);
	T("fd.name startswith anyof (/usr, /var)", &in_open, 0);
	T("fd.name startswith allof (/, /etc)", &in_open, 1);
	T("fd.name startswith allof (/, /usr)", &in_open, 0);
	T("fd.name glob oneof (/etc/*, /usr/*)", &in_open, 1);
	T("fd.name glob oneof (/etc/*, /*/shadow)", &in_open, 0); /* both match: not exactly one */
	T("fd.name = oneof", &in_open, 0);                        /* "oneof" as a plain value */
	T("fd.name regex anyof (x, \"/etc/.*\")", &in_open, 1);
}

static void test_exists_and_absent(void)
{
	make_open(3);
	make_exec();
	T("fd.name exists", &in_open, 1);
	T("proc.tty exists", &in_exec, 1);
	T("not proc.tty exists", &in_open, 1);
	T("fd.name exists", &in_exec, 0);
	/* an absent field fails every comparison, so "not" of one holds (Falco) */
	T("fd.name = /x", &in_exec, 0);
	T("fd.name != /x", &in_exec, 0);
	T("not fd.name = /x", &in_exec, 1);
	T("container.image exists", &in_open, 0); /* the host has no image */
	T("container.id = host and container.name = host", &in_open, 1);
}

static void test_ip_bool_list(void)
{
	make_connect();
	make_exec();
	T("fd.sip = 10.1.2.3", &in_conn, 1);
	T("fd.sip = 10.1.2.4", &in_conn, 0);
	T("fd.sip = 10.1.2.0/24", &in_conn, 1);
	T("fd.sip = 10.1.3.0/24", &in_conn, 0);
	T("fd.sip != 10.1.2.3", &in_conn, 0);
	T("fd.sip in (192.168.0.0/16, 10.0.0.0/8)", &in_conn, 1);
	T("fd.sip in (192.168.0.0/16, ::1)", &in_conn, 0);
	T("fd.dip = 10.1.2.3 and fd.dport = 4444 and fd.sport > 1024", &in_conn, 1);
	T("fd.name = 10.1.2.3:4444 and fd.sockfamily = ip and fd.typechar = 4", &in_conn, 1);
	T("fd.lport exists", &in_conn, 0);
	T("container.privileged = true", &in_exec, 1);
	T("container.privileged = false", &in_exec, 0);
	T("container.privileged != false", &in_exec, 1);
	T("bulwark.container.risks intersects (privileged, host_pid)", &in_exec, 1);
	T("bulwark.container.risks intersects (host_pid)", &in_exec, 0);
	T("bulwark.container.risks in (privileged, root_user, host_pid)", &in_exec, 1);
	T("bulwark.container.risks in (privileged)", &in_exec, 0); /* in: every item in the set */
	T("bulwark.container.cap_add intersects (CAP_NET_ADMIN)", &in_exec, 1);
	T("bulwark.container.cap_add exists", &in_exec, 1);
	T("container.image.repository = registry.local:5000/team/nginx", &in_exec, 1);
	T("container.image.tag = \"1.25\"", &in_exec, 1);
	T("container.id = 0123456789ab and container.full_id startswith 0123456789abcdef", &in_exec, 1);
}

static void test_precedence(void)
{
	make_open(3);
	/* and binds tighter than or */
	T("fd.name = /etc/shadow or fd.name = /x and evt.res = 99", &in_open, 1);
	T("(fd.name = /etc/shadow or fd.name = /x) and evt.res = 99", &in_open, 0);
	/* not binds tighter than and */
	T("not fd.name = /x and evt.res = 99", &in_open, 0);
	T("not (fd.name = /x and evt.res = 99)", &in_open, 1);
	T("not not fd.name = /etc/shadow", &in_open, 1);
	T("not(fd.name = /x)", &in_open, 1);
	T("fd.name = /x or(fd.name = /etc/shadow)", &in_open, 1);
	T("evt.res = 3 and(fd.name = /x or evt.res = 3)", &in_open, 1);
	T("((((fd.name = /etc/shadow))))", &in_open, 1);
	T("fd.name = /x or fd.name = /y or not evt.res = 9 and evt.res = 3", &in_open, 1);
}

static void test_macros_lists(void)
{
	struct rules *rs;

	make_open(3);
	rs = load("- rule: R\n  desc: d\n  condition: evt.type = openat and m2\n  output: o\n  priority: info\n"
		  "- macro: m2\n  condition: m1 and evt.res > 0\n"          /* defined after use */
		  "- macro: m1\n  condition: fd.name in (outer)\n"
		  "- list: outer\n  items: [inner, /x]\n"                    /* a list inside a list */
		  "- list: inner\n  items: [/etc/shadow]\n");
	CHECK_STR(fired(rs, &in_open), "R");
	rules__free(rs);
	/* a quoted item is a value, not a list reference */
	rs = load("- list: l\n  items: [/etc/shadow]\n"
		  "- rule: R\n  desc: d\n  condition: evt.type = openat and fd.name in (\"l\")\n  output: o\n  priority: info\n"
		  "- rule: S\n  desc: d\n  condition: evt.type = openat and fd.name in l\n  output: o\n  priority: info\n"
		  "- rule: U\n  desc: d\n  condition: evt.type = openat and fd.name in (/a, l, /b)\n  output: o\n  priority: info\n");
	CHECK_STR(fired(rs, &in_open), "S,U");
	rules__free(rs);
	/* a list's quoted item stays literal; the same macro in two rules */
	rs = load("- list: names\n  items: [\"cat\", dog]\n- macro: m\n  condition: proc.name in (names)\n"
		  "- rule: A\n  desc: d\n  condition: evt.type = openat and m\n  output: o\n  priority: info\n"
		  "- rule: B\n  desc: d\n  condition: evt.type = openat and not m\n  output: o\n  priority: info\n");
	CHECK_STR(fired(rs, &in_open), "A");
	rules__free(rs);
}

/* ---- overrides ------------------------------------------------------------------------------- */

static const char base[] =
	"- list: files\n  items: [/x]\n"
	"- macro: file_match\n  condition: fd.name in (files)\n"
	"- rule: R\n  desc: d\n  condition: evt.type = openat and file_match\n  output: o\n  priority: info\n";

static void test_override_list(void)
{
	struct rules *rs;

	make_open(3);
	rs = load(base);
	CHECK_STR(fired(rs, &in_open), "");
	rules__free(rs);
	rs = load2(base, "- list: files\n  items: [/etc/shadow]\n  override:\n    items: append\n");
	CHECK_STR(fired(rs, &in_open), "R");
	rules__free(rs);
	rs = load2(base, "- list: files\n  items: [/etc/shadow]\n  append: true\n");
	CHECK_STR(fired(rs, &in_open), "R");
	rules__free(rs);
	/* replace drops /x ... and the new item matches */
	rs = load2(base, "- list: files\n  items: [/etc/shadow]\n  override:\n    items: replace\n");
	CHECK_STR(fired(rs, &in_open), "R");
	rules__free(rs);
	rs = load2("- list: files\n  items: [/etc/shadow]\n"
		   "- rule: R\n  desc: d\n  condition: evt.type = openat and fd.name in (files)\n  output: o\n  priority: info\n",
		   "- list: files\n  items: [/y]\n  override:\n    items: replace\n");
	CHECK_STR(fired(rs, &in_open), "");
	rules__free(rs);
}

static void test_override_macro_rule(void)
{
	struct rules *rs;

	make_open(3);
	rs = load2(base, "- macro: file_match\n  condition: or fd.name = /etc/shadow\n  override:\n    condition: append\n");
	CHECK_STR(fired(rs, &in_open), "R");
	rules__free(rs);
	rs = load2(base, "- macro: file_match\n  condition: fd.name = /etc/shadow\n  override:\n    condition: replace\n");
	CHECK_STR(fired(rs, &in_open), "R");
	rules__free(rs);
	/* rule condition append (override and the older append: true) */
	rs = load2("- rule: R\n  desc: d\n  condition: evt.type = openat\n  output: o\n  priority: info\n",
		   "- rule: R\n  condition: and fd.name = /nope\n  override:\n    condition: append\n");
	CHECK_STR(fired(rs, &in_open), "");
	rules__free(rs);
	rs = load2("- rule: R\n  desc: d\n  condition: evt.type = openat\n  output: o\n  priority: info\n",
		   "- rule: R\n  condition: and fd.name = /nope\n  append: true\n");
	CHECK_STR(fired(rs, &in_open), "");
	rules__free(rs);
	/* replace priority, output, tags; append to tags */
	rs = load2("- rule: R\n  desc: d\n  condition: evt.type = openat\n  output: o\n  priority: info\n  tags: [a]\n",
		   "- rule: R\n  priority: CRITICAL\n  output: 'new %proc.name'\n  tags: [b, a]\n"
		   "  override:\n    priority: replace\n    output: replace\n    tags: append\n");
	if (rs) {
		const struct rule *r = rules__rule(rs, 0);
		struct strbuf sb = STRBUF_INIT;

		CHECK_INT(rule_priority(r), RULE_PRIO_CRITICAL);
		CHECK_INT(rule_ntags(r), 2);
		CHECK_STR(rule_tag(r, 0), "a");
		CHECK_STR(rule_tag(r, 1), "b");
		rules__render_output(rs, &sb, r, &in_open);
		CHECK_STR(sb.buf, "new cat");
		strbuf_free(&sb);
	}
	CHECK(rs != NULL, "override did not load");
	rules__free(rs);
}

static void test_enabled(void)
{
	struct rules *rs;
	bool types[BW_EV_MAX];

	make_open(3);
	rs = load2("- rule: R\n  desc: d\n  condition: evt.type = openat\n  output: o\n  priority: info\n",
		   "- rule: R\n  enabled: false\n");
	CHECK_STR(fired(rs, &in_open), "");
	if (rs) {
		CHECK(!rule_enabled(rules__rule(rs, 0)), "still enabled");
		rules__event_types(rs, types);
		CHECK(!types[BW_EV_OPEN], "a disabled rule asks for open events");
	}
	rules__free(rs);
	rs = load2("- rule: R\n  desc: d\n  condition: evt.type = openat\n  output: o\n  priority: info\n  enabled: false\n",
		   "- rule: R\n  enabled: true\n  override:\n    enabled: replace\n");
	CHECK_STR(fired(rs, &in_open), "R");
	rules__free(rs);
}

/* ---- exceptions -------------------------------------------------------------------------------- */

static const char exc_rule[] = "- rule: R\n  desc: d\n  condition: evt.type = openat\n  output: o\n  priority: info\n";

static int exc(const char *exceptions, int64_t when_ns, uint64_t *expired)
{
	char yaml[4096];
	struct rules_stats st;
	struct rules *rs;
	int r;

	snprintf(yaml, sizeof(yaml), "%s  exceptions:\n%s", exc_rule, exceptions);
	rs = load(yaml);
	if (!rs)
		return -1;
	in_open.time_ns = when_ns;
	r = rules__eval(rs, &in_open, NULL, NULL);
	rules__stats(rs, &st);
	if (expired)
		*expired = st.expired_skipped;
	rules__free(rs);
	return r;
}

#define NOW 1700000000000000000ll /* 2023-11-14 */

static void test_exceptions(void)
{
	make_open(3);
	CHECK_INT(exc("    - name: e\n      fields: [proc.name, fd.name]\n      values:\n        - [cat, /etc/shadow]\n", NOW,
		      NULL), 0);
	CHECK_INT(exc("    - name: e\n      fields: [proc.name, fd.name]\n      values:\n        - [cat, /etc/passwd]\n", NOW,
		      NULL), 1);
	CHECK_INT(exc("    - name: e\n      fields: [proc.name, fd.name]\n      comps: [in, startswith]\n"
		      "      values:\n        - [[dog, cat], /etc/]\n", NOW, NULL), 0);
	/* a single field: comps default to in, values are a flat list */
	CHECK_INT(exc("    - name: e\n      fields: proc.name\n      values: [dog, cat]\n", NOW, NULL), 0);
	CHECK_INT(exc("    - name: e\n      fields: proc.name\n      values: [dog]\n", NOW, NULL), 1);
	CHECK_INT(exc("    - name: e\n      fields: fd.name\n      comps: pmatch\n      values: [/etc]\n", NOW, NULL), 0);
	/* no values: no effect */
	CHECK_INT(exc("    - name: e\n      fields: [proc.name]\n", NOW, NULL), 1);
	/* the exceptions of Falco's own documentation */
	CHECK_INT(exc("    - name: known_bin_writers\n      fields: [proc.name, fd.name]\n      comps: [=, contains]\n"
		      "      values:\n        - [nginx, /usr/bin/nginx]\n        - [cat, shad]\n", NOW, NULL), 0);
}

static void test_exception_expiry(void)
{
	const char *until_2030 = "    - name: temp\n      fields: [proc.name, fd.name]\n      values:\n"
				 "        - values: [cat, /etc/shadow]\n          expires: 2030-05-01\n";
	int64_t may1_end = 1903910399000000000ll; /* 2030-05-01T23:59:59Z */
	uint64_t expired = 0;

	make_open(3);
	CHECK_INT(exc(until_2030, NOW, &expired), 0);
	CHECK_INT(expired, 0);
	/* valid through the whole day, UTC */
	CHECK_INT(exc(until_2030, may1_end, &expired), 0);
	CHECK_INT(exc(until_2030, may1_end + 1000000000, &expired), 1);
	CHECK_INT(expired, 1);
	/* an exact time (expired from that instant on); the single-field form; an expired value next to a valid one */
	CHECK_INT(exc("    - name: t\n      fields: proc.name\n      values:\n        - value: cat\n"
		      "          expires: 2023-11-14T22:13:21Z\n", NOW, &expired), 0);
	CHECK_INT(exc("    - name: t\n      fields: proc.name\n      values:\n        - value: cat\n"
		      "          expires: 2023-11-14T22:13:20Z\n", NOW, &expired), 1);
	CHECK_INT(exc("    - name: t\n      fields: proc.name\n      values:\n        - value: cat\n          expires: 2020-01-01\n"
		      "        - dog\n", NOW, &expired), 1);
	CHECK_INT(exc("    - name: t\n      fields: proc.name\n      values:\n        - value: dog\n          expires: 2020-01-01\n"
		      "        - cat\n", NOW, &expired), 0);
}

static void test_exception_append(void)
{
	struct rules *rs;
	char a[1024];

	make_open(3);
	snprintf(a, sizeof(a), "%s  exceptions:\n    - name: e\n      fields: [proc.name]\n      values:\n        - [dog]\n",
		 exc_rule);
	rs = load(a);
	CHECK_STR(fired(rs, &in_open), "R");
	rules__free(rs);
	rs = load2(a, "- rule: R\n  exceptions:\n    - name: e\n      values:\n        - [cat]\n"
		      "  override:\n    exceptions: append\n");
	CHECK_STR(fired(rs, &in_open), "");
	rules__free(rs);
	rs = load2(a, "- rule: R\n  exceptions:\n    - name: e\n      values:\n        - [cat]\n  append: true\n");
	CHECK_STR(fired(rs, &in_open), "");
	rules__free(rs);
	/* replace: the old exception is gone */
	rs = load2(a, "- rule: R\n  exceptions:\n    - name: f\n      fields: fd.name\n      values: [/nope]\n"
		      "  override:\n    exceptions: replace\n");
	CHECK_STR(fired(rs, &in_open), "R");
	rules__free(rs);
}

/* ---- outputs and alerts ------------------------------------------------------------------------- */

static void test_output_render(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct rules *rs;

	make_open(3);
	make_exec();
	rs = load("- rule: R\n  desc: d\n  condition: evt.type in (openat, execve)\n  output: >\n"
		  "    %proc.name opened %fd.name. res=%evt.res uid=%user.uid pname=%proc.pname a2=%proc.aname[2]"
		  " a3=%proc.aname[3] id=%container.id t=%evt.time tty=%proc.tty risks=%bulwark.container.risks"
		  " cmd=%proc.cmdline args=%proc.args exe=%proc.exe 100% done %% %container.info\n"
		  "  priority: info\n");
	if (rs) {
		const struct rule *r = rules__rule(rs, 0);

		rules__render_output(rs, &sb, r, &in_open);
		CHECK_STR(sb.buf, "cat opened /etc/shadow. res=3 uid=0 pname=<NA> a2=<NA> a3=<NA> id=host "
				  "t=22:13:20.123456789 tty=<NA> risks=<NA> cmd=<NA> args=<NA> exe=<NA> 100% done %% "
				  "container_id=host container_name=host");
		strbuf_reset(&sb);
		rules__render_output(rs, &sb, r, &in_exec);
		CHECK_STR(sb.buf, "bash opened <NA>. res=0 uid=0 pname=nginx a2=bash a3=init id=0123456789ab "
				  "t=22:13:20.000000000 tty=142606339 risks=(root_user,privileged) cmd=bash -i args=-i "
				  "exe=bash 100% done %% container_id=0123456789ab container_name=web");
	}
	CHECK(rs != NULL, "did not load");
	strbuf_free(&sb);
	rules__free(rs);
}

static void test_alert_json(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct rules *rs;
	json_t *a = NULL, *of;
	json_error_t err;

	make_exec();
	rs = load("- rule: Shell in web\n  desc: d\n  condition: evt.type = execve and proc.aname[1] = nginx\n"
		  "  output: shell %proc.name under %proc.pname (%user.name)\n  priority: critical\n  tags: [T1059, shell]\n");
	if (rs) {
		CHECK_INT(rules__eval(rs, &in_exec, NULL, NULL), 1);
		rules__alert_json(rs, &sb, rules__rule(rs, 0), &in_exec, "node-1");
		CHECK(sb.len && sb.buf[sb.len - 1] == '\n' && !memchr(sb.buf, '\n', sb.len - 1), "not one line: %s", sb.buf);
		a = json_loadb(sb.buf, sb.len, 0, &err);
		CHECK(a != NULL, "not JSON: %s (%s)", sb.buf, err.text);
	}
	if (a) {
		CHECK_STR(json_string_value(json_object_get(a, "time")), "2023-11-14T22:13:20.000000000Z");
		CHECK_STR(json_string_value(json_object_get(a, "rule")), "Shell in web");
		CHECK_STR(json_string_value(json_object_get(a, "priority")), "Critical");
		CHECK(strncmp(json_string_value(json_object_get(a, "output")), "22:13:20.000000000: Critical shell bash under nginx (", 53) == 0,
		      "output: %s", json_string_value(json_object_get(a, "output")));
		CHECK_STR(json_string_value(json_object_get(a, "hostname")), "node-1");
		CHECK_STR(json_string_value(json_object_get(a, "source")), "syscall");
		CHECK_INT(json_array_size(json_object_get(a, "tags")), 2);
		CHECK_INT(strlen(json_string_value(json_object_get(a, "uuid"))), 36);
		CHECK(json_string_value(json_object_get(a, "uuid"))[14] == '4', "not a v4 uuid");
		of = json_object_get(a, "output_fields");
		/* the template's fields, the condition's, and the fixed set, typed as Falco types them */
		CHECK_STR(json_string_value(json_object_get(of, "proc.name")), "bash");
		CHECK_STR(json_string_value(json_object_get(of, "proc.pname")), "nginx");
		CHECK_STR(json_string_value(json_object_get(of, "proc.aname[1]")), "nginx");
		CHECK_STR(json_string_value(json_object_get(of, "evt.type")), "execve");
		CHECK_STR(json_string_value(json_object_get(of, "container.id")), "0123456789ab");
		CHECK_STR(json_string_value(json_object_get(of, "container.name")), "web");
		CHECK_STR(json_string_value(json_object_get(of, "container.image.repository")), "registry.local:5000/team/nginx");
		CHECK_INT(json_integer_value(json_object_get(of, "proc.pid")), 100);
		CHECK_STR(json_string_value(json_object_get(of, "proc.exepath")), "/usr/bin/bash");
		CHECK_STR(json_string_value(json_object_get(of, "proc.cmdline")), "bash -i");
		CHECK(json_is_null(json_object_get(of, "k8s.pod.name")), "k8s.pod.name not null");
		CHECK(json_is_null(json_object_get(of, "k8s.ns.name")), "k8s.ns.name not null");
		CHECK(json_is_string(json_object_get(of, "user.name")), "user.name");
		/* Falco's: evt.time (its "%evt.time: Priority" prefix) and the container plugin's suggested fields */
		CHECK_INT(json_integer_value(json_object_get(of, "evt.time")), 1700000000000000000LL);
		CHECK_STR(json_string_value(json_object_get(of, "container.image.tag")), "1.25");
		CHECK_INT(json_object_size(of), 15); /* 3 template + 2 condition + 6 suffix + 5 fixed (proc.pname twice) */
		/* the suffix Falco appends to the output, and Falco's key order (its JSON writer sorts keys) */
		CHECK(strstr(sb.buf, "(root) container_id=0123456789ab container_name=web container_image_repository="
				     "registry.local:5000/team/nginx container_image_tag=1.25 ") != NULL, "no suffix: %s", sb.buf);
		CHECK(strstr(sb.buf, " k8s_pod_name=<NA> k8s_ns_name=<NA>\",\"output_fields\":") != NULL, "no suffix: %s", sb.buf);
		CHECK(strncmp(sb.buf, "{\"hostname\":\"node-1\",\"output\":", 30) == 0, "order: %s", sb.buf);
		CHECK(strstr(sb.buf, "\"output_fields\":{\"container.id\":") && strstr(sb.buf, "\"proc.pid\":100,\"proc.pname\":\"nginx\",") &&
		      strstr(sb.buf, "},\"priority\":\"Critical\",\"rule\":\"Shell in web\",\"source\":\"syscall\",\"tags\":[\"T1059\",\"shell\"],\"time\":"),
		      "order: %s", sb.buf);
		json_decref(a);
	}
	strbuf_free(&sb);
	rules__free(rs);
}

/* ---- index, kinds, ancestry ------------------------------------------------------------------------ */

static void test_kind_index(void)
{
	struct rules_stats st;
	struct rules *rs;
	bool types[BW_EV_MAX];
	struct rule_input cin = { .container = &ctr, .time_ns = NOW };
	unsigned int t;

	make_open(3);
	make_exec();
	rs = load("- rule: O\n  desc: d\n  condition: evt.type in (open, openat) and fd.name startswith /etc\n  output: o\n  priority: info\n"
		  "- rule: E\n  desc: d\n  condition: evt.type = execve and proc.name = bash\n  output: o\n  priority: info\n"
		  "- rule: N\n  desc: d\n  condition: not evt.type in (openat, open, openat2, creat, open_by_handle_at) and fd.name exists\n  output: o\n  priority: info\n"
		  "- rule: C\n  desc: d\n  condition: evt.type = container and container.privileged = true\n  output: o\n  priority: info\n");
	if (!rs)
		return;
	rules__event_types(rs, types);
	for (t = 1; t < BW_EV_MAX; t++) {
		/* N can match the other kinds that have fd.name: chmod, module_load, connect, bind, listen, dup */
		bool want = t == BW_EV_OPEN || t == BW_EV_EXEC || t == BW_EV_CHMOD || t == BW_EV_MODULE_LOAD ||
			    t == BW_EV_CONNECT || t == BW_EV_BIND || t == BW_EV_LISTEN || t == BW_EV_DUP;

		CHECK(types[t] == want, "type %s: %d", event_type_name(t), types[t]);
	}
	CHECK(rules__wants_container_events(rs), "container rule not indexed");
	CHECK_INT(rule_kinds(rules__rule(rs, 0)), 1ull << BW_EV_OPEN);
	/* an open event meets only O: one evaluation */
	CHECK_STR(fired(rs, &in_open), "O");
	rules__stats(rs, &st);
	CHECK_INT(st.evaluations, 1);
	CHECK_STR(fired(rs, &in_exec), "E");
	CHECK_STR(fired(rs, &cin), "C");
	rules__stats(rs, &st);
	CHECK_INT(st.events, 3);
	CHECK_INT(st.evaluations, 3);
	rules__free(rs);
}

static void test_ancestry(void)
{
	make_exec();
	T("proc.pname = nginx", &in_exec, 1);           /* "nginx: worker process" → the exe's name */
	T("proc.aname[0] = bash", &in_exec, 1);
	T("proc.aname[1] = nginx", &in_exec, 1);
	T("proc.aname[2] = bash", &in_exec, 1);         /* "-bash" (a login shell) → bash */
	T("proc.aname[3] = init", &in_exec, 1);         /* from the accessor's comm_of */
	T("proc.aname[4] exists", &in_exec, 0);
	T("proc.aname = init", &in_exec, 1);            /* any ancestor */
	T("proc.aname = nginx", &in_exec, 1);
	T("proc.aname = sshd", &in_exec, 0);
	T("proc.aname in (sshd, init)", &in_exec, 1);
	T("proc.apid[1] = 50 and proc.apid[3] = 1", &in_exec, 1);
	T("proc.apid = 10", &in_exec, 1);
	T("proc.pexepath = /usr/sbin/nginx and proc.aexepath[3] = /sbin/init", &in_exec, 1);
	T("proc.pcmdline = \"nginx: worker process\"", &in_exec, 0); /* name + args: nginx has no args */
	T("proc.pcmdline = nginx", &in_exec, 1);
	T("proc.exe = bash and proc.args = -i", &in_exec, 1);
	T("proc.is_exe_upper_layer = true and proc.is_exe_from_memfd = false", &in_exec, 1);
	T("bulwark.exec.layer = upper and bulwark.exec.filename = /bin/bash", &in_exec, 1);
	T("user.loginuid = -1", &in_exec, 1);
	/* no accessor: no ancestry */
	in_exec.procs = NULL;
	T("proc.pname exists", &in_exec, 0);
	T("proc.aname[0] = bash", &in_exec, 1);
}

static void test_priority_when(void)
{
	struct rules *rs;

	make_open(3);
	rs = load("- rule: M\n  desc: d\n  condition: evt.type = openat\n  output: o\n  priority: warning\n"
		  "  priority_when:\n    - condition: fd.name startswith /usr\n      priority: error\n"
		  "    - condition: fd.name startswith /etc\n      priority: critical\n");
	if (rs) {
		CHECK_INT(rules__eval(rs, &in_open, NULL, NULL), 1);
		CHECK_INT(rules__priority(rs, rules__rule(rs, 0), &in_open), RULE_PRIO_CRITICAL);
		CHECK_INT(rule_priority(rules__rule(rs, 0)), RULE_PRIO_WARNING);
	}
	CHECK(rs != NULL, "did not load");
	rules__free(rs);
}

static void add_prefix(void *ctx, const char *p)
{
	struct strbuf *sb = ctx;

	strbuf_addf(sb, "%s;", p);
}

static void test_read_prefixes(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct rules *rs;

	rs = load("- list: keys\n  items: [/root/.ssh, /etc/ssh/ssh_host_rsa_key]\n"
		  "- rule: A\n  desc: d\n  condition: evt.type = openat and (fd.name = /etc/shadow or fd.name pmatch (keys)"
		  " or fd.name glob \"/home/*/.ssh/*\" or fd.directory startswith /var/lib/kubelet)\n  output: o\n  priority: info\n"
		  "- rule: B\n  desc: d\n  condition: evt.type = execve and proc.exepath = /tmp/x\n  output: o\n  priority: info\n");
	if (rs)
		rules__read_prefixes(rs, add_prefix, &sb);
	CHECK_STR(sb.buf, "/etc/shadow;/root/.ssh;/etc/ssh/ssh_host_rsa_key;/home/;/var/lib/kubelet;");
	strbuf_reset(&sb);
	rules__free(rs);
	/* a condition that holds only for writes names no read-only open; its reading sibling does */
	rs = load("- rule: W\n  desc: d\n  condition: (evt.type = openat and evt.is_open_write = true and fd.name pmatch (/etc/passwd))"
		  " or (evt.type = openat and fd.name = /etc/gshadow)\n  output: o\n  priority: info\n");
	if (rs)
		rules__read_prefixes(rs, add_prefix, &sb);
	CHECK_STR(sb.buf, "/etc/gshadow;");
	strbuf_free(&sb);
	rules__free(rs);
}

/* ---- evt.type names ------------------------------------------------------------------------------------- */

/* Every syscall the sensor reports has an evt.type under exactly one event kind. */
static void test_syscall_kinds(void)
{
	unsigned int s, k;

	for (s = 1; s < BW_SYS_MAX; s++) {
		const char *name = event_syscall_name(s);
		int found = 0;

		CHECK(name != NULL, "syscall %u has no name", s);
		for (k = 1; name && k < RULES_KIND_MAX; k++) {
			const char *const *t = kind_evt_types(k);
			size_t i;

			for (i = 0; t[i]; i++)
				found += strcmp(t[i], name) == 0;
		}
		CHECK(found == 1, "syscall %s is listed under %d event kinds", name ? name : "?", found);
	}
	for (k = 1; k < RULES_KIND_MAX; k++)
		CHECK(kind_evt_types(k)[0] != NULL, "kind %s has no evt.type", rules_kind_name(k));
	CHECK_STR(rules_kind_name(RULES_EV_CONTAINER), "container");
	CHECK_STR(rules_evt_type(NULL), "container");
}

/* Records without a syscall get their kind's name. */
static void test_evt_type_names(void)
{
	static const struct {
		unsigned int type;
		const char *name;
	} cases[] = {
		{ BW_EV_FORK, "clone" }, { BW_EV_EXIT, "procexit" }, { BW_EV_CGROUP_MKDIR, "cgroup_mkdir" },
		{ BW_EV_CGROUP_ATTACH, "cgroup_attach" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rec r;
		struct rule_input in;
		char c[64];

		rec_init(&r, cases[i].type, BW_SYS_NONE);
		in = (struct rule_input){ .ev = rec_done(&r) };
		CHECK_STR(rules_evt_type(in.ev), cases[i].name);
		snprintf(c, sizeof(c), "evt.type = %s", cases[i].name);
		T(c, &in, 1);
	}
}

/* ---- Falco's fields and value forms (issue 14) ------------------------------------------------ */

static void test_falco_fields(void)
{
	struct rules *rs;
	struct rec r;
	struct bw_open *o;
	struct bw_exec *e;
	struct rule_input in;

	/* never_true is evt.num=0: every event has a number from 1 */
	make_open(3);
	T("evt.type = openat and evt.num = 0", &in_open, 0);
	T("evt.type = openat and evt.num > 0", &in_open, 1);
	/* evt.res is Falco's text for text operators, the number for the others */
	make_open(-ENOENT);
	T("evt.type = openat and evt.res startswith E", &in_open, 1);
	T("evt.type = openat and evt.res = ENOENT", &in_open, 1);
	T("evt.type = openat and evt.res contains NOENT", &in_open, 1);
	T("evt.type = openat and evt.res < 0", &in_open, 1);
	make_open(3);
	T("evt.type = openat and evt.res startswith E", &in_open, 0);
	T("evt.type = openat and evt.res startswith SUCC", &in_open, 1);
	T("evt.type = openat and evt.res = SUCCESS", &in_open, 1);
	/* evt.arg.mode by flag names; evt.is_open_exec from O_CREAT and an x bit */
	o = (void *)rec_init(&r, BW_EV_OPEN, BW_SYS_OPENAT);
	o->open_flags = O_WRONLY | O_CREAT;
	o->open_mode = 04755;
	o->ev.res = 3;
	rec_str(&r, &o->upath, "x");
	in = (struct rule_input){ .ev = rec_done(&r) };
	T("evt.type = openat and evt.arg.mode contains S_ISUID", &in, 1);
	T("evt.type = openat and evt.arg.mode contains S_ISGID", &in, 0);
	T("evt.type = openat and evt.arg.mode = 2541", &in, 1);
	T("evt.type = openat and evt.is_open_exec = true", &in, 1);
	T("evt.type = openat and evt.arg.name = x and fd.nameraw = x", &in, 1);
	/* network: fd.net with CIDR values, fd.connected */
	make_connect();
	T("evt.type = connect and fd.net = 10.0.0.0/8 and fd.ip = 10.1.2.3 and fd.port = 4444", &in_conn, 1);
	T("evt.type = connect and fd.snet = 192.168.0.0/16", &in_conn, 0);
	T("evt.type = connect and fd.connected = true", &in_conn, 1);
	/* exec: capabilities by name, login name */
	make_exec();
	e = (void *)r_exec.buf;
	e->cap_effective = (1ull << 21) | (1ull << 16);
	T("evt.type = execve and thread.cap_effective icontains sys_admin", &in_exec, 1);
	T("evt.type = execve and thread.cap_effective contains CAP_SYS_MODULE", &in_exec, 1);
	T("evt.type = execve and thread.cap_effective contains CAP_NET_RAW", &in_exec, 0);
	T("evt.type = execve and user.loginname = \"\"", &in_exec, 1);
	/* exec: permitted capabilities, working directory, environment (space-separated), pid in its namespace */
	e->cap_permitted = 1ull << 17;
	T("evt.type = execve and thread.cap_permitted contains CAP_SYS_RAWIO", &in_exec, 1);
	T("evt.type = execve and thread.cap_permitted contains CAP_SYS_ADMIN", &in_exec, 0);
	e->vpid = 1;
	T("evt.type = execve and proc.vpid = 1", &in_exec, 1);
	rec_str(&r_exec, &e->cwd, "/dev/shm/x");
	rec_strn(&r_exec, &e->env, "HOME=/root\0GLIBC_TUNABLES=glibc.malloc=1", 40);
	in_exec.ev = rec_done(&r_exec);
	T("evt.type = execve and proc.cwd startswith \"/dev/shm/\"", &in_exec, 1);
	T("evt.type = execve and proc.cwd = /dev/shm", &in_exec, 0);
	T("evt.type = execve and proc.env icontains glibc_tunables", &in_exec, 1);
	T("evt.type = execve and proc.env = \"HOME=/root GLIBC_TUNABLES=glibc.malloc=1\"", &in_exec, 1);
	T("evt.type = execve and proc.env contains HTTP_PROXY", &in_exec, 0);
	/* session and group leaders: the ancestor with that pid (p_self 100, nginx 50, bash 10) */
	e->ev.proc.pid = 100;
	e->sid = 10;
	e->pgid = 50;
	T("evt.type = execve and proc.sname = bash and proc.vpgid.name = nginx", &in_exec, 1);
	T("evt.type = execve and proc.vpgid.exe = \"nginx: worker process\"", &in_exec, 1);
	T("evt.type = execve and proc.is_vpgid_leader = true", &in_exec, 0);
	e->pgid = 100;
	T("evt.type = execve and proc.is_vpgid_leader = true and proc.vpgid.name = bash", &in_exec, 1);
	e->sid = 4242; /* not among the ancestors: absent */
	T("evt.type = execve and proc.sname exists", &in_exec, 0);
	/* the kernel reads the environment only for a ruleset that can use proc.env (an enabled rule that can fire) */
	rs = load("- rule: A\n  desc: d\n  condition: evt.type = execve\n  output: 'e=%proc.env'\n  priority: info\n"
		  "- rule: B\n  desc: d\n  condition: evt.type = execve and proc.env contains X\n  output: o\n  priority: info\n"
		  "  enabled: false\n");
	CHECK(rs && rules__uses_field(rs, "proc.env"), "a rule printing proc.env uses it");
	CHECK(rs && !rules__uses_field(rs, "proc.cwd"), "no rule uses proc.cwd");
	rules__free(rs);
	rs = load("- rule: B\n  desc: d\n  condition: evt.type = execve and proc.env contains X\n  output: o\n  priority: info\n"
		  "  enabled: false\n- rule: C\n  desc: d\n  condition: evt.type = openat and proc.env contains X\n"
		  "  output: o\n  priority: info\n");
	CHECK(rs && !rules__uses_field(rs, "proc.env"), "a disabled rule or one that cannot fire needs no environment");
	rules__free(rs);
	/* group.name from the group file beside the passwd file (gid 0 is root) */
	make_open(3);
	T("evt.type = openat and group.name = root", &in_open, 1);
	/* a field without data loads and is absent: comparisons false, their negation true */
	make_open(3);
	T("evt.type = openat and fd.sip.name = example.com", &in_open, 0);
	T("evt.type = openat and not fd.sip.name = example.com", &in_open, 1);
	T("evt.type = openat and proc.cwd exists", &in_open, 0);
	T("evt.type = openat and container.mount.dest[/proc*] = /proc", &in_open, 0);
	/* list items written '"x"' lose their inner quotes, as in Falco */
	rs = load("- list: l\n  items: ['\"cat\"', \"'dog'\"]\n"
		  "- rule: R\n  desc: d\n  condition: evt.type = openat and proc.name in (l)\n  output: o\n  priority: info\n");
	CHECK_STR(fired(rs, &in_open), "R");
	rules__free(rs);
	/* a condition on the text form and an output of the field: output_fields has evt.res once */
	rs = load("- rule: R\n  desc: d\n  condition: evt.type = openat and evt.res startswith E\n"
		  "  output: 'r=%evt.res'\n  priority: info\n");
	if (rs) {
		const struct rule *r = rules__rule(rs, 0);
		size_t i, n = 0;

		for (i = 0; i < r->nfields; i++)
			n += strcmp(r->fields[i].name, "evt.res") == 0;
		CHECK_INT(n, 1);
	}
	CHECK(rs != NULL, "evt.res text form did not load");
	rules__free(rs);
	/* dotted field names in outputs: the longest field name wins; %field next to text */
	rs = load("- rule: R\n  desc: d\n  condition: evt.type = openat\n"
		  "  output: 'a=%fd.rip.name b=%proc.name:x c=(%fd.name) d=%evt.res'\n  priority: info\n");
	if (rs) {
		struct strbuf sb = STRBUF_INIT;

		rules__render_output(rs, &sb, rules__rule(rs, 0), &in_open);
		CHECK_STR(sb.buf, "a=<NA> b=cat:x c=(/etc/shadow) d=3");
		strbuf_free(&sb);
	}
	CHECK(rs != NULL, "dotted output did not load");
	rules__free(rs);
}

int main(void)
{
	rules_set_passwd_path("/etc/passwd");
	RUN(test_equality);
	RUN(test_numeric);
	RUN(test_strings);
	RUN(test_sets);
	RUN(test_exists_and_absent);
	RUN(test_ip_bool_list);
	RUN(test_precedence);
	RUN(test_macros_lists);
	RUN(test_override_list);
	RUN(test_override_macro_rule);
	RUN(test_enabled);
	RUN(test_exceptions);
	RUN(test_exception_expiry);
	RUN(test_exception_append);
	RUN(test_output_render);
	RUN(test_alert_json);
	RUN(test_kind_index);
	RUN(test_ancestry);
	RUN(test_priority_when);
	RUN(test_read_prefixes);
	RUN(test_syscall_kinds);
	RUN(test_evt_type_names);
	RUN(test_falco_fields);
	return check_summary();
}
