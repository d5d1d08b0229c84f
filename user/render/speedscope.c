// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * speedscope's file format (https://www.speedscope.app/file-format-schema.json):
 * a shared frame table and one "sampled" profile per value type, each
 * stack root first with the process name as its root frame.  Kernel,
 * inlined and Python frames carry the folded suffixes "_[k]", "_[i]" and
 * "_[py]", so the names match the collapsed stacks of the same run.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "render.h"
#include "lib/strtab.h"

#define SPEEDSCOPE_SCHEMA "https://www.speedscope.app/file-format-schema.json"

/* speedscope's units; anything else is "none". */
static const char *unit_of(const char *unit)
{
	static const char *const known[] = {
		"nanoseconds", "microseconds", "milliseconds", "seconds", "bytes",
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(unit, known[i]))
			return known[i];
	return "none";
}

/*
 * The shared frames: one per distinct (name, file, line).  Keys in frames
 * are "name\tfile\tline"; loc_frame and comm_frame map to 0-based indices.
 */
struct table {
	struct strtab *frames;
	uint32_t *loc_frame;	/* location id -> frame index + 1 */
	uint32_t *comm_frame;	/* profile string id -> frame index + 1 */
	size_t ncomm;
};

static int64_t frame_index(struct table *t, const char *name, const char *file,
			   uint32_t line)
{
	char *key;
	int64_t id;

	if (asprintf(&key, "%s\t%s\t%u", name, file, line) < 0)
		return -1;
	id = strtab__intern(t->frames, key);
	free(key);
	return id;	/* ids start at 1 (0 is ""): index + 1 */
}

static int build_table(const struct profile *p, struct table *t)
{
	char name[4096];
	size_t i;
	uint32_t k;

	t->frames = strtab__new();
	t->loc_frame = calloc(p->nlocations + 1, sizeof(*t->loc_frame));
	t->ncomm = strtab__count(p->strings);
	t->comm_frame = calloc(t->ncomm, sizeof(*t->comm_frame));
	if (!t->frames || !t->loc_frame || !t->comm_frame)
		return -ENOMEM;
	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *s = &p->samples[i];
		int64_t id;

		if (!t->comm_frame[s->comm]) {
			const char *comm = profile__get_str(p, s->comm);

			id = frame_index(t, comm[0] ? comm : "[unknown]", "", 0);
			if (id < 0)
				return -ENOMEM;
			t->comm_frame[s->comm] = id;
		}
		for (k = 0; k < s->nlocs; k++) {
			uint32_t loc = s->locs[k], line;
			const char *file;
			size_t n;

			if (t->loc_frame[loc])
				continue;
			profile__location_name(p, loc, name, sizeof(name) - 8);
			n = strlen(name);
			snprintf(name + n, sizeof(name) - n, "%s",
				 frame__folded_suffix(p, loc));
			file = profile__location_source(p, loc, &line);
			/* No source file: the module says where the code is. */
			if (!file[0])
				file = profile__location_module(p, loc);
			id = frame_index(t, name, file, line);
			if (id < 0)
				return -ENOMEM;
			t->loc_frame[loc] = id;
		}
	}
	return 0;
}

static void write_frames(const struct table *t, FILE *out)
{
	size_t i, n = strtab__count(t->frames);

	fprintf(out, "  \"shared\": {\"frames\": [");
	for (i = 1; i < n; i++) {
		char *key = strdup(strtab__get(t->frames, i)), *file, *line;

		/* Out of memory here only costs the frame its file. */
		fprintf(out, "%s\n    {\"name\": ", i > 1 ? "," : "");
		if (!key) {
			json__string(out, "[out of memory]");
			putc('}', out);
			continue;
		}
		file = strchr(key, '\t');
		*file++ = '\0';
		line = strchr(file, '\t');
		*line++ = '\0';
		json__string(out, key);
		if (file[0]) {
			fprintf(out, ", \"file\": ");
			json__string(out, file);
		}
		if (strcmp(line, "0"))
			fprintf(out, ", \"line\": %s", line);
		putc('}', out);
		free(key);
	}
	fprintf(out, "%s]},\n", n > 1 ? "\n  " : "");
}

static void write_profile(const struct profile *p, const struct table *t,
			  uint32_t type, FILE *out)
{
	const char *tname = profile__get_str(p, p->types[type].type);
	const char *unit = profile__get_str(p, p->types[type].unit);
	char *name;
	size_t i, n = 0;
	int32_t k;

	fprintf(out, "    {\n      \"type\": \"sampled\",\n      \"name\": ");
	if (asprintf(&name, "%s: %s (%s)", profile__get_str(p, p->title), tname,
		     unit) < 0)
		name = NULL;
	json__string(out, name ? name : tname);
	free(name);
	fprintf(out, ",\n      \"unit\": \"%s\",\n      \"startValue\": 0,\n"
		"      \"endValue\": %lld,\n      \"samples\": [",
		unit_of(unit), (long long)profile__total(p, type));
	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *s = &p->samples[i];

		if (!s->values[type])
			continue;
		fprintf(out, "%s\n        [%u", n++ ? "," : "", t->comm_frame[s->comm] - 1);
		for (k = (int32_t)s->nlocs - 1; k >= 0; k--)
			fprintf(out, ",%u", t->loc_frame[s->locs[k]] - 1);
		putc(']', out);
	}
	fprintf(out, "%s],\n      \"weights\": [", n ? "\n      " : "");
	n = 0;
	for (i = 0; i < p->nsamples; i++) {
		if (!p->samples[i].values[type])
			continue;
		fprintf(out, "%s%lld", n++ ? "," : "", (long long)p->samples[i].values[type]);
	}
	fprintf(out, "]\n    }");
}

int render_speedscope(const struct profile *p, FILE *out)
{
	struct table t = {};
	uint32_t type;
	int err;

	if ((err = build_table(p, &t)))
		goto out;
	fprintf(out, "{\n  \"$schema\": \"%s\",\n  \"exporter\": \"profiler\",\n"
		"  \"name\": ", SPEEDSCOPE_SCHEMA);
	json__string(out, profile__get_str(p, p->title));
	fprintf(out, ",\n  \"activeProfileIndex\": %u,\n", p->ntypes ? p->default_type : 0);
	write_frames(&t, out);
	fprintf(out, "  \"profiles\": [\n");
	for (type = 0; type < p->ntypes; type++) {
		write_profile(p, &t, type, out);
		fprintf(out, "%s\n", type + 1 < p->ntypes ? "," : "");
	}
	fprintf(out, "  ]\n}\n");
	err = ferror(out) ? -EIO : 0;
out:
	strtab__free(t.frames);
	free(t.loc_frame);
	free(t.comm_frame);
	return err;
}
