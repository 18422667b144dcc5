/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Lexing of Falco conditions. Falco's grammar is lexed on demand: whether
 * "a.b" is a field, a macro or a bare string depends on where the parser is,
 * so the lexer offers one matcher per token class over a cursor instead of a
 * token stream. The classes follow libsinsp's filter parser.
 */
#ifndef BULWARK_RULES_LEXER_H
#define BULWARK_RULES_LEXER_H

#include <stdbool.h>
#include <stddef.h>

struct lexer {
	const char *s;
	size_t len;
	size_t pos;
};

/* The span of the last matched token. */
struct lex_tok {
	size_t start, len;
};

bool lex_at_end(const struct lexer *l);
bool lex_blank(struct lexer *l);                    /* whitespace; true if any */
bool lex_char(struct lexer *l, char c);
/* A keyword (and, or, not, exists, contains...) not followed by a name character. */
bool lex_keyword(struct lexer *l, const char *kw);
bool lex_field_name(struct lexer *l, struct lex_tok *t); /* [a-zA-Z][a-zA-Z0-9_]*(\.[a-zA-Z][a-zA-Z0-9_]*)+ */
bool lex_identifier(struct lexer *l, struct lex_tok *t); /* [a-zA-Z][a-zA-Z0-9_]* */
bool lex_field_arg(struct lexer *l, struct lex_tok *t);  /* [^][\"' \t\r\n]+ */
bool lex_bare_str(struct lexer *l, struct lex_tok *t);   /* [^()\"' \t\r\n=,]+ */
/*
 * A quoted string ('...' or "...", backslash escapes). Returns 1 and the
 * unescaped text in out (size out_size, needs at most the token's length),
 * 0 if no quote is here, -1 if it is not terminated.
 */
int lex_quoted(struct lexer *l, char *out, size_t out_size, size_t *out_len, struct lex_tok *t);
/* A comparison operator (enum cop) or -1; word operators need a boundary after them. */
int lex_operator(struct lexer *l, struct lex_tok *t);

#endif
