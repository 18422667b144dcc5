// SPDX-License-Identifier: Apache-2.0
#include "jsonw.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t want = sb->len + extra + 1;
	char *p;

	if (want <= sb->cap)
		return;
	if (want < sb->cap * 2)
		want = sb->cap * 2;
	if (want < 256)
		want = 256;
	p = realloc(sb->buf, want);
	if (!p)
		abort(); /* out of memory while formatting: nothing sensible remains */
	sb->buf = p;
	sb->cap = want;
}

void strbuf_add(struct strbuf *sb, const void *data, size_t n)
{
	strbuf_grow(sb, n);
	memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	strbuf_grow(sb, n);
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, n + 1, fmt, ap);
	va_end(ap);
	sb->len += n;
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

void strbuf_free(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

/* A separator is due unless we are right after an opening bracket, a key, or at a line start. */
static void jw_sep(struct strbuf *sb)
{
	char last;

	if (sb->len == 0)
		return;
	last = sb->buf[sb->len - 1];
	if (last != '{' && last != '[' && last != ':' && last != '\n')
		strbuf_addc(sb, ',');
}

void jw_begin(struct strbuf *sb)
{
	jw_sep(sb);
	strbuf_addc(sb, '{');
}

void jw_end(struct strbuf *sb)
{
	strbuf_addc(sb, '}');
}

void jw_begin_arr(struct strbuf *sb)
{
	jw_sep(sb);
	strbuf_addc(sb, '[');
}

void jw_end_arr(struct strbuf *sb)
{
	strbuf_addc(sb, ']');
}

size_t jw_utf8_decode(const unsigned char *s, size_t n, uint32_t *cpp)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80) {
		*cpp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* reject overlong forms, surrogates and out-of-range code points */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	*cpp = cp;
	return len;
}

bool jw_cp_unsafe(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029;
}

/* A byte copied as it is inside the longest plain ASCII run. */
static bool plain_ascii(unsigned char c, unsigned flags)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && !(c == 0x7f && (flags & JW_ESC_UNSAFE));
}

void jw_escape(struct strbuf *sb, const char *str, size_t n, unsigned flags)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run, len;
	uint32_t cp;

	strbuf_grow(sb, n + 2);
	strbuf_addc(sb, '"');
	while (i < n) {
		unsigned char c = s[i];

		if (plain_ascii(c, flags)) {
			/* copy the longest plain ASCII run at once */
			for (run = i + 1; run < n && plain_ascii(s[run], flags); run++)
				;
			strbuf_add(sb, s + i, run - i);
			i = run;
			continue;
		}
		switch (c) {
		case '"': strbuf_add(sb, "\\\"", 2); i++; continue;
		case '\\': strbuf_add(sb, "\\\\", 2); i++; continue;
		case '\n': strbuf_add(sb, "\\n", 2); i++; continue;
		case '\r': strbuf_add(sb, "\\r", 2); i++; continue;
		case '\t': strbuf_add(sb, "\\t", 2); i++; continue;
		default: break;
		}
		len = c >= 0x80 ? jw_utf8_decode(s + i, n - i, &cp) : 0;
		if (len && !((flags & JW_ESC_UNSAFE) && jw_cp_unsafe(cp))) {
			strbuf_add(sb, s + i, len);
			i += len;
		} else if (len) {
			strbuf_addf(sb, "\\u%04x", cp);
			i += len;
		} else {
			/* control bytes and invalid UTF-8: the byte value as a code point */
			strbuf_addf(sb, "\\u%04x", c);
			i++;
		}
	}
	strbuf_addc(sb, '"');
}

void jw_strn(struct strbuf *sb, const char *str, size_t n)
{
	jw_sep(sb);
	jw_escape(sb, str, n, 0);
}

void jw_str(struct strbuf *sb, const char *s)
{
	jw_strn(sb, s, strlen(s));
}

void jw_key(struct strbuf *sb, const char *key)
{
	jw_str(sb, key);
	strbuf_addc(sb, ':');
}

/* Decimal digits without printf: numbers are most of an event's fields. */
static void add_u64(struct strbuf *sb, uint64_t v, bool negative)
{
	char digits[24];
	int i = sizeof(digits);

	do {
		digits[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	if (negative)
		digits[--i] = '-';
	strbuf_add(sb, digits + i, sizeof(digits) - i);
}

void jw_int(struct strbuf *sb, int64_t v)
{
	jw_sep(sb);
	add_u64(sb, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0);
}

void jw_uint(struct strbuf *sb, uint64_t v)
{
	jw_sep(sb);
	add_u64(sb, v, false);
}

void jw_bool(struct strbuf *sb, bool v)
{
	jw_sep(sb);
	strbuf_add(sb, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(struct strbuf *sb)
{
	jw_sep(sb);
	strbuf_add(sb, "null", 4);
}

void jw_kobj(struct strbuf *sb, const char *key)
{
	jw_key(sb, key);
	jw_begin(sb);
}

void jw_karr(struct strbuf *sb, const char *key)
{
	jw_key(sb, key);
	jw_begin_arr(sb);
}

void jw_kstr(struct strbuf *sb, const char *key, const char *s)
{
	jw_key(sb, key);
	jw_str(sb, s);
}

void jw_kstrn(struct strbuf *sb, const char *key, const char *s, size_t n)
{
	jw_key(sb, key);
	jw_strn(sb, s, n);
}

void jw_kint(struct strbuf *sb, const char *key, int64_t v)
{
	jw_key(sb, key);
	jw_int(sb, v);
}

void jw_kuint(struct strbuf *sb, const char *key, uint64_t v)
{
	jw_key(sb, key);
	jw_uint(sb, v);
}

void jw_kbool(struct strbuf *sb, const char *key, bool v)
{
	jw_key(sb, key);
	jw_bool(sb, v);
}

size_t fmt_rfc3339_now(char *out, size_t size)
{
	uint64_t ns = util_clock_ns(CLOCK_REALTIME);

	return fmt_rfc3339(out, size, ns / 1000000000, ns % 1000000000);
}

size_t fmt_rfc3339(char *out, size_t size, time_t sec, long nsec)
{
	/* events arrive in bursts within one second: format the date part once per second */
	static __thread time_t cached_sec = -1;
	static __thread char cached[32];
	static __thread size_t cached_len;
	size_t n;
	int i;

	if (sec != cached_sec) {
		struct tm tm;

		gmtime_r(&sec, &tm);
		cached_len = strftime(cached, sizeof(cached), "%Y-%m-%dT%H:%M:%S", &tm);
		cached_sec = sec;
	}
	n = cached_len;
	if (n == 0 || n + 12 > size)
		return 0;
	memcpy(out, cached, n);
	out[n++] = '.';
	for (i = 8; i >= 0; i--, nsec /= 10)
		out[n + i] = '0' + nsec % 10;
	n += 9;
	out[n++] = 'Z';
	out[n] = '\0';
	return n;
}
