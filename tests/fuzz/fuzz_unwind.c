// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The unwind-table builder on CFI (.eh_frame, .debug_frame) a target's
 * file holds. */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "symbols/unwind_table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unwind_table t;
	int fd;

	fd = memfd_create("fuzz", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size &&
	    unwind_table__build_fd(fd, 1 << 20, &t) == 0) {
		size_t i;

		for (i = 0; i < t.n && i < 64; i++)
			unwind_table__find(&t, t.rows[i].vaddr + 1);
		unwind_table__free(&t);
	}
	close(fd);
	return 0;
}
