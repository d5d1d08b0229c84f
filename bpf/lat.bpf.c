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
 * --count-only uses lat_count alone: an entry probe that counts, which the
 * loader may place past the function's first instruction (user/probe.c).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "lat.h"

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

/* enum lat_stat counters. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LAT_S__MAX);
	__type(key, __u32);
	__type(value, __u64);
} lat_stats SEC(".maps");

/* Rare events only: the COMMAND reached its entry point. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} lat_events SEC(".maps");

static __always_inline void stat_add(enum lat_stat s, __u64 n)
{
	__u32 k = s;
	__u64 *v = bpf_map_lookup_elem(&lat_stats, &k);

	if (v)
		__sync_fetch_and_add(v, n);
}

/*
 * A call of fn returned after dur ns (timed), or returned with no entry
 * time kept.  Per-CPU values, but a uprobe program can be preempted by
 * another thread running it on the same CPU: the sums are atomic adds.  A
 * min or max lost to such a race would be off by one call; accepted.
 */
static __always_inline void record(__u32 fn, __u64 dur, bool timed)
{
	struct lat_fn_stats *st = bpf_map_lookup_elem(&fn_stats, &fn);
	__u32 k;
	__u64 *c, g = gen;

	if (!st)
		return;
	__sync_fetch_and_add(&st->calls, 1);
	if (!timed) {
		__sync_fetch_and_add(&st->untimed, 1);
		return;
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
}

SEC("uprobe")
int lat_entry(struct pt_regs *ctx)
{
	struct lat_tstack *s;
	__u32 d;

	if (!armed)
		return 0;
	s = bpf_task_storage_get(&lat_threads, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!s) {
		stat_add(LAT_S_NO_STORAGE, 1);
		return 0;
	}
	d = s->depth;
	if (d >= LAT_MAX_DEPTH) {
		s->overflow++;
		return 0;
	}
	s->f[d].fn = bpf_get_attach_cookie(ctx);
	s->f[d].sp = PT_REGS_SP(ctx);
	/* Last: as close to the function's own code as the probe gets. */
	s->f[d].ts = bpf_ktime_get_ns();
	s->depth = d + 1;
	return 0;
}

SEC("uretprobe")
int lat_return(struct pt_regs *ctx)
{
	__u64 now = bpf_ktime_get_ns();
	__u32 fn = bpf_get_attach_cookie(ctx);
	/* The returning call's entry sp: ret popped the return address. */
	__u64 sp = PT_REGS_SP(ctx) - 8;
	struct lat_tstack *s;
	struct lat_frame *fr;
	int d, i, k, found = -1, keep = 0;

	s = bpf_task_storage_get(&lat_threads, bpf_get_current_task_btf(), 0, 0);
	if (!s) {
		stat_add(LAT_S_NO_ENTRY, 1);
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
	for (k = 0; k < LAT_MAX_DEPTH; k++) {
		i = d - 1 - k;
		if (i < 0)
			break;
		fr = &s->f[i & (LAT_MAX_DEPTH - 1)];
		if (fr->sp > sp) {
			keep = i + 1;
			break;
		}
		if (fr->sp == sp && fr->fn == fn) {
			found = i;
			break;
		}
	}
	if (found >= 0) {
		fr = &s->f[found & (LAT_MAX_DEPTH - 1)];
		/* Everything deeper ended without a return probe. */
		if (d - 1 - found + s->overflow)
			stat_add(LAT_S_NO_RETURN, d - 1 - found + s->overflow);
		s->overflow = 0;
		s->depth = found;
		record(fn, now - fr->ts, true);
		return 0;
	}
	if (d > keep)
		stat_add(LAT_S_NO_RETURN, d - keep);
	s->depth = keep;
	if (s->overflow) {
		/* A call entered past LAT_MAX_DEPTH: counted, not timed. */
		s->overflow--;
		stat_add(LAT_S_DEPTH, 1);
		record(fn, 0, false);
		return 0;
	}
	stat_add(LAT_S_NO_ENTRY, 1);
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

/*
 * COMMAND mode: the program reached its entry point, so its libraries are
 * mapped.  Stop it while the loader resolves the patterns and attaches.
 */
SEC("uprobe")
int lat_exec(struct pt_regs *ctx)
{
	__u32 *e = bpf_ringbuf_reserve(&lat_events, sizeof(*e), 0);

	if (e) {
		*e = bpf_get_current_pid_tgid() >> 32;
		bpf_ringbuf_submit(e, 0);
	}
	bpf_send_signal(19 /* SIGSTOP */);
	return 0;
}
