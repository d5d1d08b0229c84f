// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "symbols/procmaps.h"
#include "symbols/targetfs.h"

static int sys_openat2(int dirfd, const char *path, int flags, __u64 resolve)
{
	struct open_how how = {
		.flags = (__u64)flags,
		.resolve = resolve,
	};

	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

int tfs_check_regular(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	return S_ISREG(st.st_mode) ? 0 : -EINVAL;
}

/* fd, if it is a regular file; else closed and -errno. */
static int keep_regular(int fd)
{
	int err;

	if (fd < 0)
		return -errno;
	err = tfs_check_regular(fd);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

#define OPEN_FLAGS	(O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)

int tfs_open_under(const char *dir, const char *rel)
{
	char root[64], inner[4096];
	int dfd, fd, pid, n = 0, err;

	if (sscanf(dir, "/proc/%d/root%n", &pid, &n) == 1 && n > 0 &&
	    (dir[n] == '/' || dir[n] == '\0')) {
		snprintf(root, sizeof(root), "/proc/%d/root", pid);
		if ((size_t)snprintf(inner, sizeof(inner), "%s/%s", dir + n, rel) >=
		    sizeof(inner))
			return -ENAMETOOLONG;
		dfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			return -errno;
		fd = sys_openat2(dfd, inner[0] == '/' ? inner + 1 : inner, OPEN_FLAGS,
				 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	} else {
		dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			return -errno;
		fd = sys_openat2(dfd, rel, OPEN_FLAGS,
				 RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
	}
	err = errno;
	close(dfd);
	errno = err;
	return keep_regular(fd);
}

int tfs_open_in_root(pid_t pid, const char *path)
{
	char root[64];
	int rfd, fd, err;

	snprintf(root, sizeof(root), "/proc/%d/root", (int)pid);
	rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	while (*path == '/')
		path++;
	fd = sys_openat2(rfd, *path ? path : ".", OPEN_FLAGS,
			 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	err = errno;
	close(rfd);
	errno = err;
	/* O_NOFOLLOW on a symlink: ELOOP. */
	return keep_regular(fd);
}

int tfs_open_beneath(int dirfd, const char *path)
{
	return keep_regular(sys_openat2(dirfd, path, OPEN_FLAGS,
					RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
					RESOLVE_NO_MAGICLINKS));
}

void tfs_debug_name(pid_t pid, const struct map_entry *e, char *buf, size_t len)
{
	char link[64], root[16];
	ssize_t n;

	if (e->deleted || !e->path) {
		snprintf(buf, len, "/proc/%d/map_files/%llx-%llx", (int)pid,
			 (unsigned long long)e->start, (unsigned long long)e->end);
		return;
	}
	snprintf(link, sizeof(link), "/proc/%d/root", (int)pid);
	n = readlink(link, root, sizeof(root) - 1);
	if (n == 1 && root[0] == '/')
		snprintf(buf, len, "%s", e->path);
	else
		snprintf(buf, len, "/proc/%d/root%s", (int)pid, e->path);
}

int tfs_open_mapping(pid_t pid, const struct map_entry *e, char *attach,
		     size_t len)
{
	char path[96];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", (int)pid,
		 (unsigned long long)e->start, (unsigned long long)e->end);
	/* The magic link leads to the mapped file itself, not to whatever
	 * its path names now: the one link worth following. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd >= 0) {
		fd = keep_regular(fd);
		if (fd >= 0 && attach)
			snprintf(attach, len, "%s", path);
		return fd;
	}
	if (errno == ESRCH)
		return -ESRCH;
	/* No map_files (CONFIG_CHECKPOINT_RESTORE off): the path in the
	 * process's root, which must still be the mapped file. */
	if (!e->path || e->deleted)
		return -ENOENT;
	fd = tfs_open_in_root(pid, e->path);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) || st.st_ino != e->inode ||
	    major(st.st_dev) != e->dev_major || minor(st.st_dev) != e->dev_minor) {
		close(fd);
		return -ESTALE;
	}
	if (attach)
		snprintf(attach, len, "/proc/self/fd/%d", fd);
	return fd;
}
