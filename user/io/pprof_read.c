// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Two passes over the top-level message: the first collects the string
 * table and every mapping, function and location (fields may come in any
 * order, and samples may come before what they refer to); the second turns
 * samples into the model's.  A pprof Location with several Lines becomes
 * one model location per Line, all inlined but the last; the Lines of a
 * Location of the Python pseudo mapping are Python functions.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "lib/hashmap.h"
#include "io/pprof_fields.h"
#include "io/pprof_read.h"
#include "io/protobuf.h"

struct raw_mapping {
	uint64_t id, start, filename, build_id;
};

struct raw_function {
	uint64_t id, name, filename, start_line;
};

struct raw_location {
	uint64_t id, mapping_id, address;
	const uint8_t *msg;	/* the message, for its Lines */
	size_t len;
	size_t first, n;	/* its model locations in reader.locs */
};

struct reader {
	struct profile *p;
	char *why;
	size_t why_len;

	char **strs;		/* the string table, NUL-terminated copies */
	size_t nstrs, strs_cap;
	struct raw_mapping *maps;
	size_t nmaps, maps_cap;
	struct raw_function *funcs;
	size_t nfuncs, funcs_cap;
	struct raw_location *locs;
	size_t nlocs, locs_cap;
	struct u64map *map_index, *func_index, *loc_index;	/* id -> index + 1 */
	uint32_t *model;	/* model location ids of every raw location */
	size_t nmodel, model_cap;
	uint64_t *lines;	/* one Location's Lines being read */
	size_t nlines, lines_cap;

	uint64_t types[2 * 64];	/* (type, unit) string ids of sample types */
	size_t ntypes;
	uint64_t period_type[2], period, default_type;
	int64_t time_ns, duration_ns;
	uint64_t *comments;
	size_t ncomments, comments_cap;

	/* One sample being read. */
	uint32_t *stack;
	size_t nstack, stack_cap;
	int64_t values[PROF_MAX_VALUES];
	size_t nvalues;
	struct { uint64_t key, str, num, unit; } labels[PPROF_MAX_LABELS];
	size_t nlabels;
};

#define GROW_IN(r, arr, n) array_reserve((void **)&(r)->arr, (r)->n + 1, &(r)->arr##_cap, \
			     sizeof(*(r)->arr))

__attribute__((format(printf, 2, 3)))
static int bad(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->why, r->why_len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int malformed(struct reader *r, const char *what)
{
	return bad(r, "not a pprof profile: malformed %s", what);
}

/* A string table entry, or NULL (with why set) if the index is bad. */
static const char *s_at(struct reader *r, uint64_t i)
{
	if (i >= r->nstrs) {
		bad(r, "string index %llu is past the string table (%zu entries)",
		    (unsigned long long)i, r->nstrs);
		return NULL;
	}
	return r->strs[i];
}

static int read_value_type(struct reader *r, const struct pb_field *f,
			   uint64_t *type, uint64_t *unit)
{
	struct pb_reader m;
	struct pb_field x;
	int rc;

	*type = *unit = 0;
	pb_reader__init(&m, f->data, f->len);
	while ((rc = pb__next(&m, &x)) > 0) {
		if (x.number == PPROF_VT_TYPE && x.wire == PB_VARINT)
			*type = x.value;
		else if (x.number == PPROF_VT_UNIT && x.wire == PB_VARINT)
			*unit = x.value;
	}
	return rc ? malformed(r, "value type") : 0;
}

static int read_mapping(struct reader *r, const struct pb_field *f)
{
	struct raw_mapping *m;
	struct pb_reader in;
	struct pb_field x;
	int rc;

	if (GROW_IN(r, maps, nmaps))
		return -ENOMEM;
	m = &r->maps[r->nmaps++];
	memset(m, 0, sizeof(*m));
	pb_reader__init(&in, f->data, f->len);
	while ((rc = pb__next(&in, &x)) > 0) {
		if (x.wire != PB_VARINT)
			continue;
		if (x.number == PPROF_MAPPING_ID)
			m->id = x.value;
		else if (x.number == PPROF_MAPPING_MEMORY_START)
			m->start = x.value;
		else if (x.number == PPROF_MAPPING_FILENAME)
			m->filename = x.value;
		else if (x.number == PPROF_MAPPING_BUILD_ID)
			m->build_id = x.value;
	}
	if (rc)
		return malformed(r, "mapping");
	if (!m->id)
		return bad(r, "mapping with id 0");
	if (u64map__get(r->map_index, m->id, &(uint64_t){ 0 }))
		return bad(r, "two mappings with id %llu", (unsigned long long)m->id);
	return u64map__set(r->map_index, m->id, r->nmaps);
}

static int read_function(struct reader *r, const struct pb_field *f)
{
	struct raw_function *fn;
	struct pb_reader in;
	struct pb_field x;
	int rc;

	if (GROW_IN(r, funcs, nfuncs))
		return -ENOMEM;
	fn = &r->funcs[r->nfuncs++];
	memset(fn, 0, sizeof(*fn));
	pb_reader__init(&in, f->data, f->len);
	while ((rc = pb__next(&in, &x)) > 0) {
		if (x.wire != PB_VARINT)
			continue;
		if (x.number == PPROF_FUNCTION_ID)
			fn->id = x.value;
		else if (x.number == PPROF_FUNCTION_NAME)
			fn->name = x.value;
		else if (x.number == PPROF_FUNCTION_FILENAME)
			fn->filename = x.value;
		else if (x.number == PPROF_FUNCTION_START_LINE)
			fn->start_line = x.value;
	}
	if (rc)
		return malformed(r, "function");
	if (!fn->id)
		return bad(r, "function with id 0");
	if (u64map__get(r->func_index, fn->id, &(uint64_t){ 0 }))
		return bad(r, "two functions with id %llu", (unsigned long long)fn->id);
	return u64map__set(r->func_index, fn->id, r->nfuncs);
}

static int read_location(struct reader *r, const struct pb_field *f)
{
	struct raw_location *l;
	struct pb_reader in;
	struct pb_field x;
	int rc;

	if (GROW_IN(r, locs, nlocs))
		return -ENOMEM;
	l = &r->locs[r->nlocs++];
	memset(l, 0, sizeof(*l));
	l->msg = f->data;
	l->len = f->len;
	pb_reader__init(&in, f->data, f->len);
	while ((rc = pb__next(&in, &x)) > 0) {
		if (x.wire != PB_VARINT)
			continue;
		if (x.number == PPROF_LOCATION_ID)
			l->id = x.value;
		else if (x.number == PPROF_LOCATION_MAPPING_ID)
			l->mapping_id = x.value;
		else if (x.number == PPROF_LOCATION_ADDRESS)
			l->address = x.value;
	}
	if (rc)
		return malformed(r, "location");
	if (!l->id)
		return bad(r, "location with id 0");
	if (u64map__get(r->loc_index, l->id, &(uint64_t){ 0 }))
		return bad(r, "two locations with id %llu", (unsigned long long)l->id);
	return u64map__set(r->loc_index, l->id, r->nlocs);
}

static int add_comment(void *ctx, uint64_t v)
{
	struct reader *r = ctx;

	if (GROW_IN(r, comments, ncomments))
		return -ENOMEM;
	r->comments[r->ncomments++] = v;
	return 0;
}

/* Pass 1: everything but samples. */
static int read_tables(struct reader *r, const uint8_t *data, size_t len)
{
	struct pb_reader in;
	struct pb_field f;
	int rc, err = 0;

	pb_reader__init(&in, data, len);
	while (!err && (rc = pb__next(&in, &f)) > 0) {
		switch (f.number) {
		case PPROF_STRING_TABLE:
			if (f.wire != PB_LEN)
				return malformed(r, "string table");
			/* A NUL inside a string would cut it: say so now
			 * (before copying it: the copy would leak). */
			if (memchr(f.data, '\0', f.len))
				return bad(r, "string %zu holds a NUL byte", r->nstrs);
			if (GROW_IN(r, strs, nstrs))
				return -ENOMEM;
			r->strs[r->nstrs] = strndup((const char *)f.data, f.len);
			if (!r->strs[r->nstrs])
				return -ENOMEM;
			r->nstrs++;
			break;
		case PPROF_SAMPLE_TYPE:
			if (f.wire != PB_LEN)
				return malformed(r, "sample type");
			if (r->ntypes == sizeof(r->types) / sizeof(r->types[0]) / 2)
				return bad(r, "more than 64 sample types");
			err = read_value_type(r, &f, &r->types[2 * r->ntypes],
					      &r->types[2 * r->ntypes + 1]);
			r->ntypes++;
			break;
		case PPROF_PERIOD_TYPE:
			if (f.wire != PB_LEN)
				return malformed(r, "period type");
			err = read_value_type(r, &f, &r->period_type[0],
					      &r->period_type[1]);
			break;
		case PPROF_MAPPING:
			err = f.wire == PB_LEN ? read_mapping(r, &f) :
						 malformed(r, "mapping");
			break;
		case PPROF_FUNCTION:
			err = f.wire == PB_LEN ? read_function(r, &f) :
						 malformed(r, "function");
			break;
		case PPROF_LOCATION:
			err = f.wire == PB_LEN ? read_location(r, &f) :
						 malformed(r, "location");
			break;
		case PPROF_COMMENT:
			err = pb__each_int(&f, add_comment, r);
			if (err == -EINVAL)
				err = malformed(r, "comment list");
			break;
		case PPROF_TIME_NANOS:
			r->time_ns = (int64_t)f.value;
			break;
		case PPROF_DURATION_NANOS:
			r->duration_ns = (int64_t)f.value;
			break;
		case PPROF_PERIOD:
			r->period = f.value;
			break;
		case PPROF_DEFAULT_SAMPLE_TYPE:
			r->default_type = f.value;
			break;
		default:
			break;
		}
	}
	if (err)
		return err;
	if (rc < 0)
		return malformed(r, "message");
	if (r->nstrs == 0 || r->strs[0][0])
		return bad(r, "not a pprof profile: the string table must start with \"\"");
	return 0;
}

/* "[kernel.kallsyms]" (perf's name), or a bracketed module above the user
 * half of the address space (a kernel module, as this project writes). */
static bool mapping_is_kernel(const struct raw_mapping *m, const char *file)
{
	if (!strncmp(file, PPROF_KERNEL_MAPPING, strlen(PPROF_KERNEL_MAPPING)))
		return true;
	return file[0] == '[' && m->start >= PPROF_KERNEL_START;
}

/* The frame fields a mapping gives; 0 or -EINVAL. */
static int mapping_frame(struct reader *r, uint64_t id, struct frame *fr)
{
	const struct raw_mapping *m;
	const char *file, *slash;
	uint64_t idx;

	if (!id)
		return 0;
	if (!u64map__get(r->map_index, id, &idx))
		return bad(r, "a location refers to mapping %llu, which does not exist",
			   (unsigned long long)id);
	m = &r->maps[idx - 1];
	if (!(file = s_at(r, m->filename)) || !(fr->build_id = s_at(r, m->build_id)))
		return -EINVAL;
	/* Python functions: the mapping says only what they are. */
	if (!strcmp(file, PPROF_PYTHON_MAPPING)) {
		fr->python = true;
		return 0;
	}
	slash = strrchr(file, '/');
	/* "[vdso]", "[kernel.kallsyms]": names, not files. */
	fr->path = file[0] == '[' ? NULL : file;
	fr->module = slash ? slash + 1 : file;
	if (!fr->module[0])
		fr->module = "[unnamed mapping]";
	fr->kernel = mapping_is_kernel(m, file);
	return 0;
}

/* The Lines of one Location: (function id, line) pairs, innermost first. */
static int read_lines(struct reader *r, const struct raw_location *l)
{
	struct pb_reader in, lin;
	struct pb_field x, y;
	int rc;

	r->nlines = 0;
	pb_reader__init(&in, l->msg, l->len);
	while ((rc = pb__next(&in, &x)) > 0) {
		uint64_t fid = 0, line = 0;

		if (x.number != PPROF_LOCATION_LINE || x.wire != PB_LEN)
			continue;
		pb_reader__init(&lin, x.data, x.len);
		while ((rc = pb__next(&lin, &y)) > 0) {
			if (y.number == PPROF_LINE_FUNCTION_ID && y.wire == PB_VARINT)
				fid = y.value;
			else if (y.number == PPROF_LINE_LINE && y.wire == PB_VARINT)
				line = y.value;
		}
		if (rc)
			return malformed(r, "line");
		/* A Line without a function names nothing. */
		if (!fid)
			continue;
		if (array_reserve((void **)&r->lines, 2 * r->nlines + 2, &r->lines_cap,
			 sizeof(*r->lines)))
			return -ENOMEM;
		r->lines[2 * r->nlines] = fid;
		r->lines[2 * r->nlines + 1] = line;
		r->nlines++;
	}
	return rc ? malformed(r, "location") : 0;
}

static int add_model(struct reader *r, const struct frame *fr)
{
	if (GROW_IN(r, model, nmodel))
		return -ENOMEM;
	r->model[r->nmodel] = profile__location(r->p, fr);
	return r->model[r->nmodel++] ? 0 : -ENOMEM;
}

/* The model locations of every raw location, innermost first: one per
 * Line, inlined but the last (the function the others were inlined into). */
static int build_locations(struct reader *r)
{
	size_t i, k;
	int err;

	for (i = 0; i < r->nlocs; i++) {
		struct raw_location *l = &r->locs[i];
		struct frame base = { .build_id = "", .address = l->address };

		if ((err = mapping_frame(r, l->mapping_id, &base)) ||
		    (err = read_lines(r, l)))
			return err;
		l->first = r->nmodel;
		for (k = 0; k < r->nlines; k++) {
			const struct raw_function *fn;
			struct frame fr = base;
			uint64_t idx, line = r->lines[2 * k + 1];

			if (!u64map__get(r->func_index, r->lines[2 * k], &idx))
				return bad(r, "location %llu refers to function %llu, "
					   "which does not exist",
					   (unsigned long long)l->id,
					   (unsigned long long)r->lines[2 * k]);
			fn = &r->funcs[idx - 1];
			if (!(fr.name = s_at(r, fn->name)) ||
			    !(fr.file = s_at(r, fn->filename)))
				return -EINVAL;
			fr.line = line > UINT32_MAX ? 0 : (unsigned int)line;
			/* int64 in the file: a negative one reads huge. */
			fr.start_line = fn->start_line > UINT32_MAX ? 0 :
					(unsigned int)fn->start_line;
			fr.inlined = k + 1 < r->nlines;
			if ((err = add_model(r, &fr)))
				return err;
		}
		/* No Lines: an address nothing named. */
		if (r->nlines == 0 && (err = add_model(r, &base)))
			return err;
		l->n = r->nmodel - l->first;
	}
	return 0;
}

static int add_loc(void *ctx, uint64_t id)
{
	struct reader *r = ctx;
	const struct raw_location *l;
	uint64_t idx;

	if (!u64map__get(r->loc_index, id, &idx))
		return bad(r, "a sample refers to location %llu, which does not exist",
			   (unsigned long long)id);
	l = &r->locs[idx - 1];
	if (r->nstack + l->n > PROFILE_MAX_SAMPLE_FRAMES)
		return bad(r, "a sample has more than %d frames", PROFILE_MAX_SAMPLE_FRAMES);
	if (array_reserve((void **)&r->stack, r->nstack + l->n, &r->stack_cap,
		 sizeof(*r->stack)))
		return -ENOMEM;
	memcpy(&r->stack[r->nstack], &r->model[l->first], l->n * sizeof(*r->stack));
	r->nstack += l->n;
	return 0;
}

static int add_value(void *ctx, uint64_t v)
{
	struct reader *r = ctx;

	/* Types past the model's limit are dropped (with a warning). */
	if (r->nvalues < PROF_MAX_VALUES)
		r->values[r->nvalues] = (int64_t)v;
	r->nvalues++;
	return 0;
}

/* The process name when a sample has no "comm" label: the main binary's. */
static const char *default_comm(struct reader *r)
{
	const char *file, *slash;

	if (!r->nmaps || r->maps[0].filename >= r->nstrs)
		return "";
	file = r->strs[r->maps[0].filename];
	slash = strrchr(file, '/');
	return file[0] == '[' ? "" : slash ? slash + 1 : file;
}

static int read_sample(struct reader *r, const struct pb_field *f, size_t n)
{
	const char *comm = NULL;
	uint64_t pid = 0;
	struct pb_reader in;
	struct pb_field x;
	int rc, err = 0;
	size_t i;

	r->nstack = 0;
	r->nvalues = 0;
	r->nlabels = 0;
	pb_reader__init(&in, f->data, f->len);
	while (!err && (rc = pb__next(&in, &x)) > 0) {
		if (x.number == PPROF_SAMPLE_LOCATION_ID) {
			err = pb__each_int(&x, add_loc, r);
		} else if (x.number == PPROF_SAMPLE_VALUE) {
			err = pb__each_int(&x, add_value, r);
		} else if (x.number == PPROF_SAMPLE_LABEL && x.wire == PB_LEN) {
			struct pb_reader lin;
			struct pb_field y;
			uint64_t key = 0, s = 0, num = 0, unit = 0;
			const char *k;

			pb_reader__init(&lin, x.data, x.len);
			while ((rc = pb__next(&lin, &y)) > 0) {
				if (y.wire != PB_VARINT)
					continue;
				if (y.number == PPROF_LABEL_KEY)
					key = y.value;
				else if (y.number == PPROF_LABEL_STR)
					s = y.value;
				else if (y.number == PPROF_LABEL_NUM)
					num = y.value;
				else if (y.number == PPROF_LABEL_NUM_UNIT)
					unit = y.value;
			}
			if (rc)
				return malformed(r, "label");
			if (!(k = s_at(r, key)))
				return -EINVAL;
			if (!strcmp(k, PPROF_LABEL_COMM) && !(comm = s_at(r, s)))
				return -EINVAL;
			if (!strcmp(k, PPROF_LABEL_PID)) {
				pid = num;
			} else if (strcmp(k, PPROF_LABEL_COMM)) {
				if (r->nlabels == PPROF_MAX_LABELS)
					return bad(r, "sample %zu has more than %d labels",
						   n, PPROF_MAX_LABELS);
				if (!s_at(r, s) || !s_at(r, unit))
					return -EINVAL;
				r->labels[r->nlabels].key = key;
				r->labels[r->nlabels].str = s;
				r->labels[r->nlabels].num = num;
				r->labels[r->nlabels++].unit = unit;
			}
		}
	}
	if (err)
		return err == -EINVAL && !r->why[0] ? malformed(r, "sample") : err;
	if (rc < 0)
		return malformed(r, "sample");
	if (r->nvalues != r->ntypes)
		return bad(r, "sample %zu has %zu values for %zu sample types", n,
			   r->nvalues, r->ntypes);
	err = profile__add_sample(r->p, r->stack, r->nstack,
				  pid > UINT32_MAX ? 0 : (uint32_t)pid,
				  comm ? comm : default_comm(r), r->values);
	if (err == -E2BIG)
		return bad(r, "more than %llu frames in all (--max-frames)",
			   (unsigned long long)profile_max_frames);
	for (i = 0; !err && i < r->nlabels; i++)
		err = profile__add_label(r->p, s_at(r, r->labels[i].key),
					 r->labels[i].str ? s_at(r, r->labels[i].str) : NULL,
					 (int64_t)r->labels[i].num,
					 s_at(r, r->labels[i].unit));
	return err;
}

/* "7 what (hint: hint)" back into a loss; anything else is no loss. */
static int add_loss(struct reader *r, const char *text, bool truncated)
{
	unsigned long long count;
	char *end, *what = NULL, *h;
	const char *hint = "";
	size_t len;
	int err;

	if (text[0] < '0' || text[0] > '9')
		return 0;
	errno = 0;
	count = strtoull(text, &end, 10);
	if (errno || *end != ' ')
		return 0;
	what = strdup(end + 1);
	if (!what)
		return -ENOMEM;
	len = strlen(what);
	h = strstr(what, PPROF_COMMENT_HINT);
	while (h && strstr(h + 1, PPROF_COMMENT_HINT))
		h = strstr(h + 1, PPROF_COMMENT_HINT);
	if (h && len && what[len - 1] == ')') {
		what[len - 1] = '\0';
		*h = '\0';
		hint = h + strlen(PPROF_COMMENT_HINT);
	}
	err = truncated ? profile__add_truncation(r->p, what, hint, count) :
			  profile__add_loss(r->p, what, hint, count);
	free(what);
	return err;
}

/*
 * Files written before the mode travelled as a comment: "profiler cpu: ..."
 * titles say it.  0 or -ENOMEM; no mode when the title says none.
 */
static int mode_from_title(struct profile *p)
{
	const char *t = profile__get_str(p, p->title), *colon;
	char mode[32];
	int64_t id;
	size_t n;

	if (strncmp(t, "profiler ", 9))
		return 0;
	t += 9;
	colon = strchr(t, ':');
	n = colon ? (size_t)(colon - t) : 0;
	if (!n || n >= sizeof(mode) || memchr(t, ' ', n))
		return 0;
	memcpy(mode, t, n);
	mode[n] = '\0';
	id = profile__str(p, mode);
	if (id < 0)
		return -ENOMEM;
	p->mode = id;
	return 0;
}

static int build_profile(struct reader *r, const uint8_t *data, size_t len)
{
	struct profile *p = r->p;
	struct pb_reader in;
	struct pb_field f;
	size_t i, n = 0;
	int rc, err;

	for (i = 0; i < r->ntypes && i < PROF_MAX_VALUES; i++) {
		const char *t = s_at(r, r->types[2 * i]), *u = s_at(r, r->types[2 * i + 1]);

		if (!t || !u)
			return -EINVAL;
		if (profile__add_type(p, t, u) < 0)
			return -ENOMEM;
		if (r->default_type && r->types[2 * i] == r->default_type)
			p->default_type = i;
	}
	if (r->ntypes > PROF_MAX_VALUES)
		bad(r, "%zu sample types: only the first %d are kept", r->ntypes,
		    PROF_MAX_VALUES);
	if (r->period_type[0] || r->period_type[1]) {
		const char *t = s_at(r, r->period_type[0]), *u = s_at(r, r->period_type[1]);
		int64_t ti, ui;

		if (!t || !u)
			return -EINVAL;
		ti = profile__str(p, t);
		ui = profile__str(p, u);
		if (ti < 0 || ui < 0)
			return -ENOMEM;
		p->period_type.type = ti;
		p->period_type.unit = ui;
	}
	p->period = (int64_t)r->period;
	p->duration_ns = r->duration_ns;
	p->time_ns = r->time_ns;
	for (i = 0; i < r->ncomments; i++) {
		const char *c = s_at(r, r->comments[i]);

		if (!c)
			return -EINVAL;
		if (!strncmp(c, PPROF_COMMENT_TITLE, strlen(PPROF_COMMENT_TITLE))) {
			int64_t id = profile__str(p, c + strlen(PPROF_COMMENT_TITLE));

			if (id < 0)
				return -ENOMEM;
			p->title = id;
		} else if (!strncmp(c, PPROF_COMMENT_MODE, strlen(PPROF_COMMENT_MODE))) {
			int64_t id = profile__str(p, c + strlen(PPROF_COMMENT_MODE));

			if (id < 0)
				return -ENOMEM;
			p->mode = id;
		} else if (!strncmp(c, PPROF_COMMENT_LOST, strlen(PPROF_COMMENT_LOST))) {
			if (add_loss(r, c + strlen(PPROF_COMMENT_LOST), false))
				return -ENOMEM;
		} else if (!strncmp(c, PPROF_COMMENT_TRUNCATED,
				    strlen(PPROF_COMMENT_TRUNCATED))) {
			if (add_loss(r, c + strlen(PPROF_COMMENT_TRUNCATED), true))
				return -ENOMEM;
		}
	}
	if (!p->mode && (err = mode_from_title(p)))
		return err;
	if ((err = build_locations(r)))
		return err;

	pb_reader__init(&in, data, len);
	while ((rc = pb__next(&in, &f)) > 0) {
		if (f.number != PPROF_SAMPLE)
			continue;
		if (f.wire != PB_LEN)
			return malformed(r, "sample");
		if ((err = read_sample(r, &f, n++)))
			return err;
	}
	return rc < 0 ? malformed(r, "message") : 0;
}

int pprof__parse(const void *data, size_t len, struct profile **out, char *why,
		 size_t why_len)
{
	struct reader r = { .why = why, .why_len = why_len };
	size_t i;
	int err;

	*out = NULL;
	if (why_len)
		why[0] = '\0';
	r.p = profile__new();
	r.map_index = u64map__new();
	r.func_index = u64map__new();
	r.loc_index = u64map__new();
	if (!r.p || !r.map_index || !r.func_index || !r.loc_index) {
		err = -ENOMEM;
		goto out;
	}
	if ((err = read_tables(&r, data, len)) || (err = build_profile(&r, data, len)))
		goto out;
	*out = r.p;
	r.p = NULL;
out:
	if (err == -ENOMEM && why_len)
		snprintf(why, why_len, "out of memory");
	profile__free(r.p);
	for (i = 0; i < r.nstrs; i++)
		free(r.strs[i]);
	free(r.strs);
	free(r.maps);
	free(r.funcs);
	free(r.locs);
	free(r.model);
	free(r.lines);
	free(r.comments);
	free(r.stack);
	u64map__free(r.map_index);
	u64map__free(r.func_index);
	u64map__free(r.loc_index);
	return err;
}
