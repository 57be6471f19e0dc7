// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The Go build-information reader: on a real Go binary from Debian's
 * archive (promtool, from the prometheus package `make deps` installs),
 * the same with its section headers stripped away, C binaries, non-ELF
 * files, and build information crafted as Go 1.18 to 1.24 lay it out. */
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
		const char *version, *modinfo;
		int multipathtcp;
	} cases[] = {
		{ "go1.24.1", "path\texample.com/xray\nbuild\t-compiler=gc\n", 2 },
		{ "go1.25.0", "path\tx\nbuild\tDefaultGODEBUG=asynctimerchan=1,multipathtcp=0\n", 0 },
		{ "go1.24.0", "build\tDefaultGODEBUG=multipathtcp=1,x509negativeserial=1\n", 1 },
		{ "go1.24.4", "build\tDefaultGODEBUG=multipathtcp=3", 3 },
		/* not the setting: a longer name that ends alike */
		{ "go1.24.4", "build\tDefaultGODEBUG=notmultipathtcp=0\n", 2 },
		{ "go1.23.6", "build\tDefaultGODEBUG=multipathtcp=0\n", -1 },
		{ "go1.19.8", "path\tx\n", -1 },
		{ "go2.0", "", 2 },
	};
	unsigned char buf[512];
	struct tfo_goinfo gi;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = craft(buf, 2, cases[i].version, cases[i].modinfo);

		assert_int_equal(tfo_goinfo_parse(buf, n, &gi), 0);
		assert_true(gi.is_go);
		assert_string_equal(gi.version, cases[i].version);
		assert_int_equal(gi.multipathtcp, cases[i].multipathtcp);
	}
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_go_binary),
		cmocka_unit_test(test_go_binary_without_section_headers),
		cmocka_unit_test(test_c_binaries),
		cmocka_unit_test(test_not_elf),
		cmocka_unit_test(test_mptcp_defaults),
		cmocka_unit_test(test_damaged_build_info),
		cmocka_unit_test(test_version_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
