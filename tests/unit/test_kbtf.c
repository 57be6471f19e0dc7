// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests for user/kbtf.c: the GNU build id among the kernel's ELF
 * notes, the streaming BTF reader and the cache of kernel BTF ids: keyed
 * by the kernel build's identity, checked before use, rebuilt when it
 * fails. Everything runs against fake kernels (notes, BTF, uname strings)
 * and a fake bpftool in a mkdtemp directory. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/btf.h>

#include "kbtf.h"

/* /sys/kernel/notes of these machines (6.18): the build id first, then
 * Linux and Xen notes; names and descriptors padded to 4 bytes. */
static const unsigned char notes_6_18[] = {
  0x04, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
  0x47, 0x4e, 0x55, 0x00, 0x32, 0xa7, 0xf3, 0xba, 0xce, 0xe6, 0xbf, 0x69,
  0xda, 0x94, 0xf4, 0x97, 0xa8, 0xa0, 0x76, 0x48, 0x3b, 0xae, 0xa2, 0x0e,
  0x06, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00,
  0x4c, 0x69, 0x6e, 0x75, 0x78, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x06, 0x00, 0x00, 0x00, 0x1e, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
  0x4c, 0x69, 0x6e, 0x75, 0x78, 0x00, 0x00, 0x00, 0x36, 0x2e, 0x31, 0x2e,
  0x31, 0x30, 0x32, 0x2d, 0x31, 0x2e, 0x31, 0x38, 0x32, 0x2e, 0x61, 0x6d,
  0x7a, 0x6e, 0x32, 0x30, 0x32, 0x33, 0x2e, 0x78, 0x38, 0x36, 0x5f, 0x36,
  0x34, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00,
  0x13, 0x00, 0x00, 0x00, 0x58, 0x65, 0x6e, 0x00, 0x00, 0x00, 0x00, 0x01,
  0x00, 0x00, 0x00, 0x01, 0xff, 0xff, 0xff, 0x3f, 0x04, 0x00, 0x00, 0x00,
  0x08, 0x00, 0x00, 0x00, 0x12, 0x00, 0x00, 0x00, 0x58, 0x65, 0x6e, 0x00,
  0x00, 0x2f, 0x58, 0x03, 0x00, 0x00, 0x00, 0x00
};

/* The .notes section of Debian 12's 6.1.0-57-amd64 vmlinuz: 16 Xen notes
 * (odd name and descriptor sizes among them), then the build id, then
 * Linux's. */
static const unsigned char notes_debian_6_1[] = {
  0x04, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00,
  0x58, 0x65, 0x6e, 0x00, 0x6c, 0x69, 0x6e, 0x75, 0x78, 0x00, 0x00, 0x00,
  0x04, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00,
  0x58, 0x65, 0x6e, 0x00, 0x32, 0x2e, 0x36, 0x00, 0x04, 0x00, 0x00, 0x00,
  0x08, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x58, 0x65, 0x6e, 0x00,
  0x78, 0x65, 0x6e, 0x2d, 0x33, 0x2e, 0x30, 0x00, 0x04, 0x00, 0x00, 0x00,
  0x08, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x58, 0x65, 0x6e, 0x00,
  0x00, 0x00, 0x00, 0x80, 0xff, 0xff, 0xff, 0xff, 0x04, 0x00, 0x00, 0x00,
  0x08, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x58, 0x65, 0x6e, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
  0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x58, 0x65, 0x6e, 0x00,
  0xc0, 0x91, 0x07, 0x83, 0xff, 0xff, 0xff, 0xff, 0x04, 0x00, 0x00, 0x00,
  0x29, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x58, 0x65, 0x6e, 0x00,
  0x21, 0x77, 0x72, 0x69, 0x74, 0x61, 0x62, 0x6c, 0x65, 0x5f, 0x70, 0x61,
  0x67, 0x65, 0x5f, 0x74, 0x61, 0x62, 0x6c, 0x65, 0x73, 0x7c, 0x70, 0x61,
  0x65, 0x5f, 0x70, 0x67, 0x64, 0x69, 0x72, 0x5f, 0x61, 0x62, 0x6f, 0x76,
  0x65, 0x5f, 0x34, 0x67, 0x62, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
  0x04, 0x00, 0x00, 0x00, 0x11, 0x00, 0x00, 0x00, 0x58, 0x65, 0x6e, 0x00,
  0x01, 0x88, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
  0x09, 0x00, 0x00, 0x00, 0x58, 0x65, 0x6e, 0x00, 0x79, 0x65, 0x73, 0x00,
  0x04, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00,
  0x58, 0x65, 0x6e, 0x00, 0x67, 0x65, 0x6e, 0x65, 0x72, 0x69, 0x63, 0x00,
  0x04, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x00, 0x00,
  0x58, 0x65, 0x6e, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
  0x04, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x58, 0x65, 0x6e, 0x00,
  0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
  0x10, 0x00, 0x00, 0x00, 0x58, 0x65, 0x6e, 0x00, 0x01, 0x00, 0x00, 0x00,
  0x04, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00,
  0x58, 0x65, 0x6e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0xff, 0xff,
  0x04, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
  0x58, 0x65, 0x6e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x04, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
  0x47, 0x4e, 0x55, 0x00, 0x6a, 0x2b, 0x4a, 0xc7, 0x75, 0x85, 0xb8, 0xcf,
  0x10, 0x2c, 0xba, 0x77, 0x13, 0x00, 0xe5, 0x73, 0xc8, 0x48, 0x9b, 0x69,
  0x06, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00,
  0x4c, 0x69, 0x6e, 0x75, 0x78, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x06, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
  0x4c, 0x69, 0x6e, 0x75, 0x78, 0x00, 0x00, 0x00, 0x36, 0x2e, 0x31, 0x2e,
  0x30, 0x2d, 0x35, 0x37, 0x2d, 0x61, 0x6d, 0x64, 0x36, 0x34, 0x00, 0x00,
  0x04, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x12, 0x00, 0x00, 0x00,
  0x58, 0x65, 0x6e, 0x00, 0x50, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00
};

static const unsigned char id_6_18[20] = {
	0x32, 0xa7, 0xf3, 0xba, 0xce, 0xe6, 0xbf, 0x69, 0xda, 0x94,
	0xf4, 0x97, 0xa8, 0xa0, 0x76, 0x48, 0x3b, 0xae, 0xa2, 0x0e,
};
static const unsigned char id_debian_6_1[20] = {
	0x6a, 0x2b, 0x4a, 0xc7, 0x75, 0x85, 0xb8, 0xcf, 0x10, 0x2c,
	0xba, 0x77, 0x13, 0x00, 0xe5, 0x73, 0xc8, 0x48, 0x9b, 0x69,
};

/* ---- notes built by hand ---- */

struct notes {
	unsigned char b[1024];
	size_t len;
};

static void note_add(struct notes *n, const char *name, size_t namesz,
		     uint32_t type, const void *desc, size_t descsz)
{
	uint32_t hdr[3] = { namesz, descsz, type };

	memcpy(n->b + n->len, hdr, 12);
	n->len += 12;
	memset(n->b + n->len, 0, (namesz + 3) & ~3u);
	memcpy(n->b + n->len, name, namesz);
	n->len += (namesz + 3) & ~3u;
	memset(n->b + n->len, 0, (descsz + 3) & ~3u);
	memcpy(n->b + n->len, desc, descsz);
	n->len += (descsz + 3) & ~3u;
}

static void test_notes_real_6_18(void **state)
{
	unsigned char id[64];

	(void)state;
	assert_int_equal(tfo_elf_notes_build_id(notes_6_18, sizeof(notes_6_18),
						id, sizeof(id)), 20);
	assert_memory_equal(id, id_6_18, 20);
}

static void test_notes_real_debian_6_1(void **state)
{
	unsigned char id[64];

	(void)state;
	assert_int_equal(tfo_elf_notes_build_id(notes_debian_6_1,
						sizeof(notes_debian_6_1),
						id, sizeof(id)), 20);
	assert_memory_equal(id, id_debian_6_1, 20);
}

static void test_notes_truncated(void **state)
{
	unsigned char id[64];
	size_t at = 0x180;	/* the 6.1 build id note's header */

	(void)state;
	/* cut anywhere inside the build id note: none */
	for (size_t len = 0; len < 36; len++)
		assert_int_equal(tfo_elf_notes_build_id(notes_6_18, len, id,
							sizeof(id)), 0);
	for (size_t len = at; len < at + 36; len++)
		assert_int_equal(tfo_elf_notes_build_id(notes_debian_6_1, len,
							id, sizeof(id)), 0);
	/* whole once its descriptor is in, the rest cut short */
	assert_int_equal(tfo_elf_notes_build_id(notes_6_18, 36, id, sizeof(id)), 20);
	assert_int_equal(tfo_elf_notes_build_id(notes_6_18, 37, id, sizeof(id)), 20);
	assert_int_equal(tfo_elf_notes_build_id(notes_debian_6_1, at + 36, id,
						sizeof(id)), 20);
	assert_int_equal(tfo_elf_notes_build_id(NULL, 0, id, sizeof(id)), 0);
}

static void test_notes_no_gnu(void **state)
{
	static const unsigned char prop[16] = { 2, 0, 0, 0xc0, 4, 0, 0, 0, 3 };
	unsigned char id[64];
	struct notes n = { .len = 0 };

	(void)state;
	/* the 6.18 notes without their first: Linux's and Xen's alone */
	assert_int_equal(tfo_elf_notes_build_id(notes_6_18 + 36,
						sizeof(notes_6_18) - 36, id,
						sizeof(id)), 0);
	/* a GNU note of another type; a build id type under other names */
	note_add(&n, "GNU", 4, 5, prop, sizeof(prop));
	note_add(&n, "GNUX", 5, 3, id_6_18, 20);
	note_add(&n, "GNU", 3, 3, id_6_18, 20);	/* no NUL in its name */
	note_add(&n, "Linux", 6, 3, id_6_18, 20);
	assert_int_equal(tfo_elf_notes_build_id(n.b, n.len, id, sizeof(id)), 0);
	/* an empty descriptor is no id */
	note_add(&n, "GNU", 4, 3, "", 0);
	assert_int_equal(tfo_elf_notes_build_id(n.b, n.len, id, sizeof(id)), 0);
}

static void test_notes_multiple(void **state)
{
	static const unsigned char prop[16] = { 2, 0, 0, 0xc0, 4, 0, 0, 0, 3 };
	static const unsigned char other[20] = { 1, 2, 3 };
	unsigned char id[64];
	struct notes n = { .len = 0 };

	(void)state;
	note_add(&n, "Xen", 4, 6, "linux", 6);
	note_add(&n, "GNU", 4, 5, prop, sizeof(prop));
	note_add(&n, "GNU", 4, 3, id_debian_6_1, 20);
	note_add(&n, "GNU", 4, 3, other, 20);	/* the first one counts */
	note_add(&n, "Linux", 6, 0x100, "6.1.0", 6);
	assert_int_equal(tfo_elf_notes_build_id(n.b, n.len, id, sizeof(id)), 20);
	assert_memory_equal(id, id_debian_6_1, 20);
	/* an id longer than the room for it: none */
	assert_int_equal(tfo_elf_notes_build_id(n.b, n.len, id, 19), 0);
}

static void test_notes_odd_padding(void **state)
{
	static const unsigned char id8[8] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4 };
	unsigned char id[64];
	struct notes n = { .len = 0 };

	(void)state;
	note_add(&n, "Linux", 6, 0x101, "\x01", 1);	/* 6 -> 8, 1 -> 4 */
	note_add(&n, "Xen", 4, 0x11, "abcdefg", 7);	/* 7 -> 8 */
	memset(n.b + n.len, 0, 4);	/* a note 8-aligned after them */
	n.len += 4;
	note_add(&n, "GNU", 4, 3, id8, sizeof(id8));
	assert_int_equal(tfo_elf_notes_build_id(n.b, n.len, id, sizeof(id)), 8);
	assert_memory_equal(id, id8, 8);
	/* a 5-byte id, the last note, its padding missing */
	n.len = 0;
	note_add(&n, "Xen", 4, 0x11, "abcdefg", 7);
	note_add(&n, "GNU", 4, 3, id8, 5);
	assert_int_equal(tfo_elf_notes_build_id(n.b, n.len - 3, id, sizeof(id)), 5);
	assert_memory_equal(id, id8, 5);
	/* a note whose sizes run past the end */
	n.len = 0;
	note_add(&n, "Xen", 4, 0x11, "abcdefg", 7);
	((uint32_t *)n.b)[1] = 0xfffffff0;
	note_add(&n, "GNU", 4, 3, id8, 8);
	assert_int_equal(tfo_elf_notes_build_id(n.b, n.len, id, sizeof(id)), 0);
	((uint32_t *)n.b)[0] = 0xfffffffe;
	assert_int_equal(tfo_elf_notes_build_id(n.b, n.len, id, sizeof(id)), 0);
}

/* ---- a fake kernel BTF ---- */

struct fbtf {
	unsigned char *types;
	size_t tlen, tcap;
	char *strs;
	size_t slen, scap;
	int32_t n;		/* types so far */
};

static void fbtf_init(struct fbtf *b)
{
	memset(b, 0, sizeof(*b));
	b->tcap = 1 << 16;
	b->types = malloc(b->tcap);
	b->scap = 1 << 16;
	b->strs = malloc(b->scap);
	b->strs[0] = '\0';
	b->slen = 1;
}

static void fbtf_free(struct fbtf *b)
{
	free(b->types);
	free(b->strs);
}

static uint32_t fbtf_str(struct fbtf *b, const char *s)
{
	size_t len = strlen(s) + 1;
	uint32_t off = b->slen;

	if (!*s)
		return 0;
	while (b->slen + len > b->scap)
		b->strs = realloc(b->strs, b->scap *= 2);
	memcpy(b->strs + b->slen, s, len);
	b->slen += len;
	return off;
}

/* A type record of KIND named NAME with VLEN members (their bytes
 * zero but for a member's type, 1); its id. */
static int32_t fbtf_type_off(struct fbtf *b, uint32_t name_off, uint32_t kind,
			     uint32_t vlen)
{
	size_t extra = kind == BTF_KIND_INT ? 4 :
		       kind == BTF_KIND_STRUCT ? vlen * sizeof(struct btf_member) :
		       kind == BTF_KIND_ENUM ? vlen * sizeof(struct btf_enum) :
		       kind == BTF_KIND_FUNC_PROTO ? vlen * sizeof(struct btf_param) :
		       kind == BTF_KIND_DATASEC ? vlen * sizeof(struct btf_var_secinfo) : 0;
	struct btf_type t = {
		.name_off = name_off,
		.info = kind << 24 | vlen,
		.type = kind == BTF_KIND_FUNC ? 2 : 1,
	};

	while (b->tlen + sizeof(t) + extra > b->tcap)
		b->types = realloc(b->types, b->tcap *= 2);
	memcpy(b->types + b->tlen, &t, sizeof(t));
	memset(b->types + b->tlen + sizeof(t), 0, extra);
	b->tlen += sizeof(t) + extra;
	return ++b->n;
}

static int32_t fbtf_type(struct fbtf *b, const char *name, uint32_t kind,
			 uint32_t vlen)
{
	return fbtf_type_off(b, fbtf_str(b, name), kind, vlen);
}

static void fbtf_write(const struct fbtf *b, const char *path)
{
	struct btf_header h = {
		.magic = 0xeB9F, .version = 1, .hdr_len = sizeof(h),
		.type_off = 0, .type_len = b->tlen,
		.str_off = b->tlen, .str_len = b->slen,
	};
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(&h, sizeof(h), 1, f), 1);
	assert_int_equal(fwrite(b->types, 1, b->tlen, f), b->tlen);
	assert_int_equal(fwrite(b->strs, 1, b->slen, f), b->slen);
	assert_int_equal(fclose(f), 0);
}

/* What tfotrace asks of a kernel in these tests. */
static const struct tfo_kbtf_name asked[] = {
	{ .name = "__sys_setsockopt", .kind = BTF_KIND_FUNC },
	{ .name = "tcp_setsockopt", .kind = BTF_KIND_FUNC },
	{ .name = "tcp_setsockopt", .kind = BTF_KIND_FUNC },	/* twice */
	{ .name = "file", .kind = BTF_KIND_STRUCT },
	{ .name = "socket", .kind = BTF_KIND_STRUCT },
	{ .name = "sock", .kind = BTF_KIND_STRUCT },	/* a FUNC only */
	{ .name = "mptcp_fastopen_subflow_synack_set_params", .kind = BTF_KIND_FUNC },
};
#define N_ASKED	(sizeof(asked) / sizeof(asked[0]))

struct kernel_ids {
	int32_t sys_setsockopt, tcp_setsockopt, file, socket;
};

/* A kernel's BTF: PAD unnamed types first (another build's numbering),
 * BIG a struct and strings large enough to cross the reader's window,
 * SWAP "file" and "socket" named the other way round. */
static struct kernel_ids fake_btf(const char *path, int pad, bool big,
				  bool swap)
{
	struct kernel_ids ids;
	struct fbtf b;
	char name[40];

	fbtf_init(&b);
	fbtf_type(&b, "int", BTF_KIND_INT, 0);
	fbtf_type(&b, "", BTF_KIND_FUNC_PROTO, 5);
	for (int i = 0; i < pad; i++)
		fbtf_type(&b, "", BTF_KIND_PTR, 0);
	if (big) {
		/* 100 KiB of strings and a struct of 8,000 members */
		for (int i = 0; i < 5000; i++) {
			snprintf(name, sizeof(name), "filler_function_%05d", i);
			fbtf_type(&b, name, i % 2 ? BTF_KIND_FUNC : BTF_KIND_TYPEDEF, 0);
		}
		fbtf_type(&b, "big_struct", BTF_KIND_STRUCT, 8000);
		fbtf_type(&b, "some_enum", BTF_KIND_ENUM, 300);
		fbtf_type(&b, ".data..percpu", BTF_KIND_DATASEC, 100);
	}
	fbtf_type(&b, "sock", BTF_KIND_FUNC, 0);
	ids.sys_setsockopt = fbtf_type(&b, "__sys_setsockopt", BTF_KIND_FUNC, 0);
	ids.file = fbtf_type(&b, swap ? "socket" : "file", BTF_KIND_STRUCT, 3);
	ids.socket = fbtf_type(&b, swap ? "file" : "socket", BTF_KIND_STRUCT, 4);
	if (swap) {
		int32_t t = ids.file;

		ids.file = ids.socket;
		ids.socket = t;
	}
	ids.tcp_setsockopt = fbtf_type(&b, "tcp_setsockopt", BTF_KIND_FUNC, 0);
	/* a later type of the same name and kind: the first one counts */
	fbtf_type(&b, "file", BTF_KIND_STRUCT, 1);
	fbtf_type(&b, "", BTF_KIND_FLOAT, 0);
	fbtf_write(&b, path);
	fbtf_free(&b);
	return ids;
}

static void check_ids(const struct tfo_kbtf_name *names, struct kernel_ids want)
{
	assert_int_equal(names[0].id, want.sys_setsockopt);
	assert_int_equal(names[1].id, want.tcp_setsockopt);
	assert_int_equal(names[2].id, want.tcp_setsockopt);
	assert_int_equal(names[3].id, want.file);
	assert_int_equal(names[4].id, want.socket);
	assert_int_equal(names[5].id, 0);
	assert_int_equal(names[6].id, 0);
}

/* ---- the fixture: a directory for the fake kernels, the cache, bpftool ---- */

struct fx {
	char root[64];
	char btf[128], notes[128], cache[128], core[128], log[128];
	char *old_path;
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	char path[PATH_MAX * 2], bin[128];
	struct fbtf core;
	FILE *f;

	strcpy(fx->root, "/tmp/tfotrace-test-kbtf-XXXXXX");
	if (!mkdtemp(fx->root))
		return -1;
	snprintf(fx->btf, sizeof(fx->btf), "%s/vmlinux", fx->root);
	snprintf(fx->notes, sizeof(fx->notes), "%s/notes", fx->root);
	snprintf(fx->cache, sizeof(fx->cache), "%s/cache", fx->root);
	snprintf(fx->core, sizeof(fx->core), "%s/core.btf", fx->root);
	snprintf(fx->log, sizeof(fx->log), "%s/bpftool.log", fx->root);
	snprintf(bin, sizeof(bin), "%s/bin", fx->root);
	mkdir(bin, 0700);
	/* bpftool: the minimized BTF made beforehand, each run logged */
	snprintf(path, sizeof(path), "%s/bpftool", bin);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "#!/bin/sh\n[ \"$1 $2\" = \"gen min_core_btf\" ] || exit 2\n"
		"echo \"$3\" >> '%s'\nexec cp '%s' \"$4\"\n", fx->log, fx->core);
	fclose(f);
	chmod(path, 0755);
	fbtf_init(&core);
	fbtf_type(&core, "int", BTF_KIND_INT, 0);
	fbtf_type(&core, "sock", BTF_KIND_STRUCT, 2);
	fbtf_write(&core, fx->core);
	fbtf_free(&core);
	fx->old_path = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	snprintf(path, sizeof(path), "%s:%s", bin, fx->old_path);
	setenv("PATH", path, 1);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	char cmd[200];

	setenv("PATH", fx->old_path, 1);
	free(fx->old_path);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->root);
	if (system(cmd))
		return -1;
	free(fx);
	return 0;
}

/* Each test starts with an empty cache. */
static int empty_cache(void **state)
{
	struct fx *fx = *state;
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", fx->cache, fx->log);
	return system(cmd) ? -1 : 0;
}

static void write_notes(const struct fx *fx, const void *notes, size_t len)
{
	FILE *f = fopen(fx->notes, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(notes, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* How often bpftool ran. */
static int bpftool_runs(const struct fx *fx)
{
	FILE *f = fopen(fx->log, "r");
	int n = 0, c;

	if (!f)
		return 0;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static const char fake_elf[] = "\177ELF: a BPF object, as far as the key goes";

static struct tfo_kbtf_kernel kernel_of(const struct fx *fx, const char *release)
{
	return (struct tfo_kbtf_kernel){
		.notes = fx->notes, .btf = fx->btf,
		.release = release, .version = "#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-3",
	};
}

/* Opens the cache for KERNEL: K filled, the ids checked against WANT. */
static void open_for(const struct fx *fx, struct tfo_kbtf *k,
		     const struct tfo_kbtf_kernel *kernel, struct kernel_ids want)
{
	struct tfo_kbtf_obj obj = { fake_elf, sizeof(fake_elf) };
	char why[256] = "";

	assert_int_equal(tfo_kbtf_open(k, asked, N_ASKED, &obj, 1, fx->cache,
				       kernel, why, sizeof(why)), 0);
	check_ids(k->names, want);
}

/* The cache's file ending in SUFFIX (one of each), into PATH. */
static void cache_file(const struct fx *fx, const char *suffix, char *path,
		       size_t size)
{
	struct dirent *d;
	DIR *dir = opendir(fx->cache);
	int found = 0;

	assert_non_null(dir);
	while ((d = readdir(dir))) {
		size_t len = strlen(d->d_name);

		if (len > strlen(suffix) &&
		    !strcmp(d->d_name + len - strlen(suffix), suffix)) {
			snprintf(path, size, "%.128s/%.255s", fx->cache, d->d_name);
			found++;
		}
	}
	closedir(dir);
	assert_int_equal(found, 1);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 16);

	assert_non_null(f);
	*len = fread(buf, 1, (1 << 16) - 1, f);
	fclose(f);
	return buf;
}

static void spit(const char *path, const char *buf, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* An entry's end line made right again after an edit, as tfotrace would
 * have written it. */
static void reseal(const char *path)
{
	size_t len;
	char *text = slurp(path, &len), *end;
	unsigned int n;

	text[len - 1] = '\0';
	end = strrchr(text, '\n') + 1;
	assert_int_equal(sscanf(end, "end %u", &n), 1);
	sprintf(end, "end %u %016llx\n", n,
		(unsigned long long)tfo_kbtf_checksum(text, end - text));
	spit(path, text, strlen(text));
	free(text);
}

/* Replaces the first line starting with WHAT in the file at PATH by
 * LINE. */
static void edit_line(const char *path, const char *what, const char *line)
{
	size_t len;
	char *text = slurp(path, &len), *out = calloc(1, len + 512), *at, *nl;

	at = strstr(text, what);
	assert_non_null(at);
	nl = strchr(at, '\n');
	memcpy(out, text, at - text);
	strcat(out, line);
	strcat(out, nl);
	spit(path, out, strlen(out));
	free(text);
	free(out);
}

/* ---- the reader ---- */

static void test_btf_find(void **state)
{
	struct fx *fx = *state;
	struct tfo_kbtf_name names[N_ASKED];
	struct tfo_btf_layout l;
	struct stat st;

	for (int big = 0; big < 2; big++) {
		struct kernel_ids want = fake_btf(fx->btf, 3, big, false);
		int fd = open(fx->btf, O_RDONLY);

		assert_true(fd >= 0);
		fstat(fd, &st);
		if (big)
			assert_true(st.st_size > 200 * 1024);
		memcpy(names, asked, sizeof(names));
		assert_int_equal(tfo_btf_find(fd, st.st_size, names, N_ASKED, &l), 0);
		check_ids(names, want);
		assert_int_equal(l.hdr_len, 24);
		/* the offsets hold: verified against the same BTF */
		assert_int_equal(tfo_btf_verify(fd, &l, names, N_ASKED, NULL, 0), 0);
		/* a BTF cut short: by its size, or by a file shorter than the
		 * size given */
		assert_int_equal(ftruncate(fd, 0), -1);	/* opened read-only */
		close(fd);
		assert_int_equal(truncate(fx->btf, st.st_size - 100), 0);
		fd = open(fx->btf, O_RDONLY);
		assert_int_equal(tfo_btf_find(fd, st.st_size - 100, names, N_ASKED, &l),
				 -EINVAL);
		assert_int_equal(tfo_btf_find(fd, st.st_size, names, N_ASKED, &l),
				 -EIO);
		close(fd);
	}
}

static void test_btf_verify(void **state)
{
	struct fx *fx = *state;
	struct tfo_kbtf_name names[N_ASKED];
	struct tfo_btf_layout l;
	char why[200];
	struct stat st;
	int fd;

	fake_btf(fx->btf, 3, false, false);
	fd = open(fx->btf, O_RDONLY);
	fstat(fd, &st);
	memcpy(names, asked, sizeof(names));
	assert_int_equal(tfo_btf_find(fd, st.st_size, names, N_ASKED, &l), 0);
	close(fd);
	/* another build: the same types numbered otherwise */
	fake_btf(fx->btf, 5, false, false);
	fd = open(fx->btf, O_RDONLY);
	assert_int_equal(tfo_btf_verify(fd, &l, names, N_ASKED, why, sizeof(why)),
			 -ESTALE);
	close(fd);
	/* the same layout, two names the other way round */
	fake_btf(fx->btf, 3, false, true);
	fd = open(fx->btf, O_RDONLY);
	assert_int_equal(tfo_btf_verify(fd, &l, names, N_ASKED, why, sizeof(why)),
			 -ESTALE);
	assert_non_null(strstr(why, "is not where it says"));
	close(fd);
}

static void test_btf_sound(void **state)
{
	struct fx *fx = *state;
	size_t len;
	char *btf = slurp(fx->core, &len);

	(void)state;
	assert_true(tfo_btf_sound(btf, len));
	assert_false(tfo_btf_sound(btf, len - 1));
	assert_false(tfo_btf_sound(btf, 20));
	btf[24] = 0x55;	/* the first type's name off the strings */
	assert_false(tfo_btf_sound(btf, len));
	free(btf);
}

/* ---- the cache ---- */

static void test_cache_cold_then_warm(void **state)
{
	struct fx *fx = *state;
	struct tfo_kbtf_kernel kernel = kernel_of(fx, "6.1.0-57-amd64");
	struct kernel_ids want = fake_btf(fx->btf, 3, true, false);
	struct tfo_kbtf k;

	write_notes(fx, notes_debian_6_1, sizeof(notes_debian_6_1));
	open_for(fx, &k, &kernel, want);
	assert_false(k.from_cache);
	assert_string_equal(k.note, "");
	assert_non_null(strstr(k.core_btf, fx->cache));
	tfo_kbtf_close(&k);
	assert_int_equal(bpftool_runs(fx), 1);
	open_for(fx, &k, &kernel, want);
	assert_true(k.from_cache);
	assert_string_equal(k.note, "");
	assert_non_null(strstr(k.core_btf, fx->cache));
	assert_int_equal(tfo_kbtf_id(&k, "file", BTF_KIND_STRUCT), want.file);
	tfo_kbtf_close(&k);
	assert_int_equal(bpftool_runs(fx), 1);
}

/* An entry made for another kernel, planted under this one's name: with
 * its own key, then with the key (and checksum) made this one's. */
static void test_cache_other_kernel(void **state)
{
	struct fx *fx = *state;
	struct tfo_kbtf_kernel a = kernel_of(fx, "6.1.0-57-amd64");
	struct tfo_kbtf_kernel c = kernel_of(fx, "6.1.0-58-amd64");
	struct kernel_ids want = fake_btf(fx->btf, 3, false, false);
	char a_ids[PATH_MAX], b_ids[PATH_MAX], key_line[64];
	size_t len;
	char *a_text, *b_text;
	struct tfo_kbtf k;

	write_notes(fx, notes_debian_6_1, sizeof(notes_debian_6_1));
	open_for(fx, &k, &a, want);
	tfo_kbtf_close(&k);
	cache_file(fx, ".ids", a_ids, sizeof(a_ids));
	a_text = slurp(a_ids, &len);
	empty_cache(state);
	/* kernel B: another build id, the same BTF; its own entry */
	write_notes(fx, notes_6_18, sizeof(notes_6_18));
	open_for(fx, &k, &a, want);
	assert_false(k.from_cache);
	assert_string_equal(k.note, "");
	tfo_kbtf_close(&k);
	cache_file(fx, ".ids", b_ids, sizeof(b_ids));
	assert_string_not_equal(strrchr(a_ids, '/'), strrchr(b_ids, '/'));
	b_text = slurp(b_ids, &len);
	/* A's entry as B's: rejected, rebuilt, then used */
	spit(b_ids, a_text, strlen(a_text));
	open_for(fx, &k, &a, want);
	assert_false(k.from_cache);
	assert_non_null(strstr(k.note, "was rebuilt: it is another entry's"));
	tfo_kbtf_close(&k);
	open_for(fx, &k, &a, want);
	assert_true(k.from_cache);
	tfo_kbtf_close(&k);
	/* A's entry with B's key, sealed: its build id tells */
	memcpy(key_line, strchr(b_text, '\n') + 1, 20);	/* "key " and 16 digits */
	key_line[20] = '\0';
	spit(b_ids, a_text, strlen(a_text));
	edit_line(b_ids, "key ", key_line);
	reseal(b_ids);
	open_for(fx, &k, &a, want);
	assert_false(k.from_cache);
	assert_non_null(strstr(k.note, "it was made for another kernel (build-id 6a2b4ac7"));
	tfo_kbtf_close(&k);
	/* this build id, another release (as if the release were not in the
	 * key) */
	edit_line(b_ids, "release ", "release 6.1.0-58-amd64");
	reseal(b_ids);
	open_for(fx, &k, &a, want);
	assert_false(k.from_cache);
	assert_non_null(strstr(k.note, "release 6.1.0-58-amd64; this one is 6.1.0-57-amd64"));
	tfo_kbtf_close(&k);
	open_for(fx, &k, &a, want);
	assert_true(k.from_cache);
	tfo_kbtf_close(&k);
	/* and the release is in the key: another release, another entry */
	open_for(fx, &k, &c, want);
	assert_false(k.from_cache);
	assert_string_equal(k.note, "");
	tfo_kbtf_close(&k);
	free(a_text);
	free(b_text);
}

static void test_cache_truncated_ids(void **state)
{
	struct fx *fx = *state;
	struct tfo_kbtf_kernel kernel = kernel_of(fx, "6.1.0-57-amd64");
	struct kernel_ids want = fake_btf(fx->btf, 3, false, false);
	char ids[PATH_MAX];
	struct tfo_kbtf k;
	size_t len;
	char *text;

	write_notes(fx, notes_6_18, sizeof(notes_6_18));
	open_for(fx, &k, &kernel, want);
	tfo_kbtf_close(&k);
	cache_file(fx, ".ids", ids, sizeof(ids));
	text = slurp(ids, &len);
	/* cut anywhere: after a line (the end line gone), inside one, empty */
	for (size_t cut = 0; cut < len; cut += cut < 40 ? 1 : 13) {
		spit(ids, text, cut);
		open_for(fx, &k, &kernel, want);
		assert_false(k.from_cache);
		assert_non_null(strstr(k.note, "was rebuilt: it is cut short"));
		tfo_kbtf_close(&k);
		open_for(fx, &k, &kernel, want);
		assert_true(k.from_cache);
		tfo_kbtf_close(&k);
	}
	/* an id changed: the checksum tells */
	spit(ids, text, len);
	edit_line(ids, "name 12 __sys_setsockopt", "name 12 __sys_setsockopt 7 0");
	open_for(fx, &k, &kernel, want);
	assert_false(k.from_cache);
	assert_non_null(strstr(k.note, "damaged (its checksum)"));
	tfo_kbtf_close(&k);
	free(text);
}

static void test_cache_truncated_core_btf(void **state)
{
	struct fx *fx = *state;
	struct tfo_kbtf_kernel kernel = kernel_of(fx, "6.1.0-57-amd64");
	struct kernel_ids want = fake_btf(fx->btf, 3, false, false);
	char core[PATH_MAX];
	struct tfo_kbtf k;
	size_t len, len2;
	char *text, *again;

	write_notes(fx, notes_6_18, sizeof(notes_6_18));
	open_for(fx, &k, &kernel, want);
	tfo_kbtf_close(&k);
	cache_file(fx, ".btf", core, sizeof(core));
	text = slurp(core, &len);
	assert_int_equal(bpftool_runs(fx), 1);
	spit(core, text, len - 7);
	open_for(fx, &k, &kernel, want);
	assert_true(k.from_cache);	/* the ids are sound */
	assert_non_null(strstr(k.note, "did not match its entry: made again"));
	assert_string_equal(k.core_btf, core);
	tfo_kbtf_close(&k);
	assert_int_equal(bpftool_runs(fx), 2);
	again = slurp(core, &len2);
	assert_int_equal(len2, len);
	assert_memory_equal(again, text, len);
	open_for(fx, &k, &kernel, want);
	assert_true(k.from_cache);
	assert_string_equal(k.note, "");
	tfo_kbtf_close(&k);
	assert_int_equal(bpftool_runs(fx), 2);
	/* gone, or of the same size but other bytes */
	unlink(core);
	open_for(fx, &k, &kernel, want);
	assert_non_null(strstr(k.note, "made again"));
	tfo_kbtf_close(&k);
	again[len - 1] ^= 1;
	spit(core, again, len);
	open_for(fx, &k, &kernel, want);
	assert_non_null(strstr(k.note, "made again"));
	tfo_kbtf_close(&k);
	assert_int_equal(bpftool_runs(fx), 4);
	free(text);
	free(again);
}

/* The same identity (build id, release, version, BTF size), another BTF:
 * the entry's ids are wrong for it, and the check against the BTF finds
 * it. */
static void test_cache_wrong_ids(void **state)
{
	struct fx *fx = *state;
	struct tfo_kbtf_kernel kernel = kernel_of(fx, "6.1.0-57-amd64");
	struct kernel_ids want = fake_btf(fx->btf, 3, true, false), want2;
	struct stat st, st2;
	struct tfo_kbtf k;

	write_notes(fx, notes_6_18, sizeof(notes_6_18));
	open_for(fx, &k, &kernel, want);
	tfo_kbtf_close(&k);
	stat(fx->btf, &st);
	want2 = fake_btf(fx->btf, 3, true, true);	/* same size, names swapped */
	stat(fx->btf, &st2);
	assert_int_equal(st.st_size, st2.st_size);
	open_for(fx, &k, &kernel, want2);
	assert_false(k.from_cache);
	assert_non_null(strstr(k.note, "was rebuilt: file (id"));
	assert_non_null(strstr(k.note, "is not where it says in the kernel's BTF"));
	tfo_kbtf_close(&k);
	open_for(fx, &k, &kernel, want2);
	assert_true(k.from_cache);
	tfo_kbtf_close(&k);
	/* renumbered by types added in front: another size, another key */
	want2 = fake_btf(fx->btf, 40, true, false);
	open_for(fx, &k, &kernel, want2);
	assert_false(k.from_cache);
	tfo_kbtf_close(&k);
}

/* No build id in the notes: keyed by the BTF's hash, and said so. */
static void test_cache_no_build_id(void **state)
{
	struct fx *fx = *state;
	struct tfo_kbtf_kernel kernel = kernel_of(fx, "6.1.0-57-amd64");
	struct kernel_ids want = fake_btf(fx->btf, 3, false, false);
	struct tfo_kbtf k;
	char ids[PATH_MAX];
	size_t len;
	char *text;

	write_notes(fx, notes_6_18 + 36, sizeof(notes_6_18) - 36);
	open_for(fx, &k, &kernel, want);
	assert_false(k.from_cache);
	assert_non_null(strstr(k.note, "no build id in"));
	tfo_kbtf_close(&k);
	open_for(fx, &k, &kernel, want);
	assert_true(k.from_cache);
	assert_non_null(strstr(k.note, "keyed by a hash of the kernel's whole BTF"));
	tfo_kbtf_close(&k);
	cache_file(fx, ".ids", ids, sizeof(ids));
	text = slurp(ids, &len);
	assert_non_null(strstr(text, "\nbtf-hash "));
	free(text);
	/* another BTF of the same size: another hash, another entry */
	want = fake_btf(fx->btf, 3, false, true);
	open_for(fx, &k, &kernel, want);
	assert_false(k.from_cache);
	tfo_kbtf_close(&k);
	unlink(fx->notes);	/* no notes at all */
	open_for(fx, &k, &kernel, want);
	assert_true(k.from_cache);
	tfo_kbtf_close(&k);
}

/* Without bpftool: the ids cached all the same, said so. */
static void test_cache_no_bpftool(void **state)
{
	struct fx *fx = *state;
	struct tfo_kbtf_kernel kernel = kernel_of(fx, "6.1.0-57-amd64");
	struct kernel_ids want = fake_btf(fx->btf, 3, false, false);
	char *path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	struct tfo_kbtf k;

	write_notes(fx, notes_6_18, sizeof(notes_6_18));
	setenv("PATH", "/nonexistent", 1);
	open_for(fx, &k, &kernel, want);
	assert_false(k.from_cache);
	assert_string_equal(k.core_btf, "");
	tfo_kbtf_close(&k);
	open_for(fx, &k, &kernel, want);
	assert_true(k.from_cache);
	assert_string_equal(k.core_btf, "");
	tfo_kbtf_close(&k);
	setenv("PATH", path, 1);
	free(path);
	/* bpftool back: the minimized BTF made, the entry then says so */
	open_for(fx, &k, &kernel, want);
	assert_true(k.from_cache);
	assert_string_not_equal(k.core_btf, "");
	tfo_kbtf_close(&k);
	open_for(fx, &k, &kernel, want);
	assert_string_equal(k.note, "");
	tfo_kbtf_close(&k);
	assert_int_equal(bpftool_runs(fx), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notes_real_6_18),
		cmocka_unit_test(test_notes_real_debian_6_1),
		cmocka_unit_test(test_notes_truncated),
		cmocka_unit_test(test_notes_no_gnu),
		cmocka_unit_test(test_notes_multiple),
		cmocka_unit_test(test_notes_odd_padding),
		cmocka_unit_test_setup(test_btf_find, empty_cache),
		cmocka_unit_test_setup(test_btf_verify, empty_cache),
		cmocka_unit_test_setup(test_btf_sound, empty_cache),
		cmocka_unit_test_setup(test_cache_cold_then_warm, empty_cache),
		cmocka_unit_test_setup(test_cache_other_kernel, empty_cache),
		cmocka_unit_test_setup(test_cache_truncated_ids, empty_cache),
		cmocka_unit_test_setup(test_cache_truncated_core_btf, empty_cache),
		cmocka_unit_test_setup(test_cache_wrong_ids, empty_cache),
		cmocka_unit_test_setup(test_cache_no_build_id, empty_cache),
		cmocka_unit_test_setup(test_cache_no_bpftool, empty_cache),
	};

	return cmocka_run_group_tests_name("kbtf", tests, setup, teardown);
}
