// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * CPython 3.11 code objects: their line tables (Objects/locations.md in
 * CPython's tree), their strings, and a cache per process.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "lib/hashmap.h"
#include "symbols/pycode.h"

/* ---- the line table ------------------------------------------------------ */

/* The kinds of entry (bits 3-6 of an entry's first byte). */
#define LOC_ONE_LINE0	10	/* 10-12: line delta 0-2, two column bytes */
#define LOC_ONE_LINE2	12
#define LOC_NO_COLUMNS	13	/* a signed varint line delta */
#define LOC_LONG	14	/* line delta, end line delta, columns + 1 */
#define LOC_NONE	15	/* no location: co_positions() says None */

/*
 * Varints are 6-bit chunks, least significant first, 0x40 meaning "more".
 * CPython accumulates them in an unsigned int; a real table never needs
 * more than 32 bits, so six chunks (36 bits) is the most a well-formed one
 * takes.  Bytes after an entry's first never have 0x80 set: that bit is
 * how an entry starts.
 */
static int read_varint(const uint8_t *tab, size_t len, size_t *pos,
		       uint64_t *val)
{
	unsigned int shift = 0;
	uint64_t v = 0;
	uint8_t b;

	do {
		if (*pos >= len || shift > 30)
			return -EINVAL;
		b = tab[(*pos)++];
		if (b & 0x80)
			return -EINVAL;
		v |= (uint64_t)(b & 0x3f) << shift;
		shift += 6;
	} while (b & 0x40);
	*val = v;
	return 0;
}

/* The low bit is the sign, the rest the magnitude. */
static int read_svarint(const uint8_t *tab, size_t len, size_t *pos,
			int64_t *val)
{
	uint64_t u;
	int err = read_varint(tab, len, pos, &u);

	if (err)
		return err;
	*val = (u & 1) ? -(int64_t)(u >> 1) : (int64_t)(u >> 1);
	return 0;
}

/* Column bytes of the short and one-line forms: skipped, but checked. */
static int skip_bytes(const uint8_t *tab, size_t len, size_t *pos, size_t n)
{
	if (len - *pos < n)
		return -EINVAL;
	for (; n; n--)
		if (tab[(*pos)++] & 0x80)
			return -EINVAL;
	return 0;
}

int py_linetable_line(const uint8_t *tab, size_t len, int firstlineno,
		      uint32_t lasti, int *line)
{
	int64_t cur = firstlineno;	/* the running line */
	uint64_t unit = 0;		/* the entry's first code unit */
	size_t pos = 0;

	while (pos < len) {
		uint8_t first = tab[pos++];
		unsigned int kind = (first >> 3) & 15;
		unsigned int units = (first & 7) + 1;
		int64_t delta = 0;
		uint64_t skip;
		int err = 0, i;

		if (!(first & 0x80))
			return -EINVAL;
		switch (kind) {
		case LOC_NONE:
			break;
		case LOC_LONG:
			err = read_svarint(tab, len, &pos, &delta);
			/* end line delta, start and end column + 1 */
			for (i = 0; i < 3 && !err; i++)
				err = read_varint(tab, len, &pos, &skip);
			break;
		case LOC_NO_COLUMNS:
			err = read_svarint(tab, len, &pos, &delta);
			break;
		case LOC_ONE_LINE0 ... LOC_ONE_LINE2:
			delta = kind - LOC_ONE_LINE0;
			err = skip_bytes(tab, len, &pos, 2);
			break;
		default:	/* short forms: same line, one column byte */
			err = skip_bytes(tab, len, &pos, 1);
			break;
		}
		if (err)
			return err;
		/*
		 * An entry without a location leaves the running line alone:
		 * the next entry's delta is from the last line there was (as
		 * CPython's advance() does; treating None as -1 and adding
		 * to it shifts every later line).
		 */
		if (kind != LOC_NONE) {
			cur += delta;
			/* Lines are never negative; a table that says so is
			 * not one CPython wrote, and -1 would read as None. */
			if (cur < 0 || cur > INT_MAX)
				return -EINVAL;
		}
		if (lasti < unit + units) {
			*line = kind == LOC_NONE ? -1 : (int)cur;
			return 0;
		}
		unit += units;
	}
	return -ENOENT;
}

/* ---- strings ------------------------------------------------------------- */

/* What must not reach a name: C0 and C1 controls, DEL, lone surrogates
 * (surrogateescape'd file names), line and paragraph separators and the
 * bidirectional overrides (they reorder the text around them), and what
 * is not a code point at all. */
static bool bad_char(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c < 0xa0) ||
	       (c >= 0xd800 && c < 0xe000) || c == 0x2028 || c == 0x2029 ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	       c > 0x10ffff;
}

char *py_str_utf8(const uint8_t *data, size_t n, unsigned int kind)
{
	char *s, *p;
	size_t i;

	if ((kind != 1 && kind != 2 && kind != 4) || n > (SIZE_MAX - 1) / 4)
		return NULL;
	s = malloc(n * 4 + 1);
	if (!s)
		return NULL;
	for (i = 0, p = s; i < n; i++) {
		uint32_t c;

		if (kind == 1) {
			c = data[i];
		} else if (kind == 2) {
			uint16_t u;

			memcpy(&u, data + i * 2, 2);
			c = u;
		} else {
			memcpy(&c, data + i * 4, 4);
		}
		if (bad_char(c)) {
			*p++ = '?';
		} else if (c < 0x80) {
			*p++ = c;
		} else if (c < 0x800) {
			*p++ = 0xc0 | (c >> 6);
			*p++ = 0x80 | (c & 0x3f);
		} else if (c < 0x10000) {
			*p++ = 0xe0 | (c >> 12);
			*p++ = 0x80 | ((c >> 6) & 0x3f);
			*p++ = 0x80 | (c & 0x3f);
		} else {
			*p++ = 0xf0 | (c >> 18);
			*p++ = 0x80 | ((c >> 12) & 0x3f);
			*p++ = 0x80 | ((c >> 6) & 0x3f);
			*p++ = 0x80 | (c & 0x3f);
		}
	}
	*p = 0;
	return s;
}

/* ---- reading objects ----------------------------------------------------- */

/*
 * 3.11's object headers (Include/cpython/unicodeobject.h and bytesobject.h,
 * checked with offsetof() against Debian 12's python3.11-dev).  3.12 drops
 * wstr and the ready bit (PyASCIIObject is 40 bytes there): these go into
 * struct py_offsets when another version is supported.
 */
#define OB_TYPE			8
#define OB_SIZE			16	/* PyVarObject */
#define STR_LENGTH		16	/* characters */
#define STR_STATE		32
#define STR_ASCII_SIZE		48	/* sizeof(PyASCIIObject) */
#define STR_COMPACT_SIZE	72	/* sizeof(PyCompactUnicodeObject) */
#define BYTES_DATA		32	/* PyBytesObject.ob_sval */

/* The state bitfield (a 32-bit word; gcc allocates from the low bit). */
#define STATE_KIND(s)		(((s) >> 2) & 7)
#define STATE_COMPACT		(1u << 5)
#define STATE_ASCII		(1u << 6)
#define STATE_READY		(1u << 7)

/* The most of a code object's head read at once. */
#define CODE_HEAD_MAX		512

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * A str object.  Only compact strings are read: the characters follow the
 * header, so no pointer is followed (the names of code objects are always
 * compact; a legacy string is refused).  The cached UTF-8 copy is not used
 * either: it is one more pointer, and would need checking all the same.
 */
static int read_str(py_read_fn rd, void *ctx, uint64_t addr, char **out)
{
	uint8_t head[STR_ASCII_SIZE];
	uint64_t data;
	uint8_t *buf;
	unsigned int kind;
	uint32_t state;
	int64_t length;
	size_t n;
	int err;

	if (!addr)
		return -EFAULT;
	err = rd(ctx, addr, head, sizeof(head));
	if (err)
		return err;
	memcpy(&length, head + STR_LENGTH, sizeof(length));
	memcpy(&state, head + STR_STATE, sizeof(state));
	kind = STATE_KIND(state);
	if (length < 0 || !(state & STATE_COMPACT) || !(state & STATE_READY))
		return -EINVAL;
	if (state & STATE_ASCII) {
		if (kind != 1)
			return -EINVAL;
		data = addr + STR_ASCII_SIZE;
	} else {
		if (kind != 1 && kind != 2 && kind != 4)
			return -EINVAL;
		data = addr + STR_COMPACT_SIZE;
	}
	n = length > PY_STR_MAX ? PY_STR_MAX : (size_t)length;
	buf = malloc(n * kind + 1);
	if (!buf)
		return -ENOMEM;
	err = n ? rd(ctx, data, buf, n * kind) : 0;
	if (!err) {
		*out = py_str_utf8(buf, n, kind);
		if (!*out)
			err = -ENOMEM;
	}
	free(buf);
	return err;
}

/* A bytes object's contents, cut to PY_LINETABLE_MAX. */
static int read_bytes(py_read_fn rd, void *ctx, uint64_t addr,
		      uint8_t **out, size_t *len)
{
	uint8_t head[BYTES_DATA];
	int64_t size;
	size_t n;
	int err;

	if (!addr)
		return -EFAULT;
	err = rd(ctx, addr, head, sizeof(head));
	if (err)
		return err;
	memcpy(&size, head + OB_SIZE, sizeof(size));
	if (size < 0)
		return -EINVAL;
	n = size > PY_LINETABLE_MAX ? PY_LINETABLE_MAX : (size_t)size;
	/* One byte more, so that an empty table is not a NULL pointer. */
	*out = malloc(n + 1);
	if (!*out)
		return -ENOMEM;
	err = n ? rd(ctx, addr + BYTES_DATA, *out, n) : 0;
	if (err) {
		free(*out);
		*out = NULL;
		return err;
	}
	*len = n;
	return 0;
}

void py_code_clear(struct py_code *c)
{
	if (!c)
		return;
	free(c->qualname);
	free(c->name);
	free(c->filename);
	free(c->linetable);
	memset(c, 0, sizeof(*c));
}

static size_t max_off(size_t a, size_t b)
{
	return a > b ? a : b;
}

int py_code_read_with(py_read_fn rd, void *ctx, uint64_t addr,
		      const struct py_offsets *off, uint64_t code_type,
		      struct py_code *out)
{
	uint8_t head[CODE_HEAD_MAX];
	size_t need;
	int32_t first;
	int err;

	memset(out, 0, sizeof(*out));
	if (!off)
		return -EINVAL;
	if (!addr)
		return -EFAULT;
	need = OB_TYPE + 8;
	need = max_off(need, (size_t)off->code_firstlineno + 4);
	need = max_off(need, (size_t)off->code_filename + 8);
	need = max_off(need, (size_t)off->code_name + 8);
	need = max_off(need, (size_t)off->code_qualname + 8);
	need = max_off(need, (size_t)off->code_linetable + 8);
	/* Also catches a version's "no such field" (0xffff). */
	if (need > sizeof(head))
		return -EINVAL;
	err = rd(ctx, addr, head, need);
	if (err)
		return err;
	if (code_type && get_u64(head + OB_TYPE) != code_type)
		return -EINVAL;
	memcpy(&first, head + off->code_firstlineno, sizeof(first));
	out->firstlineno = first;
	err = read_str(rd, ctx, get_u64(head + off->code_qualname),
		       &out->qualname);
	if (!err)
		err = read_str(rd, ctx, get_u64(head + off->code_name),
			       &out->name);
	if (!err)
		err = read_str(rd, ctx, get_u64(head + off->code_filename),
			       &out->filename);
	if (!err)
		err = read_bytes(rd, ctx, get_u64(head + off->code_linetable),
				 &out->linetable, &out->linetable_len);
	if (err)
		py_code_clear(out);
	return err;
}

static int read_process(void *ctx, uint64_t addr, void *buf, size_t len)
{
	pid_t pid = *(pid_t *)ctx;
	struct iovec local = { .iov_base = buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr,
				.iov_len = len };
	ssize_t n;

	n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	if (n < 0)
		return -errno;
	/* A read cut short ran into an unmapped page. */
	return (size_t)n == len ? 0 : -EFAULT;
}

int py_code_read(pid_t pid, uint64_t addr, const struct py_offsets *off,
		 uint64_t code_type, struct py_code *out)
{
	if (pid <= 0) {
		memset(out, 0, sizeof(*out));
		return -ESRCH;
	}
	return py_code_read_with(read_process, &pid, addr, off, code_type, out);
}

int py_code_line(const struct py_code *c, uint32_t lasti)
{
	int line;

	if (lasti == PY_LASTI_NONE ||
	    py_linetable_line(c->linetable, c->linetable_len, c->firstlineno,
			      lasti, &line) || line < 0)
		return c->firstlineno;
	return line;
}

/* ---- the cache ----------------------------------------------------------- */

struct py_code_entry {
	struct py_code code;
	int err;			/* 0, or what the read returned */
	struct py_code_entry *next;	/* the process's entries */
};

/* One process's code objects. */
struct py_proc_codes {
	pid_t pid;
	struct u64map *by_addr;		/* address -> struct py_code_entry * */
	struct py_code_entry *entries;
	size_t n, bytes;		/* counted in the cache's totals */
	struct py_proc_codes *prev, *next;
};

struct py_codes {
	struct u64map *procs;		/* pid -> struct py_proc_codes * */
	struct py_proc_codes *list;
	size_t n, bytes;		/* entries and their bytes, all processes */
	struct py_code scratch;		/* the last read not kept (full) */
};

struct py_codes *py_codes__new(void)
{
	struct py_codes *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->procs = u64map__new();
	if (!c->procs) {
		free(c);
		return NULL;
	}
	return c;
}

static void proc_free(struct py_proc_codes *p)
{
	struct py_code_entry *e, *next;

	for (e = p->entries; e; e = next) {
		next = e->next;
		py_code_clear(&e->code);
		free(e);
	}
	u64map__free(p->by_addr);
	free(p);
}

static size_t entry_bytes(const struct py_code_entry *e)
{
	size_t n = sizeof(*e) + e->code.linetable_len;

	if (!e->err)
		n += strlen(e->code.qualname) + strlen(e->code.name) +
		     strlen(e->code.filename) + 3;
	return n;
}

static struct py_proc_codes *proc_get(struct py_codes *c, pid_t pid)
{
	struct py_proc_codes *p;
	uint64_t v;

	if (u64map__get(c->procs, (uint32_t)pid, &v))
		return (struct py_proc_codes *)(uintptr_t)v;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	p->by_addr = u64map__new();
	if (!p->by_addr || u64map__set(c->procs, (uint32_t)pid, (uintptr_t)p)) {
		u64map__free(p->by_addr);
		free(p);
		return NULL;
	}
	p->next = c->list;
	if (c->list)
		c->list->prev = p;
	c->list = p;
	return p;
}

const struct py_code *py_codes__get(struct py_codes *c, pid_t pid,
				    uint64_t addr, const struct py_offsets *off,
				    uint64_t code_type)
{
	struct py_proc_codes *p = NULL;
	struct py_code_entry *e;
	struct py_code code;
	uint64_t v;
	size_t bytes;
	int err;

	if (!off) {
		errno = EINVAL;
		return NULL;
	}
	if (u64map__get(c->procs, (uint32_t)pid, &v)) {
		p = (struct py_proc_codes *)(uintptr_t)v;
		if (u64map__get(p->by_addr, addr, &v)) {
			e = (struct py_code_entry *)(uintptr_t)v;
			if (e->err) {
				errno = -e->err;
				return NULL;
			}
			return &e->code;
		}
	}
	err = py_code_read(pid, addr, off, code_type, &code);
	/* Our own shortage says nothing about the code object. */
	if (err == -ENOMEM) {
		errno = -err;
		return NULL;
	}
	e = NULL;
	if (c->n < PY_CODES_MAX && c->bytes < PY_CODES_MAX_BYTES) {
		e = calloc(1, sizeof(*e));
		p = e ? proc_get(c, pid) : NULL;
		if (!p || u64map__set(p->by_addr, addr, (uintptr_t)e)) {
			free(e);
			e = NULL;
		}
	}
	if (!e) {
		/* Full (or short of memory): the read is not kept, and lives
		 * in the scratch entry until the next. */
		py_code_clear(&c->scratch);
		if (err) {
			errno = -err;
			return NULL;
		}
		c->scratch = code;
		return &c->scratch;
	}
	e->code = code;
	e->err = err;
	e->next = p->entries;
	p->entries = e;
	bytes = entry_bytes(e);
	p->n++;
	p->bytes += bytes;
	c->n++;
	c->bytes += bytes;
	if (err) {
		errno = -err;
		return NULL;
	}
	return &e->code;
}

static bool same_code(const struct py_code *a, const struct py_code *b)
{
	return a->firstlineno == b->firstlineno &&
	       a->linetable_len == b->linetable_len &&
	       !strcmp(a->qualname, b->qualname) && !strcmp(a->name, b->name) &&
	       !strcmp(a->filename, b->filename) &&
	       !memcmp(a->linetable, b->linetable, a->linetable_len);
}

int py_codes__refresh(struct py_codes *c, pid_t pid, uint64_t addr,
		      const struct py_offsets *off, uint64_t code_type)
{
	struct py_proc_codes *p;
	struct py_code_entry *e;
	struct py_code code;
	uint64_t v;
	size_t before;

	if (!u64map__get(c->procs, (uint32_t)pid, &v))
		return py_codes__get(c, pid, addr, off, code_type) ? 0 : -errno;
	p = (struct py_proc_codes *)(uintptr_t)v;
	if (!u64map__get(p->by_addr, addr, &v))
		return py_codes__get(c, pid, addr, off, code_type) ? 0 : -errno;
	e = (struct py_code_entry *)(uintptr_t)v;
	/* Unreadable now (freed, or the process gone): what was read
	 * before still names the frames seen before. */
	if (py_code_read(pid, addr, off, code_type, &code))
		return 0;
	if (!e->err && same_code(&e->code, &code)) {
		py_code_clear(&code);
		return 0;
	}
	before = entry_bytes(e);
	py_code_clear(&e->code);
	e->code = code;
	e->err = 0;
	p->bytes -= before;
	c->bytes -= before;
	before = entry_bytes(e);
	p->bytes += before;
	c->bytes += before;
	return 1;
}

void py_codes__forget(struct py_codes *c, pid_t pid)
{
	struct py_proc_codes *p;
	uint64_t v;

	if (!c || !u64map__get(c->procs, (uint32_t)pid, &v))
		return;
	p = (struct py_proc_codes *)(uintptr_t)v;
	u64map__del(c->procs, (uint32_t)pid);
	if (p->prev)
		p->prev->next = p->next;
	else
		c->list = p->next;
	if (p->next)
		p->next->prev = p->prev;
	c->n -= p->n;
	c->bytes -= p->bytes;
	proc_free(p);
}

void py_codes__free(struct py_codes *c)
{
	struct py_proc_codes *p, *next;

	if (!c)
		return;
	for (p = c->list; p; p = next) {
		next = p->next;
		proc_free(p);
	}
	u64map__free(c->procs);
	py_code_clear(&c->scratch);
	free(c);
}
