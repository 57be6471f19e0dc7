// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * TCP Fast Open clients of a server this program did not make (a real
 * proxy): N connections to ADDR:PORT (127.0.0.1 by default: a loopback
 * address of its own keeps the namespace's cookie for 127.0.0.1 out of
 * it), each sending an HTTP request in
 * its SYN with MSG_FASTOPEN and reading the answer. Runs in the network
 * namespace it is started in; sets net.ipv4.tcp_fastopen's client bit there
 * if asked. Prints one JSON line: how many connections got an answer, and
 * the namespace's TFO counters before and after.
 *
 *   tfo_client --port PORT [--addr IPV4] [--clients N] [--sysctl NAME=VALUE]...
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "netns.h"

#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000
#endif

static const char *const counters[] = {
	"TCPFastOpenActive", "TCPFastOpenActiveFail", "TCPFastOpenPassive",
	"TCPFastOpenCookieReqd",
};
#define N_COUNTERS (sizeof(counters) / sizeof(counters[0]))

static void read_counters(long long out[N_COUNTERS])
{
	char names[8192], values[8192];
	FILE *f = fopen("/proc/net/netstat", "r");

	memset(out, 0, N_COUNTERS * sizeof(out[0]));
	while (f && fgets(names, sizeof(names), f) && fgets(values, sizeof(values), f)) {
		char *ns, *vs, *n, *v;

		if (strncmp(names, "TcpExt:", 7))
			continue;
		n = strtok_r(names, " \n", &ns);
		v = strtok_r(values, " \n", &vs);
		while ((n = strtok_r(NULL, " \n", &ns)) && (v = strtok_r(NULL, " \n", &vs)))
			for (size_t i = 0; i < N_COUNTERS; i++)
				if (!strcmp(n, counters[i]))
					out[i] = atoll(v);
	}
	if (f)
		fclose(f);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "addr", required_argument, NULL, 'a' },
		{ "clients", required_argument, NULL, 'n' },
		{ "sysctl", required_argument, NULL, 's' },
		{},
	};
	static const char request[] = "GET / HTTP/1.0\r\n\r\n";
	long long before[N_COUNTERS], after[N_COUNTERS];
	int port = 0, clients = 5, answered = 0, c;
	const char *server = "127.0.0.1";
	struct in_addr server_addr;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			port = atoi(optarg);
			break;
		case 'n':
			clients = atoi(optarg);
			break;
		case 'a':
			server = optarg;
			break;
		case 's': {
			char path[256], *eq = strchr(optarg, '=');

			if (!eq || netns_write_sysctl(optarg, eq - optarg, eq + 1,
						      path, sizeof(path))) {
				perror(optarg);
				return 1;
			}
			break;
		}
		default:
			fprintf(stderr, "usage: tfo_client --port PORT [--addr IPV4] [--clients N] [--sysctl NAME=VALUE]...\n");
			return 2;
		}
	}
	if (port <= 0 || port > 65535 || clients < 0) {
		fprintf(stderr, "tfo_client: --port 1-65535 needed\n");
		return 2;
	}
	if (inet_pton(AF_INET, server, &server_addr) != 1) {
		fprintf(stderr, "tfo_client: --addr %s: not an IPv4 address\n", server);
		return 2;
	}
	read_counters(before);
	for (int i = 0; i < clients; i++) {
		struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(port) };
		struct timeval tv = { .tv_sec = 3 };
		char buf[4096];
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		ssize_t n;

		if (fd < 0) {
			perror("socket");
			return 1;
		}
		addr.sin_addr = server_addr;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (sendto(fd, request, sizeof(request) - 1, MSG_FASTOPEN,
			   (struct sockaddr *)&addr, sizeof(addr)) == sizeof(request) - 1) {
			n = read(fd, buf, sizeof(buf) - 1);
			if (n > 0) {
				buf[n] = '\0';
				answered += strstr(buf, "HTTP/1.") == buf;
			}
		}
		close(fd);
	}
	read_counters(after);
	printf("{\"op\":\"done\",\"pid\":%d,\"clients\":%d,\"answered\":%d,\"delta\":{",
	       (int)getpid(), clients, answered);
	for (size_t i = 0; i < N_COUNTERS; i++)
		printf("%s\"%s\":%lld", i ? "," : "", counters[i], after[i] - before[i]);
	printf("}}\n");
	return 0;
}
