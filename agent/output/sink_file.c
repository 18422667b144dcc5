// SPDX-License-Identifier: Apache-2.0
/*
 * stdout and file outputs: one formatted alert per line. A file is reopened
 * when outputs__reopen asks (SIGHUP from logrotate) and, with rotate_mb, is
 * renamed to path.1 (path.1 to path.2 ...) once it reaches that size.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "internal.h"
#include "log.h"

struct file_sink {
	int fd;
	bool own;           /* a file we opened (not stdout) */
	atomic_bool reopen;
	uint64_t size;
	struct strbuf buf;
};

static int file_open(struct sink *s, struct file_sink *f)
{
	struct stat st;

	f->fd = open(s->cfg->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (f->fd < 0)
		return -errno;
	f->size = fstat(f->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	return 0;
}

static void file_rotate(struct sink *s, struct file_sink *f)
{
	char from[PATH_MAX + 16], to[PATH_MAX + 16];
	unsigned i;

	for (i = s->cfg->rotate_keep; i > 1; i--) {
		snprintf(from, sizeof(from), "%s.%u", s->cfg->path, i - 1);
		snprintf(to, sizeof(to), "%s.%u", s->cfg->path, i);
		rename(from, to);
	}
	snprintf(to, sizeof(to), "%s.1", s->cfg->path);
	if (rename(s->cfg->path, to))
		log_errno(LOG_WARN, errno, "output %s: rotate %s", s->cfg->name, s->cfg->path);
	close(f->fd);
	f->fd = -1;
}

/* Writes all of buf; -errno on failure (EAGAIN on a stopped pipe is retried by the caller). */
static int write_all(int fd, const char *p, size_t n, atomic_bool *abort)
{
	ssize_t w;

	while (n) {
		w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR && !atomic_load(abort))
				continue;
			return -errno;
		}
		p += w;
		n -= w;
	}
	return 0;
}

static int file_send(struct sink *s, struct batch *b, unsigned *retry_after_ms, char *why, size_t whylen)
{
	struct file_sink *f = s->priv;
	size_t i;
	int rc;

	(void)retry_after_ms;
	if (f->own && atomic_exchange(&f->reopen, false) && f->fd >= 0) {
		close(f->fd);
		f->fd = -1;
	}
	if (f->own && f->fd >= 0 && s->cfg->rotate_mb && f->size >= (uint64_t)s->cfg->rotate_mb << 20)
		file_rotate(s, f);
	if (f->fd < 0 && (rc = file_open(s, f))) {
		snprintf(why, whylen, "open %s: %s", s->cfg->path, strerror(-rc));
		return rc;
	}
	strbuf_reset(&f->buf);
	for (i = 0; i < b->n; i++) {
		format_alert(&f->buf, s->cfg->format, b->items[i].a);
		strbuf_addc(&f->buf, '\n');
	}
	rc = write_all(f->fd, f->buf.buf, f->buf.len, s->abort);
	if (rc) {
		/* lines already written are duplicated by the retry: at-least-once, keyed by uuid */
		snprintf(why, whylen, "write %s: %s", f->own ? s->cfg->path : "stdout", strerror(-rc));
		if (f->own) {
			close(f->fd);
			f->fd = -1;
		}
		return rc;
	}
	f->size += f->buf.len;
	for (i = 0; i < b->n; i++)
		b->items[i].status = ITEM_OK;
	if (f->buf.cap > (1u << 20)) /* don't keep a huge buffer after a burst */
		strbuf_free(&f->buf);
	return 0;
}

static void file_reopen(struct sink *s)
{
	struct file_sink *f = s->priv;

	atomic_store(&f->reopen, true);
}

static void file_free(struct sink *s)
{
	struct file_sink *f = s->priv;

	if (!f)
		return;
	if (f->own && f->fd >= 0)
		close(f->fd);
	strbuf_free(&f->buf);
	free(f);
	s->priv = NULL;
}

static const struct sink_ops file_ops = {
	.send = file_send,
	.reopen = file_reopen,
	.free = file_free,
};

int sink_file_new(struct sink *s, char *err, size_t errlen)
{
	struct file_sink *f = calloc(1, sizeof(*f));
	int rc;

	if (!f) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->ops = &file_ops;
	s->priv = f;
	f->fd = -1;
	if (s->cfg->kind == OUTPUT_STDOUT) {
		f->fd = STDOUT_FILENO;
		return 0;
	}
	f->own = true;
	rc = file_open(s, f);
	if (rc) {
		snprintf(err, errlen, "%s: %s", s->cfg->path, strerror(-rc));
		file_free(s);
		return rc;
	}
	return 0;
}
