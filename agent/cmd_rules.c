// SPDX-License-Identifier: Apache-2.0
/* bulwark rules check|list|fields, and bulwark replay. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "jsonw.h"
#include "log.h"
#include "replay.h"
#include "rules/rules.h"
#include "sensor.h"

#define MAX_RULE_PATHS 64

static void rules_usage(FILE *out)
{
	fprintf(out,
		"usage: bulwark rules check [--strict] [FILE|DIR]...\n"
		"                                          validate rules files (none: the built-in ruleset);\n"
		"                                          prints file:line:col: message, per file the rules that\n"
		"                                          load and those that cannot fire here, exits 1 if invalid;\n"
		"                                          --strict: refuse repeated definitions and unknown keys\n"
		"                                          (Falco accepts them; the default warns)\n"
		"       bulwark rules list [-r PATH]...     the rules: priority, state (enabled, disabled, or\n"
		"                                          cannot: loads but cannot fire here), event kinds, name\n"
		"       bulwark rules fields [--markdown]   every field, its type and the events that have it\n"
		"\n"
		"-r PATH (file or directory, repeatable) replaces the built-in ruleset; directories\n"
		"contribute their *.yaml and *.yml files in name order.\n");
}

/* The built-in ruleset, or the paths given (which replace it). */
static struct rules *load(const char *const *paths, size_t n, struct rules_diags *d)
{
	return n ? rules__load_paths(paths, n, d) : rules__load_default(d);
}

/*
 * Rules that need a hook this kernel lacks: warnings, as the agent gives at
 * load. No privileges needed: the probe reads tracefs where it may, else
 * /proc/kallsyms; where neither answers the check is skipped with a note.
 */
static void check_hooks(const struct rules *rs, struct rules_diags *d)
{
	struct rules_missing_hooks m = { .n = 0 };
	const char *how = "";
	int e = sensor_probe_missing_hooks(rules_missing_hooks_add, &m, &how);

	if (e) {
		fprintf(stderr, "note: cannot tell which hooks this kernel has (tracefs and %s unreadable: %s): rules that "
			"need a missing hook are not named\n", how, strerror(-e));
		return;
	}
	rules__check_hooks(rs, &m, d);
}

/* Per file: the rules that load and can fire, those that load but cannot fire here (with the reason). */
static void check_summary(const struct rules *rs)
{
	size_t i, j, n = rules__count(rs);

	for (i = 0; i < n; i++) {
		const char *file = rule_file(rules__rule(rs, i));
		size_t fire = 0, cannot = 0;

		for (j = 0; j < i && strcmp(rule_file(rules__rule(rs, j)), file) != 0; j++)
			;
		if (j < i)
			continue; /* file already summarised */
		for (j = i; j < n; j++) {
			const struct rule *r = rules__rule(rs, j);

			if (strcmp(rule_file(r), file) != 0)
				continue;
			if (rule_cannot_fire(r)) {
				cannot++;
				printf("%s:%u: rule '%s' loads, cannot fire: %s\n", file, rule_line(r), rule_name(r),
				       rule_cannot_fire(r));
			} else {
				fire++;
			}
		}
		printf("%s: %zu rules load (%zu can fire, %zu cannot fire here)\n", file, fire + cannot, fire, cannot);
	}
}

static int rules_check(int argc, char **argv)
{
	struct rules_diags d = { 0 };
	struct rules *rs;
	int rc;

	if (argc > 0 && strcmp(argv[0], "--strict") == 0) {
		d.strict = true;
		argc--;
		argv++;
	}
	rs = load((const char *const *)argv, argc, &d);
	if (rs)
		check_hooks(rs, &d);
	rules_diags_print(&d, stdout);
	if (rs) {
		check_summary(rs);
		printf("ok: %zu rules\n", rules__count(rs));
	} else {
		printf("refused: %zu errors\n", d.errors);
	}
	rc = rs ? 0 : 1;
	rules__free(rs);
	rules_diags_free(&d);
	return rc;
}

static void kinds_str(uint64_t k, char *buf, size_t size)
{
	unsigned int i;
	size_t n = 0;

	buf[0] = '\0';
	for (i = 1; i < RULES_KIND_MAX && n < size; i++)
		if (k & (1ull << i))
			n += snprintf(buf + n, size - n, "%s%s", n ? "," : "", rules_kind_name(i));
}

static int rules_list(int argc, char **argv)
{
	const char *paths[MAX_RULE_PATHS];
	struct rules_diags d = { 0 };
	struct rules *rs;
	size_t n = 0, i;
	int c;

	optind = 1;
	while ((c = getopt(argc, argv, "r:h")) != -1) {
		if (c == 'r' && n < MAX_RULE_PATHS) {
			paths[n++] = optarg;
		} else {
			rules_usage(c == 'h' ? stdout : stderr);
			return c == 'h' ? 0 : 2;
		}
	}
	rs = load(paths, n, &d);
	if (!rs) {
		rules_diags_print(&d, stderr);
		rules_diags_free(&d);
		return 1;
	}
	for (i = 0; i < rules__count(rs); i++) {
		const struct rule *r = rules__rule(rs, i);
		char kinds[512];

		kinds_str(rule_kinds(r), kinds, sizeof(kinds));
		/* "cannot": loaded, but no event bulwark records can match it (rules check says why) */
		printf("%-13s %-8s %-40s %s\n", rules_priority_name(rule_priority(r)),
		       !rule_enabled(r) ? "disabled" : rule_cannot_fire(r) ? "cannot" : "enabled", kinds, rule_name(r));
	}
	rules__free(rs);
	rules_diags_free(&d);
	return 0;
}

static int rules_fields(int argc, char **argv)
{
	struct strbuf sb = STRBUF_INIT;

	if (argc > 1 && strcmp(argv[1], "--markdown") == 0)
		rules_fields_markdown(&sb);
	else if (argc > 1) {
		rules_usage(stderr);
		return 2;
	} else
		rules_fields_text(&sb);
	fwrite(sb.buf, 1, sb.len, stdout);
	strbuf_free(&sb);
	return 0;
}

int cmd_rules(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";

	if (strcmp(sub, "check") == 0)
		return rules_check(argc - 2, argv + 2);
	if (strcmp(sub, "list") == 0)
		return rules_list(argc - 1, argv + 1);
	if (strcmp(sub, "fields") == 0)
		return rules_fields(argc - 1, argv + 1);
	if (strcmp(sub, "help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0) {
		rules_usage(stdout);
		return 0;
	}
	rules_usage(stderr);
	return 2;
}

/* ---- replay ------------------------------------------------------------------------------- */

static void replay_usage(FILE *out)
{
	fprintf(out,
		"usage: bulwark replay [-r PATH]... [--bench N] [--hostname NAME] FILE|-\n"
		"  Feeds events recorded by `bulwark trace` (JSON lines; # comments allowed) through the\n"
		"  rules and prints alerts as JSON lines. Needs no privileges.\n"
		"  -r, --rules PATH   rules file or directory, repeatable (replaces the built-in ruleset)\n"
		"      --bench N      evaluate the file N times and print events/s and rule evaluations/s\n"
		"      --hostname H   hostname put in alerts (default: this host's)\n");
}

int cmd_replay(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rules", required_argument, NULL, 'r' }, { "bench", required_argument, NULL, 'b' },
		{ "hostname", required_argument, NULL, 'H' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *paths[MAX_RULE_PATHS], *input;
	char host[256] = "", err[256];
	struct rules_diags d = { 0 };
	struct rules *rs = NULL;
	struct replay *rp = NULL;
	struct replay_stats st;
	struct strbuf alerts = STRBUF_INIT;
	unsigned long bench = 0;
	size_t n = 0, cap = 0, lineno = 0;
	char *line = NULL, *end;
	ssize_t len;
	FILE *in = NULL;
	int c, rc = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "r:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (n == MAX_RULE_PATHS) {
				fprintf(stderr, "bulwark replay: at most %d rules paths\n", MAX_RULE_PATHS);
				return 2;
			}
			paths[n++] = optarg;
			break;
		case 'b':
			bench = strtoul(optarg, &end, 10);
			if (*end || !bench) {
				fprintf(stderr, "bulwark replay: --bench: expected a positive number, got '%s'\n", optarg);
				return 2;
			}
			break;
		case 'H':
			snprintf(host, sizeof(host), "%s", optarg);
			break;
		case 'h':
			replay_usage(stdout);
			return 0;
		default:
			replay_usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		replay_usage(stderr);
		return 2;
	}
	input = argv[optind];
	if (!host[0] && gethostname(host, sizeof(host) - 1) < 0)
		snprintf(host, sizeof(host), "unknown");
	rs = load(paths, n, &d);
	if (!rs) {
		rules_diags_print(&d, stderr);
		goto out;
	}
	in = strcmp(input, "-") == 0 ? stdin : fopen(input, "re");
	if (!in) {
		fprintf(stderr, "bulwark replay: %s: %s\n", input, strerror(errno));
		goto out;
	}
	rp = replay__new(rs, host, bench > 0);
	if (!rp)
		goto out;
	rc = 0;
	while ((len = getline(&line, &cap, in)) >= 0) {
		lineno++;
		strbuf_reset(&alerts);
		if (replay__line(rp, line, len, &alerts, err, sizeof(err)) < 0) {
			fprintf(stderr, "bulwark replay: %s:%zu: %s\n", input, lineno, err);
			rc = 1;
			continue;
		}
		if (alerts.len && fwrite(alerts.buf, 1, alerts.len, stdout) != alerts.len) {
			rc = 1;
			break;
		}
	}
	if (bench) {
		struct replay_bench b;

		replay__bench(rp, bench, &b);
		printf("{\"events\":%llu,\"passes\":%lu,\"rules\":%zu,\"rule_evaluations\":%llu,\"matches\":%llu,"
		       "\"seconds\":%.3f,\"events_per_sec\":%.0f,\"rule_evaluations_per_sec\":%.0f}\n",
		       (unsigned long long)b.events, bench, rules__count(rs), (unsigned long long)b.evaluations,
		       (unsigned long long)b.matches, b.seconds, b.seconds > 0 ? b.events / b.seconds : 0,
		       b.seconds > 0 ? b.evaluations / b.seconds : 0);
	}
	replay__stats(rp, &st);
	if (st.malformed)
		fprintf(stderr, "bulwark replay: %llu of %llu lines malformed\n", (unsigned long long)st.malformed,
			(unsigned long long)st.lines);
out:
	if (in && in != stdin)
		fclose(in);
	free(line);
	strbuf_free(&alerts);
	replay__free(rp);
	rules__free(rs);
	rules_diags_free(&d);
	return rc;
}
