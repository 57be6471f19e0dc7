# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Real servers from Debian's archive for the tests: fetched with
`apt-get download` into .cache/real (never committed), extracted there, and
run from there with the libraries the host lacks.

    import servers
    hp = servers.haproxy()     # {"binary":..., "env":{...}, "libs":[...]}
    mz = servers.mptcpize()    # Debian's mptcpize: {"files": {real path: cached}, ...}

haproxy runs in master-worker mode; Debian's `mptcpize run` makes its
listener MPTCP, as Go >= 1.24 does for its own listeners.
"""

import glob
import os
import re
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.path.join(ROOT, ".cache", "real")
EXTRACTED = os.path.join(CACHE, "root")
LIBDIRS = [os.path.join(EXTRACTED, d) for d in ("usr/lib/x86_64-linux-gnu", "lib/x86_64-linux-gnu")]

# haproxy and the libraries a fresh Debian 12 lacks for it; any other
# missing one is fetched by its soname, the Debian policy way.
HAPROXY_PACKAGES = ["haproxy", "liblua5.3-0", "libopentracing-c-wrapper0", "libopentracing1"]


class FetchError(Exception):
    pass


def _installed(pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True)
    return r.returncode == 0 and "ok installed" in r.stdout


def _fetch(pkg):
    """PKG's .deb into the cache (once), extracted into EXTRACTED."""
    os.makedirs(CACHE, exist_ok=True)
    debs = glob.glob(os.path.join(CACHE, f"{pkg}_*.deb"))
    if not debs:
        r = subprocess.run(["apt-get", "download", pkg], cwd=CACHE, capture_output=True, text=True)
        debs = glob.glob(os.path.join(CACHE, f"{pkg}_*.deb"))
        if r.returncode != 0 or not debs:
            raise FetchError(f"apt-get download {pkg}: {r.stderr.strip()[-300:]}")
        subprocess.run(["dpkg", "-x", debs[0], EXTRACTED], check=True)
    elif not os.path.isdir(EXTRACTED):
        subprocess.run(["dpkg", "-x", debs[0], EXTRACTED], check=True)


def _package_of_soname(soname):
    """libfoo.so.3 -> libfoo3; libfoo2.so.0 -> libfoo2-0 (Debian policy 8.1)."""
    m = re.match(r"(lib.+)\.so\.(\d+)$", soname)
    if not m:
        return None
    name, ver = m.groups()
    return f"{name}-{ver}" if name[-1].isdigit() else f"{name}{ver}"


def env():
    return {"LD_LIBRARY_PATH": ":".join(LIBDIRS)}


def ldd(binary):
    """{soname: path or None} of BINARY with the extracted libraries."""
    r = subprocess.run(["ldd", binary], capture_output=True, text=True,
                       env=dict(os.environ, **env()))
    out = {}
    for line in r.stdout.splitlines():
        m = re.match(r"\s*(\S+) => (not found|(\S+))", line)
        if m:
            out[m.group(1)] = m.group(3)
        m = re.match(r"\s*(/\S+) \(", line)
        if m:
            out[os.path.basename(m.group(1))] = m.group(1)
    return out


def haproxy():
    """Fetch haproxy once; its binary, the environment that runs it and
    every library it loads (for a guest's initramfs)."""
    binary = os.path.join(EXTRACTED, "usr", "sbin", "haproxy")
    for pkg in HAPROXY_PACKAGES:
        if pkg == "haproxy" or not _installed(pkg):
            _fetch(pkg)
    for _ in range(4):
        missing = [s for s, p in ldd(binary).items() if p is None]
        if not missing:
            break
        for soname in missing:
            pkg = _package_of_soname(soname)
            if not pkg:
                raise FetchError(f"haproxy needs {soname}: no package name for it")
            _fetch(pkg)
    libs = ldd(binary)
    missing = [s for s, p in libs.items() if p is None]
    if missing:
        raise FetchError(f"haproxy still lacks {missing}")
    return {"binary": binary, "env": env(), "libs": sorted(set(libs.values()))}


HAPROXY_CONFIG = """global
    master-worker
    nbthread 1
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{port} tfo
    http-request return status 200 content-type text/plain string "ok"
"""


def haproxy_config(path, port):
    """A master-worker haproxy answering HTTP on 127.0.0.1:PORT, asking for
    TCP Fast Open on its listener (`tfo`)."""
    with open(path, "w") as f:
        f.write(HAPROXY_CONFIG.format(port=port))


# Debian 12's mptcpize (mptcpd 0.12): `mptcpize run [-d] CMD ARGS` execvpe()s
# CMD with the caller's environment less every LD_PRELOAD entry, plus
# LD_PRELOAD=MPTCPWRAP (and MPTCPWRAP_DEBUG=1 with -d): an LD_PRELOAD the
# caller had is replaced, not kept, and GODEBUG is left alone (newer mptcpd
# appends to LD_PRELOAD and sets GODEBUG=multipathtcp=1; 0.12 does neither).
# libmptcpwrap's socket() turns AF_INET/AF_INET6 SOCK_STREAM with protocol 0
# or IPPROTO_TCP into IPPROTO_MPTCP (a raw syscall, no fallback), so it acts
# on programs that call libc's socket(): not on Go programs (no libc).
# `mptcpize enable|disable UNIT` rewrites the unit's file in place (UNIT if
# it is a readable path, else `systemctl show -p FragmentPath UNIT`, so the
# vendor file under /lib/systemd/system, no drop-in) through a temporary
# /tmp/unit_XXXXXX that it never removes, then runs `systemctl
# daemon-reload`. Every line beginning with "Environment=" is dropped, in any
# section; enable writes the single line
#   Environment=LD_PRELOAD=/usr/lib/x86_64-linux-gnu/mptcpize/libmptcpwrap.so.0.0.1
# in place of the first such line or right after the first "[Service]" line,
# whichever comes first. So enabling Debian 12's haproxy.service deletes its
# Environment="CONFIG=..." "PIDFILE=..." "EXTRAOPTS=..." line, and disable
# does not bring it back.
MPTCPIZE_PACKAGES = ["mptcpize", "libmptcpwrap0"]
MPTCPIZE = "/usr/bin/mptcpize"
MPTCPWRAP = "/usr/lib/x86_64-linux-gnu/mptcpize/libmptcpwrap.so.0.0.1"
MPTCPIZE_FILES = [MPTCPIZE, MPTCPWRAP, "/usr/lib/x86_64-linux-gnu/mptcpize/libmptcpwrap.so.0"]


def mptcpize():
    """Fetch Debian's mptcpize and libmptcpwrap0 once. mptcpize hard-codes
    MPTCPWRAP, so a copy runs as mptcpize only where the library is at that
    path: "files" maps each real path to its cached copy (the VM suite
    places them so in a guest); "installed" tells whether this machine has
    both packages installed (then MPTCPIZE itself is the one to run)."""
    for pkg in MPTCPIZE_PACKAGES:
        _fetch(pkg)
    files = {p: os.path.join(EXTRACTED, p.lstrip("/")) for p in MPTCPIZE_FILES}
    if not all(os.path.lexists(c) for c in files.values()):
        for pkg in MPTCPIZE_PACKAGES:
            subprocess.run(["dpkg", "-x", glob.glob(os.path.join(CACHE, f"{pkg}_*.deb"))[0],
                            EXTRACTED], check=True)
    return {"binary": files[MPTCPIZE], "library": files[MPTCPWRAP], "files": files,
            "preload": MPTCPWRAP,
            "installed": all(_installed(p) for p in MPTCPIZE_PACKAGES)}
