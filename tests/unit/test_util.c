// SPDX-License-Identifier: Apache-2.0
/* The small shared helpers: reading files, reading clocks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "jsonw.h"
#include "util.h"

static void test_read_file(void)
{
	char path[] = "/tmp/bw-util-XXXXXX";
	int fd = mkstemp(path);
	size_t len = 99;
	char *text;

	CHECK(fd >= 0, "mkstemp");
	if (fd < 0)
		return;
	CHECK(write(fd, "a\0bc", 4) == 4, "write");
	close(fd);
	text = util_read_file(path, 4, &len);
	CHECK(text && len == 4 && memcmp(text, "a\0bc", 5) == 0, "whole file, NUL-terminated");
	free(text);
	errno = 0;
	CHECK(util_read_file(path, 3, &len) == NULL && errno == EFBIG, "larger than max: errno %d", errno);
	unlink(path);
	errno = 0;
	CHECK(util_read_file(path, 10, NULL) == NULL && errno == ENOENT, "missing: errno %d", errno);
	errno = 0;
	CHECK(util_read_file("/tmp", 10, NULL) == NULL && errno == EINVAL, "a directory: errno %d", errno);
}

static void test_read_small(void)
{
	char buf[64];
	ssize_t n;

	/* procfs files have no size for stat: read until end of file */
	n = util_read_small("/proc/self/comm", buf, sizeof(buf) - 1);
	CHECK(n > 1 && buf[n - 1] == '\n', "comm: %zd", n);
	n = util_read_small("/proc/self/cmdline", buf, 4);
	CHECK_INT(n, 4);
	CHECK_INT(util_read_small("/nonexistent/x", buf, sizeof(buf)), -ENOENT);
}

static void test_clocks(void)
{
	uint64_t a = util_clock_ns(CLOCK_MONOTONIC), ms = util_mono_ms(), b = util_clock_ns(CLOCK_MONOTONIC);
	char stamp[40];
	size_t n;

	CHECK(a <= b, "monotonic went back");
	CHECK(ms >= a / 1000000 && ms <= b / 1000000, "ms %llu outside [%llu, %llu]", (unsigned long long)ms,
	      (unsigned long long)(a / 1000000), (unsigned long long)(b / 1000000));
	CHECK(util_clock_ns(CLOCK_REALTIME) > 1600000000ull * 1000000000ull, "realtime in ns");
	n = fmt_rfc3339_now(stamp, sizeof(stamp));
	CHECK(n == 30 && stamp[4] == '-' && stamp[10] == 'T' && stamp[29] == 'Z', "rfc3339: %s", stamp);
}

int main(void)
{
	RUN(test_read_file);
	RUN(test_read_small);
	RUN(test_clocks);
	return check_summary();
}
