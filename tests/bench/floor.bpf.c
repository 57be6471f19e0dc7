// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The floor of tfotrace's tracepoint mode: a program that does nothing,
 * attached by tests/bench/floor.c to each tracepoint named on its command
 * line. What the mechanism alone costs a traced call (the tracepoint, the
 * slow syscall path it forces on every task, the BPF program dispatch) is
 * then the floor's cost; anything tfotrace costs above it is its own.
 *
 * The list of tracepoints is not here: tests/bench/run.py reads it from the
 * tp_* programs of bpf/tfotrace.bpf.c each run, so the two stay equal, and
 * checks what both really attached (bpftool perf list).
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
