// SPDX-License-Identifier: Apache-2.0
/*
 * The alert struct: owned copies in one block, typed output fields, and the
 * boundary parser of alert lines (alert-send input, spool records).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "internal.h"
#include "util.h"

static const char *const prio_names[ALERT_PRIO_MAX] = {
	"Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug",
};

const char *alert_priority_name(enum alert_priority p)
{
	return p < ALERT_PRIO_MAX ? prio_names[p] : "Unknown";
}

int alert_priority_from_name(const char *name)
{
	int i;

	for (i = 0; i < ALERT_PRIO_MAX; i++)
		if (strcasecmp(name, prio_names[i]) == 0)
			return i;
	/* Falco's rule files accept these spellings too */
	if (strcasecmp(name, "info") == 0)
		return PRIO_INFORMATIONAL;
	if (strcasecmp(name, "warn") == 0)
		return PRIO_WARNING;
	if (strcasecmp(name, "err") == 0)
		return PRIO_ERROR;
	if (strcasecmp(name, "crit") == 0)
		return PRIO_CRITICAL;
	if (strcasecmp(name, "emerg") == 0)
		return PRIO_EMERGENCY;
	return -1;
}

/* "2026-11-22T01:45:02.123456789Z" or with a numeric offset; 0 or -EINVAL. */
int parse_rfc3339(const char *s, int64_t *sec, long *nsec)
{
	struct tm tm = { 0 };
	const char *p;
	long frac = 0;
	int digits = 0, off = 0;
	time_t t;

	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -EINVAL;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 9)
				frac = frac * 10 + (*p - '0');
		if (digits == 0)
			return -EINVAL;
		for (; digits < 9; digits++)
			frac *= 10;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if ((*p == '+' || *p == '-') && p[1] && p[2] && p[3] == ':' && p[4] && p[5]) {
		int h = (p[1] - '0') * 10 + (p[2] - '0'), m = (p[4] - '0') * 10 + (p[5] - '0');

		off = (h * 60 + m) * 60 * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return -EINVAL;
	}
	if (*p)
		return -EINVAL;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*sec = (int64_t)t - off;
	*nsec = frac;
	return 0;
}

void uuid_v4(char out[37])
{
	static _Atomic uint64_t fallback;
	unsigned char b[16];
	size_t i, o = 0;

	/* never waits (the rule engine calls this on the event loop) */
	if (getrandom(b, sizeof(b), GRND_NONBLOCK) != (ssize_t)sizeof(b)) {
		/* entropy not ready (early boot): unique, not random */
		uint64_t t = util_clock_ns(CLOCK_REALTIME), c = ++fallback;

		memcpy(b, &t, 8);
		memcpy(b + 8, &c, 8);
	}
	b[6] = (b[6] & 0x0f) | 0x40; /* version 4 */
	b[8] = (b[8] & 0x3f) | 0x80; /* RFC 4122 variant */
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		o += snprintf(out + o, 3, "%02x", b[i]);
	}
	out[o] = '\0';
}

/* ---- owned copies ------------------------------------------------------------- */

/* Bytes of s once every byte that starts no valid UTF-8 sequence is widened to two. */
static size_t fixed_len(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, out = n, len;
	uint32_t cp;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		len = jw_utf8_decode(s + i, n - i, &cp);
		if (len == 0) {
			out++;
			len = 1;
		}
		i += len;
	}
	return out;
}

struct block {
	char *p;
};

/* Copies s (n bytes, NULL as "") into the block, valid UTF-8 and NUL-terminated; the copy's length in *outlen. */
static const char *put(struct block *b, const char *str, size_t n, size_t *outlen)
{
	const unsigned char *s = (const unsigned char *)str;
	char *start = b->p;
	size_t i = 0, len;
	uint32_t cp;

	while (i < n) {
		if (s[i] < 0x80) {
			*b->p++ = s[i++];
			continue;
		}
		len = jw_utf8_decode(s + i, n - i, &cp);
		if (len) {
			memcpy(b->p, s + i, len);
			b->p += len;
			i += len;
			continue;
		}
		/* the byte as the code point of the same value (Latin-1) */
		*b->p++ = (char)(0xc0 | s[i] >> 6);
		*b->p++ = (char)(0x80 | (s[i] & 0x3f));
		i++;
	}
	*b->p++ = '\0';
	if (outlen)
		*outlen = b->p - 1 - start;
	return start;
}

static const char *put_str(struct block *b, const char *s)
{
	return put(b, s, s ? strlen(s) : 0, NULL);
}

static size_t str_size(const char *s)
{
	return (s ? fixed_len(s, strlen(s)) : 0) + 1;
}

static bool value_has_text(const struct alert_value *v)
{
	return v->type == AV_STR || v->type == AV_STRLIST || v->type == AV_JSON;
}

static size_t kv_size(const struct alert_kv *kv, size_t n)
{
	size_t i, size = n * sizeof(*kv);

	for (i = 0; i < n; i++) {
		size += str_size(kv[i].name);
		if (value_has_text(&kv[i].v))
			size += fixed_len(kv[i].v.s.p, kv[i].v.s.len) + 1;
	}
	return size;
}

size_t alert_size(const struct alert *a)
{
	size_t size = 0, i;

	if (a->mem)
		return a->mem_size;
	size += str_size(a->time) + str_size(a->rule) + str_size(a->priority_text) + str_size(a->hostname) +
		str_size(a->source) + str_size(a->uuid);
	size += fixed_len(a->output, a->output ? a->output_len : 0) + 1;
	size += kv_size(a->fields, a->nfields) + kv_size(a->extra, a->nextra);
	size += a->ntags * sizeof(*a->tags) + a->norder * sizeof(*a->order);
	for (i = 0; i < a->ntags; i++)
		size += fixed_len(a->tags[i].p, a->tags[i].len) + 1;
	return size;
}

static void put_kv(struct block *b, struct alert_kv *dst, const struct alert_kv *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		dst[i].name = put_str(b, src[i].name);
		dst[i].v = src[i].v;
		if (value_has_text(&src[i].v))
			dst[i].v.s.p = put(b, src[i].v.s.p, src[i].v.s.len, &dst[i].v.s.len);
	}
}

int alert_copy(struct alert *dst, const struct alert *src)
{
	size_t size = alert_size(src), i;
	struct alert_kv *fields, *extra;
	struct alert_str *tags;
	uint16_t *order;
	struct block b;
	char *mem;

	memset(dst, 0, sizeof(*dst));
	mem = malloc(size ? size : 1);
	if (!mem)
		return -ENOMEM;
	/* arrays first (malloc's alignment), then the bytes */
	fields = (struct alert_kv *)mem;
	extra = fields + src->nfields;
	tags = (struct alert_str *)(extra + src->nextra);
	order = (uint16_t *)(tags + src->ntags);
	b.p = (char *)(order + src->norder);
	*dst = *src;
	dst->mem = mem;
	dst->mem_size = size;
	dst->time = put_str(&b, src->time);
	dst->rule = put_str(&b, src->rule);
	dst->priority_text = put_str(&b, src->priority_text);
	dst->priority_name = alert_priority_name(src->priority);
	dst->output = put(&b, src->output, src->output ? src->output_len : 0, &dst->output_len);
	dst->hostname = put_str(&b, src->hostname);
	dst->source = put_str(&b, src->source);
	dst->uuid = put_str(&b, src->uuid);
	put_kv(&b, fields, src->fields, src->nfields);
	put_kv(&b, extra, src->extra, src->nextra);
	for (i = 0; i < src->ntags; i++)
		tags[i].p = put(&b, src->tags[i].p, src->tags[i].len, &tags[i].len);
	if (src->norder)
		memcpy(order, src->order, src->norder * sizeof(*order));
	dst->fields = fields;
	dst->extra = extra;
	dst->tags = tags;
	dst->order = src->order ? order : NULL;
	return 0;
}

void alert_free(struct alert *a)
{
	free(a->mem);
	memset(a, 0, sizeof(*a));
}

const struct alert_value *alert_get(const struct alert *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->nfields; i++)
		if (strcmp(a->fields[i].name, name) == 0)
			return &a->fields[i].v;
	return NULL;
}

const char *alert_field(const struct alert *a, const char *name, char *buf, size_t size, size_t *len)
{
	return alert_value_text(alert_get(a, name), buf, size, len);
}

const char *alert_value_text(const struct alert_value *v, char *buf, size_t size, size_t *len)
{
	*len = 0;
	if (!v || v->type == AV_NULL)
		return NULL;
	switch (v->type) {
	case AV_STR:
		*len = v->s.len;
		return v->s.p;
	case AV_INT:
		snprintf(buf, size, "%" PRId64, v->i);
		break;
	case AV_UINT:
		snprintf(buf, size, "%" PRIu64, v->u);
		break;
	case AV_REAL:
		snprintf(buf, size, "%.17g", v->d);
		break;
	case AV_BOOL:
		snprintf(buf, size, "%s", v->b ? "true" : "false");
		break;
	default:
		snprintf(buf, size, "%s", ""); /* lists, arrays and objects have no one-value text */
		break;
	}
	*len = strlen(buf);
	return buf;
}

/* ---- alert lines: the boundary parser ---------------------------------------------------- */

static const char *const member_names[AM_EXTRA] = {
	"time", "rule", "priority", "output", "output_fields", "hostname", "source", "tags", "uuid",
};

static int member_of(const char *key)
{
	int m;

	for (m = 0; m < AM_EXTRA; m++)
		if (strcmp(key, member_names[m]) == 0)
			return m;
	return -1;
}

const char *alert_member_name(enum alert_member m)
{
	return m < AM_EXTRA ? member_names[m] : "";
}

/* A JSON value as a typed one; arrays and objects as their text, appended to raw (offset in s.p, fixed later). */
static struct alert_value value_of(json_t *v, struct strbuf *raw)
{
	struct alert_value out = { .type = AV_NULL };

	switch (json_typeof(v)) {
	case JSON_STRING:
		out.type = AV_STR;
		out.s.p = json_string_value(v);
		out.s.len = json_string_length(v);
		break;
	case JSON_INTEGER:
		out.type = AV_INT;
		out.i = json_integer_value(v);
		break;
	case JSON_REAL:
		out.type = AV_REAL;
		out.d = json_real_value(v);
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		out.type = AV_BOOL;
		out.b = json_is_true(v);
		break;
	case JSON_ARRAY:
	case JSON_OBJECT:
		out.type = AV_JSON;
		out.s.p = (const char *)(uintptr_t)raw->len;
		json_dump_value(raw, v);
		out.s.len = raw->len - (size_t)(uintptr_t)out.s.p;
		break;
	default:
		break;
	}
	return out;
}

static void fix_raw(struct alert_kv *kv, size_t n, const struct strbuf *raw)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (kv[i].v.type == AV_JSON)
			kv[i].v.s.p = raw->buf + (uintptr_t)kv[i].v.s.p;
}

static bool string_array(json_t *v)
{
	json_t *t;
	size_t i;

	if (!json_is_array(v))
		return false;
	json_array_foreach(v, i, t)
		if (!json_is_string(t))
			return false;
	return true;
}

/* Takes the known members of the right type; every other member is kept as an extra, in place. */
static bool take_member(struct alert *b, int m, json_t *v, struct alert_kv *fields, struct alert_str *tags,
			struct strbuf *raw)
{
	const char *key;
	json_t *x;
	size_t i;

	switch (m) {
	case AM_FIELDS:
		if (!json_is_object(v))
			return false;
		i = 0;
		json_object_foreach(v, key, x) {
			fields[i].name = key;
			fields[i++].v = value_of(x, raw);
		}
		b->fields = fields;
		b->nfields = i;
		return true;
	case AM_TAGS:
		if (!string_array(v))
			return false;
		json_array_foreach(v, i, x)
			tags[i] = (struct alert_str){ json_string_value(x), json_string_length(x) };
		b->tags = tags;
		b->ntags = json_array_size(v);
		return true;
	case AM_OUTPUT:
		if (!json_is_string(v))
			return false;
		b->output = json_string_value(v);
		b->output_len = json_string_length(v);
		return true;
	case AM_TIME:
	case AM_RULE:
	case AM_PRIORITY:
	case AM_HOSTNAME:
	case AM_SOURCE:
	case AM_UUID:
		if (!json_is_string(v))
			return false;
		*(m == AM_TIME ? &b->time : m == AM_RULE ? &b->rule : m == AM_PRIORITY ? &b->priority_text :
		  m == AM_HOSTNAME ? &b->hostname : m == AM_SOURCE ? &b->source : &b->uuid) = json_string_value(v);
		return true;
	default:
		return false;
	}
}

int alert_from_json(json_t *root, struct alert *a)
{
	struct alert b = { .time = "", .rule = "", .priority_text = "", .output = "", .hostname = "", .source = "",
			   .uuid = "" };
	struct strbuf raw = STRBUF_INIT;
	struct alert_kv *fields = NULL, *extra = NULL;
	struct alert_str *tags = NULL;
	uint16_t *order = NULL;
	const char *key;
	json_t *v;
	size_t n;
	int m, p, rc = -ENOMEM;

	memset(a, 0, sizeof(*a));
	if (!json_is_object(root))
		return -EINVAL;
	n = json_object_size(root);
	if (n >= UINT16_MAX - AM_EXTRA)
		return -EINVAL; /* order[] holds member numbers in 16 bits */
	fields = calloc(json_object_size(json_object_get(root, "output_fields")) + 1, sizeof(*fields));
	tags = calloc(json_array_size(json_object_get(root, "tags")) + 1, sizeof(*tags));
	extra = calloc(n + 1, sizeof(*extra));
	order = calloc(n + 1, sizeof(*order));
	if (!fields || !tags || !extra || !order)
		goto out;
	json_object_foreach(root, key, v) {
		m = member_of(key);
		if (m >= 0 && take_member(&b, m, v, fields, tags, &raw)) {
			b.has |= 1u << m;
			order[b.norder++] = m;
		} else {
			extra[b.nextra].name = key;
			extra[b.nextra].v = value_of(v, &raw);
			order[b.norder++] = AM_EXTRA + b.nextra++;
		}
	}
	fix_raw(fields, b.nfields, &raw);
	fix_raw(extra, b.nextra, &raw);
	b.extra = extra;
	b.order = order;
	p = alert_priority_from_name(b.priority_text);
	b.priority = p < 0 ? PRIO_WARNING : (enum alert_priority)p;
	if (parse_rfc3339(b.time, &b.sec, &b.nsec)) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		b.sec = ts.tv_sec;
		b.nsec = ts.tv_nsec;
	}
	rc = alert_copy(a, &b);
out:
	free(fields);
	free(tags);
	free(extra);
	free(order);
	strbuf_free(&raw);
	return rc;
}

int alert_parse(const char *json, size_t len, struct alert *a, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root, *of;
	char id[37];
	int rc = -EINVAL;

	memset(a, 0, sizeof(*a));
	/* NUL is allowed: a file name cannot hold one, but an argv can end up escaped as \u0000 */
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	if (!root) {
		snprintf(err, errlen, "not JSON: %s at column %d", jerr.text, jerr.column);
		return -EINVAL;
	}
	if (!json_is_object(root)) {
		snprintf(err, errlen, "not a JSON object");
		goto out;
	}
	if (!json_is_string(json_object_get(root, "rule"))) {
		snprintf(err, errlen, "no \"rule\" string");
		goto out;
	}
	if (!json_is_string(json_object_get(root, "priority")) ||
	    alert_priority_from_name(json_string_value(json_object_get(root, "priority"))) < 0) {
		snprintf(err, errlen, "no valid \"priority\" (Emergency .. Debug)");
		goto out;
	}
	of = json_object_get(root, "output_fields");
	if (of && !json_is_object(of)) {
		snprintf(err, errlen, "\"output_fields\" is not an object");
		goto out;
	}
	if (!json_is_string(json_object_get(root, "uuid")) || !json_string_length(json_object_get(root, "uuid"))) {
		/* the uuid is the deduplication key of at-least-once delivery: every alert needs one */
		uuid_v4(id);
		json_object_set_new(root, "uuid", json_string(id));
	}
	rc = alert_from_json(root, a);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
out:
	json_decref(root);
	return rc;
}
