/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Read a pprof profile (profile.proto, already decompressed) into the
 * profile model: this project's own files exactly as they were written, and
 * other tools' (Go's runtime, `go tool pprof -proto`, perf converters) as
 * closely as the model allows.  docs/formats.md lists what maps to what.
 */
#ifndef PROFILER_PPROF_READ_H
#define PROFILER_PPROF_READ_H

#include <stddef.h>

#include "model/profile.h"

/*
 * 0 and *out set (the caller frees it), -EINVAL with a reason in why
 * ("a sample refers to location 9, which does not exist"), or -ENOMEM.
 * On success why may hold a warning (sample types beyond the model's four
 * dropped), else it is "".
 */
int pprof__parse(const void *data, size_t len, struct profile **out, char *why,
		 size_t why_len);

#endif
