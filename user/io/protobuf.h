/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The protocol buffers wire format, the little of it pprof needs: varints,
 * length-delimited fields, packed repeated integers.  A writer appends to a
 * growing buffer; a reader walks one message's fields in order.  No schema:
 * the caller knows its field numbers.
 */
#ifndef PROFILER_PROTOBUF_H
#define PROFILER_PROTOBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pb_wire {
	PB_VARINT = 0,
	PB_FIXED64 = 1,
	PB_LEN = 2,
	PB_FIXED32 = 5,
};

/*
 * An output buffer.  Appends never fail on the spot: an allocation failure
 * sets oom and later appends do nothing, so a writer checks once at the end.
 */
struct pb_buf {
	uint8_t *data;
	size_t len, cap;
	bool oom;
};

void pb_buf__free(struct pb_buf *b);
/* Forget the contents, keep the memory. */
void pb_buf__reset(struct pb_buf *b);

void pb__varint(struct pb_buf *b, uint64_t v);
void pb__tag(struct pb_buf *b, uint32_t field, enum pb_wire wire);
/* A varint field; int64 values go as their two's complement. */
void pb__uint(struct pb_buf *b, uint32_t field, uint64_t v);
/* The same, left out when v is 0 (proto3 default). */
void pb__uint_opt(struct pb_buf *b, uint32_t field, uint64_t v);
void pb__bytes(struct pb_buf *b, uint32_t field, const void *data, size_t len);
/* A nested message or string already encoded in sub. */
void pb__message(struct pb_buf *b, uint32_t field, const struct pb_buf *sub);
/* Packed repeated uint64 / int64 (left out when n is 0). */
void pb__packed_u64(struct pb_buf *b, uint32_t field, const uint64_t *v, size_t n);
void pb__packed_i64(struct pb_buf *b, uint32_t field, const int64_t *v, size_t n);

/* One field as read: its number and wire type, and its value or bytes. */
struct pb_field {
	uint32_t number;
	enum pb_wire wire;
	uint64_t value;		/* PB_VARINT, PB_FIXED64, PB_FIXED32 */
	const uint8_t *data;	/* PB_LEN */
	size_t len;
};

struct pb_reader {
	const uint8_t *p, *end;
};

void pb_reader__init(struct pb_reader *r, const void *data, size_t len);
/* The next field: 1, 0 at the end of the message, -EINVAL if malformed. */
int pb__next(struct pb_reader *r, struct pb_field *f);
/* A varint from the reader's position; 0 or -EINVAL. */
int pb__read_varint(struct pb_reader *r, uint64_t *v);
/*
 * Call fn for each integer of a repeated integer field, packed (PB_LEN) or
 * not (PB_VARINT); 0, -EINVAL if malformed, or fn's negative return.
 */
int pb__each_int(const struct pb_field *f, int (*fn)(void *ctx, uint64_t v),
		 void *ctx);

#endif
