// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* JSON Lines: one object per record, every object with a "type". Symbolic
 * names are null where the number has none; the number is always there. */
#include <inttypes.h>
#include <stddef.h>
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
	json_name(out, "errno", ret < 0 ? tfo_errno_name(ret) : NULL);
}

/* The pid inside the process's own pid namespace (a container's view):
 * null when unknown. */
static void json_ns_pid(FILE *out, uint32_t ns_pid)
{
	if (ns_pid)
		fprintf(out, ",\"ns_pid\":%u", ns_pid);
	else
		fputs(",\"ns_pid\":null", out);
}

static void json_hdr(const struct tfo_output *o, const struct tfo_rec_hdr *h,
		     const char *type)
{
	FILE *out = o->out;

	fprintf(out, "{\"type\":\"%s\",\"time_ns\":%" PRId64
		",\"pid\":%u,\"tid\":%u", type,
		(int64_t)h->ts_ns + o->realtime_offset_ns, h->pid, h->tid);
	json_ns_pid(out, h->ns_pid);
	fputs(",\"comm\":", out);
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
	fprintf(out, ",\"tfo_qlen_max\":%u,\"sysctl_tcp_fastopen\":%u}\n",
		r->tfo_qlen_max, r->sysctl);
}

static void json_tfo_server(const struct tfo_output *o,
			    const struct tfo_rec_tfo_server *r)
{
	FILE *out = o->out;

	/* pid and comm: the listener's owner, never the interrupted task */
	json_hdr(o, &r->hdr, "tfo_server");
	json_sock(out, &r->sock);
	fprintf(out, ",\"subflow\":%s,\"foc_in\":%d,\"foc_out\":%d,"
		"\"syn_data\":%u,\"tfo_qlen\":%u,\"tfo_qlen_max\":%u,"
		"\"sysctl_tcp_fastopen\":%u,\"child\":%s}\n",
		r->subflow ? "true" : "false", r->foc_in, r->foc_out, r->syn_data,
		r->qlen, r->qlen_max, r->sysctl, r->child ? "true" : "false");
}

static const char *client_probe_name(uint32_t probe)
{
	switch (probe) {
	case TFO_CLIENT_COOKIE_CHECK:
		return "tcp_fastopen_cookie_check";
	case TFO_CLIENT_DEFER_CONNECT:
		return "tcp_fastopen_defer_connect";
	case TFO_CLIENT_BLACKHOLE:
		return "tcp_fastopen_active_should_disable";
	default:
		return NULL;
	}
}

static void json_tfo_client(const struct tfo_output *o,
			    const struct tfo_rec_tfo_client *r)
{
	FILE *out = o->out;

	json_hdr(o, &r->hdr, "tfo_client");
	json_sock(out, &r->sock);
	json_name(out, "probe", client_probe_name(r->probe));
	fprintf(out, ",\"ret\":%d,\"cookie_len\":%d}\n", r->ret,
		r->cookie_len);
}

void tfo_json_listener(const struct tfo_output *o,
		       const struct tfo_rec_listener *l,
		       const struct tfo_owner *owners, size_t n_owners)
{
	FILE *out = o->out;
	char addr[64];

	fputs("{\"type\":\"listener\"", out);
	if (n_owners) {
		fprintf(out, ",\"pid\":%u", owners[0].pid);
		json_ns_pid(out, owners[0].ns_pid);
		fputs(",\"comm\":", out);
		tfo_json_string(out, owners[0].comm, sizeof(owners[0].comm));
	} else {
		fputs(",\"pid\":null,\"ns_pid\":null,\"comm\":null", out);
	}
	json_sock(out, &l->sock);
	json_name(out, "addr", tfo_addr_str(l->sock.family, l->addr, addr,
					    sizeof(addr)));
	fprintf(out, ",\"subflow\":%s,\"tfo_qlen_max\":%u,\"tfo_qlen\":%u,"
		"\"backlog\":%u,\"sysctl_tcp_fastopen\":%u,\"owners\":[",
		l->subflow ? "true" : "false", l->qlen_max, l->qlen, l->backlog,
		l->sysctl);
	for (size_t i = 0; i < n_owners; i++) {
		fprintf(out, "%s{\"pid\":%u", i ? "," : "", owners[i].pid);
		json_ns_pid(out, owners[i].ns_pid);
		fputs(",\"comm\":", out);
		tfo_json_string(out, owners[i].comm, sizeof(owners[i].comm));
		fputc('}', out);
	}
	fputs("]}\n", out);
}

/* A count, or null where the attach mode could not observe it. */
static void json_count(FILE *out, const char *key, uint64_t n, bool known)
{
	if (known)
		fprintf(out, ",\"%s\":%" PRIu64, key, n);
	else
		fprintf(out, ",\"%s\":null", key);
}

void tfo_json_finding(const struct tfo_output *o, const struct tfo_finding *f)
{
	const struct tfo_sock_view *v = f->sock;
	FILE *out = o->out;
	char addr[64];

	fputs("{\"type\":\"finding\"", out);
	json_name(out, "kind", tfo_finding_name(f->kind));
	fprintf(out, ",\"final\":%s", f->final ? "true" : "false");
	if (v->pid) {
		fprintf(out, ",\"pid\":%u", v->pid);
		json_ns_pid(out, v->ns_pid);
		fputs(",\"comm\":", out);
		tfo_json_string(out, v->comm, sizeof(v->comm));
	} else {
		fputs(",\"pid\":null,\"ns_pid\":null,\"comm\":null", out);
	}
	fprintf(out, ",\"sock_ino\":%" PRIu64 ",\"netns\":%u", v->ino,
		v->netns);
	json_name(out, "proto", tfo_proto_name(v->protocol));
	json_name(out, "family", tfo_family_name(v->family));
	fprintf(out, ",\"port\":%u", v->port);
	json_name(out, "addr", v->has_addr ?
		  tfo_addr_str(v->family, v->addr, addr, sizeof(addr)) : NULL);
	json_name(out, "errno", f->err ? tfo_errno_name(f->err) : NULL);
	json_count(out, "tfo_qlen_max", v->qlen_max, v->qlen_known);
	json_count(out, "syns", v->syns, f->probes);
	json_count(out, "cookie_requests", v->cookie_requests, f->probes);
	json_count(out, "syns_with_data", v->syns_with_data, f->probes);
	json_count(out, "syns_unanswered", v->syns_unanswered, f->probes);
	json_count(out, "cookies_sent", v->cookies_sent, f->probes);
	json_count(out, "tfo_accepted", v->tfo_accepted, f->probes);
	json_count(out, "cookie_invalid", v->cookie_invalid, f->probes);
	json_count(out, "overflows", v->overflows, f->probes);
	json_count(out, "blackholes", v->blackholes, f->probes);
	fputs(",\"options\":[", out);
	for (uint32_t i = 0; i < v->n_opts && i < TFO_OPT_HISTORY; i++) {
		const struct tfo_opt_call *c = &v->opts[i];

		fprintf(out, "%s{\"level_num\":%d", i ? "," : "", c->level);
		json_name(out, "level", tfo_level_name(c->level));
		fprintf(out, ",\"optname_num\":%d", c->optname);
		json_name(out, "optname", tfo_optname_name(c->level, c->optname));
		if (c->has_value)
			fprintf(out, ",\"optval\":%" PRId64, c->value);
		else
			fputs(",\"optval\":null", out);
		fprintf(out, ",\"ret\":%d", c->ret);
		json_errno(out, c->ret);
		json_name(out, "err_layer", tfo_layer_name(c->err_layer));
		fputc('}', out);
	}
	fprintf(out, "],\"lost\":%" PRIu64, f->lost);
	json_name(out, "why", f->why);
	fputs(",\"advice\":[", out);
	for (size_t i = 0; i < f->n_advice; i++) {
		if (i)
			fputc(',', out);
		tfo_json_string(out, f->advice[i], sizeof(f->advice[i]));
	}
	fputs("]}\n", out);
}

/* The counters are read in tfo_mib's field order, as an array. */
_Static_assert(offsetof(struct tfo_mib, passive_alt_key) == 7 * sizeof(uint64_t),
	       "tfo_mib counters are consecutive");

void tfo_json_counters(const struct tfo_output *o, const struct tfo_mib *start,
		       const struct tfo_mib *delta)
{
	static const char *const names[] = {
		"TCPFastOpenActive", "TCPFastOpenActiveFail",
		"TCPFastOpenPassive", "TCPFastOpenPassiveFail",
		"TCPFastOpenListenOverflow", "TCPFastOpenCookieReqd",
		"TCPFastOpenBlackhole", "TCPFastOpenPassiveAltKey",
	};
	const uint64_t *s = &start->active, *d = &delta->active;
	FILE *out = o->out;
	const char *sep = "";

	fputs("{\"type\":\"counters\",\"start\":{", out);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (start->present & (1u << i)) {
			fprintf(out, "%s\"%s\":%" PRIu64, sep, names[i], s[i]);
			sep = ",";
		}
	fputs("},\"delta\":{", out);
	sep = "";
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (delta->present & (1u << i)) {
			fprintf(out, "%s\"%s\":%" PRIu64, sep, names[i], d[i]);
			sep = ",";
		}
	fputs("}}\n", out);
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
	case TFO_REC_TFO_SERVER:
		json_tfo_server(o, &r->tfo_server);
		break;
	case TFO_REC_TFO_CLIENT:
		json_tfo_client(o, &r->tfo_client);
		break;
	case TFO_REC_LISTENER:
		tfo_json_listener(o, &r->listener, NULL, 0);
		break;
	}
}

void tfo_json_summary(const struct tfo_output *o, const struct tfo_summary *s)
{
	fputs("{\"type\":\"summary\"", o->out);
	json_name(o->out, "mode", s->mode);
	fprintf(o->out, ",\"events\":%" PRIu64 ",\"shown\":%" PRIu64
		",\"lost\":%" PRIu64 ",\"invalid\":%" PRIu64
		",\"reused_pid\":%" PRIu64 ",\"sockets\":%" PRIu64
		",\"evicted\":%" PRIu64 "}\n",
		s->events, s->shown, s->lost, s->invalid, s->reused_pid,
		s->sockets, s->evicted);
}
