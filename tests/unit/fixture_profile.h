/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A small profile built by hand with every kind of frame the renderers
 * treat apart: program, library (named and unnamed), inlined, kernel and
 * kernel module, unnamed kernel, unknown, a pseudo frame, a name full of
 * XML and JSON specials; two value types, losses, title and times.  Shared
 * by the renderer tests (test_pprof.c, test_svg.c, test_outputs.c), as is
 * python_profile(), a CPython process's frames.
 */
#ifndef TEST_FIXTURE_PROFILE_H
#define TEST_FIXTURE_PROFILE_H

#include <stdarg.h>

#include "model/profile.h"

#define FIX_PERIOD 10000000LL	/* 100 Hz */

static uint32_t fix_loc(struct profile *p, const char *name, const char *module,
			const char *path, const char *build_id, uint64_t address,
			const char *file, unsigned int line, bool inlined, bool kernel)
{
	struct frame f = {
		.name = name,
		.module = module,
		.path = path,
		.build_id = build_id ? build_id : "",
		.address = address,
		.file = file,
		.line = line,
		.inlined = inlined,
		.kernel = kernel,
	};
	uint32_t id = profile__location(p, &f);

	assert_int_not_equal(id, 0);
	return id;
}

/* A sample of n samples (and n periods of cpu time), stack leaf first. */
static void fix_sample(struct profile *p, const char *comm, uint32_t pid,
		       int64_t n, uint32_t nlocs, ...)
{
	int64_t values[PROF_MAX_VALUES] = { n, n * FIX_PERIOD };
	uint32_t locs[16];
	va_list ap;
	uint32_t i;

	va_start(ap, nlocs);
	for (i = 0; i < nlocs; i++)
		locs[i] = va_arg(ap, uint32_t);
	va_end(ap);
	assert_int_equal(profile__add_sample(p, locs, nlocs, pid, comm, values), 0);
}

static struct profile *fixture_profile(void)
{
	struct profile *p = profile__new();
	uint32_t main_, work, inner, outer, lib, memcpy_, sys, nft, kunnamed;
	uint32_t unknown, lost, weird;

	assert_non_null(p);
	assert_int_equal(profile__add_type(p, "samples", "count"), 0);
	assert_int_equal(profile__add_type(p, "cpu", "nanoseconds"), 1);
	p->period_type = p->types[1];
	p->period = FIX_PERIOD;
	p->duration_ns = 2500000000LL;
	p->time_ns = 1700000000123456789LL;
	p->title = profile__str(p, "profiler cpu: cpu-clock at 100 Hz, pid 4242");
	p->mode = profile__str(p, "cpu");

	main_ = fix_loc(p, "main", "app", "/usr/bin/app", "abcd0123", 0x1100,
			"src/app.c", 10, false, false);
	work = fix_loc(p, "work", "app", "/usr/bin/app", "abcd0123", 0x1200,
		       "src/app.c", 20, false, false);
	inner = fix_loc(p, "inner_math", "app", "/usr/bin/app", "abcd0123", 0x1300,
			"src/math.h", 7, true, false);
	outer = fix_loc(p, "outer", "app", "/usr/bin/app", "abcd0123", 0x1300,
			"src/app.c", 30, false, false);
	lib = fix_loc(p, NULL, "libfoo.so.1", "/usr/lib/libfoo.so.1", "ffee", 0x1a2b,
		      NULL, 0, false, false);
	memcpy_ = fix_loc(p, "memcpy", "libc.so.6", "/lib/libc.so.6", "", 0x9abc,
			  NULL, 0, false, false);
	sys = fix_loc(p, "do_syscall_64", "[kernel.kallsyms]", NULL, NULL,
		      0xffffffff81002010ULL, NULL, 0, false, true);
	nft = fix_loc(p, "nft_do_chain", "[nf_tables]", NULL, NULL,
		      0xffffffffc0a01000ULL, NULL, 0, false, true);
	kunnamed = fix_loc(p, NULL, "[kernel.kallsyms]", NULL, NULL,
			   0xffffffff81000abcULL, NULL, 0, false, true);
	unknown = fix_loc(p, NULL, NULL, NULL, NULL, 0xdead, NULL, 0, false, false);
	lost = profile__pseudo_location(p, "[stack lost]");
	assert_int_not_equal(lost, 0);
	weird = fix_loc(p, "operator<<(std::ostream&, \"q\\\")", "app", "/usr/bin/app",
			"abcd0123", 0x1400, NULL, 0, false, false);

	fix_sample(p, "app", 4242, 30, 2, work, main_);
	fix_sample(p, "app", 4242, 50, 3, inner, outer, main_);
	fix_sample(p, "app", 4242, 10, 3, sys, memcpy_, main_);
	fix_sample(p, "app", 4242, 5, 2, lib, main_);
	fix_sample(p, "app", 4242, 3, 2, nft, sys);
	fix_sample(p, "app", 4242, 2, 1, kunnamed);
	fix_sample(p, "worker", 4243, 4, 1, unknown);
	fix_sample(p, "worker", 4243, 1, 1, lost);
	fix_sample(p, "app", 4242, 6, 2, weird, main_);
	assert_int_equal(profile__add_loss(p, "user stacks: stack map full",
					   "raise --stack-map-size", 7), 0);
	assert_int_equal(profile__add_loss(p, "samples dropped (odd)", "", 2), 0);
	return p;
}

/* A Python function's frame: qualified name, file, line and first line.
 * Inline, as python_profile(): not every test that includes this uses them. */
static inline uint32_t fix_py(struct profile *p, const char *name,
			      const char *file, unsigned int line,
			      unsigned int start_line)
{
	struct frame f = {
		.name = name,
		.build_id = "",
		.file = file,
		.line = line,
		.python = true,
		.start_line = start_line,
	};
	uint32_t id = profile__location(p, &f);

	assert_int_not_equal(id, 0);
	return id;
}

/*
 * A CPython process: the interpreter's native frames at the root, then
 * <module> -> level1 -> Outer.level2 (at two lines), once calling into
 * libc, and a C extension's native function also named level1 (which must
 * stay apart from the Python one).
 *
 *   python3;main;Py_RunMain;<module>;level1;Outer.level2     5 (app.py:12)
 *   python3;main;Py_RunMain;<module>;level1;Outer.level2     3 (app.py:14)
 *   python3;main;Py_RunMain;<module>;level1;memcpy           2
 *   python3;main;Py_RunMain;<module>;level1 (native, _ext.so) 4
 */
static inline struct profile *python_profile(void)
{
	struct profile *p = profile__new();
	uint32_t main_, runmain, memcpy_, ext, mod, l1, l2, l2b;

	assert_non_null(p);
	assert_int_equal(profile__add_type(p, "samples", "count"), 0);
	assert_int_equal(profile__add_type(p, "cpu", "nanoseconds"), 1);
	p->period_type = p->types[1];
	p->period = FIX_PERIOD;
	p->duration_ns = 1000000000LL;
	p->title = profile__str(p, "profiler cpu: cpu-clock at 100 Hz, pid 777");
	p->mode = profile__str(p, "cpu");

	main_ = fix_loc(p, "main", "python3.11", "/usr/bin/python3.11", "aa11",
			0x1000, NULL, 0, false, false);
	runmain = fix_loc(p, "Py_RunMain", "libpython3.11.so.1.0",
			  "/usr/lib/libpython3.11.so.1.0", "bb22", 0x2000, NULL, 0,
			  false, false);
	memcpy_ = fix_loc(p, "memcpy", "libc.so.6", "/lib/libc.so.6", "", 0x9abc,
			  NULL, 0, false, false);
	ext = fix_loc(p, "level1", "_ext.so", "/opt/_ext.so", "", 0x3000, NULL, 0,
		      false, false);
	mod = fix_py(p, "<module>", "app.py", 30, 1);
	l1 = fix_py(p, "level1", "app.py", 25, 24);
	l2 = fix_py(p, "Outer.level2", "app.py", 12, 10);
	l2b = fix_py(p, "Outer.level2", "app.py", 14, 10);

	fix_sample(p, "python3", 777, 5, 5, l2, l1, mod, runmain, main_);
	fix_sample(p, "python3", 777, 3, 5, l2b, l1, mod, runmain, main_);
	fix_sample(p, "python3", 777, 2, 5, memcpy_, l1, mod, runmain, main_);
	fix_sample(p, "python3", 777, 4, 4, ext, mod, runmain, main_);
	return p;
}

#endif
