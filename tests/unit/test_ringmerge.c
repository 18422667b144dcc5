// SPDX-License-Identifier: Apache-2.0
/*
 * The two rings merged back into kernel-time order (agent/ringmerge.c): a
 * simulated sensor commits records to a critical and a common ring in time
 * order and reads them in rounds as sensor__consume does (horizon, critical
 * ring to the end, common ring until a record newer than the horizon, with
 * records still arriving while it reads); what is handed on must be in
 * kernel-time order, each record once. Also: equal times keep their order, a
 * bogus future time waits no longer than its round, a short record is refused,
 * flush hands on everything.
 */
#include <errno.h>
#include <linux/types.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "check.h"
#include "ringmerge.h"

#define N 20000

struct rec {
	struct bw_hdr h;
	uint32_t id;
};

static uint32_t got[N + 16];
static size_t n_got;

static void collect(void *ctx, const void *data, size_t size)
{
	(void)ctx;
	if (size == sizeof(struct rec) && n_got < sizeof(got) / sizeof(got[0]))
		got[n_got++] = ((const struct rec *)data)->id;
}

static struct rec mk(uint32_t id, uint64_t ktime)
{
	struct rec r = { .h = { .type = 1, .size = sizeof(r), .ktime = ktime }, .id = id };

	return r;
}

/* The reader's view of one ring: records 0..committed are visible, read up to pos. */
struct ring {
	uint32_t ids[N];
	size_t n, pos;
};

static uint64_t ktime_of(uint32_t id)
{
	return 1000 + (uint64_t)id * 10; /* commit order is time order, as in the kernel within a task */
}

static void test_rounds_deliver_in_time_order(void)
{
	struct ringmerge *m = ringmerge__new(collect, NULL);
	struct ring crit = { .n = 0 }, common = { .n = 0 };
	uint32_t id, committed = 0, i;
	int out_of_order = 0;

	srand(7);
	/* a quarter critical, as exec/fork/exit are among opens and connects */
	for (id = 0; id < N; id++) {
		if (rand() % 4 == 0)
			crit.ids[crit.n++] = id;
		else
			common.ids[common.n++] = id;
	}
	n_got = 0;
	while (crit.pos < crit.n || common.pos < common.n) {
		uint64_t horizon;

		committed += rand() % 200; /* the kernel commits some records, then a round starts */
		if (committed > N)
			committed = N;
		horizon = ktime_of(committed) - 5; /* the clock now: after the last committed record */
		ringmerge__begin(m, horizon);
		/* records keep arriving while the critical ring is read ... */
		committed += rand() % 20;
		if (committed > N)
			committed = N;
		while (crit.pos < crit.n && crit.ids[crit.pos] < committed) {
			struct rec r = mk(crit.ids[crit.pos], ktime_of(crit.ids[crit.pos]));

			crit.pos++;
			CHECK_INT(ringmerge__aside(m, &r, sizeof(r)), 0);
		}
		/* ... and while the common ring is read: it stops at the first record newer than the horizon */
		committed += rand() % 20;
		if (committed > N)
			committed = N;
		while (common.pos < common.n && common.ids[common.pos] < committed) {
			struct rec r = mk(common.ids[common.pos], ktime_of(common.ids[common.pos]));

			common.pos++;
			if (r.h.ktime > horizon) {
				CHECK_INT(ringmerge__aside(m, &r, sizeof(r)), 0);
				break;
			}
			ringmerge__until(m, r.h.ktime);
			collect(NULL, &r, sizeof(r));
		}
		ringmerge__end(m);
		if (committed == N && crit.pos == crit.n && common.pos == common.n)
			break;
	}
	ringmerge__flush(m);
	CHECK_INT(ringmerge__pending(m), 0);
	CHECK_INT(n_got, N);
	for (i = 1; i < n_got; i++)
		if (got[i] != got[i - 1] + 1 && !out_of_order++)
			CHECK(0, "record %u handed on after %u", got[i], got[i - 1]);
	CHECK_INT(out_of_order, 0);
	ringmerge__free(m);
}

static void test_equal_times_keep_arrival_order(void)
{
	struct ringmerge *m = ringmerge__new(collect, NULL);
	struct rec a = mk(1, 500), b = mk(2, 500), c = mk(3, 400);

	n_got = 0;
	ringmerge__begin(m, 1000);
	ringmerge__aside(m, &a, sizeof(a));
	ringmerge__aside(m, &b, sizeof(b));
	ringmerge__aside(m, &c, sizeof(c));
	ringmerge__until(m, 450);
	CHECK_INT(n_got, 1);
	ringmerge__end(m);
	CHECK_INT(n_got, 3);
	CHECK(got[0] == 3 && got[1] == 1 && got[2] == 2, "order %u %u %u", got[0], got[1], got[2]);
	ringmerge__free(m);
}

static void test_future_and_short_records(void)
{
	struct ringmerge *m = ringmerge__new(collect, NULL);
	struct rec bogus = mk(9, UINT64_MAX - 1), soon = mk(8, 1500);
	struct bw_hdr shorty = { .ktime = 1 };

	n_got = 0;
	ringmerge__begin(m, 1000);
	CHECK_INT(ringmerge__aside(m, &shorty, sizeof(shorty) - 1), -EINVAL);
	ringmerge__aside(m, &soon, sizeof(soon));
	ringmerge__aside(m, &bogus, sizeof(bogus));
	ringmerge__end(m);
	/* a time more than a second ahead is not trusted: it goes now; one just ahead waits */
	CHECK_INT(n_got, 1);
	CHECK_INT(got[0], 9);
	CHECK_INT(ringmerge__pending(m), 1);
	ringmerge__begin(m, 2000);
	ringmerge__end(m);
	CHECK_INT(n_got, 2);
	CHECK_INT(got[1], 8);
	/* what is set aside at the stop goes on */
	ringmerge__begin(m, 2000);
	soon = mk(10, 2500);
	ringmerge__aside(m, &soon, sizeof(soon));
	ringmerge__free(m); /* frees what waits (ASan: no leak) */
	m = ringmerge__new(collect, NULL);
	ringmerge__begin(m, 2000);
	ringmerge__aside(m, &soon, sizeof(soon));
	ringmerge__flush(m);
	CHECK_INT(got[n_got - 1], 10);
	ringmerge__free(m);
}

int main(void)
{
	RUN(test_rounds_deliver_in_time_order);
	RUN(test_equal_times_keep_arrival_order);
	RUN(test_future_and_short_records);
	return check_summary();
}
