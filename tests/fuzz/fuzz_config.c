// SPDX-License-Identifier: Apache-2.0
/* libFuzzer harness: the config file loader (agent/config.c), text as read from disk. */
#include <stddef.h>
#include <stdint.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	struct config_errors errs = { 0 };

	config_load_text(&cfg, "fuzz.yaml", (const char *)data, size, &errs);
	config_errors_free(&errs);
	config_free(&cfg);
	return 0;
}
