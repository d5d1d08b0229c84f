/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The service's health rules (--health 'rss<2GiB,growth<10MiB/min,lost==0'):
 * parsed once, evaluated against the figures of the last tick.
 */
#ifndef PROFILER_HEALTH_H
#define PROFILER_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum health_metric {
	HEALTH_RSS,		/* bytes: the targets' resident memory, summed */
	HEALTH_GROWTH,		/* bytes per minute of that, over the history */
	HEALTH_LOST,		/* samples, stacks or events lost, in all */
	HEALTH_OUTSTANDING,	/* bytes allocated and not freed (serve --mem) */
	HEALTH__MAX,
};

enum health_op { H_LT, H_LE, H_GT, H_GE, H_EQ, H_NE };

struct health_rule {
	enum health_metric metric;
	enum health_op op;
	double value;
	char text[64];		/* as written: "rss<2GiB" */
};

#define HEALTH_MAX_RULES	16

/*
 * Parse a comma-separated list of rules into rules[]; their number, or -1
 * with a message in err.  Values take units: rss and outstanding 2GiB,
 * 512MiB, 1.5GB; growth 10MiB/min, 100KiB/s; lost a count.
 */
int health_parse(const char *s, struct health_rule *rules, size_t max,
		 char *err, size_t err_len);

/* The figures a rule is checked against; known[m] false: not yet known
 * (the rule then holds). */
struct health_values {
	double v[HEALTH__MAX];
	bool known[HEALTH__MAX];
};

/* Does rule r hold for vals? */
bool health_holds(const struct health_rule *r, const struct health_values *vals);

#endif
