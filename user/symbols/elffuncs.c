// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/array.h"
#include "symbols/demangle.h"
#include "lib/hashmap.h"
#include "symbols/elffuncs.h"
#include "lib/textsafe.h"

/* An executable section: where code bytes of a function are in the file. */
struct code_scn {
	uint64_t addr, size, offset;
};

struct elf_funcs {
	struct elf_fn *fns;
	size_t n, cap;
	struct code_scn *scns;
	size_t nscns;
	int fd;
	bool go;	/* holds Go code: no return probes (elf_is_go) */
	bool go_regabi;	/* Go 1.17+: has NAME.abi0 symbols */
	struct u64map *by_name;	/* hash(name) -> index + 1 of its first entry */
};

/* Version definitions (.gnu.version_d) by index, names in the ELF. */
struct verdefs {
	const char **names;
	size_t n;
};

static int add_fn(struct elf_funcs *t, char *name, uint64_t vaddr,
		  uint64_t size, bool ifunc)
{
	struct elf_fn *f;

	if (GROW(t->fns, t->n, t->cap))
		return -ENOMEM;
	f = &t->fns[t->n++];
	memset(f, 0, sizeof(*f));
	f->name = name;
	f->vaddr = vaddr;
	f->size = size;
	f->ifunc = ifunc;
	return 0;
}

static int read_verdefs(Elf *elf, struct verdefs *vd)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *data;
		GElf_Verdef d;
		GElf_Verdaux a;
		size_t off = 0, k;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_GNU_verdef)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			return 0;
		/* sh_info: number of definitions; indexes are small. */
		for (k = 0; k < sh.sh_info && gelf_getverdef(data, off, &d); k++) {
			if (d.vd_ndx >= vd->n) {
				size_t n = d.vd_ndx + 1;
				const char **v = realloc(vd->names, n * sizeof(*v));

				if (!v)
					return -ENOMEM;
				memset(v + vd->n, 0, (n - vd->n) * sizeof(*v));
				vd->names = v;
				vd->n = n;
			}
			if (gelf_getverdaux(data, off + d.vd_aux, &a))
				vd->names[d.vd_ndx] = elf_strptr(elf, sh.sh_link,
								 a.vda_name);
			if (!d.vd_next)
				break;
			off += d.vd_next;
		}
		return 0;
	}
	return 0;
}

static Elf_Data *versym_data(Elf *elf)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_GNU_versym)
			return elf_getdata(scn, NULL);
	return NULL;
}

/*
 * The name a symbol is known by: .symtab spells versions into names
 * ("memcpy@@GLIBC_2.14"), .dynsym keeps them in .gnu.version.  Either
 * way the default version becomes the plain name and another one stays
 * as "name@VERSION", as nm prints them.
 */
static char *symbol_name(const char *raw, bool dynamic, Elf_Data *versym,
			 size_t i, const struct verdefs *vd)
{
	const char *at = strstr(raw, "@@");
	GElf_Versym v;
	char *name;

	if (!dynamic)
		return at ? strndup(raw, at - raw) : strdup(raw);
	if (versym && gelf_getversym(versym, i, &v) && (v & 0x8000) &&
	    (size_t)(v & 0x7fff) < vd->n && (v & 0x7fff) > 1 &&
	    vd->names[v & 0x7fff]) {
		if (asprintf(&name, "%s@%s", raw, vd->names[v & 0x7fff]) < 0)
			return NULL;
		return name;
	}
	return strdup(raw);
}

static int read_table(struct elf_funcs *t, Elf *elf, Elf_Scn *scn,
		      const GElf_Shdr *sh, const struct verdefs *vd)
{
	bool dynamic = sh->sh_type == SHT_DYNSYM;
	Elf_Data *data = elf_getdata(scn, NULL);
	Elf_Data *versym = dynamic ? versym_data(elf) : NULL;
	size_t i, n;

	if (!data || !sh->sh_entsize)
		return 0;
	n = sh->sh_size / sh->sh_entsize;
	for (i = 0; i < n; i++) {
		const char *raw;
		GElf_Sym s;
		char *name;
		int type;

		if (!gelf_getsym(data, i, &s))
			continue;
		type = GELF_ST_TYPE(s.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) ||
		    s.st_shndx == SHN_UNDEF || !s.st_value)
			continue;
		raw = elf_strptr(elf, sh->sh_link, s.st_name);
		if (!raw || !*raw)
			continue;
		name = symbol_name(raw, dynamic, versym, i, vd);
		if (!name)
			return -ENOMEM;
		/* Names go to the terminal: a hostile file's control
		 * characters are escaped once, here (no pattern has any). */
		if (text_unsafe(name)) {
			char *safe = text_safe_dup(name);

			free(name);
			if (!safe)
				return -ENOMEM;
			name = safe;
		}
		if (add_fn(t, name, s.st_value, s.st_size, type == STT_GNU_IFUNC)) {
			free(name);
			return -ENOMEM;
		}
	}
	return 0;
}

static int read_sections(struct elf_funcs *t, Elf *elf)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t n = 0;

	while ((scn = elf_nextscn(elf, scn)))
		n++;
	t->scns = calloc(n ? n : 1, sizeof(*t->scns));
	if (!t->scns)
		return -ENOMEM;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(sh.sh_flags & SHF_EXECINSTR))
			continue;
		t->scns[t->nscns].addr = sh.sh_addr;
		t->scns[t->nscns].size = sh.sh_size;
		t->scns[t->nscns].offset = sh.sh_offset;
		t->nscns++;
	}
	return 0;
}

static int cmp_fn(const void *a, const void *b)
{
	const struct elf_fn *x = a, *y = b;

	if (x->vaddr != y->vaddr)
		return x->vaddr < y->vaddr ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Sort, and keep one entry per (address, name): .symtab and .dynsym both
 * list exported functions. */
static void dedupe(struct elf_funcs *t)
{
	size_t i, out = 0;

	if (!t->n)
		return;
	qsort(t->fns, t->n, sizeof(*t->fns), cmp_fn);
	for (i = 0; i < t->n; i++) {
		if (out && !cmp_fn(&t->fns[out - 1], &t->fns[i])) {
			/* A size from either table will do; keep one. */
			if (!t->fns[out - 1].size)
				t->fns[out - 1].size = t->fns[i].size;
			free((char *)t->fns[i].name);
			continue;
		}
		t->fns[out++] = t->fns[i];
	}
	t->n = out;
}

static int read_elf(struct elf_funcs *t, Elf *elf, bool demangle_names)
{
	struct verdefs vd = {};
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t i;
	int err;

	err = read_verdefs(elf, &vd);
	if (err)
		goto out;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) ||
		    (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM))
			continue;
		err = read_table(t, elf, scn, &sh, &vd);
		if (err)
			goto out;
	}
	err = read_sections(t, elf);
	if (err)
		goto out;
	dedupe(t);
	for (i = 0; demangle_names && i < t->n; i++)
		if (demangle_is_mangled(t->fns[i].name))
			/* NULL (not demangleable, or no memory) keeps the raw name. */
			t->fns[i].demangled = demangle(t->fns[i].name);
	for (i = 0; i < t->n; i++) {
		char *safe;

		if (!t->fns[i].demangled || !text_unsafe(t->fns[i].demangled))
			continue;
		safe = text_safe_dup(t->fns[i].demangled);
		free((char *)t->fns[i].demangled);
		t->fns[i].demangled = safe;
	}
out:
	free(vd.names);
	return err;
}

struct elf_funcs *elf_funcs__open(const char *path, bool demangle_names)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return NULL;
	return elf_funcs__open_fd(fd, demangle_names);
}

static uint64_t name_hash(const char *name)
{
	return hash_bytes(HASH_SEED, name, strlen(name));
}

/* elf_funcs__find by hash, not a scan: lat looks up a ".cold" part for
 * every C++ function it times (thousands, in files of 100,000 symbols). */
static int index_names(struct elf_funcs *t)
{
	uint64_t v;
	size_t i;

	t->by_name = u64map__new();
	if (!t->by_name)
		return -ENOMEM;
	for (i = 0; i < t->n; i++) {
		uint64_t h = name_hash(t->fns[i].name);

		if (!u64map__get(t->by_name, h, &v) && u64map__set(t->by_name, h, i + 1))
			return -ENOMEM;
	}
	return 0;
}

struct elf_funcs *elf_funcs__open_fd(int fd, bool demangle_names)
{
	struct elf_funcs *t;
	Elf *elf = NULL;
	int err;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		close(fd);
		return NULL;
	}
	t->fd = fd;
	elf = elf_begin(t->fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		err = -EINVAL;
		goto fail;
	}
	err = read_elf(t, elf, demangle_names);
	if (err)
		goto fail;
	err = index_names(t);
	if (err)
		goto fail;
	elf_end(elf);
	t->go = elf_is_go(t->fd) == 1;
	if (t->go) {
		size_t i, l;

		for (i = 0; i < t->n && !t->go_regabi; i++) {
			l = strlen(t->fns[i].name);
			t->go_regabi = l > 5 && !strcmp(t->fns[i].name + l - 5, ".abi0");
		}
	}
	return t;
fail:
	if (elf)
		elf_end(elf);
	elf_funcs__free(t);
	errno = -err;
	return NULL;
}

void elf_funcs__free(struct elf_funcs *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++) {
		free((char *)t->fns[i].name);
		free((char *)t->fns[i].demangled);
	}
	free(t->fns);
	free(t->scns);
	u64map__free(t->by_name);
	if (t->fd >= 0)
		close(t->fd);
	free(t);
}

int elf_funcs__fd(const struct elf_funcs *t)
{
	return t->fd;
}

bool elf_funcs__is_go(const struct elf_funcs *t)
{
	return t->go;
}

bool elf_funcs__go_regabi(const struct elf_funcs *t)
{
	return t->go_regabi;
}

size_t elf_funcs__count(const struct elf_funcs *t)
{
	return t->n;
}

const struct elf_fn *elf_funcs__get(const struct elf_funcs *t, size_t i)
{
	return i < t->n ? &t->fns[i] : NULL;
}

int elf_funcs__code(const struct elf_funcs *t, const struct elf_fn *fn,
		    struct elf_func *out)
{
	size_t i, len;
	ssize_t got;

	memset(out, 0, sizeof(*out));
	out->vaddr = fn->vaddr;
	out->size = fn->size;
	out->ifunc = fn->ifunc;
	for (i = 0; i < t->nscns; i++) {
		const struct code_scn *s = &t->scns[i];

		if (fn->vaddr < s->addr || fn->vaddr >= s->addr + s->size)
			continue;
		out->offset = fn->vaddr - s->addr + s->offset;
		len = s->addr + s->size - fn->vaddr;
		if (len > sizeof(out->code))
			len = sizeof(out->code);
		got = pread(t->fd, out->code, len, out->offset);
		out->code_len = got > 0 ? (size_t)got : 0;
		return 0;
	}
	return -ENOENT;
}

int elf_funcs__body(const struct elf_funcs *t, const struct elf_fn *fn,
		    uint8_t **code, size_t *len)
{
	const struct code_scn *s = NULL;
	size_t i, got = 0;
	ssize_t n;
	uint8_t *buf;

	*code = NULL;
	*len = 0;
	for (i = 0; i < t->nscns && !s; i++)
		if (fn->vaddr >= t->scns[i].addr &&
		    fn->vaddr < t->scns[i].addr + t->scns[i].size)
			s = &t->scns[i];
	if (!s)
		return -ENOENT;
	if (fn->size == 0 || fn->size > s->addr + s->size - fn->vaddr)
		return -ENOENT;
	if (fn->size > ELF_FUNCS_MAX_BODY)
		return -E2BIG;
	buf = malloc(fn->size);
	if (!buf)
		return -ENOMEM;
	while (got < fn->size) {
		n = pread(t->fd, buf + got, fn->size - got,
			  (off_t)(fn->vaddr - s->addr + s->offset + got));
		if (n <= 0) {
			free(buf);
			return -EIO;
		}
		got += (size_t)n;
	}
	*code = buf;
	*len = got;
	return 0;
}

const struct elf_fn *elf_funcs__find(const struct elf_funcs *t, const char *name)
{
	uint64_t v;
	size_t i;

	if (!u64map__get(t->by_name, name_hash(name), &v))
		return NULL;
	if (!strcmp(t->fns[v - 1].name, name))
		return &t->fns[v - 1];
	/* Two names with one hash: the first entry may be either. */
	for (i = 0; i < t->n; i++)
		if (!strcmp(t->fns[i].name, name))
			return &t->fns[i];
	return NULL;
}
