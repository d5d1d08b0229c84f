/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * uprobe_multi links (Linux 6.6+): one BPF link puts a program on many
 * offsets of one file for one process, each offset with its own BPF
 * cookie.  Attaching is one system call instead of a perf event per probe,
 * and, what matters more, detaching waits for one RCU grace period per
 * link instead of one per probe: on 6.12+ kernels that wait is 100 ms or
 * more, so a thousand functions probed one by one take minutes to detach.
 *
 * libbpf 1.1 predates these links: the link is created with bpf(2)
 * directly.
 */
#ifndef PROFILER_UPROBE_MULTI_H
#define PROFILER_UPROBE_MULTI_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* enum bpf_attach_type's BPF_TRACE_UPROBE_MULTI (UAPI): programs attached
 * this way must be loaded with it as their expected attach type. */
#define UPROBE_MULTI_ATTACH_TYPE	48

/* Does the running kernel have uprobe_multi links?  Asked of the kernel
 * (a trial link on "/"), once.  PROFILER_NO_UPROBE_MULTI=1 in the
 * environment says no, so that tests and benchmarks can run the older
 * kernels' path. */
bool uprobe_multi__supported(void);

/*
 * Attach prog_fd at n file offsets of path (a path the profiler can open)
 * for process pid; ret: as return probes.  Returns the link's fd (close it
 * to detach) or -errno; one offset the kernel refuses to probe fails the
 * whole call.
 */
int uprobe_multi__attach(int prog_fd, const char *path, const uint64_t *offsets,
			 const uint64_t *cookies, uint32_t n, pid_t pid, bool ret);

#endif
