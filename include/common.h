/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Facts shared by every BPF program and the loader: limits, the drop/event
 * reason counters and the rare events sent to userspace.  Includable from
 * both sides: BPF code gets __u32 and friends from vmlinux.h, userspace from
 * <linux/types.h>.
 */
#ifndef PROFILER_COMMON_H
#define PROFILER_COMMON_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include "unwind.h"

#define PROF_COMM_LEN		16
/*
 * Deepest stack kept, in frames: user stacks as the unwinder walks them
 * (kernel stacks stop at kernel.perf_event_max_stack, 127 by default).
 * 255 makes a stack_trace 2 KiB; BPF masks indexes with it.
 */
#define PROF_MAX_STACK_DEPTH	255
/* Processes followed at once: the -p list plus their forked children. */
#define PROF_MAX_TARGETS	8192

/*
 * What the BPF side keeps of a process it samples (maps "targets" and
 * "procs", bpf/targets.bpf.h): one entry, one lookup per sample.
 */
struct proc_state {
	__u32 gen;		/* execs during the run: samples carry it */
	__u32 announced;	/* EVENT_NEW_PROCESS sent for this gen */
};

/*
 * Counters kept per CPU by every program (map "stats", bpf/stats.bpf.h),
 * shown by the loader as "lost:"/"note:" lines (user/probes/bpfutil.c).  Every
 * sample or call that loses information counts here, whatever the mode.
 */
enum prof_stat {
	STAT_SAMPLES,		/* samples taken for a target */
	STAT_USTACK_FULL,	/* user stack: stacks map full (-E2BIG) */
	STAT_USTACK_FAULT,	/* user stack: could not be walked */
	STAT_KSTACK_FULL,
	STAT_COUNTS_FULL,	/* aggregation hash full: sample dropped */
	STAT_TARGETS_FULL,	/* forked child not followed: target map full */
	STAT_EVENTS_LOST,	/* ring buffer full: notification dropped */
	STAT_UNWIND_PROCS_FULL,	/* a process's mappings not given to the unwinder */
	STAT_STACK_NOMEM,	/* a new stack: the kernel had no memory for it */
	/* mem */
	STAT_MEM_LIVE_FULL,	/* live map full: allocation not tracked */
	STAT_MEM_SITES_FULL,	/* sites map full: not attributed */
	STAT_MEM_INFLIGHT_FULL,	/* no thread storage for it: call not seen */
	/* lat (struct lat_tstack, struct lat_go_key) */
	STAT_LAT_DEPTH,		/* call nested deeper than LAT_MAX_DEPTH */
	STAT_LAT_NO_RETURN,	/* call that ended unseen: counted, untimed */
	STAT_LAT_DEEP_GONE,	/* call past LAT_MAX_DEPTH that ended unseen */
	STAT_LAT_NO_ENTRY,	/* return of a call entered before tracing */
	STAT_LAT_NO_STORAGE,	/* thread storage unavailable: call not seen */
	STAT_LAT_GO_STACK,	/* Go: goroutine's stack bounds unreadable */
	STAT_LAT_GO_FULL,	/* Go: too many calls in flight */
	/* offcpu, wall */
	STAT_OFF_NO_START,	/* switch-in whose switch-out was not seen */
	STAT_OFF_THREADS_FULL,	/* off-CPU thread not tracked: map full */
	STAT_OFF_WAKERS_FULL,	/* waker not kept: map full */
	/* Python frames (bpf/python.bpf.h) */
	STAT_PY_NO_THREAD,	/* thread state not found: native frames there */
	STAT_PY_BAD_READ,	/* interpreter state unreadable: native frames */
	/* User stacks by how their walk ended: UNWIND_END__MAX counters,
	 * STAT_UNWIND_END + enum unwind_end. */
	STAT_UNWIND_END,
	STAT__MAX = STAT_UNWIND_END + UNWIND_END__MAX,
};

/* Rare events sent to userspace through the ring buffer (never samples). */
enum prof_event_kind {
	/* first sample of a tgid (again after exec): snapshot its maps now */
	EVENT_NEW_PROCESS = 1,
	/* the unwinder met a process or an address it has no mappings for:
	 * (re)read them (rate-limited per process in the kernel) */
	EVENT_LOAD_MAPPINGS,
	/* struct py_code_event: a code object seen in a stack for the first
	 * time lately; read it now, the process may be gone when its frames
	 * are named */
	EVENT_PY_CODE,
};

struct prof_event {
	__u32 kind;
	__u32 tgid;
	__u32 gen;	/* EVENT_NEW_PROCESS: execs of tgid seen during the run */
	__u32 pad;
};
_Static_assert(sizeof(struct prof_event) == 16, "prof_event is shared with BPF");

struct py_code_event {
	__u32 kind;	/* EVENT_PY_CODE */
	__u32 tgid;
	__u64 code;	/* the code object's address */
};
_Static_assert(sizeof(struct py_code_event) == 16, "py_code_event is shared with BPF");

#endif
