/* SPDX-License-Identifier: Apache-2.0 */
/* Command-line options shared by the commands that run the sensor (trace, run). */
#ifndef BULWARK_CLI_H
#define BULWARK_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "pipeline.h"

#define CLI_MAX_RO_PREFIXES 64
#define CLI_MAX_STATE_DIRS 16

/* getopt_long values of the shared long options (outside the char range) */
enum {
	CLI_OPT_EVENTS = 'e',
	CLI_OPT_VERBOSE = 'v',
	CLI_OPT_RO_PREFIX = 0x100,
	CLI_OPT_PROC_CACHE,
	CLI_OPT_PROCFS,
	CLI_OPT_ANCESTRY,
	CLI_OPT_DOCKER_SOCKET,
	CLI_OPT_DOCKER_ROOT,
	CLI_OPT_STATE_DIR,
	CLI_OPT_HOST_ROOT,
	CLI_OPT_LOG_FORMAT,
};

/* A bit per shared option (struct cli_pipeline.given): the command line gave it, a config file must not override it. */
#define CLI_GIVEN(opt) \
	(1u << ((opt) == CLI_OPT_EVENTS ? 0 : (opt) == CLI_OPT_VERBOSE ? 1 : (opt) - CLI_OPT_RO_PREFIX + 2))

/* The entries to put in a command's struct option array (followed by its own and the terminator). */
#define CLI_PIPELINE_LONGOPTS                                                                              \
	{ "events", required_argument, NULL, CLI_OPT_EVENTS },                                             \
	{ "ro-prefix", required_argument, NULL, CLI_OPT_RO_PREFIX },                                       \
	{ "proc-cache", required_argument, NULL, CLI_OPT_PROC_CACHE },                                     \
	{ "procfs", required_argument, NULL, CLI_OPT_PROCFS },                                             \
	{ "ancestry", required_argument, NULL, CLI_OPT_ANCESTRY },                                         \
	{ "docker-socket", required_argument, NULL, CLI_OPT_DOCKER_SOCKET },                               \
	{ "docker-root", required_argument, NULL, CLI_OPT_DOCKER_ROOT },                                   \
	{ "state-dir", required_argument, NULL, CLI_OPT_STATE_DIR },                                       \
	{ "host-root", required_argument, NULL, CLI_OPT_HOST_ROOT },                                       \
	{ "log-format", required_argument, NULL, CLI_OPT_LOG_FORMAT },                                     \
	{ "verbose", no_argument, NULL, CLI_OPT_VERBOSE }
#define CLI_PIPELINE_SHORTOPTS "e:v"

struct cli_pipeline {
	struct pipeline_opts o;
	const char *ro_prefixes[CLI_MAX_RO_PREFIXES];
	const char *state_dirs[CLI_MAX_STATE_DIRS];
	size_t n_state_dirs;
	bool events_given;
	unsigned given; /* CLI_GIVEN bits of the options seen */
};

/* Defaults: every event type, the host's /proc, the usual runtime paths. */
void cli_pipeline_init(struct cli_pipeline *c);
/* 1: the option was a shared one (handled); 0: not shared; -1: bad value (a message was printed). */
int cli_pipeline_option(struct cli_pipeline *c, int opt, const char *arg);
/* After parsing: fills what was not given (state dirs). The struct must not move afterwards. */
void cli_pipeline_finish(struct cli_pipeline *c);
void cli_pipeline_usage(FILE *out);
/* Parses "exec,open,..." into events; 0 or -1 with a message. */
int cli_parse_events(const char *list, bool events[BW_EV_MAX]);

#endif
