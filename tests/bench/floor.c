// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * floor: attach an empty BPF program to the tracepoints given as
 * CATEGORY/NAME arguments and an empty fexit program to each kernel function
 * given with --fexit FUNC, write --ready-file PATH (its content: the hooks,
 * one a line, fexit ones as fexit/FUNC) once all are attached, then wait for
 * SIGTERM or SIGINT, detach, remove the file and exit 0. Exit 1 on any
 * failure (one hook that does not attach fails the whole: a partial floor
 * would be a wrong one), 2 on bad usage.
 *
 *   floor [--ready-file PATH] [--core] [--fexit FUNC]... [CATEGORY/NAME]...
 *   floor syscalls/sys_exit_setsockopt ...     tracepoint mode's floor
 *   floor --fexit __sys_setsockopt             fentry mode's floor
 *   floor --core syscalls/sys_exit_setsockopt  the same tracepoints, the
 *       program with one CO-RE read (floor_core.bpf.c): libbpf parses the
 *       kernel's BTF at every start (the bench's bare loader, cold)
 *
 * An fexit program's target is fixed at load time, so each --fexit target
 * gets its own copy of the object (bpf_program__set_attach_target).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"
#include "floor_core.skel.h"

#define MAX_HOOKS 64

static const char usage_text[] =
	"usage: floor [--ready-file PATH] [--core] [--fexit FUNC]... "
	"[CATEGORY/NAME]...\n";

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

/* Splits CATEGORY/NAME into CAT (of SIZE bytes); NULL if too long. */
static const char *split_hook(const char *hook, char *cat, size_t size)
{
	const char *name = strchr(hook, '/') + 1;
	size_t len = (size_t)(name - 1 - hook);

	if (len >= size) {
		fprintf(stderr, "floor: %s: name too long\n", hook);
		return NULL;
	}
	memcpy(cat, hook, len);
	cat[len] = '\0';
	return name;
}

/* One object, its tracepoint program attached to every tracepoint hook. */
static struct floor_bpf *load_tracepoints(char **hooks, int n,
					  struct bpf_link **links)
{
	struct floor_bpf *skel = floor_bpf__open();
	int i;

	if (!skel) {
		fprintf(stderr, "floor: open: %s\n", strerror(errno));
		return NULL;
	}
	bpf_program__set_autoload(skel->progs.floor_fexit, false);
	if (floor_bpf__load(skel)) {
		fprintf(stderr, "floor: load: %s\n", strerror(errno));
		floor_bpf__destroy(skel);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		char cat[256];
		const char *name = split_hook(hooks[i], cat, sizeof(cat));

		if (!name)
			return skel;
		links[i] = bpf_program__attach_tracepoint(skel->progs.floor_empty,
							  cat, name);
		if (!links[i]) {
			fprintf(stderr, "floor: attach %s: %s\n", hooks[i],
				strerror(errno));
			return skel;
		}
	}
	return skel;
}

/* --core: the CO-RE object, its program attached to every tracepoint. */
static struct floor_core_bpf *load_core(char **hooks, int n,
					struct bpf_link **links)
{
	struct floor_core_bpf *skel = floor_core_bpf__open_and_load();
	int i;

	if (!skel) {
		fprintf(stderr, "floor: open/load (--core): %s\n",
			strerror(errno));
		return NULL;
	}
	for (i = 0; i < n; i++) {
		char cat[256];
		const char *name = split_hook(hooks[i], cat, sizeof(cat));

		if (!name)
			return skel;
		links[i] = bpf_program__attach_tracepoint(skel->progs.floor_core,
							  cat, name);
		if (!links[i]) {
			fprintf(stderr, "floor: attach %s: %s\n", hooks[i],
				strerror(errno));
			return skel;
		}
	}
	return skel;
}

/* One object per fexit target: its fexit program loaded for FUNC. */
static struct floor_bpf *load_fexit(const char *func, struct bpf_link **link)
{
	struct floor_bpf *skel = floor_bpf__open();
	int err;

	if (!skel) {
		fprintf(stderr, "floor: open: %s\n", strerror(errno));
		return NULL;
	}
	bpf_program__set_autoload(skel->progs.floor_empty, false);
	err = bpf_program__set_attach_target(skel->progs.floor_fexit, 0, func);
	if (err) {
		fprintf(stderr, "floor: fexit %s: %s\n", func, strerror(-err));
		floor_bpf__destroy(skel);
		return NULL;
	}
	if (floor_bpf__load(skel)) {
		fprintf(stderr, "floor: load fexit %s: %s\n", func,
			strerror(errno));
		floor_bpf__destroy(skel);
		return NULL;
	}
	*link = bpf_program__attach(skel->progs.floor_fexit);
	if (!*link)
		fprintf(stderr, "floor: attach fexit %s: %s\n", func,
			strerror(errno));
	return skel;
}

int main(int argc, char **argv)
{
	struct bpf_link *links[MAX_HOOKS] = { 0 };
	struct floor_bpf *skels[MAX_HOOKS + 1] = { 0 };
	struct floor_core_bpf *core_skel = NULL;
	int core = 0;
	const char *ready_file = NULL;
	char *tps[MAX_HOOKS], *fexits[MAX_HOOKS], *hooks[MAX_HOOKS];
	char names[MAX_HOOKS][160];
	int ntp = 0, nfx = 0, nskel = 0, err = 0, i;
	struct sigaction sa;
	sigset_t block, old;

	for (i = 1; i < argc; i++) {
		if (ntp + nfx == MAX_HOOKS) {
			fputs(usage_text, stderr);
			return 2;
		}
		if (!strcmp(argv[i], "--ready-file") && i + 1 < argc) {
			ready_file = argv[++i];
		} else if (!strcmp(argv[i], "--core")) {
			core = 1;
		} else if (!strcmp(argv[i], "--fexit") && i + 1 < argc &&
			   argv[i + 1][0] && strlen(argv[i + 1]) < 128) {
			fexits[nfx++] = argv[++i];
		} else if (argv[i][0] == '-' || !strchr(argv[i], '/')) {
			fputs(usage_text, stderr);
			return 2;
		} else {
			tps[ntp++] = argv[i];
		}
	}
	if ((!ntp && !nfx) || (core && (nfx || !ntp))) {
		fputs(usage_text, stderr);
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

	if (ntp && core) {
		core_skel = load_core(tps, ntp, links);
		if (!core_skel)
			err = -1;
		for (i = 0; !err && i < ntp; i++)
			if (!links[i])
				err = -1;
	} else if (ntp) {
		skels[nskel] = load_tracepoints(tps, ntp, links);
		if (!skels[nskel++])
			err = -1;
		for (i = 0; !err && i < ntp; i++)
			if (!links[i])
				err = -1;
	}
	for (i = 0; !err && i < nfx; i++) {
		skels[nskel] = load_fexit(fexits[i], &links[ntp + i]);
		if (!skels[nskel++] || !links[ntp + i])
			err = -1;
	}
	for (i = 0; i < ntp; i++)
		hooks[i] = tps[i];
	for (i = 0; i < nfx; i++) {
		snprintf(names[i], sizeof(names[i]), "fexit/%s", fexits[i]);
		hooks[ntp + i] = names[i];
	}
	if (!err && ready_file) {
		err = write_ready(ready_file, hooks, ntp + nfx);
		if (err)
			fprintf(stderr, "floor: ready file %s: %s\n",
				ready_file, strerror(-err));
	}
	if (!err) {
		fprintf(stderr, "floor: attached to %d tracepoint(s), %d fexit "
			"target(s)\n", ntp, nfx);
		while (!exiting)
			sigsuspend(&old);
	}
	for (i = 0; i < ntp + nfx; i++)
		bpf_link__destroy(links[i]);
	for (i = 0; i < nskel; i++)
		floor_bpf__destroy(skels[i]);
	floor_core_bpf__destroy(core_skel);
	if (ready_file)
		unlink(ready_file);
	return err ? 1 : 0;
}
