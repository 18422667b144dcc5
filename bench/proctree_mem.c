// SPDX-License-Identifier: Apache-2.0
/*
 * Memory of the process cache with N tracked processes (default 10,000), each
 * with exe, argv and a container cgroup path of realistic length, and of the
 * container cache with M containers. Heap bytes from mallinfo2 before/after.
 *   proctree_mem [N] [CAPACITY]
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proctree.h"

/* heap in use: small blocks plus the mmap()ed large ones (a big calloc lands there) */
static size_t used(const struct mallinfo2 *m)
{
	return m->uordblks + m->hblkhd;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
	size_t cap = argc > 2 ? strtoul(argv[2], NULL, 10) : 65536;
	struct mallinfo2 before = mallinfo2(), created, filled;
	struct proctree *pt = proctree__new(cap, "/nonexistent");
	static const char args[] = "/usr/local/bin/python3\0-m\0gunicorn\0app:server\0--workers\0""4\0--bind\0""0.0.0.0:8080";
	char exe[64], cgroup[160];
	size_t i;

	created = mallinfo2();
	for (i = 0; i < n; i++) {
		struct proc_info pi = { .pid = 1000 + i, .ppid = 1, .start_time = 1000000007ull * (i + 1),
					.exe = exe, .args = args, .args_len = sizeof(args) - 1, .cgroup = cgroup };

		snprintf(exe, sizeof(exe), "/usr/local/bin/python3.%zu", i % 13);
		snprintf(cgroup, sizeof(cgroup),
			 "/kubepods/burstable/pod5d7c3a52-8d2e-4f4e-9a55-0a1b2c3d4e%02zu/%064zx", i % 100, i % 500);
		strcpy(pi.comm, "gunicorn");
		proctree__exec(pt, &pi);
	}
	filled = mallinfo2();
	printf("proctree: capacity %zu: %zu bytes preallocated; %zu processes: +%zu bytes (%zu bytes/process); total %.1f MiB\n",
	       cap, used(&created) - used(&before), n, used(&filled) - used(&created),
	       (used(&filled) - used(&created)) / n, (used(&filled) - used(&before)) / 1048576.0);
	proctree__free(pt);
	return 0;
}
