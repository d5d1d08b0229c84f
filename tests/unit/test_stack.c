// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * include/stack.h's hash, compiled for the host exactly as the BPF program
 * compiles it: never 0 (0 means "no stack"), sensitive to every ip, to the
 * order and to the depth, and blind to anything past depth.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "stack.h"
#include "lib/hashmap.h"

static void test_depth_bounds_the_hash(void **state)
{
	__u64 a[PROF_MAX_STACK_DEPTH] = { 0x401000, 0x401100, 0x401200 };
	__u64 b[PROF_MAX_STACK_DEPTH] = { 0x401000, 0x401100, 0x401200 };

	(void)state;
	b[3] = 0xdeadbeef;	/* past depth 3: must not matter */
	assert_int_equal(stack_hash(a, 3, 0), stack_hash(b, 3, 0));
	assert_int_not_equal(stack_hash(a, 3, 0), stack_hash(b, 4, 0));
	assert_int_not_equal(stack_hash(a, 2, 0), stack_hash(a, 3, 0));
}

static void test_order_and_values_matter(void **state)
{
	__u64 a[3] = { 1, 2, 3 }, b[3] = { 3, 2, 1 }, c[3] = { 1, 2, 4 };

	(void)state;
	assert_int_not_equal(stack_hash(a, 3, 0), stack_hash(b, 3, 0));
	assert_int_not_equal(stack_hash(a, 3, 0), stack_hash(c, 3, 0));
}

/*
 * Never 0: sampling inputs could only find a 0 with probability 2^-64, so
 * the remapping is tested where it acts.  The final mix takes 0 to 0 (and
 * nothing else to 0: it is a bijection), and stack_hash_finish makes that
 * 1.  An empty stack and a stack of one 0 ip differ.
 */
static void test_never_zero_and_empty_stack(void **state)
{
	__u64 none[1] = { 0 };

	(void)state;
	assert_int_equal(stack_hash_finish(0), 1);
	assert_int_not_equal(stack_hash_finish(1), 0);
	assert_int_not_equal(stack_hash(none, 0, 0), stack_hash(none, 1, 0));
}

/* 200,000 distinct realistic stacks (shared prefixes, nearby leaf ips):
 * no two may share a hash, or the kernel side would merge their counts. */
static void test_no_collisions_on_similar_stacks(void **state)
{
	struct u64map *seen = u64map__new();
	__u64 ips[8];
	uint64_t v;
	int i, j;

	(void)state;
	assert_non_null(seen);
	for (i = 0; i < 200000; i++) {
		ips[0] = 0x555555554000ULL + (i % 4096);	/* leaf */
		for (j = 1; j < 8; j++)
			ips[j] = 0x555555560000ULL + j * 0x40 + (i / 4096) * (j == 3);
		__u64 h = stack_hash(ips, 8, 0);

		assert_false(u64map__get(seen, h, &v));
		assert_int_equal(u64map__set(seen, h, i), 0);
	}
	u64map__free(seen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_depth_bounds_the_hash),
		cmocka_unit_test(test_order_and_values_matter),
		cmocka_unit_test(test_never_zero_and_empty_stack),
		cmocka_unit_test(test_no_collisions_on_similar_stacks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
