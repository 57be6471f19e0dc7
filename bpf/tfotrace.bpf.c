// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tfotrace's kernel side: socket(2), listen(2) and setsockopt(2) as
 * records, in three attach flavours that userspace picks from at run time:
 *   fentry_*  fexit on the __sys_* functions (+ per-layer fexit),
 *   kprobe_*  kretprobe on the same functions (+ per-layer kretprobe),
 *   tp_*      the syscalls:sys_exit_* tracepoints.
 * Exits only, in every flavour: the arguments are still there (fexit has
 * them, the others read the registers the syscall saved).
 * Each exit decides first, from what the registers hold (level, optname,
 * result, socket()'s protocol), whether the call deserves a record
 * (record_policy); only then does it walk fd -> socket, read the value and
 * reserve ring-buffer space. The rest is a per-CPU count.
 * Program names carry the flavour as a prefix (scan_* load with all of
 * them); "_layer_" marks the optional
 * hooks that tell which protocol layer returned a setsockopt error, "_tfo_"
 * the optional TCP Fast Open hooks (no tracepoint covers TFO).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "tfotrace.h"
#include "sock.bpf.h"
#include "record.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* --cgroup: only tasks in cgroup_filter[0] (cgroup v2) or below it */
const volatile bool filter_cgroup = false;
/* enum tfo_record_policy: what becomes a record, what is only counted */
const volatile __u32 record_policy = TFO_RECORD_RELEVANT;
/* bpf_rdonly_cast() was patched in (6.2+): sockets are read with typed
 * loads; otherwise with bpf_probe_read_kernel() */
const volatile bool typed_loads = false;

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_filter SEC(".maps");

/* Calls the policy did not record, per CPU and by enum tfo_call. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tfo_skipped);
} skipped SEC(".maps");

/* In process context only: the cgroup test is about the current task.
 * Without -p or --cgroup (known at load) this is no code at all. */
static __always_inline bool current_wanted(void)
{
	if (!filter_pid_count && !filter_cgroup)
		return true;
	if (filter_cgroup &&
	    bpf_current_task_under_cgroup(&cgroup_filter, 0) != 1)
		return false;
	return pids_include(bpf_get_current_pid_tgid() >> 32);
}

static __always_inline void count_skipped(enum tfo_call call)
{
	__u32 zero = 0;
	struct tfo_skipped *s = bpf_map_lookup_elem(&skipped, &zero);

	if (s)
		s->calls[call]++;
}

/* ---- the relevance filter: from the registers alone ---- */

#define SOL_TCP			6
#define TCP_FASTOPEN		23
#define TCP_FASTOPEN_CONNECT	30
#define TCP_FASTOPEN_KEY	33
#define TCP_FASTOPEN_NO_COOKIE	34

static __always_inline bool tfo_option(int level, int optname)
{
	return level == SOL_TCP &&
	       (optname == TCP_FASTOPEN || optname == TCP_FASTOPEN_CONNECT ||
		optname == TCP_FASTOPEN_KEY || optname == TCP_FASTOPEN_NO_COOKIE);
}

/* Failed calls are kept by every policy (--failed only prints fewer:
 * findings keep their evidence). */
static __always_inline bool keep_setsockopt(int level, int optname, long ret)
{
	return record_policy == TFO_RECORD_ALL || ret < 0 ||
	       tfo_option(level, optname);
}

static __always_inline bool keep_socket(int protocol, long ret)
{
	return record_policy == TFO_RECORD_ALL || ret < 0 ||
	       protocol == IPPROTO_MPTCP;
}

/* The fd's socket identity, the cheapest way this kernel allows. */
static __always_inline struct sock *sock_id_from_fd(struct tfo_sock_id *id,
						    int fd)
{
	struct file *file = current_fd_file(fd);

	if (typed_loads)
		return sock_id_from_file_typed(id, file);
	return sock_id_from_file_probed(id, file);
}

/* Which protocol layer failed a setsockopt: written by a layer's exit hook
 * only when it returns an error, read and deleted by the syscall's exit
 * only when that fails too, so a successful call touches no map. LRU: a
 * note whose syscall exit we never see cannot fill it. */
struct layer_note {
	__s32 level;
	__s32 optname;
	__u32 layer;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct layer_note);
} layer_notes SEC(".maps");

/* ---- shared logic, one copy for every flavour ---- */

/* The first bytes of an option's value, from the caller's memory, into
 * DST (TFO_OPTVAL_MAX bytes); returns how many were read. */
static __always_inline __u32 read_optval(__u8 *dst, const void *optval,
					 int optlen)
{
	__u32 n;

	if (!optval || optlen <= 0)
		return 0;
	if (optlen >= TFO_OPTVAL_MAX)
		return bpf_probe_read_user(dst, TFO_OPTVAL_MAX, optval) ?
		       0 : TFO_OPTVAL_MAX;
	/* The mask, kept from being folded away by the barrier, is what
	 * proves n < TFO_OPTVAL_MAX to the verifier. */
	n = optlen;
	barrier_var(n);
	n &= TFO_OPTVAL_MAX - 1;
	return bpf_probe_read_user(dst, n, optval) ? 0 : n;
}

static __always_inline void emit_socket(__u64 pid_tgid, int family, int type,
					int protocol, long ret)
{
	struct tfo_rec_socket *r = record_reserve(sizeof(*r));

	if (!r)
		return;
	__builtin_memset(r, 0, sizeof(*r));
	hdr_fill(&r->hdr, TFO_REC_SOCKET, sizeof(*r), pid_tgid);
	r->family = family;
	r->type = type;
	r->protocol = protocol;
	r->ret = ret;
	if (ret >= 0)
		sock_id_from_fd(&r->sock, ret);
	record_submit(r);
}

static __always_inline void owner_remember(__u64 ino,
					   const struct tfo_rec_hdr *hdr)
{
	struct tfo_owner o = { .pid = hdr->pid, .ns_pid = hdr->ns_pid };

	if (!ino)
		return;
	__builtin_memcpy(o.comm, hdr->comm, sizeof(o.comm));
	bpf_map_update_elem(&listener_owners, &ino, &o, BPF_ANY);
}

/* A listener closing: its owner is forgotten, so that listener_owners
 * holds live listeners, not every listener a long run has seen. Loaded in
 * every mode; a raw tracepoint (sk, oldstate, newstate): no tracefs, and
 * the transition is cheap to test first. */
SEC("raw_tp/inet_sock_set_state")
int any_owner_forget(struct bpf_raw_tracepoint_args *ctx)
{
	struct tfo_sock_id id = {};

	if ((int)ctx->args[1] != TCP_LISTEN || (int)ctx->args[2] != TCP_CLOSE)
		return 0;
	sock_id_from_sock(&id, (struct sock *)ctx->args[0]);
	if (id.ino)
		bpf_map_delete_elem(&listener_owners, &id.ino);
	return 0;
}

static __always_inline void emit_listen(__u64 pid_tgid, int fd, int backlog,
					long ret)
{
	struct tfo_rec_listen *r = record_reserve(sizeof(*r));
	struct sock *sk;

	if (!r)
		return;
	__builtin_memset(r, 0, sizeof(*r));
	hdr_fill(&r->hdr, TFO_REC_LISTEN, sizeof(*r), pid_tgid);
	r->fd = fd;
	r->backlog = backlog;
	r->ret = ret;
	sk = sock_id_from_fd(&r->sock, fd);
	if (sk)
		r->sysctl = netns_tcp_fastopen(sk);
	if (ret == 0) {
		r->tfo_qlen_max = tfo_qlen_max(sk);
		owner_remember(r->sock.ino, &r->hdr);
	}
	record_submit_now(r);
}

static __always_inline __u32 failed_layer(int level, int optname)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct layer_note *n = bpf_map_lookup_elem(&layer_notes, &tid);
	__u32 layer = TFO_LAYER_UNKNOWN;

	if (!n)
		return layer;
	if (n->level == level && n->optname == optname)
		layer = n->layer;
	bpf_map_delete_elem(&layer_notes, &tid);
	return layer;
}

static __always_inline void emit_setsockopt(__u64 pid_tgid, int fd, int level,
					    int optname, const void *optval,
					    int optlen, long ret)
{
	struct tfo_rec_setsockopt *r = record_reserve(sizeof(*r));

	if (!r)
		return;
	__builtin_memset(r, 0, sizeof(*r));
	hdr_fill(&r->hdr, TFO_REC_SETSOCKOPT, sizeof(*r), pid_tgid);
	r->fd = fd;
	r->level = level;
	r->optname = optname;
	r->optlen = optlen;
	r->ret = ret;
	r->err_layer = ret < 0 ? failed_layer(level, optname) :
		       TFO_LAYER_UNKNOWN;
	r->optval_len = read_optval(r->optval, optval, optlen);
	sock_id_from_fd(&r->sock, fd);
	record_submit(r);
}

/* The first layer to fail is the deepest: exits run innermost first. */
static __always_inline int layer_exit(__u32 layer, int level, int optname,
				      long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct layer_note note = {
		.level = level, .optname = optname, .layer = layer,
	};

	if (ret < 0 && current_wanted())
		bpf_map_update_elem(&layer_notes, &tid, &note, BPF_NOEXIST);
	return 0;
}

/* Every flavour hooks the exits only: the arguments are still in the
 * registers the syscall saved on entry (x86-64: di, si, dx, r10, r8). */
/* Where a task's saved registers sit above its stack base: THREAD_SIZE,
 * less the padding and the registers (constants of the kernel build).
 * Learnt by comparing candidates with bpf_task_pt_regs() once; then a
 * typed load and a cast instead of the helper. 0: not learnt yet. */
__u64 pt_regs_offset = 0;

static __always_inline struct pt_regs *syscall_regs(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	unsigned long stack = (unsigned long)task->stack;
	struct pt_regs *regs;

	if (typed_loads && pt_regs_offset)
		return tfo_rdonly_cast((void *)(stack + pt_regs_offset),
				       TFO_PATCH_BTF_PT_REGS);
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	if (typed_loads) {
		__u64 size = bpf_core_type_size(struct pt_regs);
		/* 16 KiB stacks, with FRED's 16 bytes of padding or none */
		if ((void *)(stack + 16384 - size) == (void *)regs)
			pt_regs_offset = 16384 - size;
		else if ((void *)(stack + 16384 - 16 - size) == (void *)regs)
			pt_regs_offset = 16384 - 16 - size;
	}
	return regs;
}

static __always_inline int setsockopt_exit(long ret)
{
	struct pt_regs *regs;

	if (!current_wanted())
		return 0;
	regs = syscall_regs();
	if (!keep_setsockopt(regs->si, regs->dx, ret))
		goto skip;
	emit_setsockopt(bpf_get_current_pid_tgid(), regs->di, regs->si,
			regs->dx, (void *)regs->r10, regs->r8, ret);
	return 0;
skip:
	count_skipped(TFO_CALL_SETSOCKOPT);
	return 0;
}

static __always_inline int socket_exit(long ret)
{
	struct pt_regs *regs;

	if (!current_wanted())
		return 0;
	regs = syscall_regs();
	if (!keep_socket(regs->dx, ret))
		goto skip;
	emit_socket(bpf_get_current_pid_tgid(), regs->di, regs->si, regs->dx,
		    ret);
	return 0;
skip:
	count_skipped(TFO_CALL_SOCKET);
	return 0;
}

static __always_inline int listen_exit(long ret)
{
	struct pt_regs *regs;

	/* every listen() is a listener's birth (the owner map needs it) */
	if (!current_wanted())
		return 0;
	regs = syscall_regs();
	emit_listen(bpf_get_current_pid_tgid(), regs->di, regs->si, ret);
	return 0;
}

/* ---- fentry/fexit ---- */

SEC("fexit/__sys_setsockopt")
int BPF_PROG(fentry_setsockopt_exit, int fd, int level, int optname,
	     char *optval, int optlen, int ret)
{
	if (!current_wanted())
		return 0;
	if (!keep_setsockopt(level, optname, ret)) {
		count_skipped(TFO_CALL_SETSOCKOPT);
		return 0;
	}
	emit_setsockopt(bpf_get_current_pid_tgid(), fd, level, optname, optval,
			optlen, ret);
	return 0;
}

SEC("fexit/__sys_socket")
int BPF_PROG(fentry_socket_exit, int family, int type, int protocol, int ret)
{
	if (!current_wanted())
		return 0;
	if (!keep_socket(protocol, ret)) {
		count_skipped(TFO_CALL_SOCKET);
		return 0;
	}
	emit_socket(bpf_get_current_pid_tgid(), family, type, protocol, ret);
	return 0;
}

SEC("fexit/__sys_listen")
int BPF_PROG(fentry_listen_exit, int fd, int backlog, int ret)
{
	if (!current_wanted())
		return 0;
	emit_listen(bpf_get_current_pid_tgid(), fd, backlog, ret);
	return 0;
}

/* These take a sockptr_t (a 16-byte struct) by value, which BPF_PROG cannot
 * declare: level and optname (arguments 1 and 2) and the return value are
 * read through the raw context. */
#define LAYER_FEXIT(func, layer)					\
SEC("fexit/" #func)							\
int fentry_layer_##func(unsigned long long *ctx)			\
{									\
	__u64 ret = 0;							\
									\
	bpf_get_func_ret(ctx, &ret);					\
	return layer_exit(layer, ctx[1], ctx[2], (int)ret);		\
}

LAYER_FEXIT(sock_setsockopt, TFO_LAYER_SOCK)
LAYER_FEXIT(tcp_setsockopt, TFO_LAYER_TCP)
LAYER_FEXIT(mptcp_setsockopt, TFO_LAYER_MPTCP)
LAYER_FEXIT(ip_setsockopt, TFO_LAYER_IP)
LAYER_FEXIT(ipv6_setsockopt, TFO_LAYER_IPV6)

/* ---- kprobe/kretprobe ---- */

SEC("kretprobe/__sys_setsockopt")
int BPF_KRETPROBE(kprobe_setsockopt_exit, int ret)
{
	return setsockopt_exit(ret);
}

SEC("kretprobe/__sys_socket")
int BPF_KRETPROBE(kprobe_socket_exit, int ret)
{
	return socket_exit(ret);
}

SEC("kretprobe/__sys_listen")
int BPF_KRETPROBE(kprobe_listen_exit, int ret)
{
	return listen_exit(ret);
}

/* A layer gets the syscall's level and optname: read them where the
 * syscall saved them. */
#define LAYER_KRETPROBE(func, layer)					\
SEC("kretprobe/" #func)							\
int BPF_KRETPROBE(kprobe_layer_##func, int ret)				\
{									\
	struct pt_regs *regs = syscall_regs();				\
									\
	return layer_exit(layer, regs->si, regs->dx, ret);		\
}

LAYER_KRETPROBE(sock_setsockopt, TFO_LAYER_SOCK)
LAYER_KRETPROBE(tcp_setsockopt, TFO_LAYER_TCP)
LAYER_KRETPROBE(mptcp_setsockopt, TFO_LAYER_MPTCP)
LAYER_KRETPROBE(ip_setsockopt, TFO_LAYER_IP)
LAYER_KRETPROBE(ipv6_setsockopt, TFO_LAYER_IPV6)

/* ---- syscall tracepoints: the same exits, no per-layer hooks ---- */

SEC("tracepoint/syscalls/sys_exit_setsockopt")
int tp_setsockopt_exit(struct trace_event_raw_sys_exit *ctx)
{
	return setsockopt_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_socket")
int tp_socket_exit(struct trace_event_raw_sys_exit *ctx)
{
	return socket_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_listen")
int tp_listen_exit(struct trace_event_raw_sys_exit *ctx)
{
	return listen_exit(ctx->ret);
}

/* The same without tracefs (root's alone, or not mounted, for a process
 * that holds CAP_BPF and CAP_PERFMON but may not read or mount it): the
 * raw_syscalls exit, which every syscall of every task passes, its number
 * tested first. */
#define NR_SOCKET	41	/* x86_64 */
#define NR_LISTEN	50
#define NR_SETSOCKOPT	54

SEC("raw_tp/sys_exit")
int tp_raw_sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx->args[0];
	long nr = 0;

	bpf_probe_read_kernel(&nr, sizeof(nr), &regs->orig_ax);
	switch (nr) {
	case NR_SETSOCKOPT:
		return setsockopt_exit(ctx->args[1]);
	case NR_SOCKET:
		return socket_exit(ctx->args[1]);
	case NR_LISTEN:
		return listen_exit(ctx->args[1]);
	default:
		return 0;
	}
}

/* ---- TCP Fast Open, server side: tcp_try_fastopen() per SYN ---- */

/* Between entry and exit of tcp_try_fastopen(): it runs with bottom
 * halves off and does not sleep, so one slot per CPU is enough. */
struct tfo_syn {
	struct sock *sk;
	struct tcp_fastopen_cookie *foc;
	__s32 foc_in;
	__u32 syn_data;
	__u32 qlen_max;
	__u32 qlen;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tfo_syn);
} tfo_syn_slot SEC(".maps");

static __always_inline int tfo_server_enter(struct sock *sk,
					    struct sk_buff *skb,
					    struct tcp_fastopen_cookie *foc)
{
	__u32 zero = 0;
	struct tfo_syn *s = bpf_map_lookup_elem(&tfo_syn_slot, &zero);
	struct tcp_skb_cb *tcb;

	if (!s)
		return 0;
	tcb = (void *)((char *)skb + bpf_core_field_offset(struct sk_buff, cb));
	s->sk = sk;
	s->foc = foc;
	s->foc_in = BPF_CORE_READ(foc, len);
	/* the SYN itself takes one sequence number */
	s->syn_data = BPF_CORE_READ(tcb, end_seq) - BPF_CORE_READ(tcb, seq) - 1;
	tfo_queue(sk, &s->qlen_max, &s->qlen);
	return 0;
}

static __always_inline int tfo_server_exit(struct sock *child)
{
	__u32 zero = 0;
	struct tfo_syn *s = bpf_map_lookup_elem(&tfo_syn_slot, &zero);
	struct tcp_fastopen_cookie *foc;
	struct tfo_rec_tfo_server *r;
	struct tfo_sock_id id = {};
	struct tfo_owner *owner;
	struct sock *sk, *app;
	__u8 subflow;

	if (!s || !s->sk)
		return 0;
	sk = s->sk;
	s->sk = NULL;
	app = sock_app_sk(sk, &subflow);
	sock_id_from_sock(&id, app);
	owner = id.ino ? bpf_map_lookup_elem(&listener_owners, &id.ino) : NULL;
	/* softirq: the filters hold for the listener's owner, which was
	 * remembered only if wanted (or seeded so by userspace) */
	if ((filter_pid_count || filter_cgroup) &&
	    !(owner && pids_include(owner->pid)))
		return 0;
	r = record_reserve(sizeof(*r));
	if (!r)
		return 0;
	__builtin_memset(r, 0, sizeof(*r));
	hdr_fill_owner(&r->hdr, TFO_REC_TFO_SERVER, sizeof(*r), owner);
	r->sock = id;
	/* the port the SYN came to: the subflow listener's */
	r->sock.lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	r->foc_in = s->foc_in;
	/* through a local: a CO-RE read must start at a kernel type */
	foc = s->foc;
	r->foc_out = BPF_CORE_READ(foc, len);
	r->syn_data = s->syn_data;
	r->qlen_max = s->qlen_max;
	r->qlen = s->qlen;
	r->sysctl = netns_tcp_fastopen(sk);
	r->child = child != NULL;
	r->subflow = subflow;
	record_submit(r);
	return 0;
}

SEC("fentry/tcp_try_fastopen")
int BPF_PROG(fentry_tfo_server_enter, struct sock *sk, struct sk_buff *skb,
	     struct request_sock *req, struct tcp_fastopen_cookie *foc)
{
	return tfo_server_enter(sk, skb, foc);
}

SEC("fexit/tcp_try_fastopen")
int BPF_PROG(fentry_tfo_server_exit, struct sock *sk, struct sk_buff *skb,
	     struct request_sock *req, struct tcp_fastopen_cookie *foc,
	     const struct dst_entry *dst, struct sock *child)
{
	return tfo_server_exit(child);
}

SEC("kprobe/tcp_try_fastopen")
int BPF_KPROBE(kprobe_tfo_server_enter, struct sock *sk, struct sk_buff *skb,
	       struct request_sock *req, struct tcp_fastopen_cookie *foc)
{
	return tfo_server_enter(sk, skb, foc);
}

SEC("kretprobe/tcp_try_fastopen")
int BPF_KRETPROBE(kprobe_tfo_server_exit, struct sock *child)
{
	return tfo_server_exit(child);
}

/* ---- TCP Fast Open, client side ---- */

/* Who made each TFO client connection (key: its struct sock): its SYN-ACK
 * arrives in softirq, where the current task is anybody. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TFO_CLIENTS_MAX);
	__type(key, __u64);
	__type(value, struct tfo_owner);
} client_owners SEC(".maps");

static __always_inline void client_remember(struct sock *sk)
{
	__u64 key = (__u64)sk;
	struct tfo_owner o;

	current_ident(&o);
	bpf_map_update_elem(&client_owners, &key, &o, BPF_ANY);
}

/* Process context: each TFO client connection checks its cookie cache
 * once (tcp_send_syn_data), or defers its connect. The connection is
 * remembered for its SYN-ACK; the call itself is a record only with --all
 * (one per connection), a blackhole always. */
static __always_inline void emit_tfo_client(struct sock *sk, __u32 probe,
					    int ret, int cookie_len)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct tfo_rec_tfo_client *r;
	struct sock *app;
	__u8 subflow;

	if (!current_wanted())
		return;
	if (probe == TFO_CLIENT_COOKIE_CHECK)
		client_remember(sk);
	if (probe != TFO_CLIENT_BLACKHOLE && record_policy != TFO_RECORD_ALL)
		return;
	r = record_reserve(sizeof(*r));
	if (!r)
		return;
	__builtin_memset(r, 0, sizeof(*r));
	hdr_fill(&r->hdr, TFO_REC_TFO_CLIENT, sizeof(*r), pid_tgid);
	app = sock_app_sk(sk, &subflow);
	sock_id_from_sock(&r->sock, app);
	r->probe = probe;
	r->ret = ret;
	r->cookie_len = cookie_len;
	record_submit(r);
}

SEC("fexit/tcp_fastopen_cookie_check")
int BPF_PROG(fentry_tfo_cookie_check, struct sock *sk, u16 *mss,
	     struct tcp_fastopen_cookie *cookie, bool ret)
{
	emit_tfo_client(sk, TFO_CLIENT_COOKIE_CHECK, ret,
			BPF_CORE_READ(cookie, len));
	return 0;
}

SEC("fexit/tcp_fastopen_defer_connect")
int BPF_PROG(fentry_tfo_defer_connect, struct sock *sk, int *err, bool ret)
{
	emit_tfo_client(sk, TFO_CLIENT_DEFER_CONNECT, ret, 0);
	return 0;
}

/* Only a positive answer matters: TFO turned off after a blackhole. */
SEC("fexit/tcp_fastopen_active_should_disable")
int BPF_PROG(fentry_tfo_blackhole, struct sock *sk, bool ret)
{
	if (ret)
		emit_tfo_client(sk, TFO_CLIENT_BLACKHOLE, ret, 0);
	return 0;
}

/* The SYN-ACK of a TFO client connection, on its way into the cookie
 * cache: the cookie it carried (none: length 0 or less), whether the SYN
 * asked for one or carried data, and whether that data was acknowledged
 * (tcp_ack() ran first: data still in the retransmit queue was not). */
static __always_inline int tfo_synack(struct sock *sk,
				      struct tcp_fastopen_cookie *cookie,
				      bool syn_lost)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	struct tfo_rec_tfo_synack *r;
	struct tfo_owner *owner;
	__u64 key = (__u64)sk;
	__u8 syn_data, syn_fastopen;

	owner = bpf_map_lookup_elem(&client_owners, &key);
	/* softirq: the filters held at connect, for the connecting task */
	if ((filter_pid_count || filter_cgroup) && !owner)
		return 0;
	r = record_reserve(sizeof(*r));
	if (!r)
		goto out;
	__builtin_memset(r, 0, sizeof(*r));
	hdr_fill_owner(&r->hdr, TFO_REC_TFO_SYNACK, sizeof(*r), owner);
	sock_id_from_sock(&r->sock, sk);
	r->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (r->family == AF_INET)	/* 4 bytes: not the array's 16 */
		BPF_CORE_READ_INTO((__u32 *)r->raddr, sk, __sk_common.skc_daddr);
	else
		BPF_CORE_READ_INTO(&r->raddr, sk, __sk_common.skc_v6_daddr);
	r->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	r->cookie_len = BPF_CORE_READ(cookie, len);
	syn_data = BPF_CORE_READ_BITFIELD_PROBED(tp, syn_data);
	syn_fastopen = BPF_CORE_READ_BITFIELD_PROBED(tp, syn_fastopen);
	r->syn_data = syn_data;
	r->cookie_requested = syn_fastopen && !syn_data;
	r->data_acked = syn_data && !BPF_CORE_READ(sk, tcp_rtx_queue.rb_node);
	r->syn_retransmitted = syn_lost || BPF_CORE_READ(tp, total_retrans);
	record_submit(r);
out:
	if (owner)
		bpf_map_delete_elem(&client_owners, &key);
	return 0;
}

SEC("fentry/tcp_fastopen_cache_set")
int BPF_PROG(fentry_tfo_synack, struct sock *sk, u16 mss,
	     struct tcp_fastopen_cookie *cookie, bool syn_lost)
{
	return tfo_synack(sk, cookie, syn_lost);
}

SEC("kprobe/tcp_fastopen_cache_set")
int BPF_KPROBE(kprobe_tfo_synack, struct sock *sk, u16 mss,
	       struct tcp_fastopen_cookie *cookie, bool syn_lost)
{
	return tfo_synack(sk, cookie, syn_lost);
}

/* kretprobes see no arguments: the kprobe leaves them here, keyed by
 * thread and probe (cookie_check calls active_should_disable). */
struct client_args {
	struct sock *sk;
	struct tcp_fastopen_cookie *cookie;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct client_args);
} client_inflight SEC(".maps");

static __always_inline __u64 client_key(__u32 probe)
{
	return (bpf_get_current_pid_tgid() << 32) | probe;
}

static __always_inline int client_enter(__u32 probe, struct sock *sk,
					struct tcp_fastopen_cookie *cookie)
{
	__u64 key = client_key(probe);
	struct client_args a = { .sk = sk, .cookie = cookie };

	bpf_map_update_elem(&client_inflight, &key, &a, BPF_ANY);
	return 0;
}

static __always_inline int client_exit(__u32 probe, int ret)
{
	__u64 key = client_key(probe);
	struct client_args *a = bpf_map_lookup_elem(&client_inflight, &key);
	struct tcp_fastopen_cookie *cookie;

	if (!a)
		return 0;
	cookie = a->cookie;
	if (probe != TFO_CLIENT_BLACKHOLE || ret)
		emit_tfo_client(a->sk, probe, ret,
				cookie ? BPF_CORE_READ(cookie, len) : 0);
	bpf_map_delete_elem(&client_inflight, &key);
	return 0;
}

SEC("kprobe/tcp_fastopen_cookie_check")
int BPF_KPROBE(kprobe_tfo_cookie_check_enter, struct sock *sk, u16 *mss,
	       struct tcp_fastopen_cookie *cookie)
{
	return client_enter(TFO_CLIENT_COOKIE_CHECK, sk, cookie);
}

SEC("kretprobe/tcp_fastopen_cookie_check")
int BPF_KRETPROBE(kprobe_tfo_cookie_check_exit, bool ret)
{
	return client_exit(TFO_CLIENT_COOKIE_CHECK, ret);
}

SEC("kprobe/tcp_fastopen_defer_connect")
int BPF_KPROBE(kprobe_tfo_defer_connect_enter, struct sock *sk)
{
	return client_enter(TFO_CLIENT_DEFER_CONNECT, sk, NULL);
}

SEC("kretprobe/tcp_fastopen_defer_connect")
int BPF_KRETPROBE(kprobe_tfo_defer_connect_exit, bool ret)
{
	return client_exit(TFO_CLIENT_DEFER_CONNECT, ret);
}

SEC("kprobe/tcp_fastopen_active_should_disable")
int BPF_KPROBE(kprobe_tfo_blackhole_enter, struct sock *sk)
{
	return client_enter(TFO_CLIENT_BLACKHOLE, sk, NULL);
}

SEC("kretprobe/tcp_fastopen_active_should_disable")
int BPF_KRETPROBE(kprobe_tfo_blackhole_exit, bool ret)
{
	return client_exit(TFO_CLIENT_BLACKHOLE, ret);
}

/* ---- the listener scan: one-shot iterators ----
 * scan_listeners: one pass over the caller's network namespace, a record
 * per listening socket: it finds servers started long before tfotrace,
 * whose failed setsockopt no live trace will ever see; their TFO queue
 * limit tells whether TCP_FASTOPEN took effect. scan_owners: one pass over
 * every process's open files, a record per fd on one of those listeners
 * (userspace puts their inodes in scan_inos first): who holds them,
 * without reading every /proc/PID/fd link. Loaded with every flavour (and
 * alone for --scan). */

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
	if (rec.sock.family == AF_INET)	/* 4 bytes: not the array's 16 */
		BPF_CORE_READ_INTO((__u32 *)rec.addr, sk, __sk_common.skc_rcv_saddr);
	else
		BPF_CORE_READ_INTO(&rec.addr, sk, __sk_common.skc_v6_rcv_saddr);
	tfo_queue(sk, &rec.qlen_max, &rec.qlen);
	rec.backlog = BPF_CORE_READ(sk, sk_max_ack_backlog);
	rec.sysctl = netns_tcp_fastopen(sk);
	bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TFO_SCAN_INOS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);	/* a listener's socket inode */
	__type(value, __u8);
} scan_inos SEC(".maps");

/* Threads sharing their process's file table are visited once. */
SEC("iter/task_file")
int scan_owners(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct tfo_rec_owner rec = {};
	struct inode *inode;
	__u64 ino;

	if (!task || !file)
		return 0;
	inode = file->f_inode;
	if (!inode || (inode->i_mode & S_IFMT) != S_IFSOCK)
		return 0;
	ino = inode->i_ino;
	if (!bpf_map_lookup_elem(&scan_inos, &ino))
		return 0;
	rec.hdr.ts_ns = bpf_ktime_get_ns();
	rec.hdr.type = TFO_REC_OWNER;
	rec.hdr.size = sizeof(rec);
	rec.hdr.pid = task->tgid;
	*(__u64 *)&rec.hdr.comm[0] = *(__u64 *)&task->group_leader->comm[0];
	*(__u64 *)&rec.hdr.comm[8] = *(__u64 *)&task->group_leader->comm[8];
	rec.hdr.ns_pid = task_ns_tgid(task);
	rec.ino = ino;
	rec.ppid = task->group_leader->real_parent->tgid;
	rec.fd = ctx->fd;
	bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
	return 0;
}
