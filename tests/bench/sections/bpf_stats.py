"""Where the time goes: the kernel's per-program run time.

BPF_ENABLE_STATS (on only while its fd is open; the kernel turns it off
when the fd closes, even if the bench dies) during one more paced W1 run
under the floor, tfotrace default, --all, -p OTHER and bpftrace: each
program's run count and run time (bpftool prog show). Outside the rounds:
the accounting itself adds a few tens of ns to each run.

Raw: {"rows": [under, prog, cnt, ns, lost, cpu_op, n]}.
"""

import os
import time

from lib.runner import (SETTLE_S, Bpftrace, Floor, Tfotrace, anomaly,
                        enable_bpf_stats, log, prog_stats)

from sections import syscalls

NAME = "bpf_stats"


def run(bench):
    rows = bench.raw.setdefault(NAME, {"rows": []})["rows"]
    fd = enable_bpf_stats()
    if fd is None:
        anomaly("BPF_ENABLE_STATS refused: no per-program run times")
        return
    log("diagnostics: per-program run time (bpf_stats), paced W1")
    wl = syscalls.WL["W1p-tcp"]
    try:
        for make in (lambda: Floor(bench, "floor"),
                     lambda: Tfotrace(bench, "tfotrace (default)", []),
                     lambda: Tfotrace(bench, "tfotrace --all", ["--all"]),
                     lambda: Tfotrace(bench, "tfotrace -p OTHER (W3)", [],
                                      outsider=True),
                     lambda: Bpftrace(bench, "bpftrace")):
            tracer = make()
            tracer.start()
            try:
                argv, n = bench.workload_argv(wl, "diag")
                res = bench.run_workload(argv)
                stats = prog_stats(tracer.proc.pid)
                time.sleep(SETTLE_S)
            finally:
                tracer.stop()
            for name, (cnt, ns) in sorted(stats.items()):
                rows.append(dict(under=tracer.label, prog=name, cnt=cnt,
                                 ns=ns, lost=tracer.lost,
                                 cpu_op=res["cpu_ns_per_op"], n=n))
    finally:
        os.close(fd)


def rows(R):
    return (R.section(NAME) or {}).get("rows", [])


def report(R):
    rs = rows(R)
    if not rs:
        return []
    n = rs[0]["n"]
    floor = [d["ns"] / d["cnt"] for d in rs if d["under"] == "floor"
             and d["cnt"]]
    floor = floor[0] if floor else None
    L = ["## Where the time goes: BPF program run time per call\n",
         f"Kernel bpf_stats (BPF_ENABLE_STATS) during one more paced W1 "
         f"run ({n:,} calls at {R.size['w1p_rate']:,}/s, TCP) under each, "
         "outside the rounds (the accounting adds its own few tens of "
         "ns to each run). ÷ floor's: ns per run ÷ the floor's empty "
         "program's.\n",
         "| under | program on tracepoints | runs | ns per run | ÷ floor's | "
         "records lost | workload CPU ns/call |",
         "|---|---|---|---|---|---|---|"]
    for d in rs:
        per = d["ns"] / d["cnt"] if d["cnt"] else None
        rel = (f"{per / floor:.2f}" if per is not None and floor
               and d["under"] != "floor" else "—")
        lost = "—" if d["lost"] is None else f"{d['lost']:,}"
        L.append(f"| {d['under']} | {d['prog']} | {d['cnt']:,} | "
                 f"{'—' if per is None else f'{per:.0f}'} | {rel} | "
                 f"{lost} | {d['cpu_op']:.0f} |")
    L.append("")
    return L


def goals(R):
    return []


def targets(R):
    return []
