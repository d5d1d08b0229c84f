/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The top mode's options, defaults and help, with the mode. */
#ifndef PROFILER_TOP_MODE_H
#define PROFILER_TOP_MODE_H

#include <stdint.h>
#include <stdio.h>

#include "modes/lat_mode.h"
#include "modes/unwinder.h"
#include "run/cli.h"

/* Seconds of samples each screen shows, by default and at most. */
#define TOP_DEFAULT_WINDOW	5
#define TOP_MAX_WINDOW		600

/* What top shows: the VIEW word after the options. */
enum top_view_kind {
	TOP_CPU,	/* where CPU time goes (the default) */
	TOP_MEM,	/* allocation sites: rates and outstanding bytes */
	TOP_LAT,	/* the latency table of the PATTERNs' functions */
	TOP_OFFCPU,	/* where threads wait */
	TOP__VIEWS,
};

struct top_opts {
	struct common_opts c;	/* c.top: rows at most (0: the terminal's) */
	struct stack_opts s;
	enum top_view_kind view;
	uint64_t freq;		/* -F (cpu) */
	uint64_t window;	/* --window SECONDS */
	uint64_t stack_map_size;	/* cpu */
	uint64_t counts_map_size;	/* cpu */
	uint64_t max_probes;	/* --max-probes (lat) */
	const char *patterns[LAT_MAX_PATTERNS];	/* lat's PATTERNs, from argv */
	int npatterns;
};

/* The view's word ("cpu", "mem", "lat", "offcpu"). */
const char *top_view_name(enum top_view_kind v);

enum cli_result top_parse_args(int argc, char **argv, struct top_opts *o);
void top_usage(FILE *out);

#endif
