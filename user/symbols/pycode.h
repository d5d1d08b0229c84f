/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * CPython code objects: the line of an instruction (include/python.h says
 * how the BPF side reports a frame: the code object's address and the
 * instruction index).  The table comes from the target: nothing in it is
 * trusted.
 */
#ifndef PROFILER_PYCODE_H
#define PROFILER_PYCODE_H

#include <stddef.h>
#include <stdint.h>

/*
 * The line of code unit lasti in a 3.11 co_linetable, as co_positions()
 * gives it: *line = -1 when that unit has no line (None).  0, -EINVAL for a
 * malformed or truncated table (never read past len), -ENOENT when lasti
 * lies beyond the table.
 */
int py_linetable_line(const uint8_t *tab, size_t len, int firstlineno,
		      uint32_t lasti, int *line);

#endif
