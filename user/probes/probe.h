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

#include "symbols/elfsyms.h"

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

/*
 * The entry probe of a Go function timed on its RETs: past its stack check
 * ("cmp rsp, [r14+0x10]; jbe morestack", after a lea/sub into r12 for a
 * large frame), where the body starts.  A stack growth (or a preemption
 * request) sends the function through runtime.morestack and back to its
 * first instruction; a probe past the check sees each call once.  A
 * function without the check (NOSPLIT) gets its entry.  0, or -EINVAL
 * when the code does not decode.
 */
int probe_place_go(const struct elf_func *f, struct probe_point *pp);

/* Most return instructions probe_returns() reports for one function. */
#define PROBE_MAX_RETURNS	64

/* A contiguous part of a function's code (its body, or a ".cold" part
 * the compiler moved away). */
struct probe_range {
	const uint8_t *code;
	size_t len;
	uint64_t vaddr;
};

/* Where a function returns, as probe_returns() finds it. */
struct probe_rets {
	uint64_t at[PROBE_MAX_RETURNS];	/* address of each RET */
	size_t n;
	bool calls;	/* it calls something: an exception may pass through */
};

/*
 * Where a function returns: decode all of its code (nparts ranges, jumps
 * between which stay inside the function) and note the address of each
 * RET and whether it calls anything.  A function whose every way out is a
 * RET can be timed with uprobes on them instead of a return probe (Go
 * code, where the return probe's trampoline breaks the runtime; C++ code,
 * where it breaks exception unwinding).
 *
 * 0; -EINVAL: some bytes do not decode (data in code?); -E2BIG: more RETs
 * than PROBE_MAX_RETURNS; -ENOENT: no RET at all (the function never
 * returns); -EXDEV: it may leave by a jump (a tail call, a jump to a
 * ".cold" part, an indirect jump), where no RET would see the call end.
 */
int probe_returns(const struct probe_range *parts, size_t nparts,
		  struct probe_rets *out);

#endif
