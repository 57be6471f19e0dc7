#!/usr/bin/env python3
"""Debian 12 with real systemd as PID 1, on Debian 12's kernels under qemu.

The VM suite (run.py) boots busybox; this guest boots bookworm's systemd
252, for what only a real systemd on a real 6.1 kernel can show: a unit's
sandbox, Environment= and drop-ins, the journal.

The root: mmdebstrap --variant=minbase plus PACKAGES, made once and cached
in .cache/vm/systemd-guest/ (keyed by the suite, the package list and
RECIPE; a marker written last, so a half-built root is never used). The
mirror is this machine's: its APT sources for the suite.

Each Guest copies that root, adds files, units and .debs (dpkg -i in a
chroot), enables units, packs it all as the initramfs (cpio, zstd) and
boots it with systemd as init (rdinit=/lib/systemd/systemd; there is no
/etc/initrd-release, so systemd runs as on an installed system). No disk,
no modules: MPTCP, BPF, kprobes and BTF are built into Debian's kernels.
The network is loopback alone (-nic none).

The test script runs as tfotest.service (Type=exec, WantedBy=
multi-user.target), once `systemctl is-system-running --wait` returns.
Its output goes to the second serial port, ttyS1, which nothing else
writes to (the kernel and systemd's status lines stay on the console,
ttyS0), through a pipe, so the commands it runs see no terminal. Both
are kept in .cache/vm/logs/. Then the guest powers off.

    python3 tests/vm/systemd_guest.py [--kernel PKG]... [--deb FILE]

runs the packaged tfotrace.service under systemd on the 6.1 kernel
linux-image-amd64 depends on and on the newest 6.12 one, with a real Go
1.24 server run as a service whose unit's Environment=GODEBUG makes it
MPTCP: what tfotrace says of it, and on 6.1 the fix it prints, applied as
written with systemctl edit and a restart; prints "ok - ..." /
"not ok - ..." per check and last "systemd-guest: N passed, M failed".

Use from another test:

    import systemd_guest as sg
    g = sg.Guest("mytest", script="section hello echo hi\\n")
    g.add_file("build/thing", "/usr/local/bin/thing", 0o755)
    g.add_unit("x.service", "[Service]\\nExecStart=/bin/sleep infinity\\n")
    g.add_deb("build/deb/tfotrace_0.1.0-1_amd64.deb")
    g.enable("x.service")
    r = g.boot("linux-image-6.1.0-57-amd64")   # a Result
    r.sections["hello"] == ["hi"]
    g.close()
"""

import argparse
import concurrent.futures
import contextlib
import fcntl
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run as vm  # noqa: E402  (vmlinuz_of, default_kernels, sections, Judge)

ROOT = vm.ROOT
CACHE = vm.CACHE
BASES = os.path.join(CACHE, "systemd-guest")
LOGS = os.path.join(CACHE, "logs")

SUITE = "bookworm"
# systemd as init; iproute2 (ip, ss) for the network; bpftool, which
# tfotrace's package recommends (it caches a minimized BTF with it).
PACKAGES = ("systemd", "systemd-sysv", "iproute2", "bpftool")
# Bump when base_root() makes a different root from the same packages.
RECIPE = 1
DPKG_EXCLUDES = ("/usr/share/man/*", "/usr/share/locale/*", "/usr/share/doc/*",
                 "/usr/share/info/*")
DPKG_INCLUDES = ("/usr/share/locale/locale.alias", "/usr/share/doc/*/copyright")
# Units a test guest has no use for, masked: gettys (with console=ttyS0
# systemd would start one on the console; without udev its device never
# shows up), timers that would start apt, fstrim or e2scrub mid-test, and
# binfmt_misc's automount (autofs is a module).
MASKED = ("serial-getty@ttyS0.service", "getty@tty1.service", "apt-daily.timer",
          "apt-daily-upgrade.timer", "fstrim.timer", "e2scrub_all.timer",
          "e2scrub_reap.service", "dpkg-db-backup.timer",
          "proc-sys-fs-binfmt_misc.automount", "systemd-firstboot.service")

MEMORY_MB = 1024
TIMEOUT_S = 600
OUT_TTY = "/dev/ttyS1"
LIB = "/usr/local/lib/tfguest"
CMDLINE = "console=ttyS0 quiet panic=-1 rdinit=/lib/systemd/systemd"


class Fail(vm.Fail):
    pass


def say(msg):
    print(f"# {msg}", flush=True)


# ---------------------------------------------------------------- the root

def apt_sources(suite=SUITE):
    """This machine's APT sources for SUITE, SUITE-updates and
    SUITE-security, as sources.list lines (never a host name of ours)."""
    wanted = {suite, f"{suite}-updates", f"{suite}-security"}
    lines = []
    for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
        if not os.path.isfile(path):
            continue
        for line in open(path, encoding="utf-8", errors="replace"):
            line = re.sub(r"\[[^]]*\]", "", line.split("#", 1)[0]).split()
            if len(line) >= 4 and line[0] == "deb" and line[2] in wanted:
                lines.append(f"deb {line[1]} {line[2]} {' '.join(line[3:])}")
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        text = open(path, encoding="utf-8", errors="replace").read()
        for para in re.split(r"\n\s*\n", text):
            fields = {}
            for line in para.splitlines():
                if line.startswith("#") or ":" not in line or line[0].isspace():
                    continue
                k, v = line.split(":", 1)
                fields[k.strip().lower()] = v.split()
            if ("deb" not in fields.get("types", []) or
                    fields.get("enabled", ["yes"])[0].lower() == "no"):
                continue
            for uri in fields.get("uris", []):
                for s in fields.get("suites", []):
                    if s in wanted:
                        lines.append(f"deb {uri} {s} {' '.join(fields.get('components', ['main']))}")
    return lines


def ensure_mmdebstrap():
    if shutil.which("mmdebstrap"):
        return
    say("installing mmdebstrap (apt-get)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    r = subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "mmdebstrap"],
                       capture_output=True, text=True, env=env)
    if r.returncode != 0 or not shutil.which("mmdebstrap"):
        raise Fail(f"apt-get install mmdebstrap: {(r.stdout + r.stderr)[-500:]}")


def chroot(root, *argv, check=True):
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root", "LC_ALL": "C.UTF-8",
           "DEBIAN_FRONTEND": "noninteractive", "SYSTEMD_OFFLINE": "1"}
    r = subprocess.run(["chroot", root, *argv], capture_output=True, text=True, env=env)
    if check and r.returncode != 0:
        raise Fail(f"chroot {' '.join(argv)}: exit {r.returncode}: {(r.stdout + r.stderr)[-800:]}")
    return r


def write(root, path, text, mode=0o644):
    dst = os.path.join(root, path.lstrip("/"))
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if os.path.islink(dst):
        os.unlink(dst)
    with open(dst, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(dst, mode)


def du(path):
    return int(subprocess.run(["du", "-sb", path], capture_output=True, text=True,
                              check=True).stdout.split()[0])


def customize(root, key):
    """Make the bare root a test guest's: no first boot (fixed machine-id:
    systemd-firstboot would prompt on the console), multi-user.target, a
    volatile journal (one copy, in /run), nothing started by timers."""
    write(root, "/etc/machine-id", hashlib.md5(key.encode()).hexdigest() + "\n", 0o444)
    write(root, "/etc/hostname", "tfguest\n")
    write(root, "/etc/hosts", "127.0.0.1\tlocalhost\n127.0.1.1\ttfguest\n"
          "::1\tlocalhost ip6-localhost ip6-loopback\n")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(os.path.join(root, "etc/resolv.conf"))   # the host's
    write(root, "/etc/systemd/journald.conf.d/tfguest.conf",
          "[Journal]\nStorage=volatile\nRateLimitBurst=0\n")
    shutil.rmtree(os.path.join(root, "var/log/journal"), ignore_errors=True)
    chroot(root, "systemctl", "set-default", "multi-user.target")
    chroot(root, "systemctl", "disable", *[u for u in MASKED if "@" not in u], check=False)
    for link in glob.glob(os.path.join(root, "etc/systemd/system/getty.target.wants/*")):
        os.unlink(link)
    chroot(root, "systemctl", "mask", *MASKED)
    dev = os.path.join(root, "dev")
    os.makedirs(dev, exist_ok=True)
    if not os.path.exists(os.path.join(dev, "console")):
        os.mknod(os.path.join(dev, "console"), 0o600 | 0o020000, os.makedev(5, 1))


def base_root(packages=PACKAGES, suite=SUITE, refresh=False):
    """The cached Debian root (a directory) and its marker's facts: made by
    mmdebstrap once per (suite, packages, RECIPE)."""
    key = hashlib.sha256(json.dumps([suite, sorted(packages), RECIPE]).encode()).hexdigest()[:12]
    home = os.path.join(BASES, f"{suite}-{key}")
    root, marker = os.path.join(home, "root"), os.path.join(home, "ok.json")
    os.makedirs(home, exist_ok=True)
    with open(os.path.join(home, "lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(marker) and os.path.isdir(root) and not refresh:
            with open(marker) as f:
                return root, dict(json.load(f), cached=True)
        ensure_mmdebstrap()
        mirrors = apt_sources(suite)
        if not mirrors:
            raise Fail(f"no APT source for {suite} in /etc/apt/sources.list*")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(marker)
        new = root + ".new"
        for d in (new, root):
            shutil.rmtree(d, ignore_errors=True)
        argv = ["mmdebstrap", "--variant=minbase", "--include=" + ",".join(packages),
                "--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr",
                "--aptopt=APT::Install-Recommends \"false\""]
        argv += [f"--dpkgopt=path-exclude={p}" for p in DPKG_EXCLUDES]
        argv += [f"--dpkgopt=path-include={p}" for p in DPKG_INCLUDES]
        argv += [suite, new] + mirrors
        say(f"mmdebstrap {suite} minbase + {' '.join(packages)} (once; cached in "
            f"{os.path.relpath(home, ROOT)})")
        start = time.monotonic()
        log = os.path.join(home, "mmdebstrap.log")
        with open(log, "w") as f:
            r = subprocess.run(argv, stdout=f, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            tail = open(log).read()[-1500:]
            raise Fail(f"mmdebstrap: exit {r.returncode} (log {log}):\n{tail}")
        customize(new, key)
        os.rename(new, root)
        pkgs = chroot(root, "dpkg-query", "-W", "-f=${Package} ${Version}\n").stdout.split("\n")
        facts = {"suite": suite, "packages": sorted(packages), "recipe": RECIPE,
                 "installed": [p for p in pkgs if p], "bytes": du(root),
                 "build_s": round(time.monotonic() - start, 1)}
        with open(marker + ".tmp", "w") as f:
            json.dump(facts, f, indent=1)
        os.rename(marker + ".tmp", marker)
        return root, dict(facts, cached=False)


# ---------------------------------------------------------------- the guest

# Sourced by the runner and by every test script (bash).
LIB_SH = r"""# systemd_guest.py's helpers for test scripts
# section NAME COMMAND...: COMMAND's stdout and stderr between
# "=== BEGIN NAME" / "=== END NAME"; returns COMMAND's status
section() {
	local name=$1 rc out
	shift
	out=$(mktemp)
	"$@" >"$out" 2>&1
	rc=$?
	echo "=== BEGIN $name"
	cat "$out"
	[ -z "$(tail -c1 "$out")" ] || echo
	echo "=== END $name"
	rm -f "$out"
	return $rc
}
# wait_until SECONDS COMMAND...: run COMMAND every 0.5 s until it succeeds;
# 1 if it never did
wait_until() {
	local end=$(($(date +%s) + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt $end ] || return 1
		sleep 0.5
	done
}
# main_pid UNIT
main_pid() { systemctl show -p MainPID --value "$1"; }
# mark LABEL: "=== MARK <uptime s> LABEL", to see where the time went
mark() { echo "=== MARK $(cut -d' ' -f1 /proc/uptime) $*"; }
"""

RUNNER = r"""#!/bin/bash
# tfotest.service: wait for the boot to finish, say how it went, run the
# test script, then power off. Everything goes to ttyS1 through a pipe.
. @LIB@/lib.sh
boot_facts() {
	echo "state=$state"
	echo "kernel=$(uname -r)"
	echo "systemd=$(systemctl --version | head -1)"
	echo "pid1=$(cat /proc/1/comm)"
	echo "initrd_release=$(test -e /etc/initrd-release && echo yes || echo no)"
	echo "multi_user=$(systemctl is-active multi-user.target)"
	systemd-analyze time | sed 's/^/analyze=/'
	systemctl list-units --failed --plain --no-legend | sed 's/^/failed=/'
	if ! ip -o link show lo | grep -q '[<,]UP[,>]'; then
		ip link set lo up && echo "lo_set_up=yes"
	fi
	echo "lo=$(ip -o -br link show lo)"
	echo "lo_addr=$(ip -o -br addr show lo)"
	echo "links=$(ip -o -br link | wc -l)"
	echo "root_kib=$(df -k --output=used / | tail -1 | tr -d ' ')"
	echo "mem_kib=$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)"
}
main() {
	state=$(systemctl is-system-running --wait)
	echo "=== BOOTED $(cut -d' ' -f1 /proc/uptime) $state"
	section boot boot_facts
	bash -c '. @LIB@/lib.sh && . @LIB@/test.sh'
	echo "=== DONE $?"
}
main 2>&1 | cat >@TTY@
systemctl --no-block --job-mode=replace-irreversibly start poweroff.target
"""

TEST_UNIT = """[Unit]
Description=systemd_guest.py: the test script
After=network.target

[Service]
Type=exec
ExecStart=@LIB@/runner
Environment=SYSTEMD_COLORS=0 SYSTEMD_PAGER=cat TERM=dumb LC_ALL=C.UTF-8 COLUMNS=200

[Install]
WantedBy=multi-user.target
"""


class Result:
    """One boot: KERNEL (package), OUTPUT (ttyS1: the runner and the test
    script), CONSOLE (ttyS0: the kernel and systemd), SECTIONS (name ->
    lines), BOOT (the runner's boot facts, name -> value; analyze and
    failed are lists), RC (the script's exit status; None if it did not
    finish), TOOK (s, qemu's whole run; TIMED_OUT if it was killed), BOOTED (s from qemu's start until
    multi-user was reached and the runner spoke; None if never),
    CONSOLE_LOG and OUTPUT_LOG (their paths)."""

    def __init__(self, kernel, console, output, took, booted, console_log, output_log):
        self.kernel, self.console, self.output = kernel, console, output
        self.took, self.booted, self.timed_out = took, booted, False
        self.console_log, self.output_log = console_log, output_log
        self.sections = vm.sections(output)
        self.boot = {"analyze": [], "failed": []}
        for line in self.sections.get("boot", []):
            k, _, v = line.partition("=")
            if k in ("analyze", "failed"):
                self.boot[k].append(v)
            else:
                self.boot[k] = v
        m = re.search(r"^=== DONE (\d+)", output, re.M)
        self.rc = int(m.group(1)) if m else None

    def tail(self, n=25):
        """The last N lines of the test's output and of the console."""
        out = "\n".join(self.output.splitlines()[-n:])
        con = "\n".join(self.console.splitlines()[-n:])
        return f"output tail:\n{out}\nconsole tail:\n{con}"


class Guest:
    """A test guest: the cached base root plus what the add_* calls give,
    booted with boot(KERNEL_PACKAGE) as many times as wanted (the image is
    made at the first boot and reused). SCRIPT: bash, run as
    tfotest.service with lib.sh's helpers (section, wait_until, main_pid)."""

    def __init__(self, name, script="", packages=PACKAGES, suite=SUITE,
                 memory_mb=MEMORY_MB, cmdline=""):
        self.name, self.script = name, script
        self.packages, self.suite = packages, suite
        self.memory_mb, self.cmdline = memory_mb, cmdline
        self._files, self._debs, self._enable = [], [], []
        self._lock = threading.Lock()
        self._workdir = self._initrd = None
        self.facts = {}

    def add_file(self, src, dst, mode=None):
        """Host file SRC at guest path DST (its mode, or MODE). Files are
        added after the .debs are installed: they win over a package's."""
        self._files.append(("file", src, dst, mode))

    def add_text(self, dst, text, mode=0o644):
        self._files.append(("text", text, dst, mode))

    def add_unit(self, name, text, enable=False, directory="/etc/systemd/system"):
        """A unit file NAME in DIRECTORY (/lib/systemd/system for one as a
        package ships it); ENABLE: systemctl enable it (its [Install])."""
        self.add_text(f"{directory}/{name}", text)
        if enable:
            self.enable(name)

    def add_deb(self, path):
        """A .deb installed with dpkg -i in a chroot (its maintainer
        scripts run there, with no systemd running)."""
        self._debs.append(path)

    def enable(self, *units):
        """systemctl enable UNITS in the image, after files and .debs:
        started by the boot transaction, as on a machine that rebooted."""
        self._enable += units

    # -- the image

    def image(self):
        """The initramfs (made once): the base root, the .debs, the files,
        the runner and tfotest.service, the enabled units."""
        with self._lock:
            if self._initrd:
                return self._initrd
            base, facts = base_root(self.packages, self.suite)
            self.facts["base"] = facts
            self._workdir = tempfile.mkdtemp(prefix=f"{self.name}-", dir=BASES)
            try:
                return self._make(base)
            except BaseException:
                self.close()
                raise

    def _make(self, base):
        """Copy BASE, add what was asked, pack it."""
        start = time.monotonic()
        root = os.path.join(self._workdir, "root")
        subprocess.run(["cp", "-a", base, root], check=True)
        for deb in self._debs:
            shutil.copy(deb, os.path.join(root, "tmp"))
            r = chroot(root, "dpkg", "-i", "/tmp/" + os.path.basename(deb))
            os.unlink(os.path.join(root, "tmp", os.path.basename(deb)))
            self.facts.setdefault("dpkg", []).append(r.stdout.strip())
        for kind, what, dst, mode in self._files:
            target = os.path.join(root, dst.lstrip("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if kind == "file":
                shutil.copy(what, target)
                if mode is not None:
                    os.chmod(target, mode)
            else:
                write(root, dst, what, mode)
        lib = LIB.lstrip("/")
        write(root, f"{lib}/lib.sh", LIB_SH)
        write(root, f"{lib}/runner", RUNNER.replace("@LIB@", LIB).replace("@TTY@", OUT_TTY),
              0o755)
        write(root, f"{lib}/test.sh", self.script)
        write(root, "/etc/systemd/system/tfotest.service", TEST_UNIT.replace("@LIB@", LIB))
        chroot(root, "systemctl", "enable", "tfotest.service", *self._enable)
        self._initrd = pack(root, os.path.join(self._workdir, "initrd"))
        shutil.rmtree(root)
        self.facts["image_bytes"] = os.path.getsize(self._initrd)
        self.facts["image_s"] = round(time.monotonic() - start, 1)
        return self._initrd

    def close(self):
        if self._workdir:
            shutil.rmtree(self._workdir, ignore_errors=True)
        self._workdir = self._initrd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- a boot

    def boot(self, kernel, timeout=TIMEOUT_S, tag=None):
        """Boot KERNEL (a Debian kernel package: run.py's vmlinuz_of fetches
        it) until the guest powers off or TIMEOUT seconds pass; the logs
        are .cache/vm/logs/systemd-NAME-TAG.{console,out}.log."""
        initrd = self.image()
        vmlinuz = vm.vmlinuz_of(kernel)
        os.makedirs(LOGS, exist_ok=True)
        base = os.path.join(LOGS, f"systemd-{self.name}-{tag or kernel}")
        console_log, output_log = base + ".console.log", base + ".out.log"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(output_log)
        argv = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-smp", "1",
                "-m", str(self.memory_mb), "-nographic", "-no-reboot", "-nic", "none",
                "-kernel", vmlinuz, "-initrd", initrd,
                "-append", f"{CMDLINE} {self.cmdline}".strip(),
                "-serial", "mon:stdio", "-serial", f"file:{output_log}"]
        start = time.monotonic()
        booted, timed_out = None, False
        with open(console_log, "wb") as log:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT)
            while True:
                try:
                    proc.wait(timeout=0.25)
                    break
                except subprocess.TimeoutExpired:
                    pass
                if booted is None and b"=== BOOTED" in read_bytes(output_log):
                    booted = time.monotonic() - start
                if time.monotonic() - start > timeout:
                    proc.kill()
                    proc.wait()
                    timed_out = True
                    break
        took = time.monotonic() - start
        text = read_bytes(output_log).decode(errors="replace").replace("\r", "")
        if booted is None and "=== BOOTED" in text:
            booted = took
        console = read_bytes(console_log).decode(errors="replace").replace("\r", "")
        r = Result(kernel, console, text, took, booted, console_log, output_log)
        r.timed_out = timed_out
        return r


def read_bytes(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return b""


def pack(root, out):
    """ROOT as a newc cpio archive, zstd-compressed (gzip without zstd)."""
    comp = ["zstd", "-T0", "-3", "-q"] if shutil.which("zstd") else ["gzip", "-1"]
    out += ".zst" if comp[0] == "zstd" else ".gz"
    with open(out, "wb") as f:
        find = subprocess.Popen(["find", ".", "-print0"], cwd=root, stdout=subprocess.PIPE)
        cpio = subprocess.Popen(["cpio", "--null", "-o", "-H", "newc", "--quiet"], cwd=root,
                                stdin=find.stdout, stdout=subprocess.PIPE)
        z = subprocess.Popen(comp, stdin=cpio.stdout, stdout=f)
        find.stdout.close()
        cpio.stdout.close()
        if z.wait() or cpio.wait() or find.wait():
            raise Fail("packing the initramfs failed")
    return out


def judge_boot(j, r):
    """What every boot must show: multi-user reached under systemd, not as
    an initrd, nothing failed, loopback up, the script finished."""
    b = r.boot
    j.check("booted to multi-user", r.booted is not None, r.tail())
    if r.booted is None:
        return False
    j.eq("PID 1 is systemd", b.get("pid1"), "systemd")
    j.eq("not an initrd (no /etc/initrd-release)", b.get("initrd_release"), "no")
    j.eq("multi-user.target active", b.get("multi_user"), "active")
    j.eq("system state running (no failed unit)", (b.get("state"), b["failed"]), ("running", []))
    j.check("loopback up", re.search(r"^lo\s+UNKNOWN\s.*<LOOPBACK,UP,LOWER_UP>", b.get("lo", "")),
            b.get("lo"))
    j.check("loopback is the only link", b.get("links") == "1", b.get("links"))
    j.check("test script finished", r.rc is not None,
            ("killed after the timeout; " if r.timed_out else "") + r.tail())
    return True


# ---------------------------------------------------------------- our check

GO_UNIT = """[Unit]
Description=tfogo: a Go 1.24 server (a module before go 1.24) made MPTCP by its unit's GODEBUG

[Service]
Environment=GODEBUG=multipathtcp=2
ExecStart=/usr/local/bin/tfo-go-old -listen 127.0.0.1:18443

[Install]
WantedBy=multi-user.target
"""
GO_FRAGMENT = "/etc/systemd/system/tfogo.service"
OVERRIDE = "/etc/systemd/system/tfogo.service.d/override.conf"
PROM = "/var/lib/prometheus/node-exporter/tfotrace.prom"


def kv(lines):
    """KEY=VALUE lines (systemctl show, status_of) as a dict; repeated keys
    (environ=) as lists under KEY + 's'."""
    out = {}
    for line in lines:
        k, sep, v = line.partition("=") if "=" in line else line.partition(":")
        if not sep:
            continue
        if k in out or k == "environ":
            out.setdefault(k + "s", [out.pop(k)] if k in out else []).append(v)
        else:
            out[k] = v.strip()
    return out


def marks(r):
    return {m.group(2): float(m.group(1))
            for m in re.finditer(r"^=== MARK (\S+) (.*)$", r.output, re.M)}


def judge_tfotrace(j, r):
    """tfotrace.service as the .deb ships it, under bookworm's systemd."""
    sec = r.sections
    old_kernel = r.boot.get("kernel", "").startswith("6.1.")
    inst = sec.get("install", [])
    j.check("tfotrace installed by dpkg -i",
            any(re.match(r"tfotrace \S+ install ok installed$", l) for l in inst), inst)
    j.check("bpftool installed (the .deb recommends it)",
            any(re.match(r"bpftool \S+ install ok installed$", l) for l in inst), inst)
    j.eq("not enabled on install", sec.get("tfotrace is-enabled"), ["disabled"])
    entries = vm.json_lines(sec.get("tfotrace journal", []))
    own = [e for e in entries if e.get("SYSLOG_IDENTIFIER") == "tfotrace"]
    stderr = [e["MESSAGE"] for e in own if str(e.get("MESSAGE", "")).startswith("tfotrace:")]
    attached = [m for m in stderr if "attached in" in m]
    mode = re.search(r"attached in (\S+) mode", attached[0]).group(1) if attached else None
    j.check("attached (journalctl -u tfotrace: 'tfotrace: attached in ... mode')", attached,
            "\n".join(sec.get("tfotrace journal", [])[-20:]) or r.tail())
    j.eq("attach mode", mode, "fentry")
    j.eq("systemctl is-active tfotrace", sec.get("tfotrace is-active"), ["active"])
    main = kv(sec.get("tfotrace main status", []))
    for cap in ("CapEff", "CapPrm", "CapInh", "CapAmb", "CapBnd"):
        j.eq(f"main process {cap} 0 after the drop", main.get(cap), "0" * 16)
    j.eq("main process NoNewPrivs", main.get("NoNewPrivs"), "1")
    j.eq("main process seccomp filter (SystemCallFilter=)", main.get("Seccomp"), "2")
    helper = kv(sec.get("tfotrace helper status", []))
    j.eq("helper keeps CAP_SYS_PTRACE alone: CapEff", helper.get("CapEff"), "0000000000080000")
    j.eq("helper CapPrm", helper.get("CapPrm"), "0000000000080000")
    j.check("helper is the main process's child",
            helper.get("PPid") and helper.get("PPid") == main.get("Pid"),
            (helper.get("PPid"), main.get("Pid")))
    # the Go-style listener's finding: first seen, in the journal, as JSON
    try:
        server, done = vm.scenario(sec, "scenario")
    except vm.Fail as exc:
        j.check("scenario", False, str(exc))
        return
    j.eq("the listener's setsockopt(TCP_FASTOPEN) errno", server["tfo_errno"],
         92 if old_kernel else 0)
    messages = [e.get("MESSAGE", "") for e in own if not str(e.get("MESSAGE", "")).startswith("tfotrace:")]
    not_json = [m for m in messages if not (isinstance(m, str) and m.startswith("{"))]
    j.eq("stdout: every journal line is JSON", not_json, [])
    objs = vm.json_lines(messages)
    j.eq("stdout lines parse", len(objs), len(messages))
    j.check("journal entries of stdout (_TRANSPORT=stdout, SYSLOG_IDENTIFIER=tfotrace)",
            own and all(e.get("_TRANSPORT") == "stdout" for e in own),
            {e.get("_TRANSPORT") for e in own})
    want = "mptcp-tfo-rejected" if old_kernel else "tfo-ok"
    finds = [o for o in objs if o.get("type") == "finding" and o.get("port") == server["port"]]
    j.check(f"finding {want} for the listener in the journal",
            finds and finds[0].get("kind") == want, [o.get("kind") for o in finds])
    if finds:
        j.eq("its pid", finds[0].get("pid"), server["pid"])
        # the listener's systemd unit, from its cgroup: the test script's
        j.eq("its unit", finds[0].get("unit"), "tfotest.service")
    final = [o for o in finds if o.get("final")]
    j.eq("one final finding once the listener closed", [o.get("kind") for o in final], [want])
    if final:
        j.eq("final cookie_requests = the kernel's TCPFastOpenCookieReqd delta",
             final[0].get("cookie_requests"), done["delta"]["TCPFastOpenCookieReqd"])
        j.eq("final tfo_accepted = the kernel's TCPFastOpenPassive delta",
             final[0].get("tfo_accepted"), done["delta"]["TCPFastOpenPassive"])
        if old_kernel:
            j.check("advice: tcp_fastopen=0x403 first",
                    "tcp_fastopen=0x403" in (final[0].get("advice") or [""])[0],
                    final[0].get("advice"))
    # the metrics, while the listener was there
    prom = sec.get("prom while listening", [])
    port = f'port="{server["port"]}"'
    queue = [l for l in prom if l.startswith("tfotrace_listener_tfo_queue_max{") and port in l]
    j.check("metrics: the listener's TFO queue", queue and queue[0].endswith(
        " 0" if old_kernel else " 256"), queue or prom[-15:])
    if old_kernel:
        j.check("metrics: tfotrace_finding{kind=\"mptcp-tfo-rejected\"} 1 for it",
                any(l.startswith('tfotrace_finding{kind="mptcp-tfo-rejected",') and port in l
                    and l.endswith(" 1") for l in prom), prom[-15:])
    else:
        j.check("metrics: tfotrace_findings{kind=\"tfo-ok\"} >= 1",
                any(re.match(r'tfotrace_findings\{kind="tfo-ok"\} [1-9]', l) for l in prom),
                prom[-15:])
    after = sec.get("prom after stop", [])
    j.check(f"metrics file {PROM} 0644, root's", after and after[0] == "mode=644 owner=root", after[:1])
    # systemctl stop: a clean exit
    j.eq("systemctl stop: inactive", sec.get("tfotrace stopped"), ["inactive"])
    j.eq("systemctl stop: exit status 0 (systemd's debug log)", sec.get("tfotrace exit"),
         ["tfotrace.service: Main process exited, code=exited, status=0/SUCCESS (success)"])
    j.check("systemd: deactivated successfully",
            "tfotrace.service: Deactivated successfully." in sec.get("systemd about tfotrace", []),
            sec.get("systemd about tfotrace"))
    j.check("a summary at exit", any(o.get("type") == "summary" for o in objs),
            [o.get("type") for o in objs])
    # the sandbox: nothing from systemd about the unit but starting and stopping
    ours = sec.get("systemd about tfotrace", [])
    routine = re.compile(r"^(Starting|Started|Stopping|Stopped) tfotrace|"
                         r"^tfotrace\.service: (Deactivated successfully|Consumed .*)\.?$")
    j.eq("systemd: no complaint about the unit", [l for l in ours if not routine.search(l)], [])
    j.eq("tfotrace: no warning on stderr",
         [m for m in stderr if re.search(r"warn|error|fail|denied|not permitted", m, re.I)], [])
    sec_lines = sec.get("tfotrace security", [])
    score = next((m.group(1) for l in sec_lines for m in
                  [re.search(r"Overall exposure level for tfotrace\.service: ([0-9.]+)", l)] if m), None)
    j.check("systemd-analyze security: exposure at most 3.5",
            score is not None and float(score) <= 3.5, score or sec_lines[-3:])


def judge_tfogo(j, r):
    """(f): a Go server whose unit's Environment= makes it MPTCP, started
    before tfotrace: named with its unit, Go version and where its MPTCP
    came from (the unit's Environment=); on 6.1 the fix tfotrace printed,
    applied as written (systemctl edit, the restart), gives a TCP listener
    and TFO, and tfotrace says tfo-ok for it."""
    sec = r.sections
    old_kernel = r.boot.get("kernel", "").startswith("6.1.")
    before = kv(sec.get("tfogo before", []))
    ready = vm.json_lines(sec.get("tfogo before", []))
    j.eq("tfogo environ before", before.get("environs"), ["GODEBUG=multipathtcp=2"])
    j.eq("tfogo listens with MPTCP", ready[-1].get("proto") if ready else None, 262)
    clients = vm.json_lines(sec.get("tfogo clients", []))
    j.check("tfogo answered its clients", clients and clients[-1]["answered"] == clients[-1]["clients"],
            clients)
    fins = vm.json_lines(sec.get("tfogo findings", []))
    want = "mptcp-tfo-rejected" if old_kernel else "tfo-ok"
    first = next((f for f in fins if f.get("kind") == want), None)
    j.check(f"tfogo: {want} in the journal", first, [f.get("kind") for f in fins])
    if not first:
        return
    j.eq("tfogo named: pid, Go, unit",
         (first.get("pid"), first.get("go_version"), first.get("unit")),
         (int(before.get("pid", 0)), ready[-1].get("go") if ready else None, "tfogo.service"))
    j.eq("tfogo: its MPTCP from its environment",
         (first.get("mptcp_source"), first.get("mptcp_setting")),
         ("environment", "GODEBUG=multipathtcp=2"))
    json_fix = kv(sec.get("tfogo fix", []))
    if not old_kernel:
        j.eq("tfogo: nothing to fix on this kernel", json_fix, {})
        return
    advice = (first.get("advice") or ["", ""])[1]
    j.check("tfogo: the fix says where GODEBUG is set",
            f"(its GODEBUG is set by Environment= in {GO_FRAGMENT})" in advice, advice)
    j.eq("tfogo: the fix as printed",
         [json_fix.get(k) for k in ("unit", "line", "restart")],
         ["tfogo.service", "Environment=GODEBUG=multipathtcp=0", "systemctl restart tfogo.service"])
    j.eq("systemctl edit wrote the drop-in", sec.get("tfogo override.conf"),
         ["[Service]", "Environment=GODEBUG=multipathtcp=0"])
    after = kv(sec.get("tfogo after", []))
    ready = vm.json_lines(sec.get("tfogo after", []))
    j.check("restarted: a new process", after.get("pid") not in (None, "0", before.get("pid")),
            (before.get("pid"), after.get("pid")))
    j.eq("tfogo environ after the fix", after.get("environs"), ["GODEBUG=multipathtcp=0"])
    j.eq("systemctl show after", [after.get(k) for k in ("Environment", "DropInPaths")],
         ["GODEBUG=multipathtcp=0", OVERRIDE])
    j.eq("tfogo after the fix: a TCP listener, TCP_FASTOPEN taken",
         (ready[-1].get("proto"), ready[-1].get("tfo_errno")) if ready else None, (6, 0))
    done = vm.json_lines(sec.get("tfogo fixed clients", []))
    if done:
        d = done[-1]["delta"]
        j.eq("tfogo after the fix: every client answered", done[-1]["answered"],
             done[-1]["clients"])
        j.eq("tfogo after the fix: TFO works (Passive = clients - CookieReqd)",
             d["TCPFastOpenPassive"], done[-1]["clients"] - d["TCPFastOpenCookieReqd"])
    fixed = [f for f in vm.json_lines(sec.get("tfogo fixed findings", []))
             if f.get("pid") == int(after.get("pid") or 0)]
    j.eq("tfotrace: tfo-ok for it and nothing wrong",
         sorted({(f.get("kind"), f.get("proto")) for f in fixed}), [("tfo-ok", "TCP")])


def tfotrace_guest(deb, scenario):
    sys.path.insert(0, os.path.join(ROOT, "tests", "real"))
    import golang
    g = Guest("tfotrace", script=open(os.path.join(HERE, "systemd-tfotrace.sh")).read())
    g.add_deb(deb)
    g.add_file(scenario, "/usr/local/bin/tfo_scenario", 0o755)
    g.add_file(os.path.join(os.path.dirname(scenario), "tfo_client"),
               "/usr/local/bin/tfo_client", 0o755)
    g.add_file(golang.build("tfo-go-old"), "/usr/local/bin/tfo-go-old", 0o755)
    g.add_unit("tfogo.service", GO_UNIT, enable=True)
    return g


# ---------------------------------------------------------------- CLI

def skip_reason():
    if os.geteuid() != 0:
        return "needs root (mmdebstrap, chroot, qemu)"
    for tool in ("qemu-system-x86_64", "cpio", "apt-get", "dpkg-deb", "chroot"):
        if not shutil.which(tool):
            return f"{tool} is not installed (make deps)"
    return None


def default_kernels():
    """The 6.1 kernel linux-image-amd64 depends on and the newest 6.12."""
    return [k for k in vm.default_kernels() if "-cloud-" not in k]


def newest_deb():
    debs = sorted(glob.glob(os.path.join(ROOT, "build", "deb", "tfotrace_*.deb")),
                  key=os.path.getmtime)
    return debs[-1] if debs else None


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", action="append",
                    help="kernel package(s) (default: linux-image-amd64's 6.1 and the newest 6.12)")
    ap.add_argument("--deb", help="tfotrace's .deb (default: the newest build/deb/tfotrace_*.deb)")
    ap.add_argument("--scenario", default=os.path.join(ROOT, "build", "tests", "tfo_scenario"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=TIMEOUT_S, help="per boot, seconds")
    ap.add_argument("--refresh", action="store_true", help="rebuild the cached root")
    ap.add_argument("--build-only", action="store_true", help="make the cached root and stop")
    args = ap.parse_args(argv)
    reason = skip_reason()
    if reason:
        print(f"SKIPPED: {reason}")
        return 77
    start = time.monotonic()
    results = []
    guest = None
    try:
        _, facts = base_root(refresh=args.refresh)
        say(f"root: {facts['bytes'] / 2**20:.0f} MiB, {len(facts['installed'])} packages, "
            + ("cached" if facts["cached"] else f"built in {facts['build_s']} s"))
        if args.build_only:
            return 0
        deb = args.deb or newest_deb()
        for what, path in (("the .deb (make deb)", deb), ("tfo_scenario", args.scenario)):
            if not path or not os.path.exists(path):
                raise Fail(f"{what} is missing: {path}")
        kernels = args.kernel or default_kernels()
        for k in kernels:
            vm.vmlinuz_of(k)
        guest = tfotrace_guest(deb, args.scenario)
        guest.image()
        say(f"image: {os.path.basename(deb)} installed, {guest.facts['image_bytes'] / 2**20:.0f} MiB "
            f"initramfs (zstd), made in {guest.facts['image_s']} s")

        def one(kernel):
            r = guest.boot(kernel, timeout=args.timeout)
            m = marks(r)
            booted = f"{r.booted:.0f}" if r.booted is not None else "never"
            say(f"{kernel}: multi-user after {booted} s (host, from qemu's start); "
                f"{' '.join(r.boot['analyze']) or 'no systemd-analyze'}; "
                f"guest ran {r.took:.0f} s")
            if "tfotrace start" in m and "tfotrace attached" in m:
                say(f"{kernel}: systemctl start tfotrace to 'attached': "
                    f"{m['tfotrace attached'] - m['tfotrace start']:.1f} s")
            say(f"{kernel}: console {os.path.relpath(r.console_log, ROOT)}, "
                f"output {os.path.relpath(r.output_log, ROOT)}")
            j = vm.Judge(kernel)
            if judge_boot(j, r):
                judge_tfotrace(j, r)
                judge_tfogo(j, r)
            return j.results

        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = {pool.submit(one, k): k for k in kernels}
            for fut in concurrent.futures.as_completed(futures):
                try:
                    results += fut.result()
                except vm.Fail as exc:
                    results.append((f"{futures[fut]} boot", False, str(exc)))
    except vm.Fail as exc:
        results.append(("setup", False, str(exc)))
    finally:
        if guest:
            guest.close()
    for name, ok, why in results:
        print(f"ok - {name}" if ok else f"not ok - {name}: {why}")
    failed = sum(1 for _, ok, _ in results if not ok)
    say(f"systemd guest time {time.monotonic() - start:.0f} s")
    print(f"systemd-guest: {len(results) - failed} passed, {failed} failed")
    return 0 if failed == 0 and results else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
