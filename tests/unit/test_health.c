// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The service's --health rules: units, comparisons, errors, evaluation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "run/health.h"

static void test_parse(void **state)
{
	struct health_rule r[HEALTH_MAX_RULES];
	char err[256];

	(void)state;
	assert_int_equal(health_parse("rss<2GiB, growth<10MiB/min,lost==0", r,
				      HEALTH_MAX_RULES, err, sizeof(err)), 3);
	assert_int_equal(r[0].metric, HEALTH_RSS);
	assert_int_equal(r[0].op, H_LT);
	assert_true(r[0].value == 2.0 * 1024 * 1024 * 1024);
	assert_string_equal(r[0].text, "rss<2GiB");
	assert_int_equal(r[1].metric, HEALTH_GROWTH);
	assert_true(r[1].value == 10.0 * 1024 * 1024);
	assert_string_equal(r[1].text, "growth<10MiB/min");
	assert_int_equal(r[2].op, H_EQ);
	assert_true(r[2].value == 0);
	/* Per second is 60 per minute; decimal units; every comparison. */
	assert_int_equal(health_parse("growth<=1KB/s,rss>=1.5MB,rss>0,lost!=3", r,
				      HEALTH_MAX_RULES, err, sizeof(err)), 4);
	assert_true(r[0].value == 60000);
	assert_int_equal(r[0].op, H_LE);
	assert_true(r[1].value == 1.5e6);
	assert_int_equal(r[1].op, H_GE);
	assert_int_equal(r[2].op, H_GT);
	assert_int_equal(r[3].op, H_NE);
	assert_int_equal(health_parse("outstanding<512MiB", r, HEALTH_MAX_RULES, err,
				      sizeof(err)), 1);
	assert_int_equal(r[0].metric, HEALTH_OUTSTANDING);
	assert_true(r[0].value == 512.0 * 1024 * 1024);
}

static void test_errors(void **state)
{
	static const char *const bad[] = {
		"", "rss", "rss<", "rss<2XB", "rss<2GiB/min", "growth<10MiB/h",
		"lost==1.5", "lost<1KiB", "cpu<1", "rss=<1", "rss<-1", "rss<<1",
		"rss<1,,", "rss<0x10", "outstanding<1MiB/min",
	};
	struct health_rule r[2];
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (health_parse(bad[i], r, 2, err, sizeof(err)) >= 0)
			fail_msg("'%s' parsed", bad[i]);
		assert_true(err[0] != '\0');
	}
	assert_int_equal(health_parse("lost==0,lost==0,lost==0", r, 2, err,
				      sizeof(err)), -1);
}

static void test_holds(void **state)
{
	struct health_rule r[3];
	struct health_values v = {};
	char err[256];

	(void)state;
	assert_int_equal(health_parse("rss<1MiB,growth<1KiB/min,lost==0", r, 3, err,
				      sizeof(err)), 3);
	/* Not known yet: holds. */
	assert_true(health_holds(&r[0], &v));
	v.known[HEALTH_RSS] = true;
	v.v[HEALTH_RSS] = 1048575;
	assert_true(health_holds(&r[0], &v));
	v.v[HEALTH_RSS] = 1048576;
	assert_false(health_holds(&r[0], &v));
	v.known[HEALTH_LOST] = true;
	v.v[HEALTH_LOST] = 1;
	assert_false(health_holds(&r[2], &v));
	v.known[HEALTH_GROWTH] = true;
	v.v[HEALTH_GROWTH] = -5000;	/* shrinking */
	assert_true(health_holds(&r[1], &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_holds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
