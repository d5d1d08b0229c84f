/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What this machine offers the profiler; shared by every mode and `check`. */
#ifndef PROFILER_SYSINFO_H
#define PROFILER_SYSINFO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* True when running as root or with both CAP_BPF and CAP_PERFMON. */
bool sys_has_bpf_privileges(void);
/* True when the kernel exposes its BTF (needed for CO-RE). */
bool sys_has_btf(void);
/*
 * The online CPUs as a bool array of *n entries (possible CPUs), so
 * that holes in the online set are kept.  NULL with errno on failure.
 */
bool *sys_online_cpus(int *n);
/* 0 if pid exists (even if not ours), -ESRCH if not, other -errno. */
int sys_process_exists(pid_t pid);
/* The process (thread group) a thread id belongs to; -1 if unknown. */
pid_t sys_tgid_of(pid_t pid);
/* 1 if pid is a kernel thread, 0 if not, -errno if unknown (e.g. gone);
 * name (size len) receives its name either way when known. */
int sys_is_kernel_thread(pid_t pid, char *name, size_t len);
/* The process's name (its comm, as /proc/PID/stat gives it), cut to len;
 * 0 or -errno (name then ""). */
int sys_comm(pid_t pid, char *name, size_t len);
/* CPU time of the whole process so far (user + system, clock-tick grain). */
int sys_cpu_time_ns(pid_t pid, uint64_t *ns);
/* VmRSS of pid in bytes (/proc/PID/status), 0 if unknown. */
uint64_t sys_rss_bytes(pid_t pid);
/* The thread ids of process pid (/proc/PID/task) into a new array *tids
 * (free it); how many, or -errno (-ENOENT: gone). */
int sys_thread_ids(pid_t pid, pid_t **tids);
/* pidfd_open(2); -errno on failure. */
int sys_pidfd_open(pid_t pid);

#endif
