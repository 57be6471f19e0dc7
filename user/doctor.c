// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tfotrace doctor: one screen on whether TCP Fast Open works here, and
 * what to do when it does not. Every answer is asked of this kernel:
 * whether its MPTCP takes TCP_FASTOPEN by its BTF (the function MPTCP's
 * Fast Open support brought; no probe socket, which a running tfotrace
 * would trace), the attach modes by loading and attaching them, the
 * listeners and their owners by the iterators. Exit: 0 healthy, 3 problem
 * found, 1 could not check, 2 usage.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "attach.h"
#include "wire.h"
#include "advice.h"
#include "broker.h"
#include "caps.h"
#include "correlate.h"
#include "doctor.h"
#include "names.h"
#include "output.h"
#include "procfs.h"
#include "run.h"
#include "scan.h"

#define EXIT_PROBLEM	3
#define MAX_ITEMS	64

static struct {
	bool json;
	const char *btf_path;
} opt;

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'j':
		opt.json = true;
		break;
	case 'b':
		if (access(arg, R_OK))
			argp_failure(state, 2, 0, "cannot read BTF file '%s': %s",
				     arg, strerror(errno));
		opt.btf_path = arg;
		break;
	case ARGP_KEY_ARG:
		argp_failure(state, 2, 0, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

struct mode_result {
	bool works;
	char why[256];
	char warnings[512];
};

struct wire_result {
	bool tried;
	bool works;
	char why[256];
	char where[256];
};

/* The handshake observer beside tracer T, attached for real and let go. */
static void try_wire(struct tfo_tracer *t, struct wire_result *w)
{
	struct tfo_wire_opts o = { .ringbuf_bytes = 1 << 16,
				   .btf_path = opt.btf_path };
	struct tfo_wire *wire = NULL;

	tfo_tracer_shared_maps(t, &o.events_fd, &o.owners_fd, &o.wakeup_fd);
	w->tried = true;
	w->works = !tfo_wire_open(&wire, &o, w->why, sizeof(w->why));
	if (wire)
		snprintf(w->where, sizeof(w->where), "%s", tfo_wire_cgroup(wire));
	tfo_wire_free(wire);
}

/* Loads and attaches MODE for real, then lets go of it; the first that
 * works tries the observer beside it (W, once). */
static void try_mode(enum tfo_attach_mode mode, struct mode_result *r,
		     struct wire_result *w)
{
	struct tfo_tracer_opts o = {
		.mode = mode, .ringbuf_bytes = 1 << 16,
		.btf_path = opt.btf_path,
	};
	struct tfo_tracer *t = NULL;
	FILE *log = fmemopen(r->warnings, sizeof(r->warnings) - 1, "w");

	o.log = log ? log : stderr;
	r->works = !tfo_tracer_open(&t, &o, r->why, sizeof(r->why));
	if (r->works && !w->tried)
		try_wire(t, w);
	tfo_tracer_free(t);
	if (log)
		fclose(log);
}

struct found {
	enum tfo_finding_kind kind;
	struct tfo_sock_view sock;
	struct tfo_mptcp_origin origin;
	char advice[TFO_ADVICE_MAX][TFO_ADVICE_LEN];
	size_t n_advice;
};

struct findings {
	struct found v[MAX_ITEMS];
	size_t n;
	/* MPTCP listeners with no TFO queue: refused, if they asked; with
	 * the advice a refusal would get */
	struct found quiet[MAX_ITEMS];
	size_t n_quiet;
	/* for that advice */
	const struct tfo_programs *programs;
	struct tfo_advice_ctx ctx;
};

static void keep_finding(void *ctx, const struct tfo_finding *f)
{
	struct findings *fs = ctx;
	struct found *x;

	/* a remote server's: doctor traces no client */
	if (fs->n == MAX_ITEMS || !f->sock)
		return;
	x = &fs->v[fs->n++];
	x->kind = f->kind;
	x->sock = *f->sock;
	x->origin = f->origin;
	x->n_advice = f->n_advice;
	memcpy(x->advice, f->advice, sizeof(x->advice));
}

static void keep_quiet(void *ctx, const struct tfo_sock_view *v, uint32_t kinds)
{
	struct findings *fs = ctx;
	struct tfo_finding f = {
		.kind = TFO_FINDING_MPTCP_TFO_REJECTED, .final = true,
		.sock = v, .own_netns = fs->ctx.own_netns,
	};
	struct found *x;

	(void)kinds;
	if (!v->listening || v->protocol != 262 || !v->qlen_known ||
	    v->qlen_max || fs->n_quiet == MAX_ITEMS)
		return;
	f.program = tfo_programs__get(fs->programs, v->program);
	tfo_mptcp_origin_of(f.program, &f.origin);
	tfo_advise(&f, &fs->ctx);
	x = &fs->quiet[fs->n_quiet++];
	x->kind = f.kind;
	x->sock = *v;
	x->origin = f.origin;
	x->n_advice = f.n_advice;
	memcpy(x->advice, f.advice, sizeof(x->advice));
}

/* The listeners of this namespace judged as the report at exit does, by
 * the run's own scan path (no trace: per-SYN numbers unknown). Doctor runs
 * privileged: programs are read directly. */
static int judge_listeners(struct tfo_tracer *scanner, struct findings *fs,
			   size_t *n_listeners, char *why, size_t why_len)
{
	struct tfo_cgroup no_filter = { .fd = -1 };
	struct tfo_program_reader reader;
	struct tfo_run run = {
		.scanner = scanner, .cgroup = &no_filter,
		.finding_cb = keep_finding, .finding_ctx = fs,
	};
	int n = -ENOMEM;

	tfo_broker_reader(NULL, &reader);
	run.programs = tfo_programs__new(&reader);
	if (run.programs &&
	    tfo_run_new_correlator(&run, false,
				   tfo_tracer_mptcp_takes_tfo(scanner))) {
		n = tfo_run_scan(&run, why, why_len);
		if (n >= 0) {
			fs->n = 0;	/* the final verdicts count */
			tfo_correlator__finish(run.corr);
			fs->programs = run.programs;
			fs->ctx.own_netns = tfo_own_netns("/proc");
			fs->ctx.sysctl = -1;
			tfo_sysctl_read("/proc", "net.ipv4.tcp_fastopen",
					&fs->ctx.sysctl);
			tfo_correlator__for_each(run.corr, keep_quiet, fs);
			*n_listeners = n;
		}
	} else {
		snprintf(why, why_len, "out of memory");
	}
	tfo_correlator__free(run.corr);
	tfo_programs__free(run.programs);
	return n < 0 ? -1 : 0;
}

static const struct {
	long bit;
	const char *name;
	const char *what;
} tfo_bits[] = {
	{ 0x1, "client", "clients send data in the SYN (with a cookie)" },
	{ 0x2, "server", "listeners that ask with setsockopt(TCP_FASTOPEN) take data in the SYN" },
	{ 0x4, "client-no-cookie", "clients send SYN data without a cookie" },
	{ 0x200, "server-no-cookie", "listeners take SYN data without a valid cookie" },
	{ 0x400, "server-all-listeners", "every listener takes SYN data, no setsockopt needed" },
};

/* The fixes printed so far: each said once, however many listeners it
 * fixes. */
struct fixes {
	const char *said[4 * MAX_ITEMS];
	size_t n;
};

static void print_fixes(struct fixes *fx, const struct found *f)
{
	for (size_t k = 0; k < f->n_advice; k++) {
		bool seen = false;

		for (size_t i = 0; i < fx->n && !seen; i++)
			seen = !strcmp(fx->said[i], f->advice[k]);
		if (seen || fx->n == sizeof(fx->said) / sizeof(fx->said[0]))
			continue;
		fx->said[fx->n++] = f->advice[k];
		printf("  %zu. %s\n", fx->n, f->advice[k]);
	}
}

static void json_str(const char *key, const char *s, bool comma)
{
	struct tfo_sink escaped;

	printf("\"%s\":", key);
	if (s) {
		/* the output's escaping, in memory: these strings are short */
		tfo_sink_init(&escaped, TFO_SINK_MEMORY);
		tfo_sink_json_string(&escaped, s, strlen(s));
		fputs(tfo_sink_text(&escaped) ?: "null", stdout);
		tfo_sink_free(&escaped);
	} else {
		fputs("null", stdout);
	}
	if (comma)
		putchar(',');
}

static bool release_at_least(const char *release, int major, int minor)
{
	int a = 0, b = 0;

	if (sscanf(release, "%d.%d", &a, &b) != 2)
		return false;
	return a > major || (a == major && b >= minor);
}

int tfo_doctor_main(int argc, char **argv)
{
	static const struct argp_option options[] = {
		{ "json", 'j', NULL, 0, "One JSON object instead of text", 0 },
		{ "btf", 'b', "FILE", 0, "The kernel's BTF from FILE", 0 },
		{},
	};
	static const struct argp argp = {
		options, parse_arg, NULL,
		"Check whether TCP Fast Open works on this host, and why not.\v"
		"Exit status: 0 healthy, 3 a problem found, 1 could not check, 2 bad usage.",
		NULL, NULL, NULL,
	};
	static const enum tfo_attach_mode modes[] = {
		TFO_MODE_FENTRY, TFO_MODE_KPROBE, TFO_MODE_TRACEPOINT,
	};
	struct mode_result mr[3] = { 0 };
	struct wire_result wr = { 0 };
	struct findings fs = { 0 };
	struct tfo_tracer *scanner = NULL;
	size_t n_listeners = 0;
	char scan_why[256] = "", tracefs_why[256] = "";
	bool mptcp_built_in, kernel_rejects, mptcp_on, btf, scanned = false;
	bool any_mode = false;
	long sysctl = -1, mptcp_enabled = -1;
	int problems = 0, auto_mode = -1;
	struct utsname u;

	argp_err_exit_status = 2;
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 2;
	if (!tfo_caps_can_load_bpf()) {
		fprintf(stderr, "tfotrace doctor: permission denied: loading BPF programs needs root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN)\n");
		return 1;
	}
	uname(&u);
	tfo_sysctl_read("/proc", "net.ipv4.tcp_fastopen", &sysctl);
	/* the sysctl exists where MPTCP is built in */
	mptcp_built_in = !tfo_sysctl_read("/proc", "net.mptcp.enabled",
					  &mptcp_enabled);
	btf = !access(opt.btf_path ? opt.btf_path : "/sys/kernel/btf/vmlinux", R_OK);
	libbpf_set_print(NULL);
	tfo_ensure_tracefs(stderr, tracefs_why, sizeof(tracefs_why));
	if (!tfo_scanner_open(&scanner, opt.btf_path, scan_why,
			      sizeof(scan_why)))
		scanned = !judge_listeners(scanner, &fs, &n_listeners,
					   scan_why, sizeof(scan_why));
	/* without the scanner (no BTF), the release decides */
	kernel_rejects = mptcp_built_in &&
			 (scanner ? !tfo_tracer_mptcp_takes_tfo(scanner) :
			  !release_at_least(u.release, 6, 2));
	mptcp_on = mptcp_built_in && mptcp_enabled != 0;
	tfo_tracer_free(scanner);
	for (int i = 0; i < 3; i++) {
		try_mode(modes[i], &mr[i], &wr);
		if (mr[i].works && auto_mode < 0)
			auto_mode = modes[i];
		any_mode |= mr[i].works;
	}
	problems += kernel_rejects && mptcp_on;
	problems += !btf || !any_mode;
	for (size_t i = 0; i < fs.n; i++)
		problems += tfo_finding_is_problem(fs.v[i].kind);

	if (opt.json) {
		printf("{\"type\":\"doctor\",");
		json_str("kernel", u.release, true);
		printf("\"mptcp_takes_tcp_fastopen\":%s,",
		       !mptcp_built_in ? "null" : kernel_rejects ? "false" : "true");
		printf("\"mptcp_enabled\":%ld,\"btf\":%s,\"attach\":{",
		       mptcp_enabled, btf ? "true" : "false");
		for (int i = 0; i < 3; i++) {
			printf("%s\"%s\":{\"works\":%s,", i ? "," : "",
			       tfo_mode_name(modes[i]), mr[i].works ? "true" : "false");
			json_str("why", mr[i].works ? NULL : mr[i].why, false);
			putchar('}');
		}
		printf("},\"handshake_observer\":{\"works\":%s,",
		       wr.works ? "true" : "false");
		json_str("why", wr.works ? NULL : wr.tried ? wr.why :
			 "no attach mode works", false);
		printf("},");
		json_str("auto", auto_mode < 0 ? NULL : tfo_mode_name(auto_mode), true);
		printf("\"tcp_fastopen\":%ld,\"tcp_fastopen_bits\":[", sysctl);
		for (size_t i = 0, n = 0; i < sizeof(tfo_bits) / sizeof(tfo_bits[0]); i++)
			if (sysctl > 0 && (sysctl & tfo_bits[i].bit))
				printf("%s\"%s\"", n++ ? "," : "", tfo_bits[i].name);
		printf("],\"listeners\":%zu,\"scan\":%s,\"findings\":[", n_listeners,
		       scanned ? "true" : "false");
		for (size_t i = 0; i < fs.n; i++) {
			printf("%s{", i ? "," : "");
			json_str("kind", tfo_finding_name(fs.v[i].kind), true);
			printf("\"pid\":%u,", fs.v[i].sock.pid);
			json_str("comm", fs.v[i].sock.pid ? fs.v[i].sock.comm : NULL, true);
			json_str("proto", tfo_proto_name(fs.v[i].sock.protocol), true);
			json_str("mptcp_source",
				 tfo_mptcp_source_name(fs.v[i].origin.source), true);
			printf("\"port\":%u,\"sock_ino\":%llu}", fs.v[i].sock.port,
			       (unsigned long long)fs.v[i].sock.ino);
		}
		printf("],\"mptcp_listeners_without_tfo\":[");
		for (size_t i = 0; i < fs.n_quiet; i++) {
			const struct tfo_sock_view *l = &fs.quiet[i].sock;

			printf("%s{\"pid\":", i ? "," : "");
			if (l->pid)
				printf("%u,", l->pid);
			else
				printf("null,");
			json_str("comm", l->pid ? l->comm : NULL, true);
			json_str("mptcp_source",
				 tfo_mptcp_source_name(fs.quiet[i].origin.source), true);
			printf("\"port\":%u,\"sock_ino\":%llu}", l->port,
			       (unsigned long long)l->ino);
		}
		printf("],\"problems\":%d,\"healthy\":%s}\n", problems,
		       problems ? "false" : "true");
		return problems ? EXIT_PROBLEM : 0;
	}

	printf("tfotrace doctor: kernel %s\n\n", u.release);
	if (!mptcp_built_in)
		printf("  [ok     ] MPTCP: not in this kernel: nothing listens with MPTCP\n");
	else if (kernel_rejects)
		printf("  [%s] MPTCP: this kernel rejects setsockopt(TCP_FASTOPEN) on MPTCP sockets (ENOPROTOOPT: its MPTCP has no Fast Open support, 6.2 added it)\n",
		       mptcp_on ? "PROBLEM" : "ok     ");
	else
		printf("  [ok     ] MPTCP: this kernel takes TCP_FASTOPEN on MPTCP sockets (its BTF has MPTCP's Fast Open support)\n");
	if (mptcp_built_in)
		printf("  [%s] net.mptcp.enabled = %ld%s\n", "info   ", mptcp_enabled,
		       mptcp_enabled == 0 ? ": no MPTCP socket can be made here (Go falls back to TCP)" :
		       ": Go >= 1.24 servers listen with MPTCP");
	printf("  [%s] BTF: %s\n", btf ? "ok     " : "PROBLEM",
	       btf ? (opt.btf_path ?: "/sys/kernel/btf/vmlinux") :
	       "none (CONFIG_DEBUG_INFO_BTF, or --btf FILE from BTFHub)");
	for (int i = 0; i < 3; i++) {
		printf("  [%s] attach %-10s %s%s%s\n", mr[i].works ? "ok     " : "info   ",
		       tfo_mode_name(modes[i]), mr[i].works ? "works" : "unavailable: ",
		       mr[i].works ? "" : mr[i].why,
		       (int)modes[i] == auto_mode ? " (tfotrace picks it)" : "");
	}
	if (mr[2].works && tracefs_why[0])
		printf("  [info   ] tracepoint mode hooks the syscalls through raw_syscalls/sys_exit (a test on every syscall's exit): %s\n",
		       tracefs_why);
	if (!any_mode)
		printf("  [PROBLEM] no attach mode works: tfotrace cannot trace here\n");
	else if (wr.works)
		printf("  [ok     ] handshake observer works (cgroup_skb on %s): the SYNs and SYN-ACKs are seen in every mode\n",
		       wr.where);
	else
		printf("  [info   ] handshake observer unavailable: %s\n", wr.why);
	printf("  [info   ] net.ipv4.tcp_fastopen = %ld (0x%lx)\n", sysctl,
	       sysctl < 0 ? 0 : sysctl);
	for (size_t i = 0; i < sizeof(tfo_bits) / sizeof(tfo_bits[0]); i++)
		printf("              0x%-4lx %-21s %s: %s\n", tfo_bits[i].bit,
		       tfo_bits[i].name,
		       sysctl > 0 && (sysctl & tfo_bits[i].bit) ? "on " : "off",
		       tfo_bits[i].what);
	if (!scanned)
		printf("  [info   ] listener scan failed: %s\n", scan_why);
	else
		printf("  [info   ] %zu %s in this network namespace%s%s\n",
		       n_listeners, n_listeners == 1 ? "listener" : "listeners",
		       scan_why[0] ? "; " : "", scan_why);
	for (size_t i = 0; i < fs.n; i++) {
		const struct found *f = &fs.v[i];
		char b[16];

		snprintf(b, sizeof(b), "%u", f->sock.protocol);
		printf("  [%s] %s: %s listener :%u", tfo_finding_is_problem(f->kind) ?
		       "PROBLEM" : "ok     ", tfo_finding_name(f->kind),
		       tfo_proto_name(f->sock.protocol) ?: b, f->sock.port);
		if (f->sock.pid)
			printf(" of pid %u (%s)", f->sock.pid, f->sock.comm);
		putchar('\n');
	}
	for (size_t i = 0; i < fs.n_quiet && kernel_rejects && mptcp_on; i++) {
		const struct tfo_sock_view *l = &fs.quiet[i].sock;

		printf("  [check  ] MPTCP listener :%u", l->port);
		if (l->pid)
			printf(" of pid %u (%s)", l->pid, l->comm);
		printf(" has no TFO queue: if it asked for TCP_FASTOPEN (Go >= 1.24 servers do), this kernel refused it; its MPTCP: %s (%s)\n",
		       tfo_mptcp_source_name(fs.quiet[i].origin.source),
		       fs.quiet[i].origin.detail);
	}
	if (problems) {
		struct fixes fx = { .n = 0 };

		printf("\nfixes, best first:\n");
		for (size_t i = 0; i < fs.n; i++)
			if (tfo_finding_is_problem(fs.v[i].kind))
				print_fixes(&fx, &fs.v[i]);
		for (size_t i = 0; i < fs.n_quiet && kernel_rejects && mptcp_on; i++)
			print_fixes(&fx, &fs.quiet[i]);
		if (kernel_rejects && mptcp_on && !fx.n) {
			struct found generic = { .n_advice = 0 };
			struct tfo_finding f = { .kind = TFO_FINDING_MPTCP_TFO_REJECTED };

			tfo_advise_kernel_rejects(&f);
			generic.n_advice = f.n_advice;
			memcpy(generic.advice, f.advice, sizeof(f.advice));
			print_fixes(&fx, &generic);
		}
		if (!btf)
			printf("  %zu. a kernel with BTF (CONFIG_DEBUG_INFO_BTF=y), or --btf FILE\n", ++fx.n);
		else if (!any_mode)
			printf("  %zu. what each attach mode lacks, above\n", ++fx.n);
	}
	printf("\nverdict: %s\n", problems ? "PROBLEM FOUND" : "healthy");
	return problems ? EXIT_PROBLEM : 0;
}
