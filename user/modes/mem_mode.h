/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The mem mode's options, defaults and help, with the mode. */
#ifndef PROFILER_MEM_MODE_H
#define PROFILER_MEM_MODE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "modes/unwinder.h"
#include "run/cli.h"

/* What --sample weights the mem mode's folded output and table by. */
enum mem_sample {
	MEM_SAMPLE_ALLOC_OBJECTS,
	MEM_SAMPLE_ALLOC_SPACE,
	MEM_SAMPLE_INUSE_OBJECTS,
	MEM_SAMPLE_INUSE_SPACE,
	MEM_SAMPLE__COUNT,
};

/* Their names, the profile's sample types. */
extern const char *const mem_sample_names[MEM_SAMPLE__COUNT];

struct mem_opts {
	struct common_opts c;
	struct stack_opts s;
	double interval;	/* -i seconds; 0: no timeline */
	const char *lib;	/* --lib PATH */
	const char *prefix;	/* --prefix P */
	uint64_t min_size;	/* --min-size BYTES */
	double min_age;		/* --min-age SECONDS (leak suspects) */
	enum mem_sample sample;	/* --sample */
	bool free_latency;	/* --free-latency */
	uint64_t sample_bytes;	/* --sample-bytes; 0: every stack (--exact) */
	uint64_t live_map_size;	/* --live-map-size */
	uint64_t sites_map_size;	/* --sites-map-size */
	uint64_t stack_map_size;	/* --stack-map-size */
};

enum cli_result mem_parse_args(int argc, char **argv, struct mem_opts *o);
void mem_usage(FILE *out);

#endif
