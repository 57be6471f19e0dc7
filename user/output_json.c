// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* JSON Lines: one object per record, every object with a "type". Symbolic
 * names are null where the number has none; the number is always there.
 * Records are built from the sink's appenders, never printf (see sink.h). */
#include <stddef.h>
#include <stdint.h>
#include "names.h"
#include "output.h"

/* The text before a member's value: KEY("fd") is ",\"fd\":" */
#define KEY(name) ",\"" name "\":"

/* The helpers are inlined so that each KEY's length is a constant. */
#define JSON_HELPER static inline __attribute__((always_inline)) void

JSON_HELPER json_name(struct tfo_sink *out, const char *key, const char *name)
{
	tfo_sink_str(out, key);
	if (name)
		tfo_sink_json_string(out, name, SIZE_MAX);
	else
		tfo_sink_str(out, "null");
}

/* NAME: one of names.c's tables' (identifiers: plain ASCII, no '"' or
 * '\\', test_names holds them so), written without the escaping pass that
 * a string from elsewhere needs; NULL: null. The per-event members. */
JSON_HELPER json_ident(struct tfo_sink *out, const char *key, const char *name)
{
	tfo_sink_str(out, key);
	if (name) {
		tfo_sink_char(out, '"');
		tfo_sink_str(out, name);
		tfo_sink_char(out, '"');
	} else {
		tfo_sink_str(out, "null");
	}
}

JSON_HELPER json_u64(struct tfo_sink *out, const char *key, uint64_t v)
{
	tfo_sink_str(out, key);
	tfo_sink_u64(out, v);
}

JSON_HELPER json_i64(struct tfo_sink *out, const char *key, int64_t v)
{
	tfo_sink_str(out, key);
	tfo_sink_i64(out, v);
}

JSON_HELPER json_bool(struct tfo_sink *out, const char *key, bool v)
{
	tfo_sink_str(out, key);
	tfo_sink_str(out, v ? "true" : "false");
}

static void json_errno(struct tfo_sink *out, int ret)
{
	json_ident(out, KEY("errno"), ret < 0 ? tfo_errno_name(ret) : NULL);
}

/* The pid inside the process's own pid namespace (a container's view):
 * null when unknown. */
static void json_ns_pid(struct tfo_sink *out, uint32_t ns_pid)
{
	if (ns_pid)
		json_u64(out, KEY("ns_pid"), ns_pid);
	else
		tfo_sink_str(out, KEY("ns_pid") "null");
}

static void json_hdr(const struct tfo_output *o, const struct tfo_rec_hdr *h)
{
	struct tfo_sink *out = &o->state->sink;
	const char *type = tfo_record_kind(h->type)->name;

	tfo_sink_str(out, "{\"type\":\"");
	tfo_sink_str(out, type);
	tfo_sink_char(out, '"');
	json_i64(out, KEY("time_ns"), (int64_t)h->ts_ns + o->realtime_offset_ns);
	json_u64(out, KEY("pid"), h->pid);
	json_u64(out, KEY("tid"), h->tid);
	json_ns_pid(out, h->ns_pid);
	tfo_sink_str(out, KEY("comm"));
	tfo_sink_json_string(out, h->comm, sizeof(h->comm));
}

/* The socket as the kernel saw it at the call's exit. */
static void json_sock(struct tfo_sink *out, const struct tfo_sock_id *s)
{
	json_u64(out, KEY("sock_ino"), s->ino);
	json_u64(out, KEY("netns"), s->netns);
	json_ident(out, KEY("family"), s->ino ? tfo_family_name(s->family) : NULL);
	json_u64(out, KEY("family_num"), s->family);
	json_ident(out, KEY("sock_type"),
		  s->ino ? tfo_socktype_name(s->type) : NULL);
	json_ident(out, KEY("proto"), s->ino ? tfo_proto_name(s->protocol) : NULL);
	json_u64(out, KEY("proto_num"), s->protocol);
	json_ident(out, KEY("state"),
		  s->ino ? tfo_tcp_state_name(s->state) : NULL);
	json_u64(out, KEY("port"), s->lport);
}

static void json_setsockopt(const struct tfo_output *o,
			    const union tfo_record *u)
{
	const struct tfo_rec_setsockopt *r = &u->setsockopt;
	struct tfo_sink *out = &o->state->sink;
	struct tfo_optval v = tfo_optval_decode(r);

	json_hdr(o, &r->hdr);
	json_i64(out, KEY("fd"), r->fd);
	json_sock(out, &r->sock);
	json_ident(out, KEY("level"), tfo_level_name(r->level));
	json_i64(out, KEY("level_num"), r->level);
	json_ident(out, KEY("optname"), tfo_optname_name(r->level, r->optname));
	json_i64(out, KEY("optname_num"), r->optname);
	if (v.is_int) {
		json_i64(out, KEY("optval"), v.value);
		tfo_sink_str(out, KEY("optval_hex") "null");
	} else if (r->optval_len) {
		tfo_sink_str(out, KEY("optval") "null" KEY("optval_hex") "\"");
		tfo_sink_hex(out, r->optval, r->optval_len < TFO_OPTVAL_MAX ?
					     r->optval_len : TFO_OPTVAL_MAX);
		tfo_sink_char(out, '"');
	} else {
		tfo_sink_str(out, KEY("optval") "null" KEY("optval_hex") "null");
	}
	json_i64(out, KEY("optlen"), r->optlen);
	json_i64(out, KEY("ret"), r->ret);
	json_errno(out, r->ret);
	json_ident(out, KEY("err_layer"), tfo_layer_name(r->err_layer));
	tfo_sink_str(out, "}\n");
}

static void json_socket(const struct tfo_output *o,
			const union tfo_record *u)
{
	const struct tfo_rec_socket *r = &u->socket;
	struct tfo_sink *out = &o->state->sink;

	json_hdr(o, &r->hdr);
	json_ident(out, KEY("family"), tfo_family_name(r->family));
	json_i64(out, KEY("family_num"), r->family);
	json_ident(out, KEY("sock_type"), tfo_socktype_name(r->type));
	json_i64(out, KEY("sock_type_num"), r->type);
	json_ident(out, KEY("proto"), tfo_proto_name(r->protocol));
	json_i64(out, KEY("proto_num"), r->protocol);
	json_i64(out, KEY("ret"), r->ret);
	json_errno(out, r->ret);
	if (r->ret >= 0)
		json_i64(out, KEY("fd"), r->ret);
	else
		tfo_sink_str(out, KEY("fd") "null");
	json_u64(out, KEY("sock_ino"), r->sock.ino);
	json_u64(out, KEY("netns"), r->sock.netns);
	tfo_sink_str(out, "}\n");
}

static void json_listen(const struct tfo_output *o,
			const union tfo_record *u)
{
	const struct tfo_rec_listen *r = &u->listen;
	struct tfo_sink *out = &o->state->sink;

	json_hdr(o, &r->hdr);
	json_i64(out, KEY("fd"), r->fd);
	json_i64(out, KEY("backlog"), r->backlog);
	json_i64(out, KEY("ret"), r->ret);
	json_errno(out, r->ret);
	json_sock(out, &r->sock);
	json_u64(out, KEY("tfo_qlen_max"), r->tfo_qlen_max);
	json_u64(out, KEY("sysctl_tcp_fastopen"), r->sysctl);
	tfo_sink_str(out, "}\n");
}

static void json_tfo_server(const struct tfo_output *o,
			    const union tfo_record *u)
{
	const struct tfo_rec_tfo_server *r = &u->tfo_server;
	struct tfo_sink *out = &o->state->sink;

	/* pid and comm: the listener's owner, never the interrupted task */
	json_hdr(o, &r->hdr);
	json_sock(out, &r->sock);
	json_bool(out, KEY("subflow"), r->subflow);
	json_i64(out, KEY("foc_in"), r->foc_in);
	json_i64(out, KEY("foc_out"), r->foc_out);
	json_u64(out, KEY("syn_data"), r->syn_data);
	json_u64(out, KEY("tfo_qlen"), r->qlen);
	json_u64(out, KEY("tfo_qlen_max"), r->qlen_max);
	json_u64(out, KEY("sysctl_tcp_fastopen"), r->sysctl);
	json_bool(out, KEY("child"), r->child);
	tfo_sink_str(out, "}\n");
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
			    const union tfo_record *u)
{
	const struct tfo_rec_tfo_client *r = &u->tfo_client;
	struct tfo_sink *out = &o->state->sink;

	json_hdr(o, &r->hdr);
	json_sock(out, &r->sock);
	json_name(out, KEY("probe"), client_probe_name(r->probe));
	json_i64(out, KEY("ret"), r->ret);
	json_i64(out, KEY("cookie_len"), r->cookie_len);
	tfo_sink_str(out, "}\n");
}

static void json_addr(struct tfo_sink *out, const char *key, uint16_t family,
		      const uint8_t addr[16])
{
	char buf[64], plain[64];
	size_t n;

	/* tfo_addr_str brackets IPv6 for host:port; JSON wants the address */
	tfo_addr_str(family, addr, buf, sizeof(buf));
	n = strlen(buf);
	if (buf[0] == '[' && n >= 2) {
		memcpy(plain, buf + 1, n - 2);
		plain[n - 2] = '\0';
		json_name(out, key, plain);
	} else {
		json_name(out, key, buf);
	}
}

static void json_tfo_synack(const struct tfo_output *o,
			    const union tfo_record *u)
{
	const struct tfo_rec_tfo_synack *r = &u->tfo_synack;
	struct tfo_sink *out = &o->state->sink;

	json_hdr(o, &r->hdr);
	json_sock(out, &r->sock);
	json_addr(out, KEY("remote_addr"), r->family, r->raddr);
	json_u64(out, KEY("remote_port"), r->rport);
	json_bool(out, KEY("cookie_requested"), r->cookie_requested);
	json_i64(out, KEY("cookie_len"), r->cookie_len);
	json_bool(out, KEY("syn_data"), r->syn_data);
	json_bool(out, KEY("data_acked"), r->data_acked);
	json_bool(out, KEY("syn_retransmitted"), r->syn_retransmitted);
	tfo_sink_str(out, "}\n");
}

/* An owner's pid, ns_pid and comm; PID_KEY opens its pid. */
static void json_owner(struct tfo_sink *out, const char *pid_key,
		       const struct tfo_owner *owner)
{
	json_u64(out, pid_key, owner->pid);
	json_ns_pid(out, owner->ns_pid);
	tfo_sink_str(out, KEY("comm"));
	tfo_sink_json_string(out, owner->comm, sizeof(owner->comm));
}

/* The owner's Go version, null for a program that is not Go or not
 * known; the systemd service or container it runs in, null for none; and
 * where an MPTCP socket's MPTCP came from, null for a TCP one. */
static void json_program(struct tfo_sink *out, const struct tfo_program *p,
			 const struct tfo_mptcp_origin *o)
{
	bool mptcp = o && o->source != TFO_MPTCP_SOURCE_NONE;

	json_name(out, KEY("go_version"),
		  p && p->go.is_go && p->go.version[0] ? p->go.version : NULL);
	json_name(out, KEY("unit"), p && p->unit[0] ? p->unit : NULL);
	json_name(out, KEY("container"), p && p->container[0] ? p->container : NULL);
	json_name(out, KEY("mptcp_source"),
		  mptcp ? tfo_mptcp_source_name(o->source) : NULL);
	json_name(out, KEY("mptcp_setting"), mptcp ? o->detail : NULL);
}

void tfo_json_listener(const struct tfo_output *o,
		       const struct tfo_rec_listener *l,
		       const struct tfo_owner *owners, size_t n_owners,
		       const struct tfo_program *prog,
		       const struct tfo_mptcp_origin *origin)
{
	struct tfo_sink *out = &o->state->sink;
	char addr[64];

	tfo_sink_str(out, "{\"type\":\"listener\"");
	if (n_owners)
		json_owner(out, KEY("pid"), &owners[0]);
	else
		tfo_sink_str(out, KEY("pid") "null" KEY("ns_pid") "null"
			     KEY("comm") "null");
	json_sock(out, &l->sock);
	json_name(out, KEY("addr"), tfo_addr_str(l->sock.family, l->addr, addr,
						 sizeof(addr)));
	json_bool(out, KEY("subflow"), l->subflow);
	json_u64(out, KEY("tfo_qlen_max"), l->qlen_max);
	json_u64(out, KEY("tfo_qlen"), l->qlen);
	json_u64(out, KEY("backlog"), l->backlog);
	json_u64(out, KEY("sysctl_tcp_fastopen"), l->sysctl);
	tfo_sink_str(out, KEY("owners") "[");
	for (size_t i = 0; i < n_owners; i++) {
		json_owner(out, i ? ",{\"pid\":" : "{\"pid\":", &owners[i]);
		tfo_sink_char(out, '}');
	}
	tfo_sink_char(out, ']');
	json_program(out, prog, origin);
	tfo_sink_str(out, "}\n");
}

/* A count, or null where the attach mode could not observe it. */
static void json_count(struct tfo_sink *out, const char *key, uint64_t n,
		       bool known)
{
	if (known)
		json_u64(out, key, n);
	else
		json_name(out, key, NULL);
}

/* "wire": what the handshake observer counted; null when it was off. */
static void json_wire_counts(struct tfo_sink *out, const struct tfo_finding *f,
			     const struct tfo_wire_counts *w)
{
	if (!f->wire) {
		json_name(out, KEY("wire"), NULL);
		return;
	}
	tfo_sink_str(out, KEY("wire") "{\"syns\":");
	tfo_sink_u64(out, w->syns);
	json_u64(out, KEY("cookie_requests"), w->cookie_requests);
	json_u64(out, KEY("cookies_in_syn"), w->cookies_in_syn);
	json_u64(out, KEY("syns_with_data"), w->syns_with_data);
	json_u64(out, KEY("syns_mp_capable"), w->syns_mp_capable);
	json_u64(out, KEY("synacks"), w->synacks);
	json_u64(out, KEY("synack_cookies"), w->synack_cookies);
	json_u64(out, KEY("data_acked"), w->data_acked);
	json_u64(out, KEY("synacks_mp_capable"), w->synacks_mp_capable);
	json_u64(out, KEY("syns_retransmitted"), w->syns_retransmitted);
	json_u64(out, KEY("experimental"), w->experimental);
	json_u64(out, KEY("malformed"), w->malformed);
	tfo_sink_char(out, '}');
}

/* What every finding ends with: lost, why, the advice; closes it. */
static void json_finding_end(struct tfo_sink *out, const struct tfo_finding *f)
{
	json_u64(out, KEY("lost"), f->lost);
	json_name(out, KEY("why"), f->why);
	tfo_sink_str(out, KEY("advice") "[");
	for (size_t i = 0; i < f->n_advice; i++) {
		if (i)
			tfo_sink_char(out, ',');
		tfo_sink_json_string(out, f->advice[i], sizeof(f->advice[i]));
	}
	tfo_sink_str(out, "]}\n");
}

static void json_remote_finding(struct tfo_sink *out,
				const struct tfo_finding *f)
{
	const struct tfo_remote_view *r = f->remote;

	tfo_sink_str(out, "{\"type\":\"finding\"");
	json_name(out, KEY("kind"), tfo_finding_name(f->kind));
	json_bool(out, KEY("final"), f->final);
	json_bool(out, KEY("update"), f->update);
	json_addr(out, KEY("remote_addr"), r->family, r->addr);
	json_u64(out, KEY("remote_port"), r->port);
	json_name(out, KEY("family"), tfo_family_name(r->family));
	json_u64(out, KEY("netns"), r->netns);
	json_u64(out, KEY("connections"), r->connections);
	json_u64(out, KEY("cookie_requests"), r->cookie_requests);
	json_u64(out, KEY("cookie_requests_unanswered"),
		 r->cookie_requests_unanswered);
	json_u64(out, KEY("cookies_received"), r->cookies_received);
	json_u64(out, KEY("syn_data_sent"), r->syn_data_sent);
	json_u64(out, KEY("syn_data_acked"), r->syn_data_acked);
	json_u64(out, KEY("syns_retransmitted"), r->syns_retransmitted);
	tfo_sink_str(out, KEY("clients") "[");
	for (size_t i = 0; i < r->n_clients; i++) {
		json_owner(out, i ? ",{\"pid\":" : "{\"pid\":", &r->clients[i]);
		tfo_sink_char(out, '}');
	}
	tfo_sink_char(out, ']');
	json_bool(out, KEY("more_clients"), r->more_clients);
	json_wire_counts(out, f, &r->wire);
	json_finding_end(out, f);
}

void tfo_json_finding(const struct tfo_output *o, const struct tfo_finding *f)
{
	const struct tfo_sock_view *v = f->sock;
	struct tfo_sink *out = &o->state->sink;
	/* per-SYN numbers: from the probes, or the observer's handshakes */
	bool per_syn = f->probes || f->wire;
	char addr[64];

	if (f->remote) {
		json_remote_finding(out, f);
		return;
	}
	tfo_sink_str(out, "{\"type\":\"finding\"");
	json_name(out, KEY("kind"), tfo_finding_name(f->kind));
	json_bool(out, KEY("final"), f->final);
	json_bool(out, KEY("update"), f->update);
	if (v->pid) {
		json_u64(out, KEY("pid"), v->pid);
		json_ns_pid(out, v->ns_pid);
		tfo_sink_str(out, KEY("comm"));
		tfo_sink_json_string(out, v->comm, sizeof(v->comm));
	} else {
		tfo_sink_str(out, KEY("pid") "null" KEY("ns_pid") "null"
			     KEY("comm") "null");
	}
	json_program(out, f->program, &f->origin);
	json_u64(out, KEY("sock_ino"), v->ino);
	json_u64(out, KEY("netns"), v->netns);
	json_name(out, KEY("proto"), tfo_proto_name(v->protocol));
	json_name(out, KEY("family"), tfo_family_name(v->family));
	json_u64(out, KEY("port"), v->port);
	json_name(out, KEY("addr"), v->has_addr ?
		  tfo_addr_str(v->family, v->addr, addr, sizeof(addr)) : NULL);
	json_name(out, KEY("errno"), f->err ? tfo_errno_name(f->err) : NULL);
	json_count(out, KEY("tfo_qlen_max"), v->qlen_max, v->qlen_known);
	json_count(out, KEY("syns"), v->syns, per_syn);
	json_count(out, KEY("cookie_requests"), v->cookie_requests, per_syn);
	json_count(out, KEY("syns_with_data"), v->syns_with_data, per_syn);
	json_count(out, KEY("syns_unanswered"), v->syns_unanswered, per_syn);
	json_count(out, KEY("cookies_sent"), v->cookies_sent, per_syn);
	json_count(out, KEY("tfo_accepted"), v->tfo_accepted, per_syn);
	json_count(out, KEY("cookie_invalid"), v->cookie_invalid, per_syn);
	json_count(out, KEY("overflows"), v->overflows, f->probes);
	json_count(out, KEY("blackholes"), v->blackholes, f->probes);
	tfo_sink_str(out, KEY("options") "[");
	for (uint32_t i = 0; i < v->n_opts && i < TFO_OPT_HISTORY; i++) {
		const struct tfo_opt_call *c = &v->opts[i];

		tfo_sink_str(out, i ? ",{\"level_num\":" : "{\"level_num\":");
		tfo_sink_i64(out, c->level);
		json_name(out, KEY("level"), tfo_level_name(c->level));
		json_i64(out, KEY("optname_num"), c->optname);
		json_name(out, KEY("optname"),
			  tfo_optname_name(c->level, c->optname));
		if (c->has_value)
			json_i64(out, KEY("optval"), c->value);
		else
			tfo_sink_str(out, KEY("optval") "null");
		json_i64(out, KEY("ret"), c->ret);
		json_errno(out, c->ret);
		json_name(out, KEY("err_layer"), tfo_layer_name(c->err_layer));
		tfo_sink_char(out, '}');
	}
	tfo_sink_char(out, ']');
	json_wire_counts(out, f, &v->wire);
	json_finding_end(out, f);
}

/* The counters are read in tfo_mib's field order, as an array. */
_Static_assert(offsetof(struct tfo_mib, passive_alt_key) == 7 * sizeof(uint64_t),
	       "tfo_mib counters are consecutive");

static void json_counter_set(struct tfo_sink *out, const uint64_t *values,
			     uint32_t present)
{
	static const char *const names[] = {
		"TCPFastOpenActive", "TCPFastOpenActiveFail",
		"TCPFastOpenPassive", "TCPFastOpenPassiveFail",
		"TCPFastOpenListenOverflow", "TCPFastOpenCookieReqd",
		"TCPFastOpenBlackhole", "TCPFastOpenPassiveAltKey",
	};
	const char *sep = "";

	tfo_sink_char(out, '{');
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (present & (1u << i)) {
			tfo_sink_str(out, sep);
			tfo_sink_char(out, '"');
			tfo_sink_str(out, names[i]);
			tfo_sink_str(out, "\":");
			tfo_sink_u64(out, values[i]);
			sep = ",";
		}
	tfo_sink_char(out, '}');
}

void tfo_json_counters(const struct tfo_output *o, uint32_t netns,
		       const struct tfo_mib *start, const struct tfo_mib *delta)
{
	struct tfo_sink *out = &o->state->sink;

	tfo_sink_str(out, "{\"type\":\"counters\"");
	json_u64(out, KEY("netns"), netns);
	tfo_sink_str(out, KEY("start"));
	json_counter_set(out, &start->active, start->present);
	tfo_sink_str(out, ",\"delta\":");
	json_counter_set(out, &delta->active, delta->present);
	tfo_sink_str(out, "}\n");
}

void tfo_json_start(const struct tfo_output *o, const char *mode,
		    const char *version)
{
	struct tfo_sink *out = &o->state->sink;

	tfo_sink_str(out, "{\"type\":\"start\"");
	json_name(out, KEY("mode"), mode);
	json_name(out, KEY("version"), version);
	tfo_sink_str(out, "}\n");
}

static const char *wire_packet_name(uint8_t packet)
{
	switch (packet) {
	case TFO_WIRE_SYN_IN:
		return "syn-in";
	case TFO_WIRE_SYNACK_OUT:
		return "synack-out";
	case TFO_WIRE_SYN_OUT:
		return "syn-out";
	case TFO_WIRE_SYNACK_IN:
		return "synack-in";
	}
	return NULL;
}

static const char *wire_tfo_name(uint8_t tfo)
{
	return tfo == TFO_WIRE_TFO_REQUEST ? "request" :
	       tfo == TFO_WIRE_TFO_COOKIE ? "cookie" : "none";
}

static void json_mp_capable(struct tfo_sink *out, const char *key,
			    uint8_t mp_capable)
{
	if (mp_capable)
		json_u64(out, key, mp_capable - 1u);
	else
		json_name(out, key, NULL);
}

static void json_wire(const struct tfo_output *o, const union tfo_record *u)
{
	const struct tfo_rec_wire *r = &u->wire;
	struct tfo_sink *out = &o->state->sink;
	bool syn = r->packet == TFO_WIRE_SYN_IN || r->packet == TFO_WIRE_SYN_OUT;

	json_hdr(o, &r->hdr);
	json_sock(out, &r->sock);
	json_name(out, KEY("packet"), wire_packet_name(r->packet));
	json_addr(out, KEY("local_addr"), r->family, r->laddr);
	json_u64(out, KEY("local_port"), r->lport);
	json_addr(out, KEY("remote_addr"), r->family, r->raddr);
	json_u64(out, KEY("remote_port"), r->rport);
	json_name(out, KEY("tfo"), wire_tfo_name(r->tfo));
	json_u64(out, KEY("cookie_len"), r->cookie_len);
	json_bool(out, KEY("tfo_experimental"), r->tfo_exp);
	json_mp_capable(out, KEY("mp_capable"), r->mp_capable);
	json_bool(out, KEY("malformed"), r->malformed);
	json_u64(out, KEY("payload"), r->payload);
	if (syn || !r->syn_seen) {
		json_name(out, KEY("syn"), NULL);
	} else {
		tfo_sink_str(out, KEY("syn") "{\"tfo\":\"");
		tfo_sink_str(out, wire_tfo_name(r->syn_tfo));
		tfo_sink_char(out, '"');
		json_u64(out, KEY("cookie_len"), r->syn_cookie_len);
		json_mp_capable(out, KEY("mp_capable"), r->syn_mp_capable);
		json_u64(out, KEY("payload"), r->syn_payload);
		json_bool(out, KEY("data_acked"), r->data_acked);
		json_u64(out, KEY("sent"), r->syns);
		tfo_sink_char(out, '}');
	}
	tfo_sink_str(out, "}\n");
}

static void json_listener(const struct tfo_output *o,
			  const union tfo_record *u)
{
	tfo_json_listener(o, &u->listener, NULL, 0, NULL, NULL);
}

typedef void (*json_printer)(const struct tfo_output *o,
			     const union tfo_record *u);

/* One per record type that records.c marks TFO_KIND_PRINTED */
static const json_printer json_printers[TFO_REC__MAX] = {
	[TFO_REC_SOCKET] = json_socket,
	[TFO_REC_LISTEN] = json_listen,
	[TFO_REC_SETSOCKOPT] = json_setsockopt,
	[TFO_REC_TFO_SERVER] = json_tfo_server,
	[TFO_REC_TFO_CLIENT] = json_tfo_client,
	[TFO_REC_TFO_SYNACK] = json_tfo_synack,
	[TFO_REC_LISTENER] = json_listener,
	[TFO_REC_WIRE] = json_wire,
};

bool tfo_json_prints(uint32_t type)
{
	return type < TFO_REC__MAX && json_printers[type];
}

void tfo_json_record(const struct tfo_output *o, const union tfo_record *r)
{
	json_printer printer;

	printer = r->hdr.type < TFO_REC__MAX ? json_printers[r->hdr.type] : NULL;
	if (printer)
		printer(o, r);
}

static const char *policy_name(enum tfo_record_policy policy)
{
	switch (policy) {
	case TFO_RECORD_RELEVANT:
		return "relevant";
	case TFO_RECORD_ALL:
		return "all";
	}
	return NULL;
}

void tfo_json_summary(const struct tfo_output *o, const struct tfo_summary *s)
{
	struct tfo_sink *out = &o->state->sink;
	uint64_t not_recorded = 0;

	for (size_t i = 0; i < TFO_CALL__MAX; i++)
		not_recorded += s->not_recorded[i];
	tfo_sink_str(out, "{\"type\":\"summary\"");
	json_name(out, KEY("mode"), s->mode);
	json_u64(out, KEY("events"), s->events);
	json_u64(out, KEY("shown"), s->shown);
	json_u64(out, KEY("lost"), s->lost);
	json_u64(out, KEY("invalid"), s->invalid);
	json_u64(out, KEY("reused_pid"), s->reused_pid);
	json_name(out, KEY("record"), policy_name(s->policy));
	json_u64(out, KEY("not_recorded"), not_recorded);
	tfo_sink_str(out, KEY("not_recorded_calls") "{\"socket\":");
	tfo_sink_u64(out, s->not_recorded[TFO_CALL_SOCKET]);
	json_u64(out, KEY("listen"), s->not_recorded[TFO_CALL_LISTEN]);
	json_u64(out, KEY("setsockopt"), s->not_recorded[TFO_CALL_SETSOCKOPT]);
	tfo_sink_char(out, '}');
	json_u64(out, KEY("sockets"), s->sockets);
	json_u64(out, KEY("evicted"), s->evicted);
	json_u64(out, KEY("remotes"), s->remotes);
	json_u64(out, KEY("remotes_evicted"), s->remotes_evicted);
	if (s->wire) {
		tfo_sink_str(out, KEY("wire_not_recorded") "{\"syn_in\":");
		tfo_sink_u64(out, s->wire_not_recorded[TFO_WIRE_SYN_IN]);
		json_u64(out, KEY("synack_out"),
			 s->wire_not_recorded[TFO_WIRE_SYNACK_OUT]);
		json_u64(out, KEY("syn_out"), s->wire_not_recorded[TFO_WIRE_SYN_OUT]);
		json_u64(out, KEY("synack_in"),
			 s->wire_not_recorded[TFO_WIRE_SYNACK_IN]);
		tfo_sink_char(out, '}');
	} else {
		json_name(out, KEY("wire_not_recorded"), NULL);
	}
	tfo_sink_str(out, "}\n");
}

/* TCPFastOpenActive and TCPFastOpenActiveFail: the clients' counters */
#define MIB_CLIENT_BITS	0x3u

void tfo_json_remotes_unobserved(const struct tfo_output *o, const char *mode,
				 uint32_t netns, const struct tfo_mib *delta)
{
	struct tfo_sink *out = &o->state->sink;

	tfo_sink_str(out, "{\"type\":\"remotes\",\"observable\":false");
	json_name(out, KEY("mode"), mode);
	json_u64(out, KEY("netns"), netns);
	tfo_sink_str(out, KEY("delta"));
	if (delta)
		json_counter_set(out, &delta->active,
				 delta->present & MIB_CLIENT_BITS);
	else
		tfo_sink_str(out, "null");
	tfo_sink_str(out, "}\n");
}
