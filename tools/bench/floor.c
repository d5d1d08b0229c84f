// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * uprobe_floor PID FILE OFFSET[:ret] ...: attach empty programs (an entry
 * probe, and a return probe too with ":ret") at file offsets of FILE in
 * process PID, until SIGINT/SIGTERM.  Prints "attached" when ready.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "floor.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct floor_bpf *skel;
	int i, pid;

	if (argc < 4) {
		fprintf(stderr, "usage: uprobe_floor PID FILE OFFSET[:ret]...\n");
		return 2;
	}
	pid = atoi(argv[1]);
	skel = floor_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "uprobe_floor: cannot load: %s\n", strerror(errno));
		return 1;
	}
	for (i = 3; i < argc; i++) {
		unsigned long off = strtoul(argv[i], NULL, 0);
		bool ret = strstr(argv[i], ":ret") != NULL;

		if (!bpf_program__attach_uprobe(skel->progs.empty_entry, false, pid,
						argv[2], off) ||
		    (ret && !bpf_program__attach_uprobe(skel->progs.empty_return, true,
							pid, argv[2], off))) {
			fprintf(stderr, "uprobe_floor: attach at %s failed: %s\n",
				argv[i], strerror(errno));
			return 1;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("attached\n");
	fflush(stdout);
	while (!stop)
		pause();
	floor_bpf__destroy(skel);
	return 0;
}
