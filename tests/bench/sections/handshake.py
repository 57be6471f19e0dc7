"""The handshake observer's cost (cgroup_skb ingress and egress, every
packet of the cgroup, SYNs and SYN-ACKs walked): loopback bulk throughput
(1 GiB through one connection) within 1 % of untraced, and the short
connection rate within 3 %, untraced vs tfotrace without the observer
(--no-wire) and with it (--wire: the default where the mode has no TCP
Fast Open probes, tracepoint mode). Each connection of connrate is a SYN
and a SYN-ACK each way through the observer: its worst case.

Raw: {"samples": {workload: {configuration: [bench_load's result + the
tracer's figures, one per round]}}}.
"""

from lib.runner import Tfotrace, Untraced, log
from lib.stats import Goal, median, quartiles

NAME = "handshake"

# (name, label, tfotrace options or None for untraced), in the order run.
CONFIGS = [
    ("untraced", "untraced", None),
    ("without", "tfotrace --no-wire (without the observer)", ["--no-wire"]),
    ("observer", "tfotrace --wire (with the observer)", ["--wire"]),
]
# Which configuration the goals judge.
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
    L = ["## The handshake observer's workloads\n",
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
        out.append(Goal(f"handshake observer: {desc} within {limit:g} % of "
                        "untraced", "—", f"≤ {limit:g} %", None,
                        note="(not measured in this run)"))
    return out


def targets(R):
    return []
