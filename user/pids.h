/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The processes given with -p: each held by a pidfd, so that its exit is
 * seen at once and a later process given the same pid is told apart from
 * it. Without pidfd_open (before 5.3, or under valgrind) the start time in
 * /proc tells the same, checked at every poll. */
#ifndef TFOTRACE_PIDS_H
#define TFOTRACE_PIDS_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tfotrace.h"

/* Opens PIDS (N of them, at most TFO_MAX_PIDS). Returns 0, or the exit
 * status after saying why on stderr: 1 no such process, 2 a thread id. */
int tfo_pids_open(const uint32_t *pids, size_t n);
void tfo_pids_close(void);

size_t tfo_pids_count(void);

/* A record of a pid whose traced process has gone is from a newer process
 * that reused the pid: the in-kernel filter cannot tell them apart. */
bool tfo_pids_reused(uint32_t pid);

/* Whether PID is one of the given processes (true when none was given). */
bool tfo_pids_include(uint32_t pid);

/* The pidfds of the processes still traced, appended to FDS (room for
 * TFO_MAX_PIDS); returns how many. */
size_t tfo_pids_pollfds(struct pollfd *fds);

/* Notes the processes that have exited (FDS: what poll() returned for
 * tfo_pids_pollfds' entries) and returns how many newly did: their last
 * records are in the ring buffer, to be read as theirs before
 * tfo_pids_reap() makes later ones another process's. */
size_t tfo_pids_exited(const struct pollfd *fds, size_t nfds);

/* The exited processes gone, said on stderr. True when -p was given and
 * none is left. */
bool tfo_pids_reap(void);

#endif
