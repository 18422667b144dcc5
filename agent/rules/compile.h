/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Condition compiler: syntax tree → evaluation tree. Fields are resolved to
 * table entries, values parsed to the field's type once (numbers, addresses,
 * sets sorted for binary search, regexes compiled), macros and lists
 * expanded, and every node annotated with the event kinds it can match.
 * Name resolution (macros, lists) and error reporting belong to the caller
 * (the loader), through struct cc.
 */
#ifndef BULWARK_RULES_COMPILE_H
#define BULWARK_RULES_COMPILE_H

#include "internal.h"

struct cc_item {
	const char *s;
	uint32_t len;
};

struct cc {
	struct rules *rs;
	void *ctx;
	/* The compiled macro @name, or NULL: *defined tells an unknown name from a macro that failed (reported). */
	struct cnode *(*macro)(void *ctx, const char *name, size_t len, uint32_t pos, bool *defined);
	/* The expanded items of list @name: 0, or -ENOENT if no such list, -EINVAL if it failed (reported). */
	int (*list)(void *ctx, const char *name, size_t len, const struct cc_item **items, size_t *n);
	void (*error)(void *ctx, uint32_t pos, const char *msg);
	bool skip_unknown;  /* skip-if-unknown-filter: unknown fields set unknown_field instead of an error */
	bool unknown_field;
	uint32_t unknown_pos; /* the first unknown field */
	char unknown_name[64];
	unsigned int depth;
	unsigned int errors;
};

/* Compiles @a; NULL after reporting through cc->error. */
struct cnode *cc_compile(struct cc *cc, const struct ast *a);

/*
 * One comparison, for conditions and exceptions alike: field name with its
 * optional [arg], operator, values (list values are expanded when they name a
 * list and are not quoted). Positions are offsets handed back to cc->error.
 */
struct cc_check {
	const char *field;
	size_t field_len;
	const char *arg;
	size_t arg_len;
	bool has_arg;
	uint32_t field_pos, arg_pos, op_pos;
	int op;
	int mod; /* enum cmod */
	const struct ast_val *vals;
	size_t nvals;
	bool list;      /* the value was written as a list */
	bool list_name; /* ... as a bare list name (in name): it must name a list */
};
struct cnode *cc_check(struct cc *cc, const struct cc_check *c);

/* AND of nodes (exceptions' tuples); NULL on allocation failure. */
struct cnode *cc_and(struct cc *cc, struct cnode **kids, size_t n);

/* Splits "proc.aname[2]" into name and argument; false if it is not a field reference. */
bool cc_split_field(const char *s, size_t len, size_t *name_len, const char **arg, size_t *arg_len);

#endif
