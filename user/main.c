// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tfotrace: argument parsing and the lifecycle
 * (check -> open/load/attach -> poll -> summary -> detach). Nothing else. */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "broker.h"
#include "caps.h"
#include "cgroup.h"
#include "doctor.h"
#include "names.h"
#include "output.h"
#include "pids.h"
#include "run.h"

#define TFOTRACE_VERSION "0.1.0"
/* The ring buffer is mapped whole into tfotrace (twice its size of
 * resident memory): small where the kernel keeps only relevant calls,
 * larger for --all's flood. */
#define RINGBUF_BYTES_RELEVANT	(512u << 10)
#define RINGBUF_BYTES_ALL	(2u << 20)
#define DURATION_MAX_SEC (366L * 24 * 3600)

static struct env {
	uint32_t pids[TFO_MAX_PIDS];
	size_t npids;
	long duration_sec;
	bool json;
	bool failed_only;
	bool record_all;
	bool findings_only;
	bool verbose;
	enum tfo_attach_mode mode;
	const char *ready_file;
	bool scan_only;
	bool no_wire;
	bool wire;
	const char *btf_path;
	const char *cgroup_path;
	const char *prom_path;
	long interval_sec;
} env;

const char *argp_program_version = "tfotrace " TFOTRACE_VERSION;
const char *argp_program_bug_address = NULL;

static const char doc[] =
"Trace setsockopt, socket and listen per socket, with protocol (TCP or "
"MPTCP), option, value and error: where TCP Fast Open silently breaks.\v"
"EXAMPLES:\n"
"  tfotrace                    trace every process\n"
"  tfotrace -p 4242            only process 4242 (repeat -p for more)\n"
"  tfotrace --failed           print only calls that failed\n"
"  tfotrace --all              every call, not only those findings need\n"
"  tfotrace --findings --json  only the findings, as they appear and change\n"
"  tfotrace --json -d 60       JSON Lines for one minute\n"
"  tfotrace --attach kprobe    force kprobes instead of the automatic choice\n"
"  tfotrace --scan             list listeners and their TFO state, then exit\n"
"  tfotrace --cgroup /sys/fs/cgroup/system.slice/xray.service\n"
"                              only that service's processes\n"
"  tfotrace --json --prometheus /var/lib/prometheus/node-exporter/tfotrace.prom\n"
"                              JSON Lines, and metrics for node_exporter\n"
"  tfotrace doctor             is TCP Fast Open healthy here? (exit 3: no)\n"
"\nAttach modes, tried in this order by --attach auto: fentry (fentry/fexit),"
" kprobe (kprobe/kretprobe), tracepoint (syscall tracepoints). The first "
"two also name the kernel function that returned a setsockopt error.\n"
"\nExit status: 0 on success, 1 on a runtime failure, 2 on bad usage, "
"128+signal when a second signal stopped it; doctor: 0 healthy, 3 a problem "
"found. See tfotrace(8).";

enum {
	OPT_JSON = 0x100,
	OPT_FAILED,
	OPT_ATTACH,
	OPT_READY_FILE,
	OPT_SCAN,
	OPT_BTF,
	OPT_CGROUP,
	OPT_PROMETHEUS,
	OPT_INTERVAL,
	OPT_ALL,
	OPT_FINDINGS,
	OPT_NO_WIRE,
	OPT_WIRE,
};

static const struct argp_option options[] = {
	{ "pid", 'p', "PID", 0, "Trace only this process (repeatable, at most 16)", 0 },
	{ "cgroup", OPT_CGROUP, "PATH", 0, "Trace only processes in this cgroup v2 directory and below (e.g. /sys/fs/cgroup/system.slice/xray.service)", 0 },
	{ "failed", OPT_FAILED, NULL, 0, "Print only calls that failed (findings keep all their evidence)", 0 },
	{ "all", OPT_ALL, NULL, 0, "Record every call, not only the ones findings need (listen, TFO options, failures, MPTCP sockets)", 0 },
	{ "findings", OPT_FINDINGS, NULL, 0, "Print only findings (when first seen, then at most once per --interval while their numbers change), the counters and the summary", 0 },
	{ "duration", 'd', "SEC", 0, "Stop after SEC seconds", 0 },
	{ "json", OPT_JSON, NULL, 0, "Print JSON Lines instead of text", 0 },
	{ "attach", OPT_ATTACH, "MODE", 0, "auto (default), fentry, kprobe or tracepoint", 0 },
	{ "wire", OPT_WIRE, NULL, 0, "With the handshake observer (the SYNs and SYN-ACKs on the wire) in every mode; by default only where the mode has no TCP Fast Open probes (tracepoint)", 0 },
	{ "no-wire", OPT_NO_WIRE, NULL, 0, "Without the handshake observer", 0 },
	{ "ready-file", OPT_READY_FILE, "PATH", 0, "Write PATH once attached (for scripts)", 0 },
	{ "scan", OPT_SCAN, NULL, 0, "List this namespace's listeners with their TFO state, then exit", 0 },
	{ "btf", OPT_BTF, "FILE", 0, "The kernel's BTF from FILE, for kernels without /sys/kernel/btf/vmlinux (BTFHub)", 0 },
	{ "prometheus", OPT_PROMETHEUS, "FILE", 0, "Write node_exporter textfile metrics to FILE (atomically) every --interval seconds and at exit", 0 },
	{ "interval", OPT_INTERVAL, "SEC", 0, "Seconds between --prometheus writes and between updates of a finding whose numbers change (default 15)", 0 },
	{ "verbose", 'v', NULL, 0, "Show libbpf's log", 0 },
	{},
};

/* One parser for every bounded number on the command line. */
static int parse_long(const char *arg, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	long v;
	int mode;

	switch (key) {
	case 'p':
		if (parse_long(arg, 1, INT_MAX, &v))
			argp_failure(state, 2, 0, "invalid PID '%s': expected a number from 1 to %d",
				   arg, INT_MAX);
		for (size_t i = 0; i < env.npids; i++)
			if (env.pids[i] == v)
				return 0;
		if (env.npids == TFO_MAX_PIDS)
			argp_failure(state, 2, 0, "too many -p: at most %d processes",
				   TFO_MAX_PIDS);
		env.pids[env.npids++] = v;
		break;
	case 'd':
		if (parse_long(arg, 1, DURATION_MAX_SEC, &v))
			argp_failure(state, 2, 0, "invalid duration '%s': expected seconds from 1 to %ld",
				   arg, DURATION_MAX_SEC);
		env.duration_sec = v;
		break;
	case OPT_JSON:
		env.json = true;
		break;
	case OPT_FAILED:
		env.failed_only = true;
		break;
	case OPT_ALL:
		env.record_all = true;
		break;
	case OPT_FINDINGS:
		env.findings_only = true;
		break;
	case ARGP_KEY_END:
		if (env.record_all && env.failed_only)
			argp_failure(state, 2, 0, "--all and --failed exclude each other");
		if (env.wire && env.no_wire)
			argp_failure(state, 2, 0, "--wire and --no-wire exclude each other");
		break;
	case OPT_ATTACH:
		mode = tfo_mode_parse(arg);
		if (mode < 0)
			argp_failure(state, 2, 0, "invalid attach mode '%s': expected auto, fentry, kprobe or tracepoint",
				   arg);
		env.mode = mode;
		break;
	case OPT_READY_FILE:
		env.ready_file = arg;
		break;
	case OPT_NO_WIRE:
		env.no_wire = true;
		break;
	case OPT_WIRE:
		env.wire = true;
		break;
	case OPT_SCAN:
		env.scan_only = true;
		break;
	case OPT_BTF:
		if (access(arg, R_OK))
			argp_failure(state, 2, 0, "cannot read BTF file '%s': %s",
				     arg, strerror(errno));
		env.btf_path = arg;
		break;
	case OPT_CGROUP:
		env.cgroup_path = arg;
		break;
	case OPT_PROMETHEUS:
		if (!*arg)
			argp_failure(state, 2, 0, "--prometheus needs a file name");
		env.prom_path = arg;
		break;
	case OPT_INTERVAL:
		if (parse_long(arg, 1, 86400, &v))
			argp_failure(state, 2, 0, "invalid interval '%s': expected seconds from 1 to 86400",
				     arg);
		env.interval_sec = v;
		break;
	case 'v':
		env.verbose = true;
		break;
	case ARGP_KEY_ARG:
		argp_failure(state, 2, 0, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* Where "doctor" stands among the arguments (not as an option's value):
 * its index, or 0 when it is not the verb. */
static int doctor_verb(int argc, char **argv)
{
	static const char *const takes_value[] = {
		"-p", "--pid", "-d", "--duration", "--attach", "--ready-file",
		"--btf", "--cgroup", "--prometheus", "--interval",
	};

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "doctor"))
			return i;
		if (argv[i][0] != '-' || !strcmp(argv[i], "--"))
			return 0;
		for (size_t k = 0; k < sizeof(takes_value) / sizeof(takes_value[0]); k++)
			if (!strcmp(argv[i], takes_value[k])) {
				i++;	/* its value, whatever it is */
				break;
			}
	}
	return 0;
}

static volatile sig_atomic_t exiting;
static const char *volatile ready_file_written;

/* The first SIGINT/SIGTERM/SIGHUP ends tracing and lets the report print
 * (also when the run was ending by itself: a supervisor's SIGTERM must not
 * cost the report); a second one means now: whatever the kernel holds for
 * us goes with the process (nothing is pinned). */
static void on_signal(int sig)
{
	static const char msg[] = "tfotrace: stopped by a second signal; the report is incomplete\n";

	if (exiting) {
		if (ready_file_written)
			unlink(ready_file_written);
		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
			/* nothing more to do about it */
		}
		_exit(128 + sig);
	}
	exiting = 1;
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt,
		      va_list args)
{
	(void)level;
	/* Quiet by default: auto mode expects some flavours to fail, and
	 * says why in its own words. */
	if (!env.verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static int write_ready_file(const char *path, enum tfo_attach_mode mode)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return -errno;
	if (fprintf(f, "%s\n", tfo_mode_name(mode)) < 0)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

static int64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The listener scan, its trouble said on stderr: 0, or -errno when it
 * failed (a kernel without the iterator's BTF only warns). */
static int scan(struct tfo_run *run)
{
	char why[256];
	int n = tfo_run_scan(run, why, sizeof(why));

	if (n == -ENOTSUP) {
		fprintf(stderr, "tfotrace: warning: %s\n", why);
		return 0;
	}
	if (n < 0) {
		fprintf(stderr, "tfotrace: listener scan failed: %s\n", why);
		return n;
	}
	if (why[0])
		fprintf(stderr, "tfotrace: warning: %s\n", why);
	return 0;
}

/* --scan: the listeners and what can be said of them now, then exit.
 * main()'s cleanup frees what this opens. */
static int scan_only(struct tfo_run *run)
{
	char why[256];
	int err;

	run->finals_only = true;
	err = tfo_scanner_open(&run->scanner, env.btf_path, why, sizeof(why));
	if (err) {
		fprintf(stderr, "tfotrace: listener scan failed: %s\n", why);
		return 1;
	}
	if (!tfo_run_new_correlator(run, false,
				    tfo_tracer_mptcp_takes_tfo(run->scanner))) {
		fprintf(stderr, "tfotrace: out of memory\n");
		return 1;
	}
	err = scan(run);
	if (!err && !run->write_err)
		tfo_correlator__finish(run->corr);
	if (!run->write_err)
		run->write_err = tfo_output_flush(run->out);
	return err || (run->write_err && run->write_err != -EPIPE) ? 1 : 0;
}

static enum tfo_record_policy record_policy(void)
{
	/* --failed prints fewer; the kernel records what findings need */
	return env.record_all ? TFO_RECORD_ALL : TFO_RECORD_RELEVANT;
}

/* Opens and attaches the tracer; returns 0 or the exit status after saying
 * why. WHY gets the attach modes passed over, for a note once ready. */
static int open_tracer(struct tfo_tracer **tracer, const struct tfo_cgroup *cg,
		       char *why, size_t why_len, char *tracefs_why,
		       size_t tracefs_why_len)
{
	struct tfo_tracer_opts topts = {
		.mode = env.mode,
		.pids = env.pids,
		.npids = env.npids,
		.cgroup_fd = cg->fd,
		.ringbuf_bytes = env.record_all ? RINGBUF_BYTES_ALL :
				 RINGBUF_BYTES_RELEVANT,
		.log = stderr,
		.btf_path = env.btf_path,
		.policy = record_policy(),
		.verbose = env.verbose,
	};
	int err;

	tfo_ensure_tracefs(stderr, tracefs_why, tracefs_why_len);
	err = tfo_tracer_open(tracer, &topts, why, why_len);
	if (err == -ENOMEM) {
		fprintf(stderr, "tfotrace: not enough memory to load the BPF programs and maps, %u KiB of ring buffer among them (a memory cgroup limit?): %s\n",
			topts.ringbuf_bytes >> 10, why);
		return 1;
	}
	if (err) {
		if (env.mode == TFO_MODE_AUTO)
			fprintf(stderr, "tfotrace: no attach mode works on this kernel (%s)\n", why);
		else
			fprintf(stderr, "tfotrace: attach mode %s is not available on this kernel (%s)\n",
				tfo_mode_name(env.mode), why);
		return 1;
	}
	return 0;
}

/* The handshake observer, beside the tracer: by default where the mode
 * lacks the TCP Fast Open probes (it costs every connection a few
 * percent on loopback, tests/bench), with --wire everywhere. Where it
 * cannot attach, tfotrace runs on without it and says why. */
static struct tfo_wire *open_wire(struct tfo_tracer *tracer,
				  const struct tfo_cgroup *cg)
{
	struct tfo_wire_opts wopts = {
		.pids = env.pids,
		.npids = env.npids,
		.cgroup_fd = cg->fd,
		.policy = record_policy(),
		.ringbuf_bytes = env.record_all ? RINGBUF_BYTES_ALL :
				 RINGBUF_BYTES_RELEVANT,
		.btf_path = env.btf_path,
	};
	struct tfo_wire *wire = NULL;
	char why[512];
	int err;

	if (env.no_wire || (!env.wire && tfo_tracer_has_tfo_probes(tracer) &&
			    tfo_tracer_has_synack_probe(tracer)))
		return NULL;
	tfo_tracer_shared_maps(tracer, &wopts.events_fd, &wopts.owners_fd,
			       &wopts.wakeup_fd);
	err = tfo_wire_open(&wire, &wopts, why, sizeof(why));
	if (err) {
		fprintf(stderr, "tfotrace: warning: no handshake observer (%s): the SYNs and SYN-ACKs are not seen\n",
			why);
		return NULL;
	}
	if (env.verbose)
		fprintf(stderr, "tfotrace: handshake observer attached to %s\n",
			tfo_wire_cgroup(wire));
	return wire;
}

/* Once attached: the start record, the listener scan, no more privileges,
 * then "ready" (the file and the line on stderr). Returns 0 or the exit
 * status. */
static int become_ready(struct tfo_run *run, const char *passed_over,
			const char *tracefs_why)
{
	enum tfo_attach_mode mode = tfo_tracer_mode(run->tracer);
	bool counters;
	char what[512];
	int err;

	run->have_mib = !tfo_mib_read("/proc/net/netstat", &run->mib_start);
	/* The scan before the ready signal: a script that starts clients on
	 * "ready" must not race a server's listener out of the scan. */
	run->write_err = tfo_output_start(run->out, run->sum.mode,
					  TFOTRACE_VERSION);
	if (!run->write_err)
		scan(run);
	/* the header and the listeners before anything said on stderr */
	if (!run->write_err)
		run->write_err = tfo_output_flush(run->out);
	/* before the ready signal, so that "ready" means "unprivileged" */
	err = tfo_caps_drop_all();
	if (err)
		fprintf(stderr, "tfotrace: warning: cannot drop capabilities: %s\n",
			strerror(-err));
	if (env.ready_file) {
		err = write_ready_file(env.ready_file, mode);
		if (err) {
			fprintf(stderr, "tfotrace: cannot write ready file %s: %s\n",
				env.ready_file, strerror(-err));
			return 1;
		}
		ready_file_written = env.ready_file;
	}
	if (passed_over[0])
		fprintf(stderr, "tfotrace: passed over: %s\n", passed_over);
	fprintf(stderr, "tfotrace: attached in %s mode%s; tracing%s. Ctrl-C to stop.\n",
		run->sum.mode, run->wire ? ", with the handshake observer" : "",
		env.npids ? " the given pids" :
		env.cgroup_path ? " the cgroup" : " every process");
	counters = tfo_run_unobservable(run, what, sizeof(what));
	if (what[0])
		fprintf(stderr, "tfotrace: not observable in %s mode: %s%s%s\n",
			run->sum.mode, what, counters ? "; the report gives the "
			"namespace's TFO counters instead" : "",
			mode == TFO_MODE_TRACEPOINT ? "; fentry and kprobe modes "
			"see it (Debian 12's kernels have both)" : "");
	if (tfo_tracer_raw_syscalls(run->tracer))
		fprintf(stderr, "tfotrace: the syscalls are hooked through "
			"raw_syscalls/sys_exit, which runs a test on every "
			"syscall's exit: %s\n", tracefs_why);
	if (env.verbose)
		fprintf(stderr, "tfotrace: sockets read with %s\n",
			tfo_tracer_typed_loads(run->tracer) ?
			"typed loads (bpf_rdonly_cast)" : "bpf_probe_read_kernel()");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct argp argp = { options, parse_arg,
					  "\ndoctor [--json] [--btf FILE]", doc,
					  NULL, NULL, NULL };
	struct tfo_tracer *tracer = NULL;
	struct tfo_wire *wire = NULL;
	struct ring_buffer *rb = NULL;
	struct tfo_output out = { 0 };
	struct tfo_output_state out_state;
	struct tfo_cgroup cg = { .fd = -1 };
	struct tfo_broker broker = { .sock = -1, .pid = -1 };
	struct tfo_program_reader reader;
	struct tfo_run run = { 0 };
	char why[1024] = "", tracefs_why[256] = "";
	int status = 1;		/* the exit status */
	int verb;
	int err;

	/* one name in every message, however it was started */
	argv[0] = "tfotrace";
	verb = doctor_verb(argc, argv);
	if (verb) {
		/* "tfotrace [OPTION...] doctor [OPTION...]": its options on
		 * either side */
		memmove(argv + 2, argv + 1, (verb - 1) * sizeof(*argv));
		argv[1] = "tfotrace doctor";	/* what its usage lines say */
		return tfo_doctor_main(argc - 1, argv + 1);
	}
	argp_err_exit_status = 2;
	env.interval_sec = 15;
	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return 2;
	libbpf_set_print(libbpf_log);
	signal(SIGPIPE, SIG_IGN);	/* a gone reader is EPIPE, handled */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);

	status = tfo_pids_open(env.pids, env.npids);
	if (!status)
		status = tfo_cgroup_open(&cg, env.cgroup_path);
	if (status)
		goto cleanup;
	status = 1;
	if (!tfo_caps_can_load_bpf()) {
		fprintf(stderr, "tfotrace: permission denied: loading BPF programs needs root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN)\n");
		goto cleanup;
	}
	if (!env.btf_path && access("/sys/kernel/btf/vmlinux", R_OK)) {
		fprintf(stderr, "tfotrace: this kernel exposes no BTF (/sys/kernel/btf/vmlinux: %s): it needs CONFIG_DEBUG_INFO_BTF=y, or --btf FILE with its BTF (e.g. from BTFHub)\n",
			strerror(errno));
		goto cleanup;
	}

	/* What tfotrace still reads of other processes once unprivileged:
	 * their executables and environments (another user's need
	 * CAP_SYS_PTRACE). Forked now, while tfotrace holds no BPF object. */
	if (!env.scan_only) {
		err = tfo_broker_start(&broker);
		if (err)
			fprintf(stderr, "tfotrace: warning: no helper to read other processes (%s): programs of other users will be unknown\n",
				strerror(-err));
	}
	tfo_output_init(&out, &out_state, STDOUT_FILENO);
	out.format = env.json ? TFO_FMT_JSON : TFO_FMT_TEXT;
	out.failed_only = env.failed_only;
	out.view = env.findings_only ? TFO_VIEW_FINDINGS :
		   env.record_all ? TFO_VIEW_ALL : TFO_VIEW_DEFAULT;
	out.realtime_offset_ns = now_ns(CLOCK_REALTIME) - now_ns(CLOCK_MONOTONIC);
	run.out = &out;
	run.cgroup = &cg;
	tfo_broker_reader(&broker, &reader);
	run.programs = tfo_programs__new(&reader);
	if (!run.programs) {
		fprintf(stderr, "tfotrace: out of memory\n");
		goto cleanup;
	}
	run.version = TFOTRACE_VERSION;
	run.prom_path = env.prom_path;
	run.interval_sec = env.interval_sec;
	run.duration_sec = env.duration_sec;
	/* --all floods: drained often, so that the kernel seldom has to wake
	 * us; the other policies keep few records: at a leisurely pace */
	run.drain_ms = env.record_all ? 10 : 100;
	run.stop = &exiting;
	if (env.scan_only) {
		status = scan_only(&run);
		goto cleanup;
	}

	status = open_tracer(&tracer, &cg, why, sizeof(why), tracefs_why,
			     sizeof(tracefs_why));
	if (status)
		goto cleanup;
	status = 1;
	run.tracer = tracer;
	run.scanner = tracer;
	run.wire = wire = open_wire(tracer, &cg);
	run.sum.mode = tfo_mode_name(tfo_tracer_mode(tracer));
	run.sum.policy = record_policy();
	if (!tfo_run_new_correlator(&run, tfo_tracer_has_tfo_probes(tracer),
				    tfo_tracer_mptcp_takes_tfo(tracer))) {
		fprintf(stderr, "tfotrace: out of memory\n");
		goto cleanup;
	}
	rb = ring_buffer__new(tfo_tracer_ringbuf_fd(tracer), tfo_run_on_record,
			      &run, NULL);
	if (!rb) {
		err = -errno;
		fprintf(stderr, "tfotrace: cannot open the ring buffer: %s\n",
			strerror(-err));
		goto cleanup;
	}
	/* The first metrics file before any output: a path that cannot be
	 * written is an error at start, not a warning nobody reads. */
	run.start_time = now_ns(CLOCK_REALTIME) / 1000000000LL;
	if (tfo_run_write_metrics(&run))
		goto cleanup;
	/* the helper dropped what it does not keep while the programs
	 * loaded: before the scan asks it anything */
	if (broker.sock >= 0) {
		err = tfo_broker_ready(&broker);
		if (err)
			fprintf(stderr, "tfotrace: warning: no helper to read other processes (%s): programs of other users will be unknown\n",
				strerror(-err));
		else if (!broker.ptrace)
			fprintf(stderr, "tfotrace: note: without CAP_SYS_PTRACE, the executables and environments of other users' processes cannot be read: where their MPTCP came from will be unknown\n");
	}
	status = become_ready(&run, why, tracefs_why);
	if (status)
		goto cleanup;
	status = 1;
	err = run.write_err ? 0 : tfo_run_poll(&run, rb);
	if (err) {
		fprintf(stderr, "tfotrace: polling the ring buffer failed: %s\n",
			strerror(-err));
		goto cleanup;
	}
	tfo_run_report(&run);
	/* The reader went away (tfotrace | head): a normal end. */
	status = 0;
	if (run.write_err && run.write_err != -EPIPE) {
		fprintf(stderr, "tfotrace: writing output failed: %s\n",
			strerror(-run.write_err));
		status = 1;
	}
cleanup:
	/* what was printed before a failure still goes out */
	if (out.state && !run.write_err)
		tfo_output_flush(&out);
	tfo_broker_stop(&broker);
	tfo_pids_close();
	tfo_cgroup_close(&cg);
	ring_buffer__free(rb);
	tfo_wire_free(wire);
	tfo_tracer_free(tracer);
	if (run.scanner != tracer)
		tfo_tracer_free(run.scanner);	/* --scan's own */
	tfo_correlator__free(run.corr);
	tfo_programs__free(run.programs);
	if (ready_file_written)
		unlink(ready_file_written);
	return status;
}
