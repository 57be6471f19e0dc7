// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A TCP Fast Open server and its clients, the way a Go >= 1.24 server meets
 * plain-TCP clients: a listener (MPTCP or TCP) that asks for TCP_FASTOPEN,
 * then N clients connecting with MSG_FASTOPEN on loopback. Runs in a fresh
 * network namespace by default, so sysctls and counters are its own.
 * Prints JSON Lines of what it did and the namespace's TFO counters, so a
 * test can compare tfotrace's numbers with the kernel's.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "netns.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000
#endif

static const char *const tfo_counters[] = {
	"TCPFastOpenActive", "TCPFastOpenActiveFail", "TCPFastOpenPassive",
	"TCPFastOpenPassiveFail", "TCPFastOpenListenOverflow",
	"TCPFastOpenCookieReqd",
};
#define N_COUNTERS (sizeof(tfo_counters) / sizeof(tfo_counters[0]))

static struct {
	int proto;
	int family;
	int clients;
	int qlen;
	bool tfo_sockopt;
	bool new_netns;
	bool wait;
	bool wait_first;
	const char *sysctls[16];
	int n_sysctls;
} opt = {
	.proto = IPPROTO_MPTCP, .family = AF_INET, .clients = 5, .qlen = 256,
	.tfo_sockopt = true, .new_netns = true,
};

static void die(const char *what)
{
	fprintf(stderr, "tfo_scenario: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tfo_scenario [--proto tcp|mptcp] [--family 4|6] [--clients N]\n"
		"                    [--qlen N] [--no-tfo-sockopt] [--sysctl NAME=VALUE]...\n"
		"                    [--no-netns] [--wait | --wait-first]\n"
		"  --wait: after listen(), print {\"op\":\"ready\"} and wait for a line on\n"
		"          stdin before the clients connect\n"
		"  --wait-first: the same, before the server socket is made\n");
}

static long parse_num(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "tfo_scenario: invalid %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

static void parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "proto", required_argument, NULL, 'P' },
		{ "family", required_argument, NULL, 'f' },
		{ "clients", required_argument, NULL, 'n' },
		{ "qlen", required_argument, NULL, 'q' },
		{ "no-tfo-sockopt", no_argument, NULL, 'T' },
		{ "sysctl", required_argument, NULL, 's' },
		{ "no-netns", no_argument, NULL, 'N' },
		{ "wait", no_argument, NULL, 'w' },
		{ "wait-first", no_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'P':
			if (!strcmp(optarg, "tcp"))
				opt.proto = IPPROTO_TCP;
			else if (!strcmp(optarg, "mptcp"))
				opt.proto = IPPROTO_MPTCP;
			else {
				fprintf(stderr, "tfo_scenario: invalid protocol '%s'\n", optarg);
				exit(2);
			}
			break;
		case 'f':
			opt.family = parse_num(optarg, 4, 6, "family") == 6 ?
				     AF_INET6 : AF_INET;
			break;
		case 'n':
			opt.clients = parse_num(optarg, 0, 100000, "client count");
			break;
		case 'q':
			opt.qlen = parse_num(optarg, 0, 1 << 20, "queue length");
			break;
		case 'T':
			opt.tfo_sockopt = false;
			break;
		case 's':
			if (opt.n_sysctls == 16 || !strchr(optarg, '=')) {
				fprintf(stderr, "tfo_scenario: invalid --sysctl '%s'\n", optarg);
				exit(2);
			}
			opt.sysctls[opt.n_sysctls++] = optarg;
			break;
		case 'N':
			opt.new_netns = false;
			break;
		case 'w':
			opt.wait = true;
			break;
		case 'W':
			opt.wait_first = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tfo_scenario: unexpected argument '%s'\n", argv[optind]);
		exit(2);
	}
}

/* NAME=VALUE, checked to hold '=' by parse_args() */
static void write_sysctl(const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	char path[256];

	if (netns_write_sysctl(assignment, eq - assignment, eq + 1, path,
			       sizeof(path)))
		die(path);
}

static void loopback_up(void)
{
	const char *failed = netns_loopback_up();

	if (failed)
		die(failed);
}

/* This namespace's TFO counters from /proc/net/netstat (TcpExt). */
static void read_counters(unsigned long long out[N_COUNTERS])
{
	char *names = NULL, *values = NULL;
	size_t ncap = 0, vcap = 0;
	FILE *f = fopen("/proc/net/netstat", "r");

	memset(out, 0, N_COUNTERS * sizeof(out[0]));
	if (!f)
		die("/proc/net/netstat");
	while (getline(&names, &ncap, f) > 0 && getline(&values, &vcap, f) > 0) {
		char *sn, *sv, *n, *v;

		if (strncmp(names, "TcpExt:", 7))
			continue;
		n = strtok_r(names + 7, " \n", &sn);
		v = strtok_r(values + 7, " \n", &sv);
		for (; n && v; n = strtok_r(NULL, " \n", &sn),
			       v = strtok_r(NULL, " \n", &sv))
			for (size_t i = 0; i < N_COUNTERS; i++)
				if (!strcmp(n, tfo_counters[i]))
					out[i] = strtoull(v, NULL, 10);
		break;
	}
	free(names);
	free(values);
	fclose(f);
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

static void wait_for_go(void)
{
	char line[16];

	printf("{\"op\":\"ready\",\"pid\":%d}\n", getpid());
	if (!fgets(line, sizeof(line), stdin))
		exit(1);
}

static unsigned long long inode_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : (unsigned long long)st.st_ino;
}

int main(int argc, char **argv)
{
	unsigned long long before[N_COUNTERS], after[N_COUNTERS];
	struct sockaddr_storage addr;
	socklen_t alen;
	int srv, one = 1, ret, err = 0, port, accepted = 0;
	char netns[64] = "";

	parse_args(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (opt.new_netns) {
		if (unshare(CLONE_NEWNET))
			die("unshare(CLONE_NEWNET)");
		loopback_up();
	}
	for (int i = 0; i < opt.n_sysctls; i++)
		write_sysctl(opt.sysctls[i]);
	if (readlink("/proc/self/ns/net", netns, sizeof(netns) - 1) < 0)
		netns[0] = '\0';
	if (opt.wait_first)
		wait_for_go();

	srv = socket(opt.family, SOCK_STREAM, opt.proto);
	if (srv < 0)
		die("socket(server)");
	if (setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die("SO_REUSEADDR");
	ret = 0;
	if (opt.tfo_sockopt) {
		ret = setsockopt(srv, SOL_TCP, TCP_FASTOPEN, &opt.qlen,
				 sizeof(opt.qlen));
		err = ret ? errno : 0;
	}
	alen = loopback(&addr, 0);
	if (bind(srv, (void *)&addr, alen) || listen(srv, 128))
		die("bind/listen");
	alen = sizeof(addr);
	if (getsockname(srv, (void *)&addr, &alen))
		die("getsockname");
	port = ntohs(opt.family == AF_INET6 ? ((struct sockaddr_in6 *)&addr)->sin6_port :
		     ((struct sockaddr_in *)&addr)->sin_port);
	printf("{\"op\":\"server\",\"pid\":%d,\"ino\":%llu,\"netns\":\"%s\","
	       "\"proto\":%d,\"family\":%d,\"port\":%d,\"tfo_sockopt\":%s,"
	       "\"tfo_ret\":%d,\"tfo_errno\":%d}\n", getpid(), inode_of(srv),
	       netns, opt.proto, opt.family, port,
	       opt.tfo_sockopt ? "true" : "false", ret, err);
	if (opt.wait)
		wait_for_go();

	read_counters(before);
	for (int i = 0; i < opt.clients; i++) {
		char buf[16];
		int cli = socket(opt.family, SOCK_STREAM, IPPROTO_TCP), conn;

		if (cli < 0)
			die("socket(client)");
		alen = loopback(&addr, port);
		/* connect + data in the SYN when a cookie is cached */
		if (sendto(cli, "hello", 5, MSG_FASTOPEN, (void *)&addr, alen) != 5)
			die("sendto(MSG_FASTOPEN)");
		conn = accept(srv, NULL, NULL);
		if (conn < 0)
			die("accept");
		if (read(conn, buf, sizeof(buf)) == 5)
			accepted++;
		close(conn);
		close(cli);
	}
	read_counters(after);
	printf("{\"op\":\"done\",\"clients\":%d,\"received\":%d,\"delta\":{",
	       opt.clients, accepted);
	for (size_t i = 0; i < N_COUNTERS; i++)
		printf("%s\"%s\":%llu", i ? "," : "", tfo_counters[i],
		       after[i] - before[i]);
	printf("}}\n");
	close(srv);
	return 0;
}
