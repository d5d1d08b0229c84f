// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Facts read about processes: whether a pid is a kernel thread, with a
 * process name that holds ')' and spaces (the name is the process's to
 * choose, and /proc/PID/stat does not quote it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "run/sysinfo.h"

static void test_self_hostile_name(void **state)
{
	char name[64], old[16] = "";
	const char *evil = "x) R 1 2 3 4 5";

	(void)state;
	assert_int_equal(prctl(PR_GET_NAME, old), 0);
	assert_int_equal(prctl(PR_SET_NAME, evil), 0);
	assert_int_equal(sys_is_kernel_thread(getpid(), name, sizeof(name)), 0);
	assert_string_equal(name, evil);
	/* A short buffer gets a cut name, never an overflow. */
	assert_int_equal(sys_is_kernel_thread(getpid(), name, 4), 0);
	assert_string_equal(name, "x) ");
	assert_int_equal(sys_comm(getpid(), name, sizeof(name)), 0);
	assert_string_equal(name, evil);
	assert_int_equal(prctl(PR_SET_NAME, old), 0);
}

static void test_kthreadd(void **state)
{
	char name[64];
	FILE *f = fopen("/proc/2/comm", "re");
	char comm[32] = "";

	(void)state;
	if (f) {
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = 0;
		fclose(f);
	}
	if (strcmp(comm, "kthreadd\n")) {
		skip();
		return;
	}
	assert_int_equal(sys_is_kernel_thread(2, name, sizeof(name)), 1);
	assert_string_equal(name, "kthreadd");
}

/* Our own CPU time grows by what we spend; the grain is a clock tick. */
static void test_cpu_time(void **state)
{
	uint64_t a, b, spent;
	struct timespec t0, t;
	volatile unsigned long x = 0;

	(void)state;
	assert_int_equal(sys_cpu_time_ns(getpid(), &a), 0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	do {
		x++;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
		spent = (uint64_t)(t.tv_sec - t0.tv_sec) * 1000000000ULL +
			(uint64_t)(t.tv_nsec - t0.tv_nsec);
	} while (spent < 200000000ULL);
	assert_int_equal(sys_cpu_time_ns(getpid(), &b), 0);
	/* 200 ms spent; /proc counts in ticks (10 ms at USER_HZ 100). */
	assert_true(b - a >= 150000000ULL);
	assert_int_equal(sys_cpu_time_ns(1 << 23, &a), -ENOENT);
}

static void test_gone(void **state)
{
	char name[8] = "junk";

	(void)state;
	/* Above pid_max (at most 2^22): no such process. */
	assert_int_equal(sys_is_kernel_thread(1 << 23, name, sizeof(name)), -ENOENT);
	assert_string_equal(name, "");
}

static void *parked(void *arg)
{
	char c;

	/* Until the pipe closes. */
	return read(*(int *)arg, &c, 1) < 0 ? NULL : arg;
}

static void test_thread_ids(void **state)
{
	pthread_t t[2];
	pid_t *tids;
	int p[2], n, i, self = 0;

	(void)state;
	assert_int_equal(pipe(p), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, parked, &p[0]), 0);
	n = sys_thread_ids(getpid(), &tids);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++)
		self += tids[i] == (pid_t)syscall(SYS_gettid);
	assert_int_equal(self, 1);
	free(tids);
	close(p[1]);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	close(p[0]);
	assert_int_equal(sys_thread_ids(1 << 23, &tids), -ENOENT);
	assert_null(tids);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self_hostile_name),
		cmocka_unit_test(test_kthreadd),
		cmocka_unit_test(test_cpu_time),
		cmocka_unit_test(test_gone),
		cmocka_unit_test(test_thread_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
