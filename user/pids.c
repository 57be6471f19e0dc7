// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "pids.h"

struct traced_pid {
	uint32_t pid;
	int pidfd;		/* -1: none, or closed once it has gone */
	bool gone;
	unsigned long long start_time;	/* field 22 of /proc/PID/stat */
	char comm[TFO_COMM_LEN];
};

static struct traced_pid traced[TFO_MAX_PIDS];
static size_t n_traced;

static uint32_t tgid_of(uint32_t tid)
{
	char path[40], line[128];
	unsigned int tgid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/status", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %u", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

/* 0 when the process does not exist (or is a zombie). */
static unsigned long long start_time_of(uint32_t pid)
{
	char path[40], buf[1024], *p;
	unsigned long long start = 0;
	char state = 0;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');	/* comm may hold spaces and parentheses */
	if (!p || sscanf(p + 1, " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
			 "%*s %*s %*s %*s %*s %*s %*s %*s %llu", &state, &start) != 2)
		return 0;
	return state == 'Z' || state == 'X' ? 0 : start;
}

int tfo_pids_open(const uint32_t *pids, size_t n)
{
	for (size_t i = 0; i < n && i < TFO_MAX_PIDS; i++) {
		struct traced_pid *t = &traced[i];
		uint32_t tgid;
		char path[40];
		FILE *f;

		t->pid = pids[i];
		t->pidfd = syscall(SYS_pidfd_open, t->pid, 0);
		n_traced = i + 1;
		t->start_time = start_time_of(t->pid);
		tgid = tgid_of(t->pid);
		/* a thread: EINVAL before 6.9, ENOENT since */
		if (tgid && tgid != t->pid) {
			fprintf(stderr, "tfotrace: %u is a thread of process %u: -p takes a process id\n",
				t->pid, tgid);
			return 2;
		}
		if ((t->pidfd < 0 && errno != ENOSYS) || !t->start_time) {
			fprintf(stderr, "tfotrace: no such process: %u\n", t->pid);
			return 1;
		}
		snprintf(path, sizeof(path), "/proc/%u/comm", t->pid);
		f = fopen(path, "r");
		if (f) {
			if (fgets(t->comm, sizeof(t->comm), f))
				t->comm[strcspn(t->comm, "\n")] = 0;
			fclose(f);
		}
	}
	return 0;
}

void tfo_pids_close(void)
{
	for (size_t i = 0; i < n_traced; i++)
		if (traced[i].pidfd >= 0) {
			close(traced[i].pidfd);
			traced[i].pidfd = -1;
		}
}

size_t tfo_pids_count(void)
{
	return n_traced;
}

bool tfo_pids_reused(uint32_t pid)
{
	for (size_t i = 0; i < n_traced; i++)
		if (traced[i].pid == pid)
			return traced[i].gone;
	return false;
}

bool tfo_pids_include(uint32_t pid)
{
	if (!n_traced)
		return true;
	for (size_t i = 0; i < n_traced; i++)
		if (traced[i].pid == pid)
			return true;
	return false;
}

size_t tfo_pids_pollfds(struct pollfd *fds)
{
	size_t n = 0;

	for (size_t i = 0; i < n_traced; i++)
		if (!traced[i].gone && traced[i].pidfd >= 0)
			fds[n++] = (struct pollfd){ .fd = traced[i].pidfd,
						    .events = POLLIN };
	return n;
}

bool tfo_pids_reap(const struct pollfd *fds, size_t nfds)
{
	size_t live = 0;

	for (size_t i = 0; i < n_traced; i++) {
		struct traced_pid *t = &traced[i];
		bool exited = false;

		if (t->gone)
			continue;
		if (t->pidfd < 0)
			exited = start_time_of(t->pid) != t->start_time;
		for (size_t j = 0; j < nfds; j++)
			if (fds[j].fd == t->pidfd && fds[j].revents)
				exited = true;
		if (exited) {
			fprintf(stderr, "tfotrace: process %u (%s) exited\n",
				t->pid, t->comm);
			t->gone = true;
			if (t->pidfd >= 0)
				close(t->pidfd);
			t->pidfd = -1;
		}
		live += !t->gone;
	}
	return n_traced && !live;
}
