// SPDX-License-Identifier: Apache-2.0
/* bulwark command line. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_alert_send.h"
#include "commands.h"
#include "cli.h"
#include "config.h"
#include "log.h"
#include "run.h"
#include "sbom.h"
#include "trace.h"

#ifndef BULWARK_VERSION
#define BULWARK_VERSION "0.1.0-dev"
#endif

static void usage(FILE *out)
{
	fprintf(out,
		"usage: bulwark <command> [options]\n"
		"\n"
		"commands:\n"
		"  run       detect: rules on every kernel event, alerts as JSON lines on stdout (default rules embedded)\n"
		"  trace     print every kernel event as one JSON object per line until SIGINT/SIGTERM\n"
		"  rules     rules check [FILE|DIR]... | list | fields: validate rules, list rules or fields\n"
		"  replay    [-r RULES]... [--bench N] FILE|-: run recorded trace events through the rules\n"
		"  alert-send [--output SPEC]... FILE|-   publish alert JSON lines through outputs (docs/outputs.md)\n"
		"  sbom      [--in-use] [IMAGE] | --list | --rootfs DIR: CycloneDX 1.5 inventory of an image, packages in use marked\n"
		"  config    config check [FILE]...: validate config files (default " CONFIG_DEFAULT_PATH ")\n"
		"  version   print the version\n"
		"  help      this text\n"
		"\n"
		"trace and run options:\n");
	cli_pipeline_usage(out);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "help";

	log_route_libbpf();
	if (strcmp(cmd, "trace") == 0)
		return cmd_trace(argc - 1, argv + 1);
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(cmd, "rules") == 0)
		return cmd_rules(argc - 1, argv + 1);
	if (strcmp(cmd, "replay") == 0)
		return cmd_replay(argc - 1, argv + 1);
	if (strcmp(cmd, "sbom") == 0)
		return cmd_sbom(argc - 1, argv + 1);
	if (strcmp(cmd, "config") == 0)
		return cmd_config(argc - 1, argv + 1);
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
