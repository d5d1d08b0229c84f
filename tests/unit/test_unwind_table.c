// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The unwind-table builder against binutils: `readelf
 * --debug-dump=frames-interp` decodes the same CFI independently; every row
 * it prints must agree with the row our table has in force at that address
 * (CFA rule and offset, where rbp is saved, undefined return address).
 * Checked on Debian's libc, ld.so and libstdc++, and on fixtures built with
 * -O2 -fomit-frame-pointer.  Then the special rows by name: libc's PLT,
 * __restore_rt (signal frame), clone3 and _start (outermost frames).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gelf.h>

#include "symbols/elfsyms.h"
#include "symbols/symbolize.h"
#include "symbols/unwind_table.h"

#define LIBC		"/lib/x86_64-linux-gnu/libc.so.6"
#define LDSO		"/lib64/ld-linux-x86-64.so.2"
#define LIBSTDCXX	"/usr/lib/x86_64-linux-gnu/libstdc++.so.6"
#define FIX_NOFP	FIXTURE_DIR "/unwind_nofp"

/* One row as readelf shows it, reduced to what the unwinder keeps. */
struct want {
	uint64_t addr, fde_end;
	char cfa[32];		/* "rsp+8", "rbp+16", "exp", ... */
	char rbp[32];		/* "c-16", "u", "s", "" (column absent) */
	char ra[32];		/* "c-8", "u", ... */
};

struct column_row {
	char names[32][16];
	int n;
};

/* Split a table line into fields; "r10 (r10)" stays one field. */
static int split(char *line, char **f, int max)
{
	int n = 0;
	char *tok, *save = NULL;

	for (tok = strtok_r(line, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		if (tok[0] == '(' && n > 0) {
			/* glue back: "r10" "(r10)" */
			tok[-1] = ' ';
			continue;
		}
		if (n < max)
			f[n++] = tok;
	}
	return n;
}

static void set_field(char *dst, const char *src)
{
	snprintf(dst, 32, "%s", src);
}

/* What our table says at r->addr agrees with readelf's row; if not,
 * describe the difference in why. */
static bool agrees(const struct unwind_table *t, const struct want *w,
		   char *why, size_t len)
{
	const struct unwind_entry *e = unwind_table__find(t, w->addr);
	int off;

	if (!e) {
		snprintf(why, len, "no row at 0x%llx", (unsigned long long)w->addr);
		return false;
	}
	if (!strcmp(w->ra, "u")) {
		if (e->cfa_type == UNWIND_CFA_STOP)
			return true;
		snprintf(why, len, "0x%llx: ra undefined, we have %s",
			 (unsigned long long)w->addr, unwind_cfa_name(e->cfa_type));
		return false;
	}
	if (strcmp(w->ra, "c-8")) {
		/* Return address elsewhere: we must not follow it. */
		if (e->cfa_type == UNWIND_CFA_UNSUPPORTED ||
		    e->cfa_type == UNWIND_CFA_SIGNAL)
			return true;
		snprintf(why, len, "0x%llx: ra %s, we have %s",
			 (unsigned long long)w->addr, w->ra,
			 unwind_cfa_name(e->cfa_type));
		return false;
	}
	if (!strncmp(w->cfa, "rsp+", 4) || !strncmp(w->cfa, "rbp+", 4)) {
		unsigned int type = w->cfa[1] == 's' ? UNWIND_CFA_RSP : UNWIND_CFA_RBP;

		off = atoi(w->cfa + 4);
		if (e->cfa_type != type || e->cfa_off != off) {
			snprintf(why, len, "0x%llx: CFA %s, we have %s%+d",
				 (unsigned long long)w->addr, w->cfa,
				 unwind_cfa_name(e->cfa_type), e->cfa_off);
			return false;
		}
	} else if (!strcmp(w->cfa, "exp")) {
		if (e->cfa_type != UNWIND_CFA_PLT && e->cfa_type != UNWIND_CFA_SIGNAL &&
		    e->cfa_type != UNWIND_CFA_UNSUPPORTED) {
			snprintf(why, len, "0x%llx: CFA expression, we have %s",
				 (unsigned long long)w->addr,
				 unwind_cfa_name(e->cfa_type));
			return false;
		}
		return true;
	} else {
		/* CFA in another register: not followed. */
		if (e->cfa_type == UNWIND_CFA_UNSUPPORTED)
			return true;
		snprintf(why, len, "0x%llx: CFA %s, we have %s",
			 (unsigned long long)w->addr, w->cfa,
			 unwind_cfa_name(e->cfa_type));
		return false;
	}
	/* rbp: readelf shows "u" for a column not (yet) described. */
	if (!w->rbp[0] || !strcmp(w->rbp, "u") || !strcmp(w->rbp, "s")) {
		if (e->rbp_type != UNWIND_RBP_SAME) {
			snprintf(why, len, "0x%llx: rbp unchanged, we have type %d",
				 (unsigned long long)w->addr, e->rbp_type);
			return false;
		}
	} else if (w->rbp[0] == 'c') {
		off = atoi(w->rbp + 1);
		if (e->rbp_type != UNWIND_RBP_SAVED || e->rbp_off != off) {
			snprintf(why, len, "0x%llx: rbp at %s, we have type %d %+d",
				 (unsigned long long)w->addr, w->rbp, e->rbp_type,
				 e->rbp_off);
			return false;
		}
	} else if (e->rbp_type != UNWIND_RBP_UNDEFINED) {
		snprintf(why, len, "0x%llx: rbp %s, we have type %d",
			 (unsigned long long)w->addr, w->rbp, e->rbp_type);
		return false;
	}
	return true;
}

/*
 * Compare every row readelf prints for path with t.  Returns the rows
 * checked; mismatches are printed and counted in *bad.
 */
static size_t compare_with_readelf(const char *path, const struct unwind_table *t,
				   size_t *bad)
{
	char cmd[512], line[4096], why[256];
	struct column_row cols = {}, cie_cols = {};
	/* CIEs by offset: an FDE without rows has its CIE's initial rule. */
	static struct { unsigned long long off; struct want w; } cies[64];
	size_t ncies = 0, ci;
	struct want cur = {};
	unsigned long long fde_cie = 0, off;
	uint64_t lo = 0, hi = 0;
	bool in_cie = false, have_rows = false;
	size_t checked = 0;
	FILE *f;

	*bad = 0;
	snprintf(cmd, sizeof(cmd), "readelf --debug-dump=frames-interp -W '%s' 2>/dev/null",
		 path);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *fl[40];
		unsigned long long a, b;
		int n, k;

		if (sscanf(line, "%llx %*x %*x CIE", &off) == 1 && strstr(line, " CIE")) {
			in_cie = true;
			assert_true(ncies < 64);
			memset(&cies[ncies], 0, sizeof(cies[0]));
			cies[ncies++].off = off;
			continue;
		}
		if (sscanf(line, "%*x %*x %*x FDE cie=%llx pc=%llx..%llx", &off, &a, &b) == 3) {
			/* An FDE without rows of its own: the CIE's initial rule. */
			if (!in_cie && !have_rows && hi > lo) {
				for (ci = 0; ci < ncies && cies[ci].off != fde_cie; ci++)
					;
				assert_true(ci < ncies);
				cur = cies[ci].w;
				cur.addr = lo;
				cur.fde_end = hi;
				checked++;
				if (!agrees(t, &cur, why, sizeof(why))) {
					if ((*bad)++ < 10)
						print_message("%s: %s\n", path, why);
				}
			}
			in_cie = false;
			have_rows = false;
			fde_cie = off;
			lo = a;
			hi = b;
			continue;
		}
		if (strstr(line, "LOC") && strstr(line, "CFA")) {
			char copy[4096];
			struct column_row *c = in_cie ? &cie_cols : &cols;

			snprintf(copy, sizeof(copy), "%s", line);
			n = split(copy, fl, 40);
			c->n = 0;
			for (k = 0; k < n && k < 32; k++)
				snprintf(c->names[c->n++], 16, "%s", fl[k]);
			continue;
		}
		if (strlen(line) < 17 || sscanf(line, "%16llx ", &a) != 1 ||
		    line[16] != ' ')
			continue;
		n = split(line, fl, 40);
		memset(&cur, 0, sizeof(cur));
		cur.addr = a;
		for (k = 1; k < n; k++) {
			const struct column_row *c = in_cie ? &cie_cols : &cols;

			if (k >= c->n)
				break;
			if (!strcmp(c->names[k], "CFA"))
				set_field(cur.cfa, fl[k]);
			else if (!strcmp(c->names[k], "rbp"))
				set_field(cur.rbp, fl[k]);
			else if (!strcmp(c->names[k], "ra"))
				set_field(cur.ra, fl[k]);
		}
		if (in_cie) {
			cies[ncies - 1].w = cur;
			continue;
		}
		have_rows = true;
		if (a >= hi)
			continue;
		cur.fde_end = hi;
		checked++;
		if (!agrees(t, &cur, why, sizeof(why)) && (*bad)++ < 10)
			print_message("%s: %s\n", path, why);
	}
	if (!in_cie && !have_rows && hi > lo) {
		for (ci = 0; ci < ncies && cies[ci].off != fde_cie; ci++)
			;
		assert_true(ci < ncies);
		cur = cies[ci].w;
		cur.addr = lo;
		cur.fde_end = hi;
		checked++;
		if (!agrees(t, &cur, why, sizeof(why)) && (*bad)++ < 10)
			print_message("%s: %s\n", path, why);
	}
	pclose(f);
	return checked;
}

static void check_file(const char *path, size_t min_rows)
{
	struct unwind_table t;
	size_t checked, bad;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0) {
		print_message("%s: %s: skipped\n", path, strerror(errno));
		skip();
	}
	assert_int_equal(unwind_table__build_fd(fd, 0, &t), 0);
	close(fd);
	assert_string_equal(t.section, ".eh_frame");
	checked = compare_with_readelf(path, &t, &bad);
	print_message("%s: %zu rows (%zu FDEs) checked against readelf, %zu differ\n",
		      path, checked, t.fdes, bad);
	assert_true(checked >= min_rows);
	assert_int_equal(bad, 0);
	unwind_table__free(&t);
}

static void test_libc(void **state)
{
	(void)state;
	check_file(LIBC, 20000);
}

static void test_ldso(void **state)
{
	(void)state;
	check_file(LDSO, 1000);
}

static void test_libstdcxx(void **state)
{
	(void)state;
	check_file(LIBSTDCXX, 20000);
}

static void test_fixture(void **state)
{
	(void)state;
	check_file(FIX_NOFP, 10);
}

static void find_fn(const char *path, const char *name, struct elf_func *fn)
{
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	if (elf_find_function(fd, name, fn)) {
		close(fd);
		print_message("%s: no function %s\n", path, name);
		fail();
	}
	close(fd);
}

/* The row at a named function of path (+ delta). */
static const struct unwind_entry *row_at(const struct unwind_table *t,
					 const char *path, const char *name,
					 uint64_t delta)
{
	struct elf_func fn;

	find_fn(path, name, &fn);
	return unwind_table__find(t, fn.vaddr + delta);
}

/* The function at vaddr of path, as the symbolizer names it. */
static const char *name_of(struct symbolizer *s, const char *path, uint64_t vaddr)
{
	struct frame f[SYMBOLIZER_MAX_FRAMES];
	int n = symbolizer__resolve_file(s, path, vaddr, f, SYMBOLIZER_MAX_FRAMES);

	assert_true(n > 0);
	if (!f[n - 1].name) {
		print_message("%s+0x%llx has no name: is libc6-dbg installed?\n", path,
			      (unsigned long long)vaddr);
		fail();
	}
	return f[n - 1].name;
}

/* The bytes at ELF address vaddr of path (through its PT_LOAD segments). */
static void read_code(const char *path, uint64_t vaddr, unsigned char *buf, size_t len)
{
	Elf *elf;
	size_t n, i;
	int fd = open(path, O_RDONLY);
	bool done = false;

	assert_true(fd >= 0);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(elf);
	assert_int_equal(elf_getphdrnum(elf, &n), 0);
	for (i = 0; i < n && !done; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD ||
		    vaddr < ph.p_vaddr || vaddr + len > ph.p_vaddr + ph.p_filesz)
			continue;
		assert_int_equal(pread(fd, buf, len, ph.p_offset + (vaddr - ph.p_vaddr)),
				 (ssize_t)len);
		done = true;
	}
	elf_end(elf);
	close(fd);
	assert_true(done);
}

/* The rows that are not plain rsp/rbp + N. */
static void test_special_rows(void **state)
{
	struct unwind_table t;
	const struct unwind_entry *e;
	struct symbolizer *sym = symbolizer__new(NULL);
	size_t i, plt = 0, sig, stops;
	int fd;

	(void)state;
	assert_non_null(sym);
	fd = open(LIBC, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(unwind_table__build_fd(fd, 0, &t), 0);
	close(fd);

	/* The signal trampoline (__restore_rt, not in .dynsym): one signal
	 * row, from the byte before it (so that pc - 1 of a return address
	 * finds it), then rt_sigreturn: mov $15, %rax; syscall. */
	for (i = 0, sig = 0; i < t.n; i++) {
		static const unsigned char restore_rt[] = {
			0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05,
		};
		unsigned char code[sizeof(restore_rt)];

		if (t.rows[i].cfa_type != UNWIND_CFA_SIGNAL)
			continue;
		sig++;
		read_code(LIBC, t.rows[i].vaddr + 1, code, sizeof(code));
		assert_memory_equal(code, restore_rt, sizeof(code));
	}
	assert_int_equal(sig, 1);

	/* The outermost frames: clone's and clone3's children, past the
	 * syscall (named by libc's debug file, from libc6-dbg). */
	for (i = 0, stops = 0; i < t.n; i++) {
		const char *name;

		if (t.rows[i].cfa_type != UNWIND_CFA_STOP)
			continue;
		stops++;
		name = name_of(sym, LIBC, t.rows[i].vaddr);
		assert_true(!strcmp(name, "__clone3") || !strcmp(name, "clone") ||
			    !strcmp(name, "__clone"));
	}
	assert_int_equal(stops, 2);

	/* The lazy-binding PLT: rsp + 8 until the push, + 16 after. */
	for (i = 0; i < t.n; i++) {
		if (t.rows[i].cfa_type != UNWIND_CFA_PLT)
			continue;
		plt++;
		assert_int_equal(t.rows[i].cfa_off, 8);
		assert_int_equal(t.rows[i].rbp_off, 11);
	}
	assert_int_equal(plt, 1);

	/* Sorted, and neighbours differ. */
	for (i = 1; i < t.n; i++) {
		assert_true(t.rows[i - 1].vaddr < t.rows[i].vaddr);
		assert_false(t.rows[i - 1].cfa_type == t.rows[i].cfa_type &&
			     t.rows[i - 1].cfa_off == t.rows[i].cfa_off &&
			     t.rows[i - 1].rbp_type == t.rows[i].rbp_type &&
			     t.rows[i - 1].rbp_off == t.rows[i].rbp_off);
	}
	unwind_table__free(&t);

	/* An executable's _start: the return address is undefined. */
	fd = open(FIX_NOFP, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(unwind_table__build_fd(fd, 0, &t), 0);
	close(fd);
	e = row_at(&t, FIX_NOFP, "_start", 0);
	assert_non_null(e);
	assert_int_equal(e->cfa_type, UNWIND_CFA_STOP);
	unwind_table__free(&t);
	symbolizer__free(sym);
}

/* CFI only in .debug_frame, in a separate debug file (as a build made
 * without asynchronous unwind tables ships): the table comes from there,
 * and agrees with readelf's reading of that file. */
static void test_debug_frame(void **state)
{
	struct unwind_table t;
	char cmd[512], dbg[512] = "";
	size_t checked, bad;
	Elf *elf, *delf;
	FILE *f;
	int fd, dfd;

	(void)state;
	snprintf(cmd, sizeof(cmd), "find %s/dbgframe-root -name '*.debug'", FIXTURE_DIR);
	f = popen(cmd, "r");
	assert_non_null(f);
	assert_non_null(fgets(dbg, sizeof(dbg), f));
	pclose(f);
	dbg[strcspn(dbg, "\n")] = '\0';

	fd = open(FIXTURE_DIR "/unwind_dbgframe", O_RDONLY);
	assert_true(fd >= 0);
	/* Alone, the file has no CFI. */
	assert_int_equal(unwind_table__build_fd(fd, 0, &t), -ENOENT);
	dfd = open(dbg, O_RDONLY);
	assert_true(dfd >= 0);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	delf = elf_begin(dfd, ELF_C_READ, NULL);
	assert_non_null(elf);
	assert_non_null(delf);
	assert_int_equal(unwind_table__build(elf, delf, 0, &t), 0);
	assert_string_equal(t.section, ".debug_frame");
	checked = compare_with_readelf(dbg, &t, &bad);
	print_message("%s: %zu rows (%zu FDEs) checked against readelf, %zu differ\n",
		      dbg, checked, t.fdes, bad);
	assert_true(checked >= 10);
	assert_int_equal(bad, 0);
	unwind_table__free(&t);
	elf_end(elf);
	elf_end(delf);
	close(fd);
	close(dfd);
}

/* No CFI at all, and not ELF. */
static void test_no_cfi(void **state)
{
	struct unwind_table t;
	int fd;

	(void)state;
	fd = open(FIXTURE_DIR "/unwind_nocfi", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(unwind_table__build_fd(fd, 0, &t), -ENOENT);
	assert_int_equal(t.n, 0);
	close(fd);
	fd = open(TESTDATA_DIR "/maps_sample.txt", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(unwind_table__build_fd(fd, 0, &t), -EINVAL);
	close(fd);
}

/* A ceiling on rows is an error, not a silently short table. */
static void test_max_rows(void **state)
{
	struct unwind_table t;
	int fd;

	(void)state;
	fd = open(LIBC, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(unwind_table__build_fd(fd, 100, &t), -E2BIG);
	assert_int_equal(t.n, 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libc),
		cmocka_unit_test(test_ldso),
		cmocka_unit_test(test_libstdcxx),
		cmocka_unit_test(test_fixture),
		cmocka_unit_test(test_special_rows),
		cmocka_unit_test(test_debug_frame),
		cmocka_unit_test(test_no_cfi),
		cmocka_unit_test(test_max_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
