// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "advice.h"
#include "correlate.h"
#include "lru.h"

#define DEFAULT_MAX_SOCKETS	65536
#define DEFAULT_MAX_REMOTES	4096
#define PROTO_TCP		6
#define PROTO_MPTCP		262
#define SOL_TCP_LEVEL		6
#define OPT_TCP_FASTOPEN	23
#define OPT_MPTCP_ENABLED	42	/* multipath-tcp.org kernels only */
#define TFO_SERVER_ENABLE	0x2
/* MPTCP sockets whose option was refused, remembered to tell Go's silent
 * fallback: the same process's TCP listener within FALLBACK_NS */
#define REFUSALS		16
#define FALLBACK_NS		1000000000ULL

struct entry {
	struct tfo_sock_view v;
	uint32_t emitted;	/* kinds already reported live */
	uint32_t held;		/* kinds that hold but wait for a refresh */
	uint64_t emitted_numbers;	/* numbers_of() when last reported */
};

struct remote {
	struct tfo_remote_view v;
	uint32_t emitted;
	uint64_t emitted_numbers;
};

struct tfo_correlator {
	struct tfo_correlator_opts opts;
	struct remote *remotes;	/* by slot of remote_index */
	struct tfo_lru remote_index;
	struct entry *entries;	/* by slot of the index */
	struct tfo_lru index;	/* by inode */
	bool ns_unanswered;	/* the namespace's counters: cookies asked,
				 * no TFO connection at all */
	struct refusal {
		uint64_t ts_ns;
		uint64_t ino;
		uint32_t pid;
		int32_t level, optname, ret;
	} refusals[REFUSALS];	/* the oldest replaced first */
	uint32_t next_refusal;
	uint64_t ns_cookie_reqd;
	struct tfo_correlator_stats stats;
};

static const char *const finding_names[TFO_FINDING__MAX] = {
	[TFO_FINDING_MPTCP_TFO_REJECTED] = "mptcp-tfo-rejected",
	[TFO_FINDING_MPTCP_OPTION_REJECTED] = "mptcp-option-rejected",
	[TFO_FINDING_TFO_SERVER_DISABLED] = "tfo-server-disabled",
	[TFO_FINDING_TFO_QUEUE_OVERFLOW] = "tfo-queue-overflow",
	[TFO_FINDING_TFO_COOKIE_INVALID] = "tfo-cookie-invalid",
	[TFO_FINDING_TFO_CLIENT_BLACKHOLE] = "tfo-client-blackhole",
	[TFO_FINDING_MPTCP_LEGACY_API] = "mptcp-legacy-api",
	[TFO_FINDING_TFO_REMOTE_NO_COOKIE] = "tfo-remote-no-cookie",
	[TFO_FINDING_TFO_REMOTE_OK] = "tfo-remote-ok",
	[TFO_FINDING_MPTCP_FELL_BACK] = "mptcp-fell-back",
	[TFO_FINDING_TFO_OK] = "tfo-ok",
};

const char *tfo_finding_name(enum tfo_finding_kind kind)
{
	return (unsigned int)kind < TFO_FINDING__MAX ? finding_names[kind] : NULL;
}

bool tfo_finding_is_problem(enum tfo_finding_kind kind)
{
	return kind != TFO_FINDING_TFO_OK && kind != TFO_FINDING_TFO_REMOTE_OK &&
	       kind != TFO_FINDING_MPTCP_FELL_BACK;
}

/* ---- the bounded socket table: by inode, least recently used out ---- */

struct ino_key {
	const struct tfo_correlator *c;
	uint64_t ino;
};

static bool same_ino(const void *ctx, uint32_t slot)
{
	const struct ino_key *k = ctx;

	return k->c->entries[slot].v.ino == k->ino;
}

static uint32_t find(const struct tfo_correlator *c, uint64_t ino)
{
	struct ino_key k = { c, ino };

	return tfo_lru_find(&c->index, tfo_lru_hash(ino), same_ino, &k);
}

static void entry_init(struct entry *e, uint64_t ino)
{
	memset(&e->v, 0, sizeof(e->v));
	e->v.ino = ino;
	e->v.sysctl = -1;
	e->emitted = 0;
	e->held = 0;
	e->emitted_numbers = 0;
}

/* A busy client host churns through short-lived sockets; its few
 * listeners are what findings are about and must not be pushed out by
 * them. */
static bool keep_listener(const void *ctx, uint32_t slot)
{
	const struct tfo_correlator *c = ctx;

	return c->entries[slot].v.listening;
}

/* The entry for INO, made (evicting the least recently used when full)
 * if it is new. */
static struct entry *get(struct tfo_correlator *c, uint64_t ino)
{
	uint32_t i = find(c, ino);
	bool evicted;

	if (i != TFO_LRU_NONE) {
		tfo_lru_touch(&c->index, i);
		return &c->entries[i];
	}
	i = tfo_lru_add(&c->index, tfo_lru_hash(ino), keep_listener, c,
			&evicted);
	entry_init(&c->entries[i], ino);
	return &c->entries[i];
}

struct tfo_correlator *tfo_correlator__new(const struct tfo_correlator_opts *opts)
{
	struct tfo_correlator *c = calloc(1, sizeof(*c));
	size_t cap = opts->max_sockets ? opts->max_sockets : DEFAULT_MAX_SOCKETS;

	size_t rcap = opts->max_remotes ? opts->max_remotes : DEFAULT_MAX_REMOTES;

	if (!c || cap >= TFO_LRU_NONE / 4 || rcap >= TFO_LRU_NONE / 4 ||
	    tfo_lru_init(&c->index, cap) || tfo_lru_init(&c->remote_index, rcap))
		goto fail;
	c->opts = *opts;
	/* calloc: the pages of entries a run never uses are never touched */
	c->entries = calloc(cap, sizeof(*c->entries));
	c->remotes = calloc(rcap, sizeof(*c->remotes));
	if (!c->entries || !c->remotes)
		goto fail;
	return c;
fail:
	tfo_correlator__free(c);
	return NULL;
}

void tfo_correlator__free(struct tfo_correlator *c)
{
	if (!c)
		return;
	free(c->entries);
	free(c->remotes);
	tfo_lru_free(&c->index);
	tfo_lru_free(&c->remote_index);
	free(c);
}

/* ---- evidence ---- */

static void set_owner(const struct tfo_correlator *c, struct tfo_sock_view *v,
		      uint32_t pid, uint32_t ns_pid, const char *comm)
{
	if (!pid)
		return;
	if (pid != v->pid || !v->program)
		v->program = tfo_programs__find(c->opts.programs, pid);
	v->pid = pid;
	v->ns_pid = ns_pid;
	/* COMM is a string (tfo_correlator__owner) or a record's array: read
	 * no further than its NUL or the array's end. */
	strncpy(v->comm, comm, sizeof(v->comm) - 1);
	v->comm[sizeof(v->comm) - 1] = '\0';
}

static void set_identity(struct tfo_sock_view *v, const struct tfo_sock_id *s)
{
	v->netns = s->netns;
	v->family = s->family;
	v->protocol = s->protocol;
	if (s->lport)
		v->port = s->lport;
}

static bool tracked_protocol(uint16_t protocol)
{
	return protocol == PROTO_TCP || protocol == PROTO_MPTCP;
}

static void note_setsockopt(struct tfo_sock_view *v,
			    const struct tfo_rec_setsockopt *r)
{
	struct tfo_optval val = tfo_optval_decode(r);
	struct tfo_opt_call *call;

	if (v->n_opts < TFO_OPT_HISTORY) {
		call = &v->opts[v->n_opts];
		call->level = r->level;
		call->optname = r->optname;
		call->has_value = val.is_int;
		call->value = val.value;
		call->ret = r->ret;
		call->err_layer = r->err_layer;
	}
	v->n_opts++;
	v->n_failed += r->ret < 0;
	if (r->level == SOL_TCP_LEVEL && r->optname == OPT_TCP_FASTOPEN) {
		/* a queue length of 0 or less turns TFO off: no request (a
		 * value that could not be read counts as one) */
		bool asks = !val.is_int || val.value > 0;

		v->tfo_sockopt = !asks ? 0 : r->ret < 0 ? r->ret : 1;
		v->tfo_off = !asks;
		v->tfo_sockopt_value = val.value;
	} else if (r->level == SOL_TCP_LEVEL && r->optname == OPT_MPTCP_ENABLED &&
		   r->ret == -ENOPROTOOPT) {
		v->legacy_mptcp++;
	} else if (v->protocol == PROTO_MPTCP &&
		   (r->ret == -ENOPROTOOPT || r->ret == -EOPNOTSUPP)) {
		v->n_rejected++;
	}
}

/* An MPTCP socket that has not listened refused an option: remembered, so
 * that a TCP listener the same process makes right after is recognised as
 * Go's silent fallback. */
static void note_refusal(struct tfo_correlator *c, const struct tfo_sock_view *v,
			 const struct tfo_rec_setsockopt *r)
{
	struct refusal *x;

	if (v->protocol != PROTO_MPTCP || v->listening ||
	    (r->ret != -ENOPROTOOPT && r->ret != -EOPNOTSUPP))
		return;
	x = &c->refusals[c->next_refusal];
	c->next_refusal = (c->next_refusal + 1) % REFUSALS;
	*x = (struct refusal){
		.ts_ns = r->hdr.ts_ns, .ino = v->ino, .pid = r->hdr.pid,
		.level = r->level, .optname = r->optname, .ret = r->ret,
	};
}

/* A TCP listener whose process's MPTCP socket refused an option just
 * before, and never listened: MPTCP given up for TCP without a word. */
static void note_fallback(struct tfo_correlator *c, struct tfo_sock_view *v,
			  const struct tfo_rec_listen *r)
{
	for (uint32_t n = 1; n <= REFUSALS; n++) {
		struct refusal *x = &c->refusals[(c->next_refusal + REFUSALS - n) %
						 REFUSALS];
		uint32_t i;

		if (!x->pid || x->pid != r->hdr.pid || x->ino == v->ino ||
		    x->ts_ns > r->hdr.ts_ns || r->hdr.ts_ns - x->ts_ns > FALLBACK_NS)
			continue;
		i = find(c, x->ino);
		if (i != TFO_LRU_NONE && c->entries[i].v.listening)
			continue;
		v->fell_back = true;
		v->fell_back_level = x->level;
		v->fell_back_optname = x->optname;
		v->fell_back_ret = x->ret;
		v->fell_back_from = x->ino;
		if (i != TFO_LRU_NONE)
			c->entries[i].v.superseded = true;
		x->pid = 0;
		return;
	}
}

static void note_tfo_server(struct tfo_sock_view *v,
			    const struct tfo_rec_tfo_server *r)
{
	bool asked = r->foc_in >= 0 || r->syn_data > 0;

	v->listening = true;
	v->qlen_known = true;
	v->qlen_max = r->qlen_max;
	v->sysctl = r->sysctl;
	v->syns++;
	if (r->foc_in == 0)
		v->cookie_requests++;
	if (r->syn_data > 0)
		v->syns_with_data++;
	if (r->foc_out > 0)
		v->cookies_sent++;
	if (r->child) {
		v->tfo_accepted++;
	} else if (r->foc_in > 0 && r->foc_out > 0) {
		v->cookie_invalid++;
	} else if (asked && r->foc_out <= 0) {
		v->syns_unanswered++;
		if (r->qlen_max > 0 && r->qlen >= r->qlen_max)
			v->overflows++;
	}
}

/* Which socket a record speaks of; NULL when it is not one we follow. */
static struct entry *entry_for(struct tfo_correlator *c,
			       const union tfo_record *r)
{
	const struct tfo_sock_id *s = tfo_record_sock(r);
	struct entry *e;

	if (!s || (r->hdr.type == TFO_REC_SOCKET && r->socket.ret < 0))
		return NULL;
	if (!s->ino || !tracked_protocol(s->protocol))
		return NULL;
	/* A socket() or a routine client event alone says nothing a finding
	 * needs: follow sockets from their first option, listen, SYN or
	 * blackhole on, so that a busy client host costs no memory. */
	if ((r->hdr.type == TFO_REC_SOCKET ||
	     (r->hdr.type == TFO_REC_TFO_CLIENT &&
	      r->tfo_client.probe != TFO_CLIENT_BLACKHOLE)) &&
	    find(c, s->ino) == TFO_LRU_NONE)
		return NULL;
	e = get(c, s->ino);
	/* A socket() for a known inode: the old socket was closed and its
	 * inode reused. Forget what was said of the old one. */
	if (r->hdr.type == TFO_REC_SOCKET)
		entry_init(e, s->ino);
	set_identity(&e->v, s);
	return e;
}

/* ---- verdicts ---- */

static int64_t sysctl_of(const struct tfo_correlator *c,
			 const struct tfo_sock_view *v)
{
	if (v->sysctl >= 0)
		return v->sysctl;
	if (c->opts.sysctl >= 0 && v->netns == c->opts.netns)
		return c->opts.sysctl;
	return -1;
}

static uint32_t verdicts(const struct tfo_correlator *c,
			 const struct tfo_sock_view *v)
{
	int64_t sysctl = sysctl_of(c, v);
	bool server_off = sysctl >= 0 && !(sysctl & TFO_SERVER_ENABLE);
	bool served = v->cookies_sent > 0 || v->tfo_accepted > 0;
	bool queue_on = v->listening && v->qlen_known && v->qlen_max > 0;
	bool working = served || (queue_on && !server_off);
	/* a TFO queue means someone asked for TFO on it (the setsockopt,
	 * or 0x400), seen or not: the scan alone shows it */
	bool wanted = queue_on || v->tfo_sockopt != 0 ||
		      v->cookie_requests > 0 || v->syns_with_data > 0;
	/* Server findings are about listeners: a socket that never listened
	 * (a probe, a helper setting options) serves no client. */
	bool judge = v->listening;
	bool mptcp = v->protocol == PROTO_MPTCP;
	uint32_t k = 0;

	/* Without the setsockopt seen (started before us), a listener with
	 * no TFO queue that clients ask for cookies is the rejection's
	 * footprint, on a kernel whose MPTCP rejects TCP_FASTOPEN. */
	bool footprint = !c->opts.mptcp_tfo_supported && v->tfo_sockopt == 0 &&
			 !v->tfo_off &&
			 v->qlen_known && v->qlen_max == 0 &&
			 (v->cookie_requests || v->syns_with_data ||
			  (!c->opts.probes && !c->opts.wire &&
			   c->ns_unanswered && v->netns == c->opts.netns));

	if (mptcp && judge && !working &&
	    (v->tfo_sockopt == -ENOPROTOOPT || footprint))
		k |= 1u << TFO_FINDING_MPTCP_TFO_REJECTED;
	/* a socket given up for TCP right away: its refusal is the TCP
	 * listener's mptcp-fell-back */
	if (mptcp && v->n_rejected && !v->superseded)
		k |= 1u << TFO_FINDING_MPTCP_OPTION_REJECTED;
	if (v->fell_back && v->listening)
		k |= 1u << TFO_FINDING_MPTCP_FELL_BACK;
	if (judge && wanted && server_off && !served)
		k |= 1u << TFO_FINDING_TFO_SERVER_DISABLED;
	if (v->overflows)
		k |= 1u << TFO_FINDING_TFO_QUEUE_OVERFLOW;
	if (v->cookie_invalid)
		k |= 1u << TFO_FINDING_TFO_COOKIE_INVALID;
	if (v->blackholes)
		k |= 1u << TFO_FINDING_TFO_CLIENT_BLACKHOLE;
	if (v->legacy_mptcp)
		k |= 1u << TFO_FINDING_MPTCP_LEGACY_API;
	if (v->listening && working && (wanted || queue_on))
		k |= 1u << TFO_FINDING_TFO_OK;
	return k;
}

/* ---- remote servers, as this host's TFO clients saw them ---- */

/* What a finding's reader follows over time, folded into one value: a
 * change of it is worth an update. */
static uint64_t numbers_of(const struct tfo_sock_view *v)
{
	const uint64_t n[] = {
		v->syns, v->cookie_requests, v->syns_with_data,
		v->syns_unanswered, v->cookies_sent, v->tfo_accepted,
		v->cookie_invalid, v->overflows, v->blackholes, v->n_opts,
		v->n_rejected, v->qlen_max, (uint32_t)v->tfo_sockopt,
		v->listening,
	};
	uint64_t h = 0;

	for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		h = (h ^ n[i]) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	return h;
}

static uint64_t remote_numbers_of(const struct tfo_remote_view *r)
{
	const uint64_t n[] = {
		r->connections, r->cookie_requests, r->cookie_requests_unanswered,
		r->cookies_received, r->syn_data_sent, r->syn_data_acked,
		r->syns_retransmitted, r->n_clients,
	};
	uint64_t h = 0;

	for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		h = (h ^ n[i]) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	return h;
}

static void emit(const struct tfo_correlator *c, const struct tfo_sock_view *v,
		 const struct tfo_remote_view *rv, enum tfo_finding_kind kind,
		 bool final, bool update)
{
	struct tfo_advice_ctx ctx = { .sysctl = -1, .own_netns = c->opts.netns };
	struct tfo_finding f;

	if (!c->opts.cb)
		return;
	memset(&f, 0, sizeof(f));
	f.kind = kind;
	f.final = final;
	f.update = update;
	f.probes = c->opts.probes;
	f.wire = c->opts.wire;
	f.lost = c->stats.lost;
	f.own_netns = c->opts.netns;
	f.sock = v;
	f.remote = rv;
	if (v) {
		f.program = tfo_programs__get(c->opts.programs, v->program);
		if (v->protocol == PROTO_MPTCP)
			tfo_mptcp_origin_of(f.program, &f.origin);
		ctx.sysctl = sysctl_of(c, v);
	}
	tfo_advise(&f, &ctx);
	c->opts.cb(c->opts.cb_ctx, &f);
}

/* A finding for each kind in KINDS, about a socket or a remote server. */
static void emit_kinds(const struct tfo_correlator *c,
		       const struct tfo_sock_view *v,
		       const struct tfo_remote_view *rv, uint32_t kinds,
		       bool final, bool update)
{
	for (int k = 0; k < TFO_FINDING__MAX; k++)
		if (kinds & (1u << k))
			emit(c, v, rv, k, final, update);
}

/* Kinds said live only from a refresh on: an option refused on an MPTCP
 * socket that has not listened may be followed at once by its process
 * listening with TCP instead (Go's silent retry), which makes it no fault
 * but the TCP listener's mptcp-fell-back. */
static uint32_t held_kinds(const struct tfo_sock_view *v)
{
	return v->listening ? 0 : 1u << TFO_FINDING_MPTCP_OPTION_REJECTED;
}

static void evaluate(struct tfo_correlator *c, struct entry *e)
{
	uint32_t now = verdicts(c, &e->v);
	uint32_t held = now & held_kinds(&e->v) & ~e->emitted;
	uint32_t fresh = now & ~held & ~e->emitted;

	e->held |= held;
	now &= ~held;

	emit_kinds(c, &e->v, NULL, fresh, false, false);
	if (fresh)
		e->emitted_numbers = numbers_of(&e->v);
	e->emitted |= now;
}

/* A remote server: its address and port as this host's clients in
 * namespace NETNS reached it. */
struct remote_addr {
	uint32_t netns;
	uint16_t family;
	uint16_t port;
	const uint8_t *addr;	/* 16 bytes, IPv4 in the first 4 */
};

struct remote_key {
	const struct tfo_correlator *c;
	const struct remote_addr *a;
};

static bool same_remote(const void *ctx, uint32_t slot)
{
	const struct remote_key *k = ctx;
	const struct tfo_remote_view *v = &k->c->remotes[slot].v;

	return v->netns == k->a->netns && v->family == k->a->family &&
	       v->port == k->a->port && !memcmp(v->addr, k->a->addr, 16);
}

static uint64_t remote_hash(const struct remote_addr *a)
{
	uint64_t lo, hi;

	memcpy(&lo, a->addr, 8);
	memcpy(&hi, a->addr + 8, 8);
	return tfo_lru_hash(tfo_lru_hash(((uint64_t)a->netns << 32) |
					 ((uint64_t)a->family << 16) | a->port) ^
			    tfo_lru_hash(lo) ^ (hi * 0x9e3779b97f4a7c15ULL));
}

static uint32_t remote_verdicts(const struct tfo_remote_view *v)
{
	if (v->cookies_received || v->syn_data_acked)
		return 1u << TFO_FINDING_TFO_REMOTE_OK;
	if (v->cookie_requests_unanswered || v->syn_data_refused)
		return 1u << TFO_FINDING_TFO_REMOTE_NO_COOKIE;
	return 0;
}

static void note_client(struct tfo_remote_view *v, const struct tfo_rec_hdr *h)
{
	if (!h->pid)
		return;
	for (size_t i = 0; i < v->n_clients; i++)
		if (v->clients[i].pid == h->pid)
			return;
	if (v->n_clients == TFO_REMOTE_CLIENTS) {
		v->more_clients = true;
		return;
	}
	v->clients[v->n_clients].pid = h->pid;
	v->clients[v->n_clients].ns_pid = h->ns_pid;
	memcpy(v->clients[v->n_clients].comm, h->comm, TFO_COMM_LEN);
	v->clients[v->n_clients].comm[TFO_COMM_LEN - 1] = '\0';
	v->n_clients++;
}

/* The remote server's entry, made (least recently used evicted) when new. */
static struct remote *remote_get(struct tfo_correlator *c,
				 const struct remote_addr *a)
{
	struct remote_key k = { c, a };
	uint64_t hash = remote_hash(a);
	uint32_t i = tfo_lru_find(&c->remote_index, hash, same_remote, &k);
	bool evicted;
	struct remote *e;

	if (i != TFO_LRU_NONE) {
		tfo_lru_touch(&c->remote_index, i);
		return &c->remotes[i];
	}
	i = tfo_lru_add(&c->remote_index, hash, NULL, NULL, &evicted);
	e = &c->remotes[i];
	memset(e, 0, sizeof(*e));
	e->v.netns = a->netns;
	e->v.family = a->family;
	e->v.port = a->port;
	memcpy(e->v.addr, a->addr, sizeof(e->v.addr));
	return e;
}

/* The verdicts that came true since the server's last, said. */
static void remote_settle(struct tfo_correlator *c, struct remote *e)
{
	uint32_t now = remote_verdicts(&e->v), fresh = now & ~e->emitted;

	emit_kinds(c, NULL, &e->v, fresh, false, false);
	if (fresh)
		e->emitted_numbers = remote_numbers_of(&e->v);
	e->emitted |= now;
}

static void feed_synack(struct tfo_correlator *c,
			const struct tfo_rec_tfo_synack *r)
{
	struct remote_addr a = { r->sock.netns, r->family, r->rport, r->raddr };
	struct remote *e = remote_get(c, &a);
	struct tfo_remote_view *v = &e->v;

	v->connections++;
	v->cookie_requests += r->cookie_requested != 0;
	v->cookies_received += r->cookie_len > 0;
	v->syn_data_sent += r->syn_data != 0;
	v->syn_data_acked += r->syn_data && r->data_acked;
	/* A SYN sent again goes without its data, and without the TFO
	 * option once connect() has returned: the answer may be to a plain
	 * SYN, no evidence against the server. A cookie or acked data still
	 * is evidence for it. */
	if (r->syn_retransmitted) {
		v->syns_retransmitted++;
	} else {
		v->cookie_requests_unanswered +=
			r->cookie_requested && r->cookie_len <= 0;
		v->syn_data_refused += r->syn_data && !r->data_acked;
	}
	note_client(v, &r->hdr);
	remote_settle(c, e);
}

/* ---- the handshake observer ---- */

static void count_wire(struct tfo_wire_counts *w, const struct tfo_rec_wire *r)
{
	bool syn = r->packet == TFO_WIRE_SYN_IN || r->packet == TFO_WIRE_SYN_OUT;

	w->experimental += r->tfo_exp != 0;
	w->malformed += r->malformed != 0;
	if (syn) {
		w->syns++;
		w->cookie_requests += r->tfo == TFO_WIRE_TFO_REQUEST;
		w->cookies_in_syn += r->tfo == TFO_WIRE_TFO_COOKIE;
		w->syns_with_data += r->payload > 0;
		w->syns_mp_capable += r->mp_capable != 0;
		return;
	}
	w->synacks++;
	w->synack_cookies += r->tfo == TFO_WIRE_TFO_COOKIE;
	w->data_acked += r->data_acked != 0;
	w->synacks_mp_capable += r->mp_capable != 0;
	w->syns_retransmitted += r->syns > 1 ? r->syns - 1u : 0;
}

/* Where the mode has no per-SYN probes, a listener's handshakes on the
 * wire are its per-SYN evidence, counted as tcp_try_fastopen() would: a
 * SYN when it arrives, its outcome when its SYN-ACK leaves. */
static void note_wire_server(struct tfo_sock_view *v,
			     const struct tfo_rec_wire *r)
{
	bool asked;

	v->listening = true;
	if (r->packet == TFO_WIRE_SYN_IN) {
		v->syns++;
		v->cookie_requests += r->tfo == TFO_WIRE_TFO_REQUEST;
		v->syns_with_data += r->payload > 0;
		return;
	}
	if (!r->syn_seen)
		return;
	asked = r->syn_tfo != TFO_WIRE_TFO_NONE || r->syn_payload > 0;
	if (r->tfo == TFO_WIRE_TFO_COOKIE)
		v->cookies_sent++;
	if (r->data_acked)
		v->tfo_accepted++;
	else if (r->syn_tfo == TFO_WIRE_TFO_COOKIE &&
		 r->tfo == TFO_WIRE_TFO_COOKIE)
		v->cookie_invalid++;	/* a fresh cookie for a stale one */
	else if (asked && r->tfo != TFO_WIRE_TFO_COOKIE)
		v->syns_unanswered++;
}

/* A TFO client connection's SYN-ACK on the wire, as the client probe's
 * record would have told it: the clients' evidence where the mode has no
 * probes. */
static void wire_as_synack(const struct tfo_rec_wire *r,
			   struct tfo_rec_tfo_synack *out)
{
	memset(out, 0, sizeof(*out));
	out->hdr = r->hdr;
	out->hdr.type = TFO_REC_TFO_SYNACK;
	out->hdr.size = sizeof(*out);
	out->sock = r->sock;
	memcpy(out->raddr, r->raddr, sizeof(out->raddr));
	out->rport = r->rport;
	out->family = r->family;
	out->cookie_len = r->tfo == TFO_WIRE_TFO_COOKIE ? r->cookie_len : -1;
	out->cookie_requested = r->syn_tfo == TFO_WIRE_TFO_REQUEST &&
				!r->syn_payload;
	out->syn_data = r->syn_payload > 0;
	out->data_acked = r->data_acked;
	out->syn_retransmitted = r->syns > 1;
}

/* A client's handshake: its server's wire counts, and where the mode has
 * no probes its TFO evidence. Only TFO connections (the SYN asked for a
 * cookie or carried one, or data) make a server an entry. */
static void feed_wire_client(struct tfo_correlator *c,
			     const struct tfo_rec_wire *r)
{
	struct remote_addr a = { r->sock.netns, r->family, r->rport, r->raddr };
	bool tfo = r->packet == TFO_WIRE_SYN_OUT ?
		   r->tfo != TFO_WIRE_TFO_NONE || r->payload > 0 :
		   r->syn_tfo != TFO_WIRE_TFO_NONE || r->syn_payload > 0;
	struct tfo_rec_tfo_synack as;
	struct remote *e;

	if (!tfo)
		return;
	e = remote_get(c, &a);
	count_wire(&e->v.wire, r);
	if (r->packet == TFO_WIRE_SYNACK_IN && !c->opts.probes && r->syn_seen) {
		wire_as_synack(r, &as);
		feed_synack(c, &as);
	}
}

void tfo_correlator__for_each_remote(const struct tfo_correlator *c,
				     tfo_remote_cb cb, void *ctx)
{
	for (uint32_t i = tfo_lru_oldest(&c->remote_index); i != TFO_LRU_NONE;
	     i = tfo_lru_newer(&c->remote_index, i))
		cb(ctx, &c->remotes[i].v, remote_verdicts(&c->remotes[i].v));
}

void tfo_correlator__feed(struct tfo_correlator *c, const union tfo_record *r)
{
	struct entry *e;

	c->stats.records++;
	if (r->hdr.type == TFO_REC_TFO_SYNACK) {
		feed_synack(c, &r->tfo_synack);
		return;
	}
	if (r->hdr.type == TFO_REC_WIRE &&
	    (r->wire.packet == TFO_WIRE_SYN_OUT ||
	     r->wire.packet == TFO_WIRE_SYNACK_IN)) {
		feed_wire_client(c, &r->wire);
		return;
	}
	e = entry_for(c, r);
	if (!e) {
		c->stats.ignored++;
		return;
	}
	switch (r->hdr.type) {
	/* A socket belongs to its creator: the socket() or listen() caller,
	 * or the holder the scan found to be the others' ancestor. Calls by
	 * other holders (a pre-fork server's workers) do not move it. */
	case TFO_REC_SOCKET:
		set_owner(c, &e->v, r->hdr.pid, r->hdr.ns_pid, r->hdr.comm);
		break;
	case TFO_REC_LISTEN:
		if (r->listen.ret == 0 || !e->v.pid)
			set_owner(c, &e->v, r->hdr.pid, r->hdr.ns_pid, r->hdr.comm);
		e->v.sysctl = r->listen.sysctl;
		if (r->listen.ret == 0) {
			e->v.listening = true;
			e->v.qlen_known = true;
			e->v.qlen_max = r->listen.tfo_qlen_max;
			if (e->v.protocol == PROTO_TCP)
				note_fallback(c, &e->v, &r->listen);
		}
		break;
	case TFO_REC_SETSOCKOPT:
		if (!e->v.pid)
			set_owner(c, &e->v, r->hdr.pid, r->hdr.ns_pid, r->hdr.comm);
		note_setsockopt(&e->v, &r->setsockopt);
		note_refusal(c, &e->v, &r->setsockopt);
		break;
	case TFO_REC_TFO_SERVER:
		if (!e->v.pid)
			set_owner(c, &e->v, r->hdr.pid, r->hdr.ns_pid, r->hdr.comm);
		note_tfo_server(&e->v, &r->tfo_server);
		break;
	case TFO_REC_TFO_CLIENT:
		if (!e->v.pid)
			set_owner(c, &e->v, r->hdr.pid, r->hdr.ns_pid, r->hdr.comm);
		if (r->tfo_client.probe == TFO_CLIENT_COOKIE_CHECK)
			e->v.client_cookie_checks++;
		else if (r->tfo_client.probe == TFO_CLIENT_BLACKHOLE &&
			 r->tfo_client.ret)
			e->v.blackholes++;
		break;
	case TFO_REC_LISTENER:
		set_owner(c, &e->v, r->hdr.pid, r->hdr.ns_pid, r->hdr.comm);
		e->v.listening = true;
		e->v.from_scan = true;
		e->v.qlen_known = true;
		e->v.qlen_max = r->listener.qlen_max;
		e->v.sysctl = r->listener.sysctl;
		memcpy(e->v.addr, r->listener.addr, sizeof(e->v.addr));
		e->v.has_addr = true;
		break;
	case TFO_REC_WIRE:	/* a listener's handshake */
		if (!e->v.pid)
			set_owner(c, &e->v, r->hdr.pid, r->hdr.ns_pid, r->hdr.comm);
		count_wire(&e->v.wire, &r->wire);
		if (!c->opts.probes)
			note_wire_server(&e->v, &r->wire);
		break;
	}
	evaluate(c, e);
}

void tfo_correlator__lost(struct tfo_correlator *c, uint64_t n)
{
	c->stats.lost += n;
}

void tfo_correlator__owner(struct tfo_correlator *c, uint64_t ino,
			   uint32_t pid, uint32_t ns_pid, const char *comm)
{
	uint32_t i = find(c, ino);

	if (i != TFO_LRU_NONE)
		set_owner(c, &c->entries[i].v, pid, ns_pid, comm);
}

void tfo_correlator__counters(struct tfo_correlator *c,
			      const struct tfo_mib *delta)
{
	c->ns_cookie_reqd = delta->cookie_reqd;
	c->ns_unanswered = delta->cookie_reqd > 0 && delta->passive == 0;
}

void tfo_correlator__for_each(const struct tfo_correlator *c, tfo_sock_cb cb,
			      void *ctx)
{
	/* Oldest first, so the report reads in the order things happened. */
	for (uint32_t i = tfo_lru_oldest(&c->index); i != TFO_LRU_NONE;
	     i = tfo_lru_newer(&c->index, i))
		cb(ctx, &c->entries[i].v, verdicts(c, &c->entries[i].v));
}

static void emit_final(void *ctx, const struct tfo_sock_view *v, uint32_t kinds)
{
	emit_kinds(ctx, v, NULL, kinds, true, false);
}

void tfo_correlator__refresh(struct tfo_correlator *c)
{
	for (uint32_t i = tfo_lru_oldest(&c->index); i != TFO_LRU_NONE;
	     i = tfo_lru_newer(&c->index, i)) {
		struct entry *e = &c->entries[i];
		uint64_t numbers;
		uint32_t still;

		if (e->held) {
			uint32_t fresh = verdicts(c, &e->v) & e->held & ~e->emitted;

			emit_kinds(c, &e->v, NULL, fresh, false, false);
			e->emitted |= fresh;
			e->held = 0;
			if (fresh) {
				e->emitted_numbers = numbers_of(&e->v);
				continue;
			}
		}
		if (!e->emitted)
			continue;
		numbers = numbers_of(&e->v);
		if (numbers == e->emitted_numbers)
			continue;
		still = verdicts(c, &e->v) & e->emitted;
		emit_kinds(c, &e->v, NULL, still, false, true);
		e->emitted_numbers = numbers;
	}
	for (uint32_t i = tfo_lru_oldest(&c->remote_index); i != TFO_LRU_NONE;
	     i = tfo_lru_newer(&c->remote_index, i)) {
		struct remote *e = &c->remotes[i];
		uint64_t numbers;

		if (!e->emitted)
			continue;
		numbers = remote_numbers_of(&e->v);
		if (numbers == e->emitted_numbers)
			continue;
		emit_kinds(c, NULL, &e->v, remote_verdicts(&e->v) & e->emitted,
			   false, true);
		e->emitted_numbers = numbers;
	}
}

static void emit_final_remote(void *ctx, const struct tfo_remote_view *r,
			      uint32_t kinds)
{
	emit_kinds(ctx, NULL, r, kinds, true, false);
}

void tfo_correlator__finish(struct tfo_correlator *c)
{
	tfo_correlator__for_each(c, emit_final, c);
	tfo_correlator__for_each_remote(c, emit_final_remote, c);
}

void tfo_correlator__stats(const struct tfo_correlator *c,
			   struct tfo_correlator_stats *out)
{
	*out = c->stats;
	out->sockets = c->index.n_used;
	out->evicted = c->index.evicted;
	out->remotes = c->remote_index.n_used;
	out->remotes_evicted = c->remote_index.evicted;
}
