// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer harness: what an HTTP receiver answers (agent/output/sink_http.c) — a Retry-After
 * header (seconds or an HTTP date), a Splunk HEC body with its code and invalid event number,
 * an Elasticsearch _bulk body with per-item statuses — against a batch of 1..8 alerts: every
 * item must end with a status and no answer may index outside the batch.
 * Input: byte 0 picks the parser, byte 1 the batch size and the HTTP status, the rest is the text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 201, 400, 403, 404, 413, 429, 500, 503 };
	struct batch_item items[8];
	struct batch b = { .items = items, .cap = 8 };
	char why[256], *text;
	size_t i;

	if (size < 2)
		return 0;
	text = malloc(size - 1);
	if (!text)
		return 0;
	memcpy(text, data + 2, size - 2);
	text[size - 2] = '\0';
	memset(items, 0, sizeof(items));
	b.n = 1 + (data[1] & 7);
	switch (data[0] % 3) {
	case 0:
		parse_retry_after(text, (time_t)1796540000);
		break;
	case 1:
		http_splunk_result(text, size - 2, &b, statuses[(data[1] >> 3) % 9], why, sizeof(why));
		break;
	default:
		http_elastic_result(text, size - 2, &b, why, sizeof(why));
		break;
	}
	for (i = 0; i < b.n; i++)
		if ((unsigned)items[i].status > ITEM_DEAD)
			__builtin_trap(); /* a status outside the enum */
	free(text);
	return 0;
}
