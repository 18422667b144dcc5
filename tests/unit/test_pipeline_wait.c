// SPDX-License-Identifier: Apache-2.0
/*
 * The pipeline while a container's metadata is being looked up: records made
 * here, a fake Docker data root whose config.v2.json is a FIFO (the worker's
 * read blocks until the test writes it: a lookup as slow as the test wants),
 * and a sink that writes down what it was handed, in order. Asserts that the
 * loop keeps taking records, that the container's first event waits and then
 * carries the metadata, that the deadline or a full queue let it go on
 * without (counted), and that the order read is the order delivered.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "pipeline.h"

#define SLOW "5105105105105105105105105105105105105105105105105105105105105105"
#define SLOW2 "5205205205205205205205205205205205205205205205205205205205205205"
#define FAST "fa57fa57fa57fa57fa57fa57fa57fa57fa57fa57fa57fa57fa57fa57fa57fa57"
#define SLOW_NAME_JSON "{\"Name\":\"/slow\",\"Config\":{\"Image\":\"localhost/slow:1\"}}"

_Static_assert(sizeof(SLOW) == 65 && sizeof(SLOW2) == 65 && sizeof(FAST) == 65, "64-character ids");

static char root[] = "/tmp/bulwark-wait-test.XXXXXX";

/* ---- what the sink was handed ------------------------------------------------------------- */

struct seen {
	unsigned int type;
	uint32_t pid;
	char container[256 + 8]; /* "host", the name, or the id when the metadata is unknown */
	bool known, announce;
};

static struct seen seen[128];
static size_t n_seen;

static void on_event(void *ctx, const struct pipeline_event *pe)
{
	const struct container_info *ci = pe->ec->container;
	struct seen *s = &seen[n_seen < 128 ? n_seen : 127];

	(void)ctx;
	n_seen++;
	s->type = pe->v->ev->hdr.type;
	s->pid = pe->v->ev->proc.pid;
	s->known = ci && ci->metadata_known;
	s->announce = pe->container_announce;
	snprintf(s->container, sizeof(s->container), "%s", !ci ? "?" : ci->name[0] ? ci->name : ci->ident.id);
}

static const struct pipeline_sink sink = { .on_event = on_event };

/* ---- records -------------------------------------------------------------------------------- */

struct rec {
	_Alignas(8) unsigned char buf[1024];
	size_t len;
};

static void rec_str(struct rec *r, struct bw_str *d, const char *s)
{
	size_t n = strlen(s);

	memcpy(r->buf + r->len, s, n + 1);
	d->off = (uint16_t)r->len;
	d->len = (uint16_t)n;
	r->len += n + 1;
}

static void rec_head(struct rec *r, unsigned int type, size_t fixed, uint32_t pid)
{
	struct bw_event *ev = (void *)r->buf;

	memset(r->buf, 0, sizeof(r->buf));
	ev->hdr.type = type;
	ev->hdr.version = BW_ABI_VERSION;
	ev->proc.pid = ev->proc.tid = pid;
	ev->proc.ppid = 1;
	ev->proc.start_time = 1000ull * pid;
	snprintf((char *)ev->proc.comm, sizeof(ev->proc.comm), "p%u", pid);
	r->len = fixed;
}

static void rec_done(struct rec *r)
{
	((struct bw_event *)r->buf)->hdr.size = (uint32_t)r->len;
}

/* An exec of pid @pid in cgroup @cgroup ("/docker/<id>" for a container). */
static void exec_rec(struct rec *r, uint32_t pid, const char *cgroup)
{
	struct bw_exec *e = (void *)r->buf;

	rec_head(r, BW_EV_EXEC, sizeof(*e), pid);
	rec_str(r, &e->filename, "/bin/sh");
	rec_str(r, &e->exe, "/bin/sh");
	rec_str(r, &e->args, "sh");
	rec_str(r, &e->cgroup, cgroup);
	rec_done(r);
}

static void exit_rec(struct rec *r, uint32_t pid)
{
	rec_head(r, BW_EV_EXIT, sizeof(struct bw_exit), pid);
	rec_done(r);
}

static void feed_exec(struct pipeline *p, uint32_t pid, const char *cgroup)
{
	struct rec r;

	exec_rec(&r, pid, cgroup);
	pipeline__record(p, r.buf, r.len);
}

static void feed_exit(struct pipeline *p, uint32_t pid)
{
	struct rec r;

	exit_rec(&r, pid);
	pipeline__record(p, r.buf, r.len);
}

/* ---- a fake Docker data root ------------------------------------------------------------------ */

static void config_path(char *buf, size_t size, const char *id)
{
	snprintf(buf, size, "%s/docker/containers/%s/config.v2.json", root, id);
}

static void make_dir(const char *id)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/docker/containers/%s'", root, id);
	CHECK(system(cmd) == 0, "%s", cmd);
}

/* A container whose config.v2.json is a FIFO: the worker's read waits for answer_slow. */
static void slow_container(const char *id)
{
	char path[PATH_MAX];

	make_dir(id);
	config_path(path, sizeof(path), id);
	CHECK(mkfifo(path, 0600) == 0, "mkfifo %s: %s", path, strerror(errno));
}

static void fast_container(const char *id, const char *name)
{
	char path[PATH_MAX];
	FILE *f;

	make_dir(id);
	config_path(path, sizeof(path), id);
	f = fopen(path, "w");
	CHECK(f != NULL, "create %s", path);
	if (f) {
		fprintf(f, "{\"Name\":\"/%s\",\"Config\":{\"Image\":\"localhost/%s:1\"}}", name, name);
		fclose(f);
	}
}

/* Lets the worker's read of a slow container's file finish (blocks until the worker opens it). */
static void answer_slow(const char *id, const char *json)
{
	char path[PATH_MAX];
	int fd;

	config_path(path, sizeof(path), id);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
	if (fd < 0)
		return;
	CHECK(write(fd, json, strlen(json)) == (ssize_t)strlen(json), "write %s", path);
	close(fd);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What the loop does: waits on the pipeline's fd and polls, until nothing waits (or @max_ms). */
static void settle(struct pipeline *p, unsigned int max_ms)
{
	struct pollfd pfd = { .fd = pipeline__fd(p), .events = POLLIN };
	uint64_t end = now_ms() + max_ms;
	int timeout;

	while ((timeout = pipeline__poll(p)) >= 0 && now_ms() < end)
		poll(&pfd, 1, timeout < 20 ? timeout : 20);
}

static struct pipeline *new_pipeline(unsigned int wait_ms, size_t wait_records)
{
	static char docker_root[] = "/docker", procfs[PATH_MAX];
	struct pipeline_opts o = { .proc_cache_size = 64, .ancestry_depth = 2, .container_wait_ms = wait_ms,
				   .container_wait_records = wait_records };
	struct pipeline *p;

	snprintf(procfs, sizeof(procfs), "%s/proc", root); /* empty: processes the test did not exec are unknown */
	o.procfs = procfs;
	o.containers = (struct container_opts){ .docker_socket = "", .docker_root = docker_root, .host_root = root,
						.capacity = 16 };
	n_seen = 0;
	memset(seen, 0, sizeof(seen));
	p = pipeline__new(&o, &sink);
	CHECK(p != NULL, "pipeline__new: %s", strerror(errno));
	return p;
}

static void check_seen(size_t i, unsigned int type, uint32_t pid, const char *container, bool known)
{
	CHECK(i < n_seen, "event %zu not delivered (%zu were)", i, n_seen);
	if (i >= n_seen)
		return;
	CHECK(seen[i].type == type && seen[i].pid == pid, "event %zu: type %u pid %u, want type %u pid %u", i,
	      seen[i].type, seen[i].pid, type, pid);
	CHECK_STR(seen[i].container, container);
	CHECK(seen[i].known == known, "event %zu: metadata_known %d, want %d", i, seen[i].known, known);
}

/* ---- the tests ------------------------------------------------------------------------------------ */

/*
 * The first event of a container waits while its lookup is slow; the loop
 * takes the next records at once (a host exec, the container's exit) and
 * holds them behind it; the answer lets all three go, in the order read,
 * the first with the container's name and an announcement.
 */
static void test_event_waits_for_metadata(void)
{
	struct pipeline *p;
	struct pipeline_wait_stats ws;
	uint64_t t0;

	slow_container(SLOW);
	p = new_pipeline(10000, 0); /* a deadline far away: this test is about the answer */
	if (!p)
		return;
	t0 = now_ms();
	feed_exec(p, 100, "/docker/" SLOW);
	feed_exec(p, 200, "/user.slice/session-1.scope");
	feed_exit(p, 100);
	/* the worker is blocked in the FIFO's open: taking the records did not wait for it */
	CHECK(now_ms() - t0 < 1000, "the records took %llu ms to take", (unsigned long long)(now_ms() - t0));
	CHECK(pipeline__poll(p) > 0, "nothing waits");
	CHECK_INT(n_seen, 0);
	pipeline__wait_stats(p, &ws);
	CHECK_INT(ws.waits, 1);
	CHECK_INT(ws.held, 3);

	answer_slow(SLOW, SLOW_NAME_JSON);
	settle(p, 5000);
	CHECK_INT(n_seen, 3);
	check_seen(0, BW_EV_EXEC, 100, "slow", true);
	CHECK(seen[0].announce, "the container's first event is not announced");
	check_seen(1, BW_EV_EXEC, 200, "host", false);
	check_seen(2, BW_EV_EXIT, 100, "slow", true);
	CHECK(!seen[2].announce, "announced twice");
	pipeline__wait_stats(p, &ws);
	CHECK_INT(ws.waits, 1);
	CHECK_INT(ws.timeouts, 0);
	CHECK_INT(ws.queue_full, 0);
	CHECK_INT(ws.held, 0);
	CHECK_INT(ws.held_max, 3);
	CHECK(ws.wait_us_max > 0 && ws.wait_us_median == ws.wait_us_max, "wait median %llu max %llu",
	      (unsigned long long)ws.wait_us_median, (unsigned long long)ws.wait_us_max);
	pipeline__free(p);
}

/*
 * The deadline lets the waiting event go on with the id alone (counted); the
 * container's later events do not wait again; once the lookup finishes, its
 * next event carries the metadata and announces the posture.
 */
static void test_deadline_releases(void)
{
	struct pipeline *p;
	struct pipeline_wait_stats ws;
	uint64_t t0;

	slow_container(SLOW2);
	p = new_pipeline(50, 0);
	if (!p)
		return;
	t0 = now_ms();
	feed_exec(p, 300, "/docker/" SLOW2);
	feed_exec(p, 301, "/user.slice");
	settle(p, 5000);
	CHECK(now_ms() - t0 >= 50, "released after %llu ms, before the deadline", (unsigned long long)(now_ms() - t0));
	CHECK_INT(n_seen, 2);
	check_seen(0, BW_EV_EXEC, 300, SLOW2, false);
	CHECK(seen[0].announce, "not announced with the id alone");
	check_seen(1, BW_EV_EXEC, 301, "host", false);
	pipeline__wait_stats(p, &ws);
	CHECK_INT(ws.waits, 1);
	CHECK_INT(ws.timeouts, 1);
	CHECK_INT(ws.queue_full, 0);

	/* the lookup is still blocked: the container's next event goes on at once */
	feed_exit(p, 300);
	CHECK_INT(n_seen, 3);
	check_seen(2, BW_EV_EXIT, 300, SLOW2, false);

	answer_slow(SLOW2, SLOW_NAME_JSON);
	CHECK(poll(&(struct pollfd){ .fd = pipeline__fd(p), .events = POLLIN }, 1, 5000) == 1, "no answer");
	CHECK(pipeline__poll(p) < 0, "something waits");
	feed_exec(p, 302, "/docker/" SLOW2);
	check_seen(3, BW_EV_EXEC, 302, "slow", true);
	CHECK(n_seen > 3 && seen[3].announce, "the posture, known late, is not announced");
	pipeline__wait_stats(p, &ws);
	CHECK_INT(ws.waits, 1);
	CHECK_INT(ws.timeouts, 1);
	pipeline__free(p);
}

/*
 * Two new containers whose lookups are slow, the second's event behind the
 * first's: at the deadline both go on (each record's deadline counts from
 * when it was read, so the second does not wait again), both counted.
 */
static void test_deadline_behind_another(void)
{
	static const char a[] = "5705705705705705705705705705705705705705705705705705705705705705";
	static const char b[] = "5805805805805805805805805805805805805805805805805805805805805805";
	struct pipeline *p;
	struct pipeline_wait_stats ws;
	char cga[100], cgb[100];

	slow_container(a);
	slow_container(b);
	p = new_pipeline(50, 0);
	if (!p)
		return;
	snprintf(cga, sizeof(cga), "/docker/%s", a);
	snprintf(cgb, sizeof(cgb), "/docker/%s", b);
	feed_exec(p, 800, cga);
	feed_exec(p, 801, cgb);
	settle(p, 5000);
	CHECK_INT(n_seen, 2);
	check_seen(0, BW_EV_EXEC, 800, a, false);
	check_seen(1, BW_EV_EXEC, 801, b, false);
	pipeline__wait_stats(p, &ws);
	CHECK_INT(ws.waits, 2);
	CHECK_INT(ws.timeouts, 2);
	CHECK(ws.wait_us_max < 1000000, "waited %llu us", (unsigned long long)ws.wait_us_max);
	answer_slow(a, SLOW_NAME_JSON); /* one worker: a's lookup, then b's */
	answer_slow(b, SLOW_NAME_JSON);
	pipeline__free(p);
}

/* A full queue lets the waiting event go on (counted); what was behind it follows in order. */
static void test_queue_full_releases(void)
{
	static const char id[] = "5305305305305305305305305305305305305305305305305305305305305305";
	struct pipeline *p;
	struct pipeline_wait_stats ws;
	char cg[100];
	uint32_t pid;

	slow_container(id);
	p = new_pipeline(10000, 4);
	if (!p)
		return;
	snprintf(cg, sizeof(cg), "/docker/%s", id);
	feed_exec(p, 400, cg);
	for (pid = 401; pid <= 403; pid++)
		feed_exec(p, pid, "/");
	CHECK_INT(n_seen, 0);
	feed_exec(p, 404, "/"); /* the fifth: no room */
	CHECK_INT(n_seen, 5);
	check_seen(0, BW_EV_EXEC, 400, id, false);
	for (pid = 401; pid <= 404; pid++)
		check_seen(pid - 400, BW_EV_EXEC, pid, "host", false);
	pipeline__wait_stats(p, &ws);
	CHECK_INT(ws.waits, 1);
	CHECK_INT(ws.queue_full, 1);
	CHECK_INT(ws.timeouts, 0);
	CHECK_INT(ws.held, 0);
	CHECK_INT(ws.held_max, 4);
	answer_slow(id, SLOW_NAME_JSON);
	pipeline__free(p); /* joins the worker, which finishes that lookup first */
}

/*
 * A second new container behind the first, both Docker's: both carry their
 * names, in the order read.
 */
static void test_two_containers_in_order(void)
{
	static const char slow[] = "5405405405405405405405405405405405405405405405405405405405405405";
	struct pipeline *p;
	struct pipeline_wait_stats ws;
	char cg[100];

	slow_container(slow);
	fast_container(FAST, "fast");
	p = new_pipeline(10000, 0);
	if (!p)
		return;
	snprintf(cg, sizeof(cg), "/docker/%s", slow);
	feed_exec(p, 500, cg);
	feed_exec(p, 501, "/docker/" FAST);
	feed_exec(p, 502, cg);
	CHECK_INT(n_seen, 0);
	answer_slow(slow, SLOW_NAME_JSON);
	settle(p, 5000);
	CHECK_INT(n_seen, 3);
	check_seen(0, BW_EV_EXEC, 500, "slow", true);
	check_seen(1, BW_EV_EXEC, 501, "fast", true);
	check_seen(2, BW_EV_EXEC, 502, "slow", true);
	CHECK(n_seen == 3 && seen[0].announce && seen[1].announce && !seen[2].announce, "announcements");
	pipeline__wait_stats(p, &ws);
	/* the fast one was asked behind the slow one (one worker): answered with it, or just after (a second wait) */
	CHECK(ws.waits == 1 || ws.waits == 2, "%llu waits", (unsigned long long)ws.waits);
	CHECK_INT(ws.timeouts, 0);
	pipeline__free(p);
}

/*
 * A container no runtime knows (the worker tries it for about 63 ms) and,
 * behind it, a new container Docker knows: the second lookup is asked as its
 * exec goes into the queue and is answered during the first wait, so its
 * event does not wait in turn. The unknown one goes on with its id alone
 * once the worker gives up, which is not a timeout.
 */
static void test_lookup_overlaps_wait(void)
{
	static const char unknown[] = "5605605605605605605605605605605605605605605605605605605605605605";
	static const char fast[] = "fa56fa56fa56fa56fa56fa56fa56fa56fa56fa56fa56fa56fa56fa56fa56fa56";
	struct pipeline *p;
	struct pipeline_wait_stats ws;
	char cg[100], cg2[100];

	make_dir(unknown); /* the directory, but no config.v2.json in it */
	fast_container(fast, "fast2");
	p = new_pipeline(10000, 0);
	if (!p)
		return;
	snprintf(cg, sizeof(cg), "/docker/%s", unknown);
	snprintf(cg2, sizeof(cg2), "/docker/%s", fast);
	feed_exec(p, 700, cg);
	feed_exec(p, 701, cg2);
	settle(p, 5000);
	CHECK_INT(n_seen, 2);
	check_seen(0, BW_EV_EXEC, 700, unknown, false);
	check_seen(1, BW_EV_EXEC, 701, "fast2", true);
	pipeline__wait_stats(p, &ws);
	CHECK_INT(ws.waits, 1);
	CHECK_INT(ws.timeouts, 0);
	CHECK_INT(ws.queue_full, 0);
	pipeline__free(p);
}

/*
 * One consume of the rings can hand over records for long: the answer is
 * looked for while they come (every 64 held records), not only between
 * consumes (pipeline__poll).
 */
static void test_answer_seen_within_a_batch(void)
{
	static const char id[] = "5505505505505505505505505505505505505505505505505505505505505505";
	struct pollfd pfd;
	struct pipeline *p;
	char cg[100];
	uint32_t pid;

	slow_container(id);
	p = new_pipeline(10000, 0);
	if (!p)
		return;
	snprintf(cg, sizeof(cg), "/docker/%s", id);
	feed_exec(p, 600, cg);
	answer_slow(id, SLOW_NAME_JSON);
	pfd = (struct pollfd){ .fd = pipeline__fd(p), .events = POLLIN };
	CHECK(poll(&pfd, 1, 5000) == 1, "no answer");
	for (pid = 601; pid < 601 + 63; pid++)
		feed_exec(p, pid, "/");
	CHECK_INT(n_seen, 0); /* 64 held */
	feed_exec(p, 664, "/");
	CHECK_INT(n_seen, 65);
	check_seen(0, BW_EV_EXEC, 600, "slow", true);
	check_seen(64, BW_EV_EXEC, 664, "host", false);
	CHECK(pipeline__poll(p) < 0, "still waiting");
	pipeline__free(p);
}

int main(void)
{
	char cmd[PATH_MAX];
	int rc;

	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_event_waits_for_metadata);
	RUN(test_deadline_releases);
	RUN(test_deadline_behind_another);
	RUN(test_queue_full_releases);
	RUN(test_two_containers_in_order);
	RUN(test_answer_seen_within_a_batch);
	RUN(test_lookup_overlaps_wait);
	rc = check_summary();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", root);
	return rc;
}
