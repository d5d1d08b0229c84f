/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The lat mode kept attached, for serve --lat and top lat: the functions the PATTERNs
 * name in the -p targets timed as `profiler lat -p` times them, their
 * cumulative figures read on demand (map reads and the mmapped histograms:
 * any thread).
 */
#ifndef PROFILER_LAT_ENGINE_H
#define PROFILER_LAT_ENGINE_H

#include <stdint.h>

#include "run/options.h"
#include "run/session.h"

struct latrun;

/* One function's figures since the start. */
struct lat_figures {
	const char *name;	/* as shown: demangled */
	const char *module;
	uint64_t calls;		/* returned (or ended) */
	uint64_t untimed;	/* of them, not timed */
	uint64_t sum_ns;	/* of the timed ones */
	const uint64_t *counts;	/* HIST_BUCKETS (include/hist.h) */
	/* The shortest and longest timed call since lat_engine_interval()
	 * (before it: since the start), exact; 0: none. */
	uint64_t imin_ns, imax_ns;
};

/* Resolve, place and attach for the session's -p targets.  NULL after one
 * p_err line. */
struct latrun *lat_engine_open(struct session *sess, const struct common_opts *c,
			       const char *const *patterns, int npatterns,
			       uint64_t max_probes);
/* fn for every probed function; 0 or -ENOMEM. */
int lat_engine_read(struct latrun *r,
		    void (*fn)(void *ctx, const struct lat_figures *f), void *ctx);
/* Calls from now on belong to the next interval's imin_ns and imax_ns
 * (the reader's, as lat's -i). */
void lat_engine_interval(struct latrun *r);
void lat_engine_free(struct latrun *r);

#endif
