/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The ABI between tfotrace's BPF programs and its userspace: every record
 * the ring buffer carries. Included by both sides and nothing else is
 * shared. Fixed-width fields, largest first, sizes asserted so clang
 * (BPF) and gcc (user) can never disagree on a layout.
 */
#ifndef TFOTRACE_H
#define TFOTRACE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define TFO_COMM_LEN	16
#define TFO_OPTVAL_MAX	16	/* bytes of an option value copied; a power of two */
#define TFO_MAX_PIDS	16	/* -p may be given this many times */

enum tfo_rec_type {
	TFO_REC_SOCKET = 1,	/* socket(2): what was asked for, what was made */
	TFO_REC_LISTEN = 2,	/* listen(2) */
	TFO_REC_SETSOCKOPT = 3,	/* setsockopt(2) */
	TFO_REC_TFO_SERVER = 4,	/* a SYN reached tcp_try_fastopen() */
	TFO_REC_TFO_CLIENT = 5,	/* a client-side TFO decision */
	TFO_REC_LISTENER = 6,	/* a listener found by the socket iterator */
	TFO_REC_OWNER = 7,	/* a process holding a listener, found by the
				 * task_file iterator */
	TFO_REC_TFO_SYNACK = 8,	/* a TFO client's SYN-ACK: what the server
				 * answered (tcp_fastopen_cache_set) */
	TFO_REC_WIRE = 9,	/* a SYN or SYN-ACK as the handshake observer
				 * saw it go by (bpf/wire.bpf.c) */
	TFO_REC__MAX,
};

/* The client-side kernel functions a TFO_REC_TFO_CLIENT comes from. */
enum tfo_client_probe {
	TFO_CLIENT_COOKIE_CHECK = 1,	/* tcp_fastopen_cookie_check */
	TFO_CLIENT_DEFER_CONNECT,	/* tcp_fastopen_defer_connect */
	TFO_CLIENT_BLACKHOLE,		/* tcp_fastopen_active_should_disable */
};

/* The kernel function that returned a failing setsockopt's error, seen
 * from its exit hook (fentry and kprobe modes only). */
enum tfo_layer {
	TFO_LAYER_UNKNOWN = 0,
	TFO_LAYER_SOCK,		/* sock_setsockopt: SOL_SOCKET */
	TFO_LAYER_TCP,		/* tcp_setsockopt */
	TFO_LAYER_MPTCP,	/* mptcp_setsockopt */
	TFO_LAYER_IP,		/* ip_setsockopt */
	TFO_LAYER_IPV6,		/* ipv6_setsockopt */
	TFO_LAYER__MAX,
};

/* Typed loads where the kernel has the kfunc bpf_rdonly_cast() (6.2+):
 * the BPF side calls it through placeholders userspace patches before
 * load with the running kernel's BTF ids (libbpf 1.1 would read the whole
 * kernel BTF to resolve a kfunc itself; tfotrace caches the few ids it
 * needs). Where the kfunc is missing the call becomes "r0 = r1" and the
 * programs take their CO-RE probe-read path instead (typed_loads false).
 * Each placeholder is the imm of one instruction: the call, or the "r2 ="
 * that passes the type to cast to. */
#define TFO_PATCH_KFUNC_RDONLY_CAST	0x7ff0c0de
#define TFO_PATCH_BTF_FILE		0x7ff0c001	/* struct file */
#define TFO_PATCH_BTF_SOCKET		0x7ff0c002	/* struct socket */
#define TFO_PATCH_BTF_PT_REGS		0x7ff0c003	/* struct pt_regs */
#define TFO_PATCH_BTF_TASK		0x7ff0c004	/* struct task_struct */

/* TFO client connections awaiting their SYN-ACK, remembered with the
 * process that made them (an LRU: one never answered cannot fill it). One
 * stays a round trip: 4096 is 40,000 connections a second at 100 ms, and
 * an LRU's entries are all allocated at start-up (16384: 2.5 ms each). */
#define TFO_CLIENTS_MAX		4096

/* Listeners: the owner scan looks for this many at most (scan_inos), and
 * listener_owners remembers this many. A hash map's buckets are allocated
 * at its creation, at start-up: 65536 cost 2 ms each here. */
#define TFO_SCAN_INOS_MAX	16384
#define TFO_LISTENERS_MAX	16384

/* Which calls the kernel turns into records (the rest are only counted,
 * per CPU, by call): the default keeps what some finding needs. */
enum tfo_record_policy {
	TFO_RECORD_RELEVANT = 0,	/* listen(); TFO options; failed calls;
					 * socket() asking for MPTCP */
	TFO_RECORD_ALL,			/* --all: every call */
};

/* The calls counted when not recorded: index of struct tfo_skipped. */
enum tfo_call {
	TFO_CALL_SOCKET = 0,
	TFO_CALL_LISTEN,
	TFO_CALL_SETSOCKOPT,
	TFO_CALL__MAX,
};

/* Per-CPU count of the calls the policy did not record. */
struct tfo_skipped {
	__u64 calls[TFO_CALL__MAX];
};

enum tfo_attach_mode {
	TFO_MODE_AUTO = 0,
	TFO_MODE_FENTRY,
	TFO_MODE_KPROBE,
	TFO_MODE_TRACEPOINT,
	TFO_MODE__MAX,
};

/* Value of the listener_owners map (key: socket inode): who owns a
 * listener, for attributing the softirq-time TFO events. */
struct tfo_owner {
	__u32 pid;
	__u32 ns_pid;		/* the pid in its own pid namespace */
	char comm[TFO_COMM_LEN];
};

/* A socket as the tracer identifies it: by inode, never by address. */
struct tfo_sock_id {
	__u64 ino;		/* 0: the fd was not (or no longer) a socket */
	__u32 netns;		/* inode number of the socket's network namespace */
	__u16 family;		/* AF_* */
	__u16 type;		/* SOCK_* */
	__u16 protocol;		/* IPPROTO_*: 262 for MPTCP */
	__u16 lport;		/* local port, host order; 0 when unbound */
	__u8 state;		/* TCP_* state of struct sock */
	__u8 pad[3];
};

/* Every record opens with this header. */
struct tfo_rec_hdr {
	__u64 ts_ns;		/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 type;		/* enum tfo_rec_type */
	__u32 size;		/* bytes of the whole record */
	__u32 pid;		/* tgid of the caller, as the host sees it */
	__u32 tid;
	char comm[TFO_COMM_LEN];
	__u32 ns_pid;		/* the tgid in the caller's own pid namespace
				 * (a container's view); == pid outside one,
				 * 0 when unknown */
	__u32 pad;
};

struct tfo_rec_socket {
	struct tfo_rec_hdr hdr;
	struct tfo_sock_id sock;	/* of the new fd, when ret >= 0 */
	__s32 family;		/* arguments as passed */
	__s32 type;
	__s32 protocol;
	__s32 ret;		/* new fd, or negative errno */
};

struct tfo_rec_listen {
	struct tfo_rec_hdr hdr;
	struct tfo_sock_id sock;
	__s32 fd;
	__s32 backlog;
	__s32 ret;
	__u32 tfo_qlen_max;	/* the listener's TFO queue limit: 0 = TFO off */
	__u32 sysctl;		/* its namespace's net.ipv4.tcp_fastopen */
	__u32 pad;
};

struct tfo_rec_setsockopt {
	struct tfo_rec_hdr hdr;
	struct tfo_sock_id sock;
	__s32 fd;
	__s32 level;
	__s32 optname;
	__s32 optlen;
	__s32 ret;		/* 0 or negative errno */
	__u32 err_layer;	/* enum tfo_layer, when ret < 0 */
	__u32 optval_len;	/* bytes of optval[] copied; 0 when unreadable */
	__u32 pad;
	__u8 optval[TFO_OPTVAL_MAX];
};

/* One SYN as tcp_try_fastopen() saw it. Runs in softirq: the header's
 * pid and comm are the listener's owner as recorded at listen() (0 and ""
 * when unknown), never the interrupted task. */
struct tfo_rec_tfo_server {
	struct tfo_rec_hdr hdr;
	struct tfo_sock_id sock;	/* the listener; for an MPTCP subflow
					 * listener, its MPTCP socket */
	__s32 foc_in;		/* -1 no TFO option, 0 cookie request, >0 cookie */
	__s32 foc_out;		/* >0: a cookie goes into the SYN-ACK */
	__u32 syn_data;		/* payload bytes carried by the SYN */
	__u32 qlen_max;		/* listener's TFO queue limit; 0 = TFO off */
	__u32 qlen;		/* TFO children pending accept */
	__u32 sysctl;		/* the namespace's net.ipv4.tcp_fastopen */
	__u8 child;		/* 1: a TFO child was created (data accepted) */
	__u8 subflow;		/* 1: the listener is an MPTCP subflow */
	__u8 pad[6];
};

struct tfo_rec_tfo_client {
	struct tfo_rec_hdr hdr;
	struct tfo_sock_id sock;
	__u32 probe;		/* enum tfo_client_probe */
	__s32 ret;		/* the function's boolean result */
	__s32 cookie_len;	/* cookie_check: cached cookie length */
	__u32 pad;
};

/* A TFO client connection's SYN-ACK as tcp_fastopen_cache_set() saw it:
 * what this host asked the server for and what came back. Runs in softirq:
 * the header names the process that connected (remembered at connect), 0
 * and "" when unknown. */
struct tfo_rec_tfo_synack {
	struct tfo_rec_hdr hdr;
	struct tfo_sock_id sock;	/* the client socket */
	__u8 raddr[16];		/* the server: IPv4 in the first 4 bytes, or IPv6 */
	__u16 rport;		/* host order */
	__u16 family;		/* AF_INET, AF_INET6 */
	__s32 cookie_len;	/* the SYN-ACK's cookie: > 0 one came, else none */
	__u8 cookie_requested;	/* the SYN asked for a cookie (the option, no data) */
	__u8 syn_data;		/* the SYN carried data */
	__u8 data_acked;	/* ... and the SYN-ACK acknowledged it */
	__u8 syn_retransmitted;	/* the SYN was sent again: a missing answer
				 * may be to a plain SYN (or a lost one) */
	__u32 pad;
};

/* Which packet of a handshake a TFO_REC_WIRE is, from this host's side. */
enum tfo_wire_packet {
	TFO_WIRE_SYN_IN = 1,	/* a SYN to one of this host's listeners */
	TFO_WIRE_SYNACK_OUT,	/* the listener's answer */
	TFO_WIRE_SYN_OUT,	/* a SYN one of this host's clients sent */
	TFO_WIRE_SYNACK_IN,	/* the answer it got */
	TFO_WIRE__MAX,
};

/* A packet's TCP Fast Open option. */
enum tfo_wire_tfo {
	TFO_WIRE_TFO_NONE = 0,
	TFO_WIRE_TFO_REQUEST,	/* the option with no cookie: asks for one */
	TFO_WIRE_TFO_COOKIE,	/* the option with a cookie (4 to 16 bytes) */
};

/* Per-CPU count of the handshake packets the observer's relevance filter
 * did not record, by enum tfo_wire_packet (index 0 unused). */
struct tfo_wire_skipped {
	__u64 packets[TFO_WIRE__MAX];
};

/* A SYN or SYN-ACK as the handshake observer (cgroup_skb, every mode) saw
 * it. Softirq or a timer as often as not: the header names the listener's
 * owner (server side) or the process that connected (client side, from
 * connect()), 0 and "" when unknown. A SYN-ACK carries what its SYN was,
 * as the same side saw it: the kernel pairs them by their addresses. */
struct tfo_rec_wire {
	struct tfo_rec_hdr hdr;
	struct tfo_sock_id sock;	/* the listener, or the client socket;
					 * an MPTCP subflow's MPTCP socket */
	__u8 laddr[16];		/* this host's end: IPv4 in the first 4 bytes */
	__u8 raddr[16];		/* the peer's */
	__u16 lport;		/* host order */
	__u16 rport;
	__u16 family;		/* AF_INET, AF_INET6 */
	__u8 packet;		/* enum tfo_wire_packet */
	__u8 tfo;		/* its Fast Open option: enum tfo_wire_tfo */
	__u8 cookie_len;	/* ... the cookie's bytes */
	__u8 tfo_exp;		/* 1: the experimental option (254, 0xF989) */
	__u8 mp_capable;	/* 0: no MP_CAPABLE; else its version + 1 */
	__u8 malformed;		/* its options could not be walked to the end */
	__u16 payload;		/* TCP payload bytes */
	/* a SYN-ACK's SYN (syn_seen 0: not seen, e.g. before the start) */
	__u8 syn_seen;
	__u8 syn_tfo;		/* enum tfo_wire_tfo */
	__u8 syn_mp_capable;	/* as mp_capable */
	__u8 data_acked;	/* the SYN carried data; this acknowledges it */
	__u16 syn_payload;
	__u8 syns;		/* SYNs sent for it: > 1 retransmitted */
	__u8 syn_cookie_len;
	__u8 pad[10];
};

/* A listening socket, from the one-shot socket iterator (iter/tcp). */
struct tfo_rec_listener {
	struct tfo_rec_hdr hdr;	/* pid 0: owners are found in /proc */
	struct tfo_sock_id sock;
	__u8 addr[16];		/* IPv4 in the first 4 bytes, or IPv6 */
	__u32 qlen_max;
	__u32 qlen;
	__u32 backlog;
	__u32 sysctl;		/* its namespace's net.ipv4.tcp_fastopen */
	__u8 subflow;		/* 1: an MPTCP subflow listener, sock is its
				 * MPTCP socket */
	__u8 pad[7];
};

/* A process holding a listener, from the one-shot task_file iterator: the
 * header names the process (pid, ns_pid, comm; tid 0). */
struct tfo_rec_owner {
	struct tfo_rec_hdr hdr;
	__u64 ino;		/* the listener's socket inode */
	__u32 ppid;		/* the holder's parent process (tgid) */
	__s32 fd;		/* one of its fds on the socket */
};

_Static_assert(sizeof(struct tfo_owner) == 24, "tfo_owner layout");
_Static_assert(sizeof(struct tfo_sock_id) == 24, "tfo_sock_id layout");
_Static_assert(sizeof(struct tfo_rec_hdr) == 48, "tfo_rec_hdr layout");
_Static_assert(sizeof(struct tfo_rec_socket) == 88, "tfo_rec_socket layout");
_Static_assert(sizeof(struct tfo_rec_listen) == 96, "tfo_rec_listen layout");
_Static_assert(sizeof(struct tfo_rec_setsockopt) == 120, "tfo_rec_setsockopt layout");
_Static_assert(sizeof(struct tfo_rec_tfo_server) == 104, "tfo_rec_tfo_server layout");
_Static_assert(sizeof(struct tfo_rec_tfo_client) == 88, "tfo_rec_tfo_client layout");
_Static_assert(sizeof(struct tfo_rec_listener) == 112, "tfo_rec_listener layout");
_Static_assert(sizeof(struct tfo_rec_owner) == 64, "tfo_rec_owner layout");
_Static_assert(sizeof(struct tfo_rec_tfo_synack) == 104, "tfo_rec_tfo_synack layout");
_Static_assert(sizeof(struct tfo_rec_wire) == 136, "tfo_rec_wire layout");
_Static_assert(sizeof(struct tfo_skipped) == 24, "tfo_skipped layout");
_Static_assert(sizeof(struct tfo_wire_skipped) == 40, "tfo_wire_skipped layout");

#endif /* TFOTRACE_H */
