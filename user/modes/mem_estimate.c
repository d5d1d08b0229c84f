// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Sampled allocation stacks, the loader's half: the table the kernel reads
 * its probabilities from, and the estimates of a site (include/mem_sample.h
 * explains the method and the units).
 */
#include <math.h>

#include "modes/mem_estimate.h"

void mem_sample_table(__u64 *tab)
{
	int i;

	/* -expm1(-x) = 1 - e^-x without cancellation at small x. */
	for (i = 0; i < MEM_SAMPLE_POINTS; i++)
		tab[i] = (__u64)llround(-expm1(-(double)i / MEM_SAMPLE_GRID) *
					(double)MEM_P_ONE);
}

int64_t mem_estimate_objs(uint64_t objs)
{
	return (int64_t)((objs + MEM_OBJ_ONE / 2) >> MEM_OBJ_SHIFT);
}

int64_t mem_estimate_bytes(uint64_t bytes)
{
	return (int64_t)((bytes + (1ULL << (MEM_BYTES_SHIFT - 1))) >> MEM_BYTES_SHIFT);
}

double mem_estimate_se(uint64_t var, uint64_t rate)
{
	/* var is the variance over rate, in 2^-MEM_BYTES_SHIFT. */
	return sqrt(ldexp((double)var, -MEM_BYTES_SHIFT) * (double)rate);
}

void mem_estimate_site(const struct mem_site *s, uint64_t rate,
		       struct mem_estimate *e)
{
	/* Frees subtract the weights their allocations added; a free seen
	 * without its allocation's site update (map full) could make them
	 * exceed it. */
	uint64_t objs = s->allocs >= s->frees ? s->allocs - s->frees : 0;
	uint64_t bytes = s->alloc_bytes >= s->free_bytes ?
			 s->alloc_bytes - s->free_bytes : 0;
	uint64_t var = s->alloc_var >= s->free_var ? s->alloc_var - s->free_var : 0;

	e->allocs = mem_estimate_objs(s->allocs);
	e->alloc_bytes = mem_estimate_bytes(s->alloc_bytes);
	e->inuse_objs = mem_estimate_objs(objs);
	e->inuse_bytes = mem_estimate_bytes(bytes);
	e->alloc_bytes_se = rate ? mem_estimate_se(s->alloc_var, rate) : 0;
	e->inuse_bytes_se = rate ? mem_estimate_se(var, rate) : 0;
}
