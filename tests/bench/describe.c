// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What reading how a process runs costs tfotrace, once per process: N
 * sleeping processes, each exec'd with an environment of ENV_BYTES (a
 * GODEBUG among other variables), read the way tfotrace reads them:
 *   environ_direct   /proc/PID/environ scanned for GODEBUG and LD_PRELOAD
 *   environ_broker   the same through the broker (tfotrace's path once it
 *                    is unprivileged: a request, the child's read, an answer)
 *   describe_broker  the whole description through the broker: the
 *                    executable opened and read for Go build information,
 *                    the environment, the cgroup (unit, container)
 * Prints one JSON line of medians in microseconds.
 *
 *   describe [--processes N] [--env-bytes B]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "broker.h"
#include "program.h"

#define MAX_PROCESSES	1000

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* An environment of about BYTES: a dozen ordinary variables, GODEBUG in
 * the middle, padding in variables of at most 60,000 bytes (the kernel
 * takes no single one longer than 128 KiB). */
#define PAD_MAX	60000

static char **make_env(size_t bytes)
{
	static const char *const base[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=/var/lib/service", "LANG=C.UTF-8", "USER=service",
		"INVOCATION_ID=4b2d3c1e9f8a7b6c5d4e3f2a1b0c9d8e",
		"JOURNAL_STREAM=8:123456", "SYSTEMD_EXEC_PID=4242",
		"GODEBUG=x509sha1=1,multipathtcp=2",
		"SERVICE_TOKEN=0123456789abcdef0123456789abcdef",
	};
	size_t n = sizeof(base) / sizeof(base[0]), used = 0;
	char **env = calloc(n + bytes / PAD_MAX + 2, sizeof(*env));

	for (size_t i = 0; i < n; i++) {
		env[i] = strdup(base[i]);
		used += strlen(base[i]) + 1;
	}
	while (used + 16 < bytes) {
		size_t len = bytes - used < PAD_MAX ? bytes - used : PAD_MAX;

		env[n] = malloc(len);
		snprintf(env[n], len, "PAD%zu=", n);
		memset(env[n] + strlen(env[n]), 'x', len - strlen(env[n]) - 1);
		env[n][len - 1] = '\0';
		used += len;
		n++;
	}
	return env;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "processes", required_argument, NULL, 'n' },
		{ "env-bytes", required_argument, NULL, 'e' },
		{ "sleep", no_argument, NULL, 's' },
		{},
	};
	static pid_t kids[MAX_PROCESSES];
	static double direct[MAX_PROCESSES], brokered[MAX_PROCESSES],
		      described[MAX_PROCESSES];
	struct tfo_broker broker = { .sock = -1, .pid = -1 };
	struct tfo_program_reader reader;
	size_t env_bytes = 4096;
	int n = 200, c, err;
	char **env;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			n = atoi(optarg);
			break;
		case 'e':
			env_bytes = strtoul(optarg, NULL, 10);
			break;
		case 's':
			pause();
			return 0;
		default:
			return 2;
		}
	}
	if (n < 1 || n > MAX_PROCESSES)
		return 2;
	env = make_env(env_bytes);
	for (int i = 0; i < n; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			char *args[] = { argv[0], "--sleep", NULL };

			execve("/proc/self/exe", args, env);
			_exit(127);
		}
	}
	usleep(200000);		/* every child exec'd */
	err = tfo_broker_start(&broker);
	if (err) {
		fprintf(stderr, "describe: broker: %s\n", strerror(-err));
		return 1;
	}
	tfo_broker_reader(&broker, &reader);
	for (int i = 0; i < n; i++) {
		struct tfo_environ e;
		struct tfo_program p;
		double t0;

		t0 = now_us();
		tfo_program_read_environ(NULL, kids[i], &e);
		direct[i] = now_us() - t0;
		if (!e.has_godebug) {
			fprintf(stderr, "describe: no GODEBUG read of %d\n", kids[i]);
			return 1;
		}
		t0 = now_us();
		tfo_broker_read_environ(&broker, kids[i], &e);
		brokered[i] = now_us() - t0;
		t0 = now_us();
		tfo_program_describe(&reader, kids[i], &p);
		described[i] = now_us() - t0;
	}
	tfo_broker_stop(&broker);
	for (int i = 0; i < n; i++) {
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, 0);
	}
	printf("{\"processes\":%d,\"env_bytes\":%zu,\"environ_direct_us\":%.1f,"
	       "\"environ_broker_us\":%.1f,\"describe_broker_us\":%.1f}\n", n,
	       env_bytes, median(direct, n), median(brokered, n),
	       median(described, n));
	return 0;
}
