/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The top mode's options, defaults and help, with the mode. */
#ifndef PROFILER_TOP_MODE_H
#define PROFILER_TOP_MODE_H

#include <stdint.h>
#include <stdio.h>

#include "modes/unwinder.h"
#include "run/cli.h"

/* Seconds of samples each screen shows, by default and at most. */
#define TOP_DEFAULT_WINDOW	5
#define TOP_MAX_WINDOW		600

struct top_opts {
	struct common_opts c;	/* c.top: rows at most (0: the terminal's) */
	struct stack_opts s;
	uint64_t freq;		/* -F */
	uint64_t window;	/* --window SECONDS */
	uint64_t stack_map_size;
	uint64_t counts_map_size;
};

enum cli_result top_parse_args(int argc, char **argv, struct top_opts *o);
void top_usage(FILE *out);

#endif
