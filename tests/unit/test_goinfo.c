// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The Go build-information reader: on a real Go binary from Debian's
 * archive (promtool, from the prometheus package `make deps` installs),
 * the same with its section headers stripped away, C binaries, non-ELF
 * files, build information crafted as Go 1.18 to 1.26 lay it out, and
 * executables crafted here, written to a temporary directory. */
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
	char value[700], modinfo[800];
	unsigned char buf[1024];
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
	memset(value, 'a', 600);
	memcpy(value, "x=", 2);
	strcpy(value + 600, ",multipathtcp=0");
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

static void image_free(struct image *im)
{
	free(im->bytes);
	im->bytes = NULL;
}

#define RO_OFF		0x1000
#define RO_ADDR		0x401000
#define RO_SIZE		0x2000
#define RW_OFF		0x3000
#define RW_ADDR		0x603000

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
		cmocka_unit_test(test_c_binaries),
		cmocka_unit_test(test_not_elf),
		cmocka_unit_test(test_mptcp_defaults),
		cmocka_unit_test(test_godebug_last_setting_wins),
		cmocka_unit_test(test_godebug_truncated),
		cmocka_unit_test(test_buildinfo_long_modinfo),
		cmocka_unit_test(test_damaged_build_info),
		cmocka_unit_test(test_version_numbers),
	};

	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
