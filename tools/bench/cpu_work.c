// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cpu_work WORK [THREADS]: fixed CPU work with a deep call graph, for
 * overhead measurements.  Starts THREADS threads (default 1), waits for
 * SIGUSR1 (the tool under test is attached), then the threads share WORK
 * runs of a recursive call tree 14 frames deep.  Prints the wall-clock
 * nanoseconds and the process's CPU nanoseconds the work took.
 *
 * CPU time is the steadier figure on a shared VM: it leaves out time other
 * tenants ran, yet includes the sampling interrupts (this kernel has no
 * IRQ_TIME_ACCOUNTING, so interrupt time is charged to the running task).
 * The threads exist before the tool attaches, so tools that only follow
 * the threads present at attach time (perf record -p) see them all.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile uint64_t sink;
static pthread_barrier_t start;

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

static void *worker(void *arg)
{
	long reps = (long)arg, i;
	uint64_t s = 0;

	pthread_barrier_wait(&start);
	for (i = 0; i < reps; i++)
		s += tree(12, i);
	sink += s;
	return NULL;
}

static long long ns(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000000000LL + (b->tv_nsec - a->tv_nsec);
}

static long arg(const char *s, const char *what)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || end == s || v <= 0) {
		fprintf(stderr, "cpu_work: invalid %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct timespec a, b, ca, cb;
	pthread_t *tids;
	long work, n, i;
	sigset_t set;
	int sig;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: cpu_work WORK [THREADS]\n");
		return 2;
	}
	work = arg(argv[1], "work");
	n = argc > 2 ? arg(argv[2], "thread count") : 1;
	tids = calloc(n, sizeof(*tids));
	if (!tids || pthread_barrier_init(&start, NULL, n + 1))
		return 1;
	/* Blocked before the threads start, so they inherit the mask and
	 * SIGUSR1 reaches sigwait below. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < n; i++)
		if (pthread_create(&tids[i], NULL, worker,
				   (void *)(work / n + (i < work % n)))) {
			fprintf(stderr, "cpu_work: cannot start thread %ld\n", i);
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
	printf("%lld %lld\n", ns(&a, &b), ns(&ca, &cb));
	free(tids);
	return 0;
}
