// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A CPython 3.11 co_linetable, as a target's memory holds it.  Input: the
 * code unit asked for (4 bytes, little-endian), co_firstlineno (4 bytes),
 * then the table.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/pycode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const uint8_t *tab, size_t len, int first, uint32_t lasti)
{
	int line = -2, err;

	err = py_linetable_line(tab, len, first, lasti, &line);
	if (err != 0 && err != -EINVAL && err != -ENOENT)
		abort();
	/* A line is -1 (None) or a line: never below. */
	if (!err && line < -1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct py_code c = { 0 };
	uint32_t lasti;
	int32_t first;
	uint8_t *tab;
	size_t len;

	if (size < 8)
		return 0;
	memcpy(&lasti, data, 4);
	memcpy(&first, data + 4, 4);
	len = size - 8;
	/* A copy of exactly the table's size: a read past it is caught. */
	tab = malloc(len ? len : 1);
	if (!tab)
		return 0;
	memcpy(tab, data + 8, len);
	check(tab, len, first, lasti);
	check(tab, len, first, lasti & 0xff);
	check(tab, len, first, 0);
	check(tab, len, first, UINT32_MAX);
	c.linetable = tab;
	c.linetable_len = len;
	c.firstlineno = first;
	py_code_line(&c, lasti);
	py_code_line(&c, PY_LASTI_NONE);
	free(tab);
	return 0;
}
