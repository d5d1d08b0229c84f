/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The lat mode's options, defaults and help, with the mode. */
#ifndef PROFILER_LAT_MODE_H
#define PROFILER_LAT_MODE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "run/cli.h"

/* PATTERN operands of the lat mode, at most. */
#define LAT_MAX_PATTERNS	64

struct lat_opts {
	struct common_opts c;
	double interval;	/* -i seconds; 0: one table at the end */
	bool hist;		/* --hist: a log2 histogram per function */
	bool count_only;	/* --count-only: entry probes, counts only */
	uint64_t max_probes;	/* --max-probes N */
	const char *patterns[LAT_MAX_PATTERNS];	/* [MODULE:]GLOB, from argv */
	int npatterns;
};

enum cli_result lat_parse_args(int argc, char **argv, struct lat_opts *o);
void lat_usage(FILE *out);

#endif
