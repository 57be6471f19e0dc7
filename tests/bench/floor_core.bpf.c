// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The bare loader's CO-RE variant (floor --core): the floor's empty
 * tracepoint program with one CO-RE read in it, so that libbpf resolves a
 * relocation against the kernel's BTF, which it parses whole at every
 * start. What any libbpf CO-RE tool with no BTF cache pays to start;
 * tests/bench/sections/startup.py compares tfotrace's cold start with it.
 * Only its start-up is measured: it is never attached during a workload.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tracepoint")
int floor_core(void *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();

	return BPF_CORE_READ(task, tgid) == 0;
}
