/* SPDX-License-Identifier: Apache-2.0 */
/* `bulwark run`: sensor + enrichment + rules, alerts as Falco-schema JSON lines. */
#ifndef BULWARK_RUN_H
#define BULWARK_RUN_H

#include <stddef.h>

#include "config.h"
#include "output/output.h"
#include "pipeline.h"

/* Everything `run` needs, merged from the command line and the config file. */
struct run_opts {
	struct pipeline_opts pipeline;
	const char *const *rule_paths;       /* NULL: the embedded default rules */
	size_t n_rule_paths;
	const struct output_config *outputs; /* finished (output_config_finish) */
	size_t n_outputs;
	const char *metrics_listen;          /* IP:PORT; "" or NULL: no HTTP server */
	bool metrics_required;               /* the address was configured: failing to listen stops the start */
	struct health_config health;
	const char *config_path;             /* re-read on SIGHUP; NULL: none */
	const char *sbom_dir;                /* image inventories (agent/sbom.h); NULL or "": off */
	struct config *config;               /* as read at start; must outlive run_main */
	bool rules_from_cli;                 /* -r given: SIGHUP keeps these paths */
	bool log_format_given;               /* --log-format given: the config's log.format does not apply */
	bool verbose;                        /* -v given: SIGHUP keeps the debug level */
	bool rate_limit_set;                 /* --rate-limit given: noise control as it says (rate 0: off) */
	double rate, burst;                  /* alerts per second per (rule, container), bucket size */
};

/* Returns the exit status (2: cannot start). */
int run_main(const struct run_opts *opts);
/* `bulwark run [-c CONFIG] [-r RULES]... [-o OUTPUT]... [options]` */
int cmd_run(int argc, char **argv);

#endif
