/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A growable byte buffer and a minimal streaming JSON writer. Every string
 * goes through jw_strn, which escapes quotes, backslashes and control bytes and
 * turns bytes that are not valid UTF-8 into \u00XX, so that no file name or
 * argument from the kernel can break or forge a JSON line.
 */
#ifndef BULWARK_JSONW_H
#define BULWARK_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
};
#define STRBUF_INIT { NULL, 0, 0 }

void strbuf_grow(struct strbuf *sb, size_t extra); /* room for extra bytes and a NUL */
void strbuf_add(struct strbuf *sb, const void *data, size_t n);
static inline void strbuf_addc(struct strbuf *sb, char c)
{
	if (sb->len + 2 > sb->cap)
		strbuf_grow(sb, 1);
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_reset(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);

/* Values; a comma is inserted automatically between members and elements. */
void jw_begin(struct strbuf *sb);           /* { */
void jw_end(struct strbuf *sb);             /* } */
void jw_begin_arr(struct strbuf *sb);       /* [ */
void jw_end_arr(struct strbuf *sb);         /* ] */
void jw_key(struct strbuf *sb, const char *key);
void jw_strn(struct strbuf *sb, const char *s, size_t n);
void jw_str(struct strbuf *sb, const char *s);
void jw_int(struct strbuf *sb, int64_t v);
void jw_uint(struct strbuf *sb, uint64_t v);
void jw_bool(struct strbuf *sb, bool v);
void jw_null(struct strbuf *sb);

/* key + value shorthands */
void jw_kobj(struct strbuf *sb, const char *key);
void jw_karr(struct strbuf *sb, const char *key);
void jw_kstr(struct strbuf *sb, const char *key, const char *s);
void jw_kstrn(struct strbuf *sb, const char *key, const char *s, size_t n);
void jw_kint(struct strbuf *sb, const char *key, int64_t v);
void jw_kuint(struct strbuf *sb, const char *key, uint64_t v);
void jw_kbool(struct strbuf *sb, const char *key, bool v);

/*
 * The one JSON string escaper: s (n bytes, any content) as a quoted JSON
 * string, without a separator. Quotes, backslashes and control bytes are
 * escaped, bytes that are not valid UTF-8 become \u00XX. JW_ESC_UNSAFE also
 * escapes what some consumer takes for a line break or a terminal command:
 * DEL, C1 controls, U+2028 and U+2029 (the alert formats of agent/output).
 */
#define JW_ESC_UNSAFE 1u
void jw_escape(struct strbuf *sb, const char *s, size_t n, unsigned flags);
/* Length of a valid UTF-8 sequence at s (at most n bytes) with its code point in *cp, or 0 if invalid. */
size_t jw_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* C0 and C1 controls, DEL, U+2028, U+2029. */
bool jw_cp_unsafe(uint32_t cp);

/* "2026-11-22T01:45:02.123456789Z" (RFC 3339, UTC, nanoseconds); returns the length. */
size_t fmt_rfc3339(char *out, size_t size, time_t sec, long nsec);
/* The same for CLOCK_REALTIME now. */
size_t fmt_rfc3339_now(char *out, size_t size);

#endif
