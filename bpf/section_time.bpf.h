/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Opt-in timing of a program's parts (include/section_time.h). */
#ifndef PROFILER_SECTION_TIME_BPF_H
#define PROFILER_SECTION_TIME_BPF_H

#include "section_time.h"

/* Set by the loader (cpu mode, PROFILER_TIME_SECTIONS); false everywhere
 * else, and the verifier then drops every mark as dead code. */
const volatile bool time_sections = false;

/* One slot; the loader sums the CPUs' copies. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct section_times);
} section_times SEC(".maps");

/* The sample starts now. */
static __always_inline void section_begin(void)
{
	struct section_times *t;
	__u32 zero = 0;

	if (!time_sections)
		return;
	t = bpf_map_lookup_elem(&section_times, &zero);
	if (!t)
		return;
	t->last = bpf_ktime_get_ns();
	t->start = t->last;
}

/* Charge the time since the previous mark to sect. */
static __always_inline void section_mark(enum section sect)
{
	struct section_times *t;
	__u32 zero = 0;
	__u64 now;

	if (!time_sections)
		return;
	t = bpf_map_lookup_elem(&section_times, &zero);
	if (!t)
		return;
	now = bpf_ktime_get_ns();
	if (sect < SECT__MAX) {
		t->ns[sect] += now - t->last;
		t->marks[sect]++;
	}
	t->last = now;
}

/* The sample ends (after its last mark). */
static __always_inline void section_end(void)
{
	struct section_times *t;
	__u32 zero = 0;

	if (!time_sections)
		return;
	t = bpf_map_lookup_elem(&section_times, &zero);
	if (!t)
		return;
	t->total += t->last - t->start;
	t->samples++;
}

#endif
