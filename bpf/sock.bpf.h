/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Helpers shared by tfotrace's BPF objects (the tracer and the listener
 * scan): socket identity from an fd or a struct sock, the MPTCP subflow ->
 * MPTCP socket mapping, a listener's TFO queue. No maps, no globals. */
#ifndef TFOTRACE_SOCK_BPF_H
#define TFOTRACE_SOCK_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "tfotrace.h"

#define S_IFMT		00170000
#define S_IFSOCK	0140000
#define IPPROTO_MPTCP	262
#define TCP_LISTEN	10

/* The caller's tgid as its own (innermost) pid namespace numbers it. */
static __always_inline __u32 current_ns_tgid(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct pid *pid = BPF_CORE_READ(task, group_leader, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);

	/* pid namespaces nest 32 deep at most (MAX_PID_NS_LEVEL) */
	if (level > 32)
		return 0;
	return BPF_CORE_READ(pid, numbers[level].nr);
}

static __always_inline void hdr_fill(struct tfo_rec_hdr *hdr, __u32 type,
				     __u32 size, __u64 pid_tgid)
{
	hdr->ts_ns = bpf_ktime_get_ns();
	hdr->type = type;
	hdr->size = size;
	hdr->pid = pid_tgid >> 32;
	hdr->tid = (__u32)pid_tgid;
	bpf_get_current_comm(hdr->comm, sizeof(hdr->comm));
	hdr->ns_pid = current_ns_tgid();
}

static __always_inline void sock_id_from_sk(struct tfo_sock_id *id,
					    struct sock *sk)
{
	if (!sk)
		return;
	id->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	id->protocol = BPF_CORE_READ(sk, sk_protocol);
	id->state = BPF_CORE_READ(sk, __sk_common.skc_state);
	id->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	id->netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
}

/* The calling task's fd -> its socket. Read at syscall exit, so it shows
 * the socket as the call left it (a listener is LISTEN, a port bound). */
static __always_inline struct sock *sock_id_from_fd(struct tfo_sock_id *id,
						    int fd)
{
	/* Direct loads through the BTF-typed task (checked, cheap); from the
	 * fd array on, plain pointers and bpf_probe_read_kernel(). */
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = task->files->fdt;
	struct file *file = NULL;
	struct inode *inode;
	struct socket *sock;
	struct sock *sk;

	if (!fdt || fd < 0 || (unsigned int)fd >= fdt->max_fds)
		return NULL;
	if (bpf_probe_read_kernel(&file, sizeof(file),
				  (void *)((unsigned long)fdt->fd +
					   fd * sizeof(file))) || !file)
		return NULL;
	inode = BPF_CORE_READ(file, f_inode);
	if ((BPF_CORE_READ(inode, i_mode) & S_IFMT) != S_IFSOCK)
		return NULL;
	id->ino = BPF_CORE_READ(inode, i_ino);
	sock = BPF_CORE_READ(file, private_data);
	id->type = BPF_CORE_READ(sock, type);
	sk = BPF_CORE_READ(sock, sk);
	sock_id_from_sk(id, sk);
	return sk;
}

/* The socket a TCP sock stands for: itself, or, for an MPTCP subflow, the
 * MPTCP socket the application holds (tcp_sock.is_mptcp, then
 * icsk_ulp_data as a struct mptcp_subflow_context, then its conn). */
static __always_inline struct sock *sock_app_sk(struct sock *sk, __u8 *subflow)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	struct mptcp_subflow_context *ctx;
	struct sock *conn;

	*subflow = 0;
	if (!bpf_core_field_exists(tp->is_mptcp) ||
	    !BPF_CORE_READ_BITFIELD_PROBED(tp, is_mptcp))
		return sk;
	ctx = BPF_CORE_READ((struct inet_connection_sock *)sk, icsk_ulp_data);
	conn = BPF_CORE_READ(ctx, conn);
	if (!conn)
		return sk;
	*subflow = 1;
	return conn;
}

/* Identity of a struct sock reached from the kernel side (softirq, an
 * iterator): its inode is that of the struct socket's file. */
static __always_inline void sock_id_from_sock(struct tfo_sock_id *id,
					      struct sock *sk)
{
	struct socket *sock = BPF_CORE_READ(sk, sk_socket);

	if (sock) {
		id->ino = BPF_CORE_READ(sock, file, f_inode, i_ino);
		id->type = BPF_CORE_READ(sock, type);
	}
	sock_id_from_sk(id, sk);
}

static __always_inline __u32 netns_tcp_fastopen(struct sock *sk)
{
	return BPF_CORE_READ(sk, __sk_common.skc_net.net,
			     ipv4.sysctl_tcp_fastopen);
}

static __always_inline void tfo_queue(struct sock *sk, __u32 *max, __u32 *len)
{
	struct inet_connection_sock *icsk = (struct inet_connection_sock *)sk;

	*max = BPF_CORE_READ(icsk, icsk_accept_queue.fastopenq.max_qlen);
	*len = BPF_CORE_READ(icsk, icsk_accept_queue.fastopenq.qlen);
}

/* A listener's TFO queue limit; 0 means TCP_FASTOPEN never took effect on
 * it. For MPTCP the queue lives on the first subflow's TCP listener. */
static __always_inline __u32 tfo_qlen_max(struct sock *sk)
{
	struct mptcp_sock *msk;

	if (!sk)
		return 0;
	if (BPF_CORE_READ(sk, sk_protocol) == IPPROTO_MPTCP) {
		msk = (struct mptcp_sock *)sk;
		if (!bpf_core_field_exists(msk->first))
			return 0;
		sk = BPF_CORE_READ(msk, first);
		if (!sk)
			return 0;
	}
	return BPF_CORE_READ((struct inet_connection_sock *)sk,
			     icsk_accept_queue.fastopenq.max_qlen);
}

#endif /* TFOTRACE_SOCK_BPF_H */
