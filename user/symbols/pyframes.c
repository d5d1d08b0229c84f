// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Naming Python frames (pyframes.h).  A process's interpreter description
 * is kept by pid until the process is forgotten; code objects are cached by pycode.c per (pid, address),
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

/* A process's interpreter, listed for pyframes__free. */
struct py_entry {
	struct py_image img;
	struct py_entry *prev, *next;
};

struct pyframes {
	struct u64map *procs;		/* pid -> struct py_entry * */
	struct py_entry *list;
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
	struct py_entry *e, *next;

	if (!py)
		return;
	for (e = py->list; e; e = next) {
		next = e->next;
		free(e);
	}
	u64map__free(py->procs);
	py_codes__free(py->codes);
	free(py);
}

static struct py_entry *entry_of(const struct pyframes *py, pid_t pid)
{
	uint64_t v;

	if (!py || !u64map__get(py->procs, (uint64_t)pid, &v))
		return NULL;
	return (struct py_entry *)(uintptr_t)v;
}

static const struct py_image *image_of(const struct pyframes *py, pid_t pid)
{
	struct py_entry *e = entry_of(py, pid);

	return e ? &e->img : NULL;
}

int pyframes__set_process(struct pyframes *py, pid_t pid, const struct py_image *img)
{
	struct py_entry *e = entry_of(py, pid);

	if (e) {
		/* The same pid again (its mappings reloaded): keep its code
		 * objects unless the interpreter changed (an exec). */
		if (e->img.code_type != img->code_type)
			py_codes__forget(py->codes, pid);
		e->img = *img;
		return 0;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->img = *img;
	if (u64map__set(py->procs, (uint64_t)pid, (uintptr_t)e)) {
		free(e);
		return -ENOMEM;
	}
	e->next = py->list;
	if (py->list)
		py->list->prev = e;
	py->list = e;
	py->st.processes++;
	return 0;
}

void pyframes__forget(struct pyframes *py, pid_t pid)
{
	struct py_entry *e = entry_of(py, pid);

	if (!e)
		return;
	u64map__del(py->procs, (uint64_t)pid);
	if (e->prev)
		e->prev->next = e->next;
	else
		py->list = e->next;
	if (e->next)
		e->next->prev = e->prev;
	free(e);
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
	int line;

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
	line = py_code_line(c, lasti);
	f->line = line > 0 ? (unsigned int)line : 0;
}

void pyframes__stats(const struct pyframes *py, struct pyframes_stats *st)
{
	if (py)
		*st = py->st;
	else
		memset(st, 0, sizeof(*st));
}
