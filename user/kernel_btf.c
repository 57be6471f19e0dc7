// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "kernel_btf.h"
#include "tfotrace.h"

#define KERNEL_BTF	"/sys/kernel/btf/vmlinux"
#define MAX_NAMES	64
#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

const char *tfo_prog_target(const struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog);
	const char *slash = strchr(sec, '/');

	return slash ? slash + 1 : sec;
}

/* Programs that attach by BTF id (fentry, fexit, iter) get their ids from
 * the cache through libbpf section handlers registered over libbpf's own: they
 * are declared to libbpf as another type and become tracing programs only
 * in the prepare-load callback, so that libbpf never parses the kernel's
 * whole BTF to find the ids itself (libbpf 1.1 has no other way). */

enum btf_attach_kind {
	ATTACH_FENTRY = 1,
	ATTACH_FEXIT,
	ATTACH_ITER,
};

static struct {
	struct tfo_kbtf kbtf;
	int users;		/* tracers holding it */
	int handlers[3];	/* libbpf handler ids, 0: none yet */
} kernel;

static const enum bpf_attach_type attach_type_of[] = {
	[ATTACH_FENTRY] = BPF_TRACE_FENTRY,
	[ATTACH_FEXIT] = BPF_TRACE_FEXIT,
	[ATTACH_ITER] = BPF_TRACE_ITER,
};

/* The kernel function a BTF-attached program needs: its target, or
 * bpf_iter_<target> for an iterator. */
static void attach_func(const struct bpf_program *prog, char *buf, size_t size)
{
	const char *sec = bpf_program__section_name(prog);

	snprintf(buf, size, "%s%s", has_prefix(sec, "iter/") ? "bpf_iter_" : "",
		 tfo_prog_target(prog));
}

static enum btf_attach_kind btf_attach_kind(const struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog);

	if (has_prefix(sec, "fentry/"))
		return ATTACH_FENTRY;
	if (has_prefix(sec, "fexit/"))
		return ATTACH_FEXIT;
	if (has_prefix(sec, "iter/"))
		return ATTACH_ITER;
	return 0;
}

static int prepare_btf_attach(struct bpf_program *prog,
			      struct bpf_prog_load_opts *opts, long cookie)
{
	enum bpf_attach_type type = attach_type_of[cookie];
	char func[80];
	int32_t id;

	attach_func(prog, func, sizeof(func));
	id = tfo_kbtf_id(&kernel.kbtf, func, BTF_KIND_FUNC);
	if (id <= 0)
		return -ESRCH;
	bpf_program__set_type(prog, BPF_PROG_TYPE_TRACING);
	bpf_program__set_expected_attach_type(prog, type);
	opts->expected_attach_type = type;
	opts->attach_btf_id = id;
	opts->attach_btf_obj_fd = 0;
	return 0;
}

static int attach_btf_prog(const struct bpf_program *prog, long cookie,
			   struct bpf_link **link)
{
	*link = cookie == ATTACH_ITER ? bpf_program__attach_iter(prog, NULL) :
		bpf_program__attach_trace(prog);
	return *link ? 0 : -errno;
}

/* Registered once for the process and never taken back: libbpf 1.1.2's
 * libbpf_unregister_prog_handler() leaves a dangling array behind when
 * the last handler goes, and the next registration corrupts the heap. */
static int register_handlers(void)
{
	static const char *const secs[] = {
		[ATTACH_FENTRY - 1] = "fentry+",
		[ATTACH_FEXIT - 1] = "fexit+",
		[ATTACH_ITER - 1] = "iter+",
	};

	if (kernel.handlers[0] > 0)
		return 0;
	for (int i = 0; i < 3; i++) {
		LIBBPF_OPTS(libbpf_prog_handler_opts, o,
			    .cookie = i + 1,
			    .prog_prepare_load_fn = prepare_btf_attach,
			    .prog_attach_fn = attach_btf_prog);
		/* any type but tracing: see above */
		int id = libbpf_register_prog_handler(secs[i],
						      BPF_PROG_TYPE_KPROBE, 0, &o);

		if (id < 0)
			return id;
		kernel.handlers[i] = id;
	}
	return 0;
}

void tfo_kernel_btf_put(void)
{
	if (--kernel.users > 0)
		return;
	tfo_kbtf_close(&kernel.kbtf);
}

/* The functions OBJ's BTF-attached programs attach to, into NAMES[*N]. */
static int attach_names(const struct tfo_kbtf_obj *obj,
			struct tfo_kbtf_name *names, size_t *n, size_t max)
{
	struct bpf_program *prog;
	struct bpf_object *o;

	o = bpf_object__open_mem(obj->elf, obj->size, NULL);
	if (!o)
		return -errno;
	bpf_object__for_each_program(prog, o) {
		if (!btf_attach_kind(prog))
			continue;
		if (*n == max) {
			bpf_object__close(o);
			return -E2BIG;
		}
		attach_func(prog, names[*n].name, sizeof(names[*n].name));
		names[(*n)++].kind = BTF_KIND_FUNC;
	}
	bpf_object__close(o);
	return 0;
}

int tfo_kernel_btf_get(const struct tfo_kbtf_obj *objs, size_t n_objs,
		       const struct tfo_kbtf_name *extra, size_t n_extra,
		       FILE *log, bool verbose, char *why, size_t why_len)
{
	static const struct tfo_kbtf_name typed[] = {
		{ .name = "bpf_rdonly_cast", .kind = BTF_KIND_FUNC },
		{ .name = "file", .kind = BTF_KIND_STRUCT },
		{ .name = "socket", .kind = BTF_KIND_STRUCT },
		{ .name = "pt_regs", .kind = BTF_KIND_STRUCT },
		{ .name = "task_struct", .kind = BTF_KIND_STRUCT },
	};
	struct tfo_kbtf_name names[MAX_NAMES];
	size_t n = 0;
	int err;

	if (kernel.users++)
		return 0;
	for (size_t i = 0; i < n_objs; i++) {
		err = attach_names(&objs[i], names, &n, MAX_NAMES);
		if (err) {
			snprintf(why, why_len, "open BPF object: %s",
				 strerror(-err));
			goto fail;
		}
	}
	if (n + ARRAY_LEN(typed) + n_extra > MAX_NAMES) {
		err = -E2BIG;
		snprintf(why, why_len, "more than %d kernel BTF names", MAX_NAMES);
		goto fail;
	}
	for (size_t i = 0; i < ARRAY_LEN(typed); i++)
		names[n++] = typed[i];
	for (size_t i = 0; i < n_extra; i++)
		names[n++] = extra[i];
	err = tfo_kbtf_open(&kernel.kbtf, names, n, objs, n_objs, NULL, NULL, why,
			    why_len);
	if (err)
		goto fail;
	if (verbose)
		fprintf(log, "tfotrace: kernel BTF: ids %s; CO-RE types from %s%s%s\n",
			kernel.kbtf.from_cache ? "from the cache" : "read from " KERNEL_BTF,
			kernel.kbtf.core_btf[0] ? kernel.kbtf.core_btf :
			"the kernel's whole BTF",
			kernel.kbtf.note[0] ? "; " : "", kernel.kbtf.note);
	err = register_handlers();
	if (err) {
		snprintf(why, why_len, "register libbpf section handlers: %s",
			 strerror(-err));
		goto fail;
	}
	return 0;
fail:
	tfo_kernel_btf_put();
	return err;
}

const char *tfo_kernel_btf_core_path(void)
{
	return kernel.users && kernel.kbtf.core_btf[0] ? kernel.kbtf.core_btf :
							 NULL;
}

int32_t tfo_kernel_btf_id(const char *name, uint32_t kind)
{
	return kernel.users ? tfo_kbtf_id(&kernel.kbtf, name, kind) : -1;
}

bool tfo_kernel_btf_typed_loads(void)
{
	return tfo_kbtf_id(&kernel.kbtf, "bpf_rdonly_cast", BTF_KIND_FUNC) > 0 &&
	       tfo_kbtf_id(&kernel.kbtf, "file", BTF_KIND_STRUCT) > 0 &&
	       tfo_kbtf_id(&kernel.kbtf, "socket", BTF_KIND_STRUCT) > 0 &&
	       tfo_kbtf_id(&kernel.kbtf, "pt_regs", BTF_KIND_STRUCT) > 0 &&
	       tfo_kbtf_id(&kernel.kbtf, "task_struct", BTF_KIND_STRUCT) > 0;
}

/* The kernel type a "r2 = placeholder" stands for; NULL: not one. */
static const char *patched_type(int32_t imm)
{
	switch (imm) {
	case TFO_PATCH_BTF_FILE:
		return "file";
	case TFO_PATCH_BTF_SOCKET:
		return "socket";
	case TFO_PATCH_BTF_PT_REGS:
		return "pt_regs";
	case TFO_PATCH_BTF_TASK:
		return "task_struct";
	default:
		return NULL;
	}
}

int tfo_kernel_btf_patch(struct bpf_program *prog, bool typed)
{
	size_t n = bpf_program__insn_cnt(prog);
	struct bpf_insn *insns;
	bool patched = false;
	int err;

	insns = malloc(n * sizeof(*insns));
	if (!insns)
		return -ENOMEM;
	memcpy(insns, bpf_program__insns(prog), n * sizeof(*insns));
	for (size_t i = 0; i < n; i++) {
		struct bpf_insn *in = &insns[i];

		if (in->code == (BPF_JMP | BPF_CALL) &&
		    in->src_reg == BPF_PSEUDO_KFUNC_CALL &&
		    in->imm == TFO_PATCH_KFUNC_RDONLY_CAST) {
			if (typed)
				in->imm = tfo_kbtf_id(&kernel.kbtf, "bpf_rdonly_cast",
						      BTF_KIND_FUNC);
			else
				*in = (struct bpf_insn){
					.code = BPF_ALU64 | BPF_MOV | BPF_X,
					.dst_reg = BPF_REG_0,
					.src_reg = BPF_REG_1 };
			patched = true;
		} else if (typed && in->code == (BPF_ALU64 | BPF_MOV | BPF_K)) {
			const char *type = patched_type(in->imm);

			if (type)
				in->imm = tfo_kbtf_id(&kernel.kbtf, type,
						      BTF_KIND_STRUCT);
		}
	}
	err = patched ? bpf_program__set_insns(prog, insns, n) : 0;
	free(insns);
	return err;
}

