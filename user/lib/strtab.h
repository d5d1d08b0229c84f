/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Interned strings: each distinct string stored once and named by a small
 * id (id 0 is always ""), as pprof's string table wants.  Pointers returned
 * stay valid until the table is freed.
 */
#ifndef PROFILER_STRTAB_H
#define PROFILER_STRTAB_H

#include <stddef.h>
#include <stdint.h>

struct strtab;

struct strtab *strtab__new(void);
void strtab__free(struct strtab *t);
/* The id of s, adding it if new; -1 (as int64) on allocation failure. */
int64_t strtab__intern(struct strtab *t, const char *s);
int64_t strtab__intern_len(struct strtab *t, const char *s, size_t len);
const char *strtab__get(const struct strtab *t, uint32_t id);
size_t strtab__count(const struct strtab *t);

#endif
