// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * gaps SECONDS [MIN_GAP_NS]: the time a sampling tool takes from its target, seen from
 * inside the target.  Waits for SIGUSR1, then, 14 calls deep (a stack for
 * the tool to walk), reads CLOCK_MONOTONIC in a tight loop for SECONDS.
 * Two consecutive reads are normally about 20 ns apart; a gap of 1 us to
 * 1 ms is an interruption: a sampling interrupt with whatever the tool
 * does in it, the kernel's tick, another tenant of the host.  Prints
 * "elapsed_ns gaps gap_ns median_gap_ns": the gaps counted, their total
 * length and the median length.
 *
 * Run with and without a tool, the difference in gaps per second is the
 * tool's sample rate on this thread and the difference in gap time per
 * second its overhead, with no dependence on how fast the host lets the
 * loop run, which on a shared VM varies by tens of percent between runs
 * of the same fixed work.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Shortest gap counted by default; a second argument sets another. */
#define GAP_MIN_NS	1000
static int64_t gap_min_ns = GAP_MIN_NS;
#define GAP_MAX_NS	1000000

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Gap lengths in HIST_NS buckets up to HIST_MAX_NS (longer ones in the
 * last): the median gap, which a few long stalls of the host do not move
 * as they move the mean. */
#define HIST_NS		10
#define HIST_MAX_NS	200000
static int64_t hist[HIST_MAX_NS / HIST_NS + 1];

__attribute__((noinline)) static void spin(int64_t len, int64_t *gaps, int64_t *gap_ns)
{
	int64_t start = now_ns(), prev = start, t, d;

	do {
		t = now_ns();
		d = t - prev;
		if (d >= gap_min_ns && d < GAP_MAX_NS) {
			(*gaps)++;
			*gap_ns += d;
			hist[d < HIST_MAX_NS ? d / HIST_NS : HIST_MAX_NS / HIST_NS]++;
		}
		prev = t;
	} while (t - start < len);
}

/* The median of the gaps counted, ns (0 without any). */
static int64_t median_gap(int64_t gaps)
{
	int64_t seen = 0;
	size_t i;

	for (i = 0; i < sizeof(hist) / sizeof(hist[0]); i++) {
		seen += hist[i];
		if (gaps && 2 * seen >= gaps)
			return (int64_t)i * HIST_NS + HIST_NS / 2;
	}
	return 0;
}

/* The recursion keeps its frames: the result is used after the call. */
__attribute__((noinline)) static int deep(int depth, int64_t len, int64_t *gaps,
					  int64_t *gap_ns)
{
	if (depth == 0) {
		spin(len, gaps, gap_ns);
		return 0;
	}
	return deep(depth - 1, len, gaps, gap_ns) + 1;
}

int main(int argc, char **argv)
{
	int64_t gaps = 0, gap_ns = 0, t0, t1;
	double secs;
	sigset_t set;
	char *end;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (argc == 3)
		gap_min_ns = strtoll(argv[2], &end, 10);
	if (argc < 2 || argc > 3 || (argc == 3 && (*end || gap_min_ns <= 0)) ||
	    (secs = strtod(argv[1], &end), *end) || secs <= 0) {
		fprintf(stderr, "usage: gaps SECONDS [MIN_GAP_NS]\n");
		return 2;
	}
	sigwait(&set, &sig);
	t0 = now_ns();
	deep(12, (int64_t)(secs * 1e9), &gaps, &gap_ns);
	t1 = now_ns();
	printf("%lld %lld %lld %lld\n", (long long)(t1 - t0), (long long)gaps,
	       (long long)gap_ns, (long long)median_gap(gaps));
	return 0;
}
