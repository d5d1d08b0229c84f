/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The loader's half of sampled allocation stacks (include/mem_sample.h
 * has the kernel's): the probability table, and a site's fixed-point
 * sums turned into estimates with their standard errors.
 */
#ifndef PROFILER_MEM_ESTIMATE_H
#define PROFILER_MEM_ESTIMATE_H

#include <stdint.h>

#include "mem.h"

/* Labels of a sampled site (number of stacks taken there, standard
 * errors in bytes), in every output that keeps labels (JSON, pprof). */
#define MEM_LABEL_SAMPLES	"samples"
#define MEM_LABEL_ALLOC_SE	"alloc_space_stderr"
#define MEM_LABEL_INUSE_SE	"inuse_space_stderr"
#define MEM_LABEL_BYTES_SE	"bytes_stderr"	/* of a leak group */

/* tab[MEM_SAMPLE_POINTS]: 1 - exp(-i / MEM_SAMPLE_GRID) in 2^-32. */
void mem_sample_table(__u64 *tab);

/* What a site's sums say, in allocations and bytes. */
struct mem_estimate {
	int64_t allocs, alloc_bytes;
	int64_t inuse_objs, inuse_bytes;
	/* One standard error of alloc_bytes and inuse_bytes (0: exact). */
	double alloc_bytes_se, inuse_bytes_se;
};

/* s's sums (struct mem_site units) at one sample per rate bytes (0: none). */
void mem_estimate_site(const struct mem_site *s, uint64_t rate,
		       struct mem_estimate *e);
/* A sum of variance terms (struct mem_weight.var) as a standard error. */
double mem_estimate_se(uint64_t var, uint64_t rate);
/* Fixed-point allocations and bytes, rounded to whole ones. */
int64_t mem_estimate_objs(uint64_t objs);
int64_t mem_estimate_bytes(uint64_t bytes);

#endif
