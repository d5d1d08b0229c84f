/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The uprobes of a run, for every mode that places them (mem, lat): one
 * uprobe_multi link per program, file and process where the kernel has
 * them (Linux 6.6+: one system call, and one RCU grace period to detach
 * instead of one per probe), else a perf event per probe.  Offsets the
 * kernel refuses to probe are found (halving the set on a multi link) and
 * handed back, so that the rest attach.
 */
#ifndef PROFILER_UPROBE_LINKS_H
#define PROFILER_UPROBE_LINKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct bpf_program;
struct bpf_link;

struct uprobe_links {
	bool multi;		/* uprobe_multi links */
	int *fds;		/* uprobe_multi links */
	size_t nfds, fds_cap;
	struct bpf_link **links;	/* perf-event links */
	size_t nlinks, links_cap;
};

/* Which kind of links this kernel takes (said with -v). */
void uprobe_links__init(struct uprobe_links *u);

/* Programs must be loaded with the attach type uprobe_multi links need:
 * call this for each before loading. */
void uprobe_links__prepare(const struct uprobe_links *u, struct bpf_program *prog);

/*
 * An offset the kernel will not probe (the instruction there), as told by
 * uprobe_links__attach: cookie is that offset's.
 */
typedef void (*uprobe_refused_fn)(void *ctx, uint64_t cookie, int err);

/*
 * Attach prog at offs[0..n) of path (as the profiler opens it; shown as
 * name in errors) in process pid, each with its BPF cookie; ret: as return
 * probes.  With refused, offsets the kernel will not probe are passed to
 * it and the others attach; without, they fail the call.  0, or -errno
 * with the error printed.
 */
int uprobe_links__attach(struct uprobe_links *u, struct bpf_program *prog,
			 pid_t pid, const char *path, const char *name,
			 const uint64_t *offs, const uint64_t *cookies, size_t n,
			 bool ret, uprobe_refused_fn refused, void *ctx);

/* Links held. */
size_t uprobe_links__count(const struct uprobe_links *u);

/* Detach everything (waits for the kernel's grace periods; -v says how
 * long). */
void uprobe_links__detach(struct uprobe_links *u);

/* Detach and free. */
void uprobe_links__free(struct uprobe_links *u);

#endif
