// SPDX-License-Identifier: Apache-2.0
/* bulwark command line. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "cmd_alert_send.h"
#include "event.h"
#include "log.h"
#include "trace.h"

#ifndef BULWARK_VERSION
#define BULWARK_VERSION "0.1.0-dev"
#endif

#define MAX_RO_PREFIXES 64
#define MAX_STATE_DIRS 16
#define DEFAULT_PROC_CACHE 65536
#define DEFAULT_ANCESTRY 5
#define DEFAULT_CONTAINER_CACHE 4096

/* Where runc-based runtimes keep container state (runc layout: <root>/<id>/state.json). */
static const char *const default_state_dirs[] = {
	"/run/runc",                     /* plain runc, CRI-O */
	"/run/containerd/runc",          /* containerd: <root>/<namespace>/<id> (k8s.io, default, moby) */
	"/run/docker/runtime-runc/moby", /* Docker Engine */
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: bulwark <command> [options]\n"
		"\n"
		"commands:\n"
		"  trace     print every kernel event as one JSON object per line until SIGINT/SIGTERM\n"
		"  rules     rules check [FILE|DIR]... | list | fields: validate rules, list rules or fields\n"
		"  replay    [-r RULES]... [--bench N] FILE|-: run recorded trace events through the rules\n"
		"  alert-send [--output SPEC]... FILE|-   publish alert JSON lines through outputs (docs/outputs.md)\n"
		"  version   print the version\n"
		"  help      this text\n"
		"\n"
		"trace options:\n"
		"  -e, --events LIST      comma-separated event types to trace (default: all); see docs/events.md\n"
		"  -r, --ro-prefix PATH   also report read-only opens of paths starting with PATH (repeatable)\n"
		"      --proc-cache N     process cache entries (default %d)\n"
		"      --procfs DIR       the host's /proc (default /proc; /host/proc in a container)\n"
		"      --ancestry N       ancestors printed per event (default %d)\n"
		"      --docker-socket P  Docker Engine API socket (default /var/run/docker.sock; \"\" disables)\n"
		"      --docker-root DIR  Docker's data root, read before asking the API (default /var/lib/docker)\n"
		"      --state-dir DIR    OCI runtime state root, repeatable (default: /run/runc,\n"
		"                         /run/containerd/runc, /run/docker/runtime-runc/moby)\n"
		"      --host-root DIR    prefix for host paths named in runtime state (default \"\"; /host in a pod)\n"
		"  -v, --verbose          debug logging (includes libbpf's messages)\n",
		DEFAULT_PROC_CACHE, DEFAULT_ANCESTRY);
}

/* Parses "exec,open,..." into opts->events; returns 0 or -1 with a message. */
static int parse_events(const char *list, bool events[BW_EV_MAX])
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

static int cmd_trace(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "events", required_argument, NULL, 'e' },  { "ro-prefix", required_argument, NULL, 'r' },
		{ "proc-cache", required_argument, NULL, 'c' }, { "procfs", required_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },       { "help", no_argument, NULL, 'h' },
		{ "ancestry", required_argument, NULL, 'A' }, { "docker-socket", required_argument, NULL, 'D' },
		{ "state-dir", required_argument, NULL, 'S' }, { "host-root", required_argument, NULL, 'H' },
		{ "docker-root", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	const char *prefixes[MAX_RO_PREFIXES], *state_dirs[MAX_STATE_DIRS];
	struct pipeline_opts o = { .ro_prefixes = prefixes, .proc_cache_size = DEFAULT_PROC_CACHE, .procfs = "/proc",
				.ancestry_depth = DEFAULT_ANCESTRY,
				.containers = { .docker_socket = "/var/run/docker.sock", .docker_root = "/var/lib/docker",
						.state_dirs = state_dirs,
						.host_root = "", .capacity = DEFAULT_CONTAINER_CACHE,
						.lookup_timeout_ms = 500 } };
	size_t n_state_dirs = 0;
	int c, t;
	char *end;

	for (t = 1; t < BW_EV_MAX; t++)
		o.events[t] = true;
	while ((c = getopt_long(argc, argv, "e:r:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (parse_events(optarg, o.events))
				return 2;
			break;
		case 'r':
			if (o.n_ro_prefixes == MAX_RO_PREFIXES) {
				fprintf(stderr, "bulwark: --ro-prefix: at most %d prefixes\n", MAX_RO_PREFIXES);
				return 2;
			}
			prefixes[o.n_ro_prefixes++] = optarg;
			break;
		case 'c':
			o.proc_cache_size = strtoul(optarg, &end, 10);
			if (*end || o.proc_cache_size == 0) {
				fprintf(stderr, "bulwark: --proc-cache: expected a positive number, got '%s'\n", optarg);
				return 2;
			}
			break;
		case 'p':
			o.procfs = optarg;
			break;
		case 'A':
			o.ancestry_depth = strtoul(optarg, &end, 10);
			if (*end) {
				fprintf(stderr, "bulwark: --ancestry: expected a number, got '%s'\n", optarg);
				return 2;
			}
			break;
		case 'D':
			o.containers.docker_socket = optarg;
			break;
		case 'S':
			if (n_state_dirs == MAX_STATE_DIRS) {
				fprintf(stderr, "bulwark: --state-dir: at most %d directories\n", MAX_STATE_DIRS);
				return 2;
			}
			state_dirs[n_state_dirs++] = optarg;
			break;
		case 'H':
			o.containers.host_root = optarg;
			break;
		case 'R':
			o.containers.docker_root = optarg;
			break;
		case 'v':
			log_set_level(LOG_DEBUG);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "bulwark trace: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (n_state_dirs == 0)
		for (; n_state_dirs < sizeof(default_state_dirs) / sizeof(default_state_dirs[0]); n_state_dirs++)
			state_dirs[n_state_dirs] = default_state_dirs[n_state_dirs];
	o.containers.n_state_dirs = n_state_dirs;
	return trace_run(&o);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "help";

	log_route_libbpf();
	if (strcmp(cmd, "trace") == 0)
		return cmd_trace(argc - 1, argv + 1);
	if (strcmp(cmd, "rules") == 0)
		return cmd_rules(argc - 1, argv + 1);
	if (strcmp(cmd, "replay") == 0)
		return cmd_replay(argc - 1, argv + 1);
	if (strcmp(cmd, "alert-send") == 0)
		return cmd_alert_send(argc - 1, argv + 1);
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("bulwark %s\n", BULWARK_VERSION);
		return 0;
	}
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "bulwark: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
