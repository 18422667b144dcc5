/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test-side driver of `bulwark trace`: start it, wait until its sensor is
 * ready, collect the JSON lines it prints and find events in them.
 */
#ifndef BULWARK_TEST_TRACER_H
#define BULWARK_TEST_TRACER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Starts bulwark with argv (argv[0] is the binary), stderr to errfile; 0 once "sensor ready" is logged. */
int tracer_start(char *const argv[], const char *errfile);
/* SIGTERM, wait; returns the exit status (as waitpid gives it) or -1. */
int tracer_stop(void);
void tracer_kill(void);
/* Reads what the tracer printed for up to timeout_ms; every line must be valid JSON (else counted). */
void tracer_pump(int timeout_ms);
/* Keeps reading for the whole duration (to be sure nothing more arrives). */
void tracer_drain(int ms);
int tracer_bad_lines(void);

typedef bool (*event_pred)(json_t *ev, const void *arg);
/* The first event of type (and pid, if > 0) matching pred (may be NULL), waiting up to timeout_ms. */
json_t *tracer_find(const char *type, pid_t pid, event_pred pred, const void *arg, int timeout_ms);
int tracer_count(const char *type, pid_t pid, event_pred pred, const void *arg);
/* Alerts (lines of `bulwark run`): the first with this rule name matching pred, waiting up to timeout_ms. */
json_t *tracer_find_alert(const char *rule, event_pred pred, const void *arg, int timeout_ms);
/* Alerts seen so far with this rule name (NULL: any rule) matching pred. */
int tracer_count_alerts(const char *rule, event_pred pred, const void *arg);
/* An alert's output field ("container.id"), as a string; NULL if absent or not a string. */
const char *alert_field(json_t *alert, const char *field);

/* Dotted-path accessors ("proc.ancestors", "file.name"); absent → NULL / -999999 / false. */
json_t *jget(json_t *ev, const char *path);
const char *jstr(json_t *ev, const char *path);
long long jint(json_t *ev, const char *path);
bool jbool(json_t *ev, const char *path);
/* Does the JSON array at path contain the string s? */
bool jarray_has(json_t *ev, const char *path, const char *s);

bool file_contains(const char *path, const char *needle);
/* Runs a shell command (printf-style); its first output line, trimmed, into out if given. Returns its exit status. */
int sh(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
long now_ms(void);

#endif
