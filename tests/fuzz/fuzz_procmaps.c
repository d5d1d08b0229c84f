// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* /proc/PID/maps text: the kernel writes it, but paths in it are names a
 * process chose (a file called "x\n7f00-7fff r-xp ..."). */
#include <stdint.h>
#include <stdio.h>

#include "symbols/procmaps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_maps m = {};
	FILE *f;

	if (!size)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	if (procmaps__parse(f, &m) == 0) {
		procmaps__find(&m, 0x400000);
		procmaps__find(&m, 0x7f0000000000);
		procmaps__clear(&m);
	}
	fclose(f);
	return 0;
}
