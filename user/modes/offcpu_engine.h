/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The offcpu mode kept attached, for serve --offcpu and top offcpu: every
 * state, no filter, its counts drained every tick (lookup-and-delete) into
 * tallies with the stacks they name copied into a store, as modes/live.h
 * does for cpu samples.  Main thread only.
 */
#ifndef PROFILER_OFFCPU_ENGINE_H
#define PROFILER_OFFCPU_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "modes/live.h"
#include "modes/unwinder.h"
#include "offcpu.h"
#include "run/options.h"
#include "run/session.h"

struct offrun;
struct profile;

/* Attach for the session's targets (or every thread).  NULL after one
 * p_err line. */
struct offrun *offcpu_engine_open(struct session *sess, const struct common_opts *c,
				  const struct stack_opts *s);
/* Its symbolizer, unwinder and their events. */
struct stack_run *offcpu_engine_stacks(struct offrun *e);
/* A tick: the periods that ended since the last, into tallies[0..n)
 * (values: ns, periods), keyed by struct offcpu_key. */
int offcpu_engine_drain(struct offrun *e, struct tally *const *tallies, size_t n,
			uint64_t tick);
void offcpu_engine_maintain(struct offrun *e, uint64_t tick, uint64_t horizon);
/* Off-CPU time drained so far, by enum offcpu_state. */
void offcpu_engine_state_ns(const struct offrun *e, uint64_t *ns);
const char *offcpu_state_letter(unsigned int state);
/* A tally as an off-CPU profile (as profiler offcpu writes it). */
struct profile *offcpu_engine_profile(struct offrun *e, const struct tally *t,
				      double seconds, const char *target,
				      const char *what);
void offcpu_engine_free(struct offrun *e);

#endif
