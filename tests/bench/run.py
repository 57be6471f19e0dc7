#!/usr/bin/env python3
"""tfotrace's benchmark: what tracing costs the traced, against the floor.

    python3 tests/bench/run.py [--rounds N] [--quick] [--tfotrace PATH]
                               [--no-build] [--out PATH]

Root only (BPF, network namespaces). Python standard library only. Builds
build/bench/ with tests/bench/Makefile (bench_load, the workloads; floor, the
empty BPF programs), build/tfotrace and build/tests/tfo_scenario with the top
Makefile, then:

1. reads the tracepoints of tfotrace's tracepoint mode from the tp_* programs
   of bpf/tfotrace.bpf.c (the one place the list lives; any_* tracepoint
   programs, loaded in every mode, are named too), starts tfotrace and the
   floor once each and checks with `bpftool perf list` what both attached.
   That first start also fills a BTF cache (TFOTRACE_CACHE_DIR in the run's
   temporary directory) that every later "warm" start reads;
2. rounds (default 5): in each, every configuration in turn -- untraced;
   the floor (empty programs on the same syscall tracepoints); tfotrace by
   default (relevant calls recorded, the rest counted; text); --all (text);
   --all --json; the systemd unit's own arguments (--findings --json
   --prometheus, the .prom file in the temporary directory); -p <an idle
   process> (W3); bpftrace; strace -- and under each every workload of
   tests/bench/bench_load.c (W1 TCP and MPTCP, W1 paced, W2 TCP and MPTCP),
   each run in a fresh network namespace on loopback, pinned to the last
   CPU, with the tracer started afresh for it (so each run has its own lost
   count, CPU time and peak RSS). The paced W1 is measured by the
   workload's own CPU time per call (getrusage): with the ring never full,
   --all delivers every record and its cost is not flattered by losses;
3. startup: exec -> ready for tfotrace (--ready-file) with a cold cache (an
   empty TFOTRACE_CACHE_DIR: parses the kernel BTF, runs bpftool) and a warm
   one, default and --all, VmHWM at ready; the floor; bpftrace
   ("Attaching" and, by bpftool, all its probes attached);
4. events: tfotrace's own CPU (ready to stop) under `-p <workload>` to a
   file, per delivered event (--all --json, paced so nothing is lost, and a
   storm from one thread per CPU) and per call made (the default and the
   unit's --findings on routine calls); the summary's events + lost + not
   recorded must equal the calls the workload made;
5. journal: the unit's ExecStart arguments, stdout to a file, while
   bench_load makes routine setsockopt calls and tests/scenarios/tfo_scenario
   runs a TFO listener in a namespace without the server bit (a finding):
   lines written against calls made, and the same under --all --json;
6. diagnostics: the kernel's per-program run time (BPF_ENABLE_STATS, on only
   while its fd is open) during one more paced W1 run under the floor,
   tfotrace default, --all, -p OTHER and bpftrace;
7. writes tests/bench/RESULTS.md (tables, targets met or missed) and prints
   it. Nothing is asserted on timings: exit status 1 only when something
   failed to run (a tool that crashed, hung or would not attach).

A full run takes about 9 minutes on these 2-CPU machines; --quick (small N,
2 rounds) about 1.5 minutes, a smoke test.
Every process started here is tracked and killed by its pid at the end; every
wait is bounded.
"""

import argparse
import ctypes
import datetime
import glob
import hashlib
import json
import os
import re
import select
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "build", "bench")
BPF_SRC = os.path.join(ROOT, "bpf", "tfotrace.bpf.c")
MAIN_SRC = os.path.join(ROOT, "user", "main.c")
UNIT = os.path.join(ROOT, "user", "dist", "tfotrace.service")
SCENARIO = os.path.join(ROOT, "build", "tests", "tfo_scenario")
RESULTS = os.path.join(ROOT, "tests", "bench", "RESULTS.md")

READY_TIMEOUT_S = 20        # a tracer from exec to attached
STOP_TIMEOUT_S = 15         # a tracer after SIGINT
WORKLOAD_TIMEOUT_S = 180    # one workload run
SETTLE_S = 0.2              # after each workload: the consumer drains, the
                            # netns goes away
DRAIN_S = 0.3               # event and journal runs: after the workload,
                            # before the tracer's CPU is read
POLL_S = 0.001              # ready-file polling (startup resolution)

SIZES = {
    "full": dict(rounds=5, w1=1_000_000, w2=20_000, w1p=200_000,
                 w1p_rate=100_000, strace_w1=10_000, strace_w2=1_000,
                 storm_per_thread=500_000, paced=1_000_000,
                 paced_rate=200_000, routine=1_000_000, startup=7,
                 event_reps=3, journal_calls=200_000,
                 journal_rate=100_000),
    "quick": dict(rounds=2, w1=100_000, w2=2_000, w1p=50_000,
                  w1p_rate=100_000, strace_w1=2_000, strace_w2=200,
                  storm_per_thread=100_000, paced=200_000,
                  paced_rate=200_000, routine=200_000, startup=3,
                  event_reps=1, journal_calls=50_000,
                  journal_rate=100_000),
}

STARTED = []        # every Popen, so nothing outlives the run
ANOMALIES = []      # what went wrong, verbatim, for the report


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr,
          flush=True)


def anomaly(msg):
    ANOMALIES.append(msg)
    log("ANOMALY: " + msg)


class BenchError(Exception):
    """Something needed could not run; the message says what."""


# ------------------------------------------------------------ processes

def spawn(argv, **kw):
    try:
        proc = subprocess.Popen(argv, **kw)
    except OSError as exc:
        raise BenchError(f"cannot start {argv[0]}: {exc}")
    STARTED.append(proc)
    return proc


def kill_proc(proc):
    """SIGKILL one process we started, by its pid, and reap it."""
    if proc.poll() is None:
        try:
            os.kill(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            anomaly(f"pid {proc.pid} ({proc.args[0]}) survived SIGKILL for 5 s")


def kill_all_started():
    for proc in STARTED:
        kill_proc(proc)


def describe_rc(rc):
    if rc is None:
        return "still running"
    if rc < 0:
        try:
            return f"killed by {signal.Signals(-rc).name}"
        except ValueError:
            return f"killed by signal {-rc}"
    return f"exit status {rc}"


def read_text(path, limit=4000):
    try:
        with open(path, errors="replace") as f:
            data = f.read()
    except OSError:
        return ""
    return data[-limit:]


def tail(text, lines=6):
    rows = [r for r in text.strip().splitlines() if r.strip()]
    return " | ".join(rows[-lines:]) if rows else "(empty)"


def vm_hwm_kib(pid):
    """Peak resident set (VmHWM) of a live process, in KiB; None if gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def task_cpu_ns(pid):
    """CPU time of a live process, all its threads, in ns: the on-CPU time
    of /proc/PID/task/*/schedstat (ns resolution), else utime + stime of
    /proc/PID/stat (clock ticks). None if gone."""
    total, seen = 0, False
    for path in glob.glob(f"/proc/{pid}/task/*/schedstat"):
        try:
            with open(path) as f:
                total += int(f.read().split()[0])
                seen = True
        except (OSError, ValueError, IndexError):
            pass
    if seen:
        return total
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) * 1e9 / os.sysconf("SC_CLK_TCK")


def perf_tracepoints(pid):
    """The tracepoints pid has BPF programs attached to (bpftool perf list)."""
    try:
        out = subprocess.run(["bpftool", "-j", "perf", "list"],
                             capture_output=True, text=True, timeout=10)
        rows = json.loads(out.stdout or "[]")
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None
    return sorted(r.get("tracepoint", "?") for r in rows
                  if r.get("pid") == pid and r.get("fd_type") == "tracepoint")


def enable_bpf_stats():
    """BPF_ENABLE_STATS (run time per program) for as long as the returned
    fd is open -- the kernel turns it off when the fd closes, even if this
    script dies. None when the kernel says no."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        attr = ctypes.create_string_buffer(8)   # enable_stats.type = 0
        fd = libc.syscall(321, 32, attr, 8)     # __NR_bpf, BPF_ENABLE_STATS
    except (OSError, AttributeError):
        return None
    return fd if fd >= 0 else None


def prog_stats(pid):
    """{program name: (run_cnt, run_time_ns)} of pid's tracepoint programs."""
    try:
        rows = json.loads(subprocess.run(
            ["bpftool", "-j", "perf", "list"], capture_output=True,
            text=True, timeout=10).stdout or "[]")
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return {}
    tps = {}
    for r in rows:
        if r.get("pid") == pid:
            tps.setdefault(r["prog_id"], []).append(r.get("tracepoint", "?"))
    stats = {}
    for prog_id, where in tps.items():
        try:
            d = json.loads(subprocess.run(
                ["bpftool", "-j", "prog", "show", "id", str(prog_id)],
                capture_output=True, text=True, timeout=10).stdout)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            continue
        name = f"{d.get('name', '?')} on {', '.join(sorted(where))}"
        stats[name] = (d.get("run_cnt") or 0, d.get("run_time_ns") or 0)
    return stats


def bpf_links(pid):
    """The types of the BPF links pid holds (from /proc/PID/fdinfo): a hook
    that is not a tracepoint (raw_tracepoint, tracing, kprobe_multi...) shows
    here even though bpftool perf list would not list it."""
    types = []
    try:
        fds = os.listdir(f"/proc/{pid}/fdinfo")
    except OSError:
        return None
    for fd in fds:
        text = read_text(f"/proc/{pid}/fdinfo/{fd}", 10000)
        m = re.search(r"^link_type:\s*(\S+)", text, re.M)
        if m:
            types.append(m.group(1))
    return sorted(types)


def wait_file(path, proc, timeout):
    """Seconds until path exists, or raise if proc dies / time runs out."""
    t0 = time.monotonic()
    deadline = t0 + timeout
    while True:
        if os.path.exists(path):
            return time.monotonic() - t0
        if proc.poll() is not None:
            raise BenchError(f"{proc.args[0]} ended before ready: "
                             f"{describe_rc(proc.returncode)}")
        if time.monotonic() > deadline:
            raise BenchError(f"{proc.args[0]} not ready after {timeout} s")
        time.sleep(POLL_S)


def json_objects(path, limit=None):
    """The JSON objects of a JSON Lines file (the last LIMIT bytes only, if
    given), and the number of lines in the whole file."""
    objs, lines = [], 0
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                lines += block.count(b"\n")
            f.seek(max(0, size - limit) if limit else 0)
            data = f.read()
    except OSError:
        return [], 0
    for raw in data.splitlines():
        try:
            obj = json.loads(raw)
        except ValueError:
            continue
        if isinstance(obj, dict):
            objs.append(obj)
    return objs, lines


# ------------------------------------------------------------ hooks

def tracepoint_hooks(src_path=BPF_SRC):
    """(floor, also): CATEGORY/NAME of every tracepoint program of tfotrace
    named tp_* (tracepoint mode's syscall hooks, in order), and of those
    named any_* (loaded in every mode: bookkeeping, not a traced call).

    The floor attaches to exactly the first list: this function is the one
    place it comes from, read from tfotrace's own source each run."""
    with open(src_path) as f:
        src = f.read()
    hooks, also = [], []
    # int tp_x(ctx...) or int BPF_PROG(tp_x, ...)
    for m in re.finditer(r'SEC\("(?:tracepoint|tp)/([^"/]+)/([^"]+)"\)\s*'
                         r'int\s+(\w+)\s*\(\s*(\w*)', src):
        category, name, prog, inner = m.groups()
        if re.fullmatch(r"[A-Z_]+", prog) and inner:
            prog = inner
        if prog.startswith("tp_"):
            hooks.append(f"{category}/{name}")
        elif prog.startswith("any_"):
            also.append(f"{category}/{name}")
    if not hooks:
        raise BenchError(f"no tp_* tracepoint programs found in {src_path}")
    return hooks, also


def unit_arguments(prom_path):
    """The systemd unit's ExecStart arguments (user/dist/tfotrace.service),
    its --prometheus file replaced by PROM_PATH; None if unreadable."""
    try:
        with open(UNIT) as f:
            text = f.read()
    except OSError:
        return None
    m = re.search(r"^ExecStart=(.*)$", text, re.M)
    if not m:
        return None
    argv = shlex.split(m.group(1).lstrip("-@:+!"))[1:]
    out, i = [], 0
    while i < len(argv):
        a = argv[i]
        if a == "--prometheus" and i + 1 < len(argv):
            out += [a, prom_path]
            i += 2
            continue
        if a.startswith("--prometheus="):
            a = "--prometheus=" + prom_path
        out.append(a)
        i += 1
    return out


def bpftrace_script(hooks):
    """bpftrace's equivalent capture: arguments stored per thread at entry,
    printed with the return value at exit, for each syscall tfotrace
    traces (enter/exit is how bpftrace gets arguments at exit)."""
    fields = {
        "setsockopt": ("fd=%d level=%d optname=%d optlen=%d",
                       "args->fd, args->level, args->optname, args->optlen",
                       4),
        "socket": ("family=%d type=%d protocol=%d",
                   "args->family, args->type, args->protocol", 3),
        "listen": ("fd=%d backlog=%d", "args->fd, args->backlog", 2),
    }
    calls = []
    for h in hooks:
        m = re.match(r"syscalls/sys_(?:enter|exit)_(\w+)$", h)
        if m and m.group(1) in fields and m.group(1) not in calls:
            calls.append(m.group(1))
    out = []
    for c in calls:
        fmt, args, n = fields[c]
        unpack = ", ".join(f"$a.{i}" for i in range(n))
        out.append(f"""tracepoint:syscalls:sys_enter_{c}
{{
	@{c}_args[tid] = ({args});
	@{c}_in[tid] = 1;
}}

tracepoint:syscalls:sys_exit_{c}
/@{c}_in[tid]/
{{
	$a = @{c}_args[tid];
	printf("%d %d %s {c} {fmt} ret=%d\\n", pid, tid, comm, {unpack}, args->ret);
	delete(@{c}_args[tid]);
	delete(@{c}_in[tid]);
}}
""")
    return "\n".join(out), 2 * len(calls), calls


# ------------------------------------------------------------ tracers

class Tracer:
    """A tracer run in the background around a workload."""

    wraps = False           # strace: wraps the workload instead

    def __init__(self, bench, label="?"):
        self.bench = bench
        self.label = label
        self.proc = None
        self.ready_s = None
        self.errpath = None
        self.hwm_ready_kib = None   # VmHWM once ready
        self.hwm_kib = None         # VmHWM just before stopping
        self.cpu0 = None
        self.cpu_s = None           # CPU from ready to sample() (just before
                                    # stopping, unless sampled earlier)
        self.cpu_total_s = None     # CPU from ready to exit
        self.sampled = False
        self.lost = None            # tfotrace's "lost N events", else None

    def _errfile(self):
        fd, self.errpath = tempfile.mkstemp(prefix="stderr-", dir=self.bench.tmp)
        return fd

    def _ready(self, t0):
        self.ready_s = time.monotonic() - t0
        self.hwm_ready_kib = vm_hwm_kib(self.proc.pid)
        self.cpu0 = task_cpu_ns(self.proc.pid)

    def start(self):
        pass

    def reap(self, timeout):
        """wait4() the tracer, bounded: its rusage once it has exited
        (returncode set), None if it is still running after TIMEOUT."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                pid, status, ru = os.wait4(self.proc.pid, os.WNOHANG)
            except ChildProcessError:
                return None
            if pid == self.proc.pid:
                self.proc.returncode = os.waitstatus_to_exitcode(status)
                return ru
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.005)

    def sample(self):
        """Peak RSS (VmHWM) and CPU since ready, now (once)."""
        if self.sampled or not self.proc:
            return
        self.sampled = True
        self.hwm_kib = vm_hwm_kib(self.proc.pid)
        cpu = task_cpu_ns(self.proc.pid)
        if cpu is not None and self.cpu0 is not None:
            self.cpu_s = (cpu - self.cpu0) / 1e9

    def stop(self, expect_exit=False):
        """SIGINT (or, EXPECT_EXIT, wait for it to end on its own: tfotrace
        -p ends when its processes have), bounded wait. Peak RSS and CPU
        are sampled first unless they were already; CPU from ready to exit
        from the rusage wait4() returns, and peak RSS from it if VmHWM
        could not be read."""
        if not self.proc:
            return
        self.sample()
        ru = self.reap(STOP_TIMEOUT_S if expect_exit else 0)
        if ru is not None and not expect_exit:
            anomaly(f"{self.label} (pid {self.proc.pid}) died while tracing: "
                    f"{describe_rc(self.proc.returncode)}; stderr: "
                    f"{tail(read_text(self.errpath))}")
        elif ru is None:
            if expect_exit:
                anomaly(f"{self.label} (pid {self.proc.pid}) still running "
                        f"{STOP_TIMEOUT_S} s after its traced processes "
                        "ended; interrupted")
            os.kill(self.proc.pid, signal.SIGINT)
            ru = self.wait_after_sigint()
            if ru is None:
                anomaly(f"{self.label} (pid {self.proc.pid}) still running "
                        f"{STOP_TIMEOUT_S} s after SIGINT; killed")
                kill_proc(self.proc)
                return
        if self.cpu0 is not None:
            self.cpu_total_s = ru.ru_utime + ru.ru_stime - self.cpu0 / 1e9
        if not self.hwm_kib:
            self.hwm_kib = ru.ru_maxrss
        rc = self.proc.returncode
        err = read_text(self.errpath, 20000)
        self.stopped(err)
        if rc != 0:
            anomaly(f"{self.label} (pid {self.proc.pid}) exited with "
                    f"{describe_rc(rc)}; stderr: {tail(err)}")

    def wait_after_sigint(self):
        return self.reap(STOP_TIMEOUT_S)

    def stopped(self, err):
        pass

    def wrap(self, argv, n_scale):
        return argv


class Untraced(Tracer):
    pass


class Floor(Tracer):
    def start(self):
        ready = os.path.join(self.bench.tmp, "floor.ready")
        errfd = self._errfile()
        t0 = time.monotonic()
        self.proc = spawn([self.bench.floor, "--ready-file", ready] +
                          self.bench.hooks, stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=errfd)
        os.close(errfd)
        try:
            wait_file(ready, self.proc, READY_TIMEOUT_S)
        except BenchError as exc:
            raise BenchError(f"floor: {exc}; stderr: "
                             f"{tail(read_text(self.errpath))}")
        self._ready(t0)


class Tfotrace(Tracer):
    def __init__(self, bench, label, extra, outsider=False, stdout=None,
                 cache=None):
        super().__init__(bench, label)
        self.extra = extra
        self.outsider = outsider
        self.stdout = stdout
        self.cache = cache or bench.cache_warm
        self.mode = None
        self.idle = None

    def start(self):
        extra = list(self.extra)
        if self.outsider:
            # someone else: an idle process the workloads are not
            self.idle = spawn([self.bench.load, "idle"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            try:
                pid = json.loads(self.idle.stdout.readline())["pid"]
            except (ValueError, KeyError, TypeError):
                raise BenchError("bench_load idle did not print its pid")
            extra += ["-p", str(pid)]
        ready = os.path.join(self.bench.tmp, "tfotrace.ready")
        errfd = self._errfile()
        env = dict(os.environ, TFOTRACE_CACHE_DIR=self.cache)
        t0 = time.monotonic()
        self.proc = spawn([self.bench.tfotrace, "--ready-file", ready] + extra,
                          stdin=subprocess.DEVNULL,
                          stdout=self.stdout if self.stdout is not None
                          else subprocess.DEVNULL, stderr=errfd, env=env)
        os.close(errfd)
        try:
            wait_file(ready, self.proc, READY_TIMEOUT_S)
        except BenchError as exc:
            raise BenchError(f"tfotrace {' '.join(extra)}: {exc}; stderr: "
                             f"{tail(read_text(self.errpath))}")
        self._ready(t0)
        self.mode = read_text(ready).strip()

    def stopped(self, err):
        m = re.search(r"lost (\d+) events", err)
        self.lost = int(m.group(1)) if m else 0

    def stop(self, expect_exit=False):
        super().stop(expect_exit)
        if self.idle:
            self.idle.stdin.close()
            try:
                self.idle.wait(timeout=5)
            except subprocess.TimeoutExpired:
                kill_proc(self.idle)


def sigint_nudging(proc, reap):
    """After a first SIGINT: bpftrace 0.17 can miss it when it arrives
    just before its epoll_wait() (flag set, then an endless wait; seen here
    about once in 30 stops). A SIGINT while it waits interrupts the wait,
    so repeat it each second, bounded. Returns (reap's result, repeats)."""
    deadline = time.monotonic() + STOP_TIMEOUT_S
    res = reap(1.0)
    repeats = 0
    while res is None and time.monotonic() < deadline:
        try:
            os.kill(proc.pid, signal.SIGINT)
        except ProcessLookupError:
            pass
        repeats += 1
        res = reap(1.0)
    return res, repeats


class Bpftrace(Tracer):
    def wait_after_sigint(self):
        ru, repeats = sigint_nudging(self.proc, self.reap)
        self.bench.bpftrace_repeats += repeats
        return ru

    def start(self):
        errfd = self._errfile()
        t0 = time.monotonic()
        self.proc = spawn(["bpftrace", "-o", "/dev/null",
                           self.bench.bpftrace_script],
                          stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=errfd)
        os.close(errfd)
        deadline = t0 + READY_TIMEOUT_S
        while True:
            tps = perf_tracepoints(self.proc.pid)
            if tps is not None and len(tps) >= self.bench.bpftrace_probes:
                break
            if self.proc.poll() is not None:
                raise BenchError(f"bpftrace ended before attaching: "
                                 f"{describe_rc(self.proc.returncode)}; "
                                 f"stderr: {tail(read_text(self.errpath))}")
            if time.monotonic() > deadline:
                raise BenchError("bpftrace: probes not attached after "
                                 f"{READY_TIMEOUT_S} s")
            time.sleep(0.005)
        self._ready(t0)


class Strace(Tracer):
    wraps = True

    def wrap(self, argv, n_scale):
        return ["strace", "-f", "-e", "trace=setsockopt", "-o", "/dev/null"] + argv


# ------------------------------------------------------------ workloads

class Workload:
    def __init__(self, key, desc, args, size, metric="ns_per_op", rate=None,
                 skip=()):
        self.key = key
        self.desc = desc
        self.args = args
        self.size = size        # SIZES key of N
        self.metric = metric    # the bench_load result field compared
        self.rate = rate        # SIZES key of --rate, paced workloads
        self.skip = skip        # configurations that do not run it


WORKLOADS = [
    Workload("W1-tcp", "W1 setsockopt(TCP_NODELAY), TCP socket",
             ["sockopt", "--proto", "tcp"], "w1"),
    Workload("W1-mptcp", "W1 setsockopt(TCP_NODELAY), MPTCP socket",
             ["sockopt", "--proto", "mptcp"], "w1"),
    Workload("W1p-tcp", "W1 paced, TCP socket (CPU ns per call)",
             ["sockopt", "--proto", "tcp"], "w1p", metric="cpu_ns_per_op",
             rate="w1p_rate", skip=("strace",)),
    Workload("W2-tcp", "W2 TFO churn, TCP listener",
             ["tfo", "--proto", "tcp"], "w2"),
    Workload("W2-mptcp", "W2 TFO churn, MPTCP listener",
             ["tfo", "--proto", "mptcp"], "w2"),
]
WL = {w.key: w for w in WORKLOADS}


def parse_result(text):
    for line in reversed(text.splitlines()):
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict) and obj.get("op") == "result":
            return obj
    return None


class Bench:
    def __init__(self, args):
        self.args = args
        self.size = dict(SIZES["quick" if args.quick else "full"])
        if args.rounds:
            self.size["rounds"] = args.rounds
        self.ncpu = os.cpu_count() or 1
        self.cpu = self.ncpu - 1
        self.tmp = tempfile.mkdtemp(prefix="tfotrace-bench-")
        self.cache_warm = os.path.join(self.tmp, "cache-warm")
        os.makedirs(self.cache_warm, mode=0o700)
        self.prom = os.path.join(self.tmp, "tfotrace.prom")
        self.load = os.path.join(OUT, "bench_load")
        self.floor = os.path.join(OUT, "floor")
        self.tfotrace = None
        self.hooks = []
        self.hooks_also = []
        self.unit_args = None
        self.samples = {}       # (workload, config) -> [result dict]
        self.ready = {}         # startup key -> [seconds]
        self.start_cpu = {}     # startup key -> [(CPU to ready, ready to exit)]
        self.hwm = {}           # key -> [KiB]
        self.events = []        # event rows
        self.journal = []       # journal rows
        self.diag = []          # bpf_stats rows
        self.bpftrace_repeats = 0   # SIGINTs bpftrace needed again
        self.info = {}

    # ---- set-up

    def build(self):
        if not self.args.no_build:
            for argv in (["make", "-C", ROOT, "--no-print-directory",
                          "build/tfotrace", "build/tests/tfo_scenario"],
                         ["make", "-C", ROOT, "--no-print-directory", "-f",
                          "tests/bench/Makefile"]):
                log(" ".join(argv))
                r = subprocess.run(argv, capture_output=True, text=True,
                                   timeout=600)
                if r.returncode:
                    raise BenchError(f"{' '.join(argv)} failed: "
                                     f"{tail(r.stdout + r.stderr, 15)}")
        src = self.args.tfotrace or os.path.join(ROOT, "build", "tfotrace")
        if not os.access(src, os.X_OK):
            raise BenchError(f"no tfotrace at {src}")
        # A copy: the build tree may be rebuilt while the bench runs.
        self.tfotrace = os.path.join(self.tmp, "tfotrace")
        shutil.copy2(src, self.tfotrace)
        with open(self.tfotrace, "rb") as f:
            self.info["tfotrace_sha"] = hashlib.sha256(f.read()).hexdigest()[:12]
        self.info["tfotrace_src"] = os.path.relpath(src, ROOT)
        for p in (self.load, self.floor, SCENARIO):
            if not os.access(p, os.X_OK):
                raise BenchError(f"missing {p}")
        for tool in ("bpftool", "bpftrace", "strace"):
            if not shutil.which(tool):
                raise BenchError(f"{tool} not found (apt-get install {tool})")
        self.unit_args = unit_arguments(self.prom)
        if not self.unit_args:
            anomaly(f"no ExecStart in {UNIT}: the unit's configuration runs "
                    "--findings --json")
            self.unit_args = ["--findings", "--json"]

    def machine(self):
        model = "?"
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        try:
            self.info["bpftrace"] = subprocess.run(
                ["bpftrace", "--version"], capture_output=True, text=True,
                timeout=10).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            self.info["bpftrace"] = "bpftrace ?"
        self.info["nproc"] = self.ncpu
        self.info["cpu"] = model
        self.info["kernel"] = os.uname().release
        self.info["date"] = datetime.datetime.now().astimezone().strftime(
            "%Y-%m-%d %H:%M %Z")
        try:
            head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short",
                                   "HEAD"], capture_output=True, text=True,
                                  timeout=10).stdout.strip()
            dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain",
                                    "--", "bpf", "user"], capture_output=True,
                                   text=True, timeout=10).stdout.split("\n")
            dirty = [d[3:] for d in dirty if d.strip()]
        except (OSError, subprocess.TimeoutExpired):
            head, dirty = "?", []
        self.info["git"] = head + (f" + uncommitted changes in {', '.join(dirty)}"
                                   if dirty else "")
        src = read_text(MAIN_SRC, 10**7)
        rings = {}
        for which in ("RELEVANT", "ALL"):
            m = re.search(rf"#define\s+RINGBUF_BYTES_{which}\s+\(?(\d+)u?\s*"
                          r"<<\s*(\d+)\)?", src)
            rings[which] = (f"{(int(m.group(1)) << int(m.group(2))) // 1024} KiB"
                            if m else "?")
        self.info["ring"] = rings

    def tracefs(self):
        if not os.path.isdir("/sys/kernel/tracing/events"):
            log("mounting tracefs on /sys/kernel/tracing")
            subprocess.run(["mount", "-t", "tracefs", "nodev",
                            "/sys/kernel/tracing"], timeout=10)

    def prepare_hooks(self):
        self.hooks, self.hooks_also = tracepoint_hooks()
        script, self.bpftrace_probes, calls = bpftrace_script(self.hooks)
        self.bpftrace_calls = calls
        self.bpftrace_script = os.path.join(self.tmp, "equivalent.bt")
        with open(self.bpftrace_script, "w") as f:
            f.write(script)
        self.bpftrace_text = script
        log(f"tfotrace's tracepoint programs: {', '.join(self.hooks)}; in "
            f"every mode: {', '.join(self.hooks_also) or '-'}")

    def verify_hooks(self):
        """tfotrace and the floor: the same syscall tracepoints, really
        attached (tfotrace also its any_* ones). tfotrace's first start,
        with an empty cache: it fills the warm cache."""
        want = sorted(h.split("/", 1)[1] for h in self.hooks)
        want_t = sorted(want + [h.split("/", 1)[1] for h in self.hooks_also])
        got, links = {}, {}
        for tracer in (Tfotrace(self, "tfotrace", []), Floor(self, "floor")):
            tracer.start()
            time.sleep(0.05)
            got[tracer.label] = perf_tracepoints(tracer.proc.pid)
            links[tracer.label] = bpf_links(tracer.proc.pid)
            if isinstance(tracer, Tfotrace):
                self.info["mode"] = tracer.mode
            tracer.stop()
        if not os.listdir(self.cache_warm):
            anomaly(f"tfotrace left its cache directory empty "
                    f"(TFOTRACE_CACHE_DIR={self.cache_warm}): every start is "
                    "cold")
        self.info["cache_files"] = sorted(os.listdir(self.cache_warm))
        t, f = got["tfotrace"], got["floor"]
        self.info["hooks_src"] = self.hooks
        self.info["hooks_also"] = self.hooks_also
        self.info["hooks_tfotrace"] = t
        self.info["hooks_floor"] = f
        lt, lf = links["tfotrace"], links["floor"]
        self.info["links_tfotrace"] = lt
        self.info["links_floor"] = lf
        only_tp = (lt == ["perf"] * len(want_t) and lf == ["perf"] * len(want))
        self.info["hooks_equal"] = (f == want and t == want_t) and only_tp
        if not only_tp:
            anomaly(f"BPF links held: tfotrace {lt}, floor {lf}; expected "
                    f"{len(want_t)} and {len(want)} perf (tracepoint) links")
        if self.info["mode"] != "tracepoint":
            anomaly(f"tfotrace chose the {self.info['mode']} mode: the floor "
                    "here models the tracepoint mode only, its comparison "
                    "does not hold")
        if not self.info["hooks_equal"]:
            anomaly(f"hooks differ: tfotrace's source {want_t}, tfotrace "
                    f"attached {t}; floor's {want}, the floor attached {f}")
        log(f"hooks attached: tfotrace {t}, floor {f}")

    # ---- measurement

    def configs(self):
        """(name, label, factory), in the order run and reported."""
        return [
            ("untraced", "untraced", lambda: Untraced(self, "untraced")),
            ("floor", "floor (empty programs, same syscall tracepoints)",
             lambda: Floor(self, "floor")),
            ("default", "tfotrace (default: relevant calls; text)",
             lambda: Tfotrace(self, "tfotrace", [])),
            ("all", "tfotrace --all (text)",
             lambda: Tfotrace(self, "tfotrace --all", ["--all"])),
            ("all-json", "tfotrace --all --json",
             lambda: Tfotrace(self, "tfotrace --all --json",
                              ["--all", "--json"])),
            ("unit", "tfotrace " + " ".join(self.unit_display()) +
             " (the unit's)",
             lambda: Tfotrace(self, "tfotrace (the unit's arguments)",
                              self.unit_args)),
            ("p-other", "tfotrace -p OTHER (W3)",
             lambda: Tfotrace(self, "tfotrace -p OTHER", [], outsider=True)),
            ("bpftrace", "bpftrace (enter/exit, printf)",
             lambda: Bpftrace(self, "bpftrace")),
            ("strace", "strace -f -e trace=setsockopt",
             lambda: Strace(self, "strace")),
        ]

    def unit_display(self):
        return ["PROM" if a == self.prom else
                a.replace(self.prom, "PROM") for a in self.unit_args]

    def run_workload(self, argv, timeout=WORKLOAD_TIMEOUT_S):
        errfd, errpath = tempfile.mkstemp(prefix="load-", dir=self.tmp)
        proc = spawn(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                     stderr=errfd, text=True)
        os.close(errfd)
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_proc(proc)
            raise BenchError(f"workload {' '.join(argv)} exceeded {timeout} s")
        res = parse_result(out)
        if proc.returncode != 0 or res is None:
            raise BenchError(f"workload {' '.join(argv)}: "
                             f"{describe_rc(proc.returncode)}; stderr: "
                             f"{tail(read_text(errpath))}")
        return res

    def workload_argv(self, wl, config):
        n = self.size[wl.size]
        if config == "strace":
            n = self.size["strace_" + wl.size]
        argv = [self.load] + wl.args + ["-n", str(n), "--cpu", str(self.cpu)]
        if wl.rate:
            argv += ["--rate", str(self.size[wl.rate])]
        return argv, n

    def run_one(self, name, make, wl):
        """One workload under a freshly started tracer."""
        tracer = make()
        tracer.start()
        try:
            argv, n = self.workload_argv(wl, name)
            res = self.run_workload(tracer.wrap(argv, n))
            time.sleep(SETTLE_S)
        finally:
            tracer.stop()
        res.update(n=n, lost=tracer.lost, tracer_cpu_s=tracer.cpu_s,
                   hwm_kib=tracer.hwm_kib, hwm_ready_kib=tracer.hwm_ready_kib,
                   ready_s=tracer.ready_s, value=None)
        res["value"] = res.get(wl.metric)
        return res

    def rounds(self):
        configs = self.configs()
        for r in range(self.size["rounds"]):
            log(f"round {r + 1}/{self.size['rounds']}")
            for name, _, make in configs:
                row = []
                for wl in WORKLOADS:
                    if name in wl.skip:
                        continue
                    res = self.run_one(name, make, wl)
                    self.samples.setdefault((wl.key, name), []).append(res)
                    if res["hwm_kib"]:
                        self.hwm.setdefault(name, []).append(res["hwm_kib"])
                    if res["hwm_ready_kib"]:
                        self.hwm.setdefault(name + "@ready", []).append(
                            res["hwm_ready_kib"])
                    row.append(f"{wl.key}={res['value']:.0f}" +
                               (f"(lost {res['lost']})" if res["lost"] else ""))
                log(f"  {name}: {' '.join(row)}")

    def startup(self):
        """exec -> ready, alternating the tools, several times; tfotrace
        with a cold cache (a new empty directory each time) and a warm one."""
        n = self.size["startup"]
        log(f"startup: {n} times each")
        runs = [("default-cold", [], True), ("default-warm", [], False),
                ("all-cold", ["--all"], True), ("all-warm", ["--all"], False),
                ("tp-warm", ["--attach", "tracepoint"], False)]
        for _ in range(n):
            for key, extra, cold in runs:
                cache = None
                if cold:
                    cache = tempfile.mkdtemp(prefix="cache-cold-", dir=self.tmp)
                before = sorted(os.listdir(cache or self.cache_warm))
                t = Tfotrace(self, f"tfotrace {' '.join(extra)}", extra,
                             cache=cache)
                t.start()
                t.stop()
                after = sorted(os.listdir(cache or self.cache_warm))
                if cold and not after:
                    anomaly(f"cold start ({key}) wrote nothing to its cache")
                if not cold and before != after:
                    anomaly(f"warm start ({key}) changed the cache: "
                            f"{before} -> {after}")
                if cache:
                    shutil.rmtree(cache, ignore_errors=True)
                self.ready.setdefault(key, []).append(t.ready_s)
                self.start_cpu.setdefault(key, []).append(
                    (t.cpu0 / 1e9 if t.cpu0 is not None else None,
                     t.cpu_total_s))
                if t.hwm_ready_kib:
                    self.hwm.setdefault("start-" + key, []).append(
                        t.hwm_ready_kib)
            fl = Floor(self, "floor")
            fl.start()
            self.ready.setdefault("floor", []).append(fl.ready_s)
            if fl.hwm_ready_kib:
                self.hwm.setdefault("start-floor", []).append(fl.hwm_ready_kib)
            fl.stop()
            a, b = self.bpftrace_startup()
            self.ready.setdefault("bpftrace-attaching", []).append(a)
            self.ready.setdefault("bpftrace-attached", []).append(b)

    def bpftrace_startup(self):
        """Seconds until bpftrace prints "Attaching", and until bpftool
        shows all its tracepoints attached."""
        seen = {}
        t0 = time.monotonic()
        proc = spawn(["bpftrace", self.bpftrace_script], stdin=subprocess.DEVNULL,
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

        def reader():
            for line in proc.stdout:
                if b"Attaching" in line and "attaching" not in seen:
                    seen["attaching"] = time.monotonic() - t0
            # drained to EOF: bpftrace never blocks on a full pipe

        th = threading.Thread(target=reader, daemon=True)
        th.start()
        attached = None
        deadline = t0 + READY_TIMEOUT_S
        while time.monotonic() < deadline and proc.poll() is None:
            tps = perf_tracepoints(proc.pid)
            if tps is not None and len(tps) >= self.bpftrace_probes:
                attached = time.monotonic() - t0
                hwm = vm_hwm_kib(proc.pid)
                if hwm:
                    self.hwm.setdefault("start-bpftrace-attached", []).append(hwm)
                break
            time.sleep(0.002)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGINT)

            def reap(timeout):
                try:
                    return proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    return None
            rc, repeats = sigint_nudging(proc, reap)
            self.bpftrace_repeats += repeats
            if rc is None:
                anomaly("bpftrace did not stop after SIGINT (startup test)")
                kill_proc(proc)
        th.join(timeout=5)
        if attached is None or "attaching" not in seen:
            raise BenchError("bpftrace startup: never attached "
                             f"({describe_rc(proc.returncode)})")
        return seen["attaching"], attached

    def start_load(self, label, load_args):
        """bench_load with --wait: (process, pid) once its namespace is up."""
        load = spawn([self.load] + load_args + ["--wait"], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            pid = json.loads(self.read_line(load, label, READY_TIMEOUT_S))["pid"]
        except (ValueError, KeyError, TypeError):
            kill_proc(load)
            raise BenchError(f"{label}: bench_load did not print its pid")
        return load, pid

    def read_line(self, load, label, timeout):
        """One line of bench_load's stdout, waiting at most TIMEOUT."""
        ready, _, _ = select.select([load.stdout], [], [], timeout)
        if not ready:
            kill_proc(load)
            raise BenchError(f"{label}: bench_load printed nothing for "
                             f"{timeout} s")
        return load.stdout.readline()

    def go_and_result(self, label, load):
        """Let a --wait --linger bench_load run; its result once printed
        (it then stays until its stdin ends)."""
        load.stdin.write("go\n")
        load.stdin.flush()
        return self.read_result(label, load)

    def read_result(self, label, load):
        deadline = time.monotonic() + WORKLOAD_TIMEOUT_S
        while True:
            line = self.read_line(load, label,
                                  max(0.1, deadline - time.monotonic()))
            if not line:
                break
            res = parse_result(line)
            if res is not None:
                return res
        load.wait(timeout=5)
        raise BenchError(f"{label}: workload {describe_rc(load.returncode)}: "
                         f"{tail(load.stderr.read())}")

    def end_load(self, label, load):
        """Close a lingering bench_load's stdin; bounded wait for its exit."""
        load.stdin.close()
        try:
            load.wait(timeout=WORKLOAD_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            kill_proc(load)
            raise BenchError(f"{label}: bench_load did not exit")
        if load.returncode != 0:
            raise BenchError(f"{label}: workload {describe_rc(load.returncode)}"
                             f": {tail(load.stderr.read())}")

    def event_run(self, label, extra, load_args):
        """The workload under `tfotrace EXTRA -p` it, to a file, every call
        accounted for by the summary; tfotrace's CPU from ready until it has
        drained the ring, the workload still there (--linger)."""
        outpath = os.path.join("/dev/shm" if os.path.isdir("/dev/shm")
                               else self.tmp, f"tfotrace-bench-{os.getpid()}.jsonl")
        row = dict(label=label, options=" ".join(extra))
        size, tracer = 0, None
        try:
            load, pid = self.start_load(label, load_args + ["--linger"])
            with open(outpath, "w") as out:
                tracer = Tfotrace(self, "tfotrace " + " ".join(extra) +
                                  " -p WORKLOAD", extra + ["-p", str(pid)],
                                  stdout=out)
                tracer.start()
            res = self.go_and_result(label, load)
            # The consumer drains on its own every 100 ms or as the ring
            # fills: let it catch up, then read its CPU and peak RSS. Then
            # the workload ends, and tfotrace -p with it.
            time.sleep(DRAIN_S)
            tracer.sample()
            self.end_load(label, load)
            tracer.stop(expect_exit=True)
            self.hwm.setdefault("events-all" if "--all" in extra else "events",
                                []).append(tracer.hwm_kib or 0)
            size = os.path.getsize(outpath)
            objs, lines = json_objects(outpath, 65536)
        finally:
            try:
                os.unlink(outpath)
            except OSError:
                pass
        summary = next((o for o in reversed(objs)
                        if o.get("type") == "summary"), None)
        if summary is None:
            anomaly(f"{label}: no summary object in tfotrace's output "
                    f"({size} bytes); stderr: {tail(read_text(tracer.errpath))}")
            summary = {}
        calls = res["socket_calls"] + res["setsockopt_calls"] + res["listen_calls"]
        events, lost = summary.get("events"), summary.get("lost")
        skipped = summary.get("not_recorded", 0)
        row.update(calls=calls, events=events, lost=lost, not_recorded=skipped,
                   record=summary.get("record"), elapsed=res["elapsed_ns"] / 1e9,
                   achieved=res["ops_per_s"], cpu=tracer.cpu_s,
                   cpu_total=tracer.cpu_total_s, out_bytes=size,
                   out_lines=lines, hwm_kib=tracer.hwm_kib)
        row["exact"] = (events is not None and lost is not None
                        and events + lost + skipped == calls)
        if not row["exact"]:
            anomaly(f"{label}: events {events} + lost {lost} + not recorded "
                    f"{skipped} != {calls} calls made")
        if lost is not None and lost != tracer.lost:
            anomaly(f"{label}: summary says lost {lost}, stderr says "
                    f"{tracer.lost}")
        log(f"  {label}: calls {calls} events {events} lost {lost} not "
            f"recorded {skipped} at {res['ops_per_s']:.0f} calls/s, tfotrace "
            f"CPU {tracer.cpu_s:.3f} s (to exit {tracer.cpu_total_s:.3f} s)")
        return row

    def event_runs(self):
        s = self.size
        log("events: tfotrace's CPU per event and per call")
        storm = ["sockopt", "--threads", str(self.ncpu), "-n",
                 str(s["storm_per_thread"])]
        runs = [
            (f"paced at {s['paced_rate'] // 1000}k calls/s, 1 thread",
             ["--all", "--json"],
             ["sockopt", "--rate", str(s["paced_rate"]), "-n", str(s["paced"]),
              "--cpu", str(self.cpu)]),
            (f"storm, {self.ncpu} threads unpaced", ["--all", "--json"], storm),
            ("routine calls, 1 thread unpaced", ["--json"],
             ["sockopt", "-n", str(s["routine"]), "--cpu", str(self.cpu)]),
            (f"storm, {self.ncpu} threads unpaced",
             [a for a in self.unit_args if "prometheus" not in a and
              a != self.prom], storm),
        ]
        for _ in range(s["event_reps"]):
            for label, extra, load_args in runs:
                self.events.append(self.event_run(label, extra, load_args))
                time.sleep(SETTLE_S)

    def journal_run(self, label, extra):
        """tfotrace EXTRA system-wide (as the unit runs), stdout and stderr
        to files, while bench_load makes routine calls at a steady rate and
        a TFO listener in a namespace without the server bit appears."""
        s = self.size
        outpath = os.path.join(self.tmp, "journal.out")
        load, _ = self.start_load(label, [
            "sockopt", "-n", str(s["journal_calls"]), "--rate",
            str(s["journal_rate"]), "--cpu", str(self.cpu), "--linger"])
        with open(outpath, "w") as out:
            tracer = Tfotrace(self, "tfotrace " + " ".join(extra), extra,
                              stdout=out)
            tracer.start()
        load.stdin.write("go\n")
        load.stdin.flush()
        scen = spawn([SCENARIO, "--proto", "tcp", "--clients", "1",
                      "--sysctl", "net.ipv4.tcp_fastopen=1"],
                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, text=True)
        try:
            sout, serr = scen.communicate(timeout=WORKLOAD_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            kill_proc(scen)
            raise BenchError(f"{label}: tfo_scenario exceeded "
                             f"{WORKLOAD_TIMEOUT_S} s")
        server = next((json.loads(l) for l in sout.splitlines()
                       if '"op":"server"' in l), None)
        if scen.returncode != 0 or server is None:
            raise BenchError(f"{label}: tfo_scenario "
                             f"{describe_rc(scen.returncode)}: {tail(serr)}")
        res = self.read_result(label, load)
        time.sleep(DRAIN_S)
        tracer.stop()
        self.end_load(label, load)
        self.hwm.setdefault("journal-all" if "--all" in extra else "journal",
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
                   prom=os.path.exists(self.prom) if "--prometheus" in
                   " ".join(extra) else None)
        if not kinds:
            anomaly(f"{label}: no finding for tfo_scenario's listener (ino "
                    f"{server.get('ino')}) in the output")
        log(f"  {label}: {lines} stdout lines, {err_lines} stderr lines for "
            f"{calls} calls; findings for the listener: {kinds}")
        return row

    def journal_runs(self):
        log("journal: lines written under load")
        for label, extra in (("the unit's ExecStart arguments", self.unit_args),
                             ("--all --json (every call a line)",
                              ["--all", "--json"])):
            self.journal.append(self.journal_run(label, extra))
            time.sleep(SETTLE_S)

    def diagnostics(self):
        """BPF program run time per call (kernel bpf_stats) during one more
        paced W1 run under each: where the per-call cost goes. Outside the
        rounds: the accounting itself costs a little."""
        fd = enable_bpf_stats()
        if fd is None:
            anomaly("BPF_ENABLE_STATS refused: no per-program run times")
            return
        log("diagnostics: per-program run time (bpf_stats), paced W1")
        wl = WL["W1p-tcp"]
        try:
            for make in (lambda: Floor(self, "floor"),
                         lambda: Tfotrace(self, "tfotrace (default)", []),
                         lambda: Tfotrace(self, "tfotrace --all", ["--all"]),
                         lambda: Tfotrace(self, "tfotrace -p OTHER (W3)", [],
                                          outsider=True),
                         lambda: Bpftrace(self, "bpftrace")):
                tracer = make()
                tracer.start()
                try:
                    argv, n = self.workload_argv(wl, "diag")
                    res = self.run_workload(argv)
                    stats = prog_stats(tracer.proc.pid)
                    time.sleep(SETTLE_S)
                finally:
                    tracer.stop()
                for name, (cnt, ns) in sorted(stats.items()):
                    self.diag.append(dict(under=tracer.label, prog=name,
                                          cnt=cnt, ns=ns, lost=tracer.lost,
                                          cpu_op=res["cpu_ns_per_op"], n=n))
        finally:
            os.close(fd)

    # ---- report

    def report(self, elapsed):
        return Report(self, elapsed).markdown()


# ------------------------------------------------------------ statistics

def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else float("nan")


def quartiles(xs):
    if len(xs) < 4:
        return min(xs), max(xs)
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return q[0], q[2]


def fmt_ns(x):
    if x != x:
        return "n/a"
    if abs(x) >= 10000:
        return f"{x:,.0f}"
    return f"{x:.0f}"


def fmt_count(x):
    if x is None:
        return "?"
    if x >= 10000:
        return f"{x / 1000:,.0f}k"
    return f"{x}"


def verdict(ok):
    return "**met**" if ok else "**missed**"


class Report:
    def __init__(self, bench, elapsed):
        self.b = bench
        self.elapsed = elapsed
        self.labels = {name: label for name, label, _ in bench.configs()}

    def runs(self, wl, config):
        return self.b.samples.get((wl, config), [])

    def overhead(self, wl, config):
        """Median over rounds of (config - untraced) in the same round."""
        xs = self.runs(wl, config)
        base = self.runs(wl, "untraced")
        diffs = [x["value"] - u["value"] for x, u in zip(xs, base)]
        return median(diffs), diffs

    def iqr_width(self, wl, config):
        v = [x["value"] for x in self.runs(wl, config)]
        if not v:
            return 0.0
        q1, q3 = quartiles(v)
        return q3 - q1

    def floor_real(self, wl):
        """A ratio to an overhead lost in the noise means nothing: only when
        the floor's overhead exceeds the untraced and floor IQRs."""
        f, _ = self.overhead(wl, "floor")
        noise = max(self.iqr_width(wl, "untraced"), self.iqr_width(wl, "floor"))
        return f == f and f > noise

    def lost_share(self, wl, config):
        xs = self.runs(wl, config)
        lost = [x["lost"] for x in xs if x["lost"] is not None]
        return sum(lost), sum(x["n"] for x in xs)

    def markdown(self):
        b, i = self.b, self.b.info
        L = []
        L.append("# tfotrace benchmark results\n")
        L.append(f"- date: {i['date']}; the run took {self.elapsed:.0f} s "
                 f"({'--quick' if b.args.quick else 'full'}, "
                 f"{b.size['rounds']} rounds)")
        L.append(f"- machine: {i['nproc']} CPUs, {i['cpu']}; kernel "
                 f"{i['kernel']}")
        L.append(f"- tfotrace: {i['tfotrace_src']} (sha256 {i['tfotrace_sha']}), "
                 f"git {i['git']}; attach mode chosen: **{i.get('mode')}**; "
                 f"ring buffer {i['ring']['RELEVANT']} by default, "
                 f"{i['ring']['ALL']} with --all")
        eq = "as expected" if i.get("hooks_equal") else "**NOT AS EXPECTED**"
        L.append(f"- hooks: tfotrace's tp_* programs (bpf/tfotrace.bpf.c) "
                 f"name {', '.join(i.get('hooks_src', []))}, its any_* "
                 f"programs (every mode) {', '.join(i.get('hooks_also', [])) or '-'}; "
                 f"attached (bpftool perf list): tfotrace "
                 f"{', '.join(i.get('hooks_tfotrace') or [])}; floor "
                 f"{', '.join(i.get('hooks_floor') or [])}; BPF links held "
                 f"(/proc/PID/fdinfo): tfotrace {len(i.get('links_tfotrace') or [])}"
                 f" × {'/'.join(sorted(set(i.get('links_tfotrace') or []))) or '-'}"
                 f", floor {len(i.get('links_floor') or [])} × "
                 f"{'/'.join(sorted(set(i.get('links_floor') or []))) or '-'}: "
                 f"{eq}. The floor has the syscall tracepoints only: "
                 f"{', '.join(i.get('hooks_also', [])) or 'the any_* ones'} "
                 "fires on TCP state changes (W2 pays it, W1 never).")
        L.append(f"- BTF cache: every tfotrace start but the cold ones of "
                 f"the startup table reads a cache (TFOTRACE_CACHE_DIR) its "
                 f"first start filled: {', '.join(i.get('cache_files', [])) or '(empty)'}")
        L.append(f"- bpftrace: {i.get('bpftrace', '?')}, a script with "
                 f"enter/exit of {', '.join(b.bpftrace_calls)} (arguments "
                 f"kept per tid at enter, printed with ret at exit), `-o "
                 f"/dev/null`; tfotrace's output to /dev/null")
        L.append(f"- workloads (tests/bench/bench_load.c) each in a fresh "
                 f"network namespace, loopback, pinned to CPU {b.cpu}; the "
                 f"tracers unpinned, each started afresh for each workload "
                 f"run. Per round every configuration in turn, each workload "
                 f"once under it. Overhead = median over rounds of "
                 f"(configuration − untraced of the same round).")
        L.append("")
        L.append("## Configurations\n")
        L.append("| configuration | what it is |")
        L.append("|---|---|")
        what = {
            "untraced": "nothing attached: the baseline",
            "floor": "tests/bench/floor: an empty BPF program on each of "
                     "tfotrace's syscall tracepoints — the price of the "
                     "mechanism alone",
            "default": "tfotrace as shipped: the kernel records listen, the "
                       "TFO options, failures and MPTCP socket(); every other "
                       "call is only counted per CPU; text to /dev/null",
            "all": f"every call recorded ({i['ring']['ALL']} ring) and "
                   "printed as text (the old default)",
            "all-json": "every call recorded and printed as JSON Lines",
            "unit": "the systemd unit's ExecStart arguments "
                    "(user/dist/tfotrace.service), the .prom file in a "
                    "temporary directory: findings, counters and summary only",
            "p-other": "W3: the default, filtering (-p, in the kernel) on an "
                       "idle process the workloads are not",
            "bpftrace": "the equivalent capture in bpftrace (appendix)",
            "strace": "strace -f -e trace=setsockopt -o /dev/null, wrapping "
                      "the workload (smaller N)",
        }
        for name, label, _ in b.configs():
            L.append(f"| {label} | {what.get(name, '')} |")
        L.append("")

        L.append("## Cost per operation\n")
        L.append("W1: one setsockopt(SOL_TCP, TCP_NODELAY), a routine call "
                 "(not recorded by default); W1p: the same paced at "
                 f"{b.size['w1p_rate']:,} calls/s (bursts every ms), measured "
                 "by the workload's own CPU time per call (getrusage: a "
                 "tracepoint's program runs in the caller), so that --all "
                 "loses nothing; W2: one TFO connection (socket, "
                 "sendto(MSG_FASTOPEN), accept, read, 2× close); W3: W1 with "
                 "tfotrace filtering (-p) on another, idle, process. lost: "
                 "tfotrace's records lost per run (ring buffer full; "
                 "k = thousands).\n")
        L.append("| workload | configuration | N | ns/op median | min–max | "
                 "IQR | overhead ns | ÷ floor's | ÷ bpftrace's | lost per run |")
        L.append("|---|---|---|---|---|---|---|---|---|---|")
        for wl in WORKLOADS:
            floor_oh, _ = self.overhead(wl.key, "floor")
            bt_oh, _ = self.overhead(wl.key, "bpftrace")
            real = self.floor_real(wl.key)
            for name, label, _ in b.configs():
                xs = self.runs(wl.key, name)
                if not xs:
                    continue
                v = [x["value"] for x in xs]
                n = xs[0]["n"]
                q1, q3 = quartiles(v)
                oh, ratio, rbt = "—", "—", "—"
                if name != "untraced":
                    o, _ = self.overhead(wl.key, name)
                    oh = fmt_ns(o)
                    if name != "floor":
                        ratio = f"{o / floor_oh:.2f}" if real else "(noise)"
                    if name not in ("bpftrace",) and bt_oh == bt_oh and bt_oh > 0:
                        rbt = f"{o / bt_oh:.2f}"
                lost = "—"
                if any(x["lost"] is not None for x in xs):
                    lost = " ".join(fmt_count(x["lost"]) for x in xs)
                nlabel = f"{n:,}" + (" (smaller N)" if name == "strace" else "")
                unit = " (CPU)" if wl.metric == "cpu_ns_per_op" else ""
                L.append(f"| {wl.desc if name == 'untraced' else wl.key} | "
                         f"{label} | {nlabel} | {fmt_ns(median(v))}{unit} | "
                         f"{fmt_ns(min(v))}–{fmt_ns(max(v))} | "
                         f"{fmt_ns(q1)}–{fmt_ns(q3)} | {oh} | {ratio} | {rbt} "
                         f"| {lost} |")
        L.append("")
        w2 = [x for (wl, _), xs in b.samples.items() if wl.startswith("W2")
              for x in xs]
        if w2:
            odd = [x for x in w2 if x["tfo_passive"] != x["connections"] - 1
                   or x["received"] != x["connections"]]
            L.append(f"W2 check: in {len(w2) - len(odd)} of {len(w2)} runs "
                     "every connection but the first (which asks for the "
                     "cookie) was a TFO connection (TcpExt TCPFastOpenPassive "
                     "= connections − 1) and delivered its data" +
                     (f"; not so in: {odd}" if odd else "") + ".\n")
        lossy = []
        for wl in WORKLOADS:
            for name, label, _ in b.configs():
                lost, n = self.lost_share(wl.key, name)
                if lost:
                    lossy.append(f"{wl.key} under {label}: {lost:,} of "
                                 f"{n:,} calls ({100 * lost / n:.2f}%)")
        if lossy:
            L.append("Losses: " + "; ".join(lossy) + ". A lost record skips "
                     "the copy into the ring and the consumer's work, so a "
                     "lossy run's overhead is smaller than a lossless one "
                     "would be: W1p (paced) is the lossless comparison.\n")
        else:
            L.append("tfotrace lost no records in any of these runs.\n")
        L.append("(noise) in the ÷ floor's column: the floor's overhead there "
                 "is smaller than the run-to-run spread (IQR) of the untraced "
                 "or floor runs, so no ratio to it means anything; negative "
                 "overheads are that noise too.")
        L.append("")

        L.extend(self.bpf_stats_section())
        L.extend(self.tracer_cpu_section())
        L.extend(self.events_section())
        L.extend(self.startup_section())
        L.extend(self.memory_section())
        L.extend(self.journal_section())

        L.append("## Targets (reported, not asserted)\n")
        L.extend(self.targets())
        L.append("")
        L.append("## Notes and anomalies\n")
        if ANOMALIES:
            L.extend(f"- {a}" for a in ANOMALIES)
        else:
            L.append("- none: every tracer attached, ran and stopped cleanly.")
        L.append(f"- strace runs with N = {b.size['strace_w1']:,} (W1) and "
                 f"{b.size['strace_w2']:,} (W2) instead of "
                 f"{b.size['w1']:,} / {b.size['w2']:,}, and not W1p: it costs "
                 "~100 µs a call; its overhead is against the full-N "
                 "untraced run.")
        if b.bpftrace_repeats:
            L.append(f"- bpftrace needed its SIGINT repeated "
                     f"{b.bpftrace_repeats} time(s) to stop: 0.17 can miss "
                     "one that arrives just before it waits (epoll_wait); "
                     "the repeat comes after the workload, outside any "
                     "measurement.")
        L.append("- Syscall tracepoints put every task on the slow syscall "
                 "path while attached, so W2 (no setsockopt per connection) "
                 "pays for them on every syscall it makes.")
        L.append("- W1p's absolute CPU per call is above W1's: each "
                 "millisecond's burst starts with cold caches after a sleep; "
                 "the untraced W1p run has the same, so the overheads compare.")
        L.append("\n## Appendix: the bpftrace script\n")
        L.append("```")
        L.append(b.bpftrace_text.rstrip())
        L.append("```")
        return "\n".join(L) + "\n"

    def bpf_stats_section(self):
        b = self.b
        if not b.diag:
            return []
        n = b.diag[0]["n"]
        L = ["## Where the time goes: BPF program run time per call\n",
             f"Kernel bpf_stats (BPF_ENABLE_STATS) during one more paced W1 "
             f"run ({n:,} calls at {b.size['w1p_rate']:,}/s, TCP) under each, "
             "outside the rounds (the accounting adds its own few tens of "
             "ns to each run).\n",
             "| under | program on tracepoints | runs | ns per run | "
             "records lost | workload CPU ns/call |",
             "|---|---|---|---|---|---|"]
        for d in b.diag:
            per = f"{d['ns'] / d['cnt']:.0f}" if d["cnt"] else "—"
            lost = "—" if d["lost"] is None else f"{d['lost']:,}"
            L.append(f"| {d['under']} | {d['prog']} | {d['cnt']:,} | {per} | "
                     f"{lost} | {d['cpu_op']:.0f} |")
        L.append("")
        return L

    def tracer_cpu_section(self):
        b = self.b
        L = ["## The tracer's own CPU, from the rounds\n",
             "The tracer process's CPU time (all threads, "
             "/proc/PID/task/*/schedstat) from ready to just before SIGINT "
             f"({SETTLE_S} s after the workload: drained), divided by the workload's calls (W1, W1p) or "
             "connections (W2); median over rounds, ns. A W1 run's calls "
             "are all setsockopt; tfotrace without -p also sees the rest "
             "of the machine. Where records were lost, per delivered record "
             "follows in brackets.\n",
             "| configuration | " + " | ".join(w.key for w in WORKLOADS) + " |",
             "|---|" + "---|" * len(WORKLOADS)]
        for name, label, _ in b.configs():
            if name in ("untraced", "strace"):
                continue
            cells = []
            for wl in WORKLOADS:
                xs = [x for x in self.runs(wl.key, name)
                      if x["tracer_cpu_s"] is not None]
                if not xs:
                    cells.append("—")
                    continue
                per = median([x["tracer_cpu_s"] * 1e9 / x["n"] for x in xs])
                cell = f"{per:,.0f}"
                if any(x["lost"] for x in xs):
                    deliv = median([x["tracer_cpu_s"] * 1e9 /
                                    max(1, x["n"] - (x["lost"] or 0))
                                    for x in xs])
                    cell += f" ({deliv:,.0f})"
                cells.append(cell)
            L.append(f"| {label} | " + " | ".join(cells) + " |")
        L.append("")
        return L

    def events_section(self):
        b = self.b
        if not b.events:
            return []
        L = [f"## tfotrace's CPU per event (`tfotrace OPTIONS -p WORKLOAD` "
             "to a file in /dev/shm)\n",
             "| load | options | calls made | events | lost | not recorded | "
             "events+lost+not recorded = calls | calls/s achieved | "
             "tfotrace CPU ms | CPU per delivered event | CPU per call made |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in b.events:
            ev = r["events"] or 0
            cpu = r["cpu"]
            per_ev = (f"{cpu * 1e9 / ev:,.0f} ns" if cpu is not None and ev
                      else "—")
            per_call = (f"{cpu * 1e9 / r['calls']:,.1f} ns"
                        if cpu is not None else "—")
            L.append(f"| {r['label']} | {r['options']} | {r['calls']:,} | "
                     f"{r['events']} | {r['lost']} | {r['not_recorded']} | "
                     f"{'yes' if r['exact'] else '**NO**'} | "
                     f"{r['achieved']:,.0f} | "
                     f"{'?' if cpu is None else f'{cpu * 1000:.1f}'} | {per_ev} | "
                     f"{per_call} |")
        L.append("\nCPU = tfotrace's CPU time (all threads, schedstat) from "
                 f"ready to {DRAIN_S} s after the workload's last call, the "
                 "workload still alive (bench_load --linger) so tfotrace is "
                 "still tracing, its ring drained: neither its start-up nor "
                 "its exit and report (the startup table's idle ready → "
                 "exit) are in it. Events: the records delivered to it (the "
                 "summary's `events`).\n")
        return L

    def startup_section(self):
        b = self.b
        L = ["## Startup, exec to ready\n",
             "Cold: an empty TFOTRACE_CACHE_DIR (a new directory each "
             "time): tfotrace parses the kernel's BTF and runs `bpftool gen "
             "min_core_btf`, then writes the cache. Warm: the cache filled. "
             "VmHWM read as soon as ready; CPU to ready: its own threads' "
             "(schedstat), bpftool's not included; ready → exit: stopped at "
             "once (detach and report).\n",
             "| tool | ready means | median ms | min–max ms | VmHWM at ready "
             "MiB (max) | CPU to ready ms | CPU ready → exit ms, idle | "
             "samples |",
             "|---|---|---|---|---|---|---|---|"]
        rows = [("tfotrace, cold cache", "--ready-file written (attached, "
                 "listener scan done)", "default-cold"),
                ("tfotrace, warm cache", "the same", "default-warm"),
                ("tfotrace --all, cold cache", "the same", "all-cold"),
                ("tfotrace --all, warm cache", "the same", "all-warm"),
                ("tfotrace --attach tracepoint, warm", "the same, no mode "
                 "probing", "tp-warm"),
                ("floor", "ready file written (attached)", "floor"),
                ("bpftrace", 'prints "Attaching N probes" (before it '
                 'attaches)', "bpftrace-attaching"),
                ("bpftrace", "all its tracepoints attached (bpftool perf "
                 "list, polled every 2 ms)", "bpftrace-attached")]
        for tool, what, key in rows:
            v = [x * 1000 for x in b.ready.get(key, [])]
            if not v:
                continue
            h = [x / 1024 for x in b.hwm.get("start-" + key, [])]
            hw = f"{median(h):.1f} ({max(h):.1f})" if h else "—"
            cpu = b.start_cpu.get(key, [])
            c0 = [c * 1000 for c, _ in cpu if c is not None]
            c1 = [c * 1000 for _, c in cpu if c is not None]
            c0 = f"{median(c0):.1f}" if c0 else "—"
            # a cold run's rusage also holds bpftool's, its child
            c1 = f"{median(c1):.1f}" if c1 and "cold" not in key else "—"
            L.append(f"| {tool} | {what} | {median(v):.1f} | "
                     f"{min(v):.1f}–{max(v):.1f} | {hw} | {c0} | {c1} | "
                     f"{len(v)} |")
        L.append("")
        return L

    def memory_section(self):
        b = self.b
        L = ["## Peak memory (VmHWM)\n",
             "At ready: read as soon as the ready file appeared; during the "
             "rounds: read just before stopping, after the workload (W2 "
             f"without -p: {b.size['w2']:,} connections, 2 sockets each, in "
             "the correlator).\n",
             "| process | when | runs | median MiB | max MiB |",
             "|---|---|---|---|---|"]
        rows = [("start-default-cold", "tfotrace, cold cache", "at ready"),
                ("start-default-warm", "tfotrace, warm cache", "at ready"),
                ("start-all-cold", "tfotrace --all, cold cache", "at ready"),
                ("start-all-warm", "tfotrace --all, warm cache", "at ready")]
        for name, label, _ in b.configs():
            if name in ("untraced", "strace"):
                continue
            rows.append((name + "@ready", label, "at ready, rounds"))
            rows.append((name, label, "after each workload, rounds"))
        rows.append(("events", "tfotrace -p WORKLOAD, CPU-per-call runs",
                     "at exit"))
        rows.append(("events-all", "tfotrace --all -p WORKLOAD, "
                     "CPU-per-event runs", "at exit"))
        rows.append(("journal", "tfotrace, the unit's arguments, journal run",
                     "after the run"))
        rows.append(("journal-all", "tfotrace --all --json, journal run",
                     "after the run"))
        rows.append(("start-floor", "floor", "at ready, startup runs"))
        rows.append(("start-bpftrace-attached", "bpftrace",
                     "attached, startup runs"))
        for key, label, when in rows:
            v = [x / 1024 for x in b.hwm.get(key, []) if x]
            if v:
                L.append(f"| {label} | {when} | {len(v)} | {median(v):.1f} | "
                         f"{max(v):.1f} |")
        L.append("")
        return L

    def journal_section(self):
        b = self.b
        if not b.journal:
            return []
        s = b.size
        L = ["## The service's journal under load\n",
             f"tfotrace system-wide, as the unit runs it (`{' '.join(b.unit_display())}`, "
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
        for r in b.journal:
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

    def targets(self):
        b = self.b
        out = []
        for wl in ("W1-tcp", "W1-mptcp", "W1p-tcp"):
            f, fd = self.overhead(wl, "floor")
            bt, _ = self.overhead(wl, "bpftrace")
            if f != f:
                continue
            real = self.floor_real(wl)
            note = "" if real else " (the floor's overhead is within the noise)"
            for cfg in ("default", "unit"):
                t, _ = self.overhead(wl, cfg)
                if t != t:
                    continue
                r = t / f if f > 0 else float("inf")
                out.append(f"- {wl} {self.labels[cfg]}: overhead {t:.0f} ns = "
                           f"{r:.2f}× the floor's {f:.0f} ns (target ≤ 1.3×): "
                           f"{verdict(r <= 1.3)}{note}")
            for cfg in ("all", "all-json"):
                t, _ = self.overhead(wl, cfg)
                if t != t:
                    continue
                r = t / f if f > 0 else float("inf")
                lost, n = self.lost_share(wl, cfg)
                lnote = (f"; lost {lost:,} of {n:,} records, which flatters it"
                         if lost else "; nothing lost")
                out.append(f"- {wl} {self.labels[cfg]}: overhead {t:.0f} ns = "
                           f"{r:.2f}× the floor's {f:.0f} ns (target ≤ 3×): "
                           f"{verdict(r <= 3)}{note}; = {t / bt:.2f} of "
                           f"bpftrace's {bt:.0f} ns (target ≤ 0.33): "
                           f"{verdict(t <= bt / 3)}{lnote}")
            if wl.startswith("W1-"):
                p, pd = self.overhead(wl, "p-other")
                if p == p and pd and fd:
                    out.append(f"- {wl} -p outsider (W3): overhead {p:.0f} ns "
                               f"(per round {min(pd):.0f}…{max(pd):.0f}) vs "
                               f"the floor's {f:.0f} ns "
                               f"({min(fd):.0f}…{max(fd):.0f}) (target ≤ "
                               f"floor): {verdict(p <= f)}")
        for label in {r["label"] for r in b.events
                      if r["options"] == "--all --json"}:
            rows = [r for r in b.events if r["label"] == label
                    and r["options"] == "--all --json" and r["events"]
                    and r["cpu"] is not None]
            if not rows:
                continue
            per = [r["cpu"] * 1e9 / r["events"] for r in rows]
            lost = [r["lost"] for r in rows]
            out.append(f"- tfotrace CPU per delivered event, --all --json, "
                       f"{label}: median {median(per):,.0f} ns (max "
                       f"{max(per):,.0f}; lost {lost}) (target ≤ 1 µs): "
                       f"{verdict(median(per) <= 1000)}")
        for opts in sorted({r["options"] for r in b.events
                            if "--all" not in r["options"]}):
            rows = [r for r in b.events if r["options"] == opts
                    and r["cpu"] is not None]
            if not rows:
                continue
            per = [r["cpu"] * 1e9 / r["calls"] for r in rows]
            out.append(f"- tfotrace CPU per routine call, `{opts}`, "
                       f"{rows[0]['label']}: median {median(per):.1f} ns "
                       f"(max {max(per):.1f}) (target ~0, here ≤ 10 ns): "
                       f"{verdict(median(per) <= 10)}")
        for key, label in (("default-warm", "tfotrace"),
                           ("all-warm", "tfotrace --all")):
            v = [x * 1000 for x in b.ready.get(key, [])]
            if v:
                out.append(f"- {label} ready within 50 ms (warm cache): "
                           f"median {median(v):.1f} ms, max {max(v):.1f} ms: "
                           f"{verdict(median(v) <= 50)}")
        for key, label in (("default-cold", "tfotrace"),
                           ("all-cold", "tfotrace --all")):
            v = [x * 1000 for x in b.ready.get(key, [])]
            if v:
                out.append(f"- {label}, cold cache (first start after a "
                           f"kernel or binary change; no target): median "
                           f"{median(v):.1f} ms")
        groups = (
            ("tfotrace recording relevant calls (default, the unit's, -p), "
             "warm cache: at ready, after each round's workload, event and "
             "journal runs",
             ("default", "default@ready", "unit", "unit@ready", "p-other",
              "p-other@ready", "start-default-warm", "start-tp-warm",
              "events", "journal")),
            (f"tfotrace --all ({b.info['ring']['ALL']} ring), warm cache: "
             "the same",
             ("all", "all@ready", "all-json", "all-json@ready",
              "start-all-warm", "events-all", "journal-all")),
            ("tfotrace, cold cache (parses the kernel's BTF), at ready",
             ("start-default-cold", "start-all-cold")))
        for label, keys in groups:
            v = [x / 1024 for k in keys for x in b.hwm.get(k, []) if x]
            if v:
                out.append(f"- peak RSS ≤ 8 MiB, {label}: max {max(v):.1f} "
                           f"MiB (median {median(v):.1f}, {len(v)} runs): "
                           f"{verdict(max(v) <= 8)}")
        paced = [r for r in b.events if r["label"].startswith("paced")]
        if paced:
            lost = [r["lost"] for r in paced]
            ok = all(x == 0 for x in lost) and all(r["exact"] for r in paced)
            rates = ", ".join(f"{r['achieved']:,.0f}" for r in paced)
            out.append(f"- no loss at {b.size['paced_rate'] // 1000}k "
                       f"events/s (--all --json): lost {lost} (achieved "
                       f"{rates} calls/s): {verdict(ok)}")
        for r in b.journal:
            total = r["lines"] + r["err_lines"]
            out.append(f"- journal, {r['label']}: {total:,} lines for "
                       f"{r['calls']:,} calls ({1000 * total / r['calls']:.2f} "
                       f"per 1,000), findings on the TFO listener: "
                       f"{', '.join(r['kinds']) or 'none'} (no target)")
        return out


# ------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=0,
                    help="rounds of the alternated configurations "
                         "(default 5, 2 with --quick)")
    ap.add_argument("--quick", action="store_true",
                    help="small N, 2 rounds: a smoke test (~1.5 min)")
    ap.add_argument("--tfotrace", help="the binary (default build/tfotrace)")
    ap.add_argument("--no-build", action="store_true",
                    help="do not run make first")
    ap.add_argument("--out", default=RESULTS,
                    help="where to write the report (default "
                         "tests/bench/RESULTS.md)")
    args = ap.parse_args()
    if args.rounds < 0 or args.rounds > 100:
        ap.error("--rounds: 1 to 100")
    if os.geteuid() != 0:
        print("bench: needs root (BPF, network namespaces)", file=sys.stderr)
        return 1

    t0 = time.monotonic()
    bench = Bench(args)
    status = 0
    try:
        bench.build()
        bench.machine()
        bench.tracefs()
        bench.prepare_hooks()
        bench.verify_hooks()
        bench.rounds()
        bench.startup()
        bench.event_runs()
        bench.journal_runs()
        bench.diagnostics()
    except BenchError as exc:
        anomaly(f"run aborted: {exc}")
        status = 1
    except KeyboardInterrupt:
        anomaly("run interrupted")
        status = 130
    finally:
        kill_all_started()
    elapsed = time.monotonic() - t0
    if bench.samples:
        text = bench.report(elapsed)
        if status:
            text = ("**This run did not finish: partial results.**\n\n" + text)
        with open(args.out, "w") as f:
            f.write(text)
        print(text)
        log(f"written to {os.path.relpath(args.out)} in {elapsed:.0f} s")
    else:
        for a in ANOMALIES:
            print(a, file=sys.stderr)
    shutil.rmtree(bench.tmp, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
