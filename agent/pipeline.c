// SPDX-License-Identifier: Apache-2.0
#include "pipeline.h"

#include <errno.h>
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
#include "log.h"
#include "proctree.h"
#include "stats.h"

#define TICK_MS 100          /* sinks flush every tick */
#define STATS_EVERY_TICKS 10 /* drop counters are checked every second */
#define CAUGHT_UP_BATCH 64   /* a consume smaller than this means the rings were nearly empty */
#define BATCH_PAUSE_US 1000  /* then wait this long so that the next wake-up brings a batch */
#define MALFORMED_LOG_LIMIT 10 /* log the first few malformed records; count all */

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
};

/* Keeps the process cache in step with the lifecycle events; returns what the event's process is. */
static const struct proc_info *track_process(struct pipeline *t, const struct event_view *v,
					     struct proc_info *exec_info)
{
	const struct bw_event *ev = v->ev;
	const struct bw_proc *p = &ev->proc;

	switch (ev->hdr.type) {
	case BW_EV_EXEC: {
		const struct bw_exec *e = (const void *)ev;
		struct str_view exe = event_str(v, e->exe), args = event_str(v, e->args), cg = event_str(v, e->cgroup);
		/* strings in the record are NUL-terminated (checked by event_decode) */
		*exec_info = (struct proc_info){ .pid = p->pid, .ppid = p->ppid, .uid = p->uid,
						 .start_time = p->start_time, .parent_start_time = p->parent_start_time,
						 .exe = exe.p, .args = args.p, .args_len = args.len, .cgroup = cg.p };
		memcpy(exec_info->comm, p->comm, sizeof(exec_info->comm));
		proctree__exec(t->procs, exec_info);
		return exec_info;
	}
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
	return proctree__get(t->procs, p->pid, p->start_time);
}

static uint64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_record(void *ctx, const void *data, size_t size)
{
	struct pipeline *t = ctx;
	struct event_view v;
	enum event_malformed why;
	struct proc_info exec_info;
	struct event_context ec = { 0 };
	const struct proc_info *a;
	struct pipeline_event pe;
	bool announce;

	if (event_decode(data, size, &v, &why, t->malformed)) {
		if (t->malformed_total++ < MALFORMED_LOG_LIMIT)
			log_warn("malformed kernel record (%s, %zu bytes): counted and skipped", event_malformed_name(why),
				 size);
		return;
	}
	t->by_type[v.ev->hdr.type]++;
	ec.proc = track_process(t, &v, &exec_info);
	for (a = proctree__parent(t->procs, ec.proc); a && ec.n_ancestors < t->ancestry_depth;
	     a = proctree__parent(t->procs, a))
		ec.ancestors[ec.n_ancestors++] = a;
	/* a process the cache cannot name has no known container either (not "the host") */
	announce = false;
	if (ec.proc)
		ec.container = container_cache__lookup(t->containers, ec.proc->cgroup, &announce);
	if (v.ev->hdr.type == BW_EV_EXEC && ec.container && ec.container->ident.runtime == RUNTIME_NONE) {
		/* the host running a file out of a container's writable layer: the release_agent escape */
		struct str_view fn = event_str(&v, ((const struct bw_exec *)v.ev)->filename);

		if (fn.len && fn.p[0] == '/')
			ec.layer_container = container_cache__by_layer_path(t->containers, fn.p);
	}
	pe = (struct pipeline_event){ .v = &v, .ec = &ec, .boot_to_real_ns = t->boot_to_real_ns,
				      .container_announce = announce, .procs = t->procs };
	t->sink->on_event(t->sink->ctx, &pe);
	if (v.ev->hdr.type == BW_EV_EXIT)
		proctree__exit(t->procs, v.ev->proc.pid, v.ev->proc.start_time, monotonic_ms());
}

static void fill_stats(struct pipeline *t, struct pipeline_stats *st)
{
	memcpy(st->by_type, t->by_type, sizeof(st->by_type));
	memcpy(st->malformed, t->malformed, sizeof(st->malformed));
	sensor__counters(t->sensor, &st->sensor);
	proctree__stats(t->procs, &st->procs);
	container_cache__stats(t->containers, &st->containers);
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

static int loop(struct pipeline *t, int epfd, int sigfd, int timerfd)
{
	struct epoll_event evs[8];
	bool stop = false;
	unsigned int ticks_seen = 0;
	int i, n, err;

	while (!stop && !(t->sink->stopped && t->sink->stopped(t->sink->ctx))) {
		n = epoll_wait(epfd, evs, 8, -1);
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
		/* whatever woke us, deliver what is ready: a stop also drains the rings first */
		err = sensor__consume(t->sensor);
		if (err < 0)
			return err;
		t->last_consume_ms = monotonic_ms(); /* health: a stalled loop stops moving this */
		/*
		 * Each record arriving on an empty ring wakes us: under a steady
		 * stream that is a wake-up per event. Pausing briefly once caught up
		 * turns it into one wake-up per batch; the rings hold far more than
		 * a millisecond of events.
		 */
		if (err > 0 && err < CAUGHT_UP_BATCH && !stop)
			usleep(BATCH_PAUSE_US);
	}
	return 0;
}

int pipeline_run(const struct pipeline_opts *opts, const struct pipeline_sink *sink)
{
	struct pipeline t = { .sink = sink };
	struct sensor_opts so = { .ro_prefixes = opts->ro_prefixes, .n_ro_prefixes = opts->n_ro_prefixes,
				  .on_record = on_record, .ctx = &t };
	int sigfd = -1, timerfd = -1, epfd = -1, rfds[2], attached, skipped, i, err, status = 1;
	char why[512];

	memcpy(so.events, opts->events, sizeof(so.events));

	t.procs = proctree__new(opts->proc_cache_size, opts->procfs);
	t.containers = container_cache__new(&opts->containers);
	if (!t.procs || !t.containers) {
		log_errno(LOG_ERROR, errno, "cannot allocate the process and container caches");
		goto cleanup;
	}
	t.ancestry_depth = opts->ancestry_depth < EVENT_MAX_ANCESTORS ? opts->ancestry_depth : EVENT_MAX_ANCESTORS;
	err = setup_fds(&sigfd, &timerfd);
	if (err) {
		log_errno(LOG_ERROR, err, "cannot set up signals and timers");
		goto cleanup;
	}
	t.sensor = sensor__new(&so, why, sizeof(why));
	if (!t.sensor) {
		log_error("cannot start: %s", why);
		status = 2;
		goto cleanup;
	}
	if (sink->on_sensor)
		sink->on_sensor(sink->ctx, t.sensor);
	t.boot_to_real_ns = event_boot_to_real_ns();
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0) {
		log_errno(LOG_ERROR, errno, "epoll_create1");
		goto cleanup;
	}
	sensor__fds(t.sensor, rfds);
	for (i = 0; i < 2; i++)
		if ((err = epoll_add(epfd, rfds[i])))
			goto epoll_failed;
	if ((err = epoll_add(epfd, sigfd)) || (err = epoll_add(epfd, timerfd)))
		goto epoll_failed;

	sensor__hooks(t.sensor, &attached, &skipped);
	/* after attach: a process that starts during the scan is seen by one or the other */
	log_info("process cache: %zu processes loaded from %s", proctree__scan(t.procs), opts->procfs);
	log_info("sensor ready: %d hooks attached, %d skipped", attached, skipped);
	t.last_consume_ms = monotonic_ms();
	if (sink->on_ready) {
		struct pipeline_stats st = { 0 };

		fill_stats(&t, &st);
		sensor__skipped_hooks(t.sensor, st.skipped_why, sizeof(st.skipped_why));
		sink->on_ready(sink->ctx, &st);
	}
	err = loop(&t, epfd, sigfd, timerfd);
	if (err) {
		log_errno(LOG_ERROR, err, "event loop failed");
		goto cleanup;
	}
	log_stats(&t, true);
	status = 0;
	goto cleanup;

epoll_failed:
	log_errno(LOG_ERROR, err, "epoll_ctl");
cleanup:
	sensor__free(t.sensor);
	container_cache__free(t.containers);
	proctree__free(t.procs);
	if (epfd >= 0)
		close(epfd);
	if (sigfd >= 0)
		close(sigfd);
	if (timerfd >= 0)
		close(timerfd);
	return status;
}
