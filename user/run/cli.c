// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Command lines of the modes.  Options every mode shares (targets,
 * duration, outputs, symbols, verbosity) are parsed once here; each mode
 * adds its own through a small table.  Parsing has no side effects beyond
 * the option structs.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/cli.h"
#include "modes/unwinder.h"
#include "cpu.h"
#include "lat.h"
#include "modes/lat_pattern.h"
#include "mem.h"
#include "lib/parse.h"

enum {
	/* shared; the output options' codes are outputs.h's */
	OPT_TOP = 256,
	OPT_VERSION,
	OPT_NO_INLINE,
	OPT_NO_DEMANGLE,
	OPT_DEBUG_DIR,
	/* cpu */
	OPT_STACK_MAP_SIZE,
	OPT_UNWIND,
	OPT_UNWIND_MAX_MB,
	OPT_COUNTS_MAP_SIZE,
	OPT_EVENT,
	/* mem */
	OPT_LIB,
	OPT_PREFIX,
	OPT_MIN_SIZE,
	OPT_MIN_AGE,
	OPT_SAMPLE,
	OPT_FREE_LATENCY,
	OPT_LIVE_MAP_SIZE,
	OPT_SITES_MAP_SIZE,
	/* lat */
	OPT_LAT_HIST,
	OPT_LAT_COUNT_ONLY,
	OPT_LAT_MAX_PROBES,
};

#define COMMON_SHORT "p:d:qvh"

static const struct option common_long[] = {
	{ "pid",		required_argument, NULL, 'p' },
	{ "duration",		required_argument, NULL, 'd' },
	OUTPUTS_LONG_OPTIONS,
	{ "top",		required_argument, NULL, OPT_TOP },
	{ "no-inline",		no_argument,	   NULL, OPT_NO_INLINE },
	{ "no-demangle",	no_argument,	   NULL, OPT_NO_DEMANGLE },
	{ "debug-dir",		required_argument, NULL, OPT_DEBUG_DIR },
	{ "quiet",		no_argument,	   NULL, 'q' },
	{ "verbose",		no_argument,	   NULL, 'v' },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "version",		no_argument,	   NULL, OPT_VERSION },
};

static const struct option cpu_long[] = {
	{ "frequency",		required_argument, NULL, 'F' },
	{ "user-only",		no_argument,	   NULL, 'U' },
	{ "kernel-only",	no_argument,	   NULL, 'K' },
	{ "stack-map-size",	required_argument, NULL, OPT_STACK_MAP_SIZE },
	{ "counts-map-size",	required_argument, NULL, OPT_COUNTS_MAP_SIZE },
	{ "event",		required_argument, NULL, OPT_EVENT },
	{ "unwind",		required_argument, NULL, OPT_UNWIND },
	{ "unwind-max-mb",	required_argument, NULL, OPT_UNWIND_MAX_MB },
};

static const struct option mem_long[] = {
	{ "interval",		required_argument, NULL, 'i' },
	{ "lib",		required_argument, NULL, OPT_LIB },
	{ "prefix",		required_argument, NULL, OPT_PREFIX },
	{ "min-size",		required_argument, NULL, OPT_MIN_SIZE },
	{ "min-age",		required_argument, NULL, OPT_MIN_AGE },
	{ "sample",		required_argument, NULL, OPT_SAMPLE },
	{ "free-latency",	no_argument,	   NULL, OPT_FREE_LATENCY },
	{ "live-map-size",	required_argument, NULL, OPT_LIVE_MAP_SIZE },
	{ "sites-map-size",	required_argument, NULL, OPT_SITES_MAP_SIZE },
	{ "stack-map-size",	required_argument, NULL, OPT_STACK_MAP_SIZE },
	{ "unwind",		required_argument, NULL, OPT_UNWIND },
	{ "unwind-max-mb",	required_argument, NULL, OPT_UNWIND_MAX_MB },
};

static const struct option lat_long[] = {
	{ "interval",		required_argument, NULL, 'i' },
	{ "hist",		no_argument,	   NULL, OPT_LAT_HIST },
	{ "count-only",		no_argument,	   NULL, OPT_LAT_COUNT_ONLY },
	{ "max-probes",		required_argument, NULL, OPT_LAT_MAX_PROBES },
};

const char *const mem_sample_names[] = {
	[MEM_SAMPLE_ALLOC_OBJECTS] = "alloc_objects",
	[MEM_SAMPLE_ALLOC_SPACE] = "alloc_space",
	[MEM_SAMPLE_INUSE_OBJECTS] = "inuse_objects",
	[MEM_SAMPLE_INUSE_SPACE] = "inuse_space",
};

static enum cli_result usage_error(const char *fmt, const char *arg);
static enum cli_result parse_size(const char *arg, const char *opt, uint64_t max,
				  uint64_t *out);

/* The user-stack options of the modes that take stacks. */
static void stack_usage(FILE *out)
{
	fprintf(out,
"\n"
"User stacks:\n"
"      --unwind MODE         auto (default): unwind tables from each file's\n"
"                            CFI (.eh_frame), frame pointers where a file has\n"
"                            none; dwarf: tables only; fp: frame pointers only\n"
"      --unwind-max-mb MB    kernel memory for unwind tables at most\n"
"                            (default %d)\n", UNWIND_DEFAULT_MAX_MB);
}

/* --unwind and --unwind-max-mb; CLI_EXIT_OK: not one of them. */
static enum cli_result parse_stack_opt(int c, const char *arg,
				       struct stack_opts *o)
{
	switch (c) {
	case OPT_UNWIND:
		o->unwind = unwind_mode_parse(arg);
		if (o->unwind < 0)
			return usage_error("unknown mode '%s' for --unwind "
					   "(expected auto, dwarf or fp)", arg);
		return CLI_OK;
	case OPT_UNWIND_MAX_MB:
		return parse_size(arg, "--unwind-max-mb", 65536, &o->unwind_max_mb);
	}
	return CLI_EXIT_OK;
}

void cli_usage(FILE *out)
{
	fprintf(out,
"Usage: profiler [cpu] [OPTIONS] [-- COMMAND [ARGS...]]\n"
"       profiler check\n"
"\n"
"Samples where CPU time goes, in the kernel with eBPF, and prints the\n"
"hottest functions; writes flame graphs, pprof, speedscope and JSON files.\n"
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
"      --top N               functions in each summary table (default 10)\n",
		CPU_DEFAULT_STACK_MAP_SIZE, CPU_DEFAULT_COUNTS_MAP_SIZE);
	stack_usage(out);
	outputs__usage(out);
	fprintf(out,
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
"  mem                       allocation profiling (profiler mem --help)\n"
"  lat                       function latency (profiler lat --help)\n"
"  report FILE               re-render a saved pprof or folded profile\n"
"  diff BASE NEW             compare two saved profiles\n"
"  check                     say whether this machine can run the profiler\n"
"\n"
"Examples:\n"
"  profiler -p 1234 -d 10                  top functions of process 1234\n"
"  profiler -p 1234 -d 10 --svg cpu.svg    an interactive flame graph\n"
"  profiler -p 1234,5678 --folded out.folded\n"
"                                          two processes, stacks for a flame graph\n"
"  profiler -F 999 -d 5 --pprof cpu.pb.gz  the whole machine, for go tool pprof\n"
"  profiler --output ls.svg -- ls -lR /usr a command from start to end\n"
"  profiler report cpu.pb.gz --svg cpu.svg render a saved profile again\n"
"\n"
"Exit status: 0 success (or COMMAND's status), 1 runtime failure, 2 usage error.\n");
}

void cli_usage_mem(FILE *out)
{
	fprintf(out,
"Usage: profiler mem [-p PID[,PID...] | -- COMMAND [ARGS...]] [OPTIONS]\n"
"\n"
"Traces the allocator a running process uses (uprobes on malloc, calloc,\n"
"realloc, reallocarray, posix_memalign, aligned_alloc, memalign, valloc,\n"
"pvalloc and free): which code allocates most, what is still outstanding\n"
"(leak suspects), the size distribution and how long each call takes.\n"
"No recompiling, no LD_PRELOAD.  Needs root (or CAP_BPF and CAP_PERFMON).\n"
"\n"
"Targets (one of them is required):\n"
"  -p, --pid PID[,PID...]    trace these processes\n"
"  -- COMMAND [ARGS...]      start COMMAND and trace it until it exits\n"
"\n"
"Tracing:\n"
"  -d, --duration SECONDS    stop after SECONDS (default: Ctrl-C or exit)\n"
"  -i, --interval SECONDS    print a timeline line every SECONDS\n"
"      --lib PATH            trace this allocator library (a path as the\n"
"                            process sees it) instead of the one found\n"
"      --prefix P            allocator symbols carry prefix P (je_malloc)\n"
"      --min-size BYTES      take no stack for allocations smaller than\n"
"                            BYTES: cheaper; they are counted in totals and\n"
"                            under one [below --min-size] site\n"
"      --free-latency        time free() too (costs a return probe)\n"
"      --live-map-size N     live allocations tracked (default %d)\n"
"      --sites-map-size N    distinct allocation sites (default %d)\n"
"      --stack-map-size N    distinct stacks kept (default 16384)\n"
"\n"
"Report:\n"
"      --top N               allocation sites per table (default 10)\n"
"      --min-age SECONDS     outstanding allocations older than this are\n"
"                            leak suspects (default 0: all outstanding)\n"
"      --sample TYPE         what --folded and --svg weigh stacks by:\n"
"                            alloc_space, alloc_objects, inuse_space\n"
"                            (default: a leak flame graph), inuse_objects\n",
		MEM_DEFAULT_LIVE_MAP_SIZE, MEM_DEFAULT_SITES_MAP_SIZE);
	stack_usage(out);
	outputs__usage(out);
	fprintf(out,
"      --debug-dir DIR, --no-inline, --no-demangle  as for cpu\n"
"  -q, --quiet               errors only\n"
"  -v, --verbose             debug messages (probe placement)\n"
"  -h, --help                this help\n"
"\n"
"Examples:\n"
"  profiler mem -p 1234 -d 30                top allocators of 1234 for 30 s\n"
"  profiler mem -p 1234 -i 5 --min-age 60    timeline; leaks older than 60 s\n"
"  profiler mem --folded leaks.folded -- ./server\n"
"                                            leak flame graph of a command\n"
"\n"
"Exit status: 0 success (or COMMAND's status), 1 runtime failure, 2 usage error.\n");
}

void cli_usage_lat(FILE *out)
{
	fprintf(out,
"Usage: profiler lat [-p PID[,PID...] | -- COMMAND [ARGS...]] [OPTIONS] PATTERN...\n"
"\n"
"Times every call of the functions the PATTERNs name (a uprobe and a\n"
"uretprobe on each, timed in the kernel): calls, average, p50/p90/p95/p99,\n"
"maximum and total time per function.  No recompiling.  Needs root (or\n"
"CAP_BPF and CAP_PERFMON).\n"
"\n"
"Patterns, [MODULE:]GLOB (quote them for the shell):\n"
"  GLOB                      functions of the executable, an fnmatch glob;\n"
"                            C++/Rust names match mangled or demangled:\n"
"                            'parse_*', '*Widget::*'\n"
"  MODULE:GLOB               functions of a mapped library, named by the\n"
"                            start of its file name or by path: 'libc:malloc',\n"
"                            'libssl.so.3:SSL_*', '/opt/app/libx.so:*'\n"
"\n"
"Targets (one of them is required):\n"
"  -p, --pid PID[,PID...]    trace these processes\n"
"  -- COMMAND [ARGS...]      start COMMAND and trace it until it exits\n"
"\n"
"Tracing:\n"
"  -d, --duration SECONDS    stop after SECONDS (default: Ctrl-C or exit)\n"
"  -i, --interval SECONDS    print the table of each interval's calls every\n"
"                            SECONDS, then the whole run's\n"
"      --count-only          count calls only (entry probes, cheaper): calls\n"
"                            and rate per function\n"
"      --max-probes N        probe at most N functions (default %d, up to\n"
"                            %d): a PATTERN matching more is an error\n"
"\n"
"Report:\n"
"      --top N               functions in the table, by total time\n"
"                            (default 10; --json has them all)\n"
"      --hist                a log2 histogram of each function's latency\n"
"      --json FILE           write the whole report as JSON (docs/lat.md)\n"
"      --no-demangle         show C++/Rust names mangled\n"
"  -q, --quiet               errors only\n"
"  -v, --verbose             debug messages (matches, probe placement)\n"
"  -h, --help                this help\n"
"\n"
"Examples:\n"
"  profiler lat -p 1234 -d 10 'libsqlite3:sqlite3_*'\n"
"                                            SQLite's API calls for 10 s\n"
"  profiler lat -p 1234 -i 1 'handle_*' 'libc:malloc'\n"
"                                            a table every second\n"
"  profiler lat --hist 'parse_*' -- ./server config.toml\n"
"                                            a command, with histograms\n"
"  profiler lat -p 1234 --count-only --max-probes 2000 'libc:*' -d 5\n"
"                                            which libc functions it calls\n"
"\n"
"Exit status: 0 success (or COMMAND's status), 1 runtime failure, 2 usage error.\n",
		LAT_DEFAULT_MAX_PROBES, LAT_MAX_PROBES_LIMIT);
}

static enum cli_result usage_error(const char *fmt, const char *arg)
{
	fputs("profiler: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'profiler --help' for more information.\n", stderr);
	return CLI_USAGE;
}

/* A map size option: 1..max. */
static enum cli_result parse_size(const char *arg, const char *opt, uint64_t max,
				  uint64_t *out)
{
	char what[64];

	if (parse_u64(arg, 1, max, out) == 0)
		return CLI_OK;
	snprintf(what, sizeof(what), "%s (expected 1..%llu)", opt,
		 (unsigned long long)max);
	fprintf(stderr, "profiler: invalid size '%s' for %s\n"
		"Try 'profiler --help' for more information.\n", arg, what);
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

void cli_free_common(struct common_opts *o)
{
	free(o->debug_dirs);
	o->debug_dirs = NULL;
	free(o->pids);
	o->pids = NULL;
	o->npids = 0;
}

void cli_free_cpu(struct cpu_opts *o)
{
	cli_free_common(&o->c);
}

/* A mode: its short options, long options, parser and help. */
struct mode_spec {
	const char *shortopts;
	const struct option *longopts;
	size_t nlong;
	/* CLI_OK if handled, CLI_USAGE (printed) if bad, CLI_EXIT_OK if
	 * the option isn't the mode's. */
	enum cli_result (*parse)(int c, const char *arg, void *mode);
	void (*usage)(FILE *out);
	/* Operands (lat's PATTERNs) may sit among the options: parse()
	 * gets each as option 1. */
	bool operands;
};

static enum cli_result parse_common(int c, const char *arg, struct common_opts *o)
{
	const char *bad;
	char err[512];
	int taken;

	switch (c) {
	case 'p':
		if (parse_pid_list(arg, &o->pids, &o->npids, &bad))
			return usage_error("invalid PID list '%s' for -p "
					   "(expected PID[,PID...])", arg);
		return CLI_OK;
	case 'd':
		if (parse_seconds(arg, 31536000, &o->duration))
			return usage_error("invalid duration '%s' for -d "
					   "(expected seconds > 0)", arg);
		return CLI_OK;
	case OPT_TOP:
		if (parse_u64(arg, 1, 1000000, &o->top))
			return usage_error("invalid count '%s' for --top "
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
			return usage_error("invalid directory '%s' for --debug-dir "
					   "(expected an absolute path without ':')", arg);
		if (add_debug_dir(&o->debug_dirs, arg))
			return usage_error("%sout of memory", "");
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
		return usage_error("%s", err);
	return taken ? CLI_OK : CLI_EXIT_OK;
}

static enum cli_result parse_args(int argc, char **argv, struct common_opts *o,
				  const struct mode_spec *m, void *mode)
{
	struct option longopts[64];
	char shortopts[64];
	size_t n = 0, i;
	enum cli_result r;
	bool separator;
	int c, before;

	for (i = 0; i < sizeof(common_long) / sizeof(common_long[0]); i++)
		longopts[n++] = common_long[i];
	for (i = 0; i < m->nlong && n + 1 < sizeof(longopts) / sizeof(longopts[0]); i++)
		longopts[n++] = m->longopts[i];
	memset(&longopts[n], 0, sizeof(longopts[n]));
	/* '+': stop at the first non-option so COMMAND's own options stay
	 * its; ':': report a missing value as ':'. */
	snprintf(shortopts, sizeof(shortopts), "+:" COMMON_SHORT "%s", m->shortopts);
	/* '-': getopt hands operands over in order, as option 1, and still
	 * stops at "--". */
	if (m->operands)
		shortopts[0] = '-';

	o->top = 10;
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
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		r = parse_common(c, optarg, o);
		if (r == CLI_EXIT_OK)
			r = m->parse(c, optarg, mode);
		if (r == CLI_USAGE)
			return r;
		if (r == CLI_OK)
			continue;
		if (c == '?' && optopt) {
			char opt[3] = { '-', (char)optopt, '\0' };

			return usage_error("unknown option '%s'", opt);
		}
		return usage_error("unknown option '%s'", argv[optind - 1]);
	}
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

/* ---- cpu ------------------------------------------------------------- */

static enum cli_result parse_cpu_opt(int c, const char *arg, void *mode)
{
	struct cpu_opts *o = mode;

	switch (c) {
	case 'F':
		if (parse_u64(arg, 1, 100000, &o->freq))
			return usage_error("invalid frequency '%s' for -F "
					   "(expected 1..100000 Hz)", arg);
		return CLI_OK;
	case 'U':
		o->user_only = true;
		return CLI_OK;
	case 'K':
		o->kernel_only = true;
		return CLI_OK;
	case OPT_STACK_MAP_SIZE:
		return parse_size(arg, "--stack-map-size", 1 << 24, &o->stack_map_size);
	case OPT_COUNTS_MAP_SIZE:
		return parse_size(arg, "--counts-map-size", 1 << 24, &o->counts_map_size);
	case OPT_EVENT:
		if (strcmp(arg, "cpu-clock") && strcmp(arg, "cycles"))
			return usage_error("unknown event '%s' for --event "
					   "(expected cpu-clock or cycles)", arg);
		o->event = arg;
		return CLI_OK;
	}
	return parse_stack_opt(c, arg, &o->s);
}

enum cli_result cli_parse_cpu(int argc, char **argv, struct cpu_opts *o)
{
	static const struct mode_spec spec = {
		.shortopts = "F:UK",
		.longopts = cpu_long,
		.nlong = sizeof(cpu_long) / sizeof(cpu_long[0]),
		.parse = parse_cpu_opt,
		.usage = cli_usage,
	};
	enum cli_result r;

	memset(o, 0, sizeof(*o));
	o->freq = 99;
	o->stack_map_size = CPU_DEFAULT_STACK_MAP_SIZE;
	o->counts_map_size = CPU_DEFAULT_COUNTS_MAP_SIZE;
	o->event = "cpu-clock";
	o->s.unwind = UNWIND_MODE_AUTO;
	o->s.unwind_max_mb = UNWIND_DEFAULT_MAX_MB;
	r = parse_args(argc, argv, &o->c, &spec, o);
	if (r == CLI_OK && o->user_only && o->kernel_only)
		return usage_error("%s-U and -K exclude each other", "");
	return r;
}

/* ---- mem ------------------------------------------------------------- */

static enum cli_result parse_mem_opt(int c, const char *arg, void *mode)
{
	struct mem_opts *o = mode;
	size_t i;

	switch (c) {
	case 'i':
		if (parse_seconds(arg, 86400, &o->interval))
			return usage_error("invalid interval '%s' for -i "
					   "(expected seconds > 0)", arg);
		return CLI_OK;
	case OPT_LIB:
		if (arg[0] != '/')
			return usage_error("invalid library '%s' for --lib "
					   "(expected an absolute path)", arg);
		o->lib = arg;
		return CLI_OK;
	case OPT_PREFIX:
		if (strlen(arg) > 16 || strspn(arg, "abcdefghijklmnopqrstuvwxyz"
				"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen(arg))
			return usage_error("invalid prefix '%s' for --prefix "
					   "(expected a C identifier prefix)", arg);
		o->prefix = arg;
		return CLI_OK;
	case OPT_MIN_SIZE:
		if (parse_u64(arg, 0, UINT64_MAX, &o->min_size))
			return usage_error("invalid size '%s' for --min-size "
					   "(expected bytes)", arg);
		return CLI_OK;
	case OPT_MIN_AGE:
		if (strcmp(arg, "0") && parse_seconds(arg, 31536000, &o->min_age))
			return usage_error("invalid age '%s' for --min-age "
					   "(expected seconds)", arg);
		return CLI_OK;
	case OPT_SAMPLE:
		for (i = 0; i < 4; i++)
			if (!strcmp(arg, mem_sample_names[i]))
				break;
		if (i == 4)
			return usage_error("unknown sample type '%s' for --sample "
					   "(expected alloc_space, alloc_objects, "
					   "inuse_space or inuse_objects)", arg);
		o->sample = i;
		return CLI_OK;
	case OPT_FREE_LATENCY:
		o->free_latency = true;
		return CLI_OK;
	case OPT_LIVE_MAP_SIZE:
		return parse_size(arg, "--live-map-size", 1 << 26, &o->live_map_size);
	case OPT_SITES_MAP_SIZE:
		return parse_size(arg, "--sites-map-size", 1 << 24, &o->sites_map_size);
	case OPT_STACK_MAP_SIZE:
		return parse_size(arg, "--stack-map-size", 1 << 24, &o->stack_map_size);
	}
	return parse_stack_opt(c, arg, &o->s);
}

enum cli_result cli_parse_mem(int argc, char **argv, struct mem_opts *o)
{
	static const struct mode_spec spec = {
		.shortopts = "i:",
		.longopts = mem_long,
		.nlong = sizeof(mem_long) / sizeof(mem_long[0]),
		.parse = parse_mem_opt,
		.usage = cli_usage_mem,
	};
	enum cli_result r;

	memset(o, 0, sizeof(*o));
	o->sample = MEM_SAMPLE_INUSE_SPACE;
	o->live_map_size = MEM_DEFAULT_LIVE_MAP_SIZE;
	o->sites_map_size = MEM_DEFAULT_SITES_MAP_SIZE;
	o->stack_map_size = CPU_DEFAULT_STACK_MAP_SIZE;
	o->s.unwind = UNWIND_MODE_AUTO;
	o->s.unwind_max_mb = UNWIND_DEFAULT_MAX_MB;
	r = parse_args(argc, argv, &o->c, &spec, o);
	if (r == CLI_OK && !o->c.npids && !o->c.command)
		return usage_error("%smem needs a target: -p PID or -- COMMAND", "");
	return r;
}

/* ---- lat ------------------------------------------------------------- */

static enum cli_result parse_lat_opt(int c, const char *arg, void *mode)
{
	struct lat_opts *o = mode;
	struct lat_pattern p;
	const char *why;
	char msg[320];

	switch (c) {
	case 1:
		if (o->npatterns == LAT_MAX_PATTERNS)
			return usage_error("too many PATTERNs at '%s' (at most "
					   "64: combine them into globs)", arg);
		if (lat_pattern__parse(arg, &p, &why)) {
			snprintf(msg, sizeof(msg), "invalid PATTERN '%.200s': %s "
				 "(expected [MODULE:]GLOB)", arg, why);
			return usage_error("%s", msg);
		}
		lat_pattern__free(&p);
		o->patterns[o->npatterns++] = arg;
		return CLI_OK;
	case 'i':
		if (parse_seconds(arg, 86400, &o->interval))
			return usage_error("invalid interval '%s' for -i "
					   "(expected seconds > 0)", arg);
		return CLI_OK;
	case OPT_LAT_HIST:
		o->hist = true;
		return CLI_OK;
	case OPT_LAT_COUNT_ONLY:
		o->count_only = true;
		return CLI_OK;
	case OPT_LAT_MAX_PROBES:
		if (parse_u64(arg, 1, LAT_MAX_PROBES_LIMIT, &o->max_probes))
			return usage_error("invalid count '%s' for --max-probes "
					   "(expected 1..20000)", arg);
		return CLI_OK;
	}
	return CLI_EXIT_OK;
}

enum cli_result cli_parse_lat(int argc, char **argv, struct lat_opts *o)
{
	static const struct mode_spec spec = {
		.shortopts = "i:",
		.longopts = lat_long,
		.nlong = sizeof(lat_long) / sizeof(lat_long[0]),
		.parse = parse_lat_opt,
		.usage = cli_usage_lat,
		.operands = true,
	};
	static const char *const foreign[] = {
		"--folded", "--svg", "--pprof", "--speedscope", "--lines",
		"--icicle", "--no-inline", "--debug-dir",
	};
	enum cli_result r;
	bool given[8];
	int i;

	memset(o, 0, sizeof(*o));
	o->max_probes = LAT_DEFAULT_MAX_PROBES;
	r = parse_args(argc, argv, &o->c, &spec, o);
	if (r != CLI_OK)
		return r;
	/* --json (or --output F.json) is lat's own report (docs/lat.md),
	 * not a profile for the shared renderers. */
	o->json = o->c.out.path[OUT_JSON];
	o->c.out.path[OUT_JSON] = NULL;
	/* Shared options that mean nothing here: no stacks, no addresses. */
	given[0] = o->c.out.path[OUT_FOLDED] != NULL;
	given[1] = o->c.out.path[OUT_SVG] != NULL;
	given[2] = o->c.out.path[OUT_PPROF] != NULL;
	given[3] = o->c.out.path[OUT_SPEEDSCOPE] != NULL;
	given[4] = o->c.out.lines;
	given[5] = o->c.out.icicle;
	given[6] = o->c.no_inline;
	given[7] = o->c.debug_dirs;
	for (i = 0; i < 8; i++)
		if (given[i])
			return usage_error("option %s does not apply to lat "
					   "(it records no stacks)", foreign[i]);
	if (o->hist && o->count_only)
		return usage_error("%s--hist needs timing: not with --count-only", "");
	if (!o->c.npids && !o->c.command)
		return usage_error("%slat needs a target: -p PID or -- COMMAND", "");
	if (!o->npatterns)
		return usage_error("%slat needs a PATTERN, e.g. 'parse_*' or "
				   "'libc:malloc'", "");
	return CLI_OK;
}
