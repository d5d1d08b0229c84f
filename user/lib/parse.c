// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/parse.h"

int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	/* strtoull accepts "-1" and leading blanks: we don't. */
	if (!s || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_seconds(const char *s, double max, double *out)
{
	double v;
	char *end;

	/* Digits and a point only: strtod would also take "0x1p3" and "1e3". */
	if (!s || !(isdigit((unsigned char)s[0]) || s[0] == '.') ||
	    s[strspn(s, "0123456789.")] != '\0')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end != '\0' || !isfinite(v) || v <= 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_duration_ns(const char *s, uint64_t *out)
{
	static const struct {
		const char *suffix;
		double ns;
	} units[] = { { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 } };
	size_t n, i;
	double v, scale = 1e3;
	char num[64], *end;

	if (!s)
		return -1;
	n = strspn(s, "0123456789.");
	if (!n || n >= sizeof(num))
		return -1;
	if (s[n]) {
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (!strcmp(s + n, units[i].suffix))
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			return -1;
		scale = units[i].ns;
	}
	memcpy(num, s, n);
	num[n] = '\0';
	errno = 0;
	v = strtod(num, &end) * scale;
	/* A day at most: longer is not a block length anyone means. */
	if (errno || *end != '\0' || !isfinite(v) || v < 0 || v > 86400e9)
		return -1;
	*out = (uint64_t)(v + 0.5);
	return 0;
}

int parse_pid_list(const char *s, pid_t **pids, int *npids, const char **bad)
{
	const char *p = s;

	*bad = s;
	if (!s || !*s)
		return -1;
	while (*p) {
		char buf[32];
		size_t len = strcspn(p, ",");
		uint64_t v;
		pid_t *grown;

		*bad = p;
		if (len == 0 || len >= sizeof(buf))
			return -1;
		memcpy(buf, p, len);
		buf[len] = '\0';
		/* PID_MAX_LIMIT is 2^22 on 64-bit kernels. */
		if (parse_u64(buf, 1, 4194304, &v))
			return -1;
		grown = realloc(*pids, (*npids + 1) * sizeof(**pids));
		if (!grown)
			return -1;
		*pids = grown;
		(*pids)[(*npids)++] = (pid_t)v;
		p += len;
		if (*p == ',') {
			p++;
			if (!*p) {
				*bad = p;
				return -1;
			}
		}
	}
	return 0;
}

int parse_cpu_list(const char *s, bool *cpus, int max)
{
	int count = 0;

	if (max < 0)
		return -1;
	while (*s && *s != '\n') {
		unsigned long a, b;
		char *end;

		if (!isdigit((unsigned char)*s))
			return -1;
		errno = 0;
		a = strtoul(s, &end, 10);
		b = a;
		if (*end == '-') {
			if (!isdigit((unsigned char)end[1]))
				return -1;
			b = strtoul(end + 1, &end, 10);
		}
		if (errno || b < a)
			return -1;
		/* Stop at max: "0-4000000000" must not take minutes, and a
		 * number past LONG_MAX must not turn into a negative index. */
		for (; a <= b && a < (unsigned long)max; a++) {
			if (!cpus[a]) {
				cpus[a] = true;
				count++;
			}
		}
		s = end;
		if (*s == ',') {
			s++;
			if (!isdigit((unsigned char)*s))
				return -1;
		} else if (*s && *s != '\n') {
			return -1;
		}
	}
	return count;
}
