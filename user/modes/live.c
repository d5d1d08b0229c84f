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

int tally_add(struct tally *t, const struct cpu_key *k, uint64_t count)
{
	uint64_t h = hash_bytes(HASH_SEED, k, sizeof(*k)), i;

	if (!t->index && !(t->index = u64map__new()))
		return -ENOMEM;
	for (;; h++) {
		if (!u64map__get(t->index, h, &i))
			break;
		if (!memcmp(&t->keys[i - 1], k, sizeof(*k))) {
			t->counts[i - 1] += count;
			return 0;
		}
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 256;
		struct cpu_key *keys = realloc(t->keys, cap * sizeof(*keys));
		uint64_t *counts;

		if (!keys)
			return -ENOMEM;
		t->keys = keys;
		counts = realloc(t->counts, cap * sizeof(*counts));
		if (!counts)
			return -ENOMEM;
		t->counts = counts;
		t->cap = cap;
	}
	if (u64map__set(t->index, h, t->n + 1))
		return -ENOMEM;
	t->keys[t->n] = *k;
	t->counts[t->n++] = count;
	return 0;
}

int tally_merge(struct tally *dst, const struct tally *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		if (tally_add(dst, &src->keys[i], src->counts[i]))
			return -ENOMEM;
	return 0;
}

uint64_t tally_total(const struct tally *t)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < t->n; i++)
		sum += t->counts[i];
	return sum;
}

void tally_free(struct tally *t)
{
	u64map__free(t->index);
	free(t->keys);
	free(t->counts);
	memset(t, 0, sizeof(*t));
}

/* ---- the stack store ---------------------------------------------------- */

static struct live_stored *store_get(const struct live *l, uint64_t hash)
{
	uint64_t i;

	return l->index && u64map__get(l->index, hash, &i) ? &l->v[i - 1] : NULL;
}

/* Copy stack hash from the kernel's map if not stored yet; mark it seen. */
static int store_copy(struct live *l, uint64_t hash)
{
	struct live_stored *e = store_get(l, hash);
	struct stack_trace st;
	size_t size;

	if (!hash)
		return 0;
	if (e) {
		e->last = l->tick;
		return 0;
	}
	if (bpf_map_lookup_elem(l->sr.stacks_fd, &hash, &st))
		return 0;	/* gone: named "[stack lost]" */
	if (st.depth > PROF_MAX_STACK_DEPTH)
		st.depth = PROF_MAX_STACK_DEPTH;
	if ((!l->index && !(l->index = u64map__new())) ||
	    (l->n == l->cap &&
	     array_reserve((void **)&l->v, l->n + 1, &l->cap, sizeof(*l->v))))
		return -ENOMEM;
	size = offsetof(struct stack_trace, ips) + st.depth * sizeof(st.ips[0]);
	e = &l->v[l->n];
	e->st = malloc(size);
	if (!e->st || u64map__set(l->index, hash, l->n + 1)) {
		free(e->st);
		return -ENOMEM;
	}
	memcpy(e->st, &st, size);
	e->hash = hash;
	e->last = l->tick;
	l->n++;
	l->since_trim++;
	return 0;
}

/* Drop stored stacks unnamed for horizon ticks; the index is rebuilt (the
 * map has no delete), and a failure keeps everything. */
static void store_gc(struct live *l, uint64_t horizon)
{
	struct u64map *index = u64map__new();
	size_t i, n = 0;

	if (!index)
		return;
	for (i = 0; i < l->n; i++)
		if (l->tick - l->v[i].last <= horizon &&
		    u64map__set(index, l->v[i].hash, ++n)) {
			u64map__free(index);
			return;
		}
	for (i = 0, n = 0; i < l->n; i++) {
		if (l->tick - l->v[i].last > horizon) {
			free(l->v[i].st);
			continue;
		}
		l->v[n++] = l->v[i];
	}
	u64map__free(l->index);
	l->index = index;
	l->n = n;
}

/*
 * Delete from the kernel's stack map every stack the store holds (a count
 * in the kernel that names one was drained, or names one we keep); stacks
 * not stored yet stay.
 */
static void trim_kernel_stacks(struct live *l)
{
	__u64 key, next, *prev = NULL;
	int fd = l->sr.stacks_fd;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (store_get(l, key))
			bpf_map_delete_elem(fd, &key);
	}
	l->since_trim = 0;
	l->trims++;
}

void live__maintain(struct live *l, uint64_t horizon)
{
	if (l->since_trim >= l->stack_map_size / 2)
		trim_kernel_stacks(l);
	if (l->tick % 60 == 0)
		store_gc(l, horizon);
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
	for (;;) {
		count = (__u32)l->bufn;
		err = bpf_map_lookup_and_delete_batch(fd, in, &batch, l->kbuf, l->vbuf,
						      &count, NULL);
		if (err && errno != ENOENT)
			return -errno;
		for (i = 0; i < count; i++) {
			if (store_copy(l, l->kbuf[i].user_stack) ||
			    store_copy(l, l->kbuf[i].kern_stack))
				return -ENOMEM;
			for (t = 0; t < n; t++)
				if (tally_add(tallies[t], &l->kbuf[i], l->vbuf[i]))
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
		const struct cpu_key *k = &t->keys[i];
		struct live_stored *ks = store_get(l, k->kern_stack);
		struct live_stored *us = store_get(l, k->user_stack);
		int64_t values[2] = { (int64_t)t->counts[i],
				      (int64_t)t->counts[i] * p->period };
		uint32_t n, j;

		n = stack_run__kernel_ips(&l->sr, p, ks ? ks->st : NULL,
					  k->kern_err ? k->kern_err :
					  k->kern_stack && !ks ? -ENOENT : 0, locs);
		n += stack_run__user_ips(&l->sr, p, k->tgid, k->gen, us ? us->st : NULL,
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
	size_t i;

	stack_run__free(&l->sr);
	cpu_bpf__destroy(l->skel);
	if (l->stats_fd >= 0)
		close(l->stats_fd);
	for (i = 0; i < l->n; i++)
		free(l->v[i].st);
	free(l->v);
	u64map__free(l->index);
	free(l->kbuf);
	free(l->vbuf);
	memset(l, 0, sizeof(*l));
	l->stats_fd = -1;
}
