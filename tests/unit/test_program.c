// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The program room: a process's environment read for GODEBUG and
 * LD_PRELOAD alone (in chunks, whatever its size), GODEBUG as Go parses
 * and merges it, which Go makes MPTCP listeners, the cache by pid and
 * start time, a process described from a fixture /proc, and where a
 * systemd unit sets a variable, from fixture unit files. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "program.h"
#include "unitfile.h"

/* ---- a fixture directory ---- */

static char root[PATH_MAX];

static void put(const char *rel, const char *content, size_t len)
{
	char path[PATH_MAX * 2], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (slash = path + strlen(root) + 1; (slash = strchr(slash, '/')); slash++) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(content, 1, len, f), len);
	fclose(f);
}

static void put_str(const char *rel, const char *content)
{
	put(rel, content, strlen(content));
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/tfotrace-test-program.XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) ? -1 : 0;
}

/* ---- the environment ---- */

static void parse(const char *env, size_t n, struct tfo_environ *out)
{
	tfo_environ_parse(env, n, out);
}

#define ENV(s) s, sizeof(s) - 1

static void test_environ_takes_two_variables(void **state)
{
	struct tfo_environ e;

	(void)state;
	parse(ENV("HOME=/root\0GODEBUG=x509sha1=1,multipathtcp=2\0"
		  "LD_PRELOAD=/usr/lib/libmptcpwrap.so\0SECRET=hunter2\0"), &e);
	assert_true(e.has_godebug);
	assert_string_equal(e.godebug, "x509sha1=1,multipathtcp=2");
	assert_true(e.has_preload);
	assert_string_equal(e.preload, "/usr/lib/libmptcpwrap.so");
	/* nothing else of it is kept anywhere in the result */
	assert_null(memmem(&e, sizeof(e), "hunter2", 7));
	assert_null(memmem(&e, sizeof(e), "SECRET", 6));
	assert_null(memmem(&e, sizeof(e), "/root", 5));

	/* names that only look alike; an empty value; no = at all */
	parse(ENV("XGODEBUG=1\0GODEBUGX=2\0GODEBUG\0LD_PRELOADS=x\0GODEBUG=\0"), &e);
	assert_true(e.has_godebug);
	assert_string_equal(e.godebug, "");
	assert_false(e.has_preload);

	/* Go and getenv(3) take the first GODEBUG; ld.so the last
	 * LD_PRELOAD; the last variable need not end in a NUL */
	parse(ENV("GODEBUG=a=1\0LD_PRELOAD=one.so\0GODEBUG=b=2\0LD_PRELOAD=two.so"), &e);
	assert_string_equal(e.godebug, "a=1");
	assert_string_equal(e.preload, "two.so");
	parse("", 0, &e);
	assert_false(e.has_godebug || e.has_preload);
}

static void test_environ_long_value_cut(void **state)
{
	char env[2 * TFO_ENV_VALUE_LEN + 64];
	struct tfo_environ e;
	size_t n;

	(void)state;
	n = (size_t)sprintf(env, "GODEBUG=");
	memset(env + n, 'a', 2 * TFO_ENV_VALUE_LEN);
	n += 2 * TFO_ENV_VALUE_LEN;
	env[n++] = '\0';
	memcpy(env + n, "LD_PRELOAD=x.so", 16);
	n += 16;
	parse(env, n, &e);
	assert_true(e.godebug_truncated);
	assert_int_equal(strlen(e.godebug), TFO_ENV_VALUE_LEN - 1);
	assert_string_equal(e.preload, "x.so");
	assert_false(e.preload_truncated);
}

/* An environment of 1 MiB, GODEBUG at its end, read from a file in
 * chunks; and one whose GODEBUG straddles the reader's 16 KiB chunks. */
static void test_environ_read_fd_large(void **state)
{
	const size_t big = 1 << 20;
	char *env = malloc(big + 128), path[PATH_MAX + 16];
	struct tfo_environ e;
	size_t n = 0;
	int fd;

	(void)state;
	assert_non_null(env);
	while (n < big - 100) {
		n += (size_t)sprintf(env + n, "VAR%zu=%s", n, "secretsecret");
		env[n++] = '\0';
	}
	/* put the name across the 16 KiB boundary nearest */
	n += (size_t)sprintf(env + n, "GODEBUG=multipathtcp=2");
	env[n++] = '\0';
	put("environ-1m", env, n);
	snprintf(path, sizeof(path), "%s/environ-1m", root);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(tfo_environ_read_fd(fd, &e), (int)n);
	close(fd);
	assert_string_equal(e.godebug, "multipathtcp=2");
	assert_null(memmem(&e, sizeof(e), "secret", 6));
	for (size_t at = 16384 - 12; at <= 16384; at += 3) {
		memset(env, 'x', at);
		memcpy(env, "PAD=", 4);
		env[at - 1] = '\0';
		n = at + (size_t)sprintf(env + at, "GODEBUG=multipathtcp=3");
		put("environ-cut", env, n);
		snprintf(path, sizeof(path), "%s/environ-cut", root);
		fd = open(path, O_RDONLY);
		assert_int_equal(tfo_environ_read_fd(fd, &e), (int)n);
		close(fd);
		assert_string_equal(e.godebug, "multipathtcp=3");
	}
	free(env);
}

static void test_environ_too_big(void **state)
{
	char path[PATH_MAX + 16], chunk[65536];
	struct tfo_environ e;
	FILE *f;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/environ-huge", root);
	f = fopen(path, "w");
	assert_non_null(f);
	memset(chunk, 'x', sizeof(chunk));
	for (size_t n = 0; n <= TFO_ENVIRON_MAX; n += sizeof(chunk))
		assert_int_equal(fwrite(chunk, 1, sizeof(chunk), f), sizeof(chunk));
	fprintf(f, "%cGODEBUG=multipathtcp=2", 0);
	fclose(f);
	fd = open(path, O_RDONLY);
	assert_int_equal(tfo_environ_read_fd(fd, &e), -E2BIG);
	assert_false(e.has_godebug);
	close(fd);
	unlink(path);
}

/* ---- GODEBUG ---- */

static void test_godebug_lookup(void **state)
{
	char v[16];

	(void)state;
	assert_true(tfo_godebug_lookup("multipathtcp=2", "multipathtcp", v, sizeof(v)));
	assert_string_equal(v, "2");
	/* the last setting wins; #pattern is not part of the value */
	assert_true(tfo_godebug_lookup("multipathtcp=2,x=1,multipathtcp=0#a", "multipathtcp", v, sizeof(v)));
	assert_string_equal(v, "0");
	assert_true(tfo_godebug_lookup("multipathtcp=a=b", "multipathtcp", v, sizeof(v)));
	assert_string_equal(v, "a=b");
	assert_false(tfo_godebug_lookup("xmultipathtcp=1,multipathtcp", "multipathtcp", v, sizeof(v)));
	assert_false(tfo_godebug_lookup("", "multipathtcp", v, sizeof(v)));
	assert_false(tfo_godebug_lookup(NULL, "multipathtcp", v, sizeof(v)));
	assert_true(tfo_godebug_lookup(",,multipathtcp=,", "multipathtcp", v, sizeof(v)));
	assert_string_equal(v, "");
	assert_true(tfo_godebug_lookup("multipathtcp=0123456789abcdefXYZ", "multipathtcp", v, 8));
	assert_string_equal(v, "0123456");
}

static void test_godebug_merge(void **state)
{
	char out[64];

	(void)state;
	assert_true(tfo_godebug_merge("", "multipathtcp", "0", out, sizeof(out)));
	assert_string_equal(out, "multipathtcp=0");
	assert_true(tfo_godebug_merge("x509sha1=1", "multipathtcp", "0", out, sizeof(out)));
	assert_string_equal(out, "x509sha1=1,multipathtcp=0");
	assert_true(tfo_godebug_merge("multipathtcp=2,x509sha1=1,,multipathtcp=1#p,junk",
				      "multipathtcp", "0", out, sizeof(out)));
	assert_string_equal(out, "x509sha1=1,junk,multipathtcp=0");
	assert_false(tfo_godebug_merge("aaaaaaaaaaaaaaaaaaaa", "multipathtcp", "0", out, 20));
}

static void test_go_listens_mptcp(void **state)
{
	(void)state;
	/* src/net/dial.go of 1.24: MPTCP unless 0 or 3 */
	assert_int_equal(tfo_go_listens_mptcp("go1.24.4", NULL), 1);
	assert_int_equal(tfo_go_listens_mptcp("go1.24.4", "2"), 1);
	assert_int_equal(tfo_go_listens_mptcp("go1.24.4", "1"), 1);
	assert_int_equal(tfo_go_listens_mptcp("go1.24.4", "junk"), 1);
	assert_int_equal(tfo_go_listens_mptcp("go1.24.4", "0"), 0);
	assert_int_equal(tfo_go_listens_mptcp("go1.24.4", "3"), 0);
	assert_int_equal(tfo_go_listens_mptcp("go1.26.5", NULL), 1);
	assert_int_equal(tfo_go_listens_mptcp("go2.0", "0"), 0);
	/* 1.21 to 1.23: only 1 */
	assert_int_equal(tfo_go_listens_mptcp("go1.21.0", NULL), 0);
	assert_int_equal(tfo_go_listens_mptcp("go1.23.4", "2"), 0);
	assert_int_equal(tfo_go_listens_mptcp("go1.22.5", "1"), 1);
	/* no MPTCP in net before 1.21, or no version to tell */
	assert_int_equal(tfo_go_listens_mptcp("go1.20.14", "1"), -1);
	assert_int_equal(tfo_go_listens_mptcp("", NULL), -1);
	assert_int_equal(tfo_go_listens_mptcp(NULL, NULL), -1);
}

static void test_preload_mptcp(void **state)
{
	char name[64];

	(void)state;
	assert_true(tfo_preload_mptcp("/usr/lib/x86_64-linux-gnu/mptcpize/libmptcpwrap.so.0.0.1",
				      name, sizeof(name)));
	assert_string_equal(name, "libmptcpwrap.so.0.0.1");
	assert_true(tfo_preload_mptcp("/a/libjemalloc.so.2:/b/libmptcpize.so", name, sizeof(name)));
	assert_string_equal(name, "libmptcpize.so");
	assert_true(tfo_preload_mptcp("libfoo.so libmptcpwrap.so", name, sizeof(name)));
	assert_false(tfo_preload_mptcp("/a/libjemalloc.so.2", name, sizeof(name)));
	/* "mptcp" in a directory is not the library's name */
	assert_false(tfo_preload_mptcp("/opt/mptcp/libfoo.so", name, sizeof(name)));
	assert_false(tfo_preload_mptcp("", name, sizeof(name)));
}

/* ---- a process, described from a fixture /proc ---- */

static char proc_root[PATH_MAX + 8];
static int process_reads;

static int fixture_process(void *ctx, uint32_t pid, int *exe_fd,
			   struct tfo_environ *out)
{
	process_reads++;
	return tfo_program_read_process(ctx, pid, exe_fd, out);
}

static void make_process_comm(uint32_t pid, uint64_t start, const char *comm,
			      const char *environ, size_t environ_len,
			      const char *cgroup)
{
	char rel[64], stat[256];

	snprintf(rel, sizeof(rel), "proc/%u/stat", pid);
	snprintf(stat, sizeof(stat), "%u (%s) S 1 %u %u 0 -1 4194560 0 0 0 0 "
		 "0 0 0 0 20 0 1 0 %llu 1000 200\n", pid, comm, pid, pid,
		 (unsigned long long)start);
	put_str(rel, stat);
	snprintf(rel, sizeof(rel), "proc/%u/environ", pid);
	put(rel, environ, environ_len);
	snprintf(rel, sizeof(rel), "proc/%u/cgroup", pid);
	put_str(rel, cgroup);
	/* its "executable": a file that is no ELF */
	snprintf(rel, sizeof(rel), "proc/%u/exe", pid);
	put_str(rel, "#!/bin/sh\n");
}

static void make_process(uint32_t pid, uint64_t start, const char *environ,
			 size_t environ_len, const char *cgroup)
{
	make_process_comm(pid, start, "srv", environ, environ_len, cgroup);
}

static void test_describe_and_cache(void **state)
{
	struct tfo_program_reader r = {
		.proc_root = proc_root, .unit_root = root,
		.read_process = fixture_process,
		.ctx = proc_root,
	};
	struct tfo_programs *ps;
	const struct tfo_program *p;
	tfo_program_ref a, b, c;

	(void)state;
	snprintf(proc_root, sizeof(proc_root), "%s/proc", root);
	make_process(100, 5000, ENV("GODEBUG=multipathtcp=2\0TOKEN=abc\0"),
		     "0::/system.slice/srv.service\n");
	put_str("etc/systemd/system/srv.service",
		"[Service]\nEnvironment=GODEBUG=multipathtcp=2\nExecStart=/srv\n");
	make_process(200, 6000, ENV("LD_PRELOAD=/x/libmptcpwrap.so.0.0.1\0"),
		     "0::/system.slice/docker-3f2a8c1b9d0e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b.scope\n");
	ps = tfo_programs__new(&r);
	assert_non_null(ps);
	process_reads = 0;

	a = tfo_programs__of(ps, 100);
	p = tfo_programs__get(ps, a);
	assert_non_null(p);
	assert_int_equal(p->pid, 100);
	assert_int_equal(p->start_time, 5000);
	assert_int_equal(p->exe_err, -ENOEXEC);	/* not an ELF */
	assert_int_equal(p->environ_err, 0);
	assert_string_equal(p->env.godebug, "multipathtcp=2");
	assert_string_equal(p->unit, "srv.service");
	assert_string_equal(p->container, "");
	assert_int_equal(p->godebug_set.kind, TFO_UNIT_ENV_UNIT);
	assert_string_equal(p->godebug_set.path, "/etc/systemd/system/srv.service");
	assert_null(memmem(p, sizeof(*p), "abc", 3));

	/* once per process: the same start time is not read again */
	assert_int_equal(tfo_programs__of(ps, 100), a);
	assert_int_equal(tfo_programs__find(ps, 100), a);
	assert_int_equal(process_reads, 1);
	assert_int_equal(tfo_programs__described(ps), 1);

	b = tfo_programs__of(ps, 200);
	p = tfo_programs__get(ps, b);
	assert_string_equal(p->container, "docker 3f2a8c1b9d0e");
	assert_string_equal(p->unit, "");

	/* the pid reused by another process: described anew */
	make_process(100, 7000, ENV("GODEBUG=multipathtcp=0\0"),
		     "0::/user.slice\n");
	c = tfo_programs__of(ps, 100);
	assert_true(c != a);
	assert_int_equal(tfo_programs__get(ps, c)->start_time, 7000);
	assert_string_equal(tfo_programs__get(ps, c)->env.godebug, "multipathtcp=0");
	assert_int_equal(tfo_programs__find(ps, 100), c);
	/* the old description stays until its slot is taken */
	assert_int_equal(tfo_programs__get(ps, a)->start_time, 5000);

	/* gone: what was read is all there is, and a stranger's is said */
	assert_int_equal(tfo_programs__of(ps, 4242) != 0, 1);
	p = tfo_programs__get(ps, tfo_programs__find(ps, 4242));
	assert_int_equal(p->exe_err, -ENOENT);
	assert_int_equal(p->environ_err, -ENOENT);

	/* a full table: the oldest go, their refs say so */
	for (uint32_t pid = 1000; pid < 1000 + TFO_PROGRAMS_MAX; pid++) {
		struct tfo_program x = { .pid = pid, .start_time = 1 };

		tfo_programs__put(ps, &x);
	}
	assert_null(tfo_programs__get(ps, a));
	assert_null(tfo_programs__get(ps, b));
	assert_null(tfo_programs__get(ps, 0));
	assert_null(tfo_programs__get(ps, 0xffffffffu));
	assert_int_equal(tfo_programs__of(ps, 0), 0);
	tfo_programs__free(ps);
}

/* ---- where a unit sets a variable ---- */

static void unit_origin(const char *unit, struct tfo_unit_env *e)
{
	tfo_unit_env_origin(root, unit, "GODEBUG", e);
}

static void test_unit_env_origin(void **state)
{
	struct tfo_unit_env e;

	(void)state;
	/* in the unit file, among other assignments, quoted */
	put_str("lib/systemd/system/a.service",
		"[Unit]\nDescription=Environment=GODEBUG=no\n[Service]\n"
		"Environment=\"FOO=1\" 'GODEBUG=multipathtcp=2' BAR=2\n");
	unit_origin("a.service", &e);
	assert_int_equal(e.kind, TFO_UNIT_ENV_UNIT);
	assert_string_equal(e.path, "/lib/systemd/system/a.service");
	assert_false(e.after_override);

	/* /etc masks /lib; drop-ins in name order, across directories */
	put_str("etc/systemd/system/a.service", "[Service]\nExecStart=/a\n");
	put_str("run/systemd/system/a.service.d/10-go.conf",
		"[Service]\nEnvironment=GODEBUG=multipathtcp=2\n");
	unit_origin("a.service", &e);
	assert_int_equal(e.kind, TFO_UNIT_ENV_DROPIN);
	assert_string_equal(e.path, "/run/systemd/system/a.service.d/10-go.conf");
	assert_false(e.after_override);
	put_str("lib/systemd/system/a.service.d/zz-go.conf",
		"[Service]\nEnvironment = GODEBUG=multipathtcp=1\n");
	unit_origin("a.service", &e);
	assert_string_equal(e.path, "/lib/systemd/system/a.service.d/zz-go.conf");
	assert_true(e.after_override);
	/* a drop-in of the same name higher up masks it */
	put_str("etc/systemd/system/a.service.d/zz-go.conf", "[Service]\n");
	unit_origin("a.service", &e);
	assert_string_equal(e.path, "/run/systemd/system/a.service.d/10-go.conf");
	/* an empty Environment= resets what came before */
	put_str("etc/systemd/system/a.service.d/20-reset.conf",
		"[Service]\nEnvironment=\n");
	unit_origin("a.service", &e);
	assert_int_equal(e.kind, TFO_UNIT_ENV_NONE);

	/* an environment file beats Environment=; an unreadable one is
	 * said when nothing else is found */
	put_str("lib/systemd/system/b.service",
		"[Service]\nEnvironment=GODEBUG=multipathtcp=2\n"
		"EnvironmentFile=-/etc/default/b\nEnvironmentFile=/etc/default/none\n");
	put_str("etc/default/b", "# comment\nTOKEN=secret\nexport GODEBUG=multipathtcp=1\n");
	unit_origin("b.service", &e);
	assert_int_equal(e.kind, TFO_UNIT_ENV_FILE);
	assert_string_equal(e.path, "/etc/default/b");
	assert_true(e.after_override);
	assert_null(memmem(&e, sizeof(e), "secret", 6));
	put_str("lib/systemd/system/c.service",
		"[Service]\nEnvironmentFile=/etc/default/none\n");
	unit_origin("c.service", &e);
	assert_int_equal(e.kind, TFO_UNIT_ENV_FILE_UNREADABLE);
	assert_string_equal(e.path, "/etc/default/none");

	/* a template's instance */
	put_str("lib/systemd/system/t@.service",
		"[Service]\nEnvironment=GODEBUG=multipathtcp=2\n");
	unit_origin("t@one.service", &e);
	assert_int_equal(e.kind, TFO_UNIT_ENV_UNIT);
	assert_string_equal(e.path, "/lib/systemd/system/t@.service");

	/* no such unit, or a name that is a path */
	unit_origin("none.service", &e);
	assert_int_equal(e.kind, TFO_UNIT_ENV_NONE);
	unit_origin("../../etc/passwd", &e);
	assert_int_equal(e.kind, TFO_UNIT_ENV_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_environ_takes_two_variables),
		cmocka_unit_test(test_environ_long_value_cut),
		cmocka_unit_test(test_environ_read_fd_large),
		cmocka_unit_test(test_environ_too_big),
		cmocka_unit_test(test_godebug_lookup),
		cmocka_unit_test(test_godebug_merge),
		cmocka_unit_test(test_go_listens_mptcp),
		cmocka_unit_test(test_preload_mptcp),
		cmocka_unit_test(test_describe_and_cache),
		cmocka_unit_test(test_unit_env_origin),
	};

	return cmocka_run_group_tests_name("program", tests, setup, teardown);
}
