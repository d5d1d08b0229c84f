// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * malloc_loop N [THREADS [DEPTH]]: starts THREADS threads (default 1),
 * waits for SIGUSR1 (probes attached), then each thread runs N rounds of
 * malloc(64) + free, DEPTH calls below its start (default 1: production
 * stacks are deeper, and a stack walk costs per frame).  Prints the wall-clock nanoseconds per round and the
 * process's CPU nanoseconds per round (all threads' rounds counted): the
 * probes' cost is charged to the thread that hits them, so CPU time is
 * the figure that stays meaningful with more threads than CPUs and on a
 * VM whose host runs other work.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static pthread_barrier_t start;
static long depth = 1;

static __attribute__((noinline)) void rounds_of(long n)
{
	void *volatile p;
	long i;

	for (i = 0; i < n; i++) {
		p = malloc(64);
		free(p);
	}
}

/* One real frame per level: the volatile read after the call keeps it
 * from becoming a jump or a loop. */
static __attribute__((noinline)) void descend(long level, long n)
{
	volatile long keep = level;

	if (level <= 1)
		rounds_of(n);
	else
		descend(level - 1, n);
	(void)keep;
}

static void *worker(void *arg)
{
	pthread_barrier_wait(&start);
	descend(depth, (long)arg);
	return NULL;
}

static double ns(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1e9 + (b->tv_nsec - a->tv_nsec);
}

static long arg(const char *s, const char *what)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || end == s || v <= 0) {
		fprintf(stderr, "malloc_loop: invalid %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct timespec a, b, ca, cb;
	long rounds, n, i;
	pthread_t *tids;
	sigset_t set;
	int sig;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: malloc_loop N [THREADS [DEPTH]]\n");
		return 2;
	}
	rounds = arg(argv[1], "round count");
	n = argc > 2 ? arg(argv[2], "thread count") : 1;
	depth = argc > 3 ? arg(argv[3], "depth") : 1;
	tids = calloc(n, sizeof(*tids));
	if (!tids || pthread_barrier_init(&start, NULL, n + 1))
		return 1;
	/* Blocked before the threads start: they inherit the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < n; i++)
		if (pthread_create(&tids[i], NULL, worker, (void *)rounds)) {
			fprintf(stderr, "malloc_loop: cannot start thread %ld\n", i);
			return 1;
		}
	sigwait(&set, &sig);
	clock_gettime(CLOCK_MONOTONIC, &a);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ca);
	pthread_barrier_wait(&start);
	for (i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cb);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.1f %.1f\n", ns(&a, &b) / (rounds * n), ns(&ca, &cb) / (rounds * n));
	free(tids);
	return 0;
}
