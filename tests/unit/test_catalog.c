// SPDX-License-Identifier: Apache-2.0
/*
 * The event catalogue: every event type, with every field set, encodes to a
 * `bulwark trace` line (event_json) and decodes back through replay to the
 * same record (fixed part byte for byte, strings by content: only where the
 * string area puts them may differ). Values are derived from the catalogue
 * itself, so a field added to it is covered without touching this test.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "catalog.h"
#include "check.h"
#include "util.h"
#include "event.h"
#include "event_json.h"
#include "replay.h"

#define BOOT_TO_REAL 1700000000000000000LL /* any fixed offset: time = ktime + this */

struct rec {
	unsigned char buf[BW_RECORD_MAX];
	size_t len;
};

static void put_str(struct rec *r, size_t off, const char *s, size_t n)
{
	struct bw_str d = { (uint16_t)r->len, (uint16_t)n };

	memcpy(r->buf + r->len, s, n);
	r->buf[r->len + n] = '\0';
	r->len += n + 1;
	memcpy(r->buf + off, &d, sizeof(d));
}

static void set_int(struct rec *r, size_t off, unsigned int width, uint64_t v)
{
	uint32_t v32 = v;
	uint16_t v16 = v;

	if (width == 2)
		memcpy(r->buf + off, &v16, 2);
	else if (width == 4)
		memcpy(r->buf + off, &v32, 4);
	else
		memcpy(r->buf + off, &v, 8);
}

/* A value for every field (what an absent key decodes to where the field is not printed). */
static void fill(struct rec *r, const struct cat_field *fields, size_t n, size_t base, unsigned int *seed)
{
	size_t i, nfile;
	const struct cat_field *ff = catalog_file_fields(&nfile);

	for (i = 0; i < n; i++) {
		struct cat_field f = fields[i];
		char s[32];
		unsigned int k = ++*seed;

		f.off += base;
		if (f.when && !f.when((const struct bw_event *)r->buf)) {
			if (f.kind == CAT_INT || f.kind == CAT_UINT)
				set_int(r, f.off, f.width, f.def);
			continue;
		}
		switch (f.kind) {
		case CAT_UINT:
			set_int(r, f.off, f.width, f.width == 2 ? 40000 + k : f.width == 8 ? (1ULL << 40) + k : 3000000000u + k);
			break;
		case CAT_INT:
			set_int(r, f.off, f.width, (uint64_t)(int64_t)-(int)(k + 2));
			break;
		case CAT_BOOL:
			set_int(r, f.off, f.width, 1);
			break;
		case CAT_BIT:
		case CAT_ENUM: {
			uint64_t v = f.kind == CAT_BIT ? f.aux : ((const struct cat_name *)f.table)[k % 2].value;

			set_int(r, f.off, f.width, cat_get_uint(r->buf, &f) | v);
			break;
		}
		case CAT_FLAGS: {
			const struct cat_flags *fl = f.table;

			set_int(r, f.off, f.width, (fl->names[0].name ? fl->names[0].bit : 0) | 0x40000000u);
			break;
		}
		case CAT_HEX:
			set_int(r, f.off, 8, 0x1fffeffffffULL);
			break;
		case CAT_ID:
			for (unsigned int j = 0; j < f.width; j++)
				set_int(r, f.off + 4 * j, 4, j == 1 ? 0xffffffffu : 1000 + k + j);
			break;
		case CAT_STR:
			snprintf(s, sizeof(s), "%s-%u", f.key, k);
			/* within the field's bound (a longer one comes back cut, as it should) */
			put_str(r, f.off, s, strlen(s) < f.aux ? strlen(s) : f.aux - 1);
			break;
		case CAT_ARGV:
			put_str(r, f.off, "/bin/sh\0-c\0echo hi", 18);
			break;
		case CAT_FILE:
			fill(r, ff, nfile, f.off, seed);
			break;
		case CAT_CUSTOM:
		case CAT_KIND_MAX:
			break; /* set by the record's own shape (net family and address) or derived */
		}
	}
}

/* The record of @type for @syscall (and, for sockets, @family), every field set. */
static void build(struct rec *r, unsigned int type, unsigned int syscall, uint16_t family)
{
	const struct cat_type *t = catalog_type(type);
	struct bw_event *ev = (void *)r->buf;
	unsigned int seed = type * 100;

	memset(r, 0, sizeof(*r));
	r->len = t->size;
	ev->hdr.type = type;
	ev->hdr.version = BW_ABI_VERSION;
	ev->hdr.ktime = 123456789012ULL;
	ev->res = -13;
	ev->syscall = syscall;
	ev->flags = BW_F_TRUNC_STR | BW_F_TRUNC_PATH | BW_F_TRUNC_ARGS;
	ev->proc = (struct bw_proc){ .pid = 4242, .tid = 4243, .ppid = 1, .uid = 1000, .euid = 0, .gid = 1001, .egid = 0,
				     .start_time = 1988884490109ULL, .parent_start_time = 1000, .cgroup_id = 77,
				     .mnt_ns = 4026531832u, .pid_ns = 4026531836u, .net_ns = 4026531833u,
				     .user_ns = 4026531837u, .comm = "catalog-test" };
	if (family) {
		struct bw_net *n = (void *)ev;

		n->family = family;
		if (family == AF_INET)
			memcpy(n->addr, "\x0a\x00\x00\x01", 4);
		else if (family == AF_INET6)
			memcpy(n->addr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	}
	fill(r, t->fields, t->nfields, 0, &seed);
	ev->hdr.size = r->len;
}

/* Fixed parts equal once string descriptors are blanked; strings equal by content. */
static void compare(const struct rec *a, const unsigned char *b, const char *what)
{
	const struct bw_event *ea = (const void *)a->buf, *eb = (const void *)b;
	size_t offs[CATALOG_MAX_STRS], n = catalog_str_offsets(ea->hdr.type, offs, CATALOG_MAX_STRS), fixed = event_fixed_size(ea->hdr.type), i;
	unsigned char fa[BW_RECORD_MAX], fb[BW_RECORD_MAX];

	memcpy(fa, a->buf, fixed);
	memcpy(fb, b, fixed);
	for (i = 0; i < n; i++) {
		struct bw_str sa, sb;

		memcpy(&sa, a->buf + offs[i], sizeof(sa));
		memcpy(&sb, b + offs[i], sizeof(sb));
		CHECK(sa.len == sb.len && memcmp(a->buf + sa.off, b + sb.off, sa.len) == 0,
		      "%s: string at offset %zu: \"%.*s\" came back as \"%.*s\"", what, offs[i], sa.len,
		      (const char *)a->buf + sa.off, sb.len, (const char *)b + sb.off);
		memset(fa + offs[i], 0, sizeof(sa));
		memset(fb + offs[i], 0, sizeof(sb));
	}
	memset(fa + offsetof(struct bw_hdr, size), 0, 4);
	memset(fb + offsetof(struct bw_hdr, size), 0, 4);
	for (i = 0; i < fixed; i++)
		if (fa[i] != fb[i]) {
			CHECK(fa[i] == fb[i], "%s: fixed byte %zu is 0x%02x, came back 0x%02x", what, i, fa[i], fb[i]);
			break;
		}
	CHECK(eb->hdr.size >= fixed, "%s: decoded size %u", what, eb->hdr.size);
}

static void round_trip(unsigned int type, unsigned int syscall, uint16_t family)
{
	static unsigned char back[BW_RECORD_MAX];
	struct strbuf sb = STRBUF_INIT;
	struct event_context ctx = { 0 };
	struct proc_info pi = { 0 };
	struct event_view v;
	struct rec *r = calloc(1, sizeof(*r));
	char what[96], err[256];
	int rc;

	build(r, type, syscall, family);
	snprintf(what, sizeof(what), "%s/%s/family %u", event_type_name(type),
		 event_syscall_name(syscall) ? event_syscall_name(syscall) : "-", family);
	rc = event_decode(r->buf, r->len, &v, NULL, NULL);
	CHECK(rc == 0, "%s: the built record is invalid", what);
	if (rc == 0) {
		if (type == BW_EV_EXEC) {
			/* as the pipeline does: the exec's process is what the record says */
			const struct bw_exec *e = (const void *)r->buf;

			pi.exe = event_str(&v, e->exe).p;
			pi.args = event_str(&v, e->args).p;
			pi.args_len = e->args.len;
			pi.cgroup = event_str(&v, e->cgroup).p;
			ctx.proc = &pi;
		}
		event_json(&sb, &v, &ctx, BOOT_TO_REAL);
		rc = replay_record(sb.buf, sb.len, BOOT_TO_REAL, back, err, sizeof(err));
		CHECK(rc > 0, "%s: replay refused %s: %s", what, sb.buf, err);
		if (rc > 0)
			compare(r, back, what);
	}
	strbuf_free(&sb);
	free(r);
}

static void test_every_type_round_trips(void)
{
	static const uint16_t families[] = { AF_INET, AF_INET6, AF_UNIX, 16 /* AF_NETLINK */ };
	unsigned int type, sys, i, done = 0;

	for (type = 1; type < BW_EV_MAX; type++) {
		bool net = type == BW_EV_CONNECT || type == BW_EV_BIND || type == BW_EV_LISTEN;
		bool any = false;

		for (sys = 1; sys < BW_SYS_MAX; sys++) {
			const char *const *names = catalog_evt_types(type);

			for (; *names; names++)
				if (strcmp(*names, event_syscall_name(sys)) == 0)
					break;
			if (!*names)
				continue;
			any = true;
			for (i = 0; i < (net ? 4 : 1); i++, done++)
				round_trip(type, sys, net ? families[i] : 0);
		}
		if (!any) {
			round_trip(type, BW_SYS_NONE, 0);
			done++;
		}
	}
	CHECK(done >= BW_SYS_MAX - 1, "only %u round trips", done);
}

/* Every type has a catalogue entry whose size is its struct's and whose object key is set. */
static void test_every_type_described(void)
{
	unsigned int t;

	for (t = 1; t < BW_EV_MAX; t++) {
		const struct cat_type *ct = catalog_type(t);

		CHECK(ct && ct->obj && ct->nfields, "type %u (%s) is not in the catalogue", t, event_type_name(t));
		CHECK(catalog_evt_types(t)[0] != NULL, "type %s has no evt.type name", event_type_name(t));
		CHECK(catalog_str_offsets(t, NULL, 0) <= CATALOG_MAX_STRS, "type %s has more strings than the decoder checks",
		      event_type_name(t));
	}
	CHECK(catalog_type(BW_EV_NONE) == NULL, "BW_EV_NONE described");
	CHECK(catalog_type(BW_EV_MAX) == NULL, "BW_EV_MAX described");
	CHECK_INT(catalog_ring(BW_EV_EXEC), BW_RING_CRITICAL);
	CHECK_INT(catalog_ring(BW_EV_OPEN), BW_RING_COMMON);
}

static void test_flags_render_and_parse(void)
{
	char buf[128];

	catalog_flags_str(buf, sizeof(buf), 0x241, &cat_open_flags);
	CHECK_STR(buf, "O_WRONLY|O_CREAT|O_TRUNC");
	catalog_flags_str(buf, sizeof(buf), 0, &cat_open_flags);
	CHECK_STR(buf, "O_RDONLY");
	catalog_flags_str(buf, sizeof(buf), 0x100 | 0x00020000, &cat_clone_flags);
	CHECK_STR(buf, "CLONE_NEWNS|0x100");
	CHECK_INT(catalog_flags_parse("O_RDONLY|O_CLOEXEC|0x4000000", &cat_open_flags), 02000000 | 0x4000000);
	CHECK_INT(catalog_flags_parse("CLONE_NEWNET|CLONE_NEWUSER", &cat_clone_flags), 0x40000000 | 0x10000000);
	/* truncation keeps the buffer terminated */
	catalog_flags_str(buf, 8, 0x241, &cat_open_flags);
	CHECK_INT(strlen(buf), 7);
}

/* The generated tables of docs/events.md (between catalog markers) match the catalogue. */
static void test_docs_current(void)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = 0, t, markers = 0;
	char *doc = util_read_file("docs/events.md", 1 << 20, &len), tag[64];

	CHECK(doc != NULL, "docs/events.md is missing");
	if (!doc)
		return;
	CHECK_INT(catalog_markdown(&sb, doc, len), 0);
	CHECK(len == sb.len && memcmp(doc, sb.buf, len) == 0,
	      "docs/events.md is stale: regenerate with build/bulwark trace --events-markdown < docs/events.md");
	/* every type has its section */
	for (t = 1; t < BW_EV_MAX; t++) {
		snprintf(tag, sizeof(tag), "<!-- catalog:%s -->", event_type_name(t));
		markers += strstr(doc, tag) != NULL;
		CHECK(strstr(doc, tag) != NULL, "docs/events.md has no %s marker", tag);
	}
	CHECK_INT(markers, BW_EV_MAX - 1);
	/* an unknown or unterminated marker is refused */
	strbuf_reset(&sb);
	{
		static const char unknown[] = "<!-- catalog:nope -->\n<!-- /catalog:nope -->\n",
				  open_only[] = "<!-- catalog:exec -->\n", quoted[] = "see `<!-- catalog:x -->`\n";

		CHECK_INT(catalog_markdown(&sb, unknown, strlen(unknown)), -EINVAL);
		CHECK_INT(catalog_markdown(&sb, open_only, strlen(open_only)), -EINVAL);
		strbuf_reset(&sb);
		CHECK_INT(catalog_markdown(&sb, quoted, strlen(quoted)), 0);
		CHECK_STR(sb.buf, quoted);
	}
	free(doc);
	strbuf_free(&sb);
}

int main(void)
{
	RUN(test_every_type_described);
	RUN(test_every_type_round_trips);
	RUN(test_flags_render_and_parse);
	RUN(test_docs_current);
	return check_summary();
}
