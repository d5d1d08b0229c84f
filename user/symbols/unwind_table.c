// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Reading CFI.  The FDEs are listed with libdw's dwarf_next_cfi (decoding
 * their address ranges ourselves: libdw keeps the CIE's pointer encoding
 * private), then each FDE's CFA program is run once, here, emitting a row
 * at every advance of the location.  libdw can only answer "the rule at
 * this address" (dwarf_cfi_addrframe), re-running the program from the
 * FDE's start for every row and looking the FDE up again each time: that
 * made building the tables of a process's libraries the larger part of
 * attaching to it.  The rules are those libdw gives: its x86-64 defaults
 * (rbp and the return address keep their value, the CFA undefined), then
 * the CIE's initial instructions, then the FDE's.
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
	const uint8_t *insns, *insns_end;	/* its CFA program */
	uint32_t cie;		/* index in fde_list.cies */
};

/* A register's rule (DWARF 5, 6.4.1), as far as the rows need it. */
enum reg_rule {
	RULE_UNSPECIFIED,	/* not named: undefined on x86-64 */
	RULE_UNDEFINED,
	RULE_SAME,
	RULE_OFFSET,		/* saved at CFA + off */
	RULE_VAL_OFFSET,
	RULE_REGISTER,
	RULE_EXPR,		/* saved at the address expr computes */
	RULE_VAL_EXPR,
};

enum cfa_rule {
	CFA_UNDEFINED,
	CFA_OFFSET,		/* reg + off */
	CFA_EXPR,
	CFA_INVALID,		/* an offset change without a register + offset */
};

struct reg_state {
	uint8_t rule;		/* enum reg_rule */
	int64_t off;
	const uint8_t *expr;	/* RULE_EXPR: the DWARF expression */
	size_t len;
};

/* The rules at one location: the CFA, rbp and the return address. */
struct cfi_state {
	uint8_t cfa;		/* enum cfa_rule */
	uint64_t cfa_reg;
	int64_t cfa_off;
	const uint8_t *cfa_expr;
	size_t cfa_len;
	struct reg_state rbp, ra;
};

struct cie_enc {
	uint64_t offset;	/* the CIE's offset in its section */
	uint8_t fde_enc;	/* DW_EH_PE_* of FDE addresses */
	bool signal;		/* 'S': a signal frame */
	bool z;			/* 'z': FDEs carry an augmentation length */
	bool ok;		/* its initial instructions are sane */
	uint64_t code_align;
	int64_t data_align;
	const uint8_t *init, *init_end;	/* initial instructions */
	bool ran;		/* init_state computed (or failed: init_ok) */
	bool init_ok;
	struct cfi_state init_state;	/* after its initial instructions */
};

/*
 * Bounds on CFI a hostile file can make expensive or that no compiler
 * emits: register numbers (x86-64 DWARF registers end below 128),
 * remember_state nesting, and the length of one FDE's program (16 KiB:
 * the largest seen are a few hundred bytes).
 */
#define CFI_MAX_REG		128
#define CFI_MAX_DEPTH		64
#define CFI_MAX_FDE_BYTES	(16u << 10)

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
				ce->code_align = e.cie.code_alignment_factor;
				ce->data_align = e.cie.data_alignment_factor;
				ce->init = e.cie.initial_instructions;
				ce->init_end = e.cie.initial_instructions_end;
				ce->ran = false;
				fl->ncies++;
			}
		} else {
			const struct cie_enc *ce = NULL;
			const uint8_t *p = e.fde.start, *end = e.fde.end;
			uint64_t lo, len;
			size_t i, ci = 0;

			for (i = 0; i < fl->ncies; i++)
				if (fl->cies[i].offset == e.fde.CIE_pointer) {
					ce = &fl->cies[i];
					ci = i;
				}
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
				/* An FDE with a program too long or not sane is
				 * left out: its range has no CFI. */
				if ((size_t)(end - p) > CFI_MAX_FDE_BYTES ||
				    !cfa_program_ok(p, end, ce->fde_enc))
					goto next;
				if (GROW(fl->v, fl->n, fl->cap))
					return -ENOMEM;
				fl->v[fl->n].lo = lo;
				fl->v[fl->n].hi = lo + len;
				fl->v[fl->n].insns = p;
				fl->v[fl->n].insns_end = end;
				fl->v[fl->n].cie = (uint32_t)ci;
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

/* One operation of a DWARF expression, as far as the rows need them. */
struct expr_op {
	uint8_t atom;
	uint64_t number, number2;
};

/*
 * Decode expr into at most max ops; how many, or -1 for an operation this
 * reader does not know (no rule the rows take uses one) or one past max.
 */
static int decode_expr(const uint8_t *p, size_t len, struct expr_op *ops, int max)
{
	const uint8_t *end = p + len;
	int n = 0;

	while (p < end) {
		struct expr_op *o;

		if (n == max)
			return -1;
		o = &ops[n++];
		o->atom = *p++;
		o->number = o->number2 = 0;
		if (o->atom >= DW_OP_breg0 && o->atom <= DW_OP_breg31) {
			o->number = (uint64_t)read_sleb(&p, end);
			continue;
		}
		if (o->atom >= DW_OP_lit0 && o->atom <= DW_OP_lit31)
			continue;
		switch (o->atom) {
		case DW_OP_bregx:
			o->number = read_uleb(&p, end);
			o->number2 = (uint64_t)read_sleb(&p, end);
			break;
		case DW_OP_plus_uconst:
		case DW_OP_constu:
			o->number = read_uleb(&p, end);
			break;
		case DW_OP_consts:
			o->number = (uint64_t)read_sleb(&p, end);
			break;
		case DW_OP_and:
		case DW_OP_ge:
		case DW_OP_shl:
		case DW_OP_plus:
			break;
		default:
			return -1;
		}
	}
	return n;
}

/* A simple register + offset: DW_OP_bregN off, or DW_OP_bregx reg off. */
static bool breg(const struct expr_op *op, uint64_t *reg, int64_t *off)
{
	if (op->atom >= DW_OP_breg0 && op->atom <= DW_OP_breg31) {
		*reg = op->atom - DW_OP_breg0;
		*off = (int64_t)op->number;
		return true;
	}
	if (op->atom == DW_OP_bregx) {
		*reg = op->number;
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
static bool plt_expr(const struct expr_op *ops, int n, int64_t *off, int *k)
{
	uint64_t reg;
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
 * A register saved at CFA + off: the offset(N) rule, or an expression rule
 * (evaluated with the CFA pushed first) that adds a constant: none,
 * plus_uconst N, or consts/constu N; plus.
 */
static bool at_cfa(const struct reg_state *r, int64_t *off)
{
	struct expr_op ops[2];
	int n;

	if (r->rule == RULE_OFFSET) {
		*off = r->off;
		return true;
	}
	if (r->rule != RULE_EXPR)
		return false;
	n = decode_expr(r->expr, r->len, ops, 2);
	if (n == 0) {
		*off = 0;
		return true;
	}
	if (n == 1 && ops[0].atom == DW_OP_plus_uconst) {
		*off = (int64_t)ops[0].number;
		return true;
	}
	if (n == 2 && (ops[0].atom == DW_OP_consts || ops[0].atom == DW_OP_constu) &&
	    ops[1].atom == DW_OP_plus) {
		*off = (int64_t)ops[0].number;
		return true;
	}
	return false;
}

/* The row the rules s stand for. */
static void classify(const struct cfi_state *s, bool signal, struct unwind_entry *r)
{
	struct expr_op ops[9];
	uint64_t reg;
	int64_t off;
	int k, n;

	r->cfa_type = UNWIND_CFA_UNSUPPORTED;
	r->cfa_off = 0;
	r->rbp_type = UNWIND_RBP_SAME;
	r->rbp_off = 0;

	/* The return address: undefined in the outermost frame, else it
	 * must be the word below the CFA. */
	if (s->ra.rule == RULE_UNDEFINED || s->ra.rule == RULE_UNSPECIFIED) {
		r->cfa_type = UNWIND_CFA_STOP;
		return;
	}
	if (signal) {
		r->cfa_type = UNWIND_CFA_SIGNAL;
		return;
	}
	if (!at_cfa(&s->ra, &off) || off != -8)
		return;

	if (s->cfa == CFA_OFFSET) {
		reg = s->cfa_reg;
		off = s->cfa_off;
	} else if (s->cfa == CFA_EXPR) {
		n = decode_expr(s->cfa_expr, s->cfa_len, ops, 9);
		if (n == 1 && breg(&ops[0], &reg, &off)) {
			/* checked below */
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
	} else {
		return;
	}
	if ((reg != REG_RSP && reg != REG_RBP) || off < INT32_MIN || off > INT32_MAX)
		return;
	r->cfa_type = reg == REG_RSP ? UNWIND_CFA_RSP : UNWIND_CFA_RBP;
	r->cfa_off = (int32_t)off;

	switch (s->rbp.rule) {
	case RULE_SAME:
		r->rbp_type = UNWIND_RBP_SAME;
		break;
	case RULE_OFFSET:
	case RULE_EXPR:
		if (at_cfa(&s->rbp, &off) && off >= INT16_MIN && off <= INT16_MAX) {
			r->rbp_type = UNWIND_RBP_SAVED;
			r->rbp_off = (int16_t)off;
			break;
		}
		/* fall through */
	default:
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

/* Where the rows of the FDE being run go: [from, hi) of it. */
struct row_sink {
	struct unwind_table *t;
	uint64_t from, hi;
	size_t max_rows;
	bool signal;
};

/* The rules s hold over [start, end): a row at the part of it in the
 * sink's range.  0, -E2BIG or -ENOMEM. */
static int emit(struct row_sink *k, uint64_t start, uint64_t end,
		const struct cfi_state *s)
{
	struct unwind_entry r;

	if (end <= k->from || start >= k->hi)
		return 0;
	r.vaddr = start > k->from ? start : k->from;
	classify(s, k->signal, &r);
	k->t->by_cfa[r.cfa_type]++;
	return add_row(k->t, &r, k->max_rows);
}

static void set_rule(struct cfi_state *s, uint64_t reg, uint8_t rule, int64_t off,
		     const uint8_t *expr, size_t len)
{
	struct reg_state *r = reg == REG_RBP ? &s->rbp : reg == REG_RA ? &s->ra : NULL;

	if (!r)
		return;		/* a register no row depends on */
	r->rule = rule;
	r->off = off;
	r->expr = expr;
	r->len = len;
}

static int read_fixed(const uint8_t **p, const uint8_t *end, size_t n, uint64_t *v)
{
	uint32_t x4;
	uint16_t x2;

	if ((size_t)(end - *p) < n)
		return -1;
	switch (n) {
	case 1:
		*v = **p;
		break;
	case 2:
		memcpy(&x2, *p, 2);
		*v = x2;
		break;
	default:
		memcpy(&x4, *p, 4);
		*v = x4;
		break;
	}
	*p += n;
	return 0;
}

/*
 * Run a CFA program from state *s at location loc.  For a CIE's initial
 * instructions (cie_init), a location advance or a restore is an error,
 * as libdw has it; for an FDE, every advance past the current row emits
 * it into k.  data_addr is the address of the section's first byte when
 * loaded, for DW_CFA_set_loc's pc-relative encodings.  0; -EINVAL for a
 * program that cannot be followed (what came before it stays emitted);
 * -E2BIG or -ENOMEM from the sink.
 */
static int run_cfi(const struct cie_enc *cie, const uint8_t *p, const uint8_t *end,
		   bool cie_init, uint64_t loc, struct cfi_state *s,
		   const uint8_t *sec, uint64_t sec_addr, struct row_sink *k)
{
	struct cfi_state stack[CFI_MAX_DEPTH];
	int depth = 0, err;
	uint64_t row = loc, v, reg, next;
	int64_t off;

	while (p < end) {
		uint8_t op = *p++;

		next = loc;
		switch (op & 0xc0) {
		case DW_CFA_advance_loc:
			next = loc + (uint64_t)(op & 0x3f) * cie->code_align;
			goto advance;
		case DW_CFA_offset:
			off = (int64_t)read_uleb(&p, end) * cie->data_align;
			set_rule(s, op & 0x3f, RULE_OFFSET, off, NULL, 0);
			continue;
		case DW_CFA_restore:
			reg = op & 0x3f;
			goto restore;
		}
		switch (op) {
		case DW_CFA_nop:
			continue;
		case DW_CFA_set_loc:
			if (read_encoded(cie->fde_enc, &p, end,
					 sec_addr + (uint64_t)(p - sec), true, &next))
				return -EINVAL;
			goto advance;
		case DW_CFA_advance_loc1:
		case DW_CFA_advance_loc2:
		case DW_CFA_advance_loc4:
			if (read_fixed(&p, end, op == DW_CFA_advance_loc1 ? 1 :
				       op == DW_CFA_advance_loc2 ? 2 : 4, &v))
				return -EINVAL;
			next = loc + v * cie->code_align;
			goto advance;
		case DW_CFA_def_cfa:
			s->cfa_reg = read_uleb(&p, end);
			s->cfa_off = (int64_t)read_uleb(&p, end);
			s->cfa = CFA_OFFSET;
			continue;
		case DW_CFA_def_cfa_sf:
			s->cfa_reg = read_uleb(&p, end);
			s->cfa_off = read_sleb(&p, end) * cie->data_align;
			s->cfa = CFA_OFFSET;
			continue;
		case DW_CFA_def_cfa_register:
			reg = read_uleb(&p, end);
			if (s->cfa != CFA_OFFSET)
				s->cfa = CFA_INVALID;
			s->cfa_reg = reg;
			continue;
		case DW_CFA_def_cfa_offset:
			off = (int64_t)read_uleb(&p, end);
			goto cfa_offset;
		case DW_CFA_def_cfa_offset_sf:
			off = read_sleb(&p, end) * cie->data_align;
cfa_offset:
			if (s->cfa != CFA_OFFSET)
				s->cfa = CFA_INVALID;
			s->cfa_off = off;
			continue;
		case DW_CFA_def_cfa_expression:
			v = read_uleb(&p, end);
			if (v > (uint64_t)(end - p))
				return -EINVAL;
			s->cfa = CFA_EXPR;
			s->cfa_expr = p;
			s->cfa_len = v;
			p += v;
			continue;
		case DW_CFA_undefined:
			set_rule(s, read_uleb(&p, end), RULE_UNDEFINED, 0, NULL, 0);
			continue;
		case DW_CFA_same_value:
			set_rule(s, read_uleb(&p, end), RULE_SAME, 0, NULL, 0);
			continue;
		case DW_CFA_offset_extended:
			reg = read_uleb(&p, end);
			off = (int64_t)read_uleb(&p, end) * cie->data_align;
			set_rule(s, reg, RULE_OFFSET, off, NULL, 0);
			continue;
		case DW_CFA_offset_extended_sf:
			reg = read_uleb(&p, end);
			off = read_sleb(&p, end) * cie->data_align;
			set_rule(s, reg, RULE_OFFSET, off, NULL, 0);
			continue;
		case DW_CFA_GNU_negative_offset_extended:
			reg = read_uleb(&p, end);
			off = -(int64_t)read_uleb(&p, end) * cie->data_align;
			set_rule(s, reg, RULE_OFFSET, off, NULL, 0);
			continue;
		case DW_CFA_val_offset:
			reg = read_uleb(&p, end);
			off = (int64_t)read_uleb(&p, end) * cie->data_align;
			set_rule(s, reg, RULE_VAL_OFFSET, off, NULL, 0);
			continue;
		case DW_CFA_val_offset_sf:
			reg = read_uleb(&p, end);
			off = read_sleb(&p, end) * cie->data_align;
			set_rule(s, reg, RULE_VAL_OFFSET, off, NULL, 0);
			continue;
		case DW_CFA_register:
			reg = read_uleb(&p, end);
			(void)read_uleb(&p, end);
			set_rule(s, reg, RULE_REGISTER, 0, NULL, 0);
			continue;
		case DW_CFA_expression:
		case DW_CFA_val_expression:
			reg = read_uleb(&p, end);
			v = read_uleb(&p, end);
			if (v > (uint64_t)(end - p))
				return -EINVAL;
			set_rule(s, reg, op == DW_CFA_expression ? RULE_EXPR : RULE_VAL_EXPR,
				 0, p, v);
			p += v;
			continue;
		case DW_CFA_restore_extended:
			reg = read_uleb(&p, end);
			goto restore;
		case DW_CFA_remember_state:
			if (depth == CFI_MAX_DEPTH)
				return -EINVAL;
			stack[depth++] = *s;
			continue;
		case DW_CFA_restore_state:
			if (!depth)
				return -EINVAL;
			*s = stack[--depth];
			continue;
		case DW_CFA_GNU_args_size:
			(void)read_uleb(&p, end);
			continue;
		default:
			return -EINVAL;
		}
restore:
		/* The CIE's initial rule; not within the CIE itself. */
		if (cie_init)
			return -EINVAL;
		if (reg == REG_RBP)
			s->rbp = cie->init_state.rbp;
		else if (reg == REG_RA)
			s->ra = cie->init_state.ra;
		continue;
advance:
		/* A new row: the rules so far hold over [row, next). */
		if (cie_init)
			return -EINVAL;
		if (next > row) {
			err = emit(k, row, next, s);
			if (err)
				return err;
			row = next;
		}
		loc = next;
	}
	/* The last row runs to the FDE's end. */
	if (!cie_init && k->hi > row)
		return emit(k, row, k->hi, s);
	return 0;
}

/* The rules every FDE of cie starts from; false if its initial
 * instructions cannot be followed. */
static bool cie_initial(struct cie_enc *cie, const uint8_t *sec, uint64_t sec_addr)
{
	struct cfi_state *s = &cie->init_state;

	if (cie->ran)
		return cie->init_ok;
	cie->ran = true;
	/* libdw's x86-64 defaults: rbp and the return address callee-saved
	 * (same value), the CFA undefined. */
	memset(s, 0, sizeof(*s));
	s->cfa = CFA_UNDEFINED;
	s->rbp.rule = RULE_SAME;
	s->ra.rule = RULE_SAME;
	cie->init_ok = run_cfi(cie, cie->init, cie->init_end, true, 0, s, sec,
			       sec_addr, NULL) == 0;
	return cie->init_ok;
}

/* Walk every FDE's rows in address order. */
static int walk(struct fde_list *fl, const uint8_t *sec, uint64_t sec_addr,
		size_t max_rows, struct unwind_table *t)
{
	uint64_t covered = 0;
	size_t i;
	int err;

	for (i = 0; i < fl->n; i++) {
		const struct fde_range *f = &fl->v[i];
		struct cie_enc *cie = &fl->cies[f->cie];
		struct row_sink k = {
			.t = t, .from = f->lo, .hi = f->hi, .max_rows = max_rows,
			.signal = cie->signal,
		};
		struct cfi_state s;
		struct unwind_entry r;

		if (f->hi <= covered)
			continue;	/* duplicate or nested FDE */
		if (k.from < covered)
			k.from = covered;
		t->fdes++;
		if (cie_initial(cie, sec, sec_addr)) {
			s = cie->init_state;
			err = run_cfi(cie, f->insns, f->insns_end, false, f->lo, &s,
				      sec, sec_addr, &k);
			/* A program that cannot be followed further: the
			 * rest of its range has no row of its own. */
			if (err && err != -EINVAL)
				return err;
		}
		covered = f->hi;
		/* What follows, unless the next FDE starts right here or
		 * after alignment padding only (no pc is in there). */
		if (i + 1 == fl->n || fl->v[i + 1].lo >= f->hi + PAD_GAP) {
			memset(&r, 0, sizeof(r));
			r.vaddr = f->hi;
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
	Elf_Data *data;
	Elf_Scn *scn;
	GElf_Shdr sh;
	int err;

	scn = find_section(elf, name, &sh);
	/* Go's linker compresses .debug_frame (SHF_COMPRESSED). */
	if (scn && (sh.sh_flags & SHF_COMPRESSED) && elf_compress(scn, 0, 0) < 0)
		return -EINVAL;
	if (!scn || !(data = elf_getdata(scn, NULL)) || !data->d_size)
		return -ENOENT;
	err = list_fdes(elf, data, sh.sh_addr, eh_frame, &fl);
	if (!err && !fl.n)
		err = -ENOENT;
	if (!err)
		err = walk(&fl, data->d_buf, sh.sh_addr, max_rows, t);
	if (!err)
		t->section = name;
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
