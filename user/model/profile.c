// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "lib/hashmap.h"
#include "hist.h"
#include "model/profile.h"
#include "lib/textsafe.h"
#include "lib/strtab.h"


struct profile *profile__new(void)
{
	struct profile *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->strings = strtab__new();
	p->mapping_index = u64map__new();
	p->function_index = u64map__new();
	p->location_index = u64map__new();
	if (!p->strings || !p->mapping_index || !p->function_index ||
	    !p->location_index) {
		profile__free(p);
		return NULL;
	}
	return p;
}

void profile__free(struct profile *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nsamples; i++)
		free(p->samples[i].locs);
	free(p->samples);
	free(p->locations);
	free(p->functions);
	free(p->mappings);
	free(p->losses);
	free(p->metrics);
	for (i = 0; i < p->nhists; i++)
		free(p->hists[i].counts);
	free(p->hists);
	free(p->labels);
	u64map__free(p->mapping_index);
	u64map__free(p->function_index);
	u64map__free(p->location_index);
	strtab__free(p->strings);
	free(p);
}

uint64_t profile_max_frames = PROFILE_DEFAULT_MAX_FRAMES;

int64_t profile__str(struct profile *p, const char *s)
{
	char *safe;
	int64_t id;

	if (!s)
		return strtab__intern(p->strings, "");
	/* Every name in a profile comes from a target or a file: none may
	 * carry control characters to a terminal or a text output. */
	if (!text_unsafe(s))
		return strtab__intern(p->strings, s);
	safe = text_safe_dup(s);
	if (!safe)
		return -1;
	id = strtab__intern(p->strings, safe);
	free(safe);
	return id;
}

const char *profile__get_str(const struct profile *p, uint32_t id)
{
	return strtab__get(p->strings, id);
}

int profile__add_type(struct profile *p, const char *type, const char *unit)
{
	int64_t t = profile__str(p, type), u = profile__str(p, unit);

	if (p->ntypes == PROF_MAX_VALUES || t < 0 || u < 0)
		return -1;
	p->types[p->ntypes].type = t;
	p->types[p->ntypes].unit = u;
	return p->ntypes++;
}

/*
 * Look up key in index; on a miss call make() to append an element and
 * remember its 1-based id.  Keys are hashes of the identifying fields: the
 * equality check (eq) guards against collisions by probing on.
 */
static uint32_t mapping_id(struct profile *p, const struct frame *f)
{
	int64_t name = profile__str(p, f->module), path = profile__str(p, f->path),
		bid = profile__str(p, f->build_id);
	uint64_t key, id;
	struct prof_mapping *m;

	if (name < 0 || path < 0 || bid < 0)
		return 0;
	key = hash_bytes(HASH_SEED, &name, sizeof(name));
	key = hash_bytes(key, &path, sizeof(path));
	key = hash_bytes(key, &f->kernel, sizeof(f->kernel));
	for (;; key++) {
		if (!u64map__get(p->mapping_index, key, &id))
			break;
		m = &p->mappings[id - 1];
		if (m->name == name && m->path == path && m->kernel == f->kernel)
			return id;
	}
	if (GROW(p->mappings, p->nmappings, p->mappings_cap))
		return 0;
	m = &p->mappings[p->nmappings];
	m->name = name;
	m->path = path;
	m->build_id = bid;
	m->kernel = f->kernel;
	if (u64map__set(p->mapping_index, key, p->nmappings + 1))
		return 0;
	return ++p->nmappings;
}

static uint32_t function_id(struct profile *p, const char *name,
			    const char *file, uint32_t mapping,
			    uint32_t start_line, bool python)
{
	int64_t n = profile__str(p, name), fl = profile__str(p, file);
	uint64_t key, id;
	struct prof_function *fn;

	if (n < 0 || fl < 0)
		return 0;
	key = hash_bytes(HASH_SEED, &n, sizeof(n));
	key = hash_bytes(key, &fl, sizeof(fl));
	key = hash_bytes(key, &mapping, sizeof(mapping));
	key = hash_bytes(key, &start_line, sizeof(start_line));
	key = hash_bytes(key, &python, sizeof(python));
	for (;; key++) {
		if (!u64map__get(p->function_index, key, &id))
			break;
		fn = &p->functions[id - 1];
		if (fn->name == n && fn->file == fl && fn->mapping == mapping &&
		    fn->start_line == start_line && fn->python == python)
			return id;
	}
	if (GROW(p->functions, p->nfunctions, p->functions_cap))
		return 0;
	fn = &p->functions[p->nfunctions];
	fn->name = n;
	fn->file = fl;
	fn->mapping = mapping;
	fn->start_line = start_line;
	fn->python = python;
	if (u64map__set(p->function_index, key, p->nfunctions + 1))
		return 0;
	return ++p->nfunctions;
}

static uint32_t location_id(struct profile *p, uint32_t mapping,
			   uint32_t function, uint64_t address, uint32_t line,
			   bool inlined, bool kernel, bool python)
{
	uint64_t key, id;
	struct prof_location *l;

	key = hash_bytes(HASH_SEED, &mapping, sizeof(mapping));
	key = hash_bytes(key, &address, sizeof(address));
	key = hash_bytes(key, &function, sizeof(function));
	key = hash_bytes(key, &line, sizeof(line));
	key = hash_bytes(key, &python, sizeof(python));
	for (;; key++) {
		if (!u64map__get(p->location_index, key, &id))
			break;
		l = &p->locations[id - 1];
		if (l->mapping == mapping && l->address == address &&
		    l->function == function && l->line == line &&
		    l->inlined == inlined && l->kernel == kernel &&
		    l->python == python)
			return id;
	}
	if (GROW(p->locations, p->nlocations, p->locations_cap))
		return 0;
	l = &p->locations[p->nlocations];
	l->mapping = mapping;
	l->function = function;
	l->address = address;
	l->line = line;
	l->inlined = inlined;
	l->kernel = kernel;
	l->python = python;
	if (u64map__set(p->location_index, key, p->nlocations + 1))
		return 0;
	return ++p->nlocations;
}

uint32_t profile__location(struct profile *p, const struct frame *f)
{
	uint32_t mapping = 0, function = 0;

	/* A Python function is no code of a file mapped in: no mapping, no
	 * address, whatever the frame says. */
	if (f->python) {
		if (f->name) {
			function = function_id(p, f->name, f->file, 0, f->start_line,
					       true);
			if (!function)
				return 0;
		}
		return location_id(p, 0, function, 0, f->name ? f->line : 0,
				   false, false, true);
	}
	if (f->module) {
		mapping = mapping_id(p, f);
		if (!mapping)
			return 0;
	}
	if (f->name) {
		function = function_id(p, f->name, f->file, mapping, f->start_line,
				       false);
		if (!function)
			return 0;
	}
	return location_id(p, mapping, function, f->address,
			   f->name ? f->line : 0, f->inlined, f->kernel, false);
}

uint32_t profile__pseudo_location(struct profile *p, const char *name)
{
	uint32_t function = function_id(p, name, NULL, 0, 0, false);

	return function ? location_id(p, 0, function, 0, 0, false, false, false) : 0;
}

int profile__add_sample(struct profile *p, const uint32_t *locs, uint32_t nlocs,
			uint32_t pid, const char *comm, const int64_t *values)
{
	struct prof_sample *s;
	int64_t c;

	if (nlocs > PROFILE_MAX_SAMPLE_FRAMES || p->nframes + nlocs > profile_max_frames)
		return -E2BIG;
	c = profile__str(p, comm);
	if (c < 0 || GROW(p->samples, p->nsamples, p->samples_cap))
		return -ENOMEM;
	s = &p->samples[p->nsamples];
	memset(s, 0, sizeof(*s));
	s->locs = malloc((nlocs ? nlocs : 1) * sizeof(*locs));
	if (!s->locs)
		return -ENOMEM;
	/* locs may be NULL when nlocs is 0 (memcpy's arguments must not). */
	if (nlocs)
		memcpy(s->locs, locs, nlocs * sizeof(*locs));
	s->nlocs = nlocs;
	p->nframes += nlocs;
	s->pid = pid;
	s->comm = c;
	memcpy(s->values, values, p->ntypes * sizeof(*values));
	p->nsamples++;
	return 0;
}

static int add_loss(struct profile *p, const char *what, const char *hint,
		    uint64_t count, bool truncated)
{
	int64_t w = profile__str(p, what), h = profile__str(p, hint);
	struct prof_loss *v;

	if (w < 0 || h < 0)
		return -ENOMEM;
	if (GROW(p->losses, p->nlosses, p->losses_cap))
		return -ENOMEM;
	v = p->losses;
	v[p->nlosses].what = w;
	v[p->nlosses].hint = h;
	v[p->nlosses].count = count;
	v[p->nlosses].truncated = truncated;
	p->nlosses++;
	return 0;
}

int profile__add_loss(struct profile *p, const char *what, const char *hint,
		      uint64_t count)
{
	return add_loss(p, what, hint, count, false);
}

int profile__add_truncation(struct profile *p, const char *what,
			    const char *hint, uint64_t count)
{
	return add_loss(p, what, hint, count, true);
}

int profile__add_metric(struct profile *p, const char *group,
			 const char *name, const char *unit, double value)
{
	int64_t g = profile__str(p, group), n = profile__str(p, name);
	int64_t u = profile__str(p, unit);
	struct prof_metric *v;

	if (g < 0 || n < 0 || u < 0)
		return -ENOMEM;
	if (GROW(p->metrics, p->nmetrics, p->metrics_cap))
		return -ENOMEM;
	v = p->metrics;
	v[p->nmetrics].group = g;
	v[p->nmetrics].name = n;
	v[p->nmetrics].unit = u;
	v[p->nmetrics].value = value;
	p->nmetrics++;
	return 0;
}

struct prof_hist *profile__add_hist(struct profile *p, const char *group,
				    const char *name, const char *unit,
				    const uint64_t *counts, uint64_t max)
{
	int64_t g = profile__str(p, group), n = profile__str(p, name);
	int64_t u = profile__str(p, unit);
	struct prof_hist *v, *h;
	size_t i;

	if (g < 0 || n < 0 || u < 0)
		return NULL;
	if (GROW(p->hists, p->nhists, p->hists_cap))
		return NULL;
	v = p->hists;
	h = &v[p->nhists];
	h->counts = malloc(HIST_BUCKETS * sizeof(*h->counts));
	if (!h->counts)
		return NULL;
	memcpy(h->counts, counts, HIST_BUCKETS * sizeof(*h->counts));
	h->group = g;
	h->name = n;
	h->unit = u;
	h->min = 0;
	h->max = max;
	h->location = 0;
	h->total = 0;
	for (i = 0; i < HIST_BUCKETS; i++)
		h->total += counts[i];
	p->nhists++;
	return h;
}

int profile__add_label(struct profile *p, const char *key, const char *str,
		       int64_t num, const char *unit)
{
	struct prof_sample *s;
	struct prof_label *l;
	int64_t k = profile__str(p, key);
	int64_t v = str ? profile__str(p, str) : 0;
	int64_t u = profile__str(p, unit ? unit : "");

	if (!p->nsamples)
		return -EINVAL;
	s = &p->samples[p->nsamples - 1];
	if (k < 0 || v < 0 || u < 0 || p->nlabels >= UINT32_MAX ||
	    GROW(p->labels, p->nlabels, p->labels_cap))
		return -ENOMEM;
	/* A sample's labels are contiguous: it is the last one added. */
	if (!s->nlabels)
		s->label0 = (uint32_t)p->nlabels;
	l = &p->labels[p->nlabels++];
	l->key = (uint32_t)k;
	l->str = (uint32_t)v;
	l->num = str ? 0 : num;
	l->unit = str ? 0 : (uint32_t)u;
	s->nlabels++;
	return 0;
}

const struct prof_label *profile__label(const struct profile *p,
					const struct prof_sample *s,
					const char *key)
{
	uint32_t i;

	for (i = 0; i < s->nlabels; i++) {
		const struct prof_label *l = &p->labels[s->label0 + i];

		if (!strcmp(profile__get_str(p, l->key), key))
			return l;
	}
	return NULL;
}

int64_t profile__total(const struct profile *p, uint32_t type)
{
	int64_t sum = 0;
	size_t i;

	for (i = 0; i < p->nsamples; i++)
		sum += p->samples[i].values[type];
	return sum;
}

const char *profile__location_module(const struct profile *p, uint32_t loc)
{
	const struct prof_location *l = &p->locations[loc - 1];

	return l->mapping ? profile__get_str(p, p->mappings[l->mapping - 1].name) : "";
}

const char *profile__location_source(const struct profile *p, uint32_t loc,
				     uint32_t *line)
{
	const struct prof_location *l = &p->locations[loc - 1];

	*line = l->line;
	return l->function ? profile__get_str(p, p->functions[l->function - 1].file) : "";
}

const char *profile__location_name(const struct profile *p, uint32_t loc,
				   char *buf, size_t len)
{
	const struct prof_location *l = &p->locations[loc - 1];

	if (l->function)
		snprintf(buf, len, "%s",
			 profile__get_str(p, p->functions[l->function - 1].name));
	else if (l->mapping)
		snprintf(buf, len, "%s+0x%llx", profile__location_module(p, loc),
			 (unsigned long long)l->address);
	else
		snprintf(buf, len, "[unknown]");
	return buf;
}
