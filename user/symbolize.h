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

struct symbolizer;

struct frame {
	const char *name;	/* function name; NULL when it can't be named */
	const char *module;	/* "libc.so.6", "[vdso]", "[kernel.kallsyms]",
				 * a kernel module name; NULL: no mapping */
	const char *path;	/* the module's file, when it has one */
	const char *build_id;	/* hex, "" if unknown */
	uint64_t address;	/* module-relative (ELF vaddr), or kernel address */
	bool kernel;
};

struct symbolizer *symbolizer__new(void);
void symbolizer__free(struct symbolizer *s);
/*
 * Read pid's mappings and open the files they map now, while it runs.  A
 * later call replaces the snapshot (after exec).  -ENOENT: process gone.
 */
int symbolizer__add_process(struct symbolizer *s, pid_t pid);
/*
 * Resolve a user-space address of pid; each (pid, ip) is resolved once and
 * then answered from a cache.  The strings in f live as long as s.
 */
void symbolizer__resolve_user(struct symbolizer *s, pid_t pid, uint64_t ip,
			      struct frame *f);
void symbolizer__resolve_kernel(struct symbolizer *s, uint64_t ip,
				struct frame *f);

/* Counters for the run summary and for tests. */
struct symbolizer_stats {
	uint64_t elf_opened;	/* distinct ELF files read */
	uint64_t elf_failed;	/* files that could not be read */
	uint64_t maps_reads;	/* /proc/PID/maps reads */
	uint64_t resolved;	/* addresses resolved (each once per process) */
};
void symbolizer__stats(const struct symbolizer *s, struct symbolizer_stats *st);

#endif
