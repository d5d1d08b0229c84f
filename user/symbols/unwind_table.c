// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Reading CFI with libdw.  libdw has no iterator over a file's rows, so the
 * FDEs are listed first with dwarf_next_cfi (decoding their address ranges
 * ourselves: libdw keeps the CIE's pointer encoding private), then each FDE
 * is walked row by row: dwarf_cfi_addrframe at an address gives the rule
 * there and, with dwarf_frame_info, the range it holds for; the next row
 * starts where that range ends.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "symbols/unwind_table.h"

/* Gaps between FDEs shorter than this are alignment padding: they get no
 * row of their own. */
#define PAD_GAP		16

/* x86-64 DWARF register numbers. */
#define REG_RBP		6
#define REG_RSP		7
#define REG_RA		16

struct fde_range {
	uint64_t lo, hi;
	size_t cost;		/* bytes of CFA program libdw runs per row */
};

struct cie_enc {
	uint64_t offset;	/* the CIE's offset in its section */
	uint8_t fde_enc;	/* DW_EH_PE_* of FDE addresses */
	bool signal;		/* 'S': a signal frame */
	bool z;			/* 'z': FDEs carry an augmentation length */
	bool ok;		/* its initial instructions are sane */
	size_t init_len;	/* bytes of initial instructions */
};

/*
 * Bounds on CFI a hostile file can make expensive: libdw sizes its register
 * table by the largest register number an instruction names (a number in
 * the billions made it allocate 1.7 GB), keeps a state per
 * remember_state, and re-runs an FDE's program from its start for every
 * row (quadratic in its length).  x86-64 DWARF registers end below 128.
 */
#define CFI_MAX_REG		128
#define CFI_MAX_DEPTH		64
#define CFI_MAX_FDE_BYTES	(16u << 10)
/* Bytes of CFA program run over all rows of a file (libLLVM-14: ~20 M). */
#define CFI_MAX_WORK		(512ULL << 20)

struct fde_list {
	struct fde_range *v;
	size_t n, cap;
	struct cie_enc *cies;
	size_t ncies, cies_cap;
};

static uint64_t read_uleb(const uint8_t **p, const uint8_t *end)
{
	uint64_t v = 0;
	unsigned int shift = 0;

	while (*p < end) {
		uint8_t b = *(*p)++;

		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			break;
	}
	return v;
}

static int64_t read_sleb(const uint8_t **p, const uint8_t *end)
{
	int64_t v = 0;
	unsigned int shift = 0;
	uint8_t b = 0;

	while (*p < end) {
		b = *(*p)++;
		if (shift < 64)
			v |= (int64_t)((uint64_t)(b & 0x7f) << shift);
		shift += 7;
		if (!(b & 0x80))
			break;
	}
	if (shift < 64 && (b & 0x40))
		v = (int64_t)((uint64_t)v | ~(((uint64_t)1 << shift) - 1));
	return v;
}

/*
 * Decode one pointer of encoding enc at *p (advanced past it).  field_addr
 * is the address the bytes at *p will have when loaded (for pcrel).  -1 on
 * an encoding this reader does not take or on truncation.
 */
static int read_encoded(uint8_t enc, const uint8_t **p, const uint8_t *end,
			uint64_t field_addr, bool apply, uint64_t *out)
{
	const uint8_t *q = *p;
	uint64_t v;
	size_t sz;

	if (enc == DW_EH_PE_omit)
		return -1;
	switch (enc & 0x0f) {
	case DW_EH_PE_absptr:
	case DW_EH_PE_udata8:
	case DW_EH_PE_sdata8:
		sz = 8;
		break;
	case DW_EH_PE_udata4:
	case DW_EH_PE_sdata4:
		sz = 4;
		break;
	case DW_EH_PE_udata2:
	case DW_EH_PE_sdata2:
		sz = 2;
		break;
	case DW_EH_PE_uleb128:
		v = read_uleb(&q, end);
		sz = 0;
		break;
	case DW_EH_PE_sleb128:
		v = (uint64_t)read_sleb(&q, end);
		sz = 0;
		break;
	default:
		return -1;
	}
	if (sz) {
		if ((size_t)(end - q) < sz)
			return -1;
		switch (sz) {
		case 8: {
			uint64_t x;

			memcpy(&x, q, 8);
			v = x;
			break;
		}
		case 4: {
			uint32_t x;

			memcpy(&x, q, 4);
			v = (enc & 0x0f) == DW_EH_PE_sdata4 ? (uint64_t)(int64_t)(int32_t)x : x;
			break;
		}
		default: {
			uint16_t x;

			memcpy(&x, q, 2);
			v = (enc & 0x0f) == DW_EH_PE_sdata2 ? (uint64_t)(int64_t)(int16_t)x : x;
			break;
		}
		}
		q += sz;
	}
	if (apply) {
		switch (enc & 0x70) {
		case DW_EH_PE_absptr:
			break;
		case DW_EH_PE_pcrel:
			v += field_addr;
			break;
		default:
			/* textrel/datarel/funcrel: not used for FDEs on x86-64. */
			return -1;
		}
		if (enc & DW_EH_PE_indirect)
			return -1;
	}
	*p = q;
	*out = v;
	return 0;
}

/*
 * A CFA program libdw may run safely: known opcodes only, register numbers
 * below CFI_MAX_REG, expression blocks and operands inside the program,
 * remember_state nesting at most CFI_MAX_DEPTH.  fde_enc sizes set_loc.
 */
static bool cfa_program_ok(const uint8_t *p, const uint8_t *end, uint8_t fde_enc)
{
	int depth = 0;
	uint64_t v, skip;

#define REG() do { v = read_uleb(&p, end); if (v >= CFI_MAX_REG) return false; } while (0)
#define ULEB() ((void)read_uleb(&p, end))
#define SLEB() ((void)read_sleb(&p, end))
#define BLOCK() do { v = read_uleb(&p, end); if (v > (uint64_t)(end - p)) return false; p += v; } while (0)
	while (p < end) {
		uint8_t op = *p++;

		switch (op & 0xc0) {
		case DW_CFA_advance_loc:
			continue;
		case DW_CFA_offset:
			if ((op & 0x3f) >= CFI_MAX_REG)
				return false;
			ULEB();
			continue;
		case DW_CFA_restore:
			continue;
		}
		switch (op) {
		case DW_CFA_nop:
			break;
		case DW_CFA_set_loc:
			if (read_encoded(fde_enc & 0x0f, &p, end, 0, false, &skip))
				return false;
			break;
		case DW_CFA_advance_loc1:
			p += 1;
			break;
		case DW_CFA_advance_loc2:
			p += 2;
			break;
		case DW_CFA_advance_loc4:
			p += 4;
			break;
		case DW_CFA_offset_extended:
		case DW_CFA_val_offset:
		case DW_CFA_def_cfa:
		case DW_CFA_GNU_negative_offset_extended:
			REG();
			ULEB();
			break;
		case DW_CFA_offset_extended_sf:
		case DW_CFA_val_offset_sf:
		case DW_CFA_def_cfa_sf:
			REG();
			SLEB();
			break;
		case DW_CFA_restore_extended:
		case DW_CFA_undefined:
		case DW_CFA_same_value:
		case DW_CFA_def_cfa_register:
			REG();
			break;
		case DW_CFA_register:
			REG();
			REG();
			break;
		case DW_CFA_remember_state:
			if (++depth > CFI_MAX_DEPTH)
				return false;
			break;
		case DW_CFA_restore_state:
			depth--;
			break;
		case DW_CFA_def_cfa_offset:
		case DW_CFA_GNU_args_size:
			ULEB();
			break;
		case DW_CFA_def_cfa_offset_sf:
			SLEB();
			break;
		case DW_CFA_def_cfa_expression:
			BLOCK();
			break;
		case DW_CFA_expression:
		case DW_CFA_val_expression:
			REG();
			BLOCK();
			break;
		default:
			return false;
		}
	}
#undef REG
#undef ULEB
#undef SLEB
#undef BLOCK
	return p <= end;
}

/* The FDE pointer encoding a CIE announces ('R' in its augmentation). */
static int cie_encoding(const Dwarf_CIE *cie, bool eh_frame, struct cie_enc *ce)
{
	const uint8_t *p = cie->augmentation_data;
	const uint8_t *end = p ? p + cie->augmentation_data_size : NULL;
	const char *a = cie->augmentation;

	ce->fde_enc = eh_frame ? DW_EH_PE_absptr : DW_EH_PE_absptr;
	ce->signal = false;
	ce->z = a && a[0] == 'z';
	if (!a || a[0] != 'z')
		return a && a[0] ? -1 : 0;
	for (a++; *a; a++) {
		uint64_t skip;

		switch (*a) {
		case 'R':
			if (!p || p >= end)
				return -1;
			ce->fde_enc = *p++;
			break;
		case 'L':
			if (!p || p >= end)
				return -1;
			p++;
			break;
		case 'P': {
			uint8_t enc;

			if (!p || p >= end)
				return -1;
			enc = *p++;
			if (read_encoded(enc & 0x0f, &p, end, 0, false, &skip))
				return -1;
			break;
		}
		case 'S':
			ce->signal = true;
			break;
		case 'B':
			break;
		default:
			/* Unknown: the rest of the data can't be parsed, but
			 * 'R' usually came first. */
			return 0;
		}
	}
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const struct fde_range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->hi < y->hi ? -1 : x->hi > y->hi;
}

/* Every FDE's [lo, hi) in section data (loaded at sh_addr). */
static int list_fdes(Elf *elf, Elf_Data *data, uint64_t sh_addr, bool eh_frame,
		     struct fde_list *fl)
{
	const unsigned char *ident = (const unsigned char *)elf_getident(elf, NULL);
	Dwarf_Off off = 0, next;
	Dwarf_CFI_Entry e;
	int ret;

	if (!ident)
		return -EINVAL;
	for (;;) {
		ret = dwarf_next_cfi(ident, data, eh_frame, off, &next, &e);
		if (ret > 0)
			break;
		if (ret < 0) {
			/* A broken entry: skip it if libdw said how far. */
			if (next == (Dwarf_Off)-1 || next <= off)
				break;
			off = next;
			continue;
		}
		if (dwarf_cfi_cie_p(&e)) {
			struct cie_enc *ce;

			if (GROW(fl->cies, fl->ncies, fl->cies_cap))
				return -ENOMEM;
			ce = &fl->cies[fl->ncies];
			ce->offset = off;
			if (cie_encoding(&e.cie, eh_frame, ce) == 0) {
				ce->ok = e.cie.return_address_register < CFI_MAX_REG &&
					 cfa_program_ok(e.cie.initial_instructions,
							e.cie.initial_instructions_end,
							ce->fde_enc);
				ce->init_len = e.cie.initial_instructions_end -
					       e.cie.initial_instructions;
				fl->ncies++;
			}
		} else {
			const struct cie_enc *ce = NULL;
			const uint8_t *p = e.fde.start, *end = e.fde.end;
			uint64_t lo, len;
			size_t i;

			for (i = 0; i < fl->ncies; i++)
				if (fl->cies[i].offset == e.fde.CIE_pointer)
					ce = &fl->cies[i];
			if (ce && ce->ok && read_encoded(ce->fde_enc, &p, end,
					       sh_addr + (uint64_t)(p - (const uint8_t *)data->d_buf),
					       true, &lo) == 0 &&
			    read_encoded(ce->fde_enc & 0x0f, &p, end, 0, false, &len) == 0 &&
			    len && lo + len > lo) {
				uint64_t aug = 0;

				/* The instructions, past the augmentation data. */
				if (ce->z) {
					aug = read_uleb(&p, end);
					if (aug > (uint64_t)(end - p))
						goto next;
					p += aug;
				}
				/* An FDE libdw can't run cheaply and safely is
				 * left out: its range has no CFI. */
				if ((size_t)(end - p) > CFI_MAX_FDE_BYTES ||
				    !cfa_program_ok(p, end, ce->fde_enc))
					goto next;
				if (GROW(fl->v, fl->n, fl->cap))
					return -ENOMEM;
				fl->v[fl->n].lo = lo;
				fl->v[fl->n].hi = lo + len;
				fl->v[fl->n].cost = ce->init_len + (size_t)(end - p) + 1;
				fl->n++;
			}
		}
next:
		if (next == (Dwarf_Off)-1)
			break;
		off = next;
	}
	if (fl->n)
		qsort(fl->v, fl->n, sizeof(*fl->v), cmp_range);
	return 0;
}

/* A simple register + offset: DW_OP_bregN off, or DW_OP_bregx reg off. */
static bool breg(const Dwarf_Op *op, unsigned int *reg, int64_t *off)
{
	if (op->atom >= DW_OP_breg0 && op->atom <= DW_OP_breg31) {
		*reg = op->atom - DW_OP_breg0;
		*off = (int64_t)op->number;
		return true;
	}
	if (op->atom == DW_OP_bregx) {
		*reg = (unsigned int)op->number;
		*off = (int64_t)op->number2;
		return true;
	}
	return false;
}

/*
 * The PLT rule binutils emits for lazily bound entries:
 *   rsp + off + (((rip & 15) >= k) << 3)
 * as breg7 off; breg16 0; lit15; and; litk; ge; lit3; shl; plus.
 */
static bool plt_expr(const Dwarf_Op *ops, size_t n, int64_t *off, int *k)
{
	unsigned int reg;
	int64_t o, z;

	if (n != 9 || !breg(&ops[0], &reg, &o) || reg != REG_RSP ||
	    !breg(&ops[1], &reg, &z) || reg != REG_RA || z != 0 ||
	    ops[2].atom != DW_OP_lit15 || ops[3].atom != DW_OP_and ||
	    ops[4].atom < DW_OP_lit0 || ops[4].atom > DW_OP_lit31 ||
	    ops[5].atom != DW_OP_ge || ops[6].atom != DW_OP_lit3 ||
	    ops[7].atom != DW_OP_shl || ops[8].atom != DW_OP_plus)
		return false;
	*off = o;
	*k = ops[4].atom - DW_OP_lit0;
	return true;
}

/*
 * A register saved at CFA + off: libdw gives the location as
 * [call_frame_cfa] or [call_frame_cfa, plus_uconst N] or
 * [call_frame_cfa, consts N, plus].
 */
static bool at_cfa(const Dwarf_Op *ops, size_t n, int64_t *off)
{
	if (n < 1 || ops[0].atom != DW_OP_call_frame_cfa)
		return false;
	if (n == 1) {
		*off = 0;
		return true;
	}
	if (n == 2 && ops[1].atom == DW_OP_plus_uconst) {
		*off = (int64_t)ops[1].number;
		return true;
	}
	if (n == 3 && (ops[1].atom == DW_OP_consts || ops[1].atom == DW_OP_constu) &&
	    ops[2].atom == DW_OP_plus) {
		*off = (int64_t)ops[1].number;
		return true;
	}
	return false;
}

/* The row libdw's frame state f stands for. */
static void classify(Dwarf_Frame *f, bool signal, struct unwind_entry *r)
{
	Dwarf_Op mem[3], *ops;
	size_t n;
	unsigned int reg;
	int64_t off;
	int k, loc;

	r->cfa_type = UNWIND_CFA_UNSUPPORTED;
	r->cfa_off = 0;
	r->rbp_type = UNWIND_RBP_SAME;
	r->rbp_off = 0;

	/* The return address: undefined in the outermost frame, else it
	 * must be the word below the CFA. */
	loc = dwarf_frame_register(f, REG_RA, mem, &ops, &n);
	if (loc < 0)
		return;
	if (n == 0 && ops == mem) {
		r->cfa_type = UNWIND_CFA_STOP;
		return;
	}
	if (signal) {
		r->cfa_type = UNWIND_CFA_SIGNAL;
		return;
	}
	if (loc != 0 || !at_cfa(ops, n, &off) || off != -8)
		return;

	if (dwarf_frame_cfa(f, &ops, &n) != 0 || n == 0)
		return;
	if (n == 1 && breg(&ops[0], &reg, &off)) {
		if ((reg != REG_RSP && reg != REG_RBP) || off < INT32_MIN ||
		    off > INT32_MAX)
			return;
		r->cfa_type = reg == REG_RSP ? UNWIND_CFA_RSP : UNWIND_CFA_RBP;
		r->cfa_off = (int32_t)off;
	} else if (plt_expr(ops, n, &off, &k)) {
		if (off < INT32_MIN || off > INT32_MAX)
			return;
		r->cfa_type = UNWIND_CFA_PLT;
		r->cfa_off = (int32_t)off;
		r->rbp_off = (int16_t)k;
		return;
	} else {
		return;
	}

	loc = dwarf_frame_register(f, REG_RBP, mem, &ops, &n);
	if (loc < 0 || (n == 0 && ops == mem)) {
		r->rbp_type = UNWIND_RBP_UNDEFINED;
	} else if (n == 0) {
		r->rbp_type = UNWIND_RBP_SAME;
	} else if (loc == 0 && at_cfa(ops, n, &off) && off >= INT16_MIN &&
		   off <= INT16_MAX) {
		r->rbp_type = UNWIND_RBP_SAVED;
		r->rbp_off = (int16_t)off;
	} else {
		r->rbp_type = UNWIND_RBP_UNDEFINED;
	}
}

static bool same_rule(const struct unwind_entry *a, const struct unwind_entry *b)
{
	return a->cfa_type == b->cfa_type && a->cfa_off == b->cfa_off &&
	       a->rbp_type == b->rbp_type && a->rbp_off == b->rbp_off;
}

static int add_row(struct unwind_table *t, const struct unwind_entry *r,
		   size_t max_rows)
{
	if (t->n && t->rows[t->n - 1].vaddr == r->vaddr) {
		/* A later FDE starting where an empty one ended. */
		t->rows[t->n - 1] = *r;
		if (t->n > 1 && same_rule(&t->rows[t->n - 2], r))
			t->n--;
		return 0;
	}
	if (t->n && same_rule(&t->rows[t->n - 1], r))
		return 0;
	if (max_rows && t->n >= max_rows)
		return -E2BIG;
	if (GROW(t->rows, t->n, t->cap))
		return -ENOMEM;
	t->rows[t->n++] = *r;
	return 0;
}

/* Walk every FDE's rows in address order. */
static int walk(Dwarf_CFI *cfi, const struct fde_list *fl, const struct cie_enc *cies,
		size_t max_rows, struct unwind_table *t)
{
	uint64_t covered = 0, work = 0;
	size_t i;
	int err;

	(void)cies;
	for (i = 0; i < fl->n; i++) {
		uint64_t a = fl->v[i].lo, hi = fl->v[i].hi;
		struct unwind_entry r;

		if (hi <= covered)
			continue;	/* duplicate or nested FDE */
		if (a < covered)
			a = covered;
		t->fdes++;
		while (a < hi) {
			Dwarf_Frame *f = NULL;
			Dwarf_Addr start, end;
			bool signal = false;

			/* libdw runs the FDE's program up to a, every row. */
			work += fl->v[i].cost;
			if (work > CFI_MAX_WORK)
				return -E2BIG;
			if (dwarf_cfi_addrframe(cfi, a, &f) != 0) {
				/* libdw disagrees about this FDE: a gap. */
				break;
			}
			if (dwarf_frame_info(f, &start, &end, &signal) < 0 || end <= a)
				end = hi;
			r.vaddr = a;
			classify(f, signal, &r);
			free(f);
			t->by_cfa[r.cfa_type]++;
			err = add_row(t, &r, max_rows);
			if (err)
				return err;
			a = end < hi ? end : hi;
		}
		covered = hi;
		/* What follows, unless the next FDE starts right here or
		 * after alignment padding only (no pc is in there). */
		if (i + 1 == fl->n || fl->v[i + 1].lo >= hi + PAD_GAP) {
			memset(&r, 0, sizeof(r));
			r.vaddr = hi;
			r.cfa_type = UNWIND_CFA_NONE;
			err = add_row(t, &r, max_rows);
			if (err)
				return err;
		}
	}
	return 0;
}

static Elf_Scn *find_section(Elf *elf, const char *name, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, sh) || sh->sh_type == SHT_NOBITS)
			continue;
		n = elf_strptr(elf, shstrndx, sh->sh_name);
		if (n && !strcmp(n, name))
			return scn;
	}
	return NULL;
}

/* One section's CFI into t. */
static int build_from(Elf *elf, bool eh_frame, size_t max_rows,
		      struct unwind_table *t)
{
	const char *name = eh_frame ? ".eh_frame" : ".debug_frame";
	struct fde_list fl = {};
	Dwarf_CFI *cfi = NULL;
	Dwarf *dw = NULL;
	Elf_Data *data;
	Elf_Scn *scn;
	GElf_Shdr sh;
	int err;

	scn = find_section(elf, name, &sh);
	if (!scn || !(data = elf_getdata(scn, NULL)) || !data->d_size)
		return -ENOENT;
	if (eh_frame) {
		cfi = dwarf_getcfi_elf(elf);
	} else {
		dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
		cfi = dw ? dwarf_getcfi(dw) : NULL;
	}
	if (!cfi) {
		err = -EINVAL;
		goto out;
	}
	err = list_fdes(elf, data, sh.sh_addr, eh_frame, &fl);
	if (!err && !fl.n)
		err = -ENOENT;
	if (!err)
		err = walk(cfi, &fl, fl.cies, max_rows, t);
	if (!err)
		t->section = name;
out:
	if (eh_frame && cfi)
		dwarf_cfi_end(cfi);
	if (dw)
		dwarf_end(dw);
	free(fl.v);
	free(fl.cies);
	return err;
}

int unwind_table__build(Elf *elf, Elf *debug_elf, size_t max_rows,
			struct unwind_table *t)
{
	int err;

	memset(t, 0, sizeof(*t));
	err = build_from(elf, true, max_rows, t);
	if (err == -ENOENT)
		err = build_from(elf, false, max_rows, t);
	if (err == -ENOENT && debug_elf)
		err = build_from(debug_elf, false, max_rows, t);
	if (err) {
		unwind_table__free(t);
		return err;
	}
	return 0;
}

int unwind_table__build_fd(int fd, size_t max_rows, struct unwind_table *t)
{
	Elf *elf;
	int err;

	memset(t, 0, sizeof(*t));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		if (elf)
			elf_end(elf);
		return -EINVAL;
	}
	err = unwind_table__build(elf, NULL, max_rows, t);
	elf_end(elf);
	return err;
}

void unwind_table__free(struct unwind_table *t)
{
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

const struct unwind_entry *unwind_table__find(const struct unwind_table *t,
					      uint64_t vaddr)
{
	size_t lo = 0, hi = t->n;

	/* The last row whose vaddr is <= vaddr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->rows[mid].vaddr <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &t->rows[lo - 1] : NULL;
}

const char *unwind_cfa_name(unsigned int type)
{
	switch (type) {
	case UNWIND_CFA_RSP:
		return "rsp";
	case UNWIND_CFA_RBP:
		return "rbp";
	case UNWIND_CFA_PLT:
		return "plt";
	case UNWIND_CFA_SIGNAL:
		return "signal";
	case UNWIND_CFA_STOP:
		return "stop";
	case UNWIND_CFA_UNSUPPORTED:
		return "unsupported";
	case UNWIND_CFA_NONE:
		return "none";
	}
	return "?";
}
