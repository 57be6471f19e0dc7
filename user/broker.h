/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Privilege separation for one question asked after tfotrace has dropped
 * its capabilities: "what program is process PID running?". A child
 * forked before the drop keeps CAP_SYS_PTRACE alone (what opening another
 * user's /proc/PID/exe takes) and does nothing but open that file and pass
 * the descriptor back over a socket; tfotrace, unprivileged, reads and
 * parses it. The child dies with tfotrace (PR_SET_PDEATHSIG).
 */
#ifndef TFOTRACE_BROKER_H
#define TFOTRACE_BROKER_H

#include <stdint.h>
#include <sys/types.h>
#include "correlate.h"

struct tfo_broker {
	int sock;	/* -1: no broker */
	pid_t pid;
};

/* Forks the broker. 0, or -errno (then B->sock is -1 and
 * tfo_broker_open_exe() opens files itself, as privileged as the caller). */
int tfo_broker_start(struct tfo_broker *b);
void tfo_broker_stop(struct tfo_broker *b);

/* An fd on process PID's executable (O_RDONLY), or -errno. B may be NULL:
 * opened directly. */
int tfo_broker_open_exe(struct tfo_broker *b, uint32_t pid);

/* What process PID runs: whether it is Go and which (its executable's
 * build information), and its systemd service. P->known is false when the
 * executable could not be read. */
void tfo_broker_describe(struct tfo_broker *b, uint32_t pid,
			 struct tfo_program *p);

#endif
