// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * profiler top's pure parts: the view word and its PATTERNs on the command
 * line (top_parse_args); the per-second differences of cumulative counters
 * whose sum over the ring is the window (counts_*), checked against the
 * readings themselves; a mem site's key across readings (top_site_key);
 * a window's min and max against its histogram (hist_window_bounds); the
 * flat profile the lat view and lat share (lat_profile_*).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hist.h"
#include "model/profile.h"
#include "modes/lat_profile.h"
#include "modes/top_mode.h"
#include "modes/top_window.h"
#include "render/render.h"

/* Parse "top" and the NULL-terminated words; stderr kept out. */
static enum cli_result parse(struct top_opts *o, ...)
{
	char *v[16];
	int n = 0, saved, null;
	enum cli_result r;
	const char *w;
	va_list ap;

	v[n++] = (char *)"top";
	va_start(ap, o);
	while ((w = va_arg(ap, const char *)) && n < 15)
		v[n++] = (char *)w;
	va_end(ap);
	v[n] = NULL;
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	null = open("/dev/null", 1);
	assert_true(saved >= 0 && null >= 0);
	dup2(null, STDERR_FILENO);
	r = top_parse_args(n, v, o);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(null);
	return r;
}

static void test_views(void **state)
{
	struct top_opts o;

	(void)state;
	assert_int_equal(parse(&o, NULL), CLI_OK);
	assert_int_equal(o.view, TOP_CPU);
	assert_int_equal(o.window, TOP_DEFAULT_WINDOW);
	cli_free_common(&o.c);
	assert_int_equal(parse(&o, "-p", "12", "cpu", NULL), CLI_OK);
	assert_int_equal(o.view, TOP_CPU);
	cli_free_common(&o.c);
	/* Options after the view word count too. */
	assert_int_equal(parse(&o, "-p", "12", "mem", "--window", "3", "--top", "4",
			       NULL), CLI_OK);
	assert_int_equal(o.view, TOP_MEM);
	assert_int_equal(o.c.npids, 1);
	assert_int_equal(o.window, 3);
	assert_int_equal(o.c.top, 4);
	cli_free_common(&o.c);
	assert_int_equal(parse(&o, "-p", "12", "lat", "malloc", "work_*",
			       "--max-probes", "7", NULL), CLI_OK);
	assert_int_equal(o.view, TOP_LAT);
	assert_int_equal(o.npatterns, 2);
	assert_string_equal(o.patterns[0], "malloc");
	assert_string_equal(o.patterns[1], "work_*");
	assert_int_equal(o.max_probes, 7);
	cli_free_common(&o.c);
	/* offcpu, like cpu, runs without -p: the whole machine. */
	assert_int_equal(parse(&o, "offcpu", NULL), CLI_OK);
	assert_int_equal(o.view, TOP_OFFCPU);
	assert_int_equal(o.c.npids, 0);
	cli_free_common(&o.c);
	assert_string_equal(top_view_name(TOP_OFFCPU), "offcpu");
}

static void test_view_errors(void **state)
{
	struct top_opts o;

	(void)state;
	/* mem and lat probe given processes. */
	assert_int_equal(parse(&o, "mem", NULL), CLI_USAGE);
	cli_free_common(&o.c);
	assert_int_equal(parse(&o, "lat", "malloc", NULL), CLI_USAGE);
	cli_free_common(&o.c);
	assert_int_equal(parse(&o, "-p", "12", "lat", NULL), CLI_USAGE);
	cli_free_common(&o.c);
	assert_int_equal(parse(&o, "-p", "12", "heap", NULL), CLI_USAGE);
	cli_free_common(&o.c);
	/* Only lat takes more words. */
	assert_int_equal(parse(&o, "-p", "12", "mem", "malloc", NULL), CLI_USAGE);
	cli_free_common(&o.c);
	assert_int_equal(parse(&o, "cpu", "offcpu", NULL), CLI_USAGE);
	cli_free_common(&o.c);
	assert_int_equal(parse(&o, "--", "/bin/true", NULL), CLI_USAGE);
	cli_free_common(&o.c);
	assert_int_equal(parse(&o, "-p", "12", "lat", "x", "--max-probes", "0", NULL),
			 CLI_USAGE);
	cli_free_common(&o.c);
}

static void test_counts(void **state)
{
	struct counts a = {}, b = {}, d = {};
	uint64_t x, y;

	(void)state;
	assert_int_equal(counts_add(&a, 7, 1, 10), 0);
	assert_int_equal(counts_add(&a, 9, 2, 20), 0);
	assert_int_equal(counts_add(&a, 7, 3, 30), 0);
	assert_int_equal(a.n, 2);
	assert_true(counts_get(&a, 7, &x, &y));
	assert_int_equal(x, 4);
	assert_int_equal(y, 40);
	assert_false(counts_get(&a, 8, &x, &y));
	assert_int_equal(x + y, 0);
	assert_int_equal(counts_find(&a, 9), 1);
	assert_int_equal(counts_find(&a, 8), -1);
	assert_int_equal(counts_find(&d, 8), -1);

	/* b: key 7 grew by (1, 5), 9 did not change, 11 is new, and 13's
	 * counter went back (it adds nothing, its other one does). */
	assert_int_equal(counts_add(&b, 7, 5, 45), 0);
	assert_int_equal(counts_add(&b, 9, 2, 20), 0);
	assert_int_equal(counts_add(&b, 11, 6, 60), 0);
	assert_int_equal(counts_add(&a, 13, 5, 50), 0);
	assert_int_equal(counts_add(&b, 13, 4, 51), 0);
	assert_int_equal(counts_diff(&d, &b, &a), 0);
	assert_int_equal(d.n, 3);
	assert_true(counts_get(&d, 7, &x, &y));
	assert_int_equal(x, 1);
	assert_int_equal(y, 5);
	assert_false(counts_get(&d, 9, &x, &y));
	assert_true(counts_get(&d, 11, &x, &y));
	assert_int_equal(x, 6);
	assert_int_equal(y, 60);
	assert_true(counts_get(&d, 13, &x, &y));
	assert_int_equal(x, 0);
	assert_int_equal(y, 1);
	assert_int_equal(counts_merge(&d, &a), 0);
	assert_true(counts_get(&d, 7, &x, &y));
	assert_int_equal(x, 5);
	assert_int_equal(y, 45);
	counts_free(&a);
	counts_free(&b);
	counts_free(&d);
	assert_int_equal(d.n, 0);
	assert_null(d.index);
}

/*
 * The ring as the views keep it: each second the difference from the
 * last reading; the window's sum over the last W seconds is the reading
 * now less the reading W seconds ago, for every key, including keys that
 * appear mid-way.
 */
static void test_window_is_reading_difference(void **state)
{
	enum { SECONDS = 12, W = 4, KEYS = 5 };
	struct counts reading[SECONDS + 1] = {}, ring[W] = {}, last = {};
	uint64_t a, b, now_a, now_b, then_a, then_b;
	int s, k, i;

	(void)state;
	for (s = 1; s <= SECONDS; s++) {
		struct counts window = {}, *cur = &ring[(s - 1) % W];

		/* Key k appears at second k and then grows by k*s a second. */
		for (k = 0; k < KEYS; k++)
			if (s >= k)
				assert_int_equal(counts_add(&reading[s], k,
							    (uint64_t)k * s * (s + 1) / 2,
							    (uint64_t)s), 0);
		counts_free(cur);
		assert_int_equal(counts_diff(cur, &reading[s], &last), 0);
		counts_free(&last);
		assert_int_equal(counts_merge(&last, &reading[s]), 0);
		for (i = 0; i < (s < W ? s : W); i++)
			assert_int_equal(counts_merge(&window, &ring[i]), 0);
		for (k = 0; k < KEYS; k++) {
			counts_get(&window, k, &a, &b);
			counts_get(&reading[s], k, &now_a, &now_b);
			counts_get(&reading[s > W ? s - W : 0], k, &then_a, &then_b);
			if (a != now_a - then_a || b != now_b - then_b)
				fail_msg("second %d key %d: window (%llu, %llu), readings "
					 "differ by (%llu, %llu)", s, k,
					 (unsigned long long)a, (unsigned long long)b,
					 (unsigned long long)(now_a - then_a),
					 (unsigned long long)(now_b - then_b));
		}
		counts_free(&window);
	}
	for (s = 0; s <= SECONDS; s++)
		counts_free(&reading[s]);
	for (i = 0; i < W; i++)
		counts_free(&ring[i]);
	counts_free(&last);
}

static uint32_t loc(struct profile *p, const char *name, const char *module)
{
	struct frame f = { .name = name, .module = module, .build_id = "",
			   .address = 0x1000 };
	uint32_t id = profile__location(p, &f);

	assert_int_not_equal(id, 0);
	return id;
}

/* A sample of stack names[0..n) (innermost first) in module m. */
static const struct prof_sample *site(struct profile *p, uint32_t pid,
				      const char *m, int n, ...)
{
	int64_t values[4] = { 1, 2, 3, 4 };
	uint32_t locs[8];
	va_list ap;
	int i;

	va_start(ap, n);
	for (i = 0; i < n; i++)
		locs[i] = loc(p, va_arg(ap, const char *), m);
	va_end(ap);
	assert_int_equal(profile__add_sample(p, locs, n, pid, "comm", values), 0);
	return &p->samples[p->nsamples - 1];
}

static void test_site_key(void **state)
{
	struct profile *p = profile__new(), *q = profile__new();
	uint64_t k;

	(void)state;
	assert_non_null(p);
	assert_non_null(q);
	k = top_site_key(p, site(p, 5, "m", 3, "malloc", "f", "main"));
	/* Another reading, its locations made in another order: same key. */
	site(q, 5, "m", 2, "main", "g");
	assert_int_equal(top_site_key(q, site(q, 5, "m", 3, "malloc", "f", "main")), k);
	/* Another process, caller, module or split of the names: another. */
	assert_int_not_equal(top_site_key(p, site(p, 6, "m", 3, "malloc", "f", "main")), k);
	assert_int_not_equal(top_site_key(p, site(p, 5, "m", 3, "malloc", "g", "main")), k);
	assert_int_not_equal(top_site_key(p, site(p, 5, "n", 3, "malloc", "f", "main")), k);
	assert_int_not_equal(top_site_key(p, site(p, 5, "m", 2, "malloc", "f")), k);
	assert_int_not_equal(top_site_key(p, site(p, 5, "m", 2, "ab", "c")),
			     top_site_key(p, site(p, 5, "m", 2, "a", "bc")));
	profile__free(p);
	profile__free(q);
}

static void test_window_bounds(void **state)
{
	uint64_t counts[HIST_BUCKETS] = {}, min, max;
	uint32_t lo = hist_bucket(1000), hi = hist_bucket(200000);

	(void)state;
	min = max = 5;
	hist_window_bounds(counts, &min, &max);
	assert_int_equal(min, 0);
	assert_int_equal(max, 0);
	counts[lo] = 3;
	counts[hi] = 1;
	/* Exact bounds inside their buckets stay. */
	min = 1000;
	max = 200000;
	hist_window_bounds(counts, &min, &max);
	assert_int_equal(min, 1000);
	assert_int_equal(max, 200000);
	/* A call no second saw: the max rises into the highest bucket, the
	 * min falls into the lowest. */
	min = 150000;
	max = 1000;
	hist_window_bounds(counts, &min, &max);
	assert_int_equal(max, hist_bucket_low(hi));
	assert_int_equal(min, hist_bucket_high(lo));
	assert_true(min >= 1000 && min < 1000 + 1000 / 16);
	/* An unknown min stays unknown; an unknown max is the lower bound. */
	min = max = 0;
	hist_window_bounds(counts, &min, &max);
	assert_int_equal(min, 0);
	assert_int_equal(max, hist_bucket_low(hi));
}

/* lat_profile: a function not called is left out; one called is a row
 * of the latency table with its calls, time and histogram's bounds. */
static void test_lat_profile(void **state)
{
	struct frame fr = { .name = "work", .module = "prog", .build_id = "" };
	uint64_t counts[HIST_BUCKETS] = {};
	struct lat_span span = { .frame = &fr, .comm = "prog", .counts = counts };
	struct profile *p = lat_profile_new("t", false, 2000000000LL, 3);
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_non_null(p);
	assert_int_equal(lat_profile_add(p, &span), 0);
	assert_int_equal(p->nsamples, 0);
	counts[hist_bucket(100000)] = 4;
	span.calls = 5;		/* one not timed */
	span.time_ns = 400000;
	span.min_ns = 99000;
	span.max_ns = 101000;
	assert_int_equal(lat_profile_add(p, &span), 1);
	assert_int_equal(p->nsamples, 1);
	assert_int_equal(p->nhists, 1);
	assert_int_equal(p->hists[0].total, 4);
	assert_int_equal(p->hists[0].min, 99000);
	assert_int_equal(p->hists[0].max, 101000);
	assert_int_equal(p->hists[0].location, p->samples[0].locs[0]);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(render_latency_table(p, 10, false, f), 0);
	fclose(f);
	/* 5 calls, avg of the 4 timed 100 us, max 101 us; 2 not called. */
	if (!strstr(text, "work") || !strstr(text, "5  100.0 us") ||
	    !strstr(text, "101.0 us") || !strstr(text, "(2 of 3 probed"))
		fail_msg("table:\n%s", text);
	free(text);
	profile__free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_views),
		cmocka_unit_test(test_view_errors),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_window_is_reading_difference),
		cmocka_unit_test(test_site_key),
		cmocka_unit_test(test_window_bounds),
		cmocka_unit_test(test_lat_profile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
