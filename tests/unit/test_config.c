// SPDX-License-Identifier: Apache-2.0
/* The config file (agent/config.c) and the metrics/health rendering (agent/metrics.c), without root. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"
#include "metrics.h"

static int load(struct config *cfg, struct config_errors *e, const char *text)
{
	memset(e, 0, sizeof(*e));
	return config_load_text(cfg, "t.yaml", text, strlen(text), e);
}

/* The first error, or "" */
static const char *first(const struct config_errors *e)
{
	return e->n ? e->v[0] : "";
}

static void test_defaults_without_a_file(void)
{
	struct config cfg;
	struct config_errors e;

	CHECK_INT(load(&cfg, &e, ""), 0);
	CHECK_INT(cfg.n_rules, 0);
	CHECK_INT(cfg.n_outputs, 0);
	CHECK_STR(cfg.metrics_listen, "127.0.0.1:9376");
	CHECK_STR(cfg.spool_dir, "/var/lib/bulwark/spool");
	CHECK_INT(cfg.log_level, LOG_INFO);
	CHECK_INT(cfg.health.stall_s, 10);
	config_errors_free(&e);
	config_free(&cfg);
}

static void test_every_key(void)
{
	struct config cfg;
	struct config_errors e;
	const char *text = "rules: [/etc/bulwark/rules.d, /etc/bulwark/local.yaml]\n"
			   "spool_dir: /var/spool/bw\n"
			   "outputs:\n"
			   "  - stdout\n"
			   "  - spec: syslog+tcp://10.0.0.1:514\n"
			   "    min_priority: Warning\n"
			   "    app_name: 'bw&x'\n"
			   "  - spec: file:/var/log/bulwark/alerts.json\n"
			   "    spool: false\n"
			   "log: {level: debug}\n"
			   "metrics: {listen: '[::1]:9000'}\n"
			   "health: {stall_seconds: 3, max_drop_ratio: 0.5, drop_window_seconds: 30, output_stuck_seconds: 7}\n"
			   "events: [exec, open]\n"
			   "ro_prefixes: [/etc/shadow]\n"
			   "proc_cache: 1000\n"
			   "procfs: /host/proc\n"
			   "ancestry: 3\n"
			   "docker_socket: ''\n"
			   "docker_root: /host/var/lib/docker\n"
			   "state_dirs: [/host/run/runc]\n"
			   "host_root: /host\n";

	CHECK_INT(load(&cfg, &e, text), 0);
	CHECK_STR(first(&e), "");
	CHECK_INT(cfg.n_rules, 2);
	CHECK_STR(cfg.rules[1], "/etc/bulwark/local.yaml");
	CHECK_INT(cfg.n_outputs, 3);
	CHECK_INT(cfg.outputs[1].kind, OUTPUT_SYSLOG);
	CHECK_INT(cfg.outputs[1].min_priority, PRIO_WARNING);
	CHECK_STR(cfg.outputs[1].app_name, "bw&x"); /* %-encoded through the spec and back */
	CHECK_STR(cfg.outputs[1].spool_dir, "/var/spool/bw");
	CHECK_STR(cfg.outputs[2].spool_dir, ""); /* spool: false wins over the global spool_dir */
	CHECK_STR(cfg.outputs[0].spool_dir, "");
	CHECK_INT(cfg.log_level, LOG_DEBUG);
	CHECK_STR(cfg.metrics_listen, "[::1]:9000");
	CHECK_INT(cfg.health.stall_s, 3);
	CHECK_INT(cfg.health.output_stuck_s, 7);
	CHECK(cfg.health.max_drop_ratio == 0.5, "ratio");
	CHECK(cfg.pipeline.o.events[BW_EV_EXEC] && cfg.pipeline.o.events[BW_EV_OPEN] && !cfg.pipeline.o.events[BW_EV_FORK], "events");
	CHECK_STR(cfg.pipeline.o.containers.docker_socket, "");
	CHECK_STR(cfg.pipeline.o.containers.host_root, "/host");
	config_errors_free(&e);
	config_free(&cfg);
}

/* Every error names file:line:col of the offending key or value. */
static void test_errors_name_where(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "bogus: 1\n", "t.yaml:1:1: unknown key 'bogus'" },
		{ "log:\n  level: loud\n", "t.yaml:2:10: log.level: unknown level 'loud'" },
		{ "log:\n  lvl: info\n", "t.yaml:2:3: log: unknown key 'lvl'" },
		{ "proc_cache: many\n", "t.yaml:1:13: proc_cache: expected a number, got 'many'" },
		{ "proc_cache: 0\n", "t.yaml:1:13: proc_cache: 0 is out of range" },
		{ "proc_cache: '5'\n", "t.yaml:1:13: proc_cache: expected a number, got a quoted string" },
		{ "procfs: relative\n", "t.yaml:1:9: procfs: expected an absolute path" },
		{ "rules: {a: 1}\n", "t.yaml:1:8: rules: expected a list, got a mapping" },
		{ "events: [exec, nope]\n", "t.yaml:1:16: events: unknown event type 'nope'" },
		{ "metrics: {listen: 'localhost:1'}\n", "t.yaml:1:19: metrics.listen: expected ADDRESS:PORT" },
		{ "health: {max_drop_ratio: 1.5}\n", "t.yaml:1:26: health.max_drop_ratio: expected a number between 0 and 1" },
		{ "outputs:\n  - spec: stdout\n    rotat_mb: 1\n", "t.yaml:3:5: unknown option 'rotat_mb'" },
		{ "outputs:\n  - spec: file:/x\n    rotate_mb: x\n", "t.yaml:3:16: rotate_mb: expected a number" },
		{ "outputs:\n  - spec: webhook+http://h/\n    token: abc\n", "t.yaml:3:12: token: secrets are read from" },
		{ "outputs:\n  - nope://x\n", "t.yaml:2:5: output 'nope://x': unknown output" },
		{ "outputs:\n  - min_priority: Debug\n", "t.yaml:2:5: outputs: an output mapping needs 'spec'" },
		{ "outputs: [stdout, stdout]\n", "t.yaml:1:19: outputs: two outputs named 'stdout'" },
		/* an error inside a spec string points at its part of the string */
		{ "outputs:\n  - syslog+tcp://h?bogus=1\n", "t.yaml:2:20: output 'syslog+tcp://h?bogus=1': unknown option" },
		{ "outputs:\n  - spec: file:/x?rotate_mb=x\n", "t.yaml:2:29: output 'file:/x?rotate_mb=x': rotate_mb:" },
		{ "outputs:\n  - spec: syslog+tcp://h\n    gzip: 1\n", "t.yaml:2:5: output: gzip: only for HTTP" },
		{ "log: {level: info}\nlog: {level: info}\n", "t.yaml:2:1: duplicate key 'log'" },
		{ "a: [\n", "t.yaml:2:1: YAML:" },
		{ "- 1\n", "t.yaml:1:1: the config: expected a mapping, got a list" },
		{ "log: {level: info}\n---\nx: 1\n", "t.yaml:3:1: a second YAML document" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config cfg;
		struct config_errors e;

		CHECK(load(&cfg, &e, cases[i].text) != 0, "case %zu accepted", i);
		CHECK(strncmp(first(&e), cases[i].want, strlen(cases[i].want)) == 0, "case %zu: got \"%s\", want \"%s...\"",
		      i, first(&e), cases[i].want);
		config_errors_free(&e);
		config_free(&cfg);
	}
}

/*
 * A host, a path or a name that contains "spool" is just that: only the
 * spool= and spool_dir= options take an output off the file's spool_dir.
 */
static void test_spool_named_hosts(void)
{
	static const char text[] = "spool_dir: /var/spool/bw\n"
				   "outputs:\n"
				   "  - syslog+tcp://spool.example:514\n"
				   "  - spec: webhook+https://spool_dir.example/spool?name=spool\n"
				   "  - file:/var/log/spool=1.json\n"
				   "  - spec: loki+http://myspool.example\n"
				   "    tenant: spool_dir\n"
				   "  - spec: elastic+http://es.example\n"
				   "    spool_dir: /elsewhere\n"
				   "  - syslog+udp://spool.example?spool=0&name=nospool\n";
	struct output_config oc;
	struct config cfg;
	struct config_errors e;
	char err[300];
	size_t pos = 99;

	CHECK_INT(load(&cfg, &e, text), 0);
	CHECK(e.n == 0, "%s", first(&e));
	CHECK_INT(cfg.n_outputs, 6);
	if (cfg.n_outputs == 6) {
		CHECK_STR(cfg.outputs[0].host, "spool.example");
		CHECK_STR(cfg.outputs[0].spool_dir, "/var/spool/bw");
		CHECK_STR(cfg.outputs[1].host, "spool_dir.example");
		CHECK_STR(cfg.outputs[1].path, "/spool");
		CHECK_STR(cfg.outputs[1].spool_dir, "/var/spool/bw");
		CHECK_STR(cfg.outputs[2].path, "/var/log/spool=1.json");
		CHECK_STR(cfg.outputs[2].spool_dir, "/var/spool/bw");
		CHECK_STR(cfg.outputs[3].tenant, "spool_dir");
		CHECK_STR(cfg.outputs[3].spool_dir, "/var/spool/bw");
		CHECK_STR(cfg.outputs[4].spool_dir, "/elsewhere");
		CHECK_STR(cfg.outputs[5].spool_dir, "");
	}
	config_errors_free(&e);
	config_free(&cfg);
	/* the command line's specs: the same struct, the same flag */
	CHECK(output_config_parse("syslog+tcp://spool.example:514", &oc, err, sizeof(err)) == 0, "%s", err);
	CHECK(!oc.spool_set && !strcmp(oc.host, "spool.example"), "spool.example: %s", oc.host);
	CHECK(output_config_parse("file:/x?spool_dir=/s", &oc, err, sizeof(err)) == 0 && oc.spool_set, "spool_dir=");
	CHECK(output_config_parse_spec("syslog+tcp://h?format=json&bogus=1", &oc, &pos, err, sizeof(err)) != 0,
	      "bogus accepted");
	CHECK_INT(pos, 27);
}

/* A mapping's options go into the struct one by one, and the combination is checked once. */
static void test_output_mapping_options(void)
{
	struct config cfg;
	struct config_errors e;

	CHECK_INT(load(&cfg, &e, "outputs:\n  - spec: syslog+tls://h\n    cert: /c.pem\n    key: /k.pem\n"
				  "    format: cef\n    app_name: 'a&b=c'\n"), 0);
	CHECK(e.n == 0, "%s", first(&e));
	if (cfg.n_outputs == 1) {
		CHECK_STR(cfg.outputs[0].cert, "/c.pem");
		CHECK_STR(cfg.outputs[0].key, "/k.pem");
		CHECK_INT(cfg.outputs[0].format, FORMAT_CEF);
		CHECK_STR(cfg.outputs[0].app_name, "a&b=c");
		CHECK_INT(cfg.outputs[0].port, 6514);
	}
	config_errors_free(&e);
	config_free(&cfg);
}

static void test_command_line_wins(void)
{
	struct config cfg;
	struct config_errors e;
	struct cli_pipeline c;

	CHECK_INT(load(&cfg, &e, "procfs: /host/proc\nancestry: 2\nstate_dirs: [/a, /b]\nhost_root: /host\n"), 0);
	cli_pipeline_init(&c);
	CHECK_INT(cli_pipeline_option(&c, CLI_OPT_ANCESTRY, "4"), 1);
	CHECK_INT(cli_pipeline_option(&c, CLI_OPT_STATE_DIR, "/c"), 1);
	config_apply_pipeline(&cfg, &c);
	cli_pipeline_finish(&c);
	CHECK_STR(c.o.procfs, "/host/proc");
	CHECK_INT(c.o.ancestry_depth, 4);
	CHECK_INT(c.o.containers.n_state_dirs, 1);
	CHECK_STR(c.o.containers.state_dirs[0], "/c");
	CHECK_STR(c.o.containers.host_root, "/host");
	CHECK_STR(c.o.containers.docker_root, "/var/lib/docker"); /* neither: the built-in default */
	config_errors_free(&e);
	config_free(&cfg);
}

static void test_restart_sections(void)
{
	struct config a, b;
	struct config_errors e;

	CHECK_INT(load(&a, &e, "rules: [/r]\noutputs: [stdout]\nmetrics: {listen: '127.0.0.1:1'}\n"), 0);
	config_errors_free(&e);
	CHECK_INT(load(&b, &e, "rules: [/s]\noutputs: [stdout]\nmetrics: {listen: '127.0.0.1:2'}\nprocfs: /p\n"), 0);
	config_errors_free(&e);
	CHECK_INT(config_restart_changes(&a, &b), (1u << CONF_SEC_METRICS) | (1u << CONF_SEC_PIPELINE));
	CHECK_INT(config_restart_changes(&a, &a), 0);
	config_free(&a);
	config_free(&b);
}

/* ---- metrics and health, from a snapshot published by hand ------------------------- */

/* Every sample line is "name{labels} value" with a TYPE declared before it. */
static void check_exposition(const char *text)
{
	char *copy = strdup(text), *line, *save = NULL;
	char typed[256][96];
	size_t ntyped = 0, i;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[96];

		if (!strncmp(line, "# HELP ", 7))
			continue;
		if (sscanf(line, "# TYPE %95s", name) == 1) {
			if (ntyped < 256)
				snprintf(typed[ntyped++], sizeof(typed[0]), "%s", name);
			continue;
		}
		CHECK(sscanf(line, "%95[a-zA-Z0-9_:]", name) == 1, "bad line: %s", line);
		for (i = 0; i < ntyped && strcmp(typed[i], name); i++)
			;
		CHECK(i < ntyped, "sample without TYPE: %s", line);
		CHECK(strrchr(line, ' ') && strtod(strrchr(line, ' ') + 1, NULL) >= 0, "value: %s", line);
	}
	free(copy);
}

static void test_metrics_and_health(void)
{
	struct health_config h = { .stall_s = 10, .max_drop_ratio = 0.1, .drop_window_s = 60, .output_stuck_s = 1 };
	struct pipeline_stats ps = { 0 };
	struct metrics_run run = { .rules_loaded = 3, .alerts = 2 };
	struct strbuf sb = STRBUF_INIT;
	char err[256];
	struct timespec ts;
	struct metrics *m = metrics__new(NULL, &h, err, sizeof(err));

	CHECK(m != NULL, "metrics__new: %s", err);
	if (!m)
		return;
	CHECK_INT(metrics__health(m, &sb), 503); /* nothing published yet: starting */
	CHECK(strstr(sb.buf, "\"starting\""), "%s", sb.buf);
	strbuf_reset(&sb);

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ps.last_consume_ms = (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	ps.by_type[BW_EV_EXEC] = 5;
	ps.sensor.kernel[BW_CNT_EMITTED] = 1000;
	metrics__rule_match(m, "Rule \"quoted\" \\ one");
	metrics__rule_match(m, "Rule \"quoted\" \\ one");
	metrics__publish(m, &ps, &run);
	CHECK_INT(metrics__health(m, &sb), 200);
	strbuf_reset(&sb);
	metrics__render(m, &sb);
	check_exposition(sb.buf);
	CHECK(strstr(sb.buf, "bulwark_events_total{type=\"exec\"} 5\n"), "events by type");
	CHECK(strstr(sb.buf, "bulwark_rule_matches_total{rule=\"Rule \\\"quoted\\\" \\\\ one\"} 2\n"), "escaped rule label");
	CHECK(strstr(sb.buf, "process_resident_memory_bytes "), "rss");
	strbuf_reset(&sb);

	/* drops: 200 lost against 1000 submitted in the window is over 10 % */
	ps.sensor.kernel[BW_CNT_EMITTED] = 2000;
	ps.sensor.kernel[BW_CNT_DROP_COMMON] = 200;
	metrics__publish(m, &ps, &run);
	CHECK_INT(metrics__health(m, &sb), 503);
	CHECK(strstr(sb.buf, "kernel drop ratio"), "%s", sb.buf);
	strbuf_reset(&sb);

	/* a stalled loop: the last consume is older than stall_seconds */
	h.max_drop_ratio = 1;
	metrics__set_health(m, &h);
	ps.last_consume_ms -= 11000;
	metrics__publish(m, &ps, &run);
	CHECK_INT(metrics__health(m, &sb), 503);
	CHECK(strstr(sb.buf, "have not been consumed"), "%s", sb.buf);
	strbuf_reset(&sb);
	ps.last_consume_ms += 11000;
	metrics__publish(m, &ps, &run);
	CHECK_INT(metrics__health(m, &sb), 200);
	strbuf_free(&sb);
	metrics__free(m);
}

/* Aliases that make the node graph a cycle or a bomb are refused where they start,
 * before any walk of the document (a self-containing alias once overflowed the stack). */
static void test_hostile_aliases(void)
{
	static const char *const cyclic[] = { "events: &a [*a]\n", "rules: &a {x: *a}\n", "outputs: &a [[*a]]\n" };
	char bomb[2048];
	struct config cfg;
	struct config_errors e;
	size_t i, n;

	for (i = 0; i < sizeof(cyclic) / sizeof(cyclic[0]); i++) {
		CHECK_INT(load(&cfg, &e, cyclic[i]), -EINVAL);
		CHECK(strstr(first(&e), "t.yaml:1:") && strstr(first(&e), "deeper than 32 levels"), "got: %s", first(&e));
		config_errors_free(&e);
		config_free(&cfg);
	}
	/* ten levels of ten aliases each: 10^10 nodes once expanded */
	n = snprintf(bomb, sizeof(bomb), "x0: &a0 [1,1,1,1,1,1,1,1,1,1]\n");
	for (i = 1; i < 10; i++)
		n += snprintf(bomb + n, sizeof(bomb) - n, "x%zu: &a%zu [*a%zu,*a%zu,*a%zu,*a%zu,*a%zu,*a%zu,*a%zu,*a%zu,*a%zu,*a%zu]\n",
			      i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	CHECK_INT(load(&cfg, &e, bomb), -EINVAL);
	CHECK(strstr(first(&e), "more than 100000 nodes") != NULL, "got: %s", first(&e));
	config_errors_free(&e);
	config_free(&cfg);
}

int main(void)
{
	RUN(test_defaults_without_a_file);
	RUN(test_every_key);
	RUN(test_errors_name_where);
	RUN(test_spool_named_hosts);
	RUN(test_output_mapping_options);
	RUN(test_command_line_wins);
	RUN(test_restart_sections);
	RUN(test_metrics_and_health);
	RUN(test_hostile_aliases);
	return check_summary();
}
