/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Types shared by bpf/lat.bpf.c and user/modes/lat.c (function latency).  Every
 * probed function has an id, 0..n-1, which the loader passes to the
 * programs as the probe's BPF cookie; the per-function maps are indexed by
 * it.  Durations go into the shared log-linear histograms (hist.h).
 */
#ifndef PROFILER_LAT_H
#define PROFILER_LAT_H

#include "common.h"
#include "hist.h"

/*
 * Calls in flight per thread whose entry time is kept: nesting and
 * recursion deeper than this are still counted, but not timed.  A power of
 * two: the BPF side masks indexes with it for the verifier.
 */
#define LAT_MAX_DEPTH		32

/* One call in flight on a thread. */
struct lat_frame {
	__u64 ts;	/* bpf_ktime_get_ns() at entry */
	__u64 sp;	/* stack pointer at entry: where the return address is */
	__u32 fn;	/* function id */
	__u32 pad;
};
_Static_assert(sizeof(struct lat_frame) == 24, "lat_frame is shared with BPF");

/*
 * A thread's calls in flight, innermost last (task local storage: freed
 * with the thread).  Returns are matched to frames by stack pointer: a
 * function returns with its entry sp + 8, so frames further down the stack
 * (lower sp) are calls whose return was never seen (longjmp, exceptions,
 * uretprobe nesting limit): dropped, and counted as untimed calls.  So is
 * an earlier call of a function at the sp where it is entered again.
 */
struct lat_tstack {
	__u32 depth;		/* valid entries in f */
	__u32 overflow;		/* calls entered beyond LAT_MAX_DEPTH */
	struct lat_frame f[LAT_MAX_DEPTH];
};
_Static_assert(sizeof(struct lat_tstack) == 8 + 24 * LAT_MAX_DEPTH,
	       "lat_tstack is shared with BPF");

/*
 * Go calls in flight, keyed by goroutine and depth: a goroutine may move
 * between threads mid-call, and the runtime moves its stack to grow it,
 * but the distance from the top of its stack (g.stack.hi) to the return
 * address is kept through a move.  Past the stack check, where the entry
 * probe sits (probe_place_go), and at the RET the stack pointer is the
 * same: it points at the return address.  Two calls in flight never share
 * a key, so an entry that finds its key taken finds a call a panic ended.
 */
struct lat_go_key {
	__u64 g;	/* the goroutine (r14 in Go's register ABI) */
	__u64 depth;	/* g.stack.hi - sp */
	__u32 tgid;
	__u32 pad;
};
_Static_assert(sizeof(struct lat_go_key) == 24, "lat_go_key is shared with BPF");

struct lat_go_call {
	__u64 ts;
	__u32 fn;
	__u32 pad;
};
_Static_assert(sizeof(struct lat_go_call) == 16,
	       "lat_go_call is shared with BPF");

/* Go calls in flight at once, all goroutines.  A call a panic unwound
 * stays until its goroutine calls again at the same depth. */
#define LAT_GO_MAX_CALLS	65536

/* Offset of stack.hi in the runtime's g (stack is its first field). */
#define LAT_GO_G_STACK_HI	8

/*
 * Per function and CPU (summed by the loader).  The interval fields hold
 * the smallest and largest call since the loader last bumped "gen" (each
 * -i interval); their gen says which interval they belong to.
 */
struct lat_fn_stats {
	__u64 calls;		/* returns seen (--count-only: entries) */
	__u64 untimed;		/* of those, calls with no entry time kept */
	__u64 sum_ns;
	__u64 min_ns;		/* 0: none yet */
	__u64 max_ns;
	__u64 gen;		/* interval of imin_ns and imax_ns */
	__u64 imin_ns;
	__u64 imax_ns;
};
_Static_assert(sizeof(struct lat_fn_stats) == 64,
	       "lat_fn_stats layout is shared with the BPF side");

/*
 * --max-probes: functions probed at most (default, and the ceiling the
 * option accepts).  Each timed function takes HIST_BUCKETS * 8 bytes of
 * kernel memory for its histogram (7.6 KiB).
 */
#define LAT_DEFAULT_MAX_PROBES	100
#define LAT_MAX_PROBES_LIMIT	20000

#endif
