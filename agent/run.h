/* SPDX-License-Identifier: Apache-2.0 */
/* `bulwark run`: sensor + enrichment + rules, alerts as Falco-schema JSON lines. */
#ifndef BULWARK_RUN_H
#define BULWARK_RUN_H

#include <stddef.h>

#include "pipeline.h"

/*
 * rule_paths NULL: the embedded default rules; output_specs as docs/outputs.md
 * describes them. Returns the exit status (2: cannot start).
 */
int run_main(const struct pipeline_opts *opts, const char *const *rule_paths, size_t n_rule_paths,
	     const char *const *output_specs, size_t n_outputs);
/* `bulwark run [-r RULES]... [options]` */
int cmd_run(int argc, char **argv);

#endif
