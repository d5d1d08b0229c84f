// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <unistd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "probes/bpfutil.h"
#include "lib/log.h"

int percpu_array_read(int fd, uint32_t first, uint32_t n, uint64_t *out,
		      bool max)
{
	int ncpus = libbpf_num_possible_cpus(), c;
	uint64_t *v;
	uint32_t i;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	v = calloc(ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		uint32_t key = first + i;

		out[i] = 0;
		if (bpf_map_lookup_elem(fd, &key, v))
			continue;
		for (c = 0; c < ncpus; c++) {
			if (max)
				out[i] = v[c] > out[i] ? v[c] : out[i];
			else
				out[i] += v[c];
		}
	}
	free(v);
	return 0;
}

void report_load_error(int err)
{
	/* The verifier refuses a program with EACCES too: privileges are
	 * the reason only when we lack them. */
	if (err == -EPERM || (err == -EACCES && geteuid() != 0))
		p_err("loading BPF programs was refused: needs root or "
		      "CAP_BPF and CAP_PERFMON");
	else if (err == -EACCES)
		p_err("the kernel's verifier refused the BPF programs%s",
		      log_level >= LOG_VERBOSE ? "" :
		      " (run with -v for its log)");
	else
		p_err("cannot load the BPF programs: %s%s", strerror(-err),
		      log_level >= LOG_VERBOSE ? "" :
		      " (run with -v for the verifier log)");
}

uint64_t map_count_entries(int fd, uint64_t max)
{
	__u64 key, next, *prev = NULL;
	uint64_t n = 0, steps = 0;

	while (steps++ <= max && bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		n++;
	}
	return n > max ? max : n;
}
