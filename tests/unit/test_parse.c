// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Strict number parsing: integers, seconds, PID lists, kernel CPU lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/parse.h"

static void test_u64_good(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(parse_u64("0", 0, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_u64("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	/* Leading zeros are decimal, not octal. */
	assert_int_equal(parse_u64("010", 0, 100, &v), 0);
	assert_int_equal(v, 10);
	/* Both ends of the range are inclusive. */
	assert_int_equal(parse_u64("1", 1, 5, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(parse_u64("5", 1, 5, &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(parse_u64("18446744073709551615", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, UINT64_MAX);
}

static void test_u64_bad(void **state)
{
	static const char *const bad[] = {
		"", " 1", "1 ", "+1", "-1", "-0", "1x", "x1", "0x10", "1.5",
		"1e3", "18446744073709551616", "99999999999999999999999",
		"\t7", "7\n",
	};
	uint64_t v = 12345;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_u64(bad[i], 0, UINT64_MAX, &v) != -1)
			fail_msg("parse_u64 accepted \"%s\"", bad[i]);
	}
	assert_int_equal(parse_u64(NULL, 0, 10, &v), -1);
	/* Out of range. */
	assert_int_equal(parse_u64("0", 1, 10, &v), -1);
	assert_int_equal(parse_u64("11", 1, 10, &v), -1);
	/* Failures leave the output alone. */
	assert_int_equal(v, 12345);
}

static void test_seconds(void **state)
{
	static const char *const bad[] = {
		"", "0", "0.0", ".0", "-1", "-0.5", "+1", " 1", "1 ", "1s", "x",
		".", "inf", "nan", "infinity", "1..2", "1e999", "0x10", "0x1p3",
		"1e3",
	};
	double v = -7;
	size_t i;

	(void)state;
	assert_int_equal(parse_seconds("2", 100, &v), 0);
	assert_true(v == 2);
	assert_int_equal(parse_seconds("0.5", 100, &v), 0);
	assert_true(v == 0.5);
	assert_int_equal(parse_seconds(".25", 100, &v), 0);
	assert_true(v == 0.25);
	assert_int_equal(parse_seconds("1.", 100, &v), 0);
	assert_true(v == 1);
	assert_int_equal(parse_seconds("100", 100, &v), 0);
	assert_true(v == 100);
	assert_int_equal(parse_seconds("0.001", 100, &v), 0);
	assert_true(v == 0.001);

	v = -7;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_seconds(bad[i], 1e9, &v) != -1)
			fail_msg("parse_seconds accepted \"%s\"", bad[i]);
	}
	assert_int_equal(parse_seconds("100.5", 100, &v), -1);
	assert_int_equal(parse_seconds(NULL, 100, &v), -1);
	assert_true(v == -7);
}

static void test_duration(void **state)
{
	static const struct {
		const char *s;
		uint64_t ns;
	} good[] = {
		{ "250", 250000 }, { "250us", 250000 }, { "1.5ms", 1500000 },
		{ "2s", 2000000000 }, { "100ns", 100 }, { "0", 0 },
		{ "0.5s", 500000000 }, { "86400s", 86400000000000ULL },
	};
	static const char *const bad[] = {
		"", "ms", "1m", "1 ms", "-1ms", "1e3", "0x10", "1.5.2s", "1msx",
		"86401s", "99999999999999999999999999999999999999999999999999999999999999999",
	};
	uint64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 7;
		assert_int_equal(parse_duration_ns(good[i].s, &v), 0);
		assert_int_equal(v, good[i].ns);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse_duration_ns(bad[i], &v) == 0)
			fail_msg("'%s' parsed as %llu ns", bad[i], (unsigned long long)v);
	assert_int_equal(parse_duration_ns(NULL, &v), -1);
}

static void test_pid_list_good(void **state)
{
	pid_t *pids = NULL;
	int n = 0;
	const char *bad = NULL;

	(void)state;
	assert_int_equal(parse_pid_list("1", &pids, &n, &bad), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pids[0], 1);
	/* A second list appends. */
	assert_int_equal(parse_pid_list("12,34,4194304", &pids, &n, &bad), 0);
	assert_int_equal(n, 4);
	assert_int_equal(pids[0], 1);
	assert_int_equal(pids[1], 12);
	assert_int_equal(pids[2], 34);
	assert_int_equal(pids[3], 4194304);
	free(pids);
}

static void test_pid_list_bad(void **state)
{
	static const struct {
		const char *s;
		size_t bad_at;	/* offset *bad must point at */
	} cases[] = {
		{ "", 0 },
		{ "abc", 0 },
		{ "12x", 0 },
		{ "1,", 2 },
		{ ",1", 0 },
		{ "1,,2", 2 },
		{ "0", 0 },
		{ "5,0", 2 },
		{ "1,-2", 2 },
		{ "1, 2", 2 },
		{ "4194305", 0 },
		{ "7,99999999999999999999999999999999999", 2 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pid_t *pids = NULL;
		int n = 0;
		const char *bad = NULL;

		if (parse_pid_list(cases[i].s, &pids, &n, &bad) != -1)
			fail_msg("parse_pid_list accepted \"%s\"", cases[i].s);
		assert_ptr_equal(bad, cases[i].s + cases[i].bad_at);
		/* What was parsed before the error is the caller's to free. */
		free(pids);
	}
}

/* Set flags as a string of '0'/'1' for easy comparison. */
static void flags(const bool *cpus, int n, char *out)
{
	int i;

	for (i = 0; i < n; i++)
		out[i] = cpus[i] ? '1' : '0';
	out[n] = '\0';
}

static void test_cpu_list_good(void **state)
{
	bool cpus[16];
	char got[17];

	(void)state;
	memset(cpus, 0, sizeof(cpus));
	assert_int_equal(parse_cpu_list("0-3,8,10-11", cpus, 16), 7);
	flags(cpus, 16, got);
	assert_string_equal(got, "1111000010110000");

	memset(cpus, 0, sizeof(cpus));
	assert_int_equal(parse_cpu_list("0", cpus, 16), 1);
	flags(cpus, 16, got);
	assert_string_equal(got, "1000000000000000");

	/* As read from /sys: with the newline. */
	memset(cpus, 0, sizeof(cpus));
	assert_int_equal(parse_cpu_list("0-1\n", cpus, 16), 2);
	flags(cpus, 16, got);
	assert_string_equal(got, "1100000000000000");

	/* An empty list ("offline" when none is) is valid and empty. */
	memset(cpus, 0, sizeof(cpus));
	assert_int_equal(parse_cpu_list("\n", cpus, 16), 0);
	assert_int_equal(parse_cpu_list("", cpus, 16), 0);

	/* Single-CPU ranges and overlaps count each CPU once. */
	memset(cpus, 0, sizeof(cpus));
	assert_int_equal(parse_cpu_list("5-5,4-6,6", cpus, 16), 3);
	flags(cpus, 16, got);
	assert_string_equal(got, "0000111000000000");

	/* CPUs at or past max are ignored, not written. */
	memset(cpus, 0, sizeof(cpus));
	assert_int_equal(parse_cpu_list("2,14-20,40", cpus, 16), 3);
	flags(cpus, 16, got);
	assert_string_equal(got, "0010000000000011");
}

static void test_cpu_list_bad(void **state)
{
	static const char *const bad[] = {
		"x", "-1", "1-", "3-1", "0,,1", ",0", "0-3,", "0,\n", "0-3 ",
		" 0", "0;1", "0-3-5", "1-x", "0x1", "1\t",
	};
	bool cpus[8];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(cpus, 0, sizeof(cpus));
		if (parse_cpu_list(bad[i], cpus, 8) != -1)
			fail_msg("parse_cpu_list accepted \"%s\"", bad[i]);
	}
}

/* Numbers too big for the array, or for unsigned long, are neither written
 * out of bounds nor walked one by one. */
static void test_cpu_list_huge(void **state)
{
	bool *cpus = calloc(4, sizeof(*cpus));
	int rc;

	(void)state;
	assert_non_null(cpus);
	/* Finishes at once: the range is cut at max. */
	alarm(5);
	assert_int_equal(parse_cpu_list("0-4000000000", cpus, 4), 4);
	memset(cpus, 0, 4);
	assert_int_equal(parse_cpu_list("3-9223372036854775807", cpus, 4), 1);
	assert_true(cpus[3]);
	memset(cpus, 0, 4);
	/* 2^63 and above would turn negative as a long. */
	assert_int_equal(parse_cpu_list("9223372036854775808", cpus, 4), 0);
	assert_int_equal(parse_cpu_list("18446744073709551615", cpus, 4), 0);
	/* Beyond unsigned long: malformed, not clamped. */
	rc = parse_cpu_list("0-99999999999999999999999", cpus, 4);
	assert_int_equal(rc, -1);
	rc = parse_cpu_list("99999999999999999999999", cpus, 4);
	assert_int_equal(rc, -1);
	alarm(0);
	free(cpus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64_good),
		cmocka_unit_test(test_u64_bad),
		cmocka_unit_test(test_seconds),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_pid_list_good),
		cmocka_unit_test(test_pid_list_bad),
		cmocka_unit_test(test_cpu_list_good),
		cmocka_unit_test(test_cpu_list_bad),
		cmocka_unit_test(test_cpu_list_huge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
