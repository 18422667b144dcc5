// SPDX-License-Identifier: Apache-2.0
#include "log.h"

#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonw.h"

static enum log_level min_level = LOG_INFO;
static const char *const level_names[] = { "debug", "info", "warn", "error" };

void log_set_level(enum log_level level)
{
	min_level = level;
}

static void log_write(enum log_level level, const char *msg)
{
	char stamp[40];
	struct strbuf sb = STRBUF_INIT;

	fmt_rfc3339_now(stamp, sizeof(stamp));
	jw_begin(&sb);
	jw_kstr(&sb, "time", stamp);
	jw_kstr(&sb, "level", level_names[level]);
	jw_kstr(&sb, "msg", msg);
	jw_end(&sb);
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
