/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Where to put a uprobe on a function, for every mode that probes one.
 *
 * A uprobe hit costs little when the kernel can emulate the probed
 * instruction (push of a register, jmp, call, jcc: about 0.6 us here) and
 * much more when it must single-step it out of line (about 11 us).  A
 * return probe must sit on the first instruction (the kernel takes the
 * return address from the stack there), but an entry-only probe may move
 * down the straight-line start of the function to the first emulated
 * instruction, as long as nothing before it branches or changes the
 * argument registers the probe reads.
 */
#ifndef PROFILER_PROBE_H
#define PROFILER_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elfsyms.h"

/* x86-64 argument registers, for probe_place()'s regs_read mask. */
#define PROBE_ARG0	0x01	/* rdi */
#define PROBE_ARG1	0x02	/* rsi */
#define PROBE_ARG2	0x04	/* rdx */
#define PROBE_ARG3	0x08	/* rcx */

struct probe_point {
	uint64_t offset;	/* file offset to attach at */
	uint64_t delta;		/* bytes after the function's start */
	bool emulated;		/* the probed instruction is emulated */
	char insn[200];		/* the probed instruction, for -v */
	char why[96];		/* why there */
};

/*
 * Choose the probe point for f.  at_entry: the probe must be at the first
 * instruction (return probes, timing).  args: PROBE_ARG* the program reads,
 * which must still hold the arguments where the probe sits.  Returns 0, or
 * -EINVAL when the code can't be decoded (the entry is used then).
 */
int probe_place(const struct elf_func *f, bool at_entry, unsigned int args,
		struct probe_point *pp);

#endif
