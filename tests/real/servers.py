# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Real servers from Debian's archive for the tests: fetched with
`apt-get download` into .cache/real (never committed), extracted there, and
run from there with the libraries the host lacks.

    import servers
    hp = servers.haproxy()     # {"binary":..., "env":{...}, "libs":[...]}

haproxy runs in master-worker mode; tests/real/mptcpize.c (built as
build/tests/libmptcpize.so) makes its listener MPTCP, as mptcpize does and
as Go >= 1.24 does for its listeners.
"""

import glob
import os
import re
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.path.join(ROOT, ".cache", "real")
EXTRACTED = os.path.join(CACHE, "root")
LIBDIRS = [os.path.join(EXTRACTED, d) for d in ("usr/lib/x86_64-linux-gnu", "lib/x86_64-linux-gnu")]
SHIM = os.path.join(ROOT, "build", "tests", "libmptcpize.so")

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
