// SPDX-License-Identifier: Apache-2.0
/* The parsed view of a Falco-schema alert that formats and outputs read. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "internal.h"

static const char *const prio_names[PRIO_MAX] = {
	"Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug",
};

const char *alert_priority_name(enum alert_priority p)
{
	return p < PRIO_MAX ? prio_names[p] : "Unknown";
}

int alert_priority_from_name(const char *name)
{
	int i;

	for (i = 0; i < PRIO_MAX; i++)
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
	uint8_t b[16];
	size_t i;
	int n = 0;

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
		/* no entropy source: time and address bits still make collisions unlikely */
		uint64_t x = now_mono_ns() ^ (uint64_t)(uintptr_t)out ^ ((uint64_t)getpid() << 32);

		for (i = 0; i < sizeof(b); i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			b[i] = x;
		}
	}
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	for (i = 0; i < 16; i++) {
		n += snprintf(out + n, 37 - n, "%02x", b[i]);
		if (i == 3 || i == 5 || i == 7 || i == 9)
			out[n++] = '-';
	}
	out[36] = '\0';
}

static const char *str_member(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

int alert_from_json(json_t *root, struct alert *a)
{
	const char *prio;
	int p;

	memset(a, 0, sizeof(*a));
	if (!json_is_object(root))
		return -EINVAL;
	a->root = json_incref(root);
	a->time = str_member(root, "time");
	a->rule = str_member(root, "rule");
	a->output = str_member(root, "output");
	a->output_len = json_is_string(json_object_get(root, "output")) ?
				json_string_length(json_object_get(root, "output")) : 0;
	a->hostname = str_member(root, "hostname");
	a->source = str_member(root, "source");
	a->uuid = str_member(root, "uuid");
	prio = str_member(root, "priority");
	p = alert_priority_from_name(prio);
	a->priority = p < 0 ? PRIO_WARNING : (enum alert_priority)p;
	a->priority_name = alert_priority_name(a->priority);
	if (parse_rfc3339(a->time, &a->sec, &a->nsec)) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		a->sec = ts.tv_sec;
		a->nsec = ts.tv_nsec;
	}
	return 0;
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
out:
	json_decref(root);
	return rc;
}

void alert_free(struct alert *a)
{
	json_decref(a->root);
	memset(a, 0, sizeof(*a));
}

const char *alert_field(const struct alert *a, const char *name, char *buf, size_t size, size_t *len)
{
	return alert_value_text(json_object_get(json_object_get(a->root, "output_fields"), name), buf, size, len);
}

const char *alert_value_text(const json_t *v, char *buf, size_t size, size_t *len)
{
	*len = 0;
	if (!v || json_is_null(v))
		return NULL;
	if (json_is_string(v)) {
		*len = json_string_length(v);
		return json_string_value(v);
	}
	if (json_is_integer(v))
		snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, size, "%.17g", json_real_value(v));
	else if (json_is_true(v))
		snprintf(buf, size, "true");
	else if (json_is_false(v))
		snprintf(buf, size, "false");
	else
		snprintf(buf, size, "%s", ""); /* arrays and objects are not Falco field values */
	*len = strlen(buf);
	return buf;
}
