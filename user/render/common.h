/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What several renderers need to agree on: the kind of a frame (for
 * colours), a value's key with its unit ("cpu_ns"), the mode a profile came
 * from, JSON strings, and per-function self/total sums.
 */
#ifndef PROFILER_RENDER_COMMON_H
#define PROFILER_RENDER_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "model/profile.h"

enum frame_kind {
	KIND_PROGRAM,	/* code of a main executable */
	KIND_LIBRARY,	/* a shared library or the vDSO */
	KIND_KERNEL,
	KIND_INLINED,	/* an inlined call, user side */
	KIND_UNKNOWN,	/* no symbol: "[unknown]", "lib.so+0x12", "[stack lost]" */
	KIND_PROCESS,	/* the process name at a stack's root */
	KIND_PYTHON,	/* a Python function */
	KIND__COUNT,
};

enum frame_kind frame__kind(const struct profile *p, uint32_t loc);
/* "libc.so.6", "libfoo.so", "ld-linux-x86-64.so.2", "[vdso]": shared code. */
bool module__is_library(const char *module);
/* The one-letter code of a kind that the SVG's script and the JSON use. */
char frame__kind_code(enum frame_kind k);

/* What folded text ends a frame of loc's kind with (io/folded_fields.h):
 * "_[k]" kernel, "_[i]" inlined, "_[py]" Python; "" for the rest. */
const char *frame__folded_suffix(const struct profile *p, uint32_t loc);

/* The tables' module column of a Python function whose file is unknown. */
#define PYTHON_MODULE	"[python]"

/*
 * Where a location's code is, as the tables' MODULE column shows it: the
 * mapping's name; for a Python function its file (PYTHON_MODULE if
 * unknown), as Python has no module of its own.
 */
const char *frame__module(const struct profile *p, uint32_t loc);

/*
 * "samples", "cpu_ns", "alloc_space_bytes": a value type's name with its
 * unit as a suffix (none for counts).  Written to buf; returns buf.
 */
const char *value__key(const struct profile *p, uint32_t type, char *buf,
		       size_t len);
/* The same for any name and unit string. */
const char *value__key_of(const char *name, const char *unit, char *buf,
			  size_t len);

/* Length of the valid UTF-8 sequence at s (1 for ASCII), 0 if invalid. */
int utf8__len(const unsigned char *s);

/* s as a JSON string, quotes included; '<', '>' and '&' escaped too, so it
 * can sit inside an HTML or SVG script; invalid UTF-8 becomes U+FFFD. */
void json__string(FILE *out, const char *s);

/* One function as the table shows it: name and module. */
struct func_row {
	const char *name;	/* function; "[unnamed]" for unnamed code of a
				 * module; "[unknown]" */
	const char *module;	/* "" if none; see frame__module() */
	bool kernel;
	bool python;
	int64_t self[PROF_MAX_VALUES];	/* innermost frame */
	int64_t total[PROF_MAX_VALUES];	/* anywhere, once per sample */
};

struct func_table {
	struct func_row *rows;
	size_t n;
	/* "name\tpy\tmodule" for Python, "name\t\tmodule" else -> row + 1 */
	struct strtab *keys;
};

/* Sum every sample into rows, one per (name, module, Python or not);
 * 0 or -ENOMEM. */
int func_table__build(const struct profile *p, struct func_table *t);
void func_table__free(struct func_table *t);

#endif
