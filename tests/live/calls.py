#!/usr/bin/env python3
"""A workload the live tests script: socket(2), setsockopt(2) and listen(2)
calls, each given as JSON, made by this process once it reads "go".

    python3 calls.py [--sysctl NAME=VALUE]... CALL...

Run it in a network namespace of its own (unshare -n): it brings lo up and
writes the sysctls there. Each CALL is a JSON object:
  {"op":"socket","name":"s","family":2,"type":1,"proto":262}
  {"op":"setsockopt","sock":"s","level":6,"optname":23,"value":5}
      (value: an int, packed as 4 bytes, or a hex string of raw bytes)
  {"op":"listen","sock":"s"}      (binds 127.0.0.1 or ::1 port 0 first)
  {"op":"repeat","n":N,"call":{...}}   the same call N times, one line out
  {"op":"sleep","s":0.3}
Prints {"op":"ready","pid":P} first, then after "go" one JSON line per call
as libc saw it: op, ret, errno, ino (the socket's inode), level/optname,
and last {"op":"done"}. Python's own start-up calls come before "ready".
"""
import errno
import json
import os
import socket
import struct
import subprocess
import sys
import time


def inode(sock):
    return os.fstat(sock.fileno()).st_ino


def main(argv):
    calls, sysctls = [], []
    it = iter(argv)
    for arg in it:
        if arg == "--sysctl":
            sysctls.append(next(it))
        else:
            calls.append(json.loads(arg))
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    for kv in sysctls:
        name, value = kv.split("=", 1)
        with open("/proc/sys/" + name.replace(".", "/"), "w") as f:
            f.write(value)
    print(json.dumps({"op": "ready", "pid": os.getpid()}), flush=True)
    if sys.stdin.readline().strip() != "go":
        return 1
    socks = {}
    out = []

    def one(c):
        op = c["op"]
        rec = {"op": op, "ret": 0, "errno": 0}
        try:
            if op == "socket":
                s = socket.socket(c["family"], c["type"], c["proto"])
                socks[c["name"]] = s
                rec.update(ret=s.fileno(), ino=inode(s), protocol=c["proto"])
            elif op == "setsockopt":
                s = socks[c["sock"]]
                v = c["value"]
                raw = struct.pack("i", v) if isinstance(v, int) else bytes.fromhex(v)
                rec.update(ino=inode(s), level=c["level"], optname=c["optname"])
                s.setsockopt(c["level"], c["optname"], raw)
            elif op == "listen":
                s = socks[c["sock"]]
                rec.update(ino=inode(s))
                s.bind(("::1" if s.family == socket.AF_INET6 else "127.0.0.1", 0))
                s.listen(16)
                rec.update(port=s.getsockname()[1])
            elif op == "sleep":
                time.sleep(c["s"])
        except OSError as exc:
            rec.update(ret=-1, errno=exc.errno)
        return rec

    for c in calls:
        if c["op"] == "repeat":
            recs = [one(c["call"]) for _ in range(c["n"])]
            rec = dict(recs[-1], n=c["n"], failed=sum(r["ret"] < 0 for r in recs))
            out.append(rec)
        else:
            out.append(one(c))
    for rec in out:
        print(json.dumps(rec))
    print(json.dumps({"op": "done"}), flush=True)
    # hold the sockets until told (a listener the scan should still see)
    sys.stdin.readline()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
