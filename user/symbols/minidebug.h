/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * MiniDebugInfo: the function symbols a stripped file keeps as an
 * xz-compressed ELF in its .gnu_debugdata section (Fedora, RHEL).  The
 * section comes from the target, so it is decompressed with a ceiling: an
 * xz stream of 156 KB can hold 1 GiB of zeros.
 */
#ifndef PROFILER_MINIDEBUG_H
#define PROFILER_MINIDEBUG_H

#include <stddef.h>

typedef struct Elf Elf;
struct elf_symtab;

/* Decompressed MiniDebugInfo larger than this is ignored (real ones are
 * under a few MiB: symbols only). */
#define MINIDEBUG_MAX_BYTES	(16u << 20)

/*
 * Decompress the xz stream in[0..in_len) into a new buffer (*out, *out_len;
 * free it) of at most cap bytes.  0; -E2BIG when it would be larger;
 * -EINVAL when it is not a valid xz stream; -ENOMEM.
 */
int xz_decompress_bounded(const void *in, size_t in_len, size_t cap,
			  void **out, size_t *out_len);

/*
 * Add the function symbols of elf's .gnu_debugdata to t (then call
 * elf_symtab__reindex).  How many were added (0 without MiniDebugInfo),
 * or -errno: -E2BIG over MINIDEBUG_MAX_BYTES, -EINVAL malformed.
 */
int minidebug_add_symbols(Elf *elf, struct elf_symtab *t);

#endif
