// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run/launch.h"

int launch__prepare(char **argv, const void *orig_mask, struct launch *l)
{
	int fds[2];
	pid_t pid;

	l->pid = -1;
	l->go_fd = -1;
	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(fds[0]);
		close(fds[1]);
		return err;
	}
	if (pid == 0) {
		char go;

		close(fds[1]);
		sigprocmask(SIG_SETMASK, orig_mask, NULL);
		/* Ignored signals stay ignored across exec: give the command
		 * back the SIGPIPE the profiler ignores. */
		signal(SIGPIPE, SIG_DFL);
		/* EOF instead of the byte: the profiler gave up or died. */
		if (read(fds[0], &go, 1) != 1)
			_exit(127);
		close(fds[0]);
		execvp(argv[0], argv);
		fprintf(stderr, "profiler: cannot run '%s': %s\n", argv[0],
			strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(fds[0]);
	l->pid = pid;
	l->go_fd = fds[1];
	return 0;
}

int launch__go(struct launch *l)
{
	char go = 1;
	int err = 0;

	if (write(l->go_fd, &go, 1) != 1)
		err = errno ? -errno : -EIO;
	close(l->go_fd);
	l->go_fd = -1;
	return err;
}

void launch__abort(struct launch *l)
{
	if (l->go_fd >= 0)
		close(l->go_fd);
	l->go_fd = -1;
	if (l->pid > 0)
		waitpid(l->pid, NULL, 0);
	l->pid = -1;
}
