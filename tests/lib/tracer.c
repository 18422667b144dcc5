// SPDX-License-Identifier: Apache-2.0
#include "tracer.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BACKLOG_MAX 200000

static pid_t tracer_pid = -1;
static int tracer_out = -1;
static char linebuf[1 << 20];
static size_t linebuf_len;
static json_t *backlog[BACKLOG_MAX];
static size_t backlog_len;
static int bad_lines;

long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool file_contains(const char *path, const char *needle)
{
	static char buf[1 << 20];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

int sh(char *out, size_t size, const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	FILE *p;
	int status;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (out) {
		out[0] = '\0';
		if (fgets(out, size, p))
			out[strcspn(out, "\n")] = '\0';
	}
	while (fgetc(p) != EOF)
		;
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void backlog_add(json_t *ev)
{
	if (backlog_len == BACKLOG_MAX) {
		/* drop the oldest half: tests look at recent events */
		size_t i, half = BACKLOG_MAX / 2;

		for (i = 0; i < half; i++)
			json_decref(backlog[i]);
		memmove(backlog, backlog + half, (BACKLOG_MAX - half) * sizeof(*backlog));
		backlog_len -= half;
	}
	backlog[backlog_len++] = ev;
}

void tracer_pump(int timeout_ms)
{
	struct pollfd pfd = { .fd = tracer_out, .events = POLLIN };
	ssize_t n;
	char *nl;

	if (tracer_out < 0 || poll(&pfd, 1, timeout_ms) <= 0)
		return;
	n = read(tracer_out, linebuf + linebuf_len, sizeof(linebuf) - 1 - linebuf_len);
	if (n <= 0)
		return;
	linebuf_len += n;
	while ((nl = memchr(linebuf, '\n', linebuf_len))) {
		json_error_t jerr;
		json_t *ev = json_loadb(linebuf, nl - linebuf, 0, &jerr);

		if (ev)
			backlog_add(ev);
		else if (bad_lines++ < 5)
			fprintf(stderr, "    invalid JSON line from trace: %s: %.*s\n", jerr.text,
				(int)(nl - linebuf > 300 ? 300 : nl - linebuf), linebuf);
		linebuf_len -= nl + 1 - linebuf;
		memmove(linebuf, nl + 1, linebuf_len);
	}
}

void tracer_drain(int ms)
{
	long deadline = now_ms() + ms;

	while (now_ms() < deadline)
		tracer_pump(deadline - now_ms());
}

int tracer_bad_lines(void)
{
	return bad_lines;
}

int tracer_start(char *const argv[], const char *errfile)
{
	int pipefd[2];
	long deadline;

	if (pipe2(pipefd, O_CLOEXEC))
		return -1;
	tracer_pid = fork();
	if (tracer_pid == 0) {
		int errfd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(pipefd[1], 1);
		dup2(errfd, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pipefd[1]);
	tracer_out = pipefd[0];
	/* loading takes seconds here, about a minute under emulation (the test VM) on a busy machine */
	deadline = now_ms() + 180000;
	while (now_ms() < deadline) {
		if (file_contains(errfile, "sensor ready"))
			return 0;
		if (waitpid(tracer_pid, NULL, WNOHANG) == tracer_pid) {
			tracer_pid = -1;
			break;
		}
		tracer_pump(50);
	}
	fprintf(stderr, "tracer did not become ready; see %s\n", errfile);
	{
		/* its last words, for runs whose files are gone afterwards (the test VM) */
		char cmd[PATH_MAX + 32];

		snprintf(cmd, sizeof(cmd), "tail -n 5 '%s' >&2", errfile);
		if (system(cmd) != 0)
			fprintf(stderr, "(cannot show %s)\n", errfile);
	}
	return -1;
}

int tracer_stop(void)
{
	long deadline;
	int status = -1;

	if (tracer_pid <= 0)
		return -1;
	tracer_pump(200);
	kill(tracer_pid, SIGTERM);
	/*
	 * Keep reading while it stops: an agent flushing more than a pipe's worth of
	 * lines at exit would otherwise block on its stdout, and we on waitpid.
	 */
	deadline = now_ms() + 30000;
	while (waitpid(tracer_pid, &status, WNOHANG) == 0) {
		if (now_ms() > deadline) {
			kill(tracer_pid, SIGKILL);
			waitpid(tracer_pid, &status, 0);
			status = -1;
			break;
		}
		tracer_pump(20);
	}
	tracer_pid = -1;
	return status;
}

void tracer_kill(void)
{
	if (tracer_pid > 0) {
		kill(tracer_pid, SIGKILL);
		waitpid(tracer_pid, NULL, 0);
		tracer_pid = -1;
	}
}

json_t *jget(json_t *ev, const char *path)
{
	char key[64];
	const char *p = path, *dot;
	json_t *cur = ev;

	while (cur && (dot = strchr(p, '.'))) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - p), p);
		cur = json_object_get(cur, key);
		p = dot + 1;
	}
	return cur ? json_object_get(cur, p) : NULL;
}

const char *jstr(json_t *ev, const char *path)
{
	json_t *v = jget(ev, path);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

long long jint(json_t *ev, const char *path)
{
	json_t *v = jget(ev, path);

	return json_is_integer(v) ? json_integer_value(v) : -999999;
}

bool jbool(json_t *ev, const char *path)
{
	return json_is_true(jget(ev, path));
}

bool jarray_has(json_t *ev, const char *path, const char *s)
{
	json_t *arr = jget(ev, path);
	size_t i;

	for (i = 0; i < json_array_size(arr); i++) {
		const char *e = json_string_value(json_array_get(arr, i));

		if (e && strcmp(e, s) == 0)
			return true;
	}
	return false;
}

static bool is_event(json_t *ev, const char *type, pid_t pid)
{
	const char *t = jstr(ev, "type");

	return t && strcmp(t, type) == 0 && (pid <= 0 || jint(ev, "proc.pid") == pid);
}

json_t *tracer_find(const char *type, pid_t pid, event_pred pred, const void *arg, int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;
	size_t i = 0;

	for (;;) {
		for (; i < backlog_len; i++)
			if (is_event(backlog[i], type, pid) && (!pred || pred(backlog[i], arg)))
				return backlog[i];
		if (now_ms() >= deadline)
			return NULL;
		tracer_pump(20);
		if (i > backlog_len)
			i = 0; /* the backlog was compacted */
	}
}

int tracer_count(const char *type, pid_t pid, event_pred pred, const void *arg)
{
	size_t i;
	int n = 0;

	for (i = 0; i < backlog_len; i++)
		if (is_event(backlog[i], type, pid) && (!pred || pred(backlog[i], arg)))
			n++;
	return n;
}

static bool is_alert(json_t *ev, const char *rule)
{
	const char *r = jstr(ev, "rule");

	return r && (!rule || strcmp(r, rule) == 0);
}

json_t *tracer_find_alert(const char *rule, event_pred pred, const void *arg, int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;
	size_t i = 0;

	for (;;) {
		for (; i < backlog_len; i++)
			if (is_alert(backlog[i], rule) && (!pred || pred(backlog[i], arg)))
				return backlog[i];
		if (now_ms() >= deadline)
			return NULL;
		tracer_pump(20);
		if (i > backlog_len)
			i = 0;
	}
}

int tracer_count_alerts(const char *rule, event_pred pred, const void *arg)
{
	size_t i;
	int n = 0;

	for (i = 0; i < backlog_len; i++)
		if (is_alert(backlog[i], rule) && (!pred || pred(backlog[i], arg)))
			n++;
	return n;
}

const char *alert_field(json_t *alert, const char *field)
{
	/* output_fields keys contain dots themselves: no dotted-path lookup here */
	json_t *v = json_object_get(json_object_get(alert, "output_fields"), field);

	return json_is_string(v) ? json_string_value(v) : NULL;
}
