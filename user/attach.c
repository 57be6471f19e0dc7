// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "names.h"
#include "tfotrace.skel.h"

#define MAX_OPTIONAL 32

struct tfo_tracer {
	struct tfotrace_bpf *skel;
	const char *btf_path;
	int sys_setsockopt_btf_id;	/* for the cheap fentry probe; <0 none */
	/* optional hook targets this kernel lacks, found once up front */
	char *missing[MAX_OPTIONAL];
	size_t n_missing;
	struct bpf_link **links;
	size_t nlinks;
	enum tfo_attach_mode mode;
	bool tfo_server_hooked;
};

static const char *const mode_prefix[TFO_MODE__MAX] = {
	[TFO_MODE_FENTRY] = "fentry_",
	[TFO_MODE_KPROBE] = "kprobe_",
	[TFO_MODE_TRACEPOINT] = "tp_",
};

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Optional hooks: which layer failed a setsockopt, and the TFO functions.
 * Without them the tool still traces the calls. */
static bool is_optional_prog(const char *name)
{
	return strstr(name, "_layer_") || strstr(name, "_tfo_") ||
	       has_prefix(name, "any_");
}

static const char *optional_loss(const char *name)
{
	if (has_prefix(name, "any_"))
		return "closed listeners stay in the owner table until it is full";
	return strstr(name, "_layer_") ?
	       "its setsockopt errors will not be attributed to it" :
	       "TCP Fast Open events from it will be missing";
}

/* "fexit/mptcp_setsockopt" -> "mptcp_setsockopt" */
static const char *prog_target(const struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog);
	const char *slash = strchr(sec, '/');

	return slash ? slash + 1 : sec;
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

static int select_programs(struct tfo_tracer *t, enum tfo_attach_mode mode,
			   FILE *log)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, t->skel->obj) {
		const char *name = bpf_program__name(prog);
		bool load = has_prefix(name, mode_prefix[mode]) ||
			    has_prefix(name, "any_") ||
			    /* libbpf finds an iterator's target in the kernel's
			     * own BTF file, never in --btf's */
			    (has_prefix(name, "scan_") &&
			     !access("/sys/kernel/btf/vmlinux", R_OK));

		if (load && is_optional_prog(name) &&
		    kernel_lacks(t, prog_target(prog))) {
			fprintf(log, "tfotrace: warning: %s() is not in this "
				"kernel: %s\n", prog_target(prog),
				optional_loss(name));
			load = false;
		}
		if (bpf_program__set_autoload(prog, load))
			return -EINVAL;
	}
	return 0;
}

/* Which optional hooks' functions the kernel's BTF lacks. Done once and
 * the BTF freed before any object loads: libbpf parses its own copy, and
 * two at once would double tfotrace's peak memory. */
/* The object, opened against the kernel's BTF or the file given. */
static struct tfotrace_bpf *open_object(const char *btf_path)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf_path);

	return tfotrace_bpf__open_opts(&opts);
}

static int find_missing(struct tfo_tracer *t, char *why, size_t why_len)
{
	struct tfotrace_bpf *skel = open_object(t->btf_path);
	struct bpf_program *prog;
	struct btf *vmlinux;
	int err = 0;

	if (!skel) {
		err = -errno;
		snprintf(why, why_len, "open BPF object: %s", strerror(-err));
		return err;
	}
	vmlinux = t->btf_path ? btf__parse(t->btf_path, NULL) :
				btf__load_vmlinux_btf();
	if (!vmlinux) {
		char msg[128];

		err = -errno;
		/* libbpf's own codes (not ELF, bad format) are above 4000 */
		libbpf_strerror(err, msg, sizeof(msg));
		snprintf(why, why_len, "cannot read the kernel's BTF%s%s: %s",
			 t->btf_path ? " from " : "",
			 t->btf_path ? t->btf_path : "", msg);
		goto out;
	}
	t->sys_setsockopt_btf_id = btf__find_by_name_kind(vmlinux,
							  "__sys_setsockopt",
							  BTF_KIND_FUNC);
	bpf_object__for_each_program(prog, skel->obj) {
		const char *func = prog_target(prog);

		/* tracepoints are no kernel functions: attaching tells */
		if (!is_optional_prog(bpf_program__name(prog)) ||
		    has_prefix(bpf_program__section_name(prog), "tracepoint/") ||
		    kernel_lacks(t, func) ||
		    btf__find_by_name_kind(vmlinux, func, BTF_KIND_FUNC) >= 0)
			continue;
		if (t->n_missing == MAX_OPTIONAL ||
		    !(t->missing[t->n_missing] = strdup(func))) {
			err = -ENOMEM;
			break;
		}
		t->n_missing++;
	}
	btf__free(vmlinux);
out:
	tfotrace_bpf__destroy(skel);
	return err;
}

static int attach_programs(struct tfo_tracer *t, char *why, size_t why_len,
			   FILE *log)
{
	struct bpf_program *prog;
	size_t cap = 0;

	bpf_object__for_each_program(prog, t->skel->obj)
		cap++;
	t->links = calloc(cap, sizeof(*t->links));
	if (!t->links)
		return -ENOMEM;
	bpf_object__for_each_program(prog, t->skel->obj) {
		struct bpf_link *link;
		int err;

		if (!bpf_program__autoload(prog) ||
		    has_prefix(bpf_program__name(prog), "scan_"))
			continue;	/* iterators attach per scan */
		link = bpf_program__attach(prog);
		if (link) {
			t->links[t->nlinks++] = link;
			if (strstr(bpf_program__name(prog), "_tfo_server_exit"))
				t->tfo_server_hooked = true;
			continue;
		}
		err = -errno;
		if (is_optional_prog(bpf_program__name(prog))) {
			fprintf(log, "tfotrace: warning: cannot hook %s(): %s; "
				"%s\n", prog_target(prog), strerror(-err),
				optional_loss(bpf_program__name(prog)));
			continue;
		}
		snprintf(why, why_len, "attach %s: %s", prog_target(prog),
			 strerror(-err));
		return err;
	}
	return 0;
}

/* Cheap first looks, so that auto mode loads the whole object (its CO-RE
 * relocations are most of tfotrace's start-up) only in a mode that can
 * work: for fentry, libbpf-tools' fentry_can_attach(): a two-instruction
 * program really loaded and attached on __sys_setsockopt; for kprobes, the
 * kprobe PMU. A mode that passes is still loaded for real, and may fail. */
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
			snprintf(why, why_len, "no kprobe PMU: %s", strerror(-err));
		}
		return err;
	default:
		return 0;
	}
}

static int try_mode(struct tfo_tracer *t, enum tfo_attach_mode mode,
		    const struct tfo_tracer_opts *opts, char *why,
		    size_t why_len)
{
	int err;

	t->mode = mode;
	t->tfo_server_hooked = false;
	err = mode_precheck(t, mode, why, why_len);
	if (err)
		return err;
	t->skel = open_object(t->btf_path);
	if (!t->skel) {
		err = -errno;
		snprintf(why, why_len, "open BPF object: %s", strerror(-err));
		return err;
	}
	t->skel->rodata->filter_pid_count = opts->npids;
	t->skel->rodata->filter_cgroup = opts->cgroup_fd > 0;
	for (size_t i = 0; i < opts->npids; i++)
		t->skel->rodata->filter_pids[i] = opts->pids[i];
	err = bpf_map__set_max_entries(t->skel->maps.events,
				       opts->ringbuf_bytes);
	if (!err)
		err = select_programs(t, mode, opts->log);
	if (err) {
		snprintf(why, why_len, "configure BPF object: %s",
			 strerror(-err));
		goto fail;
	}
	err = tfotrace_bpf__load(t->skel);
	if (err) {
		snprintf(why, why_len, "load: %s", strerror(-err));
		goto fail;
	}
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
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->btf_path = opts->btf_path;
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

bool tfo_tracer_has_tfo_probes(const struct tfo_tracer *t)
{
	return t->tfo_server_hooked;
}

int tfo_tracer_seed_owner(struct tfo_tracer *t, uint64_t ino,
			  const struct tfo_owner *owner)
{
	return bpf_map__update_elem(t->skel->maps.listener_owners, &ino,
				    sizeof(ino), owner, sizeof(*owner),
				    BPF_ANY);
}

const struct bpf_program *tfo_tracer_iter(const struct tfo_tracer *t)
{
	return bpf_program__autoload(t->skel->progs.scan_listeners) ?
	       t->skel->progs.scan_listeners : NULL;
}

int tfo_scanner_open(struct tfo_tracer **out, const char *btf_path,
		     char *why, size_t why_len)
{
	struct tfo_tracer *t = calloc(1, sizeof(*t));
	struct bpf_program *prog;
	int err;

	if (!t)
		return -ENOMEM;
	t->skel = open_object(btf_path);
	if (!t->skel) {
		err = -errno;
		snprintf(why, why_len, "open BPF object: %s", strerror(-err));
		goto fail;
	}
	bpf_object__for_each_program(prog, t->skel->obj)
		bpf_program__set_autoload(prog, has_prefix(bpf_program__name(prog),
							   "scan_"));
	err = tfotrace_bpf__load(t->skel);
	if (err) {
		snprintf(why, why_len, "load the socket iterator: %s",
			 strerror(-err));
		goto fail;
	}
	*out = t;
	return 0;
fail:
	tfo_tracer_free(t);
	return err;
}

/* libbpf finds tracepoints through tracefs; a minimal system may not
 * have it mounted. */
void tfo_ensure_tracefs(FILE *log)
{
	if (access("/sys/kernel/tracing/events", F_OK) == 0 ||
	    access("/sys/kernel/debug/tracing/events", F_OK) == 0)
		return;
	if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0)
		fprintf(log, "tfotrace: mounted tracefs on /sys/kernel/tracing\n");
	else
		fprintf(log, "tfotrace: warning: tracefs is not mounted and mounting it failed (%s): tracepoint mode will not work\n",
			strerror(errno));
}
