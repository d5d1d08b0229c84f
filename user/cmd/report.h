/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Commands on saved profiles, no BPF and no privileges needed.  Each returns
 * the exit status: 0 ok, 1 runtime failure, 2 usage error, and for diff 3
 * when --fail-above is exceeded.
 */
#ifndef PROFILER_REPORT_H
#define PROFILER_REPORT_H

/* Exit status of `profiler diff --fail-above` when a share grew too much. */
#define EXIT_DIFF_ABOVE	3

/* `profiler report FILE [outputs]`: re-render a pprof or folded file
 * (user/cmd/report.c). */
int cmd_report(int argc, char **argv);
/* `profiler diff BASE NEW`: what grew and shrank between two profiles
 * (user/cmd/diff.c). */
int cmd_diff(int argc, char **argv);

#endif
