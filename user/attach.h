/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Which attach flavour this kernel offers, found by really loading and
 * attaching it, as libbpf-tools' fentry_can_attach does. */
#ifndef TFOTRACE_ATTACH_H
#define TFOTRACE_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <bpf/libbpf.h>
#include "tfotrace.h"

struct tfo_tracer;

struct tfo_tracer_opts {
	enum tfo_attach_mode mode;	/* TFO_MODE_AUTO tries them in order */
	const uint32_t *pids;		/* in-kernel filter; none: all */
	size_t npids;
	uint32_t ringbuf_bytes;		/* a power of two, >= page size */
	int cgroup_fd;			/* > 0: only tasks in this cgroup v2
					 * directory or below it */
	FILE *log;			/* warnings and the attempts made */
	const char *btf_path;		/* the kernel's BTF from a file (BTFHub);
					 * NULL: /sys/kernel/btf/vmlinux */
	enum tfo_record_policy policy;	/* which calls become records */
	bool verbose;			/* say why the BTF cache is not used */
};

/* Mounts tracefs on /sys/kernel/tracing when neither it nor debugfs's
 * copy is there (a minimal system, a chroot): the syscall tracepoints
 * attach through it. Says a mount on LOG; WHY (WHY_LEN bytes) gets why
 * tracefs cannot be read ("" when it can): then tracepoint mode hooks the
 * syscalls through raw_syscalls instead, which needs no tracefs. */
void tfo_ensure_tracefs(FILE *log, char *why, size_t why_len);

/* Loads and attaches the programs of one flavour. On failure returns
 * -errno with WHY set to a one-line reason, and nothing stays attached;
 * -ENOMEM when any flavour ran out of memory (a memory cgroup limit). */
int tfo_tracer_open(struct tfo_tracer **out,
		    const struct tfo_tracer_opts *opts, char *why,
		    size_t why_len);
void tfo_tracer_free(struct tfo_tracer *t);

enum tfo_attach_mode tfo_tracer_mode(const struct tfo_tracer *t);
int tfo_tracer_ringbuf_fd(const struct tfo_tracer *t);
uint64_t tfo_tracer_lost(const struct tfo_tracer *t);
/* Whether tcp_try_fastopen() is hooked: per-SYN TFO evidence. */
bool tfo_tracer_has_tfo_probes(const struct tfo_tracer *t);
/* Whether tcp_fastopen_cache_set() is: what each remote server answered
 * this host's TFO clients. */
bool tfo_tracer_has_synack_probe(const struct tfo_tracer *t);
/* The maps another object writing records shares (bpf/record.bpf.h):
 * the ring buffer, the listener owners, the wakeup count. */
void tfo_tracer_shared_maps(const struct tfo_tracer *t, int *events,
			    int *owners, int *wakeup);
/* Attribute a listener found by the scan, so that its TFO events carry
 * (and are filtered by) its owner. */
int tfo_tracer_seed_owner(struct tfo_tracer *t, uint64_t ino,
			  const struct tfo_owner *owner);

/* Calls the kernel counted but did not record, summed over the CPUs, by
 * enum tfo_call. 0 or -errno. */
int tfo_tracer_skipped(const struct tfo_tracer *t,
		       uint64_t out[TFO_CALL__MAX]);
/* Whether the kernel's MPTCP takes TCP_FASTOPEN (6.2+, or a backport), as
 * its BTF tells. */
bool tfo_tracer_mptcp_takes_tfo(const struct tfo_tracer *t);
/* Tracepoint mode without tracefs: the syscalls' exits hooked through the
 * raw_syscalls one (a test on every syscall's exit). */
bool tfo_tracer_raw_syscalls(const struct tfo_tracer *t);
/* Whether fields are read with typed loads (bpf_rdonly_cast, 6.2+). */
bool tfo_tracer_typed_loads(const struct tfo_tracer *t);

/* The listener scan's iterators, loaded with the tracer: listeners and
 * their owners. LISTENERS is NULL without the kernel's own BTF file
 * (iterators attach only there). */
struct tfo_scan_progs {
	const struct bpf_program *listeners;	/* iter/tcp */
	const struct bpf_program *owners;	/* iter/task_file */
	int inos_fd;				/* the owners' inode filter */
};
void tfo_tracer_scan_progs(const struct tfo_tracer *t,
			   struct tfo_scan_progs *out);
/* For --scan: the object with the iterator alone, nothing attached. */
int tfo_scanner_open(struct tfo_tracer **out, const char *btf_path,
		     char *why, size_t why_len);

#endif
