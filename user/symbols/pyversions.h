/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The layout of CPython's thread state, interpreter frames and code objects
 * per minor version (x86-64), for the BPF walk and for reading code objects.
 */
#ifndef PROFILER_PYVERSIONS_H
#define PROFILER_PYVERSIONS_H

#include <stdbool.h>
#include "python.h"

/* The offsets of major.minor, or NULL when this profiler has none (the
 * version is then refused: no Python frames rather than garbage). */
const struct py_offsets *py_offsets_for(unsigned int major, unsigned int minor);

/* The offset in _PyRuntime of the int key of the GIL state's
 * thread-specific storage (glibc: a pthread_key_t) for a version with
 * offsets, else 0. */
unsigned int py_runtime_tss_key(unsigned int major, unsigned int minor);

/* Whether major.minor is a version the table knows of at all (with or
 * without offsets), for the wording of a refusal. */
bool py_version_known(unsigned int major, unsigned int minor);

#endif
