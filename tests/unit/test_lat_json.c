// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * lat's JSON: a function name is the target's to choose (an ELF symbol),
 * so it is escaped: quotes, control characters, and bytes that are not
 * UTF-8, which would make the document invalid for strict parsers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/lat.h"

static void test_hostile_name(void **state)
{
	struct lat_row row = {
		.name = "evil\"\x1b]0;x\x07\xff\xc3(", .symbol = "evil",
		.module = "m", .path = "/m", .placement = "", .probe_insn = "",
		.calls = 3, .total_ns = 30, .min_ns = 10, .max_ns = 10,
	};
	struct lat_report rep = { .duration_ns = 1000, .rows = &row, .nrows = 1 };
	struct lat_json j;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_non_null(f);
	assert_int_equal(lat_json__begin(&j, f, "pid 1", false, 0), 0);
	assert_int_equal(lat_json__end(&j, &rep), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(text, "\"evil\\\"\\u001b]0;x\\u0007\\ufffd\\ufffd(\""));
	/* Nothing outside ASCII is left: the bad bytes became U+FFFD. */
	for (size_t i = 0; i < len; i++)
		assert_true((unsigned char)text[i] < 0x80);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
