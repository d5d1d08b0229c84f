// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <gelf.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/elfsyms.h"
#include "symbols/minidebug.h"

/*
 * Run the decoder over in: into out (len bytes) if out is not NULL, else
 * into a scratch block, counting.  The size decoded, or -errno (-E2BIG past
 * cap).
 */
static long long decode(const void *in, size_t in_len, size_t cap, uint8_t *out,
			size_t len)
{
	lzma_stream strm = LZMA_STREAM_INIT;
	static uint8_t scratch[65536];
	size_t total = 0;
	lzma_ret r;

	/* The decoder's own memory is bounded as well. */
	if (lzma_stream_decoder(&strm, 128u << 20, 0) != LZMA_OK)
		return -ENOMEM;
	strm.next_in = in;
	strm.avail_in = in_len;
	for (;;) {
		if (out) {
			strm.next_out = out + total;
			strm.avail_out = len - total;
		} else {
			strm.next_out = scratch;
			strm.avail_out = sizeof(scratch);
		}
		r = lzma_code(&strm, LZMA_FINISH);
		total += out ? (len - total) - strm.avail_out :
			       sizeof(scratch) - strm.avail_out;
		if (r == LZMA_STREAM_END)
			break;
		if (total > cap || (out && r == LZMA_BUF_ERROR && total == len)) {
			lzma_end(&strm);
			return -E2BIG;
		}
		if (r == LZMA_MEMLIMIT_ERROR || r == LZMA_MEM_ERROR) {
			lzma_end(&strm);
			return -ENOMEM;
		}
		if (r != LZMA_OK) {
			lzma_end(&strm);
			return -EINVAL;
		}
	}
	lzma_end(&strm);
	return total > cap ? -E2BIG : (long long)total;
}

int xz_decompress_bounded(const void *in, size_t in_len, size_t cap,
			  void **out, size_t *out_len)
{
	long long n, m;
	uint8_t *buf;

	*out = NULL;
	*out_len = 0;
	/* Count first (no memory but a scratch block), then decode into a
	 * buffer of exactly that size: never more than cap held. */
	n = decode(in, in_len, cap, NULL, 0);
	if (n < 0)
		return (int)n;
	buf = malloc(n ? (size_t)n : 1);
	if (!buf)
		return -ENOMEM;
	m = decode(in, in_len, (size_t)n, buf, (size_t)n);
	if (m != n) {
		free(buf);
		return m < 0 ? (int)m : -EINVAL;
	}
	*out = buf;
	*out_len = (size_t)n;
	return 0;
}

static Elf_Scn *section_named(Elf *elf, const char *name)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *n;

		if (gelf_getshdr(scn, &sh) && sh.sh_type != SHT_NOBITS &&
		    (n = elf_strptr(elf, shstrndx, sh.sh_name)) && !strcmp(n, name))
			return scn;
	}
	return NULL;
}

/* The FUNC symbols of the (in-memory) ELF mini into t. */
static int add_from(Elf *mini, struct elf_symtab *t)
{
	Elf_Scn *scn = NULL;
	int added = 0;

	while ((scn = elf_nextscn(mini, scn))) {
		Elf_Data *data;
		GElf_Shdr sh;
		size_t i, n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB ||
		    !sh.sh_entsize || !(data = elf_getdata(scn, NULL)))
			continue;
		n = data->d_size / sh.sh_entsize;
		for (i = 1; i < n; i++) {
			GElf_Sym sym;
			const char *name;
			int type;

			if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF ||
			    !sym.st_value || !sym.st_size)
				continue;
			type = GELF_ST_TYPE(sym.st_info);
			if (type != STT_FUNC && type != STT_GNU_IFUNC)
				continue;
			name = elf_strptr(mini, sh.sh_link, sym.st_name);
			if (!name || !*name)
				continue;
			if (elf_symtab__add(t, sym.st_value, sym.st_size, name))
				return -ENOMEM;
			added++;
		}
	}
	return added;
}

int minidebug_add_symbols(Elf *elf, struct elf_symtab *t)
{
	Elf_Scn *scn = section_named(elf, ".gnu_debugdata");
	Elf_Data *data;
	void *raw;
	size_t len;
	Elf *mini;
	int err;

	if (!scn || !(data = elf_rawdata(scn, NULL)) || !data->d_size)
		return 0;
	err = xz_decompress_bounded(data->d_buf, data->d_size, MINIDEBUG_MAX_BYTES,
				    &raw, &len);
	if (err)
		return err;
	mini = elf_memory(raw, len);
	if (!mini || elf_kind(mini) != ELF_K_ELF) {
		if (mini)
			elf_end(mini);
		free(raw);
		return -EINVAL;
	}
	err = add_from(mini, t);
	elf_end(mini);
	free(raw);
	return err;
}
