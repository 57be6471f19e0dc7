/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The handshake observer (bpf/wire.bpf.c): its own BPF object, writing
 * into the tracer's ring buffer and reading its listener owners, so that
 * records keep one order and one lost count. Attached to the cgroup v2
 * root, or to --cgroup's directory, with links that go when tfotrace
 * does. */
#ifndef TFOTRACE_WIRE_H
#define TFOTRACE_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tfotrace.h"

struct tfo_wire;

struct tfo_wire_opts {
	const uint32_t *pids;		/* -p: by the listener's owner or the
					 * connecting process */
	size_t npids;
	int cgroup_fd;			/* --cgroup's directory: attached
					 * there; <= 0: the hierarchy's root */
	enum tfo_record_policy policy;
	uint32_t ringbuf_bytes;		/* the tracer's ring */
	int events_fd;			/* the tracer's maps, shared */
	int owners_fd;
	int wakeup_fd;
	const char *btf_path;		/* for CO-RE; NULL: the kernel's */
};

/* Loads the observer and attaches it. -errno with WHY set (one line:
 * what is missing) when it cannot; nothing stays attached then. */
int tfo_wire_open(struct tfo_wire **out, const struct tfo_wire_opts *opts,
		  char *why, size_t why_len);
void tfo_wire_free(struct tfo_wire *w);

/* Where it is attached (a cgroup directory). */
const char *tfo_wire_cgroup(const struct tfo_wire *w);
/* Records it had no ring-buffer room for. */
uint64_t tfo_wire_lost(const struct tfo_wire *w);
/* Packets its relevance filter counted without recording them, summed
 * over the CPUs, by enum tfo_wire_packet. 0 or -errno. */
int tfo_wire_skipped(const struct tfo_wire *w,
		     uint64_t out[TFO_WIRE__MAX]);

/* The object's ELF, for the kernel-BTF cache (one minimized BTF serves
 * every object). */
const void *tfo_wire_elf(size_t *size);

#endif
