// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Opening files on a target's behalf: symlinks are not followed out of a
 * directory, FIFOs do not block and are refused, only regular files open,
 * and a mapping opens as the very file mapped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "symbols/procmaps.h"
#include "symbols/targetfs.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_targetfs.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void make_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void test_beneath(void **state)
{
	char path[256];
	int dfd, fd;

	(void)state;
	make_file("plain", "x");
	snprintf(path, sizeof(path), "%s/link", dir);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	snprintf(path, sizeof(path), "%s/sub", dir);
	assert_int_equal(mkdir(path, 0700), 0);

	dfd = open(dir, O_PATH | O_DIRECTORY);
	assert_true(dfd >= 0);
	fd = tfs_open_beneath(dfd, "plain");
	assert_true(fd >= 0);
	close(fd);
	/* No symlink followed, no FIFO waited on, no directory, no escape. */
	assert_int_equal(tfs_open_beneath(dfd, "link"), -ELOOP);
	assert_int_equal(tfs_open_beneath(dfd, "fifo"), -EINVAL);
	assert_int_equal(tfs_open_beneath(dfd, "sub"), -EINVAL);
	assert_int_equal(tfs_open_beneath(dfd, "../etc/passwd"), -EXDEV);
	assert_int_equal(tfs_open_beneath(dfd, "/etc/passwd"), -EXDEV);
	assert_int_equal(tfs_open_beneath(dfd, "missing"), -ENOENT);
	close(dfd);
}

/* In our own root, a path resolves as usual; a symlink at the end is not
 * followed. */
static void test_in_root(void **state)
{
	char path[256];
	int fd;

	(void)state;
	make_file("plain", "x");
	snprintf(path, sizeof(path), "%s/plain", dir);
	fd = tfs_open_in_root(getpid(), path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/link2", dir);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	assert_int_equal(tfs_open_in_root(getpid(), path), -ELOOP);
	assert_int_equal(tfs_open_in_root(999999999, "/etc/passwd"), -ESRCH);
}

/* Our own executable's mapping opens as our executable. */
static void test_mapping(void **state)
{
	struct proc_maps maps = {};
	struct stat a, b;
	char attach[128], exe[4096];
	ssize_t n;
	size_t i;
	int fd = -1;

	(void)state;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	assert_int_equal(procmaps__read(getpid(), &maps), 0);
	for (i = 0; i < maps.n; i++) {
		if (maps.v[i].kind != MAP_KIND_FILE || strcmp(maps.v[i].path, exe))
			continue;
		fd = tfs_open_mapping(getpid(), &maps.v[i], attach, sizeof(attach));
		break;
	}
	assert_true(fd >= 0);
	/* map_files as root; the checked path otherwise. */
	assert_true(strstr(attach, "/map_files/") || strstr(attach, "/proc/self/fd/"));
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(stat(exe, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(stat(attach, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	close(fd);
	procmaps__clear(&maps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_beneath, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_root, setup, teardown),
		cmocka_unit_test(test_mapping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
