/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One named frame of a stack, as the symbolizer produces it and the profile
 * stores it: the model's view, so that the profile needs nothing of how
 * names are found.
 */
#ifndef PROFILER_FRAME_H
#define PROFILER_FRAME_H

#include <stdbool.h>
#include <stdint.h>

/* Most frames one address expands to: inlined calls plus the function. */
#define FRAME_MAX_EXPANSION 16

struct frame {
	const char *name;	/* function name; NULL when it can't be named */
	const char *module;	/* "libc.so.6", "[vdso]", "[kernel.kallsyms]",
				 * a kernel module name; NULL: no mapping */
	const char *path;	/* the module's file, when it has one */
	const char *build_id;	/* hex, "" if unknown */
	uint64_t address;	/* module-relative (ELF vaddr), or kernel address */
	const char *file;	/* source file from DWARF, NULL if unknown */
	unsigned int line;	/* source line, 0 if unknown */
	bool inlined;		/* an inlined call inside the next frame */
	bool kernel;
	/*
	 * A Python function (CPython), not native code: name is its
	 * qualified name ("Outer.level2", "<module>"), file its co_filename,
	 * line the line it is at.  It has no mapping: module, path,
	 * build_id, address, inlined and kernel are not used.
	 */
	bool python;
	unsigned int start_line;	/* the line the function starts at
					 * (Python: co_firstlineno), 0 if unknown */
};

#endif
