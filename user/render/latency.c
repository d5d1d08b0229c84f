// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The latency table: a flat profile of calls (one sample per function,
 * valued by "calls" and, when timed, "time"; each function's distribution a
 * PROF_GROUP_LATENCY histogram pointing at its location) as one row per
 * function with its percentiles.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/histogram.h"
#include "model/profile.h"
#include "render/render.h"
#include "render/sections.h"

/* Widest FUNCTION and MODULE columns; longer names lose their middle. */
#define NAME_MAX_WIDTH		48
#define MODULE_MAX_WIDTH	24

struct row {
	char name[512];
	const char *module;
	uint64_t calls, total_ns;
	const struct prof_hist *hist;	/* NULL: not timed */
};

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

static int width(const struct row *rows, size_t shown, bool module, int min,
		 int max)
{
	size_t i;
	int w = min, n;

	for (i = 0; i < shown; i++) {
		n = (int)strlen(module ? rows[i].module : rows[i].name);
		if (n > w)
			w = n;
	}
	return w < max ? w : max;
}

static int cmp_time(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->total_ns != y->total_ns)
		return x->total_ns > y->total_ns ? -1 : 1;
	if (x->calls != y->calls)
		return x->calls > y->calls ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int cmp_calls(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->calls != y->calls)
		return x->calls > y->calls ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The index of the value type named name, or -1. */
static int type_named(const struct profile *p, const char *name)
{
	uint32_t t;

	for (t = 0; t < p->ntypes; t++)
		if (!strcmp(profile__get_str(p, p->types[t].type), name))
			return (int)t;
	return -1;
}

static const struct prof_hist *hist_of(const struct profile *p, uint32_t loc)
{
	size_t i;

	for (i = 0; i < p->nhists; i++)
		if (p->hists[i].location == loc && p->hists[i].total &&
		    !strcmp(profile__get_str(p, p->hists[i].group), PROF_GROUP_LATENCY))
			return &p->hists[i];
	return NULL;
}

static uint64_t metric(const struct profile *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nmetrics; i++)
		if (!strcmp(profile__get_str(p, p->metrics[i].name), name))
			return (uint64_t)p->metrics[i].value;
	return 0;
}

static int print_hist(const struct profile *p, const struct row *w, FILE *out)
{
	fprintf(out, "\n%s (%s), %llu calls:\n", w->name, w->module,
		(unsigned long long)w->hist->total);
	return render_hist_bars(p, w->hist, out);
}

static void print_row(const struct row *w, bool count_only, double secs,
		      int wn, int wm, FILE *out)
{
	char buf[NAME_MAX_WIDTH + 1], mbuf[MODULE_MAX_WIDTH + 1], c[8][32];
	const struct prof_hist *h = w->hist;
	uint64_t timed = h ? h->total : 0;
	int k;

	fprintf(out, "  %-*s  %-*s", wn, fit(w->name, wn, buf, sizeof(buf)),
		wm, fit(w->module, wm, mbuf, sizeof(mbuf)));
	if (count_only) {
		fprintf(out, " %12llu %10.1f/s\n", (unsigned long long)w->calls,
			secs > 0 ? w->calls / secs : 0);
		return;
	}
	for (k = 0; k < 8; k++)
		snprintf(c[k], sizeof(c[k]), "-");
	if (timed) {
		fmt_ns((double)(w->total_ns / timed), c[0], sizeof(c[0]));
		fmt_ns((double)prof_hist__quantile(h, 0.50), c[1], sizeof(c[1]));
		fmt_ns((double)prof_hist__quantile(h, 0.90), c[2], sizeof(c[2]));
		fmt_ns((double)prof_hist__quantile(h, 0.95), c[3], sizeof(c[3]));
		fmt_ns((double)prof_hist__quantile(h, 0.99), c[4], sizeof(c[4]));
		fmt_ns((double)h->max, c[5], sizeof(c[5]));
		fmt_ns((double)w->total_ns, c[6], sizeof(c[6]));
		snprintf(c[7], sizeof(c[7]), "%.1f",
			 secs > 0 ? 100.0 * w->total_ns / (secs * 1e9) : 0);
	}
	fprintf(out, " %10llu %9s %9s %9s %9s %9s %9s %9s %6s\n",
		(unsigned long long)w->calls, c[0], c[1], c[2], c[3], c[4],
		c[5], c[6], c[7]);
}

int render_latency_table(const struct profile *p, size_t top, bool hist,
			 FILE *out)
{
	int tc = type_named(p, "calls"), tt = type_named(p, "time");
	bool count_only = tt < 0, over = false;
	double secs = p->duration_ns / 1e9;
	uint64_t probed = metric(p, "functions_probed");
	struct row *rows;
	size_t n = 0, shown, i;
	int wn, wm, err = 0;

	if (tc < 0)
		return -EINVAL;
	rows = calloc(p->nsamples ? p->nsamples : 1, sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *s = &p->samples[i];
		struct row *w = &rows[n];

		if (!s->nlocs || s->values[tc] <= 0)
			continue;
		profile__location_name(p, s->locs[0], w->name, sizeof(w->name));
		w->module = profile__location_module(p, s->locs[0]);
		w->calls = (uint64_t)s->values[tc];
		w->total_ns = tt < 0 ? 0 : (uint64_t)s->values[tt];
		w->hist = count_only ? NULL : hist_of(p, s->locs[0]);
		over |= !count_only && w->total_ns > (uint64_t)p->duration_ns;
		n++;
	}
	qsort(rows, n, sizeof(*rows), count_only ? cmp_calls : cmp_time);
	shown = n < top ? n : top;
	if (!n) {
		fprintf(out, "  no calls\n");
		goto tail;
	}
	wn = width(rows, shown, false, 8, NAME_MAX_WIDTH);
	wm = width(rows, shown, true, 6, MODULE_MAX_WIDTH);
	if (count_only)
		fprintf(out, "  %-*s  %-*s %12s %12s\n", wn, "FUNCTION", wm,
			"MODULE", "CALLS", "RATE");
	else
		fprintf(out, "  %-*s  %-*s %10s %9s %9s %9s %9s %9s %9s %9s %6s\n",
			wn, "FUNCTION", wm, "MODULE", "CALLS", "AVG", "P50", "P90",
			"P95", "P99", "MAX", "TOTAL", "%WALL");
	for (i = 0; i < shown; i++)
		print_row(&rows[i], count_only, secs, wn, wm, out);
	if (n > shown)
		fprintf(out, "  ... %zu more functions were called (--top N shows "
			"more, --json has all)\n", n - shown);
	if (over)
		fprintf(out, "  (%%WALL is total time over wall time: above 100 "
			"when calls overlap, in threads or nested)\n");
	for (i = 0; hist && !count_only && i < shown && !err; i++)
		if (rows[i].hist)
			err = print_hist(p, &rows[i], out);
tail:
	if (probed > n)
		fprintf(out, "  (%llu of %llu probed functions not called)\n",
			(unsigned long long)(probed - n), (unsigned long long)probed);
	for (i = 0; i < p->nlosses; i++) {
		const char *hint = profile__get_str(p, p->losses[i].hint);

		fprintf(out, "  note: %llu %s%s%s%s\n",
			(unsigned long long)p->losses[i].count,
			profile__get_str(p, p->losses[i].what), *hint ? " (" : "",
			hint, *hint ? ")" : "");
	}
	free(rows);
	if (err)
		return err;
	return ferror(out) ? -EIO : 0;
}
