// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/btf.h>
#include "kbtf.h"

#define KERNEL_BTF	"/sys/kernel/btf/vmlinux"
#define KERNEL_NOTES	"/sys/kernel/notes"
#define CACHE_MAGIC	"tfotrace-kbtf 2"
#define NT_GNU_BUILD_ID	3
#define BUILD_ID_MAX	64
#define NOTES_MAX	(64 * 1024)
#define ENTRY_MAX	(64 * 1024)
#define CORE_BTF_MAX	(16 << 20)
#define WINDOW		(64 * 1024)
#define BTF_MAGIC_LE	0xeB9F

extern char **environ;

/* ---- hashing ---- */

static uint64_t mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

static uint64_t hash_bytes(uint64_t h, const void *bytes, size_t n)
{
	const unsigned char *p = bytes;
	uint64_t w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = mix(h, w);
	}
	w = 0;
	memcpy(&w, p, n);
	return mix(mix(h, w), n);
}

static uint64_t hash_str(uint64_t h, const char *s)
{
	return hash_bytes(h, s, strlen(s) + 1);
}

uint64_t tfo_kbtf_checksum(const void *bytes, size_t n)
{
	const unsigned char *p = bytes;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* ---- the kernel build's identity ---- */

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

size_t tfo_elf_notes_build_id(const void *notes, size_t len,
			      unsigned char *id, size_t id_size)
{
	const unsigned char *p = notes;
	size_t off = 0;

	while (len - off >= 12) {
		uint32_t namesz, descsz, type;
		size_t name_at = off + 12, desc_at;

		memcpy(&namesz, p + off, 4);
		memcpy(&descsz, p + off + 4, 4);
		memcpy(&type, p + off + 8, 4);
		if (!namesz) {
			/* a zero word: padding before a note of a wider
			 * alignment (the kernel's notes all have names) */
			off += 4;
			continue;
		}
		if (namesz > len - name_at || align4(namesz) > len - name_at)
			return 0;	/* cut short */
		desc_at = name_at + align4(namesz);
		if (descsz > len - desc_at)
			return 0;
		if (type == NT_GNU_BUILD_ID && namesz == 4 &&
		    !memcmp(p + name_at, "GNU", 4)) {
			if (!descsz || descsz > id_size)
				return 0;
			memcpy(id, p + desc_at, descsz);
			return descsz;
		}
		/* the last note's padding may be missing */
		if (align4(descsz) >= len - desc_at)
			return 0;
		off = desc_at + align4(descsz);
	}
	return 0;
}

struct identity {
	unsigned char build_id[BUILD_ID_MAX];
	size_t build_id_len;	/* 0: none, keyed by BTF_HASH */
	uint64_t btf_hash;
	char release[128];
	char version[128];
	uint64_t btf_size;
};

static int read_small(const char *path, void *buf, size_t size, size_t *got)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = 0;

	*got = 0;
	if (fd < 0)
		return -errno;
	while (*got < size &&
	       (n = read(fd, (char *)buf + *got, size - *got)) > 0)
		*got += n;
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

/* The whole of the kernel's BTF, hashed as it is read (sysfs hands it
 * out a page per read). */
static int hash_file(const char *path, uint64_t *out)
{
	static unsigned char buf[WINDOW];
	uint64_t h = 0x74666f7472616365ULL;	/* "tfotrace" */
	size_t have = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf + have, sizeof(buf) - have)) > 0) {
		have += n;
		if (have == sizeof(buf)) {
			h = hash_bytes(h, buf, have);
			have = 0;
		}
	}
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	*out = hash_bytes(h, buf, have);
	return 0;
}

/* A line of the entry: no newline in it. */
static void one_line(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
	for (char *c = dst; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
}

static int read_identity(struct identity *id, const struct tfo_kbtf_kernel *kk,
			 char *note, size_t note_len, char *why, size_t why_len)
{
	unsigned char *notes = malloc(NOTES_MAX);
	struct utsname u;
	struct stat st;
	size_t got = 0;
	int err;

	memset(id, 0, sizeof(*id));
	if (stat(kk->btf, &st)) {
		err = -errno;
		snprintf(why, why_len, "cannot read %s: %s", kk->btf, strerror(-err));
		free(notes);
		return err;
	}
	id->btf_size = st.st_size;
	if (notes && !read_small(kk->notes, notes, NOTES_MAX, &got))
		id->build_id_len = tfo_elf_notes_build_id(notes, got, id->build_id,
							  sizeof(id->build_id));
	free(notes);
	if (!kk->release || !kk->version) {
		if (uname(&u))
			memset(&u, 0, sizeof(u));
	}
	one_line(id->release, sizeof(id->release), kk->release ? kk->release : u.release);
	one_line(id->version, sizeof(id->version), kk->version ? kk->version : u.version);
	if (id->build_id_len)
		return 0;
	snprintf(note, note_len, "no build id in %s: the cache is keyed by a hash of the kernel's whole BTF, read at every start",
		 kk->notes);
	err = hash_file(kk->btf, &id->btf_hash);
	if (err)
		snprintf(why, why_len, "cannot read %s: %s", kk->btf, strerror(-err));
	return err;
}

static uint64_t hash_identity(const struct identity *id)
{
	uint64_t h = id->build_id_len ?
		hash_bytes(1, id->build_id, id->build_id_len) : mix(2, id->btf_hash);

	h = hash_str(h, id->release);
	h = hash_str(h, id->version);
	return mix(h, id->btf_size);
}

static uint64_t hash_asked(const struct tfo_kbtf *k,
			   const struct tfo_kbtf_obj *objs, size_t n_objs)
{
	uint64_t h = 0;

	for (size_t i = 0; i < n_objs; i++)
		h = mix(hash_bytes(h, objs[i].elf, objs[i].size), i);

	for (size_t i = 0; i < k->n; i++) {
		h = hash_bytes(h, k->names[i].name, strlen(k->names[i].name));
		h = mix(h, k->names[i].kind);
	}
	return h;
}

/* "build-id HEX" or "btf-hash HEX": how the identity names the build. */
static void build_line(char *buf, size_t size, const struct identity *id)
{
	size_t at;

	if (!id->build_id_len) {
		snprintf(buf, size, "btf-hash %016" PRIx64, id->btf_hash);
		return;
	}
	at = snprintf(buf, size, "build-id ");
	for (size_t i = 0; i < id->build_id_len && at + 3 <= size; i++)
		at += snprintf(buf + at, size - at, "%02x", id->build_id[i]);
}

/* ---- a BTF file read through a window ---- */

struct window {
	int fd;
	uint64_t size;		/* of the file */
	unsigned char *buf;
	uint64_t at;		/* the file offset of buf[0] */
	size_t have;
};

/* N (<= WINDOW) bytes at POS, or NULL with errno set (EINVAL: beyond
 * the file). */
static const unsigned char *window_get(struct window *w, uint64_t pos,
				       size_t n)
{
	size_t keep = 0;

	if (pos > w->size || n > w->size - pos || n > WINDOW) {
		errno = EINVAL;
		return NULL;
	}
	if (pos >= w->at && pos + n <= w->at + w->have)
		return w->buf + (pos - w->at);
	if (pos >= w->at && pos < w->at + w->have) {
		keep = w->at + w->have - pos;
		memmove(w->buf, w->buf + (pos - w->at), keep);
	}
	w->at = pos;
	w->have = keep;
	while (w->have < n) {
		size_t want = WINDOW - w->have;
		ssize_t got;

		if (want > w->size - (pos + w->have))
			want = w->size - (pos + w->have);
		got = pread(w->fd, w->buf + w->have, want, pos + w->have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (!got)
				errno = EIO;	/* shorter than it said */
			w->have = 0;
			return NULL;
		}
		w->have += got;
	}
	return w->buf + (pos - w->at);
}

static int layout_check(const struct btf_header *h, uint64_t size,
			struct tfo_btf_layout *l)
{
	uint64_t type_end, str_end;

	if (h->magic != BTF_MAGIC_LE || h->version != 1 ||
	    h->hdr_len < sizeof(*h) || h->type_off % 4)
		return -EINVAL;
	type_end = (uint64_t)h->hdr_len + h->type_off + h->type_len;
	str_end = (uint64_t)h->hdr_len + h->str_off + h->str_len;
	if (type_end > size || str_end > size || !h->str_len ||
	    (h->type_off < h->str_off ? (uint64_t)h->type_off + h->type_len > h->str_off :
	     (uint64_t)h->str_off + h->str_len > h->type_off))
		return -EINVAL;
	l->hdr_len = h->hdr_len;
	l->type_off = h->type_off;
	l->type_len = h->type_len;
	l->str_off = h->str_off;
	l->str_len = h->str_len;
	return 0;
}

int tfo_btf_layout_read(int fd, uint64_t size, struct tfo_btf_layout *l)
{
	struct btf_header h;
	ssize_t n;

	do
		n = pread(fd, &h, sizeof(h), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n != sizeof(h))
		return -EINVAL;
	return layout_check(&h, size, l);
}

/* The bytes that follow a type record of KIND with VLEN, or -1: a kind
 * this tfotrace does not know. */
static long record_extra(uint32_t kind, uint32_t vlen)
{
	switch (kind) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return (long)vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return (long)vlen * sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO:
		return (long)vlen * sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return (long)vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_ENUM64:
		return (long)vlen * sizeof(struct btf_enum64);
	default:
		return -1;
	}
}

/* A string of the section that is one of the names: its offset. */
struct str_hit {
	uint32_t off;
	uint32_t name;		/* index in the names */
};

struct hits {
	struct str_hit *v;
	size_t n, cap;
};

static int hit_add(struct hits *h, uint32_t off, uint32_t name)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 64;
		struct str_hit *v = realloc(h->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		h->v = v;
		h->cap = cap;
	}
	h->v[h->n].off = off;
	h->v[h->n++].name = name;
	return 0;
}

/* The first hit at string offset OFF (hits are in offset order), or
 * NULL. */
static const struct str_hit *hit_find(const struct hits *h, uint32_t off)
{
	size_t lo = 0, hi = h->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (h->v[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < h->n && h->v[lo].off == off ? &h->v[lo] : NULL;
}

/* Pass 1: where in the strings each name is. */
static int find_strings(struct window *w, const struct tfo_btf_layout *l,
			const struct tfo_kbtf_name *names, size_t n,
			struct hits *hits)
{
	uint64_t start = (uint64_t)l->hdr_len + l->str_off;
	uint64_t end = start + l->str_len, pos = start;
	bool skipping = false;	/* inside a string longer than the window */
	uint64_t lengths = 0;	/* bit L: some name is L bytes long */

	for (size_t i = 0; i < n; i++)
		lengths |= 1ULL << (strlen(names[i].name) & 63);
	while (pos < end) {
		size_t len = end - pos < WINDOW ? end - pos : WINDOW, i = 0;
		const unsigned char *p = window_get(w, pos, len);

		if (!p)
			return -errno;
		while (i < len) {
			const unsigned char *z = memchr(p + i, 0, len - i);
			size_t slen;

			if (!z) {
				if (!i) {
					skipping = true;
					i = len;
				}
				break;
			}
			slen = z - (p + i);
			if (!skipping && slen < 64 && (lengths >> slen & 1))
				for (size_t k = 0; k < n; k++)
					if (!memcmp(names[k].name, p + i, slen + 1) &&
					    hit_add(hits, pos + i - start, k))
						return -ENOMEM;
			skipping = false;
			i += slen + 1;
		}
		pos += i;
	}
	return 0;
}

/* Pass 2: the types, numbered from 1; the first of each name's kind is
 * its id (as libbpf's btf__find_by_name_kind()). */
static int find_types(struct window *w, const struct tfo_btf_layout *l,
		      struct tfo_kbtf_name *names, const struct hits *hits)
{
	uint64_t start = (uint64_t)l->hdr_len + l->type_off;
	uint64_t end = start + l->type_len, pos = start;
	int32_t id = 0;

	while (pos < end) {
		const unsigned char *p = window_get(w, pos, sizeof(struct btf_type));
		const struct str_hit *hit;
		struct btf_type t;
		uint32_t kind;
		long extra;

		if (!p)
			return -errno;
		memcpy(&t, p, sizeof(t));
		kind = BTF_INFO_KIND(t.info);
		extra = record_extra(kind, BTF_INFO_VLEN(t.info));
		if (extra < 0 || id == INT32_MAX)
			return -EINVAL;
		id++;
		for (hit = hit_find(hits, t.name_off);
		     hit && hit < hits->v + hits->n && hit->off == t.name_off; hit++) {
			struct tfo_kbtf_name *nm = &names[hit->name];

			if (nm->kind == kind && !nm->id) {
				nm->id = id;
				nm->off = pos - start;
			}
		}
		pos += sizeof(t) + extra;
	}
	return pos == end ? 0 : -EINVAL;
}

int tfo_btf_find(int fd, uint64_t size, struct tfo_kbtf_name *names,
		 size_t n, struct tfo_btf_layout *l)
{
	struct window w = { .fd = fd, .size = size };
	struct hits hits = { 0 };
	int err;

	for (size_t i = 0; i < n; i++)
		names[i].id = names[i].off = 0;
	err = tfo_btf_layout_read(fd, size, l);
	if (err)
		return err;
	w.buf = malloc(WINDOW);
	if (!w.buf)
		return -ENOMEM;
	err = find_strings(&w, l, names, n, &hits);
	if (!err && hits.n)
		err = find_types(&w, l, names, &hits);
	free(hits.v);
	free(w.buf);
	return err;
}

static int pread_all(int fd, void *buf, size_t n, uint64_t off)
{
	ssize_t got;

	do
		got = pread(fd, buf, n, off);
	while (got < 0 && errno == EINTR);
	return got < 0 ? -errno : (size_t)got == n ? 0 : -EIO;
}

int tfo_btf_verify(int fd, const struct tfo_btf_layout *l,
		   const struct tfo_kbtf_name *names, size_t n, char *why,
		   size_t why_len)
{
	struct tfo_btf_layout now;
	struct stat st;

	if (fstat(fd, &st) || tfo_btf_layout_read(fd, st.st_size, &now) ||
	    memcmp(&now, l, sizeof(now))) {
		snprintf(why, why_len, "the kernel's BTF is not laid out as it says (its header)");
		return -ESTALE;
	}
	for (size_t i = 0; i < n; i++) {
		const struct tfo_kbtf_name *nm = &names[i];
		size_t len = strlen(nm->name) + 1;
		char name[sizeof(nm->name)];
		struct btf_type t;

		if (nm->id <= 0)
			continue;
		if (nm->off % 4 || nm->off > l->type_len ||
		    l->type_len - nm->off < sizeof(t) ||
		    pread_all(fd, &t, sizeof(t), (uint64_t)l->hdr_len + l->type_off + nm->off) ||
		    BTF_INFO_KIND(t.info) != nm->kind || t.name_off >= l->str_len ||
		    l->str_len - t.name_off < len ||
		    pread_all(fd, name, len, (uint64_t)l->hdr_len + l->str_off + t.name_off) ||
		    memcmp(name, nm->name, len)) {
			snprintf(why, why_len, "%s (id %d) is not where it says in the kernel's BTF",
				 nm->name, nm->id);
			return -ESTALE;
		}
	}
	return 0;
}

bool tfo_btf_sound(const void *btf, size_t size)
{
	const unsigned char *p = btf, *types, *strs;
	struct tfo_btf_layout l;
	struct btf_header h;
	size_t pos = 0;

	if (size < sizeof(h))
		return false;
	memcpy(&h, p, sizeof(h));
	if (layout_check(&h, size, &l))
		return false;
	types = p + l.hdr_len + l.type_off;
	strs = p + l.hdr_len + l.str_off;
	if (strs[0] || strs[l.str_len - 1])
		return false;
	while (pos < l.type_len) {
		struct btf_type t;
		long extra;

		if (l.type_len - pos < sizeof(t))
			return false;
		memcpy(&t, types + pos, sizeof(t));
		extra = record_extra(BTF_INFO_KIND(t.info), BTF_INFO_VLEN(t.info));
		if (extra < 0 || t.name_off >= l.str_len ||
		    (size_t)extra > l.type_len - pos - sizeof(t))
			return false;
		pos += sizeof(t) + extra;
	}
	return true;
}

/* ---- the cache directory ---- */

/* Ours alone: a directory owned by us that nobody else can write, so that
 * no other user can plant the BTF ids we load programs with. Made if
 * missing (its parent must exist). */
static int cache_dir_usable(const char *dir, char *note, size_t note_len)
{
	struct stat st;

	if (mkdir(dir, 0700) && errno != EEXIST) {
		snprintf(note, note_len, "cannot create %s: %s", dir,
			 strerror(errno));
		return -errno;
	}
	if (stat(dir, &st)) {
		snprintf(note, note_len, "cannot use %s: %s", dir,
			 strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		snprintf(note, note_len, "%s is not a directory of ours alone "
			 "(owner %u, mode %o): not used", dir, st.st_uid,
			 st.st_mode & 07777);
		return -EPERM;
	}
	if (access(dir, W_OK)) {
		snprintf(note, note_len, "%s is not writable: %s", dir,
			 strerror(errno));
		return -errno;
	}
	return 0;
}

static void entry_path(char *buf, size_t size, const char *dir, uint64_t key,
		       const char *suffix)
{
	snprintf(buf, size, "%s/%016" PRIx64 "%s", dir, key, suffix);
}

/* ---- an entry: NAME.ids, the ids and what they were made for ----
 *
 *	tfotrace-kbtf 2
 *	key KEY
 *	build-id HEX			(or: btf-hash HEX)
 *	release RELEASE
 *	version VERSION
 *	btf-size BYTES
 *	btf-layout HDR_LEN TYPE_OFF TYPE_LEN STR_OFF STR_LEN
 *	core-btf BYTES HASH		(or: core-btf none)
 *	name KIND NAME ID OFFSET	(one per name)
 *	end NAMES CHECKSUM		(of every byte before this line)
 */

struct entry {
	struct tfo_btf_layout layout;
	bool has_core;
	uint64_t core_size, core_hash;
};

/* The next line of TEXT at *AT without its newline, or NULL. */
static char *next_line(char *text, size_t len, size_t *at)
{
	char *line = text + *at, *nl;

	if (*at >= len)
		return NULL;
	nl = memchr(line, '\n', len - *at);
	if (!nl)
		return NULL;
	*nl = '\0';
	*at = nl + 1 - text;
	return line;
}

static bool field(const char *line, const char *name, const char **value)
{
	size_t n = strlen(name);

	if (strncmp(line, name, n) || line[n] != ' ')
		return false;
	*value = line + n + 1;
	return true;
}

/* Reads the entry at PATH into K's ids and E. 0; -ENOENT: none; another
 * -errno with WHY set: not this kernel's, or not whole. */
static int read_entry(struct tfo_kbtf *k, struct entry *e, const char *path,
		      uint64_t key, const struct identity *id, char *why,
		      size_t why_len)
{
	char *text = malloc(ENTRY_MAX + 1), *line, *end_line, want[256];
	unsigned long long u64;
	unsigned int names = 0;
	const char *v;
	size_t len = 0, at = 0, found = 0;
	int err;

	if (!text)
		return -ENOMEM;
	err = read_small(path, text, ENTRY_MAX + 1, &len);
	if (err) {
		snprintf(why, why_len, "cannot read it: %s", strerror(-err));
		goto out;
	}
	err = -EINVAL;
	/* whole: the end line last, its checksum of the rest */
	if (len > ENTRY_MAX || len < 2 || text[len - 1] != '\n') {
		snprintf(why, why_len, "it is cut short");
		goto out;
	}
	text[len] = '\0';
	text[len - 1] = '\0';
	end_line = strrchr(text, '\n');
	end_line = end_line ? end_line + 1 : text;
	if (sscanf(end_line, "end %u %llx", &names, &u64) != 2) {
		snprintf(why, why_len, "it is cut short (no end line)");
		goto out;
	}
	if (u64 != tfo_kbtf_checksum(text, end_line - text)) {
		snprintf(why, why_len, "it is damaged (its checksum)");
		goto out;
	}
	len = end_line - text;
	line = next_line(text, len, &at);
	if (!line || strcmp(line, CACHE_MAGIC)) {
		snprintf(why, why_len, "it is of another format");
		goto out;
	}
	line = next_line(text, len, &at);
	if (!line || sscanf(line, "key %llx", &u64) != 1 || u64 != key) {
		snprintf(why, why_len, "it is another entry's (%s)", line ? line : "no key");
		goto out;
	}
	/* this kernel's */
	build_line(want, sizeof(want), id);
	line = next_line(text, len, &at);
	if (!line || strcmp(line, want)) {
		snprintf(why, why_len, "it was made for another kernel (%.80s; this one's %.80s)",
			 line ? line : "none", want);
		goto out;
	}
	line = next_line(text, len, &at);
	if (!line || !field(line, "release", &v) || strcmp(v, id->release)) {
		snprintf(why, why_len, "it was made for another kernel (release %.80s; this one is %s)",
			 line && field(line, "release", &v) ? v : "none", id->release);
		goto out;
	}
	line = next_line(text, len, &at);
	if (!line || !field(line, "version", &v) || strcmp(v, id->version)) {
		snprintf(why, why_len, "it was made for another kernel (version %.80s; this one's %s)",
			 line && field(line, "version", &v) ? v : "none", id->version);
		goto out;
	}
	line = next_line(text, len, &at);
	if (!line || sscanf(line, "btf-size %llu", &u64) != 1 || u64 != id->btf_size) {
		snprintf(why, why_len, "it was made for another kernel (its BTF's size)");
		goto out;
	}
	line = next_line(text, len, &at);
	if (!line || sscanf(line, "btf-layout %" SCNu32 " %" SCNu32 " %" SCNu32 " %" SCNu32 " %" SCNu32,
			    &e->layout.hdr_len, &e->layout.type_off,
			    &e->layout.type_len, &e->layout.str_off,
			    &e->layout.str_len) != 5) {
		snprintf(why, why_len, "it is damaged (btf-layout)");
		goto out;
	}
	line = next_line(text, len, &at);
	e->has_core = line && strcmp(line, "core-btf none");
	if (!line || (e->has_core &&
		      sscanf(line, "core-btf %" SCNu64 " %" SCNx64, &e->core_size,
			     &e->core_hash) != 2)) {
		snprintf(why, why_len, "it is damaged (core-btf)");
		goto out;
	}
	while ((line = next_line(text, len, &at))) {
		char name[64];
		unsigned int kind, off;
		int nid;

		if (sscanf(line, "name %u %63s %d %u", &kind, name, &nid, &off) != 4 ||
		    nid < 0) {
			snprintf(why, why_len, "it is damaged (%.80s)", line);
			goto out;
		}
		for (size_t i = 0; i < k->n; i++)
			if (k->names[i].kind == kind && !k->names[i].id &&
			    !strcmp(k->names[i].name, name)) {
				k->names[i].id = nid;
				k->names[i].off = off;
				found++;
				break;
			}
	}
	if (found != k->n || names != k->n) {
		snprintf(why, why_len, "it holds other names");
		goto out;
	}
	err = 0;
out:
	if (err)
		for (size_t i = 0; i < k->n; i++)
			k->names[i].id = k->names[i].off = 0;
	free(text);
	return err;
}

/* PATH written whole under a temporary name, then renamed into place. */
static int write_entry(const struct tfo_kbtf *k, const struct entry *e,
		       const char *path, uint64_t key, const struct identity *id)
{
	char tmp[PATH_MAX + 32], line[256];
	char *text = NULL;
	size_t len = 0;
	int fd, err = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return -errno;
	build_line(line, sizeof(line), id);
	fprintf(f, CACHE_MAGIC "\nkey %016" PRIx64 "\n%s\nrelease %s\nversion %s\n"
		"btf-size %" PRIu64 "\nbtf-layout %u %u %u %u %u\n", key, line,
		id->release, id->version, id->btf_size, e->layout.hdr_len,
		e->layout.type_off, e->layout.type_len, e->layout.str_off,
		e->layout.str_len);
	if (e->has_core)
		fprintf(f, "core-btf %" PRIu64 " %016" PRIx64 "\n", e->core_size,
			e->core_hash);
	else
		fprintf(f, "core-btf none\n");
	for (size_t i = 0; i < k->n; i++)
		fprintf(f, "name %u %s %d %u\n", k->names[i].kind,
			k->names[i].name, k->names[i].id, k->names[i].off);
	if (fflush(f)) {
		fclose(f);
		free(text);
		return -ENOMEM;
	}
	fprintf(f, "end %zu %016" PRIx64 "\n", k->n, tfo_kbtf_checksum(text, len));
	if (fclose(f)) {
		free(text);
		return -ENOMEM;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = -errno;
	} else {
		if (write(fd, text, len) != (ssize_t)len)
			err = -EIO;
		if (close(fd) && !err)
			err = -errno;
		if (!err && rename(tmp, path))
			err = -errno;
		if (err)
			unlink(tmp);
	}
	free(text);
	return err;
}

/* The minimized BTF at PATH: sound, its size and hash. */
static int core_btf_read(const char *path, uint64_t *size, uint64_t *hash)
{
	unsigned char *buf;
	struct stat st;
	size_t got;
	int err;

	if (stat(path, &st))
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_size > CORE_BTF_MAX)
		return -EINVAL;
	buf = malloc(st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	err = read_small(path, buf, st.st_size + 1, &got);
	if (!err && (got != (size_t)st.st_size || !tfo_btf_sound(buf, got)))
		err = -EINVAL;
	if (!err) {
		*size = got;
		*hash = hash_bytes(0, buf, got);
	}
	free(buf);
	return err;
}

/* ---- the minimized BTF: bpftool, in parallel ---- */

#define MAX_OBJS	4

struct core_job {
	char btf_tmp[PATH_MAX + 32];
	char obj_tmp[MAX_OBJS][PATH_MAX + 32];
	size_t n_obj_tmp;
	pid_t pid;		/* bpftool, or -1 */
	int err;		/* why there is none */
};

/* bpftool, from PATH or sbin, its output to /dev/null: its pid or
 * -errno. */
static pid_t spawn_bpftool(char *const argv[])
{
	static const char *const paths[] = {
		"bpftool", "/usr/sbin/bpftool", "/sbin/bpftool",
	};
	posix_spawn_file_actions_t fa;
	pid_t pid = -ENOENT;

	if (posix_spawn_file_actions_init(&fa))
		return -ENOMEM;
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null",
					 O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null",
					 O_WRONLY, 0);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		pid_t child;
		int e = posix_spawnp(&child, paths[i], &fa, NULL, argv, environ);

		if (e == ENOENT)
			continue;
		pid = e ? -e : child;
		break;
	}
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

/* Starts `bpftool gen min_core_btf KERNEL_BTF TMP OBJ...`: the types the
 * objects' CO-RE relocations need. */
static void core_btf_start(struct core_job *j, const char *path,
			   const char *kernel_btf,
			   const struct tfo_kbtf_obj *objs, size_t n_objs)
{
	char *argv[5 + MAX_OBJS + 1] = { "bpftool", "gen", "min_core_btf",
					 (char *)kernel_btf, j->btf_tmp };

	j->pid = -1;
	j->n_obj_tmp = 0;
	j->err = n_objs > MAX_OBJS ? -E2BIG : 0;
	snprintf(j->btf_tmp, sizeof(j->btf_tmp), "%s.tmp.%d", path, (int)getpid());
	for (size_t i = 0; i < n_objs && !j->err; i++) {
		char *tmp = j->obj_tmp[j->n_obj_tmp];
		int fd;

		snprintf(tmp, sizeof(j->obj_tmp[0]), "%s.%zu.o.tmp.%d", path, i,
			 (int)getpid());
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			j->err = -errno;
			break;
		}
		j->n_obj_tmp++;
		if (write(fd, objs[i].elf, objs[i].size) != (ssize_t)objs[i].size)
			j->err = -EIO;
		close(fd);
		argv[5 + i] = tmp;
	}
	if (!j->err) {
		j->pid = spawn_bpftool(argv);
		if (j->pid < 0) {
			j->err = j->pid;
			j->pid = -1;
		}
	}
}

/* Waits for bpftool; its output, when sound, renamed to PATH with its
 * size and hash into E. 0 or -errno. */
static int core_btf_finish(struct core_job *j, const char *path,
			   struct entry *e)
{
	int status;

	if (j->pid > 0) {
		while (waitpid(j->pid, &status, 0) < 0)
			if (errno != EINTR) {
				j->err = -errno;
				break;
			}
		if (!j->err && !(WIFEXITED(status) && !WEXITSTATUS(status)))
			j->err = -EIO;
		j->pid = -1;
	}
	if (!j->err)
		j->err = core_btf_read(j->btf_tmp, &e->core_size, &e->core_hash);
	if (!j->err && rename(j->btf_tmp, path))
		j->err = -errno;
	for (size_t i = 0; i < j->n_obj_tmp; i++)
		unlink(j->obj_tmp[i]);
	if (j->err)
		unlink(j->btf_tmp);
	e->has_core = !j->err;
	return j->err;
}

static void core_btf_note(char *note, size_t note_len, int err)
{
	size_t at = strlen(note);

	snprintf(note + at, note_len - at, "%sno minimized BTF (bpftool gen min_core_btf: %s): libbpf reads the kernel's whole BTF at each start",
		 at ? "; " : "", err == -ENOENT ? "bpftool not found" : strerror(-err));
}

/* ---- the slow way: the kernel's BTF, read once ---- */

static int ids_from_kernel(struct tfo_kbtf *k, struct entry *e,
			   const char *btf, char *why, size_t why_len)
{
	struct stat st;
	int err, fd = open(btf, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st)) {
		err = -errno;
		if (fd >= 0)
			close(fd);
		snprintf(why, why_len, "cannot read %s: %s", btf, strerror(-err));
		return err;
	}
	err = tfo_btf_find(fd, st.st_size, k->names, k->n, &e->layout);
	close(fd);
	if (err)
		snprintf(why, why_len, "cannot read the kernel's BTF (%s): %s", btf,
			 err == -EINVAL ? "malformed, or of a kind this tfotrace does not know" :
			 strerror(-err));
	return err;
}

/* The entry's ids against the kernel's BTF itself. */
static int verify_entry(const struct tfo_kbtf *k, const struct entry *e,
			const char *btf, char *why, size_t why_len)
{
	int err, fd = open(btf, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		err = -errno;
		snprintf(why, why_len, "cannot read %s: %s", btf, strerror(-err));
		return err;
	}
	err = tfo_btf_verify(fd, &e->layout, k->names, k->n, why, why_len);
	close(fd);
	return err;
}

static void add_note(char *note, size_t note_len, const char *fmt,
		     const char *a, const char *b)
{
	size_t at = strlen(note);

	if (at)
		at += snprintf(note + at, note_len - at, "; ");
	if (at < note_len)
		snprintf(note + at, note_len - at, fmt, a, b);
}

int tfo_kbtf_open(struct tfo_kbtf *k, const struct tfo_kbtf_name *names,
		  size_t n, const struct tfo_kbtf_obj *objs, size_t n_objs,
		  const char *cache_dir, const struct tfo_kbtf_kernel *kernel,
		  char *why, size_t why_len)
{
	struct tfo_kbtf_kernel kk = kernel ? *kernel : (struct tfo_kbtf_kernel){ 0 };
	char ids_path[PATH_MAX], btf_path[PATH_MAX], stale[512] = "";
	struct entry e = { 0 };
	struct identity id;
	struct core_job job = { .pid = -1, .err = -ENODATA };
	uint64_t key;
	bool cache, rewrite = false;
	int err;

	memset(k, 0, sizeof(*k));
	k->names = calloc(n ? n : 1, sizeof(*k->names));
	if (!k->names)
		return -ENOMEM;
	memcpy(k->names, names, n * sizeof(*names));
	for (size_t i = 0; i < n; i++)
		k->names[i].id = k->names[i].off = 0;
	k->n = n;
	if (!kk.notes)
		kk.notes = KERNEL_NOTES;
	if (!kk.btf)
		kk.btf = KERNEL_BTF;
	if (!cache_dir)
		cache_dir = getenv("TFOTRACE_CACHE_DIR");
	if (!cache_dir || !*cache_dir)
		cache_dir = TFO_KBTF_DEFAULT_CACHE;
	err = read_identity(&id, &kk, k->note, sizeof(k->note), why, why_len);
	if (err)
		goto fail;
	key = mix(hash_identity(&id), hash_asked(k, objs, n_objs));
	{
		char dir_note[PATH_MAX + 128] = "";

		cache = !cache_dir_usable(cache_dir, dir_note, sizeof(dir_note));
		if (dir_note[0])
			add_note(k->note, sizeof(k->note), "%s%s", dir_note, "");
	}
	entry_path(ids_path, sizeof(ids_path), cache_dir, key, ".ids");
	entry_path(btf_path, sizeof(btf_path), cache_dir, key, ".btf");
	if (cache) {
		err = read_entry(k, &e, ids_path, key, &id, stale, sizeof(stale));
		if (!err)
			err = verify_entry(k, &e, kk.btf, stale, sizeof(stale));
		k->from_cache = !err;
		if (err && err != -ENOENT) {
			for (size_t i = 0; i < n; i++)
				k->names[i].id = k->names[i].off = 0;
			add_note(k->note, sizeof(k->note), "the cache entry %s was rebuilt: %s",
				 ids_path, stale);
		}
	}
	if (!k->from_cache) {
		/* bpftool reads the kernel's BTF while we do */
		if (cache && n_objs)
			core_btf_start(&job, btf_path, kk.btf, objs, n_objs);
		err = ids_from_kernel(k, &e, kk.btf, why, why_len);
		if (cache && n_objs)
			core_btf_finish(&job, btf_path, &e);
		if (err)
			goto fail;
		if (!cache)
			return 0;
		rewrite = true;
	} else if (n_objs) {
		uint64_t size, hash;

		/* the minimized BTF the entry names, or a new one */
		if (!e.has_core || core_btf_read(btf_path, &size, &hash) ||
		    size != e.core_size || hash != e.core_hash) {
			bool had = e.has_core;

			core_btf_start(&job, btf_path, kk.btf, objs, n_objs);
			if (!core_btf_finish(&job, btf_path, &e)) {
				rewrite = true;
				if (had)
					add_note(k->note, sizeof(k->note),
						 "%s did not match its entry: made again%s",
						 btf_path, "");
			}
		}
	}
	if (rewrite) {
		err = write_entry(k, &e, ids_path, key, &id);
		if (err)
			add_note(k->note, sizeof(k->note), "cannot write in %s: %s",
				 cache_dir, strerror(-err));
	}
	if (n_objs && !e.has_core) {
		core_btf_note(k->note, sizeof(k->note), job.err);
		return 0;
	}
	if (n_objs)
		snprintf(k->core_btf, sizeof(k->core_btf), "%s", btf_path);
	return 0;
fail:
	tfo_kbtf_close(k);
	return err;
}

void tfo_kbtf_close(struct tfo_kbtf *k)
{
	free(k->names);
	k->names = NULL;
	k->n = 0;
}

int32_t tfo_kbtf_id(const struct tfo_kbtf *k, const char *name, uint32_t kind)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->names[i].kind == kind && !strcmp(k->names[i].name, name))
			return k->names[i].id;
	return -1;
}
