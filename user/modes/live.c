// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cpu.skel.h"
#include "lib/array.h"
#include "lib/hashmap.h"
#include "lib/log.h"
#include "model/profile.h"
#include "modes/live.h"
#include "probes/bpfutil.h"

/* ---- tallies ------------------------------------------------------------ */

int tally_add(struct tally *t, const void *key, size_t ksize, uint64_t a,
	      uint64_t b)
{
	uint64_t h = hash_bytes(HASH_SEED, key, ksize), i;

	if (!t->index && !(t->index = u64map__new()))
		return -ENOMEM;
	if (!t->ksize)
		t->ksize = ksize;
	if (t->ksize != ksize)
		return -EINVAL;
	for (;; h++) {
		if (!u64map__get(t->index, h, &i))
			break;
		if (!memcmp(tally_key(t, i - 1), key, ksize)) {
			t->v[i - 1][0] += a;
			t->v[i - 1][1] += b;
			return 0;
		}
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 256;
		unsigned char *keys = realloc(t->keys, cap * ksize);
		uint64_t (*v)[2];

		if (!keys)
			return -ENOMEM;
		t->keys = keys;
		v = realloc(t->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	if (u64map__set(t->index, h, t->n + 1))
		return -ENOMEM;
	memcpy(t->keys + t->n * ksize, key, ksize);
	t->v[t->n][0] = a;
	t->v[t->n][1] = b;
	t->n++;
	return 0;
}

int tally_merge(struct tally *dst, const struct tally *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		if (tally_add(dst, tally_key(src, i), src->ksize, src->v[i][0],
			      src->v[i][1]))
			return -ENOMEM;
	return 0;
}

uint64_t tally_total(const struct tally *t)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < t->n; i++)
		sum += t->v[i][0];
	return sum;
}

void tally_free(struct tally *t)
{
	u64map__free(t->index);
	free(t->keys);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/* ---- the stack store ---------------------------------------------------- */

static struct stack_stored *store_get(const struct stack_store *s, uint64_t hash)
{
	uint64_t i;

	return s->index && u64map__get(s->index, hash, &i) ? &s->v[i - 1] : NULL;
}

const struct stack_trace *stack_store__get(const struct stack_store *s,
					   uint64_t hash)
{
	const struct stack_stored *e = hash ? store_get(s, hash) : NULL;

	return e ? e->st : NULL;
}

int stack_store__copy(struct stack_store *s, uint64_t hash, uint64_t tick)
{
	struct stack_stored *e;
	struct stack_trace st;
	size_t size;

	if (!hash)
		return 0;
	e = store_get(s, hash);
	if (e) {
		/* Named again: a dying stack lives on (its kernel copy may
		 * be gone; a later sample puts it back). */
		e->last = tick;
		e->dying = false;
		return 0;
	}
	if (bpf_map_lookup_elem(s->fd, &hash, &st))
		return 0;	/* gone: named "[stack lost]" */
	if (st.depth > PROF_MAX_STACK_DEPTH)
		st.depth = PROF_MAX_STACK_DEPTH;
	if ((!s->index && !(s->index = u64map__new())) ||
	    (s->n == s->cap &&
	     array_reserve((void **)&s->v, s->n + 1, &s->cap, sizeof(*s->v))))
		return -ENOMEM;
	size = offsetof(struct stack_trace, ips) + st.depth * sizeof(st.ips[0]);
	e = &s->v[s->n];
	e->st = malloc(size);
	if (!e->st || u64map__set(s->index, hash, s->n + 1)) {
		free(e->st);
		return -ENOMEM;
	}
	memcpy(e->st, &st, size);
	e->hash = hash;
	e->last = tick;
	e->dying = false;
	s->n++;
	/*
	 * The store has it now: the kernel's copy goes at once, so that the
	 * kernel's map holds only stacks not copied yet and those sampled
	 * again since (which are stored).  A count taken meanwhile that names
	 * it finds it here.
	 */
	bpf_map_delete_elem(s->fd, &hash);
	return 0;
}

/* Entry i leaves: the last entry takes its place. */
static void store_remove(struct stack_store *s, size_t i)
{
	u64map__del(s->index, s->v[i].hash);
	free(s->v[i].st);
	if (i != s->n - 1) {
		s->v[i] = s->v[s->n - 1];
		/* Cannot fail: the key is there, only its value changes. */
		u64map__set(s->index, s->v[i].hash, i + 1);
	}
	s->n--;
}

/*
 * Stacks unnamed for horizon ticks go in two steps.  First they are marked
 * dying and their kernel copies deleted; a count drained at the next tick
 * may still name one (taken after the last drain, when the kernel's copy
 * was still there) and finds it here.  At the next pass a stack still dying
 * goes: any count taken since its kernel copy went has put a new copy in
 * the kernel's map.
 */
static void store_gc(struct stack_store *s, uint64_t tick, uint64_t horizon)
{
	size_t i = 0;

	while (i < s->n) {
		struct stack_stored *e = &s->v[i];

		if (tick - e->last <= horizon) {
			i++;
		} else if (e->dying) {
			store_remove(s, i);
			s->dropped++;
		} else {
			e->dying = true;
			bpf_map_delete_elem(s->fd, &e->hash);
			i++;
		}
	}
}

/*
 * Delete from the kernel's stack map every stack the store holds: a safety
 * net, when the map is half full anyway (stacks sampled again after their
 * copy, under a long horizon); stacks not stored yet stay.
 */
static void trim_kernel_stacks(struct stack_store *s)
{
	__u64 key, next, *prev = NULL;
	uint64_t steps = 0;

	/* A deleted key may send the walk back to the start: bounded. */
	while (steps++ <= s->map_size &&
	       bpf_map_get_next_key(s->fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (store_get(s, key) && bpf_map_delete_elem(s->fd, &key) == 0)
			s->kernel_entries--;
	}
	s->trims++;
}

void stack_store__maintain(struct stack_store *s, uint64_t tick, uint64_t horizon)
{
	store_gc(s, tick, horizon);
	if (tick % (s->count_every ? s->count_every : 10) == 0) {
		/* The kernel map's size, counted now and then (a walk). */
		s->kernel_entries = map_count_entries(s->fd, s->map_size);
		if (s->kernel_entries >= s->map_size / 2)
			trim_kernel_stacks(s);
	}
}

void stack_store__free(struct stack_store *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].st);
	free(s->v);
	u64map__free(s->index);
	memset(s, 0, sizeof(*s));
}

void live__maintain(struct live *l, uint64_t horizon)
{
	stack_store__maintain(&l->store, l->tick, horizon);
}

/* ---- the engine ---------------------------------------------------------- */

int live__open(struct live *l, struct session *sess, const struct live_opts *o)
{
	struct cpu_bpf *skel = cpu_bpf__open();
	int err;

	memset(l, 0, sizeof(*l));
	l->stats_fd = -1;
	l->freq = o->freq;
	l->stack_map_size = o->stack_map_size;
	if (!skel) {
		p_err("cannot open the BPF object: %s", strerror(errno));
		return -1;
	}
	l->skel = skel;
	skel->rodata->filter_targets = sess->ntargets > 0;
	skel->rodata->unwind_mode = o->s->unwind;
	bpf_map__set_max_entries(skel->maps.stacks, o->stack_map_size);
	bpf_map__set_max_entries(skel->maps.counts, o->counts_map_size);
	err = cpu_bpf__load(skel);
	if (err) {
		report_load_error(err);
		return -1;
	}
	l->bufn = o->counts_map_size < 4096 ? o->counts_map_size : 4096;
	l->kbuf = calloc(l->bufn, sizeof(*l->kbuf));
	l->vbuf = calloc(l->bufn, sizeof(*l->vbuf));
	if (!l->kbuf || !l->vbuf) {
		p_err("out of memory");
		return -1;
	}
	if (o->bpf_stats) {
		l->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (l->stats_fd < 0)
			p_dbg("BPF run-time stats unavailable: %s", strerror(errno));
	}
	if (stack_run__open(&l->sr, skel->obj, sess, o->c, o->s) ||
	    stack_run__follow(&l->sr, skel->maps.targets))
		return -1;
	l->store.fd = l->sr.stacks_fd;
	l->store.map_size = o->stack_map_size;
	stack_run__add_pids(&l->sr, o->c->pids, o->c->npids);
	if (cpu_bpf__attach(skel)) {
		p_err("cannot attach the process-tracking programs: %s", strerror(errno));
		return -1;
	}
	return stack_run__sample(&l->sr, skel->progs.cpu_sample, o->freq, false);
}

int live__drain(struct live *l, struct tally *const *tallies, size_t n)
{
	int fd = bpf_map__fd(l->skel->maps.counts);
	__u32 batch = 0, count, i;
	void *in = NULL;
	size_t t;
	int err;

	l->tick++;
	l->drained = 0;
	for (;;) {
		count = (__u32)l->bufn;
		err = bpf_map_lookup_and_delete_batch(fd, in, &batch, l->kbuf, l->vbuf,
						      &count, NULL);
		if (err && errno != ENOENT)
			return -errno;
		l->drained += count;
		for (i = 0; i < count; i++) {
			if (stack_store__copy(&l->store, l->kbuf[i].user_stack, l->tick) ||
			    stack_store__copy(&l->store, l->kbuf[i].kern_stack, l->tick))
				return -ENOMEM;
			for (t = 0; t < n; t++)
				if (tally_add(tallies[t], &l->kbuf[i], sizeof(l->kbuf[i]),
					      l->vbuf[i], 0))
					return -ENOMEM;
		}
		if (err)
			return 0;	/* ENOENT: the last batch */
		in = &batch;
	}
}

struct profile *live__profile(struct live *l, const struct tally *t,
			      double seconds, const char *target, const char *what)
{
	static uint32_t locs[2 * STACK_RUN_MAX_LOCS + 1];
	struct profile *p = profile__new();
	char title[400], comm[PROF_COMM_LEN + 1];
	struct timespec now;
	size_t i;

	if (!p || profile__add_type(p, "samples", "count") < 0 ||
	    profile__add_type(p, "cpu", "nanoseconds") < 0)
		goto oom;
	p->period_type = p->types[1];
	p->period = 1000000000LL / l->freq;
	p->duration_ns = (int64_t)(seconds * 1e9);
	clock_gettime(CLOCK_REALTIME, &now);
	p->time_ns = now.tv_sec * 1000000000LL + now.tv_nsec - p->duration_ns;
	snprintf(title, sizeof(title), "profiler cpu: cpu-clock at %llu Hz, %s, %s",
		 (unsigned long long)l->freq, target, what);
	if (profile__str(p, title) < 0 || profile__str(p, "cpu") < 0)
		goto oom;
	p->title = profile__str(p, title);
	p->mode = profile__str(p, "cpu");
	for (i = 0; i < t->n; i++) {
		const struct cpu_key *k = tally_key(t, i);
		const struct stack_trace *ks = stack_store__get(&l->store, k->kern_stack);
		const struct stack_trace *us = stack_store__get(&l->store, k->user_stack);
		int64_t values[2] = { (int64_t)t->v[i][0],
				      (int64_t)t->v[i][0] * p->period };
		uint32_t n, j;

		n = stack_run__kernel_ips(&l->sr, p, ks, k->kern_err ? k->kern_err :
					  k->kern_stack && !ks ? -ENOENT : 0, locs);
		n += stack_run__user_ips(&l->sr, p, k->tgid, k->gen, us,
					 k->user_err ? k->user_err :
					 k->user_stack && !us ? -ENOENT : 0, locs + n);
		for (j = 0; j < n; j++)
			if (!locs[j])
				goto oom;
		memcpy(comm, k->comm, PROF_COMM_LEN);
		comm[PROF_COMM_LEN] = '\0';
		if (profile__add_sample(p, locs, n, k->tgid, comm, values))
			goto oom;
	}
	return p;
oom:
	profile__free(p);
	return NULL;
}

void live__stop(struct live *l)
{
	stack_run__stop_sampling(&l->sr);
}

void live__free(struct live *l)
{
	stack_run__free(&l->sr);
	cpu_bpf__destroy(l->skel);
	if (l->stats_fd >= 0)
		close(l->stats_fd);
	stack_store__free(&l->store);
	free(l->kbuf);
	free(l->vbuf);
	memset(l, 0, sizeof(*l));
	l->stats_fd = -1;
}
