#!/usr/bin/env python3
"""Start-up alone: exec -> ready file and VmHWM at ready, tfotrace with a
cold BTF cache (a new empty TFOTRACE_CACHE_DIR each time) and a warm one,
against the floor (tests/bench/floor.c: a bare libbpf loader, empty
programs on tfotrace's tracepoints), alternated, medians.

    python3 tests/bench/startup.py [--rounds N] [--tfotrace [LABEL=]PATH]...
                                   [-- ARG...]

--tfotrace more than once compares builds in the same rounds. ARGs go to
tfotrace. Root only. Builds nothing: `make` and
`make -f tests/bench/Makefile` first. A paravirtualized guest's timings
vary from day to day: compare within one run (ratios to the floor).
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import runner as B  # noqa: E402  (the bench's shared runner)


def start(argv, ready, env=None):
    """(seconds exec -> ready, VmHWM KiB at ready); stops the process."""
    t0 = time.monotonic()
    proc = B.spawn(argv + ["--ready-file", ready],
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env=env)
    try:
        B.wait_file(ready, proc, B.READY_TIMEOUT_S)
        took = time.monotonic() - t0
        hwm = B.vm_hwm_kib(proc.pid)
    finally:
        proc.send_signal(2)
        try:
            proc.wait(timeout=B.STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            B.kill_proc(proc)
    return took, hwm


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--tfotrace", action="append", default=[],
                    help="[LABEL=]PATH, default build/tfotrace; repeat to compare")
    ap.add_argument("args", nargs="*")
    a = ap.parse_args()
    builds = []
    for spec in a.tfotrace or [os.path.join(B.ROOT, "build", "tfotrace")]:
        label, _, path = spec.rpartition("=")
        builds.append((label or "tfotrace", path))
    floor = os.path.join(B.OUT, "floor")
    hooks, _ = B.tracepoint_hooks()
    tmp = tempfile.mkdtemp(prefix="tfotrace-startup-")
    ready = os.path.join(tmp, "ready")
    res = {}
    try:
        warm = {}
        for label, path in builds:
            warm[label] = os.path.join(tmp, "warm-" + str(len(warm)))
            os.mkdir(warm[label], 0o700)
            start([path] + a.args, ready,
                  dict(os.environ, TFOTRACE_CACHE_DIR=warm[label]))   # fills it
        for _ in range(a.rounds):
            res.setdefault("floor", []).append(start([floor] + hooks, ready))
            for label, path in builds:
                cold = tempfile.mkdtemp(dir=tmp)
                for kind, cache in (("cold", cold), ("warm", warm[label])):
                    res.setdefault(f"{label} {kind}", []).append(
                        start([path] + a.args, ready,
                              dict(os.environ, TFOTRACE_CACHE_DIR=cache)))
                shutil.rmtree(cold)
    finally:
        B.kill_all_started()
        shutil.rmtree(tmp, ignore_errors=True)
    fl = statistics.median(t for t, _ in res["floor"])
    print(f"# {a.rounds} alternated rounds, medians (min-max); tfotrace {' '.join(a.args)}")
    print("| | ready ms | x floor | VmHWM at ready MiB |")
    print("|---|---:|---:|---:|")
    for name, runs in res.items():
        ts = [t * 1000 for t, _ in runs]
        hs = [h / 1024 for _, h in runs if h]
        print(f"| {name} | {statistics.median(ts):.1f} ({min(ts):.1f}-{max(ts):.1f}) "
              f"| {statistics.median(ts) / 1000 / fl:.2f} "
              f"| {statistics.median(hs):.1f} ({min(hs):.1f}-{max(hs):.1f}) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
