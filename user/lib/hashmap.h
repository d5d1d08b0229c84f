/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Open-addressing hash from a 64-bit key to a 64-bit value.  Used where the
 * loader must remember "done once" facts: address -> location, stack ->
 * sample.  Keys are arbitrary (a hash of something larger is fine).
 */
#ifndef PROFILER_HASHMAP_H
#define PROFILER_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct u64map;

struct u64map *u64map__new(void);
void u64map__free(struct u64map *m);
/* true and *val set when key is present. */
bool u64map__get(const struct u64map *m, uint64_t key, uint64_t *val);
/* Insert or overwrite; 0 or -ENOMEM. */
int u64map__set(struct u64map *m, uint64_t key, uint64_t val);
/* Remove key; true if it was there.  The table does not shrink. */
bool u64map__del(struct u64map *m, uint64_t key);
size_t u64map__size(const struct u64map *m);

/* 64-bit FNV-1a, continued from h (start with HASH_SEED). */
#define HASH_SEED 0xcbf29ce484222325ULL
uint64_t hash_bytes(uint64_t h, const void *p, size_t n);
/* A finaliser that spreads the bits of an integer key. */
uint64_t hash_u64(uint64_t x);

#endif
