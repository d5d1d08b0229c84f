/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Output files appear whole or not at all: written under a temporary name in
 * the same directory, renamed over the final name on commit.
 */
#ifndef PROFILER_OUTFILE_H
#define PROFILER_OUTFILE_H

#include <stdio.h>

struct outfile {
	FILE *f;
	char *path;
	char *tmp;
};

/* 0 or -errno (e.g. the directory does not exist). */
int outfile__open(struct outfile *o, const char *path);
/* Flush, close and rename into place; 0 or -errno (the temp is removed). */
int outfile__commit(struct outfile *o);
/* Remove the temporary file. */
void outfile__abort(struct outfile *o);

#endif
