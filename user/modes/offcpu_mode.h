/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The offcpu and wall modes' options, defaults and help, with the modes. */
#ifndef PROFILER_OFFCPU_MODE_H
#define PROFILER_OFFCPU_MODE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "modes/unwinder.h"
#include "run/cli.h"

struct offcpu_opts {
	struct common_opts c;
	struct stack_opts s;
	bool wall;		/* the wall mode: on-CPU samples too */
	uint64_t freq;		/* wall: -F, on-CPU samples per second */
	uint64_t min_block_ns;	/* --min-block */
	uint64_t max_block_ns;	/* --max-block */
	uint32_t state_mask;	/* --state: 1 << enum offcpu_state */
	const char *states;	/* --state as given */
	bool wakers;		/* --wakers */
	bool user_only;		/* -U */
	bool kernel_only;	/* -K */
	uint64_t stack_map_size;
	uint64_t counts_map_size;
	uint64_t threads_map_size;
};

/* Parse argv (argv[0] is the mode's name: "offcpu" or "wall"). */
enum cli_result offcpu_parse_args(int argc, char **argv, struct offcpu_opts *o,
				  bool wall);
void offcpu_usage(FILE *out);
void wall_usage(FILE *out);

#endif
