// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `profiler report`: a saved profile rendered again, no profiling. */
#include <getopt.h>
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
	OPT_TOP = 256,
	OPT_SAMPLE_TYPE,
	OPT_MAX_FRAMES,
};

static const struct option long_opts[] = {
	OUTPUTS_LONG_OPTIONS,
	{ "top",		required_argument, NULL, OPT_TOP },
	{ "sample-type",	required_argument, NULL, OPT_SAMPLE_TYPE },
	{ "max-frames",		required_argument, NULL, OPT_MAX_FRAMES },
	{ "quiet",		no_argument,	   NULL, 'q' },
	{ "help",		no_argument,	   NULL, 'h' },
	{ NULL, 0, NULL, 0 },
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

static int usage_error(const char *msg, const char *arg)
{
	fputs("profiler report: ", stderr);
	fprintf(stderr, msg, arg);
	fputs("\nTry 'profiler report --help' for more information.\n", stderr);
	return EXIT_USAGE;
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
	struct outputs_opts oo = {};
	struct outputs out = {};
	struct profile *p = NULL;
	const char *type_name = NULL, *file;
	uint64_t top = 10;
	char err[512];
	int c, rc, status = EXIT_RUNTIME, type;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":qh", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_TOP:
			if (parse_u64(optarg, 1, 1000000, &top))
				return usage_error("invalid count '%s' for --top "
						   "(expected a number >= 1)", optarg);
			break;
		case OPT_MAX_FRAMES:
			if (parse_u64(optarg, 1, 1ULL << 32, &profile_max_frames))
				return usage_error("invalid count '%s' for --max-frames "
						   "(expected 1..4294967296)", optarg);
			break;
		case OPT_SAMPLE_TYPE:
			type_name = optarg;
			break;
		case 'q':
			log_level = LOG_QUIET;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		case '?':
			return usage_error("unknown option '%s'", argv[optind - 1]);
		default:
			rc = outputs__parse(&oo, c, optarg, err, sizeof(err));
			if (rc < 0)
				return usage_error("%s", err);
			if (rc == 0)
				return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("%smissing FILE (a pprof or folded profile)", "");
	if (optind + 1 < argc)
		return usage_error("unexpected argument '%s' (one FILE only)",
				   argv[optind + 1]);
	file = argv[optind];

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
	if (outputs__open(&out, &oo))
		goto out;
	if (outputs__write(&out, p))
		goto out;
	if (!outputs__any(&oo)) {
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
