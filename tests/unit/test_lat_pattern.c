// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The lat mode's patterns: parsing [MODULE:]GLOB, which files a module
 * name names, glob matching on raw and demangled names, the glob distance
 * and the ranking of near misses; and the instruction check made before
 * attaching.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "modes/lat_pattern.h"
#include "probes/uprobe_insn.h"

static void parse_ok(const char *text, const char *module, const char *glob,
		     bool is_path)
{
	struct lat_pattern p;
	const char *why = NULL;

	assert_int_equal(lat_pattern__parse(text, &p, &why), 0);
	if (module)
		assert_string_equal(p.module, module);
	else
		assert_null(p.module);
	assert_string_equal(p.glob, glob);
	assert_int_equal(p.module_is_path, is_path);
	lat_pattern__free(&p);
}

static void test_parse(void **state)
{
	(void)state;
	parse_ok("parse_*", NULL, "parse_*", false);
	parse_ok("libc:malloc", "libc", "malloc", false);
	parse_ok("libssl.so.3:SSL_*", "libssl.so.3", "SSL_*", false);
	/* "::" is C++, not a module separator. */
	parse_ok("*Widget::*", NULL, "*Widget::*", false);
	parse_ok("ns::Widget::get", NULL, "ns::Widget::get", false);
	parse_ok("app:*Widget::*", "app", "*Widget::*", false);
	parse_ok("/opt/app/libx.so:*", "/opt/app/libx.so", "*", true);
	parse_ok("./libx.so:f", "./libx.so", "f", true);
}

static void test_parse_errors(void **state)
{
	struct lat_pattern p;
	const char *why = NULL;

	(void)state;
	assert_int_equal(lat_pattern__parse(":malloc", &p, &why), -1);
	assert_non_null(strstr(why, "MODULE"));
	assert_int_equal(lat_pattern__parse("libc:", &p, &why), -1);
	assert_non_null(strstr(why, "function pattern"));
	assert_null(p.module);
	assert_int_equal(lat_pattern__parse("", &p, &why), -1);
}

static bool names(const char *pattern, const char *path)
{
	struct lat_pattern p;
	const char *why;
	bool r;

	assert_int_equal(lat_pattern__parse(pattern, &p, &why), 0);
	r = lat_pattern__names_file(&p, path);
	lat_pattern__free(&p);
	return r;
}

static void test_module_names(void **state)
{
	(void)state;
	assert_true(names("libc:f", "/usr/lib/x86_64-linux-gnu/libc.so.6"));
	assert_true(names("libc:f", "/lib/libc-2.31.so"));
	assert_false(names("libc:f", "/usr/lib/libcap.so.2"));
	assert_false(names("libc:f", "/usr/lib/libcrypto.so.3"));
	assert_true(names("libc.so.6:f", "/lib/libc.so.6"));
	assert_true(names("libssl:f", "/usr/lib/libssl.so.3"));
	assert_true(names("libssl.so.3:f", "/usr/lib/libssl.so.3"));
	assert_false(names("libssl.so.1:f", "/usr/lib/libssl.so.3"));
	assert_true(names("app:f", "/srv/bin/app"));
	assert_false(names("app:f", "/srv/bin/apps"));
	/* Paths are compared whole by the caller, not by file name. */
	assert_false(names("/srv/bin/app:f", "/srv/bin/app"));
	/* No module: not a name for any file. */
	assert_false(names("f", "/srv/bin/f"));
}

static bool match(const char *pattern, const char *name, const char *demangled)
{
	struct lat_pattern p;
	const char *why;
	bool r;

	assert_int_equal(lat_pattern__parse(pattern, &p, &why), 0);
	r = lat_pattern__matches(&p, name, demangled);
	lat_pattern__free(&p);
	return r;
}

static void test_match(void **state)
{
	const char *area = "_ZNK6shapes6Widget4areaEv";
	const char *area_d = "shapes::Widget::area() const";

	(void)state;
	assert_true(match("sqlite3_*", "sqlite3_open", NULL));
	assert_false(match("sqlite3_*", "sqlite_open", NULL));
	assert_true(match("*parse*", "json_parse_value", NULL));
	assert_true(match("fn_[fs]*", "fn_slow", NULL));
	assert_false(match("fn_[!fs]*", "fn_slow", NULL));
	assert_true(match("fn_?ast", "fn_fast", NULL));
	/* C++: the demangled name, and it without its parameter list. */
	assert_true(match("*Widget::*", area, area_d));
	assert_true(match("shapes::Widget::area", area, area_d));
	assert_true(match("shapes::Widget::area() const", area, area_d));
	assert_true(match("_ZNK6shapes*", area, area_d));
	assert_false(match("*Widget::*", area, NULL));
	assert_false(match("shapes::Widget", area, area_d));
	assert_true(match("*operator()", "_ZZ4mainENKUlvE_clEv",
			  "main::{lambda()#1}::operator()() const"));
	/* A non-default symbol version must be asked for. */
	assert_false(match("realpath", "realpath@GLIBC_2.2.5", NULL));
	assert_true(match("realpath*", "realpath@GLIBC_2.2.5", NULL));
	assert_true(match("realpath", "realpath", NULL));
	/* fnmatch without FNM_PATHNAME: '*' crosses '/'. */
	assert_true(match("*", "a/b", NULL));
}

static void test_distance(void **state)
{
	(void)state;
	assert_int_equal(glob_distance("fn_slow", "fn_slow"), 0);
	assert_int_equal(glob_distance("fn_*", "fn_slow"), 0);
	assert_int_equal(glob_distance("*", ""), 0);
	assert_int_equal(glob_distance("FN_SLOW", "fn_slow"), 0);
	/* A swap of neighbours is one edit. */
	assert_int_equal(glob_distance("fn_slwo", "fn_slow"), 1);
	assert_int_equal(glob_distance("fnfast", "fn_fast"), 1);
	assert_int_equal(glob_distance("fn_fastt", "fn_fast"), 1);
	assert_int_equal(glob_distance("fn_fxst", "fn_fast"), 1);
	assert_int_equal(glob_distance("sqlite_*", "sqlite3_open"), 1);
	assert_int_equal(glob_distance("*prase*", "json_parse_value"), 1);
	assert_int_equal(glob_distance("fn_?", "fn_ab"), 1);
	assert_int_equal(glob_distance("fn_[xy]", "fn_x"), 0);
	assert_int_equal(glob_distance("fn_[xy]", "fn_z"), 1);
	assert_int_equal(glob_distance("fn_[a-c]", "fn_B"), 0);
	assert_int_equal(glob_distance("abc", ""), 3);
	assert_int_equal(glob_distance("", "abc"), 3);
	assert_int_equal(glob_distance("a\\*b", "a*b"), 0);
	assert_int_equal(glob_distance("a\\*b", "axb"), 1);
}

static void test_common(void **state)
{
	(void)state;
	assert_int_equal(glob_common("*parse_json*", "json_parse"), 5);
	assert_int_equal(glob_common("foo", "xxfooxx"), 3);
	assert_int_equal(glob_common("f*o", "foo"), 1);
	assert_int_equal(glob_common("*", "anything"), 0);
}

static void test_near_misses(void **state)
{
	static const char *const syms[] = {
		"fn_fast", "fn_slow", "fn_recurse", "fn_never", "main",
		"_start", "register_tm_clones", "frame_dummy", "fn_slowly",
	};
	struct near_misses nm;
	char buf[512];
	size_t i;

	(void)state;
	near_misses__init(&nm, "fn_slwo");
	assert_int_equal(nm.literal_len, 7);
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++)
		near_misses__offer(&nm, syms[i], NULL);
	assert_int_equal(nm.n, 2);
	assert_string_equal(nm.v[0].name, "fn_slow");	/* 1 edit */
	assert_string_equal(nm.v[1].name, "fn_slowly");	/* 3 edits, "fn_sl" */
	near_misses__format(&nm, buf, sizeof(buf));
	assert_string_equal(buf, "fn_slow, fn_slowly");

	/* Nothing close: nothing listed. */
	near_misses__init(&nm, "zzz_qqq");
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++)
		near_misses__offer(&nm, syms[i], NULL);
	assert_int_equal(nm.n, 0);
	near_misses__format(&nm, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

static void test_near_misses_rank(void **state)
{
	struct near_misses nm;
	char name[32];
	int i;

	(void)state;
	/* Ten candidates, one edit each: the five best by shared run, then
	 * length, then name. */
	near_misses__init(&nm, "*parse*");
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "pars%d_x", i);
		near_misses__offer(&nm, name, NULL);
	}
	near_misses__offer(&nm, "json_parse_value", NULL);	/* 0 edits */
	near_misses__offer(&nm, "json_parse_value", NULL);	/* once */
	assert_int_equal(nm.n, NEAR_MISSES_MAX);
	assert_string_equal(nm.v[0].name, "json_parse_value");
	assert_string_equal(nm.v[1].name, "pars0_x");
	assert_string_equal(nm.v[2].name, "pars1_x");
	assert_string_equal(nm.v[4].name, "pars3_x");
	for (i = 1; i < nm.n; i++)
		assert_true(nm.v[i - 1].dist <= nm.v[i].dist);

	/* The demangled name is shown; either name may be the close one. */
	near_misses__init(&nm, "shapes::Widget::aera");
	near_misses__offer(&nm, "shapes::Widget::area() const",
			   "_ZNK6shapes6Widget4areaEv");
	assert_int_equal(nm.n, 1);
	assert_string_equal(nm.v[0].name, "shapes::Widget::area() const");
}

static void test_insn(void **state)
{
	static const uint8_t push_rbp[] = { 0x55, 0x48, 0x89, 0xe5 };
	static const uint8_t endbr64[] = { 0xf3, 0x0f, 0x1e, 0xfa };
	static const uint8_t lock_dec[] = { 0xf0, 0xff, 0x0f };
	static const uint8_t ds_nop[] = { 0x3e, 0x90 };
	static const uint8_t int3[] = { 0xcc };
	static const uint8_t syscall[] = { 0x0f, 0x05 };
	static const uint8_t rex_mov[] = { 0x48, 0x89, 0xf8 };
	const char *why = NULL;

	(void)state;
	assert_true(uprobe_insn_ok(push_rbp, sizeof(push_rbp), &why));
	assert_true(uprobe_insn_ok(endbr64, sizeof(endbr64), &why));
	assert_true(uprobe_insn_ok(rex_mov, sizeof(rex_mov), &why));
	assert_false(uprobe_insn_ok(lock_dec, sizeof(lock_dec), &why));
	assert_non_null(strstr(why, "lock"));
	assert_false(uprobe_insn_ok(ds_nop, sizeof(ds_nop), &why));
	assert_false(uprobe_insn_ok(int3, sizeof(int3), &why));
	assert_false(uprobe_insn_ok(syscall, sizeof(syscall), &why));
	assert_false(uprobe_insn_ok(push_rbp, 0, &why));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_module_names),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_common),
		cmocka_unit_test(test_near_misses),
		cmocka_unit_test(test_near_misses_rank),
		cmocka_unit_test(test_insn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
