// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A target with known call counts and durations for the lat mode.  Two
 * threads wait; on SIGUSR1 (sent once the profiler traces), or at once with
 * --now, they run:
 *
 *   thread a:  fn_fast      500 calls, busy ~20 us each
 *   thread b:  fn_slow       50 calls, busy ~200 us each
 *              fn_recurse    40 calls of depth 5 = 200 calls, each level
 *                            busy ~10 us before calling the next: ~50, 40,
 *                            30, 20 and 10 us
 *   main:      lib_hot_spin  30 calls (libhot.so), after the threads
 *   nobody:    fn_never
 *
 * Each thread first calls fn_warmup once (2 calls): the first probe hit
 * of a thread or process costs tens of microseconds more than the others
 * (the kernel's uretprobe trampoline page, the thread's BPF storage), and
 * it lands there rather than in a call the tests compare.
 *
 * --truth FILE: each call's duration measured twice, one "function outer
 * inner" line per call (ns), written once the work is done: outer by the
 * caller around the call (CLOCK_MONOTONIC, so with the probes' cost), inner
 * by the function itself from its first clock read to its last.  The
 * profiler's window (entry probe to return probe) lies between the two, so
 * every percentile it reports lies between theirs, whatever interrupts,
 * preemption or a busy hypervisor add to any of the windows.
 * --stay: after one round, print "done" and wait to be killed (for a
 * profiler that keeps running: serve --lat).
 * --loop: repeat the work until killed (a pause of --gap SECONDS between
 * rounds, default 0.1); otherwise exit 0 shortly after one round.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "spin.h"

#define NOINLINE __attribute__((noinline))

#define FAST_CALLS	500
#define SLOW_CALLS	50
#define RECURSE_CALLS	40
#define RECURSE_DEPTH	5
#define LIB_CALLS	30
#define FAST_NS		20000
#define SLOW_NS		200000
#define LEVEL_NS	10000

void lib_hot_spin(double seconds);

static volatile sig_atomic_t go;

/* One thread's measured calls. */
struct truth {
	const char *name[FAST_CALLS + SLOW_CALLS + RECURSE_CALLS * RECURSE_DEPTH];
	uint64_t ns[FAST_CALLS + SLOW_CALLS + RECURSE_CALLS * RECURSE_DEPTH];
	uint64_t inner[FAST_CALLS + SLOW_CALLS + RECURSE_CALLS * RECURSE_DEPTH];
	int n;
};

/* What the function that just returned on this thread measured itself. */
static __thread uint64_t inner_ns;

static struct truth truth_a, truth_b;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A call that took ns to its caller (and inner_ns to itself) returned. */
static void record(struct truth *t, const char *name, uint64_t ns)
{
	t->name[t->n] = name;
	t->inner[t->n] = inner_ns;
	t->ns[t->n++] = ns;
}

/* Busy until ns have passed since start (a clock read per iteration: the
 * error is that of one clock read, tens of ns). */
static inline __attribute__((always_inline)) void busy(uint64_t start, uint64_t ns)
{
	while (now_ns() - start < ns)
		spin_burn(16);
}

NOINLINE void fn_fast(void)
{
	uint64_t s = now_ns();

	busy(s, FAST_NS);
	inner_ns = now_ns() - s;
}

NOINLINE void fn_slow(void)
{
	uint64_t s = now_ns();

	busy(s, SLOW_NS);
	inner_ns = now_ns() - s;
}

NOINLINE void fn_recurse(int depth)
{
	uint64_t s = now_ns(), t0;

	busy(s, LEVEL_NS);
	if (depth > 1) {
		t0 = now_ns();
		fn_recurse(depth - 1);
		record(&truth_b, "fn_recurse", now_ns() - t0);
	}
	inner_ns = now_ns() - s;
}

NOINLINE void fn_warmup(void)
{
	busy(now_ns(), LEVEL_NS);
}

NOINLINE void fn_never(void)
{
	busy(now_ns(), FAST_NS);
}

static void wait_go(void)
{
	while (!go)
		usleep(1000);
}

static void *thread_a(void *arg)
{
	uint64_t t0;
	int i;

	(void)arg;
	wait_go();
	fn_warmup();
	for (i = 0; i < FAST_CALLS; i++) {
		t0 = now_ns();
		fn_fast();
		record(&truth_a, "fn_fast", now_ns() - t0);
	}
	return NULL;
}

static void *thread_b(void *arg)
{
	uint64_t t0;
	int i;

	(void)arg;
	wait_go();
	fn_warmup();
	for (i = 0; i < SLOW_CALLS; i++) {
		t0 = now_ns();
		fn_slow();
		record(&truth_b, "fn_slow", now_ns() - t0);
	}
	for (i = 0; i < RECURSE_CALLS; i++) {
		t0 = now_ns();
		fn_recurse(RECURSE_DEPTH);
		record(&truth_b, "fn_recurse", now_ns() - t0);
	}
	return NULL;
}

static int write_truth(const char *path)
{
	const struct truth *ts[] = { &truth_a, &truth_b };
	FILE *f = fopen(path, "w");
	int i, k;

	if (!f)
		return -1;
	for (k = 0; k < 2; k++)
		for (i = 0; i < ts[k]->n; i++)
			fprintf(f, "%s %llu %llu\n", ts[k]->name[i],
				(unsigned long long)ts[k]->ns[i],
				(unsigned long long)ts[k]->inner[i]);
	return fclose(f);
}

static int round_once(void)
{
	pthread_t a, b;
	int i;

	truth_a.n = truth_b.n = 0;
	if (pthread_create(&a, NULL, thread_a, NULL) ||
	    pthread_create(&b, NULL, thread_b, NULL))
		return -1;
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	/* After the threads: two busy threads for two CPUs is enough. */
	for (i = 0; i < LIB_CALLS; i++)
		lib_hot_spin(0);
	return 0;
}

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: lat_target [--now] [--truth FILE] [--loop] "
		"[--gap SECONDS] [--stay]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *truth = NULL;
	bool loop = false, stay = false;
	double gap = 0.1;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--now"))
			go = 1;
		else if (!strcmp(argv[i], "--loop"))
			loop = true;
		else if (!strcmp(argv[i], "--stay"))
			stay = true;
		else if (!strcmp(argv[i], "--truth") && i + 1 < argc)
			truth = argv[++i];
		else if (!strcmp(argv[i], "--gap") && i + 1 < argc) {
			if (spin_parse_seconds(argv[++i], &gap))
				usage();
		} else
			usage();
	}
	signal(SIGUSR1, on_usr1);
	do {
		if (round_once()) {
			fprintf(stderr, "lat_target: cannot start threads\n");
			return 1;
		}
		if (truth && write_truth(truth)) {
			fprintf(stderr, "lat_target: cannot write %s: %s\n", truth,
				strerror(errno));
			return 1;
		}
		if (loop)
			usleep((useconds_t)(gap * 1e6));
	} while (loop);
	if (stay) {
		printf("done\n");
		fflush(stdout);
		for (;;)
			pause();
	}
	/* Linger: the profiler reads the figures while the process lives. */
	usleep(200000);
	return 0;
}
