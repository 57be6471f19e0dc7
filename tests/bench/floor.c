// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * floor: attach an empty BPF program to the tracepoints given as
 * CATEGORY/NAME arguments, write --ready-file PATH (its content: the
 * tracepoints, one a line) once all are attached, then wait for SIGTERM or
 * SIGINT, detach, remove the file and exit 0. Exit 1 on any failure (one
 * tracepoint that does not attach fails the whole: a partial floor would be
 * a wrong one), 2 on bad usage.
 *
 *   floor [--ready-file PATH] syscalls/sys_exit_setsockopt ...
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"

#define MAX_HOOKS 64

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

static int write_ready(const char *path, char **hooks, int n)
{
	char tmp[4096];
	FILE *f;

	/* Written whole, then renamed: a reader never sees half a file. */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	for (int i = 0; i < n; i++)
		fprintf(f, "%s\n", hooks[i]);
	if (fclose(f) || rename(tmp, path))
		return -errno;
	return 0;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

int main(int argc, char **argv)
{
	struct bpf_link *links[MAX_HOOKS] = { 0 };
	const char *ready_file = NULL;
	char *hooks[MAX_HOOKS];
	struct floor_bpf *skel;
	int n = 0, err = 0, i;
	struct sigaction sa;
	sigset_t block, old;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--ready-file") && i + 1 < argc) {
			ready_file = argv[++i];
		} else if (argv[i][0] == '-' || !strchr(argv[i], '/') ||
			   n == MAX_HOOKS) {
			fprintf(stderr, "usage: floor [--ready-file PATH] CATEGORY/NAME...\n");
			return 2;
		} else {
			hooks[n++] = argv[i];
		}
	}
	if (!n) {
		fprintf(stderr, "usage: floor [--ready-file PATH] CATEGORY/NAME...\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* Blocked until sigsuspend(): a signal cannot slip in between the
	 * test of `exiting` and the wait. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);
	libbpf_set_print(quiet);

	skel = floor_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "floor: load: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++) {
		char cat[256];
		const char *name = strchr(hooks[i], '/') + 1;
		size_t len = (size_t)(name - 1 - hooks[i]);

		if (len >= sizeof(cat)) {
			err = -ENAMETOOLONG;
			break;
		}
		memcpy(cat, hooks[i], len);
		cat[len] = '\0';
		links[i] = bpf_program__attach_tracepoint(skel->progs.floor_empty,
							  cat, name);
		if (!links[i]) {
			err = -errno;
			fprintf(stderr, "floor: attach %s: %s\n", hooks[i],
				strerror(errno));
			break;
		}
	}
	if (!err && ready_file) {
		err = write_ready(ready_file, hooks, n);
		if (err)
			fprintf(stderr, "floor: ready file %s: %s\n",
				ready_file, strerror(-err));
	}
	if (!err) {
		fprintf(stderr, "floor: attached to %d tracepoint(s)\n", n);
		while (!exiting)
			sigsuspend(&old);
	}
	for (i = 0; i < n; i++)
		bpf_link__destroy(links[i]);
	floor_bpf__destroy(skel);
	if (ready_file)
		unlink(ready_file);
	return err ? 1 : 0;
}
