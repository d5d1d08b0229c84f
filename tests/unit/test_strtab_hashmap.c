// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The string table and the u64 -> u64 hash map under it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/hashmap.h"
#include "lib/strtab.h"

/* ---- hashes ------------------------------------------------------------- */

static void test_hash_vectors(void **state)
{
	(void)state;
	/* FNV-1a 64 reference values (Fowler, Noll, Vo test suite). */
	assert_int_equal(hash_bytes(HASH_SEED, "", 0), 0xcbf29ce484222325ULL);
	assert_int_equal(hash_bytes(HASH_SEED, "a", 1), 0xaf63dc4c8601ec8cULL);
	assert_int_equal(hash_bytes(HASH_SEED, "foobar", 6), 0x85944171f73967e8ULL);
	/* Continuing a hash equals hashing the concatenation. */
	assert_int_equal(hash_bytes(hash_bytes(HASH_SEED, "foo", 3), "bar", 3),
			 hash_bytes(HASH_SEED, "foobar", 6));
	/* splitmix64: the first output for seed 0 is the finaliser applied to
	 * the golden-ratio increment. */
	assert_int_equal(hash_u64(0x9e3779b97f4a7c15ULL), 0xe220a8397b1dcdafULL);
	assert_int_not_equal(hash_u64(1), hash_u64(2));
}

/* ---- u64map ---------------------------------------------------------------- */

static void test_map_basics(void **state)
{
	struct u64map *m = u64map__new();
	uint64_t v = 77;

	(void)state;
	assert_non_null(m);
	assert_int_equal(u64map__size(m), 0);
	assert_false(u64map__get(m, 0, &v));
	assert_false(u64map__get(m, 12345, &v));
	assert_int_equal(v, 77);

	/* Key 0 and the largest key are ordinary keys. */
	assert_int_equal(u64map__set(m, 0, 100), 0);
	assert_int_equal(u64map__set(m, UINT64_MAX, 200), 0);
	assert_int_equal(u64map__set(m, 5, 0), 0);
	assert_int_equal(u64map__size(m), 3);
	assert_true(u64map__get(m, 0, &v));
	assert_int_equal(v, 100);
	assert_true(u64map__get(m, UINT64_MAX, &v));
	assert_int_equal(v, 200);
	assert_true(u64map__get(m, 5, &v));
	assert_int_equal(v, 0);
	assert_false(u64map__get(m, 1, &v));

	/* Overwriting keeps the size. */
	assert_int_equal(u64map__set(m, 5, 55), 0);
	assert_int_equal(u64map__size(m), 3);
	assert_true(u64map__get(m, 5, &v));
	assert_int_equal(v, 55);
	u64map__free(m);
	u64map__free(NULL);
}

/*
 * Deletion against a model: random sets and deletes over a small key space
 * (long probe runs that wrap around the table), every key checked after
 * each step.
 */
static void test_map_delete(void **state)
{
	enum { KEYS = 300, STEPS = 20000 };
	static uint64_t model[KEYS];	/* value + 1, 0: absent */
	struct u64map *m = u64map__new();
	uint64_t x = 0x2545f4914f6cdd1dULL, v;
	size_t present = 0, i, step;

	(void)state;
	assert_non_null(m);
	assert_false(u64map__del(m, 3));
	for (step = 0; step < STEPS; step++) {
		uint64_t k;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		i = x % KEYS;
		/* Keys with equal low bits crowd the same slots. */
		k = (uint64_t)i << 40;
		if ((x >> 32) % 3 == 0) {
			assert_int_equal(u64map__del(m, k), model[i] != 0);
			present -= model[i] != 0;
			model[i] = 0;
		} else {
			assert_int_equal(u64map__set(m, k, step), 0);
			present += model[i] == 0;
			model[i] = step + 1;
		}
		assert_int_equal(u64map__size(m), present);
		if (step % 97)
			continue;
		for (i = 0; i < KEYS; i++) {
			bool in = u64map__get(m, (uint64_t)i << 40, &v);

			assert_int_equal(in, model[i] != 0);
			if (in)
				assert_int_equal(v, model[i] - 1);
		}
	}
	/* Everything out, then the map still works. */
	for (i = 0; i < KEYS; i++)
		assert_int_equal(u64map__del(m, (uint64_t)i << 40), model[i] != 0);
	assert_int_equal(u64map__size(m), 0);
	assert_int_equal(u64map__set(m, 7, 8), 0);
	assert_true(u64map__get(m, 7, &v));
	assert_int_equal(v, 8);
	u64map__free(m);
}

static uint64_t key_of(uint64_t i, int pattern)
{
	switch (pattern) {
	case 0:
		return i;			/* dense */
	case 1:
		return i << 32;			/* equal low bits */
	case 2:
		return i * 0x1000;		/* page addresses */
	default:
		return hash_u64(i) ^ 0xffff;	/* scattered */
	}
}

static void test_map_growth(void **state)
{
	const uint64_t n = 50000;
	int pattern;

	(void)state;
	for (pattern = 0; pattern < 4; pattern++) {
		struct u64map *m = u64map__new();
		uint64_t i, v;

		assert_non_null(m);
		for (i = 0; i < n; i++) {
			assert_int_equal(u64map__set(m, key_of(i, pattern), i * 3 + 1), 0);
			/* Every earlier key survives each growth step. */
			if ((i & (i - 1)) == 0) {
				uint64_t j;

				for (j = 0; j <= i; j++) {
					assert_true(u64map__get(m, key_of(j, pattern), &v));
					assert_int_equal(v, j * 3 + 1);
				}
			}
		}
		assert_int_equal(u64map__size(m), n);
		for (i = 0; i < n; i++) {
			assert_true(u64map__get(m, key_of(i, pattern), &v));
			assert_int_equal(v, i * 3 + 1);
		}
		/* Keys never set are still absent. */
		for (i = n; i < n + 1000; i++)
			assert_false(u64map__get(m, key_of(i, pattern), &v));
		/* Overwrite all: size unchanged, values new. */
		for (i = 0; i < n; i += 7)
			assert_int_equal(u64map__set(m, key_of(i, pattern), ~i), 0);
		assert_int_equal(u64map__size(m), n);
		for (i = 0; i < n; i++) {
			assert_true(u64map__get(m, key_of(i, pattern), &v));
			assert_int_equal(v, i % 7 ? i * 3 + 1 : ~i);
		}
		u64map__free(m);
	}
}

/* ---- strtab ---------------------------------------------------------------- */

static void test_strtab_basics(void **state)
{
	struct strtab *t = strtab__new();
	const char buf[] = { 'f', 'o', 'o', 'd' };	/* not terminated */

	(void)state;
	assert_non_null(t);
	/* Id 0 is always "". */
	assert_int_equal(strtab__count(t), 1);
	assert_string_equal(strtab__get(t, 0), "");
	assert_int_equal(strtab__intern(t, ""), 0);
	assert_int_equal(strtab__intern_len(t, "xyz", 0), 0);
	assert_int_equal(strtab__count(t), 1);

	assert_int_equal(strtab__intern(t, "foo"), 1);
	assert_int_equal(strtab__intern(t, "bar"), 2);
	assert_int_equal(strtab__intern(t, "foo"), 1);
	assert_int_equal(strtab__intern(t, "fo"), 3);
	assert_int_equal(strtab__intern(t, "foo "), 4);
	assert_int_equal(strtab__intern(t, "Foo"), 5);
	/* By length: a prefix of a longer buffer. */
	assert_int_equal(strtab__intern_len(t, buf, 3), 1);
	assert_int_equal(strtab__intern_len(t, buf, 4), 6);
	assert_string_equal(strtab__get(t, 6), "food");
	assert_int_equal(strtab__intern(t, "food"), 6);
	assert_int_equal(strtab__count(t), 7);

	assert_string_equal(strtab__get(t, 1), "foo");
	assert_string_equal(strtab__get(t, 2), "bar");
	assert_string_equal(strtab__get(t, 3), "fo");
	/* Ids past the end read as "". */
	assert_string_equal(strtab__get(t, 7), "");
	assert_string_equal(strtab__get(t, UINT32_MAX), "");

	/* The table keeps its own copy. */
	{
		char tmp[] = "scratch";

		assert_int_equal(strtab__intern(t, tmp), 7);
		tmp[0] = 'S';
		assert_string_equal(strtab__get(t, 7), "scratch");
		assert_int_equal(strtab__intern(t, tmp), 8);
	}
	strtab__free(t);
	strtab__free(NULL);
}

static void test_strtab_many(void **state)
{
	const int n = 30000;
	struct strtab *t = strtab__new();
	const char *first, *last;
	char s[64];
	int i;

	(void)state;
	assert_non_null(t);
	assert_int_equal(strtab__intern(t, "first"), 1);
	first = strtab__get(t, 1);
	for (i = 0; i < n; i++) {
		snprintf(s, sizeof(s), "sym_%d", i);
		assert_int_equal(strtab__intern(t, s), i + 2);
	}
	assert_int_equal(strtab__count(t), n + 2);
	/* Pointers stay valid however much the table grew. */
	assert_ptr_equal(strtab__get(t, 1), first);
	assert_string_equal(first, "first");
	last = strtab__get(t, n + 1);
	for (i = n - 1; i >= 0; i--) {
		snprintf(s, sizeof(s), "sym_%d", i);
		assert_int_equal(strtab__intern(t, s), i + 2);
		assert_string_equal(strtab__get(t, i + 2), s);
	}
	assert_int_equal(strtab__count(t), n + 2);
	assert_ptr_equal(strtab__get(t, n + 1), last);
	strtab__free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_vectors),
		cmocka_unit_test(test_map_basics),
		cmocka_unit_test(test_map_growth),
		cmocka_unit_test(test_map_delete),
		cmocka_unit_test(test_strtab_basics),
		cmocka_unit_test(test_strtab_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
