/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What libdwfl finds beyond an ELF file's own symbol table: a separate debug
 * file (by build-id under .build-id/, or by .gnu_debuglink), MiniDebugInfo
 * (.gnu_debugdata), and DWARF for source lines and inlined frames.
 *
 * Inline chains are looked up in an index built once per compilation unit
 * (the CU's subprogram and inlined-subroutine ranges flattened into disjoint
 * segments), not with dwarf_getscopes() per address, which walks the CU's DIE
 * tree every time.
 */
#ifndef PROFILER_DEBUGINFO_H
#define PROFILER_DEBUGINFO_H

#include <stdbool.h>
#include <stdint.h>

struct debuginfo;
struct elf_symtab;

/* One source-level frame of an address, innermost first. */
struct src_frame {
	const char *name;	/* function; NULL: use the ELF symbol */
	const char *file;	/* source file, NULL if unknown */
	unsigned int line;	/* 0 if unknown */
	bool inlined;		/* inlined into the next frame */
};

/*
 * Open the debug information for the ELF file on fd (dup'ed: the caller
 * keeps fd).  path names the file for .gnu_debuglink searches (its directory
 * and .debug/ next to it).  search_path is libdwfl's debuginfo path, e.g.
 * ":.debug:/usr/lib/debug:/extra/dir"; NULL for the default.  NULL on error.
 */
struct debuginfo *debuginfo__open(int fd, const char *path,
				  const char *search_path);
void debuginfo__free(struct debuginfo *d);

/*
 * Add to t the function symbols libdwfl found outside the file's own
 * .dynsym: those of a separate debug file or of MiniDebugInfo.  Returns how
 * many were added (then call elf_symtab__reindex), or -errno.
 */
int debuginfo__add_symbols(struct debuginfo *d, struct elf_symtab *t);

/*
 * Source frames for an ELF virtual address: the source line of vaddr and,
 * if inlines is set, one frame per inlined call around it, innermost first;
 * the last one is the real (out-of-line) function.  Returns the number of
 * frames written (0: no DWARF covers vaddr).
 */
int debuginfo__lookup(struct debuginfo *d, uint64_t vaddr, bool inlines,
		      struct src_frame *out, int max);

/* The file libdwfl read DWARF from, or NULL. */
const char *debuginfo__debug_file(struct debuginfo *d);
/* That file's ELF handle (for its .debug_frame), owned by d; NULL if none. */
typedef struct Elf Elf;
Elf *debuginfo__dwarf_elf(struct debuginfo *d);

#endif
