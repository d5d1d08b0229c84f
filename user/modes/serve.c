// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The service mode: cpu sampling kept attached, served over HTTP.  The
 * main thread runs the session: every second it drains the kernel's counts
 * (lookup-and-delete, so nothing accumulates there), copies the stacks they
 * name into a store of its own (the kernel's stack map is trimmed of those
 * once half full), and adds the counts to each profile being taken.  A
 * profile request (one libmicrohttpd thread per connection) registers a
 * capture and waits; when its seconds are over the main thread names its
 * stacks, renders it, and wakes the request.  /metrics reads a snapshot the
 * main thread refreshes every second, and the kernel's own counters.
 */
#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "commands.h"
#include "hist.h"
#include "lat.h"
#include "cpu.h"
#include "cpu.skel.h"
#include "lib/array.h"
#include "lib/hashmap.h"
#include "lib/log.h"
#include "lib/parse.h"
#include "model/profile.h"
#include "modes/losses.h"
#include "modes/serve_mode.h"
#include "modes/live.h"
#include "modes/lat_engine.h"
#include "modes/mem_engine.h"
#include "modes/offcpu_engine.h"
#include "modes/stackrun.h"
#include "probes/bpfutil.h"
#include "render/render.h"
#include "run/httpd.h"
#include "render/common.h"
#include "run/health.h"
#include "run/session.h"
#include "run/sysinfo.h"

enum capture_kind {
	CAP_CPU_PPROF,		/* /debug/pprof/profile */
	CAP_CPU_SVG,		/* /flamegraph.svg */
	CAP_HEAP_PPROF,		/* /debug/pprof/heap: now, no seconds */
	CAP_MEM_JSON,		/* /api/memory */
	CAP_LEAKS_JSON,		/* /api/leaks */
	CAP_OFFCPU_PPROF,	/* /debug/pprof/offcpu */
};

/* A profile being taken for a request. */
struct capture {
	uint64_t seconds;
	uint64_t end;		/* the tick that completes it (0: not started) */
	enum capture_kind kind;
	struct tally tally;
	bool done;
	int status;		/* HTTP status once done */
	char *body;
	size_t len;
	int refs;		/* the request and the engine */
	pthread_cond_t cond;
	struct capture *next;
};

/* One point of the history: a window's figures. */
struct point {
	double t_s;		/* end of the window, since profiling began */
	uint64_t rss;		/* the targets' resident bytes then */
	uint64_t samples;	/* CPU samples in the window */
	uint64_t lost;		/* losses in the window */
};

/* What /metrics and /health show of the main thread's state (under the
 * lock). */
struct snapshot {
	uint64_t stats[STAT__MAX];
	struct symbolizer_stats sym;
	size_t stored;
	uint64_t served_pprof, served_svg, served_mem, trims, renewals;
	int64_t uptime_ns;
	uint64_t offcpu_ns[OFFCPU_STATE__MAX];
	uint64_t stacks_entries, counts_drained, stacks_dropped;
	uint64_t procs_dropped;		/* process images dropped, exited */
	uint64_t rss;			/* the server's own resident bytes */
	struct health_values health;
	bool failing[HEALTH_MAX_RULES];
	bool healthy;
};

struct serve {
	struct serve_opts o;
	struct session sess;
	struct live live;		/* sampling, drained every tick */
	struct memrun *mem;		/* --mem: the allocators probed */
	struct latrun *lat;		/* --lat: functions timed */
	struct offrun *off;		/* --offcpu: time off CPU */
	int epfd;			/* every engine's event ring */
	struct httpd *http;
	struct capture *active;		/* main thread only */
	char target[256];

	uint64_t window_samples, window_lost;	/* at the last history point */
	uint64_t renew_s;		/* seconds between symbolizer renewals */
	uint64_t renewed;		/* tick of the last one */
	uint64_t procs_dropped;		/* by the sweeps of exited processes */
	uint64_t sweep_s;		/* seconds between those sweeps */

	pthread_mutex_t lock;		/* guards what follows */
	struct capture *pending;	/* requests not yet seen by the engine */
	int in_flight;
	bool stopping;
	struct snapshot snap;
	struct point *hist;		/* ring of o.history points */
	size_t nhist, hist_next;
};

/* ---- captures ---------------------------------------------------------- */

/* Drop one reference (under the lock); the last one frees. */
static void capture_put(struct capture *c)
{
	if (--c->refs)
		return;
	tally_free(&c->tally);
	free(c->body);
	pthread_cond_destroy(&c->cond);
	free(c);
}

/* Name, render, and hand the capture to its request. */
static void capture_finish(struct serve *r, struct capture *c)
{
	struct profile *p = NULL, *sites = NULL, *leaks = NULL;
	struct svg_opts so = { .value_type = 0 };
	char *body = NULL, what[64];
	size_t len = 0;
	int status = 500, err = -ENOMEM;
	FILE *f;

	if (c->kind == CAP_CPU_PPROF || c->kind == CAP_CPU_SVG) {
		snprintf(what, sizeof(what), "%llu s (profiler serve)",
			 (unsigned long long)c->seconds);
		p = live__profile(&r->live, &c->tally, (double)c->seconds, r->target,
				  what);
	} else if (c->kind == CAP_OFFCPU_PPROF) {
		snprintf(what, sizeof(what), "%llu s (profiler serve)",
			 (unsigned long long)c->seconds);
		p = offcpu_engine_profile(r->off, &c->tally, (double)c->seconds,
					  r->target, what);
	} else if (!mem_engine_profiles(r->mem, &sites, &leaks)) {
		p = c->kind == CAP_LEAKS_JSON ? leaks : sites;
	}
	if (p && (f = open_memstream(&body, &len))) {
		switch (c->kind) {
		case CAP_CPU_SVG:
			err = render_svg(p, &so, f);
			break;
		case CAP_CPU_PPROF:
		case CAP_HEAP_PPROF:
		case CAP_OFFCPU_PPROF:
			err = render_pprof(p, f);
			break;
		case CAP_MEM_JSON:
		case CAP_LEAKS_JSON:
			err = render_json(p, f);
			break;
		}
		if (fclose(f) == 0 && !err)
			status = 200;
	}
	/* The mem engine keeps its own profiles. */
	if (c->kind == CAP_CPU_PPROF || c->kind == CAP_CPU_SVG ||
	    c->kind == CAP_OFFCPU_PPROF)
		profile__free(p);
	pthread_mutex_lock(&r->lock);
	c->done = true;
	c->status = status;
	c->body = status == 200 ? body : NULL;
	c->len = status == 200 ? len : 0;
	if (status == 200) {
		if (c->kind == CAP_CPU_SVG)
			r->snap.served_svg++;
		else if (c->kind == CAP_CPU_PPROF || c->kind == CAP_OFFCPU_PPROF)
			r->snap.served_pprof++;
		else
			r->snap.served_mem++;
	} else {
		free(body);
	}
	pthread_cond_broadcast(&c->cond);
	capture_put(c);
	pthread_mutex_unlock(&r->lock);
}

/* ---- the engine's tick ------------------------------------------------- */

/* The kernel's counts since the last tick, into every active capture of
 * their kind (cpu samples, off-CPU periods). */
static int drain(struct serve *r)
{
	struct tally *cpu[64] = { NULL }, *off[64] = { NULL }, **pc = cpu, **po = off;
	struct capture *c;
	size_t n = 0, nc = 0, no = 0;
	int err;

	for (c = r->active; c; c = c->next)
		n++;
	if (n > 64 && (!(pc = malloc(n * sizeof(*pc))) || !(po = malloc(n * sizeof(*po))))) {
		if (pc != cpu)
			free(pc);
		return -ENOMEM;
	}
	for (c = r->active; c; c = c->next) {
		if (c->kind == CAP_CPU_PPROF || c->kind == CAP_CPU_SVG)
			pc[nc++] = &c->tally;
		else if (c->kind == CAP_OFFCPU_PPROF)
			po[no++] = &c->tally;
	}
	err = live__drain(&r->live, pc, nc);
	if (!err && r->off)
		err = offcpu_engine_drain(r->off, po, no, r->live.tick);
	if (pc != cpu)
		free(pc);
	if (po != off)
		free(po);
	return err;
}

/* The targets' resident memory; 0 without -p. */
static uint64_t targets_rss(struct serve *r)
{
	uint64_t rss = 0;
	int i;

	for (i = 0; i < r->sess.ntargets; i++)
		rss += sys_rss_bytes(session__target(&r->sess, i));
	return rss;
}

static uint64_t losses(const uint64_t *stats)
{
	uint64_t n = 0;
	int k;

	for (k = 0; k < STAT__MAX; k++)
		if (stat_reason(k)->what)
			n += stats[k];
	return n;
}

/* Oldest and newest point of the history (under the lock); NULL if < 2. */
static bool history_ends(const struct serve *r, const struct point **old,
			 const struct point **now)
{
	size_t cap = r->o.history;

	if (r->nhist < 2)
		return false;
	*now = &r->hist[(r->hist_next + cap - 1) % cap];
	*old = &r->hist[(r->hist_next + cap - r->nhist) % cap];
	return (*now)->t_s > (*old)->t_s;
}

static void refresh_snapshot(struct serve *r)
{
	struct snapshot s = r->snap;
	const struct point *old, *now;
	struct timespec ts;
	uint64_t rss;
	int k;

	stats_read(bpf_map__fd(r->live.skel->maps.stats), s.stats);
	symbolizer__stats(r->live.sr.sym, &s.sym);
	s.stored = r->live.store.n;
	s.trims = r->live.store.trims;
	s.counts_drained = r->live.drained;
	s.stacks_entries = r->live.store.kernel_entries;
	s.stacks_dropped = r->live.store.dropped;
	s.procs_dropped = r->procs_dropped;
	s.rss = sys_rss_bytes(getpid());
	clock_gettime(CLOCK_MONOTONIC, &ts);
	s.uptime_ns = ns_between(&r->sess.start, &ts);
	rss = r->sess.ntargets ? targets_rss(r) : 0;
	memset(&s.health, 0, sizeof(s.health));
	s.health.known[HEALTH_RSS] = r->sess.ntargets > 0;
	s.health.v[HEALTH_RSS] = (double)rss;
	s.health.known[HEALTH_LOST] = true;
	s.health.v[HEALTH_LOST] = (double)losses(s.stats);
	if (r->off)
		offcpu_engine_state_ns(r->off, s.offcpu_ns);
	if (r->mem) {
		uint64_t t[MEM_T__MAX];

		mem_engine_totals(r->mem, t);
		s.health.known[HEALTH_OUTSTANDING] = true;
		s.health.v[HEALTH_OUTSTANDING] = t[MEM_T_ALLOC_BYTES] >= t[MEM_T_FREE_BYTES] ?
			(double)(t[MEM_T_ALLOC_BYTES] - t[MEM_T_FREE_BYTES]) : 0;
	}
	pthread_mutex_lock(&r->lock);
	/* Every window, a point of the history. */
	if (r->live.tick && r->live.tick % r->o.window == 0) {
		struct point *p = &r->hist[r->hist_next];

		p->t_s = s.uptime_ns / 1e9;
		p->rss = rss;
		p->samples = s.stats[STAT_SAMPLES] - r->window_samples;
		p->lost = (uint64_t)s.health.v[HEALTH_LOST] - r->window_lost;
		r->window_samples = s.stats[STAT_SAMPLES];
		r->window_lost = (uint64_t)s.health.v[HEALTH_LOST];
		r->hist_next = (r->hist_next + 1) % r->o.history;
		if (r->nhist < r->o.history)
			r->nhist++;
	}
	if (r->sess.ntargets && history_ends(r, &old, &now)) {
		s.health.known[HEALTH_GROWTH] = true;
		s.health.v[HEALTH_GROWTH] = ((double)now->rss - (double)old->rss) /
					    (now->t_s - old->t_s) * 60;
	}
	s.healthy = true;
	for (k = 0; k < r->o.nrules; k++) {
		s.failing[k] = !health_holds(&r->o.rules[k], &s.health);
		s.healthy &= !s.failing[k];
	}
	s.served_pprof = r->snap.served_pprof;
	s.served_svg = r->snap.served_svg;
	s.served_mem = r->snap.served_mem;
	s.renewals = r->snap.renewals;
	r->snap = s;
	pthread_mutex_unlock(&r->lock);
}

/*
 * Every renew seconds (SERVE_RENEW_SECONDS), when no capture holds samples
 * to name, a fresh
 * symbolizer: what it kept of processes that exited, and of addresses no
 * longer sampled, goes (the kernel announces a new process once, and a
 * running one's maps are read again when its addresses miss).
 */
static void renew_symbols(struct serve *r)
{
	if (r->active || r->live.tick - r->renewed < r->renew_s)
		return;
	if (stack_run__renew_symbolizer(&r->live.sr, r->o.c.pids, r->o.c.npids))
		return;
	if (r->mem)
		mem_engine_renew_symbolizer(r->mem);
	if (r->off)
		stack_run__renew_symbolizer(offcpu_engine_stacks(r->off), r->o.c.pids,
					    r->o.c.npids);
	r->renewed = r->live.tick;
	/* What the old ones held goes back to the system, not to the heap. */
	malloc_trim(0);
	pthread_mutex_lock(&r->lock);
	r->snap.renewals++;
	pthread_mutex_unlock(&r->lock);
}

/*
 * Ticks of stacks the active captures may still name: since the oldest
 * began (its first drain is the tick after it was registered); at least
 * one, for a capture registered now.
 */
static uint64_t capture_horizon(const struct serve *r)
{
	uint64_t horizon = 1, began;
	const struct capture *c;

	for (c = r->active; c; c = c->next) {
		began = c->end - c->seconds;
		if (r->live.tick - began > horizon)
			horizon = r->live.tick - began;
	}
	return horizon;
}

static void on_tick(void *ctx)
{
	struct serve *r = ctx;
	struct capture **pc, *c, *mine;
	uint64_t horizon;
	int err;

	err = drain(r);
	if (err)
		p_warn("reading the kernel's counts: %s", strerror(-err));
	for (pc = &r->active; (c = *pc);) {
		if (c->end > r->live.tick) {
			pc = &c->next;
			continue;
		}
		*pc = c->next;
		capture_finish(r, c);
	}
	/* New requests count from now: the next seconds ticks' samples. */
	pthread_mutex_lock(&r->lock);
	mine = r->pending;
	r->pending = NULL;
	pthread_mutex_unlock(&r->lock);
	while (mine) {
		c = mine;
		mine = c->next;
		c->end = r->live.tick + c->seconds;
		c->next = r->active;
		r->active = c;
	}
	horizon = capture_horizon(r);
	live__maintain(&r->live, horizon);
	if (r->off)
		offcpu_engine_maintain(r->off, r->live.tick, horizon);
	/*
	 * Every sweep_s (SERVE_SWEEP_SECONDS), what is kept of processes
	 * that exited goes once no capture may still name their addresses:
	 * a capture begun at tick b
	 * drains from b + 1, so a process found gone at the sweep of tick
	 * g (after its drain; its last samples drain at g + 1 at most) may
	 * be named by captures begun at g or earlier.  Without captures, at
	 * the next sweep.
	 */
	if (r->live.tick % r->sweep_s == 0) {
		uint64_t before = r->live.tick - horizon;

		r->procs_dropped += stack_run__sweep(&r->live.sr, r->live.tick, before);
		if (r->off)
			r->procs_dropped += stack_run__sweep(offcpu_engine_stacks(r->off),
							     r->live.tick, before);
	}
	renew_symbols(r);
	refresh_snapshot(r);
}

/* Some engine's ring has events (or work is pending): serve them all. */
static void on_events(void *ctx)
{
	struct serve *r = ctx;
	struct epoll_event ev[4];

	/* Only to clear the outer readiness; the rings are read below. */
	epoll_wait(r->epfd, ev, 4, 0);
	stack_run__serve_events(&r->live.sr);
	if (r->mem)
		mem_engine_events(r->mem);
	if (r->off)
		stack_run__serve_events(offcpu_engine_stacks(r->off));
}

static bool busy(void *ctx)
{
	struct serve *r = ctx;

	return stack_run__busy(&r->live.sr) || (r->mem && mem_engine_busy(r->mem)) ||
	       (r->off && stack_run__busy(offcpu_engine_stacks(r->off)));
}

/* One descriptor for the session to poll: every engine's ring in it. */
static int watch_events(struct serve *r)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fds[3], n = 0, i;

	r->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (r->epfd < 0)
		return -errno;
	fds[n++] = ring_buffer__epoll_fd(r->live.sr.events);
	if (r->mem && mem_engine_fd(r->mem) >= 0)
		fds[n++] = mem_engine_fd(r->mem);
	if (r->off)
		fds[n++] = ring_buffer__epoll_fd(offcpu_engine_stacks(r->off)->events);
	for (i = 0; i < n; i++)
		if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, fds[i], &ev))
			return -errno;
	return 0;
}

/* ---- HTTP --------------------------------------------------------------- */

static int page(struct http_resp *resp, const struct serve *r)
{
	return http_resp__printf(resp, 200, "text/html; charset=utf-8",
		"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		"<title>profiler serve</title></head><body>\n"
		"<h1>profiler serve</h1>\n<p>cpu-clock at %llu Hz</p>\n<ul>\n"
		"<li><a href=\"/metrics\">/metrics</a>: Prometheus text format</li>\n"
		"<li><a href=\"/debug/pprof/profile?seconds=%d\">/debug/pprof/profile?seconds=N</a>:"
		" a CPU profile of the next N seconds (gzip'd pprof, for go tool pprof, "
		"Parca, Pyroscope; N up to %llu)</li>\n"
		"<li><a href=\"/flamegraph.svg?seconds=10\">/flamegraph.svg?seconds=N</a>:"
		" a flame graph of the next N seconds</li>\n"
		"<li><a href=\"/health\">/health</a>: 200 while the --health rules hold, "
		"else 503</li>\n"
		"<li><a href=\"/api/trend\">/api/trend</a>: the history, a point per "
		"--window (JSON)</li>\n"
		"<li><a href=\"/debug/pprof/heap\">/debug/pprof/heap</a>, "
		"<a href=\"/api/memory\">/api/memory</a>, "
		"<a href=\"/api/leaks\">/api/leaks</a>: allocations (with --mem)</li>\n"
		"<li><a href=\"/debug/pprof/offcpu?seconds=10\">/debug/pprof/offcpu?seconds=N</a>:"
		" time off CPU of the next N seconds (with --offcpu)</li>\n"
		"</ul></body></html>\n", (unsigned long long)r->o.freq,
		SERVE_DEFAULT_SECONDS, (unsigned long long)r->o.max_seconds);
}

/* A profile of the next ?seconds=, waited for. */
static int take_profile(struct serve *r, const struct http_req *req,
			struct http_resp *resp, enum capture_kind kind)
{
	const char *arg = http_req__arg(req, "seconds");
	uint64_t seconds = SERVE_DEFAULT_SECONDS;
	bool cpu = kind == CAP_CPU_PPROF || kind == CAP_CPU_SVG;
	struct capture *c;
	struct timespec deadline;
	int err = 0;

	if (kind == CAP_OFFCPU_PPROF) {
		cpu = true;	/* taken over seconds, as a CPU profile */
		if (!r->off)
			return http_resp__printf(resp, 404, "text/plain; charset=utf-8",
						 "the off-CPU endpoint needs profiler "
						 "serve --offcpu\n");
	}
	if (!cpu && !r->mem)
		return http_resp__printf(resp, 404, "text/plain; charset=utf-8",
					 "memory endpoints need profiler serve --mem\n");
	if (!cpu)
		seconds = 0;	/* the heap as it is now */
	else if (arg && parse_u64(arg, 1, r->o.max_seconds, &seconds))
		return http_resp__printf(resp, 400, "text/plain; charset=utf-8",
					 "seconds must be 1..%llu (--max-seconds)\n",
					 (unsigned long long)r->o.max_seconds);
	c = calloc(1, sizeof(*c));
	if (!c || pthread_cond_init(&c->cond, NULL)) {
		free(c);
		return -ENOMEM;
	}
	c->seconds = seconds;
	c->kind = kind;
	c->refs = 2;
	clock_gettime(CLOCK_REALTIME, &deadline);
	/* The seconds, and a minute to name and render. */
	deadline.tv_sec += (time_t)seconds + 60;
	pthread_mutex_lock(&r->lock);
	if (r->stopping) {
		c->refs = 1;
		capture_put(c);
		pthread_mutex_unlock(&r->lock);
		return http_resp__printf(resp, 503, "text/plain; charset=utf-8",
					 "the profiler is stopping\n");
	}
	c->next = r->pending;
	r->pending = c;
	r->in_flight++;
	while (!c->done && !r->stopping && err != ETIMEDOUT)
		err = pthread_cond_timedwait(&c->cond, &r->lock, &deadline);
	r->in_flight--;
	if (c->done && c->status == 200) {
		resp->status = 200;
		resp->body = c->body;
		resp->len = c->len;
		c->body = NULL;
		resp->type = kind == CAP_CPU_SVG ? "image/svg+xml" :
			     kind == CAP_MEM_JSON || kind == CAP_LEAKS_JSON ?
			     "application/json" : "application/octet-stream";
		resp->disposition = kind == CAP_CPU_PPROF ?
				    "attachment; filename=\"profile.pb.gz\"" :
				    kind == CAP_OFFCPU_PPROF ?
				    "attachment; filename=\"offcpu.pb.gz\"" :
				    kind == CAP_HEAP_PPROF ?
				    "attachment; filename=\"heap.pb.gz\"" : NULL;
		err = 0;
	} else {
		err = http_resp__printf(resp, c->done ? 500 : 503,
					"text/plain; charset=utf-8", "%s\n",
					c->done ? "the profile could not be built" :
					r->stopping ? "the profiler is stopping" :
					"timed out waiting for the profile");
	}
	capture_put(c);
	pthread_mutex_unlock(&r->lock);
	return err;
}

static void metric(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A metric without labels: its HELP and TYPE lines, and its one sample. */
static void metric_u64(FILE *f, const char *name, const char *type,
		       const char *help, uint64_t value)
{
	metric(f, name, type, help);
	fprintf(f, "%s %llu\n", name, (unsigned long long)value);
}

/* A label value in the text format: backslash, quote and newline escaped. */
static void label_value(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void fn_labels(FILE *f, const struct lat_figures *fig)
{
	fputs("function=\"", f);
	label_value(f, fig->name);
	fputs("\",module=\"", f);
	label_value(f, fig->module);
	fputc('"', f);
}

/* Buckets at every power of two of nanoseconds, as the shared scheme
 * (include/hist.h) splits them: exact cumulative counts. */
#define LAT_LE_FIRST	10	/* 1023 ns */
#define LAT_LE_LAST	36	/* about 68.7 s */

static void lat_calls(void *ctx, const struct lat_figures *fig)
{
	FILE *f = ctx;

	fputs("profiler_function_calls_total{", f);
	fn_labels(f, fig);
	fprintf(f, "} %llu\n", (unsigned long long)fig->calls);
}

static void lat_hist(void *ctx, const struct lat_figures *fig)
{
	FILE *f = ctx;
	uint64_t cum = 0, total = 0;
	uint32_t b = 0;
	int k;

	for (b = 0; b < HIST_BUCKETS; b++)
		total += fig->counts[b];
	b = 0;
	for (k = LAT_LE_FIRST; k <= LAT_LE_LAST; k++) {
		uint64_t le = (1ULL << k) - 1;

		while (b < HIST_BUCKETS && hist_bucket_high(b) <= le)
			cum += fig->counts[b++];
		fputs("profiler_function_duration_seconds_bucket{", f);
		fn_labels(f, fig);
		fprintf(f, ",le=\"%.9g\"} %llu\n", le / 1e9, (unsigned long long)cum);
	}
	fputs("profiler_function_duration_seconds_bucket{", f);
	fn_labels(f, fig);
	fprintf(f, ",le=\"+Inf\"} %llu\n", (unsigned long long)total);
	fputs("profiler_function_duration_seconds_sum{", f);
	fn_labels(f, fig);
	fprintf(f, "} %.9f\n", fig->sum_ns / 1e9);
	fputs("profiler_function_duration_seconds_count{", f);
	fn_labels(f, fig);
	fprintf(f, "} %llu\n", (unsigned long long)total);
}

static int metrics(struct serve *r, struct http_resp *resp)
{
	struct bpf_program *prog;
	struct snapshot s;
	char *text = NULL;
	size_t len = 0;
	int in_flight, k;
	FILE *f;

	pthread_mutex_lock(&r->lock);
	s = r->snap;
	in_flight = r->in_flight;
	pthread_mutex_unlock(&r->lock);
	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	metric(f, "profiler_up", "gauge", "1 while the profiler runs.");
	fprintf(f, "profiler_up 1\n");
	metric(f, "profiler_uptime_seconds", "gauge", "Seconds since profiling began.");
	fprintf(f, "profiler_uptime_seconds %.3f\n", s.uptime_ns / 1e9);
	metric_u64(f, "profiler_sample_frequency_hertz", "gauge",
		   "CPU samples per second per CPU.",
		   r->o.freq);
	metric_u64(f, "profiler_cpu_samples_total", "counter",
		   "CPU samples taken of the targets.",
		   s.stats[STAT_SAMPLES]);
	metric(f, "profiler_lost_total", "counter",
	       "Samples, stacks or events lost, by reason.");
	for (k = 0; k < STAT__MAX; k++)
		if (stat_reason(k)->what)
			fprintf(f, "profiler_lost_total{reason=\"%s\"} %llu\n", stat_id(k),
				(unsigned long long)s.stats[k]);
	metric(f, "profiler_user_stacks_total", "counter",
	       "User stacks walked, by how the walk ended.");
	for (k = 0; k < UNWIND_END__MAX; k++)
		fprintf(f, "profiler_user_stacks_total{end=\"%s\"} %llu\n",
			stat_id(STAT_UNWIND_END + k),
			(unsigned long long)s.stats[STAT_UNWIND_END + k]);
	metric(f, "profiler_bpf_map_entries", "gauge",
	       "Entries in a BPF map: the stack map, counted every 10 s; the "
	       "counts map, keys drained in the last second.");
	fprintf(f, "profiler_bpf_map_entries{map=\"stacks\"} %llu\n",
		(unsigned long long)s.stacks_entries);
	fprintf(f, "profiler_bpf_map_entries{map=\"counts\"} %llu\n",
		(unsigned long long)s.counts_drained);
	metric(f, "profiler_bpf_map_max_entries", "gauge", "Capacity of a BPF map.");
	fprintf(f, "profiler_bpf_map_max_entries{map=\"stacks\"} %u\n",
		bpf_map__max_entries(r->live.skel->maps.stacks));
	fprintf(f, "profiler_bpf_map_max_entries{map=\"counts\"} %u\n",
		bpf_map__max_entries(r->live.skel->maps.counts));
	metric(f, "profiler_bpf_prog_run_seconds_total", "counter",
	       "Time the kernel spent in a BPF program.");
	bpf_object__for_each_program(prog, r->live.skel->obj) {
		struct bpf_prog_info info = {};
		__u32 ilen = sizeof(info);

		if (bpf_program__fd(prog) < 0 ||
		    bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &ilen))
			continue;
		fprintf(f, "profiler_bpf_prog_run_seconds_total{prog=\"%s\"} %.9f\n",
			bpf_program__name(prog), info.run_time_ns / 1e9);
	}
	metric(f, "profiler_bpf_prog_runs_total", "counter", "Runs of a BPF program.");
	bpf_object__for_each_program(prog, r->live.skel->obj) {
		struct bpf_prog_info info = {};
		__u32 ilen = sizeof(info);

		if (bpf_program__fd(prog) < 0 ||
		    bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &ilen))
			continue;
		fprintf(f, "profiler_bpf_prog_runs_total{prog=\"%s\"} %llu\n",
			bpf_program__name(prog), (unsigned long long)info.run_cnt);
	}
	metric_u64(f, "profiler_stacks_stored", "gauge",
		   "Stacks copied out of the kernel and kept for profiles.",
		   s.stored);
	metric_u64(f, "profiler_stacks_dropped_total", "counter",
		   "Stored stacks dropped, no longer named by any sample kept.",
		   s.stacks_dropped);
	metric_u64(f, "profiler_kernel_stack_map_trims_total", "counter",
		   "Times the kernel's stack map was trimmed of stored stacks.",
		   s.trims);
	metric_u64(f, "profiler_symbolizer_renewals_total", "counter",
		   "Times the symbolizer's caches were dropped (processes gone, "
		   "addresses no longer sampled).",
		   s.renewals);
	metric_u64(f, "profiler_symbolizer_processes", "gauge",
		   "Process images whose mappings and names are kept.",
		   s.sym.processes);
	metric_u64(f, "profiler_symbolizer_processes_dropped_total", "counter",
		   "Process images dropped after their process exited.",
		   s.procs_dropped);
	metric_u64(f, "profiler_symbolizer_frames", "gauge",
		   "Distinct named frames kept.",
		   s.sym.frames);
	metric_u64(f, "profiler_resident_bytes", "gauge",
		   "The server's own resident memory.",
		   s.rss);
	metric_u64(f, "profiler_symbolizer_elf_files", "gauge",
		   "ELF files read for names.",
		   s.sym.elf_opened);
	metric_u64(f, "profiler_symbolizer_maps_reads_total", "counter",
		   "/proc/PID/maps reads.",
		   s.sym.maps_reads);
	metric_u64(f, "profiler_symbolizer_addresses_total", "counter",
		   "Addresses named (each once per process).",
		   s.sym.resolved);
	metric(f, "profiler_profiles_served_total", "counter",
	       "Profiles served, by format.");
	fprintf(f, "profiler_profiles_served_total{format=\"pprof\"} %llu\n",
		(unsigned long long)s.served_pprof);
	fprintf(f, "profiler_profiles_served_total{format=\"svg\"} %llu\n",
		(unsigned long long)s.served_svg);
	fprintf(f, "profiler_profiles_served_total{format=\"memory\"} %llu\n",
		(unsigned long long)s.served_mem);
	if (s.health.known[HEALTH_RSS]) {
		metric(f, "profiler_target_resident_memory_bytes", "gauge",
		       "Resident memory of the -p targets, summed.");
		fprintf(f, "profiler_target_resident_memory_bytes %.0f\n",
			s.health.v[HEALTH_RSS]);
	}
	if (r->mem) {
		uint64_t t[MEM_T__MAX];

		mem_engine_totals(r->mem, t);
		metric_u64(f, "profiler_mem_allocs_total", "counter",
			   "Allocations by the targets.",
			   t[MEM_T_ALLOCS]);
		metric_u64(f, "profiler_mem_alloc_bytes_total", "counter",
			   "Bytes allocated.",
			   t[MEM_T_ALLOC_BYTES]);
		metric_u64(f, "profiler_mem_frees_total", "counter",
			   "Frees of traced blocks.",
			   t[MEM_T_FREES]);
		metric_u64(f, "profiler_mem_free_bytes_total", "counter",
			   "Bytes freed.",
			   t[MEM_T_FREE_BYTES]);
		metric_u64(f, "profiler_mem_outstanding_bytes", "gauge",
			   "Bytes allocated since the start and not freed.",
			   (t[MEM_T_ALLOC_BYTES] >= t[MEM_T_FREE_BYTES] ?
					     t[MEM_T_ALLOC_BYTES] - t[MEM_T_FREE_BYTES] : 0));
		metric_u64(f, "profiler_mem_outstanding_objects", "gauge",
			   "Blocks allocated since the start and not freed.",
			   (t[MEM_T_ALLOCS] >= t[MEM_T_FREES] ?
					     t[MEM_T_ALLOCS] - t[MEM_T_FREES] : 0));
	}
	if (r->off) {
		metric(f, "profiler_offcpu_seconds_total", "counter",
		       "Time the targets' threads spent off CPU, by the state they "
		       "left it in (R preempted, S sleeping, D uninterruptible...).");
		for (k = 0; k < OFFCPU_ON_CPU; k++)
			fprintf(f, "profiler_offcpu_seconds_total{state=\"%s\"} %.9f\n",
				offcpu_state_letter(k), s.offcpu_ns[k] / 1e9);
	}
	if (r->lat) {
		metric(f, "profiler_function_calls_total", "counter",
		       "Calls of a traced function (--lat) that returned or ended.");
		lat_engine_read(r->lat, lat_calls, f);
		metric(f, "profiler_function_duration_seconds", "histogram",
		       "How long the timed calls of a traced function took.");
		lat_engine_read(r->lat, lat_hist, f);
	}
	metric(f, "profiler_healthy", "gauge", "1 while every --health rule holds.");
	fprintf(f, "profiler_healthy %d\n", s.healthy ? 1 : 0);
	metric(f, "profiler_profile_requests_in_flight", "gauge",
	       "Profile requests waiting for their seconds to pass.");
	fprintf(f, "profiler_profile_requests_in_flight %d\n", in_flight);
	return http_resp__stream(resp, 200, "text/plain; version=0.0.4; charset=utf-8",
				 f, &text, &len);
}

/* 200 while every --health rule holds, else 503 naming those that fail. */
static int health(struct serve *r, struct http_resp *resp)
{
	struct snapshot s;
	char *text = NULL;
	size_t len = 0;
	bool first = true;
	FILE *f;
	int k;

	pthread_mutex_lock(&r->lock);
	s = r->snap;
	pthread_mutex_unlock(&r->lock);
	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "{\"status\": \"%s\", \"failing\": [", s.healthy ? "ok" : "failing");
	for (k = 0; k < r->o.nrules; k++) {
		if (!s.failing[k])
			continue;
		fprintf(f, "%s", first ? "" : ", ");
		json__string(f, r->o.rules[k].text);
		first = false;
	}
	fprintf(f, "], \"rules\": [");
	for (k = 0; k < r->o.nrules; k++) {
		fprintf(f, "%s", k ? ", " : "");
		json__string(f, r->o.rules[k].text);
	}
	fprintf(f, "], \"uptime_s\": %.3f, \"cpu_samples\": %llu, \"lost\": %.0f",
		s.uptime_ns / 1e9, (unsigned long long)s.stats[STAT_SAMPLES],
		s.health.v[HEALTH_LOST]);
	if (s.health.known[HEALTH_RSS])
		fprintf(f, ", \"rss_bytes\": %.0f", s.health.v[HEALTH_RSS]);
	if (s.health.known[HEALTH_GROWTH])
		fprintf(f, ", \"growth_bytes_per_min\": %.0f", s.health.v[HEALTH_GROWTH]);
	if (s.health.known[HEALTH_OUTSTANDING])
		fprintf(f, ", \"outstanding_bytes\": %.0f", s.health.v[HEALTH_OUTSTANDING]);
	fprintf(f, "}\n");
	return http_resp__stream(resp, s.healthy ? 200 : 503, "application/json", f, &text, &len);
}

/* The history: one point per --window, oldest first. */
static int trend(struct serve *r, struct http_resp *resp)
{
	char *text = NULL;
	size_t len = 0, i, cap = r->o.history;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return -ENOMEM;
	pthread_mutex_lock(&r->lock);
	fprintf(f, "{\"window_s\": %llu, \"points\": [",
		(unsigned long long)r->o.window);
	for (i = 0; i < r->nhist; i++) {
		const struct point *p = &r->hist[(r->hist_next + cap - r->nhist + i) % cap];

		fprintf(f, "%s\n  {\"t_s\": %.3f, \"cpu_samples\": %llu, \"lost\": %llu",
			i ? "," : "", p->t_s, (unsigned long long)p->samples,
			(unsigned long long)p->lost);
		if (r->sess.ntargets)
			fprintf(f, ", \"rss_bytes\": %llu", (unsigned long long)p->rss);
		fputc('}', f);
	}
	pthread_mutex_unlock(&r->lock);
	fprintf(f, "%s]}\n", r->nhist ? "\n" : "");
	return http_resp__stream(resp, 200, "application/json", f, &text, &len);
}

static int on_http(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	struct serve *r = ctx;

	if (!strcmp(req->path, "/"))
		return page(resp, r);
	if (!strcmp(req->path, "/metrics"))
		return metrics(r, resp);
	if (!strcmp(req->path, "/health"))
		return health(r, resp);
	if (!strcmp(req->path, "/api/trend"))
		return trend(r, resp);
	if (!strcmp(req->path, "/debug/pprof/profile"))
		return take_profile(r, req, resp, CAP_CPU_PPROF);
	if (!strcmp(req->path, "/flamegraph.svg"))
		return take_profile(r, req, resp, CAP_CPU_SVG);
	if (!strcmp(req->path, "/debug/pprof/heap"))
		return take_profile(r, req, resp, CAP_HEAP_PPROF);
	if (!strcmp(req->path, "/debug/pprof/offcpu"))
		return take_profile(r, req, resp, CAP_OFFCPU_PPROF);
	if (!strcmp(req->path, "/api/memory"))
		return take_profile(r, req, resp, CAP_MEM_JSON);
	if (!strcmp(req->path, "/api/leaks"))
		return take_profile(r, req, resp, CAP_LEAKS_JSON);
	return http_resp__printf(resp, 404, "text/plain; charset=utf-8",
				 "not found: see / for the endpoints\n");
}

/* ---- the run ------------------------------------------------------------ */

/* The token: the file's first line, at most 4 KiB, not empty. */
static char *read_token(const char *path)
{
	char buf[4097];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);

	if (fd < 0) {
		p_err("cannot read --token-file %s: %s", path, strerror(errno));
		return NULL;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		p_err("cannot read --token-file %s: %s", path, strerror(errno));
		return NULL;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (!buf[0] || strspn(buf, " \t") == strlen(buf)) {
		p_err("--token-file %s holds no token on its first line", path);
		return NULL;
	}
	return strdup(buf);
}

static int start_http(struct serve *r)
{
	struct httpd_opts ho = { .addr = r->o.addr, .port = r->o.port };
	char err[256], *token = NULL;

	if (r->o.token_file && !(token = read_token(r->o.token_file)))
		return -1;
	ho.token = token;
	r->http = httpd__start(&ho, on_http, r, err, sizeof(err));
	if (token) {
		memset(token, 0, strlen(token));
		free(token);
	}
	if (!r->http) {
		p_err("%s", err);
		return -1;
	}
	p_info("serving on http://%s%s%s:%u/ (%s)", strchr(r->o.addr, ':') ? "[" : "",
	       r->o.addr, strchr(r->o.addr, ':') ? "]" : "",
	       (unsigned int)httpd__port(r->http),
	       r->o.token_file ? "bearer token required" : "no token");
	return 0;
}

/* End the waits: every request still waiting answers 503. */
static void stop_captures(struct serve *r)
{
	struct capture *c, *next;

	pthread_mutex_lock(&r->lock);
	r->stopping = true;
	for (c = r->pending; c; c = c->next)
		pthread_cond_broadcast(&c->cond);
	for (c = r->active; c; c = c->next)
		pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&r->lock);
	/* The requests return; then the server's threads end. */
	httpd__stop(r->http, 3000);
	r->http = NULL;
	pthread_mutex_lock(&r->lock);
	for (c = r->pending; c; c = next) {
		next = c->next;
		capture_put(c);
	}
	for (c = r->active; c; c = next) {
		next = c->next;
		capture_put(c);
	}
	r->pending = r->active = NULL;
	pthread_mutex_unlock(&r->lock);
}

int cmd_serve(int argc, char **argv)
{
	struct serve r = { .lock = PTHREAD_MUTEX_INITIALIZER, .epfd = -1 };
	struct session_hooks hooks = {};
	struct live_opts lo = {};
	int status;

	r.live.stats_fd = -1;
	r.sess.sigfd = r.sess.timerfd = r.sess.intervalfd = -1;
	status = cli_exit_status(serve_parse_args(argc, argv, &r.o));
	if (status >= 0) {
		cli_free_common(&r.o.c);
		return status;
	}
	status = EXIT_RUNTIME;
	log_level = r.o.c.verbosity;
	log_setup_libbpf();

	r.renew_s = SERVE_RENEW_SECONDS;
	if (getenv("PROFILER_SERVE_RENEW_S") &&
	    parse_u64(getenv("PROFILER_SERVE_RENEW_S"), 1, 86400, &r.renew_s))
		r.renew_s = SERVE_RENEW_SECONDS;
	r.sweep_s = SERVE_SWEEP_SECONDS;
	if (getenv("PROFILER_SERVE_SWEEP_S") &&
	    parse_u64(getenv("PROFILER_SERVE_SWEEP_S"), 1, 3600, &r.sweep_s))
		r.sweep_s = SERVE_SWEEP_SECONDS;
	r.hist = calloc(r.o.history, sizeof(*r.hist));
	if (!r.hist) {
		p_err("out of memory");
		goto out;
	}
	if (session__init(&r.sess, &r.o.c, NULL))
		goto out;
	session__describe(&r.sess, r.target, sizeof(r.target));
	lo.freq = r.o.freq;
	lo.stack_map_size = r.o.stack_map_size;
	lo.counts_map_size = r.o.counts_map_size;
	lo.c = &r.o.c;
	lo.s = &r.o.s;
	lo.bpf_stats = true;
	if (live__open(&r.live, &r.sess, &lo))
		goto out;
	r.live.store.count_every = r.sweep_s;
	if (r.o.mem && !(r.mem = mem_engine_open(&r.sess, &r.o.c, &r.o.s)))
		goto out;
	if (r.o.npatterns && !(r.lat = lat_engine_open(&r.sess, &r.o.c, r.o.patterns,
						       r.o.npatterns, r.o.max_probes)))
		goto out;
	if (r.o.offcpu && !(r.off = offcpu_engine_open(&r.sess, &r.o.c, &r.o.s)))
		goto out;
	if (session__start(&r.sess, 1.0))
		goto out;
	refresh_snapshot(&r);
	if (start_http(&r))
		goto out;

	if (watch_events(&r)) {
		p_err("cannot watch the events: %s", strerror(errno));
		goto out;
	}
	hooks.fd = r.epfd;
	hooks.on_fd = on_events;
	hooks.pending = busy;
	hooks.on_interval = on_tick;
	hooks.ctx = &r;
	session__loop(&r.sess, &hooks);
	stop_captures(&r);
	if (r.sess.stop_reason)
		p_info("stopped: %s", r.sess.stop_reason);
	status = session__exit_status(&r.sess);
out:
	stop_captures(&r);
	offcpu_engine_free(r.off);
	if (r.epfd >= 0)
		close(r.epfd);
	lat_engine_free(r.lat);
	mem_engine_free(r.mem);
	live__free(&r.live);
	free(r.hist);
	session__free(&r.sess);
	cli_free_common(&r.o.c);
	return status;
}

/* ---- options ------------------------------------------------------------ */

enum {
	SERVE_OPT_LISTEN = CLI_OPT_MODE,
	SERVE_OPT_TOKEN_FILE,
	SERVE_OPT_MAX_SECONDS,
	SERVE_OPT_STACK_MAP_SIZE,
	SERVE_OPT_COUNTS_MAP_SIZE,
	SERVE_OPT_WINDOW,
	SERVE_OPT_HISTORY,
	SERVE_OPT_HEALTH,
	SERVE_OPT_MEM,
	SERVE_OPT_LAT,
	SERVE_OPT_MAX_PROBES,
	SERVE_OPT_OFFCPU,
};

static const struct option serve_long[] = {
	{ "listen",		required_argument, NULL, SERVE_OPT_LISTEN },
	{ "token-file",		required_argument, NULL, SERVE_OPT_TOKEN_FILE },
	{ "max-seconds",	required_argument, NULL, SERVE_OPT_MAX_SECONDS },
	{ "frequency",		required_argument, NULL, 'F' },
	{ "stack-map-size",	required_argument, NULL, SERVE_OPT_STACK_MAP_SIZE },
	{ "counts-map-size",	required_argument, NULL, SERVE_OPT_COUNTS_MAP_SIZE },
	{ "window",		required_argument, NULL, SERVE_OPT_WINDOW },
	{ "history",		required_argument, NULL, SERVE_OPT_HISTORY },
	{ "health",		required_argument, NULL, SERVE_OPT_HEALTH },
	{ "mem",		no_argument,	   NULL, SERVE_OPT_MEM },
	{ "lat",		required_argument, NULL, SERVE_OPT_LAT },
	{ "max-probes",		required_argument, NULL, SERVE_OPT_MAX_PROBES },
	{ "offcpu",		no_argument,	   NULL, SERVE_OPT_OFFCPU },
	STACK_LONG_OPTIONS,
};

void serve_usage(FILE *out)
{
	fprintf(out,
"Usage: profiler serve [-p PID[,PID...]] [--listen ADDR:PORT] [OPTIONS]\n"
"\n"
"Keeps CPU sampling attached and serves it over HTTP: /metrics for\n"
"Prometheus, /debug/pprof/profile?seconds=N for go tool pprof, Parca and\n"
"Pyroscope, /flamegraph.svg?seconds=N, /health, and / listing them.\n"
"Without -p: every process on the machine.  Needs root.\n"
"\n"
"Targets:\n"
"  -p, --pid PID[,PID...]    these processes (and their children)\n"
"  -d, --duration SECONDS    stop after SECONDS (default: at Ctrl-C, SIGTERM,\n"
"                            or when every target has exited)\n"
"\n"
"Serving:\n"
"      --listen ADDR:PORT    where to listen (default %s:%d: this machine\n"
"                            only; [::1]:PORT for IPv6, port 0: any free one)\n"
"      --token-file FILE     requests need \"Authorization: Bearer TOKEN\",\n"
"                            TOKEN the file's first line\n"
"      --max-seconds N       longest ?seconds= a request may ask (default %d)\n"
"      --window SECONDS      one point of /api/trend every SECONDS (default %d)\n"
"      --history N           points kept (default %d: an hour of 10 s)\n"
"      --health RULES        /health answers 503 while one fails: comma-\n"
"                            separated rss<2GiB, growth<10MiB/min (-p only:\n"
"                            the targets' resident memory, its growth over\n"
"                            the history), lost==0, outstanding<1GiB (--mem:\n"
"                            bytes allocated and not freed); <, <=, >, >=,\n"
"                            ==, !=\n"
"\n"
"Modes besides CPU sampling:\n"
"      --mem                 probe the -p targets' allocators as profiler mem\n"
"                            does: /debug/pprof/heap (alloc_objects,\n"
"                            alloc_space, inuse_objects, inuse_space),\n"
"                            /api/memory, /api/leaks, profiler_mem_* metrics\n"
"      --lat PATTERN         time the functions PATTERN names in the -p\n"
"                            targets as profiler lat does (repeatable):\n"
"                            profiler_function_calls_total and\n"
"                            profiler_function_duration_seconds histograms\n"
"      --max-probes N        --lat functions at most (default %d)\n"
"      --offcpu              time off CPU as profiler offcpu does:\n"
"                            /debug/pprof/offcpu?seconds=N and\n"
"                            profiler_offcpu_seconds_total by state\n"
"\n"
"Sampling:\n"
"  -F, --frequency HZ        samples per second per CPU (default 99)\n"
"      --stack-map-size N    distinct stacks kept in the kernel (default %d)\n"
"      --counts-map-size N   distinct (process, stack) pairs per second\n"
"                            (default %d)\n",
		SERVE_DEFAULT_ADDR, SERVE_DEFAULT_PORT, SERVE_DEFAULT_MAX_SECONDS,
		SERVE_DEFAULT_WINDOW, SERVE_DEFAULT_HISTORY, LAT_DEFAULT_MAX_PROBES,
		CPU_DEFAULT_STACK_MAP_SIZE, CPU_DEFAULT_COUNTS_MAP_SIZE);
	stack_opts__usage(out);
	fprintf(out,
"\n"
"Symbols:\n"
"      --debug-dir DIR, --no-inline, --no-demangle   as for cpu\n"
"  -q, --quiet               errors only\n"
"  -v, --verbose             libbpf and debug messages\n"
"  -h, --help                this help\n"
"\n"
"Examples:\n"
"  profiler serve -p 1234\n"
"  go tool pprof http://127.0.0.1:6060/debug/pprof/profile?seconds=30\n"
"  curl -s http://127.0.0.1:6060/metrics\n");
}

/* "ADDR:PORT", "[V6ADDR]:PORT" or ":PORT" (the default address). */
static enum cli_result parse_listen(const char *arg, struct serve_opts *o)
{
	const char *colon = strrchr(arg, ':'), *a = arg;
	size_t len;
	uint64_t port;

	if (!colon || parse_u64(colon + 1, 0, 65535, &port))
		goto bad;
	len = (size_t)(colon - arg);
	if (len && arg[0] == '[') {
		if (len < 3 || arg[len - 1] != ']')
			goto bad;
		a = arg + 1;
		len -= 2;
	}
	if (len >= sizeof(o->addr))
		goto bad;
	if (len) {
		memcpy(o->addr, a, len);
		o->addr[len] = '\0';
	}
	o->port = (uint16_t)port;
	return CLI_OK;
bad:
	return cli_error("invalid --listen '%s' (expected ADDR:PORT, [ADDR]:PORT "
			 "for IPv6, or :PORT)", arg);
}

static enum cli_result parse_opt(int c, const char *arg, void *mode)
{
	struct serve_opts *o = mode;

	switch (c) {
	case 'F':
		return cli_parse_freq(arg, &o->freq);
	case SERVE_OPT_LISTEN:
		return parse_listen(arg, o);
	case SERVE_OPT_TOKEN_FILE:
		o->token_file = arg;
		return CLI_OK;
	case SERVE_OPT_MAX_SECONDS:
		if (parse_u64(arg, 1, 3600, &o->max_seconds))
			return cli_error("invalid --max-seconds '%s' (expected 1..3600)", arg);
		return CLI_OK;
	case SERVE_OPT_STACK_MAP_SIZE:
		return cli_parse_size(arg, "--stack-map-size", 1 << 24, &o->stack_map_size);
	case SERVE_OPT_COUNTS_MAP_SIZE:
		return cli_parse_size(arg, "--counts-map-size", 1 << 24, &o->counts_map_size);
	case SERVE_OPT_WINDOW:
		if (parse_u64(arg, 1, 3600, &o->window))
			return cli_error("invalid --window '%s' (expected 1..3600 seconds)", arg);
		return CLI_OK;
	case SERVE_OPT_HISTORY:
		if (parse_u64(arg, 2, 100000, &o->history))
			return cli_error("invalid --history '%s' (expected 2..100000)", arg);
		return CLI_OK;
	case SERVE_OPT_MEM:
		o->mem = true;
		return CLI_OK;
	case SERVE_OPT_OFFCPU:
		o->offcpu = true;
		return CLI_OK;
	case SERVE_OPT_LAT:
		if (o->npatterns == LAT_MAX_PATTERNS)
			return cli_error("more than %d --lat patterns", LAT_MAX_PATTERNS);
		o->patterns[o->npatterns++] = arg;
		return CLI_OK;
	case SERVE_OPT_MAX_PROBES:
		if (parse_u64(arg, 1, 20000, &o->max_probes))
			return cli_error("invalid --max-probes '%s' (expected 1..20000)", arg);
		return CLI_OK;
	case SERVE_OPT_HEALTH: {
		char err[256];

		o->nrules = health_parse(arg, o->rules, HEALTH_MAX_RULES, err, sizeof(err));
		if (o->nrules < 0)
			return cli_error("invalid --health: %s", err);
		return CLI_OK;
	}
	}
	return stack_opts__parse(c, arg, &o->s);
}

enum cli_result serve_parse_args(int argc, char **argv, struct serve_opts *o)
{
	int i;

	static const struct cli_mode spec = {
		.help = "profiler serve --help",
		.groups = CLI_TARGETS | CLI_SYMBOLS,
		.shortopts = "F:",
		.longopts = serve_long,
		.nlong = sizeof(serve_long) / sizeof(serve_long[0]),
		.parse = parse_opt,
		.usage = serve_usage,
	};
	enum cli_result r;

	memset(o, 0, sizeof(*o));
	snprintf(o->addr, sizeof(o->addr), "%s", SERVE_DEFAULT_ADDR);
	o->port = SERVE_DEFAULT_PORT;
	o->max_seconds = SERVE_DEFAULT_MAX_SECONDS;
	o->freq = 99;
	o->stack_map_size = CPU_DEFAULT_STACK_MAP_SIZE;
	o->counts_map_size = CPU_DEFAULT_COUNTS_MAP_SIZE;
	o->window = SERVE_DEFAULT_WINDOW;
	o->history = SERVE_DEFAULT_HISTORY;
	o->max_probes = LAT_DEFAULT_MAX_PROBES;
	stack_opts__defaults(&o->s);
	r = cli_parse(argc, argv, &o->c, &spec, o);
	if (r != CLI_OK)
		return r;
	if (o->c.command)
		return cli_error("serve follows running processes (-p) or the whole "
				 "machine, not a COMMAND");
	if (o->mem && !o->c.npids)
		return cli_error("--mem needs -p: the allocators of given processes "
				 "are probed");
	if (o->npatterns && !o->c.npids)
		return cli_error("--lat needs -p: functions of given processes "
				 "are timed");
	for (i = 0; i < o->nrules; i++) {
		if (o->rules[i].metric == HEALTH_OUTSTANDING && !o->mem)
			return cli_error("--health rule '%s' needs --mem", o->rules[i].text);
		if (o->rules[i].metric != HEALTH_LOST && !o->c.npids)
			return cli_error("--health rule '%s' needs -p: it is about the "
					 "targets' memory", o->rules[i].text);
	}
	return CLI_OK;
}
