// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The floor of tfotrace's attach modes: programs that do nothing, attached
 * by tests/bench/floor.c where its command line says. What the mechanism
 * alone costs a traced call is then the floor's cost; anything tfotrace
 * costs above it is its own.
 *   floor_empty: tracepoint mode's floor, attached to each syscall
 *     tracepoint named (the tracepoint, the slow syscall path it forces on
 *     every task, the BPF program dispatch);
 *   floor_fexit: fentry mode's floor, an fexit (BPF trampoline) on each
 *     kernel function named with --fexit, e.g. __sys_setsockopt.
 *
 * The lists are not here: tests/bench/run.py reads the tracepoints from the
 * tp_* programs of bpf/tfotrace.bpf.c each run, so the two stay equal, and
 * checks what both really attached (bpftool perf list); tests/bench/vm.py
 * names the fexit target.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* No category/name: attached by hand, once per tracepoint. */
SEC("tracepoint")
int floor_empty(void *ctx)
{
	return 0;
}

/* No target: floor.c sets it (bpf_program__set_attach_target) before load.
 * An fexit program is tied to one function, so floor.c loads one copy of
 * the object per --fexit target. */
SEC("fexit")
int floor_fexit(void *ctx)
{
	return 0;
}
