/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Stacks as the kernel side stores them: a hash map from a 64-bit hash of
 * the ips to the ips themselves.  The kernel's own stack-trace map hashes
 * into as many buckets as it has entries and gives up (-EEXIST) when two
 * stacks share one, which loses stacks long before the map is full (1,000
 * distinct stacks in 16,384 buckets collide about 30 times).  A 64-bit hash
 * makes that practically impossible.  The hash is defined here once, for the
 * BPF programs and for the loader's tests.
 */
#ifndef PROFILER_STACK_H
#define PROFILER_STACK_H

#include "common.h"

struct stack_trace {
	__u32 depth;	/* valid entries in ips, leaf first */
	__u32 end;	/* user stacks: enum unwind_end, how the walk ended */
	__u64 ips[PROF_MAX_STACK_DEPTH];
};
_Static_assert(sizeof(struct stack_trace) == 8 + 8 * PROF_MAX_STACK_DEPTH,
	       "stack_trace layout is shared with the BPF side");

/*
 * Hash of the first depth ips and of how the walk ended (FNV-1a over 64-bit
 * words, then a finaliser).  Never 0: 0 means "no stack" in keys.  The loop
 * is bounded for the verifier.
 */
/* The last mixing of stack_hash.  The mix maps 0 to 0, and 0 means "no
 * stack": that one value becomes 1. */
static inline __u64 stack_hash_finish(__u64 h)
{
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	h ^= h >> 32;
	return h ? h : 1;
}

static inline __u64 stack_hash(const __u64 *ips, __u32 depth, __u32 end)
{
	__u64 h = 0xcbf29ce484222325ULL ^ depth ^ ((__u64)end << 32);
	__u32 i;

	for (i = 0; i < PROF_MAX_STACK_DEPTH; i++) {
		if (i >= depth)
			break;
		h ^= ips[i];
		h *= 0x100000001b3ULL;
		h ^= h >> 29;
	}
	return stack_hash_finish(h);
}

#endif
