/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Command-line options of the cpu mode, parsed without side effects. */
#ifndef PROFILER_CLI_H
#define PROFILER_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* Exit statuses (ARCHITECTURE.md). */
#define EXIT_RUNTIME	1
#define EXIT_USAGE	2

struct cpu_opts {
	pid_t *pids;		/* -p; NULL: system wide or COMMAND */
	int npids;
	char **command;		/* after "--"; NULL if none */
	uint64_t freq;		/* -F, samples per second per CPU */
	double duration;	/* -d seconds; 0: until Ctrl-C or targets exit */
	const char *folded;	/* --folded FILE */
	uint64_t top;		/* --top N */
	bool user_only;		/* -U */
	bool kernel_only;	/* -K */
	uint64_t stack_map_size;	/* --stack-map-size */
	uint64_t counts_map_size;	/* --counts-map-size */
	const char *event;	/* --event cpu-clock|cycles */
	bool lines;		/* --lines: file:line in folded frames */
	bool no_inline;		/* --no-inline */
	bool no_demangle;	/* --no-demangle */
	char *debug_dirs;	/* --debug-dir, ':'-joined (malloc'd) */
	int verbosity;		/* -q: -1, -v: 1 */
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

#endif
