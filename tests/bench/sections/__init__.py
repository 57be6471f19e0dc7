"""The benchmark's sections, one module per workload or measurement. Each
has NAME and:

    run(bench)   measures, storing its raw results in bench.raw[NAME]
                 (JSON: a saved run regenerates the report);
    report(R)    its part of RESULTS.md (markdown lines) from the raw
                 results (R: lib.report.Results);
    goals(R)     the issue's goals it judges (lib.stats.Goal);
    targets(R)   the bench's earlier targets it reports (lines).

    syscalls   the floor and the syscall-cost workloads, alternated rounds
    startup    exec → ready, cold and warm, beside the bare loader
    events     tfotrace's CPU per delivered event and per call
    journal    lines written as the systemd unit runs it
    bpf_stats  the kernel's per-program run time (BPF_ENABLE_STATS)
    memory     peak RSS (VmHWM), from the others' runs
    describe   describing a process (the environment through the broker)
    handshake  THE HANDSHAKE OBSERVER'S SLOT: its workloads, its goals
    vm_guest   the attach modes in Debian 12's kernel (tests/bench/vm.py)
"""

from sections import (bpf_stats, describe, events, handshake, journal,
                      memory, startup, syscalls, vm_guest)

# The order they run in: the rounds first, as always; the VM last.
RUN = [syscalls, startup, events, journal, bpf_stats, describe, handshake,
       vm_guest]
# The order the report shows them in.
REPORT = [syscalls, bpf_stats, events, startup, memory, journal, describe,
          handshake, vm_guest]
BY_NAME = {m.NAME: m for m in RUN + [memory]}
# The order the goals are listed in: as the issue lists them.
GOALS = [startup, memory, syscalls, events, describe, handshake]
