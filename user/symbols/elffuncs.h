/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Every function an ELF file defines, as a list to match name patterns
 * against and to place probes from: the function symbols of .symtab and
 * .dynsym merged, with symbol versions and demangled names.  (elfsyms.h is
 * the address-to-name side: one name per address, no versions.)
 */
#ifndef PROFILER_ELFFUNCS_H
#define PROFILER_ELFFUNCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "symbols/elfsyms.h"

struct elf_fn {
	/* The symbol; a non-default symbol version stays in the name as
	 * "realpath@GLIBC_2.2.5" (the default version is the plain name). */
	const char *name;
	const char *demangled;	/* C++/Rust, readable; NULL if not mangled */
	uint64_t vaddr;
	uint64_t size;
	bool ifunc;		/* STT_GNU_IFUNC: vaddr is a resolver */
};

struct elf_funcs;

/*
 * Read the functions of the ELF file at path; demangle: fill in
 * demangled.  NULL with errno set (EINVAL: not ELF).  The file stays open
 * until elf_funcs__free, for elf_funcs__code.
 */
struct elf_funcs *elf_funcs__open(const char *path, bool demangle);
/* The same from an open fd, which the table takes over (closed on error
 * too). */
struct elf_funcs *elf_funcs__open_fd(int fd, bool demangle);
void elf_funcs__free(struct elf_funcs *t);
/* The file's descriptor, open as long as t. */
int elf_funcs__fd(const struct elf_funcs *t);

/* The file holds Go code (elf_is_go): never place return probes in it. */
bool elf_funcs__is_go(const struct elf_funcs *t);
/*
 * Go code built with the register ABI (Go 1.17 and later, which name their
 * assembly functions "NAME.abi0"): in its functions r14 holds the running
 * goroutine (g).
 */
bool elf_funcs__go_regabi(const struct elf_funcs *t);

/* Functions sorted by address, then name; aliases (one address, several
 * names) are neighbours.  A name appears once per address. */
size_t elf_funcs__count(const struct elf_funcs *t);
const struct elf_fn *elf_funcs__get(const struct elf_funcs *t, size_t i);

/*
 * What probe_place() needs of fn: its file offset and first code bytes.
 * 0, or -ENOENT when no executable section holds it.
 */
int elf_funcs__code(const struct elf_funcs *t, const struct elf_fn *fn,
		    struct elf_func *out);

/* The function named name (the first, if several), or NULL. */
const struct elf_fn *elf_funcs__find(const struct elf_funcs *t, const char *name);

/* Longest function elf_funcs__body() reads. */
#define ELF_FUNCS_MAX_BODY	(1u << 20)

/*
 * All of fn's code (its symbol size, which must lie in one executable
 * section and be at most ELF_FUNCS_MAX_BODY), into *code (malloc'd, the
 * caller frees), *len bytes.  0, -ENOENT (no executable section holds it),
 * -E2BIG, -EIO, -ENOMEM.
 */
int elf_funcs__body(const struct elf_funcs *t, const struct elf_fn *fn,
		    uint8_t **code, size_t *len);

#endif
