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

#define PROF_COMM_LEN		16
/* Deepest stack the kernel collects (its sysctl default is 127 too). */
#define PROF_MAX_STACK_DEPTH	127
/* Processes followed at once: the -p list plus their forked children. */
#define PROF_MAX_TARGETS	8192

/*
 * Counters kept per CPU by every program (map "stats"), shown by the loader
 * in its summary.  Every sample that loses information counts here.
 */
enum prof_stat {
	STAT_SAMPLES,		/* samples taken for a target */
	STAT_USTACK_FULL,	/* user stack: stacks map full (-E2BIG) */
	STAT_USTACK_FAULT,	/* user stack: could not be walked */
	STAT_KSTACK_FULL,
	STAT_COUNTS_FULL,	/* aggregation hash full: sample dropped */
	STAT_TARGETS_FULL,	/* forked child not followed: target map full */
	STAT_EVENTS_LOST,	/* ring buffer full: notification dropped */
	STAT__MAX,
};

/* Rare events sent to userspace through the ring buffer (never samples). */
enum prof_event_kind {
	/* first sample of a tgid (again after exec): snapshot its maps now */
	EVENT_NEW_PROCESS = 1,
};

struct prof_event {
	__u32 kind;
	__u32 tgid;
};

#endif
