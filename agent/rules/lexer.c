// SPDX-License-Identifier: Apache-2.0
#include "lexer.h"

#include <string.h>

#include "internal.h"

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_name_char(char c)
{
	return is_alpha(c) || is_digit(c) || c == '_';
}

static bool is_blank(char c)
{
	/* libsinsp's set: space, tab, backspace, CR, LF */
	return c == ' ' || c == '\t' || c == '\b' || c == '\r' || c == '\n';
}

static char peek(const struct lexer *l, size_t ahead)
{
	return l->pos + ahead < l->len ? l->s[l->pos + ahead] : '\0';
}

bool lex_at_end(const struct lexer *l)
{
	return l->pos >= l->len;
}

bool lex_blank(struct lexer *l)
{
	size_t start = l->pos;

	while (l->pos < l->len && is_blank(l->s[l->pos]))
		l->pos++;
	return l->pos > start;
}

bool lex_char(struct lexer *l, char c)
{
	if (peek(l, 0) != c || lex_at_end(l))
		return false;
	l->pos++;
	return true;
}

bool lex_keyword(struct lexer *l, const char *kw)
{
	size_t n = strlen(kw);

	if (l->len - l->pos < n || memcmp(l->s + l->pos, kw, n) != 0)
		return false;
	if (is_name_char(peek(l, n)) || peek(l, n) == '.')
		return false;
	l->pos += n;
	return true;
}

/* [a-zA-Z][a-zA-Z0-9_]* at l->pos + off; returns its length (0: none). */
static size_t ident_len(const struct lexer *l, size_t off)
{
	size_t n = 0;

	if (!is_alpha(peek(l, off)))
		return 0;
	while (is_name_char(peek(l, off + n)))
		n++;
	return n;
}

bool lex_field_name(struct lexer *l, struct lex_tok *t)
{
	size_t n = ident_len(l, 0), seg;
	int dots = 0;

	if (!n)
		return false;
	while (peek(l, n) == '.' && (seg = ident_len(l, n + 1)) > 0) {
		n += 1 + seg;
		dots++;
	}
	if (!dots)
		return false;
	t->start = l->pos;
	t->len = n;
	l->pos += n;
	return true;
}

bool lex_identifier(struct lexer *l, struct lex_tok *t)
{
	size_t n = ident_len(l, 0);

	if (!n)
		return false;
	t->start = l->pos;
	t->len = n;
	l->pos += n;
	return true;
}

static bool lex_span(struct lexer *l, struct lex_tok *t, const char *stop)
{
	size_t n = 0;

	while (l->pos + n < l->len && !is_blank(l->s[l->pos + n]) && !strchr(stop, l->s[l->pos + n]))
		n++;
	if (!n)
		return false;
	t->start = l->pos;
	t->len = n;
	l->pos += n;
	return true;
}

bool lex_field_arg(struct lexer *l, struct lex_tok *t)
{
	return lex_span(l, t, "[]\"'");
}

bool lex_bare_str(struct lexer *l, struct lex_tok *t)
{
	return lex_span(l, t, "()\"'=,");
}

int lex_quoted(struct lexer *l, char *out, size_t out_size, size_t *out_len, struct lex_tok *t)
{
	char q = peek(l, 0);
	size_t i, n = 0;
	bool esc = false;

	if ((q != '"' && q != '\'') || lex_at_end(l))
		return 0;
	for (i = l->pos + 1; i < l->len; i++) {
		char c = l->s[i];

		if (esc) {
			switch (c) {
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			default: break; /* \" \' \\ and anything else: the character itself */
			}
			esc = false;
		} else if (c == '\\') {
			esc = true;
			continue;
		} else if (c == q) {
			if (n < out_size)
				out[n] = '\0';
			*out_len = n;
			t->start = l->pos;
			t->len = i + 1 - l->pos;
			l->pos = i + 1;
			return 1;
		}
		if (n + 1 < out_size)
			out[n++] = c;
	}
	return -1;
}

int lex_operator(struct lexer *l, struct lex_tok *t)
{
	/* symbols, longest first */
	static const struct {
		const char *s;
		int op;
	} syms[] = {
		{ "<=", OP_LE }, { ">=", OP_GE }, { "==", OP_EQ }, { "!=", OP_NE },
		{ "<", OP_LT },  { ">", OP_GT },  { "=", OP_EQ },
	};
	static const int words[] = {
		OP_EXISTS, OP_CONTAINS, OP_ICONTAINS, OP_BCONTAINS, OP_STARTSWITH, OP_BSTARTSWITH, OP_ENDSWITH,
		OP_GLOB, OP_IGLOB, OP_REGEX, OP_INTERSECTS, OP_IN, OP_PMATCH,
	};
	size_t i, start = l->pos;

	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		size_t n = strlen(syms[i].s);

		if (l->len - l->pos >= n && memcmp(l->s + l->pos, syms[i].s, n) == 0) {
			l->pos += n;
			t->start = start;
			t->len = n;
			return syms[i].op;
		}
	}
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (lex_keyword(l, cop_name(words[i]))) {
			t->start = start;
			t->len = l->pos - start;
			return words[i];
		}
	}
	return -1;
}
