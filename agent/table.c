// SPDX-License-Identifier: Apache-2.0
#include "table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * Slots are referred to by their byte offset from a point one entry before
 * the pool: slot i is at (i + 1) * ops.size, so 0 means none (a zeroed slot
 * is unlinked), and an entry and its link are one addition away from a
 * reference (no multiplication or division on a lookup).
 */
#define NONE 0u
#define FREE UINT32_MAX /* prev of a slot on the free list (above every reference) */

struct table {
	struct table_ops ops;
	void *ctx;
	char *slots;        /* capacity * ops.size bytes */
	uintptr_t entry0;   /* slots - ops.size: entry of reference r at entry0 + r */
	uintptr_t link0;    /* entry0 + ops.link: its link at link0 + r */
	uint32_t *buckets;  /* references; calloc'ed, so empty buckets are never touched */
	size_t capacity, nbuckets, entries;
	uint32_t fresh;     /* slots [fresh, capacity) were never used: not on the free list, never touched */
	uint32_t free_head; /* freed slots, chained through hnext */
	uint32_t lru_head, lru_tail;
	struct table_stats st;
};

/* ---- references and entries ------------------------------------------------------------------ */

static void *entry_of(const struct table *t, uint32_t r)
{
	return r == NONE ? NULL : (void *)(t->entry0 + r);
}

static struct table_link *link_of(const struct table *t, uint32_t r)
{
	return (struct table_link *)(t->link0 + r);
}

static uint32_t ref_of(const struct table *t, const void *e)
{
	return (uint32_t)((uintptr_t)e - t->entry0);
}

static uint32_t ref_of_slot(const struct table *t, size_t i)
{
	return (uint32_t)((i + 1) * t->ops.size);
}

static uint32_t *bucket(const struct table *t, uint32_t hash)
{
	return &t->buckets[hash & (t->nbuckets - 1)];
}

struct table *table__new(const struct table_ops *ops, size_t capacity, void *ctx)
{
	struct table *t;

	capacity = capacity ? capacity : 1;
	/* every reference, and FREE above them, must fit 32 bits */
	if (ops->size < sizeof(struct table_link) || ops->link + sizeof(struct table_link) > ops->size ||
	    capacity + 1 >= UINT32_MAX / ops->size) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->ops = *ops;
	t->ctx = ctx;
	t->capacity = capacity;
	for (t->nbuckets = 1; t->nbuckets < t->capacity; t->nbuckets <<= 1)
		;
	t->slots = calloc(t->capacity, ops->size);
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->slots || !t->buckets) {
		table__free(t);
		errno = ENOMEM;
		return NULL;
	}
	t->entry0 = (uintptr_t)t->slots - ops->size;
	t->link0 = t->entry0 + ops->link;
	t->st.capacity = t->capacity;
	return t;
}

void table__free(struct table *t)
{
	uint32_t r;

	if (!t)
		return;
	if (t->slots && t->ops.release)
		for (r = t->lru_head; r != NONE; r = link_of(t, r)->next)
			t->ops.release(entry_of(t, r), t->ctx);
	free(t->slots);
	free(t->buckets);
	free(t);
}

/* ---- LRU list ------------------------------------------------------------------------------ */

static void lru_unlink(struct table *t, uint32_t r)
{
	struct table_link *l = link_of(t, r);

	if (l->prev != NONE)
		link_of(t, l->prev)->next = l->next;
	else
		t->lru_head = l->next;
	if (l->next != NONE)
		link_of(t, l->next)->prev = l->prev;
	else
		t->lru_tail = l->prev;
}

static void lru_push_front(struct table *t, uint32_t r)
{
	struct table_link *l = link_of(t, r);

	l->prev = NONE;
	l->next = t->lru_head;
	if (t->lru_head != NONE)
		link_of(t, t->lru_head)->prev = r;
	t->lru_head = r;
	if (t->lru_tail == NONE)
		t->lru_tail = r;
}

/* ---- lookup -------------------------------------------------------------------------------- */

void *table__find(const struct table *t, uint32_t hash, const void *key)
{
	uint32_t r;

	for (r = *bucket(t, hash); r != NONE; r = link_of(t, r)->hnext)
		if (t->ops.match(entry_of(t, r), key))
			return entry_of(t, r);
	return NULL;
}

void table__touch(struct table *t, void *e)
{
	uint32_t r = ref_of(t, e);

	t->st.hits++;
	if (t->lru_head == r)
		return;
	lru_unlink(t, r);
	lru_push_front(t, r);
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

static void unlink_slot(struct table *t, uint32_t r)
{
	void *e = entry_of(t, r);
	uint32_t *link = bucket(t, t->ops.hash(e));

	while (*link != r)
		link = &link_of(t, *link)->hnext;
	*link = link_of(t, r)->hnext;
	lru_unlink(t, r);
	if (t->ops.release)
		t->ops.release(e, t->ctx);
	link_of(t, r)->hnext = t->free_head;
	link_of(t, r)->prev = FREE;
	t->free_head = r;
	t->entries--;
}

void table__remove(struct table *t, void *e)
{
	unlink_slot(t, ref_of(t, e));
}

void *table__insert(struct table *t, uint32_t hash)
{
	struct table_link *l;
	uint32_t r;
	void *e;

	if (t->free_head == NONE && t->fresh < t->capacity) {
		r = ref_of_slot(t, t->fresh++);
	} else {
		if (t->free_head == NONE) {
			unlink_slot(t, t->lru_tail);
			t->st.evictions++;
		}
		r = t->free_head;
		t->free_head = link_of(t, r)->hnext;
	}
	e = entry_of(t, r);
	memset(e, 0, t->ops.size);
	l = link_of(t, r);
	l->hnext = *bucket(t, hash);
	*bucket(t, hash) = r;
	lru_push_front(t, r);
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
	return entry_of(t, link_of(t, ref_of(t, e))->next);
}

void *table__newer(const struct table *t, const void *e)
{
	return entry_of(t, link_of(t, ref_of(t, e))->prev);
}

uint32_t table__index(const struct table *t, const void *e)
{
	return ref_of(t, e) / t->ops.size - 1;
}

void *table__at(const struct table *t, uint32_t i)
{
	if (i >= t->fresh || link_of(t, ref_of_slot(t, i))->prev == FREE)
		return NULL;
	return entry_of(t, ref_of_slot(t, i));
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
