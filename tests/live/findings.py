"""Live tests of the listener scan and the findings (issue: correlator).

Imported by run.py, which owns the runner, the budget and the process
bookkeeping; these tests use its Tracer, spawn and Fail. The TFO server is
tests/scenarios/tfo_scenario (a listener, TCP or MPTCP, in a fresh network
namespace, then MSG_FASTOPEN clients).
"""

import json
import os
import signal
import subprocess
import time

import run as R

SCENARIO_READY_TIMEOUT_S = 5
SCENARIO_FINISH_TIMEOUT_S = 10


class Scenario:
    """tfo_scenario --wait: listening, clients held until release()."""

    def __init__(self, path, args):
        self.proc = R.spawn([path, "--wait"] + list(args),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
        self.server = None
        self.done = None
        deadline = time.monotonic() + SCENARIO_READY_TIMEOUT_S
        lines = []
        while len(lines) < 2:
            if time.monotonic() > deadline:
                R.kill_proc(self.proc)
                raise R.Fail(f"tfo_scenario {args}: not ready in time")
            line = self.proc.stdout.readline()
            if not line:
                rc = R.wait_exit(self.proc, 2)
                raise R.Fail(f"tfo_scenario {args} ended early "
                             f"({R.describe_status(rc)}): "
                             f"{self.proc.stderr.read().decode(errors='replace')}")
            lines.append(json.loads(line))
        self.server = lines[0]
        if self.server.get("op") != "server" or lines[1].get("op") != "ready":
            raise R.Fail(f"tfo_scenario's first lines: {lines}")
        self.pid = self.server["pid"]
        self.ino = self.server["ino"]

    def release(self):
        self.proc.stdin.write(b"go\n")
        self.proc.stdin.flush()     # communicate() in finish() closes it

    def finish(self):
        out, err = self.proc.communicate(timeout=SCENARIO_FINISH_TIMEOUT_S)
        if self.proc.returncode != 0:
            raise R.Fail(f"tfo_scenario {self.pid}: "
                         f"{R.describe_status(self.proc.returncode)}: "
                         f"{err.decode(errors='replace')}")
        self.done = json.loads(out.decode().splitlines()[-1])
        return self.done


def scenario_path(ctx):
    return os.path.join(os.path.dirname(ctx.workload), "tfo_scenario")


def in_netns_of(pid, argv):
    return ["nsenter", f"--net=/proc/{pid}/ns/net"] + argv


def run_tool(argv, timeout=R.EXIT_TIMEOUT_S):
    proc = R.spawn(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        R.kill_proc(proc)
        raise R.Fail(f"{' '.join(argv)}: still running after {timeout} s")
    return proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")


def test_scan_listeners(ctx):
    """--scan, inside a server's namespace, names its MPTCP listener with
    owner, port and TFO queue limit: 256 with TCP_FASTOPEN set, 0 without."""
    tool = ctx.tfotrace
    cases = [("with TCP_FASTOPEN", ["--proto", "mptcp", "--qlen", "256"], 256),
             ("without TCP_FASTOPEN", ["--proto", "mptcp", "--no-tfo-sockopt"], 0)]
    problems = []
    for label, args, want_qlen in cases:
        sc = Scenario(scenario_path(ctx), args + ["--clients", "0"])
        rc, out, err = run_tool(in_netns_of(sc.pid, [tool, "--scan", "--json"]))
        rc_text, out_text, _ = run_tool(in_netns_of(sc.pid, [tool, "--scan"]))
        sc.release()
        sc.finish()
        if rc != 0:
            problems.append(f"{label}: --scan exit {rc}: {R.tail(err)}")
            continue
        objs, bad = R.parse_json_lines(out)
        mine = [o for o in objs if o.get("type") == "listener"
                and o.get("sock_ino") == sc.ino]
        if bad or len(mine) != 1:
            problems.append(f"{label}: want one listener object for ino {sc.ino}, "
                            f"got {len(mine)}; output {R.short(out)}")
            continue
        l = mine[0]
        for key, want in (("proto", "MPTCP"), ("proto_num", 262),
                          ("port", sc.server["port"]), ("pid", sc.pid),
                          ("comm", "tfo_scenario"), ("tfo_qlen_max", want_qlen),
                          ("subflow", True), ("addr", "127.0.0.1"),
                          ("family", "AF_INET")):
            if l.get(key) != want:
                problems.append(f"{label}: {key}={l.get(key)!r}, want {want!r}")
        line = [x for x in out_text.splitlines() if f"ino={sc.ino}" in x]
        if rc_text != 0 or len(line) != 1 or \
                (want_qlen == 0) != ("(TFO off)" in line[0]):
            problems.append(f"{label}: text --scan line {line!r}")
    if problems:
        raise R.Fail("; ".join(problems))


def finals(objs, ino):
    return sorted(o["kind"] for o in objs if o.get("type") == "finding"
                  and o.get("final") and o.get("sock_ino") == ino)


def test_findings_from_setsockopt(ctx):
    """The verdicts rest on setsockopt, listen and the namespace's sysctl;
    the per-SYN numbers come from the TFO probes (fentry, kprobe) or, in
    tracepoint mode, from the handshake observer, and equal the kernel's
    counters of the server's namespace. Without either (--no-wire in
    tracepoint mode) they are unknown (null), not zero."""
    tr = R.Tracer(ctx.tfotrace, ["--json"], ctx.workdir).wait_ready()
    bare = R.Tracer(ctx.tfotrace, ["--json", "--no-wire"], ctx.workdir).wait_ready()
    off = Scenario(scenario_path(ctx), ["--proto", "tcp", "--clients", "2",
                                        "--sysctl", "net.ipv4.tcp_fastopen=1"])
    on = Scenario(scenario_path(ctx), ["--proto", "mptcp", "--clients", "2",
                                       "--sysctl", "net.ipv4.tcp_fastopen=3"])
    wl = R.Workload(ctx.workload, ctx.workdir).wait_ready()
    for s in (off, on):
        s.release()
        s.finish()
    wl.release()
    obs = wl.finish()
    tr.stop()
    bare.stop()
    objs, bad = R.parse_json_lines(tr.stdout())
    bare_objs, _ = R.parse_json_lines(bare.stdout())
    problems = []
    if bad:
        problems.append(f"non-JSON lines: {bad[:2]}")
    mode = objs[0].get("mode") if objs else None
    probes = mode in ("fentry", "kprobe")

    got = finals(objs, off.ino)
    if got != ["tfo-server-disabled"]:
        problems.append(f"TCP listener with tcp_fastopen=1: final findings {got}, "
                        "want ['tfo-server-disabled']")
    got = finals(objs, on.ino)
    if got != ["tfo-ok"]:
        problems.append(f"MPTCP listener with TFO (6.18 accepts it): final "
                        f"findings {got}, want ['tfo-ok']")
    for f in objs:
        if f.get("type") != "finding" or f.get("sock_ino") not in (off.ino, on.ino):
            continue
        sc = off if f["sock_ino"] == off.ino else on
        if f.get("pid") != sc.pid or f.get("comm") != "tfo_scenario":
            problems.append(f"{f['kind']}: pid/comm {f.get('pid')}/{f.get('comm')}, "
                            f"want {sc.pid}/tfo_scenario")
        if f.get("final"):
            want = {"cookie_requests": sc.done["delta"]["TCPFastOpenCookieReqd"],
                    "tfo_accepted": sc.done["delta"]["TCPFastOpenPassive"]}
            got = {k: f.get(k) for k in want}
            if got != want:
                problems.append(f"{f['kind']} in {mode} mode: {got}, the kernel's "
                                f"counters {want}")
            if f.get("wire") is None or \
                    f["wire"].get("cookie_requests") != want["cookie_requests"]:
                problems.append(f"{f['kind']}: wire {f.get('wire')}, want "
                                f"{want['cookie_requests']} cookie requests on it")
        if f["kind"] == "tfo-server-disabled" and not any(
                "net.ipv4.tcp_fastopen=0x3" in a for a in f.get("advice", [])):
            problems.append(f"tfo-server-disabled advice: {f.get('advice')}")
    for f in bare_objs:
        if f.get("type") != "finding" or f.get("sock_ino") not in (off.ino, on.ino):
            continue
        if probes != isinstance(f.get("cookie_requests"), int) or \
                f.get("wire") is not None:
            problems.append(f"--no-wire, {mode} mode: {f['kind']}: cookie_requests "
                            f"{f.get('cookie_requests')!r}, wire {f.get('wire')!r}")
    # the workload's MPTCP sockets refused TCP_USER_TIMEOUT and IP_TTL
    mptcp_inos = {o["ino"] for o in obs if o["op"] == "socket"
                  and o["protocol"] == 262 and o["ret"] >= 0}
    for ino in mptcp_inos:
        live = [o for o in objs if o.get("type") == "finding"
                and not o.get("final") and o.get("sock_ino") == ino
                and o.get("kind") == "mptcp-option-rejected"]
        fin = [o for o in objs if o.get("type") == "finding" and o.get("final")
               and o.get("sock_ino") == ino and o.get("kind") == "mptcp-option-rejected"]
        if len(live) != 1 or len(fin) != 1:
            problems.append(f"MPTCP socket {ino}: {len(live)} live and {len(fin)} "
                            "final mptcp-option-rejected, want 1 and 1")
            continue
        rejected = [o["optname"] for o in fin[0]["options"] if o["ret"] < 0]
        if "TCP_USER_TIMEOUT" not in rejected or fin[0].get("errno") != "ENOPROTOOPT":
            problems.append(f"MPTCP socket {ino}: rejected {rejected}, "
                            f"errno {fin[0].get('errno')}")
    tcp_inos = {o["ino"] for o in obs if o["op"] == "socket" and o["protocol"] == 6}
    for ino in tcp_inos:
        if "mptcp-option-rejected" in finals(objs, ino):
            problems.append(f"TCP socket {ino} has an mptcp-option-rejected finding")
    if not any(o.get("type") == "counters" for o in objs):
        problems.append("no counters object")
    if problems:
        raise R.Fail("; ".join(problems))


def test_scan_at_start_attributes_owner(ctx):
    """A server started before tfotrace: the scan at start finds it and its
    owner (from /proc), so its finding names the right process."""
    sc = Scenario(scenario_path(ctx), ["--proto", "mptcp", "--clients", "0",
                                       "--sysctl", "net.ipv4.tcp_fastopen=3"])
    quiet = Scenario(scenario_path(ctx), ["--proto", "mptcp", "--clients", "0",
                                          "--no-tfo-sockopt"])
    rc, out, err = run_tool(in_netns_of(sc.pid, [ctx.tfotrace, "--json", "-d", "1"]))
    rc2, out2, err2 = run_tool(in_netns_of(quiet.pid, [ctx.tfotrace, "--json", "-d", "1"]))
    for s in (sc, quiet):
        s.release()
        s.finish()
    problems = []
    if rc != 0 or rc2 != 0:
        raise R.Fail(f"tfotrace exit {rc}/{rc2}: {R.tail(err)} {R.tail(err2)}")
    objs, _ = R.parse_json_lines(out)
    fin = [o for o in objs if o.get("type") == "finding" and o.get("final")
           and o.get("sock_ino") == sc.ino]
    if [o["kind"] for o in fin] != ["tfo-ok"] or fin[0].get("pid") != sc.pid:
        problems.append(f"server started before the tool: final findings {R.short(fin)}")
    objs2, _ = R.parse_json_lines(out2)
    if [o for o in objs2 if o.get("type") == "finding" and o.get("sock_ino") == quiet.ino]:
        problems.append("a listener that never asked for TFO got a finding")
    if not [o for o in objs2 if o.get("type") == "listener" and o.get("sock_ino") == quiet.ino
            and o.get("tfo_qlen_max") == 0 and o.get("pid") == quiet.pid]:
        problems.append("the scan at start did not list the listener without TFO")
    if problems:
        raise R.Fail("; ".join(problems))


def test_flood_counts_exactly(ctx):
    """A setsockopt storm from 4 threads of one process, faster than the
    consumer: every call is either delivered or counted lost, exactly."""
    load = os.path.join(R.ROOT, "build", "bench", "bench_load")
    proc = R.spawn([load, "sockopt", "--threads", "4", "-n", "400000", "--wait"],
                   stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE)
    ready = json.loads(proc.stdout.readline() or b"{}")
    if ready.get("op") != "ready":
        R.kill_proc(proc)
        raise R.Fail(f"bench_load not ready: {ready}")
    # --all records these routine calls; --findings keeps the stream small
    # (every event is still received and counted in the summary)
    tr = R.Tracer(ctx.tfotrace, ["--json", "--all", "--findings", "-p", str(ready["pid"])],
                  ctx.workdir).wait_ready()
    proc.stdin.write(b"go\n")
    proc.stdin.flush()
    # stall the consumer mid-storm, so that the ring buffer overflows
    time.sleep(0.1)
    os.kill(tr.proc.pid, signal.SIGSTOP)
    time.sleep(0.5)
    os.kill(tr.proc.pid, signal.SIGCONT)
    out, err = proc.communicate(timeout=30)
    result = json.loads(out.decode().splitlines()[-1])
    tr.stop()
    calls = result["socket_calls"] + result["setsockopt_calls"] + result["listen_calls"]
    objs, _ = R.parse_json_lines(tr.stdout())
    summary = objs[-1] if objs and objs[-1].get("type") == "summary" else None
    if summary is None:
        raise R.Fail(f"no summary; stderr {R.tail(tr.stderr())}")
    got = summary["events"] + summary["lost"]
    if summary["lost"] == 0:
        raise R.Fail(f"nothing lost with the consumer stopped: the test proved nothing "
                     f"({calls} calls)")
    if got != calls:
        raise R.Fail(f"events {summary['events']} + lost {summary['lost']} = {got}, "
                     f"calls made {calls}")
    print(f"# flood: {calls} calls, {summary['events']} delivered, "
          f"{summary['lost']} lost (counted)")


def test_remote_servers(ctx):
    """The client's side: TFO clients of a server that answers (tcp_fastopen
    =3, a TCP listener), tfotrace in their network namespace: tfo-remote-ok
    for 127.0.0.1:PORT with the kernel's numbers, from the SYN-ACK hook
    (fentry, kprobe) or the handshake observer (every mode). With neither
    (--no-wire in tracepoint mode): said on stderr and in the report, with
    the namespace's client counters equal to the kernel's change, and no
    tfo-remote-* finding made up."""
    clients = 4     # a cookie request, then data in each SYN
    sc = Scenario(scenario_path(ctx), ["--proto", "tcp", "--clients", str(clients),
                                       "--sysctl", "net.ipv4.tcp_fastopen=3"])
    netns = int(sc.server["netns"].split("[")[1].rstrip("]"))
    tr = R.Tracer("nsenter", [f"--net=/proc/{sc.pid}/ns/net", ctx.tfotrace, "--json"],
                  ctx.workdir).wait_ready()
    bare = R.Tracer("nsenter", [f"--net=/proc/{sc.pid}/ns/net", ctx.tfotrace, "--json",
                                "--no-wire"], ctx.workdir).wait_ready()
    sc.release()
    done = sc.finish()
    tr.stop()
    bare.stop()
    problems = []
    if done["delta"]["TCPFastOpenActive"] != clients - 1:
        problems.append(f"the scenario's TFO did not work: {done}")
    summary = None
    for label, t in (("default", tr), ("--no-wire", bare)):
        objs, bad = R.parse_json_lines(t.stdout())
        err = t.stderr()
        mode = objs[0].get("mode") if objs else None
        observed = mode in ("fentry", "kprobe") or label == "default"
        remote = [o for o in objs if o.get("type") == "finding"
                  and o.get("kind", "").startswith("tfo-remote-")]
        unobserved = [o for o in objs if o.get("type") == "remotes"]
        if bad:
            problems.append(f"{label}: non-JSON lines: {bad[:2]}")
        if observed:
            final = [o for o in remote if o.get("final")]
            want = {"kind": "tfo-remote-ok", "remote_addr": "127.0.0.1",
                    "remote_port": sc.server["port"], "netns": netns,
                    "cookie_requests": 1, "cookies_received": 1,
                    "syn_data_sent": clients - 1,
                    "syn_data_acked": done["delta"]["TCPFastOpenActive"]}
            if len(final) != 1 or any(final[0].get(k) != v for k, v in want.items()):
                problems.append(f"{label}, {mode} mode: final remote findings {final}, "
                                f"want one with {want}")
            elif label == "default" and (final[0].get("wire") or {}).get("data_acked") \
                    != done["delta"]["TCPFastOpenActive"]:
                problems.append(f"wire counts {final[0].get('wire')}")
            if unobserved:
                problems.append(f"{label}, {mode} mode says remotes are unobservable: "
                                f"{unobserved}")
            summary = summary or (final[0] if final else None)
            continue
        if "not observable in tracepoint mode" not in err:
            problems.append(f"{label}: no 'not observable' line on stderr: {R.tail(err)}")
        if remote:
            problems.append(f"{label}: tfo-remote-* findings without the hook or the "
                            f"observer: {remote}")
        want = {"type": "remotes", "observable": False, "mode": mode, "netns": netns,
                "delta": {"TCPFastOpenActive": done["delta"]["TCPFastOpenActive"],
                          "TCPFastOpenActiveFail": done["delta"]["TCPFastOpenActiveFail"]}}
        if unobserved != [want]:
            problems.append(f"{label}: remotes objects {unobserved}, want [{want}]")
    if problems:
        raise R.Fail("; ".join(problems))
    print(f"# remote servers: {R.short(summary)}")


def test_failed_keeps_evidence(ctx):
    """--failed prints only failed calls, but findings keep their evidence:
    tfo-server-disabled rests on a TCP_FASTOPEN that succeeded."""
    tr = R.Tracer(ctx.tfotrace, ["--json", "--failed"], ctx.workdir).wait_ready()
    off = Scenario(scenario_path(ctx), ["--proto", "tcp", "--clients", "2",
                                        "--sysctl", "net.ipv4.tcp_fastopen=1"])
    off.release()
    off.finish()
    tr.stop()
    objs, _ = R.parse_json_lines(tr.stdout())
    problems = []
    shown_ok = [o for o in R.events_of(objs) if isinstance(o.get("ret"), int) and o["ret"] >= 0]
    if shown_ok:
        problems.append(f"--failed printed {len(shown_ok)} successful calls: {R.short(shown_ok[0])}")
    if finals(objs, off.ino) != ["tfo-server-disabled"]:
        problems.append(f"final findings {finals(objs, off.ino)}, want ['tfo-server-disabled']")
    if problems:
        raise R.Fail("; ".join(problems))


TESTS = [
    ("scan_listeners", test_scan_listeners),
    ("failed_keeps_evidence", test_failed_keeps_evidence),
    ("findings_from_setsockopt", test_findings_from_setsockopt),
    ("scan_at_start_attributes_owner", test_scan_at_start_attributes_owner),
    ("flood_counts_exactly", test_flood_counts_exactly),
    ("remote_servers", test_remote_servers),
]
