// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "lib/array.h"
#include "lib/strtab.h"
#include "model/histogram.h"
#include "render/sections.h"

void fmt_bytes(double v, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f %s", v, units[u]);
	else
		snprintf(buf, len, "%.*f %s", v < 10 ? 2 : v < 100 ? 1 : 0, v, units[u]);
}

void fmt_ns(double v, char *buf, size_t len)
{
	if (v < 1000)
		snprintf(buf, len, "%.0f ns", v);
	else if (v < 1e6)
		snprintf(buf, len, "%.*f us", v < 1e4 ? 2 : 1, v / 1e3);
	else if (v < 1e9)
		snprintf(buf, len, "%.*f ms", v < 1e7 ? 2 : 1, v / 1e6);
	else
		snprintf(buf, len, "%.2f s", v / 1e9);
}

void fmt_value(double v, const char *unit, char *buf, size_t len)
{
	/* A difference can be negative: the magnitude, signed. */
	if (v < 0 && len > 1) {
		buf[0] = '-';
		fmt_value(-v, unit, buf + 1, len - 1);
		return;
	}
	if (!strcmp(unit, "bytes"))
		fmt_bytes(v, buf, len);
	else if (!strcmp(unit, "nanoseconds"))
		fmt_ns(v, buf, len);
	else if (!strcmp(unit, "per_second"))
		snprintf(buf, len, "%.1f/s", v);
	else if (!strcmp(unit, "bytes_per_second")) {
		fmt_bytes(v, buf, len);
		strncat(buf, "/s", len - strlen(buf) - 1);
	} else if (!strcmp(unit, "seconds"))
		snprintf(buf, len, "%.2f s", v);
	else
		snprintf(buf, len, "%.0f", v);
}

int render_metrics(const struct profile *p, const char *group, FILE *out)
{
	char val[64];
	size_t i;

	for (i = 0; i < p->nmetrics; i++) {
		const struct prof_metric *m = &p->metrics[i];
		const char *name = profile__get_str(p, m->name);

		if (strcmp(profile__get_str(p, m->group), group))
			continue;
		fmt_value(m->value, profile__get_str(p, m->unit), val, sizeof(val));
		/* Bytes exactly too: scripts and tests compare them. */
		if (!strcmp(profile__get_str(p, m->unit), "bytes") && m->value >= 1024)
			fprintf(out, "  %-28s %s (%.0f B)\n", name, val, m->value);
		else
			fprintf(out, "  %-28s %s\n", name, val);
	}
	return ferror(out) ? -EIO : 0;
}

int render_hist_table(const struct profile *p, const char *group,
		      const char *first_column, FILE *out)
{
	static const double qs[] = { 0.5, 0.9, 0.95, 0.99 };
	bool header = false;
	char cell[6][32];
	size_t i, k;

	for (i = 0; i < p->nhists; i++) {
		const struct prof_hist *h = &p->hists[i];
		const char *name = profile__get_str(p, h->name);
		const char *unit = profile__get_str(p, h->unit);

		if (strcmp(profile__get_str(p, h->group), group) || !h->total)
			continue;
		if (!header) {
			fprintf(out, "  %-18s %10s %10s %10s %10s %10s %10s\n",
				first_column, "COUNT", "P50", "P90", "P95", "P99", "MAX");
			header = true;
		}
		for (k = 0; k < 4; k++)
			fmt_value(prof_hist__quantile(h, qs[k]), unit,
				  cell[k], sizeof(cell[k]));
		if (h->max)
			fmt_value(h->max, unit, cell[4], sizeof(cell[4]));
		else
			snprintf(cell[4], sizeof(cell[4]), "-");
		fprintf(out, "  %-18s %10llu %10s %10s %10s %10s %10s\n",
			name, (unsigned long long)h->total,
			cell[0], cell[1], cell[2], cell[3], cell[4]);
	}
	return ferror(out) ? -EIO : 0;
}

int render_hist_bars(const struct profile *p, const struct prof_hist *h,
		     FILE *out)
{
	const char *unit = profile__get_str(p, h->unit);
	uint64_t log2[65] = {}, peak = 0;
	char lo[32], hi[32];
	int first = -1, last = -1, i, w;
	uint32_t b;

	/* Fold the log-linear buckets into powers of two for display. */
	for (b = 0; b < HIST_BUCKETS; b++) {
		uint64_t low = hist_bucket_low(b);

		if (!h->counts[b])
			continue;
		i = low ? 64 - __builtin_clzll(low) : 0;
		log2[i] += h->counts[b];
	}
	for (i = 0; i < 65; i++) {
		if (!log2[i])
			continue;
		if (first < 0)
			first = i;
		last = i;
		if (log2[i] > peak)
			peak = log2[i];
	}
	if (first < 0)
		return 0;
	for (i = first; i <= last; i++) {
		uint64_t a = i ? 1ULL << (i - 1) : 0;
		uint64_t z = i ? (i < 64 ? (1ULL << i) - 1 : ~0ULL) : 0;

		fmt_value(a, unit, lo, sizeof(lo));
		fmt_value(z, unit, hi, sizeof(hi));
		w = peak ? (int)(40 * log2[i] / peak) : 0;
		if (log2[i] && !w)
			w = 1;
		fprintf(out, "  %10s .. %-10s : %-10llu |%-40.*s|\n", lo, hi,
			(unsigned long long)log2[i], w,
			"****************************************");
	}
	return ferror(out) ? -EIO : 0;
}

struct ranked {
	size_t sample;
	int64_t value;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->value != y->value)
		return x->value > y->value ? -1 : 1;
	return x->sample < y->sample ? -1 : x->sample > y->sample;
}

int render_sites(const struct profile *p, uint32_t sort_type,
		 const uint32_t *types, int ntypes, int top_n, int max_frames,
		 FILE *out)
{
	return render_sites_err(p, sort_type, types, ntypes, NULL, 0, top_n,
				max_frames, out);
}

/* The "+/-" column: label err_key relative to the value it qualifies. */
static void err_cell(const struct profile *p, const struct prof_sample *s,
		     const char *err_key, int64_t value, FILE *out)
{
	const struct prof_label *l = profile__label(p, s, err_key);
	char buf[32] = "-";

	if (l && value > 0)
		snprintf(buf, sizeof(buf), "%.1f%%", 100.0 * (double)l->num / value);
	fprintf(out, "  %7s", buf);
}

int render_sites_err(const struct profile *p, uint32_t sort_type,
		     const uint32_t *types, int ntypes, const char *err_key,
		     int err_col, int top_n, int max_frames, FILE *out)
{
	struct ranked *r;
	char name[512], val[32];
	size_t i, n = 0;
	int k, j;

	r = malloc((p->nsamples ? p->nsamples : 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (i = 0; i < p->nsamples; i++) {
		if (p->samples[i].values[sort_type] <= 0)
			continue;
		r[n].sample = i;
		r[n].value = p->samples[i].values[sort_type];
		n++;
	}
	qsort(r, n, sizeof(*r), cmp_ranked);
	for (k = 0; k < ntypes; k++) {
		fprintf(out, "  %12s", profile__get_str(p, p->types[types[k]].type));
		if (err_key && k == err_col)
			fprintf(out, "  %7s", "+/-");
	}
	fprintf(out, "  STACK (innermost first)\n");
	for (i = 0; i < n && (int)i < top_n; i++) {
		const struct prof_sample *s = &p->samples[r[i].sample];

		for (k = 0; k < ntypes; k++) {
			fmt_value(s->values[types[k]],
				  profile__get_str(p, p->types[types[k]].unit), val,
				  sizeof(val));
			fprintf(out, "  %12s", val);
			if (err_key && k == err_col)
				err_cell(p, s, err_key, s->values[types[k]], out);
		}
		fputs(" ", out);
		for (j = 0; j < (int)s->nlocs && j < max_frames; j++) {
			profile__location_name(p, s->locs[j], name, sizeof(name));
			fprintf(out, "%s%s", j ? " <- " : " ", name);
		}
		if ((int)s->nlocs > max_frames)
			fprintf(out, " <- ...");
		fputc('\n', out);
	}
	free(r);
	return ferror(out) ? -EIO : 0;
}

struct group {
	uint32_t text;		/* strtab id of the joined label values */
	int64_t value;
};

static int cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->value != y->value)
		return x->value > y->value ? -1 : 1;
	return x->text < y->text ? -1 : x->text > y->text;
}

int render_label_groups(const struct profile *p, uint32_t type,
			const char *const *keys, int nkeys, const char *sep,
			int top_n, FILE *out)
{
	const char *unit = profile__get_str(p, p->types[type].unit);
	int64_t all = profile__total(p, type);
	struct strtab *texts = strtab__new();
	struct group *g = NULL;
	size_t cap = 0, n = 0, i, len;
	char text[1024], cell[32];
	int err = 0, k;

	if (!texts)
		return -ENOMEM;
	for (i = 0; i < p->nsamples && !err; i++) {
		const struct prof_sample *s = &p->samples[i];
		int64_t id;

		for (k = 0, len = 0, text[0] = '\0'; k < nkeys; k++) {
			const struct prof_label *l = profile__label(p, s, keys[k]);

			if (!l || !l->str)
				break;
			len += snprintf(text + len, sizeof(text) - len, "%s%s",
					k ? sep : "", profile__get_str(p, l->str));
			if (len >= sizeof(text))
				len = sizeof(text) - 1;
		}
		if (k < nkeys)
			continue;
		id = strtab__intern(texts, text);
		if (id < 0 || array_reserve((void **)&g, (size_t)id, &cap, sizeof(*g))) {
			err = -ENOMEM;
			break;
		}
		while (n < (size_t)id) {
			g[n].text = n + 1;
			g[n++].value = 0;
		}
		g[id - 1].value += s->values[type];
	}
	if (!err && !n)
		fprintf(out, "  none\n");
	if (!err && n) {
		qsort(g, n, sizeof(*g), cmp_group);
		for (i = 0; i < n && (int)i < top_n; i++) {
			fmt_value((double)g[i].value, unit, cell, sizeof(cell));
			fprintf(out, "  %10s %6.2f%%  %s\n", cell,
				all ? 100.0 * g[i].value / all : 0.0,
				strtab__get(texts, g[i].text));
		}
		if (n > (size_t)top_n)
			fprintf(out, "  ... %zu more (--top N shows more)\n", n - top_n);
	}
	free(g);
	strtab__free(texts);
	if (err)
		return err;
	return ferror(out) ? -EIO : 0;
}
