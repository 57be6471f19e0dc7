"""What the report's header says about the run: the machine (CPU model,
CPUs, memory), the kernel, libbpf, the commit and whether the tree was
dirty, the date, tfotrace's ring buffer sizes."""

import ctypes
import ctypes.util
import datetime
import os
import re
import subprocess


def _run(argv, cwd=None, strip=True):
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=10,
                           cwd=cwd)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if r.returncode:
        return None
    return r.stdout.strip() if strip else r.stdout


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def mem_total_kib():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def libbpf_version(binary=None):
    """libbpf's own version string (libbpf_version_string(), the library
    the dynamic loader finds), and the Debian package's version."""
    lib = "?"
    try:
        so = ctypes.CDLL(ctypes.util.find_library("bpf") or "libbpf.so.1")
        so.libbpf_version_string.restype = ctypes.c_char_p
        lib = so.libbpf_version_string().decode()
    except (OSError, AttributeError):
        pass
    pkg = _run(["dpkg-query", "-W", "-f", "${Version}", "libbpf-dev"])
    return f"{lib}" + (f" (Debian libbpf-dev {pkg})" if pkg else "")


def git_state(root):
    head = _run(["git", "rev-parse", "HEAD"], cwd=root) or "?"
    describe = _run(["git", "describe", "--always", "--dirty", "--tags"],
                    cwd=root) or "?"
    status = _run(["git", "status", "--porcelain"], cwd=root, strip=False)
    paths = []
    if status:
        paths = [line[3:] for line in status.splitlines() if line.strip()]
    # what the binary is built from: bpf/ and user/
    built = [p for p in paths if p.startswith(("bpf/", "user/"))]
    return dict(git_head=head, git_describe=describe,
                git_dirty=bool(paths), git_dirty_paths=paths,
                git=head[:7] + (f" + uncommitted changes in "
                                f"{', '.join(built)}" if built else ""))


def ring_sizes(main_src):
    try:
        with open(main_src, errors="replace") as f:
            src = f.read()
    except OSError:
        src = ""
    rings = {}
    for which in ("RELEVANT", "ALL"):
        m = re.search(rf"#define\s+RINGBUF_BYTES_{which}\s+\(?(\d+)u?\s*"
                      r"<<\s*(\d+)\)?", src)
        rings[which] = (f"{(int(m.group(1)) << int(m.group(2))) // 1024} KiB"
                        if m else "?")
    return rings


def collect(root, main_src):
    """The header's facts, as a dict for the raw results."""
    u = os.uname()
    info = dict(cpu=cpu_model(), nproc=os.cpu_count() or 1,
                mem_kib=mem_total_kib(), kernel=u.release,
                kernel_version=u.version, libbpf=libbpf_version(),
                date=datetime.datetime.now().astimezone().strftime(
                    "%Y-%m-%d %H:%M %Z"),
                ring=ring_sizes(main_src))
    info["bpftrace"] = _run(["bpftrace", "--version"]) or "bpftrace ?"
    info.update(git_state(root))
    return info
