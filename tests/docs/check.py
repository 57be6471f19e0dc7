#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""The documents against the tool, so that they cannot drift apart:
- the options of `tfotrace --help` and `tfotrace doctor --help` are the
  ones the man page's OPTIONS and DOCTOR sections describe, and its
  SYNOPSIS names;
- the JSON object types the tool can emit (every "type" its JSON
  formatters and doctor write) are the ones the man page and the README
  list;
- the finding kinds the correlator names are the man page's FINDINGS and
  the README's table.

    python3 tests/docs/check.py [--tfotrace build/tfotrace]

Prints "ok - ..." / "not ok - ..." and "docs: N passed, M failed".
"""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAN = os.path.join(ROOT, "user", "dist", "tfotrace.8")
README = os.path.join(ROOT, "README.md")

results = []


def eq(name, got, want):
    ok = got == want
    why = "" if ok else (f"only in the tool: {sorted(want - got)}; "
                         f"only in the document: {sorted(got - want)}")
    results.append((name, ok, why))


def man_text():
    with open(MAN) as f:
        return f.read()


def man_section(text, name):
    m = re.search(rf"^\.SH {re.escape(name)}\n(.*?)(?=^\.SH )", text, re.M | re.S)
    return m.group(1) if m else ""


def unescape(s):
    return s.replace("\\-", "-").replace("\\&", "")


def help_options(argv):
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    return {m for m in re.findall(r"(?:^|\s)(--[a-z][a-z-]*)", out)}


def man_options(section):
    """The options a man section defines: its .TP items' first words."""
    found = set()
    for item in re.findall(r"^\.TP\n(.*)$", section, re.M):
        found |= set(re.findall(r"--[a-z][a-z-]*", unescape(item)))
    return found


SHORT = {"-p": "--pid", "-d": "--duration", "-v": "--verbose", "-V": "--version",
         "-?": "--help"}


def synopsis_options(text):
    """The long options the SYNOPSIS names, its short ones as their long."""
    syn = unescape(man_section(text, "SYNOPSIS"))
    return set(re.findall(r"--[a-z][a-z-]*", syn)) | {
        long for short, long in SHORT.items()
        if re.search(rf"(^|[ |]){re.escape(short)}($|[ |\n])", syn, re.M)}


def emitted_types():
    """Every "type" the JSON formatters and doctor write: the record types
    user/records.c marks printed, and the literal ones."""
    types = set()
    for name in ("output_json.c", "doctor.c"):
        with open(os.path.join(ROOT, "user", name)) as f:
            text = f.read()
        types |= set(re.findall(r'\\"type\\":\\"([a-z_]+)\\"', text))
    with open(os.path.join(ROOT, "user", "records.c")) as f:
        table = f.read()
    table = table[table.index("kinds[TFO_REC__MAX] = {"):]
    table = table[:table.index("\n};")]
    rows = re.findall(r'KIND\((TFO_REC_\w+),\s*\w+,\s*"([a-z_]+)",(.*?)(?=KIND\(|$)',
                      table, re.S)
    if not rows:
        raise SystemExit("tests/docs/check.py: no KIND() rows in user/records.c")
    types |= {name for _, name, rest in rows if "TFO_KIND_PRINTED" in rest}
    return types


def man_types(text):
    sec = man_section(text, "OUTPUT")
    part = sec[sec.index(".SS JSON Lines"):]
    part = part[part.index("member:"):part.index(".BR summary")]
    types = set(re.findall(r"^\.BR? ([a-z_]+)", part, re.M)) | {"summary"}
    return types


def readme_table(header):
    """The first column's `names` of the README table under HEADER."""
    with open(README) as f:
        text = f.read()
    part = text[text.index(header):]
    part = part[:part.index("\n\n")]
    names = set()
    for line in part.splitlines()[2:]:
        names |= set(re.findall(r"`([a-z_-]+)`", line.split("|")[1]))
    return names


def finding_kinds():
    with open(os.path.join(ROOT, "user", "correlate.c")) as f:
        return set(re.findall(r'\[TFO_FINDING_[A-Z_]+\] = "([a-z-]+)"', f.read()))


def man_kinds(text):
    sec = unescape(man_section(text, "FINDINGS"))
    return set(re.findall(r"^\.TP\n\.B ([a-z-]+)$", sec, re.M)) - {
        "go-default", "environment", "program", "preload", "unknown"}





def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tfotrace", default=os.path.join(ROOT, "build", "tfotrace"))
    args = ap.parse_args(argv)
    text = man_text()
    tool = help_options([args.tfotrace, "--help"])
    doctor = help_options([args.tfotrace, "doctor", "--help"])
    eq("--help's options are the man page's OPTIONS", man_options(man_section(text, "OPTIONS")),
       tool)
    eq("the SYNOPSIS names every option", synopsis_options(text), tool)
    doctor_man = {o for o in re.findall(r"--[a-z][a-z-]*",
                                        unescape(man_section(text, "THE DOCTOR COMMAND")))}
    eq("doctor --help's options are in its man section",
       doctor_man & doctor, doctor - {"--help", "--usage", "--version"})
    types = emitted_types()
    eq("the JSON types the tool writes are the man page's", man_types(text), types - {"doctor"})
    eq("... and the README's", readme_table("| type | what it holds |"), types - {"doctor"})
    kinds = finding_kinds()
    eq("the finding kinds are the man page's FINDINGS", man_kinds(text), kinds)
    eq("... and the README's table", readme_table("| kind | evidence |"), kinds)
    for name, ok, why in results:
        print(f"ok - {name}" if ok else f"not ok - {name}: {why}")
    failed = sum(1 for _, ok, _ in results if not ok)
    print(f"docs: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
