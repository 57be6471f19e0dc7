# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Live tests of what fits tfotrace into an administrator's tools: the
in-kernel --cgroup filter, pids as a container sees them, the Prometheus
textfile (checked by promtool), and tfotrace doctor. Imported by run.py."""
import json
import os
import shutil
import subprocess
import time

import run as R


def cgroup2_root():
    with open("/proc/self/mounts") as f:
        roots = [l.split()[1] for l in f if l.split()[2] == "cgroup2"]
    if not roots:
        raise R.Fail("no cgroup2 hierarchy mounted")
    return roots[0]


def test_cgroup_filter(ctx):
    """--cgroup DIR traces exactly the processes in DIR (or below it): a
    workload moved into a child of DIR is traced call for call, one left
    outside is not seen at all. Bad paths are one line and exit 2."""
    base = os.path.join(cgroup2_root(), f"tfotrace-test-{os.getpid()}")
    child = os.path.join(base, "inner")
    os.makedirs(child)
    try:
        inside = R.Workload(ctx.workload, ctx.workdir).wait_ready()
        outside = R.Workload(ctx.workload, ctx.workdir).wait_ready()
        with open(os.path.join(child, "cgroup.procs"), "w") as f:
            f.write(str(inside.pid))
        tr = R.Tracer(ctx.tfotrace, ["--json", "--all", "--cgroup", base], ctx.workdir).wait_ready()
        inside.release()
        outside.release()
        obs_in = inside.finish()
        outside.finish()
        rc = tr.stop()
        objs, _ = R.parse_json_lines(tr.stdout())
        pids = {}
        for o in R.events_of(objs):
            pids[o.get("pid")] = pids.get(o.get("pid"), 0) + 1
        problems = []
        if rc != 0:
            problems.append(f"exit {R.describe_status(rc)}: {R.tail(tr.stderr())}")
        if pids.get(inside.pid, 0) != len(obs_in):
            problems.append(f"{pids.get(inside.pid, 0)} events of the process inside, "
                            f"want {len(obs_in)}")
        if outside.pid in pids:
            problems.append(f"{pids[outside.pid]} events of the process outside")
        if set(pids) - {inside.pid}:
            problems.append(f"events of other pids: {sorted(set(pids) - {inside.pid})}")
        if "tracing the cgroup" not in tr.stderr():
            problems.append(f"start line: {R.tail(tr.stderr())}")
        for bad, want in (("/tmp", "is not a cgroup v2 directory"),
                          ("/nonexistent/cg", "cannot open cgroup")):
            tr = R.Tracer(ctx.tfotrace, ["--cgroup", bad, "-d", "1"], ctx.workdir, ready=False)
            rc = R.wait_exit(tr.proc, R.EXIT_TIMEOUT_S)
            err = [l for l in tr.stderr().splitlines() if l.strip()]
            if rc != 2 or len(err) != 1 or want not in err[0]:
                problems.append(f"--cgroup {bad}: {R.describe_status(rc)}: {err}")
        if problems:
            raise R.Fail("; ".join(problems))
    finally:
        for d in (child, base):
            try:
                os.rmdir(d)
            except OSError:
                pass


def test_container_pids(ctx):
    """A process in its own pid namespace: records carry the host's pid
    and, as ns_pid, the pid the process sees for itself."""
    tr = R.Tracer(ctx.tfotrace, ["--json", "--all"], ctx.workdir).wait_ready()
    try:
        wl = R.spawn(["unshare", "--pid", "--fork", "--mount-proc", ctx.workload,
                      "--no-wait"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE)
        out, err = wl.communicate(timeout=10)
        lines = [json.loads(l) for l in out.decode().splitlines() if l.startswith("{")]
        own_pid = lines[0].get("pid") if lines else None
        time.sleep(0.3)
    finally:
        tr.stop()
    objs, _ = R.parse_json_lines(tr.stdout())
    mine = [o for o in R.events_of(objs) if o.get("ns_pid") == own_pid
            and o.get("comm") == "sockopt_workloa"]
    if own_pid != 1:
        raise R.Fail(f"the workload sees itself as pid {own_pid}, want 1: {err.decode()[:200]}")
    calls = sum(1 for l in lines if l.get("op") in ("socket", "setsockopt", "listen"))
    if len(mine) < calls:
        raise R.Fail(f"{len(mine)} records with ns_pid 1, want >= {calls}")
    host = {o.get("pid") for o in mine}
    if len(host) != 1 or 1 in host:
        raise R.Fail(f"host pids of those records: {host}")
    others = [o for o in R.events_of(objs) if o.get("pid") == o.get("ns_pid")]
    if not all(o.get("ns_pid") for o in R.events_of(objs)):
        raise R.Fail("a record without ns_pid")
    print(f"# container: host pid {host.pop()} = pid 1 inside; "
          f"{len(others)} records of host processes with ns_pid == pid")


def promtool_check(path):
    with open(path, "rb") as f:
        res = subprocess.run(["promtool", "check", "metrics"], stdin=f,
                             capture_output=True, text=True, timeout=30)
    return res.returncode, (res.stdout + res.stderr).strip()


def prom_samples(path):
    samples = {}
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, _, value = line.rstrip("\n").rpartition(" ")
            samples[name] = float(value)
    return samples


def test_prometheus_textfile(ctx):
    """--prometheus: the file exists before "ready", is rewritten every
    --interval while the run goes on (a finding shows up in it without
    waiting for the exit), parses with promtool (Debian's prometheus
    package), leaves no temporary file, and its final numbers are the
    summary's."""
    if not shutil.which("promtool"):
        raise R.Fail("promtool not installed (make deps installs prometheus)")
    pdir = os.path.join(ctx.workdir, "textfile")
    os.makedirs(pdir)
    path = os.path.join(pdir, "tfotrace.prom")
    wl = R.Workload(ctx.workload, ctx.workdir).wait_ready()
    tr = R.Tracer(ctx.tfotrace, ["--json", "-p", str(wl.pid), "--prometheus", path,
                                 "--interval", "1"], ctx.workdir).wait_ready()
    problems = []
    if not os.path.exists(path):
        problems.append("no metrics file at ready")
    first = os.stat(path).st_mtime_ns if os.path.exists(path) else 0
    wl.release()
    wl.finish()
    # the workload's MPTCP sockets refuse TCP_USER_TIMEOUT: a finding
    key = 'tfotrace_findings{kind="mptcp-option-rejected"}'
    deadline = time.monotonic() + 5
    live = {}
    while time.monotonic() < deadline:
        if os.path.exists(path) and os.stat(path).st_mtime_ns != first:
            live = prom_samples(path)
            if live.get(key, 0) > 0:
                break
        time.sleep(0.2)
    if live.get(key, 0) <= 0:
        problems.append(f"no finding in the periodic file: {key} = {live.get(key)}")
    else:
        rc, msg = promtool_check(path)
        if rc != 0 or msg:
            problems.append(f"promtool on the periodic file: rc {rc}: {msg[:300]}")
    rc = R.wait_exit(tr.proc, R.EXIT_TIMEOUT_S)    # the pid exited: it ends
    if rc is None:
        rc = tr.stop()
    objs, _ = R.parse_json_lines(tr.stdout())
    summary = objs[-1] if objs and objs[-1].get("type") == "summary" else {}
    final = prom_samples(path)
    rc_p, msg = promtool_check(path)
    if rc != 0:
        problems.append(f"exit {R.describe_status(rc)}")
    if rc_p != 0 or msg:
        problems.append(f"promtool on the final file: rc {rc_p}: {msg[:300]}")
    for metric, field in (("tfotrace_events_total", "events"),
                          ("tfotrace_lost_events_total", "lost"),
                          ("tfotrace_sockets_tracked", "sockets")):
        if final.get(metric) != summary.get(field):
            problems.append(f"{metric} {final.get(metric)} != summary {field} "
                            f"{summary.get(field)}")
    if final.get('tfotrace_build_info{version="0.1.0",mode="tracepoint"}') is None and \
            not any(k.startswith("tfotrace_build_info{") for k in final):
        problems.append("no tfotrace_build_info")
    leftovers = [f for f in os.listdir(pdir) if f != "tfotrace.prom"]
    if leftovers:
        problems.append(f"left in the textfile directory: {leftovers}")
    # an unwritable path: one line at start, exit 1
    tr = R.Tracer(ctx.tfotrace, ["--prometheus", "/nonexistent/dir/t.prom", "-d", "1"],
                  ctx.workdir, ready=False)
    rc = R.wait_exit(tr.proc, R.EXIT_TIMEOUT_S)
    err = [l for l in tr.stderr().splitlines() if l.strip()]
    if rc != 1 or len(err) != 1 or "cannot write metrics" not in err[0] or tr.stdout():
        problems.append(f"unwritable path: {R.describe_status(rc)}: {err}")
    if problems:
        raise R.Fail("; ".join(problems))
    print(f"# prometheus: {len(final)} samples, promtool clean, "
          f"{key} = {final.get(key):g}")


DOCTOR_SH = r"""
set -e
ip link set lo up
echo "$1" > /proc/sys/net/ipv4/tcp_fastopen
mkfifo "$2/go"
"$3" --no-netns --proto tcp --clients 1 --wait < "$2/go" > "$2/sc" &
exec 3>"$2/go"
i=0; until grep -q '"op":"ready"' "$2/sc" || [ $i -gt 100 ]; do sleep 0.05; i=$((i+1)); done
set +e
"$4" doctor --json > "$2/doctor.json" 2> "$2/doctor.err"; echo $? > "$2/rc"
"$4" doctor > "$2/doctor.txt" 2>&1
echo go >&3; exec 3>&-; wait
"""


def test_doctor(ctx):
    """tfotrace doctor here (6.18: MPTCP takes TCP_FASTOPEN; tracepoint
    mode only), in a private network namespace holding a TCP listener
    that asked for TFO: net.ipv4.tcp_fastopen=1 is a problem found (exit
    3, tfo-server-disabled, the sysctl fix named); =3 is healthy (exit 0,
    tfo-ok)."""
    scenario = os.path.join(os.path.dirname(ctx.workload), "tfo_scenario")
    problems = []
    for sysctl, want_rc, want_kind in (("1", 3, "tfo-server-disabled"), ("3", 0, "tfo-ok")):
        d = os.path.join(ctx.workdir, f"doctor{sysctl}")
        os.makedirs(d)
        res = subprocess.run(["unshare", "-n", "sh", "-c", DOCTOR_SH, "sh", sysctl, d,
                              scenario, ctx.tfotrace], capture_output=True, text=True,
                             timeout=60)
        try:
            with open(os.path.join(d, "rc")) as f:
                rc = int(f.read())
            with open(os.path.join(d, "doctor.json")) as f:
                doc = json.loads(f.read())
            with open(os.path.join(d, "doctor.txt")) as f:
                text = f.read()
        except (OSError, ValueError) as exc:
            problems.append(f"tcp_fastopen={sysctl}: {exc}; {res.stderr[-300:]}")
            continue
        kinds = [x["kind"] for x in doc.get("findings", [])]
        if rc != want_rc:
            problems.append(f"tcp_fastopen={sysctl}: exit {rc}, want {want_rc}")
        if kinds != [want_kind]:
            problems.append(f"tcp_fastopen={sysctl}: findings {kinds}, want [{want_kind}]")
        if doc.get("mptcp_takes_tcp_fastopen") is not True:
            problems.append(f"MPTCP self-probe on this kernel: {doc.get('mptcp_takes_tcp_fastopen')}")
        modes = {m: v["works"] for m, v in doc.get("attach", {}).items()}
        if modes != {m: rc == 0 for m, (rc, _) in R.forced_mode_results(ctx).items()}:
            problems.append(f"attach modes {modes} differ from the live suite's "
                            f"{R.forced_mode_results(ctx)}")
        if doc.get("tcp_fastopen") != int(sysctl):
            problems.append(f"tcp_fastopen {doc.get('tcp_fastopen')}, want {sysctl}")
        verdict = "PROBLEM FOUND" if want_rc else "healthy"
        if f"verdict: {verdict}" not in text:
            problems.append(f"text verdict: {text[-200:]!r}")
        if want_rc and "net.ipv4.tcp_fastopen=0x" not in text:
            problems.append("no sysctl fix in the text")
    if problems:
        raise R.Fail("; ".join(problems))


TESTS = [
    ("cgroup_filter", test_cgroup_filter),
    ("container_pids", test_container_pids),
    ("prometheus_textfile", test_prometheus_textfile),
    ("doctor", test_doctor),
]
