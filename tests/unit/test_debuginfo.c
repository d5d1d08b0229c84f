// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Symbols and source lines from debug information, end to end through the
 * symbolizer (symbolizer__resolve_file) on fixtures packaged the ways
 * distributions ship them (tests/tests.mk builds them from fixtures/dbg.c):
 * whole, split by build-id, split by .gnu_debuglink, MiniDebugInfo, bare.
 * binutils' nm gives the addresses and addr2line -i is the oracle for
 * inline chains and lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <lzma.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "symbols/minidebug.h"
#include "symbols/symbolize.h"

#define DBG FIXTURE_DIR "/dbg"

/* Address (and size) of sym in file, from nm; fails the test if absent. */
static uint64_t nm_addr(const char *file, const char *sym, uint64_t *size)
{
	char cmd[512], line[512];
	uint64_t addr = 0, sz = 0;
	bool found = false;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "nm -S %s", file);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		unsigned long long a, s;
		char type, name[400];

		if (sscanf(line, "%llx %llx %c %399s", &a, &s, &type, name) == 4 &&
		    !strcmp(name, sym)) {
			addr = a;
			sz = s;
			found = true;
		}
	}
	pclose(p);
	if (!found)
		fail_msg("nm: no %s in %s", sym, file);
	if (size)
		*size = sz;
	return addr;
}

static const char *base(const char *path)
{
	const char *b = path ? strrchr(path, '/') : NULL;

	return b ? b + 1 : (path ? path : "");
}

static struct symbolizer *new_sym(const char *debug_dirs, bool no_inline,
				  bool no_demangle)
{
	struct symbolizer_opts o = {
		.no_inline = no_inline,
		.no_demangle = no_demangle,
		.debug_dirs = debug_dirs,
	};
	struct symbolizer *s = symbolizer__new(&o);

	assert_non_null(s);
	return s;
}

/* The outermost frame of an address: the function it lies in. */
static const struct frame *outer(struct frame *f, int n)
{
	assert_true(n >= 1);
	return &f[n - 1];
}

static void test_whole_file_names_and_lines(void **state)
{
	struct symbolizer *s = new_sym(NULL, false, false);
	struct frame f[SYMBOLIZER_MAX_FRAMES];
	uint64_t a = nm_addr(DBG "/dbg_full", "dbg_static_work", NULL);
	int n;

	(void)state;
	n = symbolizer__resolve_file(s, DBG "/dbg_full", a + 4, f,
				     SYMBOLIZER_MAX_FRAMES);
	assert_string_equal(outer(f, n)->name, "dbg_static_work");
	assert_string_equal(base(outer(f, n)->file), "dbg.c");
	assert_true(outer(f, n)->line > 0);
	assert_string_equal(f[0].module, "dbg_full");
	assert_true(f[0].build_id[0] != '\0');
	symbolizer__free(s);
}

/* Stripped, no debug file to be found: the static function has no name,
 * but the frame still says where it is. */
static void test_bare_file_unnamed(void **state)
{
	struct symbolizer *s = new_sym(NULL, false, false);
	struct frame f[SYMBOLIZER_MAX_FRAMES];
	uint64_t a = nm_addr(DBG "/dbg_full", "dbg_static_work", NULL);
	int n;

	(void)state;
	n = symbolizer__resolve_file(s, DBG "/dbg_bare", a + 4, f,
				     SYMBOLIZER_MAX_FRAMES);
	assert_int_equal(n, 1);
	assert_null(f[0].name);
	assert_null(f[0].file);
	assert_string_equal(f[0].module, "dbg_bare");
	assert_int_equal(f[0].address, a + 4);
	symbolizer__free(s);
}

static void test_build_id_debug_dir(void **state)
{
	struct frame f[SYMBOLIZER_MAX_FRAMES];
	uint64_t a = nm_addr(DBG "/dbg_full", "dbg_static_work", NULL);
	struct symbolizer *s;
	int n;

	(void)state;
	/* Not found without the directory... */
	s = new_sym(NULL, false, false);
	n = symbolizer__resolve_file(s, DBG "/bid/dbg_bid", a + 4, f,
				     SYMBOLIZER_MAX_FRAMES);
	assert_null(outer(f, n)->name);
	symbolizer__free(s);
	/* ...found by build-id under it. */
	s = new_sym("/nonexistent:" DBG "/debugroot", false, false);
	n = symbolizer__resolve_file(s, DBG "/bid/dbg_bid", a + 4, f,
				     SYMBOLIZER_MAX_FRAMES);
	assert_string_equal(outer(f, n)->name, "dbg_static_work");
	assert_string_equal(base(outer(f, n)->file), "dbg.c");
	assert_true(outer(f, n)->line > 0);
	symbolizer__free(s);
}

static void test_debuglink(void **state)
{
	struct symbolizer *s = new_sym(NULL, false, false);
	struct frame f[SYMBOLIZER_MAX_FRAMES];
	uint64_t a = nm_addr(DBG "/link/.debug/dbg_link.debug", "dbg_static_work",
			     NULL);
	int n;

	(void)state;
	n = symbolizer__resolve_file(s, DBG "/link/dbg_link", a + 4, f,
				     SYMBOLIZER_MAX_FRAMES);
	assert_string_equal(outer(f, n)->name, "dbg_static_work");
	assert_string_equal(base(outer(f, n)->file), "dbg.c");
	symbolizer__free(s);
}

/* .gnu_debugdata carries symbols, no DWARF: named, no line. */
static void test_minidebuginfo(void **state)
{
	struct symbolizer *s = new_sym(NULL, false, false);
	struct frame f[SYMBOLIZER_MAX_FRAMES];
	uint64_t a = nm_addr(DBG "/dbg_full", "dbg_static_work", NULL);
	int n;

	(void)state;
	n = symbolizer__resolve_file(s, DBG "/dbg_mini", a + 4, f,
				     SYMBOLIZER_MAX_FRAMES);
	assert_int_equal(n, 1);
	assert_string_equal(f[0].name, "dbg_static_work");
	assert_null(f[0].file);
	symbolizer__free(s);
}

/*
 * A hostile .gnu_debugdata: 15 KB of xz that decompresses to 100 MiB of
 * zeros (dbg_bomb).  Ignored with a warning, unnamed, and memory stays
 * small.
 */
static void test_minidebuginfo_bomb(void **state)
{
	struct symbolizer *s = new_sym(NULL, false, false);
	struct frame f[SYMBOLIZER_MAX_FRAMES];
	struct rusage before, after;
	uint64_t a = nm_addr(DBG "/dbg_full", "dbg_static_work", NULL);
	int n;

	(void)state;
	getrusage(RUSAGE_SELF, &before);
	n = symbolizer__resolve_file(s, DBG "/dbg_bomb", a + 4, f,
				     SYMBOLIZER_MAX_FRAMES);
	getrusage(RUSAGE_SELF, &after);
	assert_int_equal(n, 1);
	assert_null(f[0].name);
	/* Counted in a scratch block, never held: not 100 MiB. */
	assert_true(after.ru_maxrss - before.ru_maxrss < 32 * 1024);
	symbolizer__free(s);
}

static void on_alarm(int sig)
{
	(void)sig;
	/* Blocked in an open(): the finding this test is about. */
	_exit(99);
}

/*
 * Hostile .gnu_debuglink names: a FIFO beside the file (an open() of it
 * would block the root profiler for good) and "../" to a debug file whose
 * CRC matches: neither is opened, the frames stay unnamed.
 */
static void test_hostile_debuglinks(void **state)
{
	struct symbolizer *s = new_sym(NULL, false, false);
	struct frame f[SYMBOLIZER_MAX_FRAMES];
	uint64_t a = nm_addr(DBG "/dbg_full", "dbg_static_work", NULL);
	int n;

	(void)state;
	signal(SIGALRM, on_alarm);
	alarm(20);
	n = symbolizer__resolve_file(s, DBG "/evil/dbg_fifo", a + 4, f,
				     SYMBOLIZER_MAX_FRAMES);
	assert_int_equal(n, 1);
	assert_null(f[0].name);
	n = symbolizer__resolve_file(s, DBG "/evil/dbg_up", a + 4, f,
				     SYMBOLIZER_MAX_FRAMES);
	alarm(0);
	assert_int_equal(n, 1);
	assert_null(f[0].name);
	symbolizer__free(s);
}

/* The bounded decoder itself: over the ceiling, within it, truncated. */
static void test_xz_bounded(void **state)
{
	static uint8_t zeros[4 << 20], packed[1 << 16];
	size_t plen = 0, olen;
	void *out;

	(void)state;
	assert_int_equal(lzma_easy_buffer_encode(0, LZMA_CHECK_CRC64, NULL, zeros,
						 sizeof(zeros), packed, &plen,
						 sizeof(packed)), LZMA_OK);
	assert_int_equal(xz_decompress_bounded(packed, plen, 1 << 20, &out, &olen),
			 -E2BIG);
	assert_null(out);
	assert_int_equal(xz_decompress_bounded(packed, plen, 8 << 20, &out, &olen), 0);
	assert_int_equal(olen, sizeof(zeros));
	free(out);
	assert_int_equal(xz_decompress_bounded(packed, plen / 2, 8 << 20, &out, &olen),
			 -EINVAL);
	assert_int_equal(xz_decompress_bounded("not xz", 6, 8 << 20, &out, &olen),
			 -EINVAL);
}

/* One frame as addr2line prints it. */
struct a2l_frame {
	char name[256];
	char file[256];
	unsigned int line;
};

/* addr2line -i -f: the inline chain of addr, innermost first. */
static int addr2line(const char *file, uint64_t addr, struct a2l_frame *out, int max)
{
	char cmd[512], fn[512], loc[512];
	int n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "addr2line -i -f -e %s 0x%llx", file,
		 (unsigned long long)addr);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (n < max && fgets(fn, sizeof(fn), p) && fgets(loc, sizeof(loc), p)) {
		char *colon = strrchr(loc, ':');

		fn[strcspn(fn, "\n")] = '\0';
		snprintf(out[n].name, sizeof(out[n].name), "%.255s", fn);
		out[n].line = colon ? strtoul(colon + 1, NULL, 10) : 0;
		if (colon)
			*colon = '\0';
		snprintf(out[n].file, sizeof(out[n].file), "%.255s", base(loc));
		n++;
	}
	pclose(p);
	return n;
}

/*
 * Every address of dbg_outer (into which dbg_middle and dbg_inner are
 * inlined) gets the same chain of names and lines as addr2line -i gives:
 * in the whole file and through the split debug files.
 */
static void check_chains_like_addr2line(const char *file, const char *dirs)
{
	struct symbolizer *s = new_sym(dirs, false, false);
	struct frame f[SYMBOLIZER_MAX_FRAMES];
	struct a2l_frame want[SYMBOLIZER_MAX_FRAMES];
	uint64_t size, a = nm_addr(DBG "/dbg_full", "dbg_outer", &size), i;
	int deepest = 0;

	for (i = 0; i < size; i++) {
		int n = symbolizer__resolve_file(s, file, a + i, f,
						 SYMBOLIZER_MAX_FRAMES);
		int m = addr2line(DBG "/dbg_full", a + i, want, SYMBOLIZER_MAX_FRAMES);
		int k;

		if (n != m)
			fail_msg("%s+0x%llx: %d frames, addr2line has %d (innermost %s)",
				 file, (unsigned long long)i, n, m, want[0].name);
		for (k = 0; k < n; k++) {
			if (!f[k].name || strcmp(f[k].name, want[k].name))
				fail_msg("+0x%llx frame %d: %s, addr2line %s",
					 (unsigned long long)i, k,
					 f[k].name ? f[k].name : "(null)", want[k].name);
			assert_string_equal(base(f[k].file), want[k].file);
			if (f[k].line != want[k].line)
				fail_msg("+0x%llx frame %d (%s): line %u, addr2line %u",
					 (unsigned long long)i, k, f[k].name,
					 f[k].line, want[k].line);
			assert_int_equal(f[k].inlined, k < n - 1);
		}
		if (n > deepest)
			deepest = n;
	}
	/* dbg_inner inside dbg_middle inside dbg_outer was seen. */
	assert_int_equal(deepest, 3);
	symbolizer__free(s);
}

static void test_inline_chains_whole(void **state)
{
	(void)state;
	check_chains_like_addr2line(DBG "/dbg_full", NULL);
}

static void test_inline_chains_split(void **state)
{
	(void)state;
	check_chains_like_addr2line(DBG "/bid/dbg_bid", DBG "/debugroot");
	check_chains_like_addr2line(DBG "/link/dbg_link", NULL);
}

static void test_no_inline(void **state)
{
	struct symbolizer *s = new_sym(NULL, true, false);
	struct frame f[SYMBOLIZER_MAX_FRAMES];
	uint64_t size, a = nm_addr(DBG "/dbg_full", "dbg_outer", &size), i;

	(void)state;
	for (i = 0; i < size; i++) {
		int n = symbolizer__resolve_file(s, DBG "/dbg_full", a + i, f,
						 SYMBOLIZER_MAX_FRAMES);

		assert_int_equal(n, 1);
		assert_string_equal(f[0].name, "dbg_outer");
		assert_false(f[0].inlined);
	}
	symbolizer__free(s);
}

static void expect_name(const char *file, const char *sym, bool no_demangle,
			const char *want)
{
	struct symbolizer *s = new_sym(NULL, false, no_demangle);
	struct frame f[SYMBOLIZER_MAX_FRAMES];
	uint64_t a = nm_addr(file, sym, NULL);
	int n;

	n = symbolizer__resolve_file(s, file, a, f, SYMBOLIZER_MAX_FRAMES);
	assert_string_equal(outer(f, n)->name, want);
	symbolizer__free(s);
}

static void test_demangled_names(void **state)
{
	(void)state;
	expect_name(DBG "/dbg_cpp", "_ZNK6shapes6Circle4areaEd", false,
		    "shapes::Circle::area(double) const");
	expect_name(DBG "/dbg_cpp", "_Z5twiceIiET_S0_", false, "int twice<int>(int)");
	expect_name(DBG "/dbg_cpp", "_ZNK6shapes6Circle4areaEd", true,
		    "_ZNK6shapes6Circle4areaEd");
	/* Rust legacy: demangled, hash trimmed. */
	expect_name(DBG "/dbg_full", "_ZN7mycrate6module8function17h0123456789abcdefE",
		    false, "mycrate::module::function");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_file_names_and_lines),
		cmocka_unit_test(test_bare_file_unnamed),
		cmocka_unit_test(test_build_id_debug_dir),
		cmocka_unit_test(test_debuglink),
		cmocka_unit_test(test_minidebuginfo),
		cmocka_unit_test(test_minidebuginfo_bomb),
		cmocka_unit_test(test_xz_bounded),
		cmocka_unit_test(test_hostile_debuglinks),
		cmocka_unit_test(test_inline_chains_whole),
		cmocka_unit_test(test_inline_chains_split),
		cmocka_unit_test(test_no_inline),
		cmocka_unit_test(test_demangled_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
