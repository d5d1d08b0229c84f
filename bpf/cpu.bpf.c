// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * CPU sampling: a perf event (cpu-clock by default) fires on every CPU at the
 * requested frequency; each sample of a target is counted in "counts" under
 * its {tgid, user stack, kernel stack, comm}.  Nothing per sample goes to
 * userspace: the loader drains the maps when the run ends.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "kdefs.bpf.h"
#include "cpu.h"
#include "stacks.bpf.h"
#include "targets.bpf.h"
#include "section_time.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader from -U / -K. */
const volatile bool collect_user = true;
const volatile bool collect_kernel = true;

/* struct cpu_key -> samples; max_entries from --counts-map-size. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CPU_DEFAULT_COUNTS_MAP_SIZE);
	__type(key, struct cpu_key);
	__type(value, __u64);
} counts SEC(".maps");

/*
 * The sample interrupted user mode: then it has no kernel part, and
 * bpf_get_stack would find none, yet it would still set up a callchain
 * buffer and clear ours (about 0.5 us a sample, docs/performance.md).
 * The test is the kernel's own user_mode() on the interrupted registers,
 * the ones bpf_get_stack walks.
 */
static __always_inline bool sample_in_user_mode(struct bpf_perf_event_data *ctx)
{
#if defined(__TARGET_ARCH_x86)
	/* Whole: the context refuses the narrower load the compiler
	 * would make of the low bits. */
	return *(volatile __u64 *)&ctx->regs.cs & 3;
#else
	return false;
#endif
}

/* Count one sample under key. */
static __always_inline void count_sample(struct cpu_key *key)
{
	__u64 one = 1, *val;

	val = bpf_map_lookup_elem(&counts, key);
	if (val) {
		__sync_fetch_and_add(val, 1);
		return;
	}
	if (bpf_map_update_elem(&counts, key, &one, BPF_NOEXIST)) {
		/* Raced with another CPU inserting the same key? */
		val = bpf_map_lookup_elem(&counts, key);
		if (val)
			__sync_fetch_and_add(val, 1);
		else
			inc_stat(STAT_COUNTS_FULL);
	}
}

SEC("perf_event")
int cpu_sample(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct cpu_key key = {};
	struct task_struct *task;
	struct proc_state *st;

	section_begin();
	section_mark(SECT_EMPTY);
	/* tgid 0 is the idle task: never anyone's CPU time. */
	if (tgid == 0)
		return 0;
	st = target_state(tgid);
	if (!st)
		return 0;
	inc_stat(STAT_SAMPLES);
	key.tgid = tgid;
	key.gen = note_process(tgid, st);

	bpf_get_current_comm(key.comm, sizeof(key.comm));
	section_mark(SECT_FILTER);

	/* Kernel threads have no user stack: don't count that as a fault.
	 * The user registers are where the kernel saved them on entry,
	 * whether the sample hit user or kernel mode.  Both pointers come
	 * with their types (BTF): plain loads, not a probe-read helper call
	 * each. */
	task = bpf_get_current_task_btf();
	if (collect_user && !(task->flags & PF_KTHREAD)) {
		struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);

		key.user_stack = collect_user_stack(ctx, regs->ip, regs->sp,
						    regs->bp, &key.user_err);
	}
	if (collect_kernel && !sample_in_user_mode(ctx))
		key.kern_stack = collect_kernel_stack(ctx, &key.kern_err);

	count_sample(&key);
	section_mark(SECT_COUNTS);
	section_end();
	return 0;
}
