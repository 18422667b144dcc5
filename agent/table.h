/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bounded hash table with LRU eviction: the one cache structure of the agent.
 *
 * Entries live in a fixed pool of `capacity` slots, allocated at creation but
 * touched only when used (calloc'ed pages stay unmapped until written, and the
 * pool is handed out in order before the free list is used), so a large
 * capacity costs address space, not memory. Every entry embeds a struct
 * table_link; the table chains it into a hash bucket and into the LRU list.
 * No operation allocates. When a new entry needs room in a full table, the
 * least recently used one is evicted (counted) after its release callback ran.
 *
 * The key is the caller's: table_ops.match compares an entry with a key and
 * table_ops.hash hashes the key an entry holds; callers pass the same hash of
 * a key to table__find and table__insert.
 */
#ifndef BULWARK_TABLE_H
#define BULWARK_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Owned by the table: 32-bit slot references (0 is "none", so a zeroed slot is unlinked). */
struct table_link {
	uint32_t hnext, prev, next;
};

struct table_ops {
	size_t size;                                       /* of an entry */
	size_t link;                                       /* offsetof(entry, its struct table_link) */
	uint32_t (*hash)(const void *entry);               /* of the key the entry holds */
	bool (*match)(const void *entry, const void *key); /* the entry holds this key */
	void (*release)(void *entry, void *ctx);           /* the entry leaves (removed, evicted, freed); may be NULL */
};

struct table_stats {
	uint64_t entries, capacity;
	uint64_t hits, misses, evictions;
};

struct table;

/* ops is copied; ctx is passed to ops->release. NULL with errno set on failure. */
struct table *table__new(const struct table_ops *ops, size_t capacity, void *ctx);
/* Releases every entry still in the table. */
void table__free(struct table *t);

/* The entry holding key, or NULL; changes nothing (no LRU move, no counter). */
void *table__find(const struct table *t, uint32_t hash, const void *key);
/* table__find, counted: a hit moves the entry to the front of the LRU list. */
void *table__lookup(struct table *t, uint32_t hash, const void *key);
/* Counts a hit and makes e the most recently used (for callers whose hit needs more than match). */
void table__touch(struct table *t, void *e);
/* Counts a miss (for the same callers). */
void table__miss(struct table *t);

/*
 * A zeroed entry in the bucket of hash, the most recently used; evicts the
 * least recently used entry if the table is full. The caller writes the key
 * (matching hash) into it before the next table call. Duplicates are not
 * checked: find (and remove) first when a key must be unique. Never NULL.
 */
void *table__insert(struct table *t, uint32_t hash);
/* Releases e and returns its slot to the free list. */
void table__remove(struct table *t, void *e);

/*
 * LRU order, most recent first. Removing the entry in hand is allowed while
 * walking if the next one was taken before:
 *   for (e = table__newest(t); e; e = n) { n = table__older(t, e); ... }
 */
void *table__newest(const struct table *t);
void *table__oldest(const struct table *t);
void *table__older(const struct table *t, const void *e);
void *table__newer(const struct table *t, const void *e);

/* A slot's number (0..capacity-1) and back: lets a caller keep a 4-byte reference. */
uint32_t table__index(const struct table *t, const void *e);
/* The entry in slot i, or NULL if the slot is free. */
void *table__at(const struct table *t, uint32_t i);

void table__stats(const struct table *t, struct table_stats *st);
size_t table__count(const struct table *t);

/* Hashes for keys (well mixed in the low bits, which choose the bucket). */
uint32_t table_hash_u64(uint64_t v);
uint32_t table_hash_str(const char *s);
uint32_t table_hash_bytes(uint32_t seed, const void *p, size_t n);

#endif
