/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Python frames in user stacks (include/python.h).  The unwinder calls in
 * here when a frame's pc is in the interpreter's eval function: that call
 * of the eval function runs a chain of interpreter frames, from the
 * thread's current one (or where the previous eval call's chain ended) to
 * the one marked as its entry.  They are emitted one per step of the walk,
 * in place of the eval function's native frame, and the native walk goes
 * on from the eval function's caller.
 *
 * The thread's state comes from glibc's thread-specific data under
 * CPython's GIL-state key, which every thread that ever ran Python has,
 * holding the GIL or not.  tss_key is the key's address in a Py_tss_t
 * {int _is_initialized; pthread_key_t _key;}.
 */
#ifndef PROFILER_PYTHON_BPF_H
#define PROFILER_PYTHON_BPF_H

#include "python.h"

/* tgid -> its interpreter; the loader writes them (pydetect). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PY_MAX_PROCS);
	__type(key, __u32);
	__type(value, struct py_proc);
} py_procs SEC(".maps");

/* Bytes of an interpreter frame read at once: every field the walk needs
 * lies in [frame + lo, frame + lo + PY_FRAME_READ). */
#define PY_FRAME_READ	64

/* pc is in the eval function of py. */
static __always_inline bool py_in_eval(const struct py_proc *py, __u64 pc)
{
	return (pc >= py->eval_start && pc < py->eval_end) ||
	       (pc >= py->cold_start && pc < py->cold_end);
}

/* The current thread's innermost interpreter frame, or 0 (with *mark set
 * when that is a failure rather than a thread that runs no Python). */
static __always_inline __u64 py_current_frame(const struct py_proc *py,
					      __u32 *mark)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 fsbase = task->thread.fsbase, tstate = 0, cframe = 0, frame = 0;
	__u32 tss[2] = {};	/* Py_tss_t: _is_initialized, _key */
	__u32 key;

	*mark = 0;
	if (bpf_probe_read_user(tss, sizeof(tss), (void *)(py->tss_key - 4)))
		goto no_thread;
	/* Before the runtime made its key, key 0 is someone else's. */
	if (!tss[0])
		return 0;
	key = tss[1];
	if (key >= py->tsd_keys || !fsbase)
		goto no_thread;
	if (bpf_probe_read_user(&tstate, sizeof(tstate),
				(void *)(fsbase + py->tsd_base +
					 (__u64)key * py->tsd_size + py->tsd_data)))
		goto no_thread;
	if (!tstate)
		return 0;	/* this thread never ran Python */
	if (py->off.tstate_cframe != 0xffff) {
		if (bpf_probe_read_user(&cframe, sizeof(cframe),
					(void *)(tstate + py->off.tstate_cframe)) ||
		    !cframe ||
		    bpf_probe_read_user(&frame, sizeof(frame),
					(void *)(cframe + py->off.cframe_current))) {
			*mark = PY_MARK_BAD_READ;
			return 0;
		}
	} else if (bpf_probe_read_user(&frame, sizeof(frame),
				       (void *)(tstate + py->off.tstate_frame))) {
		*mark = PY_MARK_BAD_READ;
		return 0;
	}
	return frame;
no_thread:
	*mark = PY_MARK_NO_THREAD;
	return 0;
}

/* A word and a byte of the frame copy buf (read from frame + lo) at
 * offset off of the frame; the loader keeps off - lo + 8 <= PY_FRAME_READ
 * (buf has 8 bytes of slack besides). */
static __always_inline __u64 py_word(const __u8 *buf, __u16 off, __u16 lo)
{
	return *(const __u64 *)&buf[(__u32)(off - lo) & (PY_FRAME_READ - 1)];
}

static __always_inline __u8 py_byte(const __u8 *buf, __u16 off, __u16 lo)
{
	return buf[(__u32)(off - lo) & (PY_FRAME_READ - 1)];
}

#endif
