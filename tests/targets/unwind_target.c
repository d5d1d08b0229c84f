// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Stacks only CFI can walk: built by gcc with -O2 -fomit-frame-pointer (see
 * tests.mk), so rbp is an ordinary register and a frame-pointer walk stops
 * at the first frame.  Each mode spins in a known call chain until killed:
 *
 *   qsort     main -> work_qsort -> qsort (glibc) -> ... -> cmp_spin
 *   recurse   main -> recurse x200 -> spin_leaf
 *   signal    main -> work_plain (spinning); a SIGALRM every 10 ms runs
 *             on_alarm -> handler_spin for ~5 ms: those stacks continue
 *             through __restore_rt into work_plain and main
 *   thread    main waits in pthread_join; thread_main -> thread_spin
 *   plt       main -> work_plt -> plt_tiny (libunwind_plt.so, lazily
 *             bound) a few hundred million times: samples land in the
 *             PLT entry too
 *   fork      on SIGUSR1, forks a child that runs the qsort chain
 *             (main -> forked_child -> work_qsort -> ...); the parent
 *             waits for it
 *
 * It prints "ready" once it is in its chain.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

int plt_tiny(int x);

static volatile uint64_t sink;

/* A few hundred ns of work, nothing the compiler can fold. */
static inline __attribute__((always_inline)) void burn(int n)
{
	for (int i = 0; i < n; i++)
		sink += (uint64_t)i * 2654435761u;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void ready(void)
{
	printf("ready\n");
	fflush(stdout);
}

/* ---- qsort ---- */

NOINLINE static int cmp_spin(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	burn(50);
	return (x > y) - (x < y);
}

NOINLINE static int work_qsort(int *v, int n)
{
	for (int i = 0; i < n; i++)
		v[i] = rand();
	qsort(v, n, sizeof(*v), cmp_spin);
	/* Used after the call: not a tail call. */
	return v[0] + v[n - 1];
}

/* ---- recurse ---- */

NOINLINE static void spin_leaf(void)
{
	burn(1 << 20);
}

NOINLINE static int recurse(int n)
{
	int r;

	if (n == 0) {
		spin_leaf();
		return 0;
	}
	r = recurse(n - 1);
	/* Work after the call: no tail call, a frame per level. */
	sink += r;
	return r + 1;
}

/* ---- signal ---- */

NOINLINE static void handler_spin(void)
{
	uint64_t t0 = now_ns();

	while (now_ns() - t0 < 5000000)
		burn(100);
}

static void on_alarm(int sig)
{
	(void)sig;
	handler_spin();
}

NOINLINE static void work_plain(void)
{
	for (;;)
		burn(1000);
}

/* ---- thread ---- */

NOINLINE static void thread_spin(void)
{
	for (;;)
		burn(1000);
}

static void *thread_main(void *arg)
{
	(void)arg;
	thread_spin();
	return NULL;
}

/* ---- plt ---- */

NOINLINE static int work_plt(void)
{
	int x = 1;

	for (;;)
		x = plt_tiny(x);
	return x;
}

/* ---- fork ---- */

static volatile sig_atomic_t go;

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

NOINLINE static void forked_child(void)
{
	static int v[20000];

	for (;;)
		sink += work_qsort(v, 20000);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (!strcmp(mode, "qsort")) {
		static int v[20000];

		ready();
		for (;;)
			sink += work_qsort(v, 20000);
	} else if (!strcmp(mode, "fork")) {
		pid_t child;

		signal(SIGUSR1, on_usr1);
		ready();
		while (!go)
			usleep(1000);
		child = fork();
		if (child == 0)
			forked_child();
		if (child > 0)
			waitpid(child, NULL, 0);
	} else if (!strcmp(mode, "recurse")) {
		ready();
		for (;;)
			sink += recurse(200);
	} else if (!strcmp(mode, "signal")) {
		struct itimerval it = {
			.it_interval = { .tv_usec = 10000 },
			.it_value = { .tv_usec = 10000 },
		};
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_alarm;
		sigaction(SIGALRM, &sa, NULL);
		setitimer(ITIMER_REAL, &it, NULL);
		ready();
		work_plain();
	} else if (!strcmp(mode, "thread")) {
		pthread_t t;

		if (pthread_create(&t, NULL, thread_main, NULL))
			return 1;
		ready();
		pthread_join(t, NULL);
	} else if (!strcmp(mode, "plt")) {
		ready();
		sink += work_plt();
	} else {
		fprintf(stderr, "usage: unwind_target qsort|recurse|signal|thread|plt|fork\n");
		return 2;
	}
	return 0;
}
