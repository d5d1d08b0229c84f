/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The mem mode kept attached, for serve --mem and top mem: the allocator
 * of each -p target probed as `profiler mem -p` does (default options),
 * its kernel maps (cumulative per site, live allocations) turned into
 * profiles on demand.  Main thread only, except mem_engine_totals (map reads).
 */
#ifndef PROFILER_MEM_ENGINE_H
#define PROFILER_MEM_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "mem.h"
#include "modes/unwinder.h"
#include "run/options.h"
#include "run/session.h"

struct memrun;
struct profile;

/* Probe the session's -p targets.  NULL after one p_err line. */
struct memrun *mem_engine_open(struct session *sess, const struct common_opts *c,
			       const struct stack_opts *s);
/* Its event ring (new mappings for the unwinder): poll fd, then events(). */
int mem_engine_fd(const struct memrun *r);
void mem_engine_events(struct memrun *r);
bool mem_engine_busy(const struct memrun *r);
/*
 * The sites profile (alloc_objects, alloc_space, inuse_objects,
 * inuse_space; totals as metrics, size and latency histograms) and the
 * leak suspects (outstanding allocations by site, with the oldest's age)
 * as they are now.  Both belong to the engine until the next call.
 * 0 or -ENOMEM.
 */
int mem_engine_profiles(struct memrun *r, struct profile **sites,
			struct profile **leaks);
/* The sites profile alone, without its histograms and with no walk of
 * the live allocations: what a view read every second needs.  It belongs
 * to the engine until the next call.  0 or -ENOMEM. */
int mem_engine_sites(struct memrun *r, struct profile **sites);
/* The totals now: MEM_T__MAX counters (include/mem.h). */
void mem_engine_totals(struct memrun *r, uint64_t *t);
/* A fresh symbolizer (what serve does for its own, every few minutes). */
void mem_engine_renew_symbolizer(struct memrun *r);
void mem_engine_free(struct memrun *r);

#endif
