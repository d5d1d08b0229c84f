// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "lib/parse.h"
#include "run/sysinfo.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

bool sys_has_bpf_privileges(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {};

	if (geteuid() == 0)
		return true;
	if (syscall(SYS_capget, &hdr, data))
		return false;
	return (has_cap(data, CAP_BPF) && has_cap(data, CAP_PERFMON)) ||
	       has_cap(data, CAP_SYS_ADMIN);
}

bool sys_has_btf(void)
{
	return access("/sys/kernel/btf/vmlinux", R_OK) == 0;
}

bool *sys_online_cpus(int *n)
{
	char buf[4096];
	bool *cpus;
	FILE *f;
	int possible = libbpf_num_possible_cpus();

	if (possible <= 0) {
		errno = possible ? -possible : EINVAL;
		return NULL;
	}
	f = fopen("/sys/devices/system/cpu/online", "re");
	if (!f)
		return NULL;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	cpus = calloc(possible, sizeof(*cpus));
	if (!cpus)
		return NULL;
	if (parse_cpu_list(buf, cpus, possible) <= 0) {
		free(cpus);
		errno = EINVAL;
		return NULL;
	}
	*n = possible;
	return cpus;
}

int sys_process_exists(pid_t pid)
{
	if (kill(pid, 0) == 0 || errno == EPERM)
		return 0;
	return -errno;
}

int sys_pidfd_open(pid_t pid)
{
	int fd = syscall(SYS_pidfd_open, pid, 0);

	return fd < 0 ? -errno : fd;
}

/*
 * Read /proc/PID/stat into buf; *fields points past the process name (which
 * may hold anything, ')' and spaces included: it ends at the last ')'), and
 * name (size len) receives the name.  0 or -errno.
 */
static int read_stat(pid_t pid, char *buf, size_t size, char **fields,
		     char *name, size_t len)
{
	char path[64], *open_p, *close_p;
	ssize_t n;
	int fd;

	if (len)
		name[0] = 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = 0;
	open_p = strchr(buf, '(');
	close_p = strrchr(buf, ')');
	if (!open_p || !close_p || close_p < open_p)
		return -EIO;
	if (len) {
		size_t cl = (size_t)(close_p - open_p - 1);

		if (cl >= len)
			cl = len - 1;
		memcpy(name, open_p + 1, cl);
		name[cl] = 0;
	}
	*fields = close_p + 1;
	return 0;
}

/* Field i (0: state, the 3rd of the line) of the fields after the name. */
static int stat_field(const char *p, int i, unsigned long long *v)
{
	char *end;

	for (;;) {
		while (*p == ' ')
			p++;
		if (!*p)
			return -EIO;
		if (i-- == 0)
			break;
		while (*p && *p != ' ')
			p++;
	}
	errno = 0;
	*v = strtoull(p, &end, 10);
	return end == p || errno ? -EIO : 0;
}

int sys_is_kernel_thread(pid_t pid, char *name, size_t len)
{
	char buf[1024], *fields;
	unsigned long long flags;
	int err;

	err = read_stat(pid, buf, sizeof(buf), &fields, name, len);
	if (err)
		return err;
	/* state ppid pgrp session tty_nr tpgid flags */
	if (stat_field(fields, 6, &flags))
		return -EIO;
	return (flags & 0x00200000ULL) != 0;	/* PF_KTHREAD */
}

int sys_comm(pid_t pid, char *name, size_t len)
{
	char buf[1024], *fields;

	return read_stat(pid, buf, sizeof(buf), &fields, name, len);
}

int sys_cpu_time_ns(pid_t pid, uint64_t *ns)
{
	unsigned long long utime, stime;
	char buf[1024], *fields;
	long hz = sysconf(_SC_CLK_TCK);
	int err;

	err = read_stat(pid, buf, sizeof(buf), &fields, NULL, 0);
	if (err)
		return err;
	/* ... flags minflt cminflt majflt cmajflt utime stime */
	if (stat_field(fields, 11, &utime) || stat_field(fields, 12, &stime) ||
	    hz <= 0)
		return -EIO;
	*ns = (uint64_t)((utime + stime) * (1000000000ULL / (unsigned long long)hz));
	return 0;
}

pid_t sys_tgid_of(pid_t pid)
{
	char path[64], line[256];
	pid_t tgid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		int v;

		if (sscanf(line, "Tgid: %d", &v) == 1) {
			tgid = v;
			break;
		}
	}
	fclose(f);
	return tgid;
}

uint64_t sys_rss_bytes(pid_t pid)
{
	char path[64], line[256];
	unsigned long long kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

int sys_thread_ids(pid_t pid, pid_t **tids)
{
	char path[64];
	struct dirent *d;
	pid_t *v = NULL, *nv;
	size_t n = 0, cap = 0;
	long tid;
	char *end;
	DIR *dir;

	*tids = NULL;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		errno = 0;
		tid = strtol(d->d_name, &end, 10);
		if (errno || *end || end == d->d_name || tid <= 0 || tid > INT32_MAX)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				closedir(dir);
				return -ENOMEM;
			}
			v = nv;
		}
		v[n++] = (pid_t)tid;
	}
	closedir(dir);
	*tids = v;
	return (int)n;
}
