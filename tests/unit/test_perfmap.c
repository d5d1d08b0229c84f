// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* perfmap: parsing JIT symbol maps, lookups, and finding a process's map. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

#include "symbols/perfmap.h"

static struct perfmap *parse_len(const char *text, size_t len)
{
	FILE *f = fmemopen((char *)text, len, "r");
	struct perfmap *m;

	assert_non_null(f);
	m = perfmap__parse(f);
	fclose(f);
	assert_non_null(m);
	return m;
}

static struct perfmap *parse_text(const char *text)
{
	return parse_len(text, strlen(text));
}

static void expect_hit(const struct perfmap *m, uint64_t addr,
		       const char *name, uint64_t offset)
{
	const char *got = NULL;
	uint64_t off = 0;

	if (!perfmap__lookup(m, addr, &got, &off))
		fail_msg("nothing at 0x%llx, expected %s",
			 (unsigned long long)addr, name);
	assert_string_equal(got, name);
	if (off != offset)
		fail_msg("0x%llx: %s+0x%llx, expected offset 0x%llx",
			 (unsigned long long)addr, got, (unsigned long long)off,
			 (unsigned long long)offset);
}

static void expect_miss(const struct perfmap *m, uint64_t addr)
{
	const char *got = NULL;
	uint64_t off = 0;

	if (perfmap__lookup(m, addr, &got, &off))
		fail_msg("0x%llx resolved to %s+0x%llx, expected nothing",
			 (unsigned long long)addr, got,
			 (unsigned long long)off);
}

static void test_hex_forms(void **state)
{
	struct perfmap *m = parse_text(
		"7f0000001000 40 plain\n"
		"0x7f0000002000 0x40 prefixed\n"
		"0X7F0000003000 0X4a upper\n"
		"7f0000004000\t10\ttabs\n"
		"7f0000005000   10   several blanks\n");

	(void)state;
	assert_int_equal(perfmap__skipped(m), 0);
	expect_hit(m, 0x7f0000001000ULL, "plain", 0);
	expect_hit(m, 0x7f000000103fULL, "plain", 0x3f);
	expect_hit(m, 0x7f0000002010ULL, "prefixed", 0x10);
	expect_hit(m, 0x7f0000003049ULL, "upper", 0x49);
	expect_miss(m, 0x7f000000304aULL);
	expect_hit(m, 0x7f0000004000ULL, "tabs", 0);
	expect_hit(m, 0x7f0000005001ULL, "several blanks", 1);
	perfmap__free(m);
}

static void test_names(void **state)
{
	struct perfmap *m = parse_text(
		"1000 10 LazyCompile:~handler /srv/my app/index.js:12:3\n"
		"2000 10 void Foo::bar(int, char const*)  [clone]  \n"
		"3000 10 dos line\r\n"
		"4000 10 no newline at the end");

	(void)state;
	assert_int_equal(perfmap__skipped(m), 0);
	expect_hit(m, 0x1000,
		   "LazyCompile:~handler /srv/my app/index.js:12:3", 0);
	/* Inner and trailing blanks belong to the name. */
	expect_hit(m, 0x2004, "void Foo::bar(int, char const*)  [clone]  ", 4);
	expect_hit(m, 0x3000, "dos line", 0);
	expect_hit(m, 0x400f, "no newline at the end", 0xf);
	perfmap__free(m);
}

static void test_malformed(void **state)
{
	static const char text[] =
		"1000 10 good_one\n"
		"garbage\n"
		"1000\n"
		"1000 10\n"			/* no name */
		"1000 10 \n"			/* blank name */
		"1000 10 \t \n"
		"1000,10 comma\n"
		"1000 zz bad_size\n"
		"zz 10 bad_start\n"
		"0x 10 bare_prefix\n"
		"-1000 10 negative\n"
		"+1000 10 plus\n"
		" 1000 10 leading_blank\n"
		"1000 -10 negative_size\n"
		"1000g 10 trailing_junk\n"
		"10000000000000000 10 start_too_big\n"
		"1000 10000000000000000 size_too_big\n"
		"ffffffffffffffff 2 past_the_end\n"
		"\n"			/* empty lines are not counted */
		"\n"
		"3000 8 nul\0inside\n"
		"2000 10 good_two\n";
	struct perfmap *m = parse_len(text, sizeof(text) - 1);

	(void)state;
	assert_int_equal(perfmap__skipped(m), 18);
	expect_hit(m, 0x1005, "good_one", 5);
	expect_hit(m, 0x2005, "good_two", 5);
	expect_miss(m, 0x3000);
	expect_miss(m, 0xffffffffffffffffULL);
	perfmap__free(m);
}

static void test_boundaries(void **state)
{
	struct perfmap *m = parse_text(
		"2000 100 second\n"
		"1000 100 first\n"		/* not sorted in the file */
		"1100 80 adjacent\n"
		"3000 0 empty\n"		/* covers nothing */
		"fffffffffffffff0 f last_page\n");

	(void)state;
	expect_miss(m, 0);
	expect_miss(m, 0xfff);
	expect_hit(m, 0x1000, "first", 0);
	expect_hit(m, 0x10ff, "first", 0xff);
	/* start + size belongs to the next function, if any. */
	expect_hit(m, 0x1100, "adjacent", 0);
	expect_hit(m, 0x117f, "adjacent", 0x7f);
	expect_miss(m, 0x1180);
	expect_miss(m, 0x1fff);
	expect_hit(m, 0x2000, "second", 0);
	expect_hit(m, 0x20ff, "second", 0xff);
	expect_miss(m, 0x2100);
	expect_miss(m, 0x3000);
	expect_hit(m, 0xfffffffffffffffeULL, "last_page", 0xe);
	expect_miss(m, 0xffffffffffffffffULL);
	perfmap__free(m);
}

static void test_empty(void **state)
{
	struct perfmap *m = parse_text("");

	(void)state;
	assert_int_equal(perfmap__skipped(m), 0);
	expect_miss(m, 0);
	expect_miss(m, 0x1000);
	perfmap__free(m);

	m = parse_text("not a map\n");
	assert_int_equal(perfmap__skipped(m), 1);
	expect_miss(m, 0);
	perfmap__free(m);

	/* Freeing nothing is harmless. */
	perfmap__free(NULL);
}

static void test_reemitted(void **state)
{
	struct perfmap *m = parse_text(
		/* The same start emitted twice: the second is current. */
		"1000 100 old_same_start\n"
		"1000 80 new_same_start\n"
		/* New code in the middle of old: old keeps both ends. */
		"2000 100 old_outer\n"
		"2040 20 new_inner\n"
		/* New code over all of old and more. */
		"3010 10 old_small\n"
		"3000 100 new_big\n"
		/* Partial overlaps at either end. */
		"4000 100 old_left\n"
		"4080 100 new_right\n"
		"5080 100 old_right\n"
		"5000 100 new_left\n"
		/* Three generations over one spot. */
		"6000 100 gen1\n"
		"6000 80 gen2\n"
		"6000 40 gen3\n"
		/* A line repeated: one function. */
		"7000 10 twice\n"
		"7000 10 twice\n");

	(void)state;
	assert_int_equal(perfmap__skipped(m), 0);

	expect_hit(m, 0x1000, "new_same_start", 0);
	expect_hit(m, 0x107f, "new_same_start", 0x7f);
	/* The tail beyond the new code is still the old function. */
	expect_hit(m, 0x1080, "old_same_start", 0x80);
	expect_hit(m, 0x10ff, "old_same_start", 0xff);

	expect_hit(m, 0x203f, "old_outer", 0x3f);
	expect_hit(m, 0x2040, "new_inner", 0);
	expect_hit(m, 0x205f, "new_inner", 0x1f);
	/* Offsets stay relative to the function's own start. */
	expect_hit(m, 0x2060, "old_outer", 0x60);
	expect_miss(m, 0x2100);

	expect_hit(m, 0x3000, "new_big", 0);
	expect_hit(m, 0x3010, "new_big", 0x10);
	expect_hit(m, 0x301f, "new_big", 0x1f);
	expect_hit(m, 0x30ff, "new_big", 0xff);

	expect_hit(m, 0x407f, "old_left", 0x7f);
	expect_hit(m, 0x4080, "new_right", 0);
	expect_hit(m, 0x40ff, "new_right", 0x7f);
	expect_hit(m, 0x417f, "new_right", 0xff);

	expect_hit(m, 0x5000, "new_left", 0);
	expect_hit(m, 0x5080, "new_left", 0x80);
	expect_hit(m, 0x50ff, "new_left", 0xff);
	expect_hit(m, 0x5100, "old_right", 0x80);
	expect_hit(m, 0x517f, "old_right", 0xff);

	expect_hit(m, 0x6000, "gen3", 0);
	expect_hit(m, 0x6040, "gen2", 0x40);
	expect_hit(m, 0x6080, "gen1", 0x80);

	expect_hit(m, 0x700f, "twice", 0xf);
	perfmap__free(m);
}

/*
 * Many lines, many overlapping, checked against the rule applied by brute
 * force: the last line covering an address names it.
 */
#define MANY	3000

struct line {
	uint64_t start, size;
};

static uint64_t next_rand(uint64_t *s)
{
	/* xorshift64: fixed seed, the same run every time. */
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void test_many_against_brute_force(void **state)
{
	struct line *lines = calloc(MANY, sizeof(*lines));
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	char *text = NULL, name[32];
	size_t len = 0, i, probe;
	struct perfmap *m;
	FILE *f;

	(void)state;
	assert_non_null(lines);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	for (i = 0; i < MANY; i++) {
		/* 64 KiB of code space: lines overlap a lot. */
		lines[i].start = 0x400000 + next_rand(&seed) % 0x10000;
		lines[i].size = 1 + next_rand(&seed) % 0x200;
		fprintf(f, "%s%llx %llx fn_%zu\n", i % 2 ? "0x" : "",
			(unsigned long long)lines[i].start,
			(unsigned long long)lines[i].size, i);
	}
	fclose(f);
	m = parse_len(text, len);
	free(text);
	assert_int_equal(perfmap__skipped(m), 0);

	for (probe = 0; probe < 20000; probe++) {
		uint64_t addr = 0x3fff00 + next_rand(&seed) % 0x10400;
		size_t j = MANY;

		for (i = MANY; i-- > 0;) {
			if (addr >= lines[i].start &&
			    addr - lines[i].start < lines[i].size) {
				j = i;
				break;
			}
		}
		if (j == MANY) {
			expect_miss(m, addr);
			continue;
		}
		snprintf(name, sizeof(name), "fn_%zu", j);
		expect_hit(m, addr, name, addr - lines[j].start);
	}
	perfmap__free(m);
	free(lines);
}

/* This process's map, where a JIT in it would write it. */
static void self_map_path(char *path, size_t size)
{
	snprintf(path, size, "/tmp/perf-%d.map", (int)getpid());
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/*
 * A target writes its perf map: a sparse file of zeros costs it no disk,
 * a line without an end no effort.  Reading stops at PERFMAP_MAX_BYTES and
 * says so; an overlong line is skipped; memory stays small.
 */
static void test_hostile_sizes(void **state)
{
	char path[] = "/tmp/test_perfmap_bigXXXXXX", big[8192];
	struct rusage before, after;
	struct perfmap *m;
	const char *name;
	uint64_t off;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 1LL << 30), 0);
	f = fdopen(fd, "r");
	assert_non_null(f);
	getrusage(RUSAGE_SELF, &before);
	m = perfmap__parse(f);
	getrusage(RUSAGE_SELF, &after);
	fclose(f);
	unlink(path);
	assert_non_null(m);
	assert_true(perfmap__truncated(m));
	assert_false(perfmap__lookup(m, 0, &name, &off));
	/* ru_maxrss is in KiB. */
	assert_true(after.ru_maxrss - before.ru_maxrss < 16 * 1024);
	perfmap__free(m);

	/* A line longer than PERFMAP_MAX_LINE, then a good one. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "1000 10 ", 8);
	{
		char *text;

		assert_true(asprintf(&text, "%s\n2000 10 good\n", big) > 0);
		m = parse_text(text);
		free(text);
	}
	assert_non_null(m);
	assert_false(perfmap__truncated(m));
	assert_int_equal(perfmap__skipped(m), 1);
	assert_false(perfmap__lookup(m, 0x1005, &name, &off));
	assert_true(perfmap__lookup(m, 0x2005, &name, &off));
	assert_string_equal(name, "good");
	perfmap__free(m);
}

static void test_load_self(void **state)
{
	struct perfmap *m;
	char path[64];

	(void)state;
	self_map_path(path, sizeof(path));
	unlink(path);
	errno = 0;
	assert_null(perfmap__load(getpid()));
	assert_int_equal(errno, ENOENT);

	write_file(path, "7f1234560000 200 Script:~jitted /app/x.js:3\n"
			 "0x7f1234560200 0x100 Builtin:ArgumentsAdaptor\n"
			 "this line is skipped\n");
	m = perfmap__load(getpid());
	unlink(path);
	assert_non_null(m);
	assert_int_equal(perfmap__skipped(m), 1);
	expect_hit(m, 0x7f1234560010ULL, "Script:~jitted /app/x.js:3", 0x10);
	expect_hit(m, 0x7f1234560200ULL, "Builtin:ArgumentsAdaptor", 0);
	expect_miss(m, 0x7f1234560300ULL);
	perfmap__free(m);

	/* PIDs above PID_MAX_LIMIT (2^22) never exist. */
	errno = 0;
	assert_null(perfmap__load(INT_MAX));
	assert_int_equal(errno, ENOENT);
}

/* What perfmap__load refuses: not a regular file, not the process's own. */
static void test_load_refused(void **state)
{
	char path[64], other[80];

	(void)state;
	self_map_path(path, sizeof(path));
	unlink(path);

	/* A FIFO nobody writes would block a plain open. */
	assert_int_equal(mkfifo(path, 0600), 0);
	errno = 0;
	assert_null(perfmap__load(getpid()));
	assert_int_equal(errno, EINVAL);
	unlink(path);

	/* A planted symlink is not followed. */
	snprintf(other, sizeof(other), "%s.target", path);
	write_file(other, "1000 10 f\n");
	assert_int_equal(symlink(other, path), 0);
	errno = 0;
	assert_null(perfmap__load(getpid()));
	assert_int_equal(errno, ELOOP);
	unlink(path);
	unlink(other);

	/* Owned by someone who is neither root nor this process. */
	if (geteuid() != 0)
		return;
	write_file(path, "1000 10 f\n");
	assert_int_equal(chown(path, 4242, 4242), 0);
	errno = 0;
	assert_null(perfmap__load(getpid()));
	assert_int_equal(errno, EACCES);
	unlink(path);
}

/*
 * A process in its own PID and mount namespaces, as in a container: it is
 * pid 1 to itself and writes /tmp/perf-1.map on its private /tmp, which the
 * host reaches only through /proc/PID/root.
 */
static void __attribute__((noreturn)) contained_child(int ready_fd, int hold_fd)
{
	int inner_ready[2], status;
	pid_t inner;
	char c = 0;

	if (unshare(CLONE_NEWNS | CLONE_NEWPID) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("perfmap-test", "/tmp", "tmpfs", 0, "size=64k"))
		_exit(3);
	if (pipe(inner_ready))
		_exit(4);
	inner = fork();
	if (inner < 0)
		_exit(4);
	if (inner == 0) {
		FILE *f;

		/* Pid 1 here, something else outside. */
		if (getpid() != 1)
			_exit(5);
		f = fopen("/tmp/perf-1.map", "w");
		if (!f || fputs("5000 100 contained_fn\n", f) < 0 || fclose(f))
			_exit(6);
		if (write(inner_ready[1], &c, 1) != 1)
			_exit(7);
		/* Stay until the test closes its end. */
		while (read(hold_fd, &c, 1) > 0)
			;
		_exit(0);
	}
	close(inner_ready[1]);
	/* Once its map is written, tell the test its pid outside. */
	if (read(inner_ready[0], &c, 1) != 1 ||
	    write(ready_fd, &inner, sizeof(inner)) != sizeof(inner))
		_exit(8);
	if (waitpid(inner, &status, 0) != inner)
		_exit(9);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 10);
}

static void test_load_namespaced(void **state)
{
	int ready[2], hold[2], status;
	pid_t child, inner = 0;
	struct perfmap *m;
	char path[64];
	ssize_t n;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	assert_int_equal(pipe2(hold, O_CLOEXEC), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(ready[0]);
		close(hold[1]);
		contained_child(ready[1], hold[0]);
	}
	close(ready[1]);
	close(hold[0]);
	n = read(ready[0], &inner, sizeof(inner));
	if (n != sizeof(inner)) {
		/* No namespaces (restricted container): nothing to test. */
		close(ready[0]);
		close(hold[1]);
		waitpid(child, &status, 0);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
			skip();
		fail_msg("namespaced child failed: status 0x%x", status);
	}
	close(ready[0]);

	/* The host's /tmp has no such file, and must not be looked at. */
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)inner);
	assert_int_equal(access(path, F_OK), -1);
	m = perfmap__load(inner);
	close(hold[1]);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_non_null(m);
	expect_hit(m, 0x5010, "contained_fn", 0x10);
	perfmap__free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_forms),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_reemitted),
		cmocka_unit_test(test_many_against_brute_force),
		cmocka_unit_test(test_hostile_sizes),
		cmocka_unit_test(test_load_self),
		cmocka_unit_test(test_load_refused),
		cmocka_unit_test(test_load_namespaced),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
