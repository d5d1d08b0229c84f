// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Off-CPU time: at every context switch of a target thread, the thread
 * going off CPU keeps its stacks, state and the time in "starts"; when it
 * comes back on, the time in between is added to "counts" under {thread,
 * stacks, state} (and, with --wakers, the stacks of the thread that woke
 * it, kept by sched_waking).  For wall-clock profiles a perf event adds
 * on-CPU samples, each weighing its period, to the same map.  Nothing per
 * switch goes to userspace.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "kdefs.bpf.h"
#include "entry_stop.bpf.h"
#include "offcpu.h"
#include "stacks.bpf.h"
#include "targets.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader. */
const volatile bool collect_user = true;
const volatile bool collect_kernel = true;
const volatile bool track_wakers = false;
const volatile __u32 state_mask = ~0U;		/* 1 << enum offcpu_state */
const volatile __u64 min_block_ns = 0;
const volatile __u64 max_block_ns = ~0ULL;
const volatile __u64 sample_period_ns = 0;	/* wall: weight of a sample */

/* Off until a COMMAND stopped at its entry point is let go: the stop is
 * the profiler's doing, not the program's time. */
volatile bool armed = false;

/* struct offcpu_key -> time; max_entries from --counts-map-size. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OFFCPU_DEFAULT_COUNTS_MAP_SIZE);
	__type(key, struct offcpu_key);
	__type(value, struct offcpu_val);
} counts SEC(".maps");

/* thread id -> since when it is off CPU, and its key; read at the end for
 * the threads still off CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OFFCPU_DEFAULT_THREADS_MAP_SIZE);
	__type(key, __u32);
	__type(value, struct offcpu_start);
} starts SEC(".maps");

/* thread id -> who woke it last (--wakers), until it runs again. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OFFCPU_DEFAULT_THREADS_MAP_SIZE);
	__type(key, __u32);
	__type(value, struct offcpu_waker);
} wakers SEC(".maps");

/* Building a start, a waker record or a sample's key: too big for the BPF
 * stack.  One each: switches and wakeups run with interrupts off, but a
 * sample is an interrupt. */
struct scratch {
	struct offcpu_start start;
	struct offcpu_waker waker;
	struct offcpu_key sample;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

static __always_inline __u32 state_of(bool preempt, unsigned int s)
{
	if (preempt || !(s & 0xff))
		return OFFCPU_RUNNABLE;
	if ((s & TASK_UNINTERRUPTIBLE) && (s & TASK_NOLOAD))
		return OFFCPU_IDLE;
	if (s & TASK_UNINTERRUPTIBLE)
		return OFFCPU_DISK;
	if (s & TASK_INTERRUPTIBLE)
		return OFFCPU_SLEEP;
	if (s & (TASK_STOPPED | TASK_TRACED))
		return OFFCPU_STOPPED;
	return OFFCPU_OTHER;
}

/* The current thread's user and kernel stacks into the key fields. */
static __always_inline void current_stacks(void *ctx, struct task_struct *task,
					   bool user, __u64 *ustack, __s32 *uerr,
					   __u64 *kstack, __s32 *kerr)
{
	*ustack = 0;
	*uerr = 0;
	if (user && collect_user && !(BPF_CORE_READ(task, flags) & PF_KTHREAD)) {
		struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);

		*ustack = collect_user_stack(ctx, BPF_CORE_READ(regs, ip),
					     BPF_CORE_READ(regs, sp),
					     BPF_CORE_READ(regs, bp), uerr);
	}
	*kstack = 0;
	*kerr = 0;
	if (collect_kernel)
		*kstack = collect_kernel_stack(ctx, kerr);
}

static __always_inline void add_time(struct offcpu_key *key, __u64 ns)
{
	struct offcpu_val one = { .ns = ns, .count = 1 }, *v;

	v = bpf_map_lookup_elem(&counts, key);
	if (!v && bpf_map_update_elem(&counts, key, &one, BPF_NOEXIST) == 0)
		return;
	/* Another CPU inserted the same key just now? */
	if (!v)
		v = bpf_map_lookup_elem(&counts, key);
	if (!v) {
		inc_stat(STAT_COUNTS_FULL);
		return;
	}
	__sync_fetch_and_add(&v->ns, ns);
	__sync_fetch_and_add(&v->count, 1);
}

/* prev (the current thread) leaves the CPU: keep when, where and why. */
static __always_inline void switch_out(void *ctx, bool preempt,
				       struct task_struct *prev,
				       unsigned int prev_state)
{
	/* tp_btf: the task pointers are the kernel's own, read directly
	 * (cheaper than probe reads: every switch on the machine pays this). */
	__u32 tgid = prev->tgid, pid = prev->pid;
	struct offcpu_start *s;
	struct scratch *sc;
	__u32 zero = 0, state;

	if (!armed || !pid || !is_target(tgid) || (prev_state & TASK_DEAD))
		return;
	/* A waker seen before it even left is not the one that ends this. */
	if (track_wakers)
		bpf_map_delete_elem(&wakers, &pid);
	sc = bpf_map_lookup_elem(&scratch, &zero);
	if (!sc)
		return;
	s = &sc->start;
	state = state_of(preempt, prev_state);
	__builtin_memset(&s->key, 0, sizeof(s->key));
	s->key.tgid = tgid;
	s->key.pid = pid;
	s->key.state = state;
	/* Filtered out: kept without stacks, so that its return is not
	 * taken for one whose start was missed. */
	if (state_mask & (1U << state)) {
		s->key.gen = note_process(tgid, target_state(tgid));
		bpf_get_current_comm(s->key.comm, sizeof(s->key.comm));
		current_stacks(ctx, prev, true, &s->key.user_stack,
			       &s->key.user_err, &s->key.kern_stack,
			       &s->key.kern_err);
	}
	s->ts = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&starts, &pid, s, BPF_ANY))
		inc_stat(STAT_OFF_THREADS_FULL);
}

/* next comes back on the CPU: add the time it was away. */
static __always_inline void switch_in(struct task_struct *next)
{
	__u32 tgid = next->tgid, pid = next->pid;
	struct offcpu_waker *w;
	struct offcpu_start *s;
	__u64 delta;

	if (!pid || !is_target(tgid))
		return;
	s = bpf_map_lookup_elem(&starts, &pid);
	if (!s) {
		/* A new thread's first run ends no wait of its own. */
		if (next->se.sum_exec_runtime)
			inc_stat(STAT_OFF_NO_START);
		return;
	}
	delta = bpf_ktime_get_ns() - s->ts;
	if ((state_mask & (1U << (s->key.state & 31))) &&
	    delta >= min_block_ns && delta <= max_block_ns) {
		if (track_wakers) {
			w = bpf_map_lookup_elem(&wakers, &pid);
			if (w) {
				s->key.waker = *w;
				bpf_map_delete_elem(&wakers, &pid);
			}
		}
		add_time(&s->key, delta);
	}
	bpf_map_delete_elem(&starts, &pid);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(offcpu_switch, bool preempt, struct task_struct *prev,
	     struct task_struct *next, unsigned int prev_state)
{
	switch_out(ctx, preempt, prev, prev_state);
	switch_in(next);
	return 0;
}

/* The current thread wakes p: remember who, for when p runs again. */
SEC("tp_btf/sched_waking")
int BPF_PROG(offcpu_waking, struct task_struct *p)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 tgid = p->tgid, pid = p->pid;
	struct offcpu_waker *w;
	struct scratch *sc;
	__u32 zero = 0;

	if (!track_wakers || !pid || !is_target(tgid))
		return 0;
	sc = bpf_map_lookup_elem(&scratch, &zero);
	if (!sc)
		return 0;
	w = &sc->waker;
	__builtin_memset(w, 0, sizeof(*w));
	/* In an interrupt the current task is whoever it interrupted; its
	 * kernel stack says so (the loader tells by its frames' names, as
	 * the kernel gives BPF no word of it where data symbols are not in
	 * kallsyms). */
	w->seen = 1;
	w->tgid = BPF_CORE_READ(task, tgid);
	w->pid = BPF_CORE_READ(task, pid);
	if (w->tgid)
		w->gen = note_process(w->tgid, any_state(w->tgid));
	bpf_get_current_comm(w->comm, sizeof(w->comm));
	current_stacks(ctx, task, true, &w->user_stack, &w->user_err,
		       &w->kern_stack, &w->kern_err);
	if (bpf_map_update_elem(&wakers, &pid, w, BPF_ANY))
		inc_stat(STAT_OFF_WAKERS_FULL);
	return 0;
}

/* wall: a sample of a target thread on CPU, weighing its period. */
SEC("perf_event")
int wall_sample(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, zero = 0;
	struct task_struct *task;
	struct offcpu_key *k;
	struct scratch *sc;

	struct proc_state *st;

	if (!armed || tgid == 0)
		return 0;
	st = target_state(tgid);
	if (!st)
		return 0;
	inc_stat(STAT_SAMPLES);
	sc = bpf_map_lookup_elem(&scratch, &zero);
	if (!sc)
		return 0;
	k = &sc->sample;
	__builtin_memset(k, 0, sizeof(*k));
	k->tgid = tgid;
	k->pid = (__u32)id;
	k->state = OFFCPU_ON_CPU;
	k->gen = note_process(tgid, st);
	bpf_get_current_comm(k->comm, sizeof(k->comm));
	task = bpf_get_current_task_btf();
	current_stacks(ctx, task, true, &k->user_stack, &k->user_err,
		       &k->kern_stack, &k->kern_err);
	add_time(k, sample_period_ns);
	return 0;
}
