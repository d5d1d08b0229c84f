/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * CPU sampling kept attached, for the modes that run until stopped (serve,
 * top): every tick the kernel's counts are drained (lookup-and-delete, so
 * nothing piles up there) into tallies the mode keeps, the stacks they name
 * are copied into a store of the engine's own, and the kernel's stack map
 * is trimmed of them once half of it has been copied.  A tally becomes a
 * cpu profile when the mode wants one.  Main thread only.
 */
#ifndef PROFILER_LIVE_H
#define PROFILER_LIVE_H

#include <stddef.h>
#include <stdint.h>

#include "cpu.h"
#include "modes/stackrun.h"
#include "run/options.h"
#include "run/session.h"

struct profile;
struct cpu_bpf;

/* Counts per cpu key: what a capture or a second adds up. */
struct tally {
	struct u64map *index;	/* hash of the key (probed on) -> i + 1 */
	struct cpu_key *keys;
	uint64_t *counts;
	size_t n, cap;
};

int tally_add(struct tally *t, const struct cpu_key *k, uint64_t count);
/* Add all of src to dst; 0 or -ENOMEM. */
int tally_merge(struct tally *dst, const struct tally *src);
void tally_free(struct tally *t);
uint64_t tally_total(const struct tally *t);

struct live_stored {
	uint64_t hash;
	uint64_t last;			/* tick it was last named by a count */
	struct stack_trace *st;		/* depth entries only */
};

struct live {
	struct cpu_bpf *skel;
	struct stack_run sr;
	uint64_t freq;
	uint64_t stack_map_size;
	uint64_t tick;
	/* The stack store. */
	struct u64map *index;		/* hash -> i + 1 */
	struct live_stored *v;
	size_t n, cap;
	size_t since_trim;		/* copied since the kernel's map was trimmed */
	uint64_t trims;
	struct cpu_key *kbuf;		/* drain buffers */
	__u64 *vbuf;
	size_t bufn;
	int stats_fd;			/* keeps the kernel's run-time stats on */
};

struct live_opts {
	uint64_t freq;
	uint64_t stack_map_size;
	uint64_t counts_map_size;
	const struct common_opts *c;
	const struct stack_opts *s;
	bool bpf_stats;			/* turn on the kernel's run-time stats */
};

/*
 * Load and attach the cpu object for the session's targets (or the whole
 * machine) and start sampling.  0, or -1 after one p_err line.
 */
int live__open(struct live *l, struct session *sess, const struct live_opts *o);
/* A tick: drain the kernel's counts into tallies[0..n) (each gets all). */
int live__drain(struct live *l, struct tally *const *tallies, size_t n);
/* After a tick: trim the kernel's stack map if due; every minute drop
 * stored stacks no count named for horizon ticks. */
void live__maintain(struct live *l, uint64_t horizon);
/* A tally as a cpu profile of seconds, titled "profiler cpu: ..., what". */
struct profile *live__profile(struct live *l, const struct tally *t,
			      double seconds, const char *target, const char *what);
/* Stop sampling (the maps stay readable). */
void live__stop(struct live *l);
void live__free(struct live *l);

#endif
