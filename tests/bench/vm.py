#!/usr/bin/env python3
"""W1/W2 inside Debian 12's 6.1 kernel under qemu: fentry vs kprobe vs
tracepoint, side by side in one guest.

The guest is emulated (TCG), so absolute times mean nothing; the table
gives each mode's cost over the untraced run of the same round, and the
ratio of each mode's overhead to tracepoint mode's.

    python3 tests/bench/vm.py [--kernel PKG] [--out FILE]

Uses tests/vm/run.py's kernel fetching (cached in .cache/vm) and booting.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import tempfile
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "vm"))
import run as vm  # noqa: E402

CONFIGS = ("untraced", "fentry", "kprobe", "tracepoint")


def parse(text):
    """{(config, workload label): [ns_per_op per round]}, skipped configs."""
    out, skipped = {}, {}
    for line in text.splitlines():
        parts = line.split(" ", 3)
        if parts[0] == "SKIP" and len(parts) >= 3:
            skipped[parts[2]] = parts[3] if len(parts) > 3 else ""
        if parts[0] != "RESULT" or len(parts) < 4:
            continue
        try:
            res = json.loads(parts[3])
        except ValueError:
            continue
        label = f"{'W1 setsockopt' if res['workload'] == 'sockopt' else 'W2 TFO churn'}" \
                f" {res['proto'].upper()}"
        out.setdefault((parts[2], label), []).append(res["ns_per_op"])
    return out, skipped


def table(results, skipped, release):
    labels = sorted({label for _, label in results})
    lines = [f"### Debian 12 {release} under qemu (TCG emulation: ratios only)", "",
             "| workload | mode | ns/op median (emulated) | overhead over untraced "
             "| overhead / tracepoint's |",
             "|---|---|---:|---:|---:|"]
    for label in labels:
        base = results.get(("untraced", label))
        tp = results.get(("tracepoint", label))
        if not base:
            continue
        b = statistics.median(base)
        tp_over = statistics.median(tp) - b if tp else None
        for cfg in CONFIGS:
            runs = results.get((cfg, label))
            if not runs:
                if cfg in skipped:
                    lines.append(f"| {label} | {cfg} | not available: {skipped[cfg]} | | |")
                continue
            m = statistics.median(runs)
            over = m - b
            ratio = (f"{over / tp_over:.2f}" if cfg != "untraced" and tp_over
                     and tp_over > 0 else "")
            lines.append(f"| {label} | {cfg} | {m:,.0f} | "
                         f"{'' if cfg == 'untraced' else f'{over:+,.0f} ns ({over / b:+.0%})'}"
                         f" | {ratio} |")
    return "\n".join(lines)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", help="kernel package (default: linux-image-amd64's)")
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS-vm.md"))
    args = ap.parse_args(argv)
    reason = vm.skip_reason()
    if reason:
        print(f"SKIPPED: {reason}")
        return 77
    pkg = args.kernel or vm.default_kernels()[0]
    workdir = tempfile.mkdtemp(prefix="tfotrace-benchvm-")
    try:
        initrd = vm.build_initramfs(
            workdir, os.path.join(ROOT, "build", "tfotrace-static"),
            os.path.join(ROOT, "build", "tests", "tfo_scenario"),
            init=os.path.join(HERE, "guest-modes.sh"),
            extra=[(os.path.join(ROOT, "build", "bench", "bench_load"), "bench_load")])
        log = os.path.join(vm.CACHE, "logs", f"bench-{pkg}.log")
        os.makedirs(os.path.dirname(log), exist_ok=True)
        text, took = vm.boot(vm.vmlinuz_of(pkg), initrd, log)
    except vm.Fail as exc:
        print(f"bench vm: {exc}")
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    release = next((l.split()[2] for l in text.splitlines()
                    if l.startswith("=== KERNEL ")), pkg)
    results, skipped = parse(text)
    md = table(results, skipped, release)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    with open(args.out, "w") as f:
        f.write(f"# tfotrace in Debian 12's kernel: attach modes compared\n\n"
                f"Made by `python3 tests/bench/vm.py` on {stamp}; the guest ran "
                f"{took:.0f} s ({len(set(k for k, _ in results))} configurations, "
                f"3 rounds alternated in one boot). Console: {os.path.relpath(log, ROOT)}.\n\n"
                f"{md}\n")
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
