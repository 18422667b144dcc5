// SPDX-License-Identifier: Apache-2.0
/*
 * The bounded hash+LRU table: lookups, LRU eviction order, the capacity
 * bound, keys that share a bucket, removal while walking, slot reuse, the
 * release callback and the counters.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "table.h"

struct item {
	uint32_t key;
	struct table_link link;
	int value;
};

/* keys that collide on purpose: the hash is the key modulo 4, so 0, 4, 8 ... share a bucket */
static uint32_t weak_hash(uint32_t key)
{
	return key % 4;
}

static uint32_t item_hash(const void *e)
{
	return weak_hash(((const struct item *)e)->key);
}

static bool item_match(const void *e, const void *key)
{
	return ((const struct item *)e)->key == *(const uint32_t *)key;
}

static int released[64], n_released;

static void item_release(void *e, void *ctx)
{
	(void)ctx;
	if (n_released < 64)
		released[n_released++] = ((struct item *)e)->key;
}

static const struct table_ops ops = {
	.size = sizeof(struct item),
	.link = offsetof(struct item, link),
	.hash = item_hash,
	.match = item_match,
	.release = item_release,
};

static struct item *put(struct table *t, uint32_t key, int value)
{
	struct item *it = table__insert(t, weak_hash(key));

	it->key = key;
	it->value = value;
	return it;
}

static struct item *get(struct table *t, uint32_t key)
{
	return table__lookup(t, weak_hash(key), &key);
}

static struct table_stats stats(const struct table *t)
{
	struct table_stats st;

	table__stats(t, &st);
	return st;
}

static void test_insert_find(void)
{
	struct table *t = table__new(&ops, 8, NULL);
	struct item *it;

	put(t, 1, 10);
	put(t, 2, 20);
	it = get(t, 1);
	CHECK(it && it->value == 10, "key 1");
	it = get(t, 2);
	CHECK(it && it->value == 20, "key 2");
	CHECK(get(t, 3) == NULL, "key 3 was never inserted");
	CHECK_INT(stats(t).hits, 2);
	CHECK_INT(stats(t).misses, 1);
	CHECK_INT(stats(t).entries, 2);
	CHECK_INT(stats(t).capacity, 8);
	/* find changes nothing */
	CHECK(table__find(t, weak_hash(1), &(uint32_t){ 1 }) != NULL, "find 1");
	CHECK_INT(stats(t).hits, 2);
	table__free(t);
}

/* Keys in one bucket are told apart by match; removing one leaves the others reachable. */
static void test_collisions(void)
{
	struct table *t = table__new(&ops, 16, NULL);
	uint32_t k;

	for (k = 0; k < 32; k += 4)
		put(t, k, (int)k * 10);
	for (k = 0; k < 32; k += 4) {
		struct item *it = get(t, k);

		CHECK(it && it->value == (int)k * 10, "colliding key %u", k);
	}
	table__remove(t, get(t, 12));
	CHECK(get(t, 12) == NULL, "12 still found after removal");
	for (k = 0; k < 32; k += 4)
		if (k != 12)
			CHECK(get(t, k) != NULL, "key %u lost with 12", k);
	CHECK_INT(table__count(t), 7);
	table__free(t);
}

/* A full table evicts the least recently used entry; a lookup makes an entry recent. */
static void test_eviction_order(void)
{
	struct table *t = table__new(&ops, 3, NULL);

	n_released = 0;
	put(t, 1, 1);
	put(t, 2, 2);
	put(t, 3, 3);
	get(t, 1);     /* LRU order now 1, 3, 2 (most recent first) */
	put(t, 4, 4);  /* evicts 2 */
	CHECK_INT(n_released, 1);
	CHECK_INT(released[0], 2);
	CHECK(get(t, 2) == NULL, "2 should have been evicted");
	put(t, 5, 5);  /* evicts 3 */
	CHECK_INT(released[1], 3);
	CHECK(get(t, 1) && get(t, 4) && get(t, 5), "the recent ones stay");
	CHECK_INT(stats(t).evictions, 2);
	CHECK_INT(stats(t).entries, 3);
	table__free(t);
	/* table__free releases what is left */
	CHECK_INT(n_released, 5);
}

/* However many inserts, never more than capacity entries; the oldest go first. */
static void test_capacity_bound(void)
{
	struct table *t = table__new(&ops, 10, NULL);
	uint32_t k;

	for (k = 0; k < 1000; k++)
		put(t, k, 0);
	CHECK_INT(table__count(t), 10);
	CHECK_INT(stats(t).evictions, 990);
	for (k = 990; k < 1000; k++)
		CHECK(get(t, k) != NULL, "recent key %u evicted", k);
	CHECK(get(t, 989) == NULL, "old key 989 kept");
	table__free(t);
	/* capacity 0 is 1 */
	t = table__new(&ops, 0, NULL);
	put(t, 1, 0);
	put(t, 2, 0);
	CHECK_INT(table__count(t), 1);
	CHECK(get(t, 2) != NULL, "the last insert");
	table__free(t);
}

/* Walking in LRU order, removing entries on the way. */
static void test_walk_and_remove(void)
{
	struct table *t = table__new(&ops, 8, NULL);
	struct item *it, *next;
	uint32_t k, order[8];
	size_t n = 0;

	for (k = 1; k <= 6; k++)
		put(t, k, 0);
	/* newest first: 6 5 4 3 2 1; drop the even ones as we go */
	for (it = table__newest(t); it; it = next) {
		next = table__older(t, it);
		order[n++] = it->key;
		if (it->key % 2 == 0)
			table__remove(t, it);
	}
	CHECK_INT(n, 6);
	for (k = 0; k < n && k < 6; k++)
		CHECK_INT(order[k], 6 - k);
	CHECK_INT(table__count(t), 3);
	/* oldest first: 1 3 5 */
	n = 0;
	for (it = table__oldest(t); it; it = table__newer(t, it))
		order[n++] = it->key;
	CHECK_INT(n, 3);
	CHECK(n == 3 && order[0] == 1 && order[1] == 3 && order[2] == 5, "oldest-first walk");
	table__free(t);
}

/* Removed slots are reused before eviction; slot numbers identify live entries only. */
static void test_slots(void)
{
	struct table *t = table__new(&ops, 4, NULL);
	struct item *a = put(t, 1, 0), *b;
	uint32_t ia = table__index(t, a);

	CHECK(table__at(t, ia) == a, "slot of a");
	CHECK(table__at(t, 3) == NULL, "never-used slot");
	table__remove(t, a);
	CHECK(table__at(t, ia) == NULL, "freed slot answered");
	/* a freed slot is taken before a fresh one; the four slots hold four keys without eviction */
	b = put(t, 2, 0);
	CHECK_INT(table__index(t, b), ia);
	CHECK(table__at(t, ia) == b, "reused slot");
	put(t, 3, 0);
	put(t, 4, 0);
	put(t, 5, 0);
	CHECK_INT(stats(t).evictions, 0);
	CHECK_INT(table__count(t), 4);
	/* an inserted entry is zeroed, whatever its slot held */
	table__remove(t, b);
	b = table__insert(t, weak_hash(9));
	CHECK(b->key == 0 && b->value == 0, "insert returned a dirty entry");
	b->key = 9;
	table__free(t);
}

static void test_bad_ops(void)
{
	struct table_ops bad = ops;

	bad.link = sizeof(struct item);
	CHECK(table__new(&bad, 4, NULL) == NULL, "a link outside the entry accepted");
	/* slot references are 32 bits: a pool they cannot address is refused */
	CHECK(table__new(&ops, UINT32_MAX / sizeof(struct item), NULL) == NULL, "an unaddressable capacity accepted");
}

static void test_hashes(void)
{
	CHECK(table_hash_str("abc") == table_hash_bytes(0, "abc", 3), "str and bytes differ");
	CHECK(table_hash_str("abc") != table_hash_str("abd"), "hash ignores the last byte");
	/* consecutive integers spread over the low bits */
	CHECK((table_hash_u64(1) & 15) != (table_hash_u64(2) & 15) ||
		      (table_hash_u64(2) & 15) != (table_hash_u64(3) & 15),
	      "low bits all equal");
}

int main(void)
{
	RUN(test_insert_find);
	RUN(test_collisions);
	RUN(test_eviction_order);
	RUN(test_capacity_bound);
	RUN(test_walk_and_remove);
	RUN(test_slots);
	RUN(test_bad_ops);
	RUN(test_hashes);
	return check_summary();
}
