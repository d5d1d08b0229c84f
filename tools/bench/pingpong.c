// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pingpong N: two threads pass a byte back and forth through two pipes N
 * times, each blocking in read() until the other writes: about two
 * context switches per round trip and thread.  Waits for SIGUSR1 (tools
 * attached) unless N is followed by "now", then prints the wall-clock
 * nanoseconds, the process's CPU nanoseconds (both threads, user + system)
 * and its context switches (voluntary + involuntary), all over the N round
 * trips: the cost per switch is CPU / switches.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static int ping[2], pong[2];
static volatile sig_atomic_t go;

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

static void *peer(void *arg)
{
	char c;

	(void)arg;
	while (read(ping[0], &c, 1) == 1)
		if (write(pong[1], &c, 1) != 1)
			break;
	return NULL;
}

static double tv_ns(const struct timeval *t)
{
	return t->tv_sec * 1e9 + t->tv_usec * 1e3;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 0, i;
	struct rusage r0, r1;
	struct timespec t0, t1;
	pthread_t t;
	char c = 'x';

	if (n <= 0 || pipe(ping) || pipe(pong)) {
		fprintf(stderr, "usage: pingpong N [now]\n");
		return 2;
	}
	signal(SIGUSR1, on_usr1);
	if (pthread_create(&t, NULL, peer, NULL))
		return 1;
	if (argc < 3 || strcmp(argv[2], "now"))
		while (!go)
			pause();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	getrusage(RUSAGE_SELF, &r0);
	for (i = 0; i < n; i++)
		if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
			return 1;
	getrusage(RUSAGE_SELF, &r1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	close(ping[1]);
	pthread_join(t, NULL);
	printf("%.0f %.0f %ld\n",
	       (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec),
	       tv_ns(&r1.ru_utime) + tv_ns(&r1.ru_stime) -
	       tv_ns(&r0.ru_utime) - tv_ns(&r0.ru_stime),
	       (r1.ru_nvcsw + r1.ru_nivcsw) - (r0.ru_nvcsw + r0.ru_nivcsw));
	return 0;
}
