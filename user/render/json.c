// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The full report as one JSON document; docs/formats.md is its schema.
 * Values are keyed by value__key ("samples", "cpu_ns") so every number says
 * its unit; addresses are hex strings (JSON numbers lose 64-bit precision).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "hist.h"
#include "model/histogram.h"
#include "render.h"

#define JSON_FORMAT_VERSION 1

struct ctx {
	const struct profile *p;
	FILE *out;
	char keys[PROF_MAX_VALUES][128];
	const char *nl;		/* "\n    " in the document, " " in an interval */
	bool interval;		/* an interval object: no buckets, no stacks */
};

static void values(struct ctx *c, const int64_t *v)
{
	uint32_t t;

	putc('{', c->out);
	for (t = 0; t < c->p->ntypes; t++) {
		fprintf(c->out, "%s", t ? ", " : "");
		json__string(c->out, c->keys[t]);
		fprintf(c->out, ": %lld", (long long)v[t]);
	}
	putc('}', c->out);
}

static void metadata(struct ctx *c)
{
	const struct profile *p = c->p;
	char key[160];
	uint32_t t;

	fprintf(c->out, "  \"metadata\": {\n    \"mode\": ");
	json__string(c->out, profile__get_str(p, p->mode));
	fprintf(c->out, ",\n    \"title\": ");
	json__string(c->out, profile__get_str(p, p->title));
	fprintf(c->out, ",\n    \"duration_ns\": %lld,\n    \"time_ns\": %lld,\n",
		(long long)p->duration_ns, (long long)p->time_ns);
	fprintf(c->out, "    \"period\": {\"type\": ");
	json__string(c->out, profile__get_str(p, p->period_type.type));
	fprintf(c->out, ", \"unit\": ");
	json__string(c->out, profile__get_str(p, p->period_type.unit));
	fprintf(c->out, ", ");
	json__string(c->out, value__key_of("value", profile__get_str(p, p->period_type.unit),
					   key, sizeof(key)));
	fprintf(c->out, ": %lld},\n    \"sample_types\": [", (long long)p->period);
	for (t = 0; t < p->ntypes; t++) {
		fprintf(c->out, "%s\n      {\"name\": ", t ? "," : "");
		json__string(c->out, profile__get_str(p, p->types[t].type));
		fprintf(c->out, ", \"unit\": ");
		json__string(c->out, profile__get_str(p, p->types[t].unit));
		fprintf(c->out, ", \"key\": ");
		json__string(c->out, c->keys[t]);
		putc('}', c->out);
	}
	fprintf(c->out, "\n    ],\n    \"default_sample_type\": ");
	json__string(c->out, p->ntypes ? c->keys[p->default_type] : "");
	fprintf(c->out, "\n  },\n");
}

static void losses(struct ctx *c)
{
	size_t i;

	fprintf(c->out, "  \"losses\": [");
	for (i = 0; i < c->p->nlosses; i++) {
		const struct prof_loss *l = &c->p->losses[i];

		fprintf(c->out, "%s\n    {\"what\": ", i ? "," : "");
		json__string(c->out, profile__get_str(c->p, l->what));
		fprintf(c->out, ", \"hint\": ");
		json__string(c->out, profile__get_str(c->p, l->hint));
		fprintf(c->out, ", \"count\": %llu%s}", (unsigned long long)l->count,
			l->truncated ? ", \"truncated\": true" : "");
	}
	fprintf(c->out, "%s],\n", c->p->nlosses ? "\n  " : "");
}

/* The JSON key of a metric's last name part, carrying its unit. */
static void metric_key(const char *name, const char *unit, char *buf, size_t len)
{
	static const struct { const char *unit, *suffix; } sfx[] = {
		{ "bytes", "_bytes" }, { "nanoseconds", "_ns" }, { "seconds", "_s" },
		{ "per_second", "_per_s" }, { "bytes_per_second", "_bytes_per_s" },
	};
	size_t i, n = strlen(name);

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		size_t k = strlen(sfx[i].suffix);

		if (strcmp(unit, sfx[i].unit))
			continue;
		if (n >= k && !strcmp(name + n - k, sfx[i].suffix))
			break;
		snprintf(buf, len, "%s%s", name, sfx[i].suffix);
		return;
	}
	snprintf(buf, len, "%s", name);
}

/*
 * "totals": the sum of each value type over all samples, then the figures
 * of PROF_GROUP_TOTALS (allocs, alloc_bytes, ...), keys carrying units.
 */
static void totals(struct ctx *c)
{
	int64_t v[PROF_MAX_VALUES] = {};
	const struct profile *p = c->p;
	char key[128];
	uint32_t t;
	size_t i;

	for (t = 0; t < p->ntypes; t++)
		v[t] = profile__total(p, t);
	fprintf(c->out, "  \"totals\": {");
	for (t = 0; t < p->ntypes; t++) {
		fprintf(c->out, "%s", t ? ", " : "");
		json__string(c->out, c->keys[t]);
		fprintf(c->out, ": %lld", (long long)v[t]);
	}
	for (i = 0; i < p->nmetrics; i++) {
		const struct prof_metric *m = &p->metrics[i];
		const char *name = profile__get_str(p, m->name);

		if (strcmp(profile__get_str(p, m->group), PROF_GROUP_TOTALS))
			continue;
		metric_key(name, profile__get_str(p, m->unit), key, sizeof(key));
		fprintf(c->out, "%s", p->ntypes || i ? ", " : "");
		json__string(c->out, key);
		if (m->value == (double)(int64_t)m->value)
			fprintf(c->out, ": %lld", (long long)m->value);
		else
			fprintf(c->out, ": %.6g", m->value);
	}
	fprintf(c->out, "},\n");
}

static uint32_t sort_type;

/* By self of the default type, then total, then name. */
static int cmp_rows(const void *a, const void *b)
{
	const struct func_row *x = *(const struct func_row * const *)a;
	const struct func_row *y = *(const struct func_row * const *)b;
	int c;

	if (x->self[sort_type] != y->self[sort_type])
		return x->self[sort_type] > y->self[sort_type] ? -1 : 1;
	if (x->total[sort_type] != y->total[sort_type])
		return x->total[sort_type] > y->total[sort_type] ? -1 : 1;
	c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->module, y->module);
}

static int functions(struct ctx *c)
{
	struct func_table t;
	struct func_row **order;
	size_t i;
	int err;

	if ((err = func_table__build(c->p, &t)))
		return err;
	order = malloc((t.n ? t.n : 1) * sizeof(*order));
	if (!order) {
		func_table__free(&t);
		return -ENOMEM;
	}
	for (i = 0; i < t.n; i++)
		order[i] = &t.rows[i];
	sort_type = c->p->default_type;
	qsort(order, t.n, sizeof(*order), cmp_rows);
	fprintf(c->out, c->interval ? ", \"functions\": [" : "  \"functions\": [");
	for (i = 0; i < t.n; i++) {
		const struct func_row *r = order[i];

		fprintf(c->out, "%s%s{\"name\": ", i ? "," : "", c->nl);
		json__string(c->out, r->name);
		fprintf(c->out, ", \"module\": ");
		json__string(c->out, r->module);
		fprintf(c->out, ", \"kernel\": %s, \"python\": %s, \"self\": ",
			r->kernel ? "true" : "false", r->python ? "true" : "false");
		values(c, r->self);
		fprintf(c->out, ", \"total\": ");
		values(c, r->total);
		putc('}', c->out);
	}
	if (c->interval)
		putc(']', c->out);
	else
		fprintf(c->out, "%s],\n", t.n ? "\n  " : "");
	free(order);
	func_table__free(&t);
	return 0;
}

/* One frame object, written once per location and reused by every stack. */
static char *frame_json(const struct profile *p, uint32_t loc)
{
	const struct prof_location *l = &p->locations[loc - 1];
	const char *build_id = l->mapping ?
		profile__get_str(p, p->mappings[l->mapping - 1].build_id) : "";
	uint32_t start_line = l->function ? p->functions[l->function - 1].start_line : 0;
	char name[4096], *text = NULL;
	const char *file;
	uint32_t line;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	file = profile__location_source(p, loc, &line);
	fprintf(f, "{\"name\": ");
	json__string(f, profile__location_name(p, loc, name, sizeof(name)));
	fprintf(f, ", \"module\": ");
	json__string(f, profile__location_module(p, loc));
	fprintf(f, ", \"file\": ");
	json__string(f, file);
	fprintf(f, ", \"line\": %u, \"inlined\": %s, \"kernel\": %s, \"python\": %s, "
		"\"build_id\": ", line, l->inlined ? "true" : "false",
		l->kernel ? "true" : "false", l->python ? "true" : "false");
	json__string(f, build_id);
	fprintf(f, ", \"address\": \"0x%llx\"", (unsigned long long)l->address);
	/* Where the function starts, when known (Python's co_firstlineno). */
	if (start_line)
		fprintf(f, ", \"start_line\": %u", start_line);
	putc('}', f);
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

/* A sample's labels as an object; a number's key carries its unit. */
static void labels(struct ctx *c, const struct prof_sample *s)
{
	const struct profile *p = c->p;
	char key[160];
	uint32_t i;

	fprintf(c->out, ", \"labels\": {");
	for (i = 0; i < s->nlabels; i++) {
		const struct prof_label *l = &p->labels[s->label0 + i];

		fprintf(c->out, "%s", i ? ", " : "");
		if (l->str) {
			json__string(c->out, profile__get_str(p, l->key));
			fprintf(c->out, ": ");
			json__string(c->out, profile__get_str(p, l->str));
			continue;
		}
		metric_key(profile__get_str(p, l->key), profile__get_str(p, l->unit),
			   key, sizeof(key));
		json__string(c->out, key);
		fprintf(c->out, ": %lld", (long long)l->num);
	}
	putc('}', c->out);
}

static int stacks(struct ctx *c)
{
	const struct profile *p = c->p;
	char **frames = calloc(p->nlocations + 1, sizeof(*frames));
	size_t i;
	int32_t j;
	int err = 0;

	if (!frames)
		return -ENOMEM;
	fprintf(c->out, "  \"stacks\": [");
	for (i = 0; i < p->nsamples && !err; i++) {
		const struct prof_sample *s = &p->samples[i];

		fprintf(c->out, "%s\n    {\"comm\": ", i ? "," : "");
		json__string(c->out, profile__get_str(p, s->comm));
		fprintf(c->out, ", \"pid\": %u, \"values\": ", s->pid);
		values(c, s->values);
		if (s->nlabels)
			labels(c, s);
		/* Names alone first, for scripts that want just the stack. */
		fprintf(c->out, ", \"stack\": [");
		for (j = (int32_t)s->nlocs - 1; j >= 0; j--) {
			char name[1024];

			fprintf(c->out, "%s", j == (int32_t)s->nlocs - 1 ? "" : ", ");
			json__string(c->out, profile__location_name(p, s->locs[j], name,
								    sizeof(name)));
		}
		fprintf(c->out, "], \"frames\": [");
		/* Root first: the model keeps the leaf first. */
		for (j = (int32_t)s->nlocs - 1; j >= 0; j--) {
			uint32_t loc = s->locs[j];

			if (!frames[loc] && !(frames[loc] = frame_json(p, loc))) {
				err = -ENOMEM;
				break;
			}
			fprintf(c->out, "%s\n      %s", j == (int32_t)s->nlocs - 1 ? "" : ",",
				frames[loc]);
		}
		fprintf(c->out, "%s]}", s->nlocs ? "\n    " : "");
	}
	fprintf(c->out, "%s]\n", p->nsamples ? "\n  " : "");
	for (i = 0; i <= p->nlocations; i++)
		free(frames[i]);
	free(frames);
	return err;
}

/* A figure's or distribution's name as JSON: "group.name" ("totals.allocs",
 * "latency.malloc"), the name alone without a group. */
static void group_name(struct ctx *c, uint32_t group, uint32_t name)
{
	const struct profile *p = c->p;
	const char *g = profile__get_str(p, group), *n = profile__get_str(p, name);
	char *both = NULL;

	if (*g && asprintf(&both, "%s.%s", g, n) >= 0) {
		json__string(c->out, both);
		free(both);
		return;
	}
	json__string(c->out, n);
}

/* The run's figures (modes beyond cpu record them). */
static void metrics(struct ctx *c)
{
	const struct profile *p = c->p;
	size_t i;

	fprintf(c->out, "  \"metrics\": [");
	for (i = 0; i < p->nmetrics; i++) {
		const struct prof_metric *m = &p->metrics[i];

		fprintf(c->out, "%s\n    {\"name\": ", i ? "," : "");
		group_name(c, m->group, m->name);
		fprintf(c->out, ", \"unit\": ");
		json__string(c->out, profile__get_str(p, m->unit));
		fprintf(c->out, ", \"value\": %.17g}", m->value);
	}
	fprintf(c->out, "%s],\n", p->nmetrics ? "\n  " : "");
}

/* Distributions: count, exact min and max, percentiles, and (in the
 * document) every bucket that holds something. */
static void histograms(struct ctx *c)
{
	static const struct {
		const char *name;
		double q;
	} pct[] = { { "p50", 0.5 }, { "p90", 0.9 }, { "p95", 0.95 }, { "p99", 0.99 } };
	const struct profile *p = c->p;
	char key[160], name[1024];
	size_t i, k;
	uint32_t b;

	fprintf(c->out, c->interval ? ", \"histograms\": [" : "  \"histograms\": [");
	for (i = 0; i < p->nhists; i++) {
		const struct prof_hist *h = &p->hists[i];
		const char *unit = profile__get_str(p, h->unit);
		bool first = true;

		fprintf(c->out, "%s%s{\"name\": ", i ? "," : "", c->nl);
		group_name(c, h->group, h->name);
		if (h->location) {
			fprintf(c->out, ", \"function\": ");
			json__string(c->out, profile__location_name(p, h->location, name,
								    sizeof(name)));
			fprintf(c->out, ", \"module\": ");
			json__string(c->out, profile__location_module(p, h->location));
		}
		fprintf(c->out, ", \"unit\": ");
		json__string(c->out, unit);
		fprintf(c->out, ", \"count\": %llu", (unsigned long long)h->total);
		fprintf(c->out, ", ");
		json__string(c->out, value__key_of("min", unit, key, sizeof(key)));
		fprintf(c->out, ": %llu, ", (unsigned long long)h->min);
		json__string(c->out, value__key_of("max", unit, key, sizeof(key)));
		fprintf(c->out, ": %llu", (unsigned long long)h->max);
		for (k = 0; k < sizeof(pct) / sizeof(pct[0]); k++) {
			fprintf(c->out, ", ");
			json__string(c->out, value__key_of(pct[k].name, unit, key, sizeof(key)));
			fprintf(c->out, ": %llu", (unsigned long long)
				prof_hist__quantile(h, pct[k].q));
		}
		if (c->interval) {
			putc('}', c->out);
			continue;
		}
		fprintf(c->out, ", \"buckets\": [");
		for (b = 0; b < HIST_BUCKETS; b++) {
			uint64_t high = b + 1 < HIST_BUCKETS ? hist_bucket_low(b + 1) - 1 :
							      UINT64_MAX;

			if (!h->counts[b])
				continue;
			fprintf(c->out, "%s{", first ? "" : ", ");
			json__string(c->out, value__key_of("low", unit, key, sizeof(key)));
			fprintf(c->out, ": %llu, ", (unsigned long long)hist_bucket_low(b));
			json__string(c->out, value__key_of("high", unit, key, sizeof(key)));
			fprintf(c->out, ": %llu, \"count\": %llu}", (unsigned long long)high,
				(unsigned long long)h->counts[b]);
			first = false;
		}
		fprintf(c->out, "]}");
	}
	if (c->interval)
		putc(']', c->out);
	else
		fprintf(c->out, "%s],\n", p->nhists ? "\n  " : "");
}

/* Copy the spilled interval objects into the document. */
static int intervals(struct ctx *c, FILE *in)
{
	char buf[8192];
	size_t n;

	fprintf(c->out, "  \"intervals\": [");
	if (fflush(in) || fseek(in, 0, SEEK_SET))
		return -EIO;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, c->out) != n)
			return -EIO;
	if (ferror(in))
		return -EIO;
	fprintf(c->out, "\n  ],\n");
	return 0;
}

int render_json_interval(const struct profile *p, int64_t start_ns, bool first,
			 FILE *out)
{
	struct ctx c = { .p = p, .out = out, .nl = " ", .interval = true };
	uint32_t t;
	int64_t v;
	int err;

	for (t = 0; t < p->ntypes; t++)
		value__key(p, t, c.keys[t], sizeof(c.keys[t]));
	fprintf(out, "%s\n    {\"start_ns\": %lld, \"duration_ns\": %lld, \"totals\": {",
		first ? "" : ",", (long long)start_ns, (long long)p->duration_ns);
	for (t = 0; t < p->ntypes; t++) {
		v = profile__total(p, t);
		fprintf(out, "%s", t ? ", " : "");
		json__string(out, c.keys[t]);
		fprintf(out, ": %lld", (long long)v);
	}
	putc('}', out);
	if ((err = functions(&c)))
		return err;
	histograms(&c);
	fprintf(out, "}");
	return ferror(out) ? -EIO : 0;
}

int render_json_with(const struct profile *p, FILE *interval_objects, FILE *out)
{
	struct ctx c = { .p = p, .out = out, .nl = "\n    " };
	uint32_t t;
	int err;

	for (t = 0; t < p->ntypes; t++)
		value__key(p, t, c.keys[t], sizeof(c.keys[t]));
	fprintf(out, "{\n  \"format\": \"profiler-report\",\n  \"version\": %d,\n",
		JSON_FORMAT_VERSION);
	metadata(&c);
	losses(&c);
	metrics(&c);
	histograms(&c);
	if (interval_objects && (err = intervals(&c, interval_objects)))
		return err;
	totals(&c);
	if ((err = functions(&c)) || (err = stacks(&c)))
		return err;
	fprintf(out, "}\n");
	return ferror(out) ? -EIO : 0;
}

int render_json(const struct profile *p, FILE *out)
{
	return render_json_with(p, NULL, out);
}
