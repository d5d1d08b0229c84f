// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <capstone/capstone.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "probes/probe.h"

static bool is_jcc(unsigned int id)
{
	switch (id) {
	case X86_INS_JAE: case X86_INS_JA: case X86_INS_JBE: case X86_INS_JB:
	case X86_INS_JE: case X86_INS_JGE: case X86_INS_JG: case X86_INS_JLE:
	case X86_INS_JL: case X86_INS_JNE: case X86_INS_JNO: case X86_INS_JNP:
	case X86_INS_JNS: case X86_INS_JO: case X86_INS_JP: case X86_INS_JS:
	case X86_INS_JCXZ: case X86_INS_JECXZ: case X86_INS_JRCXZ:
		return true;
	default:
		return false;
	}
}

/* Instructions arch/x86/kernel/uprobes.c emulates instead of
 * single-stepping: push of a general register, and relative branches. */
static bool emulated(const cs_insn *in)
{
	const cs_x86 *x = &in->detail->x86;

	switch (in->id) {
	case X86_INS_PUSH:
		return x->op_count == 1 && x->operands[0].type == X86_OP_REG &&
		       x->operands[0].size == 8;
	case X86_INS_JMP:
	case X86_INS_CALL:
		return x->op_count == 1 && x->operands[0].type == X86_OP_IMM;
	case X86_INS_JCXZ: case X86_INS_JECXZ: case X86_INS_JRCXZ:
		return false;
	default:
		return is_jcc(in->id);
	}
}

static bool branches(const cs_insn *in)
{
	size_t i;

	for (i = 0; i < in->detail->groups_count; i++) {
		switch (in->detail->groups[i]) {
		case CS_GRP_JUMP:
		case CS_GRP_CALL:
		case CS_GRP_RET:
		case CS_GRP_INT:
		case CS_GRP_IRET:
			return true;
		}
	}
	return false;
}

/* Does in write one of the argument registers in args? */
static bool clobbers(csh h, const cs_insn *in, unsigned int args)
{
	static const struct { x86_reg r[4]; unsigned int bit; } regs[] = {
		{ { X86_REG_RDI, X86_REG_EDI, X86_REG_DI, X86_REG_DIL }, PROBE_ARG0 },
		{ { X86_REG_RSI, X86_REG_ESI, X86_REG_SI, X86_REG_SIL }, PROBE_ARG1 },
		{ { X86_REG_RDX, X86_REG_EDX, X86_REG_DX, X86_REG_DL }, PROBE_ARG2 },
		{ { X86_REG_RCX, X86_REG_ECX, X86_REG_CX, X86_REG_CL }, PROBE_ARG3 },
	};
	cs_regs rd, wr;
	uint8_t nrd, nwr, i, j, k;

	if (cs_regs_access(h, in, rd, &nrd, wr, &nwr))
		return true;	/* unknown: assume the worst */
	for (i = 0; i < nwr; i++)
		for (j = 0; j < sizeof(regs) / sizeof(regs[0]); j++)
			for (k = 0; k < 4; k++)
				if ((args & regs[j].bit) && wr[i] == regs[j].r[k])
					return true;
	return false;
}

static void describe(const cs_insn *in, char *buf, size_t len)
{
	snprintf(buf, len, "%.31s%s%.159s", in->mnemonic, in->op_str[0] ? " " : "",
		 in->op_str);
}

int probe_place(const struct elf_func *f, bool at_entry, unsigned int args,
		struct probe_point *pp)
{
	size_t count, i;
	cs_insn *insn;
	csh h;
	int err = 0;

	memset(pp, 0, sizeof(*pp));
	pp->offset = f->offset;
	snprintf(pp->why, sizeof(pp->why), "function entry");
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return -EINVAL;
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	count = cs_disasm(h, f->code, f->code_len, f->vaddr, 16, &insn);
	if (count == 0) {
		cs_close(&h);
		return -EINVAL;
	}
	describe(&insn[0], pp->insn, sizeof(pp->insn));
	pp->emulated = emulated(&insn[0]);
	if (pp->emulated || at_entry) {
		snprintf(pp->why, sizeof(pp->why), "%s",
			 at_entry ? "function entry (return probe or timing)" :
				    "function entry");
		goto out;
	}
	for (i = 1; i < count; i++) {
		const cs_insn *prev = &insn[i - 1];

		/* Every call must still reach insn[i], with its arguments. */
		if (branches(prev) || clobbers(h, prev, args))
			break;
		if (!emulated(&insn[i]))
			continue;
		pp->delta = insn[i].address - f->vaddr;
		pp->offset = f->offset + pp->delta;
		pp->emulated = true;
		describe(&insn[i], pp->insn, sizeof(pp->insn));
		snprintf(pp->why, sizeof(pp->why),
			 "first emulated instruction (entry '%s' is single-stepped)",
			 insn[0].mnemonic);
		goto out;
	}
	snprintf(pp->why, sizeof(pp->why),
		 "function entry (single-stepped; no emulated instruction on the "
		 "straight-line start)");
out:
	cs_free(insn, count);
	cs_close(&h);
	return err;
}

/* cmp REG, [r14 + 0x10]: a Go function comparing its stack with the
 * goroutine's stack guard (g.stackguard0). */
static bool go_stack_check(const cs_insn *in)
{
	const cs_x86 *x = &in->detail->x86;
	int i;

	if (in->id != X86_INS_CMP || x->op_count != 2)
		return false;
	for (i = 0; i < 2; i++)
		if (x->operands[i].type == X86_OP_MEM &&
		    x->operands[i].mem.base == X86_REG_R14 &&
		    x->operands[i].mem.index == X86_REG_INVALID &&
		    x->operands[i].mem.disp == 0x10)
			return true;
	return false;
}

/* Writes rsp (or is anything but the check's own arithmetic). */
static bool go_prologue_insn(const cs_insn *in)
{
	const cs_x86 *x = &in->detail->x86;

	switch (in->id) {
	case X86_INS_LEA:
	case X86_INS_MOV:
	case X86_INS_SUB:
		return x->op_count >= 1 && x->operands[0].type == X86_OP_REG &&
		       x->operands[0].reg != X86_REG_RSP;
	case X86_INS_CMP:
		return true;
	}
	return is_jcc(in->id);
}

int probe_place_go(const struct elf_func *f, struct probe_point *pp)
{
	bool checked = false;
	size_t count, i;
	cs_insn *insn;
	csh h;

	memset(pp, 0, sizeof(*pp));
	pp->offset = f->offset;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return -EINVAL;
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	count = cs_disasm(h, f->code, f->code_len, f->vaddr, 6, &insn);
	for (i = 0; i + 1 < count && go_prologue_insn(&insn[i]); i++) {
		if (go_stack_check(&insn[i]))
			checked = true;
		else if (checked && is_jcc(insn[i].id))
			break;
	}
	if (i + 1 < count && checked && is_jcc(insn[i].id)) {
		i++;
		pp->delta = insn[i].address - f->vaddr;
		pp->offset = f->offset + pp->delta;
		snprintf(pp->why, sizeof(pp->why),
			 "past the stack check (a stack growth restarts the "
			 "function at its entry)");
	} else {
		i = 0;
		snprintf(pp->why, sizeof(pp->why), "function entry (no stack check)");
	}
	if (count) {
		describe(&insn[i], pp->insn, sizeof(pp->insn));
		pp->emulated = emulated(&insn[i]);
		cs_free(insn, count);
	}
	cs_close(&h);
	return count ? 0 : -EINVAL;
}

/* A jump out of every part, or one whose target is unknown. */
static bool leaves(const cs_insn *in, const struct probe_range *parts,
		   size_t nparts)
{
	const cs_x86 *x;
	uint64_t to;
	size_t i;

	if (in->id == X86_INS_LJMP)
		return true;
	if (in->id != X86_INS_JMP && !is_jcc(in->id))
		return false;
	x = &in->detail->x86;
	if (x->op_count != 1 || x->operands[0].type != X86_OP_IMM)
		return true;
	to = (uint64_t)x->operands[0].imm;
	for (i = 0; i < nparts; i++)
		if (to >= parts[i].vaddr && to - parts[i].vaddr < parts[i].len)
			return false;
	return true;
}

int probe_returns(const struct probe_range *parts, size_t nparts,
		  struct probe_rets *out)
{
	const uint8_t *p;
	uint64_t addr;
	size_t left, k;
	cs_insn *in;
	int err = 0;
	csh h;

	out->n = 0;
	out->calls = false;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return -EINVAL;
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	in = cs_malloc(h);
	if (!in) {
		cs_close(&h);
		return -ENOMEM;
	}
	for (k = 0; k < nparts && !err; k++) {
		p = parts[k].code;
		left = parts[k].len;
		addr = parts[k].vaddr;
		while (left > 0) {
			if (!cs_disasm_iter(h, &p, &left, &addr, in)) {
				err = -EINVAL;
				break;
			}
			if (leaves(in, parts, nparts)) {
				err = -EXDEV;
				break;
			}
			if (in->id == X86_INS_CALL || in->id == X86_INS_LCALL)
				out->calls = true;
			if (in->id != X86_INS_RET)
				continue;
			if (out->n == PROBE_MAX_RETURNS) {
				err = -E2BIG;
				break;
			}
			out->at[out->n++] = in->address;
		}
	}
	if (!err && out->n == 0)
		err = -ENOENT;
	cs_free(in, 1);
	cs_close(&h);
	return err;
}
