// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `profiler diff`: which functions' shares grew and shrank. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "run/cli.h"
#include "cmd/diff.h"
#include "lib/log.h"
#include "lib/outfile.h"
#include "io/profile_file.h"
#include "lib/parse.h"
#include "render/common.h"
#include "render/render.h"
#include "cmd/report.h"
#include "lib/strtab.h"

/* Changes smaller than this (in points) are noise in a printed table. */
#define DIFF_EPSILON 0.005

static int keep_string(struct diff *d, const char *s, const char **out)
{
	char **v;

	if (GROW(d->strings, d->nstrings, d->strings_cap))
		return -ENOMEM;
	v = d->strings;
	v[d->nstrings] = strdup(s);
	if (!v[d->nstrings])
		return -ENOMEM;
	*out = v[d->nstrings++];
	return 0;
}

/* Fold one profile's function table into d's rows. */
static int add_side(struct diff *d, struct strtab *keys, size_t *cap,
		    const struct profile *p, uint32_t type, bool by_module,
		    bool is_new)
{
	struct func_table t;
	int64_t all = profile__total(p, type);
	size_t i;
	int err;

	if ((err = func_table__build(p, &t)))
		return err;
	if (is_new)
		d->new_all = all;
	else
		d->base_all = all;
	for (i = 0; i < t.n && !err; i++) {
		const struct func_row *f = &t.rows[i];
		/* Without modules, Python functions still stay apart from
		 * native code of the same name. */
		const char *module = by_module ? f->module :
				     f->python ? PYTHON_MODULE : "";
		struct diff_row *r;
		char *key;
		int64_t id;

		if (asprintf(&key, "%s\t%s", f->name, module) < 0) {
			err = -ENOMEM;
			break;
		}
		id = strtab__intern(keys, key);
		free(key);
		if (id < 0) {
			err = -ENOMEM;
			break;
		}
		if ((size_t)id > d->n) {
			if (GROW(d->rows, d->n, *cap)) {
				err = -ENOMEM;
				break;
			}
			r = &d->rows[d->n++];
			memset(r, 0, sizeof(*r));
			if ((err = keep_string(d, f->name, &r->name)) ||
			    (err = keep_string(d, module, &r->module)))
				break;
		}
		r = &d->rows[id - 1];
		/* Same name in two modules, not told apart: they add up. */
		if (is_new) {
			r->new_self += all ? 100.0 * f->self[type] / all : 0;
			r->new_total += all ? 100.0 * f->total[type] / all : 0;
		} else {
			r->base_self += all ? 100.0 * f->self[type] / all : 0;
			r->base_total += all ? 100.0 * f->total[type] / all : 0;
		}
	}
	func_table__free(&t);
	return err;
}

int diff__compute(const struct profile *base, uint32_t base_type,
		  const struct profile *new, uint32_t new_type, bool by_module,
		  struct diff *d)
{
	struct strtab *keys = strtab__new();
	size_t cap = 0;
	int err;

	memset(d, 0, sizeof(*d));
	if (!keys)
		return -ENOMEM;
	err = add_side(d, keys, &cap, base, base_type, by_module, false);
	if (!err)
		err = add_side(d, keys, &cap, new, new_type, by_module, true);
	strtab__free(keys);
	if (err)
		diff__free(d);
	return err;
}

void diff__free(struct diff *d)
{
	size_t i;

	for (i = 0; i < d->nstrings; i++)
		free(d->strings[i]);
	free(d->strings);
	free(d->rows);
	memset(d, 0, sizeof(*d));
}

static bool sort_by_total;

static int cmp_change(const void *a, const void *b)
{
	const struct diff_row *x = a, *y = b;
	double dx = sort_by_total ? x->new_total - x->base_total : x->new_self - x->base_self;
	double dy = sort_by_total ? y->new_total - y->base_total : y->new_self - y->base_self;
	int c;

	if (fabs(dx) != fabs(dy))
		return fabs(dx) > fabs(dy) ? -1 : 1;
	/* Growth before an equal shrink, then by name: a stable order. */
	if (dx != dy)
		return dx > dy ? -1 : 1;
	c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->module, y->module);
}

void diff__sort(struct diff *d, bool by_total)
{
	sort_by_total = by_total;
	qsort(d->rows, d->n, sizeof(*d->rows), cmp_change);
}

static void print_rows(const struct diff *d, bool by_total, int top_n, FILE *out)
{
	size_t i;
	int shown = 0;

	fprintf(out, "%8s %8s %8s  %s\n", "BASE", "NEW", "CHANGE", "FUNCTION  [MODULE]");
	for (i = 0; i < d->n && shown < top_n; i++) {
		const struct diff_row *r = &d->rows[i];
		double b = by_total ? r->base_total : r->base_self;
		double n = by_total ? r->new_total : r->new_self;
		bool bracket = r->module[0] && r->module[0] != '[';

		if (fabs(n - b) < DIFF_EPSILON)
			break;
		fprintf(out, "%7.2f%% %7.2f%% %+8.2f  %s%s%s%s\n", b, n, n - b, r->name,
			r->module[0] ? (bracket ? "  [" : "  ") : "", r->module,
			bracket ? "]" : "");
		shown++;
	}
	if (!shown)
		fprintf(out, "(no change)\n");
}

int diff__print(struct diff *d, const char *unit, int top_n, FILE *out)
{
	fprintf(out, "shares of all %s: base %lld, new %lld; CHANGE in percentage points\n",
		unit, (long long)d->base_all, (long long)d->new_all);
	diff__sort(d, false);
	fprintf(out, "\nTop %d changes of self share:\n", top_n);
	print_rows(d, false, top_n, out);
	diff__sort(d, true);
	fprintf(out, "\nTop %d changes of total (inclusive) share:\n", top_n);
	print_rows(d, true, top_n, out);
	return ferror(out) ? -EIO : 0;
}

const struct diff_row *diff__grew_above(const struct diff *d, double points)
{
	const struct diff_row *worst = NULL;
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct diff_row *r = &d->rows[i];

		if (r->new_self - r->base_self > points &&
		    (!worst || r->new_self - r->base_self > worst->new_self - worst->base_self))
			worst = r;
	}
	return worst;
}

/* ---- the command -------------------------------------------------------- */

enum {
	DIFF_OPT_SVG = CLI_OPT_MODE,
	DIFF_OPT_FAIL_ABOVE,
	DIFF_OPT_SAMPLE_TYPE,
	DIFF_OPT_ICICLE,
	DIFF_OPT_MAX_FRAMES,
};

static const struct option diff_long[] = {
	{ "svg",		required_argument, NULL, DIFF_OPT_SVG },
	{ "icicle",		no_argument,	   NULL, DIFF_OPT_ICICLE },
	{ "fail-above",		required_argument, NULL, DIFF_OPT_FAIL_ABOVE },
	{ "sample-type",	required_argument, NULL, DIFF_OPT_SAMPLE_TYPE },
	{ "max-frames",		required_argument, NULL, DIFF_OPT_MAX_FRAMES },
};

struct diff_opts {
	struct common_opts c;
	const char *svg;	/* --svg FILE */
	bool icicle;
	double fail_above;	/* -1: none */
	const char *type_name;	/* --sample-type */
	const char *files[2];	/* BASE, NEW */
	int nfiles;
};

static void usage(FILE *out)
{
	fprintf(out,
"Usage: profiler diff BASE NEW [OPTIONS]\n"
"\n"
"Compares two saved profiles (pprof or collapsed stacks, in any mix): the\n"
"functions whose share of all samples grew or shrank most, by self and by\n"
"total (inclusive) value.  Shares are of each profile's own total, so runs\n"
"of different lengths compare fairly.  Needs no privileges.\n"
"\n"
"Options:\n"
"      --svg FILE            differential flame graph: NEW's stacks, red\n"
"                            where the share grew since BASE, blue where it\n"
"                            shrank\n"
"      --icicle              draw the SVG top-down\n"
"      --top N               rows in each table (default 10)\n"
"      --fail-above PCT      exit with status 3 when a function's self share\n"
"                            grew by more than PCT percentage points\n"
"      --sample-type TYPE    the value to compare (default: NEW's default)\n"
"      --max-frames N        read at most N frames per profile (default\n"
"                            %llu): a file asking for more is refused\n"
"  -q, --quiet               errors only\n"
"  -v, --verbose             debug messages\n"
"  -h, --help                this help\n"
"\n"
"Examples:\n"
"  profiler diff before.pb.gz after.pb.gz\n"
"  profiler diff before.pb.gz after.pb.gz --svg change.svg\n"
"  profiler diff base.folded new.folded --fail-above 5   (a CI gate)\n"
"\n"
"Exit status: 0 success, 1 unreadable file or failed write, 2 usage error,\n"
"3 a self share grew by more than --fail-above.\n", PROFILE_DEFAULT_MAX_FRAMES);
}

/* Percentage points: digits with at most one '.', 0 to 100. */
static int parse_points(const char *s, double *out)
{
	char *end;
	double v;

	if (!s[0] || s[strspn(s, "0123456789.")] != '\0' || strchr(s, '.') != strrchr(s, '.') ||
	    !strcmp(s, "."))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < 0 || v > 100)
		return -1;
	*out = v;
	return 0;
}

static enum cli_result parse_diff_opt(int c, const char *arg, void *mode)
{
	struct diff_opts *o = mode;

	switch (c) {
	case 1:
		if (o->nfiles == 2)
			return cli_error("expected two profiles: BASE NEW");
		o->files[o->nfiles++] = arg;
		return CLI_OK;
	case DIFF_OPT_SVG:
		if (!arg[0])
			return cli_error("empty file name for --svg");
		o->svg = arg;
		return CLI_OK;
	case DIFF_OPT_ICICLE:
		o->icicle = true;
		return CLI_OK;
	case DIFF_OPT_FAIL_ABOVE:
		if (parse_points(arg, &o->fail_above))
			return cli_error("invalid value '%s' for --fail-above "
					 "(expected percentage points, 0 to 100)",
					 arg);
		return CLI_OK;
	case DIFF_OPT_MAX_FRAMES:
		if (parse_u64(arg, 1, 1ULL << 32, &profile_max_frames))
			return cli_error("invalid count '%s' for --max-frames "
					 "(expected 1..4294967296)", arg);
		return CLI_OK;
	case DIFF_OPT_SAMPLE_TYPE:
		o->type_name = arg;
		return CLI_OK;
	}
	return CLI_EXIT_OK;
}

static int type_named(const struct profile *p, const char *name)
{
	uint32_t t;

	for (t = 0; t < p->ntypes; t++)
		if (!strcmp(profile__get_str(p, p->types[t].type), name))
			return t;
	return -1;
}

static int write_svg(const char *path, const struct profile *base,
		     const char *base_path, uint32_t base_type,
		     const struct profile *new, const char *new_path,
		     uint32_t new_type, bool icicle)
{
	struct svg_opts o = {
		.value_type = new_type,
		.icicle = icicle,
		.base = base,
		.base_type = base_type,
	};
	struct outfile f;
	char *sub = NULL, *title = NULL;
	int err;

	if (asprintf(&sub, "Differential: %s's stacks, red = share grew since %s, "
		     "blue = shrank; widths: %s", new_path, base_path,
		     profile__get_str(new, new->types[new_type].type)) < 0)
		sub = NULL;
	if (asprintf(&title, "profiler diff: %s \xe2\x86\x92 %s", base_path,
		     new_path) < 0)
		title = NULL;
	o.subtitle = sub;
	o.title = title;
	err = outfile__open(&f, path);
	if (!err) {
		err = render_svg(new, &o, f.f);
		if (err)
			outfile__abort(&f);
		else
			err = outfile__commit(&f);
	}
	free(sub);
	free(title);
	if (err)
		p_err("cannot write %s: %s", path, strerror(-err));
	return err;
}

int cmd_diff(int argc, char **argv)
{
	static const struct cli_mode spec = {
		.prog = "profiler diff",
		.longopts = diff_long,
		.nlong = sizeof(diff_long) / sizeof(diff_long[0]),
		.parse = parse_diff_opt,
		.usage = usage,
		.operands = true,
	};
	struct profile *base = NULL, *new = NULL;
	enum profile_format bf = PROFILE_PPROF, nf = PROFILE_PPROF;
	struct diff_opts o = { .fail_above = -1 };
	const char *svg, *type_name, *base_path, *new_path;
	const struct diff_row *grew;
	struct diff d = {};
	double fail_above;
	bool icicle;
	uint64_t top;
	int status = EXIT_RUNTIME, bt, nt;

	status = cli_exit_status(cli_parse(argc, argv, &o.c, &spec, &o));
	if (status >= 0)
		return status;
	status = EXIT_RUNTIME;
	if (o.nfiles != 2) {
		cli_error("expected two profiles: BASE NEW");
		return EXIT_USAGE;
	}
	log_level = o.c.verbosity;
	svg = o.svg;
	icicle = o.icicle;
	fail_above = o.fail_above;
	type_name = o.type_name;
	top = o.c.top;
	base_path = o.files[0];
	new_path = o.files[1];

	if (profile_file__load(base_path, &base, &bf) ||
	    profile_file__load(new_path, &new, &nf))
		goto out;
	if (!base->ntypes || !new->ntypes) {
		p_err("%s has no sample types: nothing to compare",
		      base->ntypes ? new_path : base_path);
		goto out;
	}
	/* The same kind of value on both sides, by name. */
	nt = type_name ? type_named(new, type_name) : (int)new->default_type;
	if (nt < 0) {
		p_err("%s has no sample type '%s'", new_path, type_name);
		status = EXIT_USAGE;
		goto out;
	}
	type_name = profile__get_str(new, new->types[nt].type);
	bt = type_named(base, type_name);
	if (bt < 0) {
		/* Folded stacks only know "samples": compare counts with counts. */
		bt = base->default_type;
		p_warn("%s has no sample type '%s': comparing with its '%s'",
		       base_path, type_name,
		       profile__get_str(base, base->types[bt].type));
	}
	if (diff__compute(base, bt, new, nt, bf == PROFILE_PPROF && nf == PROFILE_PPROF,
			  &d)) {
		p_err("out of memory");
		goto out;
	}
	if (log_level >= LOG_NORMAL) {
		printf("base: %s\nnew:  %s\n", profile__get_str(base, base->title),
		       profile__get_str(new, new->title));
		if (diff__print(&d, type_name, (int)top, stdout)) {
			p_err("cannot write to stdout");
			goto out;
		}
	}
	if (svg) {
		if (write_svg(svg, base, base_path, bt, new, new_path, nt,
			      icicle))
			goto out;
		if (log_level >= LOG_NORMAL)
			printf("wrote %s\n", svg);
	}
	status = 0;
	grew = fail_above >= 0 ? diff__grew_above(&d, fail_above) : NULL;
	if (grew) {
		p_err("%s: self share grew by %.2f points (%.2f%% -> %.2f%%), more "
		      "than --fail-above %g", grew->name, grew->new_self - grew->base_self,
		      grew->base_self, grew->new_self, fail_above);
		status = EXIT_DIFF_ABOVE;
	}
	fflush(stdout);
out:
	diff__free(&d);
	profile__free(base);
	profile__free(new);
	return status;
}
