"""RESULTS.md from the raw results: a run's, or a saved RESULTS.json's
(run.py --report-only). The header (machine, kernel, libbpf, commit, date,
rounds), the issue's goals with their figures, met or missed, then each
section's tables, the earlier targets, the notes and anomalies."""

import json
import os

from lib.runner import config_labels

FORMAT = 1


class Results:
    """The raw results, read-only, as the sections' report() sees them."""

    def __init__(self, raw):
        self.raw = raw
        self.info = raw.get("info", {})
        self.run = raw.get("run", {})
        self.size = self.info.get("size", {})
        self.sections = raw.get("sections", {})
        self.hwm = self.sections.get("hwm", {})
        self.configs = config_labels(self.info.get("unit_display")
                                     or ["(the unit's arguments)"])
        self.labels = dict(self.configs)

    def section(self, name):
        return self.sections.get(name)


def save(raw, path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(raw, f, indent=1, sort_keys=True)
        f.write("\n")


def load(path):
    with open(path) as f:
        raw = json.load(f)
    if raw.get("format") != FORMAT:
        raise ValueError(f"{path}: raw results of format "
                         f"{raw.get('format')}, not {FORMAT}")
    return raw


def header(R):
    i, run = R.info, R.run
    L = ["# tfotrace benchmark results\n"]
    if not run.get("complete"):
        L.append("**This run did not finish: partial results.**\n")
    mem = i.get("mem_kib")
    mem = f"{mem / (1 << 20):.1f} GiB" if mem else "?"
    dirty = ("clean" if not i.get("git_dirty") else
             "**dirty**: " + ", ".join(i.get("git_dirty_paths", [])[:12]) +
             (" …" if len(i.get("git_dirty_paths", [])) > 12 else ""))
    quick = "quick (`--quick`: small N, a smoke test)" if i.get("quick") \
        else "full"
    L.append("Made by `make bench` (tests/bench/run.py; the raw figures in "
             "tests/bench/RESULTS.json, from which `python3 tests/bench/"
             "run.py --report-only` regenerates this file). Nothing is "
             "asserted on timings. A paravirtualized guest: compare the "
             "ratios measured side by side in this run, not absolute "
             "times.\n")
    ran = run.get("sections_run")
    if ran is not None:
        from sections import RUN
        left = [m.NAME for m in RUN if m.NAME not in ran]
        if left:
            L.append(f"**Sections not run here: {', '.join(left)}** (only "
                     f"{', '.join(ran) or 'none'}).\n")
    L.append(f"- date: {i.get('date', '?')}; the run took "
             f"{run.get('elapsed_s', 0):.0f} s ({quick}, "
             f"{R.size.get('rounds', '?')} rounds)")
    L.append(f"- machine: {i.get('cpu', '?')}, {i.get('nproc', '?')} CPUs, "
             f"{mem} of memory")
    L.append(f"- kernel: {i.get('kernel', '?')} ({i.get('kernel_version', '?')})")
    L.append(f"- libbpf: {i.get('libbpf', '?')}")
    L.append(f"- commit: {i.get('git_describe', '?')} "
             f"({i.get('git_head', '?')}), tree {dirty}")
    foreign = i.get("foreign") or []
    if foreign:
        procs = sorted({f"{f['pid']} ({f['comm']})" for f in foreign})
        wheres = sorted({f["where"] for f in foreign})
        L.append(f"- **not alone**: other processes' BPF programs were "
                 f"attached to this machine's hooks during the run (pid "
                 f"{', '.join(procs)}; seen {len(wheres)} time(s), e.g. "
                 f"{'; '.join(wheres[:4])}): the runs they overlapped, "
                 "untraced ones included, paid for them too")
    if not i.get("tfotrace_src"):
        return L + [""]
    L.append(f"- tfotrace: {i['tfotrace_src']} (sha256 {i['tfotrace_sha']}); "
             f"attach mode chosen: **{i.get('mode')}**; ring buffer "
             f"{i['ring']['RELEVANT']} by default, {i['ring']['ALL']} with "
             "--all")
    eq = "as expected" if i.get("hooks_equal") else "**NOT AS EXPECTED**"
    L.append(f"- hooks: tfotrace's tp_* programs (bpf/tfotrace.bpf.c) "
             f"name {', '.join(i.get('hooks_src', []))}, its any_* "
             f"programs (every mode) {', '.join(i.get('hooks_also', [])) or '-'}; "
             f"attached (bpftool perf list): tfotrace "
             f"{', '.join(i.get('hooks_tfotrace') or [])}; floor "
             f"{', '.join(i.get('hooks_floor') or [])}; BPF links held "
             f"(/proc/PID/fdinfo): tfotrace {len(i.get('links_tfotrace') or [])}"
             f" × {'/'.join(sorted(set(i.get('links_tfotrace') or []))) or '-'}"
             f", floor {len(i.get('links_floor') or [])} × "
             f"{'/'.join(sorted(set(i.get('links_floor') or []))) or '-'}: "
             f"{eq}. The floor has the syscall tracepoints only: "
             f"{', '.join(i.get('hooks_also', [])) or 'the any_* ones'} "
             "fires on TCP state changes (W2 pays it, W1 never); in "
             "tracepoint mode tfotrace's handshake observer holds the 4 "
             "cgroup links (every packet passes it: W2 pays it, W1 never).")
    L.append(f"- BTF cache: every tfotrace start but the cold ones of "
             f"the startup table reads a cache (TFOTRACE_CACHE_DIR) its "
             f"first start filled: "
             f"{', '.join(i.get('cache_files', [])) or '(empty)'}")
    L.append(f"- bpftrace: {i.get('bpftrace', '?')}, a script with "
             f"enter/exit of {', '.join(i.get('bpftrace_calls', []))} "
             f"(arguments kept per tid at enter, printed with ret at exit), "
             f"`-o /dev/null`; tfotrace's output to /dev/null")
    L.append(f"- workloads (tests/bench/bench_load.c) each in a fresh "
             f"network namespace, loopback, pinned to CPU "
             f"{i.get('pinned_cpu', '?')}; the tracers unpinned, each "
             f"started afresh for each workload run. Per round every "
             f"configuration in turn, each workload once under it. Overhead "
             f"= median over rounds of (configuration − untraced of the "
             f"same round).")
    L.append("")
    return L


def notes(R):
    size, run = R.size, R.run
    L = ["## Notes and anomalies\n"]
    anomalies = run.get("anomalies", [])
    if anomalies:
        L.extend(f"- {a}" for a in anomalies)
    else:
        L.append("- none: every tracer attached, ran and stopped cleanly.")
    if size:
        L.append(f"- strace runs with N = {size['strace_w1']:,} (W1) and "
                 f"{size['strace_w2']:,} (W2) instead of "
                 f"{size['w1']:,} / {size['w2']:,}, and not W1p: it costs "
                 "~100 µs a call; its overhead is against the full-N "
                 "untraced run.")
    if run.get("bpftrace_repeats"):
        L.append(f"- bpftrace needed its SIGINT repeated "
                 f"{run['bpftrace_repeats']} time(s) to stop: 0.17 can miss "
                 "one that arrives just before it waits (epoll_wait); "
                 "the repeat comes after the workload, outside any "
                 "measurement.")
    L.append("- Syscall tracepoints put every task on the slow syscall "
             "path while attached, so W2 (no setsockopt per connection) "
             "pays for them on every syscall it makes.")
    L.append("- W1p's absolute CPU per call is above W1's: each "
             "millisecond's burst starts with cold caches after a sleep; "
             "the untraced W1p run has the same, so the overheads compare.")
    return L


def markdown(raw):
    from sections import GOALS, REPORT
    R = Results(raw)
    L = header(R)
    L.append("## Goals (issue 19), reported, not asserted\n")
    L.append("| goal | figure | target | |")
    L.append("|---|---|---|---|")
    for mod in GOALS:
        for g in mod.goals(R):
            L.append(g.row())
    L.append("")
    for mod in REPORT:
        L.extend(mod.report(R))
    L.append("## Earlier targets (reported, not asserted)\n")
    for mod in REPORT:
        L.extend(mod.targets(R))
    L.append("")
    L.extend(notes(R))
    text = R.info.get("bpftrace_text")
    if text:
        L.append("\n## Appendix: the bpftrace script\n")
        L.append("```")
        L.append(text.rstrip())
        L.append("```")
    return "\n".join(L) + "\n"

