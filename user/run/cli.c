// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The command-line engine (run/cli.h): the options every mode shares are
 * parsed here, each mode's own by its parse callback.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/parse.h"
#include "run/cli.h"

enum {
	/* shared; the output options' codes are outputs.h's */
	OPT_TOP = 256,
	OPT_VERSION,
	OPT_NO_INLINE,
	OPT_NO_DEMANGLE,
	OPT_DEBUG_DIR,
};

static const struct option general_long[] = {
	{ "top",		required_argument, NULL, OPT_TOP },
	{ "quiet",		no_argument,	   NULL, 'q' },
	{ "verbose",		no_argument,	   NULL, 'v' },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "version",		no_argument,	   NULL, OPT_VERSION },
};

static const struct option targets_long[] = {
	{ "pid",		required_argument, NULL, 'p' },
	{ "duration",		required_argument, NULL, 'd' },
};

static const struct option symbols_long[] = {
	{ "no-inline",		no_argument,	   NULL, OPT_NO_INLINE },
	{ "no-demangle",	no_argument,	   NULL, OPT_NO_DEMANGLE },
	{ "debug-dir",		required_argument, NULL, OPT_DEBUG_DIR },
};

static const struct option outputs_long[] = {
	OUTPUTS_LONG_OPTIONS,
};

/* The program name errors start with and the help they point at, set by
 * cli_parse. */
static const char *prog = "profiler", *help;

enum cli_result cli_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (help)
		fprintf(stderr, "\nTry '%s' for more information.\n", help);
	else
		fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
	return CLI_USAGE;
}

enum cli_result cli_parse_size(const char *arg, const char *opt, uint64_t max,
			       uint64_t *out)
{
	if (parse_u64(arg, 1, max, out) == 0)
		return CLI_OK;
	return cli_error("invalid size '%s' for %s (expected 1..%llu)", arg, opt,
			 (unsigned long long)max);
}

enum cli_result cli_parse_freq(const char *arg, uint64_t *out)
{
	if (parse_u64(arg, 1, 100000, out) == 0)
		return CLI_OK;
	return cli_error("invalid frequency '%s' for -F (expected 1..100000 Hz)", arg);
}

/* Append dir to the ':'-separated list *dirs. */
static int add_debug_dir(char **dirs, const char *dir)
{
	char *joined;

	if (asprintf(&joined, "%s%s%s", *dirs ? *dirs : "", *dirs ? ":" : "",
		     dir) < 0)
		return -1;
	free(*dirs);
	*dirs = joined;
	return 0;
}

void cli_free_common(struct common_opts *o)
{
	free(o->debug_dirs);
	o->debug_dirs = NULL;
	free(o->pids);
	o->pids = NULL;
	o->npids = 0;
}

static enum cli_result parse_common(int c, const char *arg, struct common_opts *o)
{
	const char *bad;
	char err[512];
	int taken;

	switch (c) {
	case 'p':
		if (parse_pid_list(arg, &o->pids, &o->npids, &bad))
			return cli_error("invalid PID list '%s' for -p "
					 "(expected PID[,PID...])", arg);
		return CLI_OK;
	case 'd':
		if (parse_seconds(arg, 31536000, &o->duration))
			return cli_error("invalid duration '%s' for -d "
					 "(expected seconds > 0)", arg);
		return CLI_OK;
	case OPT_TOP:
		if (parse_u64(arg, 1, 1000000, &o->top))
			return cli_error("invalid count '%s' for --top "
					 "(expected a number >= 1)", arg);
		return CLI_OK;
	case OPT_NO_INLINE:
		o->no_inline = true;
		return CLI_OK;
	case OPT_NO_DEMANGLE:
		o->no_demangle = true;
		return CLI_OK;
	case OPT_DEBUG_DIR:
		if (arg[0] != '/' || strchr(arg, ':'))
			return cli_error("invalid directory '%s' for --debug-dir "
					 "(expected an absolute path without ':')", arg);
		if (add_debug_dir(&o->debug_dirs, arg))
			return cli_error("out of memory");
		return CLI_OK;
	case 'q':
		o->verbosity = -1;
		return CLI_OK;
	case 'v':
		/* -v: debug lines and libbpf warnings; -vv: libbpf's debug too */
		o->verbosity = o->verbosity >= 1 ? 2 : 1;
		return CLI_OK;
	}
	/* --folded, --svg, --pprof, --output, ...: the outputs module's. */
	taken = outputs__parse(&o->out, c, arg, err, sizeof(err));
	if (taken < 0)
		return cli_error("%s", err);
	return taken ? CLI_OK : CLI_EXIT_OK;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Append n options to v (room for cap, one kept for the terminator). */
static void add_options(struct option *v, size_t *len, size_t cap,
			const struct option *add, size_t n)
{
	size_t i;

	for (i = 0; i < n && *len + 1 < cap; i++)
		v[(*len)++] = add[i];
}

enum cli_result cli_parse(int argc, char **argv, struct common_opts *o,
			  const struct cli_mode *m, void *mode)
{
	struct option longopts[96];
	char shortopts[64];
	size_t n = 0;
	enum cli_result r;
	bool separator;
	int c, before;

	prog = m->prog ? m->prog : "profiler";
	help = m->help;
	add_options(longopts, &n, NELEM(longopts), general_long, NELEM(general_long));
	if (m->groups & CLI_TARGETS)
		add_options(longopts, &n, NELEM(longopts), targets_long,
			    NELEM(targets_long));
	if (m->groups & CLI_SYMBOLS)
		add_options(longopts, &n, NELEM(longopts), symbols_long,
			    NELEM(symbols_long));
	if (m->groups & CLI_OUTPUTS)
		add_options(longopts, &n, NELEM(longopts), outputs_long,
			    NELEM(outputs_long));
	add_options(longopts, &n, NELEM(longopts), m->longopts, m->nlong);
	memset(&longopts[n], 0, sizeof(longopts[n]));
	/* '+': stop at the first non-option so COMMAND's own options stay
	 * its; ':': report a missing value as ':'.  '-' instead of '+':
	 * getopt hands operands over in order, as option 1, and still stops
	 * at "--". */
	snprintf(shortopts, sizeof(shortopts), "%c:qvh%s%s",
		 m->operands ? '-' : '+',
		 m->groups & CLI_TARGETS ? "p:d:" : "", m->shortopts ? m->shortopts : "");

	o->top = m->top ? m->top : 10;
	/* 0, not 1: glibc then also forgets a half-read "-xyz" cluster of an
	 * earlier parse. */
	optind = 0;
	opterr = 0;
	for (;;) {
		before = optind ? optind : 1;
		c = getopt_long(argc, argv, shortopts, longopts, NULL);
		if (c == -1)
			break;
		if (c == 'h') {
			m->usage(stdout);
			return CLI_EXIT_OK;
		}
		if (c == OPT_VERSION) {
			printf("profiler %s\n", PROFILER_VERSION);
			return CLI_EXIT_OK;
		}
		if (c == ':')
			return cli_error("option '%s' needs a value", argv[optind - 1]);
		r = c == 1 ? CLI_EXIT_OK : parse_common(c, optarg, o);
		if (r == CLI_EXIT_OK)
			r = m->parse(c, optarg, mode);
		if (r == CLI_USAGE)
			return r;
		if (r == CLI_OK)
			continue;
		if (c == '?' && optopt) {
			char opt[3] = { '-', (char)optopt, '\0' };

			return cli_error("unknown option '%s'", opt);
		}
		return cli_error("unknown option '%s'", argv[optind - 1]);
	}
	/* A "--" ended the options only if the last getopt call consumed it
	 * (not when it was the value of an option, as in --folded --). */
	separator = optind == before + 1 && !strcmp(argv[before], "--");
	if (separator && optind == argc && (m->groups & CLI_TARGETS))
		return cli_error("missing COMMAND after --");
	if (optind < argc) {
		if (!separator || !(m->groups & CLI_TARGETS))
			return cli_error("unexpected argument '%s'%s", argv[optind],
					 m->groups & CLI_TARGETS ?
					 " (put a command after --)" : "");
		o->command = &argv[optind];
	}
	if (o->command && o->npids)
		return cli_error("-p and a COMMAND exclude each other");
	return CLI_OK;
}
