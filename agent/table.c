// SPDX-License-Identifier: Apache-2.0
#include "table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NONE 0u
#define FREE UINT32_MAX /* prev of a slot on the free list */

struct table {
	struct table_ops ops;
	void *ctx;
	char *slots;       /* capacity * ops.size bytes */
	uint32_t *buckets; /* slot numbers + 1; calloc'ed, so empty buckets are never touched */
	size_t capacity, nbuckets, entries;
	uint32_t fresh;     /* slots [fresh, capacity) were never used: not on the free list, never touched */
	uint32_t free_head; /* freed slots, chained through hnext */
	uint32_t lru_head, lru_tail;
	struct table_stats st;
};

/* ---- slot numbers (1-based) and entries ---------------------------------------------------- */

static void *entry_of(const struct table *t, uint32_t n)
{
	return n == NONE ? NULL : t->slots + (size_t)(n - 1) * t->ops.size;
}

static struct table_link *link_of(const struct table *t, uint32_t n)
{
	return (struct table_link *)(t->slots + (size_t)(n - 1) * t->ops.size + t->ops.link);
}

static uint32_t number_of(const struct table *t, const void *e)
{
	return (uint32_t)(((const char *)e - t->slots) / t->ops.size) + 1;
}

static uint32_t *bucket(const struct table *t, uint32_t hash)
{
	return &t->buckets[hash & (t->nbuckets - 1)];
}

struct table *table__new(const struct table_ops *ops, size_t capacity, void *ctx)
{
	struct table *t;

	if (ops->size < sizeof(struct table_link) || ops->link + sizeof(struct table_link) > ops->size ||
	    capacity >= FREE) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->ops = *ops;
	t->ctx = ctx;
	t->capacity = capacity ? capacity : 1;
	for (t->nbuckets = 1; t->nbuckets < t->capacity; t->nbuckets <<= 1)
		;
	t->slots = calloc(t->capacity, ops->size);
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->slots || !t->buckets) {
		table__free(t);
		errno = ENOMEM;
		return NULL;
	}
	t->st.capacity = t->capacity;
	return t;
}

void table__free(struct table *t)
{
	uint32_t n;

	if (!t)
		return;
	if (t->slots && t->ops.release)
		for (n = t->lru_head; n != NONE; n = link_of(t, n)->next)
			t->ops.release(entry_of(t, n), t->ctx);
	free(t->slots);
	free(t->buckets);
	free(t);
}

/* ---- LRU list ------------------------------------------------------------------------------ */

static void lru_unlink(struct table *t, uint32_t n)
{
	struct table_link *l = link_of(t, n);

	if (l->prev != NONE)
		link_of(t, l->prev)->next = l->next;
	else
		t->lru_head = l->next;
	if (l->next != NONE)
		link_of(t, l->next)->prev = l->prev;
	else
		t->lru_tail = l->prev;
}

static void lru_push_front(struct table *t, uint32_t n)
{
	struct table_link *l = link_of(t, n);

	l->prev = NONE;
	l->next = t->lru_head;
	if (t->lru_head != NONE)
		link_of(t, t->lru_head)->prev = n;
	t->lru_head = n;
	if (t->lru_tail == NONE)
		t->lru_tail = n;
}

/* ---- lookup -------------------------------------------------------------------------------- */

void *table__find(const struct table *t, uint32_t hash, const void *key)
{
	uint32_t n;

	for (n = *bucket(t, hash); n != NONE; n = link_of(t, n)->hnext)
		if (t->ops.match(entry_of(t, n), key))
			return entry_of(t, n);
	return NULL;
}

void table__touch(struct table *t, void *e)
{
	uint32_t n = number_of(t, e);

	t->st.hits++;
	if (t->lru_head == n)
		return;
	lru_unlink(t, n);
	lru_push_front(t, n);
}

void table__miss(struct table *t)
{
	t->st.misses++;
}

void *table__lookup(struct table *t, uint32_t hash, const void *key)
{
	void *e = table__find(t, hash, key);

	if (e)
		table__touch(t, e);
	else
		table__miss(t);
	return e;
}

/* ---- insert and remove --------------------------------------------------------------------- */

static void unlink_slot(struct table *t, uint32_t n)
{
	void *e = entry_of(t, n);
	uint32_t *link = bucket(t, t->ops.hash(e));

	while (*link != n)
		link = &link_of(t, *link)->hnext;
	*link = link_of(t, n)->hnext;
	lru_unlink(t, n);
	if (t->ops.release)
		t->ops.release(e, t->ctx);
	link_of(t, n)->hnext = t->free_head;
	link_of(t, n)->prev = FREE;
	t->free_head = n;
	t->entries--;
}

void table__remove(struct table *t, void *e)
{
	unlink_slot(t, number_of(t, e));
}

void *table__insert(struct table *t, uint32_t hash)
{
	struct table_link *l;
	uint32_t n;
	void *e;

	if (t->free_head == NONE && t->fresh < t->capacity) {
		n = ++t->fresh;
	} else {
		if (t->free_head == NONE) {
			unlink_slot(t, t->lru_tail);
			t->st.evictions++;
		}
		n = t->free_head;
		t->free_head = link_of(t, n)->hnext;
	}
	e = entry_of(t, n);
	memset(e, 0, t->ops.size);
	l = link_of(t, n);
	l->hnext = *bucket(t, hash);
	*bucket(t, hash) = n;
	lru_push_front(t, n);
	t->entries++;
	return e;
}

/* ---- walking ------------------------------------------------------------------------------- */

void *table__newest(const struct table *t)
{
	return entry_of(t, t->lru_head);
}

void *table__oldest(const struct table *t)
{
	return entry_of(t, t->lru_tail);
}

void *table__older(const struct table *t, const void *e)
{
	return entry_of(t, link_of(t, number_of(t, e))->next);
}

void *table__newer(const struct table *t, const void *e)
{
	return entry_of(t, link_of(t, number_of(t, e))->prev);
}

uint32_t table__index(const struct table *t, const void *e)
{
	return number_of(t, e) - 1;
}

void *table__at(const struct table *t, uint32_t i)
{
	if (i >= t->fresh || link_of(t, i + 1)->prev == FREE)
		return NULL;
	return entry_of(t, i + 1);
}

void table__stats(const struct table *t, struct table_stats *st)
{
	*st = t->st;
	st->entries = t->entries;
}

size_t table__count(const struct table *t)
{
	return t->entries;
}

/* ---- hashes -------------------------------------------------------------------------------- */

/* The 64-bit finalizer of MurmurHash3: every input bit reaches the low bits that pick a bucket. */
uint32_t table_hash_u64(uint64_t v)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdull;
	v ^= v >> 33;
	v *= 0xc4ceb9fe1a85ec53ull;
	v ^= v >> 33;
	return (uint32_t)v;
}

/* FNV-1a, 32 bits. */
uint32_t table_hash_bytes(uint32_t seed, const void *p, size_t n)
{
	const unsigned char *s = p;
	uint32_t h = seed ? seed : 2166136261u;

	while (n--)
		h = (h ^ *s++) * 16777619u;
	return h;
}

uint32_t table_hash_str(const char *s)
{
	return table_hash_bytes(0, s, strlen(s));
}
