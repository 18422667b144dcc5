// SPDX-License-Identifier: Apache-2.0
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "log.h"
#include "options.h"

#define DEFAULT_CONTAINER_CACHE 4096
#define DEFAULT_LOOKUP_TIMEOUT_MS 500

int cli_getopt_init(struct cli_getopt *g, const char *own_short, const struct option *own_long)
{
	size_t i, n = 0, len = 0;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < options_count; i++) {
		const struct option_def *d = &options_table[i];
		int has_arg = d->kind == OPTION_FLAG || d->kind == OPTION_BOOL ? no_argument : required_argument;

		if (d->id < 0x100 && len + 3 < sizeof(g->shortopts)) {
			g->shortopts[len++] = (char)d->id;
			if (has_arg)
				g->shortopts[len++] = ':';
		}
		g->longopts[n++] = (struct option){ d->name, has_arg, NULL, d->id };
	}
	g->longopts[n++] = (struct option){ "log-format", required_argument, NULL, CLI_OPT_LOG_FORMAT };
	if (len + strlen(own_short) >= sizeof(g->shortopts))
		return -ENOSPC;
	strcpy(g->shortopts + len, own_short);
	for (; own_long && own_long->name; own_long++) {
		if (n + 1 >= CLI_MAX_LONGOPTS)
			return -ENOSPC;
		g->longopts[n++] = *own_long;
	}
	return 0; /* the rest of longopts is zeroed: the terminator */
}

void cli_pipeline_init(struct cli_pipeline *c)
{
	memset(c, 0, sizeof(*c));
	options_defaults(c);
	c->o.ro_prefixes = c->ro_prefixes;
	c->o.containers.state_dirs = c->state_dirs;
	c->o.containers.capacity = DEFAULT_CONTAINER_CACHE;
	c->o.containers.lookup_timeout_ms = DEFAULT_LOOKUP_TIMEOUT_MS;
}

int cli_pipeline_option(struct cli_pipeline *c, int opt, const char *arg)
{
	const struct option_def *d = options_by_id(opt);
	char err[PATH_MAX + 128];

	if (opt == CLI_OPT_LOG_FORMAT) {
		enum log_format f;

		if (log_format_parse(arg, &f)) {
			fprintf(stderr, "bulwark: --log-format: '%s' is not auto, json or text\n", arg);
			return -1;
		}
		log_set_format(f);
		c->log_format_given = true;
		return 1;
	}

	if (!d)
		return 0;
	/* a list given on the command line replaces the default, and the config file's */
	if (d->kind == OPTION_PATH_LIST && !(c->given & OPTIONS_BIT(d)))
		*(size_t *)((char *)c + d->count_off) = 0;
	c->given |= OPTIONS_BIT(d);
	if (options_set(d, c, arg, err, sizeof(err))) {
		fprintf(stderr, "bulwark: --%s: %s\n", d->name, err);
		return -1;
	}
	if (c->verbose)
		log_set_level(LOG_DEBUG);
	return 1;
}

void cli_pipeline_finish(struct cli_pipeline *c)
{
	options_finish(c);
	c->o.containers.n_state_dirs = c->n_state_dirs;
	c->o.ro_prefixes = c->ro_prefixes;
	c->o.containers.state_dirs = c->state_dirs;
}

#define USAGE_INDENT 28
#define USAGE_WIDTH 100

/* @text from column USAGE_INDENT, wrapped at spaces before USAGE_WIDTH. */
static void usage_text(FILE *out, const char *text)
{
	size_t col = USAGE_INDENT, n;

	while (*text) {
		n = strcspn(text, " ");
		if (col > USAGE_INDENT && col + 1 + n > USAGE_WIDTH) {
			fprintf(out, "\n%*s", USAGE_INDENT, "");
			col = USAGE_INDENT;
		} else if (col > USAGE_INDENT) {
			fputc(' ', out);
			col++;
		}
		fprintf(out, "%.*s", (int)n, text);
		col += n;
		text += n;
		text += strspn(text, " ");
	}
	fputc('\n', out);
}

void cli_pipeline_usage(FILE *out)
{
	char left[64], dflt[256], text[1024];
	size_t i;

	for (i = 0; i < options_count; i++) {
		const struct option_def *d = &options_table[i];
		char shortopt[8] = "    ";

		if (d->id < 0x100)
			snprintf(shortopt, sizeof(shortopt), "-%c, ", d->id);
		snprintf(left, sizeof(left), "%s--%s%s%s", shortopt, d->name, d->arg ? " " : "", d->arg ? d->arg : "");
		if (d->kind == OPTION_FLAG || d->kind == OPTION_BOOL)
			snprintf(text, sizeof(text), "%s", d->help);
		else
			snprintf(text, sizeof(text), "%s%s (default %s)", d->help,
				 d->kind == OPTION_PATH_LIST ? ", repeatable" : "", options_default_text(d, dflt, sizeof(dflt)));
		fprintf(out, "  %-*s ", USAGE_INDENT - 3, left);
		usage_text(out, text);
	}
	fprintf(out, "  %-*s ", USAGE_INDENT - 3, "    --log-format F");
	usage_text(out, "the agent's log on stderr: json, text or auto (default auto: text on a terminal, JSON lines "
			"otherwise)");
}
