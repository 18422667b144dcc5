// SPDX-License-Identifier: Apache-2.0
/*
 * Rules files → compiled ruleset.
 *
 * Reading (in file order) applies Falco's item semantics: list, macro and
 * rule definitions, `override: {key: append|replace}` and the older
 * `append: true`, `enabled`-only items, exceptions. Compiling (after every
 * file is read, so macros and lists may be used before they are defined)
 * parses each condition, expands macros and lists with recursion detection,
 * resolves fields and checks types, compiles exceptions and outputs, and
 * rejects rules that can match no event.
 *
 * Every diagnostic names file:line:col: YAML nodes carry libyaml's marks;
 * offsets inside a condition or output are mapped back through the scalar's
 * text in the file (plain, quoted, literal and folded styles), also across
 * appended fragments that come from other files.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "compile.h"
#include "internal.h"
#include "util.h"

/* ---- sources and YAML references ------------------------------------------------------ */

struct lsrc {
	char *name;
	char *text;
	size_t len;
	size_t *lines; /* byte offset where each line starts */
	size_t nlines;
	yaml_document_t **docs; /* each allocated once: references keep pointers to them */
	size_t ndocs;
};

struct yref {
	struct lsrc *src;
	yaml_document_t *doc;
	yaml_node_t *node; /* NULL: absent */
};

/* Text assembled from YAML scalars (appends join with a space, as Falco does). */
struct frag {
	struct yref ref;
	size_t off, len;
};

struct ltext {
	char *text;
	size_t len;
	struct frag *frags;
	size_t nfrags;
	bool set;
};

struct llist {
	char *name;
	struct yref def;
	struct yref *items;
	size_t nitems;
	int state; /* 0 new, 1 expanding, 2 done, 3 failed */
	struct cc_item *exp;
	size_t nexp;
	bool used;
};

enum { M_NEW, M_COMPILING, M_DONE, M_FAILED, M_UNKNOWN_FIELD };

struct lmacro {
	char *name;
	struct yref def;
	struct ltext cond;
	struct ast *ast;
	struct cnode *node;
	int state;
	bool used, parsed, reported;
	uint32_t unknown_pos;
	char unknown_name[64];
};

struct lexc {
	char *name;
	struct yref def;
	struct yref fields, comps;
	struct yref *values; /* sequences of value items (appends add more) */
	size_t nvalues;
};

struct lrule {
	char *name;
	struct yref def;
	struct ltext cond, output, desc;
	enum rule_priority prio;
	bool enabled, warn_evttypes, skip_unknown, unknown_source;
	char **tags;
	size_t ntags;
	struct lexc *exc;
	size_t nexc;
	struct yref prio_when; /* bulwark extension: [{condition, priority}] */
	struct yref action;    /* bulwark extension: action: block (node NULL: alert only) */
	bool block;
};

struct loader {
	struct rules_diags *diags;
	struct rules *rs;
	struct lsrc **srcs;
	size_t nsrcs;
	struct llist **lists;
	size_t nlists;
	struct lmacro **macros;
	size_t nmacros;
	struct lrule **rules;
	size_t nrules;
	unsigned int errors;
	const char *stack[RULES_DEPTH_MAX + 1]; /* macros being compiled, for recursion messages */
	unsigned int nstack;
	int64_t now_ns;
};

static void *push(void *vec, size_t *n, size_t size)
{
	void *nv = realloc(vec, (*n + 1) * size);

	if (nv)
		(*n)++;
	return nv;
}

/* ---- positions ------------------------------------------------------------------------------ */

static size_t src_byte(const struct lsrc *s, size_t line, size_t col)
{
	size_t b = line < s->nlines ? s->lines[line] : s->len;

	/* libyaml counts columns in characters */
	while (col > 0 && b < s->len && s->text[b] != '\n') {
		b++;
		while (b < s->len && ((unsigned char)s->text[b] & 0xc0) == 0x80)
			b++;
		col--;
	}
	return b;
}

static void src_linecol(const struct lsrc *s, size_t byte, unsigned int *line, unsigned int *col)
{
	size_t lo = 0, hi = s->nlines, b, c = 1;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (s->lines[mid] <= byte)
			lo = mid;
		else
			hi = mid;
	}
	for (b = s->lines[lo]; b < byte && b < s->len; b++)
		if (((unsigned char)s->text[b] & 0xc0) != 0x80)
			c++;
	*line = lo + 1;
	*col = c;
}

static bool ws(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

/*
 * The byte in the file where character @k of a scalar's value comes from:
 * the value is aligned with the scalar's source text (skipping the block
 * indicator line, quotes, indentation and folded line breaks, which the value
 * shows as single spaces or newlines). Best effort for escapes.
 */
static size_t scalar_byte(const struct yref *r, size_t k)
{
	const struct lsrc *s = r->src;
	const yaml_node_t *n = r->node;
	const char *val = (const char *)n->data.scalar.value;
	size_t vlen = n->data.scalar.length;
	size_t p = src_byte(s, n->start_mark.line, n->start_mark.column);
	size_t end = src_byte(s, n->end_mark.line, n->end_mark.column);
	size_t i, found = p, target = k < vlen ? k : (vlen ? vlen - 1 : 0);

	switch (n->data.scalar.style) {
	case YAML_LITERAL_SCALAR_STYLE:
	case YAML_FOLDED_SCALAR_STYLE:
		while (p < end && s->text[p] != '\n')
			p++;
		break;
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		p++;
		break;
	default:
		break;
	}
	if (!vlen)
		return p;
	for (i = 0; i <= target; i++) {
		char c = val[i];
		size_t q = p;

		while (q < end && !(s->text[q] == c || (ws(c) && ws(s->text[q]))))
			q++;
		if (q >= end)
			break;
		found = q;
		p = q + 1;
	}
	if (k >= vlen)
		found++;
	return found;
}

static void ref_pos(const struct yref *r, unsigned int *line, unsigned int *col)
{
	*line = r->node ? r->node->start_mark.line + 1 : 0;
	*col = r->node ? r->node->start_mark.column + 1 : 0;
}

static void verr(struct loader *ld, bool warning, const struct lsrc *s, unsigned int line, unsigned int col,
		 const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	diag_add(ld->diags, warning, s ? s->name : "", line, col, "%s", msg);
	free(msg);
	if (!warning)
		ld->errors++;
}

static void err_at(struct loader *ld, const struct yref *r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void err_at(struct loader *ld, const struct yref *r, const char *fmt, ...)
{
	unsigned int line, col;
	va_list ap;

	ref_pos(r, &line, &col);
	va_start(ap, fmt);
	verr(ld, false, r->src, line, col, fmt, ap);
	va_end(ap);
}

static void warn_at(struct loader *ld, const struct yref *r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void warn_at(struct loader *ld, const struct yref *r, const char *fmt, ...)
{
	unsigned int line, col;
	va_list ap;

	ref_pos(r, &line, &col);
	va_start(ap, fmt);
	verr(ld, true, r->src, line, col, fmt, ap);
	va_end(ap);
}

/*
 * What Falco accepts and bulwark's strict mode refuses (a repeated
 * definition, an unknown key): a warning, or an error with diags->strict.
 * Returns true when loading goes on as Falco would.
 */
static bool lax_at(struct loader *ld, const struct yref *r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool lax_at(struct loader *ld, const struct yref *r, const char *fmt, ...)
{
	bool strict = ld->diags && ld->diags->strict;
	unsigned int line, col;
	va_list ap;

	ref_pos(r, &line, &col);
	va_start(ap, fmt);
	verr(ld, !strict, r->src, line, col, fmt, ap);
	va_end(ap);
	return !strict;
}

/* file:line:col of offset @off in an assembled text. */
static void text_pos(const struct ltext *t, size_t off, const struct lsrc **s, unsigned int *line, unsigned int *col)
{
	const struct frag *f = &t->frags[0];
	size_t i;

	for (i = 0; i < t->nfrags; i++) {
		if (off >= t->frags[i].off)
			f = &t->frags[i];
	}
	*s = f->ref.src;
	if (!f->ref.node || f->ref.node->type != YAML_SCALAR_NODE) {
		ref_pos(&f->ref, line, col);
		return;
	}
	src_linecol(f->ref.src, scalar_byte(&f->ref, off - f->off), line, col);
}

static void err_text(struct loader *ld, const struct ltext *t, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void err_text(struct loader *ld, const struct ltext *t, size_t off, const char *fmt, ...)
{
	const struct lsrc *s;
	unsigned int line, col;
	va_list ap;

	text_pos(t, off, &s, &line, &col);
	va_start(ap, fmt);
	verr(ld, false, s, line, col, fmt, ap);
	va_end(ap);
}

static void warn_text(struct loader *ld, const struct ltext *t, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void warn_text(struct loader *ld, const struct ltext *t, size_t off, const char *fmt, ...)
{
	const struct lsrc *s;
	unsigned int line, col;
	va_list ap;

	text_pos(t, off, &s, &line, &col);
	va_start(ap, fmt);
	verr(ld, true, s, line, col, fmt, ap);
	va_end(ap);
}

/* ---- YAML access -------------------------------------------------------------------------------- */

static struct yref child(const struct yref *r, int idx)
{
	struct yref c = { r->src, r->doc, yaml_document_get_node(r->doc, idx) };

	return c;
}

static bool is_scalar(const struct yref *r)
{
	return r->node && r->node->type == YAML_SCALAR_NODE;
}

static bool is_seq(const struct yref *r)
{
	return r->node && r->node->type == YAML_SEQUENCE_NODE;
}

static bool is_map(const struct yref *r)
{
	return r->node && r->node->type == YAML_MAPPING_NODE;
}

static const char *sval(const struct yref *r)
{
	return (const char *)r->node->data.scalar.value;
}

static size_t slen(const struct yref *r)
{
	return r->node->data.scalar.length;
}

/* A plain scalar that is YAML's null (~, null, or nothing). */
static bool is_null(const struct yref *r)
{
	const char *v;

	if (!r->node)
		return true;
	if (!is_scalar(r) || r->node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = sval(r);
	return !*v || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
	       strcmp(v, "NULL") == 0;
}

static size_t seq_len(const struct yref *r)
{
	return is_seq(r) ? (size_t)(r->node->data.sequence.items.top - r->node->data.sequence.items.start) : 0;
}

static struct yref seq_at(const struct yref *r, size_t i)
{
	return child(r, r->node->data.sequence.items.start[i]);
}

static struct yref map_get(const struct yref *r, const char *key)
{
	yaml_node_pair_t *p;
	struct yref none = { r->src, r->doc, NULL };

	if (!is_map(r))
		return none;
	for (p = r->node->data.mapping.pairs.start; p < r->node->data.mapping.pairs.top; p++) {
		struct yref k = child(r, p->key);

		if (is_scalar(&k) && strcmp(sval(&k), key) == 0)
			return child(r, p->value);
	}
	return none;
}

static struct yref map_key(const struct yref *r, const char *key)
{
	yaml_node_pair_t *p;
	struct yref none = { r->src, r->doc, NULL };

	for (p = r->node->data.mapping.pairs.start; p < r->node->data.mapping.pairs.top; p++) {
		struct yref k = child(r, p->key);

		if (is_scalar(&k) && strcmp(sval(&k), key) == 0)
			return k;
	}
	return none;
}

/* Every key is a string, known, and appears once; returns false after reporting. */
static bool check_keys(struct loader *ld, const struct yref *map, const char *const *allowed, const char *what)
{
	yaml_node_pair_t *p, *q;
	bool ok = true;
	size_t i;

	for (p = map->node->data.mapping.pairs.start; p < map->node->data.mapping.pairs.top; p++) {
		struct yref k = child(map, p->key);

		if (!is_scalar(&k)) {
			err_at(ld, &k, "%s keys must be strings", what);
			ok = false;
			continue;
		}
		for (i = 0; allowed[i]; i++)
			if (strcmp(allowed[i], sval(&k)) == 0)
				break;
		if (!allowed[i] && !lax_at(ld, &k, "unknown key '%s' in %s (ignored, as Falco does)", sval(&k), what))
			ok = false;
		for (q = map->node->data.mapping.pairs.start; q < p; q++) {
			struct yref k2 = child(map, q->key);

			if (is_scalar(&k2) && strcmp(sval(&k2), sval(&k)) == 0) {
				err_at(ld, &k, "duplicate key '%s' in %s", sval(&k), what);
				ok = false;
				break;
			}
		}
	}
	return ok;
}

static bool get_string(struct loader *ld, const struct yref *r, const char *what, const char **out)
{
	if (!is_scalar(r)) {
		err_at(ld, r, "%s must be a string", what);
		return false;
	}
	*out = sval(r);
	return true;
}

static bool get_bool(struct loader *ld, const struct yref *r, const char *what, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", NULL }, *const no[] = { "false", "no", "off", NULL };
	size_t i;

	if (is_scalar(r)) {
		for (i = 0; yes[i]; i++)
			if (strcasecmp(sval(r), yes[i]) == 0) {
				*out = true;
				return true;
			}
		for (i = 0; no[i]; i++)
			if (strcasecmp(sval(r), no[i]) == 0) {
				*out = false;
				return true;
			}
	}
	err_at(ld, r, "%s must be true or false", what);
	return false;
}

static bool get_priority(struct loader *ld, const struct yref *r, enum rule_priority *out)
{
	static const struct {
		const char *name;
		enum rule_priority p;
	} names[] = {
		{ "emergency", RULE_PRIO_EMERGENCY }, { "alert", RULE_PRIO_ALERT },     { "critical", RULE_PRIO_CRITICAL },
		{ "error", RULE_PRIO_ERROR },         { "warning", RULE_PRIO_WARNING }, { "notice", RULE_PRIO_NOTICE },
		{ "informational", RULE_PRIO_INFORMATIONAL }, { "info", RULE_PRIO_INFORMATIONAL }, { "debug", RULE_PRIO_DEBUG },
	};
	size_t i;

	if (is_scalar(r))
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcasecmp(sval(r), names[i].name) == 0) {
				*out = names[i].p;
				return true;
			}
	err_at(ld, r, "invalid priority '%s': expected emergency, alert, critical, error, warning, notice, informational "
		      "or debug", is_scalar(r) ? sval(r) : "");
	return false;
}

/* ---- assembled texts ------------------------------------------------------------------------------------- */

static void ltext_free(struct ltext *t)
{
	free(t->text);
	free(t->frags);
	memset(t, 0, sizeof(*t));
}

static bool ltext_add(struct loader *ld, struct ltext *t, const struct yref *r, bool append)
{
	size_t add = slen(r), sep = append && t->len ? 1 : 0;
	struct frag *nf;
	char *nt;

	if (!append)
		ltext_free(t);
	if (t->len + sep + add > RULES_COND_MAX) {
		err_at(ld, r, "text longer than %u bytes", RULES_COND_MAX);
		return false;
	}
	nt = realloc(t->text, t->len + sep + add + 1);
	if (!nt)
		return false;
	t->text = nt;
	nf = realloc(t->frags, (t->nfrags + 1) * sizeof(*nf));
	if (!nf)
		return false;
	t->frags = nf;
	if (sep)
		t->text[t->len++] = ' ';
	memcpy(t->text + t->len, sval(r), add);
	t->frags[t->nfrags++] = (struct frag){ *r, t->len, add };
	t->len += add;
	t->text[t->len] = '\0';
	t->set = true;
	return true;
}

/* ---- lookups ----------------------------------------------------------------------------------------------- */

static struct llist *find_list(struct loader *ld, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < ld->nlists; i++)
		if (strlen(ld->lists[i]->name) == len && memcmp(ld->lists[i]->name, name, len) == 0)
			return ld->lists[i];
	return NULL;
}

static struct lmacro *find_macro(struct loader *ld, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < ld->nmacros; i++)
		if (strlen(ld->macros[i]->name) == len && memcmp(ld->macros[i]->name, name, len) == 0)
			return ld->macros[i];
	return NULL;
}

static struct lrule *find_rule(struct loader *ld, const char *name)
{
	size_t i;

	for (i = 0; i < ld->nrules; i++)
		if (strcmp(ld->rules[i]->name, name) == 0)
			return ld->rules[i];
	return NULL;
}

static void where(const struct yref *r, char *buf, size_t size)
{
	unsigned int line, col;

	ref_pos(r, &line, &col);
	snprintf(buf, size, "%s:%u:%u", r->src->name, line, col);
}

/* ---- lists -------------------------------------------------------------------------------------------------- */

static bool list_items(struct loader *ld, struct llist *l, const struct yref *items, bool append)
{
	size_t i, n = seq_len(items);

	if (!append) {
		free(l->items);
		l->items = NULL;
		l->nitems = 0;
	}
	if (is_null(items))
		return true;
	if (!is_seq(items)) {
		err_at(ld, items, "list '%s': items must be a sequence", l->name);
		return false;
	}
	for (i = 0; i < n; i++) {
		struct yref it = seq_at(items, i);
		struct yref *nv;

		if (!is_scalar(&it)) {
			err_at(ld, &it, "list '%s': items must be strings", l->name);
			continue;
		}
		nv = push(l->items, &l->nitems, sizeof(*nv));
		if (!nv)
			return false;
		l->items = nv;
		l->items[l->nitems - 1] = it;
	}
	return true;
}

/* override: {key: append|replace}; returns false after reporting. */
static bool read_override(struct loader *ld, const struct yref *item, const char *what, const char *name,
			  const char *const *can_append, const char *const *can_replace, const char **keys,
			  bool *append_of, size_t *nkeys)
{
	struct yref ov = map_get(item, "override");
	yaml_node_pair_t *p;
	bool ok = true;

	*nkeys = 0;
	if (!ov.node)
		return true;
	if (!is_map(&ov)) {
		err_at(ld, &ov, "%s '%s': override must be a mapping of keys to append or replace", what, name);
		return false;
	}
	for (p = ov.node->data.mapping.pairs.start; p < ov.node->data.mapping.pairs.top; p++) {
		struct yref k = child(&ov, p->key), v = child(&ov, p->value);
		const char *const *set;
		bool app;
		size_t i;

		if (!is_scalar(&k) || !is_scalar(&v) ||
		    (strcmp(sval(&v), "append") != 0 && strcmp(sval(&v), "replace") != 0)) {
			err_at(ld, is_scalar(&v) ? &v : &k, "%s '%s': override values must be append or replace", what, name);
			ok = false;
			continue;
		}
		app = strcmp(sval(&v), "append") == 0;
		set = app ? can_append : can_replace;
		for (i = 0; set[i]; i++)
			if (strcmp(set[i], sval(&k)) == 0)
				break;
		if (!set[i]) {
			err_at(ld, &k, "%s '%s': '%s' cannot be %s", what, name, sval(&k), app ? "appended" : "replaced");
			ok = false;
			continue;
		}
		if (*nkeys < 16) {
			keys[*nkeys] = sval(&k);
			append_of[(*nkeys)++] = app;
		}
	}
	return ok;
}

static int override_of(const char **keys, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(keys[i], key) == 0)
			return i;
	return -1;
}

static void read_list(struct loader *ld, const struct yref *item)
{
	static const char *const allowed[] = { "list", "items", "append", "override", NULL };
	static const char *const can[] = { "items", NULL };
	struct yref nm = map_get(item, "list"), items = map_get(item, "items"), ap = map_get(item, "append");
	const char *name, *keys[16];
	bool append = false, app_of[16];
	size_t nkeys;
	struct llist *l;
	char w[256];

	if (!get_string(ld, &nm, "list name", &name) || !check_keys(ld, item, allowed, "a list"))
		return;
	if (!*name) {
		err_at(ld, &nm, "list name is empty");
		return;
	}
	if (ap.node && !get_bool(ld, &ap, "append", &append))
		return;
	if (!read_override(ld, item, "list", name, can, can, keys, app_of, &nkeys))
		return;
	if (append && nkeys) {
		err_at(ld, item, "list '%s': 'append' and 'override' cannot be used together", name);
		return;
	}
	if (!items.node) {
		err_at(ld, item, "list '%s' has no items", name);
		return;
	}
	if (nkeys && override_of(keys, nkeys, "items") < 0) {
		err_at(ld, item, "list '%s': key 'items' is not listed under override", name);
		return;
	}
	l = find_list(ld, name, strlen(name));
	if (append || nkeys) {
		if (!l) {
			err_at(ld, item, "list '%s' has no earlier definition to %s", name, append || app_of[0] ? "append to" : "replace");
			return;
		}
		list_items(ld, l, &items, append || app_of[0]);
		return;
	}
	if (l) {
		where(&l->def, w, sizeof(w));
		if (!lax_at(ld, item, "list '%s' is already defined at %s: this definition replaces it (as Falco does)",
			    name, w))
			return;
		l->def = *item;
		list_items(ld, l, &items, false);
		return;
	}
	l = calloc(1, sizeof(*l));
	if (!l || !(l->name = strdup(name))) {
		free(l);
		return;
	}
	l->def = *item;
	{
		struct llist **nv = push(ld->lists, &ld->nlists, sizeof(*nv));

		if (!nv) {
			free(l->name);
			free(l);
			return;
		}
		ld->lists = nv;
		nv[ld->nlists - 1] = l;
	}
	list_items(ld, l, &items, false);
}

/* ---- macros -------------------------------------------------------------------------------------------------- */

static void read_macro(struct loader *ld, const struct yref *item)
{
	static const char *const allowed[] = { "macro", "condition", "append", "override", NULL };
	static const char *const can[] = { "condition", NULL };
	struct yref nm = map_get(item, "macro"), cond = map_get(item, "condition"), ap = map_get(item, "append");
	const char *name, *keys[16], *c;
	bool append = false, app_of[16];
	size_t nkeys;
	struct lmacro *m;
	char w[256];

	if (!get_string(ld, &nm, "macro name", &name) || !check_keys(ld, item, allowed, "a macro"))
		return;
	if (!*name) {
		err_at(ld, &nm, "macro name is empty");
		return;
	}
	if (ap.node && !get_bool(ld, &ap, "append", &append))
		return;
	if (!read_override(ld, item, "macro", name, can, can, keys, app_of, &nkeys))
		return;
	if (append && nkeys) {
		err_at(ld, item, "macro '%s': 'append' and 'override' cannot be used together", name);
		return;
	}
	if (!cond.node) {
		err_at(ld, item, "macro '%s' has no condition", name);
		return;
	}
	if (!get_string(ld, &cond, "condition", &c))
		return;
	if (nkeys && override_of(keys, nkeys, "condition") < 0) {
		err_at(ld, item, "macro '%s': key 'condition' is not listed under override", name);
		return;
	}
	m = find_macro(ld, name, strlen(name));
	if (append || nkeys) {
		if (!m) {
			err_at(ld, item, "macro '%s' has no earlier definition to %s", name, append || app_of[0] ? "append to" : "replace");
			return;
		}
		ltext_add(ld, &m->cond, &cond, append || app_of[0]);
		return;
	}
	if (m) {
		where(&m->def, w, sizeof(w));
		if (!lax_at(ld, item, "macro '%s' is already defined at %s: this definition replaces it (as Falco does)",
			    name, w))
			return;
		m->def = *item;
		ltext_add(ld, &m->cond, &cond, false);
		return;
	}
	m = calloc(1, sizeof(*m));
	if (!m || !(m->name = strdup(name))) {
		free(m);
		return;
	}
	m->def = *item;
	{
		struct lmacro **nv = push(ld->macros, &ld->nmacros, sizeof(*nv));

		if (!nv) {
			free(m->name);
			free(m);
			return;
		}
		ld->macros = nv;
		nv[ld->nmacros - 1] = m;
	}
	ltext_add(ld, &m->cond, &cond, false);
}

/* ---- rules ---------------------------------------------------------------------------------------------------- */

static void exc_free(struct lexc *e)
{
	free(e->name);
	free(e->values);
}

static bool add_values(struct lexc *e, const struct yref *vals)
{
	struct yref *nv;

	if (is_null(vals))
		return true;
	nv = push(e->values, &e->nvalues, sizeof(*nv));
	if (!nv)
		return false;
	e->values = nv;
	e->values[e->nvalues - 1] = *vals;
	return true;
}

/*
 * exceptions: a sequence of {name, fields, comps, values}. Appending adds
 * values to an exception of the same name, or adds a new exception.
 */
static bool read_exceptions(struct loader *ld, struct lrule *r, const struct yref *exs, bool append)
{
	static const char *const allowed[] = { "name", "fields", "comps", "values", NULL };
	size_t i, j, n = seq_len(exs);
	bool ok = true;

	if (!append) {
		for (j = 0; j < r->nexc; j++)
			exc_free(&r->exc[j]);
		free(r->exc);
		r->exc = NULL;
		r->nexc = 0;
	}
	if (is_null(exs))
		return true;
	if (!is_seq(exs)) {
		err_at(ld, exs, "rule '%s': exceptions must be a sequence", r->name);
		return false;
	}
	for (i = 0; i < n; i++) {
		struct yref ex = seq_at(exs, i), nm, fields, comps, values;
		struct lexc *prev = NULL, *e;
		const char *name;

		if (!is_map(&ex)) {
			err_at(ld, &ex, "rule '%s': each exception must be a mapping", r->name);
			ok = false;
			continue;
		}
		nm = map_get(&ex, "name");
		fields = map_get(&ex, "fields");
		comps = map_get(&ex, "comps");
		values = map_get(&ex, "values");
		if (!check_keys(ld, &ex, allowed, "an exception")) {
			ok = false;
			continue;
		}
		if (!nm.node) {
			err_at(ld, &ex, "rule '%s': exception has no name", r->name);
			ok = false;
			continue;
		}
		if (!get_string(ld, &nm, "exception name", &name)) {
			ok = false;
			continue;
		}
		for (j = 0; j < r->nexc; j++)
			if (strcmp(r->exc[j].name, name) == 0)
				prev = &r->exc[j];
		if (prev && append) {
			if (fields.node || comps.node) {
				err_at(ld, fields.node ? &fields : &comps,
				       "rule '%s': exception '%s' exists; only values can be appended to it", r->name, name);
				ok = false;
				continue;
			}
			if (!add_values(prev, &values))
				return false;
			continue;
		}
		if (prev)
			warn_at(ld, &ex, "rule '%s': exception '%s' is defined twice", r->name, name);
		if (!fields.node) {
			err_at(ld, &ex, "rule '%s': exception '%s' has no fields", r->name, name);
			ok = false;
			continue;
		}
		if (values.node && !is_null(&values) && !is_seq(&values)) {
			err_at(ld, &values, "rule '%s': values of exception '%s' must be a sequence", r->name, name);
			ok = false;
			continue;
		}
		e = push(r->exc, &r->nexc, sizeof(*e));
		if (!e)
			return false;
		r->exc = e;
		e = &r->exc[r->nexc - 1];
		memset(e, 0, sizeof(*e));
		e->name = strdup(name);
		e->def = ex;
		e->fields = fields;
		e->comps = comps;
		if (!e->name || (values.node && !add_values(e, &values)))
			return false;
	}
	return ok;
}

static bool read_tags(struct loader *ld, struct lrule *r, const struct yref *tags, bool append)
{
	size_t i, j, n = seq_len(tags);

	if (!append) {
		for (i = 0; i < r->ntags; i++)
			free(r->tags[i]);
		free(r->tags);
		r->tags = NULL;
		r->ntags = 0;
	}
	if (is_null(tags))
		return true;
	if (!is_seq(tags)) {
		err_at(ld, tags, "rule '%s': tags must be a sequence of strings", r->name);
		return false;
	}
	for (i = 0; i < n; i++) {
		struct yref t = seq_at(tags, i);
		char **nv;

		if (!is_scalar(&t)) {
			err_at(ld, &t, "rule '%s': tags must be strings", r->name);
			return false;
		}
		for (j = 0; j < r->ntags; j++)
			if (strcmp(r->tags[j], sval(&t)) == 0)
				break;
		if (j < r->ntags)
			continue;
		nv = push(r->tags, &r->ntags, sizeof(*nv));
		if (!nv)
			return false;
		r->tags = nv;
		if (!(r->tags[r->ntags - 1] = strdup(sval(&t)))) {
			r->ntags--;
			return false;
		}
	}
	return true;
}

static void rule_free(struct lrule *r)
{
	size_t i;

	if (!r)
		return;
	free(r->name);
	ltext_free(&r->cond);
	ltext_free(&r->output);
	ltext_free(&r->desc);
	for (i = 0; i < r->ntags; i++)
		free(r->tags[i]);
	free(r->tags);
	for (i = 0; i < r->nexc; i++)
		exc_free(&r->exc[i]);
	free(r->exc);
	free(r);
}

/* Applies one key of an item to a rule (define, or override append/replace). */
static void rule_key(struct loader *ld, struct lrule *r, const struct yref *item, const char *key, bool append)
{
	struct yref v = map_get(item, key);
	const char *s;

	if (strcmp(key, "condition") == 0 || strcmp(key, "output") == 0 || strcmp(key, "desc") == 0) {
		struct ltext *t = key[0] == 'c' ? &r->cond : key[0] == 'o' ? &r->output : &r->desc;

		if (get_string(ld, &v, key, &s))
			ltext_add(ld, t, &v, append);
	} else if (strcmp(key, "priority") == 0) {
		get_priority(ld, &v, &r->prio);
	} else if (strcmp(key, "tags") == 0) {
		read_tags(ld, r, &v, append);
	} else if (strcmp(key, "exceptions") == 0) {
		read_exceptions(ld, r, &v, append);
	} else if (strcmp(key, "enabled") == 0) {
		get_bool(ld, &v, key, &r->enabled);
	} else if (strcmp(key, "warn_evttypes") == 0) {
		get_bool(ld, &v, key, &r->warn_evttypes);
	} else if (strcmp(key, "skip-if-unknown-filter") == 0) {
		get_bool(ld, &v, key, &r->skip_unknown);
	} else if (strcmp(key, "priority_when") == 0) {
		r->prio_when = v;
	} else if (strcmp(key, "action") == 0) {
		/* bulwark's: block in the kernel in enforce mode; alert (the default) only alerts */
		if (get_string(ld, &v, key, &s)) {
			if (strcmp(s, "block") && strcmp(s, "alert"))
				err_at(ld, &v, "rule '%s': action must be block or alert, got '%s'", r->name, s);
			r->action = v;
			r->block = strcmp(s, "block") == 0;
		}
	}
	/* capture, capture_duration: Falco's capture files; accepted and ignored */
}

static void read_rule(struct loader *ld, const struct yref *item)
{
	static const char *const allowed[] = { "rule", "desc", "condition", "output", "priority", "tags", "enabled",
					       "exceptions", "source", "append", "override", "warn_evttypes",
					       "skip-if-unknown-filter", "capture", "capture_duration", "priority_when",
					       "action", NULL };
	static const char *const can_append[] = { "condition", "output", "desc", "tags", "exceptions", NULL };
	static const char *const can_replace[] = { "condition", "output", "desc", "priority", "tags", "exceptions",
						   "enabled", "warn_evttypes", "skip-if-unknown-filter", "capture",
						   "capture_duration", "priority_when", "action", NULL };
	static const char *const required[] = { "condition", "output", "desc", "priority", NULL };
	struct yref nm = map_get(item, "rule"), src = map_get(item, "source"), ap = map_get(item, "append");
	const char *name, *keys[16], *source = "syscall";
	bool append = false, app_of[16];
	size_t nkeys, i;
	struct lrule *r, *prev;
	char w[256];

	if (!get_string(ld, &nm, "rule name", &name) || !check_keys(ld, item, allowed, "a rule"))
		return;
	if (!*name) {
		err_at(ld, &nm, "rule name is empty");
		return;
	}
	if (src.node && !get_string(ld, &src, "source", &source))
		return;
	if (ap.node && !get_bool(ld, &ap, "append", &append))
		return;
	if (!read_override(ld, item, "rule", name, can_append, can_replace, keys, app_of, &nkeys))
		return;
	if (append && nkeys) {
		err_at(ld, item, "rule '%s': 'append' and 'override' cannot be used together", name);
		return;
	}
	prev = find_rule(ld, name);
	if (nkeys) {
		bool ok = true;

		if (!prev) {
			err_at(ld, item, "rule '%s' has no earlier definition to override", name);
			return;
		}
		for (i = 0; can_replace[i]; i++) {
			struct yref k = map_key(item, can_replace[i]);

			if (k.node && override_of(keys, nkeys, can_replace[i]) < 0) {
				err_at(ld, &k, "rule '%s': key '%s' is not listed under override", name, can_replace[i]);
				ok = false;
			}
		}
		for (i = 0; i < nkeys; i++) {
			if (!map_get(item, keys[i]).node) {
				struct yref ov = map_get(item, "override");

				err_at(ld, &ov, "rule '%s': override of '%s', but the item has no '%s'", name, keys[i], keys[i]);
				ok = false;
			}
		}
		if (!ok || prev->unknown_source)
			return;
		for (i = 0; i < nkeys; i++)
			rule_key(ld, prev, item, keys[i], app_of[i]);
		return;
	}
	if (append) {
		if (!prev) {
			err_at(ld, item, "rule '%s' has no earlier definition to append to", name);
			return;
		}
		if (!map_get(item, "condition").node && !map_get(item, "exceptions").node) {
			err_at(ld, item, "rule '%s': an appended rule must have a condition or exceptions", name);
			return;
		}
		if (prev->unknown_source)
			return;
		if (map_get(item, "condition").node)
			rule_key(ld, prev, item, "condition", true);
		if (map_get(item, "exceptions").node)
			rule_key(ld, prev, item, "exceptions", true);
		for (i = 0; can_replace[i]; i++) {
			struct yref k = map_key(item, can_replace[i]);

			if (k.node && strcmp(can_replace[i], "condition") != 0 && strcmp(can_replace[i], "exceptions") != 0)
				err_at(ld, &k, "rule '%s': with append: true only condition and exceptions can be given", name);
		}
		return;
	}
	if (map_get(item, "enabled").node && !map_get(item, "condition").node && !map_get(item, "output").node &&
	    !map_get(item, "desc").node && !map_get(item, "priority").node) {
		/* Falco's short form: only switch a rule on or off */
		if (!prev) {
			err_at(ld, item, "rule '%s' has no earlier definition to enable or disable", name);
			return;
		}
		rule_key(ld, prev, item, "enabled", false);
		return;
	}
	if (prev) {
		where(&prev->def, w, sizeof(w));
		if (!lax_at(ld, item, "rule '%s' is already defined at %s: this definition replaces it (as Falco does)",
			    name, w))
			return;
	}
	r = calloc(1, sizeof(*r));
	if (!r || !(r->name = strdup(name))) {
		free(r);
		return;
	}
	r->def = *item;
	r->enabled = true;
	r->warn_evttypes = true;
	if (prev) {
		/* in the earlier one's place: Falco keeps a replaced rule's position */
		for (i = 0; i < ld->nrules && ld->rules[i] != prev; i++)
			;
		ld->rules[i] = r;
		rule_free(prev);
	} else {
		struct lrule **nv = push(ld->rules, &ld->nrules, sizeof(*nv));

		if (!nv) {
			rule_free(r);
			return;
		}
		ld->rules = nv;
		nv[ld->nrules - 1] = r;
	}
	if (strcmp(source, "syscall") != 0) {
		/* other Falco sources (k8s_audit, plugins): kept only so that later overrides find the name */
		r->unknown_source = true;
		warn_at(ld, item, "rule '%s' has source '%s': skipped (only syscall rules are supported)", name, source);
		return;
	}
	for (i = 0; required[i]; i++)
		if (!map_get(item, required[i]).node)
			err_at(ld, item, "rule '%s' has no %s", name, required[i]);
	for (i = 0; can_replace[i]; i++)
		if (map_get(item, can_replace[i]).node)
			rule_key(ld, r, item, can_replace[i], false);
}

/*
 * The Falco rule-engine version whose rules files bulwark reads: the
 * highest the pinned Falco rules files ask for. An older, integer style
 * version N means 0.N.0, as Falco reads it.
 */
#define RULES_FALCO_ENGINE_VERSION "0.57.0"

static bool parse_semver(const char *s, unsigned long v[3])
{
	char *end;
	int i;

	if (!strchr(s, '.')) {
		v[0] = 0;
		v[1] = strtoul(s, &end, 10);
		v[2] = 0;
		return *s >= '0' && *s <= '9' && !*end;
	}
	for (i = 0; i < 3; i++) {
		if (*s < '0' || *s > '9')
			return false;
		v[i] = strtoul(s, &end, 10);
		if (i < 2 && *end != '.')
			return false;
		s = end + (i < 2);
	}
	return !*end;
}

/* Falco refuses a file that needs a newer engine, and a version that is not x.y.z (or an integer). */
static void check_engine_version(struct loader *ld, const struct yref *item)
{
	struct yref v = map_get(item, "required_engine_version");
	unsigned long want[3], have[3];
	int i;

	if (!is_scalar(&v) || !parse_semver(sval(&v), want)) {
		err_at(ld, &v, "required_engine_version '%s' is not a version (x.y.z)", is_scalar(&v) ? sval(&v) : "");
		return;
	}
	parse_semver(RULES_FALCO_ENGINE_VERSION, have);
	for (i = 0; i < 3 && want[i] == have[i]; i++)
		;
	if (i < 3 && want[i] > have[i])
		err_at(ld, &v, "required_engine_version %s is newer than the Falco engine version bulwark reads (%s)",
		       sval(&v), RULES_FALCO_ENGINE_VERSION);
}

/*
 * Falco's plugin requirements: a list of {name, version}. bulwark has no
 * plugins; what Falco's container plugin provides (container.*, k8s.*) is
 * built in, so a well-formed requirement is accepted.
 */
static void check_plugin_versions(struct loader *ld, const struct yref *item)
{
	struct yref v = map_get(item, "required_plugin_versions");
	size_t i;

	if (!is_seq(&v)) {
		err_at(ld, &v, "required_plugin_versions must be a list of {name, version}");
		return;
	}
	for (i = 0; i < seq_len(&v); i++) {
		struct yref p = seq_at(&v, i), n = is_map(&p) ? map_get(&p, "name") : p, ver = map_get(&p, "version");

		if (!is_map(&p) || !is_scalar(&n) || !*sval(&n) || !is_scalar(&ver) || !*sval(&ver))
			err_at(ld, &p, "required_plugin_versions: each entry needs a name and a version");
	}
}

static void read_item(struct loader *ld, const struct yref *item)
{
	if (!is_map(item)) {
		err_at(ld, item, "each item must be a mapping (- rule:, - macro:, - list:)");
		return;
	}
	if (map_get(item, "required_engine_version").node) {
		check_engine_version(ld, item);
		return;
	}
	if (map_get(item, "required_plugin_versions").node) {
		check_plugin_versions(ld, item);
		return;
	}
	if (map_get(item, "list").node)
		read_list(ld, item);
	else if (map_get(item, "macro").node)
		read_macro(ld, item);
	else if (map_get(item, "rule").node)
		read_rule(ld, item);
	else
		err_at(ld, item, "unknown item: expected rule, macro or list");
}

/* ---- files ------------------------------------------------------------------------------------------------------ */

static void src_free(struct lsrc *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->ndocs; i++) {
		yaml_document_delete(s->docs[i]);
		free(s->docs[i]);
	}
	free(s->docs);
	free(s->lines);
	free(s->text);
	free(s->name);
	free(s);
}

static void read_source(struct loader *ld, const struct rules_source *in)
{
	struct lsrc *s = calloc(1, sizeof(*s)), **nv;
	yaml_parser_t parser;
	size_t i, k;
	bool parser_ok = false;

	if (!s)
		return;
	s->name = strdup(in->name);
	s->text = malloc(in->len + 1);
	if (!s->name || !s->text)
		goto fail;
	memcpy(s->text, in->text, in->len);
	s->text[in->len] = '\0';
	s->len = in->len;
	for (i = 0, k = 1; i < s->len; i++)
		k += s->text[i] == '\n';
	s->lines = malloc(k * sizeof(*s->lines));
	if (!s->lines)
		goto fail;
	s->lines[0] = 0;
	for (i = 0, k = 1; i < s->len; i++)
		if (s->text[i] == '\n')
			s->lines[k++] = i + 1;
	s->nlines = k;
	nv = push(ld->srcs, &ld->nsrcs, sizeof(*nv));
	if (!nv)
		goto fail;
	ld->srcs = nv;
	nv[ld->nsrcs - 1] = s;

	if (!yaml_parser_initialize(&parser))
		return;
	parser_ok = true;
	yaml_parser_set_input_string(&parser, (const unsigned char *)s->text, s->len);
	for (;;) {
		yaml_document_t **docs = realloc(s->docs, (s->ndocs + 1) * sizeof(*docs)), *d;
		struct yref root;

		if (!docs)
			break;
		s->docs = docs;
		d = malloc(sizeof(*d));
		if (!d)
			break;
		if (!yaml_parser_load(&parser, d)) {
			free(d);
			const char *ctx = parser.context ? parser.context : "";

			diag_add(ld->diags, false, s->name, parser.problem_mark.line + 1, parser.problem_mark.column + 1,
				 "YAML error: %s%s%s", parser.problem ? parser.problem : "malformed", *ctx ? " " : "", ctx);
			ld->errors++;
			break;
		}
		s->docs[s->ndocs++] = d;
		root = (struct yref){ s, d, yaml_document_get_root_node(d) };
		if (!root.node)
			break; /* end of stream */
		if (is_null(&root))
			continue;
		if (!is_seq(&root)) {
			err_at(ld, &root, "a rules file is a sequence of items (- rule:, - macro:, - list:)");
			continue;
		}
		for (i = 0; i < seq_len(&root); i++) {
			struct yref item = seq_at(&root, i);

			read_item(ld, &item);
		}
	}
	if (parser_ok)
		yaml_parser_delete(&parser);
	return;
fail:
	src_free(s);
}

/* ---- compiling -------------------------------------------------------------------------------------------------- */

struct cc_ctx {
	struct loader *ld;
	const struct ltext *text;     /* condition errors: offsets into it */
	const struct yref *refs;      /* exception errors: positions are indexes into refs */
	size_t nrefs;
	const char *what;             /* "rule 'x'" / "macro 'y'" */
	struct cc *cc;
};

static void cc_error_cb(void *ctx, uint32_t pos, const char *msg)
{
	struct cc_ctx *c = ctx;

	if (c->refs)
		err_at(c->ld, &c->refs[pos < c->nrefs ? pos : 0], "%s: %s", c->what, msg);
	else
		err_text(c->ld, c->text, pos, "%s: %s", c->what, msg);
}

static int list_expand(struct loader *ld, struct llist *l, unsigned int depth);

static int cc_list_cb(void *ctx, const char *name, size_t len, const struct cc_item **items, size_t *n)
{
	struct cc_ctx *c = ctx;
	struct llist *l = find_list(c->ld, name, len);

	if (!l)
		return -ENOENT;
	l->used = true;
	if (list_expand(c->ld, l, 0) < 0)
		return -EINVAL;
	*items = l->exp;
	*n = l->nexp;
	return 0;
}

static struct cnode *macro_compile(struct loader *ld, struct lmacro *m);

static struct cnode *cc_macro_cb(void *ctx, const char *name, size_t len, uint32_t pos, bool *defined)
{
	struct cc_ctx *c = ctx;
	struct loader *ld = c->ld;
	struct lmacro *m = find_macro(ld, name, len);
	struct cnode *n;

	*defined = m != NULL;
	if (!m)
		return NULL;
	m->used = true;
	if (m->state == M_COMPILING) {
		char chain[512];
		size_t off = 0;
		unsigned int i;

		for (i = 0; i < ld->nstack && off < sizeof(chain); i++)
			off += snprintf(chain + off, sizeof(chain) - off, "%s -> ", ld->stack[i]);
		if (off < sizeof(chain))
			snprintf(chain + off, sizeof(chain) - off, "%s", m->name);
		c->cc->errors++;
		err_text(ld, c->text, pos, "%s: macro '%s' refers to itself (%s)", c->what, m->name, chain);
		return NULL;
	}
	n = macro_compile(ld, m);
	if (!n && m->state == M_UNKNOWN_FIELD) {
		if (c->cc->skip_unknown) {
			c->cc->unknown_field = true;
			if (!c->cc->unknown_name[0])
				snprintf(c->cc->unknown_name, sizeof(c->cc->unknown_name), "%s", m->unknown_name);
		} else if (!m->reported) {
			m->reported = true;
			err_text(ld, &m->cond, m->unknown_pos, "macro '%s': unknown field '%s'", m->name, m->unknown_name);
		}
	}
	return n;
}

static bool parse_text(struct loader *ld, const struct ltext *t, const char *what, struct ast **out)
{
	char msg[256];
	uint32_t pos = 0;

	*out = cond_parse(&ld->rs->arena, t->text, t->len, &pos, msg, sizeof(msg));
	if (!*out) {
		err_text(ld, t, pos, "%s: %s", what, msg);
		return false;
	}
	return true;
}

static struct cnode *macro_compile(struct loader *ld, struct lmacro *m)
{
	struct cc cc = { .rs = ld->rs, .macro = cc_macro_cb, .list = cc_list_cb, .error = cc_error_cb,
			 .skip_unknown = true };
	struct cc_ctx c = { .ld = ld, .text = &m->cond, .cc = &cc };
	char what[160];

	if (m->state == M_DONE)
		return m->node;
	if (m->state != M_NEW)
		return NULL;
	if (!m->parsed)
		return NULL; /* its syntax error is reported */
	if (ld->nstack >= RULES_DEPTH_MAX) {
		m->state = M_FAILED;
		err_text(ld, &m->cond, 0, "macro '%s': macros nested deeper than %d", m->name, RULES_DEPTH_MAX);
		return NULL;
	}
	snprintf(what, sizeof(what), "macro '%s'", m->name);
	c.what = what;
	cc.ctx = &c;
	m->state = M_COMPILING;
	ld->stack[ld->nstack++] = m->name;
	m->node = cc_compile(&cc, m->ast);
	ld->nstack--;
	if (cc.unknown_field) {
		/* reported by the rule that uses it, unless that rule skips unknown fields */
		m->state = M_UNKNOWN_FIELD;
		m->unknown_pos = cc.unknown_pos;
		snprintf(m->unknown_name, sizeof(m->unknown_name), "%s", cc.unknown_name);
		m->node = NULL;
		return NULL;
	}
	m->state = m->node ? M_DONE : M_FAILED;
	return m->node;
}

/* A list item written '"x"' (quotes inside the YAML scalar) is x, as Falco's condition parser reads it. */
static struct cc_item unquote_item(const char *s, size_t len)
{
	if (len >= 2 && (s[0] == '"' || s[0] == '\'') && s[len - 1] == s[0])
		return (struct cc_item){ s + 1, len - 2 };
	return (struct cc_item){ s, len };
}

static int list_expand(struct loader *ld, struct llist *l, unsigned int depth)
{
	size_t i, n = 0, cap = 0;
	struct cc_item *v = NULL;

	if (l->state == 2)
		return 0;
	if (l->state == 3)
		return -EINVAL;
	if (l->state == 1 || depth > RULES_LIST_DEPTH) {
		err_at(ld, &l->def, "list '%s' contains itself through other lists", l->name);
		l->state = 3;
		return -EINVAL;
	}
	l->state = 1;
	for (i = 0; i < l->nitems; i++) {
		const struct yref *it = &l->items[i];
		struct llist *sub = NULL;
		size_t k, m = 1;

		/* a plain item naming another list is that list's items (Falco); quoted items are literal */
		if (it->node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
			sub = find_list(ld, sval(it), slen(it));
		if (sub == l)
			sub = NULL;
		if (sub) {
			sub->used = true;
			if (list_expand(ld, sub, depth + 1) < 0) {
				l->state = 3;
				free(v);
				return -EINVAL;
			}
			m = sub->nexp;
		}
		if (n + m > cap) {
			struct cc_item *nv;

			cap = (n + m) * 2;
			nv = realloc(v, cap * sizeof(*nv));
			if (!nv) {
				free(v);
				l->state = 3;
				return -ENOMEM;
			}
			v = nv;
		}
		if (sub)
			for (k = 0; k < m; k++)
				v[n++] = sub->exp[k];
		else
			v[n++] = unquote_item(sval(it), slen(it));
	}
	l->exp = arena_alloc(&ld->rs->arena, (n ? n : 1) * sizeof(*v));
	if (!l->exp) {
		free(v);
		l->state = 3;
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		/* the strings live in the YAML documents, freed after loading */
		l->exp[i].s = arena_strndup(&ld->rs->arena, v[i].s, v[i].len);
		l->exp[i].len = v[i].len;
		if (!l->exp[i].s) {
			free(v);
			l->state = 3;
			return -ENOMEM;
		}
	}
	l->nexp = n;
	free(v);
	l->state = 2;
	return 0;
}

/* "YYYY-MM-DD" (valid through that day, UTC) or "YYYY-MM-DDTHH:MM:SSZ"; ns since the epoch, or -1. */
static int64_t parse_expiry(const char *s)
{
	struct tm tm = { 0 };
	const char *end;
	time_t t;

	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end && !*end) {
		t = timegm(&tm);
		return (int64_t)t * 1000000000;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d", &tm);
	if (!end || *end || strlen(s) != 10)
		return -1;
	t = timegm(&tm);
	return ((int64_t)t + 86400) * 1000000000;
}

struct refs {
	struct yref *v;
	size_t n;
};

static uint32_t ref_add(struct refs *r, const struct yref *y)
{
	struct yref *nv = push(r->v, &r->n, sizeof(*nv));

	if (!nv)
		return 0;
	r->v = nv;
	r->v[r->n - 1] = *y;
	return r->n - 1;
}

/* Values of one exception element (scalar or sequence) as ast_vals; positions are ref indexes. */
static struct ast_val *elem_vals(struct loader *ld, struct refs *refs, const struct yref *el, size_t *n, bool *list)
{
	struct ast_val *v;
	size_t i, cnt = is_seq(el) ? seq_len(el) : 1;

	v = arena_alloc(&ld->rs->arena, (cnt ? cnt : 1) * sizeof(*v));
	if (!v)
		return NULL;
	*list = is_seq(el);
	for (i = 0; i < cnt; i++) {
		struct yref it = is_seq(el) ? seq_at(el, i) : *el;

		if (!is_scalar(&it)) {
			err_at(ld, &it, "exception values must be strings or lists of strings");
			return NULL;
		}
		v[i].s = arena_strndup(&ld->rs->arena, sval(&it), slen(&it));
		if (!v[i].s)
			return NULL;
		v[i].len = slen(&it);
		/* only plain scalars may name a list */
		v[i].quoted = it.node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		v[i].pos = ref_add(refs, &it);
	}
	*n = cnt;
	return v;
}

static bool compile_exception(struct loader *ld, struct lrule *lr, struct lexc *e, struct rule *r, size_t *nexc,
			      const char *what)
{
	bool single = is_scalar(&e->fields), ok = true;
	size_t nf = single ? 1 : seq_len(&e->fields), i, j, k;
	struct yref fref[64], cref[64];
	int ops[64];
	struct refs refs = { 0 };
	struct cc cc = { .rs = ld->rs, .macro = cc_macro_cb, .list = cc_list_cb, .error = cc_error_cb };
	struct cc_ctx c = { .ld = ld, .what = what, .cc = &cc };

	cc.ctx = &c;
	if (!single && !is_seq(&e->fields)) {
		err_at(ld, &e->fields, "%s: fields of exception '%s' must be a field or a list of fields", what, e->name);
		return false;
	}
	if (nf == 0 || nf > 64) {
		err_at(ld, &e->fields, "%s: exception '%s' needs 1 to 64 fields", what, e->name);
		return false;
	}
	for (i = 0; i < nf; i++) {
		fref[i] = single ? e->fields : seq_at(&e->fields, i);
		if (!is_scalar(&fref[i])) {
			err_at(ld, &fref[i], "%s: exception fields must be field names", what);
			return false;
		}
	}
	/* comps: Falco's defaults are = per field, or in for a single field */
	if (!e->comps.node) {
		for (i = 0; i < nf; i++) {
			ops[i] = single ? OP_IN : OP_EQ;
			cref[i] = e->def;
		}
	} else if (single) {
		if (!is_scalar(&e->comps)) {
			err_at(ld, &e->comps, "%s: with a single field, comps of exception '%s' must be one operator", what,
			       e->name);
			return false;
		}
		ops[0] = cop_from_name(sval(&e->comps), slen(&e->comps));
		cref[0] = e->comps;
		if (ops[0] != OP_IN && ops[0] != OP_PMATCH && ops[0] != OP_INTERSECTS) {
			err_at(ld, &e->comps, "%s: with a single field, comps must be in, pmatch or intersects, not '%s'", what,
			       sval(&e->comps));
			return false;
		}
	} else {
		if (!is_seq(&e->comps) || seq_len(&e->comps) != nf) {
			err_at(ld, &e->comps, "%s: exception '%s' must have as many comps as fields (%zu)", what, e->name, nf);
			return false;
		}
		for (i = 0; i < nf; i++) {
			cref[i] = seq_at(&e->comps, i);
			ops[i] = is_scalar(&cref[i]) ? cop_from_name(sval(&cref[i]), slen(&cref[i])) : -1;
			if (ops[i] < 0) {
				err_at(ld, &cref[i], "%s: '%s' is not a comparison operator", what,
				       is_scalar(&cref[i]) ? sval(&cref[i]) : "");
				ok = false;
			}
		}
		if (!ok)
			return false;
	}
	/* the fields must exist even when no value uses them (Falco refuses "fields: [not.exist]" alone) */
	for (i = 0; i < nf; i++) {
		size_t nl, al;
		const char *arg;

		if (!cc_split_field(sval(&fref[i]), slen(&fref[i]), &nl, &arg, &al) || fields_lookup(sval(&fref[i]), nl) < 0) {
			err_at(ld, &fref[i], "%s: exception '%s': unknown field '%s'", what, e->name, sval(&fref[i]));
			ok = false;
		}
	}
	if (!ok)
		return false;
	for (i = 0; i < e->nvalues; i++) {
		const struct yref *vals = &e->values[i];

		for (j = 0; j < seq_len(vals); j++) {
			struct yref item = seq_at(vals, j), tuple = item, exp = { 0 }, elems[64];
			struct cnode *kids[64];
			struct exc_value *ev;
			size_t ne;
			int64_t expires = 0;
			bool item_ok = true;
			char w[256];

			if (is_map(&item)) {
				static const char *const allowed[] = { "values", "value", "expires", "comment", NULL };

				if (!check_keys(ld, &item, allowed, "an exception value")) {
					ok = false;
					continue;
				}
				tuple = map_get(&item, "values");
				if (!tuple.node)
					tuple = map_get(&item, "value");
				exp = map_get(&item, "expires");
				if (!tuple.node) {
					err_at(ld, &item, "%s: exception value has no 'values'", what);
					ok = false;
					continue;
				}
				if (exp.node) {
					if (!is_scalar(&exp) || (expires = parse_expiry(sval(&exp))) < 0) {
						err_at(ld, &exp, "%s: expires must be a date YYYY-MM-DD (or YYYY-MM-DDTHH:MM:SSZ)",
						       what);
						ok = false;
						continue;
					}
					if (expires <= ld->now_ns)
						warn_at(ld, &exp, "%s: exception '%s' expired on %s: it no longer suppresses alerts",
							what, e->name, sval(&exp));
				}
			}
			if (single) {
				if (is_seq(&tuple) && !is_map(&item)) {
					err_at(ld, &tuple, "%s: exception '%s' has a single field: each value must be a string",
					       what, e->name);
					ok = false;
					continue;
				}
				elems[0] = tuple;
				ne = 1;
			} else {
				if (!is_seq(&tuple)) {
					err_at(ld, &tuple, "%s: each value of exception '%s' must be a list with one entry per field",
					       what, e->name);
					ok = false;
					continue;
				}
				ne = seq_len(&tuple);
				if (ne != nf) {
					err_at(ld, &tuple, "%s: exception '%s' has %zu fields but this value has %zu entries", what,
					       e->name, nf, ne);
					ok = false;
					continue;
				}
				for (k = 0; k < ne; k++)
					elems[k] = seq_at(&tuple, k);
			}
			for (k = 0; k < nf; k++) {
				struct cc_check chk = { 0 };
				size_t nlen, alen, nv;
				const char *arg;
				bool list;
				struct ast_val *v = elem_vals(ld, &refs, &elems[k], &nv, &list);

				if (!v) {
					item_ok = false;
					break;
				}
				if (!cc_split_field(sval(&fref[k]), slen(&fref[k]), &nlen, &arg, &alen)) {
					err_at(ld, &fref[k], "%s: '%s' is not a field", what, sval(&fref[k]));
					item_ok = false;
					break;
				}
				chk.field = sval(&fref[k]);
				chk.field_len = nlen;
				chk.arg = arg;
				chk.arg_len = alen;
				chk.has_arg = arg != NULL;
				chk.field_pos = chk.arg_pos = ref_add(&refs, &fref[k]);
				chk.op = ops[k];
				chk.op_pos = ref_add(&refs, &cref[k]);
				chk.vals = v;
				chk.nvals = nv;
				/* Falco parenthesises a scalar for list operators: one value, or a list name */
				chk.list = list || cop_takes_list(ops[k]);
				c.refs = refs.v;
				c.nrefs = refs.n;
				kids[k] = cc_check(&cc, &chk);
				c.refs = refs.v; /* cc_check may have added none, but keep in step */
				c.nrefs = refs.n;
				if (!kids[k])
					item_ok = false;
			}
			if (!item_ok) {
				ok = false;
				continue;
			}
			ev = &r->exc[(*nexc)++];
			ev->match = cc_and(&cc, kids, nf);
			ev->expires_ns = expires;
			ev->exc_name = arena_strndup(&ld->rs->arena, e->name, strlen(e->name));
			where(&item, w, sizeof(w));
			ev->where = arena_strndup(&ld->rs->arena, w, strlen(w));
			if (!ev->match || !ev->exc_name || !ev->where) {
				ok = false;
				(*nexc)--;
			}
		}
	}
	free(refs.v);
	(void)lr;
	return ok;
}

/* priority_when: [{condition: ..., priority: ...}], first match wins. */
static bool compile_prio_when(struct loader *ld, struct lrule *lr, struct rule *r, const char *what)
{
	static const char *const allowed[] = { "condition", "priority", NULL };
	const struct yref *pw = &lr->prio_when;
	size_t i, n = seq_len(pw);
	bool ok = true;

	if (is_null(pw))
		return true;
	if (!is_seq(pw)) {
		err_at(ld, pw, "%s: priority_when must be a sequence of {condition, priority}", what);
		return false;
	}
	r->pw = arena_alloc(&ld->rs->arena, (n ? n : 1) * sizeof(*r->pw));
	if (!r->pw)
		return false;
	for (i = 0; i < n; i++) {
		struct yref e = seq_at(pw, i), cond, prio;
		struct ltext t = { 0 };
		struct cc cc = { .rs = ld->rs, .macro = cc_macro_cb, .list = cc_list_cb, .error = cc_error_cb };
		struct cc_ctx c = { .ld = ld, .text = &t, .what = what, .cc = &cc };
		struct ast *ast;
		const char *s;

		cc.ctx = &c;
		if (!is_map(&e) || !check_keys(ld, &e, allowed, "a priority_when entry")) {
			if (!is_map(&e))
				err_at(ld, &e, "%s: priority_when entries are {condition, priority}", what);
			ok = false;
			continue;
		}
		cond = map_get(&e, "condition");
		prio = map_get(&e, "priority");
		if (!cond.node || !prio.node) {
			err_at(ld, &e, "%s: a priority_when entry needs condition and priority", what);
			ok = false;
			continue;
		}
		if (!get_priority(ld, &prio, &r->pw[r->npw].priority) || !get_string(ld, &cond, "condition", &s) ||
		    !ltext_add(ld, &t, &cond, false)) {
			ok = false;
			ltext_free(&t);
			continue;
		}
		if (parse_text(ld, &t, what, &ast) && (r->pw[r->npw].cond = cc_compile(&cc, ast)))
			r->npw++;
		else
			ok = false;
		ltext_free(&t);
	}
	return ok;
}

enum { RULE_COMPILED, RULE_FAILED, RULE_SKIPPED };

/* ---- rules that load but cannot fire here ----------------------------------------------------------------- */

#define SCAN_MAX 32

/* What a condition refers to, for rules check's reasons: evt.type values, fields. */
struct cond_scan {
	const char *types[SCAN_MAX]; /* evt.type values no event kind has */
	size_t ntypes;
	uint16_t fields[SCAN_MAX];   /* fields compared (distinct) */
	size_t nfields;
	kindmask_t selected;         /* kinds the evt.type comparisons name */
	unsigned int visited;
};

static bool evt_type_captured(const char *name, size_t len)
{
	unsigned int k;
	size_t i;

	for (k = 1; k < RULES_KIND_MAX; k++) {
		const char *const *t = kind_evt_types(k);

		for (i = 0; t[i]; i++)
			if (strlen(t[i]) == len && memcmp(t[i], name, len) == 0)
				return true;
	}
	return false;
}

static void scan_cond(struct cond_scan *sc, const struct cnode *n)
{
	static int evt_type = -2;
	uint32_t i;
	size_t j;

	if (!n || ++sc->visited > RULES_COND_NODES)
		return;
	if (evt_type == -2)
		evt_type = fields_lookup("evt.type", 8);
	if (n->kind != CN_CMP) {
		for (i = 0; i < n->n && n->kind != CN_CONST; i++)
			scan_cond(sc, n->kids[i]);
		return;
	}
	if (n->field == evt_type) {
		if (n->op == OP_EQ || n->op == OP_IN)
			sc->selected |= n->may;
		for (i = 0; i < n->n; i++) {
			const char *v = n->vals[i].s.p;
			size_t len = n->vals[i].s.len;

			if (evt_type_captured(v, len))
				continue;
			for (j = 0; j < sc->ntypes && strcmp(sc->types[j], v) != 0; j++)
				;
			if (j == sc->ntypes && sc->ntypes < SCAN_MAX)
				sc->types[sc->ntypes++] = v;
		}
		return;
	}
	for (j = 0; j < sc->nfields && sc->fields[j] != n->field; j++)
		;
	if (j == sc->nfields && sc->nfields < SCAN_MAX)
		sc->fields[sc->nfields++] = n->field;
}

static void kinds_names(struct strbuf *sb, kindmask_t k)
{
	unsigned int i;
	bool first = true;

	for (i = 1; i < RULES_KIND_MAX; i++) {
		if (k & KIND_BIT(i)) {
			strbuf_addf(sb, "%s%s", first ? "" : ", ", rules_kind_name(i));
			first = false;
		}
	}
}

/* Process state Falco has on every event; bulwark's records carry some of it on exec only. */
static bool process_field(const char *name)
{
	return strncmp(name, "proc.", 5) == 0 || strncmp(name, "thread.", 7) == 0 || strncmp(name, "user.", 5) == 0 ||
	       strncmp(name, "group.", 6) == 0;
}

/*
 * Why a condition no event kind satisfies can still be a Falco rule that
 * loads: it needs syscalls the sensor does not capture, or fields without
 * data (on the events it selects). NULL: no such reason (a contradiction).
 */
static const char *cannot_fire_reason(struct loader *ld, const struct cond_scan *sc)
{
	struct strbuf sb = STRBUF_INIT;
	const char *out = NULL;
	size_t i;
	bool any = false;

	if (sc->ntypes) {
		strbuf_addf(&sb, "needs evt.type ");
		for (i = 0; i < sc->ntypes; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", sc->types[i]);
		strbuf_addf(&sb, " which bulwark does not capture");
		any = true;
	}
	for (i = 0; i < sc->nfields; i++) {
		const struct field *f = &fields_table[sc->fields[i]];

		if (!f->kinds) {
			strbuf_addf(&sb, "%sfield %s has no data on bulwark yet", any ? "; " : "", f->name);
			any = true;
		} else if (sc->selected && !(f->kinds & sc->selected) && process_field(f->name)) {
			strbuf_addf(&sb, "%sfield %s has no data on ", any ? "; " : "", f->name);
			kinds_names(&sb, sc->selected);
			strbuf_addf(&sb, " events (only on ");
			kinds_names(&sb, f->kinds);
			strbuf_addf(&sb, ")");
			any = true;
		}
	}
	if (any && sb.buf)
		out = arena_strndup(&ld->rs->arena, sb.buf, sb.len);
	strbuf_free(&sb);
	return out;
}

/* Fields without data yet in a rule's condition and output: named, so that nothing fails silently. */
static void warn_nodata(struct loader *ld, struct lrule *lr, const struct rule *r, const struct cond_scan *sc)
{
	size_t i, j;

	for (i = 0; i < sc->nfields; i++)
		if (field_nodata(sc->fields[i]))
			warn_at(ld, &lr->def, "field %s has no data on bulwark yet: rule '%s' can never match on it",
				fields_table[sc->fields[i]].name, lr->name);
	for (i = 0; i < r->nout; i++) {
		if (r->out[i].text || !field_nodata(r->out[i].field))
			continue;
		for (j = 0; j < i && (r->out[j].text || r->out[j].field != r->out[i].field); j++)
			;
		if (j == i)
			warn_at(ld, &lr->def, "field %s has no data on bulwark yet: rule '%s' prints <NA> for it",
				fields_table[r->out[i].field].name, lr->name);
	}
}

static int compile_rule(struct loader *ld, struct lrule *lr, struct rule *r)
{
	struct cc cc = { .rs = ld->rs, .macro = cc_macro_cb, .list = cc_list_cb, .error = cc_error_cb,
			 .skip_unknown = lr->skip_unknown };
	struct cc_ctx c = { .ld = ld, .text = &lr->cond, .cc = &cc };
	struct ast *ast;
	char what[300], msg[512];
	uint32_t off;
	size_t i, nvals = 0;
	bool ok = true;

	if (!lr->cond.set || !lr->output.set)
		return RULE_FAILED; /* reported as missing */
	snprintf(what, sizeof(what), "rule '%s'", lr->name);
	c.what = what;
	cc.ctx = &c;
	r->name = arena_strndup(&ld->rs->arena, lr->name, strlen(lr->name));
	while (lr->desc.len && ws(lr->desc.text[lr->desc.len - 1]))
		lr->desc.len--; /* a folded block's final newline */
	r->desc = arena_strndup(&ld->rs->arena, lr->desc.text ? lr->desc.text : "", lr->desc.len);
	r->priority = lr->prio;
	r->enabled = lr->enabled;
	ref_pos(&lr->def, &r->line, &r->col);
	r->file = arena_strndup(&ld->rs->arena, lr->def.src->name, strlen(lr->def.src->name));
	r->ntags = lr->ntags;
	r->tags = arena_alloc(&ld->rs->arena, (lr->ntags ? lr->ntags : 1) * sizeof(*r->tags));
	if (!r->name || !r->desc || !r->tags || !r->file)
		return RULE_FAILED;
	for (i = 0; i < lr->ntags; i++)
		if (!(r->tags[i] = arena_strndup(&ld->rs->arena, lr->tags[i], strlen(lr->tags[i]))))
			return RULE_FAILED;
	if (!parse_text(ld, &lr->cond, what, &ast))
		return RULE_FAILED;
	r->cond = cc_compile(&cc, ast);
	if (cc.unknown_field && lr->skip_unknown) {
		warn_text(ld, &lr->cond, 0, "%s: skipped: unknown field '%s' (skip-if-unknown-filter)", what,
			  cc.unknown_name);
		return RULE_SKIPPED;
	}
	if (!r->cond)
		ok = false;
	if (r->cond && r->cond->size > RULES_COND_NODES) {
		/* a macro used twice in a macro used twice ...: the tree evaluated per event grows exponentially */
		err_text(ld, &lr->cond, 0, "%s: condition too large: over %u checks once macros are expanded", what,
			 RULES_COND_NODES);
		ok = false;
	}
	/* exceptions: one compiled tuple per value */
	for (i = 0; i < lr->nexc; i++) {
		size_t j;

		for (j = 0; j < lr->exc[i].nvalues; j++)
			nvals += seq_len(&lr->exc[i].values[j]);
	}
	r->exc = arena_alloc(&ld->rs->arena, (nvals ? nvals : 1) * sizeof(*r->exc));
	if (!r->exc)
		return RULE_FAILED;
	for (i = 0; i < lr->nexc; i++)
		ok &= compile_exception(ld, lr, &lr->exc[i], r, &r->nexc, what);
	if (lr->prio_when.node)
		ok &= compile_prio_when(ld, lr, r, what);
	/* a folded or literal block keeps its final newline: not part of the alert text */
	while (lr->output.len && ws(lr->output.text[lr->output.len - 1]))
		lr->output.text[--lr->output.len] = '\0';
	if (output_compile(&ld->rs->arena, lr->output.text, lr->output.len, &r->out, &r->nout, &off, msg, sizeof(msg))) {
		if (lr->skip_unknown && strncmp(msg, "unknown field", 13) == 0) {
			warn_text(ld, &lr->output, off, "%s: skipped: %s (skip-if-unknown-filter)", what, msg);
			return RULE_SKIPPED;
		}
		err_text(ld, &lr->output, off, "%s: %s", what, msg);
		ok = false;
	}
	if (!ok)
		return RULE_FAILED;
	{
		struct cond_scan sc = { 0 };

		scan_cond(&sc, r->cond);
		warn_nodata(ld, lr, r, &sc);
		r->kinds = r->cond->may;
		if (!r->kinds) {
			r->cannot_fire = cannot_fire_reason(ld, &sc);
			if (!r->cannot_fire) {
				err_text(ld, &lr->cond, 0, "%s: can never match: no event kind satisfies the condition", what);
				return RULE_FAILED;
			}
		}
	}
	if (r->kinds == KINDS_ALL && lr->warn_evttypes)
		warn_text(ld, &lr->cond, 0, "%s: no evt.type restriction: it is evaluated for every event", what);
	if (output_fields_build(&ld->rs->arena, r))
		return RULE_FAILED;
	if (lr->block) {
		int e;

		r->blocks = true;
		e = block_compile(&ld->rs->arena, r, msg, sizeof(msg));
		if (e == -ENOMEM)
			return RULE_FAILED;
		if (e) {
			err_at(ld, &lr->action, "%s: action: block: %s", what, msg);
			return RULE_FAILED;
		}
	}
	return RULE_COMPILED;
}

static void compile_all(struct loader *ld)
{
	size_t i, n = 0;
	struct rules *rs = ld->rs;

	for (i = 0; i < ld->nmacros; i++) {
		struct lmacro *m = ld->macros[i];
		char what[160];

		snprintf(what, sizeof(what), "macro '%s'", m->name);
		m->parsed = parse_text(ld, &m->cond, what, &m->ast);
	}
	rs->rules = arena_alloc(&rs->arena, (ld->nrules ? ld->nrules : 1) * sizeof(*rs->rules));
	if (!rs->rules) {
		ld->errors++;
		return;
	}
	for (i = 0; i < ld->nrules; i++) {
		struct lrule *lr = ld->rules[i];
		int rc;

		if (lr->unknown_source)
			continue;
		rc = compile_rule(ld, lr, &rs->rules[n]);
		if (rc == RULE_COMPILED)
			n++;
		else
			memset(&rs->rules[n], 0, sizeof(rs->rules[n]));
	}
	rs->nrules = n;
	/* macros no rule used: still checked, so that a broken macro does not wait for its first user */
	for (i = 0; i < ld->nmacros; i++) {
		struct lmacro *m = ld->macros[i];

		if (m->used || !m->parsed)
			continue;
		macro_compile(ld, m);
		if (m->state == M_UNKNOWN_FIELD && !m->reported) {
			m->reported = true;
			err_text(ld, &m->cond, m->unknown_pos, "macro '%s': unknown field '%s'", m->name, m->unknown_name);
		}
		warn_at(ld, &m->def, "macro '%s' is not used by any rule", m->name);
	}
	for (i = 0; i < ld->nlists; i++) {
		if (!ld->lists[i]->used) {
			list_expand(ld, ld->lists[i], 0);
			warn_at(ld, &ld->lists[i]->def, "list '%s' is not used by any rule or macro", ld->lists[i]->name);
		}
	}
}

static int build_index(struct rules *rs)
{
	size_t i;
	unsigned int k;

	for (k = 0; k < RULES_KIND_MAX; k++) {
		size_t n = 0;

		for (i = 0; i < rs->nrules; i++)
			n += rs->rules[i].enabled && (rs->rules[i].kinds & KIND_BIT(k));
		if (!n)
			continue;
		rs->index[k] = malloc(n * sizeof(*rs->index[k]));
		if (!rs->index[k])
			return -ENOMEM;
		for (i = 0; i < rs->nrules; i++)
			if (rs->rules[i].enabled && (rs->rules[i].kinds & KIND_BIT(k)))
				rs->index[k][rs->nindex[k]++] = &rs->rules[i];
	}
	rs->x = calloc(1, sizeof(*rs->x));
	if (!rs->x)
		return -ENOMEM;
	rs->x->cache_epoch = calloc(fields_count, sizeof(*rs->x->cache_epoch));
	rs->x->cache_ok = calloc(fields_count, sizeof(*rs->x->cache_ok));
	rs->x->cache = calloc(fields_count, sizeof(*rs->x->cache));
	if (!rs->x->cache_epoch || !rs->x->cache_ok || !rs->x->cache)
		return -ENOMEM;
	return 0;
}

static void loader_free(struct loader *ld)
{
	size_t i;

	for (i = 0; i < ld->nlists; i++) {
		free(ld->lists[i]->name);
		free(ld->lists[i]->items);
		free(ld->lists[i]);
	}
	free(ld->lists);
	for (i = 0; i < ld->nmacros; i++) {
		free(ld->macros[i]->name);
		ltext_free(&ld->macros[i]->cond);
		free(ld->macros[i]);
	}
	free(ld->macros);
	for (i = 0; i < ld->nrules; i++)
		rule_free(ld->rules[i]);
	free(ld->rules);
	for (i = 0; i < ld->nsrcs; i++)
		src_free(ld->srcs[i]);
	free(ld->srcs);
}

struct rules *rules__load_sources(const struct rules_source *src, size_t n, struct rules_diags *diags)
{
	struct loader ld = { .diags = diags };
	size_t i;

	ld.rs = calloc(1, sizeof(*ld.rs));
	if (!ld.rs)
		return NULL;
	ld.now_ns = (int64_t)util_clock_ns(CLOCK_REALTIME);
	for (i = 0; i < n; i++)
		read_source(&ld, &src[i]);
	compile_all(&ld);
	if (!ld.errors && build_index(ld.rs) < 0) {
		diag_add(diags, false, "", 0, 0, "out of memory");
		ld.errors++;
	}
	loader_free(&ld);
	if (ld.errors) {
		rules__free(ld.rs);
		errno = EINVAL;
		return NULL;
	}
	return ld.rs;
}

/* ---- paths ---------------------------------------------------------------------------------------------------- */

struct pathlist {
	char **v;
	size_t n;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_rules_file(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && ((n > 5 && strcmp(name + n - 5, ".yaml") == 0) || (n > 4 && strcmp(name + n - 4, ".yml") == 0));
}

static int add_path(struct pathlist *pl, const char *p)
{
	char **nv = push(pl->v, &pl->n, sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	pl->v = nv;
	if (!(pl->v[pl->n - 1] = strdup(p))) {
		pl->n--;
		return -ENOMEM;
	}
	return 0;
}

static int expand_dir(struct pathlist *pl, const char *dir, struct rules_diags *diags)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct pathlist sub = { 0 };
	size_t i;
	int rc = 0;

	if (!d) {
		diag_add(diags, false, dir, 0, 0, "cannot open directory: %s", strerror(errno));
		return -errno;
	}
	while ((de = readdir(d))) {
		char p[4096];

		if (!is_rules_file(de->d_name))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if ((rc = add_path(&sub, p)) < 0)
			break;
	}
	closedir(d);
	qsort(sub.v, sub.n, sizeof(*sub.v), cmp_str);
	for (i = 0; i < sub.n; i++) {
		if (!rc)
			rc = add_path(pl, sub.v[i]);
		free(sub.v[i]);
	}
	free(sub.v);
	return rc;
}

/* A rules file, or NULL with the reason in diags. */
static char *read_file(const char *path, size_t *len, struct rules_diags *diags)
{
	char *text = util_read_file(path, RULES_FILE_MAX, len);

	if (text)
		return text;
	if (errno == EINVAL || errno == EFBIG)
		diag_add(diags, false, path, 0, 0, "not a regular file of at most %u bytes", RULES_FILE_MAX);
	else if (errno == ENOMEM)
		diag_add(diags, false, path, 0, 0, "out of memory");
	else
		diag_add(diags, false, path, 0, 0, "cannot open: %s", strerror(errno));
	return NULL;
}

struct rules *rules__load_paths(const char *const *paths, size_t n, struct rules_diags *diags)
{
	struct pathlist pl = { 0 };
	struct rules_source *src = NULL;
	struct rules *rs = NULL;
	size_t i, nsrc = 0;
	bool failed = false;

	for (i = 0; i < n; i++) {
		struct stat st;

		if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (expand_dir(&pl, paths[i], diags) < 0)
				failed = true;
		} else if (add_path(&pl, paths[i]) < 0) {
			failed = true;
		}
	}
	src = calloc(pl.n ? pl.n : 1, sizeof(*src));
	if (!src)
		failed = true;
	for (i = 0; src && i < pl.n; i++) {
		size_t len = 0;
		char *text = read_file(pl.v[i], &len, diags);

		if (!text) {
			failed = true;
			continue;
		}
		src[nsrc++] = (struct rules_source){ pl.v[i], text, len };
	}
	if (!failed)
		rs = rules__load_sources(src, nsrc, diags);
	for (i = 0; i < nsrc; i++)
		free((char *)src[i].text);
	free(src);
	for (i = 0; i < pl.n; i++)
		free(pl.v[i]);
	free(pl.v);
	if (!rs)
		errno = EINVAL;
	return rs;
}

struct rules *rules__load_default(struct rules_diags *diags)
{
	return rules__load_sources(rules_default_sources, rules_default_count, diags);
}
