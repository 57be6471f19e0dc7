"""THE HANDSHAKE OBSERVER'S SLOT -- to be completed with the observer.

The issue's goals for the handshake observer: loopback bulk throughput (1
GiB through one connection) within 1 % of untraced, and the short
connection rate within 3 %, untraced vs tfotrace with vs without the
observer.

What is here already: the two workloads (bench_load bulk and bench_load
connrate, tests/bench/bench_load.c) and their alternated rounds, untraced
and under tfotrace as it is today (by default: without the observer). What
the observer's author adds: its configuration(s) in CONFIGS below (a name,
a label and the tfotrace options that turn the observer on, e.g.
("observer", "tfotrace with the handshake observer", ["--handshakes"])) --
the rounds, the table and the goals then include it, and the goals are
judged on it (until then they read "not measured").

Raw: {"samples": {workload: {configuration: [bench_load's result + the
tracer's figures, one per round]}}}.
"""

from lib.runner import Tfotrace, Untraced, log
from lib.stats import Goal, median, quartiles

NAME = "handshake"

# (name, label, tfotrace options or None for untraced), in the order run.
CONFIGS = [
    ("untraced", "untraced", None),
    ("without", "tfotrace (default: without the observer)", []),
    # ---- the handshake observer's configuration(s) go here, e.g.:
    # ("observer", "tfotrace with the handshake observer", ["--OPTION"]),
]
# Which configuration the goals judge (the observer's, once it exists).
OBSERVER = "observer"

WORKLOADS = [
    # key, description, bench_load arguments, SIZES key of -n, the figure
    # compared (higher is better), its unit
    ("bulk", "loopback bulk, one TCP connection", ["bulk", "--proto", "tcp"],
     "bulk_mib", "bytes_per_s", "MB/s", 1e6),
    ("connrate", "short connections, TCP (connect, 5 bytes, close)",
     ["connrate", "--proto", "tcp"], "connrate", "ops_per_s",
     "connections/s", 1),
]
GOALS = {"bulk": 1.0, "connrate": 3.0}    # within this many % of untraced


def run(bench):
    samples = bench.raw.setdefault(NAME, {"samples": {}})["samples"]
    rounds = bench.size["handshake_rounds"]
    for r in range(rounds):
        log(f"handshake workloads: round {r + 1}/{rounds}")
        for name, label, extra in CONFIGS:
            row = []
            for key, _, args, size, metric, _, _ in WORKLOADS:
                def make():
                    if extra is None:
                        return Untraced(bench, label)
                    return Tfotrace(bench, label, extra)
                tracer = make()
                tracer.start()
                try:
                    n = bench.size[size]
                    argv = ([bench.load] + args +
                            ["-n", str(n), "--cpu", str(bench.cpu)])
                    res = bench.run_workload(argv)
                finally:
                    tracer.stop()
                res.update(n=n, lost=tracer.lost, value=res[metric],
                           tracer_cpu_s=tracer.cpu_s)
                samples.setdefault(key, {}).setdefault(name, []).append(res)
                row.append(f"{key}={res[metric]:.0f}")
            log(f"  {name}: {' '.join(row)}")


def runs(R, wl, config):
    return (R.section(NAME) or {}).get("samples", {}).get(wl, {}).get(
        config, [])


def loss_pct(R, wl, config):
    """Median over rounds of how much lower than untraced of the same
    round the figure is, in %; and the per-round values."""
    xs, base = runs(R, wl, config), runs(R, wl, "untraced")
    d = [100 * (1 - x["value"] / u["value"]) for x, u in zip(xs, base)
         if u["value"]]
    return median(d), d


def report(R):
    if not (R.section(NAME) or {}).get("samples"):
        return []
    L = ["## The handshake observer's workloads (slot: the observer is not "
         "there yet)\n",
         f"bench_load bulk ({R.size.get('bulk_mib', 1024):,} MiB through "
         "one loopback connection, 128 KiB "
         "writes, writer and reader threads on the workloads' CPU) and "
         "connrate (short connections one after another), each in a "
         "fresh network namespace, alternated "
         "rounds; the tracer started afresh for each run. Below untraced: "
         "median over rounds of how much lower the figure is than the "
         "untraced run of the same round (negative: higher).\n",
         "| workload | configuration | N | median | min–max | IQR | "
         "× untraced | below untraced |",
         "|---|---|---|---|---|---|---|---|"]
    for key, desc, _, _, _, unit, scale in WORKLOADS:
        for name, label, _ in CONFIGS:
            xs = runs(R, key, name)
            if not xs:
                continue
            v = [x["value"] / scale for x in xs]
            q1, q3 = quartiles(v)
            below, xun = "—", "—"
            if name != "untraced":
                m, _ = loss_pct(R, key, name)
                below = f"{m:+.2f} %"
                xun = f"{1 - m / 100:.4f}"
            n = (f"{xs[0]['n']:,} MiB" if key == "bulk"
                 else f"{xs[0]['n']:,}")
            L.append(f"| {desc if name == 'untraced' else key} | {label} | "
                     f"{n} | {median(v):,.0f} {unit} | "
                     f"{min(v):,.0f}–{max(v):,.0f} | {q1:,.0f}–{q3:,.0f} | "
                     f"{xun} | {below} |")
    L.append("")
    return L


def goals(R):
    out = []
    for key, desc, *_ in WORKLOADS:
        limit = GOALS[key]
        m, _ = loss_pct(R, key, OBSERVER)
        if m == m:
            out.append(Goal(f"handshake observer: {desc} within {limit:g} % "
                            "of untraced", f"{m:+.2f} %", f"≤ {limit:g} %",
                            m <= limit))
            continue
        w, _ = loss_pct(R, key, "without")
        today = (f"(the observer is not there yet; tfotrace without it: "
                 f"{w:+.2f} %)" if w == w else "(the observer is not there "
                 "yet)")
        out.append(Goal(f"handshake observer: {desc} within {limit:g} % of "
                        "untraced", "—", f"≤ {limit:g} %", None, note=today))
    return out


def targets(R):
    return []
