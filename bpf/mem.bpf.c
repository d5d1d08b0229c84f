// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Allocation profiling: uprobes and uretprobes on the allocator the target
 * uses.  Every allocation is recorded under its address (size, time, stack)
 * and counted under its site (process, stack, function); every free finds
 * its allocation and credits the site.  Sizes and latencies go into the
 * shared log-linear histograms.  Nothing per call goes to userspace.
 *
 * Stacks are taken at the return probe, where they are complete: at the
 * entry of a function that does not start with push %rbp, a frame-pointer
 * walk misses the direct caller.
 *
 * With --sample-bytes N only a random sample of allocations gets a stack
 * and a site (include/mem_sample.h): the sites hold estimates, the totals
 * and histograms stay exact, and every allocation is still in "live" so
 * that frees balance.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "kdefs.bpf.h"
#include "mem.h"
#include "stacks.bpf.h"
#include "entry_stop.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader: time free() too (needs a return probe on free). */
const volatile bool free_latency = false;
/* Set by the loader (--min-size): smaller allocations are not recorded. */
const volatile __u64 min_size = 0;
/* Set by the loader (--sample-bytes): one stack per this many bytes on
 * average; 0: every allocation's stack. */
const volatile __u64 sample_bytes = 0;
/* Filled by the loader when sampling: 1 - exp(-i / MEM_SAMPLE_GRID) in
 * 2^-32 (include/mem_sample.h).  Data, not rodata: the compiler must not
 * read the zeros of the initializer through a plain pointer. */
__u64 sample_p_table[MEM_SAMPLE_POINTS];

/* Each thread's outermost allocator call in flight (active), in the
 * task's own storage: no hashing, no insert and delete per call. */
struct mem_thread {
	struct mem_inflight call;
	__u32 active;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct mem_thread);
} inflight SEC(".maps");

/* The current thread's call in flight, or NULL. */
static __always_inline struct mem_thread *in_flight(void)
{
	struct mem_thread *t;

	t = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0, 0);
	return t && t->active ? t : NULL;
}

/* (process, address) -> live allocation; --live-map-size entries. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, MEM_DEFAULT_LIVE_MAP_SIZE);
	__type(key, struct mem_live_key);
	__type(value, struct mem_live);
} live SEC(".maps");

/* Per-site counts; --sites-map-size entries. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, MEM_DEFAULT_SITES_MAP_SIZE);
	__type(key, struct mem_site_key);
	__type(value, struct mem_site);
} sites SEC(".maps");

/* enum mem_total counters. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MEM_T__MAX);
	__type(key, __u32);
	__type(value, __u64);
} totals SEC(".maps");

/* MEM_NHIST histograms of HIST_BUCKETS buckets: latency per function, then
 * sizes (MEM_HIST_SIZE). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MEM_NHIST * HIST_BUCKETS);
	__type(key, __u32);
	__type(value, __u64);
} hists SEC(".maps");

/* Longest call per function, ns. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MEM__FN_MAX);
	__type(key, __u32);
	__type(value, __u64);
} max_lat SEC(".maps");

static __always_inline void add_total(enum mem_total t, __u64 n)
{
	counter_add(&totals, t, n);
}

static __always_inline void hist_add(__u32 hist, __u64 value)
{
	counter_add(&hists, hist * HIST_BUCKETS + hist_bucket(value), 1);
}

static __always_inline int enter(enum mem_fn fn, __u64 size, __u64 old_ptr,
				 __u64 memptr)
{
	struct mem_thread *t;

	t = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!t) {
		inc_stat(STAT_MEM_INFLIGHT_FULL);
		return 0;
	}
	if (t->active) {
		/* An allocator calling itself: the outer call counts. */
		t->call.depth++;
		return 0;
	}
	t->call.size = size;
	t->call.old_ptr = old_ptr;
	t->call.memptr = memptr;
	t->call.fn = fn;
	t->call.depth = 0;
	t->call.start_ns = bpf_ktime_get_ns();
	t->active = 1;
	return 0;
}

static __always_inline struct mem_site *site_of(struct mem_site_key *k)
{
	struct mem_site zero = {}, *s;

	s = bpf_map_lookup_elem(&sites, k);
	if (s)
		return s;
	bpf_map_update_elem(&sites, k, &zero, BPF_NOEXIST);
	s = bpf_map_lookup_elem(&sites, k);
	if (!s)
		inc_stat(STAT_MEM_SITES_FULL);
	return s;
}

/* The probability, in 2^-32, that an allocation of size bytes gets a stack. */
static __always_inline __u64 sample_p(__u64 size)
{
	if (!sample_bytes)
		return MEM_P_ONE;
	return mem_sample_p(sample_p_table, size, sample_bytes);
}

/* What an allocation counted under a site with fn stands for there:
 * itself below --min-size (no sampling there), else 1/p of it. */
static __always_inline void site_weight(__u32 fn, __u64 size,
					struct mem_weight *w)
{
	__u64 p = fn & MEM_FN_SMALL ? MEM_P_ONE : sample_p(size);

	mem_sample_weight(p, size, sample_bytes, w);
}

/* A block the target gives back: credit the site that allocated it. */
static __always_inline void record_free(__u32 tgid, __u64 addr)
{
	struct mem_live_key lk = { .tgid = tgid, .addr = addr };
	struct mem_site_key sk = {};
	struct mem_live *l;
	struct mem_site *s;
	struct mem_weight w;
	__u64 size;

	l = bpf_map_lookup_elem(&live, &lk);
	if (!l) {
		add_total(MEM_T_FREES_UNKNOWN, 1);
		return;
	}
	size = l->size;
	sk.tgid = tgid;
	sk.fn = l->fn;
	sk.stack = l->stack;
	bpf_map_delete_elem(&live, &lk);
	add_total(MEM_T_FREES, 1);
	add_total(MEM_T_FREE_BYTES, size);
	if (sk.fn & MEM_FN_UNSAMPLED)
		return;
	s = bpf_map_lookup_elem(&sites, &sk);
	if (s) {
		/* The same weight as at its allocation: a function of the
		 * size alone. */
		site_weight(sk.fn, size, &w);
		__sync_fetch_and_add(&s->frees, w.objs);
		__sync_fetch_and_add(&s->free_bytes, w.bytes);
		if (w.var)
			__sync_fetch_and_add(&s->free_var, w.var);
	}
}

static __always_inline void record_alloc(void *ctx, __u32 tgid, __u64 addr,
					 __u64 size, __u32 fn, __u64 now)
{
	struct mem_live_key lk = { .tgid = tgid, .addr = addr };
	struct mem_live l = {};
	struct mem_site_key sk = {};
	struct mem_site *s;
	struct mem_weight w;
	__u64 p;
	__s32 err;

	add_total(MEM_T_ALLOCS, 1);
	add_total(MEM_T_ALLOC_BYTES, size);
	hist_add(MEM_HIST_SIZE, size);

	sk.tgid = tgid;
	sk.fn = fn;
	if (size < min_size) {
		/* Tracked (so its free balances), but under one site with no
		 * stack: the stack walk is most of the cost. */
		sk.fn |= MEM_FN_SMALL;
		p = MEM_P_ONE;
	} else {
		p = sample_p(size);
		if (p < MEM_P_ONE && bpf_get_prandom_u32() >= p) {
			/* Not sampled: no stack, no site, only tracked. */
			sk.fn |= MEM_FN_UNSAMPLED;
			goto track;
		}
		add_total(MEM_T_STACKS, 1);
		/* 0 when lost, counted in "stats" by reason. */
		sk.stack = collect_user_stack(ctx, PT_REGS_IP((struct pt_regs *)ctx),
					      PT_REGS_SP((struct pt_regs *)ctx),
					      PT_REGS_FP((struct pt_regs *)ctx), &err);
	}
	mem_sample_weight(p, size, sample_bytes, &w);
	s = site_of(&sk);
	if (s) {
		__sync_fetch_and_add(&s->allocs, w.objs);
		__sync_fetch_and_add(&s->alloc_bytes, w.bytes);
		if (w.var)
			__sync_fetch_and_add(&s->alloc_var, w.var);
		__sync_fetch_and_add(&s->samples, 1);
	}
track:
	l.size = size;
	l.alloc_ns = now;
	l.stack = sk.stack;
	l.tgid = tgid;
	l.fn = sk.fn;
	if (bpf_map_update_elem(&live, &lk, &l, BPF_ANY))
		inc_stat(STAT_MEM_LIVE_FULL);
}

/* ret: the returned pointer, or for posix_memalign its status. */
static __always_inline int leave(void *ctx, __u64 ret)
{
	__u64 addr = ret, lat, now, *m;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, fn;
	struct mem_inflight c;
	struct mem_thread *t;

	t = in_flight();
	if (!t)
		return 0;
	if (t->call.depth) {
		t->call.depth--;
		return 0;
	}
	c = t->call;
	t->active = 0;
	fn = c.fn;
	now = bpf_ktime_get_ns();
	lat = now - c.start_ns;
	if (fn < MEM__FN_MAX) {
		hist_add(fn, lat);
		m = bpf_map_lookup_elem(&max_lat, &fn);
		if (m && lat > *m)
			*m = lat;
	}

	if (fn == MEM_POSIX_MEMALIGN) {
		addr = 0;
		if (ret == 0 && c.memptr)
			bpf_probe_read_user(&addr, sizeof(addr), (void *)c.memptr);
	}
	if (fn == MEM_REALLOC || fn == MEM_REALLOCARRAY) {
		/* The old block is gone when the call succeeded, or when
		 * realloc(p, 0) freed it (and returned NULL). */
		if (c.old_ptr && (addr || c.size == 0))
			record_free(tgid, c.old_ptr);
		if (!addr && c.size == 0)
			return 0;
	}
	if (!addr) {
		add_total(MEM_T_FAILED, 1);
		return 0;
	}
	record_alloc(ctx, tgid, addr, c.size, fn, now);
	return 0;
}

/*
 * One entry program for every allocating function: the loader gives each
 * attachment its enum mem_fn as the BPF cookie, so one uprobe_multi link
 * covers them all.
 */
SEC("uprobe")
int alloc_entry(struct pt_regs *ctx)
{
	__u64 a0 = PT_REGS_PARM1(ctx), a1 = PT_REGS_PARM2(ctx);
	__u64 a2 = PT_REGS_PARM3(ctx);
	__u32 fn = bpf_get_attach_cookie(ctx);

	switch (fn) {
	case MEM_MALLOC:
	case MEM_VALLOC:
	case MEM_PVALLOC:
		return enter(fn, a0, 0, 0);
	case MEM_CALLOC:
		return enter(fn, a0 * a1, 0, 0);
	case MEM_REALLOC:
		return enter(fn, a1, a0, 0);
	case MEM_REALLOCARRAY:
		return enter(fn, a1 * a2, a0, 0);
	case MEM_POSIX_MEMALIGN:
		return enter(fn, a2, 0, a0);
	case MEM_ALIGNED_ALLOC:
	case MEM_MEMALIGN:
		return enter(fn, a1, 0, 0);
	}
	return 0;
}

/* One return program serves every allocating function.  (BPF_KPROBE and
 * BPF_KRETPROBE read pt_regs the same way for uprobes; libbpf 1.1 has no
 * BPF_UPROBE.)  In-flight state says which function returns. */
SEC("uretprobe")
int BPF_KRETPROBE(alloc_return, __u64 ret)
{
	return leave(ctx, ret);
}

/*
 * free() without timing: an entry probe only, which the loader may place
 * after free's NULL check (so it can be an instruction the kernel emulates
 * rather than single-steps).  A free inside an allocator call in flight
 * (realloc implemented with free) belongs to that call.
 */
SEC("uprobe")
int BPF_KPROBE(free_entry, __u64 ptr)
{
	if (!ptr || in_flight())
		return 0;
	record_free(bpf_get_current_pid_tgid() >> 32, ptr);
	return 0;
}

/* free() with timing (--free-latency): entry at free's first instruction. */
SEC("uprobe")
int BPF_KPROBE(free_timed_entry, __u64 ptr)
{
	if (in_flight())
		return enter(MEM_FREE, 0, 0, 0);
	if (ptr)
		record_free(bpf_get_current_pid_tgid() >> 32, ptr);
	return enter(MEM_FREE, 0, 0, 0);
}

SEC("uretprobe")
int BPF_KRETPROBE(free_return)
{
	__u64 lat, *m;
	struct mem_thread *t;
	__u32 fn = MEM_FREE;

	/* A free nested in another call only took a level of depth. */
	t = in_flight();
	if (!t)
		return 0;
	if (t->call.depth) {
		t->call.depth--;
		return 0;
	}
	if (t->call.fn != MEM_FREE)
		return 0;
	lat = bpf_ktime_get_ns() - t->call.start_ns;
	t->active = 0;
	hist_add(MEM_FREE, lat);
	m = bpf_map_lookup_elem(&max_lat, &fn);
	if (m && lat > *m)
		*m = lat;
	return 0;
}
