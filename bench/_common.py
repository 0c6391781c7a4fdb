"""What every benchmark shares: where things are, timing, and the figures table.

A benchmark measures a *baseline* and our *measured* figure in the same run, on the same
machine, and prints both with their ratio and whether the target is met. It never fails:
a missed target prints ``MISSED`` and the exit code stays 0. ``--json FILE`` writes the
figures as JSON as well, so ``bench/run`` can gather them into one table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "bpmn"

if str(REPO) not in sys.path:  # `python bench/x.py` from anywhere imports the package
    sys.path.insert(0, str(REPO))

Better = Literal["lower", "higher"]


@dataclass(frozen=True, slots=True)
class Figure:
    """One measured figure next to its baseline.

    ``ratio`` is measured / baseline. ``target`` bounds the ratio from above when ``better``
    is ``lower`` (time, memory) and from below when it is ``higher`` (throughput); ``limit``
    bounds the measured value itself the same way (an absolute target such as 150 MB).
    """

    name: str
    baseline_label: str
    baseline: float
    measured: float
    unit: str
    target: float | None
    better: Better = "lower"
    note: str = ""
    limit: float | None = None
    skipped: str = ""
    """Why the figure could not be measured (empty when it was)."""

    @property
    def ratio(self) -> float | None:
        if self.skipped or self.baseline <= 0:
            return None
        return self.measured / self.baseline

    def _within(self, value: float, bound: float) -> bool:
        return value <= bound if self.better == "lower" else value >= bound

    @property
    def verdict(self) -> str:
        """``ok``, ``MISSED``, ``SKIPPED``, or ``-`` when there is no target."""
        ratio = self.ratio
        if self.skipped:
            return "SKIPPED"
        checks = []
        if self.target is not None and ratio is not None:
            checks.append(self._within(ratio, self.target))
        if self.limit is not None:
            checks.append(self._within(self.measured, self.limit))
        if not checks:
            return "-"
        return "ok" if all(checks) else "MISSED"

    def target_text(self) -> str:
        sign = "<=" if self.better == "lower" else ">="
        parts = []
        if self.target is not None:
            parts.append(f"{sign} {self.target:g}x")
        if self.limit is not None:
            parts.append(f"{sign} {_number(self.limit, self.unit)}")
        return ", ".join(parts) or "-"


def skipped(name: str, reason: str) -> Figure:
    """A figure that could not be measured here (the table says why)."""
    return Figure(name, "-", 0.0, 0.0, "", None, skipped=reason)


def _number(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1000:.1f} ms" if value < 10 else f"{value:.1f} s"
    if unit == "MB":
        return f"{value:.1f} MB"
    if unit == "/s":
        return f"{value:,.0f}/s"
    return f"{value:g} {unit}".strip()


def format_table(figures: Sequence[Figure]) -> str:
    """The figures as an aligned plain-text table (one row each, plus notes)."""
    rows = [("figure", "baseline", "measured", "ratio", "target", "result")]
    notes: list[str] = []
    for figure in figures:
        if figure.skipped:
            rows.append((figure.name, "-", "-", "-", "-", "SKIPPED"))
            notes.append(f"{figure.name}: skipped, {figure.skipped}")
            continue
        ratio = figure.ratio
        rows.append((
            figure.name,
            f"{_number(figure.baseline, figure.unit)} ({figure.baseline_label})",
            _number(figure.measured, figure.unit),
            f"{ratio:.2f}x" if ratio is not None else "-",
            figure.target_text(),
            figure.verdict,
        ))
        if figure.note:
            notes.append(f"{figure.name}: {figure.note}")
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
             .rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines + [f"  * {note}" for note in notes])


def arguments(description: str) -> argparse.ArgumentParser:
    """An argument parser with the options every benchmark takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON here")
    return parser


def write_figures(figures: Sequence[Figure], path: str | Path) -> None:
    """The figures as JSON (read back by ``load_figures``)."""
    Path(path).write_text(json.dumps([asdict(f) for f in figures], indent=2) + "\n",
                          encoding="utf-8")


def report(figures: Sequence[Figure], json_path: str | None) -> int:
    """Print the table (and write JSON when asked); always 0: a missed target is news,
    not a failure."""
    print(format_table(figures), flush=True)
    if json_path:
        write_figures(figures, json_path)
    return 0


def load_figures(path: Path) -> list[Figure]:
    """Figures written by ``report(..., json_path)``."""
    return [Figure(**item) for item in json.loads(path.read_text(encoding="utf-8"))]


def log(message: str) -> None:
    """Progress for the person waiting (stderr, so tables on stdout stay clean)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


Clock = Callable[[], float]


def timed(action: Callable[[], object], clock: Clock = time.perf_counter) -> float:
    """Seconds ``action`` takes once on ``clock`` (default: wall clock, monotonic)."""
    started = clock()
    action()
    return clock() - started


def interleaved_medians(baseline: Callable[[], object], measured: Callable[[], object],
                        rounds: int, clock: Clock = time.perf_counter) -> tuple[float, float]:
    """Median seconds of each action over ``rounds`` rounds, alternating the two so that
    drift of the machine (other load, CPU frequency) affects both alike."""
    base: list[float] = []
    ours: list[float] = []
    for index in range(rounds):
        pair = ((baseline, base), (measured, ours))
        for action, times in (pair if index % 2 == 0 else pair[::-1]):
            times.append(timed(action, clock))
    return statistics.median(base), statistics.median(ours)


# -- the sandbox workload (apply throughput, dry-run memory) ------------------------------

WORKLOAD_BPMN = REPO / "plans" / "bpmn"
WORKLOAD_PROCESS = "invoice-approval"
WORKLOAD_WAIT_AT = "Task_ApproveInvoice"
"""Instances wait at this user task of invoice-approval v1; it keeps its id in v2, so the
auto-mapped migration is accepted."""


def workload_files() -> tuple[Path, Path]:
    """The v1 and v2 BPMN files of the workload process."""
    return (WORKLOAD_BPMN / f"{WORKLOAD_PROCESS}.v1.bpmn",
            WORKLOAD_BPMN / f"{WORKLOAD_PROCESS}.v2.bpmn")


def workload_seed(count: int) -> dict[str, object]:
    """A seed document: deploy v1 and v2, start ``count`` instances of v1."""
    return {
        "deploy": [{"resourceName": path.name, "xml": path.read_text(encoding="utf-8")}
                   for path in workload_files()],
        "instances": [{"process": WORKLOAD_PROCESS, "version": 1, "count": count,
                       "waitAt": [WORKLOAD_WAIT_AT]}],
    }


def write_workload_plan(folder: Path, **rollout: object) -> Path:
    """A plan migrating the workload's v1 instances to v2 (auto-mapping), written into
    ``folder`` next to copies of both BPMN files; its path."""
    import yaml  # only the sandbox benchmarks need it

    for path in workload_files():
        (folder / path.name).write_bytes(path.read_bytes())
    v1, v2 = workload_files()
    document: dict[str, object] = {
        "apiVersion": "c8migrate/v1", "kind": "MigrationPlan",
        "metadata": {"name": "bench-invoice-v1-to-v2"},
        "source": {"processDefinitionId": WORKLOAD_PROCESS, "version": 1, "bpmn": v1.name},
        "target": {"processDefinitionId": WORKLOAD_PROCESS, "version": 2, "bpmn": v2.name},
        "mappings": {"auto": "same-id"},
    }
    if rollout:
        document["rollout"] = rollout
    plan = folder / "plan.yaml"
    plan.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return plan
