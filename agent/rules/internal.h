/* SPDX-License-Identifier: Apache-2.0 */
/* Internals shared by the rule engine's source files in agent/rules; not for other modules. */
#ifndef BULWARK_RULES_INTERNAL_H
#define BULWARK_RULES_INTERNAL_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules.h"

/* ---- bounds (untrusted rules files) -------------------------------------- */
#define RULES_FILE_MAX (16u << 20)   /* bytes per rules file */
#define RULES_COND_MAX (256u << 10)  /* bytes of one condition after appends */
#define RULES_DEPTH_MAX 200          /* parser nesting and macro expansion depth */
#define RULES_ANC_MAX 32             /* ancestry walked: proc.aname[N] with N <= this */
#define RULES_SCRATCH (64u << 10)    /* per-event bytes for derived strings */
#define RULES_LIST_DEPTH 64          /* lists referencing lists */
#define RULES_COND_NODES 100000      /* checks in one condition with its macros expanded (macros used twice double) */

/* ---- arena: everything a ruleset compiles lives here, freed at once ------ */
struct arena_chunk;
struct arena {
	struct arena_chunk *head;
};
void *arena_alloc(struct arena *a, size_t n); /* zeroed; NULL + ENOMEM */
char *arena_strndup(struct arena *a, const char *s, size_t n);
void arena_free(struct arena *a);

/* ---- event kinds --------------------------------------------------------- */
typedef uint64_t kindmask_t;
#define KIND_BIT(k) ((kindmask_t)1 << (k))
#define KINDS_RECORDS (KIND_BIT(BW_EV_MAX) - 2) /* kinds 1 .. BW_EV_MAX-1 */
#define KINDS_ALL (KINDS_RECORDS | KIND_BIT(RULES_EV_CONTAINER))
_Static_assert(RULES_KIND_MAX <= 64, "kind masks are 64 bits");

/* evt.type values an event of @kind can carry; NULL-terminated. */
const char *const *kind_evt_types(unsigned int kind);

/*
 * @path (relative: from @dir) made absolute and normalised lexically ("//",
 * ".", ".."); into @out (NUL-terminated, components that do not fit are
 * dropped); returns its length.
 */
size_t rules_path_join(char *out, size_t size, const char *dir, size_t dlen, const char *path, size_t plen);

/* ---- field values -------------------------------------------------------- */
enum ftype {
	FT_STR = 0,
	FT_INT,     /* int64 */
	FT_UINT,    /* uint64 */
	FT_BOOL,
	FT_IP,      /* IPv4 or IPv6 address */
	FT_PORT,    /* uint16, compared as uint */
	FT_ABSTIME, /* ns since the epoch */
	FT_RELTIME, /* ns */
	FT_STRLIST, /* NUL-separated items */
	FT_MAX,
};
const char *ftype_name(unsigned int t);
bool ftype_numeric(unsigned int t);

struct ipval {
	uint8_t family; /* 4 or 6 */
	uint8_t bits;   /* prefix length of a CIDR value (32/128 for an address) */
	uint8_t a[16];
};

/*
 * An extracted value. Strings are NUL-terminated at p[len] (fnmatch and
 * regexec need it); lists hold n items, each NUL-terminated, len bytes in all.
 */
struct fval {
	uint8_t type;
	union {
		struct {
			const char *p;
			uint32_t len;
			uint32_t n;
		} s;
		int64_t i;
		uint64_t u;
		bool b;
		struct ipval ip;
	};
};

/* ---- evaluation context (one per ruleset) -------------------------------- */
struct xctx {
	const struct rule_input *in;
	unsigned int kind;
	uint32_t epoch;
	uint32_t *cache_epoch; /* per field: epoch when cached */
	uint8_t *cache_ok;     /* per field: value present */
	struct fval *cache;
	/* ancestry walked lazily: anc[0] is the process itself */
	const struct proc_info *anc[RULES_ANC_MAX + 1];
	int nanc;      /* entries of anc filled */
	bool anc_end;  /* the walk hit an unknown parent */
	struct proc_info self; /* the process from the record when the input has no proc_info */
	uint64_t overflow;
	size_t used;
	char scratch[RULES_SCRATCH];
};

void xctx_begin(struct xctx *x, const struct rule_input *in, uint32_t epoch);
char *xctx_alloc(struct xctx *x, size_t n); /* NULL when the scratch is full (counted) */
/* The process @depth levels up (0 = itself); NULL if unknown. */
const struct proc_info *xctx_ancestor(struct xctx *x, int depth);

/* ---- field table --------------------------------------------------------- */
typedef bool (*field_get_fn)(struct xctx *x, int idx, struct fval *out);

#define FF_INDEX (1u << 0)       /* takes an index: proc.aname[2] */
#define FF_INDEX_ANY (1u << 1)   /* without an index it means "any ancestor" (conditions only) */
#define FF_KINDVAL (1u << 2)     /* value depends only on the event kind: decided at compile time */
#define FF_OUTPUT_ONLY (1u << 3) /* only in output templates */
#define FF_ERRNO (1u << 4)       /* values may be errno names (ENOENT) or SUCCESS */
#define FF_ZERO_NA (1u << 5)     /* catalogue fields: an empty string or a 0 is absent */
/* String operators (contains, startswith, glob, ...) compare the next table entry: its text form (evt.res: ENOENT) */
#define FF_STRTWIN (1u << 6)
#define FF_HIDDEN (1u << 7)      /* a text form (FF_STRTWIN's twin): not looked up by name, not documented */

struct field {
	const char *name;
	uint8_t type;
	uint8_t flags;
	kindmask_t kinds; /* event kinds that can provide it */
	const char *desc;
	field_get_fn get;
	/* "<object>.<key>" of agent/catalog.c: a plain read of the record's field (get is then g_cat) */
	const char *cat;
};

extern const struct field fields_table[];
extern const size_t fields_count;
int fields_lookup(const char *name, size_t len); /* index or -1 */
/*
 * A field of Falco's that bulwark has no data for yet (kinds == 0): it loads,
 * is always absent (<NA>), and `rules check` names it.
 */
bool field_nodata(unsigned int field);
/* Whether @op compares text (the operators a FF_STRTWIN field hands to its text form). */
bool cop_is_text(unsigned int op);
/* Extracts (cached per event for idx < 0). false: absent. */
bool field_get(struct xctx *x, unsigned int field, int idx, struct fval *out);
/* Renders like Falco ("<NA>" when absent is the caller's business); lists as "(a,b)". */
void fval_render(struct strbuf *sb, const struct fval *v, unsigned int field);
/* As a JSON value (strings, numbers, booleans, arrays). */
void fval_json(struct strbuf *sb, const struct fval *v);
/* "12:34:56.123456789" (UTC), Falco's %evt.time. */
void fmt_evt_time(char *out, size_t size, int64_t ns);

/* ---- condition syntax tree ----------------------------------------------- */
enum cop {
	OP_EQ = 0, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
	OP_CONTAINS, OP_ICONTAINS, OP_BCONTAINS, OP_STARTSWITH, OP_BSTARTSWITH, OP_ENDSWITH,
	OP_GLOB, OP_IGLOB, OP_REGEX, OP_IN, OP_INTERSECTS, OP_PMATCH, OP_EXISTS,
	OP_MAX,
};
const char *cop_name(unsigned int op);
int cop_from_name(const char *s, size_t len); /* -1 if unknown */
bool cop_takes_list(unsigned int op);          /* in, intersects, pmatch */

/* Falco's operator modifiers: "glob oneof (a, b)" matches exactly one, anyof at least one, allof all. */
enum cmod { MOD_NONE = 0, MOD_ONEOF, MOD_ANYOF, MOD_ALLOF };

enum ast_kind { AST_AND, AST_OR, AST_NOT, AST_CHECK, AST_IDENT };

struct ast_val {
	const char *s; /* unescaped */
	uint32_t len;
	uint32_t pos;  /* offset in the condition */
	bool quoted;
};

struct ast {
	uint8_t kind;
	uint8_t op;
	uint8_t mod;  /* enum cmod */
	bool list;      /* the value is a list: "(a, b)" or a list name */
	bool list_name; /* written as a bare list name: "in shell_binaries" */
	bool has_arg; /* field[arg] */
	uint32_t pos; /* offset in the condition */
	uint32_t op_pos;
	uint32_t n;   /* kids or vals */
	struct ast **kids;
	const char *name; /* field or identifier */
	uint32_t name_len;
	const char *arg;
	uint32_t arg_len, arg_pos;
	struct ast_val *vals;
};

/* Parses a condition; on error returns NULL with *err_pos and msg set. */
struct ast *cond_parse(struct arena *a, const char *text, size_t len, uint32_t *err_pos, char *msg,
		       size_t msg_size);

/* ---- compiled conditions ------------------------------------------------- */
struct cval {
	union {
		struct {
			const char *p;
			uint32_t len;
		} s;
		int64_t i;
		uint64_t u;
		bool b;
		struct ipval ip;
	};
};

enum cnode_kind { CN_AND, CN_OR, CN_NOT, CN_CMP, CN_CONST };

struct cnode {
	uint8_t kind;
	uint8_t op;
	uint8_t mod; /* enum cmod */
	bool any;   /* ancestry field without index: true if any ancestor matches */
	bool value; /* CN_CONST */
	uint16_t field;
	int16_t idx; /* field index, -1 if none */
	uint32_t n;  /* kids or vals */
	struct cnode **kids;
	struct cval *vals; /* sorted for in/intersects on strings and numbers */
	regex_t *re;       /* one per value for regex */
	uint32_t size;   /* nodes once macros are expanded (shared subtrees count each time), saturating */
	kindmask_t may;  /* kinds for which it can be true */
	kindmask_t must; /* kinds for which it is always true */
};

bool cnode_eval(struct xctx *x, const struct cnode *n);
/* The comparison against a given value (compile-time analysis of kind-valued fields uses it too). */
bool cnode_compare(const struct cnode *n, const struct fval *v);

/* ---- rules --------------------------------------------------------------- */
struct out_seg {
	const char *text; /* literal, or NULL for a field */
	uint32_t len;
	int16_t field;
	int16_t idx;
};

struct out_field {
	uint16_t field;
	int16_t idx;
	const char *name; /* as Falco keys it: "proc.aname[2]" */
};

struct exc_value {
	struct cnode *match;
	int64_t expires_ns; /* 0 = never */
	const char *exc_name;
	const char *where;  /* file:line:col, for the expiry log */
	bool expired_logged;
};

/* bulwark's priority_when: the first entry whose condition holds sets the alert's priority. */
struct prio_when {
	struct cnode *cond;
	enum rule_priority priority;
};

struct rule {
	const char *name;
	const char *desc;
	enum rule_priority priority;
	struct prio_when *pw;
	size_t npw;
	bool enabled;
	const char **tags;
	size_t ntags;
	struct cnode *cond;
	struct exc_value *exc;
	size_t nexc;
	struct out_seg *out;
	size_t nout;
	struct out_field *fields; /* output_fields */
	size_t nfields;
	kindmask_t kinds;
	const char *file;        /* where the rule item starts, for warnings after loading */
	unsigned int line, col;
	const char *cannot_fire; /* NULL, or why it loads but can never fire here */
	bool blocks;               /* action: block */
	struct bw_block_key *block; /* what it compiled to in the kernel (block.c) */
	size_t nblock;
};

struct rules {
	struct arena arena;
	struct rule *rules;
	size_t nrules;
	/* per kind: enabled rules that can match it, in load order */
	struct rule **index[RULES_KIND_MAX];
	size_t nindex[RULES_KIND_MAX];
	regex_t **regexes; /* to regfree */
	size_t nregexes, capregexes;
	struct rules_stats st;
	uint32_t epoch;
	struct xctx *x;
};

/* Output templates (output.c). Returns 0, or -1 with *err_off and msg. */
int output_compile(struct arena *a, const char *text, size_t len, struct out_seg **segs, size_t *nsegs,
		   uint32_t *err_off, char *msg, size_t msg_size);
/*
 * Can @n be true for an event of kind @k whose evt.type is one that
 * @present accepts? The compile-time kind analysis again, for one kind and a
 * subset of its evt.type values (a kernel that lacks some hooks).
 */
bool cnode_may_match(const struct cnode *n, unsigned int k, bool (*present)(void *ctx, const char *evt_type),
		     void *ctx);

/* Builds the output_fields list from the template and the condition. */
int output_fields_build(struct arena *a, struct rule *r);

/*
 * action: block: compiles @r's condition and exceptions to kernel facts
 * (r->block, allocated in @a). 0, or -EINVAL with why the kernel cannot
 * decide it in @msg.
 */
int block_compile(struct arena *a, struct rule *r, char *msg, size_t len);

/* ---- diagnostics --------------------------------------------------------- */
void diag_add(struct rules_diags *d, bool warning, const char *file, unsigned int line, unsigned int col,
	      const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif
