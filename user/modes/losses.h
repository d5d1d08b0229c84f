/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The loss counters every BPF program keeps (map "stats", enum prof_stat
 * in include/common.h): read them, and say what each means to a user, in
 * one place for every mode.
 */
#ifndef PROFILER_LOSSES_H
#define PROFILER_LOSSES_H

#include <stdint.h>

#include "common.h"

struct profile;

struct stat_reason {
	const char *what;	/* "user stacks: stack map full"; NULL: not a loss */
	const char *hint;	/* "raise --stack-map-size", "" if none */
};

/* What counter s means; what is NULL for counters that are not losses
 * (samples taken, and the unwinder's endings: unwind_add_truncations). */
const struct stat_reason *stat_reason(enum prof_stat s);

/* A short name of counter s for metrics labels: "user_stack_map_full",
 * "unwind_no_row"... */
const char *stat_id(enum prof_stat s);

/* Sum the "stats" map (fd) over CPUs into totals[STAT__MAX]; 0 or -errno
 * (then all zeros). */
int stats_read(int fd, uint64_t *totals);

/* Every non-zero loss of totals as a "lost:" line of p, and the
 * unwinder's endings as "truncated:" lines.  0 or -ENOMEM. */
int stats_add_losses(struct profile *p, const uint64_t *totals);

#endif
