// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cpu_parse_args: defaults, each option's checks, COMMAND after "--". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "modes/cpu_mode.h"
#include "cpu.h"

#define MAX_ARGS 32

/* argv for one call; it must outlive the options (they point into it). */
struct args {
	char *v[MAX_ARGS + 1];
	int n;
};

/* What the last parse printed. */
static char out_text[16384], err_text[16384];

static void read_back(FILE *tmp, char *buf, size_t len)
{
	size_t n;

	rewind(tmp);
	n = fread(buf, 1, len - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
}

/*
 * Parse "cpu" followed by the NULL-terminated words, with stdout and stderr
 * caught in out_text/err_text (nothing is asserted while they are caught,
 * so cmocka's own messages never land there).
 */
static enum cli_result parse(struct cpu_opts *o, struct args *a, ...)
{
	FILE *out = tmpfile(), *err = tmpfile();
	int saved_out, saved_err;
	enum cli_result r;
	const char *w;
	va_list ap;

	assert_non_null(out);
	assert_non_null(err);
	a->n = 0;
	a->v[a->n++] = (char *)"cpu";
	va_start(ap, a);
	while ((w = va_arg(ap, const char *))) {
		assert_true(a->n < MAX_ARGS);
		a->v[a->n++] = (char *)w;
	}
	va_end(ap);
	a->v[a->n] = NULL;

	fflush(stdout);
	fflush(stderr);
	saved_out = dup(STDOUT_FILENO);
	saved_err = dup(STDERR_FILENO);
	assert_true(saved_out >= 0 && saved_err >= 0);
	dup2(fileno(out), STDOUT_FILENO);
	dup2(fileno(err), STDERR_FILENO);
	r = cpu_parse_args(a->n, a->v, o);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, STDOUT_FILENO);
	dup2(saved_err, STDERR_FILENO);
	close(saved_out);
	close(saved_err);
	read_back(out, out_text, sizeof(out_text));
	read_back(err, err_text, sizeof(err_text));
	return r;
}

/* A usage error: CLI_USAGE, one message on stderr containing what, and
 * nothing on stdout. */
#define expect_usage(what, ...)						\
	do {								\
		struct cpu_opts o_;					\
		struct args a_;						\
		enum cli_result r_ = parse(&o_, &a_, __VA_ARGS__, NULL); \
									\
		cpu_free_opts(&o_);					\
		if (r_ != CLI_USAGE)					\
			fail_msg("expected a usage error for %s", what); \
		if (!strstr(err_text, what))				\
			fail_msg("stderr lacks \"%s\": %s", what, err_text); \
		assert_non_null(strstr(err_text, "profiler: "));	\
		assert_string_equal(out_text, "");			\
	} while (0)

static void test_defaults(void **state)
{
	struct cpu_opts o;
	struct args a;

	(void)state;
	assert_int_equal(parse(&o, &a, NULL), CLI_OK);
	assert_int_equal(o.freq, 99);
	assert_int_equal(o.c.top, 10);
	assert_null(o.c.pids);
	assert_int_equal(o.c.npids, 0);
	assert_null(o.c.command);
	assert_null(o.c.out.path[OUT_FOLDED]);
	assert_false(outputs__any(&o.c.out));
	assert_true(o.c.duration == 0);
	assert_false(o.user_only);
	assert_false(o.kernel_only);
	assert_int_equal(o.stack_map_size, CPU_DEFAULT_STACK_MAP_SIZE);
	assert_int_equal(o.counts_map_size, CPU_DEFAULT_COUNTS_MAP_SIZE);
	assert_string_equal(o.event, "cpu-clock");
	assert_int_equal(o.c.verbosity, 0);
	assert_string_equal(err_text, "");
	assert_string_equal(out_text, "");
	cpu_free_opts(&o);
}

static void test_pids(void **state)
{
	struct cpu_opts o;
	struct args a;

	(void)state;
	assert_int_equal(parse(&o, &a, "-p", "1,2,3", NULL), CLI_OK);
	assert_int_equal(o.c.npids, 3);
	assert_int_equal(o.c.pids[0], 1);
	assert_int_equal(o.c.pids[1], 2);
	assert_int_equal(o.c.pids[2], 3);
	cpu_free_opts(&o);
	assert_null(o.c.pids);
	assert_int_equal(o.c.npids, 0);

	/* Repeated options add up; the long form and "=value" work too. */
	assert_int_equal(parse(&o, &a, "--pid", "7", "-p8,9", "--pid=4194304",
			       NULL), CLI_OK);
	assert_int_equal(o.c.npids, 4);
	assert_int_equal(o.c.pids[0], 7);
	assert_int_equal(o.c.pids[1], 8);
	assert_int_equal(o.c.pids[2], 9);
	assert_int_equal(o.c.pids[3], 4194304);
	cpu_free_opts(&o);
}

static void test_pid_errors(void **state)
{
	(void)state;
	expect_usage("'abc'", "-p", "abc");
	expect_usage("'12x'", "-p", "12x");
	expect_usage("'1,'", "-p", "1,");
	expect_usage("',1'", "-p", ",1");
	expect_usage("'1,,2'", "-p", "1,,2");
	expect_usage("'0'", "-p", "0");
	expect_usage("''", "-p", "");
	expect_usage("'-1'", "-p", "-1");
	expect_usage("'4194305'", "-p", "4194305");
	expect_usage("' 1'", "-p", " 1");
	/* An error after a good -p still frees what the first one kept
	 * (the leak checker watches). */
	expect_usage("'x'", "-p", "5", "-p", "x");
	/* -p at the very end has no value. */
	expect_usage("needs a value", "-p");
}

static void test_frequency(void **state)
{
	struct cpu_opts o;
	struct args a;

	(void)state;
	assert_int_equal(parse(&o, &a, "-F", "999", NULL), CLI_OK);
	assert_int_equal(o.freq, 999);
	cpu_free_opts(&o);
	assert_int_equal(parse(&o, &a, "--frequency=1", NULL), CLI_OK);
	assert_int_equal(o.freq, 1);
	cpu_free_opts(&o);
	assert_int_equal(parse(&o, &a, "-F100000", NULL), CLI_OK);
	assert_int_equal(o.freq, 100000);
	cpu_free_opts(&o);

	expect_usage("'0'", "-F", "0");
	expect_usage("'x'", "-F", "x");
	expect_usage("'100001'", "-F", "100001");
	expect_usage("'99Hz'", "-F", "99Hz");
	expect_usage("'-5'", "-F", "-5");
	expect_usage("needs a value", "--frequency");
}

static void test_duration(void **state)
{
	struct cpu_opts o;
	struct args a;

	(void)state;
	assert_int_equal(parse(&o, &a, "-d", "0.5", NULL), CLI_OK);
	assert_true(o.c.duration == 0.5);
	cpu_free_opts(&o);
	assert_int_equal(parse(&o, &a, "--duration", "10", NULL), CLI_OK);
	assert_true(o.c.duration == 10);
	cpu_free_opts(&o);

	expect_usage("'0'", "-d", "0");
	expect_usage("'0.0'", "-d", "0.0");
	expect_usage("'-1'", "-d", "-1");
	expect_usage("'x'", "-d", "x");
	expect_usage("'5s'", "-d", "5s");
	expect_usage("''", "-d", "");
	expect_usage("'inf'", "-d", "inf");
	expect_usage("'nan'", "-d", "nan");
}

static void test_top(void **state)
{
	struct cpu_opts o;
	struct args a;

	(void)state;
	assert_int_equal(parse(&o, &a, "--top", "25", NULL), CLI_OK);
	assert_int_equal(o.c.top, 25);
	cpu_free_opts(&o);

	expect_usage("'x'", "--top", "x");
	expect_usage("'0'", "--top", "0");
	expect_usage("'-3'", "--top=-3");
}

static void test_other_options(void **state)
{
	struct cpu_opts o;
	struct args a;

	(void)state;
	assert_int_equal(parse(&o, &a, "--folded", "out.folded", "--event", "cycles",
			       "--stack-map-size", "1024", "--counts-map-size",
			       "16777216", "-U", "-v", NULL), CLI_OK);
	assert_string_equal(o.c.out.path[OUT_FOLDED], "out.folded");
	assert_string_equal(o.event, "cycles");
	assert_int_equal(o.stack_map_size, 1024);
	assert_int_equal(o.counts_map_size, 16777216);
	assert_true(o.user_only);
	assert_false(o.kernel_only);
	assert_int_equal(o.c.verbosity, 1);
	cpu_free_opts(&o);

	assert_int_equal(parse(&o, &a, "-K", "-q", NULL), CLI_OK);
	assert_true(o.kernel_only);
	assert_false(o.user_only);
	assert_int_equal(o.c.verbosity, -1);
	cpu_free_opts(&o);

	expect_usage("exclude each other", "-U", "-K");
	expect_usage("exclude each other", "-KU");
	expect_usage("exclude each other", "--user-only", "--kernel-only");
	expect_usage("'bogus'", "--event", "bogus");
	expect_usage("'0'", "--stack-map-size", "0");
	expect_usage("'16777217'", "--counts-map-size", "16777217");
	expect_usage("--folded", "--folded", "");

	/* Every output format, by option and by extension. */
	assert_int_equal(parse(&o, &a, "--svg", "a.svg", "--output", "b.pb.gz",
			       "--json", "c.json", "--lines", "--icicle", NULL), CLI_OK);
	assert_string_equal(o.c.out.path[OUT_SVG], "a.svg");
	assert_string_equal(o.c.out.path[OUT_PPROF], "b.pb.gz");
	assert_string_equal(o.c.out.path[OUT_JSON], "c.json");
	assert_true(o.c.out.lines);
	assert_true(o.c.out.icicle);
	cpu_free_opts(&o);
	expect_usage("extension", "--output", "out.txt");
	expect_usage("already", "--svg", "x.svg", "--json", "x.svg");
}

static void test_unknown_option(void **state)
{
	(void)state;
	expect_usage("'-z'", "-z");
	expect_usage("'--bogus'", "--bogus");
	expect_usage("'--bogus'", "-d", "1", "--bogus", "-U");
}

static void test_command(void **state)
{
	struct cpu_opts o;
	struct args a;

	(void)state;
	assert_int_equal(parse(&o, &a, "--", "ls", "-l", NULL), CLI_OK);
	assert_non_null(o.c.command);
	assert_string_equal(o.c.command[0], "ls");
	assert_string_equal(o.c.command[1], "-l");
	assert_null(o.c.command[2]);
	assert_ptr_equal(o.c.command, &a.v[2]);
	cpu_free_opts(&o);

	/* Options before "--" are ours, those after are the command's. */
	assert_int_equal(parse(&o, &a, "-d", "2", "--", "sleep", "-U", "-p", "1",
			       NULL), CLI_OK);
	assert_true(o.c.duration == 2);
	assert_false(o.user_only);
	assert_int_equal(o.c.npids, 0);
	assert_string_equal(o.c.command[0], "sleep");
	assert_string_equal(o.c.command[1], "-U");
	assert_string_equal(o.c.command[3], "1");
	assert_null(o.c.command[4]);
	cpu_free_opts(&o);

	/* A command whose name looks like an option. */
	assert_int_equal(parse(&o, &a, "--", "--weird", NULL), CLI_OK);
	assert_string_equal(o.c.command[0], "--weird");
	cpu_free_opts(&o);
}

static void test_command_errors(void **state)
{
	(void)state;
	expect_usage("missing COMMAND", "--");
	expect_usage("missing COMMAND", "-U", "--");
	expect_usage("-p and a COMMAND", "-p", "1", "--", "ls");
	/* A stray word: commands need "--" in front. */
	expect_usage("'ls'", "ls");
	expect_usage("'ls'", "-d", "1", "ls", "-l");
	expect_usage("'extra'", "-U", "extra");
}

static void test_help_and_version(void **state)
{
	struct cpu_opts o;
	struct args a;

	(void)state;
	assert_int_equal(parse(&o, &a, "--help", NULL), CLI_EXIT_OK);
	cpu_free_opts(&o);
	assert_non_null(strstr(out_text, "Usage: profiler"));
	assert_non_null(strstr(out_text, "Examples:"));
	assert_non_null(strstr(out_text, "--stack-map-size"));
	assert_non_null(strstr(out_text, "-- COMMAND"));
	assert_string_equal(err_text, "");

	/* -h wins even after other options, and before a bad one. */
	assert_int_equal(parse(&o, &a, "-U", "-h", "-F", "0", NULL), CLI_EXIT_OK);
	cpu_free_opts(&o);
	assert_non_null(strstr(out_text, "Usage: profiler"));

	assert_int_equal(parse(&o, &a, "--version", NULL), CLI_EXIT_OK);
	cpu_free_opts(&o);
	assert_string_equal(out_text, "profiler " PROFILER_VERSION "\n");
	assert_string_equal(err_text, "");
}

/* Each call starts over: nothing leaks from the previous one. */
static void test_reparse(void **state)
{
	struct cpu_opts o;
	struct args a;

	(void)state;
	assert_int_equal(parse(&o, &a, "-U", "-p", "3", "-F", "7", "--", NULL),
			 CLI_USAGE);
	cpu_free_opts(&o);
	assert_int_equal(parse(&o, &a, "-K", NULL), CLI_OK);
	assert_false(o.user_only);
	assert_true(o.kernel_only);
	assert_int_equal(o.c.npids, 0);
	assert_int_equal(o.freq, 99);
	assert_null(o.c.command);
	cpu_free_opts(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_pids),
		cmocka_unit_test(test_pid_errors),
		cmocka_unit_test(test_frequency),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_top),
		cmocka_unit_test(test_other_options),
		cmocka_unit_test(test_unknown_option),
		cmocka_unit_test(test_command),
		cmocka_unit_test(test_command_errors),
		cmocka_unit_test(test_help_and_version),
		cmocka_unit_test(test_reparse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
