/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pipeline options (`trace` and `run`), described once: the command
 * line's long options, its parser and usage text, the config file's keys,
 * the copy from the file to the command line's settings and the table of
 * docs/config.md all walk options_table. A value is checked by one function
 * per kind, with one set of bounds per option, so that the command line and
 * the config file accept and refuse the same values (tests/unit/test_options.c).
 *
 * Adding an option: its field in struct pipeline_opts (agent/pipeline.h) or
 * struct cli_pipeline (agent/cli.h), a CLI_OPT_* id (agent/cli.h), a row in
 * options.c, the row `options_markdown_row` prints in docs/config.md.
 */
#ifndef BULWARK_OPTIONS_H
#define BULWARK_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"

enum option_kind {
	OPTION_EVENTS,        /* bool[BW_EV_MAX]: "all" or event type names (comma-separated, or a YAML list) */
	OPTION_COUNT,         /* size_t, decimal, in [min, max] */
	OPTION_PATH,          /* const char *: an absolute path */
	OPTION_PATH_OR_EMPTY, /* const char *: an absolute path, or "" (the row's help says what "" means) */
	OPTION_PATH_LIST,     /* const char *[max] and its size_t count: repeatable, or a YAML list */
	OPTION_FLAG,          /* bool: command line only */
	OPTION_BOOL,          /* bool: a flag on the command line (on), true or false in the config file */
};

struct option_def {
	int id;                  /* getopt_long value (CLI_OPT_*); below 0x100 also the short option */
	const char *name;        /* long option */
	const char *key;         /* top-level key of the config file; NULL: command line only */
	enum option_kind kind;
	size_t off;              /* of the value in struct cli_pipeline */
	size_t count_off;        /* OPTION_PATH_LIST: of its count */
	unsigned long min, max;  /* OPTION_COUNT: bounds; OPTION_PATH_LIST: max entries */
	unsigned long dflt;      /* OPTION_COUNT: the default */
	const char *dflt_str;    /* OPTION_PATH, OPTION_PATH_OR_EMPTY: the default */
	const char *const *dflt_list; /* OPTION_PATH_LIST: the default, NULL-terminated (NULL: none); an empty list is it */
	const char *arg;         /* the argument's name in the usage; NULL for a flag */
	const char *help;        /* one line, for the usage and docs/config.md */
};

extern const struct option_def options_table[];
extern const size_t options_count;

/* A row's bit in struct cli_pipeline.given. */
#define OPTIONS_BIT(d) (1u << ((d) - options_table))

const struct option_def *options_by_id(int id);
const struct option_def *options_by_key(const char *key);

/*
 * One value of a scalar option, or one entry of a list, checked and stored
 * into @c (a list entry is appended). 0, or -EINVAL with a message in @err
 * ("expected an absolute path, got 'x'"), that the caller prefixes with where.
 * OPTION_EVENTS takes a comma-separated list; OPTION_FLAG ignores @value.
 */
int options_set(const struct option_def *d, struct cli_pipeline *c, const char *value, char *err, size_t errlen);
/* Sets every option to its default (lists are filled by options_finish when still empty). */
void options_defaults(struct cli_pipeline *c);
/* Fills the lists nothing gave with their defaults. */
void options_finish(struct cli_pipeline *c);
/* Copies into @dst the options @src gave (src->given) and @dst did not. */
void options_merge(struct cli_pipeline *dst, const struct cli_pipeline *src);
/* The row's line of the table in docs/config.md ("| `key` | type | default | help (`--name`) |"). */
int options_markdown_row(const struct option_def *d, char *buf, size_t size);
/* The row's default as shown in the usage and the docs ("65536", "/proc", "\"\"", "all"). */
const char *options_default_text(const struct option_def *d, char *buf, size_t size);

#endif
