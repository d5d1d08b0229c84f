// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The SVG flame graph.  Samples merge into a tree (root "all", then the
 * process name, then frames root to leaf); children sort by name, so a
 * frame's place says nothing about time.  Frames narrower than 0.1 px at
 * full width are left out, which bounds the drawing whatever the number of
 * stacks: the note at the bottom says how many and how much they held.
 *
 * What is written: the frames of the full view as plain SVG (a viewer
 * without scripts still shows the graph), then the frame data and the
 * script (svg_script.c) that zooms, searches and explains on hover by
 * moving those same elements.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/array.h"
#include "common.h"
#include "lib/hashmap.h"
#include "render.h"
#include "sections.h"
#include "lib/strtab.h"
#include "svg_script.h"

#define SVG_WIDTH	1200
#define SVG_PAD		10	/* left and right margin of the frames */
#define SVG_TOP		64	/* frames start below the header */
#define SVG_ROW		17	/* one stack level */
#define SVG_BOX		16	/* a frame's height within its row */
#define SVG_FOOT	52	/* details line, legend and note */
#define SVG_FONT	11.5	/* frame labels, monospace */
#define SVG_MIN_PX	0.1	/* narrower frames are not drawn */
#define TITLE_CHARS	92	/* what fits left of the search box */

struct node {
	uint32_t key;		/* frame key (struct tree.keys), 0: the root */
	uint32_t parent;
	uint32_t child;		/* first child, 0: none (the root is no child) */
	uint32_t next;		/* next sibling, 0: none */
	uint32_t depth;
	int64_t value, self, base;
	int64_t cold;		/* of value, from samples off CPU */
	int64_t x;		/* offset from the left, in value units */
	uint32_t out;		/* position among drawn frames + 1, 0: not drawn */
};

/* What a frame key stands for: the name shown, its module and kind. */
struct key_info {
	uint32_t name;		/* id in tree.names */
	uint32_t module;	/* id in tree.modules */
	char kind;		/* frame__kind_code() */
};

struct tree {
	struct node *nodes;
	size_t n, cap;
	struct u64map *index;	/* hash(parent, key) -> node */
	struct strtab *keys;	/* kind code + name: what makes frames one */
	struct key_info *info;	/* per key id */
	size_t info_cap;
	struct strtab *names, *modules;
	uint32_t *drawn;	/* node ids in drawing order (preorder) */
	size_t ndrawn;
	uint32_t maxdepth;
	bool python;		/* some frame is a Python function's */
	size_t pruned;		/* frames left out for being too narrow */
	int64_t pruned_value;	/* their summed value (top-most ones only) */
};


/* The key id of a frame; 0 on ENOMEM (key 0 is "", never a frame's). */
static uint32_t frame_key(struct tree *t, char kind, const char *name,
			  const char *module)
{
	char *text;
	int64_t id;

	if (asprintf(&text, "%c%s", kind, name) < 0)
		return 0;
	id = strtab__intern(t->keys, text);
	free(text);
	if (id <= 0)
		return 0;
	if ((size_t)id >= t->info_cap) {
		size_t old = t->info_cap;

		if (array_reserve((void **)&t->info, id + 1, &t->info_cap, sizeof(*t->info)))
			return 0;
		memset(t->info + old, 0, (t->info_cap - old) * sizeof(*t->info));
	}
	if (!t->info[id].kind) {
		int64_t n = strtab__intern(t->names, name);
		int64_t m = strtab__intern(t->modules, module);

		if (n < 0 || m < 0)
			return 0;
		t->info[id].name = n;
		t->info[id].module = m;
		t->info[id].kind = kind;
		t->python |= kind == frame__kind_code(KIND_PYTHON);
	}
	return id;
}

/* Per-profile caches: location -> key, comm string -> key. */
struct keys_of {
	uint32_t *loc;
	uint32_t *comm;
};

static uint32_t loc_key(struct tree *t, const struct profile *p,
			struct keys_of *k, uint32_t loc)
{
	char name[2048];

	if (!k->loc[loc])
		k->loc[loc] = frame_key(t, frame__kind_code(frame__kind(p, loc)),
					profile__location_name(p, loc, name, sizeof(name)),
					frame__module(p, loc));
	return k->loc[loc];
}

static uint32_t comm_key(struct tree *t, const struct profile *p,
			 struct keys_of *k, uint32_t comm)
{
	const char *c = profile__get_str(p, comm);

	if (!k->comm[comm])
		k->comm[comm] = frame_key(t, frame__kind_code(KIND_PROCESS),
					  c[0] ? c : "[unknown]", "");
	return k->comm[comm];
}

/* The child of parent for key: found, created if create, else 0. */
static uint32_t child(struct tree *t, uint32_t parent, uint32_t key, bool create,
		      int *err)
{
	uint64_t h = hash_u64((uint64_t)parent << 32 | key), id;
	struct node *n;

	for (;; h++) {
		if (!u64map__get(t->index, h, &id))
			break;
		n = &t->nodes[id];
		if (n->parent == parent && n->key == key)
			return id;
	}
	if (!create)
		return 0;
	if (array_reserve((void **)&t->nodes, t->n + 1, &t->cap, sizeof(*t->nodes)) ||
	    u64map__set(t->index, h, t->n)) {
		*err = -ENOMEM;
		return 0;
	}
	n = &t->nodes[t->n];
	memset(n, 0, sizeof(*n));
	n->key = key;
	n->parent = parent;
	n->depth = t->nodes[parent].depth + 1;
	n->next = t->nodes[parent].child;
	t->nodes[parent].child = t->n;
	return t->n++;
}

/*
 * Add p's samples: as the shape (base false) or, for a differential graph,
 * as base values on the nodes the shape already has.
 */
static int add_profile(struct tree *t, const struct profile *p, uint32_t type,
		       bool base)
{
	struct keys_of k = {};
	size_t i;
	int err = 0;

	k.loc = calloc(p->nlocations + 1, sizeof(*k.loc));
	k.comm = calloc(strtab__count(p->strings) + 1, sizeof(*k.comm));
	if (!k.loc || !k.comm) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < p->nsamples && !err; i++) {
		const struct prof_sample *s = &p->samples[i];
		int64_t v = s->values[type];
		int64_t cold = s->nlabels && profile__label(p, s, PROF_LABEL_OFF_CPU) ?
			       v : 0;
		uint32_t cur = 0, key;
		int32_t j;

		if (v == 0)
			continue;
		if (base) {
			t->nodes[0].base += v;
		} else {
			t->nodes[0].value += v;
			t->nodes[0].cold += cold;
		}
		for (j = (int32_t)s->nlocs; j >= 0; j--) {
			/* j == nlocs: the process name, then frames root first. */
			key = j == (int32_t)s->nlocs ? comm_key(t, p, &k, s->comm) :
						       loc_key(t, p, &k, s->locs[j]);
			if (!key) {
				err = -ENOMEM;
				break;
			}
			cur = child(t, cur, key, !base, &err);
			if (!cur)
				break;
			if (base) {
				t->nodes[cur].base += v;
			} else {
				t->nodes[cur].value += v;
				t->nodes[cur].cold += cold;
			}
		}
		if (!base && cur && !err)
			t->nodes[cur].self += v;
	}
out:
	free(k.loc);
	free(k.comm);
	return err;
}

static const struct tree *sort_tree;

static int cmp_children(const void *a, const void *b)
{
	const struct node *x = &sort_tree->nodes[*(const uint32_t *)a];
	const struct node *y = &sort_tree->nodes[*(const uint32_t *)b];
	const struct key_info *kx = &sort_tree->info[x->key], *ky = &sort_tree->info[y->key];
	int c = strcmp(strtab__get(sort_tree->names, kx->name),
		       strtab__get(sort_tree->names, ky->name));

	return c ? c : kx->kind - ky->kind;
}

/*
 * Order children by name, give each node its x, and list the nodes to draw
 * in preorder (the script relies on it: a subtree follows its root).
 */
static int layout(struct tree *t, int64_t min_value)
{
	uint32_t *stack = NULL, *kids = NULL;
	size_t nstack = 0, stack_cap = 0, kids_cap = 0, nkids, i;
	int err = 0;

	t->drawn = malloc(t->n * sizeof(*t->drawn));
	if (!t->drawn)
		return -ENOMEM;
	sort_tree = t;
	if (array_reserve((void **)&stack, 1, &stack_cap, sizeof(*stack))) {
		err = -ENOMEM;
		goto out;
	}
	stack[nstack++] = 0;
	while (nstack) {
		uint32_t id = stack[--nstack], c;
		struct node *n = &t->nodes[id];
		int64_t x = n->x;

		n->out = ++t->ndrawn;
		t->drawn[t->ndrawn - 1] = id;
		if (n->depth > t->maxdepth)
			t->maxdepth = n->depth;
		nkids = 0;
		for (c = n->child; c; c = t->nodes[c].next) {
			if (array_reserve((void **)&kids, nkids + 1, &kids_cap, sizeof(*kids))) {
				err = -ENOMEM;
				goto out;
			}
			kids[nkids++] = c;
		}
		qsort(kids, nkids, sizeof(*kids), cmp_children);
		for (i = 0; i < nkids; i++) {
			t->nodes[kids[i]].x = x;
			x += t->nodes[kids[i]].value;
		}
		/* Pushed in reverse so the first child is drawn first. */
		for (i = nkids; i-- > 0;) {
			struct node *k = &t->nodes[kids[i]];

			if (k->value < min_value || k->value <= 0) {
				t->pruned++;
				t->pruned_value += k->value;
				continue;
			}
			if (array_reserve((void **)&stack, nstack + 1, &stack_cap, sizeof(*stack))) {
				err = -ENOMEM;
				goto out;
			}
			stack[nstack++] = kids[i];
		}
	}
out:
	free(stack);
	free(kids);
	return err;
}

/* ---- colours ------------------------------------------------------------ */

static void hsl_hex(double h, double s, double l, char *out)
{
	double c = (1 - fabs(2 * l - 1)) * s, hp = fmod(h, 360) / 60;
	double x = c * (1 - fabs(fmod(hp, 2) - 1)), m = l - c / 2;
	double r = 0, g = 0, b = 0;

	if (hp < 1) { r = c; g = x; }
	else if (hp < 2) { r = x; g = c; }
	else if (hp < 3) { g = c; b = x; }
	else if (hp < 4) { g = x; b = c; }
	else if (hp < 5) { r = x; b = c; }
	else { r = c; b = x; }
	sprintf(out, "#%02x%02x%02x", (int)lround((r + m) * 255),
		(int)lround((g + m) * 255), (int)lround((b + m) * 255));
}

/* A kind's colour family; the name picks a shade, the same every time. */
static void kind_colour(char kind, const char *name, char *out)
{
	uint64_t h = hash_bytes(HASH_SEED, name, strlen(name));
	double a = (h & 0xffff) / 65535.0, b = (h >> 16 & 0xffff) / 65535.0;

	switch (kind) {
	case 'p':	/* program: warm reds and oranges */
		hsl_hex(6 + 26 * a, 0.78, 0.60 + 0.08 * b, out);
		break;
	case 'l':	/* library: ambers and yellows */
		hsl_hex(40 + 14 * a, 0.72, 0.56 + 0.08 * b, out);
		break;
	case 'k':	/* kernel: blues */
		hsl_hex(198 + 18 * a, 0.58, 0.62 + 0.08 * b, out);
		break;
	case 'i':	/* inlined: teals */
		hsl_hex(162 + 16 * a, 0.48, 0.56 + 0.08 * b, out);
		break;
	case 'y':	/* Python: greens, between the ambers and the teals */
		hsl_hex(92 + 28 * a, 0.50, 0.58 + 0.08 * b, out);
		break;
	case 'c':	/* process: lavender */
		hsl_hex(262 + 14 * a, 0.32, 0.76 + 0.04 * b, out);
		break;
	case 'o':	/* mostly off-CPU time: indigos and violets */
		hsl_hex(232 + 28 * a, 0.46, 0.64 + 0.08 * b, out);
		break;
	case 'r':	/* the root */
		strcpy(out, "#d0d3d8");
		break;
	default:	/* unknown: greys */
		hsl_hex(0, 0, 0.70 + 0.07 * a, out);
		break;
	}
}

/* Differential: white for no change, to red (share grew) or blue (shrank). */
static void diff_colour(double delta, double scale, char *out)
{
	static const double neutral[3] = { 0xf3, 0xf1, 0xee };
	static const double red[3] = { 0xee, 0x5d, 0x4a }, blue[3] = { 0x4f, 0x8f, 0xd6 };
	const double *to = delta >= 0 ? red : blue;
	double f = fabs(delta) / scale;
	int i, c[3];

	if (f > 1)
		f = 1;
	/* A square root keeps small changes visible. */
	f = sqrt(f);
	for (i = 0; i < 3; i++)
		c[i] = (int)lround(neutral[i] + (to[i] - neutral[i]) * f);
	sprintf(out, "#%02x%02x%02x", c[0], c[1], c[2]);
}

/* ---- text ---------------------------------------------------------------- */

/* s as XML character data, at most max characters; bytes that XML cannot
 * hold (controls, invalid UTF-8) become '?'. */
static void xml_text(FILE *out, const char *s, size_t max)
{
	const unsigned char *c = (const unsigned char *)s;
	size_t chars;
	int n;

	for (chars = 0; *c && chars < max; chars++) {
		n = utf8__len(c);
		if (!n || (*c < 0x20 && *c != '\t')) {
			putc('?', out);
			c++;
			continue;
		}
		if (*c == '&')
			fputs("&amp;", out);
		else if (*c == '<')
			fputs("&lt;", out);
		else if (*c == '>')
			fputs("&gt;", out);
		else
			fwrite(c, 1, n, out);
		c += n;
	}
}

/* Characters of a string (UTF-8 sequences count once). */
static size_t text_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* The frame label that fits px, as the script computes it: the name, or
 * its head and "..", or nothing. */
static void label(FILE *out, const char *name, double px)
{
	long fit = (long)floor((px - 6) / (SVG_FONT * 0.6));
	size_t len = text_chars(name);

	if (fit < 3)
		return;
	if (len <= (size_t)fit) {
		xml_text(out, name, SIZE_MAX);
		return;
	}
	xml_text(out, name, fit - 2);
	fputs("..", out);
}

/* ---- the document -------------------------------------------------------- */

/* "1.25 s cpu", "3.1 MiB inuse_space": the shared unit formatter. */
static void format_value(const char *unit, int64_t v, const char *type, char *buf,
			 size_t len)
{
	char num[48];

	fmt_value((double)v, unit, num, sizeof(num));
	snprintf(buf, len, "%s %s", num, type);
}

static void subtitle(const struct profile *p, const struct svg_opts *o,
		     const struct tree *t, FILE *out)
{
	const char *type = profile__get_str(p, p->types[o->value_type].type);
	const char *unit = profile__get_str(p, p->types[o->value_type].unit);
	char total[128], when[64] = "";

	if (o->subtitle) {
		xml_text(out, o->subtitle, SIZE_MAX);
		return;
	}
	format_value(unit, t->nodes[0].value, type, total, sizeof(total));
	if (p->time_ns > 0) {
		time_t s = p->time_ns / 1000000000LL;
		struct tm tm;

		if (gmtime_r(&s, &tm))
			strftime(when, sizeof(when), " \xc2\xb7 started %Y-%m-%d %H:%M:%S UTC",
				 &tm);
	}
	fprintf(out, "%s \xc2\xb7 ", o->icicle ? "Icicle graph" : "Flame graph");
	if (p->duration_ns > 0)
		fprintf(out, "duration %.2f s \xc2\xb7 ", p->duration_ns / 1e9);
	xml_text(out, total, SIZE_MAX);
	fputs(" \xc2\xb7 widths: ", out);
	xml_text(out, type[0] ? type : "value", SIZE_MAX);
	fputs(" (", out);
	xml_text(out, unit[0] ? unit : "count", SIZE_MAX);
	fputs(")", out);
	xml_text(out, when, SIZE_MAX);
}

static void legend(const struct svg_opts *o, bool cold, bool python, int y,
		   FILE *out)
{
	static const struct {
		char kind;
		const char *label;
	} kinds[] = {
		{ 'p', "program" }, { 'l', "library" }, { 'k', "kernel" },
		{ 'i', "inlined" }, { 'y', "Python" }, { 'u', "unknown" },
		{ 'c', "process" }, { 'o', "off-CPU" },
	};
	char colour[8];
	int x = SVG_PAD;
	size_t i;

	fprintf(out, "<g class=\"legend foot\">\n");
	if (o->base) {
		diff_colour(1, 1, colour);
		fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"%d\" class=\"foot\">share grew</text>\n",
			x, y - 10, colour, x + 16, y);
		diff_colour(-1, 1, colour);
		fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"%d\" class=\"foot\">share shrank</text>\n",
			x + 100, y - 10, colour, x + 116, y);
		fprintf(out, "</g>\n");
		return;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		/* Off-CPU and Python frames only where there are some. */
		if ((kinds[i].kind == 'o' && !cold) || (kinds[i].kind == 'y' && !python))
			continue;
		kind_colour(kinds[i].kind, "legend", colour);
		fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"%d\" class=\"foot\">%s</text>\n",
			x, y - 10, colour, x + 16, y, kinds[i].label);
		x += 34 + 7 * (int)strlen(kinds[i].label);
	}
	fprintf(out, "</g>\n");
}

/* The frames of the full view, one <g> each, in t->drawn order. */
static void frames(const struct tree *t, const struct svg_opts *o, double scale,
		   FILE *out)
{
	int64_t total = t->nodes[0].value, base_total = t->nodes[0].base;
	double maxabs = 0;
	size_t i;

	if (o->base) {
		for (i = 1; i < t->ndrawn; i++) {
			const struct node *n = &t->nodes[t->drawn[i]];
			double d = 100.0 * n->value / total -
				   (base_total ? 100.0 * n->base / base_total : 0);

			if (fabs(d) > maxabs)
				maxabs = fabs(d);
		}
	}
	/* Changes of less than a point never look strong. */
	if (maxabs < 1)
		maxabs = 1;
	fprintf(out, "<g id=\"frames\">\n");
	for (i = 0; i < t->ndrawn; i++) {
		const struct node *n = &t->nodes[t->drawn[i]];
		const struct key_info *k = &t->info[n->key];
		const char *name = i ? strtab__get(t->names, k->name) : "all";
		double x = SVG_PAD + n->x * scale, w = n->value * scale;
		int y = o->icicle ? SVG_TOP + (int)n->depth * SVG_ROW :
			SVG_TOP + (int)(t->maxdepth - n->depth) * SVG_ROW;
		char colour[8];

		if (o->base && i)
			diff_colour(100.0 * n->value / total -
				    (base_total ? 100.0 * n->base / base_total : 0),
				    maxabs, colour);
		else if (i && 2 * n->cold > n->value)
			kind_colour('o', name, colour);
		else
			kind_colour(i ? k->kind : 'r', name, colour);
		fprintf(out, "<g><rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" "
			"fill=\"%s\"/><text x=\"%.2f\" y=\"%.1f\">",
			x, y, w > 2 ? w - 0.5 : w, SVG_BOX, colour, x + 3,
			y + SVG_BOX * 0.5 + SVG_FONT * 0.36);
		label(out, name, w);
		fputs("</text></g>\n", out);
	}
	fprintf(out, "</g>\n");
}

/*
 * The script's copy of the drawn frames, one array per field, in drawing
 * order; names and modules go in tables of their own (only those drawn).
 */
struct table_map {
	uint32_t *of;		/* string id -> table index + 1 */
	uint32_t *order;	/* table index -> string id */
	size_t n;
};

static int table_index(struct table_map *m, uint32_t id)
{
	if (!m->of[id]) {
		m->order[m->n] = id;
		m->of[id] = ++m->n;
	}
	return m->of[id] - 1;
}

/* String 0 ("") stands for zero: the root's name is "all". */
static void json_table(FILE *out, const char *key, const struct strtab *s,
		       const struct table_map *m, const char *zero)
{
	size_t i;

	fprintf(out, ",\n\"%s\":[", key);
	for (i = 0; i < m->n; i++) {
		if (i)
			putc(',', out);
		json__string(out, m->order[i] ? strtab__get(s, m->order[i]) : zero);
	}
	putc(']', out);
}

enum field { F_NAME, F_MODULE, F_DEPTH, F_X, F_W, F_SELF, F_BASE };

static void json_ints(FILE *out, const char *key, const struct tree *t,
		      enum field f, struct table_map *names, struct table_map *mods)
{
	size_t i;

	fprintf(out, ",\n\"%s\":[", key);
	for (i = 0; i < t->ndrawn; i++) {
		const struct node *n = &t->nodes[t->drawn[i]];
		const struct key_info *k = &t->info[n->key];
		long long v = 0;

		switch (f) {
		case F_NAME:
			v = table_index(names, i ? k->name : 0);
			break;
		case F_MODULE:
			v = table_index(mods, i ? k->module : 0);
			break;
		case F_DEPTH:
			v = n->depth;
			break;
		case F_X:
			v = n->x;
			break;
		case F_W:
			v = n->value;
			break;
		case F_SELF:
			v = n->self;
			break;
		case F_BASE:
			v = n->base;
			break;
		}
		fprintf(out, "%s%lld", i ? "," : "", v);
	}
	putc(']', out);
}

static int data(const struct profile *p, const struct svg_opts *o,
		const struct tree *t, int height, FILE *out)
{
	struct table_map names = {}, mods = {};
	size_t nn = strtab__count(t->names), nm = strtab__count(t->modules), i;
	int err = 0;

	names.of = calloc(nn, sizeof(*names.of));
	names.order = calloc(nn, sizeof(*names.order));
	mods.of = calloc(nm, sizeof(*mods.of));
	mods.order = calloc(nm, sizeof(*mods.order));
	if (!names.of || !names.order || !mods.of || !mods.order) {
		err = -ENOMEM;
		goto out;
	}
	fprintf(out, "var FG = {\"width\":%d,\"height\":%d,\"pad\":%d,\"top\":%d,"
		"\"row\":%d,\"font\":%g,\"maxdepth\":%u,\"icicle\":%s,\"unit\":",
		SVG_WIDTH, height, SVG_PAD, SVG_TOP, SVG_ROW, SVG_FONT, t->maxdepth,
		o->icicle ? "true" : "false");
	json__string(out, profile__get_str(p, p->types[o->value_type].unit));
	fprintf(out, ",\"type\":");
	json__string(out, profile__get_str(p, p->types[o->value_type].type));
	fprintf(out, ",\"hint\":");
	json__string(out, "Hover a frame for details, click to zoom, Ctrl-F or / to "
		     "search, Esc to reset.");
	fprintf(out, ",\"basetotal\":%lld", (long long)t->nodes[0].base);
	fprintf(out, ",\n\"kind\":\"");
	for (i = 0; i < t->ndrawn; i++)
		putc(i ? t->info[t->nodes[t->drawn[i]].key].kind : 'r', out);
	putc('"', out);
	/* Index tables fill as the frames use them, so they come after. */
	json_ints(out, "name", t, F_NAME, &names, &mods);
	json_ints(out, "module", t, F_MODULE, &names, &mods);
	json_ints(out, "depth", t, F_DEPTH, &names, &mods);
	json_ints(out, "x", t, F_X, &names, &mods);
	json_ints(out, "w", t, F_W, &names, &mods);
	json_ints(out, "self", t, F_SELF, &names, &mods);
	if (o->base)
		json_ints(out, "base", t, F_BASE, &names, &mods);
	else
		fprintf(out, ",\n\"base\":null");
	json_table(out, "names", t->names, &names, "all");
	json_table(out, "modules", t->modules, &mods, "");
	fprintf(out, "};\n");
out:
	free(names.of);
	free(names.order);
	free(mods.of);
	free(mods.order);
	return err;
}

static int document(const struct profile *p, const struct svg_opts *o,
		    const struct tree *t, FILE *out)
{
	int rows = t->ndrawn ? (int)t->maxdepth + 1 : 1;
	int height = SVG_TOP + rows * SVG_ROW + SVG_FOOT;
	double scale = t->nodes[0].value ?
		(double)(SVG_WIDTH - 2 * SVG_PAD) / t->nodes[0].value : 0;
	int foot = height - SVG_FOOT;
	char share[64] = "";
	const char *title;
	int err;

	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
		"width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n<title>",
		SVG_WIDTH, height, SVG_WIDTH, height);
	xml_text(out, o->title ? o->title : profile__get_str(p, p->title), SIZE_MAX);
	fprintf(out, "</title>\n<style type=\"text/css\"><![CDATA[\n%s]]></style>\n",
		svg_style);
	fprintf(out, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n",
		SVG_WIDTH, height);
	/* Title and subtitle on the left, the search box and Reset on the
	 * right: a long title is cut before it reaches the box. */
	fprintf(out, "<text class=\"title\" x=\"%d\" y=\"26\">", SVG_PAD);
	title = o->title ? o->title : profile__get_str(p, p->title);
	xml_text(out, title, TITLE_CHARS);
	if (text_chars(title) > TITLE_CHARS)
		fputs("..", out);
	fprintf(out, "</text>\n<text class=\"sub\" x=\"%d\" y=\"47\">", SVG_PAD);
	subtitle(p, o, t, out);
	fprintf(out, "</text>\n<text id=\"reset\" class=\"btn\" x=\"%d\" y=\"47\" "
		"text-anchor=\"end\" style=\"display:none\">\xe2\x86\xba Reset zoom"
		"</text>\n", SVG_WIDTH - SVG_PAD);
	fprintf(out, "<foreignObject x=\"%d\" y=\"9\" width=\"220\" height=\"24\">"
		"<input xmlns=\"http://www.w3.org/1999/xhtml\" id=\"search\" "
		"type=\"search\" placeholder=\"Search (regex)\" "
		"autocomplete=\"off\"/></foreignObject>\n",
		SVG_WIDTH - SVG_PAD - 220);
	if (!t->ndrawn || t->nodes[0].value <= 0)
		fprintf(out, "<text class=\"sub\" x=\"%d\" y=\"%d\" "
			"text-anchor=\"middle\">no samples</text>\n", SVG_WIDTH / 2,
			SVG_TOP + 12);
	frames(t, o, scale, out);

	fprintf(out, "<text id=\"details\" class=\"foot\" x=\"%d\" y=\"%d\"> </text>\n",
		SVG_PAD, foot + 18);
	fprintf(out, "<text id=\"matched\" class=\"foot\" x=\"%d\" y=\"%d\" "
		"text-anchor=\"end\" style=\"display:none\"> </text>\n",
		SVG_WIDTH - SVG_PAD, foot + 18);
	legend(o, t->nodes[0].cold > 0, t->python, foot + 42, out);
	if (t->pruned && t->nodes[0].value)
		snprintf(share, sizeof(share), "; they hold %.2f%% of the total",
			 100.0 * t->pruned_value / t->nodes[0].value);
	fprintf(out, "<text class=\"foot\" x=\"%d\" y=\"%d\" text-anchor=\"end\">",
		SVG_WIDTH - SVG_PAD, foot + 42);
	if (t->pruned)
		fprintf(out, "%zu frames under %.1f px wide not drawn%s", t->pruned,
			SVG_MIN_PX, share);
	else
		fprintf(out, "every frame drawn");
	fprintf(out, "</text>\n");

	/* The hover box: filled in by the script. */
	fprintf(out, "<g id=\"tip\" style=\"display:none\"><rect id=\"tip-box\" "
		"x=\"0\" y=\"0\" width=\"10\" height=\"10\"/>"
		"<text class=\"h\" x=\"8\" y=\"17\"> </text>"
		"<text x=\"8\" y=\"33\"> </text><text x=\"8\" y=\"49\"> </text>"
		"<text x=\"8\" y=\"65\"> </text></g>\n");
	fprintf(out, "<script type=\"text/ecmascript\"><![CDATA[\n");
	err = data(p, o, t, height, out);
	fprintf(out, "%s]]></script>\n</svg>\n", svg_script);
	return err;
}

int render_svg(const struct profile *p, const struct svg_opts *o, FILE *out)
{
	struct tree t = {};
	int64_t min_value;
	int err;

	if (o->value_type >= p->ntypes ||
	    (o->base && o->base_type >= o->base->ntypes))
		return -EINVAL;
	t.index = u64map__new();
	t.keys = strtab__new();
	t.names = strtab__new();
	t.modules = strtab__new();
	if (!t.index || !t.keys || !t.names || !t.modules ||
	    array_reserve((void **)&t.nodes, 1, &t.cap, sizeof(*t.nodes))) {
		err = -ENOMEM;
		goto out;
	}
	memset(&t.nodes[0], 0, sizeof(t.nodes[0]));
	t.n = 1;
	if ((err = add_profile(&t, p, o->value_type, false)))
		goto out;
	if (o->base && (err = add_profile(&t, o->base, o->base_type, true)))
		goto out;
	/* 0.1 px of the full width, in value units (at least 1). */
	min_value = (int64_t)ceil(t.nodes[0].value * SVG_MIN_PX /
				  (SVG_WIDTH - 2 * SVG_PAD));
	if (t.nodes[0].value > 0 && (err = layout(&t, min_value)))
		goto out;
	err = document(p, o, &t, out);
	if (!err && ferror(out))
		err = -EIO;
out:
	free(t.nodes);
	free(t.info);
	free(t.drawn);
	u64map__free(t.index);
	strtab__free(t.keys);
	strtab__free(t.names);
	strtab__free(t.modules);
	return err;
}
