// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* One human-readable line per record: fixed columns for who and what, then
 * the socket and the call's details as words a reader can grep. */
#include <ctype.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>
#include "names.h"
#include "output.h"

/* A symbolic name, or the number when the tables have none. */
static const char *name_or_num(const char *name, long num, char *buf,
			       size_t size)
{
	if (name)
		return name;
	snprintf(buf, size, "%ld", num);
	return buf;
}

static void text_time(FILE *out, const struct tfo_output *o, uint64_t ts_ns)
{
	int64_t ns = (int64_t)ts_ns + o->realtime_offset_ns;
	time_t sec = ns / 1000000000;
	struct tm tm;
	char buf[16];

	localtime_r(&sec, &tm);
	strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
	fprintf(out, "%s.%06" PRId64, buf, (ns % 1000000000) / 1000);
}

static void text_hdr(const struct tfo_output *o, const struct tfo_rec_hdr *h,
		     const char *event)
{
	char comm[TFO_COMM_LEN];

	/* A comm is whatever the process set: keep the line one line. */
	for (size_t i = 0; i < sizeof(comm); i++)
		comm[i] = h->comm[i] && !isprint((unsigned char)h->comm[i]) ?
			  '?' : h->comm[i];
	comm[sizeof(comm) - 1] = '\0';
	text_time(o->out, o, h->ts_ns);
	fprintf(o->out, " %-7u %-7u %-16s %-10s", h->pid, h->tid, comm, event);
}

static void text_sock(FILE *out, int fd, const struct tfo_sock_id *s)
{
	char b1[16], b2[16];

	fprintf(out, " fd=%d", fd);
	if (!s->ino) {
		fputs(" (not a socket)", out);
		return;
	}
	fprintf(out, " ino=%" PRIu64 " %s/%s :%u %s", (uint64_t)s->ino,
		name_or_num(tfo_proto_name(s->protocol), s->protocol, b1,
			    sizeof(b1)),
		name_or_num(tfo_family_name(s->family), s->family, b2,
			    sizeof(b2)),
		s->lport, tfo_tcp_state_name(s->state) ?: "?");
}

static void text_result(FILE *out, int ret)
{
	char buf[16];

	if (ret >= 0)
		fprintf(out, " = %d", ret);
	else
		fprintf(out, " = %d %s", ret,
			name_or_num(tfo_errno_name(-ret), -ret, buf,
				    sizeof(buf)));
}

static void text_optval(FILE *out, const struct tfo_rec_setsockopt *r)
{
	struct tfo_optval v = tfo_optval_decode(r);
	uint32_t n = r->optval_len < TFO_OPTVAL_MAX ? r->optval_len :
		     TFO_OPTVAL_MAX;

	if (v.is_int) {
		fprintf(out, "=%" PRId64, v.value);
	} else if (n && tfo_optname_kind(r->level, r->optname) ==
			TFO_OPTVAL_STRING) {
		fputs("=\"", out);
		for (uint32_t i = 0; i < n && r->optval[i]; i++)
			fputc(isprint(r->optval[i]) ? r->optval[i] : '?', out);
		fputc('"', out);
	} else if (n) {
		fputs("=0x", out);
		for (uint32_t i = 0; i < n; i++)
			fprintf(out, "%02x", r->optval[i]);
		if ((uint32_t)r->optlen > n)
			fputs("...", out);
	} else {
		fputs("=?", out);
	}
	fprintf(out, " len=%d", r->optlen);
}

static void text_setsockopt(const struct tfo_output *o,
			    const struct tfo_rec_setsockopt *r)
{
	FILE *out = o->out;
	char b1[16], b2[16];
	const char *layer = tfo_layer_name(r->err_layer);

	text_hdr(o, &r->hdr, "setsockopt");
	text_sock(out, r->fd, &r->sock);
	fprintf(out, " %s %s",
		name_or_num(tfo_level_name(r->level), r->level, b1, sizeof(b1)),
		name_or_num(tfo_optname_name(r->level, r->optname), r->optname,
			    b2, sizeof(b2)));
	text_optval(out, r);
	text_result(out, r->ret);
	if (r->ret < 0 && layer)
		fprintf(out, " (from %s)", layer);
	fputc('\n', out);
}

static void text_socket(const struct tfo_output *o,
			const struct tfo_rec_socket *r)
{
	FILE *out = o->out;
	char b1[16], b2[16], b3[16];

	text_hdr(o, &r->hdr, "socket");
	fprintf(out, " %s %s %s",
		name_or_num(tfo_family_name(r->family), r->family, b1,
			    sizeof(b1)),
		name_or_num(tfo_socktype_name(r->type), r->type, b2,
			    sizeof(b2)),
		name_or_num(tfo_proto_name(r->protocol), r->protocol, b3,
			    sizeof(b3)));
	text_result(out, r->ret);
	if (r->ret >= 0 && r->sock.ino)
		fprintf(out, " ino=%" PRIu64, (uint64_t)r->sock.ino);
	fputc('\n', out);
}

static void text_listen(const struct tfo_output *o,
			const struct tfo_rec_listen *r)
{
	FILE *out = o->out;

	text_hdr(o, &r->hdr, "listen");
	text_sock(out, r->fd, &r->sock);
	fprintf(out, " backlog=%d", r->backlog);
	text_result(out, r->ret);
	if (r->ret == 0)
		fprintf(out, " tfo_qlen_max=%u", r->tfo_qlen_max);
	fputc('\n', out);
}

void tfo_text_start(const struct tfo_output *o, const char *mode,
		    const char *version)
{
	(void)mode;
	(void)version;
	fprintf(o->out, "%-15s %-7s %-7s %-16s %-10s %s\n", "TIME", "PID",
		"TID", "COMM", "EVENT", "DETAILS");
}

void tfo_text_record(const struct tfo_output *o, const union tfo_record *r)
{
	switch (r->hdr.type) {
	case TFO_REC_SOCKET:
		text_socket(o, &r->socket);
		break;
	case TFO_REC_LISTEN:
		text_listen(o, &r->listen);
		break;
	case TFO_REC_SETSOCKOPT:
		text_setsockopt(o, &r->setsockopt);
		break;
	}
}

void tfo_text_summary(const struct tfo_output *o, const struct tfo_summary *s)
{
	fprintf(o->out, "# mode %s: %" PRIu64 " events, %" PRIu64
		" shown, %" PRIu64 " lost", s->mode, s->events, s->shown,
		s->lost);
	if (s->invalid)
		fprintf(o->out, ", %" PRIu64 " invalid", s->invalid);
	fputc('\n', o->out);
}
