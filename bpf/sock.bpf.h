/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Helpers shared by tfotrace's BPF programs (the tracer and the scan
 * iterators): the current task's identity, socket identity from an fd or a
 * struct sock, the MPTCP subflow -> MPTCP socket mapping, a listener's TFO
 * queue. No maps, no globals. */
#ifndef TFOTRACE_SOCK_BPF_H
#define TFOTRACE_SOCK_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "tfotrace.h"

#define S_IFMT		00170000
#define S_IFSOCK	0140000
#define IPPROTO_MPTCP	262
#define AF_INET		2
#define TCP_LISTEN	10

#define TFO_STR(x)	#x
#define TFO_XSTR(x)	TFO_STR(x)

/* bpf_rdonly_cast(PTR, the kernel's BTF id of the type PLACEHOLDER stands
 * for): PTR as a typed, read-only pointer, so that fields are plain loads
 * (a few ns) instead of bpf_probe_read_kernel() calls (~25 ns each here).
 * The call is a kfunc call (src_reg 2) whose ids userspace patches in
 * (see TFO_PATCH_* in tfotrace.h); only reachable when typed_loads is set. */
#define tfo_rdonly_cast(ptr, placeholder) ({				\
	void *__cast;							\
	asm volatile("r1 = %[p]\n\t"					\
		     "r2 = " TFO_XSTR(placeholder) "\n\t"		\
		     ".quad " TFO_XSTR(TFO_PATCH_KFUNC_RDONLY_CAST) "00002085\n\t" \
		     "%[ret] = r0"					\
		     : [ret] "=r"(__cast) : [p] "r"(ptr)		\
		     : "r0", "r1", "r2", "r3", "r4", "r5");		\
	__cast;								\
})

/* The current task, for reading: from 6.5 the verifier looks a type up by
 * name in the kernel's BTF (btf_nested_type_is_trusted(), a linear search)
 * at each pointer load it checks from a trusted pointer, such as
 * bpf_get_current_task_btf()'s; through bpf_rdonly_cast()'s untrusted one
 * the loads are the same and the searches none (8 ms of a 43 ms start on
 * 6.18). Without the kfunc (6.1: no such search) the cast is "r0 = r1". */
static __always_inline struct task_struct *current_task_untrusted(void)
{
	return tfo_rdonly_cast(bpf_get_current_task_btf(), TFO_PATCH_BTF_TASK);
}

/* A task's tgid as its own (innermost) pid namespace numbers it. Typed
 * loads: the task is BTF-typed in every attach mode. */
static __always_inline __u32 task_ns_tgid(struct task_struct *task)
{
	struct pid *pid = task->group_leader->thread_pid;
	unsigned int level = pid->level;

	/* the initial namespace: the host's number (no read of numbers[],
	 * a flexible array the verifier keeps typed loads out of) */
	if (level == 0)
		return task->tgid;
	/* pid namespaces nest 32 deep at most (MAX_PID_NS_LEVEL) */
	if (level > 32)
		return 0;
	return BPF_CORE_READ(pid, numbers[level].nr);
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

/* The calling task's fd -> its file, at the syscall's exit (so the socket
 * shows as the call left it: a listener is LISTEN, a port bound). */
static __always_inline struct file *current_fd_file(int fd)
{
	struct task_struct *task = current_task_untrusted();
	struct fdtable *fdt = task->files->fdt;
	struct file *file = NULL;

	/* fdt->fd is an array of pointers: no typed load reaches into it */
	if (!fdt || fd < 0 || (unsigned int)fd >= fdt->max_fds)
		return NULL;
	if (bpf_probe_read_kernel(&file, sizeof(file),
				  (void *)((unsigned long)fdt->fd +
					   fd * sizeof(file))))
		return NULL;
	return file;
}

/* A file's socket identity, read with bpf_probe_read_kernel(): every
 * kernel (6.1 has no bpf_rdonly_cast()). Returns the struct sock, NULL
 * when FILE is not a socket. */
static __always_inline struct sock *sock_id_from_file_probed(struct tfo_sock_id *id,
							     struct file *file)
{
	struct inode *inode;
	struct socket *sock;
	struct sock *sk;

	if (!file)
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

/* The same with typed loads after two casts (the file, and its
 * private_data as the struct socket): one helper call in all. */
static __always_inline struct sock *sock_id_from_file_typed(struct tfo_sock_id *id,
							    struct file *untyped)
{
	struct file *file;
	struct inode *inode;
	struct socket *sock;
	struct sock *sk;

	if (!untyped)
		return NULL;
	file = tfo_rdonly_cast(untyped, TFO_PATCH_BTF_FILE);
	inode = file->f_inode;
	if (!inode || (inode->i_mode & S_IFMT) != S_IFSOCK)
		return NULL;
	id->ino = inode->i_ino;
	sock = tfo_rdonly_cast(file->private_data, TFO_PATCH_BTF_SOCKET);
	id->type = sock->type;
	sk = sock->sk;
	if (!sk)
		return NULL;
	id->family = sk->__sk_common.skc_family;
	id->protocol = sk->sk_protocol;
	id->state = sk->__sk_common.skc_state;
	id->lport = sk->__sk_common.skc_num;
	id->netns = sk->__sk_common.skc_net.net->ns.inum;
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
