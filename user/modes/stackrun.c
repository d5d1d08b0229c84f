// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/hashmap.h"
#include "lib/log.h"
#include "model/profile.h"
#include "modes/stackrun.h"
#include "symbols/pyframes.h"
#include "run/sysinfo.h"
#include "python.h"
#include "stack.h"

/* A process's first sample (or first after an exec): read its maps now,
 * before it can exit. */
static int on_event(void *ctx, void *data, size_t len)
{
	struct stack_run *sr = ctx;
	const struct prof_event *e = data;
	struct timespec t0, t1;
	int err;

	if (len < sizeof(*e) || e->kind != EVENT_NEW_PROCESS)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = symbolizer__add_process(sr->sym, e->tgid, e->gen);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (err)
		p_dbg("maps of process %u unreadable: %s", e->tgid, strerror(-err));
	else
		p_dbg("process %u: first sample %.1f ms after start (%.1f ms "
		      "after launch), maps read in %.2f ms", e->tgid,
		      ns_between(&sr->sess->start, &t0) / 1e6,
		      ns_between(&sr->sess->launched, &t0) / 1e6,
		      ns_between(&t0, &t1) / 1e6);
	return 0;
}

int stack_run__open(struct stack_run *sr, struct bpf_object *obj,
		    struct session *sess, const struct common_opts *c,
		    const struct stack_opts *s)
{
	struct symbolizer_opts so = {
		.no_inline = c->no_inline,
		.no_demangle = c->no_demangle,
		.debug_dirs = c->debug_dirs,
	};
	struct unwinder_opts uo = {
		.mode = s->unwind,
		.max_bytes = (size_t)s->unwind_max_mb << 20,
		.launched = &sess->launched,
		.debug_dirs = c->debug_dirs,
	};
	struct bpf_map *events = bpf_object__find_map_by_name(obj, "events");
	struct bpf_map *stacks = bpf_object__find_map_by_name(obj, "stacks");
	int err;

	memset(sr, 0, sizeof(*sr));
	sr->sess = sess;
	sr->unwind_mode = s->unwind;
	if (!events || !stacks) {
		p_err("the BPF object has no events or stacks map");
		return -1;
	}
	sr->stacks_fd = bpf_map__fd(stacks);
	sr->sym_opts = so;
	sr->sym = symbolizer__new(&so);
	sr->events = ring_buffer__new(bpf_map__fd(events), on_event, sr, NULL);
	if (!s->no_python && s->unwind != UNWIND_MODE_FP)
		sr->py = pyframes__new();
	if (!sr->sym || !sr->events ||
	    (!s->no_python && s->unwind != UNWIND_MODE_FP && !sr->py)) {
		p_err("out of memory");
		return -1;
	}
	symbolizer__set_python(sr->sym, sr->py);
	uo.pyframes = sr->py;
	sr->unw = unwinder__open(obj, &uo);
	if (!sr->unw)
		return -1;
	err = unwinder__listen(sr->unw, &sr->events);
	if (err) {
		p_err("cannot listen to the unwinder's requests: %s", strerror(-err));
		return -1;
	}
	return 0;
}

int stack_run__follow(struct stack_run *sr, struct bpf_map *targets)
{
	int fd = bpf_map__fd(targets), i;
	struct proc_state st = {};

	for (i = 0; i < sr->sess->ntargets; i++) {
		__u32 pid = session__target(sr->sess, i);

		if (bpf_map_update_elem(fd, &pid, &st, BPF_ANY)) {
			p_err("cannot add process %u to the target map: %s", pid,
			      strerror(errno));
			return -1;
		}
	}
	return 0;
}

int stack_run__renew_symbolizer(struct stack_run *sr, const pid_t *pids, int n)
{
	struct symbolizer *sym = symbolizer__new(&sr->sym_opts);
	int i;

	if (!sym)
		return -ENOMEM;
	symbolizer__free(sr->sym);
	sr->sym = sym;
	symbolizer__set_python(sym, sr->py);
	for (i = 0; i < n; i++)
		symbolizer__add_process(sym, pids[i], 0);
	return 0;
}

static void forget_pid(void *ctx, pid_t pid)
{
	unwinder__forget(ctx, pid);
}

size_t stack_run__sweep(struct stack_run *sr, uint64_t now, uint64_t before)
{
	return symbolizer__sweep(sr->sym, now, before, forget_pid, sr->unw);
}

void stack_run__add_pids(struct stack_run *sr, const pid_t *pids, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		symbolizer__add_process(sr->sym, pids[i], 0);
		unwinder__add_process(sr->unw, pids[i]);
	}
}

void stack_run__serve_events(struct stack_run *sr)
{
	unwinder__serve(sr->unw, sr->events);
}

bool stack_run__busy(const struct stack_run *sr)
{
	return unwinder__pending(sr->unw);
}

static void on_fd(void *ctx)
{
	stack_run__serve_events(ctx);
}

/* New processes first (their maps must be read before they exit), then
 * one process's unwind tables (more wait: the loop comes back at once,
 * signals and new processes checked in between). */
static bool pending(void *ctx)
{
	return stack_run__busy(ctx);
}

void stack_run__hooks(struct stack_run *sr, struct session_hooks *h)
{
	h->fd = ring_buffer__epoll_fd(sr->events);
	h->on_fd = on_fd;
	h->pending = pending;
	h->ctx = sr;
}

/* A signal after the run cuts naming short (symbolizer__stop_when). */
static bool interrupted(void *ctx)
{
	struct stack_run *sr = ctx;

	return session__interrupted(sr->sess);
}

void stack_run__finish(struct stack_run *sr)
{
	struct unwinder_stats st;

	symbolizer__stop_when(sr->sym, interrupted, sr);
	ring_buffer__consume(sr->events);
	if (sr->py) {
		struct pyframes_stats ps;

		pyframes__stats(sr->py, &ps);
		p_dbg("python: %llu processes with an interpreter, %llu code "
		      "objects read while they ran, %llu found replaced by "
		      "another at their address", (unsigned long long)ps.processes,
		      (unsigned long long)ps.prefetched,
		      (unsigned long long)ps.reused);
	}
	if (!sr->unw || sr->unwind_mode == UNWIND_MODE_FP)
		return;
	unwinder__stats(sr->unw, &st);
	p_dbg("unwind: %zu processes loaded, %zu tables (%zu rows, %zu shards, "
	      "%.1f MiB), %zu files without CFI, %zu unreadable, %zu over the "
	      "memory ceiling, %zu over the page index, built in %.1f ms",
	      st.processes, st.tables, st.rows, st.shards, st.bytes / 1048576.0,
	      st.no_cfi, st.failed, st.over_ceiling, st.pages_full,
	      st.build_ns / 1e6);
}

int stack_run__add_unnamed(struct stack_run *sr, struct profile *p)
{
	struct symbolizer_stats st;

	symbolizer__stats(sr->sym, &st);
	if (!st.unnamed)
		return 0;
	return profile__add_truncation(p, "addresses not named: naming stopped "
				       "by a signal", "shown as module+offset",
				       st.unnamed);
}

/* ---- sampling events --------------------------------------------------- */

static long perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu)
{
	return syscall(SYS_perf_event_open, attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

/* Say why an event could not be opened, in one line. */
static void open_failed(int err, bool cycles, uint64_t freq, const char *where)
{
	if (cycles && (err == ENOENT || err == EOPNOTSUPP || err == ENODEV))
		p_err("event 'cycles' is not available on this machine "
		      "(no hardware PMU): use --event cpu-clock");
	else if (err == EINVAL)
		p_err("cannot sample at %llu Hz %s: above "
		      "kernel.perf_event_max_sample_rate? Lower -F",
		      (unsigned long long)freq, where);
	else
		p_err("perf_event_open %s failed: %s", where, strerror(err));
}

/* Room for need more in perf_links/perf_fds; 0 or -ENOMEM. */
static int grow_events(struct stack_run *sr, int *cap, int need)
{
	struct bpf_link **links;
	int *fds, ncap;

	if (sr->nperf + need <= *cap)
		return 0;
	ncap = *cap ? 2 * *cap : 64;
	while (ncap < sr->nperf + need)
		ncap *= 2;
	links = realloc(sr->perf_links, ncap * sizeof(*links));
	if (!links)
		return -ENOMEM;
	sr->perf_links = links;
	fds = realloc(sr->perf_fds, ncap * sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	sr->perf_fds = fds;
	*cap = ncap;
	return 0;
}

/* One sampling event per online CPU: every task on the machine. */
static int sample_cpus(struct stack_run *sr, struct bpf_program *prog,
		       struct perf_event_attr *attr, bool cycles)
{
	bool *online;
	int ncpus, cpu, cap = 0;
	char where[32];

	online = sys_online_cpus(&ncpus);
	if (!online) {
		p_err("cannot read the online CPUs from /sys/devices/system/cpu/online: %s",
		      strerror(errno));
		return -1;
	}
	for (cpu = 0; cpu < ncpus; cpu++) {
		struct bpf_link *link;
		int fd;

		if (!online[cpu])
			continue;
		snprintf(where, sizeof(where), "on CPU %d", cpu);
		if (grow_events(sr, &cap, 1)) {
			free(online);
			p_err("out of memory");
			return -1;
		}
		fd = perf_event_open(attr, -1, cpu);
		if (fd < 0) {
			int err = errno;

			free(online);
			open_failed(err, cycles, attr->sample_freq, where);
			return -1;
		}
		link = bpf_program__attach_perf_event(prog, fd);
		if (!link) {
			int err = errno;

			close(fd);
			free(online);
			p_err("cannot attach the sampling program on CPU %d: %s",
			      cpu, strerror(err));
			return -1;
		}
		sr->perf_fds[sr->nperf] = fd;
		sr->perf_links[sr->nperf++] = link;
	}
	free(online);
	return 0;
}

/*
 * Room for n descriptors of events within half the limit of open files (the
 * rest for the files the symbolizer reads): the soft limit raised to the
 * hard one, and the hard one too where allowed (CAP_SYS_RESOURCE).  false:
 * not that many.
 */
static bool room_for_fds(size_t n)
{
	struct rlimit rl;
	size_t want = 2 * n;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return false;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want)
		return true;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want)
		rl.rlim_max = want;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		/* Without CAP_SYS_RESOURCE: up to the hard limit only. */
		getrlimit(RLIMIT_NOFILE, &rl);
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	getrlimit(RLIMIT_NOFILE, &rl);
	return rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want;
}

/*
 * Open and arm the event of thread tid (attr: inherited by the threads and
 * processes it creates from now on).  0; 1: the thread is gone; -errno.
 * The program is set with the ioctl, not a BPF link: closing the
 * descriptor detaches, and there is no link descriptor to keep.
 */
static int open_thread(struct stack_run *sr, struct bpf_program *prog,
		       struct perf_event_attr *attr, pid_t tid, int *cap)
{
	struct perf_event_attr dummy = {
		.size = sizeof(dummy),
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_DUMMY,
	};
	int fd, dfd, err;

	/*
	 * First an event the thread's children do not inherit.  Without it
	 * the kernel takes a child's events for a clone of the parent's and,
	 * when the two switch on a CPU, swaps the contexts instead of
	 * switching the events: the event opened here then leaves with the
	 * child and ends with it, and the children created after inherit it
	 * switched off (a shell starting commands was sampled at a tenth of
	 * its CPU time).
	 */
	if (grow_events(sr, cap, 2))
		return -ENOMEM;
	dfd = perf_event_open(&dummy, tid, -1);
	if (dfd < 0)
		return errno == ESRCH ? 1 : -errno;
	fd = perf_event_open(attr, tid, -1);
	if (fd < 0) {
		err = errno;
		close(dfd);
		return err == ESRCH ? 1 : -err;
	}
	if (ioctl(fd, PERF_EVENT_IOC_SET_BPF, bpf_program__fd(prog)) ||
	    ioctl(fd, PERF_EVENT_IOC_ENABLE, 0)) {
		err = errno;
		close(fd);
		close(dfd);
		return -err;
	}
	sr->perf_fds[sr->nperf] = dfd;
	sr->perf_links[sr->nperf++] = NULL;
	sr->perf_fds[sr->nperf] = fd;
	sr->perf_links[sr->nperf++] = NULL;
	return 0;
}

/*
 * One event per thread of each target, as perf record -p does, so that
 * nothing else on the machine is interrupted: threads and processes the
 * targets create later inherit it (with the program).  A thread created
 * meanwhile by a thread not armed yet shows up in the next pass over
 * /proc/PID/task; passes go on until one finds nothing new.  At most
 * STACK_RUN_MAX_THREAD_EVENTS: beyond, -E2BIG (the caller falls back to
 * per-CPU events).
 */
static int sample_threads(struct stack_run *sr, struct bpf_program *prog,
			  struct perf_event_attr *attr, bool cycles)
{
	struct u64map *armed = u64map__new();
	int cap = 0, t, pass, ret = 0;
	bool found = true;
	char where[64];
	uint64_t v;

	if (!armed) {
		p_err("out of memory");
		return -1;
	}
	attr->inherit = 1;
	attr->disabled = 1;
	for (pass = 0; found && pass < 64 && !ret; pass++) {
		found = false;
		for (t = 0; t < sr->sess->ntargets && !ret; t++) {
			pid_t pid = session__target(sr->sess, t);
			pid_t *tids = NULL;
			int n, i;

			n = sys_thread_ids(pid, &tids);
			if (n < 0)
				continue;	/* exited: the session sees it */
			/* Two descriptors per thread. */
			if (sr->nperf / 2 + n > STACK_RUN_MAX_THREAD_EVENTS ||
			    !room_for_fds((size_t)sr->nperf + 2 * n + 64))
				ret = -E2BIG;
			for (i = 0; i < n && !ret; i++) {
				int err;

				if (u64map__get(armed, (uint64_t)tids[i], &v))
					continue;
				err = open_thread(sr, prog, attr, tids[i], &cap);
				if (err < 0) {
					snprintf(where, sizeof(where), "for thread %d",
						 (int)tids[i]);
					open_failed(-err, cycles, attr->sample_freq, where);
					ret = -1;
					break;
				}
				if (u64map__set(armed, (uint64_t)tids[i], 1)) {
					p_err("out of memory");
					ret = -1;
					break;
				}
				found = true;
			}
			free(tids);
		}
	}
	u64map__free(armed);
	return ret;
}

int stack_run__sample(struct stack_run *sr, struct bpf_program *prog,
		      uint64_t freq, bool cycles)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.freq = 1,
		.sample_freq = freq,
	};
	int err;

	attr.type = cycles ? PERF_TYPE_HARDWARE : PERF_TYPE_SOFTWARE;
	attr.config = cycles ? PERF_COUNT_HW_CPU_CYCLES : PERF_COUNT_SW_CPU_CLOCK;
	if (sr->sess->ntargets == 0 || sr->per_cpu)
		return sample_cpus(sr, prog, &attr, cycles);
	err = sample_threads(sr, prog, &attr, cycles);
	if (err != -E2BIG)
		return err;
	stack_run__stop_sampling(sr);
	p_warn("too many threads for an event each (at most %d, and two "
	       "descriptors each within half the limit of open files): "
	       "sampling every CPU instead (other processes are interrupted too)",
	       STACK_RUN_MAX_THREAD_EVENTS);
	attr.inherit = 0;
	attr.disabled = 0;
	return sample_cpus(sr, prog, &attr, cycles);
}

void stack_run__stop_sampling(struct stack_run *sr)
{
	int i;

	for (i = 0; i < sr->nperf; i++) {
		/* Thread events have no link: closing detaches. */
		bpf_link__destroy(sr->perf_links[i]);
		close(sr->perf_fds[i]);
	}
	sr->nperf = 0;
}

void stack_run__free(struct stack_run *sr)
{
	stack_run__stop_sampling(sr);
	free(sr->perf_links);
	free(sr->perf_fds);
	ring_buffer__free(sr->events);
	unwinder__free(sr->unw);
	symbolizer__free(sr->sym);
	pyframes__free(sr->py);
	memset(sr, 0, sizeof(*sr));
}

/* One stored stack into st; its depth (0 if none). */
static uint32_t read_stack(struct stack_run *sr, __u64 key, struct stack_trace *st)
{
	if (!key || bpf_map_lookup_elem(sr->stacks_fd, &key, st))
		return 0;
	return st->depth;
}

static uint32_t lost(struct profile *p, __s32 err, uint32_t *locs)
{
	if (!err)
		return 0;
	locs[0] = profile__pseudo_location(p, err == -E2BIG ? "[stack lost: map full]" :
					   err == -ENOMEM ? "[stack lost: no kernel memory]" :
					   "[stack lost]");
	return 1;
}

/* Callers' ips are return addresses: the call instruction is just
 * before, and may be in another line or inlined function. */
/* The tracing plumbing that runs a program at a tracepoint: at the leaf
 * of a stack taken there, and no part of what the thread was doing. */
static bool plumbing(const struct frame *f)
{
	return (f->module && !strcmp(f->module, "[bpf]")) ||
	       (f->name && (!strncmp(f->name, "bpf_trace_run", 13) ||
			    !strncmp(f->name, "__bpf_trace_", 12) ||
			    !strncmp(f->name, "__traceiter_", 12)));
}

uint32_t stack_run__kernel_ips(struct stack_run *sr, struct profile *p,
			       const struct stack_trace *st, __s32 err,
			       uint32_t *locs)
{
	uint32_t n = st ? st->depth : 0, i, k = 0;
	bool leaf = true;
	struct frame f;

	if (n > PROF_MAX_STACK_DEPTH)
		n = PROF_MAX_STACK_DEPTH;
	for (i = 0; i < n; i++) {
		symbolizer__resolve_kernel(sr->sym, i ? st->ips[i] - 1 : st->ips[i], &f);
		if (leaf && plumbing(&f))
			continue;
		leaf = false;
		locs[k++] = profile__location(p, &f);
	}
	return k + lost(p, err, locs + k);
}

uint32_t stack_run__user_ips(struct stack_run *sr, struct profile *p, __u32 tgid,
			     __u32 gen, const struct stack_trace *st, __s32 err,
			     uint32_t *locs)
{
	struct frame fr[SYMBOLIZER_MAX_FRAMES];
	uint32_t n = st ? st->depth : 0, i, nlocs = 0;
	int k, nf;

	if (n > PROF_MAX_STACK_DEPTH)
		n = PROF_MAX_STACK_DEPTH;
	for (i = 0; i < n; i++) {
		nf = symbolizer__resolve_user(sr->sym, tgid, gen,
					      user_stack_lookup(st->ips[i], i == 0), fr,
					      SYMBOLIZER_MAX_FRAMES);
		for (k = 0; k < nf; k++)
			locs[nlocs++] = profile__location(p, &fr[k]);
	}
	if (n && st->end != UNWIND_END_OK)
		locs[nlocs++] = unwind_marker(p, st->end);
	return nlocs + lost(p, err, locs + nlocs);
}

uint32_t stack_run__kernel(struct stack_run *sr, struct profile *p, __u64 key,
			   __s32 err, uint32_t *locs)
{
	struct stack_trace st;

	if (!read_stack(sr, key, &st))
		return stack_run__kernel_ips(sr, p, NULL, err, locs);
	return stack_run__kernel_ips(sr, p, &st, err, locs);
}

uint32_t stack_run__user(struct stack_run *sr, struct profile *p, __u32 tgid,
			 __u32 gen, __u64 key, __s32 err, uint32_t *locs)
{
	struct stack_trace st;

	if (!read_stack(sr, key, &st))
		return stack_run__user_ips(sr, p, tgid, gen, NULL, err, locs);
	return stack_run__user_ips(sr, p, tgid, gen, &st, err, locs);
}
