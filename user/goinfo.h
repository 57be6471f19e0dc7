/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Is a program Go, and which Go: the build information the Go linker puts
 * in every Go executable (the .go.buildinfo section that `go version -m`
 * reads; it survives stripping). tfotrace offers GODEBUG advice to Go
 * programs only, saying which MPTCP default their version and go.mod have.
 * No libbpf; no allocation.
 */
#ifndef TFOTRACE_GOINFO_H
#define TFOTRACE_GOINFO_H

#include <stdbool.h>
#include <stddef.h>

#define TFO_GO_VERSION_LEN	24
#define TFO_GODEBUG_LEN		1024

struct tfo_goinfo {
	bool is_go;
	/* "go1.24.1"; "" for a Go binary older than 1.18 (no inline version)
	 * or one whose version could not be told */
	char version[TFO_GO_VERSION_LEN];
	/* GODEBUG multipathtcp the binary runs with unless its environment
	 * says otherwise: 0 off, 1 listeners and dialers, 2 listeners (Go
	 * 1.24's default), 3 dialers; -1 no such setting (before Go 1.24, or
	 * the version unknown and DefaultGODEBUG silent about it) */
	int multipathtcp;
	/* the module information's "build\tDefaultGODEBUG=" value as cmd/go
	 * wrote it ("multipathtcp=0,x509sha1=1"), "" when there is
	 * none; cut to TFO_GODEBUG_LEN - 1 bytes, and then ..._truncated
	 * (multipathtcp above is read from the whole value all the same) */
	char default_godebug[TFO_GODEBUG_LEN];
	bool default_godebug_truncated;
	/* its code calls net.ListenConfig.SetMultipathTCP (true or false):
	 * that beats GODEBUG for the listeners it is called on */
	bool sets_multipath_tcp;
};

/* The build information of the ELF executable open on FD (read with
 * pread; the offset is untouched). Without a .go.buildinfo (some release
 * builds drop it), the module information is looked for between its
 * sentinels in the read-only data and the version in runtime.buildVersion
 * (by the symbol table, else by a string header in the writable data
 * that points at "goM.N[.P]"); every read is bounded, whatever the file
 * says. Returns 0 with OUT->is_go false for a program that is not Go, or
 * -errno (-ENOEXEC: not a 64-bit little-endian ELF). */
int tfo_goinfo_read_fd(int fd, struct tfo_goinfo *out);

/* The same from the build information's own bytes (what follows the
 * 14-byte magic of .go.buildinfo), for tests and the scanner. */
int tfo_goinfo_parse(const unsigned char *p, size_t n, struct tfo_goinfo *out);

/* "go1.24.1" -> 1, 24; 0, or -EINVAL when VERSION is not "goM.N...". */
int tfo_go_version(const char *version, int *major, int *minor);

#endif
