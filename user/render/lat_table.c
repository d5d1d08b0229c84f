// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <string.h>

#include "model/profile.h"
#include "render/lat.h"
#include "render/sections.h"

/* Widest FUNCTION and MODULE columns; longer names lose their middle. */
#define NAME_MAX_WIDTH		48
#define MODULE_MAX_WIDTH	24

/* s cut to w columns: its start and end around "...", so that both the
 * namespace and the method of a long C++ name stay visible. */
static const char *fit(const char *s, int w, char *buf, size_t len)
{
	int n = (int)strlen(s), head;

	if (n <= w || w < 8 || (size_t)w >= len)
		return s;
	head = (w - 3) / 2;
	snprintf(buf, len, "%.*s...%s", head, s, s + n - (w - 3 - head));
	return buf;
}

static int width(const struct lat_report *r, size_t shown, bool module,
		 int min, int max)
{
	size_t i;
	int w = min, n;

	for (i = 0; i < shown; i++) {
		n = (int)strlen(module ? r->rows[i].module : r->rows[i].name);
		if (n > w)
			w = n;
	}
	return w < max ? w : max;
}

static void ns_cell(uint64_t v, char *buf, size_t len)
{
	fmt_ns((double)v, buf, len);
}

static int print_hist(const struct lat_row *row, FILE *out)
{
	struct profile *p = profile__new();
	struct prof_hist h = {};
	int64_t unit;
	int err;

	if (!p)
		return -ENOMEM;
	unit = profile__str(p, "nanoseconds");
	if (unit < 0) {
		profile__free(p);
		return -ENOMEM;
	}
	h.unit = (uint32_t)unit;
	/* render_hist_bars only reads the counts. */
	h.counts = (uint64_t *)row->counts;
	h.total = row->calls - row->untimed;
	h.max = row->max_ns;
	fprintf(out, "\n%s (%s), %llu calls:\n", row->name, row->module,
		(unsigned long long)h.total);
	err = render_hist_bars(p, &h, out);
	profile__free(p);
	return err;
}

int render_lat_table(const struct lat_report *r, size_t top, bool hist,
		     FILE *out)
{
	char buf[NAME_MAX_WIDTH + 1], mbuf[MODULE_MAX_WIDTH + 1], c[8][32];
	size_t called = 0, shown, i;
	double secs = r->duration_ns / 1e9;
	bool over = false;
	int wn, wm, k, err = 0;

	/* Rows are sorted by time or calls: the called ones come first. */
	while (called < r->nrows && r->rows[called].calls)
		called++;
	shown = called < top ? called : top;
	if (!called) {
		fprintf(out, "  no calls\n");
		goto tail;
	}
	wn = width(r, shown, false, 8, NAME_MAX_WIDTH);
	wm = width(r, shown, true, 6, MODULE_MAX_WIDTH);
	if (r->count_only)
		fprintf(out, "  %-*s  %-*s %12s %12s\n", wn, "FUNCTION", wm,
			"MODULE", "CALLS", "RATE");
	else
		fprintf(out, "  %-*s  %-*s %10s %9s %9s %9s %9s %9s %9s %9s %6s\n",
			wn, "FUNCTION", wm, "MODULE", "CALLS", "AVG", "P50", "P90",
			"P95", "P99", "MAX", "TOTAL", "%WALL");
	for (i = 0; i < shown; i++) {
		const struct lat_row *w = &r->rows[i];
		uint64_t timed = w->calls - w->untimed;
		double pct = r->duration_ns > 0 ?
			     100.0 * w->total_ns / r->duration_ns : 0;

		fprintf(out, "  %-*s  %-*s", wn, fit(w->name, wn, buf, sizeof(buf)),
			wm, fit(w->module, wm, mbuf, sizeof(mbuf)));
		if (r->count_only) {
			fprintf(out, " %12llu %10.1f/s\n", (unsigned long long)w->calls,
				secs > 0 ? w->calls / secs : 0);
			continue;
		}
		ns_cell(timed ? w->total_ns / timed : 0, c[0], sizeof(c[0]));
		ns_cell(w->p50_ns, c[1], sizeof(c[1]));
		ns_cell(w->p90_ns, c[2], sizeof(c[2]));
		ns_cell(w->p95_ns, c[3], sizeof(c[3]));
		ns_cell(w->p99_ns, c[4], sizeof(c[4]));
		ns_cell(w->max_ns, c[5], sizeof(c[5]));
		ns_cell(w->total_ns, c[6], sizeof(c[6]));
		snprintf(c[7], sizeof(c[7]), "%.1f", pct);
		over |= pct > 100;
		if (!timed)
			for (k = 0; k < 7; k++)
				snprintf(c[k], sizeof(c[k]), "-");
		fprintf(out, " %10llu %9s %9s %9s %9s %9s %9s %9s %6s\n",
			(unsigned long long)w->calls, c[0], c[1], c[2], c[3], c[4],
			c[5], c[6], c[7]);
	}
	if (called > shown)
		fprintf(out, "  ... %zu more functions were called (--top N shows "
			"more, --json has all)\n", called - shown);
	if (over)
		fprintf(out, "  (%%WALL is total time over wall time: above 100 "
			"when calls overlap, in threads or nested)\n");
	for (i = 0; hist && !r->count_only && i < shown && !err; i++)
		if (r->rows[i].counts && r->rows[i].calls > r->rows[i].untimed)
			err = print_hist(&r->rows[i], out);
tail:
	if (r->nrows > called)
		fprintf(out, "  (%zu of %zu probed functions not called)\n",
			r->nrows - called, r->nrows);
	for (i = 0; i < r->nlosses; i++)
		fprintf(out, "  note: %llu %s%s%s%s\n",
			(unsigned long long)r->losses[i].count, r->losses[i].what,
			*r->losses[i].hint ? " (" : "", r->losses[i].hint,
			*r->losses[i].hint ? ")" : "");
	if (err)
		return err;
	return ferror(out) ? -EIO : 0;
}
