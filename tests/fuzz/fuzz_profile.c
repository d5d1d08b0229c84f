// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Saved profiles, as `profiler report` and `diff` read them from anyone:
 * pprof (raw or gzip'd) and collapsed stacks, told apart by content; what
 * parses is rendered as folded text and a table.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/log.h"
#include "io/profile_file.h"
#include "render/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct profile *p = NULL;
	enum profile_format fmt;
	char why[256], *text = NULL;
	size_t len = 0;
	FILE *f;

	log_level = LOG_QUIET;
	/* Small bounds: the fuzzer looks for crashes, not for big inputs. */
	profile_max_frames = 1 << 20;
	if (profile_file__parse(data, size, "fuzz", &p, &fmt, why, sizeof(why)))
		return 0;
	f = open_memstream(&text, &len);
	if (f) {
		if (p->ntypes) {
			render_folded(p, 0, 0, f);
			render_table(p, 0, 10, f);
		}
		fclose(f);
	}
	free(text);
	profile__free(p);
	return 0;
}
