// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The SVG flame graph: golden output for a profile built by hand, names
 * escaped for XML and for the embedded script, narrow frames left out (and
 * said so), top-down drawing, differential colours.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture_profile.h"
#include "golden.h"
#include "render/render.h"

struct svg_call {
	const struct profile *p;
	struct svg_opts o;
};

static int render_svg_ctx(const void *ctx, FILE *f)
{
	const struct svg_call *c = ctx;

	return render_svg(c->p, &c->o, f);
}

static char *svg_of(const struct profile *p, const struct svg_opts *o)
{
	struct svg_call c = { .p = p, .o = *o };
	size_t len;

	return render_to_memory(render_svg_ctx, &c, &len);
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (s = strstr(s, what); s; s = strstr(s + 1, what))
		n++;
	return n;
}

static void test_golden(void **state)
{
	struct profile *p = fixture_profile();
	struct svg_opts o = { .value_type = 1 };
	char *svg = svg_of(p, &o);

	(void)state;
	expect_golden("fixture.svg", svg, strlen(svg));
	free(svg);
	profile__free(p);
}

/* One <g> per frame: all, 2 processes, and the merged tree below them. */
static void test_frames_and_text(void **state)
{
	struct profile *p = fixture_profile();
	struct svg_opts o = { .value_type = 0 };
	char *svg = svg_of(p, &o);

	(void)state;
	/* all; app, worker; main, do_syscall_64, [kernel.kallsyms]+..;
	 * work, outer, memcpy, libfoo.so.1+.., operator<<; inner_math,
	 * do_syscall_64; [unknown], [stack lost]; nft_do_chain */
	assert_int_equal(count(svg, "<g><rect"), 16);
	assert_non_null(strstr(svg, "every frame drawn"));
	/* Title, subtitle with duration, total and unit. */
	assert_non_null(strstr(svg, ">profiler cpu: cpu-clock at 100 Hz, pid 4242<"));
	assert_non_null(strstr(svg, "duration 2.50 s"));
	assert_non_null(strstr(svg, "111 samples"));
	assert_non_null(strstr(svg, "started 2023-11-14 22:13:20 UTC"));
	/* XML specials escaped in the script's data too (a CDATA section
	 * must never meet "]]>"). */
	assert_null(strstr(svg, "operator<<"));
	assert_non_null(strstr(svg, "\"operator\\u003c\\u003c(std::ostream\\u0026, "
			       "\\\"q\\\\\\\")\""));
	/* Nothing fetched from anywhere. */
	assert_null(strstr(svg, "href"));
	assert_null(strstr(svg, "http://www.w3.org/1999/xlink"));
	assert_int_equal(count(svg, "http"), 2);	/* the two namespaces */
	/* Kinds for the script: root, process, program, kernel, ... */
	assert_non_null(strstr(svg, "\"kind\":\"r"));
	free(svg);
	profile__free(p);
}

/* A name with XML specials, wide enough to be drawn whole. */
static void test_xml_escaping(void **state)
{
	struct profile *p = profile__new();
	struct svg_opts o = { .value_type = 0 };
	int64_t v[PROF_MAX_VALUES] = { 5 };
	uint32_t l;
	char *svg;

	(void)state;
	assert_non_null(p);
	assert_int_equal(profile__add_type(p, "samples", "count"), 0);
	p->title = profile__str(p, "a <b> & \"c\"");
	l = fix_loc(p, "operator<<(std::ostream&, \"q\")\x01\xff", "app", "/app", "",
		    0x10, NULL, 0, false, false);
	assert_int_equal(profile__add_sample(p, &l, 1, 1, "app", v), 0);
	svg = svg_of(p, &o);
	/* The control character arrives escaped (profile names are), the
	 * invalid UTF-8 byte becomes '?'. */
	assert_non_null(strstr(svg, ">operator&lt;&lt;(std::ostream&amp;, \"q\")\\x01?</text>"));
	assert_non_null(strstr(svg, "<title>a &lt;b&gt; &amp; \"c\"</title>"));
	/* Invalid UTF-8 never reaches the document. */
	assert_null(strstr(svg, "\xff"));
	assert_null(strstr(svg, "\x01"));
	free(svg);
	profile__free(p);
}

static int y_of_first_frame(const char *svg)
{
	const char *g = strstr(strstr(svg, "<g id=\"frames\">"), "y=\"");

	return atoi(g + 3);
}

static void test_icicle(void **state)
{
	struct profile *p = fixture_profile();
	struct svg_opts flame = { .value_type = 0 }, icicle = { .icicle = true };
	char *a = svg_of(p, &flame), *b = svg_of(p, &icicle);

	(void)state;
	/* The root is drawn first: at the bottom, or at the top. */
	assert_int_equal(y_of_first_frame(b), 64);
	assert_true(y_of_first_frame(a) > 64);
	assert_non_null(strstr(b, "Icicle graph"));
	assert_non_null(strstr(b, "\"icicle\":true"));
	free(a);
	free(b);
	profile__free(p);
}

/* 20,000 one-sample stacks beside one of a million: too narrow to draw. */
static void test_prunes_narrow_frames(void **state)
{
	struct profile *p = profile__new();
	struct svg_opts o = { .value_type = 0 };
	int64_t v[PROF_MAX_VALUES] = { 1000000 };
	uint32_t big, l;
	char name[32], *svg;
	int i;

	(void)state;
	assert_non_null(p);
	assert_int_equal(profile__add_type(p, "samples", "count"), 0);
	big = fix_loc(p, "hot", "app", "/app", "", 0x10, NULL, 0, false, false);
	assert_int_equal(profile__add_sample(p, &big, 1, 1, "app", v), 0);
	v[0] = 1;
	for (i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "cold_%d", i);
		l = fix_loc(p, name, "app", "/app", "", 0x100 + i, NULL, 0, false, false);
		assert_int_equal(profile__add_sample(p, &l, 1, 1, "app", v), 0);
	}
	svg = svg_of(p, &o);
	/* all, app, hot */
	assert_int_equal(count(svg, "<g><rect"), 3);
	assert_non_null(strstr(svg, "20000 frames under 0.1 px wide not drawn; "
			       "they hold 1.96% of the total"));
	assert_null(strstr(svg, "cold_"));
	free(svg);
	profile__free(p);
}

/* The fill of the frame labelled name ("#rrggbb" into out). */
static void fill_of(const char *svg, const char *name, char *out)
{
	char label[64];
	const char *at, *fill;

	snprintf(label, sizeof(label), ">%s</text>", name);
	at = strstr(svg, label);
	assert_non_null(at);
	for (fill = at; fill > svg && strncmp(fill, "fill=\"#", 7); fill--)
		;
	memcpy(out, fill + 6, 7);
	out[7] = '\0';
}

/* "#rrggbb" into its parts. */
static void rgb_of(const char *hex, int *r, int *g, int *b)
{
	assert_int_equal(sscanf(hex, "#%2x%2x%2x", r, g, b), 3);
}

/*
 * Python frames: a colour family of their own (greens), "Python" in the
 * legend (only where there are some), their file as the hover's module,
 * and never merged with native code of the same name.
 */
static void test_python(void **state)
{
	struct profile *p = python_profile();
	struct svg_opts o = { .value_type = 0 };
	char *svg = svg_of(p, &o), fill[8];
	int r, g, b;

	(void)state;
	/* all, python3, main, Py_RunMain, <module>, level1 (native),
	 * level1 (Python), Outer.level2, memcpy */
	assert_int_equal(count(svg, "<g><rect"), 9);
	/* Preorder; siblings by name, then kind: the native level1 first. */
	assert_non_null(strstr(svg, "\"kind\":\"rcplylyyl\""));
	assert_int_equal(count(svg, ">Python</text>"), 1);
	assert_non_null(strstr(svg, "y: 'Python'"));
	assert_non_null(strstr(svg, "\"app.py\""));
	fill_of(svg, "Outer.level2", fill);
	rgb_of(fill, &r, &g, &b);
	assert_true(g > r && g > b);
	fill_of(svg, "&lt;module&gt;", fill);
	rgb_of(fill, &r, &g, &b);
	assert_true(g > r && g > b);
	/* The native level1 (drawn first) keeps the library's ambers. */
	fill_of(svg, "level1", fill);
	rgb_of(fill, &r, &g, &b);
	assert_true(r > g && g > b);
	free(svg);
	profile__free(p);

	/* No Python frames, no Python in the legend. */
	p = fixture_profile();
	svg = svg_of(p, &o);
	assert_int_equal(count(svg, ">Python</text>"), 0);
	free(svg);
	profile__free(p);
}

static void test_differential(void **state)
{
	struct profile *base = profile__new(), *new = profile__new();
	struct svg_opts o = { .value_type = 0, .base_type = 0,
			      .title = "profiler diff: a -> b" };
	struct profile *pp[2] = { base, new };
	int64_t grow_v[2] = { 100, 400 }, shrink_v[2] = { 300, 100 };
	char *svg, grew[8], shrank[8];
	unsigned int r, g, b;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		int64_t v[PROF_MAX_VALUES] = {};
		uint32_t m, l;

		assert_non_null(pp[i]);
		assert_int_equal(profile__add_type(pp[i], "samples", "count"), 0);
		m = fix_loc(pp[i], "main", "app", "/app", "", 0x10, NULL, 0, false, false);
		l = fix_loc(pp[i], "grows", "app", "/app", "", 0x20, NULL, 0, false, false);
		v[0] = grow_v[i];
		assert_int_equal(profile__add_sample(pp[i], (uint32_t[]){ l, m }, 2, 1,
						     "app", v), 0);
		l = fix_loc(pp[i], "shrinks", "app", "/app", "", 0x30, NULL, 0, false,
			    false);
		v[0] = shrink_v[i];
		assert_int_equal(profile__add_sample(pp[i], (uint32_t[]){ l, m }, 2, 1,
						     "app", v), 0);
	}
	o.base = base;
	svg = svg_of(new, &o);
	fill_of(svg, "grows", grew);
	fill_of(svg, "shrinks", shrank);
	assert_int_equal(sscanf(grew, "#%2x%2x%2x", &r, &g, &b), 3);
	assert_true(r > b + 100);
	assert_int_equal(sscanf(shrank, "#%2x%2x%2x", &r, &g, &b), 3);
	assert_true(b > r + 100);
	/* base values ride along for the hover text */
	assert_non_null(strstr(svg, "\"basetotal\":400"));
	assert_non_null(strstr(svg, "share grew"));
	assert_non_null(strstr(svg, ">profiler diff: a -&gt; b<"));
	free(svg);
	profile__free(base);
	profile__free(new);
}

static void test_empty(void **state)
{
	struct profile *p = profile__new();
	struct svg_opts o = { .value_type = 0 };
	char *svg;

	(void)state;
	assert_non_null(p);
	assert_int_equal(profile__add_type(p, "samples", "count"), 0);
	svg = svg_of(p, &o);
	assert_non_null(strstr(svg, "no samples"));
	assert_non_null(strstr(svg, "</svg>\n"));
	free(svg);
	o.value_type = 3;
	assert_int_equal(render_svg(p, &o, stderr), -EINVAL);
	profile__free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_frames_and_text),
		cmocka_unit_test(test_xml_escaping),
		cmocka_unit_test(test_icicle),
		cmocka_unit_test(test_prunes_narrow_frames),
		cmocka_unit_test(test_python),
		cmocka_unit_test(test_differential),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
