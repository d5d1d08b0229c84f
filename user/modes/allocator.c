// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "modes/allocator.h"
#include "symbols/procmaps.h"
#include "symbols/targetfs.h"

const char *const mem_fn_names[MEM__FN_MAX] = {
	[MEM_MALLOC] = "malloc",
	[MEM_CALLOC] = "calloc",
	[MEM_REALLOC] = "realloc",
	[MEM_REALLOCARRAY] = "reallocarray",
	[MEM_POSIX_MEMALIGN] = "posix_memalign",
	[MEM_ALIGNED_ALLOC] = "aligned_alloc",
	[MEM_MEMALIGN] = "memalign",
	[MEM_VALLOC] = "valloc",
	[MEM_PVALLOC] = "pvalloc",
	[MEM_FREE] = "free",
};

/* Prefixes allocators export their functions under when they don't
 * replace malloc: jemalloc's je_, tcmalloc's tc_, mimalloc's mi_. */
static const char *const known_prefixes[] = { "", "je_", "tc_", "mi_" };

#define NPREFIXES	(sizeof(known_prefixes) / sizeof(known_prefixes[0]))

/* Fill a from the functions found under prefix (fn[], found[]: indexed
 * by enum mem_fn) if malloc and free are among them. */
static int take_prefix(const char *path, const char *prefix,
		       const struct elf_func *fn, const bool *found,
		       struct allocator *a)
{
	int i, j;

	if (!found[MEM_MALLOC] || fn[MEM_MALLOC].ifunc ||
	    !found[MEM_FREE] || fn[MEM_FREE].ifunc)
		return -ENOENT;
	for (i = 0; i < MEM__FN_MAX; i++) {
		a->found[i] = found[i] && !fn[i].ifunc;
		a->fn[i] = fn[i];
		a->alias_of[i] = -1;
		for (j = 0; j < i && a->found[i]; j++)
			if (a->found[j] && a->alias_of[j] < 0 &&
			    a->fn[j].vaddr == a->fn[i].vaddr)
				a->alias_of[i] = j;
	}
	snprintf(a->prefix, sizeof(a->prefix), "%s", prefix);
	snprintf(a->path, sizeof(a->path), "%s", path);
	return 0;
}

/*
 * Fill a from the file open on fd (attached through path) if it defines
 * prefix+malloc and free; with prefix NULL, the first of the known
 * prefixes that it defines them under.  Every name is looked up in one
 * pass over the file's symbols.
 */
static int try_prefixes(int fd, const char *path, const char *prefix,
			struct allocator *a)
{
	const char *prefixes[NPREFIXES];
	char names[NPREFIXES * MEM__FN_MAX][64];
	const char *want[NPREFIXES * MEM__FN_MAX];
	struct elf_func fn[NPREFIXES * MEM__FN_MAX];
	bool found[NPREFIXES * MEM__FN_MAX];
	size_t np = 0, p;
	int i;

	/* Return probes in Go code crash the program (elf_is_go). */
	if (elf_is_go(fd) == 1)
		return -ENOEXEC;
	if (prefix)
		prefixes[np++] = prefix;
	else
		for (p = 0; p < NPREFIXES; p++)
			prefixes[np++] = known_prefixes[p];
	for (p = 0; p < np; p++) {
		for (i = 0; i < MEM__FN_MAX; i++) {
			snprintf(names[p * MEM__FN_MAX + i], sizeof(names[0]), "%s%s",
				 prefixes[p], mem_fn_names[i]);
			want[p * MEM__FN_MAX + i] = names[p * MEM__FN_MAX + i];
		}
	}
	if (elf_find_functions(fd, want, np * MEM__FN_MAX, fn, found))
		return -ENOENT;
	for (p = 0; p < np; p++)
		if (!take_prefix(path, prefixes[p], &fn[p * MEM__FN_MAX],
				 &found[p * MEM__FN_MAX], a))
			return 0;
	return -ENOENT;
}

static bool is_libc(const char *path)
{
	const char *b = strrchr(path, '/');

	b = b ? b + 1 : path;
	return !strncmp(b, "libc.so", 7) || !strncmp(b, "libc-", 5);
}

int allocator_find(pid_t pid, const char *lib, const char *prefix,
		   struct allocator *a, char *why, size_t why_len)
{
	struct proc_maps maps = {};
	char exe[PATH_MAX], link[64], path[PATH_MAX + 64];
	ssize_t n;
	size_t i;
	int pass, err, fd;
	bool go = false;

	memset(a, 0, sizeof(*a));
	a->fd = -1;
	if (lib) {
		/* Resolved inside the process's root, kept open: the probes go
		 * on the file checked here, through /proc/self/fd. */
		fd = lib[0] == '/' ? tfs_open_in_root(pid, lib) : -ENOENT;
		if (fd < 0) {
			snprintf(why, why_len, "--lib %s: %s in process %d's root "
				 "(give the path the process maps it under)", lib,
				 fd == -EINVAL ? "not a regular file" :
				 fd == -ELOOP ? "a symbolic link" : "no such file",
				 (int)pid);
			return fd == -EINVAL || fd == -ELOOP ? fd : -ENOENT;
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		err = try_prefixes(fd, path, prefix, a);
		if (err)
			close(fd);
		else
			a->fd = fd;
		if (err == -ENOEXEC) {
			snprintf(why, why_len, "--lib %s is Go code: Go's heap is "
				 "garbage collected (no free() to pair allocations "
				 "with), and return probes crash Go programs", lib);
			return err;
		}
		if (err) {
			snprintf(why, why_len, "--lib %s defines no %smalloc and %sfree",
				 lib, prefix ? prefix : "", prefix ? prefix : "");
			return -ENOENT;
		}
		snprintf(a->shown, sizeof(a->shown), "%s", lib);
		return 0;
	}

	err = procmaps__read(pid, &maps);
	if (err) {
		snprintf(why, why_len, "cannot read /proc/%d/maps: %s", (int)pid,
			 strerror(-err));
		return err;
	}
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	n = readlink(link, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';

	/* Pass 0: the executable; 1: other libraries; 2: libc. */
	for (pass = 0; pass < 3; pass++) {
		const char *last = "";

		for (i = 0; i < maps.n; i++) {
			const struct map_entry *e = &maps.v[i];
			bool main_exe = !strcmp(e->path ? e->path : "", exe);

			if (e->kind != MAP_KIND_FILE || !strcmp(e->path, last))
				continue;
			last = e->path;
			if ((pass == 0) != main_exe ||
			    (pass == 1 && is_libc(e->path)) ||
			    (pass == 2 && !is_libc(e->path)))
				continue;
			/* The mapped file itself; attached through map_files. */
			fd = tfs_open_mapping(pid, e, path, sizeof(path));
			if (fd < 0)
				continue;
			err = try_prefixes(fd, path, prefix, a);
			close(fd);
			go |= err == -ENOEXEC && main_exe;
			if (err == 0) {
				snprintf(a->shown, sizeof(a->shown), "%s", e->path);
				procmaps__clear(&maps);
				return 0;
			}
		}
	}
	procmaps__clear(&maps);
	if (go && !prefix)
		snprintf(why, why_len, "no allocator found in process %d: it is a "
			 "Go program, whose heap is garbage collected (no free() "
			 "to pair allocations with), and it maps no C library "
			 "with malloc and free (cgo's are traced)", (int)pid);
	else
		snprintf(why, why_len, "no allocator found in process %d: no "
			 "mapped file defines %smalloc and %sfree (use --lib PATH "
			 "and --prefix P)", (int)pid, prefix ? prefix : "",
			 prefix ? prefix : "");
	return -ENOENT;
}

void allocator_release(struct allocator *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
}
