// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/health.h"

static const char *const names[HEALTH__MAX] = {
	[HEALTH_RSS] = "rss", [HEALTH_GROWTH] = "growth", [HEALTH_LOST] = "lost",
	[HEALTH_OUTSTANDING] = "outstanding",
};

/* A size unit's bytes; 0 if s is none.  Binary (KiB) and decimal (KB). */
static double size_unit(const char *s, size_t n)
{
	static const struct {
		const char *u;
		double bytes;
	} units[] = {
		{ "B", 1 }, { "KiB", 1024.0 }, { "MiB", 1048576.0 },
		{ "GiB", 1073741824.0 }, { "TiB", 1099511627776.0 },
		{ "KB", 1e3 }, { "MB", 1e6 }, { "GB", 1e9 }, { "TB", 1e12 },
		{ "k", 1024.0 }, { "K", 1024.0 }, { "M", 1048576.0 },
		{ "G", 1073741824.0 },
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i].u) == n && !strncmp(s, units[i].u, n))
			return units[i].bytes;
	return 0;
}

/* The value of one rule: "2GiB", "10MiB/min", "0". */
static int parse_value(enum health_metric m, const char *s, double *out)
{
	char num[32], *stop;
	const char *end, *per;
	double v, scale = 1;
	size_t n = strspn(s, "0123456789.");

	/* Digits and a point only: strtod would take "0x10" and "1e3" too. */
	if (!n || n >= sizeof(num))
		return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	errno = 0;
	v = strtod(num, &stop);
	if (errno || *stop || !isfinite(v) || v < 0)
		return -1;
	end = s + n;
	if (m == HEALTH_LOST) {
		if (*end || v != floor(v))
			return -1;
		*out = v;
		return 0;
	}
	per = strchr(end, '/');
	n = per ? (size_t)(per - end) : strlen(end);
	if (n) {
		scale = size_unit(end, n);
		if (!scale)
			return -1;
	}
	if ((m == HEALTH_RSS || m == HEALTH_OUTSTANDING) && per)
		return -1;
	if (m == HEALTH_GROWTH && per) {
		if (!strcmp(per, "/s"))
			scale *= 60;
		else if (strcmp(per, "/min"))
			return -1;
	}
	*out = v * scale;
	return 0;
}

int health_parse(const char *s, struct health_rule *rules, size_t max,
		 char *err, size_t err_len)
{
	char *copy = strdup(s ? s : ""), *rest = copy, *rule, *p;
	size_t n = 0, k, len;
	int m;

	if (!copy) {
		snprintf(err, err_len, "out of memory");
		return -1;
	}
	while ((rule = strsep(&rest, ","))) {
		struct health_rule *r = &rules[n];

		while (*rule == ' ')
			rule++;
		len = strlen(rule);
		while (len && rule[len - 1] == ' ')
			rule[--len] = '\0';
		if (!len) {
			snprintf(err, err_len, "an empty rule in '%s'", s);
			goto bad;
		}
		if (n == max) {
			snprintf(err, err_len, "more than %zu rules", max);
			goto bad;
		}
		for (m = 0; m < HEALTH__MAX; m++) {
			k = strlen(names[m]);
			if (!strncmp(rule, names[m], k) && strchr("<>=!", rule[k]))
				break;
		}
		if (m == HEALTH__MAX) {
			snprintf(err, err_len, "rule '%s': expected rss, growth, lost or outstanding, "
				 "then <, <=, >, >=, == or !=", rule);
			goto bad;
		}
		p = rule + strlen(names[m]);
		if (!strncmp(p, "<=", 2))
			r->op = H_LE, p += 2;
		else if (!strncmp(p, ">=", 2))
			r->op = H_GE, p += 2;
		else if (!strncmp(p, "==", 2))
			r->op = H_EQ, p += 2;
		else if (!strncmp(p, "!=", 2))
			r->op = H_NE, p += 2;
		else if (*p == '<')
			r->op = H_LT, p++;
		else if (*p == '>')
			r->op = H_GT, p++;
		else {
			snprintf(err, err_len, "rule '%s': no comparison", rule);
			goto bad;
		}
		r->metric = (enum health_metric)m;
		if (parse_value(r->metric, p, &r->value)) {
			snprintf(err, err_len, "rule '%s': bad value '%s' (rss: 2GiB; "
				 "growth: 10MiB/min or 100KiB/s; lost: a count; outstanding: 1GiB)",
				 rule, p);
			goto bad;
		}
		snprintf(r->text, sizeof(r->text), "%s", rule);
		n++;
	}
	free(copy);
	if (!n) {
		snprintf(err, err_len, "no rule");
		return -1;
	}
	return (int)n;
bad:
	free(copy);
	return -1;
}

bool health_holds(const struct health_rule *r, const struct health_values *vals)
{
	double v = vals->v[r->metric];

	if (!vals->known[r->metric])
		return true;
	switch (r->op) {
	case H_LT:
		return v < r->value;
	case H_LE:
		return v <= r->value;
	case H_GT:
		return v > r->value;
	case H_GE:
		return v >= r->value;
	case H_EQ:
		return v == r->value;
	case H_NE:
		return v != r->value;
	}
	return true;
}
