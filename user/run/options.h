/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What every mode's command line gives the run: targets, duration, output
 * files, symbol options, verbosity.  The session reads these; run/cli.h
 * parses them.
 */
#ifndef PROFILER_OPTIONS_H
#define PROFILER_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "run/outputs.h"

/* Exit statuses: 0 success (or a COMMAND's status). */
#define EXIT_RUNTIME	1
#define EXIT_USAGE	2

/* Options every mode shares (target, duration, output, symbols). */
struct common_opts {
	pid_t *pids;		/* -p; NULL: system wide or COMMAND */
	int npids;
	char **command;		/* after "--"; NULL if none */
	double duration;	/* -d seconds; 0: until Ctrl-C or targets exit */
	struct outputs_opts out;	/* --folded, --svg, --pprof, ... */
	uint64_t top;		/* --top N */
	bool no_inline;		/* --no-inline */
	bool no_demangle;	/* --no-demangle */
	char *debug_dirs;	/* --debug-dir, ':'-joined (malloc'd) */
	int verbosity;		/* -q: -1, -v: 1 */
};

#endif
