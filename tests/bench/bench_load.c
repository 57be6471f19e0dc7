// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The benchmark's workloads, in a fresh network namespace with loopback up:
 *
 *   bench_load sockopt [--proto tcp|mptcp] [-n N] [--threads K] [--rate R]
 *       W1 (and W3, the same loop with a tracer filtering on someone else):
 *       setsockopt(SOL_TCP, TCP_NODELAY) N times on one socket per thread;
 *       --threads K runs K threads (one process, so `tfotrace -p PID` sees
 *       them all), each with its own socket and N calls; --rate R paces the
 *       whole at about R calls/s, in bursts every millisecond.
 *   bench_load tfo [--proto tcp|mptcp] [-n N]
 *       W2: TCP Fast Open churn: a listener of that protocol with
 *       TCP_FASTOPEN, net.ipv4.tcp_fastopen=3 in its namespace; N plain-TCP
 *       clients sendto(MSG_FASTOPEN) + accept + read + close.
 *   bench_load churn [--proto tcp|mptcp] [-n N]
 *       N distinct sockets, each socket() + one setsockopt(TCP_NODELAY) +
 *       close(): a correlator fed this must stay bounded (hardening, soak).
 *   bench_load idle
 *       does nothing until its stdin ends: a process for `tfotrace -p` to
 *       watch that makes no calls (W3).
 *   bench_load bulk [--proto tcp|mptcp] [-n MIB]
 *       loopback bulk throughput: one connection to a listener of that
 *       protocol, MIB mebibytes (default 1024: 1 GiB) written by one thread
 *       in 128 KiB writes and read to the end by another (--cpu C: both
 *       on C, the other CPUs left to the tracer, as for the other
 *       workloads; apart, their wakeups across CPUs made it slower and
 *       noisier here). ns_per_op is per MiB.
 *   bench_load connrate [--proto tcp|mptcp] [-n N]
 *       short-connection rate: N connections one after another to a
 *       listener of that protocol, each connect + accept + a 5-byte write
 *       and read + close on both sides (the server first). ns_per_op is per
 *       connection. (These two are the handshake observer's workloads.)
 *
 * Common options: --wait (after the namespace is set up, print the ready line
 * and wait for a line on stdin before the measured part), --linger (after
 * the result line, stay until stdin ends: a tracer following this pid stays
 * attached while its CPU time is read), --no-netns, --cpu C (pin to CPU C;
 * threads are pinned to C, C+1, ... modulo nproc).
 *
 * Output, JSON Lines on stdout: {"op":"ready","pid":N} once the namespace is
 * up (before any call a tracer should count), then one {"op":"result",...}
 * with ns per operation (CLOCK_MONOTONIC around the measured loop only) and
 * the exact number of socket(2), setsockopt(2) and listen(2) calls made after
 * "ready", which a tracer filtering on this pid must account for exactly.
 * "cpu_ns" is the process's own CPU time (user + system, all threads, from
 * getrusage) over the same part: under a paced --rate it is the cost of the
 * calls where the wall-clock time is mostly sleep (a tracepoint's BPF
 * program runs in the caller and is charged to it).
 * Exit status: 0 done, 1 a call failed, 2 bad usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "../scenarios/netns.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000
#endif

#define MAX_THREADS 64
#define PACE_PERIOD_NS 1000000LL	/* --rate: one burst per millisecond */

static struct {
	const char *cmd;
	int proto;
	long n;
	int threads;
	long rate;
	int cpu;
	bool wait;
	bool linger;
	bool netns;
} opt = {
	.proto = IPPROTO_TCP, .n = -1, .threads = 1, .cpu = -1, .netns = true,
};

static void die(const char *what)
{
	fprintf(stderr, "bench_load: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(FILE *f, int status)
{
	fprintf(f,
		"usage: bench_load sockopt [--proto tcp|mptcp] [-n N] [--threads K] [--rate R]\n"
		"       bench_load tfo [--proto tcp|mptcp] [-n N]\n"
		"       bench_load churn [--proto tcp|mptcp] [-n N]\n"
		"       bench_load idle\n"
		"       bench_load bulk [--proto tcp|mptcp] [-n MIB]\n"
		"       bench_load connrate [--proto tcp|mptcp] [-n N]\n"
		"  common: [--wait] [--linger] [--no-netns] [--cpu C]\n"
		"  defaults: sockopt -n 1000000, tfo -n 20000, churn -n 100000,\n"
		"            bulk -n 1024 (MiB), connrate -n 20000\n");
	exit(status);
}

static long parse_num(const char *s, long min, long max, const char *what)
{
	char *end;
	double d;

	/* 1e6 and 1000000 alike */
	errno = 0;
	d = strtod(s, &end);
	if (errno || end == s || *end || d < min || d > max || d != (long)d) {
		fprintf(stderr, "bench_load: invalid %s '%s'\n", what, s);
		exit(2);
	}
	return (long)d;
}

static void parse_args(int argc, char **argv)
{
	int i;

	if (argc < 2)
		usage(stderr, 2);
	opt.cmd = argv[1];
	if (!strcmp(opt.cmd, "--help") || !strcmp(opt.cmd, "-h"))
		usage(stdout, 0);
	if (strcmp(opt.cmd, "sockopt") && strcmp(opt.cmd, "tfo") &&
	    strcmp(opt.cmd, "churn") && strcmp(opt.cmd, "idle") &&
	    strcmp(opt.cmd, "bulk") && strcmp(opt.cmd, "connrate"))
		usage(stderr, 2);
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--wait")) {
			opt.wait = true;
			continue;
		}
		if (!strcmp(a, "--linger")) {
			opt.linger = true;
			continue;
		}
		if (!strcmp(a, "--no-netns")) {
			opt.netns = false;
			continue;
		}
		if (!v)
			usage(stderr, 2);
		i++;
		if (!strcmp(a, "--proto")) {
			if (!strcmp(v, "tcp"))
				opt.proto = IPPROTO_TCP;
			else if (!strcmp(v, "mptcp"))
				opt.proto = IPPROTO_MPTCP;
			else
				usage(stderr, 2);
		} else if (!strcmp(a, "-n")) {
			opt.n = parse_num(v, 1, 1000000000L, "-n");
		} else if (!strcmp(a, "--threads")) {
			opt.threads = parse_num(v, 1, MAX_THREADS, "--threads");
		} else if (!strcmp(a, "--rate")) {
			opt.rate = parse_num(v, 1, 1000000000L, "--rate");
		} else if (!strcmp(a, "--cpu")) {
			opt.cpu = parse_num(v, 0, 4095, "--cpu");
		} else {
			usage(stderr, 2);
		}
	}
	if (opt.n < 0)
		opt.n = !strcmp(opt.cmd, "tfo") || !strcmp(opt.cmd, "connrate") ?
			20000 : !strcmp(opt.cmd, "bulk") ? 1024 : 1000000;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* user + system CPU time of the whole process, in ns */
static int64_t cpu_ns(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		die("getrusage");
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
}

static void pin(int cpu)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu % (ncpu > 0 ? ncpu : 1), &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

static void write_sysctl(const char *name, const char *value)
{
	char path[256];

	if (netns_write_sysctl(name, strlen(name), value, path, sizeof(path)))
		die(path);
}

/* Not counted: it runs before "ready". */
static void loopback_up(void)
{
	const char *failed = netns_loopback_up();

	if (failed)
		die(failed);
}

static void ready(void)
{
	char line[64];

	printf("{\"op\":\"ready\",\"pid\":%d}\n", getpid());
	fflush(stdout);
	if (opt.wait && !fgets(line, sizeof(line), stdin)) {
		fprintf(stderr, "bench_load: stdin closed before the go line\n");
		exit(1);
	}
}

static const char *proto_name(void)
{
	return opt.proto == IPPROTO_MPTCP ? "mptcp" : "tcp";
}

/* ---- W1: the setsockopt loop ---- */

struct worker {
	pthread_t thread;
	int index;
	int fd;
	long n;
	long rate;		/* this thread's calls/s, 0 unpaced */
	long failed;
	int err;
};

static void *sockopt_loop(void *arg)
{
	struct worker *w = arg;
	int one = 1;

	if (opt.cpu >= 0 && opt.threads > 1)
		pin(opt.cpu + w->index);
	if (!w->rate) {
		for (long i = 0; i < w->n; i++) {
			if (setsockopt(w->fd, SOL_TCP, TCP_NODELAY, &one,
				       sizeof(one))) {
				w->failed++;
				w->err = errno;
			}
		}
		return NULL;
	}
	/* Paced: a burst every PACE_PERIOD_NS, on absolute deadlines so that
	 * a late wakeup is made up by the next bursts. */
	long burst = w->rate * PACE_PERIOD_NS / 1000000000LL;
	struct timespec next;
	long done = 0;

	if (burst < 1)
		burst = 1;
	long long period = burst * 1000000000LL / w->rate;

	clock_gettime(CLOCK_MONOTONIC, &next);
	while (done < w->n) {
		long k = w->n - done < burst ? w->n - done : burst;

		for (long i = 0; i < k; i++) {
			if (setsockopt(w->fd, SOL_TCP, TCP_NODELAY, &one,
				       sizeof(one))) {
				w->failed++;
				w->err = errno;
			}
		}
		done += k;
		next.tv_nsec += period;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next,
				       NULL) == EINTR)
			;
	}
	return NULL;
}

static int run_sockopt(void)
{
	struct worker w[MAX_THREADS];
	long calls = 0, failed = 0;
	int64_t t0, t1, c0, c1;
	int err = 0;

	memset(w, 0, sizeof(w));
	ready();
	for (int i = 0; i < opt.threads; i++) {
		w[i].index = i;
		w[i].n = opt.n;
		w[i].rate = opt.rate ? (opt.rate + opt.threads - 1) / opt.threads : 0;
		w[i].fd = socket(AF_INET, SOCK_STREAM, opt.proto);
		if (w[i].fd < 0)
			die("socket");
	}
	c0 = cpu_ns();
	t0 = now_ns();
	if (opt.threads == 1) {
		sockopt_loop(&w[0]);
	} else {
		for (int i = 0; i < opt.threads; i++) {
			errno = pthread_create(&w[i].thread, NULL, sockopt_loop, &w[i]);
			if (errno)
				die("pthread_create");
		}
		for (int i = 0; i < opt.threads; i++)
			pthread_join(w[i].thread, NULL);
	}
	t1 = now_ns();
	c1 = cpu_ns();
	for (int i = 0; i < opt.threads; i++) {
		calls += w[i].n;
		failed += w[i].failed;
		if (w[i].err)
			err = w[i].err;
		close(w[i].fd);
	}
	printf("{\"op\":\"result\",\"workload\":\"sockopt\",\"proto\":\"%s\","
	       "\"threads\":%d,\"rate_asked\":%ld,\"calls\":%ld,\"failed\":%ld,"
	       "\"errno\":%d,\"socket_calls\":%d,\"setsockopt_calls\":%ld,"
	       "\"listen_calls\":0,\"elapsed_ns\":%lld,\"ns_per_op\":%.2f,"
	       "\"ops_per_s\":%.0f,\"cpu_ns\":%lld,\"cpu_ns_per_op\":%.2f}\n",
	       proto_name(), opt.threads, opt.rate, calls, failed, err,
	       opt.threads, calls, (long long)(t1 - t0),
	       (double)(t1 - t0) / (double)calls,
	       (double)calls * 1e9 / (double)(t1 - t0), (long long)(c1 - c0),
	       (double)(c1 - c0) / (double)calls);
	return failed ? 1 : 0;
}

/* ---- socket churn: many distinct sockets, one option each ---- */

static int run_churn(void)
{
	long n = opt.n > 0 ? opt.n : 100000, failed = 0;
	int one = 1, err = 0;
	int64_t t0, t1, c0, c1;

	ready();
	c0 = cpu_ns();
	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, opt.proto);

		if (fd < 0)
			die("socket");
		if (setsockopt(fd, SOL_TCP, TCP_NODELAY, &one, sizeof(one))) {
			failed++;
			err = errno;
		}
		close(fd);
	}
	t1 = now_ns();
	c1 = cpu_ns();
	printf("{\"op\":\"result\",\"workload\":\"churn\",\"proto\":\"%s\","
	       "\"calls\":%ld,\"failed\":%ld,\"errno\":%d,\"socket_calls\":%ld,"
	       "\"setsockopt_calls\":%ld,\"listen_calls\":0,\"elapsed_ns\":%lld,"
	       "\"ns_per_op\":%.2f,\"cpu_ns\":%lld,\"cpu_ns_per_op\":%.2f}\n",
	       proto_name(), n, failed, err, n, n, (long long)(t1 - t0),
	       (double)(t1 - t0) / (double)n, (long long)(c1 - c0),
	       (double)(c1 - c0) / (double)n);
	return failed ? 1 : 0;
}

/* ---- W2: TCP Fast Open connection churn ---- */

static unsigned long long tcpext(const char *counter)
{
	char *names = NULL, *values = NULL;
	size_t ncap = 0, vcap = 0;
	unsigned long long out = 0;
	FILE *f = fopen("/proc/net/netstat", "r");

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
			if (!strcmp(n, counter))
				out = strtoull(v, NULL, 10);
		break;
	}
	free(names);
	free(values);
	fclose(f);
	return out;
}

static int run_tfo(void)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t alen = sizeof(addr);
	int srv, one = 1, qlen = 4096;
	unsigned long long passive0, passive1;
	long received = 0;
	int64_t t0, t1, c0, c1;

	/* Ephemeral ports: the server closes first, so TIME_WAIT is on its
	 * side; a wide range anyway. */
	if (opt.netns) {
		write_sysctl("net/ipv4/tcp_fastopen", "3");
		write_sysctl("net/ipv4/ip_local_port_range", "1024 65535");
	}
	ready();
	srv = socket(AF_INET, SOCK_STREAM, opt.proto);
	if (srv < 0)
		die("socket(listener)");
	if (setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die("SO_REUSEADDR");
	/* On kernels before 6.2 MPTCP refuses this (ENOPROTOOPT): the very
	 * case tfotrace is for. The connections then go without TFO, as a
	 * Go server's would; tfo_passive in the result shows it. */
	if (setsockopt(srv, SOL_TCP, TCP_FASTOPEN, &qlen, sizeof(qlen)) &&
	    !(errno == ENOPROTOOPT && opt.proto == IPPROTO_MPTCP))
		die("TCP_FASTOPEN");
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(srv, (void *)&addr, sizeof(addr)) || listen(srv, 4096))
		die("bind/listen");
	if (getsockname(srv, (void *)&addr, &alen))
		die("getsockname");
	passive0 = tcpext("TCPFastOpenPassive");
	c0 = cpu_ns();
	t0 = now_ns();
	for (long i = 0; i < opt.n; i++) {
		char buf[16];
		int cli = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP), conn;

		if (cli < 0)
			die("socket(client)");
		/* connect, with the data in the SYN once a cookie is cached */
		if (sendto(cli, "hello", 5, MSG_FASTOPEN, (void *)&addr,
			   sizeof(addr)) != 5)
			die("sendto(MSG_FASTOPEN)");
		conn = accept(srv, NULL, NULL);
		if (conn < 0)
			die("accept");
		if (read(conn, buf, sizeof(buf)) == 5)
			received++;
		close(conn);
		close(cli);
	}
	t1 = now_ns();
	c1 = cpu_ns();
	passive1 = tcpext("TCPFastOpenPassive");
	close(srv);
	printf("{\"op\":\"result\",\"workload\":\"tfo\",\"proto\":\"%s\","
	       "\"connections\":%ld,\"received\":%ld,\"tfo_passive\":%llu,"
	       "\"socket_calls\":%ld,\"setsockopt_calls\":2,\"listen_calls\":1,"
	       "\"elapsed_ns\":%lld,\"ns_per_op\":%.2f,\"ops_per_s\":%.0f,"
	       "\"cpu_ns\":%lld,\"cpu_ns_per_op\":%.2f}\n",
	       proto_name(), opt.n, received, passive1 - passive0, opt.n + 1,
	       (long long)(t1 - t0), (double)(t1 - t0) / (double)opt.n,
	       (double)opt.n * 1e9 / (double)(t1 - t0), (long long)(c1 - c0),
	       (double)(c1 - c0) / (double)opt.n);
	return received == opt.n ? 0 : 1;
}

/* ---- the handshake observer's workloads: bulk and connection rate ---- */

/* A listener of opt.proto on 127.0.0.1, an ephemeral port: its fd, the
 * address in ADDR. Not counted: before "ready" or set-up. */
static int listener(struct sockaddr_in *addr)
{
	socklen_t alen = sizeof(*addr);
	int srv, one = 1;

	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	srv = socket(AF_INET, SOCK_STREAM, opt.proto);
	if (srv < 0)
		die("socket(listener)");
	if (setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die("SO_REUSEADDR");
	if (bind(srv, (void *)addr, sizeof(*addr)) || listen(srv, 4096))
		die("bind/listen");
	if (getsockname(srv, (void *)addr, &alen))
		die("getsockname");
	return srv;
}

#define BULK_CHUNK	(128 * 1024)

struct bulk_reader {
	pthread_t thread;
	int fd;
	long long received;
	int64_t done_ns;	/* when the last byte was read */
};

static void *bulk_read(void *arg)
{
	struct bulk_reader *r = arg;
	static char buf[BULK_CHUNK];
	ssize_t got;

	while ((got = read(r->fd, buf, sizeof(buf))) > 0)
		r->received += got;
	r->done_ns = now_ns();
	return NULL;
}

static int run_bulk(void)
{
	struct sockaddr_in addr;
	struct bulk_reader r = { 0 };
	static char buf[BULK_CHUNK];
	long long total = (long long)opt.n << 20, sent = 0;
	int srv, cli;
	int64_t t0, c0, c1;

	ready();
	srv = listener(&addr);
	cli = socket(AF_INET, SOCK_STREAM, opt.proto);
	if (cli < 0)
		die("socket(client)");
	if (connect(cli, (void *)&addr, sizeof(addr)))
		die("connect");
	r.fd = accept(srv, NULL, NULL);
	if (r.fd < 0)
		die("accept");
	memset(buf, 'x', sizeof(buf));
	c0 = cpu_ns();
	t0 = now_ns();
	errno = pthread_create(&r.thread, NULL, bulk_read, &r);
	if (errno)
		die("pthread_create");
	while (sent < total) {
		size_t len = total - sent < BULK_CHUNK ? total - sent : BULK_CHUNK;
		ssize_t put = write(cli, buf, len);

		if (put < 0) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		sent += put;
	}
	shutdown(cli, SHUT_WR);
	pthread_join(r.thread, NULL);
	c1 = cpu_ns();
	close(cli);
	close(r.fd);
	close(srv);
	printf("{\"op\":\"result\",\"workload\":\"bulk\",\"proto\":\"%s\","
	       "\"bytes\":%lld,\"received\":%lld,\"socket_calls\":2,"
	       "\"setsockopt_calls\":1,\"listen_calls\":1,\"elapsed_ns\":%lld,"
	       "\"ns_per_op\":%.2f,\"ops_per_s\":%.2f,\"bytes_per_s\":%.0f,"
	       "\"cpu_ns\":%lld,\"cpu_ns_per_op\":%.2f}\n",
	       proto_name(), total, r.received, (long long)(r.done_ns - t0),
	       (double)(r.done_ns - t0) / (double)opt.n,
	       (double)opt.n * 1e9 / (double)(r.done_ns - t0),
	       (double)r.received * 1e9 / (double)(r.done_ns - t0),
	       (long long)(c1 - c0), (double)(c1 - c0) / (double)opt.n);
	return r.received == total ? 0 : 1;
}

static int run_connrate(void)
{
	struct sockaddr_in addr;
	long received = 0;
	int srv;
	int64_t t0, t1, c0, c1;

	/* The server closes first, so TIME_WAIT is on its side; a wide port
	 * range anyway. */
	if (opt.netns)
		write_sysctl("net/ipv4/ip_local_port_range", "1024 65535");
	ready();
	srv = listener(&addr);
	c0 = cpu_ns();
	t0 = now_ns();
	for (long i = 0; i < opt.n; i++) {
		char buf[16];
		int cli = socket(AF_INET, SOCK_STREAM, opt.proto), conn;

		if (cli < 0)
			die("socket(client)");
		if (connect(cli, (void *)&addr, sizeof(addr)))
			die("connect");
		conn = accept(srv, NULL, NULL);
		if (conn < 0)
			die("accept");
		if (write(cli, "hello", 5) != 5)
			die("write");
		if (read(conn, buf, sizeof(buf)) == 5)
			received++;
		close(conn);
		close(cli);
	}
	t1 = now_ns();
	c1 = cpu_ns();
	close(srv);
	printf("{\"op\":\"result\",\"workload\":\"connrate\",\"proto\":\"%s\","
	       "\"connections\":%ld,\"received\":%ld,\"socket_calls\":%ld,"
	       "\"setsockopt_calls\":1,\"listen_calls\":1,\"elapsed_ns\":%lld,"
	       "\"ns_per_op\":%.2f,\"ops_per_s\":%.0f,\"cpu_ns\":%lld,"
	       "\"cpu_ns_per_op\":%.2f}\n",
	       proto_name(), opt.n, received, opt.n + 1, (long long)(t1 - t0),
	       (double)(t1 - t0) / (double)opt.n,
	       (double)opt.n * 1e9 / (double)(t1 - t0), (long long)(c1 - c0),
	       (double)(c1 - c0) / (double)opt.n);
	return received == opt.n ? 0 : 1;
}

static int run_idle(void)
{
	char buf[256];

	printf("{\"op\":\"ready\",\"pid\":%d}\n", getpid());
	fflush(stdout);
	while (fgets(buf, sizeof(buf), stdin))
		;
	return 0;
}

/* --linger: the result is out; stay until stdin ends */
static int linger(int status)
{
	char buf[256];

	fflush(stdout);
	if (opt.linger)
		while (fgets(buf, sizeof(buf), stdin))
			;
	return status;
}

int main(int argc, char **argv)
{
	parse_args(argc, argv);
	if (!strcmp(opt.cmd, "idle"))
		return run_idle();
	if (opt.netns) {
		if (unshare(CLONE_NEWNET))
			die("unshare(CLONE_NEWNET)");
		loopback_up();
	}
	pin(opt.cpu);
	if (!strcmp(opt.cmd, "tfo"))
		return linger(run_tfo());
	if (!strcmp(opt.cmd, "churn"))
		return linger(run_churn());
	if (!strcmp(opt.cmd, "bulk"))
		return linger(run_bulk());
	if (!strcmp(opt.cmd, "connrate"))
		return linger(run_connrate());
	return linger(run_sockopt());
}
