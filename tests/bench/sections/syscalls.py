"""The floor and the syscall-cost workloads: what tracing costs a traced
call, side by side with the floor, in alternated rounds.

Per round every configuration in turn (untraced; the floor, empty programs
on tfotrace's syscall tracepoints; tfotrace by default, --all, --all
--json, the systemd unit's own arguments (--findings --json --prometheus),
-p <an idle process> (W3); bpftrace; strace), and under each every
workload of bench_load (W1 TCP and MPTCP, W1p paced, W2 TFO churn TCP and
MPTCP), each in a fresh network namespace on loopback, pinned to the last
CPU, with the tracer started afresh for it (so each run has its own lost
count, CPU time and peak RSS). The paced W1 is measured by the workload's
own CPU per call (getrusage): with the ring never full, --all delivers
every record and its cost is not flattered by losses.

Raw: {"samples": {workload: {configuration: [bench_load's result + the
tracer's figures, one per round]}}}; peak RSS also into the shared hwm.
"""

from lib import runner
from lib.runner import log
from lib.stats import (Goal, NAN, fmt_count, fmt_ns, isnum, median,
                       quartiles, verdict)

NAME = "syscalls"


class Workload:
    def __init__(self, key, desc, args, size, metric="ns_per_op", rate=None,
                 skip=()):
        self.key = key
        self.desc = desc
        self.args = args
        self.size = size        # SIZES key of N
        self.metric = metric    # the bench_load result field compared
        self.rate = rate        # SIZES key of --rate, paced workloads
        self.skip = skip        # configurations that do not run it


WORKLOADS = [
    Workload("W1-tcp", "W1 setsockopt(TCP_NODELAY), TCP socket",
             ["sockopt", "--proto", "tcp"], "w1"),
    Workload("W1-mptcp", "W1 setsockopt(TCP_NODELAY), MPTCP socket",
             ["sockopt", "--proto", "mptcp"], "w1"),
    Workload("W1p-tcp", "W1 paced, TCP socket (CPU ns per call)",
             ["sockopt", "--proto", "tcp"], "w1p", metric="cpu_ns_per_op",
             rate="w1p_rate", skip=("strace",)),
    Workload("W2-tcp", "W2 TFO churn, TCP listener",
             ["tfo", "--proto", "tcp"], "w2"),
    Workload("W2-mptcp", "W2 TFO churn, MPTCP listener",
             ["tfo", "--proto", "mptcp"], "w2"),
]
WL = {w.key: w for w in WORKLOADS}

WHAT = {
    "untraced": "nothing attached: the baseline",
    "floor": "tests/bench/floor: an empty BPF program on each of "
             "tfotrace's syscall tracepoints — the price of the "
             "mechanism alone",
    "default": "tfotrace as shipped: the kernel records listen, the "
               "TFO options, failures and MPTCP socket(); every other "
               "call is only counted per CPU; text to /dev/null",
    "all": "every call recorded ({ring} ring) and printed as text (the "
           "old default)",
    "all-json": "every call recorded and printed as JSON Lines",
    "unit": "the systemd unit's ExecStart arguments "
            "(user/dist/tfotrace.service), the .prom file in a "
            "temporary directory: findings, counters and summary only",
    "p-other": "W3: the default, filtering (-p, in the kernel) on an "
               "idle process the workloads are not",
    "bpftrace": "the equivalent capture in bpftrace (appendix)",
    "strace": "strace -f -e trace=setsockopt -o /dev/null, wrapping "
              "the workload (smaller N)",
}


# ------------------------------------------------------------ run

def run(bench):
    samples = bench.raw.setdefault(NAME, {"samples": {}})["samples"]
    configs = bench.configs()
    rounds = bench.size["rounds"]
    for r in range(rounds):
        log(f"round {r + 1}/{rounds}")
        for name, _, make in configs:
            bench.check_foreign(f"round {r + 1}, {name}")
            row = []
            for wl in WORKLOADS:
                if name in wl.skip:
                    continue
                res = bench.run_one(name, make, wl)
                samples.setdefault(wl.key, {}).setdefault(name, []).append(res)
                if res["hwm_kib"]:
                    bench.hwm.setdefault(name, []).append(res["hwm_kib"])
                if res["hwm_ready_kib"]:
                    bench.hwm.setdefault(name + "@ready", []).append(
                        res["hwm_ready_kib"])
                row.append(f"{wl.key}={res['value']:.0f}" +
                           (f"(lost {res['lost']})" if res["lost"] else ""))
            log(f"  {name}: {' '.join(row)}")


# ------------------------------------------------------------ figures

def runs(R, wl, config):
    return (R.section(NAME) or {}).get("samples", {}).get(wl, {}).get(
        config, [])


def overhead(R, wl, config):
    """Median over rounds of (config - untraced) in the same round, and
    the per-round differences."""
    xs = runs(R, wl, config)
    base = runs(R, wl, "untraced")
    diffs = [x["value"] - u["value"] for x, u in zip(xs, base)]
    return median(diffs), diffs


def times_untraced(R, wl, config):
    """Median over rounds of config ÷ untraced in the same round (strace's
    smaller N: against the full-N untraced run, as its overhead)."""
    xs = runs(R, wl, config)
    base = runs(R, wl, "untraced")
    return median([x["value"] / u["value"] for x, u in zip(xs, base)
                   if u["value"]])


def untraced_cost(R, wl="W1-tcp"):
    """The traced call's own cost: the untraced run's median."""
    return median([x["value"] for x in runs(R, wl, "untraced")])


def iqr_width(R, wl, config):
    v = [x["value"] for x in runs(R, wl, config)]
    if not v:
        return 0.0
    q1, q3 = quartiles(v)
    return q3 - q1


def floor_real(R, wl):
    """A ratio to an overhead lost in the noise means nothing: only when
    the floor's overhead exceeds the untraced and floor IQRs."""
    f, _ = overhead(R, wl, "floor")
    noise = max(iqr_width(R, wl, "untraced"), iqr_width(R, wl, "floor"))
    return f == f and f > noise


def lost_share(R, wl, config):
    xs = runs(R, wl, config)
    lost = [x["lost"] for x in xs if x["lost"] is not None]
    return sum(lost), sum(x["n"] for x in xs)


def floor_ratio(R, wl, config):
    """config's overhead ÷ the floor's (NaN without a floor)."""
    t, _ = overhead(R, wl, config)
    f, _ = overhead(R, wl, "floor")
    if not isnum(t) or not isnum(f):
        return NAN
    return t / f if f > 0 else float("inf")


# ------------------------------------------------------------ report

def report(R):
    if not R.section(NAME):
        return []
    i, size = R.info, R.size
    L = ["## Configurations\n",
         "| configuration | what it is |",
         "|---|---|"]
    for name, label in R.configs:
        L.append(f"| {label} | "
                 f"{WHAT.get(name, '').format(ring=i['ring']['ALL'])} |")
    L.append("")

    L.append("## Cost per operation\n")
    L.append("W1: one setsockopt(SOL_TCP, TCP_NODELAY), a routine call "
             "(not recorded by default); W1p: the same paced at "
             f"{size['w1p_rate']:,} calls/s (bursts every ms), measured "
             "by the workload's own CPU time per call (getrusage: a "
             "tracepoint's program runs in the caller), so that --all "
             "loses nothing; W2: one TFO connection (socket, "
             "sendto(MSG_FASTOPEN), accept, read, 2× close); W3: W1 with "
             "tfotrace filtering (-p) on another, idle, process. "
             "× untraced: median over rounds of the configuration's figure "
             "÷ the untraced one of the same round; overhead: median over "
             "rounds of (configuration − untraced of the same round); "
             "÷ floor's: that overhead ÷ the floor's. lost: "
             "tfotrace's records lost per run (ring buffer full; "
             "k = thousands).\n")
    L.append("| workload | configuration | N | ns/op median | min–max | "
             "IQR | × untraced | overhead ns | ÷ floor's | ÷ bpftrace's | "
             "lost per run |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for wl in WORKLOADS:
        floor_oh, _ = overhead(R, wl.key, "floor")
        bt_oh, _ = overhead(R, wl.key, "bpftrace")
        real = floor_real(R, wl.key)
        for name, label in R.configs:
            xs = runs(R, wl.key, name)
            if not xs:
                continue
            v = [x["value"] for x in xs]
            n = xs[0]["n"]
            q1, q3 = quartiles(v)
            oh, rfl, rbt, xun = "—", "—", "—", "—"
            if name != "untraced":
                o, _ = overhead(R, wl.key, name)
                oh = fmt_ns(o)
                xun = f"{times_untraced(R, wl.key, name):.2f}"
                if name != "floor":
                    rfl = f"{o / floor_oh:.2f}" if real else "(noise)"
                if name != "bpftrace" and isnum(bt_oh) and bt_oh > 0:
                    rbt = f"{o / bt_oh:.2f}"
            lost = "—"
            if any(x["lost"] is not None for x in xs):
                lost = " ".join(fmt_count(x["lost"]) for x in xs)
            nlabel = f"{n:,}" + (" (smaller N)" if name == "strace" else "")
            unit = " (CPU)" if wl.metric == "cpu_ns_per_op" else ""
            L.append(f"| {wl.desc if name == 'untraced' else wl.key} | "
                     f"{label} | {nlabel} | {fmt_ns(median(v))}{unit} | "
                     f"{fmt_ns(min(v))}–{fmt_ns(max(v))} | "
                     f"{fmt_ns(q1)}–{fmt_ns(q3)} | {xun} | {oh} | {rfl} | "
                     f"{rbt} | {lost} |")
    L.append("")
    w2 = [x for wl, per in R.section(NAME)["samples"].items()
          if wl.startswith("W2") for xs in per.values() for x in xs]
    if w2:
        odd = [x for x in w2 if x["tfo_passive"] != x["connections"] - 1
               or x["received"] != x["connections"]]
        L.append(f"W2 check: in {len(w2) - len(odd)} of {len(w2)} runs "
                 "every connection but the first (which asks for the "
                 "cookie) was a TFO connection (TcpExt TCPFastOpenPassive "
                 "= connections − 1) and delivered its data" +
                 (f"; not so in: {odd}" if odd else "") + ".\n")
    lossy = []
    for wl in WORKLOADS:
        for name, label in R.configs:
            lost, n = lost_share(R, wl.key, name)
            if lost:
                lossy.append(f"{wl.key} under {label}: {lost:,} of "
                             f"{n:,} calls ({100 * lost / n:.2f}%)")
    if lossy:
        L.append("Losses: " + "; ".join(lossy) + ". A lost record skips "
                 "the copy into the ring and the consumer's work, so a "
                 "lossy run's overhead is smaller than a lossless one "
                 "would be: W1p (paced) is the lossless comparison.\n")
    else:
        L.append("tfotrace lost no records in any of these runs.\n")
    L.append("(noise) in the ÷ floor's column: the floor's overhead there "
             "is smaller than the run-to-run spread (IQR) of the untraced "
             "or floor runs, so no ratio to it means anything; negative "
             "overheads are that noise too.")
    L.append("")
    L.extend(tracer_cpu(R))
    return L


def tracer_cpu(R):
    L = ["## The tracer's own CPU, from the rounds\n",
         "The tracer process's CPU time (all threads, "
         "/proc/PID/task/*/schedstat) from ready to just before SIGINT "
         f"({runner.SETTLE_S} s after the workload: drained), divided by "
         "the workload's calls (W1, W1p) or connections (W2); median over "
         "rounds, ns. A W1 run's calls are all setsockopt; tfotrace without "
         "-p also sees the rest of the machine. Where records were lost, "
         "per delivered record follows in brackets.\n",
         "| configuration | " + " | ".join(w.key for w in WORKLOADS) + " |",
         "|---|" + "---|" * len(WORKLOADS)]
    for name, label in R.configs:
        if name in ("untraced", "strace"):
            continue
        cells = []
        for wl in WORKLOADS:
            xs = [x for x in runs(R, wl.key, name)
                  if x["tracer_cpu_s"] is not None]
            if not xs:
                cells.append("—")
                continue
            per = median([x["tracer_cpu_s"] * 1e9 / x["n"] for x in xs])
            cell = f"{per:,.0f}"
            if any(x["lost"] for x in xs):
                deliv = median([x["tracer_cpu_s"] * 1e9 /
                                max(1, x["n"] - (x["lost"] or 0))
                                for x in xs])
                cell += f" ({deliv:,.0f})"
            cells.append(cell)
        L.append(f"| {label} | " + " | ".join(cells) + " |")
    L.append("")
    return L


# ------------------------------------------------------------ goals

def goals(R):
    """Issue 19: --all ≤ 2× the floor (its overhead ÷ the floor's)."""
    out = []
    if not R.section(NAME):
        return [Goal("--all ≤ 2× the floor", "—", "≤ 2×", None)]
    for wl in ("W1-tcp", "W1-mptcp", "W1p-tcp"):
        f, _ = overhead(R, wl, "floor")
        if not isnum(f):
            continue
        for cfg in ("all", "all-json"):
            t, _ = overhead(R, wl, cfg)
            if not isnum(t):
                continue
            r = floor_ratio(R, wl, cfg)
            lost, n = lost_share(R, wl, cfg)
            note, met = [], r <= 2
            if not floor_real(R, wl):
                note.append("the floor's overhead is within the noise: "
                            "no ratio to it means anything")
                met = None
            if lost:
                note.append(f"lost {lost:,} of {n:,} records, which "
                            "flatters it")
            out.append(Goal(
                f"{R.labels[cfg]} ≤ 2× the floor, {wl}",
                (f"{r:.2f}×" if met is not None else "—") +
                f" (overhead {t:.0f} ns ÷ the floor's {f:.0f} ns)",
                "≤ 2×", met,
                note=f"({'; '.join(note)})" if note else ""))
    return out


def targets(R):
    """The bench's earlier targets (issue 11), as before."""
    out = []
    if not R.section(NAME):
        return out
    for wl in ("W1-tcp", "W1-mptcp", "W1p-tcp"):
        f, fd = overhead(R, wl, "floor")
        bt, _ = overhead(R, wl, "bpftrace")
        if f != f:
            continue
        real = floor_real(R, wl)
        note = "" if real else " (the floor's overhead is within the noise)"
        for cfg in ("default", "unit"):
            t, _ = overhead(R, wl, cfg)
            if t != t:
                continue
            r = t / f if f > 0 else float("inf")
            out.append(f"- {wl} {R.labels[cfg]}: overhead {t:.0f} ns = "
                       f"{r:.2f}× the floor's {f:.0f} ns (target ≤ 1.3×): "
                       f"{verdict(r <= 1.3)}{note}")
        for cfg in ("all", "all-json"):
            t, _ = overhead(R, wl, cfg)
            if t != t:
                continue
            r = t / f if f > 0 else float("inf")
            lost, n = lost_share(R, wl, cfg)
            lnote = (f"; lost {lost:,} of {n:,} records, which flatters it"
                     if lost else "; nothing lost")
            out.append(f"- {wl} {R.labels[cfg]}: overhead {t:.0f} ns = "
                       f"{r:.2f}× the floor's {f:.0f} ns (target ≤ 3×, "
                       f"issue 19's ≤ 2× above): "
                       f"{verdict(r <= 3)}{note}; = {t / bt:.2f} of "
                       f"bpftrace's {bt:.0f} ns (target ≤ 0.33): "
                       f"{verdict(t <= bt / 3)}{lnote}")
        if wl.startswith("W1-"):
            p, pd = overhead(R, wl, "p-other")
            if p == p and pd and fd:
                out.append(f"- {wl} -p outsider (W3): overhead {p:.0f} ns "
                           f"(per round {min(pd):.0f}…{max(pd):.0f}) vs "
                           f"the floor's {f:.0f} ns "
                           f"({min(fd):.0f}…{max(fd):.0f}) (target ≤ "
                           f"floor): {verdict(p <= f)}")
    return out
