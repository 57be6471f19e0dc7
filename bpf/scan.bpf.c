// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The listener scan: one pass of a TCP socket iterator over the caller's
 * network namespace, one record per listening socket. It finds servers
 * started long before tfotrace, whose failed setsockopt no live trace will
 * ever see: their TFO queue limit tells whether TCP_FASTOPEN took effect.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "tfotrace.h"
#include "sock.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define AF_INET 2

SEC("iter/tcp")
int scan_listeners(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct tfo_rec_listener rec = {};
	struct tcp_sock *tp;
	struct sock *sk, *app;

	if (!skc || skc->skc_state != TCP_LISTEN)
		return 0;
	tp = bpf_skc_to_tcp_sock(skc);
	if (!tp)
		return 0;
	sk = (struct sock *)tp;
	rec.hdr.ts_ns = bpf_ktime_get_ns();
	rec.hdr.type = TFO_REC_LISTENER;
	rec.hdr.size = sizeof(rec);
	app = sock_app_sk(sk, &rec.subflow);
	sock_id_from_sock(&rec.sock, app);
	/* address, port and state of the TCP listener the SYNs reach */
	rec.sock.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	rec.sock.lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	rec.sock.state = TCP_LISTEN;
	if (rec.sock.family == AF_INET)
		BPF_CORE_READ_INTO(&rec.addr, sk, __sk_common.skc_rcv_saddr);
	else
		BPF_CORE_READ_INTO(&rec.addr, sk, __sk_common.skc_v6_rcv_saddr);
	tfo_queue(sk, &rec.qlen_max, &rec.qlen);
	rec.backlog = BPF_CORE_READ(sk, sk_max_ack_backlog);
	rec.sysctl = netns_tcp_fastopen(sk);
	bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
	return 0;
}
