/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The configuration file (default /etc/bulwark/bulwark.yaml; docs/config.md):
 * one YAML mapping whose keys are checked strictly (an unknown key, a wrong
 * type or a bad value is an error naming file:line:col). Without a file the
 * embedded defaults apply: the default rules, alerts on stdout. The command
 * line overrides the file.
 */
#ifndef BULWARK_CONFIG_H
#define BULWARK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cli.h"
#include "log.h"
#include "output/output.h"

#define CONFIG_DEFAULT_PATH "/etc/bulwark/bulwark.yaml"
#define CONFIG_FILE_MAX (1u << 20)  /* bytes of a config file */
#define CONFIG_MAX_RULES 64         /* rules paths */
#define CONFIG_MAX_OUTPUTS 16       /* outputs */
#define CONFIG_MAX_ERRORS 50        /* diagnostics kept per load */
#define CONFIG_DEFAULT_LISTEN "127.0.0.1:9376"

/* When /healthz turns unhealthy (docs/config.md, "health"). */
struct health_config {
	unsigned stall_s;         /* the event loop has not consumed the ring buffers for this long */
	double max_drop_ratio;    /* kernel drops / (records + drops) over the window */
	unsigned drop_window_s;   /* the drop ratio's window */
	unsigned output_stuck_s;  /* an output's receiver down with alerts waiting for this long */
};

/* The top-level keys whose change needs a restart (SIGHUP warns, keeps the running value). */
enum config_section {
	CONF_SEC_PIPELINE = 0, /* the keys of options_table (agent/options.c) */
	CONF_SEC_OUTPUTS,      /* outputs, spool_dir */
	CONF_SEC_METRICS,      /* metrics.listen */
	CONF_SEC_MAX,
};

struct config {
	char *path;                      /* the file read; NULL: embedded defaults */
	const char *rules[CONFIG_MAX_RULES];
	size_t n_rules;                  /* 0: the embedded default rules */
	struct output_config *outputs;   /* finished; n_outputs 0: stdout */
	size_t n_outputs;
	char *spool_dir;                 /* spool root of the outputs that name none */
	enum log_level log_level;
	enum log_format log_format;      /* log.format; --log-format wins */
	char *metrics_listen;            /* "" : no HTTP server */
	struct health_config health;

	/* pipeline settings (agent/options.c): pipeline.given has the keys the file set; each applies unless the command line gave it */
	struct cli_pipeline pipeline;

	char *section_text[CONF_SEC_MAX]; /* canonical text of each restart-only section, to compare on reload */
	char **strings;                   /* every string above, owned */
	size_t n_strings;
};

/* One message per problem, "file:line:col: message" (or "file: message"). */
struct config_errors {
	char *v[CONFIG_MAX_ERRORS];
	size_t n;
	size_t total; /* may exceed n: only the first CONFIG_MAX_ERRORS are kept */
};

/* The embedded defaults (no file). */
void config_defaults(struct config *cfg);
/*
 * Reads and checks @path into @cfg (defaults first). Returns 0, or -EINVAL
 * (every problem in @errs) or -errno when the file cannot be read (one
 * message in @errs). @cfg is always safe to pass to config_free.
 */
int config_load(struct config *cfg, const char *path, struct config_errors *errs);
/* The same on text in memory; @name is shown in messages. */
int config_load_text(struct config *cfg, const char *name, const char *text, size_t len,
		     struct config_errors *errs);
void config_free(struct config *cfg);
void config_errors_free(struct config_errors *errs);
void config_errors_print(const struct config_errors *errs, FILE *out);

/* Fills the pipeline options the command line did not give (c->given) from @cfg. */
void config_apply_pipeline(const struct config *cfg, struct cli_pipeline *c);
/* The restart-only sections that differ between @a and @b (one bit per enum config_section). */
unsigned config_restart_changes(const struct config *a, const struct config *b);
const char *config_section_name(enum config_section s);
/* "127.0.0.1:9376", "[::1]:9376": an IP literal and a port; 0 or -EINVAL. */
int config_parse_listen(const char *s, char *host, size_t hostlen, unsigned *port);

/* `bulwark config check [FILE]...` (argv[0] is "config") */
int cmd_config(int argc, char **argv);

#endif
