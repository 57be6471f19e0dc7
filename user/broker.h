/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Privilege separation for what tfotrace still reads of other processes
 * once it has dropped its capabilities. A child forked before the drop
 * keeps CAP_SYS_PTRACE alone (what opening another user's /proc/PID/exe
 * and /proc/PID/environ takes) and answers requests over a socket: read a
 * process (its executable opened, the descriptor passed back for tfotrace
 * to parse unprivileged, and its environment read — of which only GODEBUG
 * and LD_PRELOAD ever leave the child), or its environment alone. It dies
 * with tfotrace (PR_SET_PDEATHSIG). Transport only: what the answers mean
 * is the program room's (program.h).
 */
#ifndef TFOTRACE_BROKER_H
#define TFOTRACE_BROKER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "program.h"

struct tfo_broker {
	int sock;	/* -1: no broker */
	pid_t pid;
	bool pending;	/* forked; not yet known to hold what it keeps */
	bool ptrace;	/* it holds CAP_SYS_PTRACE: other users' processes
			 * are readable */
};

/* Forks the broker, which drops all but CAP_SYS_PTRACE while tfotrace goes
 * on. Best done early, while tfotrace holds little: the child keeps a copy
 * of its memory. 0, or -errno (then B->sock is -1 and the requests are
 * made directly, as privileged as the caller). */
int tfo_broker_start(struct tfo_broker *b);
/* Waits until the broker holds CAP_SYS_PTRACE alone (or, if tfotrace was
 * not given it, nothing: B->ptrace false): before tfotrace drops its own
 * capabilities and before any request (the requests wait for it too).
 * 0, or -errno (then B->sock is -1, as after a failed start). */
int tfo_broker_ready(struct tfo_broker *b);
void tfo_broker_stop(struct tfo_broker *b);

/* Process PID's executable (an fd, O_RDONLY, into *EXE_FD, or -errno
 * there) and its GODEBUG and LD_PRELOAD into ENV (the environment's bytes
 * read, or -errno): one round trip. B (a struct tfo_broker *) may be
 * NULL: read directly. */
int tfo_broker_read_process(void *b, uint32_t pid, int *exe_fd,
			    struct tfo_environ *env);
/* PID's GODEBUG and LD_PRELOAD alone: the bytes read, or -errno. */
int tfo_broker_read_environ(void *b, uint32_t pid, struct tfo_environ *out);

/* A program reader (/proc) whose reads go through B. */
void tfo_broker_reader(struct tfo_broker *b, struct tfo_program_reader *r);

#endif
