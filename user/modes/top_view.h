/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The views of profiler top, and what they share with top.c: top.c runs
 * the session, the terminal and the per-second redraw; a view keeps its
 * engine attached (cpu: modes/live.h; mem, lat, offcpu: their modes'
 * engines, as serve keeps them), and every second drains or reads it into
 * its ring of seconds and writes a screen of the last --window of them.
 */
#ifndef PROFILER_TOP_VIEW_H
#define PROFILER_TOP_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <termios.h>

#include "modes/top_mode.h"
#include "run/session.h"

struct top {
	struct top_opts o;
	struct session sess;
	const struct top_view *view;
	void *v;		/* the view's own state */
	uint64_t seconds;	/* seconds drained, this one included */
	bool screen;		/* stdout is a terminal: redraw in place */
	bool keys;		/* stdin is a terminal in raw mode */
	struct termios saved;
	char target[256];
};

struct top_view {
	/* Attach for t's targets (t->v is the view's to set): 0, or -1
	 * after one p_err line. */
	int (*open)(struct top *t);
	/* The event ring to poll (-1: none), its events, work left. */
	int (*fd)(struct top *t);
	void (*events)(struct top *t);
	bool (*busy)(struct top *t);
	/*
	 * A second is over: drain or read the engine into this second's slot
	 * of the ring (top_slot()), then write the rest of the first line
	 * (after "profiler top  TIME  TARGET, "), end it with top_line_end(),
	 * and write what follows in at most rows lines of at most width
	 * columns, tables of at most top_entries() rows.  0, or -ENOMEM.
	 */
	int (*tick)(struct top *t, FILE *f, int rows, int width);
	/* Stop the engine: the run is over (NULL: nothing to stop).  Then
	 * free it all, whatever open did. */
	void (*stop)(struct top *t);
	void (*free)(struct top *t);
};

extern const struct top_view top_cpu_view, top_mem_view, top_lat_view,
	top_offcpu_view;

/* This second's slot in a ring of o.window seconds. */
static inline size_t top_slot(const struct top *t)
{
	return (t->seconds - 1) % t->o.window;
}

/* The seconds the window holds now: o.window once that many are over. */
static inline uint64_t top_secs(const struct top *t)
{
	return t->seconds < t->o.window ? t->seconds : t->o.window;
}

/* A table's rows at most, with lines for its header and `extra` more
 * among rows: --top if given, else what fits (at least 1). */
int top_entries(const struct top *t, int rows, int extra);

/* The end of the first line: ", q quits" when keys work, newline. */
void top_line_end(const struct top *t, FILE *f);

struct tally;
struct stack_run;
/* The views that drain a tally per second (cpu, offcpu): the window's sum
 * into window (0 or -ENOMEM), and the ring freed. */
int top_drained(const struct top *t, struct tally *ring, struct tally *window);
void top_ring_free(const struct top *t, struct tally *ring);
/* Every 10 s, what sr keeps of processes that exited goes once the window
 * no longer holds their samples (tick: the view's drains so far). */
void top_sweep(const struct top *t, struct stack_run *sr, uint64_t tick);

#endif
