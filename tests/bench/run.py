#!/usr/bin/env python3
"""tfotrace's benchmark: what tracing costs the traced, against the floor.

    python3 tests/bench/run.py [--rounds N] [--quick] [--tfotrace PATH]
                               [--no-build] [--out PATH]

Root only (BPF, network namespaces). Python standard library only. Builds
build/bench/ with tests/bench/Makefile (bench_load, the workloads; floor, the
empty BPF programs) and build/tfotrace with the top Makefile, then:

1. reads the tracepoints of tfotrace's tracepoint mode from the tp_* programs
   of bpf/tfotrace.bpf.c (the one place the list lives), starts tfotrace and
   the floor once each and checks with `bpftool perf list` that both attached
   exactly those;
2. rounds (default 5): in each, every configuration in turn (untraced, floor,
   tfotrace, tfotrace --json, tfotrace -p <an idle process> (W3), bpftrace,
   strace), and under each every workload of tests/bench/bench_load.c, each
   run in a fresh network namespace on loopback, pinned to the last CPU;
3. startup: exec -> ready for tfotrace (--ready-file), the floor, bpftrace
   ("Attaching" and, by bpftool, all its probes attached);
4. events: a setsockopt storm from one thread per CPU and a run paced at
   200k calls/s, under `tfotrace --json -p <workload>`, whose summary's
   events + lost must equal the calls the workload made;
5. diagnostics: the kernel's per-program run time (BPF_ENABLE_STATS, on
   only while its fd is open) in one more W1 run under the floor, tfotrace
   and tfotrace -p OTHER;
6. writes tests/bench/RESULTS.md (tables, targets met or missed) and prints
   it. Nothing is asserted on timings: exit status 1 only when something
   failed to run (a tool that crashed, hung or would not attach).

--quick: small N and 2 rounds, a smoke test of under a minute.
Every process started here is tracked and killed by its pid at the end; every
wait is bounded.
"""

import argparse
import ctypes
import datetime
import hashlib
import json
import os
import re
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
RESULTS = os.path.join(ROOT, "tests", "bench", "RESULTS.md")

READY_TIMEOUT_S = 20        # a tracer from exec to attached
STOP_TIMEOUT_S = 15         # a tracer after SIGINT
WORKLOAD_TIMEOUT_S = 180    # one workload run
SETTLE_S = 0.2              # after each workload: let its netns go away
POLL_S = 0.001              # ready-file polling (startup resolution)

# (name, list of sizes) -- full / quick
SIZES = {
    "full": dict(rounds=5, w1=1_000_000, w2=20_000, strace_w1=10_000,
                 strace_w2=1_000, storm_per_thread=500_000, paced=1_000_000,
                 paced_rate=200_000, startup=7, storm_reps=3),
    "quick": dict(rounds=2, w1=100_000, w2=2_000, strace_w1=2_000,
                  strace_w2=200, storm_per_thread=100_000, paced=200_000,
                  paced_rate=200_000, startup=3, storm_reps=1),
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


def cpu_seconds(pid):
    """utime + stime of a live process, in seconds; None if gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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


# ------------------------------------------------------------ hooks

def tracepoint_hooks(src_path=BPF_SRC):
    """CATEGORY/NAME of every tracepoint program (tp_*) of tfotrace, in order.

    The floor attaches to exactly these: this function is the one place the
    list comes from, read from tfotrace's own source each run."""
    with open(src_path) as f:
        src = f.read()
    hooks = []
    # int tp_x(ctx...) or int BPF_PROG(tp_x, ...)
    for m in re.finditer(r'SEC\("(?:tracepoint|tp)/([^"/]+)/([^"]+)"\)\s*'
                         r'int\s+(\w+)\s*\(\s*(\w*)', src):
        category, name, prog, inner = m.groups()
        if re.fullmatch(r"[A-Z_]+", prog) and inner:
            prog = inner
        if prog.startswith("tp_"):
            hooks.append(f"{category}/{name}")
    if not hooks:
        raise BenchError(f"no tp_* tracepoint programs found in {src_path}")
    return hooks


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
    """A tracer run in the background around some workloads."""

    label = "?"
    wraps = False           # strace: wraps the workload instead

    def __init__(self, bench):
        self.bench = bench
        self.proc = None
        self.ready_s = None
        self.errpath = None
        self.hwm_kib = None
        self.lost = 0

    def _errfile(self):
        fd, self.errpath = tempfile.mkstemp(prefix="stderr-", dir=self.bench.tmp)
        return fd

    def start(self):
        pass

    def stop(self):
        """SIGINT, bounded wait; records peak RSS first."""
        if not self.proc:
            return
        self.hwm_kib = vm_hwm_kib(self.proc.pid)
        if self.proc.poll() is not None:
            anomaly(f"{self.label} (pid {self.proc.pid}) died while tracing: "
                    f"{describe_rc(self.proc.returncode)}; stderr: "
                    f"{tail(read_text(self.errpath))}")
            return
        os.kill(self.proc.pid, signal.SIGINT)
        try:
            rc = self.proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            anomaly(f"{self.label} (pid {self.proc.pid}) still running "
                    f"{STOP_TIMEOUT_S} s after SIGINT; killed")
            kill_proc(self.proc)
            return
        err = read_text(self.errpath, 20000)
        m = re.search(r"lost (\d+) events", err)
        if m:
            self.lost = int(m.group(1))
        if rc != 0:
            anomaly(f"{self.label} (pid {self.proc.pid}) exited with "
                    f"{describe_rc(rc)}; stderr: {tail(err)}")

    def wrap(self, argv, n_scale):
        return argv


class Untraced(Tracer):
    label = "untraced"


class Floor(Tracer):
    label = "floor (empty BPF programs)"

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
        self.ready_s = time.monotonic() - t0


class Tfotrace(Tracer):
    def __init__(self, bench, label, extra, outsider=False, stdout=None):
        super().__init__(bench)
        self.label = label
        self.extra = extra
        self.outsider = outsider
        self.stdout = stdout
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
        t0 = time.monotonic()
        self.proc = spawn([self.bench.tfotrace, "--ready-file", ready] + extra,
                          stdin=subprocess.DEVNULL,
                          stdout=self.stdout if self.stdout is not None
                          else subprocess.DEVNULL, stderr=errfd)
        os.close(errfd)
        try:
            wait_file(ready, self.proc, READY_TIMEOUT_S)
        except BenchError as exc:
            raise BenchError(f"tfotrace: {exc}; stderr: "
                             f"{tail(read_text(self.errpath))}")
        self.ready_s = time.monotonic() - t0
        self.mode = read_text(ready).strip()

    def stop(self):
        super().stop()
        if self.idle:
            self.idle.stdin.close()
            try:
                self.idle.wait(timeout=5)
            except subprocess.TimeoutExpired:
                kill_proc(self.idle)


class Bpftrace(Tracer):
    label = "bpftrace (enter/exit, printf)"

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
        self.ready_s = time.monotonic() - t0


class Strace(Tracer):
    label = "strace -f -e trace=setsockopt"
    wraps = True

    def wrap(self, argv, n_scale):
        return ["strace", "-f", "-e", "trace=setsockopt", "-o", "/dev/null"] + argv


# ------------------------------------------------------------ workloads

WORKLOADS = [
    # key, description, bench_load arguments, size key
    ("W1-tcp", "W1 setsockopt(TCP_NODELAY), TCP socket",
     ["sockopt", "--proto", "tcp"], "w1"),
    ("W1-mptcp", "W1 setsockopt(TCP_NODELAY), MPTCP socket",
     ["sockopt", "--proto", "mptcp"], "w1"),
    ("W2-tcp", "W2 TFO churn, TCP listener",
     ["tfo", "--proto", "tcp"], "w2"),
    ("W2-mptcp", "W2 TFO churn, MPTCP listener",
     ["tfo", "--proto", "mptcp"], "w2"),
]


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
        self.load = os.path.join(OUT, "bench_load")
        self.floor = os.path.join(OUT, "floor")
        self.tfotrace = None
        self.hooks = []
        self.samples = {}       # (workload, config) -> [result dict]
        self.ready = {}         # tool -> [seconds]
        self.hwm = {}           # config -> [KiB]
        self.lost = {}          # config -> [lost per tracer run]
        self.events = []        # storm / paced rows
        self.diag = []          # (tracer, program, run_cnt, run_time_ns, ns/op)
        self.info = {}

    # ---- set-up

    def build(self):
        if not self.args.no_build:
            for argv in (["make", "-C", ROOT, "--no-print-directory",
                          "build/tfotrace"],
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
        for p in (self.load, self.floor):
            if not os.access(p, os.X_OK):
                raise BenchError(f"missing {p}")
        for tool in ("bpftool", "bpftrace", "strace"):
            if not shutil.which(tool):
                raise BenchError(f"{tool} not found (apt-get install {tool})")

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
        m = re.search(r"#define\s+RINGBUF_DEFAULT_BYTES\s+\(?(\d+)u?\s*<<\s*(\d+)\)?",
                      read_text(MAIN_SRC, 10**7))
        self.info["ring"] = (f"{(int(m.group(1)) << int(m.group(2))) // 1024} KiB"
                             if m else "the default")

    def tracefs(self):
        if not os.path.isdir("/sys/kernel/tracing/events"):
            log("mounting tracefs on /sys/kernel/tracing")
            subprocess.run(["mount", "-t", "tracefs", "nodev",
                            "/sys/kernel/tracing"], timeout=10)

    def prepare_hooks(self):
        self.hooks = tracepoint_hooks()
        script, self.bpftrace_probes, calls = bpftrace_script(self.hooks)
        self.bpftrace_calls = calls
        self.bpftrace_script = os.path.join(self.tmp, "equivalent.bt")
        with open(self.bpftrace_script, "w") as f:
            f.write(script)
        self.bpftrace_text = script
        log(f"tfotrace's tracepoint programs: {', '.join(self.hooks)}")

    def verify_hooks(self):
        """tfotrace and the floor: the same tracepoints, really attached."""
        want = sorted(h.split("/", 1)[1] for h in self.hooks)
        got, links = {}, {}
        for tracer in (Tfotrace(self, "tfotrace", []), Floor(self)):
            tracer.start()
            time.sleep(0.05)
            got[tracer.label] = perf_tracepoints(tracer.proc.pid)
            links[tracer.label] = bpf_links(tracer.proc.pid)
            if isinstance(tracer, Tfotrace):
                self.info["mode"] = tracer.mode
            tracer.stop()
        t, f = got["tfotrace"], got[Floor.label]
        self.info["hooks_src"] = self.hooks
        self.info["hooks_tfotrace"] = t
        self.info["hooks_floor"] = f
        lt, lf = links["tfotrace"], links[Floor.label]
        self.info["links_tfotrace"] = lt
        self.info["links_floor"] = lf
        only_tp = (lt == lf == ["perf"] * len(want))
        self.info["hooks_equal"] = (t == f == want) and only_tp
        if not only_tp:
            anomaly(f"BPF links held: tfotrace {lt}, floor {lf}; expected "
                    f"{len(want)} perf (tracepoint) links each")
        if self.info["mode"] != "tracepoint":
            anomaly(f"tfotrace chose the {self.info['mode']} mode: the floor "
                    "here models the tracepoint mode only, its comparison "
                    "does not hold")
        if not self.info["hooks_equal"]:
            anomaly(f"hooks differ: tfotrace's source {want}, tfotrace "
                    f"attached {t}, the floor attached {f}")
        log(f"hooks attached: tfotrace {t}, floor {f}")

    # ---- measurement

    def configs(self):
        return [
            ("untraced", lambda: Untraced(self)),
            ("floor", lambda: Floor(self)),
            ("tfotrace", lambda: Tfotrace(self, "tfotrace (text)", [])),
            ("tfotrace-json", lambda: Tfotrace(self, "tfotrace --json",
                                               ["--json"])),
            ("tfotrace-p", lambda: Tfotrace(self, "tfotrace -p OTHER (W3)",
                                            [], outsider=True)),
            ("bpftrace", lambda: Bpftrace(self)),
            ("strace", lambda: Strace(self)),
        ]

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
        _, _, args, size_key = wl
        n = self.size[size_key]
        if config == "strace":
            n = self.size["strace_" + size_key]
        return [self.load] + args + ["-n", str(n), "--cpu", str(self.cpu)], n

    def rounds(self):
        configs = self.configs()
        for r in range(self.size["rounds"]):
            log(f"round {r + 1}/{self.size['rounds']}")
            for name, make in configs:
                tracer = make()
                tracer.start()
                if tracer.ready_s is not None:
                    self.ready.setdefault(name, []).append(tracer.ready_s)
                try:
                    for wl in WORKLOADS:
                        argv, n = self.workload_argv(wl, name)
                        argv = tracer.wrap(argv, n)
                        res = self.run_workload(argv)
                        res["n"] = n
                        self.samples.setdefault((wl[0], name), []).append(res)
                        time.sleep(SETTLE_S)
                finally:
                    tracer.stop()
                if tracer.hwm_kib:
                    self.hwm.setdefault(name, []).append(tracer.hwm_kib)
                if tracer.proc is not None and name.startswith("tfotrace"):
                    self.lost.setdefault(name, []).append(tracer.lost)
                summary = " ".join(
                    f"{wl[0]}={self.samples[(wl[0], name)][-1]['ns_per_op']:.0f}"
                    for wl in WORKLOADS)
                log(f"  {name}: {summary} ns/op")

    def startup(self):
        """exec -> ready, alternating the tools, several times."""
        n = self.size["startup"]
        log(f"startup: {n} times each")
        for _ in range(n):
            t = Tfotrace(self, "tfotrace", [])
            t.start()
            self.ready.setdefault("startup-tfotrace", []).append(t.ready_s)
            t.stop()
            if t.hwm_kib:
                self.hwm.setdefault("idle", []).append(t.hwm_kib)
            t = Tfotrace(self, "tfotrace --attach tracepoint",
                         ["--attach", "tracepoint"])
            t.start()
            self.ready.setdefault("startup-tfotrace-tp", []).append(t.ready_s)
            t.stop()
            fl = Floor(self)
            fl.start()
            self.ready.setdefault("startup-floor", []).append(fl.ready_s)
            fl.stop()
            a, b = self.bpftrace_startup()
            self.ready.setdefault("startup-bpftrace-attaching", []).append(a)
            self.ready.setdefault("startup-bpftrace-attached", []).append(b)

    def diagnostics(self):
        """BPF program run time per call (kernel bpf_stats), W1 over TCP,
        under the floor and tfotrace: where the per-call cost goes. Outside
        the rounds: the accounting itself costs a little."""
        fd = enable_bpf_stats()
        if fd is None:
            anomaly("BPF_ENABLE_STATS refused: no per-program run times")
            return
        log("diagnostics: per-program run time (bpf_stats)")
        self.diag = []
        try:
            for make in (lambda: Floor(self),
                         lambda: Tfotrace(self, "tfotrace (text)", []),
                         lambda: Tfotrace(self, "tfotrace -p OTHER (W3)", [],
                                          outsider=True)):
                tracer = make()
                tracer.start()
                try:
                    argv, n = self.workload_argv(WORKLOADS[0], "diag")
                    res = self.run_workload(argv)
                    stats = prog_stats(tracer.proc.pid)
                finally:
                    tracer.stop()
                for name, (cnt, ns) in sorted(stats.items()):
                    self.diag.append((tracer.label, name, cnt, ns,
                                      res["ns_per_op"]))
        finally:
            os.close(fd)

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
                break
            time.sleep(0.002)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            anomaly("bpftrace did not stop after SIGINT (startup test)")
            kill_proc(proc)
        th.join(timeout=5)
        if attached is None or "attaching" not in seen:
            raise BenchError("bpftrace startup: never attached "
                             f"({describe_rc(proc.returncode)})")
        return seen["attaching"], attached

    def event_run(self, label, load_args, expect_rate=None):
        """The workload under `tfotrace --json -p` it, every record counted."""
        outpath = os.path.join("/dev/shm" if os.path.isdir("/dev/shm")
                               else self.tmp, f"tfotrace-bench-{os.getpid()}.jsonl")
        load = spawn([self.load] + load_args + ["--wait"], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        row = dict(label=label)
        try:
            try:
                pid = json.loads(load.stdout.readline())["pid"]
            except (ValueError, KeyError, TypeError):
                raise BenchError(f"{label}: bench_load did not print its pid")
            with open(outpath, "w") as out:
                tracer = Tfotrace(self, "tfotrace --json -p WORKLOAD",
                                  ["--json", "-p", str(pid)], stdout=out)
                tracer.start()
            load.stdin.write("go\n")
            load.stdin.flush()
            try:
                lout, lerr = load.communicate(timeout=WORKLOAD_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                kill_proc(load)
                raise BenchError(f"{label}: workload exceeded "
                                 f"{WORKLOAD_TIMEOUT_S} s")
            res = parse_result(lout)
            if load.returncode != 0 or res is None:
                raise BenchError(f"{label}: workload {describe_rc(load.returncode)}:"
                                 f" {tail(lerr)}")
            # The consumer drains on its own every 100 ms: let it catch up,
            # then stop it. CPU time and peak RSS are read just before.
            time.sleep(0.3)
            cpu = cpu_seconds(tracer.proc.pid)
            tracer.stop()
            row["hwm_kib"] = tracer.hwm_kib
            self.hwm.setdefault("events", []).append(tracer.hwm_kib or 0)
            summary = None
            size = os.path.getsize(outpath)
            with open(outpath, "rb") as f:
                f.seek(max(0, size - 65536))
                for raw in f.read().splitlines():
                    try:
                        obj = json.loads(raw)
                    except ValueError:
                        continue
                    if isinstance(obj, dict) and obj.get("type") == "summary":
                        summary = obj
        finally:
            try:
                os.unlink(outpath)
            except OSError:
                pass
        if summary is None:
            anomaly(f"{label}: no summary object in tfotrace's output "
                    f"({size} bytes); stderr: {tail(read_text(tracer.errpath))}")
            summary = {}
        calls = res["socket_calls"] + res["setsockopt_calls"] + res["listen_calls"]
        events, lost = summary.get("events"), summary.get("lost")
        row.update(calls=calls, events=events, lost=lost,
                   invalid=summary.get("invalid"), elapsed=res["elapsed_ns"] / 1e9,
                   threads=res.get("threads", 1), rate_asked=res.get("rate_asked"),
                   achieved=res["ops_per_s"], cpu=cpu, out_bytes=size,
                   stderr_lost=tracer.lost)
        row["exact"] = (events is not None and lost is not None
                        and events + lost == calls)
        if not row["exact"]:
            anomaly(f"{label}: events {events} + lost {lost} != {calls} calls made")
        if lost is not None and lost != tracer.lost:
            anomaly(f"{label}: summary says lost {lost}, stderr says "
                    f"{tracer.lost}")
        log(f"  {label}: calls {calls} events {events} lost {lost} "
            f"at {res['ops_per_s']:.0f} calls/s")
        return row

    def event_runs(self):
        s = self.size
        log("events: storm and paced runs")
        for i in range(s["storm_reps"]):
            self.events.append(self.event_run(
                f"storm, {self.ncpu} threads unpaced",
                ["sockopt", "--threads", str(self.ncpu), "-n",
                 str(s["storm_per_thread"])]))
            time.sleep(SETTLE_S)
            self.events.append(self.event_run(
                f"paced at {s['paced_rate'] // 1000}k calls/s, 1 thread",
                ["sockopt", "--rate", str(s["paced_rate"]), "-n",
                 str(s["paced"]), "--cpu", str(self.cpu)]))
            time.sleep(SETTLE_S)

    # ---- report

    def report(self, elapsed):
        return Report(self, elapsed).markdown()


# ------------------------------------------------------------ statistics

def median(xs):
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


def verdict(ok):
    return "**met**" if ok else "**missed**"


class Report:
    def __init__(self, bench, elapsed):
        self.b = bench
        self.elapsed = elapsed

    def overhead(self, wl, config):
        """Median over rounds of (config - untraced) in the same round."""
        xs = self.b.samples.get((wl, config), [])
        base = self.b.samples.get((wl, "untraced"), [])
        diffs = [x["ns_per_op"] - u["ns_per_op"] for x, u in zip(xs, base)]
        return median(diffs), diffs

    def iqr_width(self, wl, config):
        v = [x["ns_per_op"] for x in self.b.samples.get((wl, config), [])]
        if not v:
            return 0.0
        q1, q3 = quartiles(v)
        return q3 - q1

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
                 f"git {i['git']}; attach mode chosen: **{i.get('mode')}**")
        eq = "equal" if i.get("hooks_equal") else "**NOT EQUAL**"
        L.append(f"- hooks: tfotrace's tp_* programs (bpf/tfotrace.bpf.c) "
                 f"name {', '.join(i['hooks_src'])}; attached (bpftool perf "
                 f"list): tfotrace {', '.join(i['hooks_tfotrace'] or [])}; "
                 f"floor {', '.join(i['hooks_floor'] or [])}; BPF links held "
                 f"(/proc/PID/fdinfo): tfotrace {len(i['links_tfotrace'] or [])}"
                 f" × {'/'.join(sorted(set(i['links_tfotrace'] or []))) or '-'}"
                 f", floor {len(i['links_floor'] or [])} × "
                 f"{'/'.join(sorted(set(i['links_floor'] or []))) or '-'}: "
                 f"{eq}")
        L.append(f"- bpftrace: {i.get('bpftrace', '?')}, a script with enter/exit of "
                 f"{', '.join(b.bpftrace_calls)} (arguments kept per tid at "
                 f"enter, printed with ret at exit), `-o /dev/null`; tfotrace "
                 f"output to /dev/null")
        L.append(f"- workloads (tests/bench/bench_load.c) each in a fresh "
                 f"network namespace, loopback, pinned to CPU {b.cpu}; the "
                 f"tracers unpinned. Per round every configuration in turn, "
                 f"each workload once under it. Overhead = median over rounds "
                 f"of (configuration − untraced of the same round).")
        L.append("")
        L.append("## Cost per operation\n")
        L.append("W1: one setsockopt(SOL_TCP, TCP_NODELAY); W2: one TFO "
                 "connection (socket, sendto(MSG_FASTOPEN), accept, read, 2× "
                 "close); W3: W1 with tfotrace filtering (-p) on another, idle, "
                 "process.\n")
        L.append("| workload | configuration | N | ns/op median | min–max | "
                 "IQR | overhead ns | ÷ floor's overhead |")
        L.append("|---|---|---|---|---|---|---|---|")
        labels = {name: make().label for name, make in b.configs()}
        for wl in WORKLOADS:
            floor_oh, _ = self.overhead(wl[0], "floor")
            # A ratio to an overhead lost in the noise means nothing: only
            # when the floor's overhead exceeds the untraced and floor IQRs.
            noise = max(self.iqr_width(wl[0], "untraced"),
                        self.iqr_width(wl[0], "floor"))
            floor_real = floor_oh > noise
            for name, _ in b.configs():
                xs = b.samples.get((wl[0], name), [])
                if not xs:
                    continue
                v = [x["ns_per_op"] for x in xs]
                n = xs[0]["n"]
                q1, q3 = quartiles(v)
                if name == "untraced":
                    oh, ratio = "—", "—"
                else:
                    o, _ = self.overhead(wl[0], name)
                    oh = fmt_ns(o)
                    if name == "floor":
                        ratio = "—"
                    elif floor_real:
                        ratio = f"{o / floor_oh:.2f}"
                    else:
                        ratio = "(noise)"
                nlabel = f"{n:,}" + (" (smaller N)" if name == "strace" else "")
                L.append(f"| {wl[1]} | {labels[name]} | {nlabel} | "
                         f"{fmt_ns(median(v))} | {fmt_ns(min(v))}–{fmt_ns(max(v))} | "
                         f"{fmt_ns(q1)}–{fmt_ns(q3)} | {oh} | {ratio} |")
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
                     (f"; not so in: {odd}" if odd else "") + ".")
        lost = {k: v for k, v in b.lost.items() if any(v)}
        if lost:
            L.append("tfotrace lost events (ring buffer full) during these "
                     "runs, per tracer run: " + "; ".join(
                         f"{k}: {v}" for k, v in lost.items()) +
                     ". A lost record skips the copy, so the lost share "
                     "makes the overhead look smaller.")
        else:
            L.append("tfotrace lost no events in any of these runs.")
        L.append("(noise) in the last column: the floor's overhead there is "
                 "smaller than the run-to-run spread (IQR) of the untraced or "
                 "floor runs, so no ratio to it means anything; negative "
                 "overheads are that noise too.")
        L.append("")

        L.append("## Startup, exec to ready\n")
        L.append("| tool | ready means | median ms | min–max ms | samples |")
        L.append("|---|---|---|---|---|")
        rows = [("tfotrace", "--ready-file written (attached, listener scan "
                 "done)", "startup-tfotrace"),
                ("tfotrace --attach tracepoint", "the same, no mode probing",
                 "startup-tfotrace-tp"),
                ("floor", "ready file written (attached)", "startup-floor"),
                ("bpftrace", 'prints "Attaching N probes" (before it attaches)',
                 "startup-bpftrace-attaching"),
                ("bpftrace", "all its tracepoints attached (bpftool perf list, "
                 "polled every 2 ms)", "startup-bpftrace-attached")]
        for tool, what, key in rows:
            v = [x * 1000 for x in b.ready.get(key, [])]
            if v:
                L.append(f"| {tool} | {what} | {median(v):.1f} | "
                         f"{min(v):.1f}–{max(v):.1f} | {len(v)} |")
        L.append("")

        L.append("## Peak memory (VmHWM, read just before stopping)\n")
        L.append("tfotrace without -p sees every socket W2 makes: 2 × "
                 f"{b.size['w2']:,} connections per round.\n")
        L.append("| process | runs | median MiB | max MiB |")
        L.append("|---|---|---|---|")
        for key, label in (("idle", "tfotrace, started and stopped at once "
                                    "(startup runs)"),
                           ("tfotrace", "tfotrace (text), rounds"),
                           ("tfotrace-json", "tfotrace --json, rounds"),
                           ("tfotrace-p", "tfotrace -p OTHER, rounds"),
                           ("events", "tfotrace --json -p, storm/paced runs"),
                           ("floor", "floor"),
                           ("bpftrace", "bpftrace")):
            v = [x / 1024 for x in b.hwm.get(key, []) if x]
            if v:
                L.append(f"| {label} | {len(v)} | {median(v):.1f} | "
                         f"{max(v):.1f} |")
        L.append("")

        L.append(f"## Events: throughput and loss (ring buffer {i['ring']}, "
                 "`tfotrace --json -p WORKLOAD` to a file)\n")
        L.append("| load | calls made | events | lost | events+lost = calls | "
                 "calls/s achieved | events delivered/s | tfotrace CPU s | "
                 "events per CPU-s |")
        L.append("|---|---|---|---|---|---|---|---|---|")
        for r in b.events:
            ev = r["events"] or 0
            deliv = ev / r["elapsed"] if r["elapsed"] else 0
            per_cpu = f"{ev / r['cpu']:,.0f}" if r.get("cpu") else "n/a"
            L.append(f"| {r['label']} | {r['calls']:,} | {r['events']} | "
                     f"{r['lost']} | {'yes' if r['exact'] else '**NO**'} | "
                     f"{r['achieved']:,.0f} | {deliv:,.0f} | "
                     f"{r['cpu']:.2f} | {per_cpu} |")
        L.append("\nevents delivered/s = events ÷ the workload's elapsed time "
                 "(the consumer's rate while the storm lasts); CPU s = "
                 "tfotrace's utime+stime over its whole run.\n")

        if b.diag:
            L.append("## Where the time goes: BPF program run time per call\n")
            L.append("Kernel bpf_stats (BPF_ENABLE_STATS) during one more W1 "
                     "TCP run under each, outside the rounds (the accounting "
                     "adds its own few tens of ns).\n")
            L.append("| under | program on tracepoints | runs | ns per run | "
                     "W1 ns/op of that run |")
            L.append("|---|---|---|---|---|")
            for label, name, cnt, ns, op in b.diag:
                per = f"{ns / cnt:.0f}" if cnt else "—"
                L.append(f"| {label} | {name} | {cnt:,} | {per} | {op:.0f} |")
            L.append("")
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
                 f"{b.size['w1']:,} / {b.size['w2']:,}: it costs ~100 µs a "
                 "call; its overhead is against the full-N untraced run.")
        L.append("- Syscall tracepoints put every task on the slow syscall "
                 "path while attached, so W2 (no setsockopt per connection) "
                 "pays for them on every syscall it makes.")
        L.append("\n## Appendix: the bpftrace script\n")
        L.append("```")
        L.append(b.bpftrace_text.rstrip())
        L.append("```")
        return "\n".join(L) + "\n"

    def targets(self):
        b = self.b
        out = []
        for wl in ("W1-tcp", "W1-mptcp"):
            f, _ = self.overhead(wl, "floor")
            bt, _ = self.overhead(wl, "bpftrace")
            for cfg in ("tfotrace", "tfotrace-json"):
                t, _ = self.overhead(wl, cfg)
                if t != t:
                    continue
                r = t / f if f > 0 else float("inf")
                out.append(f"- {wl} {cfg}: overhead {t:.0f} ns = {r:.2f}× the "
                           f"floor's {f:.0f} ns (target ≤ 1.3×): "
                           f"{verdict(r <= 1.3)}; = {t / bt:.2f} of bpftrace's "
                           f"{bt:.0f} ns (target ≤ 0.33): "
                           f"{verdict(t <= bt / 3)}")
            p, pd = self.overhead(wl, "tfotrace-p")
            _, fd = self.overhead(wl, "floor")
            if p == p and pd and fd:
                out.append(f"- {wl} -p outsider (W3): overhead {p:.0f} ns "
                           f"(per round {min(pd):.0f}…{max(pd):.0f}) vs the "
                           f"floor's {f:.0f} ns ({min(fd):.0f}…{max(fd):.0f})"
                           f" (target ≤ floor): {verdict(p <= f)}")
        v = [x * 1000 for x in b.ready.get("startup-tfotrace", [])]
        if v:
            out.append(f"- ready within 50 ms: median {median(v):.1f} ms, max "
                       f"{max(v):.1f} ms: {verdict(median(v) <= 50)}")
        v = [x / 1024 for k in ("idle", "tfotrace", "tfotrace-json",
                                "tfotrace-p", "events")
             for x in b.hwm.get(k, []) if x]
        if v:
            out.append(f"- peak RSS ≤ 8 MiB: max {max(v):.1f} MiB (median "
                       f"{median(v):.1f}): {verdict(max(v) <= 8)}")
        paced = [r for r in b.events if r["label"].startswith("paced")]
        if paced:
            lost = [r["lost"] for r in paced]
            ok = all(x == 0 for x in lost) and all(r["exact"] for r in paced)
            rates = ", ".join(f"{r['achieved']:,.0f}" for r in paced)
            out.append(f"- no loss at {b.size['paced_rate'] // 1000}k events/s: "
                       f"lost {lost} (achieved {rates} calls/s): {verdict(ok)}")
        return out


# ------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=0,
                    help="rounds of the alternated configurations "
                         "(default 5, 2 with --quick)")
    ap.add_argument("--quick", action="store_true",
                    help="small N, 2 rounds: a smoke test under a minute")
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
    if status == 0 or bench.samples:
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
