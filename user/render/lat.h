/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The lat mode's report: one row per probed function with its calls and
 * latency figures, rendered as a terminal table (with log2 histograms on
 * request) and as JSON (schema in docs/lat.md).  The JSON writer is the
 * mode's own, self-contained: it streams the -i intervals as they come.
 */
#ifndef PROFILER_RENDER_LAT_H
#define PROFILER_RENDER_LAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct lat_row {
	const char *name;	/* as shown: demangled unless --no-demangle */
	const char *symbol;	/* the ELF symbol */
	const char *module;	/* file name, "libc.so.6" */
	const char *path;	/* the file as the target maps it */
	uint64_t address;	/* ELF virtual address */
	/* The entry probe: bytes past the function's start, the instruction
	 * there, whether the kernel emulates it, and why there. */
	uint64_t probe_delta;
	const char *probe_insn;
	bool probe_emulated;
	const char *placement;
	uint64_t calls;		/* calls that returned (--count-only: entered) */
	uint64_t untimed;	/* of them, not timed (nested too deep) */
	uint64_t total_ns;	/* sum over the timed calls */
	uint64_t min_ns, max_ns;
	uint64_t p50_ns, p90_ns, p95_ns, p99_ns;
	const uint64_t *counts;	/* HIST_BUCKETS (include/hist.h), or NULL */
};

/* Something not counted or not timed, with the option that helps. */
struct lat_loss {
	const char *what;
	const char *hint;	/* "" if none */
	uint64_t count;
};

struct lat_report {
	int64_t start_ns;	/* since tracing started (intervals) */
	int64_t duration_ns;
	bool count_only;
	struct lat_row *rows;	/* sorted: total time (count-only: calls), name */
	size_t nrows;
	const struct lat_loss *losses;
	size_t nlosses;
};

/*
 * The table: function, module, calls, avg, p50, p90, p95, p99, max, total
 * and share of wall time (count-only: calls and rate) for the top rows,
 * then what was lost; hist adds each shown function's log2 histogram.
 */
int render_lat_table(const struct lat_report *r, size_t top, bool hist,
		     FILE *out);

/* JSON, written as the run goes: begin, each interval, end. */
struct lat_json {
	FILE *f;
	size_t nintervals;
};

int lat_json__begin(struct lat_json *j, FILE *f, const char *target,
		    bool count_only, double interval_s);
int lat_json__interval(struct lat_json *j, const struct lat_report *r);
/* The whole run: its functions (with histograms) and losses. */
int lat_json__end(struct lat_json *j, const struct lat_report *run);

#endif
