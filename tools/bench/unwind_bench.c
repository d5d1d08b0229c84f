// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unwind table build: time to build the table of each FILE from its CFI
 * (best of REPS), its rows, the kernel memory they take (12 bytes a row;
 * page index entries at PAGE_BYTES each), and the file's executable text,
 * for the memory per MiB of text.  One line per file:
 *
 *   FILE text_bytes rows fdes build_ms table_bytes
 *
 *   unwind_bench REPS FILE...
 */
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "symbols/unwind_table.h"

/* As user/modes/unwinder.c counts a page index entry. */
#define PAGE_BYTES	72

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Bytes of executable sections. */
static uint64_t text_bytes(int fd)
{
	Elf_Scn *scn = NULL;
	uint64_t n = 0;
	Elf *elf;

	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf)
		return 0;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) && (sh.sh_flags & SHF_EXECINSTR) &&
		    sh.sh_type == SHT_PROGBITS)
			n += sh.sh_size;
	}
	elf_end(elf);
	return n;
}

int main(int argc, char **argv)
{
	int reps, i, r;

	if (argc < 3 || (reps = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: unwind_bench REPS FILE...\n");
		return 2;
	}
	elf_version(EV_CURRENT);
	for (i = 2; i < argc; i++) {
		struct unwind_table t = {};
		double best = 0;
		uint64_t text, pages;
		int fd = open(argv[i], O_RDONLY);

		if (fd < 0) {
			perror(argv[i]);
			continue;
		}
		text = text_bytes(fd);
		for (r = 0; r < reps; r++) {
			double t0 = now_ms(), dt;

			unwind_table__free(&t);
			if (unwind_table__build_fd(fd, 0, &t)) {
				fprintf(stderr, "%s: no table\n", argv[i]);
				break;
			}
			dt = now_ms() - t0;
			if (!r || dt < best)
				best = dt;
		}
		pages = t.n ? ((t.rows[t.n - 1].vaddr - t.rows[0].vaddr) >> UNWIND_PAGE_SHIFT) + 1 : 0;
		printf("%s %llu %zu %zu %.1f %llu\n", argv[i], (unsigned long long)text,
		       t.n, t.fdes, best,
		       (unsigned long long)(t.n * sizeof(struct unwind_row) + pages * PAGE_BYTES));
		unwind_table__free(&t);
		close(fd);
	}
	return 0;
}
