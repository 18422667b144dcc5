// SPDX-License-Identifier: Apache-2.0
/*
 * The field table: docs/fields.md is what the table generates, every field
 * the issue names exists with Falco's name, and every extractor runs (under
 * ASan in the sanitizer build) on an empty and on a full record of every
 * kind it claims, and is absent on every kind it does not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "util.h"
#include "rules/internal.h"
#include "rules/rules.h"

static void test_docs_current(void)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = 0;
	char *doc = util_read_file("docs/fields.md", 1 << 20, &len);

	rules_fields_markdown(&sb);
	CHECK(doc != NULL, "docs/fields.md is missing");
	CHECK(doc && len == sb.len && memcmp(doc, sb.buf, len) == 0,
	      "docs/fields.md is stale: regenerate with build/bulwark rules fields --markdown > docs/fields.md");
	free(doc);
	strbuf_free(&sb);
}

static void test_names(void)
{
	static const char *const required[] = {
		"evt.type", "evt.time", "evt.res", "evt.failed", "evt.arg.flags", "proc.pid", "proc.ppid", "proc.name",
		"proc.exe", "proc.exepath", "proc.cmdline", "proc.args", "proc.pname", "proc.pexepath", "proc.aname",
		"proc.apid", "proc.tty", "proc.is_exe_upper_layer", "proc.is_exe_from_memfd", "user.uid", "user.name",
		"fd.name", "fd.directory", "fd.filename", "fd.sip", "fd.sport", "fd.dip", "fd.dport", "fd.l4proto",
		"fd.typechar", "container.id", "container.full_id", "container.name", "container.image",
		"container.image.repository", "container.image.tag", "container.privileged", "k8s.pod.name",
		"k8s.ns.name", "k8s.pod.uid", "bulwark.event", "bulwark.fs.type", "bulwark.fs.magic",
		"bulwark.file.layer", "bulwark.exec.umh", "bulwark.exec.filename", "bulwark.exec.layer",
		"bulwark.mount.source", "bulwark.mount.target", "bulwark.mount.fs", "bulwark.mount.flags",
		"bulwark.ns.type", "bulwark.ns.flags", "bulwark.net.family", "bulwark.net.path", "bulwark.cgroup.path",
		"bulwark.cgroup.hierarchy", "bulwark.ptrace.request", "bulwark.bpf.prog_name", "bulwark.module.args",
		"bulwark.memfd.name", "bulwark.container.risks", "bulwark.container.cap_add",
		"bulwark.container.sensitive_mounts", "bulwark.proc.ns.mnt", NULL,
	};
	size_t i, j;

	for (i = 0; required[i]; i++)
		CHECK(fields_lookup(required[i], strlen(required[i])) >= 0, "no field %s", required[i]);
	for (i = 0; i < fields_count; i++) {
		const struct field *f = &fields_table[i];

		/* a Falco field without data yet says so; every other field names the events that have it */
		CHECK(f->desc && *f->desc && f->get && f->type < FT_MAX, "field %s incomplete", f->name);
		CHECK(f->kinds || strncmp(f->desc, "No data on bulwark yet", 22) == 0, "field %s: no events, not documented as such",
		      f->name);
		CHECK(!(f->flags & FF_STRTWIN) || (i + 1 < fields_count && (fields_table[i + 1].flags & FF_HIDDEN) &&
						   fields_table[i + 1].type == FT_STR &&
						   strcmp(fields_table[i + 1].name, f->name) == 0),
		      "%s: its text form must follow it", f->name);
		CHECK(!(f->flags & FF_INDEX_ANY) || (f->flags & FF_INDEX), "%s: any-ancestor without index", f->name);
		CHECK(!(f->kinds & 1), "%s: claims kind 0", f->name);
		for (j = 0; j < i && !(f->flags & FF_HIDDEN); j++)
			CHECK(strcmp(fields_table[j].name, f->name) != 0, "field %s twice", f->name);
	}
}

/* A record of @type: fixed part only (absent strings) or with every string descriptor filled. */
struct rec {
	_Alignas(8) unsigned char buf[BW_RECORD_MAX];
	struct event_view v;
};

/*
 * Every 4-byte slot after the common prefix gets a string descriptor to its
 * own "/x/y": the real descriptors point at valid strings, the other slots
 * become arbitrary numbers, which the extractors must survive too.
 */
static void fill_strings(struct rec *r, size_t *len, unsigned int type)
{
	static const char text[] = "/x/y";
	size_t off;

	for (off = sizeof(struct bw_event); off + sizeof(struct bw_str) <= event_fixed_size(type); off += 4) {
		struct bw_str s = { (uint16_t)*len, sizeof(text) - 1 };

		memcpy(r->buf + off, &s, sizeof(s));
		memcpy(r->buf + *len, text, sizeof(text));
		*len += sizeof(text);
	}
}

static bool make(struct rec *r, unsigned int type, bool full)
{
	struct bw_event *ev = (void *)r->buf;
	size_t len = event_fixed_size(type);

	memset(r->buf, 0, sizeof(r->buf));
	ev->hdr.type = type;
	ev->hdr.version = BW_ABI_VERSION;
	ev->proc.pid = 7;
	if (full) {
		ev->hdr.ktime = 10;
		ev->proc.start_time = 5;
		memcpy(ev->proc.comm, "0123456789abcdef", 16); /* a full comm, no NUL inside */
		fill_strings(r, &len, type);
	}
	ev->hdr.size = len;
	return event_decode(r->buf, len, &r->v, NULL, NULL) == 0;
}

static void run_all_fields(const struct rule_input *in, unsigned int kind, struct xctx *x)
{
	size_t f;
	static uint32_t epoch;

	xctx_begin(x, in, ++epoch);
	for (f = 0; f < fields_count; f++) {
		const struct field *fd = &fields_table[f];
		struct fval v;
		bool ok;
		int idx = fd->flags & FF_INDEX ? 1 : -1;

		ok = field_get(x, f, idx, &v);
		if (!(fd->kinds & KIND_BIT(kind)))
			CHECK(!ok, "%s present on %s events", fd->name, rules_kind_name(kind));
		if (ok && (v.type == FT_STR))
			CHECK(v.s.p[v.s.len] == '\0', "%s: value not NUL-terminated", fd->name);
		if (ok) {
			struct strbuf sb = STRBUF_INIT;

			fval_render(&sb, &v, f);
			fval_json(&sb, &v);
			strbuf_free(&sb);
		}
	}
}

static void test_extractors(void)
{
	static struct rec r;
	struct xctx *x = calloc(1, sizeof(*x));
	struct container_info *c = calloc(1, sizeof(*c));
	static const char args[] = "a\0b";
	struct proc_info pi = { .pid = 7, .exe = "/bin/a", .args = args, .args_len = sizeof(args) - 1, .cgroup = "/c" };
	unsigned int t;
	int full;

	if (!x || !c)
		goto out;
	x->cache_epoch = calloc(fields_count, sizeof(*x->cache_epoch));
	x->cache_ok = calloc(fields_count, sizeof(*x->cache_ok));
	x->cache = calloc(fields_count, sizeof(*x->cache));
	if (!x->cache_epoch || !x->cache_ok || !x->cache)
		goto out;
	/* container_info with every array full (no NUL) to catch reads past them */
	memset(c, 'z', sizeof(*c));
	c->ident.runtime = RUNTIME_DOCKER;
	c->metadata_known = true;
	c->risks = ~0u;
	for (full = 0; full < 2; full++) {
		for (t = 1; t < BW_EV_MAX; t++) {
			struct rule_input in = { .proc = full ? &pi : NULL, .container = full ? c : NULL, .time_ns = 1 };

			if (!make(&r, t, full)) {
				CHECK(0, "cannot build a %s record", event_type_name(t));
				continue;
			}
			in.ev = &r.v;
			run_all_fields(&in, t, x);
		}
		{
			struct rule_input in = { .proc = full ? &pi : NULL, .container = c, .time_ns = 1 };

			run_all_fields(&in, RULES_EV_CONTAINER, x);
		}
	}
out:
	if (x) {
		free(x->cache_epoch);
		free(x->cache_ok);
		free(x->cache);
	}
	free(x);
	free(c);
}

/* A path as the kernel reached it: the start directory joined, then ".", ".." and "//" resolved. */
static void test_path_join(void)
{
	static const struct {
		const char *dir, *path, *want;
	} cases[] = {
		{ "/tmp", "../etc/./shadow", "/etc/shadow" },
		{ "/etc", "shadow", "/etc/shadow" },
		{ "", "/etc/../etc//shadow", "/etc/shadow" },
		{ "/tmp/x", "/etc/shadow", "/etc/shadow" }, /* absolute: the directory is not used */
		{ "/", "../../../etc/shadow", "/etc/shadow" }, /* nothing above the root */
		{ "/etc/shadow", "", "/etc/shadow" },          /* linkat(fd, "", AT_EMPTY_PATH) */
		{ "/a/b/", "./c/../d/", "/a/b/d" },
		{ "/", ".", "/" },
	};
	char out[64];
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = rules_path_join(out, sizeof(out), cases[i].dir, strlen(cases[i].dir), cases[i].path,
				    strlen(cases[i].path));
		CHECK_STR(out, cases[i].want);
		CHECK_INT(n, strlen(cases[i].want));
	}
	/* a component that does not fit is dropped, the result stays a path */
	n = rules_path_join(out, 8, "/", 1, "abcdef/ghijkl", 13);
	CHECK_STR(out, "/abcdef");
}

int main(void)
{
	RUN(test_docs_current);
	RUN(test_names);
	RUN(test_extractors);
	RUN(test_path_join);
	return check_summary();
}
