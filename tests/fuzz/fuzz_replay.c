// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer harness: `bulwark replay` input — trace lines (JSON), each turned back into a kernel
 * record through the event catalogue, run through the process tree and the default rules. The
 * input is split into lines as a file would be; one replay per input (so a finding reproduces
 * from its file alone), the default rules loaded once.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "replay.h"
#include "rules/rules.h"

static struct rules *rules;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct strbuf alerts = STRBUF_INIT;
	struct rules_diags diags = { 0 };
	struct replay *rp;
	char err[256];

	if (!rules && !(rules = rules__load_default(&diags)))
		__builtin_trap(); /* the embedded rules must load */
	rules_diags_free(&diags);
	rp = replay__new(rules, "fuzz-host", false);
	if (!rp)
		return 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		replay__line(rp, p, len, &alerts, err, sizeof(err));
		alerts.len = 0;
		p += len + 1;
	}
	replay__free(rp);
	strbuf_free(&alerts);
	return 0;
}
