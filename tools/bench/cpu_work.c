// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Fixed CPU work with a deep call graph, for overhead measurements: runs a
 * recursive tree of calls a fixed number of times and prints the
 * nanoseconds it took (CLOCK_MONOTONIC), so start-up costs don't count.
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

int main(int argc, char **argv)
{
	long reps = argc > 1 ? strtol(argv[1], NULL, 10) : 200;
	struct timespec a, b;
	long i;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < reps; i++)
		sink += tree(12, i);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%lld\n", (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec));
	return 0;
}
