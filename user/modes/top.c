// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * profiler top: a live view of where CPU time goes, redrawn every second
 * from the last --window seconds of samples (modes/live.h keeps sampling
 * attached and drains it every second).  On a terminal it takes the
 * alternate screen, fits the table to the window's size (read again at
 * each redraw, so it follows a resize) and quits on 'q'; otherwise it
 * prints one plain table per second, like top -b.  Plain ANSI: works over
 * ssh and in tmux.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "commands.h"
#include "lib/log.h"
#include "lib/parse.h"
#include "model/profile.h"
#include "modes/live.h"
#include "modes/top_mode.h"
#include "render/render.h"
#include "run/session.h"

struct top {
	struct top_opts o;
	struct session sess;
	struct live live;
	struct tally *ring;	/* one tally per second, the last o.window */
	uint64_t seconds;	/* drained so far */
	bool screen;		/* stdout is a terminal: redraw in place */
	bool keys;		/* stdin is a terminal in raw mode */
	struct termios saved;
	char target[256];
};

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

static void draw(struct top *t, const struct profile *p, uint64_t samples,
		 uint64_t secs)
{
	char *text = NULL, *line, *save = NULL;
	int rows, cols, top;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	time_t now = time(NULL);
	char clock[16];

	if (!f)
		return;
	terminal_size(&rows, &cols);
	if (!t->screen)
		cols = 1000;
	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&now));
	fprintf(f, "profiler top  %s  %s, cpu-clock %llu Hz, last %llu s: %llu "
		"samples (%.1f/s)%s\n", clock, t->target,
		(unsigned long long)t->o.freq, (unsigned long long)secs,
		(unsigned long long)samples, secs ? (double)samples / secs : 0.0,
		t->keys ? ", q quits" : "");
	/* The header, then the table's own header and rows. */
	top = t->screen ? rows - 2 : t->o.c.top ? (int)t->o.c.top + 1 : 21;
	if (t->o.c.top && top > (int)t->o.c.top + 1)
		top = (int)t->o.c.top + 1;
	render_top(p, 0, top, cols, f);
	if (fclose(f)) {
		free(text);
		return;
	}
	if (!t->screen) {
		fputs(text, stdout);
		putchar('\n');
		fflush(stdout);
		free(text);
		return;
	}
	/* Home, each line then clear to its end, then clear below. */
	fputs("\033[H", stdout);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("%.*s\033[K\n", cols, line);
	fputs("\033[J", stdout);
	fflush(stdout);
	free(text);
}

static void on_tick(void *ctx)
{
	struct top *t = ctx;
	size_t slot = t->seconds % t->o.window, i;
	struct tally *cur = &t->ring[slot], window = {};
	struct profile *p;
	char what[64];
	uint64_t secs;

	tally_free(cur);
	if (live__drain(&t->live, &cur, 1)) {
		t->sess.stop_reason = "out of memory";
		return;
	}
	t->seconds++;
	secs = t->seconds < t->o.window ? t->seconds : t->o.window;
	for (i = 0; i < secs; i++)
		if (tally_merge(&window, &t->ring[i])) {
			tally_free(&window);
			t->sess.stop_reason = "out of memory";
			return;
		}
	snprintf(what, sizeof(what), "last %llu s", (unsigned long long)secs);
	p = live__profile(&t->live, &window, (double)secs, t->target, what);
	if (p)
		draw(t, p, tally_total(&window), secs);
	profile__free(p);
	tally_free(&window);
	live__maintain(&t->live, t->o.window + 2);
}

static void on_events(void *ctx)
{
	struct top *t = ctx;

	stack_run__serve_events(&t->live.sr);
}

static bool busy(void *ctx)
{
	struct top *t = ctx;

	return stack_run__busy(&t->live.sr);
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
	struct live_opts lo = {};
	int status;
	uint64_t i;

	t.live.stats_fd = -1;
	t.sess.sigfd = t.sess.timerfd = t.sess.intervalfd = -1;
	status = cli_exit_status(top_parse_args(argc, argv, &t.o));
	if (status >= 0) {
		cli_free_common(&t.o.c);
		return status;
	}
	status = EXIT_RUNTIME;
	log_level = t.o.c.verbosity;
	log_setup_libbpf();

	t.ring = calloc(t.o.window, sizeof(*t.ring));
	if (!t.ring) {
		p_err("out of memory");
		goto out;
	}
	if (session__init(&t.sess, &t.o.c, NULL))
		goto out;
	session__describe(&t.sess, t.target, sizeof(t.target));
	lo.freq = t.o.freq;
	lo.stack_map_size = t.o.stack_map_size;
	lo.counts_map_size = t.o.counts_map_size;
	lo.c = &t.o.c;
	lo.s = &t.o.s;
	if (live__open(&t.live, &t.sess, &lo) || session__start(&t.sess, 1.0))
		goto out;
	p_info("sampling %s at %llu Hz", t.target, (unsigned long long)t.o.freq);
	terminal_open(&t);
	hooks.fd = ring_buffer__epoll_fd(t.live.sr.events);
	hooks.on_fd = on_events;
	hooks.pending = busy;
	hooks.fd2 = STDIN_FILENO;
	hooks.on_fd2 = t.keys ? on_key : NULL;
	hooks.on_interval = on_tick;
	hooks.ctx = &t;
	session__loop(&t.sess, &hooks);
	terminal_close(&t);
	live__stop(&t.live);
	session__end(&t.sess);
	status = session__exit_status(&t.sess);
out:
	terminal_close(&t);
	for (i = 0; t.ring && i < t.o.window; i++)
		tally_free(&t.ring[i]);
	free(t.ring);
	live__free(&t.live);
	session__free(&t.sess);
	cli_free_common(&t.o.c);
	return status;
}

/* ---- options ------------------------------------------------------------ */

enum {
	TOP_OPT_WINDOW = CLI_OPT_MODE,
	TOP_OPT_STACK_MAP_SIZE,
	TOP_OPT_COUNTS_MAP_SIZE,
};

static const struct option top_long[] = {
	{ "frequency",		required_argument, NULL, 'F' },
	{ "window",		required_argument, NULL, TOP_OPT_WINDOW },
	{ "stack-map-size",	required_argument, NULL, TOP_OPT_STACK_MAP_SIZE },
	{ "counts-map-size",	required_argument, NULL, TOP_OPT_COUNTS_MAP_SIZE },
	STACK_LONG_OPTIONS,
};

void top_usage(FILE *out)
{
	fprintf(out,
"Usage: profiler top [-p PID[,PID...]] [-F HZ] [--window SECONDS] [OPTIONS]\n"
"\n"
"A live view of where CPU time goes: the functions of the last SECONDS of\n"
"samples by self and total share, redrawn every second to fit the terminal;\n"
"q quits.  When stdout is not a terminal, one table per second (as top -b).\n"
"Without -p: every process on the machine.  Needs root.\n"
"\n"
"  -p, --pid PID[,PID...]    these processes (and their children)\n"
"  -d, --duration SECONDS    stop after SECONDS (default: q, Ctrl-C, or when\n"
"                            every target has exited)\n"
"  -F, --frequency HZ        samples per second per CPU (default 99)\n"
"      --window SECONDS      seconds of samples each screen shows (default %d,\n"
"                            up to %d)\n"
"      --top N               at most N functions (default: as many as fit)\n"
"      --stack-map-size N    distinct stacks kept in the kernel (default %d)\n"
"      --counts-map-size N   distinct (process, stack) pairs per second\n"
"                            (default %d)\n",
		TOP_DEFAULT_WINDOW, TOP_MAX_WINDOW, CPU_DEFAULT_STACK_MAP_SIZE,
		CPU_DEFAULT_COUNTS_MAP_SIZE);
	stack_opts__usage(out);
	fprintf(out,
"      --debug-dir DIR, --no-inline, --no-demangle   as for cpu\n"
"  -q, --quiet               errors only\n"
"  -v, --verbose             libbpf and debug messages\n"
"  -h, --help                this help\n");
}

static enum cli_result parse_opt(int c, const char *arg, void *mode)
{
	struct top_opts *o = mode;

	switch (c) {
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
		.top = UINT64_MAX,	/* not given: as many as fit */
	};
	enum cli_result r;

	memset(o, 0, sizeof(*o));
	o->freq = 99;
	o->window = TOP_DEFAULT_WINDOW;
	o->stack_map_size = CPU_DEFAULT_STACK_MAP_SIZE;
	o->counts_map_size = CPU_DEFAULT_COUNTS_MAP_SIZE;
	stack_opts__defaults(&o->s);
	r = cli_parse(argc, argv, &o->c, &spec, o);
	if (r == CLI_OK && o->c.top == UINT64_MAX)
		o->c.top = 0;
	if (r == CLI_OK && o->c.command)
		return cli_error("top follows running processes (-p) or the whole "
				 "machine, not a COMMAND");
	return r;
}
