/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Types shared by bpf/cpu.bpf.c and user/cpu.c.  Fixed-width fields only so
 * that both compilers lay the structs out the same way.
 */
#ifndef PROFILER_CPU_H
#define PROFILER_CPU_H

#include "common.h"

/* One aggregation key per (process, user stack, kernel stack, thread name). */
struct cpu_key {
	__u32 tgid;
	__s32 user_stack_id;	/* -1: none to collect; other < 0: -errno, lost */
	__s32 kern_stack_id;	/* -1: none (user mode); other < 0: -errno, lost */
	char comm[PROF_COMM_LEN];
};
_Static_assert(sizeof(struct cpu_key) == 12 + PROF_COMM_LEN,
	       "cpu_key must have no padding: it is hashed bytewise");

/* Defaults for the run-time map sizes (options --stack-map-size, ...). */
#define CPU_DEFAULT_STACK_MAP_SIZE	16384
#define CPU_DEFAULT_COUNTS_MAP_SIZE	65536

#endif
