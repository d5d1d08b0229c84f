// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * uprobe_multi_floor PID FILE OFFSET[:ret]...: uprobe_floor's empty
 * programs attached the way the lat mode attaches its own, through
 * uprobe_multi links (one for the entries, one for the returns), until
 * SIGINT/SIGTERM.  Prints "attached" when ready.  The floor lat's per-call
 * cost is measured against (tools/bench/lat_overhead.sh).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "floor.skel.h"
#include "probes/uprobe_multi.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	uint64_t entry[64], ret[64], cookies[64] = {};
	struct floor_bpf *skel = NULL;
	int i, ne = 0, nr = 0, efd = -1, rfd = -1, status = 1;
	char *end;
	long pid;

	if (argc < 4 || argc - 3 > 64) {
		fprintf(stderr, "usage: uprobe_multi_floor PID FILE OFFSET[:ret]...\n");
		return 2;
	}
	pid = strtol(argv[1], &end, 10);
	if (*end || pid <= 0) {
		fprintf(stderr, "uprobe_multi_floor: invalid PID '%s'\n", argv[1]);
		return 2;
	}
	for (i = 3; i < argc; i++) {
		uint64_t off = strtoull(argv[i], &end, 0);

		if (end == argv[i] || (*end && strcmp(end, ":ret"))) {
			fprintf(stderr, "uprobe_multi_floor: invalid offset '%s'\n", argv[i]);
			return 2;
		}
		entry[ne++] = off;
		if (*end)
			ret[nr++] = off;
	}
	if (!uprobe_multi__supported()) {
		fprintf(stderr, "uprobe_multi_floor: kernel without uprobe_multi links\n");
		return 1;
	}
	skel = floor_bpf__open();
	if (!skel)
		goto out;
	bpf_program__set_expected_attach_type(skel->progs.empty_entry,
		(enum bpf_attach_type)UPROBE_MULTI_ATTACH_TYPE);
	bpf_program__set_expected_attach_type(skel->progs.empty_return,
		(enum bpf_attach_type)UPROBE_MULTI_ATTACH_TYPE);
	if (floor_bpf__load(skel)) {
		fprintf(stderr, "uprobe_multi_floor: cannot load: %s\n", strerror(errno));
		goto out;
	}
	efd = uprobe_multi__attach(bpf_program__fd(skel->progs.empty_entry), argv[2],
				   entry, cookies, ne, pid, false);
	if (efd >= 0 && nr)
		rfd = uprobe_multi__attach(bpf_program__fd(skel->progs.empty_return),
					   argv[2], ret, cookies, nr, pid, true);
	if (efd < 0 || (nr && rfd < 0)) {
		fprintf(stderr, "uprobe_multi_floor: attach failed: %s\n",
			strerror(-(efd < 0 ? efd : rfd)));
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("attached\n");
	fflush(stdout);
	while (!stop)
		pause();
	status = 0;
out:
	if (efd >= 0)
		close(efd);
	if (rfd >= 0)
		close(rfd);
	floor_bpf__destroy(skel);
	return status;
}
