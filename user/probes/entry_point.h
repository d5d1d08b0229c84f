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
struct bpf_map;
struct bpf_link;
struct ring_buffer;

/*
 * A COMMAND stopped at its entry point (bpf/entry_stop.bpf.h): when it gets
 * there, reached(ctx) runs (resolve and attach the probes; an error is the
 * mode's to note), then the process is let go.
 */
struct entry_stop {
	struct bpf_link *link;
	pid_t pid;
	void (*reached)(void *ctx);
	void *ctx;
};

/*
 * Attach prog (entry_stop) at the entry point of the executable cmd will
 * run, for process pid (forked, not yet exec'ed), and listen on events
 * (entry_events) through *rb (created, or added to).  0, or -1 with the
 * error printed.
 */
int entry_stop__attach(struct entry_stop *es, struct bpf_program *prog,
		       struct bpf_map *events, struct ring_buffer **rb,
		       pid_t pid, const char *cmd,
		       void (*reached)(void *ctx), void *ctx);
void entry_stop__detach(struct entry_stop *es);

#endif
