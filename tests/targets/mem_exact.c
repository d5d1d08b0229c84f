// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A target with exact allocation ground truth for the mem mode.  It starts
 * two worker threads that wait; on SIGUSR1 (sent once the profiler is
 * attached), or at once with argv[1] = "now", they allocate through malloc, calloc, realloc and
 * posix_memalign from known call paths, then the process _exit()s so that
 * no exit-time allocation blurs the count.  Expected, with nothing dropped:
 *
 *   site                              allocs  bytes    frees  outstanding
 *   worker_a;alloc_small;malloc        1000   100000   1000   0
 *   worker_a;alloc_zeroed;calloc        200   100000    180   20 (10000 B)
 *   worker_b;alloc_other;malloc         300     9600    300   0
 *   worker_b;grow_first;realloc          50     3200     50   0   (freed by grow_second's realloc)
 *   worker_b;grow_second;realloc         50     6400     50   0
 *   worker_b;alloc_aligned;posix_memalign 10    2560      5   5  (1280 B)
 *   total                              1610   221760   1585   25 (11280 B)
 *
 * With argv[1] = "stay" it prints "done" once the work is over and waits
 * to be killed (for a profiler that keeps running: serve --mem).
 *
 * grow_first's realloc(NULL, 64) makes glibc call malloc internally: that
 * nested call must not be counted twice.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

static volatile sig_atomic_t go;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int done;

/*
 * Keep pointers visible so the compiler can't drop the calls: one per
 * thread.  (A single shared one let worker_a free worker_b's block now and
 * then, leaking its own: a race in the target, not in the profiler.)
 */
static __thread void *volatile sink;

NOINLINE static void *alloc_small(void)
{
	return malloc(100);
}

NOINLINE static void *alloc_zeroed(void)
{
	return calloc(10, 50);
}

NOINLINE static void *alloc_other(void)
{
	return malloc(32);
}

/* Volatile: compilers turn realloc(NULL, n) into malloc(n) otherwise. */
static void *volatile no_block;

NOINLINE static void *grow_first(void)
{
	return realloc(no_block, 64);
}

NOINLINE static void *grow_second(void *p)
{
	return realloc(p, 128);
}

NOINLINE static void *alloc_aligned(void)
{
	void *p = NULL;

	if (posix_memalign(&p, 64, 256))
		return NULL;
	return p;
}

static void wait_go(void)
{
	while (!go)
		usleep(1000);
}

static void finish(void)
{
	pthread_mutex_lock(&lock);
	done++;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
}

NOINLINE static void *worker_a(void *arg)
{
	static void *keep[200];
	int i;

	(void)arg;
	wait_go();
	for (i = 0; i < 1000; i++) {
		sink = alloc_small();
		free(sink);
	}
	for (i = 0; i < 200; i++)
		keep[i] = alloc_zeroed();
	for (i = 0; i < 180; i++)
		free(keep[i]);
	finish();
	pause();
	return NULL;
}

NOINLINE static void *worker_b(void *arg)
{
	static void *keep[10];
	int i;

	(void)arg;
	wait_go();
	for (i = 0; i < 300; i++) {
		sink = alloc_other();
		free(sink);
	}
	for (i = 0; i < 50; i++) {
		void *p = grow_first();

		p = grow_second(p);
		free(p);
	}
	for (i = 0; i < 10; i++)
		keep[i] = alloc_aligned();
	for (i = 0; i < 5; i++)
		free(keep[i]);
	finish();
	pause();
	return NULL;
}

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

int main(int argc, char **argv)
{
	pthread_t a, b;

	/* "now": start at once (when started by the profiler itself). */
	go = argc > 1 && !strcmp(argv[1], "now");
	signal(SIGUSR1, on_usr1);
	if (pthread_create(&a, NULL, worker_a, NULL) ||
	    pthread_create(&b, NULL, worker_b, NULL)) {
		fprintf(stderr, "mem_exact: cannot start threads\n");
		return 1;
	}
	pthread_mutex_lock(&lock);
	while (done < 2)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	if (argc > 1 && !strcmp(argv[1], "stay")) {
		write(STDOUT_FILENO, "done\n", 5);
		for (;;)
			pause();
	}
	/* Linger so the profiler sees the leaks while the process lives. */
	usleep(200000);
	_exit(0);
}
