#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""The README's example output, taken from a real run of the VM suite and
held to it.

A README code block preceded by a marker

    <!-- output: SECTION [:: PATTERN ...] -->

is the output of the Debian 12 6.1 guest's SECTION (tests/vm/guest-init.sh
`section`): the whole section, or for each PATTERN (a regular expression)
the first line matching it from there on, with the indented lines that
continue it. A first line starting with "$ " in the block is the command
typed and is kept; "^C" is kept before "# report" (the terminal's echo of
the key that stopped tfotrace).

    python3 tests/docs/examples.py --write LOG   # regenerate the README's blocks
    python3 tests/docs/examples.py --check LOG   # the README's blocks against LOG

--check compares the text with every number masked (pids, inodes, times,
ports differ from run to run; the words may not): a message changed in the
tool and not in the README fails it. The VM suite runs it on its 6.1 guest.
"""
import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
README = os.path.join(ROOT, "README.md")
MARKER = re.compile(r"^<!-- output: (.+?) -->$")


def log_sections(text):
    sections, name, lines = {}, None, []
    for line in text.splitlines():
        m = re.match(r"^=== BEGIN (.+)$", line)
        if m:
            name, lines = m.group(1), []
        elif name and line == f"=== END {name}":
            sections[name] = lines
            name = None
        elif name:
            lines.append(line)
    return sections


def parse_marker(spec):
    section, _, rest = spec.partition(" :: ")
    patterns = [p for p in rest.split(" :: ") if p] if rest else []
    return section.strip(), patterns


def render(spec, sections):
    """The lines of the block a marker asks for, or raises KeyError."""
    section, patterns = parse_marker(spec)
    lines = sections[section]
    if not patterns:
        out = list(lines)
        if "# report" in out:
            out.insert(out.index("# report"), "^C")
        return out
    out, at = [], 0
    for pat in patterns:
        rx = re.compile(pat)
        for i in range(at, len(lines)):
            if rx.search(lines[i]):
                break
        else:
            raise KeyError(f"{section}: no line matches {pat!r}")
        j = i + 1
        while j < len(lines) and lines[j].startswith("   "):
            j += 1
        out += lines[i:j]
        at = j
    return out


def readme_blocks(text):
    """(spec, first line index, end index, prompt) of each marked block."""
    lines = text.split("\n")
    blocks = []
    for i, line in enumerate(lines):
        m = MARKER.match(line)
        if not m:
            continue
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        start = j
        while j < len(lines) and (lines[j].startswith("    ") or
                                  (not lines[j].strip() and j + 1 < len(lines)
                                   and lines[j + 1].startswith("    "))):
            j += 1
        prompt = lines[start][4:] if lines[start].startswith("    $ ") else None
        blocks.append((m.group(1), start, j, prompt))
    return lines, blocks


def mask(line):
    return re.sub(r"\d+", "#", line.rstrip())


def compare(sections, readme_text):
    """[(name, ok, why)] for each marked block of the README."""
    lines, blocks = readme_blocks(readme_text)
    if not blocks:
        return [("the README's marked output blocks", False,
                 "no '<!-- output: ... -->' block")]
    results = []
    for spec, start, end, prompt in blocks:
        name = f"README block '{spec}' reads as the tool prints it"
        try:
            body = ([prompt] if prompt else []) + render(spec, sections)
        except KeyError as exc:
            results.append((name, False, f"not in the log ({exc})"))
            continue
        got = [l[4:] if l.startswith("    ") else l for l in lines[start:end]]
        a, b = [mask(l) for l in got], [mask(l) for l in body]
        if a == b:
            results.append((name, True, ""))
            continue
        k = next(k for k in range(max(len(a), len(b)))
                 if k >= len(a) or k >= len(b) or a[k] != b[k])
        results.append((name, False,
                        f"at its line {k + 1}:\n  README: "
                        f"{got[k] if k < len(got) else '(none)'}\n  run:    "
                        f"{body[k] if k < len(body) else '(none)'}\n"
                        "  (tests/docs/examples.py --write LOG rewrites it)"))
    return results


def write(sections, readme_text):
    lines, blocks = readme_blocks(readme_text)
    for spec, start, end, prompt in reversed(blocks):
        body = ([prompt] if prompt else []) + render(spec, sections)
        lines[start:end] = ["    " + l if l else "" for l in body]
    return "\n".join(lines), len(blocks)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", metavar="LOG")
    mode.add_argument("--check", metavar="LOG")
    ap.add_argument("--readme", default=README)
    args = ap.parse_args(argv)
    with open(args.write or args.check) as f:
        sections = log_sections(f.read())
    with open(args.readme) as f:
        text = f.read()
    if args.write:
        text, n = write(sections, text)
        with open(args.readme, "w") as f:
            f.write(text)
        print(f"wrote {n} blocks of {args.readme}")
        return 0
    results = compare(sections, text)
    for name, ok, why in results:
        print(f"{'ok' if ok else 'not ok'} - {name}")
        if not ok:
            print("#   " + why.replace("\n", "\n#   "))
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
