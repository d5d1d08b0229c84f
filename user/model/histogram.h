/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Reading the shared log-linear histograms (include/hist.h): percentiles
 * and display.  A percentile is reported as the midpoint of the bucket that
 * holds it, within 1/(2*HIST_SUB) = 3.125% of the true value (exact below
 * HIST_SUB), and never above the exact maximum when that is known.
 */
#ifndef PROFILER_HISTOGRAM_H
#define PROFILER_HISTOGRAM_H

#include <stdint.h>

/* The value at quantile q (0..1) of counts[HIST_BUCKETS]; 0 if empty.
 * max, if non-zero, caps the answer (the kernel tracks the exact max). */
uint64_t hist_quantile(const uint64_t *counts, double q, uint64_t max);

struct prof_hist;
/* The same for a profile's histogram, also never below its exact min. */
uint64_t prof_hist__quantile(const struct prof_hist *h, double q);

#endif
