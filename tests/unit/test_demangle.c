// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Demangling of C++, Rust legacy and Rust v0 names.  Most names are real:
 * g++ 12.2 and clang 14 output for tests/unit/fixtures/demangle/names.cpp,
 * rustc 1.95 output for names.rs (the files say how to get them again).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <libiberty/demangle.h>

#include "symbols/demangle.h"

/* libiberty.h has one too */
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

struct name_case {
	const char *mangled;
	const char *want;	/* NULL: not demangled */
};

static void check_one(const char *mangled, const char *want)
{
	char *got = demangle(mangled);
	bool same = got && want ? !strcmp(got, want) : got == want;

	if (!same)
		print_error("%s:\n  want %s%s%s\n  got  %s%s%s\n", mangled,
			    want ? "\"" : "", want ? want : "NULL",
			    want ? "\"" : "", got ? "\"" : "",
			    got ? got : "NULL", got ? "\"" : "");
	free(got);
	assert_true(same);
}

static void check_table(const struct name_case *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		check_one(c[i].mangled, c[i].want);
}

/* ---- C++ --------------------------------------------------------------- */

/* g++ -O0 and -O2 on names.cpp, as nm printed them; want is c++filt's text. */
static const struct name_case cxx_names[] = {
	/* a function */
	{ "_Z3usei", "use(int)" },
	/* a method with const */
	{ "_ZNK5outer5inner6Widget3getEv",
	  "outer::inner::Widget::get() const" },
	/* templates: return type printed, as c++filt does */
	{ "_Z5twiceIiET_S0_", "int twice<int>(int)" },
	{ "_Z5twiceIdET_S0_", "double twice<double>(double)" },
	{ "_ZNSt6vectorIiSaIiEE17_M_realloc_insertIJiEEEvN9__gnu_cxx17__normal_iteratorIPiS1_EEDpOT_",
	  "void std::vector<int, std::allocator<int> >::_M_realloc_insert<int>"
	  "(__gnu_cxx::__normal_iterator<int*, std::vector<int, std::allocator<int> > >, int&&)" },
	/* operators */
	{ "_ZN5outer5inner6WidgetpLERKS1_",
	  "outer::inner::Widget::operator+=(outer::inner::Widget const&)" },
	{ "_ZNK5outer5inner6WidgetltERKS1_",
	  "outer::inner::Widget::operator<(outer::inner::Widget const&) const" },
	{ "_Znwm", "operator new(unsigned long)" },
	{ "_ZdlPvm", "operator delete(void*, unsigned long)" },
	/* constructors (complete, base, g++'s comdat group), destructors */
	{ "_ZN5outer5inner6WidgetC1Ei", "outer::inner::Widget::Widget(int)" },
	{ "_ZN5outer5inner6WidgetC2Ei", "outer::inner::Widget::Widget(int)" },
	{ "_ZN5outer5inner6WidgetC5Ei", "outer::inner::Widget::Widget(int)" },
	{ "_ZN5outer5inner6WidgetD1Ev", "outer::inner::Widget::~Widget()" },
	{ "_ZN5outer5inner6WidgetD2Ev", "outer::inner::Widget::~Widget()" },
	/* nested namespaces, std types spelled out in the parameters */
	{ "_ZN5outer5inner6helperERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEERSt6vectorIiSaIiEE",
	  "outer::inner::helper(std::__cxx11::basic_string<char, std::char_traits<char>, "
	  "std::allocator<char> > const&, std::vector<int, std::allocator<int> >&)" },
	/* anonymous namespace, file-static, lambda */
	{ "_ZN12_GLOBAL__N_16hiddenEi", "(anonymous namespace)::hidden(int)" },
	{ "_ZL8clone_meii", "clone_me(int, int)" },
	{ "_ZZ3useiENKUliE_clEi",
	  "use(int)::{lambda(int)#1}::operator()(int) const" },
	/* a variable: no parameter list to print */
	{ "_ZN5outer5inner9destroyedE", "outer::inner::destroyed" },
	/* not functions, but in symbol tables too */
	{ "_ZTV3Foo", "vtable for Foo" },
	{ "_ZThn8_N3Foo3barEv", "non-virtual thunk to Foo::bar()" },
};

/* gcc clones: real names first, then the other suffixes gcc makes. */
static const struct name_case cxx_clones[] = {
	{ "_Z3usei.cold", "use(int) [clone .cold]" },
	{ "_ZL8clone_meii.constprop.0",
	  "clone_me(int, int) [clone .constprop.0]" },
	{ "_ZNK5outer5inner6Widget3getEv.isra.0",
	  "outer::inner::Widget::get() const [clone .isra.0]" },
	{ "_ZZ3useiENKUliE_clEi.constprop.0.isra.0",
	  "use(int)::{lambda(int)#1}::operator()(int) const"
	  " [clone .constprop.0] [clone .isra.0]" },
	{ "_Z3foov.lto_priv.0", "foo() [clone .lto_priv.0]" },
	{ "_Z3foov.part.0.cold", "foo() [clone .part.0] [clone .cold]" },
	/* LLVM's hot/cold splitting */
	{ "_Z3foov.cold.1", "foo() [clone .cold.1]" },
};

static void test_cxx(void **state)
{
	(void)state;
	check_table(cxx_names, ARRAY_SIZE(cxx_names));
}

static void test_cxx_clones(void **state)
{
	(void)state;
	check_table(cxx_clones, ARRAY_SIZE(cxx_clones));
}

/*
 * For C++ we print what libiberty (and so c++filt, perf, gdb) prints; only
 * ".llvm.N" and '@' versions are handled differently, tested below.
 */
static void test_cxx_same_as_libiberty(void **state)
{
	const struct name_case *tables[] = { cxx_names, cxx_clones };
	size_t sizes[] = { ARRAY_SIZE(cxx_names), ARRAY_SIZE(cxx_clones) };
	size_t t, i;
	char *ours, *theirs;

	(void)state;
	for (t = 0; t < ARRAY_SIZE(tables); t++) {
		for (i = 0; i < sizes[t]; i++) {
			ours = demangle(tables[t][i].mangled);
			theirs = cplus_demangle_v3(tables[t][i].mangled,
						   DMGL_PARAMS | DMGL_ANSI);
			assert_non_null(ours);
			assert_non_null(theirs);
			assert_string_equal(ours, theirs);
			free(ours);
			free(theirs);
		}
	}
}

/* ---- Rust legacy ------------------------------------------------------- */

static const struct name_case rust_legacy[] = {
	{ "_ZN4core3fmt5write17h0123456789abcdefE", "core::fmt::write" },
	/* $LT$ $GT$ $u20$ escapes and ".." for "::" inside an identifier */
	{ "_ZN66_$LT$alloc..vec..Vec$LT$T$GT$$u20$as$u20$core..ops..drop..Drop$GT$4drop17h1234567890abcdefE",
	  "<alloc::vec::Vec<T> as core::ops::drop::Drop>::drop" },
	/* rustc 1.95, -C symbol-mangling-version=legacy */
	{ "_ZN5names4main17hd52b26720289402dE", "names::main" },
	{ "_ZN5names5outer5inner4work17h538a28fa20da7dcdE",
	  "names::outer::inner::work" },
	{ "_ZN5names14Point$LT$T$GT$3sum17h9d11b5d43202afbcE",
	  "names::Point<T>::sum" },
	{ "_ZN56_$LT$names..Point$LT$f64$GT$$u20$as$u20$names..Shape$GT$4area17h426bc836104e36b8E",
	  "<names::Point<f64> as names::Shape>::area" },
	{ "_ZN60_$LT$names..Point$LT$T$GT$$u20$as$u20$core..fmt..Display$GT$3fmt17hd1d3bec09b5863a0E",
	  "<names::Point<T> as core::fmt::Display>::fmt" },
	{ "_ZN5names4main28_$u7b$$u7b$closure$u7d$$u7d$17h18082b9d8cdbac79E",
	  "names::main::{{closure}}" },
	/* $C$ is a comma with no space after it */
	{ "_ZN9hashbrown3raw21RawTable$LT$T$C$A$GT$14reserve_rehash17h853cda968be3e26dE",
	  "hashbrown::raw::RawTable<T,A>::reserve_rehash" },
	/* ".." inside "{{vtable.shim}}" is a '.', not a path separator */
	{ "_ZN4core3ops8function6FnOnce40call_once$u7b$$u7b$vtable.shim$u7d$$u7d$17h695ec42e2bf6c98bE",
	  "core::ops::function::FnOnce::call_once{{vtable.shim}}" },
	/*
	 * libiberty takes a name for Rust only when its hash has lower-case
	 * hex with at least 5 distinct digits; others are C++ nested names.
	 */
	{ "_ZN3foo17h0000000000000000E", "foo::h0000000000000000" },
	/* and anything after the 'E' but a suffix makes it C++ too */
	{ "_ZN4core3fmt5write17h0123456789abcdefEx",
	  "core::fmt::write::h0123456789abcdef(long long)" },
};

static void test_rust_legacy(void **state)
{
	(void)state;
	check_table(rust_legacy, ARRAY_SIZE(rust_legacy));
}

/* ---- Rust v0 ----------------------------------------------------------- */

static const struct name_case rust_v0[] = {
	{ "_RNvCs1234_7mycrate3foo", "mycrate::foo" },
	/* rustc 1.95, v0 mangling (the default since 1.9x for std too) */
	{ "_RNvCs4T4zK9Otvt5_5names4main", "names::main" },
	{ "_RNvNtNtCs4T4zK9Otvt5_5names5outer5inner4work",
	  "names::outer::inner::work" },
	{ "_RNvMs_Cs4T4zK9Otvt5_5namesINtB4_5PointmE3sumB4_",
	  "<names::Point<u32>>::sum" },
	{ "_RNvXs0_Cs4T4zK9Otvt5_5namesINtB5_5PointdENtB5_5Shape4area",
	  "<names::Point<f64> as names::Shape>::area" },
	{ "_RNvXCs4T4zK9Otvt5_5namesINtB2_5PointdENtNtCsgEmfK2I1SDS_4core3fmt7Display3fmtB2_",
	  "<names::Point<f64> as core::fmt::Display>::fmt" },
	{ "_RINvCs4T4zK9Otvt5_5names7genericINtB2_5PointdEEB2_",
	  "names::generic::<names::Point<f64>>" },
	{ "_RNCNvCs4T4zK9Otvt5_5names4main0B3_", "names::main::{closure#0}" },
	{ "_RINvCs4T4zK9Otvt5_5names5applyNCNvB2_4main0EB2_",
	  "names::apply::<names::main::{closure#0}>" },
	{ "_RINvYNtNtNtCsjrHSEGnQ3l9_3std4hash6random11RandomStateNtNtCsgEmfK2I1SDS_4core4hash11BuildHasher8hash_oneRyECs4T4zK9Otvt5_5names",
	  "<std::hash::random::RandomState as core::hash::BuildHasher>::hash_one::<&u64>" },
	{ "_RNvXsg_NtCsgvbsrvnw3yD_9hashbrown3rawINtB5_8RawTableTyyEENtNtNtCsgEmfK2I1SDS_4core3ops4drop4Drop4dropCs4T4zK9Otvt5_5names",
	  "<hashbrown::raw::RawTable<(u64, u64)> as core::ops::drop::Drop>::drop" },
};

static void test_rust_v0(void **state)
{
	(void)state;
	check_table(rust_v0, ARRAY_SIZE(rust_v0));
}

/* ---- suffixes ---------------------------------------------------------- */

/* ThinLTO's ".llvm.<module hash>" is dropped in every language. */
static const struct name_case llvm_suffix[] = {
	/* clang 14 -flto=thin, a promoted anonymous-namespace function */
	{ "_ZN12_GLOBAL__N_110local_workEi.llvm.1141681436822758559",
	  "(anonymous namespace)::local_work(int)" },
	/* rustc, legacy and v0 */
	{ "_ZN9hashbrown3raw21RawTable$LT$T$C$A$GT$14reserve_rehash17h853cda968be3e26dE.llvm.12930277973921720907",
	  "hashbrown::raw::RawTable<T,A>::reserve_rehash" },
	{ "_ZN3std2rt10lang_start28_$u7b$$u7b$closure$u7d$$u7d$17hcbe69001a6df8e06E.llvm.15968844826532204993",
	  "std::rt::lang_start::{{closure}}" },
	{ "_RNCINvNtCsjrHSEGnQ3l9_3std2rt10lang_startuE0Cs4T4zK9Otvt5_5names.llvm.9330953642533843175",
	  "std::rt::lang_start::<()>::{closure#0}" },
	{ "_RNSNvYNCINvNtCsjrHSEGnQ3l9_3std2rt10lang_startuE0INtNtNtCsgEmfK2I1SDS_4core3ops8function6FnOnceuE9call_once6vtableCs4T4zK9Otvt5_5names.llvm.9330953642533843175",
	  "<std::rt::lang_start<()>::{closure#0} as core::ops::function::FnOnce<()>>::call_once::{shim:vtable#0}" },
	/* only that group goes; a clone group beside it stays */
	{ "_Z3foov.llvm.123.cold", "foo() [clone .cold]" },
	/* ".llvm" with no hash is not LLVM's promotion suffix */
	{ "_Z3foov.llvm", "foo() [clone .llvm]" },
};

static void test_llvm_suffix(void **state)
{
	(void)state;
	check_table(llvm_suffix, ARRAY_SIZE(llvm_suffix));
}

/* The same suffix reads the same on a C++, a Rust legacy and a Rust v0 name. */
static void test_suffix_same_for_all(void **state)
{
	static const struct {
		const char *mangled, *plain;
	} bases[] = {
		{ "_ZN5outer5inner4workEv", "outer::inner::work()" },
		{ "_ZN5outer5inner4work17h538a28fa20da7dcdE",
		  "outer::inner::work" },
		{ "_RNvNtCs1234_5outer5inner4work", "outer::inner::work" },
	};
	static const struct {
		const char *suffix, *shown;
	} suffixes[] = {
		{ "", "" },
		{ ".cold", " [clone .cold]" },
		{ ".constprop.0", " [clone .constprop.0]" },
		{ ".isra.0", " [clone .isra.0]" },
		{ ".lto_priv.0", " [clone .lto_priv.0]" },
		{ ".part.0.cold", " [clone .part.0] [clone .cold]" },
		{ ".constprop.0.isra.0",
		  " [clone .constprop.0] [clone .isra.0]" },
		{ ".llvm.4419998547798104355", "" },
		{ "@GLIBCXX_3.4", "@GLIBCXX_3.4" },
		{ ".cold@@VERS_2", " [clone .cold]@@VERS_2" },
	};
	char name[256], want[256];
	size_t b, s;

	(void)state;
	for (b = 0; b < ARRAY_SIZE(bases); b++) {
		for (s = 0; s < ARRAY_SIZE(suffixes); s++) {
			snprintf(name, sizeof(name), "%s%s", bases[b].mangled,
				 suffixes[s].suffix);
			snprintf(want, sizeof(want), "%s%s", bases[b].plain,
				 suffixes[s].shown);
			check_one(name, want);
		}
	}
}

/* Versions as ELF symbol tables spell them after .symver. */
static const struct name_case versions[] = {
	{ "_ZNSt6vectorIiSaIiEE9push_backEOi@GLIBCXX_3.4",
	  "std::vector<int, std::allocator<int> >::push_back(int&&)@GLIBCXX_3.4" },
	{ "_ZSt20__throw_length_errorPKc@@GLIBCXX_3.4",
	  "std::__throw_length_error(char const*)@@GLIBCXX_3.4" },
	{ "_Z3foov.isra.0@V1", "foo() [clone .isra.0]@V1" },
	{ "_ZN4core3fmt5write17h0123456789abcdefE@RUST_1",
	  "core::fmt::write@RUST_1" },
	{ "_RNvCs1234_7mycrate3foo@@V2", "mycrate::foo@@V2" },
	/* what goes before the version must still be a name */
	{ "@_Z3foov", NULL },
	{ "_Z@3foov", NULL },
};

static void test_versions(void **state)
{
	(void)state;
	check_table(versions, ARRAY_SIZE(versions));
}

/* ---- not demangled ----------------------------------------------------- */

static const struct name_case not_mangled[] = {
	{ "main", NULL },
	{ "_start", NULL },
	{ "__libc_start_main", NULL },
	{ "foo.cold", NULL },
	{ "", NULL },
	{ "_", NULL },
	{ "_Z", NULL },
	{ "_R", NULL },
	/* look mangled, are not */
	{ "_Zfoo", NULL },
	{ "_ZN3fooE3", NULL },
	{ "_RNv", NULL },
	{ "_RNvCs1234_7mycrate", NULL },
	{ "_RNvCs1234_7mycrate3fo", NULL },
	{ "_Real_time", NULL },
	/* Mach-O spelling: not an ELF mangled name */
	{ "__Z3foov", NULL },
	{ "__ZN4core3fmt5write17h0123456789abcdefE", NULL },
	/* a suffix that is no clone: upper case, '$', a bare '.' */
	{ "_Z3foov.Cold", NULL },
	{ "_Z3foov.cold$1", NULL },
	{ "_Z3foov.", NULL },
	{ "_ZN4core3fmt5write17h0123456789abcdefE.Cold", NULL },
	{ "_RNvCs1234_7mycrate3foo.", NULL },
	{ "_RNvCs1234_7mycrate3foo.X", NULL },
};

static void test_not_mangled(void **state)
{
	(void)state;
	check_table(not_mangled, ARRAY_SIZE(not_mangled));
}

static void test_is_mangled(void **state)
{
	(void)state;
	assert_true(demangle_is_mangled("_Z3foov"));
	assert_true(demangle_is_mangled("_Znwm"));
	assert_true(demangle_is_mangled("_ZN4core3fmt5write17h01234567E"));
	assert_true(demangle_is_mangled("_RNvCs1234_7mycrate3foo"));
	assert_true(demangle_is_mangled("_R0NvCs1234_7mycrate3foo"));
	/* a prefix test only: demangle() still says no */
	assert_true(demangle_is_mangled("_Zfoo"));

	assert_false(demangle_is_mangled(""));
	assert_false(demangle_is_mangled("_"));
	assert_false(demangle_is_mangled("_Z"));
	assert_false(demangle_is_mangled("_R"));
	assert_false(demangle_is_mangled("_Real_time"));
	assert_false(demangle_is_mangled("_r"));
	assert_false(demangle_is_mangled("main"));
	assert_false(demangle_is_mangled("_start"));
	assert_false(demangle_is_mangled("__libc_start_main"));
	assert_false(demangle_is_mangled("__Z3foov"));
	assert_false(demangle_is_mangled("Z3foov"));
}

/* ---- hostile input ----------------------------------------------------- */

/*
 * Every prefix of every name above: truncated names are what a corrupt
 * symbol table gives.  ASan checks nothing is read past the end; the
 * demangler must answer NULL or a string, and never for a name the cheap
 * test rejects.
 */
static void try_prefixes(const char *s)
{
	size_t len = strlen(s), i;
	char *buf = malloc(len + 1), *out;

	assert_non_null(buf);
	for (i = 0; i <= len; i++) {
		memcpy(buf, s, i);
		buf[i] = '\0';
		out = demangle(buf);
		if (out) {
			assert_true(demangle_is_mangled(buf));
			assert_true(out[0] != '\0');
		}
		free(out);
	}
	free(buf);
}

static void test_prefixes(void **state)
{
	const struct name_case *tables[] = {
		cxx_names, cxx_clones, rust_legacy, rust_v0, llvm_suffix,
		versions,
	};
	size_t sizes[] = {
		ARRAY_SIZE(cxx_names), ARRAY_SIZE(cxx_clones),
		ARRAY_SIZE(rust_legacy), ARRAY_SIZE(rust_v0),
		ARRAY_SIZE(llvm_suffix), ARRAY_SIZE(versions),
	};
	size_t t, i;

	(void)state;
	for (t = 0; t < ARRAY_SIZE(tables); t++)
		for (i = 0; i < sizes[t]; i++)
			try_prefixes(tables[t][i].mangled);
}

/* Build prefix + body repeated n times + tail. */
static char *repeat(const char *prefix, const char *body, size_t n,
		    const char *tail)
{
	size_t lp = strlen(prefix), lb = strlen(body), lt = strlen(tail), i;
	char *s = malloc(lp + lb * n + lt + 1), *p;

	assert_non_null(s);
	memcpy(s, prefix, lp);
	p = s + lp;
	for (i = 0; i < n; i++, p += lb)
		memcpy(p, body, lb);
	memcpy(p, tail, lt + 1);
	return s;
}

/*
 * Deep nesting must not exhaust the stack: libiberty's recursion limit
 * (we never pass DMGL_NO_RECURSE_LIMIT) turns these down.
 */
static void test_deep_nesting(void **state)
{
	char *s;

	(void)state;
	/* f(void ******...*) */
	s = repeat("_Z1f", "P", 100000, "v");
	assert_null(demangle(s));
	free(s);
	/* f<a<a<a<...>>>> */
	s = repeat("_Z1fI", "N1aI", 50000, "");
	assert_null(demangle(s));
	free(s);
	/* v0 nested paths, and nested &&&...T */
	s = repeat("_R", "N", 100000, "v");
	assert_null(demangle(s));
	free(s);
	s = repeat("_RINvC1a1f", "R", 100000, "uE");
	assert_null(demangle(s));
	free(s);
	/* a legacy name with 100000 path components: flat, so it works */
	s = repeat("_ZN", "1a", 100000, "17h0123456789abcdefE");
	{
		char *out = demangle(s);

		assert_non_null(out);
		assert_int_equal(strlen(out), 100000 * 3 - 2);
		free(out);
	}
	free(s);
}

/* Lengths in a legacy name that run past its end, or overflow. */
static void test_bad_lengths(void **state)
{
	(void)state;
	check_one("_ZN99999999999999999999999999foo17h0123456789abcdefE", NULL);
	check_one("_ZN18446744073709551617a17h0123456789abcdefE", NULL);
	check_one("_ZN4core3fmt99write17h0123456789abcdefE", NULL);
	/* Not every wrong length is caught: 71 for this 66-byte identifier
	 * makes "4drop" part of it, and libiberty prints it so. */
	check_one("_ZN71_$LT$alloc..vec..Vec$LT$T$GT$$u20$as$u20$core..ops..drop..Drop$GT$4drop17h1234567890abcdefE",
		  "<alloc::vec::Vec<T> as core::ops::drop::Drop>4drop");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cxx),
		cmocka_unit_test(test_cxx_clones),
		cmocka_unit_test(test_cxx_same_as_libiberty),
		cmocka_unit_test(test_rust_legacy),
		cmocka_unit_test(test_rust_v0),
		cmocka_unit_test(test_llvm_suffix),
		cmocka_unit_test(test_suffix_same_for_all),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_not_mangled),
		cmocka_unit_test(test_is_mangled),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_bad_lengths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
