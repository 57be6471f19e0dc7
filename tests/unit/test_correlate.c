// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The correlator, fed record sequences as the BPF side produces them on
 * Debian 12's kernels (6.1, 6.1 with tcp_fastopen=1027, 6.12): which
 * findings come out live, which at finish, with which numbers. Every
 * finding test has its negative twin. Kernel ABI values are spelled out
 * as numbers on purpose. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tfotrace.h"
#include "decode.h"
#include "correlate.h"
#include "records.h"

/* ---- the collector: what each finding said, copied ---- */

struct seen {
	enum tfo_finding_kind kind;
	bool final;
	bool update;
	bool probes;
	uint64_t lost;
	int err;
	bool has_why;
	struct tfo_sock_view sock;	/* a copy: the view moves on */
	bool is_remote;
	struct tfo_remote_view remote;	/* tfo-remote-*: a copy */
	const char *why;
	bool has_program;
	struct tfo_program program;	/* a copy, when known */
	struct tfo_mptcp_origin origin;
	size_t n_advice;
	char advice[TFO_ADVICE_MAX][TFO_ADVICE_LEN];
};

#define SEEN_MAX 256

struct fx {
	struct tfo_correlator *c;
	struct tfo_programs *progs;	/* what tell_program() said */
	size_t n;		/* findings received; the first SEEN_MAX kept */
	struct seen v[SEEN_MAX];
};

static void collect(void *ctx, const struct tfo_finding *f)
{
	struct fx *fx = ctx;
	struct seen *s;

	/* a socket's finding or a remote server's, never both */
	assert_true(!f->sock != !f->remote);
	if (fx->n < SEEN_MAX) {
		s = &fx->v[fx->n];
		s->kind = f->kind;
		s->final = f->final;
		s->update = f->update;
		s->probes = f->probes;
		s->lost = f->lost;
		s->err = f->err;
		s->has_why = f->why && f->why[0];
		s->why = f->why;
		s->is_remote = f->remote != NULL;
		if (f->sock)
			s->sock = *f->sock;
		else
			memset(&s->sock, 0, sizeof(s->sock));
		if (f->remote)
			s->remote = *f->remote;
		s->has_program = f->program != NULL;
		if (f->program)
			s->program = *f->program;
		s->origin = f->origin;
		s->n_advice = f->n_advice;
		memcpy(s->advice, f->advice, sizeof(s->advice));
	}
	fx->n++;
}

static int fx_setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	*state = fx;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *fx = *state;

	tfo_correlator__free(fx->c);
	tfo_programs__free(fx->progs);
	free(fx);
	return 0;
}

static struct tfo_correlator_opts opts_default(void)
{
	struct tfo_correlator_opts o;

	memset(&o, 0, sizeof(o));
	o.probes = true;
	o.sysctl = -1;
	o.netns = NETNS;
	return o;
}

static int no_process(void *ctx, uint32_t pid, int *exe_fd,
		      struct tfo_environ *out)
{
	(void)ctx;
	(void)pid;
	*exe_fd = -ENOENT;
	memset(out, 0, sizeof(*out));
	return -ENOENT;
}

/* A correlator reporting into FX. */
static void fx_start(struct fx *fx, struct tfo_correlator_opts o)
{
	/* a test may start over with other options */
	tfo_correlator__free(fx->c);
	tfo_programs__free(fx->progs);
	fx->n = 0;
	/* nothing is read: programs are what the tests tell */
	fx->progs = tfo_programs__new(&(struct tfo_program_reader){
		.read_process = no_process });
	assert_non_null(fx->progs);
	o.programs = fx->progs;
	o.cb = collect;
	o.cb_ctx = fx;
	fx->c = tfo_correlator__new(&o);
	assert_non_null(fx->c);
}

static struct fx *start(void **state)
{
	struct fx *fx = *state;

	fx_start(fx, opts_default());
	return fx;
}

/* Findings of KIND (-1: any) since index FROM; FINAL -1 any, 0 live, 1
 * final; INO 0 any. */
static size_t count_from(const struct fx *fx, size_t from, int kind,
			 int final, uint64_t ino)
{
	size_t n = 0;

	assert_true(fx->n <= SEEN_MAX);
	for (size_t i = from; i < fx->n; i++) {
		const struct seen *s = &fx->v[i];

		if ((kind < 0 || (int)s->kind == kind) &&
		    (final < 0 || s->final == (final == 1)) &&
		    (!ino || s->sock.ino == ino))
			n++;
	}
	return n;
}

static size_t count(const struct fx *fx, int kind, int final, uint64_t ino)
{
	return count_from(fx, 0, kind, final, ino);
}

/* The only finding of KIND / FINAL / INO; fails unless exactly one. */
static const struct seen *only(const struct fx *fx, int kind, int final,
			       uint64_t ino)
{
	assert_int_equal(count(fx, kind, final, ino), 1);
	for (size_t i = 0; i < fx->n; i++) {
		const struct seen *s = &fx->v[i];

		if ((int)s->kind == kind && s->final == (final == 1) &&
		    (!ino || s->sock.ino == ino))
			return s;
	}
	return NULL;
}

static bool any_advice_has(const struct seen *s, const char *needle)
{
	for (size_t i = 0; i < s->n_advice; i++)
		if (strstr(s->advice[i], needle))
			return true;
	return false;
}

static void feed(struct fx *fx, union tfo_record r)
{
	tfo_correlator__feed(fx->c, &r);
}

static void finish(struct fx *fx)
{
	tfo_correlator__finish(fx->c);
}

static struct tfo_correlator_stats stats_of(const struct fx *fx)
{
	struct tfo_correlator_stats st;

	tfo_correlator__stats(fx->c, &st);
	return st;
}


/* SYNs as 6.1 answers them on a listener whose TFO queue is 0: a cookie
 * request, none given, no child. */
static const struct syn syn_unanswered = {
	.foc_in = 0, .foc_out = -1, .qlen_max = 0, .sysctl = 3,
};

/* Feeds N SYNs of a TFO that works (tcp_fastopen=SYSCTL, queue QMAX): the
 * first asks for a cookie and gets one, the next N-1 present it with data
 * and each makes a child. */
static void syns_working(struct fx *fx, uint32_t pid, const char *comm,
			 uint64_t ino, uint16_t proto, uint32_t qmax,
			 uint32_t sysctl, int n)
{
	feed(fx, rec_syn(pid, comm, ino, proto, 443, (struct syn){
		.foc_in = 0, .foc_out = 8, .qlen_max = qmax,
		.sysctl = sysctl }));
	for (int i = 1; i < n; i++)
		feed(fx, rec_syn(pid, comm, ino, proto, 443, (struct syn){
			.foc_in = 8, .foc_out = -1, .syn_data = 517,
			.qlen = 0, .qlen_max = qmax, .sysctl = sysctl,
			.child = 1 }));
}

/* The Go >= 1.24 server up to listen(): socket(…, 262) (or PROTO),
 * SO_REUSEADDR, TCP_FASTOPEN=256 answered TFO_RET from TFO_LAYER. */
static void server_setup(struct fx *fx, uint32_t pid, const char *comm,
			 uint64_t ino, uint16_t proto, int tfo_ret,
			 uint32_t tfo_layer)
{
	feed(fx, rec_socket(pid, comm, ino, proto, proto, 3));
	feed(fx, rec_sockopt(pid, comm, ino, proto, L_SOCKET, O_SO_REUSEADDR,
			     1, 0, 0));
	feed(fx, rec_sockopt(pid, comm, ino, proto, L_TCP, O_TCP_FASTOPEN,
			     256, tfo_ret, tfo_layer));
}

/* What a process runs and how, as the program room would describe it. */
struct prog {
	const char *version;		/* "go1.24.1"; "" a C program; NULL
					 * its executable unreadable */
	const char *default_godebug;	/* its build's DefaultGODEBUG */
	const char *godebug;		/* GODEBUG in its environment */
	const char *preload;		/* LD_PRELOAD in its environment */
	bool environ_unread;
	bool sets_mptcp;		/* its code calls SetMultipathTCP */
	const char *unit;
	const char *container;
	struct tfo_unit_env godebug_set;
};

static void tell_program(struct fx *fx, uint32_t pid, struct prog spec)
{
	struct tfo_program p;

	memset(&p, 0, sizeof(p));
	p.pid = pid;
	p.start_time = 1;
	if (!spec.version) {
		p.exe_err = -EACCES;
	} else {
		p.go.is_go = spec.version[0] != '\0';
		snprintf(p.go.version, sizeof(p.go.version), "%s",
			 !strcmp(spec.version, "go?") ? "" : spec.version);
	}
	snprintf(p.go.default_godebug, sizeof(p.go.default_godebug), "%s",
		 spec.default_godebug ? spec.default_godebug : "");
	p.go.sets_multipath_tcp = spec.sets_mptcp;
	if (spec.environ_unread)
		p.environ_err = -EACCES;
	p.env.has_godebug = spec.godebug != NULL;
	snprintf(p.env.godebug, sizeof(p.env.godebug), "%s",
		 spec.godebug ? spec.godebug : "");
	p.env.has_preload = spec.preload != NULL;
	snprintf(p.env.preload, sizeof(p.env.preload), "%s",
		 spec.preload ? spec.preload : "");
	snprintf(p.unit, sizeof(p.unit), "%s", spec.unit ? spec.unit : "");
	snprintf(p.container, sizeof(p.container), "%s",
		 spec.container ? spec.container : "");
	p.godebug_set = spec.godebug_set;
	assert_true(tfo_programs__put(fx->progs, &p) != 0);
}

/* ---- 1. mptcp-tfo-rejected: Go 1.24 on 6.1 ---- */

static void test_mptcp_tfo_rejected_go_on_61(void **state)
{
	struct fx *fx = start(state);
	const uint64_t ino = 9925;
	const struct seen *s;

	tell_program(fx, 3141, (struct prog){ .version = "go1.24.1" });
	server_setup(fx, 3141, "xray", ino, P_MPTCP, -92, TFO_LAYER_MPTCP);
	/* the failure is known, but judged only once the socket listens */
	assert_int_equal(fx->n, 0);
	feed(fx, rec_listen(3141, "xray", ino, P_MPTCP, 443, 4096, 0, 0, 3));
	assert_int_equal(fx->n, 1);
	s = only(fx, TFO_FINDING_MPTCP_TFO_REJECTED, 0, ino);
	assert_int_equal(s->err, ENOPROTOOPT);
	assert_true(s->has_why);
	assert_int_equal(s->sock.tfo_sockopt, -92);
	assert_int_equal(s->sock.tfo_sockopt_value, 256);
	assert_int_equal(s->sock.protocol, P_MPTCP);
	assert_int_equal(s->sock.port, 443);
	assert_true(s->sock.listening);
	assert_int_equal(s->sock.qlen_max, 0);
	assert_int_equal(s->sock.n_opts, 2);
	assert_int_equal(s->sock.opts[1].optname, O_TCP_FASTOPEN);
	assert_int_equal(s->sock.opts[1].ret, -92);
	assert_int_equal(s->sock.opts[1].err_layer, TFO_LAYER_MPTCP);
	assert_true(s->sock.opts[1].has_value);
	assert_int_equal(s->sock.opts[1].value, 256);
	assert_int_equal(s->sock.n_rejected, 0);	/* TFO is its own kind */

	for (int i = 0; i < 5; i++)
		feed(fx, rec_syn(3141, "xray", ino, P_MPTCP, 443,
				 syn_unanswered));
	assert_int_equal(fx->n, 1);	/* not again live */

	finish(fx);
	assert_int_equal(fx->n, 2);
	s = only(fx, TFO_FINDING_MPTCP_TFO_REJECTED, 1, ino);
	assert_int_equal(s->err, ENOPROTOOPT);
	assert_true(s->probes);
	assert_int_equal(s->lost, 0);
	assert_int_equal(s->sock.pid, 3141);
	assert_string_equal(s->sock.comm, "xray");
	assert_int_equal(s->sock.syns, 5);
	assert_int_equal(s->sock.cookie_requests, 5);
	assert_int_equal(s->sock.syns_unanswered, 5);
	assert_int_equal(s->sock.syns_with_data, 0);
	assert_int_equal(s->sock.cookies_sent, 0);
	assert_int_equal(s->sock.tfo_accepted, 0);
	assert_int_equal(s->sock.overflows, 0);
	assert_int_equal(s->sock.sysctl, 3);
	assert_int_equal(s->n_advice, 4);
	assert_non_null(strstr(s->advice[0], "tcp_fastopen=0x403:"));
	assert_int_equal(s->origin.source, TFO_MPTCP_SOURCE_GO_DEFAULT);
	assert_string_equal(s->origin.detail, "the default of go1.24.1");
	assert_non_null(strstr(s->advice[1], "xray listens with MPTCP by the default of go1.24.1"));
	assert_non_null(strstr(s->advice[1], "start xray (pid 3141) with `GODEBUG=multipathtcp=0` in its environment"));
	assert_non_null(strstr(s->advice[2], "net.mptcp.enabled=0"));
	assert_non_null(strstr(s->advice[2], "falls back to TCP, but any other program"));
	assert_non_null(strstr(s->advice[3], "6.12"));
}

/* ---- program-aware advice: never a step that stops the listener ---- */

static bool advice_mentions(const struct seen *s, const char *needle)
{
	return any_advice_has(s, needle);
}

/* The Go-style MPTCP listener refused TCP_FASTOPEN on 6.1, as each kind of
 * program makes it and runs it: where its MPTCP came from, and the advice
 * it gets. NETNS: the listener's network namespace (tfotrace's is NETNS). */
static const struct seen *rejected_in(struct fx *fx, const char *comm,
				      struct prog spec, bool told,
				      uint32_t netns)
{
	union tfo_record r;

	if (told)
		tell_program(fx, 700, spec);
	feed(fx, rec_socket(700, comm, 7000, P_MPTCP, P_MPTCP, 3));
	r = rec_sockopt(700, comm, 7000, P_MPTCP, L_TCP, O_TCP_FASTOPEN, 256,
			-92, TFO_LAYER_MPTCP);
	r.setsockopt.sock.netns = netns;
	feed(fx, r);
	r = rec_listen(700, comm, 7000, P_MPTCP, 443, 511, 0, 0, 3);
	r.listen.sock.netns = netns;
	feed(fx, r);
	return only(fx, TFO_FINDING_MPTCP_TFO_REJECTED, 0, 7000);
}

static const struct seen *rejected_listener(struct fx *fx, const char *comm,
					    struct prog spec)
{
	return rejected_in(fx, comm, spec, true, NETNS);
}

/* The program-level fix: the advice after the 0x403 sysctl. */
static const char *program_fix(const struct seen *s)
{
	assert_true(s->n_advice >= 2);
	assert_non_null(strstr(s->advice[0], "tcp_fastopen=0x403"));
	return s->advice[1];
}

static void test_advice_c_program_keeps_listening(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s = rejected_listener(fx, "haproxy",
						 (struct prog){ .version = "" });

	/* net.mptcp.enabled=0 would stop it listening: a C proxy that asks
	 * for MPTCP does not fall back */
	assert_int_equal(s->origin.source, TFO_MPTCP_SOURCE_PROGRAM);
	assert_false(advice_mentions(s, "net.mptcp.enabled"));
	assert_false(advice_mentions(s, "GODEBUG"));
	assert_non_null(strstr(program_fix(s), "haproxy is not a Go program: it creates its socket with IPPROTO_MPTCP itself"));
	assert_true(advice_mentions(s, "a kernel >= 6.3"));
	assert_int_equal(s->n_advice, 3);
}

static void test_advice_go_124_default(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s = rejected_listener(fx, "xray", (struct prog){
		.version = "go1.24.1" });

	assert_int_equal(s->origin.source, TFO_MPTCP_SOURCE_GO_DEFAULT);
	assert_non_null(strstr(program_fix(s), "`GODEBUG=multipathtcp=0`"));
	assert_true(advice_mentions(s, "sysctl -w net.mptcp.enabled=0: no MPTCP in that network namespace; xray, a Go program, falls back to TCP, but any other program there that asks for MPTCP and does not fall back stops listening"));
}

/* A go.mod or //go:debug default of its own, also MPTCP: GODEBUG in the
 * environment still beats it. */
static void test_advice_go_build_default(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s = rejected_listener(fx, "srv", (struct prog){
		.version = "go1.23.4", .default_godebug = "multipathtcp=1" });

	assert_int_equal(s->origin.source, TFO_MPTCP_SOURCE_GO_DEFAULT);
	assert_non_null(strstr(s->origin.detail, "DefaultGODEBUG multipathtcp=1"));
	assert_non_null(strstr(program_fix(s), "`GODEBUG=multipathtcp=0`"));
}

/* go.mod kept the old default (or its environment turned it off): the
 * listener is MPTCP because the program asks; GODEBUG would not change
 * that (SetMultipathTCP beats it). */
static void test_advice_go_asks_itself(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s = rejected_listener(fx, "srv", (struct prog){
		.version = "go1.25.0", .default_godebug = "multipathtcp=0" });

	assert_int_equal(s->origin.source, TFO_MPTCP_SOURCE_PROGRAM);
	assert_false(advice_mentions(s, "GODEBUG=multipathtcp=0`"));
	assert_non_null(strstr(program_fix(s), "srv (go1.25.0) asks for MPTCP in its code: net.ListenConfig.SetMultipathTCP(true) beats GODEBUG"));
	assert_true(advice_mentions(s, "falls back to TCP"));

	/* (c) of the suites: a go 1.24 module that calls SetMultipathTCP:
	 * its code, not Go's default */
	fx_start(fx, opts_default());
	s = rejected_listener(fx, "srv", (struct prog){ .version = "go1.24.4",
		.sets_mptcp = true });
	assert_int_equal(s->origin.source, TFO_MPTCP_SOURCE_PROGRAM);
	assert_non_null(strstr(s->origin.detail, "SetMultipathTCP in its code"));
	assert_false(advice_mentions(s, "`GODEBUG="));
	/* and GODEBUG=multipathtcp=0 applied, still MPTCP */
	fx_start(fx, opts_default());
	s = rejected_listener(fx, "srv", (struct prog){ .version = "go1.24.4",
		.godebug = "multipathtcp=0" });
	assert_int_equal(s->origin.source, TFO_MPTCP_SOURCE_PROGRAM);
	assert_non_null(strstr(s->origin.detail, "SetMultipathTCP(true)"));
	assert_non_null(strstr(program_fix(s), "SetMultipathTCP(true) beats GODEBUG"));
}

/* Go before 1.21 has no MPTCP in net: its MPTCP listener is its own
 * syscall, which does not fall back; net.mptcp.enabled=0 would stop it. */
static void test_advice_go_before_121(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s = rejected_listener(fx, "old", (struct prog){
		.version = "go1.19.8", .godebug = "multipathtcp=1" });

	assert_int_equal(s->origin.source, TFO_MPTCP_SOURCE_PROGRAM);
	assert_false(advice_mentions(s, "net.mptcp.enabled"));
	assert_false(advice_mentions(s, "GODEBUG=multipathtcp=0"));
	assert_false(advice_mentions(s, "SetMultipathTCP"));
	assert_non_null(strstr(program_fix(s), "old (go1.19.8) creates its MPTCP socket in its own code"));
}

/* A Go too old to carry its version (before 1.18): as old as that. */
static void test_advice_go_without_version(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s = rejected_listener(fx, "older", (struct prog){
		.version = "go?" });

	assert_int_equal(s->origin.source, TFO_MPTCP_SOURCE_PROGRAM);
	assert_false(advice_mentions(s, "net.mptcp.enabled"));
	assert_non_null(strstr(program_fix(s), "older (a Go of unknown version) creates its MPTCP socket"));
}

/* Go 1.21 to 1.23 listen with MPTCP only when asked: multipathtcp=1 in
 * the environment is the environment's doing, nothing else the code's. */
static void test_advice_go_before_124(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s = rejected_listener(fx, "srv", (struct prog){
		.version = "go1.22.5" });

	assert_int_equal(s->origin.source, TFO_MPTCP_SOURCE_PROGRAM);
	assert_non_null(strstr(program_fix(s), "srv (go1.22.5) asks for MPTCP in its code"));
	fx_start(fx, opts_default());
	s = rejected_listener(fx, "srv", (struct prog){ .version = "go1.22.5",
		.godebug = "multipathtcp=1" });
	assert_int_equal(s->origin.source, TFO_MPTCP_SOURCE_ENVIRONMENT);
	assert_string_equal(s->origin.detail, "GODEBUG=multipathtcp=1");
}

/* The executable could not be read: GODEBUG only as a condition, and no
 * namespace-wide switch that might stop it. */
static void test_advice_program_unknown(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s = rejected_listener(fx, "svc", (struct prog){ 0 });

	assert_int_equal(s->origin.source, TFO_MPTCP_SOURCE_UNKNOWN);
	assert_non_null(strstr(s->origin.detail, "its executable: permission denied"));
	assert_non_null(strstr(program_fix(s), "tfotrace could not tell where svc's MPTCP comes from"));
	assert_non_null(strstr(program_fix(s), "if it is a Go >= 1.24 program, GODEBUG=multipathtcp=0"));
	assert_false(advice_mentions(s, "net.mptcp.enabled"));
	/* nor described at all: gone before it was read */
	fx_start(fx, opts_default());
	s = rejected_in(fx, "svc", (struct prog){ 0 }, false, NETNS);
	assert_false(s->has_program);
	assert_int_equal(s->origin.source, TFO_MPTCP_SOURCE_UNKNOWN);
	assert_non_null(strstr(s->origin.detail, "exited before tfotrace could read it"));
	/* its environment unreadable, its build saying TCP: environment or
	 * code, tfotrace cannot tell */
	fx_start(fx, opts_default());
	s = rejected_listener(fx, "svc", (struct prog){ .version = "go1.24.4",
		.default_godebug = "multipathtcp=0", .environ_unread = true });
	assert_int_equal(s->origin.source, TFO_MPTCP_SOURCE_UNKNOWN);
	assert_non_null(strstr(s->origin.detail, "GODEBUG there, or SetMultipathTCP(true)"));
}

/* (b) of the suites: a module before go 1.24 (its build keeps TCP), made
 * MPTCP by GODEBUG in its environment. */
static void test_advice_environment(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s = rejected_listener(fx, "srv", (struct prog){
		.version = "go1.24.4", .default_godebug = "multipathtcp=0",
		.godebug = "multipathtcp=2" });

	assert_int_equal(s->origin.source, TFO_MPTCP_SOURCE_ENVIRONMENT);
	assert_string_equal(s->origin.detail, "GODEBUG=multipathtcp=2");
	assert_non_null(strstr(program_fix(s), "srv's MPTCP comes from its environment, not its code"));
	assert_non_null(strstr(program_fix(s), "start srv (pid 700) with `GODEBUG=multipathtcp=0` in its environment"));
	assert_false(advice_mentions(s, "SetMultipathTCP"));
}

/* Its other GODEBUG settings are kept: the fix is the merged value. */
static void test_advice_godebug_merged(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s;

	/* (d): x509sha1=1 already there, MPTCP by Go's default */
	s = rejected_listener(fx, "srv", (struct prog){ .version = "go1.24.4",
		.godebug = "x509sha1=1" });
	assert_int_equal(s->origin.source, TFO_MPTCP_SOURCE_GO_DEFAULT);
	assert_non_null(strstr(program_fix(s), "`GODEBUG=x509sha1=1,multipathtcp=0`"));
	/* set by the environment among others, repeated: the last wins in
	 * Go, and the fix drops every earlier one */
	fx_start(fx, opts_default());
	s = rejected_listener(fx, "srv", (struct prog){ .version = "go1.24.4",
		.default_godebug = "multipathtcp=0",
		.godebug = "multipathtcp=0,http2client=0,multipathtcp=2#abc" });
	assert_int_equal(s->origin.source, TFO_MPTCP_SOURCE_ENVIRONMENT);
	assert_string_equal(s->origin.detail, "GODEBUG=multipathtcp=2");
	assert_non_null(strstr(program_fix(s), "`GODEBUG=http2client=0,multipathtcp=0`"));
	/* junk is MPTCP for Go 1.24 (only 0 and 3 turn it off) */
	fx_start(fx, opts_default());
	s = rejected_listener(fx, "srv", (struct prog){ .version = "go1.24.4",
		.default_godebug = "multipathtcp=0", .godebug = "multipathtcp=yes" });
	assert_int_equal(s->origin.source, TFO_MPTCP_SOURCE_ENVIRONMENT);
	assert_non_null(strstr(program_fix(s), "`GODEBUG=multipathtcp=0`"));
	/* what cannot go bare into a unit file or a shell is quoted, and a
	 * byte that is not printable is shown, not written as it is */
	fx_start(fx, opts_default());
	s = rejected_listener(fx, "srv", (struct prog){ .version = "go1.24.4",
		.godebug = "a=b c,\xff=1" });
	assert_non_null(strstr(program_fix(s), "`\"GODEBUG=a=b c,\\xff=1,multipathtcp=0\"`"));
}

/* A systemd service: the drop-in `systemctl edit` writes, or where the
 * unit sets GODEBUG when that beats such a drop-in. */
static void test_advice_unit(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s;

	s = rejected_listener(fx, "srv", (struct prog){ .version = "go1.24.4",
		.default_godebug = "multipathtcp=0", .godebug = "multipathtcp=2",
		.unit = "srv.service", .godebug_set = {
			.kind = TFO_UNIT_ENV_UNIT,
			.path = "/etc/systemd/system/srv.service" } });
	assert_non_null(strstr(program_fix(s), "(its GODEBUG is set by Environment= in /etc/systemd/system/srv.service): `systemctl edit srv.service`, add the lines `[Service]` and `Environment=GODEBUG=multipathtcp=0`, then `systemctl restart srv.service`"));
	/* an EnvironmentFile= beats Environment=: change it there */
	fx_start(fx, opts_default());
	s = rejected_listener(fx, "srv", (struct prog){ .version = "go1.24.4",
		.godebug = "x509sha1=1,multipathtcp=1", .unit = "srv.service",
		.godebug_set = { .kind = TFO_UNIT_ENV_FILE,
				 .after_override = true, .path = "/etc/default/srv" } });
	assert_non_null(strstr(program_fix(s), "its GODEBUG is set in /etc/default/srv (its EnvironmentFile="));
	assert_non_null(strstr(program_fix(s), "change that line to `GODEBUG=x509sha1=1,multipathtcp=0`"));
	assert_null(strstr(program_fix(s), "`systemctl edit srv.service`"));
	/* a drop-in read after override.conf */
	fx_start(fx, opts_default());
	s = rejected_listener(fx, "srv", (struct prog){ .version = "go1.24.4",
		.godebug = "multipathtcp=2", .unit = "srv.service",
		.godebug_set = { .kind = TFO_UNIT_ENV_DROPIN, .after_override = true,
			.path = "/etc/systemd/system/srv.service.d/zz-mptcp.conf" } });
	assert_non_null(strstr(program_fix(s), "set in /etc/systemd/system/srv.service.d/zz-mptcp.conf (a drop-in read after override.conf"));
	/* Go's default, in a service with no GODEBUG: the drop-in */
	fx_start(fx, opts_default());
	s = rejected_listener(fx, "xray", (struct prog){ .version = "go1.24.1",
		.unit = "xray.service" });
	assert_non_null(strstr(program_fix(s), "`systemctl edit xray.service`, add the lines `[Service]` and `Environment=GODEBUG=multipathtcp=0`"));
	/* an unreadable environment file: the drop-in, and where else */
	fx_start(fx, opts_default());
	s = rejected_listener(fx, "xray", (struct prog){ .version = "go1.24.1",
		.unit = "xray.service", .godebug_set = {
			.kind = TFO_UNIT_ENV_FILE_UNREADABLE, .path = "/etc/xray.env" } });
	assert_non_null(strstr(program_fix(s), "unless its EnvironmentFile=/etc/xray.env, unreadable here, sets GODEBUG"));
}

/* A container: its environment, in its runtime's words; a sysctl for its
 * network namespace. */
static void test_advice_container(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s;

	tell_program(fx, 700, (struct prog){ .version = "go1.24.1",
		.container = "docker 3f2a8c1b9d0e" });
	s = rejected_in(fx, "xray", (struct prog){ 0 }, false, OTHER_NETNS);
	assert_non_null(strstr(s->advice[0], "nsenter --net=/proc/700/ns/net sysctl -w net.ipv4.tcp_fastopen=0x403 (the network namespace of container docker 3f2a8c1b9d0e"));
	assert_non_null(strstr(program_fix(s), "`docker run -e GODEBUG=multipathtcp=0`"));
	assert_true(advice_mentions(s, "nsenter --net=/proc/700/ns/net sysctl -w net.mptcp.enabled=0"));
}

/* A listener in another network namespace: a sysctl run in tfotrace's
 * own fixes nothing there. */
static void test_advice_other_netns(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s = rejected_in(fx, "srv", (struct prog){ .version = "" },
					   true, OTHER_NETNS);

	assert_true(!strncmp(s->advice[0], "nsenter --net=/proc/700/ns/net sysctl -w net.ipv4.tcp_fastopen=0x403 (in its network namespace, netns 4026532301, not tfotrace's)", 120));
	fx_start(fx, opts_default());
	s = rejected_in(fx, "srv", (struct prog){ .version = "" }, true, NETNS);
	assert_true(!strncmp(s->advice[0], "sysctl -w net.ipv4.tcp_fastopen=0x403:", 38));
}

/* Debian's mptcpize: LD_PRELOAD of libmptcpwrap. */
static void test_advice_preload(void **state)
{
	struct fx *fx = start(state);
	const char *wrap = "/usr/lib/x86_64-linux-gnu/mptcpize/libmptcpwrap.so.0.0.1";
	const struct seen *s;

	s = rejected_listener(fx, "nginx", (struct prog){ .version = "",
		.preload = wrap });
	assert_int_equal(s->origin.source, TFO_MPTCP_SOURCE_PRELOAD);
	assert_string_equal(s->origin.detail, "LD_PRELOAD=libmptcpwrap.so.0.0.1");
	assert_non_null(strstr(program_fix(s), "nginx (pid 700) runs under mptcpize (libmptcpwrap.so.0.0.1 makes its TCP sockets MPTCP): start it without `mptcpize run`"));
	assert_false(advice_mentions(s, "net.mptcp.enabled"));
	fx_start(fx, opts_default());
	s = rejected_listener(fx, "nginx", (struct prog){ .version = "",
		.preload = wrap, .unit = "nginx.service" });
	assert_non_null(strstr(program_fix(s), "`mptcpize disable nginx.service`, then `systemctl daemon-reload` and `systemctl restart nginx.service`"));
	/* its executable unreadable, the preload still says it */
	fx_start(fx, opts_default());
	s = rejected_listener(fx, "nginx", (struct prog){ .preload = wrap });
	assert_int_equal(s->origin.source, TFO_MPTCP_SOURCE_PRELOAD);
	/* newer mptcpize sets GODEBUG for Go programs along with it */
	fx_start(fx, opts_default());
	s = rejected_listener(fx, "srv", (struct prog){ .version = "go1.24.4",
		.default_godebug = "multipathtcp=0", .godebug = "multipathtcp=1",
		.preload = wrap });
	assert_int_equal(s->origin.source, TFO_MPTCP_SOURCE_PRELOAD);
	/* another library preloaded: named, not blamed */
	fx_start(fx, opts_default());
	s = rejected_listener(fx, "nginx", (struct prog){ .version = "",
		.preload = "/usr/lib/libjemalloc.so.2" });
	assert_int_equal(s->origin.source, TFO_MPTCP_SOURCE_PROGRAM);
	assert_non_null(strstr(program_fix(s), "it also runs with LD_PRELOAD=/usr/lib/libjemalloc.so.2"));
}

/* The same source and advice for any option MPTCP refuses. */
static void test_option_rejected_has_source(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s;

	tell_program(fx, 3141, (struct prog){ .version = "go1.24.4",
		.default_godebug = "multipathtcp=0", .godebug = "multipathtcp=2" });
	feed(fx, rec_socket(3141, "relay", 6001, P_MPTCP, P_MPTCP, 3));
	feed(fx, rec_sockopt(3141, "relay", 6001, P_MPTCP, L_TCP,
			     O_TCP_USER_TIMEOUT, 30000, -92, TFO_LAYER_MPTCP));
	tfo_correlator__refresh(fx->c);
	s = only(fx, TFO_FINDING_MPTCP_OPTION_REJECTED, 0, 6001);
	assert_int_equal(s->origin.source, TFO_MPTCP_SOURCE_ENVIRONMENT);
	assert_non_null(strstr(s->advice[0], "relay's MPTCP comes from its environment"));
	/* keep-alive options listed but not implemented: EOPNOTSUPP */
	fx_start(fx, opts_default());
	feed(fx, rec_socket(3141, "relay", 6002, P_MPTCP, P_MPTCP, 3));
	feed(fx, rec_sockopt(3141, "relay", 6002, P_MPTCP, L_TCP, 4, 60, -95,
			     TFO_LAYER_MPTCP));
	tfo_correlator__refresh(fx->c);
	s = only(fx, TFO_FINDING_MPTCP_OPTION_REJECTED, 0, 6002);
	assert_int_equal(s->err, EOPNOTSUPP);
	assert_non_null(strstr(s->why, "EOPNOTSUPP"));
}

/* (e) of the suites: a Control that returns the setsockopt error; Go
 * gives the MPTCP socket up and listens with TCP, TFO on. Informational,
 * on the TCP listener; nothing about the socket given up. */
static void test_mptcp_fell_back(void **state)
{
	struct fx *fx = start(state);
	union tfo_record r;
	const struct seen *s;

	tell_program(fx, 800, (struct prog){ .version = "go1.24.4" });
	server_setup(fx, 800, "srv", 8001, P_MPTCP, -92, TFO_LAYER_MPTCP);
	server_setup(fx, 800, "srv", 8002, P_TCP, 0, 0);
	/* within a second of the refusal (records are 1 us apart here) */
	feed(fx, rec_listen(800, "srv", 8002, P_TCP, 8443, 4096, 0, 256, 3));
	assert_int_equal(count(fx, TFO_FINDING_MPTCP_FELL_BACK, 0, 8002), 1);
	assert_int_equal(count(fx, TFO_FINDING_TFO_OK, 0, 8002), 1);
	finish(fx);
	s = only(fx, TFO_FINDING_MPTCP_FELL_BACK, 1, 8002);
	assert_int_equal(s->err, ENOPROTOOPT);
	assert_int_equal(s->sock.fell_back_optname, O_TCP_FASTOPEN);
	assert_int_equal(s->sock.fell_back_from, 8001);
	assert_non_null(strstr(s->why, "informational, no fault"));
	assert_true(advice_mentions(s, "a kernel >= 6.3"));
	assert_true(advice_mentions(s, "0x403"));
	assert_false(tfo_finding_is_problem(TFO_FINDING_MPTCP_FELL_BACK));
	/* nothing about the MPTCP socket given up */
	assert_int_equal(count(fx, -1, 1, 8001), 0);

	/* another option refused that way: its finding goes in the end */
	fx_start(fx, opts_default());
	feed(fx, rec_socket(801, "relay", 8011, P_MPTCP, P_MPTCP, 3));
	feed(fx, rec_sockopt(801, "relay", 8011, P_MPTCP, L_TCP,
			     O_TCP_USER_TIMEOUT, 1000, -92, TFO_LAYER_MPTCP));
	feed(fx, rec_socket(801, "relay", 8012, P_TCP, P_TCP, 4));
	feed(fx, rec_listen(801, "relay", 8012, P_TCP, 9000, 16, 0, 0, 3));
	finish(fx);
	assert_int_equal(count(fx, TFO_FINDING_MPTCP_OPTION_REJECTED, 1, 8011), 0);
	s = only(fx, TFO_FINDING_MPTCP_FELL_BACK, 1, 8012);
	assert_true(advice_mentions(s, "for MPTCP and TCP_USER_TIMEOUT both"));

	/* another process, or long after: no fallback */
	fx_start(fx, opts_default());
	server_setup(fx, 802, "a", 8021, P_MPTCP, -92, TFO_LAYER_MPTCP);
	server_setup(fx, 803, "b", 8022, P_TCP, 0, 0);
	feed(fx, rec_listen(803, "b", 8022, P_TCP, 80, 16, 0, 256, 3));
	server_setup(fx, 802, "a", 8023, P_TCP, 0, 0);
	r = rec_listen(802, "a", 8023, P_TCP, 81, 16, 0, 256, 3);
	r.hdr.ts_ns += 5000000000ULL;
	feed(fx, r);
	finish(fx);
	assert_int_equal(count(fx, TFO_FINDING_MPTCP_FELL_BACK, -1, 0), 0);
}

/* TCP_FASTOPEN with a queue of 0 turns TFO off (tfotrace's own probe did
 * this on an unbound MPTCP socket): no request, no finding, whether the
 * kernel took it or not, listening or not. */
static void test_fastopen_zero_is_no_request(void **state)
{
	struct fx *fx = start(state);

	feed(fx, rec_socket(900, "tfotrace", 9001, P_MPTCP, P_MPTCP, 3));
	feed(fx, rec_sockopt(900, "tfotrace", 9001, P_MPTCP, L_TCP,
			     O_TCP_FASTOPEN, 0, -92, TFO_LAYER_MPTCP));
	feed(fx, rec_socket(900, "tfotrace", 9002, P_MPTCP, P_MPTCP, 4));
	feed(fx, rec_sockopt(900, "tfotrace", 9002, P_MPTCP, L_TCP,
			     O_TCP_FASTOPEN, 0, 0, 0));
	/* a listener that turned TFO off, in a namespace without the server
	 * bit: nothing was asked */
	feed(fx, rec_socket(901, "srv", 9003, P_TCP, P_TCP, 3));
	feed(fx, rec_sockopt(901, "srv", 9003, P_TCP, L_TCP, O_TCP_FASTOPEN,
			     -1, 0, 0));
	feed(fx, rec_listen(901, "srv", 9003, P_TCP, 80, 16, 0, 0, 1));
	finish(fx);
	assert_int_equal(fx->n, 0);
}

/* setsockopt(SOL_TCP, 42): the multipath-tcp.org kernels' MPTCP_ENABLED.
 * Refused with ENOPROTOOPT, the socket stays TCP: a finding of its own;
 * accepted (a kernel where 42 means something), nothing. */
static void test_mptcp_legacy_api(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s;

	feed(fx, rec_socket(902, "oldapp", 9004, P_TCP, P_TCP, 3));
	feed(fx, rec_sockopt(902, "oldapp", 9004, P_TCP, L_TCP, 42, 1, -92,
			     TFO_LAYER_TCP));
	s = only(fx, TFO_FINDING_MPTCP_LEGACY_API, 0, 9004);
	assert_int_equal(s->err, ENOPROTOOPT);
	assert_true(s->has_why);
	assert_true(advice_mentions(s, "IPPROTO_MPTCP (262)"));
	assert_true(advice_mentions(s, "mptcpize"));
	feed(fx, rec_socket(902, "oldapp", 9005, P_TCP, P_TCP, 4));
	feed(fx, rec_sockopt(902, "oldapp", 9005, P_TCP, L_TCP, 42, 1, 0, 0));
	finish(fx);
	assert_int_equal(count(fx, TFO_FINDING_MPTCP_LEGACY_API, -1, 9005), 0);
	assert_int_equal(count(fx, TFO_FINDING_MPTCP_LEGACY_API, 1, 9004), 1);
	/* on a socket made MPTCP already: a leftover, said as such */
	feed(fx, rec_socket(902, "oldapp", 9006, P_MPTCP, P_MPTCP, 5));
	feed(fx, rec_sockopt(902, "oldapp", 9006, P_MPTCP, L_TCP, 42, 1, -92,
			     TFO_LAYER_MPTCP));
	s = only(fx, TFO_FINDING_MPTCP_LEGACY_API, 0, 9006);
	assert_non_null(strstr(s->why, "This socket is MPTCP already"));
	assert_null(strstr(s->why, "stays plain TCP"));
	assert_true(advice_mentions(s, "drop the leftover setsockopt(SOL_TCP, 42)"));
	assert_false(advice_mentions(s, "must create its socket"));
}

/* A finding again, with its new numbers, when they have moved since it
 * was said: once per refresh, and not at all while they stay. */
static void test_refresh_updates_changed_numbers(void **state)
{
	struct fx *fx = start(state);
	const uint64_t ino = 9925, other = 9926;

	server_setup(fx, 3141, "xray", ino, P_MPTCP, -92, TFO_LAYER_MPTCP);
	feed(fx, rec_listen(3141, "xray", ino, P_MPTCP, 443, 4096, 0, 0, 3));
	server_setup(fx, 3142, "nginx", other, P_TCP, 0, 0);
	feed(fx, rec_listen(3142, "nginx", other, P_TCP, 8443, 511, 0, 256, 3));
	assert_int_equal(fx->n, 2);	/* rejected, and the TCP one's tfo-ok */

	/* nothing moved: nothing said */
	tfo_correlator__refresh(fx->c);
	assert_int_equal(fx->n, 2);

	for (int i = 0; i < 3; i++)
		feed(fx, rec_syn(3141, "xray", ino, P_MPTCP, 443,
				 syn_unanswered));
	assert_int_equal(fx->n, 2);	/* live findings wait for a refresh */
	tfo_correlator__refresh(fx->c);
	assert_int_equal(fx->n, 3);
	assert_true(fx->v[2].update);
	assert_false(fx->v[2].final);
	assert_int_equal(fx->v[2].kind, TFO_FINDING_MPTCP_TFO_REJECTED);
	assert_int_equal(fx->v[2].sock.ino, ino);
	assert_int_equal(fx->v[2].sock.cookie_requests, 3);
	assert_int_equal(fx->v[2].sock.syns_unanswered, 3);

	/* said once per change: the next refresh has nothing new */
	tfo_correlator__refresh(fx->c);
	assert_int_equal(fx->n, 3);

	feed(fx, rec_syn(3141, "xray", ino, P_MPTCP, 443, syn_unanswered));
	syns_working(fx, 3142, "nginx", other, P_TCP, 256, 3, 2);
	tfo_correlator__refresh(fx->c);
	assert_int_equal(fx->n, 5);
	assert_int_equal(count_from(fx, 3, TFO_FINDING_MPTCP_TFO_REJECTED, 0, ino), 1);
	assert_int_equal(count_from(fx, 3, TFO_FINDING_TFO_OK, 0, other), 1);
	assert_true(fx->v[3].update && fx->v[4].update);

	/* first sightings and finals are no updates */
	finish(fx);
	for (size_t i = 0; i < fx->n; i++)
		assert_true(!fx->v[i].update || (i >= 2 && i < 5));
}

/* A socket no finding was said about is never "updated". */
static void test_refresh_ignores_unreported(void **state)
{
	struct fx *fx = start(state);

	feed(fx, rec_socket(77, "curl", 5000, P_TCP, P_TCP, 3));
	feed(fx, rec_sockopt(77, "curl", 5000, P_TCP, L_TCP, O_TCP_NODELAY,
			     1, 0, 0));
	feed(fx, rec_sockopt(77, "curl", 5000, P_TCP, L_TCP, O_TCP_NODELAY,
			     0, 0, 0));
	tfo_correlator__refresh(fx->c);
	assert_int_equal(fx->n, 0);
}

/* The same on Debian's default tcp_fastopen=1: the server bit is missing
 * too, and said too; the MPTCP advice's sysctl carries it. */
static void test_mptcp_tfo_rejected_sysctl1(void **state)
{
	struct fx *fx = start(state);
	struct syn syn = syn_unanswered;
	const struct seen *s;

	syn.sysctl = 1;
	tell_program(fx, 3141, (struct prog){ .version = "go1.24.1",
		.unit = "xray.service" });
	server_setup(fx, 3141, "xray", 9925, P_MPTCP, -92, TFO_LAYER_MPTCP);
	assert_int_equal(fx->n, 0);
	feed(fx, rec_listen(3141, "xray", 9925, P_MPTCP, 443, 4096, 0, 0, 1));
	assert_int_equal(fx->n, 2);
	assert_int_equal(only(fx, TFO_FINDING_MPTCP_TFO_REJECTED, 0,
			      9925)->err, ENOPROTOOPT);
	assert_int_equal(count(fx, TFO_FINDING_TFO_SERVER_DISABLED, 0, 9925), 1);
	for (int i = 0; i < 5; i++)
		feed(fx, rec_syn(3141, "xray", 9925, P_MPTCP, 443, syn));
	assert_int_equal(fx->n, 2);
	finish(fx);
	assert_int_equal(fx->n, 4);
	s = only(fx, TFO_FINDING_MPTCP_TFO_REJECTED, 1, 9925);
	assert_int_equal(s->err, ENOPROTOOPT);
	assert_int_equal(s->sock.pid, 3141);
	assert_string_equal(s->sock.comm, "xray");
	assert_int_equal(s->sock.cookie_requests, 5);
	assert_int_equal(s->sock.syns_unanswered, 5);
	assert_int_equal(s->sock.cookies_sent, 0);
	assert_int_equal(s->sock.tfo_accepted, 0);
	assert_int_equal(s->n_advice, 4);
	assert_non_null(strstr(s->advice[0], "tcp_fastopen=0x403:"));
	/* a systemd service: where to put the environment */
	assert_non_null(strstr(s->advice[1], "`systemctl edit xray.service`"));
	s = only(fx, TFO_FINDING_TFO_SERVER_DISABLED, 1, 9925);
	assert_int_equal(s->n_advice, 1);
	assert_non_null(strstr(s->advice[0], "tcp_fastopen=0x3 "));
	assert_int_equal(count(fx, TFO_FINDING_TFO_OK, -1, 0), 0);
}

/* The same program over plain TCP: the setsockopt works, cookies flow. */
static void test_tcp_tfo_works_not_rejected(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s;

	server_setup(fx, 3141, "xray", 9926, P_TCP, 0, 0);
	assert_int_equal(fx->n, 0);
	feed(fx, rec_listen(3141, "xray", 9926, P_TCP, 443, 4096, 0, 256, 3));
	assert_int_equal(fx->n, 1);
	s = only(fx, TFO_FINDING_TFO_OK, 0, 9926);
	assert_int_equal(s->err, 0);
	syns_working(fx, 3141, "xray", 9926, P_TCP, 256, 3, 5);
	assert_int_equal(fx->n, 1);
	finish(fx);
	assert_int_equal(fx->n, 2);
	s = only(fx, TFO_FINDING_TFO_OK, 1, 9926);
	assert_int_equal(s->err, 0);
	assert_int_equal(s->sock.tfo_sockopt, 1);
	assert_int_equal(s->sock.syns, 5);
	assert_int_equal(s->sock.cookie_requests, 1);
	assert_int_equal(s->sock.cookies_sent, 1);
	assert_int_equal(s->sock.tfo_accepted, 4);
	assert_int_equal(s->sock.syns_with_data, 4);
	assert_int_equal(s->sock.syns_unanswered, 0);
	assert_int_equal(s->sock.cookie_invalid, 0);
	assert_int_equal(s->n_advice, 0);
	assert_int_equal(count(fx, TFO_FINDING_MPTCP_TFO_REJECTED, -1, 0), 0);
}

/* Debian 12's 6.12: MPTCP accepts TCP_FASTOPEN. */
static void test_mptcp_on_612_works(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s;

	server_setup(fx, 3141, "xray", 9927, P_MPTCP, 0, 0);
	feed(fx, rec_listen(3141, "xray", 9927, P_MPTCP, 443, 4096, 0, 256, 3));
	syns_working(fx, 3141, "xray", 9927, P_MPTCP, 256, 3, 5);
	finish(fx);
	assert_int_equal(fx->n, 2);
	assert_int_equal(count(fx, TFO_FINDING_TFO_OK, 0, 9927), 1);
	s = only(fx, TFO_FINDING_TFO_OK, 1, 9927);
	assert_int_equal(s->sock.protocol, P_MPTCP);
	assert_int_equal(s->sock.cookies_sent, 1);
	assert_int_equal(s->sock.tfo_accepted, 4);
	assert_int_equal(count(fx, TFO_FINDING_MPTCP_TFO_REJECTED, -1, 0), 0);
	assert_int_equal(count(fx, TFO_FINDING_MPTCP_OPTION_REJECTED, -1, 0), 0);
}

/* TCP_FASTOPEN failing with something else than ENOPROTOOPT on an MPTCP
 * socket (here EINVAL: a negative queue length, which 6.12's MPTCP passes
 * to TCP; or a 6.1 socket that fell back to TCP) is not the pre-6.2 gap. */
static void test_mptcp_tfo_einval_is_not_rejection(void **state)
{
	struct fx *fx = start(state);

	feed(fx, rec_socket(3141, "srv", 9928, P_MPTCP, P_MPTCP, 3));
	feed(fx, rec_sockopt(3141, "srv", 9928, P_MPTCP, L_TCP, O_TCP_FASTOPEN,
			     -1, -EINVAL, TFO_LAYER_TCP));
	feed(fx, rec_listen(3141, "srv", 9928, P_MPTCP, 443, 4096, 0, 0, 3));
	finish(fx);
	assert_int_equal(count(fx, TFO_FINDING_MPTCP_TFO_REJECTED, -1, 0), 0);
	assert_int_equal(count(fx, TFO_FINDING_MPTCP_OPTION_REJECTED, -1, 0), 0);
}

/* ---- 2. 6.1 with net.ipv4.tcp_fastopen=1027 ---- */

static void test_sysctl_1027_fix_is_ok(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s;

	server_setup(fx, 3141, "xray", 9930, P_MPTCP, -92, TFO_LAYER_MPTCP);
	/* 0x400: inet_listen() sized the queue although the sockopt failed */
	feed(fx, rec_listen(3141, "xray", 9930, P_MPTCP, 443, 16, 0, 16, 1027));
	assert_int_equal(fx->n, 1);
	s = only(fx, TFO_FINDING_TFO_OK, 0, 9930);
	assert_int_equal(s->err, ENOPROTOOPT);
	syns_working(fx, 3141, "xray", 9930, P_MPTCP, 16, 1027, 5);
	assert_int_equal(fx->n, 1);
	finish(fx);
	assert_int_equal(fx->n, 2);
	s = only(fx, TFO_FINDING_TFO_OK, 1, 9930);
	assert_int_equal(s->err, ENOPROTOOPT);
	assert_true(s->has_why);
	assert_int_equal(s->sock.tfo_sockopt, -92);
	assert_int_equal(s->sock.sysctl, 1027);
	assert_int_equal(s->sock.qlen_max, 16);
	assert_int_equal(s->sock.cookies_sent, 1);
	assert_int_equal(s->sock.tfo_accepted, 4);
	assert_int_equal(s->sock.syns_unanswered, 0);
	assert_int_equal(count(fx, TFO_FINDING_MPTCP_TFO_REJECTED, -1, 0), 0);
	assert_int_equal(count(fx, TFO_FINDING_TFO_SERVER_DISABLED, -1, 0), 0);
}

/* ---- 3. servers started before the tool: the listener scan ---- */

static void test_scan_only_mptcp_listener_rejected(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s;
	struct syn syn = syn_unanswered;

	syn.sysctl = 3;
	feed(fx, rec_listener(5150, P_MPTCP, 443, 0, 0, 3));
	assert_int_equal(fx->n, 0);	/* a queue of 0 alone proves nothing */
	tell_program(fx, 4242, (struct prog){ .version = "go1.24.1" });
	tfo_correlator__owner(fx->c, 5150, 4242, 4242, "xray");
	/* the SYN records have no owner: the listen() was never seen */
	for (int i = 0; i < 3; i++)
		feed(fx, rec_syn(0, "", 5150, P_MPTCP, 443, syn));
	assert_int_equal(fx->n, 1);
	s = only(fx, TFO_FINDING_MPTCP_TFO_REJECTED, 0, 5150);
	assert_int_equal(s->err, 0);
	assert_int_equal(s->sock.pid, 4242);
	assert_string_equal(s->sock.comm, "xray");
	finish(fx);
	assert_int_equal(fx->n, 2);
	s = only(fx, TFO_FINDING_MPTCP_TFO_REJECTED, 1, 5150);
	assert_int_equal(s->err, 0);
	assert_int_equal(s->sock.pid, 4242);
	assert_string_equal(s->sock.comm, "xray");
	assert_true(s->sock.from_scan);
	assert_true(s->sock.has_addr);
	assert_int_equal(s->sock.addr[0], 127);
	assert_int_equal(s->sock.addr[3], 1);
	assert_int_equal(s->sock.tfo_sockopt, 0);
	assert_int_equal(s->sock.cookie_requests, 3);
	assert_int_equal(s->sock.syns_unanswered, 3);
	assert_int_equal(s->n_advice, 4);
}

/* On a kernel whose MPTCP takes TCP_FASTOPEN, the same footprint is no
 * evidence of a rejection: the application may never have asked. */
static void test_scan_only_footprint_needs_old_kernel(void **state)
{
	struct fx *fx = *state;
	struct tfo_correlator_opts o = opts_default();
	struct syn syn = syn_unanswered;

	o.mptcp_tfo_supported = true;
	fx_start(fx, o);
	syn.sysctl = 3;
	feed(fx, rec_listener(5150, P_MPTCP, 443, 0, 0, 3));
	tfo_correlator__owner(fx->c, 5150, 4242, 4242, "xray");
	for (int i = 0; i < 3; i++)
		feed(fx, rec_syn(0, "", 5150, P_MPTCP, 443, syn));
	finish(fx);
	assert_int_equal(fx->n, 0);
}

/* Without probes, the namespace's counters are the evidence: cookies asked
 * and no TFO connection anywhere. Not with probes (they see each SYN), not
 * in another namespace, not when some listener did serve TFO. */
static void test_scan_only_counters_footprint(void **state)
{
	struct fx *fx = *state;
	struct tfo_correlator_opts o = opts_default();
	struct tfo_mib delta = { .cookie_reqd = 4, .present = 0xff };
	const struct seen *s;

	o.probes = false;	/* tracepoint mode */
	fx_start(fx, o);
	feed(fx, rec_listener(5150, P_MPTCP, 443, 0, 0, 3));
	tfo_correlator__owner(fx->c, 5150, 4242, 4242, "xray");
	tfo_correlator__counters(fx->c, &delta);
	finish(fx);
	assert_int_equal(fx->n, 1);
	s = only(fx, TFO_FINDING_MPTCP_TFO_REJECTED, 1, 5150);
	assert_int_equal(s->sock.pid, 4242);

	/* some listener served TFO: the requests were not all unanswered */
	fx_start(fx, o);
	feed(fx, rec_listener(5150, P_MPTCP, 443, 0, 0, 3));
	delta.passive = 1;
	tfo_correlator__counters(fx->c, &delta);
	finish(fx);
	assert_int_equal(fx->n, 0);

	/* with probes, per-SYN evidence decides, and there was none */
	o.probes = true;
	delta.passive = 0;
	fx_start(fx, o);
	feed(fx, rec_listener(5150, P_MPTCP, 443, 0, 0, 3));
	tfo_correlator__counters(fx->c, &delta);
	finish(fx);
	assert_int_equal(fx->n, 0);

	/* a listener of another namespace */
	o.probes = false;
	o.netns = NETNS + 1;
	fx_start(fx, o);
	feed(fx, rec_listener(5150, P_MPTCP, 443, 0, 0, 3));
	tfo_correlator__counters(fx->c, &delta);
	finish(fx);
	assert_int_equal(fx->n, 0);
}

static void test_scan_only_owner_rules(void **state)
{
	struct fx *fx = start(state);
	struct tfo_correlator_stats st;

	/* an owner for an inode the correlator does not know makes nothing */
	tfo_correlator__owner(fx->c, 5151, 4242, 4242, "xray");
	st = stats_of(fx);
	assert_int_equal(st.sockets, 0);
	/* the owner the scan attributes it to (the holders' ancestor) */
	feed(fx, rec_listener(5151, P_TCP, 8443, 256, 0, 3));
	tfo_correlator__owner(fx->c, 5151, 4242, 4242, "xray");
	finish(fx);
	assert_int_equal(only(fx, TFO_FINDING_TFO_OK, 1, 5151)->sock.pid, 4242);
	/* a worker's own calls on the inherited listener do not move it */
	feed(fx, rec_sockopt(4243, "xray-worker", 5151, P_TCP, L_TCP,
			     O_TCP_NODELAY, 1, 0, 0));
	fx->n = 0;
	finish(fx);
	assert_int_equal(only(fx, TFO_FINDING_TFO_OK, 1, 5151)->sock.pid, 4242);
}

static void test_scan_only_mptcp_listener_no_evidence(void **state)
{
	struct fx *fx = start(state);

	feed(fx, rec_listener(5152, P_MPTCP, 443, 0, 0, 3));
	tfo_correlator__owner(fx->c, 5152, 4242, 4242, "xray");
	finish(fx);
	assert_int_equal(fx->n, 0);
}

/* SYNs that carry neither a cookie request nor data ask nothing of TFO. */
static void test_scan_only_mptcp_listener_plain_syns(void **state)
{
	struct fx *fx = start(state);

	feed(fx, rec_listener(5153, P_MPTCP, 443, 0, 0, 3));
	for (int i = 0; i < 4; i++)
		feed(fx, rec_syn(0, "", 5153, P_MPTCP, 443, (struct syn){
			.foc_in = -1, .foc_out = -1, .sysctl = 3 }));
	finish(fx);
	assert_int_equal(fx->n, 0);
}

static void test_scan_only_tcp_listener_ok(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s;

	feed(fx, rec_listener(5154, P_TCP, 443, 256, 3, 3));
	tfo_correlator__owner(fx->c, 5154, 4242, 4242, "xray");
	assert_int_equal(fx->n, 1);
	assert_int_equal(count(fx, TFO_FINDING_TFO_OK, 0, 5154), 1);
	finish(fx);
	assert_int_equal(fx->n, 2);
	s = only(fx, TFO_FINDING_TFO_OK, 1, 5154);
	assert_int_equal(s->err, 0);
	assert_int_equal(s->sock.pid, 4242);
	assert_int_equal(s->sock.qlen_max, 256);
	assert_true(s->sock.from_scan);
}

/* A TCP listener with a queue (so TFO was asked for, seen or not), in a
 * namespace without the server bit: said so from the scan alone, once. */
static void test_scan_only_tcp_listener_server_off(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s;

	feed(fx, rec_listener(5155, P_TCP, 443, 256, 0, 1));
	tfo_correlator__owner(fx->c, 5155, 4242, 4242, "xray");
	assert_int_equal(fx->n, 1);
	feed(fx, rec_syn(0, "", 5155, P_TCP, 443, (struct syn){
		.foc_in = 0, .foc_out = -1, .qlen_max = 256, .sysctl = 1 }));
	assert_int_equal(fx->n, 1);
	finish(fx);
	assert_int_equal(fx->n, 2);
	s = only(fx, TFO_FINDING_TFO_SERVER_DISABLED, 1, 5155);
	assert_int_equal(s->sock.pid, 4242);
	assert_int_equal(s->sock.cookie_requests, 1);
	assert_int_equal(count(fx, TFO_FINDING_TFO_OK, -1, 0), 0);
}

/* ---- 4. mptcp-option-rejected ---- */

static void test_mptcp_option_rejected(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s;

	feed(fx, rec_socket(3141, "srv", 6001, P_MPTCP, P_MPTCP, 3));
	feed(fx, rec_sockopt(3141, "srv", 6001, P_MPTCP, L_TCP,
			     O_TCP_USER_TIMEOUT, 30000, -92, TFO_LAYER_MPTCP));
	/* a socket that has not listened: said from the next refresh on
	 * (its process may give it up for TCP right away) */
	assert_int_equal(fx->n, 0);
	tfo_correlator__refresh(fx->c);
	assert_int_equal(fx->n, 1);
	s = only(fx, TFO_FINDING_MPTCP_OPTION_REJECTED, 0, 6001);
	assert_int_equal(s->err, ENOPROTOOPT);
	/* the program unknown: GODEBUG only if it is Go, no sysctl */
	assert_int_equal(s->n_advice, 2);
	assert_non_null(strstr(s->advice[0], "if it is a Go >= 1.24 program"));
	feed(fx, rec_sockopt(3141, "srv", 6001, P_MPTCP, L_IP, O_IP_TTL, 64,
			     -95, TFO_LAYER_MPTCP));
	assert_int_equal(fx->n, 1);	/* once live */
	finish(fx);
	assert_int_equal(fx->n, 2);
	s = only(fx, TFO_FINDING_MPTCP_OPTION_REJECTED, 1, 6001);
	assert_int_equal(s->err, ENOPROTOOPT);
	assert_int_equal(s->sock.n_rejected, 2);
	assert_int_equal(s->sock.n_opts, 2);
	assert_int_equal(s->sock.opts[1].ret, -95);
	assert_int_equal(s->sock.pid, 3141);
}

/* The first refusal is EOPNOTSUPP: that is the errno said. */
static void test_mptcp_option_rejected_eopnotsupp(void **state)
{
	struct fx *fx = start(state);

	feed(fx, rec_sockopt(3141, "srv", 6002, P_MPTCP, L_IP, O_IP_TTL, 64,
			     -95, TFO_LAYER_MPTCP));
	tfo_correlator__refresh(fx->c);
	assert_int_equal(only(fx, TFO_FINDING_MPTCP_OPTION_REJECTED, 0,
			      6002)->err, EOPNOTSUPP);
	/* once: the next refresh has nothing new */
	tfo_correlator__refresh(fx->c);
	assert_int_equal(fx->n, 1);
}

/* An option that failed for its own reasons (EPERM, EINVAL: a TCP socket
 * would fail too) is not a refusal, and not the errno behind one. */
static void test_mptcp_option_other_errors(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s;

	feed(fx, rec_socket(3141, "srv", 6003, P_MPTCP, P_MPTCP, 3));
	feed(fx, rec_sockopt(3141, "srv", 6003, P_MPTCP, L_SOCKET, 25, 0,
			     -EPERM, TFO_LAYER_SOCK));
	feed(fx, rec_sockopt(3141, "srv", 6003, P_MPTCP, L_TCP, O_TCP_NODELAY,
			     1, 0, 0));
	assert_int_equal(fx->n, 0);
	feed(fx, rec_sockopt(3141, "srv", 6003, P_MPTCP, L_TCP,
			     O_TCP_USER_TIMEOUT, 30000, -92, TFO_LAYER_MPTCP));
	tfo_correlator__refresh(fx->c);
	assert_int_equal(fx->n, 1);
	s = only(fx, TFO_FINDING_MPTCP_OPTION_REJECTED, 0, 6003);
	assert_int_equal(s->err, ENOPROTOOPT);
	assert_int_equal(s->sock.n_rejected, 1);
	assert_int_equal(s->sock.n_opts, 3);
}

static void test_tcp_option_failures_not_mptcp(void **state)
{
	struct fx *fx = start(state);

	feed(fx, rec_socket(3141, "srv", 6004, P_TCP, P_TCP, 3));
	feed(fx, rec_sockopt(3141, "srv", 6004, P_TCP, L_TCP,
			     O_TCP_USER_TIMEOUT, 30000, -92, TFO_LAYER_TCP));
	feed(fx, rec_sockopt(3141, "srv", 6004, P_TCP, L_IP, O_IP_TTL, 64,
			     -95, TFO_LAYER_IP));
	finish(fx);
	assert_int_equal(fx->n, 0);
	/* nor counted as refusals on a TCP listener that has a finding */
	feed(fx, rec_sockopt(3141, "srv", 6005, P_TCP, L_TCP,
			     O_TCP_USER_TIMEOUT, 30000, -92, TFO_LAYER_TCP));
	feed(fx, rec_listen(3141, "srv", 6005, P_TCP, 443, 4096, 0, 256, 3));
	assert_int_equal(fx->n, 1);
	assert_int_equal(only(fx, TFO_FINDING_TFO_OK, 0, 6005)->sock.n_rejected,
			 0);
}

/* ---- 5. tfo-server-disabled ---- */

/* tcp_fastopen=1 (Debian's default): client only. The listen record says
 * so; the SYNs confirm it. */
static void test_server_disabled(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s;

	server_setup(fx, 3141, "srv", 7001, P_TCP, 0, 0);
	assert_int_equal(fx->n, 0);
	feed(fx, rec_listen(3141, "srv", 7001, P_TCP, 443, 4096, 0, 256, 1));
	assert_int_equal(fx->n, 1);
	s = only(fx, TFO_FINDING_TFO_SERVER_DISABLED, 0, 7001);
	assert_int_equal(s->err, 0);
	assert_true(s->has_why);
	assert_int_equal(s->n_advice, 1);
	assert_non_null(strstr(s->advice[0], "net.ipv4.tcp_fastopen=0x3 "));
	for (int i = 0; i < 3; i++)
		feed(fx, rec_syn(3141, "srv", 7001, P_TCP, 443, (struct syn){
			.foc_in = 0, .foc_out = -1, .qlen_max = 256,
			.sysctl = 1 }));
	assert_int_equal(fx->n, 1);
	finish(fx);
	assert_int_equal(fx->n, 2);
	s = only(fx, TFO_FINDING_TFO_SERVER_DISABLED, 1, 7001);
	assert_int_equal(s->sock.sysctl, 1);
	assert_int_equal(s->sock.cookie_requests, 3);
	assert_int_equal(s->sock.syns_unanswered, 3);
	assert_int_equal(s->sock.cookies_sent, 0);
	assert_true(any_advice_has(s, "0x3"));
	assert_int_equal(count(fx, TFO_FINDING_TFO_OK, -1, 0), 0);
	assert_int_equal(count(fx, TFO_FINDING_MPTCP_TFO_REJECTED, -1, 0), 0);
}

/* 0x401 (client, no-sockopt flag, no server bit): the advice keeps the
 * bits that are set. */
static void test_server_disabled_advice_keeps_bits(void **state)
{
	struct fx *fx = start(state);

	server_setup(fx, 3141, "srv", 7008, P_TCP, 0, 0);
	feed(fx, rec_listen(3141, "srv", 7008, P_TCP, 443, 4096, 0, 256,
			    0x401));
	assert_non_null(strstr(only(fx, TFO_FINDING_TFO_SERVER_DISABLED, 0,
				    7008)->advice[0], "=0x403 "));
}

static void test_server_enabled_sysctl3(void **state)
{
	struct fx *fx = start(state);

	server_setup(fx, 3141, "srv", 7002, P_TCP, 0, 0);
	feed(fx, rec_listen(3141, "srv", 7002, P_TCP, 443, 4096, 0, 256, 3));
	syns_working(fx, 3141, "srv", 7002, P_TCP, 256, 3, 3);
	finish(fx);
	assert_int_equal(fx->n, 2);
	assert_int_equal(count(fx, TFO_FINDING_TFO_OK, 0, 7002), 1);
	assert_int_equal(count(fx, TFO_FINDING_TFO_OK, 1, 7002), 1);
	assert_int_equal(count(fx, TFO_FINDING_TFO_SERVER_DISABLED, -1, 0), 0);
}

/* A TCP listener nobody asked TFO of, on tcp_fastopen=1: nothing wrong. */
static void test_server_off_not_wanted(void **state)
{
	struct fx *fx = start(state);

	feed(fx, rec_socket(3141, "srv", 7009, P_TCP, P_TCP, 3));
	feed(fx, rec_listen(3141, "srv", 7009, P_TCP, 80, 4096, 0, 0, 1));
	feed(fx, rec_syn(3141, "srv", 7009, P_TCP, 80, (struct syn){
		.foc_in = -1, .foc_out = -1, .sysctl = 1 }));
	finish(fx);
	assert_int_equal(fx->n, 0);
}

/* Server findings are about listeners: a socket that set TCP_FASTOPEN
 * and never listened serves nobody (a probe, a helper), even where the
 * namespace's tcp_fastopen lacks the server bit. */
static void test_server_disabled_by_opts_sysctl(void **state)
{
	struct fx *fx = *state;
	struct tfo_correlator_opts o = opts_default();

	o.sysctl = 1;
	o.netns = NETNS;
	fx_start(fx, o);
	server_setup(fx, 3141, "srv", 7003, P_TCP, 0, 0);
	assert_int_equal(fx->n, 0);
	finish(fx);
	assert_int_equal(fx->n, 0);
	/* the same once it listens: said live and at the end */
	feed(fx, rec_listen(3141, "srv", 7003, P_TCP, 8443, 16, 0, 256, 1));
	assert_int_equal(fx->n, 1);
	finish(fx);
	assert_int_equal(only(fx, TFO_FINDING_TFO_SERVER_DISABLED, 1,
			      7003)->n_advice, 1);
}

static void test_opts_sysctl_zero(void **state)
{
	struct fx *fx = *state;
	struct tfo_correlator_opts o = opts_default();

	o.sysctl = 0;
	fx_start(fx, o);
	server_setup(fx, 3141, "srv", 7004, P_TCP, 0, 0);
	feed(fx, rec_listen(3141, "srv", 7004, P_TCP, 8443, 16, 0, 256, 0));
	finish(fx);
	assert_int_equal(count(fx, -1, 1, 0), 1);
	assert_non_null(strstr(only(fx, TFO_FINDING_TFO_SERVER_DISABLED, 1,
				    7004)->advice[0], "=0x2 "));
}

static void test_opts_sysctl_other_netns(void **state)
{
	struct fx *fx = *state;
	struct tfo_correlator_opts o = opts_default();

	o.sysctl = 1;
	o.netns = OTHER_NETNS;
	fx_start(fx, o);
	server_setup(fx, 3141, "srv", 7005, P_TCP, 0, 0);
	finish(fx);
	assert_int_equal(fx->n, 0);
}

static void test_opts_sysctl_with_server_bit(void **state)
{
	struct fx *fx = *state;
	struct tfo_correlator_opts o = opts_default();

	o.sysctl = 3;
	fx_start(fx, o);
	server_setup(fx, 3141, "srv", 7006, P_TCP, 0, 0);
	finish(fx);
	assert_int_equal(fx->n, 0);
}

/* What the socket's own records read beats what was read at start. */
static void test_listen_sysctl_beats_opts(void **state)
{
	struct fx *fx = *state;
	struct tfo_correlator_opts o = opts_default();

	o.sysctl = 1;
	fx_start(fx, o);
	server_setup(fx, 3141, "srv", 7010, P_TCP, 0, 0);
	feed(fx, rec_listen(3141, "srv", 7010, P_TCP, 443, 4096, 0, 256, 3));
	finish(fx);
	assert_int_equal(fx->n, 2);
	assert_int_equal(count(fx, TFO_FINDING_TFO_OK, 0, 7010), 1);
	assert_int_equal(count(fx, TFO_FINDING_TFO_OK, 1, 7010), 1);
}

/* The sysctl changed during the run: the latest SYN's value stands. */
static void test_syn_sysctl_latest(void **state)
{
	struct fx *fx = start(state);

	server_setup(fx, 3141, "srv", 7007, P_TCP, 0, 0);
	feed(fx, rec_listen(3141, "srv", 7007, P_TCP, 443, 4096, 0, 256, 3));
	assert_int_equal(count(fx, TFO_FINDING_TFO_OK, 0, 7007), 1);
	feed(fx, rec_syn(3141, "srv", 7007, P_TCP, 443, (struct syn){
		.foc_in = 0, .foc_out = -1, .qlen_max = 256, .sysctl = 1 }));
	assert_int_equal(count(fx, TFO_FINDING_TFO_SERVER_DISABLED, 0, 7007), 1);
	finish(fx);
	assert_int_equal(count(fx, -1, 1, 0), 1);
	assert_int_equal(count(fx, TFO_FINDING_TFO_SERVER_DISABLED, 1, 7007), 1);
}

/* ---- 6. queue overflow, invalid cookies, client blackhole ---- */

static void test_queue_overflow(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s;

	feed(fx, rec_socket(3141, "srv", 8001, P_TCP, P_TCP, 3));
	feed(fx, rec_sockopt(3141, "srv", 8001, P_TCP, L_TCP, O_TCP_FASTOPEN,
			     2, 0, 0));
	feed(fx, rec_listen(3141, "srv", 8001, P_TCP, 443, 4096, 0, 2, 3));
	for (uint32_t q = 0; q < 2; q++)
		feed(fx, rec_syn(3141, "srv", 8001, P_TCP, 443, (struct syn){
			.foc_in = 8, .foc_out = -1, .syn_data = 100, .qlen = q,
			.qlen_max = 2, .sysctl = 3, .child = 1 }));
	assert_int_equal(count(fx, TFO_FINDING_TFO_QUEUE_OVERFLOW, -1, 0), 0);
	/* the queue is full: a valid cookie, data, and no child */
	feed(fx, rec_syn(3141, "srv", 8001, P_TCP, 443, (struct syn){
		.foc_in = 8, .foc_out = -1, .syn_data = 100, .qlen = 2,
		.qlen_max = 2, .sysctl = 3 }));
	s = only(fx, TFO_FINDING_TFO_QUEUE_OVERFLOW, 0, 8001);
	assert_int_equal(s->sock.overflows, 1);
	feed(fx, rec_syn(3141, "srv", 8001, P_TCP, 443, (struct syn){
		.foc_in = 8, .foc_out = -1, .syn_data = 100, .qlen = 2,
		.qlen_max = 2, .sysctl = 3 }));
	assert_int_equal(count(fx, TFO_FINDING_TFO_QUEUE_OVERFLOW, 0, 0), 1);
	finish(fx);
	s = only(fx, TFO_FINDING_TFO_QUEUE_OVERFLOW, 1, 8001);
	assert_int_equal(s->sock.overflows, 2);
	assert_int_equal(s->sock.tfo_accepted, 2);
	assert_int_equal(s->sock.syns_unanswered, 2);
	assert_int_equal(s->sock.syns_with_data, 4);
	assert_int_equal(s->n_advice, 1);
	assert_non_null(strstr(s->advice[0], "(now 2)"));
	assert_int_equal(count(fx, TFO_FINDING_TFO_OK, 1, 8001), 1);
	assert_int_equal(count(fx, -1, 1, 0), 2);
}

static void test_no_overflow(void **state)
{
	struct fx *fx = start(state);

	/* a queue with room */
	feed(fx, rec_listen(3141, "srv", 8002, P_TCP, 443, 4096, 0, 2, 3));
	feed(fx, rec_syn(3141, "srv", 8002, P_TCP, 443, (struct syn){
		.foc_in = 8, .foc_out = -1, .syn_data = 100, .qlen = 1,
		.qlen_max = 2, .sysctl = 3, .child = 1 }));
	/* a TCP listener with TFO off: qlen 0 >= qlen_max 0 is no overflow */
	feed(fx, rec_listen(3141, "srv", 8003, P_TCP, 80, 4096, 0, 0, 3));
	feed(fx, rec_syn(3141, "srv", 8003, P_TCP, 80, (struct syn){
		.foc_in = 8, .foc_out = -1, .syn_data = 100, .qlen = 0,
		.qlen_max = 0, .sysctl = 3 }));
	finish(fx);
	assert_int_equal(count(fx, TFO_FINDING_TFO_QUEUE_OVERFLOW, -1, 0), 0);
	assert_int_equal(count(fx, -1, -1, 8003), 0);
	assert_int_equal(count(fx, TFO_FINDING_TFO_OK, 1, 8002), 1);
}

static void test_cookie_invalid(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s;

	feed(fx, rec_listen(3141, "srv", 8004, P_TCP, 443, 4096, 0, 256, 3));
	/* a cookie the server does not accept: a fresh one goes back */
	feed(fx, rec_syn(3141, "srv", 8004, P_TCP, 443, (struct syn){
		.foc_in = 8, .foc_out = 8, .syn_data = 100, .qlen_max = 256,
		.sysctl = 3 }));
	s = only(fx, TFO_FINDING_TFO_COOKIE_INVALID, 0, 8004);
	assert_int_equal(s->sock.cookie_invalid, 1);
	assert_int_equal(s->n_advice, 1);
	feed(fx, rec_syn(3141, "srv", 8004, P_TCP, 443, (struct syn){
		.foc_in = 8, .foc_out = 8, .syn_data = 100, .qlen_max = 256,
		.sysctl = 3 }));
	finish(fx);
	s = only(fx, TFO_FINDING_TFO_COOKIE_INVALID, 1, 8004);
	assert_int_equal(s->sock.cookie_invalid, 2);
	assert_int_equal(s->sock.cookies_sent, 2);
	assert_int_equal(s->sock.syns_unanswered, 0);
	assert_int_equal(s->sock.tfo_accepted, 0);
	assert_int_equal(count(fx, TFO_FINDING_TFO_COOKIE_INVALID, 0, 0), 1);
	assert_int_equal(count(fx, TFO_FINDING_TFO_OK, 1, 8004), 1);
	assert_int_equal(count(fx, -1, 1, 0), 2);
}

static void test_cookie_valid(void **state)
{
	struct fx *fx = start(state);

	feed(fx, rec_listen(3141, "srv", 8005, P_TCP, 443, 4096, 0, 256, 3));
	syns_working(fx, 3141, "srv", 8005, P_TCP, 256, 3, 4);
	finish(fx);
	assert_int_equal(count(fx, TFO_FINDING_TFO_COOKIE_INVALID, -1, 0), 0);
	assert_int_equal(fx->n, 2);
}

static void test_client_blackhole(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s;

	feed(fx, rec_socket(2718, "curl", 8006, P_TCP, P_TCP, 5));
	feed(fx, rec_sockopt(2718, "curl", 8006, P_TCP, L_TCP,
			     O_TCP_FASTOPEN_CONNECT, 1, 0, 0));
	feed(fx, rec_client(2718, "curl", 8006, TFO_CLIENT_COOKIE_CHECK, 0, 0));
	assert_int_equal(fx->n, 0);
	feed(fx, rec_client(2718, "curl", 8006, TFO_CLIENT_BLACKHOLE, 1, 0));
	s = only(fx, TFO_FINDING_TFO_CLIENT_BLACKHOLE, 0, 8006);
	assert_int_equal(s->sock.pid, 2718);
	assert_int_equal(s->n_advice, 1);
	finish(fx);
	assert_int_equal(fx->n, 2);
	s = only(fx, TFO_FINDING_TFO_CLIENT_BLACKHOLE, 1, 8006);
	assert_int_equal(s->sock.blackholes, 1);
	assert_int_equal(s->sock.client_cookie_checks, 1);
	assert_false(s->sock.listening);
}

static void test_client_no_blackhole(void **state)
{
	struct fx *fx = start(state);

	feed(fx, rec_socket(2718, "curl", 8007, P_TCP, P_TCP, 5));
	feed(fx, rec_client(2718, "curl", 8007, TFO_CLIENT_COOKIE_CHECK, 1, 8));
	feed(fx, rec_client(2718, "curl", 8007, TFO_CLIENT_BLACKHOLE, 0, 0));
	feed(fx, rec_client(2718, "curl", 8007, TFO_CLIENT_DEFER_CONNECT, 1, 0));
	finish(fx);
	assert_int_equal(fx->n, 0);
	assert_int_equal(stats_of(fx).sockets, 1);
}

/* ---- 7. out of order, missing, not ours ---- */

/* The tool started between socket() and setsockopt(). */
static void test_no_socket_record(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s;

	feed(fx, rec_sockopt(3141, "xray", 9101, P_MPTCP, L_TCP, O_TCP_FASTOPEN,
			     256, -92, TFO_LAYER_MPTCP));
	feed(fx, rec_listen(3141, "xray", 9101, P_MPTCP, 443, 4096, 0, 0, 3));
	s = only(fx, TFO_FINDING_MPTCP_TFO_REJECTED, 0, 9101);
	assert_int_equal(s->err, ENOPROTOOPT);
	assert_int_equal(s->sock.pid, 3141);
	assert_string_equal(s->sock.comm, "xray");
	assert_int_equal(s->sock.protocol, P_MPTCP);
	assert_int_equal(s->sock.netns, NETNS);
}

/* SYN records overtake the listen record (another CPU). */
static void test_syns_before_listen_mptcp(void **state)
{
	struct fx *fx = start(state);
	struct syn syn = syn_unanswered;
	const struct seen *s;

	syn.sysctl = 3;
	server_setup(fx, 3141, "xray", 9102, P_MPTCP, -92, TFO_LAYER_MPTCP);
	feed(fx, rec_syn(3141, "xray", 9102, P_MPTCP, 443, syn));
	assert_int_equal(fx->n, 1);
	s = only(fx, TFO_FINDING_MPTCP_TFO_REJECTED, 0, 9102);
	assert_int_equal(s->err, ENOPROTOOPT);
	feed(fx, rec_syn(3141, "xray", 9102, P_MPTCP, 443, syn));
	feed(fx, rec_listen(3141, "xray", 9102, P_MPTCP, 443, 4096, 0, 0, 3));
	assert_int_equal(fx->n, 1);
	finish(fx);
	assert_int_equal(fx->n, 2);
	s = only(fx, TFO_FINDING_MPTCP_TFO_REJECTED, 1, 9102);
	assert_int_equal(s->sock.cookie_requests, 2);
	assert_int_equal(s->sock.pid, 3141);
}

static void test_syns_before_listen_tcp(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s;

	server_setup(fx, 3141, "xray", 9103, P_TCP, 0, 0);
	syns_working(fx, 3141, "xray", 9103, P_TCP, 256, 3, 3);
	feed(fx, rec_listen(3141, "xray", 9103, P_TCP, 443, 4096, 0, 256, 3));
	finish(fx);
	assert_int_equal(fx->n, 2);
	s = only(fx, TFO_FINDING_TFO_OK, 1, 9103);
	assert_int_equal(s->sock.cookies_sent, 1);
	assert_int_equal(s->sock.tfo_accepted, 2);
	assert_int_equal(count(fx, TFO_FINDING_TFO_OK, 0, 9103), 1);
}

/* TCP_FASTOPEN set after listen(): legal, and the MPTCP refusal is caught
 * when it comes. */
static void test_listen_before_setsockopt_mptcp(void **state)
{
	struct fx *fx = start(state);

	feed(fx, rec_socket(3141, "srv", 9104, P_MPTCP, P_MPTCP, 3));
	feed(fx, rec_listen(3141, "srv", 9104, P_MPTCP, 443, 4096, 0, 0, 3));
	assert_int_equal(fx->n, 0);
	feed(fx, rec_sockopt(3141, "srv", 9104, P_MPTCP, L_TCP, O_TCP_FASTOPEN,
			     256, -92, TFO_LAYER_MPTCP));
	assert_int_equal(fx->n, 1);
	assert_int_equal(only(fx, TFO_FINDING_MPTCP_TFO_REJECTED, 0,
			      9104)->err, ENOPROTOOPT);
	finish(fx);
	assert_int_equal(fx->n, 2);
	/* a later record without a port does not forget the listen()'s */
	assert_int_equal(only(fx, TFO_FINDING_MPTCP_TFO_REJECTED, 1,
			      9104)->sock.port, 443);
}

static void test_listen_before_setsockopt_tcp(void **state)
{
	struct fx *fx = start(state);

	feed(fx, rec_socket(3141, "srv", 9105, P_TCP, P_TCP, 3));
	feed(fx, rec_listen(3141, "srv", 9105, P_TCP, 443, 4096, 0, 0, 3));
	feed(fx, rec_sockopt(3141, "srv", 9105, P_TCP, L_TCP, O_TCP_FASTOPEN,
			     256, 0, 0));
	/* nothing wrong is said of it ... */
	assert_int_equal(fx->n, 0);
	/* ... and the SYNs show the queue the setsockopt made */
	syns_working(fx, 3141, "srv", 9105, P_TCP, 256, 3, 2);
	finish(fx);
	assert_int_equal(fx->n, 2);
	assert_int_equal(count(fx, TFO_FINDING_TFO_OK, 0, 9105), 1);
	assert_int_equal(count(fx, TFO_FINDING_TFO_OK, 1, 9105), 1);
}

static void test_ignored_records(void **state)
{
	struct fx *fx = start(state);
	struct tfo_correlator_stats st;
	union tfo_record r;

	/* a setsockopt on an fd that is no socket (inode 0) */
	feed(fx, rec_sockopt(3141, "srv", 0, P_MPTCP, L_TCP, O_TCP_FASTOPEN,
			     256, -92, TFO_LAYER_MPTCP));
	/* UDP: socket, a refused option, a SYN-shaped record */
	feed(fx, rec_socket(3141, "srv", 9201, P_UDP, P_UDP, 4));
	feed(fx, rec_sockopt(3141, "srv", 9201, P_UDP, L_IP, O_IP_TTL, 64,
			     -95, TFO_LAYER_IP));
	feed(fx, rec_listen(3141, "srv", 9201, P_UDP, 53, 5, -EOPNOTSUPP, 0, 3));
	/* socket(…, 262) refused (net.mptcp.enabled=0) */
	feed(fx, rec_socket(3141, "srv", 0, P_MPTCP, P_MPTCP, -ENOPROTOOPT));
	/* a listen and a SYN on inode 0 */
	feed(fx, rec_listen(3141, "srv", 0, P_MPTCP, 443, 5, -EBADF, 0, 3));
	feed(fx, rec_syn(0, "", 0, P_MPTCP, 443, syn_unanswered));
	/* a type the correlator does not know */
	r = rec_socket(3141, "srv", 9202, P_TCP, P_TCP, 3);
	r.hdr.type = TFO_REC__MAX;
	feed(fx, r);
	finish(fx);
	assert_int_equal(fx->n, 0);
	st = stats_of(fx);
	assert_int_equal(st.records, 8);
	assert_int_equal(st.ignored, 8);
	assert_int_equal(st.sockets, 0);
	assert_int_equal(st.evicted, 0);

	/* a socket() alone is not followed: a busy client host must cost
	 * no memory; its first option is */
	feed(fx, rec_socket(3141, "srv", 9203, P_TCP, P_TCP, 3));
	st = stats_of(fx);
	assert_int_equal(st.records, 9);
	assert_int_equal(st.ignored, 9);
	assert_int_equal(st.sockets, 0);
	feed(fx, rec_sockopt(3141, "srv", 9203, P_TCP, L_TCP, O_TCP_NODELAY, 1,
			     0, 0));
	st = stats_of(fx);
	assert_int_equal(st.records, 10);
	assert_int_equal(st.ignored, 9);
	assert_int_equal(st.sockets, 1);
}

/* A listen() that failed says nothing of a queue. */
static void test_failed_listen(void **state)
{
	struct fx *fx = start(state);

	server_setup(fx, 3141, "xray", 9204, P_MPTCP, -92, TFO_LAYER_MPTCP);
	feed(fx, rec_listen(3141, "xray", 9204, P_MPTCP, 443, 4096, -EADDRINUSE,
			    0, 3));
	assert_int_equal(fx->n, 0);
	finish(fx);
	/* it asked and was refused, but no listener came of it */
	assert_int_equal(fx->n, 0);
}

/* ---- 8. lost events ---- */

static void test_lost_marker(void **state)
{
	struct fx *fx = start(state);
	struct tfo_correlator_stats st;

	feed(fx, rec_sockopt(3141, "srv", 9301, P_MPTCP, L_TCP,
			     O_TCP_USER_TIMEOUT, 1000, -92, TFO_LAYER_MPTCP));
	tfo_correlator__refresh(fx->c);
	assert_int_equal(only(fx, TFO_FINDING_MPTCP_OPTION_REJECTED, 0,
			      9301)->lost, 0);
	tfo_correlator__lost(fx->c, 3);
	server_setup(fx, 3141, "xray", 9302, P_MPTCP, -92, TFO_LAYER_MPTCP);
	feed(fx, rec_listen(3141, "xray", 9302, P_MPTCP, 443, 4096, 0, 0, 3));
	assert_int_equal(only(fx, TFO_FINDING_MPTCP_TFO_REJECTED, 0,
			      9302)->lost, 3);
	finish(fx);
	assert_int_equal(count(fx, -1, 1, 0), 2);
	assert_int_equal(only(fx, TFO_FINDING_MPTCP_OPTION_REJECTED, 1,
			      9301)->lost, 3);
	assert_int_equal(only(fx, TFO_FINDING_MPTCP_TFO_REJECTED, 1,
			      9302)->lost, 3);
	st = stats_of(fx);
	assert_int_equal(st.lost, 3);
	tfo_correlator__lost(fx->c, 2);
	assert_int_equal(stats_of(fx).lost, 5);
}

/* ---- 9. a closed socket's inode reused ---- */

static void test_inode_reuse(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s;

	server_setup(fx, 100, "old", 777, P_MPTCP, -92, TFO_LAYER_MPTCP);
	feed(fx, rec_listen(100, "old", 777, P_MPTCP, 443, 4096, 0, 0, 3));
	assert_int_equal(count(fx, TFO_FINDING_MPTCP_TFO_REJECTED, 0, 777), 1);
	/* pid 100 closed it; pid 200's new TCP socket got inode 777 */
	feed(fx, rec_socket(200, "new", 777, P_TCP, P_TCP, 3));
	feed(fx, rec_sockopt(200, "new", 777, P_TCP, L_TCP, O_TCP_FASTOPEN, 64,
			     0, 0));
	feed(fx, rec_listen(200, "new", 777, P_TCP, 8080, 128, 0, 64, 3));
	finish(fx);
	assert_int_equal(count(fx, TFO_FINDING_MPTCP_TFO_REJECTED, 1, 777), 0);
	assert_int_equal(count(fx, -1, 1, 0), 1);
	s = only(fx, TFO_FINDING_TFO_OK, 1, 777);
	assert_int_equal(s->sock.pid, 200);
	assert_string_equal(s->sock.comm, "new");
	assert_int_equal(s->sock.protocol, P_TCP);
	assert_int_equal(s->sock.port, 8080);
	assert_int_equal(s->sock.n_opts, 1);
	assert_int_equal(s->sock.tfo_sockopt, 1);
	assert_int_equal(s->err, 0);
	assert_int_equal(stats_of(fx).sockets, 1);
}

/* The new socket on the old inode makes the same mistake: said again. */
static void test_inode_reuse_reported_again(void **state)
{
	struct fx *fx = start(state);

	server_setup(fx, 100, "old", 778, P_MPTCP, -92, TFO_LAYER_MPTCP);
	feed(fx, rec_listen(100, "old", 778, P_MPTCP, 443, 4096, 0, 0, 3));
	server_setup(fx, 200, "new", 778, P_MPTCP, -92, TFO_LAYER_MPTCP);
	feed(fx, rec_listen(200, "new", 778, P_MPTCP, 443, 4096, 0, 0, 3));
	assert_int_equal(count(fx, TFO_FINDING_MPTCP_TFO_REJECTED, 0, 778), 2);
	assert_int_equal(fx->v[0].sock.pid, 100);
	assert_int_equal(fx->v[1].sock.pid, 200);
	finish(fx);
	assert_int_equal(only(fx, TFO_FINDING_MPTCP_TFO_REJECTED, 1,
			      778)->sock.pid, 200);
}

/* ---- 10. the bounded table ---- */

#define MANY 100000

/* The sockets the table holds, oldest first (the read-only walk). */
struct survivors {
	size_t n;
	uint64_t ino[128];
	uint32_t pid[128];
	uint32_t n_opts[128];
};

static void survivor(void *ctx, const struct tfo_sock_view *s, uint32_t kinds)
{
	struct survivors *sv = ctx;

	(void)kinds;
	assert_true(sv->n < 128);
	sv->ino[sv->n] = s->ino;
	sv->pid[sv->n] = s->pid;
	sv->n_opts[sv->n] = s->n_opts;
	sv->n++;
}

static struct survivors survivors_of(const struct fx *fx)
{
	struct survivors sv;

	memset(&sv, 0, sizeof(sv));
	tfo_correlator__for_each(fx->c, survivor, &sv);
	return sv;
}

static void test_eviction_bounded(void **state)
{
	struct fx *fx = *state;
	struct tfo_correlator_opts o = opts_default();
	struct tfo_correlator_stats st;

	struct survivors sv;

	o.max_sockets = 64;
	fx_start(fx, o);
	/* socket i: inode 1000 + i, MPTCP, TCP_FASTOPEN refused, never
	 * listening: tracked, no finding */
	for (uint32_t i = 0; i < MANY; i++)
		feed(fx, rec_sockopt(10000 + i, "w", 1000 + i, P_MPTCP, L_TCP,
				     O_TCP_FASTOPEN, 256, -92,
				     TFO_LAYER_MPTCP));
	assert_int_equal(fx->n, 0);
	st = stats_of(fx);
	assert_int_equal(st.records, MANY);
	assert_int_equal(st.sockets, 64);
	assert_int_equal(st.evicted, MANY - 64);
	assert_int_equal(st.ignored, 0);
	/* the 64 newest, oldest first */
	sv = survivors_of(fx);
	assert_int_equal(sv.n, 64);
	for (uint32_t k = 0; k < 64; k++) {
		uint32_t i = MANY - 64 + k;

		assert_int_equal(sv.ino[k], 1000 + i);
		assert_int_equal(sv.pid[k], 10000 + i);
	}
	finish(fx);
	assert_int_equal(fx->n, 0);
}

/* Client churn does not push a listener out of the table: the scan's
 * listener outlives 100000 short-lived sockets through 64 entries. */
static void test_eviction_spares_listeners(void **state)
{
	struct fx *fx = *state;
	struct tfo_correlator_opts o = opts_default();

	o.max_sockets = 64;
	fx_start(fx, o);
	feed(fx, rec_listener(999999, P_TCP, 443, 256, 0, 1));
	tfo_correlator__owner(fx->c, 999999, 4242, 4242, "xray");
	for (uint32_t i = 0; i < MANY; i++)
		feed(fx, rec_sockopt(10000 + i, "w", 1000 + i, P_MPTCP, L_TCP,
				     O_TCP_FASTOPEN, 256, -92,
				     TFO_LAYER_MPTCP));
	assert_int_equal(stats_of(fx).sockets, 64);
	assert_int_equal(stats_of(fx).evicted, MANY - 63);
	finish(fx);
	assert_non_null(only(fx, TFO_FINDING_TFO_SERVER_DISABLED, 1, 999999));
}

/* Least recently used, not first in: a socket fed again stays. */
static void test_eviction_lru(void **state)
{
	struct fx *fx = *state;
	struct tfo_correlator_opts o = opts_default();
	struct tfo_correlator_stats st;
	struct survivors sv;

	o.max_sockets = 4;
	fx_start(fx, o);
	for (uint64_t ino = 1; ino <= 4; ino++)
		feed(fx, rec_sockopt(1, "w", ino, P_MPTCP, L_TCP,
				     O_TCP_FASTOPEN, 256, -92,
				     TFO_LAYER_MPTCP));
	/* inode 1 touched: inode 2 is now the least recently used */
	feed(fx, rec_sockopt(1, "w", 1, P_MPTCP, L_SOCKET, O_SO_REUSEADDR, 1,
			     0, 0));
	feed(fx, rec_sockopt(1, "w", 5, P_MPTCP, L_TCP, O_TCP_FASTOPEN, 256,
			     -92, TFO_LAYER_MPTCP));
	/* an owner lookup does not count as use */
	tfo_correlator__owner(fx->c, 3, 9, 9, "x");
	feed(fx, rec_sockopt(1, "w", 6, P_MPTCP, L_TCP, O_TCP_FASTOPEN, 256,
			     -92, TFO_LAYER_MPTCP));
	st = stats_of(fx);
	assert_int_equal(st.sockets, 4);
	assert_int_equal(st.evicted, 2);
	sv = survivors_of(fx);
	assert_int_equal(sv.n, 4);
	assert_int_equal(sv.ino[0], 4);
	assert_int_equal(sv.ino[1], 1);
	assert_int_equal(sv.ino[2], 5);
	assert_int_equal(sv.ino[3], 6);
	assert_int_equal(sv.n_opts[1], 2);
	/* an evicted inode seen again starts from nothing */
	feed(fx, rec_sockopt(1, "w", 2, P_MPTCP, L_SOCKET, O_SO_REUSEADDR, 1,
			     0, 0));
	sv = survivors_of(fx);
	assert_int_equal(sv.ino[3], 2);
	assert_int_equal(sv.n_opts[3], 1);
}

/* ---- 11. names, defaults, empty runs ---- */

static void test_finding_names(void **state)
{
	(void)state;
	assert_string_equal(tfo_finding_name(TFO_FINDING_MPTCP_TFO_REJECTED),
			    "mptcp-tfo-rejected");
	assert_string_equal(tfo_finding_name(TFO_FINDING_MPTCP_OPTION_REJECTED),
			    "mptcp-option-rejected");
	assert_string_equal(tfo_finding_name(TFO_FINDING_TFO_SERVER_DISABLED),
			    "tfo-server-disabled");
	assert_string_equal(tfo_finding_name(TFO_FINDING_TFO_QUEUE_OVERFLOW),
			    "tfo-queue-overflow");
	assert_string_equal(tfo_finding_name(TFO_FINDING_TFO_COOKIE_INVALID),
			    "tfo-cookie-invalid");
	assert_string_equal(tfo_finding_name(TFO_FINDING_TFO_CLIENT_BLACKHOLE),
			    "tfo-client-blackhole");
	assert_string_equal(tfo_finding_name(TFO_FINDING_TFO_OK), "tfo-ok");
	for (int k = 0; k < TFO_FINDING__MAX; k++)
		assert_non_null(tfo_finding_name(k));
	assert_null(tfo_finding_name(TFO_FINDING__MAX));
	assert_null(tfo_finding_name((enum tfo_finding_kind)-1));
	assert_null(tfo_finding_name((enum tfo_finding_kind)1000));
}

static void test_default_capacity(void **state)
{
	struct fx *fx = *state;
	struct tfo_correlator_opts o = opts_default();
	struct tfo_correlator_stats st;

	o.max_sockets = 0;
	fx_start(fx, o);
	for (uint64_t ino = 1; ino <= 1000; ino++)
		feed(fx, rec_sockopt(1, "w", ino, P_TCP, L_TCP, O_TCP_NODELAY, 1,
				     0, 0));
	st = stats_of(fx);
	assert_int_equal(st.sockets, 1000);
	assert_int_equal(st.evicted, 0);
	feed(fx, rec_sockopt(1, "w", 500000, P_MPTCP, L_TCP, O_TCP_USER_TIMEOUT,
			     1, -92, TFO_LAYER_MPTCP));
	tfo_correlator__refresh(fx->c);
	assert_int_equal(fx->n, 1);
	assert_int_equal(stats_of(fx).sockets, 1001);
	/* a default is still a bound */
	for (uint64_t ino = 1001; ino <= 200000; ino++)
		feed(fx, rec_sockopt(1, "w", ino, P_TCP, L_TCP, O_TCP_NODELAY, 1,
				     0, 0));
	st = stats_of(fx);
	assert_true(st.evicted > 0);
	assert_true(st.sockets < 200000);
	assert_int_equal(st.sockets + st.evicted, 200000 + 1);
}

static void test_empty_finish(void **state)
{
	struct fx *fx = start(state);
	struct tfo_correlator_stats st;

	finish(fx);
	finish(fx);
	assert_int_equal(fx->n, 0);
	st = stats_of(fx);
	assert_int_equal(st.records, 0);
	assert_int_equal(st.sockets, 0);
	assert_int_equal(st.evicted, 0);
	assert_int_equal(st.lost, 0);
	assert_int_equal(st.ignored, 0);
}

/* No callback: findings are simply not delivered. */
static void test_no_callback(void **state)
{
	struct tfo_correlator_opts o = opts_default();
	struct tfo_correlator *c;
	union tfo_record r = rec_sockopt(1, "w", 5, P_MPTCP, L_TCP,
					 O_TCP_USER_TIMEOUT, 1, -92,
					 TFO_LAYER_MPTCP);

	(void)state;
	c = tfo_correlator__new(&o);
	assert_non_null(c);
	tfo_correlator__feed(c, &r);
	tfo_correlator__finish(c);
	tfo_correlator__free(c);
	tfo_correlator__free(NULL);
	/* a table too large to index */
	o.max_sockets = SIZE_MAX;
	assert_null(tfo_correlator__new(&o));
}

/* Findings carry the mode's probes flag. */
static void test_probes_flag(void **state)
{
	struct fx *fx = *state;
	struct tfo_correlator_opts o = opts_default();

	o.probes = false;
	fx_start(fx, o);
	feed(fx, rec_sockopt(1, "w", 5, P_MPTCP, L_TCP, O_TCP_USER_TIMEOUT, 1,
			     -92, TFO_LAYER_MPTCP));
	tfo_correlator__refresh(fx->c);
	assert_false(only(fx, TFO_FINDING_MPTCP_OPTION_REJECTED, 0, 5)->probes);
}

/* ---- 12. tfo_correlator__for_each: the verdicts now, read-only ---- */

#define VISITS_MAX 16

struct visits {
	size_t n;
	struct {
		uint64_t ino;
		uint32_t kinds;
		uint32_t pid;
	} v[VISITS_MAX];
};

static void visit(void *ctx, const struct tfo_sock_view *s, uint32_t kinds)
{
	struct visits *vs = ctx;

	assert_non_null(s);
	assert_true(vs->n < VISITS_MAX);
	vs->v[vs->n].ino = s->ino;
	vs->v[vs->n].kinds = kinds;
	vs->v[vs->n].pid = s->pid;
	vs->n++;
}

static struct visits visits_of(const struct fx *fx)
{
	struct visits vs;

	memset(&vs, 0, sizeof(vs));
	tfo_correlator__for_each(fx->c, visit, &vs);
	return vs;
}

/* Every socket, oldest first, with exactly the kinds finish() reports for
 * it, in finish()'s order; sockets with no kind too. */
static void test_for_each_matches_finish(void **state)
{
	struct fx *fx = start(state);
	struct tfo_correlator_stats before, after;
	struct visits vs, again;
	size_t live, f;

	/* 9925: MPTCP listener, TCP_FASTOPEN refused (6.1) */
	server_setup(fx, 3141, "xray", 9925, P_MPTCP, -92, TFO_LAYER_MPTCP);
	feed(fx, rec_listen(3141, "xray", 9925, P_MPTCP, 443, 4096, 0, 0, 1));
	/* 9926: TCP listener with working TFO */
	server_setup(fx, 3142, "nginx", 9926, P_TCP, 0, 0);
	feed(fx, rec_listen(3142, "nginx", 9926, P_TCP, 8443, 4096, 0, 256, 3));
	syns_working(fx, 3142, "nginx", 9926, P_TCP, 256, 3, 3);
	/* 9927: a plain TCP socket, nothing to say */
	feed(fx, rec_sockopt(3143, "curl", 9927, P_TCP, L_TCP, O_TCP_NODELAY, 1,
			     0, 0));
	/* 9928: MPTCP, TCP_FASTOPEN refused, never listened: no server
	 * finding; the other refused option is one */
	feed(fx, rec_sockopt(3144, "go", 9928, P_MPTCP, L_TCP, O_TCP_FASTOPEN,
			     256, -92, TFO_LAYER_MPTCP));
	feed(fx, rec_sockopt(3144, "go", 9928, P_MPTCP, L_TCP,
			     O_TCP_USER_TIMEOUT, 1000, -92, TFO_LAYER_MPTCP));
	/* 8006: a client whose kernel saw a blackhole */
	feed(fx, rec_client(2718, "curl", 8006, TFO_CLIENT_BLACKHOLE, 1, 0));

	live = fx->n;
	before = stats_of(fx);
	vs = visits_of(fx);
	after = stats_of(fx);
	assert_int_equal(fx->n, live);	/* no finding emitted */
	assert_memory_equal(&before, &after, sizeof(before));

	assert_int_equal(vs.n, 5);
	assert_int_equal(vs.v[0].ino, 9925);
	assert_int_equal(vs.v[0].kinds,
			 1u << TFO_FINDING_MPTCP_TFO_REJECTED |
			 1u << TFO_FINDING_TFO_SERVER_DISABLED);
	assert_int_equal(vs.v[0].pid, 3141);
	assert_int_equal(vs.v[1].ino, 9926);
	assert_int_equal(vs.v[1].kinds, 1u << TFO_FINDING_TFO_OK);
	assert_int_equal(vs.v[2].ino, 9927);
	assert_int_equal(vs.v[2].kinds, 0);
	assert_int_equal(vs.v[3].ino, 9928);
	assert_int_equal(vs.v[3].kinds, 1u << TFO_FINDING_MPTCP_OPTION_REJECTED);
	assert_int_equal(count(fx, TFO_FINDING_MPTCP_TFO_REJECTED, -1, 9928), 0);
	assert_int_equal(vs.v[4].ino, 8006);
	assert_int_equal(vs.v[4].kinds, 1u << TFO_FINDING_TFO_CLIENT_BLACKHOLE);

	/* the same again: nothing moved */
	again = visits_of(fx);
	assert_memory_equal(&vs, &again, sizeof(vs));

	/* finish() says the same, finding for finding, in the same order */
	finish(fx);
	f = live;
	for (size_t i = 0; i < vs.n; i++)
		for (int k = 0; k < TFO_FINDING__MAX; k++) {
			if (!(vs.v[i].kinds & (1u << k)))
				continue;
			assert_true(f < fx->n);
			assert_true(fx->v[f].final);
			assert_int_equal(fx->v[f].kind, k);
			assert_int_equal(fx->v[f].sock.ino, vs.v[i].ino);
			f++;
		}
	assert_int_equal(f, fx->n);
}

/* Walking neither marks kinds as said (a later live finding still comes)
 * nor counts as use (the least recently used socket is still evicted). */
static void test_for_each_read_only(void **state)
{
	struct fx *fx = *state;
	struct tfo_correlator_opts o = opts_default();
	struct visits vs;

	o.max_sockets = 2;
	fx_start(fx, o);
	server_setup(fx, 3141, "xray", 1, P_MPTCP, -92, TFO_LAYER_MPTCP);
	feed(fx, rec_sockopt(3142, "w", 2, P_TCP, L_TCP, O_TCP_NODELAY, 1, 0, 0));
	vs = visits_of(fx);
	assert_int_equal(vs.n, 2);
	assert_int_equal(vs.v[0].ino, 1);
	assert_int_equal(vs.v[0].kinds, 0);	/* not a listener yet */
	assert_int_equal(fx->n, 0);
	feed(fx, rec_listen(3141, "xray", 1, P_MPTCP, 443, 4096, 0, 0, 3));
	vs = visits_of(fx);
	assert_int_equal(vs.v[1].kinds, 1u << TFO_FINDING_MPTCP_TFO_REJECTED);
	assert_int_equal(only(fx, TFO_FINDING_MPTCP_TFO_REJECTED, 0, 1)->sock.pid,
			 3141);

	/* 2 is now the least recently used; walking it changes nothing */
	vs = visits_of(fx);
	assert_int_equal(vs.v[0].ino, 2);
	assert_int_equal(vs.v[1].ino, 1);
	feed(fx, rec_sockopt(3143, "w", 3, P_TCP, L_TCP, O_TCP_NODELAY, 1, 0, 0));
	vs = visits_of(fx);
	assert_int_equal(vs.n, 2);
	assert_int_equal(vs.v[0].ino, 1);
	assert_int_equal(vs.v[1].ino, 3);
	assert_int_equal(stats_of(fx).evicted, 1);
}

static void test_for_each_empty(void **state)
{
	struct fx *fx = start(state);
	struct visits vs = visits_of(fx);

	assert_int_equal(vs.n, 0);
	/* records it ignores make no socket to visit */
	feed(fx, rec_socket(3141, "srv", 9203, P_TCP, P_TCP, 3));
	feed(fx, rec_sockopt(3141, "srv", 9201, P_UDP, L_IP, O_IP_TTL, 64,
			     -95, TFO_LAYER_IP));
	vs = visits_of(fx);
	assert_int_equal(vs.n, 0);
}

/* ---- tfo-remote-*: what this host's TFO clients saw of a server ---- */

/* What 6.1 answers a client from an MPTCP listener that refused
 * TCP_FASTOPEN: no cookie option at all. */
static const struct synack ask_unanswered = {
	.cookie_requested = 1, .cookie_len = -1,
};
static const struct synack ask_answered = {
	.cookie_requested = 1, .cookie_len = 8,
};
/* data with a cached cookie, acknowledged: no cookie comes back */
static const struct synack data_acked = {
	.syn_data = 1, .data_acked = 1, .cookie_len = -1,
};

static size_t count_remote(const struct fx *fx, int kind, int final)
{
	size_t n = 0;

	for (size_t i = 0; i < fx->n && i < SEEN_MAX; i++)
		if (fx->v[i].is_remote && (int)fx->v[i].kind == kind &&
		    (final < 0 || fx->v[i].final == (final == 1)))
			n++;
	return n;
}

static const struct seen *only_remote(const struct fx *fx, int kind, int final)
{
	assert_int_equal(count_remote(fx, kind, final), 1);
	for (size_t i = 0; i < fx->n; i++)
		if (fx->v[i].is_remote && (int)fx->v[i].kind == kind &&
		    fx->v[i].final == (final == 1))
			return &fx->v[i];
	return NULL;
}

static void test_remote_no_cookie(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s;

	feed(fx, rec_synack(700, "curl", ask_unanswered));
	/* live, at the first unanswered request */
	s = only_remote(fx, TFO_FINDING_TFO_REMOTE_NO_COOKIE, 0);
	assert_int_equal(s->remote.cookie_requests, 1);
	assert_int_equal(s->remote.port, 8443);
	assert_int_equal(s->remote.addr[0], 127);
	assert_int_equal(s->remote.netns, NETNS);
	assert_non_null(strstr(s->why, "6.2"));
	assert_true(any_advice_has(s, "tfotrace doctor"));
	assert_true(any_advice_has(s, "port 8443"));
	assert_true(any_advice_has(s, "TcpExtTCPFastOpenCookieReqd"));
	assert_int_equal(s->remote.n_clients, 1);
	assert_int_equal(s->remote.clients[0].pid, 700);
	assert_string_equal(s->remote.clients[0].comm, "curl");
	feed(fx, rec_synack(700, "curl", ask_unanswered));
	feed(fx, rec_synack(701, "curl", ask_unanswered));
	assert_int_equal(fx->n, 1);	/* once live */
	/* its numbers changed: one update, then quiet */
	tfo_correlator__refresh(fx->c);
	assert_int_equal(fx->n, 2);
	assert_true(fx->v[1].update);
	assert_int_equal(fx->v[1].remote.cookie_requests, 3);
	tfo_correlator__refresh(fx->c);
	assert_int_equal(fx->n, 2);
	finish(fx);
	s = only_remote(fx, TFO_FINDING_TFO_REMOTE_NO_COOKIE, 1);
	assert_int_equal(s->remote.connections, 3);
	assert_int_equal(s->remote.cookie_requests, 3);
	assert_int_equal(s->remote.cookie_requests_unanswered, 3);
	assert_int_equal(s->remote.cookies_received, 0);
	assert_int_equal(s->remote.n_clients, 2);
	assert_int_equal(count_remote(fx, TFO_FINDING_TFO_REMOTE_OK, -1), 0);
	/* remote servers are not sockets of this host */
	assert_int_equal(stats_of(fx).sockets, 0);
	assert_int_equal(stats_of(fx).remotes, 1);
}

static void test_remote_ok(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s;

	feed(fx, rec_synack(700, "curl", ask_answered));
	feed(fx, rec_synack(700, "curl", data_acked));
	feed(fx, rec_synack(700, "curl", data_acked));
	finish(fx);
	assert_int_equal(count_remote(fx, TFO_FINDING_TFO_REMOTE_NO_COOKIE, -1), 0);
	s = only_remote(fx, TFO_FINDING_TFO_REMOTE_OK, 1);
	assert_int_equal(s->remote.cookie_requests, 1);
	assert_int_equal(s->remote.cookie_requests_unanswered, 0);
	assert_int_equal(s->remote.cookies_received, 1);
	assert_int_equal(s->remote.syn_data_sent, 2);
	assert_int_equal(s->remote.syn_data_acked, 2);
	assert_non_null(strstr(s->why, "answers TFO"));
	assert_null(strstr(s->why, "not always"));
	assert_int_equal(s->n_advice, 0);
}

/* The server's fix applied while its clients run: the verdict follows. */
static void test_remote_fixed_mid_run(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s;

	feed(fx, rec_synack(700, "curl", ask_unanswered));
	feed(fx, rec_synack(700, "curl", ask_unanswered));
	feed(fx, rec_synack(700, "curl", ask_answered));
	assert_int_equal(count_remote(fx, TFO_FINDING_TFO_REMOTE_NO_COOKIE, 0), 1);
	assert_int_equal(count_remote(fx, TFO_FINDING_TFO_REMOTE_OK, 0), 1);
	finish(fx);
	assert_int_equal(count_remote(fx, TFO_FINDING_TFO_REMOTE_NO_COOKIE, 1), 0);
	s = only_remote(fx, TFO_FINDING_TFO_REMOTE_OK, 1);
	assert_int_equal(s->remote.cookie_requests_unanswered, 2);
	assert_non_null(strstr(s->why, "not always"));
}

/* A cookie cached earlier, the server's TFO off since: the data in the
 * SYN is not acknowledged and no new cookie comes. */
static void test_remote_syn_data_refused(void **state)
{
	struct fx *fx = start(state);
	const struct seen *s;

	feed(fx, rec_synack(700, "curl", (struct synack){
		.syn_data = 1, .data_acked = 0, .cookie_len = -1 }));
	finish(fx);
	s = only_remote(fx, TFO_FINDING_TFO_REMOTE_NO_COOKIE, 1);
	assert_int_equal(s->remote.syn_data_sent, 1);
	assert_int_equal(s->remote.syn_data_acked, 0);
	assert_int_equal(s->remote.cookie_requests, 0);
	/* data acknowledged is an answer */
	fx_start(fx, opts_default());
	feed(fx, rec_synack(700, "curl", data_acked));
	finish(fx);
	assert_int_equal(count_remote(fx, TFO_FINDING_TFO_REMOTE_NO_COOKIE, -1), 0);
	only_remote(fx, TFO_FINDING_TFO_REMOTE_OK, 1);
}

struct remote_visits {
	size_t n;
	struct tfo_remote_view v[16];
	uint32_t kinds[16];
};

static void visit_remote(void *ctx, const struct tfo_remote_view *r,
			 uint32_t kinds)
{
	struct remote_visits *rv = ctx;

	if (rv->n < 16) {
		rv->v[rv->n] = *r;
		rv->kinds[rv->n] = kinds;
	}
	rv->n++;
}

static struct remote_visits remote_visits_of(const struct fx *fx)
{
	struct remote_visits rv;

	memset(&rv, 0, sizeof(rv));
	tfo_correlator__for_each_remote(fx->c, visit_remote, &rv);
	return rv;
}

/* A SYN sent again: no answer to it says nothing of the server's TFO
 * (the server may have seen a plain SYN); a cookie still does. */
static void test_remote_syn_retransmitted(void **state)
{
	struct fx *fx = start(state);
	struct remote_visits rv;
	const struct seen *s;

	feed(fx, rec_synack(700, "curl", (struct synack){
		.cookie_requested = 1, .cookie_len = -1, .syn_retransmitted = 1 }));
	feed(fx, rec_synack(700, "curl", (struct synack){
		.syn_data = 1, .cookie_len = -1, .syn_retransmitted = 1 }));
	assert_int_equal(fx->n, 0);
	rv = remote_visits_of(fx);
	assert_int_equal(rv.n, 1);
	assert_int_equal(rv.kinds[0], 0);
	assert_int_equal(rv.v[0].syns_retransmitted, 2);
	assert_int_equal(rv.v[0].connections, 2);
	assert_int_equal(rv.v[0].cookie_requests, 1);
	assert_int_equal(rv.v[0].cookie_requests_unanswered, 0);
	assert_int_equal(rv.v[0].syn_data_sent, 1);
	assert_int_equal(rv.v[0].syn_data_acked, 0);
	/* answered after a retransmission: the server does TFO */
	feed(fx, rec_synack(700, "curl", (struct synack){
		.cookie_requested = 1, .cookie_len = 8, .syn_retransmitted = 1 }));
	finish(fx);
	assert_int_equal(count_remote(fx, TFO_FINDING_TFO_REMOTE_NO_COOKIE, -1), 0);
	s = only_remote(fx, TFO_FINDING_TFO_REMOTE_OK, 1);
	assert_int_equal(s->remote.cookies_received, 1);
	assert_int_equal(s->remote.syns_retransmitted, 3);
	/* "answers" without "not always": nothing went unanswered */
	assert_null(strstr(s->why, "not always"));
}

/* Connections that asked for nothing: no verdict either way. */
static void test_remote_plain(void **state)
{
	struct fx *fx = start(state);

	feed(fx, rec_synack(700, "curl", (struct synack){ .cookie_len = -1 }));
	finish(fx);
	assert_int_equal(fx->n, 0);
	assert_int_equal(remote_visits_of(fx).n, 1);
}

/* A server is its address, port, family and the clients' namespace:
 * 127.0.0.1:8443 in two namespaces are two servers. */
static void test_remote_keys(void **state)
{
	struct fx *fx = start(state);
	struct remote_visits rv;

	feed(fx, rec_synack(700, "a", ask_unanswered));
	feed(fx, rec_synack(701, "b", (struct synack){ .netns = OTHER_NETNS,
		.cookie_requested = 1, .cookie_len = 8 }));
	feed(fx, rec_synack(702, "c", (struct synack){ .port = 443,
		.cookie_requested = 1, .cookie_len = -1 }));
	feed(fx, rec_synack(703, "d", (struct synack){ .last = 2,
		.cookie_requested = 1, .cookie_len = -1 }));
	feed(fx, rec_synack(704, "e", (struct synack){ .family = AF_INET6_,
		.cookie_requested = 1, .cookie_len = 8 }));
	feed(fx, rec_synack(700, "a", ask_unanswered));
	rv = remote_visits_of(fx);
	assert_int_equal(rv.n, 5);
	assert_int_equal(stats_of(fx).remotes, 5);
	/* oldest first, by last use: 127.0.0.1:8443 of NETNS is the newest */
	assert_int_equal(rv.v[4].netns, NETNS);
	assert_int_equal(rv.v[4].port, 8443);
	assert_int_equal(rv.v[4].cookie_requests, 2);
	assert_int_equal(rv.kinds[4], 1u << TFO_FINDING_TFO_REMOTE_NO_COOKIE);
	assert_int_equal(rv.v[0].netns, OTHER_NETNS);
	assert_int_equal(rv.kinds[0], 1u << TFO_FINDING_TFO_REMOTE_OK);
	assert_int_equal(rv.v[1].port, 443);
	assert_int_equal(rv.v[2].addr[3], 2);
	assert_int_equal(rv.v[3].family, AF_INET6_);
	assert_int_equal(rv.v[3].addr[15], 1);
	assert_int_equal(rv.kinds[3], 1u << TFO_FINDING_TFO_REMOTE_OK);
	finish(fx);
	assert_int_equal(count_remote(fx, TFO_FINDING_TFO_REMOTE_NO_COOKIE, 1), 3);
	assert_int_equal(count_remote(fx, TFO_FINDING_TFO_REMOTE_OK, 1), 2);
}

/* The first TFO_REMOTE_CLIENTS processes, each once; more are said. */
static void test_remote_clients(void **state)
{
	struct fx *fx = start(state);
	struct remote_visits rv;

	feed(fx, rec_synack(0, "", ask_unanswered));	/* before tfotrace */
	for (uint32_t pid = 700; pid < 700 + TFO_REMOTE_CLIENTS; pid++) {
		feed(fx, rec_synack(pid, "curl", ask_unanswered));
		feed(fx, rec_synack(pid, "curl", ask_unanswered));
	}
	rv = remote_visits_of(fx);
	assert_int_equal(rv.v[0].n_clients, TFO_REMOTE_CLIENTS);
	assert_false(rv.v[0].more_clients);
	assert_int_equal(rv.v[0].clients[0].pid, 700);
	feed(fx, rec_synack(800, "wget", ask_unanswered));
	rv = remote_visits_of(fx);
	assert_int_equal(rv.v[0].n_clients, TFO_REMOTE_CLIENTS);
	assert_true(rv.v[0].more_clients);
	assert_int_equal(rv.v[0].connections, 2 + 2 * TFO_REMOTE_CLIENTS);
}

/* Bounded: the least recently answered server goes, counted. */
static void test_remote_eviction(void **state)
{
	struct fx *fx = *state;
	struct tfo_correlator_opts o = opts_default();
	struct remote_visits rv;
	struct tfo_correlator_stats st;

	o.max_remotes = 4;
	fx_start(fx, o);
	for (uint16_t port = 1; port <= 10; port++)
		feed(fx, rec_synack(700, "curl", (struct synack){ .port = port,
			.cookie_requested = 1, .cookie_len = -1 }));
	st = stats_of(fx);
	assert_int_equal(st.remotes, 4);
	assert_int_equal(st.remotes_evicted, 6);
	rv = remote_visits_of(fx);
	assert_int_equal(rv.n, 4);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(rv.v[i].port, 7 + i);
	/* a server used again is kept over older ones */
	feed(fx, rec_synack(700, "curl", (struct synack){ .port = 7,
		.cookie_requested = 1, .cookie_len = -1 }));
	feed(fx, rec_synack(700, "curl", (struct synack){ .port = 11,
		.cookie_requested = 1, .cookie_len = -1 }));
	rv = remote_visits_of(fx);
	assert_int_equal(rv.v[0].port, 9);
	assert_int_equal(rv.v[2].port, 7);
	assert_int_equal(rv.v[2].cookie_requests, 2);
	assert_int_equal(stats_of(fx).remotes_evicted, 7);
	/* a socket table of its own: sockets are not evicted by servers */
	feed(fx, rec_sockopt(1, "w", 5, P_TCP, L_TCP, O_TCP_NODELAY, 1, 0, 0));
	assert_int_equal(stats_of(fx).sockets, 1);
	assert_int_equal(stats_of(fx).evicted, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

/* ---- the handshake observer ---- */

static struct tfo_correlator_opts opts_wire(bool probes)
{
	struct tfo_correlator_opts o = opts_default();

	o.probes = probes;
	o.wire = true;
	return o;
}

/* One handshake with a listener: its SYN, then its SYN-ACK. */
static void handshake_in(struct fx *fx, uint64_t ino, uint16_t proto,
			 uint16_t port, uint16_t client_port, struct wire syn,
			 struct wire synack)
{
	feed(fx, rec_wire(4242, "xray", ino, proto, TFO_WIRE_SYN_IN, port,
			  client_port, syn));
	synack.syn_seen = 1;
	synack.syn_tfo = syn.tfo;
	synack.syn_mp_capable = syn.mp_capable;
	synack.syn_payload = syn.payload;
	feed(fx, rec_wire(4242, "xray", ino, proto, TFO_WIRE_SYNACK_OUT, port,
			  client_port, synack));
}

/* The seed's case in tracepoint mode: the setsockopt's refusal, and on
 * the wire five cookie requests answered without a cookie: the finding
 * has per-SYN numbers, equal to what the kernel's counters say. */
static void test_wire_tracepoint_mptcp_rejected(void **state)
{
	struct fx *fx = *state;
	const struct seen *s;

	fx_start(fx, opts_wire(false));
	feed(fx, rec_sockopt(4242, "xray", 9925, P_MPTCP, L_TCP,
			     O_TCP_FASTOPEN, 256, -92, TFO_LAYER_UNKNOWN));
	feed(fx, rec_listen(4242, "xray", 9925, P_MPTCP, 443, 4096, 0, 0, 3));
	for (int i = 0; i < 5; i++)
		handshake_in(fx, 9925, P_MPTCP, 443, 50000 + i,
			     (struct wire){ .tfo = TFO_WIRE_TFO_REQUEST },
			     (struct wire){ 0 });
	finish(fx);
	s = only(fx, TFO_FINDING_MPTCP_TFO_REJECTED, 1, 9925);
	assert_int_equal(s->sock.syns, 5);
	assert_int_equal(s->sock.cookie_requests, 5);
	assert_int_equal(s->sock.syns_unanswered, 5);
	assert_int_equal(s->sock.cookies_sent, 0);
	assert_int_equal(s->sock.wire.syns, 5);
	assert_int_equal(s->sock.wire.synacks, 5);
	assert_int_equal(s->sock.wire.synack_cookies, 0);
	assert_int_equal(s->sock.wire.synacks_mp_capable, 0);
	assert_int_equal(count(fx, TFO_FINDING_TFO_OK, -1, 0), 0);
}

/* TFO working, seen on the wire alone: a cookie given, then data in a
 * SYN accepted (acknowledged by the SYN-ACK, which carries no cookie). */
static void test_wire_tracepoint_tfo_ok(void **state)
{
	struct fx *fx = *state;
	const struct seen *s;

	fx_start(fx, opts_wire(false));
	feed(fx, rec_listen(3142, "nginx", 9926, P_TCP, 8443, 4096, 0, 256, 3));
	handshake_in(fx, 9926, P_TCP, 8443, 50001,
		     (struct wire){ .tfo = TFO_WIRE_TFO_REQUEST },
		     (struct wire){ .tfo = TFO_WIRE_TFO_COOKIE, .cookie_len = 8 });
	handshake_in(fx, 9926, P_TCP, 8443, 50002,
		     (struct wire){ .tfo = TFO_WIRE_TFO_COOKIE, .cookie_len = 8,
				    .payload = 5 },
		     (struct wire){ .data_acked = 1 });
	/* a stale cookie: a fresh one comes back, the data is not taken */
	handshake_in(fx, 9926, P_TCP, 8443, 50003,
		     (struct wire){ .tfo = TFO_WIRE_TFO_COOKIE, .cookie_len = 8,
				    .payload = 5 },
		     (struct wire){ .tfo = TFO_WIRE_TFO_COOKIE, .cookie_len = 8 });
	finish(fx);
	s = only(fx, TFO_FINDING_TFO_OK, 1, 9926);
	assert_int_equal(s->sock.syns, 3);
	assert_int_equal(s->sock.cookie_requests, 1);
	assert_int_equal(s->sock.syns_with_data, 2);
	assert_int_equal(s->sock.cookies_sent, 2);
	assert_int_equal(s->sock.tfo_accepted, 1);
	assert_int_equal(s->sock.cookie_invalid, 1);
	assert_int_equal(s->sock.syns_unanswered, 0);
	assert_int_equal(s->sock.wire.data_acked, 1);
	assert_int_equal(s->sock.wire.cookies_in_syn, 2);
}

/* With probes the probes are the evidence: the wire is counted beside,
 * never twice. */
static void test_wire_beside_probes(void **state)
{
	struct fx *fx = *state;
	const struct seen *s;

	fx_start(fx, opts_wire(true));
	feed(fx, rec_listen(4242, "xray", 9925, P_MPTCP, 443, 4096, 0, 0, 3));
	feed(fx, rec_syn(4242, "xray", 9925, P_MPTCP, 443,
			 (struct syn){ .foc_in = 0, .foc_out = -1 }));
	handshake_in(fx, 9925, P_MPTCP, 443, 50000,
		     (struct wire){ .tfo = TFO_WIRE_TFO_REQUEST },
		     (struct wire){ 0 });
	finish(fx);
	s = only(fx, TFO_FINDING_MPTCP_TFO_REJECTED, 1, 9925);
	assert_int_equal(s->sock.syns, 1);
	assert_int_equal(s->sock.cookie_requests, 1);
	assert_int_equal(s->sock.wire.syns, 1);
	assert_int_equal(s->sock.wire.cookie_requests, 1);
}

/* MPTCP on the wire: the clients offered it or not, the SYN-ACK
 * negotiated it or not; malformed options counted. */
static void test_wire_mp_capable(void **state)
{
	struct fx *fx = *state;
	const struct seen *s;

	fx_start(fx, opts_wire(false));
	feed(fx, rec_sockopt(4242, "xray", 9925, P_MPTCP, L_TCP,
			     O_TCP_FASTOPEN, 256, -92, TFO_LAYER_UNKNOWN));
	feed(fx, rec_listen(4242, "xray", 9925, P_MPTCP, 443, 4096, 0, 0, 3));
	handshake_in(fx, 9925, P_MPTCP, 443, 50000,
		     (struct wire){ .tfo = TFO_WIRE_TFO_REQUEST, .mp_capable = 2 },
		     (struct wire){ .mp_capable = 2 });
	handshake_in(fx, 9925, P_MPTCP, 443, 50001,
		     (struct wire){ .tfo = TFO_WIRE_TFO_REQUEST, .malformed = 1 },
		     (struct wire){ 0 });
	finish(fx);
	s = only(fx, TFO_FINDING_MPTCP_TFO_REJECTED, 1, 9925);
	assert_int_equal(s->sock.wire.syns_mp_capable, 1);
	assert_int_equal(s->sock.wire.synacks_mp_capable, 1);
	assert_int_equal(s->sock.wire.malformed, 1);
}

/* A client's handshakes: in tracepoint mode they are the clients'
 * evidence (tfo-remote-*); plain SYNs make no entry. */
static void test_wire_client_side(void **state)
{
	struct fx *fx = *state;
	const struct seen *s;
	struct tfo_correlator_stats st;

	fx_start(fx, opts_wire(false));
	for (int i = 0; i < 3; i++) {
		feed(fx, rec_wire(700, "curl", 80000 + i, P_TCP,
				  TFO_WIRE_SYN_OUT, 41000 + i, 8443,
				  (struct wire){ .tfo = TFO_WIRE_TFO_REQUEST }));
		feed(fx, rec_wire(700, "curl", 80000 + i, P_TCP,
				  TFO_WIRE_SYNACK_IN, 41000 + i, 8443,
				  (struct wire){ .syn_seen = 1,
						 .syn_tfo = TFO_WIRE_TFO_REQUEST }));
	}
	/* plain TCP to another server: no entry */
	feed(fx, rec_wire(700, "curl", 80010, P_TCP, TFO_WIRE_SYN_OUT, 41010, 80,
			  (struct wire){ 0 }));
	feed(fx, rec_wire(700, "curl", 80010, P_TCP, TFO_WIRE_SYNACK_IN, 41010,
			  80, (struct wire){ .syn_seen = 1 }));
	finish(fx);
	s = only_remote(fx, TFO_FINDING_TFO_REMOTE_NO_COOKIE, 1);
	assert_int_equal(s->remote.connections, 3);
	assert_int_equal(s->remote.cookie_requests, 3);
	assert_int_equal(s->remote.cookie_requests_unanswered, 3);
	assert_int_equal(s->remote.port, 8443);
	assert_int_equal(s->remote.wire.syns, 3);
	assert_int_equal(s->remote.wire.synacks, 3);
	assert_int_equal(s->remote.n_clients, 1);
	assert_int_equal(s->remote.clients[0].pid, 700);
	tfo_correlator__stats(fx->c, &st);
	assert_int_equal(st.remotes, 1);

	/* answered: tfo-remote-ok, then the data acknowledged */
	fx_start(fx, opts_wire(false));
	feed(fx, rec_wire(700, "curl", 80000, P_TCP, TFO_WIRE_SYNACK_IN, 41000,
			  8443, (struct wire){ .tfo = TFO_WIRE_TFO_COOKIE,
					       .cookie_len = 8, .syn_seen = 1,
					       .syn_tfo = TFO_WIRE_TFO_REQUEST }));
	feed(fx, rec_wire(700, "curl", 80001, P_TCP, TFO_WIRE_SYNACK_IN, 41001,
			  8443, (struct wire){ .syn_seen = 1, .data_acked = 1,
					       .syn_tfo = TFO_WIRE_TFO_COOKIE,
					       .syn_payload = 100 }));
	finish(fx);
	s = only_remote(fx, TFO_FINDING_TFO_REMOTE_OK, 1);
	assert_int_equal(s->remote.cookies_received, 1);
	assert_int_equal(s->remote.syn_data_acked, 1);

	/* with probes, the probes' records are the evidence */
	fx_start(fx, opts_wire(true));
	feed(fx, rec_wire(700, "curl", 80000, P_TCP, TFO_WIRE_SYNACK_IN, 41000,
			  8443, (struct wire){ .syn_seen = 1,
					       .syn_tfo = TFO_WIRE_TFO_REQUEST }));
	finish(fx);
	assert_int_equal(count_remote(fx, -1, -1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mptcp_tfo_rejected_go_on_61),
		T(test_mptcp_tfo_rejected_sysctl1),
		T(test_refresh_updates_changed_numbers),
		T(test_advice_c_program_keeps_listening),
		T(test_advice_go_124_default),
		T(test_advice_go_asks_itself),
		T(test_advice_go_before_121),
		T(test_advice_go_without_version),
		T(test_advice_go_before_124),
		T(test_advice_program_unknown),
		T(test_advice_go_build_default),
		T(test_advice_environment),
		T(test_advice_godebug_merged),
		T(test_advice_unit),
		T(test_advice_container),
		T(test_advice_other_netns),
		T(test_advice_preload),
		T(test_option_rejected_has_source),
		T(test_mptcp_fell_back),
		T(test_fastopen_zero_is_no_request),
		T(test_mptcp_legacy_api),
		T(test_refresh_ignores_unreported),
		T(test_tcp_tfo_works_not_rejected),
		T(test_mptcp_on_612_works),
		T(test_mptcp_tfo_einval_is_not_rejection),
		T(test_sysctl_1027_fix_is_ok),
		T(test_scan_only_mptcp_listener_rejected),
		T(test_scan_only_footprint_needs_old_kernel),
		T(test_scan_only_counters_footprint),
		T(test_scan_only_owner_rules),
		T(test_scan_only_mptcp_listener_no_evidence),
		T(test_scan_only_mptcp_listener_plain_syns),
		T(test_scan_only_tcp_listener_ok),
		T(test_scan_only_tcp_listener_server_off),
		T(test_mptcp_option_rejected),
		T(test_mptcp_option_rejected_eopnotsupp),
		T(test_mptcp_option_other_errors),
		T(test_tcp_option_failures_not_mptcp),
		T(test_server_disabled),
		T(test_server_disabled_advice_keeps_bits),
		T(test_server_enabled_sysctl3),
		T(test_server_off_not_wanted),
		T(test_server_disabled_by_opts_sysctl),
		T(test_opts_sysctl_zero),
		T(test_opts_sysctl_other_netns),
		T(test_opts_sysctl_with_server_bit),
		T(test_listen_sysctl_beats_opts),
		T(test_syn_sysctl_latest),
		T(test_queue_overflow),
		T(test_no_overflow),
		T(test_cookie_invalid),
		T(test_cookie_valid),
		T(test_client_blackhole),
		T(test_client_no_blackhole),
		T(test_no_socket_record),
		T(test_syns_before_listen_mptcp),
		T(test_syns_before_listen_tcp),
		T(test_listen_before_setsockopt_mptcp),
		T(test_listen_before_setsockopt_tcp),
		T(test_ignored_records),
		T(test_failed_listen),
		T(test_lost_marker),
		T(test_inode_reuse),
		T(test_inode_reuse_reported_again),
		T(test_eviction_bounded),
		T(test_eviction_spares_listeners),
		T(test_eviction_lru),
		T(test_finding_names),
		T(test_default_capacity),
		T(test_empty_finish),
		T(test_no_callback),
		T(test_probes_flag),
		T(test_for_each_matches_finish),
		T(test_for_each_read_only),
		T(test_for_each_empty),
		T(test_remote_no_cookie),
		T(test_remote_ok),
		T(test_remote_fixed_mid_run),
		T(test_remote_syn_data_refused),
		T(test_remote_syn_retransmitted),
		T(test_remote_plain),
		T(test_remote_keys),
		T(test_remote_clients),
		T(test_remote_eviction),
		T(test_wire_tracepoint_mptcp_rejected),
		T(test_wire_tracepoint_tfo_ok),
		T(test_wire_beside_probes),
		T(test_wire_mp_capable),
		T(test_wire_client_side),
	};

	return cmocka_run_group_tests_name("correlate", tests, NULL, NULL);
}
