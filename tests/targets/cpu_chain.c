// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Target: main -> chain_a -> chain_b -> chain_hot, where chain_hot spins for
 * the number of seconds given as argv[1].  The profiler should charge nearly
 * every sample to chain_hot with the whole chain above it.
 */
#include "spin.h"

__attribute__((noinline)) void chain_hot(double end)
{
	spin_until(end);
}

__attribute__((noinline)) void chain_b(double end)
{
	spin_burn(SPIN_SMALL);
	chain_hot(end);
}

__attribute__((noinline)) void chain_a(double end)
{
	spin_burn(SPIN_SMALL);
	chain_b(end);
}

int main(int argc, char **argv)
{
	double seconds;

	if (argc != 2 || spin_parse_seconds(argv[1], &seconds)) {
		fprintf(stderr, "usage: cpu_chain SECONDS\n");
		return 2;
	}
	chain_a(spin_now() + seconds);
	return 0;
}
