/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one histogram bucket scheme, log-linear: each power of two is split
 * into HIST_SUB equal buckets, so a bucket is at most 1/HIST_SUB of its lower
 * bound wide.  Values below HIST_SUB get a bucket each.  Reporting a bucket's
 * midpoint is off from any value in it by at most 1/(2*HIST_SUB) = 3.125%
 * relative (exact below HIST_SUB).  BPF programs and the loader both include
 * this, so they can never disagree on a bucket.
 */
#ifndef PROFILER_HIST_H
#define PROFILER_HIST_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define HIST_SUB_BITS	4
#define HIST_SUB	(1 << HIST_SUB_BITS)
/* Buckets for any __u64: HIST_SUB exact ones, then HIST_SUB per power of
 * two from 2^HIST_SUB_BITS up to 2^63. */
#define HIST_BUCKETS	((64 - HIST_SUB_BITS + 1) * HIST_SUB)

/* Index of the highest set bit of v (v > 0), without loops or clz: the BPF
 * backend has no count-leading-zeros instruction. */
static inline __u32 hist_log2(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) { r += 1; }
	return r;
}

static inline __u32 hist_bucket(__u64 v)
{
	__u32 msb, sub;

	if (v < HIST_SUB)
		return (__u32)v;
	msb = hist_log2(v);
	sub = (__u32)(v >> (msb - HIST_SUB_BITS)) & (HIST_SUB - 1);
	return (msb - HIST_SUB_BITS + 1) * HIST_SUB + sub;
}

/* Smallest value that falls in bucket b. */
static inline __u64 hist_bucket_low(__u32 b)
{
	__u32 major = b / HIST_SUB, sub = b % HIST_SUB;

	if (major == 0)
		return sub;
	return (__u64)(HIST_SUB + sub) << (major - 1);
}

/* Largest value that falls in bucket b. */
static inline __u64 hist_bucket_high(__u32 b)
{
	if (b + 1 >= HIST_BUCKETS)
		return ~0ULL;
	return hist_bucket_low(b + 1) - 1;
}

#endif
