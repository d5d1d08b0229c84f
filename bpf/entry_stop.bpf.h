/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The COMMAND of a uprobe mode, stopped where its libraries are mapped: the
 * loader attaches entry_stop at the executable's entry point
 * (user/probes/entry_point.c), the program stops the process and sends its pid on
 * entry_events; the loader resolves and attaches its probes, then sends
 * SIGCONT.  Include once per BPF object.
 */
#ifndef PROFILER_ENTRY_STOP_BPF_H
#define PROFILER_ENTRY_STOP_BPF_H

#include "kdefs.bpf.h"

/* Rare events only: one per COMMAND. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} entry_events SEC(".maps");

SEC("uprobe")
int entry_stop(struct pt_regs *ctx)
{
	__u32 *e = bpf_ringbuf_reserve(&entry_events, sizeof(*e), 0);

	if (e) {
		*e = bpf_get_current_pid_tgid() >> 32;
		bpf_ringbuf_submit(e, 0);
	}
	bpf_send_signal(SIGSTOP);
	return 0;
}

#endif
