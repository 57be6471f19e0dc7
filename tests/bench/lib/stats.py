"""Statistics and formatting shared by the sections and the report."""

import statistics

NAN = float("nan")


def median(xs):
    """Median of the values that are not None; NaN if none."""
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else NAN


def quartiles(xs):
    """(Q1, Q3), inclusive method; (min, max) below 4 values."""
    if len(xs) < 4:
        return min(xs), max(xs)
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return q[0], q[2]


def isnum(x):
    return x is not None and x == x


def fmt_ns(x):
    if not isnum(x):
        return "n/a"
    if abs(x) >= 10000:
        return f"{x:,.0f}"
    return f"{x:.0f}"


def fmt_count(x):
    if x is None:
        return "?"
    if x >= 10000:
        return f"{x / 1000:,.0f}k"
    return f"{x}"


def fmt_ratio(x, digits=2):
    return f"{x:.{digits}f}×" if isnum(x) else "—"


def ratio(a, b):
    """a / b, NaN when either is missing or b is not positive."""
    if not isnum(a) or not isnum(b) or b <= 0:
        return NAN
    return a / b


def verdict(ok):
    return "**met**" if ok else "**missed**"


class Goal:
    """One of the issue's goals: what is measured, its figure, the target
    and whether the figure meets it (None: not measured in this run)."""

    def __init__(self, goal, figure, target, met, note=""):
        self.goal = goal
        self.figure = figure
        self.target = target
        self.met = met
        self.note = note

    def row(self):
        if self.met is None:
            v = "not measured" if self.figure == "—" else "no verdict"
        else:
            v = verdict(self.met)
        note = f" {self.note}" if self.note else ""
        return f"| {self.goal} | {self.figure}{note} | {self.target} | {v} |"
