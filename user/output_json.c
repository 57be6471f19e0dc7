// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* JSON Lines: one object per record, every object with a "type". Symbolic
 * names are null where the number has none; the number is always there. */
#include <inttypes.h>
#include <string.h>
#include "names.h"
#include "output.h"

void tfo_json_string(FILE *out, const char *s, size_t len)
{
	fputc('"', out);
	for (size_t i = 0; i < len && s[i]; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void json_name(FILE *out, const char *key, const char *name)
{
	fprintf(out, ",\"%s\":", key);
	if (name)
		tfo_json_string(out, name, strlen(name));
	else
		fputs("null", out);
}

static void json_errno(FILE *out, int ret)
{
	json_name(out, "errno", ret < 0 ? tfo_errno_name(-ret) : NULL);
}

static void json_hdr(const struct tfo_output *o, const struct tfo_rec_hdr *h,
		     const char *type)
{
	FILE *out = o->out;

	fprintf(out, "{\"type\":\"%s\",\"time_ns\":%" PRId64
		",\"pid\":%u,\"tid\":%u,\"comm\":", type,
		(int64_t)h->ts_ns + o->realtime_offset_ns, h->pid, h->tid);
	tfo_json_string(out, h->comm, sizeof(h->comm));
}

/* The socket as the kernel saw it at the call's exit. */
static void json_sock(FILE *out, const struct tfo_sock_id *s)
{
	fprintf(out, ",\"sock_ino\":%" PRIu64 ",\"netns\":%u", (uint64_t)s->ino,
		s->netns);
	json_name(out, "family", s->ino ? tfo_family_name(s->family) : NULL);
	fprintf(out, ",\"family_num\":%u", s->family);
	json_name(out, "sock_type", s->ino ? tfo_socktype_name(s->type) : NULL);
	json_name(out, "proto", s->ino ? tfo_proto_name(s->protocol) : NULL);
	fprintf(out, ",\"proto_num\":%u", s->protocol);
	json_name(out, "state", s->ino ? tfo_tcp_state_name(s->state) : NULL);
	fprintf(out, ",\"port\":%u", s->lport);
}

static void json_setsockopt(const struct tfo_output *o,
			    const struct tfo_rec_setsockopt *r)
{
	FILE *out = o->out;
	struct tfo_optval v = tfo_optval_decode(r);

	json_hdr(o, &r->hdr, "setsockopt");
	fprintf(out, ",\"fd\":%d", r->fd);
	json_sock(out, &r->sock);
	json_name(out, "level", tfo_level_name(r->level));
	fprintf(out, ",\"level_num\":%d", r->level);
	json_name(out, "optname", tfo_optname_name(r->level, r->optname));
	fprintf(out, ",\"optname_num\":%d", r->optname);
	if (v.is_int)
		fprintf(out, ",\"optval\":%" PRId64 ",\"optval_hex\":null",
			v.value);
	else if (r->optval_len) {
		fputs(",\"optval\":null,\"optval_hex\":\"", out);
		for (uint32_t i = 0; i < r->optval_len && i < TFO_OPTVAL_MAX; i++)
			fprintf(out, "%02x", r->optval[i]);
		fputc('"', out);
	} else
		fputs(",\"optval\":null,\"optval_hex\":null", out);
	fprintf(out, ",\"optlen\":%d,\"ret\":%d", r->optlen, r->ret);
	json_errno(out, r->ret);
	json_name(out, "err_layer", tfo_layer_name(r->err_layer));
	fputs("}\n", out);
}

static void json_socket(const struct tfo_output *o,
			const struct tfo_rec_socket *r)
{
	FILE *out = o->out;

	json_hdr(o, &r->hdr, "socket");
	json_name(out, "family", tfo_family_name(r->family));
	fprintf(out, ",\"family_num\":%d", r->family);
	json_name(out, "sock_type", tfo_socktype_name(r->type));
	fprintf(out, ",\"sock_type_num\":%d", r->type);
	json_name(out, "proto", tfo_proto_name(r->protocol));
	fprintf(out, ",\"proto_num\":%d,\"ret\":%d", r->protocol, r->ret);
	json_errno(out, r->ret);
	if (r->ret >= 0)
		fprintf(out, ",\"fd\":%d", r->ret);
	else
		fputs(",\"fd\":null", out);
	fprintf(out, ",\"sock_ino\":%" PRIu64 ",\"netns\":%u}\n",
		(uint64_t)r->sock.ino, r->sock.netns);
}

static void json_listen(const struct tfo_output *o,
			const struct tfo_rec_listen *r)
{
	FILE *out = o->out;

	json_hdr(o, &r->hdr, "listen");
	fprintf(out, ",\"fd\":%d,\"backlog\":%d,\"ret\":%d", r->fd, r->backlog,
		r->ret);
	json_errno(out, r->ret);
	json_sock(out, &r->sock);
	fprintf(out, ",\"tfo_qlen_max\":%u}\n", r->tfo_qlen_max);
}

void tfo_json_start(const struct tfo_output *o, const char *mode,
		    const char *version)
{
	fputs("{\"type\":\"start\"", o->out);
	json_name(o->out, "mode", mode);
	json_name(o->out, "version", version);
	fputs("}\n", o->out);
}

void tfo_json_record(const struct tfo_output *o, const union tfo_record *r)
{
	switch (r->hdr.type) {
	case TFO_REC_SOCKET:
		json_socket(o, &r->socket);
		break;
	case TFO_REC_LISTEN:
		json_listen(o, &r->listen);
		break;
	case TFO_REC_SETSOCKOPT:
		json_setsockopt(o, &r->setsockopt);
		break;
	}
}

void tfo_json_summary(const struct tfo_output *o, const struct tfo_summary *s)
{
	fputs("{\"type\":\"summary\"", o->out);
	json_name(o->out, "mode", s->mode);
	fprintf(o->out, ",\"events\":%" PRIu64 ",\"shown\":%" PRIu64
		",\"lost\":%" PRIu64 ",\"invalid\":%" PRIu64 "}\n",
		s->events, s->shown, s->lost, s->invalid);
}
