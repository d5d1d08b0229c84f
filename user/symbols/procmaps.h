/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* /proc/PID/maps: the address space of a process, as the kernel lists it. */
#ifndef PROFILER_PROCMAPS_H
#define PROFILER_PROCMAPS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

enum map_kind {
	MAP_KIND_FILE,	/* backed by a file: path is absolute */
	MAP_KIND_ANON,	/* no name: heap-like or JIT memory */
	MAP_KIND_VDSO,	/* [vdso] */
	MAP_KIND_SPECIAL,	/* [heap], [stack], [vvar], [vsyscall], ... */
};

struct map_entry {
	uint64_t start, end;	/* [start, end) */
	uint64_t pgoff;		/* file offset of start */
	uint64_t inode;
	unsigned int dev_major, dev_minor;
	bool exec;		/* 'x' permission */
	bool deleted;		/* " (deleted)" stripped from path */
	enum map_kind kind;
	char *path;		/* NULL for MAP_KIND_ANON; "[vdso]" etc. for special */
};

struct proc_maps {
	struct map_entry *v;
	size_t n;
};

/* Parse one line; 0 on success (e->path owned by the caller), -1 if malformed. */
int procmaps__parse_line(const char *line, struct map_entry *e);
/* Parse a whole listing, keeping executable mappings only. -1 on error. */
int procmaps__parse(FILE *f, struct proc_maps *out);
/* Read /proc/PID/maps; -errno on failure (-ENOENT: no such process). */
int procmaps__read(pid_t pid, struct proc_maps *out);
/* The mapping containing addr, or NULL. */
const struct map_entry *procmaps__find(const struct proc_maps *m, uint64_t addr);
void procmaps__clear(struct proc_maps *m);


#endif
