// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * lat's flat profile through the renderers: the latency table (rows by
 * total time, percentiles bounded by the exact min and max, functions not
 * called, losses), the JSON (histograms tied to their function, sample
 * labels, -i intervals) with a hostile function name escaped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "model/profile.h"
#include "render/render.h"

#define EVIL "evil\"\x1b]0;x\x07\xff\xc3("

/* One function: calls, timed calls all of value ns, min and max exact. */
static void function(struct profile *p, const char *name, int64_t calls,
		     uint64_t timed, uint64_t ns)
{
	struct frame f = { .name = name, .module = "app", .path = "/srv/app",
			   .build_id = "", .address = 0x1000 + calls };
	uint64_t counts[HIST_BUCKETS] = {};
	int64_t values[2] = { calls, (int64_t)(timed * ns) };
	struct prof_hist *h;
	uint32_t loc = profile__location(p, &f);

	assert_int_not_equal(loc, 0);
	assert_int_equal(profile__add_sample(p, &loc, 1, 0, "app", values), 0);
	assert_int_equal(profile__add_label(p, "probe_offset", NULL, 4, "bytes"), 0);
	assert_int_equal(profile__add_label(p, "probe_instruction", "push rbp", 0,
					    NULL), 0);
	counts[hist_bucket(ns)] = timed;
	h = profile__add_hist(p, PROF_GROUP_LATENCY, name, "nanoseconds", counts, ns);
	assert_non_null(h);
	h->min = ns;
	h->location = loc;
}

static struct profile *lat_profile(void)
{
	struct profile *p = profile__new();

	assert_non_null(p);
	assert_int_equal(profile__add_type(p, "calls", "count"), 0);
	assert_int_equal(profile__add_type(p, "time", "nanoseconds"), 1);
	p->default_type = 1;
	p->duration_ns = 1000000000;
	p->mode = profile__str(p, "lat");
	assert_int_equal(profile__add_metric(p, "", "functions_probed", "count", 3), 0);
	function(p, "fast", 100, 100, 1000);
	function(p, EVIL, 10, 5, 2000000);
	assert_int_equal(profile__add_loss(p, "calls not counted: nested too deep",
					   "", 3), 0);
	return p;
}

static char *render(struct profile *p, int which, FILE *intervals)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	if (which == 0)
		assert_int_equal(render_latency_table(p, 10, false, f), 0);
	else if (which == 1)
		assert_int_equal(render_json_with(p, intervals, f), 0);
	else
		assert_int_equal(render_json_interval(p, 5, true, f), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void test_table(void **state)
{
	struct profile *p = lat_profile();
	char *t = render(p, 0, NULL), *evil, *fast;

	(void)state;
	evil = strstr(t, "evil");
	fast = strstr(t, "fast");
	/* By total time: 10 ms before 100 us. */
	assert_non_null(evil);
	assert_non_null(fast);
	assert_true(evil < fast);
	/* Every percentile of "fast" is its exact value: the bucket's
	 * midpoint is held between the exact min and max. */
	assert_non_null(strstr(fast, "100   1.00 us   1.00 us   1.00 us   1.00 us"
				     "   1.00 us   1.00 us  100.0 us    0.0\n"));
	/* 10 calls, 5 timed: the average is over the timed ones. */
	assert_non_null(strstr(evil, "10   2.00 ms   2.00 ms"));
	assert_non_null(strstr(t, "  (1 of 3 probed functions not called)\n"));
	assert_non_null(strstr(t, "  note: 3 calls not counted: nested too deep\n"));
	/* No control character reaches the terminal. */
	assert_null(strchr(t, '\x1b'));
	free(t);
	profile__free(p);
}

static void test_json(void **state)
{
	struct profile *p = lat_profile();
	FILE *spill = tmpfile();
	char *iv, *t;
	size_t i;

	(void)state;
	assert_non_null(spill);
	iv = render(p, 2, NULL);
	assert_int_equal(fputs(iv, spill) >= 0, 1);
	t = render(p, 1, spill);
	fclose(spill);
	assert_non_null(strstr(iv, "{\"start_ns\": 5, \"duration_ns\": 1000000000, "
				   "\"totals\": {\"calls\": 110, \"time_ns\": 10100000}"));
	assert_null(strstr(iv, "buckets"));
	assert_non_null(strstr(t, "\"intervals\": [\n    {\"start_ns\": 5,"));
	assert_non_null(strstr(t, "{\"name\": \"latency.fast\", \"function\": \"fast\", "
				  "\"module\": \"app\", \"unit\": \"nanoseconds\", "
				  "\"count\": 100, \"min_ns\": 1000, \"max_ns\": 1000, "
				  "\"p50_ns\": 1000, \"p90_ns\": 1000, \"p95_ns\": 1000, "
				  "\"p99_ns\": 1000, \"buckets\": ["));
	assert_non_null(strstr(t, "\"labels\": {\"probe_offset_bytes\": 4, "
				  "\"probe_instruction\": \"push rbp\"}"));
	assert_non_null(strstr(t, "\"functions_probed\""));
	/* The hostile name: quote escaped, nothing outside printable ASCII. */
	assert_non_null(strstr(t, "\"function\": \"evil\\\""));
	for (i = 0; t[i]; i++)
		assert_true((unsigned char)t[i] < 0x80 &&
			    ((unsigned char)t[i] >= 0x20 || t[i] == '\n'));
	free(iv);
	free(t);
	profile__free(p);
}

/* Without a time value type (--count-only): calls and rate. */
static void test_count_only(void **state)
{
	struct profile *p = profile__new();
	struct frame f = { .name = "f", .module = "app", .build_id = "" };
	int64_t v[1] = { 50 };
	uint32_t loc;
	char *t;

	(void)state;
	assert_int_equal(profile__add_type(p, "calls", "count"), 0);
	p->duration_ns = 2000000000;
	loc = profile__location(p, &f);
	assert_int_equal(profile__add_sample(p, &loc, 1, 0, "app", v), 0);
	t = render(p, 0, NULL);
	assert_non_null(strstr(t, "CALLS         RATE\n"));
	assert_non_null(strstr(t, "50       25.0/s\n"));
	free(t);
	profile__free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_count_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
