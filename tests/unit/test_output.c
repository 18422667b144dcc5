// SPDX-License-Identifier: Apache-2.0
/*
 * The output modules without a network: escaping and formats (every record
 * parsed back and compared with the original values), spool framing and
 * recovery, backoff, noise control, spec parsing, and the pipeline itself
 * with a file output whose directory appears late (receiver "down").
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pty.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "jsonw.h"
#include "log.h"
#include "output/internal.h"
#include "output/output.h"

/* The nastiest file name: line breaks, quotes, every separator, ESC, DEL, C1, U+2028, U+00FF. */
static const char NASTY[] = "/tmp/a\nb\rc\td\"e'f|g=h]i[j\\k\x1b[31ml\x7fm\xc2\x85n\xe2\x80\xa8o\xc3\xbf p";

static char tmpdir[64];

static json_t *make_alert(const char *rule, const char *prio, const char *fname, const char *container)
{
	char id[37];

	uuid_v4(id);
	return json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s,s:i,s:s,s:s},s:s,s:s,s:[s,s],s:s}", "time",
			 "2026-11-22T01:45:02.123456789Z", "rule", rule, "priority", prio, "output", fname,
			 "output_fields", "proc.name", "sh", "fd.name", fname, "proc.pid", 42, "container.id", container,
			 "container.name", "web|1", "hostname", "node-1", "source", "syscall", "tags", "filesystem",
			 "t=1", "uuid", id);
}

static int load_alert(json_t *j, struct alert *a)
{
	struct strbuf sb = STRBUF_INIT;
	char err[200];
	int rc;

	json_dump_value(&sb, j);
	rc = alert_parse(sb.buf, sb.len, a, err, sizeof(err));
	CHECK(rc == 0, "alert_parse: %s", err);
	strbuf_free(&sb);
	return rc;
}

/* Reverses esc_text: \\ \X (X a special) \n \r \t \uXXXX. Returns a malloc'd string. */
static char *unescape(const char *s, size_t n, size_t *outlen)
{
	char *o = malloc(n * 4 + 1);
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (s[i] != '\\' || i + 1 == n) {
			o[k++] = s[i];
			continue;
		}
		i++;
		switch (s[i]) {
		case 'n': o[k++] = '\n'; break;
		case 'r': o[k++] = '\r'; break;
		case 't': o[k++] = '\t'; break;
		case 'u': {
			unsigned cp = 0;

			sscanf(s + i + 1, "%4x", &cp);
			i += 4;
			if (cp < 0x80) {
				o[k++] = cp;
			} else if (cp < 0x800) {
				o[k++] = 0xc0 | cp >> 6;
				o[k++] = 0x80 | (cp & 0x3f);
			} else {
				o[k++] = 0xe0 | cp >> 12;
				o[k++] = 0x80 | ((cp >> 6) & 0x3f);
				o[k++] = 0x80 | (cp & 0x3f);
			}
			break;
		}
		default: o[k++] = s[i]; break;
		}
	}
	o[k] = '\0';
	*outlen = k;
	return o;
}

/* An SD-PARAM value: RFC 5424 unescaping, then the C-style layer. */
static char *sd_decode(const char *s, size_t n, size_t *outlen)
{
	char *rfc = malloc(n + 1), *v;
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n && strchr("\\\"]", s[i + 1]))
			i++;
		rfc[k++] = s[i];
	}
	v = unescape(rfc, k, outlen);
	free(rfc);
	return v;
}

static bool has_raw_break(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c < 0x20 && c != '\t')
			return true;
		if (c == 0x7f || (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
				  (unsigned char)s[i + 1] <= 0x9f))
			return true;
		if (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
		    ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9))
			return true;
	}
	return false;
}

/* ---- escaping ------------------------------------------------------------------ */

static void check_roundtrip(void (*esc)(struct strbuf *, const char *, size_t), const char *specials, const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n = sizeof(NASTY) - 1, back_len, i;
	char *back;

	esc(&sb, NASTY, n);
	CHECK(!has_raw_break(sb.buf, sb.len), "%s: raw control character in %s", name, sb.buf);
	CHECK(!strchr(sb.buf, '\t'), "%s: raw tab", name);
	/* every special appears only escaped */
	for (i = 0; i < sb.len; i++) {
		if (sb.buf[i] == '\\') {
			i++;
			continue;
		}
		CHECK(!strchr(specials, sb.buf[i]), "%s: unescaped '%c' at %zu in %s", name, sb.buf[i], i, sb.buf);
	}
	back = unescape(sb.buf, sb.len, &back_len);
	CHECK(back_len == n && memcmp(back, NASTY, n) == 0, "%s: %s does not decode to the original", name, sb.buf);
	free(back);
	strbuf_free(&sb);
}

static void test_escapers(void)
{
	check_roundtrip(esc_cef_header, "|", "cef header");
	check_roundtrip(esc_cef_value, "=", "cef value");
	check_roundtrip(esc_leef_value, "=", "leef value");
	/* SD-PARAM: an RFC 5424 parser undoes \\ \" \] first, then the C-style layer */
	{
		struct strbuf sb = STRBUF_INIT;
		char *rfc = NULL, *back;
		size_t i, k = 0, n;

		esc_sd_value(&sb, NASTY, sizeof(NASTY) - 1);
		CHECK(!has_raw_break(sb.buf, sb.len) && !strchr(sb.buf, '\t'), "sd: raw break in %s", sb.buf);
		rfc = malloc(sb.len + 1);
		for (i = 0; i < sb.len; i++) {
			if (sb.buf[i] == '\\' && i + 1 < sb.len && strchr("\\\"]", sb.buf[i + 1]))
				i++;
			else
				CHECK(sb.buf[i] != '"' && sb.buf[i] != ']', "sd: unescaped %c", sb.buf[i]);
			rfc[k++] = sb.buf[i];
		}
		back = unescape(rfc, k, &n);
		CHECK(n == sizeof(NASTY) - 1 && memcmp(back, NASTY, n) == 0, "sd: %s does not decode", sb.buf);
		free(back);
		free(rfc);
		strbuf_free(&sb);
	}
}

static void test_json_dump(void)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *in = json_pack("{s:s%,s:f,s:I,s:b,s:n,s:[]}", "s", NASTY, sizeof(NASTY) - 1, "f", 1.0, "i",
			       (json_int_t)-9007199254740993LL, "b", 1, "n", "a"), *back;
	json_error_t e;

	json_object_set_new(in, "nul", json_stringn("a\0b", 3));
	json_dump_value(&sb, in);
	CHECK(!has_raw_break(sb.buf, sb.len), "raw control in %s", sb.buf);
	back = json_loadb(sb.buf, sb.len, JSON_ALLOW_NUL, &e);
	CHECK(back != NULL, "unparsable: %s", e.text);
	CHECK(json_equal(in, back), "not equal after a round trip: %s", sb.buf);
	json_decref(in);
	json_decref(back);
	strbuf_free(&sb);
}

/* ---- formats ------------------------------------------------------------------- */

static void test_format_json_ecs_ocsf(void)
{
	json_t *src = make_alert("Write below etc", "Critical", NASTY, "abc123"), *j;
	struct strbuf sb = STRBUF_INIT;
	struct alert a;

	if (load_alert(src, &a))
		return;
	format_alert(&sb, FORMAT_JSON, &a);
	j = json_loadb(sb.buf, sb.len, JSON_ALLOW_NUL, NULL);
	CHECK(j && json_equal(j, src), "json format differs: %s", sb.buf);
	json_decref(j);

	strbuf_reset(&sb);
	format_alert(&sb, FORMAT_ECS, &a);
	CHECK(!strchr(sb.buf, '\n'), "ecs: a raw newline");
	j = json_loadb(sb.buf, sb.len, 0, NULL);
	CHECK(j != NULL, "ecs unparsable: %s", sb.buf);
	CHECK_STR(json_string_value(json_object_get(json_object_get(j, "file"), "path")), NASTY);
	CHECK_STR(json_string_value(json_object_get(json_object_get(j, "event"), "id")), a.uuid);
	CHECK_STR(json_string_value(json_object_get(json_object_get(j, "rule"), "name")), "Write below etc");
	CHECK_STR(json_string_value(json_object_get(j, "@timestamp")), "2026-11-22T01:45:02.123456789Z");
	CHECK_INT(json_integer_value(json_object_get(json_object_get(j, "process"), "pid")), 42);
	CHECK_STR(json_string_value(json_object_get(json_object_get(j, "container"), "id")), "abc123");
	json_decref(j);

	strbuf_reset(&sb);
	format_alert(&sb, FORMAT_OCSF, &a);
	j = json_loadb(sb.buf, sb.len, 0, NULL);
	CHECK(j != NULL, "ocsf unparsable: %s", sb.buf);
	CHECK_INT(json_integer_value(json_object_get(j, "class_uid")), 2004);
	CHECK_INT(json_integer_value(json_object_get(j, "type_uid")), 200401);
	CHECK_INT(json_integer_value(json_object_get(j, "severity_id")), 5);
	CHECK_INT(json_integer_value(json_object_get(j, "time")), 1795311902123LL);
	CHECK_STR(json_string_value(json_object_get(json_object_get(j, "finding_info"), "uid")), a.uuid);
	CHECK_STR(json_string_value(json_object_get(json_object_get(json_object_get(j, "unmapped"), "output_fields"),
						    "fd.name")), NASTY);
	json_decref(j);
	alert_free(&a);
	json_decref(src);
	strbuf_free(&sb);
}

/* Splits a CEF/LEEF extension into key=value pairs on unescaped separators; returns the value of key. */
static char *ext_value(const char *ext, char sep, const char *key)
{
	size_t klen = strlen(key), i = 0, n = strlen(ext), start, vlen;

	while (i < n) {
		while (i < n && ext[i] == sep)
			i++;
		start = i;
		/* the key runs to the first '='; keys never contain it */
		while (i < n && ext[i] != '=')
			i++;
		if (i >= n)
			break;
		{
			bool match = i - start == klen && memcmp(ext + start, key, klen) == 0;
			size_t vs = ++i;

			if (sep == '\t') {
				while (i < n && ext[i] != '\t')
					i++;
			} else {
				/* CEF: a value ends where " key=" begins (the next unescaped '=' goes back to a space) */
				size_t j = i, last_space = n;

				while (j < n) {
					if (ext[j] == '\\') {
						j += 2;
						continue;
					}
					if (ext[j] == ' ')
						last_space = j;
					if (ext[j] == '=')
						break;
					j++;
				}
				i = j < n ? last_space : n;
			}
			if (match) {
				char *v = unescape(ext + vs, i - vs, &vlen);

				return v;
			}
		}
	}
	return NULL;
}

/* Header fields of CEF/LEEF: split on unescaped '|'; returns the extension start. */
static const char *split_header(const char *line, int fields, char out[][256])
{
	int f = 0;
	size_t k = 0;
	const char *p = line;

	for (; *p && f < fields; p++) {
		if (*p == '\\' && p[1]) {
			if (k < 255)
				out[f][k++] = p[1];
			p++;
			continue;
		}
		if (*p == '|') {
			out[f][k] = '\0';
			f++;
			k = 0;
			continue;
		}
		if (k < 255)
			out[f][k++] = *p;
	}
	return f == fields ? p : NULL;
}

static void test_format_cef_leef(void)
{
	json_t *src = make_alert("Rule|with=odd\\name", "Error", NASTY, "c0ffee");
	struct strbuf sb = STRBUF_INIT;
	char hdr[8][256], *v;
	const char *ext;
	struct alert a;

	if (load_alert(src, &a))
		return;
	format_alert(&sb, FORMAT_CEF, &a);
	CHECK(!has_raw_break(sb.buf, sb.len), "cef: raw break in %s", sb.buf);
	ext = split_header(sb.buf, 7, hdr);
	CHECK(ext != NULL, "cef: fewer than 7 header fields: %s", sb.buf);
	if (ext) {
		CHECK_STR(hdr[0], "CEF:0");
		CHECK_STR(hdr[4], "Rule|with=odd\\name");
		CHECK_STR(hdr[6], "7");
		v = ext_value(ext, ' ', "filePath");
		CHECK(v && strcmp(v, NASTY) == 0, "cef filePath: %s", v ? v : "(none)");
		free(v);
		v = ext_value(ext, ' ', "externalId");
		CHECK(v && strcmp(v, a.uuid) == 0, "cef externalId: %s", v ? v : "(none)");
		free(v);
		v = ext_value(ext, ' ', "cs3");
		CHECK(v && strcmp(v, "web|1") == 0, "cef cs3: %s", v ? v : "(none)");
		free(v);
	}
	strbuf_reset(&sb);
	format_alert(&sb, FORMAT_LEEF, &a);
	CHECK(!has_raw_break(sb.buf, sb.len), "leef: raw break in %s", sb.buf);
	ext = split_header(sb.buf, 6, hdr);
	CHECK(ext != NULL, "leef: fewer than 6 header fields: %s", sb.buf);
	if (ext) {
		CHECK_STR(hdr[0], "LEEF:2.0");
		CHECK_STR(hdr[4], "Rule|with=odd\\name");
		CHECK_STR(hdr[5], "x09");
		v = ext_value(ext, '\t', "fd.name");
		CHECK(v && strcmp(v, NASTY) == 0, "leef fd.name: %s", v ? v : "(none)");
		free(v);
		v = ext_value(ext, '\t', "uuid");
		CHECK(v && strcmp(v, a.uuid) == 0, "leef uuid: %s", v ? v : "(none)");
		free(v);
	}
	alert_free(&a);
	json_decref(src);
	strbuf_free(&sb);
}

static void test_syslog5424(void)
{
	json_t *src = make_alert("R]\"", "Notice", NASTY, "x"), *msg;
	struct output_config cfg;
	struct strbuf sb = STRBUF_INIT;
	char err[200], *p, *v;
	struct alert a;
	size_t vlen;

	CHECK(output_config_parse("syslog+tcp://127.0.0.1:514?facility=auth", &cfg, err, sizeof(err)) == 0, "%s", err);
	if (load_alert(src, &a))
		return;
	format_syslog5424(&sb, &cfg, &a, 77);
	CHECK(!has_raw_break(sb.buf, sb.len), "raw break: %s", sb.buf);
	/* auth (4) * 8 + notice (5) */
	{
		static const char want[] = "<37>1 2026-11-22T01:45:02.123456Z node-1 bulwark 77 alert [bulwark@32473 ";

		CHECK(strncmp(sb.buf, want, sizeof(want) - 1) == 0, "header: %.90s", sb.buf);
	}
	p = strstr(sb.buf, " rule=\"");
	CHECK(p != NULL, "no rule param");
	if (p) {
		char *end = p + 7;

		while (*end && *end != '"')
			end += *end == '\\' && end[1] ? 2 : 1;
		v = sd_decode(p + 7, end - p - 7, &vlen);
		CHECK_STR(v, "R]\"");
		free(v);
	}
	p = strstr(sb.buf, " fd.name=\"");
	CHECK(p != NULL, "no fd.name param");
	if (p) {
		char *end = p + 10;

		while (*end && *end != '"')
			end += *end == '\\' && end[1] ? 2 : 1;
		v = sd_decode(p + 10, end - p - 10, &vlen);
		CHECK(vlen == sizeof(NASTY) - 1 && memcmp(v, NASTY, vlen) == 0, "fd.name decodes to %s", v);
		free(v);
	}
	/* MSG: after the last SD element, the JSON alert */
	p = strstr(sb.buf, "] {");
	CHECK(p != NULL, "no MSG");
	if (p) {
		msg = json_loads(p + 2, 0, NULL);
		CHECK(msg && json_equal(msg, src), "MSG is not the alert: %s", p + 2);
		json_decref(msg);
	}
	alert_free(&a);
	json_decref(src);
	strbuf_free(&sb);
}

/* ---- every format from a struct alert, byte for byte -------------------------------- */

/*
 * The alert the rule engine hands over (borrowed, typed fields: a list, a
 * null, an unsigned uid), and the bytes each format must produce: taken
 * from the JSON-text pipeline this struct replaced, for the same alert; the
 * json format in Falco's key order (issue 14: its JSON writer sorts keys).
 */
static const char FIXED_JSON[] = "{\"hostname\":\"node-1\",\"output\":\"01:45:02.123456789: Critical File below /etc opened (file="
		"/etc/x|y=z proc=sh)\",\"output_fields\":{\"container.id\":\"abc123\",\"evt.rawres\":-2,\"fd.name"
		"\":\"/etc/x|y=z\",\"k8s.pod.name\":null,\"proc.aargs\":[\"a b\",\"c\\\"d\"],\"proc.name\":\"sh\""
		",\"proc.pid\":42,\"user.uid\":0},\"priority\":\"Critical\",\"rule\":\"Write below etc\",\"source"
		"\":\"syscall\",\"tags\":[\"filesystem\",\"mitre_persistence\"],\"time\":\"2026-11-22T01:45:02.12"
		"3456789Z\",\"uuid\":\"0b5f2a36-8c3e-4c1e-9d2b-6a0f4e8d7c21\"}";
static const char *const fixed_expect[FORMAT_MAX] = {
	[FORMAT_JSON] = FIXED_JSON,
	[FORMAT_ECS] = "{\"@timestamp\":\"2026-11-22T01:45:02.123456789Z\",\"message\":\"01:45:02.123456789: Critical Fi"
		"le below /etc opened (file=/etc/x|y=z proc=sh)\",\"ecs\":{\"version\":\"8.11.0\"},\"event\":{\"k"
		"ind\":\"alert\",\"category\":[\"intrusion_detection\"],\"type\":[\"info\"],\"severity\":8,\"id\""
		":\"0b5f2a36-8c3e-4c1e-9d2b-6a0f4e8d7c21\",\"module\":\"bulwark\",\"dataset\":\"bulwark.alert\",\""
		"provider\":\"syscall\"},\"rule\":{\"name\":\"Write below etc\",\"ruleset\":\"bulwark\"},\"log\":"
		"{\"level\":\"critical\"},\"host\":{\"hostname\":\"node-1\",\"name\":\"node-1\"},\"observer\":{\""
		"vendor\":\"bulwark\",\"product\":\"bulwark\",\"type\":\"runtime-security\"},\"tags\":[\"filesyst"
		"em\",\"mitre_persistence\"],\"process\":{\"name\":\"sh\",\"pid\":42},\"user\":{\"id\":\"0\"},\"f"
		"ile\":{\"path\":\"/etc/x|y=z\"},\"container\":{\"id\":\"abc123\"},\"bulwark\":{\"priority\":\"Cr"
		"itical\",\"output_fields\":{\"container_id\":\"abc123\",\"evt_rawres\":-2,\"fd_name\":\"/etc/x|y"
		"=z\",\"k8s_pod_name\":null,\"proc_aargs\":[\"a b\",\"c\\\"d\"],\"proc_name\":\"sh\",\"proc_pid\""
		":42,\"user_uid\":0}}}",
	[FORMAT_OCSF] = "{\"class_uid\":2004,\"class_name\":\"Detection Finding\",\"category_uid\":2,\"category_name\":\""
		"Findings\",\"activity_id\":1,\"activity_name\":\"Create\",\"type_uid\":200401,\"type_name\":\"De"
		"tection Finding: Create\",\"time\":1795311902123,\"severity_id\":5,\"severity\":\"Critical\",\"s"
		"tatus_id\":1,\"status\":\"New\",\"message\":\"01:45:02.123456789: Critical File below /etc opene"
		"d (file=/etc/x|y=z proc=sh)\",\"metadata\":{\"version\":\"1.1.0\",\"uid\":\"0b5f2a36-8c3e-4c1e-9"
		"d2b-6a0f4e8d7c21\",\"original_time\":\"2026-11-22T01:45:02.123456789Z\",\"product\":{\"name\":\""
		"bulwark\",\"vendor_name\":\"bulwark\",\"version\":\"" BULWARK_VERSION "\"}},\"finding_info\":{\"uid\":\"0b5f2a36-8c3e-4c1e-9d2b-6a0f4e8d7c21\",\"title\":\"Write below "
		"etc\",\"desc\":\"01:45:02.123456789: Critical File below /etc opened (file=/etc/x|y=z proc=sh)\""
		",\"created_time\":1795311902123,\"types\":[\"filesystem\",\"mitre_persistence\"],\"analytic\":{\""
		"name\":\"Write below etc\",\"type_id\":1,\"type\":\"Rule\"}},\"device\":{\"hostname\":\"node-1\""
		",\"type_id\":1,\"type\":\"Server\"},\"actor\":{\"process\":{\"name\":\"sh\",\"pid\":42,\"contain"
		"er\":{\"uid\":\"abc123\"}},\"user\":{\"uid\":\"0\"}},\"unmapped\":{\"output_fields\":{\"containe"
		"r.id\":\"abc123\",\"evt.rawres\":-2,\"fd.name\":\"/etc/x|y=z\",\"k8s.pod.name\":null,\"proc.aarg"
		"s\":[\"a b\",\"c\\\"d\"],\"proc.name\":\"sh\",\"proc.pid\":42,\"user.uid\":0},\"priority\":\"Cri"
		"tical\",\"source\":\"syscall\"}}",
	[FORMAT_CEF] = "CEF:0|bulwark|bulwark|" BULWARK_VERSION "|Write below etc|Write below etc|8|rt=1795311902123 dvchost=node-1 externalId=0b5f2a36-8c3e-4c1e"
		"-9d2b-6a0f4e8d7c21 cat=Critical msg=01:45:02.123456789: Critical File below /etc opened (file\\="
		"/etc/x|y\\=z proc\\=sh) cs1Label=tags cs1=filesystem,mitre_persistence suid=0 sproc=sh spid=42 f"
		"ilePath=/etc/x|y\\=z cs2Label=containerId cs2=abc123 bwEvtRawres=-2 bwProcAargs=",
	[FORMAT_LEEF] = "LEEF:2.0|bulwark|bulwark|" BULWARK_VERSION "|Write below etc|x09|devTime=2026-11-22T01:45:02.123Z\tdevTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSX\t"
		"sev=8\tcat=Critical\tidentHostName=node-1\tuuid=0b5f2a36-8c3e-4c1e-9d2b-6a0f4e8d7c21\trule=Write"
		" below etc\tmsg=01:45:02.123456789: Critical File below /etc opened (file\\=/etc/x|y\\=z proc\\="
		"sh)\ttags=filesystem,mitre_persistence\tcontainer.id=abc123\tevt.rawres=-2\tfd.name=/etc/x|y\\=z"
		"\tproc.aargs=\tproc.name=sh\tproc.pid=42\tuser.uid=0",
	/* Falco's text line: its output, escaped as a JSON string without the quotes */
	[FORMAT_TEXT] = "01:45:02.123456789: Critical File below /etc opened (file=/etc/x|y=z proc=sh)",
};
static const char FIXED_SYSLOG[] = "<130>1 2026-11-22T01:45:02.123456Z node-1 bulwark 77 alert [bulwark@32473 uuid=\"0b5f2a36-8c3e-4"
		"c1e-9d2b-6a0f4e8d7c21\" rule=\"Write below etc\" priority=\"Critical\" source=\"syscall\"][field"
		"s@32473 container.id=\"abc123\" evt.rawres=\"-2\" fd.name=\"/etc/x|y=z\" proc.aargs=\"\" proc.na"
		"me=\"sh\" proc.pid=\"42\" user.uid=\"0\"] {\"hostname\":\"node-1\",\"output\":\"01:45:02.1234567"
		"89: Critical File below /etc opened (file=/etc/x|y=z proc=sh)\",\"output_fields\":{\"container.i"
		"d\":\"abc123\",\"evt.rawres\":-2,\"fd.name\":\"/etc/x|y=z\",\"k8s.pod.name\":null,\"proc.aargs\""
		":[\"a b\",\"c\\\"d\"],\"proc.name\":\"sh\",\"proc.pid\":42,\"user.uid\":0},\"priority\":\"Critic"
		"al\",\"rule\":\"Write below etc\",\"source\":\"syscall\",\"tags\":[\"filesystem\",\"mitre_persis"
		"tence\"],\"time\":\"2026-11-22T01:45:02.123456789Z\",\"uuid\":\"0b5f2a36-8c3e-4c1e-9d2b-6a0f4e8d"
		"7c21\"}";

static void fixed_alert(struct alert *a, struct alert_kv *kv, struct alert_str *tags)
{
	static const char args[] = "a b\0c\"d";

	/* in byte order of the names, as the rule engine hands them over (Falco's JSON writer sorts keys) */
	kv[0] = (struct alert_kv){ "container.id", { .type = AV_STR, .s = { "abc123", 6, 0 } } };
	kv[1] = (struct alert_kv){ "evt.rawres", { .type = AV_INT, .i = -2 } };
	kv[2] = (struct alert_kv){ "fd.name", { .type = AV_STR, .s = { "/etc/x|y=z", 10, 0 } } };
	kv[3] = (struct alert_kv){ "k8s.pod.name", { .type = AV_NULL } };
	kv[4] = (struct alert_kv){ "proc.aargs", { .type = AV_STRLIST, .s = { args, sizeof(args), 2 } } };
	kv[5] = (struct alert_kv){ "proc.name", { .type = AV_STR, .s = { "sh", 2, 0 } } };
	kv[6] = (struct alert_kv){ "proc.pid", { .type = AV_INT, .i = 42 } };
	kv[7] = (struct alert_kv){ "user.uid", { .type = AV_UINT, .u = 0 } };
	tags[0] = (struct alert_str){ "filesystem", 10 };
	tags[1] = (struct alert_str){ "mitre_persistence", 17 };
	*a = (struct alert){
		.time = "2026-11-22T01:45:02.123456789Z", .sec = 1795311902, .nsec = 123456789,
		.rule = "Write below etc", .priority = PRIO_CRITICAL, .priority_name = "Critical",
		.priority_text = "Critical",
		.output = "01:45:02.123456789: Critical File below /etc opened (file=/etc/x|y=z proc=sh)",
		.fields = kv, .nfields = 8, .hostname = "node-1", .source = "syscall", .tags = tags, .ntags = 2,
		.uuid = "0b5f2a36-8c3e-4c1e-9d2b-6a0f4e8d7c21", .has = ALERT_HAS_ALL,
	};
	a->output_len = strlen(a->output);
}

static void test_format_struct_bytes(void)
{
	struct alert_kv kv[8];
	struct alert_str tags[2];
	struct output_config cfg;
	struct strbuf sb = STRBUF_INIT;
	struct alert a, owned, back;
	char err[200];
	int f;

	fixed_alert(&a, kv, tags);
	for (f = 0; f < FORMAT_MAX; f++) {
		strbuf_reset(&sb);
		format_alert(&sb, f, &a);
		CHECK(sb.buf && strcmp(sb.buf, fixed_expect[f]) == 0, "%s:\n got  %s\n want %s", alert_format_name(f),
		      sb.buf, fixed_expect[f]);
	}
	CHECK(output_config_parse("syslog+udp://127.0.0.1", &cfg, err, sizeof(err)) == 0, "%s", err);
	strbuf_reset(&sb);
	format_syslog5424(&sb, &cfg, &a, 77);
	CHECK(strcmp(sb.buf, FIXED_SYSLOG) == 0, "syslog:\n got  %s\n want %s", sb.buf, FIXED_SYSLOG);
	/* an owned copy formats the same; so does the alert read back from its JSON line (the spool) */
	CHECK(alert_copy(&owned, &a) == 0, "copy");
	strbuf_reset(&sb);
	format_alert(&sb, FORMAT_CEF, &owned);
	CHECK_STR(sb.buf, fixed_expect[FORMAT_CEF]);
	alert_free(&owned);
	CHECK(alert_parse(FIXED_JSON, strlen(FIXED_JSON), &back, err, sizeof(err)) == 0, "%s", err);
	for (f = 0; f < FORMAT_MAX; f++) {
		strbuf_reset(&sb);
		format_alert(&sb, f, &back);
		CHECK(strcmp(sb.buf, fixed_expect[f]) == 0, "%s after a round trip: %s", alert_format_name(f), sb.buf);
	}
	alert_free(&back);
	strbuf_free(&sb);
}

/*
 * Falco's alert JSON: its JSON writer (nlohmann::json) keeps object keys
 * sorted, so the members are hostname, output, output_fields, priority,
 * rule, source, tags, time (our uuid sorts last), output_fields sorted by
 * name and tags a sorted set. An alert of the agent's own (the noise
 * summary appends fields and a tag) is written that way whatever order it
 * holds; a line read back keeps its own order.
 */
static void test_format_falco_order(void)
{
	struct alert_kv kv[3] = {
		{ "proc.pid", { .type = AV_INT, .i = 7 } },
		{ "bulwark.suppressed", { .type = AV_UINT, .u = 3 } },
		{ "evt.time", { .type = AV_UINT, .u = 1795311902123456789ull } },
	};
	struct alert_str tags[4] = { { "suppressed_summary", 18 }, { "T1611", 5 }, { "container", 9 }, { "T1611", 5 } };
	static const char want[] = "{\"hostname\":\"h\",\"output\":\"01:45:02.123456789: Notice x\",\"output_fields\":{\"bulwark."
		"suppressed\":3,\"evt.time\":1795311902123456789,\"proc.pid\":7},\"priority\":\"Notice\",\"rule\":\"R\","
		"\"source\":\"syscall\",\"tags\":[\"T1611\",\"container\",\"suppressed_summary\"],\"time\":\"2026-11-22T0"
		"1:45:02.123456789Z\",\"uuid\":\"u\"}";
	struct alert a = {
		.time = "2026-11-22T01:45:02.123456789Z", .sec = 1795311902, .nsec = 123456789, .rule = "R",
		.priority = PRIO_NOTICE, .priority_name = "Notice", .priority_text = "Notice",
		.output = "01:45:02.123456789: Notice x", .output_len = 28, .fields = kv, .nfields = 3,
		.hostname = "h", .source = "syscall", .tags = tags, .ntags = 4, .uuid = "u", .has = ALERT_HAS_ALL,
	};
	static const char other[] = "{\"rule\":\"R\",\"priority\":\"Notice\",\"output_fields\":{\"b\":1,\"a\":2},"
		"\"tags\":[\"z\",\"a\"]}";
	struct strbuf sb = STRBUF_INIT;
	struct alert back;
	char err[200];

	format_alert(&sb, FORMAT_JSON, &a);
	CHECK_STR(sb.buf, want);
	/* read back, it writes the same bytes (the spool's round trip) */
	CHECK(alert_parse(want, strlen(want), &back, err, sizeof(err)) == 0, "%s", err);
	strbuf_reset(&sb);
	format_alert(&sb, FORMAT_JSON, &back);
	CHECK_STR(sb.buf, want);
	alert_free(&back);
	/* a line in another order keeps it (alert-send writes back what it read) */
	CHECK(alert_parse(other, strlen(other), &back, err, sizeof(err)) == 0, "%s", err);
	strbuf_reset(&sb);
	format_alert(&sb, FORMAT_JSON, &back);
	CHECK(strncmp(sb.buf, other, strlen(other) - 1) == 0, "read order lost: %s", sb.buf);
	alert_free(&back);
	/* more fields than the on-stack index holds */
	{
		static char names[70][16];
		struct alert_kv many[70];
		const char *prev = NULL, *at;
		int i;

		for (i = 0; i < 70; i++) {
			snprintf(names[i], sizeof(names[i]), "f.%02d", 69 - i);
			many[i] = (struct alert_kv){ names[i], { .type = AV_INT, .i = i } };
		}
		a.fields = many;
		a.nfields = 70;
		strbuf_reset(&sb);
		format_alert(&sb, FORMAT_JSON, &a);
		for (i = 0; i < 70; i++) {
			char key[24];

			snprintf(key, sizeof(key), "\"f.%02d\":", i);
			at = strstr(sb.buf, key);
			CHECK(at && (!prev || at > prev), "%s out of order", key);
			prev = at;
		}
	}
	strbuf_free(&sb);
}

/*
 * Falco's text line (stdout on a terminal): the output, escaped the way
 * Falco escapes it (a JSON string without its quotes), so that a file name
 * cannot move the cursor or end the line; without an output, time, priority
 * and rule.
 */
static void test_format_text(void)
{
	struct alert a = {
		.sec = 1795311902, .nsec = 5, .rule = "Shell", .priority = PRIO_WARNING, .priority_name = "Warning",
		.output = "01:45:02.000000005: Warning file=/tmp/a\nb\x1b[2J \"q\" back\\slash \xc3\xa9",
		.has = (1u << AM_RULE) | (1u << AM_OUTPUT),
	};
	struct strbuf sb = STRBUF_INIT;

	a.output_len = strlen(a.output);
	format_alert(&sb, FORMAT_TEXT, &a);
	CHECK_STR(sb.buf, "01:45:02.000000005: Warning file=/tmp/a\\nb\\u001b[2J \\\"q\\\" back\\\\slash \xc3\xa9");
	strbuf_reset(&sb);
	a.has = 1u << AM_RULE;
	format_alert(&sb, FORMAT_TEXT, &a);
	CHECK_STR(sb.buf, "01:45:02.000000005: Warning Shell");
	strbuf_free(&sb);
}

/*
 * In a child whose fd (1 or 2) is a real pseudo-terminal (tty) or a pipe:
 * the stdout output's default format, or one log line. The parent reads
 * what the child wrote on the other end into out.
 */
static int on_fd(bool tty, int fd, const char *spec, char *out, size_t size)
{
	int m = -1, sl = -1, p[2] = { -1, -1 }, status = -1, w;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	if (tty ? openpty(&m, &sl, NULL, NULL, NULL) : pipe(p))
		return -1;
	if (!tty) {
		m = p[0];
		sl = p[1];
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct output_config cfg;
		char err[200];

		close(m);
		dup2(sl, fd);
		if (fd == STDERR_FILENO) {
			log_set_format(LOG_FORMAT_AUTO);
			log_info("alert in \x1b[31mred\x1b[0m");
			_exit(0);
		}
		if (output_config_parse(spec, &cfg, err, sizeof(err)))
			_exit(2);
		printf("%s\n", alert_format_name(cfg.format));
		fflush(stdout);
		_exit(0);
	}
	close(sl);
	while (n + 1 < size && (r = read(m, out + n, size - n - 1)) > 0) /* EIO at the tty's hang-up */
		n += r;
	out[n] = '\0';
	close(m);
	w = waitpid(pid, &status, 0);
	return w == pid && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A person at a terminal reads Falco's text lines; a pipe gets JSON lines; format= and --log-format choose. */
static void test_terminal_defaults(void)
{
	char out[512];

	CHECK_INT(on_fd(true, STDOUT_FILENO, "stdout", out, sizeof(out)), 0);
	CHECK(strncmp(out, "text\r\n", 6) == 0, "stdout on a tty: %s", out);
	CHECK_INT(on_fd(false, STDOUT_FILENO, "stdout", out, sizeof(out)), 0);
	CHECK_STR(out, "json\n");
	CHECK_INT(on_fd(true, STDOUT_FILENO, "stdout?format=json", out, sizeof(out)), 0);
	CHECK(strncmp(out, "json\r\n", 6) == 0, "format=json on a tty: %s", out);
	CHECK_INT(on_fd(false, STDOUT_FILENO, "stdout?format=text", out, sizeof(out)), 0);
	CHECK_STR(out, "text\n");
	/* a file is never a terminal's: JSON */
	CHECK_INT(on_fd(true, STDOUT_FILENO, "file:/dev/null", out, sizeof(out)), 0);
	CHECK(strncmp(out, "json\r\n", 6) == 0, "file on a tty: %s", out);
	/* the log: plain text with the escape sequences defused on a tty, JSON lines in a pipe */
	CHECK_INT(on_fd(true, STDERR_FILENO, NULL, out, sizeof(out)), 0);
	CHECK(out[0] >= '0' && out[0] <= '9' && strstr(out, "Z info  alert in \\x1b[31mred\\x1b[0m\r\n") &&
	      !strchr(out, '{') && !strchr(out, '\x1b'), "log on a tty: %s", out);
	CHECK_INT(on_fd(false, STDERR_FILENO, NULL, out, sizeof(out)), 0);
	CHECK(strncmp(out, "{\"time\":\"", 9) == 0 && strstr(out, "\"level\":\"info\",\"msg\":\"alert in \\u001b[31mred"),
	      "log in a pipe: %s", out);
	/* the choice by name */
	{
		enum log_format f;

		CHECK(log_format_parse("text", &f) == 0 && f == LOG_FORMAT_TEXT, "text");
		CHECK(log_format_parse("json", &f) == 0 && f == LOG_FORMAT_JSON, "json");
		CHECK(log_format_parse("auto", &f) == 0 && f == LOG_FORMAT_AUTO, "auto");
		CHECK(log_format_parse("yaml", &f) == -EINVAL, "yaml");
	}
}

/* Bytes that are not UTF-8 (a file name from the kernel) become U+0080..U+00FF, as the JSON round trip made them. */
static void test_alert_copy_utf8(void)
{
	struct alert_kv kv = { "fd.name", { .type = AV_STR, .s = { "/tmp/\xff\xc3(", 8, 0 } } };
	struct alert a = { .rule = "R", .priority_text = "Notice", .priority = PRIO_NOTICE, .fields = &kv,
			   .nfields = 1, .has = (1u << AM_RULE) | (1u << AM_PRIORITY) | (1u << AM_FIELDS) };
	struct strbuf sb = STRBUF_INIT;
	struct alert c;

	CHECK(alert_copy(&c, &a) == 0, "copy");
	CHECK(c.fields[0].v.s.len == 10 && memcmp(c.fields[0].v.s.p, "/tmp/\xc3\xbf\xc3\x83(", 10) == 0,
	      "not widened: %.*s", (int)c.fields[0].v.s.len, c.fields[0].v.s.p);
	format_alert(&sb, FORMAT_JSON, &c);
	CHECK_STR(sb.buf, "{\"output_fields\":{\"fd.name\":\"/tmp/\xc3\xbf\xc3\x83(\"},\"priority\":\"Notice\",\"rule\":\"R\"}");
	alert_free(&c);
	strbuf_free(&sb);
}

/* ---- spool --------------------------------------------------------------------- */

static void rmtree(const char *dir)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0, "rm %s", dir);
}

static int spool_read_all(struct spool *s, int *ids, int max)
{
	struct spool_rec recs[64];
	int n, i, total = 0;

	while ((n = spool__peek(s, recs, 64, 1 << 20)) > 0) {
		for (i = 0; i < n; i++) {
			if (total < max)
				ids[total] = atoi(recs[i].data);
			total++;
			free(recs[i].data);
		}
		spool__commit(s, recs[n - 1].end);
	}
	return total;
}

static void test_spool_basic(void)
{
	char dir[128], rec[64], err[200];
	struct spool *s;
	int ids[2000], i, n, ok = 1;

	snprintf(dir, sizeof(dir), "%s/spool1", tmpdir);
	s = spool__open(dir, 1 << 20, err, sizeof(err));
	CHECK(s != NULL, "open: %s", err);
	if (!s)
		return;
	CHECK(spool__empty(s), "new spool not empty");
	for (i = 0; i < 1500; i++) {
		n = snprintf(rec, sizeof(rec), "%d padding-padding-padding-padding", i);
		CHECK(spool__append(s, rec, n) == 0, "append %d", i);
	}
	CHECK(!spool__empty(s), "empty after appends");
	/* peek without commit does not consume */
	{
		struct spool_rec r[3];

		n = spool__peek(s, r, 3, 1 << 20);
		CHECK_INT(n, 3);
		for (i = 0; i < n; i++)
			free(r[i].data);
	}
	spool__free(s);
	/* survives a restart; replays oldest first across segments (64 KiB each) */
	s = spool__open(dir, 1 << 20, err, sizeof(err));
	CHECK(s != NULL, "reopen: %s", err);
	if (!s)
		return;
	n = spool_read_all(s, ids, 2000);
	CHECK_INT(n, 1500);
	for (i = 0; i < n && i < 2000; i++)
		ok &= ids[i] == i;
	CHECK(ok, "records out of order");
	CHECK(spool__empty(s), "not empty after reading all");
	CHECK_INT(spool__corrupt(s), 0);
	CHECK_INT(spool__bytes(s), 0);
	spool__free(s);
	/* the cursor persisted: nothing replays twice */
	s = spool__open(dir, 1 << 20, err, sizeof(err));
	CHECK(s && spool__empty(s), "replayed again after commit");
	spool__free(s);
	rmtree(dir);
}

static void test_spool_cap(void)
{
	char dir[128], err[200], rec[1000];
	struct spool *s;
	int i, rc = 0;

	snprintf(dir, sizeof(dir), "%s/spool2", tmpdir);
	s = spool__open(dir, 100000, err, sizeof(err));
	CHECK(s != NULL, "open: %s", err);
	if (!s)
		return;
	memset(rec, 'x', sizeof(rec));
	for (i = 0; i < 200 && rc == 0; i++)
		rc = spool__append(s, rec, sizeof(rec));
	CHECK_INT(rc, -ENOSPC);
	CHECK(i > 90 && i < 100, "cap reached after %d records", i);
	CHECK(spool__bytes(s) <= 100000, "over the cap: %llu", (unsigned long long)spool__bytes(s));
	spool__free(s);
	rmtree(dir);
}

static void test_spool_torn_and_corrupt(void)
{
	char dir[128], err[200], path[512], rec[64];
	uint8_t hdr[SPOOL_HDR];
	struct spool *s;
	int ids[100], i, n, fd;
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/spool3", tmpdir);
	s = spool__open(dir, 1 << 20, err, sizeof(err));
	if (!s) {
		CHECK(0, "open: %s", err);
		return;
	}
	for (i = 0; i < 10; i++) {
		n = snprintf(rec, sizeof(rec), "%d-record", i);
		spool__append(s, rec, n);
	}
	spool__free(s);
	path[0] = '\0';
	d = opendir(dir);
	while ((de = readdir(d)))
		if (strstr(de->d_name, ".seg"))
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
	closedir(d);
	/* a bit flip inside record 3's payload: it fails its checksum */
	fd = open(path, O_RDWR);
	{
		off_t off = 0;
		char c;

		for (i = 0; i < 3; i++) {
			n = snprintf(rec, sizeof(rec), "%d-record", i);
			off += SPOOL_HDR + n;
		}
		CHECK(pread(fd, &c, 1, off + SPOOL_HDR + 2) == 1, "read");
		c ^= 0x20;
		CHECK(pwrite(fd, &c, 1, off + SPOOL_HDR + 2) == 1, "write");
	}
	/* and a record torn by a crash at the end: its header and half of its payload */
	spool_frame_header(hdr, "99-torn-record", 14);
	CHECK(pwrite(fd, hdr, SPOOL_HDR, lseek(fd, 0, SEEK_END)) == SPOOL_HDR, "write");
	CHECK(write(fd, "99-to", 5) == 5, "write");
	close(fd);
	s = spool__open(dir, 1 << 20, err, sizeof(err));
	CHECK(s != NULL, "reopen: %s", err);
	if (!s)
		return;
	CHECK_INT(spool__corrupt(s), 1); /* the torn tail, cut at open */
	n = spool_read_all(s, ids, 100);
	CHECK_INT(n, 9);
	CHECK(n == 9 && ids[2] == 2 && ids[3] == 4 && ids[8] == 9, "wrong records kept");
	CHECK_INT(spool__corrupt(s), 2); /* plus the flipped one, skipped while reading */
	/* appends go on cleanly after the cut */
	CHECK(spool__append(s, "10-after", 8) == 0, "append after recovery");
	n = spool_read_all(s, ids, 100);
	CHECK(n == 1 && ids[0] == 10, "record after recovery: %d", n);
	spool__free(s);
	rmtree(dir);
}

/* ---- backoff ------------------------------------------------------------------- */

static void test_backoff(void)
{
	struct backoff b;
	unsigned d, step = 100, i;

	backoff_init(&b, 100, 3000, 42);
	for (i = 0; i < 10; i++) {
		d = backoff_next(&b, 0);
		CHECK(d >= step / 2 && d <= step, "attempt %u: %u not in [%u, %u]", i, d, step / 2, step);
		step = step * 2 > 3000 ? 3000 : step * 2;
	}
	d = backoff_next(&b, 20000);
	CHECK_INT(d, 20000); /* Retry-After wins over a shorter delay */
	backoff_reset(&b);
	d = backoff_next(&b, 0);
	CHECK(d >= 50 && d <= 100, "after reset: %u", d);
	CHECK_INT(parse_retry_after("7", 0), 7000);
	CHECK_INT(parse_retry_after(" 0 ", 0), 0);
	CHECK_INT(parse_retry_after("soon", 0), 0);
	CHECK_INT(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111767), 10000);
	CHECK_INT(parse_retry_after("99999999", 0), 600000); /* capped */
}

/* ---- noise control ------------------------------------------------------------- */

struct summaries {
	int n;
	uint64_t count;
	json_t *last;
};

static void on_summary(void *ctx, const struct rl_summary *s)
{
	struct summaries *sm = ctx;

	sm->n++;
	sm->count += s->count;
	json_decref(sm->last);
	sm->last = ratelimit_summary_alert(s);
}

static void test_ratelimit(void)
{
	struct ratelimit_config cfg = { .rate = 1, .burst = 3, .table_size = 2, .summary_ms = 1000 };
	struct ratelimit *rl = ratelimit__new(&cfg);
	struct summaries sm = { 0 };
	json_t *j = make_alert("R1", "Warning", "/x", "c1");
	struct alert a, a2, a3;
	uint64_t t = 1000000000ull;
	int pass = 0, i;

	if (load_alert(j, &a))
		return;
	for (i = 0; i < 10; i++)
		pass += ratelimit__check(rl, &a, "c1", t, on_summary, &sm);
	CHECK_INT(pass, 3);
	/* another container is another key */
	CHECK(ratelimit__check(rl, &a, "c2", t, on_summary, &sm), "c2 folded");
	/* tokens come back at the rate */
	CHECK(ratelimit__check(rl, &a, "c1", t + 1100000000ull, on_summary, &sm), "no refill");
	ratelimit__flush(rl, t + 500000000ull, false, on_summary, &sm);
	CHECK_INT(sm.n, 0);
	ratelimit__flush(rl, t + 1000000000ull, false, on_summary, &sm);
	CHECK_INT(sm.n, 1);
	CHECK_INT(sm.count, 7);
	if (sm.last) {
		struct alert s;
		json_t *of = json_object_get(sm.last, "output_fields");

		CHECK(alert_from_json(sm.last, &s) == 0, "summary is not an alert");
		CHECK_STR(s.rule, "R1");
		CHECK_STR(s.priority_name, "Warning");
		CHECK(strlen(s.uuid) == 36 && strcmp(s.uuid, a.uuid) != 0, "summary uuid %s", s.uuid);
		CHECK(strstr(s.output, "7 similar alerts suppressed") != NULL, "output: %s", s.output);
		CHECK_INT(json_integer_value(json_object_get(of, "bulwark.suppressed")), 7);
		CHECK_STR(json_string_value(json_object_get(of, "container.id")), "c1");
		alert_free(&s);
	}
	/* a full table evicts the least recently seen key, reporting what it folded first */
	for (i = 0; i < 5; i++)
		ratelimit__check(rl, &a, "c2", t + 1100000000ull, on_summary, &sm);
	json_t *j2 = make_alert("R2", "Warning", "/y", "c3");
	if (load_alert(j2, &a2) == 0) {
		for (i = 0; i < 5; i++)
			ratelimit__check(rl, &a2, "c3", t + 1100000000ull, on_summary, &sm);
		alert_free(&a2);
	}
	CHECK_INT(sm.n, 1); /* the least recently seen key, c1, is evicted: nothing pending, no summary */
	json_t *j3 = make_alert("R3", "Warning", "/z", "c4");
	if (load_alert(j3, &a3) == 0) {
		ratelimit__check(rl, &a3, "c4", t + 1100000000ull, on_summary, &sm);
		alert_free(&a3);
	}
	CHECK_INT(sm.n, 2); /* now c2 is evicted with its 2 folded alerts */
	ratelimit__flush(rl, t, true, on_summary, &sm);
	CHECK_INT(sm.n, 3); /* c3's fold, forced out at stop */
	CHECK_INT(sm.count, 7 + 2 + 2);
	json_decref(j2);
	json_decref(j3);
	json_decref(sm.last);
	json_decref(j);
	alert_free(&a);
	ratelimit__free(rl);
}

/* ---- spec parsing -------------------------------------------------------------- */

static void test_config_parse(void)
{
	struct output_config c;
	char err[300];

	CHECK(output_config_parse("stdout", &c, err, sizeof(err)) == 0, "%s", err);
	CHECK(c.kind == OUTPUT_STDOUT && c.format == FORMAT_JSON && !c.spool_dir[0], "stdout defaults");
	CHECK(output_config_parse("file:/var/log/bulwark.json?rotate_mb=100", &c, err, sizeof(err)) == 0, "%s", err);
	CHECK(c.kind == OUTPUT_FILE && c.rotate_mb == 100, "file");
	CHECK_STR(c.path, "/var/log/bulwark.json");
	CHECK(output_config_parse("syslog+udp://127.0.0.1:514?format=rfc5424", &c, err, sizeof(err)) != 0,
	      "format=rfc5424 is not a format");
	CHECK(output_config_parse("syslog+tls://logs.example:6514?ca=/ca.pem&cert=/c.pem&key=/k.pem&format=cef", &c,
				  err, sizeof(err)) == 0, "%s", err);
	CHECK(c.transport == TRANSPORT_TLS && c.port == 6514 && c.format == FORMAT_CEF, "syslog tls");
	CHECK_STR(c.host, "logs.example");
	CHECK(output_config_parse("splunk+https://h:8088?token_env=HEC_TOKEN&gzip=1&batch=100&batch_ms=50", &c, err,
				  sizeof(err)) == 0, "%s", err);
	CHECK(c.kind == OUTPUT_SPLUNK && c.gzip && c.batch == 100 && c.batch_ms == 50, "splunk");
	CHECK_STR(c.token.env, "HEC_TOKEN");
	CHECK(output_config_parse("splunk+https://h:8088", &c, err, sizeof(err)) != 0, "splunk without a token");
	CHECK(output_config_parse("splunk+https://h?token=abc", &c, err, sizeof(err)) != 0, "inline token accepted");
	CHECK(strstr(err, "abc") == NULL, "the secret is echoed: %s", err);
	CHECK(output_config_parse("elastic+https://h:9200?index=bulwark&user=u&password_env=P", &c, err,
				  sizeof(err)) == 0, "%s", err);
	CHECK(c.format == FORMAT_ECS && c.port == 9200, "elastic defaults to ecs");
	CHECK(output_config_parse("elastic+http://h?format=cef", &c, err, sizeof(err)) != 0, "elastic cef");
	CHECK(output_config_parse("loki+http://[::1]:3100?min_priority=warning", &c, err, sizeof(err)) == 0, "%s", err);
	CHECK(c.min_priority == PRIO_WARNING && c.port == 3100, "loki");
	CHECK_STR(c.host, "::1");
	CHECK(output_config_parse("webhook+https://h/hook?hmac_key_file=/k&spool_dir=/s&spool_mb=5", &c, err,
				  sizeof(err)) == 0, "%s", err);
	CHECK(c.kind == OUTPUT_WEBHOOK && c.batch == 1 && c.spool_mb == 5, "webhook");
	CHECK_STR(c.path, "/hook");
	CHECK(strncmp(c.name, "webhook-", 8) == 0, "name %s", c.name);
	CHECK(output_config_parse("nosuch://x", &c, err, sizeof(err)) != 0, "unknown scheme");
	CHECK(output_config_parse("syslog+tcp://h?bogus=1", &c, err, sizeof(err)) != 0, "unknown option");
	CHECK(output_config_parse("syslog+tcp://h?gzip=1", &c, err, sizeof(err)) != 0, "gzip on syslog");
	CHECK(output_config_parse("syslog+tcp://h?ca=/x", &c, err, sizeof(err)) != 0, "ca on plain tcp");
	CHECK(output_config_parse("file:/x?name=../evil", &c, err, sizeof(err)) != 0, "name with a slash");
	CHECK(output_config_parse("loki+http://h?tenant=a%0d%0aX-Evil:%201", &c, err, sizeof(err)) != 0,
	      "header injection through tenant=");
}

/* ---- helpers of the HTTP sinks --------------------------------------------------- */

static void test_gzip_hmac(void)
{
	struct strbuf gz = STRBUF_INIT;
	char out[4096], mac[65];
	const char *in = "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n";
	z_stream z = { 0 };

	CHECK(gzip_buf(in, strlen(in), &gz) == 0, "gzip");
	CHECK(gz.len > 10 && (uint8_t)gz.buf[0] == 0x1f && (uint8_t)gz.buf[1] == 0x8b, "not gzip");
	inflateInit2(&z, 31);
	z.next_in = (Bytef *)gz.buf;
	z.avail_in = gz.len;
	z.next_out = (Bytef *)out;
	z.avail_out = sizeof(out);
	CHECK(inflate(&z, Z_FINISH) == Z_STREAM_END, "inflate");
	CHECK(z.total_out == strlen(in) && memcmp(out, in, z.total_out) == 0, "round trip");
	inflateEnd(&z);
	strbuf_free(&gz);
	/* RFC 4231 test case 2 */
	hmac_sha256_hex("Jefe", 4, "what do ya want for nothing?", 28, mac);
	CHECK_STR(mac, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

/* ---- the pipeline ---------------------------------------------------------------- */

static int count_lines(const char *path, json_t *uuids)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	int n = 0;

	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		json_t *j = json_loads(line, 0, NULL);

		CHECK(j != NULL, "unparsable line %s", line);
		if (j && uuids)
			json_object_set_new(uuids, json_string_value(json_object_get(j, "uuid")), json_true());
		json_decref(j);
		n++;
	}
	free(line);
	fclose(f);
	return n;
}

/* The receiver (a file in a directory that does not exist yet) is "down", then comes up. */
static void test_pipeline_outage(void)
{
	struct output_config cfg[2];
	struct output_stats st[2];
	struct outputs *o;
	char spec[1024], err[300], out_dir[128], out_file[200], out2[200];
	json_t *uuids = json_object();
	int i, n;

	snprintf(out_dir, sizeof(out_dir), "%s/late", tmpdir);
	snprintf(out_file, sizeof(out_file), "%s/alerts.json", out_dir);
	snprintf(out2, sizeof(out2), "%s/errors-only.json", tmpdir);
	/* a file output that cannot open its file fails at start: create it, then take the directory away */
	mkdir(out_dir, 0700);
	snprintf(spec, sizeof(spec), "file:%s?spool_dir=%s/sp&retry_ms=20&retry_max_ms=50&queue=100&batch=50", out_file,
		 tmpdir);
	CHECK(output_config_parse(spec, &cfg[0], err, sizeof(err)) == 0, "%s", err);
	snprintf(spec, sizeof(spec), "file:%s?min_priority=error&spool=0", out2);
	CHECK(output_config_parse(spec, &cfg[1], err, sizeof(err)) == 0, "%s", err);
	o = outputs__new(cfg, 2, err, sizeof(err));
	CHECK(o != NULL, "outputs__new: %s", err);
	if (!o)
		return;
	outputs__set_ratelimit(o, NULL); /* 2000 alerts of one rule and container: no folding here */
	unlink(out_file);
	rmdir(out_dir);
	outputs__reopen(o); /* the next write opens the path again, and fails */
	for (i = 0; i < 2000; i++) {
		json_t *j = make_alert("R", i % 10 == 0 ? "Critical" : "Notice", "/f", "c");
		struct strbuf sb = STRBUF_INIT;

		json_dump_value(&sb, j);
		CHECK(outputs__publish(o, sb.buf, sb.len) == 0, "publish");
		strbuf_free(&sb);
		json_decref(j);
	}
	CHECK(outputs__publish(o, "{not json", 9) == -EINVAL, "malformed accepted");
	usleep(300000);
	outputs__stats(o, st, 2);
	CHECK(st[0].spooled > 1000, "spooled only %llu while down", (unsigned long long)st[0].spooled);
	CHECK(st[0].sent == 0, "sent %llu while down", (unsigned long long)st[0].sent);
	CHECK_INT(st[1].sent, 200); /* the other output is not held up */
	mkdir(out_dir, 0700);
	CHECK(outputs__drain(o, 10000) == 0, "not drained");
	outputs__stop(o, 2000);
	outputs__stats(o, st, 2);
	CHECK_INT(st[0].dropped, 0);
	CHECK_INT(st[0].dead_lettered, 0);
	CHECK(st[0].sent >= 2000, "sent %llu", (unsigned long long)st[0].sent);
	CHECK_INT(st[0].spool_bytes, 0);
	outputs__free(o);
	n = count_lines(out_file, uuids);
	CHECK(n >= 2000, "%d lines", n);
	CHECK_INT(json_object_size(uuids), 2000);
	CHECK_INT(count_lines(out2, NULL), 200);
	json_decref(uuids);
}

/* Receiver down, spool capped at 1 MiB: what does not fit is dropped, and every alert is accounted for. */
static void test_pipeline_spool_full(void)
{
	struct output_config cfg;
	struct output_stats st;
	struct outputs *o;
	char spec[1024], err[300];
	int i;

	snprintf(spec, sizeof(spec), "file:%s/nodir/x.json?spool_dir=%s/full&spool_mb=1&queue=10&retry_ms=5000",
		 tmpdir, tmpdir);
	CHECK(output_config_parse(spec, &cfg, err, sizeof(err)) == 0, "%s", err);
	/* the file output opens its file at start: give it one, then take the directory away */
	snprintf(spec, sizeof(spec), "%s/nodir", tmpdir);
	mkdir(spec, 0700);
	o = outputs__new(&cfg, 1, err, sizeof(err));
	CHECK(o != NULL, "outputs__new: %s", err);
	if (!o)
		return;
	outputs__set_ratelimit(o, NULL);
	snprintf(spec, sizeof(spec), "%s/nodir/x.json", tmpdir);
	unlink(spec);
	snprintf(spec, sizeof(spec), "%s/nodir", tmpdir);
	rmdir(spec);
	outputs__reopen(o);
	for (i = 0; i < 5000; i++) {
		json_t *j = make_alert("R", "Warning", "/some/file/name/of/a/typical/length", "c");
		struct strbuf sb = STRBUF_INIT;

		json_dump_value(&sb, j);
		outputs__publish(o, sb.buf, sb.len);
		strbuf_free(&sb);
		json_decref(j);
	}
	outputs__stop(o, 500);
	outputs__stats(o, &st, 1);
	CHECK(st.dropped > 1000 && st.dropped < 4000, "dropped %llu", (unsigned long long)st.dropped);
	CHECK(st.spool_bytes <= (1u << 20), "spool over its cap: %llu", (unsigned long long)st.spool_bytes);
	CHECK_INT(st.sent, 0);
	/* each alert is in the spool or counted as dropped: none vanished */
	{
		char dir[300];
		struct spool *sp;
		struct spool_rec recs[64];
		uint64_t n = 0;
		int k, m;

		outputs__free(o);
		o = NULL;
		snprintf(dir, sizeof(dir), "%s/full/%s", tmpdir, cfg.name);
		sp = spool__open(dir, 1 << 20, err, sizeof(err));
		CHECK(sp != NULL, "%s", err);
		while (sp && (m = spool__peek(sp, recs, 64, 1 << 20)) > 0) {
			for (k = 0; k < m; k++)
				free(recs[k].data);
			spool__commit(sp, recs[m - 1].end);
			n += m;
		}
		spool__free(sp);
		CHECK_INT(n + st.dropped, 5000);
	}
	outputs__free(o);
}

int main(void)
{
	char cmd[128];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/bulwark-test-output.XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;
	RUN(test_escapers);
	RUN(test_json_dump);
	RUN(test_format_json_ecs_ocsf);
	RUN(test_format_cef_leef);
	RUN(test_syslog5424);
	RUN(test_format_struct_bytes);
	RUN(test_alert_copy_utf8);
	RUN(test_format_falco_order);
	RUN(test_format_text);
	RUN(test_terminal_defaults);
	RUN(test_spool_basic);
	RUN(test_spool_cap);
	RUN(test_spool_torn_and_corrupt);
	RUN(test_backoff);
	RUN(test_ratelimit);
	RUN(test_config_parse);
	RUN(test_gzip_hmac);
	RUN(test_pipeline_outage);
	RUN(test_pipeline_spool_full);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd))
		return 1;
	return check_summary();
}
