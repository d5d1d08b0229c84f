/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Which file holds the allocator a process uses, and where its functions
 * are: the executable when it defines malloc itself (static binaries, own
 * allocators), else a library other than libc that does (jemalloc, tcmalloc,
 * mimalloc...), else libc.  --lib and --prefix override.
 */
#ifndef PROFILER_ALLOCATOR_H
#define PROFILER_ALLOCATOR_H

#include <stdbool.h>
#include <sys/types.h>

#include "symbols/elfsyms.h"
#include "mem.h"
#include "probes/probe.h"

struct allocator {
	/* A path the kernel resolves to the allocator's very file, for
	 * attaching: /proc/PID/map_files/..., or /proc/self/fd/N of fd. */
	char path[4200];
	int fd;			/* kept open for path, or -1 */
	char shown[4096];	/* as the process maps it */
	char prefix[32];	/* e.g. "je_", "" */
	bool found[MEM__FN_MAX];
	struct elf_func fn[MEM__FN_MAX];
	/* A function at the same address as an earlier one (memalign and
	 * aligned_alloc in glibc) is probed once: the index of that one. */
	int alias_of[MEM__FN_MAX];
};

extern const char *const mem_fn_names[MEM__FN_MAX];

/*
 * Find the allocator of pid.  lib: a path as the process sees it, or NULL
 * to choose; prefix: a symbol prefix, or NULL to try "" then known ones.
 * 0, or -ENOENT (with a message in why) when no file defines malloc.
 */
int allocator_find(pid_t pid, const char *lib, const char *prefix,
		   struct allocator *a, char *why, size_t why_len);
/* Close what allocator_find kept open (a is then unusable). */
void allocator_release(struct allocator *a);

#endif
