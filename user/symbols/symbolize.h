/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Addresses -> frames for every mode.  Each process's mappings are read when
 * it is first seen (and again when an address misses them); each ELF file is
 * read once per run and shared by all processes that map it.
 */
#ifndef PROFILER_SYMBOLIZE_H
#define PROFILER_SYMBOLIZE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/frame.h"

struct symbolizer;

/* Most frames one address expands to: inlined calls plus the function. */
#define SYMBOLIZER_MAX_FRAMES FRAME_MAX_EXPANSION

struct symbolizer_opts {
	bool no_inline;		/* --no-inline: no frames for inlined calls */
	bool no_demangle;	/* --no-demangle: raw C++/Rust symbol names */
	const char *debug_dirs;	/* --debug-dir roots, ':'-separated, or NULL */
};

/* opts may be NULL for the defaults; it is copied, debug_dirs is not. */
struct symbolizer *symbolizer__new(const struct symbolizer_opts *opts);
void symbolizer__free(struct symbolizer *s);
/*
 * Read pid's mappings and open the files they map now, while it runs.  gen
 * counts the execs of pid seen so far (0 without exec): each generation keeps
 * its own snapshot, and only the newest is ever read again (a later call for
 * it replaces the snapshot).  -ENOENT: process gone.
 */
int symbolizer__add_process(struct symbolizer *s, pid_t pid, uint32_t gen);
/*
 * Resolve a user-space address of pid (in image gen) into at most max frames, innermost
 * first: the calls inlined at ip, then the function containing it.  Returns
 * how many (at least 1 when max > 0: an unnamed frame still says where it
 * is).  Each (pid, ip) is resolved once, then answered from a cache.  The
 * strings in the frames live as long as s.
 */
int symbolizer__resolve_user(struct symbolizer *s, pid_t pid, uint32_t gen,
			     uint64_t ip, struct frame *out, int max);
/*
 * The same for an address of an ELF file on disk, no process involved:
 * vaddr is an ELF virtual address (what addr2line takes).  For tools,
 * tests and re-symbolizing saved profiles.  A path names the file it named
 * at its first call for as long as s lives.
 */
int symbolizer__resolve_file(struct symbolizer *s, const char *path,
			     uint64_t vaddr, struct frame *out, int max);
void symbolizer__resolve_kernel(struct symbolizer *s, uint64_t ip,
				struct frame *f);

struct pyframes;
/* Name Python frames (tagged addresses, include/python.h) with py (which
 * outlives s); without, they are "[python]". */
void symbolizer__set_python(struct symbolizer *s, struct pyframes *py);

/*
 * From now on, ask stop(ctx) now and then (at most every 20 ms) before naming
 * a new address; once it says true, addresses not named yet get only their
 * module and offset, and no more files are read.  For a Ctrl-C after the run.
 */
void symbolizer__stop_when(struct symbolizer *s, bool (*stop)(void *ctx),
			   void *ctx);

/* Counters for the run summary and for tests. */
struct symbolizer_stats {
	uint64_t elf_opened;	/* distinct ELF files read */
	uint64_t elf_failed;	/* files that could not be read */
	uint64_t maps_reads;	/* /proc/PID/maps reads */
	uint64_t resolved;	/* addresses resolved (each once per process) */
	uint64_t unnamed;	/* left unnamed: stopped by symbolizer__stop_when */
	uint64_t processes;	/* process images held now */
	uint64_t dropped;	/* process images dropped by symbolizer__sweep */
	uint64_t frames;	/* distinct frames held */
};
void symbolizer__stats(const struct symbolizer *s, struct symbolizer_stats *st);

/*
 * For runs of days that follow processes coming and going.  Each process
 * image held is checked (kill(pid, 0)); one whose process is gone, or that
 * a later generation (exec) replaced, is marked
 * with now (>= 1), and those marked before `before` are dropped: their
 * mappings and address caches, and their JIT maps.  A mode passes as
 * `before` the first sweep whose process may still have addresses waiting
 * to be named (the oldest of its captures).  dropped(ctx, pid), if set, is
 * told of each.  A pid announced again (symbolizer__add_process) is running
 * again.  How many were dropped.
 */
size_t symbolizer__sweep(struct symbolizer *s, uint64_t now, uint64_t before,
			 void (*dropped)(void *ctx, pid_t pid), void *ctx);

#endif
