/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The user-stack unwinder every mode that takes stacks uses: from the
 * registers at the sample (or at the probe), frame by frame with the
 * tables the loader built from each file's CFI (include/unwind.h), and with
 * frame pointers where a mapping has no table (JIT code) in auto mode.
 * With --unwind fp, or for a process whose mappings are not loaded yet, the
 * kernel's frame-pointer walk (bpf_get_stack) as before.
 *
 * Return addresses that a pending uretprobe replaced with the kernel's
 * trampoline are put back from the task's list of return instances, so a
 * stack taken under a uretprobe (ours: lat, mem; or anyone's) is whole.
 *
 * The walk is one bpf_loop: its callback is verified once, whatever the
 * depth.  Nothing leaves the kernel but a rate-limited "load this
 * process's mappings" event.
 */
#ifndef PROFILER_UNWIND_BPF_H
#define PROFILER_UNWIND_BPF_H

#include "stack.h"
#include "unwind.h"
#include "stats.bpf.h"
#include "section_time.bpf.h"
#include "python.bpf.h"

_Static_assert(PROF_MAX_STACK_DEPTH == 255, "ips[] indexes are masked with 255");

/* Set by the loader: enum unwind_mode (--unwind). */
const volatile __u32 unwind_mode = UNWIND_MODE_AUTO;

/* tgid -> its executable mappings; the loader writes them
 * (--unwind-procs entries). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, UNWIND_DEFAULT_PROCS);
	__type(key, __u32);
	__type(value, struct unwind_proc);
} unwind_procs SEC(".maps");

/* {table, page} -> slice of rows; the loader writes them
 * (--unwind-pages entries). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, UNWIND_DEFAULT_PAGES);
	__type(key, struct unwind_page_key);
	__type(value, struct unwind_page);
} unwind_pages SEC(".maps");

/* One shard: a single fixed array of rows, mmaped by the loader, which
 * creates shards as tables need room and puts them in unwind_shards. */
struct unwind_shard_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	/* By size: clang's BTF leaves a type this big only declared. */
	__uint(value_size, sizeof(struct unwind_shard));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, UNWIND_MAX_SHARDS);
	__type(key, __u32);
	__array(values, struct unwind_shard_map);
} unwind_shards SEC(".maps");

/* Bytes of stack read at once (a power of two). */
#define UNWIND_WIN_BYTES	2048

/* The uprobes area is cut in slots of this size (UPROBE_XOL_SLOT_BYTES
 * on x86); the first holds the uretprobe trampoline. */
#define UPROBE_SLOT_BYTES	128

/* "Load the mappings of this process" requests, at most one per process
 * per UNWIND_ASK_NS (kernel side rate limit). */
#define UNWIND_ASK_NS	(20 * 1000 * 1000ULL)

/* Also EVENT_PY_CODE: bursts of thousands as a Python program starts. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} unwind_events SEC(".maps");

/* tgid -> when its mappings were last asked for, for processes without
 * an entry in unwind_procs. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} unwind_asked SEC(".maps");

/* The walk's state, per CPU (too big for the BPF stack). */
struct unwind_scratch {
	__u64 pc, sp, bp;
	__u64 tramp;		/* the uretprobe trampoline's address, or 0 */
	__u32 tgid;
	__u32 end;		/* enum unwind_end */
	__u32 exact;		/* pc is not a return address */
	__u32 trampolines;	/* return addresses put back so far */
	/* Binary search bounds, kept in memory on purpose: the verifier
	 * then sees each step's bounds as unknown, and the paths of a
	 * search merge instead of multiplying. */
	__u32 lo, hi;
	/* A copy of win_len bytes of the stack from win_lo: the frames of
	 * a walk are read from it, one probe read for many frames. */
	__u64 win_lo;
	__u32 win_len;
	__u32 pad;
	struct unwind_row row;	/* the row a cache hit found */
	/* Python: the next interpreter frame to emit (0: none), whether the
	 * walk is emitting one eval call's chain, and whether the thread's
	 * current frame was looked up yet. */
	__u64 py_frame;
	__u64 py_now;		/* the clock when the thread state was found */
	__u32 py_emit;
	__u32 py_looked;
	__u8 py_buf[PY_FRAME_READ + 8];
	__u8 win[UNWIND_WIN_BYTES + 16];
	struct stack_trace st;
	/* ips[] has PROF_MAX_STACK_DEPTH (255) entries: an index masked
	 * with 255 for the verifier may point here, never in practice. */
	__u64 slack;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct unwind_scratch);
} unwind_scratch SEC(".maps");

/*
 * Rows found lately, per CPU: a sample of a busy process walks the same
 * few return addresses over and over, and a hit saves the page lookup,
 * the shard lookups and the binary search.  Keyed by table id and
 * table-relative address: ids are never reused in a run and a table's
 * rows never change once its id is in a mapping, so an entry never goes
 * stale.  Direct-mapped; table 0 (UNWIND_TABLE_NONE) marks an empty slot.
 * A uprobe's program can be preempted and another run on its CPU: a slot
 * written half by each fails its check word and is looked up again.
 */
#define UNWIND_CACHE_SLOTS	1024

struct unwind_cache_slot {
	__u32 table;
	__u32 rel;
	__u32 check;		/* unwind_slot_check() of the four others */
	struct unwind_row row;
};

/* Code objects announced lately to userspace (EVENT_PY_CODE), per CPU,
 * direct-mapped: a frame's code is announced when its slot holds another,
 * or when it was announced more than PY_ANNOUNCE_NS ago: userspace then
 * checks that the address still holds the same code object (one freed and
 * its memory reused is named as the new one from then on).  Duplicates
 * across CPUs cost userspace one read. */
#define PY_SEEN_SLOTS	512
#define PY_ANNOUNCE_NS	(5 * 1000 * 1000 * 1000ULL)

struct py_seen_slot {
	__u64 code;
	__u64 when;
	__u32 tgid;
	__u32 pad;
};

struct unwind_row_cache {
	struct unwind_cache_slot slot[UNWIND_CACHE_SLOTS];
};

/* Its own map: a per-CPU value is at most 32 KiB. */
struct py_seen {
	struct py_seen_slot slot[PY_SEEN_SLOTS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct py_seen);
} py_seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct unwind_row_cache);
} unwind_cache SEC(".maps");

static __always_inline void unwind_ask(__u32 tgid, __u64 *last)
{
	__u64 now = bpf_ktime_get_ns();
	struct prof_event *e;

	if (*last && now - *last < UNWIND_ASK_NS)
		return;
	*last = now;
	e = bpf_ringbuf_reserve(&unwind_events, sizeof(*e), 0);
	if (!e) {
		inc_stat(STAT_EVENTS_LOST);
		return;
	}
	e->kind = EVENT_LOAD_MAPPINGS;
	e->tgid = tgid;
	e->gen = 0;
	e->pad = 0;
	bpf_ringbuf_submit(e, 0);
}

static __always_inline void unwind_ask_unknown(__u32 tgid)
{
	__u64 zero = 0, *last;

	last = bpf_map_lookup_elem(&unwind_asked, &tgid);
	if (!last) {
		bpf_map_update_elem(&unwind_asked, &tgid, &zero, BPF_NOEXIST);
		last = bpf_map_lookup_elem(&unwind_asked, &tgid);
		if (!last)
			return;
	}
	unwind_ask(tgid, last);
}

/*
 * ra, read from stack slot slot, is the uretprobe trampoline: the real
 * return address is in the task's pending return instance for that slot
 * (after a tail call, one slot serves several: the innermost matches).
 * 0 when none does (a sample while the kernel is still setting one up):
 * the walk then ends, marked.
 */
static __always_inline __u64 unwind_untrampoline(struct unwind_scratch *s,
						 __u64 slot)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct return_instance *ri;
	__u32 k;

	ri = BPF_CORE_READ(task, utask, return_instances);
	for (k = 0; k < 16 && ri; k++) {
		if (BPF_CORE_READ(ri, stack) == slot)
			return BPF_CORE_READ(ri, orig_ret_vaddr);
		ri = BPF_CORE_READ(ri, next);
	}
	return 0;
}

/*
 * The x86-64 uretprobe trampoline (kernel 6.11 and later):
 *   +0x0 push %rax; +0x1 push %rcx; +0x2 push %r11;
 *   +0x4 mov $__NR_uretprobe, %rax; +0xb syscall;
 *   +0xd pop %r11; +0xf pop %rcx; +0x10 ret
 * The syscall runs the return handlers, pops the return instance and
 * writes the real return address into the slot %rax was pushed to, which
 * the final ret then takes.  Before that, the trampoline was one int3.
 * Words pushed at pc offset off (off < 0x11).
 */
static __always_inline __u64 unwind_tramp_pushed(__u64 off)
{
	if (off == 0)
		return 0;
	if (off == 1 || off == 0x10)
		return 1;
	if (off < 4 || off == 0xf)
		return 2;
	return 3;
}

/*
 * pc is in the uretprobe trampoline itself: the probed function has
 * returned into it (a sample taken in the trampoline, or in the kernel
 * handling it).  Find where it really returns to and the caller's stack
 * pointer S (right after the return): from the innermost pending return
 * instance if it is this return's (its return address slot is S - 8),
 * else, once the kernel has handled it, from the slot %rax was pushed to.
 * 0, or -1 if it can't be told.
 */
static __always_inline int unwind_leave_trampoline(struct unwind_scratch *s)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct return_instance *ri;
	__u8 code[17];
	__u64 off = s->pc - s->tramp, S, slot = 0, ra;
	bool syscall_tramp;

	if (bpf_probe_read_user(code, sizeof(code), (void *)s->tramp))
		return -1;
	syscall_tramp = code[0] == 0x50 && code[1] == 0x51 && code[2] == 0x41 &&
			code[3] == 0x53 && code[11] == 0x0f && code[12] == 0x05 &&
			code[16] == 0xc3;
	if (syscall_tramp && off <= 0x10)
		S = s->sp + 8 * unwind_tramp_pushed(off);
	else if (!syscall_tramp && code[0] == 0xcc && off <= 1)
		S = s->sp;
	else
		return -1;
	ri = BPF_CORE_READ(task, utask, return_instances);
	if (ri)
		slot = BPF_CORE_READ(ri, stack);
	if (ri && (slot == S - 8 ||
		   /* in the syscall, after it dropped the pushed words */
		   (syscall_tramp && off == 0xd && slot == s->sp - 8))) {
		s->pc = BPF_CORE_READ(ri, orig_ret_vaddr);
		s->sp = slot + 8;
	} else if (syscall_tramp && off >= 0xd &&
		   !bpf_probe_read_user(&ra, sizeof(ra), (void *)(S - 8))) {
		s->pc = ra;
		s->sp = S;
	} else {
		return -1;
	}
	s->exact = 1;
	s->trampolines++;
	return 0;
}

/*
 * pc is in a slot of the uprobes area where the kernel single-steps a copy
 * of a probed instruction (a sample during a uprobe hit): the registers
 * are those of the original instruction, at utask->vaddr.  0, or -1 if
 * this task is not stepping there.
 */
static __always_inline int unwind_leave_xol(struct unwind_scratch *s)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 slot = BPF_CORE_READ(task, utask, xol_vaddr);

	if (!slot || s->pc - slot >= UPROBE_SLOT_BYTES)
		return -1;
	s->pc = BPF_CORE_READ(task, utask, vaddr);
	s->exact = 1;
	return 0;
}

/* bpf_loop's context: it must live on the BPF stack. */
struct unwind_ctx {
	struct unwind_proc *proc;
	struct unwind_scratch *s;
	struct unwind_row_cache *cache;	/* NULL: look every row up */
	struct py_proc *py;		/* the process's interpreter, or NULL */
	struct py_seen *py_seen;	/* with py: code objects announced */
};

/*
 * size (8 or 16) bytes of the user stack at addr into dst: from the
 * window when it holds them, else the window is read again from addr
 * (frames go up the stack: the next ones are likely in it), up to the end
 * of addr's page at most: a read that crosses into a page that is not
 * there (past the stack's end) fails as a whole after a page fault, which
 * costs microseconds in a guest.  0, or the probe read's error.
 */
static __always_inline long unwind_read(struct unwind_scratch *s, __u64 *dst,
					__u32 size, __u64 addr)
{
	__u64 off = addr - s->win_lo;
	__u32 len;

	if (off >= s->win_len || off + size > s->win_len) {
		len = 4096 - (addr & 4095);
		if (len < size)
			len = size;
		if (len > UNWIND_WIN_BYTES)
			len = UNWIND_WIN_BYTES;
		if (bpf_probe_read_user(s->win, len, (void *)addr)) {
			s->win_len = 0;
			return -1;
		}
		s->win_lo = addr;
		s->win_len = len;
		off = 0;
	}
	/* off + size <= win_len <= UNWIND_WIN_BYTES; the mask is for the
	 * verifier (win has 16 bytes of slack past UNWIND_WIN_BYTES). */
	off &= UNWIND_WIN_BYTES - 1;
	dst[0] = *(__u64 *)&s->win[off];
	if (size == 16)
		dst[1] = *(__u64 *)&s->win[off + 8];
	return 0;
}

/* The mapping of pc in proc, or NULL. */
static __always_inline struct unwind_map *unwind_find_map(struct unwind_scratch *s,
							  struct unwind_proc *p,
							  __u64 pc)
{
	volatile __u32 *lo = &s->lo, *hi = &s->hi;
	struct unwind_map *m;
	__u32 k, l, h, mid;

	*lo = 0;
	*hi = p->nmaps < UNWIND_MAX_MAPS ? p->nmaps : UNWIND_MAX_MAPS;
	/* The last mapping whose start <= pc. */
	for (k = 0; k < UNWIND_MAP_STEPS; k++) {
		l = *lo;
		h = *hi;
		if (l >= h)
			break;
		mid = (l + h) / 2;
		m = &p->maps[mid & (UNWIND_MAX_MAPS - 1)];
		if (m->start <= pc)
			*lo = mid + 1;
		else
			*hi = mid;
	}
	l = *lo;
	if (l == 0)
		return NULL;
	m = &p->maps[(l - 1) & (UNWIND_MAX_MAPS - 1)];
	return pc < m->end ? m : NULL;
}

/* The row in force at table-relative address rel of table, or NULL with
 * s->end set. */
static __always_inline struct unwind_row *unwind_lookup_row(struct unwind_scratch *s,
							    __u32 table, __u64 rel)
{
	struct unwind_page_key pk = { .table = table, .page = rel >> UNWIND_PAGE_SHIFT };
	volatile __u32 *lo = &s->lo, *hi = &s->hi;
	struct unwind_page *pg;
	struct unwind_shard *sh;
	__u32 zero = 0, l, h, k, mid, shard;
	void *inner;

	if (rel >> 32) {
		s->end = UNWIND_END_NO_ROW;
		return NULL;
	}
	pg = bpf_map_lookup_elem(&unwind_pages, &pk);
	if (!pg) {
		s->end = UNWIND_END_NO_ROW;
		return NULL;
	}
	shard = pg->shard;
	inner = bpf_map_lookup_elem(&unwind_shards, &shard);
	sh = inner ? bpf_map_lookup_elem(inner, &zero) : NULL;
	if (!sh) {
		s->end = UNWIND_END_TABLE_LOST;
		return NULL;
	}
	*lo = pg->first;
	*hi = pg->first + pg->count;
	/* The last row of the slice whose pc <= rel; the slice's first row
	 * is in force at the page's start, so there is one. */
	for (k = 0; k < UNWIND_SEARCH_STEPS; k++) {
		l = *lo;
		h = *hi;
		if (l + 1 >= h)
			break;
		mid = (l + h) / 2;
		if (sh->rows[mid & (UNWIND_SHARD_ROWS - 1)].pc <= (__u32)rel)
			*lo = mid;
		else
			*hi = mid;
	}
	l = *lo;
	return &sh->rows[l & (UNWIND_SHARD_ROWS - 1)];
}

static __always_inline __u32 unwind_slot_check(__u32 table, __u32 rel,
						const struct unwind_row *r)
{
	__u32 h = table * 0x9e3779b1u;

	h = (h ^ rel) * 0x85ebca6bu;
	h = (h ^ r->pc) * 0xc2b2ae35u;
	h = (h ^ (__u32)r->cfa_off) * 0x27d4eb2fu;
	h = (h ^ ((__u32)(__u16)r->rbp_off | (__u32)r->cfa_type << 16 |
		  (__u32)r->rbp_type << 24)) * 0x165667b1u;
	return h ^ (h >> 15);
}

/* unwind_lookup_row through the per-CPU cache of rows (if any). */
static __always_inline struct unwind_row *unwind_find_row(struct unwind_scratch *s,
							  struct unwind_row_cache *cache,
							  __u32 table, __u64 rel)
{
	struct unwind_cache_slot *slot;
	struct unwind_row *row;
	__u32 h;

	if (!cache || (rel >> 32))
		return unwind_lookup_row(s, table, rel);
	h = ((__u32)rel ^ (table * 0x9e3779b1u)) * 0x85ebca6bu;
	slot = &cache->slot[(h >> 22) & (UNWIND_CACHE_SLOTS - 1)];
	/* A copy: the check holds for what the step then reads. */
	s->row = slot->row;
	if (slot->table == table && slot->rel == (__u32)rel &&
	    slot->check == unwind_slot_check(table, (__u32)rel, &s->row))
		return &s->row;
	row = unwind_lookup_row(s, table, rel);
	if (row) {
		slot->table = table;
		slot->rel = (__u32)rel;
		slot->row = *row;
		slot->check = unwind_slot_check(table, (__u32)rel, row);
	}
	return row;
}

/* Step with frame pointers: the caller's frame from the saved rbp. */
static __always_inline bool unwind_fp_step(struct unwind_scratch *s)
{
	__u64 fr[2];

	if (!s->bp) {
		/* rbp 0: the outermost frame by the convention. */
		s->end = UNWIND_END_OK;
		return false;
	}
	if (unwind_read(s, fr, 16, s->bp)) {
		s->end = UNWIND_END_BAD_READ;
		return false;
	}
	if (s->bp + 16 <= s->sp) {
		s->end = UNWIND_END_BAD_FRAME;
		return false;
	}
	s->sp = s->bp + 16;
	s->bp = fr[0];
	s->pc = fr[1];
	return true;
}

/* After a signal handler: the interrupted registers, from the ucontext
 * at sp (uc_mcontext at +40: rbp at +80, rsp at +120, rip at +128). */
static __always_inline bool unwind_signal_step(struct unwind_scratch *s)
{
	__u64 r[7];

	if (bpf_probe_read_user(r, sizeof(r), (void *)(s->sp + 40 + 80))) {
		s->end = UNWIND_END_BAD_READ;
		return false;
	}
	s->bp = r[0];
	s->sp = r[5];
	s->pc = r[6];
	s->exact = 1;
	return true;
}

/* pc is in the eval function and that call's interpreter frames are to be
 * emitted (in place of its native frame) from the next step on. */
static __always_inline bool py_enter(struct unwind_ctx *c, struct unwind_scratch *s)
{
	struct py_proc *py = c->py;
	__u32 mark;

	if (!py || !py_in_eval(py, s->pc))
		return false;
	if (!s->py_looked) {
		s->py_looked = 1;
		s->py_now = bpf_ktime_get_ns();
		s->py_frame = py_current_frame(py, &mark);
		if (mark)
			inc_stat(STAT_PY_NO_THREAD + (mark == PY_MARK_BAD_READ));
	}
	if (!s->py_frame)
		return false;
	s->py_emit = 1;
	return true;
}

/* Tell userspace of code (in process s->tgid) unless this CPU did lately. */
static __always_inline void py_announce(struct unwind_ctx *c, struct unwind_scratch *s,
					__u64 code)
{
	struct py_seen_slot *slot;
	struct py_code_event *e;
	__u32 h;

	if (!c->py_seen || !code)
		return;
	h = ((__u32)(code >> 4) ^ (s->tgid * 0x9e3779b1u)) * 0x85ebca6bu;
	slot = &c->py_seen->slot[(h >> 23) & (PY_SEEN_SLOTS - 1)];
	if (slot->code == code && slot->tgid == s->tgid &&
	    s->py_now - slot->when < PY_ANNOUNCE_NS)
		return;
	e = bpf_ringbuf_reserve(&unwind_events, sizeof(*e), 0);
	if (!e)
		return;		/* named later, while the process lives */
	e->kind = EVENT_PY_CODE;
	e->tgid = s->tgid;
	e->code = code;
	bpf_ringbuf_submit(e, 0);
	slot->code = code;
	slot->tgid = s->tgid;
	slot->when = s->py_now;
}

/* Emit the interpreter frame s->py_frame at depth d; the chain of this
 * eval call ends at its entry frame.  0: go on. */
static __always_inline long py_step(struct unwind_ctx *c, struct unwind_scratch *s,
				    __u32 d)
{
	struct py_proc *py = c->py;
	__u64 code, instr, lasti = PY_LASTI_NONE, first;
	__u16 lo;
	bool entry;

	barrier_var(d);
	if (!py || bpf_probe_read_user(s->py_buf, PY_FRAME_READ,
				       (void *)(s->py_frame + py->off.frame_lo))) {
		s->st.ips[d & 255] = py_marker(PY_MARK_BAD_READ);
		s->st.depth = d + 1;
		s->py_frame = 0;
		s->py_emit = 0;
		return 0;
	}
	lo = py->off.frame_lo;
	code = py_word(s->py_buf, py->off.frame_code, lo);
	instr = py_word(s->py_buf, py->off.frame_prev_instr, lo);
	if (py->off.entry_kind == PY_ENTRY_OWNER)
		entry = py_byte(s->py_buf, py->off.frame_entry, lo) == py->off.entry_owner;
	else
		entry = py_byte(s->py_buf, py->off.frame_entry, lo) != 0;
	/* prev_instr is the instruction running (the leaf) or the call
	 * (callers); before the first, it points one unit before it. */
	first = code + py->off.code_adaptive;
	if (instr >= first && instr - first < 2ULL * PY_LASTI_NONE)
		lasti = (instr - first) / 2;
	s->st.ips[d & 255] = py_frame_encode(code, lasti);
	s->st.depth = d + 1;
	py_announce(c, s, code);
	s->py_frame = py_word(s->py_buf, py->off.frame_previous, lo);
	if (entry || !s->py_frame)
		s->py_emit = 0;
	return 0;
}

/* One frame: record pc, then find the caller's registers.  1 ends. */
static long unwind_step(__u32 i, void *ctx)
{
	struct unwind_ctx *c = ctx;
	struct unwind_proc *proc = c->proc;
	struct unwind_scratch *s = c->s;
	struct unwind_map *m;
	struct unwind_row *row;
	__u32 d;
	__u64 rel, cfa, ra, fr[2];

	section_mark(SECT_WALK_OTHER);
	d = s->st.depth;
	if (d >= PROF_MAX_STACK_DEPTH) {
		s->end = UNWIND_END_TRUNCATED;
		return 1;
	}
	if (s->py_emit)
		return py_step(c, s, d);
	/* In the uprobes area: the return trampoline (its first slot), or an
	 * instruction being single-stepped out of line (the others). */
	if (s->tramp && s->pc - s->tramp < 4096 &&
	    (s->pc - s->tramp < UPROBE_SLOT_BYTES ? unwind_leave_trampoline(s) :
						    unwind_leave_xol(s))) {
		s->end = UNWIND_END_BAD_FRAME;
		return 1;
	}
	/* The compiler drops a mask it can prove redundant; the verifier
	 * needs it on the register that indexes. */
	barrier_var(d);
	if (!py_enter(c, s)) {
		s->st.ips[d & 255] = s->pc;
		s->st.depth = d + 1;
	}

	/* --unwind fp (rodata: the verifier keeps one of the two paths):
	 * frame pointers through the window; bpf_get_stack would read each
	 * frame with a call of its own. */
	if (unwind_mode == UNWIND_MODE_FP || !proc)
		goto fp;
	m = unwind_find_map(s, proc, s->pc);
	if (!m) {
		unwind_ask(s->tgid, &proc->last_miss_ns);
		s->end = UNWIND_END_NO_MAPPING;
		if (unwind_mode == UNWIND_MODE_AUTO)
			goto fp;
		return 1;
	}
	if (m->table == UNWIND_TABLE_NONE || m->table == UNWIND_TABLE_LOST) {
		s->end = m->table == UNWIND_TABLE_NONE ? UNWIND_END_NO_TABLE :
							 UNWIND_END_TABLE_LOST;
		if (unwind_mode == UNWIND_MODE_AUTO)
			goto fp;
		return 1;
	}
	/* A return address is after the call: look up the call itself. */
	rel = s->pc - m->bias - (s->exact ? 0 : 1);
	row = unwind_find_row(s, c->cache, m->table, rel);
	if (!row) {
		if (unwind_mode == UNWIND_MODE_AUTO && s->end == UNWIND_END_NO_ROW)
			goto fp;
		return 1;
	}
	section_mark(SECT_WALK_LOOKUP);

	switch (row->cfa_type) {
	case UNWIND_CFA_RSP:
		cfa = s->sp + row->cfa_off;
		break;
	case UNWIND_CFA_RBP:
		cfa = s->bp + row->cfa_off;
		break;
	case UNWIND_CFA_PLT:
		cfa = s->sp + row->cfa_off + ((s->pc & 15) >= (__u64)row->rbp_off ? 8 : 0);
		break;
	case UNWIND_CFA_SIGNAL:
		return unwind_signal_step(s) ? 0 : 1;
	case UNWIND_CFA_STOP:
		s->end = UNWIND_END_OK;
		return 1;
	case UNWIND_CFA_NONE:
		s->end = UNWIND_END_NO_ROW;
		if (unwind_mode == UNWIND_MODE_AUTO)
			goto fp;
		return 1;
	default:
		s->end = UNWIND_END_UNSUPPORTED;
		return 1;
	}
	if (cfa <= s->sp) {
		s->end = UNWIND_END_BAD_FRAME;
		return 1;
	}
	if (row->rbp_type == UNWIND_RBP_SAVED && row->rbp_off == -16) {
		/* The usual push %rbp right after the call: one read. */
		if (unwind_read(s, fr, 16, cfa - 16)) {
			s->end = UNWIND_END_BAD_READ;
			return 1;
		}
		s->bp = fr[0];
		ra = fr[1];
	} else {
		if (unwind_read(s, fr, 8, cfa - 8)) {
			s->end = UNWIND_END_BAD_READ;
			return 1;
		}
		ra = fr[0];
		if (row->rbp_type == UNWIND_RBP_SAVED) {
			if (unwind_read(s, fr, 8, cfa + row->rbp_off)) {
				s->end = UNWIND_END_BAD_READ;
				return 1;
			}
			s->bp = fr[0];
		}
	}
	section_mark(SECT_WALK_READ);
	if (s->tramp && ra == s->tramp) {
		ra = unwind_untrampoline(s, cfa - 8);
		s->trampolines++;
		if (!ra) {
			s->end = UNWIND_END_BAD_FRAME;
			return 1;
		}
	}
	if (!ra) {
		s->end = UNWIND_END_OK;
		return 1;
	}
	s->pc = ra;
	s->sp = cfa;
	s->exact = 0;
	s->end = UNWIND_END_OK;
	return 0;
fp:
	if (!unwind_fp_step(s))
		return 1;
	if (s->tramp && s->pc == s->tramp) {
		s->pc = unwind_untrampoline(s, s->sp - 8);
		s->trampolines++;
		if (!s->pc) {
			s->end = UNWIND_END_BAD_FRAME;
			return 1;
		}
	}
	s->exact = 0;
	/* Keep the reason only if the walk ends on it. */
	s->end = UNWIND_END_OK;
	return s->pc ? 0 : 1;
}

/* Put back return addresses bpf_get_stack found as the trampoline, in
 * order (it gives no stack slots to match). */
static long unwind_fix_step(__u32 i, void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct unwind_scratch *s = ((struct unwind_ctx *)ctx)->s;
	struct return_instance *ri;
	__u64 *ip;

	if (i >= s->st.depth || i >= PROF_MAX_STACK_DEPTH)
		return 1;
	barrier_var(i);
	ip = &s->st.ips[i & 255];
	if (*ip != s->tramp)
		return 0;
	ri = BPF_CORE_READ(task, utask, return_instances);
	for (__u32 k = 0; k < 16 && ri; k++) {
		if (k == s->trampolines) {
			*ip = BPF_CORE_READ(ri, orig_ret_vaddr);
			break;
		}
		ri = BPF_CORE_READ(ri, next);
	}
	s->trampolines++;
	return 0;
}

/* The current process's uprobes area (its first slot is the uretprobe
 * trampoline), 0 when it has none.  task has its type (BTF): the verifier
 * turns these into plain loads that read 0 through a NULL pointer, where
 * BPF_CORE_READ would call a probe-read helper for each of the three. */
static __always_inline __u64 unwind_trampoline(struct task_struct *task)
{
	struct xol_area *area = task->mm->uprobes_state.xol_area;

	return area ? area->vaddr : 0;
}

/*
 * The user stack from registers (ip, sp, bp), into the per-CPU scratch;
 * ctx is the program's context (for bpf_get_stack).  Returns the scratch
 * with st.depth frames and st.end set, or NULL.
 */
static __always_inline struct stack_trace *
unwind_user(void *ctx, __u64 ip, __u64 sp, __u64 bp)
{
	struct unwind_scratch *s;
	struct unwind_proc *proc = NULL;
	struct unwind_ctx c;
	__u32 zero = 0;
	long n;

	s = bpf_map_lookup_elem(&unwind_scratch, &zero);
	if (!s)
		return NULL;
	s->tgid = bpf_get_current_pid_tgid() >> 32;
	s->tramp = unwind_trampoline(bpf_get_current_task_btf());
	s->trampolines = 0;
	s->win_len = 0;
	s->py_frame = 0;
	s->py_emit = 0;
	s->py_looked = 0;
	s->st.depth = 0;
	s->st.end = UNWIND_END_OK;

	if (unwind_mode != UNWIND_MODE_FP) {
		proc = bpf_map_lookup_elem(&unwind_procs, &s->tgid);
		if (!proc)
			unwind_ask_unknown(s->tgid);
	}
	section_mark(SECT_USER_SETUP);
	if (proc || unwind_mode == UNWIND_MODE_FP) {
		s->pc = ip;
		s->sp = sp;
		s->bp = bp;
		s->exact = 1;
		s->end = UNWIND_END_OK;
		c.proc = proc;
		c.s = s;
		c.cache = proc ? bpf_map_lookup_elem(&unwind_cache, &zero) : NULL;
		c.py = proc && (proc->flags & UNWIND_PROC_PYTHON) ?
			       bpf_map_lookup_elem(&py_procs, &s->tgid) : NULL;
		c.py_seen = c.py ? bpf_map_lookup_elem(&py_seen, &zero) : NULL;
		/* Twice the depth: a step that meets the eval function
		 * records nothing itself (its Python frames follow), so
		 * a full stack may take more steps than frames. */
		bpf_loop(2 * PROF_MAX_STACK_DEPTH, unwind_step, &c, 0);
		s->st.end = s->end;
		if ((s->st.depth >= PROF_MAX_STACK_DEPTH || s->py_emit) &&
		    s->end == UNWIND_END_OK)
			s->st.end = UNWIND_END_TRUNCATED;
		inc_stat(STAT_UNWIND_END + (s->st.end < UNWIND_END__MAX ? s->st.end : 0));
		section_mark(SECT_WALK_OTHER);
		return &s->st;
	}
	if (unwind_mode == UNWIND_MODE_DWARF) {
		/* No tables for this process yet: the leaf only. */
		s->st.ips[0] = ip;
		s->st.depth = 1;
		s->st.end = UNWIND_END_NO_PROCESS;
		inc_stat(STAT_UNWIND_END + UNWIND_END_NO_PROCESS);
		return &s->st;
	}
	n = bpf_get_stack(ctx, s->st.ips, sizeof(s->st.ips), BPF_F_USER_STACK);
	section_mark(SECT_USER_FP);
	if (n <= 0)
		return NULL;
	s->st.depth = n / sizeof(__u64);
	if (s->tramp) {
		c.proc = NULL;
		c.s = s;
		c.cache = NULL;
		c.py = NULL;
		c.py_seen = NULL;
		bpf_loop(PROF_MAX_STACK_DEPTH, unwind_fix_step, &c, 0);
	}
	if (unwind_mode == UNWIND_MODE_AUTO)
		s->st.end = UNWIND_END_NO_PROCESS;
	inc_stat(STAT_UNWIND_END + s->st.end);
	return &s->st;
}

/*
 * Process lifetime: a forked child maps what its parent maps, so it gets a
 * copy of its parent's entry at once; exec replaces the mappings (the
 * entry goes, and the next sample asks for the new ones); the leader's
 * exit ends the process.
 */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(unwind_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	struct unwind_proc *p;
	struct py_proc *py;

	if (ptgid == ctgid || unwind_mode == UNWIND_MODE_FP)
		return 0;
	p = bpf_map_lookup_elem(&unwind_procs, &ptgid);
	if (p && bpf_map_update_elem(&unwind_procs, &ctgid, p, BPF_ANY))
		inc_stat(STAT_UNWIND_PROCS_FULL);
	/* The child runs the same interpreter at the same addresses. */
	py = p && (p->flags & UNWIND_PROC_PYTHON) ?
		     bpf_map_lookup_elem(&py_procs, &ptgid) : NULL;
	if (py)
		bpf_map_update_elem(&py_procs, &ctgid, py, BPF_ANY);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(unwind_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);

	bpf_map_delete_elem(&unwind_procs, &tgid);
	bpf_map_delete_elem(&unwind_asked, &tgid);
	bpf_map_delete_elem(&py_procs, &tgid);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(unwind_exit, struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);

	if (BPF_CORE_READ(p, pid) != tgid)
		return 0;
	bpf_map_delete_elem(&unwind_procs, &tgid);
	bpf_map_delete_elem(&unwind_asked, &tgid);
	bpf_map_delete_elem(&py_procs, &tgid);
	return 0;
}

#endif
