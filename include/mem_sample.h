/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Sampled allocation stacks (profiler mem --sample-bytes N): which
 * allocations get a stack, and what each stands for.  Pure integer logic,
 * included by bpf/mem.bpf.c (the decision and the per-site sums), by the
 * loader (the table, the leak groups) and by the unit tests.
 *
 * An allocation of s bytes is sampled with probability p(s) = 1 - exp(-s/N)
 * (heap profilers' Poisson sampling: one sample per N bytes on average),
 * each allocation on its own: one bpf_get_prandom_u32() against a threshold.
 * tcmalloc draws a "bytes until the next sample" counter from an exponential
 * instead, to keep a random number off a 20 ns fast path; here the probes
 * alone cost microseconds, and a counter would need per-thread storage and
 * exponential variates that integer code only approximates, which biases
 * the estimates unless the weights follow the approximation.
 *
 * So the probability is whatever integer threshold the decision used: p(s)
 * is read off a table of 1 - exp(-x) at x = i / MEM_SAMPLE_GRID (filled by
 * the loader, which has floating point), interpolated linearly between
 * points (within 0.2% of the curve), and the weight of a sampled allocation
 * is computed from that same threshold.  The estimates are then unbiased
 * for the probabilities really applied, whatever the table's rounding.
 *
 * Horvitz-Thompson: a sampled allocation stands for 1/p allocations and s/p
 * bytes.  The variance of a site's byte estimate is estimated, unbiased, by
 * the sum over its samples of s^2 (1 - p) / p^2 = (s/p) (s/p - s).
 *
 * Units (every figure of a site, exact mode included, where p = 1):
 * allocations in 2^-MEM_OBJ_SHIFT, bytes in 2^-MEM_BYTES_SHIFT, variance
 * terms divided by N (which keeps them within 64 bits) in 2^-MEM_BYTES_SHIFT.
 */
#ifndef PROFILER_MEM_SAMPLE_H
#define PROFILER_MEM_SAMPLE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Probabilities are fractions of 2^32: bpf_get_prandom_u32() < p. */
#define MEM_P_ONE		(1ULL << 32)
/* Table points per N bytes, and sizes from MEM_SAMPLE_SPAN * N up always
 * sampled (exp(-24) = 4e-11: the curve is 1 there within rounding). */
#define MEM_SAMPLE_GRID		256
#define MEM_SAMPLE_SPAN		24
#define MEM_SAMPLE_POINTS	(MEM_SAMPLE_GRID * MEM_SAMPLE_SPAN + 1)
/* --sample-bytes at most: keeps every product below within 64 bits. */
#define MEM_SAMPLE_MAX_RATE	(1ULL << 36)

#define MEM_OBJ_SHIFT		16
#define MEM_BYTES_SHIFT		8
#define MEM_OBJ_ONE		(1ULL << MEM_OBJ_SHIFT)

/* What one allocation stands for at a site. */
struct mem_weight {
	__u64 objs;	/* 1/p allocations, 2^-MEM_OBJ_SHIFT */
	__u64 bytes;	/* s/p bytes, 2^-MEM_BYTES_SHIFT */
	__u64 var;	/* (s/p)(s/p - s) / N bytes^2, 2^-MEM_BYTES_SHIFT */
};

/*
 * p(size), in 2^-32, at one sample per rate bytes (1 <= rate <=
 * MEM_SAMPLE_MAX_RATE), from tab[MEM_SAMPLE_POINTS] = 1 - exp(-i /
 * MEM_SAMPLE_GRID) in 2^-32.  Never 0: every allocation can be sampled, or
 * it would be missing from the estimates.  A size of 0 counts as 1 byte.
 */
static inline __u64 mem_sample_p(const __u64 *tab, __u64 size, __u64 rate)
{
	__u64 pos, i, rem, lo, hi, p;

	if (!size)
		size = 1;
	if (size >= rate * MEM_SAMPLE_SPAN)
		return MEM_P_ONE;
	pos = size * MEM_SAMPLE_GRID;
	i = pos / rate;
	rem = pos - i * rate;
	/* Implied by the test above; said again for the verifier. */
	if (i >= MEM_SAMPLE_POINTS - 1)
		return MEM_P_ONE;
	lo = tab[i];
	hi = tab[i + 1];
	if (hi < lo)
		hi = lo;
	/* (hi - lo) <= 2^32 / MEM_SAMPLE_GRID and rem < rate <= 2^36. */
	p = lo + ((hi - lo) * rem + rate / 2) / rate;
	if (p > MEM_P_ONE)
		p = MEM_P_ONE;
	return p ? p : 1;
}

/* The weight of an allocation of size bytes sampled with probability p. */
static inline void mem_sample_weight(__u64 p, __u64 size, __u64 rate,
				     struct mem_weight *w)
{
	__u64 a, d;

	if (p >= MEM_P_ONE || !rate) {
		w->objs = MEM_OBJ_ONE;
		w->bytes = size << MEM_BYTES_SHIFT;
		w->var = 0;
		return;
	}
	if (!p)
		p = 1;
	/* Rounded: off by at most 2^-17 of an allocation. */
	w->objs = ((MEM_P_ONE << MEM_OBJ_SHIFT) + p / 2) / p;
	/* s/p <= 25 N here (x / (1 - e^-x) at x < 24), so < 2^57 before
	 * the shift. */
	w->bytes = (size * w->objs) >> (MEM_OBJ_SHIFT - MEM_BYTES_SHIFT);
	/* (s/p)/N in 2^-16: < 2^21. */
	a = (w->bytes << (16 - MEM_BYTES_SHIFT)) / rate;
	/* s/p - s = s (1 - p) / p in 2^-8 bytes, from p itself rather than
	 * from the rounded 1/p: for large blocks 1/p - 1 is tiny and its
	 * rounding would be most of it.  Quotient and remainder apart keep
	 * the products within 64 bits (s < 2^42, p <= 2^32). */
	d = size << MEM_BYTES_SHIFT;
	d = d / p * (MEM_P_ONE - p) + d % p * (MEM_P_ONE - p) / p;
	/* a * d in 2^-24: d < 2^42 keeps it within 64 bits; past that a
	 * byte's resolution is plenty. */
	if (d < (1ULL << 42))
		w->var = (a * d) >> 16;
	else
		w->var = (a * (d >> MEM_BYTES_SHIFT)) >> (16 - MEM_BYTES_SHIFT);
}

#endif
