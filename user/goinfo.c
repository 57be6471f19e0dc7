// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "goinfo.h"

/* debug/buildinfo's layout: the magic, the pointer size, flags (bit 1:
 * the strings follow inline, Go 1.18 and later), padding to 32 bytes,
 * then the version and the module information as varint-prefixed
 * strings. The section is 16-byte aligned. */
static const unsigned char magic[14] = "\xff Go buildinf:";
#define HEADER_BYTES	32
#define FLAG_INLINE	0x2
/* what is read of the section at first: its header and the version (a
 * varint and at most TFO_GO_VERSION_LEN - 1 bytes); the module
 * information after them is read on from the file */
#define INFO_BYTES	128
/* how far into the data segment the magic is looked for when the section
 * headers are gone */
#define SEARCH_BYTES	(1 << 20)
#define SCAN_CHUNK	(64 * 1024)

/* Real module information is a few KiB (a line per dependency): more
 * than this is not read, whatever its length says. */
#define MODINFO_MAX	(1 << 20)
#define MODINFO_CHUNK	4096

/* Go's linker writes 3 to 5 program headers and some 20 to 40 sections:
 * more are not looked at */
#define PHDRS_MAX		64
#define LOADS_MAX		16
#define SECTIONS_MAX		1024
#define SECTION_NAMES_MAX	4096

static const char godebug_line[] = "build\tDefaultGODEBUG=";
static const char mptcp_key[] = "multipathtcp";
#define MPTCP_UNSET	-1
/* a value net does not know: it keeps its default */
#define MPTCP_OTHER	4

/* pread with an offset that cannot wrap or be negative: 0 bytes past the
 * end of what a file offset can be, as at its end. */
static ssize_t pread_at(int fd, void *buf, size_t n, uint64_t off)
{
	if (off > (uint64_t)INT64_MAX - n)
		return 0;
	return pread(fd, buf, n, (off_t)off);
}

static int read_exact(int fd, void *buf, size_t n, uint64_t off)
{
	ssize_t got = pread_at(fd, buf, n, off);

	if (got < 0)
		return -errno;
	return (size_t)got == n ? 0 : -ENOEXEC;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
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

/* One comma-separated GODEBUG item, "name=value#pattern", a byte at a
 * time; of its name only whether it is multipathtcp is kept. */
struct godebug_item {
	uint32_t name_matched;	/* leading bytes equal to mptcp_key's */
	bool name_differs;
	bool has_value;		/* its '=' was seen: the rest is the value */
	bool in_pattern;	/* past the value's '#' */
	uint32_t value_len;	/* counted up to 2: one digit is all net reads */
	char value_first;
};

/* The module information ("path\t...\nbuild\tDefaultGODEBUG=...\n") fed
 * in pieces, as it is read from the file. */
struct modinfo_scan {
	struct tfo_goinfo *out;
	uint32_t line_matched;	/* leading bytes of the line equal to godebug_line's */
	bool other_line;	/* not DefaultGODEBUG's: skipped to its end */
	bool in_godebug;	/* in DefaultGODEBUG's value */
	bool done;		/* its line ended: the rest is not needed */
	size_t copied;		/* bytes of it in out->default_godebug */
	struct godebug_item item;
	int mptcp;		/* 0..3, MPTCP_OTHER or MPTCP_UNSET */
};

static void modinfo_scan_init(struct modinfo_scan *s, struct tfo_goinfo *out)
{
	memset(s, 0, sizeof(*s));
	s->out = out;
	s->mptcp = MPTCP_UNSET;
}

/* Go's internal/godebug parses GODEBUG backward and takes a name's first
 * item from the end, so the last of repeated settings wins: read forward,
 * each multipathtcp item replaces the one before. An item without '='
 * sets nothing. */
static void godebug_item_end(struct modinfo_scan *s)
{
	const struct godebug_item *it = &s->item;

	if (it->has_value && !it->name_differs &&
	    it->name_matched == sizeof(mptcp_key) - 1)
		s->mptcp = it->value_len == 1 && it->value_first >= '0' &&
			   it->value_first <= '3' ? it->value_first - '0' : MPTCP_OTHER;
	memset(&s->item, 0, sizeof(s->item));
}

static void godebug_byte(struct modinfo_scan *s, char c)
{
	struct godebug_item *it = &s->item;

	if (c == ',') {
		godebug_item_end(s);
	} else if (!it->has_value) {
		/* the name is what precedes the item's first '=' */
		if (c == '=')
			it->has_value = true;
		else if (it->name_matched < sizeof(mptcp_key) - 1 &&
			 c == mptcp_key[it->name_matched])
			it->name_matched++;
		else
			it->name_differs = true;
	} else if (!it->in_pattern) {
		/* "1#pattern" narrows the setting to call stacks bisect
		 * picks: the value is what precedes the '#' */
		if (c == '#') {
			it->in_pattern = true;
		} else {
			if (!it->value_len)
				it->value_first = c;
			if (it->value_len < 2)
				it->value_len++;
		}
	}
}

static void modinfo_byte(struct modinfo_scan *s, char c)
{
	if (s->done)
		return;
	if (s->in_godebug) {
		if (c == '\n') {
			godebug_item_end(s);
			s->done = true;
			return;
		}
		if (s->copied < sizeof(s->out->default_godebug) - 1)
			s->out->default_godebug[s->copied++] = c;
		else
			s->out->default_godebug_truncated = true;
		godebug_byte(s, c);
		return;
	}
	if (c == '\n') {
		s->line_matched = 0;
		s->other_line = false;
	} else if (!s->other_line) {
		if (c != godebug_line[s->line_matched])
			s->other_line = true;
		else if (++s->line_matched == sizeof(godebug_line) - 1)
			s->in_godebug = true;
	}
}

static void modinfo_bytes(struct modinfo_scan *s, const unsigned char *p,
			  size_t n)
{
	for (size_t i = 0; i < n && !s->done; i++)
		modinfo_byte(s, (char)p[i]);
}

/* The module information ended: where it says it does (COMPLETE; its
 * last line needs no newline) or where the bytes ran out, which leaves
 * the value's last item unknown and the value cut. */
static void modinfo_finish(struct modinfo_scan *s, bool complete)
{
	if (!s->in_godebug || s->done)
		return;
	if (complete)
		godebug_item_end(s);
	else
		s->out->default_godebug_truncated = true;
	s->done = true;
}

/* OUT->multipathtcp from its version and the last multipathtcp setting
 * of its DefaultGODEBUG. Only a toolchain that knows the setting (1.24
 * and later) writes it, so it counts even when the version is unknown. */
static void set_multipathtcp(struct tfo_goinfo *out, int setting)
{
	int major, minor;
	bool known = !tfo_go_version(out->version, &major, &minor);

	out->multipathtcp = -1;
	if (known && (major < 1 || (major == 1 && minor < 24)))
		return;
	if (setting >= 0 && setting <= 3)
		out->multipathtcp = setting;
	else if (known || setting == MPTCP_OTHER)
		out->multipathtcp = 2;	/* Go 1.24 listens with MPTCP */
}

int tfo_go_version(const char *version, int *major, int *minor)
{
	char tail;

	if (sscanf(version, "go%d.%d%c", major, minor, &tail) < 2)
		return -EINVAL;
	return 0;
}

/* The header and version of build information P (N bytes after the
 * magic) into OUT; *MOD_AT and *MOD_LEN: where in P the module string
 * starts and the length it declares, 0 and 0 when it cannot be found. */
static int parse_header(const unsigned char *p, size_t n,
			struct tfo_goinfo *out, size_t *mod_at,
			uint64_t *mod_len)
{
	const unsigned char *start = p, *end = p + n;
	uint64_t len;

	*mod_at = 0;
	*mod_len = 0;
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
	p = uvarint(p, end, &len);
	if (p) {
		*mod_at = p - start;
		*mod_len = len;
	}
	return 0;
}

int tfo_goinfo_parse(const unsigned char *p, size_t n, struct tfo_goinfo *out)
{
	struct modinfo_scan scan;
	uint64_t mod_len;
	size_t mod_at, have;
	int err;

	memset(out, 0, sizeof(*out));
	out->multipathtcp = -1;
	err = parse_header(p, n, out, &mod_at, &mod_len);
	if (err)
		return err;
	modinfo_scan_init(&scan, out);
	have = (size_t)min_u64(mod_len, n - mod_at);
	modinfo_bytes(&scan, p + mod_at, have);
	modinfo_finish(&scan, have == mod_len);
	set_multipathtcp(out, scan.mptcp);
	return 0;
}

/* A file-backed part of a PT_LOAD segment: FILESZ is cut to the file. */
struct load {
	uint64_t vaddr, off, filesz;
	uint32_t flags;
};

struct elf_file {
	int fd;
	Elf64_Ehdr eh;
	struct load loads[LOADS_MAX];
	unsigned int n_loads;
};

static void read_loads(struct elf_file *f)
{
	Elf64_Phdr ph[PHDRS_MAX];
	uint64_t file_size = UINT64_MAX;
	struct stat st;
	ssize_t got;

	if (f->eh.e_phentsize != sizeof(ph[0]))
		return;
	if (!fstat(f->fd, &st) && S_ISREG(st.st_mode))
		file_size = st.st_size;
	got = pread_at(f->fd, ph, min_u64(f->eh.e_phnum, PHDRS_MAX) * sizeof(ph[0]),
		       f->eh.e_phoff);
	for (ssize_t i = 0; i < got / (ssize_t)sizeof(ph[0]) &&
			    f->n_loads < LOADS_MAX; i++) {
		struct load *l = &f->loads[f->n_loads];

		if (ph[i].p_type != PT_LOAD || ph[i].p_offset >= file_size ||
		    ph[i].p_offset > (uint64_t)INT64_MAX)
			continue;
		l->vaddr = ph[i].p_vaddr;
		l->off = ph[i].p_offset;
		l->filesz = min_u64(ph[i].p_filesz,
				    min_u64(file_size, (uint64_t)INT64_MAX) - l->off);
		l->flags = ph[i].p_flags;
		if (l->filesz)
			f->n_loads++;
	}
}

/* Where .go.buildinfo's bytes are in the file: the section by name, or the
 * magic looked for in the writable segment. 0 with *OFF set, -ENOENT. */
static int find_buildinfo(struct elf_file *f, uint64_t *off)
{
	const Elf64_Ehdr *eh = &f->eh;
	char names[SECTION_NAMES_MAX];
	unsigned char chunk[SCAN_CHUNK];
	Elf64_Shdr sh, names_sh;
	ssize_t names_len;

	if (eh->e_shoff && eh->e_shentsize == sizeof(sh) &&
	    eh->e_shstrndx < eh->e_shnum &&
	    !read_exact(f->fd, &names_sh, sizeof(names_sh),
			eh->e_shoff + (uint64_t)eh->e_shstrndx * sizeof(sh)) &&
	    (names_len = pread_at(f->fd, names,
				  min_u64(names_sh.sh_size, sizeof(names)),
				  names_sh.sh_offset)) > 0) {
		for (unsigned int i = 0; i < eh->e_shnum && i < SECTIONS_MAX; i++) {
			if (read_exact(f->fd, &sh, sizeof(sh),
				       eh->e_shoff + (uint64_t)i * sizeof(sh)))
				break;
			if (sh.sh_type == SHT_PROGBITS &&
			    (size_t)names_len >= sizeof(".go.buildinfo") &&
			    sh.sh_name <= (size_t)names_len - sizeof(".go.buildinfo") &&
			    !memcmp(names + sh.sh_name, ".go.buildinfo",
				    sizeof(".go.buildinfo"))) {
				*off = sh.sh_offset;
				return 0;
			}
		}
	}
	/* stripped of its section headers: search the data segment */
	for (unsigned int i = 0; i < f->n_loads; i++) {
		const struct load *l = &f->loads[i];

		if (!(l->flags & PF_W))
			continue;
		for (uint64_t at = 0; at < l->filesz && at < SEARCH_BYTES;
		     at += SCAN_CHUNK) {
			ssize_t got = pread_at(f->fd, chunk, sizeof(chunk),
					       l->off + at);

			for (ssize_t j = 0; j + (ssize_t)sizeof(magic) <= got; j += 16)
				if (!memcmp(chunk + j, magic, sizeof(magic))) {
					*off = l->off + at + j;
					return 0;
				}
		}
	}
	return -ENOENT;
}

/* The module string at OFF that declares LEN bytes, at most MODINFO_MAX
 * of them read. */
static void scan_modinfo_at(int fd, uint64_t off, uint64_t len,
			    struct modinfo_scan *s)
{
	unsigned char buf[MODINFO_CHUNK];
	uint64_t want = min_u64(len, MODINFO_MAX), at = 0;

	while (at < want && !s->done) {
		ssize_t got = pread_at(fd, buf, (size_t)min_u64(sizeof(buf), want - at),
				       off + at);

		if (got <= 0)
			break;
		modinfo_bytes(s, buf, got);
		at += got;
	}
	modinfo_finish(s, at == len);
}

static int read_buildinfo(struct elf_file *f, uint64_t off,
			  struct tfo_goinfo *out)
{
	unsigned char info[INFO_BYTES];
	struct modinfo_scan scan;
	ssize_t got = pread_at(f->fd, info, sizeof(info), off);
	uint64_t mod_len;
	size_t mod_at;

	if (got < (ssize_t)HEADER_BYTES || memcmp(info, magic, sizeof(magic)))
		return 0;
	parse_header(info + sizeof(magic), got - sizeof(magic), out, &mod_at,
		     &mod_len);
	modinfo_scan_init(&scan, out);
	if (mod_at)
		scan_modinfo_at(f->fd, off + sizeof(magic) + mod_at, mod_len,
				&scan);
	set_multipathtcp(out, scan.mptcp);
	return 0;
}

int tfo_goinfo_read_fd(int fd, struct tfo_goinfo *out)
{
	struct elf_file f;
	uint64_t off;
	int err;

	memset(out, 0, sizeof(*out));
	out->multipathtcp = -1;
	memset(&f, 0, sizeof(f));
	f.fd = fd;
	err = read_exact(fd, &f.eh, sizeof(f.eh), 0);
	if (err)
		return err;
	if (memcmp(f.eh.e_ident, ELFMAG, SELFMAG) ||
	    f.eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    f.eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return -ENOEXEC;
	read_loads(&f);
	if (find_buildinfo(&f, &off))
		return 0;	/* not Go */
	return read_buildinfo(&f, off, out);
}
