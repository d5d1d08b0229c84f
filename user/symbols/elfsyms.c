// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/array.h"
#include "symbols/elfsyms.h"

struct sym {
	uint64_t addr;
	uint64_t size;
	uint32_t name;	/* offset into names */
	uint32_t rank;	/* lower wins among symbols at one address */
	bool unsized;	/* st_size was 0: size is a bound, not a fact */
};

struct segment {
	uint64_t offset, vaddr, filesz;
};

struct elf_symtab {
	struct sym *syms;
	size_t nsyms, cap;
	char *names;
	size_t names_len, names_cap;
	struct segment *segs;
	size_t nsegs;
	bool has_symtab;
	char build_id[2 * 64 + 1];
};

static int add_name(struct elf_symtab *t, const char *s, uint32_t *off)
{
	size_t n = strlen(s) + 1;

	if (t->names_len + n > t->names_cap) {
		size_t cap = t->names_cap ? t->names_cap * 2 : 4096;
		char *p;

		while (cap < t->names_len + n)
			cap *= 2;
		if (cap > UINT32_MAX)
			return -E2BIG;
		p = realloc(t->names, cap);
		if (!p)
			return -ENOMEM;
		t->names = p;
		t->names_cap = cap;
	}
	memcpy(t->names + t->names_len, s, n);
	*off = t->names_len;
	t->names_len += n;
	return 0;
}

static int add_sym(struct elf_symtab *t, uint64_t addr, uint64_t size,
		   bool unsized, const char *name, uint32_t rank)
{
	struct sym *s;

	if (GROW(t->syms, t->nsyms, t->cap))
		return -ENOMEM;
	s = &t->syms[t->nsyms];
	s->addr = addr;
	s->size = size;
	s->rank = rank;
	s->unsized = unsized;
	if (add_name(t, name, &s->name))
		return -ENOMEM;
	t->nsyms++;
	return 0;
}

static int read_symbols(struct elf_symtab *t, Elf *elf, Elf_Scn *scn,
			GElf_Shdr *sh, uint32_t rank)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t i, n;

	if (!data || sh->sh_entsize == 0)
		return 0;
	n = sh->sh_size / sh->sh_entsize;
	for (i = 0; i < n; i++) {
		GElf_Sym sym;
		const char *name;
		uint64_t size;
		int type;

		if (!gelf_getsym(data, i, &sym))
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		if (type != STT_FUNC && type != STT_GNU_IFUNC)
			continue;
		if (sym.st_shndx == SHN_UNDEF || sym.st_value == 0)
			continue;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		size = sym.st_size;
		if (size == 0) {
			/* Assembly often leaves the size out: let the symbol
			 * run to the end of its section at most (index_symbols
			 * cuts it at the next symbol). */
			Elf_Scn *home = elf_getscn(elf, sym.st_shndx);
			GElf_Shdr hs;

			if (!home || !gelf_getshdr(home, &hs) ||
			    sym.st_value < hs.sh_addr ||
			    sym.st_value >= hs.sh_addr + hs.sh_size)
				continue;
			size = hs.sh_addr + hs.sh_size - sym.st_value;
		}
		if (add_sym(t, sym.st_value, size, sym.st_size == 0, name, rank))
			return -ENOMEM;
	}
	return 0;
}

static void read_build_id(char *out, Elf *elf)
{
	static const char hex[] = "0123456789abcdef";
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *data;
		size_t off = 0, name_off, desc_off;
		GElf_Nhdr nh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		while ((off = gelf_getnote(data, off, &nh, &name_off, &desc_off))) {
			const unsigned char *d = (const unsigned char *)data->d_buf + desc_off;
			size_t i;

			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
			    memcmp((char *)data->d_buf + name_off, "GNU", 4) ||
			    nh.n_descsz == 0 || nh.n_descsz > 64)
				continue;
			for (i = 0; i < nh.n_descsz; i++) {
				out[2 * i] = hex[d[i] >> 4];
				out[2 * i + 1] = hex[d[i] & 15];
			}
			out[2 * nh.n_descsz] = '\0';
			return;
		}
	}
}

static int cmp_sym(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* Prefer a sized symbol, then .symtab over .dynsym, then file order. */
	if (x->unsized != y->unsized)
		return x->unsized ? 1 : -1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return 0;
}

/* Sort by address and keep one symbol per address. */
static void index_symbols(struct elf_symtab *t)
{
	size_t i, out = 0;

	/* A stripped executable may have no functions: syms is NULL then,
	 * and qsort's base must not be. */
	if (!t->nsyms)
		return;
	qsort(t->syms, t->nsyms, sizeof(*t->syms), cmp_sym);
	for (i = 0; i < t->nsyms; i++) {
		if (out && t->syms[out - 1].addr == t->syms[i].addr)
			continue;
		t->syms[out++] = t->syms[i];
	}
	t->nsyms = out;
	for (i = 0; i + 1 < t->nsyms; i++) {
		struct sym *s = &t->syms[i];

		if (s->unsized && s->addr + s->size > t->syms[i + 1].addr)
			s->size = t->syms[i + 1].addr - s->addr;
	}
}

struct elf_symtab *elf_symtab__open_fd(int fd)
{
	struct elf_symtab *t;
	Elf *elf;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		errno = EINVAL;
		return NULL;
	}
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf) {
		errno = EINVAL;
		return NULL;
	}
	t = elf_symtab__from_elf(elf);
	elf_end(elf);
	return t;
}

struct elf_symtab *elf_symtab__from_elf(Elf *elf)
{
	struct elf_symtab *t = NULL;
	Elf_Scn *scn = NULL;
	size_t i, nph;
	uint32_t rank = 0;
	int err = -EINVAL;

	if (elf_kind(elf) != ELF_K_ELF)
		goto out;
	t = calloc(1, sizeof(*t));
	if (!t) {
		err = -ENOMEM;
		goto out;
	}
	if (elf_getphdrnum(elf, &nph))
		goto out;
	t->segs = calloc(nph ? nph : 1, sizeof(*t->segs));
	if (!t->segs) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		t->segs[t->nsegs].offset = ph.p_offset;
		t->segs[t->nsegs].vaddr = ph.p_vaddr;
		t->segs[t->nsegs].filesz = ph.p_filesz;
		t->nsegs++;
	}
	/* .symtab first (rank 0): it names static functions too. */
	for (int pass = 0; pass < 2; pass++) {
		Elf32_Word want = pass == 0 ? SHT_SYMTAB : SHT_DYNSYM;

		scn = NULL;
		while ((scn = elf_nextscn(elf, scn))) {
			GElf_Shdr sh;

			if (!gelf_getshdr(scn, &sh) || sh.sh_type != want)
				continue;
			if (want == SHT_SYMTAB)
				t->has_symtab = true;
			err = read_symbols(t, elf, scn, &sh, rank++);
			if (err)
				goto out;
		}
	}
	read_build_id(t->build_id, elf);
	index_symbols(t);
	err = 0;
out:
	if (err) {
		elf_symtab__free(t);
		errno = -err;
		return NULL;
	}
	return t;
}

struct elf_symtab *elf_symtab__open(const char *path)
{
	struct elf_symtab *t;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int saved;

	if (fd < 0)
		return NULL;
	t = elf_symtab__open_fd(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return t;
}

void elf_symtab__free(struct elf_symtab *t)
{
	if (!t)
		return;
	free(t->syms);
	free(t->names);
	free(t->segs);
	free(t);
}

bool elf_symtab__offset_to_vaddr(const struct elf_symtab *t, uint64_t off,
				 uint64_t *vaddr)
{
	size_t i;

	for (i = 0; i < t->nsegs; i++) {
		const struct segment *s = &t->segs[i];

		if (off >= s->offset && off < s->offset + s->filesz) {
			*vaddr = off - s->offset + s->vaddr;
			return true;
		}
	}
	return false;
}

bool elf_symtab__lookup(const struct elf_symtab *t, uint64_t vaddr,
			struct elf_sym_hit *hit)
{
	size_t lo = 0, hi = t->nsyms;
	const struct sym *s;

	/* Last symbol starting at or below vaddr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->syms[mid].addr <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return false;
	s = &t->syms[lo - 1];
	if (vaddr >= s->addr + s->size)
		return false;
	hit->name = t->names + s->name;
	hit->offset = vaddr - s->addr;
	hit->index = lo - 1;
	return true;
}

size_t elf_symtab__count(const struct elf_symtab *t)
{
	return t->nsyms;
}

const char *elf_symtab__build_id(const struct elf_symtab *t)
{
	return t->build_id;
}

bool elf_symtab__has_symtab(const struct elf_symtab *t)
{
	return t->has_symtab;
}

int elf_is_go(int fd)
{
	static const char *const go_sections[] = {
		".go.buildinfo", ".gopclntab", ".note.go.buildid",
	};
	Elf_Scn *scn = NULL;
	size_t shstrndx, i;
	int go = 0;
	Elf *elf;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		if (elf)
			elf_end(elf);
		return -EINVAL;
	}
	if (elf_getshdrstrndx(elf, &shstrndx) == 0) {
		while (!go && (scn = elf_nextscn(elf, scn))) {
			GElf_Shdr sh;
			const char *name;

			if (!gelf_getshdr(scn, &sh) ||
			    !(name = elf_strptr(elf, shstrndx, sh.sh_name)))
				continue;
			for (i = 0; i < sizeof(go_sections) / sizeof(go_sections[0]); i++)
				if (!strcmp(name, go_sections[i]))
					go = 1;
		}
	}
	elf_end(elf);
	return go;
}

int elf_read_build_id(int fd, char *out, size_t len)
{
	char bid[2 * 64 + 1] = "";
	Elf *elf;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf)
		return -EINVAL;
	/* libelf opens any file; one that is not ELF is -EINVAL as promised,
	 * not "has no build-id". */
	if (elf_kind(elf) != ELF_K_ELF) {
		elf_end(elf);
		return -EINVAL;
	}
	read_build_id(bid, elf);
	elf_end(elf);
	if (!bid[0] || strlen(bid) >= len)
		return -ENOENT;
	strcpy(out, bid);
	return 0;
}

int elf_symtab__add(struct elf_symtab *t, uint64_t addr, uint64_t size,
		    const char *name)
{
	/* Ranked after the file's own tables: those win at equal addresses. */
	return add_sym(t, addr, size, size == 0, name, UINT32_MAX);
}

void elf_symtab__reindex(struct elf_symtab *t)
{
	index_symbols(t);
}

/* Where f's code is in the file, and its first bytes: from the
 * executable section holding it.  0, or -ENOENT if none does. */
static int locate_function(Elf *elf, struct elf_func *f)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *data;
		size_t off, len;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(sh.sh_flags & SHF_EXECINSTR) || f->vaddr < sh.sh_addr ||
		    f->vaddr >= sh.sh_addr + sh.sh_size)
			continue;
		f->offset = f->vaddr - sh.sh_addr + sh.sh_offset;
		data = elf_getdata(scn, NULL);
		off = f->vaddr - sh.sh_addr;
		len = 0;
		if (data && data->d_buf && off < data->d_size) {
			len = data->d_size - off;
			if (len > sizeof(f->code))
				len = sizeof(f->code);
			memcpy(f->code, (char *)data->d_buf + off, len);
		}
		f->code_len = len;
		return 0;
	}
	return -ENOENT;
}

int elf_find_functions(int fd, const char *const *names, size_t n,
		       struct elf_func *out, bool *found)
{
	Elf_Scn *scn = NULL;
	size_t left = n, k;
	Elf *elf;

	for (k = 0; k < n; k++)
		found[k] = false;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		if (elf)
			elf_end(elf);
		return -EINVAL;
	}
	/* One pass over the symbols for all the names: a library's tables
	 * hold thousands of them, and a caller looking for ten functions
	 * under four prefixes in each of dozens of libraries must not read
	 * every table forty times. */
	while (left && (scn = elf_nextscn(elf, scn))) {
		Elf_Data *data;
		GElf_Shdr sh;
		size_t i, cnt;

		if (!gelf_getshdr(scn, &sh) ||
		    (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
		    !sh.sh_entsize || !(data = elf_getdata(scn, NULL)))
			continue;
		cnt = sh.sh_size / sh.sh_entsize;
		for (i = 0; left && i < cnt; i++) {
			GElf_Sym sym;
			const char *s;
			int type;

			if (!gelf_getsym(data, i, &sym) || sym.st_shndx == SHN_UNDEF ||
			    !sym.st_value)
				continue;
			type = GELF_ST_TYPE(sym.st_info);
			if (type != STT_FUNC && type != STT_GNU_IFUNC)
				continue;
			s = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (!s)
				continue;
			/* The first definition of a name wins, as it would
			 * one name at a time. */
			for (k = 0; k < n; k++) {
				if (found[k] || s[0] != names[k][0] ||
				    strcmp(s, names[k]))
					continue;
				out[k].vaddr = sym.st_value;
				out[k].size = sym.st_size;
				out[k].ifunc = type == STT_GNU_IFUNC;
				found[k] = true;
				left--;
			}
		}
	}
	for (k = 0; k < n; k++)
		if (found[k] && locate_function(elf, &out[k]))
			found[k] = false;
	elf_end(elf);
	return 0;
}

int elf_find_function(int fd, const char *name, struct elf_func *out)
{
	bool found;
	int err = elf_find_functions(fd, &name, 1, out, &found);

	if (err)
		return err;
	return found ? 0 : -ENOENT;
}
