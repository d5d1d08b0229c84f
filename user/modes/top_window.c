// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Per-second differences of cumulative counters, and the window's figures
 * made of them (modes/top_window.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "lib/hashmap.h"
#include "model/profile.h"
#include "modes/top_window.h"

int counts_add(struct counts *c, uint64_t key, uint64_t a, uint64_t b)
{
	uint64_t i;

	if (!c->index && !(c->index = u64map__new()))
		return -ENOMEM;
	if (u64map__get(c->index, key, &i)) {
		c->v[i - 1][0] += a;
		c->v[i - 1][1] += b;
		return 0;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		uint64_t *keys = realloc(c->keys, cap * sizeof(*keys));
		uint64_t (*v)[2];

		if (!keys)
			return -ENOMEM;
		c->keys = keys;
		v = realloc(c->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	if (u64map__set(c->index, key, c->n + 1))
		return -ENOMEM;
	c->keys[c->n] = key;
	c->v[c->n][0] = a;
	c->v[c->n][1] = b;
	c->n++;
	return 0;
}

long counts_find(const struct counts *c, uint64_t key)
{
	uint64_t i;

	if (!c->index || !u64map__get(c->index, key, &i))
		return -1;
	return (long)(i - 1);
}

bool counts_get(const struct counts *c, uint64_t key, uint64_t *a, uint64_t *b)
{
	long i = counts_find(c, key);

	if (i < 0) {
		*a = *b = 0;
		return false;
	}
	*a = c->v[i][0];
	*b = c->v[i][1];
	return true;
}

int counts_merge(struct counts *dst, const struct counts *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		if (counts_add(dst, src->keys[i], src->v[i][0], src->v[i][1]))
			return -ENOMEM;
	return 0;
}

static uint64_t grown(uint64_t now, uint64_t before)
{
	return now > before ? now - before : 0;
}

int counts_diff(struct counts *dst, const struct counts *now,
		const struct counts *before)
{
	uint64_t a, b;
	size_t i;

	for (i = 0; i < now->n; i++) {
		counts_get(before, now->keys[i], &a, &b);
		a = grown(now->v[i][0], a);
		b = grown(now->v[i][1], b);
		if ((a || b) && counts_add(dst, now->keys[i], a, b))
			return -ENOMEM;
	}
	return 0;
}

void counts_free(struct counts *c)
{
	u64map__free(c->index);
	free(c->keys);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

uint64_t top_site_key(const struct profile *p, const struct prof_sample *s)
{
	uint64_t h = hash_bytes(HASH_SEED, &s->pid, sizeof(s->pid));
	const char *module;
	char name[512];
	uint32_t i;

	for (i = 0; i < s->nlocs; i++) {
		profile__location_name(p, s->locs[i], name, sizeof(name));
		module = profile__location_module(p, s->locs[i]);
		/* With their terminating NULs: "ab","c" is not "a","bc". */
		h = hash_bytes(h, name, strlen(name) + 1);
		h = hash_bytes(h, module, strlen(module) + 1);
	}
	return h;
}

void hist_window_bounds(const uint64_t *counts, uint64_t *min, uint64_t *max)
{
	uint32_t b, lo = HIST_BUCKETS, hi = 0;

	for (b = 0; b < HIST_BUCKETS; b++) {
		if (!counts[b])
			continue;
		if (lo == HIST_BUCKETS)
			lo = b;
		hi = b;
	}
	if (lo == HIST_BUCKETS) {
		*min = *max = 0;
		return;
	}
	if (*max < hist_bucket_low(hi))
		*max = hist_bucket_low(hi);
	if (*min > hist_bucket_high(lo))
		*min = hist_bucket_high(lo);
}
