// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * call_loop FUNCTION N: waits for SIGUSR1 (probes attached), then calls
 * FUNCTION N times and prints the wall-clock and the thread's CPU
 * nanoseconds per call (CPU time leaves out what other tenants of a shared
 * host ran, and includes the probes' traps).  The functions do
 * nothing, so the cost per call is the probes': bench_push starts with
 * "push %rbp", which the kernel emulates; bench_mov with "mov %rdi,%rax",
 * which it single-steps (an entry-only probe may move to the push after
 * it).  bench_call calls an empty function; "bench::call(long)"
 * (_ZN5bench4callEl) is the same code under a C++ name, which lat times by
 * probes on its RET instruction instead of a return probe (exceptions may
 * pass through a C++ function that calls).  Written in assembly so that no
 * compiler changes their first instruction.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

long bench_push(long x);
long bench_mov(long x);
long bench_call(long x);
long bench_cxx_call(long x) __asm__("_ZN5bench4callEl");

__asm__(".text\n"
	".globl bench_push\n.type bench_push, @function\nbench_push:\n"
	"\tpush %rbp\n\tmov %rsp, %rbp\n\tmov %rdi, %rax\n\tpop %rbp\n\tret\n"
	".size bench_push, .-bench_push\n"
	".globl bench_mov\n.type bench_mov, @function\nbench_mov:\n"
	"\tmov %rdi, %rax\n\tpush %rbp\n\tmov %rsp, %rbp\n\tpop %rbp\n\tret\n"
	".size bench_mov, .-bench_mov\n"
	".type bench_leaf, @function\nbench_leaf:\n"
	"\tmov %rdi, %rax\n\tret\n"
	".size bench_leaf, .-bench_leaf\n"
	".globl bench_call\n.type bench_call, @function\nbench_call:\n"
	"\tpush %rbp\n\tmov %rsp, %rbp\n\tcall bench_leaf\n\tpop %rbp\n\tret\n"
	".size bench_call, .-bench_call\n"
	".globl _ZN5bench4callEl\n.type _ZN5bench4callEl, @function\n"
	"_ZN5bench4callEl:\n"
	"\tpush %rbp\n\tmov %rsp, %rbp\n\tcall bench_leaf\n\tpop %rbp\n\tret\n"
	".size _ZN5bench4callEl, .-_ZN5bench4callEl\n");

static volatile sig_atomic_t go;
static volatile long sink;

static double ns(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1e9 + (b->tv_nsec - a->tv_nsec);
}

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		long (*fn)(long);
	} fns[] = {
		{ "bench_push", bench_push }, { "bench_mov", bench_mov },
		{ "bench_call", bench_call }, { "_ZN5bench4callEl", bench_cxx_call },
	};
	long (*fn)(long) = NULL;
	struct timespec a, b, ca, cb;
	char *end;
	long n, i;

	for (i = 0; argc == 3 && i < (long)(sizeof(fns) / sizeof(fns[0])); i++)
		if (!strcmp(argv[1], fns[i].name))
			fn = fns[i].fn;
	if (!fn) {
		fprintf(stderr, "usage: call_loop bench_push|bench_mov|bench_call|"
			"_ZN5bench4callEl N\n");
		return 2;
	}
	n = strtol(argv[2], &end, 10);
	if (*end || n <= 0) {
		fprintf(stderr, "call_loop: invalid count '%s'\n", argv[2]);
		return 2;
	}
	signal(SIGUSR1, on_usr1);
	while (!go)
		usleep(1000);
	clock_gettime(CLOCK_MONOTONIC, &a);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ca);
	for (i = 0; i < n; i++)
		sink = fn(i);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cb);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.1f %.1f\n", ns(&a, &b) / n, ns(&ca, &cb) / n);
	return 0;
}
