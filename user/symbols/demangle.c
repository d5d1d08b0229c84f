// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libiberty does the demangling; this file decides which demangler a name
 * goes to and how the tail after the mangled part is shown.  libiberty
 * prints a C++ clone suffix as " [clone .x]" but drops every suffix of a
 * Rust name, so the tail is cut off here for all languages, the bare
 * mangled part demangled, and the tail added back by one formatter.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/*
 * This pulls in libiberty.h, whose basename() declaration clashes with
 * <libgen.h>: include it here only, never from our header.
 */
#include <libiberty/demangle.h>

#include "symbols/demangle.h"

#define CLONE_OPEN	" [clone "
#define CLONE_CLOSE	"]"
#define LLVM_GROUP	".llvm."

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_clone_char(char c)
{
	return (c >= 'a' && c <= 'z') || is_digit(c) || c == '_';
}

bool demangle_is_mangled(const char *name)
{
	if (name[0] != '_')
		return false;
	if (name[1] == 'Z')
		return name[2] != '\0';
	/*
	 * A v0 path starts with a tag letter (C, N, M, ...), or the digits of
	 * an encoding version come first.
	 */
	if (name[1] == 'R')
		return (name[2] >= 'A' && name[2] <= 'Z') || is_digit(name[2]);
	return false;
}

/*
 * The length of the clone group at s, 0 if none starts there.  A group is
 * '.' [a-z0-9_]+ ('.' [0-9]+)*, the grammar libiberty's C++ demangler
 * accepts: ".constprop.0", ".isra.0", ".part.1", ".cold", ".llvm.123".
 */
static size_t clone_group_len(const char *s, const char *end)
{
	const char *p = s;

	if (end - p < 2 || p[0] != '.' || !is_clone_char(p[1]))
		return 0;
	for (p += 2; p < end && is_clone_char(*p); p++)
		;
	while (end - p >= 2 && p[0] == '.' && is_digit(p[1])) {
		for (p += 2; p < end && is_digit(*p); p++)
			;
	}
	return p - s;
}

/* Whether [s, end) is nothing but clone groups (or empty). */
static bool is_clone_chain(const char *s, const char *end)
{
	size_t n;

	while (s < end) {
		n = clone_group_len(s, end);
		if (!n)
			return false;
		s += n;
	}
	return true;
}

static bool is_llvm_group(const char *g, size_t len)
{
	return len > strlen(LLVM_GROUP) &&
	       !memcmp(g, LLVM_GROUP, strlen(LLVM_GROUP));
}

/*
 * core (malloc'd, consumed) followed by the tail of the raw name: each
 * clone group before the '@' as " [clone .x]" (".llvm.N" left out), then
 * the version from the '@' on, verbatim.  The tail was checked to be that.
 */
static char *add_tail(char *core, const char *tail)
{
	const char *end = strchrnul(tail, '@'), *g;
	size_t len = strlen(core), need = len + strlen(end) + 1, n;
	char *out;

	for (g = tail; g < end; g += n) {
		n = clone_group_len(g, end);
		if (!is_llvm_group(g, n))
			need += strlen(CLONE_OPEN) + n + strlen(CLONE_CLOSE);
	}
	if (need == len + 1)
		return core;
	out = realloc(core, need);
	if (!out) {
		free(core);
		return NULL;
	}
	for (g = tail; g < end; g += n) {
		n = clone_group_len(g, end);
		if (is_llvm_group(g, n))
			continue;
		memcpy(out + len, CLONE_OPEN, strlen(CLONE_OPEN));
		len += strlen(CLONE_OPEN);
		memcpy(out + len, g, n);
		len += n;
		memcpy(out + len, CLONE_CLOSE, strlen(CLONE_CLOSE));
		len += strlen(CLONE_CLOSE);
	}
	strcpy(out + len, end);
	return out;
}

/*
 * Where a legacy Rust name "_ZN" (<len><ident>)+ "E" ends, or NULL if
 * [s, end) does not start with that shape.  The identifiers may hold '.'
 * ("alloc..vec" stands for alloc::vec), so the first '.' is no guide.
 */
static const char *rust_legacy_end(const char *s, const char *end)
{
	const char *p = s + 3;
	size_t len;

	if (end - s < 4 || memcmp(s, "_ZN", 3))
		return NULL;
	while (p < end && *p != 'E') {
		if (!is_digit(*p))
			return NULL;
		for (len = 0; p < end && is_digit(*p); p++) {
			len = len * 10 + (*p - '0');
			if (len > (size_t)(end - p))
				return NULL;
		}
		if (len > (size_t)(end - p))
			return NULL;
		p += len;
	}
	return p < end ? p + 1 : NULL;
}

/*
 * Where the mangled part of a C++ name ends: at the first '.' that starts
 * a clone chain reaching the end.  Itanium identifiers are length-prefixed
 * and could in principle hold a '.', hence "that starts a chain".
 */
static const char *cxx_end(const char *s, const char *end)
{
	const char *dot = s;

	while ((dot = memchr(dot, '.', end - dot))) {
		if (is_clone_chain(dot, end))
			return dot;
		dot++;
	}
	return end;
}

/* Demangle [s, end) as a Rust or a C++ name; NULL if it is none. */
static char *demangle_part(const char *s, const char *end, bool rust)
{
	char *part = strndup(s, end - s), *out;

	if (!part)
		return NULL;
	/* No DMGL_VERBOSE: that would print the Rust hashes we drop. */
	if (rust)
		out = rust_demangle(part, DMGL_NO_OPTS);
	else
		out = cplus_demangle_v3(part, DMGL_PARAMS | DMGL_ANSI);
	free(part);
	return out;
}

char *demangle(const char *name)
{
	const char *version, *split;
	char *core = NULL;

	if (!demangle_is_mangled(name))
		return NULL;
	/* '@' is escaped in Rust legacy names and absent from the others. */
	version = strchrnul(name, '@');

	if (name[1] == 'R') {
		/* v0 names are [A-Za-z0-9_] only: the first '.' ends them. */
		split = memchr(name, '.', version - name);
		if (!split)
			split = version;
		core = demangle_part(name, split, true);
	} else {
		/*
		 * Legacy Rust first: to the C++ demangler it is a valid nested
		 * name and would come out as "core::fmt::write::h0123...".
		 */
		split = rust_legacy_end(name, version);
		if (split && (split == version || *split == '.'))
			core = demangle_part(name, split, true);
		if (!core) {
			split = cxx_end(name, version);
			core = demangle_part(name, split, false);
		}
	}
	if (!core)
		return NULL;
	if (!is_clone_chain(split, version)) {
		free(core);
		return NULL;
	}
	return add_tail(core, split);
}
