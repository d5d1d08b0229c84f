// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Fixed CPU work with a deep call graph, for overhead measurements: runs a
 * recursive tree of calls a fixed number of times and prints the
 * nanoseconds it took, wall clock and the thread's own CPU time.  CPU time
 * is the steadier figure on a shared VM: it leaves out time other tenants
 * ran, yet includes the sampling interrupts (this kernel has no
 * IRQ_TIME_ACCOUNTING, so interrupt time is charged to the running task).
 * argv[2]: seconds to sleep first, so a profiler can attach with -p.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile uint64_t sink;

__attribute__((noinline)) static uint64_t leaf(uint64_t x)
{
	int i;

	for (i = 0; i < 200; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	return x;
}

__attribute__((noinline)) static uint64_t tree(int depth, uint64_t x)
{
	if (depth == 0)
		return leaf(x);
	return tree(depth - 1, x) ^ tree(depth - 1, x + depth);
}

static long long ns(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000000000LL + (b->tv_nsec - a->tv_nsec);
}

int main(int argc, char **argv)
{
	long reps = argc > 1 ? strtol(argv[1], NULL, 10) : 200;
	double delay = argc > 2 ? strtod(argv[2], NULL) : 0;
	struct timespec a, b, ca, cb, d;
	long i;

	d.tv_sec = (time_t)delay;
	d.tv_nsec = (long)((delay - d.tv_sec) * 1e9);
	nanosleep(&d, NULL);
	clock_gettime(CLOCK_MONOTONIC, &a);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ca);
	for (i = 0; i < reps; i++)
		sink += tree(12, i);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cb);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%lld %lld\n", ns(&a, &b), ns(&ca, &cb));
	return 0;
}
