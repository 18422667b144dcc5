// SPDX-License-Identifier: Apache-2.0
/* Backoff, Retry-After, clocks, directories and secrets for the output modules. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define BACKOFF_CAP_MS (10u * 60 * 1000) /* never wait longer than this, whatever the receiver asks */

void backoff_init(struct backoff *b, unsigned base_ms, unsigned max_ms, uint64_t seed)
{
	b->base_ms = base_ms ? base_ms : 1;
	b->max_ms = max_ms < b->base_ms ? b->base_ms : max_ms;
	b->cur_ms = 0;
	b->rng = seed ? seed : 0x9e3779b97f4a7c15ull;
}

void backoff_reset(struct backoff *b)
{
	b->cur_ms = 0;
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/*
 * Equal jitter: half the exponential step fixed, half random, so that many
 * agents that lost the same receiver do not come back in lockstep, yet no
 * delay is shorter than half the step.
 */
unsigned backoff_next(struct backoff *b, unsigned retry_after_ms)
{
	unsigned step, d;

	if (b->cur_ms == 0)
		b->cur_ms = b->base_ms;
	else
		b->cur_ms = b->cur_ms > b->max_ms / 2 ? b->max_ms : b->cur_ms * 2;
	step = b->cur_ms;
	d = step / 2 + (unsigned)(xorshift(&b->rng) % (step / 2 + 1));
	if (retry_after_ms > d)
		d = retry_after_ms;
	return d > BACKOFF_CAP_MS ? BACKOFF_CAP_MS : d;
}

unsigned parse_retry_after(const char *v, time_t now)
{
	struct tm tm = { 0 };
	char *end;
	unsigned long secs;
	const char *p;
	time_t t;

	if (!v)
		return 0;
	while (*v == ' ' || *v == '\t')
		v++;
	if (isdigit((unsigned char)*v)) {
		secs = strtoul(v, &end, 10);
		while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
			end++;
		if (*end)
			return 0;
		return secs > BACKOFF_CAP_MS / 1000 ? BACKOFF_CAP_MS : (unsigned)secs * 1000;
	}
	/* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
	p = strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (!p)
		return 0;
	t = timegm(&tm);
	if (t <= now)
		return 0;
	return t - now > BACKOFF_CAP_MS / 1000 ? BACKOFF_CAP_MS : (unsigned)(t - now) * 1000;
}

int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t i, n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, mode) && errno != EEXIST)
			return -errno;
		buf[i] = path[i];
	}
	return 0;
}

char *secret_load(const struct secret_ref *ref, const char *what, char *err, size_t errlen)
{
	char *val = NULL, buf[8192];
	ssize_t n;
	size_t len;
	int fd = -1;

	errno = 0;
	if (ref->file[0]) {
		fd = open(ref->file, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			snprintf(err, errlen, "%s file %s: %s", what, ref->file, strerror(errno));
			errno = EINVAL;
			return NULL;
		}
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n < 0) {
			snprintf(err, errlen, "%s file %s: %s", what, ref->file, strerror(errno));
			errno = EINVAL;
			return NULL;
		}
		buf[n] = '\0';
		/* the first line; a trailing newline from `echo > file` is not part of the secret */
		len = strcspn(buf, "\r\n");
		buf[len] = '\0';
		val = strdup(buf);
		explicit_bzero(buf, sizeof(buf));
	} else if (ref->env[0]) {
		const char *e = getenv(ref->env);

		if (!e) {
			snprintf(err, errlen, "%s: environment variable %s is not set", what, ref->env);
			errno = EINVAL;
			return NULL;
		}
		val = strdup(e);
	} else {
		return NULL; /* not configured; errno 0 */
	}
	if (val && !val[0]) {
		snprintf(err, errlen, "%s is empty", what);
		free(val);
		errno = EINVAL;
		return NULL;
	}
	return val;
}
