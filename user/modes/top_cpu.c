// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * top's cpu view: where CPU time goes.  Sampling stays attached
 * (modes/live.h), drained every second into a ring of per-second tallies;
 * the screen is the profile of the last --window of them, its functions by
 * self and total share.
 */
#include <errno.h>
#include <stdlib.h>
#include <bpf/libbpf.h>

#include "lib/log.h"
#include "model/profile.h"
#include "modes/live.h"
#include "modes/top_view.h"
#include "render/render.h"

struct cpu_view {
	struct live live;
	struct tally *ring;	/* one tally per second, the last o.window */
};

static int cpu_open(struct top *t)
{
	struct live_opts lo = {
		.freq = t->o.freq,
		.stack_map_size = t->o.stack_map_size,
		.counts_map_size = t->o.counts_map_size,
		.c = &t->o.c,
		.s = &t->o.s,
	};
	struct cpu_view *v = calloc(1, sizeof(*v));

	if (v) {
		v->live.stats_fd = -1;
		v->ring = calloc(t->o.window, sizeof(*v->ring));
	}
	t->v = v;
	if (!v || !v->ring) {
		p_err("out of memory");
		return -1;
	}
	if (live__open(&v->live, &t->sess, &lo))
		return -1;
	p_info("sampling %s at %llu Hz", t->target, (unsigned long long)t->o.freq);
	return 0;
}

static int cpu_fd(struct top *t)
{
	struct cpu_view *v = t->v;

	return ring_buffer__epoll_fd(v->live.sr.events);
}

static void cpu_events(struct top *t)
{
	struct cpu_view *v = t->v;

	stack_run__serve_events(&v->live.sr);
}

static bool cpu_busy(struct top *t)
{
	struct cpu_view *v = t->v;

	return stack_run__busy(&v->live.sr);
}

static int cpu_tick(struct top *t, FILE *f, int rows, int width)
{
	struct cpu_view *v = t->v;
	struct tally *cur = &v->ring[top_slot(t)], window = {};
	uint64_t secs = top_secs(t), samples;
	struct profile *p = NULL;
	char what[64];
	int err;

	tally_free(cur);
	err = live__drain(&v->live, &cur, 1);
	if (!err)
		err = top_drained(t, v->ring, &window);
	if (!err) {
		snprintf(what, sizeof(what), "last %llu s", (unsigned long long)secs);
		p = live__profile(&v->live, &window, (double)secs, t->target, what);
		err = p ? 0 : -ENOMEM;
	}
	samples = tally_total(&window);
	fprintf(f, "cpu-clock %llu Hz, last %llu s: %llu samples (%.1f/s)",
		(unsigned long long)t->o.freq, (unsigned long long)secs,
		(unsigned long long)samples, secs ? (double)samples / secs : 0.0);
	top_line_end(t, f);
	if (p)
		render_top(p, 0, top_entries(t, rows, 0) + 1, width, false, f);
	profile__free(p);
	tally_free(&window);
	live__maintain(&v->live, t->o.window + 2);
	top_sweep(t, &v->live.sr, v->live.tick);
	return err;
}

static void cpu_stop(struct top *t)
{
	struct cpu_view *v = t->v;

	live__stop(&v->live);
}

static void cpu_free(struct top *t)
{
	struct cpu_view *v = t->v;

	if (!v)
		return;
	top_ring_free(t, v->ring);
	live__free(&v->live);
	free(v);
	t->v = NULL;
}

const struct top_view top_cpu_view = {
	.open = cpu_open,
	.fd = cpu_fd,
	.events = cpu_events,
	.busy = cpu_busy,
	.tick = cpu_tick,
	.stop = cpu_stop,
	.free = cpu_free,
};
