// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/log.h"
#include "run/session.h"
#include "run/sysinfo.h"
#include "lib/textsafe.h"

int64_t ns_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000000000LL + (b->tv_nsec - a->tv_nsec);
}

/*
 * Check that each -p process exists, turn thread ids into their process
 * (filters and probes work by process), drop duplicates, and refuse kernel
 * threads to modes that trace user space only.
 */
static int resolve_pids(struct common_opts *o, const char *mode)
{
	int i, j, n = 0;

	for (i = 0; i < o->npids; i++) {
		pid_t pid = o->pids[i], tgid;
		char name[64], safe[256];
		bool dup = false;

		if (sys_process_exists(pid)) {
			p_err("process %d not found", (int)pid);
			return -1;
		}
		if (mode && sys_is_kernel_thread(pid, name, sizeof(name)) == 1) {
			p_err("process %d (%s) is a kernel thread: it has no user space "
			      "for %s to trace (profile it with 'profiler -p %d')",
			      (int)pid, text_safe(name, safe, sizeof(safe)), mode, (int)pid);
			return -1;
		}
		tgid = sys_tgid_of(pid);
		if (tgid > 0 && tgid != pid) {
			p_info("%d is a thread of process %d: profiling the whole process",
			       (int)pid, (int)tgid);
			pid = tgid;
		}
		for (j = 0; j < n; j++)
			dup |= o->pids[j] == pid;
		if (!dup)
			o->pids[n++] = pid;
	}
	o->npids = n;
	return 0;
}

static int block_signals(struct session *s)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, &s->orig_mask)) {
		p_err("cannot block signals: %s", strerror(errno));
		return -1;
	}
	s->sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (s->sigfd < 0) {
		p_err("signalfd failed: %s", strerror(errno));
		return -1;
	}
	return 0;
}

pid_t session__target(const struct session *s, int i)
{
	return s->o->command ? s->child.pid : s->o->pids[i];
}

static int watch_targets(struct session *s)
{
	int i;

	s->ntargets = s->o->command ? 1 : s->o->npids;
	s->pidfds = calloc(s->ntargets ? s->ntargets : 1, sizeof(*s->pidfds));
	s->exited = calloc(s->ntargets ? s->ntargets : 1, sizeof(*s->exited));
	if (!s->pidfds || !s->exited) {
		p_err("out of memory");
		return -1;
	}
	for (i = 0; i < s->ntargets; i++)
		s->pidfds[i] = -1;
	for (i = 0; i < s->ntargets; i++) {
		pid_t pid = session__target(s, i);

		s->pidfds[i] = sys_pidfd_open(pid);
		if (s->pidfds[i] == -ESRCH) {
			p_err("process %d not found", (int)pid);
			return -1;
		}
		if (s->pidfds[i] < 0) {
			p_err("cannot watch process %d: %s", (int)pid,
			      strerror(-s->pidfds[i]));
			return -1;
		}
	}
	return 0;
}

int session__init(struct session *s, struct common_opts *o,
		  const char *user_space_mode)
{
	memset(s, 0, sizeof(*s));
	s->o = o;
	s->sigfd = s->timerfd = s->intervalfd = -1;
	s->child.pid = -1;
	s->child.go_fd = -1;
	s->child_status = -1;
	clock_gettime(CLOCK_MONOTONIC, &s->launched);

	if (!sys_has_bpf_privileges()) {
		p_err("needs root or CAP_BPF and CAP_PERFMON");
		return -1;
	}
	if (!sys_has_btf()) {
		p_err("kernel without BTF (/sys/kernel/btf/vmlinux missing): "
		      "needs CONFIG_DEBUG_INFO_BTF=y");
		return -1;
	}
	if (resolve_pids(o, user_space_mode) || block_signals(s))
		return -1;
	if (o->command) {
		int err = launch__prepare(o->command, &s->orig_mask, &s->child);

		if (err) {
			p_err("cannot start %s: %s", o->command[0], strerror(-err));
			return -1;
		}
	}
	return watch_targets(s);
}

static int arm(int *fd, double seconds, bool repeat)
{
	struct itimerspec its = {};

	*fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (*fd < 0) {
		p_err("timerfd_create failed: %s", strerror(errno));
		return -1;
	}
	its.it_value.tv_sec = (time_t)seconds;
	its.it_value.tv_nsec = (long)((seconds - its.it_value.tv_sec) * 1e9);
	if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
		its.it_value.tv_nsec = 1;
	if (repeat)
		its.it_interval = its.it_value;
	if (timerfd_settime(*fd, 0, &its, NULL)) {
		p_err("timerfd_settime failed: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int session__start(struct session *s, double interval)
{
	if (s->o->duration > 0 && arm(&s->timerfd, s->o->duration, false))
		return -1;
	if (interval > 0 && arm(&s->intervalfd, interval, true))
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &s->start);
	p_dbg("attached in %.1f ms from launch", ns_between(&s->launched, &s->start) / 1e6);
	if (s->o->command && launch__go(&s->child)) {
		p_err("cannot start %s", s->o->command[0]);
		return -1;
	}
	return 0;
}

enum { P_SIG, P_TIMER, P_INTERVAL, P_MODE, P_MODE2, P_TARGETS };

void session__loop(struct session *s, const struct session_hooks *h)
{
	int n = P_TARGETS + s->ntargets, i, left;
	struct pollfd *pfd = calloc(n, sizeof(*pfd));

	if (!pfd) {
		s->stop_reason = "out of memory";
		return;
	}
	pfd[P_SIG].fd = s->sigfd;
	pfd[P_TIMER].fd = s->timerfd;
	pfd[P_INTERVAL].fd = s->intervalfd;
	pfd[P_MODE].fd = h ? h->fd : -1;
	pfd[P_MODE2].fd = h && h->on_fd2 ? h->fd2 : -1;
	for (i = 0; i < s->ntargets; i++)
		pfd[P_TARGETS + i].fd = s->pidfds[i];
	for (i = 0; i < n; i++)
		pfd[i].events = POLLIN;

	while (!s->stop_reason) {
		bool busy = h && h->pending && h->pending(h->ctx);

		if (poll(pfd, n, busy ? 0 : -1) < 0) {
			if (errno == EINTR)
				continue;
			s->stop_reason = "poll failed";
			break;
		}
		if ((pfd[P_MODE].revents || busy) && h->on_fd)
			h->on_fd(h->ctx);
		if (pfd[P_MODE2].revents)
			h->on_fd2(h->ctx);
		if (pfd[P_INTERVAL].revents) {
			uint64_t ticks;

			if (read(s->intervalfd, &ticks, sizeof(ticks)) > 0 &&
			    h && h->on_interval)
				h->on_interval(h->ctx);
		}
		if (pfd[P_SIG].revents) {
			struct signalfd_siginfo si;

			if (read(s->sigfd, &si, sizeof(si)) == sizeof(si))
				s->stop_reason = strsignal(si.ssi_signo);
		}
		if (pfd[P_TIMER].revents)
			s->stop_reason = "duration reached";
		left = 0;
		for (i = 0; i < s->ntargets; i++) {
			if (pfd[P_TARGETS + i].revents) {
				s->exited[i] = true;
				pfd[P_TARGETS + i].fd = -1;
			}
			left += !s->exited[i];
		}
		if (s->ntargets && !left)
			s->stop_reason = s->ntargets > 1 ? "all targets exited" :
				       "target exited";
	}
	free(pfd);
}

bool session__interrupted(struct session *s)
{
	struct pollfd pfd = { .fd = s->sigfd, .events = POLLIN };
	struct signalfd_siginfo si;

	if (s->interrupt)
		return true;
	if (s->sigfd < 0 || poll(&pfd, 1, 0) <= 0)
		return false;
	if (read(s->sigfd, &si, sizeof(si)) == sizeof(si))
		s->interrupt = strsignal(si.ssi_signo);
	return s->interrupt != NULL;
}

static void reap_child(struct session *s)
{
	int status;

	if (s->child.pid <= 0 || s->child_reaped)
		return;
	if (waitpid(s->child.pid, &status, WNOHANG) == 0) {
		kill(s->child.pid, SIGTERM);
		/* A COMMAND stopped (e.g. by the mem mode) must see it. */
		kill(s->child.pid, SIGCONT);
		waitpid(s->child.pid, &status, 0);
	}
	s->child_status = status;
	s->child_reaped = true;
}

void session__end(struct session *s)
{
	clock_gettime(CLOCK_MONOTONIC, &s->end);
	reap_child(s);
}

int session__exit_status(const struct session *s)
{
	if (!s->o->command || s->child_status == -1)
		return 0;
	if (WIFEXITED(s->child_status))
		return WEXITSTATUS(s->child_status);
	if (WIFSIGNALED(s->child_status))
		return 128 + WTERMSIG(s->child_status);
	return 0;
}

void session__describe(const struct session *s, char *buf, size_t len)
{
	const struct common_opts *o = s->o;
	int i, used;

	if (o->command) {
		snprintf(buf, len, "command %s (pid %d)", o->command[0],
			 (int)s->child.pid);
		return;
	}
	if (!o->npids) {
		snprintf(buf, len, "system wide");
		return;
	}
	used = snprintf(buf, len, "%s ", o->npids > 1 ? "pids" : "pid");
	for (i = 0; i < o->npids && used < (int)len; i++) {
		if (i == 4 && o->npids > 5) {
			snprintf(buf + used, len - used, "... (%d)", o->npids);
			return;
		}
		used += snprintf(buf + used, len - used, "%s%d", i ? "," : "",
				 (int)o->pids[i]);
	}
}

int64_t session__duration_ns(const struct session *s)
{
	struct timespec now;

	/* Still running (a service reading its maps): so far. */
	if (!s->end.tv_sec && !s->end.tv_nsec) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		return ns_between(&s->start, &now);
	}
	return ns_between(&s->start, &s->end);
}

void session__free(struct session *s)
{
	int i;

	if (s->child.pid > 0 && !s->child_reaped) {
		/* Failed before the run: the child exits without exec'ing. */
		if (s->child.go_fd >= 0)
			launch__abort(&s->child);
		else
			reap_child(s);
	}
	for (i = 0; s->pidfds && i < s->ntargets; i++)
		if (s->pidfds[i] >= 0)
			close(s->pidfds[i]);
	free(s->pidfds);
	free(s->exited);
	if (s->sigfd >= 0)
		close(s->sigfd);
	if (s->timerfd >= 0)
		close(s->timerfd);
	if (s->intervalfd >= 0)
		close(s->intervalfd);
}
