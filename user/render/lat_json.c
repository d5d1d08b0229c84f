// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The lat report as JSON (docs/lat.md has the schema).  Self-contained on
 * purpose: it streams -i intervals into the file while the run goes on.
 * One function object per line, so that grep and awk can read it too.
 */
#include <errno.h>
#include <string.h>

#include "hist.h"
#include "render/common.h"
#include "render/lat.h"

/* The one JSON string writer: whole UTF-8 sequences only. */
static void str(FILE *f, const char *s)
{
	json__string(f, s ? s : "");
}

static void key_str(FILE *f, const char *key, const char *v)
{
	fprintf(f, "\"%s\": ", key);
	str(f, v);
}

static void key_u64(FILE *f, const char *key, uint64_t v)
{
	fprintf(f, ", \"%s\": %llu", key, (unsigned long long)v);
}

static void histogram(FILE *f, const uint64_t *counts)
{
	bool first = true;
	uint32_t b;

	fputs(", \"histogram\": [", f);
	for (b = 0; b < HIST_BUCKETS; b++) {
		if (!counts[b])
			continue;
		fprintf(f, "%s{\"low_ns\": %llu, \"high_ns\": %llu, \"count\": %llu}",
			first ? "" : ", ", (unsigned long long)hist_bucket_low(b),
			(unsigned long long)hist_bucket_high(b),
			(unsigned long long)counts[b]);
		first = false;
	}
	fputc(']', f);
}

static void function(FILE *f, const struct lat_report *r, const struct lat_row *w,
		     bool with_hist)
{
	double secs = r->duration_ns / 1e9;
	uint64_t timed = w->calls - w->untimed;

	fputs("    {", f);
	key_str(f, "name", w->name);
	fputs(", ", f);
	key_str(f, "symbol", w->symbol);
	fputs(", ", f);
	key_str(f, "module", w->module);
	fputs(", ", f);
	key_str(f, "path", w->path);
	fprintf(f, ", \"address\": \"0x%llx\", \"probe\": {\"offset\": %llu, ",
		(unsigned long long)w->address, (unsigned long long)w->probe_delta);
	key_str(f, "instruction", w->probe_insn);
	fprintf(f, ", \"emulated\": %s, ", w->probe_emulated ? "true" : "false");
	key_str(f, "why", w->placement);
	fputc('}', f);
	key_u64(f, "calls", w->calls);
	fprintf(f, ", \"rate_per_s\": %.3f", secs > 0 ? w->calls / secs : 0.0);
	if (!r->count_only) {
		key_u64(f, "timed_calls", timed);
		key_u64(f, "total_ns", w->total_ns);
		key_u64(f, "avg_ns", timed ? w->total_ns / timed : 0);
		key_u64(f, "min_ns", w->min_ns);
		key_u64(f, "max_ns", w->max_ns);
		key_u64(f, "p50_ns", w->p50_ns);
		key_u64(f, "p90_ns", w->p90_ns);
		key_u64(f, "p95_ns", w->p95_ns);
		key_u64(f, "p99_ns", w->p99_ns);
		fprintf(f, ", \"wall_pct\": %.3f", r->duration_ns > 0 ?
			100.0 * w->total_ns / r->duration_ns : 0.0);
		if (with_hist && w->counts)
			histogram(f, w->counts);
	}
	fputc('}', f);
}

/* The functions of r; in intervals, only those called. */
static void functions(FILE *f, const struct lat_report *r, bool all)
{
	bool first = true;
	size_t i;

	fputs("\"functions\": [", f);
	for (i = 0; i < r->nrows; i++) {
		if (!all && !r->rows[i].calls)
			continue;
		fputs(first ? "\n" : ",\n", f);
		function(f, r, &r->rows[i], all);
		first = false;
	}
	fputs(first ? "]" : "\n  ]", f);
}

int lat_json__begin(struct lat_json *j, FILE *f, const char *target,
		    bool count_only, double interval_s)
{
	j->f = f;
	j->nintervals = 0;
	fputs("{\n  \"mode\": \"lat\",\n  ", f);
	key_str(f, "version", PROFILER_VERSION);
	fputs(",\n  ", f);
	key_str(f, "target", target);
	fprintf(f, ",\n  \"count_only\": %s,\n  \"interval_s\": %.3f,\n"
		"  \"intervals\": [", count_only ? "true" : "false", interval_s);
	return ferror(f) ? -EIO : 0;
}

int lat_json__interval(struct lat_json *j, const struct lat_report *r)
{
	FILE *f = j->f;

	fprintf(f, "%s\n  {\"start_ns\": %lld, \"duration_ns\": %lld, ",
		j->nintervals ? "," : "", (long long)r->start_ns,
		(long long)r->duration_ns);
	functions(f, r, false);
	fputc('}', f);
	j->nintervals++;
	return ferror(f) ? -EIO : 0;
}

int lat_json__end(struct lat_json *j, const struct lat_report *run)
{
	FILE *f = j->f;
	size_t i;

	fprintf(f, "%s],\n  \"duration_ns\": %lld,\n  ", j->nintervals ? "\n  " : "",
		(long long)run->duration_ns);
	functions(f, run, true);
	fputs(",\n  \"not_counted\": [", f);
	for (i = 0; i < run->nlosses; i++) {
		fputs(i ? ",\n    {" : "\n    {", f);
		key_str(f, "what", run->losses[i].what);
		key_u64(f, "count", run->losses[i].count);
		fputs(", ", f);
		key_str(f, "hint", run->losses[i].hint);
		fputc('}', f);
	}
	fputs(run->nlosses ? "\n  ]\n}\n" : "]\n}\n", f);
	return ferror(f) ? -EIO : 0;
}
