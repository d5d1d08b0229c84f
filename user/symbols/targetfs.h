/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one way to open a file on a target's behalf.  The profiler runs as
 * root and reads files that the profiled processes control (their
 * executables and libraries, debug links, perf maps); a process in a
 * container can plant symlinks and FIFOs where the profiler will look.
 * So:
 *   - a mapped file is opened through /proc/PID/map_files: the very inode
 *     the process maps, wherever its path now leads;
 *   - a path the process names is resolved inside its root directory
 *     (openat2 RESOLVE_IN_ROOT: "/" and ".." never leave it, no magic
 *     links), the last component never followed;
 *   - everything is opened O_NONBLOCK (a FIFO can't block the profiler)
 *     and must be a regular file.
 */
#ifndef PROFILER_TARGETFS_H
#define PROFILER_TARGETFS_H

#include <stddef.h>
#include <sys/types.h>

struct map_entry;

/*
 * Open the file mapped at e in process pid.  map_files first; where it is
 * not available, e's path in the process's root, whose device and inode
 * must then be the mapping's.  attach (if not NULL) receives a path the
 * kernel resolves to this very file, for attaching probes.  An fd, or
 * -errno (-ESTALE: the path now leads to another file).
 */
int tfs_open_mapping(pid_t pid, const struct map_entry *e, char *attach,
		     size_t len);

/*
 * The name debug files of mapping e are looked up by (its directory for
 * .gnu_debuglink): the path as mapped, in the host's view when pid's root
 * is the host's, else under /proc/PID/root; map_files for a deleted file.
 */
void tfs_debug_name(pid_t pid, const struct map_entry *e, char *buf, size_t len);

/* Open path (absolute, as process pid sees it) resolved inside pid's
 * root; a regular file.  An fd, or -errno (-EINVAL: not a regular file). */
int tfs_open_in_root(pid_t pid, const char *path);

/*
 * Open path relative to the directory dirfd, resolved beneath it
 * (RESOLVE_BENEATH: no absolute jumps, no "..", no magic links) with no
 * symlink followed at all; a regular file.  For directories the profiler
 * trusts more than their contents (debug directories).  An fd or -errno.
 */
int tfs_open_beneath(int dirfd, const char *path);

/*
 * Open rel under the directory dir: inside a target's root when dir is
 * /proc/PID/root/... (rel and dir's rest resolved in that root), else
 * beneath dir (symlinks may be followed, never out of it, no magic links).
 * O_NONBLOCK, a regular file.  For debug files.  An fd or -errno.
 */
int tfs_open_under(const char *dir, const char *rel);

/* The same check on an fd opened some other way: 0 if it is a regular
 * file, else -EINVAL (or -errno). */
int tfs_check_regular(int fd);

#endif
