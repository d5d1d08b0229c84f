// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* kallsyms: parsing a /proc/kallsyms listing and looking addresses up. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "symbols/kallsyms.h"

#define SAMPLE		TESTDATA_DIR "/kallsyms_sample.txt"
#define RESTRICTED	TESTDATA_DIR "/kallsyms_restricted.txt"
/* t/T/w/W lines in both files */
#define SAMPLE_TEXT_SYMS 12

static struct kallsyms *parse_file(const char *path)
{
	FILE *f = fopen(path, "r");
	struct kallsyms *k;

	assert_non_null(f);
	k = kallsyms__parse(f);
	fclose(f);
	assert_non_null(k);
	return k;
}

static struct kallsyms *parse_text(const char *text)
{
	FILE *f = fmemopen((char *)text, strlen(text), "r");
	struct kallsyms *k;

	assert_non_null(f);
	k = kallsyms__parse(f);
	fclose(f);
	assert_non_null(k);
	return k;
}

static void expect_hit(const struct kallsyms *k, uint64_t addr,
		       const char *name, const char *module, uint64_t offset)
{
	struct ksym_hit hit = { NULL, NULL, 0 };

	if (!kallsyms__lookup(k, addr, &hit))
		fail_msg("no symbol for 0x%llx, expected %s", (unsigned long long)addr,
			 name);
	assert_string_equal(hit.name, name);
	if (module) {
		assert_non_null(hit.module);
		assert_string_equal(hit.module, module);
	} else {
		assert_null(hit.module);
	}
	assert_int_equal(hit.offset, offset);
}

static void expect_miss(const struct kallsyms *k, uint64_t addr)
{
	struct ksym_hit hit = { NULL, NULL, 0 };

	if (kallsyms__lookup(k, addr, &hit))
		fail_msg("0x%llx resolved to %s+0x%llx, expected nothing",
			 (unsigned long long)addr, hit.name,
			 (unsigned long long)hit.offset);
}

static void test_text_only(void **state)
{
	struct kallsyms *k = parse_file(SAMPLE);

	(void)state;
	/* 'A', 'd', 'D', 'b', 'B', 'r', 'R' lines are not functions. */
	assert_int_equal(kallsyms__count(k), SAMPLE_TEXT_SYMS);
	expect_hit(k, 0xffffffff81000000ULL, "_stext", NULL, 0);
	expect_hit(k, 0xffffffff81001000ULL, "early_helper", NULL, 0);
	expect_hit(k, 0xffffffff81002800ULL, "arch_weak_hook", NULL, 0);	/* W */
	expect_hit(k, 0xffffffff81003000ULL, "weak_small", NULL, 0);		/* w */
	expect_hit(k, 0xffffffff8100a000ULL, "schedule", NULL, 0);
	/* Data symbols after weak_small do not cut it short. */
	expect_hit(k, 0xffffffff81004000ULL, "weak_small", NULL, 0x1000);
	expect_hit(k, 0xffffffff81005008ULL, "weak_small", NULL, 0x2008);
	expect_hit(k, 0xffffffff81009fffULL, "weak_small", NULL, 0x6fff);
	kallsyms__free(k);
}

static void test_between_symbols(void **state)
{
	struct kallsyms *k = parse_file(SAMPLE);

	(void)state;
	expect_hit(k, 0xffffffff81000001ULL, "_stext", NULL, 1);
	expect_hit(k, 0xffffffff81000fffULL, "_stext", NULL, 0xfff);
	expect_hit(k, 0xffffffff81002010ULL, "do_syscall_64", NULL, 0x10);
	expect_hit(k, 0xffffffff810027ffULL, "do_syscall_64", NULL, 0x7ff);
	expect_hit(k, 0xffffffff8100a123ULL, "schedule", NULL, 0x123);
	/* Below the first text symbol: nothing. */
	expect_miss(k, 0xffffffff80ffffffULL);
	expect_miss(k, 0x1000);
	expect_miss(k, 0);
	kallsyms__free(k);
}

static void test_modules(void **state)
{
	struct kallsyms *k = parse_file(SAMPLE);
	struct ksym_hit a, b;

	(void)state;
	/* Listed out of order in the file: sorted on parse. */
	expect_hit(k, 0xffffffffc0a01000ULL, "e1000_probe", "e1000", 0);
	expect_hit(k, 0xffffffffc0a01010ULL, "e1000_probe", "e1000", 0x10);
	expect_hit(k, 0xffffffffc0a01800ULL, "e1000_remove", "e1000", 0);
	/* e1000_driver_data ('d') is skipped. */
	expect_hit(k, 0xffffffffc0a02010ULL, "e1000_remove", "e1000", 0x810);
	expect_hit(k, 0xffffffffc0b00000ULL, "nft_do_chain", "nf_tables", 0);
	expect_hit(k, 0xffffffffc0b00404ULL, "nft_lookup_eval", "nf_tables", 4);
	expect_hit(k, 0xffffffffffffffffULL, "nft_lookup_eval", "nf_tables",
		   0xffffffffffffffffULL - 0xffffffffc0b00400ULL);
	/* A module field without its closing bracket names no module, and
	 * the tab ends the name either way. */
	expect_hit(k, 0xffffffff8100b004ULL, "no_module_close", NULL, 4);
	expect_hit(k, 0xffffffff8100c000ULL, "after_broken", NULL, 0);

	assert_true(kallsyms__lookup(k, 0xffffffffc0a01000ULL, &a));
	assert_true(kallsyms__lookup(k, 0xffffffffc0a01800ULL, &b));
	assert_string_equal(a.module, b.module);
	kallsyms__free(k);
}

static void test_restricted(void **state)
{
	struct kallsyms *k = parse_file(RESTRICTED);

	(void)state;
	/* kptr_restrict: the names are there, the addresses all read 0. */
	assert_int_equal(kallsyms__count(k), SAMPLE_TEXT_SYMS);
	expect_miss(k, 0);
	expect_miss(k, 1);
	expect_miss(k, 0xffffffff81002010ULL);
	expect_miss(k, 0xffffffffc0a01010ULL);
	expect_miss(k, UINT64_MAX);
	kallsyms__free(k);
}

static void test_malformed_lines(void **state)
{
	struct kallsyms *k = parse_text(
		"garbage\n"
		"\n"
		"ffffffff81000000\n"
		"ffffffff81000100 T\n"			/* no name */
		"zzzzzzzzzzzzzzzz T not_hex\n"
		"ffffffff81001000 T good_one\n"
		"ffffffff81003000 t good_two\t[m]\n"
		"ffffffff81004000 t no_newline_at_end");

	(void)state;
	assert_int_equal(kallsyms__count(k), 3);
	expect_hit(k, 0xffffffff81001004ULL, "good_one", NULL, 4);
	expect_hit(k, 0xffffffff81002004ULL, "good_one", NULL, 0x1004);
	expect_hit(k, 0xffffffff81003000ULL, "good_two", "m", 0);
	expect_hit(k, 0xffffffff81004001ULL, "no_newline_at_end", NULL, 1);
	expect_miss(k, 0xffffffff81000100ULL);
	kallsyms__free(k);
}

static void test_empty(void **state)
{
	struct kallsyms *k;
	FILE *f = fopen("/dev/null", "r");

	(void)state;
	assert_non_null(f);
	k = kallsyms__parse(f);
	fclose(f);
	assert_non_null(k);
	assert_int_equal(kallsyms__count(k), 0);
	expect_miss(k, 0xffffffff81000000ULL);
	kallsyms__free(k);

	/* Only data symbols: nothing to look up either. */
	k = parse_text("ffffffff81004000 D init_task\n"
		       "ffffffff81005000 b bss\n");
	assert_int_equal(kallsyms__count(k), 0);
	expect_miss(k, 0xffffffff81004000ULL);
	kallsyms__free(k);
	kallsyms__free(NULL);
}

/* Past the first allocation, with modules switching back and forth. */
static void test_many(void **state)
{
	const uint64_t base = 0xffffffff81000000ULL;
	char *text = NULL;
	size_t len = 0;
	struct kallsyms *k;
	FILE *f;
	int i;

	(void)state;
	f = open_memstream(&text, &len);
	assert_non_null(f);
	/* Written backwards so that the parser has to sort. */
	for (i = 19999; i >= 0; i--) {
		fprintf(f, "%016llx %c fn_%d", (unsigned long long)(base + i * 0x40ULL),
			i % 3 ? 't' : 'T', i);
		if (i >= 10000)
			fprintf(f, "\t[mod%d]", i / 1000);
		fputc('\n', f);
		fprintf(f, "%016llx d data_%d\n",
			(unsigned long long)(base + i * 0x40ULL + 0x20), i);
	}
	fclose(f);
	k = parse_text(text);
	free(text);
	assert_int_equal(kallsyms__count(k), 20000);
	for (i = 0; i < 20000; i += 1234) {
		char name[32], mod[32];

		snprintf(name, sizeof(name), "fn_%d", i);
		snprintf(mod, sizeof(mod), "mod%d", i / 1000);
		expect_hit(k, base + i * 0x40ULL + 0x3f, name,
			   i >= 10000 ? mod : NULL, 0x3f);
	}
	expect_miss(k, base - 1);
	kallsyms__free(k);
}

/* The real file: readable by anyone, addresses hidden unless privileged. */
static void test_load(void **state)
{
	struct kallsyms *k = kallsyms__load();

	(void)state;
	if (!k) {
		assert_int_not_equal(errno, 0);
		skip();
	}
	assert_true(kallsyms__count(k) > 1000);
	kallsyms__free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_only),
		cmocka_unit_test(test_between_symbols),
		cmocka_unit_test(test_modules),
		cmocka_unit_test(test_restricted),
		cmocka_unit_test(test_malformed_lines),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
