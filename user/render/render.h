/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Renderers: each turns a struct profile into one output format and knows
 * nothing about BPF or modes.  All return 0 or a negative errno.
 */
#ifndef PROFILER_RENDER_H
#define PROFILER_RENDER_H

#include <stdint.h>
#include <stdio.h>

#include "profile.h"

/* render_folded() flags */
#define FOLDED_LINES	0x1	/* "func (file.c:12)" where the line is known */

/*
 * Collapsed stacks (flamegraph.pl, inferno, speedscope): one line per
 * distinct stack, "comm;root;...;leaf COUNT", sorted; kernel frames are
 * suffixed "_[k]" and inlined ones "_[i]", as flamegraph.pl colours them.
 * value_type selects which sample value is the count.
 */
int render_folded(const struct profile *p, uint32_t value_type,
		  unsigned int flags, FILE *out);

/*
 * The terminal summary: header, losses, and the top n functions by self and
 * by total (inclusive) value with their share of all samples.
 */
int render_table(const struct profile *p, uint32_t value_type, int top_n,
		 FILE *out);

#endif
