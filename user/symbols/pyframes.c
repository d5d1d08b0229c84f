// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Naming Python frames (pyframes.h).  A process's interpreter description
 * is kept by pid; code objects are cached by pycode.c per (pid, address),
 * so a frame seen in a thousand stacks is read once, and one prefetched
 * while the process ran is still named after it exited.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hashmap.h"
#include "lib/log.h"
#include "symbols/pycode.h"
#include "symbols/pydetect.h"
#include "symbols/pyframes.h"

struct pyframes {
	struct u64map *procs;		/* pid -> index in imgs + 1 */
	struct py_image *imgs;
	size_t nimgs, cap;
	struct py_codes *codes;
	struct pyframes_stats st;
};

struct pyframes *pyframes__new(void)
{
	struct pyframes *py = calloc(1, sizeof(*py));

	if (!py)
		return NULL;
	py->procs = u64map__new();
	py->codes = py_codes__new();
	if (!py->procs || !py->codes) {
		pyframes__free(py);
		return NULL;
	}
	return py;
}

void pyframes__free(struct pyframes *py)
{
	if (!py)
		return;
	u64map__free(py->procs);
	py_codes__free(py->codes);
	free(py->imgs);
	free(py);
}

static const struct py_image *image_of(const struct pyframes *py, pid_t pid)
{
	uint64_t i;

	if (!py || !u64map__get(py->procs, (uint64_t)pid, &i) || !i || i > py->nimgs)
		return NULL;
	return &py->imgs[i - 1];
}

int pyframes__set_process(struct pyframes *py, pid_t pid, const struct py_image *img)
{
	uint64_t i;

	if (u64map__get(py->procs, (uint64_t)pid, &i) && i && i <= py->nimgs) {
		/* The same pid again (its mappings reloaded): keep its code
		 * objects unless the interpreter changed (an exec). */
		if (py->imgs[i - 1].code_type != img->code_type)
			py_codes__forget(py->codes, pid);
		py->imgs[i - 1] = *img;
		return 0;
	}
	if (py->nimgs == py->cap) {
		size_t cap = py->cap ? 2 * py->cap : 16;
		struct py_image *n = realloc(py->imgs, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		py->imgs = n;
		py->cap = cap;
	}
	py->imgs[py->nimgs++] = *img;
	if (u64map__set(py->procs, (uint64_t)pid, py->nimgs)) {
		py->nimgs--;
		return -ENOMEM;
	}
	py->st.processes++;
	return 0;
}

void pyframes__forget(struct pyframes *py, pid_t pid)
{
	uint64_t i;

	if (!py || !u64map__get(py->procs, (uint64_t)pid, &i))
		return;
	/* The image slot stays (indexes are kept by others); the pid no
	 * longer points at it. */
	u64map__set(py->procs, (uint64_t)pid, 0);
	py_codes__forget(py->codes, pid);
}

void pyframes__prefetch(struct pyframes *py, pid_t pid, uint64_t code)
{
	const struct py_image *img = image_of(py, pid);

	int r;

	if (!img || !code)
		return;
	/* Seen again after the kernel's per-CPU memory of it was
	 * overwritten, or on another CPU: check the address still holds
	 * the same code object. */
	r = py_codes__refresh(py->codes, pid, code, img->off, img->code_type);
	if (r >= 0)
		py->st.prefetched++;
	if (r > 0)
		py->st.reused++;
}

static const char *mark_name(unsigned int m)
{
	switch (m) {
	case PY_MARK_BAD_READ:
		return "[python: frame unreadable]";
	case PY_MARK_NO_THREAD:
		return "[python: thread state not found]";
	case PY_MARK_TRUNCATED:
		return "[python: more frames]";
	}
	return "[python: ?]";
}

void pyframes__resolve(struct pyframes *py, pid_t pid, uint64_t ip, struct frame *f)
{
	uint64_t code = py_frame_code(ip);
	uint32_t lasti = py_frame_lasti(ip);
	const struct py_image *img = image_of(py, pid);
	const struct py_code *c;

	memset(f, 0, sizeof(*f));
	f->python = true;
	if (!code) {
		f->name = mark_name(lasti);
		return;
	}
	c = img ? py_codes__get(py->codes, pid, code, img->off, img->code_type) : NULL;
	if (!c) {
		p_dbg("python: code object %#llx of process %d unreadable: %s",
		      (unsigned long long)code, (int)pid,
		      img ? strerror(errno) : "no interpreter known");
		py->st.unreadable++;
		f->name = "[python: code object unreadable]";
		return;
	}
	f->name = c->qualname;
	f->file = c->filename;
	f->start_line = c->firstlineno > 0 ? (unsigned int)c->firstlineno : 0;
	{
		int line = py_code_line(c, lasti);

		f->line = line > 0 ? (unsigned int)line : 0;
	}
}

void pyframes__stats(const struct pyframes *py, struct pyframes_stats *st)
{
	if (py)
		*st = py->st;
	else
		memset(st, 0, sizeof(*st));
}
