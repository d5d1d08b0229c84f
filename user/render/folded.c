// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "lib/hashmap.h"
#include "render.h"
#include "lib/strtab.h"

struct line {
	const char *text;
	int64_t count;
};

/* Append s to a growing buffer; 0 or -ENOMEM. */
static int append(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);

	if (*len + n + 1 > *cap) {
		size_t c = *cap ? *cap * 2 : 256;
		char *b;

		while (c < *len + n + 1)
			c *= 2;
		b = realloc(*buf, c);
		if (!b)
			return -ENOMEM;
		*buf = b;
		*cap = c;
	}
	memcpy(*buf + *len, s, n + 1);
	*len += n;
	return 0;
}

/* Folded frames may not contain the separators ';' or a newline. */
static void sanitize(char *s)
{
	for (; *s; s++)
		if (*s == ';' || *s == '\n')
			*s = ':';
}

/* Names longer than this (huge C++ templates) are cut, never split. */
#define FRAME_MAX 16384

/* The folded text of one frame ("name", "name (file:1)_[i]",
 * "level2 (app.py:12)_[py]", ...). */
static char *frame_text(const struct profile *p, uint32_t loc, unsigned int flags,
			char *name)
{
	const struct prof_location *l = &p->locations[loc - 1];
	size_t used;

	/* Room kept for the suffixes below. */
	profile__location_name(p, loc, name, FRAME_MAX - 300);
	used = strlen(name);
	if ((flags & FOLDED_LINES) && l->line) {
		uint32_t line;
		const char *file = profile__location_source(p, loc, &line);

		snprintf(name + used, FRAME_MAX - used - 8, " (%.256s:%u)", file, line);
	}
	sanitize(name);
	strcat(name, frame__folded_suffix(p, loc));
	return strdup(name);
}

/* texts caches each location's frame text: stacks share most frames. */
static int build_line(const struct profile *p, const struct prof_sample *s,
		      unsigned int flags, char *name, char **texts, char **buf,
		      size_t *cap)
{
	size_t len = 0;
	int32_t i;
	int err;

	if (*cap)
		(*buf)[0] = '\0';
	snprintf(name, FRAME_MAX, "%s", profile__get_str(p, s->comm));
	sanitize(name);
	if ((err = append(buf, &len, cap, name[0] ? name : "[unknown]")))
		return err;
	/* locs are leaf first: walk them backwards to print root first. */
	for (i = (int32_t)s->nlocs - 1; i >= 0; i--) {
		uint32_t loc = s->locs[i];

		if (!texts[loc])
			texts[loc] = frame_text(p, loc, flags, name);
		if (!texts[loc])
			return -ENOMEM;
		if ((err = append(buf, &len, cap, ";")) ||
		    (err = append(buf, &len, cap, texts[loc])))
			return err;
	}
	return 0;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(((const struct line *)a)->text, ((const struct line *)b)->text);
}

int render_folded(const struct profile *p, uint32_t value_type,
		  unsigned int flags, FILE *out)
{
	struct strtab *texts = strtab__new();
	struct line *lines = NULL;
	int64_t *counts = NULL;
	char *buf = NULL, *name = NULL, **frames = NULL;
	size_t cap = 0, i, n;
	int err = 0;

	if (!texts)
		return -ENOMEM;
	counts = calloc(p->nsamples + 1, sizeof(*counts));
	name = malloc(FRAME_MAX);
	frames = calloc(p->nlocations + 1, sizeof(*frames));
	if (!counts || !name || !frames) {
		err = -ENOMEM;
		goto out;
	}
	/* Samples whose stacks print alike (e.g. same names, other addresses)
	 * merge into one line; the strtab id is the line's identity. */
	for (i = 0; i < p->nsamples; i++) {
		int64_t id;

		if (p->samples[i].values[value_type] == 0)
			continue;
		if ((err = build_line(p, &p->samples[i], flags, name, frames, &buf,
				      &cap)))
			goto out;
		id = strtab__intern(texts, buf);
		if (id < 0) {
			err = -ENOMEM;
			goto out;
		}
		counts[id - 1] += p->samples[i].values[value_type];
	}
	n = strtab__count(texts) - 1;	/* id 0 is "" */
	lines = calloc(n + 1, sizeof(*lines));
	if (!lines) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		lines[i].text = strtab__get(texts, i + 1);
		lines[i].count = counts[i];
	}
	qsort(lines, n, sizeof(*lines), cmp_line);
	for (i = 0; i < n; i++) {
		int64_t c = lines[i].count;

		/* Scaled to the nearest unit; a line that rounds to nothing
		 * is left out rather than written as 0. */
		if (p->folded_scale > 1)
			c = (c + p->folded_scale / 2) / p->folded_scale;
		if (c)
			fprintf(out, "%s %lld\n", lines[i].text, (long long)c);
	}
	if (ferror(out))
		err = -EIO;
out:
	free(buf);
	free(name);
	if (frames)
		for (i = 0; i <= p->nlocations; i++)
			free(frames[i]);
	free(frames);
	free(lines);
	free(counts);
	strtab__free(texts);
	return err;
}
