/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The function symbols of one ELF file, read once with libelf and kept as an
 * address-sorted table so that each lookup is a binary search (libdw's own
 * per-address lookup scans the whole table).
 */
#ifndef PROFILER_ELFSYMS_H
#define PROFILER_ELFSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elf_symtab;

struct elf_sym_hit {
	const char *name;	/* owned by the table */
	uint64_t offset;	/* address - symbol start */
	size_t index;		/* the symbol's, below elf_symtab__count() */
};

/*
 * Read the symbols of the ELF file open on fd (the fd stays the caller's).
 * .symtab and .dynsym are merged; NULL with errno set if fd is not ELF.
 */
struct elf_symtab *elf_symtab__open_fd(int fd);
struct elf_symtab *elf_symtab__open(const char *path);
/* Read from an ELF handle the caller keeps (e.g. elf_memory() of the vDSO). */
typedef struct Elf Elf;
struct elf_symtab *elf_symtab__from_elf(Elf *elf);
void elf_symtab__free(struct elf_symtab *t);

/*
 * Translate a file offset (from a mapping's pgoff) into the ELF virtual
 * address that symbols use; false when no PT_LOAD segment holds it.
 */
bool elf_symtab__offset_to_vaddr(const struct elf_symtab *t, uint64_t off,
				 uint64_t *vaddr);
/* The function containing vaddr; false when none does. */
bool elf_symtab__lookup(const struct elf_symtab *t, uint64_t vaddr,
			struct elf_sym_hit *hit);

/* Only the build-id (hex) of the ELF file open on fd: cheap, no symbols
 * read.  0, or -ENOENT when it has none, -EINVAL when not ELF. */
int elf_read_build_id(int fd, char *out, size_t len);

/* Add a function symbol found elsewhere (a separate debug file); symbols
 * of the file itself win at equal addresses.  0 or -ENOMEM.  Lookups are
 * valid again after elf_symtab__reindex(). */
int elf_symtab__add(struct elf_symtab *t, uint64_t addr, uint64_t size,
		    const char *name);
void elf_symtab__reindex(struct elf_symtab *t);

/*
 * Whether the ELF file open on fd holds Go code (the Go linker's
 * .go.buildinfo, .gopclntab or .note.go.buildid sections).  Return probes
 * must never be placed in it: the Go runtime copies goroutine stacks to grow
 * them and dies on the return trampoline's address ("unknown caller pc").
 * 1, 0, or -EINVAL when fd is not ELF.
 */
int elf_is_go(int fd);

/* A function found by name, for placing probes. */
struct elf_func {
	uint64_t vaddr;		/* ELF virtual address */
	uint64_t size;
	uint64_t offset;	/* file offset (what uprobes attach to) */
	bool ifunc;		/* STT_GNU_IFUNC: the address is a resolver */
	unsigned char code[256];	/* its first bytes */
	size_t code_len;
};

/*
 * Find a defined function symbol by exact name in .symtab or .dynsym of the
 * ELF file open on fd.  0, -ENOENT if absent (or not in an executable
 * section), -EINVAL if not ELF.
 */
int elf_find_function(int fd, const char *name, struct elf_func *out);
/*
 * The same for n names in one pass over the symbols: found[k] says whether
 * names[k] was found (then out[k] is filled).  0, or -EINVAL if not ELF.
 */
int elf_find_functions(int fd, const char *const *names, size_t n,
		       struct elf_func *out, bool *found);

size_t elf_symtab__count(const struct elf_symtab *t);
/* Hex build-id ("" if the file has none). */
const char *elf_symtab__build_id(const struct elf_symtab *t);
/* True when the file had a .symtab (is not stripped). */
bool elf_symtab__has_symtab(const struct elf_symtab *t);

#endif
