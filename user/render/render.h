/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Renderers: each turns a struct profile into one output format and knows
 * nothing about BPF or modes.  All return 0 or a negative errno.
 */
#ifndef PROFILER_RENDER_H
#define PROFILER_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/profile.h"

/* render_folded() flags */
#define FOLDED_LINES	0x1	/* "func (file.c:12)" where the line is known */

/*
 * Collapsed stacks (flamegraph.pl, inferno, speedscope): one line per
 * distinct stack, "comm;root;...;leaf COUNT", sorted; kernel frames are
 * suffixed "_[k]" and inlined ones "_[i]", as flamegraph.pl colours them,
 * Python functions "_[py]" (io/folded_fields.h).
 * value_type selects which sample value is the count, divided by the
 * profile's folded_scale when it has one (lines that round to 0 left out).
 */
int render_folded(const struct profile *p, uint32_t value_type,
		  unsigned int flags, FILE *out);

/*
 * The terminal summary: header, losses, and the top n functions by self and
 * by total (inclusive) value with their share of all samples.
 */
int render_table(const struct profile *p, uint32_t value_type, int top_n,
		 FILE *out);

/*
 * A screenful for `profiler top`: rows functions by self value (then
 * total), "SELF%  TOTAL%  FUNCTION  [MODULE]" (values: each share after
 * its value in the type's unit, "SELF  SELF%  TOTAL  TOTAL%"), each line
 * cut to width columns; at most rows lines, none if rows < 1.
 */
int render_top(const struct profile *p, uint32_t value_type, int rows,
	       int width, bool values, FILE *out);

/*
 * The latency table of a flat profile of calls (lat): one row per
 * function with calls, avg, p50..p99, max, total and share of wall time
 * (without a "time" value type: calls and rate), the top rows only, then
 * how many probed functions were not called ("functions_probed" metric)
 * and the losses; hist adds each shown function's log2 histogram.
 */
int render_latency_table(const struct profile *p, size_t top, bool hist,
			 FILE *out);

/*
 * pprof's profile.proto, gzip-compressed: what `go tool pprof` and other
 * pprof readers open.  Every value type, mappings with build-ids, inlined
 * frames as Lines of one Location, comm and pid as sample labels; the
 * encoding, and what `profiler report` reads back, is in docs/formats.md.
 */
int render_pprof(const struct profile *p, FILE *out);

/* render_svg() options */
struct svg_opts {
	uint32_t value_type;	/* the value frames are sized by */
	bool icicle;		/* root at the top, stacks growing down */
	/*
	 * A differential flame graph: p's shape, each frame coloured red when
	 * its share of p's total grew against base (blue when it shrank).
	 */
	const struct profile *base;
	uint32_t base_type;
	const char *title;	/* replaces the profile's title if set */
	const char *subtitle;	/* replaces the generated one if set */
};

/*
 * A self-contained interactive flame graph (its script and style inside the
 * SVG, nothing fetched): hover for a frame's value and share, click to zoom,
 * search, frames coloured by kind (kernel, program, library, inlined,
 * Python, unknown).  Frames narrower than 0.1 px at full width are left out.
 */
int render_svg(const struct profile *p, const struct svg_opts *o, FILE *out);

/*
 * speedscope's file format: one "sampled" profile per value type over a
 * shared frame table, the process name as each stack's root frame.
 */
int render_speedscope(const struct profile *p, FILE *out);

/*
 * The whole profile as JSON for scripts (schema in docs/formats.md):
 * metadata, losses, totals, every function's self and total per value
 * type, and every stack root first with its values.
 */
int render_json(const struct profile *p, FILE *out);
/*
 * The same with an "intervals" array: interval_objects holds what
 * render_json_interval() wrote for each -i interval, in order (a mode
 * spills them to a file as the run goes, so memory stays bounded).
 */
int render_json_with(const struct profile *p, FILE *interval_objects, FILE *out);
/*
 * One interval's profile as one object of that array: its start (since
 * the run began) and duration, totals, functions and histograms without
 * buckets.  first: no comma before it.
 */
int render_json_interval(const struct profile *p, int64_t start_ns, bool first,
			 FILE *out);

#endif
