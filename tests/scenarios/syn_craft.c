// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Hand-crafted TCP SYNs at a TCP Fast Open listener, to test that a BPF
 * TCP-option parser survives bad input: option lengths of 0 and 1, options
 * running past the header, truncated headers, repeated Fast Open options,
 * MP_CAPABLE of any version, a full 40-byte option area, ...
 *
 * Runs in a fresh network namespace by default (lo up,
 * net.ipv4.tcp_fastopen=3 there), makes a listener on 127.0.0.1 or ::1 with
 * TCP_FASTOPEN, and sends each case's SYN from a raw socket (IPv4 with
 * IP_HDRINCL; IPv6 as a raw IPPROTO_TCP socket), each from its own source
 * port. Checksums are computed here for both families (IPV6_CHECKSUM would
 * refuse a segment shorter than 18 bytes). Nothing is sent after a SYN.
 * The listener's SYN-ACK goes to a port with no socket, so the kernel
 * answers it with one RST, which also frees the request socket: one RST
 * per SYN-ACK, no retransmitted SYN-ACKs.
 *
 * An AF_PACKET socket on lo sees what the listener sent back to each
 * source port. Output, JSON Lines:
 *   {"op":"server",...}           the listener
 *   {"op":"case",...}             per case: what was sent, what a careful
 *                                 parser must conclude ("expect"), and what
 *                                 the listener answered
 *   {"op":"done","cases":N,...}   with the namespace's TCP counter deltas
 *
 * "expect" follows the kernel's own parser (tcp_parse_options()): the walk
 * stops at EOL, or at an option it cannot walk (length 0 or 1, or running
 * past the option area: "malformed"), keeping what came before; a later
 * Fast Open option overrides an earlier one; a cookie of odd length is
 * ignored, one of 2 bytes cancels a request; the experimental form is
 * kind 254 with magic 0xF989. "mp_capable" is the version nibble of a
 * 4-byte MP_CAPABLE (subtype 0), as written, whatever the version.
 * A SYN whose header is cut short, whose data offset is below 5 or past the
 * packet, or whose checksum is wrong never reaches a socket lookup
 * ("reaches_listener": false), and a parser should see none of it.
 *
 * Exit status: 0; 1 on a system error; 2 on bad usage; 3 when a case that
 * should reach the listener got no answer, or one that should not did.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "netns.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

#define OPT_MAX		40	/* TCP option space: (15 - 5) * 4 */
#define SEG_MAX		(20 + OPT_MAX + 64)
#define TFO_QLEN	16
#define QUIET_MS	300	/* the answers are in once lo is quiet this long */
#define DRAIN_MAX_MS	3000

enum tfo { TFO_NONE, TFO_REQUEST, TFO_COOKIE };
static const char *const tfo_names[] = { "none", "request", "cookie" };

struct expect {
	enum tfo tfo;
	int cookie_len;		/* TFO_COOKIE */
	int mp_capable;		/* -1: none */
	bool malformed;
	bool reaches;		/* "reaches_listener" */
};

struct scase {
	const char *name;
	const char *desc;
	const char *opts;	/* the option area, hex (spaces ignored) */
	const char *data;	/* SYN data, hex; NULL: "payload" bytes of text */
	int payload;
	int doff;		/* 0: 5 + option bytes / 4 */
	int tcp_len;		/* 0: all of it; else the segment is cut here */
	bool bad_csum;
	bool live_cookie;	/* a cookie the listener gave: see run_case() */
	struct expect expect;
};

#define NOPS8	"0101010101010101"
#define NOPS40	NOPS8 NOPS8 NOPS8 NOPS8 NOPS8
#define MSS	"020405b4 "
#define TS	"080a12345678 00000000 "	/* TSval, TSecr 0 */
#define COOKIE8	"0102030405060708"
#define EXP(t, cl, mp, mal, r) { .tfo = t, .cookie_len = cl, .mp_capable = mp, \
				 .malformed = mal, .reaches = r }
#define OK(t, cl, mp)	EXP(t, cl, mp, false, true)

static const struct scase cases[] = {
	{ "plain", "MSS only", MSS, .expect = OK(TFO_NONE, 0, -1) },
	{ "tfo-request", "Fast Open cookie request (kind 34, len 2)",
	  MSS "2202 0101", .expect = OK(TFO_REQUEST, 0, -1) },
	{ "tfo-request-data", "cookie request and 10 bytes of SYN data",
	  MSS "2202 0101", .payload = 10, .expect = OK(TFO_REQUEST, 0, -1) },
	{ "tfo-exp-request", "experimental Fast Open request (kind 254, len 4, magic 0xF989)",
	  MSS "fe04 f989", .expect = OK(TFO_REQUEST, 0, -1) },
	{ "tfo-bad-cookie-data", "an 8-byte cookie the listener did not make, and data",
	  MSS "220a" COOKIE8 "0101", .payload = 10, .expect = OK(TFO_COOKIE, 8, -1) },
	{ "tfo-live-cookie-data", "the cookie the listener gave a request first, and data",
	  NULL, .payload = 10, .live_cookie = true, .expect = OK(TFO_COOKIE, 8, -1) },
	{ "tfo-cookie-16", "a 16-byte cookie (the largest), not the listener's",
	  MSS "2212" COOKIE8 COOKIE8 "0101", .expect = OK(TFO_COOKIE, 16, -1) },
	{ "tfo-cookie-odd", "a 5-byte cookie: odd lengths are ignored",
	  MSS "2207 0102030405 01", .expect = OK(TFO_NONE, 0, -1) },
	{ "tfo-twice", "the Fast Open request option twice",
	  MSS "2202 2202", .expect = OK(TFO_REQUEST, 0, -1) },
	{ "tfo-twice-mixed", "a request, then an 8-byte cookie: the last one counts",
	  MSS "2202 220a" COOKIE8, .expect = OK(TFO_COOKIE, 8, -1) },
	{ "opt-len-0", "a timestamp option of length 0, then a Fast Open request",
	  MSS "0800 2202", .expect = EXP(TFO_NONE, 0, -1, true, true) },
	{ "opt-len-1", "a timestamp option of length 1, then a Fast Open request",
	  MSS "0801 2202", .expect = EXP(TFO_NONE, 0, -1, true, true) },
	{ "opt-past-end", "a Fast Open request, then a timestamp claiming 30 bytes of 6",
	  MSS "2202 081e 00000000", .expect = EXP(TFO_REQUEST, 0, -1, true, true) },
	{ "kind-no-len", "a kind in the option area's last byte, no room for its length",
	  MSS "010101 08", .expect = EXP(TFO_NONE, 0, -1, true, true) },
	{ "doff-past-packet", "data offset 15 (60 bytes) in a 24-byte segment",
	  MSS, .doff = 15, .expect = EXP(TFO_NONE, 0, -1, true, false) },
	{ "doff-below-5", "data offset 4 (16 bytes), below the fixed header",
	  "", .doff = 4, .expect = EXP(TFO_NONE, 0, -1, true, false) },
	{ "short-header", "an 18-byte segment: the TCP header cut short",
	  "", .tcp_len = 18, .expect = EXP(TFO_NONE, 0, -1, true, false) },
	{ "bad-checksum", "a Fast Open request with a wrong TCP checksum",
	  MSS "2202 0101", .bad_csum = true,
	  .expect = EXP(TFO_REQUEST, 0, -1, false, false) },
	{ "nops-40", "40 bytes of NOPs and nothing after (no EOL, no data)",
	  NOPS40, .expect = OK(TFO_NONE, 0, -1) },
	{ "nops-40-data", "40 bytes of NOPs, then data that looks like options",
	  NOPS40, .data = "2202 1e040181 0101 0800", .payload = 10,
	  .expect = OK(TFO_NONE, 0, -1) },
	{ "eol-then-garbage", "EOL first, then a request, MP_CAPABLE and a bare kind",
	  "00 2202 1e040181 08", .expect = OK(TFO_NONE, 0, -1) },
	{ "mpc-v0", "MP_CAPABLE (kind 30, len 4, subtype 0) version 0",
	  MSS "1e04 0001", .expect = OK(TFO_NONE, 0, 0) },
	{ "mpc-v1", "MP_CAPABLE version 1",
	  MSS "1e04 0101", .expect = OK(TFO_NONE, 0, 1) },
	{ "mpc-v15", "MP_CAPABLE of an unknown version, 15",
	  MSS "1e04 0f01", .expect = OK(TFO_NONE, 0, 15) },
	{ "mpc-bad-len", "MP_CAPABLE version 1 of length 3 (no flags byte)",
	  MSS "1e03 01 01", .expect = OK(TFO_NONE, 0, -1) },
	{ "mpc-tfo", "MP_CAPABLE version 1 and a Fast Open request",
	  MSS "1e04 0101 2202 0101", .expect = OK(TFO_REQUEST, 0, 1) },
	{ "max-options", "40 bytes: MSS, SACK_PERM, TS, WS, NOPs, a request in the last 2 bytes",
	  MSS "0402" TS "01030307" NOPS8 NOPS8 "0101 2202",
	  .expect = OK(TFO_REQUEST, 0, -1) },
	{ "max-options-cookie", "40 bytes: MSS, SACK_PERM, TS, WS and a 16-byte cookie",
	  MSS "0402" TS "01030307 2212" COOKIE8 COOKIE8 "0101",
	  .expect = OK(TFO_COOKIE, 16, -1) },
};
#define N_CASES (sizeof(cases) / sizeof(cases[0]))

/* The namespace's counters reported as deltas in the "done" line. */
static const struct {
	const char *file, *prefix, *name;
} counters[] = {
	{ "/proc/net/netstat", "TcpExt:", "TCPFastOpenPassive" },
	{ "/proc/net/netstat", "TcpExt:", "TCPFastOpenPassiveFail" },
	{ "/proc/net/netstat", "TcpExt:", "TCPFastOpenCookieReqd" },
	{ "/proc/net/snmp", "Tcp:", "InErrs" },
	{ "/proc/net/snmp", "Tcp:", "InCsumErrors" },
	{ "/proc/net/snmp", "Tcp:", "OutRsts" },
};
#define N_COUNTERS (sizeof(counters) / sizeof(counters[0]))

static struct {
	int family;
	int proto;
	int port;
	bool new_netns;
	bool selected[N_CASES];
	bool any_selected;
} opt = { .family = AF_INET, .proto = IPPROTO_TCP, .new_netns = true };

/* What was seen on lo for one source port. */
struct seen {
	int sport;
	uint32_t isn;		/* of the SYN sent */
	bool on_wire;		/* the SYN was seen going out on lo */
	enum { ANS_NONE, ANS_SYNACK, ANS_RST, ANS_OTHER } answered;
	uint8_t opts[OPT_MAX];	/* of the answer */
	int optlen;
	uint32_t ack;		/* of the answer */
};

struct run {
	const struct scase *c;
	struct expect expect;
	uint8_t opts[OPT_MAX];
	int optlen, payload, doff, tcp_len;
	int cookie_sport;	/* live_cookie: the request that got the cookie */
	struct seen s;
};

static struct seen *seen_tab[2 * N_CASES];
static int n_seen;
static int lport;

static void die(const char *what)
{
	fprintf(stderr, "syn_craft: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: syn_craft [--family 4|6] [--proto tcp|mptcp] [--port N] [--no-netns]\n"
		"                 [--case NAME]... [--list]\n"
		"  Sends hand-crafted TCP SYNs at a TCP Fast Open listener on loopback\n"
		"  and prints JSON Lines: the listener, each case with what a careful\n"
		"  option parser must conclude and what the listener answered, a summary.\n"
		"  --family: 4 (127.0.0.1, default) or 6 (::1)\n"
		"  --proto: the listener's protocol, tcp (default) or mptcp\n"
		"  --port: the listener's port (default: an ephemeral one)\n"
		"  --no-netns: stay in the current network namespace (its\n"
		"              net.ipv4.tcp_fastopen is left as it is)\n"
		"  --case: only this case (repeatable); --list: the cases\n");
}

static long parse_num(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "syn_craft: invalid %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

static void parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "family", required_argument, NULL, 'f' },
		{ "proto", required_argument, NULL, 'P' },
		{ "port", required_argument, NULL, 'p' },
		{ "no-netns", no_argument, NULL, 'N' },
		{ "case", required_argument, NULL, 'c' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;
	size_t i;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "4") && strcmp(optarg, "6")) {
				fprintf(stderr, "syn_craft: invalid family '%s' (4 or 6)\n",
					optarg);
				exit(2);
			}
			opt.family = optarg[0] == '6' ? AF_INET6 : AF_INET;
			break;
		case 'P':
			if (!strcmp(optarg, "tcp"))
				opt.proto = IPPROTO_TCP;
			else if (!strcmp(optarg, "mptcp"))
				opt.proto = IPPROTO_MPTCP;
			else {
				fprintf(stderr, "syn_craft: invalid protocol '%s'\n", optarg);
				exit(2);
			}
			break;
		case 'p':
			opt.port = parse_num(optarg, 1, 65535, "port");
			break;
		case 'N':
			opt.new_netns = false;
			break;
		case 'c':
			for (i = 0; i < N_CASES && strcmp(cases[i].name, optarg); i++)
				;
			if (i == N_CASES) {
				fprintf(stderr, "syn_craft: unknown case '%s' (--list)\n",
					optarg);
				exit(2);
			}
			opt.selected[i] = opt.any_selected = true;
			break;
		case 'l':
			for (i = 0; i < N_CASES; i++)
				printf("%-20s %s\n", cases[i].name, cases[i].desc);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "syn_craft: unexpected argument '%s'\n", argv[optind]);
		exit(2);
	}
}

/* Hex, spaces ignored, into OUT (at most MAX bytes): the byte count. */
static int unhex(const char *s, uint8_t *out, int max, const char *name)
{
	int n = 0, hi = -1;

	for (; *s; s++) {
		int v;

		if (*s == ' ')
			continue;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else
			v = -1;
		if (v < 0 || (hi < 0 && n == max)) {
			fprintf(stderr, "syn_craft: case %s: bad hex\n", name);
			exit(1);
		}
		if (hi < 0) {
			hi = v;
		} else {
			out[n++] = hi << 4 | v;
			hi = -1;
		}
	}
	if (hi >= 0) {
		fprintf(stderr, "syn_craft: case %s: odd hex\n", name);
		exit(1);
	}
	return n;
}

static void print_hex(const uint8_t *p, int n)
{
	putchar('"');
	for (int i = 0; i < n; i++)
		printf("%02x", p[i]);
	putchar('"');
}

/* A careful walk of an option area, as tcp_parse_options() does it. */
static void fastopen_opt(struct expect *e, int len)
{
	if (len & 1)
		return;
	if (len == 0) {
		e->tfo = TFO_REQUEST;
	} else if (len >= 4 && len <= 16) {
		e->tfo = TFO_COOKIE;
		e->cookie_len = len;
	} else {
		e->tfo = TFO_NONE;
	}
}

static void parse_options(const uint8_t *p, int n, struct expect *e)
{
	e->tfo = TFO_NONE;
	e->cookie_len = 0;
	e->mp_capable = -1;
	e->malformed = false;
	for (int i = 0; i < n;) {
		int kind = p[i], len;

		if (kind == 0)		/* EOL */
			return;
		if (kind == 1) {	/* NOP */
			i++;
			continue;
		}
		if (n - i < 2 || (len = p[i + 1]) < 2 || len > n - i) {
			e->malformed = true;
			return;
		}
		if (kind == 34)
			fastopen_opt(e, len - 2);
		else if (kind == 254 && len >= 4 && p[i + 2] == 0xf9 && p[i + 3] == 0x89)
			fastopen_opt(e, len - 4);
		else if (kind == 30 && len == 4 && p[i + 2] >> 4 == 0)
			e->mp_capable = p[i + 2] & 0xf;
		i += len;
	}
}

/* The first option KIND of a walkable area, or NULL. */
static const uint8_t *find_option(const uint8_t *p, int n, int kind)
{
	for (int i = 0; i < n && p[i];) {
		if (p[i] == 1) {
			i++;
			continue;
		}
		if (n - i < 2 || p[i + 1] < 2 || p[i + 1] > n - i)
			return NULL;
		if (p[i] == kind)
			return p + i;
		i += p[i + 1];
	}
	return NULL;
}

/* What the segment a case sends must be concluded to hold. */
static void expect_of(const struct run *r, struct expect *e)
{
	if (r->tcp_len < 20 || r->doff < 5 || r->doff * 4 > r->tcp_len) {
		*e = (struct expect)EXP(TFO_NONE, 0, -1, true, false);
		return;
	}
	parse_options(r->opts, r->doff * 4 - 20, e);
	e->reaches = !r->c->bad_csum;
}

static bool same_expect(const struct expect *a, const struct expect *b)
{
	return a->tfo == b->tfo && a->mp_capable == b->mp_capable &&
	       a->malformed == b->malformed && a->reaches == b->reaches &&
	       (a->tfo != TFO_COOKIE || a->cookie_len == b->cookie_len);
}

static uint32_t random32(void)
{
	uint32_t v;

	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		die("getrandom");
	return v;
}

static uint32_t sum16(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;

	for (; len > 1; p += 2, len -= 2)
		sum += p[0] << 8 | p[1];
	if (len)
		sum += p[0] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static uint16_t tcp_checksum(const uint8_t *seg, int len)
{
	uint32_t sum;

	if (opt.family == AF_INET6) {
		uint8_t ph[40] = { 0 };	/* ::1, ::1, length, next header */

		ph[15] = ph[31] = 1;
		ph[34] = len >> 8;
		ph[35] = len;
		ph[39] = IPPROTO_TCP;
		sum = sum16(ph, sizeof(ph), 0);
	} else {
		uint8_t ph[12] = { 127, 0, 0, 1, 127, 0, 0, 1, 0, IPPROTO_TCP,
				   (uint8_t)(len >> 8), (uint8_t)len };

		sum = sum16(ph, sizeof(ph), 0);
	}
	return fold(sum16(seg, len, sum));
}

static socklen_t loopback(struct sockaddr_storage *ss, int port)
{
	memset(ss, 0, sizeof(*ss));
	if (opt.family == AF_INET6) {
		struct sockaddr_in6 *a = (void *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		a->sin6_port = htons(port);
		return sizeof(*a);
	}
	struct sockaddr_in *a = (void *)ss;

	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a->sin_port = htons(port);
	return sizeof(*a);
}

static int port_of(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET6 ?
		     ((const struct sockaddr_in6 *)ss)->sin6_port :
		     ((const struct sockaddr_in *)ss)->sin_port);
}

/* A source port no socket of this namespace uses: a TCP socket bound to
 * it holds it (bound, not listening: the kernel still answers the
 * SYN-ACK sent there with a RST). */
static int reserve_port(void)
{
	struct sockaddr_storage ss;
	socklen_t alen = loopback(&ss, 0);
	int fd = socket(opt.family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);

	if (fd < 0)
		die("socket(source port)");
	if (bind(fd, (void *)&ss, alen))
		die("bind(source port)");
	alen = sizeof(ss);
	if (getsockname(fd, (void *)&ss, &alen))
		die("getsockname(source port)");
	return port_of(&ss);	/* fd stays open until exit */
}

/* Drops whatever a socket would receive. */
static void attach_drop_all(int fd)
{
	struct sock_filter insn = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog prog = { .len = 1, .filter = &insn };

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)))
		die("SO_ATTACH_FILTER");
}

static int raw_sender(void)
{
	int fd, one = 1;

	if (opt.family == AF_INET6) {
		struct sockaddr_storage ss;
		socklen_t alen = loopback(&ss, 0);

		fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_TCP);
		if (fd < 0)
			die("socket(AF_INET6, SOCK_RAW, IPPROTO_TCP)");
		/* the source address is the checksum's: ::1 */
		if (bind(fd, (void *)&ss, alen))
			die("bind(raw, ::1)");
	} else {
		fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
		if (fd < 0)
			die("socket(AF_INET, SOCK_RAW, IPPROTO_RAW)");
		if (setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)))
			die("IP_HDRINCL");
	}
	attach_drop_all(fd);	/* a raw TCP socket gets a copy of all TCP */
	return fd;
}

static int capture_socket(void)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ALL));
	int size = 4 << 20;

	if (fd < 0)
		die("socket(AF_PACKET)");
	sll.sll_ifindex = if_nametoindex("lo");
	if (!sll.sll_ifindex)
		die("if_nametoindex(lo)");
	if (bind(fd, (void *)&sll, sizeof(sll)))
		die("bind(AF_PACKET, lo)");
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return fd;
}

static struct seen *seen_by_port(int port)
{
	for (int i = 0; i < n_seen; i++)
		if (seen_tab[i]->sport == port)
			return seen_tab[i];
	return NULL;
}

/* One packet that went out on lo: the crafted SYN, or an answer to it. */
static void account(const uint8_t *pkt, int len, int proto)
{
	const uint8_t *th;
	struct seen *s;
	int sport, dport, doff, rest;

	if (proto == ETH_P_IP && opt.family == AF_INET && len >= 20 &&
	    pkt[0] >> 4 == 4 && pkt[9] == IPPROTO_TCP &&
	    len >= (pkt[0] & 0xf) * 4) {
		th = pkt + (pkt[0] & 0xf) * 4;
		rest = len - (pkt[0] & 0xf) * 4;
	} else if (proto == ETH_P_IPV6 && opt.family == AF_INET6 && len >= 40 &&
		   pkt[0] >> 4 == 6 && pkt[6] == IPPROTO_TCP) {
		th = pkt + 40;
		rest = len - 40;
	} else {
		return;
	}
	if (rest < 4)
		return;
	sport = th[0] << 8 | th[1];
	dport = th[2] << 8 | th[3];
	if (dport == lport && (s = seen_by_port(sport))) {
		s->on_wire = true;
		return;
	}
	if (sport != lport || !(s = seen_by_port(dport)) || s->answered ||
	    rest < 20)
		return;
	if ((th[13] & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK))
		s->answered = ANS_SYNACK;
	else if (th[13] & TH_RST)
		s->answered = ANS_RST;
	else
		s->answered = ANS_OTHER;
	s->ack = (uint32_t)th[8] << 24 | th[9] << 16 | th[10] << 8 | th[11];
	doff = (th[12] >> 4) * 4;
	if (doff > 20 && doff <= rest) {
		s->optlen = doff - 20;
		memcpy(s->opts, th + 20, s->optlen);
	}
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Reads lo until it has been quiet QUIET_MS, or WAIT (if not NULL) has an
 * answer, or DRAIN_MAX_MS has passed. */
static void drain(int cap, const struct seen *wait)
{
	long long end = now_ms() + DRAIN_MAX_MS;

	for (;;) {
		struct pollfd pfd = { .fd = cap, .events = POLLIN };
		long long left = end - now_ms();
		int r;

		if (wait && wait->answered)
			return;
		if (left <= 0)
			return;
		r = poll(&pfd, 1, left < QUIET_MS ? (int)left : QUIET_MS);
		if (r < 0 && errno != EINTR)
			die("poll(AF_PACKET)");
		if (r == 0)
			return;
		for (;;) {
			uint8_t pkt[2048];
			struct sockaddr_ll from;
			socklen_t flen = sizeof(from);
			ssize_t n = recvfrom(cap, pkt, sizeof(pkt), MSG_DONTWAIT,
					     (void *)&from, &flen);

			if (n < 0) {
				if (errno == EAGAIN || errno == EINTR)
					break;
				die("recvfrom(AF_PACKET)");
			}
			/* on lo each packet is seen leaving and arriving */
			if (from.sll_pkttype == PACKET_OUTGOING)
				account(pkt, n, ntohs(from.sll_protocol));
		}
	}
}

/* Builds and sends R's SYN from R->s.sport. */
static void send_syn(int raw, struct run *r, const uint8_t *data)
{
	uint8_t pkt[20 + SEG_MAX] = { 0 };
	uint8_t *seg = pkt + (opt.family == AF_INET ? 20 : 0);
	int len = r->tcp_len;
	struct sockaddr_storage dst;
	socklen_t alen = loopback(&dst, 0);
	uint16_t csum;
	ssize_t n;

	r->s.isn = random32();
	seg[0] = r->s.sport >> 8;
	seg[1] = r->s.sport;
	seg[2] = lport >> 8;
	seg[3] = lport;
	seg[4] = r->s.isn >> 24;
	seg[5] = r->s.isn >> 16;
	seg[6] = r->s.isn >> 8;
	seg[7] = r->s.isn;
	seg[12] = r->doff << 4;
	seg[13] = TH_SYN;
	seg[14] = 64240 >> 8;
	seg[15] = 64240 & 0xff;
	memcpy(seg + 20, r->opts, r->optlen);
	memcpy(seg + 20 + r->optlen, data, r->payload);
	csum = tcp_checksum(seg, len);
	if (r->c->bad_csum)
		csum ^= 0x00ff;
	if (len >= 18) {
		seg[16] = csum >> 8;
		seg[17] = csum;
	}
	if (opt.family == AF_INET) {
		uint16_t id = random32();

		pkt[0] = 0x45;
		pkt[2] = (20 + len) >> 8;
		pkt[3] = 20 + len;
		pkt[4] = id >> 8;
		pkt[5] = id;
		pkt[6] = 0x40;		/* DF */
		pkt[8] = 64;
		pkt[9] = IPPROTO_TCP;
		pkt[12] = pkt[16] = 127;
		pkt[15] = pkt[19] = 1;
		csum = fold(sum16(pkt, 20, 0));
		pkt[10] = csum >> 8;
		pkt[11] = csum;
		len += 20;
	}
	n = sendto(raw, pkt, len, 0, (void *)&dst, alen);
	if (n != len) {
		fprintf(stderr, "syn_craft: case %s: sendto(raw, %d bytes): %s\n",
			r->c->name, len, n < 0 ? strerror(errno) : "short write");
		exit(1);
	}
}

static void track(struct seen *s)
{
	s->sport = reserve_port();
	seen_tab[n_seen++] = s;
}

/* The options of a case, its geometry, and what a parser must conclude. */
static void prepare(struct run *r, const struct scase *c)
{
	struct expect e;

	r->c = c;
	if (c->opts)
		r->optlen = unhex(c->opts, r->opts, OPT_MAX, c->name);
	r->payload = c->payload;
	r->doff = c->doff ? c->doff : 5 + r->optlen / 4;
	r->tcp_len = c->tcp_len ? c->tcp_len : 20 + r->optlen + r->payload;
	r->expect = c->expect;
	if (c->live_cookie)
		return;
	if (!c->doff && r->optlen % 4) {
		fprintf(stderr, "syn_craft: case %s: %d option bytes, not a multiple of 4\n",
			c->name, r->optlen);
		exit(1);
	}
	expect_of(r, &e);
	if (!same_expect(&e, &c->expect)) {
		fprintf(stderr, "syn_craft: case %s: the table's expectation is not "
			"what the option walk concludes\n", c->name);
		exit(1);
	}
}

static void run_case(int raw, int cap, struct run *r)
{
	const struct scase *c = r->c;
	uint8_t data[64];

	if (c->data) {
		if (unhex(c->data, data, sizeof(data), c->name) != c->payload) {
			fprintf(stderr, "syn_craft: case %s: data is not %d bytes\n",
				c->name, c->payload);
			exit(1);
		}
	} else {
		for (int i = 0; i < r->payload; i++)
			data[i] = "syn-data: "[i % 10];
	}
	if (c->live_cookie) {
		/* a request first, from a port of its own; its SYN-ACK's cookie
		 * is valid for this address pair, whatever the port */
		static const struct scase req = {
			.name = "tfo-live-cookie-data(request)",
			.desc = "", .opts = MSS "2202 0101",
			.expect = OK(TFO_REQUEST, 0, -1),
		};
		struct run q = { 0 };
		const uint8_t *cookie;
		struct expect got;

		prepare(&q, &req);
		track(&q.s);
		send_syn(raw, &q, data);
		drain(cap, &q.s);
		r->cookie_sport = q.s.sport;
		parse_options(q.s.opts, q.s.optlen, &got);
		cookie = find_option(q.s.opts, q.s.optlen, 34);
		if (q.s.answered != ANS_SYNACK || got.tfo != TFO_COOKIE || !cookie) {
			fprintf(stderr, "syn_craft: case %s: the cookie request from "
				"port %d got no SYN-ACK with a cookie\n", c->name,
				q.s.sport);
			exit(3);
		}
		r->optlen = unhex(MSS, r->opts, OPT_MAX, c->name);
		memcpy(r->opts + r->optlen, cookie, 2 + got.cookie_len);
		r->optlen += 2 + got.cookie_len;
		while (r->optlen % 4)
			r->opts[r->optlen++] = 1;
		r->doff = 5 + r->optlen / 4;
		r->tcp_len = 20 + r->optlen + r->payload;
		expect_of(r, &r->expect);
	}
	send_syn(raw, r, data);
}

static void print_expect(const struct expect *e)
{
	printf("{\"tfo\":\"%s\"", tfo_names[e->tfo]);
	if (e->tfo == TFO_COOKIE)
		printf(",\"cookie_len\":%d", e->cookie_len);
	if (e->mp_capable < 0)
		printf(",\"mp_capable\":null");
	else
		printf(",\"mp_capable\":%d", e->mp_capable);
	printf(",\"malformed\":%s,\"reaches_listener\":%s}",
	       e->malformed ? "true" : "false", e->reaches ? "true" : "false");
}

/* false when the answer contradicts "reaches_listener" */
static bool print_case(const struct run *r)
{
	static const char *const answers[] = { "none", "synack", "rst", "other" };
	int optarea = r->tcp_len < 20 ? 0 :
		      (r->doff * 4 < r->tcp_len ? r->doff * 4 : r->tcp_len) - 20;

	printf("{\"op\":\"case\",\"name\":\"%s\",\"sport\":%d,\"options_hex\":",
	       r->c->name, r->s.sport);
	print_hex(r->opts, optarea > 0 ? optarea : 0);
	printf(",\"payload\":%d,\"doff\":%d,\"tcp_len\":%d,", r->payload,
	       r->doff, r->tcp_len);
	if (r->cookie_sport)
		printf("\"cookie_from_sport\":%d,", r->cookie_sport);
	printf("\"expect\":");
	print_expect(&r->expect);
	printf(",\"on_wire\":%s,\"answered\":\"%s\"",
	       r->s.on_wire ? "true" : "false", answers[r->s.answered]);
	if (r->s.answered == ANS_SYNACK) {
		struct expect got;

		parse_options(r->s.opts, r->s.optlen, &got);
		printf(",\"synack_options_hex\":");
		print_hex(r->s.opts, r->s.optlen);
		if (got.tfo == TFO_COOKIE)
			printf(",\"synack_cookie_len\":%d", got.cookie_len);
		else
			printf(",\"synack_cookie_len\":null");
		/* SYN data the listener took: TFO with a valid cookie */
		printf(",\"data_acked\":%u", r->s.ack - r->s.isn - 1);
	}
	printf("}\n");
	return r->expect.reaches == (r->s.answered != ANS_NONE);
}

static void read_counters(long long out[N_COUNTERS])
{
	for (size_t i = 0; i < N_COUNTERS; i++) {
		char *names = NULL, *values = NULL;
		size_t ncap = 0, vcap = 0;
		size_t plen = strlen(counters[i].prefix);
		FILE *f = fopen(counters[i].file, "r");

		out[i] = -1;
		if (!f)
			die(counters[i].file);
		while (getline(&names, &ncap, f) > 0 &&
		       getline(&values, &vcap, f) > 0) {
			char *sn, *sv, *n, *v;

			if (strncmp(names, counters[i].prefix, plen))
				continue;
			n = strtok_r(names + plen, " \n", &sn);
			v = strtok_r(values + plen, " \n", &sv);
			for (; n && v; n = strtok_r(NULL, " \n", &sn),
				       v = strtok_r(NULL, " \n", &sv))
				if (!strcmp(n, counters[i].name))
					out[i] = strtoll(v, NULL, 10);
			break;
		}
		free(names);
		free(values);
		fclose(f);
	}
}

static int read_tcp_fastopen(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/tcp_fastopen", "r");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static unsigned long long inode_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : (unsigned long long)st.st_ino;
}

int main(int argc, char **argv)
{
	static struct run runs[N_CASES];
	long long before[N_COUNTERS], after[N_COUNTERS];
	struct sockaddr_storage addr;
	socklen_t alen;
	int srv, raw, cap, one = 1, qlen = TFO_QLEN, n_runs = 0, bad = 0, sysctl;
	int tfo_errno = 0;
	char netns[64] = "", path[64];

	parse_args(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < N_CASES; i++)
		if (!opt.any_selected || opt.selected[i])
			prepare(&runs[n_runs++], &cases[i]);

	if (opt.new_netns) {
		const char *failed;

		if (unshare(CLONE_NEWNET))
			die("unshare(CLONE_NEWNET)");
		if ((failed = netns_loopback_up()))
			die(failed);
		if (netns_write_sysctl("net.ipv4.tcp_fastopen", 21, "3", path,
				       sizeof(path)))
			die(path);
	}
	sysctl = read_tcp_fastopen();
	if (sysctl >= 0 && !(sysctl & 2))
		fprintf(stderr, "syn_craft: net.ipv4.tcp_fastopen is %d: the server "
			"side of Fast Open is off\n", sysctl);
	if (readlink("/proc/self/ns/net", netns, sizeof(netns) - 1) < 0)
		netns[0] = '\0';

	srv = socket(opt.family, SOCK_STREAM | SOCK_CLOEXEC, opt.proto);
	if (srv < 0)
		die(opt.proto == IPPROTO_MPTCP ? "socket(MPTCP listener)" :
		    "socket(listener)");
	if (setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die("SO_REUSEADDR");
	/* an MPTCP listener of a kernel before 6.2 refuses it (the case
	 * tfotrace is for): its SYNs are parsed all the same */
	if (setsockopt(srv, SOL_TCP, TCP_FASTOPEN, &qlen, sizeof(qlen))) {
		if (opt.proto != IPPROTO_MPTCP || errno != ENOPROTOOPT)
			die("TCP_FASTOPEN");
		tfo_errno = errno;
	}
	alen = loopback(&addr, opt.port);
	if (bind(srv, (void *)&addr, alen))
		die("bind(listener)");
	if (listen(srv, 128))
		die("listen");
	alen = sizeof(addr);
	if (getsockname(srv, (void *)&addr, &alen))
		die("getsockname(listener)");
	lport = port_of(&addr);

	cap = capture_socket();
	raw = raw_sender();
	for (int i = 0; i < n_runs; i++)
		track(&runs[i].s);
	printf("{\"op\":\"server\",\"pid\":%d,\"ino\":%llu,\"netns\":\"%s\","
	       "\"proto\":%d,\"family\":%d,\"port\":%d,\"tcp_fastopen\":%d,"
	       "\"tfo_errno\":%d}\n",
	       getpid(), inode_of(srv), netns, opt.proto, opt.family, lport,
	       sysctl, tfo_errno);

	read_counters(before);
	for (int i = 0; i < n_runs; i++)
		run_case(raw, cap, &runs[i]);
	drain(cap, NULL);
	read_counters(after);

	for (int i = 0; i < n_runs; i++)
		if (!print_case(&runs[i])) {
			fprintf(stderr, "syn_craft: case %s: expected %s, got %s\n",
				runs[i].c->name,
				runs[i].expect.reaches ? "an answer" : "no answer",
				runs[i].expect.reaches ? "none" : "one");
			bad++;
		}
	printf("{\"op\":\"done\",\"cases\":%d,\"unexpected\":%d,\"delta\":{",
	       n_runs, bad);
	for (size_t i = 0; i < N_COUNTERS; i++)
		printf("%s\"%s\":%lld", i ? "," : "", counters[i].name,
		       after[i] - before[i]);
	printf("}}\n");
	close(raw);
	close(cap);
	close(srv);
	return bad ? 3 : 0;
}
