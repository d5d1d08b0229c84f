// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * stacks S US THREADS: a workload with S distinct call stacks, for the
 * profiler's memory and report time as the number of stacks grows.
 * Starts THREADS threads, waits for SIGUSR1, then walks each path
 * 0..S-1 once (the threads share them): path p calls, level by level, one
 * of ten functions chosen by p's decimal digits, so every path is its own
 * chain of return addresses.  At the bottom it does one malloc(32) + free
 * (a distinct allocation site per path, for the mem mode) and spins for
 * US microseconds (about one sampling period: one sample per path in the
 * cpu mode).  Prints the CLOCK_REALTIME nanoseconds at which it finished,
 * so the caller can time what a profiler does after its target exits.
 *
 * Build with frame pointers and without sibling calls, so every level
 * stays a frame.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef uint64_t (*step_fn)(int depth, unsigned long path, uint64_t x);

static long spins_per_us;
static long paths, nthreads, spin_us;
static int depth;
static pthread_barrier_t start;
static volatile uint64_t sink;
static step_fn steps[10];

__attribute__((noinline)) static uint64_t leaf(uint64_t x)
{
	void *volatile p = malloc(32);
	long i, n = spin_us * spins_per_us;

	free(p);
	for (i = 0; i < n; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	return x;
}

/* Ten different functions: the multiplier keeps them distinct (no
 * identical-code folding) and the call from being a tail call. */
#define STEP(n)								\
__attribute__((noinline)) static uint64_t step##n(int d, unsigned long p, \
						   uint64_t x)		\
{									\
	x = d ? steps[p % 10](d - 1, p / 10, x) : leaf(x);		\
	return x * (2 * n + 3);						\
}
STEP(0) STEP(1) STEP(2) STEP(3) STEP(4) STEP(5) STEP(6) STEP(7) STEP(8) STEP(9)

static void *worker(void *arg)
{
	long t = (long)arg, p;
	uint64_t x = 0;

	pthread_barrier_wait(&start);
	for (p = t; p < paths; p += nthreads)
		x += steps[p % 10](depth - 1, p / 10, p);
	sink += x;
	return NULL;
}

static double cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Iterations of leaf's loop per microsecond on this CPU. */
static void calibrate(void)
{
	long n = 20000000, i;
	uint64_t x = 1;
	double t0 = cpu_ns();

	for (i = 0; i < n; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	sink += x;
	spins_per_us = (long)(n / ((cpu_ns() - t0) / 1000));
	if (spins_per_us < 1)
		spins_per_us = 1;
}

static long arg(const char *s, const char *what, long min)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || end == s || v < min) {
		fprintf(stderr, "stacks: invalid %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	step_fn all[10] = { step0, step1, step2, step3, step4,
			    step5, step6, step7, step8, step9 };
	struct timespec done;
	pthread_t *tids;
	sigset_t set;
	long i, s;
	int sig;

	if (argc != 4) {
		fprintf(stderr, "usage: stacks S US THREADS\n");
		return 2;
	}
	/* Blocked first: a SIGUSR1 sent while calibrating must wait. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	paths = arg(argv[1], "stack count", 1);
	spin_us = arg(argv[2], "microseconds", 0);
	nthreads = arg(argv[3], "thread count", 1);
	for (i = 0; i < 10; i++)
		steps[i] = all[i];
	/* Enough levels for S paths: one decimal digit each. */
	for (depth = 1, s = 10; s < paths; s *= 10)
		depth++;
	calibrate();
	tids = calloc(nthreads, sizeof(*tids));
	if (!tids || pthread_barrier_init(&start, NULL, nthreads + 1))
		return 1;
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&tids[i], NULL, worker, (void *)i)) {
			fprintf(stderr, "stacks: cannot start thread %ld\n", i);
			return 1;
		}
	sigwait(&set, &sig);
	pthread_barrier_wait(&start);
	for (i = 0; i < nthreads; i++)
		pthread_join(tids[i], NULL);
	clock_gettime(CLOCK_REALTIME, &done);
	printf("%lld\n", (long long)done.tv_sec * 1000000000LL + done.tv_nsec);
	free(tids);
	return 0;
}
