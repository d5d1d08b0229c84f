// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* procmaps: one /proc/PID/maps line, a whole listing, and address lookup. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "symbols/procmaps.h"

#define SAMPLE_MAPS TESTDATA_DIR "/maps_sample.txt"

static void test_file_mapping(void **state)
{
	struct map_entry e;

	(void)state;
	assert_int_equal(procmaps__parse_line(
		"7f2a1c628000-7f2a1c7bd000 r-xp 00028000 fd:01 1835042"
		"                    /usr/lib/x86_64-linux-gnu/libc.so.6\n", &e), 0);
	assert_int_equal(e.start, 0x7f2a1c628000ULL);
	assert_int_equal(e.end, 0x7f2a1c7bd000ULL);
	assert_int_equal(e.pgoff, 0x28000);
	assert_int_equal(e.dev_major, 0xfd);
	assert_int_equal(e.dev_minor, 1);
	assert_int_equal(e.inode, 1835042);
	assert_true(e.exec);
	assert_false(e.deleted);
	assert_int_equal(e.kind, MAP_KIND_FILE);
	assert_string_equal(e.path, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	free(e.path);

	/* Not executable, no trailing newline, device numbers are hex. */
	assert_int_equal(procmaps__parse_line(
		"00400000-00401000 r--p 00000000 103:0a 77 /bin/true", &e), 0);
	assert_false(e.exec);
	assert_int_equal(e.dev_major, 0x103);
	assert_int_equal(e.dev_minor, 0xa);
	assert_string_equal(e.path, "/bin/true");
	free(e.path);
}

static void test_path_with_spaces(void **state)
{
	struct map_entry e;

	(void)state;
	assert_int_equal(procmaps__parse_line(
		"1000-2000 r-xp 00000000 08:02 42    /opt/my app/lib  hot.so\n",
		&e), 0);
	assert_int_equal(e.kind, MAP_KIND_FILE);
	/* Inner spaces, even doubled ones, belong to the name. */
	assert_string_equal(e.path, "/opt/my app/lib  hot.so");
	assert_false(e.deleted);
	free(e.path);
}

static void test_deleted_suffix(void **state)
{
	struct map_entry e;

	(void)state;
	assert_int_equal(procmaps__parse_line(
		"1000-2000 r-xp 00001000 08:02 42 /opt/my app/lib.so (deleted)\n",
		&e), 0);
	assert_true(e.deleted);
	assert_int_equal(e.kind, MAP_KIND_FILE);
	assert_string_equal(e.path, "/opt/my app/lib.so");
	free(e.path);

	/* The suffix only counts at the very end. */
	assert_int_equal(procmaps__parse_line(
		"1000-2000 r-xp 00001000 08:02 42 /tmp/a (deleted)/b.so\n", &e), 0);
	assert_false(e.deleted);
	assert_string_equal(e.path, "/tmp/a (deleted)/b.so");
	free(e.path);

	/* Only file paths get the suffix stripped. */
	assert_int_equal(procmaps__parse_line(
		"1000-2000 r-xp 00000000 00:00 0 [anon:x (deleted)]\n", &e), 0);
	assert_false(e.deleted);
	assert_string_equal(e.path, "[anon:x (deleted)]");
	free(e.path);
}

static void test_anonymous(void **state)
{
	struct map_entry e;

	(void)state;
	/* The kernel pads the inode column with one space even without a name. */
	assert_int_equal(procmaps__parse_line(
		"7f2a10000000-7f2a10021000 rwxp 00000000 00:00 0 \n", &e), 0);
	assert_int_equal(e.kind, MAP_KIND_ANON);
	assert_null(e.path);
	assert_true(e.exec);
	assert_false(e.deleted);

	assert_int_equal(procmaps__parse_line(
		"7f2a10000000-7f2a10021000 rw-p 00000000 00:00 0", &e), 0);
	assert_int_equal(e.kind, MAP_KIND_ANON);
	assert_null(e.path);
	assert_false(e.exec);
}

static void test_special(void **state)
{
	static const struct {
		const char *line, *path;
		enum map_kind kind;
		bool exec;
	} cases[] = {
		{ "7ffd5a1fc000-7ffd5a1fe000 r-xp 00000000 00:00 0    [vdso]\n",
		  "[vdso]", MAP_KIND_VDSO, true },
		{ "7ffd5a1b0000-7ffd5a1d1000 rw-p 00000000 00:00 0    [stack]\n",
		  "[stack]", MAP_KIND_SPECIAL, false },
		{ "55d0c4bc6000-55d0c4be7000 rw-p 00000000 00:00 0    [heap]\n",
		  "[heap]", MAP_KIND_SPECIAL, false },
		{ "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]\n",
		  "[vsyscall]", MAP_KIND_SPECIAL, true },
		{ "7ffd5a1f8000-7ffd5a1fc000 r--p 00000000 00:00 0    [vvar]\n",
		  "[vvar]", MAP_KIND_SPECIAL, false },
		/* "[vdso]" must match exactly, not as a prefix. */
		{ "1000-2000 r-xp 00000000 00:00 0 [vdso2]\n",
		  "[vdso2]", MAP_KIND_SPECIAL, true },
		{ "1000-2000 rw-s 00000000 00:0e 11 anon_inode:[perf_event]\n",
		  "anon_inode:[perf_event]", MAP_KIND_SPECIAL, false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct map_entry e;

		assert_int_equal(procmaps__parse_line(cases[i].line, &e), 0);
		assert_non_null(e.path);
		assert_string_equal(e.path, cases[i].path);
		assert_int_equal(e.kind, cases[i].kind);
		assert_int_equal(e.exec, cases[i].exec);
		assert_false(e.deleted);
		free(e.path);
	}
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"\n",
		"garbage\n",
		"1000-2000\n",
		"1000-2000 r-xp\n",
		"1000-2000 r-xp 00000000 08:02\n",	/* no inode */
		"1000-2000 r-xp 00000000 0802 42 /x\n",	/* no ':' in dev */
		"1000 2000 r-xp 00000000 08:02 42 /x\n",	/* no '-' */
		"zz-2000 r-xp 00000000 08:02 42 /x\n",
		"1000-zz r-xp 00000000 08:02 42 /x\n",
		"2000-1000 r-xp 00000000 08:02 42 /x\n",	/* end < start */
		"1000-2000 r-x 00000000 08:02 42 /x\n",	/* 3 permission chars */
		"1000-2000 r-xp 0000zz00 08:02 42 /x\n",
		"1000-2000 r-xp 00000000 08:02 x42 /x\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct map_entry e;
		int rc = procmaps__parse_line(bad[i], &e);

		if (rc == 0)
			free(e.path);
		assert_int_equal(rc, -1);
	}
}

static void test_parse_file(void **state)
{
	static const struct {
		uint64_t start;
		const char *path;
		enum map_kind kind;
		bool deleted;
	} want[] = {
		{ 0x55d0c3a01000ULL, "/usr/bin/demo", MAP_KIND_FILE, false },
		{ 0x7f2a10000000ULL, NULL, MAP_KIND_ANON, false },
		{ 0x7f2a1c628000ULL, "/usr/lib/x86_64-linux-gnu/libc.so.6", MAP_KIND_FILE, false },
		{ 0x7f2a1c900000ULL, "/opt/my app/lib hot.so", MAP_KIND_FILE, true },
		{ 0x7f2a1ca00000ULL, "/memfd:jit-code", MAP_KIND_FILE, true },
		{ 0x7ffd5a1fc000ULL, "[vdso]", MAP_KIND_VDSO, false },
		{ 0xffffffffff600000ULL, "[vsyscall]", MAP_KIND_SPECIAL, false },
	};
	struct proc_maps m = { NULL, 0 };
	FILE *f = fopen(SAMPLE_MAPS, "r");
	size_t i;

	(void)state;
	assert_non_null(f);
	assert_int_equal(procmaps__parse(f, &m), 0);
	fclose(f);
	/* Only the executable mappings survive, in file order. */
	assert_int_equal(m.n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < m.n; i++) {
		assert_true(m.v[i].exec);
		assert_int_equal(m.v[i].start, want[i].start);
		assert_int_equal(m.v[i].kind, want[i].kind);
		assert_int_equal(m.v[i].deleted, want[i].deleted);
		if (want[i].path)
			assert_string_equal(m.v[i].path, want[i].path);
		else
			assert_null(m.v[i].path);
	}
	assert_int_equal(m.v[2].pgoff, 0x28000);
	procmaps__clear(&m);
	assert_null(m.v);
	assert_int_equal(m.n, 0);
	/* Clearing twice is harmless. */
	procmaps__clear(&m);
}

static void test_parse_rejects_bad_line(void **state)
{
	static char text[] =
		"1000-2000 r-xp 00000000 08:02 42 /a\n"
		"3000-4000 r-xp 00000000 08:02 43 /b\n"
		"this is not a mapping\n"
		"5000-6000 r-xp 00000000 08:02 44 /c\n";
	struct proc_maps m = { (struct map_entry *)0x1, 12345 };
	FILE *f = fmemopen(text, strlen(text), "r");

	(void)state;
	assert_non_null(f);
	assert_int_equal(procmaps__parse(f, &m), -EINVAL);
	fclose(f);
	/* The output is left alone on failure (ASan checks nothing leaked). */
	assert_ptr_equal(m.v, (struct map_entry *)0x1);
	assert_int_equal(m.n, 12345);
}

static void test_parse_empty_and_many(void **state)
{
	struct proc_maps m = { NULL, 0 };
	char *text = NULL;
	size_t len = 0, i;
	FILE *f;

	(void)state;
	f = fopen("/dev/null", "r");
	assert_non_null(f);
	assert_int_equal(procmaps__parse(f, &m), 0);
	assert_int_equal(m.n, 0);
	fclose(f);
	procmaps__clear(&m);

	/* More mappings than the first allocation holds, half of them data. */
	f = open_memstream(&text, &len);
	assert_non_null(f);
	for (i = 0; i < 1000; i++)
		fprintf(f, "%zx-%zx r%cxp 00000000 08:02 %zu /lib/l%zu.so\n",
			0x10000 + i * 0x1000, 0x11000 + i * 0x1000,
			i % 2 ? 'w' : '-', i, i);
	fclose(f);
	f = fmemopen(text, len, "r");
	assert_non_null(f);
	assert_int_equal(procmaps__parse(f, &m), 0);
	fclose(f);
	free(text);
	assert_int_equal(m.n, 1000);
	for (i = 0; i < 1000; i += 97) {
		const struct map_entry *e = procmaps__find(&m, 0x10000 + i * 0x1000 + 5);
		char want[32];

		snprintf(want, sizeof(want), "/lib/l%zu.so", i);
		assert_non_null(e);
		assert_string_equal(e->path, want);
	}
	procmaps__clear(&m);
}

static void test_find(void **state)
{
	struct proc_maps m = { NULL, 0 };
	FILE *f = fopen(SAMPLE_MAPS, "r");
	const struct map_entry *e;

	(void)state;
	assert_non_null(f);
	assert_int_equal(procmaps__parse(f, &m), 0);
	fclose(f);

	/* Start is inclusive, end exclusive. */
	e = procmaps__find(&m, 0x55d0c3a01000ULL);
	assert_non_null(e);
	assert_string_equal(e->path, "/usr/bin/demo");
	e = procmaps__find(&m, 0x55d0c3a01fffULL);
	assert_non_null(e);
	assert_int_equal(e->start, 0x55d0c3a01000ULL);
	assert_null(procmaps__find(&m, 0x55d0c3a02000ULL));
	assert_null(procmaps__find(&m, 0x55d0c3a00fffULL));

	/* Mappings dropped as non-executable are not found. */
	assert_null(procmaps__find(&m, 0x55d0c3a00000ULL));
	assert_null(procmaps__find(&m, 0x55d0c4bc6000ULL));
	assert_null(procmaps__find(&m, 0x7ffd5a1c0000ULL));

	/* Ends of the address space. */
	assert_null(procmaps__find(&m, 0));
	assert_null(procmaps__find(&m, UINT64_MAX));
	e = procmaps__find(&m, 0xffffffffff600fffULL);
	assert_non_null(e);
	assert_string_equal(e->path, "[vsyscall]");
	e = procmaps__find(&m, 0x7ffd5a1fd123ULL);
	assert_non_null(e);
	assert_int_equal(e->kind, MAP_KIND_VDSO);
	e = procmaps__find(&m, 0x7f2a10020fffULL);
	assert_non_null(e);
	assert_int_equal(e->kind, MAP_KIND_ANON);
	assert_null(procmaps__find(&m, 0x7f2a10021000ULL));
	procmaps__clear(&m);

	/* An empty set finds nothing. */
	assert_null(procmaps__find(&m, 0x1000));
}

/* The real thing: this test program's own code is in an executable mapping
 * of its own file. */
static void test_read_self(void **state)
{
	struct proc_maps m = { NULL, 0 };
	const struct map_entry *e;
	char exe[PATH_MAX];
	ssize_t n;

	(void)state;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	assert_int_equal(procmaps__read(getpid(), &m), 0);
	assert_true(m.n > 0);
	e = procmaps__find(&m, (uint64_t)(uintptr_t)&test_read_self);
	assert_non_null(e);
	assert_true(e->exec);
	assert_int_equal(e->kind, MAP_KIND_FILE);
	assert_string_equal(e->path, exe);
	procmaps__clear(&m);

	/* PIDs above PID_MAX_LIMIT (2^22) never exist. */
	assert_int_equal(procmaps__read(INT_MAX, &m), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_mapping),
		cmocka_unit_test(test_path_with_spaces),
		cmocka_unit_test(test_deleted_suffix),
		cmocka_unit_test(test_anonymous),
		cmocka_unit_test(test_special),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_parse_file),
		cmocka_unit_test(test_parse_rejects_bad_line),
		cmocka_unit_test(test_parse_empty_and_many),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_read_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
