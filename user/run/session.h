/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The life of a run, shared by every mode: check the machine, resolve the
 * targets (-p PIDs or a COMMAND started stopped), block signals into a
 * signalfd, then poll signals, the -d timer, the -i interval timer, target
 * exits and one mode-specific descriptor until the run ends; end the
 * COMMAND and report its status.
 */
#ifndef PROFILER_SESSION_H
#define PROFILER_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <time.h>

#include "run/options.h"
#include "run/launch.h"

struct session {
	struct common_opts *o;
	struct launch child;
	bool child_reaped;
	int child_status;	/* wait status once reaped, else -1 */
	int *pidfds;		/* one per -p target (or the COMMAND) */
	bool *exited;
	int ntargets;
	int sigfd, timerfd, intervalfd;
	sigset_t orig_mask;
	struct timespec launched;	/* the command line was parsed */
	struct timespec start, end;	/* profiling on, profiling off */
	const char *stop_reason;
	const char *interrupt;	/* signal after the loop (session__interrupted) */
};

/*
 * Check privileges and BTF, resolve -p PIDs (thread ids to processes,
 * duplicates dropped), block signals, and fork the COMMAND (waiting) if any.
 * user_space_mode names a mode that traces user space only ("mem"): -p of a
 * kernel thread is then an error.  NULL: any process.
 * Errors are printed; returns 0 or -1.
 */
int session__init(struct session *s, struct common_opts *o,
		  const char *user_space_mode);
/* The pid of target i (a -p PID, or the COMMAND). */
pid_t session__target(const struct session *s, int i);
/*
 * Profiling is on: arm the -d timer and an -i interval timer (interval 0:
 * none), note the start time, and let the COMMAND exec.  0 or -1.
 */
int session__start(struct session *s, double interval);

/* Called by session__loop; ctx is the mode's. */
struct session_hooks {
	int fd;				/* mode's descriptor to poll, or -1 */
	void (*on_fd)(void *ctx);	/* fd readable, or work pending */
	/* The mode has work left (it does a piece per on_fd): the loop then
	 * does not wait, and calls on_fd again after checking signals. */
	bool (*pending)(void *ctx);
	int fd2;			/* a second one (top: the terminal) */
	void (*on_fd2)(void *ctx);	/* fd2 readable; NULL: fd2 unused */
	void (*on_interval)(void *ctx);	/* each -i interval */
	void *ctx;
};

/* Poll until a signal, the -d timer, or every target has exited. */
void session__loop(struct session *s, const struct session_hooks *h);
/*
 * After the loop: has SIGINT, SIGTERM or SIGHUP arrived since (without
 * waiting)?  Once true, stays true; the signal's name is in s->interrupt.
 * For work that follows the run (naming frames), to cut it short.
 */
bool session__interrupted(struct session *s);
/* Note the end time and end the COMMAND if it still runs. */
void session__end(struct session *s);
/* Exit status for a successful run: 0, or the COMMAND's (128+N if killed). */
int session__exit_status(const struct session *s);
/* "pid 12", "pids 12,34", "command ls (pid 9)", "system wide". */
void session__describe(const struct session *s, char *buf, size_t len);
/* From the start to the end, or to now while the run goes on. */
int64_t session__duration_ns(const struct session *s);
void session__free(struct session *s);

int64_t ns_between(const struct timespec *a, const struct timespec *b);

#endif
