// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "symbols/procmaps.h"

#define DELETED_SUFFIX " (deleted)"

int procmaps__parse_line(const char *line, struct map_entry *e)
{
	char perms[5];
	uint64_t start, end, pgoff, inode;
	unsigned int maj, min;
	int consumed = 0;
	const char *name;
	size_t len;

	memset(e, 0, sizeof(*e));
	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %" SCNu64 "%n",
		   &start, &end, perms, &pgoff, &maj, &min, &inode, &consumed) != 7 ||
	    consumed == 0 || end < start || strlen(perms) != 4)
		return -1;

	e->start = start;
	e->end = end;
	e->pgoff = pgoff;
	e->inode = inode;
	e->dev_major = maj;
	e->dev_minor = min;
	e->exec = perms[2] == 'x';

	name = line + consumed;
	while (*name == ' ' || *name == '\t')
		name++;
	len = strcspn(name, "\n");
	if (len == 0) {
		e->kind = MAP_KIND_ANON;
		return 0;
	}
	if (name[0] == '/' && len > strlen(DELETED_SUFFIX) &&
	    !strncmp(name + len - strlen(DELETED_SUFFIX), DELETED_SUFFIX,
		     strlen(DELETED_SUFFIX))) {
		e->deleted = true;
		len -= strlen(DELETED_SUFFIX);
	}
	e->path = strndup(name, len);
	if (!e->path)
		return -1;
	if (name[0] == '/')
		e->kind = MAP_KIND_FILE;
	else if (!strcmp(e->path, "[vdso]"))
		e->kind = MAP_KIND_VDSO;
	else if (name[0] == '[')
		e->kind = MAP_KIND_SPECIAL;
	else
		/* e.g. memfd:name or anon_inode:... : named but not a path */
		e->kind = MAP_KIND_SPECIAL;
	return 0;
}

void procmaps__clear(struct proc_maps *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->v[i].path);
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

int procmaps__parse(FILE *f, struct proc_maps *out)
{
	char *line = NULL;
	size_t cap = 0, alloc = 0;
	struct proc_maps m = {};
	int err = 0;

	while (getline(&line, &cap, f) > 0) {
		struct map_entry e;

		if (procmaps__parse_line(line, &e)) {
			err = -EINVAL;
			break;
		}
		/* Samples only ever land in executable memory. */
		if (!e.exec) {
			free(e.path);
			continue;
		}
		if (GROW(m.v, m.n, alloc)) {
			free(e.path);
			err = -ENOMEM;
			break;
		}
		m.v[m.n++] = e;
	}
	free(line);
	if (err) {
		procmaps__clear(&m);
		return err;
	}
	*out = m;
	return 0;
}

int procmaps__read(pid_t pid, struct proc_maps *out)
{
	char path[64];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	err = procmaps__parse(f, out);
	fclose(f);
	return err;
}

const struct map_entry *procmaps__find(const struct proc_maps *m, uint64_t addr)
{
	size_t lo = 0, hi = m->n;

	/* The kernel lists mappings sorted by address and disjoint. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct map_entry *e = &m->v[mid];

		if (addr < e->start)
			hi = mid;
		else if (addr >= e->end)
			lo = mid + 1;
		else
			return e;
	}
	return NULL;
}
