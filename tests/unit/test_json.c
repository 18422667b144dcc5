// SPDX-License-Identifier: Apache-2.0
/*
 * The JSON writer and the event -> JSON line formatter. Every output is parsed
 * back with jansson, an independent strict parser (it rejects invalid UTF-8
 * and raw control bytes), and compared value by value: a line that a log
 * pipeline cannot parse, or that decodes to something other than what the
 * kernel reported, is a failure.
 */
#include <fcntl.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "event.h"
#include "event_json.h"
#include "jsonw.h"

/* ---- helpers ------------------------------------------------------------- */

static json_t *parse(const char *text, size_t len)
{
	json_error_t err;
	json_t *j = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);

	CHECK(j != NULL, "jansson cannot parse %.*s: %s (col %d)", (int)len, text, err.text, err.column);
	return j;
}

/*
 * jw_strn of n input bytes must produce exactly @raw (when not NULL) and
 * decode to the want_len bytes of @want.
 */
static void check_escape(const char *in, size_t n, const char *raw, const char *want, size_t want_len)
{
	struct strbuf sb = STRBUF_INIT;
	char *copy = malloc(n ? n : 1); /* exact size: ASan sees any read past n */
	json_t *j;

	memcpy(copy, in, n);
	jw_strn(&sb, copy, n);
	free(copy);
	if (raw)
		CHECK(sb.len == strlen(raw) && memcmp(sb.buf, raw, sb.len) == 0, "escaped to %s, want %s", sb.buf, raw);
	CHECK(strlen(sb.buf) == sb.len, "output has a raw NUL");
	j = parse(sb.buf, sb.len);
	if (j) {
		CHECK(json_is_string(j), "not a string: %s", sb.buf);
		CHECK(json_string_length(j) == want_len && memcmp(json_string_value(j), want, want_len) == 0,
		      "%s decodes to \"%s\" (%zu bytes), want %zu bytes", sb.buf, json_string_value(j),
		      json_string_length(j), want_len);
		json_decref(j);
	}
	strbuf_free(&sb);
}

#define ESC(in, raw, want) check_escape((in), sizeof(in) - 1, (raw), (want), sizeof(want) - 1)

/* ---- jw_strn escaping ---------------------------------------------------- */

static void test_escape_plain(void)
{
	ESC("", "\"\"", "");
	ESC("hello world", "\"hello world\"", "hello world");
	ESC("/usr/bin/env", "\"/usr/bin/env\"", "/usr/bin/env"); /* '/' needs no escape */
	ESC("\x7f", "\"\x7f\"", "\x7f");                         /* DEL is legal raw */
	ESC("{}[],:", "\"{}[],:\"", "{}[],:");
}

static void test_escape_quote_backslash(void)
{
	ESC("a\"b", "\"a\\\"b\"", "a\"b");
	ESC("\"", "\"\\\"\"", "\"");
	ESC("a\\b", "\"a\\\\b\"", "a\\b");
	ESC("\\", "\"\\\\\"", "\\");
	/* a string crafted to close the value and inject a key */
	ESC("x\",\"uid\":0,\"y\":\"", "\"x\\\",\\\"uid\\\":0,\\\"y\\\":\\\"\"", "x\",\"uid\":0,\"y\":\"");
	ESC("\\\"", "\"\\\\\\\"\"", "\\\"");
}

static void test_escape_control(void)
{
	ESC("a\nb", "\"a\\nb\"", "a\nb");
	ESC("a\tb", "\"a\\tb\"", "a\tb");
	ESC("a\rb", "\"a\\rb\"", "a\rb");
	ESC("\x01", "\"\\u0001\"", "\x01");
	ESC("\x1f", "\"\\u001f\"", "\x1f");
	ESC("\x1b[31m", "\"\\u001b[31m\"", "\x1b[31m");
	ESC("\b\f", "\"\\u0008\\u000c\"", "\b\f");
	/* an embedded NUL (the length, not strlen, bounds the string) */
	ESC("a\0b", "\"a\\u0000b\"", "a\0b");
}

/* Valid UTF-8 passes through byte for byte. */
static void test_utf8_valid(void)
{
	ESC("caf\xc3\xa9", "\"caf\xc3\xa9\"", "caf\xc3\xa9");                   /* U+00E9 */
	ESC("\xc2\x80", "\"\xc2\x80\"", "\xc2\x80");                             /* U+0080, smallest 2-byte */
	ESC("\xe2\x82\xac", "\"\xe2\x82\xac\"", "\xe2\x82\xac");                 /* U+20AC */
	ESC("\xe0\xa0\x80", "\"\xe0\xa0\x80\"", "\xe0\xa0\x80");                 /* U+0800, smallest 3-byte */
	ESC("\xef\xbf\xbf", "\"\xef\xbf\xbf\"", "\xef\xbf\xbf");                 /* U+FFFF */
	ESC("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"", "\xf0\x9f\x98\x80");     /* U+1F600 */
	ESC("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"", "\xf4\x8f\xbf\xbf");     /* U+10FFFF, the last */
	ESC("\xe6\x97\xa5\xe6\x9c\xac/\"x\"", "\"\xe6\x97\xa5\xe6\x9c\xac/\\\"x\\\"\"",
	    "\xe6\x97\xa5\xe6\x9c\xac/\"x\"");
}

/* Bytes that are not valid UTF-8 become \u00XX (the byte as a Latin-1 code point). */
static void test_utf8_invalid(void)
{
	ESC("\xff", "\"\\u00ff\"", "\xc3\xbf");
	ESC("a\xfe" "b", "\"a\\u00feb\"", "a\xc3\xbe" "b");
	/* overlong '/' */
	ESC("\xc0\xaf", "\"\\u00c0\\u00af\"", "\xc3\x80\xc2\xaf");
	/* overlong 3-byte NUL and 4-byte forms */
	ESC("\xe0\x80\x80", "\"\\u00e0\\u0080\\u0080\"", "\xc3\xa0\xc2\x80\xc2\x80");
	ESC("\xf0\x8f\xbf\xbf", "\"\\u00f0\\u008f\\u00bf\\u00bf\"", "\xc3\xb0\xc2\x8f\xc2\xbf\xc2\xbf");
	/* lone continuation byte */
	ESC("\x80", "\"\\u0080\"", "\xc2\x80");
	ESC("x\xbfy", "\"x\\u00bfy\"", "x\xc2\xbfy");
	/* UTF-16 surrogate halves encoded in UTF-8 (U+D800, U+DFFF) */
	ESC("\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"", "\xc3\xad\xc2\xa0\xc2\x80");
	ESC("\xed\xbf\xbf", "\"\\u00ed\\u00bf\\u00bf\"", "\xc3\xad\xc2\xbf\xc2\xbf");
	/* just past the range: U+110000 */
	ESC("\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\"", "\xc3\xb4\xc2\x90\xc2\x80\xc2\x80");
	/* a lead byte whose continuation is ASCII: the ASCII byte survives */
	ESC("\xc3(", "\"\\u00c3(\"", "\xc3\x83(");
	/* a sequence cut by the end of the string */
	ESC("a\xe2\x82", "\"a\\u00e2\\u0082\"", "a\xc3\xa2\xc2\x82");
	ESC("\xf0\x9f\x98", "\"\\u00f0\\u009f\\u0098\"", "\xc3\xb0\xc2\x9f\xc2\x98");
	/* valid after invalid: resynchronises */
	ESC("\xff\xc3\xa9", "\"\\u00ff\xc3\xa9\"", "\xc3\xbf\xc3\xa9");
}

/* Every single byte value, alone and between ASCII, yields valid JSON with the expected meaning. */
static void test_every_byte(void)
{
	unsigned int b;

	for (b = 0; b < 256; b++) {
		char in[3] = { 'a', (char)b, 'z' };
		char want[4];
		size_t wl = 0;

		want[wl++] = 'a';
		if (b < 0x80) {
			want[wl++] = (char)b;
		} else {
			want[wl++] = (char)(0xc0 | (b >> 6));
			want[wl++] = (char)(0x80 | (b & 0x3f));
		}
		want[wl++] = 'z';
		check_escape(in, sizeof(in), NULL, want, wl);
	}
}

/* Random bytes: whatever the kernel hands over, the output parses. */
static void test_random_bytes_parse(void)
{
	uint32_t x = 0x12345678;
	int round, i;

	for (round = 0; round < 2000; round++) {
		struct strbuf sb = STRBUF_INIT;
		unsigned char buf[64];
		int n;
		json_t *j;

		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		n = x % sizeof(buf);
		for (i = 0; i < n; i++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			/* favour the interesting ranges: controls, quotes, high bytes */
			buf[i] = (x & 3) == 0 ? (unsigned char)(x >> 8) % 0x20 :
				 (x & 3) == 1 ? "\"\\/\n"[(x >> 8) % 4] : (unsigned char)(0x80 | (x >> 8));
		}
		jw_begin_arr(&sb);
		jw_strn(&sb, (const char *)buf, n);
		jw_end_arr(&sb);
		j = parse(sb.buf, sb.len);
		if (!j) {
			strbuf_free(&sb);
			break;
		}
		CHECK(json_array_size(j) == 1 && json_is_string(json_array_get(j, 0)), "round %d", round);
		json_decref(j);
		strbuf_free(&sb);
	}
}

/* ---- structure ----------------------------------------------------------- */

static void test_commas(void)
{
	struct strbuf sb = STRBUF_INIT;
	const char *want = "{\"a\":1,\"b\":\"x\",\"c\":[1,-2,\"s\",true,false,null,{},[]],\"d\":{\"e\":false,\"f\":null},"
			   "\"g\":[{\"h\":0},{\"i\":1}],\"j\":9223372036854775807,\"k\":-9223372036854775808}";
	json_t *j;

	jw_begin(&sb);
	jw_kint(&sb, "a", 1);
	jw_kstr(&sb, "b", "x");
	jw_karr(&sb, "c");
	jw_int(&sb, 1);
	jw_int(&sb, -2);
	jw_str(&sb, "s");
	jw_bool(&sb, true);
	jw_bool(&sb, false);
	jw_null(&sb);
	jw_begin(&sb);
	jw_end(&sb);
	jw_begin_arr(&sb);
	jw_end_arr(&sb);
	jw_end_arr(&sb);
	jw_kobj(&sb, "d");
	jw_kbool(&sb, "e", false);
	jw_key(&sb, "f");
	jw_null(&sb);
	jw_end(&sb);
	jw_karr(&sb, "g");
	jw_begin(&sb);
	jw_kuint(&sb, "h", 0);
	jw_end(&sb);
	jw_begin(&sb);
	jw_kuint(&sb, "i", 1);
	jw_end(&sb);
	jw_end_arr(&sb);
	jw_kuint(&sb, "j", INT64_MAX);
	jw_kint(&sb, "k", INT64_MIN);
	jw_end(&sb);
	CHECK_STR(sb.buf, want);
	j = parse(sb.buf, sb.len);
	if (j) {
		CHECK_INT(json_integer_value(json_object_get(j, "a")), 1);
		CHECK_INT(json_array_size(json_object_get(j, "c")), 8);
		CHECK_INT(json_integer_value(json_object_get(j, "j")), INT64_MAX);
		CHECK_INT(json_integer_value(json_object_get(j, "k")), INT64_MIN);
		json_decref(j);
	}
	/* beyond jansson's integers (int64), so compared as text only */
	strbuf_reset(&sb);
	jw_begin_arr(&sb);
	jw_uint(&sb, UINT64_MAX);
	jw_uint(&sb, 0);
	jw_end_arr(&sb);
	CHECK_STR(sb.buf, "[18446744073709551615,0]");
	strbuf_free(&sb);
}

/* Objects on consecutive lines are separate values: no comma after a newline. */
static void test_lines(void)
{
	struct strbuf sb = STRBUF_INIT;
	int i;

	for (i = 0; i < 3; i++) {
		jw_begin(&sb);
		jw_kint(&sb, "n", i);
		jw_kstrn(&sb, "s", "a\nb", 3);
		jw_end(&sb);
		strbuf_addc(&sb, '\n');
	}
	CHECK_STR(sb.buf, "{\"n\":0,\"s\":\"a\\nb\"}\n{\"n\":1,\"s\":\"a\\nb\"}\n{\"n\":2,\"s\":\"a\\nb\"}\n");
	strbuf_reset(&sb);
	CHECK_INT(sb.len, 0);
	CHECK_STR(sb.buf, "");
	jw_begin(&sb); /* after a reset: no leading comma */
	jw_end(&sb);
	CHECK_STR(sb.buf, "{}");
	strbuf_free(&sb);
	CHECK(sb.buf == NULL && sb.len == 0 && sb.cap == 0, "strbuf_free leaves state");
}

/* Growth well past the initial allocation keeps every byte. */
static void test_strbuf_growth(void)
{
	struct strbuf sb = STRBUF_INIT;
	char *big = malloc(10000);
	json_t *j;
	int i;

	for (i = 0; i < 10000; i++)
		big[i] = (i % 7 == 0) ? '"' : (i % 11 == 0) ? '\xff' : 'a' + i % 26;
	jw_begin_arr(&sb);
	for (i = 0; i < 5; i++)
		jw_strn(&sb, big, 10000);
	strbuf_addf(&sb, ",%d", 12345);
	jw_end_arr(&sb);
	j = parse(sb.buf, sb.len);
	if (j) {
		CHECK_INT(json_array_size(j), 6);
		CHECK_INT(json_integer_value(json_array_get(j, 5)), 12345);
		json_decref(j);
	}
	CHECK(sb.len < sb.cap && sb.buf[sb.len] == '\0', "not NUL-terminated within capacity");
	strbuf_free(&sb);
	free(big);
}

static void test_rfc3339(void)
{
	char buf[64];

	CHECK_INT(fmt_rfc3339(buf, sizeof(buf), 1, 5), 30);
	CHECK_STR(buf, "1970-01-01T00:00:01.000000005Z");
	CHECK_INT(fmt_rfc3339(buf, sizeof(buf), 0, 0), 30);
	CHECK_STR(buf, "1970-01-01T00:00:00.000000000Z");
	fmt_rfc3339(buf, sizeof(buf), 1700000000, 123456789);
	CHECK_STR(buf, "2023-11-14T22:13:20.123456789Z");
	fmt_rfc3339(buf, sizeof(buf), 951782400 + 86399, 999999999); /* leap day, last ns */
	CHECK_STR(buf, "2000-02-29T23:59:59.999999999Z");
	/* exactly enough room (30 characters and the NUL), then one byte short */
	CHECK_INT(fmt_rfc3339(buf, 31, 1, 5), 30);
	CHECK_STR(buf, "1970-01-01T00:00:01.000000005Z");
	CHECK_INT(fmt_rfc3339(buf, 30, 1, 5), 0);
}

/* ---- event_json ---------------------------------------------------------- */

struct rec {
	_Alignas(8) unsigned char buf[4096];
	size_t len;
};

static void rec_init(struct rec *r, unsigned int type, size_t fixed)
{
	struct bw_event *ev = (void *)r->buf;

	memset(r->buf, 0, sizeof(r->buf));
	ev->hdr.type = type;
	ev->hdr.version = BW_ABI_VERSION;
	r->len = fixed;
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

/* Seals the record and runs it through the real decoder, as the tracer does. */
static bool rec_decode(struct rec *r, struct event_view *v)
{
	uint64_t counts[EVENT_BAD_MAX] = { 0 };
	enum event_malformed why;

	((struct bw_event *)r->buf)->hdr.size = r->len;
	if (event_decode(r->buf, r->len, v, &why, counts)) {
		CHECK(0, "test record rejected: %s", event_malformed_name(why));
		return false;
	}
	return true;
}

static void fill_proc(struct bw_event *ev)
{
	ev->hdr.ktime = 1000000005; /* 1.000000005 s after boot */
	ev->proc.pid = 4242;
	ev->proc.tid = 4243;
	ev->proc.ppid = 1;
	ev->proc.uid = 1000;
	ev->proc.euid = 0;
	ev->proc.start_time = 777;
	ev->proc.cgroup_id = 99;
	ev->proc.mnt_ns = 4026531841u;
	memcpy(ev->proc.comm, "sh", 3);
}

/* The line as JSON; also checks it is one line. */
static json_t *format(const struct event_view *v, const struct proc_info *pi, struct strbuf *sb)
{
	struct event_context ec = { .proc = pi };

	strbuf_reset(sb);
	event_json(sb, v, &ec, 0);
	CHECK(strchr(sb->buf, '\n') == NULL, "raw newline in %s", sb->buf);
	return parse(sb->buf, sb->len);
}

/* The value at a dotted path ("file.name"), NULL if absent. */
static json_t *at(json_t *j, const char *path)
{
	char key[64];
	const char *dot;

	while (j && (dot = strchr(path, '.'))) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		j = json_object_get(j, key);
		path = dot + 1;
	}
	return j ? json_object_get(j, path) : NULL;
}

static const char *str_at(json_t *j, const char *path)
{
	return json_string_value(at(j, path)); /* NULL unless a string */
}

static long long int_at(json_t *j, const char *path)
{
	json_t *v = at(j, path);

	CHECK(json_is_integer(v), "%s is not an integer", path);
	return json_integer_value(v);
}

static const char weird_name[] = "we\"ird\n\xff.txt";
static const char weird_name_utf8[] = "we\"ird\n\xc3\xbf.txt"; /* 0xff decodes as U+00FF */

static void test_event_json_open(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct rec r;
	struct bw_open *o = (void *)r.buf;
	struct event_view v;
	json_t *j, *tr;

	rec_init(&r, BW_EV_OPEN, sizeof(*o));
	fill_proc(&o->ev);
	o->ev.syscall = BW_SYS_OPENAT;
	o->ev.res = 3;
	o->ev.flags = BW_F_TRUNC_PATH;
	o->open_flags = O_WRONLY | O_CREAT | O_TRUNC;
	o->open_mode = 0644;
	o->dirfd = -100;
	o->file.layer = BW_LAYER_UPPER;
	o->file.ino = 1234567;
	o->file.fs_magic = 0x794c7630;
	rec_str(&r, &o->upath, "we\"ird");
	rec_str(&r, &o->file.path, "/merged/tmp/we\"ird\n\xff.txt");
	rec_strn(&r, &o->file.name, weird_name, sizeof(weird_name) - 1);
	rec_str(&r, &o->file.fs, "overlay");
	if (!rec_decode(&r, &v))
		return;

	j = format(&v, NULL, &sb);
	if (!j) {
		strbuf_free(&sb);
		return;
	}
	CHECK_STR(str_at(j, "time"), "1970-01-01T00:00:01.000000005Z");
	CHECK_STR(str_at(j, "type"), "open");
	CHECK_STR(str_at(j, "syscall"), "openat");
	CHECK_INT(int_at(j, "res"), 3);
	CHECK_INT(int_at(j, "proc.pid"), 4242);
	CHECK_INT(int_at(j, "proc.tid"), 4243);
	CHECK_INT(int_at(j, "proc.uid"), 1000);
	CHECK_INT(int_at(j, "proc.start_time"), 777);
	CHECK_INT(int_at(j, "proc.ns.mnt"), 4026531841u);
	CHECK_STR(str_at(j, "proc.comm"), "sh");
	/* no process info: the keys are there, empty */
	CHECK_STR(str_at(j, "proc.exe"), "");
	CHECK_STR(str_at(j, "proc.cgroup"), "");
	CHECK(json_is_array(at(j, "proc.args")) && json_array_size(at(j, "proc.args")) == 0, "proc.args not []");
	CHECK_STR(str_at(j, "file.upath"), "we\"ird");
	CHECK_INT(int_at(j, "file.dirfd"), -100);
	CHECK_STR(str_at(j, "file.name"), weird_name_utf8);
	CHECK_STR(str_at(j, "file.path"), "/merged/tmp/we\"ird\n\xc3\xbf.txt");
	CHECK_STR(str_at(j, "file.fs"), "overlay");
	CHECK_STR(str_at(j, "file.flags"), "O_WRONLY|O_CREAT|O_TRUNC");
	CHECK_INT(int_at(j, "file.flags_raw"), O_WRONLY | O_CREAT | O_TRUNC);
	CHECK_INT(int_at(j, "file.mode"), 0644);
	CHECK_INT(int_at(j, "file.ino"), 1234567);
	CHECK_INT(int_at(j, "file.fs_magic"), 0x794c7630);
	CHECK_STR(str_at(j, "file.layer"), "upper");
	tr = at(j, "truncated");
	CHECK(json_is_array(tr) && json_array_size(tr) == 1 && json_is_string(json_array_get(tr, 0)) &&
	      strcmp(json_string_value(json_array_get(tr, 0)), "path") == 0, "truncated is not [\"path\"]");
	json_decref(j);
	strbuf_free(&sb);
}

/* A failed read-only open: absent strings, no layer, no truncation. */
static void test_event_json_open_failed(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct rec r;
	struct bw_open *o = (void *)r.buf;
	struct event_view v;
	json_t *j;

	rec_init(&r, BW_EV_OPEN, sizeof(*o));
	fill_proc(&o->ev);
	o->ev.syscall = BW_SYS_OPEN;
	o->ev.res = -13;
	o->open_flags = O_RDONLY;
	rec_str(&r, &o->upath, "/etc/shadow");
	if (!rec_decode(&r, &v))
		return;
	j = format(&v, NULL, &sb);
	if (j) {
		CHECK_STR(str_at(j, "syscall"), "open");
		CHECK_INT(int_at(j, "res"), -13);
		CHECK_STR(str_at(j, "file.upath"), "/etc/shadow");
		CHECK_STR(str_at(j, "file.path"), "");
		CHECK_STR(str_at(j, "file.name"), "");
		CHECK_STR(str_at(j, "file.flags"), "O_RDONLY");
		CHECK(json_is_null(at(j, "file.layer")), "file.layer is not null");
		CHECK(at(j, "truncated") == NULL, "truncated present without truncation flags");
		json_decref(j);
	}
	strbuf_free(&sb);
}

/* The flags string for a few combinations, and the layer names. */
static void test_event_json_open_flags(void)
{
	static const struct {
		uint32_t flags, layer;
		const char *want, *layer_name;
	} cases[] = {
		{ O_RDONLY | O_CLOEXEC, BW_LAYER_LOWER, "O_RDONLY|O_CLOEXEC", "lower" },
		{ O_RDWR | O_APPEND, BW_LAYER_UPPER, "O_RDWR|O_APPEND", "upper" },
		{ O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0, "O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW", NULL },
		{ O_RDONLY | O_DIRECTORY | O_NONBLOCK, 0, "O_RDONLY|O_NONBLOCK|O_DIRECTORY", NULL },
		{ O_PATH | O_CLOEXEC, 0, "O_RDONLY|O_CLOEXEC|O_PATH", NULL },
		/* O_SYNC includes O_DSYNC's bit: named once */
		{ O_WRONLY | O_SYNC, 0, "O_WRONLY|O_SYNC", NULL },
		{ O_WRONLY | O_DSYNC, 0, "O_WRONLY|O_DSYNC", NULL },
		/* O_TMPFILE includes O_DIRECTORY's bit: named once */
		{ O_RDWR | O_TMPFILE, 0, "O_RDWR|O_TMPFILE", NULL },
		/* the kernel's O_LARGEFILE bit (0100000 on x86; 0 in 64-bit userspace headers) */
		{ O_RDONLY | 0100000, 0, "O_RDONLY|O_LARGEFILE", NULL },
		/* a bit with no name stays visible as hex */
		{ O_WRONLY | 020000 /* O_ASYNC */, 0, "O_WRONLY|0x2000", NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		struct rec r;
		struct bw_open *o = (void *)r.buf;
		struct event_view v;
		json_t *j;

		rec_init(&r, BW_EV_OPEN, sizeof(*o));
		o->ev.syscall = BW_SYS_OPENAT;
		o->open_flags = cases[i].flags;
		o->file.layer = cases[i].layer;
		if (!rec_decode(&r, &v))
			continue;
		j = format(&v, NULL, &sb);
		if (j) {
			CHECK_STR(str_at(j, "file.flags"), cases[i].want);
			if (cases[i].layer_name)
				CHECK_STR(str_at(j, "file.layer"), cases[i].layer_name);
			else
				CHECK(json_is_null(at(j, "file.layer")), "case %zu: layer not null", i);
			json_decref(j);
		}
		strbuf_free(&sb);
	}
}

static void test_event_json_exec(void)
{
	static const char args[] = "a\0b c"; /* argv {"a", "b c"}; the record adds the last NUL */
	struct strbuf sb = STRBUF_INIT;
	struct rec r;
	struct bw_exec *e = (void *)r.buf;
	struct event_view v;
	struct proc_info pi;
	struct str_view exe, a, cg;
	json_t *j, *arr, *tr;

	rec_init(&r, BW_EV_EXEC, sizeof(*e));
	fill_proc(&e->ev);
	e->ev.syscall = BW_SYS_EXECVE;
	e->ev.flags = BW_F_TRUNC_STR | BW_F_TRUNC_ARGS;
	e->argc = 2;
	e->exec_flags = BW_EXEC_UPPER | BW_EXEC_MEMFD;
	e->cap_effective = 0x1ffffffffffull;
	e->loginuid = 0xffffffffu;
	rec_str(&r, &e->filename, "./run me");
	rec_str(&r, &e->exe, "/tmp/run me");
	rec_strn(&r, &e->args, args, sizeof(args) - 1);
	rec_str(&r, &e->cgroup, "/docker/abc");
	rec_str(&r, &e->tty, "pts0");
	rec_str(&r, &e->exe_fs, "overlay");
	if (!rec_decode(&r, &v))
		return;

	/* the process info the tracer builds from an exec record */
	exe = event_str(&v, e->exe);
	a = event_str(&v, e->args);
	cg = event_str(&v, e->cgroup);
	pi = (struct proc_info){ .pid = e->ev.proc.pid, .start_time = e->ev.proc.start_time, .exe = exe.p,
				 .args = a.p, .args_len = a.len, .cgroup = cg.p };

	j = format(&v, &pi, &sb);
	if (!j) {
		strbuf_free(&sb);
		return;
	}
	CHECK_STR(str_at(j, "type"), "exec");
	CHECK_STR(str_at(j, "syscall"), "execve");
	CHECK_INT(int_at(j, "res"), 0);
	CHECK_INT(int_at(j, "proc.pid"), 4242);
	CHECK_STR(str_at(j, "proc.exe"), "/tmp/run me");
	CHECK_STR(str_at(j, "proc.cgroup"), "/docker/abc");
	arr = at(j, "proc.args");
	CHECK(json_is_array(arr) && json_array_size(arr) == 2, "proc.args is not a 2-element array");
	CHECK_STR(json_string_value(json_array_get(arr, 0)), "a");
	CHECK_STR(json_string_value(json_array_get(arr, 1)), "b c");
	CHECK_STR(str_at(j, "exec.filename"), "./run me");
	CHECK_STR(str_at(j, "exec.exe"), "/tmp/run me");
	CHECK_STR(str_at(j, "exec.exe_fs"), "overlay");
	CHECK_STR(str_at(j, "exec.tty"), "pts0");
	CHECK_STR(str_at(j, "exec.layer"), "upper");
	CHECK(json_is_true(at(j, "exec.memfd")), "exec.memfd not true");
	CHECK(json_is_false(at(j, "exec.umh")), "exec.umh not false");
	CHECK_INT(int_at(j, "exec.argc"), 2);
	CHECK_STR(str_at(j, "exec.cap_effective"), "0x1ffffffffff");
	CHECK_INT(int_at(j, "exec.loginuid"), -1);
	tr = at(j, "truncated");
	CHECK(json_is_array(tr) && json_array_size(tr) == 2, "truncated is not a 2-element array");
	CHECK_STR(json_string_value(json_array_get(tr, 0)), "string");
	CHECK_STR(json_string_value(json_array_get(tr, 1)), "args");
	json_decref(j);

	/* empty arguments are kept as empty strings, and a trailing NUL adds none */
	pi.args = "x\0\0y\0";
	pi.args_len = 5;
	j = format(&v, &pi, &sb);
	if (j) {
		arr = at(j, "proc.args");
		CHECK(json_array_size(arr) == 3, "want [\"x\",\"\",\"y\"], got %zu elements", json_array_size(arr));
		CHECK_STR(json_string_value(json_array_get(arr, 0)), "x");
		CHECK_STR(json_string_value(json_array_get(arr, 1)), "");
		CHECK_STR(json_string_value(json_array_get(arr, 2)), "y");
		json_decref(j);
	}
	strbuf_free(&sb);
}

/* Every type, fixed part only: a parseable line naming the type; no syscall key when there is none. */
static void test_event_json_every_type(void)
{
	unsigned int t;

	for (t = 1; t < BW_EV_MAX; t++) {
		struct strbuf sb = STRBUF_INIT;
		struct rec r;
		struct event_view v;
		json_t *j;

		rec_init(&r, t, event_fixed_size(t));
		fill_proc((struct bw_event *)r.buf);
		if (!rec_decode(&r, &v))
			continue;
		j = format(&v, NULL, &sb);
		if (j) {
			CHECK_STR(str_at(j, "type"), event_type_name(t));
			CHECK(at(j, "syscall") == NULL, "%s: syscall key for BW_SYS_NONE", event_type_name(t));
			CHECK_INT(int_at(j, "proc.pid"), 4242);
			json_decref(j);
		}
		strbuf_free(&sb);
	}
}

static void test_event_json_setid_net(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct rec r;
	struct bw_setid *s = (void *)r.buf;
	struct bw_net *n = (void *)r.buf;
	struct event_view v;
	json_t *j, *ids;

	rec_init(&r, BW_EV_SETUID, sizeof(*s));
	s->ev.syscall = BW_SYS_SETRESUID;
	s->id[0] = 0xffffffffu;
	s->id[1] = 0;
	s->id[2] = 1000;
	if (rec_decode(&r, &v) && (j = format(&v, NULL, &sb))) {
		CHECK_STR(str_at(j, "syscall"), "setresuid");
		ids = at(j, "setid.ids");
		CHECK(json_array_size(ids) == 3, "ids");
		CHECK_INT(json_integer_value(json_array_get(ids, 0)), -1);
		CHECK_INT(json_integer_value(json_array_get(ids, 1)), 0);
		CHECK_INT(json_integer_value(json_array_get(ids, 2)), 1000);
		json_decref(j);
	}

	rec_init(&r, BW_EV_CONNECT, sizeof(*n));
	n->ev.syscall = BW_SYS_CONNECT;
	n->family = 2; /* AF_INET */
	n->port = 8080;
	memcpy(n->addr, "\x7f\x00\x00\x01", 4);
	if (rec_decode(&r, &v) && (j = format(&v, NULL, &sb))) {
		CHECK_STR(str_at(j, "net.family"), "inet");
		CHECK_STR(str_at(j, "net.addr"), "127.0.0.1");
		CHECK_INT(int_at(j, "net.port"), 8080);
		json_decref(j);
	}

	rec_init(&r, BW_EV_BIND, sizeof(*n));
	n->family = 1; /* AF_UNIX */
	rec_str(&r, &n->path, "@sock\"\n");
	if (rec_decode(&r, &v) && (j = format(&v, NULL, &sb))) {
		CHECK_STR(str_at(j, "net.family"), "unix");
		CHECK_STR(str_at(j, "net.path"), "@sock\"\n");
		json_decref(j);
	}
	strbuf_free(&sb);
}

int main(void)
{
	RUN(test_escape_plain);
	RUN(test_escape_quote_backslash);
	RUN(test_escape_control);
	RUN(test_utf8_valid);
	RUN(test_utf8_invalid);
	RUN(test_every_byte);
	RUN(test_random_bytes_parse);
	RUN(test_commas);
	RUN(test_lines);
	RUN(test_strbuf_growth);
	RUN(test_rfc3339);
	RUN(test_event_json_open);
	RUN(test_event_json_open_failed);
	RUN(test_event_json_open_flags);
	RUN(test_event_json_exec);
	RUN(test_event_json_every_type);
	RUN(test_event_json_setid_net);
	return check_summary();
}
