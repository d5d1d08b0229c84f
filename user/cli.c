// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cpu.h"
#include "parse.h"

enum {
	OPT_FOLDED = 256,
	OPT_TOP,
	OPT_STACK_MAP_SIZE,
	OPT_COUNTS_MAP_SIZE,
	OPT_EVENT,
	OPT_VERSION,
	OPT_LINES,
	OPT_NO_INLINE,
	OPT_NO_DEMANGLE,
	OPT_DEBUG_DIR,
};

static const struct option long_opts[] = {
	{ "pid",		required_argument, NULL, 'p' },
	{ "frequency",		required_argument, NULL, 'F' },
	{ "duration",		required_argument, NULL, 'd' },
	{ "folded",		required_argument, NULL, OPT_FOLDED },
	{ "top",		required_argument, NULL, OPT_TOP },
	{ "user-only",		no_argument,	   NULL, 'U' },
	{ "kernel-only",	no_argument,	   NULL, 'K' },
	{ "stack-map-size",	required_argument, NULL, OPT_STACK_MAP_SIZE },
	{ "counts-map-size",	required_argument, NULL, OPT_COUNTS_MAP_SIZE },
	{ "event",		required_argument, NULL, OPT_EVENT },
	{ "lines",		no_argument,	   NULL, OPT_LINES },
	{ "no-inline",		no_argument,	   NULL, OPT_NO_INLINE },
	{ "no-demangle",	no_argument,	   NULL, OPT_NO_DEMANGLE },
	{ "debug-dir",		required_argument, NULL, OPT_DEBUG_DIR },
	{ "quiet",		no_argument,	   NULL, 'q' },
	{ "verbose",		no_argument,	   NULL, 'v' },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "version",		no_argument,	   NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

void cli_usage(FILE *out)
{
	fprintf(out,
"Usage: profiler [cpu] [OPTIONS] [-- COMMAND [ARGS...]]\n"
"       profiler check\n"
"\n"
"Samples where CPU time goes, in the kernel with eBPF, and prints the\n"
"hottest functions; --folded writes collapsed stacks for flame graphs.\n"
"Needs root (or CAP_BPF and CAP_PERFMON).\n"
"\n"
"Targets (default: every process on the machine):\n"
"  -p, --pid PID[,PID...]    profile these processes (all their threads, and\n"
"                            processes they fork while profiled)\n"
"  -- COMMAND [ARGS...]      start COMMAND, profile it from its first\n"
"                            instruction until it exits, exit with its status\n"
"\n"
"Sampling:\n"
"  -F, --frequency HZ        samples per second per CPU (default 99)\n"
"  -d, --duration SECONDS    stop after SECONDS (default: at Ctrl-C, SIGTERM\n"
"                            or when every target has exited)\n"
"      --event EVENT         cpu-clock (default, software timer) or cycles\n"
"                            (needs a hardware PMU)\n"
"  -U, --user-only           collect user stacks only\n"
"  -K, --kernel-only         collect kernel stacks only\n"
"      --stack-map-size N    distinct stacks kept in the kernel (default %d)\n"
"      --counts-map-size N   distinct (process, stack) pairs counted\n"
"                            (default %d)\n"
"\n"
"Output:\n"
"      --top N               functions in each summary table (default 10)\n"
"      --folded FILE         write collapsed stacks (flamegraph.pl, inferno,\n"
"                            speedscope): comm;root;...;leaf COUNT\n"
"      --lines               add (file:line) to folded frames, from DWARF\n"
"\n"
"Symbols:\n"
"      --debug-dir DIR       also look for debug files under DIR (by build-id\n"
"                            in DIR/.build-id/, by debuglink); repeatable\n"
"      --no-inline           don't expand inlined calls into frames\n"
"      --no-demangle         keep C++/Rust symbol names mangled\n"
"  -q, --quiet               errors only\n"
"  -v, --verbose             libbpf and debug messages\n"
"  -h, --help                this help\n"
"      --version             print the version\n"
"\n"
"Commands:\n"
"  cpu                       CPU sampling (the default)\n"
"  check                     say whether this machine can run the profiler\n"
"\n"
"Examples:\n"
"  profiler -p 1234 -d 10                  top functions of process 1234\n"
"  profiler -p 1234,5678 --folded out.folded\n"
"                                          two processes, stacks for a flame graph\n"
"  profiler -F 999 -d 5                    the whole machine for 5 s at 999 Hz\n"
"  profiler --folded ls.folded -- ls -lR /usr\n"
"                                          a command from start to end\n"
"  flamegraph.pl out.folded > out.svg      render collapsed stacks\n"
"\n"
"Exit status: 0 success (or COMMAND's status), 1 runtime failure, 2 usage error.\n",
		CPU_DEFAULT_STACK_MAP_SIZE, CPU_DEFAULT_COUNTS_MAP_SIZE);
}

static enum cli_result usage_error(const char *fmt, const char *arg)
{
	fputs("profiler: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'profiler --help' for more information.\n", stderr);
	return CLI_USAGE;
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

void cli_free_cpu(struct cpu_opts *o)
{
	free(o->debug_dirs);
	o->debug_dirs = NULL;
	free(o->pids);
	o->pids = NULL;
	o->npids = 0;
}

enum cli_result cli_parse_cpu(int argc, char **argv, struct cpu_opts *o)
{
	bool separator;
	const char *bad;
	int c, before;

	memset(o, 0, sizeof(*o));
	o->freq = 99;
	o->top = 10;
	o->stack_map_size = CPU_DEFAULT_STACK_MAP_SIZE;
	o->counts_map_size = CPU_DEFAULT_COUNTS_MAP_SIZE;
	o->event = "cpu-clock";

	/* 0, not 1: glibc then also forgets a half-read "-xyz" cluster of an
	 * earlier parse. */
	optind = 0;
	opterr = 0;
	/* '+': stop at the first non-option so COMMAND's own options stay its. */
	for (;;) {
		before = optind ? optind : 1;
		c = getopt_long(argc, argv, "+:p:F:d:UKqvh", long_opts, NULL);
		if (c == -1)
			break;
		switch (c) {
		case 'p':
			if (parse_pid_list(optarg, &o->pids, &o->npids, &bad))
				return usage_error("invalid PID list '%s' for -p "
						   "(expected PID[,PID...])", optarg);
			break;
		case 'F':
			if (parse_u64(optarg, 1, 100000, &o->freq))
				return usage_error("invalid frequency '%s' for -F "
						   "(expected 1..100000 Hz)", optarg);
			break;
		case 'd':
			if (parse_seconds(optarg, 31536000, &o->duration))
				return usage_error("invalid duration '%s' for -d "
						   "(expected seconds > 0)", optarg);
			break;
		case OPT_FOLDED:
			if (!*optarg)
				return usage_error("%sempty file name for --folded", "");
			o->folded = optarg;
			break;
		case OPT_TOP:
			if (parse_u64(optarg, 1, 1000000, &o->top))
				return usage_error("invalid count '%s' for --top "
						   "(expected a number >= 1)", optarg);
			break;
		case 'U':
			o->user_only = true;
			break;
		case 'K':
			o->kernel_only = true;
			break;
		case OPT_STACK_MAP_SIZE:
			if (parse_u64(optarg, 1, 1 << 24, &o->stack_map_size))
				return usage_error("invalid size '%s' for --stack-map-size "
						   "(expected 1..16777216)", optarg);
			break;
		case OPT_COUNTS_MAP_SIZE:
			if (parse_u64(optarg, 1, 1 << 24, &o->counts_map_size))
				return usage_error("invalid size '%s' for --counts-map-size "
						   "(expected 1..16777216)", optarg);
			break;
		case OPT_EVENT:
			if (strcmp(optarg, "cpu-clock") && strcmp(optarg, "cycles"))
				return usage_error("unknown event '%s' for --event "
						   "(expected cpu-clock or cycles)", optarg);
			o->event = optarg;
			break;
		case OPT_LINES:
			o->lines = true;
			break;
		case OPT_NO_INLINE:
			o->no_inline = true;
			break;
		case OPT_NO_DEMANGLE:
			o->no_demangle = true;
			break;
		case OPT_DEBUG_DIR:
			if (optarg[0] != '/' || strchr(optarg, ':'))
				return usage_error("invalid directory '%s' for --debug-dir "
						   "(expected an absolute path without ':')",
						   optarg);
			if (add_debug_dir(&o->debug_dirs, optarg))
				return usage_error("%sout of memory", "");
			break;
		case 'q':
			o->verbosity = -1;
			break;
		case 'v':
			o->verbosity = 1;
			break;
		case 'h':
			cli_usage(stdout);
			return CLI_EXIT_OK;
		case OPT_VERSION:
			printf("profiler %s\n", PROFILER_VERSION);
			return CLI_EXIT_OK;
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt) {
				char opt[3] = { '-', (char)optopt, '\0' };

				return usage_error("unknown option '%s'", opt);
			}
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (o->user_only && o->kernel_only)
		return usage_error("%s-U and -K exclude each other", "");
	/* A "--" ended the options only if the last getopt call consumed it
	 * (not when it was the value of an option, as in --folded --). */
	separator = optind == before + 1 && !strcmp(argv[before], "--");
	if (separator && optind == argc)
		return usage_error("%smissing COMMAND after --", "");
	if (optind < argc) {
		if (!separator)
			return usage_error("unexpected argument '%s' (put a command "
					   "after --)", argv[optind]);
		o->command = &argv[optind];
	}
	if (o->command && o->npids)
		return usage_error("%s-p and a COMMAND exclude each other", "");
	return CLI_OK;
}
