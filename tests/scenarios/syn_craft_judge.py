# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""What tfotrace's handshake observer must make of tests/scenarios/
syn_craft.c's hand-made SYNs: shared by the live and the VM suites.
Standard library only."""
import json


def parse_runs(text):
    """syn_craft's output (one or more runs, one after another): a list of
    (server, cases), each run's server line and its case lines."""
    runs = []
    for line in text.splitlines():
        if not line.startswith("{"):
            continue
        o = json.loads(line)
        if o.get("op") == "server":
            runs.append((o, []))
        elif o.get("op") == "case" and runs:
            runs[-1][1].append(o)
    return runs


def netns_of(server):
    return int(server["netns"].split("[")[1].rstrip("]"))


def judge_cases(objs, server, cases, label, synacks_seen=True):
    """Each case that reached the listener: one syn-in record as the
    kernel reads it, the listener's, and its SYN-ACK's (unless SYNACKS_SEEN
    is false: a request socket's IPv6 SYN-ACK before kernel 6.5 leaves
    unseen, a TFO child's does not); the others: none."""
    problems = []
    netns = netns_of(server)
    wire = [o for o in objs if o.get("type") == "wire" and o.get("netns") == netns]
    for c in cases:
        e = c["expect"]
        mine = [o for o in wire if o.get("remote_port") == c["sport"]
                and o.get("local_port") == server["port"]]
        syns = [o for o in mine if o.get("packet") == "syn-in"]
        if not e["reaches_listener"]:
            if mine:
                problems.append(f"{label} {c['name']}: dropped by the kernel, yet "
                                f"{len(mine)} records")
            continue
        if len(syns) != 1:
            problems.append(f"{label} {c['name']}: {len(syns)} syn-in records, want 1")
            continue
        s = syns[0]
        got = (s.get("tfo"), s.get("cookie_len") if e["tfo"] == "cookie" else None,
               s.get("mp_capable"), s.get("malformed"), s.get("payload"))
        want = (e["tfo"], e.get("cookie_len") if e["tfo"] == "cookie" else None,
                e["mp_capable"], e["malformed"], c["payload"])
        if got != want:
            problems.append(f"{label} {c['name']}: read (tfo, cookie, mp_capable, "
                            f"malformed, payload) {got}, the kernel's {want}")
        if (s.get("sock_ino"), s.get("pid")) != (server["ino"], server["pid"]):
            problems.append(f"{label} {c['name']}: attributed to ino {s.get('sock_ino')} "
                            f"pid {s.get('pid')}, the listener is {server['ino']} of "
                            f"{server['pid']}")
        acks = [o for o in mine if o.get("packet") == "synack-out"]
        # a TFO child's SYN-ACK is a full socket's: seen everywhere
        if not synacks_seen and not c.get("data_acked"):
            if acks:
                problems.append(f"{label} {c['name']}: SYN-ACK records where none "
                                "can be seen")
        elif c.get("answered") == "synack":
            cookie = "cookie" if c.get("synack_cookie_len") else "none"
            if len(acks) != 1 or acks[0].get("tfo") != cookie or \
                    not (acks[0].get("syn") or {}).get("tfo") == e["tfo"]:
                problems.append(f"{label} {c['name']}: SYN-ACK records "
                                f"{[json.dumps(a)[:160] for a in acks]}, want one with "
                                f"tfo {cookie} and its SYN's")
    return problems




def malformed_reaching(cases):
    """How many of CASES were malformed and reached the listener."""
    return sum(1 for c in cases if c["expect"]["malformed"]
               and c["expect"]["reaches_listener"])


def malformed_counted(objs, servers):
    """What the listeners' final findings counted as malformed, once per
    listener."""
    inos = {s["ino"] for s in servers}
    per_listener = {o["sock_ino"]: (o.get("wire") or {}).get("malformed", 0)
                    for o in objs if o.get("type") == "finding" and o.get("final")
                    and "remote_addr" not in o and o.get("sock_ino") in inos}
    return sum(per_listener.values())
