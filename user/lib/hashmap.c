// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>

#include "lib/hashmap.h"

struct slot {
	uint64_t key;
	uint64_t val;
	bool used;
};

struct u64map {
	struct slot *slots;
	size_t cap;	/* power of two */
	size_t size;
};

uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--) {
		h ^= *b++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t hash_u64(uint64_t x)
{
	/* splitmix64's finaliser */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

struct u64map *u64map__new(void)
{
	struct u64map *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->cap = 64;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (!m->slots) {
		free(m);
		return NULL;
	}
	return m;
}

void u64map__free(struct u64map *m)
{
	if (!m)
		return;
	free(m->slots);
	free(m);
}

static struct slot *find(struct slot *slots, size_t cap, uint64_t key)
{
	size_t i = hash_u64(key) & (cap - 1);

	while (slots[i].used && slots[i].key != key)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

bool u64map__get(const struct u64map *m, uint64_t key, uint64_t *val)
{
	struct slot *s = find(m->slots, m->cap, key);

	if (!s->used)
		return false;
	*val = s->val;
	return true;
}

static int grow(struct u64map *m)
{
	size_t cap = m->cap * 2, i;
	struct slot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < m->cap; i++) {
		if (m->slots[i].used)
			*find(slots, cap, m->slots[i].key) = m->slots[i];
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

int u64map__set(struct u64map *m, uint64_t key, uint64_t val)
{
	struct slot *s;

	/* Keep the load under 1/2 so probes stay short. */
	if ((m->size + 1) * 2 > m->cap && grow(m))
		return -ENOMEM;
	s = find(m->slots, m->cap, key);
	if (!s->used) {
		s->used = true;
		s->key = key;
		m->size++;
	}
	s->val = val;
	return 0;
}

/*
 * Linear probing without tombstones: after emptying a slot, walk the run
 * that follows it and move back each entry whose home slot does not lie
 * cyclically between the hole and itself, so that every lookup still
 * finds its key before an empty slot.
 */
bool u64map__del(struct u64map *m, uint64_t key)
{
	size_t mask = m->cap - 1, hole, j, home;
	struct slot *s = find(m->slots, m->cap, key);

	if (!s->used)
		return false;
	hole = (size_t)(s - m->slots);
	for (j = (hole + 1) & mask; m->slots[j].used; j = (j + 1) & mask) {
		home = hash_u64(m->slots[j].key) & mask;
		/* Stays when home is in (hole, j], cyclically. */
		if (hole <= j ? (hole < home && home <= j) : (hole < home || home <= j))
			continue;
		m->slots[hole] = m->slots[j];
		hole = j;
	}
	m->slots[hole].used = false;
	m->size--;
	return true;
}

size_t u64map__size(const struct u64map *m)
{
	return m->size;
}
