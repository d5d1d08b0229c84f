// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * serve_parse_args: --listen's forms (IPv4, [IPv6], :PORT, port 0), its
 * defaults (loopback, 6060, 300 s), and the errors; stat_id names every
 * counter for the metrics.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "modes/losses.h"
#include "modes/serve_mode.h"

/* Parse "serve" and the NULL-terminated words; stderr kept out. */
static enum cli_result parse(struct serve_opts *o, ...)
{
	char *v[16];
	int n = 0, saved, null;
	enum cli_result r;
	const char *w;
	va_list ap;

	v[n++] = (char *)"serve";
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
	r = serve_parse_args(n, v, o);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(null);
	return r;
}

static void test_defaults(void **state)
{
	struct serve_opts o;

	(void)state;
	assert_int_equal(parse(&o, NULL), CLI_OK);
	assert_string_equal(o.addr, "127.0.0.1");
	assert_int_equal(o.port, 6060);
	assert_int_equal(o.max_seconds, 300);
	assert_null(o.token_file);
	cli_free_common(&o.c);
}

static void test_listen(void **state)
{
	struct serve_opts o;

	(void)state;
	assert_int_equal(parse(&o, "--listen", "0.0.0.0:8080", NULL), CLI_OK);
	assert_string_equal(o.addr, "0.0.0.0");
	assert_int_equal(o.port, 8080);
	cli_free_common(&o.c);
	assert_int_equal(parse(&o, "--listen", "[::1]:0", NULL), CLI_OK);
	assert_string_equal(o.addr, "::1");
	assert_int_equal(o.port, 0);
	cli_free_common(&o.c);
	/* :PORT keeps the loopback default. */
	assert_int_equal(parse(&o, "--listen", ":9000", NULL), CLI_OK);
	assert_string_equal(o.addr, "127.0.0.1");
	assert_int_equal(o.port, 9000);
	cli_free_common(&o.c);
}

static void test_errors(void **state)
{
	static const char *const bad[] = {
		"nowhere", "1.2.3.4", "1.2.3.4:", "1.2.3.4:65536", "1.2.3.4:-1",
		"[::1:80", "[]:80", "1.2.3.4:80x",
	};
	struct serve_opts o;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(&o, "--listen", bad[i], NULL) != CLI_USAGE)
			fail_msg("--listen '%s' accepted", bad[i]);
		cli_free_common(&o.c);
	}
	assert_int_equal(parse(&o, "--max-seconds", "0", NULL), CLI_USAGE);
	cli_free_common(&o.c);
	assert_int_equal(parse(&o, "--max-seconds", "3601", NULL), CLI_USAGE);
	cli_free_common(&o.c);
	assert_int_equal(parse(&o, "--", "ls", NULL), CLI_USAGE);
	cli_free_common(&o.c);
	/* No output files: a service writes none. */
	assert_int_equal(parse(&o, "--svg", "x.svg", NULL), CLI_USAGE);
	cli_free_common(&o.c);
}

static void test_stat_ids(void **state)
{
	int k, j;

	(void)state;
	for (k = 0; k < STAT__MAX; k++) {
		const char *id = stat_id(k);

		assert_string_not_equal(id, "other");
		assert_int_equal(strspn(id, "abcdefghijklmnopqrstuvwxyz_"), strlen(id));
		for (j = 0; j < k; j++)
			assert_string_not_equal(id, stat_id(j));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_stat_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
