// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The handshake observer: every TCP SYN and SYN-ACK of the traced
 * processes' sockets, both families, both directions, as it goes by -
 * what a capture shows, per listener and per connection, in every attach
 * mode (kprobes and fentry not needed).
 *
 * cgroup_skb ingress and egress on the cgroup v2 root (or --cgroup's
 * directory), where skb->data is the network header. A packet that is not
 * a TCP SYN returns after three loads (IP version, protocol, TCP flags).
 * A SYN's options are copied and walked once; the relevance filter keeps
 * the handshakes a finding needs (a Fast Open option, MP_CAPABLE, data in
 * the SYN; with --all every one) and counts the rest. A SYN kept is
 * remembered by its addresses until its SYN-ACK, which is kept with what
 * its SYN was (and whether it acknowledged the SYN's data).
 *
 * Whose: skb->sk is the socket the kernel runs the program for - the
 * listener for a SYN it receives and the SYN-ACK it answers with, the TFO
 * child (whose listener is its request's) for a SYN-ACK of accepted data,
 * the client socket for the SYN it sends and the SYN-ACK it receives. An
 * MPTCP subflow stands for its MPTCP socket. The process: the listener's
 * owner (listener_owners, shared with the tracer), or the one that
 * connected (cgroup/connect4|6, process context: by socket cookie).
 *
 * Every program returns 1: it observes, it never drops.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "tfotrace.h"
#include "sock.bpf.h"
#include "record.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 record_policy = TFO_RECORD_RELEVANT;

#define TH_SYN		0x02
#define TH_ACK		0x10
#define SOCK_STREAM	1
#define TCP_SYN_SENT	2
#define TCP_SYN_RECV	3
#define OPT_EOL		0
#define OPT_NOP		1
#define OPT_MP		30	/* MPTCP; subtype 0 is MP_CAPABLE */
#define OPT_FASTOPEN	34
#define OPT_EXP		254	/* experimental: the Fast Open magic */
#define FASTOPEN_MAGIC	0xF989
#define COOKIE_MIN	4	/* TCP_FASTOPEN_COOKIE_MIN */
#define COOKIE_MAX	16	/* TCP_FASTOPEN_COOKIE_MAX */
#define OPTS_MAX	40
#define AF_INET6	10

/* A handshake between a client and a server address, as one side saw it:
 * a SYN kept, waiting for its SYN-ACK. */
struct wire_key {
	__u32 netns;
	__u16 family;
	__u8 side;		/* 1 server (a listener of this host), 2 client */
	__u8 pad;
	__u16 cport;
	__u16 sport;
	__u8 caddr[16];
	__u8 saddr[16];
};

struct wire_syn {
	__u32 seq;
	__u16 payload;
	__u8 tfo;		/* enum tfo_wire_tfo */
	__u8 mp_capable;
	__u8 syns;		/* sent or received: > 1 again */
	__u8 cookie_len;
	__u8 pad[2];
};

/* When a SYN was last kept: a SYN-ACK long after it (SYN-ACKs are
 * retransmitted for a minute at most) has no SYN to be paired with, and
 * costs no lookup. */
#define SYNACK_WINDOW_NS	(120ULL * 1000000000ULL)
__u64 last_kept_syn_ns = 0;

/* An LRU: a SYN never answered cannot fill it. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct wire_key);
	__type(value, struct wire_syn);
} wire_syns SEC(".maps");

/* The process that connected, by its socket's cookie (its MPTCP socket's,
 * for an MPTCP connection): remembered in connect(), looked up when its
 * SYN leaves and its SYN-ACK comes back (softirq, or a timer). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TFO_CLIENTS_MAX);
	__type(key, __u64);
	__type(value, struct tfo_owner);
} wire_clients SEC(".maps");

/* The packets the relevance filter did not keep, per CPU and by enum
 * tfo_wire_packet. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tfo_wire_skipped);
} wire_skipped SEC(".maps");

static __always_inline void count_skipped(__u8 packet)
{
	__u32 zero = 0;
	struct tfo_wire_skipped *s = bpf_map_lookup_elem(&wire_skipped, &zero);

	if (s && packet < TFO_WIRE__MAX)
		s->packets[packet]++;
}

/* What a packet's options say, walked as the kernel's tcp_parse_options()
 * walks them: EOL ends them, an option of a length below 2 or past the end
 * stops the walk (malformed), the last Fast Open option wins, an odd or
 * out-of-range cookie is none. Unrolled over the 40 byte positions with
 * constant offsets; NEXT, the next option's start, is never an offset. */
struct wire_opts {
	__u8 tfo;
	__u8 cookie_len;
	__u8 exp;
	__u8 mp_capable;
	__u8 malformed;
};

/* The options and what they say, in a per-CPU map value: stores there
 * leave no distinct verifier state behind (on the stack, each option's
 * values would multiply the states past 6.1's limit). */
struct wire_scratch {
	__u8 opts[OPTS_MAX];
	struct wire_opts w;
	__u8 next;		/* where the walk's next option starts */
	__u8 optlen;
	__u8 tfo_kind;		/* the last Fast Open option's kind, 0: none */
	__u8 tfo_len;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct wire_scratch);
} wire_scratch SEC(".maps");

/* A global function: the verifier checks it once, on its own, rather than
 * once for each state its caller reaches it in (family, direction, SYN or
 * SYN-ACK: the walk again for each). */
__noinline int parse_opts(struct wire_scratch *scratch)
{
	if (!scratch)
		return 0;
	const __u8 *o = scratch->opts;
	struct wire_opts *w = &scratch->w;
	/* Read from map memory at each use, so the verifier tracks no value
	 * for them: in registers, each bound learnt from a comparison at each
	 * position would be a state of its own (48k instructions processed
	 * per program, 35 ms a program to verify). The offsets stay
	 * constants, in bounds of the value whatever they hold. */
	volatile __u8 *next = &scratch->next, *optlen = &scratch->optlen;
	volatile __u8 *tfo_kind = &scratch->tfo_kind;
	volatile __u8 *tfo_len = &scratch->tfo_len;

	*next = 0;
	*tfo_kind = 0;

#pragma unroll
	for (int i = 0; i < OPTS_MAX; i++) {
		__u8 kind, len;

		if (i < *next)
			continue;
		if (i >= *optlen)
			break;
		kind = o[i];
		if (kind == OPT_EOL)
			break;
		if (kind == OPT_NOP) {
			*next = i + 1;
			continue;
		}
		if (i + 1 >= *optlen) {
			w->malformed = 1;
			break;
		}
		len = o[i + 1];
		if (len < 2 || i + len > *optlen) {
			w->malformed = 1;
			break;
		}
		/* the last Fast Open option wins; decoded after the walk */
		if (kind == OPT_FASTOPEN ||
		    (kind == OPT_EXP && len >= 4 &&
		     ((o[i + 2] << 8) | o[i + 3]) == FASTOPEN_MAGIC)) {
			*tfo_kind = kind;
			*tfo_len = len;
		} else if (kind == OPT_MP && len >= 4 && !(o[i + 2] >> 4)) {
			w->mp_capable = (o[i + 2] & 0xf) + 1;
		}
		*next = i + len;
	}
	if (*tfo_kind) {
		__u8 kind = *tfo_kind;
		__u8 cookie = *tfo_len - (kind == OPT_FASTOPEN ? 2 : 4);

		w->exp = kind == OPT_EXP;
		if (cookie == 0) {
			w->tfo = TFO_WIRE_TFO_REQUEST;
		} else if (cookie >= COOKIE_MIN && cookie <= COOKIE_MAX &&
			   !(cookie & 1)) {
			w->tfo = TFO_WIRE_TFO_COOKIE;
			w->cookie_len = cookie;
		} else {
			w->tfo = TFO_WIRE_TFO_NONE;
		}
	}
	return 0;
}

static __always_inline __u32 be32(const __u8 *p)
{
	return ((__u32)p[0] << 24) | ((__u32)p[1] << 16) | ((__u32)p[2] << 8) |
	       p[3];
}

/* The listener a server-side packet belongs to: skb's socket, or for a
 * TFO child (SYN_RECV, full) its request's listener. */
static __always_inline struct sock *listener_of(struct sock *sk)
{
	struct request_sock *req;

	if (BPF_CORE_READ(sk, __sk_common.skc_state) != TCP_SYN_RECV)
		return sk;
	req = BPF_CORE_READ((struct tcp_sock *)sk, fastopen_rsk);
	if (!req)
		return sk;
	return BPF_CORE_READ(req, __req_common.skc_listener);
}

/* The client socket's cookie as connect() saw it: an MPTCP subflow's is
 * its MPTCP socket's (the one the application connected). */
static __always_inline __u64 client_cookie(struct __sk_buff *skb,
					   struct sock *sk)
{
	__u8 subflow;
	struct sock *app = sock_app_sk(sk, &subflow);

	if (!subflow)
		return bpf_get_socket_cookie(skb);
	return BPF_CORE_READ(app, __sk_common.skc_cookie.counter);
}

/* What the front half decided about a kept packet, for emit(): in map
 * memory, where the verifier tracks no values, so that emit() is checked
 * once whatever the direction, family or pairing. */
struct wire_kept {
	struct wire_key key;
	struct wire_syn syn;	/* its SYN's, when syn_seen */
	struct wire_opts w;
	__u8 family;
	__u8 packet;
	__u8 server;
	__u8 is_syn;
	__u8 syn_seen;
	__u32 payload;
	__u32 seq;
	__u32 ack;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct wire_kept);
} wire_kept SEC(".maps");

static __always_inline struct tcp_sock *skb_tcp_sock(struct __sk_buff *skb)
{
	struct bpf_sock *bsk = skb->sk;
	struct tcp_sock *tp;

	if (!bsk)
		return NULL;
	tp = bpf_skc_to_tcp_sock(bsk);
	/* a raw socket of protocol IPPROTO_TCP is no TCP socket */
	if (!tp || tp->inet_conn.icsk_inet.sk.sk_type != SOCK_STREAM)
		return NULL;
	return tp;
}

/* A kept packet, recorded: whose it is and what its SYN was. A global
 * function, checked by the verifier once (inlined, once per state the
 * front half reached it in: ~50). */
__noinline int emit(struct __sk_buff *skb, struct wire_kept *k)
{
	struct tfo_owner *owner = NULL;
	struct tfo_sock_id id = {};
	struct tfo_rec_wire *r;
	struct tcp_sock *tp;
	struct sock *sk, *app;
	__u8 subflow, server;
	__u64 cookie;

	if (!k)
		return 1;
	/* 6.1 takes map keys from the stack, not from an argument's memory */
	struct wire_key key = k->key;

	tp = skb_tcp_sock(skb);
	if (!tp)
		return 1;
	sk = (struct sock *)tp;
	server = k->server;

	/* whose: the listener's owner, or the process that connected */
	if (server) {
		app = sock_app_sk(listener_of(sk), &subflow);
	} else {
		app = sock_app_sk(sk, &subflow);
		cookie = client_cookie(skb, sk);
		owner = bpf_map_lookup_elem(&wire_clients, &cookie);
	}
	sock_id_from_sock(&id, app);
	if (server) {
		owner = id.ino ? bpf_map_lookup_elem(&listener_owners, &id.ino) :
				 NULL;
		id.lport = key.sport;	/* the port the SYN came to */
	}
	/* softirq: the filters hold for the listener's owner or the
	 * connecting process, remembered only if wanted. Decided before
	 * reserving: a discarded record holds its ring space until the
	 * reader next passes, and under -p a burst of other processes'
	 * handshakes filled the ring (counted as lost) between two drains.
	 * Not counted either, as the tracer counts no other process's calls. */
	if (filter_pid_count && !(owner && pids_include(owner->pid)))
		return 1;
	r = record_reserve(sizeof(*r));
	if (!r)
		return 1;
	__builtin_memset(r, 0, sizeof(*r));
	r->sock = id;
	hdr_fill_owner(&r->hdr, TFO_REC_WIRE, sizeof(*r), owner);
	r->family = k->family;
	r->packet = k->packet;
	r->lport = server ? k->key.sport : k->key.cport;
	r->rport = server ? k->key.cport : k->key.sport;
	__builtin_memcpy(r->laddr, server ? k->key.saddr : k->key.caddr, 16);
	__builtin_memcpy(r->raddr, server ? k->key.caddr : k->key.saddr, 16);
	r->tfo = k->w.tfo;
	r->cookie_len = k->w.cookie_len;
	r->tfo_exp = k->w.exp;
	r->mp_capable = k->w.mp_capable;
	r->malformed = k->w.malformed;
	r->payload = k->payload;
	if (k->is_syn) {
		last_kept_syn_ns = bpf_ktime_get_coarse_ns();
		struct wire_syn s = {
			.seq = k->seq, .payload = k->payload, .tfo = k->w.tfo,
			.mp_capable = k->w.mp_capable, .syns = 1,
			.cookie_len = k->w.cookie_len,
		};
		struct wire_syn *old = bpf_map_lookup_elem(&wire_syns, &key);

		if (old && old->seq == s.seq && old->syns < 255)
			s.syns = old->syns + 1;	/* sent again */
		r->syns = s.syns;
		bpf_map_update_elem(&wire_syns, &key, &s, BPF_ANY);
	} else if (k->syn_seen) {
		r->syn_seen = 1;
		r->syn_tfo = k->syn.tfo;
		r->syn_cookie_len = k->syn.cookie_len;
		r->syn_mp_capable = k->syn.mp_capable;
		r->syn_payload = k->syn.payload;
		r->syns = k->syn.syns;
		r->data_acked = k->syn.payload &&
				k->ack == k->syn.seq + 1 + k->syn.payload;
		bpf_map_delete_elem(&wire_syns, &key);
	}
	record_submit(r);
	return 1;
}

/* The front half: what the packet itself says, cheaply; a packet not kept
 * costs no socket read. */
static __always_inline int observe(struct __sk_buff *skb, bool ingress)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	__u8 *ip = data, *th;
	__u32 l4off, doff, iplen, optlen;
	struct wire_scratch *scratch;
	struct wire_kept *k;
	struct wire_opts w;
	__u32 zero = 0;
	struct wire_syn *syn;
	struct tcp_sock *tp;
	__u8 flags, packet, family;
	__u32 payload;
	bool server, is_syn, keep;

	if (ip + 20 > (__u8 *)end)
		return 1;
	if ((ip[0] >> 4) == 4) {
		if (ip[9] != IPPROTO_TCP)
			return 1;
		l4off = (ip[0] & 0xf) * 4;
		family = AF_INET;
	} else if ((ip[0] >> 4) == 6) {
		if (ip + 40 > (__u8 *)end || ip[6] != IPPROTO_TCP)
			return 1;	/* extension headers: not followed */
		l4off = 40;
		family = AF_INET6;
	} else {
		return 1;
	}
	if (l4off < 20 || l4off > 60)
		return 1;
	th = ip + l4off;
	if (th + 20 > (__u8 *)end)
		return 1;
	flags = th[13];
	if (!(flags & TH_SYN))
		return 1;

	/* ---- a SYN or a SYN-ACK ---- */
	is_syn = !(flags & TH_ACK);
	server = ingress == is_syn;
	packet = server ? (is_syn ? TFO_WIRE_SYN_IN : TFO_WIRE_SYNACK_OUT) :
			  (is_syn ? TFO_WIRE_SYN_OUT : TFO_WIRE_SYNACK_IN);
	doff = (th[12] >> 4) * 4;
	if (family == AF_INET)
		iplen = (ip[2] << 8) | ip[3];
	else
		iplen = 40 + ((ip[4] << 8) | ip[5]);
	optlen = doff > 20 ? doff - 20 : 0;
	if (optlen > OPTS_MAX)
		optlen = OPTS_MAX;
	/* 6.1's verifier learns no lower bound from "optlen != 0": one
	 * unsigned compare on optlen - 1 gives the size its range */
	__u64 lm1 = (__u64)optlen - 1;

	scratch = bpf_map_lookup_elem(&wire_scratch, &zero);
	if (!scratch)
		return 1;
	__builtin_memset(&scratch->w, 0, sizeof(scratch->w));
	asm volatile("" : "+r"(lm1));
	if (lm1 < OPTS_MAX &&
	    !bpf_skb_load_bytes(skb, l4off + 20, scratch->opts, lm1 + 1)) {
		scratch->optlen = optlen;
		parse_opts(scratch);
	}
	w = scratch->w;
	payload = iplen > l4off + doff ? iplen - l4off - doff : 0;

	/* what the packet itself says decides, before any socket is read;
	 * a SYN-ACK whose SYN might have been kept is looked up below */
	keep = record_policy == TFO_RECORD_ALL || w.tfo || w.mp_capable ||
	       (is_syn && payload);
	if (!keep && (is_syn || bpf_ktime_get_coarse_ns() - last_kept_syn_ns >
				SYNACK_WINDOW_NS)) {
		count_skipped(packet);
		return 1;
	}
	tp = skb_tcp_sock(skb);
	k = bpf_map_lookup_elem(&wire_kept, &zero);
	if (!tp || !k)
		return 1;
	__builtin_memset(k, 0, sizeof(*k));

	/* the handshake's key: client and server, this side */
	k->key.family = family;
	k->key.side = server ? 1 : 2;
	{
		/* SYN: source -> destination is client -> server; SYN-ACK:
		 * the other way */
		__u8 *src = family == AF_INET ? ip + 12 : ip + 8;
		__u8 *dst = family == AF_INET ? ip + 16 : ip + 24;
		__u16 sp = (th[0] << 8) | th[1], dp = (th[2] << 8) | th[3];

		if (family == AF_INET) {
			__builtin_memcpy(is_syn ? k->key.caddr : k->key.saddr, src, 4);
			__builtin_memcpy(is_syn ? k->key.saddr : k->key.caddr, dst, 4);
		} else {
			__builtin_memcpy(is_syn ? k->key.caddr : k->key.saddr, src, 16);
			__builtin_memcpy(is_syn ? k->key.saddr : k->key.caddr, dst, 16);
		}
		k->key.cport = is_syn ? sp : dp;
		k->key.sport = is_syn ? dp : sp;
	}
	k->key.netns = BPF_CORE_READ((struct sock *)tp, __sk_common.skc_net.net,
				     ns.inum);
	if (!is_syn) {
		syn = bpf_map_lookup_elem(&wire_syns, &k->key);
		if (syn) {
			k->syn = *syn;
			k->syn_seen = 1;
			keep = true;
		}
	}
	if (!keep) {
		count_skipped(packet);
		return 1;
	}
	k->w = w;
	k->family = family;
	k->packet = packet;
	k->server = server;
	k->is_syn = is_syn;
	k->payload = payload;
	k->seq = be32(th + 4);
	k->ack = be32(th + 8);
	return emit(skb, k);
}

SEC("cgroup_skb/ingress")
int wire_ingress(struct __sk_buff *skb)
{
	return observe(skb, true);
}

SEC("cgroup_skb/egress")
int wire_egress(struct __sk_buff *skb)
{
	return observe(skb, false);
}

/* connect(), and sendto() with MSG_FASTOPEN: the process, by the socket's
 * cookie, for the SYN it is about to send. */
static __always_inline int remember_client(struct bpf_sock_addr *ctx)
{
	__u64 id, cookie;
	struct tfo_owner o = {};

	/* a UDP socket's connect() (every DNS lookup) sends no SYN */
	if (ctx->type != SOCK_STREAM)
		return 1;
	id = bpf_get_current_pid_tgid();
	if (!pids_include(id >> 32))
		return 1;
	cookie = bpf_get_socket_cookie(ctx);
	o.pid = id >> 32;	/* ns_pid 0: unknown here */
	bpf_get_current_comm(o.comm, sizeof(o.comm));
	bpf_map_update_elem(&wire_clients, &cookie, &o, BPF_ANY);
	return 1;
}

SEC("cgroup/connect4")
int wire_connect4(struct bpf_sock_addr *ctx)
{
	return remember_client(ctx);
}

SEC("cgroup/connect6")
int wire_connect6(struct bpf_sock_addr *ctx)
{
	return remember_client(ctx);
}
