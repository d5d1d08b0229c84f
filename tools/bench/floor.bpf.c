// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Empty uprobe programs: what a probe costs before any work of ours (the
 * floor the mem and lat modes are measured against).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("uprobe")
int empty_entry(void *ctx)
{
	return 0;
}

SEC("uretprobe")
int empty_return(void *ctx)
{
	return 0;
}
