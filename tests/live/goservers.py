# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Live tests with real Go 1.24 servers (tests/real/go, built at test time
with Debian 13's Go 1.24 by tests/real/golang.py) and Debian's mptcpize:
where each listener's MPTCP came from, and the fix tfotrace gives, applied
as printed.

This kernel's MPTCP takes TCP_FASTOPEN (6.2+), so here the fault each
server shows is TCP_USER_TIMEOUT (-user-timeout, as a relay sets it), an
option MPTCP refuses on every kernel so far; the TCP_FASTOPEN refusal of
Debian 12's 6.1 is the VM suite's. The variants (the issue's letters):
  a  a go 1.24 module: MPTCP by Go's default                  go-default
  b  a go 1.22 module run with GODEBUG=multipathtcp=2         environment
  c  a go 1.24 module calling SetMultipathTCP(true)           program
  d  (a) with GODEBUG=x509sha1=1 already in its environment   go-default
  e  a go 1.24 module whose Control returns the error: Go listens with
     plain TCP instead                                        mptcp-fell-back
and Debian's haproxy under Debian's `mptcpize run`           preload
Imported by run.py."""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import run as R
from realservers import Netns, clients

sys.path.insert(0, os.path.join(R.ROOT, "tests", "real"))
import golang  # noqa: E402
import servers  # noqa: E402

PORT = 18080
USER_TIMEOUT_MS = 30000
IPPROTO_MPTCP = 262

# variant -> (binary, environment, the source tfotrace must say)
VARIANTS = {
    "a": ("tfo-go-default", {}, "go-default"),
    "b": ("tfo-go-old", {"GODEBUG": "multipathtcp=2"}, "environment"),
    "c": ("tfo-go-setmptcp", {}, "program"),
    "d": ("tfo-go-default", {"GODEBUG": "x509sha1=1"}, "go-default"),
    "e": ("tfo-go-return", {}, None),
}


class GoServer:
    """One of tests/real/go's servers in NS with ENV (nothing else of the
    test's environment), its ready line read."""

    def __init__(self, ns, name, env, workdir, extra_env=None):
        self.binary = golang.build(name)
        self.env = {"PATH": "/usr/bin:/bin", **env, **(extra_env or {})}
        self.log = open(os.path.join(workdir, f"{name}-{time.monotonic_ns()}.log"), "wb")
        self.proc = R.spawn(ns.argv([self.binary, "-listen", f"127.0.0.1:{PORT}",
                                     "-user-timeout", str(USER_TIMEOUT_MS)]),
                            env=self.env, stdout=subprocess.PIPE, stderr=self.log)
        line = self.proc.stdout.readline()
        try:
            self.ready = json.loads(line)
        except ValueError:
            self.stop()
            raise R.Fail(f"{name}: no ready line ({line[:200]!r})")
        self.pid = self.ready["pid"]

    def environ(self):
        with open(f"/proc/{self.pid}/environ", "rb") as f:
            return dict(v.split(b"=", 1) for v in f.read().split(b"\0") if b"=" in v)

    def stop(self):
        R.kill_proc(self.proc)
        self.log.close()


def tracer(ctx, ns, args=()):
    return R.Tracer("nsenter", [f"--net=/proc/{ns.pid}/ns/net", ctx.tfotrace, "--json"]
                    + list(args), ctx.workdir).wait_ready()


def traced(ctx, ns, start, before=False, args=()):
    """START() (a server) before or after tfotrace in NS, its TFO clients,
    then the records: (objs, server, clients' result)."""
    srv = start() if before else None
    tr = tracer(ctx, ns, args)
    try:
        if not before:
            srv = start()
        done = clients(ns)
        time.sleep(0.3)
    except BaseException:
        tr.stop()
        if srv:
            srv.stop()
        raise
    tr.stop()
    objs, bad = R.parse_json_lines(tr.stdout())
    if bad:
        srv.stop()
        raise R.Fail(f"non-JSON lines: {bad[:2]}")
    return objs, srv, done


def finals_on(objs, port=PORT):
    return [o for o in objs if o.get("type") == "finding" and o.get("final")
            and o.get("port") == port and "remote_addr" not in o]


def godebug_fix(advice):
    """The GODEBUG value a fix says to run with: the backquoted
    `GODEBUG=...` (or `Environment=GODEBUG=...`, quoted or not)."""
    m = re.search(r'`(?:Environment=)?"?GODEBUG=([^`"]*)"?`', advice)
    return m.group(1) if m else None


def program_fix(finding):
    """A finding's first program-level fix: the first step that is not a
    sysctl (mptcp-tfo-rejected's first is 0x403) nor a kernel."""
    for a in finding.get("advice", []):
        if not re.match(r"(sysctl -w|nsenter .* sysctl -w|a kernel)", a):
            return a
    return None


def judge_named(tag, objs, srv, want_source, before):
    """The server named, its Go version and where its MPTCP came from."""
    problems = []
    go = srv.ready["go"]
    if before:
        ls = [o for o in objs if o.get("type") == "listener" and o.get("port") == PORT]
        if len(ls) != 1:
            return [f"{tag}: {len(ls)} scan records of port {PORT}"]
        l = ls[0]
        got = (l.get("pid"), l.get("go_version"), l.get("mptcp_source"))
        if got != (srv.pid, go, want_source):
            problems.append(f"{tag} scan: pid/go/source {got}, want {(srv.pid, go, want_source)}")
        return problems
    fins = finals_on(objs)
    kinds = sorted(f["kind"] for f in fins)
    if kinds != ["mptcp-option-rejected", "tfo-ok"]:
        problems.append(f"{tag}: final kinds {kinds}")
    for f in fins:
        got = (f.get("pid"), f.get("go_version"), f.get("proto"), f.get("mptcp_source"))
        want = (srv.pid, go, "MPTCP", want_source)
        if got != want:
            problems.append(f"{tag} {f['kind']}: pid/go/proto/source {got}, want {want}")
    return problems


def test_go_servers_named(ctx):
    """Each Go server, started after and before tfotrace: its pid, its Go
    version and where its listener's MPTCP came from."""
    problems, seen = [], []
    for tag in "abcd":
        name, env, source = VARIANTS[tag]
        for before in (False, True):
            ns = Netns()
            try:
                objs, srv, done = traced(ctx, ns, lambda: GoServer(ns, name, env, ctx.workdir),
                                         before=before)
                srv.stop()
            finally:
                ns.close()
            if srv.ready["proto"] != IPPROTO_MPTCP:
                problems.append(f"{tag}: the server listened with {srv.ready['proto']}")
            if done["answered"] != done["clients"]:
                problems.append(f"{tag}: {done['answered']}/{done['clients']} answered")
            problems += judge_named(f"{tag}{' (before)' if before else ''}", objs, srv,
                                    source, before)
            if not before:
                f = next((f for f in finals_on(objs) if f["kind"] == "mptcp-option-rejected"), {})
                seen.append(f"{tag} {f.get('mptcp_source')}: {f.get('mptcp_setting')}")
    print("# " + "; ".join(seen))
    if problems:
        raise R.Fail("; ".join(problems))


def test_go_fix_applied(ctx):
    """The first program-level fix of (a), (b) and (d), applied as printed
    (the server started again with the GODEBUG it names): a TCP listener,
    its options taken, TFO working, nothing wrong; (d) keeps x509sha1=1.
    (c)'s fix is about its code: no GODEBUG is offered, and GODEBUG=
    multipathtcp=0 indeed leaves it MPTCP."""
    problems, said = [], []
    for tag in "abdc":
        name, env, _ = VARIANTS[tag]
        ns = Netns()
        try:
            objs, srv, _ = traced(ctx, ns, lambda: GoServer(ns, name, env, ctx.workdir))
            srv.stop()
            f = next((f for f in finals_on(objs) if f["kind"] == "mptcp-option-rejected"), None)
            fix = program_fix(f) if f else None
            value = godebug_fix(fix) if fix else None
            if tag == "c":
                if value is not None or "SetMultipathTCP(true)" not in (fix or ""):
                    problems.append(f"c: fix {fix!r}")
                value = "multipathtcp=0"   # what would not help
            elif value is None:
                problems.append(f"{tag}: no GODEBUG in the fix {fix!r}")
                continue
            said.append(f"{tag}: GODEBUG={value}" if tag != "c" else
                        f"c: GODEBUG={value}, not offered, tried: no help (still MPTCP)")
            fixed = dict(env, GODEBUG=value)
            objs, srv, done = traced(ctx, ns, lambda: GoServer(ns, name, fixed, ctx.workdir))
            environ = srv.environ()
            srv.stop()
        finally:
            ns.close()
        fins = finals_on(objs)
        if tag == "c":
            if srv.ready["proto"] != IPPROTO_MPTCP or \
                    "mptcp-option-rejected" not in [f["kind"] for f in fins]:
                problems.append(f"c with GODEBUG=multipathtcp=0: proto {srv.ready['proto']}, "
                                f"{[f['kind'] for f in fins]}")
            continue
        if srv.ready["proto"] != 6 or srv.ready["controls"][-1]["ut_errno"] != 0:
            problems.append(f"{tag} fixed: proto {srv.ready['proto']}, controls "
                            f"{srv.ready['controls']}")
        if [f["kind"] for f in fins] != ["tfo-ok"]:
            problems.append(f"{tag} fixed: findings {[f['kind'] for f in fins]}")
        if done["answered"] != done["clients"] or done["delta"]["TCPFastOpenPassive"] < 1:
            problems.append(f"{tag} fixed: {done}")
        if tag == "d" and b"x509sha1=1" not in environ.get(b"GODEBUG", b""):
            problems.append(f"d fixed: GODEBUG {environ.get(b'GODEBUG')!r} lost x509sha1=1")
    print("# fixes applied: " + "; ".join(said))
    if problems:
        raise R.Fail("; ".join(problems))


def test_go_fell_back(ctx):
    """(e): its Control returns the refusal, Go listens with plain TCP:
    no fault, the informational mptcp-fell-back, TFO working."""
    name, env, _ = VARIANTS["e"]
    ns = Netns()
    try:
        objs, srv, done = traced(ctx, ns, lambda: GoServer(ns, name, env, ctx.workdir))
        srv.stop()
    finally:
        ns.close()
    fins = finals_on(objs)
    kinds = sorted(f["kind"] for f in fins)
    problems = []
    if srv.ready["proto"] != 6 or [c["proto"] for c in srv.ready["controls"]] != [262, 6]:
        problems.append(f"the server: proto {srv.ready['proto']}, controls {srv.ready['controls']}")
    if kinds != ["mptcp-fell-back", "tfo-ok"]:
        problems.append(f"final kinds {kinds}")
    fb = next((f for f in fins if f["kind"] == "mptcp-fell-back"), {})
    if fb.get("pid") != srv.pid or fb.get("proto") != "TCP" or fb.get("errno") != "ENOPROTOOPT":
        problems.append(f"mptcp-fell-back: {R.short(fb, 200)}")
    # in its namespace: the host may run other servers meanwhile
    wrong = [o for o in objs if o.get("type") == "finding" and o.get("kind") not in
             ("mptcp-fell-back", "tfo-ok") and "remote_addr" not in o
             and o.get("netns") == ns.ino]
    if wrong:
        problems.append(f"a fault where there is none: {[R.short(o, 120) for o in wrong]}")
    if done["answered"] != done["clients"] or done["delta"]["TCPFastOpenPassive"] < 1:
        problems.append(f"clients: {done}")
    if problems:
        raise R.Fail("; ".join(problems))


def mptcpize_binary():
    m = servers.mptcpize()
    if not m["installed"]:
        raise R.Fail("mptcpize and libmptcpwrap0 are not installed (make deps)")
    return "/usr/bin/mptcpize"


class Haproxy:
    """Debian's haproxy -W in NS, under ARGV_PREFIX (mptcpize run), its
    bind asking for TFO and a TCP user timeout (tcp-ut)."""

    def __init__(self, ctx, ns, prefix=()):
        hp = servers.haproxy()
        self.dir = tempfile.mkdtemp(prefix="haproxy-", dir=ctx.workdir)
        cfg = os.path.join(self.dir, "haproxy.cfg")
        self.pidfile = os.path.join(self.dir, "pid")
        servers.haproxy_config(cfg, PORT)
        with open(cfg) as f:
            text = f.read().replace(" tfo\n", " tfo tcp-ut 30s\n")
        with open(cfg, "w") as f:
            f.write(text)
        self.logf = open(os.path.join(self.dir, "log"), "wb")
        self.proc = R.spawn(ns.argv(list(prefix) + [hp["binary"], "-f", cfg, "-p", self.pidfile]),
                            env=dict(hp["env"], PATH="/usr/bin:/bin"),
                            stdout=self.logf, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while not os.path.exists(self.pidfile) or b"Loading success" not in self.output():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise R.Fail(f"haproxy not up: {self.output()[-300:]!r}")
            time.sleep(0.05)
        with open(self.pidfile) as f:
            self.master = int(f.read().split()[0])

    def output(self):
        with open(os.path.join(self.dir, "log"), "rb") as f:
            return f.read()

    def stop(self):
        R.kill_proc(self.proc)
        self.logf.close()


def test_mptcpize_preload(ctx):
    """haproxy under Debian's `mptcpize run`: source preload, naming
    libmptcpwrap; its fix (start it without mptcpize run) applied: a TCP
    listener, tcp-ut taken, TFO working, nothing wrong."""
    mptcpize = mptcpize_binary()
    ns = Netns()
    problems = []
    try:
        objs, hp, done = traced(ctx, ns, lambda: Haproxy(ctx, ns, [mptcpize, "run"]))
        hp.stop()
        fins = finals_on(objs)
        rej = next((f for f in fins if f["kind"] == "mptcp-option-rejected"), {})
        fix = program_fix(rej) or ""
        if (rej.get("pid"), rej.get("comm"), rej.get("mptcp_source")) != \
                (hp.master, "haproxy", "preload") or \
                "libmptcpwrap.so.0.0.1" not in (rej.get("mptcp_setting") or ""):
            problems.append(f"under mptcpize: {R.short(rej, 300)}")
        if "start it without `mptcpize run`" not in fix:
            problems.append(f"the fix: {fix!r}")
        # applied: the same command without `mptcpize run`
        objs, hp, done = traced(ctx, ns, lambda: Haproxy(ctx, ns))
        hp.stop()
    finally:
        ns.close()
    fins = finals_on(objs)
    if [f["kind"] for f in fins] != ["tfo-ok"] or fins[0].get("proto") != "TCP":
        problems.append(f"without mptcpize: {[(f['kind'], f.get('proto')) for f in fins]}")
    if done["answered"] != done["clients"] or done["delta"]["TCPFastOpenPassive"] < 1:
        problems.append(f"without mptcpize: clients {done}")
    if problems:
        raise R.Fail("; ".join(problems))
    print(f"# mptcpize: preload named ({rej.get('mptcp_setting')}); fixed: "
          f"TCPFastOpenPassive +{done['delta']['TCPFastOpenPassive']}")


def test_environment_secrets_stay(ctx):
    """A server with a recognisable secret in its environment (and a junk,
    repeated, non-UTF-8 GODEBUG, 1 MiB of other variables): nothing
    tfotrace writes (stdout in JSON and text, stderr, the Prometheus file,
    its cache) holds the secret's name or value; the JSON stays valid and
    the GODEBUG read is the one Go takes."""
    canary_name, canary = "TFOTRACE_CANARY_TOKEN", "s3cr3t-7f1c9e2b5a"
    bulk = {f"FILLER_{i}": "x" * 1000 for i in range(1000)}
    env = dict(bulk, **{canary_name: canary,
                        "GODEBUG": "multipathtcp=0,\udcff=1,multipathtcp=2"})
    env_bytes = {k.encode(): v.encode("utf-8", "surrogateescape") for k, v in env.items()}
    cache = tempfile.mkdtemp(prefix="cache-", dir=ctx.workdir)
    os.chmod(cache, 0o700)
    prom = os.path.join(ctx.workdir, "secrets.prom")
    problems, written = [], []
    name, _, _ = VARIANTS["b"]
    for fmt in (["--json"], []):
        ns = Netns()
        try:
            srv = None
            tr = R.Tracer("env", [f"TFOTRACE_CACHE_DIR={cache}", "nsenter",
                                  f"--net=/proc/{ns.pid}/ns/net", ctx.tfotrace, *fmt,
                                  "--prometheus", prom], ctx.workdir).wait_ready()
            srv = GoServer(ns, name, {}, ctx.workdir, extra_env=env_bytes)
            clients(ns)
            time.sleep(0.3)
            tr.stop()
        finally:
            if srv:
                srv.stop()
            ns.close()
        written += [tr.stdout(), tr.stderr()]
        with open(prom, errors="replace") as f:
            written.append(f.read())
        if fmt:
            objs, bad = R.parse_json_lines(tr.stdout())
            if bad:
                problems.append(f"invalid JSON: {bad[:2]}")
            rej = next((f for f in finals_on(objs) if f["kind"] == "mptcp-option-rejected"), {})
            if rej.get("mptcp_source") != "environment" or \
                    rej.get("mptcp_setting") != "GODEBUG=multipathtcp=2":
                problems.append(f"source {rej.get('mptcp_source')}: {rej.get('mptcp_setting')}")
            fix = godebug_fix(program_fix(rej) or "")
            if fix != "\\xff=1,multipathtcp=0":
                problems.append(f"the fix's GODEBUG {fix!r}")
    for root, _, files in os.walk(cache):
        for fn in files:
            with open(os.path.join(root, fn), "rb") as f:
                written.append(f.read().decode("latin-1"))
    leaks = [w[max(0, w.find(x) - 60):w.find(x) + 60] for w in written
             for x in (canary, canary_name, "FILLER_") if x in w]
    if leaks:
        problems.append(f"the environment leaked: {leaks[:3]}")
    if problems:
        raise R.Fail("; ".join(problems))


TESTS = [
    ("go_servers_named", test_go_servers_named),
    ("go_fix_applied", test_go_fix_applied),
    ("go_fell_back", test_go_fell_back),
    ("mptcpize_preload", test_mptcpize_preload),
    ("environment_secrets_stay", test_environment_secrets_stay),
]
