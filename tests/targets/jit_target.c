// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Target: a tiny JIT.  It copies a counting loop of machine code into
 * anonymous memory, names it jit_spin_loop in /tmp/perf-PID.map as JIT
 * runtimes do, and runs it from main -> call_jit for argv[1] seconds.  No
 * file backs that code, so only the perf map can name it.
 *
 * The generated code sets up no frame pointer: an unwinder walking frame
 * pointers from inside it skips call_jit, and that is expected.
 *
 * The map is removed at exit, also when ended by SIGTERM or SIGINT.
 */
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "spin.h"

/* Loop iterations per call: a few milliseconds. */
#define JIT_ITERATIONS	10000000UL

/*
 * void jit_spin_loop(unsigned long n): count n down to zero.  It sits after
 * a stub of traps, so that its address is not the start of the region and a
 * lookup has to pick the right entry of the map.
 */
#define STUB_SIZE	64

#if defined(__x86_64__)
static const unsigned char spin_code[] = {
	0x48, 0xff, 0xcf,	/* 1: dec  %rdi */
	0x75, 0xfb,		/*    jne  1b */
	0xc3,			/*    ret */
};
static const unsigned char trap_byte = 0xcc;	/* int3 */
#elif defined(__aarch64__)
static const uint32_t spin_code[] = {
	0xf1000400,		/* 1: subs x0, x0, #1 */
	0x54ffffe1,		/*    b.ne 1b */
	0xd65f03c0,		/*    ret */
};
static const unsigned char trap_byte = 0x00;	/* udf #0, four at a time */
#else
#error "jit_target: no machine code for this architecture"
#endif

typedef void (*spin_fn)(unsigned long n);

static char map_path[64];
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

__attribute__((noinline)) void call_jit(spin_fn fn, double end)
{
	do
		fn(JIT_ITERATIONS);
	while (!stop_signal && spin_now() < end);
}

/* Code of size bytes at page-aligned memory, readable and executable. */
static void *jit_emit(size_t *size)
{
	size_t len = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	memset(p, trap_byte, STUB_SIZE);
	memcpy(p + STUB_SIZE, spin_code, sizeof(spin_code));
	__builtin___clear_cache((char *)p, (char *)p + STUB_SIZE +
				sizeof(spin_code));
	if (mprotect(p, len, PROT_READ | PROT_EXEC)) {
		munmap(p, len);
		return NULL;
	}
	*size = len;
	return p;
}

static int write_perf_map(const unsigned char *code)
{
	FILE *f;

	snprintf(map_path, sizeof(map_path), "/tmp/perf-%d.map", (int)getpid());
	f = fopen(map_path, "w");
	if (!f)
		return -1;
	fprintf(f, "%lx %x jit_trap_stub\n", (unsigned long)(uintptr_t)code,
		STUB_SIZE);
	fprintf(f, "%lx %zx jit_spin_loop\n",
		(unsigned long)(uintptr_t)(code + STUB_SIZE),
		sizeof(spin_code));
	if (fclose(f)) {
		unlink(map_path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned char *code;
	double seconds;
	size_t len;

	if (argc != 2 || spin_parse_seconds(argv[1], &seconds)) {
		fprintf(stderr, "usage: jit_target SECONDS\n");
		return 2;
	}
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL)) {
		perror("jit_target: sigaction");
		return 1;
	}
	code = jit_emit(&len);
	if (!code) {
		perror("jit_target: cannot map code");
		return 1;
	}
	if (write_perf_map(code)) {
		perror("jit_target: cannot write the perf map");
		munmap(code, len);
		return 1;
	}
	call_jit((spin_fn)(uintptr_t)(code + STUB_SIZE), spin_now() + seconds);
	unlink(map_path);
	munmap(code, len);
	if (stop_signal) {
		/* Die of the signal, as the sender expects. */
		signal(stop_signal, SIG_DFL);
		raise(stop_signal);
	}
	return 0;
}
