"""Benchmark results: one `Result` per figure, a table for people, JSON for machines.

A result with a `target` passes when the figure it is set on (`on`: the `ratio`
to its baseline, or the `value` itself) is at most the target; a result without
one is information (per-paper times, sizes) and always passes. A `skipped` result
(a tool the measurement needs is missing) has no figure and never passes: the run's
summary fails on it unless skips are explicitly allowed.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Result:
    metric: str
    value: float
    unit: str
    baseline: float | None = None
    target: float | None = None
    on: str = "ratio"
    note: str = ""
    skipped: bool = False

    @classmethod
    def skip(cls, metric: str, unit: str, reason: str) -> Result:
        return cls(metric, float("nan"), unit, note=f"skipped: {reason}", skipped=True)

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline and not self.skipped else None

    @property
    def passed(self) -> bool:
        if self.skipped:
            return False
        if self.target is None:
            return True
        figure = self.ratio if self.on == "ratio" else self.value
        return figure is not None and figure <= self.target

    def to_dict(self) -> dict:
        return {**asdict(self), "ratio": self.ratio, "pass": self.passed}


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def timed(fn: Callable[[], object], clock=None) -> float:
    """Seconds `fn()` takes on `clock` (time.perf_counter by default)."""
    import time

    clock = clock or time.perf_counter
    start = clock()
    fn()
    return clock() - start


def machine() -> dict:
    return {
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
    }


def _num(x: float | None, unit: str = "") -> str:
    if x is None or x != x:  # None or NaN (a skipped measurement)
        return "—"
    if unit == "s":
        return f"{x * 1e3:.3g} ms" if x < 1 else f"{x:.3g} s"
    if unit == "µs":
        return f"{x:.3g} µs"
    text = f"{x:.3g}" if isinstance(x, float) else str(x)
    return f"{text} {unit}".strip()


def _target(r: Result) -> str:
    if r.target is None:
        return ""
    return f"{'ratio' if r.on == 'ratio' else 'value'} ≤ {r.target:g}"


def rows(results: Sequence[Result]) -> list[list[str]]:
    head = ["metric", "value", "baseline", "ratio", "target", "pass"]
    body = [
        [
            r.metric,
            _num(r.value, r.unit),
            _num(r.baseline, r.unit),
            _num(r.ratio) if r.ratio else "—",
            _target(r),
            "skipped" if r.skipped else ("yes" if r.passed else "NO") if r.target is not None else "",
        ]
        for r in results
    ]
    return [head, *body]


def table(results: Sequence[Result]) -> str:
    """A plain-text table, columns padded."""
    data = rows(results)
    widths = [max(len(row[i]) for row in data) for i in range(len(data[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in data]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown(results: Sequence[Result]) -> str:
    """The same table in Markdown (for the README)."""
    data = rows(results)
    out = ["| " + " | ".join(data[0]) + " |", "|" + "---|" * len(data[0])]
    out.extend("| " + " | ".join(row) + " |" for row in data[1:])
    return "\n".join(out)


def write_json(path: Path, results: Sequence[Result]) -> None:
    """The results as a JSON list of {metric, value, unit, baseline, ratio, target, on, pass, note}."""
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = [{k: (None if v != v else v) for k, v in r.to_dict().items()} for r in results]  # NaN is not JSON
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
