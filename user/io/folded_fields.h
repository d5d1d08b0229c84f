/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What collapsed stacks mark a frame's kind with, at the end of its text:
 * one definition for the writer (render/folded.c, and speedscope's names)
 * and the reader (folded_read.c).  docs/formats.md lists them.
 */
#ifndef PROFILER_FOLDED_FIELDS_H
#define PROFILER_FOLDED_FIELDS_H

#define FOLDED_KERNEL_SUFFIX	"_[k]"	/* perf's and flamegraph.pl's */
#define FOLDED_INLINED_SUFFIX	"_[i]"	/* flamegraph.pl's */
#define FOLDED_PYTHON_SUFFIX	"_[py]"	/* a Python function */
/* An address outside every mapping. */
#define FOLDED_UNKNOWN_FRAME	"[unknown]"

#endif
