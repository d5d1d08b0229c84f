/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * CPU sampling kept attached, for the modes that run until stopped (serve,
 * top): every tick the kernel's counts are drained (lookup-and-delete, so
 * nothing piles up there) into tallies the mode keeps, the stacks they name
 * are copied into a store of the engine's own and deleted from the
 * kernel's stack map.  A tally becomes a
 * cpu profile when the mode wants one.  Main thread only.
 */
#ifndef PROFILER_LIVE_H
#define PROFILER_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu.h"
#include "modes/stackrun.h"
#include "run/options.h"
#include "run/session.h"

struct profile;
struct cpu_bpf;

/* Two values per key (cpu: samples; off-CPU: ns and periods): what a
 * capture or a second adds up.  Keys are the kernel's, compared bytewise. */
struct tally {
	struct u64map *index;	/* hash of the key (probed on) -> i + 1 */
	size_t ksize;		/* set by the first add */
	unsigned char *keys;
	uint64_t (*v)[2];
	size_t n, cap;
};

int tally_add(struct tally *t, const void *key, size_t ksize, uint64_t a,
	      uint64_t b);
/* Key i. */
static inline const void *tally_key(const struct tally *t, size_t i)
{
	return t->keys + i * t->ksize;
}
/* Add all of src to dst; 0 or -ENOMEM. */
int tally_merge(struct tally *dst, const struct tally *src);
void tally_free(struct tally *t);
/* The sum of the first values. */
uint64_t tally_total(const struct tally *t);

/*
 * Stacks copied out of a kernel stack map (bpf/stacks.bpf.h) as counts
 * naming them are drained, so that the map can be trimmed of them; each
 * kept while a count named it within the horizon.
 */
struct stack_stored {
	uint64_t hash;
	uint64_t last;			/* tick it was last named by a count */
	bool dying;			/* unnamed too long: goes at the next pass */
	struct stack_trace *st;		/* depth entries only */
};

struct stack_store {
	int fd;				/* the kernel's stack map */
	uint64_t map_size;
	struct u64map *index;		/* hash -> i + 1 */
	struct stack_stored *v;
	size_t n, cap;
	uint64_t kernel_entries;	/* in the kernel's map, every count_every */
	uint64_t count_every;		/* ticks (0: 10) */
	uint64_t trims;			/* safety trims of the kernel's map */
	uint64_t dropped;		/* stored stacks dropped, unnamed too long */
};

/* Copy stack hash (0: none) if not stored yet; mark it seen at tick. */
int stack_store__copy(struct stack_store *s, uint64_t hash, uint64_t tick);
const struct stack_trace *stack_store__get(const struct stack_store *s,
					   uint64_t hash);
/* After a tick: drop stacks unnamed for horizon ticks (>= 1); every
 * count_every ticks count the kernel's map, and trim it if half full. */
void stack_store__maintain(struct stack_store *s, uint64_t tick, uint64_t horizon);
void stack_store__free(struct stack_store *s);

struct live {
	struct cpu_bpf *skel;
	struct stack_run sr;
	uint64_t freq;
	uint64_t stack_map_size;
	uint64_t tick;
	struct stack_store store;
	size_t drained;			/* keys the last drain read */
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
/* After a tick: drop stored stacks no count named for horizon ticks (>= 1:
 * what the mode's tallies may still name); keep the kernel's map small. */
void live__maintain(struct live *l, uint64_t horizon);
/* A tally as a cpu profile of seconds, titled "profiler cpu: ..., what". */
struct profile *live__profile(struct live *l, const struct tally *t,
			      double seconds, const char *target, const char *what);
/* Stop sampling (the maps stay readable). */
void live__stop(struct live *l);
void live__free(struct live *l);

#endif
