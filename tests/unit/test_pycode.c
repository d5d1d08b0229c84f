// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* pycode: 3.11 line tables against CPython's own co_positions(), made-up
 * and broken tables. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "symbols/pycode.h"

#define PYTHON		"/usr/bin/python3"
#define PYLINES		TESTDATA_DIR "/pylines.py"

/* ---- helpers --------------------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Hex ("-": empty) into a new buffer of exactly *len bytes (at least one
 * allocated, so that ASan sees a read past the end). */
static uint8_t *unhex(const char *s, size_t *len)
{
	size_t n = strcmp(s, "-") ? strlen(s) / 2 : 0, i;
	uint8_t *b = malloc(n ? n : 1);

	assert_non_null(b);
	for (i = 0; i < n; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		assert_true(hi >= 0 && lo >= 0);
		b[i] = hi << 4 | lo;
	}
	*len = n;
	return b;
}

/* "1,2,n,3" into lines (-1 for n); the count. */
static size_t parse_lines(char *s, int **out)
{
	size_t n = 0, cap = 0;
	int *v = NULL;
	char *tok, *save;

	if (!strcmp(s, "-")) {
		*out = NULL;
		return 0;
	}
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == cap) {
			int *nv;

			cap = cap ? cap * 2 : 64;
			nv = realloc(v, cap * sizeof(*v));
			assert_non_null(nv);
			v = nv;
		}
		if (!strcmp(tok, "n")) {
			v[n++] = -1;
		} else {
			char *end;
			long l;

			errno = 0;
			l = strtol(tok, &end, 10);
			assert_true(!errno && !*end && l >= 0 && l <= INT_MAX);
			v[n++] = (int)l;
		}
	}
	*out = v;
	return n;
}

/* A decimal number the scripts printed. */
static long num(const char *s)
{
	char *end;
	long v;

	assert_non_null(s);
	errno = 0;
	v = strtol(s, &end, 0);
	assert_true(!errno && end != s && !*end);
	return v;
}

static int line_of(const uint8_t *tab, size_t len, int first, uint32_t lasti)
{
	int line = INT_MIN;
	int err = py_linetable_line(tab, len, first, lasti, &line);

	if (err)
		return err == -EINVAL ? -1000 : -2000;
	return line;
}

/* ---- line tables against CPython --------------------------------------- */

/*
 * Every code object of a few standard modules, and of a source made to need
 * every kind of entry (tests/unit/data/pylines.py): each code unit's line
 * must be what co_positions() says, None included.
 */
static void test_cpython_tables(void **state)
{
	size_t objects = 0, units = 0, none = 0, bad = 0, cap = 0;
	char *buf = NULL, *label, *first, *hex, *lines, *save;
	FILE *f;
	int rc;

	(void)state;
	if (access(PYTHON, X_OK)) {
		print_message("skipped: no %s (%s)\n", PYTHON, strerror(errno));
		skip();
	}
	f = popen(PYTHON " -I " PYLINES, "r");
	assert_non_null(f);
	while (getline(&buf, &cap, f) > 0) {
		uint8_t *tab;
		size_t len, n, i;
		int *want, fl;

		buf[strcspn(buf, "\n")] = 0;
		if (!strncmp(buf, "SKIP ", 5)) {
			print_message("skipped: %s\n", buf + 5);
			free(buf);
			pclose(f);
			skip();
		}
		label = strtok_r(buf, " ", &save);
		first = strtok_r(NULL, " ", &save);
		hex = strtok_r(NULL, " ", &save);
		lines = strtok_r(NULL, " ", &save);
		assert_non_null(lines);
		fl = num(first);
		tab = unhex(hex, &len);
		n = parse_lines(lines, &want);
		for (i = 0; i < n; i++) {
			int got = line_of(tab, len, fl, i);

			if (got != want[i] && bad++ < 10)
				print_message("%s (first line %d): unit %zu: "
					      "line %d, co_positions() says %d\n",
					      label, fl, i, got, want[i]);
			none += want[i] == -1;
		}
		/* The unit after the last is beyond the table. */
		assert_int_equal(line_of(tab, len, fl, n), -2000);
		objects++;
		units += n;
		free(tab);
		free(want);
	}
	free(buf);
	rc = pclose(f);
	assert_int_equal(rc, 0);
	print_message("%zu code units of %zu code objects checked against "
		      "co_positions() (%zu without a line): %zu differ\n",
		      units, objects, none, bad);
	assert_true(objects > 1000);
	assert_true(none > 0);
	assert_int_equal(bad, 0);
}

/* ---- made-up tables ----------------------------------------------------- */

/* Entry first bytes: 0x80 | kind << 3 | (units - 1). */
#define E(kind, units)	(0x80 | (kind) << 3 | ((units) - 1))

/* firstlineno 10; every kind of entry, a None between two lines. */
static const uint8_t table[] = {
	E(11, 2), 0x00, 0x05,		/* units 0-1: one-line, +1: 11 */
	E(15, 1),			/* unit 2: None, line stays 11 */
	E(12, 1), 0x00, 0x01,		/* unit 3: one-line, +2: 13 */
	E(13, 3), 0x0b,			/* units 4-6: no column, -5: 8 */
	/* unit 7: long, +100 (200: 0x48 0x03), end +0, columns 2, 201 */
	E(14, 1), 0x48, 0x03, 0x00, 0x02, 0x49, 0x03,
	E(15, 8),			/* units 8-15: None */
	E(3, 1), 0x12,			/* unit 16: short, same line: 108 */
	E(13, 1), 0x01,			/* unit 17: no column, -0: 108 */
};
static const int table_lines[] = {
	11, 11, -1, 13, 8, 8, 8, 108, -1, -1, -1, -1, -1, -1, -1, -1, 108, 108,
};
#define TABLE_UNITS (sizeof(table_lines) / sizeof(table_lines[0]))

static void test_made_up(void **state)
{
	uint8_t *tab = malloc(sizeof(table));
	uint32_t i;

	(void)state;
	assert_non_null(tab);
	memcpy(tab, table, sizeof(table));
	for (i = 0; i < TABLE_UNITS; i++)
		assert_int_equal(line_of(tab, sizeof(table), 10, i),
				 table_lines[i]);
	assert_int_equal(line_of(tab, sizeof(table), 10, TABLE_UNITS), -2000);
	assert_int_equal(line_of(tab, sizeof(table), 10, UINT32_MAX), -2000);
	free(tab);

	/* Nothing at all. */
	assert_int_equal(line_of(NULL, 0, 1, 0), -2000);
}

/*
 * Every prefix of the table, in a buffer of exactly that size (ASan sees a
 * byte read past it): a unit of an entry that is whole gets its line, the
 * unit of a cut entry -EINVAL, and the units after -ENOENT or -EINVAL.
 */
static void test_truncated(void **state)
{
	size_t len, pos, whole;
	uint32_t units, i;

	(void)state;
	for (len = 0; len <= sizeof(table); len++) {
		uint8_t *tab = malloc(len ? len : 1);

		assert_non_null(tab);
		memcpy(tab, table, len);
		/* The whole entries in the prefix, and their units. */
		for (pos = 0, whole = 0, units = 0; ; ) {
			size_t next = pos + 1;

			while (next < sizeof(table) && !(table[next] & 0x80))
				next++;
			if (next > len)
				break;
			units += (table[pos] & 7) + 1;
			whole = next;
			pos = next;
			if (pos >= sizeof(table))
				break;
		}
		for (i = 0; i < TABLE_UNITS + 2; i++) {
			int got = line_of(tab, len, 10, i);

			if (i < units)
				assert_int_equal(got, table_lines[i]);
			else if (whole == len)
				assert_int_equal(got, -2000);
			else
				assert_int_equal(got, -1000);
		}
		free(tab);
	}
}

static void expect_einval(const uint8_t *bytes, size_t len, int first,
			  uint32_t lasti)
{
	uint8_t *tab = malloc(len);

	assert_non_null(tab);
	memcpy(tab, bytes, len);
	assert_int_equal(line_of(tab, len, first, lasti), -1000);
	free(tab);
}

static void test_malformed(void **state)
{
	(void)state;
	/* A first byte without the entry bit. */
	expect_einval((const uint8_t[]){ 0x10 }, 1, 1, 0);
	expect_einval((const uint8_t[]){ E(11, 1), 0, 0, 0x7f }, 4, 1, 1);
	/* A column byte with it (it would start an entry). */
	expect_einval((const uint8_t[]){ E(0, 1), 0x80 }, 2, 1, 0);
	expect_einval((const uint8_t[]){ E(10, 1), 0x01, 0x81 }, 3, 1, 0);
	/* Cut varints: one still continuing, one missing. */
	expect_einval((const uint8_t[]){ E(13, 1), 0x41 }, 2, 1, 0);
	expect_einval((const uint8_t[]){ E(14, 1), 0x02, 0x00, 0x01 }, 4, 1, 0);
	/* A varint of more chunks than 32 bits need. */
	expect_einval((const uint8_t[]){ E(13, 1), 0x40, 0x40, 0x40, 0x40,
					 0x40, 0x40, 0x00 }, 8, 1, 0);
	/* A line below 0 or above INT_MAX. */
	expect_einval((const uint8_t[]){ E(13, 1), 0x05 }, 2, 1, 0);
	expect_einval((const uint8_t[]){ E(11, 1), 0, 0 }, 3, INT_MAX, 0);
	expect_einval((const uint8_t[]){ E(0, 1), 0 }, 2, -1, 0);
	/* The biggest delta six chunks hold, past INT_MAX. */
	expect_einval((const uint8_t[]){ E(13, 1), 0x7e, 0x7f, 0x7f, 0x7f,
					 0x7f, 0x3f }, 7, 0, 0);
	/* An entry past the unit asked for is not looked at (as CPython). */
	{
		static const uint8_t t[] = { E(11, 1), 0, 0, 0x10 };

		assert_int_equal(line_of(t, sizeof(t), 1, 0), 2);
	}
	/* Six chunks are fine when the value fits. */
	{
		static const uint8_t t[] = { E(13, 1), 0x42, 0x40, 0x40, 0x40,
					     0x40, 0x00 };

		assert_int_equal(line_of(t, sizeof(t), 1, 0), 2);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpython_tables),
		cmocka_unit_test(test_made_up),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
