// SPDX-License-Identifier: Apache-2.0
/* The agent's own "Kernel Events Dropped" alert (agent/drop_alert.c), without a kernel. */
#include <jansson.h>
#include <string.h>

#include "check.h"
#include "drop_alert.h"
#include "output/internal.h"

#define S 1000000000LL

static void test_losses_summed_and_reported_once_per_interval(void)
{
	struct drop_watch w = { 0 };
	struct drop_report r;
	uint64_t by[BW_EV_MAX] = { 0 };
	int64_t t = 1000 * S;

	/* the first reading is the baseline: nothing lost yet */
	CHECK(!drop_watch__check(&w, 0, 0, by, t, &r), "no loss, no alert");
	/* a loss is reported at once (the interval has long passed) */
	by[BW_EV_EXEC] = 3;
	CHECK(drop_watch__check(&w, 3, 0, by, t + S, &r), "first loss reported");
	CHECK_INT(r.critical, 3);
	CHECK_INT(r.common, 0);
	CHECK_INT(r.by_type[BW_EV_EXEC], 3);
	/* more losses within the interval: summed, not reported yet */
	by[BW_EV_OPEN] = 100;
	CHECK(!drop_watch__check(&w, 3, 100, by, t + 2 * S, &r), "within the interval");
	by[BW_EV_OPEN] = 250;
	CHECK(!drop_watch__check(&w, 3, 250, by, t + 5 * S, &r), "still within");
	/* the interval passes: everything since the last report, once */
	CHECK(drop_watch__check(&w, 3, 250, by, t + 11 * S, &r), "reported after the interval");
	CHECK_INT(r.critical, 0);
	CHECK_INT(r.common, 250);
	CHECK_INT(r.by_type[BW_EV_OPEN], 250);
	CHECK_INT(r.by_type[BW_EV_EXEC], 0);
	CHECK_INT(r.since_ns, t + 2 * S);
	/* nothing new: silence, however long */
	CHECK(!drop_watch__check(&w, 3, 250, by, t + 100 * S, &r), "no new loss");
}

static void test_alert_fields_and_formats(void)
{
	struct drop_alert_buf buf = { 0 };
	struct drop_report r = { .critical = 2, .common = 40, .since_ns = 5 * S, .now_ns = 7 * S + 123 };
	struct strbuf sb = STRBUF_INIT;
	const struct alert *a;
	json_t *j;

	r.by_type[BW_EV_EXEC] = 2;
	r.by_type[BW_EV_OPEN] = 40;
	a = drop_alert(&buf, &r, "node-1");
	CHECK_STR(a->rule, DROP_ALERT_RULE);
	CHECK_INT(a->priority, PRIO_CRITICAL);
	CHECK_STR(a->source, "internal");
	CHECK(strstr(a->output, "Critical Kernel events dropped: 42 records lost (critical ring 2, common ring 40; "
			       "by type: exec=2,open=40) in the last 3 s") != NULL, "%s", a->output);
	format_alert(&sb, FORMAT_JSON, a);
	j = json_loads(sb.buf, 0, NULL);
	CHECK(j != NULL, "JSON: %s", sb.buf);
	if (j) {
		json_t *f = json_object_get(j, "output_fields");

		CHECK_INT(json_integer_value(json_object_get(f, "bulwark.drops.critical")), 2);
		CHECK_INT(json_integer_value(json_object_get(f, "bulwark.drops.common")), 40);
		CHECK_STR(json_string_value(json_object_get(f, "bulwark.drops.by_type")), "exec=2,open=40");
		CHECK_STR(json_string_value(json_object_get(j, "hostname")), "node-1");
		json_decref(j);
	}
	/* only common-ring losses: a warning */
	r.critical = 0;
	r.by_type[BW_EV_EXEC] = 0;
	a = drop_alert(&buf, &r, "node-1");
	CHECK_INT(a->priority, PRIO_WARNING);
	strbuf_free(&sb);
	drop_alert_buf_free(&buf);
}

int main(void)
{
	RUN(test_losses_summed_and_reported_once_per_interval);
	RUN(test_alert_fields_and_formats);
	return check_summary();
}
