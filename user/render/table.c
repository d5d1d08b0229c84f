// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "render/common.h"
#include "render/sections.h"
#include "lib/strtab.h"

/* One row per function as the user sees it: name + module (Python
 * functions apart). */
struct row {
	uint32_t key;		/* strtab id of "name\tpy\tmodule" (Python),
				 * "name\t\tmodule" */
	int64_t self, total;
	size_t last_sample;	/* so recursion counts once in total */
};

struct rows {
	struct strtab *keys;
	struct row *v;
	size_t cap;
	uint32_t *of_loc;	/* location -> row id + 1, computed once */
};

static struct row *row_for(struct rows *r, const struct profile *p, uint32_t loc)
{
	char name[1024], key[1400];
	int64_t id;

	if (r->of_loc[loc])
		return &r->v[r->of_loc[loc] - 1];

	/* Addresses no symbol covers would each get a row of their own: one
	 * row per module says more.  Folded output keeps the addresses. */
	if (!p->locations[loc - 1].function && p->locations[loc - 1].mapping)
		snprintf(name, sizeof(name), "[unnamed]");
	else
		profile__location_name(p, loc, name, sizeof(name));
	snprintf(key, sizeof(key), "%s\t%s\t%s", name,
		 p->locations[loc - 1].python ? "py" : "", frame__module(p, loc));
	id = strtab__intern(r->keys, key);
	if (id < 0)
		return NULL;
	if ((size_t)id >= r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		struct row *v;

		while (cap <= (size_t)id)
			cap *= 2;
		v = realloc(r->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		memset(v + r->cap, 0, (cap - r->cap) * sizeof(*v));
		r->v = v;
		r->cap = cap;
	}
	r->v[id].key = id;
	r->of_loc[loc] = id + 1;
	return &r->v[id];
}

static int cmp_self(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->self != y->self)
		return x->self > y->self ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

static int cmp_total(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

/* A value in the table's unit: counts as they are, the rest with a unit
 * ("1.50 s", "12.0 MiB"). */
static const char *cell(int64_t v, const char *unit, char *buf, size_t len)
{
	if (!*unit || !strcmp(unit, "count"))
		snprintf(buf, len, "%lld", (long long)v);
	else
		fmt_value((double)v, unit, buf, len);
	return buf;
}

static void print_rows(const struct rows *r, struct row *sorted, size_t n,
		       int top_n, int64_t all, bool by_self, const char *unit,
		       FILE *out)
{
	char a[32], b[32];
	size_t i;

	for (i = 0; i < n && (int)i < top_n; i++) {
		const struct row *w = &sorted[i];
		const char *key = strtab__get(r->keys, w->key);
		const char *tab = strchr(key, '\t');
		int64_t v = by_self ? w->self : w->total;

		if (v == 0)
			break;
		const char *mod = strchr(tab + 1, '\t') + 1;
		/* "[vdso]" and "[kernel.kallsyms]" carry their own brackets. */
		bool bracket = *mod && *mod != '[';

		fprintf(out, "%10s %6.2f%% %10s %6.2f%%  %-.*s%s%s%s\n",
			cell(w->self, unit, a, sizeof(a)), 100.0 * w->self / all,
			cell(w->total, unit, b, sizeof(b)), 100.0 * w->total / all,
			(int)(tab - key), key, *mod ? (bracket ? "  [" : "  ") : "",
			mod, bracket ? "]" : "");
	}
}

int render_table(const struct profile *p, uint32_t value_type, int top_n,
		 FILE *out)
{
	struct rows r = {};
	struct row *sorted = NULL;
	const char *unit = profile__get_str(p, p->types[value_type].type);
	const char *vunit = profile__get_str(p, p->types[value_type].unit);
	int64_t all = profile__total(p, value_type);
	char buf[32];
	size_t i, n;
	int err = 0;
	uint32_t j;

	fprintf(out, "%s\n", profile__get_str(p, p->title));
	fprintf(out, "duration %.2f s, %s %s, %zu distinct stacks\n",
		p->duration_ns / 1e9, cell(all, vunit, buf, sizeof(buf)), unit,
		p->nsamples);
	for (i = 0; i < p->nlosses; i++) {
		const struct prof_loss *l = &p->losses[i];
		const char *hint = profile__get_str(p, l->hint);

		fprintf(out, "%s: %llu %s%s%s%s\n", l->truncated ? "truncated" : "lost",
			(unsigned long long)l->count,
			profile__get_str(p, l->what), *hint ? " (" : "", hint,
			*hint ? ")" : "");
	}
	if (all == 0) {
		fprintf(out, "no samples collected\n");
		return 0;
	}
	r.keys = strtab__new();
	r.of_loc = calloc(p->nlocations + 1, sizeof(*r.of_loc));
	if (!r.keys || !r.of_loc) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *s = &p->samples[i];
		int64_t v = s->values[value_type];

		for (j = 0; j < s->nlocs; j++) {
			struct row *w = row_for(&r, p, s->locs[j]);

			if (!w) {
				err = -ENOMEM;
				goto out;
			}
			if (j == 0)
				w->self += v;
			if (w->last_sample != i + 1) {
				w->total += v;
				w->last_sample = i + 1;
			}
		}
	}
	n = strtab__count(r.keys);
	if (n > r.cap)
		n = r.cap;
	sorted = malloc((n ? n : 1) * sizeof(*sorted));
	if (!sorted) {
		err = -ENOMEM;
		goto out;
	}
	if (n)
		memcpy(sorted, r.v, n * sizeof(*sorted));
	/* Row 0 belongs to the "" key, which no location produces. */
	qsort(sorted, n, sizeof(*sorted), cmp_self);
	fprintf(out, "\nTop %d functions by self %s:\n", top_n, unit);
	fprintf(out, "%10s %7s %10s %7s  %s\n", "SELF", "%", "TOTAL", "%",
		"FUNCTION  [MODULE]");
	print_rows(&r, sorted, n, top_n, all, true, vunit, out);
	qsort(sorted, n, sizeof(*sorted), cmp_total);
	fprintf(out, "\nTop %d functions by total (inclusive) %s:\n", top_n, unit);
	fprintf(out, "%10s %7s %10s %7s  %s\n", "SELF", "%", "TOTAL", "%",
		"FUNCTION  [MODULE]");
	print_rows(&r, sorted, n, top_n, all, false, vunit, out);
	if (ferror(out))
		err = -EIO;
out:
	free(sorted);
	free(r.of_loc);
	free(r.v);
	strtab__free(r.keys);
	return err;
}

static uint32_t top_type;

static int cmp_top(const void *a, const void *b)
{
	const struct func_row *x = a, *y = b;
	int c;

	if (x->self[top_type] != y->self[top_type])
		return x->self[top_type] > y->self[top_type] ? -1 : 1;
	if (x->total[top_type] != y->total[top_type])
		return x->total[top_type] > y->total[top_type] ? -1 : 1;
	c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->module, y->module);
}

int render_top(const struct profile *p, uint32_t value_type, int rows,
	       int width, bool values, FILE *out)
{
	const char *unit = profile__get_str(p, p->types[value_type].unit);
	int64_t all = profile__total(p, value_type);
	struct func_table t;
	char line[1024], self[32], total[32];
	size_t i;
	int err;

	if (rows < 1)
		return 0;
	if (width > (int)sizeof(line) - 1)
		width = (int)sizeof(line) - 1;
	if ((err = func_table__build(p, &t)))
		return err;
	top_type = value_type;
	qsort(t.rows, t.n, sizeof(*t.rows), cmp_top);
	if (values)
		snprintf(line, sizeof(line), "%10s %7s %10s %7s  %s", "SELF", "SELF%",
			 "TOTAL", "TOTAL%", "FUNCTION  [MODULE]");
	else
		snprintf(line, sizeof(line), "%7s %7s  %s", "SELF%", "TOTAL%",
			 "FUNCTION  [MODULE]");
	fprintf(out, "%.*s\n", width, line);
	for (i = 0; i < t.n && (int)i < rows - 1; i++) {
		const struct func_row *r = &t.rows[i];
		double ps = all ? 100.0 * r->self[value_type] / all : 0.0;
		double pt = all ? 100.0 * r->total[value_type] / all : 0.0;
		int n;

		if (!r->self[value_type] && !r->total[value_type])
			break;
		if (values) {
			fmt_value((double)r->self[value_type], unit, self, sizeof(self));
			fmt_value((double)r->total[value_type], unit, total, sizeof(total));
			n = snprintf(line, sizeof(line), "%10s %6.2f%% %10s %6.2f%%",
				     self, ps, total, pt);
		} else {
			n = snprintf(line, sizeof(line), "%6.2f%% %6.2f%%", ps, pt);
		}
		snprintf(line + n, sizeof(line) - n, "  %s%s%s%s", r->name,
			 *r->module ? (r->module[0] == '[' ? "  " : "  [") : "",
			 r->module, *r->module && r->module[0] != '[' ? "]" : "");
		fprintf(out, "%.*s\n", width, line);
	}
	func_table__free(&t);
	return ferror(out) ? -EIO : 0;
}
