// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The offcpu and wall modes: where threads wait, and where their
 * wall-clock time goes.  bpf/offcpu.bpf.c adds each off-CPU period of a
 * target thread to its {thread, stacks, state[, waker]} key at the switch
 * that ends it (wall: and each on-CPU sample, weighing its period); this
 * file loads it, follows the targets, and turns the counts (and the
 * threads still off CPU at the end) into a profile.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "commands.h"
#include "lib/log.h"
#include "lib/parse.h"
#include "model/profile.h"
#include "modes/losses.h"
#include "modes/live.h"
#include "modes/offcpu_engine.h"
#include "modes/offcpu_mode.h"
#include "modes/stackrun.h"
#include "offcpu.h"
#include "offcpu.skel.h"
#include "probes/bpfutil.h"
#include "probes/entry_point.h"
#include "render/common.h"
#include "render/render.h"
#include "render/sections.h"
#include "run/outputs.h"
#include "run/session.h"

struct run {
	struct offcpu_opts o;
	struct session *sess;
	struct offcpu_bpf *skel;
	struct stack_run sr;
	struct profile *prof;
	struct outputs out;
	struct entry_stop stop;	/* COMMAND: stopped at its entry point */
	uint64_t end_ns;	/* CLOCK_MONOTONIC when the switches stopped */
	/* The engine (serve --offcpu): stacks drained from the kernel. */
	struct stack_store *store;	/* NULL: name from the kernel's map */
	uint64_t state_ns[OFFCPU_STATE__MAX];	/* off CPU so far, by state */
	struct offcpu_key *kbuf;
	struct offcpu_val *vbuf;
	__u32 *tbuf;			/* threads off CPU now */
	struct offcpu_start *sbuf;
	size_t bufn;
};

/* enum offcpu_state: the letter ps shows, and what it means. */
static const struct {
	const char *letter, *meaning;
} states[OFFCPU_STATE__MAX] = {
	[OFFCPU_RUNNABLE] = { "R", "runnable: preempted, waiting for a CPU" },
	[OFFCPU_SLEEP] = { "S", "sleeping: waiting for an event (lock, I/O, timer)" },
	[OFFCPU_DISK] = { "D", "uninterruptible: disk I/O, some kernel locks" },
	[OFFCPU_STOPPED] = { "T", "stopped or traced" },
	[OFFCPU_IDLE] = { "I", "idle kernel thread" },
	[OFFCPU_OTHER] = { "other", "another state" },
	[OFFCPU_ON_CPU] = { "on-CPU", "running" },
};

#define MARK_STILL	"[still off CPU at the end]"
#define MARK_WAKER	"--"

static int load_bpf(struct run *r)
{
	struct offcpu_bpf *skel = offcpu_bpf__open();
	const struct offcpu_opts *o = &r->o;
	int err;

	if (!skel) {
		p_err("cannot open the BPF object: %s", strerror(errno));
		return -1;
	}
	r->skel = skel;
	skel->rodata->filter_targets = r->sess->ntargets > 0;
	skel->rodata->collect_user = !o->kernel_only;
	skel->rodata->collect_kernel = !o->user_only;
	skel->rodata->unwind_mode = o->s.unwind;
	skel->rodata->track_wakers = o->wakers;
	skel->rodata->state_mask = o->state_mask;
	skel->rodata->min_block_ns = o->min_block_ns;
	skel->rodata->max_block_ns = o->max_block_ns;
	skel->rodata->sample_period_ns = o->wall ? 1000000000ULL / o->freq : 0;
	bpf_program__set_autoload(skel->progs.offcpu_waking, o->wakers);
	bpf_program__set_autoload(skel->progs.wall_sample, o->wall);
	/* Preallocated: a switch runs with interrupts off, where a new
	 * element could not always be allocated. */
	bpf_map__set_map_flags(skel->maps.stacks, 0);
	bpf_map__set_max_entries(skel->maps.stacks, o->stack_map_size);
	bpf_map__set_max_entries(skel->maps.counts, o->counts_map_size);
	bpf_map__set_max_entries(skel->maps.starts, o->threads_map_size);
	bpf_map__set_max_entries(skel->maps.wakers, o->wakers ? o->threads_map_size : 1);
	err = offcpu_bpf__load(skel);
	if (err) {
		report_load_error(err);
		return -1;
	}
	return 0;
}

/* ---- the profile ------------------------------------------------------ */

static void comm_of(const char *c, char *buf)
{
	memcpy(buf, c, PROF_COMM_LEN);
	buf[PROF_COMM_LEN] = '\0';
}

/* The kernel's wake-up plumbing: no part of why a thread was woken. */
static bool wake_plumbing(const char *name)
{
	static const char *const names[] = {
		"try_to_wake_up", "wake_up_process", "wake_up_q", "wake_up_state",
		"__wake_up", "__wake_up_common", "__wake_up_common_lock",
		"__wake_up_sync_key", "autoremove_wake_function",
		"default_wake_function", "woken_wake_function", "ttwu_do_activate",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/*
 * Where a stack part (leaf first, its first nkernel locations the kernel's)
 * waited or woke, in a few words: its innermost function of the program's
 * own code, else of a library, else of the kernel past the wake-up
 * plumbing; then the thread's name.
 */
static void summary(struct run *r, const uint32_t *locs, uint32_t n,
		    uint32_t nkernel, const char *comm, char *buf, size_t len)
{
	const struct profile *p = r->prof;
	enum frame_kind want[] = { KIND_PROGRAM, KIND_LIBRARY, KIND_KERNEL };
	char name[256];
	uint32_t i;
	size_t w;

	for (w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
		for (i = want[w] == KIND_KERNEL ? 0 : nkernel; i < n; i++) {
			if (frame__kind(p, locs[i]) != want[w])
				continue;
			profile__location_name(p, locs[i], name, sizeof(name));
			if (want[w] == KIND_KERNEL && wake_plumbing(name))
				continue;
			snprintf(buf, len, "%s (%s)", name, comm);
			return;
		}
	}
	snprintf(buf, len, "[no stack] (%s)", comm);
}

/* A stored stack's frames: from the engine's store, else the kernel's map. */
static uint32_t kernel_locs(struct run *r, struct profile *p, uint64_t key,
			    __s32 err, uint32_t *locs)
{
	const struct stack_trace *st;

	if (!r->store)
		return stack_run__kernel(&r->sr, p, key, err, locs);
	st = stack_store__get(r->store, key);
	return stack_run__kernel_ips(&r->sr, p, st, err ? err : key && !st ? -ENOENT : 0,
				     locs);
}

static uint32_t user_locs(struct run *r, struct profile *p, __u32 tgid, __u32 gen,
			  uint64_t key, __s32 err, uint32_t *locs)
{
	const struct stack_trace *st;

	if (!r->store)
		return stack_run__user(&r->sr, p, tgid, gen, key, err, locs);
	st = stack_store__get(r->store, key);
	return stack_run__user_ips(&r->sr, p, tgid, gen, st,
				   err ? err : key && !st ? -ENOENT : 0, locs);
}

/*
 * Does a kernel stack (leaf first) run in an interrupt?  Then the current
 * thread is whoever it interrupted, and its user stack is no waker's.
 */
static bool in_interrupt(const struct profile *p, const uint32_t *locs,
			 uint32_t n)
{
	static const char *const entries[] = {
		"asm_sysvec_", "sysvec_", "__sysvec_", "asm_common_interrupt",
		"common_interrupt", "handle_softirqs", "__do_softirq", "do_softirq",
		"irq_exit_rcu", "__irq_exit_rcu", "asm_exc_nmi", "exc_nmi",
	};
	char name[256];
	uint32_t i;
	size_t k;

	for (i = 0; i < n; i++) {
		if (!locs[i] || !p->locations[locs[i] - 1].kernel)
			continue;
		profile__location_name(p, locs[i], name, sizeof(name));
		for (k = 0; k < sizeof(entries) / sizeof(entries[0]); k++)
			if (!strncmp(name, entries[k], strlen(entries[k])))
				return true;
	}
	return false;
}

/*
 * One key's time as a sample.  Leaf first: with a waker, its name and its
 * stack root first, then "--" (as bcc's offwaketime folds them, so that a
 * flame graph shows the waker above the waiter); a marker for a thread
 * still off CPU; the kernel stack, then the user stack.
 */
static int add_key(struct run *r, const struct offcpu_key *k, uint64_t ns,
		   uint64_t count, bool still)
{
	static uint32_t locs[4 * STACK_RUN_MAX_LOCS + 8], wl[2 * STACK_RUN_MAX_LOCS];
	struct profile *p = r->prof;
	char comm[PROF_COMM_LEN + 1], wcomm[PROF_COMM_LEN + 1];
	char wait[320], woke[320];
	uint32_t n = 0, nw = 0, wk = 0, nk, start, i;
	bool waker = r->o.wakers && k->waker.seen, irq = false;
	int64_t values[2] = { (int64_t)ns, (int64_t)count };
	bool on = k->state == OFFCPU_ON_CPU;

	comm_of(k->comm, comm);
	if (waker) {
		wk = kernel_locs(r, p, k->waker.kern_stack, k->waker.kern_err, wl);
		irq = in_interrupt(p, wl, wk);
		nw = wk;
		if (!irq)
			nw += user_locs(r, p, k->waker.tgid, k->waker.gen,
					k->waker.user_stack, k->waker.user_err, wl + wk);
		comm_of(k->waker.comm, wcomm);
		locs[n++] = profile__pseudo_location(p, irq ? "[interrupt]" : wcomm);
		for (i = nw; i > 0; i--)
			locs[n++] = wl[i - 1];
		locs[n++] = profile__pseudo_location(p, MARK_WAKER);
	}
	if (still)
		locs[n++] = profile__pseudo_location(p, MARK_STILL);
	start = n;
	nk = kernel_locs(r, p, k->kern_stack, k->kern_err, locs + n);
	n += nk;
	n += user_locs(r, p, k->tgid, k->gen, k->user_stack, k->user_err, locs + n);
	if (n == start)
		locs[n++] = profile__pseudo_location(p, "[no stack]");
	for (i = 0; i < n; i++)
		if (!locs[i])
			return -ENOMEM;
	if (profile__add_sample(p, locs, n, k->tgid, comm, values) ||
	    profile__add_label(p, "tid", NULL, k->pid, NULL))
		return -ENOMEM;
	if (on)
		return 0;
	summary(r, locs + start, n - start, nk, comm, wait, sizeof(wait));
	if (profile__add_label(p, PROF_LABEL_OFF_CPU,
			       states[k->state % OFFCPU_STATE__MAX].letter, 0, NULL) ||
	    profile__add_label(p, "waiting", wait, 0, NULL))
		return -ENOMEM;
	if (!waker)
		return 0;
	if (irq)
		summary(r, wl, nw, nw, "interrupt", woke, sizeof(woke));
	else
		summary(r, wl, nw, wk, wcomm, woke, sizeof(woke));
	return profile__add_label(p, "woken_by", woke, 0, NULL);
}

static int drain_counts(struct run *r)
{
	int fd = bpf_map__fd(r->skel->maps.counts);
	struct offcpu_key key, next, *prev = NULL;
	struct offcpu_val v;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &v))
			continue;
		if (add_key(r, &key, v.ns, v.count, false))
			return -ENOMEM;
	}
	return 0;
}

/* Threads off CPU when the run ended: counted up to the end, marked. */
static int drain_starts(struct run *r, uint64_t *still)
{
	int fd = bpf_map__fd(r->skel->maps.starts);
	__u32 tid, next, *prev = NULL;
	struct offcpu_start s;
	uint64_t ns;

	*still = 0;
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		tid = next;
		prev = &tid;
		if (bpf_map_lookup_elem(fd, &tid, &s) || s.ts > r->end_ns ||
		    !(r->o.state_mask & (1U << (s.key.state % 32))))
			continue;
		ns = r->end_ns - s.ts;
		if (ns < r->o.min_block_ns || ns > r->o.max_block_ns)
			continue;
		if (add_key(r, &s.key, ns, 1, true))
			return -ENOMEM;
		(*still)++;
	}
	return 0;
}

static int build_profile(struct run *r)
{
	uint64_t totals[STAT__MAX], still;
	struct timespec now;
	char title[320];
	int len;

	r->prof = profile__new();
	if (!r->prof || profile__add_type(r->prof, r->o.wall ? "wall" : "off_cpu",
					  "nanoseconds") < 0 ||
	    profile__add_type(r->prof, r->o.wall ? "events" : "blocks", "count") < 0)
		goto oom;
	r->prof->folded_scale = 1000;	/* microseconds, as offcputime */
	if (r->o.wall) {
		r->prof->period_type = r->prof->types[0];
		r->prof->period = 1000000000LL / r->o.freq;
	}
	r->prof->duration_ns = session__duration_ns(r->sess);
	clock_gettime(CLOCK_REALTIME, &now);
	r->prof->time_ns = now.tv_sec * 1000000000LL + now.tv_nsec -
			   r->prof->duration_ns;
	if (r->o.wall)
		len = snprintf(title, sizeof(title), "profiler wall: on-CPU at %llu Hz "
			       "and off-CPU time, ", (unsigned long long)r->o.freq);
	else
		len = snprintf(title, sizeof(title), "profiler offcpu: states %s, ",
			       r->o.states);
	session__describe(r->sess, title + len, sizeof(title) - len);
	if (profile__str(r->prof, title) < 0 ||
	    profile__str(r->prof, r->o.wall ? "wall" : "offcpu") < 0)
		goto oom;
	r->prof->title = profile__str(r->prof, title);
	r->prof->mode = profile__str(r->prof, r->o.wall ? "wall" : "offcpu");
	stats_read(bpf_map__fd(r->skel->maps.stats), totals);
	if (stats_add_losses(r->prof, totals) || drain_counts(r) ||
	    drain_starts(r, &still) ||
	    (still && profile__add_truncation(r->prof, "periods off CPU still "
					      "going on at the end: counted up "
					      "to it", "marked " MARK_STILL,
					      still)) ||
	    stack_run__add_unnamed(&r->sr, r->prof))
		goto oom;
	return 0;
oom:
	p_err("out of memory while building the profile");
	return -1;
}

static int print_report(struct run *r)
{
	static const char *const pair[] = { "waiting", "woken_by" };
	const char *const by_state[] = { PROF_LABEL_OFF_CPU };
	const struct profile *p = r->prof;
	int top = (int)r->o.c.top, err;
	size_t i;

	static const char *const where[] = { "waiting" };

	err = render_table(p, 0, top, stdout);
	if (!err) {
		printf("\ntop %d places by time off CPU: innermost function of the "
		       "program (else library, else kernel) and thread\n", top);
		err = render_label_groups(p, 0, where, 1, "", top, stdout);
	}
	printf("\n%s by state:\n", r->o.wall ? "off-CPU time" : "time");
	if (!err)
		err = render_label_groups(p, 0, by_state, 1, "", top, stdout);
	if (!err && r->o.wall)
		printf("  (the rest of the wall time ran on a CPU)\n");
	for (i = 0; i < OFFCPU_ON_CPU; i++)
		if (r->o.state_mask & (1U << i))
			printf("  %-6s %s\n", states[i].letter, states[i].meaning);
	if (!err && r->o.wakers) {
		printf("\ntop %d wakeups by time off CPU: waiting (thread) <- "
		       "woken by (thread)\n", top);
		err = render_label_groups(p, 0, pair, 2, " <- ", top, stdout);
	}
	if (r->sess->stop_reason)
		printf("\nstopped: %s\n", r->sess->stop_reason);
	outputs__report(&r->out, stdout);
	fflush(stdout);
	return err || ferror(stdout) ? -1 : 0;
}

/* The COMMAND at its entry point, its libraries mapped: its names and
 * unwind tables now, so that its first stacks are whole. */
static void on_entry(void *ctx)
{
	struct run *r = ctx;
	pid_t pid = session__target(r->sess, 0);

	symbolizer__add_process(r->sr.sym, pid, 0);
	unwinder__add_process(r->sr.unw, pid);
	r->skel->bss->armed = true;
}

/* Stop an ELF COMMAND at its entry point (a script runs without). */
static int stop_at_entry(struct run *r)
{
	char path[4096];
	uint64_t off;

	if (!r->o.c.command ||
	    command_entry_point(r->o.c.command[0], path, sizeof(path), &off)) {
		r->skel->bss->armed = true;
		return 0;
	}
	return entry_stop__attach(&r->stop, r->skel->progs.entry_stop,
				  r->skel->maps.entry_events, &r->sr.events,
				  session__target(r->sess, 0), r->o.c.command[0],
				  on_entry, r);
}

static void run_free(struct run *r)
{
	entry_stop__detach(&r->stop);
	stack_run__free(&r->sr);
	offcpu_bpf__destroy(r->skel);
	profile__free(r->prof);
	outputs__abort(&r->out);
	session__free(r->sess);
	cli_free_common(&r->o.c);
}

static int run_mode(int argc, char **argv, bool wall)
{
	struct run r = {};
	struct session sess = {};
	struct session_hooks hooks = {};
	struct timespec end;
	int status, ferr;

	r.sess = &sess;
	sess.sigfd = sess.timerfd = sess.intervalfd = -1;
	status = cli_exit_status(offcpu_parse_args(argc, argv, &r.o, wall));
	if (status >= 0) {
		cli_free_common(&r.o.c);
		return status;
	}
	status = EXIT_RUNTIME;
	log_level = r.o.c.verbosity;
	log_setup_libbpf();

	if (session__init(&sess, &r.o.c, NULL) || outputs__open(&r.out, &r.o.c.out) ||
	    load_bpf(&r) ||
	    stack_run__open(&r.sr, r.skel->obj, &sess, &r.o.c, &r.o.s) ||
	    stack_run__follow(&r.sr, r.skel->maps.targets))
		goto out;
	stack_run__add_pids(&r.sr, r.o.c.pids, r.o.c.npids);
	if (stop_at_entry(&r))
		goto out;
	if (offcpu_bpf__attach(r.skel)) {
		p_err("cannot attach the scheduler programs: %s", strerror(errno));
		goto out;
	}
	if ((wall && stack_run__sample(&r.sr, r.skel->progs.wall_sample, r.o.freq,
				       false)) ||
	    session__start(&sess, 0))
		goto out;
	if (!r.o.c.command)
		p_info("tracing %s off CPU%s%s", r.o.c.npids ? "the given processes" :
		       "every thread", wall ? " and sampling it on CPU" : "",
		       r.o.c.duration > 0 ? "" : "; Ctrl-C to stop");

	stack_run__hooks(&r.sr, &hooks);
	session__loop(&sess, &hooks);

	/* Freeze the maps: no switch or sample counts after this. */
	stack_run__stop_sampling(&r.sr);
	offcpu_bpf__detach(r.skel);
	clock_gettime(CLOCK_MONOTONIC, &end);
	r.end_ns = (uint64_t)end.tv_sec * 1000000000ULL + end.tv_nsec;
	session__end(&sess);
	stack_run__finish(&r.sr);
	if (build_profile(&r))
		goto out;
	ferr = outputs__write(&r.out, r.prof);
	if (log_level >= LOG_NORMAL && print_report(&r))
		goto out;
	if (ferr)
		goto out;
	status = session__exit_status(&sess);
out:
	run_free(&r);
	return status;
}

/* ---- the engine, for serve ------------------------------------------------ */

struct offrun *offcpu_engine_open(struct session *sess, const struct common_opts *c,
				  const struct stack_opts *so)
{
	struct run *r = calloc(1, sizeof(*r));

	if (!r) {
		p_err("out of memory");
		return NULL;
	}
	r->sess = sess;
	r->o.c = *c;		/* borrowed: the caller's options outlive us */
	r->o.s = *so;
	r->o.max_block_ns = UINT64_MAX;
	r->o.state_mask = (1U << OFFCPU_ON_CPU) - 1;
	r->o.states = "any";
	r->o.stack_map_size = OFFCPU_DEFAULT_STACK_MAP_SIZE;
	r->o.counts_map_size = OFFCPU_DEFAULT_COUNTS_MAP_SIZE;
	r->o.threads_map_size = OFFCPU_DEFAULT_THREADS_MAP_SIZE;
	r->store = calloc(1, sizeof(*r->store));
	r->bufn = 1024;
	r->kbuf = calloc(r->bufn, sizeof(*r->kbuf));
	r->vbuf = calloc(r->bufn, sizeof(*r->vbuf));
	r->tbuf = calloc(r->bufn, sizeof(*r->tbuf));
	r->sbuf = calloc(r->bufn, sizeof(*r->sbuf));
	if (!r->store || !r->kbuf || !r->vbuf || !r->tbuf || !r->sbuf) {
		p_err("out of memory");
		goto fail;
	}
	if (load_bpf(r) || stack_run__open(&r->sr, r->skel->obj, sess, c, so) ||
	    stack_run__follow(&r->sr, r->skel->maps.targets))
		goto fail;
	r->store->fd = r->sr.stacks_fd;
	r->store->map_size = r->o.stack_map_size;
	stack_run__add_pids(&r->sr, c->pids, c->npids);
	r->skel->bss->armed = true;
	if (offcpu_bpf__attach(r->skel)) {
		p_err("cannot attach the scheduler programs: %s", strerror(errno));
		goto fail;
	}
	return (struct offrun *)r;
fail:
	offcpu_engine_free((struct offrun *)r);
	return NULL;
}

struct stack_run *offcpu_engine_stacks(struct offrun *e)
{
	return &((struct run *)e)->sr;
}

int offcpu_engine_drain(struct offrun *e, struct tally *const *tallies, size_t n,
			uint64_t tick)
{
	struct run *r = (struct run *)e;
	int fd = bpf_map__fd(r->skel->maps.counts);
	__u32 batch = 0, count, i;
	void *in = NULL;
	size_t t;
	int err;

	for (;;) {
		count = (__u32)r->bufn;
		err = bpf_map_lookup_and_delete_batch(fd, in, &batch, r->kbuf, r->vbuf,
						      &count, NULL);
		if (err && errno != ENOENT)
			return -errno;
		for (i = 0; i < count; i++) {
			const struct offcpu_key *k = &r->kbuf[i];

			r->state_ns[k->state % OFFCPU_STATE__MAX] += r->vbuf[i].ns;
			if (stack_store__copy(r->store, k->user_stack, tick) ||
			    stack_store__copy(r->store, k->kern_stack, tick))
				return -ENOMEM;
			for (t = 0; t < n; t++)
				if (tally_add(tallies[t], k, sizeof(*k), r->vbuf[i].ns,
					      r->vbuf[i].count))
					return -ENOMEM;
		}
		if (err)
			return 0;	/* ENOENT: the last batch */
		in = &batch;
	}
}

/*
 * A thread off CPU now holds the stacks its time will be counted under when
 * it runs again, maybe hours from now: each is copied (if new) and marked
 * named now, so that the store keeps it while the wait lasts.  Read, not
 * drained: the kernel still needs the entries.
 */
static void hold_waiting_stacks(struct run *r, uint64_t tick)
{
	int fd = bpf_map__fd(r->skel->maps.starts);
	__u32 batch = 0, count, i;
	void *in = NULL;
	int err;

	for (;;) {
		count = (__u32)r->bufn;
		err = bpf_map_lookup_batch(fd, in, &batch, r->tbuf, r->sbuf, &count, NULL);
		if (err && errno != ENOENT)
			return;
		for (i = 0; i < count; i++) {
			const struct offcpu_key *k = &r->sbuf[i].key;

			if (stack_store__copy(r->store, k->user_stack, tick) ||
			    stack_store__copy(r->store, k->kern_stack, tick) ||
			    stack_store__copy(r->store, k->waker.user_stack, tick) ||
			    stack_store__copy(r->store, k->waker.kern_stack, tick))
				return;
		}
		if (err)
			return;
		in = &batch;
	}
}

void offcpu_engine_maintain(struct offrun *e, uint64_t tick, uint64_t horizon)
{
	struct run *r = (struct run *)e;

	hold_waiting_stacks(r, tick);
	stack_store__maintain(r->store, tick, horizon);
}

void offcpu_engine_state_ns(const struct offrun *e, uint64_t *ns)
{
	const struct run *r = (const struct run *)e;

	memcpy(ns, r->state_ns, sizeof(r->state_ns));
}

const char *offcpu_state_letter(unsigned int state)
{
	return states[state % OFFCPU_STATE__MAX].letter;
}

struct profile *offcpu_engine_profile(struct offrun *e, const struct tally *t,
				      double seconds, const char *target,
				      const char *what)
{
	struct run *r = (struct run *)e;
	struct profile *p = profile__new();
	struct timespec now;
	char title[400];
	size_t i;

	r->prof = p;
	if (!p || profile__add_type(p, "off_cpu", "nanoseconds") < 0 ||
	    profile__add_type(p, "blocks", "count") < 0)
		goto oom;
	p->folded_scale = 1000;
	p->duration_ns = (int64_t)(seconds * 1e9);
	clock_gettime(CLOCK_REALTIME, &now);
	p->time_ns = now.tv_sec * 1000000000LL + now.tv_nsec - p->duration_ns;
	snprintf(title, sizeof(title), "profiler offcpu: states any, %s, %s", target,
		 what);
	if (profile__str(p, title) < 0 || profile__str(p, "offcpu") < 0)
		goto oom;
	p->title = profile__str(p, title);
	p->mode = profile__str(p, "offcpu");
	for (i = 0; i < t->n; i++)
		if (add_key(r, tally_key(t, i), t->v[i][0], t->v[i][1], false))
			goto oom;
	r->prof = NULL;
	return p;
oom:
	r->prof = NULL;
	profile__free(p);
	return NULL;
}

void offcpu_engine_free(struct offrun *e)
{
	struct run *r = (struct run *)e;

	if (!r)
		return;
	stack_run__free(&r->sr);
	offcpu_bpf__destroy(r->skel);
	if (r->store)
		stack_store__free(r->store);
	free(r->store);
	free(r->kbuf);
	free(r->vbuf);
	free(r->tbuf);
	free(r->sbuf);
	free(r);
}

int cmd_offcpu(int argc, char **argv)
{
	return run_mode(argc, argv, false);
}

int cmd_wall(int argc, char **argv)
{
	return run_mode(argc, argv, true);
}

/* ---- options --------------------------------------------------------- */

enum {
	OFF_OPT_MIN_BLOCK = CLI_OPT_MODE,
	OFF_OPT_MAX_BLOCK,
	OFF_OPT_STATE,
	OFF_OPT_WAKERS,
	OFF_OPT_STACK_MAP_SIZE,
	OFF_OPT_COUNTS_MAP_SIZE,
	OFF_OPT_THREADS_MAP_SIZE,
};

static const struct option offcpu_long[] = {
	{ "frequency",		required_argument, NULL, 'F' },
	{ "user-only",		no_argument,	   NULL, 'U' },
	{ "kernel-only",	no_argument,	   NULL, 'K' },
	{ "min-block",		required_argument, NULL, OFF_OPT_MIN_BLOCK },
	{ "max-block",		required_argument, NULL, OFF_OPT_MAX_BLOCK },
	{ "state",		required_argument, NULL, OFF_OPT_STATE },
	{ "wakers",		no_argument,	   NULL, OFF_OPT_WAKERS },
	{ "stack-map-size",	required_argument, NULL, OFF_OPT_STACK_MAP_SIZE },
	{ "counts-map-size",	required_argument, NULL, OFF_OPT_COUNTS_MAP_SIZE },
	{ "threads-map-size",	required_argument, NULL, OFF_OPT_THREADS_MAP_SIZE },
	STACK_LONG_OPTIONS,
};

static void common_usage(FILE *out)
{
	fprintf(out,
"  -U, --user-only           collect user stacks only\n"
"  -K, --kernel-only         collect kernel stacks only\n"
"      --stack-map-size N    distinct stacks kept in the kernel (default %d)\n"
"      --counts-map-size N   distinct (thread, stacks, state) keys (default %d)\n"
"      --threads-map-size N  threads off CPU at once (default %d)\n",
		OFFCPU_DEFAULT_STACK_MAP_SIZE, OFFCPU_DEFAULT_COUNTS_MAP_SIZE,
		OFFCPU_DEFAULT_THREADS_MAP_SIZE);
	stack_opts__usage(out);
	fprintf(out,
"\n"
"Output:\n"
"      --top N               rows in each table (default 10)\n");
	outputs__usage(out);
	fprintf(out,
"                            (--folded weights are microseconds)\n"
"      --debug-dir DIR, --no-inline, --no-demangle   as for cpu\n"
"  -q, --quiet               errors only\n"
"  -v, --verbose             libbpf and debug messages\n"
"  -h, --help                this help\n");
}

void offcpu_usage(FILE *out)
{
	fprintf(out,
"Usage: profiler offcpu [-p PID[,PID...] | -- COMMAND [ARGS...]] [OPTIONS]\n"
"\n"
"Where threads wait: at every context switch of a target thread, the time\n"
"until it runs again is added, in the kernel, to its user and kernel stacks\n"
"and its state (sleeping, disk, preempted...).  Without -p or COMMAND:\n"
"every thread on the machine.  Needs root.\n"
"\n"
"Targets:\n"
"  -p, --pid PID[,PID...]    these processes (all threads, and their children)\n"
"  -- COMMAND [ARGS...]      start COMMAND, trace it until it exits\n"
"  -d, --duration SECONDS    stop after SECONDS (default: Ctrl-C or exit)\n"
"\n"
"Off-CPU periods:\n"
"      --min-block DUR       only periods at least DUR long (250us, 1ms, 2s;\n"
"                            a bare number is microseconds)\n"
"      --max-block DUR       only periods at most DUR long\n"
"      --state STATES        which: any (default), or letters of R (preempted,\n"
"                            runnable), S (sleeping), D (uninterruptible),\n"
"                            T (stopped), I (idle), e.g. 'S' or 'SD'\n"
"      --wakers              also who woke each thread: its stack above the\n"
"                            waiting one (\"--\" between), and a table of\n"
"                            waiting <- waker pairs\n");
	common_usage(out);
	fprintf(out,
"\n"
"Examples:\n"
"  profiler offcpu -p 1234 -d 10             where its threads wait\n"
"  profiler offcpu -p 1234 --state D --min-block 1ms --svg io.svg\n"
"  profiler offcpu -p 1234 --wakers -d 5 --folded wake.folded\n");
}

void wall_usage(FILE *out)
{
	fprintf(out,
"Usage: profiler wall [-p PID[,PID...] | -- COMMAND [ARGS...]] [OPTIONS]\n"
"\n"
"Where wall-clock time goes, thread by thread: on-CPU samples (each worth\n"
"its period) and off-CPU time in one profile, in nanoseconds, so that each\n"
"thread's share is its share of the threads' wall time.  Off-CPU stacks are\n"
"drawn in cold colours in the SVG.  Needs root.\n"
"\n"
"Targets:\n"
"  -p, --pid PID[,PID...]    these processes (all threads, and their children)\n"
"  -- COMMAND [ARGS...]      start COMMAND, profile it until it exits\n"
"  -d, --duration SECONDS    stop after SECONDS (default: Ctrl-C or exit)\n"
"\n"
"Sampling:\n"
"  -F, --frequency HZ        on-CPU samples per second per CPU (default 199)\n");
	common_usage(out);
	fprintf(out,
"\n"
"Examples:\n"
"  profiler wall -p 1234 -d 10 --svg wall.svg\n");
}

/* "any", or letters of enum offcpu_state: a mask; 0 if malformed. */
static uint32_t parse_states(const char *s)
{
	uint32_t mask = 0;
	int i;

	if (!strcmp(s, "any"))
		return (1U << OFFCPU_ON_CPU) - 1;
	for (; *s; s++) {
		for (i = 0; i < OFFCPU_OTHER; i++)
			if (*s == states[i].letter[0])
				break;
		if (i == OFFCPU_OTHER)
			return 0;
		mask |= 1U << i;
	}
	return mask;
}

static enum cli_result parse_opt(int c, const char *arg, void *mode)
{
	struct offcpu_opts *o = mode;

	switch (c) {
	case 'F':
		if (!o->wall)
			break;
		return cli_parse_freq(arg, &o->freq);
	case 'U':
		o->user_only = true;
		return CLI_OK;
	case 'K':
		o->kernel_only = true;
		return CLI_OK;
	case OFF_OPT_MIN_BLOCK:
	case OFF_OPT_MAX_BLOCK:
		if (o->wall)
			break;
		if (parse_duration_ns(arg, c == OFF_OPT_MIN_BLOCK ? &o->min_block_ns :
							      &o->max_block_ns))
			return cli_error("invalid duration '%s' for --%s-block (e.g. "
					   "250us, 1.5ms, 2s)", arg,
					   c == OFF_OPT_MIN_BLOCK ? "min" : "max");
		return CLI_OK;
	case OFF_OPT_STATE:
		if (o->wall)
			break;
		o->state_mask = parse_states(arg);
		o->states = arg;
		if (!o->state_mask)
			return cli_error("invalid --state '%s' (expected any, or "
					   "letters of R, S, D, T, I)", arg);
		return CLI_OK;
	case OFF_OPT_WAKERS:
		if (o->wall)
			break;
		o->wakers = true;
		return CLI_OK;
	case OFF_OPT_STACK_MAP_SIZE:
		return cli_parse_size(arg, "--stack-map-size", 1 << 24, &o->stack_map_size);
	case OFF_OPT_COUNTS_MAP_SIZE:
		return cli_parse_size(arg, "--counts-map-size", 1 << 24, &o->counts_map_size);
	case OFF_OPT_THREADS_MAP_SIZE:
		return cli_parse_size(arg, "--threads-map-size", 1 << 22,
				      &o->threads_map_size);
	default:
		return stack_opts__parse(c, arg, &o->s);
	}
	return cli_error("option %s is offcpu's, not wall's", c == 'F' ? "-F" :
			 c == OFF_OPT_STATE ? "--state" : c == OFF_OPT_WAKERS ?
			 "--wakers" : "--min-block/--max-block");
}

enum cli_result offcpu_parse_args(int argc, char **argv, struct offcpu_opts *o,
				  bool wall)
{
	static const struct cli_mode offcpu_spec = {
		.help = "profiler offcpu --help",
		.groups = CLI_ALL,
		.shortopts = "UK",
		.longopts = offcpu_long,
		.nlong = sizeof(offcpu_long) / sizeof(offcpu_long[0]),
		.parse = parse_opt,
		.usage = offcpu_usage,
	};
	static const struct cli_mode wall_spec = {
		.help = "profiler wall --help",
		.groups = CLI_ALL,
		.shortopts = "F:UK",
		.longopts = offcpu_long,
		.nlong = sizeof(offcpu_long) / sizeof(offcpu_long[0]),
		.parse = parse_opt,
		.usage = wall_usage,
	};
	enum cli_result r;

	memset(o, 0, sizeof(*o));
	o->wall = wall;
	o->freq = 199;
	o->max_block_ns = UINT64_MAX;
	o->state_mask = (1U << OFFCPU_ON_CPU) - 1;
	o->states = "any";
	o->stack_map_size = OFFCPU_DEFAULT_STACK_MAP_SIZE;
	o->counts_map_size = OFFCPU_DEFAULT_COUNTS_MAP_SIZE;
	o->threads_map_size = OFFCPU_DEFAULT_THREADS_MAP_SIZE;
	stack_opts__defaults(&o->s);
	r = cli_parse(argc, argv, &o->c, wall ? &wall_spec : &offcpu_spec, o);
	if (r != CLI_OK)
		return r;
	if (o->user_only && o->kernel_only)
		return cli_error("-U and -K exclude each other");
	if (o->min_block_ns > o->max_block_ns)
		return cli_error("--min-block is above --max-block");
	return CLI_OK;
}
