/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What top's mem and lat views compute from their engines' cumulative
 * counters: each second, what a reading adds to the one before it, kept in
 * a ring of per-second counts whose sum is the window (as cpu and off-CPU
 * samples are kept in tallies, modes/live.h).  A difference per second
 * rather than a reading per second: a second holds only what changed in
 * it, where a reading holds every site and every histogram bucket ever
 * used.  Pure: no BPF, no engine.
 */
#ifndef PROFILER_TOP_WINDOW_H
#define PROFILER_TOP_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct profile;
struct prof_sample;
struct u64map;

/* Two counters per 64-bit key, in the order the keys came. */
struct counts {
	struct u64map *index;	/* key -> i + 1 */
	uint64_t *keys;
	uint64_t (*v)[2];
	size_t n, cap;
};

/* Add a and b to key's counters (a new key starts at 0).  0 or -ENOMEM. */
int counts_add(struct counts *c, uint64_t key, uint64_t a, uint64_t b);
/* key's index (keys[i], v[i]), or -1 if it has none. */
long counts_find(const struct counts *c, uint64_t key);
/* key's counters: false, and zeros, if it has none. */
bool counts_get(const struct counts *c, uint64_t key, uint64_t *a, uint64_t *b);
/* Add all of src to dst.  0 or -ENOMEM. */
int counts_merge(struct counts *dst, const struct counts *src);
/*
 * Add to dst what now adds to before: each key of now with its counters
 * minus before's.  A key before lacks counts from 0 (it is new); a counter
 * below before's value adds nothing (counters only grow); keys that did
 * not change are left out.  0 or -ENOMEM.
 */
int counts_diff(struct counts *dst, const struct counts *now,
		const struct counts *before);
/* Empty, its memory freed. */
void counts_free(struct counts *c);

/* counters per second over secs seconds; 0 for none. */
static inline double counts_rate(uint64_t n, double secs)
{
	return secs > 0 ? n / secs : 0;
}

/*
 * A mem site's key in every reading: its process and its frames as the
 * table names them, innermost first (the allocator function, then its
 * callers).  Sites named alike are one row; a site whose names change
 * (an address named once its file is read) is a new site from then on.
 */
uint64_t top_site_key(const struct profile *p, const struct prof_sample *s);

/*
 * A window's exact smallest and largest call (the largest of its seconds'
 * figures; 0: unknown) made to agree with its histogram counts
 * (HIST_BUCKETS): a call that returned between a reading and the start of
 * the next second's figures is in the histogram but in no second's min
 * or max.  The max is raised to at least the lowest value of the highest
 * bucket used, the min lowered to at most the highest value of the lowest
 * (an unknown min stays unknown).  Empty counts: both 0.
 */
void hist_window_bounds(const uint64_t *counts, uint64_t *min, uint64_t *max);

#endif
