// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * profiler top: a live view redrawn every second from the last --window
 * seconds, of one of the engines serve keeps attached: where CPU time goes
 * (cpu, the default), allocation sites (mem), the latency of chosen
 * functions (lat), where threads wait (offcpu).  The views are in
 * top_<view>.c (modes/top_view.h); this file runs them.  On a terminal it
 * takes the alternate screen, fits the screen to the window's size (read
 * again at each redraw, so it follows a resize) and quits on 'q';
 * otherwise it prints one plain screen per second, like top -b.  Plain
 * ANSI: works over ssh and in tmux.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "cpu.h"
#include "lat.h"
#include "lib/log.h"
#include "lib/parse.h"
#include "modes/live.h"
#include "modes/stackrun.h"
#include "modes/top_mode.h"
#include "modes/top_view.h"
#include "run/session.h"

/* Lines a screen's tables take when stdout is not a terminal: as many as
 * --top asks, else TOP_BATCH_ROWS rows each. */
#define TOP_BATCH_ROWS		20

static const struct {
	const char *name;
	const struct top_view *view;
	const char *user_space;	/* for session__init: traces user space only */
} views[TOP__VIEWS] = {
	[TOP_CPU] = { "cpu", &top_cpu_view, NULL },
	[TOP_MEM] = { "mem", &top_mem_view, "top mem" },
	[TOP_LAT] = { "lat", &top_lat_view, "top lat" },
	[TOP_OFFCPU] = { "offcpu", &top_offcpu_view, NULL },
};

const char *top_view_name(enum top_view_kind v)
{
	return v < TOP__VIEWS ? views[v].name : "?";
}

int top_entries(const struct top *t, int rows, int extra)
{
	int fit = rows - 1 - extra;

	if (fit < 1)
		fit = 1;
	if (!t->screen)
		return t->o.c.top ? (int)t->o.c.top : TOP_BATCH_ROWS;
	return t->o.c.top && (uint64_t)fit > t->o.c.top ? (int)t->o.c.top : fit;
}

void top_line_end(const struct top *t, FILE *f)
{
	fprintf(f, "%s\n", t->keys ? ", q quits" : "");
}

int top_drained(const struct top *t, struct tally *ring, struct tally *window)
{
	uint64_t secs = top_secs(t), i;
	int err = 0;

	for (i = 0; !err && i < secs; i++)
		err = tally_merge(window, &ring[i]);
	return err;
}

void top_ring_free(const struct top *t, struct tally *ring)
{
	uint64_t i;

	for (i = 0; ring && i < t->o.window; i++)
		tally_free(&ring[i]);
	free(ring);
}

void top_sweep(const struct top *t, struct stack_run *sr, uint64_t tick)
{
	/* Samples drain a tick after their process's exit was seen, at the
	 * latest, and stay in the window o.window ticks. */
	if (tick % 10 == 0 && tick > t->o.window + 1)
		stack_run__sweep(sr, tick, tick - t->o.window - 1);
}

static void terminal_size(int *rows, int *cols)
{
	struct winsize ws;

	*rows = 24;
	*cols = 80;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

/* A screen: printed as it is, or drawn over the last one. */
static void show(struct top *t, char *text, int cols)
{
	char *line, *save = NULL;

	if (!t->screen) {
		fputs(text, stdout);
		putchar('\n');
		fflush(stdout);
		return;
	}
	/* Home, each line then clear to its end, then clear below. */
	fputs("\033[H", stdout);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("%.*s\033[K\n", cols, line);
	fputs("\033[J", stdout);
	fflush(stdout);
}

static void on_tick(void *ctx)
{
	struct top *t = ctx;
	char *text = NULL, clock[16];
	size_t len = 0;
	int rows, cols, err;
	time_t now = time(NULL);
	FILE *f = open_memstream(&text, &len);

	if (!f) {
		t->sess.stop_reason = "out of memory";
		return;
	}
	terminal_size(&rows, &cols);
	if (!t->screen) {
		/* Plain screens: nothing cut, tables by --top. */
		rows = 1000;
		cols = 1000;
	}
	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&now));
	fprintf(f, "profiler top  %s  %s, ", clock, t->target);
	t->seconds++;
	/* The first line, and one left free at the bottom: no scrolling. */
	err = t->view->tick(t, f, rows - 2, cols);
	if (fclose(f) || err) {
		t->sess.stop_reason = "out of memory";
		free(text);
		return;
	}
	show(t, text, cols);
	free(text);
}

static void on_events(void *ctx)
{
	struct top *t = ctx;

	t->view->events(t);
}

static bool busy(void *ctx)
{
	struct top *t = ctx;

	return t->view->busy(t);
}

/* A key: 'q' quits. */
static void on_key(void *ctx)
{
	struct top *t = ctx;
	char c[16];
	ssize_t n = read(STDIN_FILENO, c, sizeof(c)), i;

	if (n <= 0) {
		/* The terminal went away. */
		t->sess.stop_reason = "terminal closed";
		return;
	}
	for (i = 0; i < n; i++)
		if (c[i] == 'q' || c[i] == 'Q')
			t->sess.stop_reason = "q pressed";
}

static void terminal_open(struct top *t)
{
	struct termios raw;

	t->screen = isatty(STDOUT_FILENO);
	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &t->saved) == 0) {
		raw = t->saved;
		/* Keys one at a time, not echoed; Ctrl-C still a signal. */
		raw.c_lflag &= ~(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		t->keys = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	}
	if (t->screen) {
		/* The alternate screen, without a cursor. */
		fputs("\033[?1049h\033[?25l\033[H\033[2J", stdout);
		fflush(stdout);
	}
}

static void terminal_close(struct top *t)
{
	if (t->screen) {
		fputs("\033[?25h\033[?1049l", stdout);
		fflush(stdout);
		t->screen = false;
	}
	if (t->keys) {
		tcsetattr(STDIN_FILENO, TCSANOW, &t->saved);
		t->keys = false;
	}
}

int cmd_top(int argc, char **argv)
{
	struct top t = {};
	struct session_hooks hooks = {};
	int status;

	t.sess.sigfd = t.sess.timerfd = t.sess.intervalfd = -1;
	status = cli_exit_status(top_parse_args(argc, argv, &t.o));
	if (status >= 0) {
		cli_free_common(&t.o.c);
		return status;
	}
	status = EXIT_RUNTIME;
	log_level = t.o.c.verbosity;
	log_setup_libbpf();

	t.view = views[t.o.view].view;
	if (session__init(&t.sess, &t.o.c, views[t.o.view].user_space))
		goto out;
	session__describe(&t.sess, t.target, sizeof(t.target));
	if (t.view->open(&t) || session__start(&t.sess, 1.0))
		goto out;
	terminal_open(&t);
	hooks.fd = t.view->fd(&t);
	hooks.on_fd = on_events;
	hooks.pending = busy;
	hooks.fd2 = STDIN_FILENO;
	hooks.on_fd2 = t.keys ? on_key : NULL;
	hooks.on_interval = on_tick;
	hooks.ctx = &t;
	session__loop(&t.sess, &hooks);
	terminal_close(&t);
	if (t.view->stop)
		t.view->stop(&t);
	session__end(&t.sess);
	status = session__exit_status(&t.sess);
out:
	terminal_close(&t);
	if (t.view)
		t.view->free(&t);
	session__free(&t.sess);
	cli_free_common(&t.o.c);
	return status;
}

/* ---- options ------------------------------------------------------------ */

enum {
	TOP_OPT_WINDOW = CLI_OPT_MODE,
	TOP_OPT_STACK_MAP_SIZE,
	TOP_OPT_COUNTS_MAP_SIZE,
	TOP_OPT_MAX_PROBES,
};

static const struct option top_long[] = {
	{ "frequency",		required_argument, NULL, 'F' },
	{ "window",		required_argument, NULL, TOP_OPT_WINDOW },
	{ "stack-map-size",	required_argument, NULL, TOP_OPT_STACK_MAP_SIZE },
	{ "counts-map-size",	required_argument, NULL, TOP_OPT_COUNTS_MAP_SIZE },
	{ "max-probes",		required_argument, NULL, TOP_OPT_MAX_PROBES },
	STACK_LONG_OPTIONS,
};

void top_usage(FILE *out)
{
	fprintf(out,
"Usage: profiler top [-p PID[,PID...]] [OPTIONS] [cpu]\n"
"       profiler top -p PID[,PID...] [OPTIONS] mem\n"
"       profiler top -p PID[,PID...] [OPTIONS] lat PATTERN...\n"
"       profiler top [-p PID[,PID...]] [OPTIONS] offcpu\n"
"\n"
"A live view of the last SECONDS (--window), redrawn every second to fit\n"
"the terminal; q quits.  When stdout is not a terminal, one screen per\n"
"second (as top -b).  Without -p: every process on the machine (cpu and\n"
"offcpu).  Needs root.\n"
"\n"
"Views (the word after the options):\n"
"  cpu       where CPU time goes: functions by self and total share of the\n"
"            samples (the default)\n"
"  mem       allocation sites: allocations and bytes per second over the\n"
"            window, bytes and blocks outstanding; the totals since the\n"
"            start on top\n"
"  lat       the functions the PATTERNs name ([MODULE:]GLOB, as for lat):\n"
"            calls, average, percentiles, max and total time of the\n"
"            window's calls\n"
"  offcpu    where threads wait: time off CPU by place (innermost function\n"
"            of the program, and thread) and by function, self and total;\n"
"            by state on top\n"
"\n"
"  -p, --pid PID[,PID...]    these processes (and their children)\n"
"  -d, --duration SECONDS    stop after SECONDS (default: q, Ctrl-C, or when\n"
"                            every target has exited)\n"
"      --window SECONDS      seconds each screen shows (default %d, up to %d)\n"
"      --top N               at most N rows per table (default: as many as\n"
"                            fit; 20 when stdout is not a terminal)\n"
"  -F, --frequency HZ        cpu: samples per second per CPU (default 99)\n"
"      --stack-map-size N    cpu: distinct stacks kept in the kernel\n"
"                            (default %d)\n"
"      --counts-map-size N   cpu: distinct (process, stack) pairs per second\n"
"                            (default %d)\n"
"      --max-probes N        lat: probe at most N functions (default %d, up\n"
"                            to %d)\n",
		TOP_DEFAULT_WINDOW, TOP_MAX_WINDOW, CPU_DEFAULT_STACK_MAP_SIZE,
		CPU_DEFAULT_COUNTS_MAP_SIZE, LAT_DEFAULT_MAX_PROBES,
		LAT_MAX_PROBES_LIMIT);
	stack_opts__usage(out);
	fprintf(out,
"      --debug-dir DIR, --no-inline, --no-demangle   as for cpu\n"
"  -q, --quiet               errors only\n"
"  -v, --verbose             libbpf and debug messages\n"
"  -h, --help                this help\n"
"\n"
"Examples:\n"
"  profiler top                              the whole machine's CPU time\n"
"  profiler top -p 1234 mem                  where 1234 allocates, now\n"
"  profiler top -p 1234 lat 'handle_*' 'libc.so.6:malloc'\n"
"  profiler top -p 1234 --window 10 offcpu   where its threads wait\n");
}

/* The view's word, then (lat) its PATTERNs. */
static enum cli_result parse_operand(const char *arg, struct top_opts *o)
{
	int v;

	if (o->view == TOP__VIEWS) {
		for (v = 0; v < TOP__VIEWS; v++)
			if (!strcmp(arg, top_view_name(v))) {
				o->view = v;
				return CLI_OK;
			}
		return cli_error("unknown view '%s' (views: cpu, mem, lat, offcpu)", arg);
	}
	if (o->view != TOP_LAT)
		return cli_error("unexpected argument '%s' (only the lat view takes "
				 "PATTERNs)", arg);
	if (o->npatterns == LAT_MAX_PATTERNS)
		return cli_error("more than %d PATTERNs", LAT_MAX_PATTERNS);
	o->patterns[o->npatterns++] = arg;
	return CLI_OK;
}

static enum cli_result parse_opt(int c, const char *arg, void *mode)
{
	struct top_opts *o = mode;

	switch (c) {
	case 1:
		return parse_operand(arg, o);
	case 'F':
		return cli_parse_freq(arg, &o->freq);
	case TOP_OPT_WINDOW:
		if (parse_u64(arg, 1, TOP_MAX_WINDOW, &o->window))
			return cli_error("invalid --window '%s' (expected 1..%d seconds)",
					 arg, TOP_MAX_WINDOW);
		return CLI_OK;
	case TOP_OPT_STACK_MAP_SIZE:
		return cli_parse_size(arg, "--stack-map-size", 1 << 24, &o->stack_map_size);
	case TOP_OPT_COUNTS_MAP_SIZE:
		return cli_parse_size(arg, "--counts-map-size", 1 << 24, &o->counts_map_size);
	case TOP_OPT_MAX_PROBES:
		if (parse_u64(arg, 1, LAT_MAX_PROBES_LIMIT, &o->max_probes))
			return cli_error("invalid --max-probes '%s' (expected 1..%d)", arg,
					 LAT_MAX_PROBES_LIMIT);
		return CLI_OK;
	}
	return stack_opts__parse(c, arg, &o->s);
}

enum cli_result top_parse_args(int argc, char **argv, struct top_opts *o)
{
	static const struct cli_mode spec = {
		.help = "profiler top --help",
		.groups = CLI_TARGETS | CLI_SYMBOLS,
		.shortopts = "F:",
		.longopts = top_long,
		.nlong = sizeof(top_long) / sizeof(top_long[0]),
		.parse = parse_opt,
		.usage = top_usage,
		.operands = true,	/* the view and its PATTERNs */
		.top = UINT64_MAX,	/* not given: as many as fit */
	};
	enum cli_result r;

	memset(o, 0, sizeof(*o));
	o->view = TOP__VIEWS;		/* none given yet */
	o->freq = 99;
	o->window = TOP_DEFAULT_WINDOW;
	o->stack_map_size = CPU_DEFAULT_STACK_MAP_SIZE;
	o->counts_map_size = CPU_DEFAULT_COUNTS_MAP_SIZE;
	o->max_probes = LAT_DEFAULT_MAX_PROBES;
	stack_opts__defaults(&o->s);
	r = cli_parse(argc, argv, &o->c, &spec, o);
	if (o->view == TOP__VIEWS)
		o->view = TOP_CPU;
	if (r != CLI_OK)
		return r;
	if (o->c.top == UINT64_MAX)
		o->c.top = 0;
	if (o->c.command)
		return cli_error("top follows running processes (-p) or the whole "
				 "machine, not a COMMAND");
	if (o->view == TOP_MEM && !o->c.npids)
		return cli_error("top mem needs -p: the allocators of given processes "
				 "are probed");
	if (o->view == TOP_LAT && !o->c.npids)
		return cli_error("top lat needs -p: functions of given processes are "
				 "timed");
	if (o->view == TOP_LAT && !o->npatterns)
		return cli_error("top lat needs a PATTERN: the functions to time "
				 "([MODULE:]GLOB)");
	return CLI_OK;
}
