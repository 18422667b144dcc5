/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One alert as data: what the rule engine's output side produces and what
 * every output formats, once, in its own format. Text appears only where an
 * alert crosses a process or disk boundary (the spool, dead letters, the
 * lines `bulwark alert-send` reads), and is parsed back into this struct
 * right there (alert_parse).
 *
 * The members follow Falco's alert schema (time, rule, priority, output,
 * output_fields, hostname, source, tags) plus the stable alert id (uuid).
 * An alert is either borrowed (every pointer belongs to its producer, mem is
 * NULL) or owned (alert_copy: everything in one block, mem).
 */
#ifndef BULWARK_ALERT_H
#define BULWARK_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output.h"

enum alert_value_type {
	AV_NULL = 0, /* the field has no value for this event */
	AV_STR,      /* s.p, s.len (may hold a NUL) */
	AV_INT,
	AV_UINT,
	AV_REAL,
	AV_BOOL,
	AV_STRLIST,  /* s.n strings, each NUL-terminated, s.len bytes in all */
	AV_JSON,     /* an array or object of a read alert line: its canonical JSON text in s */
};

struct alert_value {
	enum alert_value_type type;
	union {
		struct {
			const char *p;
			size_t len;
			size_t n;
		} s;
		int64_t i;
		uint64_t u;
		double d;
		bool b;
	};
};

struct alert_kv {
	const char *name;
	struct alert_value v;
};

struct alert_str {
	const char *p;
	size_t len;
};

/* The top-level members, in the order the agent writes them. */
enum alert_member {
	AM_TIME = 0,
	AM_RULE,
	AM_PRIORITY,
	AM_OUTPUT,
	AM_FIELDS,
	AM_HOSTNAME,
	AM_SOURCE,
	AM_TAGS,
	AM_UUID,
	AM_EXTRA, /* order[] entries AM_EXTRA + i name extra[i] */
};
#define ALERT_HAS_ALL ((1u << AM_EXTRA) - 1)

struct alert {
	const char *time;            /* RFC 3339 as written ("" when absent) */
	int64_t sec;                 /* from time (the reading time when unparsable) */
	long nsec;
	const char *rule;
	enum alert_priority priority;
	const char *priority_name;   /* canonical: "Warning" */
	const char *priority_text;   /* as written ("warn"): the JSON format passes it through */
	const char *output;          /* Falco's "<time>: <Priority> <rendered template>" */
	size_t output_len;           /* output may hold a NUL */
	const struct alert_kv *fields; /* output_fields, in order */
	size_t nfields;
	const char *hostname, *source;
	const struct alert_str *tags;
	size_t ntags;
	const char *uuid;            /* the deduplication key of at-least-once delivery */
	unsigned has;                /* 1u << AM_*: the members present (absent ones are not written) */
	/* A read alert line keeps what it carried beyond the schema, for the JSON format only. */
	const struct alert_kv *extra;
	size_t nextra;
	const uint16_t *order;       /* member order of a read line; NULL: enum alert_member's */
	size_t norder;
	void *mem;                   /* owned storage; NULL when borrowed */
	size_t mem_size;             /* its bytes */
};

/*
 * An owned copy of src in one allocation. Strings are made valid UTF-8 on
 * the way (a byte that starts no valid sequence becomes U+0080..U+00FF, as a
 * JSON writer and reader in a row used to make it). 0 or -ENOMEM.
 */
int alert_copy(struct alert *dst, const struct alert *src);
/* Bytes alert_copy would allocate (a size measure for batching). */
size_t alert_size(const struct alert *a);
void alert_free(struct alert *a); /* owned alerts; a borrowed one is only cleared */
/* The output field called name, or NULL. */
const struct alert_value *alert_get(const struct alert *a, const char *name);
/* output_fields[name] as text (numbers in decimal, in buf), with its length; NULL when absent or null. */
const char *alert_field(const struct alert *a, const char *name, char *buf, size_t size, size_t *len);
const char *alert_value_text(const struct alert_value *v, char *buf, size_t size, size_t *len);
/* Parses and validates one alert line; adds a uuid if it has none. 0 or -EINVAL with a reason. */
int alert_parse(const char *json, size_t len, struct alert *a, char *err, size_t errlen);
void uuid_v4(char out[37]);

#endif
