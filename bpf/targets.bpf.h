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

/*
 * tgid -> how many times it exec'd during the run (absent: 0).  Samples
 * carry it so that addresses from before an exec are named from the image
 * they ran in, not from the one that replaced it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PROF_MAX_TARGETS);
	__type(key, __u32);
	__type(value, __u32);
} execs SEC(".maps");

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

static __always_inline __u32 exec_gen(__u32 tgid)
{
	__u32 *gen = bpf_map_lookup_elem(&execs, &tgid);

	return gen ? *gen : 0;
}

static __always_inline void send_event(__u32 kind, __u32 tgid, __u32 gen)
{
	struct prof_event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		inc_stat(STAT_EVENTS_LOST);
		return;
	}
	e->kind = kind;
	e->tgid = tgid;
	e->gen = gen;
	e->pad = 0;
	bpf_ringbuf_submit(e, 0);
}

/*
 * First sample of a process (or of its image after an exec, gen): userspace
 * snapshots its mappings right away.
 */
static __always_inline void note_process(__u32 tgid, __u32 gen)
{
	__u8 one = 1;

	if (bpf_map_lookup_elem(&seen, &tgid))
		return;
	if (bpf_map_update_elem(&seen, &tgid, &one, BPF_NOEXIST) == 0)
		send_event(EVENT_NEW_PROCESS, tgid, gen);
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
 * A process that ends leaves the set: a forking server followed for hours
 * must not fill the map with the dead.  The process ends with its last
 * thread, not its leader's (main may pthread_exit while others run): the
 * kernel counts live threads down before this tracepoint.
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(prof_exit, struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);

	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;
	if (filter_targets)
		bpf_map_delete_elem(&targets, &tgid);
	bpf_map_delete_elem(&seen, &tgid);
	bpf_map_delete_elem(&execs, &tgid);
	return 0;
}

/*
 * After exec the old mappings are gone.  Count the exec (samples from now on
 * carry the new generation) and forget the process so that its next sample
 * announces it again, by which time the new image and (usually) its
 * libraries are mapped.
 */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(prof_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);

	__u32 *gen, one = 1;

	if (!is_target(tgid))
		return 0;
	gen = bpf_map_lookup_elem(&execs, &tgid);
	if (gen)
		__sync_fetch_and_add(gen, 1);
	else
		bpf_map_update_elem(&execs, &tgid, &one, BPF_ANY);
	bpf_map_delete_elem(&seen, &tgid);
	return 0;
}

#endif
