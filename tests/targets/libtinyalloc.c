// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A minimal allocator library that replaces glibc's malloc for every
 * program linked with it, to check that the mem mode traces the allocator
 * a process actually uses.  A bump allocator over one arena with a size
 * header; free only counts.  It also exports the same functions under the
 * prefix tiny_ (for --prefix).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ARENA (64 << 20)

static unsigned char arena[ARENA] __attribute__((aligned(64)));
static size_t used;
static volatile size_t freed;

__attribute__((noinline)) void *tiny_malloc(size_t n)
{
	size_t need = (n + 16 + 15) & ~(size_t)15, at;

	at = __atomic_fetch_add(&used, need, __ATOMIC_RELAXED);
	if (at + need > ARENA)
		return NULL;
	*(size_t *)(arena + at) = n;
	return arena + at + 16;
}

__attribute__((noinline)) void tiny_free(void *p)
{
	if (p)
		__atomic_fetch_add(&freed, 1, __ATOMIC_RELAXED);
}

void *malloc(size_t n)
{
	return tiny_malloc(n);
}

void free(void *p)
{
	tiny_free(p);
}

void *calloc(size_t a, size_t b)
{
	void *p = tiny_malloc(a * b);

	if (p)
		memset(p, 0, a * b);
	return p;
}

void *realloc(void *p, size_t n)
{
	void *q = tiny_malloc(n);

	if (q && p) {
		size_t old = *(size_t *)((unsigned char *)p - 16);

		memcpy(q, p, old < n ? old : n);
	}
	return q;
}
