// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <limits.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/array.h"
#include "symbols/debuginfo.h"
#include "symbols/demangle.h"
#include "symbols/elfsyms.h"
#include "lib/hashmap.h"
#include "symbols/kallsyms.h"
#include "lib/log.h"
#include "symbols/perfmap.h"
#include "symbols/procmaps.h"
#include "symbols/pyframes.h"
#include "python.h"
#include "symbols/targetfs.h"
#include "lib/strtab.h"
#include "symbols/symbolize.h"

/*
 * One ELF file, read once per run.  The file is opened when a process that
 * maps it is first seen (it may exit or the file may be replaced later) but
 * its symbols are read only when an address in it needs a name.
 */
struct elf_file {
	struct elf_symtab *tab;	/* NULL: not read yet, or unreadable */
	struct debuginfo *dbg;	/* debug file, DWARF; NULL if none */
	int fd;			/* open until the symbols are read, else -1 */
	const char *module;	/* basename, interned */
	const char *path;	/* as the process maps it, interned */
	const char *open_path;	/* how we reached it (debuglink searches) */
	/* Per symbol of tab, the name shown (demangled), as a string id + 1;
	 * 0: not asked yet.  Allocated at the first lookup: many addresses
	 * fall in one function, and demangling is most of naming one. */
	uint32_t *shown;
};

/*
 * One image of a process: a process that execs during the run has one per
 * generation (the number of execs before), each with its own mappings.
 */
struct proc {
	pid_t pid;
	uint32_t gen;
	struct proc_maps maps;
	int32_t *elf;		/* per mapping: index into s->elfs, or -1 */
	bool refreshed;		/* already re-read once after a miss */
	struct u64map *cache;	/* ip -> cache_val() of its frames */
	struct perfmap *jit;	/* /tmp/perf-PID.map, if the process has one */
	bool jit_reread;	/* read again once after a miss */
	uint64_t gone;		/* the sweep that found it gone; 0: running */
};

struct symbolizer {
	struct symbolizer_opts opts;
	char *search_path;		/* libdwfl's debuginfo path */
	struct strtab *strings;
	struct elf_file *elfs;
	size_t nelfs, elfs_cap;
	struct u64map *elf_by_inode;	/* hash(dev, inode) -> elfs index */
	struct u64map *elf_by_build_id;	/* hash(build-id) -> elfs index */
	/* resolve_file's paths: interned id of the path -> elfs index. */
	struct u64map *elf_by_path;
	size_t open_fds, max_open_fds;	/* ELF files held open, and the cap */
	struct proc *procs;
	size_t nprocs, procs_cap;
	struct u64map *proc_by_pid;	/* proc_key(pid, gen) -> procs index */
	struct u64map *last_gen;	/* pid -> newest generation announced */
	struct kallsyms *kernel;
	bool kernel_tried;
	struct elf_symtab *vdso;	/* this process's vDSO: the same image */
	bool vdso_tried;
	struct u64map *kcache;	/* kernel ip -> cache_val() */
	struct frame *frames;	/* every distinct run of frames resolved */
	size_t nframes, frames_cap;
	struct u64map *runs;	/* hash of a run of frames -> cache_val() */
	struct symbolizer_stats stats;
	bool (*stop)(void *ctx);	/* symbolizer__stop_when() */
	void *stop_ctx;
	bool stopped;			/* stop() said yes: name nothing more */
	bool said_slow;
	int64_t since_ns, asked_ns;	/* stop_when() call, last stop() call */
	struct pyframes *py;		/* symbolizer__set_python(), or NULL */
};

/*
 * Files are held open from first sight until their symbols are read: raise
 * the descriptor limit to the hard limit and keep a margin below it.
 */
static size_t max_open_files(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 256;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 65536)
		rl.rlim_cur = 65536;
	return rl.rlim_cur > 512 ? rl.rlim_cur - 256 : rl.rlim_cur / 2;
}

struct symbolizer *symbolizer__new(const struct symbolizer_opts *opts)
{
	struct symbolizer *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (opts)
		s->opts = *opts;
	/* libdwfl's default, plus the user's roots (absolute directories are
	 * searched by build-id too). */
	if (asprintf(&s->search_path, ":.debug:/usr/lib/debug%s%s",
		     s->opts.debug_dirs ? ":" : "",
		     s->opts.debug_dirs ? s->opts.debug_dirs : "") < 0) {
		s->search_path = NULL;
		free(s);
		return NULL;
	}
	s->strings = strtab__new();
	s->elf_by_inode = u64map__new();
	s->elf_by_build_id = u64map__new();
	s->elf_by_path = u64map__new();
	s->proc_by_pid = u64map__new();
	s->last_gen = u64map__new();
	s->runs = u64map__new();
	if (!s->strings || !s->elf_by_inode || !s->elf_by_build_id ||
	    !s->elf_by_path || !s->proc_by_pid || !s->last_gen || !s->runs) {
		symbolizer__free(s);
		return NULL;
	}
	elf_version(EV_CURRENT);
	s->max_open_fds = max_open_files();
	return s;
}

static void proc_clear(struct proc *p)
{
	procmaps__clear(&p->maps);
	free(p->elf);
	p->elf = NULL;
	/* New mappings (exec) give old addresses other meanings. */
	u64map__free(p->cache);
	p->cache = NULL;
}

/* Also forget the JIT map: only when the process is gone for good. */
static void proc_free(struct proc *p)
{
	proc_clear(p);
	perfmap__free(p->jit);
	p->jit = NULL;
}

void symbolizer__free(struct symbolizer *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nelfs; i++) {
		free(s->elfs[i].shown);
		elf_symtab__free(s->elfs[i].tab);
		debuginfo__free(s->elfs[i].dbg);
		if (s->elfs[i].fd >= 0)
			close(s->elfs[i].fd);
	}
	free(s->elfs);
	for (i = 0; i < s->nprocs; i++)
		proc_free(&s->procs[i]);
	free(s->procs);
	u64map__free(s->elf_by_inode);
	u64map__free(s->elf_by_build_id);
	u64map__free(s->elf_by_path);
	u64map__free(s->proc_by_pid);
	u64map__free(s->last_gen);
	u64map__free(s->runs);
	kallsyms__free(s->kernel);
	u64map__free(s->kcache);
	free(s->frames);
	elf_symtab__free(s->vdso);
	strtab__free(s->strings);
	free(s->search_path);
	free(s);
}

static const char *intern(struct symbolizer *s, const char *str)
{
	int64_t id = strtab__intern(s->strings, str);

	return id < 0 ? "" : strtab__get(s->strings, id);
}

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

static int add_elf(struct symbolizer *s, int fd, const char *path,
		   const char *open_path)
{
	struct elf_file *f;

	if (GROW(s->elfs, s->nelfs, s->elfs_cap))
		return -ENOMEM;
	f = &s->elfs[s->nelfs];
	f->tab = NULL;
	f->dbg = NULL;
	f->shown = NULL;
	f->fd = fd;
	f->open_path = intern(s, open_path);
	f->path = intern(s, path);
	f->module = intern(s, base_name(path));
	return s->nelfs++;
}

/*
 * The symbols of f, read on first use; NULL if the file is unreadable.  Its
 * debug information is opened at the same time: a stripped file gets the
 * symbols of its debug file or MiniDebugInfo.
 */
static struct elf_symtab *elf_symbols(struct symbolizer *s, struct elf_file *f)
{
	int added;

	if (f->fd < 0)
		return f->tab;
	f->tab = elf_symtab__open_fd(f->fd);
	if (f->tab) {
		char path[PATH_MAX + 128];
		int root_len = 0;

		/* A container's file: its debug files are in its own root. */
		if (sscanf(f->open_path, "/proc/%*d/root%n", &root_len) == 0 &&
		    root_len > 0 && f->open_path[root_len] == '/')
			snprintf(path, sizeof(path), "%s:%.*s/usr/lib/debug",
				 s->search_path, root_len, f->open_path);
		else
			snprintf(path, sizeof(path), "%s", s->search_path);
		f->dbg = debuginfo__open(f->fd, f->open_path, path);
	}
	close(f->fd);
	f->fd = -1;
	s->open_fds--;
	if (!f->tab) {
		s->stats.elf_failed++;
		p_dbg("cannot read symbols of %s", f->path);
		return NULL;
	}
	s->stats.elf_opened++;
	if (f->dbg && !elf_symtab__has_symtab(f->tab)) {
		added = debuginfo__add_symbols(f->dbg, f->tab);
		if (added > 0)
			elf_symtab__reindex(f->tab);
		p_dbg("%s: %d symbols from %s", f->path, added,
		      debuginfo__debug_file(f->dbg) ? debuginfo__debug_file(f->dbg) :
		      "MiniDebugInfo or none");
	}
	return f->tab;
}

/* The elfs index for the file behind mapping e of pid; -1 on failure. */
static int32_t elf_for_mapping(struct symbolizer *s, pid_t pid,
			       const struct map_entry *e)
{
	uint64_t key, idx, bkey = 0;
	char bid[2 * 64 + 1] = "", used[PATH_MAX + 64];
	int fd, i;

	key = hash_bytes(HASH_SEED, &e->inode, sizeof(e->inode));
	key = hash_bytes(key, &e->dev_major, sizeof(e->dev_major));
	key = hash_bytes(key, &e->dev_minor, sizeof(e->dev_minor));
	if (u64map__get(s->elf_by_inode, key, &idx))
		return idx;

	fd = tfs_open_mapping(pid, e, NULL, 0);
	tfs_debug_name(pid, e, used, sizeof(used));
	if (fd < 0) {
		s->stats.elf_failed++;
		p_dbg("cannot open %s of pid %d: %s", e->path, (int)pid,
		      strerror(-fd));
		fd = -1;
	} else if (elf_read_build_id(fd, bid, sizeof(bid)) == 0) {
		/* The same build seen through another path or container. */
		bkey = hash_bytes(HASH_SEED, bid, strlen(bid));
		if (u64map__get(s->elf_by_build_id, bkey, &idx)) {
			close(fd);
			u64map__set(s->elf_by_inode, key, idx);
			return idx;
		}
	}
	i = add_elf(s, fd, e->path, used);
	if (i < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* Out of descriptors: read the symbols now rather than keep it open. */
	if (fd >= 0 && ++s->open_fds > s->max_open_fds)
		elf_symbols(s, &s->elfs[i]);
	u64map__set(s->elf_by_inode, key, i);
	if (*bid)
		u64map__set(s->elf_by_build_id, bkey, i);
	return i;
}

static uint64_t proc_key(pid_t pid, uint32_t gen)
{
	return (uint64_t)gen << 32 | (uint32_t)pid;
}

/*
 * Only the newest image of a process can be (re)read from /proc: the maps of
 * an image replaced by exec are whatever was read before the exec.
 */
static bool proc_current(const struct symbolizer *s, const struct proc *p)
{
	uint64_t last;

	return !u64map__get(s->last_gen, (uint32_t)p->pid, &last) || p->gen >= last;
}

static int read_maps(struct symbolizer *s, struct proc *p)
{
	struct proc_maps maps;
	int32_t *elf;
	size_t i;
	int err;

	if (!proc_current(s, p))
		return -ESTALE;
	s->stats.maps_reads++;
	err = procmaps__read(p->pid, &maps);
	if (err)
		return err;
	/* A process that is gone reads as an empty listing: keep the old one. */
	if (maps.n == 0) {
		procmaps__clear(&maps);
		return -ESRCH;
	}
	elf = calloc(maps.n, sizeof(*elf));
	if (!elf) {
		procmaps__clear(&maps);
		return -ENOMEM;
	}
	for (i = 0; i < maps.n; i++)
		elf[i] = maps.v[i].kind == MAP_KIND_FILE ?
			 elf_for_mapping(s, p->pid, &maps.v[i]) : -1;
	proc_clear(p);
	p->maps = maps;
	p->elf = elf;
	/* JITs may delete their map at exit, and names are looked up at the
	 * end of the run: read it now if there is anonymous code. */
	for (i = 0; i < maps.n && !p->jit; i++)
		if (maps.v[i].kind == MAP_KIND_ANON || p->elf[i] < 0) {
			p->jit = perfmap__load(p->pid);
			if (p->jit && perfmap__truncated(p->jit))
				p_warn("the perf map of process %d is larger than %u MiB: "
				       "only that much of it was read", (int)p->pid,
				       PERFMAP_MAX_BYTES >> 20);
		}
	return 0;
}

static struct proc *get_proc(struct symbolizer *s, pid_t pid, uint32_t gen,
			     bool *created)
{
	uint64_t idx;
	struct proc *p;

	*created = false;
	if (u64map__get(s->proc_by_pid, proc_key(pid, gen), &idx))
		return &s->procs[idx];
	if (GROW(s->procs, s->nprocs, s->procs_cap))
		return NULL;
	if (u64map__set(s->proc_by_pid, proc_key(pid, gen), s->nprocs))
		return NULL;
	p = &s->procs[s->nprocs++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->gen = gen;
	*created = true;
	return p;
}

int symbolizer__add_process(struct symbolizer *s, pid_t pid, uint32_t gen)
{
	struct proc *p;
	uint64_t last;
	bool created;

	if (!u64map__get(s->last_gen, (uint32_t)pid, &last) || gen > last)
		if (u64map__set(s->last_gen, (uint32_t)pid, gen))
			return -ENOMEM;
	p = get_proc(s, pid, gen, &created);
	if (!p)
		return -ENOMEM;
	p->refreshed = false;
	/* Announced again: a new process under a reused pid. */
	p->gone = 0;
	return read_maps(s, p);
}

/* The vDSO is one image per kernel: read ours once and use it for all. */
static struct elf_symtab *vdso_symtab(struct symbolizer *s)
{
	struct proc_maps self = {};
	unsigned long base;
	size_t i;

	if (s->vdso_tried)
		return s->vdso;
	s->vdso_tried = true;
	base = getauxval(AT_SYSINFO_EHDR);
	if (!base || procmaps__read(getpid(), &self))
		return NULL;
	for (i = 0; i < self.n; i++) {
		Elf *elf;

		if (self.v[i].kind != MAP_KIND_VDSO || self.v[i].start != base)
			continue;
		elf = elf_memory((char *)base, self.v[i].end - self.v[i].start);
		if (elf) {
			s->vdso = elf_symtab__from_elf(elf);
			elf_end(elf);
		}
		break;
	}
	procmaps__clear(&self);
	return s->vdso;
}

/* A frame for ip with no name yet: where it is, and nothing more. */
static void frame_init(struct frame *f, uint64_t ip)
{
	memset(f, 0, sizeof(*f));
	f->build_id = "";
	f->address = ip;
}

/* The name users see: demangled unless --no-demangle (interned). */
static const char *display_name(struct symbolizer *s, const char *raw)
{
	char *d;
	const char *out;

	if (!raw || s->opts.no_demangle || !demangle_is_mangled(raw))
		return raw;
	d = demangle(raw);
	if (!d)
		return raw;
	out = intern(s, d);
	free(d);
	return out;
}

/* display_name() of ef's symbol hit, once per symbol (ef NULL: each
 * time). */
static const char *symbol_name(struct symbolizer *s, struct elf_file *ef,
			       const struct elf_sym_hit *hit)
{
	const char *name;
	int64_t id;

	if (!ef || !ef->tab)
		return display_name(s, hit->name);
	if (!ef->shown)
		ef->shown = calloc(elf_symtab__count(ef->tab), sizeof(*ef->shown));
	if (ef->shown && ef->shown[hit->index])
		return strtab__get(s->strings, ef->shown[hit->index] - 1);
	name = display_name(s, hit->name);
	id = ef->shown ? strtab__intern(s->strings, name) : -1;
	if (id >= 0 && id < UINT32_MAX) {
		ef->shown[hit->index] = (uint32_t)id + 1;
		return strtab__get(s->strings, id);
	}
	return name;
}

/*
 * Name vaddr (an ELF virtual address of the file behind tab and dbg) into
 * up to max frames, innermost first: inlined calls (from DWARF), then the
 * function itself.  out[0] holds the module fields already.  ef: the file
 * tab belongs to, or NULL (the vDSO).
 */
static int resolve_vaddr(struct symbolizer *s, struct elf_file *ef,
			 struct elf_symtab *tab, struct debuginfo *dbg,
			 uint64_t vaddr, struct frame *out, int max)
{
	struct src_frame src[SYMBOLIZER_MAX_FRAMES];
	struct elf_sym_hit hit;
	bool named;
	int n, i;

	out[0].address = vaddr;
	named = elf_symtab__lookup(tab, vaddr, &hit);
	if (named)
		out[0].name = symbol_name(s, ef, &hit);

	n = dbg ? debuginfo__lookup(dbg, vaddr, !s->opts.no_inline, src,
				    max < SYMBOLIZER_MAX_FRAMES ? max :
				    SYMBOLIZER_MAX_FRAMES) : 0;
	if (n == 0)
		return 1;
	/* Frames share the module; the outermost keeps the ELF symbol's name
	 * (as without DWARF), inlined ones take DWARF's. */
	for (i = n - 1; i >= 0; i--) {
		struct frame *f = &out[i];

		if (i != 0)
			*f = out[0];
		f->file = src[i].file ? intern(s, src[i].file) : NULL;
		f->line = src[i].line;
		f->inlined = src[i].inlined;
		if (src[i].inlined || !named)
			f->name = src[i].name ? display_name(s, src[i].name) :
				  (named ? out[0].name : NULL);
	}
	return n;
}

/*
 * Resolve ip inside mapping mi of p into up to max frames, innermost
 * first: inlined calls (from DWARF), then the function itself.
 */
static int64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

void symbolizer__stop_when(struct symbolizer *s, bool (*stop)(void *ctx),
			   void *ctx)
{
	s->stop = stop;
	s->stop_ctx = ctx;
	s->since_ns = mono_ns();
	s->asked_ns = 0;
}

/*
 * Before naming a new address: has the caller asked to stop?  stop() is
 * asked at most every 20 ms; after a second of naming, users are told how
 * to cut it short.
 */
static bool stopping(struct symbolizer *s)
{
	int64_t now;

	if (s->stopped)
		return true;
	if (!s->stop)
		return false;
	now = mono_ns();
	if (now - s->asked_ns < 20000000)
		return false;
	s->asked_ns = now;
	if (s->stop(s->stop_ctx)) {
		s->stopped = true;
		return true;
	}
	if (!s->said_slow && now - s->since_ns > 1000000000LL) {
		s->said_slow = true;
		p_info("naming frames (Ctrl-C stops it and writes the profile with "
		       "the rest as module+offset)");
	}
	return false;
}

static int resolve_in_mapping(struct symbolizer *s, const struct proc *p,
			      size_t mi, uint64_t ip, struct frame *out, int max)
{
	const struct map_entry *e = &p->maps.v[mi];
	uint64_t off = ip - e->start + e->pgoff, vaddr;
	struct elf_symtab *tab = NULL;
	struct debuginfo *dbg = NULL;
	struct elf_file *ef = NULL;

	frame_init(&out[0], ip);
	switch (e->kind) {
	case MAP_KIND_FILE:
		if (p->elf[mi] >= 0) {
			ef = &s->elfs[p->elf[mi]];

			/* Stopped: module and offset only, read nothing. */
			if (!s->stopped) {
				tab = elf_symbols(s, ef);
				dbg = ef->dbg;
			}
			out[0].module = ef->module;
			out[0].path = ef->path;
		} else {
			out[0].path = intern(s, e->path);
			out[0].module = intern(s, base_name(e->path));
		}
		break;
	case MAP_KIND_VDSO:
		tab = s->stopped ? NULL : vdso_symtab(s);
		out[0].module = intern(s, "[vdso]");
		break;
	case MAP_KIND_ANON:
		out[0].module = intern(s, "[anon]");
		break;
	case MAP_KIND_SPECIAL:
		out[0].module = intern(s, e->path);
		break;
	}
	out[0].address = off;
	if (!tab)
		return 1;
	out[0].build_id = elf_symtab__build_id(tab);
	if (!elf_symtab__offset_to_vaddr(tab, off, &vaddr))
		return 1;
	return resolve_vaddr(s, ef, tab, dbg, vaddr, out, max);
}

static long find_mapping(const struct proc *p, uint64_t ip)
{
	const struct map_entry *e = procmaps__find(&p->maps, ip);

	return e ? e - p->maps.v : -1;
}

/* JIT code named by the runtime's /tmp/perf-PID.map, as perf does. */
static bool jit_resolve(struct symbolizer *s, struct proc *p, uint64_t ip,
			struct frame *f)
{
	const char *name;
	uint64_t off;

	if (!p->jit || !perfmap__lookup(p->jit, ip, &name, &off)) {
		struct perfmap *m;

		/* Code JIT'd since the first read: look once more (the
		 * file is the newest image's). */
		if (p->jit_reread || !proc_current(s, p))
			return false;
		p->jit_reread = true;
		m = perfmap__load(p->pid);
		if (!m)
			return false;
		perfmap__free(p->jit);
		p->jit = m;
		if (!perfmap__lookup(m, ip, &name, &off))
			return false;
	}
	frame_init(f, ip);
	f->name = display_name(s, name);
	f->name = intern(s, f->name);
	f->module = intern(s, "[jit]");
	f->address = off;
	return true;
}

static int resolve_user(struct symbolizer *s, struct proc *p, uint64_t ip,
			struct frame *out, int max)
{
	long mi;

	mi = find_mapping(p, ip);
	if (mi < 0 && !p->refreshed) {
		/* New code since the snapshot (dlopen, exec): look again once. */
		p->refreshed = true;
		if (read_maps(s, p) == 0)
			mi = find_mapping(p, ip);
	}
	if ((mi < 0 || p->maps.v[mi].kind == MAP_KIND_ANON || p->elf[mi] < 0) &&
	    jit_resolve(s, p, ip, out))
		return 1;
	if (mi < 0) {
		frame_init(out, ip);
		return 1;
	}
	return resolve_in_mapping(s, p, mi, ip, out, max);
}

static void resolve_kernel(struct symbolizer *s, uint64_t ip, struct frame *f)
{
	struct ksym_hit hit;

	frame_init(f, ip);
	f->kernel = true;
	f->module = intern(s, "[kernel.kallsyms]");
	if (!s->kernel_tried) {
		s->kernel_tried = true;
		s->kernel = kallsyms__load();
		if (!s->kernel)
			p_warn("cannot read /proc/kallsyms: kernel frames stay unnamed");
	}
	if (!s->kernel || !kallsyms__lookup(s->kernel, ip, &hit))
		return;
	f->name = hit.name;
	if (hit.module) {
		char mod[256];

		snprintf(mod, sizeof(mod), "[%s]", hit.module);
		f->module = intern(s, mod);
	}
}

/* A cache value: where the frames of an address start, and how many. */
static uint64_t cache_val(size_t first, int n)
{
	return (uint64_t)(first + 1) | (uint64_t)n << 40;
}

/* Copy the cached frames of ip (if any) to out; how many, or 0. */
static int recall(const struct symbolizer *s, const struct u64map *cache,
		  uint64_t ip, struct frame *out, int max)
{
	uint64_t v;
	int n;

	if (!cache || !u64map__get(cache, ip, &v))
		return 0;
	n = v >> 40;
	if (n > max)
		n = max;
	memcpy(out, &s->frames[(v & ((1ULL << 40) - 1)) - 1], n * sizeof(*out));
	return n;
}

static uint64_t run_hash(const struct frame *f, int n)
{
	uint64_t h = HASH_SEED;
	int i;

	for (i = 0; i < n; i++) {
		/* Strings are interned or owned by a file kept for the run:
		 * equal pointers, equal names. */
		h = hash_bytes(h, &f[i].name, sizeof(f[i].name));
		h = hash_bytes(h, &f[i].module, sizeof(f[i].module));
		h = hash_bytes(h, &f[i].path, sizeof(f[i].path));
		h = hash_bytes(h, &f[i].build_id, sizeof(f[i].build_id));
		h = hash_bytes(h, &f[i].address, sizeof(f[i].address));
		h = hash_bytes(h, &f[i].file, sizeof(f[i].file));
		h = hash_bytes(h, &f[i].line, sizeof(f[i].line));
		h = hash_bytes(h, &f[i].inlined, sizeof(f[i].inlined));
		h = hash_bytes(h, &f[i].kernel, sizeof(f[i].kernel));
	}
	return hash_bytes(h, &n, sizeof(n));
}

static bool same_frames(const struct frame *a, const struct frame *b, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (a[i].name != b[i].name || a[i].module != b[i].module ||
		    a[i].path != b[i].path || a[i].build_id != b[i].build_id ||
		    a[i].address != b[i].address || a[i].file != b[i].file ||
		    a[i].line != b[i].line || a[i].inlined != b[i].inlined ||
		    a[i].kernel != b[i].kernel)
			return false;
	return true;
}

/*
 * Remember the n frames of ip in cache (created on first use).  Frames
 * hold module-relative addresses: the same code mapped by many processes
 * (or at many addresses) gives the same run of frames, stored once, so
 * that what is kept follows the distinct code sampled, not the processes.
 */
static void remember(struct symbolizer *s, struct u64map **cache, uint64_t ip,
		     const struct frame *f, int n)
{
	uint64_t h = run_hash(f, n), v;

	if (!*cache)
		*cache = u64map__new();
	if (!*cache)
		return;
	if (u64map__get(s->runs, h, &v) && (int)(v >> 40) == n &&
	    same_frames(&s->frames[(v & ((1ULL << 40) - 1)) - 1], f, n)) {
		u64map__set(*cache, ip, v);
		return;
	}
	if (s->nframes + n > s->frames_cap) {
		size_t cap = s->frames_cap ? s->frames_cap * 2 : 1024;
		struct frame *nv;

		while (cap < s->nframes + n)
			cap *= 2;
		nv = realloc(s->frames, cap * sizeof(*nv));
		if (!nv)
			return;
		s->frames = nv;
		s->frames_cap = cap;
	}
	v = cache_val(s->nframes, n);
	if (u64map__set(*cache, ip, v) == 0) {
		memcpy(&s->frames[s->nframes], f, n * sizeof(*f));
		s->nframes += n;
		/* Not deduplicated if this fails: still correct. */
		u64map__set(s->runs, h, v);
	}
}

void symbolizer__set_python(struct symbolizer *s, struct pyframes *py)
{
	s->py = py;
}

/* A tagged slot (include/python.h): a Python function, or a note when it
 * can't be named; its strings interned (the code objects' copies go when
 * the process does). */
static void resolve_python(struct symbolizer *s, pid_t pid, uint64_t ip,
			   struct frame *f)
{
	struct frame pf;

	frame_init(f, 0);
	f->python = true;
	if (!s->py) {
		f->name = intern(s, "[python]");
		return;
	}
	pyframes__resolve(s->py, pid, ip, &pf);
	f->name = pf.name ? intern(s, pf.name) : NULL;
	f->file = pf.file ? intern(s, pf.file) : NULL;
	f->line = pf.line;
	f->start_line = pf.start_line;
}

int symbolizer__resolve_user(struct symbolizer *s, pid_t pid, uint32_t gen,
			     uint64_t ip, struct frame *out, int max)
{
	struct proc *p;
	bool created;
	int n;

	if (max <= 0)
		return 0;
	p = get_proc(s, pid, gen, &created);
	if (!p) {
		frame_init(out, ip);
		return 1;
	}
	if (created) {
		/* Never announced: read its maps now, if it still runs
		 * this image. */
		p->refreshed = true;
		read_maps(s, p);
	}
	n = recall(s, p->cache, ip, out, max);
	if (n)
		return n;
	if (py_frame_is(ip)) {
		resolve_python(s, pid, ip, out);
		remember(s, &p->cache, ip, out, 1);
		return 1;
	}
	if (stopping(s)) {
		long mi = find_mapping(p, ip);

		s->stats.unnamed++;
		if (mi < 0) {
			frame_init(out, ip);
			return 1;
		}
		return resolve_in_mapping(s, p, mi, ip, out, max);
	}
	s->stats.resolved++;
	n = resolve_user(s, p, ip, out, max);
	remember(s, &p->cache, ip, out, n);
	return n;
}

void symbolizer__resolve_kernel(struct symbolizer *s, uint64_t ip,
				struct frame *f)
{
	if (recall(s, s->kcache, ip, f, 1))
		return;
	if (!s->kernel_tried && stopping(s)) {
		s->stats.unnamed++;
		frame_init(f, ip);
		f->kernel = true;
		f->module = intern(s, "[kernel.kallsyms]");
		return;
	}
	s->stats.resolved++;
	resolve_kernel(s, ip, f);
	remember(s, &s->kcache, ip, f, 1);
}

int symbolizer__resolve_file(struct symbolizer *s, const char *path,
			     uint64_t vaddr, struct frame *out, int max)
{
	struct elf_file *ef;
	struct elf_symtab *tab;
	struct stat st;
	uint64_t key, idx;
	int64_t name;
	int fd, i;

	if (max <= 0)
		return 0;
	frame_init(out, vaddr);
	name = strtab__intern(s->strings, path);
	out[0].path = name < 0 ? "" : strtab__get(s->strings, name);
	/* A path asked again is the file read the first time: no stat()
	 * per address (a saved profile names thousands in a few files). */
	if (name < 0 || !u64map__get(s->elf_by_path, (uint64_t)name, &idx)) {
		out[0].module = intern(s, base_name(path));
		if (stat(path, &st))
			return 1;
		/* The same cache as mapped files: one read per file per run. */
		key = hash_bytes(HASH_SEED, &st.st_ino, sizeof(st.st_ino));
		key = hash_bytes(key, &st.st_dev, sizeof(st.st_dev));
		key = hash_bytes(key, "file", 4);
		if (!u64map__get(s->elf_by_inode, key, &idx)) {
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				return 1;
			i = add_elf(s, fd, path, path);
			if (i < 0) {
				close(fd);
				return 1;
			}
			s->open_fds++;
			idx = i;
			u64map__set(s->elf_by_inode, key, idx);
		}
		if (name >= 0)
			u64map__set(s->elf_by_path, (uint64_t)name, idx);
	}
	ef = &s->elfs[idx];
	/* The file first read through this path (else another path to the
	 * same inode: its own base name). */
	out[0].module = ef->path == out[0].path ? ef->module :
			intern(s, base_name(path));
	tab = elf_symbols(s, ef);
	if (!tab)
		return 1;
	out[0].build_id = elf_symtab__build_id(tab);
	return resolve_vaddr(s, ef, tab, ef->dbg, vaddr, out, max);
}

void symbolizer__stats(const struct symbolizer *s, struct symbolizer_stats *st)
{
	*st = s->stats;
	st->processes = s->nprocs;
	st->frames = s->nframes;
}

/* Process i leaves: the last takes its place. */
static void drop_proc(struct symbolizer *s, size_t i)
{
	struct proc *p = &s->procs[i];
	uint64_t last;

	u64map__del(s->proc_by_pid, proc_key(p->pid, p->gen));
	if (u64map__get(s->last_gen, (uint32_t)p->pid, &last) && last == p->gen)
		u64map__del(s->last_gen, (uint32_t)p->pid);
	proc_free(p);
	if (i != s->nprocs - 1) {
		*p = s->procs[s->nprocs - 1];
		/* The key is there: only its value changes, no allocation. */
		u64map__set(s->proc_by_pid, proc_key(p->pid, p->gen), i);
	}
	s->nprocs--;
	s->stats.dropped++;
}

size_t symbolizer__sweep(struct symbolizer *s, uint64_t now, uint64_t before,
			 void (*dropped)(void *ctx, pid_t pid), void *ctx)
{
	size_t i = 0, n = 0;
	uint64_t last;

	while (i < s->nprocs) {
		struct proc *p = &s->procs[i];
		pid_t pid = p->pid;

		/* An image replaced by exec is gone as well. */
		if (!p->gone &&
		    ((u64map__get(s->last_gen, (uint32_t)pid, &last) && last > p->gen) ||
		     (kill(pid, 0) && errno == ESRCH)))
			p->gone = now;
		if (!p->gone || p->gone >= before) {
			i++;
			continue;
		}
		drop_proc(s, i);
		n++;
		if (dropped)
			dropped(ctx, pid);
	}
	return n;
}
