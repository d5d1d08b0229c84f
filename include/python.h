/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Python functions in the stacks: what the loader and the BPF side agree on.
 *
 * The loader finds CPython in a process (the executable or a libpython,
 * user/symbols/pydetect.c), and gives the BPF side, per process, where the
 * interpreter's eval function lies, how to find the current thread's state
 * (glibc's thread-specific data: works for threads that released the GIL)
 * and the layout of the interpreter's frames for that version.  When the
 * native unwinder reaches a pc in the eval function, it emits the Python
 * frames that this call of the eval function runs (up to the frame that
 * entered it) in place of the eval function's own frame, then goes on
 * natively (bpf/python.bpf.h).
 *
 * A Python frame takes one slot of a stack's ips, tagged: bit 63 set (no
 * user address has it), the code object's address (16-byte aligned:
 * pymalloc's alignment, stored >> 4) and the instruction index (code units
 * from the start of the code) of the frame.  The loader reads the code
 * object from the process to name it (user/symbols/pycode.c).
 */
#ifndef PROFILER_PYTHON_H
#define PROFILER_PYTHON_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define PY_FRAME_TAG		(1ULL << 63)
#define PY_CODE_SHIFT		4		/* code objects are 16-byte aligned */
#define PY_CODE_BITS		44		/* user addresses < 2^48 */
#define PY_LASTI_SHIFT		PY_CODE_BITS
#define PY_LASTI_BITS		19
/* The instruction index did not fit (or was not readable): the frame is
 * named without a line. */
#define PY_LASTI_NONE		((1u << PY_LASTI_BITS) - 1)

/* Tagged slots with a code address of 0 are markers: the lasti field says
 * what happened (enum py_mark). */
enum py_mark {
	PY_MARK_BAD_READ = 1,	/* an interpreter frame could not be read */
	PY_MARK_NO_THREAD,	/* the thread's state was not found */
	PY_MARK_TRUNCATED,	/* more Python frames than room in the stack */
};

static inline __u64 py_frame_encode(__u64 code, __u64 lasti)
{
	if (lasti > PY_LASTI_NONE)
		lasti = PY_LASTI_NONE;
	return PY_FRAME_TAG | (lasti << PY_LASTI_SHIFT) |
	       ((code >> PY_CODE_SHIFT) & ((1ULL << PY_CODE_BITS) - 1));
}

static inline __u64 py_marker(enum py_mark m)
{
	return PY_FRAME_TAG | ((__u64)m << PY_LASTI_SHIFT);
}

static inline int py_frame_is(__u64 ip)
{
	return (ip & PY_FRAME_TAG) != 0;
}

static inline __u64 py_frame_code(__u64 ip)
{
	return (ip & ((1ULL << PY_CODE_BITS) - 1)) << PY_CODE_SHIFT;
}

static inline __u32 py_frame_lasti(__u64 ip)
{
	return (__u32)((ip >> PY_LASTI_SHIFT) & PY_LASTI_NONE);
}

/* The address to name for slot ip of a user stack: a return address (a
 * slot other than the leaf) is named by its call, one byte before it; a
 * Python frame as it is. */
static inline __u64 user_stack_lookup(__u64 ip, int leaf)
{
	return leaf || py_frame_is(ip) ? ip : ip - 1;
}

/* How an interpreter frame says it is the one that entered the eval
 * function (the last of that call's frames). */
enum py_entry_kind {
	PY_ENTRY_FLAG = 1,	/* 3.11: a byte at frame_entry, non-zero */
	PY_ENTRY_OWNER,		/* 3.12+: owner byte at frame_entry == entry_owner */
};

/* Byte offsets of one CPython version's structures (x86-64).  0xffff: the
 * field does not exist in that version. */
struct py_offsets {
	/* PyThreadState */
	__u16 tstate_cframe;	/* ->cframe (3.11, 3.12); 0xffff from 3.13 */
	__u16 tstate_frame;	/* ->current_frame (3.13+), else 0xffff */
	/* _PyCFrame */
	__u16 cframe_current;	/* ->current_frame */
	/* _PyInterpreterFrame */
	__u16 frame_code;	/* ->f_code (f_executable in 3.13) */
	__u16 frame_previous;	/* ->previous */
	__u16 frame_prev_instr;	/* ->prev_instr (instr_ptr in 3.13) */
	__u16 frame_entry;	/* ->is_entry (3.11) or ->owner (3.12+) */
	__u8 entry_kind;	/* enum py_entry_kind */
	__u8 entry_owner;	/* PY_ENTRY_OWNER: the entry frame's owner value */
	/* PyCodeObject */
	__u16 code_adaptive;	/* co_code_adaptive: first code unit */
	__u16 code_firstlineno;
	__u16 code_filename;
	__u16 code_name;
	__u16 code_qualname;
	__u16 code_linetable;
	/* Where the walk's read of a frame starts: the lowest of the frame
	 * fields above; every one ends within PY_FRAME_READ (64) bytes. */
	__u16 frame_lo;
};

/*
 * One process's interpreter, for the BPF side (map py_procs, by tgid).
 * Addresses are the process's own (load bias applied).
 */
struct py_proc {
	__u64 eval_start, eval_end;	/* _PyEval_EvalFrameDefault */
	__u64 cold_start, cold_end;	/* its .cold part, or 0, 0 */
	__u64 tss_key;			/* the int key of the GIL-state TSS */
	/* glibc's thread-specific data: the value of key k (k < tsd_keys)
	 * is the word at fsbase + tsd_base + k * tsd_size + tsd_data. */
	__u32 tsd_base;
	__u32 tsd_size;
	__u32 tsd_data;
	__u32 tsd_keys;
	__u32 version;			/* 0x030b for 3.11 */
	__u32 pad;
	struct py_offsets off;
};

/* Processes with an interpreter followed at once. */
#define PY_MAX_PROCS	1024

#endif
