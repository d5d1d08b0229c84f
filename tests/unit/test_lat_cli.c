// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * lat_parse_args: PATTERNs among the options and before "--", defaults,
 * each option's checks, shared options that do not apply; and elf_funcs,
 * the function lists patterns are matched against, on the ELF fixtures.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "modes/lat_mode.h"
#include "symbols/elffuncs.h"
#include "symbols/elfsyms.h"
#include "lat.h"

#define MAX_ARGS 32

struct args {
	char *v[MAX_ARGS + 1];
	int n;
};

static char err_text[16384], out_text[16384];

static void read_back(FILE *tmp, char *buf, size_t len)
{
	size_t n;

	rewind(tmp);
	n = fread(buf, 1, len - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
}

/* Parse "lat" and the NULL-terminated words, stdout and stderr caught. */
static enum cli_result parse(struct lat_opts *o, struct args *a, ...)
{
	FILE *out = tmpfile(), *err = tmpfile();
	int saved_out, saved_err;
	enum cli_result r;
	const char *w;
	va_list ap;

	assert_non_null(out);
	assert_non_null(err);
	a->n = 0;
	a->v[a->n++] = (char *)"lat";
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
	r = lat_parse_args(a->n, a->v, o);
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

#define expect_usage(what, ...)						\
	do {								\
		struct lat_opts o_;					\
		struct args a_;						\
		enum cli_result r_ = parse(&o_, &a_, __VA_ARGS__, NULL); \
									\
		cli_free_common(&o_.c);					\
		if (r_ != CLI_USAGE)					\
			fail_msg("expected a usage error for %s", what); \
		if (!strstr(err_text, what))				\
			fail_msg("stderr lacks \"%s\": %s", what, err_text); \
		/* The help that explains lat's options. */		\
		if (!strstr(err_text, "Try 'profiler lat --help'"))	\
			fail_msg("no pointer to lat's help: %s", err_text); \
		assert_string_equal(out_text, "");			\
	} while (0)

static void test_patterns_anywhere(void **state)
{
	struct lat_opts o;
	struct args a;

	(void)state;
	assert_int_equal(parse(&o, &a, "'fn_*'", "-p", "12", "libc:malloc", "-d",
			       "2", "*Widget::*", NULL), CLI_OK);
	assert_int_equal(o.npatterns, 3);
	assert_string_equal(o.patterns[0], "'fn_*'");
	assert_string_equal(o.patterns[1], "libc:malloc");
	assert_string_equal(o.patterns[2], "*Widget::*");
	assert_int_equal(o.c.npids, 1);
	assert_int_equal(o.c.pids[0], 12);
	assert_true(o.c.duration == 2);
	/* Defaults. */
	assert_int_equal(o.max_probes, LAT_DEFAULT_MAX_PROBES);
	assert_false(o.hist);
	assert_false(o.count_only);
	assert_null(o.c.out.path[OUT_JSON]);
	assert_true(o.interval == 0);
	assert_int_equal(o.c.top, 10);
	cli_free_common(&o.c);
}

static void test_command(void **state)
{
	struct lat_opts o;
	struct args a;

	(void)state;
	assert_int_equal(parse(&o, &a, "--hist", "parse_*", "--", "./server",
			       "-p", "80", "x*", NULL), CLI_OK);
	assert_int_equal(o.npatterns, 1);
	assert_string_equal(o.patterns[0], "parse_*");
	assert_non_null(o.c.command);
	assert_string_equal(o.c.command[0], "./server");
	/* The command's own words stay its own. */
	assert_string_equal(o.c.command[1], "-p");
	assert_string_equal(o.c.command[3], "x*");
	assert_int_equal(o.c.npids, 0);
	assert_true(o.hist);
	cli_free_common(&o.c);
}

static void test_options(void **state)
{
	struct lat_opts o;
	struct args a;

	(void)state;
	assert_int_equal(parse(&o, &a, "-p", "1", "-i", "0.5", "--count-only",
			       "--json", "out.json", "--max-probes", "2000",
			       "--top", "30", "--no-demangle", "f", NULL), CLI_OK);
	assert_true(o.interval == 0.5);
	assert_true(o.count_only);
	assert_string_equal(o.c.out.path[OUT_JSON], "out.json");
	assert_int_equal(o.max_probes, 2000);
	assert_int_equal(o.c.top, 30);
	assert_true(o.c.no_demangle);
	cli_free_common(&o.c);
	/* Every format is one of the shared outputs, --json too. */
	assert_int_equal(parse(&o, &a, "-p", "1", "--folded", "l.folded",
			       "--output", "l.json", "--svg", "l.svg", "f", NULL),
			 CLI_OK);
	assert_string_equal(o.c.out.path[OUT_FOLDED], "l.folded");
	assert_string_equal(o.c.out.path[OUT_SVG], "l.svg");
	assert_string_equal(o.c.out.path[OUT_JSON], "l.json");
	cli_free_common(&o.c);
}

static void test_errors(void **state)
{
	(void)state;
	expect_usage("needs a target", "f");
	expect_usage("needs a PATTERN", "-p", "1");
	expect_usage("needs a PATTERN", "--", "ls");
	expect_usage("invalid PATTERN ':f'", "-p", "1", ":f");
	expect_usage("invalid PATTERN 'libc:'", "-p", "1", "libc:");
	expect_usage("--hist needs timing", "-p", "1", "--hist", "--count-only", "f");
	expect_usage("--max-probes", "-p", "1", "--max-probes", "0", "f");
	expect_usage("--max-probes", "-p", "1", "--max-probes", "20001", "f");
	expect_usage("--max-probes", "-p", "1", "--max-probes", "12x", "f");
	expect_usage("-i", "-p", "1", "-i", "0", "f");
	expect_usage("--no-inline does not apply", "-p", "1", "--no-inline", "f");
	expect_usage("--debug-dir does not apply", "-p", "1", "--debug-dir", "/x",
		     "f");
	expect_usage("exclude", "-p", "1", "f", "--", "ls");
}

static void test_too_many_patterns(void **state)
{
	struct lat_opts o;
	char *v[LAT_MAX_PATTERNS + 5];
	FILE *err = tmpfile();
	int i, n = 0, saved;

	(void)state;
	assert_non_null(err);
	v[n++] = (char *)"lat";
	v[n++] = (char *)"-p";
	v[n++] = (char *)"1";
	for (i = 0; i <= LAT_MAX_PATTERNS; i++)
		v[n++] = (char *)"f";
	v[n] = NULL;
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fileno(err), STDERR_FILENO);
	assert_int_equal(lat_parse_args(n, v, &o), CLI_USAGE);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	read_back(err, err_text, sizeof(err_text));
	assert_non_null(strstr(err_text, "too many PATTERNs"));
	cli_free_common(&o.c);
}

static void test_help(void **state)
{
	struct lat_opts o;
	struct args a;

	(void)state;
	assert_int_equal(parse(&o, &a, "--help", NULL), CLI_EXIT_OK);
	assert_non_null(strstr(out_text, "Usage: profiler lat"));
	assert_non_null(strstr(out_text, "--max-probes"));
	assert_non_null(strstr(out_text, "Examples:"));
	cli_free_common(&o.c);
}

/* ---- elf_funcs ---------------------------------------------------------- */

static const struct elf_fn *find(const struct elf_funcs *t, const char *name)
{
	size_t i;

	for (i = 0; i < elf_funcs__count(t); i++)
		if (!strcmp(elf_funcs__get(t, i)->name, name))
			return elf_funcs__get(t, i);
	return NULL;
}

/* The list agrees with elf_find_function, address and code. */
static void check_against_elfsyms(const char *path, const char *name)
{
	struct elf_funcs *t = elf_funcs__open(path, true);
	struct elf_func want, got;
	const struct elf_fn *f;
	int fd = open(path, O_RDONLY);

	assert_non_null(t);
	assert_true(fd >= 0);
	assert_int_equal(elf_find_function(fd, name, &want), 0);
	f = find(t, name);
	assert_non_null(f);
	assert_int_equal(f->vaddr, want.vaddr);
	assert_int_equal(elf_funcs__code(t, f, &got), 0);
	assert_int_equal(got.offset, want.offset);
	assert_int_equal(got.code_len, want.code_len);
	assert_memory_equal(got.code, want.code, got.code_len);
	close(fd);
	elf_funcs__free(t);
}

static void test_elf_funcs(void **state)
{
	struct elf_funcs *t;
	size_t i;

	(void)state;
	check_against_elfsyms(FIXTURE_DIR "/fix_pie", "fix_exported_alpha");
	check_against_elfsyms(FIXTURE_DIR "/fix_pie", "fix_static_work");
	check_against_elfsyms(FIXTURE_DIR "/libfix.so", "fix_exported_beta");
	check_against_elfsyms(FIXTURE_DIR "/fix_nopie", "main");
	/* Sorted by address, one entry per (address, name). */
	t = elf_funcs__open(FIXTURE_DIR "/libfix.so", true);
	assert_non_null(t);
	for (i = 1; i < elf_funcs__count(t); i++) {
		const struct elf_fn *a = elf_funcs__get(t, i - 1);
		const struct elf_fn *b = elf_funcs__get(t, i);

		assert_true(a->vaddr < b->vaddr ||
			    (a->vaddr == b->vaddr && strcmp(a->name, b->name) < 0));
	}
	assert_null(elf_funcs__get(t, elf_funcs__count(t)));
	elf_funcs__free(t);
	/* The stripped PIE names no function; a non-ELF file is EINVAL. */
	t = elf_funcs__open(FIXTURE_DIR "/fix_stripped", true);
	assert_non_null(t);
	assert_null(find(t, "fix_exported_alpha"));
	elf_funcs__free(t);
	assert_null(elf_funcs__open(TESTDATA_DIR, true));
	assert_null(elf_funcs__open(FIXTURE_DIR "/no-such-file", true));
}

static void test_elf_funcs_demangled(void **state)
{
	struct elf_funcs *t = elf_funcs__open(FIXTURE_DIR "/dbg/dbg_cpp", true);
	size_t i, mangled = 0;

	(void)state;
	assert_non_null(t);
	for (i = 0; i < elf_funcs__count(t); i++) {
		const struct elf_fn *f = elf_funcs__get(t, i);

		if (strncmp(f->name, "_Z", 2))
			continue;
		mangled++;
		assert_non_null(f->demangled);
		assert_null(strstr(f->demangled, "_Z"));
	}
	assert_true(mangled > 0);
	elf_funcs__free(t);
	/* Without demangling, none. */
	t = elf_funcs__open(FIXTURE_DIR "/dbg/dbg_cpp", false);
	assert_non_null(t);
	for (i = 0; i < elf_funcs__count(t); i++)
		assert_null(elf_funcs__get(t, i)->demangled);
	elf_funcs__free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patterns_anywhere),
		cmocka_unit_test(test_command),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_too_many_patterns),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_elf_funcs),
		cmocka_unit_test(test_elf_funcs_demangled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
