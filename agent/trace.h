/* SPDX-License-Identifier: Apache-2.0 */
/* `bulwark trace`: every event as one JSON line on stdout until SIGINT/SIGTERM. */
#ifndef BULWARK_TRACE_H
#define BULWARK_TRACE_H

#include "pipeline.h"

/* Returns the process exit status: 0 after a clean stop, 1 on a runtime error, 2 if it cannot start. */
int trace_run(const struct pipeline_opts *opts);
/* `bulwark trace [options]`: parses the command line, then trace_run. */
int cmd_trace(int argc, char **argv);

#endif
