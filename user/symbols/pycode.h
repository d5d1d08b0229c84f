/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * CPython code objects read from a live process: the name, file and line
 * table of the code a Python frame runs (include/python.h says how the BPF
 * side reports a frame: the code object's address and the instruction
 * index).  Everything read is the target's to forge: sizes are capped,
 * strings sanitized, and only the pointers a name needs are followed.
 */
#ifndef PROFILER_PYCODE_H
#define PROFILER_PYCODE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "python.h"

/* Caps on what one code object may make us read and keep. */
#define PY_STR_MAX		4096		/* characters of a name, kept */
#define PY_LINETABLE_MAX	(1u << 20)	/* bytes of co_linetable, kept */

/*
 * The line of code unit lasti in a 3.11 co_linetable, as co_positions()
 * gives it: *line = -1 when that unit has no line (None).  0, -EINVAL for a
 * malformed or truncated table (never read past len), -ENOENT when lasti
 * lies beyond the table.
 */
int py_linetable_line(const uint8_t *tab, size_t len, int firstlineno,
		      uint32_t lasti, int *line);

/* What names a Python frame.  Strings are UTF-8 without control
 * characters, never NULL once read. */
struct py_code {
	char *qualname;		/* co_qualname: "Class.method.<locals>.f" */
	char *name;		/* co_name */
	char *filename;		/* co_filename */
	int firstlineno;	/* co_firstlineno */
	uint8_t *linetable;	/* co_linetable, at most PY_LINETABLE_MAX bytes */
	size_t linetable_len;
};

/*
 * Read the code object at addr in process pid.  code_type is the address of
 * PyCode_Type in that process: an object of another type is refused
 * (-EINVAL); 0 skips the check.  0 and out filled (py_code_clear() frees
 * it), or -ESRCH (no such process), -EPERM (not allowed to read it),
 * -EFAULT (an address that is not mapped), -EINVAL (not a code object as
 * this version lays it out), -ENOMEM.  Names longer than PY_STR_MAX
 * characters are cut; a longer line table is cut to PY_LINETABLE_MAX (its
 * later lines are then unknown).
 */
int py_code_read(pid_t pid, uint64_t addr, const struct py_offsets *off,
		 uint64_t code_type, struct py_code *out);

/* Where py_code_read_with() takes its bytes from: all len bytes at addr
 * into buf, 0 or -errno.  py_code_read() uses process_vm_readv(2); tests
 * and the fuzzer use a buffer. */
typedef int (*py_read_fn)(void *ctx, uint64_t addr, void *buf, size_t len);

int py_code_read_with(py_read_fn read, void *ctx, uint64_t addr,
		      const struct py_offsets *off, uint64_t code_type,
		      struct py_code *out);

/* Free what py_code_read() put in c (not c itself); c is zeroed. */
void py_code_clear(struct py_code *c);

/*
 * The line to show for code unit lasti of c: its line in the table, or
 * co_firstlineno (the line of the def) when there is none to give: lasti is
 * PY_LASTI_NONE, lies beyond the (possibly cut) table, the table is
 * malformed, or the unit has no line of its own (co_positions() says None).
 */
int py_code_line(const struct py_code *c, uint32_t lasti);

/*
 * The characters of a string as CPython stores them (n units of kind 1, 2
 * or 4 bytes: Latin-1, UCS-2, UCS-4) as a new NUL-terminated UTF-8 string.
 * Control characters, lone surrogates and values above U+10FFFF become '?'.
 * NULL on allocation failure or a bad kind.  (For tests and the fuzzer.)
 */
char *py_str_utf8(const uint8_t *data, size_t n, unsigned int kind);

/*
 * Code objects read once per (process, address), failures included.  At
 * most PY_CODES_MAX code objects and PY_CODES_MAX_BYTES of their data are
 * kept; past that, new ones are read on every call and not kept.
 */
#define PY_CODES_MAX		65536
#define PY_CODES_MAX_BYTES	(64u << 20)

struct py_codes;

struct py_codes *py_codes__new(void);
/*
 * The code object at addr in pid, or NULL (errno set to what py_code_read()
 * returned, negated back) when it could not be read.  The result stays
 * valid until py_codes__forget() of that pid or py_codes__free(); one read
 * while the cache is full stays valid only until the next
 * py_codes__get().
 */
const struct py_code *py_codes__get(struct py_codes *c, pid_t pid,
				    uint64_t addr, const struct py_offsets *off,
				    uint64_t code_type);
/*
 * The kernel saw the code object at addr again (include/python.h): read it
 * again, and if the address now holds another code object than the one
 * kept (the first was freed and its memory reused), keep the new one: the
 * frames named from now on are the new code's.  1 when replaced, 0 when
 * unchanged (or unreadable: the old one stays), or a read's -errno for an
 * address not kept yet (read and kept as py_codes__get() does).
 */
int py_codes__refresh(struct py_codes *c, pid_t pid, uint64_t addr,
		      const struct py_offsets *off, uint64_t code_type);
/* Drop what is known of pid (it exited or exec'd: its addresses mean
 * other code now). */
void py_codes__forget(struct py_codes *c, pid_t pid);
void py_codes__free(struct py_codes *c);

#endif
