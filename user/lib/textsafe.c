// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/textsafe.h"

static bool unsafe_byte(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

bool text_unsafe(const char *s)
{
	for (; *s; s++)
		if (unsafe_byte((unsigned char)*s))
			return true;
	return false;
}

/* Escape s into buf; the length it needs (without the NUL). */
static size_t escape(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char e[5];
		size_t k, el;

		if (unsafe_byte(c)) {
			snprintf(e, sizeof(e), "\\x%02x", c);
			el = 4;
		} else {
			e[0] = (char)c;
			el = 1;
		}
		for (k = 0; k < el; k++, n++)
			if (len && n < len - 1)
				buf[n] = e[k];
	}
	if (len)
		buf[n < len - 1 ? n : len - 1] = '\0';
	return n;
}

const char *text_safe(const char *s, char *buf, size_t len)
{
	if (!text_unsafe(s))
		return s;
	escape(s, buf, len);
	return buf;
}

char *text_safe_dup(const char *s)
{
	size_t n = escape(s, NULL, 0);
	char *d = malloc(n + 1);

	if (d)
		escape(s, d, n + 1);
	return d;
}
