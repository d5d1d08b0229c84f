// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* profiler: the command line's front door, dispatching to a command. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "run/cli.h"
#include "commands.h"
#include "cmd/report.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static const struct cmd cmds[] = {
	{ "cpu", cmd_cpu },
	{ "mem", cmd_mem },
	{ "lat", cmd_lat },
	{ "offcpu", cmd_offcpu },
	{ "wall", cmd_wall },
	{ "serve", cmd_serve },
	{ "top", cmd_top },
	{ "check", cmd_check },
	{ "report", cmd_report },
	{ "diff", cmd_diff },
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	const struct cmd *c;

	/* Line-buffer the report so it interleaves sanely with stderr. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* `profiler | head` must not kill the run before its files are
	 * written: a closed stdout is a failed write, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && argv[1][0] != '-') {
		for (c = cmds; c->name; c++)
			if (!strcmp(argv[1], c->name))
				return c->fn(argc - 1, argv + 1);
		fprintf(stderr, "profiler: unknown command '%s' (commands: cpu, mem, lat, offcpu, wall, serve, top, report, diff, check)\n"
			"Try 'profiler --help' for more information.\n", argv[1]);
		return EXIT_USAGE;
	}
	/* No command word: the cpu mode, the default. */
	return cmd_cpu(argc, argv);
}
