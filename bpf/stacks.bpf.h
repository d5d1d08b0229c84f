/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Stack collection shared by the modes: kernel stacks with bpf_get_stack(),
 * user stacks with the unwinder (unwind.bpf.h), each stored once in
 * "stacks" under its 64-bit hash (include/stack.h says why not
 * BPF_MAP_TYPE_STACK_TRACE).
 */
#ifndef PROFILER_STACKS_BPF_H
#define PROFILER_STACKS_BPF_H

#include "stack.h"
#include "stats.bpf.h"
#include "unwind.bpf.h"

/* The kernel stack's walk buffer, per CPU: too big for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stack_trace);
} stack_scratch SEC(".maps");

/* hash -> ips; max_entries set by the loader (--stack-map-size).  Not
 * preallocated: a stack is 2 KiB, and memory follows the distinct stacks
 * seen rather than the ceiling. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct stack_trace);
} stacks SEC(".maps");

/* Store st under its hash; its key, or 0 with *err set (and counted). */
static __always_inline __u64 store_stack(struct stack_trace *st, bool user,
					 __s32 *err)
{
	__u64 h;
	long ret;

	h = stack_hash(st->ips, st->depth, st->end);
	section_mark(user ? SECT_USER_HASH : SECT_KERN_HASH);
	if (bpf_map_lookup_elem(&stacks, &h)) {
		section_mark(user ? SECT_USER_STORE : SECT_KERN_STORE);
		return h;
	}
	ret = bpf_map_update_elem(&stacks, &h, st, BPF_NOEXIST);
	section_mark(user ? SECT_USER_STORE : SECT_KERN_STORE);
	/* -EEXIST: another CPU stored the same stack just now. */
	if (ret && ret != -EEXIST) {
		*err = ret;
		if (ret == -ENOMEM)
			inc_stat(STAT_STACK_NOMEM);
		else
			inc_stat(user ? STAT_USTACK_FULL : STAT_KSTACK_FULL);
		return 0;
	}
	return h;
}

/*
 * The current kernel stack: its key in "stacks", or 0 with *err set: 0
 * when there is none (a sample in user mode), -errno when it was lost.
 */
static __always_inline __u64 collect_kernel_stack(void *ctx, __s32 *err)
{
	struct stack_trace *st;
	__u32 zero = 0;
	long n;

	*err = 0;
	st = bpf_map_lookup_elem(&stack_scratch, &zero);
	if (!st)
		return 0;
	n = bpf_get_stack(ctx, st->ips, sizeof(st->ips), 0);
	section_mark(SECT_KERN_STACK);
	if (n <= 0)
		return 0;
	st->depth = n / sizeof(__u64);
	st->end = 0;
	return store_stack(st, false, err);
}

/*
 * The user stack from the registers (ip, sp, bp) at the sample or probe;
 * ctx is the program's context.  Its key, or 0 with *err = -errno (lost,
 * and counted).
 */
static __always_inline __u64 collect_user_stack(void *ctx, __u64 ip, __u64 sp,
						__u64 bp, __s32 *err)
{
	struct stack_trace *st;

	*err = 0;
	st = unwind_user(ctx, ip, sp, bp);
	if (!st || !st->depth) {
		*err = -EFAULT;
		inc_stat(STAT_USTACK_FAULT);
		return 0;
	}
	return store_stack(st, true, err);
}

#endif
