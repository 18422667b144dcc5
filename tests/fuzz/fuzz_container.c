// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer harness: what container runtimes write and a container can influence —
 * cgroup paths (the container id and runtime are read from them), OCI config.json /
 * state.json, Docker's inspect / config.v2.json documents and containers/storage's
 * containers.json (podman, CRI-O). The first byte picks the parser.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct container_ident id;
	struct container_info *ci;
	char *text;

	if (size < 1)
		return 0;
	text = malloc(size);
	ci = calloc(1, sizeof(*ci));
	if (!text || !ci)
		goto out;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 4) {
	case 0:
		container_ident_from_cgroup(text, &id);
		break;
	case 1:
		container_parse_oci_spec(text, ci);
		break;
	case 2:
		container_parse_docker_inspect(text, ci);
		break;
	default:
		/* an id the seed lists: the document's own fields are then read */
		strcpy(ci->ident.id, "edd11da032485e6d4faf07b6ebc00ac8fccb7bbf1343a0c2a359637667f15069");
		container_parse_storage(text, ci);
		break;
	}
out:
	free(ci);
	free(text);
	return 0;
}
