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

/* tgid -> its state.  Filled by the loader with -p PIDs (or the
 * COMMAND's pid); forked children join. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PROF_MAX_TARGETS);
	__type(key, __u32);
	__type(value, struct proc_state);
} targets SEC(".maps");

/* tgid -> its state, for processes not in "targets": every process when
 * system wide, the wakers of targets otherwise.  An evicted entry costs a
 * second announcement (userspace reads the maps again). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PROF_MAX_TARGETS);
	__type(key, __u32);
	__type(value, struct proc_state);
} procs SEC(".maps");

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

/* tgid's entry in procs, made if missing; NULL if the map refuses. */
static __always_inline struct proc_state *procs_entry(__u32 tgid)
{
	struct proc_state *st, zero = {};

	st = bpf_map_lookup_elem(&procs, &tgid);
	if (st)
		return st;
	bpf_map_update_elem(&procs, &tgid, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&procs, &tgid);
}

/* The state of tgid if the run follows it, else NULL: one lookup for the
 * filter, the exec generation and the announcement. */
static __always_inline struct proc_state *target_state(__u32 tgid)
{
	if (filter_targets)
		return bpf_map_lookup_elem(&targets, &tgid);
	return procs_entry(tgid);
}

/* The state of any process (a target's waker may be none). */
static __always_inline struct proc_state *any_state(__u32 tgid)
{
	struct proc_state *st = NULL;

	if (filter_targets)
		st = bpf_map_lookup_elem(&targets, &tgid);
	return st ? st : procs_entry(tgid);
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
 * A sample of the process whose state is st: its exec generation.  The
 * first sample of a process (or of its image after an exec) announces it:
 * userspace snapshots its mappings right away.  Two CPUs may both
 * announce it; userspace takes the second as the same process.
 */
static __always_inline __u32 note_process(__u32 tgid, struct proc_state *st)
{
	__u32 gen;

	if (!st)
		return 0;
	gen = st->gen;
	if (!st->announced) {
		st->announced = 1;
		send_event(EVENT_NEW_PROCESS, tgid, gen);
	}
	return gen;
}

/* A new process (not a thread) forked by a target becomes a target too. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(prof_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	struct proc_state st = {};

	if (!filter_targets || ptgid == ctgid)
		return 0;
	if (!bpf_map_lookup_elem(&targets, &ptgid))
		return 0;
	if (bpf_map_update_elem(&targets, &ctgid, &st, BPF_ANY))
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
	bpf_map_delete_elem(&procs, &tgid);
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
	struct proc_state *st = target_state(tgid);

	if (!st)
		return 0;
	__sync_fetch_and_add(&st->gen, 1);
	st->announced = 0;
	return 0;
}

#endif
