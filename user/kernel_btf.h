/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The running kernel's BTF as tfotrace's BPF objects use it, once per
 * process and from the cache (kbtf.c): the ids its BTF-attached programs
 * (fentry, fexit, iter) attach by, handed to libbpf through section
 * handlers so that libbpf never parses the kernel's whole BTF itself; the
 * minimized BTF for every object's CO-RE; and the typed-loads patching
 * (the placeholders of tfo_rdonly_cast() in bpf/sock.bpf.h). Every object
 * that loads takes a reference; the tracer's and the observer's share
 * one. */
#ifndef TFOTRACE_KERNEL_BTF_H
#define TFOTRACE_KERNEL_BTF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "kbtf.h"

struct bpf_program;

/* Takes a reference, the first one finding from the cache (or the
 * kernel's BTF) every name OBJS' BTF-attached programs, the typed loads
 * and the N_EXTRA EXTRA names need, and registering libbpf's handlers.
 * Says where the ids came from on LOG when VERBOSE. 0 or -errno with WHY
 * set. The objects are those of every later get: the first get fixes
 * them. */
int tfo_kernel_btf_get(const struct tfo_kbtf_obj *objs, size_t n_objs,
		       const struct tfo_kbtf_name *extra, size_t n_extra,
		       FILE *log, bool verbose, char *why, size_t why_len);
void tfo_kernel_btf_put(void);

/* The minimized BTF for libbpf's btf_custom_path; NULL: none (libbpf
 * reads the kernel's). Only while a reference is held. */
const char *tfo_kernel_btf_core_path(void);

/* The kernel's id of NAME of KIND (> 0), 0 when it has none, -1 when it
 * was not asked for. */
int32_t tfo_kernel_btf_id(const char *name, uint32_t kind);

/* The kernel has bpf_rdonly_cast() and the types it casts to (6.2+). */
bool tfo_kernel_btf_typed_loads(void);

/* Replaces PROG's tfo_rdonly_cast() placeholders: with the kernel's ids
 * where TYPED, else the call by "r0 = r1" (the programs do not reach it).
 * Before load. 0 or -errno. */
int tfo_kernel_btf_patch(struct bpf_program *prog, bool typed);

/* "fexit/mptcp_setsockopt" -> "mptcp_setsockopt" */
const char *tfo_prog_target(const struct bpf_program *prog);

#endif
