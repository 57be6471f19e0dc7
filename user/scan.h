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

/* A listener and the processes holding it (at most 4 named). */
struct tfo_listener {
	struct tfo_rec_listener rec;
	struct tfo_owner owners[4];
	size_t n_owners;
};

/* The first owner of L as a record header's process (pid 0: none), so
 * that findings on the listener name it from the start. */
void tfo_listener_owner_to_hdr(const struct tfo_listener *l,
			       struct tfo_rec_hdr *hdr);

/* Every listener of this network namespace, with its owners from /proc,
 * into *OUT (malloc'd; the caller frees it). Returns how many, or -errno
 * with WHY set. When /proc cannot be read the owners stay unknown and WHY
 * says so while the count is still returned; otherwise WHY is "". */
int tfo_listeners_read(const struct bpf_program *iter,
		       struct tfo_listener **out, char *why, size_t why_len);

#endif
