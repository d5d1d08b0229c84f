/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Finding CPython in a process: the executable or a libpython that defines
 * the eval function, its version, where its thread states are found
 * (glibc's thread-specific data, read off pthread_getspecific's code), all
 * as addresses of that process, for the BPF walk of its frames.
 */
#ifndef PROFILER_PYDETECT_H
#define PROFILER_PYDETECT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "python.h"

/* What userspace keeps to name the frames of one process's interpreter. */
struct py_image {
	uint64_t code_type;		/* &PyCode_Type in the process */
	unsigned int major, minor;
	const struct py_offsets *off;	/* py_offsets_for(major, minor) */
	/* The interpreter's file as the process maps it, for messages
	 * (truncated if longer). */
	char path[256];
};

/*
 * Describe the interpreter of process pid: out for the BPF side, img for
 * naming its frames.
 *   0		found and supported;
 *   -ENOENT	no CPython in the process (nothing in why);
 *   -ENOTSUP	CPython that this profiler cannot walk (a version without
 *		offsets, no glibc thread-specific data it recognises, symbols
 *		missing): why says so in one line, naming the pid;
 *   -EAGAIN	CPython whose libc is not mapped yet (just after exec,
 *		before the dynamic loader ran): ask again later;
 *   -ESRCH	the process is gone (or went while it was read);
 *   other -errno on failure to read.
 * why may be NULL.
 */
int py_detect(pid_t pid, struct py_proc *out, struct py_image *img, char *why,
	      size_t whylen);

/*
 * glibc's thread-specific data layout, read off the first bytes of
 * pthread_getspecific (code, len bytes at vaddr): fills t's tsd_base,
 * tsd_size, tsd_data and tsd_keys and returns 0, or -ENOTSUP when the code
 * is not the lookup this understands (no guess).  py_detect's part, on its
 * own for tests.
 */
int py_tsd_layout(const uint8_t *code, size_t len, uint64_t vaddr,
		  struct py_proc *t);

#endif
