// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The protobuf wire format, and pprof written then read back: the reader on
 * the writer's output gives the same profile, inlined frames travel as one
 * Location with several Lines, the bytes match a golden file, and other
 * tools' profiles (no labels, no comments) still read.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "fixture_profile.h"
#include "golden.h"
#include "io/pprof_fields.h"
#include "io/pprof_read.h"
#include "io/profile_file.h"
#include "io/protobuf.h"
#include "render/render.h"

/* ---- wire format ------------------------------------------------------- */

static void test_varint_round_trip(void **state)
{
	static const uint64_t values[] = { 0, 1, 127, 128, 300, 16383, 16384,
					   1ULL << 35, 1ULL << 63, UINT64_MAX };
	struct pb_buf b = {};
	struct pb_reader r;
	uint64_t v;
	size_t i;

	(void)state;
	pb__varint(&b, 300);
	assert_int_equal(b.len, 2);
	assert_int_equal(b.data[0], 0xac);
	assert_int_equal(b.data[1], 0x02);
	pb_buf__reset(&b);
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		pb__varint(&b, values[i]);
	assert_false(b.oom);
	pb_reader__init(&r, b.data, b.len);
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		assert_int_equal(pb__read_varint(&r, &v), 0);
		assert_true(v == values[i]);
	}
	assert_true(r.p == r.end);
	pb_buf__free(&b);
}

static void test_wire_malformed(void **state)
{
	static const uint8_t truncated[] = { 0x08, 0x80 };
	static const uint8_t too_long[] = { 0x12, 0x05, 'a' };
	static const uint8_t eleven[] = { 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					  0xff, 0xff, 0xff, 0xff, 0x01 };
	static const uint8_t group[] = { 0x0b };
	struct pb_reader r;
	struct pb_field f;

	(void)state;
	pb_reader__init(&r, truncated, sizeof(truncated));
	assert_int_equal(pb__next(&r, &f), -EINVAL);
	pb_reader__init(&r, too_long, sizeof(too_long));
	assert_int_equal(pb__next(&r, &f), -EINVAL);
	pb_reader__init(&r, eleven, sizeof(eleven));
	assert_int_equal(pb__next(&r, &f), -EINVAL);
	pb_reader__init(&r, group, sizeof(group));
	assert_int_equal(pb__next(&r, &f), -EINVAL);
	pb_reader__init(&r, NULL, 0);
	assert_int_equal(pb__next(&r, &f), 0);
}

static int collect(void *ctx, uint64_t v)
{
	uint64_t **out = ctx;

	*(*out)++ = v;
	return 0;
}

static void test_packed_and_fields(void **state)
{
	static const uint64_t ids[] = { 1, 200, 3, 70000 };
	static const int64_t vals[] = { -1, 5 };
	struct pb_buf b = {}, sub = {};
	struct pb_reader r;
	struct pb_field f;
	uint64_t got[8], *at = got;

	(void)state;
	pb__packed_u64(&b, 1, ids, 4);
	pb__uint(&b, 2, 5);	/* an unpacked element of the same kind */
	pb__packed_i64(&sub, 1, vals, 2);
	pb__message(&b, 3, &sub);
	pb__bytes(&b, 4, "hi", 2);
	pb__uint_opt(&b, 5, 0);	/* left out */
	pb_reader__init(&r, b.data, b.len);

	assert_int_equal(pb__next(&r, &f), 1);
	assert_int_equal(f.number, 1);
	assert_int_equal(f.wire, PB_LEN);
	assert_int_equal(pb__each_int(&f, collect, &at), 0);
	assert_int_equal(pb__next(&r, &f), 1);
	assert_int_equal(f.wire, PB_VARINT);
	assert_int_equal(pb__each_int(&f, collect, &at), 0);
	assert_int_equal(at - got, 5);
	assert_true(got[1] == 200 && got[3] == 70000 && got[4] == 5);

	assert_int_equal(pb__next(&r, &f), 1);
	assert_int_equal(f.number, 3);
	assert_int_equal(f.len, sub.len);
	assert_int_equal(pb__next(&r, &f), 1);
	assert_int_equal(f.number, 4);
	assert_memory_equal(f.data, "hi", 2);
	assert_int_equal(pb__next(&r, &f), 0);
	pb_buf__free(&b);
	pb_buf__free(&sub);
}

/* ---- pprof ------------------------------------------------------------- */

static int render_pprof_ctx(const void *p, FILE *f)
{
	return render_pprof(p, f);
}

/* The gzip'd pprof of p, inflated (caller frees). */
static uint8_t *pprof_bytes(const struct profile *p, size_t *len)
{
	size_t zlen, cap = 1 << 20;
	char *z = render_to_memory(render_pprof_ctx, p, &zlen);
	uint8_t *out = malloc(cap);
	z_stream zs = {};

	assert_non_null(out);
	assert_true(zlen > 18 && (uint8_t)z[0] == 0x1f && (uint8_t)z[1] == 0x8b);
	assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
	zs.next_in = (uint8_t *)z;
	zs.avail_in = zlen;
	zs.next_out = out;
	zs.avail_out = cap;
	assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
	*len = cap - zs.avail_out;
	inflateEnd(&zs);
	free(z);
	return out;
}

static const char *loc_str(const struct profile *p, uint32_t loc, char *buf,
			   size_t len)
{
	const struct prof_location *l = &p->locations[loc - 1];
	const struct prof_mapping *m = l->mapping ? &p->mappings[l->mapping - 1] : NULL;
	uint32_t line;
	const char *file = profile__location_source(p, loc, &line);
	char name[512];

	snprintf(buf, len, "%s|%s|%s|%s|%llx|%s:%u|%u|%d%d%d",
		 profile__location_name(p, loc, name, sizeof(name)),
		 m ? profile__get_str(p, m->name) : "-",
		 m ? profile__get_str(p, m->path) : "-",
		 m ? profile__get_str(p, m->build_id) : "-",
		 (unsigned long long)l->address, file, line,
		 l->function ? p->functions[l->function - 1].start_line : 0,
		 l->inlined, l->kernel, l->python);
	return buf;
}

/* Everything the model says, compared by content (ids may differ). */
static void expect_same_profile(const struct profile *a, const struct profile *b)
{
	char x[1024], y[1024];
	size_t i, j;
	uint32_t t;

	assert_int_equal(a->ntypes, b->ntypes);
	for (t = 0; t < a->ntypes; t++) {
		assert_string_equal(profile__get_str(a, a->types[t].type),
				    profile__get_str(b, b->types[t].type));
		assert_string_equal(profile__get_str(a, a->types[t].unit),
				    profile__get_str(b, b->types[t].unit));
	}
	assert_int_equal(a->default_type, b->default_type);
	assert_string_equal(profile__get_str(a, a->period_type.type),
			    profile__get_str(b, b->period_type.type));
	assert_true(a->period == b->period);
	assert_true(a->duration_ns == b->duration_ns);
	assert_true(a->time_ns == b->time_ns);
	assert_string_equal(profile__get_str(a, a->title), profile__get_str(b, b->title));
	assert_int_equal(a->nlosses, b->nlosses);
	for (i = 0; i < a->nlosses; i++) {
		assert_string_equal(profile__get_str(a, a->losses[i].what),
				    profile__get_str(b, b->losses[i].what));
		assert_string_equal(profile__get_str(a, a->losses[i].hint),
				    profile__get_str(b, b->losses[i].hint));
		assert_true(a->losses[i].count == b->losses[i].count);
	}
	assert_int_equal(a->nsamples, b->nsamples);
	for (i = 0; i < a->nsamples; i++) {
		const struct prof_sample *s = &a->samples[i], *r = &b->samples[i];

		assert_string_equal(profile__get_str(a, s->comm), profile__get_str(b, r->comm));
		assert_int_equal(s->pid, r->pid);
		assert_memory_equal(s->values, r->values, a->ntypes * sizeof(s->values[0]));
		assert_int_equal(s->nlocs, r->nlocs);
		for (j = 0; j < s->nlocs; j++)
			assert_string_equal(loc_str(a, s->locs[j], x, sizeof(x)),
					    loc_str(b, r->locs[j], y, sizeof(y)));
	}
	/* Nothing extra was made up on the way. */
	assert_int_equal(a->nlocations, b->nlocations);
	assert_int_equal(a->nfunctions, b->nfunctions);
	assert_int_equal(a->nmappings, b->nmappings);
}

static struct profile *read_back(const void *data, size_t len)
{
	struct profile *q = NULL;
	enum profile_format fmt;
	char why[256];

	assert_int_equal(profile_file__parse(data, len, "x.pb.gz", &q, &fmt, why,
					     sizeof(why)), 0);
	assert_string_equal(why, "");
	assert_int_equal(fmt, PROFILE_PPROF);
	return q;
}

static char *render_text(const struct profile *p, int which)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	if (which == 2)
		assert_int_equal(render_table(p, 0, 20, f), 0);
	else
		assert_int_equal(render_folded(p, 0, which ? FOLDED_LINES : 0, f), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

/* bytes (len) read back are p again: the same profile, and the same
 * table, folded and folded-with-lines texts. */
static void expect_read_back_same(const struct profile *p, const void *bytes,
				  size_t len)
{
	struct profile *q = read_back(bytes, len);
	char *a, *b;
	int which;

	expect_same_profile(p, q);
	for (which = 0; which < 3; which++) {
		a = render_text(p, which);
		b = render_text(q, which);
		assert_string_equal(a, b);
		free(a);
		free(b);
	}
	profile__free(q);
}

static void test_round_trip(void **state)
{
	struct profile *p = fixture_profile(), *q;
	size_t zlen, len;
	char *z = render_to_memory(render_pprof_ctx, p, &zlen);
	uint8_t *raw;

	(void)state;
	/* Compressed, as written. */
	expect_read_back_same(p, z, zlen);
	/* And raw, as `go tool pprof -proto` can leave it after gunzip. */
	raw = pprof_bytes(p, &len);
	q = read_back(raw, len);
	expect_same_profile(p, q);
	profile__free(q);
	free(raw);
	free(z);
	profile__free(p);
}

/* The mode travels as a comment; a file without one (written before it
 * did) gets it from a "profiler MODE: ..." title, another tool's has none. */
static void test_mode(void **state)
{
	struct profile *p = fixture_profile(), *q;
	uint8_t *raw;
	size_t len;

	(void)state;
	p->mode = profile__str(p, "mem");
	raw = pprof_bytes(p, &len);
	q = read_back(raw, len);
	assert_string_equal(profile__get_str(q, q->mode), "mem");
	profile__free(q);
	free(raw);
	p->mode = 0;
	raw = pprof_bytes(p, &len);
	q = read_back(raw, len);
	assert_string_equal(profile__get_str(q, q->mode), "cpu");
	profile__free(q);
	free(raw);
	p->title = profile__str(p, "a Go heap profile");
	raw = pprof_bytes(p, &len);
	q = read_back(raw, len);
	assert_string_equal(profile__get_str(q, q->mode), "");
	profile__free(q);
	free(raw);
	profile__free(p);
}

/* Sample labels beyond comm and pid travel as pprof labels: strings, and
 * numbers with their unit. */
static void test_labels(void **state)
{
	struct profile *p = fixture_profile(), *q;
	const struct prof_label *l;
	uint8_t *raw;
	size_t len;

	(void)state;
	assert_int_equal(profile__add_label(p, "probe_offset", NULL, 4, "bytes"), 0);
	assert_int_equal(profile__add_label(p, "probe_instruction", "push rbp", 0,
					    NULL), 0);
	raw = pprof_bytes(p, &len);
	q = read_back(raw, len);
	assert_int_equal(q->nsamples, p->nsamples);
	l = profile__label(q, &q->samples[q->nsamples - 1], "probe_offset");
	assert_non_null(l);
	assert_int_equal(l->str, 0);
	assert_int_equal(l->num, 4);
	assert_string_equal(profile__get_str(q, l->unit), "bytes");
	l = profile__label(q, &q->samples[q->nsamples - 1], "probe_instruction");
	assert_non_null(l);
	assert_string_equal(profile__get_str(q, l->str), "push rbp");
	assert_null(profile__label(q, &q->samples[0], "probe_offset"));
	profile__free(q);
	free(raw);
	profile__free(p);
}

/* A profile read back and written again gives the same bytes. */
static void test_rewrite_stable(void **state)
{
	struct profile *p = fixture_profile(), *q;
	size_t len1, len2;
	uint8_t *one = pprof_bytes(p, &len1), *two;

	(void)state;
	q = read_back(one, len1);
	two = pprof_bytes(q, &len2);
	/* Ids differ (the reader interns in its own order): sizes match. */
	assert_int_equal(len1, len2);
	free(one);
	free(two);
	profile__free(q);
	profile__free(p);
}

static void test_golden(void **state)
{
	struct profile *p = fixture_profile();
	size_t len;
	uint8_t *raw = pprof_bytes(p, &len);

	(void)state;
	expect_golden("fixture.pb", (const char *)raw, len);
	free(raw);
	profile__free(p);
}

/* The Lines of the Locations at address, as function names, innermost
 * first ("a,b"), each Location's in brackets: "[a,b]" is one Location. */
static void lines_at(const uint8_t *data, size_t len, uint64_t address, char *out,
		     size_t out_len)
{
	const char *strs[256];
	uint64_t fname[64] = {};
	size_t nstrs = 0;
	struct pb_reader r, m, l;
	struct pb_field f, x, y;

	out[0] = '\0';
	pb_reader__init(&r, data, len);
	while (pb__next(&r, &f) > 0) {
		if (f.number == PPROF_STRING_TABLE && nstrs < 256)
			strs[nstrs++] = strndup((const char *)f.data, f.len);
		if (f.number == PPROF_FUNCTION) {
			uint64_t id = 0, name = 0;

			pb_reader__init(&m, f.data, f.len);
			while (pb__next(&m, &x) > 0) {
				if (x.number == PPROF_FUNCTION_ID)
					id = x.value;
				if (x.number == PPROF_FUNCTION_NAME)
					name = x.value;
			}
			if (id < 64)
				fname[id] = name;
		}
	}
	pb_reader__init(&r, data, len);
	while (pb__next(&r, &f) > 0) {
		uint64_t addr = 0;

		if (f.number != PPROF_LOCATION)
			continue;
		pb_reader__init(&m, f.data, f.len);
		while (pb__next(&m, &x) > 0)
			if (x.number == PPROF_LOCATION_ADDRESS)
				addr = x.value;
		if (addr != address)
			continue;
		snprintf(out + strlen(out), out_len - strlen(out), "[");
		pb_reader__init(&m, f.data, f.len);
		while (pb__next(&m, &x) > 0) {
			if (x.number != PPROF_LOCATION_LINE)
				continue;
			pb_reader__init(&l, x.data, x.len);
			while (pb__next(&l, &y) > 0)
				if (y.number == PPROF_LINE_FUNCTION_ID && y.value < 64 &&
				    fname[y.value] < nstrs)
					snprintf(out + strlen(out), out_len - strlen(out),
						 "%s%s", out[strlen(out) - 1] == '[' ? "" : ",",
						 strs[fname[y.value]]);
		}
		snprintf(out + strlen(out), out_len - strlen(out), "]");
	}
	while (nstrs)
		free((char *)strs[--nstrs]);
}

static void test_inlined_one_location(void **state)
{
	struct profile *p = fixture_profile();
	size_t len;
	uint8_t *raw = pprof_bytes(p, &len);
	char got[256];

	(void)state;
	lines_at(raw, len, 0x1300, got, sizeof(got));
	assert_string_equal(got, "[inner_math,outer]");
	lines_at(raw, len, 0x1200, got, sizeof(got));
	assert_string_equal(got, "[work]");
	free(raw);
	profile__free(p);
}

/* ---- Python frames --------------------------------------------------- */

/* What the file says of one Function. */
struct pb_fn {
	uint64_t id, name, system_name, filename, start_line;
};

/* ... and of the rest, as far as Python frames go. */
struct pb_facts {
	const char *strs[256];
	size_t nstrs;
	struct pb_fn fns[64];
	size_t nfns;
	uint64_t python_mapping;	/* id of the "[python]" mapping, 0: none */
	uint64_t loc_mapping[64];	/* location id -> mapping id */
	uint64_t loc_function[64];	/* location id -> its first Line's function */
};

static const char *fact_str(const struct pb_facts *f, uint64_t i)
{
	return i < f->nstrs ? f->strs[i] : "?";
}

static void read_facts(const uint8_t *data, size_t len, struct pb_facts *f)
{
	struct pb_reader r, m, l;
	struct pb_field x, y, z;
	uint64_t map_name[64] = {};
	size_t i;

	memset(f, 0, sizeof(*f));
	pb_reader__init(&r, data, len);
	while (pb__next(&r, &x) > 0) {
		if (x.number == PPROF_STRING_TABLE && f->nstrs < 256)
			f->strs[f->nstrs++] = strndup((const char *)x.data, x.len);
		if (x.number == PPROF_FUNCTION && f->nfns < 64) {
			struct pb_fn *fn = &f->fns[f->nfns++];

			pb_reader__init(&m, x.data, x.len);
			while (pb__next(&m, &y) > 0) {
				if (y.number == PPROF_FUNCTION_ID)
					fn->id = y.value;
				else if (y.number == PPROF_FUNCTION_NAME)
					fn->name = y.value;
				else if (y.number == PPROF_FUNCTION_SYSTEM_NAME)
					fn->system_name = y.value;
				else if (y.number == PPROF_FUNCTION_FILENAME)
					fn->filename = y.value;
				else if (y.number == PPROF_FUNCTION_START_LINE)
					fn->start_line = y.value;
			}
		}
		if (x.number == PPROF_MAPPING) {
			uint64_t id = 0, name = 0;

			pb_reader__init(&m, x.data, x.len);
			while (pb__next(&m, &y) > 0) {
				if (y.number == PPROF_MAPPING_ID)
					id = y.value;
				else if (y.number == PPROF_MAPPING_FILENAME)
					name = y.value;
			}
			if (id < 64)
				map_name[id] = name;
		}
		if (x.number == PPROF_LOCATION) {
			uint64_t id = 0, mapping = 0, fn = 0;

			pb_reader__init(&m, x.data, x.len);
			while (pb__next(&m, &y) > 0) {
				if (y.number == PPROF_LOCATION_ID)
					id = y.value;
				else if (y.number == PPROF_LOCATION_MAPPING_ID)
					mapping = y.value;
				if (y.number != PPROF_LOCATION_LINE || fn)
					continue;
				pb_reader__init(&l, y.data, y.len);
				while (pb__next(&l, &z) > 0)
					if (z.number == PPROF_LINE_FUNCTION_ID)
						fn = z.value;
			}
			assert_true(id < 64);
			f->loc_mapping[id] = mapping;
			f->loc_function[id] = fn;
		}
	}
	/* Strings come last: names now. */
	for (i = 1; i < 64; i++)
		if (map_name[i] && !strcmp(fact_str(f, map_name[i]), PPROF_PYTHON_MAPPING))
			f->python_mapping = i;
}

static void free_facts(struct pb_facts *f)
{
	while (f->nstrs)
		free((char *)f->strs[--f->nstrs]);
}

/* The Function named name in file ("" for no file); fails if none. */
static const struct pb_fn *fact_fn(const struct pb_facts *f, const char *name,
				   const char *file)
{
	size_t i;

	for (i = 0; i < f->nfns; i++)
		if (!strcmp(fact_str(f, f->fns[i].name), name) &&
		    !strcmp(fact_str(f, f->fns[i].filename), file))
			return &f->fns[i];
	fail_msg("no function %s in %s", name, file);
	return NULL;
}

/* The mapping of the Location whose (first) Line calls fn. */
static uint64_t fact_mapping_of(const struct pb_facts *f, const struct pb_fn *fn)
{
	size_t i;

	for (i = 1; i < 64; i++)
		if (f->loc_function[i] == fn->id)
			return f->loc_mapping[i];
	fail_msg("no location of function %llu", (unsigned long long)fn->id);
	return 0;
}

/* `go tool pprof ARGS FILE`'s output (stderr too), or NULL without Go. */
static char *go_pprof(const char *args, const char *file)
{
	char cmd[512], *out = NULL;
	size_t len = 0, n;
	char buf[4096];
	FILE *f, *m;

	if (system("command -v go >/dev/null 2>&1"))
		return NULL;
	snprintf(cmd, sizeof(cmd), "go tool pprof %s %s 2>&1", args, file);
	f = popen(cmd, "r");
	assert_non_null(f);
	m = open_memstream(&out, &len);
	assert_non_null(m);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, m);
	assert_int_equal(pclose(f), 0);
	assert_int_equal(fclose(m), 0);
	return out;
}

static void expect_in(const char *text, const char *part)
{
	if (!strstr(text, part))
		fail_msg("'%s' not in:\n%s", part, text);
}

/*
 * Python functions: Function with the qualified name, the .py file and
 * the first line; Line.line the line; Locations of a pseudo mapping
 * "[python]" (how the reader knows them again), never shared with native
 * code of the same name; read back the same.  go tool pprof reads it
 * with the names whole ("<module>" is no C++ template).
 */
static void test_python(void **state)
{
	struct profile *p = python_profile();
	const struct pb_fn *fn;
	struct pb_facts f;
	size_t zlen, len;
	char *z = render_to_memory(render_pprof_ctx, p, &zlen), *a;
	char path[] = "/tmp/test_pprof.XXXXXX";
	uint8_t *raw;
	int fd;

	(void)state;
	expect_read_back_same(p, z, zlen);

	raw = pprof_bytes(p, &len);
	read_facts(raw, len, &f);
	assert_int_not_equal(f.python_mapping, 0);
	fn = fact_fn(&f, "Outer.level2", "app.py");
	assert_int_equal(fn->start_line, 10);
	/* No system name: see render/pprof.c. */
	assert_int_equal(fn->system_name, 0);
	assert_int_equal(fact_mapping_of(&f, fn), f.python_mapping);
	fn = fact_fn(&f, "<module>", "app.py");
	assert_int_equal(fn->start_line, 1);
	assert_int_equal(fact_mapping_of(&f, fn), f.python_mapping);
	fn = fact_fn(&f, "level1", "app.py");
	assert_int_equal(fn->start_line, 24);
	assert_int_equal(fact_mapping_of(&f, fn), f.python_mapping);
	/* The C extension's level1: native, its own mapping. */
	fn = fact_fn(&f, "level1", "");
	assert_int_equal(fn->start_line, 0);
	assert_int_equal(fn->system_name, fn->name);
	assert_int_not_equal(fact_mapping_of(&f, fn), f.python_mapping);
	assert_int_not_equal(fact_mapping_of(&f, fn), 0);
	free_facts(&f);

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, z, zlen), (ssize_t)zlen);
	assert_int_equal(close(fd), 0);
	a = go_pprof("-raw", path);
	if (a) {
		/* "0x0 M=mapping function file:line s=start_line"; go
		 * numbers the mappings its own way. */
		expect_in(a, " Outer.level2 app.py:12 s=10");
		expect_in(a, " Outer.level2 app.py:14 s=10");
		expect_in(a, " <module> app.py:30 s=1");
		expect_in(a, " level1 app.py:25 s=24");
		expect_in(a, "0x3000 M=");
		expect_in(a, " level1 :0 s=0\n");
		expect_in(a, " [python]  [FN][FL][LN]\n");
		free(a);
		a = go_pprof("-top -nodecount=20", path);
		expect_in(a, "Showing nodes accounting for 14, 100% of 14 total");
		expect_in(a, " <module>\n");
		expect_in(a, " Outer.level2\n");
		assert_null(strstr(a, "[[python]]"));
		free(a);
	} else {
		fprintf(stderr, "no go: go tool pprof not tried\n");
	}
	unlink(path);
	free(raw);
	free(z);
	profile__free(p);
}

/* A profile as Go's runtime writes one: no labels, no comments, absolute
 * addresses in a mapping with a range. */
static void test_foreign_profile(void **state)
{
	static const char *const strings[] = {
		"", "samples", "count", "cpu", "nanoseconds", "/srv/bin/server",
		"main.main", "main.go", "runtime.main",
	};
	struct pb_buf b = {}, m = {}, sub = {};
	uint64_t locs[] = { 1, 2 };
	int64_t vals[] = { 3, 30000000 };
	struct profile *q;
	char *folded;
	size_t i;

	(void)state;
	/* sample types */
	pb__uint(&sub, PPROF_VT_TYPE, 1);
	pb__uint(&sub, PPROF_VT_UNIT, 2);
	pb__message(&b, PPROF_SAMPLE_TYPE, &sub);
	pb_buf__reset(&sub);
	pb__uint(&sub, PPROF_VT_TYPE, 3);
	pb__uint(&sub, PPROF_VT_UNIT, 4);
	pb__message(&b, PPROF_SAMPLE_TYPE, &sub);
	/* the sample before what it refers to */
	pb__packed_u64(&m, PPROF_SAMPLE_LOCATION_ID, locs, 2);
	pb__packed_i64(&m, PPROF_SAMPLE_VALUE, vals, 2);
	pb__message(&b, PPROF_SAMPLE, &m);
	pb_buf__reset(&m);
	pb__uint(&m, PPROF_MAPPING_ID, 1);
	pb__uint(&m, PPROF_MAPPING_MEMORY_START, 0x400000);
	pb__uint(&m, PPROF_MAPPING_MEMORY_LIMIT, 0x800000);
	pb__uint(&m, PPROF_MAPPING_FILENAME, 5);
	pb__message(&b, PPROF_MAPPING, &m);
	for (i = 1; i <= 2; i++) {
		pb_buf__reset(&m);
		pb__uint(&m, PPROF_FUNCTION_ID, i);
		pb__uint(&m, PPROF_FUNCTION_NAME, i == 1 ? 6 : 8);
		pb__uint(&m, PPROF_FUNCTION_FILENAME, 7);
		pb__message(&b, PPROF_FUNCTION, &m);
		pb_buf__reset(&m);
		pb_buf__reset(&sub);
		pb__uint(&m, PPROF_LOCATION_ID, i);
		pb__uint(&m, PPROF_LOCATION_MAPPING_ID, 1);
		pb__uint(&m, PPROF_LOCATION_ADDRESS, 0x401000 + i);
		pb__uint(&sub, PPROF_LINE_FUNCTION_ID, i);
		pb__uint(&sub, PPROF_LINE_LINE, 10 * i);
		pb__message(&m, PPROF_LOCATION_LINE, &sub);
		pb__message(&b, PPROF_LOCATION, &m);
	}
	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		pb__bytes(&b, PPROF_STRING_TABLE, strings[i], strlen(strings[i]));
	assert_false(b.oom);

	q = read_back(b.data, b.len);
	assert_string_equal(profile__get_str(q, q->title), "x.pb.gz (pprof)");
	folded = render_text(q, 1);
	/* No comm label: the main binary's name stands in. */
	assert_string_equal(folded, "server;runtime.main (main.go:20);"
			    "main.main (main.go:10) 3\n");
	assert_int_equal(profile__total(q, 1), 30000000);
	free(folded);
	profile__free(q);
	pb_buf__free(&b);
	pb_buf__free(&m);
	pb_buf__free(&sub);
}

static void expect_bad(const void *data, size_t len, const char *why_part);

/*
 * A few KB that would be millions of frames: a Location of 1,000 Lines
 * listed 20,000 times in one sample (20 million frames, ~8 GB as the model
 * holds them).  Refused with a reason; and a ceiling on all frames.
 */
static void test_amplification(void **state)
{
	static const char *const strings[] = { "", "samples", "count", "f" };
	static uint64_t ids[20000];
	struct pb_buf b = {}, m = {}, sub = {};
	int64_t one = 1;
	size_t i;

	(void)state;
	pb__uint(&sub, PPROF_VT_TYPE, 1);
	pb__uint(&sub, PPROF_VT_UNIT, 2);
	pb__message(&b, PPROF_SAMPLE_TYPE, &sub);
	pb_buf__reset(&m);
	pb__uint(&m, PPROF_FUNCTION_ID, 1);
	pb__uint(&m, PPROF_FUNCTION_NAME, 3);
	pb__message(&b, PPROF_FUNCTION, &m);
	pb_buf__reset(&m);
	pb__uint(&m, PPROF_LOCATION_ID, 1);
	for (i = 0; i < 1000; i++) {
		pb_buf__reset(&sub);
		pb__uint(&sub, PPROF_LINE_FUNCTION_ID, 1);
		pb__uint(&sub, PPROF_LINE_LINE, i + 1);
		pb__message(&m, PPROF_LOCATION_LINE, &sub);
	}
	pb__message(&b, PPROF_LOCATION, &m);
	for (i = 0; i < 20000; i++)
		ids[i] = 1;
	pb_buf__reset(&m);
	pb__packed_u64(&m, PPROF_SAMPLE_LOCATION_ID, ids, 20000);
	pb__packed_i64(&m, PPROF_SAMPLE_VALUE, &one, 1);
	pb__message(&b, PPROF_SAMPLE, &m);
	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		pb__bytes(&b, PPROF_STRING_TABLE, strings[i], strlen(strings[i]));
	assert_false(b.oom);
	expect_bad(b.data, b.len, "more than 8192 frames");
	pb_buf__free(&b);
	pb_buf__free(&m);
	pb_buf__free(&sub);
}

/* --max-frames: a profile with more frames in all is refused, pprof and
 * folded alike. */
static void test_max_frames(void **state)
{
	static const char folded[] = "app;a;b;c 1\napp;a;b;d 2\n";
	uint64_t old = profile_max_frames;

	(void)state;
	profile_max_frames = 5;
	expect_bad(folded, sizeof(folded) - 1, "--max-frames");
	profile_max_frames = 6;
	{
		struct profile *q = NULL;
		char why[256];

		assert_int_equal(profile_file__parse(folded, sizeof(folded) - 1, "ok",
						     &q, NULL, why, sizeof(why)), 0);
		profile__free(q);
	}
	profile_max_frames = old;
}

static void expect_bad(const void *data, size_t len, const char *why_part)
{
	struct profile *q = NULL;
	char why[256];

	assert_int_equal(profile_file__parse(data, len, "bad", &q, NULL, why,
					     sizeof(why)), -EINVAL);
	assert_null(q);
	if (!strstr(why, why_part))
		fail_msg("reason '%s' does not say '%s'", why, why_part);
}

static void test_reader_errors(void **state)
{
	static const uint8_t garbage[] = { 0x0a, 0xff, 0x01, 0x02 };
	static const uint8_t bad_gzip[] = { 0x1f, 0x8b, 0x08, 0x00, 0x01 };
	static const uint64_t missing[] = { 9 };
	struct pb_buf b = {}, m = {};

	(void)state;
	expect_bad(garbage, sizeof(garbage), "malformed");
	expect_bad(bad_gzip, sizeof(bad_gzip), "gzip");
	expect_bad("", 0, "empty");
	pb__packed_u64(&m, PPROF_SAMPLE_LOCATION_ID, missing, 1);
	pb__message(&b, PPROF_SAMPLE, &m);
	pb__bytes(&b, PPROF_STRING_TABLE, "", 0);
	expect_bad(b.data, b.len, "location 9");
	pb_buf__reset(&b);
	pb__bytes(&b, PPROF_STRING_TABLE, "x", 1);
	expect_bad(b.data, b.len, "string table");
	pb_buf__free(&b);
	pb_buf__free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_varint_round_trip),
		cmocka_unit_test(test_wire_malformed),
		cmocka_unit_test(test_packed_and_fields),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_rewrite_stable),
		cmocka_unit_test(test_mode),
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_inlined_one_location),
		cmocka_unit_test(test_python),
		cmocka_unit_test(test_foreign_profile),
		cmocka_unit_test(test_amplification),
		cmocka_unit_test(test_max_frames),
		cmocka_unit_test(test_reader_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
