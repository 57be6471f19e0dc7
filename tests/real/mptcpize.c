// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * LD_PRELOAD=libmptcpize.so PROGRAM: PROGRAM's TCP stream sockets are made
 * MPTCP, as mptcpize(8) does and as Go >= 1.24 does for its listeners. So
 * a real C server from Debian's archive (haproxy) listens with MPTCP and,
 * asked for TCP Fast Open, meets what a Go server meets on a kernel before
 * 6.2. It does not fall back: with MPTCP off, socket() fails, as a program
 * that asks for MPTCP itself fails.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <sys/socket.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

int socket(int domain, int type, int protocol)
{
	static int (*real_socket)(int, int, int);

	if (!real_socket)
		real_socket = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
	if ((domain == AF_INET || domain == AF_INET6) &&
	    (type & 0xf) == SOCK_STREAM &&
	    (protocol == 0 || protocol == IPPROTO_TCP))
		protocol = IPPROTO_MPTCP;
	return real_socket(domain, type, protocol);
}
