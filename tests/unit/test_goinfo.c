// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The Go build-information reader: on a real Go binary from Debian's
 * archive (promtool, from the prometheus package `make deps` installs),
 * the same with its section headers stripped away, a real Go binary
 * without .go.buildinfo (esbuild's, from npm), C binaries, non-ELF
 * files, build information crafted as Go 1.18 to 1.26 lay it out, and
 * executables crafted here, written to a temporary directory, as release
 * builds without .go.buildinfo lay them out, whole, cut and hostile. */
#define _GNU_SOURCE	/* memmem */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "goinfo.h"

#define GO_BINARY	"/usr/bin/promtool"	/* Debian's prometheus package */

static int read_path(const char *path, struct tfo_goinfo *gi)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int err;

	assert_true(fd >= 0);
	err = tfo_goinfo_read_fd(fd, gi);
	close(fd);
	return err;
}

static void assert_go_version(const struct tfo_goinfo *gi)
{
	int major = 0, minor = 0;

	assert_true(gi->is_go);
	assert_int_equal(tfo_go_version(gi->version, &major, &minor), 0);
	assert_int_equal(major, 1);
	assert_true(minor >= 18);
}

static void test_real_go_binary(void **state)
{
	struct tfo_goinfo gi;
	int major, minor;

	(void)state;
	if (access(GO_BINARY, R_OK))
		fail_msg(GO_BINARY " is missing: `make deps` installs Debian's prometheus, whose promtool is a Go program");
	assert_int_equal(read_path(GO_BINARY, &gi), 0);
	assert_go_version(&gi);
	tfo_go_version(gi.version, &major, &minor);
	/* bookworm builds with Go before 1.24: no multipathtcp setting */
	if (minor < 24)
		assert_int_equal(gi.multipathtcp, -1);
}

/* Section headers gone (as some packers leave a binary): the magic is
 * found in the data segment, as debug/buildinfo finds it. */
static void test_go_binary_without_section_headers(void **state)
{
	char path[] = "/tmp/tfo-goinfo-XXXXXX";
	struct tfo_goinfo gi, whole;
	Elf64_Ehdr eh;
	char buf[1 << 16];
	ssize_t n;
	int in, out;

	(void)state;
	if (access(GO_BINARY, R_OK))
		fail_msg(GO_BINARY " is missing (make deps)");
	in = open(GO_BINARY, O_RDONLY);
	out = mkstemp(path);
	assert_true(in >= 0 && out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, n), n);
	close(in);
	assert_int_equal(pread(out, &eh, sizeof(eh), 0), sizeof(eh));
	eh.e_shoff = 0;
	eh.e_shnum = 0;
	eh.e_shstrndx = 0;
	assert_int_equal(pwrite(out, &eh, sizeof(eh), 0), sizeof(eh));
	assert_int_equal(tfo_goinfo_read_fd(out, &gi), 0);
	close(out);
	unlink(path);
	assert_int_equal(read_path(GO_BINARY, &whole), 0);
	assert_go_version(&gi);
	assert_string_equal(gi.version, whole.version);
}

/* A Go 1.26 release build without .go.buildinfo, from npm:
 * @esbuild/linux-x64@0.28.2's package/bin/esbuild (11427952 bytes,
 * sha256 e1698a3d5c6c0798fee4fd3b5cc816651f460c63d390a7a26ea4beb0b1884100).
 * readelf -S: .text .rodata .gopclntab .typelink .itablink .go.fipsinfo
 * .go.module .noptrdata .data .bss .noptrbss .shstrtab; no .go.buildinfo,
 * no .symtab. tests/unit/fetch-go-nobuildinfo.sh, which make test-unit
 * runs first, fetches it with npm pack and checks its sha256. The path
 * is the work tree's: make runs the tests from there. */
#define NOBUILDINFO_BINARY	".cache/npm/esbuild-linux-x64-0.28.2/esbuild"

static const char esbuild_godebug[] =
	"asynctimerchan=1,containermaxprocs=0,cryptocustomrand=1,"
	"decoratemappings=0,gotestjsonbuildtext=1,gotypesalias=0,"
	"httpcookiemaxnum=0,httplaxcontentlength=1,httpmuxgo121=1,"
	"httpservecontentkeepheaders=1,multipathtcp=0,netedns0=0,panicnil=1,"
	"randseednop=0,rsa1024min=0,tls10server=1,tls3des=1,tlsmlkem=0,"
	"tlsrsakex=1,tlssecpmlkem=0,tlssha1=1,tlsunsafeekm=1,updatemaxprocs=0,"
	"urlmaxqueryparams=0,urlstrictcolons=0,winreadlinkvolume=0,"
	"winsymlink=0,x509keypairleaf=0,x509negativeserial=1,x509rsacrt=0,"
	"x509sha256skid=0,x509usepolicies=0";

/* the whole file has no build information to find */
static void assert_no_buildinfo_magic(const char *path)
{
	static const char magic[14] = "\xff Go buildinf:";
	size_t size = 0, cap = 16 << 20;
	char *bytes = malloc(cap);
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_non_null(bytes);
	while (size < cap && (n = read(fd, bytes + size, cap - size)) > 0)
		size += n;
	close(fd);
	assert_true(size > 10 << 20 && size < cap);
	assert_null(memmem(bytes, size, magic, sizeof(magic)));
	free(bytes);
}

static void test_real_go_binary_without_buildinfo(void **state)
{
	struct timespec t0, t1;
	struct tfo_goinfo gi;
	int fd;

	(void)state;
	if (access(NOBUILDINFO_BINARY, R_OK))
		fail_msg(NOBUILDINFO_BINARY " is missing: `make test-unit`, from the top of "
			 "the work tree, fetches it from npm (tests/unit/"
			 "fetch-go-nobuildinfo.sh); did that fail?");
	assert_no_buildinfo_magic(NOBUILDINFO_BINARY);
	fd = open(NOBUILDINFO_BINARY, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(tfo_goinfo_read_fd(fd, &gi), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	close(fd);
	print_message("    esbuild 0.28.2 (11 MB) read in %.2f ms\n",
		      (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	assert_true(gi.is_go);
	assert_string_equal(gi.version, "go1.26.5");
	/* 524 bytes, all of them */
	assert_string_equal(gi.default_godebug, esbuild_godebug);
	assert_false(gi.default_godebug_truncated);
	assert_int_equal(gi.multipathtcp, 0);
}

static void test_c_binaries(void **state)
{
	static const char *const c_programs[] = { "/bin/true", "/proc/self/exe" };
	struct tfo_goinfo gi;

	(void)state;
	for (size_t i = 0; i < sizeof(c_programs) / sizeof(c_programs[0]); i++) {
		memset(&gi, 0x5a, sizeof(gi));
		assert_int_equal(read_path(c_programs[i], &gi), 0);
		assert_false(gi.is_go);
		assert_string_equal(gi.version, "");
		assert_int_equal(gi.multipathtcp, -1);
	}
}

static void test_not_elf(void **state)
{
	struct tfo_goinfo gi;

	(void)state;
	assert_int_equal(read_path("/etc/hostname", &gi), -ENOEXEC);
	assert_false(gi.is_go);
}

/* The bytes after the 14-byte magic, as the Go 1.18+ linker writes them. */
static size_t craft(unsigned char *buf, unsigned char flags, const char *version,
		    const char *modinfo)
{
	size_t n = 0, v = strlen(version), m = strlen(modinfo);

	memset(buf, 0, 18);
	buf[0] = 8;		/* pointer size */
	buf[1] = flags;
	n = 18;			/* up to byte 32 of the section */
	buf[n++] = v;
	memcpy(buf + n, version, v);
	n += v;
	buf[n++] = 0x80 | (m & 0x7f);	/* a two-byte varint */
	buf[n++] = m >> 7;
	memcpy(buf + n, modinfo, m);
	return n + m;
}

static void test_mptcp_defaults(void **state)
{
	static const struct {
		const char *version, *modinfo, *godebug;
		int multipathtcp;
	} cases[] = {
		{ "go1.24.1", "path\texample.com/xray\nbuild\t-compiler=gc\n", "", 2 },
		{ "go1.25.0", "path\tx\nbuild\tDefaultGODEBUG=asynctimerchan=1,multipathtcp=0\n",
		  "asynctimerchan=1,multipathtcp=0", 0 },
		{ "go1.24.0", "build\tDefaultGODEBUG=multipathtcp=1,x509negativeserial=1\n",
		  "multipathtcp=1,x509negativeserial=1", 1 },
		{ "go1.24.4", "build\tDefaultGODEBUG=multipathtcp=3", "multipathtcp=3", 3 },
		/* not the setting: a longer name that ends alike */
		{ "go1.24.4", "build\tDefaultGODEBUG=notmultipathtcp=0\n", "notmultipathtcp=0", 2 },
		{ "go1.23.6", "build\tDefaultGODEBUG=multipathtcp=0\n", "multipathtcp=0", -1 },
		{ "go1.19.8", "path\tx\n", "", -1 },
		{ "go2.0", "", "", 2 },
		/* the line is "build\tDefaultGODEBUG=" from a line's start */
		{ "go1.25.0", "dep\tbuild\tDefaultGODEBUG=multipathtcp=0\n", "", 2 },
		{ "go1.25.0", "build\tDefaultGODEBUG=\n", "", 2 },
		/* a "devel" toolchain: only one that knows the setting writes it */
		{ "devel go1.25-0a1b2c3", "build\tDefaultGODEBUG=multipathtcp=0\n", "multipathtcp=0", 0 },
		{ "devel go1.25-0a1b2c3", "build\tDefaultGODEBUG=x=1\n", "x=1", -1 },
	};
	unsigned char buf[512];
	struct tfo_goinfo gi;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = craft(buf, 2, cases[i].version, cases[i].modinfo);

		assert_int_equal(tfo_goinfo_parse(buf, n, &gi), 0);
		assert_true(gi.is_go);
		assert_string_equal(gi.version, cases[i].version);
		assert_string_equal(gi.default_godebug, cases[i].godebug);
		assert_false(gi.default_godebug_truncated);
		assert_int_equal(gi.multipathtcp, cases[i].multipathtcp);
	}
}

/* internal/godebug: the last setting of a name wins, a value's "#pattern"
 * is not part of it, a name is what precedes an item's first '=', an item
 * without '=' sets nothing; net reads one digit and keeps its default
 * (MPTCP listeners from Go 1.24) for any other value. */
static void test_godebug_last_setting_wins(void **state)
{
	static const struct {
		const char *godebug;
		int multipathtcp;
	} cases[] = {
		{ "multipathtcp=2,multipathtcp=0", 0 },
		{ "multipathtcp=0,multipathtcp=2", 2 },
		{ "multipathtcp=0,x=1,multipathtcp=3,y=0", 3 },
		{ "multipathtcp=1#pattern", 1 },
		{ "multipathtcp=0,multipathtcp=1#0x10+0x1f", 1 },
		{ "multipathtcp=3#", 3 },
		{ "multipathtcp=0,multipathtcp", 0 },
		{ "multipathtcp=0,multipathtcp=", 2 },
		{ "multipathtcp=0,multipathtcp=x", 2 },
		{ "multipathtcp=0,multipathtcp=10", 2 },
		{ "multipathtcp=0,multipathtcp=4", 2 },
		{ "multipathtcp=0,multipathtcp=1=0", 2 },
		{ "multipathtcp=0,multipathtcp= 1", 2 },
		{ "multipathtcp=0,multipathtcp=#1", 2 },
		{ "multipathtcp=0,multipathtcpx=1", 0 },
		{ "multipathtcp=0,multipathtc=1", 0 },
		{ "multipathtcp=0,multipathtcp#1=1", 0 },
		{ "multipathtcp=0,Multipathtcp=1", 0 },
		{ "=1,,multipathtcp=1,,", 1 },
		{ ",,,", 2 },
	};
	char modinfo[256];
	unsigned char buf[512];
	struct tfo_goinfo gi;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n;

		snprintf(modinfo, sizeof(modinfo),
			 "path\tx\nbuild\tDefaultGODEBUG=%s\nbuild\tGOOS=linux\n",
			 cases[i].godebug);
		n = craft(buf, 2, "go1.26.5", modinfo);
		assert_int_equal(tfo_goinfo_parse(buf, n, &gi), 0);
		assert_string_equal(gi.default_godebug, cases[i].godebug);
		if (gi.multipathtcp != cases[i].multipathtcp)
			fail_msg("DefaultGODEBUG=%s: multipathtcp %d, not %d",
				 cases[i].godebug, gi.multipathtcp,
				 cases[i].multipathtcp);
	}
}

/* What does not fit is cut and said to be; multipathtcp is read from the
 * whole value all the same. */
static void test_godebug_truncated(void **state)
{
	char value[TFO_GODEBUG_LEN + 700], modinfo[TFO_GODEBUG_LEN + 800];
	unsigned char buf[2 * TFO_GODEBUG_LEN + 1024];
	struct tfo_goinfo gi;
	size_t n, len;

	(void)state;
	for (len = TFO_GODEBUG_LEN - 2; len <= TFO_GODEBUG_LEN + 1; len++) {
		/* "x=1111...": LEN bytes */
		memset(value, '1', len);
		memcpy(value, "x=", 2);
		value[len] = '\0';
		snprintf(modinfo, sizeof(modinfo), "build\tDefaultGODEBUG=%s\n", value);
		n = craft(buf, 2, "go1.25.1", modinfo);
		assert_int_equal(tfo_goinfo_parse(buf, n, &gi), 0);
		assert_int_equal(gi.default_godebug_truncated, len >= TFO_GODEBUG_LEN);
		assert_int_equal(strlen(gi.default_godebug),
				 len < TFO_GODEBUG_LEN ? len : TFO_GODEBUG_LEN - 1);
		assert_memory_equal(gi.default_godebug, value, strlen(gi.default_godebug));
	}
	/* the setting far past the cut */
	memset(value, 'a', TFO_GODEBUG_LEN + 600);
	memcpy(value, "x=", 2);
	strcpy(value + TFO_GODEBUG_LEN + 600, ",multipathtcp=0");
	snprintf(modinfo, sizeof(modinfo), "build\tDefaultGODEBUG=%s\n", value);
	n = craft(buf, 2, "go1.25.1", modinfo);
	assert_int_equal(tfo_goinfo_parse(buf, n, &gi), 0);
	assert_true(gi.default_godebug_truncated);
	assert_int_equal(gi.multipathtcp, 0);
	/* the bytes end inside the value: what is there, cut, and its last
	 * item ("multipathtcp=" of "multipathtcp=0") unknown */
	n = craft(buf, 2, "go1.25.1", "build\tDefaultGODEBUG=multipathtcp=1,multipathtcp=0\n");
	assert_int_equal(tfo_goinfo_parse(buf, n - 3, &gi), 0);
	assert_string_equal(gi.default_godebug, "multipathtcp=1,multipathtcp");
	assert_true(gi.default_godebug_truncated);
	assert_int_equal(gi.multipathtcp, 1);
}

/* Executables crafted by the tests: an ELF64 header, program headers from
 * byte 64, and what a test lays out after them. */
static char tmpdir[] = "/tmp/tfo-goinfo-XXXXXX";

struct image {
	unsigned char *bytes;
	size_t size;
};

static void image_new(struct image *im, size_t size, unsigned int phnum)
{
	Elf64_Ehdr eh = {
		.e_type = ET_EXEC, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
		.e_phoff = sizeof(eh), .e_phentsize = sizeof(Elf64_Phdr),
		.e_phnum = phnum, .e_ehsize = sizeof(eh),
	};

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	im->bytes = calloc(1, size);
	im->size = size;
	assert_non_null(im->bytes);
	memcpy(im->bytes, &eh, sizeof(eh));
}

static Elf64_Ehdr *image_eh(struct image *im)
{
	return (Elf64_Ehdr *)im->bytes;
}

static Elf64_Phdr *image_ph(struct image *im, unsigned int i)
{
	return (Elf64_Phdr *)(im->bytes + sizeof(Elf64_Ehdr)) + i;
}

static void image_load(struct image *im, unsigned int i, uint32_t flags,
		       uint64_t off, uint64_t vaddr, uint64_t filesz)
{
	Elf64_Phdr *ph = image_ph(im, i);

	ph->p_type = PT_LOAD;
	ph->p_flags = flags;
	ph->p_offset = off;
	ph->p_vaddr = ph->p_paddr = vaddr;
	ph->p_filesz = ph->p_memsz = filesz;
	ph->p_align = 0x1000;
}

static void image_put(struct image *im, uint64_t off, const void *p, size_t n)
{
	assert_true(off <= im->size && n <= im->size - off);
	memcpy(im->bytes + off, p, n);
}

static void image_put_u64(struct image *im, uint64_t off, uint64_t v)
{
	unsigned char le[8];

	for (int i = 0; i < 8; i++)
		le[i] = v >> (8 * i);
	image_put(im, off, le, sizeof(le));
}

/* a Go string header: {pointer, length} */
static void image_put_string(struct image *im, uint64_t off, uint64_t ptr,
			     uint64_t len)
{
	image_put_u64(im, off, ptr);
	image_put_u64(im, off + 8, len);
}

/* cmd/go's sentinels around the module information, made when needed:
 * were they in this program's data as they are, it would look like Go's
 * (test_c_binaries reads /proc/self/exe) */
static unsigned char modinfo_start[16], modinfo_end[16];

static void make_sentinels(void)
{
	/* volatile: not turned back at build time */
	static const volatile unsigned char start_inverted[16] = {
		0xcf, 0x88, 0x50, 0xf3, 0x6d, 0x8b, 0xf7, 0xfd,
		0xbe, 0x1e, 0x3e, 0xf8, 0x19, 0x29, 0xe7, 0x19,
	};
	static const volatile unsigned char end_inverted[16] = {
		0x06, 0xcd, 0xbc, 0xce, 0x79, 0xe7, 0xdf, 0x8d,
		0xff, 0x7d, 0xbd, 0xef, 0xbe, 0xe9, 0x27, 0x0d,
	};

	for (size_t i = 0; i < sizeof(modinfo_start); i++) {
		modinfo_start[i] = ~start_inverted[i];
		modinfo_end[i] = ~end_inverted[i];
	}
}

/* the module information between cmd/go's sentinels */
static void image_put_modinfo(struct image *im, uint64_t off, const char *text)
{
	size_t n = strlen(text);

	image_put(im, off, modinfo_start, sizeof(modinfo_start));
	image_put(im, off + sizeof(modinfo_start), text, n);
	image_put(im, off + sizeof(modinfo_start) + n, modinfo_end,
		  sizeof(modinfo_end));
}

static int write_image(const struct image *im, size_t n)
{
	char path[sizeof(tmpdir) + 16];
	int fd;

	snprintf(path, sizeof(path), "%s/exe", tmpdir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, im->bytes, n), (ssize_t)n);
	return fd;
}

/* The first N bytes of IM read as an executable. */
static int image_read_cut(const struct image *im, size_t n, struct tfo_goinfo *gi)
{
	int fd = write_image(im, n);
	int err;

	memset(gi, 0x5a, sizeof(*gi));
	err = tfo_goinfo_read_fd(fd, gi);
	close(fd);
	/* whatever the file, the strings end */
	assert_non_null(memchr(gi->version, '\0', sizeof(gi->version)));
	assert_non_null(memchr(gi->default_godebug, '\0', sizeof(gi->default_godebug)));
	return err;
}

static int image_read(const struct image *im, struct tfo_goinfo *gi)
{
	return image_read_cut(im, im->size, gi);
}

/* As a Go 1.26 release build without .go.buildinfo lays itself out: the
 * version string and the module information in a read-only segment, the
 * header of runtime.buildVersion in a writable one. */
#define RO_OFF		0x1000
#define RO_ADDR		0x401000
#define RO_SIZE		0x2000
#define RW_OFF		0x3000
#define RW_ADDR		0x603000
#define RW_SIZE		0x1000
#define VERSION_AT	0x180	/* in the read-only segment */
#define MODINFO_AT	0x400
#define HEADER_AT	0x48	/* in the writable segment */
#define IMAGE_SIZE	0x5000	/* sections, when a test adds them, from 0x4000 */

static const char modinfo_text[] =
	"path\tgithub.com/evanw/esbuild/cmd/esbuild\n"
	"mod\tgithub.com/evanw/esbuild\t(devel)\t\n"
	"build\t-buildmode=exe\n"
	"build\tDefaultGODEBUG=asynctimerchan=1,multipathtcp=0,netedns0=0\n"
	"build\tCGO_ENABLED=0\n";

static void image_go(struct image *im, const char *version, bool header,
		     const char *modinfo)
{
	image_new(im, IMAGE_SIZE, 2);
	image_load(im, 0, PF_R, RO_OFF, RO_ADDR, RO_SIZE);
	image_load(im, 1, PF_R | PF_W, RW_OFF, RW_ADDR, RW_SIZE);
	/* Go's strings lie end to end, without NULs between them */
	image_put(im, RO_OFF + VERSION_AT - 6, "goexit", 6);
	if (version) {
		image_put(im, RO_OFF + VERSION_AT, version, strlen(version));
		image_put(im, RO_OFF + VERSION_AT + strlen(version),
			  "unexpected signal", 17);
		if (header)
			image_put_string(im, RW_OFF + HEADER_AT,
					 RO_ADDR + VERSION_AT, strlen(version));
	}
	/* other headers, as .data is full of them */
	image_put_string(im, RW_OFF + 0x8, RO_ADDR + VERSION_AT - 6, 6);
	image_put_string(im, RW_OFF + 0x28, RO_ADDR + VERSION_AT, 0);
	if (modinfo)
		image_put_modinfo(im, RO_OFF + MODINFO_AT, modinfo);
}

static void image_free(struct image *im)
{
	free(im->bytes);
	im->bytes = NULL;
}

static void test_no_buildinfo(void **state)
{
	struct tfo_goinfo gi;
	struct image im;

	(void)state;
	image_go(&im, "go1.26.5", true, modinfo_text);
	assert_int_equal(image_read(&im, &gi), 0);
	assert_true(gi.is_go);
	assert_string_equal(gi.version, "go1.26.5");
	assert_string_equal(gi.default_godebug, "asynctimerchan=1,multipathtcp=0,netedns0=0");
	assert_false(gi.default_godebug_truncated);
	assert_int_equal(gi.multipathtcp, 0);
	image_free(&im);

	/* no DefaultGODEBUG: go.mod asks for this toolchain's defaults */
	image_go(&im, "go1.26.5", true, "path\tx\nbuild\tGOOS=linux\n");
	assert_int_equal(image_read(&im, &gi), 0);
	assert_string_equal(gi.default_godebug, "");
	assert_int_equal(gi.multipathtcp, 2);
	image_free(&im);

	/* before Go 1.24 there is no such setting */
	image_go(&im, "go1.23.4", true, modinfo_text);
	assert_int_equal(image_read(&im, &gi), 0);
	assert_string_equal(gi.version, "go1.23.4");
	assert_int_equal(gi.multipathtcp, -1);
	image_free(&im);
}

/* The module information without a version: Go, which version unknown. */
static void test_no_buildinfo_only_sentinels(void **state)
{
	static const struct {
		const char *version, *modinfo, *godebug;
		int multipathtcp;
	} cases[] = {
		{ NULL, modinfo_text, "asynctimerchan=1,multipathtcp=0,netedns0=0", 0 },
		{ "go1.26.5", modinfo_text, "asynctimerchan=1,multipathtcp=0,netedns0=0", 0 },
		{ NULL, "build\tDefaultGODEBUG=multipathtcp=x\n", "multipathtcp=x", 2 },
		{ NULL, "build\tDefaultGODEBUG=panicnil=1\n", "panicnil=1", -1 },
		{ NULL, "path\tx\n", "", -1 },
		{ NULL, "go\tgo1.26.5\n", "", -1 },
	};
	struct tfo_goinfo gi;
	struct image im;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* a version string, but no header points at it */
		image_go(&im, cases[i].version, false, cases[i].modinfo);
		assert_int_equal(image_read(&im, &gi), 0);
		assert_true(gi.is_go);
		assert_string_equal(gi.version, "");
		assert_string_equal(gi.default_godebug, cases[i].godebug);
		assert_int_equal(gi.multipathtcp, cases[i].multipathtcp);
		image_free(&im);
	}
}

static void test_no_buildinfo_only_version(void **state)
{
	struct tfo_goinfo gi;
	struct image im;

	(void)state;
	image_go(&im, "go1.25.3", true, NULL);
	assert_int_equal(image_read(&im, &gi), 0);
	assert_true(gi.is_go);
	assert_string_equal(gi.version, "go1.25.3");
	assert_string_equal(gi.default_godebug, "");
	assert_int_equal(gi.multipathtcp, 2);
	image_free(&im);
}

static void test_no_buildinfo_not_go(void **state)
{
	struct tfo_goinfo gi;
	struct image im;

	(void)state;
	image_go(&im, NULL, false, NULL);
	assert_int_equal(image_read(&im, &gi), 0);
	assert_false(gi.is_go);
	assert_string_equal(gi.version, "");
	assert_int_equal(gi.multipathtcp, -1);
	image_free(&im);

	/* a start sentinel without its end is not module information */
	image_go(&im, NULL, false, NULL);
	image_put(&im, RO_OFF + MODINFO_AT, modinfo_start, sizeof(modinfo_start));
	image_put(&im, RO_OFF + MODINFO_AT + 16, modinfo_text, strlen(modinfo_text));
	assert_int_equal(image_read(&im, &gi), 0);
	assert_false(gi.is_go);
	assert_string_equal(gi.default_godebug, "");
	assert_false(gi.default_godebug_truncated);
	assert_int_equal(gi.multipathtcp, -1);
	image_free(&im);

	/* the sentinels in the writable data are not looked for */
	image_go(&im, NULL, false, NULL);
	image_put_modinfo(&im, RW_OFF + 0x100, modinfo_text);
	assert_int_equal(image_read(&im, &gi), 0);
	assert_false(gi.is_go);
	image_free(&im);
}

/* What a header must point at to be runtime.buildVersion: a release's
 * version, all of the string it describes. */
static void test_version_strings(void **state)
{
	static const struct {
		const char *text;
		uint64_t len;
		const char *version;
	} cases[] = {
		{ "go1.26.5", 8, "go1.26.5" },
		{ "go1.26.5", 6, "go1.26" },
		{ "go1.10", 6, "go1.10" },
		{ "go1.24rc2", 9, "go1.24rc2" },
		{ "go1.25beta1", 11, "go1.25beta1" },
		{ "go1.21.0rc1", 11, "go1.21.0rc1" },
		{ "go1.26.5", 7, "" },		/* "go1.26." */
		{ "go1.26.5", 9, "" },		/* "go1.26.5u" */
		{ "go1.26.5", 5, "go1.2" },	/* the header says where it ends */
		{ "go1.25beta", 10, "" },
		{ "go1.24rc", 8, "" },
		{ "go1.24rc1x", 10, "" },
		{ "go1.22 X:rangefunc", 18, "" },
		{ "go1.21.0-bookworm", 17, "" },
		{ "go1.2.3.4", 9, "" },
		{ "go1.x", 5, "" },
		{ "go1.26.5", 0, "" },
		{ "go1.26.5", 1ULL << 40, "" },
		{ "go1.26.5", UINT64_MAX, "" },
	};
	struct tfo_goinfo gi;
	struct image im;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		image_go(&im, cases[i].text, false, NULL);
		image_put_string(&im, RW_OFF + HEADER_AT, RO_ADDR + VERSION_AT,
				 cases[i].len);
		assert_int_equal(image_read(&im, &gi), 0);
		if (strcmp(gi.version, cases[i].version))
			fail_msg("{\"%s\", %llu}: \"%s\", not \"%s\"", cases[i].text,
				 (unsigned long long)cases[i].len, gi.version,
				 cases[i].version);
		assert_int_equal(gi.is_go, cases[i].version[0] != '\0');
		image_free(&im);
	}
	/* "devel go1.27-..." names no release, from wherever in it */
	image_go(&im, "devel go1.27-a1b2c3d4 Tue Jun 3 2025", false, NULL);
	image_put_string(&im, RW_OFF + HEADER_AT, RO_ADDR + VERSION_AT, 36);
	image_put_string(&im, RW_OFF + HEADER_AT + 16, RO_ADDR + VERSION_AT + 6, 6);
	image_put_string(&im, RW_OFF + HEADER_AT + 32, RO_ADDR + VERSION_AT + 6, 16);
	assert_int_equal(image_read(&im, &gi), 0);
	assert_string_equal(gi.version, "go1.27");
	image_free(&im);
}

/* Headers that say different versions: the linker ends
 * runtime.buildVersion's string with a NUL, the compiler lays a program's
 * strings end to end; beyond that, which is the toolchain's is not known.
 * Two that say the same are one version. */
static void test_version_ambiguous(void **state)
{
	struct tfo_goinfo gi;
	struct image im;

	(void)state;
	image_go(&im, "go1.26.5", true, modinfo_text);
	image_put(&im, RO_OFF + 0x300, "go1.21StringForm", 16);
	image_put_string(&im, RW_OFF + 0x80, RO_ADDR + 0x300, 6);
	assert_int_equal(image_read(&im, &gi), 0);
	assert_true(gi.is_go);
	assert_string_equal(gi.version, "");
	assert_int_equal(gi.multipathtcp, 0);
	/* the same version at another address */
	image_put(&im, RO_OFF + 0x300, "go1.26.5", 8);
	image_put_string(&im, RW_OFF + 0x80, RO_ADDR + 0x300, 8);
	assert_int_equal(image_read(&im, &gi), 0);
	assert_string_equal(gi.version, "go1.26.5");
	/* a NUL after one: the linker's */
	image_put(&im, RO_OFF + 0x300, "go1.27.1\0", 9);
	assert_int_equal(image_read(&im, &gi), 0);
	assert_string_equal(gi.version, "go1.27.1");
	/* after both */
	image_put(&im, RO_OFF + VERSION_AT + 8, "\0", 1);
	assert_int_equal(image_read(&im, &gi), 0);
	assert_string_equal(gi.version, "");
	image_free(&im);
}

/* A symbol table, as a build without -s keeps it: runtime.buildVersion by
 * name, even where the headers in the data disagree. */
#define STRTAB_OFF	0x4000
#define SYMTAB_OFF	0x4100
#define SHSTRTAB_OFF	0x4200
#define SHDR_OFF	0x4300
#define DECOY_AT	0x300	/* "go1.21", in "go1.21StringForm" */
#define DECOY_HEADER_AT	0x80	/* its header in the writable one */

static const char strtab[] = "\0xruntime.buildVersion\0runtime.buildVersion\0main.main";
static const char shstrtab[] = "\0.symtab\0.strtab\0.shstrtab";

static void image_symtab(struct image *im, uint64_t build_version_vaddr)
{
	Elf64_Sym syms[4] = {
		{ 0 },
		{ .st_name = 1, .st_info = ELF64_ST_INFO(STB_LOCAL, STT_OBJECT),
		  .st_shndx = 1, .st_value = RW_ADDR + DECOY_HEADER_AT, .st_size = 16 },
		{ .st_name = 23, .st_info = ELF64_ST_INFO(STB_LOCAL, STT_OBJECT),
		  .st_shndx = 1, .st_value = build_version_vaddr, .st_size = 16 },
		{ .st_name = 44, .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC),
		  .st_shndx = 1, .st_value = 0x401000 },
	};
	Elf64_Shdr sh[4] = {
		{ 0 },
		{ .sh_name = 1, .sh_type = SHT_SYMTAB, .sh_offset = SYMTAB_OFF,
		  .sh_size = sizeof(syms), .sh_link = 2, .sh_entsize = sizeof(syms[0]) },
		{ .sh_name = 9, .sh_type = SHT_STRTAB, .sh_offset = STRTAB_OFF,
		  .sh_size = sizeof(strtab) },
		{ .sh_name = 17, .sh_type = SHT_STRTAB, .sh_offset = SHSTRTAB_OFF,
		  .sh_size = sizeof(shstrtab) },
	};
	Elf64_Ehdr *eh = image_eh(im);

	image_put(im, RO_OFF + DECOY_AT, "go1.21StringForm", 16);
	image_put_string(im, RW_OFF + DECOY_HEADER_AT, RO_ADDR + DECOY_AT, 6);
	image_put(im, STRTAB_OFF, strtab, sizeof(strtab));
	image_put(im, SYMTAB_OFF, syms, sizeof(syms));
	image_put(im, SHSTRTAB_OFF, shstrtab, sizeof(shstrtab));
	image_put(im, SHDR_OFF, sh, sizeof(sh));
	eh->e_shoff = SHDR_OFF;
	eh->e_shentsize = sizeof(sh[0]);
	eh->e_shnum = 4;
	eh->e_shstrndx = 3;
}

static void test_symtab_build_version(void **state)
{
	struct tfo_goinfo gi;
	struct image im;
	Elf64_Shdr *symtab;

	(void)state;
	image_go(&im, "go1.26.5", true, modinfo_text);
	image_symtab(&im, RW_ADDR + HEADER_AT);
	assert_int_equal(image_read(&im, &gi), 0);
	assert_true(gi.is_go);
	assert_string_equal(gi.version, "go1.26.5");
	assert_string_equal(gi.default_godebug, "asynctimerchan=1,multipathtcp=0,netedns0=0");
	/* the symbol decides, not "xruntime.buildVersion" */
	image_symtab(&im, RW_ADDR + DECOY_HEADER_AT);
	assert_int_equal(image_read(&im, &gi), 0);
	assert_string_equal(gi.version, "go1.21");
	/* a symbol that leads nowhere: the headers, which disagree */
	image_symtab(&im, 0xdead0000);
	assert_int_equal(image_read(&im, &gi), 0);
	assert_true(gi.is_go);
	assert_string_equal(gi.version, "");
	/* a damaged symbol table: the same */
	image_symtab(&im, RW_ADDR + HEADER_AT);
	symtab = (Elf64_Shdr *)(im.bytes + SHDR_OFF) + 1;
	symtab->sh_link = 9;
	assert_int_equal(image_read(&im, &gi), 0);
	assert_string_equal(gi.version, "");
	symtab->sh_link = 2;
	symtab->sh_offset = UINT64_MAX - 8;
	assert_int_equal(image_read(&im, &gi), 0);
	assert_string_equal(gi.version, "");
	symtab->sh_offset = SYMTAB_OFF;
	symtab->sh_size = UINT64_MAX;
	assert_int_equal(image_read(&im, &gi), 0);
	assert_string_equal(gi.version, "go1.26.5");
	symtab->sh_entsize = 0;
	assert_int_equal(image_read(&im, &gi), 0);
	assert_string_equal(gi.version, "");
	image_free(&im);
}

/* goinfo.c reads segments in chunks; whatever their size (a power of two
 * from 4 KiB to 1 MiB), 1 MiB into a segment is where two meet, and a
 * sentinel, version string or header across it is found all the same. */
#define MIB		(1 << 20)
#define BIG_RO_SIZE	(MIB + 0x10000)
#define BIG_RW_OFF	BIG_RO_SIZE
#define BIG_RW_ADDR	0x1000000
#define BIG_RW_SIZE	(MIB + 0x10000)

static void image_big(struct image *im)
{
	image_new(im, BIG_RO_SIZE + BIG_RW_SIZE, 2);
	/* from the file's start, as Go's first segment is */
	image_load(im, 0, PF_R, 0, RO_ADDR - RO_OFF, BIG_RO_SIZE);
	image_load(im, 1, PF_R | PF_W, BIG_RW_OFF, BIG_RW_ADDR, BIG_RW_SIZE);
}

static void test_chunk_boundaries(void **state)
{
	const size_t modinfo_len = sizeof(modinfo_start) + strlen(modinfo_text) +
				   sizeof(modinfo_end);
	const uint64_t ro_addr = RO_ADDR - RO_OFF;
	struct tfo_goinfo gi;
	struct image im;

	(void)state;
	image_big(&im);
	/* the module information across the boundary, from all its bytes
	 * before it to all after */
	for (size_t before = 0; before <= modinfo_len; before++) {
		image_put_modinfo(&im, MIB - before, modinfo_text);
		assert_int_equal(image_read(&im, &gi), 0);
		if (!gi.is_go || gi.multipathtcp != 0)
			fail_msg("module information %zu bytes before 1 MiB: not found",
				 before);
		memset(im.bytes + MIB - before, 0, modinfo_len);
	}
	/* the version string across it */
	for (size_t before = 0; before <= 9; before++) {
		image_put(&im, MIB - before, "go1.26.5", 8);
		image_put_string(&im, BIG_RW_OFF + 0x40, ro_addr + MIB - before, 8);
		assert_int_equal(image_read(&im, &gi), 0);
		if (strcmp(gi.version, "go1.26.5"))
			fail_msg("version %zu bytes before 1 MiB: \"%s\"", before,
				 gi.version);
		memset(im.bytes + MIB - before, 0, 8);
	}
	/* its header across the writable segment's */
	image_put(&im, 0x2000, "go1.26.5", 8);
	memset(im.bytes + BIG_RW_OFF + 0x40, 0, 16);
	for (size_t before = 0; before <= 16; before += 8) {
		image_put_string(&im, BIG_RW_OFF + MIB - before, ro_addr + 0x2000, 8);
		assert_int_equal(image_read(&im, &gi), 0);
		if (strcmp(gi.version, "go1.26.5"))
			fail_msg("header %zu bytes before 1 MiB: \"%s\"", before,
				 gi.version);
		memset(im.bytes + BIG_RW_OFF + MIB - before, 0, 16);
	}
	image_free(&im);
}

/* A program that calls ListenConfig.SetMultipathTCP has the name in its
 * function table (read-only data), wherever a read's chunk ends; the
 * name in writable data, or in a program that is not Go, says nothing. */
static void test_sets_multipath_tcp(void **state)
{
	static const char name[] = "net.(*ListenConfig).SetMultipathTCP";
	const size_t len = sizeof(name) - 1;
	struct tfo_goinfo gi;
	struct image im;

	(void)state;
	image_go(&im, "go1.26.5", true, modinfo_text);
	assert_int_equal(image_read(&im, &gi), 0);
	assert_false(gi.sets_multipath_tcp);
	image_put(&im, RO_OFF + 0x1800, name, len);
	assert_int_equal(image_read(&im, &gi), 0);
	assert_true(gi.sets_multipath_tcp);
	memset(im.bytes + RO_OFF + 0x1800, 0, len);
	image_put(&im, RW_OFF + 0x200, name, len);
	assert_int_equal(image_read(&im, &gi), 0);
	assert_false(gi.sets_multipath_tcp);
	image_free(&im);
	/* not Go: not looked for */
	image_go(&im, NULL, false, NULL);
	image_put(&im, RO_OFF + 0x1800, name, len);
	assert_int_equal(image_read(&im, &gi), 0);
	assert_false(gi.is_go);
	assert_false(gi.sets_multipath_tcp);
	image_free(&im);
	/* across the 64 KiB chunks of the read */
	image_big(&im);
	image_put_modinfo(&im, 0x2000, modinfo_text);
	for (size_t before = 0; before <= len; before++) {
		image_put(&im, MIB - before, name, len);
		assert_int_equal(image_read(&im, &gi), 0);
		if (!gi.sets_multipath_tcp)
			fail_msg("the name %zu bytes before 1 MiB: not found", before);
		memset(im.bytes + MIB - before, 0, len);
	}
	image_free(&im);
}

/* Module information read in pieces: its end sentinel and its
 * DefaultGODEBUG line across a piece's end (a power of two from 4 KiB). */
static void test_modinfo_boundaries(void **state)
{
	static const char line[] = "build\tDefaultGODEBUG=multipathtcp=1,x=0\n";
	char *text = malloc(0x10000 + 64);
	struct tfo_goinfo gi;
	struct image im;

	(void)state;
	assert_non_null(text);
	for (size_t boundary = 0x1000; boundary <= 0x10000; boundary *= 2) {
		for (size_t len = boundary - 20; len <= boundary + 1; len++) {
			/* a last line that ends LEN bytes into the text */
			memset(text, 'a', len);
			memcpy(text, "path\tx\n", 7);
			text[len - 1] = '\n';
			memcpy(text + len - 6, "\nb\tc\n", 5);
			text[99] = '\n';
			memcpy(text + 100, line, sizeof(line) - 1);
			text[len] = '\0';
			image_new(&im, RO_OFF + 0x11000, 1);
			image_load(&im, 0, PF_R, RO_OFF, RO_ADDR, 0x11000);
			image_put_modinfo(&im, RO_OFF + 0x10, text);
			assert_int_equal(image_read(&im, &gi), 0);
			if (!gi.is_go || gi.multipathtcp != 1)
				fail_msg("module information %zu bytes long: not read", len);
			/* the DefaultGODEBUG line across the boundary */
			memset(text + 100, 'a', sizeof(line) - 1);
			text[len - sizeof(line) - 9] = '\n';
			memcpy(text + len - sizeof(line) - 8, line, sizeof(line) - 1);
			image_put_modinfo(&im, RO_OFF + 0x10, text);
			assert_int_equal(image_read(&im, &gi), 0);
			if (strcmp(gi.default_godebug, "multipathtcp=1,x=0"))
				fail_msg("DefaultGODEBUG ending %zu bytes in: \"%s\"",
					 len, gi.default_godebug);
			image_free(&im);
		}
	}
	free(text);
}

/* Build information found by its magic whose module information goes on
 * past what is first read of it: many dependencies before the build
 * settings. */
static void test_buildinfo_long_modinfo(void **state)
{
	static const char magic[14] = "\xff Go buildinf:";
	static const char tail[] = "build\tDefaultGODEBUG=multipathtcp=0\nbuild\tGOOS=linux\n";
	char *modinfo = malloc(9000);
	unsigned char *buf = malloc(10000);
	struct tfo_goinfo gi;
	struct image im;
	size_t n = 0;

	(void)state;
	assert_non_null(modinfo);
	assert_non_null(buf);
	n += sprintf(modinfo, "path\texample.com/big\nmod\texample.com/big\t(devel)\t\n");
	while (n < 8000)
		n += sprintf(modinfo + n, "dep\texample.com/dep%zu\tv1.2.3\th1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", n);
	strcpy(modinfo + n, tail);
	n = craft(buf, 2, "go1.25.7", modinfo);
	image_new(&im, RW_OFF + 0x3000, 2);
	image_load(&im, 0, PF_R, RO_OFF, RO_ADDR, RO_SIZE);
	image_load(&im, 1, PF_R | PF_W, RW_OFF, RW_ADDR, 0x3000);
	image_put(&im, RW_OFF + 0x20, magic, sizeof(magic));
	image_put(&im, RW_OFF + 0x20 + sizeof(magic), buf, n);
	assert_int_equal(image_read(&im, &gi), 0);
	assert_true(gi.is_go);
	assert_string_equal(gi.version, "go1.25.7");
	assert_string_equal(gi.default_godebug, "multipathtcp=0");
	assert_int_equal(gi.multipathtcp, 0);
	/* the file ends inside the DefaultGODEBUG line */
	assert_int_equal(image_read_cut(&im, RW_OFF + 0x20 + sizeof(magic) + n - 20,
					&gi), 0);
	assert_string_equal(gi.version, "go1.25.7");
	assert_true(gi.default_godebug_truncated);
	assert_int_equal(gi.multipathtcp, 2);
	image_free(&im);
	free(modinfo);
	free(buf);
}

/* Offsets and sizes that lead outside the file or wrap, headers that
 * point nowhere, overlapping segments, and every cut of a good file. */
static void test_hostile_files(void **state)
{
	struct tfo_goinfo gi;
	struct image im;
	Elf64_Ehdr *eh;
	int err;

	(void)state;
	/* the read-only segment past the file's end */
	image_go(&im, "go1.26.5", true, modinfo_text);
	image_ph(&im, 0)->p_offset = 1ULL << 40;
	assert_int_equal(image_read(&im, &gi), 0);
	assert_false(gi.is_go);
	image_ph(&im, 0)->p_offset = UINT64_MAX - 8;
	assert_int_equal(image_read(&im, &gi), 0);
	assert_false(gi.is_go);
	image_ph(&im, 0)->p_offset = INT64_MAX;
	assert_int_equal(image_read(&im, &gi), 0);
	assert_false(gi.is_go);
	/* sizes past it: cut to the file */
	image_ph(&im, 0)->p_offset = RO_OFF;
	image_ph(&im, 0)->p_filesz = UINT64_MAX;
	image_ph(&im, 1)->p_filesz = UINT64_MAX;
	assert_int_equal(image_read(&im, &gi), 0);
	assert_true(gi.is_go);
	assert_string_equal(gi.version, "go1.26.5");
	/* an address range that wraps: the header points at nothing */
	image_ph(&im, 0)->p_vaddr = UINT64_MAX - 0xfff;
	assert_int_equal(image_read(&im, &gi), 0);
	assert_true(gi.is_go);
	assert_string_equal(gi.version, "");
	image_free(&im);

	/* headers that point nowhere, or at too much */
	static const uint64_t bad[][2] = {
		{ 0xdead0000, 8 }, { 0, 8 }, { UINT64_MAX - 2, 8 },
		{ RO_ADDR + VERSION_AT, 1ULL << 62 }, { RO_ADDR + RO_SIZE - 4, 8 },
		{ RW_ADDR + RW_SIZE, 8 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		image_go(&im, "go1.26.5", false, modinfo_text);
		image_put(&im, RO_OFF + RO_SIZE - 4, "go1.", 4);
		image_put_string(&im, RW_OFF + HEADER_AT, bad[i][0], bad[i][1]);
		assert_int_equal(image_read(&im, &gi), 0);
		assert_true(gi.is_go);
		assert_string_equal(gi.version, "");
		image_free(&im);
	}

	/* program headers out of reach, too many, or not of this size */
	image_go(&im, "go1.26.5", true, modinfo_text);
	eh = image_eh(&im);
	eh->e_phoff = 1ULL << 40;
	assert_int_equal(image_read(&im, &gi), 0);
	assert_false(gi.is_go);
	eh->e_phoff = UINT64_MAX - 16;
	assert_int_equal(image_read(&im, &gi), 0);
	assert_false(gi.is_go);
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = 32;
	assert_int_equal(image_read(&im, &gi), 0);
	assert_false(gi.is_go);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 0xffff;
	assert_int_equal(image_read(&im, &gi), 0);
	assert_true(gi.is_go);
	/* sixteen segments over the same bytes, and more */
	eh->e_phnum = 40;
	for (unsigned int i = 0; i < 40; i++)
		image_load(&im, i, i == 39 ? PF_R | PF_W : PF_R, RO_OFF, RO_ADDR,
			   IMAGE_SIZE - RO_OFF);
	image_load(&im, 39, PF_R | PF_W, RW_OFF, RW_ADDR, RW_SIZE);
	assert_int_equal(image_read(&im, &gi), 0);
	assert_true(gi.is_go);
	image_free(&im);

	/* section headers out of reach or nonsense */
	image_go(&im, "go1.26.5", true, modinfo_text);
	image_symtab(&im, RW_ADDR + HEADER_AT);
	eh = image_eh(&im);
	eh->e_shoff = UINT64_MAX - 100;
	assert_int_equal(image_read(&im, &gi), 0);
	assert_true(gi.is_go);
	eh->e_shoff = SHDR_OFF;
	eh->e_shnum = 0xffff;
	assert_int_equal(image_read(&im, &gi), 0);
	assert_true(gi.is_go);
	eh->e_shnum = 4;
	eh->e_shstrndx = 4;
	assert_int_equal(image_read(&im, &gi), 0);
	assert_string_equal(gi.version, "go1.26.5");
	eh->e_shstrndx = 3;
	((Elf64_Shdr *)(im.bytes + SHDR_OFF))[3].sh_size = UINT64_MAX;
	((Elf64_Shdr *)(im.bytes + SHDR_OFF))[1].sh_name = UINT32_MAX;
	assert_int_equal(image_read(&im, &gi), 0);
	assert_string_equal(gi.version, "go1.26.5");

	/* every cut of the file, and bytes flipped all over it */
	for (size_t n = 0; n <= im.size; n += n < 0x80 ? 1 : 7) {
		err = image_read_cut(&im, n, &gi);
		assert_true(err == 0 || err == -ENOEXEC);
	}
	srand(1);
	for (int i = 0; i < 300; i++) {
		struct image copy = { malloc(im.size), im.size };

		assert_non_null(copy.bytes);
		memcpy(copy.bytes, im.bytes, im.size);
		for (int j = 0; j < 8; j++)
			copy.bytes[rand() % (0x100 + (i % 2) * (im.size - 0x100))] = rand();
		err = image_read(&copy, &gi);
		assert_true(err == 0 || err == -ENOEXEC);
		free(copy.bytes);
	}
	image_free(&im);
}

/* A file that says it is 64 GiB (sparse: its holes read as zeros), every
 * segment and table as large, a start sentinel with no end: what is read
 * stays bounded, so the answer comes soon. */
static void test_huge_claims_stay_bounded(void **state)
{
	const uint64_t huge = 64ULL << 30;
	struct timespec t0, t1;
	struct tfo_goinfo gi;
	struct image im;
	double ms;
	int fd;

	(void)state;
	image_go(&im, "go1.26.5", true, NULL);
	image_symtab(&im, RW_ADDR + HEADER_AT);
	image_put(&im, RO_OFF + MODINFO_AT, modinfo_start, sizeof(modinfo_start));
	image_eh(&im)->e_phnum = 20;
	for (unsigned int i = 0; i < 20; i++)
		image_load(&im, i, i % 2 ? PF_R | PF_W : PF_R, 0, 0x400000 * i, huge);
	((Elf64_Shdr *)(im.bytes + SHDR_OFF))[1].sh_size = huge;
	((Elf64_Shdr *)(im.bytes + SHDR_OFF))[2].sh_size = huge;
	((Elf64_Shdr *)(im.bytes + SHDR_OFF))[3].sh_size = huge;
	fd = write_image(&im, im.size);
	assert_int_equal(ftruncate(fd, huge), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(tfo_goinfo_read_fd(fd, &gi), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	close(fd);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	print_message("    a 64 GiB claim read in %.1f ms\n", ms);
	assert_true(ms < 5000);
	assert_string_equal(gi.default_godebug, "");
	image_free(&im);
}

static void test_damaged_build_info(void **state)
{
	unsigned char buf[512];
	struct tfo_goinfo gi;
	size_t n;

	(void)state;
	/* before Go 1.18: pointers, no inline version */
	n = craft(buf, 0, "go1.17", "");
	assert_int_equal(tfo_goinfo_parse(buf, n, &gi), 0);
	assert_true(gi.is_go);
	assert_string_equal(gi.version, "");
	/* too short for its header */
	assert_int_equal(tfo_goinfo_parse(buf, 10, &gi), -ENOEXEC);
	/* a version longer than the data, or than any real one */
	n = craft(buf, 2, "go1.24.1", "");
	buf[18] = 200;
	assert_int_equal(tfo_goinfo_parse(buf, n, &gi), 0);
	assert_string_equal(gi.version, "");
	/* every cut of a good one is safe */
	n = craft(buf, 2, "go1.24.1", "build\tDefaultGODEBUG=multipathtcp=0\n");
	for (size_t cut = 0; cut <= n; cut++)
		tfo_goinfo_parse(buf, cut, &gi);
}

static void test_version_numbers(void **state)
{
	int major, minor;

	(void)state;
	assert_int_equal(tfo_go_version("go1.24.1", &major, &minor), 0);
	assert_int_equal(major * 100 + minor, 124);
	assert_int_equal(tfo_go_version("go1.24rc1", &major, &minor), 0);
	assert_int_equal(minor, 24);
	assert_int_equal(tfo_go_version("devel", &major, &minor), -EINVAL);
	assert_int_equal(tfo_go_version("", &major, &minor), -EINVAL);
}

static int make_tmpdir(void **state)
{
	(void)state;
	make_sentinels();
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
	(void)state;
	return rmdir(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_go_binary),
		cmocka_unit_test(test_go_binary_without_section_headers),
		cmocka_unit_test(test_real_go_binary_without_buildinfo),
		cmocka_unit_test(test_c_binaries),
		cmocka_unit_test(test_not_elf),
		cmocka_unit_test(test_mptcp_defaults),
		cmocka_unit_test(test_godebug_last_setting_wins),
		cmocka_unit_test(test_godebug_truncated),
		cmocka_unit_test(test_sets_multipath_tcp),
		cmocka_unit_test(test_no_buildinfo),
		cmocka_unit_test(test_no_buildinfo_only_sentinels),
		cmocka_unit_test(test_no_buildinfo_only_version),
		cmocka_unit_test(test_no_buildinfo_not_go),
		cmocka_unit_test(test_version_strings),
		cmocka_unit_test(test_version_ambiguous),
		cmocka_unit_test(test_symtab_build_version),
		cmocka_unit_test(test_chunk_boundaries),
		cmocka_unit_test(test_modinfo_boundaries),
		cmocka_unit_test(test_buildinfo_long_modinfo),
		cmocka_unit_test(test_hostile_files),
		cmocka_unit_test(test_huge_claims_stay_bounded),
		cmocka_unit_test(test_damaged_build_info),
		cmocka_unit_test(test_version_numbers),
	};

	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
