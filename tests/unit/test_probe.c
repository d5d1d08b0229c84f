// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Where functions return (probe_returns), the basis of timing without
 * return probes: hand-assembled code with the answer known byte by byte,
 * and g++ -O2 code whose throw sits in a ".cold" part.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/elffuncs.h"
#include "probes/probe.h"

static int returns_of(const uint8_t *code, size_t len, uint64_t vaddr,
		      struct probe_rets *rets)
{
	struct probe_range r = { code, len, vaddr };

	return probe_returns(&r, 1, rets);
}

/* Two ways out, both RET; the branch between them stays inside; no call
 * (so no exception can pass through it). */
static void test_two_rets(void **state)
{
	static const uint8_t code[] = {
		0x55,			/* 1000 push rbp */
		0x48, 0x89, 0xe5,	/* 1001 mov rbp, rsp */
		0x85, 0xff,		/* 1004 test edi, edi */
		0x74, 0x02,		/* 1006 je 100a */
		0x5d,			/* 1008 pop rbp */
		0xc3,			/* 1009 ret */
		0x31, 0xc0,		/* 100a xor eax, eax */
		0x5d,			/* 100c pop rbp */
		0xc3,			/* 100d ret */
		0xcc, 0xcc,		/* padding */
	};
	struct probe_rets r;

	(void)state;
	assert_int_equal(returns_of(code, sizeof(code), 0x1000, &r), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.at[0], 0x1009);
	assert_int_equal(r.at[1], 0x100d);
	assert_false(r.calls);
}

/*
 * A jump to a cold part, which calls, then jumps back: with the part, one
 * RET and nothing leaves; without it, the jump leaves.
 */
static void test_cold_part(void **state)
{
	static const uint8_t hot[] = {
		0x85, 0xff,				/* 2000 test edi, edi */
		0x0f, 0x85, 0xf8, 0x0f, 0x00, 0x00,	/* 2002 jne 3000 */
		0xc3,					/* 2008 ret */
	};
	static const uint8_t cold[] = {
		0xe8, 0xfb, 0x0f, 0x00, 0x00,		/* 3000 call 4000 */
		0xe9, 0xfe, 0xef, 0xff, 0xff,		/* 3005 jmp 2008 */
		0x0f, 0x0b,				/* 300a ud2 */
	};
	struct probe_range parts[2] = {
		{ hot, sizeof(hot), 0x2000 }, { cold, sizeof(cold), 0x3000 },
	};
	struct probe_rets r;

	(void)state;
	assert_int_equal(probe_returns(parts, 2, &r), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.at[0], 0x2008);
	assert_true(r.calls);	/* in the cold part */
	assert_int_equal(probe_returns(parts, 1, &r), -EXDEV);
}

/* A tail call (jmp out) and an indirect jump: a RET would not see the end. */
static void test_leaves(void **state)
{
	static const uint8_t tail[] = {
		0x85, 0xff,				/* 1000 test edi, edi */
		0x75, 0x01,				/* 1002 jne 1005 */
		0xc3,					/* 1004 ret */
		0xe9, 0xf6, 0x7f, 0x00, 0x00,		/* 1005 jmp 9000 */
	};
	static const uint8_t indirect[] = {
		0x85, 0xff,				/* test edi, edi */
		0x75, 0x01,				/* jne +1 */
		0xc3,					/* ret */
		0xff, 0xe0,				/* jmp rax */
	};
	static const uint8_t back[] = {
		0x85, 0xff,				/* 1000 test edi, edi */
		0x75, 0xfc,				/* 1002 jne 1000 */
		0xc3,					/* 1004 ret */
	};
	struct probe_rets r;

	(void)state;
	assert_int_equal(returns_of(tail, sizeof(tail), 0x1000, &r),
			 -EXDEV);
	assert_int_equal(returns_of(indirect, sizeof(indirect), 0x1000, &r),
			 -EXDEV);
	/* A loop back to the start stays inside. */
	assert_int_equal(returns_of(back, sizeof(back), 0x1000, &r), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.at[0], 0x1004);
}

/* No RET (it never returns), too many, and bytes that do not decode. */
static void test_refusals(void **state)
{
	static const uint8_t noreturn[] = {
		0xe8, 0x00, 0x00, 0x00, 0x00,		/* call next */
		0x0f, 0x0b,				/* ud2 */
	};
	static const uint8_t bad[] = { 0x85, 0xff, 0x06, 0xc3 }; /* 06: none */
	uint8_t many[PROBE_MAX_RETURNS + 1];
	struct probe_rets r;

	(void)state;
	assert_int_equal(returns_of(noreturn, sizeof(noreturn), 0x1000, &r),
			 -ENOENT);
	assert_int_equal(returns_of(bad, sizeof(bad), 0x1000, &r),
			 -EINVAL);
	memset(many, 0xc3, sizeof(many));
	assert_int_equal(returns_of(many, PROBE_MAX_RETURNS, 0x1000, &r),
			 0);
	assert_int_equal(r.n, PROBE_MAX_RETURNS);
	assert_int_equal(r.at[PROBE_MAX_RETURNS - 1],
			 0x1000 + PROBE_MAX_RETURNS - 1);
	assert_int_equal(returns_of(many, sizeof(many), 0x1000, &r),
			 -E2BIG);
}

static uint8_t *body_of(const struct elf_funcs *t, const char *name,
			struct probe_range *r)
{
	const struct elf_fn *fn = elf_funcs__find(t, name);
	uint8_t *code = NULL;
	size_t len = 0;

	assert_non_null(fn);
	assert_int_equal(elf_funcs__body(t, fn, &code, &len), 0);
	assert_int_equal(len, fn->size);
	r->code = code;
	r->len = len;
	r->vaddr = fn->vaddr;
	return code;
}

/*
 * g++ -O2: Gauge::check(int) jumps to its ".cold" part to throw.  Its only
 * RET is in the hot part, and the byte there is a RET.
 */
static void test_gxx_cold(void **state)
{
	struct elf_funcs *t = elf_funcs__open(FIXTURE_DIR "/fix_throw", false);
	struct probe_range parts[2];
	struct probe_rets r;
	uint8_t *hot, *cold, *val;

	(void)state;
	assert_non_null(t);
	assert_null(elf_funcs__find(t, "_ZNK6shapes5Gauge5checkEi.col"));
	assert_null(elf_funcs__find(t, ""));
	hot = body_of(t, "_ZNK6shapes5Gauge5checkEi", &parts[0]);
	cold = body_of(t, "_ZNK6shapes5Gauge5checkEi.cold", &parts[1]);
	assert_int_equal(probe_returns(parts, 1, &r), -EXDEV);
	assert_int_equal(probe_returns(parts, 2, &r), 0);
	assert_int_equal(r.n, 1);
	assert_true(r.at[0] >= parts[0].vaddr &&
		    r.at[0] < parts[0].vaddr + parts[0].len);
	assert_int_equal(hot[r.at[0] - parts[0].vaddr], 0xc3);
	assert_true(r.calls);	/* __cxa_throw */
	val = body_of(t, "_ZN6shapes8validateERKNS_5GaugeEi", &parts[0]);
	assert_int_equal(probe_returns(parts, 1, &r), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(val[r.at[0] - parts[0].vaddr], 0xc3);
	assert_true(r.calls);
	free(hot);
	free(cold);
	free(val);
	elf_funcs__free(t);
}

static struct elf_func go_func(const uint8_t *code, size_t len)
{
	struct elf_func f = { .vaddr = 0x484bc0, .offset = 0x84bc0 };

	memcpy(f.code, code, len);
	f.code_len = len;
	return f;
}

/* Go's stack check, as the Go 1.19 compiler emits it (go_target's
 * main.deep, main.nap): the entry probe goes past it. */
static void test_go_body(void **state)
{
	static const uint8_t big[] = {
		0x4c, 0x8d, 0xa4, 0x24, 0x60, 0xfe, 0xff, 0xff, /* lea r12, [rsp - 0x1a0] */
		0x4d, 0x3b, 0x66, 0x10,			/* cmp r12, [r14 + 0x10] */
		0x0f, 0x86, 0xbe, 0x00, 0x00, 0x00,	/* jbe morestack */
		0x48, 0x81, 0xec, 0x20, 0x02, 0x00, 0x00, /* sub rsp, 0x220 */
	};
	static const uint8_t small[] = {
		0x49, 0x3b, 0x66, 0x10,			/* cmp rsp, [r14 + 0x10] */
		0x76, 0x20,				/* jbe morestack */
		0x55,					/* push rbp */
		0x48, 0x89, 0xe5,			/* mov rbp, rsp */
	};
	static const uint8_t nosplit[] = {
		0x48, 0x83, 0xec, 0x18,			/* sub rsp, 0x18 */
		0x48, 0x89, 0x6c, 0x24, 0x10,		/* mov [rsp + 0x10], rbp */
		0xc3,
	};
	static const uint8_t other_guard[] = {
		0x49, 0x3b, 0x66, 0x18,			/* cmp rsp, [r14 + 0x18] */
		0x76, 0x20,				/* jbe */
		0x55,
	};
	struct probe_point pp;
	struct elf_func f;

	(void)state;
	f = go_func(big, sizeof(big));
	assert_int_equal(probe_place_go(&f, &pp), 0);
	assert_int_equal(pp.delta, 18);
	assert_int_equal(pp.offset, 0x84bc0 + 18);
	assert_false(pp.emulated);
	f = go_func(small, sizeof(small));
	assert_int_equal(probe_place_go(&f, &pp), 0);
	assert_int_equal(pp.delta, 6);
	assert_true(pp.emulated);	/* push rbp */
	f = go_func(nosplit, sizeof(nosplit));
	assert_int_equal(probe_place_go(&f, &pp), 0);
	assert_int_equal(pp.delta, 0);
	assert_int_equal(pp.offset, 0x84bc0);
	f = go_func(other_guard, sizeof(other_guard));
	assert_int_equal(probe_place_go(&f, &pp), 0);
	assert_int_equal(pp.delta, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_rets),
		cmocka_unit_test(test_cold_part),
		cmocka_unit_test(test_leaves),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_gxx_cold),
		cmocka_unit_test(test_go_body),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
