// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ELF files a target maps, read for names and for probes: the symbol
 * table reader, the function list, the build-id, the Go check, and
 * MiniDebugInfo (.gnu_debugdata, decompressed with a ceiling).
 */
#include <gelf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "symbols/elffuncs.h"
#include "symbols/elfsyms.h"
#include "symbols/minidebug.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_symtab *t;
	struct elf_funcs *fns;
	struct elf_sym_hit hit;
	char bid[129];
	int fd;

	fd = memfd_create("fuzz", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	elf_read_build_id(fd, bid, sizeof(bid));
	elf_is_go(fd);
	t = elf_symtab__open_fd(fd);
	if (t) {
		uint64_t v;
		Elf *elf;

		elf_symtab__lookup(t, 0x1000, &hit);
		if (elf_symtab__offset_to_vaddr(t, 0x1000, &v))
			elf_symtab__lookup(t, v, &hit);
		elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
		if (elf && elf_kind(elf) == ELF_K_ELF &&
		    minidebug_add_symbols(elf, t) > 0)
			elf_symtab__reindex(t);
		if (elf)
			elf_end(elf);
		elf_symtab__free(t);
	}
	fns = elf_funcs__open_fd(dup(fd), true);
	if (fns) {
		size_t i, n = elf_funcs__count(fns);
		struct elf_func ef;

		for (i = 0; i < n && i < 64; i++)
			elf_funcs__code(fns, elf_funcs__get(fns, i), &ef);
		elf_funcs__free(fns);
	}
	close(fd);
	return 0;
}
