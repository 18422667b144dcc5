// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer harness: the package databases an image carries, which whoever built the image
 * (or the container itself, through its upper layer) writes: dpkg's status and .list files,
 * apk's installed database, a Python METADATA + RECORD pair, a Node package.json, an
 * os-release. The first byte picks the parser; for Python the input is split at the first
 * 0x1e byte into METADATA and RECORD. Small limits so that the limit paths are reached too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inv_limits lim = { .db_bytes = 32768, .list_bytes = 16384, .packages = 64, .files = 512,
				  .arena_bytes = 1 << 20, .walk_entries = 16, .walk_depth = 4 };
	struct inventory *inv;
	const char *text;
	const char *sep;
	size_t n;

	if (size < 1)
		return 0;
	inv = inventory__new(&lim);
	if (!inv)
		return 0;
	text = (const char *)data + 1;
	n = size - 1;
	switch (data[0] % 6) {
	case 0:
		inventory__parse_dpkg_status(inv, text, n, "/var/lib/dpkg/status");
		break;
	case 1: {
		static const char one[] = "Package: p\nStatus: install ok installed\nVersion: 1\n";

		inventory__parse_dpkg_status(inv, one, sizeof(one) - 1, "s");
		inventory__add_dpkg_list(inv, 0, text, n);
		break;
	}
	case 2:
		inventory__parse_apk_installed(inv, text, n, "/lib/apk/db/installed");
		break;
	case 3:
		sep = memchr(text, 0x1e, n);
		if (sep)
			inventory__parse_python(inv, text, sep - text, sep + 1, n - (sep - text) - 1,
						"/usr/lib/python3/dist-packages/x-1.dist-info");
		else
			inventory__parse_python(inv, text, n, NULL, 0, "/x.dist-info");
		break;
	case 4:
		inventory__parse_package_json(inv, text, n, "/app/node_modules/x");
		break;
	default:
		inventory__parse_os_release(inv, text, n);
		break;
	}
	/* PURLs and the index over whatever was accepted, then a few lookups */
	inventory__finish(inv);
	inventory__owner(inv, "/usr/bin/x");
	inventory__owner(inv, "/app/node_modules/x/index.js");
	inventory__owner(inv, "/");
	inventory__free(inv);
	return 0;
}
