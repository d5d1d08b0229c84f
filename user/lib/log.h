/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The one error module: every message the user sees goes through here. */
#ifndef PROFILER_LOG_H
#define PROFILER_LOG_H

#include <stdbool.h>

/* Userspace uses __u64/uint64_t; kernel typedefs slipping in are an error. */
#pragma GCC poison u8 u16 u32 u64 s8 s16 s32 s64

enum log_level {
	LOG_QUIET = -1,	/* -q: errors only */
	LOG_NORMAL = 0,
	LOG_VERBOSE = 1,	/* -v: libbpf output, placement and debug lines */
};

extern int log_level;

/* One line each, "profiler: " prefixed, newline added. */
void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void p_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void p_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void p_dbg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Route libbpf's messages: warnings and errors printed with -v, its debug
 * output (the verifier's log) with -vv; otherwise dropped. */
void log_setup_libbpf(void);

#endif
