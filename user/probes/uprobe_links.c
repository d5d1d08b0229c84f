// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "lib/array.h"
#include "lib/log.h"
#include "probes/uprobe_links.h"
#include "probes/uprobe_multi.h"

void uprobe_links__init(struct uprobe_links *u)
{
	memset(u, 0, sizeof(*u));
	u->multi = uprobe_multi__supported();
	p_dbg("%s", u->multi ? "uprobe_multi links" : "kernel without uprobe_multi "
	      "links (before 6.6): one perf event per probe");
}

void uprobe_links__prepare(const struct uprobe_links *u, struct bpf_program *prog)
{
	if (u->multi)
		bpf_program__set_expected_attach_type(prog,
			(enum bpf_attach_type)UPROBE_MULTI_ATTACH_TYPE);
}

/* The kernel will not probe the instruction at an offset. */
static bool offset_error(int err)
{
	return err == -524 /* ENOTSUPP */ || err == -EINVAL || err == -EILSEQ ||
	       err == -ENOEXEC || err == -EFAULT;
}

static void attach_error(const char *name, pid_t pid, bool ret, int err)
{
	if (err == -ESRCH || err == -ENOENT)
		p_err("process %d exited before its probes were attached", (int)pid);
	else if (err == -EPERM || err == -EACCES)
		p_err("attaching uprobes was refused: needs root or CAP_BPF and "
		      "CAP_PERFMON");
	else
		p_err("cannot attach %s to %s in process %d: %s",
		      ret ? "return probes" : "uprobes", name, (int)pid,
		      strerror(-err));
}

struct request {
	struct uprobe_links *u;
	int prog_fd;
	struct bpf_program *prog;
	pid_t pid;
	const char *path, *name;
	bool ret;
	uprobe_refused_fn refused;
	void *ctx;
};

/* One link for offs[0..n), or, when an offset spoils it, links for the
 * halves. */
static int attach_multi(const struct request *q, const uint64_t *offs,
			const uint64_t *cookies, size_t n)
{
	int fd;

	fd = uprobe_multi__attach(q->prog_fd, q->path, offs, cookies,
				  (uint32_t)n, q->pid, q->ret);
	if (fd >= 0) {
		if (GROW(q->u->fds, q->u->nfds, q->u->fds_cap)) {
			close(fd);
			p_err("out of memory");
			return -ENOMEM;
		}
		q->u->fds[q->u->nfds++] = fd;
		return 0;
	}
	if (!q->refused || !offset_error(fd)) {
		attach_error(q->name, q->pid, q->ret, fd);
		return fd;
	}
	if (n == 1) {
		q->refused(q->ctx, cookies[0], fd);
		return 0;
	}
	return attach_multi(q, offs, cookies, n / 2) ?:
	       attach_multi(q, offs + n / 2, cookies + n / 2, n - n / 2);
}

/* Older kernels: a perf event per offset. */
static int attach_each(const struct request *q, const uint64_t *offs,
		       const uint64_t *cookies, size_t n)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo, .retprobe = q->ret);
	struct bpf_link *l;
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		uo.bpf_cookie = cookies[i];
		l = bpf_program__attach_uprobe_opts(q->prog, q->pid, q->path,
						    offs[i], &uo);
		if (!l) {
			err = -errno;
			if (q->refused && offset_error(err)) {
				q->refused(q->ctx, cookies[i], err);
				continue;
			}
			attach_error(q->name, q->pid, q->ret, err);
			return err;
		}
		if (GROW(q->u->links, q->u->nlinks, q->u->links_cap)) {
			bpf_link__destroy(l);
			p_err("out of memory");
			return -ENOMEM;
		}
		q->u->links[q->u->nlinks++] = l;
	}
	return 0;
}

int uprobe_links__attach(struct uprobe_links *u, struct bpf_program *prog,
			 pid_t pid, const char *path, const char *name,
			 const uint64_t *offs, const uint64_t *cookies, size_t n,
			 bool ret, uprobe_refused_fn refused, void *ctx)
{
	struct request q = {
		.u = u, .prog_fd = bpf_program__fd(prog), .prog = prog,
		.pid = pid, .path = path, .name = name ? name : path, .ret = ret,
		.refused = refused, .ctx = ctx,
	};

	if (!n)
		return 0;
	return u->multi ? attach_multi(&q, offs, cookies, n) :
			  attach_each(&q, offs, cookies, n);
}

size_t uprobe_links__count(const struct uprobe_links *u)
{
	return u->nfds + u->nlinks;
}

void uprobe_links__detach(struct uprobe_links *u)
{
	struct timespec t0, t1;
	size_t i;

	if (!uprobe_links__count(u))
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < u->nfds; i++)
		close(u->fds[i]);
	for (i = 0; i < u->nlinks; i++)
		bpf_link__destroy(u->links[i]);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	p_dbg("detached in %.1f ms", ((t1.tv_sec - t0.tv_sec) * 1e9 +
				      (t1.tv_nsec - t0.tv_nsec)) / 1e6);
	u->nfds = u->nlinks = 0;
}

void uprobe_links__free(struct uprobe_links *u)
{
	uprobe_links__detach(u);
	free(u->fds);
	free(u->links);
	u->fds = NULL;
	u->links = NULL;
	u->fds_cap = u->links_cap = 0;
}
