/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Python frames of a run: which processes run which interpreter (told by
 * the unwinder when it finds one, user/symbols/pydetect.h), their code
 * objects read as soon as the BPF side first reports them (the process
 * may have exited by the time its frames are named), and the naming of a
 * tagged stack slot (include/python.h) as a frame.
 */
#ifndef PROFILER_PYFRAMES_H
#define PROFILER_PYFRAMES_H

#include <stdint.h>
#include <sys/types.h>

#include "model/frame.h"

struct pyframes;
struct py_image;

struct pyframes *pyframes__new(void);
void pyframes__free(struct pyframes *py);

/* pid runs img's interpreter (replacing what was known of pid).  0 or
 * -ENOMEM. */
int pyframes__set_process(struct pyframes *py, pid_t pid, const struct py_image *img);
/* pid exited or exec'd. */
void pyframes__forget(struct pyframes *py, pid_t pid);
/* Read the code object at code in pid now, if pid is known. */
void pyframes__prefetch(struct pyframes *py, pid_t pid, uint64_t code);

/*
 * Name the tagged slot ip of pid into f: the function's qualified name,
 * its file and line, f->python set; or a bracketed note ("[python: ...]")
 * when it can't be named.  The strings live as long as py.
 */
void pyframes__resolve(struct pyframes *py, pid_t pid, uint64_t ip, struct frame *f);

struct pyframes_stats {
	uint64_t processes;	/* processes with an interpreter known */
	uint64_t prefetched;	/* code objects read on the kernel's word */
	uint64_t unreadable;	/* frames whose code object could not be read */
	uint64_t reused;	/* addresses found holding another code object */
};
void pyframes__stats(const struct pyframes *py, struct pyframes_stats *st);

#endif
