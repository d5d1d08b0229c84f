// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * top's mem view: allocation sites, as fast as they allocate now and as
 * much as they hold.  The mem engine (modes/mem_engine.h) keeps each
 * site's cumulative counters in the kernel; every second its sites
 * profile is read, each site keyed as the table names it
 * (top_site_key()), and what each site allocated since the last reading
 * goes into this second's slot of the ring (modes/top_window.h): the
 * window's rates are the ring's sum over its seconds.  Outstanding bytes
 * and blocks are the reading's own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "mem.h"
#include "model/profile.h"
#include "modes/mem_engine.h"
#include "modes/mem_mode.h"
#include "modes/top_view.h"
#include "modes/top_window.h"
#include "render/sections.h"

/* Frames of a site's stack shown at most, innermost first. */
#define SITE_FRAMES	8

struct mem_view {
	struct memrun *mem;
	struct counts last;	/* per site: allocs, bytes at the last reading */
	struct counts *ring;	/* per site: what each second added */
};

/* One row: a site of the reading, with the window's figures. */
struct site_row {
	size_t sample;		/* the reading's first sample of the site */
	uint64_t allocs, bytes;	/* in the window */
	uint64_t inuse_objects, inuse_bytes;
};

static int mem_open(struct top *t)
{
	struct mem_view *v = calloc(1, sizeof(*v));

	if (v)
		v->ring = calloc(t->o.window, sizeof(*v->ring));
	t->v = v;
	if (!v || !v->ring) {
		p_err("out of memory");
		return -1;
	}
	v->mem = mem_engine_open(&t->sess, &t->o.c, &t->o.s);
	if (!v->mem)
		return -1;
	p_info("tracing the allocations of %s", t->target);
	return 0;
}

static int mem_fd(struct top *t)
{
	struct mem_view *v = t->v;

	return mem_engine_fd(v->mem);
}

static void mem_events(struct top *t)
{
	struct mem_view *v = t->v;

	mem_engine_events(v->mem);
}

static bool mem_busy(struct top *t)
{
	struct mem_view *v = t->v;

	return mem_engine_busy(v->mem);
}

/* Busiest first (bytes, then blocks, per second), then the largest holders. */
static int cmp_site(const void *a, const void *b)
{
	const struct site_row *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if (x->allocs != y->allocs)
		return x->allocs > y->allocs ? -1 : 1;
	if (x->inuse_bytes != y->inuse_bytes)
		return x->inuse_bytes > y->inuse_bytes ? -1 : 1;
	return x->sample < y->sample ? -1 : x->sample > y->sample;
}

/*
 * The reading's sites into now (allocs, bytes, keyed by top_site_key())
 * and rows (their outstanding figures; a site's samples summed, the
 * first named).  How many rows, or -ENOMEM.
 */
static long read_sites(const struct profile *p, struct counts *now,
		       struct site_row **rows)
{
	struct site_row *r = calloc(p->nsamples ? p->nsamples : 1, sizeof(*r));
	uint64_t key;
	size_t i;
	long k;

	*rows = r;
	if (!r)
		return -ENOMEM;
	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *s = &p->samples[i];
		const int64_t *v = s->values;

		key = top_site_key(p, s);
		if (counts_find(now, key) < 0)
			r[now->n].sample = i;
		if (counts_add(now, key, (uint64_t)v[MEM_SAMPLE_ALLOC_OBJECTS],
			       (uint64_t)v[MEM_SAMPLE_ALLOC_SPACE]))
			return -ENOMEM;
		/* Row k is the site of key k. */
		k = counts_find(now, key);
		r[k].inuse_objects += (uint64_t)v[MEM_SAMPLE_INUSE_OBJECTS];
		r[k].inuse_bytes += (uint64_t)v[MEM_SAMPLE_INUSE_SPACE];
	}
	return (long)now->n;
}

static void print_site(const struct profile *p, const struct site_row *r,
		       double secs, FILE *f)
{
	const struct prof_sample *s = &p->samples[r->sample];
	char rate[32], inuse[32], name[512];
	uint32_t j;

	fmt_bytes(counts_rate(r->bytes, secs), rate, sizeof(rate));
	strncat(rate, "/s", sizeof(rate) - strlen(rate) - 1);
	fmt_bytes((double)r->inuse_bytes, inuse, sizeof(inuse));
	fprintf(f, "%10.1f %12s %10s %8llu ", counts_rate(r->allocs, secs), rate,
		inuse, (unsigned long long)r->inuse_objects);
	for (j = 0; j < s->nlocs && j < SITE_FRAMES; j++) {
		profile__location_name(p, s->locs[j], name, sizeof(name));
		fprintf(f, "%s%s", j ? " <- " : " ", name);
	}
	if (s->nlocs > SITE_FRAMES)
		fprintf(f, " <- ...");
	fputc('\n', f);
}

static int mem_tick(struct top *t, FILE *f, int rows, int width)
{
	struct mem_view *v = t->v;
	struct counts now = {}, window = {}, *cur = &v->ring[top_slot(t)];
	uint64_t secs = top_secs(t), tot[MEM_T__MAX], allocs = 0, bytes = 0, i;
	struct site_row *r = NULL;
	struct profile *p;
	char out[32], rate[32];
	long n = 0, k, shown = 0;
	int top = top_entries(t, rows, 1), err = -ENOMEM;

	(void)width;	/* long stacks: the screen cuts each line */
	counts_free(cur);
	if (mem_engine_sites(v->mem, &p) || (n = read_sites(p, &now, &r)) < 0 ||
	    counts_diff(cur, &now, &v->last))
		goto out;
	counts_free(&v->last);
	v->last = now;
	memset(&now, 0, sizeof(now));
	for (i = 0; i < secs; i++)
		if (counts_merge(&window, &v->ring[i]))
			goto out;
	for (k = 0; k < n; k++) {
		counts_get(&window, v->last.keys[k], &r[k].allocs, &r[k].bytes);
		allocs += r[k].allocs;
		bytes += r[k].bytes;
	}
	qsort(r, n, sizeof(*r), cmp_site);
	mem_engine_totals(v->mem, tot);
	fmt_bytes(counts_rate(bytes, secs), rate, sizeof(rate));
	fprintf(f, "mem, last %llu s: %.1f allocs/s, %s/s",
		(unsigned long long)secs, counts_rate(allocs, secs), rate);
	top_line_end(t, f);
	fmt_bytes((double)(tot[MEM_T_ALLOC_BYTES] >= tot[MEM_T_FREE_BYTES] ?
			   tot[MEM_T_ALLOC_BYTES] - tot[MEM_T_FREE_BYTES] : 0),
		  out, sizeof(out));
	fprintf(f, "since the start: %llu allocs, %llu frees, outstanding %s "
		"(%llu B) in %llu blocks\n", (unsigned long long)tot[MEM_T_ALLOCS],
		(unsigned long long)tot[MEM_T_FREES], out,
		(unsigned long long)(tot[MEM_T_ALLOC_BYTES] >= tot[MEM_T_FREE_BYTES] ?
				     tot[MEM_T_ALLOC_BYTES] - tot[MEM_T_FREE_BYTES] : 0),
		(unsigned long long)(tot[MEM_T_ALLOCS] >= tot[MEM_T_FREES] ?
				     tot[MEM_T_ALLOCS] - tot[MEM_T_FREES] : 0));
	fprintf(f, "%10s %12s %10s %8s  %s\n", "ALLOCS/s", "BYTES/s", "INUSE",
		"BLOCKS", "SITE (innermost first)");
	for (k = 0; k < n && shown < top; k++) {
		/* A site idle in the window and holding nothing says nothing. */
		if (!r[k].allocs && !r[k].inuse_bytes && !r[k].inuse_objects)
			continue;
		print_site(p, &r[k], (double)secs, f);
		shown++;
	}
	if (!shown)
		fprintf(f, "  no allocations yet\n");
	err = 0;
out:
	free(r);
	counts_free(&now);
	counts_free(&window);
	return err;
}

static void mem_free(struct top *t)
{
	struct mem_view *v = t->v;
	uint64_t i;

	if (!v)
		return;
	for (i = 0; v->ring && i < t->o.window; i++)
		counts_free(&v->ring[i]);
	free(v->ring);
	counts_free(&v->last);
	mem_engine_free(v->mem);
	free(v);
	t->v = NULL;
}

const struct top_view top_mem_view = {
	.open = mem_open,
	.fd = mem_fd,
	.events = mem_events,
	.busy = mem_busy,
	.tick = mem_tick,
	.free = mem_free,
};
