/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the lat mode probes where: the [MODULE:]GLOB patterns resolved,
 * process by process, to functions of the files they map, each function
 * with its probe placement, grouped by (process, file) as they are
 * attached.  Errors (no match, bad module, process gone) are printed here,
 * with the names a pattern may have meant.
 */
#ifndef PROFILER_LAT_PLAN_H
#define PROFILER_LAT_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "symbols/elffuncs.h"
#include "modes/lat_pattern.h"
#include "probes/probe.h"

/* A file whose functions are probed, shared by the processes mapping it. */
struct lat_module {
	char *shown;		/* as the (first) process maps it */
	const char *name;	/* its file name part */
	dev_t dev;
	ino_t ino;
	struct elf_funcs *funcs;
};

/*
 * How a timed function's returns are seen.  A return probe replaces the
 * return address with the kernel's trampoline, which the Go runtime (moving
 * goroutine stacks) and C++/Rust exception unwinding cannot walk through:
 * those functions are timed by a probe on each of their RET instructions
 * instead, when every way out of them is a RET.
 */
enum lat_timing {
	LT_RETPROBE,		/* entry probe + return probe */
	LT_RETS,		/* entry probe + RET probes, per thread */
	LT_RETS_GO,		/* the same, per goroutine */
	LT__MAX,
};

/* A probed function; its id (the BPF cookie) is its index in funcs. */
struct lat_func {
	int module;
	const struct elf_fn *sym;
	struct probe_point pp;	/* the entry probe */
	uint64_t entry;		/* file offset of its first instruction */
	bool skip;		/* not probed (the kernel refuses it) */
	enum lat_timing timing;
	uint64_t *rets;		/* LT_RETS*: file offsets of its RETs */
	uint32_t nrets;
};

/* The functions of one file probed in one process: attached together. */
struct lat_probe_set {
	pid_t pid;
	int module;
	char *path;		/* the file as the profiler reaches it */
	uint32_t *ids;
	size_t n, cap;
};

struct lat_plan_pattern {
	struct lat_pattern p;
	size_t matched;		/* functions (aliases once) */
	size_t ifuncs;		/* IFUNC resolvers matched, not probed */
	size_t colds;		/* cold parts ("f.cold") matched, not probed */
	int modules[8];		/* where it was looked up, for near misses */
	int nmodules;
	char elsewhere[256];	/* no MODULE, no match: a library it matches */
};

struct lat_plan {
	bool demangle;		/* show (and match) demangled names */
	bool at_entry;		/* entry probes on the first instruction */
	struct lat_plan_pattern *pats;
	int npats;
	struct lat_module *mods;
	size_t nmods, mods_cap;
	struct lat_func *funcs;
	size_t nfuncs, funcs_cap;
	struct lat_probe_set *sets;
	size_t nsets, sets_cap;
	struct u64map *index;	/* module << 48 | vaddr -> id + 1 */
	size_t placed;		/* functions whose probes are placed */
};

/*
 * patterns were checked by the command line.  at_entry: timing (return
 * probes need the first instruction); otherwise an entry probe may move
 * to a cheaper instruction.  0, or -1 (printed).
 */
int lat_plan__init(struct lat_plan *pl, const char *const *patterns, int n,
		   bool demangle, bool at_entry);
void lat_plan__free(struct lat_plan *pl);

/* Match every pattern in process pid.  0, or -1 with the error printed. */
int lat_plan__resolve(struct lat_plan *pl, pid_t pid);

/* Every pattern matched something, and at most limit functions in all.
 * 0, or -1 with the error printed. */
int lat_plan__check(const struct lat_plan *pl, size_t limit);

/*
 * Where each function's entry probe goes (not yet placed ones): the first
 * instruction with at_entry, else the cheapest correct point
 * (probe_place).  One the kernel would refuse is skipped, with a warning.
 */
void lat_plan__place(struct lat_plan *pl);

/* A function's name as shown. */
const char *lat_plan__name(const struct lat_plan *pl, const struct lat_func *f);

/* Mark a function the kernel refused (err) as skipped, with a warning. */
void lat_plan__refused(struct lat_plan *pl, uint32_t id, int err);

/* Functions still to probe. */
size_t lat_plan__probed(const struct lat_plan *pl);

#endif
