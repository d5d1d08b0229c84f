/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Types shared by bpf/offcpu.bpf.c and user/modes/offcpu.c: off-CPU time
 * (offcpu) and wall-clock time (wall, which adds on-CPU samples).  A thread
 * going off CPU keeps its key (stacks, state) and the time in "starts";
 * coming back on, the time in between is added to "counts" under that key.
 */
#ifndef PROFILER_OFFCPU_H
#define PROFILER_OFFCPU_H

#include "common.h"
#include "stack.h"

/* Why a thread was off CPU: its state when it left. */
enum offcpu_state {
	OFFCPU_RUNNABLE,	/* R: preempted, waiting for a CPU */
	OFFCPU_SLEEP,		/* S: interruptible sleep */
	OFFCPU_DISK,		/* D: uninterruptible sleep */
	OFFCPU_STOPPED,		/* T/t: stopped or traced */
	OFFCPU_IDLE,		/* I: kernel thread idle (D with NOLOAD) */
	OFFCPU_OTHER,
	OFFCPU_ON_CPU,		/* wall: an on-CPU sample, not a state */
	OFFCPU_STATE__MAX,
};

/* --wakers: the thread that woke a sleeper (0s if none was seen). */
struct offcpu_waker {
	__u32 tgid;
	__u32 pid;
	__u32 gen;
	__u32 seen;		/* 1: a waker was seen */
	__s32 user_err;
	__s32 kern_err;
	__u64 user_stack;
	__u64 kern_stack;
	char comm[PROF_COMM_LEN];
};
_Static_assert(sizeof(struct offcpu_waker) == 40 + PROF_COMM_LEN,
	       "offcpu_waker is shared with BPF");

/* One aggregation key: the thread, where and why it waited, who woke it. */
struct offcpu_key {
	__u32 tgid;
	__u32 pid;		/* the thread */
	__u32 gen;		/* execs of tgid before it (this run) */
	__u32 state;		/* enum offcpu_state */
	__s32 user_err;		/* 0, or -errno: the user stack was lost */
	__s32 kern_err;
	__u64 user_stack;	/* key in the stacks map; 0: none */
	__u64 kern_stack;
	char comm[PROF_COMM_LEN];
	struct offcpu_waker waker;
};
_Static_assert(sizeof(struct offcpu_key) == 40 + PROF_COMM_LEN +
	       sizeof(struct offcpu_waker),
	       "offcpu_key must have no padding: it is hashed bytewise");

struct offcpu_val {
	__u64 ns;		/* time off CPU (wall: also on-CPU samples) */
	__u64 count;		/* periods off CPU (wall: also samples) */
};
_Static_assert(sizeof(struct offcpu_val) == 16, "offcpu_val is shared with BPF");

/* A thread off CPU now: since when, and the key its time will go to. */
struct offcpu_start {
	__u64 ts;		/* bpf_ktime_get_ns() when it left */
	struct offcpu_key key;
};
_Static_assert(sizeof(struct offcpu_start) == 8 + sizeof(struct offcpu_key),
	       "offcpu_start is shared with BPF");

/* Defaults for the run-time map sizes. */
/* Stacks are preallocated here (2 KiB each): 8 MiB. */
#define OFFCPU_DEFAULT_STACK_MAP_SIZE	4096
#define OFFCPU_DEFAULT_COUNTS_MAP_SIZE	65536
#define OFFCPU_DEFAULT_THREADS_MAP_SIZE	16384

#endif
