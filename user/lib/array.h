/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Growable arrays kept as (pointer, count, capacity), doubling. */
#ifndef PROFILER_ARRAY_H
#define PROFILER_ARRAY_H

#include <errno.h>
#include <stdlib.h>

/* Make room for need elements; 0 or -ENOMEM (the array is kept). */
static inline int array_reserve(void **v, size_t need, size_t *cap, size_t elem)
{
	size_t c = *cap ? *cap : 16;
	void *nv;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	nv = realloc(*v, c * elem);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = c;
	return 0;
}

/* Room for one more element after the n there are. */
#define GROW(arr, n, cap) \
	array_reserve((void **)&(arr), (n) + 1, &(cap), sizeof(*(arr)))

#endif
