// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* /tmp/perf-PID.map, which the profiled process writes. */
#include <stdint.h>
#include <stdio.h>

#include "symbols/perfmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct perfmap *m;
	const char *name;
	uint64_t off, probes[] = { 0, 1, 0x1000, 0x400000, 0x7fffffffffff, UINT64_MAX };
	FILE *f;
	size_t i;

	if (!size)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	m = perfmap__parse(f);
	fclose(f);
	if (!m)
		return 0;
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		perfmap__lookup(m, probes[i], &name, &off);
	/* Addresses the input itself mentions. */
	if (size >= 8) {
		uint64_t a;

		__builtin_memcpy(&a, data, 8);
		perfmap__lookup(m, a, &name, &off);
	}
	perfmap__free(m);
	return 0;
}
