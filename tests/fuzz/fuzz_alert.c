// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer harness: alert lines as `bulwark alert-send`, the spool and dead letters read
 * them back (agent/output/alert.c), then every format and the syslog message built from
 * what was accepted — an alert carries strings an attacker chose (file names, argv,
 * container labels), so no byte may break a format's framing or the formatter's memory.
 */
#include <stddef.h>
#include <stdint.h>

#include "jsonw.h"
#include "output/internal.h"
#include "output/output.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf sb = STRBUF_INIT;
	struct output_config cfg;
	struct alert a = { 0 }, copy = { 0 };
	char err[256];
	int fmt;

	if (alert_parse((const char *)data, size, &a, err, sizeof(err)) == 0) {
		for (fmt = 0; fmt < FORMAT_MAX; fmt++) {
			format_alert(&sb, fmt, &a);
			sb.len = 0;
		}
		output_config_init(&cfg);
		format_syslog5424(&sb, &cfg, &a, 1);
		if (alert_copy(&copy, &a) == 0)
			alert_free(&copy);
	}
	alert_free(&a);
	strbuf_free(&sb);
	return 0;
}
