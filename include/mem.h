/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Types shared by bpf/mem.bpf.c and user/modes/mem.c (the allocation profiler). */
#ifndef PROFILER_MEM_H
#define PROFILER_MEM_H

#include "common.h"
#include "hist.h"
#include "stack.h"
#include "mem_sample.h"

/* The allocator functions traced; the index names programs and histograms. */
enum mem_fn {
	MEM_MALLOC,
	MEM_CALLOC,
	MEM_REALLOC,
	MEM_REALLOCARRAY,
	MEM_POSIX_MEMALIGN,
	MEM_ALIGNED_ALLOC,
	MEM_MEMALIGN,
	MEM_VALLOC,
	MEM_PVALLOC,
	MEM_FREE,
	MEM__FN_MAX,
};

/* Or'ed into a site's fn: allocations below --min-size, no stack taken. */
#define MEM_FN_SMALL	0x100
/* Or'ed into a live allocation's fn: not sampled (--sample-bytes), no stack
 * and no site; kept so that its free balances the totals. */
#define MEM_FN_UNSAMPLED	0x200

/* Histograms kept in the kernel: one of sizes, one of latency per function. */
#define MEM_HIST_SIZE		MEM__FN_MAX	/* after the latency ones */
#define MEM_NHIST		(MEM__FN_MAX + 1)

/* A call in flight on one thread, from entry to return. */
struct mem_inflight {
	__u64 size;	/* requested bytes (nmemb*size for calloc) */
	__u64 old_ptr;	/* realloc: the block being resized */
	__u64 memptr;	/* posix_memalign: where the result is written */
	__u64 start_ns;
	__u32 fn;	/* enum mem_fn of the outermost call */
	__u32 depth;	/* nested allocator calls under it (not counted) */
};
_Static_assert(sizeof(struct mem_inflight) == 40,
	       "mem_inflight is shared with BPF");

/* Live allocations are keyed by process and address. */
struct mem_live_key {
	__u32 tgid;
	__u32 pad;
	__u64 addr;
};
_Static_assert(sizeof(struct mem_live_key) == 16,
	       "mem_live_key is shared with BPF");

/* A live allocation. */
struct mem_live {
	__u64 size;
	__u64 alloc_ns;
	__u64 stack;	/* key in "stacks" */
	__u32 tgid;
	__u32 fn;
};
_Static_assert(sizeof(struct mem_live) == 32, "mem_live is shared with BPF");

/* Per (process, allocating stack, allocator function). */
struct mem_site_key {
	__u32 tgid;
	__u32 fn;
	__u64 stack;	/* 0: stack lost */
};
_Static_assert(sizeof(struct mem_site_key) == 16,
	       "mem_site_key is shared with BPF");

/*
 * In the units of include/mem_sample.h: allocations in 2^-MEM_OBJ_SHIFT,
 * bytes and variance terms in 2^-MEM_BYTES_SHIFT.  Exact counts without
 * sampling, estimates (sums of weights) with it.
 */
struct mem_site {
	__u64 allocs;
	__u64 alloc_bytes;
	__u64 frees;
	__u64 free_bytes;
	__u64 alloc_var;	/* variance of alloc_bytes' estimate / N */
	__u64 free_var;		/* the part of it freed since */
	__u64 samples;		/* allocations counted here: stacks taken */
	__u64 pad;
};
_Static_assert(sizeof(struct mem_site) == 64, "mem_site is shared with BPF");

/* Run totals (per-CPU array, summed by the loader). */
enum mem_total {
	MEM_T_ALLOCS,
	MEM_T_ALLOC_BYTES,
	MEM_T_FREES,		/* frees of blocks allocated while traced */
	MEM_T_FREE_BYTES,
	MEM_T_FREES_UNKNOWN,	/* frees of blocks from before the run */
	MEM_T_FAILED,		/* allocations that returned NULL */
	MEM_T_STACKS,		/* allocation stacks walked */
	MEM_T__MAX,
};

#define MEM_DEFAULT_LIVE_MAP_SIZE	(1 << 20)
#define MEM_DEFAULT_SITES_MAP_SIZE	65536
#define MEM_DEFAULT_STACK_MAP_SIZE	16384
/* --sample-bytes: Go's heap profiler's rate (docs/usage.md says why). */
#define MEM_DEFAULT_SAMPLE_BYTES	(512 * 1024)

#endif
