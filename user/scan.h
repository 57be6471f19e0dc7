/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The listener scan: a one-shot BPF socket iterator over this process's
 * network namespace. */
#ifndef TFOTRACE_SCAN_H
#define TFOTRACE_SCAN_H

#include <stddef.h>
#include "tfotrace.h"

typedef void (*tfo_listener_cb)(void *ctx, const struct tfo_rec_listener *l);

/* Calls CB once per listening TCP socket (MPTCP listeners appear through
 * their subflow listener, named by the MPTCP socket's inode). Returns the
 * number of listeners, or -errno with WHY set. */
struct bpf_program;
int tfo_scan_listeners(const struct bpf_program *iter, tfo_listener_cb cb,
		       void *ctx, char *why, size_t why_len);

#endif
