// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "caps.h"
#include "kernel_btf.h"
#include "wire.h"
#include "names.h"
#include "tfotrace.skel.h"

#define MAX_OPTIONAL 32
#define KERNEL_BTF "/sys/kernel/btf/vmlinux"

struct tfo_tracer {
	struct tfotrace_bpf *skel;
	const char *btf_path;
	/* optional hook targets this kernel lacks, found once up front */
	char *missing[MAX_OPTIONAL];
	size_t n_missing;
	int sys_setsockopt_btf_id;	/* for the cheap fentry probe; <0 none */
	struct bpf_link **links;
	size_t nlinks;
	enum tfo_attach_mode mode;
	bool tracefs;			/* its syscall events' ids are readable */
	bool tfo_server_hooked;
	bool tfo_synack_hooked;
	bool typed;			/* typed loads patched in */
	bool holds_kbtf;
	bool mptcp_tfo;			/* the kernel's MPTCP takes TCP_FASTOPEN */
};

/* A function of MPTCP's TCP Fast Open support (net/mptcp/fastopen.c, 6.2):
 * in the kernel's BTF exactly where MPTCP takes TCP_FASTOPEN (checked in
 * Debian's 6.1, absent, and 6.12 and 6.18, present). Asking the BTF costs
 * no socket: a probe socket would show in any other tfotrace's trace. */
#define MPTCP_TFO_FUNC "mptcp_fastopen_subflow_synack_set_params"

/* ---- the object ---- */

/* ---- the programs, by skeleton field ----
 * What each program is for: the modes it belongs to, whether a mode works
 * without it (and what it loses), what it tells tfotrace once attached.
 * Every program of the object must be here (checked at load): a program
 * added or renamed without a row fails loudly, not silently. */

enum prog_role {
	ROLE_CORE,	/* a syscall's exit: the mode fails without it */
	ROLE_LAYER,	/* which layer refused a setsockopt */
	ROLE_TFO,	/* a TCP Fast Open probe */
	ROLE_OWNERS,	/* closed listeners forgotten */
	ROLE_SCAN,	/* an iterator: attached per scan, in no mode */
};

enum prog_flag {
	PF_TFO_SERVER = 1 << 0,	/* attached: per-SYN server evidence */
	PF_SYNACK = 1 << 1,	/* attached: the client's SYN-ACKs */
	PF_TRACEFS = 1 << 2,	/* attaches through tracefs (an event id) */
	PF_NO_TRACEFS = 1 << 3,	/* the same hooks where tracefs cannot be read */
};

#define MODE(m)		(1u << TFO_MODE_##m)
#define ALL_MODES	(MODE(FENTRY) | MODE(KPROBE) | MODE(TRACEPOINT))
#define PROG(n, modes, role, flags) \
	{ offsetof(struct tfotrace_bpf, progs.n), #n, modes, role, flags }

static const struct prog_spec {
	size_t off;		/* of its struct bpf_program * in the skeleton */
	const char *name;
	unsigned int modes;
	enum prog_role role;
	unsigned int flags;
} prog_specs[] = {
	PROG(any_owner_forget, ALL_MODES, ROLE_OWNERS, 0),
	PROG(fentry_setsockopt_exit, MODE(FENTRY), ROLE_CORE, 0),
	PROG(fentry_socket_exit, MODE(FENTRY), ROLE_CORE, 0),
	PROG(fentry_listen_exit, MODE(FENTRY), ROLE_CORE, 0),
	PROG(fentry_layer_sock_setsockopt, MODE(FENTRY), ROLE_LAYER, 0),
	PROG(fentry_layer_tcp_setsockopt, MODE(FENTRY), ROLE_LAYER, 0),
	PROG(fentry_layer_mptcp_setsockopt, MODE(FENTRY), ROLE_LAYER, 0),
	PROG(fentry_layer_ip_setsockopt, MODE(FENTRY), ROLE_LAYER, 0),
	PROG(fentry_layer_ipv6_setsockopt, MODE(FENTRY), ROLE_LAYER, 0),
	PROG(kprobe_setsockopt_exit, MODE(KPROBE), ROLE_CORE, 0),
	PROG(kprobe_socket_exit, MODE(KPROBE), ROLE_CORE, 0),
	PROG(kprobe_listen_exit, MODE(KPROBE), ROLE_CORE, 0),
	PROG(kprobe_layer_sock_setsockopt, MODE(KPROBE), ROLE_LAYER, 0),
	PROG(kprobe_layer_tcp_setsockopt, MODE(KPROBE), ROLE_LAYER, 0),
	PROG(kprobe_layer_mptcp_setsockopt, MODE(KPROBE), ROLE_LAYER, 0),
	PROG(kprobe_layer_ip_setsockopt, MODE(KPROBE), ROLE_LAYER, 0),
	PROG(kprobe_layer_ipv6_setsockopt, MODE(KPROBE), ROLE_LAYER, 0),
	PROG(tp_setsockopt_exit, MODE(TRACEPOINT), ROLE_CORE, PF_TRACEFS),
	PROG(tp_socket_exit, MODE(TRACEPOINT), ROLE_CORE, PF_TRACEFS),
	PROG(tp_listen_exit, MODE(TRACEPOINT), ROLE_CORE, PF_TRACEFS),
	PROG(tp_raw_sys_exit, MODE(TRACEPOINT), ROLE_CORE, PF_NO_TRACEFS),
	PROG(fentry_tfo_server_enter, MODE(FENTRY), ROLE_TFO, 0),
	PROG(fentry_tfo_server_exit, MODE(FENTRY), ROLE_TFO, PF_TFO_SERVER),
	PROG(kprobe_tfo_server_enter, MODE(KPROBE), ROLE_TFO, 0),
	PROG(kprobe_tfo_server_exit, MODE(KPROBE), ROLE_TFO, PF_TFO_SERVER),
	PROG(fentry_tfo_cookie_check, MODE(FENTRY), ROLE_TFO, 0),
	PROG(fentry_tfo_defer_connect, MODE(FENTRY), ROLE_TFO, 0),
	PROG(fentry_tfo_blackhole, MODE(FENTRY), ROLE_TFO, 0),
	PROG(fentry_tfo_synack, MODE(FENTRY), ROLE_TFO, PF_SYNACK),
	PROG(kprobe_tfo_synack, MODE(KPROBE), ROLE_TFO, PF_SYNACK),
	PROG(kprobe_tfo_cookie_check_enter, MODE(KPROBE), ROLE_TFO, 0),
	PROG(kprobe_tfo_cookie_check_exit, MODE(KPROBE), ROLE_TFO, 0),
	PROG(kprobe_tfo_defer_connect_enter, MODE(KPROBE), ROLE_TFO, 0),
	PROG(kprobe_tfo_defer_connect_exit, MODE(KPROBE), ROLE_TFO, 0),
	PROG(kprobe_tfo_blackhole_enter, MODE(KPROBE), ROLE_TFO, 0),
	PROG(kprobe_tfo_blackhole_exit, MODE(KPROBE), ROLE_TFO, 0),
	PROG(scan_listeners, 0, ROLE_SCAN, 0),
	PROG(scan_owners, 0, ROLE_SCAN, 0),
};
#define N_PROGS	(sizeof(prog_specs) / sizeof(prog_specs[0]))

static struct bpf_program *prog_of(const struct tfotrace_bpf *skel,
				   const struct prog_spec *p)
{
	return *(struct bpf_program *const *)((const char *)skel + p->off);
}

static bool is_optional(const struct prog_spec *p)
{
	return p->role == ROLE_LAYER || p->role == ROLE_TFO ||
	       p->role == ROLE_OWNERS;
}

/* What a mode loses without an optional program. */
static const char *optional_loss(const struct prog_spec *p)
{
	switch (p->role) {
	case ROLE_OWNERS:
		return "closed listeners stay in the owner table until it is full";
	case ROLE_LAYER:
		return "its setsockopt errors will not be attributed to it";
	default:
		return "TCP Fast Open events from it will be missing";
	}
}

/* A program of the object the table does not know: a rename or a new
 * program needs its row. */
static int check_prog_table(const struct tfotrace_bpf *skel, char *why,
			    size_t why_len)
{
	size_t n = 0;
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, skel->obj)
		n++;
	for (size_t i = 0; i < N_PROGS; i++)
		if (!prog_of(skel, &prog_specs[i]))
			n = 0;
	if (n != N_PROGS) {
		snprintf(why, why_len, "the BPF object has %zu programs, the "
			 "program table %zu: a program without its row", n, N_PROGS);
		return -EINVAL;
	}
	return 0;
}

static void tracer_detach(struct tfo_tracer *t)
{
	for (size_t i = 0; i < t->nlinks; i++)
		bpf_link__destroy(t->links[i]);
	free(t->links);
	t->links = NULL;
	t->nlinks = 0;
	tfotrace_bpf__destroy(t->skel);
	t->skel = NULL;
}

static bool kernel_lacks(const struct tfo_tracer *t, const char *func)
{
	for (size_t i = 0; i < t->n_missing; i++)
		if (!strcmp(t->missing[i], func))
			return true;
	return false;
}

/* The object, opened against the minimized BTF, the file given, or (with
 * neither) the kernel's own. */
static struct tfotrace_bpf *open_object(const struct tfo_tracer *t)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = t->btf_path);

	if (t->holds_kbtf && tfo_kernel_btf_core_path())
		opts.btf_custom_path = tfo_kernel_btf_core_path();
	return tfotrace_bpf__open_opts(&opts);
}

/* Autoload the programs of MODE (or, MODE 0, the scan's alone), patched
 * for this kernel. */
static int select_programs(struct tfo_tracer *t, enum tfo_attach_mode mode,
			   FILE *log)
{
	/* libbpf finds an iterator's target in the kernel's own BTF file,
	 * never in --btf's */
	bool iterators = !access(KERNEL_BTF, R_OK) &&
			 (t->holds_kbtf || !t->btf_path);

	for (size_t i = 0; i < N_PROGS; i++) {
		const struct prog_spec *p = &prog_specs[i];
		struct bpf_program *prog = prog_of(t->skel, p);
		bool load = p->role == ROLE_SCAN ? iterators :
			    mode && (p->modes & (1u << mode));
		int err;

		if ((p->flags & PF_TRACEFS && !t->tracefs) ||
		    (p->flags & PF_NO_TRACEFS && t->tracefs))
			load = false;
		if (load && is_optional(p) && kernel_lacks(t, tfo_prog_target(prog))) {
			fprintf(log, "tfotrace: warning: %s() is not in this "
				"kernel: %s\n", tfo_prog_target(prog), optional_loss(p));
			load = false;
		}
		err = bpf_program__set_autoload(prog, load);
		if (!err && load)
			err = tfo_kernel_btf_patch(prog, t->typed);
		if (err)
			return err;
	}
	return 0;
}

/* Which optional hooks' functions the kernel lacks, and __sys_setsockopt's
 * id for the cheap fentry probe: from the cache, or (--btf) the file. */
static int find_missing(struct tfo_tracer *t, char *why, size_t why_len)
{
	struct tfotrace_bpf *skel = tfotrace_bpf__open();
	struct btf *file_btf = NULL;
	struct bpf_program *prog;
	int err = 0;

	if (!skel) {
		err = -errno;
		snprintf(why, why_len, "open BPF object: %s", strerror(-err));
		return err;
	}
	if (!t->holds_kbtf) {
		file_btf = btf__parse(t->btf_path, NULL);
		if (!file_btf) {
			char msg[128];

			err = -errno;
			/* libbpf's own codes (not ELF, bad format) are above 4000 */
			libbpf_strerror(err, msg, sizeof(msg));
			snprintf(why, why_len, "cannot read the kernel's BTF from %s: %s",
				 t->btf_path, msg);
			goto out;
		}
	}
	t->mptcp_tfo = file_btf ?
		btf__find_by_name_kind(file_btf, MPTCP_TFO_FUNC, BTF_KIND_FUNC) > 0 :
		tfo_kernel_btf_id(MPTCP_TFO_FUNC, BTF_KIND_FUNC) > 0;
	t->sys_setsockopt_btf_id = file_btf ?
		btf__find_by_name_kind(file_btf, "__sys_setsockopt", BTF_KIND_FUNC) :
		tfo_kernel_btf_id("__sys_setsockopt", BTF_KIND_FUNC);
	if (t->sys_setsockopt_btf_id == 0)
		t->sys_setsockopt_btf_id = -1;
	err = check_prog_table(skel, why, why_len);
	for (size_t i = 0; !err && i < N_PROGS; i++) {
		const struct prog_spec *p = &prog_specs[i];
		const char *func;
		bool present;

		prog = prog_of(skel, p);
		func = tfo_prog_target(prog);
		/* tracepoints are no kernel functions: attaching tells */
		if (!is_optional(p) ||
		    bpf_program__type(prog) == BPF_PROG_TYPE_TRACEPOINT ||
		    bpf_program__type(prog) == BPF_PROG_TYPE_RAW_TRACEPOINT ||
		    kernel_lacks(t, func))
			continue;
		present = file_btf ?
			btf__find_by_name_kind(file_btf, func, BTF_KIND_FUNC) >= 0 :
			tfo_kernel_btf_id(func, BTF_KIND_FUNC) != 0;
		if (present)
			continue;
		if (t->n_missing == MAX_OPTIONAL ||
		    !(t->missing[t->n_missing] = strdup(func))) {
			err = -ENOMEM;
			break;
		}
		t->n_missing++;
	}
out:
	btf__free(file_btf);
	tfotrace_bpf__destroy(skel);
	return err;
}

static int attach_programs(struct tfo_tracer *t, char *why, size_t why_len,
			   FILE *log)
{
	t->links = calloc(N_PROGS, sizeof(*t->links));
	if (!t->links)
		return -ENOMEM;
	for (size_t i = 0; i < N_PROGS; i++) {
		const struct prog_spec *p = &prog_specs[i];
		struct bpf_program *prog = prog_of(t->skel, p);
		struct bpf_link *link;
		int err;

		/* iterators attach per scan */
		if (!bpf_program__autoload(prog) || p->role == ROLE_SCAN)
			continue;
		link = bpf_program__attach(prog);
		if (link) {
			t->links[t->nlinks++] = link;
			t->tfo_server_hooked |= !!(p->flags & PF_TFO_SERVER);
			t->tfo_synack_hooked |= !!(p->flags & PF_SYNACK);
			continue;
		}
		err = -errno;
		if (is_optional(p)) {
			fprintf(log, "tfotrace: warning: cannot hook %s(): %s; "
				"%s\n", tfo_prog_target(prog), strerror(-err),
				optional_loss(p));
			continue;
		}
		snprintf(why, why_len, "attach %s: %s", tfo_prog_target(prog),
			 strerror(-err));
		return err;
	}
	return 0;
}

/* Cheap first looks, so that auto mode loads the whole object only in a
 * mode that can work: for fentry, libbpf-tools' fentry_can_attach(): a
 * two-instruction program really loaded and attached on __sys_setsockopt;
 * for kprobes, the kprobe PMU. A mode that passes is still loaded for
 * real, and may fail. */
static int mode_precheck(const struct tfo_tracer *t, enum tfo_attach_mode mode,
			 char *why, size_t why_len)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = BPF_TRACE_FENTRY);
	int prog_fd, link_fd, err = 0;

	switch (mode) {
	case TFO_MODE_FENTRY:
		if (t->sys_setsockopt_btf_id < 0) {
			snprintf(why, why_len, "no __sys_setsockopt in the kernel's BTF");
			return -ENOENT;
		}
		opts.attach_btf_id = t->sys_setsockopt_btf_id;
		prog_fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns,
					sizeof(insns) / sizeof(insns[0]), &opts);
		if (prog_fd < 0) {
			err = -errno;
			if (err == -EPERM && tfo_caps_can_load_bpf())
				snprintf(why, why_len, "function tracing is locked "
					 "down on this kernel: a fentry program loads "
					 "with EPERM although tfotrace holds CAP_BPF "
					 "and CAP_PERFMON (a kernel restriction, not a "
					 "privilege you lack)");
			else
				snprintf(why, why_len, "load: %s", strerror(-err));
			return err;
		}
		link_fd = bpf_raw_tracepoint_open(NULL, prog_fd);
		if (link_fd < 0) {
			err = -errno;
			snprintf(why, why_len, "attach: %s", strerror(-err));
		} else {
			close(link_fd);
		}
		close(prog_fd);
		return err;
	case TFO_MODE_KPROBE:
		if (access("/sys/bus/event_source/devices/kprobe/type", F_OK)) {
			err = -errno;
			snprintf(why, why_len, "this kernel has no kprobes (no "
				 "kprobe PMU in /sys/bus/event_source/devices: %s)",
				 strerror(-err));
		}
		return err;
	default:
		return 0;
	}
}

static int load_object(struct tfo_tracer *t, enum tfo_attach_mode mode,
		       const struct tfo_tracer_opts *opts, char *why,
		       size_t why_len)
{
	int err;

	t->skel = open_object(t);
	if (!t->skel) {
		err = -errno;
		snprintf(why, why_len, "open BPF object: %s", strerror(-err));
		return err;
	}
	t->skel->rodata->filter_pid_count = opts->npids;
	t->skel->rodata->filter_cgroup = opts->cgroup_fd > 0;
	for (size_t i = 0; i < opts->npids; i++)
		t->skel->rodata->filter_pids[i] = opts->pids[i];
	t->skel->rodata->record_policy = opts->policy;
	t->skel->rodata->typed_loads = t->typed;
	/* a quarter of the ring, in records of the common size */
	t->skel->rodata->wakeup_batch = opts->ringbuf_bytes / 4 /
		(sizeof(struct tfo_rec_setsockopt) + 8);
	err = bpf_map__set_max_entries(t->skel->maps.events,
				       opts->ringbuf_bytes);
	if (!err)
		err = select_programs(t, mode, opts->log);
	if (err) {
		snprintf(why, why_len, "configure BPF object: %s",
			 strerror(-err));
		return err;
	}
	err = tfotrace_bpf__load(t->skel);
	if (err)
		snprintf(why, why_len, "load: %s", strerror(-err));
	return err;
}

static int try_mode(struct tfo_tracer *t, enum tfo_attach_mode mode,
		    const struct tfo_tracer_opts *opts, char *why,
		    size_t why_len)
{
	int err;

	t->mode = mode;
	t->tfo_server_hooked = false;
	t->tfo_synack_hooked = false;
	err = mode_precheck(t, mode, why, why_len);
	if (err)
		return err;
	t->typed = t->holds_kbtf && tfo_kernel_btf_typed_loads();
	err = load_object(t, mode, opts, why, why_len);
	if (err && t->typed) {
		/* a kernel whose verifier refuses the typed loads: the
		 * probe-read path works everywhere */
		tracer_detach(t);
		t->typed = false;
		err = load_object(t, mode, opts, why, why_len);
	}
	if (err)
		goto fail;
	if (opts->cgroup_fd > 0) {
		__u32 zero = 0;

		err = bpf_map__update_elem(t->skel->maps.cgroup_filter, &zero,
					   sizeof(zero), &opts->cgroup_fd,
					   sizeof(opts->cgroup_fd), BPF_ANY);
		if (err) {
			snprintf(why, why_len, "cgroup filter: %s",
				 strerror(-err));
			goto fail;
		}
	}
	err = attach_programs(t, why, why_len, opts->log);
	if (err)
		goto fail;
	return 0;
fail:
	tracer_detach(t);
	return err;
}

/* What libbpf reads to attach a syscall tracepoint: its event id, under
 * tracefs (or debugfs's copy of it). */
#define TRACEFS			"/sys/kernel/tracing"
#define EVENT_ID		"/events/syscalls/sys_exit_setsockopt/id"
#define TRACEFS_MAGIC_NUMBER	0x74726163	/* "trac", linux/magic.h */

static bool tracefs_readable(void)
{
	return !access(TRACEFS EVENT_ID, R_OK) ||
	       (access(TRACEFS, F_OK) &&
		!access("/sys/kernel/debug/tracing" EVENT_ID, R_OK));
}

/* The kernel's BTF for every object tfotrace loads (one minimized BTF
 * serves them all), and the names the tracer asks of it beyond its
 * programs' targets. */
static int kernel_btf_get(FILE *log, bool verbose, char *why, size_t why_len)
{
	static const struct tfo_kbtf_name extra[] = {
		{ .name = MPTCP_TFO_FUNC, .kind = BTF_KIND_FUNC },
	};
	struct tfo_kbtf_obj objs[2];

	objs[0].elf = tfotrace_bpf__elf_bytes(&objs[0].size);
	objs[1].elf = tfo_wire_elf(&objs[1].size);
	return tfo_kernel_btf_get(objs, 2, extra, 1, log, verbose, why,
				  why_len);
}

/* A tracer with the kernel's BTF knowledge (from the cache; or --btf's
 * file, read each time). */
static int tracer_new(struct tfo_tracer **out, const char *btf_path,
		      FILE *log, bool verbose, char *why, size_t why_len)
{
	struct tfo_tracer *t = calloc(1, sizeof(*t));
	int err;

	if (!t)
		return -ENOMEM;
	t->btf_path = btf_path;
	t->tracefs = tracefs_readable();
	if (!btf_path) {
		err = kernel_btf_get(log, verbose, why, why_len);
		if (err) {
			free(t);
			return err;
		}
		t->holds_kbtf = true;
	}
	*out = t;
	return 0;
}

int tfo_tracer_open(struct tfo_tracer **out,
		    const struct tfo_tracer_opts *opts, char *why,
		    size_t why_len)
{
	static const enum tfo_attach_mode order[] = {
		TFO_MODE_FENTRY, TFO_MODE_KPROBE, TFO_MODE_TRACEPOINT,
	};
	struct tfo_tracer *t;
	bool out_of_memory = false;
	size_t used = 0;
	int err;

	if (opts->npids > TFO_MAX_PIDS)
		return -E2BIG;
	err = tracer_new(&t, opts->btf_path, opts->log, opts->verbose, why,
			 why_len);
	if (err)
		return err;
	err = find_missing(t, why, why_len);
	if (err) {
		tfo_tracer_free(t);
		return err;
	}
	why[0] = '\0';
	err = -ENOENT;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		char one[256];

		if (opts->mode != TFO_MODE_AUTO && opts->mode != order[i])
			continue;
		err = try_mode(t, order[i], opts, one, sizeof(one));
		if (!err)
			break;
		out_of_memory |= err == -ENOMEM;
		/* Auto mode: keep every reason, the user sees why each
		 * flavour was passed over. */
		used += snprintf(why + used, why_len - used, "%s%s: %s",
				 used ? "; " : "", tfo_mode_name(order[i]),
				 one);
		if (used >= why_len)
			used = why_len - 1;
	}
	if (err) {
		tfo_tracer_free(t);
		/* a memory limit, not the kernel's abilities, is to blame */
		return out_of_memory ? -ENOMEM : err;
	}
	*out = t;
	return 0;
}

void tfo_tracer_free(struct tfo_tracer *t)
{
	if (!t)
		return;
	tracer_detach(t);
	for (size_t i = 0; i < t->n_missing; i++)
		free(t->missing[i]);
	if (t->holds_kbtf)
		tfo_kernel_btf_put();
	free(t);
}

enum tfo_attach_mode tfo_tracer_mode(const struct tfo_tracer *t)
{
	return t->mode;
}

int tfo_tracer_ringbuf_fd(const struct tfo_tracer *t)
{
	return bpf_map__fd(t->skel->maps.events);
}

uint64_t tfo_tracer_lost(const struct tfo_tracer *t)
{
	return __atomic_load_n(&t->skel->bss->lost_events, __ATOMIC_RELAXED);
}

int tfo_tracer_skipped(const struct tfo_tracer *t, uint64_t out[TFO_CALL__MAX])
{
	int ncpus = libbpf_num_possible_cpus();
	struct tfo_skipped *per_cpu;
	__u32 zero = 0;
	int err;

	memset(out, 0, TFO_CALL__MAX * sizeof(out[0]));
	if (ncpus < 0)
		return ncpus;
	per_cpu = calloc(ncpus, sizeof(*per_cpu));
	if (!per_cpu)
		return -ENOMEM;
	err = bpf_map__lookup_elem(t->skel->maps.skipped, &zero, sizeof(zero),
				   per_cpu, ncpus * sizeof(*per_cpu), 0);
	for (int cpu = 0; !err && cpu < ncpus; cpu++)
		for (int call = 0; call < TFO_CALL__MAX; call++)
			out[call] += per_cpu[cpu].calls[call];
	free(per_cpu);
	return err;
}

bool tfo_tracer_typed_loads(const struct tfo_tracer *t)
{
	return t->typed;
}

bool tfo_tracer_mptcp_takes_tfo(const struct tfo_tracer *t)
{
	return t->mptcp_tfo;
}

bool tfo_tracer_has_tfo_probes(const struct tfo_tracer *t)
{
	return t->tfo_server_hooked;
}

bool tfo_tracer_has_synack_probe(const struct tfo_tracer *t)
{
	return t->tfo_synack_hooked;
}

void tfo_tracer_shared_maps(const struct tfo_tracer *t, int *events,
			    int *owners, int *wakeup)
{
	*events = bpf_map__fd(t->skel->maps.events);
	*owners = bpf_map__fd(t->skel->maps.listener_owners);
	*wakeup = bpf_map__fd(t->skel->maps.since_wakeup);
}

int tfo_tracer_seed_owner(struct tfo_tracer *t, uint64_t ino,
			  const struct tfo_owner *owner)
{
	return bpf_map__update_elem(t->skel->maps.listener_owners, &ino,
				    sizeof(ino), owner, sizeof(*owner),
				    BPF_ANY);
}

void tfo_tracer_scan_progs(const struct tfo_tracer *t,
			   struct tfo_scan_progs *out)
{
	bool loaded = bpf_program__autoload(t->skel->progs.scan_listeners);

	out->listeners = loaded ? t->skel->progs.scan_listeners : NULL;
	out->owners = loaded ? t->skel->progs.scan_owners : NULL;
	out->inos_fd = bpf_map__fd(t->skel->maps.scan_inos);
}

int tfo_scanner_open(struct tfo_tracer **out, const char *btf_path,
		     char *why, size_t why_len)
{
	struct tfo_tracer *t;
	int err;

	err = tracer_new(&t, btf_path, stderr, false, why, why_len);
	if (err)
		return err;
	err = find_missing(t, why, why_len);
	if (err)
		goto fail;
	t->typed = t->holds_kbtf && tfo_kernel_btf_typed_loads();
	t->skel = open_object(t);
	if (!t->skel) {
		err = -errno;
		snprintf(why, why_len, "open BPF object: %s", strerror(-err));
		goto fail;
	}
	err = select_programs(t, 0, stderr);
	if (err) {
		snprintf(why, why_len, "configure BPF object: %s", strerror(-err));
		goto fail;
	}
	err = tfotrace_bpf__load(t->skel);
	if (err) {
		snprintf(why, why_len, "load the socket iterators: %s",
			 strerror(-err));
		goto fail;
	}
	*out = t;
	return 0;
fail:
	tfo_tracer_free(t);
	return err;
}

void tfo_ensure_tracefs(FILE *log, char *why, size_t why_len)
{
	struct statfs fs;
	struct stat st;

	why[0] = '\0';
	if (tracefs_readable())
		return;
	if (!statfs(TRACEFS, &fs) && fs.f_type == TRACEFS_MAGIC_NUMBER) {
		stat(TRACEFS, &st);
		snprintf(why, why_len, "tracefs at " TRACEFS " is mounted but "
			 "this process may not read it (mode %04o, owner uid %u): "
			 "run as root, or mount it with mode= or gid= that lets "
			 "this user read it", st.st_mode & 07777, st.st_uid);
		return;
	}
	if (mount("nodev", TRACEFS, "tracefs", 0, NULL) == 0) {
		fprintf(log, "tfotrace: mounted tracefs on " TRACEFS "\n");
		return;
	}
	snprintf(why, why_len, "tracefs is not mounted, and mounting it on "
		 TRACEFS " failed (%s%s)", strerror(errno),
		 errno == EPERM ? ": it needs CAP_SYS_ADMIN" : "");
}

bool tfo_tracer_raw_syscalls(const struct tfo_tracer *t)
{
	return t->mode == TFO_MODE_TRACEPOINT && !t->tracefs;
}
