// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * malloc_loop N: waits for SIGUSR1 (probes attached), then runs N rounds of
 * malloc(64) + free and prints the nanoseconds per round.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t go;
static void *volatile sink;

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000, i;
	struct timespec a, b;

	signal(SIGUSR1, on_usr1);
	while (!go)
		usleep(1000);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		sink = malloc(64);
		free(sink);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
	return 0;
}
