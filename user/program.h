/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The program room: what a process is (its executable: Go or not, which
 * Go, the GODEBUG defaults its build carries) and how it runs (the GODEBUG
 * and LD_PRELOAD of its environment, its systemd unit or container), read
 * once per process and kept by pid and start time; and from that, where an
 * MPTCP socket of it got its MPTCP from. Findings' advice depends on both.
 *
 * Privacy: of another process's environment only GODEBUG and LD_PRELOAD
 * are ever taken (tfo_environ_*); nothing else of it is kept or written.
 * No libbpf.
 */
#ifndef TFOTRACE_PROGRAM_H
#define TFOTRACE_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "goinfo.h"
#include "unitfile.h"

#define TFO_ENV_VALUE_LEN	256
#define TFO_UNIT_LEN		64
#define TFO_CONTAINER_LEN	48
#define TFO_ORIGIN_LEN		192
/* An environment is read up to this size: the kernel caps argv + envp at
 * a quarter of the stack limit, 2 MiB by default; more is not a process
 * anyone runs. */
#define TFO_ENVIRON_MAX		(8 << 20)

/* The two variables of a process's environment a finding may need, and
 * nothing else of it. */
struct tfo_environ {
	bool has_godebug;
	bool godebug_truncated;
	bool has_preload;
	bool preload_truncated;
	char godebug[TFO_ENV_VALUE_LEN];	/* the first GODEBUG=, as Go
						 * and getenv(3) take it */
	char preload[TFO_ENV_VALUE_LEN];	/* the last LD_PRELOAD=, as
						 * ld.so takes it */
};

/* GODEBUG and LD_PRELOAD of the NUL-separated environment read from FD
 * (/proc/PID/environ), read in bounded chunks: the rest is never copied.
 * The bytes read, or -errno (-E2BIG: more than TFO_ENVIRON_MAX bytes). */
int tfo_environ_read_fd(int fd, struct tfo_environ *out);
/* The same from memory (tests). */
void tfo_environ_parse(const char *env, size_t n, struct tfo_environ *out);

/* What a process is and how it runs. */
struct tfo_program {
	uint32_t pid;
	uint64_t start_time;	/* tfo_proc_stat's: the pid's process */
	char comm[16];		/* its command then: an exec changes it */
	int exe_err;		/* 0: GO is its executable's; else -errno */
	struct tfo_goinfo go;
	int environ_err;	/* 0: ENV is its environment's; else -errno */
	/* bytes of environment read: none is what a process caught in
	 * execve() shows (read again at its next sight) */
	size_t environ_bytes;
	struct tfo_environ env;
	char unit[TFO_UNIT_LEN];		/* its systemd service, or "" */
	char container[TFO_CONTAINER_LEN];	/* "docker 3f2a8c1b9d0e", or "" */
	/* where its unit sets GODEBUG (when it runs in one and has it) */
	struct tfo_unit_env godebug_set;
};

/* How the privileged reads are made: by tfotrace's broker once it is
 * unprivileged, or directly. */
struct tfo_program_reader {
	const char *proc_root;		/* "/proc" */
	const char *unit_root;		/* where unit files are looked for:
					 * "" for "/" (tests give another) */
	/* PID's executable, opened into *EXE_FD (an fd, or -errno), and its
	 * GODEBUG and LD_PRELOAD into ENV: the environment's bytes read, or
	 * -errno. One call for both: through the broker, one round trip. */
	int (*read_process)(void *ctx, uint32_t pid, int *exe_fd,
			    struct tfo_environ *env);
	void *ctx;
};

/* The reads made directly, as privileged as the caller. */
int tfo_program_open_exe(void *proc_root, uint32_t pid);
int tfo_program_read_environ(void *proc_root, uint32_t pid,
			     struct tfo_environ *out);
/* Both, as a reader's read_process (CTX: the proc root, NULL for /proc). */
int tfo_program_read_process(void *proc_root, uint32_t pid, int *exe_fd,
			     struct tfo_environ *env);

/* Describes process PID into OUT (never fails: what could not be read
 * says so in exe_err, environ_err). */
void tfo_program_describe(const struct tfo_program_reader *r, uint32_t pid,
			  struct tfo_program *out);

/* ---- the cache, by pid and start time ---- */

#define TFO_PROGRAMS_MAX	256

/* A described program; 0 is none. Stays valid until TFO_PROGRAMS_MAX
 * other processes have been described (then tfo_programs__get() says
 * NULL: a finding says its program is no longer known). */
typedef uint32_t tfo_program_ref;

struct tfo_programs;

/* NULL when out of memory. R is copied. */
struct tfo_programs *tfo_programs__new(const struct tfo_program_reader *r);
void tfo_programs__free(struct tfo_programs *ps);

/* The program process PID runs, described on first sight of the process
 * (a pid reused by another process, or a process that has exec'd since,
 * is described anew); 0 for pid 0. */
tfo_program_ref tfo_programs__of(struct tfo_programs *ps, uint32_t pid);
/* A description made elsewhere (tests; a reader of the caller's own),
 * kept as tfo_programs__of() keeps its own. */
tfo_program_ref tfo_programs__put(struct tfo_programs *ps,
				  const struct tfo_program *p);
/* The newest description of PID, without reading anything; 0 none. */
tfo_program_ref tfo_programs__find(const struct tfo_programs *ps, uint32_t pid);
const struct tfo_program *tfo_programs__get(const struct tfo_programs *ps,
					    tfo_program_ref ref);
/* How many processes were described (each read once). */
uint64_t tfo_programs__described(const struct tfo_programs *ps);

/* ---- GODEBUG as Go reads it ---- */

/* KEY's value in the GODEBUG string S ("a=1,multipathtcp=2"), as Go's
 * internal/godebug parses it: the last setting of a key wins, a value's
 * "#pattern" is not part of it. True with VAL set (SIZE bytes, cut) when
 * KEY is there. */
bool tfo_godebug_lookup(const char *s, const char *key, char *val,
			size_t size);

/* CURRENT (a GODEBUG value, possibly "") with KEY set to VALUE: every
 * other setting kept in its order, KEY's own dropped, KEY=VALUE last. The
 * result is cut at SIZE; returns false when it did not fit. */
bool tfo_godebug_merge(const char *current, const char *key,
		       const char *value, char *out, size_t size);

/* Whether Go version VERSION ("go1.24.4") makes listeners MPTCP when
 * GODEBUG multipathtcp has VALUE (NULL: not set): 1 yes, 0 no, -1 its net
 * package has no MPTCP (before Go 1.21, or no version known). */
int tfo_go_listens_mptcp(const char *version, const char *value);

/* ---- where an MPTCP socket got its MPTCP ---- */

enum tfo_mptcp_source {
	TFO_MPTCP_SOURCE_NONE,		/* not an MPTCP socket */
	TFO_MPTCP_SOURCE_GO_DEFAULT,	/* Go's default for its build */
	TFO_MPTCP_SOURCE_ENVIRONMENT,	/* GODEBUG in its environment */
	TFO_MPTCP_SOURCE_PROGRAM,	/* its own code (SetMultipathTCP, or
					 * socket(..., IPPROTO_MPTCP)) */
	TFO_MPTCP_SOURCE_PRELOAD,	/* an LD_PRELOAD library (mptcpize) */
	TFO_MPTCP_SOURCE_UNKNOWN,
};

struct tfo_mptcp_origin {
	enum tfo_mptcp_source source;
	/* the setting ("GODEBUG=multipathtcp=2", "LD_PRELOAD=
	 * .../libmptcpwrap.so.0.0.1", "SetMultipathTCP(true) or its own
	 * socket(..., IPPROTO_MPTCP)"), or for unknown, why */
	char detail[TFO_ORIGIN_LEN];
};

/* "go-default", "environment", "program", "preload", "unknown"; NULL for
 * NONE. */
const char *tfo_mptcp_source_name(enum tfo_mptcp_source s);

/* Where the MPTCP of an MPTCP socket of program P came from (P NULL: its
 * process was not described). */
void tfo_mptcp_origin_of(const struct tfo_program *p,
			 struct tfo_mptcp_origin *out);

/* Whether LD_PRELOAD value PRELOAD loads a library that makes sockets
 * MPTCP (Debian's mptcpize: libmptcpwrap); its file name into NAME. */
bool tfo_preload_mptcp(const char *preload, char *name, size_t size);

#endif
