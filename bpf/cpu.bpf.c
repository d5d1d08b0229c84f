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
#include "targets.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader from -U / -K. */
const volatile bool collect_user = true;
const volatile bool collect_kernel = true;

/* Stack id -> PROF_MAX_STACK_DEPTH ips; max_entries from --stack-map-size. */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, CPU_DEFAULT_STACK_MAP_SIZE);
	__type(key, __u32);
	__uint(value_size, PROF_MAX_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

/* struct cpu_key -> samples; max_entries from --counts-map-size. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CPU_DEFAULT_COUNTS_MAP_SIZE);
	__type(key, struct cpu_key);
	__type(value, __u64);
} counts SEC(".maps");

/* Map a failed bpf_get_stackid() onto the stat that explains it. */
static __always_inline void count_stack_error(long err, bool user)
{
	if (err == -EEXIST)
		inc_stat(user ? STAT_USTACK_COLLISION : STAT_KSTACK_COLLISION);
	else if (err == -ENOMEM)
		inc_stat(user ? STAT_USTACK_FULL : STAT_KSTACK_FULL);
	else
		inc_stat(user ? STAT_USTACK_FAULT : STAT_KSTACK_FAULT);
}

SEC("perf_event")
int cpu_sample(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct cpu_key key = {};
	struct task_struct *task;
	__u64 one = 1, *val;
	long ret;

	/* tgid 0 is the idle task: never anyone's CPU time. */
	if (tgid == 0 || !is_target(tgid))
		return 0;
	inc_stat(STAT_SAMPLES);
	note_process(tgid);

	key.tgid = tgid;
	key.user_stack_id = -1;
	key.kern_stack_id = -1;
	bpf_get_current_comm(key.comm, sizeof(key.comm));

	/* Kernel threads have no user stack: don't count that as a fault. */
	task = (struct task_struct *)bpf_get_current_task_btf();
	if (collect_user && !(BPF_CORE_READ(task, flags) & PF_KTHREAD)) {
		/* A negative id keeps the error so the loader can show the
		 * sample as "[user stack lost]" instead of dropping it. */
		ret = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
		key.user_stack_id = ret;
		if (ret < 0)
			count_stack_error(ret, true);
	}
	/* -EFAULT here just means the sample hit user mode: no kernel stack. */
	if (collect_kernel) {
		ret = bpf_get_stackid(ctx, &stacks, 0);
		if (ret >= 0) {
			key.kern_stack_id = ret;
		} else if (ret != -EFAULT) {
			key.kern_stack_id = ret;
			count_stack_error(ret, false);
		}
	}

	val = bpf_map_lookup_elem(&counts, &key);
	if (val) {
		__sync_fetch_and_add(val, 1);
		return 0;
	}
	if (bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST)) {
		/* Raced with another CPU inserting the same key? */
		val = bpf_map_lookup_elem(&counts, &key);
		if (val)
			__sync_fetch_and_add(val, 1);
		else
			inc_stat(STAT_COUNTS_FULL);
	}
	return 0;
}
