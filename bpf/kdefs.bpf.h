/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Kernel macros that BTF (and so vmlinux.h) cannot carry.  Values are UAPI or
 * long-stable kernel ABI.
 */
#ifndef PROFILER_KDEFS_BPF_H
#define PROFILER_KDEFS_BPF_H

#define EFAULT		14
#define ENOMEM		12
#define EEXIST		17
#define E2BIG		7

#define SIGSTOP		19	/* asm-generic/signal.h */

#define PF_KTHREAD	0x00200000	/* include/linux/sched.h */

/* task_struct.__state bits (include/linux/sched.h) */
#define TASK_INTERRUPTIBLE	0x0001
#define TASK_UNINTERRUPTIBLE	0x0002
#define TASK_STOPPED		0x0004
#define TASK_TRACED		0x0008
#define TASK_DEAD		0x0080
#define TASK_NOLOAD		0x0400

#endif
