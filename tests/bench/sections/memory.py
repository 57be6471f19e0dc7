"""Peak memory (VmHWM): tfotrace's, the floor's and bpftrace's.

Nothing of its own to run: the other sections read VmHWM into the shared
hwm store (raw "hwm": key -> [KiB]) -- the startup section at ready with a
cold and a warm BTF cache (start-KEY), the rounds at ready (NAME@ready)
and just before stopping (NAME), the event and journal runs at exit.

The issue's goal: cold-start peak RSS ≤ 8 MiB (VmHWM at ready of a cold
start: the peak includes the kernel's BTF parsed once).
"""

from lib.stats import Goal, median, verdict

NAME = "memory"


def run(bench):
    """Measured by the other sections (see the module's doc)."""


def rows(R):
    rs = [("start-default-cold", "tfotrace, cold cache", "at ready"),
          ("start-default-warm", "tfotrace, warm cache", "at ready"),
          ("start-all-cold", "tfotrace --all, cold cache", "at ready"),
          ("start-all-warm", "tfotrace --all, warm cache", "at ready")]
    for name, label in R.configs:
        if name in ("untraced", "strace"):
            continue
        rs.append((name + "@ready", label, "at ready, rounds"))
        rs.append((name, label, "after each workload, rounds"))
    rs += [("events", "tfotrace -p WORKLOAD, CPU-per-call runs", "at exit"),
           ("events-all", "tfotrace --all -p WORKLOAD, CPU-per-event runs",
            "at exit"),
           ("journal", "tfotrace, the unit's arguments, journal run",
            "after the run"),
           ("journal-all", "tfotrace --all --json, journal run",
            "after the run"),
           ("start-floor", "floor (the bare loader)", "at ready, startup runs"),
           ("start-floor-core", "floor --core (the bare loader, CO-RE)",
            "at ready, startup runs"),
           ("start-bpftrace-attached", "bpftrace", "attached, startup runs")]
    return rs


def mib(R, key):
    return [x / 1024 for x in R.hwm.get(key, []) if x]


def report(R):
    if not R.hwm:
        return []
    floor = median(mib(R, "start-floor") or mib(R, "floor@ready"))
    L = ["## Peak memory (VmHWM)\n",
         "At ready: read as soon as the ready file appeared; during the "
         "rounds: read just before stopping, after the workload (W2 "
         f"without -p: {R.size['w2']:,} connections, 2 sockets each, in "
         "the correlator). ÷ floor: median ÷ the floor's at ready.\n",
         "| process | when | runs | median MiB | max MiB | ÷ floor |",
         "|---|---|---|---|---|---|"]
    for key, label, when in rows(R):
        v = mib(R, key)
        if v:
            rel = (f"{median(v) / floor:.1f}×" if floor == floor and floor
                   else "—")
            L.append(f"| {label} | {when} | {len(v)} | {median(v):.1f} | "
                     f"{max(v):.1f} | {rel} |")
    L.append("")
    return L


def goals(R):
    """Issue 19: cold-start peak RSS ≤ 8 MiB, by default and with --all
    (whose 2 MiB ring the process maps twice over: its data pages count
    twice in VmHWM, as in every BPF ring buffer's consumer)."""
    out = []
    for key, label in (("default", "tfotrace"), ("all", "tfotrace --all")):
        cold, warm = mib(R, f"start-{key}-cold"), mib(R, f"start-{key}-warm")
        goal = (f"cold-start peak RSS ≤ 8 MiB, {label} (VmHWM at ready, "
                "cold BTF cache)")
        if not cold:
            out.append(Goal(goal, "—", "≤ 8 MiB", None))
            continue
        figure = f"max {max(cold):.1f} MiB ({len(cold)} starts)"
        if warm:
            figure += f"; warm: max {max(warm):.1f}"
        out.append(Goal(goal, figure, "≤ 8 MiB", max(cold) <= 8))
    return out


def targets(R):
    out = []
    groups = (
        ("tfotrace recording relevant calls (default, the unit's, -p), "
         "warm cache: at ready, after each round's workload, event and "
         "journal runs",
         ("default", "default@ready", "unit", "unit@ready", "p-other",
          "p-other@ready", "start-default-warm", "start-tp-warm",
          "events", "journal")),
        (f"tfotrace --all ({R.info.get('ring', {}).get('ALL', '?')} ring), "
         "warm cache: the same",
         ("all", "all@ready", "all-json", "all-json@ready",
          "start-all-warm", "events-all", "journal-all")),
        ("tfotrace, cold cache (parses the kernel's BTF), at ready",
         ("start-default-cold", "start-all-cold")))
    for label, keys in groups:
        v = [x for k in keys for x in mib(R, k)]
        if v:
            out.append(f"- peak RSS ≤ 8 MiB, {label}: max {max(v):.1f} "
                       f"MiB (median {median(v):.1f}, {len(v)} runs): "
                       f"{verdict(max(v) <= 8)}")
    return out
