/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Helpers shared by the integration test targets: a busy loop that the
 * profiler should see as the caller's own work, and strict parsing of the
 * run-time arguments.
 *
 * The work helpers are forced inline so that every sample taken while they
 * run is charged to the named, noinline function that called them; a
 * separate frame here would add a level the tests do not expect.
 */
#ifndef TARGETS_SPIN_H
#define TARGETS_SPIN_H

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/*
 * Iterations between two looks at the clock.  A few hundred microseconds of
 * arithmetic per clock read keeps the vDSO clock far below 1% of samples.
 */
#define SPIN_CHUNK	200000UL

/* Work done by the intermediate functions of a chain before they call on. */
#define SPIN_SMALL	20000UL

/* Written after every chunk so the compiler cannot drop the arithmetic. */
static volatile unsigned long spin_sink;

static inline __attribute__((always_inline)) double spin_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline __attribute__((always_inline)) void spin_burn(unsigned long n)
{
	volatile unsigned long acc = spin_sink;
	unsigned long i;

	for (i = 0; i < n; i++)
		acc = acc * 2862933555777941757UL + i;
	spin_sink = acc;
}

/* Spin in the calling function until the monotonic clock passes @end. */
static inline __attribute__((always_inline)) void spin_until(double end)
{
	do
		spin_burn(SPIN_CHUNK);
	while (spin_now() < end);
}

/* A duration in seconds: finite, >= 0, nothing after the number. */
static inline int spin_parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end != '\0' || !isfinite(v) || v < 0)
		return -1;
	*out = v;
	return 0;
}

/* An exit status, 0..255. */
static inline int spin_parse_status(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < 0 || v > 255)
		return -1;
	*out = (int)v;
	return 0;
}

#endif
