// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE	/* vasprintf */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "sink.h"

void tfo_sink_init(struct tfo_sink *s, int fd)
{
	s->buf = s->bytes;
	s->len = 0;
	s->cap = sizeof(s->bytes);
	s->fd = fd;
	s->err = 0;
}

void tfo_sink_free(struct tfo_sink *s)
{
	if (s->buf != s->bytes)
		free(s->buf);
	s->buf = s->bytes;
	s->len = s->cap = 0;
}

/* Keeps the first error; the buffered bytes are dropped and cap 0 sends
 * every later append to a slow path that does nothing. */
static void fail(struct tfo_sink *s, int err)
{
	if (!s->err)
		s->err = err;
	s->len = 0;
	s->cap = 0;
}

int tfo_sink_flush(struct tfo_sink *s)
{
	size_t off = 0;

	if (s->err || s->fd == TFO_SINK_MEMORY)
		return s->err;
	while (off < s->len) {
		ssize_t n = write(s->fd, s->buf + off, s->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fail(s, n < 0 ? -errno : -EIO);
			return s->err;
		}
		off += n;
	}
	s->len = 0;
	return 0;
}

/* Memory mode: at least N bytes free, plus one for tfo_sink_text()'s NUL. */
static int grow(struct tfo_sink *s, size_t n)
{
	size_t cap = s->cap * 2;
	char *buf;

	if (n + 1 > SIZE_MAX / 2 - s->len)
		return -ENOMEM;
	while (cap < s->len + n + 1)
		cap *= 2;
	buf = s->buf == s->bytes ? malloc(cap) : realloc(s->buf, cap);
	if (!buf)
		return -ENOMEM;
	if (s->buf == s->bytes)
		memcpy(buf, s->bytes, s->len);
	s->buf = buf;
	s->cap = cap;
	return 0;
}

static char *room_slow(struct tfo_sink *s, size_t n)
{
	int err;

	if (s->err)
		return NULL;
	if (s->fd == TFO_SINK_MEMORY) {
		err = grow(s, n);
		if (err) {
			fail(s, err);
			return NULL;
		}
		return s->buf + s->len;
	}
	if (tfo_sink_flush(s) || n > s->cap)
		return NULL;
	return s->buf + s->len;
}

/* Room for N more bytes (any N in memory mode, else at most
 * TFO_SINK_BYTES), to be filled and then claimed by adding to s->len;
 * NULL after an error. */
static inline char *room(struct tfo_sink *s, size_t n)
{
	if (n <= s->cap - s->len)
		return s->buf + s->len;
	return room_slow(s, n);
}

void tfo_sink__append_slow(struct tfo_sink *s, const void *p, size_t n)
{
	const char *from = p;

	if (s->fd == TFO_SINK_MEMORY) {
		if (room_slow(s, n)) {
			memcpy(s->buf + s->len, from, n);
			s->len += n;
		}
		return;
	}
	/* A file's buffer fills and flushes as often as N needs. */
	while (n && !s->err) {
		size_t part = s->cap - s->len < n ? s->cap - s->len : n;

		memcpy(s->buf + s->len, from, part);
		s->len += part;
		from += part;
		n -= part;
		if (n)
			tfo_sink_flush(s);
	}
}

const char *tfo_sink_text(struct tfo_sink *s)
{
	char *end = room(s, 1);

	if (!end)
		return NULL;
	*end = '\0';
	return s->buf;
}

void tfo_sink_fill(struct tfo_sink *s, char c, size_t n)
{
	while (n) {
		size_t part = n < TFO_SINK_BYTES ? n : TFO_SINK_BYTES;
		char *p = room(s, part);

		if (!p)
			return;
		memset(p, c, part);
		s->len += part;
		n -= part;
	}
}

static const char digit_pairs[] =
	"00010203040506070809101112131415161718192021222324252627282930313233"
	"34353637383940414243444546474849505152535455565758596061626364656667"
	"6869707172737475767778798081828384858687888990919293949596979899";

#define U64_DIGITS	20

static size_t decimal_digits(uint64_t v)
{
	static const uint64_t pow10[U64_DIGITS] = {
		1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
		10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
		100000000000ULL, 1000000000000ULL, 10000000000000ULL,
		100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
		100000000000000000ULL, 1000000000000000000ULL,
		10000000000000000000ULL,
	};
	/* v | 1 has as many digits as v (a power of ten is even) and a bit
	 * set, for clz. Its bit length times log10(2) (1233 / 4096) is its
	 * digit count, or one more when under the next power of ten. */
	uint64_t x = v | 1;
	unsigned int t = (unsigned int)(64 - __builtin_clzll(x)) * 1233 >> 12;

	return t + 1 - (x < pow10[t]);
}

/* V's N decimal digits at P, written from the end two at a time (half
 * the divisions). */
static void put_digits(char *p, size_t n, uint64_t v)
{
	p += n;
	while (v >= 100) {
		p -= 2;
		memcpy(p, &digit_pairs[(v % 100) * 2], 2);
		v /= 100;
	}
	if (v >= 10)
		memcpy(p - 2, &digit_pairs[v * 2], 2);
	else
		p[-1] = (char)('0' + v);
}

size_t tfo_sink__u64(struct tfo_sink *s, uint64_t v)
{
	size_t n = decimal_digits(v);
	char *p = room(s, n);

	if (p) {
		put_digits(p, n, v);
		s->len += n;
	}
	return n;
}

size_t tfo_sink_i64(struct tfo_sink *s, int64_t v)
{
	if (v >= 0)
		return tfo_sink_u64(s, (uint64_t)v);
	tfo_sink_char(s, '-');
	/* in unsigned arithmetic, so that INT64_MIN negates */
	return 1 + tfo_sink_u64(s, -(uint64_t)v);
}

void tfo_sink_u64_zero_padded(struct tfo_sink *s, uint64_t v, size_t width)
{
	size_t n = decimal_digits(v);
	char *p;

	if (n < width)
		tfo_sink_fill(s, '0', width - n);
	p = room(s, n);
	if (p) {
		put_digits(p, n, v);
		s->len += n;
	}
}

static const char hex_digits[] = "0123456789abcdef";

void tfo_sink_hex(struct tfo_sink *s, const void *p, size_t n)
{
	const unsigned char *bytes = p;

	for (size_t i = 0; i < n; i++) {
		char pair[2] = { hex_digits[bytes[i] >> 4], hex_digits[bytes[i] & 0xf] };

		tfo_sink_bytes(s, pair, sizeof(pair));
	}
}

/* Bytes a JSON string carries as they are: printable ASCII but '"' and
 * '\\'. NUL is not one: it ends the string. */
static const unsigned char json_plain[256] = {
	[' ' ... '!'] = 1,	/* '"' is 0x22 */
	['#' ... '['] = 1,	/* '\\' is 0x5c */
	[']' ... '~'] = 1,
};

/* Escaped, a byte takes at most 6 ("\u00XX"); the string goes into the
 * buffer in pieces of this many bytes, each with room for the worst. */
#define JSON_PIECE	256

void tfo_sink_json_string(struct tfo_sink *s, const char *str, size_t max)
{
	const unsigned char *in = (const unsigned char *)str;
	size_t i = 0;

	tfo_sink_char(s, '"');
	while (i < max && in[i]) {
		size_t piece_end = max - i < JSON_PIECE ? max : i + JSON_PIECE;
		char *start = room(s, (piece_end - i) * 6), *p = start;

		if (!p)
			return;
		for (; i < piece_end; i++) {
			unsigned char c = in[i];

			if (json_plain[c]) {
				*p++ = (char)c;
			} else if (!c) {
				break;
			} else if (c == '"' || c == '\\') {
				*p++ = '\\';
				*p++ = (char)c;
			} else {
				memcpy(p, "\\u00", 4);
				p[4] = hex_digits[c >> 4];
				p[5] = hex_digits[c & 0xf];
				p += 6;
			}
		}
		s->len += (size_t)(p - start);
	}
	tfo_sink_char(s, '"');
}

void tfo_sink_printf(struct tfo_sink *s, const char *fmt, ...)
{
	size_t left = s->cap - s->len;
	va_list ap;
	char *long_text;
	int n;

	if (s->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->buf + s->len, left, fmt, ap);
	va_end(ap);
	if (n < 0) {
		fail(s, -EINVAL);
		return;
	}
	if ((size_t)n < left) {
		s->len += (size_t)n;
		return;
	}
	/* Did not fit in what was left: format apart, append through the
	 * slow path (a flush, or growth). */
	va_start(ap, fmt);
	n = vasprintf(&long_text, fmt, ap);
	va_end(ap);
	if (n < 0) {
		fail(s, -ENOMEM);
		return;
	}
	tfo_sink_bytes(s, long_text, (size_t)n);
	free(long_text);
}
