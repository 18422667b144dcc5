/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A minimal test harness. Each test is a function; CHECK records a failure
 * with file:line and the test goes on, so one run shows every broken
 * assertion. The binary prints "ok"/"FAIL" per test and a last line
 * "N passed, N failed" that tests/run.sh sums.
 */
#ifndef BULWARK_CHECK_H
#define BULWARK_CHECK_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures_in_test;
static int check_passed, check_failed, check_skipped;
static const char *check_skip_reason;

#define CHECK(cond, ...)                                                            \
	do {                                                                        \
		if (!(cond)) {                                                      \
			check_failures_in_test++;                                   \
			fprintf(stderr, "    %s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                               \
			fputc('\n', stderr);                                        \
		}                                                                   \
	} while (0)

#define CHECK_STR(got, want)                                                            \
	do {                                                                            \
		const char *g_ = (got), *w_ = (want);                                   \
		CHECK(g_ && strcmp(g_, w_) == 0, "got \"%s\", want \"%s\"", g_ ? g_ : "(null)", w_); \
	} while (0)

#define CHECK_INT(got, want)                                                               \
	do {                                                                               \
		long long g_ = (long long)(got), w_ = (long long)(want);                   \
		CHECK(g_ == w_, "got %lld, want %lld", g_, w_);                             \
	} while (0)

/* Marks the running test as skipped (not counted as passed or failed). */
#define SKIP(reason) do { check_skip_reason = (reason); return; } while (0)

/* CHECK_ONLY=a,b in the environment: only the tests whose names contain a or b run (a quick loop). */
static inline bool check_selected(const char *name)
{
	const char *only = getenv("CHECK_ONLY"), *p;
	char tok[128];
	size_t n;

	if (!only || !*only)
		return true;
	for (p = only; *p; p += n + (p[n] == ',')) {
		n = strcspn(p, ",");
		snprintf(tok, sizeof(tok), "%.*s", (int)n, p);
		if (n && strstr(name, tok))
			return true;
	}
	return false;
}

static inline void check_run(const char *name, void (*fn)(void))
{
	if (!check_selected(name))
		return;
	check_failures_in_test = 0;
	check_skip_reason = NULL;
	fn();
	if (check_skip_reason) {
		check_skipped++;
		printf("skip %s: %s\n", name, check_skip_reason);
	} else if (check_failures_in_test) {
		check_failed++;
		printf("FAIL %s\n", name);
	} else {
		check_passed++;
		printf("ok   %s\n", name);
	}
	fflush(stdout);
}

#define RUN(fn) check_run(#fn, fn)

static inline int check_summary(void)
{
	printf("%d passed, %d failed", check_passed, check_failed);
	if (check_skipped)
		printf(", %d skipped", check_skipped);
	printf("\n");
	return check_failed ? 1 : 0;
}

#endif
