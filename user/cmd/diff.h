/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Two profiles compared function by function.  Each value is taken as a
 * share of its own profile's total, so a longer or busier run does not look
 * like a regression: what counts is how the time is split.
 */
#ifndef PROFILER_DIFF_H
#define PROFILER_DIFF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "model/profile.h"

struct diff_row {
	const char *name;
	const char *module;	/* "" when the profiles are not compared by
				 * module ("[python]" for Python functions) */
	/* Percent of each profile's total. */
	double base_self, new_self;
	double base_total, new_total;
};

struct diff {
	struct diff_row *rows;
	size_t n;
	int64_t base_all, new_all;	/* the totals shares are of */
	char **strings;			/* names and modules the rows point to */
	size_t nstrings, strings_cap;
};

/*
 * Compare base (value type base_type) with new (new_type).  by_module keeps
 * functions of the same name in different modules apart (both profiles
 * must know modules: pprof does, folded stacks do not).  0 or -ENOMEM.
 */
int diff__compute(const struct profile *base, uint32_t base_type,
		  const struct profile *new, uint32_t new_type, bool by_module,
		  struct diff *d);
void diff__free(struct diff *d);
/* Biggest change first (either way): of self share, or of total share. */
void diff__sort(struct diff *d, bool by_total);
/* The summary: the top n changes of self share, then of total share.
 * Sorts d. */
int diff__print(struct diff *d, const char *unit, int top_n, FILE *out);
/* The row whose self share grew most, if it grew by more than points;
 * else NULL. */
const struct diff_row *diff__grew_above(const struct diff *d, double points);

#endif
