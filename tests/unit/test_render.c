// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Renderers on a profile built by hand: exact folded and table output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/profile.h"
#include "render/render.h"
#include "render/sections.h"

static uint32_t loc(struct profile *p, const char *name, const char *module,
		    uint64_t address, bool kernel)
{
	struct frame f = {
		.name = name,
		.module = module,
		.path = module && module[0] != '[' ? module : NULL,
		.build_id = "",
		.address = address,
		.kernel = kernel,
	};
	uint32_t id = profile__location(p, &f);

	assert_int_not_equal(id, 0);
	return id;
}

static void sample(struct profile *p, const char *comm, int64_t v0, int64_t v1,
		   uint32_t nlocs, ...)
{
	uint32_t locs[16];
	int64_t values[PROF_MAX_VALUES] = { v0, v1 };
	va_list ap;
	uint32_t i;

	assert_true(nlocs <= 16);
	va_start(ap, nlocs);
	for (i = 0; i < nlocs; i++)
		locs[i] = va_arg(ap, uint32_t);
	va_end(ap);
	assert_int_equal(profile__add_sample(p, locs, nlocs, 4242, comm, values), 0);
}

/* Run a renderer into a string (caller frees). */
static char *render(const struct profile *p, int which, uint32_t type, int top)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	if (which == 0)
		assert_int_equal(render_folded(p, type, 0, f), 0);
	else if (which == 2)
		assert_int_equal(render_folded(p, type, FOLDED_LINES, f), 0);
	else
		assert_int_equal(render_table(p, type, top, f), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void expect_output(const struct profile *p, int which, uint32_t type,
			  int top, const char *want)
{
	char *got = render(p, which, type, top);

	if (strcmp(got, want)) {
		/* cmocka truncates long messages: print the whole thing. */
		fprintf(stderr, "--- want\n%s--- got\n%s---\n", want, got);
		free(got);
		fail_msg("output differs");
	}
	free(got);
}

/* ---- folded --------------------------------------------------------------- */

struct folded_fixture {
	struct profile *p;
	uint32_t main_, work, work2, lib, none, kern, kern_unnamed, semi;
};

static int folded_setup(void **state)
{
	struct folded_fixture *x = calloc(1, sizeof(*x));
	struct profile *p = profile__new();

	assert_non_null(x);
	assert_non_null(p);
	x->p = p;
	assert_int_equal(profile__add_type(p, "samples", "count"), 0);
	assert_int_equal(profile__add_type(p, "cpu", "nanoseconds"), 1);

	x->main_ = loc(p, "main", "app", 0x1100, false);
	x->work = loc(p, "work", "app", 0x1200, false);
	/* Same function, another address: a distinct location that prints
	 * the same. */
	x->work2 = loc(p, "work", "app", 0x1208, false);
	x->lib = loc(p, NULL, "libfoo.so", 0x1a2b, false);
	x->none = loc(p, NULL, NULL, 0xdead, false);
	x->kern = loc(p, "do_syscall_64", "[kernel.kallsyms]",
		      0xffffffff81002010ULL, true);
	x->kern_unnamed = loc(p, NULL, "[kernel.kallsyms]", 0xffffffff81000abcULL,
			      true);
	x->semi = loc(p, "ns;weird\nname", "app", 0x1300, false);
	assert_int_not_equal(x->work, x->work2);

	/* Stacks are leaf first. */
	sample(p, "app", 3, 30, 2, x->work, x->main_);
	sample(p, "app", 2, 20, 2, x->work2, x->main_);
	sample(p, "app", 1, 10, 3, x->kern, x->lib, x->main_);
	sample(p, "zeta", 4, 40, 1, x->none);
	sample(p, "app", 1, 10, 2, x->semi, x->main_);
	sample(p, "", 7, 70, 1, x->main_);
	sample(p, "a;b", 1, 10, 1, x->main_);
	sample(p, "ghost", 0, 99, 1, x->main_);	/* no samples, only cpu */
	sample(p, "app", 2, 20, 0);		/* no stack at all */
	sample(p, "kthread", 5, 50, 2, x->kern_unnamed, x->kern);
	*state = x;
	return 0;
}

static int folded_teardown(void **state)
{
	struct folded_fixture *x = *state;

	profile__free(x->p);
	free(x);
	return 0;
}

static void test_folded_exact(void **state)
{
	struct folded_fixture *x = *state;

	expect_output(x->p, 0, 0, 0,
		"[unknown];main 7\n"
		"a:b;main 1\n"
		"app 2\n"
		"app;main;libfoo.so+0x1a2b;do_syscall_64_[k] 1\n"
		"app;main;ns:weird\\x0aname 1\n"
		"app;main;work 5\n"
		"kthread;do_syscall_64_[k];[kernel.kallsyms]+0xffffffff81000abc_[k] 5\n"
		"zeta;[unknown] 4\n");
}

/* The second value type counts instead: "ghost" appears, counts differ. */
static void test_folded_other_type(void **state)
{
	struct folded_fixture *x = *state;

	expect_output(x->p, 0, 1, 0,
		"[unknown];main 70\n"
		"a:b;main 10\n"
		"app 20\n"
		"app;main;libfoo.so+0x1a2b;do_syscall_64_[k] 10\n"
		"app;main;ns:weird\\x0aname 10\n"
		"app;main;work 50\n"
		"ghost;main 99\n"
		"kthread;do_syscall_64_[k];[kernel.kallsyms]+0xffffffff81000abc_[k] 50\n"
		"zeta;[unknown] 40\n");
}

/* Every line is "stack COUNT", and counts add up to the profile total. */
static void test_folded_totals(void **state)
{
	struct folded_fixture *x = *state;
	char *text = render(x->p, 0, 0, 0), *line, *save = NULL;
	long long sum = 0;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *sp = strrchr(line, ' ');

		assert_non_null(sp);
		sum += strtoll(sp + 1, NULL, 10);
	}
	assert_int_equal(sum, profile__total(x->p, 0));
	free(text);
}

static void test_folded_empty(void **state)
{
	struct profile *p = profile__new();

	(void)state;
	assert_non_null(p);
	assert_int_equal(profile__add_type(p, "samples", "count"), 0);
	expect_output(p, 0, 0, 0, "");
	profile__free(p);
}

/* A frame name longer than the renderer's buffer is cut, not overrun, and
 * still carries the kernel suffix. */
static void test_folded_long_name(void **state)
{
	struct profile *p = profile__new();
	char name[3000];
	uint32_t l;
	char *text;
	size_t n;

	(void)state;
	assert_non_null(p);
	assert_int_equal(profile__add_type(p, "samples", "count"), 0);
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	l = loc(p, name, "[kernel.kallsyms]", 0xffffffff81000000ULL, true);
	sample(p, "c", 1, 0, 1, l);
	text = render(p, 0, 0, 0);
	n = strlen(text);
	assert_true(n > 1000);
	assert_string_equal(text + n - strlen("_[k] 1\n"), "_[k] 1\n");
	assert_memory_equal(text, "c;xxxx", 6);
	free(text);
	profile__free(p);
}

/* ---- profile model details the renderers rely on ---------------------- */

static void test_location_dedup(void **state)
{
	struct folded_fixture *x = *state;
	struct profile *p = x->p;
	char buf[64];

	/* The same frame twice is one location. */
	assert_int_equal(loc(p, "main", "app", 0x1100, false), x->main_);
	/* A kernel and a user frame that agree otherwise are not. */
	assert_int_not_equal(loc(p, "main", "app", 0x1100, true), x->main_);
	assert_string_equal(profile__location_name(p, x->lib, buf, sizeof(buf)),
			    "libfoo.so+0x1a2b");
	assert_string_equal(profile__location_name(p, x->none, buf, sizeof(buf)),
			    "[unknown]");
	assert_string_equal(profile__location_module(p, x->none), "");
	assert_string_equal(profile__location_module(p, x->kern),
			    "[kernel.kallsyms]");
	assert_int_equal(profile__total(p, 0), 26);
	assert_int_equal(profile__total(p, 1), 359);
}

/*
 * A Python function never merges with native code: not with a frame of
 * the same name, file and line, nor with one of no module.  Its module
 * and address are dropped (it has no mapping); its lines share the
 * function, which keeps where it starts.
 */
static void test_python_location(void **state)
{
	struct frame py = { .name = "level1", .build_id = "", .file = "app.py",
			    .line = 25, .python = true, .start_line = 24 };
	struct frame native = py, other = py;
	struct profile *p = profile__new();
	const struct prof_location *l;
	uint32_t a, b, c, d;

	(void)state;
	assert_non_null(p);
	native.python = false;
	native.start_line = 0;
	a = profile__location(p, &py);
	b = profile__location(p, &native);
	assert_int_not_equal(a, 0);
	assert_int_not_equal(b, 0);
	assert_int_not_equal(a, b);
	/* The same Python frame, given a module and an address, is still
	 * the same location. */
	other.module = "libpython3.11.so";
	other.address = 0x1234;
	other.inlined = true;
	assert_int_equal(profile__location(p, &other), a);
	assert_int_equal(p->nmappings, 0);
	l = &p->locations[a - 1];
	assert_true(l->python);
	assert_false(l->inlined);
	assert_true(l->mapping == 0 && l->address == 0 && l->line == 25);
	assert_int_equal(p->functions[l->function - 1].start_line, 24);
	assert_true(p->functions[l->function - 1].python);
	assert_false(p->locations[b - 1].python);
	assert_int_not_equal(p->locations[b - 1].function, l->function);
	/* Another line of the function: another location, one function. */
	other = py;
	other.line = 26;
	c = profile__location(p, &other);
	assert_int_not_equal(c, a);
	assert_int_equal(p->locations[c - 1].function, l->function);
	/* Same name and file, another first line: another function (two
	 * definitions of one name in a file). */
	other.start_line = 40;
	d = profile__location(p, &other);
	assert_int_not_equal(p->locations[d - 1].function, l->function);
	/* A Python frame with no name: unnamed, still Python. */
	other = py;
	other.name = NULL;
	d = profile__location(p, &other);
	assert_true(p->locations[d - 1].python);
	assert_int_equal(p->locations[d - 1].function, 0);
	assert_int_equal(p->locations[d - 1].line, 0);
	profile__free(p);
}

/* ---- table ---------------------------------------------------------------- */

#define HEADER "      SELF       %      TOTAL       %  FUNCTION  [MODULE]\n"

static struct profile *table_profile(void)
{
	struct profile *p = profile__new();
	uint32_t main_, work, work2, fib, kern, lib, lib2, anon;

	assert_non_null(p);
	assert_int_equal(profile__add_type(p, "samples", "count"), 0);
	p->title = profile__str(p, "cpu-clock at 99 Hz, pid 4242");
	p->duration_ns = 2500000000LL;
	main_ = loc(p, "main", "app", 0x1100, false);
	work = loc(p, "work", "app", 0x1200, false);
	work2 = loc(p, "work", "app", 0x1210, false);
	fib = loc(p, "fib", "app", 0x1300, false);
	kern = loc(p, "do_syscall_64", "[kernel.kallsyms]", 0xffffffff81002010ULL,
		   true);
	lib = loc(p, NULL, "libfoo.so", 0x1a2b, false);
	lib2 = loc(p, NULL, "libfoo.so", 0x2000, false);
	anon = loc(p, NULL, NULL, 0x7f0000001000ULL, false);

	sample(p, "app", 30, 0, 2, work, main_);
	sample(p, "app", 20, 0, 2, work2, main_);
	/* Recursion: fib three times in one stack counts once in total. */
	sample(p, "app", 35, 0, 4, fib, fib, fib, main_);
	sample(p, "app", 6, 0, 3, kern, lib, main_);
	sample(p, "app", 4, 0, 2, anon, main_);
	/* Unnamed addresses of one module share a row. */
	sample(p, "app", 5, 0, 2, lib2, main_);
	sample(p, "app", 0, 0, 2, lib, main_);
	return p;
}

static void test_table_exact(void **state)
{
	struct profile *p = table_profile();

	(void)state;
	assert_int_equal(profile__add_loss(p, "user stacks lost: stack map full",
					   "raise --stack-map-size", 7), 0);
	assert_int_equal(profile__add_loss(p, "samples dropped", "", 3), 0);
	expect_output(p, 1, 0, 10,
		"cpu-clock at 99 Hz, pid 4242\n"
		"duration 2.50 s, 100 samples, 7 distinct stacks\n"
		"lost: 7 user stacks lost: stack map full (raise --stack-map-size)\n"
		"lost: 3 samples dropped\n"
		"\n"
		"Top 10 functions by self samples:\n"
		HEADER
		"        50  50.00%         50  50.00%  work  [app]\n"
		"        35  35.00%         35  35.00%  fib  [app]\n"
		"         6   6.00%          6   6.00%  do_syscall_64  [kernel.kallsyms]\n"
		"         5   5.00%         11  11.00%  [unnamed]  [libfoo.so]\n"
		"         4   4.00%          4   4.00%  [unknown]\n"
		"\n"
		"Top 10 functions by total (inclusive) samples:\n"
		HEADER
		"         0   0.00%        100 100.00%  main  [app]\n"
		"        50  50.00%         50  50.00%  work  [app]\n"
		"        35  35.00%         35  35.00%  fib  [app]\n"
		"         5   5.00%         11  11.00%  [unnamed]  [libfoo.so]\n"
		"         6   6.00%          6   6.00%  do_syscall_64  [kernel.kallsyms]\n"
		"         4   4.00%          4   4.00%  [unknown]\n");
	profile__free(p);
}

static void test_table_top_n(void **state)
{
	struct profile *p = table_profile();

	(void)state;
	expect_output(p, 1, 0, 2,
		"cpu-clock at 99 Hz, pid 4242\n"
		"duration 2.50 s, 100 samples, 7 distinct stacks\n"
		"\n"
		"Top 2 functions by self samples:\n"
		HEADER
		"        50  50.00%         50  50.00%  work  [app]\n"
		"        35  35.00%         35  35.00%  fib  [app]\n"
		"\n"
		"Top 2 functions by total (inclusive) samples:\n"
		HEADER
		"         0   0.00%        100 100.00%  main  [app]\n"
		"        50  50.00%         50  50.00%  work  [app]\n");
	profile__free(p);
}

static void test_table_no_samples(void **state)
{
	struct profile *p = profile__new();

	(void)state;
	assert_non_null(p);
	assert_int_equal(profile__add_type(p, "samples", "count"), 0);
	p->title = profile__str(p, "idle");
	assert_int_equal(profile__add_loss(p, "pid 12 exited early", "", 1), 0);
	expect_output(p, 1, 0, 10,
		"idle\n"
		"duration 0.00 s, 0 samples, 0 distinct stacks\n"
		"lost: 1 pid 12 exited early\n"
		"no samples collected\n");
	profile__free(p);
}

/* Inlined frames end in "_[i]"; --lines adds "(file:line)" where known. */
/*
 * Names a target controls (an ELF symbol, a library's file name, a thread
 * name) with terminal escape sequences: written as \xNN in every text
 * output, never raw.
 */
static void test_control_characters_escaped(void **state)
{
	struct profile *p = profile__new();
	uint32_t a, b;
	char *text;
	int which;

	(void)state;
	assert_non_null(p);
	assert_true(profile__add_type(p, "samples", "count") >= 0);
	assert_true(profile__add_type(p, "cpu", "nanoseconds") >= 0);
	a = loc(p, "evil\x1b]0;pwned\x07name", "lib\x1b[31m.so", 0x10, false);
	b = loc(p, "main", "app", 0x20, false);
	sample(p, "thr\x1b[2J", 5, 50, 2, a, b);
	for (which = 0; which < 3; which++) {
		text = render(p, which, 0, 10);
		assert_null(strchr(text, 0x1b));
		assert_null(strchr(text, 0x07));
		assert_non_null(strstr(text, which == 1 ? "evil\\x1b]0;pwned\\x07name" :
						    "evil\\x1b]0:pwned\\x07name"));
		if (which == 1)
			assert_non_null(strstr(text, "lib\\x1b[31m.so"));
		else
			assert_non_null(strstr(text, "thr\\x1b[2J"));
		free(text);
	}
	profile__free(p);
}

static void test_folded_inline_and_lines(void **state)
{
	struct profile *p = profile__new();
	struct frame outer = { .name = "outer", .module = "app", .path = "app",
			       .build_id = "", .address = 0x1190,
			       .file = "src/app.c", .line = 19 };
	struct frame inner = outer;
	uint32_t l_outer, l_inner, l_main;

	(void)state;
	assert_non_null(p);
	assert_true(profile__add_type(p, "samples", "count") == 0);
	inner.name = "inner_math";
	inner.file = "src/math.h";
	inner.line = 7;
	inner.inlined = true;
	l_inner = profile__location(p, &inner);
	l_outer = profile__location(p, &outer);
	l_main = loc(p, "main", "app", 0x1200, false);
	assert_int_not_equal(l_inner, 0);
	assert_int_not_equal(l_outer, 0);
	/* Same address, other frame: distinct locations. */
	assert_int_not_equal(l_inner, l_outer);
	sample(p, "app", 5, 0, 3, l_inner, l_outer, l_main);
	expect_output(p, 0, 0, 0, "app;main;outer;inner_math_[i] 5\n");
	expect_output(p, 2, 0, 0,
		      "app;main;outer (src/app.c:19);inner_math (src/math.h:7)_[i] 5\n");
	profile__free(p);
}

/* Off-CPU time: nanosecond values, a table in units, folded in
 * microseconds (rounded per line, lines under half a unit left out), and
 * samples grouped by their labels. */
static void test_off_cpu_profile(void **state)
{
	static const char *const by_state[] = { PROF_LABEL_OFF_CPU };
	static const char *const pair[] = { "waiting", "woken_by" };
	struct profile *p = profile__new();
	uint32_t main_, wait, kern;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_non_null(p);
	assert_int_equal(profile__add_type(p, "off_cpu", "nanoseconds"), 0);
	assert_int_equal(profile__add_type(p, "blocks", "count"), 1);
	p->title = profile__str(p, "profiler offcpu: test");
	p->duration_ns = 2000000000LL;
	p->folded_scale = 1000;
	main_ = loc(p, "main", "app", 0x1100, false);
	wait = loc(p, "wait_here", "app", 0x1200, false);
	kern = loc(p, "do_nanosleep", "[kernel.kallsyms]", 0xffffffff81002010ULL,
		   true);
	sample(p, "t1", 1500000000, 15, 3, kern, wait, main_);
	assert_int_equal(profile__add_label(p, PROF_LABEL_OFF_CPU, "S", 0, NULL), 0);
	assert_int_equal(profile__add_label(p, "waiting", "wait_here (t1)", 0, NULL), 0);
	assert_int_equal(profile__add_label(p, "woken_by", "wake (t2)", 0, NULL), 0);
	sample(p, "t2", 500000000, 1, 2, wait, main_);
	assert_int_equal(profile__add_label(p, PROF_LABEL_OFF_CPU, "D", 0, NULL), 0);
	sample(p, "t3", 400, 1, 2, wait, main_);	/* 0.4 us: no folded line */
	assert_int_equal(profile__add_label(p, PROF_LABEL_OFF_CPU, "S", 0, NULL), 0);
	sample(p, "t4", 1499, 1, 2, wait, main_);	/* 1.499 us: 1 */

	expect_output(p, 0, 0, 0,
		"t1;main;wait_here;do_nanosleep_[k] 1500000\n"
		"t2;main;wait_here 500000\n"
		"t4;main;wait_here 1\n");
	expect_output(p, 1, 0, 2,
		"profiler offcpu: test\n"
		"duration 2.00 s, 2.00 s off_cpu, 4 distinct stacks\n"
		"\n"
		"Top 2 functions by self off_cpu:\n"
		HEADER
		"    1.50 s  75.00%     1.50 s  75.00%  do_nanosleep  [kernel.kallsyms]\n"
		"  500.0 ms  25.00%     2.00 s 100.00%  wait_here  [app]\n"
		"\n"
		"Top 2 functions by total (inclusive) off_cpu:\n"
		HEADER
		"  500.0 ms  25.00%     2.00 s 100.00%  wait_here  [app]\n"
		"      0 ns   0.00%     2.00 s 100.00%  main  [app]\n");
	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(render_label_groups(p, 0, by_state, 1, "", 10, f), 0);
	assert_int_equal(render_label_groups(p, 0, pair, 2, " <- ", 10, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(text,
		"      1.50 s  75.00%  S\n"
		"    500.0 ms  25.00%  D\n"
		"      1.50 s  75.00%  wait_here (t1) <- wake (t2)\n");
	free(text);
	profile__free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_folded_inline_and_lines),
		cmocka_unit_test(test_control_characters_escaped),
		cmocka_unit_test_setup_teardown(test_folded_exact, folded_setup,
						folded_teardown),
		cmocka_unit_test_setup_teardown(test_folded_other_type, folded_setup,
						folded_teardown),
		cmocka_unit_test_setup_teardown(test_folded_totals, folded_setup,
						folded_teardown),
		cmocka_unit_test(test_folded_empty),
		cmocka_unit_test(test_folded_long_name),
		cmocka_unit_test_setup_teardown(test_location_dedup, folded_setup,
						folded_teardown),
		cmocka_unit_test(test_python_location),
		cmocka_unit_test(test_table_exact),
		cmocka_unit_test(test_off_cpu_profile),
		cmocka_unit_test(test_table_top_n),
		cmocka_unit_test(test_table_no_samples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
