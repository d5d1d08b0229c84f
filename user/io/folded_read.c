// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "io/folded_fields.h"
#include "io/folded_read.h"
#include "lib/parse.h"

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

/*
 * "libfoo.so+0x1a2b" is how render_folded writes an address no symbol
 * covers: split it into module and address, cutting text, when it prints
 * back the same (lower-case hex, no leading zeros).
 */
static bool split_unnamed(char *text, const char **module, uint64_t *address)
{
	char *plus = NULL, *p, *end;
	unsigned long long a;

	for (p = strstr(text, "+0x"); p; p = strstr(p + 1, "+0x"))
		plus = p;
	if (!plus || plus == text)
		return false;
	p = plus + 3;
	if (!*p || strspn(p, "0123456789abcdef") != strlen(p) || strlen(p) > 16 ||
	    (p[0] == '0' && p[1]))
		return false;
	errno = 0;
	a = strtoull(p, &end, 16);
	if (errno || *end)
		return false;
	*plus = '\0';
	*module = text;
	*address = a;
	return true;
}

/* The location of one frame's text (cut in place); 0 on ENOMEM. */
static uint32_t frame_location(struct profile *p, char *text)
{
	struct frame f = { .build_id = "" };
	size_t len = strlen(text);

	if (ends_with(text, len, FOLDED_KERNEL_SUFFIX)) {
		text[len - strlen(FOLDED_KERNEL_SUFFIX)] = '\0';
		f.kernel = true;
		f.module = "[kernel.kallsyms]";
	} else if (ends_with(text, len, FOLDED_INLINED_SUFFIX)) {
		text[len - strlen(FOLDED_INLINED_SUFFIX)] = '\0';
		f.inlined = true;
	} else if (ends_with(text, len, FOLDED_PYTHON_SUFFIX)) {
		text[len - strlen(FOLDED_PYTHON_SUFFIX)] = '\0';
		f.python = true;
	}
	/* "[unknown]" alone is an address outside every mapping: no name. */
	if (!f.kernel && !f.inlined && !strcmp(text, FOLDED_UNKNOWN_FRAME))
		return profile__location(p, &f);
	/* Python functions have no module: "f+0x1_[py]" is a name. */
	if (!f.inlined && !f.python && split_unnamed(text, &f.module, &f.address))
		return profile__location(p, &f);
	f.name = text;
	return profile__location(p, &f);
}

/* One line, NUL-terminated and without its newline; 0, -EINVAL, -ENOMEM. */
static int parse_line(struct profile *p, char *line, size_t lineno,
		      uint32_t **locs, size_t *cap, char *why, size_t why_len)
{
	char *sp = strrchr(line, ' '), *frame, *next;
	int64_t values[PROF_MAX_VALUES] = {};
	const char *comm;
	uint64_t count;
	size_t n = 0, i;

	if (!sp || sp == line) {
		snprintf(why, why_len, "line %zu: expected \"STACK COUNT\"", lineno);
		return -EINVAL;
	}
	*sp = '\0';
	if (parse_u64(sp + 1, 0, INT64_MAX, &count)) {
		snprintf(why, why_len, "line %zu: count '%.40s' is not a whole number",
			 lineno, sp + 1);
		return -EINVAL;
	}
	values[0] = (int64_t)count;
	comm = line;
	next = strchr(line, ';');
	if (next)
		*next++ = '\0';
	/* Frames root first on the line; the model wants the leaf first. */
	for (frame = next; frame; frame = next) {
		next = strchr(frame, ';');
		if (next)
			*next++ = '\0';
		if (GROW(*locs, n, *cap))
			return -ENOMEM;
		(*locs)[n] = frame_location(p, frame);
		if (!(*locs)[n++])
			return -ENOMEM;
	}
	for (i = 0; i < n / 2; i++) {
		uint32_t t = (*locs)[i];

		(*locs)[i] = (*locs)[n - 1 - i];
		(*locs)[n - 1 - i] = t;
	}
	return profile__add_sample(p, *locs, n, 0, comm, values);
}

int folded__parse(const char *text, size_t len, struct profile **out, char *why,
		  size_t why_len)
{
	struct profile *p = profile__new();
	const char *s = text, *end = text + len;
	uint32_t *locs = NULL;
	char *line = NULL;
	size_t cap = 0, line_cap = 0, lineno = 0;
	int err = 0;

	*out = NULL;
	if (why_len)
		why[0] = '\0';
	if (!p || profile__add_type(p, "samples", "count") < 0) {
		err = -ENOMEM;
		goto out;
	}
	while (s < end) {
		const char *nl = memchr(s, '\n', end - s);
		size_t n = (nl ? nl : end) - s;

		lineno++;
		if (n && s[n - 1] == '\r')
			n--;
		if (memchr(s, '\0', n)) {
			snprintf(why, why_len, "line %zu holds a NUL byte", lineno);
			err = -EINVAL;
			goto out;
		}
		if (n + 1 > line_cap) {
			char *l = realloc(line, n + 1);

			if (!l) {
				err = -ENOMEM;
				goto out;
			}
			line = l;
			line_cap = n + 1;
		}
		memcpy(line, s, n);
		line[n] = '\0';
		s = nl ? nl + 1 : end;
		/* Blank lines carry nothing. */
		if (line[strspn(line, " \t")] == '\0')
			continue;
		err = parse_line(p, line, lineno, &locs, &cap, why, why_len);
		if (err == -E2BIG) {
			snprintf(why, why_len, "line %zu: more than %d frames in a stack, "
				 "or more than %llu in all (--max-frames)", lineno,
				 PROFILE_MAX_SAMPLE_FRAMES,
				 (unsigned long long)profile_max_frames);
			err = -EINVAL;
		}
		if (err)
			goto out;
	}
	*out = p;
	p = NULL;
out:
	if (err == -ENOMEM && why_len)
		snprintf(why, why_len, "out of memory");
	free(line);
	free(locs);
	profile__free(p);
	return err;
}
