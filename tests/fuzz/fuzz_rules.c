// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer harness: the rules loader (YAML, lists, macros, exceptions) and the condition
 * lexer, parser and compiler behind it, on one rules file. A file that loads is also
 * asked for what the sensor derives from it (event types, read-only prefixes).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"

static void count_prefix(void *ctx, const char *prefix)
{
	*(size_t *)ctx += strlen(prefix);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the loader reads a NUL-terminated copy, as it does for a file */
	char *text = malloc(size + 1);
	struct rules_diags diags = { 0 };
	struct rules_source src;
	struct rules *rs;
	bool types[BW_EV_MAX];
	size_t n = 0;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	src = (struct rules_source){ "fuzz.yaml", text, size };
	rs = rules__load_sources(&src, 1, &diags);
	if (rs) {
		rules__event_types(rs, types);
		rules__read_prefixes(rs, count_prefix, &n);
		rules__free(rs);
	}
	rules_diags_free(&diags);
	free(text);
	return 0;
}
