// SPDX-License-Identifier: Apache-2.0
/*
 * Alert formats (json, ecs, ocsf, cef, leef) and the RFC 5424 syslog message.
 *
 * Every string that reaches a receiver is escaped for the syntax it lands in,
 * so that no file name, argument or container name can end a line, a record,
 * a header field, an extension value or a structured-data parameter:
 *   JSON      jw_strn's rules, plus C1 controls and U+2028/U+2029 as \uXXXX
 *   CEF       header: \\ \| ; extension value: \\ \= ; both: \n \r
 *   LEEF      value: \\ \= \t (the delimiter) \n \r ; header: \\ \|
 *   SD-PARAM  \n \r \t \\ (C style), then \\ \" \] on top (RFC 5424 section 6.3.3)
 * In CEF, LEEF and SD-PARAM, control characters that have no escape of their
 * own (ESC, DEL, C1 ...) are written as \uXXXX, so terminals and parsers never
 * see them raw; the backslash itself is always escaped, so this is reversible.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

/* ---- JSON --------------------------------------------------------------------- */

void json_dump_str(struct strbuf *sb, const char *str, size_t n)
{
	jw_escape(sb, str, n, JW_ESC_UNSAFE);
}

static void json_add_real(struct strbuf *sb, double d)
{
	char num[40];
	int n = snprintf(num, sizeof(num), "%.17g", d);

	strbuf_add(sb, num, n);
	if (!strpbrk(num, ".eE"))
		strbuf_add(sb, ".0", 2);
}

void json_dump_value(struct strbuf *sb, const json_t *v)
{
	const char *key;
	json_t *m;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		strbuf_addc(sb, '{');
		i = 0;
		json_object_foreach((json_t *)v, key, m) {
			if (i++)
				strbuf_addc(sb, ',');
			json_dump_str(sb, key, strlen(key));
			strbuf_addc(sb, ':');
			json_dump_value(sb, m);
		}
		strbuf_addc(sb, '}');
		break;
	case JSON_ARRAY:
		strbuf_addc(sb, '[');
		for (i = 0; i < json_array_size(v); i++) {
			if (i)
				strbuf_addc(sb, ',');
			json_dump_value(sb, json_array_get(v, i));
		}
		strbuf_addc(sb, ']');
		break;
	case JSON_STRING:
		json_dump_str(sb, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		strbuf_addf(sb, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		json_add_real(sb, json_real_value(v));
		break;
	case JSON_TRUE:
		strbuf_add(sb, "true", 4);
		break;
	case JSON_FALSE:
		strbuf_add(sb, "false", 5);
		break;
	default:
		strbuf_add(sb, "null", 4);
		break;
	}
}

/* ---- the alert as JSON (Falco's schema) -------------------------------------------- */

static void json_alert_value(struct strbuf *sb, const struct alert_value *v)
{
	size_t i, off, n;

	switch (v->type) {
	case AV_STR:
		json_dump_str(sb, v->s.p, v->s.len);
		break;
	case AV_INT:
		strbuf_addf(sb, "%" PRId64, v->i);
		break;
	case AV_UINT:
		strbuf_addf(sb, "%" PRIu64, v->u);
		break;
	case AV_REAL:
		json_add_real(sb, v->d);
		break;
	case AV_BOOL:
		if (v->b)
			strbuf_add(sb, "true", 4);
		else
			strbuf_add(sb, "false", 5);
		break;
	case AV_STRLIST:
		strbuf_addc(sb, '[');
		for (i = 0, off = 0; i < v->s.n; i++) {
			n = strlen(v->s.p + off);
			if (i)
				strbuf_addc(sb, ',');
			json_dump_str(sb, v->s.p + off, n);
			off += n + 1;
		}
		strbuf_addc(sb, ']');
		break;
	case AV_JSON:
		strbuf_add(sb, v->s.p, v->s.len); /* canonical already (json_dump_value) */
		break;
	default:
		strbuf_add(sb, "null", 4);
		break;
	}
}

static void json_kv(struct strbuf *sb, const struct alert_kv *kv)
{
	json_dump_str(sb, kv->name, strlen(kv->name));
	strbuf_addc(sb, ':');
	json_alert_value(sb, &kv->v);
}

static void json_cstr(struct strbuf *sb, const char *s)
{
	json_dump_str(sb, s, strlen(s));
}

struct sort_ctx {
	const struct alert *a;
	bool tags;
};

static const char *sort_name(const struct sort_ctx *c, size_t i, size_t *len)
{
	if (c->tags) {
		*len = c->a->tags[i].len;
		return c->a->tags[i].p;
	}
	*len = strlen(c->a->fields[i].name);
	return c->a->fields[i].name;
}

static int name_cmp(const void *x, const void *y, void *ctx)
{
	const struct sort_ctx *c = ctx;
	size_t la, lb;
	const char *a = sort_name(c, *(const size_t *)x, &la), *b = sort_name(c, *(const size_t *)y, &lb);
	int r = memcmp(a, b, la < lb ? la : lb);

	return r ? r : la < lb ? -1 : la > lb;
}

/*
 * The order to write n fields or tags in: byte order of the names (Falco's
 * JSON writer sorts object keys, and its tags are a sorted set). idx has room
 * for n; NULL back means "as they are" (already sorted, or no memory).
 */
static const size_t *sorted(const struct alert *a, bool tags, size_t n, size_t *idx)
{
	struct sort_ctx c = { a, tags };
	size_t i;

	for (i = 1; i < n; i++) {
		size_t x = i - 1, y = i;

		if (name_cmp(&x, &y, &c) > 0)
			break;
	}
	if (i >= n || !idx)
		return NULL;
	for (i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), name_cmp, &c);
	return idx;
}

/* The order to write the n fields or tags in (sorted when sort), NULL: as they are; *heap to free. */
static const size_t *write_order(const struct alert *a, bool tags, size_t n, bool sort, size_t stack[64], size_t **heap)
{
	*heap = NULL;
	if (!sort)
		return NULL;
	if (n > 64)
		*heap = malloc(n * sizeof(**heap));
	return sorted(a, tags, n, n > 64 ? *heap : stack);
}

static void json_fields(struct strbuf *sb, const struct alert *a, bool sort)
{
	size_t i, stack[64], *heap;
	const size_t *order = write_order(a, false, a->nfields, sort, stack, &heap);

	strbuf_addc(sb, '{');
	for (i = 0; i < a->nfields; i++) {
		if (i)
			strbuf_addc(sb, ',');
		json_kv(sb, &a->fields[order ? order[i] : i]);
	}
	strbuf_addc(sb, '}');
	free(heap);
}

/* Tags as a set: sorted, each once (Falco keeps them in a std::set). */
static void json_tags(struct strbuf *sb, const struct alert *a, bool sort)
{
	size_t i, n = 0, stack[64], *heap;
	const size_t *order = write_order(a, true, a->ntags, sort, stack, &heap);
	const struct alert_str *t, *prev = NULL;

	strbuf_addc(sb, '[');
	for (i = 0; i < a->ntags; i++) {
		t = &a->tags[order ? order[i] : i];
		if (sort && prev && prev->len == t->len && memcmp(prev->p, t->p, t->len) == 0)
			continue;
		if (n++)
			strbuf_addc(sb, ',');
		json_dump_str(sb, t->p, t->len);
		prev = t;
	}
	strbuf_addc(sb, ']');
	free(heap);
}

/* sort: an alert of the agent's own (no order read from a line): Falco's key order inside output_fields and tags. */
static void json_member(struct strbuf *sb, const struct alert *a, unsigned m, bool sort)
{
	if (m >= AM_EXTRA) {
		json_kv(sb, &a->extra[m - AM_EXTRA]);
		return;
	}
	json_cstr(sb, alert_member_name(m));
	strbuf_addc(sb, ':');
	switch (m) {
	case AM_TIME: json_cstr(sb, a->time); break;
	case AM_RULE: json_cstr(sb, a->rule); break;
	case AM_PRIORITY: json_cstr(sb, a->priority_text); break;
	case AM_OUTPUT: json_dump_str(sb, a->output, a->output_len); break;
	case AM_HOSTNAME: json_cstr(sb, a->hostname); break;
	case AM_SOURCE: json_cstr(sb, a->source); break;
	case AM_UUID: json_cstr(sb, a->uuid); break;
	case AM_FIELDS: json_fields(sb, a, sort); break;
	case AM_TAGS: json_tags(sb, a, sort); break;
	}
}

/*
 * The agent's own member order is Falco's: its JSON writer keeps object keys
 * sorted, so an alert reads hostname, output, output_fields, priority, rule,
 * source, tags, time; our uuid sorts last on its own.
 */
static const uint8_t falco_order[AM_EXTRA] = {
	AM_HOSTNAME, AM_OUTPUT, AM_FIELDS, AM_PRIORITY, AM_RULE, AM_SOURCE, AM_TAGS, AM_TIME, AM_UUID,
};

/* One line, the members in the order the alert was read (or Falco's), as json_dump_value writes JSON. */
static void format_json(struct strbuf *sb, const struct alert *a)
{
	size_t i, n = 0;
	unsigned m;

	strbuf_grow(sb, 1024);
	strbuf_addc(sb, '{');
	if (a->order) {
		for (i = 0; i < a->norder; i++) {
			if (i)
				strbuf_addc(sb, ',');
			json_member(sb, a, a->order[i], false);
		}
	} else {
		for (i = 0; i < AM_EXTRA + a->nextra; i++) {
			m = i < AM_EXTRA ? falco_order[i] : i;
			if (m < AM_EXTRA && !(a->has & (1u << m)))
				continue;
			if (n++)
				strbuf_addc(sb, ',');
			json_member(sb, a, m, true);
		}
	}
	strbuf_addc(sb, '}');
}

/*
 * Falco's text line: its "output" (HH:MM:SS.nnnnnnnnn: Priority message),
 * escaped as a JSON string without the quotes, as Falco escapes it, so a
 * terminal never receives a raw control character from a file name.
 */
static void format_text(struct strbuf *sb, const struct alert *a)
{
	struct strbuf line = STRBUF_INIT;
	const char *s = a->output;
	size_t n = a->output_len, off = sb->len;

	if (!(a->has & (1u << AM_OUTPUT))) {
		char t[40];
		time_t sec = a->sec;
		struct tm tm;

		gmtime_r(&sec, &tm);
		snprintf(t, sizeof(t), "%02d:%02d:%02d.%09ld", tm.tm_hour, tm.tm_min, tm.tm_sec, a->nsec);
		strbuf_addf(&line, "%s: %s %s", t, a->priority_name ? a->priority_name : "", a->rule ? a->rule : "");
		s = line.buf;
		n = line.len;
	}
	json_dump_str(sb, s, n);
	/* drop the quotes */
	memmove(sb->buf + off, sb->buf + off + 1, sb->len - off - 2);
	sb->len -= 2;
	sb->buf[sb->len] = '\0';
	strbuf_free(&line);
}

/* ---- text escaping for CEF, LEEF and SD-PARAM ------------------------------------ */

static void esc_text(struct strbuf *sb, const char *str, size_t n, const char *specials, bool esc_tab)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, len;
	uint32_t cp;

	strbuf_grow(sb, n);
	while (i < n) {
		len = jw_utf8_decode(s + i, n - i, &cp);
		if (len == 0) {
			strbuf_addf(sb, "\\u%04x", s[i]);
			i++;
			continue;
		}
		if (cp == '\\' || (cp < 0x80 && cp && strchr(specials, (int)cp))) {
			strbuf_addc(sb, '\\');
			strbuf_addc(sb, (char)cp);
		} else if (cp == '\n') {
			strbuf_add(sb, "\\n", 2);
		} else if (cp == '\r') {
			strbuf_add(sb, "\\r", 2);
		} else if (cp == '\t' && esc_tab) {
			strbuf_add(sb, "\\t", 2);
		} else if (cp == '\t') {
			strbuf_addc(sb, '\t');
		} else if (jw_cp_unsafe(cp)) {
			strbuf_addf(sb, "\\u%04x", cp);
		} else {
			strbuf_add(sb, s + i, len);
		}
		i += len;
	}
}

void esc_cef_header(struct strbuf *sb, const char *s, size_t n)
{
	esc_text(sb, s, n, "|", true);
}

void esc_cef_value(struct strbuf *sb, const char *s, size_t n)
{
	esc_text(sb, s, n, "=", true);
}

void esc_leef_value(struct strbuf *sb, const char *s, size_t n)
{
	esc_text(sb, s, n, "=", true);
}

/*
 * Two layers, so that a standard RFC 5424 parser (which undoes \\ \" \] only)
 * followed by C-style unescaping gives back the original exactly: first the
 * control characters as \n \r \t \uXXXX with \ doubled, then RFC 5424.
 */
void esc_sd_value(struct strbuf *sb, const char *s, size_t n)
{
	struct strbuf c = STRBUF_INIT;
	size_t i;

	esc_text(&c, s, n, "", true);
	strbuf_grow(sb, c.len + 8);
	for (i = 0; i < c.len; i++) {
		if (c.buf[i] == '\\' || c.buf[i] == '"' || c.buf[i] == ']')
			strbuf_addc(sb, '\\');
		strbuf_addc(sb, c.buf[i]);
	}
	strbuf_free(&c);
}

/* ---- shared helpers ----------------------------------------------------------- */

int priority_cef_severity(enum alert_priority p)
{
	static const int sev[ALERT_PRIO_MAX] = { 10, 9, 8, 7, 5, 3, 1, 0 };

	return p < ALERT_PRIO_MAX ? sev[p] : 5;
}

/* OCSF severity_id: 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical, 6 Fatal */
int priority_ocsf_severity(enum alert_priority p)
{
	static const int sev[ALERT_PRIO_MAX] = { 6, 5, 5, 4, 3, 2, 1, 1 };

	return p < ALERT_PRIO_MAX ? sev[p] : 99;
}

static const char *ocsf_severity_name(int id)
{
	switch (id) {
	case 1: return "Informational";
	case 2: return "Low";
	case 3: return "Medium";
	case 4: return "High";
	case 5: return "Critical";
	case 6: return "Fatal";
	default: return "Other";
	}
}

static json_t *jstrn(const char *s, size_t n)
{
	return json_stringn_nocheck(s ? s : "", s ? n : 0);
}

/* Sets root.a.b.c = v (steals v), creating objects on the way. */
static void set_path(json_t *root, const char *path, json_t *v)
{
	char key[128];
	const char *dot;
	json_t *o = root, *next;

	while ((dot = strchr(path, '.'))) {
		size_t n = dot - path;

		if (n >= sizeof(key))
			n = sizeof(key) - 1;
		memcpy(key, path, n);
		key[n] = '\0';
		next = json_object_get(o, key);
		if (!json_is_object(next)) {
			next = json_object();
			json_object_set_new(o, key, next);
		}
		o = next;
		path = dot + 1;
	}
	json_object_set_new(o, path, v);
}

/* A field value as a jansson value (ECS and OCSF documents are built as trees: nested paths fill in any order). */
static json_t *av_json(const struct alert_value *v)
{
	json_t *arr;
	size_t i, off, n;

	switch (v->type) {
	case AV_STR: return jstrn(v->s.p, v->s.len);
	case AV_INT: return json_integer(v->i);
	case AV_UINT: return json_integer((json_int_t)v->u);
	case AV_REAL: return json_real(v->d);
	case AV_BOOL: return json_boolean(v->b);
	case AV_STRLIST:
		arr = json_array();
		for (i = 0, off = 0; i < v->s.n; i++) {
			n = strlen(v->s.p + off);
			json_array_append_new(arr, jstrn(v->s.p + off, n));
			off += n + 1;
		}
		return arr;
	case AV_JSON: return json_loadb(v->s.p, v->s.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	default: return json_null();
	}
}

static json_t *fields_json(const struct alert *a)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < a->nfields; i++)
		json_object_set_new(o, a->fields[i].name, av_json(&a->fields[i].v));
	return o;
}

static json_t *tags_json(const struct alert *a)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < a->ntags; i++)
		json_array_append_new(arr, jstrn(a->tags[i].p, a->tags[i].len));
	return arr;
}

static const struct alert_value *of_get(const struct alert *a, const char *name)
{
	const struct alert_value *v = alert_get(a, name);

	return v && v->type != AV_NULL ? v : NULL;
}

static bool av_integer(const struct alert_value *v, int64_t *x)
{
	if (v->type == AV_INT)
		*x = v->i;
	else if (v->type == AV_UINT)
		*x = (int64_t)v->u;
	else
		return false;
	return true;
}

/* A field as a number when it is one or a decimal string (pids arrive either way). */
static json_t *as_number(const struct alert_value *v)
{
	char *end;
	long long x;
	int64_t i;

	if (av_integer(v, &i))
		return json_integer(i);
	if (v->type == AV_STR && v->s.len) {
		x = strtoll(v->s.p, &end, 10);
		if (!*end)
			return json_integer(x);
	}
	return NULL;
}

static void add_time_ms(struct strbuf *sb, const struct alert *a)
{
	strbuf_addf(sb, "%" PRId64, a->sec * 1000 + a->nsec / 1000000);
}

/* ---- ECS ---------------------------------------------------------------------- */

struct field_map {
	const char *falco, *target;
	bool number;
};

static const struct field_map ecs_map[] = {
	{ "proc.name", "process.name" },
	{ "proc.exepath", "process.executable" },
	{ "proc.cmdline", "process.command_line" },
	{ "proc.pid", "process.pid", true },
	{ "proc.cwd", "process.working_directory" },
	{ "proc.pname", "process.parent.name" },
	{ "proc.ppid", "process.parent.pid", true },
	{ "proc.pcmdline", "process.parent.command_line" },
	{ "user.name", "user.name" },
	{ "user.uid", "user.id" },
	{ "group.gid", "group.id" },
	{ "fd.name", "file.path" },
	{ "fd.directory", "file.directory" },
	{ "fd.filename", "file.name" },
	{ "fd.rip", "destination.ip" },
	{ "fd.rport", "destination.port", true },
	{ "container.id", "container.id" },
	{ "container.name", "container.name" },
	{ "container.image.repository", "container.image.name" },
	{ "container.image.tag", "container.image.tag" },
	{ "k8s.ns.name", "orchestrator.namespace" },
	{ "k8s.pod.name", "orchestrator.resource.name" },
	{ "evt.type", "event.action" },
};

/* ECS objects must not have dots in field names (Elasticsearch makes them paths). */
static void flat_key(char *out, size_t size, const char *in)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < size; i++)
		out[i] = (in[i] >= 'a' && in[i] <= 'z') || (in[i] >= 'A' && in[i] <= 'Z') ||
				 (in[i] >= '0' && in[i] <= '9') ? in[i] : '_';
	out[i] = '\0';
}

static void format_ecs(struct strbuf *sb, const struct alert *a)
{
	json_t *doc = json_object(), *flat;
	const struct alert_value *v;
	char ts[40], key[128], sev[16];
	size_t i;

	fmt_rfc3339(ts, sizeof(ts), a->sec, a->nsec);
	json_object_set_new(doc, "@timestamp", json_string(ts));
	json_object_set_new(doc, "message", jstrn(a->output, a->output_len));
	set_path(doc, "ecs.version", json_string("8.11.0"));
	set_path(doc, "event.kind", json_string("alert"));
	set_path(doc, "event.category", json_pack("[s]", "intrusion_detection"));
	set_path(doc, "event.type", json_pack("[s]", "info"));
	set_path(doc, "event.severity", json_integer(priority_cef_severity(a->priority)));
	set_path(doc, "event.id", json_string(a->uuid));
	set_path(doc, "event.module", json_string(BULWARK_PRODUCT));
	set_path(doc, "event.dataset", json_string("bulwark.alert"));
	set_path(doc, "event.provider", json_string(a->source));
	set_path(doc, "rule.name", json_string(a->rule));
	set_path(doc, "rule.ruleset", json_string(BULWARK_PRODUCT));
	snprintf(sev, sizeof(sev), "%s", a->priority_name);
	for (i = 0; sev[i]; i++)
		sev[i] = sev[i] >= 'A' && sev[i] <= 'Z' ? sev[i] + 32 : sev[i];
	set_path(doc, "log.level", json_string(sev));
	set_path(doc, "host.hostname", json_string(a->hostname));
	set_path(doc, "host.name", json_string(a->hostname));
	set_path(doc, "observer.vendor", json_string(BULWARK_PRODUCT));
	set_path(doc, "observer.product", json_string(BULWARK_PRODUCT));
	set_path(doc, "observer.type", json_string("runtime-security"));
	if (a->has & (1u << AM_TAGS))
		json_object_set_new(doc, "tags", tags_json(a));
	for (i = 0; i < sizeof(ecs_map) / sizeof(ecs_map[0]); i++) {
		v = of_get(a, ecs_map[i].falco);
		if (!v)
			continue;
		if (ecs_map[i].number) {
			json_t *num = as_number(v);

			if (num)
				set_path(doc, ecs_map[i].target, num);
		} else if (v->type == AV_STR) {
			set_path(doc, ecs_map[i].target, jstrn(v->s.p, v->s.len));
		} else {
			char buf[64];
			size_t n;
			const char *s = alert_value_text(v, buf, sizeof(buf), &n);

			set_path(doc, ecs_map[i].target, jstrn(s, n));
		}
	}
	if (of_get(a, "k8s.pod.name")) {
		set_path(doc, "orchestrator.type", json_string("kubernetes"));
		set_path(doc, "orchestrator.resource.type", json_string("pod"));
	}
	set_path(doc, "bulwark.priority", json_string(a->priority_name));
	flat = json_object();
	for (i = 0; i < a->nfields; i++) {
		flat_key(key, sizeof(key), a->fields[i].name);
		json_object_set_new(flat, key, av_json(&a->fields[i].v));
	}
	set_path(doc, "bulwark.output_fields", flat);
	json_dump_value(sb, doc);
	json_decref(doc);
}

/* ---- OCSF Detection Finding ------------------------------------------------------ */

static void format_ocsf(struct strbuf *sb, const struct alert *a)
{
	json_t *doc = json_object(), *num;
	const struct alert_value *v;
	int64_t uid, ms = a->sec * 1000 + a->nsec / 1000000;
	int sev = priority_ocsf_severity(a->priority);

	json_object_set_new(doc, "class_uid", json_integer(2004));
	json_object_set_new(doc, "class_name", json_string("Detection Finding"));
	json_object_set_new(doc, "category_uid", json_integer(2));
	json_object_set_new(doc, "category_name", json_string("Findings"));
	json_object_set_new(doc, "activity_id", json_integer(1));
	json_object_set_new(doc, "activity_name", json_string("Create"));
	json_object_set_new(doc, "type_uid", json_integer(200401));
	json_object_set_new(doc, "type_name", json_string("Detection Finding: Create"));
	json_object_set_new(doc, "time", json_integer(ms));
	json_object_set_new(doc, "severity_id", json_integer(sev));
	json_object_set_new(doc, "severity", json_string(ocsf_severity_name(sev)));
	json_object_set_new(doc, "status_id", json_integer(1));
	json_object_set_new(doc, "status", json_string("New"));
	json_object_set_new(doc, "message", jstrn(a->output, a->output_len));
	set_path(doc, "metadata.version", json_string("1.1.0"));
	set_path(doc, "metadata.uid", json_string(a->uuid));
	set_path(doc, "metadata.original_time", json_string(a->time));
	set_path(doc, "metadata.product.name", json_string(BULWARK_PRODUCT));
	set_path(doc, "metadata.product.vendor_name", json_string(BULWARK_PRODUCT));
	set_path(doc, "metadata.product.version", json_string(BULWARK_VERSION));
	set_path(doc, "finding_info.uid", json_string(a->uuid));
	set_path(doc, "finding_info.title", json_string(a->rule));
	set_path(doc, "finding_info.desc", jstrn(a->output, a->output_len));
	set_path(doc, "finding_info.created_time", json_integer(ms));
	if (a->has & (1u << AM_TAGS))
		set_path(doc, "finding_info.types", tags_json(a));
	set_path(doc, "finding_info.analytic.name", json_string(a->rule));
	set_path(doc, "finding_info.analytic.type_id", json_integer(1));
	set_path(doc, "finding_info.analytic.type", json_string("Rule"));
	set_path(doc, "device.hostname", json_string(a->hostname));
	set_path(doc, "device.type_id", json_integer(1));
	set_path(doc, "device.type", json_string("Server"));
	if ((v = of_get(a, "proc.name")))
		set_path(doc, "actor.process.name", av_json(v));
	if ((v = of_get(a, "proc.pid")) && (num = as_number(v)))
		set_path(doc, "actor.process.pid", num);
	if ((v = of_get(a, "proc.cmdline")))
		set_path(doc, "actor.process.cmd_line", av_json(v));
	if ((v = of_get(a, "proc.exepath")))
		set_path(doc, "actor.process.file.path", av_json(v));
	if ((v = of_get(a, "proc.pname")))
		set_path(doc, "actor.process.parent_process.name", av_json(v));
	if ((v = of_get(a, "user.name")))
		set_path(doc, "actor.user.name", av_json(v));
	if ((v = of_get(a, "user.uid")))
		set_path(doc, "actor.user.uid", v->type == AV_STR ? av_json(v) :
			 json_sprintf("%" PRId64, av_integer(v, &uid) ? uid : 0));
	if ((v = of_get(a, "container.id")))
		set_path(doc, "actor.process.container.uid", av_json(v));
	if ((v = of_get(a, "container.name")))
		set_path(doc, "actor.process.container.name", av_json(v));
	if ((v = of_get(a, "container.image.repository")))
		set_path(doc, "actor.process.container.image.name", av_json(v));
	if ((v = of_get(a, "container.image.tag")))
		set_path(doc, "actor.process.container.image.tag", av_json(v));
	if ((v = of_get(a, "k8s.pod.name")))
		set_path(doc, "actor.process.container.pod_uuid", av_json(v));
	if (a->has & (1u << AM_FIELDS))
		set_path(doc, "unmapped.output_fields", fields_json(a));
	set_path(doc, "unmapped.priority", json_string(a->priority_name));
	set_path(doc, "unmapped.source", json_string(a->source));
	json_dump_value(sb, doc);
	json_decref(doc);
}

/* ---- CEF and LEEF --------------------------------------------------------------- */

/* "proc.aname[2]" -> "bwProcAname2": CEF extension keys are alphanumeric. */
static void cef_key(char *out, size_t size, const char *prefix, const char *in)
{
	size_t n = snprintf(out, size, "%s", prefix);
	bool up = true;

	for (; *in && n + 1 < size; in++) {
		char c = *in;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
			out[n++] = up && c >= 'a' && c <= 'z' ? c - 32 : c;
			up = false;
		} else {
			up = true;
		}
	}
	out[n] = '\0';
}

static const struct field_map cef_map[] = {
	{ "user.name", "suser" },
	{ "user.uid", "suid" },
	{ "proc.name", "sproc" },
	{ "proc.pid", "spid" },
	{ "fd.name", "filePath" },
	{ "container.id", "cs2", false },
	{ "container.name", "cs3", false },
	{ "container.image.repository", "cs4", false },
	{ "k8s.pod.name", "cs5", false },
	{ "k8s.ns.name", "cs6", false },
};
static const char *const cef_labels[] = { "cs2Label=containerId", "cs3Label=containerName",
					  "cs4Label=containerImage", "cs5Label=k8sPod", "cs6Label=k8sNamespace" };

static void cef_kv(struct strbuf *sb, const char *key, const char *val, size_t n)
{
	strbuf_addc(sb, ' ');
	strbuf_add(sb, key, strlen(key));
	strbuf_addc(sb, '=');
	esc_cef_value(sb, val, n);
}

static bool mapped(const struct field_map *map, size_t n, const char *falco)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(map[i].falco, falco) == 0)
			return true;
	return false;
}

static void tags_text(struct strbuf *out, const struct alert *a)
{
	size_t i;

	for (i = 0; i < a->ntags; i++) {
		if (out->len)
			strbuf_addc(out, ',');
		strbuf_add(out, a->tags[i].p, a->tags[i].len);
	}
}

static void format_cef(struct strbuf *sb, const struct alert *a)
{
	struct strbuf tags = STRBUF_INIT;
	char buf[64], key[128];
	const char *s;
	size_t i, n;

	strbuf_add(sb, "CEF:0|" BULWARK_PRODUCT "|" BULWARK_PRODUCT "|", 6 + 2 * strlen(BULWARK_PRODUCT) + 2);
	esc_cef_header(sb, BULWARK_VERSION, strlen(BULWARK_VERSION));
	strbuf_addc(sb, '|');
	esc_cef_header(sb, a->rule, strlen(a->rule));
	strbuf_addc(sb, '|');
	esc_cef_header(sb, a->rule, strlen(a->rule));
	strbuf_addf(sb, "|%d|rt=", priority_cef_severity(a->priority));
	add_time_ms(sb, a);
	cef_kv(sb, "dvchost", a->hostname, strlen(a->hostname));
	cef_kv(sb, "externalId", a->uuid, strlen(a->uuid));
	cef_kv(sb, "cat", a->priority_name, strlen(a->priority_name));
	cef_kv(sb, "msg", a->output, a->output_len);
	tags_text(&tags, a);
	strbuf_add(sb, " cs1Label=tags", 14);
	cef_kv(sb, "cs1", tags.buf ? tags.buf : "", tags.len);
	strbuf_free(&tags);
	for (i = 0; i < sizeof(cef_map) / sizeof(cef_map[0]); i++) {
		s = alert_field(a, cef_map[i].falco, buf, sizeof(buf), &n);
		if (!s)
			continue;
		if (cef_map[i].target[0] == 'c') { /* csN: with its label */
			strbuf_addc(sb, ' ');
			strbuf_add(sb, cef_labels[i - 5], strlen(cef_labels[i - 5]));
		}
		cef_kv(sb, cef_map[i].target, s, n);
	}
	for (i = 0; i < a->nfields; i++) {
		if (mapped(cef_map, sizeof(cef_map) / sizeof(cef_map[0]), a->fields[i].name))
			continue;
		s = alert_value_text(&a->fields[i].v, buf, sizeof(buf), &n);
		if (!s)
			continue;
		cef_key(key, sizeof(key), "bw", a->fields[i].name);
		cef_kv(sb, key, s, n);
	}
}

/* LEEF attribute keys: no '=', delimiter or space; keep [A-Za-z0-9_.]. */
static void leef_key(char *out, size_t size, const char *in)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < size; i++)
		out[i] = (in[i] >= 'a' && in[i] <= 'z') || (in[i] >= 'A' && in[i] <= 'Z') ||
				 (in[i] >= '0' && in[i] <= '9') || in[i] == '.' ? in[i] : '_';
	out[i] = '\0';
}

static void leef_kv(struct strbuf *sb, const char *key, const char *val, size_t n)
{
	strbuf_addc(sb, '\t');
	strbuf_add(sb, key, strlen(key));
	strbuf_addc(sb, '=');
	esc_leef_value(sb, val, n);
}

static void format_leef(struct strbuf *sb, const struct alert *a)
{
	struct strbuf tags = STRBUF_INIT;
	char buf[64], key[128], ts[40];
	const char *s, *user;
	size_t i, n, un;

	strbuf_add(sb, "LEEF:2.0|" BULWARK_PRODUCT "|" BULWARK_PRODUCT "|", 9 + 2 * strlen(BULWARK_PRODUCT) + 2);
	esc_cef_header(sb, BULWARK_VERSION, strlen(BULWARK_VERSION));
	strbuf_addc(sb, '|');
	esc_cef_header(sb, a->rule, strlen(a->rule));
	/* the attribute delimiter, declared in the header: TAB */
	strbuf_add(sb, "|x09|", 5);
	fmt_rfc3339(ts, sizeof(ts), a->sec, a->nsec);
	ts[23] = 'Z'; /* milliseconds: the precision of Java's SimpleDateFormat */
	ts[24] = '\0';
	strbuf_add(sb, "devTime=", 8);
	strbuf_add(sb, ts, strlen(ts));
	leef_kv(sb, "devTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSX", 26);
	strbuf_addf(sb, "\tsev=%d", priority_cef_severity(a->priority));
	leef_kv(sb, "cat", a->priority_name, strlen(a->priority_name));
	leef_kv(sb, "identHostName", a->hostname, strlen(a->hostname));
	leef_kv(sb, "uuid", a->uuid, strlen(a->uuid));
	leef_kv(sb, "rule", a->rule, strlen(a->rule));
	leef_kv(sb, "msg", a->output, a->output_len);
	user = alert_field(a, "user.name", buf, sizeof(buf), &un);
	if (user)
		leef_kv(sb, "usrName", user, un);
	tags_text(&tags, a);
	leef_kv(sb, "tags", tags.buf ? tags.buf : "", tags.len);
	strbuf_free(&tags);
	for (i = 0; i < a->nfields; i++) {
		s = alert_value_text(&a->fields[i].v, buf, sizeof(buf), &n);
		if (!s)
			continue;
		leef_key(key, sizeof(key), a->fields[i].name);
		leef_kv(sb, key, s, n);
	}
}

void format_alert(struct strbuf *sb, enum alert_format fmt, const struct alert *a)
{
	switch (fmt) {
	case FORMAT_ECS:
		format_ecs(sb, a);
		break;
	case FORMAT_OCSF:
		format_ocsf(sb, a);
		break;
	case FORMAT_CEF:
		format_cef(sb, a);
		break;
	case FORMAT_LEEF:
		format_leef(sb, a);
		break;
	case FORMAT_TEXT:
		format_text(sb, a);
		break;
	default:
		format_json(sb, a);
		break;
	}
}

/* ---- RFC 5424 ----------------------------------------------------------------- */

/* HOSTNAME, APP-NAME: PRINTUSASCII (33..126), bounded; "-" when empty. */
static void add_token(struct strbuf *sb, const char *s, size_t max)
{
	size_t i, n = 0;

	for (i = 0; s[i] && n < max; i++) {
		unsigned char c = s[i];

		strbuf_addc(sb, c >= 33 && c <= 126 ? (char)c : '_');
		n++;
	}
	if (n == 0)
		strbuf_addc(sb, '-');
}

/* PARAM-NAME: 1..32 PRINTUSASCII except '=', SP, ']', '"'. */
static void add_sd_name(struct strbuf *sb, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i < 32; i++) {
		unsigned char c = s[i];

		strbuf_addc(sb, c > 32 && c < 127 && c != '=' && c != ']' && c != '"' ? (char)c : '_');
	}
	if (i == 0)
		strbuf_addc(sb, '_');
}

static void sd_param(struct strbuf *sb, const char *name, const char *val, size_t n)
{
	strbuf_addc(sb, ' ');
	add_sd_name(sb, name);
	strbuf_add(sb, "=\"", 2);
	esc_sd_value(sb, val, n);
	strbuf_addc(sb, '"');
}

void format_syslog5424(struct strbuf *sb, const struct output_config *cfg, const struct alert *a, int pid)
{
	char ts[40], buf[64];
	const char *s;
	size_t i, n;

	fmt_rfc3339(ts, sizeof(ts), a->sec, a->nsec);
	ts[26] = 'Z'; /* TIME-SECFRAC has at most 6 digits */
	ts[27] = '\0';
	strbuf_addf(sb, "<%d>1 %s ", cfg->facility * 8 + (int)a->priority, ts);
	add_token(sb, a->hostname, 255);
	strbuf_addc(sb, ' ');
	add_token(sb, cfg->app_name, 48);
	strbuf_addf(sb, " %d alert [" SYSLOG_SD_ID, pid);
	sd_param(sb, "uuid", a->uuid, strlen(a->uuid));
	sd_param(sb, "rule", a->rule, strlen(a->rule));
	sd_param(sb, "priority", a->priority_name, strlen(a->priority_name));
	sd_param(sb, "source", a->source, strlen(a->source));
	strbuf_addc(sb, ']');
	if (a->nfields) {
		strbuf_add(sb, "[" SYSLOG_SD_FIELDS_ID, 1 + strlen(SYSLOG_SD_FIELDS_ID));
		for (i = 0; i < a->nfields; i++) {
			s = alert_value_text(&a->fields[i].v, buf, sizeof(buf), &n);
			if (s)
				sd_param(sb, a->fields[i].name, s, n);
		}
		strbuf_addc(sb, ']');
	}
	strbuf_addc(sb, ' ');
	format_alert(sb, cfg->format, a);
}
