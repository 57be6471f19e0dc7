/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What tfotrace needs of the running kernel's BTF, cached so that a start
 * reads almost none of it: the BTF ids of the functions its fentry/fexit
 * and iterator programs attach to and of the kfunc and types it patches
 * in, and a minimized BTF for CO-RE (`bpftool gen min_core_btf`: a few
 * KiB where the kernel's is 5.5 MB). libbpf 1.1 would otherwise parse the
 * whole kernel BTF for each, ~40 ms and ~10 MiB here.
 *
 * The cache (TFOTRACE_CACHE_DIR, default /var/cache/tfotrace) is keyed by
 * the kernel build's identity -- the GNU build id in /sys/kernel/notes,
 * uname's release and version, the size of /sys/kernel/btf/vmlinux -- and
 * by a hash of tfotrace's BPF objects and of the names asked for: finding
 * an entry reads nothing of the BTF. A kernel whose notes hold no build id
 * is keyed by a hash of its whole BTF instead (read at every start).
 *
 * An entry found is checked before use, and rebuilt when it fails (the
 * note says why): it must be whole (an end line with a checksum of the
 * rest), name this kernel's identity, hold every name asked for, and its
 * ids must hold in the kernel's BTF itself: its header (the sections'
 * offsets and sizes) as recorded, and each id's type record, read where
 * the entry says it is (two small reads), of the kind and name asked for.
 * The minimized BTF must have the size and hash the entry records.
 *
 * Made on first use, the ids by one streaming pass over the kernel's BTF
 * (a 64 KiB window: its 5.5 MB are never held) while bpftool makes the
 * minimized BTF in parallel; where the directory cannot be written or
 * bpftool is missing, each start does the slow work instead and says so
 * with -v.
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
	uint32_t off;	/* where its record sits in the type section (id > 0) */
};

struct tfo_kbtf {
	struct tfo_kbtf_name *names;
	size_t n;
	/* the minimized BTF for CO-RE; "": none, libbpf reads the kernel's */
	char core_btf[PATH_MAX];
	bool from_cache;	/* the ids came from a cache entry, checked */
	char note[PATH_MAX + 512];	/* why the cache was not used, or "" */
};

/* A BPF object's ELF bytes (a skeleton's elf_bytes()). */
struct tfo_kbtf_obj {
	const void *elf;
	size_t size;
};

/* Where the running kernel is read: a NULL member means the live one's.
 * For tests. */
struct tfo_kbtf_kernel {
	const char *notes;	/* /sys/kernel/notes */
	const char *btf;	/* /sys/kernel/btf/vmlinux */
	const char *release;	/* uname -r */
	const char *version;	/* uname -v */
};

/* Fills K for the N NAMES (their ids are ignored) and the N_OBJS BPF
 * objects OBJS (one minimized BTF serves them all; none is made without
 * objects), from the cache in CACHE_DIR (NULL: $TFOTRACE_CACHE_DIR or the
 * default) or, the first time, from the kernel's BTF. KERNEL: NULL, the
 * running kernel. Returns 0 or -errno with WHY set (the kernel's BTF
 * could not be read); a cache that cannot be used is not an error. */
int tfo_kbtf_open(struct tfo_kbtf *k, const struct tfo_kbtf_name *names,
		  size_t n, const struct tfo_kbtf_obj *objs, size_t n_objs,
		  const char *cache_dir, const struct tfo_kbtf_kernel *kernel,
		  char *why, size_t why_len);
void tfo_kbtf_close(struct tfo_kbtf *k);

/* The kernel's id of NAME of KIND: > 0, 0 when the kernel lacks it, -1
 * when it was not asked for. */
int32_t tfo_kbtf_id(const struct tfo_kbtf *k, const char *name, uint32_t kind);

/* ---- the parts, for tests ---- */

/* The GNU build id (a note named "GNU" of type NT_GNU_BUILD_ID) among the
 * ELF notes of /sys/kernel/notes (LEN bytes at NOTES: headers, names and
 * descriptors 4-byte aligned; a zero word where a note would start is
 * padding, skipped) into ID:
 * its length, or 0 when there is none, it is cut short or longer than
 * ID_SIZE. */
size_t tfo_elf_notes_build_id(const void *notes, size_t len,
			      unsigned char *id, size_t id_size);

/* Where a BTF file's sections are (its header). */
struct tfo_btf_layout {
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
};

/* The header of the BTF in FD; 0, or -EINVAL when it is no BTF this
 * machine reads (magic, version, sections out of the file of SIZE bytes). */
int tfo_btf_layout_read(int fd, uint64_t size, struct tfo_btf_layout *l);

/* The id of each of the N NAMES (0: none of its kind) and where its
 * record sits, in one pass over the strings, then the types, of the BTF
 * in FD (SIZE bytes), through a 64 KiB window; its layout into L. 0, or
 * -errno (-EINVAL: malformed, or a kind this tfotrace does not know). */
int tfo_btf_find(int fd, uint64_t size, struct tfo_kbtf_name *names,
		 size_t n, struct tfo_btf_layout *l);

/* Whether the N NAMES' ids hold in the BTF in FD: its header is L, and
 * each name with an id has a record of its kind and name at its offset.
 * 0, or -ESTALE with WHY set. */
int tfo_btf_verify(int fd, const struct tfo_btf_layout *l,
		   const struct tfo_kbtf_name *names, size_t n, char *why,
		   size_t why_len);

/* Whether SIZE bytes at BTF are a sound BTF: its header, every type
 * record whole and within its section, every name in the strings. */
bool tfo_btf_sound(const void *btf, size_t size);

/* The checksum on a cache entry's end line: FNV-1a, 64 bits. */
uint64_t tfo_kbtf_checksum(const void *p, size_t n);

#endif
