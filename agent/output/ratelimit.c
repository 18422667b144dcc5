// SPDX-License-Identifier: Apache-2.0
/*
 * Noise control: a token bucket per (rule, container.id). An alert that finds
 * its bucket empty is folded: counted, remembered as the key's last alert,
 * and reported later in one "N similar alerts suppressed" alert (a Falco-schema
 * alert of the same rule and priority) — never dropped silently.
 *
 * The table is bounded: keys live in a fixed pool with hash chains and an LRU
 * list; the least recently seen key is evicted when a new one needs room, and
 * its pending summary is sent first.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct rl_entry {
	char *rule, *container;
	uint64_t hash;
	double tokens;
	uint64_t last_ns;        /* monotonic time of the last refill */
	uint64_t window_ns;      /* when the first folded alert of this window came */
	uint64_t suppressed;
	struct timespec first_rt, last_rt;
	struct alert last;       /* the last folded alert (owned copy; mem NULL: none) */
	struct rl_entry *chain;  /* hash bucket */
	struct rl_entry *prev, *next; /* LRU: head is the most recent */
};

struct ratelimit {
	struct ratelimit_config cfg;
	struct rl_entry *pool, *free_list;
	struct rl_entry **buckets;
	size_t nbuckets;
	struct rl_entry *head, *tail;
};

static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

static uint64_t key_hash(const char *rule, const char *container)
{
	return fnv1a(fnv1a(0xcbf29ce484222325ull, rule) ^ 0xff, container);
}

struct ratelimit *ratelimit__new(const struct ratelimit_config *cfg)
{
	struct ratelimit *rl = calloc(1, sizeof(*rl));
	size_t i, n;

	if (!rl)
		return NULL;
	rl->cfg = *cfg;
	n = cfg->table_size ? cfg->table_size : 4096;
	rl->cfg.table_size = n;
	if (rl->cfg.summary_ms == 0)
		rl->cfg.summary_ms = 10000;
	rl->nbuckets = 1;
	while (rl->nbuckets < n)
		rl->nbuckets <<= 1;
	rl->pool = calloc(n, sizeof(*rl->pool));
	rl->buckets = calloc(rl->nbuckets, sizeof(*rl->buckets));
	if (!rl->pool || !rl->buckets) {
		ratelimit__free(rl);
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		rl->pool[i].chain = rl->free_list;
		rl->free_list = &rl->pool[i];
	}
	return rl;
}

static void lru_unlink(struct ratelimit *rl, struct rl_entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		rl->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		rl->tail = e->prev;
	e->prev = e->next = NULL;
}

static void lru_push(struct ratelimit *rl, struct rl_entry *e)
{
	e->next = rl->head;
	e->prev = NULL;
	if (rl->head)
		rl->head->prev = e;
	rl->head = e;
	if (!rl->tail)
		rl->tail = e;
}

static void emit_summary(struct rl_entry *e, rl_emit_fn emit, void *ctx)
{
	struct rl_summary s = {
		.rule = e->rule, .container = e->container, .count = e->suppressed,
		.first_sec = e->first_rt.tv_sec, .first_nsec = e->first_rt.tv_nsec,
		.last_sec = e->last_rt.tv_sec, .last_nsec = e->last_rt.tv_nsec, .last = &e->last,
	};

	if (e->suppressed && emit)
		emit(ctx, &s);
	e->suppressed = 0;
	alert_free(&e->last);
}

static void entry_release(struct ratelimit *rl, struct rl_entry *e, rl_emit_fn emit, void *ctx)
{
	struct rl_entry **pp = &rl->buckets[e->hash & (rl->nbuckets - 1)];

	emit_summary(e, emit, ctx);
	while (*pp && *pp != e)
		pp = &(*pp)->chain;
	if (*pp)
		*pp = e->chain;
	lru_unlink(rl, e);
	free(e->rule);
	free(e->container);
	memset(e, 0, sizeof(*e));
	e->chain = rl->free_list;
	rl->free_list = e;
}

bool ratelimit__check(struct ratelimit *rl, const struct alert *a, const char *container, uint64_t now_ns,
		      rl_emit_fn emit, void *ctx)
{
	uint64_t h = key_hash(a->rule, container);
	struct rl_entry *e;
	double elapsed;

	if (rl->cfg.rate <= 0)
		return true;
	for (e = rl->buckets[h & (rl->nbuckets - 1)]; e; e = e->chain)
		if (e->hash == h && strcmp(e->rule, a->rule) == 0 && strcmp(e->container, container) == 0)
			break;
	if (!e) {
		if (!rl->free_list)
			entry_release(rl, rl->tail, emit, ctx);
		e = rl->free_list;
		rl->free_list = e->chain;
		e->rule = strdup(a->rule);
		e->container = strdup(container);
		if (!e->rule || !e->container) {
			free(e->rule);
			free(e->container);
			e->rule = e->container = NULL;
			e->chain = rl->free_list;
			rl->free_list = e;
			return true; /* out of memory: deliver rather than fold */
		}
		e->hash = h;
		e->tokens = rl->cfg.burst > 1 ? rl->cfg.burst : 1;
		e->last_ns = now_ns;
		e->chain = rl->buckets[h & (rl->nbuckets - 1)];
		rl->buckets[h & (rl->nbuckets - 1)] = e;
	} else {
		lru_unlink(rl, e);
	}
	lru_push(rl, e);
	elapsed = (double)(now_ns - e->last_ns) / 1e9;
	e->last_ns = now_ns;
	e->tokens += elapsed * rl->cfg.rate;
	if (e->tokens > (rl->cfg.burst > 1 ? rl->cfg.burst : 1))
		e->tokens = rl->cfg.burst > 1 ? rl->cfg.burst : 1;
	if (e->tokens >= 1) {
		e->tokens -= 1;
		return true;
	}
	if (e->suppressed == 0) {
		e->window_ns = now_ns;
		e->first_rt.tv_sec = a->sec;
		e->first_rt.tv_nsec = a->nsec;
	}
	e->suppressed++;
	e->last_rt.tv_sec = a->sec;
	e->last_rt.tv_nsec = a->nsec;
	alert_free(&e->last);
	alert_copy(&e->last, a); /* out of memory: the summary reports the count without a last alert */
	return false;
}

void ratelimit__flush(struct ratelimit *rl, uint64_t now_ns, bool force, rl_emit_fn emit, void *ctx)
{
	struct rl_entry *e;

	for (e = rl->head; e; e = e->next)
		if (e->suppressed && (force || now_ns - e->window_ns >= (uint64_t)rl->cfg.summary_ms * 1000000))
			emit_summary(e, emit, ctx);
}

int ratelimit_summary(const struct rl_summary *s, struct alert *out)
{
	static const struct alert none = { .priority = PRIO_WARNING, .has = ALERT_HAS_ALL };
	const struct alert *last = s->last && s->last->mem ? s->last : &none;
	struct alert al = { .has = (ALERT_HAS_ALL & ~((1u << AM_HOSTNAME) | (1u << AM_SOURCE) | (1u << AM_PRIORITY))) };
	struct strbuf msg = STRBUF_INIT;
	struct alert_kv *fields;
	struct alert_str *tags;
	char first[40], last_t[40], now[40], id[37];
	struct timespec ts;
	size_t i, n;
	int rc = -ENOMEM;

	fields = calloc(last->nfields + 3, sizeof(*fields));
	tags = calloc(last->ntags + 1, sizeof(*tags));
	if (!fields || !tags)
		goto out;
	clock_gettime(CLOCK_REALTIME, &ts);
	fmt_rfc3339(now, sizeof(now), ts.tv_sec, ts.tv_nsec);
	fmt_rfc3339(first, sizeof(first), s->first_sec, s->first_nsec);
	fmt_rfc3339(last_t, sizeof(last_t), s->last_sec, s->last_nsec);
	uuid_v4(id);
	strbuf_addf(&msg, "%llu similar alerts suppressed (rule \"%s\", container %s, %s .. %s); last: %s",
		    (unsigned long long)s->count, s->rule, s->container, first, last_t,
		    last->output ? last->output : "");
	/* the last alert's fields, then the summary's own (replacing a field of the same name in place) */
	memcpy(fields, last->fields, last->nfields * sizeof(*fields));
	n = last->nfields;
	{
		const struct alert_kv add[3] = {
			{ "bulwark.suppressed", { .type = AV_INT, .i = (int64_t)s->count } },
			{ "bulwark.suppressed_first", { .type = AV_STR, .s = { first, strlen(first), 0 } } },
			{ "bulwark.suppressed_last", { .type = AV_STR, .s = { last_t, strlen(last_t), 0 } } },
		};
		size_t k;

		for (k = 0; k < 3; k++) {
			for (i = 0; i < n && strcmp(fields[i].name, add[k].name); i++)
				;
			fields[i] = add[k];
			if (i == n)
				n++;
		}
	}
	memcpy(tags, last->tags, last->ntags * sizeof(*tags));
	tags[last->ntags] = (struct alert_str){ "suppressed_summary", 18 };
	al.time = now;
	al.rule = s->rule;
	al.priority = last->priority;
	al.priority_text = last->priority_text;
	al.output = msg.buf ? msg.buf : "";
	al.output_len = msg.len;
	al.fields = fields;
	al.nfields = n;
	al.hostname = last->hostname;
	al.source = last->source;
	al.tags = tags;
	al.ntags = last->ntags + 1;
	al.uuid = id;
	/* the members the last alert carried (a line may lack hostname or source) */
	al.has |= last->has & ((1u << AM_HOSTNAME) | (1u << AM_SOURCE) | (1u << AM_PRIORITY));
	al.sec = ts.tv_sec;
	al.nsec = ts.tv_nsec;
	rc = alert_copy(out, &al);
out:
	free(fields);
	free(tags);
	strbuf_free(&msg);
	return rc;
}

json_t *ratelimit_summary_alert(const struct rl_summary *s)
{
	struct strbuf sb = STRBUF_INIT;
	struct alert a;
	json_t *j = NULL;

	if (ratelimit_summary(s, &a) == 0) {
		format_alert(&sb, FORMAT_JSON, &a);
		j = json_loadb(sb.buf, sb.len, JSON_ALLOW_NUL, NULL);
		alert_free(&a);
	}
	strbuf_free(&sb);
	return j;
}

void ratelimit__free(struct ratelimit *rl)
{
	size_t i;

	if (!rl)
		return;
	if (rl->pool)
		for (i = 0; i < rl->cfg.table_size; i++) {
			free(rl->pool[i].rule);
			free(rl->pool[i].container);
			alert_free(&rl->pool[i].last);
		}
	free(rl->pool);
	free(rl->buckets);
	free(rl);
}
