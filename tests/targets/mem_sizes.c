// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A target for the sampled stacks of the mem mode (--sample-bytes): three
 * sites, one size each, so that the truth of every estimate is known.  On
 * SIGUSR1 (sent once the profiler is attached) the main thread allocates,
 * then lingers so that the live blocks are read, and _exit()s:
 *
 *   site                     allocs   size     bytes      outstanding
 *   site_page;malloc           1000   4096     4096000    0
 *   site_small;malloc         10000    100     1000000    0
 *   site_big;malloc             200  65536    13107200    200 (13107200 B)
 *   total                     11200           18203200    200 (13107200 B)
 */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

static volatile sig_atomic_t go;
static void *volatile sink;
static void *keep[200];

NOINLINE static void *site_page(void)
{
	return malloc(4096);
}

NOINLINE static void *site_small(void)
{
	return malloc(100);
}

NOINLINE static void *site_big(void)
{
	return malloc(65536);
}

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

int main(void)
{
	int i;

	signal(SIGUSR1, on_usr1);
	while (!go)
		usleep(1000);
	for (i = 0; i < 1000; i++) {
		sink = site_page();
		free(sink);
	}
	for (i = 0; i < 10000; i++) {
		sink = site_small();
		free(sink);
	}
	for (i = 0; i < 200; i++)
		keep[i] = site_big();
	usleep(200000);
	_exit(0);
}
