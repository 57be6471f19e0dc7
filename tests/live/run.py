#!/usr/bin/env python3
"""Live tests of tfotrace: the real tool, the real kernel, a known workload.

Runs as root on a machine with BTF (/sys/kernel/btf/vmlinux); otherwise it
prints "SKIPPED: <reason>" and exits 77. Python standard library only.

    python3 tests/live/run.py [--tfotrace PATH] [--workload PATH] [TEST...]

Paths default to $TFOTRACE / $WORKLOAD, then build/tfotrace and
build/tests/sockopt_workload under the repository root. The workload
(tests/scenarios/sockopt_workload.c) prints one JSON line per socket(2),
setsockopt(2) and listen(2) call with what libc saw; the tests compare
tfotrace's records against those observations.

Output: "ok - NAME" or "not ok - NAME: why" per test, lines starting with
"#" are diagnostics, and last exactly one "live: N passed, M failed".
Exit status 0 only when nothing failed. Every wait is bounded and the whole
run is capped below 60 s; every process started here is killed (by its pid)
when a test ends or fails.
"""

import argparse
import errno
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SKIP_STATUS = 77
RUN_BUDGET_S = 240           # hard cap for the whole run
READY_TIMEOUT_S = 10         # tfotrace --ready-file
WORKLOAD_READY_TIMEOUT_S = 5
WORKLOAD_FINISH_TIMEOUT_S = 10
STOP_TIMEOUT_S = 5           # tfotrace after SIGINT
EXIT_TIMEOUT_S = 5           # tfotrace that should exit by itself

BAD_OPTNAME = 9999
MPTCP = 262
TCP = 6

# (level, optname) -> the symbolic name the tool should print.
OPTNAMES = {
    (1, 2): "SO_REUSEADDR",
    (6, 1): "TCP_NODELAY",
    (6, 13): "TCP_CONGESTION",
    (6, 14): "TCP_MD5SIG",
    (6, 18): "TCP_USER_TIMEOUT",
    (6, 23): "TCP_FASTOPEN",
    (0, 2): "IP_TTL",
    (41, 16): "IPV6_UNICAST_HOPS",
}
FAMILIES = {2: "AF_INET", 10: "AF_INET6"}
PROTOS = {TCP: "TCP", MPTCP: "MPTCP"}

STARTED = []   # every Popen made here, so nothing outlives its test


class Fail(Exception):
    """A test's assertion failed; the message says why."""


class OutOfTime(Exception):
    """The whole-run budget ran out."""


def errno_names(num):
    """All symbolic names of an errno value (95: EOPNOTSUPP and ENOTSUP)."""
    return {n for n in dir(errno)
            if n.startswith("E") and getattr(errno, n) == num}


def short(obj, limit=400):
    text = json.dumps(obj, separators=(",", ":"), sort_keys=False) \
        if not isinstance(obj, str) else obj
    return text if len(text) <= limit else text[:limit] + "..."


def tail(text, lines=8):
    rows = [r for r in text.strip().splitlines()]
    if not rows:
        return "(empty)"
    rows = rows[-lines:]
    return " | ".join(rows)


def spawn(argv, **kw):
    try:
        proc = subprocess.Popen(argv, **kw)
    except OSError as exc:
        raise Fail(f"cannot start {argv[0]}: {exc}")
    STARTED.append(proc)
    return proc


def kill_proc(proc):
    """Kill one process we started, by its pid, and reap it."""
    if proc.poll() is None:
        try:
            proc.kill()
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            pass


def kill_started(since=0):
    for proc in STARTED[since:]:
        kill_proc(proc)


def wait_exit(proc, timeout):
    """The exit status, or None if still running after timeout seconds."""
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return None


def describe_status(rc):
    if rc is None:
        return "still running"
    if rc < 0:
        try:
            return f"killed by {signal.Signals(-rc).name}"
        except ValueError:
            return f"killed by signal {-rc}"
    return f"exit status {rc}"


def parse_json_lines(text):
    """(objects, bad_lines): every non-empty line must be a JSON object."""
    objs, bad = [], []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            bad.append(line)
            continue
        if isinstance(obj, dict):
            objs.append(obj)
        else:
            bad.append(line)
    return objs, bad


def is_int(value):
    return type(value) is int


# ---------------------------------------------------------------- processes

class Workload:
    """tests/scenarios/sockopt_workload, read live through a pipe."""

    def __init__(self, path, workdir, wait=True):
        self.errf = tempfile.TemporaryFile(dir=workdir)
        argv = [path] + ([] if wait else ["--no-wait"])
        self.proc = spawn(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=self.errf)
        self.buf = b""
        self.lines = []
        self.pid = None
        self.netns = None
        self.obs = []

    def stderr(self):
        self.errf.seek(0)
        return self.errf.read().decode(errors="replace")

    def _fill(self, deadline):
        """Read what is there; False on EOF."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Fail(f"workload {self.proc.pid}: timed out; stderr: "
                       f"{tail(self.stderr())}")
        ready, _, _ = select.select([self.proc.stdout], [], [], remaining)
        if not ready:
            return True
        chunk = os.read(self.proc.stdout.fileno(), 65536)
        if not chunk:
            return False
        self.buf += chunk
        return True

    def wait_ready(self, timeout=WORKLOAD_READY_TIMEOUT_S):
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            if not self._fill(deadline):
                rc = wait_exit(self.proc, 2)
                raise Fail(f"workload ended before ready ({describe_status(rc)}); "
                           f"stderr: {tail(self.stderr())}")
        line, self.buf = self.buf.split(b"\n", 1)
        try:
            obj = json.loads(line)
        except ValueError:
            obj = None
        if not isinstance(obj, dict) or obj.get("op") != "ready":
            raise Fail(f"workload's first line is not ready: {line!r}")
        self.pid = obj.get("pid")
        if self.pid != self.proc.pid:
            raise Fail(f"workload says pid {self.pid}, started as {self.proc.pid}")
        try:
            self.netns = os.stat(f"/proc/{self.pid}/ns/net").st_ino
        except OSError as exc:
            raise Fail(f"cannot stat the workload's netns: {exc}")
        return self

    def release(self):
        try:
            self.proc.stdin.write(b"go\n")
            self.proc.stdin.flush()
            self.proc.stdin.close()
        except BrokenPipeError:
            pass

    def finish(self, timeout=WORKLOAD_FINISH_TIMEOUT_S):
        """Read to EOF, reap, parse: the list of observations."""
        deadline = time.monotonic() + timeout
        if not self.proc.stdin.closed:
            self.proc.stdin.close()
        while self._fill(deadline):
            pass
        rc = wait_exit(self.proc, max(0.1, deadline - time.monotonic()))
        if rc != 0:
            raise Fail(f"workload {self.proc.pid}: {describe_status(rc)}; "
                       f"stderr: {tail(self.stderr())}")
        objs, bad = parse_json_lines(self.buf.decode(errors="replace"))
        if bad:
            raise Fail(f"workload printed non-JSON lines: {bad[:3]}")
        if not objs or objs[-1].get("op") != "done":
            raise Fail("workload output does not end with {\"op\":\"done\"}")
        self.obs = [o for o in objs
                    if o.get("op") in ("socket", "setsockopt", "listen")]
        if not self.obs:
            raise Fail("workload made no observations")
        return self.obs


class Tracer:
    """build/tfotrace with stdout and stderr in files."""

    def __init__(self, path, args, workdir, ready=True, stdout=None):
        self.dir = tempfile.mkdtemp(prefix="tfotrace-", dir=workdir)
        self.out_path = os.path.join(self.dir, "stdout")
        self.err_path = os.path.join(self.dir, "stderr")
        self.ready_path = os.path.join(self.dir, "ready")
        argv = [path] + list(args)
        if ready:
            argv += ["--ready-file", self.ready_path]
        self.argv = argv
        with open(self.err_path, "wb") as errf:
            if stdout is None:
                with open(self.out_path, "wb") as outf:
                    self.proc = spawn(argv, stdin=subprocess.DEVNULL,
                                      stdout=outf, stderr=errf)
            else:
                self.proc = spawn(argv, stdin=subprocess.DEVNULL,
                                  stdout=stdout, stderr=errf)
        self.rc = None

    def stdout(self):
        try:
            with open(self.out_path, "rb") as f:
                return f.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def stderr(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode(errors="replace")

    def wait_ready(self, timeout=READY_TIMEOUT_S):
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.ready_path):
            rc = self.proc.poll()
            if rc is not None:
                raise Fail(f"tfotrace ended before ready ({describe_status(rc)}); "
                           f"stderr: {tail(self.stderr())}")
            if time.monotonic() > deadline:
                kill_proc(self.proc)
                raise Fail(f"no ready file after {timeout} s; tfotrace stderr: "
                           f"{tail(self.stderr())}")
            time.sleep(0.02)
        return self

    def stop(self, timeout=STOP_TIMEOUT_S):
        """SIGINT, then a bounded wait; SIGKILL and Fail if it hangs."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        rc = wait_exit(self.proc, timeout)
        if rc is None:
            kill_proc(self.proc)
            raise Fail(f"tfotrace still running {timeout} s after SIGINT; "
                       f"stderr: {tail(self.stderr())}")
        self.rc = rc
        return rc


# ---------------------------------------------------------------- matching

def check(problems, rec, key, want):
    if key not in rec:
        problems.append(f"{key} missing (want {want!r})")
        return
    got = rec[key]
    same = got == want and type(got) is type(want)
    if not same:
        problems.append(f"{key}={got!r}, want {want!r}")


def check_errno(problems, rec, err):
    if "errno" not in rec:
        problems.append("errno missing")
        return
    if err == 0:
        if rec["errno"] is not None:
            problems.append(f"errno={rec['errno']!r}, want null")
    elif rec["errno"] not in errno_names(err):
        problems.append(f"errno={rec['errno']!r}, want "
                        f"{'/'.join(sorted(errno_names(err)))}")


def want_ret(obs):
    return obs["ret"] if obs["ret"] >= 0 else -obs["errno"]


class SockInfo:
    """What each fd of the workload is, from its socket observations."""

    def __init__(self, obs):
        self.by_fd = {}
        for o in obs:
            if o["op"] == "socket" and o["ret"] >= 0:
                self.by_fd[o["ret"]] = (o["family"], o["protocol"])

    def of(self, fd):
        return self.by_fd.get(fd, (None, None))


def match_problems(obs, rec, pid, netns, socks):
    """Why rec is not the record of obs ([] when it is)."""
    problems = []
    op = obs["op"]
    if rec.get("type") != op:
        return [f"type={rec.get('type')!r}, want {op!r}"]
    check(problems, rec, "pid", pid)
    if op == "socket":
        check(problems, rec, "ret", want_ret(obs))
        check_errno(problems, rec, obs["errno"])
        check(problems, rec, "family_num", obs["family"])
        check(problems, rec, "proto_num", obs["protocol"])
        if obs["ret"] >= 0:
            check(problems, rec, "fd", obs["ret"])
            check(problems, rec, "sock_ino", obs["ino"])
            check(problems, rec, "netns", netns)
    elif op == "setsockopt":
        family, proto = socks.of(obs["fd"])
        check(problems, rec, "fd", obs["fd"])
        check(problems, rec, "sock_ino", obs["ino"])
        check(problems, rec, "level_num", obs["level"])
        check(problems, rec, "optname_num", obs["optname"])
        check(problems, rec, "optlen", obs["optlen"])
        if is_int(obs["optval"]):
            check(problems, rec, "optval", obs["optval"])
            check(problems, rec, "optval_hex", None)
        check(problems, rec, "ret", want_ret(obs))
        check_errno(problems, rec, obs["errno"])
        check(problems, rec, "optname",
              OPTNAMES.get((obs["level"], obs["optname"])))
        if proto is not None:
            check(problems, rec, "proto", PROTOS.get(proto))
            check(problems, rec, "proto_num", proto)
            check(problems, rec, "family", FAMILIES.get(family))
            check(problems, rec, "family_num", family)
        check(problems, rec, "netns", netns)
    elif op == "listen":
        check(problems, rec, "fd", obs["fd"])
        check(problems, rec, "backlog", obs["backlog"])
        check(problems, rec, "ret", want_ret(obs))
        check_errno(problems, rec, obs["errno"])
        check(problems, rec, "sock_ino", obs["ino"])
        check(problems, rec, "port", obs["port"])
        check(problems, rec, "netns", netns)
    return problems


def obs_label(i, obs):
    if obs["op"] == "setsockopt":
        name = OPTNAMES.get((obs["level"], obs["optname"]), obs["optname"])
        return f"obs #{i} setsockopt fd={obs['fd']} {name}"
    if obs["op"] == "socket":
        return (f"obs #{i} socket family={obs['family']} "
                f"protocol={obs['protocol']}")
    return f"obs #{i} {obs['op']} fd={obs.get('fd')}"


def match_in_order(obs_list, recs, pid, netns):
    """Greedy in-order matching. Returns (pairs, missing, unexpected):
    pairs (obs, rec); missing (index, obs, closest problems); unexpected recs."""
    socks = SockInfo(obs_list)
    pairs, missing, used = [], [], set()
    pos = 0
    for i, obs in enumerate(obs_list):
        found = None
        for j in range(pos, len(recs)):
            if not match_problems(obs, recs[j], pid, netns, socks):
                found = j
                break
        if found is None:
            # The closest record of the same kind explains the mismatch.
            best = None
            for rec in recs:
                if rec.get("type") != obs["op"]:
                    continue
                if obs["op"] == "setsockopt" and (
                        rec.get("optname_num") != obs["optname"]
                        or rec.get("level_num") != obs["level"]):
                    continue
                probs = match_problems(obs, rec, pid, netns, socks)
                if best is None or len(probs) < len(best):
                    best = probs
                    if not probs:
                        best = ["a matching record exists but out of order"]
                        break
            missing.append((i, obs, best))
            continue
        used.add(found)
        pairs.append((obs, recs[found]))
        pos = found + 1
    unexpected = [r for j, r in enumerate(recs) if j not in used]
    return pairs, missing, unexpected


# ---------------------------------------------------------------- the tests

class Context:
    def __init__(self, tfotrace, workload, workdir):
        self.tfotrace = tfotrace
        self.workload = workload
        self.workdir = workdir
        self._main = None

    def main_run(self):
        """One traced run shared by tests a-d: --all -p A, B runs alongside."""
        if self._main is None:
            try:
                self._main = self._do_main_run()
            except Fail as exc:
                self._main = Fail(f"main run: {exc}")
        if isinstance(self._main, Fail):
            raise self._main
        return self._main

    def _do_main_run(self):
        wa = Workload(self.workload, self.workdir).wait_ready()
        wb = Workload(self.workload, self.workdir).wait_ready()
        tr = Tracer(self.tfotrace, ["--json", "--all", "-p", str(wa.pid)],
                    self.workdir).wait_ready()
        wa.release()
        wb.release()
        obs_a = wa.finish()
        obs_b = wb.finish()
        rc = tr.stop()
        objs, bad = parse_json_lines(tr.stdout())
        return {
            "pid_a": wa.pid, "pid_b": wb.pid, "netns_a": wa.netns,
            "obs_a": obs_a, "obs_b": obs_b, "objs": objs, "bad": bad,
            "rc": rc, "stderr": tr.stderr(),
        }


# Objects that come from the ring buffer (the summary counts these); the
# rest (start, listener, finding, counters, summary) are the tool's own.
EVENT_TYPES = ("socket", "setsockopt", "listen", "tfo_server", "tfo_client")


def events_of(objs):
    return [o for o in objs if o.get("type") in EVENT_TYPES]


def test_setsockopt_recorded(ctx):
    run = ctx.main_run()
    if run["bad"]:
        raise Fail(f"tfotrace --json printed non-JSON lines: {run['bad'][:3]}")
    pid = run["pid_a"]
    recs = [o for o in run["objs"] if o.get("pid") == pid
            and o.get("type") in ("socket", "setsockopt", "listen")]
    pairs, missing, unexpected = match_in_order(run["obs_a"], recs, pid,
                                                run["netns_a"])
    why = []
    for i, obs, best in missing[:4]:
        if best is None:
            why.append(f"{obs_label(i, obs)}: no record of that kind")
        else:
            why.append(f"{obs_label(i, obs)}: closest record has "
                       + "; ".join(best))
    if len(missing) > 4:
        why.append(f"... {len(missing) - 4} more observations unmatched")
    if unexpected:
        why.append(f"{len(unexpected)} record(s) of pid {pid} match no "
                   f"observation, first: {short(unexpected[0])}")
    if why:
        raise Fail(f"{len(pairs)}/{len(run['obs_a'])} observations matched; "
                   + " || ".join(why))

    # The specific facts this tool exists for.
    facts = []
    by_proto = {TCP: [], MPTCP: []}
    for obs, rec in pairs:
        if obs["op"] != "setsockopt":
            continue
        if obs["optname"] == 18 and obs["level"] == 6:
            by_proto.setdefault(rec.get("proto_num"), []).append(rec)
        if obs["optname"] == 13 and obs["level"] == 6:
            if rec.get("optval") is not None or rec.get("optval_hex") != "6375626963":
                facts.append(f"TCP_CONGESTION: optval={rec.get('optval')!r} "
                             f"optval_hex={rec.get('optval_hex')!r}, want null "
                             f"and '6375626963'")
        if obs["optname"] == BAD_OPTNAME:
            if "optname" not in rec or rec["optname"] is not None \
                    or rec.get("optname_num") != BAD_OPTNAME:
                facts.append(f"option 9999: optname={rec.get('optname')!r} "
                             f"optname_num={rec.get('optname_num')!r}")
    if not by_proto[MPTCP]:
        facts.append("no TCP_USER_TIMEOUT record on an MPTCP socket "
                     "(did socket(..., 262) fail?)")
    # fentry and kprobe modes name the layer that failed; tracepoints can't.
    mode = run["objs"][0].get("mode") if run["objs"] else None
    want_layer = None if mode == "tracepoint" else "mptcp_setsockopt"
    for rec in by_proto[MPTCP]:
        if rec.get("ret") != -92 or rec.get("errno") != "ENOPROTOOPT":
            facts.append(f"MPTCP TCP_USER_TIMEOUT: ret={rec.get('ret')!r} "
                         f"errno={rec.get('errno')!r}, want -92 ENOPROTOOPT")
        if rec.get("err_layer") != want_layer:
            facts.append(f"MPTCP TCP_USER_TIMEOUT in {mode} mode: err_layer="
                         f"{rec.get('err_layer')!r}, want {want_layer!r}")
    if not by_proto[TCP]:
        facts.append("no TCP_USER_TIMEOUT record on a TCP socket")
    for rec in by_proto[TCP]:
        if rec.get("ret") != 0 or rec.get("errno") is not None:
            facts.append(f"TCP TCP_USER_TIMEOUT: ret={rec.get('ret')!r} "
                         f"errno={rec.get('errno')!r}, want 0 null")
    if facts:
        raise Fail("; ".join(dict.fromkeys(facts)))


def test_pid_filter_excludes_other(ctx):
    run = ctx.main_run()
    if not run["obs_b"]:
        raise Fail("workload B made no observations: the test is vacuous")
    pid_a, pid_b = run["pid_a"], run["pid_b"]
    from_b = [o for o in run["objs"] if o.get("pid") == pid_b]
    if from_b:
        raise Fail(f"{len(from_b)} record(s) of B (pid {pid_b}) despite "
                   f"-p {pid_a}, first: {short(from_b[0])}")
    others = sorted({o.get("pid") for o in events_of(run["objs"])} - {pid_a})
    if others:
        raise Fail(f"records of pids {others[:10]} despite -p {pid_a}")


def test_summary(ctx):
    run = ctx.main_run()
    objs = run["objs"]
    if not objs:
        raise Fail(f"no JSON output; stderr: {tail(run['stderr'])}")
    last = objs[-1]
    if last.get("type") != "summary":
        raise Fail(f"last object is not the summary: {short(last)}")
    n = len(events_of(objs))
    problems = []
    check(problems, last, "events", n)
    check(problems, last, "lost", 0)
    # --all: the kernel kept every call, counted none aside
    check(problems, last, "record", "all")
    check(problems, last, "not_recorded", 0)
    if sum(1 for o in objs if o.get("type") == "summary") != 1:
        problems.append("more than one summary object")
    if run["rc"] != 0:
        print(f"# summary: tfotrace {describe_status(run['rc'])} after SIGINT")
    if problems:
        raise Fail(f"summary {short(last)}: " + "; ".join(problems))


MODE_ORDER = ("fentry", "kprobe", "tracepoint")


def forced_mode_results(ctx):
    """Which modes this kernel offers, learnt by forcing each one:
    {mode: (exit status, stderr)}. Cached: every test sees one answer."""
    if getattr(ctx, "_forced", None) is None:
        ctx._forced = {}
        for mode in MODE_ORDER:
            tr = Tracer(ctx.tfotrace, ["--attach", mode, "-d", "1", "--json"],
                        ctx.workdir, ready=False)
            rc = wait_exit(tr.proc, EXIT_TIMEOUT_S)
            if rc is None:
                kill_proc(tr.proc)
            ctx._forced[mode] = (rc, tr.stderr())
    return ctx._forced


def test_ready_and_mode(ctx):
    """auto picks the first mode that really loads and attaches, says so on
    stderr, in the start object and in the summary; a forced mode the kernel
    lacks fails with exit 1 and one line naming it."""
    forced = forced_mode_results(ctx)
    available = [m for m in MODE_ORDER if forced[m][0] == 0]
    problems = []
    if not available:
        raise Fail(f"no mode works when forced: "
                   + "; ".join(f"{m}: {describe_status(rc)} {tail(err)}"
                               for m, (rc, err) in forced.items()))
    if "tracepoint" not in available:
        problems.append("tracepoint mode does not work when forced")
    for mode in MODE_ORDER:
        rc, err = forced[mode]
        lines = [l for l in err.splitlines() if l.strip()]
        if rc not in (0, 1):
            problems.append(f"--attach {mode}: {describe_status(rc)}")
        if rc == 1 and (len(lines) != 1 or mode not in lines[0]):
            problems.append(f"--attach {mode} failed without one line naming "
                            f"it: {tail(err)}")
    # These machines (6.18): no kprobes built in, fentry refused.
    if not os.path.exists("/sys/bus/event_source/devices/kprobe") \
            and "kprobe" in available:
        problems.append("kprobe mode attached on a kernel without a kprobe PMU")
    want = available[0]
    run = ctx.main_run()
    mode_lines = [l for l in run["stderr"].splitlines()
                  if f"attached in {want} mode" in l]
    if not mode_lines:
        problems.append(f"no stderr line says 'attached in {want} mode'; "
                        f"stderr: {tail(run['stderr'])}")
    objs = run["objs"]
    if not objs:
        raise Fail("no JSON output")
    first = objs[0]
    check(problems, first, "type", "start")
    check(problems, first, "mode", want)
    check(problems, objs[-1], "mode", want)
    if not isinstance(first.get("version"), str) or not first.get("version"):
        problems.append(f"version={first.get('version')!r}, want a string")
    if problems:
        raise Fail("; ".join(problems))
    print(f"# attach modes available here: {', '.join(available)}; "
          f"auto picked {want}")


def token_re(tok):
    if tok.isdigit():
        return re.compile(r"(?<![0-9])" + re.escape(tok) + r"(?![0-9])")
    return re.compile(r"(?<![A-Za-z0-9_])" + re.escape(tok) + r"(?![A-Za-z0-9_])")


def test_text_output(ctx):
    """No --json and no -p: the workload's lines among everything traced."""
    wl = Workload(ctx.workload, ctx.workdir).wait_ready()
    tr = Tracer(ctx.tfotrace, ["--all"], ctx.workdir).wait_ready()
    wl.release()
    obs = wl.finish()
    tr.stop()
    lines = tr.stdout().splitlines()
    pid_re = token_re(str(wl.pid))
    cand = [l for l in lines if pid_re.search(l) and token_re("setsockopt").search(l)]
    pos, why, n = 0, [], 0
    for i, o in enumerate(obs):
        if o["op"] != "setsockopt":
            continue
        n += 1
        name = OPTNAMES.get((o["level"], o["optname"]), str(o["optname"]))
        need = [token_re(name)]
        errs = sorted(errno_names(o["errno"])) if o["errno"] else []
        def ok(line):
            return all(r.search(line) for r in need) and \
                (not errs or any(token_re(e).search(line) for e in errs))
        hit = next((j for j in range(pos, len(cand)) if ok(cand[j])), None)
        if hit is None:
            anywhere = any(ok(l) for l in cand)
            want = f"{name}" + (f" and {'/'.join(errs)}" if errs else "")
            why.append(f"{obs_label(i, o)}: no line with pid {wl.pid}, "
                       f"setsockopt, {want}"
                       + (" after the previous match (out of order)" if anywhere else ""))
            continue
        pos = hit + 1
    if why:
        sample = cand[0] if cand else (lines[0] if lines else "(no output)")
        raise Fail(f"{len(why)}/{n} setsockopt observations missing: "
                   + " || ".join(why[:4]) + f" || sample line: {sample!r}")


def test_failed_only(ctx):
    wl = Workload(ctx.workload, ctx.workdir).wait_ready()
    tr = Tracer(ctx.tfotrace, ["--json", "--failed", "-p", str(wl.pid)],
                ctx.workdir).wait_ready()
    wl.release()
    obs = wl.finish()
    tr.stop()
    objs, bad = parse_json_lines(tr.stdout())
    if bad:
        raise Fail(f"non-JSON lines: {bad[:3]}")
    recs = events_of(objs)
    failed_obs = [o for o in obs if o["ret"] < 0]
    ok_recs = [r for r in recs if not (is_int(r.get("ret")) and r["ret"] < 0)]
    why = []
    if ok_recs:
        why.append(f"{len(ok_recs)} record(s) with ret >= 0, first: "
                   f"{short(ok_recs[0])}")
    if len(recs) != len(failed_obs):
        why.append(f"{len(recs)} records, want {len(failed_obs)} "
                   f"(failed observations)")
    # --failed prints fewer; the kernel recorded what findings need (the
    # relevant calls), counted the routine rest, and the summary says so
    summary = objs[-1] if objs and objs[-1].get("type") == "summary" else {}
    if summary.get("record") != "relevant" or \
            summary.get("shown") != len(failed_obs) or \
            summary.get("events", 0) < len(failed_obs):
        why.append(f"summary {short(summary, 300)}: want record relevant, "
                   f"shown {len(failed_obs)} (the failed calls)")
    else:
        for o, r in zip(failed_obs, recs):
            if r.get("type") != o["op"] or (
                    o["op"] == "setsockopt"
                    and r.get("optname_num") != o["optname"]) \
                    or r.get("ret") != want_ret(o):
                why.append(f"record {short(r, 200)} does not follow "
                           f"observation {short(o, 200)}")
                break
    if why:
        raise Fail("; ".join(why))


def test_bad_pid(ctx):
    why = []
    for arg in ("999999999", "abc"):
        tr = Tracer(ctx.tfotrace, ["-p", arg], ctx.workdir, ready=False)
        rc = wait_exit(tr.proc, EXIT_TIMEOUT_S)
        if rc is None:
            kill_proc(tr.proc)
            why.append(f"-p {arg}: still running after {EXIT_TIMEOUT_S} s")
            continue
        err = [l for l in tr.stderr().splitlines() if l.strip()]
        out = tr.stdout()
        if rc == 0:
            why.append(f"-p {arg}: exit status 0")
        elif rc < 0:
            why.append(f"-p {arg}: {describe_status(rc)}")
        if len(err) != 1:
            why.append(f"-p {arg}: {len(err)} stderr lines, want 1: {tail(tr.stderr())}")
        if out:
            why.append(f"-p {arg}: stdout not empty: {out[:200]!r}")
    if why:
        raise Fail("; ".join(why))


def test_duration(ctx):
    start = time.monotonic()
    tr = Tracer(ctx.tfotrace, ["-d", "1", "--json"], ctx.workdir, ready=False)
    rc = wait_exit(tr.proc, EXIT_TIMEOUT_S)
    took = time.monotonic() - start
    if rc is None:
        kill_proc(tr.proc)
        raise Fail(f"still running after {EXIT_TIMEOUT_S} s; stderr: "
                   f"{tail(tr.stderr())}")
    why = []
    if rc != 0:
        why.append(f"{describe_status(rc)}; stderr: {tail(tr.stderr())}")
    if took < 0.9:
        why.append(f"exited after {took:.2f} s, before its 1 s duration")
    objs, bad = parse_json_lines(tr.stdout())
    if bad:
        why.append(f"non-JSON lines: {bad[:3]}")
    if not objs or objs[-1].get("type") != "summary":
        why.append(f"does not end with a summary: "
                   f"{short(objs[-1]) if objs else '(no output)'}")
    if why:
        raise Fail("; ".join(why))


def test_head_exits_cleanly(ctx):
    """tfotrace | head -1: a reader that goes away is a normal end."""
    wl = Workload(ctx.workload, ctx.workdir).wait_ready()
    rfd, wfd = os.pipe()
    try:
        tr = Tracer(ctx.tfotrace, [], ctx.workdir, stdout=wfd)
    finally:
        os.close(wfd)
    try:
        head = spawn(["head", "-1"], stdin=rfd, stdout=subprocess.PIPE,
                     stderr=subprocess.DEVNULL)
    finally:
        os.close(rfd)
    tr.wait_ready()
    wl.release()
    wl.finish()
    # head may have taken a buffer holding everything: keep making events
    # until tfotrace writes into the closed pipe (bounded).
    rc = wait_exit(tr.proc, 1)
    rounds = 0
    while rc is None and rounds < 4:
        rounds += 1
        extra = Workload(ctx.workload, ctx.workdir, wait=False)
        extra.finish()
        rc = wait_exit(tr.proc, 1)
    if rc is None:
        tr.stop()
        raise Fail(f"tfotrace kept running after head -1 exited "
                   f"({rounds} extra workloads); stderr: {tail(tr.stderr())}")
    head_rc = wait_exit(head, 2)
    head_out = head.stdout.read().decode(errors="replace") if head_rc is not None else ""
    head.stdout.close()
    why = []
    if rc != 0:
        why.append(f"tfotrace {describe_status(rc)}")
    if "broken pipe" in tr.stderr().lower():
        why.append(f"stderr mentions a broken pipe: {tail(tr.stderr())}")
    if head_rc != 0 or len(head_out.splitlines()) != 1:
        why.append(f"head -1 {describe_status(head_rc)}, printed "
                   f"{head_out[:200]!r}")
    if why:
        raise Fail("; ".join(why))


def test_drops_capabilities(ctx):
    """Once ready, tfotrace holds no capability at all (it cannot regain
    any), its helper CAP_SYS_PTRACE alone, and it still traces, stops on
    SIGINT and reports."""
    wl = Workload(ctx.workload, ctx.workdir).wait_ready()
    tr = Tracer(ctx.tfotrace, ["--json", "--all", "-p", str(wl.pid)], ctx.workdir).wait_ready()
    def status_of(pid):
        st = {}
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                st[key] = value.strip()
        return st

    status = status_of(tr.proc.pid)
    # its helper, which opens executables for the Go check: CAP_SYS_PTRACE alone
    with open(f"/proc/{tr.proc.pid}/task/{tr.proc.pid}/children") as f:
        helpers = [int(p) for p in f.read().split()]
    helper = status_of(helpers[0]) if len(helpers) == 1 else {}
    wl.release()
    obs = wl.finish()
    rc = tr.stop()
    problems = [f"{k}={status.get(k)!r}" for k in ("CapPrm", "CapEff", "CapBnd", "CapAmb")
                if status.get(k) != "0000000000000000"]
    if status.get("NoNewPrivs") != "1":
        problems.append(f"NoNewPrivs={status.get('NoNewPrivs')!r}")
    ptrace_only = "0000000000080000"    # 1 << CAP_SYS_PTRACE (19)
    if len(helpers) != 1:
        problems.append(f"helpers {helpers}, want one")
    problems += [f"helper {k}={helper.get(k)!r}" for k in ("CapPrm", "CapEff", "CapBnd")
                 if helpers and helper.get(k) != ptrace_only]
    if helpers and (helper.get("CapAmb") != "0000000000000000" or helper.get("NoNewPrivs") != "1"):
        problems.append(f"helper CapAmb={helper.get('CapAmb')!r} "
                        f"NoNewPrivs={helper.get('NoNewPrivs')!r}")
    objs, _ = parse_json_lines(tr.stdout())
    if rc != 0:
        problems.append(f"exit {describe_status(rc)}: {tail(tr.stderr())}")
    if len(events_of(objs)) != len(obs):
        problems.append(f"{len(events_of(objs))} events for {len(obs)} calls after the drop")
    if not objs or objs[-1].get("type") != "summary":
        problems.append("no summary")
    if problems:
        raise Fail("; ".join(problems))


def test_btf_file(ctx):
    """--btf FILE: the kernel's BTF from a file works as /sys/kernel/btf
    does; a file that is not BTF, or is missing, is one line and an exit."""
    copy = os.path.join(ctx.workdir, "vmlinux.btf")
    shutil.copy("/sys/kernel/btf/vmlinux", copy)
    not_btf = os.path.join(ctx.workdir, "not.btf")
    with open(not_btf, "w") as f:
        f.write("not BTF\n")
    problems = []
    for args, want_rc in ((["--btf", copy, "-d", "1", "--json"], 0),
                          (["--btf", not_btf, "-d", "1"], 1),
                          (["--btf", os.path.join(ctx.workdir, "missing"), "-d", "1"], 2)):
        tr = Tracer(ctx.tfotrace, args, ctx.workdir, ready=False)
        rc = wait_exit(tr.proc, EXIT_TIMEOUT_S)
        if rc is None:
            kill_proc(tr.proc)
        err = [l for l in tr.stderr().splitlines() if l.strip()]
        if rc != want_rc:
            problems.append(f"{args[1]}: exit {describe_status(rc)}, want {want_rc}: {tail(tr.stderr())}")
        elif want_rc and len(err) != 1:
            problems.append(f"{args[1]}: {len(err)} stderr lines: {tail(tr.stderr())}")
        elif want_rc == 0:
            objs, _ = parse_json_lines(tr.stdout())
            if not objs or objs[-1].get("type") != "summary":
                problems.append("--btf copy: no summary")
    if problems:
        raise Fail("; ".join(problems))


OUR_PROG_PREFIXES = ("tp_", "fentry_", "kprobe_", "scan_listeners", "any_",
                     "wire_")


def descends_from_us(pid):
    """Whether process PID is this test run or one of its descendants."""
    me = os.getpid()
    for _ in range(64):
        if pid == me:
            return True
        if pid <= 1:
            return False
        try:
            with open(f"/proc/{pid}/stat") as f:
                pid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return False
    return False


def prog_holders():
    """Program id -> the pids holding it, by an fd on the program or on a
    link to it (/proc/PID/fdinfo: bpftool here does not say)."""
    held = {}
    for pid in (int(d) for d in os.listdir("/proc") if d.isdigit()):
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target not in ("anon_inode:bpf-prog", "anon_inode:bpf_link"):
                    continue
                with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                    for line in f:
                        if line.startswith("prog_id:"):
                            held.setdefault(int(line.split()[1]), set()).add(pid)
            except (OSError, ValueError):
                continue
    return held


def foreign(prog, held=None):
    """A program another session's tfotrace holds (the host may run one
    meanwhile): held, and by none of this run's processes."""
    pids = (held if held is not None else prog_holders()).get(prog.get("id"), set())
    return bool(pids) and not any(descends_from_us(p) for p in pids)


def our_programs():
    """BPF programs loaded on the system with tfotrace's names, but for
    those held by processes this run did not start."""
    out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True,
                         text=True, timeout=10)
    try:
        progs = json.loads(out.stdout or "[]")
    except ValueError:
        raise Fail(f"bpftool prog show: {out.stderr.strip()[:200]}")
    held = prog_holders()
    return sorted(p.get("name", "") for p in progs
                  if p.get("name", "").startswith(OUR_PROG_PREFIXES)
                  and not foreign(p, held))


def caught(pid, sig):
    """Whether process PID has a handler for SIG (its status's SigCgt)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("SigCgt:"):
                    return bool(int(line.split()[1], 16) & (1 << (sig - 1)))
    except OSError:
        pass
    return False


def test_signals_leave_nothing(ctx):
    """SIGINT, SIGTERM and SIGHUP mid-stream and right after start end the
    run with exit 0 and a summary; SIGKILL and every failed start leave no
    program loaded (nothing is pinned; links die with the process)."""
    problems = []
    if our_programs():
        raise Fail(f"tfotrace programs loaded before the test: {our_programs()}")
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        tr = Tracer(ctx.tfotrace, ["--json"], ctx.workdir).wait_ready()
        if not our_programs():
            problems.append("no program visible while tfotrace runs (the check is blind)")
        tr.proc.send_signal(sig)
        rc = wait_exit(tr.proc, STOP_TIMEOUT_S)
        objs, _ = parse_json_lines(tr.stdout())
        if rc != 0 or not objs or objs[-1].get("type") != "summary":
            problems.append(f"{sig.name} mid-stream: {describe_status(rc)}, "
                            f"last {short(objs[-1]) if objs else None}")
    for sig in (signal.SIGTERM, signal.SIGKILL):
        tr = Tracer(ctx.tfotrace, ["--json"], ctx.workdir, ready=False)
        # while it loads: once main() has its handlers (SigCgt), not
        # before (exec and the dynamic loader take a while on a busy host)
        deadline = time.monotonic() + 2
        while sig == signal.SIGTERM and time.monotonic() < deadline and \
                not caught(tr.proc.pid, sig):
            time.sleep(0.001)
        tr.proc.send_signal(sig)
        rc = wait_exit(tr.proc, STOP_TIMEOUT_S)
        if rc is None or (sig == signal.SIGTERM and rc != 0):
            problems.append(f"{sig.name} during start-up: {describe_status(rc)}; "
                            f"{tail(tr.stderr())}")
    # fails here; where fentry works it ends after 1 s: nothing left either way
    for args in (["--attach", "fentry", "-d", "1"], ["-p", "999999999"],
                 ["--ready-file", "/nonexistent/dir/ready", "-d", "1"]):
        tr = Tracer(ctx.tfotrace, args, ctx.workdir, ready=False)
        wait_exit(tr.proc, EXIT_TIMEOUT_S)
    left = our_programs()
    if left:
        problems.append(f"programs left loaded: {left}")
    if problems:
        raise Fail("; ".join(problems))


TESTS = [
    ("setsockopt_recorded", test_setsockopt_recorded),
    ("pid_filter_excludes_other", test_pid_filter_excludes_other),
    ("summary", test_summary),
    ("ready_and_mode", test_ready_and_mode),
    ("text_output", test_text_output),
    ("failed_only", test_failed_only),
    ("bad_pid", test_bad_pid),
    ("duration", test_duration),
    ("head_exits_cleanly", test_head_exits_cleanly),
    ("drops_capabilities", test_drops_capabilities),
    ("btf_file", test_btf_file),
    ("signals_leave_nothing", test_signals_leave_nothing),
]


def all_tests():
    """These and the other suites', which import this file as "run"."""
    sys.modules.setdefault("run", sys.modules[__name__])
    import findings
    import hardening
    import ecosystem
    import production
    import realservers
    import goservers
    import wire
    return TESTS + findings.TESTS + hardening.TESTS + ecosystem.TESTS + \
        production.TESTS + realservers.TESTS + goservers.TESTS + wire.TESTS


# ---------------------------------------------------------------- runner

def skip_reason():
    if os.geteuid() != 0:
        return "needs root (BPF and network namespaces)"
    if not os.path.exists("/sys/kernel/btf/vmlinux"):
        return "no kernel BTF at /sys/kernel/btf/vmlinux"
    return None


def on_alarm(signum, frame):
    raise OutOfTime()


def main(argv):
    tests = all_tests()
    ap = argparse.ArgumentParser(description="Live tests of tfotrace.")
    ap.add_argument("--tfotrace", default=os.environ.get("TFOTRACE")
                    or os.path.join(ROOT, "build", "tfotrace"))
    ap.add_argument("--workload", default=os.environ.get("WORKLOAD")
                    or os.path.join(ROOT, "build", "tests", "sockopt_workload"))
    ap.add_argument("tests", nargs="*", metavar="TEST",
                    help="run only these tests: " + ", ".join(n for n, _ in tests))
    args = ap.parse_args(argv)

    unknown = [t for t in args.tests if t not in dict(tests)]
    if unknown:
        ap.error(f"unknown test(s): {', '.join(unknown)}")

    reason = skip_reason()
    if reason:
        print(f"SKIPPED: {reason}")
        return SKIP_STATUS

    selected = [(n, f) for n, f in tests if not args.tests or n in args.tests]
    precheck = None
    for what, path in (("tfotrace", args.tfotrace), ("workload", args.workload)):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            precheck = f"{what} binary not found or not executable: {path}"
            break

    workdir = tempfile.mkdtemp(prefix="tfotrace-live-")
    ctx = Context(os.path.abspath(args.tfotrace), os.path.abspath(args.workload),
                  workdir)
    passed = failed = 0
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(RUN_BUDGET_S)
    out_of_time = False
    try:
        for name, func in selected:
            if precheck or out_of_time:
                print(f"not ok - {name}: "
                      + (precheck or "not run: the run's time budget is spent"))
                failed += 1
                continue
            mark = len(STARTED)
            try:
                func(ctx)
            except Fail as exc:
                print(f"not ok - {name}: {exc}")
                failed += 1
            except OutOfTime:
                out_of_time = True
                print(f"not ok - {name}: the run's {RUN_BUDGET_S} s budget ran out")
                failed += 1
            except Exception as exc:   # a bug here must not hide the others
                print(f"not ok - {name}: {type(exc).__name__}: {exc}")
                failed += 1
            else:
                print(f"ok - {name}")
                passed += 1
            finally:
                try:
                    kill_started(mark)
                except OutOfTime:
                    out_of_time = True
            sys.stdout.flush()
    finally:
        signal.alarm(0)
        kill_started()
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"live: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
