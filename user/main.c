// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tfotrace: argument parsing and the lifecycle
 * (check -> open/load/attach -> poll -> summary -> detach). Nothing else. */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "decode.h"
#include "doctor.h"
#include "names.h"
#include "output.h"
#include "procfs.h"
#include "prometheus.h"
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
	const char *cgroup_path;
	const char *prom_path;
	long prom_interval_sec;
	int cgroup_fd;		/* of cgroup_path, checked to be cgroup v2 */
	char cgroup_rel[PATH_MAX];	/* its path inside the cgroup2 mount */
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
};

static const struct argp_option options[] = {
	{ "pid", 'p', "PID", 0, "Trace only this process (repeatable, at most 16)", 0 },
	{ "cgroup", OPT_CGROUP, "PATH", 0, "Trace only processes in this cgroup v2 directory and below (e.g. /sys/fs/cgroup/system.slice/xray.service)", 0 },
	{ "failed", OPT_FAILED, NULL, 0, "Show only calls that failed", 0 },
	{ "duration", 'd', "SEC", 0, "Stop after SEC seconds", 0 },
	{ "json", OPT_JSON, NULL, 0, "Print JSON Lines instead of text", 0 },
	{ "attach", OPT_ATTACH, "MODE", 0, "auto (default), fentry, kprobe or tracepoint", 0 },
	{ "ready-file", OPT_READY_FILE, "PATH", 0, "Write PATH once attached (for scripts)", 0 },
	{ "scan", OPT_SCAN, NULL, 0, "List this namespace's listeners with their TFO state, then exit", 0 },
	{ "btf", OPT_BTF, "FILE", 0, "The kernel's BTF from FILE, for kernels without /sys/kernel/btf/vmlinux (BTFHub)", 0 },
	{ "prometheus", OPT_PROMETHEUS, "FILE", 0, "Write node_exporter textfile metrics to FILE (atomically) every --interval seconds and at exit", 0 },
	{ "interval", OPT_INTERVAL, "SEC", 0, "Seconds between --prometheus writes (default 15)", 0 },
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
		env.prom_interval_sec = v;
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

/* A process given with -p, held by a pidfd: its exit is seen at once,
 * and a later process given the same pid is told apart from it. Without
 * pidfd_open (before 5.3, or under valgrind) its start time in /proc
 * tells the same, checked at every poll. */
struct traced_pid {
	uint32_t pid;
	int pidfd;		/* -1: none, or closed once it has gone */
	bool gone;
	unsigned long long start_time;	/* field 22 of /proc/PID/stat */
	char comm[TFO_COMM_LEN];
};

static struct traced_pid traced[TFO_MAX_PIDS];

static uint32_t tgid_of(uint32_t tid)
{
	char path[40], line[128];
	unsigned int tgid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/status", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %u", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

/* --cgroup PATH: a cgroup v2 directory, and its path relative to the
 * cgroup2 mount, which /proc/PID/cgroup's "0::" line names. Returns 0 or
 * the exit status after saying why. */
static int open_cgroup(void)
{
	char real[PATH_MAX], line[4096];
	struct statfs sfs;
	size_t best = 0;
	FILE *f;

	if (!env.cgroup_path)
		return 0;
	env.cgroup_fd = open(env.cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (env.cgroup_fd < 0) {
		fprintf(stderr, "tfotrace: cannot open cgroup %s: %s\n",
			env.cgroup_path, strerror(errno));
		return 2;
	}
	if (fstatfs(env.cgroup_fd, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC ||
	    !realpath(env.cgroup_path, real)) {
		fprintf(stderr, "tfotrace: %s is not a cgroup v2 directory (--cgroup needs the unified hierarchy, e.g. /sys/fs/cgroup/...)\n",
			env.cgroup_path);
		return 2;
	}
	/* the longest cgroup2 mount point that holds it */
	f = fopen("/proc/self/mounts", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char dir[PATH_MAX], type[64];
		size_t n;

		if (sscanf(line, "%*s %4095s %63s", dir, type) != 2 ||
		    strcmp(type, "cgroup2"))
			continue;
		n = strlen(dir);
		if (n >= best && !strncmp(real, dir, n) &&
		    (real[n] == '/' || real[n] == '\0')) {
			best = n;
			snprintf(env.cgroup_rel, sizeof(env.cgroup_rel), "%s",
				 real[n] ? real + n : "/");
		}
	}
	if (f)
		fclose(f);
	if (!env.cgroup_rel[0]) {
		fprintf(stderr, "tfotrace: cannot find the cgroup2 mount of %s\n",
			env.cgroup_path);
		return 1;
	}
	return 0;
}

/* Whether PID is in the --cgroup directory or below it (for what /proc,
 * not the kernel filter, finds: the scan's listener owners). */
static bool pid_in_cgroup(uint32_t pid)
{
	char path[40], line[4096];
	size_t n = strlen(env.cgroup_rel);
	bool in = false;
	FILE *f;

	if (!env.cgroup_path)
		return true;
	snprintf(path, sizeof(path), "/proc/%u/cgroup", pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *p = line + 3;

		if (strncmp(line, "0::", 3))
			continue;
		p[strcspn(p, "\n")] = '\0';
		in = !strcmp(env.cgroup_rel, "/") ||
		     (!strncmp(p, env.cgroup_rel, n) &&
		      (p[n] == '\0' || p[n] == '/'));
	}
	if (f)
		fclose(f);
	return in;
}

/* 0 when the process does not exist (or is a zombie). */
static unsigned long long start_time_of(uint32_t pid)
{
	char path[40], buf[1024], *p;
	unsigned long long start = 0;
	char state = 0;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');	/* comm may hold spaces and parentheses */
	if (!p || sscanf(p + 1, " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
			 "%*s %*s %*s %*s %*s %*s %*s %*s %llu", &state, &start) != 2)
		return 0;
	return state == 'Z' || state == 'X' ? 0 : start;
}

/* Returns 0, or the exit status after saying why. */
static int open_pids(void)
{
	for (size_t i = 0; i < env.npids; i++) {
		struct traced_pid *t = &traced[i];
		uint32_t tgid;
		char path[40];
		FILE *f;

		t->pid = env.pids[i];
		t->pidfd = syscall(SYS_pidfd_open, t->pid, 0);
		t->start_time = start_time_of(t->pid);
		tgid = tgid_of(t->pid);
		/* a thread: EINVAL before 6.9, ENOENT since */
		if (tgid && tgid != t->pid) {
			fprintf(stderr, "tfotrace: %u is a thread of process %u: -p takes a process id\n",
				t->pid, tgid);
			return 2;
		}
		if ((t->pidfd < 0 && errno != ENOSYS) || !t->start_time) {
			fprintf(stderr, "tfotrace: no such process: %u\n", t->pid);
			return 1;
		}
		snprintf(path, sizeof(path), "/proc/%u/comm", t->pid);
		f = fopen(path, "r");
		if (f) {
			if (fgets(t->comm, sizeof(t->comm), f))
				t->comm[strcspn(t->comm, "\n")] = 0;
			fclose(f);
		}
	}
	return 0;
}

static void close_pids(void)
{
	for (size_t i = 0; i < env.npids; i++)
		if (traced[i].pidfd >= 0) {
			close(traced[i].pidfd);
			traced[i].pidfd = -1;
		}
}

/* A record of a pid whose traced process has gone is from a newer
 * process that reused the pid: the in-kernel filter cannot tell them
 * apart, so the records are dropped here. */
static bool from_reused_pid(uint32_t pid)
{
	for (size_t i = 0; i < env.npids; i++)
		if (traced[i].pid == pid)
			return traced[i].gone;
	return false;
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
	/* Emptying the bounding set needs CAP_SETPCAP; without it the sets
	 * below are still emptied, and no_new_privs keeps them so. */
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL)
			break;
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
	int64_t start_time;		/* CLOCK_REALTIME seconds, for metrics */
	int prom_err;			/* the last --prometheus write's */
};

/* --prometheus: the run so far, as a node_exporter textfile. A failed
 * write is said once (and once more when writing works again); the run
 * goes on. */
static int write_metrics(struct run *run)
{
	struct tfo_prom_run pr = {
		.version = TFOTRACE_VERSION,
		.mode = run->sum.mode,
		.probes = run->tracer && tfo_tracer_has_tfo_probes(run->tracer),
		.events = run->sum.events,
		.lost = run->tracer ? tfo_tracer_lost(run->tracer) : 0,
		.invalid = run->sum.invalid,
		.start_time = run->start_time,
	};
	int err;

	if (!env.prom_path)
		return 0;
	err = tfo_prom_write(env.prom_path, &pr, run->corr);
	if (err && err != run->prom_err)
		fprintf(stderr, "tfotrace: cannot write metrics to %s: %s\n",
			env.prom_path, strerror(-err));
	else if (!err && run->prom_err)
		fprintf(stderr, "tfotrace: writing metrics to %s again\n",
			env.prom_path);
	run->prom_err = err;
	return err;
}

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
	if (env.npids && from_reused_pid(rec.hdr.pid)) {
		run->sum.reused_pid++;
		return 0;
	}
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

static bool owned_by_filter(const struct tfo_listener *l)
{
	if (!env.npids && !env.cgroup_path)
		return true;
	for (size_t i = 0; i < l->n_owners; i++) {
		bool listed = !env.npids;

		for (size_t j = 0; j < env.npids; j++)
			listed |= l->owners[i].pid == env.pids[j];
		if (listed && pid_in_cgroup(l->owners[i].pid))
			return true;
	}
	return false;
}

/* The listener scan: every listener of this network namespace, its owners
 * from /proc, fed to the correlator and, with -p, only the pids' own. */
static int scan_listeners(struct run *run)
{
	struct tfo_listener *ls = NULL;
	char why[256];
	int n;

	if (!tfo_tracer_iter(run->scanner)) {
		fprintf(stderr, "tfotrace: warning: no listener scan: the socket iterator needs the kernel's own BTF (/sys/kernel/btf/vmlinux)\n");
		return 0;
	}
	n = tfo_listeners_read(tfo_tracer_iter(run->scanner), &ls, why,
			       sizeof(why));
	if (n < 0) {
		fprintf(stderr, "tfotrace: listener scan failed: %s\n", why);
		return n;
	}
	if (why[0])
		fprintf(stderr, "tfotrace: warning: %s\n", why);
	for (int i = 0; i < n && !run->write_err; i++) {
		const struct tfo_listener *l = &ls[i];
		union tfo_record rec = { .listener = l->rec };

		if (!owned_by_filter(l))
			continue;
		tfo_listener_owner_to_hdr(l, &rec.listener.hdr);
		run->write_err = tfo_output_listener(run->out, &l->rec, l->owners,
						     l->n_owners);
		tfo_correlator__feed(run->corr, &rec);
		for (size_t j = 0; j < l->n_owners; j++) {
			tfo_correlator__owner(run->corr, l->rec.sock.ino,
					      l->owners[j].pid, l->owners[j].ns_pid,
					      l->owners[j].comm);
			if (run->tracer)
				tfo_tracer_seed_owner(run->tracer, l->rec.sock.ino,
						      &l->owners[j]);
		}
	}
	free(ls);
	return 0;
}

static int64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Notes the traced processes that have exited since the last call: what
 * they did before is in the ring buffer already, consumed by then.
 * True when none is left. */
static bool reap_exited(const struct pollfd *fds, size_t nfds)
{
	size_t live = 0;

	for (size_t i = 0; i < env.npids; i++) {
		struct traced_pid *t = &traced[i];
		bool exited = false;

		if (t->gone)
			continue;
		if (t->pidfd < 0)
			exited = start_time_of(t->pid) != t->start_time;
		for (size_t j = 1; j < nfds; j++)
			if (fds[j].fd == t->pidfd && fds[j].revents)
				exited = true;
		if (exited) {
			fprintf(stderr, "tfotrace: process %u (%s) exited\n",
				t->pid, t->comm);
			t->gone = true;
			if (t->pidfd >= 0)
				close(t->pidfd);
			t->pidfd = -1;
		}
		live += !t->gone;
	}
	return env.npids && !live;
}

static int poll_loop(struct ring_buffer *rb, struct run *run)
{
	int64_t deadline = env.duration_sec ?
		now_ns(CLOCK_MONOTONIC) + env.duration_sec * 1000000000LL : 0;
	int64_t prom_period = env.prom_interval_sec * 1000000000LL;
	int64_t prom_next = now_ns(CLOCK_MONOTONIC) + prom_period;
	struct pollfd fds[1 + TFO_MAX_PIDS];
	int err = 0;

	while (!exiting) {
		size_t nfds = 1;
		int ready;

		fds[0] = (struct pollfd){ .fd = ring_buffer__epoll_fd(rb),
					  .events = POLLIN };
		for (size_t i = 0; i < env.npids; i++)
			if (!traced[i].gone && traced[i].pidfd >= 0)
				fds[nfds++] = (struct pollfd){
					.fd = traced[i].pidfd, .events = POLLIN };
		/* The kernel side wakes us per batch, not per record: the
		 * timeout drains what a quiet period left behind. */
		ready = poll(fds, nfds, 100);
		if (ready < 0 && errno != EINTR) {
			err = -errno;
			break;
		}
		err = ring_buffer__consume(rb);
		if (err < 0)
			break;
		if (err > 0 && fflush(run->out->out)) {
			run->write_err = -errno;
			break;
		}
		err = 0;
		if (env.npids && reap_exited(fds, nfds)) {
			fprintf(stderr, "tfotrace: every traced process has exited\n");
			break;
		}
		if (env.prom_path && now_ns(CLOCK_MONOTONIC) >= prom_next) {
			write_metrics(run);
			prom_next += prom_period;
		}
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
		.netns = tfo_own_netns("/proc"),
		.mptcp_tfo_supported = mptcp_takes_tfo,
		.cb = on_finding,
		.cb_ctx = run,
	};
	long sysctl;

	if (!tfo_sysctl_read("/proc", "net.ipv4.tcp_fastopen", &sysctl))
		copts.sysctl = sysctl;
	return tfo_correlator__new(&copts);
}

/* --scan: the listeners and what can be said of them now, then exit.
 * main()'s cleanup frees what this opens. */
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
		return 1;
	}
	err = scan_listeners(run);
	if (!err && !run->write_err)
		tfo_correlator__finish(run->corr);
	if (fflush(stdout) && !run->write_err)
		run->write_err = -errno;
	return err || (run->write_err && run->write_err != -EPIPE) ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct argp argp = { options, parse_arg,
					  "\ndoctor [--json] [--btf FILE]", doc,
					  NULL, NULL, NULL };
	struct tfo_tracer_opts topts = { 0 };
	struct tfo_tracer *tracer = NULL;
	struct ring_buffer *rb = NULL;
	struct tfo_output out = { 0 };
	struct tfo_mib mib_start = { 0 }, mib_end, mib_delta;
	bool have_mib = false;
	struct run run = { 0 };
	char why[1024] = "";
	int status = 1;		/* the exit status */
	int err;

	if (argc > 1 && !strcmp(argv[1], "doctor")) {
		argv[1] = "tfotrace doctor";	/* what its usage lines say */
		return tfo_doctor_main(argc - 1, argv + 1);
	}
	argp_err_exit_status = 2;
	env.prom_interval_sec = 15;
	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return 2;
	libbpf_set_print(libbpf_log);
	signal(SIGPIPE, SIG_IGN);	/* a gone reader is EPIPE, handled */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);

	status = open_pids();
	if (!status)
		status = open_cgroup();
	if (status)
		goto cleanup;
	status = 1;
	if (!has_bpf_caps()) {
		fprintf(stderr, "tfotrace: permission denied: loading BPF programs needs root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN)\n");
		goto cleanup;
	}
	if (!env.btf_path && access("/sys/kernel/btf/vmlinux", R_OK)) {
		fprintf(stderr, "tfotrace: this kernel exposes no BTF (/sys/kernel/btf/vmlinux: %s): it needs CONFIG_DEBUG_INFO_BTF=y, or --btf FILE with its BTF (e.g. from BTFHub)\n",
			strerror(errno));
		goto cleanup;
	}

	/* before attaching: the probe's own calls stay out of the trace */
	mptcp_takes_tfo = kernel_mptcp_takes_tfo();
	out.out = stdout;
	out.format = env.json ? TFO_FMT_JSON : TFO_FMT_TEXT;
	out.failed_only = env.failed_only;
	out.realtime_offset_ns = now_ns(CLOCK_REALTIME) - now_ns(CLOCK_MONOTONIC);
	run.out = &out;
	if (env.scan_only) {
		status = scan_only(&run);
		goto cleanup;
	}

	tfo_ensure_tracefs(stderr);
	topts.mode = env.mode;
	topts.pids = env.pids;
	topts.npids = env.npids;
	topts.cgroup_fd = env.cgroup_fd;
	topts.ringbuf_bytes = RINGBUF_DEFAULT_BYTES;
	topts.log = stderr;
	topts.btf_path = env.btf_path;
	err = tfo_tracer_open(&tracer, &topts, why, sizeof(why));
	if (err == -ENOMEM) {
		fprintf(stderr, "tfotrace: not enough memory to load the BPF programs and maps, %u KiB of ring buffer among them (a memory cgroup limit?): %s\n",
			RINGBUF_DEFAULT_BYTES >> 10, why);
		goto cleanup;
	}
	if (err) {
		if (env.mode == TFO_MODE_AUTO)
			fprintf(stderr, "tfotrace: no attach mode works on this kernel (%s)\n", why);
		else
			fprintf(stderr, "tfotrace: attach mode %s is not available on this kernel (%s)\n",
				tfo_mode_name(env.mode), why);
		goto cleanup;
	}
	run.tracer = tracer;
	run.scanner = tracer;
	run.sum.mode = tfo_mode_name(tfo_tracer_mode(tracer));
	run.corr = new_correlator(&run, tfo_tracer_has_tfo_probes(tracer));
	if (!run.corr) {
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
	/* The first metrics file before any output: a path that cannot be
	 * written is an error at start, not a warning nobody reads. */
	run.start_time = now_ns(CLOCK_REALTIME) / 1000000000LL;
	if (write_metrics(&run))
		goto cleanup;
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
		ready_file_written = env.ready_file;
	}
	if (why[0])
		fprintf(stderr, "tfotrace: passed over: %s\n", why);
	fprintf(stderr, "tfotrace: attached in %s mode%s; tracing%s. Ctrl-C to stop.\n",
		run.sum.mode,
		tfo_tracer_mode(tracer) == TFO_MODE_TRACEPOINT ?
		" (no per-layer error attribution)" : "",
		env.npids ? " the given pids" :
		env.cgroup_path ? " the cgroup" : " every process");
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
	if (!run.write_err) {
		struct tfo_correlator_stats cs;

		tfo_correlator__stats(run.corr, &cs);
		run.sum.sockets = cs.sockets;
		run.sum.evicted = cs.evicted;
		run.write_err = tfo_output_summary(&out, &run.sum);
	}
	write_metrics(&run);
	if (run.sum.lost)
		fprintf(stderr, "tfotrace: lost %llu events (ring buffer full)\n",
			(unsigned long long)run.sum.lost);
	/* The reader went away (tfotrace | head): a normal end. */
	status = 0;
	if (run.write_err && run.write_err != -EPIPE) {
		fprintf(stderr, "tfotrace: writing output failed: %s\n",
			strerror(-run.write_err));
		status = 1;
	}
cleanup:
	close_pids();
	if (env.cgroup_fd > 0)
		close(env.cgroup_fd);
	ring_buffer__free(rb);
	tfo_tracer_free(tracer);
	if (run.scanner != tracer)
		tfo_tracer_free(run.scanner);	/* --scan's own */
	tfo_correlator__free(run.corr);
	if (ready_file_written)
		unlink(ready_file_written);
	return status;
}
