// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The other formats and what drives them: speedscope and JSON against
 * golden files, the folded reader, the outputs module (options, files
 * opened early, written whole or not at all), `report` and `diff`
 * (ranking, --fail-above's exit status).
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "cmd/diff.h"
#include "fixture_profile.h"
#include "io/folded_read.h"
#include "golden.h"
#include "lib/log.h"
#include "run/outputs.h"
#include "io/profile_file.h"
#include "render/render.h"
#include "cmd/report.h"

static int render_speedscope_ctx(const void *p, FILE *f)
{
	return render_speedscope(p, f);
}

static int render_json_ctx(const void *p, FILE *f)
{
	return render_json(p, f);
}

static int render_folded_ctx(const void *p, FILE *f)
{
	return render_folded(p, 0, 0, f);
}

static void test_speedscope_golden(void **state)
{
	struct profile *p = fixture_profile();
	size_t len;
	char *text = render_to_memory(render_speedscope_ctx, p, &len);

	(void)state;
	expect_golden("fixture.speedscope.json", text, len);
	free(text);
	profile__free(p);
}

static void test_json_golden(void **state)
{
	struct profile *p = fixture_profile();
	size_t len;
	char *text = render_to_memory(render_json_ctx, p, &len);

	(void)state;
	expect_golden("fixture.json", text, len);
	/* Keys say their unit. */
	assert_non_null(strstr(text, "\"duration_ns\": 2500000000"));
	assert_non_null(strstr(text, "\"totals\": {\"samples\": 111, \"cpu_ns\": 1110000000}"));
	assert_non_null(strstr(text, "\"mode\": \"cpu\""));
	free(text);
	profile__free(p);
}

/* ---- folded reader ------------------------------------------------------- */

static struct profile *parse_folded(const char *text)
{
	struct profile *p = NULL;
	char why[256];

	assert_int_equal(folded__parse(text, strlen(text), &p, why, sizeof(why)), 0);
	return p;
}

static void test_folded_round_trip(void **state)
{
	/* Sorted, as render_folded writes: it comes back byte for byte. */
	static const char text[] =
		"[unknown];main 7\n"
		"app 2\n"
		"app;main;libfoo.so.1+0x1a2b;do_syscall_64_[k] 1\n"
		"app;main;outer (src/app.c:30);inner_math (src/math.h:7)_[i] 5\n"
		"app;main;work 5\n"
		"kthread;do_syscall_64_[k];[kernel.kallsyms]+0xffffffff81000abc_[k] 5\n"
		"zeta;[unknown] 4\n";
	struct profile *p = parse_folded(text);
	size_t len;
	char *out = render_to_memory(render_folded_ctx, p, &len);

	(void)state;
	assert_string_equal(out, text);
	assert_int_equal(profile__total(p, 0), 29);
	free(out);
	profile__free(p);
}

static void test_folded_frames(void **state)
{
	struct profile *p = parse_folded("app;main;libfoo.so+0x1a2b;f_[i];g;"
					 "sys_[k];[unknown];lib.so+0x0012 3\r\n\n");
	const struct prof_sample *s;
	const struct prof_location *l;

	(void)state;
	assert_int_equal(p->nsamples, 1);
	s = &p->samples[0];
	assert_string_equal(profile__get_str(p, s->comm), "app");
	assert_int_equal(s->nlocs, 7);
	/* leaf first: "lib.so+0x0012" (not in render_folded's form: a name) */
	l = &p->locations[s->locs[0] - 1];
	assert_int_not_equal(l->function, 0);
	assert_int_equal(l->mapping, 0);
	/* [unknown]: no name, no mapping */
	l = &p->locations[s->locs[1] - 1];
	assert_int_equal(l->function, 0);
	assert_int_equal(l->mapping, 0);
	/* sys_[k]: a kernel frame of the kernel's mapping */
	l = &p->locations[s->locs[2] - 1];
	assert_true(l->kernel);
	assert_string_equal(profile__location_module(p, s->locs[2]), "[kernel.kallsyms]");
	/* f_[i]: inlined */
	l = &p->locations[s->locs[4] - 1];
	assert_true(l->inlined);
	/* libfoo.so+0x1a2b: an address of a module nothing named */
	l = &p->locations[s->locs[5] - 1];
	assert_int_equal(l->function, 0);
	assert_true(l->address == 0x1a2b);
	assert_string_equal(profile__location_module(p, s->locs[5]), "libfoo.so");
	profile__free(p);
}

static void expect_folded_error(const char *text, const char *why_part)
{
	struct profile *p = NULL;
	char why[256];

	assert_int_equal(folded__parse(text, strlen(text), &p, why, sizeof(why)),
			 -EINVAL);
	assert_null(p);
	if (!strstr(why, why_part))
		fail_msg("reason '%s' does not say '%s'", why, why_part);
}

static void test_folded_errors(void **state)
{
	(void)state;
	expect_folded_error("a;b 1\nno_count\n", "line 2");
	expect_folded_error("a;b 1.5\n", "'1.5'");
	expect_folded_error("a;b -3\n", "'-3'");
	expect_folded_error("a;b 99999999999999999999\n", "not a whole number");
	expect_folded_error(" 5\n", "line 1");
}

/* gzip'd folded text is told from pprof by its content. */
static void test_folded_gzip(void **state)
{
	static const char text[] = "app;main 3\n";
	uint8_t z[256];
	z_stream zs = {};
	struct profile *p = NULL;
	enum profile_format fmt;
	char why[128];

	(void)state;
	assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (uint8_t *)text;
	zs.avail_in = strlen(text);
	zs.next_out = z;
	zs.avail_out = sizeof(z);
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	assert_int_equal(profile_file__parse(z, sizeof(z) - zs.avail_out, "dir/s.gz",
					     &p, &fmt, why, sizeof(why)), 0);
	deflateEnd(&zs);
	assert_int_equal(fmt, PROFILE_FOLDED);
	assert_string_equal(profile__get_str(p, p->title), "s.gz (folded stacks)");
	assert_int_equal(profile__total(p, 0), 3);
	profile__free(p);
}

/* ---- the outputs module ---------------------------------------------------- */

static char tmpdir[64];

static int make_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_outputs.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	char path[512];

	(void)state;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmpdir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(tmpdir);
	return 0;
}

static int files_in_tmpdir(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_outputs_parse(void **state)
{
	struct outputs_opts o = {};
	char err[256];

	(void)state;
	assert_int_equal(outputs__parse(&o, 'x', "a", err, sizeof(err)), 0);
	assert_false(outputs__any(&o));
	assert_int_equal(outputs__parse(&o, OUTPUTS_OPT_OUTPUT, "x.speedscope.json", err,
					sizeof(err)), 1);
	assert_int_equal(outputs__parse(&o, OUTPUTS_OPT_OUTPUT, "x.json", err,
					sizeof(err)), 1);
	assert_int_equal(outputs__parse(&o, OUTPUTS_OPT_OUTPUT, "x.pb.gz", err,
					sizeof(err)), 1);
	assert_int_equal(outputs__parse(&o, OUTPUTS_OPT_SVG, "x.svg", err,
					sizeof(err)), 1);
	assert_int_equal(outputs__parse(&o, OUTPUTS_OPT_LINES, NULL, err,
					sizeof(err)), 1);
	assert_string_equal(o.path[OUT_SPEEDSCOPE], "x.speedscope.json");
	assert_string_equal(o.path[OUT_JSON], "x.json");
	assert_string_equal(o.path[OUT_PPROF], "x.pb.gz");
	assert_true(o.lines);
	assert_true(outputs__any(&o));
	assert_int_equal(outputs__format_of("a.pprof"), OUT_PPROF);
	assert_int_equal(outputs__format_of("a.folded"), OUT_FOLDED);
	assert_int_equal(outputs__format_of(".svg"), -1);
	assert_int_equal(outputs__format_of("a.txt"), -1);

	assert_int_equal(outputs__parse(&o, OUTPUTS_OPT_OUTPUT, "x.txt", err,
					sizeof(err)), -1);
	assert_non_null(strstr(err, "extension"));
	assert_int_equal(outputs__parse(&o, OUTPUTS_OPT_FOLDED, "x.svg", err,
					sizeof(err)), -1);
	assert_non_null(strstr(err, "already the svg output"));
	assert_int_equal(outputs__parse(&o, OUTPUTS_OPT_SVG, "y.svg", err,
					sizeof(err)), -1);
	assert_non_null(strstr(err, "two svg files"));
	assert_int_equal(outputs__parse(&o, OUTPUTS_OPT_FOLDED, "", err,
					sizeof(err)), -1);
	assert_non_null(strstr(err, "empty file name for --folded"));
}

static void test_outputs_files(void **state)
{
	static const char *const names[] = { "p.folded", "p.svg", "p.pb.gz",
					     "p.speedscope.json", "p.json" };
	struct profile *p = fixture_profile();
	struct outputs_opts o = {};
	struct outputs out;
	char paths[OUT__COUNT][256], bad[256];
	int i;

	(void)state;
	for (i = 0; i < OUT__COUNT; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/%s", tmpdir, names[i]);
		o.path[i] = paths[i];
	}
	/* A path that cannot be written fails at open, and leaves nothing. */
	snprintf(bad, sizeof(bad), "%s/no/such/dir.json", tmpdir);
	o.path[OUT_JSON] = bad;
	assert_int_equal(outputs__open(&out, &o), -1);
	assert_int_equal(files_in_tmpdir(), 0);

	/* A directory, a device: refused at open (the rename at the end
	 * would replace them). */
	o.path[OUT_JSON] = tmpdir;
	assert_int_equal(outputs__open(&out, &o), -1);
	o.path[OUT_JSON] = "/dev/null";
	assert_int_equal(outputs__open(&out, &o), -1);
	assert_int_equal(files_in_tmpdir(), 0);

	/* Opened: temporary files only, until written. */
	o.path[OUT_JSON] = paths[OUT_JSON];
	assert_int_equal(outputs__open(&out, &o), 0);
	assert_int_equal(files_in_tmpdir(), 5);
	assert_int_equal(access(paths[OUT_SVG], F_OK), -1);
	assert_int_equal(outputs__write(&out, p), 0);
	outputs__abort(&out);
	for (i = 0; i < OUT__COUNT; i++)
		assert_int_equal(access(paths[i], R_OK), 0);
	assert_int_equal(files_in_tmpdir(), 5);

	/* The umask decides who may read them: 077 keeps them private. */
	for (i = 0; i < OUT__COUNT; i++)
		unlink(paths[i]);
	{
		mode_t old = umask(077);
		struct stat st;

		assert_int_equal(outputs__open(&out, &o), 0);
		assert_int_equal(outputs__write(&out, p), 0);
		outputs__abort(&out);
		umask(old);
		assert_int_equal(stat(paths[OUT_FOLDED], &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
	}

	/* Aborted: nothing new. */
	for (i = 0; i < OUT__COUNT; i++)
		unlink(paths[i]);
	assert_int_equal(outputs__open(&out, &o), 0);
	outputs__abort(&out);
	assert_int_equal(files_in_tmpdir(), 0);
	profile__free(p);
}

/* ---- Python frames ------------------------------------------------------- */

static int render_folded_lines_ctx(const void *p, FILE *f)
{
	return render_folded(p, 0, FOLDED_LINES, f);
}

static int render_table_ctx(const void *p, FILE *f)
{
	return render_table(p, 0, 10, f);
}

static void expect_text(int (*render)(const void *ctx, FILE *f),
			const struct profile *p, const char *want)
{
	size_t len;
	char *got = render_to_memory(render, p, &len);

	if (strcmp(got, want)) {
		/* cmocka truncates long messages: print the whole thing. */
		fprintf(stderr, "--- want\n%s--- got\n%s---\n", want, got);
		free(got);
		fail_msg("output differs");
	}
	free(got);
}

#define PY_ROOT "python3;main;Py_RunMain;"

static const char py_folded[] =
	PY_ROOT "<module>_[py];level1 4\n"
	PY_ROOT "<module>_[py];level1_[py];Outer.level2_[py] 8\n"
	PY_ROOT "<module>_[py];level1_[py];memcpy 2\n";

static const char py_folded_lines[] =
	PY_ROOT "<module> (app.py:30)_[py];level1 4\n"
	PY_ROOT "<module> (app.py:30)_[py];level1 (app.py:25)_[py];"
		"Outer.level2 (app.py:12)_[py] 5\n"
	PY_ROOT "<module> (app.py:30)_[py];level1 (app.py:25)_[py];"
		"Outer.level2 (app.py:14)_[py] 3\n"
	PY_ROOT "<module> (app.py:30)_[py];level1 (app.py:25)_[py];memcpy 2\n";

/* Python frames end in "_[py]"; with --lines "(file:line)" comes first,
 * as for native frames; the native level1 stays a line of its own. */
static void test_python_folded(void **state)
{
	struct profile *p = python_profile();

	(void)state;
	expect_text(render_folded_ctx, p, py_folded);
	expect_text(render_folded_lines_ctx, p, py_folded_lines);
	profile__free(p);
}

/* What was written reads back as Python frames and writes the same. */
static void test_python_folded_read(void **state)
{
	const char *const texts[] = { py_folded, py_folded_lines };
	const struct prof_sample *s;
	struct profile *p;
	size_t i, len;
	char *out, buf[64];

	(void)state;
	for (i = 0; i < 2; i++) {
		p = parse_folded(texts[i]);
		out = render_to_memory(render_folded_ctx, p, &len);
		assert_string_equal(out, texts[i]);
		free(out);
		/* The first line: level1 (native, leaf), <module> (Python). */
		s = &p->samples[0];
		assert_int_equal(s->nlocs, 4);
		assert_false(p->locations[s->locs[0] - 1].python);
		assert_true(p->locations[s->locs[1] - 1].python);
		assert_false(p->locations[s->locs[2] - 1].python);
		assert_string_equal(profile__location_name(p, s->locs[0], buf,
							   sizeof(buf)), "level1");
		/* The Python level1 of the second line is another location. */
		s = &p->samples[1];
		assert_true(p->locations[s->locs[1] - 1].python);
		assert_int_not_equal(s->locs[1], p->samples[0].locs[0]);
		profile__free(p);
	}
	/* An unnamed Python frame; a Python name that looks like an
	 * address of a module is a name. */
	p = parse_folded("py;[unknown]_[py];f+0x1a_[py] 1\n");
	s = &p->samples[0];
	assert_true(p->locations[s->locs[1] - 1].python);
	assert_int_equal(p->locations[s->locs[1] - 1].function, 0);
	assert_true(p->locations[s->locs[0] - 1].python);
	assert_int_equal(p->locations[s->locs[0] - 1].mapping, 0);
	assert_string_equal(profile__location_name(p, s->locs[0], buf, sizeof(buf)),
			    "f+0x1a");
	out = render_to_memory(render_folded_ctx, p, &len);
	assert_string_equal(out, "py;[unknown]_[py];f+0x1a_[py] 1\n");
	free(out);
	profile__free(p);
}

/* The tables: a Python function's module column is its file. */
static void test_python_table(void **state)
{
	struct profile *p = python_profile();

	(void)state;
	expect_text(render_table_ctx, p,
		"profiler cpu: cpu-clock at 100 Hz, pid 777\n"
		"duration 1.00 s, 14 samples, 4 distinct stacks\n"
		"\n"
		"Top 10 functions by self samples:\n"
		"      SELF       %      TOTAL       %  FUNCTION  [MODULE]\n"
		"         8  57.14%          8  57.14%  Outer.level2  [app.py]\n"
		"         4  28.57%          4  28.57%  level1  [_ext.so]\n"
		"         2  14.29%          2  14.29%  memcpy  [libc.so.6]\n"
		"\n"
		"Top 10 functions by total (inclusive) samples:\n"
		"      SELF       %      TOTAL       %  FUNCTION  [MODULE]\n"
		"         0   0.00%         14 100.00%  <module>  [app.py]\n"
		"         0   0.00%         14 100.00%  Py_RunMain  [libpython3.11.so.1.0]\n"
		"         0   0.00%         14 100.00%  main  [python3.11]\n"
		"         0   0.00%         10  71.43%  level1  [app.py]\n"
		"         8  57.14%          8  57.14%  Outer.level2  [app.py]\n"
		"         4  28.57%          4  28.57%  level1  [_ext.so]\n"
		"         2  14.29%          2  14.29%  memcpy  [libc.so.6]\n");
	profile__free(p);
}

/* JSON: "python" beside "kernel" and "inlined", the first line where
 * known; speedscope: the folded suffix, the file and line. */
static void test_python_json_speedscope(void **state)
{
	struct profile *p = python_profile();
	size_t len;
	char *text = render_to_memory(render_json_ctx, p, &len);

	(void)state;
	assert_non_null(strstr(text,
		"{\"name\": \"Outer.level2\", \"module\": \"\", \"file\": \"app.py\", "
		"\"line\": 12, \"inlined\": false, \"kernel\": false, \"python\": true, "
		"\"build_id\": \"\", \"address\": \"0x0\", \"start_line\": 10}"));
	assert_non_null(strstr(text,
		"{\"name\": \"level1\", \"module\": \"_ext.so\", \"file\": \"\", "
		"\"line\": 0, \"inlined\": false, \"kernel\": false, \"python\": false, "
		"\"build_id\": \"\", \"address\": \"0x3000\"}"));
	assert_non_null(strstr(text,
		"{\"name\": \"level1\", \"module\": \"app.py\", \"kernel\": false, "
		"\"python\": true, \"self\": {\"samples\": 0, \"cpu_ns\": 0}, "
		"\"total\": {\"samples\": 10, \"cpu_ns\": 100000000}}"));
	assert_non_null(strstr(text,
		"{\"name\": \"level1\", \"module\": \"_ext.so\", \"kernel\": false, "
		"\"python\": false, "));
	free(text);

	text = render_to_memory(render_speedscope_ctx, p, &len);
	assert_non_null(strstr(text, "{\"name\": \"Outer.level2_[py]\", "
			       "\"file\": \"app.py\", \"line\": 12}"));
	assert_non_null(strstr(text, "{\"name\": \"Outer.level2_[py]\", "
			       "\"file\": \"app.py\", \"line\": 14}"));
	assert_non_null(strstr(text, "{\"name\": \"level1\", \"file\": \"_ext.so\"}"));
	free(text);
	profile__free(p);
}

/* diff of collapsed stacks (no modules): a Python function and native
 * code of the same name are two rows. */
static void test_python_diff(void **state)
{
	struct profile *base = parse_folded("py;main;level1 50\npy;main;level1_[py] 50\n");
	struct profile *new = parse_folded("py;main;level1 20\npy;main;level1_[py] 80\n");
	struct diff d;
	size_t i, seen = 0;

	(void)state;
	assert_int_equal(diff__compute(base, 0, new, 0, false, &d), 0);
	for (i = 0; i < d.n; i++) {
		const struct diff_row *r = &d.rows[i];

		if (strcmp(r->name, "level1"))
			continue;
		if (!strcmp(r->module, "[python]"))
			assert_true(r->new_self > 79.9 && r->new_self < 80.1);
		else
			assert_true(!strcmp(r->module, "") && r->new_self > 19.9 &&
				    r->new_self < 20.1);
		seen++;
	}
	assert_int_equal(seen, 2);
	diff__free(&d);
	profile__free(base);
	profile__free(new);
}

/* ---- report and diff -------------------------------------------------------- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 65536);

	assert_non_null(f);
	assert_non_null(buf);
	assert_true(fread(buf, 1, 65535, f) < 65535);
	fclose(f);
	return buf;
}

/* argv from words, for the commands (they take char **). */
static int run(int (*cmd)(int, char **), ...)
{
	char *argv[16];
	int argc = 0, rc;
	va_list ap;

	va_start(ap, cmd);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	rc = cmd(argc, argv);
	log_level = LOG_NORMAL;
	return rc;
}

static void test_report_round_trip(void **state)
{
	static const char text[] = "app;main;hot 5\napp;main;work_[i] 2\n"
				   "py;<module>_[py];level1_[py] 3\n";
	char in[256], pb[256], back[256], *got;

	(void)state;
	snprintf(in, sizeof(in), "%s/in.folded", tmpdir);
	snprintf(pb, sizeof(pb), "%s/in.pb.gz", tmpdir);
	snprintf(back, sizeof(back), "%s/back.folded", tmpdir);
	write_file(in, text);
	assert_int_equal(run(cmd_report, "report", "-q", in, "--output", pb, NULL), 0);
	assert_int_equal(run(cmd_report, "report", pb, "-q", "--folded", back, NULL), 0);
	got = read_file(back);
	assert_string_equal(got, text);
	free(got);
	/* Errors: a missing file is a runtime failure, a bad option usage. */
	assert_int_equal(run(cmd_report, "report", "-q", "/nonexistent.pb.gz", NULL), 1);
	assert_int_equal(run(cmd_report, "report", in, "--top", "x", NULL), 2);
	assert_int_equal(run(cmd_report, "report", NULL), 2);
	assert_int_equal(run(cmd_report, "report", in, "--sample-type", "nope", "-q",
			     NULL), 2);
}

/* base: hash 20% self; new: hash 52.9%: the change to report first. */
static const char base_text[] =
	"app;main;parse;lex 300\n"
	"app;main;work;hash 200\n"
	"app;main;work;compress 400\n"
	"app;main;io;write_[k] 100\n";
static const char new_text[] =
	"app;main;parse;lex 300\n"
	"app;main;work;hash 900\n"
	"app;main;work;compress 400\n"
	"app;main;io;write_[k] 100\n";

static void test_diff_ranking(void **state)
{
	struct profile *base = parse_folded(base_text), *new = parse_folded(new_text);
	const struct diff_row *r;
	struct diff d;

	(void)state;
	assert_int_equal(diff__compute(base, 0, new, 0, false, &d), 0);
	assert_true(d.base_all == 1000 && d.new_all == 1700);
	diff__sort(&d, false);
	assert_string_equal(d.rows[0].name, "hash");
	assert_true(d.rows[0].base_self > 19.99 && d.rows[0].base_self < 20.01);
	assert_true(d.rows[0].new_self > 52.9 && d.rows[0].new_self < 53.0);
	assert_string_equal(d.rows[1].name, "compress");	/* shrank most */
	diff__sort(&d, true);
	assert_string_equal(d.rows[0].name, "hash");
	assert_string_equal(d.rows[1].name, "work");
	r = diff__grew_above(&d, 30);
	assert_non_null(r);
	assert_string_equal(r->name, "hash");
	assert_null(diff__grew_above(&d, 33));
	diff__free(&d);

	/* The same profile twice: nothing changed. */
	assert_int_equal(diff__compute(base, 0, base, 0, false, &d), 0);
	assert_null(diff__grew_above(&d, 0));
	diff__free(&d);
	profile__free(base);
	profile__free(new);
}

static void test_diff_command(void **state)
{
	char base[256], new[256], svg[256], *text;

	(void)state;
	snprintf(base, sizeof(base), "%s/base.folded", tmpdir);
	snprintf(new, sizeof(new), "%s/new.folded", tmpdir);
	snprintf(svg, sizeof(svg), "%s/diff.svg", tmpdir);
	write_file(base, base_text);
	write_file(new, new_text);
	assert_int_equal(run(cmd_diff, "diff", "-q", base, new, "--svg", svg, NULL), 0);
	text = read_file(svg);
	assert_non_null(strstr(text, "share grew"));
	free(text);
	assert_int_equal(run(cmd_diff, "diff", "-q", base, new, "--fail-above", "40",
			     NULL), 0);
	/* hash grew by 32.94 points */
	assert_int_equal(run(cmd_diff, "diff", "-q", base, new, "--fail-above", "30",
			     NULL), EXIT_DIFF_ABOVE);
	assert_int_equal(run(cmd_diff, "diff", "-q", new, base, "--fail-above", "0",
			     NULL), EXIT_DIFF_ABOVE);
	assert_int_equal(run(cmd_diff, "diff", "-q", base, base, "--fail-above", "0",
			     NULL), 0);
	assert_int_equal(run(cmd_diff, "diff", base, new, "--fail-above", "-1", NULL), 2);
	assert_int_equal(run(cmd_diff, "diff", base, new, "--fail-above", "1e3", NULL), 2);
	assert_int_equal(run(cmd_diff, "diff", base, NULL), 2);
	assert_int_equal(run(cmd_diff, "diff", "-q", base, "/nonexistent", NULL), 1);
	/* A device never ends: refused at once, not read for 2 GiB. */
	assert_int_equal(run(cmd_diff, "diff", "-q", base, "/dev/zero", NULL), 1);
	assert_int_equal(run(cmd_report, "report", "-q", "/dev/zero", NULL), 1);
	assert_int_equal(run(cmd_report, "report", "-q", tmpdir, NULL), 1);
	/* --max-frames: the base's 12 frames fit in 12, not in 11. */
	assert_int_equal(run(cmd_report, "report", "-q", base, "--max-frames", "11",
			     NULL), 1);
	assert_int_equal(run(cmd_report, "report", "-q", base, "--max-frames", "x",
			     NULL), 2);
	profile_max_frames = PROFILE_DEFAULT_MAX_FRAMES;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_speedscope_golden),
		cmocka_unit_test(test_json_golden),
		cmocka_unit_test(test_folded_round_trip),
		cmocka_unit_test(test_folded_frames),
		cmocka_unit_test(test_folded_errors),
		cmocka_unit_test(test_folded_gzip),
		cmocka_unit_test(test_python_folded),
		cmocka_unit_test(test_python_folded_read),
		cmocka_unit_test(test_python_table),
		cmocka_unit_test(test_python_json_speedscope),
		cmocka_unit_test(test_python_diff),
		cmocka_unit_test(test_outputs_parse),
		cmocka_unit_test(test_outputs_files),
		cmocka_unit_test(test_report_round_trip),
		cmocka_unit_test(test_diff_ranking),
		cmocka_unit_test(test_diff_command),
	};

	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
