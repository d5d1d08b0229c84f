/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Unwinding user stacks in the kernel from the ELF files' call frame
 * information (.eh_frame, .debug_frame), for code built without frame
 * pointers.  The loader turns each file's CFI into a table of rows sorted by
 * address (user/symbols/unwind_table.c) and stores it in shards; the BPF side
 * (bpf/unwind.bpf.h) finds the row for each frame's pc and steps to the
 * caller.  Everything both sides must agree on is here.
 *
 * Lookup of a pc, per frame:
 *   unwind_procs[tgid]      the process's executable mappings, sorted:
 *                           pc -> {table id, bias}; vaddr = pc - bias
 *   unwind_pages[{id, vaddr >> UNWIND_PAGE_SHIFT}]
 *                           -> the slice of rows that covers that page, in
 *                           one shard (first row: the one in force at the
 *                           page's start)
 *   unwind_shards[shard]    -> a fixed array of UNWIND_SHARD_ROWS rows;
 *                           binary search in the slice
 */
#ifndef PROFILER_UNWIND_H
#define PROFILER_UNWIND_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* What a row says about the CFA (canonical frame address: the caller's
 * stack pointer; its return address is at CFA - 8 on x86-64). */
enum unwind_cfa {
	UNWIND_CFA_RSP = 1,	/* CFA = rsp + cfa_off */
	UNWIND_CFA_RBP,		/* CFA = rbp + cfa_off */
	/* A PLT entry: CFA = rsp + cfa_off, plus 8 once pc & 15 reaches
	 * rbp_off (past the entry's push). */
	UNWIND_CFA_PLT,
	/* A signal trampoline (__restore_rt): the interrupted registers are
	 * in the ucontext at rsp; its pc is exact, not a return address. */
	UNWIND_CFA_SIGNAL,
	/* The return address is undefined: the outermost frame (_start,
	 * clone3's child). */
	UNWIND_CFA_STOP,
	/* CFI this unwinder does not follow (CFA in another register or a
	 * general expression, return address not at CFA - 8). */
	UNWIND_CFA_UNSUPPORTED,
	/* No FDE covers this address (between functions, or code without
	 * CFI). */
	UNWIND_CFA_NONE,
};

enum unwind_rbp {
	UNWIND_RBP_SAME = 0,	/* unchanged in this frame */
	UNWIND_RBP_SAVED,	/* saved at CFA + rbp_off */
	UNWIND_RBP_UNDEFINED,	/* lost: a caller that needs it can't unwind */
};

/* One row: the rule from pc up to the next row's pc. */
struct unwind_row {
	__u32 pc;		/* vaddr - the table's base */
	__s32 cfa_off;
	__s16 rbp_off;
	__u8 cfa_type;		/* enum unwind_cfa */
	__u8 rbp_type;		/* enum unwind_rbp */
};
_Static_assert(sizeof(struct unwind_row) == 12, "unwind_row is shared with BPF");

/* Rows per shard (a power of two: BPF masks indexes with it). */
#define UNWIND_SHARD_BITS	17
#define UNWIND_SHARD_ROWS	(1u << UNWIND_SHARD_BITS)
/* Binary search steps that cover any slice of a shard. */
#define UNWIND_SEARCH_STEPS	(UNWIND_SHARD_BITS + 1)
/* Shards at most (each UNWIND_SHARD_ROWS * 12 bytes = 1.5 MiB). */
#define UNWIND_MAX_SHARDS	256

struct unwind_shard {
	struct unwind_row rows[UNWIND_SHARD_ROWS];
};

/* Tables are indexed by 64 KiB page of their file's address space. */
#define UNWIND_PAGE_SHIFT	16

struct unwind_page_key {
	__u32 table;		/* table id, from 1 */
	__u32 page;		/* (vaddr - table base) >> UNWIND_PAGE_SHIFT */
};
_Static_assert(sizeof(struct unwind_page_key) == 8,
	       "unwind_page_key is shared with BPF");

struct unwind_page {
	__u32 shard;
	__u32 first;		/* index of the slice's first row in the shard */
	__u32 count;		/* rows in the slice, >= 1 */
	__u32 pad;
};
_Static_assert(sizeof(struct unwind_page) == 16, "unwind_page is shared with BPF");

/* Executable mappings of one process the BPF side searches. */
#define UNWIND_MAX_MAPS		256
/* Binary search steps over UNWIND_MAX_MAPS mappings. */
#define UNWIND_MAP_STEPS	9

/* A mapping's table: none (frame pointers in auto mode), a table id, or
 * one that could not be loaded (memory ceiling; frame pointers too). */
#define UNWIND_TABLE_NONE	0
#define UNWIND_TABLE_LOST	0xffffffffu

struct unwind_map {
	__u64 start, end;	/* [start, end) in the process */
	__u64 bias;		/* pc - bias = ELF vaddr; vaddr - base = row pc */
	__u32 table;		/* table id, or UNWIND_TABLE_NONE */
	__u32 pad;
};
_Static_assert(sizeof(struct unwind_map) == 32, "unwind_map is shared with BPF");

/* unwind_proc.flags */
#define UNWIND_PROC_PYTHON	1	/* has an entry in py_procs */

struct unwind_proc {
	__u32 nmaps;		/* valid entries in maps, sorted by start */
	__u32 flags;		/* UNWIND_PROC_* */
	__u64 last_miss_ns;	/* last "unknown mapping" event sent */
	struct unwind_map maps[UNWIND_MAX_MAPS];
};
_Static_assert(sizeof(struct unwind_proc) == 16 + 32 * UNWIND_MAX_MAPS,
	       "unwind_proc is shared with BPF");

/* How a walk ended: kept with the stack, shown as its outermost frame when
 * it says the stack is incomplete. */
enum unwind_end {
	UNWIND_END_OK = 0,	/* reached the outermost frame */
	UNWIND_END_TRUNCATED,	/* PROF_MAX_STACK_DEPTH frames, and more */
	UNWIND_END_NO_PROCESS,	/* the process's mappings are not loaded yet */
	UNWIND_END_NO_MAPPING,	/* pc in no known mapping (loaded since?) */
	UNWIND_END_NO_TABLE,	/* --unwind dwarf: a file without CFI */
	UNWIND_END_NO_ROW,	/* no CFI at that address */
	UNWIND_END_UNSUPPORTED,	/* CFI this unwinder does not follow */
	UNWIND_END_BAD_READ,	/* the stack could not be read there */
	UNWIND_END_BAD_FRAME,	/* the caller's sp is not above the frame's */
	UNWIND_END_TABLE_LOST,	/* a table page or shard is missing */
	UNWIND_END__MAX,
};

/* --unwind */
enum unwind_mode {
	UNWIND_MODE_AUTO = 0,	/* tables where they exist, frame pointers elsewhere */
	UNWIND_MODE_DWARF,	/* tables only */
	UNWIND_MODE_FP,		/* frame pointers only (bpf_get_stack) */
};

/* Default map sizes (options --unwind-pages, --unwind-procs). */
#define UNWIND_DEFAULT_PAGES	65536
#define UNWIND_DEFAULT_PROCS	4096

#endif
