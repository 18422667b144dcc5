// SPDX-License-Identifier: Apache-2.0
#include "options.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "event_json.h"

#define CLI_OFF(field) offsetof(struct cli_pipeline, field)

/* Where runc-based runtimes keep container state (runc layout: <root>/<id>/state.json). */
static const char *const default_state_dirs[] = {
	"/run/runc",                     /* plain runc, CRI-O */
	"/run/containerd/runc",          /* containerd: <root>/<namespace>/<id> (k8s.io, default, moby) */
	"/run/docker/runtime-runc/moby", /* Docker Engine */
	NULL,
};

/* In the order of the usage text and of docs/config.md. */
const struct option_def options_table[] = {
	{ .id = CLI_OPT_EVENTS, .name = "events", .key = "events", .kind = OPTION_EVENTS, .off = CLI_OFF(o.events),
	  .arg = "LIST", .help = "event types the kernel may report; the rules narrow it further (docs/events.md)" },
	{ .id = CLI_OPT_RO_PREFIX, .name = "ro-prefix", .key = "ro_prefixes", .kind = OPTION_PATH_LIST,
	  .off = CLI_OFF(ro_prefixes), .count_off = CLI_OFF(o.n_ro_prefixes), .max = CLI_MAX_RO_PREFIXES,
	  .arg = "PATH", .help = "read-only opens also reported under these prefixes; the rules' own are added" },
	{ .id = CLI_OPT_PROC_CACHE, .name = "proc-cache", .key = "proc_cache", .kind = OPTION_COUNT,
	  .off = CLI_OFF(o.proc_cache_size), .min = 1, .max = 1u << 24, .dflt = 65536, .arg = "N",
	  .help = "process cache entries" },
	{ .id = CLI_OPT_PROCFS, .name = "procfs", .key = "procfs", .kind = OPTION_PATH, .off = CLI_OFF(o.procfs),
	  .dflt_str = "/proc", .arg = "DIR", .help = "the host's /proc; /host/proc in a container" },
	{ .id = CLI_OPT_ANCESTRY, .name = "ancestry", .key = "ancestry", .kind = OPTION_COUNT,
	  .off = CLI_OFF(o.ancestry_depth), .min = 0, .max = EVENT_MAX_ANCESTORS, .dflt = 5, .arg = "N",
	  .help = "ancestors resolved per event" },
	{ .id = CLI_OPT_DOCKER_SOCKET, .name = "docker-socket", .key = "docker_socket", .kind = OPTION_PATH_OR_EMPTY,
	  .off = CLI_OFF(o.containers.docker_socket), .dflt_str = "/var/run/docker.sock", .arg = "PATH",
	  .help = "Docker Engine API socket; \"\" disables it" },
	{ .id = CLI_OPT_DOCKER_ROOT, .name = "docker-root", .key = "docker_root", .kind = OPTION_PATH,
	  .off = CLI_OFF(o.containers.docker_root), .dflt_str = "/var/lib/docker", .arg = "DIR",
	  .help = "Docker's data root: a container's metadata is read from its files there, and the API is asked "
		  "only where DIR/containers cannot be read" },
	{ .id = CLI_OPT_STATE_DIR, .name = "state-dir", .key = "state_dirs", .kind = OPTION_PATH_LIST,
	  .off = CLI_OFF(state_dirs), .count_off = CLI_OFF(n_state_dirs), .max = CLI_MAX_STATE_DIRS,
	  .dflt_list = default_state_dirs, .arg = "DIR", .help = "OCI runtime state roots" },
	{ .id = CLI_OPT_HOST_ROOT, .name = "host-root", .key = "host_root", .kind = OPTION_PATH_OR_EMPTY,
	  .off = CLI_OFF(o.containers.host_root), .dflt_str = "", .arg = "DIR",
	  .help = "prefix for host paths named in runtime state; /host in a container" },
	{ .id = CLI_OPT_ENFORCE, .name = "enforce", .key = "enforce", .kind = OPTION_BOOL, .off = CLI_OFF(o.enforce),
	  .help = "enforce mode: rules with action: block stop what they match in the kernel (docs/rules.md); "
		  "off: monitor, alerts only" },
	{ .id = CLI_OPT_VERBOSE, .name = "verbose", .kind = OPTION_FLAG, .off = CLI_OFF(verbose),
	  .help = "debug logging (includes libbpf's messages)" },
};
const size_t options_count = sizeof(options_table) / sizeof(options_table[0]);

/* every row has a bit of struct cli_pipeline.given */
_Static_assert(sizeof(options_table) / sizeof(options_table[0]) <= sizeof(unsigned) * CHAR_BIT, "too many options");

const struct option_def *options_by_id(int id)
{
	size_t i;

	for (i = 0; i < options_count; i++)
		if (options_table[i].id == id)
			return &options_table[i];
	return NULL;
}

const struct option_def *options_by_key(const char *key)
{
	size_t i;

	for (i = 0; i < options_count; i++)
		if (options_table[i].key && !strcmp(options_table[i].key, key))
			return &options_table[i];
	return NULL;
}

/* ---- the values, by kind -------------------------------------------------------------------- */

#define AT(c, d, type) ((type *)((char *)(c) + (d)->off))
#define AT_CONST(c, d, type) ((const type *)((const char *)(c) + (d)->off))
typedef const char *cstr; /* AT_CONST(..., const char *) would say const twice, which clang refuses */
#define COUNT_AT(c, d) ((size_t *)((char *)(c) + (d)->count_off))

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int check_count(const struct option_def *d, const char *v, unsigned long *out, char *err, size_t errlen)
{
	unsigned long x;
	char *end;

	errno = 0;
	x = strtoul(v, &end, 10);
	if (!v[0] || v[0] == '-' || v[0] == '+' || v[0] == ' ' || *end || errno)
		return fail(err, errlen, "expected a number, got '%s'", v);
	if (x < d->min || x > d->max)
		return fail(err, errlen, "%lu is out of range (%lu .. %lu)", x, d->min, d->max);
	*out = x;
	return 0;
}

static int check_path(const struct option_def *d, const char *v, char *err, size_t errlen)
{
	const char *p;

	for (p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return fail(err, errlen, "control character in the value");
	if (!v[0] && d->kind == OPTION_PATH_OR_EMPTY)
		return 0;
	if (!v[0])
		return fail(err, errlen, "empty value");
	if (v[0] != '/')
		return fail(err, errlen, "expected an absolute path%s, got '%s'",
			    d->kind == OPTION_PATH_OR_EMPTY ? " or \"\"" : "", v);
	if (strlen(v) >= PATH_MAX)
		return fail(err, errlen, "path too long");
	return 0;
}

/* "exec,open" or "all"; empty names are skipped. */
static int parse_events(const char *list, bool events[BW_EV_MAX], char *err, size_t errlen)
{
	char *copy = strdup(list), *tok, *save = NULL;
	int rc = 0, t;

	if (!copy)
		return fail(err, errlen, "out of memory");
	memset(events, 0, sizeof(bool) * BW_EV_MAX);
	for (tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "all")) {
			for (t = 1; t < BW_EV_MAX; t++)
				events[t] = true;
			continue;
		}
		t = event_type_from_name(tok);
		if (t < 0)
			rc = fail(err, errlen, "unknown event type '%s' (see docs/events.md)", tok);
		else
			events[t] = true;
	}
	free(copy);
	if (rc == 0 && !memchr(events, true, sizeof(bool) * BW_EV_MAX))
		rc = fail(err, errlen, "no event type given");
	return rc;
}

int options_set(const struct option_def *d, struct cli_pipeline *c, const char *value, char *err, size_t errlen)
{
	bool events[BW_EV_MAX];
	unsigned long x = 0;
	size_t *n;

	switch (d->kind) {
	case OPTION_EVENTS:
		if (parse_events(value, events, err, errlen))
			return -EINVAL;
		memcpy(AT(c, d, bool), events, sizeof(events));
		return 0;
	case OPTION_COUNT:
		if (check_count(d, value, &x, err, errlen))
			return -EINVAL;
		*AT(c, d, size_t) = x;
		return 0;
	case OPTION_PATH:
	case OPTION_PATH_OR_EMPTY:
		if (check_path(d, value, err, errlen))
			return -EINVAL;
		*AT(c, d, const char *) = value;
		return 0;
	case OPTION_PATH_LIST:
		n = COUNT_AT(c, d);
		if (*n >= d->max)
			return fail(err, errlen, "at most %lu entries", d->max);
		if (check_path(d, value, err, errlen))
			return -EINVAL;
		AT(c, d, const char *)[(*n)++] = value;
		return 0;
	case OPTION_FLAG:
		*AT(c, d, bool) = true;
		return 0;
	case OPTION_BOOL:
		/* the command line's flag has no value */
		if (!value || !strcmp(value, "true"))
			*AT(c, d, bool) = true;
		else if (!strcmp(value, "false"))
			*AT(c, d, bool) = false;
		else
			return fail(err, errlen, "expected true or false, got '%s'", value);
		return 0;
	}
	return -EINVAL;
}

void options_defaults(struct cli_pipeline *c)
{
	size_t i;
	int t;

	for (i = 0; i < options_count; i++) {
		const struct option_def *d = &options_table[i];

		switch (d->kind) {
		case OPTION_EVENTS:
			for (t = 1; t < BW_EV_MAX; t++)
				AT(c, d, bool)[t] = true;
			break;
		case OPTION_COUNT:
			*AT(c, d, size_t) = d->dflt;
			break;
		case OPTION_PATH:
		case OPTION_PATH_OR_EMPTY:
			*AT(c, d, const char *) = d->dflt_str;
			break;
		case OPTION_PATH_LIST:
			*COUNT_AT(c, d) = 0;
			break;
		case OPTION_FLAG:
		case OPTION_BOOL:
			*AT(c, d, bool) = false;
			break;
		}
	}
}

void options_finish(struct cli_pipeline *c)
{
	size_t i, *n;

	for (i = 0; i < options_count; i++) {
		const struct option_def *d = &options_table[i];

		if (d->kind != OPTION_PATH_LIST || !d->dflt_list || *(n = COUNT_AT(c, d)))
			continue;
		for (; d->dflt_list[*n] && *n < d->max; (*n)++)
			AT(c, d, const char *)[*n] = d->dflt_list[*n];
	}
}

void options_merge(struct cli_pipeline *dst, const struct cli_pipeline *src)
{
	size_t i, j;

	for (i = 0; i < options_count; i++) {
		const struct option_def *d = &options_table[i];

		if (!(src->given & OPTIONS_BIT(d)) || (dst->given & OPTIONS_BIT(d)))
			continue;
		switch (d->kind) {
		case OPTION_EVENTS:
			memcpy(AT(dst, d, bool), AT_CONST(src, d, bool), sizeof(bool) * BW_EV_MAX);
			break;
		case OPTION_COUNT:
			*AT(dst, d, size_t) = *AT_CONST(src, d, size_t);
			break;
		case OPTION_PATH:
		case OPTION_PATH_OR_EMPTY:
			*AT(dst, d, const char *) = *AT_CONST(src, d, cstr);
			break;
		case OPTION_PATH_LIST:
			*COUNT_AT(dst, d) = *(const size_t *)((const char *)src + d->count_off);
			for (j = 0; j < *COUNT_AT(dst, d); j++)
				AT(dst, d, const char *)[j] = AT_CONST(src, d, cstr)[j];
			break;
		case OPTION_FLAG:
		case OPTION_BOOL:
			*AT(dst, d, bool) = *AT_CONST(src, d, bool);
			break;
		}
	}
}

/* ---- documentation ------------------------------------------------------------------------ */

const char *options_default_text(const struct option_def *d, char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	switch (d->kind) {
	case OPTION_EVENTS:
		snprintf(buf, size, "all");
		break;
	case OPTION_COUNT:
		snprintf(buf, size, "%lu", d->dflt);
		break;
	case OPTION_PATH:
	case OPTION_PATH_OR_EMPTY:
		snprintf(buf, size, "%s", d->dflt_str[0] ? d->dflt_str : "\"\"");
		break;
	case OPTION_PATH_LIST:
		for (i = 0; d->dflt_list && d->dflt_list[i] && len < size; i++)
			len += snprintf(buf + len, size - len, "%s%s", i ? ", " : "", d->dflt_list[i]);
		if (!len)
			snprintf(buf, size, "none");
		break;
	case OPTION_FLAG:
		snprintf(buf, size, "off");
		break;
	case OPTION_BOOL:
		snprintf(buf, size, "false");
		break;
	}
	return buf;
}

int options_markdown_row(const struct option_def *d, char *buf, size_t size)
{
	char type[64], dflt[256], quoted[300];
	size_t i, len = 0;

	if (!d->key)
		return -ENOENT;
	switch (d->kind) {
	case OPTION_EVENTS:
		snprintf(type, sizeof(type), "`all`, or event types (a list, or comma-separated)");
		break;
	case OPTION_COUNT:
		snprintf(type, sizeof(type), "%lu .. %lu", d->min, d->max);
		break;
	case OPTION_PATH:
		snprintf(type, sizeof(type), "absolute path");
		break;
	case OPTION_PATH_OR_EMPTY:
		snprintf(type, sizeof(type), "absolute path or `\"\"`");
		break;
	case OPTION_PATH_LIST:
		snprintf(type, sizeof(type), "list of absolute paths (at most %lu)", d->max);
		break;
	case OPTION_FLAG:
		return -ENOENT;
	case OPTION_BOOL:
		snprintf(type, sizeof(type), "`true` or `false`");
		break;
	}
	if (d->kind == OPTION_PATH_LIST && d->dflt_list) {
		for (i = 0; d->dflt_list[i] && len < sizeof(quoted); i++)
			len += snprintf(quoted + len, sizeof(quoted) - len, "%s`%s`", i ? ", " : "", d->dflt_list[i]);
	} else if (d->kind == OPTION_PATH_LIST) {
		snprintf(quoted, sizeof(quoted), "`[]`");
	} else {
		snprintf(quoted, sizeof(quoted), "`%s`", options_default_text(d, dflt, sizeof(dflt)));
	}
	return snprintf(buf, size, "| `%s` | %s | %s | %s (`--%s`) |", d->key, type, quoted, d->help, d->name) <
			       (int)size
		       ? 0
		       : -ENOSPC;
}
