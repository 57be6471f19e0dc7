/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Records as the BPF programs fill them, for the unit tests and nothing
 * else: one set of builders, so that a change to a record is one change
 * here. Kernel ABI values are spelled out as numbers on purpose. */
#ifndef TFOTRACE_TEST_RECORDS_H
#define TFOTRACE_TEST_RECORDS_H

#include <stdint.h>
#include <string.h>
#include "tfotrace.h"
#include "records.h"

/* ---- kernel ABI values ---- */
#define AF_INET_		2
#define SOCK_STREAM_		1
#define SOCK_DGRAM_		2
#define GO_SOCK_TYPE		(1 | 0x800 | 0x80000)	/* STREAM|NONBLOCK|CLOEXEC */
#define P_TCP			6
#define P_UDP			17
#define P_MPTCP			262
#define L_IP			0
#define L_SOCKET		1
#define L_TCP			6
#define O_SO_REUSEADDR		2
#define O_IP_TTL		2
#define O_TCP_NODELAY		1
#define O_TCP_USER_TIMEOUT	18
#define O_TCP_FASTOPEN		23
#define O_TCP_FASTOPEN_CONNECT	30
#define ST_ESTABLISHED		1
#define ST_CLOSE		7
#define ST_LISTEN		10

#define NETNS		4026531840u	/* init_net's inode */
#define OTHER_NETNS	4026532301u

#define AF_INET6_	10

/* ---- records ---- */

static uint64_t clock_ns = 1000000000ULL;

/* The header of a record of TYPE by process PID (its tid and ns_pid the
 * same): the size is records.c's, a clock that moves 1 µs a record. */
static inline void rec_hdr(struct tfo_rec_hdr *h, uint32_t type,
			   uint32_t pid, const char *comm)
{
	memset(h, 0, sizeof(*h));
	h->ts_ns = clock_ns += 1000;
	h->type = type;
	h->size = tfo_record_size(type);
	h->pid = pid;
	h->tid = pid;
	h->ns_pid = pid;
	/* up to 16 bytes, no NUL needed: as the kernel's comm */
	for (size_t i = 0; i < TFO_COMM_LEN && comm[i]; i++)
		h->comm[i] = comm[i];
}

static inline struct tfo_sock_id sid(uint64_t ino, uint16_t proto, uint16_t lport,
			      uint8_t state)
{
	struct tfo_sock_id s;

	memset(&s, 0, sizeof(s));
	s.ino = ino;
	s.netns = NETNS;
	s.family = AF_INET_;
	s.type = proto == P_UDP ? SOCK_DGRAM_ : SOCK_STREAM_;
	s.protocol = proto;
	s.lport = lport;
	s.state = state;
	return s;
}

/* socket(AF_INET, TYPE, ASKED) = FD made as PROTO; FD < 0: it failed. */
static inline union tfo_record rec_socket(uint32_t pid, const char *comm,
				   uint64_t ino, int asked, uint16_t proto,
				   int fd)
{
	union tfo_record r;

	memset(&r, 0, sizeof(r));
	rec_hdr(&r.hdr, TFO_REC_SOCKET, pid, comm);
	if (fd >= 0)
		r.socket.sock = sid(ino, proto, 0, ST_CLOSE);
	r.socket.family = AF_INET_;
	r.socket.type = proto == P_UDP ? SOCK_DGRAM_ : GO_SOCK_TYPE;
	r.socket.protocol = asked;
	r.socket.ret = fd;
	return r;
}

/* setsockopt(fd 3, LEVEL, OPTNAME, &(int)VALUE, 4) = RET, from LAYER. */
static inline union tfo_record rec_sockopt(uint32_t pid, const char *comm,
				    uint64_t ino, uint16_t proto, int level,
				    int optname, int32_t value, int ret,
				    uint32_t layer)
{
	union tfo_record r;

	memset(&r, 0, sizeof(r));
	rec_hdr(&r.hdr, TFO_REC_SETSOCKOPT, pid, comm);
	r.setsockopt.sock = sid(ino, proto, 0, ST_CLOSE);
	r.setsockopt.fd = 3;
	r.setsockopt.level = level;
	r.setsockopt.optname = optname;
	r.setsockopt.optlen = sizeof(value);
	r.setsockopt.ret = ret;
	r.setsockopt.err_layer = ret < 0 ? layer : TFO_LAYER_UNKNOWN;
	r.setsockopt.optval_len = sizeof(value);
	memcpy(r.setsockopt.optval, &value, sizeof(value));
	return r;
}

/* listen(fd 3, BACKLOG) = RET; the TFO queue limit read after it, and the
 * namespace's net.ipv4.tcp_fastopen (read whatever RET). */
static inline union tfo_record rec_listen(uint32_t pid, const char *comm,
				   uint64_t ino, uint16_t proto, uint16_t port,
				   int backlog, int ret, uint32_t qlen_max,
				   uint32_t sysctl)
{
	union tfo_record r;

	memset(&r, 0, sizeof(r));
	rec_hdr(&r.hdr, TFO_REC_LISTEN, pid, comm);
	r.listen.sock = sid(ino, proto, port, ret ? ST_CLOSE : ST_LISTEN);
	r.listen.fd = 3;
	r.listen.backlog = backlog;
	r.listen.ret = ret;
	r.listen.tfo_qlen_max = ret ? 0 : qlen_max;
	r.listen.sysctl = sysctl;
	return r;
}

struct syn {
	int32_t foc_in;
	int32_t foc_out;
	uint32_t syn_data;
	uint32_t qlen;
	uint32_t qlen_max;
	uint32_t sysctl;
	uint8_t child;
};

/* One SYN in tcp_try_fastopen() of listener INO; PID/COMM are the owner
 * the listener_owners map had (0, "" when unknown). */
static inline union tfo_record rec_syn(uint32_t pid, const char *comm, uint64_t ino,
				uint16_t proto, uint16_t port, struct syn s)
{
	union tfo_record r;

	memset(&r, 0, sizeof(r));
	rec_hdr(&r.hdr, TFO_REC_TFO_SERVER, pid, comm);
	r.tfo_server.sock = sid(ino, proto, port, ST_LISTEN);
	r.tfo_server.foc_in = s.foc_in;
	r.tfo_server.foc_out = s.foc_out;
	r.tfo_server.syn_data = s.syn_data;
	r.tfo_server.qlen = s.qlen;
	r.tfo_server.qlen_max = s.qlen_max;
	r.tfo_server.sysctl = s.sysctl;
	r.tfo_server.child = s.child;
	r.tfo_server.subflow = proto == P_MPTCP;
	return r;
}

static inline union tfo_record rec_client(uint32_t pid, const char *comm,
				   uint64_t ino, uint32_t probe, int ret,
				   int cookie_len)
{
	union tfo_record r;

	memset(&r, 0, sizeof(r));
	rec_hdr(&r.hdr, TFO_REC_TFO_CLIENT, pid, comm);
	r.tfo_client.sock = sid(ino, P_TCP, 41000, ST_CLOSE);
	r.tfo_client.probe = probe;
	r.tfo_client.ret = ret;
	r.tfo_client.cookie_len = cookie_len;
	return r;
}

/* A listener the socket iterator found at start: pid 0, owners from /proc. */
static inline union tfo_record rec_listener(uint64_t ino, uint16_t proto,
				     uint16_t port, uint32_t qlen_max,
				     uint32_t qlen, uint32_t sysctl)
{
	union tfo_record r;

	memset(&r, 0, sizeof(r));
	rec_hdr(&r.hdr, TFO_REC_LISTENER, 0, "");
	r.listener.sock = sid(ino, proto, port, ST_LISTEN);
	r.listener.addr[0] = 127;
	r.listener.addr[3] = 1;
	r.listener.qlen_max = qlen_max;
	r.listener.qlen = qlen;
	r.listener.backlog = 4096;
	r.listener.sysctl = sysctl;
	r.listener.subflow = proto == P_MPTCP;
	return r;
}

struct synack {
	uint32_t netns;
	uint16_t family;
	uint8_t last;		/* the address's last byte */
	uint16_t port;
	uint8_t cookie_requested;
	int32_t cookie_len;	/* -1: the SYN-ACK had no cookie option */
	uint8_t syn_data;
	uint8_t data_acked;
	uint8_t syn_retransmitted;
};

/* A TFO client connection's SYN-ACK (tcp_fastopen_cache_set) as the BPF
 * side fills it; PID 0: a connection made before tfotrace started. */
static inline union tfo_record rec_synack(uint32_t pid, const char *comm,
				   struct synack a)
{
	union tfo_record r;

	memset(&r, 0, sizeof(r));
	rec_hdr(&r.hdr, TFO_REC_TFO_SYNACK, pid, comm);
	r.tfo_synack.sock = sid(90000 + clock_ns % 1000, P_TCP, 41000,
				ST_ESTABLISHED);
	r.tfo_synack.sock.netns = a.netns ? a.netns : NETNS;
	r.tfo_synack.family = a.family ? a.family : AF_INET_;
	if (r.tfo_synack.family == AF_INET_) {
		r.tfo_synack.raddr[0] = 127;
		r.tfo_synack.raddr[3] = a.last ? a.last : 1;
	} else {
		r.tfo_synack.raddr[15] = a.last ? a.last : 1;	/* ::1 */
	}
	r.tfo_synack.rport = a.port ? a.port : 8443;
	r.tfo_synack.cookie_requested = a.cookie_requested;
	r.tfo_synack.cookie_len = a.cookie_len;
	r.tfo_synack.syn_data = a.syn_data;
	r.tfo_synack.data_acked = a.data_acked;
	r.tfo_synack.syn_retransmitted = a.syn_retransmitted;
	return r;
}

/* What the handshake observer saw: PACKET (enum tfo_wire_packet) between
 * this host's 127.0.0.1:LPORT and 127.0.0.1:RPORT, on socket INO (the
 * listener, or the client's) of PROTO; W the options (a SYN-ACK's SYN in
 * w.syn_*). */
struct wire {
	uint8_t tfo;		/* enum tfo_wire_tfo */
	uint8_t cookie_len;
	uint8_t mp_capable;	/* version + 1 */
	uint16_t payload;
	uint8_t syn_seen;
	uint8_t syn_tfo;
	uint8_t syn_mp_capable;
	uint16_t syn_payload;
	uint8_t data_acked;
	uint8_t syns;
	uint8_t malformed;
};

static inline union tfo_record rec_wire(uint32_t pid, const char *comm,
					uint64_t ino, uint16_t proto,
					uint8_t packet, uint16_t lport,
					uint16_t rport, struct wire w)
{
	bool server = packet == TFO_WIRE_SYN_IN || packet == TFO_WIRE_SYNACK_OUT;
	union tfo_record r;

	memset(&r, 0, sizeof(r));
	rec_hdr(&r.hdr, TFO_REC_WIRE, pid, comm);
	r.wire.sock = sid(ino, proto, server ? lport : 0,
			  server ? ST_LISTEN : ST_CLOSE);
	r.wire.family = AF_INET_;
	r.wire.laddr[0] = r.wire.raddr[0] = 127;
	r.wire.laddr[3] = r.wire.raddr[3] = 1;
	r.wire.lport = lport;
	r.wire.rport = rport;
	r.wire.packet = packet;
	r.wire.tfo = w.tfo;
	r.wire.cookie_len = w.cookie_len;
	r.wire.mp_capable = w.mp_capable;
	r.wire.payload = w.payload;
	r.wire.malformed = w.malformed;
	r.wire.syn_seen = w.syn_seen;
	r.wire.syn_tfo = w.syn_tfo;
	r.wire.syn_cookie_len = w.syn_tfo == TFO_WIRE_TFO_COOKIE ? 8 : 0;
	r.wire.syn_mp_capable = w.syn_mp_capable;
	r.wire.syn_payload = w.syn_payload;
	r.wire.data_acked = w.data_acked;
	r.wire.syns = w.syns ? w.syns : 1;
	return r;
}

#endif
