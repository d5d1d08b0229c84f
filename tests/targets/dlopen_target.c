// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Target: spins in main -> before_dlopen for the first half second, then
 * loads libhot.so with dlopen() and spends the rest of argv[1] seconds in
 * main -> call_dlopened -> lib_hot_spin.  A profiler that read the mappings
 * when it attached has never seen libhot.so: it must read them again when
 * an address misses them.
 *
 * The library is argv[2], or libhot.so beside this executable.
 */
#include <dlfcn.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "spin.h"

#define BEFORE_SECONDS	0.5

typedef void (*lib_spin_fn)(double seconds);

__attribute__((noinline)) void before_dlopen(double end)
{
	spin_until(end);
}

__attribute__((noinline)) void call_dlopened(lib_spin_fn fn, double seconds)
{
	spin_burn(SPIN_SMALL);
	fn(seconds);
}

/* libhot.so in the directory of /proc/self/exe; -1 if the path is too long. */
static int lib_beside_exe(char *path, size_t size)
{
	static const char lib[] = "libhot.so";
	ssize_t n;
	char *slash;

	n = readlink("/proc/self/exe", path, size - 1);
	if (n < 0)
		return -1;
	path[n] = '\0';
	slash = strrchr(path, '/');
	if (!slash || (size_t)(slash + 1 - path) + sizeof(lib) > size)
		return -1;
	memcpy(slash + 1, lib, sizeof(lib));
	return 0;
}

int main(int argc, char **argv)
{
	char path[PATH_MAX];
	double seconds, before, t0;
	lib_spin_fn fn;
	void *lib;

	if (argc < 2 || argc > 3 || spin_parse_seconds(argv[1], &seconds)) {
		fprintf(stderr, "usage: dlopen_target SECONDS [LIBRARY]\n");
		return 2;
	}
	if (argc == 3) {
		if (strlen(argv[2]) >= sizeof(path)) {
			fprintf(stderr, "dlopen_target: path too long\n");
			return 2;
		}
		strcpy(path, argv[2]);
	} else if (lib_beside_exe(path, sizeof(path))) {
		fprintf(stderr, "dlopen_target: where is my executable?\n");
		return 1;
	}

	t0 = spin_now();
	before = seconds < BEFORE_SECONDS ? seconds : BEFORE_SECONDS;
	before_dlopen(t0 + before);

	lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		fprintf(stderr, "dlopen_target: %s\n", dlerror());
		return 1;
	}
	fn = (lib_spin_fn)dlsym(lib, "lib_hot_spin");
	if (!fn) {
		fprintf(stderr, "dlopen_target: %s\n", dlerror());
		dlclose(lib);
		return 1;
	}
	/* Whatever remains of the run, dlopen's own time included. */
	seconds -= spin_now() - t0;
	call_dlopened(fn, seconds > 0 ? seconds : 0);
	dlclose(lib);
	return 0;
}
