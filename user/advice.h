/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The advice room: why a finding is one and how to fix it, in sentences
 * written for where they will be pasted (a shell in the right network
 * namespace, `systemctl edit`, a container's environment), from the
 * finding's evidence, the program behind it and where tfotrace runs.
 * correlate.c decides what is wrong; this says what to do, for the
 * report, JSON, doctor and the metrics alike. Pure: no I/O, no libbpf.
 */
#ifndef TFOTRACE_ADVICE_H
#define TFOTRACE_ADVICE_H

#include <stdint.h>
#include "correlate.h"

struct tfo_advice_ctx {
	int64_t sysctl;		/* tcp_fastopen of the socket's namespace,
				 * -1 unknown */
	uint32_t own_netns;	/* tfotrace's: a sysctl for a listener of
				 * another namespace is run there */
};

/* Fills F's err, why and advice from its kind, its socket or remote
 * server, its program and origin. */
void tfo_advise(struct tfo_finding *f, const struct tfo_advice_ctx *ctx);

/* The fixes for an MPTCP listener that asks for TCP_FASTOPEN on a kernel
 * that rejects it, when no listener is known (tfotrace doctor). */
void tfo_advise_kernel_rejects(struct tfo_finding *f);

#endif
