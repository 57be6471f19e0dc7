# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Live tests of the production watch: the kernel records only what a
finding needs and counts the rest, --all and --failed decide in the kernel
too, --findings prints findings as they evolve, the packaged unit's command
line stays quiet under load, and the BTF cache keeps start-up from parsing
the kernel's BTF. Imported by run.py."""
import glob
import json
import lzma
import os
import re
import shutil
import signal
import struct
import subprocess
import time

import run as R

CALLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "calls.py")
SOL_SOCKET, SOL_TCP = 1, 6
SO_REUSEADDR, TCP_NODELAY, TCP_USER_TIMEOUT = 2, 1, 18
TCP_FASTOPEN, TCP_FASTOPEN_CONNECT, TCP_FASTOPEN_KEY, TCP_FASTOPEN_NO_COOKIE = 23, 30, 33, 34
TFO_OPTIONS = (TCP_FASTOPEN, TCP_FASTOPEN_CONNECT, TCP_FASTOPEN_KEY, TCP_FASTOPEN_NO_COOKIE)
AF_INET, SOCK_STREAM, TCP, MPTCP = 2, 1, 6, 262


class Calls:
    """tests/live/calls.py in a network namespace of its own."""

    def __init__(self, calls, sysctls=()):
        argv = ["unshare", "-n", "python3", CALLS]
        for s in sysctls:
            argv += ["--sysctl", s]
        argv += [json.dumps(c) for c in calls]
        self.proc = R.spawn(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
        line = self.proc.stdout.readline()
        try:
            self.pid = json.loads(line)["pid"]
        except (ValueError, KeyError):
            R.kill_proc(self.proc)
            raise R.Fail(f"calls.py not ready: {line!r} {self.proc.stderr.read()[:300]!r}")

    def run(self):
        """Makes the calls; returns what libc saw, the sockets still held."""
        self.proc.stdin.write(b"go\n")
        self.proc.stdin.flush()
        obs = []
        for line in self.proc.stdout:
            o = json.loads(line)
            if o["op"] == "done":
                return obs
            obs.append(o)
        raise R.Fail(f"calls.py ended early: {self.proc.stderr.read()[:300]!r}")

    def end(self):
        try:
            self.proc.stdin.write(b"\n")
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        R.wait_exit(self.proc, 5)


def relevant(o):
    """The default policy, as the README lists it."""
    if o["ret"] < 0 or o["op"] == "listen":
        return True
    if o["op"] == "socket":
        return o["protocol"] == MPTCP
    return o["level"] == SOL_TCP and o["optname"] in TFO_OPTIONS


def summary_of(objs):
    s = objs[-1] if objs and objs[-1].get("type") == "summary" else None
    if s is None:
        raise R.Fail("no summary")
    return s


def traced(args, calls, sysctls=()):
    """CALLS made under tfotrace ARGS -p (their process); the records, the
    observations and the summary."""
    c = Calls(calls, sysctls)
    tr = R.Tracer(R.CTX.tfotrace, ["--json", "-p", str(c.pid)] + args,
                  R.CTX.workdir).wait_ready()
    obs = c.run()
    time.sleep(0.3)
    tr.stop()
    c.end()
    objs, bad = R.parse_json_lines(tr.stdout())
    if bad:
        raise R.Fail(f"non-JSON lines: {bad[:2]}")
    return R.events_of(objs), obs, summary_of(objs), objs


# Every relevant kind once, routine calls around them, a socket(262)
# refused by net.mptcp.enabled=0: what a finding needs is recorded.
KINDS = [
    {"op": "socket", "name": "t", "family": AF_INET, "type": SOCK_STREAM, "proto": 0},
    {"op": "setsockopt", "sock": "t", "level": SOL_SOCKET, "optname": SO_REUSEADDR, "value": 1},
    {"op": "setsockopt", "sock": "t", "level": SOL_TCP, "optname": TCP_NODELAY, "value": 1},
    {"op": "setsockopt", "sock": "t", "level": SOL_TCP, "optname": TCP_FASTOPEN, "value": 5},
    {"op": "setsockopt", "sock": "t", "level": SOL_TCP, "optname": TCP_FASTOPEN_CONNECT, "value": 1},
    {"op": "setsockopt", "sock": "t", "level": SOL_TCP, "optname": TCP_FASTOPEN_KEY,
     "value": "00112233445566778899aabbccddeeff"},
    {"op": "setsockopt", "sock": "t", "level": SOL_TCP, "optname": TCP_FASTOPEN_NO_COOKIE, "value": 1},
    {"op": "setsockopt", "sock": "t", "level": SOL_TCP, "optname": 9999, "value": 1},
    {"op": "listen", "sock": "t"},
    {"op": "setsockopt", "sock": "t", "level": SOL_TCP, "optname": TCP_USER_TIMEOUT, "value": 1000},
    {"op": "socket", "name": "m", "family": AF_INET, "type": SOCK_STREAM, "proto": MPTCP},
]


def check_kinds(recs, obs):
    """Records are exactly the relevant observations, in order."""
    want = [o for o in obs if relevant(o)]
    problems = []
    if len(recs) != len(want):
        problems.append(f"{len(recs)} records for {len(want)} relevant calls: "
                        f"{[(r['type'], r.get('optname_num'), r['ret']) for r in recs]}")
    for o, r in zip(want, recs):
        ret = o["ret"] if o["ret"] >= 0 else -o["errno"]
        same = r.get("type") == o["op"] and r.get("ret") == ret and \
            (o["op"] != "setsockopt" or r.get("optname_num") == o["optname"]) and \
            (o["ret"] < 0 and o["op"] == "socket" or r.get("sock_ino") == o["ino"])
        if not same:
            problems.append(f"record {R.short(r, 160)} for {o}")
    return problems


def test_relevant_calls_recorded(ctx):
    """Default policy: a listen, each TFO option whatever its result, a
    failed call, an MPTCP socket() and a failed socket(262) are records;
    the routine rest is counted in the kernel, exactly."""
    R.CTX = ctx
    recs, obs, summary, _ = traced([], KINDS)
    problems = check_kinds(recs, obs)
    kinds = {(o["op"], o.get("optname")) for o in obs if relevant(o)}
    for want in [("listen", None), ("socket", None)] + [("setsockopt", o) for o in TFO_OPTIONS + (9999,)]:
        if want not in kinds:
            problems.append(f"the workload made no relevant {want}")
    routine = {op: sum(1 for o in obs if o["op"] == op and not relevant(o))
               for op in ("socket", "listen", "setsockopt")}
    if summary.get("not_recorded_calls") != routine or summary.get("record") != "relevant":
        problems.append(f"summary {R.short(summary, 300)}: want not_recorded_calls {routine}")
    # a failed socket(262): MPTCP off in the namespace
    recs2, obs2, _, _ = traced([], [KINDS[-1]], sysctls=["net.mptcp.enabled=0"])
    if obs2[0]["ret"] >= 0:
        problems.append("socket(262) worked with net.mptcp.enabled=0")
    problems += check_kinds(recs2, obs2)
    if problems:
        raise R.Fail("; ".join(problems))


def test_routine_counted_not_recorded(ctx):
    """20,000 routine setsockopt calls: no record, every one counted in
    the kernel (summary, metrics); --all records each of them."""
    R.CTX = ctx
    n = 20000
    calls = [{"op": "socket", "name": "t", "family": AF_INET, "type": SOCK_STREAM, "proto": 0},
             {"op": "repeat", "n": n, "call": {"op": "setsockopt", "sock": "t", "level": SOL_TCP,
                                               "optname": TCP_NODELAY, "value": 1}}]
    prom = os.path.join(ctx.workdir, "routine.prom")
    recs, obs, summary, _ = traced(["--prometheus", prom], calls)
    problems = []
    if recs:
        problems.append(f"{len(recs)} records of routine calls, first {R.short(recs[0], 160)}")
    if summary.get("not_recorded_calls") != {"socket": 1, "listen": 0, "setsockopt": n}:
        problems.append(f"summary {R.short(summary, 300)}")
    with open(prom) as f:
        text = f.read()
    if f'tfotrace_calls_not_recorded_total{{call="setsockopt"}} {n}' not in text:
        problems.append("the metrics do not count them: " +
                        "; ".join(l for l in text.splitlines() if "not_recorded" in l))
    recs, obs, summary, _ = traced(["--all"], calls)
    if len(recs) != n + 1 or summary.get("not_recorded") != 0 or summary.get("lost"):
        problems.append(f"--all: {len(recs)} records for {n + 1} calls; summary "
                        f"{R.short(summary, 300)}")
    if problems:
        raise R.Fail("; ".join(problems))


def test_findings_evolve(ctx):
    """--findings: nothing but findings, the start, the counters and the
    summary; a finding is said when first seen, then again with its new
    numbers at most once per --interval while they change."""
    R.CTX = ctx
    refused = {"op": "setsockopt", "sock": "m", "level": SOL_TCP,
               "optname": TCP_USER_TIMEOUT, "value": 1000}
    calls = [{"op": "socket", "name": "m", "family": AF_INET, "type": SOCK_STREAM, "proto": MPTCP},
             {"op": "setsockopt", "sock": "m", "level": SOL_TCP, "optname": 9999, "value": 1}]
    for _ in range(10):
        calls += [{"op": "sleep", "s": 0.25}, refused]
    t0 = time.monotonic()
    recs, obs, summary, objs = traced(["--findings", "--interval", "1"], calls)
    elapsed = time.monotonic() - t0
    problems = []
    types = {o["type"] for o in objs}
    # (remotes: the report's "not observable" of the tracepoint mode)
    if not types <= {"start", "finding", "counters", "remotes", "summary"}:
        problems.append(f"--findings printed {sorted(types)}")
    live = [o for o in objs if o["type"] == "finding" and not o["final"]
            and o["kind"] == "mptcp-option-rejected"]
    first = [o for o in live if not o["update"]]
    updates = [o for o in live if o["update"]]
    if len(first) != 1:
        problems.append(f"{len(first)} first sightings, want 1")
    if not updates:
        problems.append("no update while the refused options kept coming")
    counts = [len(o["options"]) for o in live]
    if counts != sorted(counts) or len(set(counts)) != len(counts):
        problems.append(f"updates repeat or go back: option counts {counts}")
    # at most one per interval (1 s) over the run
    if len(updates) > elapsed + 1:
        problems.append(f"{len(updates)} updates in {elapsed:.1f} s at --interval 1")
    made = [o for o in obs if o["op"] != "sleep"]
    if summary.get("events") != len(made) or not all(relevant(o) for o in made):
        problems.append(f"events {summary.get('events')}, the workload made {len(made)} relevant calls")
    if problems:
        raise R.Fail("; ".join(problems))
    print(f"# findings: 1 first sighting, {len(updates)} updates over {elapsed:.1f} s")


def unit_exec_start():
    with open(os.path.join(R.ROOT, "user", "dist", "tfotrace.service")) as f:
        for line in f:
            if line.startswith("ExecStart="):
                return line.split("=", 1)[1].split()
    raise R.Fail("no ExecStart in tfotrace.service")


def test_service_quiet_under_load(ctx):
    """The packaged unit's own command line, against 200,000 routine
    setsockopt calls and one listener asking for TFO in a namespace whose
    net.ipv4.tcp_fastopen=1 lacks the server bit: a screenful at most, the
    tfo-server-disabled finding in it and in the metrics file."""
    R.CTX = ctx
    argv = unit_exec_start()
    if os.path.basename(argv[0]) != "tfotrace" or "--findings" not in argv:
        raise R.Fail(f"the unit runs {argv}: want tfotrace --findings ...")
    prom = os.path.join(ctx.workdir, "unit.prom")
    args = []
    for a in argv[1:]:
        args.append(prom if a.endswith(".prom") else a)
    tr = R.Tracer(ctx.tfotrace, args, ctx.workdir).wait_ready()
    server = Calls([{"op": "socket", "name": "l", "family": AF_INET, "type": SOCK_STREAM, "proto": 0},
                    {"op": "setsockopt", "sock": "l", "level": SOL_TCP, "optname": TCP_FASTOPEN, "value": 16},
                    {"op": "listen", "sock": "l"}],
                   sysctls=["net.ipv4.tcp_fastopen=1"])
    sobs = server.run()
    load = os.path.join(R.ROOT, "build", "bench", "bench_load")
    out = subprocess.run([load, "sockopt", "-n", "200000"], capture_output=True, text=True,
                         timeout=60)
    result = json.loads(out.stdout.splitlines()[-1])
    time.sleep(0.3)
    tr.stop()
    server.end()
    lines = tr.stdout().splitlines()
    objs, bad = R.parse_json_lines(tr.stdout())
    problems = []
    if bad:
        problems.append(f"non-JSON lines: {bad[:2]}")
    if len(lines) > 25:
        problems.append(f"{len(lines)} lines for {result['setsockopt_calls']} routine calls "
                        f"and one finding: more than a screenful")
    ino = sobs[-1]["ino"]
    found = [o for o in objs if o.get("type") == "finding" and o.get("kind") == "tfo-server-disabled"
             and o.get("sock_ino") == ino]
    if not found or found[0].get("pid") != server.pid:
        problems.append(f"no tfo-server-disabled finding of pid {server.pid} ino {ino}")
    summary = summary_of(objs)
    if summary.get("not_recorded_calls", {}).get("setsockopt", 0) < result["setsockopt_calls"]:
        problems.append(f"summary {R.short(summary, 300)}: the routine calls are not counted")
    with open(prom) as f:
        text = f.read()
    if not re.search(r'tfotrace_finding\{kind="tfo-server-disabled",pid="%d",[^}]*ino="%d"\} 1'
                     % (server.pid, ino), text):
        problems.append("no tfo-server-disabled sample in the metrics file")
    if problems:
        raise R.Fail("; ".join(problems))
    print(f"# service: {len(lines)} lines for {result['setsockopt_calls']} routine calls "
          f"and a TFO-less listener")


def btf_note(stderr):
    m = re.search(r"kernel BTF: ids ([^;]*); CO-RE types from ([^;\n]*)", stderr)
    return (m.group(1), m.group(2)) if m else (None, None)


def test_btf_cache(ctx):
    """The first start reads the kernel's BTF and caches what it needs (the
    ids, a minimized BTF from bpftool); the next reads neither; an entry
    that does not match is rebuilt; a directory others may write is not
    trusted. Each run traces correctly."""
    R.CTX = ctx
    cache = os.path.join(ctx.workdir, "btf-cache")
    env = dict(os.environ, TFOTRACE_CACHE_DIR=cache)

    def start():
        p = subprocess.run([ctx.tfotrace, "-v", "--json", "-d", "1"], capture_output=True,
                           text=True, env=env, timeout=30)
        objs, _ = R.parse_json_lines(p.stdout)
        if p.returncode != 0 or not objs or objs[-1].get("type") != "summary":
            raise R.Fail(f"exit {p.returncode}: {R.tail(p.stderr)}")
        return btf_note(p.stderr), p.stderr

    problems = []
    (ids, core), err = start()
    if ids != "read from /sys/kernel/btf/vmlinux" or not (core or "").startswith(cache):
        problems.append(f"cold start: ids {ids!r}, CO-RE {core!r}")
    files = sorted(os.listdir(cache)) if os.path.isdir(cache) else []
    if len(files) != 2 or not files[0].endswith(".btf") or not files[1].endswith(".ids"):
        problems.append(f"cache holds {files}")
    if shutil.which("bpftool") and files:
        size = os.path.getsize(os.path.join(cache, files[0]))
        if size > 64 * 1024:
            problems.append(f"minimized BTF is {size} bytes")
    (ids, core), err = start()
    if ids != "from the cache" or "loading kernel BTF" in err:
        problems.append(f"warm start: ids {ids!r}; libbpf read the kernel's BTF: "
                        f"{'loading kernel BTF' in err}")
    if "typed loads" not in err and os.path.exists("/sys/kernel/btf/vmlinux"):
        problems.append("no typed loads on a kernel with bpf_rdonly_cast")
    if files:
        with open(os.path.join(cache, files[1]), "r+") as f:
            text = f.read().replace("key ", "key f", 1)
            f.seek(0)
            f.write(text)
        (ids, core), err = start()
        if ids != "read from /sys/kernel/btf/vmlinux":
            problems.append(f"an entry with another key was used: {ids!r}")
        (ids, core), err = start()
        if ids != "from the cache":
            problems.append(f"the entry was not rebuilt: {ids!r}")
    os.chmod(cache, 0o777)
    (ids, core), err = start()
    if "not a directory of ours alone" not in err or ids == "from the cache":
        problems.append(f"a world-writable cache was used: {ids!r}")
    if problems:
        raise R.Fail("; ".join(problems))


# ---- the BTF cache's entries, as tfotrace writes them (user/kbtf.c) ----

DEBIAN_6_1 = {   # linux-image-6.1.0-57-amd64 (Debian 12): its notes' build id
    "build-id": "build-id 6a2b4ac77585b8cf102cba771300e573c8489b69",
    "release": "release 6.1.0-57-amd64",
    "version": "version #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-3 (2025-11-21)",
}


def kbtf_checksum(data):
    """The end line's checksum: FNV-1a, 64 bits."""
    h = 0xcbf29ce484222325
    for c in data:
        h = ((h ^ c) * 0x100000001b3) & 0xffffffffffffffff
    return h


def reseal(text):
    """An entry's end line made right again after an edit."""
    body, end = text.rstrip("\n").rsplit("\n", 1)
    body += "\n"
    return body + f"end {end.split()[1]} {kbtf_checksum(body.encode()):016x}\n"


def set_line(text, line):
    """TEXT with its line of LINE's first word replaced by LINE."""
    key = line.split(" ", 1)[0] + " "
    rows = text.split("\n")
    hits = [i for i, r in enumerate(rows) if r.startswith(key)]
    if len(hits) != 1:
        raise R.Fail(f"entry has {len(hits)} {key!r} lines: {R.short(text, 300)}")
    rows[hits[0]] = line
    return "\n".join(rows)


def btf_types(data):
    """The strings of the BTF bytes DATA, and its types as libbpf numbers
    them: [(name offset, kind, offset in the type section)], id 1 first."""
    magic, _, _, hdr_len, type_off, type_len, str_off, str_len = \
        struct.unpack_from("<HBBIIIII", data, 0)
    if magic != 0xeB9F:
        raise R.Fail("not a BTF")
    per_member = {4: 12, 5: 12, 6: 8, 13: 8, 15: 12, 19: 12}
    fixed = {1: 4, 14: 4, 17: 4, 3: 12}
    types, pos = [], 0
    start = hdr_len + type_off
    while pos < type_len:
        name_off, info = struct.unpack_from("<II", data, start + pos)
        kind, vlen = (info >> 24) & 0x1f, info & 0xffff
        types.append((name_off, kind, pos))
        pos += 12 + fixed.get(kind, 0) + per_member.get(kind, 0) * vlen
    return data[hdr_len + str_off:hdr_len + str_off + str_len], types


def btf_first_of(data, wanted, shift=0):
    """{(kind, name): (id, offset)} of the first type of each of WANTED in
    the BTF bytes DATA; SHIFT: the id and offset of the type SHIFT later
    instead (as if another build had SHIFT more types in front)."""
    strs, types = btf_types(data)
    offs = {}
    for kind, name in wanted:
        at = strs.find(b"\0" + name.encode() + b"\0")
        while at >= 0:
            offs.setdefault(at + 1, set()).add((kind, name))
            at = strs.find(b"\0" + name.encode() + b"\0", at + 1)
    found = {}
    for i, (name_off, kind, _) in enumerate(types):
        for key in offs.get(name_off, ()):
            if key[0] == kind and key not in found and i + shift < len(types):
                found[key] = (i + 1 + shift, types[i + shift][2])
    return found


def debian_6_1_btf():
    """The BTF of Debian 12's 6.1 kernel (the .BTF section of its vmlinuz,
    as tests/vm/run.py caches it in .cache/vm, or $TFOTRACE_VM_CACHE), or
    None."""
    dirs = [os.environ.get("TFOTRACE_VM_CACHE"), os.path.join(R.ROOT, ".cache", "vm")]
    for d in filter(None, dirs):
        for vmlinuz in sorted(glob.glob(os.path.join(d, "linux-image-6.1.*-amd64", "vmlinuz"))):
            with open(vmlinuz, "rb") as f:
                data = f.read()
            at = data.find(b"\xfd7zXZ\x00")
            if at < 0:
                continue
            elf = lzma.LZMADecompressor().decompress(data[at:])
            shoff = struct.unpack_from("<Q", elf, 0x28)[0]
            shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3a)
            secs = [struct.unpack_from("<IIQQQQ", elf, shoff + i * shentsize)
                    for i in range(shnum)]
            names = secs[shstrndx][4]
            for s in secs:
                if elf[names + s[0]:names + s[0] + 5] == b".BTF\0":
                    return elf[s[4]:s[4] + s[5]], os.path.basename(os.path.dirname(vmlinuz))
    return None, None


def test_btf_cache_planted(ctx):
    """Entries that must not be used, planted under the running kernel's
    key: another kernel's (its identity; its ids, from Debian 12's 6.1 BTF
    when tests/vm has fetched it, else this BTF renumbered), a .ids cut
    short, a minimized BTF cut short. Each start attaches, says (-v) that
    the entry was rebuilt and why, and the next start uses the new one."""
    R.CTX = ctx
    cache = os.path.join(ctx.workdir, "btf-planted")
    env = dict(os.environ, TFOTRACE_CACHE_DIR=cache)

    def start():
        """Ready (attached), then stopped: the -v line on the kernel's BTF."""
        ready, out_path, err_path = (os.path.join(ctx.workdir, "planted." + x)
                                     for x in ("ready", "out", "err"))
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            p = R.spawn([ctx.tfotrace, "-v", "--json", "--ready-file", ready],
                        stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env)
        deadline = time.monotonic() + R.READY_TIMEOUT_S
        while not os.path.exists(ready) and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        attached = os.path.exists(ready)
        p.send_signal(signal.SIGINT)
        if R.wait_exit(p, R.STOP_TIMEOUT_S) is None:
            R.kill_proc(p)
            raise R.Fail("tfotrace still running after SIGINT")
        with open(out_path, errors="replace") as out, open(err_path, errors="replace") as e:
            out, err = out.read(), e.read()
        objs, _ = R.parse_json_lines(out)
        if not attached or p.returncode != 0 or not objs or objs[-1].get("type") != "summary":
            raise R.Fail(f"not attached, or exit {p.returncode}: {R.tail(err)}")
        line = re.search(r"^tfotrace: kernel BTF: .*$", err, re.M)
        return line.group(0) if line else "", err

    first, _ = start()
    ids_files = glob.glob(os.path.join(cache, "*.ids"))
    if len(ids_files) != 1 or "ids read from" not in first:
        raise R.Fail(f"cold start: {first!r}, cache {os.listdir(cache)}")
    ids_path = ids_files[0]
    btf_path = ids_path[:-4] + ".btf"
    with open(ids_path) as f:
        entry = f.read()
    with open(btf_path, "rb") as f:
        core = f.read()

    names = re.findall(r"^name (\d+) (\S+) \d+ \d+$", entry, re.M)

    def entry_with_ids_of(btf, shift=0):
        found = btf_first_of(btf, {(int(k), n) for k, n in names}, shift)
        text = entry
        for k, n in names:
            tid, off = found.get((int(k), n), (0, 0))
            text = re.sub(rf"^name {k} {re.escape(n)} \d+ \d+$", f"name {k} {n} {tid} {off}",
                          text, flags=re.M)
        return text

    foreign, source = debian_6_1_btf()
    foreign_entry = entry_with_ids_of(foreign) if foreign else entry
    if foreign_entry == entry:     # none fetched, or this is that kernel
        with open("/sys/kernel/btf/vmlinux", "rb") as f:
            foreign_entry = entry_with_ids_of(f.read(), 1000)
        source = "this kernel's BTF renumbered (no other Debian 6.1 kernel in .cache/vm)"
    if foreign_entry == entry:
        raise R.Fail(f"{source}: the same ids as this kernel's")

    # Debian 12's 6.1 (unless it is this kernel: then a made-up build)
    other = dict(DEBIAN_6_1)
    if other["build-id"] + "\n" in entry:
        other["build-id"] = "build-id " + "5a" * 20
    if "\nbtf-hash " in entry:    # a kernel without a build id
        other["btf-hash"] = "btf-hash 0123456789abcdef"
        del other["build-id"]
    other_identity = entry
    for line in other.values():
        other_identity = set_line(other_identity, line)
    cut = entry[:len(entry) // 2]
    plants = [
        ("another kernel's identity (Debian 12's 6.1 build id, release, version)",
         reseal(other_identity), None, "it was made for another kernel ("),
        (f"another kernel's ids ({source})", reseal(foreign_entry), None,
         "is not where it says in the kernel's BTF"),
        (".ids cut short", cut, None, "it is cut short"),
        ("minimized BTF cut short", None, core[:len(core) // 2], "did not match its entry: made again"),
    ]
    problems = []
    for what, ids_text, btf_bytes, says in plants:
        if ids_text is not None:
            with open(ids_path, "w") as f:
                f.write(ids_text)
        if btf_bytes is not None:
            with open(btf_path, "wb") as f:
                f.write(btf_bytes)
        note, err = start()
        rebuilt = "ids from the cache" in note if btf_bytes is not None else "ids read from" in note
        if says not in note or not rebuilt:
            problems.append(f"{what}: {note!r}")
            continue
        if "typed loads" not in err:
            problems.append(f"{what}: no typed loads after the rebuild")
        again, _ = start()
        if "ids from the cache" not in again or "rebuilt" in again or "made again" in again:
            problems.append(f"{what}: the rebuilt entry was not used: {again!r}")
        with open(ids_path) as f:
            if f.read() != entry:
                problems.append(f"{what}: the rebuilt entry differs from the first")
        with open(btf_path, "rb") as f:
            if f.read() != core:
                problems.append(f"{what}: the rebuilt minimized BTF differs from the first")
    if problems:
        raise R.Fail("; ".join(problems))
    print(f"# btf_cache_planted: 4 planted entries rebuilt; another kernel's ids from {source}")


TESTS = [
    ("relevant_calls_recorded", test_relevant_calls_recorded),
    ("routine_counted_not_recorded", test_routine_counted_not_recorded),
    ("findings_evolve", test_findings_evolve),
    ("service_quiet_under_load", test_service_quiet_under_load),
    ("btf_cache", test_btf_cache),
    ("btf_cache_planted", test_btf_cache_planted),
]
