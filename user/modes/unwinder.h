/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The loader's half of in-kernel unwinding: for each process the BPF side
 * walks, its executable mappings (unwind_procs), and for each file they map
 * its unwind table (unwind_table.h), built once per run per file (by
 * build-id, else device and inode) and stored in the BPF maps: rows in
 * shards of the unwind_shards map-in-map, written through mmap, and an
 * index by 64 KiB page (unwind_pages).  Shards are created as tables need
 * room, up to a ceiling; what does not fit is counted and said.
 */
#ifndef PROFILER_UNWINDER_H
#define PROFILER_UNWINDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "unwind.h"

struct unwinder;
struct pyframes;
struct ring_buffer;
struct bpf_object;

struct timespec;

struct unwinder_opts {
	enum unwind_mode mode;
	size_t max_bytes;	/* ceiling on table memory (shards) */
	/* When the profiler started (CLOCK_MONOTONIC), for -v lines; may
	 * be NULL. */
	const struct timespec *launched;
	/* --debug-dir roots (':'-separated) for separate debug files whose
	 * .debug_frame serves a file without .eh_frame; may be NULL. */
	const char *debug_dirs;
	/* Told of each interpreter found and of the code objects the
	 * kernel reports; NULL: no Python frames (--no-python, or frame
	 * pointers only). */
	struct pyframes *pyframes;
};

/* The maps of a skeleton that includes bpf/unwind.bpf.h. */
struct unwinder_maps {
	int procs_fd;		/* unwind_procs */
	int pages_fd;		/* unwind_pages */
	int shards_fd;		/* unwind_shards */
	int events_fd;		/* unwind_events */
	int py_fd;		/* py_procs, or -1 */
	size_t max_pages;	/* unwind_pages' max_entries */
	size_t max_procs;	/* unwind_procs' max_entries */
};

/* NULL on allocation failure.  With mode UNWIND_MODE_FP it does nothing. */
struct unwinder *unwinder__new(const struct unwinder_opts *o,
			       const struct unwinder_maps *maps);
/* The same with the maps of a loaded object that includes
 * bpf/unwind.bpf.h; NULL (printed) on failure. */
struct unwinder *unwinder__open(struct bpf_object *obj,
				const struct unwinder_opts *o);
void unwinder__free(struct unwinder *u);

/*
 * (Re)read pid's mappings, build the tables of files not seen yet, and
 * give the kernel the process's mapping list.  0, or -errno (-ESRCH,
 * -ENOENT: the process is gone).  Problems with single files are counted,
 * not errors.
 */
int unwinder__add_process(struct unwinder *u, pid_t pid);

/*
 * Serve the kernel's "load this process" requests from rb (a ring buffer
 * manager the mode polls; created when *rb is NULL).  0 or -errno.
 */
/*
 * The kernel's requests (libraries loaded since, processes not loaded
 * yet) arrive on the ring and wait; unwinder__work serves one process's,
 * while unwinder__pending says more wait.  Serve them between the mode's
 * own events, which are more urgent.
 */
bool unwinder__pending(const struct unwinder *u);
/* What is kept of pid, which has exited (the kernel dropped its entry in
 * unwind_procs itself). */
void unwinder__forget(struct unwinder *u, pid_t pid);
void unwinder__work(struct unwinder *u);
/* A mode's turn of its event loop: everything on rb (the mode's events
 * first), then one process's tables if any wait, then rb again. */
void unwinder__serve(struct unwinder *u, struct ring_buffer *rb);
int unwinder__listen(struct unwinder *u, struct ring_buffer **rb);

struct unwinder_stats {
	size_t tables;		/* files with a table */
	size_t no_cfi;		/* files without CFI: frame pointers there */
	size_t failed;		/* files that could not be read */
	size_t over_ceiling;	/* tables not loaded: memory ceiling */
	size_t pages_full;	/* tables not loaded: page index full */
	size_t procs_full;	/* processes not loaded: map full */
	size_t too_many_maps;	/* mappings beyond UNWIND_MAX_MAPS, dropped */
	size_t rows;		/* rows stored */
	size_t shards;		/* shards created */
	size_t bytes;		/* kernel memory of shards and pages */
	uint64_t build_ns;	/* time spent building tables */
	size_t processes;	/* process loads (including reloads) */
};
void unwinder__stats(const struct unwinder *u, struct unwinder_stats *st);

struct profile;
/*
 * For a user stack whose walk ended incomplete (end != UNWIND_END_OK): the
 * marker location "[unwind: REASON]" that ends it; 0 for a complete one
 * (or on allocation failure: check with the other locations).
 */
uint32_t unwind_marker(struct profile *p, unsigned int end);
/* "truncated:" lines from the per-reason counters (STAT_UNWIND_END...,
 * summed over CPUs).  0 or -ENOMEM. */
int unwind_add_truncations(struct profile *p, const uint64_t *ends);

/* "auto", "dwarf", "fp" -> mode; -1 if none of those. */
int unwind_mode_parse(const char *s);

/* How user stacks are walked: the options of the modes that take stacks
 * (cpu, mem). */
struct stack_opts {
	int unwind;		/* --unwind: enum unwind_mode */
	uint64_t unwind_max_mb;	/* --unwind-max-mb: ceiling on tables */
	bool no_python;		/* --no-python: native frames only */
};

/* --unwind-max-mb default. */
#define UNWIND_DEFAULT_MAX_MB	256

/* Their option codes (run/cli.h: a mode's own codes start at
 * CLI_OPT_MODE; these sit below the modes' range). */
#define STACK_OPT_UNWIND	480
#define STACK_OPT_UNWIND_MAX_MB	481
#define STACK_OPT_NO_PYTHON	482
#define STACK_LONG_OPTIONS \
	{ "unwind",		required_argument, NULL, STACK_OPT_UNWIND }, \
	{ "unwind-max-mb",	required_argument, NULL, STACK_OPT_UNWIND_MAX_MB }, \
	{ "no-python",		no_argument, NULL, STACK_OPT_NO_PYTHON }

void stack_opts__defaults(struct stack_opts *o);
/* --unwind or --unwind-max-mb: CLI_OK, or CLI_USAGE (printed);
 * CLI_EXIT_OK: not one of them.  (enum cli_result as an int.) */
int stack_opts__parse(int c, const char *arg, struct stack_opts *o);
/* Their --help lines. */
void stack_opts__usage(FILE *out);
/* One line for each way user stacks ended incomplete (enum unwind_end). */
const char *unwind_end_name(unsigned int end);
const char *unwind_end_hint(unsigned int end);

#endif
