// SPDX-License-Identifier: Apache-2.0
/*
 * Output settings: defaults, the CLI spec syntax (docs/outputs.md) and checks.
 * One setter per option (output_config_set) serves both the spec's query and
 * the config file's keys, so the two accept exactly the same settings and a
 * config file's mapping goes into the struct without becoming a spec string.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "internal.h"

#define DEFAULT_SPOOL_DIR "/var/lib/bulwark/spool"
#define UNSET UINT32_MAX

static const char *const kind_names[OUTPUT_KIND_MAX] = { "stdout", "file", "syslog", "webhook",
							 "splunk", "elastic", "loki" };
static const char *const format_names[FORMAT_MAX] = { "json", "ecs", "ocsf", "cef", "leef", "text" };

const char *output_kind_name(enum output_kind k)
{
	return k < OUTPUT_KIND_MAX ? kind_names[k] : "?";
}

const char *alert_format_name(enum alert_format f)
{
	return f < FORMAT_MAX ? format_names[f] : "?";
}

void output_config_init(struct output_config *c)
{
	memset(c, 0, sizeof(*c));
	c->format = FORMAT_MAX;         /* per kind: ecs for elastic, json otherwise */
	c->min_priority = PRIO_DEBUG;
	c->rotate_keep = 5;
	c->tls_verify = true;
	c->facility = 16;               /* local0 */
	snprintf(c->app_name, sizeof(c->app_name), "bulwark");
	snprintf(c->spool_dir, sizeof(c->spool_dir), "%s", DEFAULT_SPOOL_DIR);
	c->spool_mb = 256;
	c->queue = 10000;
	c->batch = UNSET;
	c->batch_bytes = 4u << 20;
	c->batch_ms = UNSET;
	c->timeout_ms = 10000;
	c->retry_ms = 500;
	c->retry_max_ms = 30000;
	snprintf(c->sourcetype, sizeof(c->sourcetype), "_json");
}

static int fail(char *err, size_t errlen, const char *fmt, const char *a, const char *b)
{
	snprintf(err, errlen, fmt, a, b);
	return -EINVAL;
}

static int set_str(char *dst, size_t size, const char *v, const char *key, char *err, size_t errlen)
{
	const char *p;

	if (strlen(v) >= size)
		return fail(err, errlen, "%s: value too long (%s)", key, "limit exceeded");
	/* values end up in paths, HTTP headers and log lines: no control characters */
	for (p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return fail(err, errlen, "%s: control character in the value%s", key, "");
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int set_uint(unsigned *dst, const char *v, const char *key, unsigned min, char *err, size_t errlen)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(v, &end, 10);
	if (!*v || *end || errno || x > UINT32_MAX - 1 || x < min)
		return fail(err, errlen, "%s: expected a number, got '%s'", key, v);
	*dst = x;
	return 0;
}

static int set_bool(bool *dst, const char *v, const char *key, char *err, size_t errlen)
{
	if (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on"))
		*dst = true;
	else if (!strcmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcasecmp(v, "off"))
		*dst = false;
	else
		return fail(err, errlen, "%s: expected 0 or 1, got '%s'", key, v);
	return 0;
}

static const char *const facilities[] = { "kern", "user", "mail", "daemon", "auth", "syslog", "lpr",
					  "news", "uucp", "cron", "authpriv", "ftp" };

static int set_facility(int *dst, const char *v, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (!strcasecmp(v, facilities[i])) {
			*dst = i;
			return 0;
		}
	if (!strncasecmp(v, "local", 5) && v[5] >= '0' && v[5] <= '7' && !v[6]) {
		*dst = 16 + v[5] - '0';
		return 0;
	}
	return fail(err, errlen, "facility: unknown '%s'%s", v, " (kern .. authpriv, local0 .. local7)");
}

/* %XX decoding in place (query values may carry '&', '=', '?'). */
static int pct_decode(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '%') {
			unsigned v;

			if (!s[1] || !s[2] || sscanf(s + 1, "%2x", &v) != 1 || v == 0)
				return -EINVAL;
			*o++ = v;
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return 0;
}

int output_config_set(struct output_config *c, const char *k, const char *v, char *err, size_t errlen)
{
	int p;

	if (!strcmp(k, "format")) {
		for (p = 0; p < FORMAT_MAX; p++)
			if (!strcasecmp(v, format_names[p]))
				break;
		if (p == FORMAT_MAX)
			return fail(err, errlen, "format: unknown '%s'%s", v, " (json, ecs, ocsf, cef, leef, text)");
		c->format = p;
		return 0;
	}
	if (!strcmp(k, "min_priority")) {
		p = alert_priority_from_name(v);
		if (p < 0)
			return fail(err, errlen, "min_priority: unknown '%s'%s", v, " (Emergency .. Debug)");
		c->min_priority = p;
		return 0;
	}
	if (!strcmp(k, "token") || !strcmp(k, "password") || !strcmp(k, "hmac_key") || !strcmp(k, "api_key"))
		return fail(err, errlen, "%s: secrets are read from %s_file= or _env=, never from the command line",
			    k, k);
	if (!strcmp(k, "name"))
		return set_str(c->name, sizeof(c->name), v, k, err, errlen);
	if (!strcmp(k, "spool_dir")) {
		c->spool_set = true;
		return set_str(c->spool_dir, sizeof(c->spool_dir), v, k, err, errlen);
	}
	if (!strcmp(k, "spool")) {
		bool on;

		if (set_bool(&on, v, k, err, errlen))
			return -EINVAL;
		c->spool_set = true;
		if (!on)
			c->spool_dir[0] = '\0';
		return 0;
	}
	if (!strcmp(k, "spool_mb"))
		return set_uint(&c->spool_mb, v, k, 1, err, errlen);
	if (!strcmp(k, "dead_letter"))
		return set_str(c->dead_letter, sizeof(c->dead_letter), v, k, err, errlen);
	if (!strcmp(k, "queue"))
		return set_uint(&c->queue, v, k, 1, err, errlen);
	if (!strcmp(k, "batch"))
		return set_uint(&c->batch, v, k, 1, err, errlen);
	if (!strcmp(k, "batch_bytes"))
		return set_uint(&c->batch_bytes, v, k, 1024, err, errlen);
	if (!strcmp(k, "batch_ms"))
		return set_uint(&c->batch_ms, v, k, 0, err, errlen);
	if (!strcmp(k, "gzip"))
		return set_bool(&c->gzip, v, k, err, errlen);
	if (!strcmp(k, "timeout_ms"))
		return set_uint(&c->timeout_ms, v, k, 100, err, errlen);
	if (!strcmp(k, "retry_ms"))
		return set_uint(&c->retry_ms, v, k, 1, err, errlen);
	if (!strcmp(k, "retry_max_ms"))
		return set_uint(&c->retry_max_ms, v, k, 1, err, errlen);
	if (!strcmp(k, "rotate_mb"))
		return set_uint(&c->rotate_mb, v, k, 0, err, errlen);
	if (!strcmp(k, "rotate_keep"))
		return set_uint(&c->rotate_keep, v, k, 1, err, errlen);
	if (!strcmp(k, "ca"))
		return set_str(c->ca, sizeof(c->ca), v, k, err, errlen);
	if (!strcmp(k, "cert"))
		return set_str(c->cert, sizeof(c->cert), v, k, err, errlen);
	if (!strcmp(k, "key"))
		return set_str(c->key, sizeof(c->key), v, k, err, errlen);
	if (!strcmp(k, "tls_verify"))
		return set_bool(&c->tls_verify, v, k, err, errlen);
	if (!strcmp(k, "user"))
		return set_str(c->user, sizeof(c->user), v, k, err, errlen);
	if (!strcmp(k, "password_file"))
		return set_str(c->password.file, sizeof(c->password.file), v, k, err, errlen);
	if (!strcmp(k, "password_env"))
		return set_str(c->password.env, sizeof(c->password.env), v, k, err, errlen);
	if (!strcmp(k, "token_file"))
		return set_str(c->token.file, sizeof(c->token.file), v, k, err, errlen);
	if (!strcmp(k, "token_env"))
		return set_str(c->token.env, sizeof(c->token.env), v, k, err, errlen);
	if (!strcmp(k, "hmac_key_file"))
		return set_str(c->hmac_key.file, sizeof(c->hmac_key.file), v, k, err, errlen);
	if (!strcmp(k, "hmac_key_env"))
		return set_str(c->hmac_key.env, sizeof(c->hmac_key.env), v, k, err, errlen);
	if (!strcmp(k, "index"))
		return set_str(c->index, sizeof(c->index), v, k, err, errlen);
	if (!strcmp(k, "sourcetype"))
		return set_str(c->sourcetype, sizeof(c->sourcetype), v, k, err, errlen);
	if (!strcmp(k, "tenant"))
		return set_str(c->tenant, sizeof(c->tenant), v, k, err, errlen);
	if (!strcmp(k, "facility"))
		return set_facility(&c->facility, v, err, errlen);
	if (!strcmp(k, "app_name"))
		return set_str(c->app_name, sizeof(c->app_name), v, k, err, errlen);
	fail(err, errlen, "unknown option '%s'%s", k, " (see docs/outputs.md)");
	return -ENOENT;
}

struct scheme {
	const char *prefix;
	enum output_kind kind;
	enum output_transport transport;
};

static const struct scheme schemes[] = {
	{ "syslog+udp://", OUTPUT_SYSLOG, TRANSPORT_UDP },   { "syslog+tcp://", OUTPUT_SYSLOG, TRANSPORT_TCP },
	{ "syslog+tls://", OUTPUT_SYSLOG, TRANSPORT_TLS },   { "syslog://", OUTPUT_SYSLOG, TRANSPORT_UDP },
	{ "webhook+http://", OUTPUT_WEBHOOK, TRANSPORT_HTTP }, { "webhook+https://", OUTPUT_WEBHOOK, TRANSPORT_HTTPS },
	{ "http://", OUTPUT_WEBHOOK, TRANSPORT_HTTP },       { "https://", OUTPUT_WEBHOOK, TRANSPORT_HTTPS },
	{ "splunk+http://", OUTPUT_SPLUNK, TRANSPORT_HTTP }, { "splunk+https://", OUTPUT_SPLUNK, TRANSPORT_HTTPS },
	{ "elastic+http://", OUTPUT_ELASTIC, TRANSPORT_HTTP }, { "elastic+https://", OUTPUT_ELASTIC, TRANSPORT_HTTPS },
	{ "opensearch+http://", OUTPUT_ELASTIC, TRANSPORT_HTTP },
	{ "opensearch+https://", OUTPUT_ELASTIC, TRANSPORT_HTTPS },
	{ "loki+http://", OUTPUT_LOKI, TRANSPORT_HTTP },     { "loki+https://", OUTPUT_LOKI, TRANSPORT_HTTPS },
};

/* host[:port] or [v6]:port */
static int parse_authority(struct output_config *c, const char *a, size_t n, char *err, size_t errlen)
{
	char buf[300];
	const char *colon = NULL;
	char *host = buf;

	if (n == 0 || n >= sizeof(buf))
		return fail(err, errlen, "missing or too long host%s%s", "", "");
	memcpy(buf, a, n);
	buf[n] = '\0';
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');

		if (!close)
			return fail(err, errlen, "unterminated IPv6 address '%s'%s", buf, "");
		*close = '\0';
		host = buf + 1;
		if (close[1] == ':')
			colon = close + 1;
		else if (close[1])
			return fail(err, errlen, "bad authority '%s'%s", a, "");
	} else {
		colon = strrchr(buf, ':');
		if (colon)
			*(char *)colon = '\0';
	}
	if (colon && set_uint(&c->port, colon + 1, "port", 1, err, errlen))
		return -EINVAL;
	if (c->port > 65535)
		return fail(err, errlen, "port out of range: %s%s", colon + 1, "");
	return set_str(c->host, sizeof(c->host), host, "host", err, errlen);
}

int output_config_parse_spec(const char *spec, struct output_config *c, size_t *pos, char *err, size_t errlen)
{
	char *copy = NULL, *query, *tok, *save = NULL, *rest;
	size_t i, n;
	int rc = -EINVAL;

	output_config_init(c);
	*pos = 0;
	copy = strdup(spec);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* the query starts at the first '?' (values needing '?' or '&' use %3F, %26) */
	query = strchr(copy, '?');
	if (query)
		*query++ = '\0';
	if (!strcmp(copy, "stdout") || !strcmp(copy, "-")) {
		c->kind = OUTPUT_STDOUT;
		c->spool_dir[0] = '\0'; /* stdout has no receiver to wait for: no spool unless asked */
	} else if (!strncmp(copy, "file:", 5)) {
		c->kind = OUTPUT_FILE;
		rest = copy + 5;
		if (!strncmp(rest, "//", 2))
			rest += 2;
		*pos = rest - copy;
		if (!*rest) {
			snprintf(err, errlen, "file: missing path");
			goto out;
		}
		if (set_str(c->path, sizeof(c->path), rest, "path", err, errlen))
			goto out;
	} else {
		for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
			if (!strncmp(copy, schemes[i].prefix, strlen(schemes[i].prefix)))
				break;
		if (i == sizeof(schemes) / sizeof(schemes[0])) {
			snprintf(err, errlen, "unknown output '%.40s' (stdout, file:, syslog+udp|tcp|tls://, "
				 "webhook|splunk|elastic|loki+http(s)://)", copy);
			goto out;
		}
		c->kind = schemes[i].kind;
		c->transport = schemes[i].transport;
		rest = copy + strlen(schemes[i].prefix);
		*pos = rest - copy;
		n = strcspn(rest, "/");
		if (parse_authority(c, rest, n, err, errlen))
			goto out;
		*pos = rest + n - copy;
		if (set_str(c->path, sizeof(c->path), rest + n, "path", err, errlen))
			goto out;
	}
	for (tok = query ? strtok_r(query, "&", &save) : NULL; tok; tok = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(tok, '=');

		*pos = tok - copy;
		if (!eq) {
			snprintf(err, errlen, "option '%.60s' has no value (key=value)", tok);
			goto out;
		}
		*eq = '\0';
		if (pct_decode(eq + 1)) {
			*pos = eq + 1 - copy;
			snprintf(err, errlen, "%.60s: bad %%-escape", tok);
			goto out;
		}
		rc = output_config_set(c, tok, eq + 1, err, errlen);
		if (rc) {
			/* an unknown option is the key's fault, a bad value the value's */
			if (rc != -ENOENT)
				*pos = eq + 1 - copy;
			rc = -EINVAL;
			goto out;
		}
	}
	rc = 0;
out:
	free(copy);
	return rc;
}

int output_config_parse(const char *spec, struct output_config *c, char *err, size_t errlen)
{
	size_t pos;
	int rc = output_config_parse_spec(spec, c, &pos, err, errlen);

	return rc ? rc : output_config_finish(c, err, errlen);
}

static uint32_t fnv32(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

int output_config_finish(struct output_config *c, char *err, size_t errlen)
{
	bool http = c->kind >= OUTPUT_WEBHOOK;
	char id[PATH_MAX + 300];

	if (c->kind >= OUTPUT_KIND_MAX)
		return fail(err, errlen, "unknown output kind%s%s", "", "");
	/* a person at a terminal reads Falco's text lines; a pipe or a file gets JSON lines */
	if (c->format == FORMAT_MAX && c->kind == OUTPUT_STDOUT)
		c->format = isatty(STDOUT_FILENO) ? FORMAT_TEXT : FORMAT_JSON;
	if (c->format == FORMAT_MAX)
		c->format = c->kind == OUTPUT_ELASTIC ? FORMAT_ECS : FORMAT_JSON;
	if (c->kind == OUTPUT_ELASTIC && (c->format == FORMAT_CEF || c->format == FORMAT_LEEF || c->format == FORMAT_TEXT))
		return fail(err, errlen, "elastic: format %s is not a JSON document (json, ecs, ocsf)%s",
			    format_names[c->format], "");
	if (c->kind == OUTPUT_SYSLOG && c->transport == TRANSPORT_NONE)
		c->transport = TRANSPORT_UDP;
	if (http && c->transport != TRANSPORT_HTTP && c->transport != TRANSPORT_HTTPS)
		c->transport = TRANSPORT_HTTPS;
	if (c->kind >= OUTPUT_SYSLOG && !c->host[0])
		return fail(err, errlen, "%s: missing host%s", kind_names[c->kind], "");
	if (c->port == 0) {
		switch (c->kind) {
		case OUTPUT_SYSLOG: c->port = c->transport == TRANSPORT_TLS ? 6514 : 514; break;
		case OUTPUT_SPLUNK: c->port = 8088; break;
		case OUTPUT_ELASTIC: c->port = 9200; break;
		case OUTPUT_LOKI: c->port = 3100; break;
		case OUTPUT_WEBHOOK: c->port = c->transport == TRANSPORT_HTTPS ? 443 : 80; break;
		default: break;
		}
	}
	if (c->kind == OUTPUT_FILE && !c->path[0])
		return fail(err, errlen, "file: missing path%s%s", "", "");
	if (c->batch == UNSET)
		c->batch = c->kind == OUTPUT_WEBHOOK ? 1 : c->kind == OUTPUT_SYSLOG ? 200 :
			   c->kind <= OUTPUT_FILE ? 1000 : 500;
	if (c->batch_ms == UNSET)
		c->batch_ms = c->kind <= OUTPUT_FILE ? 0 : 200;
	if (c->gzip && !http)
		return fail(err, errlen, "gzip: only for HTTP outputs, not %s%s", kind_names[c->kind], "");
	if ((c->cert[0] != 0) != (c->key[0] != 0))
		return fail(err, errlen, "cert= and key= go together%s%s", "", "");
	if ((c->ca[0] || c->cert[0]) && c->transport != TRANSPORT_TLS && c->transport != TRANSPORT_HTTPS)
		return fail(err, errlen, "ca=/cert=/key= need a TLS transport (syslog+tls, https)%s%s", "", "");
	if (c->kind == OUTPUT_SPLUNK && !c->token.file[0] && !c->token.env[0])
		return fail(err, errlen, "splunk: a HEC token is required (token_file= or token_env=)%s%s", "", "");
	if ((c->password.file[0] || c->password.env[0]) && !c->user[0])
		return fail(err, errlen, "password_file/password_env need user=%s%s", "", "");
	if (c->retry_max_ms < c->retry_ms)
		c->retry_max_ms = c->retry_ms;
	if (!c->name[0]) {
		/* stable across restarts and reordering: the spool of this destination is found again */
		if (c->kind == OUTPUT_STDOUT)
			snprintf(c->name, sizeof(c->name), "stdout");
		else {
			snprintf(id, sizeof(id), "%d|%s|%u|%s", c->transport, c->host, c->port, c->path);
			snprintf(c->name, sizeof(c->name), "%s-%08x", kind_names[c->kind], fnv32(id));
		}
	}
	for (size_t i = 0; c->name[i]; i++)
		if (c->name[i] == '/' || (unsigned char)c->name[i] < 0x20 || (c->name[i] == '.' && i == 0))
			return fail(err, errlen, "name: '%s' cannot name a directory%s", c->name, "");
	return 0;
}
