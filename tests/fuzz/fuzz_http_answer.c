// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer harness: what an HTTP receiver answers (agent/output/sink_http.c) — a Retry-After
 * header (seconds or an HTTP date), a Splunk HEC body with its code and invalid event number,
 * an Elasticsearch _bulk body with per-item statuses, and whole raw answers (status line, header
 * lines as curl hands them over, body) for each HTTP output kind — against a batch of 1..8
 * alerts: every item must end with a status, no answer may index outside the batch, and no
 * Retry-After may make the worker wait longer than its cap.
 * Input: byte 0 picks the parser, byte 1 the batch size and the HTTP status (or the output
 * kind), the rest is the text.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/internal.h"

#define RETRY_CAP_MS (10u * 60 * 1000) /* agent/output/util.c BACKOFF_CAP_MS */

/*
 * A raw answer: "HTTP/1.1 NNN reason" then header lines up to an empty one, then the body;
 * the header lines go one by one (with their CRLF, not NUL-terminated, as curl's header
 * callback gets them) through the sink's header parser, the status and body through its
 * verdict.
 */
static void raw_answer(const char *text, size_t len, struct batch *b, unsigned kind_pick)
{
	static const enum output_kind kinds[] = { OUTPUT_WEBHOOK, OUTPUT_SPLUNK, OUTPUT_ELASTIC, OUTPUT_LOKI };
	static struct output_config c = { .name = "fuzz", .host = "127.0.0.1", .port = 9 };
	const char *p = text, *end = text + len, *nl;
	unsigned retry = 0;
	long status = 0;
	char why[256];
	size_t i;
	int rc;

	c.kind = kinds[kind_pick % 4];
	nl = memchr(p, '\n', (size_t)(end - p));
	if (len > 9 && !memcmp(p, "HTTP/", 5)) {
		const char *sp = memchr(p, ' ', nl ? (size_t)(nl - p) : len);

		if (sp && sp + 4 <= end) /* three digits, as curl requires */
			status = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
	}
	p = nl ? nl + 1 : end;
	while (p < end) {
		size_t n;

		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		if (n <= 2 && (*p == '\r' || *p == '\n')) { /* the empty line */
			p += n;
			break;
		}
		http_header_retry_after(p, n, (time_t)1796540000, &retry);
		if (retry > RETRY_CAP_MS)
			__builtin_trap(); /* a receiver may not hold the output longer than the cap */
		p += n;
	}
	rc = http_answer_result(&c, status, p, (size_t)(end - p), b, why, sizeof(why));
	if (rc == 0) {
		for (i = 0; i < b->n; i++)
			if (b->items[i].status == ITEM_PENDING)
				__builtin_trap(); /* "every item has a status" broken */
	} else if (rc != -EAGAIN && rc != -EMSGSIZE && rc != -EPROTO) {
		__builtin_trap();
	}
	/* a 2xx never dead-letters from a webhook or Loki; a non-2xx never marks delivered */
	for (i = 0; i < b->n; i++) {
		if (status / 100 != 2 && c.kind != OUTPUT_SPLUNK && b->items[i].status == ITEM_OK)
			__builtin_trap();
		if (status / 100 == 2 && (c.kind == OUTPUT_WEBHOOK || c.kind == OUTPUT_LOKI) &&
		    b->items[i].status != ITEM_OK)
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 201, 400, 403, 404, 413, 429, 500, 503 };
	struct batch_item items[8];
	struct batch b = { .items = items, .cap = 8 };
	char why[256], *text;
	unsigned ms;
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
	switch (data[0] % 4) {
	case 0:
		ms = parse_retry_after(text, (time_t)1796540000);
		if (ms > RETRY_CAP_MS)
			__builtin_trap();
		break;
	case 1:
		http_splunk_result(text, size - 2, &b, statuses[(data[1] >> 3) % 9], why, sizeof(why));
		break;
	case 2:
		http_elastic_result(text, size - 2, &b, why, sizeof(why));
		break;
	default:
		raw_answer(text, size - 2, &b, data[1] >> 3);
		break;
	}
	for (i = 0; i < b.n; i++)
		if ((unsigned)items[i].status > ITEM_DEAD)
			__builtin_trap(); /* a status outside the enum */
	free(text);
	return 0;
}
