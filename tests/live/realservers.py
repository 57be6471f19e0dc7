# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Live tests with a real server from Debian's archive: haproxy in
master-worker mode, its listener made MPTCP by Debian's `mptcpize run` (as
Go >= 1.24 makes its own), asking for TCP Fast Open (`bind ... tfo`),
started before and after tfotrace, with TFO clients sending data in their
SYN (tests/scenarios/tfo_client.c). And tfotrace's own scan and doctor
under a running tfotrace: no finding of their own. Imported by run.py."""
import json
import os
import subprocess
import sys
import time

import run as R

sys.path.insert(0, os.path.join(R.ROOT, "tests", "real"))
import servers  # noqa: E402

CLIENTS = 5
PORT = 18080


class Netns:
    """A fresh network namespace (loopback up, the sysctls given), held by
    a sleeping process; everything else enters it with nsenter."""

    def __init__(self, sysctls=("net.ipv4.tcp_fastopen=3",)):
        script = "ip link set lo up && " + " && ".join(
            f"echo {v} > /proc/sys/{k.replace('.', '/')}"
            for k, v in (s.split("=", 1) for s in sysctls)) + " && echo up && exec sleep 600"
        self.proc = R.spawn(["unshare", "-n", "sh", "-c", script], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
        if self.proc.stdout.readline().strip() != b"up":
            raise R.Fail(f"netns: {self.proc.stderr.read()[:200]!r}")
        self.pid = self.proc.pid
        self.ino = os.stat(f"/proc/{self.pid}/ns/net").st_ino

    def argv(self, argv):
        return ["nsenter", f"--net=/proc/{self.pid}/ns/net"] + list(argv)

    def close(self):
        R.kill_proc(self.proc)


class Haproxy:
    """haproxy -W (master-worker) in NS, its TCP sockets made MPTCP by
    Debian's `mptcpize run` (make deps installs it)."""

    def __init__(self, ctx, ns, mptcp=True):
        self.hp = servers.haproxy()
        self.dir = os.path.join(ctx.workdir, f"haproxy-{time.monotonic_ns()}")
        os.makedirs(self.dir)
        cfg = os.path.join(self.dir, "haproxy.cfg")
        self.pidfile = os.path.join(self.dir, "pid")
        servers.haproxy_config(cfg, PORT)
        env = dict(os.environ, **self.hp["env"])
        prefix = []
        if mptcp:
            if not servers.mptcpize()["installed"]:
                raise R.Fail("mptcpize and libmptcpwrap0 are not installed (make deps)")
            prefix = [servers.MPTCPIZE, "run"]
        self.log = open(os.path.join(self.dir, "log"), "wb")
        self.proc = R.spawn(ns.argv(prefix + [self.hp["binary"], "-f", cfg, "-p", self.pidfile]),
                            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.master = None

    def wait_listening(self, timeout=10):
        """The master's pid once its worker is up; None if it exited."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return None
            if os.path.exists(self.pidfile) and b"Loading success" in self.output():
                with open(self.pidfile) as f:
                    self.master = int(f.read().split()[0])
                return self.master
            time.sleep(0.05)
        raise R.Fail(f"haproxy not up in {timeout} s: {self.output()[-300:]!r}")

    def output(self):
        with open(os.path.join(self.dir, "log"), "rb") as f:
            return f.read()

    def workers(self):
        with open(f"/proc/{self.master}/task/{self.master}/children") as f:
            return [int(p) for p in f.read().split()]

    def stop(self):
        R.kill_proc(self.proc)
        self.log.close()


def clients(ns, n=CLIENTS):
    out = subprocess.run(ns.argv([os.path.join(R.ROOT, "build", "tests", "tfo_client"),
                                  "--port", str(PORT), "--clients", str(n)]),
                         capture_output=True, text=True, timeout=30)
    try:
        return json.loads(out.stdout.splitlines()[-1])
    except (ValueError, IndexError):
        raise R.Fail(f"tfo_client: {out.stderr[-300:]}")


def tracer(ctx, ns, args=()):
    return R.Tracer("nsenter", [f"--net=/proc/{ns.pid}/ns/net", ctx.tfotrace, "--json"]
                    + list(args), ctx.workdir).wait_ready()


def judge_haproxy(objs, hp, done, started_before):
    """What a run traced of haproxy: its master named, its TCP_FASTOPEN
    record, no other finding, no advice that would stop it listening."""
    problems = []
    # this test's namespace: the host may run other servers meanwhile
    netns = os.stat(f"/proc/{hp.master}/ns/net").st_ino
    findings = [o for o in objs if o.get("type") == "finding"
                and o.get("netns") == netns]
    mine = [f for f in findings if f.get("port") == PORT]
    # its clients' view of it (the SYN-ACK hook, or the observer)
    remote = [f for f in findings if f.get("remote_port") == PORT]
    others = [f for f in findings if f not in mine and f not in remote]
    mode = objs[0].get("mode") if objs else None
    if done["answered"] != done["clients"]:
        problems.append(f"haproxy answered {done['answered']} of {done['clients']} clients")
    if others:
        problems.append(f"findings about something else: {[R.short(f, 160) for f in others]}")
    final_remote = [f for f in remote if f.get("final")]
    if [f.get("kind") for f in final_remote] != ["tfo-remote-ok"] or \
            final_remote[0].get("connections") != done["clients"]:
        problems.append(f"its clients' view: {[R.short(f, 200) for f in final_remote]}, "
                        f"want tfo-remote-ok of {done['clients']} connections")
    finals = [f for f in mine if f.get("final")]
    if not finals:
        problems.append("no final finding about haproxy's listener")
    for f in mine:
        if f.get("pid") != hp.master or f.get("comm") != "haproxy":
            problems.append(f"{f['kind']} names pid {f.get('pid')} ({f.get('comm')}), "
                            f"haproxy's master is {hp.master}")
        if f.get("proto") != "MPTCP":
            problems.append(f"{f['kind']}: proto {f.get('proto')}")
        for a in f.get("advice", []):
            if "net.mptcp.enabled" in a:
                problems.append(f"advice that stops haproxy listening: {a}")
        # per SYN: the probes' or the observer's, the kernel's numbers
        if f.get("final") and f.get("cookie_requests") != \
                done["delta"]["TCPFastOpenCookieReqd"]:
            problems.append(f"{mode} mode: cookie_requests {f.get('cookie_requests')}, "
                            f"the kernel's {done['delta']['TCPFastOpenCookieReqd']}")
    # this kernel's MPTCP takes TCP_FASTOPEN (6.2+): TFO works on it; the
    # rejection of 6.1 is the VM suite's to see
    if not any(f.get("kind") == "tfo-ok" for f in finals):
        problems.append(f"final kinds {[f.get('kind') for f in finals]}, want tfo-ok")
    listeners = [o for o in objs if o.get("type") == "listener" and o.get("port") == PORT]
    if started_before:
        if len(listeners) != 1:
            problems.append(f"{len(listeners)} listener records of port {PORT} from the scan")
        else:
            l = listeners[0]
            holders = {o["pid"] for o in l.get("owners", [])}
            if l.get("pid") != hp.master or l.get("comm") != "haproxy":
                problems.append(f"the scan names pid {l.get('pid')}, the master is {hp.master}")
            if not set(hp.workers()) <= holders:
                problems.append(f"the scan lists holders {holders}, workers {hp.workers()}")
            if l.get("go_version") is not None:
                problems.append(f"haproxy has go_version {l.get('go_version')}")
    else:
        tfo = [o for o in objs if o.get("type") == "setsockopt" and o.get("optname") == "TCP_FASTOPEN"
               and o.get("port") == PORT]
        listens = [o for o in objs if o.get("type") == "listen" and o.get("port") == PORT]
        if not listens or listens[0].get("pid") != hp.master:
            problems.append(f"listen() records {[(o.get('pid'), o.get('comm')) for o in listens]}, "
                            f"want the master {hp.master}")
        if not tfo:
            problems.append("no TCP_FASTOPEN record on haproxy's listener")
        for o in tfo:
            if o.get("proto") != "MPTCP":
                problems.append(f"TCP_FASTOPEN on {o.get('proto')}")
    return problems


def run_haproxy(ctx, before):
    ns = Netns()
    hp = None
    try:
        if before:
            hp = Haproxy(ctx, ns)
            if not hp.wait_listening():
                raise R.Fail(f"haproxy exited: {hp.output()[-300:]!r}")
            tr = tracer(ctx, ns)
        else:
            tr = tracer(ctx, ns)
            hp = Haproxy(ctx, ns)
            if not hp.wait_listening():
                raise R.Fail(f"haproxy exited: {hp.output()[-300:]!r}")
        done = clients(ns)
        time.sleep(0.3)
        tr.stop()
        objs, bad = R.parse_json_lines(tr.stdout())
        if bad:
            raise R.Fail(f"non-JSON lines: {bad[:2]}")
        problems = judge_haproxy(objs, hp, done, before)
        if problems:
            raise R.Fail("; ".join(problems))
        return objs, hp, done
    finally:
        if hp:
            hp.stop()
        ns.close()


def test_haproxy_started_before(ctx):
    objs, hp, done = run_haproxy(ctx, before=True)
    print(f"# haproxy (started before): master {hp.master} named, "
          f"{done['answered']}/{done['clients']} TFO clients answered, "
          f"TCPFastOpenPassive +{done['delta']['TCPFastOpenPassive']}")


def test_haproxy_started_after(ctx):
    objs, hp, done = run_haproxy(ctx, before=False)
    print(f"# haproxy (started after): master {hp.master} named")


def test_mptcp_off_stops_a_native_mptcp_server(ctx):
    """Why net.mptcp.enabled=0 is never advised for such a listener: with
    MPTCP off, a server that asks for MPTCP and does not fall back does not
    listen at all (haproxy under mptcpize, like the C proxy the field guide
    met). The same server with plain TCP in that namespace works."""
    ns = Netns(("net.ipv4.tcp_fastopen=3", "net.mptcp.enabled=0"))
    try:
        hp = Haproxy(ctx, ns)
        up = hp.wait_listening()
        hp.stop()
        if up:
            raise R.Fail("haproxy listened with MPTCP refused: the advice rule rests on a wrong fact")
        plain = Haproxy(ctx, ns, mptcp=False)
        if not plain.wait_listening():
            raise R.Fail(f"plain haproxy failed too: {plain.output()[-300:]!r}")
        done = clients(ns)
        plain.stop()
        if done["answered"] != done["clients"]:
            raise R.Fail(f"plain haproxy answered {done['answered']}")
        print(f"# net.mptcp.enabled=0: haproxy under mptcpize exits "
              f"({hp.output().splitlines()[-1][:80]!r}); plain TCP serves")
    finally:
        ns.close()


def test_own_probes_never_seen(ctx):
    """tfotrace --scan and tfotrace doctor under a running tfotrace in the
    same namespace: no finding, no record of a tfotrace process."""
    ns = Netns()
    try:
        tr = tracer(ctx, ns)
        for argv in ([ctx.tfotrace, "--scan"], [ctx.tfotrace, "doctor"],
                     [ctx.tfotrace, "--scan", "--json"]):
            r = subprocess.run(ns.argv(argv), capture_output=True, text=True, timeout=60)
            if r.returncode not in (0, 3):
                raise R.Fail(f"{argv[1:]}: exit {r.returncode}: {r.stderr[-200:]}")
        time.sleep(0.3)
        tr.stop()
        objs, _ = R.parse_json_lines(tr.stdout())
        findings = [o for o in objs if o.get("type") == "finding"]
        ours = [o for o in R.events_of(objs) if o.get("comm") == "tfotrace"]
        if findings or ours:
            raise R.Fail(f"{len(findings)} findings, {len(ours)} records of tfotrace "
                         f"processes: {[R.short(o, 160) for o in (findings + ours)[:3]]}")
    finally:
        ns.close()


TESTS = [
    ("haproxy_started_before", test_haproxy_started_before),
    ("haproxy_started_after", test_haproxy_started_after),
    ("mptcp_off_stops_a_native_mptcp_server", test_mptcp_off_stops_a_native_mptcp_server),
    ("own_probes_never_seen", test_own_probes_never_seen),
]
