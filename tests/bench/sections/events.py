"""tfotrace's own CPU per delivered event and per call made.

`tfotrace OPTIONS -p WORKLOAD` to a file in /dev/shm, the workload
lingering after its last call so that tfotrace is still tracing while its
CPU is read (ready → drained): --all --json paced at 200k calls/s so
nothing is lost, --all --json in a storm from one thread per CPU (the ring
full, the losses counted exactly), and per call made for the default
(--json) and the unit's --findings on routine calls. The summary's events +
lost + not recorded must equal the calls the workload made.

The issue's goal: tfotrace's CPU per delivered event, with --all --json,
≤ 0.5× the traced call's own cost (the untraced W1-tcp setsockopt of the
syscall-cost rounds, ns per call).

Raw: {"rows": [one per run]}; peak RSS into the shared hwm (events,
events-all).
"""

import os
import time

from lib import runner
from lib.runner import (SETTLE_S, Tfotrace, anomaly, json_objects, log,
                        read_text, tail)
from lib.stats import Goal, isnum, median, verdict

from sections import syscalls

NAME = "events"


def event_run(bench, label, extra, load_args):
    """The workload under `tfotrace EXTRA -p` it, to a file, every call
    accounted for by the summary; tfotrace's CPU from ready until it has
    drained the ring, the workload still there (--linger)."""
    outpath = os.path.join("/dev/shm" if os.path.isdir("/dev/shm")
                           else bench.tmp,
                           f"tfotrace-bench-{os.getpid()}.jsonl")
    row = dict(label=label, options=" ".join(extra))
    size, tracer = 0, None
    try:
        load, pid = bench.start_load(label, load_args + ["--linger"])
        with open(outpath, "w") as out:
            tracer = Tfotrace(bench, "tfotrace " + " ".join(extra) +
                              " -p WORKLOAD", extra + ["-p", str(pid)],
                              stdout=out)
            tracer.start()
        res = bench.go_and_result(label, load)
        # The consumer drains on its own every 100 ms or as the ring
        # fills: let it catch up, then read its CPU and peak RSS. Then
        # the workload ends, and tfotrace -p with it.
        time.sleep(runner.DRAIN_S)
        tracer.sample()
        bench.end_load(label, load)
        tracer.stop(expect_exit=True)
        bench.hwm.setdefault("events-all" if "--all" in extra else "events",
                             []).append(tracer.hwm_kib or 0)
        size = os.path.getsize(outpath)
        objs, lines = json_objects(outpath, 65536)
    finally:
        try:
            os.unlink(outpath)
        except OSError:
            pass
    summary = next((o for o in reversed(objs)
                    if o.get("type") == "summary"), None)
    if summary is None:
        anomaly(f"{label}: no summary object in tfotrace's output "
                f"({size} bytes); stderr: {tail(read_text(tracer.errpath))}")
        summary = {}
    calls = res["socket_calls"] + res["setsockopt_calls"] + res["listen_calls"]
    events, lost = summary.get("events"), summary.get("lost")
    skipped = summary.get("not_recorded", 0)
    row.update(calls=calls, events=events, lost=lost, not_recorded=skipped,
               record=summary.get("record"), elapsed=res["elapsed_ns"] / 1e9,
               achieved=res["ops_per_s"], cpu=tracer.cpu_s,
               cpu_total=tracer.cpu_total_s, out_bytes=size,
               out_lines=lines, hwm_kib=tracer.hwm_kib,
               load_cpu_ns_per_op=res.get("cpu_ns_per_op"))
    row["exact"] = (events is not None and lost is not None
                    and events + lost + skipped == calls)
    if not row["exact"]:
        anomaly(f"{label}: events {events} + lost {lost} + not recorded "
                f"{skipped} != {calls} calls made")
    if lost is not None and lost != tracer.lost:
        anomaly(f"{label}: summary says lost {lost}, stderr says "
                f"{tracer.lost}")
    log(f"  {label}: calls {calls} events {events} lost {lost} not "
        f"recorded {skipped} at {res['ops_per_s']:.0f} calls/s, tfotrace "
        f"CPU {tracer.cpu_s:.3f} s (to exit {tracer.cpu_total_s:.3f} s)")
    return row


def run(bench):
    rows = bench.raw.setdefault(NAME, {"rows": []})["rows"]
    s = bench.size
    log("events: tfotrace's CPU per event and per call")
    storm = ["sockopt", "--threads", str(bench.ncpu), "-n",
             str(s["storm_per_thread"])]
    runs = [
        (f"paced at {s['paced_rate'] // 1000}k calls/s, 1 thread",
         ["--all", "--json"],
         ["sockopt", "--rate", str(s["paced_rate"]), "-n", str(s["paced"]),
          "--cpu", str(bench.cpu)]),
        (f"storm, {bench.ncpu} threads unpaced", ["--all", "--json"], storm),
        ("routine calls, 1 thread unpaced", ["--json"],
         ["sockopt", "-n", str(s["routine"]), "--cpu", str(bench.cpu)]),
        (f"storm, {bench.ncpu} threads unpaced",
         [a for a in bench.unit_args if "prometheus" not in a and
          a != bench.prom], storm),
    ]
    for _ in range(s["event_reps"]):
        for label, extra, load_args in runs:
            rows.append(event_run(bench, label, extra, load_args))
            time.sleep(SETTLE_S)


# ------------------------------------------------------------ figures

def rows(R):
    return (R.section(NAME) or {}).get("rows", [])


def per_event(R, label):
    """Median CPU ns per delivered event of the --all --json runs LABEL."""
    rs = [r for r in rows(R) if r["label"] == label
          and r["options"] == "--all --json" and r["events"]
          and r["cpu"] is not None]
    return median([r["cpu"] * 1e9 / r["events"] for r in rs]), rs


def call_cost(R):
    """The traced call's own cost: untraced W1-tcp ns per call (rounds)."""
    return syscalls.untraced_cost(R, "W1-tcp")


def report(R):
    if not rows(R):
        return []
    own = call_cost(R)
    own_p = syscalls.untraced_cost(R, "W1p-tcp")
    L = ["## tfotrace's CPU per event (`tfotrace OPTIONS -p WORKLOAD` "
         "to a file in /dev/shm)\n",
         "| load | options | calls made | events | lost | not recorded | "
         "events+lost+not recorded = calls | calls/s achieved | "
         "tfotrace CPU ms | CPU per delivered event | ÷ the call's own "
         "cost | CPU per call made |",
         "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows(R):
        ev = r["events"] or 0
        cpu = r["cpu"]
        per_ev = (f"{cpu * 1e9 / ev:,.0f} ns" if cpu is not None and ev
                  else "—")
        rel = (f"{cpu * 1e9 / ev / own:.2f}×"
               if cpu is not None and ev and isnum(own) else "—")
        per_call = (f"{cpu * 1e9 / r['calls']:,.1f} ns"
                    if cpu is not None else "—")
        L.append(f"| {r['label']} | {r['options']} | {r['calls']:,} | "
                 f"{r['events']} | {r['lost']} | {r['not_recorded']} | "
                 f"{'yes' if r['exact'] else '**NO**'} | "
                 f"{r['achieved']:,.0f} | "
                 f"{'?' if cpu is None else f'{cpu * 1000:.1f}'} | {per_ev} | "
                 f"{rel} | {per_call} |")
    L.append("\nCPU = tfotrace's CPU time (all threads, schedstat) from "
             f"ready to {runner.DRAIN_S} s after the workload's last call, "
             "the workload still alive (bench_load --linger) so tfotrace is "
             "still tracing, its ring drained: neither its start-up nor "
             "its exit and report (the startup table's idle ready → "
             "exit) are in it. Events: the records delivered to it (the "
             "summary's `events`).\n")
    paced = sorted({r["label"] for r in rows(R)
                    if r["options"] == "--all --json"})
    if isnum(own):
        L.append("**tfotrace CPU per delivered event ÷ the traced call's own "
                 f"cost** (the untraced setsockopt(TCP_NODELAY), W1-tcp of "
                 f"the rounds: {own:,.0f} ns a call"
                 + (f"; W1p-tcp's untraced CPU per call, paced: "
                    f"{own_p:,.0f} ns" if isnum(own_p) else "") + "):\n")
        for label in paced:
            m, _ = per_event(R, label)
            if isnum(m):
                extra = (f" ({m / own_p:.2f}× W1p's)" if isnum(own_p) else "")
                L.append(f"- --all --json, {label}: {m:,.0f} ns ÷ "
                         f"{own:,.0f} ns = **{m / own:.2f}×**{extra}")
        L.append("")
    return L


def goals(R):
    """Issue 19: tracer CPU ≤ 0.5× the traced call per delivered event
    (--all --json)."""
    own = call_cost(R)
    out = []
    for label in sorted({r["label"] for r in rows(R)
                         if r["options"] == "--all --json"}):
        m, rs = per_event(R, label)
        if not isnum(m) or not isnum(own):
            continue
        lost = [r["lost"] for r in rs]
        out.append(Goal(
            f"tfotrace CPU per delivered event ≤ 0.5× the traced call, "
            f"--all --json, {label}",
            f"{m / own:.2f}× ({m:,.0f} ns ÷ the untraced call's "
            f"{own:,.0f} ns; lost {lost})", "≤ 0.5×", m / own <= 0.5))
    if not out:
        out.append(Goal("tfotrace CPU per delivered event ≤ 0.5× the "
                        "traced call (--all --json)", "—", "≤ 0.5×", None))
    return out


def targets(R):
    out = []
    for label in sorted({r["label"] for r in rows(R)
                         if r["options"] == "--all --json"}):
        m, rs = per_event(R, label)
        if not rs:
            continue
        per = [r["cpu"] * 1e9 / r["events"] for r in rs]
        lost = [r["lost"] for r in rs]
        out.append(f"- tfotrace CPU per delivered event, --all --json, "
                   f"{label}: median {m:,.0f} ns (max "
                   f"{max(per):,.0f}; lost {lost}) (target ≤ 1 µs): "
                   f"{verdict(m <= 1000)}")
    for opts in sorted({r["options"] for r in rows(R)
                        if "--all" not in r["options"]}):
        rs = [r for r in rows(R) if r["options"] == opts
              and r["cpu"] is not None]
        if not rs:
            continue
        per = [r["cpu"] * 1e9 / r["calls"] for r in rs]
        out.append(f"- tfotrace CPU per routine call, `{opts}`, "
                   f"{rs[0]['label']}: median {median(per):.1f} ns "
                   f"(max {max(per):.1f}) (target ~0, here ≤ 10 ns): "
                   f"{verdict(median(per) <= 10)}")
    paced = [r for r in rows(R) if r["label"].startswith("paced")]
    if paced:
        lost = [r["lost"] for r in paced]
        ok = all(x == 0 for x in lost) and all(r["exact"] for r in paced)
        rates = ", ".join(f"{r['achieved']:,.0f}" for r in paced)
        out.append(f"- no loss at {R.size['paced_rate'] // 1000}k "
                   f"events/s (--all --json): lost {lost} (achieved "
                   f"{rates} calls/s): {verdict(ok)}")
    return out
