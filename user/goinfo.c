// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "goinfo.h"

/* debug/buildinfo's layout: the magic, the pointer size, flags (bit 1:
 * the strings follow inline, Go 1.18 and later), padding to 32 bytes,
 * then the version and the module information as varint-prefixed
 * strings. The section is 16-byte aligned. */
static const unsigned char magic[14] = "\xff Go buildinf:";
#define HEADER_BYTES	32
#define FLAG_INLINE	0x2
/* what is read of the section: its header, the version and the module
 * lines up to the build settings a finding needs */
#define INFO_BYTES	4096
/* how far into the data segment the magic is looked for when the section
 * headers are gone */
#define SEARCH_BYTES	(1 << 20)
#define SEARCH_CHUNK	(64 * 1024)

static int read_exact(int fd, void *buf, size_t n, uint64_t off)
{
	ssize_t got = pread(fd, buf, n, off);

	if (got < 0)
		return -errno;
	return (size_t)got == n ? 0 : -ENOEXEC;
}

/* A varint as encoding/binary writes it; NULL past the end. */
static const unsigned char *uvarint(const unsigned char *p,
				    const unsigned char *end, uint64_t *v)
{
	*v = 0;
	for (unsigned int shift = 0; p < end && shift < 64; shift += 7) {
		unsigned char c = *p++;

		*v |= (uint64_t)(c & 0x7f) << shift;
		if (c < 0x80)
			return p;
	}
	return NULL;
}

/* The value of multipathtcp in "build\tDefaultGODEBUG=a=1,multipathtcp=0"
 * of the module information MOD (N bytes); -1 when it is not there. */
static int default_godebug_mptcp(const char *mod, size_t n)
{
	static const char key[] = "multipathtcp=";
	const char *line = mod, *end = mod + n;

	while (line < end) {
		const char *eol = memchr(line, '\n', end - line);
		static const char want[] = "build\tDefaultGODEBUG=";
		size_t len = (eol ? eol : end) - line;

		if (len > sizeof(want) - 1 &&
		    !memcmp(line, want, sizeof(want) - 1)) {
			for (const char *p = line + sizeof(want) - 1;
			     p + sizeof(key) - 1 < line + len; p++)
				if ((p == line + sizeof(want) - 1 || p[-1] == ',') &&
				    !memcmp(p, key, sizeof(key) - 1) &&
				    p[sizeof(key) - 1] >= '0' && p[sizeof(key) - 1] <= '3')
					return p[sizeof(key) - 1] - '0';
		}
		if (!eol)
			break;
		line = eol + 1;
	}
	return -1;
}

/* The DefaultGODEBUG line's value, as it is. */
static void copy_default_godebug(const char *mod, size_t n,
				 struct tfo_goinfo *out)
{
	static const char want[] = "build\tDefaultGODEBUG=";
	const char *line = mod, *end = mod + n;

	while (line < end) {
		const char *eol = memchr(line, '\n', end - line);
		size_t len = (eol ? eol : end) - line;

		if (len >= sizeof(want) - 1 && !memcmp(line, want, sizeof(want) - 1)) {
			len -= sizeof(want) - 1;
			out->default_godebug_truncated = len >= sizeof(out->default_godebug);
			if (out->default_godebug_truncated)
				len = sizeof(out->default_godebug) - 1;
			memcpy(out->default_godebug, line + sizeof(want) - 1, len);
			out->default_godebug[len] = '\0';
			return;
		}
		if (!eol)
			break;
		line = eol + 1;
	}
}

int tfo_go_version(const char *version, int *major, int *minor)
{
	char tail;

	if (sscanf(version, "go%d.%d%c", major, minor, &tail) < 2)
		return -EINVAL;
	return 0;
}

int tfo_goinfo_parse(const unsigned char *p, size_t n, struct tfo_goinfo *out)
{
	const unsigned char *end = p + n;
	uint64_t len;
	int major, minor;

	memset(out, 0, sizeof(*out));
	out->multipathtcp = -1;
	if (n < HEADER_BYTES - sizeof(magic))
		return -ENOEXEC;
	out->is_go = true;
	if (!(p[1] & FLAG_INLINE))
		return 0;	/* before Go 1.18: pointers into the binary */
	p += HEADER_BYTES - sizeof(magic);
	p = uvarint(p, end, &len);
	if (!p || len > (uint64_t)(end - p) || !len ||
	    len >= sizeof(out->version))
		return 0;
	memcpy(out->version, p, len);
	p += len;
	if (tfo_go_version(out->version, &major, &minor) ||
	    major < 1 || (major == 1 && minor < 24))
		return 0;
	/* Go 1.24 listens with MPTCP unless go.mod keeps an older default */
	out->multipathtcp = 2;
	p = uvarint(p, end, &len);
	if (p) {
		int v = default_godebug_mptcp((const char *)p,
					      len < (uint64_t)(end - p) ?
					      len : (size_t)(end - p));

		if (v >= 0)
			out->multipathtcp = v;
		copy_default_godebug((const char *)p, len < (uint64_t)(end - p) ?
				     len : (size_t)(end - p), out);
	}
	return 0;
}

/* Where .go.buildinfo's bytes are in the file: the section by name, or the
 * magic looked for in the writable segment. 0 with *OFF set, -ENOENT. */
static int find_buildinfo(int fd, const Elf64_Ehdr *eh, uint64_t *off)
{
	unsigned char chunk[SEARCH_CHUNK];
	Elf64_Shdr sh, names;

	if (eh->e_shoff && eh->e_shentsize == sizeof(sh) &&
	    eh->e_shstrndx < eh->e_shnum &&
	    !read_exact(fd, &names, sizeof(names),
			eh->e_shoff + (uint64_t)eh->e_shstrndx * sizeof(sh))) {
		for (unsigned int i = 0; i < eh->e_shnum; i++) {
			char name[16];

			if (read_exact(fd, &sh, sizeof(sh),
				       eh->e_shoff + (uint64_t)i * sizeof(sh)) ||
			    read_exact(fd, name, sizeof(name),
				       names.sh_offset + sh.sh_name))
				continue;
			if (!memcmp(name, ".go.buildinfo", 14) &&
			    sh.sh_type == SHT_PROGBITS) {
				*off = sh.sh_offset;
				return 0;
			}
		}
	}
	/* stripped of its section headers: search the data segment */
	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;

		if (read_exact(fd, &ph, sizeof(ph),
			       eh->e_phoff + (uint64_t)i * sizeof(ph)) ||
		    ph.p_type != PT_LOAD || !(ph.p_flags & PF_W))
			continue;
		for (uint64_t at = 0; at < ph.p_filesz && at < SEARCH_BYTES;
		     at += SEARCH_CHUNK) {
			ssize_t got = pread(fd, chunk, sizeof(chunk),
					    ph.p_offset + at);

			for (ssize_t j = 0; j + (ssize_t)sizeof(magic) <= got; j += 16)
				if (!memcmp(chunk + j, magic, sizeof(magic))) {
					*off = ph.p_offset + at + j;
					return 0;
				}
		}
	}
	return -ENOENT;
}

int tfo_goinfo_read_fd(int fd, struct tfo_goinfo *out)
{
	unsigned char info[INFO_BYTES];
	Elf64_Ehdr eh;
	uint64_t off;
	ssize_t got;
	int err;

	memset(out, 0, sizeof(*out));
	out->multipathtcp = -1;
	err = read_exact(fd, &eh, sizeof(eh), 0);
	if (err)
		return err;
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return -ENOEXEC;
	if (find_buildinfo(fd, &eh, &off))
		return 0;	/* not Go */
	got = pread(fd, info, sizeof(info), off);
	if (got < (ssize_t)HEADER_BYTES || memcmp(info, magic, sizeof(magic)))
		return 0;
	return tfo_goinfo_parse(info + sizeof(magic), got - sizeof(magic), out);
}
