// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A target whose threads wait in known ways, for the offcpu and wall modes.
 * For SECONDS (default 2) from its start, each thread (named with
 * pthread_setname_np, its function noinline):
 *
 *   compute   compute_loop   spins on the CPU
 *   sleeper   sleep_wait     nanosleep(100 ms), again and again
 *   locker    lock_wait      pthread_mutex_lock on a mutex that holder holds
 *                            500 ms at a time
 *   holder    hold_lock      locks, sleeps 500 ms, unlocks (handshakes with
 *                            locker by semaphores, so that each lock_wait
 *                            starts while the mutex is held)
 *   reader    pipe_wait      read() of a pipe
 *   writer    write_pipe     writes the pipe every 200 ms
 *   vforker   vfork_wait     vfork() of a child that sleeps 300 ms: the
 *                            parent waits uninterruptibly (state D)
 *   main      joins them
 *
 * --truth FILE, written at the end: "pid PID", then one line per thread:
 *   NAME WAIT_NS WALL_NS CPU_NS
 * WAIT_NS is the time measured around the thread's waiting call
 * (CLOCK_MONOTONIC; 0 for compute, holder, writer and main), WALL_NS from
 * the thread's start to its end, CPU_NS its CLOCK_THREAD_CPUTIME_ID.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

enum { COMPUTE, SLEEPER, LOCKER, HOLDER, READER, WRITER, VFORKER, MAIN, NTHREADS };

static const char *const names[NTHREADS] = {
	"compute", "sleeper", "locker", "holder", "reader", "writer", "vforker",
	"main",
};

struct figures {
	uint64_t wait_ns, start_ns, end_ns, cpu_ns;
};

static struct figures fig[NTHREADS];
static uint64_t deadline;
static atomic_int stop;
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static sem_t held, taken;
static int pipefd[2];
static volatile uint64_t sink;

static uint64_t now_ns(clockid_t clock)
{
	struct timespec t;

	clock_gettime(clock, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + t.tv_nsec;
}

static void nap(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&t, &t) && errno == EINTR)
		;
}

static void begin(int who)
{
	char name[16];

	snprintf(name, sizeof(name), "%s", names[who]);
	pthread_setname_np(pthread_self(), name);
	fig[who].start_ns = now_ns(CLOCK_MONOTONIC);
}

static void end(int who)
{
	fig[who].end_ns = now_ns(CLOCK_MONOTONIC);
	fig[who].cpu_ns = now_ns(CLOCK_THREAD_CPUTIME_ID);
}

static bool over(void)
{
	return now_ns(CLOCK_MONOTONIC) >= deadline;
}

NOINLINE static void compute_loop(void)
{
	uint64_t x = 1;
	int i;

	while (!over())
		for (i = 0; i < 100000; i++)
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	sink = x;
}

NOINLINE static uint64_t sleep_wait(void)
{
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);

	nap(100);
	return now_ns(CLOCK_MONOTONIC) - t0;
}

NOINLINE static uint64_t lock_wait(void)
{
	uint64_t t0 = now_ns(CLOCK_MONOTONIC), t;

	pthread_mutex_lock(&mutex);
	t = now_ns(CLOCK_MONOTONIC) - t0;
	pthread_mutex_unlock(&mutex);
	return t;
}

NOINLINE static void hold_lock(void)
{
	pthread_mutex_lock(&mutex);
	sem_post(&held);
	nap(500);
	pthread_mutex_unlock(&mutex);
}

NOINLINE static uint64_t pipe_wait(ssize_t *n)
{
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);
	char c;

	*n = read(pipefd[0], &c, 1);
	return now_ns(CLOCK_MONOTONIC) - t0;
}

NOINLINE static void write_pipe(void)
{
	char c = 'x';

	if (write(pipefd[1], &c, 1) != 1)
		abort();
}

/* The child sleeps in the parent's memory, then exits: nothing else is
 * safe after vfork. */
NOINLINE static uint64_t vfork_wait(void)
{
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);
	struct timespec t = { 0, 300000000L };
	pid_t pid = vfork();

	if (pid == 0) {
		syscall(SYS_nanosleep, &t, NULL);
		_exit(0);
	}
	if (pid < 0)
		abort();
	return now_ns(CLOCK_MONOTONIC) - t0;
}

static void *run(void *arg)
{
	int who = (int)(intptr_t)arg;
	ssize_t n;

	begin(who);
	switch (who) {
	case COMPUTE:
		compute_loop();
		break;
	case SLEEPER:
		while (!over())
			fig[who].wait_ns += sleep_wait();
		break;
	case LOCKER:
		for (;;) {
			sem_wait(&held);
			if (atomic_load(&stop))
				break;
			fig[who].wait_ns += lock_wait();
			sem_post(&taken);
		}
		break;
	case HOLDER:
		while (!over()) {
			hold_lock();
			sem_wait(&taken);
		}
		atomic_store(&stop, 1);
		sem_post(&held);
		break;
	case READER:
		do
			fig[who].wait_ns += pipe_wait(&n);
		while (n > 0);
		break;
	case WRITER:
		while (!over()) {
			nap(200);
			write_pipe();
		}
		close(pipefd[1]);
		break;
	case VFORKER:
		while (!over())
			fig[who].wait_ns += vfork_wait();
		break;
	}
	end(who);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[NTHREADS];
	const char *truth = NULL;
	double secs = 2;
	FILE *f;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--truth") && i + 1 < argc)
			truth = argv[++i];
		else
			secs = atof(argv[i]);
	}
	if (secs <= 0 || pipe(pipefd) || sem_init(&held, 0, 0) ||
	    sem_init(&taken, 0, 0)) {
		fprintf(stderr, "usage: offcpu_target [--truth FILE] [SECONDS]\n");
		return 2;
	}
	fig[MAIN].start_ns = now_ns(CLOCK_MONOTONIC);
	deadline = fig[MAIN].start_ns + (uint64_t)(secs * 1e9);
	for (i = 0; i < MAIN; i++)
		if (pthread_create(&t[i], NULL, run, (void *)(intptr_t)i))
			return 1;
	for (i = 0; i < MAIN; i++)
		pthread_join(t[i], NULL);
	end(MAIN);
	if (truth) {
		f = fopen(truth, "w");
		if (!f)
			return 1;
		fprintf(f, "pid %d\n", (int)getpid());
		for (i = 0; i < NTHREADS; i++)
			fprintf(f, "%s %llu %llu %llu\n", names[i],
				(unsigned long long)fig[i].wait_ns,
				(unsigned long long)(fig[i].end_ns - fig[i].start_ns),
				(unsigned long long)fig[i].cpu_ns);
		if (fclose(f))
			return 1;
	}
	return 0;
}
