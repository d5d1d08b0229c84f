// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Target library: lib_hot_spin() burns CPU inside itself, so the profiler has
 * to name a function that lives in libhot.so, not in the main executable.
 */
#include "spin.h"

__attribute__((noinline, visibility("default")))
void lib_hot_spin(double seconds)
{
	spin_until(spin_now() + seconds);
}
