// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* CPython 3.11 line tables (Objects/locations.md in CPython's tree). */
#include <errno.h>
#include <limits.h>

#include "symbols/pycode.h"

/* ---- the line table ------------------------------------------------------ */

/* The kinds of entry (bits 3-6 of an entry's first byte). */
#define LOC_ONE_LINE0	10	/* 10-12: line delta 0-2, two column bytes */
#define LOC_ONE_LINE2	12
#define LOC_NO_COLUMNS	13	/* a signed varint line delta */
#define LOC_LONG	14	/* line delta, end line delta, columns + 1 */
#define LOC_NONE	15	/* no location: co_positions() says None */

/*
 * Varints are 6-bit chunks, least significant first, 0x40 meaning "more".
 * CPython accumulates them in an unsigned int; a real table never needs
 * more than 32 bits, so six chunks (36 bits) is the most a well-formed one
 * takes.  Bytes after an entry's first never have 0x80 set: that bit is
 * how an entry starts.
 */
static int read_varint(const uint8_t *tab, size_t len, size_t *pos,
		       uint64_t *val)
{
	unsigned int shift = 0;
	uint64_t v = 0;
	uint8_t b;

	do {
		if (*pos >= len || shift > 30)
			return -EINVAL;
		b = tab[(*pos)++];
		if (b & 0x80)
			return -EINVAL;
		v |= (uint64_t)(b & 0x3f) << shift;
		shift += 6;
	} while (b & 0x40);
	*val = v;
	return 0;
}

/* The low bit is the sign, the rest the magnitude. */
static int read_svarint(const uint8_t *tab, size_t len, size_t *pos,
			int64_t *val)
{
	uint64_t u;
	int err = read_varint(tab, len, pos, &u);

	if (err)
		return err;
	*val = (u & 1) ? -(int64_t)(u >> 1) : (int64_t)(u >> 1);
	return 0;
}

/* Column bytes of the short and one-line forms: skipped, but checked. */
static int skip_bytes(const uint8_t *tab, size_t len, size_t *pos, size_t n)
{
	if (len - *pos < n)
		return -EINVAL;
	for (; n; n--)
		if (tab[(*pos)++] & 0x80)
			return -EINVAL;
	return 0;
}

int py_linetable_line(const uint8_t *tab, size_t len, int firstlineno,
		      uint32_t lasti, int *line)
{
	int64_t cur = firstlineno;	/* the running line */
	uint64_t unit = 0;		/* the entry's first code unit */
	size_t pos = 0;

	while (pos < len) {
		uint8_t first = tab[pos++];
		unsigned int kind = (first >> 3) & 15;
		unsigned int units = (first & 7) + 1;
		int64_t delta = 0;
		uint64_t skip;
		int err = 0, i;

		if (!(first & 0x80))
			return -EINVAL;
		switch (kind) {
		case LOC_NONE:
			break;
		case LOC_LONG:
			err = read_svarint(tab, len, &pos, &delta);
			/* end line delta, start and end column + 1 */
			for (i = 0; i < 3 && !err; i++)
				err = read_varint(tab, len, &pos, &skip);
			break;
		case LOC_NO_COLUMNS:
			err = read_svarint(tab, len, &pos, &delta);
			break;
		case LOC_ONE_LINE0 ... LOC_ONE_LINE2:
			delta = kind - LOC_ONE_LINE0;
			err = skip_bytes(tab, len, &pos, 2);
			break;
		default:	/* short forms: same line, one column byte */
			err = skip_bytes(tab, len, &pos, 1);
			break;
		}
		if (err)
			return err;
		/*
		 * An entry without a location leaves the running line alone:
		 * the next entry's delta is from the last line there was (as
		 * CPython's advance() does; treating None as -1 and adding
		 * to it shifts every later line).
		 */
		if (kind != LOC_NONE) {
			cur += delta;
			/* Lines are never negative; a table that says so is
			 * not one CPython wrote, and -1 would read as None. */
			if (cur < 0 || cur > INT_MAX)
				return -EINVAL;
		}
		if (lasti < unit + units) {
			*line = kind == LOC_NONE ? -1 : (int)cur;
			return 0;
		}
		unit += units;
	}
	return -ENOENT;
}
