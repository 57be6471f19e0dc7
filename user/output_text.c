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
	char pid[24];

	/* host pid, and the pid inside its own namespace where it differs */
	if (h->ns_pid && h->ns_pid != h->pid)
		snprintf(pid, sizeof(pid), "%u/%u", h->pid, h->ns_pid);
	else
		snprintf(pid, sizeof(pid), "%u", h->pid);
	text_time(o->out, o, h->ts_ns);
	fprintf(o->out, " %-7s %-7u %-16s %-10s", pid, h->tid, comm, event);
}

static void text_sock(FILE *out, int fd, const struct tfo_sock_id *s)
{
	char b1[16], b2[16];

	if (fd >= 0)
		fprintf(out, " fd=%d", fd);
	if (!s->ino) {
		fputs(" (not a socket)", out);
		return;
	}
	fprintf(out, " ino=%" PRIu64 " netns=%u %s/%s :%u %s", (uint64_t)s->ino,
		s->netns,
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
			name_or_num(tfo_errno_name(ret), -(long)ret, buf,
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

static void text_tfo_server(const struct tfo_output *o,
			    const struct tfo_rec_tfo_server *r)
{
	FILE *out = o->out;
	const char *asked = r->foc_in < 0 ? "no-tfo-option" :
			    r->foc_in == 0 ? "cookie-request" : "cookie";
	const char *outcome = r->child ? "TFO accepted" :
			      r->foc_out > 0 ? "cookie sent" : "no TFO";

	text_hdr(o, &r->hdr, "tfo-syn");
	text_sock(out, -1, &r->sock);
	fprintf(out, " %s data=%u -> %s (queue %u/%u, tcp_fastopen=0x%x)\n",
		asked, r->syn_data, outcome, r->qlen, r->qlen_max, r->sysctl);
}

static void text_tfo_client(const struct tfo_output *o,
			    const struct tfo_rec_tfo_client *r)
{
	FILE *out = o->out;
	const char *what = r->probe == TFO_CLIENT_COOKIE_CHECK ? "cookie-check" :
			   r->probe == TFO_CLIENT_DEFER_CONNECT ? "defer-connect" :
			   "blackhole";

	text_hdr(o, &r->hdr, "tfo-client");
	text_sock(out, -1, &r->sock);
	fprintf(out, " %s = %d", what, r->ret);
	if (r->probe == TFO_CLIENT_COOKIE_CHECK)
		fprintf(out, " cookie_len=%d", r->cookie_len);
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
	case TFO_REC_TFO_SERVER:
		text_tfo_server(o, &r->tfo_server);
		break;
	case TFO_REC_TFO_CLIENT:
		text_tfo_client(o, &r->tfo_client);
		break;
	case TFO_REC_LISTENER:
		tfo_text_listener(o, &r->listener, NULL, 0);
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
	if (s->reused_pid)
		fprintf(o->out, ", %" PRIu64 " from reused pids dropped",
			s->reused_pid);
	fprintf(o->out, "; %" PRIu64 " sockets tracked, %" PRIu64 " evicted\n",
		s->sockets, s->evicted);
}

static void text_owners(FILE *out, const struct tfo_owner *owners, size_t n)
{
	if (!n) {
		fputs(" owner=?", out);
		return;
	}
	fprintf(out, " pid=%u", owners[0].pid);
	if (owners[0].ns_pid && owners[0].ns_pid != owners[0].pid)
		fprintf(out, " ns_pid=%u", owners[0].ns_pid);
	fprintf(out, " comm=%s", owners[0].comm);
	if (n > 1) {
		fputs(" also=", out);
		for (size_t i = 1; i < n; i++)
			fprintf(out, "%s%u", i > 1 ? "," : "", owners[i].pid);
	}
}

void tfo_text_listener(const struct tfo_output *o,
		       const struct tfo_rec_listener *l,
		       const struct tfo_owner *owners, size_t n_owners)
{
	char addr[64], b[16];

	fprintf(o->out, "listener %s %s:%u ino=%" PRIu64 " netns=%u",
		name_or_num(tfo_proto_name(l->sock.protocol), l->sock.protocol,
			    b, sizeof(b)),
		tfo_addr_str(l->sock.family, l->addr, addr, sizeof(addr)),
		l->sock.lport, (uint64_t)l->sock.ino, l->sock.netns);
	text_owners(o->out, owners, n_owners);
	fprintf(o->out, " tfo_qlen_max=%u%s backlog=%u\n", l->qlen_max,
		l->qlen_max ? "" : " (TFO off)", l->backlog);
}

static void text_sock_line(FILE *out, const struct tfo_sock_view *v)
{
	char addr[64], b[16];

	if (v->pid && v->ns_pid && v->ns_pid != v->pid)
		fprintf(out, "pid %u (%u in its namespace) (%s), ", v->pid,
			v->ns_pid, v->comm);
	else if (v->pid)
		fprintf(out, "pid %u (%s), ", v->pid, v->comm);
	else
		fputs("owner unknown, ", out);
	fprintf(out, "%s %s ", name_or_num(tfo_proto_name(v->protocol),
					   v->protocol, b, sizeof(b)),
		v->listening ? "listener" : "socket");
	if (v->has_addr)
		fprintf(out, "%s:%u", tfo_addr_str(v->family, v->addr, addr,
						  sizeof(addr)), v->port);
	else
		fprintf(out, "port %u", v->port);
	fprintf(out, ", ino %" PRIu64, v->ino);
}

static void text_option_history(FILE *out, const struct tfo_sock_view *v)
{
	char b1[16], b2[16];

	if (!v->n_opts)
		return;
	fputs("   options:", out);
	for (uint32_t i = 0; i < v->n_opts && i < TFO_OPT_HISTORY; i++) {
		const struct tfo_opt_call *c = &v->opts[i];
		const char *layer = tfo_layer_name(c->err_layer);

		fprintf(out, "%s %s", i ? "," : "",
			name_or_num(tfo_optname_name(c->level, c->optname),
				    c->optname, b1, sizeof(b1)));
		if (c->has_value)
			fprintf(out, "=%" PRId64, c->value);
		if (c->ret >= 0)
			fputs(" ok", out);
		else
			fprintf(out, " %s", name_or_num(tfo_errno_name(c->ret),
							-(long)c->ret, b2,
							sizeof(b2)));
		if (c->ret < 0 && layer)
			fprintf(out, " (%s)", layer);
	}
	if (v->n_opts > TFO_OPT_HISTORY)
		fprintf(out, ", ... %u more", v->n_opts - TFO_OPT_HISTORY);
	fputc('\n', out);
}

static void text_tfo_numbers(FILE *out, const struct tfo_finding *f)
{
	const struct tfo_sock_view *v = f->sock;

	fputs("   TFO:", out);
	if (v->qlen_known)
		fprintf(out, " queue limit %u;", v->qlen_max);
	if (!f->probes) {
		fputs(" per-SYN numbers are not observable in this attach mode "
		      "(see the kernel counters)\n", out);
		return;
	}
	fprintf(out, " %" PRIu64 " SYNs, %" PRIu64 " asked for a cookie, %"
		PRIu64 " carried data, %" PRIu64 " got no TFO; %" PRIu64
		" cookies sent, %" PRIu64 " TFO accepted", v->syns,
		v->cookie_requests, v->syns_with_data, v->syns_unanswered,
		v->cookies_sent, v->tfo_accepted);
	if (v->cookie_invalid)
		fprintf(out, ", %" PRIu64 " invalid cookies", v->cookie_invalid);
	if (v->overflows)
		fprintf(out, ", %" PRIu64 " queue overflows", v->overflows);
	if (v->blackholes)
		fprintf(out, ", %" PRIu64 " blackhole disables", v->blackholes);
	fputc('\n', out);
}

void tfo_text_finding(const struct tfo_output *o, const struct tfo_finding *f)
{
	FILE *out = o->out;
	char b[16];

	if (!f->final) {
		fprintf(out, "*** finding %s: ", tfo_finding_name(f->kind));
		text_sock_line(out, f->sock);
		if (f->err)
			fprintf(out, ": %s", name_or_num(tfo_errno_name(f->err),
							 f->err, b, sizeof(b)));
		fputc('\n', out);
		return;
	}
	fprintf(out, "== %s: ", tfo_finding_name(f->kind));
	text_sock_line(out, f->sock);
	fputc('\n', out);
	text_option_history(out, f->sock);
	text_tfo_numbers(out, f);
	fprintf(out, "   why: %s\n", f->why);
	if (f->lost)
		fprintf(out, "   note: %" PRIu64 " events were lost: the numbers "
			"may be short\n", f->lost);
	if (f->n_advice)
		fputs("   fix, best first:\n", out);
	for (size_t i = 0; i < f->n_advice; i++)
		fprintf(out, "     %zu. %s\n", i + 1, f->advice[i]);
}

void tfo_text_counters(const struct tfo_output *o, const struct tfo_mib *start,
		       const struct tfo_mib *delta)
{
	(void)start;
	fprintf(o->out, "# TFO counters of this network namespace, change over "
		"the run: CookieReqd +%" PRIu64 ", Passive +%" PRIu64
		", PassiveFail +%" PRIu64 ", ListenOverflow +%" PRIu64
		", Active +%" PRIu64 ", ActiveFail +%" PRIu64 ", Blackhole +%"
		PRIu64 "\n", delta->cookie_reqd, delta->passive,
		delta->passive_fail, delta->listen_overflow, delta->active,
		delta->active_fail, delta->blackhole);
}
