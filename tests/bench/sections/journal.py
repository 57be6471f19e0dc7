"""The service's journal under load: how many lines tfotrace writes.

tfotrace system-wide with the unit's ExecStart arguments (as systemd runs
it: stdout and stderr go to the journal), its stdout to a file, while
bench_load makes routine setsockopt calls at a steady rate and
tests/scenarios/tfo_scenario runs a TFO listener in a namespace without the
server bit (a finding): lines written against calls made; and the same
under --all --json.

Raw: {"rows": [one per configuration]}; peak RSS into the shared hwm
(journal, journal-all).
"""

import json
import os
import subprocess
import time

from lib import runner
from lib.runner import (SCENARIO, SETTLE_S, BenchError, Tfotrace, anomaly,
                        describe_rc, json_objects, kill_proc, log, read_text,
                        spawn, tail)

NAME = "journal"


def journal_run(bench, label, extra):
    """tfotrace EXTRA system-wide (as the unit runs), stdout and stderr
    to files, while bench_load makes routine calls at a steady rate and
    a TFO listener in a namespace without the server bit appears."""
    s = bench.size
    outpath = os.path.join(bench.tmp, "journal.out")
    load, _ = bench.start_load(label, [
        "sockopt", "-n", str(s["journal_calls"]), "--rate",
        str(s["journal_rate"]), "--cpu", str(bench.cpu), "--linger"])
    with open(outpath, "w") as out:
        tracer = Tfotrace(bench, "tfotrace " + " ".join(extra), extra,
                          stdout=out)
        tracer.start()
    load.stdin.write("go\n")
    load.stdin.flush()
    scen = spawn([SCENARIO, "--proto", "tcp", "--clients", "1",
                  "--sysctl", "net.ipv4.tcp_fastopen=1"],
                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                 stderr=subprocess.PIPE, text=True)
    try:
        sout, serr = scen.communicate(timeout=runner.WORKLOAD_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        kill_proc(scen)
        raise BenchError(f"{label}: tfo_scenario exceeded "
                         f"{runner.WORKLOAD_TIMEOUT_S} s")
    server = next((json.loads(l) for l in sout.splitlines()
                   if '"op":"server"' in l), None)
    if scen.returncode != 0 or server is None:
        raise BenchError(f"{label}: tfo_scenario "
                         f"{describe_rc(scen.returncode)}: {tail(serr)}")
    res = bench.read_result(label, load)
    time.sleep(runner.DRAIN_S)
    tracer.stop()
    bench.end_load(label, load)
    bench.hwm.setdefault("journal-all" if "--all" in extra else "journal",
                         []).append(tracer.hwm_kib or 0)
    objs, lines = json_objects(outpath)
    size = os.path.getsize(outpath)
    os.unlink(outpath)
    err_lines = len([l for l in read_text(tracer.errpath, 10**6).splitlines()
                     if l.strip()])
    summary = next((o for o in reversed(objs)
                    if o.get("type") == "summary"), {})
    kinds = sorted({o.get("kind") for o in objs
                    if o.get("type") == "finding"
                    and o.get("sock_ino") == server.get("ino")})
    types = {}
    for o in objs:
        types[o.get("type", "?")] = types.get(o.get("type", "?"), 0) + 1
    calls = res["socket_calls"] + res["setsockopt_calls"]
    row = dict(label=label, lines=lines, err_lines=err_lines, bytes=size,
               calls=calls, kinds=kinds, types=types,
               lost=summary.get("lost"), events=summary.get("events"),
               not_recorded=summary.get("not_recorded"),
               achieved=res["ops_per_s"], cpu=tracer.cpu_s,
               prom=os.path.exists(bench.prom) if "--prometheus" in
               " ".join(extra) else None)
    if not kinds:
        anomaly(f"{label}: no finding for tfo_scenario's listener (ino "
                f"{server.get('ino')}) in the output")
    log(f"  {label}: {lines} stdout lines, {err_lines} stderr lines for "
        f"{calls} calls; findings for the listener: {kinds}")
    return row


def run(bench):
    rows = bench.raw.setdefault(NAME, {"rows": []})["rows"]
    log("journal: lines written under load")
    for label, extra in (("the unit's ExecStart arguments", bench.unit_args),
                         ("--all --json (every call a line)",
                          ["--all", "--json"])):
        rows.append(journal_run(bench, label, extra))
        time.sleep(SETTLE_S)


def rows(R):
    return (R.section(NAME) or {}).get("rows", [])


def report(R):
    if not rows(R):
        return []
    s = R.size
    L = ["## The service's journal under load\n",
         f"tfotrace system-wide, as the unit runs it "
         f"(`{' '.join(R.info.get('unit_display', []))}`, "
         f"PROM a temporary file; the unit sends stdout and stderr to "
         f"the journal), its stdout to a file, while bench_load makes "
         f"{s['journal_calls']:,} routine setsockopt(TCP_NODELAY) calls "
         f"at {s['journal_rate']:,}/s and `tfo_scenario --proto tcp "
         "--clients 1 --sysctl net.ipv4.tcp_fastopen=1` makes a TFO "
         "listener in a namespace without the server bit. Lines from "
         "the rest of the machine count too.\n",
         "| tfotrace | stdout lines | stderr lines | journal lines | "
         "bytes | calls made (bench_load) | journal lines per 1,000 calls "
         "| findings on the TFO listener | line types | lost | tfotrace "
         "CPU ms |",
         "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows(R):
        total = r["lines"] + r["err_lines"]
        cpu_ms = "?" if r["cpu"] is None else f"{r['cpu'] * 1000:.1f}"
        types = ", ".join(f"{k} {v:,}" for k, v in sorted(r["types"].items()))
        L.append(f"| {r['label']} | {r['lines']:,} | {r['err_lines']} | "
                 f"{total:,} | {r['bytes']:,} | {r['calls']:,} | "
                 f"{1000 * total / r['calls']:.2f} | "
                 f"{', '.join(r['kinds']) or '**none**'} | {types} | "
                 f"{r['lost']} | {cpu_ms} |")
    L.append("")
    return L


def goals(R):
    return []


def targets(R):
    out = []
    for r in rows(R):
        total = r["lines"] + r["err_lines"]
        out.append(f"- journal, {r['label']}: {total:,} lines for "
                   f"{r['calls']:,} calls ({1000 * total / r['calls']:.2f} "
                   f"per 1,000), findings on the TFO listener: "
                   f"{', '.join(r['kinds']) or 'none'} (no target)")
    return out
