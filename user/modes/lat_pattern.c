// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <ctype.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modes/lat_pattern.h"

/* Longest glob and name the distance looks at; longer ones are cut. */
#define MAX_TOKENS	256
#define MAX_NAME	1024
/* The distance of a glob too long to score. */
#define FAR		(INT_MAX / 4)

int lat_pattern__parse(const char *text, struct lat_pattern *p, const char **why)
{
	const char *colon = strchr(text, ':');

	memset(p, 0, sizeof(*p));
	p->text = text;
	p->glob = text;
	if (colon && colon[1] != ':') {
		if (colon == text) {
			*why = "empty MODULE before ':'";
			return -1;
		}
		p->module = strndup(text, colon - text);
		if (!p->module) {
			*why = "out of memory";
			return -1;
		}
		p->module_is_path = strchr(p->module, '/') != NULL;
		p->glob = colon + 1;
	}
	if (!*p->glob) {
		*why = "empty function pattern";
		lat_pattern__free(p);
		return -1;
	}
	return 0;
}

void lat_pattern__free(struct lat_pattern *p)
{
	free(p->module);
	p->module = NULL;
}

bool lat_pattern__names_file(const struct lat_pattern *p, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len;

	if (!p->module || p->module_is_path)
		return false;
	base = base ? base + 1 : path;
	len = strlen(p->module);
	return !strncmp(base, p->module, len) &&
	       (base[len] == '\0' || base[len] == '.' || base[len] == '-');
}

/* "ns::W::get(int) const" -> "ns::W::get": cut at the '(' that opens the
 * last parameter list.  False when there is none or it doesn't fit. */
static bool without_args(const char *s, char *buf, size_t len)
{
	const char *close = strrchr(s, ')'), *q;
	int depth = 0;

	if (!close)
		return false;
	for (q = close; q >= s; q--) {
		if (*q == ')')
			depth++;
		else if (*q == '(' && --depth == 0)
			break;
	}
	if (q <= s || (size_t)(q - s) >= len)
		return false;
	memcpy(buf, s, q - s);
	buf[q - s] = '\0';
	return true;
}

bool lat_pattern__matches(const struct lat_pattern *p, const char *name,
			  const char *demangled)
{
	char buf[4096];

	if (!fnmatch(p->glob, name, 0))
		return true;
	if (!demangled)
		return false;
	if (!fnmatch(p->glob, demangled, 0))
		return true;
	return without_args(demangled, buf, sizeof(buf)) &&
	       !fnmatch(p->glob, buf, 0);
}

/* ---- distance ----------------------------------------------------------- */

enum tok_kind { T_LIT, T_ANY, T_STAR, T_CLASS };

struct tok {
	enum tok_kind kind;
	char c;			/* T_LIT */
	const char *cls;	/* T_CLASS: between '[' and ']' */
	size_t cls_len;
};

/* Split glob as fnmatch reads it; -1 if it has more than max tokens. */
static int tokenize(const char *g, struct tok *t, int max)
{
	int n = 0;
	size_t i = 0, j;

	while (g[i]) {
		if (n == max)
			return -1;
		memset(&t[n], 0, sizeof(t[n]));
		if (g[i] == '*') {
			while (g[i] == '*')
				i++;
			t[n++].kind = T_STAR;
			continue;
		}
		if (g[i] == '?') {
			t[n++].kind = T_ANY;
			i++;
			continue;
		}
		if (g[i] == '[') {
			j = i + 1;
			if (g[j] == '!' || g[j] == '^')
				j++;
			if (g[j] == ']')
				j++;
			while (g[j] && g[j] != ']')
				j++;
			if (g[j] == ']') {
				t[n].kind = T_CLASS;
				t[n].cls = g + i + 1;
				t[n].cls_len = j - i - 1;
				n++;
				i = j + 1;
				continue;
			}
		}
		if (g[i] == '\\' && g[i + 1])
			i++;
		t[n].kind = T_LIT;
		t[n++].c = g[i++];
	}
	return n;
}

static bool same(char a, char b)
{
	return tolower((unsigned char)a) == tolower((unsigned char)b);
}

static bool in_class(const struct tok *t, char c)
{
	const char *s = t->cls, *end = t->cls + t->cls_len;
	int lc = tolower((unsigned char)c), uc = toupper((unsigned char)c);
	bool neg = false, hit = false;

	if (s < end && (*s == '!' || *s == '^')) {
		neg = true;
		s++;
	}
	for (; s < end; s++) {
		if (s + 2 < end && s[1] == '-') {
			if ((lc >= s[0] && lc <= s[2]) || (uc >= s[0] && uc <= s[2]))
				hit = true;
			s += 2;
			continue;
		}
		if (same(*s, c))
			hit = true;
	}
	return hit != neg;
}

static bool tok_matches(const struct tok *t, char c)
{
	switch (t->kind) {
	case T_LIT:
		return same(t->c, c);
	case T_CLASS:
		return in_class(t, c);
	default:
		return true;
	}
}

static int min2(int a, int b)
{
	return a < b ? a : b;
}

int glob_distance(const char *glob, const char *name)
{
	int rows[3][MAX_NAME + 1];
	struct tok t[MAX_TOKENS];
	int *pp = rows[0], *p = rows[1], *c = rows[2], *tmp;
	int nt = tokenize(glob, t, MAX_TOKENS), i, j, v;
	int n = (int)strnlen(name, MAX_NAME);

	if (nt < 0)
		return FAR;
	/* p: row i-1, pp: row i-2, c: row i.  Row 0: nothing of the glob
	 * used, every name character extra. */
	for (j = 0; j <= n; j++)
		p[j] = j;
	for (i = 1; i <= nt; i++) {
		const struct tok *k = &t[i - 1];

		c[0] = p[0] + (k->kind == T_STAR ? 0 : 1);
		for (j = 1; j <= n; j++) {
			if (k->kind == T_STAR) {
				c[j] = min2(p[j], c[j - 1]);
				continue;
			}
			v = min2(p[j] + 1, c[j - 1] + 1);
			v = min2(v, p[j - 1] + !tok_matches(k, name[j - 1]));
			if (i >= 2 && j >= 2 && k->kind == T_LIT &&
			    t[i - 2].kind == T_LIT && same(k->c, name[j - 2]) &&
			    same(t[i - 2].c, name[j - 1]))
				v = min2(v, pp[j - 2] + 1);
			c[j] = v;
		}
		tmp = pp;
		pp = p;
		p = c;
		c = tmp;
	}
	return p[n];
}

int glob_common(const char *glob, const char *name)
{
	int rows[2][MAX_NAME + 1];
	struct tok t[MAX_TOKENS];
	int nt = tokenize(glob, t, MAX_TOKENS), n = (int)strnlen(name, MAX_NAME);
	int best = 0, i, j, *prev = rows[0], *cur = rows[1], *tmp;

	if (nt < 0)
		return 0;
	/* One pass over the tokens: a run restarts after every wildcard. */
	for (j = 0; j <= n; j++)
		prev[j] = 0;
	for (i = 0; i < nt; i++) {
		cur[0] = 0;
		for (j = 1; j <= n; j++) {
			cur[j] = t[i].kind == T_LIT && same(t[i].c, name[j - 1]) ?
				 prev[j - 1] + 1 : 0;
			if (cur[j] > best)
				best = cur[j];
		}
		tmp = prev;
		prev = cur;
		cur = tmp;
	}
	return best;
}

/* ---- near misses -------------------------------------------------------- */

void near_misses__init(struct near_misses *nm, const char *glob)
{
	struct tok t[MAX_TOKENS];
	int nt = tokenize(glob, t, MAX_TOKENS), i;

	memset(nm, 0, sizeof(*nm));
	nm->glob = glob;
	for (i = 0; i < nt; i++)
		nm->literal_len += t[i].kind == T_LIT;
}

/* a ranks before b. */
static bool better(const struct near_miss *a, const struct near_miss *b)
{
	size_t la = strlen(a->name), lb = strlen(b->name);

	if (a->dist != b->dist)
		return a->dist < b->dist;
	if (a->common != b->common)
		return a->common > b->common;
	if (la != lb)
		return la < lb;
	return strcmp(a->name, b->name) < 0;
}

void near_misses__offer(struct near_misses *nm, const char *shown,
			const char *alt)
{
	int limit = nm->literal_len / 3 > 1 ? nm->literal_len / 3 : 1;
	int run = nm->literal_len < 4 ? nm->literal_len : 4;
	struct near_miss m;
	int i, k;

	m.dist = glob_distance(nm->glob, shown);
	m.common = glob_common(nm->glob, shown);
	if (alt) {
		m.dist = min2(m.dist, glob_distance(nm->glob, alt));
		k = glob_common(nm->glob, alt);
		m.common = k > m.common ? k : m.common;
	}
	if (m.dist > limit && (!run || m.common < run))
		return;
	snprintf(m.name, sizeof(m.name), "%s", shown);
	for (i = 0; i < nm->n; i++) {
		if (strcmp(nm->v[i].name, m.name))
			continue;
		if (!better(&m, &nm->v[i]))
			return;
		/* Same name, better score: take its place, then re-sort. */
		memmove(&nm->v[i], &nm->v[i + 1], (nm->n - i - 1) * sizeof(m));
		nm->n--;
		break;
	}
	for (i = nm->n; i > 0 && better(&m, &nm->v[i - 1]); i--)
		;
	if (i >= NEAR_MISSES_MAX)
		return;
	k = nm->n < NEAR_MISSES_MAX ? nm->n : NEAR_MISSES_MAX - 1;
	memmove(&nm->v[i + 1], &nm->v[i], (k - i) * sizeof(m));
	nm->v[i] = m;
	if (nm->n < NEAR_MISSES_MAX)
		nm->n++;
}

void near_misses__format(const struct near_misses *nm, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < nm->n && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
				 nm->v[i].name);
}
