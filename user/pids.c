// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "pids.h"
#include "procfs.h"

struct traced_pid {
	uint32_t pid;
	int pidfd;		/* -1: none, or closed once it has gone */
	bool exited;		/* seen to have exited, its records not all
				 * read yet */
	bool gone;
	uint64_t start_time;	/* tfo_proc_stat's */
	char comm[TFO_COMM_LEN];
};

static struct traced_pid traced[TFO_MAX_PIDS];
static size_t n_traced;

/* 0 when the process does not exist (or is a zombie). */
static uint64_t start_time_of(uint32_t pid)
{
	struct tfo_proc_stat st;

	if (tfo_proc_stat_read("/proc", pid, &st) ||
	    st.state == 'Z' || st.state == 'X')
		return 0;
	return st.start_time;
}

int tfo_pids_open(const uint32_t *pids, size_t n)
{
	for (size_t i = 0; i < n && i < TFO_MAX_PIDS; i++) {
		struct traced_pid *t = &traced[i];
		struct tfo_proc_status status;
		struct tfo_proc_stat st;

		t->pid = pids[i];
		t->pidfd = syscall(SYS_pidfd_open, t->pid, 0);
		n_traced = i + 1;
		t->start_time = start_time_of(t->pid);
		/* a thread: EINVAL before 6.9, ENOENT since */
		if (!tfo_proc_status_read("/proc", t->pid, &status) &&
		    status.tgid != t->pid) {
			fprintf(stderr, "tfotrace: %u is a thread of process %u: -p takes a process id\n",
				t->pid, status.tgid);
			return 2;
		}
		if ((t->pidfd < 0 && errno != ENOSYS) || !t->start_time) {
			fprintf(stderr, "tfotrace: no such process: %u\n", t->pid);
			return 1;
		}
		if (!tfo_proc_stat_read("/proc", t->pid, &st))
			memcpy(t->comm, st.comm, sizeof(t->comm));
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

size_t tfo_pids_exited(const struct pollfd *fds, size_t nfds)
{
	size_t n = 0;

	for (size_t i = 0; i < n_traced; i++) {
		struct traced_pid *t = &traced[i];

		if (t->gone || t->exited)
			continue;
		if (t->pidfd < 0)
			t->exited = start_time_of(t->pid) != t->start_time;
		for (size_t j = 0; j < nfds; j++)
			if (fds[j].fd == t->pidfd && fds[j].revents)
				t->exited = true;
		n += t->exited;
	}
	return n;
}

bool tfo_pids_reap(void)
{
	size_t live = 0;

	for (size_t i = 0; i < n_traced; i++) {
		struct traced_pid *t = &traced[i];

		if (t->exited && !t->gone) {
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
