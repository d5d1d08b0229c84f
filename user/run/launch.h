/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Start a COMMAND so that it can be profiled from its first instruction:
 * fork, let the child wait on a pipe while the profiler attaches, then let it
 * exec.
 */
#ifndef PROFILER_LAUNCH_H
#define PROFILER_LAUNCH_H

#include <sys/types.h>

struct launch {
	pid_t pid;
	int go_fd;	/* write end: one byte lets the child exec */
};

/* Fork a child that waits; 0 or -errno.  The child restores the signal
 * mask the parent had before it blocked anything (orig_mask). */
int launch__prepare(char **argv, const void *orig_mask, struct launch *l);
/* Let the child exec.  0 or -errno. */
int launch__go(struct launch *l);
/* Give up: the child exits without running the command. */
void launch__abort(struct launch *l);

#endif
