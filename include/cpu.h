/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Types shared by bpf/cpu.bpf.c and user/modes/cpu.c.  Fixed-width fields only so
 * that both compilers lay the structs out the same way.
 */
#ifndef PROFILER_CPU_H
#define PROFILER_CPU_H

#include "common.h"
#include "stack.h"

/* One aggregation key per (process, user stack, kernel stack, thread name). */
struct cpu_key {
	__u32 tgid;
	__s32 user_err;		/* 0, or -errno: the user stack was lost */
	__s32 kern_err;		/* 0, or -errno: the kernel stack was lost */
	__u32 gen;		/* execs of tgid before the sample (this run) */
	__u64 user_stack;	/* key in the stacks map; 0: none */
	__u64 kern_stack;	/* key in the stacks map; 0: none (user mode) */
	char comm[PROF_COMM_LEN];
};
_Static_assert(sizeof(struct cpu_key) == 32 + PROF_COMM_LEN,
	       "cpu_key must have no padding: it is hashed bytewise");

/* Defaults for the run-time map sizes (options --stack-map-size, ...). */
#define CPU_DEFAULT_STACK_MAP_SIZE	16384
#define CPU_DEFAULT_COUNTS_MAP_SIZE	65536

#endif
