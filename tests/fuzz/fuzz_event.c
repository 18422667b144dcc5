// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer harness: kernel records as the ring buffer delivers them (agent/event.c). A record
 * that passes validation is rendered as `bulwark trace` would, so every string descriptor and
 * fixed field the encoder reads is exercised on attacker-shaped bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "event_json.h"

static int64_t boot_to_real;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the ring hands out 8-byte aligned records: copy so the decoder sees the same */
	void *rec = malloc(size ? size : 1);
	uint64_t counts[EVENT_BAD_MAX] = { 0 };
	struct event_context ctx = { 0 };
	struct strbuf sb = STRBUF_INIT;
	enum event_malformed why;
	struct event_view v;

	if (!rec)
		return 0;
	memcpy(rec, data, size);
	if (event_decode(rec, size, &v, &why, counts) == 0)
		/* this machine's offset: what the record's own ktime is added to */
		event_json(&sb, &v, &ctx, boot_to_real ? boot_to_real : (boot_to_real = event_boot_to_real_ns()));
	strbuf_free(&sb);
	free(rec);
	return 0;
}
