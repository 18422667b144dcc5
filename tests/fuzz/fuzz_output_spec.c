// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer harness: output specs (`-o syslog+tls://host:6514?ca=...`, webhook, HEC, _bulk,
 * Loki URLs with their options), the one parser the command line and the config file's
 * output mappings share (agent/output/config.c).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output/output.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *spec = malloc(size + 1);
	struct output_config cfg;
	char err[512];
	size_t pos = 0;

	if (!spec)
		return 0;
	memcpy(spec, data, size);
	spec[size] = '\0';
	output_config_init(&cfg);
	output_config_parse_spec(spec, &cfg, &pos, err, sizeof(err));
	free(spec);
	return 0;
}
