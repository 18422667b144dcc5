// SPDX-License-Identifier: Apache-2.0
/* Noise folding on the shared table: every folded alert is reported once, and freeing sends nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* before the output headers on purpose: it defines PRIO_MAX, which their enum must not use */
#include <sys/resource.h>

#include "check.h"
#include "output/internal.h"
#include "output/output.h"

struct tally {
	int summaries;
	uint64_t folded;
	char last_container[32];
};

static void on_summary(void *ctx, const struct rl_summary *s)
{
	struct tally *t = ctx;
	struct alert a;

	t->summaries++;
	t->folded += s->count;
	snprintf(t->last_container, sizeof(t->last_container), "%s", s->container);
	/* the summary alert is built from the entry's strings: they must still be alive here */
	CHECK(ratelimit_summary(s, &a) == 0, "summary alert");
	CHECK_STR(a.rule, s->rule);
	alert_free(&a);
}

static int load(struct alert *a, const char *rule)
{
	char line[256], err[200];
	int n = snprintf(line, sizeof(line),
			 "{\"time\":\"2026-11-22T01:45:02.123456789Z\",\"rule\":\"%s\",\"priority\":\"Warning\","
			 "\"output\":\"x\",\"output_fields\":{\"proc.name\":\"sh\"}}", rule);
	int rc = alert_parse(line, n, a, err, sizeof(err));

	CHECK(rc == 0, "alert_parse: %s", err);
	return rc;
}

static void test_prio_max(void)
{
	CHECK_INT(ALERT_PRIO_MAX, PRIO_DEBUG + 1);
	CHECK_INT(PRIO_MAX, 20); /* <sys/resource.h>'s, untouched */
}

/* Many keys through a small table: evictions report what they folded, nothing twice, nothing lost. */
static void test_eviction_accounts_every_fold(void)
{
	struct ratelimit_config cfg = { .rate = 1, .burst = 2, .table_size = 3, .summary_ms = 1000 };
	struct ratelimit *rl = ratelimit__new(&cfg);
	struct tally t = { 0 };
	struct alert a;
	uint64_t passed = 0, total = 0;
	char container[16];
	int round, k, i;

	if (!rl || load(&a, "R"))
		goto out;
	for (round = 0; round < 4; round++)
		for (k = 0; k < 7; k++) {
			snprintf(container, sizeof(container), "c%d", k);
			for (i = 0; i < 5; i++, total++)
				passed += ratelimit__check(rl, &a, container, 1000000000ull, on_summary, &t);
		}
	/* 7 keys cycle through 3 slots: each visit starts a fresh key with its burst of 2 */
	CHECK_INT(passed, 4 * 7 * 2);
	CHECK_INT(t.summaries, 4 * 7 - 3);
	ratelimit__flush(rl, 1000000000ull, true, on_summary, &t);
	CHECK_INT(t.summaries, 4 * 7);
	CHECK_INT(t.folded + passed, total);
	/* a flush empties the pending summaries: a second one sends nothing */
	ratelimit__flush(rl, 1000000000ull, true, on_summary, &t);
	CHECK_INT(t.summaries, 4 * 7);
	alert_free(&a);
out:
	ratelimit__free(rl);
}

/* A hit makes the key the most recently seen: the other one is evicted. */
static void test_hit_refreshes(void)
{
	struct ratelimit_config cfg = { .rate = 1, .burst = 1, .table_size = 2, .summary_ms = 1000 };
	struct ratelimit *rl = ratelimit__new(&cfg);
	struct tally t = { 0 };
	struct alert a;

	if (!rl || load(&a, "R"))
		goto out;
	ratelimit__check(rl, &a, "old", 0, on_summary, &t);
	CHECK(!ratelimit__check(rl, &a, "old", 0, on_summary, &t), "second alert of old folded");
	ratelimit__check(rl, &a, "new", 0, on_summary, &t);
	CHECK(!ratelimit__check(rl, &a, "new", 0, on_summary, &t), "second alert of new folded");
	ratelimit__check(rl, &a, "old", 0, on_summary, &t); /* old is the most recent now */
	ratelimit__check(rl, &a, "third", 0, on_summary, &t);
	CHECK_INT(t.summaries, 1);
	CHECK_STR(t.last_container, "new");
	alert_free(&a);
out:
	ratelimit__free(rl);
}

/* Freeing the limiter drops what it still folds (the caller flushes first when it wants them). */
static void test_free_sends_nothing(void)
{
	struct ratelimit_config cfg = { .rate = 1, .burst = 1, .table_size = 4, .summary_ms = 1000 };
	struct ratelimit *rl = ratelimit__new(&cfg);
	struct tally t = { 0 };
	struct alert a;
	int i;

	if (!rl || load(&a, "R")) {
		ratelimit__free(rl);
		return;
	}
	for (i = 0; i < 5; i++) {
		ratelimit__check(rl, &a, "c1", 0, on_summary, &t);
		ratelimit__check(rl, &a, "c2", 0, on_summary, &t);
	}
	alert_free(&a);
	ratelimit__free(rl); /* the entries' strings and last alerts are freed (asan would say otherwise) */
	CHECK_INT(t.summaries, 0);
}

int main(void)
{
	RUN(test_prio_max);
	RUN(test_eviction_accounts_every_fold);
	RUN(test_hit_refreshes);
	RUN(test_free_sends_nothing);
	return check_summary();
}
