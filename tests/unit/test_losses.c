// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The loss counters every mode shares: each one a user can meet has words
 * (a counter added to enum prof_stat without them would be counted and
 * never shown), and a profile gets one "lost:" line per non-zero counter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "modes/losses.h"
#include "model/profile.h"

static void test_every_counter_has_words(void **state)
{
	int s;

	(void)state;
	for (s = 0; s < STAT_UNWIND_END; s++) {
		const struct stat_reason *r = stat_reason(s);

		if (s == STAT_SAMPLES) {
			assert_null(r->what);
			continue;
		}
		assert_non_null(r->what);
		assert_non_null(r->hint);
		assert_true(strlen(r->what) > 10);
	}
	/* The unwinder's endings are truncations, not losses. */
	for (; s < STAT__MAX; s++)
		assert_null(stat_reason(s)->what);
	assert_null(stat_reason(STAT__MAX)->what);
}

static void test_losses_into_profile(void **state)
{
	uint64_t totals[STAT__MAX] = {};
	struct profile *p = profile__new();
	size_t i, lost = 0, truncated = 0;

	(void)state;
	assert_non_null(p);
	totals[STAT_SAMPLES] = 1000;
	totals[STAT_MEM_LIVE_FULL] = 3;
	totals[STAT_USTACK_FAULT] = 2;
	totals[STAT_UNWIND_END + 1] = 5;
	assert_int_equal(stats_add_losses(p, totals), 0);
	for (i = 0; i < p->nlosses; i++) {
		const char *what = profile__get_str(p, p->losses[i].what);

		if (p->losses[i].truncated) {
			truncated++;
			assert_int_equal(p->losses[i].count, 5);
			continue;
		}
		lost++;
		if (!strcmp(what, "allocations not tracked: live map full")) {
			assert_int_equal(p->losses[i].count, 3);
			assert_string_equal(profile__get_str(p, p->losses[i].hint),
					    "raise --live-map-size");
		} else {
			assert_string_equal(what, "user stacks: could not be walked");
			assert_int_equal(p->losses[i].count, 2);
		}
	}
	assert_int_equal(lost, 2);
	assert_int_equal(truncated, 1);
	profile__free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_counter_has_words),
		cmocka_unit_test(test_losses_into_profile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
