/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Command-line options of the cpu mode, parsed without side effects. */
#ifndef PROFILER_CLI_H
#define PROFILER_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "run/outputs.h"

/* Exit statuses (ARCHITECTURE.md). */
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

/* How user stacks are walked (modes that take stacks: cpu, mem). */
struct stack_opts {
	int unwind;		/* --unwind: enum unwind_mode */
	uint64_t unwind_max_mb;	/* --unwind-max-mb: ceiling on tables */
};

/* --unwind-max-mb default. */
#define UNWIND_DEFAULT_MAX_MB	256

struct cpu_opts {
	struct common_opts c;
	struct stack_opts s;
	uint64_t freq;		/* -F, samples per second per CPU */
	bool user_only;		/* -U */
	bool kernel_only;	/* -K */
	uint64_t stack_map_size;	/* --stack-map-size */
	uint64_t counts_map_size;	/* --counts-map-size */
	const char *event;	/* --event cpu-clock|cycles */
};

/* What --sample weights the mem mode's folded output and table by. */
enum mem_sample {
	MEM_SAMPLE_ALLOC_OBJECTS,
	MEM_SAMPLE_ALLOC_SPACE,
	MEM_SAMPLE_INUSE_OBJECTS,
	MEM_SAMPLE_INUSE_SPACE,
};

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
	uint64_t live_map_size;	/* --live-map-size */
	uint64_t sites_map_size;	/* --sites-map-size */
	uint64_t stack_map_size;	/* --stack-map-size */
};

/* PATTERN operands of the lat mode, at most. */
#define LAT_MAX_PATTERNS	64

struct lat_opts {
	struct common_opts c;
	double interval;	/* -i seconds; 0: one table at the end */
	bool hist;		/* --hist: a log2 histogram per function */
	bool count_only;	/* --count-only: entry probes, counts only */
	const char *json;	/* --json FILE */
	uint64_t max_probes;	/* --max-probes N */
	const char *patterns[LAT_MAX_PATTERNS];	/* [MODULE:]GLOB, from argv */
	int npatterns;
};

enum cli_result {
	CLI_OK,		/* run with the options */
	CLI_EXIT_OK,	/* --help / --version printed: exit 0 */
	CLI_USAGE,	/* error printed: exit 2 */
};

/* Parse argv (argv[0] is the mode's name).  Errors go to stderr. */
enum cli_result cli_parse_cpu(int argc, char **argv, struct cpu_opts *o);
void cli_free_cpu(struct cpu_opts *o);
void cli_usage(FILE *out);

enum cli_result cli_parse_mem(int argc, char **argv, struct mem_opts *o);
void cli_usage_mem(FILE *out);

enum cli_result cli_parse_lat(int argc, char **argv, struct lat_opts *o);
void cli_usage_lat(FILE *out);

/* Frees what parsing allocated in the shared options. */
void cli_free_common(struct common_opts *o);
extern const char *const mem_sample_names[];

#endif
