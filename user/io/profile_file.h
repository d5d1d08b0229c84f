/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Open a saved profile, whatever wrote it: pprof (gzip-compressed or raw)
 * or collapsed stacks (plain or gzip-compressed), told apart by content,
 * not by name.  For `profiler report` and `profiler diff`.
 */
#ifndef PROFILER_PROFILE_FILE_H
#define PROFILER_PROFILE_FILE_H

#include <stddef.h>

#include "model/profile.h"

enum profile_format {
	PROFILE_PPROF,
	PROFILE_FOLDED,
};

/*
 * Parse the bytes of a saved profile; name is what messages and the default
 * title call it.  0 and *out set, or -EINVAL / -ENOMEM with the reason in
 * why.  A profile without a title gets "NAME (pprof)" or "NAME (folded
 * stacks)".
 */
int profile_file__parse(const void *data, size_t len, const char *name,
			struct profile **out, enum profile_format *fmt, char *why,
			size_t why_len);

/* Read and parse the file at path; 0, or -errno after one p_err line
 * naming the file and what is wrong with it. */
int profile_file__load(const char *path, struct profile **out,
		       enum profile_format *fmt);

#endif
