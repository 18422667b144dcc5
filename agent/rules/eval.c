// SPDX-License-Identifier: Apache-2.0
/*
 * Evaluation: an event meets only the rules indexed under its kind; each
 * condition tree is walked with short-circuit and/or, every field is
 * extracted at most once per event (cached by epoch), and nothing is parsed
 * or allocated. Exceptions are checked only after a condition matched.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "log.h"

/* ---- comparisons --------------------------------------------------------------------- */

static bool icontains(const char *h, size_t hl, const char *n, size_t nl)
{
	size_t i, j;

	if (nl == 0)
		return true;
	for (i = 0; i + nl <= hl; i++) {
		for (j = 0; j < nl; j++) {
			unsigned char a = h[i + j], b = n[j];

			if (a >= 'A' && a <= 'Z')
				a += 32;
			if (b >= 'A' && b <= 'Z')
				b += 32;
			if (a != b)
				break;
		}
		if (j == nl)
			return true;
	}
	return false;
}

/* Falco's pmatch: @prefix's path components are the first components of @path ("//" and a trailing "/" ignored). */
static bool path_prefix(const char *path, size_t plen, const char *prefix, size_t xlen)
{
	size_t i = 0, j = 0;

	for (;;) {
		size_t a, b;

		while (j < xlen && prefix[j] == '/')
			j++;
		while (i < plen && path[i] == '/')
			i++;
		if (j == xlen)
			return true;
		if (i == plen)
			return false;
		for (a = i; a < plen && path[a] != '/'; a++)
			;
		for (b = j; b < xlen && prefix[b] != '/'; b++)
			;
		if (a - i != b - j || memcmp(path + i, prefix + j, a - i) != 0)
			return false;
		i = a;
		j = b;
	}
}

static int bs_str(const void *key, const void *elem)
{
	const struct fval *k = key;
	const struct cval *e = elem;

	if (k->s.len != e->s.len)
		return k->s.len < e->s.len ? -1 : 1;
	return memcmp(k->s.p, e->s.p, k->s.len);
}

static bool str_in(const struct cnode *n, const char *p, size_t len)
{
	struct fval key = { .type = FT_STR };

	key.s.p = p;
	key.s.len = len;
	return n->n && bsearch(&key, n->vals, n->n, sizeof(*n->vals), bs_str) != NULL;
}

/* One string comparison against value @i. */
static bool str_one(const struct cnode *n, uint32_t i, const char *p, size_t len)
{
	const struct cval *c = &n->vals[i];

	switch (n->op) {
	case OP_EQ:
		return len == c->s.len && memcmp(p, c->s.p, len) == 0;
	case OP_NE:
		return !(len == c->s.len && memcmp(p, c->s.p, len) == 0);
	case OP_CONTAINS:
	case OP_BCONTAINS:
		return memmem(p, len, c->s.p, c->s.len) != NULL;
	case OP_ICONTAINS:
		return icontains(p, len, c->s.p, c->s.len);
	case OP_STARTSWITH:
	case OP_BSTARTSWITH:
		return len >= c->s.len && memcmp(p, c->s.p, c->s.len) == 0;
	case OP_ENDSWITH:
		return len >= c->s.len && memcmp(p + len - c->s.len, c->s.p, c->s.len) == 0;
	case OP_GLOB:
		return fnmatch(c->s.p, p, 0) == 0; /* values are NUL-terminated (struct fval) */
	case OP_IGLOB:
		return fnmatch(c->s.p, p, FNM_CASEFOLD) == 0;
	case OP_REGEX:
		return regexec(&n->re[i], p, 0, NULL, 0) == 0;
	}
	return false;
}

static int bs_int(const void *key, const void *elem)
{
	int64_t k = *(const int64_t *)key, e = ((const struct cval *)elem)->i;

	return k < e ? -1 : k > e;
}

static int bs_uint(const void *key, const void *elem)
{
	uint64_t k = *(const uint64_t *)key, e = ((const struct cval *)elem)->u;

	return k < e ? -1 : k > e;
}

static bool int_one(int op, int64_t v, int64_t c)
{
	switch (op) {
	case OP_EQ: return v == c;
	case OP_NE: return v != c;
	case OP_LT: return v < c;
	case OP_LE: return v <= c;
	case OP_GT: return v > c;
	case OP_GE: return v >= c;
	}
	return false;
}

static bool uint_one(int op, uint64_t v, uint64_t c)
{
	switch (op) {
	case OP_EQ: return v == c;
	case OP_NE: return v != c;
	case OP_LT: return v < c;
	case OP_LE: return v <= c;
	case OP_GT: return v > c;
	case OP_GE: return v >= c;
	}
	return false;
}

static bool ip_match(const struct ipval *addr, const struct ipval *net)
{
	unsigned int full, rest;

	if (addr->family != net->family)
		return false;
	full = net->bits / 8;
	rest = net->bits % 8;
	if (memcmp(addr->a, net->a, full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		return (addr->a[full] & mask) == (net->a[full] & mask);
	}
	return true;
}

/* The single-value comparison of @v against value @i (any type). */
static bool cmp_one(const struct cnode *n, const struct fval *v, uint32_t i)
{
	switch (v->type) {
	case FT_STR:
		return str_one(n, i, v->s.p, v->s.len);
	case FT_INT:
		return int_one(n->op, v->i, n->vals[i].i);
	case FT_UINT:
	case FT_PORT:
	case FT_ABSTIME:
	case FT_RELTIME:
		return uint_one(n->op, v->u, n->vals[i].u);
	case FT_BOOL:
		return n->op == OP_EQ ? v->b == n->vals[i].b : n->op == OP_NE ? v->b != n->vals[i].b : false;
	case FT_IP:
		return n->op == OP_EQ ? ip_match(&v->ip, &n->vals[i].ip) :
		       n->op == OP_NE ? !ip_match(&v->ip, &n->vals[i].ip) : false;
	}
	return false;
}

/* in / intersects / pmatch on a single value: any value of the set. */
static bool cmp_set(const struct cnode *n, const struct fval *v)
{
	uint32_t i;

	if (!n->n)
		return false;
	switch (v->type) {
	case FT_STR:
		if (n->op == OP_PMATCH) {
			for (i = 0; i < n->n; i++)
				if (path_prefix(v->s.p, v->s.len, n->vals[i].s.p, n->vals[i].s.len))
					return true;
			return false;
		}
		return str_in(n, v->s.p, v->s.len);
	case FT_INT:
		return bsearch(&v->i, n->vals, n->n, sizeof(*n->vals), bs_int) != NULL;
	case FT_UINT:
	case FT_PORT:
	case FT_ABSTIME:
	case FT_RELTIME:
		return bsearch(&v->u, n->vals, n->n, sizeof(*n->vals), bs_uint) != NULL;
	case FT_BOOL:
		for (i = 0; i < n->n; i++)
			if (v->b == n->vals[i].b)
				return true;
		return false;
	case FT_IP:
		for (i = 0; i < n->n; i++)
			if (ip_match(&v->ip, &n->vals[i].ip))
				return true;
		return false;
	}
	return false;
}

/* Falco's list semantics: in = every item is in the set, intersects = some item is. */
static bool cmp_list(const struct cnode *n, const struct fval *v)
{
	uint32_t i;
	size_t off = 0;

	for (i = 0; i < v->s.n; i++) {
		const char *item = v->s.p + off;
		size_t len = strlen(item);
		bool in = str_in(n, item, len);

		off += len + 1;
		if (n->op == OP_INTERSECTS && in)
			return true;
		if (n->op == OP_IN && !in)
			return false;
	}
	return n->op == OP_IN;
}

bool cnode_compare(const struct cnode *n, const struct fval *v)
{
	uint32_t i, hits = 0;

	if (n->op == OP_EXISTS)
		return true;
	if (v->type == FT_STRLIST)
		return cmp_list(n, v);
	if (cop_takes_list(n->op))
		return cmp_set(n, v);
	switch (n->mod) {
	case MOD_NONE:
		return cmp_one(n, v, 0);
	case MOD_ANYOF:
		for (i = 0; i < n->n; i++)
			if (cmp_one(n, v, i))
				return true;
		return false;
	case MOD_ALLOF:
		for (i = 0; i < n->n; i++)
			if (!cmp_one(n, v, i))
				return false;
		return n->n > 0;
	case MOD_ONEOF:
		for (i = 0; i < n->n && hits < 2; i++)
			hits += cmp_one(n, v, i);
		return hits == 1;
	}
	return false;
}

static bool eval_cmp(struct xctx *x, const struct cnode *n)
{
	struct fval v;
	int d;

	if (n->any) {
		for (d = 1; d <= RULES_ANC_MAX && xctx_ancestor(x, d); d++)
			if (field_get(x, n->field, d, &v) && cnode_compare(n, &v))
				return true;
		return false;
	}
	if (!field_get(x, n->field, n->idx, &v))
		return false; /* an absent field fails every comparison (Falco) */
	return cnode_compare(n, &v);
}

bool cnode_eval(struct xctx *x, const struct cnode *n)
{
	uint32_t i;

	switch (n->kind) {
	case CN_AND:
		for (i = 0; i < n->n; i++)
			if (!cnode_eval(x, n->kids[i]))
				return false;
		return true;
	case CN_OR:
		for (i = 0; i < n->n; i++)
			if (cnode_eval(x, n->kids[i]))
				return true;
		return false;
	case CN_NOT:
		return !cnode_eval(x, n->kids[0]);
	case CN_CMP:
		return eval_cmp(x, n);
	case CN_CONST:
		return n->value;
	}
	return false;
}

/* ---- rules --------------------------------------------------------------------------------- */

static bool excepted(struct rules *rs, struct rule *r, struct xctx *x)
{
	size_t i;

	for (i = 0; i < r->nexc; i++) {
		struct exc_value *e = &r->exc[i];

		if (e->expires_ns && x->in->time_ns >= e->expires_ns) {
			if (!e->expired_logged) {
				log_warn("rule '%s': exception '%s' (%s) has expired: it no longer suppresses alerts",
					 r->name, e->exc_name, e->where);
				e->expired_logged = true;
			}
			rs->st.expired_skipped++;
			continue;
		}
		if (cnode_eval(x, e->match))
			return true;
	}
	return false;
}

int rules__eval(struct rules *rs, const struct rule_input *in, rules_match_fn cb, void *ctx)
{
	struct xctx *x = rs->x;
	unsigned int kind = in->ev ? in->ev->ev->hdr.type : RULES_EV_CONTAINER;
	size_t i;
	int matches = 0;

	if (kind >= RULES_KIND_MAX || (!in->ev && !in->container))
		return 0;
	rs->st.events++;
	if (++rs->epoch == 0) {
		/* the cache epochs wrapped: forget them all */
		memset(x->cache_epoch, 0, fields_count * sizeof(*x->cache_epoch));
		rs->epoch = 1;
	}
	xctx_begin(x, in, rs->epoch);
	for (i = 0; i < rs->nindex[kind]; i++) {
		struct rule *r = rs->index[kind][i];

		rs->st.evaluations++;
		if (!cnode_eval(x, r->cond))
			continue;
		if (r->nexc && excepted(rs, r, x)) {
			rs->st.suppressed++;
			continue;
		}
		rs->st.matches++;
		matches++;
		if (cb && cb(ctx, r, in))
			break;
	}
	rs->st.scratch_overflow = x->overflow;
	return matches;
}

void rules__event_types(const struct rules *rs, bool types[BW_EV_MAX])
{
	unsigned int t;

	for (t = 0; t < BW_EV_MAX; t++)
		types[t] = t > 0 && rs->nindex[t] > 0;
}

bool rules__wants_container_events(const struct rules *rs)
{
	return rs->nindex[RULES_EV_CONTAINER] > 0;
}

bool rules__uses_field(const struct rules *rs, const char *field)
{
	size_t i, j;

	for (i = 0; i < rs->nrules; i++) {
		const struct rule *r = &rs->rules[i];

		if (!r->enabled || r->cannot_fire)
			continue;
		for (j = 0; j < r->nfields; j++)
			if (strcmp(r->fields[j].name, field) == 0)
				return true;
	}
	return false;
}

void rules__stats(const struct rules *rs, struct rules_stats *st)
{
	*st = rs->st;
}

size_t rules__count(const struct rules *rs)
{
	return rs->nrules;
}

const struct rule *rules__rule(const struct rules *rs, size_t i)
{
	return i < rs->nrules ? &rs->rules[i] : NULL;
}

const char *rule_name(const struct rule *r)
{
	return r->name;
}

const char *rule_desc(const struct rule *r)
{
	return r->desc;
}

enum rule_priority rule_priority(const struct rule *r)
{
	return r->priority;
}

bool rule_enabled(const struct rule *r)
{
	return r->enabled;
}

size_t rule_ntags(const struct rule *r)
{
	return r->ntags;
}

const char *rule_tag(const struct rule *r, size_t i)
{
	return i < r->ntags ? r->tags[i] : NULL;
}

uint64_t rule_kinds(const struct rule *r)
{
	return r->kinds;
}

const char *rule_file(const struct rule *r)
{
	return r->file ? r->file : "";
}

unsigned int rule_line(const struct rule *r)
{
	return r->line;
}

const char *rule_cannot_fire(const struct rule *r)
{
	return r->cannot_fire;
}

const char *rules_priority_name(enum rule_priority p)
{
	static const char *const names[RULE_PRIO_MAX] = {
		"Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug",
	};

	return p < RULE_PRIO_MAX ? names[p] : "Unknown";
}

void rules__free(struct rules *rs)
{
	size_t i;

	if (!rs)
		return;
	for (i = 0; i < rs->nregexes; i++)
		regfree(rs->regexes[i]);
	free(rs->regexes);
	for (i = 0; i < RULES_KIND_MAX; i++)
		free(rs->index[i]);
	if (rs->x) {
		free(rs->x->cache_epoch);
		free(rs->x->cache_ok);
		free(rs->x->cache);
		free(rs->x);
	}
	arena_free(&rs->arena);
	free(rs);
}
