#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Soak: tfotrace traces the whole machine for a bounded time (10 minutes
by default) while socket churn (bench_load churn), process and namespace
churn (sockopt_workload, a new process and netns each round) and TFO
connection churn (tfo_scenario) run in a loop. Every 10 s it samples the
loader's RSS and the entries of tfotrace's BPF hash maps. It passes when
the loader's RSS stays flat once the correlator's table has filled (second
half of the run vs its midpoint), the maps stay within their bounds, and
the summary accounts for every record. Root; not part of `make test`
(`make soak`, SOAK_MINUTES=N)."""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "live"))
import run as R  # noqa: E402  (the live suite's process helpers)

SAMPLE_S = 10
RSS_SLACK_KIB = 1024      # allocator noise allowed over the second half
HASH_MAPS = ("listener_owners", "layer_notes", "client_inflight")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def our_maps(tracer_pid):
    """{name: (map id, max_entries)} of the hash maps tracer_pid holds (its
    map fds' fdinfo name their ids)."""
    ids = set()
    fdinfo = f"/proc/{tracer_pid}/fdinfo"
    for fd in os.listdir(fdinfo):
        try:
            with open(os.path.join(fdinfo, fd)) as f:
                for line in f:
                    if line.startswith("map_id:"):
                        ids.add(int(line.split()[1]))
        except OSError:
            pass
    out = subprocess.run(["bpftool", "-j", "map", "show"], capture_output=True,
                         text=True, timeout=20)
    return {m["name"]: (m["id"], m.get("max_entries"))
            for m in json.loads(out.stdout or "[]")
            if m.get("id") in ids and m.get("name") in HASH_MAPS}


def map_entries(map_id):
    out = subprocess.run(["bpftool", "-j", "map", "dump", "id", str(map_id)],
                         capture_output=True, text=True, timeout=30)
    try:
        return len(json.loads(out.stdout or "[]"))
    except ValueError:
        return None


def churn_round(paths, n_sockets):
    """One round of each churn, sequentially; returns calls made."""
    calls = 0
    load = subprocess.run([paths["bench_load"], "churn", "-n", str(n_sockets)],
                          capture_output=True, text=True, timeout=120)
    if load.returncode == 0:
        res = json.loads(load.stdout.splitlines()[-1])
        calls += res["socket_calls"] + res["setsockopt_calls"]
    wl = subprocess.run([paths["workload"], "--no-wait"], capture_output=True,
                        text=True, timeout=30)
    calls += sum(1 for l in wl.stdout.splitlines() if '"op":"socket"' in l
                 or '"op":"setsockopt"' in l or '"op":"listen"' in l)
    for proto in ("mptcp", "tcp"):
        subprocess.run([paths["scenario"], "--proto", proto, "--clients", "5"],
                       capture_output=True, timeout=30)
    return calls


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=float(os.environ.get("SOAK_MINUTES", 10)))
    ap.add_argument("--sockets-per-round", type=int, default=20000)
    args = ap.parse_args(argv)
    if os.geteuid() != 0:
        print("SKIPPED: needs root")
        return 77
    paths = {
        "tfotrace": os.path.join(ROOT, "build", "tfotrace"),
        "bench_load": os.path.join(ROOT, "build", "bench", "bench_load"),
        "workload": os.path.join(ROOT, "build", "tests", "sockopt_workload"),
        "scenario": os.path.join(ROOT, "build", "tests", "tfo_scenario"),
    }
    workdir = "/tmp/tfotrace-soak"
    os.makedirs(workdir, exist_ok=True)
    tr = R.Tracer(paths["tfotrace"], ["--json", "--failed"], workdir).wait_ready()
    maps = our_maps(tr.proc.pid)
    start = time.monotonic()
    end = start + args.minutes * 60
    samples, rounds, calls = [], 0, 0
    next_sample = start
    problems = []
    try:
        while time.monotonic() < end:
            if tr.proc.poll() is not None:
                problems.append(f"tfotrace died: {R.describe_status(tr.proc.returncode)}")
                break
            calls += churn_round(paths, args.sockets_per_round)
            rounds += 1
            if time.monotonic() >= next_sample:
                s = {"t": round(time.monotonic() - start), "rounds": rounds,
                     "rss_kib": rss_kib(tr.proc.pid)}
                for name, (mid, _) in maps.items():
                    s[name] = map_entries(mid)
                samples.append(s)
                print(json.dumps(s), flush=True)
                next_sample += SAMPLE_S
    finally:
        rc = tr.stop(timeout=30)
    objs, _ = R.parse_json_lines(tr.stdout())
    summary = objs[-1] if objs and objs[-1].get("type") == "summary" else None
    if rc != 0 or summary is None:
        problems.append(f"exit {R.describe_status(rc)}, summary {summary}: "
                        f"{R.tail(tr.stderr())}")
    if len(samples) >= 4:
        mid = samples[len(samples) // 2]["rss_kib"]
        late = max(s["rss_kib"] for s in samples[len(samples) // 2:])
        if late - mid > RSS_SLACK_KIB:
            problems.append(f"RSS grew {late - mid} KiB over the second half "
                            f"({mid} -> {late})")
        for name, (_, cap) in maps.items():
            worst = max((s.get(name) or 0) for s in samples)
            if cap and worst > cap:
                problems.append(f"map {name}: {worst} entries > {cap}")
    else:
        problems.append(f"only {len(samples)} samples: run longer")
    if summary:
        print(f"# soak: {args.minutes:g} min, {rounds} rounds, >= {calls} calls by the churn, "
              f"{summary['events']} events, {summary['lost']} lost, "
              f"{summary['sockets']} sockets tracked, {summary['evicted']} evicted; RSS "
              f"{samples[0]['rss_kib'] if samples else '?'} -> "
              f"{samples[-1]['rss_kib'] if samples else '?'} KiB; maps "
              + ", ".join(f"{n} max {max((s.get(n) or 0) for s in samples)}/{c}"
                          for n, (_, c) in maps.items()))
        if summary["events"] + summary["lost"] < calls:
            problems.append(f"{summary['events']} events + {summary['lost']} lost < "
                            f"{calls} calls made by the churn")
    for p in problems:
        print(f"not ok - {p}")
    print("soak: " + ("passed" if not problems else "failed"))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
