/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Kernel function names from /proc/kallsyms, sorted once, binary-searched. */
#ifndef PROFILER_KALLSYMS_H
#define PROFILER_KALLSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct kallsyms;

struct ksym_hit {
	const char *name;
	const char *module;	/* NULL for the core kernel image */
	uint64_t offset;
};

/* Parse a kallsyms listing; NULL on error (errno set). */
struct kallsyms *kallsyms__parse(FILE *f);
/* /proc/kallsyms; NULL with errno when unreadable. */
struct kallsyms *kallsyms__load(void);
void kallsyms__free(struct kallsyms *k);
/* The text symbol at or below addr; false if none (or all addresses are 0). */
bool kallsyms__lookup(const struct kallsyms *k, uint64_t addr,
		      struct ksym_hit *hit);
size_t kallsyms__count(const struct kallsyms *k);

#endif
