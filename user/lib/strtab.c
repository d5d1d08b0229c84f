// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "lib/hashmap.h"
#include "lib/strtab.h"

struct strtab {
	char **v;
	size_t n, cap;
	struct u64map *index;	/* hash (+ probe step) -> id */
};

struct strtab *strtab__new(void)
{
	struct strtab *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->index = u64map__new();
	if (!t->index || strtab__intern(t, "") != 0) {
		strtab__free(t);
		return NULL;
	}
	return t;
}

void strtab__free(struct strtab *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	u64map__free(t->index);
	free(t);
}

int64_t strtab__intern_len(struct strtab *t, const char *s, size_t len)
{
	uint64_t h = hash_bytes(HASH_SEED, s, len), id;
	char *copy;

	/* Two strings with one hash take the next free key after it. */
	for (;; h++) {
		if (!u64map__get(t->index, h, &id))
			break;
		if (strlen(t->v[id]) == len && !memcmp(t->v[id], s, len))
			return id;
	}
	if (GROW(t->v, t->n, t->cap))
		return -1;
	copy = strndup(s, len);
	if (!copy)
		return -1;
	if (u64map__set(t->index, h, t->n)) {
		free(copy);
		return -1;
	}
	t->v[t->n] = copy;
	return t->n++;
}

int64_t strtab__intern(struct strtab *t, const char *s)
{
	return strtab__intern_len(t, s, strlen(s));
}

const char *strtab__get(const struct strtab *t, uint32_t id)
{
	return id < t->n ? t->v[id] : "";
}

size_t strtab__count(const struct strtab *t)
{
	return t->n;
}
