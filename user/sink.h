/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A byte buffer in front of a file descriptor, with the few formatters the
 * output needs: printf's format parsing and stdio's locking were most of
 * tfotrace's own CPU per printed event. No libbpf, no stdio.
 *
 * Errors are sticky: the first one is kept as -errno (EPIPE when the
 * reader went away), every later append does nothing, and flushing
 * returns it. A sink points into itself: initialise it where it stays,
 * never copy it.
 */
#ifndef TFOTRACE_SINK_H
#define TFOTRACE_SINK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define TFO_SINK_BYTES	(64 * 1024)
/* tfo_sink_init() without a file descriptor: the buffer grows instead of
 * being written, and tfo_sink_text() reads it back (tests, short texts). */
#define TFO_SINK_MEMORY	(-1)

struct tfo_sink {
	char *buf;		/* bytes[], or the heap once memory outgrows it */
	size_t len;		/* bytes waiting in buf */
	size_t cap;		/* 0 after an error: appends take the slow path */
	int fd;			/* or TFO_SINK_MEMORY */
	int err;		/* the first error, -errno; 0 none */
	char bytes[TFO_SINK_BYTES];
};

void tfo_sink_init(struct tfo_sink *s, int fd);
/* Frees what memory mode allocated; the sink is unusable after. */
void tfo_sink_free(struct tfo_sink *s);

/* Writes every buffered byte (retrying EINTR and short writes): 0, or the
 * sticky -errno. Memory mode keeps its bytes. */
int tfo_sink_flush(struct tfo_sink *s);
static inline int tfo_sink_error(const struct tfo_sink *s)
{
	return s->err;
}

/* Memory mode: everything appended, NUL-terminated; NULL after an error
 * (-ENOMEM). */
const char *tfo_sink_text(struct tfo_sink *s);

/* The slow path of the inline appenders below: flush or grow. */
void tfo_sink__append_slow(struct tfo_sink *s, const void *p, size_t n);

static inline void tfo_sink_bytes(struct tfo_sink *s, const void *p, size_t n)
{
	if (n <= s->cap - s->len) {
		memcpy(s->buf + s->len, p, n);
		s->len += n;
	} else {
		tfo_sink__append_slow(s, p, n);
	}
}

/* Inline so that a literal's strlen() is a constant. */
static inline void tfo_sink_str(struct tfo_sink *s, const char *str)
{
	tfo_sink_bytes(s, str, strlen(str));
}

static inline void tfo_sink_char(struct tfo_sink *s, char c)
{
	if (s->len < s->cap)
		s->buf[s->len++] = c;
	else
		tfo_sink__append_slow(s, &c, 1);
}

/* N copies of C: the padding of a column. */
void tfo_sink_fill(struct tfo_sink *s, char c, size_t n);

/* Decimal; each returns how many characters it has (for padding). */
size_t tfo_sink__u64(struct tfo_sink *s, uint64_t v);

/* Most numbers a record carries are one digit (an fd, a family, a level,
 * a result): those take no call. */
static inline size_t tfo_sink_u64(struct tfo_sink *s, uint64_t v)
{
	if (v < 10 && s->len < s->cap) {
		s->buf[s->len++] = (char)('0' + v);
		return 1;
	}
	return tfo_sink__u64(s, v);
}

size_t tfo_sink_i64(struct tfo_sink *s, int64_t v);
/* At least WIDTH digits, zeros in front: printf's "%0*" PRIu64. */
void tfo_sink_u64_zero_padded(struct tfo_sink *s, uint64_t v, size_t width);

/* Two lowercase hex digits per byte. */
void tfo_sink_hex(struct tfo_sink *s, const void *p, size_t n);

/* A JSON string literal of STR (at most MAX bytes, stops at NUL), quotes
 * included: '"' and '\' escaped with a backslash, bytes outside printable
 * ASCII as \u00XX, so that any comm yields valid JSON. */
void tfo_sink_json_string(struct tfo_sink *s, const char *str, size_t max);

/* vsnprintf into the buffer: for the rare lines (findings, the summary),
 * never for a per-event record. */
void tfo_sink_printf(struct tfo_sink *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
