// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * top's offcpu view: where threads wait.  The offcpu engine
 * (modes/offcpu_engine.h) adds each period off CPU to its key when the
 * period ends; every second they are drained into a ring of per-second
 * tallies, as the cpu view drains samples, and the window is the
 * engine's off-CPU profile of their sum: its time by state on the first
 * line, then by place (the innermost function of the program, and the
 * thread: where offcpu's report says a thread waits), then the functions
 * by self and total time, as the cpu view ranks them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "lib/log.h"
#include "model/profile.h"
#include "modes/live.h"
#include "modes/offcpu_engine.h"
#include "modes/top_view.h"
#include "offcpu.h"
#include "render/render.h"
#include "render/sections.h"

struct offcpu_view {
	struct offrun *off;
	struct tally *ring;	/* one tally per second, the last o.window */
};

static int offcpu_open(struct top *t)
{
	struct offcpu_view *v = calloc(1, sizeof(*v));

	if (v)
		v->ring = calloc(t->o.window, sizeof(*v->ring));
	t->v = v;
	if (!v || !v->ring) {
		p_err("out of memory");
		return -1;
	}
	v->off = offcpu_engine_open(&t->sess, &t->o.c, &t->o.s);
	if (!v->off)
		return -1;
	p_info("tracing %s off CPU", t->target);
	return 0;
}

static int offcpu_fd(struct top *t)
{
	struct offcpu_view *v = t->v;

	return ring_buffer__epoll_fd(offcpu_engine_stacks(v->off)->events);
}

static void offcpu_events(struct top *t)
{
	struct offcpu_view *v = t->v;

	stack_run__serve_events(offcpu_engine_stacks(v->off));
}

static bool offcpu_busy(struct top *t)
{
	struct offcpu_view *v = t->v;

	return stack_run__busy(offcpu_engine_stacks(v->off));
}

/* "34.8 s off CPU; S 30.1 s 86%, D ...": the window's time by state. */
static void print_states(const struct tally *w, FILE *f)
{
	uint64_t ns[OFFCPU_STATE__MAX] = {}, all = 0;
	char cell[32];
	size_t i;
	bool first = true;
	int k;

	for (i = 0; i < w->n; i++) {
		const struct offcpu_key *key = tally_key(w, i);

		ns[key->state % OFFCPU_STATE__MAX] += w->v[i][0];
		all += w->v[i][0];
	}
	fmt_ns((double)all, cell, sizeof(cell));
	fprintf(f, "%s off CPU", cell);
	for (k = 0; k < OFFCPU_STATE__MAX; k++) {
		if (!ns[k])
			continue;
		fmt_ns((double)ns[k], cell, sizeof(cell));
		fprintf(f, "%s %s %s %.0f%%", first ? ": by state" : ",",
			offcpu_state_letter(k), cell, 100.0 * ns[k] / all);
		first = false;
	}
}

static int offcpu_tick(struct top *t, FILE *f, int rows, int width)
{
	static const char *const where[] = { "waiting" };
	struct offcpu_view *v = t->v;
	struct tally *cur = &v->ring[top_slot(t)], window = {};
	uint64_t secs = top_secs(t);
	struct profile *p = NULL;
	int half = rows / 2, err;
	char what[64];

	tally_free(cur);
	err = offcpu_engine_drain(v->off, &cur, 1, t->seconds);
	if (!err)
		err = top_drained(t, v->ring, &window);
	if (!err) {
		snprintf(what, sizeof(what), "last %llu s", (unsigned long long)secs);
		p = offcpu_engine_profile(v->off, &window, (double)secs, t->target, what);
		err = p ? 0 : -ENOMEM;
	}
	fprintf(f, "off CPU, last %llu s: ", (unsigned long long)secs);
	print_states(&window, f);
	top_line_end(t, f);
	if (p) {
		/* Half the screen for the places (with a "... more" line), a
		 * blank line, the rest for the functions. */
		fprintf(f, "  %10s %7s  %s\n", "TIME", "SHARE",
			"WAITING IN (THREAD)");
		err = render_label_groups(p, 0, where, 1, "",
					  top_entries(t, half, 1), f);
		fputc('\n', f);
		if (!err)
			err = render_top(p, 0, top_entries(t, rows - half - 1, 0) + 1,
					 width, true, f);
	}
	profile__free(p);
	tally_free(&window);
	offcpu_engine_maintain(v->off, t->seconds, t->o.window + 2);
	top_sweep(t, offcpu_engine_stacks(v->off), t->seconds);
	return err;
}

static void offcpu_free(struct top *t)
{
	struct offcpu_view *v = t->v;

	if (!v)
		return;
	top_ring_free(t, v->ring);
	offcpu_engine_free(v->off);
	free(v);
	t->v = NULL;
}

const struct top_view top_offcpu_view = {
	.open = offcpu_open,
	.fd = offcpu_fd,
	.events = offcpu_events,
	.busy = offcpu_busy,
	.tick = offcpu_tick,
	.free = offcpu_free,
};
