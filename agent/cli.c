// SPDX-License-Identifier: Apache-2.0
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "log.h"

#define DEFAULT_PROC_CACHE 65536
#define DEFAULT_ANCESTRY 5
#define DEFAULT_CONTAINER_CACHE 4096
#define DEFAULT_LOOKUP_TIMEOUT_MS 500

/* Where runc-based runtimes keep container state (runc layout: <root>/<id>/state.json). */
static const char *const default_state_dirs[] = {
	"/run/runc",                     /* plain runc, CRI-O */
	"/run/containerd/runc",          /* containerd: <root>/<namespace>/<id> (k8s.io, default, moby) */
	"/run/docker/runtime-runc/moby", /* Docker Engine */
};

void cli_pipeline_init(struct cli_pipeline *c)
{
	int t;

	memset(c, 0, sizeof(*c));
	for (t = 1; t < BW_EV_MAX; t++)
		c->o.events[t] = true;
	c->o.ro_prefixes = c->ro_prefixes;
	c->o.proc_cache_size = DEFAULT_PROC_CACHE;
	c->o.procfs = "/proc";
	c->o.ancestry_depth = DEFAULT_ANCESTRY;
	c->o.containers = (struct container_opts){ .docker_socket = "/var/run/docker.sock",
						   .docker_root = "/var/lib/docker",
						   .state_dirs = c->state_dirs,
						   .host_root = "",
						   .capacity = DEFAULT_CONTAINER_CACHE,
						   .lookup_timeout_ms = DEFAULT_LOOKUP_TIMEOUT_MS };
}

int cli_parse_events(const char *list, bool events[BW_EV_MAX])
{
	char *copy = strdup(list), *tok, *save = NULL;
	int rc = 0;

	if (!copy)
		return -1;
	memset(events, 0, sizeof(bool) * BW_EV_MAX);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int t = event_type_from_name(tok);

		if (t < 0) {
			fprintf(stderr, "bulwark: --events: unknown event type '%s'\n", tok);
			rc = -1;
			break;
		}
		events[t] = true;
	}
	free(copy);
	if (rc == 0 && !memchr(events, true, sizeof(bool) * BW_EV_MAX)) {
		fprintf(stderr, "bulwark: --events: no event type given\n");
		rc = -1;
	}
	return rc;
}

static int parse_count(const char *opt, const char *arg, bool zero_ok, size_t *out)
{
	char *end;
	unsigned long v;

	if (!arg[0] || arg[0] == '-')
		goto bad;
	v = strtoul(arg, &end, 10);
	if (*end || (!zero_ok && v == 0))
		goto bad;
	*out = v;
	return 0;
bad:
	fprintf(stderr, "bulwark: --%s: expected a %s number, got '%s'\n", opt, zero_ok ? "non-negative" : "positive",
		arg);
	return -1;
}

int cli_pipeline_option(struct cli_pipeline *c, int opt, const char *arg)
{
	if ((opt >= CLI_OPT_RO_PREFIX && opt <= CLI_OPT_LOG_FORMAT) || opt == CLI_OPT_EVENTS || opt == CLI_OPT_VERBOSE)
		c->given |= CLI_GIVEN(opt);
	switch (opt) {
	case CLI_OPT_EVENTS:
		c->events_given = true;
		return cli_parse_events(arg, c->o.events) ? -1 : 1;
	case CLI_OPT_RO_PREFIX:
		if (c->o.n_ro_prefixes == CLI_MAX_RO_PREFIXES) {
			fprintf(stderr, "bulwark: --ro-prefix: at most %d prefixes\n", CLI_MAX_RO_PREFIXES);
			return -1;
		}
		c->ro_prefixes[c->o.n_ro_prefixes++] = arg;
		return 1;
	case CLI_OPT_PROC_CACHE:
		return parse_count("proc-cache", arg, false, &c->o.proc_cache_size) ? -1 : 1;
	case CLI_OPT_PROCFS:
		c->o.procfs = arg;
		return 1;
	case CLI_OPT_ANCESTRY:
		return parse_count("ancestry", arg, true, &c->o.ancestry_depth) ? -1 : 1;
	case CLI_OPT_DOCKER_SOCKET:
		c->o.containers.docker_socket = arg;
		return 1;
	case CLI_OPT_DOCKER_ROOT:
		c->o.containers.docker_root = arg;
		return 1;
	case CLI_OPT_STATE_DIR:
		if (c->n_state_dirs == CLI_MAX_STATE_DIRS) {
			fprintf(stderr, "bulwark: --state-dir: at most %d directories\n", CLI_MAX_STATE_DIRS);
			return -1;
		}
		c->state_dirs[c->n_state_dirs++] = arg;
		return 1;
	case CLI_OPT_HOST_ROOT:
		c->o.containers.host_root = arg;
		return 1;
	case CLI_OPT_VERBOSE:
		log_set_level(LOG_DEBUG);
		return 1;
	case CLI_OPT_LOG_FORMAT: {
		enum log_format f;

		if (log_format_parse(arg, &f)) {
			fprintf(stderr, "bulwark: --log-format: '%s' is not auto, json or text\n", arg);
			return -1;
		}
		log_set_format(f);
		return 1;
	}
	default:
		return 0;
	}
}

void cli_pipeline_finish(struct cli_pipeline *c)
{
	if (c->n_state_dirs == 0)
		for (; c->n_state_dirs < sizeof(default_state_dirs) / sizeof(default_state_dirs[0]); c->n_state_dirs++)
			c->state_dirs[c->n_state_dirs] = default_state_dirs[c->n_state_dirs];
	c->o.containers.n_state_dirs = c->n_state_dirs;
	c->o.ro_prefixes = c->ro_prefixes;
	c->o.containers.state_dirs = c->state_dirs;
}

void cli_pipeline_usage(FILE *out)
{
	fprintf(out,
		"  -e, --events LIST      comma-separated event types (default: all); see docs/events.md\n"
		"      --ro-prefix PATH   also report read-only opens of paths starting with PATH (repeatable)\n"
		"      --proc-cache N     process cache entries (default %d)\n"
		"      --procfs DIR       the host's /proc (default /proc; /host/proc in a container)\n"
		"      --ancestry N       ancestors resolved per event (default %d)\n"
		"      --docker-socket P  Docker Engine API socket (default /var/run/docker.sock; \"\" disables)\n"
		"      --docker-root DIR  Docker's data root, read instead of asking the API where\n"
		"                         DIR/containers is readable (default /var/lib/docker)\n"
		"      --state-dir DIR    OCI runtime state root, repeatable (default: /run/runc,\n"
		"                         /run/containerd/runc, /run/docker/runtime-runc/moby)\n"
		"      --host-root DIR    prefix for host paths named in runtime state (default \"\"; /host in a pod)\n"
		"  -v, --verbose          debug logging (includes libbpf's messages)\n"
		"      --log-format F     the agent's log on stderr: json, text or auto (default: text on a\n"
		"                         terminal, JSON lines otherwise)\n",
		DEFAULT_PROC_CACHE, DEFAULT_ANCESTRY);
}
