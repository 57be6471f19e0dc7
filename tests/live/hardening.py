# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Live hardening tests: bad input, processes that exit or whose pid is
reused, signals at every stage, environment faults (tracefs, memlock,
memcg), a million sockets, valgrind. Imported by run.py; run with it."""
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import tempfile
import time

import run as R

F_SETPIPE_SZ = 1031


def our_links():
    """BPF links whose program has one of tfotrace's names."""
    progs = {}
    out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True,
                         text=True, timeout=10)
    held = R.prog_holders()
    for p in json.loads(out.stdout or "[]"):
        if not R.foreign(p, held):
            progs[p.get("id")] = p.get("name", "")
    out = subprocess.run(["bpftool", "-j", "link", "show"], capture_output=True,
                         text=True, timeout=10)
    links = json.loads(out.stdout or "[]")
    return sorted(progs.get(l.get("prog_id"), "?") for l in links
                  if progs.get(l.get("prog_id"), "").startswith(R.OUR_PROG_PREFIXES))


def leftovers():
    """Programs, links or pins of tfotrace's on the system."""
    found = [f"prog {p}" for p in R.our_programs()]
    found += [f"link {l}" for l in our_links()]
    for root, _, files in os.walk("/sys/fs/bpf"):
        found += [f"pin {os.path.join(root, f)}" for f in files
                  if "tfo" in f]
    return found


def run_to_exit(ctx, args, timeout=R.EXIT_TIMEOUT_S, **kw):
    tr = R.Tracer(ctx.tfotrace, args, ctx.workdir, ready=False, **kw)
    rc = R.wait_exit(tr.proc, timeout)
    if rc is None:
        R.kill_proc(tr.proc)
    return tr, rc


def test_cli_rejects_bad_input(ctx):
    """Every bad value is one line naming it, a defined exit status, an
    empty stdout, and nothing left loaded."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, args=(30,))
    thread.start()
    try:
        tid = thread.native_id
        cases = [
            (["-p", "0"], 2, r"invalid PID '0'"),
            (["-p", "-5"], 2, r"invalid PID '-5'"),
            (["-p", "abc"], 2, r"invalid PID 'abc'"),
            (["-p", ""], 2, r"invalid PID ''"),
            (["-p", "1.5"], 2, r"invalid PID '1.5'"),
            (["-p", "99999999999999999999"], 2, r"invalid PID"),
            (["-p", "2147483648"], 2, r"invalid PID"),
            (["-p", "999999999"], 1, r"no such process: 999999999"),
            (["-p", str(tid)], 2, rf"{tid} is a thread of process {os.getpid()}"),
            (sum((["-p", str(os.getpid() + i)] for i in range(17)), []), 2,
             r"too many -p"),
            (["-d", "0"], 2, r"invalid duration '0'"),
            (["-d", "-1"], 2, r"invalid duration '-1'"),
            (["-d", "abc"], 2, r"invalid duration 'abc'"),
            (["-d", "99999999999"], 2, r"invalid duration"),
            (["-d", "31622401"], 2, r"invalid duration"),
            (["--attach", "bogus"], 2, r"invalid attach mode 'bogus'"),
            (["--attach", ""], 2, r"invalid attach mode ''"),
            (["--btf", "/nonexistent/vmlinux"], 2, r"cannot read BTF file"),
            (["stray"], 2, r"unexpected argument 'stray'"),
            (["--no-such-option"], 2, r"unrecognized option"),
            (["--ready-file", "/nonexistent/dir/ready", "-d", "1"], 1,
             r"cannot write ready file"),
        ]
        problems = []
        for args, want_rc, want_msg in cases:
            tr, rc = run_to_exit(ctx, args)
            err = [l for l in tr.stderr().splitlines() if l.strip()]
            label = " ".join(args)[:40]
            # argp adds its "Try --help" line to an unknown option only
            max_lines = 2 if want_msg == "unrecognized option" else 1
            if rc != want_rc:
                problems.append(f"{label}: {R.describe_status(rc)}, want {want_rc}")
            elif not err or not re.search(want_msg, err[0]):
                problems.append(f"{label}: message {err[:1]}, want /{want_msg}/")
            elif len(err) > max_lines and want_rc == 2:
                problems.append(f"{label}: {len(err)} lines: {R.tail(tr.stderr())}")
            elif want_rc == 2 and tr.stdout():
                problems.append(f"{label}: stdout {tr.stdout()[:100]!r}")
        # a pid given twice is one pid; a mode this kernel lacks is one line
        tr, rc = run_to_exit(ctx, ["-p", str(os.getpid()), "-p", str(os.getpid()),
                                   "-d", "1", "--json"])
        if rc != 0:
            problems.append(f"-p twice: {R.describe_status(rc)}: {R.tail(tr.stderr())}")
        for mode, works in R.forced_mode_results(ctx).items():
            if works:
                continue
            tr, rc = run_to_exit(ctx, ["--attach", mode, "-d", "1"], timeout=15)
            err = [l for l in tr.stderr().splitlines() if l.strip()]
            if rc != 1 or len(err) != 1 or f"attach mode {mode} is not available" not in err[0]:
                problems.append(f"--attach {mode}: {R.describe_status(rc)}, "
                                f"{R.tail(tr.stderr())}")
        left = leftovers()
        if left:
            problems.append(f"left behind: {left}")
        print(f"# cli: {len(cases) + 1} inputs tried")
        if problems:
            raise R.Fail("; ".join(problems))
    finally:
        stop.set()
        thread.join()


def events_by_pid(objs):
    counts = {}
    for o in R.events_of(objs):
        counts[o.get("pid")] = counts.get(o.get("pid"), 0) + 1
    return counts


def test_pid_exit_and_reuse(ctx):
    """-p A -p B: A exits (said on stderr), a new process then gets pid A
    (clone3 set_tid) and is NOT traced as A; when B exits the run ends by
    itself with its report."""
    wl_a = R.Workload(ctx.workload, ctx.workdir).wait_ready()
    wl_b = R.Workload(ctx.workload, ctx.workdir).wait_ready()
    pid_a, pid_b = wl_a.pid, wl_b.pid
    tr = R.Tracer(ctx.tfotrace, ["--json", "--all", "-p", str(pid_a), "-p", str(pid_b)],
                  ctx.workdir).wait_ready()
    wl_a.release()
    obs_a = wl_a.finish()
    deadline = time.monotonic() + 5
    while f"process {pid_a} " not in tr.stderr():
        if time.monotonic() > deadline:
            raise R.Fail(f"no word of {pid_a}'s exit: {R.tail(tr.stderr())}")
        time.sleep(0.02)
    reuse = R.spawn([ctx.workload, "--as-pid", str(pid_a)], stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = reuse.communicate(b"go\n", timeout=10)
    lines = [json.loads(l) for l in out.decode().splitlines() if l.startswith("{")]
    if not lines or lines[0].get("pid") != pid_a:
        raise R.Fail(f"could not start a process as pid {pid_a}: {err.decode()[:200]}")
    reused_calls = sum(1 for l in lines if l.get("op") in ("socket", "setsockopt", "listen"))
    if R.wait_exit(tr.proc, 0.5) is not None:
        raise R.Fail("the run ended while B still lives")
    wl_b.release()
    obs_b = wl_b.finish()
    rc = R.wait_exit(tr.proc, R.EXIT_TIMEOUT_S)
    if rc is None:
        R.kill_proc(tr.proc)
        raise R.Fail("still running after every traced process exited")
    objs, _ = R.parse_json_lines(tr.stdout())
    got = events_by_pid(objs)
    summary = objs[-1] if objs and objs[-1].get("type") == "summary" else {}
    problems = []
    if rc != 0:
        problems.append(f"exit {R.describe_status(rc)}")
    if got.get(pid_a, 0) != len(obs_a):
        problems.append(f"{got.get(pid_a, 0)} events of pid {pid_a}, want its first "
                        f"process's {len(obs_a)} (the reuser made {reused_calls})")
    if got.get(pid_b, 0) != len(obs_b):
        problems.append(f"{got.get(pid_b, 0)} events of {pid_b}, want {len(obs_b)}")
    if summary.get("reused_pid", 0) < reused_calls:
        problems.append(f"summary reused_pid {summary.get('reused_pid')}, "
                        f"want >= {reused_calls}")
    for want in (f"process {pid_a} ", f"process {pid_b} ", "every traced process has exited"):
        if want not in tr.stderr():
            problems.append(f"stderr lacks {want!r}")
    if problems:
        raise R.Fail("; ".join(problems) + f"; stderr: {R.tail(tr.stderr())}")
    print(f"# pid reuse: {reused_calls} calls of a new pid-{pid_a} process dropped, "
          f"{len(obs_a)} + {len(obs_b)} traced")


def test_signals_everywhere(ctx):
    """SIGPIPE sent by hand changes nothing; a signal during the report
    stops at once with 128+signal and one line; nothing is left loaded."""
    problems = []
    tr = R.Tracer(ctx.tfotrace, ["--json"], ctx.workdir).wait_ready()
    tr.proc.send_signal(signal.SIGPIPE)
    if R.wait_exit(tr.proc, 0.3) is not None:
        problems.append(f"SIGPIPE ended it: {R.describe_status(tr.proc.returncode)}")
    rc = tr.stop()
    if rc != 0:
        problems.append(f"SIGINT after SIGPIPE: {R.describe_status(rc)}")

    # The report blocked on a full pipe nobody reads: SIGTERM then.
    rfd, wfd = os.pipe()
    try:
        fcntl.fcntl(wfd, F_SETPIPE_SZ, 4096)
        tr = R.Tracer(ctx.tfotrace, [], ctx.workdir, stdout=wfd)
    finally:
        os.close(wfd)
    buf = b""
    try:
        # stream while the workloads run, so only the report blocks
        stop_reading = threading.Event()
        chunks = []

        def reader():
            while not stop_reading.is_set():
                data = os.read(rfd, 65536)
                if not data:
                    return
                chunks.append(data)
                if b"# report\n" in b"".join(chunks[-2:]):
                    return
        th = threading.Thread(target=reader, daemon=True)
        th.start()
        tr.wait_ready()
        for _ in range(8):
            wl = R.Workload(ctx.workload, ctx.workdir).wait_ready()
            wl.release()
            wl.finish()
        time.sleep(0.3)
        tr.proc.send_signal(signal.SIGINT)
        th.join(5)
        buf = b"".join(chunks)
        if b"# report\n" not in buf:
            problems.append("no report began after SIGINT")
        blocked = False
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and tr.proc.poll() is None:
            try:
                with open(f"/proc/{tr.proc.pid}/syscall") as f:
                    if f.read().startswith("1 "):     # write(2)
                        blocked = True
                        break
            except OSError:
                break
            time.sleep(0.05)
        if not blocked:
            problems.append(f"the report did not block on the full pipe "
                            f"({R.describe_status(tr.proc.poll())}): the test proved nothing")
        else:
            tr.proc.send_signal(signal.SIGTERM)
            rc = R.wait_exit(tr.proc, 2)
            if rc != 128 + signal.SIGTERM:
                problems.append(f"SIGTERM during the report: {R.describe_status(rc)}, "
                                f"want {128 + signal.SIGTERM}")
            if "stopped by a second signal" not in tr.stderr():
                problems.append(f"no word of the stop: {R.tail(tr.stderr())}")
    finally:
        os.close(rfd)
    left = leftovers()
    if left:
        problems.append(f"left behind: {left}")
    if problems:
        raise R.Fail("; ".join(problems))


def test_tracefs_unmounted(ctx):
    """In a mount namespace without tracefs, tracefs gets mounted (and said
    so) and the tracer works; where it cannot be mounted, the syscalls are
    hooked through raw_syscalls instead, said with why, and every call is
    still seen."""
    script = ("umount -l /sys/kernel/tracing 2>/dev/null; "
              "umount -l /sys/kernel/debug/tracing 2>/dev/null; "
              "umount -l /sys/kernel/debug 2>/dev/null; "
              "test -e /sys/kernel/tracing/events && { echo still mounted >&2; exit 99; }; "
              'exec "$@"')
    wl = R.Workload(ctx.workload, ctx.workdir).wait_ready()
    tr = R.Tracer("unshare", ["-m", "--propagation", "private", "sh", "-c", script, "sh",
                              ctx.tfotrace, "--json", "--all", "-p", str(wl.pid)],
                  ctx.workdir)
    tr.wait_ready()
    wl.release()
    obs = wl.finish()
    rc = tr.stop()
    objs, _ = R.parse_json_lines(tr.stdout())
    problems = []
    if rc != 0:
        problems.append(f"exit {R.describe_status(rc)}")
    if "mounted tracefs on /sys/kernel/tracing" not in tr.stderr():
        problems.append("no word of mounting tracefs")
    if len(R.events_of(objs)) != len(obs):
        problems.append(f"{len(R.events_of(objs))} events for {len(obs)} calls")
    # without CAP_SYS_ADMIN it cannot mount: the syscalls are hooked
    # through raw_syscalls instead (no tracefs needed), said with why
    wl = R.Workload(ctx.workload, ctx.workdir).wait_ready()
    tr = R.Tracer("unshare", ["-m", "--propagation", "private", "sh", "-c", script, "sh",
                              "setpriv", "--bounding-set=-sys_admin", "--inh-caps=-sys_admin",
                              ctx.tfotrace, "--attach", "tracepoint", "--json", "--all",
                              "-p", str(wl.pid)], ctx.workdir)
    tr.wait_ready()
    wl.release()
    obs = wl.finish()
    rc = tr.stop()
    objs, _ = R.parse_json_lines(tr.stdout())
    err = tr.stderr()
    if rc != 0 or "hooked through raw_syscalls/sys_exit" not in err or \
            "mounting it on /sys/kernel/tracing failed (Operation not permitted: " \
            "it needs CAP_SYS_ADMIN)" not in err:
        problems.append(f"without CAP_SYS_ADMIN: {R.describe_status(rc)}: {R.tail(err)}")
    if len(R.events_of(objs)) != len(obs):
        problems.append(f"through raw_syscalls: {len(R.events_of(objs))} events for "
                        f"{len(obs)} calls")
    if problems:
        raise R.Fail("; ".join(problems) + f"; stderr: {R.tail(tr.stderr())}")


def test_no_kernel_btf(ctx):
    """/sys/kernel/btf/vmlinux hidden (an empty directory mounted over
    /sys/kernel/btf in a private mount namespace): one line naming the
    fix and exit 1; with --btf FILE (a copy taken before) it traces."""
    copy = os.path.join(ctx.workdir, "saved.btf")
    shutil.copy("/sys/kernel/btf/vmlinux", copy)
    empty = os.path.join(ctx.workdir, "empty")
    os.makedirs(empty, exist_ok=True)
    script = f'mount --bind {empty} /sys/kernel/btf && exec "$@"'
    problems = []
    tr = R.Tracer("unshare", ["-m", "--propagation", "private", "sh", "-c", script, "sh",
                              ctx.tfotrace, "-d", "1"], ctx.workdir, ready=False)
    rc = R.wait_exit(tr.proc, R.EXIT_TIMEOUT_S)
    err = [l for l in tr.stderr().splitlines() if l.strip()]
    if rc != 1 or len(err) != 1 or "exposes no BTF" not in err[0] or "--btf FILE" not in err[0]:
        problems.append(f"without BTF: {R.describe_status(rc)}: {err}")
    tr = R.Tracer("unshare", ["-m", "--propagation", "private", "sh", "-c", script, "sh",
                              ctx.tfotrace, "--btf", copy, "--json", "-d", "1"],
                  ctx.workdir, ready=False)
    rc = R.wait_exit(tr.proc, 15)
    objs, _ = R.parse_json_lines(tr.stdout())
    if rc != 0 or not objs or objs[-1].get("type") != "summary":
        problems.append(f"--btf without kernel BTF: {R.describe_status(rc)}: "
                        f"{R.tail(tr.stderr())}")
    elif "no listener scan" not in tr.stderr():
        problems.append("the skipped listener scan is not said")
    if problems:
        raise R.Fail("; ".join(problems))


def memory_cgroup():
    """A fresh memory cgroup (v1 or v2): (dir, limit file)."""
    v1 = "/sys/fs/cgroup/memory"
    if os.path.exists(os.path.join(v1, "memory.limit_in_bytes")):
        path = os.path.join(v1, f"tfotrace-test-{os.getpid()}")
        os.mkdir(path)
        return path, "memory.limit_in_bytes"
    with open("/proc/self/mounts") as f:
        v2 = [l.split()[1] for l in f if l.split()[2] == "cgroup2"]
    for root in v2:
        try:
            with open(os.path.join(root, "cgroup.subtree_control")) as f:
                if "memory" not in f.read().split():
                    continue
        except OSError:
            continue
        path = os.path.join(root, f"tfotrace-test-{os.getpid()}")
        os.mkdir(path)
        return path, "memory.max"
    raise R.Fail("no memory cgroup controller mounted (v1 or v2)")


def test_memory_limits(ctx):
    """RLIMIT_MEMLOCK 0 changes nothing (maps are charged to the memory
    cgroup since 5.11); a memory cgroup too small for the maps is one clear
    line and exit 1, never a half-attached tracer."""
    problems = []
    tr = R.Tracer("prlimit", ["--memlock=0:0", ctx.tfotrace, "--json", "-d", "1"],
                  ctx.workdir, ready=False)
    rc = R.wait_exit(tr.proc, 10)
    if rc != 0:
        problems.append(f"memlock 0: {R.describe_status(rc)}: {R.tail(tr.stderr())}")
    cgroup, limit_file = memory_cgroup()
    outcomes = {}
    # Where the maps stop fitting depends on the machine (what the process
    # itself needs before them differs between kernels and cgroup versions:
    # CI's 2 MiB was already OOM-killed, here 1.5 MiB gives the error): the
    # limit rises by 512 KiB until tfotrace runs.
    try:
        for kib in range(1024, 16 * 1024 + 1, 512):
            mib = f"{kib / 1024:g}"
            with open(os.path.join(cgroup, limit_file), "w") as f:
                f.write(f"{kib}K")
            tr = R.Tracer("sh", ["-c", f'echo $$ > {cgroup}/cgroup.procs && exec "$@"',
                                 "sh", ctx.tfotrace, "-d", "1"],
                          ctx.workdir, ready=False)
            rc = R.wait_exit(tr.proc, 15)
            err = [l for l in tr.stderr().splitlines() if l.strip()]
            if rc == 1 and len(err) == 1 and "not enough memory" in err[0]:
                outcomes[mib] = "clear error"
            elif rc == 0 or rc == -signal.SIGKILL:
                outcomes[mib] = "ran" if rc == 0 else "OOM-killed"
            else:
                problems.append(f"{mib} MiB: {R.describe_status(rc)}: {R.tail(tr.stderr())}")
            if rc == 0:
                break
    finally:
        os.rmdir(cgroup)
    if "clear error" not in outcomes.values():
        problems.append(f"no limit gave the clear error: {outcomes}")
    left = leftovers()
    if left:
        problems.append(f"left behind: {left}")
    print(f"# memory: memlock 0 ran; memcg {outcomes}")
    if problems:
        raise R.Fail("; ".join(problems))


def vm_hwm_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return None


MILLION = 1000000


def test_million_sockets_bounded(ctx):
    """A million distinct sockets, each with an option, through the real
    loader: the correlator keeps at most its table, counts what it
    evicted, and the loader's peak memory stays bounded."""
    load = os.path.join(R.ROOT, "build", "bench", "bench_load")
    proc = R.spawn([load, "churn", "-n", str(MILLION), "--wait"], stdin=subprocess.PIPE,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    ready = json.loads(proc.stdout.readline() or b"{}")
    if ready.get("op") != "ready":
        R.kill_proc(proc)
        raise R.Fail(f"bench_load not ready: {ready}")
    # an idle second pid keeps the run going after the churn's exit
    idle = R.spawn([load, "idle"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    idle_pid = json.loads(idle.stdout.readline() or b"{}").get("pid")
    tr = R.Tracer(ctx.tfotrace, ["--json", "--all", "--findings", "-p", str(ready["pid"]),
                                 "-p", str(idle_pid)], ctx.workdir).wait_ready()
    hwm_ready = vm_hwm_kib(tr.proc.pid)
    proc.stdin.write(b"go\n")
    proc.stdin.flush()
    out, err = proc.communicate(timeout=60)
    result = json.loads(out.decode().splitlines()[-1])
    time.sleep(0.3)   # the last records drained
    hwm_end = vm_hwm_kib(tr.proc.pid)
    idle.stdin.close()
    rc = R.wait_exit(tr.proc, R.EXIT_TIMEOUT_S)    # both pids exited: it ends
    objs, _ = R.parse_json_lines(tr.stdout())
    summary = objs[-1] if objs and objs[-1].get("type") == "summary" else None
    if rc != 0 or summary is None:
        raise R.Fail(f"{R.describe_status(rc)}, no summary: {R.tail(tr.stderr())}")
    seen = summary["sockets"] + summary["evicted"]
    problems = []
    if summary["sockets"] > 65536:
        problems.append(f"{summary['sockets']} sockets tracked, table is 65536")
    # every delivered option call is a new socket; lost records may be either
    if not result["setsockopt_calls"] - summary["lost"] <= seen <= result["setsockopt_calls"]:
        problems.append(f"tracked {summary['sockets']} + evicted {summary['evicted']} = "
                        f"{seen}, for {result['setsockopt_calls']} sockets and "
                        f"{summary['lost']} lost")
    if summary["evicted"] < MILLION // 2:
        problems.append(f"only {summary['evicted']} evicted: the test proved little")
    grew = (hwm_end or 0) - (hwm_ready or 0)
    if grew > 64 * 1024:
        problems.append(f"peak RSS grew {grew} KiB ({hwm_ready} -> {hwm_end})")
    print(f"# million: {result['setsockopt_calls']} sockets, {summary['events']} events, "
          f"{summary['lost']} lost, {summary['sockets']} tracked, {summary['evicted']} "
          f"evicted; peak RSS {hwm_ready} KiB at ready, {hwm_end} KiB after")
    if problems:
        raise R.Fail("; ".join(problems))


def test_valgrind_clean(ctx):
    """The loader under valgrind memcheck: no error, no leak, through a
    traced workload and its report (suppressions: tests/live/valgrind.supp,
    valgrind's own misreading of bpf(2) attributes)."""
    supp = os.path.join(os.path.dirname(os.path.abspath(__file__)), "valgrind.supp")
    wl = R.Workload(ctx.workload, ctx.workdir).wait_ready()
    tr = R.Tracer("valgrind", ["-q", f"--suppressions={supp}", "--error-exitcode=97",
                               "--leak-check=full", "--show-leak-kinds=definite,indirect",
                               "--errors-for-leak-kinds=definite,indirect",
                               ctx.tfotrace, "--json", "--all", "-p", str(wl.pid)],
                  ctx.workdir).wait_ready(timeout=60)
    wl.release()
    obs = wl.finish()
    rc = R.wait_exit(tr.proc, 30)    # the pid exited: it reports and ends
    if rc is None:
        R.kill_proc(tr.proc)
    objs, _ = R.parse_json_lines(tr.stdout())
    memcheck = [l for l in tr.stderr().splitlines()
                if l.startswith("==") or "unhandled eBPF" in l]
    problems = []
    if rc != 0:
        problems.append(f"{R.describe_status(rc)}")
    if [l for l in memcheck if "unhandled eBPF" not in l]:
        problems.append("memcheck: " + " | ".join(memcheck[:12]))
    if len(R.events_of(objs)) != len(obs):
        summary = next((o for o in objs if o.get("type") == "summary"), None)
        problems.append(f"{len(R.events_of(objs))} events for {len(obs)} calls "
                        f"(summary {summary}; stderr: "
                        f"{' | '.join(l for l in tr.stderr().splitlines() if 'unhandled eBPF' not in l)[-600:]})")
    # the other way through main(): --scan
    scan = subprocess.run(["valgrind", "-q", f"--suppressions={supp}", "--error-exitcode=97",
                           "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
                           ctx.tfotrace, "--scan", "--json"],
                          capture_output=True, text=True, timeout=60)
    memcheck = [l for l in scan.stderr.splitlines() if l.startswith("==")]
    if scan.returncode != 0 or memcheck:
        problems.append(f"--scan: exit {scan.returncode}: " + " | ".join(memcheck[:12]))
    if problems:
        raise R.Fail("; ".join(problems))


def test_unprivileged_caps(ctx):
    """As an ordinary user (nobody) with CAP_BPF and CAP_PERFMON alone, as
    the README says is enough: it traces every call; what it cannot do
    without more (tracefs of root's alone, other users' programs without
    CAP_SYS_PTRACE) is said, not mistaken for a missing mode."""
    wl = R.Workload(ctx.workload, ctx.workdir).wait_ready()
    shared = tempfile.mkdtemp(prefix="nobody-", dir="/tmp")
    os.chmod(shared, 0o777)     # its ready file, written as nobody
    ready = os.path.join(shared, "ready")
    tr = R.Tracer("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups",
                              "--inh-caps=+bpf,+perfmon", "--ambient-caps=+bpf,+perfmon",
                              ctx.tfotrace, "--json", "--all", "-p", str(wl.pid),
                              "--ready-file", ready], ctx.workdir, ready=False)
    tr.ready_path = ready
    try:
        tr.wait_ready()
    finally:
        shutil.rmtree(shared, ignore_errors=True)
    wl.release()
    obs = wl.finish()
    rc = tr.stop()
    objs, _ = R.parse_json_lines(tr.stdout())
    err = tr.stderr()
    problems = []
    if rc != 0:
        problems.append(f"exit {R.describe_status(rc)}")
    if len(R.events_of(objs)) != len(obs):
        problems.append(f"{len(R.events_of(objs))} events for {len(obs)} calls")
    if "note: without CAP_SYS_PTRACE" not in err:
        problems.append("nothing said of other users' programs")
    # the handshake observer's programs need CAP_NET_ADMIN too: said so
    observer = [l for l in err.splitlines() if "no handshake observer" in l]
    if len(observer) != 1 or "CAP_NET_ADMIN" not in observer[0]:
        problems.append(f"the observer's missing capability not said: {observer}")
    err = "\n".join(l for l in err.splitlines() if l not in observer)
    for wrong in ("mounting it failed", "no attach mode works", "warning"):
        if wrong in err:
            problems.append(f"misleading: {wrong!r}")
    if problems:
        raise R.Fail("; ".join(problems) + f"; stderr: {R.tail(err)}")


TESTS = [
    ("cli_rejects_bad_input", test_cli_rejects_bad_input),
    ("unprivileged_caps", test_unprivileged_caps),
    ("pid_exit_and_reuse", test_pid_exit_and_reuse),
    ("signals_everywhere", test_signals_everywhere),
    ("tracefs_unmounted", test_tracefs_unmounted),
    ("no_kernel_btf", test_no_kernel_btf),
    ("memory_limits", test_memory_limits),
    ("million_sockets_bounded", test_million_sockets_bounded),
    ("valgrind_clean", test_valgrind_clean),
]
