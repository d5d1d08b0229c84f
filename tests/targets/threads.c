// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Target: NR_WORKERS threads each run thread_worker -> thread_hot for argv[1]
 * seconds while main waits in pthread_join.  Samples from every thread must
 * be counted for the process, so there are more than one CPU's worth.
 * With --after-signal, the threads start only at SIGUSR1 (the profiler
 * attached before they exist).
 */
#include <signal.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "spin.h"

#define NR_WORKERS	4

__attribute__((noinline)) void thread_hot(double end)
{
	spin_until(end);
}

__attribute__((noinline)) void *thread_worker(void *arg)
{
	double end = *(const double *)arg;

	spin_burn(SPIN_SMALL);
	thread_hot(end);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t tids[NR_WORKERS];
	double seconds, end;
	int i, started, err, ret = 0;

	if (argc < 2 || argc > 3 || spin_parse_seconds(argv[1], &seconds) ||
	    (argc == 3 && strcmp(argv[2], "--after-signal"))) {
		fprintf(stderr, "usage: threads SECONDS [--after-signal]\n");
		return 2;
	}
	if (argc == 3) {
		sigset_t set;
		int sig;

		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigprocmask(SIG_BLOCK, &set, NULL);
		printf("ready\n");
		fflush(stdout);
		sigwait(&set, &sig);
	}
	end = spin_now() + seconds;
	for (started = 0; started < NR_WORKERS; started++) {
		err = pthread_create(&tids[started], NULL, thread_worker, &end);
		if (err) {
			fprintf(stderr, "threads: pthread_create: %s\n",
				strerror(err));
			ret = 1;
			break;
		}
	}
	for (i = 0; i < started; i++) {
		err = pthread_join(tids[i], NULL);
		if (err) {
			fprintf(stderr, "threads: pthread_join: %s\n",
				strerror(err));
			ret = 1;
		}
	}
	return ret;
}
