// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Lookup tables from numbers to names. Every number comes from a system
 * header through N(); a number is typed here only for options newer than
 * Debian 12's linux-libc-dev (6.1), each under #ifndef so newer headers win.
 */
#define _GNU_SOURCE		/* strerrorname_np */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>		/* AF_*, SOCK_*, SOL_RAW..SOL_SMC; pulls asm/socket.h */
/* glibc's netinet/in.h must precede linux/in*.h: libc-compat then drops
 * the kernel's duplicates instead of clashing. linux/mptcp.h includes it
 * anyway. */
#include <netinet/in.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/mptcp.h>
#include <linux/vm_sockets.h>	/* SOL_VSOCK */
#include <linux/bpf.h>		/* BPF_TCP_*: kept equal to TCP_* by a kernel build check */

#include "tfotrace.h"
#include "names.h"

/* The kernel's include/linux/socket.h gives these levels their protocol's
 * number but keeps them out of uapi; glibc has SOL_TCP and SOL_UDP only in
 * netinet/tcp.h and netinet/udp.h, which clash with linux/tcp.h and
 * linux/udp.h, and no SOL_SCTP or SOL_UDPLITE. */
#ifndef SOL_TCP
#define SOL_TCP		IPPROTO_TCP
#endif
#ifndef SOL_UDP
#define SOL_UDP		IPPROTO_UDP
#endif
#ifndef SOL_SCTP
#define SOL_SCTP	IPPROTO_SCTP
#endif
#ifndef SOL_UDPLITE
#define SOL_UDPLITE	IPPROTO_UDPLITE
#endif

/* include/uapi/linux/in.h has it, but libc-compat hides the kernel's
 * IPPROTO enum behind glibc's, which lacks it. */
#ifndef IPPROTO_L2TP
#define IPPROTO_L2TP	115
#endif
/* include/uapi/linux/in.h, after 6.1 */
#ifndef IPPROTO_AGGFRAG
#define IPPROTO_AGGFRAG	144
#endif
#ifndef IPPROTO_SMC
#define IPPROTO_SMC	256	/* 6.11 */
#endif

/* include/uapi/asm-generic/socket.h, after 6.1 (x86 uses these values) */
#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD		76	/* 6.5 */
#endif
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD		77	/* 6.5 */
#endif
#ifndef SO_DEVMEM_LINEAR
#define SO_DEVMEM_LINEAR	78	/* 6.12 */
#endif
#ifndef SO_DEVMEM_DMABUF
#define SO_DEVMEM_DMABUF	79	/* 6.12 */
#endif
#ifndef SO_DEVMEM_DONTNEED
#define SO_DEVMEM_DONTNEED	80	/* 6.12 */
#endif
#ifndef SO_RCVPRIORITY
#define SO_RCVPRIORITY		82	/* 6.14 */
#endif
#ifndef SO_PASSRIGHTS
#define SO_PASSRIGHTS		83	/* 6.16 */
#endif
#ifndef SO_INQ
#define SO_INQ			84	/* 6.17 */
#endif

/* include/uapi/linux/tcp.h, after 6.1 */
#ifndef TCP_AO_ADD_KEY
#define TCP_AO_ADD_KEY		38	/* 6.7 */
#endif
#ifndef TCP_AO_DEL_KEY
#define TCP_AO_DEL_KEY		39
#endif
#ifndef TCP_AO_INFO
#define TCP_AO_INFO		40
#endif
#ifndef TCP_AO_GET_KEYS
#define TCP_AO_GET_KEYS		41
#endif
#ifndef TCP_AO_REPAIR
#define TCP_AO_REPAIR		42
#endif
#ifndef TCP_IS_MPTCP
#define TCP_IS_MPTCP		43
#endif
#ifndef TCP_RTO_MAX_MS
#define TCP_RTO_MAX_MS		44	/* 6.15 */
#endif
#ifndef TCP_RTO_MIN_US
#define TCP_RTO_MIN_US		45	/* 6.15 */
#endif
#ifndef TCP_DELACK_MAX_US
#define TCP_DELACK_MAX_US	46	/* 6.15 */
#endif

/* include/uapi/linux/mptcp.h, 6.5 */
#ifndef MPTCP_FULL_INFO
#define MPTCP_FULL_INFO		4
#endif

/* include/net/tcp_states.h, 6.8 (BPF_TCP_BOUND_INACTIVE in uapi
 * linux/bpf.h); an enum there, so no #ifndef is possible. */
#define TFO_TCP_BOUND_INACTIVE	13
_Static_assert(TFO_TCP_BOUND_INACTIVE == BPF_TCP_NEW_SYN_RECV + 1,
	       "TCP_BOUND_INACTIVE follows TCP_NEW_SYN_RECV");

#define N(x)	{ (x), #x }
#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

static const char *lookup(const struct tfo_name *t, size_t n, int value)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == value)
			return t[i].name;
	return NULL;
}

static int contains(const int *t, size_t n, int value)
{
	for (size_t i = 0; i < n; i++)
		if (t[i] == value)
			return 1;
	return 0;
}

/* ---- levels ---- */

static const struct tfo_name levels[] = {
	N(SOL_IP), N(SOL_SOCKET), N(SOL_TCP), N(SOL_UDP), N(SOL_IPV6),
	N(SOL_ICMPV6), N(SOL_SCTP), N(SOL_UDPLITE), N(SOL_RAW),
	N(SOL_DECNET), N(SOL_X25), N(SOL_PACKET), N(SOL_ATM), N(SOL_AAL),
	N(SOL_IRDA), N(SOL_NETBEUI), N(SOL_LLC), N(SOL_DCCP),
	N(SOL_NETLINK), N(SOL_TIPC), N(SOL_RXRPC), N(SOL_PPPOL2TP),
	N(SOL_BLUETOOTH), N(SOL_PNPIPE), N(SOL_RDS), N(SOL_IUCV),
	N(SOL_CAIF), N(SOL_ALG), N(SOL_NFC), N(SOL_KCM), N(SOL_TLS),
	N(SOL_XDP), N(SOL_MPTCP), N(SOL_MCTP), N(SOL_SMC), N(SOL_VSOCK),
};

const char *tfo_level_name(int level)
{
	return lookup(levels, ARRAY_LEN(levels), level);
}

/* ---- options ----
 * Aliases (SO_TIMESTAMP, SO_GET_FILTER, SO_DETACH_BPF, TCP_CM_INQ,
 * IP_RECVRETOPTS, IP_RECVORIGDSTADDR, IPV6_RECVORIGDSTADDR, glibc's
 * IPV6_JOIN_GROUP ...) are left out: the name that carries the number wins.
 * SCM_TIMESTAMPING_OPT_STATS (54), SCM_TIMESTAMPING_PKTINFO (58) and
 * SCM_TS_OPT_ID (81) are cmsg types that setsockopt rejects. */

static const struct tfo_name sock_opts[] = {
	N(SO_DEBUG), N(SO_REUSEADDR), N(SO_TYPE), N(SO_ERROR),
	N(SO_DONTROUTE), N(SO_BROADCAST), N(SO_SNDBUF), N(SO_RCVBUF),
	N(SO_SNDBUFFORCE), N(SO_RCVBUFFORCE), N(SO_KEEPALIVE),
	N(SO_OOBINLINE), N(SO_NO_CHECK), N(SO_PRIORITY), N(SO_LINGER),
	N(SO_BSDCOMPAT), N(SO_REUSEPORT), N(SO_PASSCRED), N(SO_PEERCRED),
	N(SO_RCVLOWAT), N(SO_SNDLOWAT), N(SO_RCVTIMEO_OLD),
	N(SO_SNDTIMEO_OLD), N(SO_SECURITY_AUTHENTICATION),
	N(SO_SECURITY_ENCRYPTION_TRANSPORT),
	N(SO_SECURITY_ENCRYPTION_NETWORK), N(SO_BINDTODEVICE),
	N(SO_ATTACH_FILTER), N(SO_DETACH_FILTER), N(SO_PEERNAME),
	N(SO_TIMESTAMP_OLD), N(SO_ACCEPTCONN), N(SO_PEERSEC), N(SO_PASSSEC),
	N(SO_TIMESTAMPNS_OLD), N(SO_MARK), N(SO_TIMESTAMPING_OLD),
	N(SO_PROTOCOL), N(SO_DOMAIN), N(SO_RXQ_OVFL), N(SO_WIFI_STATUS),
	N(SO_PEEK_OFF), N(SO_NOFCS), N(SO_LOCK_FILTER),
	N(SO_SELECT_ERR_QUEUE), N(SO_BUSY_POLL), N(SO_MAX_PACING_RATE),
	N(SO_BPF_EXTENSIONS), N(SO_INCOMING_CPU), N(SO_ATTACH_BPF),
	N(SO_ATTACH_REUSEPORT_CBPF), N(SO_ATTACH_REUSEPORT_EBPF),
	N(SO_CNX_ADVICE), N(SO_MEMINFO), N(SO_INCOMING_NAPI_ID),
	N(SO_COOKIE), N(SO_PEERGROUPS), N(SO_ZEROCOPY), N(SO_TXTIME),
	N(SO_BINDTOIFINDEX), N(SO_TIMESTAMP_NEW), N(SO_TIMESTAMPNS_NEW),
	N(SO_TIMESTAMPING_NEW), N(SO_RCVTIMEO_NEW), N(SO_SNDTIMEO_NEW),
	N(SO_DETACH_REUSEPORT_BPF), N(SO_PREFER_BUSY_POLL),
	N(SO_BUSY_POLL_BUDGET), N(SO_NETNS_COOKIE), N(SO_BUF_LOCK),
	N(SO_RESERVE_MEM), N(SO_TXREHASH), N(SO_RCVMARK), N(SO_PASSPIDFD),
	N(SO_PEERPIDFD), N(SO_DEVMEM_LINEAR), N(SO_DEVMEM_DMABUF),
	N(SO_DEVMEM_DONTNEED), N(SO_RCVPRIORITY), N(SO_PASSRIGHTS),
	N(SO_INQ),
};

static const struct tfo_name tcp_opts[] = {
	N(TCP_NODELAY), N(TCP_MAXSEG), N(TCP_CORK), N(TCP_KEEPIDLE),
	N(TCP_KEEPINTVL), N(TCP_KEEPCNT), N(TCP_SYNCNT), N(TCP_LINGER2),
	N(TCP_DEFER_ACCEPT), N(TCP_WINDOW_CLAMP), N(TCP_INFO),
	N(TCP_QUICKACK), N(TCP_CONGESTION), N(TCP_MD5SIG),
	N(TCP_THIN_LINEAR_TIMEOUTS), N(TCP_THIN_DUPACK),
	N(TCP_USER_TIMEOUT), N(TCP_REPAIR), N(TCP_REPAIR_QUEUE),
	N(TCP_QUEUE_SEQ), N(TCP_REPAIR_OPTIONS), N(TCP_FASTOPEN),
	N(TCP_TIMESTAMP), N(TCP_NOTSENT_LOWAT), N(TCP_CC_INFO),
	N(TCP_SAVE_SYN), N(TCP_SAVED_SYN), N(TCP_REPAIR_WINDOW),
	N(TCP_FASTOPEN_CONNECT), N(TCP_ULP), N(TCP_MD5SIG_EXT),
	N(TCP_FASTOPEN_KEY), N(TCP_FASTOPEN_NO_COOKIE),
	N(TCP_ZEROCOPY_RECEIVE), N(TCP_INQ), N(TCP_TX_DELAY),
	N(TCP_AO_ADD_KEY), N(TCP_AO_DEL_KEY), N(TCP_AO_INFO),
	N(TCP_AO_GET_KEYS), N(TCP_AO_REPAIR), N(TCP_IS_MPTCP),
	N(TCP_RTO_MAX_MS), N(TCP_RTO_MIN_US), N(TCP_DELACK_MAX_US),
};

/* MCAST_* are shared by SOL_IP and SOL_IPV6 (see linux/in6.h). */
#define MCAST_OPTS \
	N(MCAST_JOIN_GROUP), N(MCAST_BLOCK_SOURCE), N(MCAST_UNBLOCK_SOURCE), \
	N(MCAST_LEAVE_GROUP), N(MCAST_JOIN_SOURCE_GROUP), \
	N(MCAST_LEAVE_SOURCE_GROUP), N(MCAST_MSFILTER)
#define MCAST_VALUES \
	MCAST_JOIN_GROUP, MCAST_BLOCK_SOURCE, MCAST_UNBLOCK_SOURCE, \
	MCAST_LEAVE_GROUP, MCAST_JOIN_SOURCE_GROUP, \
	MCAST_LEAVE_SOURCE_GROUP, MCAST_MSFILTER

static const struct tfo_name ip_opts[] = {
	N(IP_TOS), N(IP_TTL), N(IP_HDRINCL), N(IP_OPTIONS),
	N(IP_ROUTER_ALERT), N(IP_RECVOPTS), N(IP_RETOPTS), N(IP_PKTINFO),
	N(IP_PKTOPTIONS), N(IP_MTU_DISCOVER), N(IP_RECVERR), N(IP_RECVTTL),
	N(IP_RECVTOS), N(IP_MTU), N(IP_FREEBIND), N(IP_IPSEC_POLICY),
	N(IP_XFRM_POLICY), N(IP_PASSSEC), N(IP_TRANSPARENT),
	N(IP_ORIGDSTADDR), N(IP_MINTTL), N(IP_NODEFRAG), N(IP_CHECKSUM),
	N(IP_BIND_ADDRESS_NO_PORT), N(IP_RECVFRAGSIZE),
	N(IP_RECVERR_RFC4884), N(IP_MULTICAST_IF), N(IP_MULTICAST_TTL),
	N(IP_MULTICAST_LOOP), N(IP_ADD_MEMBERSHIP), N(IP_DROP_MEMBERSHIP),
	N(IP_UNBLOCK_SOURCE), N(IP_BLOCK_SOURCE),
	N(IP_ADD_SOURCE_MEMBERSHIP), N(IP_DROP_SOURCE_MEMBERSHIP),
	N(IP_MSFILTER), MCAST_OPTS, N(IP_MULTICAST_ALL), N(IP_UNICAST_IF),
	N(IP_LOCAL_PORT_RANGE), N(IP_PROTOCOL),
};

static const struct tfo_name ipv6_opts[] = {
	N(IPV6_ADDRFORM), N(IPV6_2292PKTINFO), N(IPV6_2292HOPOPTS),
	N(IPV6_2292DSTOPTS), N(IPV6_2292RTHDR), N(IPV6_2292PKTOPTIONS),
	N(IPV6_CHECKSUM), N(IPV6_2292HOPLIMIT), N(IPV6_NEXTHOP),
	N(IPV6_AUTHHDR), N(IPV6_FLOWINFO), N(IPV6_UNICAST_HOPS),
	N(IPV6_MULTICAST_IF), N(IPV6_MULTICAST_HOPS),
	N(IPV6_MULTICAST_LOOP), N(IPV6_ADD_MEMBERSHIP),
	N(IPV6_DROP_MEMBERSHIP), N(IPV6_ROUTER_ALERT),
	N(IPV6_MTU_DISCOVER), N(IPV6_MTU), N(IPV6_RECVERR), N(IPV6_V6ONLY),
	N(IPV6_JOIN_ANYCAST), N(IPV6_LEAVE_ANYCAST), N(IPV6_MULTICAST_ALL),
	N(IPV6_ROUTER_ALERT_ISOLATE), N(IPV6_RECVERR_RFC4884),
	N(IPV6_FLOWLABEL_MGR), N(IPV6_FLOWINFO_SEND), N(IPV6_IPSEC_POLICY),
	N(IPV6_XFRM_POLICY), N(IPV6_HDRINCL), MCAST_OPTS,
	N(IPV6_RECVPKTINFO), N(IPV6_PKTINFO), N(IPV6_RECVHOPLIMIT),
	N(IPV6_HOPLIMIT), N(IPV6_RECVHOPOPTS), N(IPV6_HOPOPTS),
	N(IPV6_RTHDRDSTOPTS), N(IPV6_RECVRTHDR), N(IPV6_RTHDR),
	N(IPV6_RECVDSTOPTS), N(IPV6_DSTOPTS), N(IPV6_RECVPATHMTU),
	N(IPV6_PATHMTU), N(IPV6_DONTFRAG), N(IPV6_RECVTCLASS),
	N(IPV6_TCLASS), N(IPV6_AUTOFLOWLABEL), N(IPV6_ADDR_PREFERENCES),
	N(IPV6_MINHOPCOUNT), N(IPV6_ORIGDSTADDR), N(IPV6_TRANSPARENT),
	N(IPV6_UNICAST_IF), N(IPV6_RECVFRAGSIZE), N(IPV6_FREEBIND),
};

static const struct tfo_name mptcp_opts[] = {
	N(MPTCP_INFO), N(MPTCP_TCPINFO), N(MPTCP_SUBFLOW_ADDRS),
	N(MPTCP_FULL_INFO),
};

static const struct tfo_name udp_opts[] = {
	N(UDP_CORK), N(UDP_ENCAP), N(UDP_NO_CHECK6_TX), N(UDP_NO_CHECK6_RX),
	N(UDP_SEGMENT), N(UDP_GRO),
};

/* Non-int option values. Getsockopt-only structs are listed too, so a
 * stray setsockopt of one is not shown as a number. */
static const int sock_bytes[] = {
	SO_LINGER, SO_RCVTIMEO_OLD, SO_SNDTIMEO_OLD, SO_RCVTIMEO_NEW,
	SO_SNDTIMEO_NEW, SO_ATTACH_FILTER, SO_ATTACH_REUSEPORT_CBPF,
	SO_PEERCRED, SO_PEERNAME, SO_PEERSEC, SO_MEMINFO, SO_PEERGROUPS,
	SO_TXTIME, SO_DEVMEM_DONTNEED,
	SO_COOKIE, SO_NETNS_COOKIE,	/* u64, wider than int */
};
static const int sock_strings[] = { SO_BINDTODEVICE };

static const int tcp_bytes[] = {
	TCP_INFO, TCP_MD5SIG, TCP_REPAIR_OPTIONS, TCP_CC_INFO, TCP_SAVED_SYN,
	TCP_REPAIR_WINDOW, TCP_MD5SIG_EXT, TCP_FASTOPEN_KEY,
	TCP_ZEROCOPY_RECEIVE, TCP_AO_ADD_KEY, TCP_AO_DEL_KEY, TCP_AO_INFO,
	TCP_AO_GET_KEYS, TCP_AO_REPAIR,
};
static const int tcp_strings[] = { TCP_CONGESTION, TCP_ULP };

/* IP_RETOPTS is not here: as a setsockopt it is the IP_RECVRETOPTS flag. */
static const int ip_bytes[] = {
	IP_OPTIONS, IP_PKTOPTIONS, IP_IPSEC_POLICY, IP_XFRM_POLICY,
	IP_MULTICAST_IF, IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP,
	IP_UNBLOCK_SOURCE, IP_BLOCK_SOURCE, IP_ADD_SOURCE_MEMBERSHIP,
	IP_DROP_SOURCE_MEMBERSHIP, IP_MSFILTER, MCAST_VALUES,
};

static const int ipv6_bytes[] = {
	IPV6_2292PKTOPTIONS, IPV6_NEXTHOP, IPV6_ADD_MEMBERSHIP,
	IPV6_DROP_MEMBERSHIP, IPV6_JOIN_ANYCAST, IPV6_LEAVE_ANYCAST,
	IPV6_FLOWLABEL_MGR, IPV6_IPSEC_POLICY, IPV6_XFRM_POLICY,
	MCAST_VALUES, IPV6_PKTINFO, IPV6_HOPOPTS, IPV6_RTHDRDSTOPTS,
	IPV6_RTHDR, IPV6_DSTOPTS, IPV6_PATHMTU,
};

static const int mptcp_bytes[] = {
	MPTCP_INFO, MPTCP_TCPINFO, MPTCP_SUBFLOW_ADDRS, MPTCP_FULL_INFO,
};

struct level_opts {
	int level;
	const struct tfo_name *names;
	size_t n_names;
	const int *bytes;
	size_t n_bytes;
	const int *strings;
	size_t n_strings;
};

#define OPTS(lvl, names, bytes, strings) \
	{ lvl, names, ARRAY_LEN(names), bytes, ARRAY_LEN(bytes), \
	  strings, ARRAY_LEN(strings) }

static const struct level_opts level_opts[] = {
	OPTS(SOL_SOCKET, sock_opts, sock_bytes, sock_strings),
	OPTS(SOL_TCP, tcp_opts, tcp_bytes, tcp_strings),
	{ SOL_IP, ip_opts, ARRAY_LEN(ip_opts),
	  ip_bytes, ARRAY_LEN(ip_bytes), NULL, 0 },
	{ SOL_IPV6, ipv6_opts, ARRAY_LEN(ipv6_opts),
	  ipv6_bytes, ARRAY_LEN(ipv6_bytes), NULL, 0 },
	{ SOL_MPTCP, mptcp_opts, ARRAY_LEN(mptcp_opts),
	  mptcp_bytes, ARRAY_LEN(mptcp_bytes), NULL, 0 },
	{ SOL_UDP, udp_opts, ARRAY_LEN(udp_opts), NULL, 0, NULL, 0 },
};

static const struct level_opts *find_level(int level)
{
	for (size_t i = 0; i < ARRAY_LEN(level_opts); i++)
		if (level_opts[i].level == level)
			return &level_opts[i];
	return NULL;
}

const char *tfo_optname_name(int level, int optname)
{
	const struct level_opts *lo = find_level(level);

	return lo ? lookup(lo->names, lo->n_names, optname) : NULL;
}

enum tfo_optval_kind tfo_optname_kind(int level, int optname)
{
	const struct level_opts *lo = find_level(level);

	if (!lo)
		return TFO_OPTVAL_INT;
	if (contains(lo->strings, lo->n_strings, optname))
		return TFO_OPTVAL_STRING;
	if (contains(lo->bytes, lo->n_bytes, optname))
		return TFO_OPTVAL_BYTES;
	return TFO_OPTVAL_INT;
}

size_t tfo_names__options(int level, const struct tfo_name **out)
{
	const struct level_opts *lo = find_level(level);

	*out = lo ? lo->names : NULL;
	return lo ? lo->n_names : 0;
}

/* ---- protocols, families, socket types ---- */

#define P(x)	{ IPPROTO_##x, #x }
static const struct tfo_name protos[] = {
	P(IP), P(ICMP), P(IGMP), P(IPIP), P(TCP), P(EGP), P(PUP), P(UDP),
	P(IDP), P(TP), P(DCCP), P(IPV6), P(ROUTING), P(FRAGMENT), P(RSVP),
	P(GRE), P(ESP), P(AH), P(ICMPV6), P(NONE), P(DSTOPTS), P(MTP),
	P(BEETPH), P(ENCAP), P(PIM), P(COMP), P(L2TP), P(SCTP), P(MH),
	P(UDPLITE), P(MPLS), P(ETHERNET), P(AGGFRAG), P(RAW), P(SMC),
	P(MPTCP),
	/* IPPROTO_HOPOPTS is 0 too: socket(2) means IP by it */
};

const char *tfo_proto_name(int proto)
{
	return lookup(protos, ARRAY_LEN(protos), proto);
}

/* AF_LOCAL, AF_FILE, AF_ROUTE are aliases of AF_UNIX and AF_NETLINK. */
static const struct tfo_name families[] = {
	N(AF_UNSPEC), N(AF_UNIX), N(AF_INET), N(AF_AX25), N(AF_IPX),
	N(AF_APPLETALK), N(AF_NETROM), N(AF_BRIDGE), N(AF_ATMPVC),
	N(AF_X25), N(AF_INET6), N(AF_ROSE), N(AF_DECnet), N(AF_NETBEUI),
	N(AF_SECURITY), N(AF_KEY), N(AF_NETLINK), N(AF_PACKET), N(AF_ASH),
	N(AF_ECONET), N(AF_ATMSVC), N(AF_RDS), N(AF_SNA), N(AF_IRDA),
	N(AF_PPPOX), N(AF_WANPIPE), N(AF_LLC), N(AF_IB), N(AF_MPLS),
	N(AF_CAN), N(AF_TIPC), N(AF_BLUETOOTH), N(AF_IUCV), N(AF_RXRPC),
	N(AF_ISDN), N(AF_PHONET), N(AF_IEEE802154), N(AF_CAIF), N(AF_ALG),
	N(AF_NFC), N(AF_VSOCK), N(AF_KCM), N(AF_QIPCRTR), N(AF_SMC),
	N(AF_XDP), N(AF_MCTP),
};

const char *tfo_family_name(int family)
{
	return lookup(families, ARRAY_LEN(families), family);
}

#define T(x)	{ SOCK_##x, #x }
static const struct tfo_name socktypes[] = {
	T(STREAM), T(DGRAM), T(RAW), T(RDM), T(SEQPACKET), T(DCCP),
	T(PACKET),
};

const char *tfo_socktype_name(int type)
{
	type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	return lookup(socktypes, ARRAY_LEN(socktypes), type);
}

/* ---- errno, TCP states ---- */

const char *tfo_errno_name(int err)
{
	if (err == INT_MIN)
		return NULL;
	if (err < 0)
		err = -err;
	/* glibc names 0 as "0": not an errno */
	return err ? strerrorname_np(err) : NULL;
}

#define S(x)	{ BPF_TCP_##x, #x }
static const struct tfo_name tcp_states[] = {
	S(ESTABLISHED), S(SYN_SENT), S(SYN_RECV), S(FIN_WAIT1),
	S(FIN_WAIT2), S(TIME_WAIT), S(CLOSE), S(CLOSE_WAIT), S(LAST_ACK),
	S(LISTEN), S(CLOSING), S(NEW_SYN_RECV),
	{ TFO_TCP_BOUND_INACTIVE, "BOUND_INACTIVE" },
};

const char *tfo_tcp_state_name(int state)
{
	return lookup(tcp_states, ARRAY_LEN(tcp_states), state);
}

/* ---- tfotrace's own enums ---- */

static const char *const layer_names[TFO_LAYER__MAX] = {
	[TFO_LAYER_SOCK] = "sock_setsockopt",
	[TFO_LAYER_TCP] = "tcp_setsockopt",
	[TFO_LAYER_MPTCP] = "mptcp_setsockopt",
	[TFO_LAYER_IP] = "ip_setsockopt",
	[TFO_LAYER_IPV6] = "ipv6_setsockopt",
};

const char *tfo_layer_name(int layer)
{
	if (layer < 0 || layer >= TFO_LAYER__MAX)
		return NULL;
	return layer_names[layer];
}

static const char *const mode_names[TFO_MODE__MAX] = {
	[TFO_MODE_AUTO] = "auto",
	[TFO_MODE_FENTRY] = "fentry",
	[TFO_MODE_KPROBE] = "kprobe",
	[TFO_MODE_TRACEPOINT] = "tracepoint",
};

const char *tfo_mode_name(int mode)
{
	if (mode < 0 || mode >= TFO_MODE__MAX)
		return NULL;
	return mode_names[mode];
}

int tfo_mode_parse(const char *s)
{
	if (!s)
		return -EINVAL;
	for (int i = 0; i < TFO_MODE__MAX; i++)
		if (mode_names[i] && strcmp(s, mode_names[i]) == 0)
			return i;
	return -EINVAL;
}
