// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Function latency: an entry probe and a return probe on every matched
 * function, the function's id in the probe's BPF cookie.  Entry pushes
 * {id, time, stack pointer} on the thread's stack of calls in flight (task
 * local storage, so nothing to size and nothing left when a thread ends);
 * return finds its frame by stack pointer, and the duration goes into the
 * function's count, sum, min, max and log-linear histogram.  Nothing per
 * call goes to userspace.
 *
 * Functions a return probe must not touch (user/modes/lat_plan.h, enum
 * lat_timing) are timed by uprobes on their RET instructions: lat_ret, on
 * the same per-thread stack, for C++ and Rust (exception unwinding cannot
 * walk through the return probe's trampoline); lat_go_entry and lat_go_ret,
 * per goroutine, for Go (see struct lat_go_key).
 *
 * --count-only uses lat_count alone: an entry probe that counts, which the
 * loader may place past the function's first instruction (user/probes/probe.c).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "lat.h"
#include "stats.bpf.h"
#include "entry_stop.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * Written by the loader through the skeleton's mmaped .bss.  armed: entry
 * probes record only once every probe is attached, so that the counts
 * start together.  gen: bumped at each -i interval (see lat_fn_stats).
 */
volatile __u32 armed;
volatile __u64 gen;

/* Each thread's calls in flight; freed by the kernel with the thread. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct lat_tstack);
} lat_threads SEC(".maps");

/* Function id -> figures; max_entries set by the loader (functions). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lat_fn_stats);
} fn_stats SEC(".maps");

/*
 * Function id * HIST_BUCKETS + bucket -> calls; max_entries set by the
 * loader.  Shared by all CPUs (atomic adds) and mmaped by the loader, which
 * reads it without a system call per bucket.  Per-CPU copies would cost
 * 7.6 KiB per function per CPU.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, HIST_BUCKETS);
	__type(key, __u32);
	__type(value, __u64);
} fn_hists SEC(".maps");

/*
 * A call of fn returned after dur ns (timed), or returned with no entry
 * time kept.  Per-CPU values, but a uprobe program can be preempted by
 * another thread running it on the same CPU: the sums are atomic adds.  A
 * min or max lost to such a race would be off by one call; accepted.  A
 * global function: the verifier checks it once, not at every call site.
 */
__noinline int record(__u32 fn, __u64 dur, __u32 timed)
{
	struct lat_fn_stats *st = bpf_map_lookup_elem(&fn_stats, &fn);
	__u32 k;
	__u64 *c, g = gen;

	if (!st)
		return 0;
	__sync_fetch_and_add(&st->calls, 1);
	if (!timed) {
		__sync_fetch_and_add(&st->untimed, 1);
		return 0;
	}
	__sync_fetch_and_add(&st->sum_ns, dur);
	if (!st->min_ns || dur < st->min_ns)
		st->min_ns = dur;
	if (dur > st->max_ns)
		st->max_ns = dur;
	if (st->gen != g) {
		st->gen = g;
		st->imin_ns = dur;
		st->imax_ns = dur;
	} else {
		if (dur < st->imin_ns)
			st->imin_ns = dur;
		if (dur > st->imax_ns)
			st->imax_ns = dur;
	}
	k = fn * HIST_BUCKETS + hist_bucket(dur);
	c = bpf_map_lookup_elem(&fn_hists, &k);
	if (c)
		__sync_fetch_and_add(c, 1);
	return 0;
}

/*
 * Frame i of s ended without its return being seen (an exception or longjmp
 * left it, or the kernel's 64 return probes per thread were in use): a
 * call, counted untimed.
 */
static __always_inline void drop_frame(struct lat_tstack *s, int i)
{
	record(s->f[i & (LAT_MAX_DEPTH - 1)].fn, 0, false);
	stat_add(STAT_LAT_NO_RETURN, 1);
}

SEC("uprobe")
int lat_entry(struct pt_regs *ctx)
{
	struct lat_tstack *s;
	struct lat_frame *fr;
	__u32 fn;
	__u64 sp;
	int d, k;

	if (!armed)
		return 0;
	s = bpf_task_storage_get(&lat_threads, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!s) {
		stat_add(STAT_LAT_NO_STORAGE, 1);
		return 0;
	}
	fn = bpf_get_attach_cookie(ctx);
	sp = PT_REGS_SP(ctx);
	d = s->depth;
	if (d > LAT_MAX_DEPTH)
		d = LAT_MAX_DEPTH;
	/*
	 * A call entered at sp proves that every call deeper down the stack
	 * has ended, and so has an earlier call of this function at sp: an
	 * exception or longjmp took them without a return.  (Another
	 * function at sp may be the caller of a tail call: kept.)  Calls
	 * past LAT_MAX_DEPTH are not known: nothing is dropped then.
	 */
	for (k = 0; k < LAT_MAX_DEPTH && d > 0 && !s->overflow; k++) {
		fr = &s->f[(d - 1) & (LAT_MAX_DEPTH - 1)];
		if (fr->sp > sp || (fr->sp == sp && fr->fn != fn))
			break;
		drop_frame(s, d - 1);
		d--;
	}
	if (d >= LAT_MAX_DEPTH) {
		s->overflow++;
		s->depth = d;
		return 0;
	}
	fr = &s->f[d & (LAT_MAX_DEPTH - 1)];
	fr->fn = fn;
	fr->sp = sp;
	/* Last: as close to the function's own code as the probe gets. */
	fr->ts = bpf_ktime_get_ns();
	s->depth = d + 1;
	return 0;
}

/*
 * A thread ends (exit, exec, a signal): its calls in flight ended without
 * returning.  Each thread that entered a probed function has storage; the
 * lookup is all that other threads pay.
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(lat_thread_exit, struct task_struct *task)
{
	struct lat_tstack *s;
	int d, k;

	s = bpf_task_storage_get(&lat_threads, task, 0, 0);
	if (!s)
		return 0;
	d = s->depth;
	if (d > LAT_MAX_DEPTH)
		d = LAT_MAX_DEPTH;
	for (k = 0; k < LAT_MAX_DEPTH && d > 0; k++, d--)
		drop_frame(s, d - 1);
	if (s->overflow)
		stat_add(STAT_LAT_DEEP_GONE, s->overflow);
	s->depth = 0;
	s->overflow = 0;
	return 0;
}

/* A call of fn whose entry sp was sp ended at now. */
static __always_inline int returned(__u32 fn, __u64 sp, __u64 now)
{
	struct lat_tstack *s;
	struct lat_frame *fr;
	int d, k;

	s = bpf_task_storage_get(&lat_threads, bpf_get_current_task_btf(), 0, 0);
	if (!s) {
		stat_add(STAT_LAT_NO_ENTRY, 1);
		return 0;
	}
	d = s->depth;
	if (d > LAT_MAX_DEPTH)
		d = LAT_MAX_DEPTH;
	/*
	 * Innermost first.  Frames below sp belong to calls that are gone;
	 * at sp itself sits this call (and, after a tail call, its caller's
	 * frame); a frame above sp is an outer call that is still running.
	 */
	for (k = 0; k < LAT_MAX_DEPTH && d > 0; k++) {
		fr = &s->f[(d - 1) & (LAT_MAX_DEPTH - 1)];
		if (fr->sp > sp)
			break;
		if (fr->sp == sp && fr->fn == fn) {
			record(fn, now - fr->ts, true);
			if (s->overflow)
				stat_add(STAT_LAT_DEEP_GONE, s->overflow);
			s->overflow = 0;
			s->depth = d - 1;
			return 0;
		}
		drop_frame(s, d - 1);
		d--;
	}
	s->depth = d;
	if (s->overflow) {
		/* A call entered past LAT_MAX_DEPTH: counted, not timed. */
		s->overflow--;
		stat_add(STAT_LAT_DEPTH, 1);
		record(fn, 0, false);
		return 0;
	}
	stat_add(STAT_LAT_NO_ENTRY, 1);
	return 0;
}

SEC("uretprobe")
int lat_return(struct pt_regs *ctx)
{
	__u64 now = bpf_ktime_get_ns();

	/* The returning call's entry sp: ret popped the return address. */
	return returned(bpf_get_attach_cookie(ctx), PT_REGS_SP(ctx) - 8, now);
}

/* On a RET instruction (functions exceptions may unwind): sp still points
 * at the return address, as at entry. */
SEC("uprobe")
int lat_ret(struct pt_regs *ctx)
{
	__u64 now = bpf_ktime_get_ns();

	return returned(bpf_get_attach_cookie(ctx), PT_REGS_SP(ctx), now);
}

/* Allocated as calls come: nothing for a run without Go functions. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, LAT_GO_MAX_CALLS);
	__type(key, struct lat_go_key);
	__type(value, struct lat_go_call);
} lat_go_calls SEC(".maps");

/* The Go call whose return address sp points at (see struct lat_go_key). */
static __always_inline int go_key(struct pt_regs *ctx, struct lat_go_key *k)
{
	__u64 g = ctx->r14, sp = PT_REGS_SP(ctx), hi;

	if (!g || bpf_probe_read_user(&hi, sizeof(hi),
				      (void *)(g + LAT_GO_G_STACK_HI)) ||
	    hi <= sp || hi - sp > (1ULL << 30)) {
		stat_add(STAT_LAT_GO_STACK, 1);
		return -1;
	}
	k->g = g;
	k->depth = hi - sp;
	k->tgid = bpf_get_current_pid_tgid() >> 32;
	k->pad = 0;
	return 0;
}

SEC("uprobe")
int lat_go_entry(struct pt_regs *ctx)
{
	struct lat_go_key k;
	struct lat_go_call c = {}, *old;

	if (!armed || go_key(ctx, &k))
		return 0;
	/*
	 * The probe sits past the stack check, so a call passes here once.
	 * A call already at this goroutine's depth has ended without a RET
	 * (a panic unwound it): a call, counted untimed.
	 */
	old = bpf_map_lookup_elem(&lat_go_calls, &k);
	if (old) {
		record(old->fn, 0, false);
		stat_add(STAT_LAT_NO_RETURN, 1);
	}
	c.fn = bpf_get_attach_cookie(ctx);
	c.ts = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&lat_go_calls, &k, &c, BPF_ANY))
		stat_add(STAT_LAT_GO_FULL, 1);
	return 0;
}

/* On a RET instruction of a Go function: sp still points at the return
 * address, as at entry. */
SEC("uprobe")
int lat_go_ret(struct pt_regs *ctx)
{
	__u64 now = bpf_ktime_get_ns();
	__u32 fn = bpf_get_attach_cookie(ctx);
	struct lat_go_call *c;
	struct lat_go_key k;

	if (go_key(ctx, &k))
		return 0;
	c = bpf_map_lookup_elem(&lat_go_calls, &k);
	if (!c || c->fn != fn) {
		stat_add(STAT_LAT_NO_ENTRY, 1);
		return 0;
	}
	record(fn, now - c->ts, true);
	bpf_map_delete_elem(&lat_go_calls, &k);
	return 0;
}

SEC("uprobe")
int lat_count(struct pt_regs *ctx)
{
	struct lat_fn_stats *st;
	__u32 fn;

	if (!armed)
		return 0;
	fn = bpf_get_attach_cookie(ctx);
	st = bpf_map_lookup_elem(&fn_stats, &fn);
	if (st)
		__sync_fetch_and_add(&st->calls, 1);
	return 0;
}
