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

static __always_inline void inc_stat(enum prof_stat reason)
{
	__u32 key = reason;
	__u64 *v = bpf_map_lookup_elem(&stats, &key);

	if (v)
		(*v)++;
}

#endif
