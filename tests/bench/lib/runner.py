"""The benchmark's shared runner: processes (spawned, tracked, killed by
pid), bounded waits, the tracers run around a workload (untraced, the
floor, tfotrace, bpftrace, strace), the workloads of bench_load, and the
run's context (Bench) that every section measures through and stores its
raw results in.

Every process started here is tracked (STARTED) and killed by its pid at
the end of the run; every wait is bounded. Nothing is asserted on
timings: what goes wrong is an anomaly (ANOMALIES, in the report) or,
when something needed could not run, a BenchError.
"""

import ctypes
import glob
import hashlib
import json
import os
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, "build", "bench")
BPF_SRC = os.path.join(ROOT, "bpf", "tfotrace.bpf.c")
MAIN_SRC = os.path.join(ROOT, "user", "main.c")
UNIT = os.path.join(ROOT, "user", "dist", "tfotrace.service")
SCENARIO = os.path.join(ROOT, "build", "tests", "tfo_scenario")
RESULTS = os.path.join(HERE, "RESULTS.md")
RAW = os.path.join(HERE, "RESULTS.json")

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
                 journal_rate=100_000,
                 describe_processes=200, describe_reps=3,
                 bulk_mib=1024, connrate=20_000, handshake_rounds=5),
    "quick": dict(rounds=2, w1=100_000, w2=2_000, w1p=50_000,
                  w1p_rate=100_000, strace_w1=2_000, strace_w2=200,
                  storm_per_thread=100_000, paced=200_000,
                  paced_rate=200_000, routine=200_000, startup=3,
                  event_reps=1, journal_calls=50_000,
                  journal_rate=100_000,
                  describe_processes=50, describe_reps=1,
                  bulk_mib=256, connrate=2_000, handshake_rounds=2),
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


def perf_tracepoints(pid, types=("tracepoint",)):
    """The tracepoints pid has BPF programs attached to (bpftool perf list),
    of these fd types (raw_tracepoint: a raw tracepoint's name)."""
    try:
        out = subprocess.run(["bpftool", "-j", "perf", "list"],
                             capture_output=True, text=True, timeout=10)
        rows = json.loads(out.stdout or "[]")
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None
    return sorted(r.get("tracepoint", "?") for r in rows
                  if r.get("pid") == pid and r.get("fd_type") in types)


def foreign_bpf(own_pids):
    """{pid: (comm, [hooks])}: the BPF programs that processes not started
    here hold on tracepoints, raw tracepoints, kprobes or uprobes (bpftool
    perf list) -- another tracer on the machine, whose programs every
    configuration here, untraced included, would run with."""
    try:
        rows = json.loads(subprocess.run(
            ["bpftool", "-j", "perf", "list"], capture_output=True,
            text=True, timeout=10).stdout or "[]")
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return {}
    out = {}
    for r in rows:
        pid = r.get("pid")
        if pid is None or pid in own_pids:
            continue
        hook = (r.get("tracepoint") or r.get("func") or r.get("filename")
                or r.get("fd_type", "?"))
        cmd = read_text(f"/proc/{pid}/cmdline", 200).replace("\0", " ")
        comm = cmd.strip() or read_text(f"/proc/{pid}/comm", 100).strip()
        out.setdefault(pid, (comm or "?", set()))[1].add(hook)
    return {pid: (comm, sorted(hooks)) for pid, (comm, hooks) in out.items()}


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
    named any_* (loaded in every mode: bookkeeping, not a traced call),
    these also as raw_tp/NAME when they are raw tracepoints (a
    raw_tracepoint link, not a perf one).

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
    for m in re.finditer(r'SEC\("raw_tp/([^"/]+)"\)\s*int\s+(any_\w+)', src):
        also.append(f"raw_tp/{m.group(1)}")
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
    """tests/bench/floor: empty programs on tfotrace's syscall tracepoints
    (libbpf, no CO-RE: it never reads the kernel's BTF). CORE: the same
    with one CO-RE read in its program (floor --core), so that libbpf
    parses the kernel's BTF at every start as any libbpf CO-RE tool does:
    the bare loader with no BTF cache."""

    def __init__(self, bench, label="floor", core=False):
        super().__init__(bench, label)
        self.core = core

    def start(self):
        ready = os.path.join(self.bench.tmp, "floor.ready")
        errfd = self._errfile()
        t0 = time.monotonic()
        self.proc = spawn([self.bench.floor, "--ready-file", ready] +
                          (["--core"] if self.core else []) +
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

def parse_result(text):
    for line in reversed(text.splitlines()):
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict) and obj.get("op") == "result":
            return obj
    return None



# ------------------------------------------------------------ configurations

def config_labels(unit_display):
    """(name, label) of the syscall-cost configurations, in the order run
    and reported; UNIT_DISPLAY: the unit's arguments as shown."""
    return [
        ("untraced", "untraced"),
        ("floor", "floor (empty programs, same syscall tracepoints)"),
        ("default", "tfotrace (default: relevant calls; text)"),
        ("all", "tfotrace --all (text)"),
        ("all-json", "tfotrace --all --json"),
        ("unit", "tfotrace " + " ".join(unit_display) + " (the unit's)"),
        ("p-other", "tfotrace -p OTHER (W3)"),
        ("bpftrace", "bpftrace (enter/exit, printf)"),
        ("strace", "strace -f -e trace=setsockopt"),
    ]


# ------------------------------------------------------------ the run

class Bench:
    """One run's context: the binaries, the temporary directory (the warm
    BTF cache, the .prom file), the sizes, tfotrace's hooks, and the raw
    results every section stores (RAW[section]; HWM, peak RSS by key, is
    shared: several sections add to it and the memory section reports
    it). INFO: what the report's header says."""

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
        self.describe = os.path.join(OUT, "describe")
        self.tfotrace = None
        self.hooks = []
        self.hooks_also = []
        self.unit_args = None
        self.bpftrace_script = None
        self.bpftrace_probes = 0
        self.bpftrace_repeats = 0   # SIGINTs bpftrace needed again
        self.hwm = {}               # key -> [KiB]
        self.raw = {"hwm": self.hwm}
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
        self.info["unit_display"] = self.unit_display()

    def machine(self):
        from . import machine
        self.info.update(machine.collect(ROOT, MAIN_SRC))
        self.info["pinned_cpu"] = self.cpu
        self.info["quick"] = bool(self.args.quick)
        self.info["size"] = self.size

    def tracefs(self):
        if not os.path.isdir("/sys/kernel/tracing/events"):
            log("mounting tracefs on /sys/kernel/tracing")
            subprocess.run(["mount", "-t", "tracefs", "nodev",
                            "/sys/kernel/tracing"], timeout=10)

    def prepare_hooks(self):
        self.hooks, self.hooks_also = tracepoint_hooks()
        script, self.bpftrace_probes, calls = bpftrace_script(self.hooks)
        self.bpftrace_script = os.path.join(self.tmp, "equivalent.bt")
        with open(self.bpftrace_script, "w") as f:
            f.write(script)
        self.info["bpftrace_calls"] = calls
        self.info["bpftrace_text"] = script
        log(f"tfotrace's tracepoint programs: {', '.join(self.hooks)}; in "
            f"every mode: {', '.join(self.hooks_also) or '-'}")

    def verify_hooks(self):
        """tfotrace and the floor: the same syscall tracepoints, really
        attached (tfotrace also its any_* ones). tfotrace's first start,
        with an empty cache: it fills the warm cache."""
        want = sorted(h.split("/", 1)[1] for h in self.hooks)
        want_t = sorted(want + [h.split("/", 1)[1] for h in self.hooks_also])
        raw_tps = sum(h.startswith("raw_tp/") for h in self.hooks_also)
        got, links = {}, {}
        for tracer in (Tfotrace(self, "tfotrace", []), Floor(self, "floor")):
            tracer.start()
            time.sleep(0.05)
            got[tracer.label] = perf_tracepoints(
                tracer.proc.pid, ("tracepoint", "raw_tracepoint"))
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
        # the handshake observer, on by default in tracepoint mode:
        # cgroup_skb ingress and egress, cgroup/connect4 and connect6
        observer = ["cgroup"] * 4 if self.info["mode"] == "tracepoint" else []
        want_lt = sorted(["perf"] * (len(want_t) - raw_tps) +
                         ["raw_tracepoint"] * raw_tps + observer)
        only_tp = (lt == want_lt and lf == ["perf"] * len(want))
        self.info["hooks_equal"] = (f == want and t == want_t) and only_tp
        if not only_tp:
            anomaly(f"BPF links held: tfotrace {lt}, floor {lf}; expected "
                    f"{want_lt} and {len(want)} perf (tracepoint) links")
        if self.info["mode"] != "tracepoint":
            anomaly(f"tfotrace chose the {self.info['mode']} mode: the floor "
                    "here models the tracepoint mode only, its comparison "
                    "does not hold")
        if not self.info["hooks_equal"]:
            anomaly(f"hooks differ: tfotrace's source {want_t}, tfotrace "
                    f"attached {t}; floor's {want}, the floor attached {f}")
        log(f"hooks attached: tfotrace {t}, floor {f}")

    # ---- the configurations

    def configs(self):
        """(name, label, factory), in the order run and reported."""
        make = {
            "untraced": lambda: Untraced(self, "untraced"),
            "floor": lambda: Floor(self, "floor"),
            "default": lambda: Tfotrace(self, "tfotrace", []),
            "all": lambda: Tfotrace(self, "tfotrace --all", ["--all"]),
            "all-json": lambda: Tfotrace(self, "tfotrace --all --json",
                                         ["--all", "--json"]),
            "unit": lambda: Tfotrace(self, "tfotrace (the unit's arguments)",
                                     self.unit_args),
            "p-other": lambda: Tfotrace(self, "tfotrace -p OTHER", [],
                                        outsider=True),
            "bpftrace": lambda: Bpftrace(self, "bpftrace"),
            "strace": lambda: Strace(self, "strace"),
        }
        return [(name, label, make[name])
                for name, label in config_labels(self.unit_display())]

    def unit_display(self):
        return ["PROM" if a == self.prom else
                a.replace(self.prom, "PROM") for a in self.unit_args]

    # ---- workloads

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

    def check_foreign(self, where):
        """Another tracer's BPF programs attached now? Each such process
        is an anomaly (once), and every sighting is kept in INFO."""
        own = {p.pid for p in STARTED} | {os.getpid()}
        for pid, (comm, hooks) in foreign_bpf(own).items():
            seen = self.info.setdefault("foreign", [])
            if not any(f["pid"] == pid for f in seen):
                anomaly(f"while {where}: pid {pid} ({comm}), not this "
                        f"bench's, held BPF programs on {', '.join(hooks)}: "
                        "what ran with them attached (untraced included) "
                        "paid for them too")
            seen.append(dict(where=where, pid=pid, comm=comm, hooks=hooks))

    def cleanup(self):
        kill_all_started()
        shutil.rmtree(self.tmp, ignore_errors=True)
