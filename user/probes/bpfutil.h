/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Small things every mode's loader does with libbpf. */
#ifndef PROFILER_BPFUTIL_H
#define PROFILER_BPFUTIL_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Sum keys first..first+n-1 of a per-CPU array map over all possible CPUs
 * into out[0..n-1] (max: the largest per-CPU value instead of the sum).
 * 0 or -errno; keys that can't be read count as 0.
 */
int percpu_array_read(int fd, uint32_t first, uint32_t n, uint64_t *out,
		      bool max);
/* One line for a failed skeleton load (privileges, or -v for the log). */
void report_load_error(int err);
/*
 * Entries of a BPF hash map with 8-byte keys, counted by walking its keys;
 * a key deleted under the walk sends it back to the start, so the walk
 * stops after max steps (the map's size) and says at most max.
 */
uint64_t map_count_entries(int fd, uint64_t max);

#endif
