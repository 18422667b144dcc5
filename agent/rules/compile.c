// SPDX-License-Identifier: Apache-2.0
#include "compile.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lexer.h"

static void cc_err(struct cc *cc, uint32_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void cc_err(struct cc *cc, uint32_t pos, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cc->errors++;
	cc->error(cc->ctx, pos, msg);
}

static struct cnode *new_node(struct cc *cc, enum cnode_kind kind)
{
	struct cnode *n = arena_alloc(&cc->rs->arena, sizeof(*n));

	if (n) {
		n->kind = kind;
		n->idx = -1;
	}
	return n;
}

/* ---- operators and types ---------------------------------------------------------- */

static bool op_allowed(unsigned int type, unsigned int op)
{
	if (op == OP_EXISTS || op == OP_IN || op == OP_INTERSECTS)
		return true;
	switch (type) {
	case FT_STR:
		return op != OP_LT && op != OP_LE && op != OP_GT && op != OP_GE;
	case FT_INT:
	case FT_UINT:
	case FT_PORT:
	case FT_ABSTIME:
	case FT_RELTIME:
		return op <= OP_GE;
	case FT_BOOL:
	case FT_IP:
		return op == OP_EQ || op == OP_NE;
	case FT_STRLIST:
		return false; /* Falco: list fields take exists, in, intersects */
	}
	return false;
}

static const struct {
	const char *name;
	int value;
} errno_names[] = {
	{ "EPERM", EPERM }, { "ENOENT", ENOENT }, { "ESRCH", ESRCH }, { "EINTR", EINTR }, { "EIO", EIO },
	{ "ENXIO", ENXIO }, { "E2BIG", E2BIG }, { "ENOEXEC", ENOEXEC }, { "EBADF", EBADF }, { "ECHILD", ECHILD },
	{ "EAGAIN", EAGAIN }, { "ENOMEM", ENOMEM }, { "EACCES", EACCES }, { "EFAULT", EFAULT }, { "EBUSY", EBUSY },
	{ "EEXIST", EEXIST }, { "EXDEV", EXDEV }, { "ENODEV", ENODEV }, { "ENOTDIR", ENOTDIR }, { "EISDIR", EISDIR },
	{ "EINVAL", EINVAL }, { "ENFILE", ENFILE }, { "EMFILE", EMFILE }, { "ENOTTY", ENOTTY },
	{ "ETXTBSY", ETXTBSY }, { "EFBIG", EFBIG }, { "ENOSPC", ENOSPC }, { "ESPIPE", ESPIPE }, { "EROFS", EROFS },
	{ "EMLINK", EMLINK }, { "EPIPE", EPIPE }, { "ENAMETOOLONG", ENAMETOOLONG }, { "ENOSYS", ENOSYS },
	{ "ENOTEMPTY", ENOTEMPTY }, { "ELOOP", ELOOP }, { "ENOTSOCK", ENOTSOCK }, { "EOPNOTSUPP", EOPNOTSUPP },
	{ "EAFNOSUPPORT", EAFNOSUPPORT }, { "EADDRINUSE", EADDRINUSE }, { "EADDRNOTAVAIL", EADDRNOTAVAIL },
	{ "ENETUNREACH", ENETUNREACH }, { "ECONNRESET", ECONNRESET }, { "EISCONN", EISCONN },
	{ "ENOTCONN", ENOTCONN }, { "ETIMEDOUT", ETIMEDOUT }, { "ECONNREFUSED", ECONNREFUSED },
	{ "EHOSTUNREACH", EHOSTUNREACH }, { "EALREADY", EALREADY }, { "EINPROGRESS", EINPROGRESS },
};

static bool parse_int(const char *s, size_t len, bool is_signed, int64_t *i, uint64_t *u)
{
	char buf[64], *end;
	const char *p;

	if (!len || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	p = buf;
	errno = 0;
	if (is_signed) {
		*i = strtoll(p, &end, 0);
	} else {
		if (*p == '-')
			return false;
		*u = strtoull(p, &end, 0);
	}
	return !errno && *end == '\0' && end != p;
}

/* ns with an optional unit: 500, 500ms, 2s, 1m. */
static bool parse_reltime(const char *s, size_t len, uint64_t *out)
{
	static const struct {
		const char *unit;
		uint64_t mul;
	} units[] = { { "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000ull },
		      { "m", 60000000000ull }, { "h", 3600000000000ull } };
	size_t i, n = 0;

	while (n < len && isdigit((unsigned char)s[n]))
		n++;
	if (!n)
		return false;
	if (!parse_int(s, n, false, NULL, out))
		return false;
	if (n == len)
		return true;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strlen(units[i].unit) == len - n && memcmp(units[i].unit, s + n, len - n) == 0) {
			if (*out > UINT64_MAX / units[i].mul)
				return false;
			*out *= units[i].mul;
			return true;
		}
	}
	return false;
}

static bool parse_ip(const char *s, size_t len, struct ipval *ip)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash;
	unsigned long bits;
	char *end;

	if (!len || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(ip, 0, sizeof(*ip));
	slash = strchr(buf, '/');
	if (slash)
		buf[slash - buf] = '\0';
	if (inet_pton(AF_INET, buf, ip->a) == 1) {
		ip->family = 4;
		ip->bits = 32;
	} else if (inet_pton(AF_INET6, buf, ip->a) == 1) {
		ip->family = 6;
		ip->bits = 128;
	} else {
		return false;
	}
	if (slash) {
		errno = 0;
		bits = strtoul(slash + 1, &end, 10);
		if (errno || *end || end == slash + 1 || bits > ip->bits)
			return false;
		ip->bits = bits;
	}
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * One value for field @f and operator @op. "SUCCESS" for evt.res turns the
 * operator into >= 0 / < 0 (*op is updated).
 */
static bool parse_cval(struct cc *cc, const struct field *f, int *op, const struct ast_val *v, struct cval *cv)
{
	int64_t i;
	uint64_t u;
	size_t k;

	if (*op == OP_BCONTAINS || *op == OP_BSTARTSWITH) {
		char *b;

		if (v->len % 2)
			goto bad_hex;
		b = arena_alloc(&cc->rs->arena, v->len / 2 + 1);
		if (!b)
			return false;
		for (k = 0; k < v->len / 2; k++) {
			int hi = hexval(v->s[2 * k]), lo = hexval(v->s[2 * k + 1]);

			if (hi < 0 || lo < 0)
				goto bad_hex;
			b[k] = hi << 4 | lo;
		}
		cv->s.p = b;
		cv->s.len = v->len / 2;
		return true;
bad_hex:
		cc_err(cc, v->pos, "'%.*s' is not a hex byte string (operator %s)", (int)v->len, v->s, cop_name(*op));
		return false;
	}
	switch (f->type) {
	case FT_STR:
	case FT_STRLIST:
		cv->s.p = v->s; /* arena strings, NUL-terminated */
		cv->s.len = v->len;
		return true;
	case FT_INT:
		if (f->flags & FF_ERRNO) {
			const char *s = v->s;
			size_t len = v->len;

			if (len == 7 && memcmp(s, "SUCCESS", 7) == 0) {
				if (*op != OP_EQ && *op != OP_NE) {
					cc_err(cc, v->pos, "SUCCESS can only be compared with = or != (field %s)", f->name);
					return false;
				}
				*op = *op == OP_EQ ? OP_GE : OP_LT;
				cv->i = 0;
				return true;
			}
			if (len > 1 && s[0] == '-' && s[1] == 'E') { /* -ENOENT and ENOENT alike */
				s++;
				len--;
			}
			for (k = 0; k < sizeof(errno_names) / sizeof(errno_names[0]); k++) {
				if (strlen(errno_names[k].name) == len && memcmp(errno_names[k].name, s, len) == 0) {
					cv->i = -errno_names[k].value;
					return true;
				}
			}
		}
		if (!parse_int(v->s, v->len, true, &i, NULL))
			break;
		cv->i = i;
		return true;
	case FT_UINT:
	case FT_ABSTIME:
		if (!parse_int(v->s, v->len, false, NULL, &u))
			break;
		cv->u = u;
		return true;
	case FT_PORT:
		if (!parse_int(v->s, v->len, false, NULL, &u) || u > 65535)
			break;
		cv->u = u;
		return true;
	case FT_RELTIME:
		if (!parse_reltime(v->s, v->len, &u))
			break;
		cv->u = u;
		return true;
	case FT_BOOL:
		if (v->len == 4 && strncasecmp(v->s, "true", 4) == 0)
			cv->b = true;
		else if (v->len == 5 && strncasecmp(v->s, "false", 5) == 0)
			cv->b = false;
		else
			break;
		return true;
	case FT_IP:
		if (!parse_ip(v->s, v->len, &cv->ip))
			break;
		return true;
	}
	cc_err(cc, v->pos, "'%.*s' is not a valid %s value for field %s", (int)v->len, v->s, ftype_name(f->type),
	       f->name);
	return false;
}

/* ---- ordering of values (sets) -------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	const struct cval *x = a, *y = b;

	if (x->s.len != y->s.len)
		return x->s.len < y->s.len ? -1 : 1;
	return memcmp(x->s.p, y->s.p, x->s.len);
}

static int cmp_int(const void *a, const void *b)
{
	const struct cval *x = a, *y = b;

	return x->i < y->i ? -1 : x->i > y->i;
}

static int cmp_uint(const void *a, const void *b)
{
	const struct cval *x = a, *y = b;

	return x->u < y->u ? -1 : x->u > y->u;
}

/* ---- kind analysis ---------------------------------------------------------------------- */

/*
 * A comparison on a field whose value follows from the event kind alone
 * (evt.type, bulwark.event) is evaluated against every value each kind can
 * have: may = kinds where some value matches, must = kinds where all do.
 * Any other comparison can only be true where its field exists.
 */
/* Over the evt.type values @names that @present accepts (NULL: all): does the comparison hold for some, for all? */
static void cmp_over(const struct cnode *n, const char *const *names, bool (*present)(void *ctx, const char *evt_type),
		     void *ctx, bool *some, bool *all)
{
	size_t i;

	*some = false;
	*all = true;
	for (i = 0; names[i]; i++) {
		struct fval v = { .type = FT_STR };
		bool r;

		if (present && !present(ctx, names[i]))
			continue;
		v.s.p = names[i];
		v.s.len = strlen(names[i]);
		v.s.n = 1;
		r = n->op == OP_EXISTS || cnode_compare(n, &v);
		*some |= r;
		*all &= r;
	}
}

static void analyse_cmp(struct cnode *n)
{
	const struct field *f = &fields_table[n->field];
	bool is_event = strcmp(f->name, "bulwark.event") == 0;
	unsigned int k;

	n->may = f->kinds;
	n->must = 0;
	if (!(f->flags & FF_KINDVAL) || n->any)
		return;
	n->may = 0;
	for (k = 1; k < RULES_KIND_MAX; k++) {
		const char *one[2] = { rules_kind_name(k), NULL };
		bool some, all;

		if (!(f->kinds & KIND_BIT(k)))
			continue;
		cmp_over(n, is_event ? one : kind_evt_types(k), NULL, NULL, &some, &all);
		if (some)
			n->may |= KIND_BIT(k);
		if (some && all)
			n->must |= KIND_BIT(k);
	}
}

struct kind_bits {
	bool may, must;
};

/* analyse_cmp and make_seq's may/must for one kind, with evt.type restricted to what @present accepts. */
static struct kind_bits kind_bits(const struct cnode *n, unsigned int k, bool (*present)(void *, const char *),
				  void *ctx)
{
	struct kind_bits b = { (n->may & KIND_BIT(k)) != 0, (n->must & KIND_BIT(k)) != 0 }, c;
	const struct field *f;
	uint32_t i;

	switch (n->kind) {
	case CN_AND:
	case CN_OR:
		b.may = b.must = n->kind == CN_AND;
		for (i = 0; i < n->n; i++) {
			c = kind_bits(n->kids[i], k, present, ctx);
			if (n->kind == CN_AND) {
				b.may &= c.may;
				b.must &= c.must;
			} else {
				b.may |= c.may;
				b.must |= c.must;
			}
		}
		return b;
	case CN_NOT:
		c = kind_bits(n->kids[0], k, present, ctx);
		return (struct kind_bits){ !c.must, !c.may };
	case CN_CMP:
		f = &fields_table[n->field];
		/* bulwark.event names the kind, not the syscall: the restriction does not change it */
		if (!(f->flags & FF_KINDVAL) || n->any || !(f->kinds & KIND_BIT(k)) || !strcmp(f->name, "bulwark.event"))
			return b;
		cmp_over(n, kind_evt_types(k), present, ctx, &b.may, &b.must);
		b.must &= b.may;
		return b;
	default:
		return b;
	}
}

bool cnode_may_match(const struct cnode *n, unsigned int k, bool (*present)(void *ctx, const char *evt_type),
		     void *ctx)
{
	return kind_bits(n, k, present, ctx).may;
}

/* ---- field references ----------------------------------------------------------------------- */

bool cc_split_field(const char *s, size_t len, size_t *name_len, const char **arg, size_t *arg_len)
{
	struct lexer l = { s, len, 0 };
	struct lex_tok t;

	if (!lex_field_name(&l, &t))
		return false;
	*name_len = t.len;
	*arg = NULL;
	*arg_len = 0;
	if (l.pos == len)
		return true;
	if (s[l.pos] != '[' || s[len - 1] != ']')
		return false;
	*arg = s + l.pos + 1;
	*arg_len = len - l.pos - 2;
	return true;
}

struct cnode *cc_check(struct cc *cc, const struct cc_check *c)
{
	const struct field *f;
	struct cnode *n;
	struct cval *vals = NULL;
	size_t nvals = 0, cap = 0, i;
	int fi, op = c->op;
	bool ok = true;

	fi = fields_lookup(c->field, c->field_len);
	if (fi < 0) {
		if (cc->skip_unknown) {
			if (!cc->unknown_field) {
				cc->unknown_pos = c->field_pos;
				snprintf(cc->unknown_name, sizeof(cc->unknown_name), "%.*s", (int)c->field_len, c->field);
			}
			cc->unknown_field = true;
			return NULL;
		}
		cc_err(cc, c->field_pos, "unknown field '%.*s'", (int)c->field_len, c->field);
		return NULL;
	}
	if ((fields_table[fi].flags & FF_STRTWIN) && cop_is_text(op))
		fi++; /* its text form: evt.res startswith E, evt.arg.mode contains S_ISUID */
	f = &fields_table[fi];
	if (f->flags & FF_OUTPUT_ONLY) {
		cc_err(cc, c->field_pos, "field %s can only be used in outputs", f->name);
		return NULL;
	}
	if (!(n = new_node(cc, CN_CMP)))
		goto nomem;
	n->field = fi;
	if (c->has_arg && field_nodata(fi) && (f->flags & FF_INDEX)) {
		/* a field without data yet takes Falco's argument (container.mount.dest[/proc*]) unchecked */
	} else if (c->has_arg) {
		unsigned long idx;
		char *end, buf[16];

		if (!(f->flags & FF_INDEX)) {
			cc_err(cc, c->arg_pos, "field %s does not take an index", f->name);
			return NULL;
		}
		if (c->arg_len == 0 || c->arg_len >= sizeof(buf)) {
			idx = ~0ul;
		} else {
			memcpy(buf, c->arg, c->arg_len);
			buf[c->arg_len] = '\0';
			idx = strtoul(buf, &end, 10);
			if (*end || !isdigit((unsigned char)buf[0]))
				idx = ~0ul;
		}
		if (idx > RULES_ANC_MAX) {
			cc_err(cc, c->arg_pos, "index of %s must be a number from 0 to %d, got '%.*s'", f->name,
			       RULES_ANC_MAX, (int)c->arg_len, c->arg);
			return NULL;
		}
		n->idx = idx;
	} else if (f->flags & FF_INDEX) {
		n->any = true; /* Falco: without an index, any ancestor */
	}
	if (!op_allowed(f->type, op)) {
		cc_err(cc, c->op_pos, "operator '%s' cannot be used with field %s (%s)", cop_name(op), f->name,
		       ftype_name(f->type));
		return NULL;
	}
	if (op == OP_EXISTS)
		goto done;
	if (c->mod && (cop_takes_list(op) || f->type == FT_STRLIST)) {
		cc_err(cc, c->op_pos, "operator '%s' takes no oneof/anyof/allof modifier", cop_name(op));
		return NULL;
	}
	if ((cop_takes_list(op) || c->mod) != c->list) {
		if (c->list)
			cc_err(cc, c->op_pos, "operator '%s' takes a single value, not a list", cop_name(op));
		else
			cc_err(cc, c->op_pos, "operator '%s' takes a list: (a, b, ...) or a list name", cop_name(op));
		return NULL;
	}
	/* values, with list names expanded */
	for (i = 0; i < c->nvals; i++) {
		const struct ast_val *v = &c->vals[i];
		const struct cc_item *items = NULL;
		size_t nitems = 1, k;
		struct ast_val one = *v;
		int r = -ENOENT;

		if (c->list && !v->quoted)
			r = cc->list(cc->ctx, v->s, v->len, &items, &nitems);
		if (r == -EINVAL) {
			ok = false;
			continue;
		}
		if (r == -ENOENT) {
			if (c->list_name) {
				cc_err(cc, v->pos, "'%.*s' is not a defined list", (int)v->len, v->s);
				ok = false;
				continue;
			}
			items = NULL;
			nitems = 1;
		}
		if (nvals + nitems > cap) {
			size_t nc = (nvals + nitems) * 2;
			struct cval *nv = realloc(vals, nc * sizeof(*nv));

			if (!nv)
				goto nomem;
			vals = nv;
			cap = nc;
		}
		for (k = 0; k < nitems; k++) {
			int vop = op;

			if (items) {
				one.s = items[k].s;
				one.len = items[k].len;
			}
			memset(&vals[nvals], 0, sizeof(vals[nvals]));
			if (!parse_cval(cc, f, &vop, &one, &vals[nvals])) {
				ok = false;
				continue;
			}
			if (vop != op) {
				if (c->list) {
					cc_err(cc, v->pos, "SUCCESS cannot be in a list");
					ok = false;
					continue;
				}
				op = vop;
			}
			nvals++;
		}
	}
	if (!ok)
		goto fail;
	if (!c->list && nvals != 1)
		goto fail; /* reported by parse_cval */
	if (c->mod && !nvals) {
		cc_err(cc, c->op_pos, "'%s %s' needs at least one value", cop_name(op),
		       c->mod == MOD_ONEOF ? "oneof" : c->mod == MOD_ANYOF ? "anyof" : "allof");
		goto fail;
	}
	if (nvals) {
		n->vals = arena_alloc(&cc->rs->arena, nvals * sizeof(*vals));
		if (!n->vals)
			goto nomem;
		memcpy(n->vals, vals, nvals * sizeof(*vals));
		n->n = nvals;
	}
	if (op == OP_REGEX) {
		n->re = arena_alloc(&cc->rs->arena, n->n * sizeof(*n->re));
		if (!n->re)
			goto nomem;
		for (i = 0; i < n->n; i++) {
			size_t len = n->vals[i].s.len;
			char *pat = malloc(len + 5);
			int rc;

			if (!pat)
				goto nomem;
			/* Falco's regex matches the whole value (RE2 anchored at both ends) */
			snprintf(pat, len + 5, "^(%s)$", n->vals[i].s.p);
			rc = regcomp(&n->re[i], pat, REG_EXTENDED | REG_NOSUB);
			free(pat);
			if (rc) {
				char msg[128];

				regerror(rc, &n->re[i], msg, sizeof(msg));
				cc_err(cc, c->vals[i < c->nvals ? i : 0].pos, "invalid regular expression: %s", msg);
				goto fail;
			}
			if (cc->rs->nregexes == cc->rs->capregexes) {
				size_t nc = cc->rs->capregexes ? cc->rs->capregexes * 2 : 16;
				regex_t **nr = realloc(cc->rs->regexes, nc * sizeof(*nr));

				if (!nr) {
					regfree(&n->re[i]);
					goto nomem;
				}
				cc->rs->regexes = nr;
				cc->rs->capregexes = nc;
			}
			cc->rs->regexes[cc->rs->nregexes++] = &n->re[i];
		}
	}
	if ((op == OP_IN || op == OP_INTERSECTS) && n->n > 1) {
		if (f->type == FT_STR || f->type == FT_STRLIST)
			qsort(n->vals, n->n, sizeof(*n->vals), cmp_str);
		else if (f->type == FT_INT)
			qsort(n->vals, n->n, sizeof(*n->vals), cmp_int);
		else if (f->type != FT_BOOL && f->type != FT_IP)
			qsort(n->vals, n->n, sizeof(*n->vals), cmp_uint);
	}
done:
	n->op = op;
	n->mod = c->mod;
	n->size = 1;
	free(vals);
	analyse_cmp(n);
	return n;
nomem:
	cc_err(cc, c->field_pos, "out of memory");
fail:
	free(vals);
	return NULL;
}

/* ---- tree -------------------------------------------------------------------------------------- */

/* Kind-valued checks first: they are cheap and prune whole events. */
static int kid_rank(const struct cnode *n)
{
	if (n->kind == CN_CMP && (fields_table[n->field].flags & FF_KINDVAL))
		return 0;
	if (n->kind == CN_NOT && n->kids[0]->kind == CN_CMP && (fields_table[n->kids[0]->field].flags & FF_KINDVAL))
		return 0;
	return 1;
}

static struct cnode *make_seq(struct cc *cc, enum cnode_kind kind, struct cnode **kids, size_t n)
{
	struct cnode *node;
	size_t i, total = 0, k = 0;
	int rank;

	for (i = 0; i < n; i++)
		total += kids[i]->kind == kind ? kids[i]->n : 1;
	if (!(node = new_node(cc, kind)))
		return NULL;
	node->kids = arena_alloc(&cc->rs->arena, total * sizeof(*node->kids));
	if (!node->kids)
		return NULL;
	/* flatten nested same-kind nodes (macros expand to them), stable-partitioned by rank */
	for (rank = 0; rank < 2; rank++) {
		for (i = 0; i < n; i++) {
			size_t j, m = kids[i]->kind == kind ? kids[i]->n : 1;

			for (j = 0; j < m; j++) {
				struct cnode *c = kids[i]->kind == kind ? kids[i]->kids[j] : kids[i];

				if (kid_rank(c) == rank)
					node->kids[k++] = c;
			}
		}
	}
	node->n = total;
	node->size = 1;
	for (i = 0; i < total; i++)
		node->size = node->size + node->kids[i]->size < node->size ? UINT32_MAX : node->size + node->kids[i]->size;
	node->may = kind == CN_AND ? KINDS_ALL : 0;
	node->must = kind == CN_AND ? KINDS_ALL : 0;
	for (i = 0; i < total; i++) {
		if (kind == CN_AND) {
			node->may &= node->kids[i]->may;
			node->must &= node->kids[i]->must;
		} else {
			node->may |= node->kids[i]->may;
			node->must |= node->kids[i]->must;
		}
	}
	return node;
}

struct cnode *cc_and(struct cc *cc, struct cnode **kids, size_t n)
{
	if (n == 1)
		return kids[0];
	return make_seq(cc, CN_AND, kids, n);
}

struct cnode *cc_compile(struct cc *cc, const struct ast *a)
{
	struct cnode *n = NULL, **kids;
	size_t i;
	bool ok = true;

	if (++cc->depth > RULES_DEPTH_MAX) {
		cc_err(cc, a->pos, "condition nested deeper than %d levels (through macros)", RULES_DEPTH_MAX);
		cc->depth--;
		return NULL;
	}
	switch (a->kind) {
	case AST_AND:
	case AST_OR:
		kids = malloc(a->n * sizeof(*kids));
		if (!kids) {
			cc_err(cc, a->pos, "out of memory");
			break;
		}
		for (i = 0; i < a->n; i++) {
			kids[i] = cc_compile(cc, a->kids[i]);
			ok &= kids[i] != NULL;
		}
		if (ok)
			n = make_seq(cc, a->kind == AST_AND ? CN_AND : CN_OR, kids, a->n);
		free(kids);
		break;
	case AST_NOT: {
		struct cnode *k = cc_compile(cc, a->kids[0]);

		if (!k || !(n = new_node(cc, CN_NOT)))
			break;
		n->kids = arena_alloc(&cc->rs->arena, sizeof(*n->kids));
		if (!n->kids) {
			n = NULL;
			break;
		}
		n->kids[0] = k;
		n->n = 1;
		n->size = k->size == UINT32_MAX ? UINT32_MAX : k->size + 1;
		n->may = KINDS_ALL & ~k->must;
		n->must = KINDS_ALL & ~k->may;
		break;
	}
	case AST_IDENT: {
		bool defined = false;

		n = cc->macro(cc->ctx, a->name, a->name_len, a->pos, &defined);
		if (!n && !defined && !cc->unknown_field)
			cc_err(cc, a->pos, "undefined macro '%.*s'", (int)a->name_len, a->name);
		break;
	}
	case AST_CHECK: {
		struct cc_check c = {
			.field = a->name, .field_len = a->name_len, .arg = a->arg, .arg_len = a->arg_len,
			.has_arg = a->has_arg, .field_pos = a->pos, .arg_pos = a->arg_pos, .op_pos = a->op_pos,
			.op = a->op, .mod = a->mod, .vals = a->vals, .nvals = a->n, .list = a->list, .list_name = a->list_name,
		};

		n = cc_check(cc, &c);
		break;
	}
	}
	cc->depth--;
	return n;
}

/* ---- hooks a kernel lacks ------------------------------------------------------------------ */

void rules_missing_hooks_add(void *ctx, const char *evt_type, const char *why)
{
	struct rules_missing_hooks *m = ctx;

	if (m->n < sizeof(m->v) / sizeof(m->v[0])) {
		m->v[m->n].evt_type = evt_type;
		m->v[m->n++].why = why;
	}
}

/* Why the kernel lacks the hook of @evt_type, or NULL if it has it. */
static const char *gap_of(const struct rules_missing_hooks *g, const char *evt_type)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (strcmp(g->v[i].evt_type, evt_type) == 0)
			return g->v[i].why;
	return NULL;
}

static bool hook_present(void *ctx, const char *evt_type)
{
	return !gap_of(ctx, evt_type);
}

static bool only(void *ctx, const char *evt_type)
{
	return strcmp(ctx, evt_type) == 0;
}

/* Does kind @k lose every evt.type to the gaps? */
static bool kind_blind(const struct rules_missing_hooks *g, unsigned int k)
{
	const char *const *names = kind_evt_types(k);
	size_t i;

	for (i = 0; names[i]; i++)
		if (!gap_of(g, names[i]))
			return false;
	return i > 0;
}

/*
 * The kinds rule @r can match only through the gaps; @need and @why receive
 * the missing evt.types it needs and why they are missing (comma-joined).
 */
static kindmask_t rule_lost_kinds(const struct rule *r, const struct rules_missing_hooks *g, struct strbuf *need,
				  struct strbuf *why)
{
	kindmask_t lost = 0;
	unsigned int k;
	size_t i;

	for (k = 1; k < BW_EV_MAX; k++) {
		const char *const *names = kind_evt_types(k);

		if (!(r->kinds & KIND_BIT(k)))
			continue;
		if (!kind_blind(g, k) && cnode_may_match(r->cond, k, hook_present, (void *)g))
			continue; /* the hooks this kernel has are enough (or the kind has no gap) */
		for (i = 0; names[i]; i++) {
			const char *gap = gap_of(g, names[i]);

			if (!gap || !cnode_may_match(r->cond, k, only, (void *)names[i]))
				continue;
			lost |= KIND_BIT(k);
			strbuf_addf(need, "%s%s", need->len ? ", " : "", names[i]);
			if (!why->buf || !strstr(why->buf, gap))
				strbuf_addf(why, "%s%s", why->len ? "; " : "", gap);
		}
	}
	return lost;
}

size_t rules__check_hooks(const struct rules *rs, const struct rules_missing_hooks *g, struct rules_diags *diags)
{
	size_t i, warned = 0;

	for (i = 0; g->n && i < rs->nrules; i++) {
		const struct rule *r = &rs->rules[i];
		struct strbuf need = STRBUF_INIT, why = STRBUF_INIT;
		kindmask_t lost;

		/* a rule without an evt.type restriction needs no particular hook (and is warned about already) */
		if (!r->enabled || !r->cond || r->kinds == KINDS_ALL)
			continue;
		lost = rule_lost_kinds(r, g, &need, &why);
		if (lost) {
			diag_add(diags, true, r->file, r->line, r->col,
				 "rule '%s' needs hooks this kernel lacks: %s (%s); %s", r->name, need.buf, why.buf,
				 r->kinds & ~lost ? "it fires only for its other event types" : "it never fires on this kernel");
			warned++;
		}
		strbuf_free(&need);
		strbuf_free(&why);
	}
	return warned;
}
