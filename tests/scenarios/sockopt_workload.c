// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sockopt_workload: a known sequence of socket(2), setsockopt(2) and
 * listen(2) calls, each reported as one JSON line of what libc saw, so a
 * test can compare tfotrace's records with the truth.
 *
 * It moves into a fresh network namespace first (loopback only, nothing
 * it does is visible outside), brings lo up without the ip binary,
 * optionally writes sysctls there, prints {"op":"ready","pid":N} and waits
 * for one line on stdin (so a tracer can attach to that pid) before it
 * does the work.
 *
 * Only libc: builds with -static for use inside test VMs.
 *   gcc -std=gnu11 -Wall -Wextra -Werror -O2 sockopt_workload.c -o sockopt_workload
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <linux/sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "netns.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef SOL_TCP
#define SOL_TCP 6
#endif
#ifndef SOL_IP
#define SOL_IP 0
#endif
#ifndef SOL_IPV6
#define SOL_IPV6 41
#endif
#ifndef TCP_FASTOPEN
#define TCP_FASTOPEN 23
#endif
#ifndef TCP_USER_TIMEOUT
#define TCP_USER_TIMEOUT 18
#endif
#ifndef TCP_CONGESTION
#define TCP_CONGESTION 13
#endif
#ifndef TCP_MD5SIG
#define TCP_MD5SIG 14
#endif

#define PROG "sockopt_workload"
#define BAD_OPTNAME 9999
#define LISTEN_BACKLOG 16
#define MAX_SYSCTLS 32

static const char usage_text[] =
	"Usage: " PROG " [--no-wait] [--as-pid PID] [--sysctl NAME=VALUE]...\n"
	"\n"
	"Enters a new network namespace, brings lo up, writes the given sysctls\n"
	"there (NAME as net.ipv4.tcp_fastopen or net/ipv4/tcp_fastopen), prints\n"
	"{\"op\":\"ready\",\"pid\":N} and waits for one line on stdin. Then, for\n"
	"TCP/IPv4, TCP/IPv6, MPTCP/IPv4 and MPTCP/IPv6: socket(), a fixed list of\n"
	"setsockopt() calls (some fail on purpose), bind to loopback port 0 and\n"
	"listen(). Every call is reported on stdout as one JSON line; the last\n"
	"line is {\"op\":\"done\"}.\n"
	"\n"
	"  --no-wait            do not wait for a line on stdin after \"ready\"\n"
	"  --as-pid PID         do it all in a child created with pid PID\n"
	"                       (clone3 set_tid, needs root): a reused pid\n"
	"  --sysctl NAME=VALUE  write VALUE to /proc/sys/NAME inside the new\n"
	"                       namespace (repeatable, at most 32)\n"
	"  --help               show this help\n"
	"\n"
	"Exit status: 0 done (failing calls are results, not errors), 1 setup\n"
	"failed (needs root: unshare(CLONE_NEWNET)), 2 bad arguments.\n";

static void die_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, PROG ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (try --help)\n");
	exit(2);
}

static void die_errno(const char *what, const char *arg)
{
	int e = errno;

	if (arg)
		fprintf(stderr, PROG ": %s %s: %s\n", what, arg, strerror(e));
	else
		fprintf(stderr, PROG ": %s: %s\n", what, strerror(e));
	exit(1);
}

static unsigned long long fd_ino(int fd)
{
	struct stat st;

	if (fd < 0 || fstat(fd, &st) != 0)
		return 0;
	return (unsigned long long)st.st_ino;
}

/* "ino":N, or "ino":null when the fd is not valid. */
static void print_ino(int fd, unsigned long long ino)
{
	if (fd >= 0)
		printf("\"ino\":%llu", ino);
	else
		printf("\"ino\":null");
}

static int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return 0;
}

static void bring_lo_up(void)
{
	const char *failed = netns_loopback_up();

	if (failed)
		die_errno(failed, NULL);
}

static int valid_sysctl(const char *spec)
{
	const char *eq = strchr(spec, '=');
	const char *p;

	if (!eq || eq == spec || spec[0] == '/' || spec[0] == '.')
		return 0;
	for (p = spec; p < eq; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
		      *p == '.' || *p == '/'))
			return 0;
		if ((*p == '.' || *p == '/') && (p[1] == '.' || p[1] == '/'))
			return 0;
	}
	return 1;
}

/* spec is NAME=VALUE, already validated; opened after unshare(), so
 * /proc/sys/net is this namespace's. */
static void write_sysctl(const char *spec)
{
	const char *eq = strchr(spec, '=');
	char path[512], value[256];

	if ((size_t)snprintf(value, sizeof(value), "%s\n", eq + 1) >= sizeof(value)) {
		fprintf(stderr, PROG ": sysctl too long: %s\n", spec);
		exit(1);
	}
	if (netns_write_sysctl(spec, (size_t)(eq - spec), value, path,
			       sizeof(path)))
		die_errno("write", path);
}

static void wait_for_line(void)
{
	int c;

	do
		c = getchar();
	while (c != EOF && c != '\n');
}

static int obs_socket(int family, int type, int protocol)
{
	int fd = socket(family, type, protocol);
	int err = fd < 0 ? errno : 0;

	printf("{\"op\":\"socket\",\"family\":%d,\"type\":%d,\"protocol\":%d,"
	       "\"ret\":%d,\"errno\":%d,",
	       family, type, protocol, fd, err);
	print_ino(fd, fd_ino(fd));
	printf("}\n");
	return fd;
}

/* is_int: the value is an int and is printed; otherwise optval is null. */
static void obs_setsockopt(int fd, int level, int optname, const void *val,
			   socklen_t len, int is_int)
{
	int ret = setsockopt(fd, level, optname, val, len);
	int err = ret < 0 ? errno : 0;

	printf("{\"op\":\"setsockopt\",\"fd\":%d,", fd);
	print_ino(fd, fd_ino(fd));
	printf(",\"level\":%d,\"optname\":%d,", level, optname);
	if (is_int)
		printf("\"optval\":%d,", *(const int *)val);
	else
		printf("\"optval\":null,");
	printf("\"optlen\":%u,\"ret\":%d,\"errno\":%d}\n",
	       (unsigned int)len, ret, err);
}

static void setsockopt_int(int fd, int level, int optname, int value)
{
	obs_setsockopt(fd, level, optname, &value, sizeof(value), 1);
}

static void obs_bind_loopback(int fd, int family)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int ret, err;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		len = sizeof(*sin6);
	}
	ret = bind(fd, (struct sockaddr *)&ss, len);
	err = ret < 0 ? errno : 0;
	printf("{\"op\":\"bind\",\"fd\":%d,", fd);
	print_ino(fd, fd_ino(fd));
	printf(",\"ret\":%d,\"errno\":%d,\"port\":%d}\n", ret, err,
	       ret == 0 ? local_port(fd) : 0);
}

static void obs_listen(int fd)
{
	int ret = listen(fd, LISTEN_BACKLOG);
	int err = ret < 0 ? errno : 0;

	printf("{\"op\":\"listen\",\"fd\":%d,", fd);
	print_ino(fd, fd_ino(fd));
	printf(",\"backlog\":%d,\"ret\":%d,\"errno\":%d,\"port\":%d}\n",
	       LISTEN_BACKLOG, ret, err, local_port(fd));
}

/* The fixed sequence on one socket. Returns the fd, or -1. */
static int exercise(int family, int protocol)
{
	static const char cc[] = "cubic";
	struct tcp_md5sig md5;
	int fd;

	fd = obs_socket(family, SOCK_STREAM, protocol);
	if (fd < 0)
		return -1;

	setsockopt_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	setsockopt_int(fd, SOL_TCP, TCP_NODELAY, 1);
	setsockopt_int(fd, SOL_TCP, TCP_FASTOPEN, 256);
	setsockopt_int(fd, SOL_TCP, TCP_USER_TIMEOUT, 30000);
	memset(&md5, 0, sizeof(md5));
	obs_setsockopt(fd, SOL_TCP, TCP_MD5SIG, &md5, sizeof(md5), 0);
	obs_setsockopt(fd, SOL_TCP, TCP_CONGESTION, cc, strlen(cc), 0);
	if (family == AF_INET)
		setsockopt_int(fd, SOL_IP, IP_TTL, 64);
	else
		setsockopt_int(fd, SOL_IPV6, IPV6_UNICAST_HOPS, 64);
	setsockopt_int(fd, SOL_TCP, BAD_OPTNAME, 1);
	obs_bind_loopback(fd, family);
	obs_listen(fd);
	return fd;
}

/* Go on as a child with pid WANT; the parent waits and passes on how the
 * child ended. */
static void become_pid(pid_t want)
{
	struct clone_args args = {
		.exit_signal = SIGCHLD,
		.set_tid = (uintptr_t)&want,
		.set_tid_size = 1,
	};
	long child = syscall(SYS_clone3, &args, sizeof(args));
	int status;

	if (child < 0)
		die_errno("clone3 with set_tid", NULL);
	if (child == 0)
		return;
	if (waitpid(child, &status, 0) < 0)
		die_errno("waitpid", NULL);
	exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

int main(int argc, char **argv)
{
	static const struct { int family, protocol; } combos[] = {
		{ AF_INET, IPPROTO_TCP },
		{ AF_INET6, IPPROTO_TCP },
		{ AF_INET, IPPROTO_MPTCP },
		{ AF_INET6, IPPROTO_MPTCP },
	};
	const char *sysctls[MAX_SYSCTLS];
	int fds[sizeof(combos) / sizeof(combos[0])];
	int nsysctls = 0, wait = 1, i;
	long as_pid = 0;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *spec;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage_text, stdout);
			return 0;
		} else if (!strcmp(a, "--no-wait")) {
			wait = 0;
		} else if (!strcmp(a, "--as-pid")) {
			char *end;

			if (i + 1 >= argc)
				die_usage("%s needs a PID", a);
			as_pid = strtol(argv[++i], &end, 10);
			if (*end || as_pid < 2 || as_pid > 4194304)
				die_usage("bad --as-pid '%s'", argv[i]);
		} else if (!strcmp(a, "--sysctl") || !strncmp(a, "--sysctl=", 9)) {
			if (a[8] == '=') {
				spec = a + 9;
			} else {
				if (i + 1 >= argc)
					die_usage("%s needs NAME=VALUE", a);
				spec = argv[++i];
			}
			if (!valid_sysctl(spec))
				die_usage("bad --sysctl '%s', want NAME=VALUE", spec);
			if (nsysctls >= MAX_SYSCTLS)
				die_usage("too many --sysctl (at most 32), at '%s'", spec);
			sysctls[nsysctls++] = spec;
		} else {
			die_usage("unknown argument '%s'", a);
		}
	}

	/* Line-buffered even into a pipe: the test reads "ready" live. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (as_pid)
		become_pid(as_pid);
	if (unshare(CLONE_NEWNET) != 0)
		die_errno("unshare(CLONE_NEWNET)", NULL);
	bring_lo_up();
	for (i = 0; i < nsysctls; i++)
		write_sysctl(sysctls[i]);

	printf("{\"op\":\"ready\",\"pid\":%d}\n", (int)getpid());
	fflush(stdout);
	if (wait)
		wait_for_line();

	for (i = 0; i < (int)(sizeof(combos) / sizeof(combos[0])); i++)
		fds[i] = exercise(combos[i].family, combos[i].protocol);
	for (i = 0; i < (int)(sizeof(combos) / sizeof(combos[0])); i++)
		if (fds[i] >= 0)
			close(fds[i]);

	printf("{\"op\":\"done\"}\n");
	if (fflush(stdout) != 0)
		return 1;
	return 0;
}
