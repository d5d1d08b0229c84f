// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The mem mode: find the allocator each target uses, place uprobes on its
 * functions (user/probes/probe.c picks the cheapest correct instruction), let the
 * kernel side count, and at the end turn sites, live allocations and
 * histograms into one profile with the sample types alloc_objects,
 * alloc_space, inuse_objects and inuse_space.  With --sample-bytes the
 * sites' figures are estimates from sampled stacks, scaled as Go's heap
 * profiles are, each with its standard error as a label.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "modes/allocator.h"
#include "lib/array.h"
#include "probes/bpfutil.h"
#include "modes/mem_engine.h"
#include "modes/mem_estimate.h"
#include "modes/mem_mode.h"
#include "lib/parse.h"
#include "run/cli.h"
#include "commands.h"
#include "probes/entry_point.h"
#include "lib/hashmap.h"
#include "lib/log.h"
#include "modes/losses.h"
#include "mem.h"
#include "python.h"
#include "mem.skel.h"
#include "run/outputs.h"
#include "probes/probe.h"
#include "model/profile.h"
#include "render/render.h"
#include "render/sections.h"
#include "run/session.h"
#include "run/sysinfo.h"
#include "symbols/pyframes.h"
#include "symbols/symbolize.h"
#include "modes/unwinder.h"
#include "probes/uprobe_links.h"

/* Sample types of the profile, in this order. */
enum { T_ALLOC_OBJECTS, T_ALLOC_SPACE, T_INUSE_OBJECTS, T_INUSE_SPACE, T__MAX };

struct target {
	pid_t pid;
	char comm[32];
	struct allocator alloc;
	bool attached;
};

struct memrun {
	struct mem_opts o;
	struct session *sess;
	struct mem_bpf *skel;
	struct uprobe_links probes;
	struct entry_stop stop;		/* COMMAND: stopped at its entry point */
	struct ring_buffer *events;
	struct target *targets;
	int ntargets;
	struct symbolizer *sym;
	struct unwinder *unw;
	struct pyframes *py;		/* Python frames, or NULL */
	__u64 *ptab;			/* --sample-bytes: the kernel's table */
	struct profile *prof;		/* sites: allocated / in use */
	struct profile *leaks;		/* outstanding at the end, by age */
	struct outputs out;	/* every output file, opened at start */
	uint64_t last_allocs;		/* timeline: totals at the last line */
	struct timespec last_tick;
	const char *error;		/* a failure inside a callback */
};

static void detach_all(struct memrun *r)
{
	uprobe_links__detach(&r->probes);
}

/* prog at n offsets of path in pid, each with its cookie (the enum
 * mem_fn).  Allocator functions the kernel will not probe fail the run. */
static int attach_set(struct memrun *r, struct bpf_program *prog, bool ret,
		      pid_t pid, const char *path, const uint64_t *offs,
		      const uint64_t *cookies, uint32_t n)
{
	return uprobe_links__attach(&r->probes, prog, pid, path, NULL, offs,
				    cookies, n, ret, NULL, NULL);
}

/* Probe the allocator functions of one target. */
static int attach_target(struct memrun *r, struct target *t)
{
	struct allocator *a = &t->alloc;
	uint64_t offs[MEM__FN_MAX], cookies[MEM__FN_MAX], free_off, free_cookie;
	char why[512], fns[256] = "";
	struct timespec t0, t1, t2;
	uint32_t n = 0;
	int fn, err;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = allocator_find(t->pid, r->o.lib, r->o.prefix, a, why, sizeof(why));
	if (err) {
		p_err("%s", why);
		return err;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (fn = 0; fn < MEM__FN_MAX; fn++) {
		const struct elf_func *f = &a->fn[fn];
		struct probe_point pp;
		bool timed = fn != MEM_FREE || r->o.free_latency;

		if (!a->found[fn])
			continue;
		if (a->alias_of[fn] >= 0) {
			p_dbg("%s%s: same code as %s%s, probed once", a->prefix,
			      mem_fn_names[fn], a->prefix, mem_fn_names[a->alias_of[fn]]);
			continue;
		}
		/* Return probes need the first instruction; free() without
		 * timing reads only its argument and may move. */
		probe_place(f, timed, PROBE_ARG0, &pp);
		p_dbg("%s%s: probe at +%llu (%s, %s): %s", a->prefix, mem_fn_names[fn],
		      (unsigned long long)pp.delta, pp.insn,
		      pp.emulated ? "emulated" : "single-stepped", pp.why);
		snprintf(fns + strlen(fns), sizeof(fns) - strlen(fns), "%s%s",
			 fns[0] ? " " : "", mem_fn_names[fn]);
		if (fn == MEM_FREE) {
			free_off = pp.offset;
			free_cookie = fn;
			continue;
		}
		offs[n] = f->offset;
		cookies[n] = fn;
		n++;
	}
	err = attach_set(r, r->skel->progs.alloc_entry, false, t->pid, a->path,
			 offs, cookies, n) ?:
	      attach_set(r, r->skel->progs.alloc_return, true, t->pid, a->path,
			 offs, cookies, n);
	if (!err && r->o.free_latency)
		err = attach_set(r, r->skel->progs.free_timed_entry, false, t->pid,
				 a->path, &free_off, &free_cookie, 1) ?:
		      attach_set(r, r->skel->progs.free_return, true, t->pid,
				 a->path, &free_off, &free_cookie, 1);
	else if (!err)
		err = attach_set(r, r->skel->progs.free_entry, false, t->pid,
				 a->path, &free_off, &free_cookie, 1);
	if (err)
		return err;
	clock_gettime(CLOCK_MONOTONIC, &t2);
	p_dbg("pid %d: allocator found in %.1f ms, probes attached in %.1f ms",
	      (int)t->pid, ns_between(&t0, &t1) / 1e6, ns_between(&t1, &t2) / 1e6);
	t->attached = true;
	p_info("pid %d: tracing %s%s in %s: %s", (int)t->pid, a->prefix,
	       a->prefix[0] ? "*" : "allocator", a->shown, fns);
	return 0;
}

/* The COMMAND stopped at its entry point: probe its allocator, resume. */
static void on_entry(void *ctx)
{
	struct memrun *r = ctx;
	struct target *t = &r->targets[0];

	if (t->attached)
		return;
	sys_comm(t->pid, t->comm, sizeof(t->comm));
	symbolizer__add_process(r->sym, t->pid, 0);
	unwinder__add_process(r->unw, t->pid);
	if (attach_target(r, t))
		r->error = "cannot trace the command's allocator";
}

static bool unwinder_busy(void *ctx)
{
	struct memrun *r = ctx;

	return unwinder__pending(r->unw);
}

static void on_events(void *ctx)
{
	struct memrun *r = ctx;

	unwinder__serve(r->unw, r->events);
	if (r->error)
		r->sess->stop_reason = r->error;
}

static void sum_totals(struct memrun *r, uint64_t *t)
{
	if (percpu_array_read(bpf_map__fd(r->skel->maps.totals), 0, MEM_T__MAX, t,
			      false))
		memset(t, 0, MEM_T__MAX * sizeof(*t));
}

/* -i: one timeline line per interval. */
static void on_interval(void *ctx)
{
	struct memrun *r = ctx;
	uint64_t t[MEM_T__MAX], rss = 0;
	struct timespec now;
	char out[32], rs[32];
	double secs;
	int i;

	sum_totals(r, t);
	clock_gettime(CLOCK_MONOTONIC, &now);
	secs = ns_between(&r->last_tick, &now) / 1e9;
	for (i = 0; i < r->ntargets; i++)
		rss += sys_rss_bytes(r->targets[i].pid);
	fmt_bytes((double)t[MEM_T_ALLOC_BYTES] - t[MEM_T_FREE_BYTES], out, sizeof(out));
	fmt_bytes(rss, rs, sizeof(rs));
	if (log_level >= LOG_NORMAL)
		printf("%8.1f s  %10.0f allocs/s  outstanding %12s  rss %10s\n",
		       ns_between(&r->sess->start, &now) / 1e9,
		       secs > 0 ? (t[MEM_T_ALLOCS] - r->last_allocs) / secs : 0, out, rs);
	r->last_allocs = t[MEM_T_ALLOCS];
	r->last_tick = now;
}

static struct target *target_of(struct memrun *r, __u32 tgid)
{
	int i;

	for (i = 0; i < r->ntargets; i++)
		if ((__u32)r->targets[i].pid == tgid)
			return &r->targets[i];
	return NULL;
}

/* The frames of a stored stack, innermost first: the allocator function,
 * then its callers (all return addresses: the stack was taken at return). */
static uint32_t stack_locs(struct memrun *r, __u32 tgid, __u32 fn, __u64 stack,
			   uint32_t *locs)
{
	struct target *t = target_of(r, tgid);
	struct stack_trace st;
	struct frame fr[SYMBOLIZER_MAX_FRAMES] = {};
	char fname[64];
	uint32_t n = 0, i;
	int k, nf;

	/* The allocator function itself, with its prefix (je_malloc). */
	snprintf(fname, sizeof(fname), "%s%s", t ? t->alloc.prefix : "",
		 (fn & ~MEM_FN_SMALL) < MEM__FN_MAX ?
		 mem_fn_names[fn & ~MEM_FN_SMALL] : "?");
	fr[0].name = fname;
	fr[0].module = t ? strrchr(t->alloc.shown, '/') ? strrchr(t->alloc.shown, '/') + 1
						     : t->alloc.shown : NULL;
	fr[0].build_id = "";
	locs[n++] = profile__location(r->prof, &fr[0]);
	if (fn & MEM_FN_SMALL) {
		locs[n++] = profile__pseudo_location(r->prof, "[below --min-size]");
		return n;
	}
	if (!stack || bpf_map_lookup_elem(bpf_map__fd(r->skel->maps.stacks), &stack, &st)) {
		locs[n++] = profile__pseudo_location(r->prof, "[stack lost]");
		return n;
	}
	for (i = 0; i < st.depth && i < PROF_MAX_STACK_DEPTH; i++) {
		/* Every slot, the leaf too, is a return address: the walk
		 * starts at the allocator's return. */
		nf = symbolizer__resolve_user(r->sym, tgid, 0,
					      user_stack_lookup(st.ips[i], 0), fr,
					      SYMBOLIZER_MAX_FRAMES);
		for (k = 0; k < nf; k++)
			locs[n++] = profile__location(r->prof, &fr[k]);
	}
	if (st.end != UNWIND_END_OK)
		locs[n++] = unwind_marker(r->prof, st.end);
	return n;
}

static const char *comm_of(struct memrun *r, __u32 tgid)
{
	struct target *t = target_of(r, tgid);

	return t && t->comm[0] ? t->comm : "[unknown]";
}

static int drain_sites(struct memrun *r)
{
	int fd = bpf_map__fd(r->skel->maps.sites);
	uint32_t locs[PROF_MAX_STACK_DEPTH * (1 + SYMBOLIZER_MAX_FRAMES) + 2];
	struct mem_site_key key, next, *prev = NULL;
	struct mem_estimate e;
	struct mem_site v;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		int64_t values[T__MAX];
		uint32_t n, i;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &v) || !v.allocs)
			continue;
		n = stack_locs(r, key.tgid, key.fn, key.stack, locs);
		for (i = 0; i < n; i++)
			if (!locs[i])
				return -ENOMEM;
		mem_estimate_site(&v, r->o.sample_bytes, &e);
		values[T_ALLOC_OBJECTS] = e.allocs;
		values[T_ALLOC_SPACE] = e.alloc_bytes;
		values[T_INUSE_OBJECTS] = e.inuse_objs;
		values[T_INUSE_SPACE] = e.inuse_bytes;
		if (profile__add_sample(r->prof, locs, n, key.tgid,
					comm_of(r, key.tgid), values))
			return -ENOMEM;
		/* Below --min-size a site is counted, not sampled. */
		if (!r->o.sample_bytes || (key.fn & MEM_FN_SMALL))
			continue;
		if (profile__add_label(r->prof, MEM_LABEL_SAMPLES, NULL,
				       (int64_t)v.samples, "") ||
		    profile__add_label(r->prof, MEM_LABEL_ALLOC_SE, NULL,
				       llround(e.alloc_bytes_se), "bytes") ||
		    profile__add_label(r->prof, MEM_LABEL_INUSE_SE, NULL,
				       llround(e.inuse_bytes_se), "bytes"))
			return -ENOMEM;
	}
	return 0;
}

/*
 * Outstanding allocations older than --min-age, grouped by site: count,
 * bytes and the oldest one's age.  The one walk of the live map, at the end.
 */
struct leak_group {
	struct mem_site_key key;
	/* include/mem_sample.h units: estimates when sampled */
	uint64_t objs, bytes, var, samples, oldest_ns;
};

/* What a live allocation stands for at its site. */
static void live_weight(const struct memrun *r, const struct mem_live *v,
			struct mem_weight *w)
{
	__u64 p = MEM_P_ONE;

	if (r->o.sample_bytes && r->ptab && !(v->fn & MEM_FN_SMALL))
		p = mem_sample_p(r->ptab, v->size, r->o.sample_bytes);
	mem_sample_weight(p, v->size, r->o.sample_bytes, w);
}

static int drain_leaks(struct memrun *r)
{
	int fd = bpf_map__fd(r->skel->maps.live);
	struct mem_live_key key, next, *prev = NULL;
	uint32_t locs[PROF_MAX_STACK_DEPTH * (1 + SYMBOLIZER_MAX_FRAMES) + 2];
	struct u64map *index = u64map__new();
	struct leak_group *g = NULL;
	size_t ng = 0, cap = 0, i;
	struct timespec now;
	uint64_t now_ns, min_age = r->o.min_age * 1e9, idx;
	struct profile *saved;
	struct mem_live v;
	int err = 0;

	if (!index)
		return -ENOMEM;
	clock_gettime(CLOCK_MONOTONIC, &now);
	now_ns = now.tv_sec * 1000000000ULL + now.tv_nsec;
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		struct mem_weight w;
		uint64_t h, age;

		key = next;
		prev = &key;
		/* An allocation not sampled has no site: it is in the
		 * outstanding totals, and in its site's estimate. */
		if (bpf_map_lookup_elem(fd, &key, &v) || (v.fn & MEM_FN_UNSAMPLED))
			continue;
		age = now_ns > v.alloc_ns ? now_ns - v.alloc_ns : 0;
		if (age < min_age)
			continue;
		h = hash_bytes(HASH_SEED, &v.tgid, sizeof(v.tgid));
		h = hash_bytes(h, &v.fn, sizeof(v.fn));
		h = hash_bytes(h, &v.stack, sizeof(v.stack));
		if (!u64map__get(index, h, &idx)) {
			if (GROW(g, ng, cap)) {
				err = -ENOMEM;
				goto out;
			}
			memset(&g[ng], 0, sizeof(g[ng]));
			g[ng].key.tgid = v.tgid;
			g[ng].key.fn = v.fn;
			g[ng].key.stack = v.stack;
			idx = ng++;
			if (u64map__set(index, h, idx)) {
				err = -ENOMEM;
				goto out;
			}
		}
		live_weight(r, &v, &w);
		g[idx].objs += w.objs;
		g[idx].bytes += w.bytes;
		g[idx].var += w.var;
		g[idx].samples++;
		if (age > g[idx].oldest_ns)
			g[idx].oldest_ns = age;
	}
	/* stack_locs() builds locations in r->prof: point it at leaks. */
	saved = r->prof;
	r->prof = r->leaks;
	for (i = 0; i < ng && !err; i++) {
		int64_t values[3] = { mem_estimate_objs(g[i].objs),
				      mem_estimate_bytes(g[i].bytes), g[i].oldest_ns };
		uint32_t n = stack_locs(r, g[i].key.tgid, g[i].key.fn, g[i].key.stack,
					locs), k;

		for (k = 0; k < n; k++)
			if (!locs[k])
				err = -ENOMEM;
		if (!err && profile__add_sample(r->leaks, locs, n, g[i].key.tgid,
						comm_of(r, g[i].key.tgid), values))
			err = -ENOMEM;
		if (err || !r->o.sample_bytes || (g[i].key.fn & MEM_FN_SMALL))
			continue;
		if (profile__add_label(r->leaks, MEM_LABEL_SAMPLES, NULL,
				       (int64_t)g[i].samples, "") ||
		    profile__add_label(r->leaks, MEM_LABEL_BYTES_SE, NULL,
				       llround(mem_estimate_se(g[i].var,
							       r->o.sample_bytes)),
				       "bytes"))
			err = -ENOMEM;
	}
	r->prof = saved;
out:
	free(g);
	u64map__free(index);
	return err;
}

static int drain_hists(struct memrun *r)
{
	int hfd = bpf_map__fd(r->skel->maps.hists);
	uint64_t *counts = calloc(HIST_BUCKETS, sizeof(*counts));
	uint64_t max[MEM__FN_MAX];
	int h, err = 0;

	if (!counts ||
	    percpu_array_read(bpf_map__fd(r->skel->maps.max_lat), 0, MEM__FN_MAX,
			      max, true)) {
		free(counts);
		return -ENOMEM;
	}
	for (h = 0; h < MEM_NHIST && !err; h++) {
		err = percpu_array_read(hfd, h * HIST_BUCKETS, HIST_BUCKETS, counts,
					false);
		if (err)
			break;
		if (h < MEM__FN_MAX) {
			if (!profile__add_hist(r->prof, PROF_GROUP_LATENCY,
					       mem_fn_names[h], "nanoseconds",
					       counts, max[h]))
				err = -ENOMEM;
		} else if (!profile__add_hist(r->prof, "", "size", "bytes",
					      counts, 0)) {
			err = -ENOMEM;
		}
	}
	free(counts);
	return err;
}

/* One of the run's figures, shown with the totals. */
static int run_total(struct memrun *r, const char *name, const char *unit,
		     double value)
{
	return profile__add_metric(r->prof, PROF_GROUP_TOTALS, name, unit, value);
}

/* The sites profile, and unless sites_only its histograms and the leak
 * suspects (which walk every live allocation). */
static int build_profiles(struct memrun *r, bool sites_only)
{
	uint64_t t[MEM_T__MAX], st_totals[STAT__MAX];
	struct symbolizer_stats st;
	double secs = session__duration_ns(r->sess) / 1e9;
	char title[512];
	int len, i, err;

	r->prof = profile__new();
	r->leaks = profile__new();
	if (!r->prof || !r->leaks)
		return -ENOMEM;
	for (i = 0; i < T__MAX; i++)
		if (profile__add_type(r->prof, mem_sample_names[i],
				      i == T_ALLOC_OBJECTS || i == T_INUSE_OBJECTS ?
				      "count" : "bytes") < 0)
			return -ENOMEM;
	if (profile__add_type(r->leaks, "objects", "count") < 0 ||
	    profile__add_type(r->leaks, "bytes", "bytes") < 0 ||
	    profile__add_type(r->leaks, "oldest", "nanoseconds") < 0)
		return -ENOMEM;
	r->prof->default_type = r->o.sample;
	r->prof->duration_ns = session__duration_ns(r->sess);
	r->leaks->duration_ns = r->prof->duration_ns;
	len = snprintf(title, sizeof(title), "profiler mem: ");
	session__describe(r->sess, title + len, sizeof(title) - len);
	if (r->ntargets && r->targets[0].attached) {
		len = strlen(title);
		snprintf(title + len, sizeof(title) - len, ", allocator %.300s",
			 r->targets[0].alloc.shown);
	}
	r->prof->title = profile__str(r->prof, title);
	r->leaks->title = profile__str(r->leaks, title);
	r->prof->mode = profile__str(r->prof, "mem");
	r->leaks->mode = profile__str(r->leaks, "mem");

	sum_totals(r, t);
	err = run_total(r, "allocs", "count", t[MEM_T_ALLOCS]) ?:
	      run_total(r, "alloc_bytes", "bytes", t[MEM_T_ALLOC_BYTES]) ?:
	      run_total(r, "alloc_rate", "per_second",
			secs > 0 ? t[MEM_T_ALLOCS] / secs : 0) ?:
	      run_total(r, "frees", "count", t[MEM_T_FREES]) ?:
	      run_total(r, "free_bytes", "bytes", t[MEM_T_FREE_BYTES]) ?:
	      run_total(r, "outstanding_count", "count",
			t[MEM_T_ALLOCS] >= t[MEM_T_FREES] ?
			t[MEM_T_ALLOCS] - t[MEM_T_FREES] : 0) ?:
	      run_total(r, "outstanding_bytes", "bytes",
			t[MEM_T_ALLOC_BYTES] >= t[MEM_T_FREE_BYTES] ?
			t[MEM_T_ALLOC_BYTES] - t[MEM_T_FREE_BYTES] : 0) ?:
	      run_total(r, "failed_allocs", "count", t[MEM_T_FAILED]) ?:
	      run_total(r, "frees_of_older_blocks", "count", t[MEM_T_FREES_UNKNOWN]) ?:
	      run_total(r, "stacks_taken", "count", t[MEM_T_STACKS]);
	if (!err && r->o.sample_bytes)
		err = run_total(r, "sample_bytes", "bytes", r->o.sample_bytes);
	if (err)
		return err;
	if (r->o.sample_bytes) {
		/* As Go's heap profiles: values scaled, the rate as the
		 * period, in bytes of space. */
		int64_t ty = profile__str(r->prof, "space"),
			un = profile__str(r->prof, "bytes");

		if (ty < 0 || un < 0)
			return -ENOMEM;
		r->prof->period_type.type = ty;
		r->prof->period_type.unit = un;
		r->prof->period = r->o.sample_bytes;
	}
	stats_read(bpf_map__fd(r->skel->maps.stats), st_totals);
	if (stats_add_losses(r->prof, st_totals))
		return -ENOMEM;
	err = sites_only ? drain_sites(r) :
			   drain_hists(r) ?: drain_sites(r) ?: drain_leaks(r);
	if (err)
		return err;
	symbolizer__stats(r->sym, &st);
	if (st.unnamed && profile__add_truncation(r->prof,
			"addresses not named: naming stopped by a signal",
			"shown as module+offset", st.unnamed))
		return -ENOMEM;
	return 0;
}

/* A signal after the run cuts naming short (symbolizer__stop_when). */
static bool interrupted(void *ctx)
{
	struct memrun *r = ctx;

	return session__interrupted(r->sess);
}

static int print_report(struct memrun *r)
{
	const struct profile *p = r->prof;
	static const uint32_t site_types[] = { T_ALLOC_SPACE, T_ALLOC_OBJECTS,
					       T_INUSE_SPACE, T_INUSE_OBJECTS };
	static const uint32_t leak_types[] = { 1, 0, 2 };
	const char *err = r->o.sample_bytes ? MEM_LABEL_ALLOC_SE : NULL;
	char a[32];
	size_t i;
	int top = (int)r->o.c.top;

	printf("%s\n", profile__get_str(p, p->title));
	printf("duration %.2f s\n", p->duration_ns / 1e9);
	if (r->o.sample_bytes) {
		fmt_bytes(r->o.sample_bytes, a, sizeof(a));
		printf("stacks sampled: one per %s allocated on average "
		       "(--sample-bytes %llu; --exact for all);\n"
		       "sites show estimates, +/- one standard error of their "
		       "bytes; totals and histograms are exact\n",
		       a, (unsigned long long)r->o.sample_bytes);
	}
	putchar('\n');
	printf("totals:\n");
	render_metrics(p, PROF_GROUP_TOTALS, stdout);
	for (i = 0; i < p->nlosses; i++) {
		const struct prof_loss *l = &p->losses[i];
		const char *hint = profile__get_str(p, l->hint);

		printf("%s: %llu %s%s%s%s\n", l->truncated ? "truncated" : "lost",
		       (unsigned long long)l->count,
		       profile__get_str(p, l->what), *hint ? " (" : "", hint,
		       *hint ? ")" : "");
	}
	for (i = 0; i < p->nhists; i++) {
		if (strcmp(profile__get_str(p, p->hists[i].name), "size") ||
		    !p->hists[i].total)
			continue;
		printf("\nallocation sizes:\n");
		render_hist_bars(p, &p->hists[i], stdout);
	}
	printf("\nlatency per call:\n");
	render_hist_table(p, PROF_GROUP_LATENCY, "FUNCTION", stdout);

	printf("\ntop %d allocation sites by bytes:\n", top);
	render_sites_err(p, T_ALLOC_SPACE, site_types, 4, err, 0, top, 8, stdout);
	printf("\ntop %d allocation sites by count:\n", top);
	render_sites_err(p, T_ALLOC_OBJECTS, site_types, 4, err, 0, top, 8, stdout);

	fmt_ns(r->o.min_age * 1e9, a, sizeof(a));
	printf("\noutstanding at the end, older than %s (leak suspects), by bytes:\n", a);
	if (!r->leaks->nsamples)
		printf("  none\n");
	else
		render_sites_err(r->leaks, 1, leak_types, 3,
				 r->o.sample_bytes ? MEM_LABEL_BYTES_SE : NULL, 0,
				 top, 8, stdout);
	if (r->sess->stop_reason)
		printf("\nstopped: %s\n", r->sess->stop_reason);
	outputs__report(&r->out, stdout);
	fflush(stdout);
	return ferror(stdout) ? -EIO : 0;
}

static int write_outputs(struct memrun *r)
{
	int err = 0, ferr;

	/* default_type is --sample: folded and SVG weigh stacks by it. */
	ferr = outputs__write(&r->out, r->prof);
	if (log_level >= LOG_NORMAL)
		err = print_report(r);
	return err || ferr ? -1 : 0;
}

static int load_bpf(struct memrun *r)
{
	struct timespec t0, t1;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r->skel = mem_bpf__open();
	if (!r->skel) {
		p_err("cannot open the BPF object: %s", strerror(errno));
		return -1;
	}
	uprobe_links__init(&r->probes);
	{
		struct bpf_program *progs[] = {
			r->skel->progs.alloc_entry, r->skel->progs.alloc_return,
			r->skel->progs.free_entry, r->skel->progs.free_timed_entry,
			r->skel->progs.free_return,
		};
		size_t i;

		for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
			uprobe_links__prepare(&r->probes, progs[i]);
	}
	bpf_program__set_autoload(r->skel->progs.free_entry, !r->o.free_latency);
	bpf_program__set_autoload(r->skel->progs.free_timed_entry, r->o.free_latency);
	bpf_program__set_autoload(r->skel->progs.free_return, r->o.free_latency);
	bpf_program__set_autoload(r->skel->progs.entry_stop, r->o.c.command != NULL);
	/* Targets are loaded by the mode, which follows no fork or exec. */
	bpf_program__set_autoload(r->skel->progs.unwind_fork, false);
	bpf_program__set_autoload(r->skel->progs.unwind_exec, false);
	bpf_program__set_autoload(r->skel->progs.unwind_exit, false);
	r->skel->rodata->unwind_mode = r->o.s.unwind;
	r->skel->rodata->free_latency = r->o.free_latency;
	r->skel->rodata->min_size = r->o.min_size;
	r->skel->rodata->sample_bytes = r->o.sample_bytes;
	if (r->o.sample_bytes) {
		/* Kept: the leak groups weigh live blocks with it. */
		r->ptab = calloc(MEM_SAMPLE_POINTS, sizeof(*r->ptab));
		if (!r->ptab) {
			p_err("out of memory");
			return -1;
		}
		mem_sample_table(r->ptab);
		memcpy(r->skel->bss->sample_p_table, r->ptab,
		       sizeof(r->skel->bss->sample_p_table));
	}
	bpf_map__set_max_entries(r->skel->maps.live, r->o.live_map_size);
	bpf_map__set_max_entries(r->skel->maps.sites, r->o.sites_map_size);
	bpf_map__set_max_entries(r->skel->maps.stacks, r->o.stack_map_size);
	err = mem_bpf__load(r->skel);
	if (err) {
		report_load_error(err);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	p_dbg("BPF object loaded in %.1f ms", ns_between(&t0, &t1) / 1e6);
	if (!r->o.s.no_python && r->o.s.unwind != UNWIND_MODE_FP) {
		r->py = pyframes__new();
		if (!r->py) {
			p_err("out of memory");
			return -1;
		}
		symbolizer__set_python(r->sym, r->py);
	}
	r->unw = unwinder__open(r->skel->obj, &(struct unwinder_opts){
				.mode = r->o.s.unwind,
				.max_bytes = (size_t)r->o.s.unwind_max_mb << 20,
				.pyframes = r->py,
				.launched = &r->sess->launched,
				.debug_dirs = r->o.c.debug_dirs });
	return r->unw ? 0 : -1;
}

static int setup_targets(struct memrun *r)
{
	int i;

	r->ntargets = r->sess->ntargets;
	r->targets = calloc(r->ntargets, sizeof(*r->targets));
	if (!r->targets) {
		p_err("out of memory");
		return -1;
	}
	for (i = 0; i < r->ntargets; i++) {
		r->targets[i].pid = session__target(r->sess, i);
		r->targets[i].alloc.fd = -1;
	}
	if (!r->o.c.command) {
		for (i = 0; i < r->ntargets; i++) {
			sys_comm(r->targets[i].pid, r->targets[i].comm,
				 sizeof(r->targets[i].comm));
			symbolizer__add_process(r->sym, r->targets[i].pid, 0);
			unwinder__add_process(r->unw, r->targets[i].pid);
			if (attach_target(r, &r->targets[i]))
				return -1;
		}
		return 0;
	}
	/* The COMMAND hasn't exec'ed: stop it at its entry point, where its
	 * libraries are mapped, to find and probe its allocator. */
	return entry_stop__attach(&r->stop, r->skel->progs.entry_stop,
				  r->skel->maps.entry_events, &r->events,
				  r->targets[0].pid, r->o.c.command[0], on_entry, r);
}

/* The unwinder's requests (libraries loaded later) on the mode's ring. */
static int listen_unwinder(struct memrun *r)
{
	int err = unwinder__listen(r->unw, &r->events);

	if (err)
		p_err("cannot listen to the unwinder's requests: %s", strerror(-err));
	return err ? -1 : 0;
}

/* What the engine holds (not the session, not the options' strings). */
static void engine_free(struct memrun *r)
{
	uprobe_links__free(&r->probes);
	entry_stop__detach(&r->stop);
	ring_buffer__free(r->events);
	unwinder__free(r->unw);
	mem_bpf__destroy(r->skel);
	symbolizer__free(r->sym);
	pyframes__free(r->py);
	free(r->ptab);
	profile__free(r->prof);
	profile__free(r->leaks);
	outputs__abort(&r->out);
	for (int i = 0; i < r->ntargets; i++)
		allocator_release(&r->targets[i].alloc);
	free(r->targets);
	r->prof = r->leaks = NULL;
	r->targets = NULL;
	r->ptab = NULL;
}

static void run_free(struct memrun *r)
{
	engine_free(r);
	session__free(r->sess);
	cli_free_common(&r->o.c);
}

/* ---- the engine, for serve ------------------------------------------------ */

static void defaults(struct mem_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sample = MEM_SAMPLE_INUSE_SPACE;
	o->live_map_size = MEM_DEFAULT_LIVE_MAP_SIZE;
	o->sites_map_size = MEM_DEFAULT_SITES_MAP_SIZE;
	o->stack_map_size = MEM_DEFAULT_STACK_MAP_SIZE;
	o->sample_bytes = MEM_DEFAULT_SAMPLE_BYTES;
	stack_opts__defaults(&o->s);
}

struct memrun *mem_engine_open(struct session *sess, const struct common_opts *c,
			       const struct stack_opts *s)
{
	struct symbolizer_opts so = {
		.no_inline = c->no_inline,
		.no_demangle = c->no_demangle,
		.debug_dirs = c->debug_dirs,
	};
	struct memrun *r = calloc(1, sizeof(*r));

	if (!r) {
		p_err("out of memory");
		return NULL;
	}
	r->sess = sess;
	defaults(&r->o);
	/* serve --mem keeps every stack: its figures add up over days and
	 * its readers expect exact ones (docs/serve.md). */
	r->o.sample_bytes = 0;
	/* Borrowed: the caller's options outlive the engine. */
	r->o.c = *c;
	r->o.s = *s;
	r->sym = symbolizer__new(&so);
	if (!r->sym) {
		p_err("out of memory");
		goto fail;
	}
	if (load_bpf(r) || setup_targets(r) || listen_unwinder(r))
		goto fail;
	return r;
fail:
	mem_engine_free(r);
	return NULL;
}

int mem_engine_fd(const struct memrun *r)
{
	return r->events ? ring_buffer__epoll_fd(r->events) : -1;
}

void mem_engine_events(struct memrun *r)
{
	unwinder__serve(r->unw, r->events);
}

bool mem_engine_busy(const struct memrun *r)
{
	return unwinder__pending(r->unw);
}

int mem_engine_profiles(struct memrun *r, struct profile **sites,
			struct profile **leaks)
{
	profile__free(r->prof);
	profile__free(r->leaks);
	r->prof = r->leaks = NULL;
	if (build_profiles(r, false))
		return -ENOMEM;
	*sites = r->prof;
	*leaks = r->leaks;
	return 0;
}

int mem_engine_sites(struct memrun *r, struct profile **sites)
{
	profile__free(r->prof);
	profile__free(r->leaks);
	r->prof = r->leaks = NULL;
	if (build_profiles(r, true))
		return -ENOMEM;
	*sites = r->prof;
	return 0;
}

void mem_engine_totals(struct memrun *r, uint64_t *t)
{
	sum_totals(r, t);
}

void mem_engine_renew_symbolizer(struct memrun *r)
{
	struct symbolizer *sym = symbolizer__new(&(struct symbolizer_opts){
		.no_inline = r->o.c.no_inline, .no_demangle = r->o.c.no_demangle,
		.debug_dirs = r->o.c.debug_dirs });
	int i;

	if (!sym)
		return;
	symbolizer__free(r->sym);
	r->sym = sym;
	symbolizer__set_python(sym, r->py);
	for (i = 0; i < r->ntargets; i++)
		symbolizer__add_process(sym, r->targets[i].pid, 0);
}

void mem_engine_free(struct memrun *r)
{
	if (!r)
		return;
	engine_free(r);
	free(r);
}

int cmd_mem(int argc, char **argv)
{
	struct memrun r = {};
	struct session sess = {};
	struct symbolizer_opts sopts = {};
	struct session_hooks hooks = {};
	int status = EXIT_RUNTIME;

	r.sess = &sess;
	sess.sigfd = sess.timerfd = sess.intervalfd = -1;
	status = cli_exit_status(mem_parse_args(argc, argv, &r.o));
	if (status >= 0) {
		cli_free_common(&r.o.c);
		return status;
	}
	status = EXIT_RUNTIME;
	log_level = r.o.c.verbosity;
	log_setup_libbpf();

	if (session__init(&sess, &r.o.c, "mem"))
		goto out;
	if (outputs__open(&r.out, &r.o.c.out))
		goto out;
	sopts.no_inline = r.o.c.no_inline;
	sopts.no_demangle = r.o.c.no_demangle;
	sopts.debug_dirs = r.o.c.debug_dirs;
	r.sym = symbolizer__new(&sopts);
	if (!r.sym) {
		p_err("out of memory");
		goto out;
	}
	if (load_bpf(&r) || setup_targets(&r) || listen_unwinder(&r) ||
	    session__start(&sess, r.o.interval))
		goto out;
	r.last_tick = sess.start;
	if (r.o.interval > 0 && log_level >= LOG_NORMAL)
		printf("%10s  %17s  %24s  %14s\n", "TIME", "RATE", "OUTSTANDING", "RSS");

	hooks.fd = r.events ? ring_buffer__epoll_fd(r.events) : -1;
	hooks.on_fd = on_events;
	hooks.pending = unwinder_busy;
	hooks.on_interval = on_interval;
	hooks.ctx = &r;
	session__loop(&sess, &hooks);

	/* Stop counting before reading: detach, then read what the kernel has. */
	detach_all(&r);
	session__end(&sess);
	symbolizer__stop_when(r.sym, interrupted, &r);
	if (r.error)
		goto out;
	if (build_profiles(&r, false)) {
		p_err("out of memory while building the report");
		goto out;
	}
	if (write_outputs(&r))
		goto out;
	status = session__exit_status(&sess);
out:
	run_free(&r);
	return status;
}

/* ---- options --------------------------------------------------------- */

enum {
	MEM_OPT_LIB = CLI_OPT_MODE,
	MEM_OPT_PREFIX,
	MEM_OPT_MIN_SIZE,
	MEM_OPT_MIN_AGE,
	MEM_OPT_SAMPLE,
	MEM_OPT_FREE_LATENCY,
	MEM_OPT_LIVE_MAP_SIZE,
	MEM_OPT_SITES_MAP_SIZE,
	MEM_OPT_STACK_MAP_SIZE,
	MEM_OPT_SAMPLE_BYTES,
	MEM_OPT_EXACT,
};

static const struct option mem_long[] = {
	{ "interval",		required_argument, NULL, 'i' },
	{ "lib",		required_argument, NULL, MEM_OPT_LIB },
	{ "prefix",		required_argument, NULL, MEM_OPT_PREFIX },
	{ "min-size",		required_argument, NULL, MEM_OPT_MIN_SIZE },
	{ "min-age",		required_argument, NULL, MEM_OPT_MIN_AGE },
	{ "sample",		required_argument, NULL, MEM_OPT_SAMPLE },
	{ "free-latency",	no_argument,	   NULL, MEM_OPT_FREE_LATENCY },
	{ "live-map-size",	required_argument, NULL, MEM_OPT_LIVE_MAP_SIZE },
	{ "sites-map-size",	required_argument, NULL, MEM_OPT_SITES_MAP_SIZE },
	{ "stack-map-size",	required_argument, NULL, MEM_OPT_STACK_MAP_SIZE },
	{ "sample-bytes",	required_argument, NULL, MEM_OPT_SAMPLE_BYTES },
	{ "exact",		no_argument,	   NULL, MEM_OPT_EXACT },
	STACK_LONG_OPTIONS,
};

const char *const mem_sample_names[MEM_SAMPLE__COUNT] = {
	[MEM_SAMPLE_ALLOC_OBJECTS] = "alloc_objects",
	[MEM_SAMPLE_ALLOC_SPACE] = "alloc_space",
	[MEM_SAMPLE_INUSE_OBJECTS] = "inuse_objects",
	[MEM_SAMPLE_INUSE_SPACE] = "inuse_space",
};

void mem_usage(FILE *out)
{
	fprintf(out,
"Usage: profiler mem [-p PID[,PID...] | -- COMMAND [ARGS...]] [OPTIONS]\n"
"\n"
"Traces the allocator a running process uses (uprobes on malloc, calloc,\n"
"realloc, reallocarray, posix_memalign, aligned_alloc, memalign, valloc,\n"
"pvalloc and free): which code allocates most, what is still outstanding\n"
"(leak suspects), the size distribution and how long each call takes.\n"
"No recompiling, no LD_PRELOAD.  Needs root (or CAP_BPF and CAP_PERFMON).\n"
"\n"
"Targets (one of them is required):\n"
"  -p, --pid PID[,PID...]    trace these processes\n"
"  -- COMMAND [ARGS...]      start COMMAND and trace it until it exits\n"
"\n"
"Tracing:\n"
"  -d, --duration SECONDS    stop after SECONDS (default: Ctrl-C or exit)\n"
"  -i, --interval SECONDS    print a timeline line every SECONDS\n"
"      --lib PATH            trace this allocator library (a path as the\n"
"                            process sees it) instead of the one found\n"
"      --prefix P            allocator symbols carry prefix P (je_malloc)\n"
"      --min-size BYTES      take no stack for allocations smaller than\n"
"                            BYTES: cheaper; they are counted in totals and\n"
"                            under one [below --min-size] site\n"
"      --sample-bytes N      stacks of a random sample of allocations, one\n"
"                            per N bytes on average, in proportion to size\n"
"                            (K, M, G suffixes; default %d): sites show\n"
"                            estimates with their standard error; totals,\n"
"                            outstanding and histograms stay exact\n"
"      --exact               the stack of every allocation: exact counts\n"
"                            per site (same as --sample-bytes 0)\n"
"      --free-latency        time free() too (costs a return probe)\n"
"      --live-map-size N     live allocations tracked (default %d)\n"
"      --sites-map-size N    distinct allocation sites (default %d)\n"
"      --stack-map-size N    distinct stacks kept (default %d)\n"
"\n"
"Report:\n"
"      --top N               allocation sites per table (default 10)\n"
"      --min-age SECONDS     outstanding allocations older than this are\n"
"                            leak suspects (default 0: all outstanding)\n"
"      --sample TYPE         what --folded and --svg weigh stacks by:\n"
"                            alloc_space, alloc_objects, inuse_space\n"
"                            (default: a leak flame graph), inuse_objects\n",
		MEM_DEFAULT_SAMPLE_BYTES, MEM_DEFAULT_LIVE_MAP_SIZE,
		MEM_DEFAULT_SITES_MAP_SIZE, MEM_DEFAULT_STACK_MAP_SIZE);
	stack_opts__usage(out);
	outputs__usage(out);
	fprintf(out,
"      --debug-dir DIR, --no-inline, --no-demangle  as for cpu\n"
"  -q, --quiet               errors only\n"
"  -v, --verbose             debug messages (probe placement)\n"
"  -h, --help                this help\n"
"\n"
"Examples:\n"
"  profiler mem -p 1234 -d 30                top allocators of 1234 for 30 s\n"
"  profiler mem --exact --folded f -- ./t    exact counts per site of a test\n"
"  profiler mem -p 1234 -i 5 --min-age 60    timeline; leaks older than 60 s\n"
"  profiler mem --folded leaks.folded -- ./server\n"
"                                            leak flame graph of a command\n"
"\n"
"Exit status: 0 success (or COMMAND's status), 1 runtime failure, 2 usage error.\n");
}

/* --sample-bytes: bytes, with an optional binary K, M or G ("512K",
 * "2MiB"); 0 or -1. */
static int parse_sample_bytes(const char *arg, uint64_t *out)
{
	static const struct { const char *suffix; int shift; } units[] = {
		{ "", 0 }, { "K", 10 }, { "KiB", 10 }, { "M", 20 }, { "MiB", 20 },
		{ "G", 30 }, { "GiB", 30 },
	};
	char num[32];
	size_t n = strspn(arg, "0123456789"), i;

	if (!n || n >= sizeof(num))
		return -1;
	memcpy(num, arg, n);
	num[n] = '\0';
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(arg + n, units[i].suffix))
			continue;
		if (parse_u64(num, 0, MEM_SAMPLE_MAX_RATE >> units[i].shift, out))
			return -1;
		*out <<= units[i].shift;
		return 0;
	}
	return -1;
}

static enum cli_result parse_mem_opt(int c, const char *arg, void *mode)
{
	struct mem_opts *o = mode;
	size_t i;

	switch (c) {
	case 'i':
		if (parse_seconds(arg, 86400, &o->interval))
			return cli_error("invalid interval '%s' for -i "
					   "(expected seconds > 0)", arg);
		return CLI_OK;
	case MEM_OPT_LIB:
		if (arg[0] != '/')
			return cli_error("invalid library '%s' for --lib "
					   "(expected an absolute path)", arg);
		o->lib = arg;
		return CLI_OK;
	case MEM_OPT_PREFIX:
		if (strlen(arg) > 16 || strspn(arg, "abcdefghijklmnopqrstuvwxyz"
				"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen(arg))
			return cli_error("invalid prefix '%s' for --prefix "
					   "(expected a C identifier prefix)", arg);
		o->prefix = arg;
		return CLI_OK;
	case MEM_OPT_MIN_SIZE:
		if (parse_u64(arg, 0, UINT64_MAX, &o->min_size))
			return cli_error("invalid size '%s' for --min-size "
					   "(expected bytes)", arg);
		return CLI_OK;
	case MEM_OPT_MIN_AGE:
		if (strcmp(arg, "0") && parse_seconds(arg, 31536000, &o->min_age))
			return cli_error("invalid age '%s' for --min-age "
					   "(expected seconds)", arg);
		return CLI_OK;
	case MEM_OPT_SAMPLE:
		for (i = 0; i < 4; i++)
			if (!strcmp(arg, mem_sample_names[i]))
				break;
		if (i == 4)
			return cli_error("unknown sample type '%s' for --sample "
					   "(expected alloc_space, alloc_objects, "
					   "inuse_space or inuse_objects)", arg);
		o->sample = i;
		return CLI_OK;
	case MEM_OPT_FREE_LATENCY:
		o->free_latency = true;
		return CLI_OK;
	case MEM_OPT_SAMPLE_BYTES:
		if (parse_sample_bytes(arg, &o->sample_bytes))
			return cli_error("invalid size '%s' for --sample-bytes (expected "
					 "bytes, 0..%llu, or with K, M, G)", arg,
					 (unsigned long long)MEM_SAMPLE_MAX_RATE);
		return CLI_OK;
	case MEM_OPT_EXACT:
		o->sample_bytes = 0;
		return CLI_OK;
	case MEM_OPT_LIVE_MAP_SIZE:
		return cli_parse_size(arg, "--live-map-size", 1 << 26, &o->live_map_size);
	case MEM_OPT_SITES_MAP_SIZE:
		return cli_parse_size(arg, "--sites-map-size", 1 << 24, &o->sites_map_size);
	case MEM_OPT_STACK_MAP_SIZE:
		return cli_parse_size(arg, "--stack-map-size", 1 << 24, &o->stack_map_size);
	}
	return stack_opts__parse(c, arg, &o->s);
}

enum cli_result mem_parse_args(int argc, char **argv, struct mem_opts *o)
{
	static const struct cli_mode spec = {
		.help = "profiler mem --help",
		.groups = CLI_ALL,
		.shortopts = "i:",
		.longopts = mem_long,
		.nlong = sizeof(mem_long) / sizeof(mem_long[0]),
		.parse = parse_mem_opt,
		.usage = mem_usage,
	};
	enum cli_result r;

	defaults(o);
	r = cli_parse(argc, argv, &o->c, &spec, o);
	if (r == CLI_OK && !o->c.npids && !o->c.command)
		return cli_error("mem needs a target: -p PID or -- COMMAND");
	return r;
}
