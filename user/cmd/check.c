// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Says, requirement by requirement, whether this machine can run the
 * profiler, and what to do where it can't.  Each check tries the real thing
 * (loads the real BPF object, opens a real perf event) rather than guessing
 * from versions.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "commands.h"
#include "run/cli.h"
#include "cpu.skel.h"
#include "lib/log.h"
#include "run/sysinfo.h"

static int failed;

static void report(bool ok, const char *what, const char *fix)
{
	printf("%-4s %s%s%s\n", ok ? "ok" : "FAIL", what, ok ? "" : ": ", ok ? "" : fix);
	if (!ok)
		failed++;
}

static bool perf_event_works(__u32 type, __u64 config)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = type,
		.config = config,
		.freq = 1,
		.sample_freq = 99,
		.disabled = 1,
	};
	int fd = syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static bool tracefs_present(void)
{
	return access("/sys/kernel/tracing/events", R_OK) == 0 ||
	       access("/sys/kernel/debug/tracing/events", R_OK) == 0;
}

int cmd_check(int argc, char **argv)
{
	bool priv = sys_has_bpf_privileges();
	struct cpu_bpf *skel;
	struct utsname u;
	char line[256];

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "profiler: check takes no arguments\n");
		return EXIT_USAGE;
	}
	log_setup_libbpf();
	if (uname(&u) == 0)
		printf("     kernel %s %s\n", u.release, u.machine);

	report(priv, "privileges (root, or CAP_BPF and CAP_PERFMON)",
	       "run as root (sudo) or grant CAP_BPF and CAP_PERFMON");
	report(sys_has_btf(), "kernel BTF at /sys/kernel/btf/vmlinux",
	       "needs a kernel built with CONFIG_DEBUG_INFO_BTF=y");
	report(access("/proc/kallsyms", R_OK) == 0, "/proc/kallsyms readable",
	       "kernel frames will be unnamed; mount /proc");
	report(perf_event_works(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK),
	       "perf events (software cpu-clock)",
	       priv ? "perf_event_open refused: kernel without CONFIG_PERF_EVENTS?"
		    : "needs privileges (see above)");
	/* Optional: say so, but don't fail. */
	printf("%-4s hardware PMU (--event cycles)%s\n",
	       perf_event_works(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES) ? "ok" : "info",
	       perf_event_works(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES) ? "" :
	       ": not available, cpu-clock is used (the default)");
	report(access("/sys/bus/event_source/devices/uprobe/type", R_OK) == 0,
	       "uprobes (for the mem and lat modes)",
	       "needs a kernel with CONFIG_UPROBE_EVENTS=y");
	/* BTF tracepoints and perf-event uprobes don't need tracefs. */
	printf("%-4s tracefs%s\n", tracefs_present() ? "ok" : "info",
	       tracefs_present() ? "" : ": not mounted (not needed: the profiler "
	       "uses BTF tracepoints and perf-event uprobes)");

	/* The decisive test: load and attach the cpu program for real. */
	skel = cpu_bpf__open_and_load();
	if (!skel) {
		snprintf(line, sizeof(line), "loading failed (%s); run "
			 "'profiler -v -d 1' for the verifier log", strerror(errno));
		report(false, "BPF programs load (CO-RE, verifier)", line);
	} else {
		int err = cpu_bpf__attach(skel);

		report(true, "BPF programs load (CO-RE, verifier)", "");
		report(!err, "BPF tracepoints attach (sched fork/exec)",
		       "needs BTF-enabled tracepoints (kernel 5.5 or later)");
		cpu_bpf__destroy(skel);
	}
	printf("%s\n", failed ? "this machine cannot run the profiler: fix the "
	       "FAIL lines above" : "this machine can run the profiler");
	return failed ? EXIT_RUNTIME : 0;
}
