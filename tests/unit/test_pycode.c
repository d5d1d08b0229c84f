// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pycode: 3.11 line tables against CPython's own co_positions(), made-up
 * and broken tables, strings, code objects in a forged memory image and in
 * a live /usr/bin/python3, and the cache.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "symbols/pycode.h"
#include "symbols/pyversions.h"

#define PYTHON		"/usr/bin/python3"
#define PYLINES		TESTDATA_DIR "/pylines.py"
#define PYTARGET	TESTDATA_DIR "/pycode_target.py"

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

/* py_code_line's fallbacks to co_firstlineno. */
static void test_code_line(void **state)
{
	struct py_code c = {
		.firstlineno = 10,
		.linetable = (uint8_t *)table,
		.linetable_len = sizeof(table),
	};
	static const uint8_t broken[] = { 0x10 };

	(void)state;
	assert_int_equal(py_code_line(&c, 0), 11);
	assert_int_equal(py_code_line(&c, 7), 108);
	assert_int_equal(py_code_line(&c, 2), 10);		/* None */
	assert_int_equal(py_code_line(&c, TABLE_UNITS), 10);	/* beyond */
	assert_int_equal(py_code_line(&c, PY_LASTI_NONE), 10);
	c.linetable = (uint8_t *)broken;
	c.linetable_len = sizeof(broken);
	assert_int_equal(py_code_line(&c, 0), 10);
	c.linetable = NULL;
	c.linetable_len = 0;
	assert_int_equal(py_code_line(&c, 0), 10);
}

/* ---- strings ----------------------------------------------------------- */

static void expect_utf8(const void *data, size_t n, unsigned int kind,
			const char *want)
{
	char *s = py_str_utf8(data, n, kind);

	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
}

static void test_strings(void **state)
{
	static const uint16_t ucs2[] = { 0x424, 0x443, 0x20ac, 0xd800, 0x2028,
					 0x202e, 'x' };
	static const uint32_t ucs4[] = { 0x20000, 'a', 0x110000, 0xdfff,
					 0x10ffff, 0x9b, 0xffffffff };

	(void)state;
	expect_utf8("plain", 5, 1, "plain");
	expect_utf8("Gr\xf6\xdf" "e", 5, 1, "Gr\xc3\xb6\xc3\x9f" "e");
	expect_utf8("a\x1b]0;t\x07\x7f\x85z", 10, 1, "a?]0;t???z");
	expect_utf8("nul\0in", 6, 1, "nul?in");
	expect_utf8("", 0, 1, "");
	expect_utf8(ucs2, 7, 2, "\xd0\xa4\xd1\x83\xe2\x82\xac???x");
	expect_utf8(ucs4, 7, 4, "\xf0\xa0\x80\x80" "a??\xf4\x8f\xbf\xbf??");
	assert_null(py_str_utf8((const uint8_t *)"x", 1, 3));
	assert_null(py_str_utf8((const uint8_t *)"x", 1, 0));
	assert_null(py_str_utf8((const uint8_t *)"x", SIZE_MAX / 2, 1));
}

/* ---- code objects in a forged image ------------------------------------ */

#define BASE		0x7f0000001000ULL
#define CODE_TYPE	0x959440ULL
#define AT_QUAL		0x200
#define AT_NAME		0x400
#define AT_FILE		0x600
#define AT_TABLE	0x800

struct image {
	uint64_t base;
	uint8_t *buf;
	size_t len;
};

static int image_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct image *im = ctx;

	if (addr < im->base || addr - im->base > im->len ||
	    len > im->len - (addr - im->base))
		return -EFAULT;
	memcpy(buf, im->buf + (addr - im->base), len);
	return 0;
}

static void put(struct image *im, size_t at, const void *v, size_t n)
{
	assert_true(at + n <= im->len);
	memcpy(im->buf + at, v, n);
}

static void put_u64(struct image *im, size_t at, uint64_t v)
{
	put(im, at, &v, sizeof(v));
}

/* A str: state has compact and ready, ascii if asked. */
static void put_str(struct image *im, size_t at, int64_t length,
		    unsigned int kind, int ascii, const void *data, size_t n)
{
	uint32_t state = kind << 2 | 1u << 5 | 1u << 7 | (ascii ? 1u << 6 : 0);

	put(im, at + 16, &length, sizeof(length));
	put(im, at + 32, &state, sizeof(state));
	put(im, at + (ascii ? 48 : 72), data, n);
}

static void put_bytes(struct image *im, size_t at, int64_t size,
		      const void *data, size_t n)
{
	put(im, at + 16, &size, sizeof(size));
	put(im, at + 32, data, n);
}

/* A well-formed code object "C.m" in "f.py", first line 10, the made-up
 * table. */
static void image_init(struct image *im, size_t len)
{
	const struct py_offsets *off = py_offsets_for(3, 11);
	int32_t first = 10;

	im->base = BASE;
	im->len = len;
	im->buf = calloc(1, len);
	assert_non_null(im->buf);
	put_u64(im, 8, CODE_TYPE);
	put(im, off->code_firstlineno, &first, sizeof(first));
	put_u64(im, off->code_qualname, BASE + AT_QUAL);
	put_u64(im, off->code_name, BASE + AT_NAME);
	put_u64(im, off->code_filename, BASE + AT_FILE);
	put_u64(im, off->code_linetable, BASE + AT_TABLE);
	put_str(im, AT_QUAL, 3, 1, 1, "C.m", 3);
	put_str(im, AT_NAME, 1, 1, 1, "m", 1);
	put_str(im, AT_FILE, 4, 1, 1, "f.py", 4);
	put_bytes(im, AT_TABLE, sizeof(table), table, sizeof(table));
}

static int image_code(struct image *im, uint64_t code_type, struct py_code *c)
{
	return py_code_read_with(image_read, im, BASE, py_offsets_for(3, 11),
				 code_type, c);
}

static void test_image(void **state)
{
	struct py_offsets off = *py_offsets_for(3, 11);
	struct image im;
	struct py_code c;

	(void)state;
	image_init(&im, 0x1000);
	assert_int_equal(image_code(&im, CODE_TYPE, &c), 0);
	assert_string_equal(c.qualname, "C.m");
	assert_string_equal(c.name, "m");
	assert_string_equal(c.filename, "f.py");
	assert_int_equal(c.firstlineno, 10);
	assert_int_equal(c.linetable_len, sizeof(table));
	assert_memory_equal(c.linetable, table, sizeof(table));
	assert_int_equal(py_code_line(&c, 7), 108);
	py_code_clear(&c);
	assert_null(c.qualname);
	py_code_clear(NULL);

	/* No type check; then another type. */
	assert_int_equal(image_code(&im, 0, &c), 0);
	py_code_clear(&c);
	assert_int_equal(image_code(&im, CODE_TYPE + 16, &c), -EINVAL);
	assert_null(c.qualname);

	/* Non-ASCII strings of each width follow the larger header. */
	put_str(&im, AT_QUAL, 5, 1, 0, "Gr\xf6\xdf" "e", 5);
	put_str(&im, AT_NAME, 2, 2, 0, (const uint16_t[]){ 0x424, 0x443 }, 4);
	put_str(&im, AT_FILE, 1, 4, 0, (const uint32_t[]){ 0x20000 }, 4);
	assert_int_equal(image_code(&im, CODE_TYPE, &c), 0);
	assert_string_equal(c.qualname, "Gr\xc3\xb6\xc3\x9f" "e");
	assert_string_equal(c.name, "\xd0\xa4\xd1\x83");
	assert_string_equal(c.filename, "\xf0\xa0\x80\x80");
	py_code_clear(&c);

	/* An empty table is not an error: every line is the first. */
	put_bytes(&im, AT_TABLE, 0, "", 0);
	assert_int_equal(image_code(&im, CODE_TYPE, &c), 0);
	assert_non_null(c.linetable);
	assert_int_equal(c.linetable_len, 0);
	assert_int_equal(py_code_line(&c, 3), 10);
	py_code_clear(&c);

	/* A version without one of the fields. */
	off.code_qualname = 0xffff;
	assert_int_equal(py_code_read_with(image_read, &im, BASE, &off,
					   CODE_TYPE, &c), -EINVAL);
	assert_int_equal(py_code_read_with(image_read, &im, BASE, NULL,
					   CODE_TYPE, &c), -EINVAL);
	/* Nothing there. */
	assert_int_equal(py_code_read_with(image_read, &im, 0, py_offsets_for(3, 11),
					   CODE_TYPE, &c), -EFAULT);
	assert_int_equal(py_code_read_with(image_read, &im, BASE + 0x1000,
					   py_offsets_for(3, 11), CODE_TYPE, &c),
			 -EFAULT);
	free(im.buf);
}

/* Each field forged in turn: refused with the right error, nothing leaked,
 * nothing read beyond what the headers allow. */
static void test_image_hostile(void **state)
{
	const struct py_offsets *off = py_offsets_for(3, 11);
	struct image im;
	struct py_code c;
	uint32_t state_word;

	(void)state;
	image_init(&im, 0x1000);

	/* Pointers to nothing, and NULL. */
	put_u64(&im, off->code_name, BASE + 0x100000);
	assert_int_equal(image_code(&im, CODE_TYPE, &c), -EFAULT);
	put_u64(&im, off->code_name, 0);
	assert_int_equal(image_code(&im, CODE_TYPE, &c), -EFAULT);
	put_u64(&im, off->code_name, BASE + AT_NAME);
	put_u64(&im, off->code_linetable, 0);
	assert_int_equal(image_code(&im, CODE_TYPE, &c), -EFAULT);
	put_u64(&im, off->code_linetable, BASE + AT_TABLE);

	/* A header at the very end of the image: its data runs out. */
	put_u64(&im, off->code_filename, BASE + 0x1000 - 48);
	put_str(&im, 0x1000 - 48, 4, 1, 1, "", 0);
	assert_int_equal(image_code(&im, CODE_TYPE, &c), -EFAULT);
	put_u64(&im, off->code_filename, BASE + AT_FILE);

	/* Lengths below zero. */
	put_str(&im, AT_NAME, -1, 1, 1, "", 0);
	assert_int_equal(image_code(&im, CODE_TYPE, &c), -EINVAL);
	put_str(&im, AT_NAME, 1, 1, 1, "m", 1);
	put_bytes(&im, AT_TABLE, -5, "", 0);
	assert_int_equal(image_code(&im, CODE_TYPE, &c), -EINVAL);
	put_bytes(&im, AT_TABLE, sizeof(table), table, sizeof(table));

	/* Bad kinds, ascii of a wide kind, not compact, not ready. */
	put_str(&im, AT_QUAL, 3, 3, 0, "abc", 3);
	assert_int_equal(image_code(&im, CODE_TYPE, &c), -EINVAL);
	put_str(&im, AT_QUAL, 3, 0, 0, "abc", 3);
	assert_int_equal(image_code(&im, CODE_TYPE, &c), -EINVAL);
	put_str(&im, AT_QUAL, 3, 2, 1, "abc", 3);
	assert_int_equal(image_code(&im, CODE_TYPE, &c), -EINVAL);
	put_str(&im, AT_QUAL, 3, 1, 1, "C.m", 3);
	state_word = 1u << 2 | 1u << 7 | 1u << 6;
	put(&im, AT_QUAL + 32, &state_word, 4);
	assert_int_equal(image_code(&im, CODE_TYPE, &c), -EINVAL);
	state_word = 1u << 2 | 1u << 5 | 1u << 6;
	put(&im, AT_QUAL + 32, &state_word, 4);
	assert_int_equal(image_code(&im, CODE_TYPE, &c), -EINVAL);
	put_str(&im, AT_QUAL, 3, 1, 1, "C.m", 3);
	assert_int_equal(image_code(&im, CODE_TYPE, &c), 0);
	py_code_clear(&c);

	/* A huge length claimed: only PY_STR_MAX characters are read (and
	 * here the image ends before even those). */
	put_str(&im, AT_QUAL, INT64_MAX, 4, 0, "", 0);
	assert_int_equal(image_code(&im, CODE_TYPE, &c), -EFAULT);
	free(im.buf);
}

/* Names cut to PY_STR_MAX characters, tables to PY_LINETABLE_MAX bytes. */
static void test_image_caps(void **state)
{
	/* One-line entries of one unit each, three bytes: unit k is on
	 * line 11 + k, and the last entry kept is cut. */
	size_t big = 3 * (PY_LINETABLE_MAX / 3 + 2000), at = 0x10000, i;
	uint32_t kept = PY_LINETABLE_MAX / 3;
	struct image im;
	struct py_code c;
	uint8_t *tab;
	char *q;

	(void)state;
	image_init(&im, at + 32 + big);
	q = malloc(PY_STR_MAX + 100);
	assert_non_null(q);
	memset(q, 'q', PY_STR_MAX + 100);
	put_str(&im, 0x2000, PY_STR_MAX + 100, 1, 1, q, PY_STR_MAX + 100);
	put_u64(&im, py_offsets_for(3, 11)->code_qualname, BASE + 0x2000);
	tab = malloc(big);
	assert_non_null(tab);
	for (i = 0; i < big; i += 3) {
		tab[i] = E(11, 1);
		tab[i + 1] = 0;
		tab[i + 2] = 0;
	}
	put_bytes(&im, at, big, tab, big);
	put_u64(&im, py_offsets_for(3, 11)->code_linetable, BASE + at);
	assert_int_equal(image_code(&im, CODE_TYPE, &c), 0);
	assert_int_equal(strlen(c.qualname), PY_STR_MAX);
	assert_int_equal(strspn(c.qualname, "q"), PY_STR_MAX);
	assert_int_equal(c.linetable_len, PY_LINETABLE_MAX);
	assert_int_equal(py_code_line(&c, kept - 1), 10 + kept);
	assert_int_equal(py_code_line(&c, kept), 10);
	py_code_clear(&c);
	free(tab);
	free(q);
	free(im.buf);
}

/* ---- a live interpreter ------------------------------------------------- */

struct expect {
	uint64_t addr;
	int first;
	char *qualname, *name, *filename;
	int *lines;
	size_t units;
};

struct target {
	pid_t pid;
	int in;			/* its stdin: closing it ends it too */
	FILE *out;
	uint64_t code_type;
	struct expect e[16];
	size_t n;
};

static char *unhex_str(const char *s)
{
	size_t len;
	uint8_t *b = unhex(s, &len);
	char *str = malloc(len + 1);

	assert_non_null(str);
	memcpy(str, b, len);
	str[len] = 0;
	free(b);
	return str;
}

static void target_stop(struct target *t)
{
	size_t i;
	int status;

	if (t->pid > 0) {
		kill(t->pid, SIGKILL);
		waitpid(t->pid, &status, 0);
	}
	if (t->in >= 0)
		close(t->in);
	if (t->out)
		fclose(t->out);
	for (i = 0; i < t->n; i++) {
		free(t->e[i].qualname);
		free(t->e[i].name);
		free(t->e[i].filename);
		free(t->e[i].lines);
	}
	t->n = 0;
	t->pid = -1;
	t->in = -1;
	t->out = NULL;
}

/* Start pycode_target.py; false (and why in *why) when it can't be. */
static bool target_start(struct target *t, char *why, size_t whylen)
{
	int in[2], out[2];
	char *buf = NULL, *save, *tok;
	size_t cap = 0;
	bool ready = false;

	memset(t, 0, sizeof(*t));
	t->pid = -1;
	t->in = -1;
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	t->pid = fork();
	assert_true(t->pid >= 0);
	if (t->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		execl(PYTHON, "python3", "-I", PYTARGET, "4096", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	t->in = in[1];
	t->out = fdopen(out[0], "r");
	assert_non_null(t->out);
	while (!ready && getline(&buf, &cap, t->out) > 0) {
		struct expect *e;

		buf[strcspn(buf, "\n")] = 0;
		tok = strtok_r(buf, " ", &save);
		if (!tok)
			continue;
		if (!strcmp(tok, "SKIP")) {
			snprintf(why, whylen, "%s", buf + 5);
			break;
		} else if (!strcmp(tok, "READY")) {
			ready = true;
		} else if (!strcmp(tok, "TYPE")) {
			t->code_type = num(strtok_r(NULL, " ", &save));
		} else if (!strcmp(tok, "CODE") && t->n < 16) {
			e = &t->e[t->n++];
			e->addr = num(strtok_r(NULL, " ", &save));
			e->first = num(strtok_r(NULL, " ", &save));
			e->qualname = unhex_str(strtok_r(NULL, " ", &save));
			e->name = unhex_str(strtok_r(NULL, " ", &save));
			e->filename = unhex_str(strtok_r(NULL, " ", &save));
			e->units = parse_lines(strtok_r(NULL, " ", &save), &e->lines);
		}
	}
	free(buf);
	if (!ready && !*why)
		snprintf(why, whylen, "%s %s printed no READY", PYTHON, PYTARGET);
	return ready;
}

static void expect_code(const struct expect *e, const struct py_code *c)
{
	size_t i;

	assert_string_equal(c->qualname, e->qualname);
	assert_string_equal(c->name, e->name);
	assert_string_equal(c->filename, e->filename);
	assert_int_equal(c->firstlineno, e->first);
	for (i = 0; i < e->units; i++)
		assert_int_equal(py_code_line(c, i),
				 e->lines[i] < 0 ? e->first : e->lines[i]);
}

static void test_live(void **state)
{
	const struct py_offsets *off = py_offsets_for(3, 11);
	char why[256] = "";
	struct target t;
	struct py_code c;
	pid_t pid;
	size_t i;

	(void)state;
	if (geteuid() != 0) {
		print_message("skipped: reading another process needs root\n");
		skip();
	}
	if (access(PYTHON, X_OK)) {
		print_message("skipped: no %s (%s)\n", PYTHON, strerror(errno));
		skip();
	}
	if (!target_start(&t, why, sizeof(why))) {
		target_stop(&t);
		print_message("skipped: %s\n", why);
		skip();
	}
	assert_true(t.n >= 7);
	assert_true(t.code_type != 0);
	for (i = 0; i < t.n; i++) {
		assert_int_equal(py_code_read(t.pid, t.e[i].addr, off,
					      t.code_type, &c), 0);
		expect_code(&t.e[i], &c);
		py_code_clear(&c);
	}
	print_message("%zu code objects read from pid %d: names and lines as "
		      "the interpreter gives them\n", t.n, (int)t.pid);

	/* Another type's address; a code object's address that is no code
	 * object (its type); no address at all. */
	assert_int_equal(py_code_read(t.pid, t.e[0].addr, off,
				      t.code_type + 8, &c), -EINVAL);
	assert_int_equal(py_code_read(t.pid, t.code_type, off, t.code_type, &c),
			 -EINVAL);
	assert_int_equal(py_code_read(t.pid, 0x10, off, t.code_type, &c),
			 -EFAULT);
	assert_int_equal(py_code_read(t.pid, 0xfffffffffff0ULL, off, 0, &c),
			 -EFAULT);

	pid = t.pid;
	target_stop(&t);
	assert_int_equal(py_code_read(pid, 0x1000, off, 0, &c), -ESRCH);
	assert_int_equal(py_code_read(0, 0x1000, off, 0, &c), -ESRCH);
}

/* The cache: one read per (process, address), failures too. */
static void test_cache(void **state)
{
	const struct py_offsets *off = py_offsets_for(3, 11);
	const struct py_code *a, *b;
	struct py_codes *codes;
	char why[256] = "";
	struct target t;
	size_t i;

	(void)state;
	if (geteuid() != 0) {
		print_message("skipped: reading another process needs root\n");
		skip();
	}
	if (access(PYTHON, X_OK) || !target_start(&t, why, sizeof(why))) {
		target_stop(&t);
		print_message("skipped: %s\n", *why ? why : "no " PYTHON);
		skip();
	}
	codes = py_codes__new();
	assert_non_null(codes);
	a = py_codes__get(codes, t.pid, t.e[1].addr, off, t.code_type);
	assert_non_null(a);
	expect_code(&t.e[1], a);
	b = py_codes__get(codes, t.pid, t.e[1].addr, off, t.code_type);
	assert_ptr_equal(a, b);
	errno = 0;
	assert_null(py_codes__get(codes, t.pid, 0x10, off, t.code_type));
	assert_int_equal(errno, EFAULT);
	assert_null(py_codes__get(codes, t.pid, t.code_type, off, t.code_type));
	assert_int_equal(errno, EINVAL);
	assert_null(py_codes__get(codes, t.pid, t.e[1].addr, NULL, t.code_type));
	assert_int_equal(errno, EINVAL);
	/* Another process at the same address knows nothing of it. */
	errno = 0;
	assert_null(py_codes__get(codes, 0, t.e[1].addr, off, t.code_type));
	assert_int_equal(errno, ESRCH);

	/* Full (of failures, here): still read, not kept; room again once
	 * the process that took it is forgotten. */
	for (i = 0; i < PY_CODES_MAX; i++)
		py_codes__get(codes, 0, 0x1000 + i * 16, off, t.code_type);
	b = py_codes__get(codes, t.pid, t.e[2].addr, off, t.code_type);
	assert_non_null(b);
	expect_code(&t.e[2], b);
	b = py_codes__get(codes, t.pid, t.e[3].addr, off, t.code_type);
	assert_non_null(b);
	expect_code(&t.e[3], b);
	py_codes__forget(codes, 0);
	b = py_codes__get(codes, t.pid, t.e[2].addr, off, t.code_type);
	assert_non_null(b);
	assert_ptr_equal(py_codes__get(codes, t.pid, t.e[2].addr, off,
				       t.code_type), b);
	expect_code(&t.e[2], b);

	/* Kept: the process is gone and the name still there. */
	kill(t.pid, SIGKILL);
	waitpid(t.pid, NULL, 0);
	b = py_codes__get(codes, t.pid, t.e[1].addr, off, t.code_type);
	assert_ptr_equal(a, b);
	errno = 0;
	assert_null(py_codes__get(codes, t.pid, 0x10, off, t.code_type));
	assert_int_equal(errno, EFAULT);
	/* Forgotten: read again, and the process is gone. */
	py_codes__forget(codes, t.pid);
	py_codes__forget(codes, t.pid);
	assert_null(py_codes__get(codes, t.pid, t.e[1].addr, off, t.code_type));
	assert_int_equal(errno, ESRCH);
	t.pid = -1;
	target_stop(&t);
	py_codes__free(codes);
	py_codes__free(NULL);
}

/* A code object freed while the process runs and another made at its
 * address: the cache keeps the first until told to look again. */
static void test_reuse(void **state)
{
	const struct py_offsets *off = py_offsets_for(3, 11);
	struct py_codes *codes;
	const struct py_code *c;
	uint64_t type = 0, addr = 0;
	char *buf = NULL, why[256] = "";
	size_t cap = 0;
	int in[2], out[2], status;
	bool reused = false;
	FILE *f;
	pid_t pid;

	(void)state;
	if (geteuid() != 0) {
		print_message("skipped: reading another process needs root\n");
		skip();
	}
	if (access(PYTHON, X_OK)) {
		print_message("skipped: no %s (%s)\n", PYTHON, strerror(errno));
		skip();
	}
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		execl(PYTHON, "python3", "-I", TESTDATA_DIR "/pycode_reuse.py",
		      (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	f = fdopen(out[0], "r");
	assert_non_null(f);
	codes = py_codes__new();
	assert_non_null(codes);
	while (getline(&buf, &cap, f) > 0) {
		buf[strcspn(buf, "\n")] = 0;
		if (!strncmp(buf, "SKIP ", 5)) {
			snprintf(why, sizeof(why), "%s", buf + 5);
			break;
		}
		if (!strncmp(buf, "TYPE ", 5))
			type = num(buf + 5);
		if (!strncmp(buf, "CODE ", 5)) {
			addr = num(buf + 5);
			c = py_codes__get(codes, pid, addr, off, type);
			assert_non_null(c);
			assert_string_equal(c->qualname, "first_fn");
			/* Unchanged: nothing to replace. */
			assert_int_equal(py_codes__refresh(codes, pid, addr, off, type), 0);
			assert_int_equal(write(in[1], "go\n", 3), 3);
		}
		if (!strcmp(buf, "REUSED")) {
			reused = true;
			break;
		}
	}
	if (reused) {
		/* Cached: still the first, until looked at again. */
		c = py_codes__get(codes, pid, addr, off, type);
		assert_string_equal(c->qualname, "first_fn");
		assert_int_equal(py_codes__refresh(codes, pid, addr, off, type), 1);
		c = py_codes__get(codes, pid, addr, off, type);
		assert_non_null(c);
		assert_string_equal(c->qualname, "second_fn");
		assert_string_equal(c->filename, "second_fn.py");
	}
	free(buf);
	py_codes__free(codes);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(in[1]);
	fclose(f);
	if (!reused) {
		print_message("skipped: %s\n", *why ? why : "the target printed no REUSED");
		skip();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpython_tables),
		cmocka_unit_test(test_made_up),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_code_line),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_image),
		cmocka_unit_test(test_image_hostile),
		cmocka_unit_test(test_image_caps),
		cmocka_unit_test(test_live),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_reuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
