/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Stack collection shared by the modes: walk a stack with bpf_get_stack()
 * into a per-CPU buffer and store it once in "stacks" under its 64-bit hash
 * (include/stack.h says why not BPF_MAP_TYPE_STACK_TRACE).
 */
#ifndef PROFILER_STACKS_BPF_H
#define PROFILER_STACKS_BPF_H

#include "stack.h"
#include "stats.bpf.h"

/* One walk buffer per CPU: too big for the 512-byte BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stack_trace);
} stack_scratch SEC(".maps");

/* hash -> ips; max_entries set by the loader (--stack-map-size). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct stack_trace);
} stacks SEC(".maps");

/*
 * Collect the current user (user=true) or kernel stack.  Returns its key in
 * "stacks", or 0 with *err set: 0 when there is no such stack (a kernel stack
 * for a sample in user mode), -errno when it was lost (and counted).
 */
static __always_inline __u64 collect_stack(void *ctx, bool user, __s32 *err)
{
	struct stack_trace *st;
	__u32 zero = 0;
	long n, ret;
	__u64 h;

	*err = 0;
	st = bpf_map_lookup_elem(&stack_scratch, &zero);
	if (!st)
		return 0;
	n = bpf_get_stack(ctx, st->ips, sizeof(st->ips),
			  user ? BPF_F_USER_STACK : 0);
	if (n <= 0) {
		/* No kernel stack in user mode: not a loss. */
		if (!user)
			return 0;
		*err = n ? n : -EFAULT;
		inc_stat(STAT_USTACK_FAULT);
		return 0;
	}
	st->depth = n / sizeof(__u64);
	st->pad = 0;
	h = stack_hash(st->ips, st->depth);
	if (bpf_map_lookup_elem(&stacks, &h))
		return h;
	ret = bpf_map_update_elem(&stacks, &h, st, BPF_NOEXIST);
	/* -EEXIST: another CPU stored the same stack just now. */
	if (ret && ret != -EEXIST) {
		*err = ret;
		inc_stat(user ? STAT_USTACK_FULL : STAT_KSTACK_FULL);
		return 0;
	}
	return h;
}

#endif
