/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The flat profile of calls that render/latency.c draws, built from each
 * function's figures over some span: the run, an -i interval (lat), the
 * last --window seconds (top lat).  One sample per function called,
 * valued by its calls and the time of its timed calls; one latency
 * histogram per function, tied to its location.
 */
#ifndef PROFILER_LAT_PROFILE_H
#define PROFILER_LAT_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/frame.h"

struct profile;

/* One function's figures over the span. */
struct lat_span {
	const struct frame *frame;	/* where it is: name, module (path, address) */
	const char *comm;		/* the process it was timed in */
	uint64_t calls;			/* returned (or ended) */
	uint64_t time_ns;		/* the time of the timed ones */
	const uint64_t *counts;		/* their histogram, HIST_BUCKETS; NULL:
					 * calls counted only */
	uint64_t min_ns, max_ns;	/* exact, of the span; 0: unknown */
};

/*
 * An empty flat profile: the value types ("calls", and "time" unless
 * count_only), its duration, title and mode ("lat"), and the number of
 * functions probed (which the table says were not called).  NULL on ENOMEM.
 */
struct profile *lat_profile_new(const char *title, bool count_only,
				int64_t duration_ns, size_t probed);
/*
 * f as the profile's next sample and histogram: 1 if added (labels may
 * then go on it, profile__add_label), 0 if it was not called in the span,
 * -ENOMEM.
 */
int lat_profile_add(struct profile *p, const struct lat_span *f);

#endif
