# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Live tests of the handshake observer (bpf/wire.bpf.c), on by default in
this machine's tracepoint mode:

- bad input: hand-made SYNs from raw sockets (tests/scenarios/syn_craft.c)
  with every kind of broken or odd option list, IPv4 and IPv6, to a TCP
  and an MPTCP listener: each one that reaches the listener is one record,
  read as the kernel reads it (the Fast Open option, the cookie,
  MP_CAPABLE's version, malformed or not) and attributed to that
  listener; the ones the kernel drops before any socket are not seen;
  nothing crashes, nothing is lost;
- real clients: Debian's curl --tcp-fastopen against Debian's haproxy
  (plain TCP, and made MPTCP by mptcpize): the clients' verdict and the
  server's, each count the kernel's.

Imported by run.py."""
import json
import os
import subprocess
import sys
import time

import ecosystem
import run as R
from realservers import Haproxy, Netns, PORT

sys.path.insert(0, os.path.join(R.ROOT, "tests", "scenarios"))
from syn_craft_judge import (judge_cases, malformed_counted,  # noqa: E402
                             malformed_reaching, parse_runs)

CRAFT_TIMEOUT_S = 30


def netstat(ns):
    """The TcpExt counters of namespace NS."""
    out = subprocess.run(ns.argv(["cat", "/proc/net/netstat"]), capture_output=True,
                         text=True, timeout=10).stdout.splitlines()
    for names, values in zip(out[::2], out[1::2]):
        if names.startswith("TcpExt:"):
            return dict(zip(names.split()[1:], map(int, values.split()[1:])))
    raise R.Fail("no TcpExt line in the namespace's /proc/net/netstat")


def craft(ctx, args, cgroup):
    """syn_craft ARGS in a namespace of its own and in cgroup CGROUP: its
    server line and its cases."""
    path = os.path.join(R.ROOT, "build", "tests", "syn_craft")
    out = subprocess.run(["sh", "-c", f'echo $$ > {cgroup}/cgroup.procs && exec "$@"',
                          "sh", path] + args, capture_output=True, text=True,
                         timeout=CRAFT_TIMEOUT_S)
    if out.returncode != 0:
        raise R.Fail(f"syn_craft {args}: exit {out.returncode}: {out.stderr[-300:]}")
    return parse_runs(out.stdout)[0]


def test_bad_input_syns(ctx):
    """Hand-made SYNs, every case of tests/scenarios/syn_craft.c, IPv4 and
    IPv6, to a TCP and an MPTCP listener, under tfotrace --all --cgroup
    (the crafter's cgroup: the observer attached there, the host's other
    traffic unseen): read as the kernel reads them, attributed to their
    listener, malformed ones counted as such, no crash and nothing lost."""
    cgroup = os.path.join(ecosystem.cgroup2_root(), f"tfotrace-craft-{os.getpid()}")
    os.makedirs(cgroup)
    try:
        tr = R.Tracer(ctx.tfotrace, ["--json", "--all", "--cgroup", cgroup],
                      ctx.workdir).wait_ready()
        runs = []
        for family in ("4", "6"):
            for proto in ("tcp", "mptcp"):
                runs.append((f"{proto}/IPv{family}",
                             *craft(ctx, ["--family", family, "--proto", proto], cgroup)))
        time.sleep(0.3)
        tr.stop()
    finally:
        os.rmdir(cgroup)
    objs, bad = R.parse_json_lines(tr.stdout())
    problems = [f"non-JSON lines: {bad[:2]}"] if bad else []
    if tr.proc.returncode != 0:
        problems.append(f"tfotrace: {R.describe_status(tr.proc.returncode)}")
    summary = objs[-1] if objs and objs[-1].get("type") == "summary" else {}
    if summary.get("lost") != 0 or summary.get("invalid") != 0:
        problems.append(f"summary {summary}")
    malformed = 0
    for label, server, cases in runs:
        problems += judge_cases(objs, server, cases, label)
        malformed += malformed_reaching(cases)
    # the listeners' findings count the malformed ones they received
    counted = malformed_counted(objs, [s for _, s, _ in runs])
    if counted != malformed:
        problems.append(f"findings count {counted} malformed SYNs, {malformed} were sent")
    if problems:
        raise R.Fail("; ".join(problems[:12]))
    print(f"# bad input: {sum(len(c) for _, _, c in runs)} crafted SYNs in 4 runs, "
          f"{malformed} malformed ones reaching a listener, each read as the kernel does")


def curl(ns, n):
    """N curl --tcp-fastopen requests to haproxy: their HTTP codes."""
    codes = []
    for _ in range(n):
        out = subprocess.run(ns.argv(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                      "--tcp-fastopen", f"http://127.0.0.1:{PORT}/"]),
                             capture_output=True, text=True, timeout=10)
        codes.append(out.stdout)
    return codes


def test_curl_clients(ctx):
    """Debian's curl --tcp-fastopen, five requests, against Debian's haproxy
    with TFO on (plain TCP, then made MPTCP by mptcpize; 6.18 takes
    TCP_FASTOPEN on both), tfotrace in tracepoint mode in their namespace:
    the clients' tfo-remote-ok names curl, and its numbers and the
    listener's are the kernel's."""
    problems = []
    for mptcp in (False, True):
        label = "MPTCP haproxy" if mptcp else "TCP haproxy"
        ns = Netns()
        hp = None
        try:
            hp = Haproxy(ctx, ns, mptcp=mptcp)
            if not hp.wait_listening():
                raise R.Fail(f"{label} exited: {hp.output()[-300:]!r}")
            tr = R.Tracer("nsenter", [f"--net=/proc/{ns.pid}/ns/net", ctx.tfotrace, "--json"],
                          ctx.workdir).wait_ready()
            before = netstat(ns)
            codes = curl(ns, 5)
            after = netstat(ns)
            time.sleep(0.3)
            tr.stop()
        finally:
            if hp:
                hp.stop()
            ns.close()
        delta = {k: after.get(k, 0) - before.get(k, 0) for k in
                 ("TCPFastOpenActive", "TCPFastOpenCookieReqd", "TCPFastOpenPassive")}
        if codes != ["200"] * 5:
            problems.append(f"{label}: curl got {codes}")
        objs, _ = R.parse_json_lines(tr.stdout())
        remote = [o for o in objs if o.get("type") == "finding" and o.get("final")
                  and o.get("remote_port") == PORT and o.get("netns") == ns.ino]
        want = {"kind": "tfo-remote-ok", "connections": 5,
                "cookie_requests": delta["TCPFastOpenCookieReqd"],
                "syn_data_acked": delta["TCPFastOpenActive"]}
        if len(remote) != 1 or any(remote[0].get(k) != v for k, v in want.items()):
            problems.append(f"{label}: the clients' verdict {[R.short(r, 300) for r in remote]}, "
                            f"want {want}")
        elif {c.get("comm") for c in remote[0].get("clients", [])} != {"curl"}:
            problems.append(f"{label}: clients {remote[0].get('clients')}, want curl")
        server = [o for o in objs if o.get("type") == "finding" and o.get("final")
                  and o.get("port") == PORT and o.get("netns") == ns.ino]
        got = [(o.get("kind"), o.get("cookie_requests"), o.get("tfo_accepted")) for o in server]
        if got != [("tfo-ok", delta["TCPFastOpenCookieReqd"], delta["TCPFastOpenPassive"])]:
            problems.append(f"{label}: the listener's verdicts {got}, the kernel's "
                            f"counters {delta}")
        if delta["TCPFastOpenActive"] < 1:
            problems.append(f"{label}: curl's TFO did not work: {delta}")
    if problems:
        raise R.Fail("; ".join(problems))
    print("# curl --tcp-fastopen x5 against haproxy (TCP, MPTCP): tfo-remote-ok naming curl, "
          "the kernel's numbers on both sides")


TESTS = [
    ("bad_input_syns", test_bad_input_syns),
    ("curl_clients", test_curl_clients),
]
