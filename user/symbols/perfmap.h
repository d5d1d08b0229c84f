/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * JIT symbol maps: /tmp/perf-PID.map, written by JIT runtimes (node
 * --perf-basic-prof, perf-map-agent for the JVM, LuaJIT, .NET) to name code
 * they generate in anonymous memory.  One line per function:
 *
 *	START SIZE NAME
 *
 * START and SIZE in hex, with or without 0x; NAME is the rest of the line
 * and may contain spaces.
 */
#ifndef PROFILER_PERFMAP_H
#define PROFILER_PERFMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct perfmap;

/*
 * Parse a perf map.  Where entries overlap, the one on the later line owns
 * the addresses they share, as JITs re-emit code over freed code.  Lines
 * that are not "START SIZE NAME" are skipped and counted; empty lines are
 * ignored.  NULL with errno on failure (ENOMEM, EIO on a read error).
 */
struct perfmap *perfmap__parse(FILE *f);

/*
 * The map of process pid as the process itself sees it:
 * /proc/PID/root/tmp/perf-NSPID.map, NSPID being its pid in its own PID
 * namespace.  The file must be a regular file owned by root or by the
 * process's real or effective user, as perf requires: /tmp is writable by
 * everyone.  NULL with errno on failure: ENOENT (no process or no map),
 * EACCES (owned by another user), EINVAL (not a regular file), or as
 * perfmap__parse.
 */
struct perfmap *perfmap__load(pid_t pid);

/*
 * The JIT function containing addr (start inclusive, start + size
 * exclusive) and addr's offset from its start; false if none.  *name lives
 * as long as m.
 */
bool perfmap__lookup(const struct perfmap *m, uint64_t addr,
		     const char **name, uint64_t *offset);

/* Lines skipped as malformed (or longer than PERFMAP_MAX_LINE). */
size_t perfmap__skipped(const struct perfmap *m);
/* Only the first PERFMAP_MAX_BYTES of the file were read. */
bool perfmap__truncated(const struct perfmap *m);

/* Bounds on a file the target writes. */
#define PERFMAP_MAX_LINE	4096
#define PERFMAP_MAX_BYTES	(64u << 20)

void perfmap__free(struct perfmap *m);

#endif
