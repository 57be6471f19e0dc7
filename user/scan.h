/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The listener scan: one-shot BPF iterators over this process's network
 * namespace (its listeners) and over every process's open files (who holds
 * them). */
#ifndef TFOTRACE_SCAN_H
#define TFOTRACE_SCAN_H

#include <stddef.h>
#include "attach.h"
#include "tfotrace.h"

#define TFO_LISTENER_OWNERS	4

/* A listener and the processes holding it: owners[0] is the one it is
 * attributed to, the holder none of the others descends from (a pre-fork
 * server's master, not one of its workers); then the others, in pid
 * order, at most TFO_LISTENER_OWNERS named; n_holders counts them all. */
struct tfo_listener {
	struct tfo_rec_listener rec;
	struct tfo_owner owners[TFO_LISTENER_OWNERS];
	size_t n_owners;
	size_t n_holders;
};

/* The attributed owner of L as a record header's process (pid 0: none), so
 * that findings on the listener name it from the start. */
void tfo_listener_owner_to_hdr(const struct tfo_listener *l,
			       struct tfo_rec_hdr *hdr);

/* Every listener of this network namespace (MPTCP listeners appear through
 * their subflow listener, named by the MPTCP socket's inode), with their
 * owners, into *OUT (malloc'd; the caller frees it). Returns how many, or
 * -errno with WHY set. When the owners cannot be found they stay unknown
 * and WHY says so while the count is still returned; otherwise WHY is "". */
int tfo_listeners_read(const struct tfo_scan_progs *progs,
		       struct tfo_listener **out, char *why, size_t why_len);

#endif
