// SPDX-License-Identifier: Apache-2.0
/*
 * Falco condition parser (recursive descent, libsinsp's grammar):
 *
 *   Or    ::= And ('or' And)*
 *   And   ::= Not ('and' Not)*
 *   Not   ::= 'not'* Check | 'not(' Or ')'
 *   Check ::= '(' Or ')' | Field Op Value | Field 'exists' | Identifier (a macro)
 *   Field ::= name.name[.name...] ('[' arg ']')?
 *   Value ::= quoted | bare  |  '(' (value (',' value)*)? ')' | list-name   (list operators)
 *
 * The tree keeps the offset of every node and value so that errors found
 * later (unknown fields, bad values) point into the condition text.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "lexer.h"

static const char *const op_names[OP_MAX] = {
	[OP_EQ] = "=", [OP_NE] = "!=", [OP_LT] = "<", [OP_LE] = "<=", [OP_GT] = ">", [OP_GE] = ">=",
	[OP_CONTAINS] = "contains", [OP_ICONTAINS] = "icontains", [OP_BCONTAINS] = "bcontains",
	[OP_STARTSWITH] = "startswith", [OP_BSTARTSWITH] = "bstartswith", [OP_ENDSWITH] = "endswith",
	[OP_GLOB] = "glob", [OP_IGLOB] = "iglob", [OP_REGEX] = "regex", [OP_IN] = "in",
	[OP_INTERSECTS] = "intersects", [OP_PMATCH] = "pmatch", [OP_EXISTS] = "exists",
};

const char *cop_name(unsigned int op)
{
	return op < OP_MAX ? op_names[op] : "?";
}

int cop_from_name(const char *s, size_t len)
{
	unsigned int i;

	if (len == 2 && memcmp(s, "==", 2) == 0)
		return OP_EQ;
	for (i = 0; i < OP_MAX; i++)
		if (strlen(op_names[i]) == len && memcmp(op_names[i], s, len) == 0)
			return i;
	return -1;
}

bool cop_takes_list(unsigned int op)
{
	return op == OP_IN || op == OP_INTERSECTS || op == OP_PMATCH;
}

struct parser {
	struct lexer lx;
	struct arena *a;
	unsigned int depth;
	bool failed;
	uint32_t err_pos;
	char *msg;
	size_t msg_size;
	char *tmp; /* unescape buffer, as long as the input */
};

static void *fail(struct parser *p, size_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void *fail(struct parser *p, size_t pos, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return NULL;
	p->failed = true;
	p->err_pos = pos;
	va_start(ap, fmt);
	vsnprintf(p->msg, p->msg_size, fmt, ap);
	va_end(ap);
	return NULL;
}

/* A short quote of the text at @pos for messages. */
static const char *near(struct parser *p, size_t pos, char *buf, size_t size)
{
	size_t n = 0;

	while (pos + n < p->lx.len && n + 1 < size && n < 20 && p->lx.s[pos + n] != '\n')
		n++;
	memcpy(buf, p->lx.s + pos, n);
	buf[n] = '\0';
	return n ? buf : "end of condition";
}

static struct ast *node(struct parser *p, enum ast_kind kind, size_t pos)
{
	struct ast *n = arena_alloc(p->a, sizeof(*n));

	if (!n)
		return fail(p, pos, "out of memory");
	n->kind = kind;
	n->pos = pos;
	return n;
}

/* Growable temporary array of children, copied into the arena when complete. */
struct kids {
	struct ast **v;
	size_t n, cap;
};

static bool kids_push(struct parser *p, struct kids *k, struct ast *a)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 4;
		struct ast **v = realloc(k->v, cap * sizeof(*v));

		if (!v) {
			fail(p, p->lx.pos, "out of memory");
			return false;
		}
		k->v = v;
		k->cap = cap;
	}
	k->v[k->n++] = a;
	return true;
}

static struct ast *kids_finish(struct parser *p, struct kids *k, enum ast_kind kind, size_t pos)
{
	struct ast *n = NULL;

	if (k->n == 1) {
		n = k->v[0];
	} else if ((n = node(p, kind, pos))) {
		n->kids = arena_alloc(p->a, k->n * sizeof(*n->kids));
		if (!n->kids)
			n = fail(p, pos, "out of memory");
		else {
			memcpy(n->kids, k->v, k->n * sizeof(*n->kids));
			n->n = k->n;
		}
	}
	free(k->v);
	return n;
}

static struct ast *parse_or(struct parser *p);

static bool enter(struct parser *p)
{
	if (++p->depth > RULES_DEPTH_MAX) {
		fail(p, p->lx.pos, "condition nested deeper than %d levels", RULES_DEPTH_MAX);
		return false;
	}
	return true;
}

/* After '(' : Or ')' */
static struct ast *parse_embedded(struct parser *p, size_t open_pos)
{
	struct ast *e;

	lex_blank(&p->lx);
	e = parse_or(p);
	if (!e)
		return NULL;
	lex_blank(&p->lx);
	if (!lex_char(&p->lx, ')'))
		return fail(p, p->lx.pos, "expected ')' to close the '(' at offset %zu", open_pos);
	return e;
}

/* A value: quoted or bare; NULL-safe on "not here" (returns false without failing). */
static bool parse_value(struct parser *p, struct ast_val *v)
{
	struct lex_tok t;
	size_t len;
	int q = lex_quoted(&p->lx, p->tmp, p->lx.len + 1, &len, &t);

	if (q < 0) {
		fail(p, p->lx.pos, "unterminated quoted string");
		return false;
	}
	if (q > 0) {
		v->s = arena_strndup(p->a, p->tmp, len);
		v->len = len;
		v->pos = t.start;
		v->quoted = true;
	} else if (lex_bare_str(&p->lx, &t)) {
		v->s = arena_strndup(p->a, p->lx.s + t.start, t.len);
		v->len = t.len;
		v->pos = t.start;
	} else {
		return false;
	}
	if (!v->s) {
		fail(p, t.start, "out of memory");
		return false;
	}
	return true;
}

static bool parse_list(struct parser *p, struct ast *n)
{
	struct ast_val *vals = NULL;
	size_t cnt = 0, cap = 0;
	size_t open = p->lx.pos - 1;
	bool ok = false;

	lex_blank(&p->lx);
	if (lex_char(&p->lx, ')')) {
		ok = true;
		goto done;
	}
	for (;;) {
		struct ast_val v = { 0 };

		lex_blank(&p->lx);
		if (!parse_value(p, &v)) {
			char b[32];

			if (!p->failed)
				fail(p, p->lx.pos, "expected a list value, got '%s'", near(p, p->lx.pos, b, sizeof(b)));
			goto done;
		}
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct ast_val *nv = realloc(vals, nc * sizeof(*nv));

			if (!nv) {
				fail(p, v.pos, "out of memory");
				goto done;
			}
			vals = nv;
			cap = nc;
		}
		vals[cnt++] = v;
		lex_blank(&p->lx);
		if (lex_char(&p->lx, ','))
			continue;
		if (lex_char(&p->lx, ')'))
			break;
		fail(p, p->lx.pos, "expected ',' or ')' in the list opened at offset %zu", open);
		goto done;
	}
	ok = true;
done:
	if (ok && cnt) {
		n->vals = arena_alloc(p->a, cnt * sizeof(*vals));
		if (!n->vals) {
			fail(p, open, "out of memory");
			ok = false;
		} else {
			memcpy(n->vals, vals, cnt * sizeof(*vals));
			n->n = cnt;
		}
	}
	free(vals);
	n->list = true;
	return ok;
}

/* Field Op Value, with the field already lexed. */
static struct ast *parse_condition(struct parser *p, struct ast *n)
{
	struct lex_tok t;
	int op;
	char b[32];

	lex_blank(&p->lx);
	n->op_pos = p->lx.pos;
	op = lex_operator(&p->lx, &t);
	if (op < 0) {
		if (lex_at_end(&p->lx))
			return fail(p, p->lx.pos, "expected an operator after '%.*s'", (int)n->name_len, n->name);
		if (lex_identifier(&p->lx, &t))
			return fail(p, t.start, "unknown operator '%.*s'", (int)t.len, p->lx.s + t.start);
		return fail(p, p->lx.pos, "expected an operator, got '%s'", near(p, p->lx.pos, b, sizeof(b)));
	}
	n->op = op;
	if (op == OP_EXISTS)
		return n;
	lex_blank(&p->lx);
	if (cop_takes_list(op)) {
		if (lex_char(&p->lx, '('))
			return parse_list(p, n) ? n : NULL;
		if (lex_identifier(&p->lx, &t)) {
			/* a list name without parentheses */
			n->vals = arena_alloc(p->a, sizeof(*n->vals));
			if (!n->vals)
				return fail(p, t.start, "out of memory");
			n->vals[0] = (struct ast_val){ arena_strndup(p->a, p->lx.s + t.start, t.len), t.len, t.start, false };
			n->n = 1;
			n->list = true;
			n->list_name = true;
			return n;
		}
		return fail(p, p->lx.pos, "expected a list '(...)' or a list name after '%s'", cop_name(op));
	}
	if (op != OP_LT && op != OP_LE && op != OP_GT && op != OP_GE) {
		/* "op oneof|anyof|allof (list)": a modifier only if a list or a list name follows */
		static const char *const mods[] = { NULL, "oneof", "anyof", "allof" };
		size_t save = p->lx.pos;
		int m;

		for (m = MOD_ONEOF; m <= MOD_ALLOF; m++) {
			if (!lex_keyword(&p->lx, mods[m]))
				continue;
			lex_blank(&p->lx);
			if (lex_char(&p->lx, '(')) {
				n->mod = m;
				return parse_list(p, n) ? n : NULL;
			}
			if (!lex_keyword(&p->lx, "and") && !lex_keyword(&p->lx, "or") && !lex_keyword(&p->lx, "not") &&
			    lex_identifier(&p->lx, &t)) {
				n->mod = m;
				n->vals = arena_alloc(p->a, sizeof(*n->vals));
				if (!n->vals)
					return fail(p, t.start, "out of memory");
				n->vals[0] = (struct ast_val){ arena_strndup(p->a, p->lx.s + t.start, t.len), t.len, t.start,
							       false };
				n->n = 1;
				n->list = n->list_name = true;
				return n;
			}
			break;
		}
		p->lx.pos = save;
	}
	n->vals = arena_alloc(p->a, sizeof(*n->vals));
	if (!n->vals)
		return fail(p, p->lx.pos, "out of memory");
	if (!parse_value(p, &n->vals[0])) {
		if (p->failed)
			return NULL;
		return fail(p, p->lx.pos, "expected a value after '%s', got '%s'", cop_name(op),
			    near(p, p->lx.pos, b, sizeof(b)));
	}
	n->n = 1;
	return n;
}

static struct ast *parse_check(struct parser *p)
{
	struct lex_tok t;
	struct ast *n;
	size_t pos;
	char b[32];

	lex_blank(&p->lx);
	pos = p->lx.pos;
	if (lex_char(&p->lx, '('))
		return parse_embedded(p, pos);
	if (lex_field_name(&p->lx, &t)) {
		if (!(n = node(p, AST_CHECK, pos)))
			return NULL;
		n->name = p->lx.s + t.start;
		n->name_len = t.len;
		if (lex_char(&p->lx, '[')) {
			struct lex_tok at;
			size_t vlen;
			int q;

			n->arg_pos = p->lx.pos;
			q = lex_quoted(&p->lx, p->tmp, p->lx.len + 1, &vlen, &at);
			if (q > 0) {
				n->arg = arena_strndup(p->a, p->tmp, vlen);
				n->arg_len = vlen;
			} else if (q == 0 && lex_field_arg(&p->lx, &at)) {
				n->arg = arena_strndup(p->a, p->lx.s + at.start, at.len);
				n->arg_len = at.len;
			} else {
				return fail(p, n->arg_pos, "expected a field argument after '['");
			}
			if (!n->arg)
				return fail(p, n->arg_pos, "out of memory");
			n->has_arg = true;
			if (!lex_char(&p->lx, ']'))
				return fail(p, p->lx.pos, "expected ']' after the field argument");
		}
		return parse_condition(p, n);
	}
	if (lex_identifier(&p->lx, &t)) {
		if (p->lx.pos < p->lx.len && p->lx.s[p->lx.pos] == '(')
			return fail(p, t.start, "field transformers such as '%.*s(...)' are not supported", (int)t.len,
				    p->lx.s + t.start);
		if ((t.len == 3 && memcmp(p->lx.s + t.start, "and", 3) == 0) ||
		    (t.len == 2 && memcmp(p->lx.s + t.start, "or", 2) == 0))
			return fail(p, t.start, "expected a field check, a macro name or '(' before '%.*s'", (int)t.len,
				    p->lx.s + t.start);
		if (!(n = node(p, AST_IDENT, pos)))
			return NULL;
		n->name = p->lx.s + t.start;
		n->name_len = t.len;
		return n;
	}
	if (lex_at_end(&p->lx))
		return fail(p, pos, "unexpected end of condition: expected a field check, a macro name or '('");
	return fail(p, pos, "expected a field check, a macro name or '(', got '%s'", near(p, pos, b, sizeof(b)));
}

static struct ast *parse_not(struct parser *p)
{
	struct ast *child, *n;
	bool negate = false;
	size_t pos;

	if (!enter(p))
		return NULL;
	lex_blank(&p->lx);
	pos = p->lx.pos;
	for (;;) {
		size_t save = p->lx.pos;

		if (lex_keyword(&p->lx, "not")) {
			if (lex_blank(&p->lx)) {
				negate = !negate;
				continue;
			}
			if (lex_char(&p->lx, '(')) {
				negate = !negate;
				child = parse_embedded(p, p->lx.pos - 1);
				goto out;
			}
			p->lx.pos = save;
		}
		break;
	}
	child = parse_check(p);
out:
	p->depth--;
	if (!child || !negate)
		return child;
	if (!(n = node(p, AST_NOT, pos)))
		return NULL;
	n->kids = arena_alloc(p->a, sizeof(*n->kids));
	if (!n->kids)
		return fail(p, pos, "out of memory");
	n->kids[0] = child;
	n->n = 1;
	return n;
}

/* Shared by and/or: items separated by @kw, each parsed by @item. */
static struct ast *parse_seq(struct parser *p, const char *kw, enum ast_kind kind, struct ast *(*item)(struct parser *))
{
	struct kids k = { 0 };
	struct ast *e;
	size_t pos;

	if (!enter(p))
		return NULL;
	lex_blank(&p->lx);
	pos = p->lx.pos;
	e = item(p);
	if (!e || !kids_push(p, &k, e))
		goto fail;
	lex_blank(&p->lx);
	while (lex_keyword(&p->lx, kw)) {
		if (!lex_blank(&p->lx)) {
			if (!lex_char(&p->lx, '(')) {
				fail(p, p->lx.pos, "expected a blank or '(' after '%s'", kw);
				goto fail;
			}
			e = parse_embedded(p, p->lx.pos - 1);
		} else {
			e = item(p);
		}
		if (!e || !kids_push(p, &k, e))
			goto fail;
		lex_blank(&p->lx);
	}
	p->depth--;
	return kids_finish(p, &k, kind, pos);
fail:
	p->depth--;
	free(k.v);
	return NULL;
}

static struct ast *parse_and(struct parser *p)
{
	return parse_seq(p, "and", AST_AND, parse_not);
}

static struct ast *parse_or(struct parser *p)
{
	return parse_seq(p, "or", AST_OR, parse_and);
}

struct ast *cond_parse(struct arena *a, const char *text, size_t len, uint32_t *err_pos, char *msg, size_t msg_size)
{
	struct parser p = { .lx = { text, len, 0 }, .a = a, .msg = msg, .msg_size = msg_size };
	struct ast *root = NULL;
	char b[32];

	p.tmp = malloc(len + 1);
	if (!p.tmp) {
		snprintf(msg, msg_size, "out of memory");
		*err_pos = 0;
		return NULL;
	}
	lex_blank(&p.lx);
	if (lex_at_end(&p.lx)) {
		fail(&p, 0, "condition is empty");
		goto out;
	}
	root = parse_or(&p);
	if (!root)
		goto out;
	lex_blank(&p.lx);
	if (!lex_at_end(&p.lx))
		root = fail(&p, p.lx.pos, "unexpected '%s': expected 'and', 'or' or the end of the condition",
			    near(&p, p.lx.pos, b, sizeof(b)));
out:
	free(p.tmp);
	if (!root)
		*err_pos = p.err_pos;
	return root;
}
