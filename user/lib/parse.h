/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Strict number parsing for the command line: the whole string or nothing. */
#ifndef PROFILER_PARSE_H
#define PROFILER_PARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* 0 on success; -1 when s is not a base-10 number within [min, max]. */
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* Seconds with an optional fraction ("2", "0.5"), > 0 and <= max. */
int parse_seconds(const char *s, double max, double *out);
/*
 * A duration with a unit, "250us", "1.5ms", "2s", "100ns"; a bare number
 * is microseconds (as bcc's offcputime takes them).  At most a day.
 */
int parse_duration_ns(const char *s, uint64_t *out);
/*
 * A comma-separated list of PIDs ("12,34").  Appends to *pids (grown with
 * realloc); 0 on success, -1 on a syntax error with *bad pointing at the
 * offending element.
 */
int parse_pid_list(const char *s, pid_t **pids, int *npids, const char **bad);

/*
 * A kernel CPU list ("0-3,8,10-11", as in /sys/devices/system/cpu/online).
 * Sets cpus[i] for each listed i < max; returns how many, or -1 if malformed.
 */
int parse_cpu_list(const char *s, bool *cpus, int max);

#endif
