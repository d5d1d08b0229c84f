// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The shared log-linear histogram scheme (include/hist.h) and percentiles
 * read from it (user/model/histogram.c): every value lands in a bucket that holds
 * it, buckets are at most 1/16 of their value wide, and percentiles of
 * known distributions come out within the stated 3.125% of the truth.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hist.h"
#include "model/histogram.h"

static void test_buckets_hold_their_values(void **state)
{
	uint64_t v;
	uint32_t last = 0;

	(void)state;
	for (v = 0; v < 100000; v++) {
		uint32_t b = hist_bucket(v);

		assert_true(hist_bucket_low(b) <= v && v <= hist_bucket_high(b));
		assert_true(b >= last);	/* monotonic */
		last = b;
	}
	/* Powers of two and their neighbours across the whole range. */
	for (v = 16; v && v < (1ULL << 63); v <<= 1) {
		uint64_t probes[3] = { v - 1, v, v + 1 };
		int i;

		for (i = 0; i < 3; i++) {
			uint32_t b = hist_bucket(probes[i]);

			assert_true(b < HIST_BUCKETS);
			assert_true(hist_bucket_low(b) <= probes[i]);
			assert_true(probes[i] <= hist_bucket_high(b));
		}
	}
	assert_int_equal(hist_bucket(~0ULL), HIST_BUCKETS - 1);
	assert_int_equal(hist_bucket_high(HIST_BUCKETS - 1), ~0ULL);
}

static void test_bucket_width_bound(void **state)
{
	uint32_t b;

	(void)state;
	for (b = 0; b < HIST_BUCKETS - 1; b++) {
		uint64_t lo = hist_bucket_low(b), hi = hist_bucket_high(b);

		if (lo < HIST_SUB)
			assert_int_equal(lo, hi);	/* exact below 16 */
		else
			assert_true((double)(hi - lo + 1) <= (double)lo / HIST_SUB);
	}
}

/* Nearest-rank quantile of sorted values. */
static uint64_t true_quantile(const uint64_t *sorted, size_t n, double q)
{
	size_t rank = (size_t)ceil(q * n);

	if (rank < 1)
		rank = 1;
	return sorted[rank - 1];
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void check_distribution(uint64_t *vals, size_t n)
{
	static const double qs[] = { 0.5, 0.9, 0.95, 0.99, 0.999 };
	uint64_t *counts = calloc(HIST_BUCKETS, sizeof(*counts)), max = 0;
	size_t i;

	assert_non_null(counts);
	for (i = 0; i < n; i++) {
		counts[hist_bucket(vals[i])]++;
		if (vals[i] > max)
			max = vals[i];
	}
	qsort(vals, n, sizeof(*vals), cmp_u64);
	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		double truth = true_quantile(vals, n, qs[i]);
		double got = hist_quantile(counts, qs[i], max);

		if (fabs(got - truth) > truth / (2.0 * HIST_SUB) + 0.5)
			fail_msg("q%.3f: %.0f, truth %.0f (error %.2f%% > 3.125%%)",
				 qs[i], got, truth, 100 * fabs(got - truth) / truth);
	}
	/* The max caps every answer. */
	assert_true(hist_quantile(counts, 1.0, max) <= max);
	free(counts);
}

static void test_quantiles_uniform(void **state)
{
	size_t n = 100000, i;
	uint64_t *v = malloc(n * sizeof(*v));

	(void)state;
	assert_non_null(v);
	for (i = 0; i < n; i++)
		v[i] = 1 + i;
	check_distribution(v, n);
	free(v);
}

/* Latencies: mostly fast, a long tail, as real calls look. */
static void test_quantiles_long_tail(void **state)
{
	size_t n = 200000, i;
	uint64_t *v = malloc(n * sizeof(*v)), x = 12345;

	(void)state;
	assert_non_null(v);
	for (i = 0; i < n; i++) {
		double u;

		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		u = ((x >> 11) + 1) / 9007199254740993.0;
		v[i] = 500 + (uint64_t)(-log(u) * 2000) +
		       (i % 100 == 0 ? 1000000 : 0);
	}
	check_distribution(v, n);
	free(v);
}

static void test_quantiles_small_values_exact(void **state)
{
	uint64_t counts[HIST_BUCKETS] = {};

	(void)state;
	counts[hist_bucket(3)] = 50;
	counts[hist_bucket(7)] = 50;
	assert_int_equal(hist_quantile(counts, 0.5, 0), 3);
	assert_int_equal(hist_quantile(counts, 0.51, 0), 7);
	assert_int_equal(hist_quantile(counts, 1.0, 0), 7);
	memset(counts, 0, sizeof(counts));
	assert_int_equal(hist_quantile(counts, 0.5, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buckets_hold_their_values),
		cmocka_unit_test(test_bucket_width_bound),
		cmocka_unit_test(test_quantiles_uniform),
		cmocka_unit_test(test_quantiles_long_tail),
		cmocka_unit_test(test_quantiles_small_values_exact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
