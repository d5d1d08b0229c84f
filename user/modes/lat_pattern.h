/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The lat mode's function patterns, "[MODULE:]GLOB": which mapped file a
 * pattern names, which of its functions the glob matches, and, when none
 * does, the names it most likely meant.  No I/O: unit-tested on its own.
 *
 * MODULE ends at the first ':' unless that ':' starts a "::", so C++
 * patterns need no module ('*Widget::*') and can have one
 * ('app:*Widget::*').  A MODULE with a '/' is a path; otherwise it names a
 * file by the start of its base name, up to a '.' or '-' ("libc" is
 * libc.so.6 and libc-2.31.so, not libcap.so.2; "app" is the executable
 * app).  Without MODULE, the pattern is about the executable.
 *
 * GLOB is fnmatch(3)'s, matched against the symbol, the demangled name and
 * the demangled name without its parameter list ("ns::Widget::get() const"
 * also as "ns::Widget::get").  A symbol of a non-default version keeps it
 * ("realpath@GLIBC_2.2.5"): 'realpath' names the default one only.
 */
#ifndef PROFILER_LAT_PATTERN_H
#define PROFILER_LAT_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

struct lat_pattern {
	const char *text;	/* as given (not copied) */
	char *module;		/* NULL: the executable */
	const char *glob;	/* inside text */
	bool module_is_path;	/* module has a '/' */
};

/* 0, or -1 with *why set to a static message (empty MODULE or GLOB). */
int lat_pattern__parse(const char *text, struct lat_pattern *p, const char **why);
void lat_pattern__free(struct lat_pattern *p);

/* Does the module name of p (not a path) name the file at path? */
bool lat_pattern__names_file(const struct lat_pattern *p, const char *path);

/* Does p's glob match a function with this symbol (and demangled name,
 * NULL if none)? */
bool lat_pattern__matches(const struct lat_pattern *p, const char *name,
			  const char *demangled);

/*
 * Distance between a glob and a name: the fewest characters to insert,
 * delete or replace (or neighbours to swap) in the name for the glob to
 * match it, ignoring case.  '*' matches any run at no cost, '?' and a
 * bracket expression one character.  0 when fnmatch would match
 * (ignoring case).
 */
int glob_distance(const char *glob, const char *name);

/* Longest run of characters (ignoring case) that a literal part of glob
 * shares with name. */
int glob_common(const char *glob, const char *name);

#define NEAR_MISSES_MAX		5
#define NEAR_MISS_NAME_LEN	256

/* The names closest to a glob that matched nothing, best first. */
struct near_misses {
	const char *glob;
	int literal_len;	/* characters of glob that are not wildcards */
	int n;
	struct near_miss {
		char name[NEAR_MISS_NAME_LEN];
		int dist;
		int common;
	} v[NEAR_MISSES_MAX];
};

void near_misses__init(struct near_misses *nm, const char *glob);
/*
 * Consider a function: shown is the name to print, alt another name of it
 * (the symbol, when shown is demangled) or NULL.  It is kept when it is
 * within max(1, literal_len / 3) edits of the glob or shares a literal run
 * of min(4, literal_len) characters, ranked by distance, then by the shared
 * run (longer first), then by length and name.
 */
void near_misses__offer(struct near_misses *nm, const char *shown,
			const char *alt);
/* "a, b, c" into buf; "" when there are none. */
void near_misses__format(const struct near_misses *nm, char *buf, size_t len);

#endif
