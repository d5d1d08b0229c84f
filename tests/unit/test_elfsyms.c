// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * elfsyms on the fixtures built from tests/unit/fixtures/fix.c.  Every
 * expected address, segment and build-id comes from readelf (binutils), not
 * from libelf, so the two readings check each other.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "symbols/elfsyms.h"

#define FIX_PIE		FIXTURE_DIR "/fix_pie"
#define FIX_NOPIE	FIXTURE_DIR "/fix_nopie"
#define FIX_LIB		FIXTURE_DIR "/libfix.so"
#define FIX_STRIPPED	FIXTURE_DIR "/fix_stripped"

/* ---- what readelf says ------------------------------------------------- */

struct rsym {
	uint64_t value, size;
	bool func;	/* STT_FUNC or STT_GNU_IFUNC */
	bool defined;	/* Ndx is a section, not UND/ABS */
	bool dynsym;	/* listed in .dynsym (else .symtab) */
	char name[256];
};

struct rsyms {
	struct rsym *v;
	size_t n;
};

struct rseg {
	uint64_t offset, vaddr, filesz;
	bool exec;
};

struct rsection {
	char name[64];
	uint64_t addr, size;
};

static FILE *run(const char *fmt, const char *path)
{
	char cmd[1024];
	FILE *f;

	snprintf(cmd, sizeof(cmd), fmt, path);
	f = popen(cmd, "r");
	assert_non_null(f);
	return f;
}

static void read_syms(const char *path, struct rsyms *out)
{
	FILE *f = run("readelf -sW '%s'", path);
	char line[1024];
	bool dyn = false;
	size_t cap = 0;

	out->v = NULL;
	out->n = 0;
	while (fgets(line, sizeof(line), f)) {
		char size[32], type[32], bind[32], vis[32], ndx[32], name[256];
		unsigned long long value;
		struct rsym *s;

		if (!strncmp(line, "Symbol table '", 14)) {
			dyn = !strncmp(line + 14, ".dynsym'", 8);
			continue;
		}
		name[0] = '\0';
		if (sscanf(line, " %*u: %llx %31s %31s %31s %31s %31s %255s", &value,
			   size, type, bind, vis, ndx, name) < 6)
			continue;
		if (out->n == cap) {
			struct rsym *v;

			cap = cap ? cap * 2 : 64;
			v = realloc(out->v, cap * sizeof(*v));
			assert_non_null(v);
			out->v = v;
		}
		s = &out->v[out->n++];
		memset(s, 0, sizeof(*s));
		s->value = value;
		s->size = strtoull(size, NULL, 0);
		s->func = !strcmp(type, "FUNC") || !strcmp(type, "IFUNC");
		s->defined = strcmp(ndx, "UND") && strcmp(ndx, "ABS");
		s->dynsym = dyn;
		snprintf(s->name, sizeof(s->name), "%s", name);
	}
	assert_int_equal(pclose(f), 0);
}

/* The .symtab entry (else .dynsym entry) of a defined function. */
static const struct rsym *find_rsym(const struct rsyms *r, const char *name)
{
	const struct rsym *dyn = NULL;
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (!r->v[i].func || !r->v[i].defined || strcmp(r->v[i].name, name))
			continue;
		if (!r->v[i].dynsym)
			return &r->v[i];
		dyn = &r->v[i];
	}
	return dyn;
}

/* Symbols the table should hold: defined functions at a non-zero address,
 * one per address. */
static size_t distinct_func_addrs(const struct rsyms *r)
{
	size_t i, j, n = 0;

	for (i = 0; i < r->n; i++) {
		bool seen = false;

		if (!r->v[i].func || !r->v[i].defined || !r->v[i].value)
			continue;
		for (j = 0; j < i && !seen; j++)
			seen = r->v[j].func && r->v[j].defined &&
			       r->v[j].value == r->v[i].value;
		n += !seen;
	}
	return n;
}

static size_t read_segments(const char *path, struct rseg *segs, size_t max)
{
	FILE *f = run("readelf -lW '%s'", path);
	char line[1024];
	size_t n = 0;

	while (fgets(line, sizeof(line), f)) {
		unsigned long long off, vaddr, paddr, filesz, memsz;
		char flags[8] = "";

		if (sscanf(line, " LOAD %llx %llx %llx %llx %llx %7[RWE ]", &off,
			   &vaddr, &paddr, &filesz, &memsz, flags) < 5)
			continue;
		assert_true(n < max);
		segs[n].offset = off;
		segs[n].vaddr = vaddr;
		segs[n].filesz = filesz;
		segs[n].exec = strchr(flags, 'E') != NULL;
		n++;
	}
	assert_int_equal(pclose(f), 0);
	return n;
}

static void read_section(const char *path, const char *name,
			 struct rsection *out)
{
	FILE *f = run("readelf -SW '%s'", path);
	char line[1024];
	bool found = false;

	while (fgets(line, sizeof(line), f)) {
		const char *p = strchr(line, ']');
		struct rsection s;
		unsigned long long addr, off, size;
		char type[32];

		if (!p || sscanf(p + 1, " %63s %31s %llx %llx %llx", s.name, type,
				 &addr, &off, &size) != 5)
			continue;
		if (strcmp(s.name, name))
			continue;
		s.addr = addr;
		s.size = size;
		*out = s;
		found = true;
	}
	assert_int_equal(pclose(f), 0);
	assert_true(found);
}

static void read_build_id_text(const char *path, char *out, size_t len)
{
	FILE *f = run("readelf -n '%s'", path);
	char line[1024];

	out[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, "Build ID: ");

		if (p) {
			snprintf(out, len, "%s", p + strlen("Build ID: "));
			out[strcspn(out, "\n")] = '\0';
		}
	}
	assert_int_equal(pclose(f), 0);
}

/* ---- helpers ------------------------------------------------------------ */

static struct elf_symtab *open_ok(const char *path)
{
	struct elf_symtab *t = elf_symtab__open(path);

	if (!t)
		fail_msg("elf_symtab__open(%s): %s", path, strerror(errno));
	return t;
}

static void expect_hit(const struct elf_symtab *t, uint64_t vaddr,
		       const char *name, uint64_t offset)
{
	struct elf_sym_hit hit = { NULL, 0 };

	if (!elf_symtab__lookup(t, vaddr, &hit))
		fail_msg("no symbol at 0x%" PRIx64 ", expected %s+0x%" PRIx64,
			 vaddr, name, offset);
	assert_string_equal(hit.name, name);
	assert_int_equal(hit.offset, offset);
}

static void expect_miss(const struct elf_symtab *t, uint64_t vaddr)
{
	struct elf_sym_hit hit = { NULL, 0 };

	if (elf_symtab__lookup(t, vaddr, &hit))
		fail_msg("0x%" PRIx64 " resolved to %s+0x%" PRIx64
			 ", expected no symbol", vaddr, hit.name, hit.offset);
}

/* First byte, an inner byte and the last byte of a sized function. */
static void expect_function(const struct elf_symtab *t, const struct rsyms *r,
			    const char *name)
{
	const struct rsym *s = find_rsym(r, name);

	if (!s)
		fail_msg("readelf lists no function %s", name);
	assert_true(s->size > 2);
	expect_hit(t, s->value, name, 0);
	expect_hit(t, s->value + s->size / 2, name, s->size / 2);
	expect_hit(t, s->value + s->size - 1, name, s->size - 1);
}

/* Every defined function readelf lists resolves to itself at its start. */
static void expect_all_functions(const struct elf_symtab *t,
				 const struct rsyms *r)
{
	size_t i, j, checked = 0;

	for (i = 0; i < r->n; i++) {
		const struct rsym *s = &r->v[i];
		struct elf_sym_hit hit;
		bool alias = false;

		if (!s->func || !s->defined || !s->value)
			continue;
		assert_true(elf_symtab__lookup(t, s->value, &hit));
		assert_int_equal(hit.offset, 0);
		for (j = 0; j < r->n; j++)
			alias |= j != i && r->v[j].func && r->v[j].defined &&
				 r->v[j].value == s->value &&
				 strcmp(r->v[j].name, s->name);
		if (!alias)
			assert_string_equal(hit.name, s->name);
		checked++;
	}
	assert_true(checked > 0);
}

/*
 * Addresses no function covers: just past the end of a sized function when
 * the next symbol starts later (alignment padding).  Returns how many such
 * gaps were checked.
 */
static size_t expect_gaps_miss(const struct elf_symtab *t, const struct rsyms *r)
{
	size_t i, j, gaps = 0;

	for (i = 0; i < r->n; i++) {
		const struct rsym *s = &r->v[i];
		uint64_t end = s->value + s->size;
		bool covered = false;

		if (!s->func || !s->defined || !s->value || !s->size)
			continue;
		/* Skip when another symbol of any kind starts at or covers end:
		 * an unsized one may legitimately run over the gap. */
		for (j = 0; j < r->n && !covered; j++) {
			const struct rsym *o = &r->v[j];

			if (!o->defined || !o->value || !o->func)
				continue;
			covered = o->value == end ||
				  (o->value < end && o->value > s->value) ||
				  (o->value < end && end < o->value + o->size);
		}
		if (covered)
			continue;
		expect_miss(t, end);
		gaps++;
	}
	return gaps;
}

/* ---- tests ---------------------------------------------------------------- */

static void check_executable(const char *path)
{
	struct elf_symtab *t = open_ok(path);
	struct rsyms r;

	read_syms(path, &r);
	assert_true(elf_symtab__has_symtab(t));
	assert_int_equal(elf_symtab__count(t), distinct_func_addrs(&r));
	expect_function(t, &r, "fix_static_work");
	expect_function(t, &r, "fix_exported_alpha");
	expect_function(t, &r, "fix_exported_beta");
	expect_function(t, &r, "main");
	expect_all_functions(t, &r);
	assert_true(expect_gaps_miss(t, &r) > 0);
	free(r.v);
	elf_symtab__free(t);
}

static void test_pie_names(void **state)
{
	(void)state;
	check_executable(FIX_PIE);
}

static void test_nopie_names(void **state)
{
	(void)state;
	check_executable(FIX_NOPIE);
}

static void test_shared_library(void **state)
{
	struct elf_symtab *t = open_ok(FIX_LIB);
	const struct rsym *alpha;
	struct rsyms r;
	size_t i;
	bool in_dynsym = false;

	(void)state;
	read_syms(FIX_LIB, &r);
	/* The library exports these: both tables list them. */
	for (i = 0; i < r.n; i++)
		in_dynsym |= r.v[i].dynsym && !strcmp(r.v[i].name, "fix_exported_alpha");
	assert_true(in_dynsym);
	assert_true(elf_symtab__has_symtab(t));
	/* .symtab and .dynsym merge into one entry per address. */
	assert_int_equal(elf_symtab__count(t), distinct_func_addrs(&r));
	expect_function(t, &r, "fix_static_work");
	expect_function(t, &r, "fix_exported_alpha");
	expect_function(t, &r, "fix_exported_beta");
	expect_all_functions(t, &r);
	/* No main in a library built with -DFIX_LIBRARY. */
	assert_null(find_rsym(&r, "main"));
	alpha = find_rsym(&r, "fix_exported_alpha");
	assert_non_null(alpha);
	/* A shared object is linked at 0. */
	assert_true(alpha->value < 0x100000);
	free(r.v);
	elf_symtab__free(t);
}

static void test_outside_functions(void **state)
{
	static const char *const files[] = { FIX_PIE, FIX_NOPIE, FIX_LIB };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct elf_symtab *t = open_ok(files[i]);
		struct rsection rodata, init, plt;

		/* The first section of the read-only segment behind .fini. */
		read_section(files[i], ".eh_frame_hdr", &rodata);
		read_section(files[i], ".init", &init);
		read_section(files[i], ".plt", &plt);
		/* Below the first function, and far above the last. */
		expect_miss(t, 0);
		expect_miss(t, 1);
		expect_miss(t, init.addr - 1);
		expect_miss(t, UINT64_MAX);
		/* Read-only data after .fini: the unsized _fini, the last
		 * function, must not swallow it. */
		expect_miss(t, rodata.addr);
		expect_miss(t, rodata.addr + rodata.size - 1);
		/* _init is unsized: it runs to the end of .init, not into the
		 * PLT stubs behind it. */
		expect_hit(t, init.addr, "_init", 0);
		expect_hit(t, init.addr + init.size - 1, "_init", init.size - 1);
		expect_miss(t, plt.addr);
		elf_symtab__free(t);
	}
}

static void check_segments(const char *path, bool pie)
{
	struct elf_symtab *t = open_ok(path);
	struct rseg segs[16];
	size_t n = read_segments(path, segs, 16), i, nexec = 0;
	struct rsyms r;
	uint64_t vaddr;

	assert_true(n >= 2);
	for (i = 0; i < n; i++) {
		const struct rseg *s = &segs[i];

		assert_true(elf_symtab__offset_to_vaddr(t, s->offset, &vaddr));
		assert_int_equal(vaddr, s->vaddr);
		assert_true(elf_symtab__offset_to_vaddr(t, s->offset + s->filesz - 1,
							&vaddr));
		assert_int_equal(vaddr, s->vaddr + s->filesz - 1);
		if (!s->exec)
			continue;
		nexec++;
		/* PIE: file offsets map to low addresses; non-PIE: to the
		 * classic 0x400000 base. */
		if (pie) {
			assert_true(s->vaddr < 0x100000);
		} else {
			assert_true(s->vaddr >= 0x400000);
			assert_true(s->vaddr < 0x1000000);
		}
		/* The end of the code segment is in no segment when the next
		 * one starts on a later page (it does with -z separate-code). */
		if (i + 1 < n && segs[i + 1].offset > s->offset + s->filesz)
			assert_false(elf_symtab__offset_to_vaddr(
				t, s->offset + s->filesz, &vaddr));
	}
	assert_int_equal(nexec, 1);
	if (pie)
		assert_int_equal(segs[0].vaddr, 0);
	else
		assert_int_equal(segs[0].vaddr, 0x400000);

	/* Far past the end of the file. */
	assert_false(elf_symtab__offset_to_vaddr(t, 0x40000000, &vaddr));

	/* The symbolizer's path: file offset of a function -> vaddr -> name. */
	read_syms(path, &r);
	for (i = 0; i < n; i++) {
		const struct rsym *s = find_rsym(&r, "fix_exported_beta");
		uint64_t off;

		assert_non_null(s);
		if (s->value < segs[i].vaddr ||
		    s->value >= segs[i].vaddr + segs[i].filesz)
			continue;
		off = s->value - segs[i].vaddr + segs[i].offset + 7;
		if (!pie)
			assert_true(off < 0x400000);
		assert_true(elf_symtab__offset_to_vaddr(t, off, &vaddr));
		assert_int_equal(vaddr, s->value + 7);
		expect_hit(t, vaddr, "fix_exported_beta", 7);
	}
	free(r.v);
	elf_symtab__free(t);
}

static void test_offset_to_vaddr_pie(void **state)
{
	(void)state;
	check_segments(FIX_PIE, true);
	check_segments(FIX_LIB, true);
}

static void test_offset_to_vaddr_nopie(void **state)
{
	(void)state;
	check_segments(FIX_NOPIE, false);
}

static void test_build_id(void **state)
{
	static const char *const files[] = {
		FIX_PIE, FIX_NOPIE, FIX_LIB, FIX_STRIPPED,
	};
	char want[256], pie_id[256] = "";
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct elf_symtab *t = open_ok(files[i]);
		const char *id = elf_symtab__build_id(t);
		char cheap[2 * 64 + 1];
		int fd;

		read_build_id_text(files[i], want, sizeof(want));
		assert_int_equal(strlen(want), 40);	/* ld's default sha1 */
		assert_string_equal(id, want);
		if (i == 0)
			snprintf(pie_id, sizeof(pie_id), "%s", id);

		/* The cheap reader agrees, and says when the buffer is short. */
		fd = open(files[i], O_RDONLY | O_CLOEXEC);
		assert_true(fd >= 0);
		assert_int_equal(elf_read_build_id(fd, cheap, sizeof(cheap)), 0);
		assert_string_equal(cheap, want);
		assert_true(elf_read_build_id(fd, cheap, 40) < 0);
		close(fd);
		elf_symtab__free(t);
	}
	/* strip keeps the notes: the stripped copy names its origin. */
	read_build_id_text(FIX_STRIPPED, want, sizeof(want));
	assert_string_equal(want, pie_id);
}

static void test_stripped(void **state)
{
	struct elf_symtab *t = open_ok(FIX_STRIPPED);
	struct rsyms full, dyn;
	const struct rsym *s;
	size_t i, dyn_funcs = 0;

	(void)state;
	read_syms(FIX_PIE, &full);
	read_syms(FIX_STRIPPED, &dyn);
	assert_false(elf_symtab__has_symtab(t));

	/* Only .dynsym is left; a PIE linked without -rdynamic exports no
	 * function of its own there, only imports (UND). */
	for (i = 0; i < dyn.n; i++) {
		assert_true(dyn.v[i].dynsym);
		dyn_funcs += dyn.v[i].func && dyn.v[i].defined && dyn.v[i].value;
	}
	assert_int_equal(elf_symtab__count(t), dyn_funcs);
	assert_int_equal(dyn_funcs, 0);
	assert_non_null(find_rsym(&full, "fix_static_work"));
	assert_null(find_rsym(&dyn, "fix_exported_alpha"));

	/* The same addresses that name functions in the unstripped file
	 * name nothing here. */
	s = find_rsym(&full, "fix_static_work");
	expect_miss(t, s->value);
	s = find_rsym(&full, "fix_exported_alpha");
	expect_miss(t, s->value);
	s = find_rsym(&full, "main");
	expect_miss(t, s->value + 1);
	free(full.v);
	free(dyn.v);
	elf_symtab__free(t);
}

/* A stripped shared library keeps its exports in .dynsym: those still
 * resolve, its static function does not. */
static void test_stripped_library(void **state)
{
	char path[] = "/tmp/test_elfsyms_libXXXXXX";
	char cmd[512];
	struct elf_symtab *t;
	struct rsyms full, dyn;
	const struct rsym *alpha, *beta, *local;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "strip -o '%s' '%s'", path, FIX_LIB);
	assert_int_equal(system(cmd), 0);

	read_syms(FIX_LIB, &full);
	read_syms(path, &dyn);
	t = open_ok(path);
	assert_false(elf_symtab__has_symtab(t));
	assert_int_equal(elf_symtab__count(t), distinct_func_addrs(&dyn));
	assert_int_equal(elf_symtab__count(t), 2);

	alpha = find_rsym(&dyn, "fix_exported_alpha");
	beta = find_rsym(&dyn, "fix_exported_beta");
	assert_non_null(alpha);
	assert_non_null(beta);
	assert_true(alpha->dynsym);
	/* Same addresses as the unstripped library. */
	assert_int_equal(alpha->value, find_rsym(&full, "fix_exported_alpha")->value);
	expect_function(t, &dyn, "fix_exported_alpha");
	expect_function(t, &dyn, "fix_exported_beta");

	local = find_rsym(&full, "fix_static_work");
	assert_non_null(local);
	assert_null(find_rsym(&dyn, "fix_static_work"));
	expect_miss(t, local->value);
	expect_miss(t, local->value + local->size - 1);

	elf_symtab__free(t);
	free(full.v);
	free(dyn.v);
	unlink(path);
}

static void test_not_elf(void **state)
{
	char path[] = "/tmp/test_elfsyms_txtXXXXXX";
	static const char text[] = "this is a plain text file, not ELF\n";
	char bid[129];
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), sizeof(text) - 1);

	errno = 0;
	assert_null(elf_symtab__open(path));
	assert_int_not_equal(errno, 0);
	errno = 0;
	assert_null(elf_symtab__open_fd(fd));
	assert_int_not_equal(errno, 0);
	/* The fd stays open and usable for the caller. */
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(elf_read_build_id(fd, bid, sizeof(bid)), -EINVAL);
	close(fd);
	unlink(path);

	/* Not there at all, and empty. */
	errno = 0;
	assert_null(elf_symtab__open(FIXTURE_DIR "/no-such-file"));
	assert_int_equal(errno, ENOENT);
	assert_null(elf_symtab__open("/dev/null"));
	/* A directory. */
	assert_null(elf_symtab__open(TESTDATA_DIR));
}

/* Go code is recognised by the Go linker's sections (fix_go: fix_pie with a
 * .go.buildinfo added, as every Go binary since Go 1.13 has). */
static void test_is_go(void **state)
{
	int fd;

	(void)state;
	fd = open(FIXTURE_DIR "/fix_go", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(elf_is_go(fd), 1);
	close(fd);
	fd = open(FIX_PIE, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(elf_is_go(fd), 0);
	close(fd);
	fd = open(TESTDATA_DIR "/maps_sample.txt", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(elf_is_go(fd), -EINVAL);
	close(fd);
}

/* The vDSO path: symbols from an ELF image already in memory. */
static void test_from_memory(void **state)
{
	struct elf_symtab *t;
	struct rsyms r;
	struct stat st;
	char *image;
	Elf *elf;
	FILE *f;

	(void)state;
	f = fopen(FIX_LIB, "rb");
	assert_non_null(f);
	assert_int_equal(fstat(fileno(f), &st), 0);
	image = malloc(st.st_size);
	assert_non_null(image);
	assert_int_equal(fread(image, 1, st.st_size, f), st.st_size);
	fclose(f);

	assert_int_not_equal(elf_version(EV_CURRENT), EV_NONE);
	elf = elf_memory(image, st.st_size);
	assert_non_null(elf);
	t = elf_symtab__from_elf(elf);
	assert_non_null(t);
	/* The handle stays the caller's and the table outlives it. */
	elf_end(elf);
	free(image);

	read_syms(FIX_LIB, &r);
	assert_int_equal(elf_symtab__count(t), distinct_func_addrs(&r));
	expect_function(t, &r, "fix_static_work");
	expect_function(t, &r, "fix_exported_beta");
	free(r.v);
	elf_symtab__free(t);

	/* Bytes that are not ELF. */
	elf = elf_memory((char *)"not an ELF image at all", 23);
	if (elf) {
		assert_null(elf_symtab__from_elf(elf));
		elf_end(elf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pie_names),
		cmocka_unit_test(test_nopie_names),
		cmocka_unit_test(test_shared_library),
		cmocka_unit_test(test_outside_functions),
		cmocka_unit_test(test_offset_to_vaddr_pie),
		cmocka_unit_test(test_offset_to_vaddr_nopie),
		cmocka_unit_test(test_build_id),
		cmocka_unit_test(test_stripped),
		cmocka_unit_test(test_stripped_library),
		cmocka_unit_test(test_not_elf),
		cmocka_unit_test(test_from_memory),
		cmocka_unit_test(test_is_go),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
