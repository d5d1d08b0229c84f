// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <unistd.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "io/folded_read.h"
#include "lib/log.h"
#include "io/pprof_read.h"
#include "io/profile_file.h"

/* Saved profiles larger than this are refused rather than exhausting memory:
 * the limit is far above what a profile of a real run reaches. */
#define MAX_PROFILE_BYTES	(2ULL << 30)

static bool is_gzip(const uint8_t *d, size_t len)
{
	return len >= 2 && d[0] == 0x1f && d[1] == 0x8b;
}

/* More room in *buf: first bytes at first, then twice *cap; -EFBIG past
 * MAX_PROFILE_BYTES, -ENOMEM (the buffer is kept either way). */
static int grow_bounded(uint8_t **buf, size_t *cap, size_t first)
{
	size_t c = *buf ? *cap * 2 : first;
	uint8_t *b;

	if (c > MAX_PROFILE_BYTES)
		return -EFBIG;
	b = realloc(*buf, c);
	if (!b)
		return -ENOMEM;
	*buf = b;
	*cap = c;
	return 0;
}

/* Inflate a gzip stream (concatenated members too); 0, -EINVAL, -ENOMEM. */
static int gunzip(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len)
{
	z_stream zs = {};
	uint8_t *buf = NULL;
	size_t cap = 0, used = 0;
	int zr, err = 0;

	if (inflateInit2(&zs, 15 + 16) != Z_OK)
		return -ENOMEM;
	zs.next_in = (uint8_t *)in;
	zs.avail_in = len > UINT32_MAX ? UINT32_MAX : (uInt)len;
	for (;;) {
		if (used == cap && (err = grow_bounded(&buf, &cap, len * 4 + 4096)))
			break;
		zs.next_out = buf + used;
		zs.avail_out = (uInt)(cap - used);
		zr = inflate(&zs, Z_NO_FLUSH);
		used = cap - zs.avail_out;
		if (zr == Z_STREAM_END) {
			/* Another member may follow, as `cat a.gz b.gz` makes. */
			if (zs.avail_in && is_gzip(zs.next_in, zs.avail_in)) {
				inflateReset(&zs);
				continue;
			}
			break;
		}
		if (zr == Z_BUF_ERROR && zs.avail_out)
			zr = Z_DATA_ERROR;	/* truncated input */
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			err = zr == Z_MEM_ERROR ? -ENOMEM : -EINVAL;
			break;
		}
	}
	inflateEnd(&zs);
	if (err) {
		free(buf);
		return err;
	}
	*out = buf;
	*out_len = used;
	return 0;
}

/* Folded stacks are text; a protobuf is full of control bytes. */
static bool looks_like_text(const uint8_t *d, size_t len)
{
	size_t i, n = len < 4096 ? len : 4096;

	for (i = 0; i < n; i++)
		if (d[i] < 0x20 && d[i] != '\n' && d[i] != '\r' && d[i] != '\t')
			return false;
	return true;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

int profile_file__parse(const void *data, size_t len, const char *name,
			struct profile **out, enum profile_format *fmt, char *why,
			size_t why_len)
{
	const uint8_t *d = data;
	uint8_t *plain = NULL;
	size_t plain_len = len;
	struct profile *p = NULL;
	enum profile_format f;
	int err;

	*out = NULL;
	if (why_len)
		why[0] = '\0';
	if (is_gzip(d, len)) {
		err = gunzip(d, len, &plain, &plain_len);
		if (err) {
			snprintf(why, why_len, "%s",
				 err == -ENOMEM ? "out of memory" :
				 err == -EFBIG ? "decompresses to more than 2 GiB" :
				 "corrupt or truncated gzip data");
			return err == -EFBIG ? -EINVAL : err;
		}
		d = plain;
	}
	if (plain_len == 0) {
		snprintf(why, why_len, "empty: no profile in it");
		err = -EINVAL;
		goto out;
	}
	f = looks_like_text(d, plain_len) ? PROFILE_FOLDED : PROFILE_PPROF;
	if (f == PROFILE_FOLDED)
		err = folded__parse((const char *)d, plain_len, &p, why, why_len);
	else
		err = pprof__parse(d, plain_len, &p, why, why_len);
	if (err)
		goto out;
	if (!p->title) {
		char title[512];
		int64_t id;

		snprintf(title, sizeof(title), "%s (%s)", base_name(name),
			 f == PROFILE_PPROF ? "pprof" : "folded stacks");
		id = profile__str(p, title);
		if (id < 0) {
			err = -ENOMEM;
			snprintf(why, why_len, "out of memory");
			goto out;
		}
		p->title = id;
	}
	if (fmt)
		*fmt = f;
	*out = p;
	p = NULL;
out:
	profile__free(p);
	free(plain);
	return err;
}

static int read_all(const char *path, uint8_t **data, size_t *len)
{
	uint8_t *buf = NULL;
	size_t cap = 0, used = 0, n;
	struct stat st;
	int err = 0, fd;
	FILE *f;

	/* A file, or a pipe; not a device (/dev/zero never ends), and not
	 * blocking on a FIFO nobody writes. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -ENODEV;
	}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > MAX_PROFILE_BYTES) {
		close(fd);
		return -EFBIG;
	}
	f = fdopen(fd, "rb");
	if (!f) {
		err = -errno;
		close(fd);
		return err;
	}
	for (;;) {
		if (used == cap && (err = grow_bounded(&buf, &cap, 65536)))
			break;
		n = fread(buf + used, 1, cap - used, f);
		used += n;
		if (n == 0) {
			if (ferror(f))
				err = errno ? -errno : -EIO;
			break;
		}
	}
	fclose(f);
	if (err) {
		free(buf);
		return err;
	}
	*data = buf;
	*len = used;
	return 0;
}

int profile_file__load(const char *path, struct profile **out,
		       enum profile_format *fmt)
{
	uint8_t *data = NULL;
	size_t len = 0;
	char why[256];
	int err;

	*out = NULL;
	err = read_all(path, &data, &len);
	if (err) {
		p_err("cannot read %s: %s", path,
		      err == -EFBIG ? "larger than 2 GiB" :
		      err == -ENODEV ? "not a regular file or a pipe" : strerror(-err));
		return err;
	}
	err = profile_file__parse(data, len, path, out, fmt, why, sizeof(why));
	free(data);
	if (err)
		p_err("%s: %s", path, why);
	else if (why[0])
		p_warn("%s: %s", path, why);
	return err;
}
