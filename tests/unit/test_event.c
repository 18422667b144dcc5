// SPDX-License-Identifier: Apache-2.0
/*
 * event_decode against records laid out byte by byte from abi.h, the way the
 * BPF side writes them: a fixed struct, then a string area that struct bw_str
 * descriptors point into. Every record is decoded from a heap copy of exactly
 * its size, so that under ASan any read past the end is a failure too.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "event.h"

/* ---- record builder ------------------------------------------------------ */

struct rec {
	_Alignas(8) unsigned char buf[BW_RECORD_MAX + 64];
	size_t fixed; /* end of the fixed part: strings go after it */
	size_t len;   /* bytes written so far (the record size) */
};

static void rec_init(struct rec *r, unsigned int type, size_t fixed)
{
	struct bw_hdr h = { .type = type, .version = BW_ABI_VERSION };

	memset(r->buf, 0, sizeof(r->buf));
	memcpy(r->buf, &h, sizeof(h));
	r->fixed = r->len = fixed;
}

static void rec_put(struct rec *r, size_t off, const void *p, size_t n)
{
	memcpy(r->buf + off, p, n);
}

static void rec_set_desc(struct rec *r, size_t field, uint16_t off, uint16_t len)
{
	struct bw_str s = { .off = off, .len = len };

	rec_put(r, field, &s, sizeof(s));
}

static struct bw_str rec_get_desc(const struct rec *r, size_t field)
{
	struct bw_str s;

	memcpy(&s, r->buf + field, sizeof(s));
	return s;
}

/* Appends n bytes and their NUL to the string area and points the descriptor at @field to them. */
static void rec_strn(struct rec *r, size_t field, const char *s, size_t n)
{
	memcpy(r->buf + r->len, s, n);
	r->buf[r->len + n] = '\0';
	rec_set_desc(r, field, (uint16_t)r->len, (uint16_t)n);
	r->len += n + 1;
}

static void rec_str(struct rec *r, size_t field, const char *s)
{
	rec_strn(r, field, s, strlen(s));
}

/* Stores the current length in the header; returns it. */
static size_t rec_finish(struct rec *r)
{
	uint32_t size = (uint32_t)r->len;

	rec_put(r, offsetof(struct bw_hdr, size), &size, sizeof(size));
	return r->len;
}

static void rec_set_u16(struct rec *r, size_t off, uint16_t v)
{
	rec_put(r, off, &v, sizeof(v));
}

static void rec_set_u32(struct rec *r, size_t off, uint32_t v)
{
	rec_put(r, off, &v, sizeof(v));
}

/* ---- decoding helpers ---------------------------------------------------- */

static uint64_t counts[EVENT_BAD_MAX];

/*
 * Decodes a heap copy of the first @size bytes of @data; on success the view
 * is checked to point at that copy, which is returned in *copy (caller frees).
 */
static int decode_copy(const void *data, size_t size, struct event_view *v, enum event_malformed *why,
		       unsigned char **copy)
{
	unsigned char *p = malloc(size ? size : 1);
	int err;

	memcpy(p, data, size);
	err = event_decode(p, size, v, why, counts);
	if (err == 0)
		CHECK(v->ev == (const void *)p && v->size == size, "view does not describe the record");
	if (copy)
		*copy = p;
	else
		free(p);
	return err;
}

/* The record must be rejected for exactly @want, counted once under that reason and no other. */
#define EXPECT_BAD(data, size, want)                                                                 \
	do {                                                                                         \
		uint64_t before_[EVENT_BAD_MAX];                                                     \
		enum event_malformed why_ = EVENT_BAD_MAX;                                           \
		struct event_view v_ = { 0 };                                                        \
		int r_, i_;                                                                          \
		memcpy(before_, counts, sizeof(counts));                                             \
		r_ = decode_copy((data), (size), &v_, &why_, NULL);                                  \
		CHECK(r_ == -EINVAL, "decode returned %d, want -EINVAL", r_);                        \
		CHECK(why_ == (want), "why = %s, want %s", event_malformed_name(why_),                \
		      event_malformed_name(want));                                                   \
		CHECK(v_.ev == NULL, "view filled for a rejected record");                           \
		for (i_ = 0; i_ < EVENT_BAD_MAX; i_++)                                               \
			CHECK(counts[i_] == before_[i_] + (i_ == (int)(want)),                       \
			      "count[%s] = %llu, was %llu", event_malformed_name(i_),                 \
			      (unsigned long long)counts[i_], (unsigned long long)before_[i_]);      \
	} while (0)

/* Accepted, nothing counted. */
static void expect_ok(const struct rec *r, size_t size, struct event_view *v, unsigned char **copy)
{
	uint64_t before[EVENT_BAD_MAX];
	enum event_malformed why = EVENT_BAD_MAX;
	int err;

	memcpy(before, counts, sizeof(counts));
	err = decode_copy(r->buf, size, v, &why, copy);
	CHECK(err == 0, "decode rejected a valid record: %s", event_malformed_name(why));
	CHECK(why == EVENT_BAD_MAX, "why written on success");
	CHECK(memcmp(before, counts, sizeof(counts)) == 0, "a valid record was counted as malformed");
}

#define CHECK_SV(sv, want)                                                                          \
	do {                                                                                        \
		struct str_view s_ = (sv);                                                          \
		const char *w_ = (want);                                                            \
		CHECK(s_.p && s_.len == strlen(w_) && memcmp(s_.p, w_, s_.len) == 0 && s_.p[s_.len] == '\0', \
		      "got \"%.*s\" (%zu), want \"%s\"", (int)s_.len, s_.p ? s_.p : "", s_.len, w_); \
	} while (0)

/* ---- what abi.h says, independently of event.c's own table --------------- */

#define MAX_TEST_STRS 10

struct type_layout {
	unsigned int type;
	const char *name;
	size_t fixed;
	size_t strs[MAX_TEST_STRS]; /* offsets of every struct bw_str; 0 ends */
};

#define FILE_DESCS(base) (base) + offsetof(struct bw_file, path), (base) + offsetof(struct bw_file, name), \
			 (base) + offsetof(struct bw_file, fs)
#define MOUNT_DESCS offsetof(struct bw_mount, source), offsetof(struct bw_mount, target), \
		    offsetof(struct bw_mount, fs)

#define PATHOP_DESCS offsetof(struct bw_pathop, oldpath), offsetof(struct bw_pathop, newpath), \
		     offsetof(struct bw_pathop, olddir), offsetof(struct bw_pathop, newdir)

static const struct type_layout layouts[] = {
	{ BW_EV_EXEC, "exec", sizeof(struct bw_exec),
	  { offsetof(struct bw_exec, filename), offsetof(struct bw_exec, exe), offsetof(struct bw_exec, args),
	    offsetof(struct bw_exec, cgroup), offsetof(struct bw_exec, tty), offsetof(struct bw_exec, exe_fs),
	    offsetof(struct bw_exec, script), offsetof(struct bw_exec, cwd), offsetof(struct bw_exec, env) } },
	{ BW_EV_FORK, "fork", sizeof(struct bw_fork), { 0 } },
	{ BW_EV_EXIT, "exit", sizeof(struct bw_exit), { 0 } },
	{ BW_EV_OPEN, "open", sizeof(struct bw_open),
	  { offsetof(struct bw_open, upath), FILE_DESCS(offsetof(struct bw_open, file)) } },
	{ BW_EV_CHMOD, "chmod", sizeof(struct bw_chmod),
	  { offsetof(struct bw_chmod, upath), FILE_DESCS(offsetof(struct bw_chmod, file)) } },
	{ BW_EV_CGROUP_MKDIR, "cgroup_mkdir", sizeof(struct bw_cgroup),
	  { offsetof(struct bw_cgroup, path), offsetof(struct bw_cgroup, hierarchy) } },
	{ BW_EV_CGROUP_ATTACH, "cgroup_attach", sizeof(struct bw_cgroup),
	  { offsetof(struct bw_cgroup, path), offsetof(struct bw_cgroup, hierarchy) } },
	{ BW_EV_MOUNT, "mount", sizeof(struct bw_mount), { MOUNT_DESCS } },
	{ BW_EV_UMOUNT, "umount", sizeof(struct bw_mount), { MOUNT_DESCS } },
	{ BW_EV_PIVOT_ROOT, "pivot_root", sizeof(struct bw_mount), { MOUNT_DESCS } },
	{ BW_EV_CHROOT, "chroot", sizeof(struct bw_mount), { MOUNT_DESCS } },
	{ BW_EV_UNSHARE, "unshare", sizeof(struct bw_ns), { offsetof(struct bw_ns, ns_type), offsetof(struct bw_ns, fd_fs) } },
	{ BW_EV_SETNS, "setns", sizeof(struct bw_ns), { offsetof(struct bw_ns, ns_type), offsetof(struct bw_ns, fd_fs) } },
	{ BW_EV_CONNECT, "connect", sizeof(struct bw_net), { offsetof(struct bw_net, path) } },
	{ BW_EV_BIND, "bind", sizeof(struct bw_net), { offsetof(struct bw_net, path) } },
	{ BW_EV_LISTEN, "listen", sizeof(struct bw_net), { offsetof(struct bw_net, path) } },
	{ BW_EV_PTRACE, "ptrace", sizeof(struct bw_ptrace), { 0 } },
	{ BW_EV_MODULE_LOAD, "module_load", sizeof(struct bw_module),
	  { offsetof(struct bw_module, uargs), FILE_DESCS(offsetof(struct bw_module, file)) } },
	{ BW_EV_BPF_LOAD, "bpf_load", sizeof(struct bw_bpf), { offsetof(struct bw_bpf, prog_name) } },
	{ BW_EV_MEMFD_CREATE, "memfd_create", sizeof(struct bw_memfd), { offsetof(struct bw_memfd, name) } },
	{ BW_EV_SETUID, "setuid", sizeof(struct bw_setid), { 0 } },
	{ BW_EV_PROCESS_VM, "process_vm", sizeof(struct bw_process_vm), { 0 } },
	{ BW_EV_PROC_MEM, "proc_mem", sizeof(struct bw_proc_mem), { 0 } },
	{ BW_EV_MEM_EXEC, "mem_exec", sizeof(struct bw_mem_exec), { 0 } },
	{ BW_EV_SOCKET, "socket", sizeof(struct bw_socket), { 0 } },
	{ BW_EV_EXEC_FAILED, "exec_failed", sizeof(struct bw_exec_failed),
	  { offsetof(struct bw_exec_failed, filename), offsetof(struct bw_exec_failed, cwd) } },
	{ BW_EV_LINK, "link", sizeof(struct bw_pathop), { PATHOP_DESCS } },
	{ BW_EV_SYMLINK, "symlink", sizeof(struct bw_pathop), { PATHOP_DESCS } },
	{ BW_EV_RENAME, "rename", sizeof(struct bw_pathop), { PATHOP_DESCS } },
	{ BW_EV_UNLINK, "unlink", sizeof(struct bw_pathop), { PATHOP_DESCS } },
	{ BW_EV_MKDIR, "mkdir", sizeof(struct bw_pathop), { PATHOP_DESCS } },
	{ BW_EV_DUP, "dup", sizeof(struct bw_dup), { offsetof(struct bw_dup, net.path) } },
	{ BW_EV_USERFAULTFD, "userfaultfd", sizeof(struct bw_userfaultfd), { 0 } },
	{ BW_EV_FILE_MAP, "file_map", sizeof(struct bw_file_map), { FILE_DESCS(offsetof(struct bw_file_map, file)) } },
};
#define N_LAYOUTS (sizeof(layouts) / sizeof(layouts[0]))

_Static_assert(N_LAYOUTS == BW_EV_MAX - 1, "a type was added to abi.h: describe it in layouts[]");

/* ---- valid records ------------------------------------------------------- */

static void test_accepts_exec(void)
{
	static const char args[] = "/bin/sh\0-c\0echo hi"; /* NUL-separated, the last NUL is the terminator */
	struct rec r;
	struct event_view v;
	unsigned char *copy;
	const struct bw_exec *e;
	size_t size;

	rec_init(&r, BW_EV_EXEC, sizeof(struct bw_exec));
	rec_set_u32(&r, offsetof(struct bw_exec, ev.proc.pid), 4242);
	rec_set_u32(&r, offsetof(struct bw_exec, argc), 3);
	rec_str(&r, offsetof(struct bw_exec, filename), "/bin/sh");
	rec_str(&r, offsetof(struct bw_exec, exe), "/usr/bin/dash");
	rec_strn(&r, offsetof(struct bw_exec, args), args, sizeof(args) - 1);
	rec_str(&r, offsetof(struct bw_exec, cgroup), "/system.slice/docker-abc.scope");
	/* tty left absent ({0,0}); exe_fs present */
	rec_str(&r, offsetof(struct bw_exec, exe_fs), "overlay");
	size = rec_finish(&r);

	expect_ok(&r, size, &v, &copy);
	if (!v.ev) {
		free(copy);
		return;
	}
	e = (const void *)v.ev;
	CHECK_INT(v.ev->hdr.type, BW_EV_EXEC);
	CHECK_INT(v.ev->proc.pid, 4242);
	CHECK_INT(e->argc, 3);
	CHECK_SV(event_str(&v, e->filename), "/bin/sh");
	CHECK_SV(event_str(&v, e->exe), "/usr/bin/dash");
	CHECK_SV(event_str(&v, e->cgroup), "/system.slice/docker-abc.scope");
	CHECK_SV(event_str(&v, e->exe_fs), "overlay");
	CHECK_SV(event_str(&v, e->tty), "");
	/* args keep their inner NULs: length from the descriptor, not strlen */
	CHECK_INT(event_str(&v, e->args).len, sizeof(args) - 1);
	CHECK(memcmp(event_str(&v, e->args).p, args, sizeof(args)) == 0, "args bytes differ");
	free(copy);
}

static void test_accepts_open(void)
{
	struct rec r;
	struct event_view v;
	unsigned char *copy;
	const struct bw_open *o;
	size_t size;

	rec_init(&r, BW_EV_OPEN, sizeof(struct bw_open));
	rec_set_u16(&r, offsetof(struct bw_open, ev.syscall), BW_SYS_OPENAT);
	rec_set_u32(&r, offsetof(struct bw_open, open_flags), 0101);
	rec_str(&r, offsetof(struct bw_open, upath), "../etc/passwd");
	rec_str(&r, offsetof(struct bw_open, file.path), "/etc/passwd");
	rec_str(&r, offsetof(struct bw_open, file.name), "passwd");
	rec_str(&r, offsetof(struct bw_open, file.fs), "ext4");
	size = rec_finish(&r);

	expect_ok(&r, size, &v, &copy);
	if (!v.ev) {
		free(copy);
		return;
	}
	o = (const void *)v.ev;
	CHECK_INT(o->ev.syscall, BW_SYS_OPENAT);
	CHECK_INT(o->open_flags, 0101);
	CHECK_SV(event_str(&v, o->upath), "../etc/passwd");
	CHECK_SV(event_str(&v, o->file.path), "/etc/passwd");
	CHECK_SV(event_str(&v, o->file.name), "passwd");
	CHECK_SV(event_str(&v, o->file.fs), "ext4");
	free(copy);
}

static void test_accepts_net(void)
{
	struct rec r;
	struct event_view v;
	unsigned char *copy;
	const struct bw_net *n;
	size_t size;

	rec_init(&r, BW_EV_CONNECT, sizeof(struct bw_net));
	rec_set_u16(&r, offsetof(struct bw_net, family), 1 /* AF_UNIX */);
	rec_str(&r, offsetof(struct bw_net, path), "@abstract");
	size = rec_finish(&r);
	expect_ok(&r, size, &v, &copy);
	if (v.ev) {
		n = (const void *)v.ev;
		CHECK_INT(n->family, 1);
		CHECK_SV(event_str(&v, n->path), "@abstract");
	}
	free(copy);

	/* a listen record without any string: the fixed part alone */
	rec_init(&r, BW_EV_LISTEN, sizeof(struct bw_net));
	rec_set_u32(&r, offsetof(struct bw_net, backlog), 128);
	size = rec_finish(&r);
	CHECK_INT(size, sizeof(struct bw_net));
	expect_ok(&r, size, &v, &copy);
	if (v.ev)
		CHECK_SV(event_str(&v, ((const struct bw_net *)v.ev)->path), "");
	free(copy);
}

static void test_accepts_mount(void)
{
	struct rec r;
	struct event_view v;
	unsigned char *copy;
	const struct bw_mount *m;
	size_t size;

	rec_init(&r, BW_EV_MOUNT, sizeof(struct bw_mount));
	rec_str(&r, offsetof(struct bw_mount, source), "/dev/sda1");
	rec_str(&r, offsetof(struct bw_mount, target), "/mnt/host");
	rec_str(&r, offsetof(struct bw_mount, fs), "ext4");
	size = rec_finish(&r);
	expect_ok(&r, size, &v, &copy);
	if (v.ev) {
		m = (const void *)v.ev;
		CHECK_SV(event_str(&v, m->source), "/dev/sda1");
		CHECK_SV(event_str(&v, m->target), "/mnt/host");
		CHECK_SV(event_str(&v, m->fs), "ext4");
	}
	free(copy);
}

static void test_accepts_setid(void)
{
	struct rec r;
	struct event_view v;
	unsigned char *copy;
	size_t size;

	rec_init(&r, BW_EV_SETUID, sizeof(struct bw_setid));
	rec_set_u32(&r, offsetof(struct bw_setid, id[0]), 0);
	rec_set_u32(&r, offsetof(struct bw_setid, id[1]), 0xffffffffu);
	size = rec_finish(&r);
	expect_ok(&r, size, &v, &copy);
	if (v.ev)
		CHECK_INT(((const struct bw_setid *)v.ev)->id[1], 0xffffffffu);
	free(copy);
}

/* A present but empty string (len 0, off at its NUL, as bw_put_kstr writes it) is valid. */
static void test_accepts_empty_present_string(void)
{
	struct rec r;
	struct event_view v;
	unsigned char *copy;
	size_t size;

	rec_init(&r, BW_EV_MEMFD_CREATE, sizeof(struct bw_memfd));
	rec_str(&r, offsetof(struct bw_memfd, name), "");
	CHECK_INT(rec_get_desc(&r, offsetof(struct bw_memfd, name)).off, sizeof(struct bw_memfd));
	size = rec_finish(&r);
	expect_ok(&r, size, &v, &copy);
	if (v.ev)
		CHECK_SV(event_str(&v, ((const struct bw_memfd *)v.ev)->name), "");
	free(copy);
}

/* Every type at exactly its fixed size is valid; one byte less is truncated. */
static void test_fixed_size_per_type(void)
{
	size_t i;

	for (i = 0; i < N_LAYOUTS; i++) {
		const struct type_layout *l = &layouts[i];
		struct rec r;
		struct event_view v;
		size_t size;

		CHECK(event_fixed_size(l->type) == l->fixed, "%s: fixed size %zu, abi.h says %zu", l->name,
		      event_fixed_size(l->type), l->fixed);
		rec_init(&r, l->type, l->fixed);
		size = rec_finish(&r);
		expect_ok(&r, size, &v, NULL);

		rec_init(&r, l->type, l->fixed - 1);
		size = rec_finish(&r);
		EXPECT_BAD(r.buf, size, EVENT_BAD_FIXED);
	}
	CHECK_INT(event_fixed_size(BW_EV_NONE), 0);
	CHECK_INT(event_fixed_size(BW_EV_MAX), 0);
}

/* The largest record allowed, with padding after the strings, is valid. */
static void test_accepts_record_max(void)
{
	struct rec r;
	struct event_view v;
	size_t size;

	rec_init(&r, BW_EV_OPEN, sizeof(struct bw_open));
	rec_str(&r, offsetof(struct bw_open, upath), "/x");
	r.len = BW_RECORD_MAX;
	size = rec_finish(&r);
	expect_ok(&r, size, &v, NULL);
}

/* NULL why and counts are allowed. */
static void test_null_out_params(void)
{
	struct rec r;
	struct event_view v;
	unsigned char hdr_only[8] = { 0 };
	size_t size;

	rec_init(&r, BW_EV_FORK, sizeof(struct bw_fork));
	size = rec_finish(&r);
	CHECK_INT(event_decode(r.buf, size, &v, NULL, NULL), 0);
	CHECK_INT(event_decode(hdr_only, sizeof(hdr_only), &v, NULL, NULL), -EINVAL);
}

/* ---- rejected records ---------------------------------------------------- */

static void test_rejects_short(void)
{
	struct rec r;
	size_t n;

	rec_init(&r, BW_EV_FORK, sizeof(struct bw_fork));
	rec_finish(&r);
	for (n = 0; n < sizeof(struct bw_hdr); n++)
		EXPECT_BAD(r.buf, n, EVENT_BAD_SHORT);
}

static void test_rejects_size(void)
{
	struct rec r;
	size_t size;
	unsigned char *big;

	rec_init(&r, BW_EV_FORK, sizeof(struct bw_fork));
	size = rec_finish(&r);
	/* the header claims one byte more, then one byte less, than the buffer holds */
	rec_set_u32(&r, offsetof(struct bw_hdr, size), size + 1);
	EXPECT_BAD(r.buf, size, EVENT_BAD_SIZE);
	rec_set_u32(&r, offsetof(struct bw_hdr, size), size - 1);
	EXPECT_BAD(r.buf, size, EVENT_BAD_SIZE);
	/* the buffer holds more than the header says (two records run together) */
	rec_set_u32(&r, offsetof(struct bw_hdr, size), size);
	EXPECT_BAD(r.buf, size + 8, EVENT_BAD_SIZE);

	/* consistent header and buffer, but over the bound */
	big = calloc(1, BW_RECORD_MAX + 8);
	rec_init(&r, BW_EV_FORK, sizeof(struct bw_fork));
	rec_set_u32(&r, offsetof(struct bw_hdr, size), BW_RECORD_MAX + 1);
	memcpy(big, r.buf, sizeof(struct bw_fork));
	EXPECT_BAD(big, BW_RECORD_MAX + 1, EVENT_BAD_SIZE);
	{
		uint32_t s = BW_RECORD_MAX + 8;

		memcpy(big + offsetof(struct bw_hdr, size), &s, sizeof(s));
		EXPECT_BAD(big, BW_RECORD_MAX + 8, EVENT_BAD_SIZE);
	}
	free(big);
}

static void test_rejects_version(void)
{
	static const uint16_t bad[] = { 0, BW_ABI_VERSION + 1, 0xffff };
	struct rec r;
	size_t size, i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rec_init(&r, BW_EV_EXIT, sizeof(struct bw_exit));
		rec_set_u16(&r, offsetof(struct bw_hdr, version), bad[i]);
		size = rec_finish(&r);
		EXPECT_BAD(r.buf, size, EVENT_BAD_VERSION);
	}
}

static void test_rejects_type(void)
{
	static const uint16_t bad[] = { BW_EV_NONE, BW_EV_MAX, BW_EV_MAX + 1, 0xffff };
	struct rec r;
	size_t size, i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* large enough for any type, so only the type can be wrong */
		rec_init(&r, bad[i], 512);
		size = rec_finish(&r);
		EXPECT_BAD(r.buf, size, EVENT_BAD_TYPE);
	}
}

/* An exec record cut inside its fixed part, with a header that matches the cut. */
static void test_rejects_truncated_fixed(void)
{
	struct rec r;
	size_t size;

	rec_init(&r, BW_EV_EXEC, sizeof(struct bw_exec));
	rec_str(&r, offsetof(struct bw_exec, filename), "/bin/true");
	rec_finish(&r);
	size = offsetof(struct bw_exec, args); /* cut through the string descriptors */
	rec_set_u32(&r, offsetof(struct bw_hdr, size), size);
	EXPECT_BAD(r.buf, size, EVENT_BAD_FIXED);
	size = sizeof(struct bw_hdr); /* the header alone */
	rec_set_u32(&r, offsetof(struct bw_hdr, size), size);
	EXPECT_BAD(r.buf, size, EVENT_BAD_FIXED);
}

/* A valid open record to corrupt. */
static size_t valid_open(struct rec *r)
{
	rec_init(r, BW_EV_OPEN, sizeof(struct bw_open));
	rec_str(r, offsetof(struct bw_open, upath), "/etc/shadow");
	rec_str(r, offsetof(struct bw_open, file.path), "/etc/shadow");
	rec_str(r, offsetof(struct bw_open, file.name), "shadow");
	rec_str(r, offsetof(struct bw_open, file.fs), "ext4");
	return rec_finish(r);
}

static void test_rejects_string_past_end(void)
{
	const size_t f = offsetof(struct bw_open, file.fs); /* the last string: "ext4\0" ends the record */
	struct rec r;
	struct bw_str s;
	size_t size;

	size = valid_open(&r);
	s = rec_get_desc(&r, f);
	CHECK_INT(s.off + s.len + 1, size);
	/* one longer: the NUL would be the byte just past the record */
	rec_set_desc(&r, f, s.off, s.len + 1);
	EXPECT_BAD(r.buf, size, EVENT_BAD_STRING);
	/* far past the end */
	rec_set_desc(&r, f, s.off, 1000);
	EXPECT_BAD(r.buf, size, EVENT_BAD_STRING);
	/* offset itself past the end */
	rec_set_desc(&r, f, size + 4, 0);
	EXPECT_BAD(r.buf, size, EVENT_BAD_STRING);
	/* the largest descriptor: no wrap-around in off + len */
	rec_set_desc(&r, f, 0xffff, 0xffff);
	EXPECT_BAD(r.buf, size, EVENT_BAD_STRING);
	/* control: the original descriptor is fine */
	rec_set_desc(&r, f, s.off, s.len);
	{
		struct event_view v;

		expect_ok(&r, size, &v, NULL);
	}
}

static void test_rejects_string_without_nul(void)
{
	const size_t f = offsetof(struct bw_open, file.name);
	struct rec r;
	struct bw_str s;
	size_t size;

	size = valid_open(&r);
	s = rec_get_desc(&r, f);
	r.buf[s.off + s.len] = 'X'; /* "shadowX" runs into the next string */
	EXPECT_BAD(r.buf, size, EVENT_BAD_STRING);

	/* a shorter length whose end byte is inside the string */
	size = valid_open(&r);
	rec_set_desc(&r, f, s.off, s.len - 2);
	EXPECT_BAD(r.buf, size, EVENT_BAD_STRING);

	/* the record's very last byte is not a NUL */
	size = valid_open(&r);
	r.buf[size - 1] = 'Z';
	EXPECT_BAD(r.buf, size, EVENT_BAD_STRING);
}

static void test_rejects_string_in_fixed_part(void)
{
	const size_t f = offsetof(struct bw_open, upath);
	/* proc.comm is all zero: a descriptor there has its NUL in place, only its offset is wrong */
	const uint16_t off = offsetof(struct bw_open, ev.proc.comm), len = 3;
	struct rec r;
	size_t size;

	size = valid_open(&r);
	CHECK_INT(r.buf[off + len], 0);
	rec_set_desc(&r, f, off, len);
	EXPECT_BAD(r.buf, size, EVENT_BAD_STRING);
	/* pointing at another descriptor or the header */
	rec_set_desc(&r, f, 1, 0);
	CHECK_INT(r.buf[1], 0);
	EXPECT_BAD(r.buf, size, EVENT_BAD_STRING);
	/* the last byte of the fixed part (a zero pad) is still fixed, not string area */
	rec_set_desc(&r, f, sizeof(struct bw_open) - 1, 0);
	CHECK_INT(r.buf[sizeof(struct bw_open) - 1], 0);
	EXPECT_BAD(r.buf, size, EVENT_BAD_STRING);
}

/* Each descriptor of each type is checked: one bad descriptor among good ones is enough. */
static void test_rejects_each_descriptor(void)
{
	size_t i, j, k;

	for (i = 0; i < N_LAYOUTS; i++) {
		const struct type_layout *l = &layouts[i];

		for (j = 0; j < MAX_TEST_STRS && l->strs[j]; j++) {
			struct rec r;
			size_t size;

			rec_init(&r, l->type, l->fixed);
			for (k = 0; k < MAX_TEST_STRS && l->strs[k]; k++)
				rec_str(&r, l->strs[k], "ok");
			size = rec_finish(&r);
			rec_set_desc(&r, l->strs[j], (uint16_t)(size - 1), 1);
			EXPECT_BAD(r.buf, size, EVENT_BAD_STRING);
		}
	}
}

/* The order of the checks: the first failing one is what is counted. */
static void test_reason_precedence(void)
{
	struct rec r;
	size_t size;

	/* bad version and bad type: version is checked first */
	rec_init(&r, 0, sizeof(struct bw_exec));
	rec_set_u16(&r, offsetof(struct bw_hdr, version), 7);
	size = rec_finish(&r);
	EXPECT_BAD(r.buf, size, EVENT_BAD_VERSION);
	/* bad size and bad version: size first */
	rec_set_u32(&r, offsetof(struct bw_hdr, size), size + 1);
	EXPECT_BAD(r.buf, size, EVENT_BAD_SIZE);
}

/* ---- names --------------------------------------------------------------- */

static void test_type_names(void)
{
	size_t i;

	for (i = 0; i < N_LAYOUTS; i++) {
		const char *name = event_type_name(layouts[i].type);

		CHECK_STR(name, layouts[i].name);
		CHECK(event_type_from_name(layouts[i].name) == (int)layouts[i].type, "%s does not map back to %u",
		      layouts[i].name, layouts[i].type);
	}
	CHECK(event_type_name(BW_EV_NONE) == NULL, "type 0 has a name");
	CHECK(event_type_name(BW_EV_MAX) == NULL, "BW_EV_MAX has a name");
	CHECK(event_type_name(0xffff) == NULL, "0xffff has a name");
	CHECK_INT(event_type_from_name(""), -1);
	CHECK_INT(event_type_from_name("none"), -1);
	CHECK_INT(event_type_from_name("EXEC"), -1);
	CHECK_INT(event_type_from_name("exe"), -1);
	CHECK_INT(event_type_from_name("execve"), -1);
}

static void test_syscall_names(void)
{
	static const char *const want[BW_SYS_MAX] = {
		[BW_SYS_EXECVE] = "execve", [BW_SYS_EXECVEAT] = "execveat", [BW_SYS_OPEN] = "open",
		[BW_SYS_OPENAT] = "openat", [BW_SYS_OPENAT2] = "openat2", [BW_SYS_CREAT] = "creat",
		[BW_SYS_CHMOD] = "chmod", [BW_SYS_FCHMOD] = "fchmod", [BW_SYS_FCHMODAT] = "fchmodat",
		[BW_SYS_FCHMODAT2] = "fchmodat2", [BW_SYS_MOUNT] = "mount", [BW_SYS_UMOUNT2] = "umount2",
		[BW_SYS_FSOPEN] = "fsopen", [BW_SYS_FSCONFIG] = "fsconfig", [BW_SYS_FSMOUNT] = "fsmount",
		[BW_SYS_MOVE_MOUNT] = "move_mount", [BW_SYS_OPEN_TREE] = "open_tree",
		[BW_SYS_PIVOT_ROOT] = "pivot_root", [BW_SYS_CHROOT] = "chroot", [BW_SYS_UNSHARE] = "unshare",
		[BW_SYS_SETNS] = "setns", [BW_SYS_CONNECT] = "connect", [BW_SYS_BIND] = "bind",
		[BW_SYS_LISTEN] = "listen", [BW_SYS_PTRACE] = "ptrace", [BW_SYS_INIT_MODULE] = "init_module",
		[BW_SYS_FINIT_MODULE] = "finit_module", [BW_SYS_BPF] = "bpf", [BW_SYS_MEMFD_CREATE] = "memfd_create",
		[BW_SYS_SETUID] = "setuid", [BW_SYS_SETGID] = "setgid", [BW_SYS_SETREUID] = "setreuid",
		[BW_SYS_SETREGID] = "setregid", [BW_SYS_SETRESUID] = "setresuid", [BW_SYS_SETRESGID] = "setresgid",
		[BW_SYS_SETFSUID] = "setfsuid", [BW_SYS_SETFSGID] = "setfsgid",
		[BW_SYS_PROCESS_VM_READV] = "process_vm_readv", [BW_SYS_PROCESS_VM_WRITEV] = "process_vm_writev",
		[BW_SYS_MPROTECT] = "mprotect", [BW_SYS_MMAP] = "mmap", [BW_SYS_SOCKET] = "socket",
		[BW_SYS_OPEN_BY_HANDLE_AT] = "open_by_handle_at", [BW_SYS_LINK] = "link", [BW_SYS_LINKAT] = "linkat",
		[BW_SYS_SYMLINK] = "symlink", [BW_SYS_SYMLINKAT] = "symlinkat", [BW_SYS_RENAME] = "rename",
		[BW_SYS_RENAMEAT] = "renameat", [BW_SYS_RENAMEAT2] = "renameat2", [BW_SYS_UNLINK] = "unlink",
		[BW_SYS_UNLINKAT] = "unlinkat", [BW_SYS_MKDIR] = "mkdir", [BW_SYS_MKDIRAT] = "mkdirat",
		[BW_SYS_DUP] = "dup", [BW_SYS_DUP2] = "dup2",
		[BW_SYS_DUP3] = "dup3", [BW_SYS_USERFAULTFD] = "userfaultfd",
	};
	unsigned int s;

	for (s = 1; s < BW_SYS_MAX; s++) {
		CHECK(want[s] != NULL, "syscall %u missing from the test's table", s);
		if (want[s])
			CHECK_STR(event_syscall_name(s), want[s]);
	}
	CHECK(event_syscall_name(BW_SYS_NONE) == NULL, "BW_SYS_NONE has a name");
	CHECK(event_syscall_name(BW_SYS_MAX) == NULL, "BW_SYS_MAX has a name");
	CHECK(event_syscall_name(0xffff) == NULL, "0xffff has a name");
}

static void test_malformed_names(void)
{
	CHECK_STR(event_malformed_name(EVENT_BAD_SHORT), "short");
	CHECK_STR(event_malformed_name(EVENT_BAD_SIZE), "size");
	CHECK_STR(event_malformed_name(EVENT_BAD_VERSION), "version");
	CHECK_STR(event_malformed_name(EVENT_BAD_TYPE), "type");
	CHECK_STR(event_malformed_name(EVENT_BAD_FIXED), "fixed_size");
	CHECK_STR(event_malformed_name(EVENT_BAD_STRING), "string");
	CHECK_STR(event_malformed_name(EVENT_BAD_MAX), "unknown");
}

int main(void)
{
	RUN(test_accepts_exec);
	RUN(test_accepts_open);
	RUN(test_accepts_net);
	RUN(test_accepts_mount);
	RUN(test_accepts_setid);
	RUN(test_accepts_empty_present_string);
	RUN(test_fixed_size_per_type);
	RUN(test_accepts_record_max);
	RUN(test_null_out_params);
	RUN(test_rejects_short);
	RUN(test_rejects_size);
	RUN(test_rejects_version);
	RUN(test_rejects_type);
	RUN(test_rejects_truncated_fixed);
	RUN(test_rejects_string_past_end);
	RUN(test_rejects_string_without_nul);
	RUN(test_rejects_string_in_fixed_part);
	RUN(test_rejects_each_descriptor);
	RUN(test_reason_precedence);
	RUN(test_type_names);
	RUN(test_syscall_names);
	RUN(test_malformed_names);
	return check_summary();
}
