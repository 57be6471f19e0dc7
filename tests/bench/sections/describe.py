"""What describing a process costs tfotrace, once per process
(tests/bench/describe.c, the program room's code linked in).

N sleeping processes, each exec'd with an environment of B bytes (a
GODEBUG among ordinary variables and padding), read the way tfotrace reads
them: the environment scanned for GODEBUG and LD_PRELOAD directly
(/proc/PID/environ) and through the broker (tfotrace's path once it is
unprivileged: a request, the broker's read, an answer), and the whole
description through the broker (the executable opened and read for Go
build information, the environment, the cgroup). Each run prints the
medians over its N processes in µs; the sizes alternate, several runs each.

The issue's goal: ≤ 50 µs per process for the usual case (a 4 KiB
environment, the whole description).

Raw: {"runs": [describe's JSON line]}.
"""

import json
import os
import subprocess

from lib import runner
from lib.runner import BenchError, describe_rc, kill_proc, log, spawn, tail
from lib.stats import Goal, median, ratio

NAME = "describe"
ENV_SIZES = (4096, 1 << 20)     # the usual case, and a 1 MiB environment
TARGET_US = 50


def run(bench):
    runs = bench.raw.setdefault(NAME, {"runs": []})["runs"]
    if not os.access(bench.describe, os.X_OK):
        raise BenchError(f"missing {bench.describe}")
    n = bench.size["describe_processes"]
    log(f"describe: {n} processes, environments of "
        f"{', '.join(str(b) for b in ENV_SIZES)} bytes")
    for _ in range(bench.size["describe_reps"]):
        for env in ENV_SIZES:
            argv = [bench.describe, "--processes", str(n), "--env-bytes",
                    str(env)]
            proc = spawn(argv, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
            try:
                out, err = proc.communicate(timeout=runner.WORKLOAD_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                kill_proc(proc)
                raise BenchError(f"{' '.join(argv)} exceeded "
                                 f"{runner.WORKLOAD_TIMEOUT_S} s")
            try:
                res = json.loads(out.strip().splitlines()[-1])
            except (ValueError, IndexError):
                res = None
            if proc.returncode != 0 or not isinstance(res, dict):
                raise BenchError(f"{' '.join(argv)}: "
                                 f"{describe_rc(proc.returncode)}: "
                                 f"{tail(err)}")
            runs.append(res)
            log(f"  env {env} bytes: environ direct "
                f"{res['environ_direct_us']} µs, broker "
                f"{res['environ_broker_us']} µs, describe "
                f"{res['describe_broker_us']} µs")


def runs_of(R, env):
    return [r for r in (R.section(NAME) or {}).get("runs", [])
            if r.get("env_bytes") == env]


def fig(R, env, key):
    return median([r.get(key) for r in runs_of(R, env)])


def size_label(b):
    return f"{b // 1024} KiB" if b < (1 << 20) else f"{b / (1 << 20):g} MiB"


def report(R):
    if not (R.section(NAME) or {}).get("runs"):
        return []
    L = ["## Describing a process (tests/bench/describe)\n",
         "Per process, µs, median over its processes and then over the runs "
         "(the sizes alternated). environ: /proc/PID/environ scanned for "
         "GODEBUG and LD_PRELOAD, directly and through the broker "
         "(tfotrace's path once it has dropped its privileges); "
         "description: the whole of it through the broker (executable read "
         "for Go build information, environment, cgroup). The processes are "
         "the bench's own binary, re-exec'd asleep.\n",
         "| environment | processes × runs | environ, direct µs | environ, "
         "broker µs | ÷ direct | description, broker µs | ÷ the 50 µs "
         "target |",
         "|---|---|---|---|---|---|---|"]
    for env in ENV_SIZES:
        rs = runs_of(R, env)
        if not rs:
            continue
        d = fig(R, env, "environ_direct_us")
        b = fig(R, env, "environ_broker_us")
        w = fig(R, env, "describe_broker_us")
        L.append(f"| {size_label(env)} | {rs[0]['processes']} × {len(rs)} | "
                 f"{d:,.1f} | {b:,.1f} | {ratio(b, d):.2f}× | {w:,.1f} | "
                 f"{w / TARGET_US:.2f}× |")
    L.append("")
    return L


def goals(R):
    w = fig(R, 4096, "describe_broker_us")
    big = fig(R, 1 << 20, "describe_broker_us")
    if w != w:
        return [Goal(f"describe ≤ {TARGET_US} µs per process (4 KiB "
                     "environment)", "—", f"≤ {TARGET_US} µs", None)]
    extra = f"; 1 MiB environment: {big:,.0f} µs" if big == big else ""
    return [Goal(f"describe ≤ {TARGET_US} µs per process, the usual case "
                 "(4 KiB environment, whole description through the broker)",
                 f"{w:,.1f} µs{extra}", f"≤ {TARGET_US} µs",
                 w <= TARGET_US)]


def targets(R):
    return []
