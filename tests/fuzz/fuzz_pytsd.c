// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The first bytes of a target's pthread_getspecific, which py_detect decodes
 * to learn glibc's thread-specific data layout (a file the target
 * controls).  Input: the code.  Whatever it is, the decoder refuses or
 * gives a layout the BPF side can use without reading wild memory.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "python.h"
#include "symbols/pydetect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct py_proc t;
	uint8_t *code;
	int err;

	/* A copy of exactly the input's size: a read past it is caught. */
	code = malloc(size ? size : 1);
	if (!code)
		return 0;
	memcpy(code, data, size);
	memset(&t, 0, sizeof(t));
	err = py_tsd_layout(code, size, 0x8ab00, &t);
	if (err != 0 && err != -ENOTSUP)
		abort();
	free(code);
	return 0;
}
