// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include "lru.h"

/* How far from the least recently used end a slot the caller wants kept
 * may be passed over. */
#define EVICT_SCAN	8

int tfo_lru_init(struct tfo_lru *l, uint32_t capacity)
{
	*l = (struct tfo_lru){ .newest = TFO_LRU_NONE, .oldest = TFO_LRU_NONE };
	if (!capacity || capacity >= TFO_LRU_NONE / 4)
		return -EINVAL;
	l->n_buckets = 1;
	while (l->n_buckets < 2 * capacity)
		l->n_buckets <<= 1;
	l->capacity = capacity;
	/* calloc: untouched pages stay untouched */
	l->links = calloc(capacity, sizeof(*l->links));
	l->buckets = calloc(l->n_buckets, sizeof(*l->buckets));
	if (!l->links || !l->buckets) {
		tfo_lru_free(l);
		return -ENOMEM;
	}
	return 0;
}

void tfo_lru_free(struct tfo_lru *l)
{
	free(l->links);
	free(l->buckets);
	l->links = NULL;
	l->buckets = NULL;
}

static uint32_t *bucket(const struct tfo_lru *l, uint64_t hash)
{
	return &l->buckets[hash & (l->n_buckets - 1)];
}

uint32_t tfo_lru_find(const struct tfo_lru *l, uint64_t hash,
		      tfo_lru_slot_fn same, const void *ctx)
{
	for (uint32_t i = *bucket(l, hash); i; i = l->links[i - 1].hash_next)
		if (l->links[i - 1].hash == hash && same(ctx, i - 1))
			return i - 1;
	return TFO_LRU_NONE;
}

static void unlink_order(struct tfo_lru *l, uint32_t slot)
{
	struct tfo_lru_link *k = &l->links[slot];

	if (k->prev != TFO_LRU_NONE)
		l->links[k->prev].next = k->next;
	else
		l->oldest = k->next;
	if (k->next != TFO_LRU_NONE)
		l->links[k->next].prev = k->prev;
	else
		l->newest = k->prev;
}

static void push_newest(struct tfo_lru *l, uint32_t slot)
{
	struct tfo_lru_link *k = &l->links[slot];

	k->next = TFO_LRU_NONE;
	k->prev = l->newest;
	if (l->newest != TFO_LRU_NONE)
		l->links[l->newest].next = slot;
	l->newest = slot;
	if (l->oldest == TFO_LRU_NONE)
		l->oldest = slot;
}

void tfo_lru_touch(struct tfo_lru *l, uint32_t slot)
{
	if (l->newest == slot)
		return;
	unlink_order(l, slot);
	push_newest(l, slot);
}

static void unlink_hash(struct tfo_lru *l, uint32_t slot)
{
	uint32_t *link = bucket(l, l->links[slot].hash);

	while (*link != slot + 1)
		link = &l->links[*link - 1].hash_next;
	*link = l->links[slot].hash_next;
}

uint32_t tfo_lru_add(struct tfo_lru *l, uint64_t hash, tfo_lru_slot_fn keep,
		     const void *ctx, bool *evicted)
{
	uint32_t slot = l->oldest, *b;

	*evicted = l->n_used == l->capacity;
	if (!*evicted) {
		slot = l->n_used++;
	} else {
		uint32_t s = l->oldest;

		for (int n = 0; keep && n < EVICT_SCAN && s != TFO_LRU_NONE;
		     n++, s = l->links[s].next)
			if (!keep(ctx, s)) {
				slot = s;
				break;
			}
		unlink_order(l, slot);
		unlink_hash(l, slot);
		l->evicted++;
	}
	b = bucket(l, hash);
	l->links[slot].hash = hash;
	l->links[slot].hash_next = *b;
	*b = slot + 1;
	push_newest(l, slot);
	return slot;
}
