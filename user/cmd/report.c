// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `profiler report`: a saved profile rendered again, no profiling. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/cli.h"
#include "lib/log.h"
#include "run/outputs.h"
#include "lib/parse.h"
#include "io/profile_file.h"
#include "render/render.h"
#include "cmd/report.h"

enum {
	REPORT_OPT_SAMPLE_TYPE = CLI_OPT_MODE,
	REPORT_OPT_MAX_FRAMES,
};

static const struct option report_long[] = {
	{ "sample-type",	required_argument, NULL, REPORT_OPT_SAMPLE_TYPE },
	{ "max-frames",		required_argument, NULL, REPORT_OPT_MAX_FRAMES },
};

struct report_opts {
	struct common_opts c;
	const char *type_name;	/* --sample-type */
	const char *file;
};

static void usage(FILE *out)
{
	fprintf(out,
"Usage: profiler report FILE [OPTIONS]\n"
"\n"
"Renders a saved profile again without profiling: a pprof file (this\n"
"profiler's --pprof, Go's, `go tool pprof -proto`; gzip'd or not) or\n"
"collapsed stacks (--folded, flamegraph.pl input).  With no output option\n"
"it prints the summary table.  Needs no privileges.\n"
"\n"
"Output:\n");
	outputs__usage(out);
	fprintf(out,
"      --top N               functions in each summary table (default 10)\n"
"      --sample-type TYPE    the value to rank and draw by (e.g. cpu,\n"
"                            inuse_space); default: the file's default\n"
"      --max-frames N        read at most N frames in all (default %llu):\n"
"                            a file asking for more is refused\n"
"  -q, --quiet               errors only\n"
"  -v, --verbose             debug messages\n"
"  -h, --help                this help\n"
"\n"
"Examples:\n"
"  profiler report cpu.pb.gz                      top functions of a pprof file\n"
"  profiler report cpu.pb.gz --svg cpu.svg        a flame graph from it\n"
"  profiler report cpu.pb.gz --folded cpu.folded  back to collapsed stacks\n"
"  profiler report out.folded --output out.speedscope.json\n"
"\n"
"Exit status: 0 success, 1 unreadable file or failed write, 2 usage error.\n",
		PROFILE_DEFAULT_MAX_FRAMES);
}

static enum cli_result parse_report_opt(int c, const char *arg, void *mode)
{
	struct report_opts *o = mode;

	switch (c) {
	case 1:
		if (o->file)
			return cli_error("unexpected argument '%s' (one FILE only)",
					 arg);
		o->file = arg;
		return CLI_OK;
	case REPORT_OPT_MAX_FRAMES:
		if (parse_u64(arg, 1, 1ULL << 32, &profile_max_frames))
			return cli_error("invalid count '%s' for --max-frames "
					 "(expected 1..4294967296)", arg);
		return CLI_OK;
	case REPORT_OPT_SAMPLE_TYPE:
		o->type_name = arg;
		return CLI_OK;
	}
	return CLI_EXIT_OK;
}

/* Index of the value type called name; -1 if none. */
static int find_type(const struct profile *p, const char *name)
{
	uint32_t t;

	for (t = 0; t < p->ntypes; t++)
		if (!strcmp(profile__get_str(p, p->types[t].type), name))
			return t;
	return -1;
}

int cmd_report(int argc, char **argv)
{
	static const struct cli_mode spec = {
		.prog = "profiler report",
		.groups = CLI_OUTPUTS,
		.longopts = report_long,
		.nlong = sizeof(report_long) / sizeof(report_long[0]),
		.parse = parse_report_opt,
		.usage = usage,
		.operands = true,
	};
	struct report_opts o = {};
	struct outputs out = {};
	struct profile *p = NULL;
	const char *type_name, *file;
	uint64_t top;
	int status = EXIT_RUNTIME, type;

	status = cli_exit_status(cli_parse(argc, argv, &o.c, &spec, &o));
	if (status >= 0)
		return status;
	status = EXIT_RUNTIME;
	if (!o.file) {
		cli_error("missing FILE (a pprof or folded profile)");
		return EXIT_USAGE;
	}
	log_level = o.c.verbosity;
	file = o.file;
	type_name = o.type_name;
	top = o.c.top;

	if (profile_file__load(file, &p, NULL))
		goto out;
	if (type_name) {
		type = find_type(p, type_name);
		if (type < 0) {
			p_err("%s has no sample type '%s'", file, type_name);
			status = EXIT_USAGE;
			goto out;
		}
		p->default_type = type;
	}
	if (!p->ntypes) {
		p_err("%s has no sample types: nothing to show", file);
		goto out;
	}
	if (outputs__open(&out, &o.c.out))
		goto out;
	if (outputs__write(&out, p))
		goto out;
	if (!outputs__any(&o.c.out)) {
		if (render_table(p, p->default_type, (int)top, stdout)) {
			p_err("cannot print the table: out of memory or stdout closed");
			goto out;
		}
	} else if (log_level >= LOG_NORMAL) {
		outputs__report(&out, stdout);
	}
	if (fflush(stdout)) {
		p_err("cannot write to stdout");
		goto out;
	}
	status = 0;
out:
	outputs__abort(&out);
	profile__free(p);
	return status;
}
