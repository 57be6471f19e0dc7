/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The correlator: fed records in order, it keeps per-socket state (bounded,
 * least recently used evicted and counted) and turns the evidence into
 * findings — "this MPTCP listener rejected TCP_FASTOPEN, 37 SYNs asked for a
 * cookie since and got none". Pure: no libbpf, no I/O; findings leave
 * through a callback.
 */
#ifndef TFOTRACE_CORRELATE_H
#define TFOTRACE_CORRELATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "decode.h"
#include "procfs.h"
#include "program.h"

enum tfo_finding_kind {
	TFO_FINDING_MPTCP_TFO_REJECTED,
	TFO_FINDING_MPTCP_OPTION_REJECTED,
	TFO_FINDING_TFO_SERVER_DISABLED,
	TFO_FINDING_TFO_QUEUE_OVERFLOW,
	TFO_FINDING_TFO_COOKIE_INVALID,
	TFO_FINDING_TFO_CLIENT_BLACKHOLE,
	TFO_FINDING_MPTCP_LEGACY_API,
	TFO_FINDING_TFO_REMOTE_NO_COOKIE,	/* a server never answered */
	TFO_FINDING_TFO_REMOTE_OK,		/* a server that answers */
	TFO_FINDING_MPTCP_FELL_BACK,	/* informational: an MPTCP listener
					 * given up for TCP after a refusal */
	TFO_FINDING_TFO_OK,
	TFO_FINDING__MAX,
};

const char *tfo_finding_name(enum tfo_finding_kind kind);
/* Whether KIND is something wrong (not tfo-ok, tfo-remote-ok or the
 * informational mptcp-fell-back). */
bool tfo_finding_is_problem(enum tfo_finding_kind kind);

#define TFO_ADVICE_MAX	5
#define TFO_ADVICE_LEN	768
#define TFO_OPT_HISTORY	8

/* One setsockopt as the socket's history keeps it. */
struct tfo_opt_call {
	int32_t level;
	int32_t optname;
	int64_t value;
	bool has_value;
	int32_t ret;		/* 0 or negative errno */
	uint32_t err_layer;	/* enum tfo_layer */
};

/* What the handshake observer saw of a listener's handshakes, or of a
 * remote server's (bpf/wire.bpf.c): the packets' own options, counted. */
struct tfo_wire_counts {
	uint64_t syns;			/* SYNs */
	uint64_t cookie_requests;	/* ... with the option and no cookie */
	uint64_t cookies_in_syn;	/* ... with a cookie */
	uint64_t syns_with_data;	/* ... carrying data */
	uint64_t syns_mp_capable;	/* ... offering MPTCP (MP_CAPABLE) */
	uint64_t synacks;		/* SYN-ACKs */
	uint64_t synack_cookies;	/* ... carrying a cookie */
	uint64_t data_acked;		/* ... acknowledging the SYN's data */
	uint64_t synacks_mp_capable;	/* ... MPTCP negotiated */
	uint64_t syns_retransmitted;	/* SYNs sent again */
	uint64_t experimental;		/* packets with the option kind 254 */
	uint64_t malformed;		/* options that could not be walked */
};

/* What the run saw of one socket; what findings and the report print. */
struct tfo_sock_view {
	uint64_t ino;
	uint32_t netns;
	uint32_t pid;		/* owner: creator, caller, or from the scan */
	uint32_t ns_pid;	/* its pid in its own pid namespace; 0 unknown */
	char comm[TFO_COMM_LEN];
	uint16_t family;
	uint16_t protocol;
	uint16_t port;
	uint8_t addr[16];
	bool has_addr;
	bool listening;
	bool from_scan;		/* known from the listener scan */
	bool qlen_known;
	uint32_t qlen_max;	/* TFO queue limit: 0 = TFO off */
	int64_t sysctl;		/* net.ipv4.tcp_fastopen seen for it, or -1 */
	/* TCP_FASTOPEN asked for on it: 0 no, 1 accepted, -errno failed */
	int32_t tfo_sockopt;
	bool tfo_off;		/* TCP_FASTOPEN set to 0 or less: TFO off */
	int64_t tfo_sockopt_value;
	struct tfo_opt_call opts[TFO_OPT_HISTORY];
	uint32_t n_opts;	/* calls seen; the first TFO_OPT_HISTORY kept */
	uint32_t n_failed;	/* of them, those that failed */
	uint32_t n_rejected;	/* options an MPTCP socket refused (not TFO) */
	/* per-SYN evidence (tcp_try_fastopen), when the mode has it */
	uint64_t syns;
	uint64_t cookie_requests;	/* SYNs asking for a cookie */
	uint64_t syns_with_data;
	uint64_t syns_unanswered;	/* asked for TFO, got neither */
	uint64_t cookies_sent;
	uint64_t tfo_accepted;
	uint64_t cookie_invalid;
	uint64_t overflows;
	/* client side */
	uint64_t client_cookie_checks;
	uint64_t blackholes;
	/* setsockopt(SOL_TCP, 42): the out-of-tree kernels' MPTCP_ENABLED */
	uint32_t legacy_mptcp;
	/* A TCP listener its process made right after an MPTCP socket of its
	 * refused an option and never listened: Go's silent fallback. */
	bool fell_back;
	bool superseded;	/* an MPTCP socket given up that way */
	int32_t fell_back_level, fell_back_optname, fell_back_ret;
	uint64_t fell_back_from;	/* the MPTCP socket's inode */
	tfo_program_ref program;	/* of the owner (pid); 0 unknown */
	struct tfo_wire_counts wire;	/* a listener's handshakes on the wire */
};

#define TFO_REMOTE_CLIENTS	4

/* What this host's TFO clients saw of one server: its address and port as
 * seen from the clients' network namespace (a loopback or private address
 * means a different server in each namespace). */
struct tfo_remote_view {
	uint32_t netns;		/* of the clients */
	uint16_t family;
	uint16_t port;
	uint8_t addr[16];
	uint64_t connections;		/* SYN-ACKs of TFO client connections */
	uint64_t cookie_requests;	/* SYNs that asked for a cookie */
	uint64_t cookie_requests_unanswered;	/* ... and got none */
	uint64_t cookies_received;	/* SYN-ACKs that carried a cookie */
	uint64_t syn_data_sent;		/* SYNs that carried data */
	uint64_t syn_data_acked;	/* ... that the SYN-ACK acknowledged */
	uint64_t syns_retransmitted;	/* SYNs sent again (timed out) */
	/* the evidence of no answer: SYNs not sent again (their answer is
	 * to the TFO SYN itself) that got no cookie / whose data was not
	 * acknowledged */
	uint64_t syn_data_refused;
	/* the processes that connected, the first TFO_REMOTE_CLIENTS seen */
	struct tfo_owner clients[TFO_REMOTE_CLIENTS];
	size_t n_clients;
	bool more_clients;
	struct tfo_wire_counts wire;	/* its handshakes on the wire */
};

struct tfo_finding {
	enum tfo_finding_kind kind;
	bool final;		/* from tfo_correlator__finish() */
	bool update;		/* seen before; its numbers have changed since
				 * (tfo_correlator__refresh()) */
	bool probes;		/* per-SYN numbers were observable */
	bool wire;		/* the handshake observer was attached */
	uint64_t lost;		/* events lost so far: evidence may be partial */
	/* what it is about: a socket, or (tfo-remote-*) a remote server */
	const struct tfo_sock_view *sock;
	const struct tfo_remote_view *remote;
	/* the owner's program (NULL: not known) and, for an MPTCP socket,
	 * where its MPTCP came from */
	const struct tfo_program *program;
	struct tfo_mptcp_origin origin;
	uint32_t own_netns;	/* tfotrace's network namespace */
	int err;		/* the errno behind it, positive, or 0 */
	const char *why;
	char advice[TFO_ADVICE_MAX][TFO_ADVICE_LEN];	/* best first */
	size_t n_advice;
};

typedef void (*tfo_finding_cb)(void *ctx, const struct tfo_finding *f);

struct tfo_correlator_opts {
	size_t max_sockets;	/* 0: a default */
	size_t max_remotes;	/* 0: a default */
	bool probes;		/* the mode hooks tcp_try_fastopen() */
	/* the handshake observer is attached: where the mode has no probes
	 * (probes false), its records are the per-SYN and the clients'
	 * evidence; where it has, they are counted beside theirs */
	bool wire;
	int64_t sysctl;		/* tcp_fastopen of NETNS, or -1 unknown */
	uint32_t netns;		/* the namespace SYSCTL was read in */
	/* The kernel's MPTCP takes TCP_FASTOPEN (>= 6.2): a TFO-less MPTCP
	 * listener is then no sign of a rejected setsockopt. */
	bool mptcp_tfo_supported;
	/* what owners run (NULL: unknown); the caller describes a process
	 * (tfo_programs__of) before feeding its records */
	const struct tfo_programs *programs;
	tfo_finding_cb cb;
	void *cb_ctx;
};

struct tfo_correlator_stats {
	uint64_t records;
	uint64_t sockets;	/* tracked now */
	uint64_t evicted;
	uint64_t lost;
	uint64_t ignored;	/* records of sockets that are not TCP/MPTCP */
	uint64_t remotes;	/* remote servers tracked now */
	uint64_t remotes_evicted;
};

struct tfo_correlator;

/* NULL when out of memory. */
struct tfo_correlator *tfo_correlator__new(const struct tfo_correlator_opts *opts);
void tfo_correlator__free(struct tfo_correlator *c);

void tfo_correlator__feed(struct tfo_correlator *c, const union tfo_record *r);
/* The kernel could not deliver N records: said in every finding after. */
void tfo_correlator__lost(struct tfo_correlator *c, uint64_t n);
/* The process a socket is attributed to (a listener's creator, found by
 * the scan): it replaces a previous owner. */
void tfo_correlator__owner(struct tfo_correlator *c, uint64_t ino,
			   uint32_t pid, uint32_t ns_pid, const char *comm);
/* The TFO counters' change over the run in the namespace of opts.netns:
 * without per-SYN probes, cookie requests that no listener answered are
 * the only trace of clients asking a TFO-less MPTCP listener. */
void tfo_correlator__counters(struct tfo_correlator *c,
			      const struct tfo_mib *delta);
/* Findings reported before whose numbers have changed since, again, with
 * update set (call it at most once per interval: a week-long journal then
 * shows how a problem evolved and stays small). */
void tfo_correlator__refresh(struct tfo_correlator *c);
/* Final verdicts: one finding per kind per socket, with final set. */
void tfo_correlator__finish(struct tfo_correlator *c);
void tfo_correlator__stats(const struct tfo_correlator *c,
			   struct tfo_correlator_stats *out);

/* Every tracked socket, oldest first, with KINDS: the bitmask (1u << enum
 * tfo_finding_kind) of the kinds that hold for it now, by the verdicts
 * tfo_correlator__finish() reports. Sockets with no kind are visited too
 * (KINDS 0). Read-only: emits no finding, changes nothing (not even the
 * eviction order); CB must not feed C. */
typedef void (*tfo_sock_cb)(void *ctx, const struct tfo_sock_view *s,
			    uint32_t kinds);
void tfo_correlator__for_each(const struct tfo_correlator *c, tfo_sock_cb cb,
			      void *ctx);

/* Every remote server, oldest first, with KINDS as finish() reports them
 * (tfo-remote-*). Read-only, as tfo_correlator__for_each(). */
typedef void (*tfo_remote_cb)(void *ctx, const struct tfo_remote_view *r,
			      uint32_t kinds);
void tfo_correlator__for_each_remote(const struct tfo_correlator *c,
				     tfo_remote_cb cb, void *ctx);

#endif
