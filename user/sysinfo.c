// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "parse.h"
#include "sysinfo.h"

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
