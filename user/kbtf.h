/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What tfotrace needs of the running kernel's BTF, cached so that a start
 * reads none of it: the BTF ids of the functions its fentry/fexit and
 * iterator programs attach to and of the kfunc and types it patches in,
 * and a minimized BTF for CO-RE (`bpftool gen min_core_btf`: a few KiB
 * where the kernel's is 5.5 MB). libbpf 1.1 would otherwise parse the
 * whole kernel BTF for each, ~40 ms and ~10 MiB here.
 *
 * The cache (TFOTRACE_CACHE_DIR, default /var/cache/tfotrace) is keyed by
 * a hash of the kernel's BTF itself (read at every start: ~2 ms), of
 * tfotrace's BPF object and of the names asked for: a kernel update, or a
 * new tfotrace, can never meet a stale entry. Made on first use; where the
 * directory cannot be written or bpftool is missing, each start does the
 * slow work instead and says so with -v.
 */
#ifndef TFOTRACE_KBTF_H
#define TFOTRACE_KBTF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TFO_KBTF_DEFAULT_CACHE	"/var/cache/tfotrace"

/* A name asked for: a BTF kind (BTF_KIND_FUNC, BTF_KIND_STRUCT) and the
 * kernel's type id for it, 0 when the kernel has none. */
struct tfo_kbtf_name {
	char name[64];
	uint32_t kind;
	int32_t id;
};

struct tfo_kbtf {
	struct tfo_kbtf_name *names;
	size_t n;
	/* the minimized BTF for CO-RE; "": none, libbpf reads the kernel's */
	char core_btf[PATH_MAX];
	bool from_cache;	/* nothing of the kernel's BTF was parsed */
	char note[PATH_MAX + 256];	/* why the cache was not used, or "" */
};

/* A BPF object's ELF bytes (a skeleton's elf_bytes()). */
struct tfo_kbtf_obj {
	const void *elf;
	size_t size;
};

/* Fills K for the N NAMES (their ids are ignored) and the N_OBJS BPF
 * objects OBJS (one minimized BTF serves them all), from the cache in
 * CACHE_DIR (NULL: $TFOTRACE_CACHE_DIR or the default) or, the first time,
 * from /sys/kernel/btf/vmlinux. Returns 0 or -errno with WHY set (the
 * kernel's BTF could not be read); a cache that cannot be used is not an
 * error. */
int tfo_kbtf_open(struct tfo_kbtf *k, const struct tfo_kbtf_name *names,
		  size_t n, const struct tfo_kbtf_obj *objs, size_t n_objs,
		  const char *cache_dir, char *why, size_t why_len);
void tfo_kbtf_close(struct tfo_kbtf *k);

/* The kernel's id of NAME of KIND: > 0, 0 when the kernel lacks it, -1
 * when it was not asked for. */
int32_t tfo_kbtf_id(const struct tfo_kbtf *k, const char *name, uint32_t kind);

#endif
