/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Unwind tables: an ELF file's call frame information (.eh_frame, or
 * .debug_frame) as rows sorted by address, each the rule for the CFA, rbp
 * and the return address from its address to the next row's (each FDE's
 * program run once; libdw lists the FDEs), reduced to the cases the BPF
 * unwinder follows
 * (include/unwind.h).  Identical neighbours are merged; addresses no FDE
 * covers get an UNWIND_CFA_NONE row, except alignment padding (gaps under
 * 16 bytes), which keeps the row before it.
 */
#ifndef PROFILER_UNWIND_TABLE_H
#define PROFILER_UNWIND_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unwind.h"

typedef struct Elf Elf;

struct unwind_entry {
	uint64_t vaddr;		/* ELF virtual address the row starts at */
	int32_t cfa_off;
	int16_t rbp_off;
	uint8_t cfa_type;	/* enum unwind_cfa */
	uint8_t rbp_type;	/* enum unwind_rbp */
};

struct unwind_table {
	struct unwind_entry *rows;	/* sorted by vaddr, neighbours differ */
	size_t n, cap;
	size_t fdes;			/* FDEs read */
	const char *section;		/* ".eh_frame", ".debug_frame" or NULL */
	/* Rows by kind before merging, for -v and the docs. */
	size_t by_cfa[UNWIND_CFA_NONE + 1];
};

/*
 * Build the table of elf from its .eh_frame (else its .debug_frame; else
 * the .debug_frame of debug_elf, a separate debug file, if given).  0;
 * -ENOENT when no CFI was found (t is then empty); -ENOMEM; -EINVAL for
 * CFI too broken to read.  Rows at most max_rows (0: no limit): -E2BIG
 * beyond.
 */
int unwind_table__build(Elf *elf, Elf *debug_elf, size_t max_rows,
			struct unwind_table *t);
/* The same from a file descriptor (the caller keeps fd). */
int unwind_table__build_fd(int fd, size_t max_rows, struct unwind_table *t);
void unwind_table__free(struct unwind_table *t);

/* The row in force at vaddr, or NULL below the first row. */
const struct unwind_entry *unwind_table__find(const struct unwind_table *t,
					      uint64_t vaddr);

/* "rsp+16", "rbp+16", "plt", "signal", "stop", "unsupported", "none". */
const char *unwind_cfa_name(unsigned int type);

#endif
