// SPDX-License-Identifier: Apache-2.0
/*
 * The disk spool of one output: alerts that could not be kept in memory or
 * delivered yet, replayed oldest first.
 *
 * A directory of segment files "<20-digit number>.seg", appended in order, and
 * a "cursor" file naming the first record not yet delivered. A record is
 * [magic u32][len u32][crc32(len || payload) u32][payload]. Appends go through
 * write(2) to the page cache, so a SIGKILL of the agent loses nothing; the
 * output thread calls fdatasync about once a second for power loss.
 *
 * What a crash can leave: a record cut short at the end of the last segment
 * (truncated away at open and counted), a cursor write cut short (its crc
 * fails: replay from the oldest segment, at-least-once), or a commit whose
 * segment deletion did not happen (the cursor skips it). A corrupt record in
 * the middle is skipped by scanning for the next valid header, and counted.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <zlib.h>

#include "internal.h"
#include "log.h"

#define SEG_MIN (64u << 10)
#define SEG_MAX (16u << 20)
#define MAX_SEGS 65536

struct spool {
	pthread_mutex_t lock;
	char dir[PATH_MAX];
	uint64_t cap;       /* bytes, all segments together */
	uint64_t seg_size;  /* a segment is closed past this size */
	uint64_t *segs;     /* segment numbers, oldest first */
	size_t nsegs, segs_cap;
	uint64_t bytes;     /* sum of segment sizes */
	uint64_t last_size; /* size of the newest segment (the one appended to) */
	int wfd;            /* newest segment, O_APPEND; -1 when none */
	int rfd;            /* segment being read; -1 */
	uint64_t rseg;      /* its number */
	struct spool_pos cur; /* first record not yet delivered */
	int cfd;            /* cursor file */
	uint64_t corrupt;
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v, p[1] = v >> 8, p[2] = v >> 16, p[3] = v >> 24;
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t rec_crc(uint32_t len, const void *data)
{
	uint8_t l[4];
	uLong c;

	put32(l, len);
	c = crc32(0L, l, 4);
	return crc32(c, data, len);
}

void spool_frame_header(uint8_t hdr[SPOOL_HDR], const void *data, uint32_t len)
{
	put32(hdr, SPOOL_MAGIC);
	put32(hdr + 4, len);
	put32(hdr + 8, rec_crc(len, data));
}

static void seg_path(const struct spool *s, uint64_t seg, char *out, size_t size)
{
	snprintf(out, size, "%s/%020" PRIu64 ".seg", s->dir, seg);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int segs_push(struct spool *s, uint64_t seg)
{
	if (s->nsegs == s->segs_cap) {
		size_t cap = s->segs_cap ? s->segs_cap * 2 : 16;
		uint64_t *p;

		if (cap > MAX_SEGS)
			return -ENOSPC;
		p = realloc(s->segs, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		s->segs = p;
		s->segs_cap = cap;
	}
	s->segs[s->nsegs++] = seg;
	return 0;
}

static void cursor_save(struct spool *s)
{
	uint8_t buf[20];

	memcpy(buf, &s->cur.seg, 8);
	memcpy(buf + 8, &s->cur.off, 8);
	put32(buf + 16, crc32(0L, buf, 16));
	if (pwrite(s->cfd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf))
		log_errno(LOG_WARN, errno, "spool %s: cursor", s->dir);
}

static void cursor_load(struct spool *s)
{
	uint8_t buf[20];

	s->cur.seg = s->nsegs ? s->segs[0] : 0;
	s->cur.off = 0;
	if (pread(s->cfd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf))
		return;
	if (get32(buf + 16) != crc32(0L, buf, 16)) {
		log_warn("spool %s: cursor damaged, replaying from the oldest record (receivers see duplicates)", s->dir);
		return;
	}
	memcpy(&s->cur.seg, buf, 8);
	memcpy(&s->cur.off, buf + 8, 8);
	/* the cursor may name a segment deleted after it was written: start at the oldest */
	if (s->nsegs && (s->cur.seg < s->segs[0] || s->cur.seg > s->segs[s->nsegs - 1])) {
		s->cur.seg = s->segs[0];
		s->cur.off = 0;
	}
}

static bool rec_valid_at(int fd, uint64_t off, uint64_t size, uint32_t *lenp)
{
	uint8_t hdr[SPOOL_HDR];
	uint32_t len;
	char *buf;
	bool ok;

	if (off + SPOOL_HDR > size || pread(fd, hdr, SPOOL_HDR, off) != SPOOL_HDR)
		return false;
	len = get32(hdr + 4);
	if (get32(hdr) != SPOOL_MAGIC || len > SPOOL_MAX_RECORD || off + SPOOL_HDR + len > size)
		return false;
	buf = malloc(len ? len : 1);
	ok = buf && pread(fd, buf, len, off + SPOOL_HDR) == (ssize_t)len && rec_crc(len, buf) == get32(hdr + 8);
	free(buf);
	*lenp = len;
	return ok;
}

/*
 * Valid end of a segment. A bad record followed by valid ones is damage in
 * the middle (kept, skipped when read); a bad record with nothing valid after
 * it is a tail torn by a crash, and what follows the last valid record is cut.
 */
static uint64_t seg_valid_end(int fd, uint64_t size, uint64_t *bad)
{
	uint64_t off = 0, probe;
	uint32_t len;

	while (off < size) {
		if (rec_valid_at(fd, off, size, &len)) {
			off += SPOOL_HDR + len;
			continue;
		}
		for (probe = off + 1; probe + SPOOL_HDR <= size; probe++)
			if (rec_valid_at(fd, probe, size, &len))
				break;
		if (probe + SPOOL_HDR > size)
			break; /* nothing valid follows: a torn tail */
		off = probe;
	}
	if (off < size)
		(*bad)++;
	return off < size ? off : size;
}

struct spool *spool__open(const char *dir, uint64_t cap_bytes, char *err, size_t errlen)
{
	struct spool *s = calloc(1, sizeof(*s));
	char path[PATH_MAX + 32];
	struct dirent *de;
	struct stat st;
	DIR *d = NULL;
	size_t i;
	int rc, fd;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	s->wfd = s->rfd = s->cfd = -1;
	s->cap = cap_bytes;
	s->seg_size = cap_bytes / 16;
	if (s->seg_size < SEG_MIN)
		s->seg_size = SEG_MIN;
	if (s->seg_size > SEG_MAX)
		s->seg_size = SEG_MAX;
	if (snprintf(s->dir, sizeof(s->dir), "%s", dir) >= (int)sizeof(s->dir)) {
		snprintf(err, errlen, "spool directory name too long");
		rc = -ENAMETOOLONG;
		goto fail;
	}
	rc = mkdir_p(dir, 0700);
	if (rc) {
		snprintf(err, errlen, "spool directory %s: %s", dir, strerror(-rc));
		goto fail;
	}
	d = opendir(dir);
	if (!d) {
		rc = -errno;
		snprintf(err, errlen, "spool directory %s: %s", dir, strerror(errno));
		goto fail;
	}
	while ((de = readdir(d))) {
		char *end;
		uint64_t n = strtoull(de->d_name, &end, 10);

		if (end == de->d_name + 20 && strcmp(end, ".seg") == 0 && (rc = segs_push(s, n))) {
			snprintf(err, errlen, "spool %s: too many segments", dir);
			goto fail;
		}
	}
	closedir(d);
	d = NULL;
	if (s->nsegs)
		qsort(s->segs, s->nsegs, sizeof(*s->segs), cmp_u64);
	for (i = 0; i < s->nsegs; i++) {
		seg_path(s, s->segs[i], path, sizeof(path));
		if (stat(path, &st) == 0)
			s->bytes += st.st_size;
	}
	snprintf(path, sizeof(path), "%s/cursor", dir);
	s->cfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->cfd < 0) {
		rc = -errno;
		snprintf(err, errlen, "spool cursor %s: %s", path, strerror(errno));
		goto fail;
	}
	cursor_load(s);
	if (s->nsegs) {
		/* the newest segment may end in a record cut short by a crash */
		uint64_t last = s->segs[s->nsegs - 1], end;

		seg_path(s, last, path, sizeof(path));
		fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
		if (fd < 0) {
			rc = -errno;
			snprintf(err, errlen, "spool segment %s: %s", path, strerror(errno));
			goto fail;
		}
		fstat(fd, &st);
		end = seg_valid_end(fd, st.st_size, &s->corrupt);
		if (end < (uint64_t)st.st_size) {
			log_warn("spool %s: segment %" PRIu64 " ends in a torn or corrupt record (%" PRIu64
				 " bytes cut)", dir, last, (uint64_t)st.st_size - end);
			if (ftruncate(fd, end))
				log_errno(LOG_WARN, errno, "spool %s: truncate", dir);
			s->bytes -= st.st_size - end;
			if (s->cur.seg == last && s->cur.off > end)
				s->cur.off = end;
		}
		s->wfd = fd;
		s->last_size = end;
	}
	return s;
fail:
	if (d)
		closedir(d);
	spool__free(s);
	errno = -rc;
	return NULL;
}

static int new_segment(struct spool *s)
{
	char path[PATH_MAX + 32];
	uint64_t seg = s->nsegs ? s->segs[s->nsegs - 1] + 1 : s->cur.seg + 1;
	int fd, rc;

	seg_path(s, seg, path, sizeof(path));
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	rc = segs_push(s, seg);
	if (rc) {
		close(fd);
		unlink(path);
		return rc;
	}
	if (s->wfd >= 0)
		close(s->wfd);
	s->wfd = fd;
	s->last_size = 0;
	if (s->nsegs == 1) {
		s->cur.seg = seg;
		s->cur.off = 0;
	}
	return 0;
}

int spool__append(struct spool *s, const void *data, uint32_t len)
{
	uint8_t hdr[SPOOL_HDR];
	struct iovec iov[2];
	ssize_t n;
	int rc = 0;

	if (len > SPOOL_MAX_RECORD)
		return -EMSGSIZE;
	spool_frame_header(hdr, data, len);
	iov[0].iov_base = hdr;
	iov[0].iov_len = SPOOL_HDR;
	iov[1].iov_base = (void *)data;
	iov[1].iov_len = len;
	pthread_mutex_lock(&s->lock);
	if (s->bytes + SPOOL_HDR + len > s->cap) {
		rc = -ENOSPC;
		goto out;
	}
	if (s->wfd < 0 || s->last_size >= s->seg_size) {
		rc = new_segment(s);
		if (rc)
			goto out;
	}
	/* one writev: a record is never interleaved with another */
	n = writev(s->wfd, iov, 2);
	if (n != (ssize_t)(SPOOL_HDR + len)) {
		rc = n < 0 ? -errno : -EIO;
		/* a short write leaves a torn record: cut it so the next append starts clean */
		if (n > 0 && ftruncate(s->wfd, s->last_size))
			log_errno(LOG_WARN, errno, "spool %s: truncate", s->dir);
		goto out;
	}
	s->last_size += n;
	s->bytes += n;
out:
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static uint64_t seg_end(struct spool *s, uint64_t seg)
{
	char path[PATH_MAX + 32];
	struct stat st;

	if (s->nsegs && seg == s->segs[s->nsegs - 1])
		return s->last_size;
	seg_path(s, seg, path, sizeof(path));
	return stat(path, &st) ? 0 : (uint64_t)st.st_size;
}

static int open_read(struct spool *s, uint64_t seg)
{
	char path[PATH_MAX + 32];

	if (s->rfd >= 0 && s->rseg == seg)
		return 0;
	if (s->rfd >= 0)
		close(s->rfd);
	seg_path(s, seg, path, sizeof(path));
	s->rfd = open(path, O_RDONLY | O_CLOEXEC);
	s->rseg = seg;
	return s->rfd < 0 ? -errno : 0;
}

/* Index of the segment after seg, or nsegs. */
static size_t seg_next_idx(struct spool *s, uint64_t seg)
{
	size_t i;

	for (i = 0; i < s->nsegs && s->segs[i] <= seg; i++)
		;
	return i;
}

/* Finds the next offset >= off in the read segment where a valid record starts; end if none. */
static uint64_t resync(struct spool *s, uint64_t off, uint64_t end)
{
	uint8_t hdr[SPOOL_HDR];
	char *buf = NULL;
	uint32_t len;

	for (; off + SPOOL_HDR <= end; off++) {
		if (pread(s->rfd, hdr, SPOOL_HDR, off) != SPOOL_HDR)
			break;
		len = get32(hdr + 4);
		if (get32(hdr) != SPOOL_MAGIC || len > SPOOL_MAX_RECORD || off + SPOOL_HDR + len > end)
			continue;
		buf = realloc(buf, len ? len : 1);
		if (buf && pread(s->rfd, buf, len, off + SPOOL_HDR) == (ssize_t)len && rec_crc(len, buf) == get32(hdr + 8))
			break;
	}
	free(buf);
	return off + SPOOL_HDR <= end ? off : end;
}

int spool__peek(struct spool *s, struct spool_rec *recs, size_t max, size_t max_bytes)
{
	struct spool_pos pos;
	uint8_t hdr[SPOOL_HDR];
	size_t n = 0, bytes = 0, idx;
	uint64_t end;
	uint32_t len;
	char *data;

	pthread_mutex_lock(&s->lock);
	pos = s->cur;
	while (n < max && s->nsegs) {
		end = seg_end(s, pos.seg);
		if (pos.off + SPOOL_HDR > end) {
			/* this segment is read to its end: go on with the next, if any */
			idx = seg_next_idx(s, pos.seg);
			if (idx >= s->nsegs)
				break;
			if (pos.off < end)
				s->corrupt++; /* a tail shorter than a header */
			pos.seg = s->segs[idx];
			pos.off = 0;
			continue;
		}
		if (open_read(s, pos.seg)) {
			/* a vanished segment: skip it */
			idx = seg_next_idx(s, pos.seg);
			if (idx >= s->nsegs)
				break;
			pos.seg = s->segs[idx];
			pos.off = 0;
			continue;
		}
		if (pread(s->rfd, hdr, SPOOL_HDR, pos.off) != SPOOL_HDR)
			break;
		len = get32(hdr + 4);
		if (get32(hdr) != SPOOL_MAGIC || len > SPOOL_MAX_RECORD || pos.off + SPOOL_HDR + len > end) {
			s->corrupt++;
			log_warn("spool %s: corrupt record header in segment %" PRIu64 " at %" PRIu64 ", skipped",
				 s->dir, pos.seg, pos.off);
			pos.off = resync(s, pos.off + 1, end);
			continue;
		}
		if (n && bytes + len > max_bytes)
			break;
		data = malloc((size_t)len + 1);
		if (!data)
			break;
		if (pread(s->rfd, data, len, pos.off + SPOOL_HDR) != (ssize_t)len || rec_crc(len, data) != get32(hdr + 8)) {
			free(data);
			s->corrupt++;
			log_warn("spool %s: record with a bad checksum in segment %" PRIu64 " at %" PRIu64 ", skipped",
				 s->dir, pos.seg, pos.off);
			pos.off = resync(s, pos.off + 1, end);
			continue;
		}
		data[len] = '\0';
		pos.off += SPOOL_HDR + len;
		recs[n].data = data;
		recs[n].len = len;
		recs[n].end = pos;
		bytes += len;
		n++;
	}
	pthread_mutex_unlock(&s->lock);
	return n;
}

int spool__commit(struct spool *s, struct spool_pos end)
{
	char path[PATH_MAX + 32];
	size_t drop = 0, i;
	bool newest;

	pthread_mutex_lock(&s->lock);
	s->cur = end;
	/* the cursor goes to disk before any segment is removed: a crash in between replays nothing twice */
	cursor_save(s);
	while (drop < s->nsegs && s->segs[drop] < end.seg)
		drop++;
	if (drop < s->nsegs && s->segs[drop] == end.seg) {
		newest = drop == s->nsegs - 1;
		if (end.off >= seg_end(s, end.seg) && (!newest || s->last_size))
			drop++; /* read to its end (the newest: everything delivered) */
	}
	for (i = 0; i < drop; i++) {
		uint64_t size = seg_end(s, s->segs[i]);

		seg_path(s, s->segs[i], path, sizeof(path));
		if (unlink(path) && errno != ENOENT)
			log_errno(LOG_WARN, errno, "spool %s: remove %s", s->dir, path);
		s->bytes = s->bytes > size ? s->bytes - size : 0;
		if (s->rfd >= 0 && s->rseg == s->segs[i]) {
			close(s->rfd);
			s->rfd = -1;
		}
	}
	if (drop == s->nsegs && drop) {
		/* all delivered: the next append opens a new segment numbered after this one */
		if (s->wfd >= 0)
			close(s->wfd);
		s->wfd = -1;
		s->last_size = 0;
		s->bytes = 0;
		s->cur.off = 0;
	}
	if (drop)
		memmove(s->segs, s->segs + drop, (s->nsegs - drop) * sizeof(*s->segs));
	s->nsegs -= drop;
	if (s->nsegs && s->cur.seg < s->segs[0]) {
		s->cur.seg = s->segs[0];
		s->cur.off = 0;
	}
	pthread_mutex_unlock(&s->lock);
	return 0;
}

/* Bytes not yet delivered (frames included); caller holds the lock. */
static uint64_t pending_locked(struct spool *s)
{
	if (s->nsegs == 0)
		return 0;
	if (s->cur.seg == s->segs[0])
		return s->bytes > s->cur.off ? s->bytes - s->cur.off : 0;
	return s->bytes;
}

bool spool__empty(struct spool *s)
{
	bool empty;

	pthread_mutex_lock(&s->lock);
	empty = pending_locked(s) == 0;
	pthread_mutex_unlock(&s->lock);
	return empty;
}

uint64_t spool__bytes(struct spool *s)
{
	uint64_t b;

	pthread_mutex_lock(&s->lock);
	b = s->bytes;
	pthread_mutex_unlock(&s->lock);
	return b;
}

uint64_t spool__corrupt(struct spool *s)
{
	uint64_t c;

	pthread_mutex_lock(&s->lock);
	c = s->corrupt;
	pthread_mutex_unlock(&s->lock);
	return c;
}

void spool__sync(struct spool *s)
{
	int fd;

	pthread_mutex_lock(&s->lock);
	fd = s->wfd >= 0 ? dup(s->wfd) : -1;
	pthread_mutex_unlock(&s->lock);
	if (fd >= 0) {
		fdatasync(fd);
		close(fd);
	}
}

void spool__free(struct spool *s)
{
	if (!s)
		return;
	if (s->wfd >= 0)
		close(s->wfd);
	if (s->rfd >= 0)
		close(s->rfd);
	if (s->cfd >= 0)
		close(s->cfd);
	free(s->segs);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
