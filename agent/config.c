// SPDX-License-Identifier: Apache-2.0
/*
 * The configuration file: a YAML mapping read with libyaml's document API (so
 * that every node keeps its line and column), checked key by key against the
 * table below. Outputs reuse agent/output's settings: a spec string plus
 * options whose names are the spec's query keys (docs/outputs.md), each set
 * straight into the output's struct by the same setter the spec parser uses,
 * so that the file and the command line accept exactly the same settings.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "event.h"
#include "jsonw.h"
#include "options.h"
#include "rules/rules.h"
#include "util.h"

#define DEFAULT_STALL_S 10
#define DEFAULT_MAX_DROP_RATIO 0.01
#define DEFAULT_DROP_WINDOW_S 60
#define DEFAULT_OUTPUT_STUCK_S 120
#define DEFAULT_SPOOL_DIR "/var/lib/bulwark/spool"

/* One load: the file's name for messages, the document, where errors go. */
struct loader {
	struct config *cfg;
	const char *name;
	yaml_document_t *doc;
	struct config_errors *errs;
};

static void errs_add(struct config_errors *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void errs_add(struct config_errors *e, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	e->total++;
	if (e->n == CONFIG_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg)
		e->v[e->n++] = msg;
}

/* "file:line:col: message" at @n (libyaml marks count from 0). Returns -EINVAL. */
static int bad(struct loader *l, const yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(struct loader *l, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n)
		errs_add(l->errs, "%s:%zu:%zu: %s", l->name, n->start_mark.line + 1, n->start_mark.column + 1, msg);
	else
		errs_add(l->errs, "%s: %s", l->name, msg);
	return -EINVAL;
}

void config_errors_free(struct config_errors *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->v[i]);
	memset(e, 0, sizeof(*e));
}

void config_errors_print(const struct config_errors *e, FILE *out)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		fprintf(out, "%s\n", e->v[i]);
	if (e->total > e->n)
		fprintf(out, "(%zu more errors not shown)\n", e->total - e->n);
}

/* ---- owned strings ------------------------------------------------------- */

static char *keep(struct config *cfg, const char *s)
{
	char **v = realloc(cfg->strings, (cfg->n_strings + 1) * sizeof(*v));
	char *copy;

	if (!v)
		return NULL;
	cfg->strings = v;
	copy = strdup(s);
	if (copy)
		cfg->strings[cfg->n_strings++] = copy;
	return copy;
}

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->spool_dir = keep(cfg, DEFAULT_SPOOL_DIR);
	cfg->metrics_listen = keep(cfg, CONFIG_DEFAULT_LISTEN);
	cfg->log_level = LOG_INFO;
	cfg->health = (struct health_config){ .stall_s = DEFAULT_STALL_S, .max_drop_ratio = DEFAULT_MAX_DROP_RATIO,
					      .drop_window_s = DEFAULT_DROP_WINDOW_S,
					      .output_stuck_s = DEFAULT_OUTPUT_STUCK_S };
}

void config_free(struct config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->n_strings; i++)
		free(cfg->strings[i]);
	free(cfg->strings);
	free(cfg->outputs);
	for (i = 0; i < CONF_SEC_MAX; i++)
		free(cfg->section_text[i]);
	memset(cfg, 0, sizeof(*cfg));
}

/* ---- typed values -------------------------------------------------------- */

static const char *node_type_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a scalar";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "nothing";
	}
}

static const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* A plain-style null (~, null, empty) in a place that wants a value. */
static bool is_null(const yaml_node_t *n)
{
	const char *v;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = scalar(n);
	return !v[0] || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL");
}

static int get_str(struct loader *l, const yaml_node_t *n, const char *key, bool empty_ok, const char **out)
{
	const char *v, *p;

	if (n->type != YAML_SCALAR_NODE || (is_null(n) && !empty_ok))
		return bad(l, n, "%s: expected a string, got %s", key, is_null(n) ? "null" : node_type_name(n));
	v = scalar(n);
	if (n->data.scalar.length != strlen(v))
		return bad(l, n, "%s: NUL byte in the value", key);
	for (p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return bad(l, n, "%s: control character in the value", key);
	if (!v[0] && !empty_ok)
		return bad(l, n, "%s: empty value", key);
	*out = is_null(n) ? keep(l->cfg, "") : keep(l->cfg, v);
	return *out ? 0 : bad(l, n, "out of memory");
}

static int get_path(struct loader *l, const yaml_node_t *n, const char *key, const char **out)
{
	if (get_str(l, n, key, false, out))
		return -EINVAL;
	if ((*out)[0] != '/')
		return bad(l, n, "%s: expected an absolute path, got '%s'", key, *out);
	if (strlen(*out) >= PATH_MAX)
		return bad(l, n, "%s: path too long", key);
	return 0;
}

static int get_uint(struct loader *l, const yaml_node_t *n, const char *key, unsigned long min, unsigned long max,
		    unsigned long *out)
{
	const char *v;
	char *end;
	unsigned long x;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return bad(l, n, "%s: expected a number, got %s", key,
			   n->type == YAML_SCALAR_NODE ? "a quoted string" : node_type_name(n));
	v = scalar(n);
	errno = 0;
	x = strtoul(v, &end, 10);
	if (!v[0] || v[0] == '-' || v[0] == '+' || *end || errno)
		return bad(l, n, "%s: expected a number, got '%s'", key, v);
	if (x < min || x > max)
		return bad(l, n, "%s: %lu is out of range (%lu .. %lu)", key, x, min, max);
	*out = x;
	return 0;
}

static int get_ratio(struct loader *l, const yaml_node_t *n, const char *key, double *out)
{
	const char *v;
	char *end;
	double x;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return bad(l, n, "%s: expected a number between 0 and 1, got %s", key, node_type_name(n));
	v = scalar(n);
	errno = 0;
	x = strtod(v, &end);
	if (!v[0] || *end || errno || !isfinite(x) || x < 0 || x > 1)
		return bad(l, n, "%s: expected a number between 0 and 1, got '%s'", key, v);
	*out = x;
	return 0;
}

/* A list of strings; a single string is a list of one. */
static int get_list(struct loader *l, const yaml_node_t *n, const char *key, const char **v, size_t max, size_t *nv,
		    bool paths)
{
	yaml_node_item_t *it;
	int rc = 0;

	*nv = 0;
	if (n->type == YAML_SCALAR_NODE && !is_null(n)) {
		*nv = 1;
		return paths ? get_path(l, n, key, &v[0]) : get_str(l, n, key, false, &v[0]);
	}
	if (is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return bad(l, n, "%s: expected a list, got %s", key, node_type_name(n));
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(l->doc, *it);

		if (*nv == max)
			return bad(l, item, "%s: at most %zu entries", key, max);
		if ((paths ? get_path(l, item, key, &v[*nv]) : get_str(l, item, key, false, &v[*nv])) == 0)
			(*nv)++;
		else
			rc = -EINVAL;
	}
	return rc;
}

/* "127.0.0.1:9376", "[::1]:9376", "0.0.0.0:9376"; an IP literal, never a name to resolve. */
int config_parse_listen(const char *s, char *host, size_t hostlen, unsigned *port)
{
	const char *colon, *h = s;
	size_t hl;
	unsigned char buf[16];
	char tmp[64], *end;
	unsigned long p;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return -EINVAL;
		h = s + 1;
		hl = close - h;
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -EINVAL;
		hl = colon - s;
	}
	if (hl == 0 || hl >= sizeof(tmp) || hl >= hostlen)
		return -EINVAL;
	memcpy(tmp, h, hl);
	tmp[hl] = '\0';
	if (inet_pton(s[0] == '[' ? AF_INET6 : AF_INET, tmp, buf) != 1)
		return -EINVAL;
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || errno || p == 0 || p > 65535)
		return -EINVAL;
	memcpy(host, tmp, hl + 1);
	*port = p;
	return 0;
}

/* ---- outputs: a spec string, or a mapping with `spec` and the spec's options ---- */

/* A spec's error: at the character of a plain one-line scalar where the spec parser found it. */
static int bad_spec(struct loader *l, const yaml_node_t *n, size_t pos, const char *spec, const char *err)
{
	yaml_node_t at = *n;

	if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && n->start_mark.line == n->end_mark.line &&
	    pos < n->data.scalar.length)
		at.start_mark.column += pos;
	return bad(l, &at, "output '%s': %s", spec, err);
}

/*
 * A spec string goes through the spec parser; a mapping's `spec` too, then
 * every other key is an option set straight into the struct (the key is at
 * fault when unknown, the value when bad), then the combination is checked.
 */
static int parse_output(struct loader *l, const yaml_node_t *n, struct output_config *oc)
{
	const yaml_node_t *spec_node = NULL;
	yaml_node_pair_t *p;
	char err[512];
	size_t pos;
	int rc = 0;

	if (n->type == YAML_SCALAR_NODE) {
		const char *s;

		if (get_str(l, n, "outputs", false, &s))
			return -EINVAL;
		if (output_config_parse_spec(s, oc, &pos, err, sizeof(err)))
			return bad_spec(l, n, pos, s, err);
		if (output_config_finish(oc, err, sizeof(err)))
			return bad(l, n, "output '%s': %s", s, err);
		return 0;
	}
	if (n->type != YAML_MAPPING_NODE)
		return bad(l, n, "outputs: expected a spec string or a mapping with 'spec', got %s", node_type_name(n));
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(l->doc, p->key);

		if (k->type == YAML_SCALAR_NODE && !strcmp(scalar(k), "spec"))
			spec_node = yaml_document_get_node(l->doc, p->value);
	}
	if (!spec_node)
		return bad(l, n, "outputs: an output mapping needs 'spec' (e.g. spec: syslog+tcp://host:514)");
	if (spec_node->type != YAML_SCALAR_NODE || is_null(spec_node))
		return bad(l, spec_node, "spec: expected a string, got %s", node_type_name(spec_node));
	if (output_config_parse_spec(scalar(spec_node), oc, &pos, err, sizeof(err)))
		return bad_spec(l, spec_node, pos, scalar(spec_node), err);
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(l->doc, p->key), *v = yaml_document_get_node(l->doc, p->value);
		const char *key;
		int e;

		if (k->type != YAML_SCALAR_NODE) {
			rc = bad(l, k, "outputs: keys are strings");
			continue;
		}
		key = scalar(k);
		if (!strcmp(key, "spec"))
			continue;
		if (v->type != YAML_SCALAR_NODE || is_null(v)) {
			rc = bad(l, v, "%s: expected a value, got %s", key, is_null(v) ? "null" : node_type_name(v));
			continue;
		}
		e = output_config_set(oc, key, scalar(v), err, sizeof(err));
		if (e)
			rc = bad(l, e == -ENOENT ? k : v, "%s", err);
	}
	if (rc == 0 && output_config_finish(oc, err, sizeof(err)))
		rc = bad(l, n, "output: %s", err);
	return rc;
}

static int get_outputs(struct loader *l, const yaml_node_t *n)
{
	struct config *cfg = l->cfg;
	yaml_node_item_t *it;
	size_t i, j, count;
	int rc = 0;

	if (is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return bad(l, n, "outputs: expected a list, got %s", node_type_name(n));
	count = n->data.sequence.items.top - n->data.sequence.items.start;
	if (count > CONFIG_MAX_OUTPUTS)
		return bad(l, n, "outputs: at most %d outputs", CONFIG_MAX_OUTPUTS);
	cfg->outputs = calloc(count ? count : 1, sizeof(*cfg->outputs));
	if (!cfg->outputs)
		return bad(l, n, "out of memory");
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(l->doc, *it);
		struct output_config *oc = &cfg->outputs[cfg->n_outputs];

		if (parse_output(l, item, oc)) {
			rc = -EINVAL;
			continue;
		}
		for (j = 0; j < cfg->n_outputs; j++)
			if (!strcmp(cfg->outputs[j].name, oc->name)) {
				rc = bad(l, item, "outputs: two outputs named '%s' (set name: on one of them)", oc->name);
				break;
			}
		if (j == cfg->n_outputs)
			cfg->n_outputs++;
	}
	/* the file's spool_dir is the default of every output that names no spool of its own */
	for (i = 0; i < cfg->n_outputs; i++)
		if (!cfg->outputs[i].spool_set && cfg->outputs[i].kind != OUTPUT_STDOUT)
			snprintf(cfg->outputs[i].spool_dir, sizeof(cfg->outputs[i].spool_dir), "%s", cfg->spool_dir);
	return rc;
}

/* ---- the key table ------------------------------------------------------- */

/* The pipeline's keys are the rows of options_table (agent/options.c), all of CONF_SEC_PIPELINE. */
enum ktype { K_RULES, K_OUTPUTS, K_SPOOL, K_LOG, K_METRICS, K_HEALTH };

static const struct key {
	const char *name;
	enum ktype type;
	int section; /* enum config_section, or -1: applied by SIGHUP */
} keys[] = {
	{ "rules", K_RULES, -1 },
	{ "outputs", K_OUTPUTS, CONF_SEC_OUTPUTS },
	{ "spool_dir", K_SPOOL, CONF_SEC_OUTPUTS },
	{ "log", K_LOG, -1 },
	{ "metrics", K_METRICS, CONF_SEC_METRICS },
	{ "health", K_HEALTH, -1 },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* Calls @fn for each pair of mapping @n, refusing non-scalar and duplicate keys. */
typedef int (*pair_fn)(struct loader *l, const char *key, yaml_node_t *k, yaml_node_t *v);

static int each_pair(struct loader *l, const yaml_node_t *n, const char *what, pair_fn fn)
{
	yaml_node_pair_t *p, *q;
	int rc = 0;

	if (is_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return bad(l, n, "%s: expected a mapping, got %s", what, node_type_name(n));
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(l->doc, p->key), *v = yaml_document_get_node(l->doc, p->value);

		if (k->type != YAML_SCALAR_NODE) {
			rc = bad(l, k, "%s: keys are strings, got %s", what, node_type_name(k));
			continue;
		}
		for (q = n->data.mapping.pairs.start; q < p; q++) {
			yaml_node_t *k2 = yaml_document_get_node(l->doc, q->key);

			if (k2->type == YAML_SCALAR_NODE && !strcmp(scalar(k2), scalar(k)))
				break;
		}
		if (q < p) {
			rc = bad(l, k, "duplicate key '%s'", scalar(k));
			continue;
		}
		if (fn(l, scalar(k), k, v))
			rc = -EINVAL;
	}
	return rc;
}

static int log_key(struct loader *l, const char *key, yaml_node_t *k, yaml_node_t *v)
{
	static const char *const levels[] = { "debug", "info", "warn", "error" };
	const char *s;
	size_t i;

	if (!strcmp(key, "format")) {
		if (get_str(l, v, "log.format", false, &s))
			return -EINVAL;
		if (log_format_parse(s, &l->cfg->log_format))
			return bad(l, v, "log.format: unknown format '%s' (auto, json, text)", s);
		return 0;
	}
	if (strcmp(key, "level"))
		return bad(l, k, "log: unknown key '%s' (level, format)", key);
	if (get_str(l, v, "log.level", false, &s))
		return -EINVAL;
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (!strcmp(s, levels[i])) {
			l->cfg->log_level = (enum log_level)i;
			return 0;
		}
	return bad(l, v, "log.level: unknown level '%s' (debug, info, warn, error)", s);
}

static int metrics_key(struct loader *l, const char *key, yaml_node_t *k, yaml_node_t *v)
{
	const char *s;
	char host[64];
	unsigned port;

	if (strcmp(key, "listen"))
		return bad(l, k, "metrics: unknown key '%s' (listen)", key);
	if (get_str(l, v, "metrics.listen", true, &s))
		return -EINVAL;
	if (s[0] && config_parse_listen(s, host, sizeof(host), &port))
		return bad(l, v, "metrics.listen: expected ADDRESS:PORT with an IP address (127.0.0.1:9376, "
			   "[::1]:9376) or \"\" to disable, got '%s'", s);
	l->cfg->metrics_listen = (char *)s;
	return 0;
}

static int health_key(struct loader *l, const char *key, yaml_node_t *k, yaml_node_t *v)
{
	struct health_config *h = &l->cfg->health;
	unsigned long x = 0; /* get_uint sets it when it returns 0 (gcc cannot see it once inlined) */

	if (!strcmp(key, "max_drop_ratio"))
		return get_ratio(l, v, "health.max_drop_ratio", &h->max_drop_ratio);
	if (!strcmp(key, "stall_seconds") || !strcmp(key, "drop_window_seconds") ||
	    !strcmp(key, "output_stuck_seconds")) {
		/* the drop window is kept as one sample a second: at most an hour */
		if (get_uint(l, v, key, 1, key[0] == 'd' ? 3600 : 86400, &x))
			return -EINVAL;
		if (key[0] == 's')
			h->stall_s = x;
		else if (key[0] == 'd')
			h->drop_window_s = x;
		else
			h->output_stuck_s = x;
		return 0;
	}
	return bad(l, k, "health: unknown key '%s' (stall_seconds, max_drop_ratio, drop_window_seconds, "
		   "output_stuck_seconds)", key);
}

/* One value of pipeline option @d (a scalar) through the command line's check, the error at @n. */
static int pipeline_value(struct loader *l, const struct option_def *d, const yaml_node_t *n)
{
	char err[PATH_MAX + 128];
	const char *v;

	if (d->kind == OPTION_COUNT) {
		/* a number is a plain scalar: '5' is a string */
		if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
			return bad(l, n, "%s: expected a number, got %s", d->key,
				   n->type == YAML_SCALAR_NODE ? "a quoted string" : node_type_name(n));
		v = scalar(n);
	} else if (get_str(l, n, d->key, d->kind == OPTION_PATH_OR_EMPTY, &v)) {
		return -EINVAL;
	}
	if (options_set(d, &l->cfg->pipeline, v, err, sizeof(err)))
		return bad(l, n, "%s: %s", d->key, err);
	return 0;
}

/*
 * A pipeline key: a scalar is one value (a list of one for a list, "exec,open"
 * or "all" for events); a YAML list gives a list's entries, or event types.
 */
static int pipeline_key(struct loader *l, const struct option_def *d, const yaml_node_t *n)
{
	struct cli_pipeline *c = &l->cfg->pipeline;
	bool events[BW_EV_MAX] = { false };
	yaml_node_item_t *it;
	int rc = 0;

	c->given |= OPTIONS_BIT(d);
	if (d->kind == OPTION_PATH_LIST)
		*(size_t *)((char *)c + d->count_off) = 0;
	if (d->kind == OPTION_PATH_LIST && is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE || (d->kind != OPTION_PATH_LIST && d->kind != OPTION_EVENTS))
		return pipeline_value(l, d, n);
	if (d->kind == OPTION_EVENTS && n->data.sequence.items.start == n->data.sequence.items.top)
		return bad(l, n, "%s: no event type given", d->key);
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(l->doc, *it);

		if (item->type != YAML_SCALAR_NODE) {
			rc = bad(l, item, "%s: expected a string, got %s", d->key, node_type_name(item));
			continue;
		}
		if (pipeline_value(l, d, item)) {
			rc = -EINVAL;
			if (d->kind == OPTION_PATH_LIST && *(size_t *)((char *)c + d->count_off) >= d->max)
				break; /* one error for a list too long, not one per entry past the end */
			continue;
		}
		/* each item sets the types it names: gather them */
		if (d->kind == OPTION_EVENTS) {
			size_t t;

			for (t = 0; t < BW_EV_MAX; t++)
				events[t] |= c->o.events[t];
		}
	}
	if (d->kind == OPTION_EVENTS)
		memcpy(c->o.events, events, sizeof(events));
	return rc;
}

static int top_key(struct loader *l, const char *key, yaml_node_t *k, yaml_node_t *v)
{
	struct config *c = l->cfg;
	const struct key *kd = NULL;
	const struct option_def *od = options_by_key(key);
	size_t i;

	if (od)
		return pipeline_key(l, od, v);
	for (i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].name, key))
			kd = &keys[i];
	if (!kd)
		return bad(l, k, "unknown key '%s' (see docs/config.md)", key);
	switch (kd->type) {
	case K_RULES:
		return get_list(l, v, "rules", c->rules, CONFIG_MAX_RULES, &c->n_rules, true);
	case K_OUTPUTS:
		return get_outputs(l, v);
	case K_SPOOL:
		return get_path(l, v, "spool_dir", (const char **)&c->spool_dir);
	case K_LOG:
		return each_pair(l, v, "log", log_key);
	case K_METRICS:
		return each_pair(l, v, "metrics", metrics_key);
	case K_HEALTH:
		return each_pair(l, v, "health", health_key);
	}
	return 0;
}

/*
 * The config's node graph must be a small tree before anything walks it: a YAML alias
 * can name a node that contains it (`a: &x [*x]`), which would make every recursive walk
 * below loop until the stack overflows, and nested aliases can multiply a small file into
 * millions of nodes. No real config nests deeper than a handful of levels.
 */
#define CONFIG_DEPTH_MAX 32
#define CONFIG_NODES_MAX 100000

static int shape_check(struct loader *l, const yaml_node_t *n, unsigned int depth, size_t *visited)
{
	yaml_node_item_t *it;
	yaml_node_pair_t *p;

	if (!n)
		return 0;
	if (depth > CONFIG_DEPTH_MAX)
		return bad(l, n, "nested deeper than %u levels (a YAML alias that contains itself?)", CONFIG_DEPTH_MAX);
	if (++*visited > CONFIG_NODES_MAX)
		return bad(l, n, "more than %u nodes once aliases are expanded", CONFIG_NODES_MAX);
	if (n->type == YAML_SEQUENCE_NODE) {
		for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
			if (shape_check(l, yaml_document_get_node(l->doc, *it), depth + 1, visited))
				return -EINVAL;
	} else if (n->type == YAML_MAPPING_NODE) {
		for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
			if (shape_check(l, yaml_document_get_node(l->doc, p->key), depth + 1, visited) ||
			    shape_check(l, yaml_document_get_node(l->doc, p->value), depth + 1, visited))
				return -EINVAL;
	}
	return 0;
}

/* ---- restart-only sections: canonical text, compared on SIGHUP ----------- */

static void canon(yaml_document_t *doc, const yaml_node_t *n, struct strbuf *sb)
{
	yaml_node_item_t *it;
	yaml_node_pair_t *p;

	switch (n->type) {
	case YAML_SCALAR_NODE:
		strbuf_addf(sb, "%zu:%s", strlen(scalar(n)), scalar(n));
		break;
	case YAML_SEQUENCE_NODE:
		strbuf_addc(sb, '[');
		for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
			canon(doc, yaml_document_get_node(doc, *it), sb);
			strbuf_addc(sb, ',');
		}
		strbuf_addc(sb, ']');
		break;
	case YAML_MAPPING_NODE:
		strbuf_addc(sb, '{');
		for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			canon(doc, yaml_document_get_node(doc, p->key), sb);
			strbuf_addc(sb, ':');
			canon(doc, yaml_document_get_node(doc, p->value), sb);
			strbuf_addc(sb, ',');
		}
		strbuf_addc(sb, '}');
		break;
	default:
		break;
	}
}

/* "key=<canonical value>;" if the file's top-level mapping @root has @key. */
static void section_add(struct loader *l, const yaml_node_t *root, const char *key, struct strbuf *sb)
{
	yaml_node_pair_t *p;

	if (!root || root->type != YAML_MAPPING_NODE)
		return;
	for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(l->doc, p->key);

		if (k->type == YAML_SCALAR_NODE && !strcmp(scalar(k), key)) {
			strbuf_addf(sb, "%s=", key);
			canon(l->doc, yaml_document_get_node(l->doc, p->value), sb);
			strbuf_addc(sb, ';');
		}
	}
}

static void section_texts(struct loader *l, const yaml_node_t *root)
{
	struct strbuf sb[CONF_SEC_MAX] = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };
	size_t i, s;

	/* in the tables' order, not the file's: moving a key is no change */
	for (i = 0; i < NKEYS; i++)
		if (keys[i].section >= 0)
			section_add(l, root, keys[i].name, &sb[keys[i].section]);
	for (i = 0; i < options_count; i++)
		if (options_table[i].key)
			section_add(l, root, options_table[i].key, &sb[CONF_SEC_PIPELINE]);
	for (s = 0; s < CONF_SEC_MAX; s++) {
		l->cfg->section_text[s] = strdup(sb[s].buf ? sb[s].buf : "");
		strbuf_free(&sb[s]);
	}
}

unsigned config_restart_changes(const struct config *a, const struct config *b)
{
	unsigned changed = 0;
	int s;

	for (s = 0; s < CONF_SEC_MAX; s++) {
		const char *x = a->section_text[s] ? a->section_text[s] : "";
		const char *y = b->section_text[s] ? b->section_text[s] : "";

		if (strcmp(x, y))
			changed |= 1u << s;
	}
	return changed;
}

const char *config_section_name(enum config_section s)
{
	static const char *const names[CONF_SEC_MAX] = {
		[CONF_SEC_OUTPUTS] = "outputs, spool_dir",
		[CONF_SEC_METRICS] = "metrics.listen",
	};
	static char pipeline[256]; /* the keys of options_table, written at the first call */
	size_t i, len = 0;

	if (s == CONF_SEC_PIPELINE && !pipeline[0])
		for (i = 0; i < options_count && len < sizeof(pipeline); i++)
			if (options_table[i].key)
				len += snprintf(pipeline + len, sizeof(pipeline) - len, "%s%s", len ? ", " : "",
						options_table[i].key);
	if (s == CONF_SEC_PIPELINE)
		return pipeline;
	return s < CONF_SEC_MAX ? names[s] : "?";
}

/* ---- load ---------------------------------------------------------------- */

int config_load_text(struct config *cfg, const char *name, const char *text, size_t len, struct config_errors *errs)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct loader l = { .cfg = cfg, .name = name, .doc = &doc, .errs = errs };
	yaml_node_t *root;
	const char *spool_dir;
	size_t i;
	int rc = -EINVAL;

	config_defaults(cfg);
	cfg->path = keep(cfg, name);
	if (!yaml_parser_initialize(&parser)) {
		errs_add(errs, "%s: out of memory", name);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		errs_add(errs, "%s:%zu:%zu: YAML: %s%s%s", name, parser.problem_mark.line + 1,
			 parser.problem_mark.column + 1, parser.problem ? parser.problem : "syntax error",
			 parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return -EINVAL;
	}
	root = yaml_document_get_root_node(&doc);
	if (root) {
		/* a second document is a mistake, not something to ignore */
		yaml_document_t extra;

		if (yaml_parser_load(&parser, &extra)) {
			yaml_node_t *r2 = yaml_document_get_root_node(&extra);

			if (r2)
				bad(&l, r2, "a second YAML document: the config is one mapping");
			yaml_document_delete(&extra);
		} else {
			bad(&l, NULL, "YAML: %s after the first document", parser.problem ? parser.problem : "error");
		}
	}
	spool_dir = NULL;
	if (root && shape_check(&l, root, 0, &(size_t){ 0 }))
		root = NULL; /* reported; nothing below may walk it */
	if (root && !is_null(root)) {
		/* spool_dir first: the outputs take it as their default wherever they appear */
		yaml_node_pair_t *p;

		if (root->type == YAML_MAPPING_NODE)
			for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
				yaml_node_t *k = yaml_document_get_node(&doc, p->key);

				yaml_node_t *v = yaml_document_get_node(&doc, p->value);

				/* checked (and reported) with the other keys */
				if (k->type == YAML_SCALAR_NODE && !strcmp(scalar(k), "spool_dir") &&
				    v->type == YAML_SCALAR_NODE && scalar(v)[0] == '/' && (spool_dir = keep(cfg, scalar(v))))
					cfg->spool_dir = (char *)spool_dir;
			}
		each_pair(&l, root, "the config", top_key);
	}
	section_texts(&l, root);
	for (i = 0; i < CONF_SEC_MAX; i++)
		if (!cfg->section_text[i])
			errs_add(errs, "%s: out of memory", name);
	rc = errs->total ? -EINVAL : 0;
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

int config_load(struct config *cfg, const char *path, struct config_errors *errs)
{
	size_t off = 0;
	char *text;
	int rc;

	config_defaults(cfg);
	text = util_read_file(path, CONFIG_FILE_MAX, &off);
	if (!text && (errno == EINVAL || errno == EFBIG)) {
		errs_add(errs, "%s: not a regular file of at most %u bytes", path, CONFIG_FILE_MAX);
		return -EINVAL;
	}
	if (!text) {
		rc = -errno;
		if (rc == -ENOMEM)
			errs_add(errs, "%s: out of memory", path);
		else
			errs_add(errs, "%s: cannot open: %s", path, strerror(-rc));
		return rc;
	}
	config_free(cfg);
	rc = config_load_text(cfg, path, text, off, errs);
	free(text);
	return rc;
}

void config_apply_pipeline(const struct config *cfg, struct cli_pipeline *c)
{
	options_merge(c, &cfg->pipeline);
}

/* ---- bulwark config check ------------------------------------------------ */

int cmd_config(int argc, char **argv)
{
	const char *def[] = { CONFIG_DEFAULT_PATH };
	const char *const *files;
	size_t i, n;
	int status = 0;

	if (argc < 2 || strcmp(argv[1], "check") != 0) {
		fprintf(argc >= 2 && !strcmp(argv[1], "--help") ? stdout : stderr,
			"usage: bulwark config check [FILE]...   validate config files (default %s); see docs/config.md\n",
			CONFIG_DEFAULT_PATH);
		return argc >= 2 && !strcmp(argv[1], "--help") ? 0 : 2;
	}
	files = argc > 2 ? (const char *const *)argv + 2 : def;
	n = argc > 2 ? (size_t)argc - 2 : 1;
	for (i = 0; i < n; i++) {
		struct config cfg;
		struct config_errors errs = { 0 };

		struct rules_diags diags = { 0 };
		struct rules *rs = NULL;

		if (config_load(&cfg, files[i], &errs)) {
			config_errors_print(&errs, stderr);
			fprintf(stderr, "%s: %zu error%s\n", files[i], errs.total, errs.total == 1 ? "" : "s");
			status = 1;
		} else if (cfg.n_rules && !(rs = rules__load_paths(cfg.rules, cfg.n_rules, &diags))) {
			/* the rules the file names must load too: a restart would fail on them */
			rules_diags_print(&diags, stderr);
			fprintf(stderr, "%s: the rules it names have %zu errors\n", files[i], diags.errors);
			status = 1;
		} else {
			printf("%s: ok (%zu rules paths, %zu outputs, metrics %s)\n", files[i], cfg.n_rules,
			       cfg.n_outputs ? cfg.n_outputs : 1, cfg.metrics_listen[0] ? cfg.metrics_listen : "off");
		}
		rules__free(rs);
		rules_diags_free(&diags);
		config_errors_free(&errs);
		config_free(&cfg);
	}
	return status;
}
