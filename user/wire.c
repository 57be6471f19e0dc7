// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cgroup.h"
#include "kernel_btf.h"
#include "wire.h"
#include "wire.skel.h"

struct tfo_wire {
	struct wire_bpf *skel;
	struct bpf_link *links[4];
	char cgroup[PATH_MAX];
};

const void *tfo_wire_elf(size_t *size)
{
	return wire_bpf__elf_bytes(size);
}

static int reuse(struct bpf_map *map, int fd, const char *name, char *why,
		 size_t why_len)
{
	int err = bpf_map__reuse_fd(map, fd);

	if (err)
		snprintf(why, why_len, "share the tracer's %s: %s", name,
			 strerror(-err));
	return err;
}

static int load(struct tfo_wire *w, const struct tfo_wire_opts *opts,
		char *why, size_t why_len)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = opts->btf_path);
	struct wire_bpf *skel;
	int err;

	if (!oo.btf_custom_path)
		oo.btf_custom_path = tfo_kernel_btf_core_path();
	skel = wire_bpf__open_opts(&oo);
	if (!skel) {
		err = -errno;
		snprintf(why, why_len, "open BPF object: %s", strerror(-err));
		return err;
	}
	w->skel = skel;
	skel->rodata->filter_pid_count = opts->npids;
	for (size_t i = 0; i < opts->npids && i < TFO_MAX_PIDS; i++)
		skel->rodata->filter_pids[i] = opts->pids[i];
	skel->rodata->record_policy = opts->policy;
	skel->rodata->wakeup_batch = opts->ringbuf_bytes / 4 /
		(sizeof(struct tfo_rec_wire) + 8);
	err = bpf_map__set_max_entries(skel->maps.events, opts->ringbuf_bytes);
	if (err) {
		snprintf(why, why_len, "configure BPF object: %s", strerror(-err));
		return err;
	}
	err = reuse(skel->maps.events, opts->events_fd, "ring buffer", why,
		    why_len);
	if (!err)
		err = reuse(skel->maps.listener_owners, opts->owners_fd,
			    "listener owners", why, why_len);
	if (!err)
		err = reuse(skel->maps.since_wakeup, opts->wakeup_fd,
			    "wakeup count", why, why_len);
	if (err)
		return err;
	err = wire_bpf__load(skel);
	if (err == -EPERM)
		snprintf(why, why_len, "its cgroup_skb and cgroup/connect programs need CAP_NET_ADMIN (or CAP_SYS_ADMIN) besides CAP_BPF and CAP_PERFMON");
	else if (err)
		snprintf(why, why_len, "load: %s", strerror(-err));
	return err;
}

static int attach(struct tfo_wire *w, int cgroup_fd, char *why,
		  size_t why_len)
{
	struct bpf_program *progs[] = {
		w->skel->progs.wire_ingress, w->skel->progs.wire_egress,
		w->skel->progs.wire_connect4, w->skel->progs.wire_connect6,
	};

	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		w->links[i] = bpf_program__attach_cgroup(progs[i], cgroup_fd);
		if (!w->links[i]) {
			int err = -errno;

			snprintf(why, why_len, "attach %s to %s: %s",
				 bpf_program__name(progs[i]), w->cgroup,
				 strerror(-err));
			return err;
		}
	}
	return 0;
}

int tfo_wire_open(struct tfo_wire **out, const struct tfo_wire_opts *opts,
		  char *why, size_t why_len)
{
	struct tfo_wire *w = calloc(1, sizeof(*w));
	int cgroup_fd = opts->cgroup_fd, own_fd = -1, err;

	if (!w)
		return -ENOMEM;
	if (cgroup_fd <= 0) {
		err = tfo_cgroup_root(w->cgroup, sizeof(w->cgroup));
		if (err) {
			snprintf(why, why_len, "no cgroup v2 hierarchy is mounted (/proc/self/mounts has no cgroup2)");
			goto fail;
		}
		own_fd = open(w->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (own_fd < 0) {
			err = -errno;
			snprintf(why, why_len, "open %s: %s", w->cgroup,
				 strerror(-err));
			goto fail;
		}
		cgroup_fd = own_fd;
	} else {
		snprintf(w->cgroup, sizeof(w->cgroup), "the --cgroup directory");
	}
	err = load(w, opts, why, why_len);
	if (!err)
		err = attach(w, cgroup_fd, why, why_len);
	if (own_fd >= 0)
		close(own_fd);	/* the links hold the cgroup */
	if (err)
		goto fail;
	*out = w;
	return 0;
fail:
	tfo_wire_free(w);
	return err;
}

void tfo_wire_free(struct tfo_wire *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < sizeof(w->links) / sizeof(w->links[0]); i++)
		bpf_link__destroy(w->links[i]);
	wire_bpf__destroy(w->skel);
	free(w);
}

const char *tfo_wire_cgroup(const struct tfo_wire *w)
{
	return w->cgroup;
}

uint64_t tfo_wire_lost(const struct tfo_wire *w)
{
	return __atomic_load_n(&w->skel->bss->lost_events, __ATOMIC_RELAXED);
}

int tfo_wire_skipped(const struct tfo_wire *w, uint64_t out[TFO_WIRE__MAX])
{
	int ncpu = libbpf_num_possible_cpus();
	struct tfo_wire_skipped *per_cpu;
	uint32_t zero = 0;
	int err;

	memset(out, 0, TFO_WIRE__MAX * sizeof(*out));
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	per_cpu = calloc(ncpu, sizeof(*per_cpu));
	if (!per_cpu)
		return -ENOMEM;
	err = bpf_map__lookup_elem(w->skel->maps.wire_skipped, &zero,
				   sizeof(zero), per_cpu,
				   ncpu * sizeof(*per_cpu), 0);
	for (int c = 0; !err && c < ncpu; c++)
		for (int i = 0; i < TFO_WIRE__MAX; i++)
			out[i] += per_cpu[c].packets[i];
	free(per_cpu);
	return err;
}
