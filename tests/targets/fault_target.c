// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Targets for the fault table (tests/integration/faults.sh):
 *
 *   fault_target forker SECONDS   fork 1,000 short-lived children a second
 *                                 (each spins ~0.2 ms and exits) for
 *                                 SECONDS, reaping them; prints "forked N"
 *   fault_target threads N SECS   start N threads that block, spin in main
 *                                 for SECS; prints "started N" once all run
 *   fault_target leader_exits SECS
 *                                 a thread spins in spin_before; on SIGUSR1
 *                                 main (the leader) pthread_exits and the
 *                                 thread spins SECS more in spin_after
 *   fault_target exec SECS PROG ARGS...
 *                                 spin in before_exec for SECS, then exec
 *                                 PROG ARGS
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spin.h"

static pthread_barrier_t all_up;
static pthread_mutex_t never = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never_cond = PTHREAD_COND_INITIALIZER;

__attribute__((noinline)) static void child_work(void)
{
	spin_until(spin_now() + 0.0002);
}

__attribute__((noinline)) static void main_spin(double end)
{
	spin_until(end);
}

__attribute__((noinline)) static void before_exec(double end)
{
	spin_until(end);
}

static volatile int leader_gone;
static double after_secs;

__attribute__((noinline)) static void spin_before(void)
{
	while (!leader_gone)
		spin_until(spin_now() + 0.001);
}

__attribute__((noinline)) static void spin_after(void)
{
	spin_until(spin_now() + after_secs);
}

static void *orphan(void *arg)
{
	(void)arg;
	spin_before();
	spin_after();
	exit(0);
}

static int leader_exits(double seconds)
{
	pthread_t t;
	sigset_t set;
	int sig;

	after_secs = seconds;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pthread_create(&t, NULL, orphan, NULL))
		return 1;
	printf("ready\n");
	sigwait(&set, &sig);
	leader_gone = 1;
	pthread_exit(NULL);
}

static void *blocker(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&all_up);
	pthread_mutex_lock(&never);
	for (;;)
		pthread_cond_wait(&never_cond, &never);
	return NULL;
}

static int forker(double seconds)
{
	double end = spin_now() + seconds, next = spin_now();
	long forked = 0;
	pid_t pid;

	while (spin_now() < end) {
		/* Pace: one child per millisecond. */
		while (spin_now() < next)
			;
		next += 0.001;
		pid = fork();
		if (pid == 0) {
			child_work();
			_exit(0);
		}
		if (pid > 0)
			forked++;
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	while (waitpid(-1, NULL, 0) > 0)
		;
	printf("forked %ld\n", forked);
	return 0;
}

__attribute__((noinline)) static int threads(long n, double seconds)
{
	pthread_attr_t attr;
	pthread_t t;
	long i;

	pthread_attr_init(&attr);
	/* Small stacks: 10,000 threads must fit anywhere. */
	pthread_attr_setstacksize(&attr, 64 * 1024);
	pthread_barrier_init(&all_up, NULL, (unsigned)n + 1);
	for (i = 0; i < n; i++) {
		if (pthread_create(&t, &attr, blocker, NULL)) {
			fprintf(stderr, "fault_target: thread %ld: cannot start\n", i);
			return 1;
		}
	}
	pthread_barrier_wait(&all_up);
	printf("started %ld\n", n);
	fflush(stdout);
	main_spin(spin_now() + seconds);
	return 0;
}

int main(int argc, char **argv)
{
	double seconds;
	char *end;
	long n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "forker") &&
	    !spin_parse_seconds(argv[2], &seconds))
		return forker(seconds);
	if (argc == 4 && !strcmp(argv[1], "threads") &&
	    (n = strtol(argv[2], &end, 10)) > 0 && !*end &&
	    !spin_parse_seconds(argv[3], &seconds))
		return threads(n, seconds);
	if (argc == 3 && !strcmp(argv[1], "leader_exits") &&
	    !spin_parse_seconds(argv[2], &seconds))
		return leader_exits(seconds);
	if (argc >= 4 && !strcmp(argv[1], "exec") &&
	    !spin_parse_seconds(argv[2], &seconds)) {
		before_exec(spin_now() + seconds);
		execv(argv[3], argv + 3);
		perror("fault_target: exec");
		return 127;
	}
	fprintf(stderr, "usage: fault_target forker SECS | threads N SECS | "
		"leader_exits SECS | exec SECS PROG [ARGS...]\n");
	return 2;
}
