// SPDX-License-Identifier: Apache-2.0
#include "log.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jsonw.h"

static enum log_level min_level = LOG_INFO;
static const char *const level_names[] = { "debug", "info", "warn", "error" };
static const char *const format_names[] = { "auto", "json", "text" };
/* 0: not decided yet (the first line decides, as AUTO), else 1 + enum log_format (JSON or TEXT) */
static atomic_int line_format;

void log_set_level(enum log_level level)
{
	min_level = level;
}

void log_set_format(enum log_format format)
{
	bool text = format == LOG_FORMAT_TEXT || (format == LOG_FORMAT_AUTO && isatty(STDERR_FILENO));

	atomic_store(&line_format, 1 + (text ? LOG_FORMAT_TEXT : LOG_FORMAT_JSON));
}

int log_format_parse(const char *name, enum log_format *out)
{
	size_t i;

	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (strcmp(name, format_names[i]) == 0) {
			*out = (enum log_format)i;
			return 0;
		}
	return -EINVAL;
}

/*
 * A message on one terminal line: line breaks and tabs as \n \r \t, other
 * control characters (ESC, DEL, C1), U+2028/9 and bytes that are not UTF-8 as
 * \xNN or \uXXXX, so a file name in a message cannot move the cursor.
 */
static void text_escape(struct strbuf *sb, const char *msg)
{
	const unsigned char *s = (const unsigned char *)msg;
	size_t i = 0, n = strlen(msg), len;
	uint32_t cp;

	while (i < n) {
		if (s[i] == '\n' || s[i] == '\r' || s[i] == '\t') {
			strbuf_addc(sb, '\\');
			strbuf_addc(sb, s[i] == '\n' ? 'n' : s[i] == '\r' ? 'r' : 't');
			i++;
		} else if (s[i] < 0x20 || s[i] == 0x7f) {
			strbuf_addf(sb, "\\x%02x", s[i++]);
		} else if (s[i] < 0x80) {
			strbuf_addc(sb, (char)s[i++]);
		} else if ((len = jw_utf8_decode(s + i, n - i, &cp)) == 0) {
			strbuf_addf(sb, "\\x%02x", s[i++]);
		} else if (jw_cp_unsafe(cp)) {
			strbuf_addf(sb, "\\u%04x", cp);
			i += len;
		} else {
			strbuf_add(sb, s + i, len);
			i += len;
		}
	}
}

static void log_write(enum log_level level, const char *msg)
{
	char stamp[40];
	struct strbuf sb = STRBUF_INIT;

	if (!atomic_load(&line_format))
		log_set_format(LOG_FORMAT_AUTO);
	fmt_rfc3339_now(stamp, sizeof(stamp));
	if (atomic_load(&line_format) == 1 + LOG_FORMAT_TEXT) {
		/* "2026-12-06T07:10:59.123456789Z warn  message" */
		strbuf_addf(&sb, "%s %-5s ", stamp, level_names[level]);
		text_escape(&sb, msg);
	} else {
		jw_begin(&sb);
		jw_kstr(&sb, "time", stamp);
		jw_kstr(&sb, "level", level_names[level]);
		jw_kstr(&sb, "msg", msg);
		jw_end(&sb);
	}
	strbuf_addc(&sb, '\n');
	/* one write per line so concurrent threads never interleave inside a line */
	fwrite(sb.buf, 1, sb.len, stderr);
	fflush(stderr);
	strbuf_free(&sb);
}

static void log_vmsg(enum log_level level, int err, const char *fmt, va_list ap)
{
	char msg[2048];
	int n;

	if (level < min_level)
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		return;
	if (err && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(err < 0 ? -err : err));
	log_write(level, msg);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, 0, fmt, ap);
	va_end(ap);
}

void log_errno(enum log_level level, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, err, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	enum log_level level = lvl == LIBBPF_WARN ? LOG_WARN : LOG_DEBUG;
	char *msg = NULL;
	int n;

	if (level < min_level)
		return 0;
	/* verifier logs are long and their end holds the reason: keep them whole */
	n = vasprintf(&msg, fmt, ap);
	if (n < 0)
		return 0;
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_write(level, msg);
	free(msg);
	return 0;
}

void log_route_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
