// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The demo workload `make demo` profiles: a toy request handler that spends
 * about half its CPU time checksumming, most of the rest sorting through
 * libc's qsort (whose frames Debian's libc can't name without debuginfo),
 * and a little formatting.  Runs until killed, or for argv[1] seconds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOINLINE __attribute__((noinline))

static volatile uint64_t sink;

NOINLINE static uint64_t checksum_block(const unsigned char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

NOINLINE static int compare_records(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

NOINLINE static void sort_records(uint32_t *v, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		v[i] = seed;
	}
	qsort(v, n, sizeof(*v), compare_records);
}

NOINLINE static size_t format_response(char *out, size_t cap, const uint32_t *v,
				       size_t n)
{
	size_t len = 0, i;

	for (i = 0; i < n && len + 16 < cap; i++)
		len += snprintf(out + len, cap - len, "%u,", v[i]);
	return len;
}

NOINLINE static void handle_request(unsigned seed)
{
	static unsigned char block[1 << 16];
	static uint32_t records[4096];
	static char response[1 << 15];
	int i;

	memset(block, seed & 0xff, sizeof(block));
	for (i = 0; i < 8; i++)
		sink += checksum_block(block, sizeof(block));
	sort_records(records, 4096, seed);
	sink += format_response(response, sizeof(response), records, 1024);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double stop = argc > 1 ? now() + strtod(argv[1], NULL) : 0;
	unsigned seed = 1;

	while (!stop || now() < stop)
		handle_request(seed++);
	return 0;
}
