// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/array.h"
#include "symbols/perfmap.h"
#include "symbols/targetfs.h"

/* One line of the file. */
struct pm_entry {
	uint64_t start, end;	/* [start, end) */
	size_t seq;		/* line order: the later line wins */
	size_t name;		/* offset into names */
};

/*
 * What lookups search: disjoint address ranges, sorted, each owned by the
 * function that the last line covering it names.  A function partly
 * overwritten by later code keeps the ranges it still owns, and offsets stay
 * relative to its real start.
 */
struct pm_range {
	uint64_t start, end;	/* [start, end) */
	uint64_t func;		/* start of the owning function */
	size_t name;		/* offset into names */
};

struct perfmap {
	struct pm_range *v;
	size_t n;
	char *names;		/* every name, NUL-terminated, back to back */
	size_t names_len, names_cap;
	size_t skipped;
	bool truncated;		/* stopped at PERFMAP_MAX_BYTES */
};

void perfmap__free(struct perfmap *m)
{
	if (!m)
		return;
	free(m->v);
	free(m->names);
	free(m);
}

size_t perfmap__skipped(const struct perfmap *m)
{
	return m->skipped;
}

bool perfmap__truncated(const struct perfmap *m)
{
	return m->truncated;
}

/* A buffered reader that counts what it read: a perf map is scanned in
 * blocks, not byte by byte (a hostile one may be 64 MiB of zeros). */
struct reader {
	FILE *f;
	char block[65536];
	size_t pos, len;
	size_t total;		/* bytes consumed */
	bool eof;
};

static bool fill(struct reader *r)
{
	if (r->pos < r->len)
		return true;
	if (r->eof)
		return false;
	r->len = fread(r->block, 1, sizeof(r->block), r->f);
	r->pos = 0;
	if (r->len == 0)
		r->eof = true;
	return r->len > 0;
}

/*
 * One line into buf (len bytes), without its newline: its length, or -1 at
 * the end.  A longer line is read to its end and dropped (*toolong set).
 */
static ssize_t read_line(struct reader *r, char *buf, size_t len, bool *toolong)
{
	size_t n = 0;
	bool any = false;

	*toolong = false;
	while (fill(r)) {
		char *start = r->block + r->pos;
		size_t avail = r->len - r->pos;
		char *nl = memchr(start, '\n', avail);
		size_t take = nl ? (size_t)(nl - start) : avail;

		any = true;
		if (n + take < len) {
			memcpy(buf + n, start, take);
			n += take;
		} else {
			*toolong = true;
		}
		r->pos += take + (nl ? 1 : 0);
		r->total += take + (nl ? 1 : 0);
		if (nl)
			break;
	}
	if (!any)
		return -1;
	buf[n < len ? n : len - 1] = '\0';
	return (ssize_t)n;
}

/*
 * A hex number at *s, with or without 0x: no sign, no leading blanks, which
 * strtoull would allow.  *s moves past it.
 */
static int parse_hex(const char **s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!isxdigit((unsigned char)**s))
		return -1;
	errno = 0;
	v = strtoull(*s, &end, 16);
	if (errno)
		return -1;
	*out = v;
	*s = end;
	return 0;
}

/* One or more blanks between fields. */
static int skip_blanks(const char **s)
{
	if (**s != ' ' && **s != '\t')
		return -1;
	while (**s == ' ' || **s == '\t')
		(*s)++;
	return 0;
}

/*
 * "START SIZE NAME" without its line end.  A JIT may still be writing the
 * last line while we read: a line cut inside START or SIZE has no NAME yet
 * and is rejected, so a cut line can only lose the end of its name.
 */
static int parse_line(const char *line, uint64_t *start, uint64_t *size,
		      const char **name)
{
	const char *s = line;

	if (parse_hex(&s, start) || skip_blanks(&s) ||
	    parse_hex(&s, size) || skip_blanks(&s) || *s == '\0')
		return -1;
	if (*size > UINT64_MAX - *start)
		return -1;
	*name = s;
	return 0;
}

static int add_name(struct perfmap *m, const char *name, size_t *off)
{
	size_t len = strlen(name) + 1;

	if (len > SIZE_MAX / 2 - m->names_len)
		return -1;
	if (m->names_len + len > m->names_cap) {
		size_t cap = m->names_cap ? m->names_cap : 4096;
		char *v;

		while (cap < m->names_len + len)
			cap *= 2;
		v = realloc(m->names, cap);
		if (!v)
			return -1;
		m->names = v;
		m->names_cap = cap;
	}
	memcpy(m->names + m->names_len, name, len);
	*off = m->names_len;
	m->names_len += len;
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct pm_entry *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A max-heap of indices into the entries, ordered by line number. */
struct pm_heap {
	size_t *v;
	size_t n;
	const struct pm_entry *ent;
};

static bool heap_above(const struct pm_heap *h, size_t i, size_t j)
{
	return h->ent[h->v[i]].seq > h->ent[h->v[j]].seq;
}

static void heap_swap(struct pm_heap *h, size_t i, size_t j)
{
	size_t t = h->v[i];

	h->v[i] = h->v[j];
	h->v[j] = t;
}

static void heap_push(struct pm_heap *h, size_t idx)
{
	size_t i = h->n++;

	h->v[i] = idx;
	while (i && heap_above(h, i, (i - 1) / 2)) {
		heap_swap(h, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_pop(struct pm_heap *h)
{
	size_t i = 0;

	h->v[0] = h->v[--h->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, top = i;

		if (l < h->n && heap_above(h, l, top))
			top = l;
		if (r < h->n && heap_above(h, r, top))
			top = r;
		if (top == i)
			break;
		heap_swap(h, i, top);
		i = top;
	}
}

/*
 * Turn the lines into owned ranges: sweep the range boundaries in address
 * order, keeping the entries that cover the current point in a heap; the
 * latest line among them owns the stretch up to the next boundary.  Entries
 * that ended leave the heap when they reach its top, which is soon enough,
 * as only the top is ever asked.  O(n log n) where re-emitted code makes
 * inserting into a sorted list quadratic.
 */
static int build_ranges(struct perfmap *m, struct pm_entry *ent, size_t n)
{
	struct pm_heap h = { .ent = ent };
	uint64_t *bounds = NULL;
	size_t nb = 0, b, k = 0, i;
	int err = -1;

	if (n == 0)
		return 0;
	qsort(ent, n, sizeof(*ent), cmp_entry);
	bounds = calloc(2 * n, sizeof(*bounds));
	h.v = calloc(n, sizeof(*h.v));
	/* Each boundary but the last starts at most one range. */
	m->v = calloc(2 * n, sizeof(*m->v));
	if (!bounds || !h.v || !m->v)
		goto out;
	for (i = 0; i < n; i++) {
		bounds[nb++] = ent[i].start;
		bounds[nb++] = ent[i].end;
	}
	qsort(bounds, nb, sizeof(*bounds), cmp_u64);
	for (i = 1, b = 1; i < nb; i++)
		if (bounds[i] != bounds[b - 1])
			bounds[b++] = bounds[i];
	nb = b;

	for (b = 0; b + 1 < nb; b++) {
		uint64_t x = bounds[b];
		const struct pm_entry *top;
		struct pm_range *last = m->n ? &m->v[m->n - 1] : NULL;

		while (k < n && ent[k].start <= x)
			heap_push(&h, k++);
		while (h.n && ent[h.v[0]].end <= x)
			heap_pop(&h);
		if (!h.n)
			continue;
		top = &ent[h.v[0]];
		/* One function's stretches, or a line repeated, make one range. */
		if (last && last->end == x && last->func == top->start &&
		    !strcmp(m->names + last->name, m->names + top->name)) {
			last->end = bounds[b + 1];
			continue;
		}
		m->v[m->n].start = x;
		m->v[m->n].end = bounds[b + 1];
		m->v[m->n].func = top->start;
		m->v[m->n].name = top->name;
		m->n++;
	}
	err = 0;
out:
	free(bounds);
	free(h.v);
	return err;
}

struct perfmap *perfmap__parse(FILE *f)
{
	struct perfmap *m = calloc(1, sizeof(*m));
	struct pm_entry *ent = NULL;
	size_t n = 0, cap = 0;
	char *line = malloc(PERFMAP_MAX_LINE);
	struct reader *rd = calloc(1, sizeof(*rd));
	bool toolong;
	ssize_t len;
	int err = ENOMEM;

	if (!m || !line || !rd) {
		free(m);
		free(line);
		free(rd);
		return NULL;
	}
	rd->f = f;
	/* The file is the target's: bounded in line length and in size (a
	 * sparse file of zeros costs its writer nothing). */
	while ((len = read_line(rd, line, PERFMAP_MAX_LINE, &toolong)) >= 0) {
		uint64_t start, size;
		const char *name;

		if (rd->total > PERFMAP_MAX_BYTES) {
			m->truncated = true;
			break;
		}
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		if (len == 0 && !toolong)
			continue;
		/* A NUL inside would silently cut the name. */
		if (toolong || strlen(line) != (size_t)len ||
		    parse_line(line, &start, &size, &name)) {
			m->skipped++;
			continue;
		}
		if (GROW(ent, n, cap))
			goto fail;
		if (add_name(m, name, &ent[n].name))
			goto fail;
		ent[n].start = start;
		ent[n].end = start + size;
		ent[n].seq = n;
		n++;
	}
	if (ferror(f)) {
		err = EIO;
		goto fail;
	}
	if (build_ranges(m, ent, n))
		goto fail;
	free(line);
	free(rd);
	free(ent);
	return m;
fail:
	free(line);
	free(rd);
	free(ent);
	perfmap__free(m);
	errno = err;
	return NULL;
}

bool perfmap__lookup(const struct perfmap *m, uint64_t addr,
		     const char **name, uint64_t *offset)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct pm_range *r = &m->v[mid];

		if (addr < r->start) {
			hi = mid;
		} else if (addr >= r->end) {
			lo = mid + 1;
		} else {
			*name = m->names + r->name;
			*offset = addr - r->func;
			return true;
		}
	}
	return false;
}

/*
 * Blank-separated decimal numbers of a /proc/PID/status line, after its
 * "Key:".  Returns how many were read (at most max), -1 if malformed.
 */
static int parse_status_ids(const char *s, uint64_t *v, int max)
{
	int n = 0;

	for (;;) {
		unsigned long long x;
		char *end;

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\n' || *s == '\0')
			return n;
		if (!isdigit((unsigned char)*s) || n == max)
			return -1;
		errno = 0;
		x = strtoull(s, &end, 10);
		if (errno || (*end != ' ' && *end != '\t' && *end != '\n' &&
			      *end != '\0'))
			return -1;
		v[n++] = x;
		s = end;
	}
}

struct proc_ids {
	pid_t nspid;		/* pid in the process's own PID namespace */
	uid_t ruid, euid;
};

/* The ids perfmap__load needs; -1 with errno on failure. */
static int read_proc_ids(pid_t pid, struct proc_ids *ids)
{
	/* Far more PID namespace levels than the kernel allows (32). */
	uint64_t v[40];
	char path[64], *line = NULL;
	size_t cap = 0;
	bool have_uid = false;
	FILE *f;
	int n, err = EINVAL;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	/* Kernels before 4.1 have no NSpid: namespaces can't hide the pid. */
	ids->nspid = pid;
	while (getline(&line, &cap, f) > 0) {
		if (!strncmp(line, "NSpid:", 6)) {
			n = parse_status_ids(line + 6, v, 40);
			if (n < 1 || v[n - 1] == 0 || v[n - 1] > INT_MAX)
				goto out;
			ids->nspid = v[n - 1];
		} else if (!strncmp(line, "Uid:", 4)) {
			n = parse_status_ids(line + 4, v, 4);
			if (n < 2 || v[0] > UINT32_MAX || v[1] > UINT32_MAX)
				goto out;
			ids->ruid = v[0];
			ids->euid = v[1];
			have_uid = true;
		}
	}
	if (ferror(f))
		err = EIO;
	else if (have_uid)
		err = 0;
out:
	free(line);
	fclose(f);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

struct perfmap *perfmap__load(pid_t pid)
{
	char path[96];
	struct proc_ids ids = {};
	struct perfmap *m;
	struct stat st;
	FILE *f;
	int fd, err;

	if (read_proc_ids(pid, &ids))
		return NULL;
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)ids.nspid);
	/*
	 * As the process sees it, resolved inside its root (a /tmp that is a
	 * symlink leads nowhere outside), not through a symlink someone
	 * planted, and a FIFO must not block us: a regular file.
	 */
	fd = tfs_open_in_root(pid, path);
	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	if (fstat(fd, &st)) {
		err = errno;
		goto fail;
	}
	/* The process may name its own code, nobody else may. */
	if (st.st_uid != 0 && st.st_uid != ids.ruid && st.st_uid != ids.euid) {
		err = EACCES;
		goto fail;
	}
	f = fdopen(fd, "r");
	if (!f) {
		err = errno;
		goto fail;
	}
	m = perfmap__parse(f);
	err = errno;
	fclose(f);
	errno = err;
	return m;
fail:
	close(fd);
	errno = err;
	return NULL;
}
