// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "probes/bpfutil.h"
#include "modes/cpu_mode.h"
#include "lib/parse.h"
#include "run/cli.h"
#include "commands.h"
#include "cpu.h"
#include "section_time.h"
#include "cpu.skel.h"
#include "run/session.h"
#include "lib/log.h"
#include "modes/losses.h"
#include "run/outputs.h"
#include "model/profile.h"
#include "render/render.h"
#include "symbols/symbolize.h"
#include "run/sysinfo.h"
#include "lib/textsafe.h"
#include "modes/stackrun.h"
#include "modes/unwinder.h"

/* Everything a run holds; released in one place (run_free). */
struct run {
	struct cpu_opts o;
	struct session sess;
	struct cpu_bpf *skel;
	struct stack_run sr;	/* symbolizer, unwinder, their events */
	struct profile *prof;
	struct outputs out;	/* every output file, opened before profiling */
	uint64_t *cpu_start;	/* per -p target: its CPU time at the start */
	bool time_sections;	/* PROFILER_TIME_SECTIONS: time the program's parts */
};

static int load_bpf(struct run *r)
{
	struct cpu_bpf *skel;
	int err;

	skel = cpu_bpf__open();
	if (!skel) {
		p_err("cannot open the BPF object: %s", strerror(errno));
		return -1;
	}
	r->skel = skel;
	skel->rodata->filter_targets = r->sess.ntargets > 0;
	skel->rodata->collect_user = !r->o.kernel_only;
	skel->rodata->collect_kernel = !r->o.user_only;
	skel->rodata->unwind_mode = r->o.s.unwind;
	/* A developer's measurement, kept out of the options: the verifier
	 * removes the timing unless it is asked for. */
	r->time_sections = getenv("PROFILER_TIME_SECTIONS") != NULL;
	skel->rodata->time_sections = r->time_sections;
	bpf_map__set_max_entries(skel->maps.stacks, r->o.stack_map_size);
	bpf_map__set_max_entries(skel->maps.counts, r->o.counts_map_size);

	err = cpu_bpf__load(skel);
	if (err) {
		report_load_error(err);
		return -1;
	}
	return 0;
}

/* Turn the kernel's counts into profile samples. */
static int drain_counts(struct run *r)
{
	int counts_fd = bpf_map__fd(r->skel->maps.counts);
	/* The kernel part, then the user part. */
	uint32_t locs[2 * STACK_RUN_MAX_LOCS + 1];
	int64_t period = 1000000000LL / r->o.freq;
	struct cpu_key key, next, *prev = NULL;
	char comm[PROF_COMM_LEN + 1];

	while (bpf_map_get_next_key(counts_fd, prev, &next) == 0) {
		uint32_t nlocs, i;
		__u64 count;
		int64_t values[2];

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(counts_fd, &key, &count))
			continue;
		/* locs are leaf first: the kernel part first. */
		nlocs = stack_run__kernel(&r->sr, r->prof, key.kern_stack,
					  key.kern_err, locs);
		nlocs += stack_run__user(&r->sr, r->prof, key.tgid, key.gen,
					 key.user_stack, key.user_err, locs + nlocs);
		if (nlocs == 0 && r->o.kernel_only)
			locs[nlocs++] = profile__pseudo_location(r->prof, "[user mode]");
		for (i = 0; i < nlocs; i++) {
			if (!locs[i]) {
				p_err("out of memory while building the profile");
				return -1;
			}
		}
		memcpy(comm, key.comm, PROF_COMM_LEN);
		comm[PROF_COMM_LEN] = '\0';
		values[0] = count;
		values[1] = count * period;
		if (profile__add_sample(r->prof, locs, nlocs, key.tgid, comm, values)) {
			p_err("out of memory while building the profile");
			return -1;
		}
	}
	return 0;
}

static const char *const section_names[SECT__MAX] = {
	[SECT_EMPTY] = "(one mark, subtracted below)",
	[SECT_FILTER] = "filter: target state (one entry), comm",
	[SECT_USER_SETUP] = "user: scratch, trampoline, regs, unwind_procs",
	[SECT_USER_FP] = "user: bpf_get_stack (frame pointers)",
	[SECT_WALK_LOOKUP] = "user walk: mapping, page, shard, row",
	[SECT_WALK_READ] = "user walk: stack reads",
	[SECT_WALK_OTHER] = "user walk: the rest, bpf_loop",
	[SECT_USER_HASH] = "user: stack_hash",
	[SECT_USER_STORE] = "user: stacks lookup/insert",
	[SECT_KERN_STACK] = "kernel: bpf_get_stack",
	[SECT_KERN_HASH] = "kernel: stack_hash",
	[SECT_KERN_STORE] = "kernel: stacks lookup/insert",
	[SECT_COUNTS] = "counts update",
};

/*
 * PROFILER_TIME_SECTIONS: ns per sample in each part of cpu_sample, on
 * stderr.  Each mark's own cost (a clock read, measured by an empty
 * section) is taken off the section it ends.
 */
static void print_section_times(struct run *r)
{
	int ncpus = libbpf_num_possible_cpus(), c, i;
	struct section_times *v, sum = {};
	double mark, n;
	__u32 zero = 0;

	if (ncpus <= 0)
		return;
	v = calloc(ncpus, sizeof(*v));
	if (!v)
		return;
	if (bpf_map_lookup_elem(bpf_map__fd(r->skel->maps.section_times),
				&zero, v)) {
		free(v);
		return;
	}
	for (c = 0; c < ncpus; c++) {
		sum.total += v[c].total;
		sum.samples += v[c].samples;
		for (i = 0; i < SECT__MAX; i++) {
			sum.ns[i] += v[c].ns[i];
			sum.marks[i] += v[c].marks[i];
		}
	}
	free(v);
	if (!sum.samples || !sum.marks[SECT_EMPTY])
		return;
	n = sum.samples;
	mark = (double)sum.ns[SECT_EMPTY] / sum.marks[SECT_EMPTY];
	fprintf(stderr, "section times over %llu samples (ns per sample; "
		"one mark costs %.1f ns):\n", (unsigned long long)sum.samples, mark);
	fprintf(stderr, "  %-48s %8s %8s %8s\n", "section", "marks", "raw", "net");
	for (i = 1; i < SECT__MAX; i++) {
		if (!sum.marks[i])
			continue;
		fprintf(stderr, "  %-48s %8.1f %8.1f %8.1f\n", section_names[i],
			sum.marks[i] / n, sum.ns[i] / n,
			(sum.ns[i] - mark * sum.marks[i]) / n);
	}
	for (i = 0, c = 0; i < SECT__MAX; i++)
		c += sum.marks[i];
	fprintf(stderr, "  %-48s %8.1f %8.1f %8.1f\n", "total, first to last mark",
		c / n, sum.total / n, (sum.total - mark * c) / n);
}

static int record_losses(struct run *r)
{
	uint64_t totals[STAT__MAX];

	stats_read(bpf_map__fd(r->skel->maps.stats), totals);
	return stats_add_losses(r->prof, totals);
}

static int build_profile(struct run *r)
{
	struct timespec now;
	char title[256];
	int len;

	r->prof = profile__new();
	if (!r->prof || profile__add_type(r->prof, "samples", "count") < 0 ||
	    profile__add_type(r->prof, "cpu", "nanoseconds") < 0)
		goto oom;
	r->prof->period_type = r->prof->types[1];
	r->prof->period = 1000000000LL / r->o.freq;
	r->prof->duration_ns = session__duration_ns(&r->sess);
	/* Wall clock when sampling started (the run ended just now). */
	clock_gettime(CLOCK_REALTIME, &now);
	r->prof->time_ns = now.tv_sec * 1000000000LL + now.tv_nsec -
			   r->prof->duration_ns;

	len = snprintf(title, sizeof(title), "profiler cpu: %s at %llu Hz, ",
		       r->o.event, (unsigned long long)r->o.freq);
	session__describe(&r->sess, title + len, sizeof(title) - len);
	if (profile__str(r->prof, title) < 0)
		goto oom;
	r->prof->title = profile__str(r->prof, title);
	r->prof->mode = profile__str(r->prof, "cpu");
	if (record_losses(r))
		goto oom;
	if (drain_counts(r))
		return -1;
	if (stack_run__add_unnamed(&r->sr, r->prof))
		goto oom;
	return 0;
oom:
	p_err("out of memory while building the profile");
	return -1;
}

/*
 * Write the output files (opened at start) and print the summary.  A failure
 * to write a file still prints the summary: what was collected is shown.
 */
/*
 * No samples of a -p target: say why, from its CPU time during the run (a
 * sleeping process, or one that ran less than a sample period).
 */
static void explain_no_samples(struct run *r)
{
	char name[64], safe[256];
	uint64_t now;
	double ms, period_ms = 1000.0 / r->o.freq;
	int i, kt;

	if (!r->cpu_start || profile__total(r->prof, 0))
		return;
	for (i = 0; i < r->o.c.npids; i++) {
		pid_t pid = r->o.c.pids[i];

		kt = sys_is_kernel_thread(pid, name, sizeof(name));
		if (kt < 0 || sys_cpu_time_ns(pid, &now)) {
			printf("process %d exited during the run\n", (int)pid);
			continue;
		}
		ms = now > r->cpu_start[i] ? (now - r->cpu_start[i]) / 1e6 : 0;
		printf("process %d (%s%s) ran %.0f ms on a CPU during the run%s\n",
		       (int)pid, text_safe(name, safe, sizeof(safe)),
		       kt ? ", a kernel thread" : "", ms,
		       ms < period_ms ? ": cpu-clock counts time spent running, and "
		       "it spent the run waiting (raise -d or -F to catch short "
		       "bursts)" : "");
	}
}

static int write_outputs(struct run *r)
{
	int err = 0, ferr;

	ferr = outputs__write(&r->out, r->prof);
	if (log_level >= LOG_NORMAL) {
		err = render_table(r->prof, 0, (int)r->o.c.top, stdout);
		explain_no_samples(r);
		if (r->sess.stop_reason)
			printf("\nstopped: %s\n", r->sess.stop_reason);
		outputs__report(&r->out, stdout);
		fflush(stdout);
	}
	return err || ferr ? -1 : 0;
}

static void run_free(struct run *r)
{
	free(r->cpu_start);
	stack_run__free(&r->sr);
	cpu_bpf__destroy(r->skel);
	profile__free(r->prof);
	outputs__abort(&r->out);
	session__free(&r->sess);
	cpu_free_opts(&r->o);
}

int cmd_cpu(int argc, char **argv)
{
	struct run r = {};
	struct session_hooks hooks = {};
	int status = EXIT_RUNTIME, i;

	r.sess.sigfd = r.sess.timerfd = r.sess.intervalfd = -1;
	status = cli_exit_status(cpu_parse_args(argc, argv, &r.o));
	if (status >= 0) {
		cpu_free_opts(&r.o);
		return status;
	}
	status = EXIT_RUNTIME;
	log_level = r.o.c.verbosity;
	log_setup_libbpf();

	if (session__init(&r.sess, &r.o.c, NULL))
		goto out;
	/* A bad output path fails now, not after an hour of profiling. */
	if (outputs__open(&r.out, &r.o.c.out))
		goto out;
	if (load_bpf(&r) ||
	    stack_run__open(&r.sr, r.skel->obj, &r.sess, &r.o.c, &r.o.s) ||
	    stack_run__follow(&r.sr, r.skel->maps.targets))
		goto out;
	/* Snapshot -p targets now: they may exit before their first sample.
	 * Their unwind tables too, so that the first samples are whole. */
	stack_run__add_pids(&r.sr, r.o.c.pids, r.o.c.npids);
	if (cpu_bpf__attach(r.skel)) {
		p_err("cannot attach the process-tracking programs: %s",
		      strerror(errno));
		goto out;
	}
	r.sr.per_cpu = r.o.per_cpu;
	if (stack_run__sample(&r.sr, r.skel->progs.cpu_sample, r.o.freq,
			      !strcmp(r.o.event, "cycles")) ||
	    session__start(&r.sess, 0))
		goto out;
	r.cpu_start = calloc(r.o.c.npids ? r.o.c.npids : 1, sizeof(*r.cpu_start));
	for (i = 0; r.cpu_start && i < r.o.c.npids; i++)
		sys_cpu_time_ns(r.o.c.pids[i], &r.cpu_start[i]);
	if (!r.o.c.command)
		p_info("profiling %s at %llu Hz%s",
		       r.o.c.npids ? "the given processes" : "the whole system",
		       (unsigned long long)r.o.freq,
		       r.o.c.duration > 0 ? "" : "; Ctrl-C to stop");

	stack_run__hooks(&r.sr, &hooks);
	session__loop(&r.sess, &hooks);

	/* Freeze the counts, then collect what's left of the notifications. */
	stack_run__stop_sampling(&r.sr);
	if (r.time_sections)
		print_section_times(&r);
	session__end(&r.sess);
	stack_run__finish(&r.sr);
	if (build_profile(&r) || write_outputs(&r))
		goto out;
	status = session__exit_status(&r.sess);
out:
	run_free(&r);
	return status;
}

/* ---- options --------------------------------------------------------- */

enum {
	CPU_OPT_STACK_MAP_SIZE = CLI_OPT_MODE,
	CPU_OPT_COUNTS_MAP_SIZE,
	CPU_OPT_EVENT,
	CPU_OPT_PER_CPU,
};

static const struct option cpu_long[] = {
	{ "frequency",		required_argument, NULL, 'F' },
	{ "user-only",		no_argument,	   NULL, 'U' },
	{ "kernel-only",	no_argument,	   NULL, 'K' },
	{ "stack-map-size",	required_argument, NULL, CPU_OPT_STACK_MAP_SIZE },
	{ "counts-map-size",	required_argument, NULL, CPU_OPT_COUNTS_MAP_SIZE },
	{ "event",		required_argument, NULL, CPU_OPT_EVENT },
	{ "per-cpu",		no_argument,	   NULL, CPU_OPT_PER_CPU },
	STACK_LONG_OPTIONS,
};

void cpu_usage(FILE *out)
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
"      --per-cpu             with -p or COMMAND: sample every CPU and keep\n"
"                            the targets' samples, to see processes that run\n"
"                            less than a sample period (every process on the\n"
"                            machine then takes the interrupts); default: an\n"
"                            event per target thread, as perf record -p\n"
"  -U, --user-only           collect user stacks only\n"
"  -K, --kernel-only         collect kernel stacks only\n"
"      --stack-map-size N    distinct stacks kept in the kernel (default %d)\n"
"      --counts-map-size N   distinct (process, stack) pairs counted\n"
"                            (default %d)\n"
"\n"
"Output:\n"
"      --top N               functions in each summary table (default 10)\n",
		CPU_DEFAULT_STACK_MAP_SIZE, CPU_DEFAULT_COUNTS_MAP_SIZE);
	stack_opts__usage(out);
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
"  offcpu                    where threads wait (profiler offcpu --help)\n"
"  wall                      on- and off-CPU time per thread (profiler wall --help)\n"
"  serve                     sampling served over HTTP (profiler serve --help)\n"
"  top                       a live view of CPU time (profiler top --help)\n"
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

static enum cli_result parse_cpu_opt(int c, const char *arg, void *mode)
{
	struct cpu_opts *o = mode;

	switch (c) {
	case 'F':
		return cli_parse_freq(arg, &o->freq);
	case 'U':
		o->user_only = true;
		return CLI_OK;
	case 'K':
		o->kernel_only = true;
		return CLI_OK;
	case CPU_OPT_STACK_MAP_SIZE:
		return cli_parse_size(arg, "--stack-map-size", 1 << 24, &o->stack_map_size);
	case CPU_OPT_COUNTS_MAP_SIZE:
		return cli_parse_size(arg, "--counts-map-size", 1 << 24, &o->counts_map_size);
	case CPU_OPT_EVENT:
		if (strcmp(arg, "cpu-clock") && strcmp(arg, "cycles"))
			return cli_error("unknown event '%s' for --event "
					   "(expected cpu-clock or cycles)", arg);
		o->event = arg;
		return CLI_OK;
	case CPU_OPT_PER_CPU:
		o->per_cpu = true;
		return CLI_OK;
	}
	return stack_opts__parse(c, arg, &o->s);
}

void cpu_free_opts(struct cpu_opts *o)
{
	cli_free_common(&o->c);
}

enum cli_result cpu_parse_args(int argc, char **argv, struct cpu_opts *o)
{
	static const struct cli_mode spec = {
		.groups = CLI_ALL,
		.shortopts = "F:UK",
		.longopts = cpu_long,
		.nlong = sizeof(cpu_long) / sizeof(cpu_long[0]),
		.parse = parse_cpu_opt,
		.usage = cpu_usage,
	};
	enum cli_result r;

	memset(o, 0, sizeof(*o));
	o->freq = 99;
	o->stack_map_size = CPU_DEFAULT_STACK_MAP_SIZE;
	o->counts_map_size = CPU_DEFAULT_COUNTS_MAP_SIZE;
	o->event = "cpu-clock";
	stack_opts__defaults(&o->s);
	r = cli_parse(argc, argv, &o->c, &spec, o);
	if (r == CLI_OK && o->user_only && o->kernel_only)
		return cli_error("-U and -K exclude each other");
	return r;
}
