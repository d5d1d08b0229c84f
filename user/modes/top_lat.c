// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * top's lat view: the latency table (render/latency.c) of the window's
 * calls of the functions the PATTERNs name.  The lat engine
 * (modes/lat_engine.h) keeps cumulative figures; every second they are
 * read, and what each function's calls, time and histogram buckets gained
 * since the last reading goes into this second's slot of the ring
 * (modes/top_window.h), with the second's exact shortest and longest call
 * (the engine's interval figures, restarted at each reading).  The window
 * is the ring's sum, built into lat's flat profile (modes/lat_profile.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "lib/array.h"
#include "lib/log.h"
#include "model/profile.h"
#include "modes/lat_engine.h"
#include "modes/lat_profile.h"
#include "modes/top_view.h"
#include "modes/top_window.h"
#include "render/render.h"

/*
 * A function's counters in a struct counts: key (fn, slot), slot a
 * histogram bucket (its count) or LAT_SLOT_CALLS (calls, time).
 */
#define LAT_SLOT_CALLS	HIST_BUCKETS

static uint64_t lat_key(size_t fn, uint32_t slot)
{
	return (uint64_t)fn << 32 | slot;
}

/* One second: what it added, and its calls' exact bounds per function. */
struct lat_second {
	struct counts c;
	uint64_t *min, *max;	/* n functions; 0: no timed call */
	size_t n;
};

struct lat_view {
	struct latrun *lat;
	/* The functions probed, in the engine's order (the names are its). */
	const char **names, **modules;
	size_t nfns, cap;
	struct counts last;	/* at the last reading */
	struct counts now;	/* the reading under way */
	uint64_t *min, *max;	/* the reading's interval bounds */
	struct lat_second *ring;
	int err;		/* a failure inside the engine's callback */
	size_t at;		/* the function the callback is at */
};

static int lat_open(struct top *t)
{
	struct lat_view *v = calloc(1, sizeof(*v));

	if (v)
		v->ring = calloc(t->o.window, sizeof(*v->ring));
	t->v = v;
	if (!v || !v->ring) {
		p_err("out of memory");
		return -1;
	}
	v->lat = lat_engine_open(&t->sess, &t->o.c, t->o.patterns, t->o.npatterns,
				 t->o.max_probes);
	return v->lat ? 0 : -1;
}

static int lat_fd(struct top *t)
{
	(void)t;	/* -p only: the engine has no events */
	return -1;
}

static void lat_events(struct top *t)
{
	(void)t;
}

static bool lat_busy(struct top *t)
{
	(void)t;
	return false;
}

/* Per-function arrays for n functions (the first reading learns n). */
static int grow_fns(struct lat_view *v, size_t n)
{
	/* The four grow alike: each from the same capacity to the same. */
	size_t c1 = v->cap, c2 = v->cap, c3 = v->cap, c4 = v->cap;

	if (n <= v->nfns)
		return 0;
	if (array_reserve((void **)&v->names, n, &c1, sizeof(*v->names)) ||
	    array_reserve((void **)&v->modules, n, &c2, sizeof(*v->modules)) ||
	    array_reserve((void **)&v->min, n, &c3, sizeof(*v->min)) ||
	    array_reserve((void **)&v->max, n, &c4, sizeof(*v->max)))
		return -ENOMEM;
	v->cap = c1;
	v->nfns = n;
	return 0;
}

/* One function of a reading, in the engine's order. */
static void read_fn(void *ctx, const struct lat_figures *f)
{
	struct lat_view *v = ctx;
	size_t i = v->at++;
	uint32_t b;

	if (v->err || (v->err = grow_fns(v, i + 1)))
		return;
	v->names[i] = f->name;
	v->modules[i] = f->module;
	v->min[i] = f->imin_ns;
	v->max[i] = f->imax_ns;
	if (!f->calls)
		return;
	v->err = counts_add(&v->now, lat_key(i, LAT_SLOT_CALLS), f->calls, f->sum_ns);
	for (b = 0; !v->err && b < HIST_BUCKETS; b++)
		if (f->counts[b])
			v->err = counts_add(&v->now, lat_key(i, b), f->counts[b], 0);
}

/* This second: the reading, less the last one, with its bounds. */
static int read_second(struct lat_view *v, struct lat_second *s)
{
	counts_free(&s->c);
	counts_free(&v->now);
	v->at = 0;
	v->err = 0;
	if (lat_engine_read(v->lat, read_fn, v) || v->err)
		return -ENOMEM;
	/* Calls from now on are the next second's shortest and longest. */
	lat_engine_interval(v->lat);
	if (counts_diff(&s->c, &v->now, &v->last))
		return -ENOMEM;
	counts_free(&v->last);
	v->last = v->now;
	memset(&v->now, 0, sizeof(v->now));
	free(s->min);
	free(s->max);
	s->n = 0;
	s->min = calloc(v->nfns ? v->nfns : 1, sizeof(*s->min));
	s->max = calloc(v->nfns ? v->nfns : 1, sizeof(*s->max));
	if (!s->min || !s->max)
		return -ENOMEM;
	memcpy(s->min, v->min, v->nfns * sizeof(*s->min));
	memcpy(s->max, v->max, v->nfns * sizeof(*s->max));
	s->n = v->nfns;
	return 0;
}

/*
 * The window as lat's flat profile: one sample per function called in
 * it, its histogram the window's buckets, its bounds the smallest and
 * largest of its seconds' (hist_window_bounds()).
 */
static struct profile *window_profile(struct top *t, struct lat_view *v,
				      const struct counts *w, uint64_t secs,
				      uint64_t *calls)
{
	uint64_t *counts = calloc(HIST_BUCKETS, sizeof(*counts)), time_ns, unused;
	char title[512];
	struct profile *p;
	size_t i, s;
	uint32_t b;

	*calls = 0;
	snprintf(title, sizeof(title), "profiler lat: %s, last %llu s", t->target,
		 (unsigned long long)secs);
	p = counts ? lat_profile_new(title, false, (int64_t)(secs * 1000000000ULL),
				     v->nfns) : NULL;
	if (!p)
		goto oom;
	for (i = 0; i < v->nfns; i++) {
		struct frame fr = { .name = v->names[i], .module = v->modules[i],
				    .build_id = "" };
		struct lat_span span = { .frame = &fr, .comm = "", .counts = counts };

		counts_get(w, lat_key(i, LAT_SLOT_CALLS), &span.calls, &time_ns);
		if (!span.calls)
			continue;
		span.time_ns = time_ns;
		for (b = 0; b < HIST_BUCKETS; b++)
			counts_get(w, lat_key(i, b), &counts[b], &unused);
		for (s = 0; s < secs; s++) {
			const struct lat_second *sec = &v->ring[s];

			if (i >= sec->n)
				continue;
			if (sec->min[i] && (!span.min_ns || sec->min[i] < span.min_ns))
				span.min_ns = sec->min[i];
			if (sec->max[i] > span.max_ns)
				span.max_ns = sec->max[i];
		}
		hist_window_bounds(counts, &span.min_ns, &span.max_ns);
		*calls += span.calls;
		if (lat_profile_add(p, &span) < 0)
			goto oom;
	}
	free(counts);
	return p;
oom:
	free(counts);
	profile__free(p);
	return NULL;
}

static int lat_tick(struct top *t, FILE *f, int rows, int width)
{
	struct lat_view *v = t->v;
	uint64_t secs = top_secs(t), calls = 0, i;
	struct counts window = {};
	struct profile *p = NULL;
	int err = -ENOMEM;

	(void)width;	/* the screen cuts each line */
	if (read_second(v, &v->ring[top_slot(t)]))
		goto out;
	for (i = 0; i < secs; i++)
		if (counts_merge(&window, &v->ring[i].c))
			goto out;
	p = window_profile(t, v, &window, secs, &calls);
	if (!p)
		goto out;
	fprintf(f, "lat, %zu function%s, last %llu s: %llu calls (%.1f/s)", v->nfns,
		v->nfns == 1 ? "" : "s", (unsigned long long)secs,
		(unsigned long long)calls, counts_rate(calls, (double)secs));
	top_line_end(t, f);
	/* Below the table: "... more", the %WALL note, "not called". */
	err = render_latency_table(p, top_entries(t, rows, 3), false, f);
out:
	profile__free(p);
	counts_free(&window);
	return err;
}

static void lat_free(struct top *t)
{
	struct lat_view *v = t->v;
	uint64_t i;

	if (!v)
		return;
	for (i = 0; v->ring && i < t->o.window; i++) {
		counts_free(&v->ring[i].c);
		free(v->ring[i].min);
		free(v->ring[i].max);
	}
	free(v->ring);
	counts_free(&v->last);
	counts_free(&v->now);
	free(v->names);
	free(v->modules);
	free(v->min);
	free(v->max);
	lat_engine_free(v->lat);
	free(v);
	t->v = NULL;
}

const struct top_view top_lat_view = {
	.open = lat_open,
	.fd = lat_fd,
	.events = lat_events,
	.busy = lat_busy,
	.tick = lat_tick,
	.free = lat_free,
};
