// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Target: spins argv[1] seconds in main -> status_spin, then exits with the
 * status given as argv[2], which a profiler running it as a command must
 * pass on as its own.
 */
#include "spin.h"

__attribute__((noinline)) void status_spin(double end)
{
	spin_until(end);
}

int main(int argc, char **argv)
{
	double seconds;
	int status;

	if (argc != 3 || spin_parse_seconds(argv[1], &seconds) ||
	    spin_parse_status(argv[2], &status)) {
		fprintf(stderr, "usage: exit_status SECONDS STATUS(0-255)\n");
		return 2;
	}
	status_spin(spin_now() + seconds);
	return status;
}
