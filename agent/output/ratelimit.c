// SPDX-License-Identifier: Apache-2.0
/*
 * Noise control: a token bucket per (rule, container.id). An alert that finds
 * its bucket empty is folded: counted, remembered as the key's last alert,
 * and reported later in one "N similar alerts suppressed" alert (a Falco-schema
 * alert of the same rule and priority) — never dropped silently.
 *
 * The keys live in the agent's bounded table (agent/table.h): the least
 * recently seen key is evicted when a new one needs room, and its pending
 * summary is sent first.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "table.h"
#include "util.h"

struct rl_key {
	const char *rule, *container;
};

struct rl_entry {
	char *rule, *container;  /* the key */
	uint32_t hash;           /* of the key, kept: a key whose copy failed is removed by it */
	struct table_link link;
	double tokens;
	uint64_t last_ns;        /* monotonic time of the last refill */
	uint64_t window_ns;      /* when the first folded alert of this window came */
	uint64_t suppressed;
	struct timespec first_rt, last_rt;
	struct alert last;       /* the last folded alert (owned copy; mem NULL: none) */
};

struct ratelimit {
	struct ratelimit_config cfg;
	struct table *keys;
	rl_emit_fn emit;         /* of the call in progress: an evicted key's pending summary goes there */
	void *emit_ctx;
};

static uint32_t key_hash(const char *rule, const char *container)
{
	return table_hash_bytes(table_hash_str(rule) ^ 0xff, container, strlen(container));
}

static uint32_t entry_hash(const void *e)
{
	return ((const struct rl_entry *)e)->hash;
}

static bool entry_match(const void *e, const void *key)
{
	const struct rl_entry *r = e;
	const struct rl_key *k = key;

	return strcmp(r->rule, k->rule) == 0 && strcmp(r->container, k->container) == 0;
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

/* A key leaves the table (evicted, or the table freed): its pending summary is sent first. */
static void entry_release(void *e, void *ctx)
{
	struct ratelimit *rl = ctx;
	struct rl_entry *r = e;

	emit_summary(r, rl->emit, rl->emit_ctx);
	free(r->rule);
	free(r->container);
}

static const struct table_ops entry_ops = {
	.size = sizeof(struct rl_entry),
	.link = offsetof(struct rl_entry, link),
	.hash = entry_hash,
	.match = entry_match,
	.release = entry_release,
};

struct ratelimit *ratelimit__new(const struct ratelimit_config *cfg)
{
	struct ratelimit *rl = calloc(1, sizeof(*rl));

	if (!rl)
		return NULL;
	rl->cfg = *cfg;
	if (rl->cfg.table_size == 0)
		rl->cfg.table_size = 4096;
	if (rl->cfg.summary_ms == 0)
		rl->cfg.summary_ms = 10000;
	rl->keys = table__new(&entry_ops, rl->cfg.table_size, rl);
	if (!rl->keys) {
		free(rl);
		errno = ENOMEM;
		return NULL;
	}
	return rl;
}

bool ratelimit__check(struct ratelimit *rl, const struct alert *a, const char *container, uint64_t now_ns,
		      rl_emit_fn emit, void *ctx)
{
	struct rl_key key = { a->rule, container };
	uint32_t h = key_hash(a->rule, container);
	struct rl_entry *e;
	double elapsed;

	if (rl->cfg.rate <= 0)
		return true;
	rl->emit = emit;
	rl->emit_ctx = ctx;
	e = table__lookup(rl->keys, h, &key);
	if (!e) {
		e = table__insert(rl->keys, h);
		e->hash = h;
		e->rule = strdup(a->rule);
		e->container = strdup(container);
		if (!e->rule || !e->container) {
			table__remove(rl->keys, e);
			return true; /* out of memory: deliver rather than fold */
		}
		e->tokens = rl->cfg.burst > 1 ? rl->cfg.burst : 1;
		e->last_ns = now_ns;
	}
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

	for (e = table__newest(rl->keys); e; e = table__older(rl->keys, e))
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
	uint64_t now_ns;
	size_t i, n;
	int rc = -ENOMEM;

	fields = calloc(last->nfields + 3, sizeof(*fields));
	tags = calloc(last->ntags + 1, sizeof(*tags));
	if (!fields || !tags)
		goto out;
	now_ns = util_clock_ns(CLOCK_REALTIME); /* one read: the summary's time and its text agree */
	fmt_rfc3339(now, sizeof(now), now_ns / 1000000000, now_ns % 1000000000);
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
	al.sec = now_ns / 1000000000;
	al.nsec = now_ns % 1000000000;
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
	if (!rl)
		return;
	rl->emit = NULL; /* freed without summaries */
	table__free(rl->keys);
	free(rl);
}
