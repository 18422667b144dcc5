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
	CLI_OPT_ENFORCE,
	CLI_OPT_LOG_FORMAT, /* not a pipeline option: the log's own, shared by run and trace */
};

#define CLI_MAX_LONGOPTS 32

/* The settings the pipeline options fill (agent/options.c describes each). */
struct cli_pipeline {
	struct pipeline_opts o;
	const char *ro_prefixes[CLI_MAX_RO_PREFIXES];
	const char *state_dirs[CLI_MAX_STATE_DIRS];
	size_t n_state_dirs;
	bool verbose;
	bool log_format_given; /* --log-format: a config file's log.format must not override it */
	unsigned given; /* OPTIONS_BIT of the options seen (on the command line, or as keys of a config file) */
};

/* getopt_long's arguments: the pipeline options, then a command's own. */
struct cli_getopt {
	char shortopts[64];
	struct option longopts[CLI_MAX_LONGOPTS];
};

/* @own_long ends with a NULL name. 0, or -ENOSPC (a programming error: raise CLI_MAX_LONGOPTS). */
int cli_getopt_init(struct cli_getopt *g, const char *own_short, const struct option *own_long);
/* Defaults: every event type, the host's /proc, the usual runtime paths. */
void cli_pipeline_init(struct cli_pipeline *c);
/* 1: the option was a shared one (handled); 0: not shared; -1: bad value (a message was printed). */
int cli_pipeline_option(struct cli_pipeline *c, int opt, const char *arg);
/* After parsing: fills what was not given (state dirs). The struct must not move afterwards. */
void cli_pipeline_finish(struct cli_pipeline *c);
void cli_pipeline_usage(FILE *out);

#endif
