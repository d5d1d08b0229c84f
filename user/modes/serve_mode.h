/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The serve mode's options, defaults and help, with the mode. */
#ifndef PROFILER_SERVE_MODE_H
#define PROFILER_SERVE_MODE_H

#include <stdint.h>
#include <stdio.h>

#include "modes/lat_mode.h"
#include "modes/unwinder.h"
#include "run/health.h"
#include "run/cli.h"

/* Where it listens unless --listen says otherwise: this machine only. */
#define SERVE_DEFAULT_ADDR	"127.0.0.1"
#define SERVE_DEFAULT_PORT	6060
/* ?seconds= of a profile request: the default (as Go's) and the bound. */
#define SERVE_DEFAULT_SECONDS	30
#define SERVE_DEFAULT_MAX_SECONDS 300

struct serve_opts {
	struct common_opts c;
	struct stack_opts s;
	char addr[64];		/* --listen ADDR:PORT */
	uint16_t port;
	const char *token_file;	/* --token-file FILE */
	uint64_t max_seconds;	/* --max-seconds N */
	uint64_t freq;		/* -F */
	uint64_t stack_map_size;
	uint64_t counts_map_size;
	uint64_t window;	/* --window SECONDS: one history point each */
	uint64_t history;	/* --history N points kept */
	bool mem;		/* --mem */
	bool offcpu;		/* --offcpu */
	const char *patterns[LAT_MAX_PATTERNS];	/* --lat PATTERN... */
	int npatterns;
	uint64_t max_probes;	/* --max-probes */
	struct health_rule rules[HEALTH_MAX_RULES];	/* --health */
	int nrules;
};

#define SERVE_DEFAULT_WINDOW	10
/* Seconds between renewals of the symbolizer (PROFILER_SERVE_RENEW_S). */
#define SERVE_RENEW_SECONDS	300
/* Seconds between sweeps of exited processes (and counts of the kernel's
 * stack map). */
#define SERVE_SWEEP_SECONDS	10
#define SERVE_DEFAULT_HISTORY	360

enum cli_result serve_parse_args(int argc, char **argv, struct serve_opts *o);
void serve_usage(FILE *out);

#endif
