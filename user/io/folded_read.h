/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Read collapsed stacks ("comm;root;...;leaf COUNT" per line, as
 * render_folded writes them and flamegraph.pl reads them) into a profile
 * with one value type, samples/count.  The first frame of a line is the
 * process name; a frame ending in "_[k]" is a kernel frame, "_[i]" an
 * inlined one, "[unknown]" an address outside every mapping, "lib.so+0x12"
 * an address of a module that no symbol covers; any other text is kept
 * whole as the function's name (so "f (file.c:12)" stays one name).  What
 * was read renders back to the same folded text.
 */
#ifndef PROFILER_FOLDED_READ_H
#define PROFILER_FOLDED_READ_H

#include <stddef.h>

#include "model/profile.h"

/* 0 and *out set (the caller frees it), -EINVAL with the line and what is
 * wrong with it in why, or -ENOMEM. */
int folded__parse(const char *text, size_t len, struct profile **out, char *why,
		  size_t why_len);

#endif
