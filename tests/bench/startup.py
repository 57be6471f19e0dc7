#!/usr/bin/env python3
"""Start-up alone: exec -> ready file and VmHWM at ready, tfotrace with a
cold BTF cache (a new empty TFOTRACE_CACHE_DIR each time) and a warm one,
against the floor (tests/bench/floor.c: a bare libbpf loader, empty
programs on tfotrace's tracepoints), alternated, medians.

    python3 tests/bench/startup.py [--rounds N] [--tfotrace PATH]
                                   [--label TEXT] [ARG...]

ARGs go to tfotrace. Root only. Builds nothing: `make` and
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
import run as B  # noqa: E402  (tests/bench/run.py's helpers)


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
    ap.add_argument("--tfotrace", default=os.path.join(B.ROOT, "build", "tfotrace"))
    ap.add_argument("--label", default="")
    ap.add_argument("args", nargs="*")
    a = ap.parse_args()
    floor = os.path.join(B.OUT, "floor")
    hooks, _ = B.tracepoint_hooks()
    tmp = tempfile.mkdtemp(prefix="tfotrace-startup-")
    warm = os.path.join(tmp, "warm")
    os.mkdir(warm, 0o700)
    ready = os.path.join(tmp, "ready")
    res = {}
    try:
        env = dict(os.environ, TFOTRACE_CACHE_DIR=warm)
        start([a.tfotrace] + a.args, ready, env)        # fills the warm cache
        for _ in range(a.rounds):
            cold = tempfile.mkdtemp(dir=tmp)
            runs = [
                ("floor", [floor] + hooks, None),
                ("cold", [a.tfotrace] + a.args, dict(os.environ, TFOTRACE_CACHE_DIR=cold)),
                ("warm", [a.tfotrace] + a.args, env),
            ]
            for name, argv, e in runs:
                res.setdefault(name, []).append(start(argv, ready, e))
            shutil.rmtree(cold)
    finally:
        B.kill_all_started()
        shutil.rmtree(tmp, ignore_errors=True)
    fl = statistics.median(t for t, _ in res["floor"])
    print(f"# {a.label} {len(res['floor'])} alternated rounds, medians "
          f"(min-max); tfotrace {' '.join(a.args)}")
    print("| | ready ms | x floor | VmHWM at ready MiB |")
    print("|---|---:|---:|---:|")
    for name in ("floor", "warm", "cold"):
        ts = [t * 1000 for t, _ in res[name]]
        hs = [h / 1024 for _, h in res[name] if h]
        print(f"| {name} | {statistics.median(ts):.1f} ({min(ts):.1f}-{max(ts):.1f}) "
              f"| {statistics.median(ts) / 1000 / fl:.2f} "
              f"| {statistics.median(hs):.1f} ({min(hs):.1f}-{max(hs):.1f}) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
