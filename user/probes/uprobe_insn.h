/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Instructions the x86-64 kernel refuses to put a uprobe on
 * (arch/x86/kernel/uprobes.c answers -ENOTSUPP): a lock or ES/CS/SS/DS
 * segment prefix, and instructions it cannot single-step out of line
 * (int3, int n, hlt, syscall, ud2...).  glibc's pthread_spin_lock, for
 * one, starts with "lock decl".  Checked before attaching because one
 * refused offset fails a whole uprobe_multi link.  Not the kernel's full
 * table: an attach failure still has to be handled.
 */
#ifndef PROFILER_UPROBE_INSN_H
#define PROFILER_UPROBE_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* false, with *why, when the instruction at code is refused. */
bool uprobe_insn_ok(const uint8_t *code, size_t len, const char **why);

#endif
