// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "io/folded_fields.h"
#include "lib/strtab.h"

bool module__is_library(const char *module)
{
	const char *so = strstr(module, ".so");

	while (so) {
		if (so[3] == '\0' || so[3] == '.')
			return true;
		so = strstr(so + 3, ".so");
	}
	return !strcmp(module, "[vdso]");
}

enum frame_kind frame__kind(const struct profile *p, uint32_t loc)
{
	const struct prof_location *l = &p->locations[loc - 1];
	const char *name;

	if (l->kernel)
		return KIND_KERNEL;
	if (!l->function)
		return KIND_UNKNOWN;
	if (l->python)
		return KIND_PYTHON;
	if (l->inlined)
		return KIND_INLINED;
	if (!l->mapping) {
		/* "[stack lost]", "[user mode]", "[unknown]": markers, not
		 * code.  Named frames read from folded text have no mapping
		 * and count as the program's. */
		name = profile__get_str(p, p->functions[l->function - 1].name);
		return name[0] == '[' ? KIND_UNKNOWN : KIND_PROGRAM;
	}
	return module__is_library(profile__get_str(p, p->mappings[l->mapping - 1].name)) ?
	       KIND_LIBRARY : KIND_PROGRAM;
}

char frame__kind_code(enum frame_kind k)
{
	static const char codes[KIND__COUNT] = "plkiucy";

	return k < KIND__COUNT ? codes[k] : 'u';
}

const char *frame__folded_suffix(const struct profile *p, uint32_t loc)
{
	const struct prof_location *l = &p->locations[loc - 1];

	if (l->kernel)
		return FOLDED_KERNEL_SUFFIX;
	if (l->python)
		return FOLDED_PYTHON_SUFFIX;
	if (l->inlined)
		return FOLDED_INLINED_SUFFIX;
	return "";
}

const char *frame__module(const struct profile *p, uint32_t loc)
{
	const struct prof_location *l = &p->locations[loc - 1];
	uint32_t line;
	const char *file;

	if (!l->python)
		return profile__location_module(p, loc);
	file = profile__location_source(p, loc, &line);
	return file[0] ? file : PYTHON_MODULE;
}

const char *value__key_of(const char *name, const char *unit, char *buf,
			  size_t len)
{
	static const struct {
		const char *unit, *suffix;
	} units[] = {
		{ "count", "" }, { "", "" },
		{ "nanoseconds", "_ns" }, { "microseconds", "_us" },
		{ "milliseconds", "_ms" }, { "seconds", "_s" },
		{ "bytes", "_bytes" },
	};
	const char *suffix = NULL;
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(unit, units[i].unit))
			suffix = units[i].suffix;
	if (suffix)
		snprintf(buf, len, "%s%s", name, suffix);
	else
		snprintf(buf, len, "%s_%s", name, unit);
	return buf;
}

const char *value__key(const struct profile *p, uint32_t type, char *buf,
		       size_t len)
{
	return value__key_of(profile__get_str(p, p->types[type].type),
			     profile__get_str(p, p->types[type].unit), buf, len);
}

int utf8__len(const unsigned char *s)
{
	int n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] < 0xe0)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] < 0xf0)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] < 0xf5)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

void json__string(FILE *out, const char *s)
{
	const unsigned char *c;
	int n;

	putc('"', out);
	for (c = (const unsigned char *)s; *c; c++) {
		if (*c >= 0x80) {
			/* Whole UTF-8 sequences only: a stray byte would make
			 * the document invalid for strict parsers. */
			n = utf8__len(c);
			if (!n) {
				fputs("\\ufffd", out);
				continue;
			}
			fwrite(c, 1, n, out);
			c += n - 1;
			continue;
		}
		switch (*c) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		case '<':
		case '>':
		case '&':
			fprintf(out, "\\u%04x", *c);
			break;
		default:
			if (*c < 0x20)
				fprintf(out, "\\u%04x", *c);
			else
				putc(*c, out);
		}
	}
	putc('"', out);
}

/* ---- per-function sums ---------------------------------------------- */

void func_table__free(struct func_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free((char *)t->rows[i].name);
	free(t->rows);
	strtab__free(t->keys);
	memset(t, 0, sizeof(*t));
}

int func_table__build(const struct profile *p, struct func_table *t)
{
	uint32_t *row_of = calloc(p->nlocations + 1, sizeof(*row_of));
	size_t *last = NULL, cap = 0, i, j;
	char name[1024], key[1400];
	int err = 0;
	uint32_t k;

	memset(t, 0, sizeof(*t));
	t->keys = strtab__new();
	if (!row_of || !t->keys) {
		err = -ENOMEM;
		goto out;
	}
	/* One row per location first (cheap), then per sample. */
	for (k = 1; k <= p->nlocations; k++) {
		const struct prof_location *l = &p->locations[k - 1];
		const char *module = frame__module(p, k);
		int64_t id;

		if (!l->function && l->mapping)
			snprintf(name, sizeof(name), "[unnamed]");
		else
			profile__location_name(p, k, name, sizeof(name));
		/* A Python function never shares a row with native code, even
		 * of the same name and module. */
		snprintf(key, sizeof(key), "%s\t%s\t%s", name,
			 l->python ? "py" : "", module);
		id = strtab__intern(t->keys, key);
		if (id < 0) {
			err = -ENOMEM;
			goto out;
		}
		if ((size_t)id > t->n) {
			if (t->n == cap) {
				size_t c = cap ? cap * 2 : 64;
				struct func_row *r = realloc(t->rows, c * sizeof(*r));

				if (!r) {
					err = -ENOMEM;
					goto out;
				}
				t->rows = r;
				cap = c;
			}
			memset(&t->rows[t->n], 0, sizeof(t->rows[0]));
			t->rows[t->n].kernel = l->kernel;
			t->rows[t->n].python = l->python;
			t->n++;
		}
		row_of[k] = id;
	}
	/* Each row owns a copy of its key, cut at the tabs (names hold
	 * none: profile__str escapes them); the kind between them. */
	for (i = 0; i < t->n; i++) {
		char *copy = strdup(strtab__get(t->keys, i + 1)), *tab;

		if (!copy) {
			err = -ENOMEM;
			goto out;
		}
		tab = strchr(copy, '\t');
		*tab = '\0';
		t->rows[i].name = copy;
		t->rows[i].module = strchr(tab + 1, '\t') + 1;
	}
	last = calloc(t->n + 1, sizeof(*last));
	if (!last) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *s = &p->samples[i];

		for (j = 0; j < s->nlocs; j++) {
			struct func_row *r = &t->rows[row_of[s->locs[j]] - 1];
			size_t v;

			for (v = 0; v < p->ntypes; v++) {
				if (j == 0)
					r->self[v] += s->values[v];
				if (last[row_of[s->locs[j]]] != i + 1)
					r->total[v] += s->values[v];
			}
			last[row_of[s->locs[j]]] = i + 1;
		}
	}
out:
	free(last);
	free(row_of);
	if (err)
		func_table__free(t);
	return err;
}
