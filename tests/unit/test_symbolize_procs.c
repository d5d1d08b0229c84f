// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What the symbolizer keeps of processes over a long run: the same code
 * named in many processes is stored once, and symbolizer__sweep drops the
 * images of processes that exited (or exec'd) only once the caller says no
 * capture may still need them.  The processes are children of this test,
 * stopped in pause(): forks, so the same code at the same addresses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "symbols/symbolize.h"

/* A function of this executable to name in each child. */
__attribute__((noinline, used)) int sweep_marker(int x)
{
	return x * 3 + 1;
}

static pid_t child(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		/* Ended with the test, even one that fails half-way. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	return pid;
}

static void end(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static pid_t dropped_pids[8];
static int ndropped;

static void on_dropped(void *ctx, pid_t pid)
{
	(void)ctx;
	if (ndropped < 8)
		dropped_pids[ndropped++] = pid;
}

static struct symbolizer_stats stats(struct symbolizer *s)
{
	struct symbolizer_stats st;

	symbolizer__stats(s, &st);
	return st;
}

static void name_marker(struct symbolizer *s, pid_t pid, uint32_t gen)
{
	struct frame f[SYMBOLIZER_MAX_FRAMES];
	int n;

	n = symbolizer__resolve_user(s, pid, gen, (uint64_t)(uintptr_t)sweep_marker + 2,
				     f, SYMBOLIZER_MAX_FRAMES);
	assert_true(n >= 1);
	assert_non_null(f[n - 1].name);
	assert_string_equal(f[n - 1].name, "sweep_marker");
}

static void test_same_code_stored_once(void **state)
{
	struct symbolizer *s = symbolizer__new(NULL);
	pid_t a = child(), b = child();
	uint64_t frames;

	(void)state;
	assert_non_null(s);
	assert_true(a > 0 && b > 0);
	assert_int_equal(symbolizer__add_process(s, a, 0), 0);
	name_marker(s, a, 0);
	frames = stats(s).frames;
	assert_true(frames >= 1);
	/* Another process, the same code: named, nothing more stored. */
	assert_int_equal(symbolizer__add_process(s, b, 0), 0);
	name_marker(s, b, 0);
	assert_int_equal(stats(s).frames, frames);
	assert_int_equal(stats(s).processes, 2);
	end(a);
	end(b);
	symbolizer__free(s);
}

static void test_sweep_waits_then_drops(void **state)
{
	struct symbolizer *s = symbolizer__new(NULL);
	pid_t a = child(), b = child();

	(void)state;
	assert_non_null(s);
	ndropped = 0;
	assert_int_equal(symbolizer__add_process(s, a, 0), 0);
	assert_int_equal(symbolizer__add_process(s, b, 0), 0);
	name_marker(s, a, 0);
	/* Both running: nothing goes. */
	assert_int_equal(symbolizer__sweep(s, 1, 100, on_dropped, NULL), 0);
	end(a);
	/* Found gone at 2; a capture begun at 2 may still need it. */
	assert_int_equal(symbolizer__sweep(s, 2, 2, on_dropped, NULL), 0);
	assert_int_equal(stats(s).processes, 2);
	/* Still needed by a capture begun at 1 ... */
	assert_int_equal(symbolizer__sweep(s, 3, 1, on_dropped, NULL), 0);
	/* ... no longer once the oldest capture began after 2. */
	assert_int_equal(symbolizer__sweep(s, 4, 3, on_dropped, NULL), 1);
	assert_int_equal(ndropped, 1);
	assert_int_equal(dropped_pids[0], a);
	assert_int_equal(stats(s).processes, 1);
	assert_int_equal(stats(s).dropped, 1);
	/* b runs on, named as before. */
	name_marker(s, b, 0);

	/* b execs (generation 1 announced): its first image goes too. */
	assert_int_equal(symbolizer__add_process(s, b, 1), 0);
	assert_int_equal(stats(s).processes, 2);
	assert_int_equal(symbolizer__sweep(s, 5, 5, on_dropped, NULL), 0);
	assert_int_equal(symbolizer__sweep(s, 6, 6, on_dropped, NULL), 1);
	assert_int_equal(stats(s).processes, 1);
	name_marker(s, b, 1);
	end(b);
	assert_int_equal(symbolizer__sweep(s, 7, 7, on_dropped, NULL), 0);
	assert_int_equal(symbolizer__sweep(s, 8, 8, on_dropped, NULL), 1);
	assert_int_equal(stats(s).processes, 0);
	assert_int_equal(ndropped, 3);
	symbolizer__free(s);
}

/*
 * A pid announced again after it was found gone is a new process (a reused
 * pid): the mark goes, and the next sweep judges it afresh.
 */
static void test_announced_again_kept(void **state)
{
	struct symbolizer *s = symbolizer__new(NULL);
	pid_t a = child();

	(void)state;
	assert_non_null(s);
	ndropped = 0;
	assert_int_equal(symbolizer__add_process(s, a, 0), 0);
	end(a);
	assert_int_equal(symbolizer__sweep(s, 1, 1, on_dropped, NULL), 0);
	/* Here the process is really gone: its maps cannot be read. */
	assert_int_not_equal(symbolizer__add_process(s, a, 0), 0);
	/* Marked at 1, it would go now; marked again at 2, it stays. */
	assert_int_equal(symbolizer__sweep(s, 2, 2, on_dropped, NULL), 0);
	assert_int_equal(symbolizer__sweep(s, 3, 3, on_dropped, NULL), 1);
	symbolizer__free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_code_stored_once),
		cmocka_unit_test(test_sweep_waits_then_drops),
		cmocka_unit_test(test_announced_again_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
