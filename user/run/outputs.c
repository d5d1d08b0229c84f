// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/log.h"
#include "run/outputs.h"
#include "render/render.h"

static const char *const option_name[OUT__COUNT] = {
	[OUT_FOLDED] = "--folded",
	[OUT_SVG] = "--svg",
	[OUT_PPROF] = "--pprof",
	[OUT_SPEEDSCOPE] = "--speedscope",
	[OUT_JSON] = "--json",
};

/* Extensions --output knows; longer ones first (".speedscope.json"). */
static const struct {
	const char *ext;
	enum output_format format;
} extensions[] = {
	{ ".speedscope.json", OUT_SPEEDSCOPE },
	{ ".pb.gz", OUT_PPROF },
	{ ".pprof", OUT_PPROF },
	{ ".json", OUT_JSON },
	{ ".svg", OUT_SVG },
	{ ".folded", OUT_FOLDED },
};

int outputs__format_of(const char *path)
{
	size_t len = strlen(path), i;

	for (i = 0; i < sizeof(extensions) / sizeof(extensions[0]); i++) {
		size_t n = strlen(extensions[i].ext);

		/* The extension alone is no file name. */
		if (len > n && !strcmp(path + len - n, extensions[i].ext))
			return extensions[i].format;
	}
	return -1;
}

static int set_path(struct outputs_opts *o, int format, const char *opt,
		    const char *path, char *err, size_t err_len)
{
	int i;

	if (!path[0]) {
		snprintf(err, err_len, "empty file name for %s", opt);
		return -1;
	}
	if (o->path[format]) {
		snprintf(err, err_len, "two %s files ('%s' and '%s'): give one",
			 option_name[format] + 2, o->path[format], path);
		return -1;
	}
	for (i = 0; i < OUT__COUNT; i++) {
		if (o->path[i] && !strcmp(o->path[i], path)) {
			snprintf(err, err_len, "'%s' is already the %s output", path,
				 option_name[i] + 2);
			return -1;
		}
	}
	o->path[format] = path;
	return 1;
}

int outputs__parse(struct outputs_opts *o, int code, const char *arg, char *err,
		   size_t err_len)
{
	int format;

	switch (code) {
	case OUTPUTS_OPT_FOLDED:
		return set_path(o, OUT_FOLDED, "--folded", arg, err, err_len);
	case OUTPUTS_OPT_SVG:
		return set_path(o, OUT_SVG, "--svg", arg, err, err_len);
	case OUTPUTS_OPT_PPROF:
		return set_path(o, OUT_PPROF, "--pprof", arg, err, err_len);
	case OUTPUTS_OPT_SPEEDSCOPE:
		return set_path(o, OUT_SPEEDSCOPE, "--speedscope", arg, err, err_len);
	case OUTPUTS_OPT_JSON:
		return set_path(o, OUT_JSON, "--json", arg, err, err_len);
	case OUTPUTS_OPT_OUTPUT:
		format = outputs__format_of(arg);
		if (format < 0) {
			snprintf(err, err_len, "cannot tell the format of '%s' from its "
				 "extension (.svg, .pb.gz, .pprof, .speedscope.json, "
				 ".json or .folded)", arg);
			return -1;
		}
		return set_path(o, format, "--output", arg, err, err_len);
	case OUTPUTS_OPT_LINES:
		o->lines = true;
		return 1;
	case OUTPUTS_OPT_ICICLE:
		o->icicle = true;
		return 1;
	}
	return 0;
}

bool outputs__any(const struct outputs_opts *o)
{
	int i;

	for (i = 0; i < OUT__COUNT; i++)
		if (o->path[i])
			return true;
	return false;
}

void outputs__usage(FILE *out)
{
	fputs(
"      --folded FILE         collapsed stacks (flamegraph.pl, inferno):\n"
"                            comm;root;...;leaf COUNT\n"
"      --svg FILE            interactive flame graph (open in a browser)\n"
"      --icicle              draw the SVG top-down, root at the top\n"
"      --pprof FILE          gzip'd pprof protobuf (go tool pprof, Pyroscope)\n"
"      --speedscope FILE     speedscope JSON (www.speedscope.app)\n"
"      --json FILE           the whole report as JSON, for scripts\n"
"      --output FILE         any of those, chosen by FILE's extension: .svg,\n"
"                            .pb.gz or .pprof, .speedscope.json, .json,\n"
"                            .folded\n"
"      --lines               add (file:line) to folded frames, from DWARF\n",
	      out);
}

int outputs__open(struct outputs *out, const struct outputs_opts *o)
{
	int i, err;

	memset(out, 0, sizeof(*out));
	out->o = *o;
	for (i = 0; i < OUT__COUNT; i++) {
		if (!o->path[i])
			continue;
		err = outfile__open(&out->files[i], o->path[i]);
		if (err) {
			p_err("cannot write %s: %s", o->path[i],
			      err == -EINVAL ? "not a regular file" : strerror(-err));
			outputs__abort(out);
			return -1;
		}
	}
	return 0;
}

static int render(const struct outputs *out, int format, const struct profile *p,
		  FILE *f)
{
	uint32_t type = p->default_type < p->ntypes ? p->default_type : 0;
	struct svg_opts svg = { .value_type = type, .icicle = out->o.icicle };

	if (!p->ntypes && format != OUT_PPROF && format != OUT_JSON &&
	    format != OUT_SPEEDSCOPE)
		return -EINVAL;
	switch (format) {
	case OUT_FOLDED:
		return render_folded(p, type, out->o.lines ? FOLDED_LINES : 0, f);
	case OUT_SVG:
		return render_svg(p, &svg, f);
	case OUT_PPROF:
		return render_pprof(p, f);
	case OUT_SPEEDSCOPE:
		return render_speedscope(p, f);
	case OUT_JSON:
		return render_json_with(p, out->json_intervals, f);
	}
	return -EINVAL;
}

int outputs__write(struct outputs *out, const struct profile *p)
{
	int i, err, status = 0;

	for (i = 0; i < OUT__COUNT; i++) {
		struct outfile *o = &out->files[i];
		const char *path = out->o.path[i];

		if (!o->f)
			continue;
		err = render(out, i, p, o->f);
		if (err)
			outfile__abort(o);
		else
			err = outfile__commit(o);
		if (err) {
			p_err("cannot write %s: %s", path, strerror(-err));
			status = -1;
			continue;
		}
		out->written[i] = true;
	}
	return status;
}

void outputs__report(const struct outputs *out, FILE *f)
{
	int i;

	for (i = 0; i < OUT__COUNT; i++)
		if (out->written[i])
			fprintf(f, "wrote %s\n", out->o.path[i]);
}

void outputs__abort(struct outputs *out)
{
	int i;

	for (i = 0; i < OUT__COUNT; i++)
		outfile__abort(&out->files[i]);
}
