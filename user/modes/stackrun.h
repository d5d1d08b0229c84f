/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What a mode that samples stacks (cpu, offcpu, wall) runs beside its BPF
 * object: the symbolizer, the unwinder that gives the kernel its tables,
 * the ring buffer of their events (a process's first sample, a request for
 * tables), and the naming of stored stacks (bpf/stacks.bpf.h) into profile
 * locations.
 */
#ifndef PROFILER_STACKRUN_H
#define PROFILER_STACKRUN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>

#include "common.h"
#include "stack.h"
#include "modes/unwinder.h"
#include "run/cli.h"
#include "run/session.h"
#include "symbols/symbolize.h"

struct bpf_map;
struct bpf_object;
struct bpf_program;
struct ring_buffer;
struct profile;

struct stack_run {
	struct symbolizer *sym;
	struct unwinder *unw;
	struct pyframes *py;	/* Python frames: the interpreters, code objects */
	struct ring_buffer *events;
	struct session *sess;
	int stacks_fd;		/* the object's "stacks" map */
	int unwind_mode;	/* enum unwind_mode */
	struct symbolizer_opts sym_opts;	/* to make a new symbolizer */
	struct bpf_link **perf_links;	/* sampling events, one per CPU */
	int *perf_fds;
	int nperf;
	bool per_cpu;		/* per-CPU events even with targets */
};

/* Locations one stored stack may become, at most: each user address may
 * expand into inlined frames; one marker for how it ended or was lost. */
#define STACK_RUN_MAX_LOCS	(PROF_MAX_STACK_DEPTH * (1 + SYMBOLIZER_MAX_FRAMES) + 2)

/*
 * After the object is loaded: the symbolizer, the ring buffer of obj's
 * "events" map, the unwinder.  0, or -1 after one p_err line.
 */
int stack_run__open(struct stack_run *sr, struct bpf_object *obj,
		    struct session *sess, const struct common_opts *c,
		    const struct stack_opts *s);
/* The session's targets (-p PIDs, the COMMAND) into the object's targets
 * map (bpf/targets.bpf.h).  0, or -1 after one p_err line. */
int stack_run__follow(struct stack_run *sr, struct bpf_map *targets);
/* Targets known now (-p): their maps and unwind tables before the first
 * sample, which may come after they exit. */
void stack_run__add_pids(struct stack_run *sr, const pid_t *pids, int n);
/* Thread events at most, for -p and COMMAND runs. */
#define STACK_RUN_MAX_THREAD_EVENTS	65536

/*
 * Sampling events at freq Hz (cpu-clock, or cycles), each running prog:
 * with targets (-p, COMMAND), one per thread of theirs, inherited by the
 * threads and processes they create, so that other processes are never
 * interrupted (past STACK_RUN_MAX_THREAD_EVENTS threads, or half the
 * descriptors the process may open, a warning and per-CPU events);
 * without targets, or with sr->per_cpu, one per online CPU.  0, or -1 after one
 * p_err line.
 */
int stack_run__sample(struct stack_run *sr, struct bpf_program *prog,
		      uint64_t freq, bool cycles);
/* Close them: no sample after this returns. */
void stack_run__stop_sampling(struct stack_run *sr);
/* The session loop's fd, on_fd and pending hooks (ctx: sr). */
void stack_run__hooks(struct stack_run *sr, struct session_hooks *h);
/* The same for a mode with hooks of its own: the events' fd is
 * ring_buffer__epoll_fd(sr->events); on it, serve them; while busy, the
 * loop should call again without waiting. */
void stack_run__serve_events(struct stack_run *sr);
bool stack_run__busy(const struct stack_run *sr);
/* After sampling stopped: the last events, naming cut short by a signal
 * from now on, and (-v) what the unwinder loaded. */
void stack_run__finish(struct stack_run *sr);
/* Addresses left unnamed because a signal cut naming short: a truncation
 * line in p.  0 or -ENOMEM. */
int stack_run__add_unnamed(struct stack_run *sr, struct profile *p);
void stack_run__free(struct stack_run *sr);
/*
 * A new symbolizer in place of the old: every process snapshot, named
 * address and read file is dropped (those of processes that exited too), so
 * that a run of days keeps only what it still uses.  Only when nothing
 * waits to be named.  pids[0..n) are read again at once.  0 or -ENOMEM
 * (the old one is kept).
 */
int stack_run__renew_symbolizer(struct stack_run *sr, const pid_t *pids, int n);
/*
 * Drop what the symbolizer and the unwinder keep of processes that have
 * exited, once no capture may still name their addresses: symbolizer__sweep
 * (now, before: ticks of the mode).  How many process images went.
 */
size_t stack_run__sweep(struct stack_run *sr, uint64_t now, uint64_t before);

/*
 * The frames of a stored kernel stack (key 0: none), leaf first, appended
 * to locs, then "[stack lost...]" if err says it was lost; how many.  The
 * tracing plumbing at the leaf of a stack taken at a tracepoint (BPF
 * programs, bpf_trace_run*) is left out.  A zero location means out of
 * memory.
 */
uint32_t stack_run__kernel(struct stack_run *sr, struct profile *p, __u64 key,
			   __s32 err, uint32_t *locs);
/* The same for a user stack of process tgid (image gen), ending with an
 * "[unwind: ...]" marker when its walk stopped early. */
uint32_t stack_run__user(struct stack_run *sr, struct profile *p, __u32 tgid,
			 __u32 gen, __u64 key, __s32 err, uint32_t *locs);

/* The same from ips already read (st NULL: none). */
uint32_t stack_run__kernel_ips(struct stack_run *sr, struct profile *p,
			       const struct stack_trace *st, __s32 err,
			       uint32_t *locs);
uint32_t stack_run__user_ips(struct stack_run *sr, struct profile *p, __u32 tgid,
			     __u32 gen, const struct stack_trace *st, __s32 err,
			     uint32_t *locs);

#endif
