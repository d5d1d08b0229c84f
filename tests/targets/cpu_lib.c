// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Target: main -> call_lib -> lib_hot_spin, the last one in libhot.so (linked
 * with an $ORIGIN rpath, so it is found beside this binary).
 */
#include "spin.h"

void lib_hot_spin(double seconds);

__attribute__((noinline)) void call_lib(double seconds)
{
	spin_burn(SPIN_SMALL);
	lib_hot_spin(seconds);
}

int main(int argc, char **argv)
{
	double seconds;

	if (argc != 2 || spin_parse_seconds(argv[1], &seconds)) {
		fprintf(stderr, "usage: cpu_lib SECONDS\n");
		return 2;
	}
	call_lib(seconds);
	return 0;
}
