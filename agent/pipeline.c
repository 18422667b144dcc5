// SPDX-License-Identifier: Apache-2.0
#include "pipeline.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "event.h"
#include "latency.h"
#include "log.h"
#include "proctree.h"
#include "stats.h"

#define TICK_MS 100          /* sinks flush every tick */
#define STATS_EVERY_TICKS 10 /* drop counters are checked every second */
#define CAUGHT_UP_BATCH 64   /* a consume smaller than this means the rings were nearly empty */
#define BATCH_PAUSE_US 1000  /* then wait this long so that the next wake-up brings a batch */
#define MALFORMED_LOG_LIMIT 10 /* log the first few malformed records; count all */
/*
 * While records are held, look for the worker's answer every this many: one
 * consume of a ring under a steady stream can last long (it reads until the
 * ring is empty), and the answer must not wait for its end. A look is a
 * non-blocking eventfd read, about a microsecond.
 */
#define ANSWER_LOOK_EVERY 64

/* A record read while an earlier one waits for its container's metadata. */
struct held {
	void *data;    /* a copy: the ring's memory is given back after the callback */
	uint32_t size;
	bool tracked;  /* the process tree has seen it: it is the one waiting (the head) */
	uint64_t read_us;
};

/* The loop's state: the sensor, the caches and what was counted. */
struct pipeline {
	struct sensor *sensor;
	struct proctree *procs;
	struct container_cache *containers;
	const struct pipeline_sink *sink;
	size_t ancestry_depth;
	int64_t boot_to_real_ns;
	uint64_t by_type[BW_EV_MAX];
	uint64_t malformed[EVENT_BAD_MAX];
	uint64_t malformed_total;
	uint64_t last_drops;
	uint64_t last_consume_ms;
	/* the held records, a FIFO: the head waits, the others are behind it in the order read */
	struct held *held;
	size_t held_cap, held_head, held_n, held_bytes, held_max_bytes;
	uint64_t wait_us;
	struct pipeline_wait_stats wait;
	struct latency waited;
};

void proc_info_exec_facts(struct proc_info *pi, const struct event_view *v)
{
	const struct bw_exec *e = (const void *)v->ev;
	struct str_view tty = event_str(v, e->tty);

	pi->exec_facts = true;
	pi->loginuid = e->loginuid;
	pi->cap_effective = e->cap_effective;
	snprintf(pi->tty, sizeof(pi->tty), "%.*s", (int)tty.len, tty.p);
}

static void exec_info_of(const struct event_view *v, struct proc_info *pi)
{
	const struct bw_exec *e = (const void *)v->ev;
	const struct bw_proc *p = &v->ev->proc;
	struct str_view exe = event_str(v, e->exe), args = event_str(v, e->args), cg = event_str(v, e->cgroup);

	/* strings in the record are NUL-terminated (checked by event_decode) */
	*pi = (struct proc_info){ .pid = p->pid, .ppid = p->ppid, .uid = p->uid, .start_time = p->start_time,
				  .parent_start_time = p->parent_start_time, .exe = exe.p, .args = args.p,
				  .args_len = args.len, .cgroup = cg.p };
	memcpy(pi->comm, p->comm, sizeof(pi->comm));
	proc_info_exec_facts(pi, v);
}

/* Keeps the process cache in step with the lifecycle events: once per record, in the order read. */
static void track_process(struct pipeline *t, const struct event_view *v, const struct proc_info *exec_info)
{
	const struct bw_event *ev = v->ev;
	const struct bw_proc *p = &ev->proc;

	switch (ev->hdr.type) {
	case BW_EV_EXEC:
		proctree__exec(t->procs, exec_info);
		break;
	case BW_EV_FORK: {
		struct proc_info child = { .pid = p->pid, .ppid = p->ppid, .uid = p->uid, .start_time = p->start_time,
					   .parent_start_time = p->parent_start_time };

		memcpy(child.comm, p->comm, sizeof(child.comm));
		proctree__fork(t->procs, &child);
		break;
	}
	case BW_EV_CGROUP_ATTACH:
		proctree__cgroup_changed(t->procs, ((const struct bw_cgroup *)ev)->target_pid);
		break;
	default:
		break;
	}
}


static uint64_t monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static uint64_t monotonic_ms(void)
{
	return monotonic_us() / 1000;
}

/*
 * Decodes, tracks and enriches one record and hands it to the sink. Returns
 * -EINPROGRESS, having delivered nothing, when @may_wait and its container's
 * first lookup is not answered yet; *gave_up is set when it goes on without
 * that answer. @tracked: a record that waited, whose process-tree update is done.
 */
static int process(struct pipeline *t, const void *data, size_t size, bool tracked, bool may_wait, bool *gave_up)
{
	struct event_view v;
	enum event_malformed why;
	struct proc_info exec_info;
	struct event_context ec = { 0 };
	const struct proc_info *a;
	struct pipeline_event pe;
	bool announce = false;

	if (event_decode(data, size, &v, &why, t->malformed)) {
		if (t->malformed_total++ < MALFORMED_LOG_LIMIT)
			log_warn("malformed kernel record (%s, %zu bytes): counted and skipped", event_malformed_name(why),
				 size);
		return 0;
	}
	/* the event's process: an exec's own record (read once), else the process cache */
	if (v.ev->hdr.type == BW_EV_EXEC)
		exec_info_of(&v, &exec_info);
	if (!tracked) {
		t->by_type[v.ev->hdr.type]++;
		track_process(t, &v, &exec_info);
	}
	ec.proc = v.ev->hdr.type == BW_EV_EXEC ? &exec_info : proctree__get(t->procs, v.ev->proc.pid, v.ev->proc.start_time);
	/* a process the cache cannot name has no known container either (not "the host") */
	if (ec.proc) {
		ec.container = container_cache__lookup(t->containers, ec.proc->cgroup, true, &announce);
		if (!ec.container && may_wait)
			return -EINPROGRESS;
		if (!ec.container) {
			*gave_up = true;
			ec.container = container_cache__lookup(t->containers, ec.proc->cgroup, false, &announce);
		}
	}
	for (a = proctree__parent(t->procs, ec.proc); a && ec.n_ancestors < t->ancestry_depth;
	     a = proctree__parent(t->procs, a))
		ec.ancestors[ec.n_ancestors++] = a;
	if (v.ev->hdr.type == BW_EV_EXEC && ec.container && ec.container->ident.runtime == RUNTIME_NONE) {
		/*
		 * The host running a file out of a container's writable layer: a release
		 * agent, core_pattern pipe, modprobe or uevent_helper path (the file
		 * exec'd), or a binfmt_misc handler's interpreter (the file exec'd is
		 * the host's, the interpreter run for it the container's: exe).
		 */
		const struct bw_exec *x = (const void *)v.ev;
		struct str_view fn = event_str(&v, x->filename), exe = event_str(&v, x->exe);

		if (fn.len && fn.p[0] == '/')
			ec.layer_container = container_cache__by_layer_path(t->containers, fn.p);
		if (!ec.layer_container && exe.len && exe.p[0] == '/')
			ec.layer_container = container_cache__by_layer_path(t->containers, exe.p);
	}
	pe = (struct pipeline_event){ .v = &v, .ec = &ec, .boot_to_real_ns = t->boot_to_real_ns,
				      .container_announce = announce, .procs = t->procs };
	t->sink->on_event(t->sink->ctx, &pe);
	if (v.ev->hdr.type == BW_EV_EXIT)
		proctree__exit(t->procs, v.ev->proc.pid, v.ev->proc.start_time, monotonic_ms());
	return 0;
}

/* ---- the records held behind a waiting one ------------------------------------------------- */

static struct held *held_head(struct pipeline *t)
{
	return &t->held[t->held_head];
}

static bool held_full(const struct pipeline *t, size_t size)
{
	return t->held_n == t->held_cap || t->held_bytes + size > t->held_max_bytes;
}

static int held_push(struct pipeline *t, const void *data, size_t size, bool tracked, uint64_t read_us)
{
	struct held *h = &t->held[(t->held_head + t->held_n) % t->held_cap];

	if (!(h->data = malloc(size)))
		return -ENOMEM;
	memcpy(h->data, data, size);
	h->size = size;
	h->tracked = tracked;
	h->read_us = read_us;
	t->held_n++;
	t->held_bytes += size;
	if (t->held_n > t->wait.held_max)
		t->wait.held_max = t->held_n;
	return 0;
}

static void held_pop(struct pipeline *t)
{
	struct held *h = held_head(t);

	t->held_bytes -= h->size;
	free(h->data);
	h->data = NULL;
	t->held_head = (t->held_head + 1) % t->held_cap;
	t->held_n--;
}

/*
 * Hands on the held records in order until one must wait: the head waits
 * until its container is answered or its deadline passes. @force: the head
 * goes on now (the queue is full).
 */
static void release(struct pipeline *t, bool force)
{
	uint64_t now = monotonic_us();

	while (t->held_n) {
		struct held *h = held_head(t);
		bool late = now >= h->read_us + t->wait_us, gave_up = false;

		if (process(t, h->data, h->size, h->tracked, !late && !force, &gave_up) == -EINPROGRESS) {
			if (!h->tracked)
				t->wait.waits++;
			h->tracked = true;
			return;
		}
		/* one that came to the head after its deadline waited too (behind another one), and gives up at once */
		if (gave_up && !h->tracked)
			t->wait.waits++;
		if (gave_up && late)
			t->wait.timeouts++;
		else if (gave_up)
			t->wait.queue_full++;
		if (h->tracked || gave_up)
			latency_add(&t->waited, now - h->read_us);
		held_pop(t);
		force = false;
	}
}

/*
 * A record going behind the waiting one: an exec names its cgroup, so the
 * lookup of a container first seen there starts now and overlaps the wait
 * (containers starting together wait for their lookups at once, not in turn).
 */
static void prefetch(struct pipeline *t, const void *data, size_t size)
{
	const struct bw_hdr *h = data;
	struct event_view v;
	enum event_malformed why;

	if (size < sizeof(*h) || h->type != BW_EV_EXEC || event_decode(data, size, &v, &why, NULL))
		return;
	container_cache__prefetch(t->containers, event_str(&v, ((const struct bw_exec *)v.ev)->cgroup).p);
}

void pipeline__record(struct pipeline *t, const void *data, size_t size)
{
	uint64_t now = monotonic_us();
	bool gave_up = false;

	/* answers and the deadline are looked at here too: a long batch must not hold the waiting one past them */
	if (t->held_n && (now >= held_head(t)->read_us + t->wait_us ||
			  ((t->held_n % ANSWER_LOOK_EVERY == 0 || held_full(t, size)) &&
			   container_cache__collect(t->containers))))
		release(t, false);
	while (t->held_n && held_full(t, size))
		release(t, true);
	if (t->held_n) {
		if (held_push(t, data, size, false, now) == 0) {
			prefetch(t, data, size);
			return;
		}
		while (t->held_n) /* out of memory: everything goes on now, in order */
			release(t, true);
	}
	if (process(t, data, size, false, true, &gave_up) != -EINPROGRESS)
		return;
	t->wait.waits++;
	if (held_push(t, data, size, true, now)) {
		t->wait.queue_full++;
		process(t, data, size, true, false, &gave_up);
	}
}

int pipeline__fd(const struct pipeline *t)
{
	return container_cache__fd(t->containers);
}

int pipeline__poll(struct pipeline *t)
{
	uint64_t now, deadline;

	if (container_cache__collect(t->containers) || (t->held_n && monotonic_us() >= held_head(t)->read_us + t->wait_us))
		release(t, false);
	if (!t->held_n)
		return -1;
	now = monotonic_us();
	deadline = held_head(t)->read_us + t->wait_us;
	return deadline > now ? (int)((deadline - now + 999) / 1000) : 0;
}

void pipeline__wait_stats(const struct pipeline *t, struct pipeline_wait_stats *st)
{
	*st = t->wait;
	st->held = t->held_n;
	st->wait_us_median = latency_median(&t->waited);
	st->wait_us_max = t->waited.max_us;
}

struct pipeline *pipeline__new(const struct pipeline_opts *opts, const struct pipeline_sink *sink)
{
	struct pipeline *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->sink = sink;
	t->ancestry_depth = opts->ancestry_depth < EVENT_MAX_ANCESTORS ? opts->ancestry_depth : EVENT_MAX_ANCESTORS;
	t->wait_us = (uint64_t)(opts->container_wait_ms ? opts->container_wait_ms : PIPELINE_WAIT_MS) * 1000;
	t->held_cap = opts->container_wait_records ? opts->container_wait_records : PIPELINE_WAIT_RECORDS;
	t->held_max_bytes = opts->container_wait_bytes ? opts->container_wait_bytes : PIPELINE_WAIT_BYTES;
	t->held = calloc(t->held_cap, sizeof(*t->held));
	t->procs = proctree__new(opts->proc_cache_size, opts->procfs);
	t->containers = container_cache__new(&opts->containers);
	if (!t->held || !t->procs || !t->containers) {
		pipeline__free(t);
		errno = ENOMEM;
		return NULL;
	}
	t->boot_to_real_ns = event_boot_to_real_ns();
	return t;
}

void pipeline__free(struct pipeline *t)
{
	if (!t)
		return;
	while (t->held && t->held_n)
		held_pop(t);
	free(t->held);
	container_cache__free(t->containers);
	proctree__free(t->procs);
	free(t);
}

static void fill_stats(struct pipeline *t, struct pipeline_stats *st)
{
	memcpy(st->by_type, t->by_type, sizeof(st->by_type));
	memcpy(st->malformed, t->malformed, sizeof(st->malformed));
	sensor__counters(t->sensor, &st->sensor);
	proctree__stats(t->procs, &st->procs);
	container_cache__stats(t->containers, &st->containers);
	pipeline__wait_stats(t, &st->wait);
	st->last_consume_ms = t->last_consume_ms;
	sensor__hooks(t->sensor, &st->hooks_attached, &st->hooks_skipped);
}

static void log_stats(struct pipeline *t, bool final)
{
	struct sensor_counters c;
	struct pipeline_stats st = { 0 };
	struct strbuf sb = STRBUF_INIT;
	unsigned int i;
	uint64_t drops = 0;

	sensor__counters(t->sensor, &c);
	for (i = 0; i < BW_EV_MAX; i++)
		drops += c.drops[i];
	if (!final) {
		if (drops != t->last_drops)
			log_warn("kernel dropped %llu records (ring buffer full) in the last %d ms",
				 (unsigned long long)(drops - t->last_drops), TICK_MS * STATS_EVERY_TICKS);
		t->last_drops = drops;
		return;
	}
	fill_stats(t, &st);
	jw_begin(&sb);
	stats_write_json(&sb, &st, NULL);
	if (t->sink->on_stats)
		t->sink->on_stats(t->sink->ctx, &sb);
	jw_end(&sb);
	log_info("trace stats %s", sb.buf);
	strbuf_free(&sb);
}

static void loop_signals(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGHUP);
}

int pipeline_block_signals(void)
{
	sigset_t mask;

	loop_signals(&mask);
	/* a closed stdout or socket must end in a write error, not kill the agent */
	signal(SIGPIPE, SIG_IGN);
	return pthread_sigmask(SIG_BLOCK, &mask, NULL) ? -errno : 0;
}

static int setup_fds(int *sigfd, int *timerfd)
{
	struct itimerspec its = { .it_interval = { 0, TICK_MS * 1000000L }, .it_value = { 0, TICK_MS * 1000000L } };
	sigset_t mask;
	int err = pipeline_block_signals();

	if (err)
		return err;
	loop_signals(&mask);
	*sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (*sigfd < 0)
		return -errno;
	*timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (*timerfd < 0 || timerfd_settime(*timerfd, 0, &its, NULL))
		return -errno;
	return 0;
}

static int epoll_add(int epfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/*
 * After a stop: the held records get their answers or their deadline (at
 * most the wait deadline), without reading the rings further.
 */
static void finish_held(struct pipeline *t)
{
	struct pollfd pfd = { .fd = pipeline__fd(t), .events = POLLIN };
	int timeout;

	while ((timeout = pipeline__poll(t)) >= 0 && !(t->sink->stopped && t->sink->stopped(t->sink->ctx)))
		if (poll(&pfd, 1, timeout) < 0 && errno != EINTR)
			break;
}

static int loop(struct pipeline *t, int epfd, int sigfd, int timerfd)
{
	struct epoll_event evs[8];
	bool stop = false;
	unsigned int ticks_seen = 0;
	int i, n, err, timeout = -1;

	while (!stop && !(t->sink->stopped && t->sink->stopped(t->sink->ctx))) {
		/* a waiting event wakes us at its deadline; its answer through the worker's eventfd */
		n = epoll_wait(epfd, evs, 8, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == sigfd) {
				struct signalfd_siginfo si;

				if (read(sigfd, &si, sizeof(si)) != sizeof(si))
					continue;
				if (si.ssi_signo == SIGHUP) {
					if (t->sink->on_hangup)
						t->sink->on_hangup(t->sink->ctx);
				} else {
					stop = true;
				}
			} else if (fd == timerfd) {
				uint64_t ticks;

				if (read(timerfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
					return -errno;
				if (t->sink->on_tick)
					t->sink->on_tick(t->sink->ctx);
				if (++ticks_seen % STATS_EVERY_TICKS == 0) {
					log_stats(t, false);
					if (t->sink->on_pipeline_stats) {
						struct pipeline_stats st = { 0 };

						fill_stats(t, &st);
						t->sink->on_pipeline_stats(t->sink->ctx, &st);
					}
					proctree__reap(t->procs, monotonic_ms());
				}
			}
		}
		/* answers first: the records they free go on before those read now */
		pipeline__poll(t);
		/* whatever woke us, deliver what is ready: a stop also drains the rings first */
		err = sensor__consume(t->sensor);
		if (err < 0)
			return err;
		t->last_consume_ms = monotonic_ms(); /* health: a stalled loop stops moving this */
		if (stop)
			sensor__drain(t->sensor);
		timeout = pipeline__poll(t);
		if (sensor__pending(t->sensor) && (timeout < 0 || timeout > 1))
			timeout = 1; /* records wait for the rest of their time: the next round reads it */
		/*
		 * Each record arriving on an empty ring wakes us: under a steady
		 * stream that is a wake-up per event. Pausing briefly once caught up
		 * turns it into one wake-up per batch; the rings hold far more than
		 * a millisecond of events.
		 */
		if (err > 0 && err < CAUGHT_UP_BATCH && !stop)
			usleep(BATCH_PAUSE_US);
	}
	if (stop)
		finish_held(t);
	return 0;
}

static void on_record(void *ctx, const void *data, size_t size)
{
	pipeline__record(ctx, data, size);
}

int pipeline_run(const struct pipeline_opts *opts, const struct pipeline_sink *sink)
{
	struct pipeline *t;
	struct sensor_opts so = { .ro_prefixes = opts->ro_prefixes, .n_ro_prefixes = opts->n_ro_prefixes,
				  .exec_env = opts->exec_env, .exec_cwd = opts->exec_cwd, .on_record = on_record,
				  .enforce = opts->enforce, .tier_capped = opts->tier_capped, .tier_max = opts->tier_max };
	int sigfd = -1, timerfd = -1, epfd = -1, rfds[2], attached, skipped, i, err, status = 1;
	char why[512];

	memcpy(so.events, opts->events, sizeof(so.events));
	/* tests only: run a lower hook tier than the probe would pick (the SIGKILL tier on an LSM kernel) */
	if (getenv("BULWARK_SENSOR_TIER_MAX")) {
		int t = sensor_tier_from_name(getenv("BULWARK_SENSOR_TIER_MAX"));

		if (t < 0) {
			log_error("cannot start: BULWARK_SENSOR_TIER_MAX=%s is not lsm, fentry or tracepoints",
				  getenv("BULWARK_SENSOR_TIER_MAX"));
			return 2;
		}
		so.tier_capped = true;
		so.tier_max = (enum bw_tier)t;
	}

	/* the container worker blocks every signal itself, so it may start before setup_fds */
	t = pipeline__new(opts, sink);
	if (!t) {
		log_errno(LOG_ERROR, errno, "cannot allocate the process and container caches");
		return 1;
	}
	so.ctx = t;
	err = setup_fds(&sigfd, &timerfd);
	if (err) {
		log_errno(LOG_ERROR, err, "cannot set up signals and timers");
		goto cleanup;
	}
	t->sensor = sensor__new(&so, why, sizeof(why));
	if (!t->sensor) {
		log_error("cannot start: %s", why);
		status = 2;
		goto cleanup;
	}
	if (sink->on_sensor)
		sink->on_sensor(sink->ctx, t->sensor);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0) {
		log_errno(LOG_ERROR, errno, "epoll_create1");
		goto cleanup;
	}
	sensor__fds(t->sensor, rfds);
	for (i = 0; i < 2; i++)
		if ((err = epoll_add(epfd, rfds[i])))
			goto epoll_failed;
	if ((err = epoll_add(epfd, sigfd)) || (err = epoll_add(epfd, timerfd)) ||
	    (err = epoll_add(epfd, pipeline__fd(t))))
		goto epoll_failed;

	sensor__hooks(t->sensor, &attached, &skipped);
	/* after attach: a process that starts during the scan is seen by one or the other */
	log_info("process cache: %zu processes loaded from %s", proctree__scan(t->procs), opts->procfs);
	log_info("sensor ready: %d hooks attached, %d skipped", attached, skipped);
	t->last_consume_ms = monotonic_ms();
	if (sink->on_ready) {
		struct pipeline_stats st = { 0 };

		fill_stats(t, &st);
		sensor__skipped_hooks(t->sensor, st.skipped_why, sizeof(st.skipped_why));
		sink->on_ready(sink->ctx, &st);
	}
	err = loop(t, epfd, sigfd, timerfd);
	if (err) {
		log_errno(LOG_ERROR, err, "event loop failed");
		goto cleanup;
	}
	log_stats(t, true);
	status = 0;
	goto cleanup;

epoll_failed:
	log_errno(LOG_ERROR, err, "epoll_ctl");
cleanup:
	/* the sensor first: its rings hold a pointer to t */
	sensor__free(t->sensor);
	pipeline__free(t);
	if (epfd >= 0)
		close(epfd);
	if (sigfd >= 0)
		close(sigfd);
	if (timerfd >= 0)
		close(timerfd);
	return status;
}
