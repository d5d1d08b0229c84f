/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Golden files: a renderer's output compared byte for byte with
 * tests/unit/data/golden/NAME.  PROFILER_UPDATE_GOLDEN=1 rewrites them
 * instead (then check the diff before committing).
 */
#ifndef TEST_GOLDEN_H
#define TEST_GOLDEN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GOLDEN_DIR TESTDATA_DIR "/golden/"

/* Run render(ctx, f) into memory; the text (caller frees) and its length. */
static char *render_to_memory(int (*render)(const void *ctx, FILE *f),
			      const void *ctx, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	assert_non_null(f);
	assert_int_equal(render(ctx, f), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void expect_golden(const char *name, const char *got, size_t len)
{
	char path[512], *want;
	size_t n, cap;
	FILE *f;

	snprintf(path, sizeof(path), GOLDEN_DIR "%s", name);
	if (getenv("PROFILER_UPDATE_GOLDEN")) {
		f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(got, 1, len, f), len);
		assert_int_equal(fclose(f), 0);
		return;
	}
	f = fopen(path, "rb");
	if (!f)
		fail_msg("missing golden file %s (PROFILER_UPDATE_GOLDEN=1 writes it)",
			 path);
	cap = len + 2;
	want = malloc(cap);
	assert_non_null(want);
	n = fread(want, 1, cap, f);
	fclose(f);
	if (n != len || memcmp(want, got, len)) {
		size_t i = 0;

		while (i < n && i < len && want[i] == got[i])
			i++;
		fprintf(stderr, "%s: %zu bytes, expected %zu; first difference at "
			"byte %zu:\n--- want\n%.200s\n--- got\n%.200s\n", name, len, n,
			i, want + (i > 60 ? i - 60 : 0), got + (i > 60 ? i - 60 : 0));
		free(want);
		fail_msg("%s differs from its golden file", name);
	}
	free(want);
}

#endif
