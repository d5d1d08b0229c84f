/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The cpu mode's options, defaults and help, with the mode. */
#ifndef PROFILER_CPU_MODE_H
#define PROFILER_CPU_MODE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "modes/unwinder.h"
#include "run/cli.h"

struct cpu_opts {
	struct common_opts c;
	struct stack_opts s;
	uint64_t freq;		/* -F, samples per second per CPU */
	bool user_only;		/* -U */
	bool kernel_only;	/* -K */
	uint64_t stack_map_size;	/* --stack-map-size */
	uint64_t counts_map_size;	/* --counts-map-size */
	const char *event;	/* --event cpu-clock|cycles */
	bool per_cpu;		/* --per-cpu: per-CPU events with targets too */
};

/* Parse argv (argv[0] is the mode's name).  Errors go to stderr. */
enum cli_result cpu_parse_args(int argc, char **argv, struct cpu_opts *o);
void cpu_free_opts(struct cpu_opts *o);
/* The help of the cpu mode, which is also profiler's own. */
void cpu_usage(FILE *out);

#endif
