// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pprof output: the profile model already follows pprof's, so this is a
 * translation, except for inlined frames.  The model keeps each inline
 * level as a location of its own (same address, inlined set, leaf first);
 * pprof wants one Location per address with one Line per level, innermost
 * first.  Runs of inlined locations and the caller they end in become one
 * Location, shared by every sample that has the same run.  Python
 * functions' locations, which have no mapping in the model, get a pseudo
 * mapping of their own (PPROF_PYTHON_MAPPING) that says what they are.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "lib/array.h"
#include "common.h"
#include "lib/hashmap.h"
#include "io/pprof_fields.h"
#include "io/protobuf.h"
#include "render.h"
#include "lib/strtab.h"

/* The pprof Locations: runs of model locations, stored end to end. */
struct groups {
	uint32_t *ids;		/* model location ids of every group */
	size_t nids, ids_cap;
	size_t *start;		/* group i is ids[start[i] .. start[i+1]) */
	size_t n, cap;
	struct u64map *index;	/* hash of a run -> group index + 1 */
};

struct writer {
	const struct profile *p;
	struct strtab *strings;	/* the profile's, then the ones added here */
	struct groups g;
	struct pb_buf out, msg, sub;
	uint64_t *loc_ids;	/* one sample's pprof location ids */
	int64_t comm_key, pid_key;
	uint64_t python_mapping;	/* its id, 0: no Python frames */
};


/* Does loc a run on into loc b (an inlined call inside b at one address)? */
static bool inlined_into(const struct profile *p, uint32_t a, uint32_t b)
{
	const struct prof_location *x = &p->locations[a - 1], *y = &p->locations[b - 1];

	return x->inlined && !y->python && x->mapping == y->mapping &&
	       x->address == y->address;
}

/* The group id (1-based) for locs[0..n), added if new; 0 on ENOMEM. */
static uint64_t group_id(struct groups *g, const uint32_t *locs, size_t n)
{
	uint64_t key = hash_bytes(HASH_SEED, locs, n * sizeof(*locs)), id;

	for (;; key++) {
		size_t s, len;

		if (!u64map__get(g->index, key, &id))
			break;
		s = g->start[id - 1];
		len = g->start[id] - s;
		if (len == n && !memcmp(&g->ids[s], locs, n * sizeof(*locs)))
			return id;
	}
	if (array_reserve((void **)&g->ids, g->nids + n, &g->ids_cap, sizeof(*g->ids)) ||
	    array_reserve((void **)&g->start, g->n + 2, &g->cap, sizeof(*g->start)))
		return 0;
	if (g->n == 0)
		g->start[0] = 0;
	memcpy(&g->ids[g->nids], locs, n * sizeof(*locs));
	g->nids += n;
	g->start[++g->n] = g->nids;
	if (u64map__set(g->index, key, g->n))
		return 0;
	return g->n;
}

static int64_t str(struct writer *w, const char *s)
{
	return strtab__intern(w->strings, s);
}

static void value_type(struct pb_buf *b, uint32_t field,
		       const struct prof_value_type *t)
{
	struct pb_buf vt = {};

	pb__uint_opt(&vt, PPROF_VT_TYPE, t->type);
	pb__uint_opt(&vt, PPROF_VT_UNIT, t->unit);
	pb__message(b, field, &vt);
	pb_buf__free(&vt);
}

static void label(struct pb_buf *b, int64_t key, int64_t str_id, int64_t num,
		  int64_t unit)
{
	struct pb_buf l = {};

	pb__uint(&l, PPROF_LABEL_KEY, key);
	pb__uint_opt(&l, PPROF_LABEL_STR, str_id);
	pb__uint_opt(&l, PPROF_LABEL_NUM, num);
	pb__uint_opt(&l, PPROF_LABEL_NUM_UNIT, unit);
	pb__message(b, PPROF_SAMPLE_LABEL, &l);
	pb_buf__free(&l);
}

static int write_samples(struct writer *w)
{
	const struct profile *p = w->p;
	size_t i, max = 1;

	for (i = 0; i < p->nsamples; i++)
		if (p->samples[i].nlocs > max)
			max = p->samples[i].nlocs;
	w->loc_ids = malloc(max * sizeof(*w->loc_ids));
	if (!w->loc_ids)
		return -ENOMEM;
	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *s = &p->samples[i];
		size_t n = 0, j = 0, k;

		while (j < s->nlocs) {
			k = j;
			while (k + 1 < s->nlocs && inlined_into(p, s->locs[k], s->locs[k + 1]))
				k++;
			w->loc_ids[n] = group_id(&w->g, &s->locs[j], k - j + 1);
			if (!w->loc_ids[n++])
				return -ENOMEM;
			j = k + 1;
		}
		pb_buf__reset(&w->msg);
		pb__packed_u64(&w->msg, PPROF_SAMPLE_LOCATION_ID, w->loc_ids, n);
		pb__packed_i64(&w->msg, PPROF_SAMPLE_VALUE, s->values, p->ntypes);
		label(&w->msg, w->comm_key, s->comm, 0, 0);
		if (s->pid)
			label(&w->msg, w->pid_key, 0, s->pid, 0);
		/* The profile's string ids are the file's (see encode()). */
		for (k = 0; k < s->nlabels; k++) {
			const struct prof_label *l = &p->labels[s->label0 + k];

			label(&w->msg, l->key, l->str, l->num, l->unit);
		}
		pb__message(&w->out, PPROF_SAMPLE, &w->msg);
	}
	return 0;
}

/* An executable's own file, as opposed to a library or the kernel. */
static bool is_program(const struct profile *p, const struct prof_mapping *m)
{
	const char *name = profile__get_str(p, m->name);

	return !m->kernel && name[0] != '[' && !module__is_library(name);
}

/*
 * Programs' mappings first: pprof readers take the first mapping for the
 * main binary ("File:" in go tool pprof).  Ids stay the model's.
 */
static void write_mappings(struct writer *w)
{
	const struct profile *p = w->p;
	size_t i, m, k;

	for (k = 0; k < 2 * p->nmappings; k++) {
		const struct prof_mapping *pm = &p->mappings[k % p->nmappings];
		const char *path = profile__get_str(p, pm->path);
		uint64_t lo = UINT64_MAX, hi = 0;
		bool lines = false, inl = false;

		m = k % p->nmappings;
		if (is_program(p, pm) != (k < p->nmappings))
			continue;

		for (i = 0; i < p->nlocations; i++) {
			const struct prof_location *l = &p->locations[i];

			if (l->mapping != m + 1)
				continue;
			lines |= l->line != 0;
			inl |= l->inlined;
			if (l->address < lo)
				lo = l->address;
			if (l->address > hi)
				hi = l->address;
		}
		pb_buf__reset(&w->msg);
		pb__uint(&w->msg, PPROF_MAPPING_ID, m + 1);
		/*
		 * Kernel addresses are absolute: the range says where the
		 * kernel (or the module) is.  User addresses are ELF virtual
		 * addresses of the file, not of the process: no range.
		 */
		if (pm->kernel && lo <= hi) {
			pb__uint(&w->msg, PPROF_MAPPING_MEMORY_START, lo);
			pb__uint(&w->msg, PPROF_MAPPING_MEMORY_LIMIT, hi + 1);
		}
		pb__uint_opt(&w->msg, PPROF_MAPPING_FILENAME, *path ? pm->path : pm->name);
		pb__uint_opt(&w->msg, PPROF_MAPPING_BUILD_ID, pm->build_id);
		/* Symbolized here, from the process's own files: a reader must
		 * not try again with whatever files it finds. */
		pb__uint(&w->msg, PPROF_MAPPING_HAS_FUNCTIONS, 1);
		pb__uint_opt(&w->msg, PPROF_MAPPING_HAS_FILENAMES, lines);
		pb__uint_opt(&w->msg, PPROF_MAPPING_HAS_LINE_NUMBERS, lines);
		pb__uint_opt(&w->msg, PPROF_MAPPING_HAS_INLINE_FRAMES, inl);
		pb__message(&w->out, PPROF_MAPPING, &w->msg);
	}
}

/* The Python functions' mapping, after the model's, if they have frames;
 * 0 or -ENOMEM. */
static int write_python_mapping(struct writer *w)
{
	const struct profile *p = w->p;
	bool any = false, lines = false;
	int64_t name;
	size_t i;

	for (i = 0; i < p->nlocations; i++) {
		any |= p->locations[i].python;
		lines |= p->locations[i].python && p->locations[i].line;
	}
	if (!any)
		return 0;
	name = str(w, PPROF_PYTHON_MAPPING);
	if (name < 0)
		return -ENOMEM;
	w->python_mapping = p->nmappings + 1;
	pb_buf__reset(&w->msg);
	pb__uint(&w->msg, PPROF_MAPPING_ID, w->python_mapping);
	pb__uint(&w->msg, PPROF_MAPPING_FILENAME, name);
	pb__uint(&w->msg, PPROF_MAPPING_HAS_FUNCTIONS, 1);
	pb__uint_opt(&w->msg, PPROF_MAPPING_HAS_FILENAMES, lines);
	pb__uint_opt(&w->msg, PPROF_MAPPING_HAS_LINE_NUMBERS, lines);
	pb__message(&w->out, PPROF_MAPPING, &w->msg);
	return 0;
}

static void write_locations(struct writer *w)
{
	const struct profile *p = w->p;
	size_t i, j;

	for (i = 0; i < w->g.n; i++) {
		const struct prof_location *l = &p->locations[w->g.ids[w->g.start[i]] - 1];

		pb_buf__reset(&w->msg);
		pb__uint(&w->msg, PPROF_LOCATION_ID, i + 1);
		pb__uint_opt(&w->msg, PPROF_LOCATION_MAPPING_ID,
			     l->python ? w->python_mapping : l->mapping);
		pb__uint_opt(&w->msg, PPROF_LOCATION_ADDRESS, l->address);
		/* Innermost first, as the model has them. */
		for (j = w->g.start[i]; j < w->g.start[i + 1]; j++) {
			const struct prof_location *x = &p->locations[w->g.ids[j] - 1];

			if (!x->function)
				continue;
			pb_buf__reset(&w->sub);
			pb__uint(&w->sub, PPROF_LINE_FUNCTION_ID, x->function);
			pb__uint_opt(&w->sub, PPROF_LINE_LINE, x->line);
			pb__message(&w->msg, PPROF_LOCATION_LINE, &w->sub);
		}
		pb__message(&w->out, PPROF_LOCATION, &w->msg);
	}
}

static void write_functions(struct writer *w)
{
	const struct profile *p = w->p;
	size_t i;

	for (i = 0; i < p->nfunctions; i++) {
		const struct prof_function *f = &p->functions[i];

		pb_buf__reset(&w->msg);
		pb__uint(&w->msg, PPROF_FUNCTION_ID, i + 1);
		pb__uint_opt(&w->msg, PPROF_FUNCTION_NAME, f->name);
		/*
		 * Names are shown demangled; the model keeps no other.  A
		 * Python name has no other form, and go tool pprof would take
		 * one that is its own system name for C++ and cut "<...>" out
		 * of it ("<module>", "<lambda>" to nothing): it has none.
		 */
		if (!f->python)
			pb__uint_opt(&w->msg, PPROF_FUNCTION_SYSTEM_NAME, f->name);
		pb__uint_opt(&w->msg, PPROF_FUNCTION_FILENAME, f->file);
		pb__uint_opt(&w->msg, PPROF_FUNCTION_START_LINE, f->start_line);
		pb__message(&w->out, PPROF_FUNCTION, &w->msg);
	}
}

/* A comment "PREFIX<string s of the profile>"; 0 or -ENOMEM. */
static int comment(struct writer *w, const char *prefix, uint32_t s)
{
	char *text = NULL;
	int64_t id;

	if (asprintf(&text, "%s%s", prefix, profile__get_str(w->p, s)) < 0)
		return -ENOMEM;
	id = str(w, text);
	free(text);
	if (id < 0)
		return -ENOMEM;
	pb__uint(&w->out, PPROF_COMMENT, id);
	return 0;
}

/* Title, mode and losses travel as comments; 0 or -ENOMEM. */
static int write_comments(struct writer *w)
{
	const struct profile *p = w->p;
	char *text = NULL;
	int64_t id;
	size_t i;

	if ((p->title && comment(w, PPROF_COMMENT_TITLE, p->title)) ||
	    (p->mode && comment(w, PPROF_COMMENT_MODE, p->mode)))
		return -ENOMEM;
	for (i = 0; i < p->nlosses; i++) {
		const struct prof_loss *l = &p->losses[i];
		const char *hint = profile__get_str(p, l->hint);

		if (asprintf(&text, "%s%llu %s%s%s%s",
			     l->truncated ? PPROF_COMMENT_TRUNCATED : PPROF_COMMENT_LOST,
			     (unsigned long long)l->count,
			     profile__get_str(p, l->what), *hint ? PPROF_COMMENT_HINT : "",
			     hint, *hint ? ")" : "") < 0)
			return -ENOMEM;
		id = str(w, text);
		free(text);
		if (id < 0)
			return -ENOMEM;
		pb__uint(&w->out, PPROF_COMMENT, id);
	}
	return 0;
}

/* Everything but the string table, which must come last: writing the rest
 * adds strings to it. */
static int encode(struct writer *w)
{
	const struct profile *p = w->p;
	size_t i, n;
	int err;

	/* The profile's ids stay valid: its strings go in first, in order. */
	n = strtab__count(p->strings);
	for (i = 1; i < n; i++)
		if (str(w, profile__get_str(p, i)) != (int64_t)i)
			return -ENOMEM;
	w->comm_key = str(w, PPROF_LABEL_COMM);
	w->pid_key = str(w, PPROF_LABEL_PID);
	if (w->comm_key < 0 || w->pid_key < 0)
		return -ENOMEM;

	for (i = 0; i < p->ntypes; i++)
		value_type(&w->out, PPROF_SAMPLE_TYPE, &p->types[i]);
	if ((err = write_samples(w)))
		return err;
	write_mappings(w);
	if ((err = write_python_mapping(w)))
		return err;
	write_locations(w);
	write_functions(w);
	pb__uint_opt(&w->out, PPROF_TIME_NANOS, p->time_ns);
	pb__uint_opt(&w->out, PPROF_DURATION_NANOS, p->duration_ns);
	if (p->period_type.type)
		value_type(&w->out, PPROF_PERIOD_TYPE, &p->period_type);
	pb__uint_opt(&w->out, PPROF_PERIOD, p->period);
	if ((err = write_comments(w)))
		return err;
	if (p->ntypes)
		pb__uint_opt(&w->out, PPROF_DEFAULT_SAMPLE_TYPE,
			     p->types[p->default_type].type);

	n = strtab__count(w->strings);
	for (i = 0; i < n; i++) {
		const char *s = strtab__get(w->strings, i);

		/* The first string must be "": an empty field, written. */
		pb__bytes(&w->out, PPROF_STRING_TABLE, s, strlen(s));
	}
	return w->out.oom || w->msg.oom || w->sub.oom ? -ENOMEM : 0;
}

/* gzip data to out, as pprof files are. */
static int gzip_to(const uint8_t *data, size_t len, FILE *out)
{
	uint8_t chunk[65536];
	z_stream zs = {};
	int zr, err = 0;

	/* 15 + 16: a gzip header and trailer around the deflate stream. */
	if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	zs.next_in = (uint8_t *)data;
	zs.avail_in = 0;
	do {
		/* avail_in is 32 bits: feed large buffers in pieces. */
		if (zs.avail_in == 0 && len) {
			zs.avail_in = len > (1u << 30) ? (1u << 30) : (uInt)len;
			len -= zs.avail_in;
		}
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		zr = deflate(&zs, len || zs.avail_in ? Z_NO_FLUSH : Z_FINISH);
		if (zr == Z_STREAM_ERROR) {
			err = -EIO;
			break;
		}
		if (fwrite(chunk, 1, sizeof(chunk) - zs.avail_out, out) !=
		    sizeof(chunk) - zs.avail_out) {
			err = -EIO;
			break;
		}
	} while (zr != Z_STREAM_END);
	deflateEnd(&zs);
	return err;
}

int render_pprof(const struct profile *p, FILE *out)
{
	struct writer w = { .p = p };
	int err;

	w.strings = strtab__new();
	w.g.index = u64map__new();
	if (!w.strings || !w.g.index) {
		err = -ENOMEM;
		goto out;
	}
	if ((err = encode(&w)))
		goto out;
	err = gzip_to(w.out.data, w.out.len, out);
	if (!err && ferror(out))
		err = -EIO;
out:
	pb_buf__free(&w.out);
	pb_buf__free(&w.msg);
	pb_buf__free(&w.sub);
	free(w.loc_ids);
	free(w.g.ids);
	free(w.g.start);
	u64map__free(w.g.index);
	strtab__free(w.strings);
	return err;
}
