// SPDX-License-Identifier: Apache-2.0
#include "ringmerge.h"

#include <errno.h>
#include <linux/types.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"

/* A record claiming to be further ahead of the horizon than this has a bogus time: it goes at the horizon. */
#define AHEAD_MAX_NS 1000000000ull

struct pending {
	uint64_t ktime;
	uint64_t seq; /* order of arrival: equal times keep it */
	void *data;
	size_t size;
};

struct ringmerge {
	ringmerge_deliver_fn deliver;
	void *ctx;
	struct pending *v; /* v[next..n) wait; sorted by (ktime, seq) unless dirty */
	size_t n, next, cap;
	bool dirty;
	uint64_t seq, horizon;
};

struct ringmerge *ringmerge__new(ringmerge_deliver_fn deliver, void *ctx)
{
	struct ringmerge *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->deliver = deliver;
	m->ctx = ctx;
	return m;
}

void ringmerge__free(struct ringmerge *m)
{
	size_t i;

	if (!m)
		return;
	for (i = m->next; i < m->n; i++)
		free(m->v[i].data);
	free(m->v);
	free(m);
}

static int pending_cmp(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;

	if (x->ktime != y->ktime)
		return x->ktime < y->ktime ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void ringmerge__begin(struct ringmerge *m, uint64_t horizon)
{
	m->horizon = horizon;
}

int ringmerge__aside(struct ringmerge *m, const void *data, size_t size)
{
	struct pending *p;

	if (size < sizeof(struct bw_hdr))
		return -EINVAL;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;

		/* the handed-on head is reused first */
		if (m->next) {
			memmove(m->v, m->v + m->next, (m->n - m->next) * sizeof(*m->v));
			m->n -= m->next;
			m->next = 0;
		} else {
			if (!(p = realloc(m->v, cap * sizeof(*p))))
				return -ENOMEM;
			m->v = p;
			m->cap = cap;
		}
	}
	p = &m->v[m->n];
	if (!(p->data = malloc(size)))
		return -ENOMEM;
	memcpy(p->data, data, size);
	p->size = size;
	p->ktime = ((const struct bw_hdr *)data)->ktime;
	if (p->ktime > m->horizon + AHEAD_MAX_NS) /* untrusted: it must not wait for ever */
		p->ktime = m->horizon;
	p->seq = m->seq++;
	m->n++;
	m->dirty = true;
	return 0;
}

/* Hands on the set-aside records up to kernel time @ktime, oldest first. */
static void release(struct ringmerge *m, uint64_t ktime)
{
	if (m->dirty) {
		qsort(m->v + m->next, m->n - m->next, sizeof(*m->v), pending_cmp);
		m->dirty = false;
	}
	while (m->next < m->n) {
		struct pending *p = &m->v[m->next];

		if (p->ktime > ktime)
			break;
		m->next++;
		m->deliver(m->ctx, p->data, p->size);
		free(p->data);
	}
	if (m->next == m->n)
		m->n = m->next = 0;
}

void ringmerge__until(struct ringmerge *m, uint64_t ktime)
{
	if (m->next < m->n)
		release(m, ktime);
}

void ringmerge__end(struct ringmerge *m)
{
	if (m->next < m->n)
		release(m, m->horizon);
}

void ringmerge__flush(struct ringmerge *m)
{
	if (m->next < m->n)
		release(m, UINT64_MAX);
}

size_t ringmerge__pending(const struct ringmerge *m)
{
	return m->n - m->next;
}

uint64_t ringmerge__horizon(const struct ringmerge *m)
{
	return m->horizon;
}
