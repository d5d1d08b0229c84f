// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/array.h"
#include "common.h"
#include "symbols/debuginfo.h"
#include "symbols/elfsyms.h"
#include "lib/hashmap.h"
#include "lib/log.h"
#include "symbols/procmaps.h"
#include "symbols/pydetect.h"
#include "symbols/pyframes.h"
#include "symbols/targetfs.h"
#include "model/profile.h"
#include "symbols/unwind_table.h"
#include "modes/unwinder.h"
#include "run/cli.h"

/* A PT_LOAD segment: how file offsets map to ELF addresses. */
struct load {
	uint64_t offset, vaddr, filesz;
};

#define MAX_LOADS 16

/* A file's table as stored in the kernel, once per run. */
struct utable {
	uint32_t id;		/* UNWIND_TABLE_NONE: no table (frame pointers) */
	uint64_t base;		/* ELF vaddr of row pc 0 */
	struct load loads[MAX_LOADS];
	int nloads;
};

struct shard {
	int fd;
	struct unwind_row *rows;	/* mmaped: UNWIND_SHARD_ROWS rows */
	uint32_t used;
};

struct unwinder {
	struct unwinder_opts o;
	struct unwinder_maps m;
	struct utable *tables;
	size_t ntables, tables_cap;
	struct u64map *by_inode;	/* hash(dev, inode) -> tables index */
	struct u64map *by_build_id;	/* hash(build-id) -> tables index */
	int32_t vdso;			/* tables index of the vDSO, -1: not yet */
	uint32_t next_id;
	struct shard *shards;
	size_t nshards;
	size_t pages_used;
	struct u64map *last_load;	/* pid -> CLOCK_MONOTONIC ns */
	/* Processes whose mappings the kernel asked for, in order; queued
	 * marks those waiting (pid -> 1, 0 once served) so that each waits
	 * once. */
	pid_t *queue;
	size_t qhead, qlen, qcap;
	struct u64map *queued;
	struct u64map *py_refused;	/* pids told their Python is not walked */
	struct unwind_proc *proc;	/* scratch for one process's entry */
	struct unwinder_stats st;
	bool warned_ceiling, warned_pages, warned_procs;
};

/* Rows of one file at most (libLLVM-14 has 820,000): a hostile file
 * must not take the loader's memory. */
#define UNWIND_MAX_FILE_ROWS	(4u << 20)

/* Requests for one process are served at most this often. */
#define RELOAD_NS	(100 * 1000 * 1000ULL)
/* Kernel memory per page-index entry (key, value, hash table overhead). */
#define PAGE_ENTRY_BYTES	72

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + t.tv_nsec;
}

int unwind_mode_parse(const char *s)
{
	if (!strcmp(s, "auto"))
		return UNWIND_MODE_AUTO;
	if (!strcmp(s, "dwarf"))
		return UNWIND_MODE_DWARF;
	if (!strcmp(s, "fp"))
		return UNWIND_MODE_FP;
	return -1;
}

void stack_opts__defaults(struct stack_opts *o)
{
	o->unwind = UNWIND_MODE_AUTO;
	o->unwind_max_mb = UNWIND_DEFAULT_MAX_MB;
}

int stack_opts__parse(int c, const char *arg, struct stack_opts *o)
{
	switch (c) {
	case STACK_OPT_UNWIND:
		o->unwind = unwind_mode_parse(arg);
		if (o->unwind < 0)
			return cli_error("unknown mode '%s' for --unwind "
					 "(expected auto, dwarf or fp)", arg);
		return CLI_OK;
	case STACK_OPT_UNWIND_MAX_MB:
		return cli_parse_size(arg, "--unwind-max-mb", 65536,
				      &o->unwind_max_mb);
	case STACK_OPT_NO_PYTHON:
		o->no_python = true;
		return CLI_OK;
	}
	return CLI_EXIT_OK;
}

void stack_opts__usage(FILE *out)
{
	fprintf(out,
"\n"
"User stacks:\n"
"      --unwind MODE         auto (default): unwind tables from each file's\n"
"                            CFI (.eh_frame), frame pointers where a file has\n"
"                            none; dwarf: tables only; fp: frame pointers only\n"
"      --unwind-max-mb MB    kernel memory for unwind tables at most\n"
"                            (default %d)\n"
"      --no-python           native frames only: not the Python functions\n"
"                            CPython processes run (shown by default)\n",
		UNWIND_DEFAULT_MAX_MB);
}

const char *unwind_end_name(unsigned int end)
{
	switch (end) {
	case UNWIND_END_OK:
		return "complete";
	case UNWIND_END_TRUNCATED:
		return "truncated";
	case UNWIND_END_NO_PROCESS:
		return "process not loaded";
	case UNWIND_END_NO_MAPPING:
		return "unknown mapping";
	case UNWIND_END_NO_TABLE:
		return "no table";
	case UNWIND_END_NO_ROW:
		return "no CFI";
	case UNWIND_END_UNSUPPORTED:
		return "unsupported CFI";
	case UNWIND_END_BAD_READ:
		return "bad read";
	case UNWIND_END_BAD_FRAME:
		return "bad frame";
	case UNWIND_END_TABLE_LOST:
		return "table missing";
	}
	return "?";
}

const char *unwind_end_hint(unsigned int end)
{
	switch (end) {
	case UNWIND_END_TRUNCATED:
		return "deeper than 255 frames: the outermost are cut";
	case UNWIND_END_NO_PROCESS:
		return "first samples of a process, before its tables were loaded";
	case UNWIND_END_NO_MAPPING:
		return "code mapped after its process was loaded, until it is";
	case UNWIND_END_NO_TABLE:
		return "code without unwind tables (JIT?): --unwind auto walks it "
		       "with frame pointers";
	case UNWIND_END_NO_ROW:
		return "an address no CFI covers";
	case UNWIND_END_UNSUPPORTED:
		return "CFI this unwinder does not follow";
	case UNWIND_END_BAD_READ:
		return "stack memory could not be read";
	case UNWIND_END_BAD_FRAME:
		return "a frame did not lead up the stack";
	case UNWIND_END_TABLE_LOST:
		return "a table over the memory ceiling (raise --unwind-max-mb) "
		       "or the page index";
	}
	return "";
}

struct unwinder *unwinder__new(const struct unwinder_opts *o,
			       const struct unwinder_maps *maps)
{
	struct unwinder *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->o = *o;
	u->m = *maps;
	u->vdso = -1;
	u->next_id = 1;
	u->by_inode = u64map__new();
	u->by_build_id = u64map__new();
	u->last_load = u64map__new();
	u->queued = u64map__new();
	u->py_refused = u64map__new();
	u->proc = calloc(1, sizeof(*u->proc));
	u->shards = calloc(UNWIND_MAX_SHARDS, sizeof(*u->shards));
	if (!u->by_inode || !u->by_build_id || !u->last_load || !u->queued ||
	    !u->py_refused || !u->proc ||
	    !u->shards) {
		unwinder__free(u);
		return NULL;
	}
	elf_version(EV_CURRENT);
	return u;
}

void unwinder__free(struct unwinder *u)
{
	size_t i;

	if (!u)
		return;
	for (i = 0; u->shards && i < u->nshards; i++) {
		if (u->shards[i].rows)
			munmap(u->shards[i].rows, sizeof(struct unwind_shard));
		if (u->shards[i].fd >= 0)
			close(u->shards[i].fd);
	}
	free(u->shards);
	free(u->tables);
	free(u->proc);
	u64map__free(u->by_inode);
	u64map__free(u->by_build_id);
	u64map__free(u->py_refused);
	u64map__free(u->last_load);
	u64map__free(u->queued);
	free(u->queue);
	free(u);
}

void unwinder__stats(const struct unwinder *u, struct unwinder_stats *st)
{
	*st = u->st;
	st->shards = u->nshards;
	st->bytes = u->nshards * sizeof(struct unwind_shard) +
		    u->pages_used * PAGE_ENTRY_BYTES;
}

/* A new shard with room, or NULL at the ceiling (said once). */
static struct shard *new_shard(struct unwinder *u)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_MMAPABLE);
	struct shard *s;
	uint32_t idx = u->nshards;
	void *mem;
	int fd;

	if (u->nshards >= UNWIND_MAX_SHARDS ||
	    (u->nshards + 1) * sizeof(struct unwind_shard) > u->o.max_bytes) {
		if (!u->warned_ceiling)
			p_warn("unwind tables reached the memory ceiling (%zu MiB): "
			       "further files are walked with frame pointers; "
			       "raise --unwind-max-mb", u->o.max_bytes >> 20);
		u->warned_ceiling = true;
		return NULL;
	}
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "unwind_shard", sizeof(__u32),
			    sizeof(struct unwind_shard), 1, &opts);
	if (fd < 0) {
		p_warn("cannot create an unwind table shard: %s", strerror(errno));
		u->warned_ceiling = true;
		return NULL;
	}
	mem = mmap(NULL, sizeof(struct unwind_shard), PROT_READ | PROT_WRITE,
		   MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED) {
		p_warn("cannot map an unwind table shard: %s", strerror(errno));
		close(fd);
		return NULL;
	}
	if (bpf_map_update_elem(u->m.shards_fd, &idx, &fd, BPF_ANY)) {
		p_warn("cannot install an unwind table shard: %s", strerror(errno));
		munmap(mem, sizeof(struct unwind_shard));
		close(fd);
		return NULL;
	}
	s = &u->shards[u->nshards++];
	s->fd = fd;
	s->rows = mem;
	s->used = 0;
	return s;
}

static void to_row(const struct unwind_entry *e, uint64_t base, struct unwind_row *r)
{
	r->pc = (uint32_t)(e->vaddr - base);
	r->cfa_off = e->cfa_off;
	r->rbp_off = e->rbp_off;
	r->cfa_type = e->cfa_type;
	r->rbp_type = e->rbp_type;
}

/*
 * Store t's rows as table id: for each 64 KiB page, the slice of rows in
 * force there (from the one in force at its start), consecutive pages
 * sharing one copy in a shard as long as it has room.  0, -ENOSPC (the
 * memory ceiling) or -E2BIG (the page index is full); what was stored is
 * then left unused.
 */
static int store_table(struct unwinder *u, const struct unwind_table *t,
		       uint32_t id, uint64_t base)
{
	const struct unwind_entry *r = t->rows;
	size_t n = t->n, first = 0, p, npages;
	struct shard *sh = u->nshards ? &u->shards[u->nshards - 1] : NULL;
	/* The current copy: rows [cfirst, cnext) at sh->rows[cpos...]. */
	size_t cfirst = 0, cnext = 0, cpos = 0;
	bool copying = false;

	npages = ((r[n - 1].vaddr - base) >> UNWIND_PAGE_SHIFT) + 1;
	for (p = 0; p < npages; p++) {
		uint64_t pstart = base + ((uint64_t)p << UNWIND_PAGE_SHIFT);
		uint64_t pend = pstart + (1ULL << UNWIND_PAGE_SHIFT);
		struct unwind_page_key key = { .table = id, .page = (uint32_t)p };
		struct unwind_page val = {};
		size_t last = first, k;

		while (first + 1 < n && r[first + 1].vaddr <= pstart)
			first++;
		last = first;
		while (last + 1 < n && r[last + 1].vaddr < pend)
			last++;
		/* Nothing but "no CFI" here: no entry says as much. */
		if (first == last && r[first].cfa_type == UNWIND_CFA_NONE)
			continue;
		if (!copying || first < cfirst ||
		    cpos + (last + 1 - cfirst) > UNWIND_SHARD_ROWS) {
			/* A new copy, in this shard if the slice fits. */
			if (!sh || sh->used + (last + 1 - first) > UNWIND_SHARD_ROWS) {
				sh = new_shard(u);
				if (!sh)
					return -ENOSPC;
			}
			copying = true;
			cfirst = first;
			cnext = first;
			cpos = sh->used;
		}
		for (k = cnext > first ? cnext : first; k <= last; k++) {
			to_row(&r[k], base, &sh->rows[cpos + (k - cfirst)]);
			u->st.rows++;
		}
		if (last + 1 > cnext) {
			sh->used = cpos + (last + 1 - cfirst);
			cnext = last + 1;
		}
		val.shard = sh - u->shards;
		val.first = cpos + (first - cfirst);
		val.count = last + 1 - first;
		if (u->pages_used >= u->m.max_pages ||
		    bpf_map_update_elem(u->m.pages_fd, &key, &val, BPF_ANY)) {
			if (!u->warned_pages)
				p_warn("the unwind page index is full (%zu pages of 64 "
				       "KiB of code): further files are walked with "
				       "frame pointers", u->m.max_pages);
			u->warned_pages = true;
			return -E2BIG;
		}
		u->pages_used++;
	}
	return 0;
}

static int read_loads(Elf *elf, struct utable *ut)
{
	size_t n, i;

	if (elf_getphdrnum(elf, &n))
		return -EINVAL;
	ut->nloads = 0;
	for (i = 0; i < n && ut->nloads < MAX_LOADS; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		ut->loads[ut->nloads].offset = ph.p_offset;
		ut->loads[ut->nloads].vaddr = ph.p_vaddr;
		ut->loads[ut->nloads].filesz = ph.p_filesz;
		ut->nloads++;
	}
	return ut->nloads ? 0 : -EINVAL;
}

/*
 * A file with neither .eh_frame nor .debug_frame: the .debug_frame of its
 * separate debug file (by build-id or debuglink, as the symbolizer finds
 * it), if there is one.  fd, path: the file as opened.
 */
static int build_from_debug_file(struct unwinder *u, Elf *elf, int fd,
				 const char *path, struct unwind_table *t)
{
	struct debuginfo *d;
	char *search;
	Elf *delf;
	int err = -ENOENT;

	if (fd < 0 || asprintf(&search, ":.debug:/usr/lib/debug%s%s",
			       u->o.debug_dirs ? ":" : "",
			       u->o.debug_dirs ? u->o.debug_dirs : "") < 0)
		return -ENOENT;
	d = debuginfo__open(fd, path, search);
	delf = d ? debuginfo__dwarf_elf(d) : NULL;
	if (delf && delf != elf)
		err = unwind_table__build(elf, delf, UNWIND_MAX_FILE_ROWS, t);
	debuginfo__free(d);
	free(search);
	return err;
}

/* Build elf's table into ut (a new id), or leave ut without one.  fd and
 * path: the file as opened (-1 and NULL for the vDSO). */
static void build(struct unwinder *u, Elf *elf, int fd, const char *path,
		  const char *name, struct utable *ut)
{
	struct unwind_table t;
	uint64_t t0 = now_ns();
	GElf_Ehdr eh;
	int err;

	ut->id = UNWIND_TABLE_NONE;
	/* Only x86-64 CFI names rsp, rbp and the return address as the BPF
	 * side reads them (a 32-bit process's i386 registers differ). */
	if (gelf_getclass(elf) != ELFCLASS64 || !gelf_getehdr(elf, &eh) ||
	    eh.e_machine != EM_X86_64) {
		u->st.no_cfi++;
		p_dbg("unwind: %s is not x86-64 code: frame pointers there", name);
		return;
	}
	if (read_loads(elf, ut)) {
		u->st.failed++;
		p_dbg("unwind: %s: no loadable segments", name);
		return;
	}
	err = unwind_table__build(elf, NULL, UNWIND_MAX_FILE_ROWS, &t);
	if (err == -ENOENT)
		err = build_from_debug_file(u, elf, fd, path, &t);
	u->st.build_ns += now_ns() - t0;
	if (err == -ENOENT) {
		u->st.no_cfi++;
		p_dbg("unwind: %s has no CFI: frame pointers there", name);
		return;
	}
	if (err == -E2BIG) {
		u->st.failed++;
		p_warn("unwind: %s has more than %u rows of CFI: walked with frame "
		       "pointers", name, UNWIND_MAX_FILE_ROWS);
		return;
	}
	if (err || !t.n) {
		u->st.failed++;
		p_dbg("unwind: cannot read the CFI of %s: %s", name,
		      strerror(err ? -err : EINVAL));
		unwind_table__free(&t);
		return;
	}
	ut->base = t.rows[0].vaddr;
	if (t.rows[t.n - 1].vaddr - ut->base > UINT32_MAX) {
		u->st.failed++;
		p_dbg("unwind: %s spans more than 4 GiB of addresses", name);
		unwind_table__free(&t);
		return;
	}
	ut->id = u->next_id++;
	err = store_table(u, &t, ut->id, ut->base);
	if (err) {
		/* Its mappings say so; what was stored stays unused. */
		ut->id = UNWIND_TABLE_LOST;
		if (err == -E2BIG)
			u->st.pages_full++;
		else
			u->st.over_ceiling++;
	} else {
		u->st.tables++;
	}
	p_dbg("unwind: %s: %zu rows from %s (%zu FDEs) in %.1f ms", name, t.n,
	      t.section, t.fdes, (now_ns() - t0) / 1e6);
	unwind_table__free(&t);
}

static int add_table(struct unwinder *u)
{
	if (GROW(u->tables, u->ntables, u->tables_cap))
		return -ENOMEM;
	memset(&u->tables[u->ntables], 0, sizeof(u->tables[0]));
	return (int)u->ntables++;
}

/* The table of the file behind mapping e of pid: a tables index, or -1. */
static int table_for_file(struct unwinder *u, pid_t pid, const struct map_entry *e)
{
	uint64_t key, bkey = 0, idx;
	char bid[2 * 64 + 1] = "", used[PATH_MAX + 64];
	Elf *elf;
	int fd, i;

	key = hash_bytes(HASH_SEED, &e->inode, sizeof(e->inode));
	key = hash_bytes(key, &e->dev_major, sizeof(e->dev_major));
	key = hash_bytes(key, &e->dev_minor, sizeof(e->dev_minor));
	if (u64map__get(u->by_inode, key, &idx))
		return (int)idx;
	fd = tfs_open_mapping(pid, e, NULL, 0);
	if (fd < 0) {
		p_dbg("unwind: cannot open %s of pid %d: %s", e->path, (int)pid,
		      strerror(-fd));
		return -1;
	}
	tfs_debug_name(pid, e, used, sizeof(used));
	if (elf_read_build_id(fd, bid, sizeof(bid)) == 0) {
		bkey = hash_bytes(HASH_SEED, bid, strlen(bid));
		if (u64map__get(u->by_build_id, bkey, &idx)) {
			close(fd);
			u64map__set(u->by_inode, key, idx);
			return (int)idx;
		}
	}
	i = add_table(u);
	if (i < 0) {
		close(fd);
		return -1;
	}
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf && elf_kind(elf) == ELF_K_ELF) {
		build(u, elf, fd, used, e->path, &u->tables[i]);
	} else {
		u->st.failed++;
		u->tables[i].id = UNWIND_TABLE_NONE;
	}
	if (elf)
		elf_end(elf);
	close(fd);
	u64map__set(u->by_inode, key, i);
	if (*bid)
		u64map__set(u->by_build_id, bkey, i);
	return i;
}

/* The vDSO is one image for every process: ours. */
static int table_for_vdso(struct unwinder *u)
{
	struct proc_maps self = {};
	unsigned long base = getauxval(AT_SYSINFO_EHDR);
	size_t k;
	int i;

	if (u->vdso >= 0)
		return u->vdso;
	i = add_table(u);
	if (i < 0)
		return -1;
	u->vdso = i;
	u->tables[i].id = UNWIND_TABLE_NONE;
	if (!base || procmaps__read(getpid(), &self))
		return i;
	for (k = 0; k < self.n; k++) {
		Elf *elf;

		if (self.v[k].kind != MAP_KIND_VDSO || self.v[k].start != base)
			continue;
		elf = elf_memory((char *)base, self.v[k].end - self.v[k].start);
		if (elf) {
			build(u, elf, -1, NULL, "[vdso]", &u->tables[i]);
			elf_end(elf);
		}
		break;
	}
	procmaps__clear(&self);
	return i;
}

/* bias of mapping e of a file whose segments ut lists: pc - bias = vaddr. */
static bool map_bias(const struct utable *ut, const struct map_entry *e,
		     uint64_t *bias)
{
	int k;

	for (k = 0; k < ut->nloads; k++) {
		const struct load *l = &ut->loads[k];
		uint64_t aligned = l->offset & ~(uint64_t)0xfff;

		if (e->pgoff >= aligned && e->pgoff < l->offset + l->filesz) {
			*bias = e->start - e->pgoff - (l->vaddr - l->offset);
			return true;
		}
	}
	return false;
}

struct unwinder *unwinder__open(struct bpf_object *obj,
				const struct unwinder_opts *o)
{
	static const char *const names[] = {
		"unwind_procs", "unwind_pages", "unwind_shards", "unwind_events",
	};
	struct bpf_map *maps[4], *py;
	struct unwinder_maps m;
	struct unwinder *u;
	size_t i;

	for (i = 0; i < 4; i++) {
		maps[i] = bpf_object__find_map_by_name(obj, names[i]);
		if (!maps[i]) {
			p_err("the BPF object has no map %s", names[i]);
			return NULL;
		}
	}
	m.procs_fd = bpf_map__fd(maps[0]);
	m.pages_fd = bpf_map__fd(maps[1]);
	m.shards_fd = bpf_map__fd(maps[2]);
	m.events_fd = bpf_map__fd(maps[3]);
	m.max_procs = bpf_map__max_entries(maps[0]);
	m.max_pages = bpf_map__max_entries(maps[1]);
	py = bpf_object__find_map_by_name(obj, "py_procs");
	m.py_fd = py ? bpf_map__fd(py) : -1;
	u = unwinder__new(o, &m);
	if (!u)
		p_err("out of memory");
	return u;
}

uint32_t unwind_marker(struct profile *p, unsigned int end)
{
	char name[64];

	if (end == UNWIND_END_OK)
		return 0;
	snprintf(name, sizeof(name), "[unwind: %s]", unwind_end_name(end));
	return profile__pseudo_location(p, name);
}

int unwind_add_truncations(struct profile *p, const uint64_t *ends)
{
	char what[96];
	unsigned int k;

	for (k = 1; k < UNWIND_END__MAX; k++) {
		if (!ends[k])
			continue;
		snprintf(what, sizeof(what), "user stacks incomplete: %s",
			 unwind_end_name(k));
		if (profile__add_truncation(p, what, unwind_end_hint(k), ends[k]))
			return -ENOMEM;
	}
	return 0;
}

/*
 * If pid runs a CPython this profiler can walk, give the kernel its
 * description (py_procs) and mark its entry p; a version it cannot walk is
 * said once per process.  Every load of the process asks again: a
 * libpython may be dlopened after start, and just after exec libc is not
 * mapped yet (-EAGAIN).
 */
static void find_python(struct unwinder *u, pid_t pid, struct unwind_proc *p)
{
	struct py_proc pp;
	struct py_image img;
	char why[256] = "";
	__u32 key = pid;
	uint64_t seen;
	int err;

	if (!u->o.pyframes || u->m.py_fd < 0)
		return;
	err = py_detect(pid, &pp, &img, why, sizeof(why));
	if (err == -ENOTSUP && !u64map__get(u->py_refused, (uint64_t)pid, &seen)) {
		p_warn("%s", why);
		u64map__set(u->py_refused, (uint64_t)pid, 1);
	}
	if (err)
		return;
	if (bpf_map_update_elem(u->m.py_fd, &key, &pp, BPF_ANY)) {
		p_dbg("python: process %d not walked: %s", (int)pid, strerror(errno));
		return;
	}
	if (pyframes__set_process(u->o.pyframes, pid, &img))
		return;
	p->flags |= UNWIND_PROC_PYTHON;
	p_dbg("python: process %d runs %s (%u.%u)", (int)pid, img.path, img.major,
	      img.minor);
}

int unwinder__add_process(struct unwinder *u, pid_t pid)
{
	struct proc_maps maps = {};
	struct unwind_proc *p = u->proc;
	uint64_t t0 = now_ns();
	size_t i, tables = u->ntables;
	int err, t;
	__u32 key = pid;

	if (u->o.mode == UNWIND_MODE_FP)
		return 0;
	err = procmaps__read(pid, &maps);
	if (err)
		return err;
	if (maps.n == 0) {
		procmaps__clear(&maps);
		return -ESRCH;
	}
	memset(p, 0, sizeof(*p));
	for (i = 0; i < maps.n; i++) {
		const struct map_entry *e = &maps.v[i];
		struct unwind_map *m;
		uint64_t bias;

		if (!e->exec)
			continue;
		if (p->nmaps >= UNWIND_MAX_MAPS) {
			u->st.too_many_maps++;
			continue;
		}
		m = &p->maps[p->nmaps++];
		m->start = e->start;
		m->end = e->end;
		m->table = UNWIND_TABLE_NONE;
		if (e->kind == MAP_KIND_FILE)
			t = table_for_file(u, pid, e);
		else if (e->kind == MAP_KIND_VDSO)
			t = table_for_vdso(u);
		else
			t = -1;
		if (t < 0 || u->tables[t].id == UNWIND_TABLE_NONE)
			continue;
		if (u->tables[t].id == UNWIND_TABLE_LOST) {
			m->table = UNWIND_TABLE_LOST;
			continue;
		}
		if (!map_bias(&u->tables[t], e, &bias))
			continue;
		m->table = u->tables[t].id;
		m->bias = bias + u->tables[t].base;
	}
	procmaps__clear(&maps);
	find_python(u, pid, p);
	u->st.processes++;
	u64map__set(u->last_load, (uint64_t)pid, now_ns());
	if (bpf_map_update_elem(u->m.procs_fd, &key, p, BPF_ANY)) {
		err = -errno;
		if (!u->warned_procs)
			p_warn("cannot give process %d's mappings to the unwinder: "
			       "%s%s", (int)pid, strerror(-err),
			       err == -E2BIG ? " (raise --unwind-procs)" : "");
		u->warned_procs = true;
		u->st.procs_full++;
		return 0;
	}
	if (log_level >= LOG_VERBOSE) {
		uint64_t t1 = now_ns(), since = 0;

		if (u->o.launched && (u->o.launched->tv_sec || u->o.launched->tv_nsec))
			since = t1 - ((uint64_t)u->o.launched->tv_sec * 1000000000ULL +
				      u->o.launched->tv_nsec);
		p_dbg("unwind: process %d loaded: %u mappings, %zu new files, "
		      "%.1f ms (%.1f ms after launch)", (int)pid, p->nmaps,
		      u->ntables - tables, (t1 - t0) / 1e6, since / 1e6);
	}
	return 0;
}

/*
 * A request is only queued here: building a process's tables can take
 * tens of milliseconds, and the mode's own events (a new process whose
 * maps must be read before it exits) must not wait behind a batch of them.
 * unwinder__work() serves the queue one process at a time.
 */
static int on_event(void *ctx, void *data, size_t len)
{
	struct unwinder *u = ctx;
	const struct prof_event *e = data;
	uint64_t v;

	if (len >= sizeof(struct py_code_event) && e->kind == EVENT_PY_CODE) {
		const struct py_code_event *pe = data;

		pyframes__prefetch(u->o.pyframes, (pid_t)pe->tgid, pe->code);
		return 0;
	}
	if (len < sizeof(*e) || e->kind != EVENT_LOAD_MAPPINGS ||
	    (u64map__get(u->queued, e->tgid, &v) && v))
		return 0;
	/* Served entries go once they are half the queue: it never grows
	 * past twice the requests waiting. */
	if (u->qhead && u->qhead >= u->qlen / 2) {
		memmove(u->queue, u->queue + u->qhead,
			(u->qlen - u->qhead) * sizeof(*u->queue));
		u->qlen -= u->qhead;
		u->qhead = 0;
	}
	if (GROW(u->queue, u->qlen, u->qcap) || u64map__set(u->queued, e->tgid, 1))
		return 0;	/* out of memory: the kernel asks again */
	u->queue[u->qlen++] = (pid_t)e->tgid;
	return 0;
}

bool unwinder__pending(const struct unwinder *u)
{
	return u && u->qhead < u->qlen;
}

void unwinder__forget(struct unwinder *u, pid_t pid)
{
	uint64_t v;

	if (!u)
		return;
	u64map__del(u->last_load, (uint64_t)pid);
	u64map__del(u->py_refused, (uint64_t)pid);
	pyframes__forget(u->o.pyframes, pid);
	/* One still in the queue keeps its mark until served. */
	if (u64map__get(u->queued, (uint64_t)pid, &v) && !v)
		u64map__del(u->queued, (uint64_t)pid);
}

void unwinder__work(struct unwinder *u)
{
	uint64_t last;
	pid_t pid;
	int err;

	if (!unwinder__pending(u))
		return;
	pid = u->queue[u->qhead++];
	u64map__set(u->queued, (uint64_t)pid, 0);
	if (u64map__get(u->last_load, (uint64_t)pid, &last) &&
	    now_ns() - last < RELOAD_NS)
		return;
	err = unwinder__add_process(u, pid);
	if (err && err != -ENOENT && err != -ESRCH)
		p_dbg("unwind: cannot load process %d: %s", (int)pid, strerror(-err));
}

void unwinder__serve(struct unwinder *u, struct ring_buffer *rb)
{
	if (!rb)
		return;
	ring_buffer__consume(rb);
	if (unwinder__pending(u)) {
		unwinder__work(u);
		ring_buffer__consume(rb);
	}
}

int unwinder__listen(struct unwinder *u, struct ring_buffer **rb)
{
	if (u->o.mode == UNWIND_MODE_FP)
		return 0;
	if (!*rb) {
		*rb = ring_buffer__new(u->m.events_fd, on_event, u, NULL);
		return *rb ? 0 : -errno;
	}
	return ring_buffer__add(*rb, u->m.events_fd, on_event, u) ? -errno : 0;
}
