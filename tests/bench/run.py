#!/usr/bin/env python3
"""tfotrace's benchmark: what tracing costs the traced, against the floor.

    python3 tests/bench/run.py [--rounds N] [--quick] [--tfotrace PATH]
                               [--no-build] [--only S1,S2] [--no-vm]
                               [--out PATH] [--raw PATH]
    python3 tests/bench/run.py --report-only [RAW]

`make bench` runs it (BENCH_ARGS=--quick or QUICK=1: the quick mode).
Root only (BPF, network namespaces). Python standard library only. Builds
build/bench/ with tests/bench/Makefile (bench_load, the workloads; floor,
the empty BPF programs; describe) and build/tfotrace and
build/tests/tfo_scenario with the top Makefile; reads the tracepoints of
tfotrace's tracepoint mode from the tp_* programs of bpf/tfotrace.bpf.c
(the one place the list lives), starts tfotrace and the floor once each
and checks with `bpftool perf list` what both attached (that first start
fills the BTF cache every later "warm" start reads); then runs the
sections (tests/bench/sections/, one module per measurement), in order:

    syscalls   the floor and the syscall-cost workloads (W1, W1p, W2, W3)
               under every configuration, alternated rounds
    startup    exec → ready, cold and warm cache, beside the bare loader
    events     tfotrace's CPU per delivered event and per call made
    journal    lines written as the systemd unit runs it
    bpf_stats  the kernel's per-program run time (BPF_ENABLE_STATS)
    describe   describing a process: the environment through the broker
    handshake  the handshake observer's slot: bulk and connection rate
    vm_guest   the attach modes in Debian 12's kernel (tests/bench/vm.py,
               which writes tests/bench/RESULTS-vm.md)

(memory, peak RSS, reports what the others read.) Then it saves the raw
figures to tests/bench/RESULTS.json and writes tests/bench/RESULTS.md
(lib/report.py: the header, the issue's goals met or missed, each
section's tables) and prints it; --report-only regenerates RESULTS.md from
a saved RESULTS.json, measuring nothing. Nothing is asserted on timings:
exit status 1 only when something failed to run (a tool that crashed, hung
or would not attach).

A full run takes about 12 minutes on these 2-CPU machines (the VM about 2
of them); --quick (small N, 2 rounds) about 4, a smoke test. Every process
started here is tracked and killed by its pid at the end; every wait is
bounded.
"""

import argparse
import os
import sys
import time

from lib import report, runner
from lib.runner import BenchError, anomaly, log
import sections


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=0,
                    help="rounds of the alternated configurations "
                         "(default 5, 2 with --quick)")
    ap.add_argument("--quick", action="store_true",
                    help="small N, 2 rounds: a smoke test")
    ap.add_argument("--tfotrace", help="the binary (default build/tfotrace)")
    ap.add_argument("--no-build", action="store_true",
                    help="do not run make first")
    ap.add_argument("--only", metavar="SECTIONS",
                    help="run only these sections, comma-separated ("
                         f"{', '.join(m.NAME for m in sections.RUN)})")
    ap.add_argument("--no-vm", action="store_true",
                    help="skip the qemu guest (vm_guest)")
    ap.add_argument("--out", default=runner.RESULTS,
                    help="the report (default tests/bench/RESULTS.md)")
    ap.add_argument("--raw", default=runner.RAW,
                    help="the raw results, JSON (default "
                         "tests/bench/RESULTS.json)")
    ap.add_argument("--report-only", nargs="?", const="", metavar="RAW",
                    help="measure nothing: write the report from saved raw "
                         "results (default: --raw's file)")
    args = ap.parse_args()
    if args.rounds < 0 or args.rounds > 100:
        ap.error("--rounds: 1 to 100")
    names = [m.NAME for m in sections.RUN]
    if args.only:
        args.only = [s.strip() for s in args.only.split(",") if s.strip()]
        bad = [s for s in args.only if s not in names]
        if bad:
            ap.error(f"--only: no section {', '.join(bad)} (sections: "
                     f"{', '.join(names)})")
    else:
        args.only = names
    if args.no_vm:
        args.only = [s for s in args.only if s != "vm_guest"]
    return args


def write_report(raw, out):
    text = report.markdown(raw)
    with open(out, "w") as f:
        f.write(text)
    print(text)
    log(f"written to {os.path.relpath(out)}")


def main():
    args = parse_args()
    if args.report_only is not None:
        path = args.report_only or args.raw
        try:
            raw = report.load(path)
        except (OSError, ValueError) as exc:
            print(f"bench: {exc}", file=sys.stderr)
            return 1
        write_report(raw, args.out)
        return 0
    if os.geteuid() != 0:
        print("bench: needs root (BPF, network namespaces)", file=sys.stderr)
        return 1

    t0 = time.monotonic()
    bench = runner.Bench(args)
    status, ran = 0, []
    try:
        bench.build()
        bench.machine()
        bench.tracefs()
        bench.prepare_hooks()
        bench.verify_hooks()
        for mod in sections.RUN:
            if mod.NAME in args.only:
                bench.check_foreign(f"starting {mod.NAME}")
                mod.run(bench)
                ran.append(mod.NAME)
        bench.check_foreign("at the end")
    except BenchError as exc:
        anomaly(f"run aborted: {exc}")
        status = 1
    except KeyboardInterrupt:
        anomaly("run interrupted")
        status = 130
    finally:
        runner.kill_all_started()
    elapsed = time.monotonic() - t0
    if len(ran) < len(args.only) or status:
        complete = False
    else:
        complete = True
    raw = {"format": report.FORMAT, "info": bench.info,
           "run": dict(elapsed_s=elapsed, complete=complete, status=status,
                       sections_run=ran, anomalies=runner.ANOMALIES,
                       bpftrace_repeats=bench.bpftrace_repeats),
           "sections": bench.raw}
    if any(v for v in bench.raw.values()):
        report.save(raw, args.raw)
        write_report(raw, args.out)
        log(f"raw results in {os.path.relpath(args.raw)}; the run took "
            f"{elapsed:.0f} s")
    else:
        for a in runner.ANOMALIES:
            print(a, file=sys.stderr)
    bench.cleanup()
    return status


if __name__ == "__main__":
    sys.exit(main())
