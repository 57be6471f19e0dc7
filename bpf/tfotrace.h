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
	TFO_REC__MAX,
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

enum tfo_attach_mode {
	TFO_MODE_AUTO = 0,
	TFO_MODE_FENTRY,
	TFO_MODE_KPROBE,
	TFO_MODE_TRACEPOINT,
	TFO_MODE__MAX,
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
	__u32 pid;		/* tgid of the caller */
	__u32 tid;
	char comm[TFO_COMM_LEN];
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

_Static_assert(sizeof(struct tfo_sock_id) == 24, "tfo_sock_id layout");
_Static_assert(sizeof(struct tfo_rec_hdr) == 40, "tfo_rec_hdr layout");
_Static_assert(sizeof(struct tfo_rec_socket) == 80, "tfo_rec_socket layout");
_Static_assert(sizeof(struct tfo_rec_listen) == 80, "tfo_rec_listen layout");
_Static_assert(sizeof(struct tfo_rec_setsockopt) == 112, "tfo_rec_setsockopt layout");

#endif /* TFOTRACE_H */
