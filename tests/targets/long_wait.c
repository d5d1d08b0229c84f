// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * One long wait at a stack seen once before: for the continuous off-CPU
 * engine, whose stack store must keep the stacks of threads still off CPU
 * however long they wait.  Waits for SIGUSR1 (the profiler is attached
 * then), then the main thread reads a pipe twice in wait_read: the first
 * read waits 0.2 s (its stack is counted and copied out of the kernel), the
 * second one LONG seconds (default 5) with the same stack; then it waits in
 * pause() until killed.  A writer thread writes the pipe at those times.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int pipefd[2];
static double long_s = 5.0;

static void nap(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts))
		;
}

static void *writer(void *arg)
{
	(void)arg;
	nap(0.2);
	if (write(pipefd[1], "a", 1) != 1)
		exit(1);
	nap(long_s);
	if (write(pipefd[1], "b", 1) != 1)
		exit(1);
	return NULL;
}

__attribute__((noinline)) static void wait_read(void)
{
	char c;

	if (read(pipefd[0], &c, 1) != 1)
		exit(1);
}

__attribute__((noinline)) static void wait_forever(void)
{
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	pthread_t t;
	sigset_t set;
	int sig;

	if (argc > 1)
		long_s = atof(argv[1]);
	if (argc > 2 || long_s <= 0) {
		fprintf(stderr, "usage: long_wait [SECONDS]\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (pipe(pipefd))
		return 1;
	printf("ready\n");
	fflush(stdout);
	sigwait(&set, &sig);
	if (pthread_create(&t, NULL, writer, NULL))
		return 1;
	wait_read();
	wait_read();
	printf("done\n");
	fflush(stdout);
	wait_forever();
	return 0;
}
