/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The command-line engine every mode and command parses with: the shared
 * options (targets, duration, output files, symbols, verbosity, --top,
 * --help, --version) once, each mode's own through its struct cli_mode.
 * Parsing has no side effects beyond the option structs; errors are one
 * line on stderr.
 */
#ifndef PROFILER_CLI_H
#define PROFILER_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "run/options.h"

enum cli_result {
	CLI_OK,		/* run with the options */
	CLI_EXIT_OK,	/* --help / --version printed: exit 0 */
	CLI_USAGE,	/* error printed: exit 2 */
};

/* Which shared options a mode takes besides -q, -v, -h, --version, --top. */
enum cli_groups {
	CLI_TARGETS = 1,	/* -p, -d, -- COMMAND */
	CLI_SYMBOLS = 2,	/* --no-inline, --no-demangle, --debug-dir */
	CLI_OUTPUTS = 4,	/* --folded, --svg, ... (run/outputs.h) */
	CLI_ALL = CLI_TARGETS | CLI_SYMBOLS | CLI_OUTPUTS,
};

/* A mode's long-only options take codes from here up. */
#define CLI_OPT_MODE	512

struct cli_mode {
	const char *prog;	/* error prefix: "profiler", "profiler report" */
	const char *help;	/* the help to point at ("profiler lat --help");
				 * NULL: PROG --help */
	unsigned int groups;	/* enum cli_groups */
	const char *shortopts;	/* the mode's, getopt style: "F:UK" */
	const struct option *longopts;
	size_t nlong;
	/* CLI_OK if handled, CLI_USAGE (printed) if bad, CLI_EXIT_OK if the
	 * option isn't the mode's. */
	enum cli_result (*parse)(int c, const char *arg, void *mode);
	void (*usage)(FILE *out);
	/* Operands (lat's PATTERNs, report's FILE) may sit among the options:
	 * parse() gets each as option 1. */
	bool operands;
	uint64_t top;		/* --top default (0: 10) */
};

/* Parse argv (argv[0] is the mode's name) into o and, through m, mode. */
enum cli_result cli_parse(int argc, char **argv, struct common_opts *o,
			  const struct cli_mode *m, void *mode);

/* What a command does after cli_parse: -1 to run; else the exit status,
 * 0 after --help or --version, EXIT_USAGE after an error. */
static inline int cli_exit_status(enum cli_result r)
{
	return r == CLI_OK ? -1 : r == CLI_EXIT_OK ? 0 : EXIT_USAGE;
}

/* "PROG: <message>" and the --help hint on stderr: CLI_USAGE. */
enum cli_result cli_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* A size option: 1..max, else an error naming opt. */
enum cli_result cli_parse_size(const char *arg, const char *opt, uint64_t max,
			       uint64_t *out);

/* -F HZ of the sampling modes: 1..100000, else an error. */
enum cli_result cli_parse_freq(const char *arg, uint64_t *out);

/* Frees what parsing allocated in the shared options. */
void cli_free_common(struct common_opts *o);

#endif
