// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "symbols/kallsyms.h"

struct ksym {
	uint64_t addr;
	char *name;
	char *module;	/* shared between the symbols of one module */
};

struct kallsyms {
	struct ksym *v;
	size_t n, cap;
	char **modules;
	size_t nmodules, modules_cap;
};

void kallsyms__free(struct kallsyms *k)
{
	size_t i;

	if (!k)
		return;
	for (i = 0; i < k->n; i++)
		free(k->v[i].name);
	for (i = 0; i < k->nmodules; i++)
		free(k->modules[i]);
	free(k->modules);
	free(k->v);
	free(k);
}

/* Modules come in runs, so checking the last one is enough to share names. */
static char *intern_module(struct kallsyms *k, const char *name, size_t len)
{
	char *m;

	if (k->nmodules && strlen(k->modules[k->nmodules - 1]) == len &&
	    !strncmp(k->modules[k->nmodules - 1], name, len))
		return k->modules[k->nmodules - 1];
	m = strndup(name, len);
	if (!m)
		return NULL;
	if (GROW(k->modules, k->nmodules, k->modules_cap)) {
		free(m);
		return NULL;
	}
	k->modules[k->nmodules++] = m;
	return m;
}

static int cmp_ksym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return 0;
}

struct kallsyms *kallsyms__parse(FILE *f)
{
	struct kallsyms *k = calloc(1, sizeof(*k));
	char *line = NULL;
	size_t cap = 0;

	if (!k)
		return NULL;
	while (getline(&line, &cap, f) > 0) {
		uint64_t addr;
		char type;
		int n = 0;
		char *name, *mod, *end;
		struct ksym *s;

		if (sscanf(line, "%" SCNx64 " %c %n", &addr, &type, &n) != 2 || !n)
			continue;
		/* Text symbols only: t/T, and weak ones w/W. */
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		name = line + n;
		name[strcspn(name, "\n")] = '\0';
		mod = strchr(name, '\t');
		if (mod) {
			*mod++ = '\0';
			if (*mod == '[') {
				mod++;
				end = strchr(mod, ']');
				if (!end)
					mod = NULL;
				else
					*end = '\0';
			} else {
				mod = NULL;
			}
		}
		if (!*name)
			continue;
		if (GROW(k->v, k->n, k->cap))
			goto fail;
		s = &k->v[k->n];
		s->addr = addr;
		s->name = strdup(name);
		if (!s->name)
			goto fail;
		s->module = NULL;
		if (mod) {
			s->module = intern_module(k, mod, strlen(mod));
			if (!s->module) {
				free(s->name);
				goto fail;
			}
		}
		k->n++;
	}
	free(line);
	/* Addresses hidden by kptr_restrict read as 0: lookup() rejects them. */
	/* No text symbol at all leaves v NULL, which qsort must not get. */
	if (k->n)
		qsort(k->v, k->n, sizeof(*k->v), cmp_ksym);
	return k;
fail:
	free(line);
	kallsyms__free(k);
	errno = ENOMEM;
	return NULL;
}

struct kallsyms *kallsyms__load(void)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	struct kallsyms *k;

	if (!f)
		return NULL;
	k = kallsyms__parse(f);
	fclose(f);
	return k;
}

bool kallsyms__lookup(const struct kallsyms *k, uint64_t addr,
		      struct ksym_hit *hit)
{
	size_t lo = 0, hi = k->n;
	const struct ksym *s;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return false;
	s = &k->v[lo - 1];
	if (s->addr == 0)
		return false;
	hit->name = s->name;
	hit->module = s->module;
	hit->offset = addr - s->addr;
	return true;
}

size_t kallsyms__count(const struct kallsyms *k)
{
	return k->n;
}
