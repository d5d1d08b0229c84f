// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A target whose memory grows, then stops growing, on cue: it waits for
 * SIGUSR1, then for SECONDS (default 3) allocates and touches 1 MiB every
 * 100 ms (its RSS grows about 10 MiB a second), prints "grown", and keeps
 * it all until killed.  For serve's growth health rule.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t go;

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 3;
	struct timespec tick = { 0, 100000000L };
	int i, n = (int)(secs * 10);
	char *p;

	signal(SIGUSR1, on_usr1);
	while (!go)
		pause();
	for (i = 0; i < n; i++) {
		p = malloc(1 << 20);
		if (!p)
			return 1;
		memset(p, i + 1, 1 << 20);
		nanosleep(&tick, NULL);
	}
	printf("grown\n");
	fflush(stdout);
	for (;;)
		pause();
}
