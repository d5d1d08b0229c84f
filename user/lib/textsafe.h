/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Text that targets or saved files control (symbol names, file names,
 * thread names, strings of a pprof file) on its way to a terminal or a text
 * file: control characters (and DEL) are written as \xNN, so that a name
 * holding "ESC ]0;...BEL" can't retitle or drive the user's terminal.
 */
#ifndef PROFILER_TEXTSAFE_H
#define PROFILER_TEXTSAFE_H

#include <stdbool.h>
#include <stddef.h>

/* Does s hold a byte that must be escaped? */
bool text_unsafe(const char *s);
/* s, escaped into buf (len bytes, truncated if need be); s itself when
 * nothing needs escaping. */
const char *text_safe(const char *s, char *buf, size_t len);
/* The same into a new string (free it); NULL on allocation failure. */
char *text_safe_dup(const char *s);

#endif
