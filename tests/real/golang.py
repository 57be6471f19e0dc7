# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Go 1.24 at test time, and the small Go servers of tests/real/go built
with it (never committed: everything lands under .cache/go).

Debian 12 has no Go >= 1.24 (bookworm-backports stops at 1.23, too old for
the MPTCP listener default); Debian 13 (trixie) ships golang-1.24-go and
golang-1.24-src. They are fetched with `apt-get download` through a private
sources list for the `trixie` suite of the mirror this machine's apt already
uses (its URI read at run time), with apt's lists and cache under .cache/go,
so the system's apt state is untouched; `dpkg -x` extracts them into
.cache/go/root. A built server is cached under .cache/go/bin by a hash of
its sources and the toolchain's version: a second run costs nothing.

    import golang
    path = golang.build("tfo-go-default")   # .cache/go/bin/tfo-go-default-<hash>
    golang.SERVERS                           # the variants, see below

Each server answers "ok" to any HTTP request on -listen ADDR:PORT, sets
TCP_FASTOPEN (qlen 256) in its ListenConfig.Control as Xray-core does, and
prints one JSON line first: {"op":"ready","pid","port","proto" (SO_PROTOCOL
of the listener: 262 MPTCP, 6 TCP),"tfo_errno" (of the setsockopt on that
socket),"controls" (every Control call: proto, errno),"mptcp","go","godebug"}.

    python3 tests/real/golang.py            # build all, print their paths
    python3 tests/real/golang.py --check    # build all, run each variant here

--check (tests/real/check_go.py) runs every variant in a fresh network
namespace against build/tests/tfo_client (made if missing), and haproxy
from Debian under Debian's own `mptcpize run`.
"""

import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = os.path.join(ROOT, "tests", "real", "go")
CACHE = os.path.join(ROOT, ".cache", "go")
APT = os.path.join(CACHE, "apt")
DEBS = os.path.join(CACHE, "debs")
EXTRACTED = os.path.join(CACHE, "root")
GOROOT = os.path.join(EXTRACTED, "usr", "lib", "go-1.24")
GO = os.path.join(GOROOT, "bin", "go")
BIN = os.path.join(CACHE, "bin")

SUITE = "trixie"
PACKAGES = ["golang-1.24-go", "golang-1.24-src"]
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"

# The variants: name -> what it is. (d) is tfo-go-default run with
# GODEBUG=x509sha1=1 in its environment: no code of its own.
SERVERS = {
    "tfo-go-default": "go 1.24 module: MPTCP listener by Go's default; Control logs and "
                      "swallows the TCP_FASTOPEN error (Xray-core's way)",
    "tfo-go-old": "the same code in a go 1.22 module: DefaultGODEBUG multipathtcp=0, "
                  "TCP unless GODEBUG=multipathtcp=1|2",
    "tfo-go-setmptcp": "go 1.24 module calling ListenConfig.SetMultipathTCP(true): "
                       "MPTCP even with GODEBUG=multipathtcp=0",
    "tfo-go-return": "go 1.24 module whose Control returns the error: Go retries with "
                     "plain TCP where MPTCP refuses TCP_FASTOPEN (< 6.2)",
}


class GoError(Exception):
    pass


def _log(msg):
    print(f"golang: {msg}", file=sys.stderr, flush=True)


# --- the mirror this machine uses ------------------------------------------

def _deb822_stanzas(text):
    stanza, key = {}, None
    for line in text.splitlines() + [""]:
        if not line.strip():
            if stanza:
                yield stanza
            stanza, key = {}, None
        elif line.startswith("#"):
            continue
        elif line[0] in " \t" and key:
            stanza[key] += " " + line.strip()
        elif ":" in line:
            key, value = line.split(":", 1)
            key = key.strip().lower()
            stanza[key] = value.strip()


def mirror_uri():
    """The URI of the Debian archive this machine's apt uses (not its
    security archive): from /etc/apt/sources.list.d/*.sources (deb822) or
    /etc/apt/sources.list."""
    found = []
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        with open(path) as f:
            for s in _deb822_stanzas(f.read()):
                if s.get("enabled", "yes").lower() == "no" or "deb" not in s.get("types", "").split():
                    continue
                suites = s.get("suites", "").split()
                for uri in s.get("uris", "").split():
                    found.append((uri, suites))
    lists = ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list"))
    for path in lists:
        try:
            with open(path) as f:
                lines = f.read().splitlines()
        except OSError:
            continue
        for line in lines:
            m = re.match(r"\s*deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+(\S+)", line)
            if m:
                found.append((m.group(1), [m.group(2)]))
    for uri, suites in found:
        if any(not re.search(r"[-/](security|updates|backports)$", s) for s in suites) \
                and "security" not in uri:
            return uri.rstrip("/")
    raise GoError("no Debian archive URI in /etc/apt/sources.list{,.d/}")


# --- the toolchain -----------------------------------------------------------

def _apt_options():
    return ["-o", f"Dir::Etc::sourcelist={os.path.join(APT, 'sources.list')}",
            "-o", "Dir::Etc::sourceparts=-",
            "-o", f"Dir::State::Lists={os.path.join(APT, 'lists')}",
            "-o", f"Dir::Cache={os.path.join(APT, 'cache')}",
            # the cache is root's: apt's _apt user could not write there
            "-o", "APT::Sandbox::User=root"]


def _run(argv, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise GoError(f"{' '.join(argv[:3])}...: exit {r.returncode}: "
                      f"{(r.stderr or r.stdout).strip()[-400:]}")
    return r.stdout


def go_env():
    """The environment every go command here runs with: our GOROOT, no
    toolchain switch, no network, caches under .cache/go, nothing of the
    user's Go configuration."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GO")}
    env.update({
        "GOROOT": GOROOT,
        "GOTOOLCHAIN": "local",
        "CGO_ENABLED": "0",
        "GOFLAGS": "-mod=mod",
        "GOCACHE": os.path.join(CACHE, "gocache"),
        "GOPATH": os.path.join(CACHE, "gopath"),
        "GOPROXY": "off",
        "GOSUMDB": "off",
        "GOWORK": "off",
        "GOENV": "off",
        "XDG_CONFIG_HOME": os.path.join(CACHE, "config"),  # go telemetry's files
        "PATH": os.path.join(GOROOT, "bin") + ":" + os.environ.get("PATH", "/usr/bin:/bin"),
    })
    return env


def _toolchain_works():
    if not os.access(GO, os.X_OK):
        return None
    r = subprocess.run([GO, "env", "GOROOT"], capture_output=True, text=True, env=go_env())
    if r.returncode != 0 or os.path.realpath(r.stdout.strip()) != os.path.realpath(GOROOT):
        return None
    r = subprocess.run([GO, "version"], capture_output=True, text=True, env=go_env())
    m = re.match(r"go version (go1\.24\S*)", r.stdout)
    return m.group(1) if r.returncode == 0 and m else None


def toolchain():
    """Fetch and extract Go 1.24 once; its version ("go1.24.4")."""
    version = _toolchain_works()
    if version:
        return version
    os.makedirs(DEBS, exist_ok=True)
    debs = {p: glob.glob(os.path.join(DEBS, f"{p}_*.deb")) for p in PACKAGES}
    if not all(debs.values()):
        for d in ("lists/partial", "cache/archives/partial"):
            os.makedirs(os.path.join(APT, d), exist_ok=True)
        with open(os.path.join(APT, "sources.list"), "w") as f:
            f.write(f"deb [signed-by={KEYRING}] {mirror_uri()} {SUITE} main\n")
        t = time.monotonic()
        _run(["apt-get", *_apt_options(), "update"])
        _run(["apt-get", *_apt_options(), "download", *PACKAGES], cwd=DEBS)
        _log(f"apt-get update + download of {' '.join(PACKAGES)}: {time.monotonic() - t:.1f} s")
        debs = {p: glob.glob(os.path.join(DEBS, f"{p}_*.deb")) for p in PACKAGES}
        if not all(debs.values()):
            raise GoError(f"apt-get download left {os.listdir(DEBS)}")
    shutil.rmtree(EXTRACTED, ignore_errors=True)
    for p in PACKAGES:
        _run(["dpkg", "-x", sorted(debs[p])[-1], EXTRACTED])
    version = _toolchain_works()
    if not version:
        raise GoError(f"{GO} does not run as Go 1.24 with GOROOT={GOROOT}")
    return version


# --- the servers -------------------------------------------------------------

def _sources(name):
    """go.mod and the .go files of module NAME (symlinks followed)."""
    d = os.path.join(SRC, name)
    files = sorted(f for f in os.listdir(d) if f == "go.mod" or f.endswith(".go"))
    if "go.mod" not in files:
        raise GoError(f"{d} has no go.mod")
    return [os.path.join(d, f) for f in files]


def _key(name, version):
    h = hashlib.sha256(f"{version}\0{name}\0".encode())
    for path in _sources(name):
        with open(path, "rb") as f:
            h.update(os.path.basename(path).encode() + b"\0" + f.read() + b"\0")
    return h.hexdigest()[:16]


def build(name):
    """The path of server NAME (a directory of tests/real/go), built once
    per content of its sources and toolchain version."""
    version = toolchain()
    out = os.path.join(BIN, f"{name}-{_key(name, version)}")
    if os.access(out, os.X_OK):
        return out
    os.makedirs(BIN, exist_ok=True)
    tmp = f"{out}.tmp{os.getpid()}"
    t = time.monotonic()
    _run([GO, "build", "-o", tmp, "."], cwd=os.path.join(SRC, name), env=go_env())
    os.replace(tmp, out)
    for old in glob.glob(os.path.join(BIN, f"{name}-*")):
        if old != out and re.fullmatch(r"[0-9a-f]{16}", old[len(os.path.join(BIN, name)) + 1:]):
            os.unlink(old)
    _log(f"built {name} in {time.monotonic() - t:.1f} s")
    return out


def build_all():
    return {name: build(name) for name in SERVERS}


def build_info(binary):
    """`go version -m BINARY`: {"go": ..., "DefaultGODEBUG": ..., ...}."""
    out = _run([GO, "version", "-m", binary], env=go_env())
    info = {"go": out.split(":", 1)[1].split()[0] if ":" in out else None}
    for line in out.splitlines():
        f = line.split(None, 1)
        if len(f) == 2 and f[0] == "build" and "=" in f[1]:
            k, v = f[1].split("=", 1)
            info[k] = v
    return info


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import check_go
        sys.exit(check_go.main())
    for name, path in build_all().items():
        print(name, path)
