/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Where a COMMAND can be stopped once its libraries are mapped: the entry
 * point of the executable it will run.  Modes that probe libraries put a
 * uprobe there that stops the process (SIGSTOP from BPF), probe what it
 * maps, then let it go.
 */
#ifndef PROFILER_ENTRY_POINT_H
#define PROFILER_ENTRY_POINT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The file execvp(cmd) runs (searched in $PATH when cmd has no '/') into
 * path, and its ELF entry point as a file offset into *off.  0, -ENOENT
 * (not found), -ENOEXEC (not an ELF executable, e.g. a script) or -errno.
 */
int command_entry_point(const char *cmd, char *path, size_t len, uint64_t *off);

struct bpf_program;
struct bpf_link;
/*
 * Attach prog (a program that stops the process and tells the loader) at
 * the entry point of the executable cmd will run, for process pid (forked,
 * not yet exec'ed).  The link, or NULL with the error printed.
 */
struct bpf_link *entry_point__stop(struct bpf_program *prog, pid_t pid,
				   const char *cmd);

#endif
