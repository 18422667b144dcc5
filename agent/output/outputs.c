// SPDX-License-Identifier: Apache-2.0
/*
 * The output pipeline: publish -> noise control -> per output (bounded queue |
 * disk spool) -> output thread -> batch -> sink -> sent | retry | dead letter.
 *
 * Per output, one thread and one mutex. The publishing thread only copies the
 * alert into the queue, or appends it to the spool when the queue is full or
 * the receiver is failing ("spilling"), and never waits for a receiver. The
 * output thread sends batches; when a send fails transiently it moves its
 * batch and the whole queue to the spool, so that while a receiver is down
 * alerts are on disk (a SIGKILL loses nothing) and memory stays flat. Once a
 * send succeeds the spool is replayed oldest first, then the queue is used
 * again. Without a spool the batch is kept and retried, the queue fills, and
 * what does not fit is dropped, counted and logged.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "log.h"
#include "util.h"

#define DROP_LOG_INTERVAL_NS (10ull * 1000000000)
#define SYNC_INTERVAL_NS (1000000000ull)

struct counters {
	atomic_uint_fast64_t accepted, queued, sent, retried, spooled, replayed, dead_lettered, dropped;
};

struct output {
	struct outputs *parent;
	struct output_config cfg;
	struct sink sink;
	struct spool *spool;      /* NULL: no spool */
	int dead_fd;              /* -1: dead letters go to the log */
	char dead_path[PATH_MAX + 80];

	pthread_mutex_t lock;     /* everything below up to the counters */
	pthread_cond_t wake;      /* the output thread: new work, stop */
	struct qalert **q;        /* ring of references */
	size_t qcap, qhead, qlen;
	bool spilling;            /* publish appends to the spool, not the queue */
	bool busy;                /* the thread holds a batch */
	bool stopping;
	uint64_t deadline_ns;
	uint64_t last_drop_log_ns, drops_unlogged;

	atomic_bool abort;        /* stop's deadline passed: cut any send short */
	atomic_bool up;           /* the last send succeeded */
	pthread_t thread;
	bool started;
	struct counters c;
};

struct outputs {
	struct output *outs;
	size_t n;
	pthread_mutex_t rl_lock;
	struct ratelimit *rl;
	atomic_uint_fast64_t suppressed, malformed;
	pthread_t hk;             /* housekeeping: due summaries of noise control */
	bool hk_started;
	pthread_mutex_t hk_lock;
	pthread_cond_t hk_wake;
	bool hk_stop;
	bool stopped;
};

static const struct ratelimit_config default_rl = {
	.rate = 20, .burst = 100, .table_size = 4096, .summary_ms = 10000,
};

static uint64_t deadline_after(int timeout_ms)
{
	return util_clock_ns(CLOCK_MONOTONIC) + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms) * 1000000ull;
}

static void abs_time(struct timespec *ts, uint64_t ms_from_now)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms_from_now / 1000;
	ts->tv_nsec += (ms_from_now % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

/* ---- shared alerts ------------------------------------------------------------------ */

/* Takes over an owned alert (its storage moves, no copy). */
static struct qalert *qalert_adopt(struct alert *owned)
{
	struct qalert *q = malloc(sizeof(*q));

	if (!q)
		return NULL;
	atomic_init(&q->refs, 1);
	q->a = *owned;
	q->size = alert_size(&q->a);
	memset(owned, 0, sizeof(*owned));
	return q;
}

static struct qalert *qalert_new(const struct alert *a)
{
	struct alert copy;
	struct qalert *q;

	if (alert_copy(&copy, a))
		return NULL;
	q = qalert_adopt(&copy);
	alert_free(&copy);
	return q;
}

static void qalert_unref(struct qalert *q)
{
	if (q && atomic_fetch_sub(&q->refs, 1) == 1) {
		alert_free(&q->a);
		free(q);
	}
}

/* ---- losses and dead letters ----------------------------------------------------- */

static void count_drop(struct output *out, uint64_t n, const char *why)
{
	uint64_t now = util_clock_ns(CLOCK_MONOTONIC), pending;

	atomic_fetch_add(&out->c.dropped, n);
	pthread_mutex_lock(&out->lock);
	out->drops_unlogged += n;
	pending = 0;
	if (now - out->last_drop_log_ns >= DROP_LOG_INTERVAL_NS || out->last_drop_log_ns == 0) {
		pending = out->drops_unlogged;
		out->drops_unlogged = 0;
		out->last_drop_log_ns = now;
	}
	pthread_mutex_unlock(&out->lock);
	if (pending)
		log_error("output %s: %" PRIu64 " alert(s) LOST: %s (total dropped %" PRIu64 ")", out->cfg.name,
			  pending, why, (uint64_t)atomic_load(&out->c.dropped));
}

static void dead_letter_text(struct output *out, const char *data, size_t len, const char *reason)
{
	struct strbuf sb = STRBUF_INIT;
	char now[40];

	atomic_fetch_add(&out->c.dead_lettered, 1);
	fmt_rfc3339_now(now, sizeof(now));
	jw_begin(&sb);
	jw_kstr(&sb, "time", now);
	jw_kstr(&sb, "output", out->cfg.name);
	jw_kstr(&sb, "reason", reason);
	jw_key(&sb, "alert");
	strbuf_add(&sb, data, len); /* our own canonical one-line JSON */
	jw_end(&sb);
	strbuf_addc(&sb, '\n');
	if (out->dead_fd < 0 || write(out->dead_fd, sb.buf, sb.len) != (ssize_t)sb.len) {
		/* no dead-letter file: the log is the last place this alert can be kept */
		sb.buf[--sb.len] = '\0';
		log_error("output %s: receiver refused an alert permanently: %s", out->cfg.name, sb.buf);
	}
	strbuf_free(&sb);
}

static void dead_letter(struct output *out, const struct alert *a, const char *reason)
{
	struct strbuf line = STRBUF_INIT;

	format_alert(&line, FORMAT_JSON, a);
	dead_letter_text(out, line.buf, line.len, reason);
	strbuf_free(&line);
}

/* ---- queue and spool ------------------------------------------------------------- */

/* The disk boundary: the alert as its JSON line. */
static void to_spool(struct output *out, const struct alert *a)
{
	struct strbuf line = STRBUF_INIT;
	int rc;

	format_alert(&line, FORMAT_JSON, a);
	rc = spool__append(out->spool, line.buf, line.len);
	strbuf_free(&line);
	if (rc == 0) {
		atomic_fetch_add(&out->c.spooled, 1);
		return;
	}
	count_drop(out, 1, rc == -ENOSPC ? "the spool is full" : strerror(-rc));
}

static void enqueue(struct output *out, struct qalert *q)
{
	pthread_mutex_lock(&out->lock);
	if (!out->spilling && out->qlen < out->qcap) {
		atomic_fetch_add(&q->refs, 1);
		out->q[(out->qhead + out->qlen) % out->qcap] = q;
		out->qlen++;
		atomic_fetch_add(&out->c.queued, 1);
		/* wake the thread when it may be idle, and as a batch fills; not for every alert */
		if (out->qlen == 1 || out->qlen % 64 == 0 || out->qlen >= out->cfg.batch)
			pthread_cond_signal(&out->wake);
		pthread_mutex_unlock(&out->lock);
		return;
	}
	if (out->spool) {
		out->spilling = true;
		pthread_cond_signal(&out->wake);
	}
	pthread_mutex_unlock(&out->lock);
	if (out->spool)
		to_spool(out, &q->a);
	else
		count_drop(out, 1, "the queue is full and there is no spool");
}

/* Moves everything queued to the spool (receiver failing, or stopping); caller holds no lock. */
static void queue_to_spool(struct output *out)
{
	struct qalert **recs;
	size_t n, i;

	pthread_mutex_lock(&out->lock);
	n = out->qlen;
	recs = n ? malloc(n * sizeof(*recs)) : NULL;
	if (recs) {
		for (i = 0; i < n; i++)
			recs[i] = out->q[(out->qhead + i) % out->qcap];
		out->qhead = out->qlen = 0;
	} else {
		n = 0;
	}
	if (out->spool)
		out->spilling = true;
	pthread_mutex_unlock(&out->lock);
	for (i = 0; i < n; i++) {
		if (out->spool)
			to_spool(out, &recs[i]->a);
		else
			count_drop(out, 1, "stopped before the receiver took it (no spool)");
		qalert_unref(recs[i]);
	}
	free(recs);
}

/* ---- batches ------------------------------------------------------------------- */

static void item_free(struct batch_item *it)
{
	qalert_unref(it->q);
	memset(it, 0, sizeof(*it));
}

static void batch_clear(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		item_free(&b->items[i]);
	b->n = 0;
	b->bytes = 0;
}

/* Takes the reference q. */
static void batch_add(struct output *out, struct batch *b, struct qalert *q, bool spooled, struct spool_pos end)
{
	struct batch_item *it;

	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct batch_item *p = realloc(b->items, cap * sizeof(*p));

		if (!p) {
			/* may run under out->lock: count and log without it */
			atomic_fetch_add(&out->c.dropped, 1);
			log_error("output %s: an alert LOST: out of memory", out->cfg.name);
			qalert_unref(q);
			return;
		}
		b->items = p;
		b->cap = cap;
	}
	it = &b->items[b->n++];
	memset(it, 0, sizeof(*it));
	it->q = q;
	it->a = &q->a;
	it->size = q->size;
	it->spooled = spooled;
	it->end = end;
	b->bytes += q->size;
}

/* A spool record, parsed back at the disk boundary; an unparsable one (a damaged or foreign spool) is dead-lettered. */
static void batch_add_record(struct output *out, struct batch *b, char *data, uint32_t len, struct spool_pos end)
{
	json_t *root = json_loadb(data, len, JSON_ALLOW_NUL, NULL);
	struct qalert *q = NULL;
	struct alert a;

	if (root && alert_from_json(root, &a) == 0) {
		q = qalert_adopt(&a);
		alert_free(&a);
	}
	json_decref(root);
	free(data);
	if (!q) {
		dead_letter_text(out, "null", 4, "unparsable record");
		if (out->spool)
			spool__commit(out->spool, end);
		return;
	}
	batch_add(out, b, q, true, end);
}

/* Moves queued records into raw[*taken..] while the batch has room; the lock is held. */
static void take_queued(struct output *out, struct qalert **raw, size_t *taken, size_t *bytes, size_t limit)
{
	while (out->qlen && *taken < limit && *bytes < out->cfg.batch_bytes) {
		raw[*taken] = out->q[out->qhead];
		*bytes += raw[(*taken)++]->size;
		out->qhead = (out->qhead + 1) % out->qcap;
		out->qlen--;
	}
}

/*
 * Fills an empty batch from the queue, giving a burst up to batch_ms to fill
 * it, or else from the spool. Records are only moved under the lock; parsing
 * happens outside it, so a publisher never waits for more than a pointer copy.
 */
static void fill_batch(struct output *out, struct batch *b, size_t limit)
{
	struct spool_rec *recs;
	struct qalert **raw = malloc(limit * sizeof(*raw));
	struct timespec until;
	bool timed = false;
	size_t taken = 0, bytes = 0, k;
	int n, i;

	if (!raw)
		return;
	pthread_mutex_lock(&out->lock);
	for (;;) {
		take_queued(out, raw, &taken, &bytes, limit);
		if (taken == 0 || taken >= limit || bytes >= out->cfg.batch_bytes || out->stopping ||
		    out->cfg.batch_ms == 0)
			break;
		/* a partial batch: the burst has until batch_ms after its first alert to fill it */
		if (!timed) {
			abs_time(&until, out->cfg.batch_ms);
			timed = true;
		}
		if (pthread_cond_timedwait(&out->wake, &out->lock, &until) == ETIMEDOUT) {
			take_queued(out, raw, &taken, &bytes, limit);
			break;
		}
	}
	out->busy = taken > 0;
	pthread_mutex_unlock(&out->lock);
	for (k = 0; k < taken; k++)
		batch_add(out, b, raw[k], false, (struct spool_pos){ 0, 0 });
	free(raw);
	if (taken || !out->spool || spool__empty(out->spool))
		return;
	recs = calloc(limit, sizeof(*recs));
	if (!recs)
		return;
	n = spool__peek(out->spool, recs, limit, out->cfg.batch_bytes);
	for (i = 0; i < n; i++)
		batch_add_record(out, b, recs[i].data, recs[i].len, recs[i].end);
	free(recs);
	if (n > 0) {
		atomic_fetch_add(&out->c.replayed, n);
		pthread_mutex_lock(&out->lock);
		out->busy = true;
		pthread_mutex_unlock(&out->lock);
	}
}

/*
 * After a send that returned 0: counts and removes what was delivered or
 * refused; what must be retried stays in the batch (no spool) or goes to the
 * end of the spool.
 */
static void settle(struct output *out, struct batch *b)
{
	struct spool_pos last = { 0, 0 };
	bool from_spool = false;
	size_t i, keep = 0;

	for (i = 0; i < b->n; i++) {
		struct batch_item *it = &b->items[i];

		if (it->spooled) {
			from_spool = true;
			last = it->end;
		}
		switch (it->status) {
		case ITEM_OK:
			atomic_fetch_add(&out->c.sent, 1);
			item_free(it);
			break;
		case ITEM_DEAD:
			dead_letter(out, it->a, it->reason[0] ? it->reason : "refused");
			item_free(it);
			break;
		default:
			atomic_fetch_add(&out->c.retried, 1);
			if (out->spool) {
				to_spool(out, it->a);
				item_free(it);
			} else {
				it->status = ITEM_PENDING;
				it->spooled = false;
				b->items[keep++] = *it;
			}
			break;
		}
	}
	b->n = keep;
	b->bytes = 0;
	for (i = 0; i < keep; i++)
		b->bytes += b->items[i].size;
	/* retried records were appended again above: only now is the old copy consumed */
	if (from_spool)
		spool__commit(out->spool, last);
}

/* The receiver failed the whole batch: spool it (or keep it), and spool the queue too. */
static void park(struct output *out, struct batch *b)
{
	size_t i;

	if (!out->spool)
		return; /* kept in memory and retried */
	for (i = 0; i < b->n; i++)
		if (!b->items[i].spooled) /* spooled ones are still in the spool: not committed */
			to_spool(out, b->items[i].a);
	batch_clear(b);
	queue_to_spool(out);
}

/* Without a spool: items from index `from` on go back to the front of the queue, in order. */
static void unshift(struct output *out, struct batch *b, size_t from)
{
	size_t i;

	pthread_mutex_lock(&out->lock);
	for (i = b->n; i-- > from;) {
		struct batch_item *it = &b->items[i];

		if (out->qlen < out->qcap) {
			out->qhead = (out->qhead + out->qcap - 1) % out->qcap;
			out->q[out->qhead] = it->q; /* the item's reference moves to the queue */
			out->qlen++;
			it->q = NULL;
		}
	}
	pthread_mutex_unlock(&out->lock);
	for (i = from; i < b->n; i++) {
		if (b->items[i].q) {
			/* the queue filled up meanwhile: nowhere to keep it */
			atomic_fetch_add(&out->c.dropped, 1);
			log_error("output %s: an alert LOST: the queue is full and there is no spool", out->cfg.name);
		}
		item_free(&b->items[i]);
	}
	b->n = from;
	b->bytes = 0;
	for (i = 0; i < from; i++)
		b->bytes += b->items[i].size;
}

static void set_up(struct output *out, bool up, const char *why, uint64_t *down_since)
{
	bool was = atomic_exchange(&out->up, up);

	if (was && !up) {
		*down_since = util_clock_ns(CLOCK_MONOTONIC);
		log_warn("output %s: delivery failing: %s; alerts %s and retried", out->cfg.name, why,
			 out->spool ? "go to the spool" : "wait in memory");
	} else if (!was && up) {
		log_info("output %s: receiver back after %.1f s%s", out->cfg.name,
			 (util_clock_ns(CLOCK_MONOTONIC) - *down_since) / 1e9, out->spool ? "; replaying the spool" : "");
	}
}

/* Sleeps ms unless stop comes first (once stopping: unless the deadline passes). */
static void nap(struct output *out, unsigned ms)
{
	struct timespec until;
	bool was;

	abs_time(&until, ms);
	pthread_mutex_lock(&out->lock);
	was = out->stopping;
	while (!atomic_load(&out->abort) && (was || !out->stopping) &&
	       pthread_cond_timedwait(&out->wake, &out->lock, &until) == 0)
		;
	pthread_mutex_unlock(&out->lock);
}

static void *output_thread(void *arg)
{
	struct output *out = arg;
	struct batch b = { 0 };
	struct backoff bo;
	uint64_t down_since = 0, last_sync = util_clock_ns(CLOCK_MONOTONIC);
	size_t limit = out->cfg.batch;
	char why[512];
	unsigned ra;
	int rc;

	backoff_init(&bo, out->cfg.retry_ms, out->cfg.retry_max_ms, util_clock_ns(CLOCK_MONOTONIC) ^ (uintptr_t)out);
	for (;;) {
		bool stopping;

		if (out->spool && util_clock_ns(CLOCK_MONOTONIC) - last_sync >= SYNC_INTERVAL_NS) {
			spool__sync(out->spool);
			last_sync = util_clock_ns(CLOCK_MONOTONIC);
		}
		pthread_mutex_lock(&out->lock);
		stopping = out->stopping;
		pthread_mutex_unlock(&out->lock);
		if (stopping && (atomic_load(&out->abort) || (!atomic_load(&out->up) && out->spool))) {
			/* out of time, or nobody to deliver to: keep what we hold on disk */
			if (out->spool) {
				park(out, &b);
			} else {
				count_drop(out, b.n, "stopped while the receiver was failing (no spool)");
				batch_clear(&b);
				queue_to_spool(out);
			}
			break;
		}
		if (b.n == 0) {
			/* while stopping, the spool stays for the next start: only memory is flushed */
			if (stopping) {
				pthread_mutex_lock(&out->lock);
				if (out->qlen == 0) {
					out->busy = false;
					pthread_mutex_unlock(&out->lock);
					break;
				}
				pthread_mutex_unlock(&out->lock);
			}
			fill_batch(out, &b, limit);
			if (b.n == 0) {
				pthread_mutex_lock(&out->lock);
				if (!out->qlen && !out->stopping && (!out->spool || spool__empty(out->spool))) {
					struct timespec until;

					out->spilling = false;
					out->busy = false;
					abs_time(&until, 1000);
					pthread_cond_timedwait(&out->wake, &out->lock, &until);
				}
				pthread_mutex_unlock(&out->lock);
				continue;
			}
		}
		why[0] = '\0';
		ra = 0;
		rc = out->sink.ops->send(&out->sink, &b, &ra, why, sizeof(why));
		if (rc == 0) {
			settle(out, &b);
			set_up(out, true, NULL, &down_since);
			backoff_reset(&bo);
			/* after a 413, grow back towards the configured batch size step by step */
			limit = limit * 2 < out->cfg.batch ? limit * 2 : out->cfg.batch;
			if (b.n == 0) {
				pthread_mutex_lock(&out->lock);
				out->busy = false;
				pthread_mutex_unlock(&out->lock);
				continue;
			}
			/* items to retry without a spool: fall through to the backoff */
		} else {
			atomic_fetch_add(&out->c.retried, b.n);
			if (rc == -EMSGSIZE && b.n > 1) {
				/* 413: resend in smaller batches */
				limit = b.n / 2;
				if (out->spool)
					park(out, &b);
				else
					unshift(out, &b, limit);
				continue;
			}
			set_up(out, false, why[0] ? why : strerror(-rc), &down_since);
			park(out, &b);
		}
		if (atomic_load(&out->abort))
			continue;
		{
			unsigned d = backoff_next(&bo, ra);

			log_debug("output %s: retry in %u ms (%s)", out->cfg.name, d, why);
			nap(out, d);
		}
	}
	batch_clear(&b);
	free(b.items);
	if (out->sink.ops->close)
		out->sink.ops->close(&out->sink);
	if (out->spool)
		spool__sync(out->spool);
	pthread_mutex_lock(&out->lock);
	out->busy = false;
	pthread_mutex_unlock(&out->lock);
	return NULL;
}

/* ---- fan-out --------------------------------------------------------------------- */

static bool wanted(const struct outputs *o, const struct alert *a)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (a->priority <= o->outs[i].cfg.min_priority)
			return true;
	return false;
}

/*
 * One shared copy for every output that takes the alert; owned (may be NULL)
 * is taken over instead of copied.
 */
static void fanout(struct outputs *o, const struct alert *a, struct alert *owned)
{
	enum alert_priority prio = a->priority; /* a may be owned, which the adoption empties */
	struct qalert *q;
	size_t i;

	if (!wanted(o, a))
		return;
	q = owned ? qalert_adopt(owned) : qalert_new(a);
	for (i = 0; i < o->n; i++) {
		if (prio > o->outs[i].cfg.min_priority)
			continue;
		atomic_fetch_add(&o->outs[i].c.accepted, 1);
		if (q)
			enqueue(&o->outs[i], q);
		else
			count_drop(&o->outs[i], 1, "out of memory");
	}
	qalert_unref(q);
}

static void emit_summary(void *ctx, const struct rl_summary *s)
{
	struct outputs *o = ctx;
	struct alert a;

	if (ratelimit_summary(s, &a) == 0) {
		fanout(o, &a, &a);
		alert_free(&a);
	}
}

/* owned: NULL, or a to take over. */
static void publish(struct outputs *o, const struct alert *a, struct alert *owned)
{
	char buf[64];
	const char *container;
	size_t clen;
	bool pass;

	container = alert_field(a, "container.id", buf, sizeof(buf), &clen);
	if (!container || !*container)
		container = "host";
	pthread_mutex_lock(&o->rl_lock);
	pass = !o->rl || ratelimit__check(o->rl, a, container, util_clock_ns(CLOCK_MONOTONIC), emit_summary, o);
	pthread_mutex_unlock(&o->rl_lock);
	if (pass)
		fanout(o, a, owned);
	else
		atomic_fetch_add(&o->suppressed, 1);
}

void outputs__publish_alert(struct outputs *o, const struct alert *a)
{
	publish(o, a, NULL);
}

int outputs__publish(struct outputs *o, const char *alert_json, size_t len)
{
	struct alert a;
	char err[200];
	int rc;

	rc = alert_parse(alert_json, len, &a, err, sizeof(err));
	if (rc) {
		if (atomic_fetch_add(&o->malformed, 1) < 10)
			log_error("outputs: malformed alert refused: %s", err);
		return rc;
	}
	publish(o, &a, &a);
	alert_free(&a);
	return 0;
}

static void *housekeeping(void *arg)
{
	struct outputs *o = arg;
	struct timespec until;

	pthread_mutex_lock(&o->hk_lock);
	while (!o->hk_stop) {
		abs_time(&until, 250);
		pthread_cond_timedwait(&o->hk_wake, &o->hk_lock, &until);
		pthread_mutex_unlock(&o->hk_lock);
		pthread_mutex_lock(&o->rl_lock);
		if (o->rl)
			ratelimit__flush(o->rl, util_clock_ns(CLOCK_MONOTONIC), false, emit_summary, o);
		pthread_mutex_unlock(&o->rl_lock);
		pthread_mutex_lock(&o->hk_lock);
	}
	pthread_mutex_unlock(&o->hk_lock);
	return NULL;
}

/* ---- lifecycle ------------------------------------------------------------------- */

static int output_init(struct outputs *o, struct output *out, const struct output_config *cfg, char *err,
		       size_t errlen)
{
	pthread_condattr_t ca;
	char path[PATH_MAX + 80], e[300];
	int rc;

	out->parent = o;
	out->cfg = *cfg;
	out->dead_fd = -1;
	out->sink.cfg = &out->cfg;
	out->sink.abort = &out->abort;
	atomic_store(&out->up, true);
	pthread_mutex_init(&out->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&out->wake, &ca);
	pthread_condattr_destroy(&ca);
	rc = output_config_finish(&out->cfg, e, sizeof(e));
	if (rc) {
		snprintf(err, errlen, "output %s: %s", cfg->name, e);
		return rc;
	}
	out->qcap = out->cfg.queue;
	out->q = calloc(out->qcap, sizeof(*out->q));
	if (!out->q) {
		snprintf(err, errlen, "output %s: out of memory", out->cfg.name);
		return -ENOMEM;
	}
	switch (out->cfg.kind) {
	case OUTPUT_STDOUT:
	case OUTPUT_FILE: rc = sink_file_new(&out->sink, e, sizeof(e)); break;
	case OUTPUT_SYSLOG: rc = sink_syslog_new(&out->sink, e, sizeof(e)); break;
	default: rc = sink_http_new(&out->sink, e, sizeof(e)); break;
	}
	if (rc) {
		out->sink.ops = NULL;
		snprintf(err, errlen, "output %s: %s", out->cfg.name, e);
		return rc;
	}
	if (out->cfg.spool_dir[0]) {
		snprintf(path, sizeof(path), "%s/%s", out->cfg.spool_dir, out->cfg.name);
		out->spool = spool__open(path, (uint64_t)out->cfg.spool_mb << 20, e, sizeof(e));
		if (!out->spool) {
			rc = -errno;
			snprintf(err, errlen, "output %s: %s", out->cfg.name, e);
			return rc ? rc : -EIO;
		}
		if (!spool__empty(out->spool)) {
			out->spilling = true;
			log_info("output %s: %" PRIu64 " bytes of alerts in the spool from an earlier run, replaying",
				 out->cfg.name, spool__bytes(out->spool));
		}
	}
	if (out->cfg.dead_letter[0])
		snprintf(out->dead_path, sizeof(out->dead_path), "%s", out->cfg.dead_letter);
	else if (out->cfg.spool_dir[0])
		snprintf(out->dead_path, sizeof(out->dead_path), "%s/%s.dead.jsonl", out->cfg.spool_dir, out->cfg.name);
	if (out->dead_path[0]) {
		out->dead_fd = open(out->dead_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (out->dead_fd < 0) {
			rc = -errno;
			snprintf(err, errlen, "output %s: dead-letter file %s: %s", out->cfg.name, out->dead_path,
				 strerror(errno));
			return rc;
		}
	}
	rc = pthread_create(&out->thread, NULL, output_thread, out);
	if (rc) {
		snprintf(err, errlen, "output %s: thread: %s", out->cfg.name, strerror(rc));
		return -rc;
	}
	out->started = true;
	return 0;
}

struct outputs *outputs__new(const struct output_config *cfgs, size_t n, char *err, size_t errlen)
{
	struct outputs *o = calloc(1, sizeof(*o));
	pthread_condattr_t ca;
	size_t i, j;
	int rc = -ENOMEM;

	if (!o)
		goto fail;
	pthread_mutex_init(&o->rl_lock, NULL);
	pthread_mutex_init(&o->hk_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&o->hk_wake, &ca);
	pthread_condattr_destroy(&ca);
	o->outs = calloc(n ? n : 1, sizeof(*o->outs));
	o->rl = ratelimit__new(&default_rl);
	if (!o->outs || !o->rl) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (cfgs[i].name[0] && !strcmp(cfgs[i].name, cfgs[j].name)) {
				snprintf(err, errlen, "two outputs named %s (they would share a spool): give one name=",
					 cfgs[i].name);
				rc = -EINVAL;
				goto fail;
			}
	for (i = 0; i < n; i++) {
		o->n = i + 1;
		rc = output_init(o, &o->outs[i], &cfgs[i], err, errlen);
		if (rc)
			goto fail;
		log_info("output %s: %s%s%s, format %s, min priority %s, spool %s", o->outs[i].cfg.name,
			 output_kind_name(o->outs[i].cfg.kind), o->outs[i].cfg.host[0] ? " to " : "",
			 o->outs[i].cfg.host, alert_format_name(o->outs[i].cfg.format),
			 alert_priority_name(o->outs[i].cfg.min_priority),
			 o->outs[i].spool ? o->outs[i].cfg.spool_dir : "off");
	}
	rc = pthread_create(&o->hk, NULL, housekeeping, o);
	if (rc) {
		snprintf(err, errlen, "housekeeping thread: %s", strerror(rc));
		rc = -rc;
		goto fail;
	}
	o->hk_started = true;
	return o;
fail:
	outputs__free(o);
	errno = -rc;
	return NULL;
}

void outputs__set_ratelimit(struct outputs *o, const struct ratelimit_config *rl)
{
	struct ratelimit *nrl = rl && rl->rate > 0 ? ratelimit__new(rl) : NULL;

	pthread_mutex_lock(&o->rl_lock);
	if (o->rl)
		ratelimit__flush(o->rl, util_clock_ns(CLOCK_MONOTONIC), true, emit_summary, o);
	ratelimit__free(o->rl);
	o->rl = nrl;
	pthread_mutex_unlock(&o->rl_lock);
}

void outputs__reopen(struct outputs *o)
{
	size_t i;

	for (i = 0; o && i < o->n; i++)
		if (o->outs[i].sink.ops && o->outs[i].sink.ops->reopen)
			o->outs[i].sink.ops->reopen(&o->outs[i].sink);
}

static bool output_idle(struct output *out)
{
	bool idle;

	pthread_mutex_lock(&out->lock);
	idle = out->qlen == 0 && !out->busy;
	pthread_mutex_unlock(&out->lock);
	return idle && (!out->spool || spool__empty(out->spool));
}

int outputs__drain(struct outputs *o, int timeout_ms)
{
	uint64_t deadline = deadline_after(timeout_ms);
	size_t i;

	for (;;) {
		for (i = 0; i < o->n; i++)
			if (!output_idle(&o->outs[i]))
				break;
		if (i == o->n)
			return 0;
		if (util_clock_ns(CLOCK_MONOTONIC) >= deadline)
			return -ETIMEDOUT;
		usleep(10000);
	}
}

void outputs__stop(struct outputs *o, int timeout_ms)
{
	uint64_t deadline = deadline_after(timeout_ms);
	struct timespec ts;
	size_t i;

	if (!o || o->stopped)
		return;
	o->stopped = true;
	if (o->hk_started) {
		pthread_mutex_lock(&o->hk_lock);
		o->hk_stop = true;
		pthread_cond_signal(&o->hk_wake);
		pthread_mutex_unlock(&o->hk_lock);
		pthread_join(o->hk, NULL);
		o->hk_started = false;
	}
	/* the folded repeats are reported before the outputs close */
	pthread_mutex_lock(&o->rl_lock);
	if (o->rl)
		ratelimit__flush(o->rl, util_clock_ns(CLOCK_MONOTONIC), true, emit_summary, o);
	pthread_mutex_unlock(&o->rl_lock);
	for (i = 0; i < o->n; i++) {
		struct output *out = &o->outs[i];

		pthread_mutex_lock(&out->lock);
		out->stopping = true;
		out->deadline_ns = deadline;
		pthread_cond_signal(&out->wake);
		pthread_mutex_unlock(&out->lock);
	}
	for (i = 0; i < o->n; i++) {
		struct output *out = &o->outs[i];
		uint64_t left;

		if (!out->started)
			continue;
		left = deadline > util_clock_ns(CLOCK_MONOTONIC) ? deadline - util_clock_ns(CLOCK_MONOTONIC) : 0;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += left / 1000000000ull;
		ts.tv_nsec += left % 1000000000ull;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		if (pthread_timedjoin_np(out->thread, NULL, &ts) != 0) {
			/* out of time: cut the send short; the thread spools what it holds and ends */
			atomic_store(&out->abort, true);
			pthread_mutex_lock(&out->lock);
			pthread_cond_signal(&out->wake);
			pthread_mutex_unlock(&out->lock);
			if (out->sink.ops->interrupt)
				out->sink.ops->interrupt(&out->sink);
			pthread_join(out->thread, NULL);
		}
		out->started = false;
	}
	for (i = 0; i < o->n; i++)
		queue_to_spool(&o->outs[i]); /* anything published during the stop */
}

size_t outputs__stats(const struct outputs *o, struct output_stats *st, size_t n)
{
	size_t i;

	for (i = 0; i < o->n && i < n; i++) {
		struct output *out = &o->outs[i];

		memset(&st[i], 0, sizeof(st[i]));
		snprintf(st[i].name, sizeof(st[i].name), "%s", out->cfg.name);
		st[i].accepted = atomic_load(&out->c.accepted);
		st[i].queued = atomic_load(&out->c.queued);
		st[i].sent = atomic_load(&out->c.sent);
		st[i].retried = atomic_load(&out->c.retried);
		st[i].spooled = atomic_load(&out->c.spooled);
		st[i].replayed = atomic_load(&out->c.replayed);
		st[i].dead_lettered = atomic_load(&out->c.dead_lettered);
		st[i].dropped = atomic_load(&out->c.dropped);
		st[i].receiver_up = atomic_load(&out->up);
		if (out->spool) {
			st[i].spool_bytes = spool__bytes(out->spool);
			st[i].spool_corrupt = spool__corrupt(out->spool);
		}
		pthread_mutex_lock(&out->lock);
		st[i].queue_len = out->qlen;
		pthread_mutex_unlock(&out->lock);
	}
	return o->n;
}

uint64_t outputs__suppressed(const struct outputs *o)
{
	return atomic_load(&o->suppressed);
}

void outputs__log_stats(const struct outputs *o)
{
	struct output_stats *st = calloc(o->n ? o->n : 1, sizeof(*st));
	size_t i;

	if (!st)
		return;
	outputs__stats(o, st, o->n);
	for (i = 0; i < o->n; i++)
		log_info("output %s: accepted %" PRIu64 " queued %" PRIu64 " sent %" PRIu64 " retried %" PRIu64 " spooled %" PRIu64
			 " replayed %" PRIu64 " dead_lettered %" PRIu64 " dropped %" PRIu64 " spool_bytes %" PRIu64
			 " spool_corrupt %" PRIu64, st[i].name, st[i].accepted, st[i].queued, st[i].sent, st[i].retried, st[i].spooled,
			 st[i].replayed, st[i].dead_lettered, st[i].dropped, st[i].spool_bytes, st[i].spool_corrupt);
	if (atomic_load(&o->suppressed))
		log_info("outputs: %" PRIu64 " repeated alerts folded into summaries",
			 (uint64_t)atomic_load(&o->suppressed));
	free(st);
}

void outputs__free(struct outputs *o)
{
	size_t i;

	if (!o)
		return;
	outputs__stop(o, 5000);
	for (i = 0; i < o->n; i++) {
		struct output *out = &o->outs[i];

		if (out->sink.ops)
			out->sink.ops->free(&out->sink);
		spool__free(out->spool);
		if (out->dead_fd >= 0)
			close(out->dead_fd);
		if (out->q) {
			while (out->qlen) {
				qalert_unref(out->q[out->qhead]);
				out->qhead = (out->qhead + 1) % out->qcap;
				out->qlen--;
			}
			free(out->q);
		}
		pthread_mutex_destroy(&out->lock);
		pthread_cond_destroy(&out->wake);
	}
	free(o->outs);
	ratelimit__free(o->rl);
	pthread_mutex_destroy(&o->rl_lock);
	pthread_mutex_destroy(&o->hk_lock);
	pthread_cond_destroy(&o->hk_wake);
	free(o);
}
