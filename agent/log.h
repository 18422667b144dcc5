/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one log module: levels, errno-aware variants, one line per message on
 * stderr: JSON lines, or plain text lines for a person at a terminal.
 */
#ifndef BULWARK_LOG_H
#define BULWARK_LOG_H

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };

/* AUTO: text when stderr is a terminal, JSON lines when it is a pipe or a file. */
enum log_format { LOG_FORMAT_AUTO = 0, LOG_FORMAT_JSON, LOG_FORMAT_TEXT };

void log_set_level(enum log_level level);
void log_set_format(enum log_format format);
/* "auto", "json", "text": 0, or -EINVAL. */
int log_format_parse(const char *name, enum log_format *out);
/* Routes libbpf's own messages through this module (warnings and errors only, unless debug). */
void log_route_libbpf(void);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Like log_msg, with ": <strerror(err)>" appended; err is a positive or negative errno. */
void log_errno(enum log_level level, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
