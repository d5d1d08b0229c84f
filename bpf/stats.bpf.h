/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Per-CPU drop/event counters shared by every program (enum prof_stat). */
#ifndef PROFILER_STATS_BPF_H
#define PROFILER_STATS_BPF_H

/* Sized STAT__MAX; the loader sums the per-CPU slots for its summary. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, STAT__MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/*
 * Add n to slot key of an array of __u64 counters (per-CPU or not).
 * Atomic: a uprobe program can be preempted by another thread running it
 * on the same CPU.
 */
static __always_inline void counter_add(void *map, __u32 key, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(map, &key);

	if (v)
		__sync_fetch_and_add(v, n);
}

static __always_inline void stat_add(enum prof_stat reason, __u64 n)
{
	counter_add(&stats, reason, n);
}

static __always_inline void inc_stat(enum prof_stat reason)
{
	stat_add(reason, 1);
}

#endif
