// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE	/* memmem */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

/* cmd/go wraps the module information in sentinels (runtime/debug
 * strips them), in .go.buildinfo and in the string runtime.modinfo points
 * at, which stays in the read-only data when .go.buildinfo is gone. They
 * are kept inverted: as they are, one after the other, they would make
 * tfotrace's own executable look like Go's. */
#define SENTINEL_LEN	16
static const volatile unsigned char modinfo_start_inverted[SENTINEL_LEN] = {
	0xcf, 0x88, 0x50, 0xf3, 0x6d, 0x8b, 0xf7, 0xfd,
	0xbe, 0x1e, 0x3e, 0xf8, 0x19, 0x29, 0xe7, 0x19,
};
static const volatile unsigned char modinfo_end_inverted[SENTINEL_LEN] = {
	0x06, 0xcd, 0xbc, 0xce, 0x79, 0xe7, 0xdf, 0x8d,
	0xff, 0x7d, 0xbd, 0xef, 0xbe, 0xe9, 0x27, 0x0d,
};

/* volatile: the compiler does not turn them back at build time */
static void sentinel(unsigned char out[SENTINEL_LEN],
		     const volatile unsigned char inverted[SENTINEL_LEN])
{
	for (size_t i = 0; i < SENTINEL_LEN; i++)
		out[i] = ~inverted[i];
}

/* Real module information is a few KiB (a line per dependency): more
 * than this is not read, whatever a length or a missing sentinel says. */
#define MODINFO_MAX	(1 << 20)
#define MODINFO_CHUNK	4096

/* Without build information everything is found by reading segments:
 * the module information sits 12 MiB into a 26 MiB read-only segment of
 * Debian's prometheus, so a segment is read whole up to a cap, and all
 * reads of one executable together up to another. */
#define SCAN_CHUNK		(64 * 1024)
/* read past a chunk's end, so that a sentinel, a version string or a
 * string header that begins in the chunk is whole in it */
#define SCAN_OVERLAP		64
#define SEGMENT_SCAN_MAX	(64ULL << 20)
#define SCAN_TOTAL_MAX		(160ULL << 20)
/* Go's linker writes 3 to 5 program headers and some 20 to 40 sections:
 * more are not looked at */
#define PHDRS_MAX		64
#define LOADS_MAX		16
#define SECTIONS_MAX		1024
#define SECTION_NAMES_MAX	4096
/* "go1." strings in the read-only data: a handful in a real binary */
#define VERSION_CANDIDATES_MAX	128

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

static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
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

/* Section headers read in one call: an executable has a few dozen, and
 * a read per header cost ~80 system calls a description. */
#define SHDRS_CACHED		64

struct elf_file {
	int fd;
	Elf64_Ehdr eh;
	struct load loads[LOADS_MAX];
	unsigned int n_loads;
	uint64_t budget;	/* bytes the scans may still read */
	Elf64_Shdr shdrs[SHDRS_CACHED];
	unsigned int n_shdrs;	/* of them read */
	bool shdrs_read;
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

/* Section header I (the caller has checked e_shentsize): from the first
 * SHDRS_CACHED, read together on first use, or read alone. */
static int read_section(struct elf_file *f, unsigned int i, Elf64_Shdr *sh)
{
	if (!f->shdrs_read) {
		ssize_t got = pread_at(f->fd, f->shdrs,
				       min_u64(f->eh.e_shnum, SHDRS_CACHED) *
				       sizeof(f->shdrs[0]), f->eh.e_shoff);

		f->shdrs_read = true;
		f->n_shdrs = got > 0 ? (unsigned int)(got / sizeof(f->shdrs[0])) : 0;
	}
	if (i < f->n_shdrs) {
		*sh = f->shdrs[i];
		return 0;
	}
	return read_exact(f->fd, sh, sizeof(*sh),
			  f->eh.e_shoff + (uint64_t)i * sizeof(*sh));
}

/* The file offset of LEN bytes at virtual address VADDR, if a segment
 * holds them whole in the file. */
static bool vaddr_to_offset(const struct elf_file *f, uint64_t vaddr,
			    uint64_t len, uint64_t *off)
{
	for (unsigned int i = 0; i < f->n_loads; i++) {
		const struct load *l = &f->loads[i];
		uint64_t into = vaddr - l->vaddr;

		if (vaddr < l->vaddr || into > l->filesz ||
		    len > l->filesz - into)
			continue;
		*off = l->off + into;
		return true;
	}
	return false;
}

/* Called with each chunk of a region read by scan_region: AT is the
 * chunk's offset in the region; only matches that begin in the first
 * OWNED bytes are the chunk's (the SCAN_OVERLAP bytes after them are the
 * next chunk's, there only so that what begins before them is whole).
 * Returns false to stop. */
typedef bool (*chunk_fn)(void *ctx, const struct load *region, uint64_t at,
			 const unsigned char *chunk, size_t got, size_t owned);

static void scan_region(struct elf_file *f, const struct load *region,
			chunk_fn visit, void *ctx)
{
	unsigned char chunk[SCAN_CHUNK + SCAN_OVERLAP];
	uint64_t size = min_u64(region->filesz, SEGMENT_SCAN_MAX);

	for (uint64_t at = 0; at < size; at += SCAN_CHUNK) {
		size_t want = (size_t)min_u64(sizeof(chunk), size - at);
		ssize_t got;

		if (want > f->budget)
			return;
		f->budget -= want;
		got = pread_at(f->fd, chunk, want, region->off + at);
		if (got <= 0 ||
		    !visit(ctx, region, at, chunk, got,
			   (size_t)min_u64(got, SCAN_CHUNK)) ||
		    (size_t)got < want)
			return;
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
	    !read_section(f, eh->e_shstrndx, &names_sh) &&
	    (names_len = pread_at(f->fd, names,
				  min_u64(names_sh.sh_size, sizeof(names)),
				  names_sh.sh_offset)) > 0) {
		unsigned int i;

		for (i = 0; i < eh->e_shnum && i < SECTIONS_MAX; i++) {
			if (read_section(f, i, &sh))
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
		/* Go's linker names the section wherever it writes headers */
		if (i == eh->e_shnum)
			return -ENOENT;
	}
	/* stripped of its section headers: search the data segment */
	for (unsigned int i = 0; i < f->n_loads; i++) {
		const struct load *l = &f->loads[i];

		if (!(l->flags & PF_W))
			continue;
		for (uint64_t at = 0; at < l->filesz && at < SEARCH_BYTES;
		     at += SCAN_CHUNK) {
			ssize_t got = pread_at(f->fd, chunk,
					       min_u64(sizeof(chunk), l->filesz - at),
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

static bool starts_like_modinfo(const unsigned char *p, size_t n)
{
	static const char *const first[] = { "go\t", "path\t", "mod\t", "dep\t", "build\t" };

	for (size_t i = 0; i < sizeof(first) / sizeof(first[0]); i++)
		if (n >= strlen(first[i]) && !memcmp(p, first[i], strlen(first[i])))
			return true;
	return false;
}

/* The module information after its start sentinel at OFF, up to its end
 * sentinel; false when that is not within MODINFO_MAX bytes. */
static bool scan_modinfo_sentinels(int fd, uint64_t off, struct modinfo_scan *s)
{
	unsigned char buf[MODINFO_CHUNK + SENTINEL_LEN - 1], end_sentinel[SENTINEL_LEN];
	size_t kept = 0;	/* bytes that may begin the end sentinel */

	sentinel(end_sentinel, modinfo_end_inverted);
	for (uint64_t at = 0; at < MODINFO_MAX;) {
		ssize_t got = pread_at(fd, buf + kept, MODINFO_CHUNK, off + at);
		const unsigned char *end;
		size_t have, fed;

		if (got <= 0)
			return false;
		/* BuildInfo.String()'s first line: anything else that sits
		 * between the sentinels is not module information */
		if (!at && !starts_like_modinfo(buf, got))
			return false;
		at += got;
		have = kept + got;
		end = memmem(buf, have, end_sentinel, sizeof(end_sentinel));
		if (end) {
			modinfo_bytes(s, buf, end - buf);
			modinfo_finish(s, true);
			return true;
		}
		fed = have - min_u64(have, sizeof(end_sentinel) - 1);
		modinfo_bytes(s, buf, fed);
		kept = have - fed;
		memmove(buf, buf + fed, kept);
	}
	return false;
}

struct version_candidate {
	uint64_t vaddr;
	uint32_t len;		/* bytes of it read, at most sizeof(text) */
	/* a version and the byte after it */
	char text[TFO_GO_VERSION_LEN];
};

/* What the read-only segments hold: the module information's start and
 * the strings that may be runtime.buildVersion's. */
struct rodata_scan {
	unsigned char start_sentinel[SENTINEL_LEN];
	bool has_modinfo;
	uint64_t modinfo_off;	/* in the file, of the start sentinel */
	struct version_candidate cand[VERSION_CANDIDATES_MAX];
	unsigned int n_cand;
};

static bool rodata_chunk(void *ctx, const struct load *l, uint64_t at,
			 const unsigned char *chunk, size_t got, size_t owned)
{
	static const char prefix[] = "go1.";
	struct rodata_scan *r = ctx;

	if (!r->has_modinfo) {
		const unsigned char *p = memmem(chunk, got, r->start_sentinel,
						sizeof(r->start_sentinel));

		if (p && (size_t)(p - chunk) < owned) {
			r->has_modinfo = true;
			r->modinfo_off = l->off + at + (p - chunk);
		}
	}
	/* memchr, not memmem: glibc's memmem takes 15 times as long for so
	 * short a needle, and this runs over all of the read-only data */
	for (const unsigned char *p = chunk;
	     r->n_cand < VERSION_CANDIDATES_MAX &&
	     (p = memchr(p, prefix[0], owned - (p - chunk))); p++) {
		struct version_candidate *c = &r->cand[r->n_cand];
		size_t pos = p - chunk;

		/* "go1." then a digit, else not a version */
		if (pos + sizeof(prefix) - 1 >= got ||
		    memcmp(p, prefix, sizeof(prefix) - 1) ||
		    p[sizeof(prefix) - 1] < '0' || p[sizeof(prefix) - 1] > '9')
			continue;
		c->vaddr = l->vaddr + at + pos;
		c->len = (uint32_t)min_u64(sizeof(c->text), got - pos);
		memcpy(c->text, p, c->len);
		r->n_cand++;
	}
	return true;
}

static int candidate_cmp(const void *a, const void *b)
{
	const struct version_candidate *x = a, *y = b;

	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

/* The read-only data's segments (not the code's, where Go's linker puts
 * none of it; a segment that is both is read only when no other holds
 * data). */
static void scan_rodata(struct elf_file *f, struct rodata_scan *r)
{
	bool have_rodata = false;

	for (unsigned int i = 0; i < f->n_loads; i++)
		if (!(f->loads[i].flags & (PF_W | PF_X)))
			have_rodata = true;
	for (unsigned int i = 0; i < f->n_loads; i++) {
		uint32_t flags = f->loads[i].flags;

		if (!(flags & PF_W) && (!(flags & PF_X) || !have_rodata))
			scan_region(f, &f->loads[i], rodata_chunk, r);
	}
	qsort(r->cand, r->n_cand, sizeof(r->cand[0]), candidate_cmp);
}

static bool all_digits(const char **p, const char *end)
{
	const char *start = *p;

	while (*p < end && **p >= '0' && **p <= '9')
		(*p)++;
	return *p > start;
}

/* go[0-9]+\.[0-9]+(\.[0-9]+)?(rc[0-9]+|beta[0-9]+)? and nothing more: a
 * release's runtime.Version() ("devel ..." and " X:experiment" are not
 * versions tfo_go_version can compare) */
static bool is_release_version(const char *s, size_t n)
{
	const char *p = s + 2, *end = s + n;

	if (n < 2 || memcmp(s, "go", 2) || !all_digits(&p, end) ||
	    p == end || *p++ != '.' || !all_digits(&p, end))
		return false;
	if (p < end && *p == '.' && (++p, !all_digits(&p, end)))
		return false;
	if (end - p > 2 && !memcmp(p, "rc", 2))
		p += 2;
	else if (end - p > 4 && !memcmp(p, "beta", 4))
		p += 4;
	else
		return p == end;
	return all_digits(&p, end) && p == end;
}

/* The version a string header {PTR, LEN} names, read from the file;
 * into VERSION when it is one. */
static bool version_at(struct elf_file *f, uint64_t ptr, uint64_t len,
		       char version[TFO_GO_VERSION_LEN])
{
	char text[TFO_GO_VERSION_LEN];
	uint64_t off;

	if (len >= sizeof(text) || !vaddr_to_offset(f, ptr, len, &off) ||
	    read_exact(f->fd, text, len, off) || !is_release_version(text, len))
		return false;
	memcpy(version, text, len);
	version[len] = '\0';
	return true;
}

/* runtime.buildVersion by name, when the symbol table is still there. */
struct symbol_scan {
	uint64_t name;		/* offset of "runtime.buildVersion" in .strtab */
	bool found;
	uint64_t vaddr;
};

static const char build_version_name[] = "\0runtime.buildVersion";

static bool strtab_chunk(void *ctx, const struct load *region, uint64_t at,
			 const unsigned char *chunk, size_t got, size_t owned)
{
	struct symbol_scan *s = ctx;
	/* the name whole: a NUL before and after it */
	const unsigned char *p = memmem(chunk, got, build_version_name,
					sizeof(build_version_name));

	(void)region;
	if (!p || (size_t)(p - chunk) >= owned)
		return true;
	s->name = at + (p - chunk) + 1;
	s->found = true;
	return false;
}

static bool symtab_chunk(void *ctx, const struct load *region, uint64_t at,
			 const unsigned char *chunk, size_t got, size_t owned)
{
	struct symbol_scan *s = ctx;

	(void)region;
	for (size_t j = (sizeof(Elf64_Sym) - at % sizeof(Elf64_Sym)) %
			sizeof(Elf64_Sym);
	     j < owned && j + sizeof(Elf64_Sym) <= got; j += sizeof(Elf64_Sym)) {
		Elf64_Sym sym;

		memcpy(&sym, chunk + j, sizeof(sym));
		if (sym.st_name == s->name && sym.st_shndx != SHN_UNDEF) {
			s->vaddr = sym.st_value;
			s->found = true;
			return false;
		}
	}
	return true;
}

static bool version_from_symtab(struct elf_file *f,
				char version[TFO_GO_VERSION_LEN])
{
	const Elf64_Ehdr *eh = &f->eh;
	struct symbol_scan s = { 0 };
	struct load symtab, strtab;
	unsigned char header[16];
	Elf64_Shdr sh, link;
	uint64_t off;
	unsigned int i;

	if (!eh->e_shoff || eh->e_shentsize != sizeof(sh))
		return false;
	for (i = 0; i < eh->e_shnum && i < SECTIONS_MAX; i++) {
		if (read_section(f, i, &sh))
			return false;
		if (sh.sh_type == SHT_SYMTAB && sh.sh_entsize == sizeof(Elf64_Sym))
			break;
	}
	if (i == eh->e_shnum || i == SECTIONS_MAX || sh.sh_link >= eh->e_shnum ||
	    read_section(f, sh.sh_link, &link) ||
	    link.sh_type != SHT_STRTAB)
		return false;
	symtab = (struct load){ .off = sh.sh_offset, .filesz = sh.sh_size };
	strtab = (struct load){ .off = link.sh_offset, .filesz = link.sh_size };
	scan_region(f, &strtab, strtab_chunk, &s);
	if (!s.found)
		return false;
	s.found = false;
	scan_region(f, &symtab, symtab_chunk, &s);
	return s.found && vaddr_to_offset(f, s.vaddr, sizeof(header), &off) &&
	       !read_exact(f->fd, header, sizeof(header), off) &&
	       version_at(f, le64(header), le64(header + 8), version);
}

/* Without symbols: a string header {pointer, length} in the writable
 * data that points at one of the read-only "go1." strings and makes a
 * version of it. runtime.buildVersion is one, and the linker ends its
 * string with a NUL (addstrdata's Addstring) where the compiler lays a
 * program's strings end to end: a NUL-terminated one is taken over
 * others. Should two of the same kind say different versions, which is
 * the toolchain's is not known. */
struct version_found {
	char version[TFO_GO_VERSION_LEN];
	bool ambiguous;
};

struct header_scan {
	const struct rodata_scan *r;
	struct version_found terminated, other;
};

static void found_version(struct version_found *v, const char *text, size_t len)
{
	if (!v->version[0]) {
		memcpy(v->version, text, len);
		v->version[len] = '\0';
	} else if (strlen(v->version) != len || memcmp(v->version, text, len)) {
		v->ambiguous = true;
	}
}

static const struct version_candidate *
find_candidate(const struct rodata_scan *r, uint64_t vaddr)
{
	unsigned int lo = 0, hi = r->n_cand;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (r->cand[mid].vaddr < vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->n_cand && r->cand[lo].vaddr == vaddr ? &r->cand[lo] : NULL;
}

static bool data_chunk(void *ctx, const struct load *l, uint64_t at,
		       const unsigned char *chunk, size_t got, size_t owned)
{
	struct header_scan *h = ctx;
	const struct rodata_scan *r = h->r;
	/* a header is 8-byte aligned in memory */
	size_t j = (8 - (l->vaddr + at) % 8) % 8;

	for (; j < owned && j + 16 <= got; j += 8) {
		uint64_t ptr = le64(chunk + j), len = le64(chunk + j + 8);
		const struct version_candidate *c;

		if (ptr < r->cand[0].vaddr || ptr > r->cand[r->n_cand - 1].vaddr ||
		    !(c = find_candidate(r, ptr)) || len >= sizeof(c->text) ||
		    len > c->len || !is_release_version(c->text, len))
			continue;
		found_version(len < c->len && !c->text[len] ? &h->terminated : &h->other,
			      c->text, len);
	}
	return true;
}

static bool version_from_data(struct elf_file *f, const struct rodata_scan *r,
			      char version[TFO_GO_VERSION_LEN])
{
	struct header_scan h = { .r = r };
	const struct version_found *v;

	if (!r->n_cand)
		return false;
	for (unsigned int i = 0; i < f->n_loads; i++)
		if (f->loads[i].flags & PF_W)
			scan_region(f, &f->loads[i], data_chunk, &h);
	v = h.terminated.version[0] ? &h.terminated : &h.other;
	if (v->ambiguous || !v->version[0])
		return false;
	memcpy(version, v->version, sizeof(v->version));
	return true;
}

/* Some release builds carry no .go.buildinfo: what it would say is read
 * from the module information and runtime.buildVersion instead. */
static void read_without_buildinfo(struct elf_file *f, struct tfo_goinfo *out)
{
	struct rodata_scan r;
	struct modinfo_scan scan;

	memset(&r, 0, sizeof(r));
	sentinel(r.start_sentinel, modinfo_start_inverted);
	scan_rodata(f, &r);
	modinfo_scan_init(&scan, out);
	if (r.has_modinfo) {
		if (scan_modinfo_sentinels(f->fd, r.modinfo_off + SENTINEL_LEN, &scan)) {
			out->is_go = true;
		} else {
			/* a start without an end: not module information */
			memset(out->default_godebug, 0, sizeof(out->default_godebug));
			out->default_godebug_truncated = false;
			scan.mptcp = MPTCP_UNSET;
		}
	}
	/* runtime.buildVersion's string lies in the read-only data: without a
	 * "go1." there, neither way can find it (a C program's symbol table,
	 * megabytes for some, is not read) */
	if ((r.has_modinfo || r.n_cand) &&
	    (version_from_symtab(f, out->version) ||
	     version_from_data(f, &r, out->version)))
		out->is_go = true;
	set_multipathtcp(out, scan.mptcp);
}

/* Whether the function table holds net.(*ListenConfig).SetMultipathTCP:
 * Go's pclntab names every function the program has, inlined ones too
 * (their names serve tracebacks), and the linker drops the ones nothing
 * calls. It lies in the read-only, not executable, segment. */
static const char set_mptcp_name[] = "net.(*ListenConfig).SetMultipathTCP";

static bool set_mptcp_chunk(void *ctx, const struct load *region, uint64_t at,
			    const unsigned char *chunk, size_t got, size_t owned)
{
	const unsigned char *hit = memmem(chunk, got, set_mptcp_name,
					  sizeof(set_mptcp_name) - 1);

	(void)region;
	(void)at;
	if (hit && (size_t)(hit - chunk) < owned) {
		*(bool *)ctx = true;
		return false;
	}
	return true;
}

static bool calls_set_multipath_tcp(struct elf_file *f)
{
	bool found = false;

	_Static_assert(sizeof(set_mptcp_name) <= SCAN_OVERLAP + 1,
		       "a name across chunks is seen whole");
	for (unsigned int i = 0; i < f->n_loads && !found; i++)
		if (!(f->loads[i].flags & (PF_W | PF_X)))
			scan_region(f, &f->loads[i], set_mptcp_chunk, &found);
	return found;
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
	f.budget = SCAN_TOTAL_MAX;
	err = read_exact(fd, &f.eh, sizeof(f.eh), 0);
	if (err)
		return err;
	if (memcmp(f.eh.e_ident, ELFMAG, SELFMAG) ||
	    f.eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    f.eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return -ENOEXEC;
	read_loads(&f);
	if (!find_buildinfo(&f, &off))
		err = read_buildinfo(&f, off, out);
	else
		read_without_buildinfo(&f, out);
	if (!err && out->is_go)
		out->sets_multipath_tcp = calls_set_multipath_tcp(&f);
	return err;
}
