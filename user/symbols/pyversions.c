// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * CPython layouts by version.  3.11's were checked against Debian 12's
 * python3.11-dev headers (3.11.2) by compiling offsetof(); patch releases of
 * a minor version share one layout.  3.10, 3.12 and 3.13 have rows with no
 * offsets yet: their differences (3.10: no _PyInterpreterFrame, frames are
 * PyFrameObjects; 3.12: is_entry becomes owner == FRAME_OWNED_BY_CSTACK;
 * 3.13: no _PyCFrame, current_frame in the thread state) need their own
 * walks checked against their headers before they are filled in.
 */
#include <stddef.h>
#include "symbols/pyversions.h"

#define NONE 0xffff

static const struct py_offsets py311 = {
	.tstate_cframe = 56,
	.tstate_frame = NONE,
	.cframe_current = 8,
	.frame_code = 32,
	.frame_previous = 48,
	.frame_prev_instr = 56,
	.frame_entry = 68,
	.entry_kind = PY_ENTRY_FLAG,
	.code_adaptive = 184,
	.code_firstlineno = 72,
	.code_filename = 112,
	.code_name = 120,
	.code_qualname = 128,
	.code_linetable = 136,
	.frame_lo = 32,
};

/*
 * tss_key: where in _PyRuntime the GIL state's thread-specific key lies
 * (the pthread_key_t _key of gilstate.autoTSSkey, a Py_tss_t whose int
 * _is_initialized comes first).  3.11: autoTSSkey at 592, _key at 596
 * (offsetof against Debian's and pyenv 3.11.7's internal/pycore_runtime.h).
 */
static const struct {
	unsigned int major, minor;
	const struct py_offsets *off;	/* NULL: known, not supported yet */
	unsigned int tss_key;
} versions[] = {
	{ 3, 10, NULL, 0 },
	{ 3, 11, &py311, 596 },
	{ 3, 12, NULL, 0 },
	{ 3, 13, NULL, 0 },
};

const struct py_offsets *py_offsets_for(unsigned int major, unsigned int minor)
{
	size_t i;

	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (versions[i].major == major && versions[i].minor == minor)
			return versions[i].off;
	return NULL;
}

unsigned int py_runtime_tss_key(unsigned int major, unsigned int minor)
{
	size_t i;

	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (versions[i].major == major && versions[i].minor == minor &&
		    versions[i].off)
			return versions[i].tss_key;
	return 0;
}

bool py_version_known(unsigned int major, unsigned int minor)
{
	size_t i;

	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (versions[i].major == major && versions[i].minor == minor)
			return true;
	return false;
}
