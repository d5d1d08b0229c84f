// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The lat mode: resolve each [MODULE:]GLOB pattern to functions of a file
 * the target maps, probe every function with an entry and a return program
 * (its id as the BPF cookie), let the kernel count and time, and read the
 * per-function figures back into a flat profile (render/latency.c draws its
 * table): for each -i interval (the difference from the previous reading)
 * and for the run.
 *
 * Probes go on through user/probes/uprobe_links.h: uprobe_multi links when the
 * kernel has them (one link per process, file and program), else one perf
 * event per probe.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/array.h"
#include "probes/bpfutil.h"
#include "modes/lat_engine.h"
#include "modes/lat_mode.h"
#include "modes/lat_profile.h"
#include "modes/lat_pattern.h"
#include "lib/parse.h"
#include "run/cli.h"
#include "commands.h"
#include "probes/entry_point.h"
#include "model/histogram.h"
#include "lat.h"
#include "lat.skel.h"
#include "modes/lat_plan.h"
#include "lib/log.h"
#include "modes/losses.h"
#include "lib/outfile.h"
#include "render/render.h"
#include "run/session.h"
#include "run/sysinfo.h"
#include "run/outputs.h"
#include "model/profile.h"
#include "probes/uprobe_links.h"

/* One function's kernel figures summed over CPUs. */
struct figures {
	uint64_t calls, untimed, sum, min, max, imin, imax;
};

/* Every function's figures at one moment. */
struct snapshot {
	struct figures *f;	/* nfns */
	uint64_t *counts;	/* nfns * HIST_BUCKETS; NULL with --count-only */
	uint64_t stats[STAT__MAX];
};

struct latrun {
	struct lat_opts o;
	struct session *sess;
	struct lat_bpf *skel;
	size_t capacity;	/* functions the kernel maps hold */
	const uint64_t *hists;	/* fn_hists, mmaped read-only */
	size_t hists_len;
	struct lat_plan plan;
	struct uprobe_links probes;
	struct entry_stop stop;		/* COMMAND: stopped at its entry point */
	struct bpf_link *exit_link;	/* a thread's calls in flight end */
	struct ring_buffer *events;
	bool attached;
	uint64_t gen;			/* interval generation, see lat.h */
	struct timespec armed_at, last_tick;
	struct snapshot prev;		/* -i: at the last interval */
	struct outputs out;		/* --json, --folded, --svg, --pprof, ... */
	size_t nintervals;		/* -i intervals kept for the JSON */
	bool intervals_broken;		/* keeping them failed mid-run */
	char comm[64];			/* the (first) target's name */
	char target[256];
	const char *error;		/* a failure inside a callback */
};


/* ---- attaching -------------------------------------------------------- */

/* Errors that blame one offset (a whole batch fails for it): retry in
 * halves to find it.  Anything else stops the run. */
/* What a probe of a function is put on. */
enum probe_kind {
	PK_ENTRY,	/* the entry probe (maybe past the first instruction) */
	PK_RETPROBE,	/* a return probe (set up at the first instruction) */
	PK_RETS,	/* a uprobe on each RET instruction (Go) */
};

/* The offsets (and cookies: function ids) of kind for ids[0..n).  How
 * many, or 0 when out of memory. */
static size_t probe_offsets(const struct latrun *r, enum probe_kind kind,
			    const uint32_t *ids, size_t n, uint64_t **offs,
			    uint64_t **cookies)
{
	const struct lat_func *f;
	size_t i, k, total = 0;
	uint32_t j;

	for (i = 0; i < n; i++)
		total += kind == PK_RETS ? r->plan.funcs[ids[i]].nrets : 1;
	*offs = calloc(total ? total : 1, sizeof(**offs));
	*cookies = calloc(total ? total : 1, sizeof(**cookies));
	if (!*offs || !*cookies) {
		free(*offs);
		free(*cookies);
		*offs = *cookies = NULL;
		return 0;
	}
	for (i = 0, k = 0; i < n; i++) {
		f = &r->plan.funcs[ids[i]];
		if (kind != PK_RETS) {
			(*offs)[k] = kind == PK_RETPROBE ? f->entry : f->pp.offset;
			(*cookies)[k++] = ids[i];
			continue;
		}
		for (j = 0; j < f->nrets; j++) {
			(*offs)[k] = f->rets[j];
			(*cookies)[k++] = ids[i];
		}
	}
	return k;
}

/* The kernel will not probe a function's instruction: it is skipped. */
static void on_refused(void *ctx, uint64_t cookie, int err)
{
	struct latrun *r = ctx;

	lat_plan__refused(&r->plan, (uint32_t)cookie, err);
}

/* The ids of s not skipped and timed as t (-1: any), into ids; how many. */
static size_t live_ids(const struct latrun *r, const struct lat_probe_set *s,
		       int t, uint32_t *ids)
{
	const struct lat_func *f;
	size_t i, n = 0;

	for (i = 0; i < s->n; i++) {
		f = &r->plan.funcs[s->ids[i]];
		if (!f->skip && (t < 0 || (int)f->timing == t))
			ids[n++] = s->ids[i];
	}
	return n;
}

/* One kind of probe of s (functions timed as t, -1: all): the functions
 * not skipped so far. */
static int attach_dir(struct latrun *r, const struct lat_probe_set *s, int t,
		      struct bpf_program *prog, enum probe_kind kind, uint32_t *ids)
{
	size_t n = live_ids(r, s, t, ids), total;
	uint64_t *offs, *cookies;
	int err;

	if (!n)
		return 0;
	total = probe_offsets(r, kind, ids, n, &offs, &cookies);
	if (!total) {
		p_err("out of memory");
		return -ENOMEM;
	}
	err = uprobe_links__attach(&r->probes, prog, s->pid, s->path,
				   r->plan.mods[s->module].name, offs, cookies,
				   total, kind == PK_RETPROBE, on_refused, r);
	free(offs);
	free(cookies);
	return err;
}

static int attach_set(struct latrun *r, const struct lat_probe_set *s)
{
	uint32_t *ids = calloc(s->n ? s->n : 1, sizeof(*ids));
	int err;

	if (!ids) {
		p_err("out of memory");
		return -ENOMEM;
	}
	/* Entries first: a function the kernel refuses gets no return probe.
	 * Go code never gets one (the plan skips what its RETs cannot time). */
	if (r->o.count_only)
		err = attach_dir(r, s, -1, r->skel->progs.lat_count, PK_ENTRY, ids);
	else
		err = attach_dir(r, s, LT_RETPROBE, r->skel->progs.lat_entry,
				 PK_ENTRY, ids) ?:
		      attach_dir(r, s, LT_RETPROBE, r->skel->progs.lat_return,
				 PK_RETPROBE, ids) ?:
		      attach_dir(r, s, LT_RETS, r->skel->progs.lat_entry,
				 PK_ENTRY, ids) ?:
		      attach_dir(r, s, LT_RETS, r->skel->progs.lat_ret,
				 PK_RETS, ids) ?:
		      attach_dir(r, s, LT_RETS_GO, r->skel->progs.lat_go_entry,
				 PK_ENTRY, ids) ?:
		      attach_dir(r, s, LT_RETS_GO, r->skel->progs.lat_go_ret,
				 PK_RETS, ids);
	free(ids);
	return err;
}

/*
 * An exception unwinding through a function with a return probe finds the
 * kernel's trampoline as its return address, and no unwind information for
 * it: the program is terminated.  C++ and Rust functions are timed by
 * their RETs where every way out is a RET; say so about the others.
 */
static void warn_unwinding(const struct latrun *r)
{
	size_t i, n = 0;
	const char *one = NULL;

	if (r->o.count_only)
		return;
	for (i = 0; i < r->plan.nfuncs; i++) {
		const struct lat_func *f = &r->plan.funcs[i];
		const char *name = f->sym->name;

		if (!f->skip && f->timing == LT_RETPROBE && name[0] == '_' &&
		    (name[1] == 'Z' || name[1] == 'R')) {
			n++;
			one = lat_plan__name(&r->plan, f);
		}
	}
	if (n)
		p_warn("%zu timed C++ or Rust function%s (%s%s) may leave by a "
		       "jump and keep%s a return probe: an exception unwinding "
		       "through %s terminates the program; --count-only is safe",
		       n, n == 1 ? "" : "s", one, n > 1 ? ", ..." : "",
		       n == 1 ? "s" : "", n == 1 ? "it" : "them");
}

/* Attach every set, then start counting.  Errors are printed: -1. */
static int attach_all(struct latrun *r)
{
	struct timespec t0, t1;
	size_t i, n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < r->plan.nsets; i++)
		if (attach_set(r, &r->plan.sets[i]))
			return -1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	n = lat_plan__probed(&r->plan);
	if (!n) {
		p_err("the kernel refused every matched function: nothing to trace");
		return -1;
	}
	p_dbg("attached %zu functions (%zu links) in %.1f ms", n,
	      uprobe_links__count(&r->probes), ns_between(&t0, &t1) / 1e6);
	warn_unwinding(r);
	r->gen = 1;
	r->skel->bss->gen = r->gen;
	r->skel->bss->armed = 1;
	r->attached = true;
	clock_gettime(CLOCK_MONOTONIC, &r->armed_at);
	r->last_tick = r->armed_at;
	if (sys_comm(session__target(r->sess, 0), r->comm, sizeof(r->comm)) ||
	    !r->comm[0])
		snprintf(r->comm, sizeof(r->comm), "lat");
	p_info("tracing %zu function%s in %s%s", n, n == 1 ? "" : "s", r->target,
	       r->o.count_only ? " (counting calls)" : "");
	return 0;
}

static void detach_all(struct latrun *r)
{
	if (r->skel && r->skel->bss)
		r->skel->bss->armed = 0;
	uprobe_links__detach(&r->probes);
}

/* ---- reading the kernel's figures ------------------------------------- */

static int snapshot_alloc(struct latrun *r, struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->f = calloc(r->plan.nfuncs ? r->plan.nfuncs : 1, sizeof(*s->f));
	if (!r->o.count_only)
		s->counts = calloc((r->plan.nfuncs ? r->plan.nfuncs : 1) * HIST_BUCKETS,
				   sizeof(*s->counts));
	return !s->f || (!r->o.count_only && !s->counts) ? -ENOMEM : 0;
}

static void snapshot_free(struct snapshot *s)
{
	free(s->f);
	free(s->counts);
	memset(s, 0, sizeof(*s));
}

/* Read every function's figures (interval ones of generation r->gen). */
static int snapshot_take(struct latrun *r, struct snapshot *s)
{
	int ncpus = libbpf_num_possible_cpus(), c;
	int sfd = bpf_map__fd(r->skel->maps.fn_stats);
	struct lat_fn_stats *v;
	__u32 id;

	if (ncpus < 1)
		return -EINVAL;
	v = calloc(ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (id = 0; id < r->plan.nfuncs; id++) {
		struct figures *f = &s->f[id];

		memset(f, 0, sizeof(*f));
		if (bpf_map_lookup_elem(sfd, &id, v))
			continue;
		for (c = 0; c < ncpus; c++) {
			f->calls += v[c].calls;
			f->untimed += v[c].untimed;
			f->sum += v[c].sum_ns;
			if (v[c].min_ns && (!f->min || v[c].min_ns < f->min))
				f->min = v[c].min_ns;
			if (v[c].max_ns > f->max)
				f->max = v[c].max_ns;
			if (v[c].gen != r->gen)
				continue;
			if (v[c].imin_ns && (!f->imin || v[c].imin_ns < f->imin))
				f->imin = v[c].imin_ns;
			if (v[c].imax_ns > f->imax)
				f->imax = v[c].imax_ns;
		}
	}
	if (s->counts)
		memcpy(s->counts, r->hists,
		       r->plan.nfuncs * HIST_BUCKETS * sizeof(*s->counts));
	free(v);
	return stats_read(bpf_map__fd(r->skel->maps.stats), s->stats);
}

/* ---- the report -------------------------------------------------------- */

/* A function's sample labels: its ELF symbol and where its probe sits. */
static int probe_labels(struct profile *p, const struct lat_func *f)
{
	return profile__add_label(p, "symbol", f->sym->name, 0, NULL) ?:
	       profile__add_label(p, "probe_offset", NULL, (int64_t)f->pp.delta,
				  "bytes") ?:
	       profile__add_label(p, "probe_instruction", f->pp.insn, 0, NULL) ?:
	       profile__add_label(p, "probe_emulated",
				  f->pp.emulated ? "yes" : "no", 0, NULL) ?:
	       profile__add_label(p, "probe_placement", f->pp.why, 0, NULL);
}

/*
 * One function called: its sample (calls, and the time of its timed
 * calls), its latency histogram (counts; exact min and max) and its
 * probe's labels.
 */
static int add_function(struct latrun *r, struct profile *p,
			const struct lat_func *f, const struct figures *c,
			const struct figures *prev, const uint64_t *counts)
{
	struct frame fr = {
		.name = lat_plan__name(&r->plan, f),
		.module = r->plan.mods[f->module].name,
		.path = r->plan.mods[f->module].shown, .build_id = "",
		.address = f->sym->vaddr,
	};
	struct lat_span span = {
		.frame = &fr,
		.comm = r->comm,
		.calls = c->calls - (prev ? prev->calls : 0),
		.time_ns = c->sum - (prev ? prev->sum : 0),
		.counts = counts,
		.min_ns = prev ? c->imin : c->min,
		.max_ns = prev ? c->imax : c->max,
	};
	int added = lat_profile_add(p, &span);

	return added > 0 ? probe_labels(p, f) : added;
}

/*
 * The figures of cur as a flat profile (with prev: of the interval since
 * prev, min and max then the interval's): one sample per function called,
 * valued by its calls and the total time of its timed calls (the timed
 * ones are its histogram's count), labelled with its symbol and probe; the
 * number of functions probed; the losses.  NULL on ENOMEM.
 */
static struct profile *lat_profile(struct latrun *r, const struct snapshot *cur,
				   const struct snapshot *prev,
				   int64_t duration_ns)
{
	struct profile *p;
	uint64_t *delta = NULL;
	const uint64_t *counts;
	char title[512];
	size_t i, probed = 0;
	uint32_t b;
	int k;

	for (i = 0; i < r->plan.nfuncs; i++)
		probed += !r->plan.funcs[i].skip;
	snprintf(title, sizeof(title), "profiler lat: %s, %zu function%s%s",
		 r->target, probed, probed == 1 ? "" : "s",
		 r->o.count_only ? ", calls counted" : "");
	p = lat_profile_new(title, r->o.count_only, duration_ns, probed);
	if (!p)
		return NULL;
	if (prev && cur->counts &&
	    !(delta = malloc(HIST_BUCKETS * sizeof(*delta))))
		goto oom;
	for (i = 0; i < r->plan.nfuncs; i++) {
		if (r->plan.funcs[i].skip)
			continue;
		counts = cur->counts ? cur->counts + i * HIST_BUCKETS : NULL;
		if (counts && delta) {
			for (b = 0; b < HIST_BUCKETS; b++)
				delta[b] = counts[b] - prev->counts[i * HIST_BUCKETS + b];
			counts = delta;
		}
		if (add_function(r, p, &r->plan.funcs[i], &cur->f[i],
				 prev ? &prev->f[i] : NULL, counts))
			goto oom;
	}
	for (k = 0; !prev && k < STAT__MAX; k++) {
		const struct stat_reason *why = stat_reason(k);

		if (cur->stats[k] && why->what &&
		    profile__add_loss(p, why->what, why->hint, cur->stats[k]))
			goto oom;
	}
	free(delta);
	return p;
oom:
	free(delta);
	profile__free(p);
	return NULL;
}

/* The JSON goes on without intervals; the run will exit 1. */
static void intervals_failed(struct latrun *r)
{
	p_err("cannot keep the intervals for the JSON: %s", strerror(errno));
	fclose(r->out.json_intervals);
	r->out.json_intervals = NULL;
	r->intervals_broken = true;
}

/* -i: the table of the calls since the last interval. */
static void on_interval(void *ctx)
{
	struct latrun *r = ctx;
	struct snapshot cur = {};
	struct profile *p = NULL;
	struct timespec now;
	int64_t start;

	if (!r->attached)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (snapshot_alloc(r, &cur) || snapshot_take(r, &cur) ||
	    !(p = lat_profile(r, &cur, &r->prev, ns_between(&r->last_tick, &now)))) {
		p_err("out of memory while reading an interval");
		r->error = "out of memory";
		r->sess->stop_reason = r->error;
		snapshot_free(&cur);
		return;
	}
	/* Calls from now on belong to the next interval's min and max. */
	r->skel->bss->gen = ++r->gen;
	start = ns_between(&r->armed_at, &r->last_tick);
	if (log_level >= LOG_NORMAL) {
		printf("\n%.2f s .. %.2f s:\n", start / 1e9,
		       (start + p->duration_ns) / 1e9);
		render_latency_table(p, r->o.c.top, false, stdout);
	}
	if (r->out.json_intervals &&
	    render_json_interval(p, start, !r->nintervals++, r->out.json_intervals))
		intervals_failed(r);
	profile__free(p);
	snapshot_free(&r->prev);
	r->prev = cur;
	r->last_tick = now;
}

static int final_report(struct latrun *r)
{
	struct snapshot cur = {};
	struct profile *p = NULL;
	int err = 0, oerr = r->intervals_broken ? -EIO : 0;

	if (snapshot_alloc(r, &cur) || snapshot_take(r, &cur) ||
	    !(p = lat_profile(r, &cur, NULL, ns_between(&r->armed_at, &r->sess->end)))) {
		p_err("out of memory while building the report");
		err = -ENOMEM;
		goto out;
	}
	if (log_level >= LOG_NORMAL) {
		printf("%s%s\n", r->o.interval > 0 ? "\n" : "",
		       profile__get_str(p, p->title));
		printf("duration %.2f s\n\n", p->duration_ns / 1e9);
		err = render_latency_table(p, r->o.c.top, r->o.hist, stdout);
		if (r->sess->stop_reason)
			printf("\nstopped: %s\n", r->sess->stop_reason);
	}
	if (outputs__any(&r->o.c.out)) {
		if (outputs__write(&r->out, p))
			oerr = -EIO;
		else if (log_level >= LOG_NORMAL)
			outputs__report(&r->out, stdout);
	}
	fflush(stdout);
	if (!err && ferror(stdout))
		err = -EIO;
out:
	profile__free(p);
	snapshot_free(&cur);
	return err || oerr ? -1 : 0;
}

/* ---- setup ------------------------------------------------------------ */

/* Whether the plan times a function as t (-p: the plan is made before
 * the object is loaded; a COMMAND's is not known yet: true). */
static bool plan_times(const struct latrun *r, enum lat_timing t)
{
	size_t i;

	if (r->o.c.command)
		return true;
	for (i = 0; i < r->plan.nfuncs; i++)
		if (!r->plan.funcs[i].skip && r->plan.funcs[i].timing == t)
			return true;
	return false;
}

static int load_bpf(struct latrun *r)
{
	struct bpf_program *multi_progs[6];
	size_t len;
	void *m;
	int err, i;

	r->skel = lat_bpf__open();
	if (!r->skel) {
		p_err("cannot open the BPF object: %s", strerror(errno));
		return -1;
	}
	uprobe_links__init(&r->probes);
	multi_progs[0] = r->skel->progs.lat_entry;
	multi_progs[1] = r->skel->progs.lat_return;
	multi_progs[2] = r->skel->progs.lat_count;
	multi_progs[3] = r->skel->progs.lat_go_entry;
	multi_progs[4] = r->skel->progs.lat_go_ret;
	multi_progs[5] = r->skel->progs.lat_ret;
	for (i = 0; i < 6; i++)
		uprobe_links__prepare(&r->probes, multi_progs[i]);
	/* Programs no planned function needs are not loaded: the verifier
	 * takes about 10 ms for each of the timing programs. */
	bpf_program__set_autoload(r->skel->progs.lat_entry, !r->o.count_only &&
		(plan_times(r, LT_RETPROBE) || plan_times(r, LT_RETS)));
	bpf_program__set_autoload(r->skel->progs.lat_return, !r->o.count_only &&
				  plan_times(r, LT_RETPROBE));
	bpf_program__set_autoload(r->skel->progs.lat_count, r->o.count_only);
	bpf_program__set_autoload(r->skel->progs.lat_go_entry, !r->o.count_only &&
				  plan_times(r, LT_RETS_GO));
	bpf_program__set_autoload(r->skel->progs.lat_go_ret, !r->o.count_only &&
				  plan_times(r, LT_RETS_GO));
	bpf_program__set_autoload(r->skel->progs.lat_ret, !r->o.count_only &&
				  plan_times(r, LT_RETS));
	bpf_program__set_autoload(r->skel->progs.entry_stop, r->o.c.command != NULL);
	bpf_program__set_autoload(r->skel->progs.lat_thread_exit,
				  !r->o.count_only);
	bpf_map__set_max_entries(r->skel->maps.fn_stats, r->capacity);
	bpf_map__set_max_entries(r->skel->maps.fn_hists,
				 r->o.count_only ? 1 : r->capacity * HIST_BUCKETS);
	err = lat_bpf__load(r->skel);
	if (err) {
		report_load_error(err);
		return -1;
	}
	len = bpf_map__max_entries(r->skel->maps.fn_hists) * sizeof(uint64_t);
	m = mmap(NULL, len, PROT_READ, MAP_SHARED,
		 bpf_map__fd(r->skel->maps.fn_hists), 0);
	if (m == MAP_FAILED) {
		p_err("cannot map the histograms: %s", strerror(errno));
		return -1;
	}
	r->hists = m;
	r->hists_len = len;
	if (!r->o.count_only) {
		r->exit_link = bpf_program__attach(r->skel->progs.lat_thread_exit);
		if (!r->exit_link) {
			p_err("cannot attach to thread exits: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* The first reading, all zeros, for -i's differences.  Printed: -1. */
static int prepare_reading(struct latrun *r)
{
	if (snapshot_alloc(r, &r->prev)) {
		p_err("out of memory");
		return -1;
	}
	return 0;
}

/* The COMMAND stopped at its entry point: resolve, probe, resume it. */
static void on_entry(void *ctx)
{
	struct latrun *r = ctx;
	pid_t pid = session__target(r->sess, 0);

	if (r->attached || r->error)
		return;
	if (lat_plan__resolve(&r->plan, pid) ||
	    lat_plan__check(&r->plan, r->capacity))
		r->error = "cannot trace the command";
	if (!r->error) {
		lat_plan__place(&r->plan);
		if (prepare_reading(r) || attach_all(r))
			r->error = "cannot trace the command";
	}
}

static void on_events(void *ctx)
{
	struct latrun *r = ctx;

	ring_buffer__consume(r->events);
	if (r->error)
		r->sess->stop_reason = r->error;
}

/* -p: probe now.  COMMAND: stop it at its entry point first. */
static int setup_targets(struct latrun *r)
{
	int i;

	if (!r->o.c.command) {
		struct timespec t0, t1, t2;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (i = 0; i < r->sess->ntargets; i++)
			if (lat_plan__resolve(&r->plan, session__target(r->sess, i)))
				return -1;
		if (lat_plan__check(&r->plan, r->o.max_probes))
			return -1;
		lat_plan__place(&r->plan);
		r->capacity = r->plan.nfuncs ? r->plan.nfuncs : 1;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (load_bpf(r) || prepare_reading(r))
			return -1;
		clock_gettime(CLOCK_MONOTONIC, &t2);
		p_dbg("functions found and placed in %.1f ms, BPF object loaded "
		      "in %.1f ms", ns_between(&t0, &t1) / 1e6,
		      ns_between(&t1, &t2) / 1e6);
		return attach_all(r);
	}
	r->capacity = r->o.max_probes;
	if (load_bpf(r))
		return -1;
	return entry_stop__attach(&r->stop, r->skel->progs.entry_stop,
				  r->skel->maps.entry_events, &r->events,
				  session__target(r->sess, 0), r->o.c.command[0],
				  on_entry, r);
}

/* What the engine holds (not the session, not the options' strings). */
static void engine_free(struct latrun *r)
{
	detach_all(r);
	uprobe_links__free(&r->probes);
	entry_stop__detach(&r->stop);
	bpf_link__destroy(r->exit_link);
	ring_buffer__free(r->events);
	if (r->hists)
		munmap((void *)r->hists, r->hists_len);
	lat_bpf__destroy(r->skel);
	snapshot_free(&r->prev);
	if (r->out.json_intervals)
		fclose(r->out.json_intervals);
	outputs__abort(&r->out);
	lat_plan__free(&r->plan);
}

static void run_free(struct latrun *r)
{
	engine_free(r);
	session__free(r->sess);
	cli_free_common(&r->o.c);
}

/* ---- the engine, for serve ------------------------------------------------ */

struct latrun *lat_engine_open(struct session *sess, const struct common_opts *c,
			       const char *const *patterns, int npatterns,
			       uint64_t max_probes)
{
	struct latrun *r = calloc(1, sizeof(*r));
	int i;

	if (!r) {
		p_err("out of memory");
		return NULL;
	}
	r->sess = sess;
	r->o.c = *c;		/* borrowed: the caller's options outlive us */
	r->o.max_probes = max_probes;
	for (i = 0; i < npatterns && i < LAT_MAX_PATTERNS; i++)
		r->o.patterns[i] = patterns[i];
	r->o.npatterns = i;
	session__describe(sess, r->target, sizeof(r->target));
	if (lat_plan__init(&r->plan, r->o.patterns, r->o.npatterns,
			   !c->no_demangle, true) ||
	    setup_targets(r)) {
		lat_engine_free(r);
		return NULL;
	}
	return r;
}

int lat_engine_read(struct latrun *r,
		    void (*fn)(void *ctx, const struct lat_figures *f), void *ctx)
{
	struct snapshot cur = {};
	size_t i;

	if (snapshot_alloc(r, &cur) || snapshot_take(r, &cur)) {
		snapshot_free(&cur);
		return -ENOMEM;
	}
	for (i = 0; i < r->plan.nfuncs; i++) {
		const struct lat_func *lf = &r->plan.funcs[i];
		struct lat_figures f = {
			.name = lat_plan__name(&r->plan, lf),
			.module = r->plan.mods[lf->module].name,
			.calls = cur.f[i].calls,
			.untimed = cur.f[i].untimed,
			.sum_ns = cur.f[i].sum,
			.counts = cur.counts + i * HIST_BUCKETS,
			.imin_ns = cur.f[i].imin,
			.imax_ns = cur.f[i].imax,
		};

		if (!lf->skip)
			fn(ctx, &f);
	}
	snapshot_free(&cur);
	return 0;
}

void lat_engine_interval(struct latrun *r)
{
	if (r->attached)
		r->skel->bss->gen = ++r->gen;
}

void lat_engine_free(struct latrun *r)
{
	if (!r)
		return;
	engine_free(r);
	free(r);
}

int cmd_lat(int argc, char **argv)
{
	struct latrun r = {};
	struct session sess = {};
	struct session_hooks hooks = {};
	int status = EXIT_RUNTIME;

	r.sess = &sess;
	sess.sigfd = sess.timerfd = sess.intervalfd = -1;
	status = cli_exit_status(lat_parse_args(argc, argv, &r.o));
	if (status >= 0) {
		cli_free_common(&r.o.c);
		return status;
	}
	status = EXIT_RUNTIME;
	log_level = r.o.c.verbosity;
	log_setup_libbpf();

	if (lat_plan__init(&r.plan, r.o.patterns, r.o.npatterns,
			   !r.o.c.no_demangle, !r.o.count_only))
		goto out;
	if (session__init(&sess, &r.o.c, "lat"))
		goto out;
	session__describe(&sess, r.target, sizeof(r.target));
	if (outputs__open(&r.out, &r.o.c.out))
		goto out;
	/* -i intervals go into the JSON: kept in an unnamed file meanwhile,
	 * so that a run of days does not grow in memory. */
	if (r.o.interval > 0 && r.o.c.out.path[OUT_JSON] &&
	    !(r.out.json_intervals = tmpfile())) {
		p_err("cannot keep the intervals for the JSON: %s", strerror(errno));
		goto out;
	}
	if (setup_targets(&r) || session__start(&sess, r.o.interval))
		goto out;

	hooks.fd = r.events ? ring_buffer__epoll_fd(r.events) : -1;
	hooks.on_fd = on_events;
	hooks.on_interval = on_interval;
	hooks.ctx = &r;
	session__loop(&sess, &hooks);

	/* Stop recording first; the links go after the report (slow). */
	if (r.skel && r.skel->bss)
		r.skel->bss->armed = 0;
	session__end(&sess);
	if (r.error)
		goto out;
	if (!r.attached) {
		p_err("%s ended before tracing started", r.target);
		goto out;
	}
	if (final_report(&r))
		goto out;
	status = session__exit_status(&sess);
out:
	run_free(&r);
	return status;
}

/* ---- options --------------------------------------------------------- */

enum {
	LAT_OPT_HIST = CLI_OPT_MODE,
	LAT_OPT_COUNT_ONLY,
	LAT_OPT_MAX_PROBES,
};

static const struct option lat_long[] = {
	{ "interval",		required_argument, NULL, 'i' },
	{ "hist",		no_argument,	   NULL, LAT_OPT_HIST },
	{ "count-only",		no_argument,	   NULL, LAT_OPT_COUNT_ONLY },
	{ "max-probes",		required_argument, NULL, LAT_OPT_MAX_PROBES },
};

void lat_usage(FILE *out)
{
	fprintf(out,
"Usage: profiler lat [-p PID[,PID...] | -- COMMAND [ARGS...]] [OPTIONS] PATTERN...\n"
"\n"
"Times every call of the functions the PATTERNs name (a uprobe at the entry\n"
"and a return probe, or for Go and C++ a uprobe on each RET; timed in the\n"
"kernel): calls, average, p50/p90/p95/p99, maximum and total time per\n"
"function.  No recompiling.  Needs root (or CAP_BPF and CAP_PERFMON).\n"
"\n"
"Patterns, [MODULE:]GLOB (quote them for the shell):\n"
"  GLOB                      functions of the executable, an fnmatch glob;\n"
"                            C++/Rust names match mangled or demangled:\n"
"                            'parse_*', '*Widget::*'\n"
"  MODULE:GLOB               functions of a mapped library, named by the\n"
"                            start of its file name or by path: 'libc:malloc',\n"
"                            'libssl.so.3:SSL_*', '/opt/app/libx.so:*'\n"
"\n"
"Targets (one of them is required):\n"
"  -p, --pid PID[,PID...]    trace these processes\n"
"  -- COMMAND [ARGS...]      start COMMAND and trace it until it exits\n"
"\n"
"Tracing:\n"
"  -d, --duration SECONDS    stop after SECONDS (default: Ctrl-C or exit)\n"
"  -i, --interval SECONDS    print the table of each interval's calls every\n"
"                            SECONDS, then the whole run's\n"
"      --count-only          count calls only (entry probes, cheaper): calls\n"
"                            and rate per function\n"
"      --max-probes N        probe at most N functions (default %d, up to\n"
"                            %d): a PATTERN matching more is an error\n"
"\n"
"Report:\n"
"      --top N               functions in the table, by total time\n"
"                            (default 10; --json has them all)\n"
"      --hist                a log2 histogram of each function's latency\n"
"      --json FILE           the run as JSON (docs/formats.md): each\n"
"                            function's calls, time, percentiles,\n"
"                            histogram and probe; with -i, each interval\n"
"      --folded FILE, --svg FILE, --pprof FILE, --speedscope FILE\n"
"                            the run as a flat profile: one frame per\n"
"                            function under the target's name, weighed by\n"
"                            its total time (calls with --count-only);\n"
"                            --output FILE picks one by extension;\n"
"                            --icicle as for cpu\n"
"      --no-demangle         show C++/Rust names mangled\n"
"  -q, --quiet               errors only\n"
"  -v, --verbose             debug messages (matches, probe placement)\n"
"  -h, --help                this help\n"
"\n"
"Examples:\n"
"  profiler lat -p 1234 -d 10 'libsqlite3:sqlite3_*'\n"
"                                            SQLite's API calls for 10 s\n"
"  profiler lat -p 1234 -i 1 'handle_*' 'libc:malloc'\n"
"                                            a table every second\n"
"  profiler lat --hist 'parse_*' -- ./server config.toml\n"
"                                            a command, with histograms\n"
"  profiler lat -p 1234 --count-only --max-probes 2000 'libc:*' -d 5\n"
"                                            which libc functions it calls\n"
"\n"
"Exit status: 0 success (or COMMAND's status), 1 runtime failure, 2 usage error.\n",
		LAT_DEFAULT_MAX_PROBES, LAT_MAX_PROBES_LIMIT);
}

static enum cli_result parse_lat_opt(int c, const char *arg, void *mode)
{
	struct lat_opts *o = mode;
	struct lat_pattern p;
	const char *why;
	char msg[320];

	switch (c) {
	case 1:
		if (o->npatterns == LAT_MAX_PATTERNS)
			return cli_error("too many PATTERNs at '%s' (at most "
					   "64: combine them into globs)", arg);
		if (lat_pattern__parse(arg, &p, &why)) {
			snprintf(msg, sizeof(msg), "invalid PATTERN '%.200s': %s "
				 "(expected [MODULE:]GLOB)", arg, why);
			return cli_error("%s", msg);
		}
		lat_pattern__free(&p);
		o->patterns[o->npatterns++] = arg;
		return CLI_OK;
	case 'i':
		if (parse_seconds(arg, 86400, &o->interval))
			return cli_error("invalid interval '%s' for -i "
					   "(expected seconds > 0)", arg);
		return CLI_OK;
	case LAT_OPT_HIST:
		o->hist = true;
		return CLI_OK;
	case LAT_OPT_COUNT_ONLY:
		o->count_only = true;
		return CLI_OK;
	case LAT_OPT_MAX_PROBES:
		if (parse_u64(arg, 1, LAT_MAX_PROBES_LIMIT, &o->max_probes))
			return cli_error("invalid count '%s' for --max-probes "
					   "(expected 1..20000)", arg);
		return CLI_OK;
	}
	return CLI_EXIT_OK;
}

enum cli_result lat_parse_args(int argc, char **argv, struct lat_opts *o)
{
	static const struct cli_mode spec = {
		.help = "profiler lat --help",
		.groups = CLI_ALL,
		.shortopts = "i:",
		.longopts = lat_long,
		.nlong = sizeof(lat_long) / sizeof(lat_long[0]),
		.parse = parse_lat_opt,
		.usage = lat_usage,
		.operands = true,
	};
	static const char *const foreign[] = { "--no-inline", "--debug-dir" };
	enum cli_result r;
	bool given[2];
	int i;

	memset(o, 0, sizeof(*o));
	o->max_probes = LAT_DEFAULT_MAX_PROBES;
	r = cli_parse(argc, argv, &o->c, &spec, o);
	if (r != CLI_OK)
		return r;
	/* Shared options that mean nothing here: no stacks are named. */
	given[0] = o->c.no_inline;
	given[1] = o->c.debug_dirs;
	for (i = 0; i < 2; i++)
		if (given[i])
			return cli_error("option %s does not apply to lat "
					   "(it names no stacks)", foreign[i]);
	if (o->hist && o->count_only)
		return cli_error("--hist needs timing: not with --count-only");
	if (!o->c.npids && !o->c.command)
		return cli_error("lat needs a target: -p PID or -- COMMAND");
	if (!o->npatterns)
		return cli_error("lat needs a PATTERN, e.g. 'parse_*' or "
				   "'libc:malloc'");
	return CLI_OK;
}
