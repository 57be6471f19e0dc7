// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* One human-readable line per record: fixed columns for who and what, then
 * the socket and the call's details as words a reader can grep. Records
 * are built from the sink's appenders, never printf (see sink.h); the rare
 * lines (the header, findings, counters, summary) use tfo_sink_printf(). */
#include <ctype.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>
#include "names.h"
#include "output.h"

/* A symbolic name, or the number when the tables have none. */
/* "1 socket", "2 sockets": N and the word that goes with it. */
static void count_of(struct tfo_sink *out, uint64_t n, const char *one,
		     const char *many)
{
	tfo_sink_printf(out, "%" PRIu64 " %s", n, n == 1 ? one : many);
}

static void name_or_num(struct tfo_sink *out, const char *name, long num)
{
	if (name)
		tfo_sink_str(out, name);
	else
		tfo_sink_i64(out, num);
}

/* Spaces after a field of USED characters up to WIDTH: printf's "%-*s". */
static void pad(struct tfo_sink *out, size_t used, size_t width)
{
	if (used < width)
		tfo_sink_fill(out, ' ', width - used);
}

static void two_digits(char *p, int v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

/* "HH:MM:SS.uuuuuu", local time. localtime_r() only when the second
 * changes: records from different CPUs arrive slightly out of order, so
 * the cache is of one second, whichever came last, not of the latest. */
static void text_time(const struct tfo_output *o, uint64_t ts_ns)
{
	struct tfo_output_state *st = o->state;
	int64_t ns = (int64_t)ts_ns + o->realtime_offset_ns;
	int64_t sec = ns / 1000000000;
	int64_t usec = (ns % 1000000000) / 1000;

	if (sec != st->clock_sec) {
		time_t t = (time_t)sec;
		struct tm tm;

		if (localtime_r(&t, &tm)) {
			two_digits(st->clock_hms, tm.tm_hour);
			st->clock_hms[2] = ':';
			two_digits(st->clock_hms + 3, tm.tm_min);
			st->clock_hms[5] = ':';
			two_digits(st->clock_hms + 6, tm.tm_sec);
		} else {
			memcpy(st->clock_hms, "??:??:??", sizeof(st->clock_hms));
		}
		st->clock_sec = sec;
	}
	tfo_sink_bytes(&st->sink, st->clock_hms, sizeof(st->clock_hms));
	tfo_sink_char(&st->sink, '.');
	/* as "%06" PRId64 prints it: the sign within the width */
	if (usec < 0) {
		tfo_sink_char(&st->sink, '-');
		tfo_sink_u64_zero_padded(&st->sink, (uint64_t)-usec, 5);
	} else {
		tfo_sink_u64_zero_padded(&st->sink, (uint64_t)usec, 6);
	}
}

static void text_hdr(const struct tfo_output *o, const struct tfo_rec_hdr *h,
		     const char *event)
{
	struct tfo_sink *out = &o->state->sink;
	char comm[TFO_COMM_LEN];
	size_t n;

	text_time(o, h->ts_ns);
	/* host pid, and the pid inside its own namespace where it differs */
	tfo_sink_char(out, ' ');
	n = tfo_sink_u64(out, h->pid);
	if (h->ns_pid && h->ns_pid != h->pid) {
		tfo_sink_char(out, '/');
		n += 1 + tfo_sink_u64(out, h->ns_pid);
	}
	pad(out, n, 7);
	tfo_sink_char(out, ' ');
	pad(out, tfo_sink_u64(out, h->tid), 7);
	/* A comm is whatever the process set: keep the line one line. */
	for (n = 0; n < sizeof(comm) - 1 && h->comm[n]; n++)
		comm[n] = isprint((unsigned char)h->comm[n]) ? h->comm[n] : '?';
	tfo_sink_char(out, ' ');
	tfo_sink_bytes(out, comm, n);
	pad(out, n, 16);
	tfo_sink_char(out, ' ');
	n = strlen(event);
	tfo_sink_bytes(out, event, n);
	pad(out, n, 10);
}

static void text_sock(struct tfo_sink *out, int fd, const struct tfo_sock_id *s)
{
	if (fd >= 0) {
		tfo_sink_str(out, " fd=");
		tfo_sink_i64(out, fd);
	}
	if (!s->ino) {
		tfo_sink_str(out, " (not a socket)");
		return;
	}
	tfo_sink_str(out, " ino=");
	tfo_sink_u64(out, s->ino);
	tfo_sink_str(out, " netns=");
	tfo_sink_u64(out, s->netns);
	tfo_sink_char(out, ' ');
	name_or_num(out, tfo_proto_name(s->protocol), s->protocol);
	tfo_sink_char(out, '/');
	name_or_num(out, tfo_family_name(s->family), s->family);
	tfo_sink_str(out, " :");
	tfo_sink_u64(out, s->lport);
	tfo_sink_char(out, ' ');
	tfo_sink_str(out, tfo_tcp_state_name(s->state) ?: "?");
}

static void text_result(struct tfo_sink *out, int ret)
{
	tfo_sink_str(out, " = ");
	tfo_sink_i64(out, ret);
	if (ret < 0) {
		tfo_sink_char(out, ' ');
		name_or_num(out, tfo_errno_name(ret), -(long)ret);
	}
}

static void text_optval(struct tfo_sink *out, const struct tfo_rec_setsockopt *r)
{
	struct tfo_optval v = tfo_optval_decode(r);
	uint32_t n = r->optval_len < TFO_OPTVAL_MAX ? r->optval_len :
		     TFO_OPTVAL_MAX;

	if (v.is_int) {
		tfo_sink_char(out, '=');
		tfo_sink_i64(out, v.value);
	} else if (n && tfo_optname_kind(r->level, r->optname) ==
			TFO_OPTVAL_STRING) {
		tfo_sink_str(out, "=\"");
		for (uint32_t i = 0; i < n && r->optval[i]; i++)
			tfo_sink_char(out, isprint(r->optval[i]) ? r->optval[i] : '?');
		tfo_sink_char(out, '"');
	} else if (n) {
		tfo_sink_str(out, "=0x");
		tfo_sink_hex(out, r->optval, n);
		if ((uint32_t)r->optlen > n)
			tfo_sink_str(out, "...");
	} else {
		tfo_sink_str(out, "=?");
	}
	tfo_sink_str(out, " len=");
	tfo_sink_i64(out, r->optlen);
}

static void text_setsockopt(const struct tfo_output *o,
			    const union tfo_record *u)
{
	const struct tfo_rec_setsockopt *r = &u->setsockopt;
	struct tfo_sink *out = &o->state->sink;
	const char *layer = tfo_layer_name(r->err_layer);

	text_hdr(o, &r->hdr, "setsockopt");
	text_sock(out, r->fd, &r->sock);
	tfo_sink_char(out, ' ');
	name_or_num(out, tfo_level_name(r->level), r->level);
	tfo_sink_char(out, ' ');
	name_or_num(out, tfo_optname_name(r->level, r->optname), r->optname);
	text_optval(out, r);
	text_result(out, r->ret);
	if (r->ret < 0 && layer) {
		tfo_sink_str(out, " (from ");
		tfo_sink_str(out, layer);
		tfo_sink_char(out, ')');
	}
	tfo_sink_char(out, '\n');
}

static void text_socket(const struct tfo_output *o,
			const union tfo_record *u)
{
	const struct tfo_rec_socket *r = &u->socket;
	struct tfo_sink *out = &o->state->sink;

	text_hdr(o, &r->hdr, "socket");
	tfo_sink_char(out, ' ');
	name_or_num(out, tfo_family_name(r->family), r->family);
	tfo_sink_char(out, ' ');
	name_or_num(out, tfo_socktype_name(r->type), r->type);
	tfo_sink_char(out, ' ');
	name_or_num(out, tfo_proto_name(r->protocol), r->protocol);
	text_result(out, r->ret);
	if (r->ret >= 0 && r->sock.ino) {
		tfo_sink_str(out, " ino=");
		tfo_sink_u64(out, r->sock.ino);
	}
	tfo_sink_char(out, '\n');
}

static void text_listen(const struct tfo_output *o,
			const union tfo_record *u)
{
	const struct tfo_rec_listen *r = &u->listen;
	struct tfo_sink *out = &o->state->sink;

	text_hdr(o, &r->hdr, "listen");
	text_sock(out, r->fd, &r->sock);
	tfo_sink_str(out, " backlog=");
	tfo_sink_i64(out, r->backlog);
	text_result(out, r->ret);
	if (r->ret == 0) {
		tfo_sink_str(out, " tfo_qlen_max=");
		tfo_sink_u64(out, r->tfo_qlen_max);
	}
	tfo_sink_char(out, '\n');
}

/* printf's "%x" */
static void hex_number(struct tfo_sink *out, uint32_t v)
{
	char digits[8], *end = digits + sizeof(digits), *p = end;

	do {
		*--p = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (v);
	tfo_sink_bytes(out, p, (size_t)(end - p));
}

static void text_tfo_server(const struct tfo_output *o,
			    const union tfo_record *u)
{
	const struct tfo_rec_tfo_server *r = &u->tfo_server;
	struct tfo_sink *out = &o->state->sink;
	const char *asked = r->foc_in < 0 ? "no-tfo-option" :
			    r->foc_in == 0 ? "cookie-request" : "cookie";
	const char *outcome = r->child ? "TFO accepted" :
			      r->foc_out > 0 ? "cookie sent" : "no TFO";

	text_hdr(o, &r->hdr, "tfo-syn");
	text_sock(out, -1, &r->sock);
	tfo_sink_char(out, ' ');
	tfo_sink_str(out, asked);
	tfo_sink_str(out, " data=");
	tfo_sink_u64(out, r->syn_data);
	tfo_sink_str(out, " -> ");
	tfo_sink_str(out, outcome);
	tfo_sink_str(out, " (queue ");
	tfo_sink_u64(out, r->qlen);
	tfo_sink_char(out, '/');
	tfo_sink_u64(out, r->qlen_max);
	tfo_sink_str(out, ", tcp_fastopen=0x");
	hex_number(out, r->sysctl);
	tfo_sink_str(out, ")\n");
}

static void text_tfo_client(const struct tfo_output *o,
			    const union tfo_record *u)
{
	const struct tfo_rec_tfo_client *r = &u->tfo_client;
	struct tfo_sink *out = &o->state->sink;
	const char *what = r->probe == TFO_CLIENT_COOKIE_CHECK ? "cookie-check" :
			   r->probe == TFO_CLIENT_DEFER_CONNECT ? "defer-connect" :
			   "blackhole";

	text_hdr(o, &r->hdr, "tfo-client");
	text_sock(out, -1, &r->sock);
	tfo_sink_char(out, ' ');
	tfo_sink_str(out, what);
	tfo_sink_str(out, " = ");
	tfo_sink_i64(out, r->ret);
	if (r->probe == TFO_CLIENT_COOKIE_CHECK) {
		tfo_sink_str(out, " cookie_len=");
		tfo_sink_i64(out, r->cookie_len);
	}
	tfo_sink_char(out, '\n');
}

/* "127.0.0.1:443", "[::1]:443" */
static void text_endpoint(struct tfo_sink *out, uint16_t family,
			  const uint8_t addr[16], uint16_t port)
{
	char buf[64];

	tfo_sink_str(out, tfo_addr_str(family, addr, buf, sizeof(buf)));
	tfo_sink_char(out, ':');
	tfo_sink_u64(out, port);
}

static void text_tfo_synack(const struct tfo_output *o,
			    const union tfo_record *u)
{
	const struct tfo_rec_tfo_synack *r = &u->tfo_synack;
	struct tfo_sink *out = &o->state->sink;

	text_hdr(o, &r->hdr, "tfo-synack");
	text_sock(out, -1, &r->sock);
	tfo_sink_str(out, " server ");
	text_endpoint(out, r->family, r->raddr, r->rport);
	tfo_sink_str(out, r->cookie_requested ? " cookie-request" :
			  r->syn_data ? " data" : " no-tfo-option");
	tfo_sink_str(out, " -> ");
	tfo_sink_str(out, r->cookie_len > 0 ? "cookie" : "no cookie");
	if (r->syn_data)
		tfo_sink_str(out, r->data_acked ? ", data acked" : ", data not acked");
	if (r->syn_retransmitted)
		tfo_sink_str(out, ", SYN retransmitted");
	tfo_sink_char(out, '\n');
}

void tfo_text_start(const struct tfo_output *o, const char *mode,
		    const char *version)
{
	(void)mode;
	(void)version;
	/* the column header comes with the first line in those columns */
	o->state->header_pending = true;
}

/* One packet's options as a capture shows them: "cookie-request",
 * "cookie(8)", "no-tfo"; ", 5 bytes"; ", mp_capable v1"; ", malformed". */
static void text_wire_packet(struct tfo_sink *out, uint8_t tfo,
			     uint8_t cookie_len, bool exp, uint32_t payload,
			     uint8_t mp_capable, bool malformed)
{
	if (tfo == TFO_WIRE_TFO_REQUEST) {
		tfo_sink_str(out, "cookie-request");
	} else if (tfo == TFO_WIRE_TFO_COOKIE) {
		tfo_sink_str(out, "cookie(");
		tfo_sink_u64(out, cookie_len);
		tfo_sink_char(out, ')');
	} else {
		tfo_sink_str(out, "no-tfo");
	}
	if (exp)
		tfo_sink_str(out, " experimental");
	if (payload) {
		tfo_sink_str(out, ", ");
		tfo_sink_u64(out, payload);
		tfo_sink_str(out, payload == 1 ? " byte" : " bytes");
	}
	if (mp_capable) {
		tfo_sink_str(out, ", mp_capable v");
		tfo_sink_u64(out, mp_capable - 1u);
	}
	if (malformed)
		tfo_sink_str(out, ", malformed options");
}

/* A handshake, one line, when its SYN-ACK goes by (its SYN is printed
 * with it): "client A:P > :PORT SYN [...] SYN-ACK [...]" for a listener,
 * "server A:P SYN [...] SYN-ACK [...]" for a client. */
static void text_wire(const struct tfo_output *o, const union tfo_record *u)
{
	const struct tfo_rec_wire *r = &u->wire;
	struct tfo_sink *out = &o->state->sink;
	bool server = r->packet == TFO_WIRE_SYN_IN ||
		      r->packet == TFO_WIRE_SYNACK_OUT;
	bool syn = r->packet == TFO_WIRE_SYN_IN || r->packet == TFO_WIRE_SYN_OUT;

	text_hdr(o, &r->hdr, "handshake");
	text_sock(out, -1, &r->sock);
	tfo_sink_str(out, server ? " client " : " server ");
	text_endpoint(out, r->family, r->raddr, r->rport);
	tfo_sink_str(out, " SYN [");
	if (syn)
		text_wire_packet(out, r->tfo, r->cookie_len, r->tfo_exp,
				 r->payload, r->mp_capable, r->malformed);
	else if (r->syn_seen)
		text_wire_packet(out, r->syn_tfo, r->syn_cookie_len, false,
				 r->syn_payload, r->syn_mp_capable, false);
	else
		tfo_sink_str(out, "not seen");
	tfo_sink_char(out, ']');
	if (!syn) {
		tfo_sink_str(out, " SYN-ACK [");
		text_wire_packet(out, r->tfo, r->cookie_len, r->tfo_exp,
				 r->payload, r->mp_capable, r->malformed);
		tfo_sink_char(out, ']');
		if (r->syn_seen && r->syn_payload)
			tfo_sink_str(out, r->data_acked ? " data acked" :
				     " data not acked");
		if (r->syns > 1) {
			tfo_sink_str(out, " SYN sent ");
			tfo_sink_u64(out, r->syns);
			tfo_sink_str(out, " times");
		}
	} else {
		tfo_sink_str(out, " no SYN-ACK yet");
	}
	tfo_sink_char(out, '\n');
}

static void text_listener(const struct tfo_output *o,
			  const union tfo_record *u)
{
	tfo_text_listener(o, &u->listener, NULL, 0, NULL, NULL);
}

typedef void (*text_printer)(const struct tfo_output *o,
			     const union tfo_record *u);

/* One per record type that records.c marks TFO_KIND_PRINTED */
static const text_printer text_printers[TFO_REC__MAX] = {
	[TFO_REC_SOCKET] = text_socket,
	[TFO_REC_LISTEN] = text_listen,
	[TFO_REC_SETSOCKOPT] = text_setsockopt,
	[TFO_REC_TFO_SERVER] = text_tfo_server,
	[TFO_REC_TFO_CLIENT] = text_tfo_client,
	[TFO_REC_TFO_SYNACK] = text_tfo_synack,
	[TFO_REC_LISTENER] = text_listener,
	[TFO_REC_WIRE] = text_wire,
};

bool tfo_text_prints(uint32_t type)
{
	return type < TFO_REC__MAX && text_printers[type];
}

void tfo_text_record(const struct tfo_output *o, const union tfo_record *r)
{
	text_printer printer;

	if (o->state->header_pending && r->hdr.type != TFO_REC_LISTENER) {
		tfo_sink_printf(&o->state->sink, "%-15s %-7s %-7s %-16s %-10s %s\n",
				"TIME", "PID", "TID", "COMM", "EVENT", "DETAILS");
		o->state->header_pending = false;
	}
	printer = r->hdr.type < TFO_REC__MAX ? text_printers[r->hdr.type] : NULL;
	if (printer)
		printer(o, r);
}

/* "1,204,332": a count a reader takes in at a glance. */
static void thousands(struct tfo_sink *out, uint64_t v)
{
	char digits[32], *end = digits + sizeof(digits), *p = end;
	int n = 0;

	do {
		if (n && n % 3 == 0)
			*--p = ',';
		*--p = (char)('0' + v % 10);
		v /= 10;
		n++;
	} while (v);
	tfo_sink_bytes(out, p, (size_t)(end - p));
}

void tfo_text_summary(const struct tfo_output *o, const struct tfo_summary *s)
{
	struct tfo_sink *out = &o->state->sink;
	uint64_t not_recorded = 0;

	for (size_t i = 0; i < TFO_CALL__MAX; i++)
		not_recorded += s->not_recorded[i];
	tfo_sink_printf(out, "# mode %s: ", s->mode);
	count_of(out, s->events, "event", "events");
	tfo_sink_printf(out, ", %" PRIu64 " shown, %" PRIu64 " lost", s->shown,
			s->lost);
	if (s->invalid)
		tfo_sink_printf(out, ", %" PRIu64 " invalid", s->invalid);
	if (s->reused_pid)
		tfo_sink_printf(out, ", %" PRIu64 " from reused pids dropped",
				s->reused_pid);
	if (s->policy == TFO_RECORD_RELEVANT) {
		tfo_sink_str(out, "; ");
		thousands(out, not_recorded);
		tfo_sink_str(out, not_recorded == 1 ?
			     " routine call not recorded (--all records them)" :
			     " routine calls not recorded (--all records them)");
	}
	if (s->wire && s->policy == TFO_RECORD_RELEVANT) {
		uint64_t packets = 0;

		for (size_t i = 0; i < TFO_WIRE__MAX; i++)
			packets += s->wire_not_recorded[i];
		tfo_sink_str(out, "; ");
		thousands(out, packets);
		tfo_sink_str(out, packets == 1 ?
			     " plain handshake packet not recorded" :
			     " plain handshake packets not recorded");
	}
	tfo_sink_str(out, "; ");
	count_of(out, s->sockets, "socket", "sockets");
	tfo_sink_printf(out, " tracked, %" PRIu64 " evicted", s->evicted);
	if (s->remotes || s->remotes_evicted) {
		tfo_sink_str(out, "; ");
		count_of(out, s->remotes, "remote server", "remote servers");
		tfo_sink_printf(out, ", %" PRIu64 " evicted", s->remotes_evicted);
	}
	tfo_sink_char(out, '\n');
}

static void text_owners(struct tfo_sink *out, const struct tfo_owner *owners,
			size_t n)
{
	if (!n) {
		tfo_sink_str(out, " owner=none (no process tfotrace can see has it open)");
		return;
	}
	tfo_sink_str(out, " pid=");
	tfo_sink_u64(out, owners[0].pid);
	if (owners[0].ns_pid && owners[0].ns_pid != owners[0].pid) {
		tfo_sink_str(out, " ns_pid=");
		tfo_sink_u64(out, owners[0].ns_pid);
	}
	tfo_sink_str(out, " comm=");
	tfo_sink_bytes(out, owners[0].comm,
		       strnlen(owners[0].comm, sizeof(owners[0].comm)));
	if (n > 1) {
		tfo_sink_str(out, " also=");
		for (size_t i = 1; i < n; i++) {
			if (i > 1)
				tfo_sink_char(out, ',');
			tfo_sink_u64(out, owners[i].pid);
		}
	}
}

void tfo_text_listener(const struct tfo_output *o,
		       const struct tfo_rec_listener *l,
		       const struct tfo_owner *owners, size_t n_owners,
		       const struct tfo_program *prog,
		       const struct tfo_mptcp_origin *origin)
{
	struct tfo_sink *out = &o->state->sink;
	char addr[64];

	tfo_sink_str(out, "listener ");
	name_or_num(out, tfo_proto_name(l->sock.protocol), l->sock.protocol);
	tfo_sink_char(out, ' ');
	tfo_sink_str(out, tfo_addr_str(l->sock.family, l->addr, addr,
				       sizeof(addr)));
	tfo_sink_char(out, ':');
	tfo_sink_u64(out, l->sock.lport);
	tfo_sink_str(out, " ino=");
	tfo_sink_u64(out, l->sock.ino);
	tfo_sink_str(out, " netns=");
	tfo_sink_u64(out, l->sock.netns);
	text_owners(out, owners, n_owners);
	if (prog && prog->go.is_go) {
		tfo_sink_str(out, " go=");
		tfo_sink_str(out, prog->go.version[0] ? prog->go.version : "?");
	}
	if (origin && origin->source != TFO_MPTCP_SOURCE_NONE) {
		tfo_sink_str(out, " mptcp_source=");
		tfo_sink_str(out, tfo_mptcp_source_name(origin->source));
	}
	tfo_sink_str(out, " tfo_qlen_max=");
	tfo_sink_u64(out, l->qlen_max);
	if (!l->qlen_max)
		tfo_sink_str(out, " (TFO off)");
	tfo_sink_str(out, " backlog=");
	tfo_sink_u64(out, l->backlog);
	tfo_sink_char(out, '\n');
}

static void text_sock_line(struct tfo_sink *out, const struct tfo_finding *f)
{
	const struct tfo_sock_view *v = f->sock;
	const struct tfo_program *p = f->program;
	const char *go = p && p->go.is_go ?
			 (p->go.version[0] ? p->go.version : "Go") : NULL;
	char addr[64];

	if (v->pid && v->ns_pid && v->ns_pid != v->pid)
		tfo_sink_printf(out, "pid %u (%u in its namespace) (%s%s%s), ",
				v->pid, v->ns_pid, v->comm, go ? ", " : "",
				go ? go : "");
	else if (v->pid)
		tfo_sink_printf(out, "pid %u (%s%s%s), ", v->pid, v->comm,
				go ? ", " : "", go ? go : "");
	else
		tfo_sink_str(out, "owner unknown, ");
	name_or_num(out, tfo_proto_name(v->protocol), v->protocol);
	tfo_sink_str(out, v->listening ? " listener " : " socket ");
	if (v->has_addr)
		tfo_sink_printf(out, "%s:%u", tfo_addr_str(v->family, v->addr,
							  addr, sizeof(addr)),
				v->port);
	else
		tfo_sink_printf(out, "port %u", v->port);
	tfo_sink_printf(out, ", ino %" PRIu64, v->ino);
	if (f->own_netns && v->netns && v->netns != f->own_netns)
		tfo_sink_printf(out, ", netns %u", v->netns);
}

/* How the owner runs, and for an MPTCP socket where its MPTCP came from:
 * what the advice below rests on. */
static void text_program(struct tfo_sink *out, const struct tfo_finding *f)
{
	const struct tfo_program *p = f->program;

	if (f->origin.source != TFO_MPTCP_SOURCE_NONE)
		tfo_sink_printf(out, "   MPTCP from: %s (%s)\n",
				tfo_mptcp_source_name(f->origin.source),
				f->origin.detail);
	if (p && p->unit[0])
		tfo_sink_printf(out, "   runs as: systemd service %s\n", p->unit);
	else if (p && p->container[0])
		tfo_sink_printf(out, "   runs in: container %s\n", p->container);
}

static void text_option_history(struct tfo_sink *out,
				const struct tfo_sock_view *v)
{
	if (!v->n_opts)
		return;
	tfo_sink_str(out, "   options:");
	for (uint32_t i = 0; i < v->n_opts && i < TFO_OPT_HISTORY; i++) {
		const struct tfo_opt_call *c = &v->opts[i];
		const char *layer = tfo_layer_name(c->err_layer);

		tfo_sink_str(out, i ? ", " : " ");
		name_or_num(out, tfo_optname_name(c->level, c->optname),
			    c->optname);
		if (c->has_value)
			tfo_sink_printf(out, "=%" PRId64, c->value);
		if (c->ret >= 0) {
			tfo_sink_str(out, " ok");
		} else {
			tfo_sink_char(out, ' ');
			name_or_num(out, tfo_errno_name(c->ret), -(long)c->ret);
		}
		if (c->ret < 0 && layer)
			tfo_sink_printf(out, " (%s)", layer);
	}
	if (v->n_opts > TFO_OPT_HISTORY)
		tfo_sink_printf(out, ", ... %u more", v->n_opts - TFO_OPT_HISTORY);
	tfo_sink_char(out, '\n');
}

/* What the per-SYN probes counted: the report's TFO line and an update's. */
static void text_syn_numbers(struct tfo_sink *out, const struct tfo_sock_view *v)
{
	count_of(out, v->syns, "SYN", "SYNs");
	tfo_sink_printf(out, ", %" PRIu64 " asked for a cookie, %" PRIu64
			" carried data, %" PRIu64 " got no TFO; ",
			v->cookie_requests, v->syns_with_data, v->syns_unanswered);
	count_of(out, v->cookies_sent, "cookie", "cookies");
	tfo_sink_printf(out, " sent, %" PRIu64 " TFO accepted", v->tfo_accepted);
	if (v->cookie_invalid) {
		tfo_sink_str(out, ", ");
		count_of(out, v->cookie_invalid, "invalid cookie", "invalid cookies");
	}
	if (v->overflows) {
		tfo_sink_str(out, ", ");
		count_of(out, v->overflows, "queue overflow", "queue overflows");
	}
	if (v->blackholes) {
		tfo_sink_str(out, ", ");
		count_of(out, v->blackholes, "blackhole disable", "blackhole disables");
	}
}

/* What the handshakes showed on the wire, as a person reads a capture:
 * "on the wire: 5 SYNs, 5 asked for a cookie, 0 carried data; 5 SYN-ACKs,
 * 0 carried a cookie; MPTCP negotiated on 0 of 5 (plain TCP clients)". */
static void text_wire_counts(struct tfo_sink *out,
			     const struct tfo_wire_counts *w, bool mptcp)
{
	tfo_sink_str(out, "   on the wire: ");
	count_of(out, w->syns, "SYN", "SYNs");
	tfo_sink_printf(out, ", %" PRIu64 " asked for a cookie", w->cookie_requests);
	if (w->cookies_in_syn)
		tfo_sink_printf(out, ", %" PRIu64 " carried one", w->cookies_in_syn);
	tfo_sink_printf(out, ", %" PRIu64 " carried data; ", w->syns_with_data);
	count_of(out, w->synacks, "SYN-ACK", "SYN-ACKs");
	if (w->syns && !w->synacks)
		tfo_sink_str(out, " seen (a SYN-ACK of a SYN cookie, or an IPv6 "
			     "one before kernel 6.5, leaves unseen)");
	tfo_sink_printf(out, ", %" PRIu64 " carried a cookie", w->synack_cookies);
	if (w->syns_with_data)
		tfo_sink_printf(out, ", %" PRIu64 " acknowledged the data",
				w->data_acked);
	if (mptcp || w->syns_mp_capable || w->synacks_mp_capable) {
		tfo_sink_printf(out, "; MPTCP negotiated on %" PRIu64 " of %" PRIu64,
				w->synacks_mp_capable, w->synacks);
		if (!w->syns_mp_capable)
			tfo_sink_str(out, " (plain TCP clients)");
		else if (w->syns_mp_capable < w->syns)
			tfo_sink_printf(out, " (%" PRIu64 " of %" PRIu64 " SYNs "
					"offered it)", w->syns_mp_capable, w->syns);
	}
	if (w->syns_retransmitted) {
		tfo_sink_str(out, "; ");
		count_of(out, w->syns_retransmitted, "SYN sent again",
			 "SYNs sent again");
	}
	if (w->experimental)
		tfo_sink_printf(out, "; %" PRIu64 " with the experimental option",
				w->experimental);
	if (w->malformed)
		tfo_sink_printf(out, "; %" PRIu64 " with malformed options",
				w->malformed);
	tfo_sink_char(out, '\n');
}

/* Where the probes and the wire both counted a listener's SYNs, a
 * difference is said, not smoothed over. */
static void text_wire_disagreement(struct tfo_sink *out,
				   const struct tfo_sock_view *v)
{
	const struct tfo_wire_counts *w = &v->wire;
	const char *sep = "";

	if (v->cookie_requests == w->cookie_requests &&
	    v->syns_with_data == w->syns_with_data &&
	    v->cookies_sent == w->synack_cookies &&
	    v->tfo_accepted == w->data_acked)
		return;
	tfo_sink_str(out, "   note: the kernel's functions and the wire disagree:");
	if (v->cookie_requests != w->cookie_requests) {
		tfo_sink_printf(out, " cookie requests %" PRIu64 " vs %" PRIu64,
				v->cookie_requests, w->cookie_requests);
		sep = ";";
	}
	if (v->syns_with_data != w->syns_with_data) {
		tfo_sink_printf(out, "%s SYNs with data %" PRIu64 " vs %" PRIu64,
				sep, v->syns_with_data, w->syns_with_data);
		sep = ";";
	}
	if (v->cookies_sent != w->synack_cookies) {
		tfo_sink_printf(out, "%s cookies sent %" PRIu64 " vs %" PRIu64,
				sep, v->cookies_sent, w->synack_cookies);
		sep = ";";
	}
	if (v->tfo_accepted != w->data_acked)
		tfo_sink_printf(out, "%s TFO accepted %" PRIu64 " vs %" PRIu64
				" data acknowledged", sep, v->tfo_accepted,
				w->data_acked);
	tfo_sink_str(out, " (handshakes under way at the start or the end, or "
		     "packets the observer did not see)\n");
}

static void text_tfo_numbers(struct tfo_sink *out, const struct tfo_finding *f)
{
	const struct tfo_sock_view *v = f->sock;
	bool per_syn = f->probes || f->wire;

	/* without the probes or the observer, the report's header said so */
	if (!per_syn && !v->qlen_known)
		return;
	tfo_sink_str(out, "   TFO:");
	if (v->qlen_known)
		tfo_sink_printf(out, " queue limit %u%s", v->qlen_max,
				per_syn ? ";" : "");
	if (per_syn) {
		tfo_sink_char(out, ' ');
		text_syn_numbers(out, v);
	}
	tfo_sink_char(out, '\n');
	if (f->wire && v->listening) {
		text_wire_counts(out, &v->wire, v->protocol == 262);
		if (f->probes)
			text_wire_disagreement(out, v);
	}
}

/* A live finding seen before, with new numbers: one line of them. */
static void text_finding_update(struct tfo_sink *out, const struct tfo_finding *f)
{
	const struct tfo_sock_view *v = f->sock;

	tfo_sink_printf(out, "*** finding %s (update): ",
			tfo_finding_name(f->kind));
	text_sock_line(out, f);
	if (f->probes || v->qlen_known || v->n_opts)
		tfo_sink_str(out, ": ");
	if (f->probes)
		text_syn_numbers(out, v);
	else if (v->qlen_known)
		tfo_sink_printf(out, "queue limit %u", v->qlen_max);
	if (v->n_opts) {
		if (f->probes || v->qlen_known)
			tfo_sink_str(out, "; ");
		count_of(out, v->n_opts, "option", "options");
		tfo_sink_printf(out, " set, %u refused", v->n_failed);
	}
	tfo_sink_char(out, '\n');
}

static void text_remote_line(struct tfo_sink *out,
			     const struct tfo_remote_view *r)
{
	tfo_sink_str(out, "server ");
	text_endpoint(out, r->family, r->addr, r->port);
	tfo_sink_printf(out, " (from netns %u)", r->netns);
}

static void text_remote_numbers(struct tfo_sink *out,
				const struct tfo_remote_view *r)
{
	count_of(out, r->connections, "connection", "connections");
	tfo_sink_printf(out, "; %" PRIu64 " asked for a cookie, ",
			r->cookie_requests);
	count_of(out, r->cookies_received, "cookie", "cookies");
	tfo_sink_str(out, " received; ");
	count_of(out, r->syn_data_sent, "SYN", "SYNs");
	tfo_sink_printf(out, " with data, %" PRIu64 " acknowledged",
			r->syn_data_acked);
	if (r->syns_retransmitted) {
		tfo_sink_str(out, "; ");
		count_of(out, r->syns_retransmitted, "SYN", "SYNs");
		tfo_sink_str(out, " retransmitted");
	}
}

/* What every report section ends with: why, a lost-events note, and the
 * advice under HEADING ("fix": this host's; "next": another's to run). */
static void text_finding_end(struct tfo_sink *out, const struct tfo_finding *f,
			     const char *heading)
{
	tfo_sink_printf(out, "   why: %s\n", f->why);
	if (f->lost)
		tfo_sink_printf(out, "   note: %" PRIu64 " events were lost: the "
				"numbers may be short\n", f->lost);
	if (f->n_advice)
		tfo_sink_printf(out, "   %s, best first:\n", heading);
	for (size_t i = 0; i < f->n_advice; i++)
		tfo_sink_printf(out, "     %zu. %s\n", i + 1, f->advice[i]);
}

/* A remote server's finding: one line live, a section in the report. */
static void text_remote_finding(struct tfo_sink *out,
				const struct tfo_finding *f)
{
	const struct tfo_remote_view *r = f->remote;

	if (!f->final) {
		tfo_sink_printf(out, "*** finding %s%s: ", tfo_finding_name(f->kind),
				f->update ? " (update)" : "");
		text_remote_line(out, r);
		tfo_sink_str(out, ": ");
		text_remote_numbers(out, r);
		tfo_sink_char(out, '\n');
		return;
	}
	tfo_sink_printf(out, "== %s: ", tfo_finding_name(f->kind));
	text_remote_line(out, r);
	tfo_sink_str(out, "\n   clients:");
	for (size_t i = 0; i < r->n_clients; i++)
		tfo_sink_printf(out, "%s pid %u (%s)", i ? "," : "",
				r->clients[i].pid, r->clients[i].comm);
	if (!r->n_clients)
		tfo_sink_str(out, " unknown");
	if (r->more_clients)
		tfo_sink_str(out, ", and more");
	tfo_sink_str(out, "\n   TFO: ");
	text_remote_numbers(out, r);
	tfo_sink_char(out, '\n');
	if (f->wire)
		text_wire_counts(out, &r->wire, false);
	text_finding_end(out, f, "next");
}

void tfo_text_finding(const struct tfo_output *o, const struct tfo_finding *f)
{
	struct tfo_sink *out = &o->state->sink;

	if (f->remote) {
		text_remote_finding(out, f);
		return;
	}
	if (!f->final && f->update) {
		text_finding_update(out, f);
		return;
	}
	if (!f->final) {
		tfo_sink_printf(out, "*** finding %s: ", tfo_finding_name(f->kind));
		text_sock_line(out, f);
		if (f->err) {
			tfo_sink_str(out, ": ");
			name_or_num(out, tfo_errno_name(f->err), f->err);
		}
		tfo_sink_char(out, '\n');
		return;
	}
	tfo_sink_printf(out, "== %s: ", tfo_finding_name(f->kind));
	text_sock_line(out, f);
	tfo_sink_char(out, '\n');
	text_program(out, f);
	text_option_history(out, f->sock);
	text_tfo_numbers(out, f);
	text_finding_end(out, f, "fix");
}

void tfo_text_counters(const struct tfo_output *o, uint32_t netns,
		       const struct tfo_mib *start, const struct tfo_mib *delta)
{
	(void)start;
	tfo_sink_printf(&o->state->sink, "# TFO counters of tfotrace's network "
			"namespace (netns %u), change over the run: CookieReqd +%" PRIu64
			", Passive +%" PRIu64 ", PassiveFail +%" PRIu64
			", ListenOverflow +%" PRIu64 ", Active +%" PRIu64
			", ActiveFail +%" PRIu64 ", Blackhole +%" PRIu64 "\n",
			netns, delta->cookie_reqd, delta->passive, delta->passive_fail,
			delta->listen_overflow, delta->active,
			delta->active_fail, delta->blackhole);
}

void tfo_text_remotes_unobserved(const struct tfo_output *o, const char *mode,
				 uint32_t netns, const struct tfo_mib *delta)
{
	struct tfo_sink *out = &o->state->sink;

	(void)mode;	/* the report's header said what it cannot see */
	if (delta)
		tfo_sink_printf(out, "== remote servers: this host's TFO clients "
				"(netns %u) over the run: TCPFastOpenActive +%"
				PRIu64 " (SYN data acknowledged), "
				"TCPFastOpenActiveFail +%" PRIu64 " (SYN data not "
				"acknowledged, or timeouts that turned TFO off)\n",
				netns, delta->active, delta->active_fail);
	else
		tfo_sink_printf(out, "== remote servers: this host's TFO clients "
				"(netns %u): counters unreadable\n", netns);
}
