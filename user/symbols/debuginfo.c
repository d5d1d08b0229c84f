// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "lib/array.h"
#include "symbols/debuginfo.h"
#include "symbols/elfsyms.h"
#include "symbols/targetfs.h"
#include "lib/log.h"
#include "symbols/minidebug.h"

/* A function or inlined call in a CU: one node of the inline tree. */
struct node {
	const char *name;	/* linkage name if any, else DW_AT_name */
	const char *call_file;	/* where an inlined call sits in its caller */
	unsigned int call_line;
	int32_t parent;		/* the caller it was inlined into; -1: none */
	bool inlined;
};

/* [lo, hi) of DWARF addresses whose innermost function is node. */
struct segment {
	uint64_t lo, hi;
	int32_t node;
};

struct cu_index {
	bool built;
	struct node *nodes;
	size_t nnodes, nodes_cap;
	struct segment *segs;
	size_t nsegs;
};

/* The address range of one CU: many CUs have several. */
struct cu_range {
	uint64_t lo, hi;	/* DWARF addresses */
	uint32_t cu;		/* index into debuginfo.cu */
};

struct debuginfo {
	Dwfl_Callbacks callbacks;	/* libdwfl keeps a pointer to it */
	char *search_path;
	Dwfl *dwfl;
	Dwfl_Module *mod;
	Dwarf_Addr bias;		/* dwfl address = ELF vaddr + bias */
	Dwarf_Addr dwbias;		/* dwfl address = DWARF address + dwbias */
	bool dwarf_tried;
	Dwarf *dwarf;
	/*
	 * Our own address -> CU table: libdw 0.188 finds CUs only through
	 * .debug_aranges, which clang does not emit by default.
	 */
	Dwarf_Die *cudies;
	struct cu_index *cu;		/* per CU, built on first use */
	size_t ncu;
	struct cu_range *ranges;
	size_t nranges;
};

/* The hex build-id of the ELF file on fd equals want (len bytes)? */
static bool same_build_id(int fd, const unsigned char *want, int len)
{
	char hex[2 * 64 + 1], have[2 * 64 + 1];
	int i;

	if (len <= 0 || len > 64 || elf_read_build_id(fd, have, sizeof(have)))
		return false;
	for (i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", want[i]);
	return !strcmp(hex, have);
}

/* The CRC-32 of the whole file on fd is crc (as .gnu_debuglink says)? */
static bool same_crc(int fd, GElf_Word crc)
{
	unsigned char buf[65536];
	uLong c = crc32(0, NULL, 0);
	off_t off = 0;
	ssize_t n;

	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		c = crc32(c, buf, (uInt)n);
		off += n;
	}
	return n == 0 && (GElf_Word)c == crc;
}

/* A debuglink name is a file name: no directory, no "." or "..". */
static bool plain_name(const char *s)
{
	return s && *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..") &&
	       strlen(s) < 256;
}

/*
 * libdwfl's find_debuginfo, without its standard one's habits: it opened
 * whatever a file's .gnu_debuglink named (a FIFO beside it hung the
 * profiler; "../" climbed out) and followed symlinks in a container's
 * debug directory back to the host.  Here every candidate is opened with
 * targetfs (beneath its directory, in the target's root for a container,
 * O_NONBLOCK, regular files only) and must match: by build-id under
 * .build-id/, by CRC for a debuglink.
 */
static int find_debuginfo_safe(Dwfl_Module *mod, void **userdata,
			       const char *modname, Dwarf_Addr base,
			       const char *file_name, const char *debuglink,
			       GElf_Word crc, char **debuginfo_file_name)
{
	struct debuginfo *d = *userdata;
	const unsigned char *bits;
	char *search, *entry, *save = NULL, rel[4200], dir[4096], shown[8400];
	GElf_Addr vaddr;
	const char *slash;
	int bidlen, fd = -1, pid, n = 0;

	(void)modname;
	(void)base;
	bidlen = dwfl_module_build_id(mod, &bits, &vaddr);
	/* The module's directory as its process sees it: the directory
	 * part of file_name, less a /proc/PID/root prefix. */
	dir[0] = '\0';
	slash = file_name ? strrchr(file_name, '/') : NULL;
	if (slash && strstr(file_name, "/map_files/"))
		slash = NULL;	/* a deleted file: no directory */
	if (file_name && slash) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - file_name), file_name);
		if (sscanf(dir, "/proc/%d/root%n", &pid, &n) != 1 || n == 0)
			n = 0;
	}
	if (!plain_name(debuglink))
		debuglink = NULL;
	search = strdup(d->search_path ? d->search_path : ":.debug:/usr/lib/debug");
	if (!search)
		return -1;
	for (entry = strtok_r(search, ":", &save); fd < 0 && entry;
	     entry = strtok_r(NULL, ":", &save)) {
		if (entry[0] == '/') {
			/* A debug root: by build-id, then by the module's
			 * path under it. */
			if (bidlen > 1) {
				int k = snprintf(rel, sizeof(rel), ".build-id/%02x/", bits[0]);

				for (int i = 1; i < bidlen && k < (int)sizeof(rel) - 8; i++)
					k += snprintf(rel + k, sizeof(rel) - k, "%02x", bits[i]);
				snprintf(rel + k, sizeof(rel) - k, ".debug");
				fd = tfs_open_under(entry, rel);
				if (fd >= 0 && !same_build_id(fd, bits, bidlen)) {
					close(fd);
					fd = -1;
				}
			}
			if (fd < 0 && debuglink && dir[0]) {
				snprintf(rel, sizeof(rel), "%s/%s", dir + n, debuglink);
				fd = tfs_open_under(entry, rel[0] == '/' ? rel + 1 : rel);
				if (fd >= 0 && !same_crc(fd, crc)) {
					close(fd);
					fd = -1;
				}
			}
		} else if (debuglink && dir[0]) {
			/* Beside the module, or in .debug/ beside it. */
			snprintf(rel, sizeof(rel), "%s%s%s", entry, *entry ? "/" : "",
				 debuglink);
			fd = tfs_open_under(dir, rel);
			if (fd >= 0 && !same_crc(fd, crc)) {
				close(fd);
				fd = -1;
			}
		}
		if (fd >= 0) {
			snprintf(shown, sizeof(shown), "%s/%s",
				 entry[0] == '/' ? entry : dir, rel);
			*debuginfo_file_name = strdup(shown);
		}
	}
	free(search);
	if (fd < 0)
		errno = ENOENT;
	return fd < 0 ? -1 : fd;
}

struct debuginfo *debuginfo__open(int fd, const char *path,
				  const char *search_path)
{
	struct debuginfo *d = calloc(1, sizeof(*d));
	int dfd = -1;

	if (!d)
		return NULL;
	if (search_path) {
		d->search_path = strdup(search_path);
		if (!d->search_path)
			goto fail;
	}
	d->callbacks.find_elf = dwfl_build_id_find_elf;
	d->callbacks.find_debuginfo = find_debuginfo_safe;
	d->callbacks.section_address = dwfl_offline_section_address;
	d->callbacks.debuginfo_path = &d->search_path;
	d->dwfl = dwfl_begin(&d->callbacks);
	if (!d->dwfl)
		goto fail;
	dfd = dup(fd);
	if (dfd < 0)
		goto fail;
	dwfl_report_begin(d->dwfl);
	/* libdwfl owns dfd from here, even on failure. */
	d->mod = dwfl_report_elf(d->dwfl, path, path, dfd, 0, false);
	dwfl_report_end(d->dwfl, NULL, NULL);
	if (!d->mod)
		goto fail;
	/* find_debuginfo_safe's context. */
	{
		void **ud;

		dwfl_module_info(d->mod, &ud, NULL, NULL, NULL, NULL, NULL, NULL);
		*ud = d;
	}
	if (!dwfl_module_getelf(d->mod, &d->bias))
		goto fail;
	return d;
fail:
	debuginfo__free(d);
	return NULL;
}

void debuginfo__free(struct debuginfo *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->ncu; i++) {
		free(d->cu[i].nodes);
		free(d->cu[i].segs);
	}
	free(d->cu);
	free(d->cudies);
	free(d->ranges);
	if (d->dwfl)
		dwfl_end(d->dwfl);
	free(d->search_path);
	free(d);
}

int debuginfo__add_symbols(struct debuginfo *d, struct elf_symtab *t)
{
	int n, i, added = 0;
	Elf *elf;

	/*
	 * Without a separate debug file, libdwfl would take the symbols of
	 * MiniDebugInfo, decompressing it with no ceiling: read it ourselves,
	 * bounded (a hostile .gnu_debugdata is an xz bomb).
	 */
	if (!debuginfo__debug_file(d)) {
		elf = dwfl_module_getelf(d->mod, &d->bias);
		n = elf ? minidebug_add_symbols(elf, t) : 0;
		if (n == -E2BIG)
			p_warn("%s: its MiniDebugInfo decompresses to more than %u "
			       "MiB: ignored", dwfl_module_info(d->mod, NULL, NULL,
								NULL, NULL, NULL,
								NULL, NULL),
			       MINIDEBUG_MAX_BYTES >> 20);
		return n;
	}
	n = dwfl_module_getsymtab(d->mod);

	for (i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		GElf_Word shndx;
		const char *name;
		int type;

		name = dwfl_module_getsym_info(d->mod, i, &sym, &addr, &shndx,
					       NULL, NULL);
		if (!name || !*name || shndx == SHN_UNDEF || sym.st_size == 0)
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		if (type != STT_FUNC && type != STT_GNU_IFUNC)
			continue;
		if (elf_symtab__add(t, addr - d->bias, sym.st_size, name))
			return -ENOMEM;
		added++;
	}
	return added;
}

static int cmp_cu_range(const void *a, const void *b)
{
	const struct cu_range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->hi < y->hi ? -1 : x->hi > y->hi;
}

/* Every CU and its address ranges, sorted by start. */
static int index_cus(struct debuginfo *d)
{
	size_t cap = 0, rcap = 0;
	Dwarf_Die *cudie = NULL;
	Dwarf_Addr bias;

	while ((cudie = dwfl_module_nextcu(d->mod, cudie, &bias))) {
		Dwarf_Addr base, lo, hi;
		ptrdiff_t off = 0;

		if (GROW(d->cudies, d->ncu, cap))
			return -ENOMEM;
		d->cudies[d->ncu] = *cudie;
		while ((off = dwarf_ranges(cudie, off, &base, &lo, &hi)) > 0) {
			if (hi <= lo)
				continue;
			if (GROW(d->ranges, d->nranges, rcap))
				return -ENOMEM;
			d->ranges[d->nranges].lo = lo;
			d->ranges[d->nranges].hi = hi;
			d->ranges[d->nranges].cu = d->ncu;
			d->nranges++;
		}
		d->ncu++;
	}
	if (d->nranges)
		qsort(d->ranges, d->nranges, sizeof(*d->ranges), cmp_cu_range);
	d->cu = calloc(d->ncu ? d->ncu : 1, sizeof(*d->cu));
	return d->cu ? 0 : -ENOMEM;
}

static Dwarf *get_dwarf(struct debuginfo *d)
{
	if (!d->dwarf_tried) {
		d->dwarf_tried = true;
		d->dwarf = dwfl_module_getdwarf(d->mod, &d->dwbias);
		if (d->dwarf && index_cus(d))
			d->dwarf = NULL;
	}
	return d->dwarf;
}

/* The CU whose ranges hold addr (DWARF address), or -1. */
static long find_cu(const struct debuginfo *d, uint64_t addr)
{
	size_t lo = 0, hi = d->nranges;
	long i;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->ranges[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Ranges of different CUs don't overlap in sane DWARF, but a CU's
	 * range list may; look back a little. */
	for (i = (long)lo - 1; i >= 0 && i >= (long)lo - 8; i--)
		if (addr < d->ranges[i].hi)
			return d->ranges[i].cu;
	return -1;
}

Elf *debuginfo__dwarf_elf(struct debuginfo *d)
{
	Dwarf *dw = get_dwarf(d);

	return dw ? dwarf_getelf(dw) : NULL;
}

const char *debuginfo__debug_file(struct debuginfo *d)
{
	const char *debug = NULL;

	if (!get_dwarf(d))
		return NULL;
	dwfl_module_info(d->mod, NULL, NULL, NULL, NULL, NULL, NULL, &debug);
	return debug;
}

/* ---- per-CU inline index ------------------------------------------------ */

static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	const char *s;

	/* _integrate follows abstract_origin and specification. */
	s = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
	if (!s)
		s = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name,
							  &attr));
	if (!s)
		s = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
	return s;
}

struct builder {
	struct cu_index *cu;
	struct segment *ivs;	/* raw ranges, possibly nested */
	size_t nivs, ivs_cap;
	Dwarf_Files *files;
	size_t nfiles;
	int err;
};

static int32_t add_node(struct builder *b, Dwarf_Die *die, int32_t parent,
			bool inlined)
{
	struct cu_index *cu = b->cu;
	struct node *n;
	Dwarf_Attribute attr;
	Dwarf_Word w;

	if (GROW(cu->nodes, cu->nnodes, cu->nodes_cap))
		return -1;
	n = &cu->nodes[cu->nnodes];
	memset(n, 0, sizeof(*n));
	n->name = die_name(die);
	n->parent = parent;
	n->inlined = inlined;
	if (inlined) {
		if (dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &attr), &w) == 0 &&
		    b->files && w < b->nfiles)
			n->call_file = dwarf_filesrc(b->files, w, NULL, NULL);
		if (dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &attr), &w) == 0)
			n->call_line = w;
	}
	return cu->nnodes++;
}

static int add_range(struct builder *b, uint64_t lo, uint64_t hi, int32_t node)
{
	if (GROW(b->ivs, b->nivs, b->ivs_cap))
		return -ENOMEM;
	b->ivs[b->nivs].lo = lo;
	b->ivs[b->nivs].hi = hi;
	b->ivs[b->nivs].node = node;
	b->nivs++;
	return 0;
}

/* Collect the ranges of every function and inlined call under die. */
static void walk(struct builder *b, Dwarf_Die *die, int32_t parent, int depth)
{
	Dwarf_Die child;

	if (depth > 64 || dwarf_child(die, &child) != 0)
		return;
	do {
		int tag = dwarf_tag(&child);
		int32_t node = parent;

		if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine) {
			bool inlined = tag == DW_TAG_inlined_subroutine;
			Dwarf_Addr base, lo, hi;
			ptrdiff_t off = 0;
			int32_t id = -2;

			while ((off = dwarf_ranges(&child, off, &base, &lo, &hi)) > 0) {
				if (hi <= lo)
					continue;
				if (id == -2)
					id = add_node(b, &child, inlined ? parent : -1,
						      inlined);
				if (id < 0 || add_range(b, lo, hi, id)) {
					b->err = -ENOMEM;
					return;
				}
			}
			if (id >= 0)
				node = id;
		}
		if (dwarf_haschildren(&child))
			walk(b, &child, node, depth + 1);
		if (b->err)
			return;
	} while (dwarf_siblingof(&child, &child) == 0);
}

/* Sort by start, outer (longer) ranges first, so nesting works as a stack. */
static int cmp_range(const void *a, const void *b)
{
	const struct segment *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi > y->hi ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

static int emit(struct cu_index *cu, size_t *cap, uint64_t lo, uint64_t hi,
		int32_t node)
{
	if (lo >= hi)
		return 0;
	if (cu->nsegs && cu->segs[cu->nsegs - 1].hi == lo &&
	    cu->segs[cu->nsegs - 1].node == node) {
		cu->segs[cu->nsegs - 1].hi = hi;
		return 0;
	}
	if (GROW(cu->segs, cu->nsegs, *cap))
		return -ENOMEM;
	cu->segs[cu->nsegs].lo = lo;
	cu->segs[cu->nsegs].hi = hi;
	cu->segs[cu->nsegs].node = node;
	cu->nsegs++;
	return 0;
}

/*
 * Flatten nested ranges into disjoint segments labelled with the innermost
 * node: a sweep that keeps the ranges open at the current position on a
 * stack.  A range poking out of its parent is clipped to it.
 */
static int flatten(struct builder *b)
{
	struct cu_index *cu = b->cu;
	struct segment *stack;
	size_t top = 0, i, cap = 0;
	uint64_t pos = 0;

	if (!b->nivs)
		return 0;
	qsort(b->ivs, b->nivs, sizeof(*b->ivs), cmp_range);
	stack = malloc(b->nivs * sizeof(*stack));
	if (!stack)
		return -ENOMEM;
	for (i = 0; i <= b->nivs; i++) {
		uint64_t next = i < b->nivs ? b->ivs[i].lo : UINT64_MAX;

		/* Close the ranges that end before the next one starts. */
		while (top && stack[top - 1].hi <= next) {
			if (emit(cu, &cap, pos, stack[top - 1].hi, stack[top - 1].node))
				goto oom;
			pos = stack[top - 1].hi;
			top--;
		}
		if (i == b->nivs)
			break;
		if (top && emit(cu, &cap, pos, next, stack[top - 1].node))
			goto oom;
		pos = next;
		stack[top] = b->ivs[i];
		if (top && stack[top].hi > stack[top - 1].hi)
			stack[top].hi = stack[top - 1].hi;
		top++;
	}
	free(stack);
	return 0;
oom:
	free(stack);
	return -ENOMEM;
}

static struct cu_index *cu_index_for(struct debuginfo *d, long ci)
{
	struct cu_index *cu = &d->cu[ci];
	struct builder b = {};

	if (cu->built)
		return cu->segs ? cu : NULL;
	cu->built = true;
	b.cu = cu;
	if (dwarf_getsrcfiles(&d->cudies[ci], &b.files, &b.nfiles) != 0)
		b.files = NULL;
	walk(&b, &d->cudies[ci], -1, 0);
	if (!b.err)
		b.err = flatten(&b);
	free(b.ivs);
	if (b.err || !cu->nsegs) {
		free(cu->nodes);
		free(cu->segs);
		cu->nodes = NULL;
		cu->segs = NULL;
		return NULL;
	}
	return cu;
}

static int32_t innermost(const struct cu_index *cu, uint64_t addr)
{
	size_t lo = 0, hi = cu->nsegs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cu->segs[mid].hi <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < cu->nsegs && cu->segs[lo].lo <= addr)
		return cu->segs[lo].node;
	return -1;
}

int debuginfo__lookup(struct debuginfo *d, uint64_t vaddr, bool inlines,
		      struct src_frame *out, int max)
{
	const char *file = NULL;
	unsigned int line = 0;
	struct cu_index *cu = NULL;
	uint64_t addr;
	Dwarf_Line *l;
	int32_t node = -1;
	int n = 0, lineno;
	long ci;

	if (max <= 0 || !get_dwarf(d))
		return 0;
	addr = vaddr + d->bias - d->dwbias;
	ci = find_cu(d, addr);
	if (ci < 0)
		return 0;
	l = dwarf_getsrc_die(&d->cudies[ci], addr);
	if (l) {
		file = dwarf_linesrc(l, NULL, NULL);
		if (dwarf_lineno(l, &lineno) == 0 && lineno > 0)
			line = lineno;
	}
	if (inlines)
		cu = cu_index_for(d, ci);
	if (cu)
		node = innermost(cu, addr);
	if (node < 0) {
		if (!file)
			return 0;
		out[0].name = NULL;
		out[0].file = file;
		out[0].line = line;
		out[0].inlined = false;
		return 1;
	}
	while (node >= 0 && n < max) {
		const struct node *nd = &cu->nodes[node];

		out[n].name = nd->name;
		out[n].file = file;
		out[n].line = line;
		out[n].inlined = nd->inlined;
		n++;
		if (!nd->inlined)
			break;
		file = nd->call_file;
		line = nd->call_line;
		node = nd->parent;
	}
	return n;
}
