// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Sampled allocation stacks (include/mem_sample.h, user/modes/mem_estimate.c):
 * the probability follows 1 - exp(-s/N), the weights are 1/p and s/p of
 * the probability really applied, the integer math never overflows over
 * the whole range of --sample-bytes, and the estimator is unbiased with a
 * variance estimate that matches the spread of the estimates (simulated
 * with a fixed seed: the test is deterministic).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mem.h"
#include "modes/mem_estimate.h"

static __u64 tab[MEM_SAMPLE_POINTS];

static int setup(void **state)
{
	(void)state;
	mem_sample_table(tab);
	return 0;
}

/* Rates tried: the smallest, a few usual ones, the largest allowed. */
static const __u64 rates[] = { 1, 100, 4096, 65536, 512 * 1024, 2 << 20,
			       1ULL << 30, MEM_SAMPLE_MAX_RATE };
#define NRATES (sizeof(rates) / sizeof(rates[0]))

static void test_table(void **state)
{
	int i;

	(void)state;
	assert_int_equal(tab[0], 0);
	/* Rising, until the steps get below 2^-32 near 1. */
	for (i = 1; i < MEM_SAMPLE_POINTS; i++)
		assert_true(tab[i] > tab[i - 1] ||
			    (i > 16 * MEM_SAMPLE_GRID && tab[i] == tab[i - 1]));
	/* 1 - e^-24 rounds to certainty. */
	assert_true(tab[MEM_SAMPLE_POINTS - 1] == MEM_P_ONE);
}

/* Sizes around the interesting places of a rate: tiny, grid points and
 * between them, around N, up to and past the always-sampled span. */
static __u64 size_at(__u64 rate, int k)
{
	static const double x[] = { 0, 1e-9, 1e-6, 1e-3, 0.0039, 0.004, 0.01,
				    0.0625, 0.1, 0.5, 1, 1.5, 2, 5, 10, 20,
				    23.99, 24, 25, 100 };
	double s = x[k % (int)(sizeof(x) / sizeof(x[0]))] * (double)rate;

	return s < 1 ? (__u64)(k > 0) : (__u64)s;
}

static void test_p_follows_the_curve(void **state)
{
	size_t r;
	int k;

	(void)state;
	for (r = 0; r < NRATES; r++) {
		__u64 n = rates[r], last = 0;

		for (k = 0; k < 20; k++) {
			__u64 s = size_at(n, k), p = mem_sample_p(tab, s, n);
			double want = -expm1(-(double)(s ? s : 1) / (double)n);
			double got = (double)p / (double)MEM_P_ONE;

			assert_true(p >= 1 && p <= MEM_P_ONE);
			assert_true(p >= last);	/* larger: no less likely */
			last = p;
			if (s >= n * MEM_SAMPLE_SPAN) {
				assert_true(p == MEM_P_ONE);
				continue;
			}
			/* Within 0.2% of the curve, or within the 2^-32
			 * step where the curve is that small. */
			assert_true(fabs(got - want) <= 0.002 * want + 1.0 / MEM_P_ONE);
		}
	}
}

/* The weights against exact arithmetic in 128 bits and doubles. */
static void check_weight(__u64 n, __u64 s)
{
	__u64 p = mem_sample_p(tab, s, n);
	struct mem_weight w;
	double objs, bytes, var;

	mem_sample_weight(p, s, n, &w);
	objs = (double)MEM_P_ONE / (double)p;
	bytes = (double)s * objs;
	var = bytes * (bytes - (double)s) / (double)n;
	assert_true(fabs(ldexp((double)w.objs, -MEM_OBJ_SHIFT) - objs) <=
		    1e-5 * objs);
	/* objs is rounded to 2^-16: within 2^-17 of it relative. */
	assert_true(fabs(ldexp((double)w.bytes, -MEM_BYTES_SHIFT) - bytes) <=
		    1e-5 * bytes + 0.01);
	/* No product wrapped: 128-bit products stay below 2^64. */
	assert_true((unsigned __int128)s * w.objs < ((unsigned __int128)1 << 64));
	/* Truncations: of (s/p)/N to 2^-16, of s/p - s to 2^-8 (or a byte
	 * past 2^34 bytes). */
	assert_true(fabs(ldexp((double)w.var, -MEM_BYTES_SHIFT) - var) <=
		    1e-4 * var + 1.0 + bytes / (double)n);
	if (p == MEM_P_ONE) {
		assert_int_equal(w.objs, MEM_OBJ_ONE);
		assert_true(w.bytes == s << MEM_BYTES_SHIFT);
		assert_int_equal(w.var, 0);
	}
}

static void test_weights(void **state)
{
	size_t r;
	int k;

	(void)state;
	for (r = 0; r < NRATES; r++) {
		for (k = 0; k < 20; k++)
			check_weight(rates[r], size_at(rates[r], k));
		/* Just below the always-sampled span: the largest s/p. */
		check_weight(rates[r], rates[r] * MEM_SAMPLE_SPAN - 1);
	}
}

/* Without sampling a site counts exactly. */
static void test_exact(void **state)
{
	struct mem_weight w;

	(void)state;
	mem_sample_weight(MEM_P_ONE, 12345, 0, &w);
	assert_int_equal(w.objs, MEM_OBJ_ONE);
	assert_int_equal(w.bytes, 12345ULL << MEM_BYTES_SHIFT);
	assert_int_equal(w.var, 0);
}

static void test_site_estimate(void **state)
{
	struct mem_site s = {
		.allocs = 10 * MEM_OBJ_ONE + MEM_OBJ_ONE / 2,	/* 10.5 */
		.alloc_bytes = 1000 << MEM_BYTES_SHIFT,
		.frees = 4 * MEM_OBJ_ONE,
		.free_bytes = 400 << MEM_BYTES_SHIFT,
		.alloc_var = 400 << MEM_BYTES_SHIFT,
		.free_var = 300 << MEM_BYTES_SHIFT,
	};
	struct mem_estimate e;

	(void)state;
	mem_estimate_site(&s, 100, &e);
	assert_int_equal(e.allocs, 11);		/* rounded */
	assert_int_equal(e.alloc_bytes, 1000);
	assert_int_equal(e.inuse_objs, 7);
	assert_int_equal(e.inuse_bytes, 600);
	assert_true(fabs(e.alloc_bytes_se - 200) < 1e-9);	/* sqrt(400 * 100) */
	assert_true(fabs(e.inuse_bytes_se - 100) < 1e-9);
	/* Exact: no error; frees past the allocations clamp at 0. */
	s.frees = 20 * MEM_OBJ_ONE;
	mem_estimate_site(&s, 0, &e);
	assert_int_equal(e.inuse_objs, 0);
	assert_true(e.alloc_bytes_se == 0 && e.inuse_bytes_se == 0);
}

/* xorshift64*: a fixed sequence, so the simulation is the same each run. */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t next32(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dULL) >> 32);
}

/*
 * Many runs of a site allocating mixed sizes, sampled as the kernel does:
 * the mean estimate is the truth within 4 standard errors of the mean, and
 * the mean of the variance estimates is the variance of the estimates
 * within 10% (with 4000 runs the sample variance itself is known to about
 * 2.2%).  With a fixed seed nothing here is random from run to run.
 */
static void test_unbiased(void **state)
{
	static const __u64 sizes[] = { 16, 100, 4096, 65536, 300000 };
	const __u64 n = 65536;
	const int runs = 4000, per = 200;
	double truth = 0, sum = 0, sum2 = 0, vsum = 0, osum = 0, mean, var;
	int run, i, k;

	(void)state;
	for (k = 0; k < 5; k++)
		truth += (double)sizes[k] * per;
	for (run = 0; run < runs; run++) {
		__u64 bytes = 0, objs = 0, v = 0;

		for (k = 0; k < 5; k++) {
			for (i = 0; i < per; i++) {
				__u64 s = sizes[k], p = mem_sample_p(tab, s, n);
				struct mem_weight w;

				if (p < MEM_P_ONE && next32() >= p)
					continue;
				mem_sample_weight(p, s, n, &w);
				bytes += w.bytes;
				objs += w.objs;
				v += w.var;
			}
		}
		sum += ldexp((double)bytes, -MEM_BYTES_SHIFT);
		sum2 += pow(ldexp((double)bytes, -MEM_BYTES_SHIFT), 2);
		osum += ldexp((double)objs, -MEM_OBJ_SHIFT);
		vsum += pow(mem_estimate_se(v, n), 2);
	}
	mean = sum / runs;
	var = sum2 / runs - mean * mean;
	assert_true(fabs(mean - truth) < 4 * sqrt(var / runs));
	assert_true(fabs(vsum / runs - var) < 0.10 * var);
	/* Counts: 1000 allocations per run. */
	assert_true(fabs(osum / runs - 5 * per) < 0.05 * 5 * per);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_p_follows_the_curve),
		cmocka_unit_test(test_weights),
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_site_estimate),
		cmocka_unit_test(test_unbiased),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
