// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "io/protobuf.h"

/* A varint takes at most 10 bytes: 64 bits, 7 per byte. */
#define VARINT_MAX 10

static bool reserve(struct pb_buf *b, size_t more)
{
	size_t cap;
	uint8_t *d;

	if (b->oom)
		return false;
	if (b->len + more <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + more) {
		if (cap > SIZE_MAX / 2) {
			b->oom = true;
			return false;
		}
		cap *= 2;
	}
	d = realloc(b->data, cap);
	if (!d) {
		b->oom = true;
		return false;
	}
	b->data = d;
	b->cap = cap;
	return true;
}

void pb_buf__free(struct pb_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void pb_buf__reset(struct pb_buf *b)
{
	b->len = 0;
}

void pb__varint(struct pb_buf *b, uint64_t v)
{
	if (!reserve(b, VARINT_MAX))
		return;
	while (v >= 0x80) {
		b->data[b->len++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	b->data[b->len++] = (uint8_t)v;
}

void pb__tag(struct pb_buf *b, uint32_t field, enum pb_wire wire)
{
	pb__varint(b, (uint64_t)field << 3 | wire);
}

void pb__uint(struct pb_buf *b, uint32_t field, uint64_t v)
{
	pb__tag(b, field, PB_VARINT);
	pb__varint(b, v);
}

void pb__uint_opt(struct pb_buf *b, uint32_t field, uint64_t v)
{
	if (v)
		pb__uint(b, field, v);
}

void pb__bytes(struct pb_buf *b, uint32_t field, const void *data, size_t len)
{
	pb__tag(b, field, PB_LEN);
	pb__varint(b, len);
	if (!len || !reserve(b, len))
		return;
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

void pb__message(struct pb_buf *b, uint32_t field, const struct pb_buf *sub)
{
	if (sub->oom) {
		b->oom = true;
		return;
	}
	pb__bytes(b, field, sub->data, sub->len);
}

static size_t varint_size(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

void pb__packed_u64(struct pb_buf *b, uint32_t field, const uint64_t *v, size_t n)
{
	size_t i, len = 0;

	if (!n)
		return;
	for (i = 0; i < n; i++)
		len += varint_size(v[i]);
	pb__tag(b, field, PB_LEN);
	pb__varint(b, len);
	for (i = 0; i < n; i++)
		pb__varint(b, v[i]);
}

void pb__packed_i64(struct pb_buf *b, uint32_t field, const int64_t *v, size_t n)
{
	size_t i, len = 0;

	if (!n)
		return;
	for (i = 0; i < n; i++)
		len += varint_size((uint64_t)v[i]);
	pb__tag(b, field, PB_LEN);
	pb__varint(b, len);
	for (i = 0; i < n; i++)
		pb__varint(b, (uint64_t)v[i]);
}

void pb_reader__init(struct pb_reader *r, const void *data, size_t len)
{
	r->p = data;
	r->end = r->p + len;
}

int pb__read_varint(struct pb_reader *r, uint64_t *v)
{
	uint64_t x = 0;
	int shift;

	for (shift = 0; shift < 64; shift += 7) {
		uint8_t byte;

		if (r->p >= r->end)
			return -EINVAL;
		byte = *r->p++;
		/* The tenth byte may only carry the top bit. */
		if (shift == 63 && byte > 1)
			return -EINVAL;
		x |= (uint64_t)(byte & 0x7f) << shift;
		if (!(byte & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -EINVAL;
}

static int read_fixed(struct pb_reader *r, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if ((size_t)(r->end - r->p) < n)
		return -EINVAL;
	/* Little-endian on the wire, whatever the host. */
	for (i = 0; i < n; i++)
		x |= (uint64_t)r->p[i] << (8 * i);
	r->p += n;
	*v = x;
	return 0;
}

int pb__next(struct pb_reader *r, struct pb_field *f)
{
	uint64_t key, len;

	if (r->p >= r->end)
		return 0;
	if (pb__read_varint(r, &key))
		return -EINVAL;
	memset(f, 0, sizeof(*f));
	f->number = (uint32_t)(key >> 3);
	f->wire = (enum pb_wire)(key & 7);
	if (f->number == 0 || key >> 32)
		return -EINVAL;
	switch (f->wire) {
	case PB_VARINT:
		return pb__read_varint(r, &f->value) ? -EINVAL : 1;
	case PB_FIXED64:
		return read_fixed(r, 8, &f->value) ? -EINVAL : 1;
	case PB_FIXED32:
		return read_fixed(r, 4, &f->value) ? -EINVAL : 1;
	case PB_LEN:
		if (pb__read_varint(r, &len) || len > (uint64_t)(r->end - r->p))
			return -EINVAL;
		f->data = r->p;
		f->len = len;
		r->p += len;
		return 1;
	}
	/* Groups (3, 4) are long deprecated; pprof never used them. */
	return -EINVAL;
}

int pb__each_int(const struct pb_field *f, int (*fn)(void *ctx, uint64_t v),
		 void *ctx)
{
	struct pb_reader r;
	uint64_t v;
	int err;

	if (f->wire == PB_VARINT)
		return fn(ctx, f->value);
	if (f->wire != PB_LEN)
		return -EINVAL;
	pb_reader__init(&r, f->data, f->len);
	while (r.p < r.end) {
		if (pb__read_varint(&r, &v))
			return -EINVAL;
		if ((err = fn(ctx, v)))
			return err;
	}
	return 0;
}
