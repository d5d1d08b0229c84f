/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The set of processes a run follows, and the programs that keep it current:
 * children forked by a target join the set, exec'ing targets tell userspace to
 * re-read their mappings.  Shared by every mode that filters by process.
 */
#ifndef PROFILER_TARGETS_BPF_H
#define PROFILER_TARGETS_BPF_H

#include "stats.bpf.h"

/* Set by the loader: 0 = system wide, 1 = only tgids in "targets". */
const volatile bool filter_targets = false;

/* tgid -> 1.  Filled by the loader with -p PIDs (or the COMMAND's pid). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PROF_MAX_TARGETS);
	__type(key, __u32);
	__type(value, __u8);
} targets SEC(".maps");

/* tgids already announced to userspace with EVENT_NEW_PROCESS. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PROF_MAX_TARGETS);
	__type(key, __u32);
	__type(value, __u8);
} seen SEC(".maps");

/* Rare notifications only (enum prof_event_kind): never one per sample. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

static __always_inline bool is_target(__u32 tgid)
{
	if (!filter_targets)
		return true;
	return bpf_map_lookup_elem(&targets, &tgid) != NULL;
}

static __always_inline void send_event(__u32 kind, __u32 tgid)
{
	struct prof_event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		inc_stat(STAT_EVENTS_LOST);
		return;
	}
	e->kind = kind;
	e->tgid = tgid;
	bpf_ringbuf_submit(e, 0);
}

/* First sample of a process: userspace snapshots its mappings right away. */
static __always_inline void note_process(__u32 tgid)
{
	__u8 one = 1;

	if (bpf_map_lookup_elem(&seen, &tgid))
		return;
	if (bpf_map_update_elem(&seen, &tgid, &one, BPF_NOEXIST) == 0)
		send_event(EVENT_NEW_PROCESS, tgid);
}

/* A new process (not a thread) forked by a target becomes a target too. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(prof_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	__u8 one = 1;

	if (!filter_targets || ptgid == ctgid)
		return 0;
	if (!bpf_map_lookup_elem(&targets, &ptgid))
		return 0;
	if (bpf_map_update_elem(&targets, &ctgid, &one, BPF_ANY))
		inc_stat(STAT_TARGETS_FULL);
	return 0;
}

/*
 * After exec the old mappings are gone.  Forget the process so that its next
 * sample announces it again, by which time the new image and (usually) its
 * libraries are mapped.
 */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(prof_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);

	if (is_target(tgid))
		bpf_map_delete_elem(&seen, &tgid);
	return 0;
}

#endif
