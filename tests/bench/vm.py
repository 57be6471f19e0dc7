#!/usr/bin/env python3
"""W1/W2 inside Debian 12's 6.1 kernel under qemu: fentry mode against its
floor, side by side in one guest.

    python3 tests/bench/vm.py [--kernel PKG] [--out FILE] [--from-log LOG]

(`make bench` runs it too, as tests/bench/run.py's last section,
sections/vm_guest.py, and summarizes it in RESULTS.md.)

Configurations, per round alternated in one boot (tests/bench/guest-modes.sh),
each right after its own untraced baseline run (emulated time drifts):
floor-fexit, an empty fexit program on __sys_setsockopt
(build/bench/floor-static --fexit: fentry mode's floor, what one BPF
trampoline on the syscall costs); tfotrace --attach fentry by default (the
relevant calls recorded, the rest counted) and with --all (every call
recorded); and for context floor-tp (empty programs on tfotrace's syscall
tracepoints, read from bpf/tfotrace.bpf.c as run.py does), tfotrace in
tracepoint and kprobe modes by default. Each configuration is started once
per round for its four workloads (its lost records counted per start),
after one start that fills tfotrace's BTF cache.

The guest is emulated (TCG, one vCPU): absolute times mean nothing, and the
tracer's consumer shares the one CPU with the workload. Two tables: wall
clock per operation (the whole one-CPU machine's cost) and the workload's
own CPU per operation (getrusage: the hooks' cost in the caller), each with
every configuration's cost over its untraced baseline (median over rounds)
and its ratio to the fexit floor's overhead (and to the
tracepoint floor's). Nothing is asserted on timings; exit status 1 only if
the guest did not run.

Uses tests/vm/run.py's kernel fetching (cached in .cache/vm) and booting.
"""

import argparse
import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
if HERE not in sys.path:
    sys.path.insert(1, HERE)
from lib.runner import tracepoint_hooks  # noqa: E402
# tests/vm/run.py, ahead of tests/bench/run.py
sys.path.insert(0, os.path.join(ROOT, "tests", "vm"))
import run as vm  # noqa: E402

FEXIT_TARGET = "__sys_setsockopt"
# The guest runs ~2.5 minutes on an idle host; the VM suite's own limit
# leaves too little room on a busy one.
BOOT_TIMEOUT_S = 600
CONFIGS = ("untraced", "floor-fexit", "fentry", "fentry-all", "floor-tp",
           "tracepoint", "kprobe")
LABELS = {
    "untraced": "untraced",
    "floor-fexit": f"floor: empty fexit on {FEXIT_TARGET}",
    "fentry": "tfotrace --attach fentry (default)",
    "fentry-all": "tfotrace --attach fentry --all",
    "floor-tp": "floor: empty programs on the syscall tracepoints",
    "tracepoint": "tfotrace --attach tracepoint (default)",
    "kprobe": "tfotrace --attach kprobe (default)",
}
WORKLOADS = {
    "W1-tcp": "W1 setsockopt(TCP_NODELAY), TCP",
    "W1-mptcp": "W1 setsockopt(TCP_NODELAY), MPTCP",
    "W2-tcp": "W2 TFO churn, TCP listener",
    "W2-mptcp": "W2 TFO churn, MPTCP listener",
}


METRICS = (
    ("ns_per_op", "Wall clock per operation",
     "what the one-CPU machine pays: the hooks in the caller and the "
     "tracer's consumer, which runs on the same vCPU"),
    ("cpu_ns_per_op", "The workload's own CPU per operation",
     "getrusage of bench_load: what the hooks cost the caller, without the "
     "consumer (compare the host's W1p)"),
)


def parse(text):
    """{(metric, config, workload): {round: value}}, {config: [lost per
    tracer run]}, {config: why skipped}."""
    out, lost, skipped = {}, {}, {}
    for line in text.splitlines():
        parts = line.split(" ", 4)
        if parts[0] == "SKIP" and len(parts) >= 3:
            skipped[parts[2]] = " ".join(parts[3:])
        elif parts[0] == "LOST" and len(parts) == 4:
            try:
                lost.setdefault(parts[2], []).append(int(parts[3]))
            except ValueError:
                pass
        elif parts[0] == "RESULT" and len(parts) == 5:
            try:
                res = json.loads(parts[4])
            except ValueError:
                continue
            for metric, _, _ in METRICS:
                if metric in res:
                    out.setdefault((metric, parts[2], parts[3]), {})[
                        parts[1]] = res[metric]
    return out, lost, skipped


def diffs(results, metric, cfg, wl):
    """Per round: the configuration minus its own untraced baseline, run
    just before it (base:CONFIG)."""
    runs = results.get((metric, cfg, wl), {})
    base = results.get((metric, "base:" + cfg, wl), {})
    return [v - base[r] for r, v in runs.items() if r in base]


def overhead(results, metric, cfg, wl):
    """Median over rounds of (config - its untraced baseline)."""
    d = diffs(results, metric, cfg, wl)
    return statistics.median(d) if d else None


def untraced(results, metric, wl):
    """Every untraced baseline run of the workload."""
    return [v for (m, c, w), runs in results.items()
            if m == metric and w == wl and c.startswith("base:")
            for v in runs.values()]


def iqr(v):
    if len(v) < 4:
        return max(v) - min(v) if v else 0.0
    q = statistics.quantiles(v, n=4, method="inclusive")
    return q[2] - q[0]


def floor_of(results, metric, floor, wl):
    """The floor's overhead, or None when it is within the run-to-run
    spread (IQR over rounds) of its own paired differences: a ratio to it
    would mean nothing."""
    d = diffs(results, metric, floor, wl)
    f = statistics.median(d) if d else None
    return f if f is not None and f > iqr(d) else None


def ratio(over, floor, cfg, floor_cfg):
    if cfg == floor_cfg:
        return ""
    return f"{over / floor:.2f}" if floor else "(noise)"


def table(results, lost, skipped, metric, title, what):
    lines = [f"### {title}", "", f"{what}.", "",
             "| workload | configuration | median (emulated ns) | "
             "overhead over untraced | ÷ fexit floor's | ÷ tracepoint floor's |",
             "|---|---|---:|---:|---:|---:|"]
    for wl, desc in WORKLOADS.items():
        base = untraced(results, metric, wl)
        if not base:
            continue
        b = statistics.median(base)
        fx = floor_of(results, metric, "floor-fexit", wl)
        tp = floor_of(results, metric, "floor-tp", wl)
        lines.append(f"| {desc} | {LABELS['untraced']} (every baseline run) | "
                     f"{b:,.0f} | | | |")
        for cfg in CONFIGS[1:]:
            runs = results.get((metric, cfg, wl))
            if not runs:
                if cfg in skipped:
                    lines.append(f"| {wl} | {LABELS[cfg]} | not available: "
                                 f"{skipped[cfg]} | | | |")
                continue
            m = statistics.median(runs.values())
            over = overhead(results, metric, cfg, wl)
            # W2 calls setsockopt twice per run: the fexit floor is not on
            # its path, and a ratio to its (zero) overhead means nothing
            rfx = (ratio(over, fx, cfg, "floor-fexit") if wl.startswith("W1")
                   else ("" if cfg == "floor-fexit" else "—"))
            lines.append(f"| {wl} | {LABELS[cfg]} | {m:,.0f} | "
                         f"{over:+,.0f} ns ({over / b:+.0%}) | {rfx} | "
                         f"{ratio(over, tp, cfg, 'floor-tp')} |")
    return "\n".join(lines)


def summary(results, lost, skipped):
    """The fentry ratios, in words, for the report's head."""
    out = []
    for metric, title, _ in METRICS:
        for wl in WORKLOADS:
            if not wl.startswith("W1"):
                continue
            fx = floor_of(results, metric, "floor-fexit", wl)
            raw = overhead(results, metric, "floor-fexit", wl)
            if raw is None:
                continue
            parts = []
            for cfg in ("fentry", "fentry-all"):
                o = overhead(results, metric, cfg, wl)
                if o is not None:
                    parts.append(f"{LABELS[cfg]} {o / fx:.2f}×" if fx else
                                 f"{LABELS[cfg]} {o:+,.0f} ns")
            if parts:
                floor = (f"the fexit floor's overhead ({fx:+,.0f} ns)" if fx
                         else f"(the fexit floor's {raw:+,.0f} ns is within "
                         "the noise: no ratio)")
                out.append(f"- {title.lower()}, {wl}: " + "; ".join(parts) +
                           " " + floor)
    for cfg in CONFIGS:
        if cfg in lost and not cfg.startswith("floor") and any(lost[cfg]):
            out.append(f"- {LABELS[cfg]} lost records: {lost[cfg]} per "
                       "tracer run (four workloads each)")
    if not any(any(v) for c, v in lost.items() if not c.startswith("floor")):
        out.append("- tfotrace lost no records in the guest.")
    for cfg, why in skipped.items():
        out.append(f"- {LABELS.get(cfg, cfg)}: not available: {why}")
    return "\n".join(out)


def guest_init(workdir):
    """guest-modes.sh with the hooks filled in."""
    hooks, _ = tracepoint_hooks()
    with open(os.path.join(HERE, "guest-modes.sh")) as f:
        text = f.read()
    text = text.replace("@TP_HOOKS@", " ".join(hooks)).replace(
        "@FEXIT@", FEXIT_TARGET)
    path = os.path.join(workdir, "guest-modes.sh")
    with open(path, "w") as f:
        f.write(text)
    return path


def run_guest(kernel):
    """Boot the bench guest once: (console text, seconds, log path)."""
    r = subprocess.run(["make", "-C", ROOT, "--no-print-directory", "-f",
                        "tests/bench/Makefile", "build/bench/bench_load",
                        "build/bench/floor-static"],
                       capture_output=True, text=True, timeout=600)
    if r.returncode:
        raise vm.Fail(f"building the guest's programs failed:\n"
                      f"{r.stdout}{r.stderr}")
    workdir = tempfile.mkdtemp(prefix="tfotrace-benchvm-")
    try:
        pkg = kernel or vm.default_kernels()[0]
        initrd = vm.build_initramfs(
            workdir, os.path.join(ROOT, "build", "tfotrace-static"),
            os.path.join(ROOT, "build", "tests", "tfo_scenario"),
            init=guest_init(workdir),
            extra=[(os.path.join(ROOT, "build", "bench", "bench_load"), "bench_load"),
                   (os.path.join(ROOT, "build", "bench", "floor-static"), "floor")])
        log = os.path.join(vm.CACHE, "logs", f"bench-{pkg}.log")
        os.makedirs(os.path.dirname(log), exist_ok=True)
        vm.BOOT_TIMEOUT_S = max(vm.BOOT_TIMEOUT_S, BOOT_TIMEOUT_S)
        text, took = vm.boot(vm.vmlinuz_of(pkg), initrd, log)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    # for --from-log
    with open(log, "a") as f:
        f.write(f"=== HOST the guest ran {took:.0f} s\n")
    return text, took, log


def render(text, took, log, out):
    # the line can follow the firmware's escape sequences
    m = re.search(r"=== KERNEL (\S+)", text)
    release = m.group(1) if m else "?"
    warm = next((l[len("WARMUP "):] for l in text.splitlines()
                 if l.startswith("WARMUP ")), "?")
    results, lost, skipped = parse(text)
    rounds = len({r for runs in results.values() for r in runs})
    configs = len({c for _, c, _ in results if not c.startswith("base:")})
    md = "\n\n".join(table(results, lost, skipped, metric, title, what)
                     for metric, title, what in METRICS)
    stamp = datetime.datetime.fromtimestamp(
        os.path.getmtime(log), datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    head = summary(results, lost, skipped)
    md = (f"## Debian 12 {release} under qemu (TCG emulation, 1 vCPU: "
          f"ratios only)\n\n{md}")
    ran = f"{took:.0f} s" if took is not None else "? s"
    with open(out, "w") as f:
        f.write(f"# tfotrace in Debian 12's kernel: fentry mode against its "
                f"floor\n\n"
                f"Made by `python3 tests/bench/vm.py`; the guest ran {ran}, "
                f"its console last written {stamp} (kernel {release}; "
                f"{configs} traced configurations, {rounds} rounds "
                f"alternated in one boot; in each, every configuration's "
                f"four workloads untraced, then under one start of it, after "
                f"one tfotrace start that filled its BTF cache). Console: "
                f"{os.path.relpath(log, ROOT)}.\n\n"
                f"- guest: qemu TCG (software emulation), 1 vCPU, 768 MiB; "
                f"busybox, the static tfotrace, bench_load and floor; "
                f"absolute times mean nothing, ratios do. The tracer's "
                f"consumer runs on the workload's only CPU, so what it does "
                f"per record (--all) shows in wall-clock ns/op, as on a "
                f"one-CPU host.\n"
                f"- the fexit floor: `floor --fexit {FEXIT_TARGET}`, one "
                f"empty fexit program (tests/bench/floor.bpf.c, target set "
                f"at load with bpf_program__set_attach_target). fentry mode "
                f"hooks more than that: fexit on __sys_setsockopt and on "
                f"the protocol's setsockopt (tcp_setsockopt, "
                f"mptcp_setsockopt, ...) for every call, and on socket, "
                f"listen and the TFO functions.\n"
                f"- W1: 100,000 setsockopt(TCP_NODELAY) per run, a routine "
                f"call (not recorded by default); W2: 300 TFO connections, "
                f"with two setsockopt calls in all: the fexit floor is not "
                f"on its path (—: no ratio to it).\n"
                f"- overhead = median over rounds of (configuration − "
                f"its own untraced baseline, run just before it in the same "
                f"round: emulated time drifts); (noise): the floor's "
                f"overhead is within the spread (IQR) of its per-round "
                f"differences, so no ratio to it means anything.\n"
                f"- tfotrace's first (cold) start in the guest: {warm}\n\n"
                f"## Summary\n\n{head}\n\n{md}\n")
    print(head)
    print(md)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", help="kernel package (default: linux-image-amd64's)")
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS-vm.md"))
    ap.add_argument("--from-log", metavar="LOG",
                    help="no guest: write the report from the console log "
                         "of an earlier run (.cache/vm/logs/bench-*.log)")
    args = ap.parse_args(argv)
    if args.from_log:
        with open(args.from_log, errors="replace") as f:
            text = f.read().replace("\r", "")
        m = re.search(r"^=== HOST the guest ran (\d+) s$", text, re.M)
        render(text, float(m.group(1)) if m else None, args.from_log, args.out)
        return 0
    reason = vm.skip_reason()
    if reason:
        print(f"SKIPPED: {reason}")
        return 77
    try:
        text, took, log = run_guest(args.kernel)
    except vm.Fail as exc:
        print(f"bench vm: {exc}")
        return 1
    render(text, took, log, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
