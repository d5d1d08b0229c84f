/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Terminal report sections beyond the function table, for modes that
 * measure more than samples: the run's figures (metrics), distributions
 * (histograms with percentiles and log2 bars) and top stacks ("sites").
 */
#ifndef PROFILER_RENDER_SECTIONS_H
#define PROFILER_RENDER_SECTIONS_H

#include <stdint.h>
#include <stdio.h>

#include "model/profile.h"

/* "1.5 KiB", "12 B"; "850 ns", "1.20 us", "3.4 ms", "2.01 s". */
void fmt_bytes(double v, char *buf, size_t len);
void fmt_ns(double v, char *buf, size_t len);
/* A value in a unit ("bytes", "nanoseconds", "count", "per_second");
 * a negative one with a '-'. */
void fmt_value(double v, const char *unit, char *buf, size_t len);

/* Every metric of group (PROF_GROUP_*), "  name  value" per line. */
int render_metrics(const struct profile *p, const char *group, FILE *out);

/*
 * One row per histogram of group (PROF_GROUP_*): count, p50, p90,
 * p95, p99, max, in the histogram's unit.  Rows without samples are left out.
 */
int render_hist_table(const struct profile *p, const char *group,
		      const char *first_column, FILE *out);

/* The histogram as log2 bars, as the BCC tools print them. */
int render_hist_bars(const struct profile *p, const struct prof_hist *h,
		     FILE *out);

/*
 * The top_n samples by value type sort_type, each with its values of the
 * listed types and its stack, innermost frame first ("a <- b <- main").
 */
int render_sites(const struct profile *p, uint32_t sort_type,
		 const uint32_t *types, int ntypes, int top_n, int max_frames,
		 FILE *out);
/*
 * The same with a "+/-" column after types[err_col]: the sample's number
 * label err_key (a standard error) relative to that value, "-" for a
 * sample without it.
 */
int render_sites_err(const struct profile *p, uint32_t sort_type,
		     const uint32_t *types, int ntypes, const char *err_key,
		     int err_col, int top_n, int max_frames, FILE *out);

/*
 * Samples grouped by the values of their labels keys[0..nkeys) (a sample
 * lacking one is left out), largest first by value type: "VALUE  SHARE
 * v1<sep>v2..." rows, the share of all samples' value; the top_n rows.
 */
int render_label_groups(const struct profile *p, uint32_t type,
			const char *const *keys, int nkeys, const char *sep,
			int top_n, FILE *out);

#endif
