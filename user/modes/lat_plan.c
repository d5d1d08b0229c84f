// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/array.h"
#include "lib/hashmap.h"
#include "modes/lat_plan.h"
#include "lib/log.h"
#include "symbols/procmaps.h"
#include "symbols/targetfs.h"
#include "lib/textsafe.h"
#include "probes/uprobe_insn.h"


int lat_plan__init(struct lat_plan *pl, const char *const *patterns, int n,
		   bool demangle, bool at_entry)
{
	const char *why;
	int k;

	memset(pl, 0, sizeof(*pl));
	pl->demangle = demangle;
	pl->at_entry = at_entry;
	pl->pats = calloc(n ? n : 1, sizeof(*pl->pats));
	pl->index = u64map__new();
	if (!pl->pats || !pl->index) {
		p_err("out of memory");
		return -1;
	}
	for (k = 0; k < n; k++) {
		if (lat_pattern__parse(patterns[k], &pl->pats[k].p, &why)) {
			p_err("PATTERN '%s': %s", patterns[k], why);
			return -1;
		}
		pl->npats++;
	}
	return 0;
}

void lat_plan__free(struct lat_plan *pl)
{
	size_t i;
	int k;

	for (i = 0; i < pl->nsets; i++) {
		free(pl->sets[i].path);
		free(pl->sets[i].ids);
	}
	free(pl->sets);
	for (i = 0; i < pl->nfuncs; i++)
		free(pl->funcs[i].rets);
	free(pl->funcs);
	u64map__free(pl->index);
	for (i = 0; i < pl->nmods; i++) {
		free(pl->mods[i].shown);
		elf_funcs__free(pl->mods[i].funcs);
	}
	free(pl->mods);
	for (k = 0; k < pl->npats; k++)
		lat_pattern__free(&pl->pats[k].p);
	free(pl->pats);
	memset(pl, 0, sizeof(*pl));
}

const char *lat_plan__name(const struct lat_plan *pl, const struct lat_func *f)
{
	return pl->demangle && f->sym->demangled ? f->sym->demangled : f->sym->name;
}

size_t lat_plan__probed(const struct lat_plan *pl)
{
	size_t i, n = 0;

	for (i = 0; i < pl->nfuncs; i++)
		n += !pl->funcs[i].skip;
	return n;
}

void lat_plan__refused(struct lat_plan *pl, uint32_t id, int err)
{
	struct lat_func *f = &pl->funcs[id];

	f->skip = true;
	p_warn("the kernel refused a probe on %s in %s: %s: skipped",
	       lat_plan__name(pl, f), pl->mods[f->module].name, strerror(-err));
}

/* The module of the file open on fd (shown as the process maps it): one
 * per file.  fd is taken over (closed unless the module keeps it). */
static int module_get(struct lat_plan *pl, int fd, const char *shown)
{
	struct lat_module *m;
	struct stat st;
	size_t i;
	int err;

	if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		return err;
	}
	for (i = 0; i < pl->nmods; i++)
		if (pl->mods[i].dev == st.st_dev && pl->mods[i].ino == st.st_ino) {
			close(fd);
			return (int)i;
		}
	if (pl->nmods >= 0xffff || GROW(pl->mods, pl->nmods, pl->mods_cap)) {
		close(fd);
		return -ENOMEM;
	}
	m = &pl->mods[pl->nmods];
	memset(m, 0, sizeof(*m));
	m->dev = st.st_dev;
	m->ino = st.st_ino;
	m->shown = text_safe_dup(shown);
	if (!m->shown) {
		close(fd);
		return -ENOMEM;
	}
	m->name = strrchr(m->shown, '/') ? strrchr(m->shown, '/') + 1 : m->shown;
	m->funcs = elf_funcs__open_fd(fd, pl->demangle);
	if (!m->funcs) {
		err = errno ? -errno : -EINVAL;
		free(m->shown);
		return err;
	}
	return (int)pl->nmods++;
}

static struct lat_probe_set *set_of(struct lat_plan *pl, pid_t pid, int module,
				    const char *path)
{
	struct lat_probe_set *s;
	size_t i;

	for (i = 0; i < pl->nsets; i++)
		if (pl->sets[i].pid == pid && pl->sets[i].module == module)
			return &pl->sets[i];
	if (GROW(pl->sets, pl->nsets, pl->sets_cap))
		return NULL;
	s = &pl->sets[pl->nsets];
	memset(s, 0, sizeof(*s));
	s->pid = pid;
	s->module = module;
	s->path = strdup(path);
	if (!s->path)
		return NULL;
	pl->nsets++;
	return s;
}

/* Among aliases, the name people call: fewer leading '_', then shorter. */
static bool nicer(const struct elf_fn *a, const struct elf_fn *b)
{
	size_t ua = strspn(a->name, "_"), ub = strspn(b->name, "_");
	size_t la = strlen(a->name), lb = strlen(b->name);

	if (ua != ub)
		return ua < ub;
	if (la != lb)
		return la < lb;
	return strcmp(a->name, b->name) < 0;
}

/*
 * "f.cold" or "f.cold.3": the part of f that gcc moved out of line (a
 * throw, an abort), entered by a jump from f, never called.  It is f's
 * code, not a function: timed as part of f, never on its own.
 */
static bool is_cold_part(const char *name)
{
	const char *c = strstr(name, ".cold");

	for (; c; c = strstr(c + 1, ".cold")) {
		const char *t = c + 5;

		if (*t == '.')
			for (t++; *t >= '0' && *t <= '9'; t++)
				;
		if (!*t)
			return true;
	}
	return false;
}

/* sym (of module m) is probed in s's process: a new function or known. */
static int add_function(struct lat_plan *pl, struct lat_probe_set *s, int m,
			const struct elf_fn *sym)
{
	uint64_t key = (uint64_t)m << 48 | sym->vaddr, id;
	size_t i;

	if (!u64map__get(pl->index, key, &id)) {
		if (GROW(pl->funcs, pl->nfuncs, pl->funcs_cap))
			return -ENOMEM;
		memset(&pl->funcs[pl->nfuncs], 0, sizeof(pl->funcs[0]));
		pl->funcs[pl->nfuncs].module = m;
		pl->funcs[pl->nfuncs].sym = sym;
		id = pl->nfuncs++ + 1;
		if (u64map__set(pl->index, key, id))
			return -ENOMEM;
	}
	id--;
	for (i = 0; i < s->n; i++)
		if (s->ids[i] == id)
			return 0;
	if (GROW(s->ids, s->n, s->cap))
		return -ENOMEM;
	s->ids[s->n++] = (uint32_t)id;
	return 0;
}

/* The functions of module m that pt matches, into pid's set. */
static int match_module(struct lat_plan *pl, struct lat_plan_pattern *pt, int m,
			pid_t pid, const char *path)
{
	const struct elf_funcs *t = pl->mods[m].funcs;
	size_t n = elf_funcs__count(t), i = 0, j;
	struct lat_probe_set *s = set_of(pl, pid, m, path);
	int k, err;

	if (!s)
		return -ENOMEM;
	for (k = 0; k < pt->nmodules && pt->modules[k] != m; k++)
		;
	if (k == pt->nmodules && pt->nmodules < 8)
		pt->modules[pt->nmodules++] = m;
	while (i < n) {
		const struct elf_fn *best = NULL;
		bool ifunc = false;

		/* Aliases share an address: one function, probed once. */
		for (j = i; j < n && elf_funcs__get(t, j)->vaddr ==
				     elf_funcs__get(t, i)->vaddr; j++) {
			const struct elf_fn *f = elf_funcs__get(t, j);

			ifunc |= f->ifunc;
			if (lat_pattern__matches(&pt->p, f->name,
						 pl->demangle ? f->demangled : NULL) &&
			    (!best || nicer(f, best)))
				best = f;
		}
		i = j;
		if (!best)
			continue;
		if (is_cold_part(best->name)) {
			p_dbg("%s: %s in %s is the cold part of a function, "
			      "timed with it: not probed on its own", pt->p.text,
			      best->name, pl->mods[m].name);
			pt->colds++;
			continue;
		}
		if (ifunc) {
			p_dbg("%s: %s in %s is an IFUNC resolver (it picks the "
			      "implementation at load time): not probed",
			      pt->p.text, best->name, pl->mods[m].name);
			pt->ifuncs++;
			continue;
		}
		err = add_function(pl, s, m, best);
		if (err)
			return err;
		pt->matched++;
	}
	return 0;
}

/* "a, b, c": the files pid maps, for an error about a module. */
static void mapped_names(const struct proc_maps *maps, char *buf, size_t len)
{
	size_t used = 0, i, k;

	buf[0] = '\0';
	for (i = 0; i < maps->n && used + 1 < len; i++) {
		const struct map_entry *e = &maps->v[i];
		const char *b;

		if (e->kind != MAP_KIND_FILE)
			continue;
		for (k = 0; k < i && (maps->v[k].kind != MAP_KIND_FILE ||
				      strcmp(maps->v[k].path, e->path)); k++)
			;
		if (k < i)
			continue;
		b = strrchr(e->path, '/') ? strrchr(e->path, '/') + 1 : e->path;
		used += snprintf(buf + used, len - used, "%s%s", used ? ", " : "", b);
	}
}

/*
 * The file pattern pt names in pid (a mapping, or for a path not mapped
 * yet the file), as a module index; the path the kernel should open in
 * open_path.  Errors are printed: -1.
 */
static int pick_module(struct lat_plan *pl, pid_t pid,
		       const struct proc_maps *maps, const char *exe,
		       const struct lat_plan_pattern *pt, char *open_path,
		       size_t len)
{
	const struct lat_pattern *p = &pt->p;
	const struct map_entry *hit = NULL;
	char want[PATH_MAX] = "", names[512];
	size_t i;
	int m, fd = -ENOENT;

	if (p->module_is_path && p->module[0] != '/') {
		if (!realpath(p->module, want)) {
			p_err("module '%s' in '%s': %s", p->module, p->text,
			      strerror(errno));
			return -1;
		}
	} else if (p->module_is_path) {
		snprintf(want, sizeof(want), "%s", p->module);
	}
	for (i = 0; i < maps->n; i++) {
		const struct map_entry *e = &maps->v[i];
		bool named;

		if (e->kind != MAP_KIND_FILE)
			continue;
		if (!p->module)
			named = !strcmp(e->path, exe);
		else if (p->module_is_path)
			named = !strcmp(e->path, want);
		else
			named = lat_pattern__names_file(p, e->path);
		if (!named)
			continue;
		if (hit && strcmp(hit->path, e->path)) {
			p_err("module '%s' in '%s' names two files of process %d: "
			      "%s and %s (give a longer name or a path)", p->module,
			      p->text, (int)pid, hit->path, e->path);
			return -1;
		}
		hit = e;
	}
	/* The very file the process maps (map_files), or the path it names
	 * resolved inside its root: never a host file a symlink leads to. */
	if (hit)
		fd = tfs_open_mapping(pid, hit, open_path, len);
	else if (p->module_is_path)
		fd = tfs_open_in_root(pid, want);
	if (!hit && p->module_is_path && fd >= 0) {
		p_info("%s is not mapped by process %d yet: its probes fire once "
		       "it is loaded", want, (int)pid);
	} else if (!hit) {
		mapped_names(maps, names, sizeof(names));
		if (!p->module)
			p_err("process %d: its executable %s is not mapped", (int)pid,
			      exe);
		else if (p->module_is_path)
			p_err("module '%s' in '%s': no such file in process %d's "
			      "view", want, p->text, (int)pid);
		else
			p_err("module '%s' in '%s' is not mapped by process %d "
			      "(it maps %s)", p->module, p->text, (int)pid, names);
		return -1;
	}
	if (fd < 0) {
		p_err("cannot open %s of process %d: %s", hit ? hit->path : want,
		      (int)pid, fd == -EINVAL ? "not a regular file" : strerror(-fd));
		return -1;
	}
	m = module_get(pl, fd, hit ? hit->path : want);
	if (m < 0) {
		p_err("cannot read the functions of %s: %s", hit ? hit->path : want,
		      m == -EINVAL ? "not an ELF file" : strerror(-m));
		return -1;
	}
	/* Not mapped yet: the kernel attaches through our open fd. */
	if (!hit)
		snprintf(open_path, len, "/proc/self/fd/%d",
			 elf_funcs__fd(pl->mods[m].funcs));
	return m;
}

/* A C++ or Rust function (mangled name): exceptions and panics may unwind
 * through it. */
static bool unwinds(const struct elf_fn *sym)
{
	return sym->name[0] == '_' && (sym->name[1] == 'Z' || sym->name[1] == 'R');
}

/*
 * A Go, C++ or Rust function to time: find its RET instructions, each to
 * carry a probe.  0, or -1 with a warning for Go (the function is skipped:
 * no return probe may go there); other functions keep their return probe.
 */
static int find_returns(struct lat_plan *pl, struct lat_func *f, bool go)
{
	const struct lat_module *m = &pl->mods[f->module];
	struct probe_rets rets;
	const struct elf_fn *syms[2] = { f->sym, NULL };
	struct probe_range parts[2] = {};
	uint64_t offs[2] = {};
	struct elf_func ef;
	uint8_t *code[2] = {};
	char cold[512];
	const char *why;
	size_t n, k, i, nparts = 1;
	int err = 0;

	/* gcc moves unlikely code (a throw, say) to "NAME.cold": one function. */
	if (!go && snprintf(cold, sizeof(cold), "%s.cold", f->sym->name) <
		   (int)sizeof(cold) && (syms[1] = elf_funcs__find(m->funcs, cold)))
		nparts = 2;
	for (k = 0; k < nparts && !err; k++) {
		err = elf_funcs__body(m->funcs, syms[k], &code[k], &parts[k].len) ?:
		      elf_funcs__code(m->funcs, syms[k], &ef);
		parts[k].code = code[k];
		parts[k].vaddr = syms[k]->vaddr;
		offs[k] = ef.offset;
	}
	if (!err)
		err = probe_returns(parts, nparts, &rets);
	for (k = 0; k < nparts; k++)
		free(code[k]);
	n = rets.n;
	if (!err && !go && !rets.calls) {
		/* No exception can pass through a function that calls nothing:
		 * the return probe, which costs less than a probe on a RET (the
		 * kernel single-steps those). */
		p_dbg("%s: return probe (it calls nothing)", lat_plan__name(pl, f));
		return 0;
	}
	if (!err) {
		f->rets = malloc(n * sizeof(*f->rets));
		if (!f->rets) {
			p_warn("out of memory: %s skipped", lat_plan__name(pl, f));
			return -1;
		}
		/* Addresses to file offsets, by the part that holds them. */
		for (i = 0; i < n; i++)
			for (k = 0; k < nparts; k++)
				if (rets.at[i] >= parts[k].vaddr &&
				    rets.at[i] - parts[k].vaddr < parts[k].len)
					f->rets[i] = offs[k] +
						     (rets.at[i] - parts[k].vaddr);
		f->nrets = (uint32_t)n;
		f->timing = go ? LT_RETS_GO : LT_RETS;
		snprintf(f->pp.why, sizeof(f->pp.why), "%s, and its %zu RET "
			 "instruction%s (%s: no return probe)",
			 f->pp.delta ? "past the stack check" : "function entry",
			 n, n == 1 ? "" : "s", go ? "Go" : "exceptions");
		return 0;
	}
	if (!go) {
		p_dbg("%s: return probe (%s)", lat_plan__name(pl, f),
		      err == -EXDEV ? "it may leave by a jump" : strerror(-err));
		return 0;
	}
	switch (err) {
	case -ENOENT:
		why = "it has no RET instruction (it never returns, or leaves "
		      "by a jump)";
		break;
	case -E2BIG:
		why = "it is too large (over 1 MiB or 64 RET instructions)";
		break;
	case -EXDEV:
		why = "it may leave by a jump, where no RET sees the call end";
		break;
	case -EINVAL:
		why = "its code does not decode";
		break;
	default:
		why = strerror(-err);
	}
	p_warn("cannot time Go function %s in %s: %s: skipped (--count-only "
	       "counts its calls)", lat_plan__name(pl, f), m->name, why);
	return -1;
}

void lat_plan__place(struct lat_plan *pl)
{
	struct elf_func ef;
	const char *why = "is unknown";
	size_t i;

	for (i = pl->placed; i < pl->nfuncs; i++) {
		struct lat_func *f = &pl->funcs[i];
		const struct lat_module *m = &pl->mods[f->module];

		if (elf_funcs__code(m->funcs, f->sym, &ef)) {
			p_warn("%s in %s is not in an executable section: skipped",
			       lat_plan__name(pl, f), m->name);
			f->skip = true;
			continue;
		}
		f->entry = ef.offset;
		/* Go: past the stack check, or a stack growth, which restarts
		 * the function, would count it twice. */
		if (elf_funcs__is_go(m->funcs))
			probe_place_go(&ef, &f->pp);
		else
			probe_place(&ef, pl->at_entry, 0, &f->pp);
		f->timing = LT_RETPROBE;
		if (pl->at_entry && elf_funcs__is_go(m->funcs) &&
		    find_returns(pl, f, true)) {
			f->skip = true;
			continue;
		}
		if (pl->at_entry && !elf_funcs__is_go(m->funcs) && unwinds(f->sym))
			find_returns(pl, f, false);
		if (f->pp.delta >= ef.code_len ||
		    !uprobe_insn_ok(ef.code + f->pp.delta, ef.code_len - f->pp.delta,
				    &why)) {
			p_warn("cannot probe %s in %s: its %s instruction %s: skipped",
			       lat_plan__name(pl, f), m->name,
			       f->pp.delta ? "chosen" : "first", why);
			f->skip = true;
			continue;
		}
		p_dbg("probe %s (%s+0x%llx): at +%llu (%s, %s): %s",
		      lat_plan__name(pl, f), m->name,
		      (unsigned long long)f->sym->vaddr,
		      (unsigned long long)f->pp.delta, f->pp.insn,
		      f->pp.emulated ? "emulated" : "single-stepped", f->pp.why);
	}
	pl->placed = pl->nfuncs;
}

/*
 * A pattern without MODULE matched nothing in the executable: is it a
 * function of a library pid maps?  Noted in pt->elsewhere for the error.
 */
static void look_elsewhere(struct lat_plan *pl, pid_t pid,
			   const struct proc_maps *maps, const char *exe,
			   struct lat_plan_pattern *pt)
{
	size_t i, k, n;
	int m, fd;

	for (i = 0; i < maps->n && !pt->elsewhere[0]; i++) {
		const struct map_entry *e = &maps->v[i];

		if (e->kind != MAP_KIND_FILE || e->deleted || !strcmp(e->path, exe))
			continue;
		fd = tfs_open_mapping(pid, e, NULL, 0);
		if (fd < 0)
			continue;
		m = module_get(pl, fd, e->path);
		if (m < 0)
			continue;
		n = elf_funcs__count(pl->mods[m].funcs);
		for (k = 0; k < n; k++) {
			const struct elf_fn *f = elf_funcs__get(pl->mods[m].funcs, k);

			if (!f->ifunc && lat_pattern__matches(&pt->p, f->name,
							      pl->demangle ?
							      f->demangled : NULL)) {
				snprintf(pt->elsewhere, sizeof(pt->elsewhere), "%s",
					 pl->mods[m].name);
				break;
			}
		}
	}
}

int lat_plan__resolve(struct lat_plan *pl, pid_t pid)
{
	struct proc_maps maps = {};
	char link[64], exe[PATH_MAX], path[PATH_MAX + 64];
	ssize_t n;
	int k, m, err, ret = -1;

	err = procmaps__read(pid, &maps);
	if (err) {
		if (err == -ENOENT || err == -ESRCH)
			p_err("process %d exited", (int)pid);
		else
			p_err("cannot read /proc/%d/maps: %s", (int)pid, strerror(-err));
		goto out;
	}
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	n = readlink(link, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	if (n > 10 && !strcmp(exe + n - 10, " (deleted)"))
		exe[n - 10] = '\0';
	for (k = 0; k < pl->npats; k++) {
		m = pick_module(pl, pid, &maps, exe, &pl->pats[k], path, sizeof(path));
		if (m < 0)
			goto out;
		if (match_module(pl, &pl->pats[k], m, pid, path)) {
			p_err("out of memory");
			goto out;
		}
	}
	for (k = 0; k < pl->npats; k++)
		if (!pl->pats[k].p.module && !pl->pats[k].matched)
			look_elsewhere(pl, pid, &maps, exe, &pl->pats[k]);
	ret = 0;
out:
	procmaps__clear(&maps);
	return ret;
}

/* A pattern that matched nothing: say what it may have meant. */
static void report_no_match(const struct lat_plan *pl,
			    const struct lat_plan_pattern *pt)
{
	struct near_misses nm;
	char list[1024], where[256] = "";
	size_t used = 0, i, n;
	int k;

	near_misses__init(&nm, pt->p.glob);
	for (k = 0; k < pt->nmodules; k++) {
		const struct lat_module *m = &pl->mods[pt->modules[k]];

		if (used < sizeof(where))
			used += snprintf(where + used, sizeof(where) - used, "%s%s",
					 k ? ", " : "", m->name);
		n = elf_funcs__count(m->funcs);
		for (i = 0; i < n; i++) {
			const struct elf_fn *f = elf_funcs__get(m->funcs, i);
			bool dem = pl->demangle && f->demangled;

			if (!f->ifunc && !is_cold_part(f->name))
				near_misses__offer(&nm, dem ? f->demangled : f->name,
						   dem ? f->name : NULL);
		}
	}
	near_misses__format(&nm, list, sizeof(list));
	if (pt->elsewhere[0])
		p_err("'%s' matches no function in %s, but does in %s: '%s:%s'",
		      pt->p.text, where, pt->elsewhere, pt->elsewhere, pt->p.glob);
	else if (pt->ifuncs)
		p_err("'%s' matches only IFUNC resolvers in %s, which pick an "
		      "implementation at load time and are not it: probe the "
		      "implementation%s%s", pt->p.text, where,
		      nm.n ? ", e.g. " : "", list);
	else if (pt->colds)
		p_err("'%s' matches only cold parts of functions in %s (code "
		      "the compiler moved out of line, timed with its "
		      "function): probe the function%s%s", pt->p.text, where,
		      nm.n ? ", e.g. " : "", list);
	else if (nm.n)
		p_err("'%s' matches no function in %s; similar names: %s",
		      pt->p.text, where, list);
	else
		p_err("'%s' matches no function in %s, nor any similar name",
		      pt->p.text, where);
}

/* Did pattern k match a function of its j-th module? */
static bool pattern_hits(const struct lat_plan *pl, int k, int j)
{
	int m = pl->pats[k].modules[j];
	size_t i;

	for (i = 0; i < pl->nfuncs; i++)
		if (pl->funcs[i].module == m &&
		    lat_pattern__matches(&pl->pats[k].p, pl->funcs[i].sym->name,
					 pl->demangle ? pl->funcs[i].sym->demangled :
					 NULL))
			return true;
	return false;
}

int lat_plan__check(const struct lat_plan *pl, size_t limit)
{
	size_t most = 0;
	int k, big = 0;

	for (k = 0; k < pl->npats; k++) {
		if (!pl->pats[k].matched) {
			report_no_match(pl, &pl->pats[k]);
			return -1;
		}
		if (pl->pats[k].matched > most) {
			most = pl->pats[k].matched;
			big = k;
		}
	}
	/*
	 * A return probe in Go code kills the program (the runtime copies a
	 * goroutine's stack to grow it, walks it, and throws on the
	 * trampoline's return address): Go functions are timed by probes on
	 * their RET instructions instead, matched to entries per goroutine,
	 * which needs the goroutine in r14 (Go 1.17's register ABI).  Older
	 * Go code is refused before anything is attached.
	 */
	for (k = 0; pl->at_entry && k < pl->npats; k++) {
		const struct lat_plan_pattern *pt = &pl->pats[k];
		int j;

		for (j = 0; j < pt->nmodules; j++) {
			const struct lat_module *m = &pl->mods[pt->modules[j]];

			if (!elf_funcs__is_go(m->funcs) ||
			    elf_funcs__go_regabi(m->funcs) || !pattern_hits(pl, k, j))
				continue;
			p_err("'%s' matches functions of %s, which is Go code built "
			      "before Go 1.17 (no register ABI): timing them needs "
			      "the goroutine register; --count-only counts their "
			      "calls safely", pt->p.text, m->name);
			return -1;
		}
	}
	if (pl->nfuncs > limit) {
		p_err("the PATTERNs match %zu functions ('%s' alone %zu), more "
		      "than --max-probes %zu: narrow them, or raise --max-probes "
		      "if you mean it (every call costs a few microseconds)",
		      pl->nfuncs, pl->pats[big].p.text, most, limit);
		return -1;
	}
	return 0;
}
