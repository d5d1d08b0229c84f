/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Entry points of the commands main() dispatches to; each returns the exit
 * status (0 ok, 1 runtime failure, 2 usage error, or a COMMAND's status). */
#ifndef PROFILER_COMMANDS_H
#define PROFILER_COMMANDS_H

/* `profiler [cpu] ...`: CPU sampling (user/modes/cpu.c). */
int cmd_cpu(int argc, char **argv);
/* `profiler mem ...`: allocation profiling (user/modes/mem.c). */
int cmd_mem(int argc, char **argv);
/* `profiler lat ...`: function latency (user/modes/lat.c). */
int cmd_lat(int argc, char **argv);
/* `profiler offcpu ...`: where threads wait (user/modes/offcpu.c). */
int cmd_offcpu(int argc, char **argv);
/* `profiler wall ...`: on- and off-CPU time per thread (user/modes/offcpu.c). */
int cmd_wall(int argc, char **argv);
/* `profiler serve ...`: cpu sampling served over HTTP (user/modes/serve.c). */
int cmd_serve(int argc, char **argv);
/* `profiler top ...`: a live view of CPU time (user/modes/top.c). */
int cmd_top(int argc, char **argv);
/* `profiler check`: can this machine run the profiler? (user/cmd/check.c) */
int cmd_check(int argc, char **argv);

#endif
