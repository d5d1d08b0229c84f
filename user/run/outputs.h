/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The output files every mode offers (folded, SVG, pprof, speedscope,
 * JSON), in one place so that adding a format touches no mode.  A mode puts
 * OUTPUTS_LONG_OPTIONS into its getopt table, hands the codes it does not
 * know to outputs__parse(), prints outputs__usage() in its help, calls
 * outputs__open() before it starts profiling (a bad path fails at once)
 * and outputs__write() with the profile at the end.
 */
#ifndef PROFILER_OUTPUTS_H
#define PROFILER_OUTPUTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "lib/outfile.h"
#include "model/profile.h"

enum output_format {
	OUT_FOLDED,
	OUT_SVG,
	OUT_PPROF,
	OUT_SPEEDSCOPE,
	OUT_JSON,
	OUT__COUNT,
};

/* getopt codes, far above any mode's own. */
enum {
	OUTPUTS_OPT_FOLDED = 0x4000,
	OUTPUTS_OPT_SVG,
	OUTPUTS_OPT_PPROF,
	OUTPUTS_OPT_SPEEDSCOPE,
	OUTPUTS_OPT_JSON,
	OUTPUTS_OPT_OUTPUT,	/* --output FILE: format from the extension */
	OUTPUTS_OPT_LINES,
	OUTPUTS_OPT_ICICLE,
};

/* Entries for a mode's struct option table (no terminator). */
#define OUTPUTS_LONG_OPTIONS \
	{ "folded",	required_argument, NULL, OUTPUTS_OPT_FOLDED }, \
	{ "svg",	required_argument, NULL, OUTPUTS_OPT_SVG }, \
	{ "pprof",	required_argument, NULL, OUTPUTS_OPT_PPROF }, \
	{ "speedscope",	required_argument, NULL, OUTPUTS_OPT_SPEEDSCOPE }, \
	{ "json",	required_argument, NULL, OUTPUTS_OPT_JSON }, \
	{ "output",	required_argument, NULL, OUTPUTS_OPT_OUTPUT }, \
	{ "lines",	no_argument,	   NULL, OUTPUTS_OPT_LINES }, \
	{ "icicle",	no_argument,	   NULL, OUTPUTS_OPT_ICICLE }

struct outputs_opts {
	const char *path[OUT__COUNT];	/* NULL: not asked for */
	bool lines;	/* --lines: "func (file.c:12)" in folded frames */
	bool icicle;	/* --icicle: the SVG's root at the top */
};

/*
 * One option of a mode's getopt loop: 1 if it was one of ours (taken), 0 if
 * not, -1 if its value is wrong (a message without "profiler: " in err).
 */
int outputs__parse(struct outputs_opts *o, int code, const char *arg, char *err,
		   size_t err_len);
/* Is any output file asked for? */
bool outputs__any(const struct outputs_opts *o);
/* The options' lines for a --help text. */
void outputs__usage(FILE *out);
/* The format a file name's extension stands for; -1 if none. */
int outputs__format_of(const char *path);

struct outputs {
	struct outputs_opts o;
	struct outfile files[OUT__COUNT];
	bool written[OUT__COUNT];
	/* A mode's -i intervals for the JSON (render_json_with), or NULL. */
	FILE *json_intervals;
};

/*
 * Open every requested file (under a temporary name); 0, or -1 after one
 * p_err line naming the file, with nothing left behind.
 */
int outputs__open(struct outputs *out, const struct outputs_opts *o);
/*
 * Render p into each open file and move it into place.  A file that fails
 * is removed with a p_err line; the others are still written.  0 or -1.
 */
int outputs__write(struct outputs *out, const struct profile *p);
/* "wrote FILE" for each file written. */
void outputs__report(const struct outputs *out, FILE *f);
/* Remove whatever is still only a temporary file. */
void outputs__abort(struct outputs *out);

#endif
