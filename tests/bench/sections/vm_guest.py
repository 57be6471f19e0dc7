"""The attach modes inside Debian 12's 6.1 kernel under qemu
(tests/bench/vm.py, which stays runnable on its own): fentry mode against
its floor (an empty fexit on __sys_setsockopt), the tracepoint and kprobe
modes for context, W1 and W2 alternated in one boot. vm.py writes its own
tables to tests/bench/RESULTS-vm.md; this section runs it last and puts its
summary in RESULTS.md. A host without qemu or busybox skips it (a note,
not a failure).

Raw: {"skipped": why} or {"release", "took_s", "log", "summary": [lines]}.
"""

import os
import re
import subprocess

from lib.runner import HERE, ROOT, BenchError, log, tail

NAME = "vm"


def run(bench):
    raw = bench.raw.setdefault(NAME, {})
    import vm as benchvm        # tests/bench/vm.py
    reason = benchvm.vm.skip_reason()
    if reason:
        raw["skipped"] = reason
        log(f"vm: skipped: {reason}")
        return
    if not bench.args.no_build:
        argv = ["make", "-C", ROOT, "--no-print-directory",
                "build/tfotrace-static", "build/tests/tfo_scenario"]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=600)
        if r.returncode:
            raise BenchError(f"{' '.join(argv)} failed: "
                             f"{tail(r.stdout + r.stderr, 15)}")
    log("vm: Debian 12's kernel under qemu (tests/bench/vm.py), about 2 "
        "minutes")
    try:
        text, took, logpath = benchvm.run_guest(None)
    except benchvm.vm.Fail as exc:
        raise BenchError(f"vm: {exc}")
    benchvm.render(text, took, logpath, os.path.join(HERE, "RESULTS-vm.md"))
    results, lost, skipped = benchvm.parse(text)
    m = re.search(r"=== KERNEL (\S+)", text)
    raw.update(release=m.group(1) if m else "?", took_s=took,
               log=os.path.relpath(logpath, ROOT),
               rounds=len({r for runs in results.values() for r in runs}),
               summary=benchvm.summary(results, lost, skipped).splitlines())
    if not results:
        raise BenchError(f"vm: the guest printed no results; console: "
                         f"{raw['log']}")


def report(R):
    raw = R.section(NAME)
    if not raw:
        return []
    L = ["## Inside Debian 12's kernel under qemu (tests/bench/vm.py)\n"]
    if raw.get("skipped"):
        L.append(f"Skipped: {raw['skipped']}.\n")
        return L
    L.append(f"Kernel {raw.get('release')}, qemu TCG emulation, 1 vCPU "
             f"(ratios only), {raw.get('rounds')} rounds alternated in one "
             f"boot ({raw.get('took_s') or 0:.0f} s; console "
             f"{raw.get('log')}). Every table: tests/bench/RESULTS-vm.md. "
             "Ratios are overheads ÷ the fexit floor's (an empty fexit "
             "program on __sys_setsockopt).\n")
    L.extend(raw.get("summary", []))
    L.append("")
    return L


def goals(R):
    return []


def targets(R):
    return []
