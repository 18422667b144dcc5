// SPDX-License-Identifier: Apache-2.0
/*
 * The counter table (stats.c) and its two walkers: the stats line and the
 * Prometheus families. The table's own shape is checked too: a family's rows
 * adjacent, help on its first row, every stats-line group in one piece.
 */
#include <jansson.h>
#include <string.h>

#include "check.h"
#include "event.h"
#include "metrics.h"
#include "pipeline.h"
#include "stats.h"

/* Whether name appears among rows [0, k) and then again at k after something else. */
static bool reappears(const char *(*field)(const struct stats_row *), size_t k)
{
	size_t j;

	if (!field(&stats_rows[k]) || k == 0 || (field(&stats_rows[k - 1]) &&
						 strcmp(field(&stats_rows[k - 1]), field(&stats_rows[k])) == 0))
		return false;
	for (j = 0; j < k; j++)
		if (field(&stats_rows[j]) && strcmp(field(&stats_rows[j]), field(&stats_rows[k])) == 0)
			return true;
	return false;
}

static const char *metric_of(const struct stats_row *r)
{
	return r->metric;
}

static void test_table_shape(void)
{
	size_t k;

	CHECK(stats_n_rows > 30, "only %zu rows", stats_n_rows);
	for (k = 0; k < stats_n_rows; k++) {
		const struct stats_row *r = &stats_rows[k];
		bool first = r->metric && (k == 0 || !stats_rows[k - 1].metric ||
					   strcmp(stats_rows[k - 1].metric, r->metric) != 0);

		CHECK(r->key || r->n || r->metric, "row %zu is written nowhere", k);
		CHECK(!first || r->help, "family %s has no help on its first row", r->metric);
		CHECK(!reappears(metric_of, k), "family %s is split (row %zu)", r->metric, k);
		CHECK(!r->n || r->name, "row %zu: an array without names", k);
	}
	/* the rows on the stats line, group by group: a group that comes back would be written twice */
	for (k = 0; k < stats_n_rows; k++) {
		const struct stats_row *r = &stats_rows[k];
		size_t j, last = k;

		if (!r->group || (!r->key && !r->n))
			continue;
		for (j = k + 1; j < stats_n_rows; j++)
			if (stats_rows[j].group && strcmp(stats_rows[j].group, r->group) == 0 &&
			    (stats_rows[j].key || stats_rows[j].n))
				last = j;
		for (j = k + 1; j < last; j++)
			CHECK(!(stats_rows[j].key || stats_rows[j].n) || (stats_rows[j].group &&
			      strcmp(stats_rows[j].group, r->group) == 0), "group %s is split by row %zu", r->group, j);
	}
}

static void fill(struct pipeline_stats *p, struct metrics_run *run)
{
	memset(p, 0, sizeof(*p));
	memset(run, 0, sizeof(*run));
	p->by_type[BW_EV_EXEC] = 5;
	p->sensor.kernel[BW_CNT_EMITTED] = 1000;
	p->sensor.kernel[BW_CNT_DROP_PENDING] = 3;
	p->sensor.drops[BW_EV_OPEN] = 4;
	p->procs.hits = 42;
	p->procs.procfs_reads = 10;
	p->procs.procfs_failures = 4;
	p->containers.capacity = 512;
	p->containers.latency_us_max = 77;
	run->rules_loaded = 9;
	run->rules.matches = 6;
	run->reloads = 5;
	run->reload_failures = 2;
	run->alerts = 8;
}

static json_int_t at(json_t *root, const char *group, const char *key)
{
	json_t *o = group ? json_object_get(root, group) : root;

	return json_integer_value(json_object_get(o, key));
}

static void test_stats_line(void)
{
	struct pipeline_stats p;
	struct metrics_run run;
	struct strbuf sb = STRBUF_INIT;
	json_error_t err;
	json_t *root;

	fill(&p, &run);
	jw_begin(&sb);
	stats_write_json(&sb, &p, NULL);
	stats_write_json(&sb, NULL, &run);
	jw_end(&sb);
	root = json_loads(sb.buf, 0, &err);
	CHECK(root != NULL, "not JSON: %s: %s", err.text, sb.buf);
	if (root) {
		CHECK_INT(at(root, "events", "exec"), 5);
		CHECK_INT(at(root, "kernel", "emitted"), 1000);
		CHECK_INT(at(root, "kernel", "drop_pending_full"), 3);
		CHECK_INT(at(root, "drops_by_type", "open"), 4);
		CHECK_INT(at(root, "proc_cache", "hits"), 42);
		CHECK_INT(at(root, "proc_cache", "procfs_reads"), 10);
		CHECK_INT(at(root, "containers", "lookup_us_max"), 77);
		CHECK(!json_object_get(json_object_get(root, "containers"), "capacity"), "capacity is /metrics only");
		CHECK(json_object_get(json_object_get(root, "agent"), "max_rss_kb") != NULL, "agent rusage");
		CHECK_INT(at(root, "rules", "loaded"), 9);
		CHECK_INT(at(root, "rules", "matches"), 6);
		CHECK_INT(at(root, "rules", "reload_failures"), 2);
		CHECK_INT(at(root, NULL, "alerts"), 8);
		CHECK(json_object_get(root, "container_wait") != NULL, "the container wait group");
		CHECK_INT(json_object_size(root), 10);
	}
	/* the stats line starts with the events and ends with the alerts */
	CHECK(strncmp(sb.buf, "{\"events\":{", 11) == 0, "%.40s", sb.buf);
	CHECK(sb.len > 11 && strcmp(sb.buf + sb.len - 11, "\"alerts\":8}") == 0, "%s", sb.buf + sb.len - 11);
	json_decref(root);
	/* trace: no run part */
	strbuf_reset(&sb);
	jw_begin(&sb);
	stats_write_json(&sb, &p, NULL);
	jw_end(&sb);
	CHECK(!strstr(sb.buf, "\"rules\""), "rules without run");
	strbuf_free(&sb);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)); hay++)
		n++;
	return n;
}

static void test_prometheus(void)
{
	struct pipeline_stats p;
	struct metrics_run run;
	struct strbuf sb = STRBUF_INIT;

	fill(&p, &run);
	stats_write_prometheus(&sb, &p, &run);
	CHECK(strstr(sb.buf, "bulwark_events_total{type=\"exec\"} 5\n"), "events");
	CHECK(strstr(sb.buf, "bulwark_kernel_records_total 1000\n"), "records");
	CHECK(strstr(sb.buf, "bulwark_kernel_drops_total{category=\"pending_full\"} 3\n"), "drops");
	CHECK(strstr(sb.buf, "bulwark_proctree_lookups_total{result=\"hit\"} 42\n"), "hits");
	CHECK(strstr(sb.buf, "bulwark_proctree_procfs_reads_total{result=\"ok\"} 6\n"), "reads ok = reads - failures");
	CHECK(strstr(sb.buf, "bulwark_proctree_procfs_reads_total{result=\"failed\"} 4\n"), "reads failed");
	CHECK(strstr(sb.buf, "bulwark_container_cache_capacity 512\n"), "container capacity");
	CHECK(strstr(sb.buf, "bulwark_rules_reloads_total{result=\"ok\"} 3\n"), "reloads ok");
	CHECK(strstr(sb.buf, "# TYPE bulwark_proctree_entries gauge\n"), "gauge type");
	CHECK(strstr(sb.buf, "# TYPE bulwark_alerts_total counter\nbulwark_alerts_total 8\n"), "alerts");
	CHECK_INT(count(sb.buf, "# HELP bulwark_kernel_drops_total "), 1);
	CHECK_INT(count(sb.buf, "# TYPE bulwark_proctree_lookups_total "), 1);
	CHECK(!strstr(sb.buf, "lookup_us"), "stats-line-only counters exported");
	strbuf_free(&sb);
}

static void test_label_escape(void)
{
	struct strbuf sb = STRBUF_INIT;

	stats_prom_sample(&sb, "m", "l", "a\"b\\c\nd", 1);
	CHECK_STR(sb.buf, "m{l=\"a\\\"b\\\\c\\nd\"} 1\n");
	strbuf_free(&sb);
}

/* A label value that is not UTF-8 (a Latin-1 rule name, a name cut mid-character, an overlong
 * '/', a surrogate) would make Prometheus refuse the whole scrape: each bad byte is U+FFFD, valid
 * multi-byte characters pass (the fuzz harness tests/fuzz/fuzz_metrics.c found the first). */
static void test_label_utf8(void)
{
	struct strbuf sb = STRBUF_INIT;

	stats_prom_label(&sb, "caf\xe9 \xc3\xa9t\xc3\xa9 \xe2\x82 \xc0\xaf \xed\xa0\x80 \xf0\x9f\x90\xb3");
	CHECK_STR(sb.buf, "caf\xef\xbf\xbd \xc3\xa9t\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd "
			  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xf0\x9f\x90\xb3");
	strbuf_free(&sb);
}

int main(void)
{
	RUN(test_table_shape);
	RUN(test_stats_line);
	RUN(test_prometheus);
	RUN(test_label_escape);
	RUN(test_label_utf8);
	return check_summary();
}
