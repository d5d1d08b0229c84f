// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A code object and what it points to, as a target's memory holds them:
 * the input is the memory from address FUZZ_BASE on, the code object at
 * its start (3.11's layout), its type unchecked.  What the reader follows
 * and how much it copies is the input's to choose.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/pycode.h"
#include "symbols/pyversions.h"

#define FUZZ_BASE	0x10000ULL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct mem {
	const uint8_t *data;
	size_t size;
};

static int mem_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct mem *m = ctx;

	if (addr < FUZZ_BASE || addr - FUZZ_BASE > m->size ||
	    len > m->size - (addr - FUZZ_BASE))
		return -EFAULT;
	memcpy(buf, m->data + (addr - FUZZ_BASE), len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mem m = { .data = data, .size = size };
	struct py_code c;
	uint32_t lasti;

	if (py_code_read_with(mem_read, &m, FUZZ_BASE, py_offsets_for(3, 11),
			      0, &c))
		return 0;
	if (!c.qualname || !c.name || !c.filename || !c.linetable ||
	    c.linetable_len > PY_LINETABLE_MAX ||
	    strlen(c.qualname) > 4 * PY_STR_MAX)
		abort();
	for (lasti = 0; lasti < 64; lasti++)
		py_code_line(&c, lasti);
	py_code_clear(&c);
	return 0;
}
