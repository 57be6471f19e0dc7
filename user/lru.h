/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A bounded table's index: which slot holds a key (by its 64-bit hash and
 * the caller's comparison), and which slot to reuse when it is full (the
 * least recently used one, unless the caller wants it kept). The caller
 * keeps its entries in an array of the same capacity. Slots are handed out
 * in order, so the pages of a table a run never fills are never touched.
 * No I/O, no libbpf.
 */
#ifndef TFOTRACE_LRU_H
#define TFOTRACE_LRU_H

#include <stdbool.h>
#include <stdint.h>

#define TFO_LRU_NONE	UINT32_MAX

struct tfo_lru_link {
	uint64_t hash;
	uint32_t hash_next;	/* slot + 1 of the next in the bucket, 0: none */
	uint32_t prev, next;	/* towards the least / most recently used */
};

struct tfo_lru {
	struct tfo_lru_link *links;
	uint32_t *buckets;	/* slot + 1 of a bucket's first, 0: empty */
	uint32_t n_buckets;	/* a power of two */
	uint32_t capacity;
	uint32_t n_used;
	uint32_t newest, oldest;
	uint64_t evicted;
};

/* 0, or -ENOMEM (-EINVAL for a capacity of 0 or too large). */
int tfo_lru_init(struct tfo_lru *l, uint32_t capacity);
void tfo_lru_free(struct tfo_lru *l);

typedef bool (*tfo_lru_slot_fn)(const void *ctx, uint32_t slot);

/* The slot of HASH that SAME accepts, or TFO_LRU_NONE. Not a use. */
uint32_t tfo_lru_find(const struct tfo_lru *l, uint64_t hash,
		      tfo_lru_slot_fn same, const void *ctx);
/* SLOT becomes the most recently used. */
void tfo_lru_touch(struct tfo_lru *l, uint32_t slot);
/* A slot for a new entry of HASH, the most recently used: a fresh one
 * while there are, else the least recently used of the last few that KEEP
 * (may be NULL) does not want kept, or the least recently used of all.
 * *EVICTED says whether an entry was pushed out (counted in l->evicted). */
uint32_t tfo_lru_add(struct tfo_lru *l, uint64_t hash, tfo_lru_slot_fn keep,
		     const void *ctx, bool *evicted);

/* Walking from the least recently used: tfo_lru_oldest(), then each
 * tfo_lru_newer() until TFO_LRU_NONE. */
static inline uint32_t tfo_lru_oldest(const struct tfo_lru *l)
{
	return l->oldest;
}

static inline uint32_t tfo_lru_newer(const struct tfo_lru *l, uint32_t slot)
{
	return l->links[slot].next;
}

/* A 64-bit integer's hash (murmur3's finalizer). */
static inline uint64_t tfo_lru_hash(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

#endif
