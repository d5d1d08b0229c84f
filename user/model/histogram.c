// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "hist.h"
#include "model/histogram.h"
#include "model/profile.h"

static uint64_t midpoint(uint32_t b)
{
	uint64_t lo = hist_bucket_low(b), hi = hist_bucket_high(b);

	return lo + (hi - lo) / 2;
}

uint64_t hist_quantile(const uint64_t *counts, double q, uint64_t max)
{
	uint64_t total = 0, seen = 0, rank, v;
	uint32_t b;

	for (b = 0; b < HIST_BUCKETS; b++)
		total += counts[b];
	if (!total)
		return 0;
	if (q < 0)
		q = 0;
	if (q > 1)
		q = 1;
	/* The nearest-rank definition: the smallest value with at least
	 * q of the samples at or below it. */
	rank = (uint64_t)(q * total + 0.999999999);
	if (rank < 1)
		rank = 1;
	for (b = 0; b < HIST_BUCKETS; b++) {
		seen += counts[b];
		if (seen >= rank)
			break;
	}
	if (b == HIST_BUCKETS)
		b = HIST_BUCKETS - 1;
	v = midpoint(b);
	if (max && v > max)
		v = max;
	return v;
}


uint64_t prof_hist__quantile(const struct prof_hist *h, double q)
{
	uint64_t v = hist_quantile(h->counts, q, h->max);

	return v < h->min ? h->min : v;
}
