"""Start-up: exec → ready, alternated, several times each.

tfotrace (--ready-file) with a cold BTF cache (a new empty
TFOTRACE_CACHE_DIR each time: it parses the kernel's BTF and runs bpftool
gen min_core_btf) and a warm one, by default and with --all, and with
--attach tracepoint (no mode probing); the bare loader beside it: the
floor (tests/bench/floor: libbpf, empty programs on tfotrace's syscall
tracepoints, no CO-RE, so it never reads the kernel's BTF) and the floor
with one CO-RE read (floor --core: libbpf parses the kernel's BTF at every
start, as a libbpf CO-RE tool without a BTF cache does); bpftrace
("Attaching" printed, and all its probes attached by bpftool). VmHWM at
ready into the shared hwm (start-KEY), reported by the memory section.

Raw: {"ready": {key: [seconds]}, "start_cpu": {key: [[CPU to ready s,
CPU ready → exit s]]}}.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time

from lib import runner
from lib.runner import (BenchError, Floor, Tfotrace, anomaly, describe_rc,
                        kill_proc, log, perf_tracepoints, sigint_nudging,
                        spawn, vm_hwm_kib)
from lib.stats import Goal, fmt_ratio, median, ratio, verdict

NAME = "startup"

# tfotrace's starts, in the order alternated: key, options, cold cache
RUNS = [("default-cold", [], True), ("default-warm", [], False),
        ("all-cold", ["--all"], True), ("all-warm", ["--all"], False),
        ("tp-warm", ["--attach", "tracepoint"], False)]


def run(bench):
    raw = bench.raw.setdefault(NAME, {"ready": {}, "start_cpu": {}})
    ready, start_cpu = raw["ready"], raw["start_cpu"]
    n = bench.size["startup"]
    log(f"startup: {n} times each")
    for _ in range(n):
        for key, extra, cold in RUNS:
            cache = None
            if cold:
                cache = tempfile.mkdtemp(prefix="cache-cold-", dir=bench.tmp)
            before = sorted(os.listdir(cache or bench.cache_warm))
            t = Tfotrace(bench, f"tfotrace {' '.join(extra)}", extra,
                         cache=cache)
            t.start()
            t.stop()
            after = sorted(os.listdir(cache or bench.cache_warm))
            if cold and not after:
                anomaly(f"cold start ({key}) wrote nothing to its cache")
            if not cold and before != after:
                anomaly(f"warm start ({key}) changed the cache: "
                        f"{before} -> {after}")
            if cache:
                shutil.rmtree(cache, ignore_errors=True)
            ready.setdefault(key, []).append(t.ready_s)
            start_cpu.setdefault(key, []).append(
                (t.cpu0 / 1e9 if t.cpu0 is not None else None,
                 t.cpu_total_s))
            if t.hwm_ready_kib:
                bench.hwm.setdefault("start-" + key, []).append(
                    t.hwm_ready_kib)
        for key, core in (("floor", False), ("floor-core", True)):
            fl = Floor(bench, "floor --core" if core else "floor", core=core)
            fl.start()
            ready.setdefault(key, []).append(fl.ready_s)
            start_cpu.setdefault(key, []).append(
                (fl.cpu0 / 1e9 if fl.cpu0 is not None else None, None))
            if fl.hwm_ready_kib:
                bench.hwm.setdefault("start-" + key, []).append(
                    fl.hwm_ready_kib)
            fl.stop()
        a, b = bpftrace_startup(bench)
        ready.setdefault("bpftrace-attaching", []).append(a)
        ready.setdefault("bpftrace-attached", []).append(b)


def bpftrace_startup(bench):
    """Seconds until bpftrace prints "Attaching", and until bpftool shows
    all its tracepoints attached."""
    seen = {}
    t0 = time.monotonic()
    proc = spawn(["bpftrace", bench.bpftrace_script], stdin=subprocess.DEVNULL,
                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def reader():
        for line in proc.stdout:
            if b"Attaching" in line and "attaching" not in seen:
                seen["attaching"] = time.monotonic() - t0
        # drained to EOF: bpftrace never blocks on a full pipe

    th = threading.Thread(target=reader, daemon=True)
    th.start()
    attached = None
    deadline = t0 + runner.READY_TIMEOUT_S
    while time.monotonic() < deadline and proc.poll() is None:
        tps = perf_tracepoints(proc.pid)
        if tps is not None and len(tps) >= bench.bpftrace_probes:
            attached = time.monotonic() - t0
            hwm = vm_hwm_kib(proc.pid)
            if hwm:
                bench.hwm.setdefault("start-bpftrace-attached", []).append(hwm)
            break
        time.sleep(0.002)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGINT)

        def reap(timeout):
            try:
                return proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                return None
        rc, repeats = sigint_nudging(proc, reap)
        bench.bpftrace_repeats += repeats
        if rc is None:
            anomaly("bpftrace did not stop after SIGINT (startup test)")
            kill_proc(proc)
    th.join(timeout=5)
    if attached is None or "attaching" not in seen:
        raise BenchError("bpftrace startup: never attached "
                         f"({describe_rc(proc.returncode)})")
    return seen["attaching"], attached


# ------------------------------------------------------------ report

ROWS = [("tfotrace, cold cache", "--ready-file written (attached, "
         "listener scan done)", "default-cold"),
        ("tfotrace, warm cache", "the same", "default-warm"),
        ("tfotrace --all, cold cache", "the same", "all-cold"),
        ("tfotrace --all, warm cache", "the same", "all-warm"),
        ("tfotrace --attach tracepoint, warm", "the same, no mode "
         "probing", "tp-warm"),
        ("floor (the bare loader)", "ready file written (attached)",
         "floor"),
        ("floor --core (the bare loader, CO-RE: parses the kernel's BTF)",
         "ready file written (attached)", "floor-core"),
        ("bpftrace", 'prints "Attaching N probes" (before it '
         'attaches)', "bpftrace-attaching"),
        ("bpftrace", "all its tracepoints attached (bpftool perf "
         "list, polled every 2 ms)", "bpftrace-attached")]


def ready_ms(R, key):
    return [x * 1000 for x in
            (R.section(NAME) or {}).get("ready", {}).get(key, [])
            if x is not None]


def report(R):
    raw = R.section(NAME)
    if not raw:
        return []
    floor = median(ready_ms(R, "floor"))
    core = median(ready_ms(R, "floor-core"))
    L = ["## Startup, exec to ready\n",
         "Cold: an empty TFOTRACE_CACHE_DIR (a new directory each "
         "time): tfotrace parses the kernel's BTF and runs `bpftool gen "
         "min_core_btf`, then writes the cache. Warm: the cache filled. "
         "The bare loader beside it, in the same alternation: the floor "
         "(libbpf, empty programs on the same syscall tracepoints, no "
         "CO-RE: it never reads the kernel's BTF) and `floor --core` (its "
         "program does one CO-RE read, so libbpf parses the kernel's BTF "
         "at every start: a libbpf CO-RE tool with no cache). VmHWM read "
         "as soon as ready; CPU to ready: its own threads' (schedstat), "
         "bpftool's not included; ready → exit: stopped at once (detach "
         "and report). Medians over the runs.\n",
         "| tool | ready means | median ms | min–max ms | ÷ floor | "
         "÷ floor --core | VmHWM at ready MiB (max) | CPU to ready ms | "
         "CPU ready → exit ms, idle | samples |",
         "|---|---|---|---|---|---|---|---|---|---|"]
    for tool, what, key in ROWS:
        v = ready_ms(R, key)
        if not v:
            continue
        h = [x / 1024 for x in R.hwm.get("start-" + key, [])]
        hw = f"{median(h):.1f} ({max(h):.1f})" if h else "—"
        cpu = raw.get("start_cpu", {}).get(key, [])
        c0 = [c * 1000 for c, _ in cpu if c is not None]
        c1 = [c * 1000 for _, c in cpu if c is not None]
        c0 = f"{median(c0):.1f}" if c0 else "—"
        # a cold run's rusage also holds bpftool's, its child
        c1 = f"{median(c1):.1f}" if c1 and "cold" not in key else "—"
        m = median(v)
        rf = fmt_ratio(ratio(m, floor)) if key != "floor" else "—"
        rc = fmt_ratio(ratio(m, core)) if key != "floor-core" else "—"
        L.append(f"| {tool} | {what} | {m:.1f} | "
                 f"{min(v):.1f}–{max(v):.1f} | {rf} | {rc} | {hw} | {c0} | "
                 f"{c1} | {len(v)} |")
    L.append("")
    return L


def goals(R):
    """Issue 19: ready ≤ 1.3× the bare loader warm, ≤ 2× cold."""
    floor = median(ready_ms(R, "floor"))
    core = median(ready_ms(R, "floor-core"))
    warm = median(ready_ms(R, "default-warm"))
    cold = median(ready_ms(R, "default-cold"))
    if not R.section(NAME):
        return [Goal("ready ≤ 1.3× the bare loader, warm", "—", "≤ 1.3×",
                     None),
                Goal("ready ≤ 2× the bare loader, cold", "—", "≤ 2×", None)]
    w = ratio(warm, floor)
    c = ratio(cold, core)
    cf = ratio(cold, floor)
    return [
        Goal("tfotrace ready ≤ 1.3× the bare loader, warm cache",
             f"{w:.2f}× ({warm:.1f} ms ÷ the floor's {floor:.1f} ms)",
             "≤ 1.3×", w <= 1.3 if w == w else None),
        Goal("tfotrace ready ≤ 2× the bare loader, cold cache",
             f"{c:.2f}× ({cold:.1f} ms ÷ floor --core's {core:.1f} ms, "
             f"which parses the kernel's BTF too; ÷ the plain floor's: "
             f"{cf:.1f}×)",
             "≤ 2×", c <= 2 if c == c else None),
    ]


def targets(R):
    out = []
    for key, label in (("default-warm", "tfotrace"),
                       ("all-warm", "tfotrace --all")):
        v = ready_ms(R, key)
        if v:
            out.append(f"- {label} ready within 50 ms (warm cache): "
                       f"median {median(v):.1f} ms, max {max(v):.1f} ms: "
                       f"{verdict(median(v) <= 50)}")
    for key, label in (("default-cold", "tfotrace"),
                       ("all-cold", "tfotrace --all")):
        v = ready_ms(R, key)
        if v:
            out.append(f"- {label}, cold cache (first start after a "
                       f"kernel or binary change; no target): median "
                       f"{median(v):.1f} ms")
    return out
