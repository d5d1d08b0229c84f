/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Opt-in timing of the parts of a cpu sample's BPF program (the loader sets
 * time_sections when PROFILER_TIME_SECTIONS is in the environment).  The
 * program runs in the timer interrupt with interrupts off, so a cpu-clock
 * profile of the kernel cannot see inside it; these clock deltas can.
 * Each mark charges the time since the previous mark to one section.
 */
#ifndef PROFILER_SECTION_TIME_H
#define PROFILER_SECTION_TIME_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

enum section {
	/* Two marks in a row: what one mark itself costs, to subtract. */
	SECT_EMPTY = 0,
	SECT_FILTER,		/* target_state, note_process, comm */
	SECT_USER_SETUP,	/* scratch, trampoline address, unwind_procs */
	SECT_USER_FP,		/* bpf_get_stack(BPF_F_USER_STACK) */
	SECT_WALK_LOOKUP,	/* per frame: mapping, page, shard, row */
	SECT_WALK_READ,		/* per frame: the stack reads */
	SECT_WALK_OTHER,	/* the rest of the walk and bpf_loop itself */
	SECT_USER_HASH,		/* stack_hash of the user stack */
	SECT_USER_STORE,	/* lookup (and insert) in "stacks" */
	SECT_KERN_STACK,	/* bpf_get_stack of the kernel part */
	SECT_KERN_HASH,
	SECT_KERN_STORE,
	SECT_COUNTS,		/* the counts update */
	SECT__MAX,
};

struct section_times {
	__u64 last;		/* the previous mark's clock */
	__u64 start;		/* the sample's first mark */
	__u64 total;		/* first to last mark, summed */
	__u64 samples;
	__u64 ns[SECT__MAX];
	__u64 marks[SECT__MAX];
};

#endif
