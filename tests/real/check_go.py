# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Build the Go servers of tests/real/go and run each variant on this
machine, each in a fresh network namespace (lo up, tcp_fastopen=3), with
build/tests/tfo_client's TFO clients against it; then haproxy from Debian
under Debian's own `mptcpize run`. Prints one row a run: the listener's
protocol (SO_PROTOCOL as the server read it, and whether `ss -M` lists an
MPTCP listener), TCP_FASTOPEN's errno, clients answered, TCPFastOpenPassive.

    python3 tests/real/check_go.py          (or: tests/real/golang.py --check)

Root. Needs mptcpize installed for its rows (apt-get install mptcpize; the
packages' files can not be used from the cache: mptcpize hard-codes the
library's path), else they are skipped. Exit 0 when every row is as
expected for this kernel."""

import json
import os
import re
import select
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golang  # noqa: E402
import servers  # noqa: E402

ROOT = golang.ROOT
CLIENT = os.path.join(ROOT, "build", "tests", "tfo_client")
PORT = 18080
CLIENTS = 5
TCP, MPTCP = 6, 262
ENOPROTOOPT = 92


def kernel():
    m = re.match(r"(\d+)\.(\d+)", os.uname().release)
    return int(m.group(1)), int(m.group(2))


# MPTCP takes TCP_FASTOPEN from 6.2 on (net/mptcp/sockopt.c)
MPTCP_TFO = kernel() >= (6, 2)

# (row, server, GODEBUG in its environment or None, under mptcpize run,
#  the listener's expected protocol)
CASES = [
    ("a", "tfo-go-default", None, False, MPTCP),
    ("a multipathtcp=0", "tfo-go-default", "multipathtcp=0", False, TCP),
    ("b", "tfo-go-old", None, False, TCP),
    ("b multipathtcp=2", "tfo-go-old", "multipathtcp=2", False, MPTCP),
    ("b multipathtcp=1", "tfo-go-old", "multipathtcp=1", False, MPTCP),
    ("b mptcpize run", "tfo-go-old", None, True, TCP),  # Go calls no libc socket()
    ("c", "tfo-go-setmptcp", None, False, MPTCP),
    ("c multipathtcp=0", "tfo-go-setmptcp", "multipathtcp=0", False, MPTCP),
    ("d x509sha1=1", "tfo-go-default", "x509sha1=1", False, MPTCP),
    ("e", "tfo-go-return", None, False, MPTCP if MPTCP_TFO else TCP),
]


class Netns:
    """A fresh network namespace held by a sleeping process we started."""

    def __init__(self):
        self.proc = subprocess.Popen(
            ["unshare", "-n", "sh", "-c",
             "ip link set lo up && sysctl -qw net.ipv4.tcp_fastopen=3 && echo up && exec sleep 600"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if self.proc.stdout.readline().strip() != b"up":
            raise RuntimeError(f"netns: {self.proc.stderr.read()[:200]!r}")

    def argv(self, argv):
        return ["nsenter", f"--net=/proc/{self.proc.pid}/ns/net"] + list(argv)

    def close(self):
        stop(self.proc)


def stop(proc, sig=signal.SIGKILL):
    """Stop one process we started, by its pid, and reap it."""
    if proc.poll() is None:
        try:
            os.kill(proc.pid, sig)
            proc.wait(timeout=5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


def ss_mptcp(out, port):
    """Whether `ss -Hltn -M` output OUT lists an MPTCP listener on PORT."""
    return any(f[0] == "mptcp" and f[4].endswith(f":{port}")
               for f in (line.split() for line in out.splitlines()) if len(f) >= 5)


def ss(ns):
    return subprocess.run(ns.argv(["ss", "-Hltn", "-M"]), capture_output=True, text=True).stdout


def clients(ns):
    r = subprocess.run(ns.argv([CLIENT, "--port", str(PORT), "--clients", str(CLIENTS)]),
                       capture_output=True, text=True, timeout=60)
    try:
        return json.loads(r.stdout.splitlines()[-1])
    except (ValueError, IndexError):
        raise RuntimeError(f"tfo_client: {r.stderr[-300:]}")


def run_go(binary, godebug, mptcpize):
    ns = Netns()
    env = {k: v for k, v in os.environ.items() if k not in ("GODEBUG", "LD_PRELOAD")}
    if godebug is not None:
        env["GODEBUG"] = godebug
    argv = [binary, "-listen", f"127.0.0.1:{PORT}"]
    if mptcpize:
        argv = [servers.MPTCPIZE, "run"] + argv
    proc = subprocess.Popen(ns.argv(argv), env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 10)
        line = proc.stdout.readline() if ready else ""
        if not line:
            raise RuntimeError(f"{os.path.basename(binary)} not ready: "
                               f"{proc.stderr.read()[-300:] if proc.poll() is not None else ''}")
        info = json.loads(line)
        if info["pid"] != proc.pid:
            raise RuntimeError(f"ready pid {info['pid']}, started {proc.pid}")
        info["ss_mptcp"] = ss_mptcp(ss(ns), PORT)
        with open(f"/proc/{proc.pid}/environ", "rb") as f:
            info["preload"] = [e.decode() for e in f.read().split(b"\0")
                               if e.startswith(b"LD_PRELOAD=")]
        info["done"] = clients(ns)
    finally:
        stop(proc)
        ns.close()
    info["stderr"] = proc.stderr.read().strip().splitlines()
    return info


def run_haproxy(workdir):
    """haproxy -f CFG under `mptcpize run -d` in a fresh namespace."""
    hp = servers.haproxy()
    ns = Netns()
    cfg, pidfile, logpath = (os.path.join(workdir, n) for n in ("haproxy.cfg", "pid", "log"))
    servers.haproxy_config(cfg, PORT)
    env = dict({k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}, **hp["env"])
    log = open(logpath, "wb")
    proc = subprocess.Popen(ns.argv([servers.MPTCPIZE, "run", "-d", hp["binary"], "-f", cfg,
                                     "-p", pidfile]),
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    workers = []
    try:
        deadline = time.monotonic() + 10
        while True:
            with open(logpath, "rb") as f:
                out = f.read().decode(errors="replace")
            if "Loading success" in out and os.path.exists(pidfile):
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"haproxy not up: {out[-300:]}")
            time.sleep(0.05)
        with open(f"/proc/{proc.pid}/task/{proc.pid}/children") as f:
            workers = [int(p) for p in f.read().split()]
        with open(f"/proc/{proc.pid}/environ", "rb") as f:
            preload = [e.decode() for e in f.read().split(b"\0") if e.startswith(b"LD_PRELOAD=")]
        listeners = ss(ns)
        done = clients(ns)
    finally:
        stop(proc, signal.SIGTERM)
        for pid in workers:   # the master's workers: ours too, by pid
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        ns.close()
        log.close()
    with open(logpath) as f:
        wrap = [line.strip() for line in f if line.startswith("mptcpwrap:")]
    return {"pid": proc.pid, "workers": workers, "preload": preload, "ss": listeners.strip().splitlines(),
            "wrap": wrap, "done": done,
            "ss_mptcp": ss_mptcp(listeners, PORT)}


def name_proto(p):
    return {TCP: "TCP", MPTCP: "MPTCP"}.get(p, str(p))


def main():
    if os.geteuid() != 0:
        print("check_go: needs root (network namespaces)", file=sys.stderr)
        return 2
    if not os.access(CLIENT, os.X_OK):
        subprocess.run(["make", "-C", ROOT, "build/tests/tfo_client"], check=True)
    t = time.monotonic()
    version = golang.toolchain()
    t_tool = time.monotonic() - t
    bins = golang.build_all()
    t_all = time.monotonic() - t
    print(f"# {version} (GOROOT {golang.GOROOT}); toolchain ready in {t_tool:.1f} s, "
          f"all servers built in {t_all:.1f} s; kernel {os.uname().release}")
    info = golang.build_info(bins["tfo-go-old"])
    dg = info.get("DefaultGODEBUG", "")
    print(f"# tfo-go-old DefaultGODEBUG: {'multipathtcp=0 present' if 'multipathtcp=0' in dg.split(',') else 'MISSING multipathtcp=0: ' + dg}")
    have_mptcpize = os.access(servers.MPTCPIZE, os.X_OK) and os.path.exists(servers.MPTCPWRAP)
    bad = 0 if "multipathtcp=0" in dg.split(",") else 1
    rows = 1
    fmt = "{:<20} {:<16} {:<16} {:<6} {:<5} {:<9} {:<16} {:<8} {:<8} {}"
    print(fmt.format("row", "server", "GODEBUG", "proto", "ss-M", "tfo_errno", "controls",
                     "answered", "passive", "verdict"))
    for row, server, godebug, mz, want in CASES:
        if mz and not have_mptcpize:
            print(fmt.format(row, server, "", "", "", "", "", "", "", "skipped: no mptcpize"))
            continue
        r = run_go(bins[server], godebug, mz)
        rows += 1
        d = r["done"]
        want_errno = ENOPROTOOPT if want == MPTCP and not MPTCP_TFO else 0
        ok = (r["proto"] == want and r["ss_mptcp"] == (want == MPTCP)
              and r["tfo_errno"] == want_errno and d["answered"] == d["clients"]
              and (d["delta"]["TCPFastOpenPassive"] > 0) == (want_errno == 0))
        bad += not ok
        ctl = ",".join(f"{name_proto(c['proto'])}:{c['errno']}" for c in r["controls"])
        print(fmt.format(row, server, godebug or "-", name_proto(r["proto"]),
                         "yes" if r["ss_mptcp"] else "no", r["tfo_errno"], ctl,
                         f"{d['answered']}/{d['clients']}", d["delta"]["TCPFastOpenPassive"],
                         "ok" if ok else f"UNEXPECTED (want {name_proto(want)})"))
        for line in r["stderr"]:
            print(f"#   {row} stderr: {line}")
        if mz:
            print(f"#   {row} environ: {r['preload']}")
    if have_mptcpize:
        workdir = os.path.join(ROOT, "build", "check_go")
        os.makedirs(workdir, exist_ok=True)
        h = run_haproxy(workdir)
        rows += 1
        d = h["done"]
        ok = h["ss_mptcp"] and d["answered"] == d["clients"] and h["wrap"] \
            and h["preload"] == [f"LD_PRELOAD={servers.MPTCPWRAP}"]
        bad += not ok
        print(fmt.format("haproxy mptcpize", "haproxy (deb)", "-",
                         "MPTCP" if h["ss_mptcp"] else "TCP", "yes" if h["ss_mptcp"] else "no",
                         "-", "-", f"{d['answered']}/{d['clients']}",
                         d["delta"]["TCPFastOpenPassive"], "ok" if ok else "UNEXPECTED"))
        print(f"#   haproxy master {h['pid']} workers {h['workers']} environ: {h['preload']}")
        for line in h["wrap"]:
            print(f"#   haproxy {line}")
        for line in h["ss"]:
            print(f"#   haproxy ss -ltnM: {line}")
    else:
        print("# haproxy under mptcpize: skipped (apt-get install mptcpize)")
    print(f"{rows - bad} passed, {bad} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
