// SPDX-License-Identifier: Apache-2.0
/*
 * The pipeline options (agent/options.c): the command line and the config
 * file accept and refuse the same values, row by row, and store the same
 * settings; docs/config.md lists every key as the table describes it.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "options.h"

static const char *const samples[] = {
	"", "0", "1", "5", "16", "17", "65536", "16777216", "16777217", "-1", "+1", " 5", "1.5", "0x10", "abc",
	"99999999999999999999999", "/", "/x", "/x/y", "/var/run/docker.sock", "rel", "./rel", "x/", "exec",
	"exec,open", "all", "exec,all", "nosuch", "exec,nosuch", ",", "open,", "/tab\there", "true", "false",
};

/* A settings struct as a command line with only `--NAME value` makes it; 1 if accepted. */
static int by_cli(const struct option_def *d, const char *value, struct cli_pipeline *c)
{
	int rc;

	cli_pipeline_init(c);
	rc = cli_pipeline_option(c, d->id, value);
	cli_pipeline_finish(c);
	return rc == 1;
}

/* The same from a config file with only `KEY: value` (a number plain, anything else quoted); 1 if accepted. */
static int by_config(const struct option_def *d, const char *value, struct config *cfg, struct cli_pipeline *c)
{
	char text[PATH_MAX + 64];
	struct config_errors e = { 0 };
	const char *p;
	size_t n;
	int rc;

	n = (size_t)snprintf(text, sizeof(text), "%s: ", d->key);
	if (d->kind == OPTION_COUNT && value[0] && value[0] != ' ') {
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\n", value);
	} else {
		text[n++] = '\'';
		for (p = value; *p && n < sizeof(text) - 4; p++) {
			if (*p == '\'')
				text[n++] = '\'';
			text[n++] = *p;
		}
		n += (size_t)snprintf(text + n, sizeof(text) - n, "'\n");
	}
	rc = config_load_text(cfg, "t.yaml", text, n, &e);
	config_errors_free(&e);
	cli_pipeline_init(c);
	if (rc == 0)
		config_apply_pipeline(cfg, c);
	cli_pipeline_finish(c);
	return rc == 0;
}

static void same_value(const struct option_def *d, const char *value, const struct cli_pipeline *a,
		       const struct cli_pipeline *b)
{
	const char *const *la = (const void *)((const char *)a + d->off), *const *lb = (const void *)((const char *)b + d->off);
	size_t na, nb, i;

	switch (d->kind) {
	case OPTION_EVENTS:
		CHECK(memcmp(a->o.events, b->o.events, sizeof(a->o.events)) == 0, "%s '%s': other events", d->key, value);
		break;
	case OPTION_COUNT:
		CHECK(*(const size_t *)((const char *)a + d->off) == *(const size_t *)((const char *)b + d->off),
		      "%s '%s': other numbers", d->key, value);
		break;
	case OPTION_PATH:
	case OPTION_PATH_OR_EMPTY:
		CHECK(strcmp(*la, *lb) == 0, "%s '%s': '%s' and '%s'", d->key, value, *la, *lb);
		break;
	case OPTION_PATH_LIST:
		na = *(const size_t *)((const char *)a + d->count_off);
		nb = *(const size_t *)((const char *)b + d->count_off);
		CHECK(na == nb, "%s '%s': %zu and %zu entries", d->key, value, na, nb);
		for (i = 0; i < na && i < nb; i++)
			CHECK(strcmp(la[i], lb[i]) == 0, "%s '%s': entry %zu", d->key, value, i);
		break;
	case OPTION_FLAG:
		break;
	case OPTION_BOOL:
		CHECK(*(const bool *)((const char *)a + d->off) == *(const bool *)((const char *)b + d->off),
		      "%s '%s': other values", d->key, value);
		break;
	}
}

/* For every row with a key and every sample: both refuse, or both accept and store the same. */
static void test_cli_and_config_agree(void)
{
	static struct cli_pipeline a, b;
	char long_path[PATH_MAX + 8];
	int saved = dup(2), null = open("/dev/null", O_WRONLY);
	size_t i, j, rows = 0, accepted = 0, refused = 0;

	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[0] = '/';
	long_path[sizeof(long_path) - 1] = '\0';
	for (i = 0; i < options_count; i++) {
		const struct option_def *d = &options_table[i];

		if (!d->key)
			continue;
		rows++;
		for (j = 0; j <= sizeof(samples) / sizeof(samples[0]); j++) {
			const char *v = j < sizeof(samples) / sizeof(samples[0]) ? samples[j] : long_path;
			struct config cfg;
			int cli, conf;

			dup2(null, 2); /* the refusals' messages */
			cli = by_cli(d, v, &a);
			conf = by_config(d, v, &cfg, &b);
			dup2(saved, 2);
			CHECK(cli == conf, "%s '%.40s': the command line %s it, the config %s it", d->key, v,
			      cli ? "accepts" : "refuses", conf ? "accepts" : "refuses");
			if (cli && conf)
				same_value(d, v, &a, &b);
			accepted += cli && conf;
			refused += !cli && !conf;
			config_free(&cfg);
		}
	}
	close(null);
	close(saved);
	CHECK_INT(rows, 10);
	CHECK(accepted > 20 && refused > 100, "%zu accepted, %zu refused", accepted, refused);
}

/* The bounds that had drifted apart: now the table's, on both paths. */
static void test_bounds(void)
{
	static struct cli_pipeline c;
	struct config cfg;

	CHECK(!by_cli(options_by_id(CLI_OPT_ANCESTRY), "17", &c), "--ancestry above EVENT_MAX_ANCESTORS");
	CHECK(by_cli(options_by_id(CLI_OPT_ANCESTRY), "16", &c), "--ancestry 16");
	CHECK(!by_cli(options_by_id(CLI_OPT_PROC_CACHE), "16777217", &c), "--proc-cache above 2^24");
	CHECK(!by_config(options_by_key("proc_cache"), "16777217", &cfg, &c), "proc_cache above 2^24");
	config_free(&cfg);
	CHECK(!by_cli(options_by_id(CLI_OPT_PROCFS), "proc", &c), "--procfs relative");
}

/* Every getopt id, long name and key is unique; each row is in the usage. */
static void test_table_unique(void)
{
	char *text = NULL;
	size_t len = 0, i, j;
	FILE *f = open_memstream(&text, &len);

	cli_pipeline_usage(f);
	fclose(f);
	for (i = 0; i < options_count; i++) {
		char name[64];

		snprintf(name, sizeof(name), "--%s ", options_table[i].name);
		CHECK(strstr(text, name) != NULL, "%s not in the usage", name);
		for (j = 0; j < i; j++) {
			CHECK(options_table[i].id != options_table[j].id, "rows %zu and %zu: one id", i, j);
			CHECK(strcmp(options_table[i].name, options_table[j].name) != 0, "rows %zu and %zu: one name", i, j);
			CHECK(!options_table[i].key || !options_table[j].key ||
				      strcmp(options_table[i].key, options_table[j].key) != 0,
			      "rows %zu and %zu: one key", i, j);
		}
	}
	free(text);
}

/* docs/config.md has each key's row as options_markdown_row writes it. */
static void test_docs_current(void)
{
	size_t len = 0, i;
	char *doc = NULL, row[1024];
	FILE *f = fopen("docs/config.md", "r");

	CHECK(f != NULL, "docs/config.md is missing");
	if (!f)
		return;
	doc = malloc(1 << 20);
	if (doc) {
		len = fread(doc, 1, (1 << 20) - 1, f);
		doc[len] = '\0';
	}
	fclose(f);
	for (i = 0; doc && i < options_count; i++) {
		if (options_markdown_row(&options_table[i], row, sizeof(row)))
			continue;
		CHECK(strstr(doc, row) != NULL, "docs/config.md: the row of %s is stale; it is:\n%s", options_table[i].key,
		      row);
	}
	free(doc);
}

int main(void)
{
	RUN(test_cli_and_config_agree);
	RUN(test_bounds);
	RUN(test_table_unique);
	RUN(test_docs_current);
	return check_summary();
}
