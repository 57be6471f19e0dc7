// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tfotrace: argument parsing and the lifecycle
 * (check -> open/load/attach -> poll -> summary -> detach). Nothing else. */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "decode.h"
#include "names.h"
#include "output.h"
#include "procfs.h"
#include "scan.h"

#define TFOTRACE_VERSION "0.1.0"
#define RINGBUF_DEFAULT_BYTES (4u << 20)
#define DURATION_MAX_SEC (366L * 24 * 3600)

static struct env {
	uint32_t pids[TFO_MAX_PIDS];
	size_t npids;
	long duration_sec;
	bool json;
	bool failed_only;
	bool verbose;
	enum tfo_attach_mode mode;
	const char *ready_file;
	bool scan_only;
	const char *btf_path;
} env;

const char *argp_program_version = "tfotrace " TFOTRACE_VERSION;
const char *argp_program_bug_address = NULL;

static const char doc[] =
"Trace setsockopt, socket and listen per socket, with protocol (TCP or "
"MPTCP), option, value and error: where TCP Fast Open silently breaks.\v"
"EXAMPLES:\n"
"  tfotrace                    trace every process\n"
"  tfotrace -p 4242            only process 4242 (repeat -p for more)\n"
"  tfotrace --failed           only calls that failed\n"
"  tfotrace --json -d 60       JSON Lines for one minute\n"
"  tfotrace --attach kprobe    force kprobes instead of the automatic choice\n"
"  tfotrace --scan             list listeners and their TFO state, then exit\n"
"\nAttach modes, tried in this order by --attach auto: fentry (fentry/fexit),"
" kprobe (kprobe/kretprobe), tracepoint (syscall tracepoints). The first "
"two also name the kernel function that returned a setsockopt error.\n"
"\nExit status: 0 on success, 1 on a runtime failure, 2 on bad usage.";

enum {
	OPT_JSON = 0x100,
	OPT_FAILED,
	OPT_ATTACH,
	OPT_READY_FILE,
	OPT_SCAN,
	OPT_BTF,
};

static const struct argp_option options[] = {
	{ "pid", 'p', "PID", 0, "Trace only this process (repeatable, at most 16)", 0 },
	{ "failed", OPT_FAILED, NULL, 0, "Show only calls that failed", 0 },
	{ "duration", 'd', "SEC", 0, "Stop after SEC seconds", 0 },
	{ "json", OPT_JSON, NULL, 0, "Print JSON Lines instead of text", 0 },
	{ "attach", OPT_ATTACH, "MODE", 0, "auto (default), fentry, kprobe or tracepoint", 0 },
	{ "ready-file", OPT_READY_FILE, "PATH", 0, "Write PATH once attached (for scripts)", 0 },
	{ "scan", OPT_SCAN, NULL, 0, "List this namespace's listeners with their TFO state, then exit", 0 },
	{ "btf", OPT_BTF, "FILE", 0, "The kernel's BTF from FILE, for kernels without /sys/kernel/btf/vmlinux (BTFHub)", 0 },
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
	case OPT_SCAN:
		env.scan_only = true;
		break;
	case OPT_BTF:
		if (access(arg, R_OK))
			argp_failure(state, 2, 0, "cannot read BTF file '%s': %s",
				     arg, strerror(errno));
		env.btf_path = arg;
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

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	/* A second Ctrl-C means now. */
	if (exiting) {
		signal(sig, SIG_DFL);
		raise(sig);
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

/* CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON, from /proc/self/status. */
static bool has_bpf_caps(void)
{
	unsigned long long eff = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return geteuid() == 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return (eff >> 21 & 1) || ((eff >> 39 & 1) && (eff >> 38 & 1));
}

/* libbpf finds tracepoints through tracefs; a minimal system may not
 * have it mounted. */
static void ensure_tracefs(void)
{
	if (access("/sys/kernel/tracing/events", F_OK) == 0 ||
	    access("/sys/kernel/debug/tracing/events", F_OK) == 0)
		return;
	if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0)
		fprintf(stderr, "tfotrace: mounted tracefs on /sys/kernel/tracing\n");
	else
		fprintf(stderr, "tfotrace: warning: tracefs is not mounted and mounting it failed (%s): tracepoint mode will not work\n",
			strerror(errno));
}

static int check_pids(void)
{
	for (size_t i = 0; i < env.npids; i++) {
		char path[32];

		snprintf(path, sizeof(path), "/proc/%u", env.pids[i]);
		if (access(path, F_OK)) {
			fprintf(stderr, "tfotrace: no such process: %u\n",
				env.pids[i]);
			return -ESRCH;
		}
	}
	return 0;
}

/* Once attached and done with the start-up scan, tfotrace needs no
 * privilege: the ring buffer, the maps it reads and the links it closes at
 * exit are open already. Drop every capability, for good. */
static int drop_capabilities(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = { 0 };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0))
		return -errno;
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL)
			return -errno;
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return 0;
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

struct run {
	const struct tfo_output *out;
	struct tfo_summary sum;
	struct tfo_correlator *corr;
	struct tfo_tracer *tracer;	/* NULL for --scan */
	struct tfo_tracer *scanner;	/* holds the iterator: tracer or --scan's */
	uint64_t lost_told;		/* lost events passed to the correlator */
	int write_err;
};

static void on_finding(void *ctx, const struct tfo_finding *f)
{
	struct run *run = ctx;
	int err;

	if (run->write_err)
		return;
	err = tfo_output_finding(run->out, f);
	if (err)
		run->write_err = err;
}

static int on_record(void *ctx, void *data, size_t len)
{
	struct run *run = ctx;
	union tfo_record rec;
	int ret;

	if (tfo_decode(data, len, &rec)) {
		run->sum.invalid++;
		return 0;
	}
	run->sum.events++;
	if (run->tracer) {
		uint64_t lost = tfo_tracer_lost(run->tracer);

		if (lost > run->lost_told) {
			tfo_correlator__lost(run->corr, lost - run->lost_told);
			run->lost_told = lost;
		}
	}
	ret = tfo_output_record(run->out, &rec);
	if (ret < 0) {
		run->write_err = ret;
		return ret;	/* stops ring_buffer__poll */
	}
	run->sum.shown += ret;
	tfo_correlator__feed(run->corr, &rec);
	return run->write_err;
}

struct listener {
	struct tfo_rec_listener rec;
	struct tfo_owner owners[4];
	size_t n_owners;
};

struct listeners {
	struct listener *v;
	size_t n, cap;
	int err;
};

static void collect_listener(void *ctx, const struct tfo_rec_listener *l)
{
	struct listeners *ls = ctx;

	if (ls->n == ls->cap) {
		size_t cap = ls->cap ? 2 * ls->cap : 64;
		struct listener *v = realloc(ls->v, cap * sizeof(*v));

		if (!v) {
			ls->err = -ENOMEM;
			return;
		}
		ls->v = v;
		ls->cap = cap;
	}
	memset(&ls->v[ls->n], 0, sizeof(ls->v[0]));
	ls->v[ls->n++].rec = *l;
}

static void collect_owner(void *ctx, uint64_t ino, uint32_t pid,
			  const char *comm)
{
	struct listeners *ls = ctx;

	for (size_t i = 0; i < ls->n; i++) {
		struct listener *l = &ls->v[i];

		if (l->rec.sock.ino != ino ||
		    l->n_owners == sizeof(l->owners) / sizeof(l->owners[0]))
			continue;
		l->owners[l->n_owners].pid = pid;
		snprintf(l->owners[l->n_owners].comm, TFO_COMM_LEN, "%s", comm);
		l->n_owners++;
	}
}

static bool owned_by_filter(const struct listener *l)
{
	if (!env.npids)
		return true;
	for (size_t i = 0; i < l->n_owners; i++)
		for (size_t j = 0; j < env.npids; j++)
			if (l->owners[i].pid == env.pids[j])
				return true;
	return false;
}

/* The listener scan: every listener of this network namespace, its owners
 * from /proc, fed to the correlator and, with -p, only the pids' own. */
static int scan_listeners(struct run *run)
{
	struct listeners ls = { 0 };
	uint64_t *inos = NULL;
	char why[256];
	int err;

	err = tfo_scan_listeners(tfo_tracer_iter(run->scanner), collect_listener,
				 &ls, why, sizeof(why));
	if (err < 0) {
		fprintf(stderr, "tfotrace: listener scan failed: %s\n", why);
		goto out;
	}
	err = ls.err;
	if (err)
		goto out;
	inos = calloc(ls.n ? ls.n : 1, sizeof(*inos));
	if (!inos) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < ls.n; i++)
		inos[i] = ls.v[i].rec.sock.ino;
	if (tfo_owners_scan("/proc", inos, ls.n, collect_owner, &ls) < 0)
		fprintf(stderr, "tfotrace: warning: cannot read /proc to find listener owners\n");
	for (size_t i = 0; i < ls.n && !run->write_err; i++) {
		const struct listener *l = &ls.v[i];
		union tfo_record rec = { .listener = l->rec };

		if (!owned_by_filter(l))
			continue;
		run->write_err = tfo_output_listener(run->out, &l->rec, l->owners,
						     l->n_owners);
		tfo_correlator__feed(run->corr, &rec);
		for (size_t j = 0; j < l->n_owners; j++) {
			tfo_correlator__owner(run->corr, l->rec.sock.ino,
					      l->owners[j].pid, l->owners[j].comm);
			if (run->tracer)
				tfo_tracer_seed_owner(run->tracer, l->rec.sock.ino,
						      l->owners[j].pid,
						      l->owners[j].comm);
		}
	}
out:
	free(inos);
	free(ls.v);
	return err < 0 ? err : 0;
}

static uint32_t own_netns(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) ? 0 : (uint32_t)st.st_ino;
}

static int64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int poll_loop(struct ring_buffer *rb, struct run *run)
{
	int64_t deadline = env.duration_sec ?
		now_ns(CLOCK_MONOTONIC) + env.duration_sec * 1000000000LL : 0;
	int err = 0;

	while (!exiting) {
		err = ring_buffer__poll(rb, 100);
		if (err == -EINTR) {
			err = 0;
			continue;
		}
		/* The kernel side wakes us per batch, not per record: drain
		 * what a quiet period left behind. */
		if (err == 0)
			err = ring_buffer__consume(rb);
		if (err < 0)
			break;
		if (err > 0 && fflush(run->out->out)) {
			run->write_err = -errno;
			break;
		}
		err = 0;
		if (deadline && now_ns(CLOCK_MONOTONIC) >= deadline)
			break;
	}
	/* What arrived before the stop is still reported. */
	if (!run->write_err)
		ring_buffer__consume(rb);
	return run->write_err ? 0 : err;
}

/* Does this kernel's MPTCP take TCP_FASTOPEN (6.2+, or a backport)? Asked
 * of the kernel itself, before attaching, on a socket that is never bound:
 * a value of 0 enables nothing. Without MPTCP, the release decides. */
static bool kernel_mptcp_takes_tfo(void)
{
	struct utsname u;
	int major = 0, minor = 0, zero = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 262 /* IPPROTO_MPTCP */);

	if (fd >= 0) {
		int ret = setsockopt(fd, IPPROTO_TCP, 23 /* TCP_FASTOPEN */,
				     &zero, sizeof(zero));

		close(fd);
		return ret == 0;
	}
	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 2);
}

static bool mptcp_takes_tfo;

static struct tfo_correlator *new_correlator(struct run *run, bool probes)
{
	struct tfo_correlator_opts copts = {
		.probes = probes,
		.sysctl = -1,
		.netns = own_netns(),
		.mptcp_tfo_supported = mptcp_takes_tfo,
		.cb = on_finding,
		.cb_ctx = run,
	};
	long sysctl;

	if (!tfo_sysctl_read("/proc", "net.ipv4.tcp_fastopen", &sysctl))
		copts.sysctl = sysctl;
	return tfo_correlator__new(&copts);
}

/* --scan: the listeners and what can be said of them now, then exit. */
static int scan_only(struct run *run)
{
	char why[256];
	int err;

	err = tfo_scanner_open(&run->scanner, env.btf_path, why, sizeof(why));
	if (err) {
		fprintf(stderr, "tfotrace: listener scan failed: %s\n", why);
		return 1;
	}
	run->corr = new_correlator(run, false);
	if (!run->corr) {
		fprintf(stderr, "tfotrace: out of memory\n");
		tfo_tracer_free(run->scanner);
		return 1;
	}
	err = scan_listeners(run);
	if (!err && !run->write_err)
		tfo_correlator__finish(run->corr);
	fflush(stdout);
	tfo_correlator__free(run->corr);
	tfo_tracer_free(run->scanner);
	return err || (run->write_err && run->write_err != -EPIPE) ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct argp argp = { options, parse_arg, NULL, doc, NULL, NULL, NULL };
	struct tfo_tracer_opts topts = { 0 };
	struct tfo_tracer *tracer = NULL;
	struct ring_buffer *rb = NULL;
	struct tfo_output out = { 0 };
	struct tfo_mib mib_start = { 0 }, mib_end, mib_delta;
	bool have_mib = false;
	struct run run = { 0 };
	char why[1024];
	int err;

	argp_err_exit_status = 2;
	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return 2;
	libbpf_set_print(libbpf_log);
	signal(SIGPIPE, SIG_IGN);	/* a gone reader is EPIPE, handled */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);

	if (check_pids())
		return 1;
	if (!has_bpf_caps()) {
		fprintf(stderr, "tfotrace: permission denied: loading BPF programs needs root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN)\n");
		return 1;
	}
	if (!env.btf_path && access("/sys/kernel/btf/vmlinux", R_OK)) {
		fprintf(stderr, "tfotrace: this kernel exposes no BTF (/sys/kernel/btf/vmlinux: %s): it needs CONFIG_DEBUG_INFO_BTF=y, or --btf FILE with its BTF (e.g. from BTFHub)\n",
			strerror(errno));
		return 1;
	}

	/* before attaching: the probe's own calls stay out of the trace */
	mptcp_takes_tfo = kernel_mptcp_takes_tfo();
	out.out = stdout;
	out.format = env.json ? TFO_FMT_JSON : TFO_FMT_TEXT;
	out.failed_only = env.failed_only;
	out.realtime_offset_ns = now_ns(CLOCK_REALTIME) - now_ns(CLOCK_MONOTONIC);
	run.out = &out;
	if (env.scan_only)
		return scan_only(&run);

	ensure_tracefs();
	topts.mode = env.mode;
	topts.pids = env.pids;
	topts.npids = env.npids;
	topts.ringbuf_bytes = RINGBUF_DEFAULT_BYTES;
	topts.log = stderr;
	topts.btf_path = env.btf_path;
	err = tfo_tracer_open(&tracer, &topts, why, sizeof(why));
	if (err) {
		if (env.mode == TFO_MODE_AUTO)
			fprintf(stderr, "tfotrace: no attach mode works on this kernel (%s)\n", why);
		else
			fprintf(stderr, "tfotrace: attach mode %s is not available on this kernel (%s)\n",
				tfo_mode_name(env.mode), why);
		return 1;
	}
	run.tracer = tracer;
	run.scanner = tracer;
	run.sum.mode = tfo_mode_name(tfo_tracer_mode(tracer));
	run.corr = new_correlator(&run, tfo_tracer_has_tfo_probes(tracer));
	if (!run.corr) {
		err = -ENOMEM;
		fprintf(stderr, "tfotrace: out of memory\n");
		goto cleanup;
	}
	rb = ring_buffer__new(tfo_tracer_ringbuf_fd(tracer), on_record, &run,
			      NULL);
	if (!rb) {
		err = -errno;
		fprintf(stderr, "tfotrace: cannot open the ring buffer: %s\n",
			strerror(-err));
		goto cleanup;
	}
	have_mib = !tfo_mib_read("/proc/net/netstat", &mib_start);
	/* The scan before the ready signal: a script that starts clients on
	 * "ready" must not race a server's listener out of the scan. */
	run.write_err = tfo_output_start(&out, run.sum.mode, TFOTRACE_VERSION);
	if (!run.write_err)
		scan_listeners(&run);
	/* before the ready signal, so that "ready" means "unprivileged" */
	err = drop_capabilities();
	if (err)
		fprintf(stderr, "tfotrace: warning: cannot drop capabilities: %s\n",
			strerror(-err));
	err = 0;
	if (env.ready_file) {
		err = write_ready_file(env.ready_file, tfo_tracer_mode(tracer));
		if (err) {
			fprintf(stderr, "tfotrace: cannot write ready file %s: %s\n",
				env.ready_file, strerror(-err));
			goto cleanup;
		}
	}
	if (why[0])
		fprintf(stderr, "tfotrace: passed over: %s\n", why);
	fprintf(stderr, "tfotrace: attached in %s mode%s; tracing%s. Ctrl-C to stop.\n",
		run.sum.mode,
		tfo_tracer_mode(tracer) == TFO_MODE_TRACEPOINT ?
		" (no per-layer error attribution)" : "",
		env.npids ? " the given pids" : " every process");
	if (!tfo_tracer_has_tfo_probes(tracer))
		fprintf(stderr, "tfotrace: no TCP Fast Open probes in %s mode: per-SYN evidence is not observable; findings rest on setsockopt, the listener scan and the kernel counters\n",
			run.sum.mode);

	if (!run.write_err && fflush(stdout))
		run.write_err = -errno;
	if (!run.write_err)
		err = poll_loop(rb, &run);
	if (err) {
		fprintf(stderr, "tfotrace: polling the ring buffer failed: %s\n",
			strerror(-err));
		goto cleanup;
	}
	run.sum.lost = tfo_tracer_lost(tracer);
	if (run.sum.lost > run.lost_told)
		tfo_correlator__lost(run.corr, run.sum.lost - run.lost_told);
	have_mib = have_mib && !tfo_mib_read("/proc/net/netstat", &mib_end);
	if (have_mib) {
		tfo_mib_delta(&mib_start, &mib_end, &mib_delta);
		tfo_correlator__counters(run.corr, &mib_delta);
	}
	if (!run.write_err) {
		if (out.format == TFO_FMT_TEXT)
			fputs("# report\n", stdout);
		tfo_correlator__finish(run.corr);
	}
	if (!run.write_err && have_mib)
		run.write_err = tfo_output_counters(&out, &mib_start, &mib_delta);
	if (!run.write_err)
		run.write_err = tfo_output_summary(&out, &run.sum);
	if (run.sum.lost)
		fprintf(stderr, "tfotrace: lost %llu events (ring buffer full)\n",
			(unsigned long long)run.sum.lost);
	/* The reader went away (tfotrace | head): a normal end. */
	if (run.write_err && run.write_err != -EPIPE) {
		fprintf(stderr, "tfotrace: writing output failed: %s\n",
			strerror(-run.write_err));
		err = run.write_err;
	}
cleanup:
	ring_buffer__free(rb);
	tfo_tracer_free(tracer);
	tfo_correlator__free(run.corr);
	if (env.ready_file)
		unlink(env.ready_file);
	return err ? 1 : 0;
}
